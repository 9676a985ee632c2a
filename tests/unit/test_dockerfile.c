/* The Dockerfile parser and Docker's variable substitution: every syntax
 * form, and the errors (file, line, what was expected). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "build/build.h"
#include "util/xalloc.h"

static struct rc_dockerfile parse_ok(const char *text)
{
        struct rc_dockerfile df = { 0 };
        rc_error *err = NULL;

        if (rc_dockerfile_parse("Dockerfile", text, strlen(text), &df, &err) < 0) {
                fprintf(stderr, "unexpected error: %s\n", err->msg);
                fail();
        }
        return df;
}

/* The error message of a Dockerfile that must not parse. */
static char *parse_err(const char *text)
{
        struct rc_dockerfile df = { 0 };
        rc_error *err = NULL;
        char *msg;

        if (rc_dockerfile_parse("Dockerfile", text, strlen(text), &df, &err) == 0) {
                fprintf(stderr, "parsed, but should not have: %s\n", text);
                fail();
        }
        msg = xstrdup(err->msg);
        rc_error_free(err);
        return msg;
}

static void assert_args(char **args, ...)
{
        va_list ap;
        size_t i = 0;
        const char *want;

        va_start(ap, args);
        while ((want = va_arg(ap, const char *)) != NULL) {
                assert_non_null(args[i]);
                assert_string_equal(args[i], want);
                i++;
        }
        va_end(ap);
        assert_null(args[i]);
}

static void test_basic(void **state)
{
        (void)state;
        struct rc_dockerfile df = parse_ok("FROM busybox AS Build\n"
                                           "run echo hi\n"
                                           "CMD [\"sh\", \"-c\", \"echo $X\"]\n"
                                           "from build\n"
                                           "COPY --from=build --chown=1:2 /a /b\n"
                                           "ENTRYPOINT [\"/bin/sh\"] trailing\n"
                                           "CMD [not json]\n");
        assert_int_equal(df.n, 7);
        assert_int_equal(df.n_stages, 2);
        assert_int_equal(df.n_global, 0);
        assert_int_equal(df.insts[0].cmd, RC_DF_FROM);
        assert_args(df.insts[0].args, "busybox", "build", NULL);
        assert_string_equal(df.stages[0].name, "build");
        assert_string_equal(df.stages[0].base, "busybox");
        assert_int_equal(df.stages[0].n, 3);
        assert_int_equal(df.insts[1].cmd, RC_DF_RUN);
        assert_false(df.insts[1].json);
        assert_args(df.insts[1].args, "echo hi", NULL);
        assert_string_equal(df.insts[1].text, "run echo hi");
        assert_int_equal(df.insts[1].line, 2);
        assert_true(df.insts[2].json);
        assert_args(df.insts[2].args, "sh", "-c", "echo $X", NULL);
        assert_null(df.stages[1].name);
        assert_int_equal(df.stages[1].first, 3);
        const char *v;
        assert_true(rc_df_flag(&df.insts[4], "from", &v));
        assert_string_equal(v, "build");
        assert_true(rc_df_flag(&df.insts[4], "chown", &v));
        assert_string_equal(v, "1:2");
        assert_false(rc_df_flag(&df.insts[4], "chmod", &v));
        assert_args(df.insts[4].args, "/a", "/b", NULL);
        /* what follows a JSON array is ignored, as Docker does */
        assert_true(df.insts[5].json);
        assert_args(df.insts[5].args, "/bin/sh", NULL);
        assert_false(df.insts[6].json);
        assert_args(df.insts[6].args, "[not json]", NULL);
        assert_ptr_equal(rc_df_find_stage(&df, "BUILD"), &df.stages[0]);
        assert_ptr_equal(rc_df_find_stage(&df, "1"), &df.stages[1]);
        assert_null(rc_df_find_stage(&df, "2"));
        assert_null(rc_df_find_stage(&df, "nope"));
        rc_dockerfile_free(&df);
}

