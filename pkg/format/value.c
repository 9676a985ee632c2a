/* Values during execution and how Go prints them; the string buffer. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/internal.h"
#include "util/xalloc.h"

void sb_putn(struct sbuf *b, const char *s, size_t n)
{
        if (b->len + n + 1 > b->cap) {
                size_t cap = b->cap ? b->cap : 64;
                while (cap < b->len + n + 1)
                        cap *= 2;
                b->s = xrealloc(b->s, cap);
                b->cap = cap;
        }
        memcpy(b->s + b->len, s, n);
        b->len += n;
        b->s[b->len] = '\0';
}

void sb_puts(struct sbuf *b, const char *s)
{
        sb_putn(b, s, strlen(s));
}

void sb_putc(struct sbuf *b, char c)
{
        sb_putn(b, &c, 1);
}

void sb_printf(struct sbuf *b, const char *fmt, ...)
{
        char small[128];
        va_list ap;
        int n;

        va_start(ap, fmt);
        n = vsnprintf(small, sizeof(small), fmt, ap);
        va_end(ap);
        if (n < 0)
                return;
        if ((size_t)n < sizeof(small)) {
                sb_putn(b, small, (size_t)n);
                return;
        }
        char *big = xmalloc((size_t)n + 1);
        va_start(ap, fmt);
        vsnprintf(big, (size_t)n + 1, fmt, ap);
        va_end(ap);
        sb_putn(b, big, (size_t)n);
        free(big);
}

char *sb_steal(struct sbuf *b)
{
        char *s = b->s ? b->s : xstrdup("");

        b->s = NULL;
        b->len = b->cap = 0;
        return s;
}

size_t utf8_count(const char *s, size_t n)
{
        size_t count = 0;

        for (size_t i = 0; i < n; i++)
                count += ((unsigned char)s[i] & 0xC0) != 0x80;
        return count;
}

struct val val_json(json_object *j)
{
        return (struct val){ .kind = V_JSON, .j = json_object_get(j) };
}

struct val val_take(json_object *j)
{
        return (struct val){ .kind = V_JSON, .j = j };
}

struct val val_novalue(void)
{
        return (struct val){ .kind = V_NOVALUE };
}

struct val val_copy(const struct val *v)
{
        struct val c = *v;

        json_object_get(c.j);
        return c;
}

void val_free(struct val *v)
{
        json_object_put(v->j);
        v->j = NULL;
}

struct val val_string(const char *s)
{
        return val_take(json_object_new_string(s));
}

struct val val_stringn(const char *s, size_t n)
{
        return val_take(json_object_new_string_len(s, (int)n));
}

bool val_is_string(const struct val *v)
{
        return v->kind == V_JSON && json_object_is_type(v->j, json_type_string);
}

/* Go's truth: false, 0, nil and empty things are false. */
bool val_truth(const struct val *v)
{
        if (v->kind == V_HEADER)
                return true;
        if (v->kind == V_NOVALUE || v->j == NULL)
                return false;
        switch (json_object_get_type(v->j)) {
        case json_type_boolean:
                return json_object_get_boolean(v->j);
        case json_type_int:
                return json_object_get_int64(v->j) != 0;
        case json_type_double:
                return json_object_get_double(v->j) != 0;
        case json_type_string:
                return json_object_get_string_len(v->j) > 0;
        case json_type_array:
                return json_object_array_length(v->j) > 0;
        case json_type_object:
                return json_object_object_length(v->j) > 0;
        default:
                return false;
        }
}

const char *val_type(const struct val *v)
{
        if (v->kind != V_JSON || v->j == NULL)
                return "<nil>";
        switch (json_object_get_type(v->j)) {
        case json_type_boolean:
                return "bool";
        case json_type_int:
                return "int";
        case json_type_double:
                return "float64";
        case json_type_string:
                return "string";
        case json_type_array:
                return "[]interface {}";
        case json_type_object:
                return "map[string]interface {}";
        default:
                return "<nil>";
        }
}

/* Go's %v for float64 (strconv's 'g' with the shortest precision): the
 * fewest digits that read back the same, in %e form when the decimal
 * exponent is < -4 or >= 6 (1e+06, 123456). */
