/* pkg/build's pure parts: .dockerignore patterns, path cleaning,
 * durations, and what metadata instructions do to an image config. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "build/internal.h"
#include "util/xalloc.h"

static const struct {
        const char *patterns, *path;
        bool excluded;
} ignores[] = {
        { "secret.txt", "secret.txt", true },
        { "secret.txt", "dir/secret.txt", false },
        { "/secret.txt", "secret.txt", true },
        { "./a/../secret.txt", "secret.txt", true },
        { "*.log", "x.log", true },
        { "*.log", "dir/x.log", false },
        { "**/*.log", "dir/deep/x.log", true },
        { "**/*.log", "x.log", true },
        { "dir", "dir/inside/file", true },
        { "dir/**", "dir/inside", true },
        { "**", "anything/at/all", true },
        { "a?c", "abc", true },
        { "a?c", "a/c", false },
        { "[a-c]x", "bx", true },
        { "[!a-c]x", "bx", false },
        { "file.txt", "fileatxt", false },
        { "a+b", "a+b", true },
        { "src/*\n!src/keep", "src/keep/a.c", false },
        { "src/*\n!src/keep", "src/drop/b.c", true },
        { "*\n!keep\nkeep/secret", "keep/secret", true },
        { "*\n!keep\nkeep/secret", "keep/public", false },
        { "# a comment\n\n   \nx", "x", true },
        { "#x", "#x", false },
        { "  spaced  \n", "spaced", true },
        { "!only-exception", "only-exception", false },
};

static void test_ignore(void **state)
{
        (void)state;
        for (size_t i = 0; i < sizeof(ignores) / sizeof(ignores[0]); i++) {
                struct bld_ignore ig;
                rc_error *err = NULL;
                assert_int_equal(bld_ignore_parse(ignores[i].patterns, ".dockerignore", &ig, &err), 0);
                if (bld_ignore_match(&ig, ignores[i].path) != ignores[i].excluded) {
                        fprintf(stderr, "case %zu: \"%s\" against \"%s\"\n", i, ignores[i].path, ignores[i].patterns);
                        fail();
                }
                bld_ignore_free(&ig);
        }
}

static void test_paths(void **state)
{
        static const struct {
                const char *base, *path, *out;
        } cases[] = {
                { "/", "app", "/app" },         { NULL, "app", "/app" },         { "/a/b", "../c", "/a/c" },
                { "/a", "/x/./y//z/", "/x/y/z" }, { "/", "../../..", "/" },     { "/w", ".", "/w" },
        };
        bool climbs;
        char *s;

        (void)state;
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                s = bld_clean_path(cases[i].base, cases[i].path);
                assert_string_equal(s, cases[i].out);
                free(s);
        }
        s = bld_clean_rel("../../etc/passwd", &climbs);
        assert_true(climbs);
        assert_string_equal(s, "etc/passwd");
        free(s);
        s = bld_clean_rel("a/../../b", &climbs);
        assert_true(climbs);
        free(s);
        s = bld_clean_rel("./a/b/../c/", &climbs);
        assert_false(climbs);
        assert_string_equal(s, "a/c");
        free(s);
        s = bld_clean_rel("/", &climbs);
        assert_string_equal(s, "");
        free(s);
}

static const char *vars(void *ctx, const char *name, size_t len)
{
        return bld_kv_get(ctx, name, len);
}

/* Apply Dockerfile lines to c; the last description in *desc. */
static int apply(struct rc_image_config *c, struct bld_apply *a, const char *line, char **desc, rc_error **err)
{
        struct rc_df_inst in;
        int r;

        if (rc_df_parse_line(line, '\\', &in, err) < 0)
                return -1;
        a->ctx = c->env;
        r = bld_config_apply(c, &in, a, desc, err);
        rc_df_inst_free(&in);
        return r;
}

static void apply_ok(struct rc_image_config *c, struct bld_apply *a, const char *line, const char *want_desc)
{
        rc_error *err = NULL;
        char *desc = NULL;

        if (apply(c, a, line, &desc, &err) < 0) {
                fprintf(stderr, "%s: %s\n", line, err->msg);
                fail();
        }
        if (want_desc)
                assert_string_equal(desc, want_desc);
        free(desc);
}

static void apply_err(struct rc_image_config *c, struct bld_apply *a, const char *line, const char *want)
{
        rc_error *err = NULL;
        char *desc = NULL;

        assert_int_equal(apply(c, a, line, &desc, &err), -1);
        assert_string_equal(err->msg, want);
        rc_error_free(err);
}