static void test_comments_continuations(void **state)
{
        (void)state;
        struct rc_dockerfile df = parse_ok("\xef\xbb\xbf# a comment\r\n"
                                           "\n"
                                           "FROM scratch\r\n"
                                           "  # indented comment\n"
                                           "RUN echo a \\\n"
                                           "  # a comment inside\n"
                                           "\n"
                                           "    b \\   \n"
                                           "c\n"
                                           "ENV X=1 \\\n"
                                           "    Y=2\n"
                                           "\\\n"
                                           "RUN x\n");
        assert_int_equal(df.n, 4);
        assert_args(df.insts[1].args, "echo a     b c", NULL);
        assert_int_equal(df.insts[1].line, 5);
        assert_int_equal(df.insts[1].last_line, 9);
        assert_args(df.insts[2].args, "X", "1", "Y", "2", NULL);
        assert_int_equal(df.insts[2].line, 10);
        assert_args(df.insts[3].args, "x", NULL);
        assert_int_equal(df.insts[3].line, 12);
        rc_dockerfile_free(&df);
        char *m = parse_err("FROM a\nRUN \\\n");
        assert_string_equal(m, "Dockerfile:2: RUN: needs a command (a JSON array or a command line)");
        free(m);
}

static void test_directives(void **state)
{
        (void)state;
        struct rc_dockerfile df = parse_ok("# syntax=docker/dockerfile:1\n"
                                           "#escape = `\n"
                                           "# check=skip=all\n"
                                           "FROM scratch\n"
                                           "RUN dir c:\\ `\n"
                                           "  && echo done\n"
                                           "# escape=\\\n"
                                           "COPY a\\b c\n");
        assert_int_equal(df.escape, '`');
        assert_args(df.insts[1].args, "dir c:\\   && echo done", NULL);
        /* a directive after an instruction is a comment */
        assert_int_equal(df.insts[2].cmd, RC_DF_COPY);
        rc_dockerfile_free(&df);

        /* after a comment that is not a directive, directives end */
        df = parse_ok("# hello\n# escape=`\nFROM scratch\nRUN a \\\n b\n");
        assert_int_equal(df.escape, '\\');
        assert_args(df.insts[1].args, "a  b", NULL);
        rc_dockerfile_free(&df);

        char *m = parse_err("# escape=x\nFROM scratch\n");
        assert_string_equal(m, "Dockerfile:1: invalid escape token 'x' does not match ` or \\");
        free(m);
        m = parse_err("# escape=`\n# escape=`\nFROM scratch\n");
        assert_string_equal(m, "Dockerfile:2: only one escape parser directive can be used");
        free(m);
}

static void test_forms(void **state)
{
        (void)state;
        struct rc_dockerfile df = parse_ok("ARG V=1\n"
                                           "ARG B\n"
                                           "FROM img:$V\n"
                                           "ENV A=1 B=\"two words\" C='$x' D=a\\ b\n"
                                           "ENV OLD a value with  spaces \n"
                                           "LABEL \"com.x\"=\"y\" z=\n"
                                           "ARG N1 N2=v2\n"
                                           "EXPOSE 80 443/tcp\n"
                                           "VOLUME /a /b\n"
                                           "VOLUME [\"/c\"]\n"
                                           "WORKDIR  /w x \n"
                                           "USER 1000:1000\n"
                                           "STOPSIGNAL SIGKILL\n"
                                           "MAINTAINER Someone <s@example.com>\n"
                                           "SHELL [\"/bin/bash\", \"-c\"]\n"
                                           "COPY [\"a b\", \"/d/\"]\n"
                                           "ADD --chmod=0755 --link x y /z/\n"
                                           "HEALTHCHECK --interval=5s --retries=3 CMD curl -f http://x/ || exit 1\n"
                                           "HEALTHCHECK cmd [\"true\"]\n"
                                           "HEALTHCHECK NONE\n"
                                           "ONBUILD RUN make\n"
                                           "CMD []\n");
        assert_int_equal(df.n_global, 2);
        assert_args(df.insts[0].args, "V=1", NULL);
        assert_string_equal(df.stages[0].base, "img:$V");
        assert_args(df.insts[3].args, "A", "1", "B", "\"two words\"", "C", "'$x'", "D", "a\\ b", NULL);
        assert_args(df.insts[4].args, "OLD", "a value with  spaces", NULL);
        assert_args(df.insts[5].args, "\"com.x\"", "\"y\"", "z", "", NULL);
        assert_args(df.insts[6].args, "N1", "N2=v2", NULL);
        assert_args(df.insts[7].args, "80", "443/tcp", NULL);
        assert_args(df.insts[8].args, "/a", "/b", NULL);
        assert_true(df.insts[9].json);
        assert_args(df.insts[10].args, "/w x", NULL);
        assert_args(df.insts[13].args, "Someone <s@example.com>", NULL);
        assert_args(df.insts[14].args, "/bin/bash", "-c", NULL);
        assert_args(df.insts[15].args, "a b", "/d/", NULL);
        const char *v = "x";
        assert_true(rc_df_flag(&df.insts[16], "link", &v));
        assert_null(v);
        assert_args(df.insts[16].args, "x", "y", "/z/", NULL);
        assert_args(df.insts[17].args, "CMD", "curl -f http://x/ || exit 1", NULL);
        assert_false(df.insts[17].json);
        assert_true(rc_df_flag(&df.insts[17], "interval", &v));
        assert_string_equal(v, "5s");
        assert_args(df.insts[18].args, "CMD", "true", NULL);
        assert_true(df.insts[18].json);
        assert_args(df.insts[19].args, "NONE", NULL);
        assert_args(df.insts[20].args, "RUN make", NULL);
        assert_non_null(df.insts[20].sub);
        assert_int_equal(df.insts[20].sub->cmd, RC_DF_RUN);
        assert_args(df.insts[20].sub->args, "make", NULL);
        assert_true(df.insts[21].json);
        assert_null(df.insts[21].args[0]);
        rc_dockerfile_free(&df);
}

