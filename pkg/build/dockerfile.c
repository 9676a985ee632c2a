/* The Dockerfile parser: lines, directives, continuations, heredocs, and
 * the arguments of each instruction. */
#include <ctype.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "build/build.h"
#include "build/internal.h"
#include "util/xalloc.h"

static const struct {
        const char *name;
        const char *flags; /* allowed --flags, space-separated, each followed by '=' if it needs a value */
} commands[] = {
        [RC_DF_FROM] = { "FROM", "platform=" },
        [RC_DF_RUN] = { "RUN", "mount= network= security=" },
        [RC_DF_COPY] = { "COPY", "from= chown= chmod= link parents exclude=" },
        [RC_DF_ADD] = { "ADD", "chown= chmod= link checksum= keep-git-dir exclude=" },
        [RC_DF_ENV] = { "ENV", "" },
        [RC_DF_ARG] = { "ARG", "" },
        [RC_DF_WORKDIR] = { "WORKDIR", "" },
        [RC_DF_USER] = { "USER", "" },
        [RC_DF_CMD] = { "CMD", "" },
        [RC_DF_ENTRYPOINT] = { "ENTRYPOINT", "" },
        [RC_DF_EXPOSE] = { "EXPOSE", "" },
        [RC_DF_LABEL] = { "LABEL", "" },
        [RC_DF_VOLUME] = { "VOLUME", "" },
        [RC_DF_STOPSIGNAL] = { "STOPSIGNAL", "" },
        [RC_DF_HEALTHCHECK] = { "HEALTHCHECK", "interval= timeout= start-period= start-interval= retries=" },
        [RC_DF_ONBUILD] = { "ONBUILD", "" },
        [RC_DF_SHELL] = { "SHELL", "" },
        [RC_DF_MAINTAINER] = { "MAINTAINER", "" },
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

const char *rc_df_cmd_name(enum rc_df_cmd cmd)
{
        return (size_t)cmd < N_COMMANDS ? commands[cmd].name : "?";
}

static bool is_blank(char c)
{
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static const char *skip_blanks(const char *s)
{
        while (*s && is_blank(*s))
                s++;
        return s;
}

/* A copy without leading and trailing blanks. */
static char *trimmed(const char *s)
{
        size_t n;

        s = skip_blanks(s);
        n = strlen(s);
        while (n > 0 && is_blank(s[n - 1]))
                n--;
        return xstrndup(s, n);
}

void rc_df_inst_free(struct rc_df_inst *inst)
{
        if (inst == NULL)
                return;
        free(inst->text);
        for (size_t i = 0; i < inst->n_flags; i++) {
                free(inst->flags[i].name);
                free(inst->flags[i].value);
        }
        free(inst->flags);
        strv_free(inst->args);
        for (size_t i = 0; i < inst->n_heredocs; i++) {
                free(inst->heredocs[i].name);
                free(inst->heredocs[i].content);
        }
        free(inst->heredocs);
        if (inst->sub) {
                rc_df_inst_free(inst->sub);
                free(inst->sub);
        }
        memset(inst, 0, sizeof(*inst));
}

void rc_dockerfile_free(struct rc_dockerfile *df)
{
        if (df == NULL)
                return;
        for (size_t i = 0; i < df->n; i++)
                rc_df_inst_free(&df->insts[i]);
        free(df->insts);
        free(df->stages);
        free(df->path);
        memset(df, 0, sizeof(*df));
}

bool rc_df_flag(const struct rc_df_inst *inst, const char *name, const char **value)
{
        for (size_t i = inst->n_flags; i-- > 0;) {
                if (strcmp(inst->flags[i].name, name) == 0) {
                        if (value)
                                *value = inst->flags[i].value;
                        return true;
                }
        }
        return false;
}

/* ---- flags ---------------------------------------------------------------- */

/* Leading --name[=value] words (quotes and backslashes removed, as
 * BuildKit does); "--" ends them.  *rest points after them. */
static void extract_flags(const char *line, char ***words, const char **rest)
{
        struct bld_buf w = { 0 };
        const char *p = line;

        *words = xcalloc(1, sizeof(char *));
        for (;;) {
                char quote = 0;
                p = skip_blanks(p);
                if (p[0] != '-' || p[1] != '-')
                        break;
                w.len = 0;
                bld_buf_add(&w, "", 0);
                for (; *p && (quote || !is_blank(*p)); p++) {
                        if (quote && *p == quote) {
                                quote = 0;
                                continue;
                        }
                        if (!quote && (*p == '\'' || *p == '"')) {
                                quote = *p;
                                continue;
                        }
                        if (*p == '\\' && p[1])
                                p++;
                        bld_buf_addc(&w, *p);
                }
                if (strcmp(w.p, "--") == 0) {
                        p = skip_blanks(p);
                        break;
                }
                strv_push(words, w.p);
        }
        free(w.p);
        *rest = p;
}

static int check_flags(struct rc_df_inst *inst, char **words, rc_error **err)
{
        const char *allowed = commands[inst->cmd].flags;

        for (size_t i = 0; words[i]; i++) {
                const char *name = words[i] + 2, *eq = strchr(name, '=');
                size_t len = eq ? (size_t)(eq - name) : strlen(name);
                const char *a = allowed;
                bool known = false, needs_value = false;

                while (*a) {
                        size_t alen = strcspn(a, " =");
                        if (alen == len && strncmp(a, name, len) == 0) {
                                known = true;
                                needs_value = a[alen] == '=';
                                break;
                        }
                        a += alen;
                        a += strspn(a, " =");
                }
                if (!known)
                        return rc_error_set(err, 0, "unknown flag: --%.*s", (int)len, name);
                if (needs_value && eq == NULL)
                        return rc_error_set(err, 0, "missing a value on flag: --%.*s", (int)len, name);
                inst->flags = xrealloc(inst->flags, (inst->n_flags + 1) * sizeof(*inst->flags));
                inst->flags[inst->n_flags].name = xstrndup(name, len);
                inst->flags[inst->n_flags].value = eq ? xstrdup(eq + 1) : NULL;
                inst->n_flags++;
        }
        return 0;
}

/* ---- arguments --------------------------------------------------------------- */

/* A JSON array of strings (what follows it is ignored, as Docker does);
 * NULL when rest is not one, for the shell form. */
static char **parse_json_array(const char *rest)
{
        json_tokener *tok;
        json_object *arr;
        char **v = NULL;

        rest = skip_blanks(rest);
        if (*rest != '[')
                return NULL;
        tok = json_tokener_new_ex(4);
        if (tok == NULL)
                abort();
        arr = json_tokener_parse_ex(tok, rest, (int)strlen(rest));
        if (arr && json_tokener_get_error(tok) == json_tokener_success && json_object_is_type(arr, json_type_array)) {
                size_t n = json_object_array_length(arr);
                v = xcalloc(n + 1, sizeof(char *));
                for (size_t i = 0; i < n; i++) {
                        json_object *s = json_object_array_get_idx(arr, i);
                        if (!json_object_is_type(s, json_type_string) ||
                            strlen(json_object_get_string(s)) != (size_t)json_object_get_string_len(s)) {
                                strv_free(v);
                                v = NULL;
                                break;
                        }
                        v[i] = xstrdup(json_object_get_string(s));
                }
        }
        json_object_put(arr);
        json_tokener_free(tok);
        return v;
}

/* RUN, CMD, ENTRYPOINT, SHELL, HEALTHCHECK CMD: exec or shell form. */
static int maybe_json(struct rc_df_inst *inst, const char *rest, rc_error **err)
{
        char **v = parse_json_array(rest);

        if (v) {
                inst->json = true;
                inst->args = v;
                return 0;
        }
        if (*skip_blanks(rest) == '\0')
                return rc_error_set(err, 0, "needs a command (a JSON array or a command line)");
        inst->args = xcalloc(2, sizeof(char *));
        inst->args[0] = trimmed(rest);
        return 0;
}

/* ENV and LABEL: name=value words, or the old "ENV name value". */
static int name_values(struct rc_df_inst *inst, const char *rest, char esc, rc_error **err)
{
        cleanup_strv char **words = rc_df_split_words(rest, esc);

        inst->args = xcalloc(1, sizeof(char *));
        if (words[0] == NULL)
                return rc_error_set(err, 0, "needs at least one argument: name=value");
        if (strchr(words[0], '=') == NULL) {
                const char *p = skip_blanks(rest), *value;
                size_t klen = 0;
                while (p[klen] && !is_blank(p[klen]))
                        klen++;
                value = skip_blanks(p + klen);
                if (*value == '\0')
                        return rc_error_set(err, 0, "must have two arguments: name value (or name=value)");
                inst->args = xrealloc(inst->args, 3 * sizeof(char *));
                inst->args[0] = xstrndup(p, klen);
                inst->args[1] = trimmed(value);
                inst->args[2] = NULL;
                return 0;
        }
        for (size_t i = 0; words[i]; i++) {
                char *eq = strchr(words[i], '=');
                if (eq == NULL)
                        return rc_error_set(err, 0, "can't find = in \"%s\". Must be of the form: name=value",
                                            words[i]);
                if (eq == words[i])
                        return rc_error_set(err, 0, "\"%s\": the name is empty. Must be of the form: name=value",
                                            words[i]);
                *eq = '\0';
                strv_push(&inst->args, words[i]);
                strv_push(&inst->args, eq + 1);
        }
        return 0;
}

static bool valid_stage_name(const char *s)
{
        if (!(*s >= 'a' && *s <= 'z'))
                return false;
        for (; *s; s++)
                if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == '.'))
                        return false;
        return true;
}

