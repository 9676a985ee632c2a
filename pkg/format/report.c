/* podman's handling of --format for its commands (its "report" package):
 * json, templates, the table directive, headers and aligned columns. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "format/internal.h"
#include "util/xalloc.h"

static const char *skip_ws(const char *s)
{
        while (*s && isspace((unsigned char)*s))
                s++;
        return s;
}

bool rc_format_is_json(const char *f)
{
        const char *p;

        if (f == NULL)
                return false;
        p = skip_ws(f);
        if (strncmp(p, "json", 4) == 0) {
                p += 4;
        } else if (strncmp(p, "{{", 2) == 0) {
                p = skip_ws(p + 2);
                if (strncmp(p, "json", 4) != 0)
                        return false;
                p = skip_ws(p + 4);
                if (*p == '.')
                        p = skip_ws(p + 1);
                if (strncmp(p, "}}", 2) != 0)
                        return false;
                p += 2;
        } else {
                return false;
        }
        return *skip_ws(p) == '\0';
}

bool rc_format_is_table(const char *f)
{
        return f && strncmp(f, "table ", 6) == 0;
}

/* The end of the action starting at s (after "{{"): just past "}}",
 * skipping quoted strings; NULL if unclosed. */
static const char *action_end(const char *s)
{
        for (const char *p = s; *p; p++) {
                if (*p == '"' || *p == '\'' || *p == '`') {
                        char q = *p;
                        for (p++; *p && *p != q; p++)
                                if (*p == '\\' && q != '`' && p[1])
                                        p++;
                        if (!*p)
                                return NULL;
                        continue;
                }
                if (p[0] == '}' && p[1] == '}')
                        return p + 2;
        }
        return NULL;
}

/* podman's NormalizeFormat, applied to the text between actions: "\t" and
 * "\n" written as two characters become tab and newline; in a table
 * ("table " removed) a space separates columns too; a final newline. */
static char *normalize(const char *f)
{
        bool table = rc_format_is_table(f);
        struct sbuf b = { 0 };
        const char *p = table ? f + 6 : f;

        while (*p) {
                if (p[0] == '{' && p[1] == '{') {
                        const char *end = action_end(p + 2);
                        if (end == NULL) {
                                sb_puts(&b, p); /* the parser reports it */
                                break;
                        }
                        sb_putn(&b, p, (size_t)(end - p));
                        p = end;
                } else if (p[0] == '\\' && (p[1] == 't' || p[1] == 'n')) {
                        sb_putc(&b, p[1] == 't' ? '\t' : '\n');
                        p += 2;
                } else {
                        sb_putc(&b, table && *p == ' ' ? '\t' : *p);
                        p++;
                }
        }
        if (b.len == 0 || b.s[b.len - 1] != '\n')
                sb_putc(&b, '\n');
        return sb_steal(&b);
}

/* Does the template range over "." itself ({{range .}} ... {{end}})?
 * Then it gets the whole list, as podman's EnforceRange decides. */
static bool ranges_itself(const char *f)
{
        for (const char *p = strstr(f, "{{"); p; p = strstr(p + 2, "{{")) {
                const char *q = skip_ws(p + 2);
                if (*q == '-')
                        q = skip_ws(q + 1);
                if (strncmp(q, "range", 5) != 0 || !isspace((unsigned char)q[5]))
                        continue;
                q = skip_ws(q + 5);
                if (*q != '.')
                        continue;
                q = skip_ws(q + 1);
                if (strncmp(q, "}}", 2) == 0 && strstr(q, "{{") && strstr(q, "end"))
                        return true;
        }
        return false;
}

static int finish(FILE *out, char *text, size_t len, bool table)
{
        if (table) {
                char *aligned = rc_tabwriter_format(text, len, RC_TABLE_MINWIDTH, RC_TABLE_PADDING);
                fputs(aligned, out);
                free(aligned);
        } else {
                fwrite(text, 1, len, out);
        }
        return 0;
}

static int render(FILE *out, const char *format, json_object *data, bool list, const struct rc_template_opts *opts,
                  unsigned flags, rc_error **err)
{
        cleanup_template struct rc_template *t = NULL;
        cleanup_free char *text = normalize(format), *buf = NULL;
        bool table = rc_format_is_table(format);
        size_t len = 0;

        if (rc_template_parse(text, opts, &t, err) < 0)
                return -1;
        if (table && !(flags & RC_FORMAT_NOHEADING) && rc_template_execute(t, NULL, true, &buf, &len, err) < 0)
                return -1;
        if (list && (table || !ranges_itself(format))) {
                size_t n = json_object_is_type(data, json_type_array) ? json_object_array_length(data) : 0;
                for (size_t k = 0; k < n; k++)
                        if (rc_template_execute(t, json_object_array_get_idx(data, k), false, &buf, &len, err) < 0)
                                return -1;
        } else if (rc_template_execute(t, data, false, &buf, &len, err) < 0) {
                return -1;
        }
        return finish(out, buf ? buf : "", len, table);
}

int rc_format_list(FILE *out, const char *format, struct json_object *rows, const struct rc_template_opts *opts,
                   unsigned flags, rc_error **err)
{
        return render(out, format, rows, true, opts, flags, err);
}

int rc_format_object(FILE *out, const char *format, struct json_object *obj, const struct rc_template_opts *opts,
                     unsigned flags, rc_error **err)
{
        return render(out, format, obj, false, opts, flags, err);
}