static void test_heredocs(void **state)
{
        (void)state;
        struct rc_dockerfile df = parse_ok("FROM scratch\n"
                                           "RUN <<EOF\n"
                                           "echo $HOME\n"
                                           "  indented\n"
                                           "EOF\n"
                                           "COPY <<-\"END\" /etc/conf\n"
                                           "\t\tkey=$v\n"
                                           "\tEND\n"
                                           "RUN cat <<A >a && 3<<'B' cat >b\n"
                                           "first\n"
                                           "A\n"
                                           "second\n"
                                           "B\n"
                                           "RUN echo \"<<NOT\" <<-\n"
                                           "CMD x\n");
        assert_int_equal(df.n, 6);
        assert_int_equal(df.insts[1].n_heredocs, 1);
        assert_string_equal(df.insts[1].heredocs[0].name, "EOF");
        assert_string_equal(df.insts[1].heredocs[0].content, "echo $HOME\n  indented\n");
        assert_true(df.insts[1].heredocs[0].expand);
        assert_args(df.insts[1].args, "<<EOF", NULL);
        assert_int_equal(df.insts[1].line, 2);
        assert_int_equal(df.insts[2].n_heredocs, 1);
        assert_string_equal(df.insts[2].heredocs[0].name, "END");
        assert_string_equal(df.insts[2].heredocs[0].content, "key=$v\n");
        assert_false(df.insts[2].heredocs[0].expand);
        assert_args(df.insts[2].args, "<<-\"END\"", "/etc/conf", NULL);
        assert_int_equal(df.insts[3].n_heredocs, 2);
        assert_string_equal(df.insts[3].heredocs[0].content, "first\n");
        assert_string_equal(df.insts[3].heredocs[1].name, "B");
        assert_string_equal(df.insts[3].heredocs[1].content, "second\n");
        assert_false(df.insts[3].heredocs[1].expand);
        assert_int_equal(df.insts[4].n_heredocs, 0);
        assert_int_equal(df.insts[5].cmd, RC_DF_CMD);
        assert_int_equal(df.insts[5].line, 15);
        rc_dockerfile_free(&df);

        char *m = parse_err("FROM scratch\nRUN <<EOF\necho\n");
        assert_string_equal(m, "Dockerfile:2: unterminated heredoc: no line \"EOF\" ends it");
        free(m);
}