static int parse_from(struct rc_df_inst *inst, const char *rest, rc_error **err)
{
        cleanup_strv char **w = rc_df_split_words(rest, '\0');
        size_t n = strv_len(w);

        if (!(n == 1 || (n == 3 && strcasecmp(w[1], "as") == 0)))
                return rc_error_set(err, 0, "requires either one or three arguments: FROM IMAGE [AS NAME]");
        inst->args = xcalloc(3, sizeof(char *));
        inst->args[0] = xstrdup(w[0]);
        if (n == 3) {
                for (char *c = w[2]; *c; c++)
                        *c = (char)tolower((unsigned char)*c);
                if (!valid_stage_name(w[2]))
                        return rc_error_set(err, 0,
                                            "invalid name for build stage: \"%s\", name can't start with a number "
                                            "or contain symbols",
                                            w[2]);
                inst->args[1] = xstrdup(w[2]);
        }
        return 0;
}

static int parse_healthcheck(struct rc_df_inst *inst, const char *rest, rc_error **err)
{
        const char *p = skip_blanks(rest);
        size_t n = 0;

        while (p[n] && !is_blank(p[n]))
                n++;
        if (n == 4 && strncasecmp(p, "NONE", 4) == 0) {
                if (*skip_blanks(p + 4))
                        return rc_error_set(err, 0, "HEALTHCHECK NONE takes no arguments");
                inst->args = xcalloc(2, sizeof(char *));
                inst->args[0] = xstrdup("NONE");
                return 0;
        }
        if (n != 3 || strncasecmp(p, "CMD", 3) != 0)
                return rc_error_set(err, 0, "unknown type \"%.*s\" in HEALTHCHECK (try CMD or NONE)", (int)n, p);
        if (maybe_json(inst, p + 3, err) < 0)
                return -1;
        /* "CMD" goes first */
        size_t len = strv_len(inst->args);
        inst->args = xrealloc(inst->args, (len + 2) * sizeof(char *));
        memmove(inst->args + 1, inst->args, (len + 1) * sizeof(char *));
        inst->args[0] = xstrdup("CMD");
        return 0;
}

