/* systemd unit file syntax: parsing, and quoting and splitting of Exec
 * lines. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "units/units.h"
#include "util/xalloc.h"

char *rc_unit_quote(const char *arg)
{
        size_t n = strlen(arg), used = 0, cap = 2 * n + 3;
        bool bare = n > 0;
        char *out;

        for (const char *p = arg; *p && bare; p++)
                bare = isalnum((unsigned char)*p) || strchr("_./:=,+@-", *p);
        /* the prefixes systemd reads (-, @, :, +, !) matter only before the
         * program itself, which is always an absolute path here */
        if (bare)
                return xstrdup(arg);
        out = xmalloc(cap + 1);
        out[used++] = '"';
        for (const char *p = arg; *p; p++) {
                switch (*p) {
                case '"':
                case '\\':
                        out[used++] = '\\';
                        out[used++] = *p;
                        break;
                case '\n':
                        out[used++] = '\\';
                        out[used++] = 'n';
                        break;
                case '\t':
                        out[used++] = '\\';
                        out[used++] = 't';
                        break;
                case '%':
                case '$':
                        /* systemd would expand specifiers and variables */
                        out[used++] = *p;
                        out[used++] = *p;
                        break;
                default:
                        out[used++] = *p;
                }
        }
        out[used++] = '"';
        out[used] = '\0';
        return out;
}

int rc_unit_split(const char *value, char ***out, rc_error **err)
{
        cleanup_strv char **words = xcalloc(1, sizeof(char *));
        cleanup_free char *word = xmalloc(strlen(value) + 1);
        const char *p = value;

        for (;;) {
                size_t n = 0;
                bool any = false;

                while (*p == ' ' || *p == '\t' || *p == '\n')
                        p++;
                if (*p == '\0')
                        break;
                while (*p && *p != ' ' && *p != '\t' && *p != '\n') {
                        char q = *p;
                        any = true;
                        if (q == '"' || q == '\'') {
                                p++;
                                while (*p && *p != q) {
                                        if (q == '"' && *p == '\\' && p[1]) {
                                                p++;
                                                word[n++] = *p == 'n' ? '\n' : *p == 't' ? '\t' : *p;
                                        } else {
                                                word[n++] = *p;
                                        }
                                        p++;
                                }
                                if (*p != q)
                                        return rc_error_set(err, EINVAL, "unterminated %c quote in: %s", q, value);
                                p++;
                        } else if (q == '\\' && p[1]) {
                                p++;
                                word[n++] = *p == 'n' ? '\n' : *p == 't' ? '\t' : *p;
                                p++;
                        } else {
                                word[n++] = *p++;
                        }
                }
                if (any) {
                        word[n] = '\0';
                        strv_push(&words, word);
                }
        }
        *out = steal_pointer(&words);
        return 0;
}

static char *trim(char *s)
{
        char *end;

        while (*s == ' ' || *s == '\t')
                s++;
        end = s + strlen(s);
        while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
                *--end = '\0';
        return s;
}

void rc_unit_file_free(struct rc_unit_file *f)
{
        for (size_t i = 0; i < f->n; i++) {
                free(f->entries[i].section);
                free(f->entries[i].key);
                free(f->entries[i].value);
        }
        free(f->entries);
        memset(f, 0, sizeof(*f));
}

int rc_unit_parse(const char *path, const char *text, struct rc_unit_file *out, rc_error **err)
{
        struct rc_unit_file f = { 0 };
        cleanup_free char *copy = xstrdup(text);
        cleanup_free char *section = NULL;
        char *line = copy, *next;
        unsigned lineno = 0;

        for (; line; line = next) {
                char *eq, *key, *value;
                unsigned first = ++lineno;
                cleanup_free char *joined = NULL;

                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                line = trim(line);
                if (*line == '\0' || *line == '#' || *line == ';')
                        continue;
                /* a backslash at the end continues the line (a comment line
                 * inside a continuation is skipped, as systemd does) */
                joined = xstrdup(line);
                while (joined[0] && joined[strlen(joined) - 1] == '\\' && next) {
                        char *more = next;
                        joined[strlen(joined) - 1] = ' ';
                        next = strchr(more, '\n');
                        if (next)
                                *next++ = '\0';
                        lineno++;
                        more = trim(more);
                        if (*more == '#' || *more == ';')
                                continue;
                        char *j = xasprintf("%s%s", joined, more);
                        free(joined);
                        joined = j;
                }
                if (joined[0] == '[') {
                        char *end = strchr(joined, ']');
                        if (end == NULL || end[1] != '\0' || end == joined + 1) {
                                rc_unit_file_free(&f);
                                return rc_error_code(err, EINVAL, "%s:%u: a section header is [Name]", path, first);
                        }
                        free(section);
                        section = xstrndup(joined + 1, (size_t)(end - joined - 1));
                        continue;
                }
                eq = strchr(joined, '=');
                if (eq == NULL) {
                        rc_unit_file_free(&f);
                        return rc_error_code(err, EINVAL, "%s:%u: expected Key=Value, not \"%s\"", path, first,
                                             joined);
                }
                if (section == NULL) {
                        rc_unit_file_free(&f);
                        return rc_error_code(err, EINVAL, "%s:%u: %.*s is outside any [Section]", path, first,
                                             (int)(eq - joined), joined);
                }
                *eq = '\0';
                key = trim(joined);
                value = trim(eq + 1);
                if (*key == '\0') {
                        rc_unit_file_free(&f);
                        return rc_error_code(err, EINVAL, "%s:%u: a key is missing before '='", path, first);
                }
                f.entries = xrealloc(f.entries, (f.n + 1) * sizeof(*f.entries));
                f.entries[f.n++] = (struct rc_unit_entry){ .section = xstrdup(section), .key = xstrdup(key),
                                                           .value = xstrdup(value), .line = first };
        }
        *out = f;
        return 0;
}