static const struct {
        const char *text, *error;
} errors[] = {
        { "", "Dockerfile: the file has no instructions" },
        { "# only a comment\n", "Dockerfile: the file has no instructions" },
        { "ARG A\n", "Dockerfile: no FROM instruction: a Dockerfile starts with FROM (after optional ARGs)" },
        { "ARG A\nRUN x\nFROM a\n",
          "Dockerfile:2: RUN: no build stage in current context: only ARG may come before the first FROM" },
        { "FROM a\nFOO bar\n", "Dockerfile:2: unknown instruction: FOO" },
        { "FROM a b\n", "Dockerfile:1: FROM: requires either one or three arguments: FROM IMAGE [AS NAME]" },
        { "FROM a AS 1x\n",
          "Dockerfile:1: FROM: invalid name for build stage: \"1x\", name can't start with a number or contain "
          "symbols" },
        { "FROM a AS x\nFROM b as X\n", "Dockerfile:2: FROM: duplicate stage name \"x\"" },
        { "FROM a\n\nCOPY \\\n  onlyone\n",
          "Dockerfile:3: COPY: requires at least two arguments, but only one was provided: COPY SOURCE... "
          "DESTINATION" },
        { "FROM a\nCOPY --from x y\n", "Dockerfile:2: COPY: missing a value on flag: --from" },
        { "FROM a\nRUN --frob=1 x\n", "Dockerfile:2: RUN: unknown flag: --frob" },
        { "FROM a\nENV A=1 B\n", "Dockerfile:2: ENV: can't find = in \"B\". Must be of the form: name=value" },
        { "FROM a\nENV A\n", "Dockerfile:2: ENV: must have two arguments: name value (or name=value)" },
        { "FROM a\nENV =x\n", "Dockerfile:2: ENV: \"=x\": the name is empty. Must be of the form: name=value" },
        { "FROM a\nLABEL\n", "Dockerfile:2: LABEL: needs at least one argument: name=value" },
        { "FROM a\nSHELL /bin/sh -c\n",
          "Dockerfile:2: SHELL: requires the arguments to be in JSON form: SHELL [\"executable\", \"parameters\"]" },
        { "FROM a\nWORKDIR\n", "Dockerfile:2: WORKDIR: requires exactly one argument" },
        { "FROM a\nRUN\n", "Dockerfile:2: RUN: needs a command (a JSON array or a command line)" },
        { "FROM a\nVOLUME [\"\"]\n", "Dockerfile:2: VOLUME: a volume can not be an empty string" },
        { "FROM a\nHEALTHCHECK BOGUS x\n", "Dockerfile:2: HEALTHCHECK: unknown type \"BOGUS\" in HEALTHCHECK (try CMD or NONE)" },
        { "FROM a\nHEALTHCHECK NONE x\n", "Dockerfile:2: HEALTHCHECK: HEALTHCHECK NONE takes no arguments" },
        { "FROM a\nONBUILD FROM b\n", "Dockerfile:2: ONBUILD: FROM isn't allowed as an ONBUILD trigger" },
        { "FROM a\nONBUILD BLAH\n", "Dockerfile:2: ONBUILD: unknown instruction: BLAH" },
        { "FROM a\nARG =1\n", "Dockerfile:2: ARG: \"=1\": the name is empty" },
};

static void test_errors(void **state)
{
        (void)state;
        for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
                char *m = parse_err(errors[i].text);
                if (strcmp(m, errors[i].error) != 0) {
                        fprintf(stderr, "case %zu: got \"%s\"\nwant \"%s\"\n", i, m, errors[i].error);
                        fail();
                }
                free(m);
        }
        struct rc_dockerfile df = { 0 };
        rc_error *err = NULL;
        assert_int_equal(rc_dockerfile_parse("Dockerfile", "FROM a\nRUN x\0y\n", 14, &df, &err), -1);
        assert_string_equal(err->msg, "Dockerfile:2: a NUL byte: a Dockerfile is text");
        rc_error_free(err);
}

static const char *lookup(void *ctx, const char *name, size_t len)
{
        static const char *const vars[] = { "A", "alpha", "E", "", "SP", "a b", "P", "/usr/bin", NULL };
        (void)ctx;
        for (size_t i = 0; vars[i]; i += 2)
                if (strlen(vars[i]) == len && strncmp(vars[i], name, len) == 0)
                        return vars[i + 1];
        return NULL;
}