static int parse_args(struct rc_df_inst *inst, const char *rest, char esc, rc_error **err);

static int parse_onbuild(struct rc_df_inst *inst, const char *rest, char esc, rc_error **err)
{
        struct rc_df_inst *sub = xcalloc(1, sizeof(*sub));

        inst->sub = sub;
        if (rc_df_parse_line(rest, esc, sub, err) < 0)
                return -1;
        if (sub->cmd == RC_DF_ONBUILD || sub->cmd == RC_DF_FROM || sub->cmd == RC_DF_MAINTAINER)
                return rc_error_set(err, 0, "%s isn't allowed as an ONBUILD trigger", rc_df_cmd_name(sub->cmd));
        inst->args = xcalloc(2, sizeof(char *));
        inst->args[0] = trimmed(rest);
        return 0;
}

/* The one argument of WORKDIR, USER, STOPSIGNAL, MAINTAINER. */
static int one_string(struct rc_df_inst *inst, const char *rest, rc_error **err)
{
        inst->args = xcalloc(2, sizeof(char *));
        inst->args[0] = trimmed(rest);
        if (inst->args[0][0] == '\0')
                return rc_error_set(err, 0, "requires exactly one argument");
        return 0;
}

static int parse_args(struct rc_df_inst *inst, const char *rest, char esc, rc_error **err)
{
        switch (inst->cmd) {
        case RC_DF_FROM:
                return parse_from(inst, rest, err);
        case RC_DF_RUN:
        case RC_DF_CMD:
        case RC_DF_ENTRYPOINT:
                return maybe_json(inst, rest, err);
        case RC_DF_SHELL:
                if (maybe_json(inst, rest, err) < 0)
                        return -1;
                if (!inst->json || inst->args[0] == NULL)
                        return rc_error_set(err, 0, "requires the arguments to be in JSON form: SHELL [\"executable\", "
                                                    "\"parameters\"]");
                return 0;
        case RC_DF_COPY:
        case RC_DF_ADD:
        case RC_DF_VOLUME:
                inst->args = parse_json_array(rest);
                inst->json = inst->args != NULL;
                if (!inst->json)
                        inst->args = rc_df_split_words(rest, esc);
                if (inst->cmd == RC_DF_VOLUME) {
                        if (inst->args[0] == NULL)
                                return rc_error_set(err, 0, "requires at least one argument");
                        for (size_t i = 0; inst->args[i]; i++)
                                if (inst->args[i][0] == '\0')
                                        return rc_error_set(err, 0, "a volume can not be an empty string");
                } else if (strv_len(inst->args) < 2) {
                        return rc_error_set(err, 0,
                                            "requires at least two arguments, but only %s provided: %s SOURCE... "
                                            "DESTINATION",
                                            inst->args[0] ? "one was" : "none were", commands[inst->cmd].name);
                }
                return 0;
        case RC_DF_ENV:
        case RC_DF_LABEL:
                return name_values(inst, rest, esc, err);
        case RC_DF_ARG:
                inst->args = rc_df_split_words(rest, esc);
                if (inst->args[0] == NULL)
                        return rc_error_set(err, 0, "requires at least one argument: ARG NAME[=DEFAULT]");
                for (size_t i = 0; inst->args[i]; i++)
                        if (inst->args[i][0] == '=')
                                return rc_error_set(err, 0, "\"%s\": the name is empty", inst->args[i]);
                return 0;
        case RC_DF_EXPOSE:
                inst->args = rc_df_split_words(rest, esc);
                if (inst->args[0] == NULL)
                        return rc_error_set(err, 0, "requires at least one argument: EXPOSE PORT[/PROTOCOL]...");
                return 0;
        case RC_DF_HEALTHCHECK:
                return parse_healthcheck(inst, rest, err);
        case RC_DF_ONBUILD:
                return parse_onbuild(inst, rest, esc, err);
        default:
                return one_string(inst, rest, err);
        }
}