static void test_config_apply(void **state)
{
        struct rc_image_config c = { 0 };
        struct bld_apply a = { .escape = '\\', .lookup = vars };

        (void)state;
        c.cmd = xcalloc(2, sizeof(char *));
        c.cmd[0] = xstrdup("base-cmd");
        apply_ok(&c, &a, "ENV A=1 B=$A", "ENV A=1 B=");
        apply_ok(&c, &a, "ENV A=2 C=\"x $A\"", "ENV A=2 C=x 1");
        assert_string_equal(bld_kv_get(c.env, "A", 1), "2");
        assert_int_equal(strv_len(c.env), 3);
        apply_ok(&c, &a, "WORKDIR /srv", "WORKDIR /srv");
        apply_ok(&c, &a, "WORKDIR app/../api", "WORKDIR /srv/api");
        apply_ok(&c, &a, "WORKDIR $C", "WORKDIR /srv/api/x 1");
        apply_ok(&c, &a, "EXPOSE 80 53/UDP 8000-8002/tcp", NULL);
        assert_int_equal(strv_len(c.exposed_ports), 5);
        assert_string_equal(c.exposed_ports[1], "53/udp");
        assert_string_equal(c.exposed_ports[4], "8002/tcp");
        apply_err(&c, &a, "EXPOSE 70000", "EXPOSE: invalid port: 70000");
        apply_err(&c, &a, "EXPOSE 80/icmp", "EXPOSE: invalid proto: icmp (tcp, udp or sctp)");
        apply_err(&c, &a, "EXPOSE 1-65535", "EXPOSE: more than 10000 exposed ports");
        apply_ok(&c, &a, "LABEL \"a b\"=c d=", NULL);
        assert_string_equal(c.labels[0], "a b=c");
        assert_string_equal(c.labels[1], "d=");
        apply_ok(&c, &a, "STOPSIGNAL SIGQUIT", NULL);
        apply_err(&c, &a, "STOPSIGNAL SIGNOPE", "STOPSIGNAL: \"SIGNOPE\" is not a signal (e.g. SIGTERM, TERM, 15)");
        /* a new entrypoint drops the base image's command, not this stage's */
        apply_ok(&c, &a, "ENTRYPOINT [\"/init\"]", NULL);
        assert_null(c.cmd);
        apply_ok(&c, &a, "CMD run", "CMD [\"/bin/sh\",\"-c\",\"run\"]");
        apply_ok(&c, &a, "ENTRYPOINT exec /init", "ENTRYPOINT [\"/bin/sh\",\"-c\",\"exec /init\"]");
        assert_string_equal(c.cmd[2], "run");
        apply_ok(&c, &a, "SHELL [\"/bin/bash\", \"-eu\", \"-c\"]", NULL);
        apply_ok(&c, &a, "CMD echo hi", "CMD [\"/bin/bash\",\"-eu\",\"-c\",\"echo hi\"]");
        apply_ok(&c, &a, "HEALTHCHECK --interval=30s --timeout=1m --retries=3 CMD curl -f x", NULL);
        assert_string_equal(c.healthcheck_json, "{\"Test\":[\"CMD-SHELL\",\"curl -f x\"],\"Interval\":30000000000,"
                                                "\"Timeout\":60000000000,\"Retries\":3}");
        apply_ok(&c, &a, "HEALTHCHECK NONE", NULL);
        assert_string_equal(c.healthcheck_json, "{\"Test\":[\"NONE\"]}");
        apply_err(&c, &a, "HEALTHCHECK --interval=1us CMD x",
                  "HEALTHCHECK: --interval \"1us\": a duration of at least 1ms, such as 30s or 1m30s");
        apply_ok(&c, &a, "ONBUILD RUN make", NULL);
        assert_string_equal(c.onbuild[0], "RUN make");
        apply_ok(&c, &a, "MAINTAINER Me <me@x>", NULL);
        assert_string_equal(c.author, "Me <me@x>");
        assert_string_equal(bld_kv_get(c.labels, "maintainer", 10), "Me <me@x>");
        apply_ok(&c, &a, "VOLUME /data [\"/cache\"]", NULL);
        apply_ok(&c, &a, "VOLUME [\"/data\", \"/logs\"]", NULL);
        assert_int_equal(strv_len(c.volumes), 3); /* /data, [/cache] (shell form), /logs */
        apply_ok(&c, &a, "USER ${NOPE:-1000}:$A", "USER 1000:2");
        apply_err(&c, &a, "ENV X=\"${NOPE:?must be set}\"", "ENV: NOPE: must be set");
        apply_err(&c, &a, "RUN true", "RUN: RUN does not change an image's configuration");
        rc_image_config_free(&c);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_ignore),
                cmocka_unit_test(test_paths),
                cmocka_unit_test(test_config_apply),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