static const struct {
        const char *in, *out;
        char esc;
        unsigned flags;
} expansions[] = {
        { "$A", "alpha", '\\', 0 },
        { "${A}x", "alphax", '\\', 0 },
        { "$Ax", "", '\\', 0 },
        { "pre-$A-post", "pre-alpha-post", '\\', 0 },
        { "$UNSET", "", '\\', 0 },
        { "${UNSET:-word}", "word", '\\', 0 },
        { "${E:-word}", "word", '\\', 0 },
        { "${E-word}", "", '\\', 0 },
        { "${UNSET-word}", "word", '\\', 0 },
        { "${A:-word}", "alpha", '\\', 0 },
        { "${A:+word}", "word", '\\', 0 },
        { "${E:+word}", "", '\\', 0 },
        { "${E+word}", "word", '\\', 0 },
        { "${UNSET+word}", "", '\\', 0 },
        { "${A:?must}", "alpha", '\\', 0 },
        { "${UNSET:-$A-${P}}", "alpha-/usr/bin", '\\', 0 },
        { "${UNSET:-${UNSET2:-deep}}", "deep", '\\', 0 },
        { "\\$A", "$A", '\\', 0 },
        { "\\${A}", "${A}", '\\', 0 },
        { "`$A", "$A", '`', 0 },
        { "\\$A", "\\alpha", '`', 0 },
        { "'$A'", "$A", '\\', 0 },
        { "\"$A\"", "alpha", '\\', 0 },
        { "\"a \\\"q\\\" \\$A \\n\"", "a \"q\" $A \\n", '\\', 0 },
        { "a\\ b", "a b", '\\', 0 },
        { "\"$SP\"", "a b", '\\', 0 },
        { "$", "$", '\\', 0 },
        { "a$ b$", "a$ b$", '\\', 0 },
        { "$1x", "x", '\\', 0 },
        { "end\\", "end", '\\', 0 },
        { "it's \"$A\" \\n $A", "it's \"alpha\" \\n alpha", '\\', RC_DF_EXPAND_HEREDOC },
        { "\\$A \\\\", "$A \\", '\\', RC_DF_EXPAND_HEREDOC },
};

static const struct {
        const char *in, *error;
} bad_expansions[] = {
        { "'open", "unexpected end of statement while looking for matching single-quote" },
        { "\"open", "unexpected end of statement while looking for matching double-quote" },
        { "${A", "syntax error: missing '}'" },
        { "${", "syntax error: missing '}'" },
        { "${}", "syntax error: bad substitution" },
        { "${:-x}", "syntax error: bad substitution" },
        { "${A:-x", "syntax error: missing '}'" },
        { "${A!x}", "unsupported modifier (!) in substitution" },
        { "${A:=x}", "unsupported modifier (=) in substitution" },
        { "${UNSET:?give it}", "UNSET: give it" },
        { "${E:?}", "E: is not allowed to be unset" },
        { "${UNSET?}", "UNSET: is not allowed to be unset" },
};

static void test_expand(void **state)
{
        (void)state;
        for (size_t i = 0; i < sizeof(expansions) / sizeof(expansions[0]); i++) {
                char *out = NULL;
                rc_error *err = NULL;
                if (rc_df_expand(expansions[i].in, expansions[i].esc, expansions[i].flags, lookup, NULL, &out, &err) <
                    0) {
                        fprintf(stderr, "case %zu (%s): %s\n", i, expansions[i].in, err->msg);
                        fail();
                }
                if (strcmp(out, expansions[i].out) != 0) {
                        fprintf(stderr, "case %zu (%s): got \"%s\", want \"%s\"\n", i, expansions[i].in, out,
                                expansions[i].out);
                        fail();
                }
                free(out);
        }
        for (size_t i = 0; i < sizeof(bad_expansions) / sizeof(bad_expansions[0]); i++) {
                char *out = NULL;
                rc_error *err = NULL;
                assert_int_equal(rc_df_expand(bad_expansions[i].in, '\\', 0, lookup, NULL, &out, &err), -1);
                if (strcmp(err->msg, bad_expansions[i].error) != 0) {
                        fprintf(stderr, "case %zu (%s): got \"%s\"\n", i, bad_expansions[i].in, err->msg);
                        fail();
                }
                rc_error_free(err);
        }
}

static const char *doubling(void *ctx, const char *name, size_t len)
{
        (void)name;
        (void)len;
        return ctx;
}