int rc_df_parse_line(const char *line, char escape, struct rc_df_inst *out, rc_error **err)
{
        struct rc_df_inst inst = { 0 };
        cleanup_strv char **flag_words = NULL;
        /* the line without its surrounding blanks, as Docker parses it */
        cleanup_free char *text = trimmed(line);
        const char *p = text, *rest;
        size_t n = 0;
        size_t i;

        while (p[n] && !is_blank(p[n]))
                n++;
        for (i = 0; i < N_COMMANDS; i++)
                if (strlen(commands[i].name) == n && strncasecmp(commands[i].name, p, n) == 0)
                        break;
        if (i == N_COMMANDS) {
                if (n > 64)
                        return rc_error_set(err, 0, "unknown instruction: %.64s...", p);
                return rc_error_set(err, 0, "unknown instruction: %.*s", (int)n, p);
        }
        inst.cmd = (enum rc_df_cmd)i;
        inst.text = xstrdup(text);
        extract_flags(p + n, &flag_words, &rest);
        if (check_flags(&inst, flag_words, err) < 0 || parse_args(&inst, rest, escape, err) < 0) {
                rc_df_inst_free(&inst);
                return rc_error_wrap(err, "%s", commands[i].name);
        }
        *out = inst;
        return 0;
}

/* ---- heredocs ----------------------------------------------------------------- */