void go_float(struct sbuf *b, double d)
{
        char buf[64];
        int prec, exp10;
        char *e;

        if (isnan(d)) {
                sb_puts(b, "NaN");
                return;
        }
        if (isinf(d)) {
                sb_puts(b, d > 0 ? "+Inf" : "-Inf");
                return;
        }
        for (prec = 1; prec <= 17; prec++) {
                snprintf(buf, sizeof(buf), "%.*e", prec - 1, d);
                if (strtod(buf, NULL) == d)
                        break;
        }
        e = strchr(buf, 'e');
        exp10 = e ? atoi(e + 1) : 0;
        if (exp10 < -4 || exp10 >= 6) {
                /* Go writes at least two exponent digits, as C does */
                sb_puts(b, buf);
                return;
        }
        snprintf(buf, sizeof(buf), "%.*f", prec - 1 - exp10 > 0 ? prec - 1 - exp10 : 0, d);
        sb_puts(b, buf);
}

void go_quote(struct sbuf *b, const char *s, size_t n)
{
        static const char hex[] = "0123456789abcdef";

        sb_putc(b, '"');
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char)s[i];
                switch (c) {
                case '"': sb_puts(b, "\\\""); continue;
                case '\\': sb_puts(b, "\\\\"); continue;
                case '\a': sb_puts(b, "\\a"); continue;
                case '\b': sb_puts(b, "\\b"); continue;
                case '\f': sb_puts(b, "\\f"); continue;
                case '\n': sb_puts(b, "\\n"); continue;
                case '\r': sb_puts(b, "\\r"); continue;
                case '\t': sb_puts(b, "\\t"); continue;
                case '\v': sb_puts(b, "\\v"); continue;
                default:
                        break;
                }
                if (c < 0x20 || c == 0x7f) {
                        sb_puts(b, "\\x");
                        sb_putc(b, hex[c >> 4]);
                        sb_putc(b, hex[c & 15]);
                } else {
                        sb_putc(b, (char)c); /* UTF-8 passes through, as printable runes do in Go */
                }
        }
        sb_putc(b, '"');
}

static int cmp_keys(const void *a, const void *b)
{
        return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void print_json(struct sbuf *b, json_object *j, bool is_map, int depth)
{
        if (depth > 64) {
                sb_puts(b, "...");
                return;
        }
        if (j == NULL) {
                sb_puts(b, "<nil>");
                return;
        }
        switch (json_object_get_type(j)) {
        case json_type_boolean:
                sb_puts(b, json_object_get_boolean(j) ? "true" : "false");
                return;
        case json_type_int:
                sb_printf(b, "%lld", (long long)json_object_get_int64(j));
                return;
        case json_type_double:
                go_float(b, json_object_get_double(j));
                return;
        case json_type_string:
                sb_putn(b, json_object_get_string(j), (size_t)json_object_get_string_len(j));
                return;
        case json_type_array:
                sb_putc(b, '[');
                for (size_t i = 0; i < json_object_array_length(j); i++) {
                        if (i)
                                sb_putc(b, ' ');
                        print_json(b, json_object_array_get_idx(j, i), false, depth + 1);
                }
                sb_putc(b, ']');
                return;
        case json_type_object: {
                size_t n = (size_t)json_object_object_length(j), k = 0;
                const char **keys = xcalloc(n + 1, sizeof(char *));
                json_object_object_foreach(j, key, val)
                {
                        (void)val;
                        keys[k++] = key;
                }
                if (is_map) /* Go prints maps sorted by key, structs in field order */
                        qsort(keys, k, sizeof(char *), cmp_keys);
                sb_puts(b, is_map ? "map[" : "{");
                for (size_t i = 0; i < k; i++) {
                        if (i)
                                sb_putc(b, ' ');
                        if (is_map) {
                                sb_puts(b, keys[i]);
                                sb_putc(b, ':');
                        }
                        print_json(b, json_object_object_get(j, keys[i]), false, depth + 1);
                }
                sb_putc(b, is_map ? ']' : '}');
                free(keys);
                return;
        }
        default:
                sb_puts(b, "<nil>");
        }
}

void val_print(struct sbuf *b, const struct val *v)
{
        if (v->kind == V_NOVALUE)
                sb_puts(b, "<no value>");
        else if (v->kind == V_HEADER)
                return;
        else
                print_json(b, v->j, v->is_map, 0);
}