/* Hostile words: nesting and growth are bounded. */
static void test_expand_limits(void **state)
{
        (void)state;
        char *deep = xcalloc(1, 64 * 8 + 64 + 1), *out = NULL, *big;
        rc_error *err = NULL;

        for (int i = 0; i < 64; i++)
                strcat(deep, "${X:-");
        strcat(deep, "x");
        for (int i = 0; i < 64; i++)
                strcat(deep, "}");
        assert_int_equal(rc_df_expand(deep, '\\', 0, lookup, NULL, &out, &err), -1);
        assert_string_equal(err->msg, "substitutions nested deeper than 32 levels");
        rc_error_free(err);
        err = NULL;
        free(deep);

        big = xcalloc(1, 600 * 1024 + 1);
        memset(big, 'x', 600 * 1024);
        assert_int_equal(rc_df_expand("$V$V", '\\', 0, doubling, big, &out, &err), -1);
        assert_string_equal(err->msg, "a word longer than 1048576 bytes (after substitution)");
        rc_error_free(err);
        free(big);
}

static void test_split_words(void **state)
{
        (void)state;
        char **w = rc_df_split_words("  a  \"b c\" 'd \\' e\\ f g\\\"h \"\" x\\", '\\');
        assert_args(w, "a", "\"b c\"", "'d \\'", "e\\ f", "g\\\"h", "\"\"", "x", NULL);
        strv_free(w);
        w = rc_df_split_words("", '\\');
        assert_null(w[0]);
        strv_free(w);
}

/* Hostile files: a 4 MB line and 200,000 continuation lines parse, in
 * linear time. */
static void test_huge(void **state)
{
        (void)state;
        size_t n = 4u << 20;
        char *text = xmalloc(n + 64);
        struct rc_dockerfile df;
        struct timespec a, b;

        strcpy(text, "FROM a\nRUN ");
        memset(text + 11, 'x', n);
        strcpy(text + 11 + n, "\n");
        df = parse_ok(text);
        assert_int_equal(strlen(df.insts[1].args[0]), n);
        rc_dockerfile_free(&df);
        free(text);

        size_t lines = 200000;
        text = xmalloc(lines * 5 + 64);
        strcpy(text, "FROM a\nRUN ");
        char *p = text + strlen(text);
        for (size_t i = 0; i < lines; i++) {
                memcpy(p, "ab \\\n", 5);
                p += 5;
        }
        strcpy(p, "end\n");
        clock_gettime(CLOCK_MONOTONIC, &a);
        df = parse_ok(text);
        clock_gettime(CLOCK_MONOTONIC, &b);
        assert_true(b.tv_sec - a.tv_sec < 3);
        assert_int_equal(strlen(df.insts[1].args[0]), lines * 3 + 3);
        assert_int_equal(df.insts[1].last_line, lines + 2);
        rc_dockerfile_free(&df);
        free(text);
}

static void test_parse_line(void **state)
{
        (void)state;
        struct rc_df_inst in;
        rc_error *err = NULL;

        assert_int_equal(rc_df_parse_line("cmd [\"/bin/app\", \"-v\"]", '\\', &in, &err), 0);
        assert_int_equal(in.cmd, RC_DF_CMD);
        assert_true(in.json);
        assert_args(in.args, "/bin/app", "-v", NULL);
        rc_df_inst_free(&in);
        assert_int_equal(rc_df_parse_line("ENV -- --x=1", '\\', &in, &err), 0);
        assert_args(in.args, "--x", "1", NULL);
        rc_df_inst_free(&in);
        assert_int_equal(rc_df_parse_line("EXPOSE", '\\', &in, &err), -1);
        assert_string_equal(err->msg, "EXPOSE: requires at least one argument: EXPOSE PORT[/PROTOCOL]...");
        rc_error_free(err);
        assert_string_equal(rc_df_cmd_name(RC_DF_HEALTHCHECK), "HEALTHCHECK");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_basic),        cmocka_unit_test(test_comments_continuations),
                cmocka_unit_test(test_directives),   cmocka_unit_test(test_forms),
                cmocka_unit_test(test_heredocs),     cmocka_unit_test(test_errors),
                cmocka_unit_test(test_expand),       cmocka_unit_test(test_expand_limits),
                cmocka_unit_test(test_split_words),  cmocka_unit_test(test_huge),
                cmocka_unit_test(test_parse_line),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