/* The heredocs an instruction line opens: words like <<EOF, <<-EOF,
 * <<"EOF", 3<<'EOF' (BuildKit's rule: a word of the line, digits, "<<",
 * an optional "-", then a delimiter without '<'). */
static int find_heredocs(struct rc_df_inst *inst, const char *line, char esc, bool *chomp, rc_error **err)
{
        cleanup_strv char **words = rc_df_split_words(line, esc);

        for (size_t i = 0; words[i]; i++) {
                const char *w = words[i] + strspn(words[i], "0123456789");
                struct bld_buf name = { 0 };
                bool quoted = false, strip;
                char quote = 0;

                if (strncmp(w, "<<", 2) != 0)
                        continue;
                w += 2;
                strip = *w == '-';
                w += strip;
                if (*w == '\0' || strchr(w, '<'))
                        continue;
                for (; *w; w++) {
                        if (quote && *w == quote) {
                                quote = 0;
                                continue;
                        }
                        if (!quote && (*w == '\'' || *w == '"')) {
                                quote = *w;
                                quoted = true;
                                continue;
                        }
                        if (*w == esc && quote != '\'' && w[1]) {
                                quoted = true;
                                w++;
                        }
                        bld_buf_addc(&name, *w);
                }
                if (name.p == NULL)
                        continue;
                if (inst->n_heredocs == RC_DF_MAX_HEREDOCS) {
                        free(name.p);
                        return rc_error_set(err, 0, "more than %d heredocs", RC_DF_MAX_HEREDOCS);
                }
                inst->heredocs = xrealloc(inst->heredocs, (inst->n_heredocs + 1) * sizeof(*inst->heredocs));
                inst->heredocs[inst->n_heredocs] = (struct rc_df_heredoc){ .name = name.p, .expand = !quoted };
                chomp[inst->n_heredocs] = strip;
                inst->n_heredocs++;
        }
        return 0;
}

/* ---- the file ----------------------------------------------------------------- */

struct reader {
        const char *data;
        size_t len, pos;
        unsigned lineno;
        char *line; /* the current line, NUL-terminated, without "\r\n" */
        size_t cap;
};

static bool next_line(struct reader *r)
{
        const char *start, *nl;
        size_t n;

        if (r->pos >= r->len)
                return false;
        start = r->data + r->pos;
        nl = memchr(start, '\n', r->len - r->pos);
        n = nl ? (size_t)(nl - start) : r->len - r->pos;
        r->pos += n + (nl != NULL);
        if (n > 0 && start[n - 1] == '\r')
                n--;
        if (n + 1 > r->cap) {
                r->cap = n + 1;
                r->line = xrealloc(r->line, r->cap);
        }
        memcpy(r->line, start, n);
        r->line[n] = '\0';
        r->lineno++;
        return true;
}

static bool is_comment(const char *line)
{
        return *skip_blanks(line) == '#';
}

/* "# escape=`" and friends at the top.  1: it was one; 0: not a
 * directive (directives end); -1: error. */
