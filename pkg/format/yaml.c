/* JSON values as block YAML, for `rc info`'s default output (podman prints
 * its info report that way, and scripts grep it). */
#include <ctype.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/format.h"
#include "util/xalloc.h"

struct out {
        char *buf;
        size_t len;
        FILE *f;
};

/* Would a plain scalar read as something else (a number, a bool, null,
 * a comment, a mapping) or lose its blanks? */
static bool needs_quotes(const char *s)
{
        static const char *const words[] = { "true", "false", "yes", "no", "on", "off", "null", "~", "y", "n" };
        char *end;

        if (*s == '\0' || isspace((unsigned char)s[0]) || isspace((unsigned char)s[strlen(s) - 1]))
                return true;
        /* YAML's indicators; "-x" is a plain scalar, "-" and "- x" are not */
        if (strchr("?:,[]{}#&*!|>'\"%@`", s[0]) || (s[0] == '-' && (s[1] == '\0' || s[1] == ' ')))
                return true;
        for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
                if (strcasecmp(s, words[i]) == 0)
                        return true;
        (void)strtod(s, &end);
        if (*end == '\0')
                return true;
        for (const char *p = s; *p; p++) {
                if ((unsigned char)*p < 0x20 || *p == 0x7f)
                        return true;
                if ((*p == ':' && (p[1] == ' ' || p[1] == '\0')) || (*p == '#' && p > s && p[-1] == ' '))
                        return true;
        }
        return false;
}

static void scalar(struct out *o, json_object *v)
{
        const char *s;

        switch (json_object_get_type(v)) {
        case json_type_null:
                fputs("null", o->f);
                return;
        case json_type_boolean:
                fputs(json_object_get_boolean(v) ? "true" : "false", o->f);
                return;
        case json_type_int:
        case json_type_double:
                fputs(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN), o->f);
                return;
        default:
                break;
        }
        s = json_object_get_string(v);
        if (!needs_quotes(s)) {
                fputs(s, o->f);
                return;
        }
        /* a JSON string is a valid double-quoted YAML scalar */
        fputs(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE), o->f);
}

static bool is_block(json_object *v)
{
        json_type t = json_object_get_type(v);
        return (t == json_type_object && json_object_object_length(v) > 0) ||
               (t == json_type_array && json_object_array_length(v) > 0);
}

static void value(struct out *o, json_object *v, int indent, bool in_sequence);

static void empty_or_scalar(struct out *o, json_object *v)
{
        if (json_object_is_type(v, json_type_object))
                fputs("{}", o->f);
        else if (json_object_is_type(v, json_type_array))
                fputs("[]", o->f);
        else
                scalar(o, v);
}

/* A mapping's entries at indent; with first_inline, the first entry
 * follows a "- " already written. */
static void mapping(struct out *o, json_object *m, int indent, bool first_inline)
{
        bool first = true;

        json_object_object_foreach(m, key, v) {
                if (!(first && first_inline))
                        fprintf(o->f, "%*s", indent, "");
                first = false;
                fprintf(o->f, "%s:", key);
                if (is_block(v)) {
                        fputc('\n', o->f);
                        /* sequences sit at their key's indentation, mappings one level in */
                        value(o, v, json_object_is_type(v, json_type_array) ? indent : indent + 2, false);
                } else {
                        fputc(' ', o->f);
                        empty_or_scalar(o, v);
                        fputc('\n', o->f);
                }
        }
}

static void value(struct out *o, json_object *v, int indent, bool in_sequence)
{
        if (json_object_is_type(v, json_type_object)) {
                mapping(o, v, indent, in_sequence);
                return;
        }
        for (size_t i = 0, n = json_object_array_length(v); i < n; i++) {
                json_object *e = json_object_array_get_idx(v, i);
                fprintf(o->f, "%*s- ", indent, "");
                if (json_object_is_type(e, json_type_object) && json_object_object_length(e) > 0) {
                        mapping(o, e, indent + 2, true);
                } else if (is_block(e)) {
                        fputc('\n', o->f);
                        value(o, e, indent + 2, false);
                } else {
                        empty_or_scalar(o, e);
                        fputc('\n', o->f);
                }
        }
}

char *rc_format_yaml(json_object *obj)
{
        struct out o = { 0 };

        o.f = open_memstream(&o.buf, &o.len);
        if (o.f == NULL)
                abort();
        if (is_block(obj))
                value(&o, obj, 0, false);
        else {
                empty_or_scalar(&o, obj);
                fputc('\n', o.f);
        }
        fclose(o.f);
        return o.buf;
}