static int directive(const char *line, char *escape, bool *seen_escape, rc_error **err)
{
        const char *p = line, *key, *value;
        size_t klen, vlen;

        if (*p++ != '#')
                return 0;
        p += strspn(p, " \t");
        key = p;
        while (isalnum((unsigned char)*p))
                p++;
        klen = (size_t)(p - key);
        p += strspn(p, " \t");
        if (klen == 0 || *p != '=')
                return 0;
        p++;
        p += strspn(p, " \t");
        value = p;
        vlen = strlen(value);
        while (vlen > 0 && (value[vlen - 1] == ' ' || value[vlen - 1] == '\t'))
                vlen--;
        if (klen == 6 && strncasecmp(key, "escape", 6) == 0) {
                if (*seen_escape)
                        return rc_error_set(err, 0, "only one escape parser directive can be used");
                if (vlen != 1 || (value[0] != '\\' && value[0] != '`'))
                        return rc_error_set(err, 0, "invalid escape token '%.*s' does not match ` or \\", (int)vlen,
                                            value);
                *escape = value[0];
                *seen_escape = true;
                return 1;
        }
        /* accepted and ignored: rc is its own frontend and has no checks */
        if ((klen == 6 && strncasecmp(key, "syntax", 6) == 0) || (klen == 5 && strncasecmp(key, "check", 5) == 0))
                return 1;
        return 0;
}

/* The escape character and blanks that end a continued line: removed,
 * true.  Otherwise false. */
static bool trim_continuation(char *line, char esc)
{
        size_t n = strlen(line);

        while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t'))
                n--;
        if (n == 0 || line[n - 1] != esc)
                return false;
        line[n - 1] = '\0';
        return true;
}

static int read_heredocs(struct reader *r, struct rc_df_inst *inst, const bool *chomp, rc_error **err)
{
        for (size_t h = 0; h < inst->n_heredocs; h++) {
                struct rc_df_heredoc *doc = &inst->heredocs[h];
                struct bld_buf content = { 0 };
                bool done = false;

                bld_buf_add(&content, "", 0);
                while (!done && next_line(r)) {
                        const char *l = r->line;
                        if (chomp[h])
                                l += strspn(l, "\t");
                        if (strcmp(l, doc->name) == 0) {
                                done = true;
                                break;
                        }
                        bld_buf_add(&content, l, strlen(l));
                        bld_buf_addc(&content, '\n');
                }
                doc->content = bld_buf_steal(&content);
                if (!done)
                        return rc_error_set(err, 0, "unterminated heredoc: no line \"%s\" ends it", doc->name);
        }
        return 0;
}

/* One instruction starting at r->line (its first line).  1: there was
 * none after all (a lone continuation). */
static int read_instruction(struct reader *r, const char *path, char esc, struct rc_df_inst *inst, rc_error **err)
{
        struct bld_buf joined = { 0 };
        cleanup_free char *line = NULL;
        bool chomp[RC_DF_MAX_HEREDOCS];
        bool more;
        unsigned first = r->lineno;
        int ret;

        memset(inst, 0, sizeof(*inst));
        more = trim_continuation(r->line, esc);
        bld_buf_add(&joined, skip_blanks(r->line), strlen(skip_blanks(r->line)));
        while (more && next_line(r)) {
                /* comments and blank lines inside a continued instruction are skipped */
                if (is_comment(r->line) || *skip_blanks(r->line) == '\0')
                        continue;
                more = trim_continuation(r->line, esc);
                bld_buf_add(&joined, r->line, strlen(r->line));
        }
        line = bld_buf_steal(&joined);
        if (*skip_blanks(line) == '\0')
                return 1;
        ret = rc_df_parse_line(line, esc, inst, err);
        if (ret == 0 && (inst->cmd == RC_DF_RUN || inst->cmd == RC_DF_COPY || inst->cmd == RC_DF_ADD) &&
            strstr(line, "<<"))
                ret = find_heredocs(inst, line, esc, chomp, err);
        inst->line = first;
        inst->last_line = r->lineno;
        if (ret == 0 && inst->n_heredocs > 0)
                ret = read_heredocs(r, inst, chomp, err);
        if (ret < 0) {
                rc_df_inst_free(inst);
                return rc_error_wrap(err, "%s:%u", path, first);
        }
        return 0;
}

static int add_stages(struct rc_dockerfile *df, rc_error **err)
{
        size_t i = 0;

        while (i < df->n && df->insts[i].cmd == RC_DF_ARG)
                i++;
        df->n_global = i;
        if (df->n == 0)
                return rc_error_set(err, 0, "%s: the file has no instructions", df->path);
        if (i == df->n)
                return rc_error_set(err, 0, "%s: no FROM instruction: a Dockerfile starts with FROM (after optional ARGs)",
                                    df->path);
        if (df->insts[i].cmd != RC_DF_FROM)
                return rc_error_set(err, 0, "%s:%u: %s: no build stage in current context: only ARG may come before the "
                                    "first FROM",
                                    df->path, df->insts[i].line, rc_df_cmd_name(df->insts[i].cmd));
        for (; i < df->n; i++) {
                struct rc_df_inst *in = &df->insts[i];
                struct rc_df_stage *st;
                if (in->cmd != RC_DF_FROM) {
                        df->stages[df->n_stages - 1].n++;
                        continue;
                }
                if (in->args[1]) {
                        for (size_t k = 0; k < df->n_stages; k++)
                                if (df->stages[k].name && strcmp(df->stages[k].name, in->args[1]) == 0)
                                        return rc_error_set(err, 0, "%s:%u: FROM: duplicate stage name \"%s\"",
                                                            df->path, in->line, in->args[1]);
                }
                df->stages = xrealloc(df->stages, (df->n_stages + 1) * sizeof(*df->stages));
                st = &df->stages[df->n_stages];
                *st = (struct rc_df_stage){ .first = i, .n = 1, .base = in->args[0], .name = in->args[1],
                                            .index = df->n_stages };
                df->n_stages++;
        }
        return 0;
}

int rc_dockerfile_parse(const char *path, const char *data, size_t len, struct rc_dockerfile *out,
                        rc_error **err)
{
        struct rc_dockerfile df = { .path = xstrdup(path), .escape = '\\' };
        struct reader r = { .data = data, .len = len };
        bool directives = true, seen_escape = false;
        const char *nul;

        if (len > RC_DF_MAX_SIZE) {
                rc_error_set(err, EFBIG, "%s: larger than %u bytes", path, RC_DF_MAX_SIZE);
                goto fail;
        }
        nul = memchr(data, '\0', len);
        if (nul) {
                unsigned line = 1;
                for (const char *c = data; c < nul; c++)
                        line += *c == '\n';
                rc_error_set(err, 0, "%s:%u: a NUL byte: a Dockerfile is text", path, line);
                goto fail;
        }
        if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
                r.pos = 3;
        while (next_line(&r)) {
                const char *l = skip_blanks(r.line);
                struct rc_df_inst inst;
                if (directives) {
                        int d = directive(l, &df.escape, &seen_escape, err);
                        if (d < 0) {
                                rc_error_wrap(err, "%s:%u", path, r.lineno);
                                goto fail;
                        }
                        if (d > 0)
                                continue;
                        directives = false;
                }
                if (*l == '#' || *l == '\0')
                        continue;
                if (df.n == RC_DF_MAX_INSTRUCTIONS) {
                        rc_error_set(err, 0, "%s:%u: more than %d instructions", path, r.lineno,
                                     RC_DF_MAX_INSTRUCTIONS);
                        goto fail;
                }
                int k = read_instruction(&r, path, df.escape, &inst, err);
                if (k < 0)
                        goto fail;
                if (k > 0)
                        continue;
                df.insts = xrealloc(df.insts, (df.n + 1) * sizeof(*df.insts));
                df.insts[df.n++] = inst;
        }
        if (add_stages(&df, err) < 0)
                goto fail;
        free(r.line);
        *out = df;
        return 0;
fail:
        free(r.line);
        rc_dockerfile_free(&df);
        return -1;
}

const struct rc_df_stage *rc_df_find_stage(const struct rc_dockerfile *df, const char *name_or_index)
{
        char *end;
        unsigned long idx;

        for (size_t i = 0; i < df->n_stages; i++)
                if (df->stages[i].name && strcasecmp(df->stages[i].name, name_or_index) == 0)
                        return &df->stages[i];
        if (*name_or_index < '0' || *name_or_index > '9')
                return NULL;
        idx = strtoul(name_or_index, &end, 10);
        if (*end != '\0' || idx >= df->n_stages)
                return NULL;
        return &df->stages[idx];
}
