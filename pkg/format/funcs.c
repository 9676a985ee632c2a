/* The functions templates may call: Go's built-ins (index, len, print,
 * printf, println, eq, ne, lt, le, gt, ge, not; and/or live in exec.c)
 * and podman's additions (json, join, split, upper, lower, title,
 * truncate, pad). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "format/exec.h"
#include "util/xalloc.h"

static int want_args(const char *name, size_t n, size_t min, size_t max, rc_error **err)
{
        if (n < min || n > max)
                return rc_error_set(err, 0, "wrong number of args for %s: want %zu got %zu", name, n < min ? min : max,
                                    n);
        return 0;
}

/* The value as text (Go's %v), for functions that take strings. */
static char *text_of(const struct val *v, size_t *len)
{
        struct sbuf b = { 0 };

        if (val_is_string(v)) {
                /* strings may hold NUL bytes: copy by length */
                *len = (size_t)json_object_get_string_len(v->j);
                char *s = xmalloc(*len + 1);
                memcpy(s, json_object_get_string(v->j), *len);
                s[*len] = '\0';
                return s;
        }
        val_print(&b, v);
        *len = b.len;
        return sb_steal(&b);
}

static bool as_int(const struct val *v, int64_t *out)
{
        if (v->kind != V_JSON || v->j == NULL)
                return false;
        if (json_object_is_type(v->j, json_type_int)) {
                *out = json_object_get_int64(v->j);
                return true;
        }
        if (json_object_is_type(v->j, json_type_double)) {
                double d = json_object_get_double(v->j);
                /* only integral values in int64's range convert */
                if (!(d >= -9.2e18 && d <= 9.2e18) || d != (double)(int64_t)d)
                        return false;
                *out = (int64_t)d;
                return true;
        }
        return false;
}

static int fn_json(struct exec *x, struct val *a, size_t n, struct val *out, rc_error **err)
{
        (void)x;
        if (want_args("json", n, 1, 1, err) < 0)
                return -1;
        if (a[0].kind == V_HEADER) {
                *out = val_string("");
                return 0;
        }
        /* compact, no HTML escaping, as podman's json function */
        *out = val_string(a[0].kind == V_NOVALUE || a[0].j == NULL
                                  ? "null"
                                  : json_object_to_json_string_ext(a[0].j, JSON_C_TO_STRING_PLAIN |
                                                                                   JSON_C_TO_STRING_NOSLASHESCAPE));
        return 0;
}

static int fn_len(struct exec *x, struct val *a, size_t n, struct val *out, rc_error **err)
{
        int64_t len;

        (void)x;
        if (want_args("len", n, 1, 1, err) < 0)
                return -1;
        if (a[0].kind != V_JSON || a[0].j == NULL)
                return rc_error_set(err, 0, "len of nil pointer");
        switch (json_object_get_type(a[0].j)) {
        case json_type_string:
                len = json_object_get_string_len(a[0].j);
                break;
        case json_type_array:
                len = (int64_t)json_object_array_length(a[0].j);
                break;
        case json_type_object:
                len = json_object_object_length(a[0].j);
                break;
        default:
                return rc_error_set(err, 0, "len of type %s", val_type(&a[0]));
        }
        *out = val_take(json_object_new_int64(len));
        return 0;
}

/* A typed Go map of strings yields "" for a missing key; others nothing. */
static bool all_strings(json_object *o)
{
        json_object_object_foreach(o, k, v)
        {
                (void)k;
                if (!json_object_is_type(v, json_type_string))
                        return false;
        }
        return true;
}

static int fn_index(struct exec *x, struct val *a, size_t n, struct val *out, rc_error **err)
{
        struct val cur;

        (void)x;
        if (n < 1)
                return want_args("index", n, 1, 1, err);
        cur = val_copy(&a[0]);
        for (size_t k = 1; k < n; k++) {
                struct val next;
                int64_t i;
                if (cur.kind == V_HEADER) {
                        continue;
                } else if (cur.kind != V_JSON || cur.j == NULL) {
                        next = val_novalue();
                } else if (json_object_is_type(cur.j, json_type_array)) {
                        if (!as_int(&a[k], &i)) {
                                val_free(&cur);
                                return rc_error_set(err, 0, "cannot index slice/array with type %s", val_type(&a[k]));
                        }
                        if (i < 0 || (size_t)i >= json_object_array_length(cur.j)) {
                                val_free(&cur);
                                return rc_error_set(err, 0, "index out of range: %lld", (long long)i);
                        }
                        next = val_json(json_object_array_get_idx(cur.j, (size_t)i));
                } else if (json_object_is_type(cur.j, json_type_object)) {
                        json_object *v = NULL;
                        if (!val_is_string(&a[k])) {
                                val_free(&cur);
                                return rc_error_set(err, 0, "value has type %s; should be string", val_type(&a[k]));
                        }
                        if (json_object_object_get_ex(cur.j, json_object_get_string(a[k].j), &v))
                                next = val_json(v);
                        else
                                next = all_strings(cur.j) ? val_string("") : val_novalue();
                } else {
                        val_free(&cur);
                        return rc_error_set(err, 0, "can't index item of type %s", val_type(&cur));
                }
                val_free(&cur);
                cur = next;
        }
        *out = cur;
        return 0;
}

static int fn_join(struct exec *x, struct val *a, size_t n, struct val *out, rc_error **err)
{
        struct sbuf b = { 0 };
        size_t sep_len;
        cleanup_free char *sep = NULL;

        (void)x;
        if (want_args("join", n, 2, 2, err) < 0)
                return -1;
        sep = text_of(&a[1], &sep_len);
        if (a[0].kind == V_JSON && a[0].j && json_object_is_type(a[0].j, json_type_array)) {
                for (size_t k = 0; k < json_object_array_length(a[0].j); k++) {
                        struct val e = val_json(json_object_array_get_idx(a[0].j, k));
                        if (k)
                                sb_putn(&b, sep, sep_len);
                        val_print(&b, &e);
                        val_free(&e);
                }
        } else if (val_is_string(&a[0]) || a[0].kind == V_HEADER) {
                val_print(&b, &a[0]);
        } else if (a[0].kind == V_JSON && a[0].j != NULL) {
                return rc_error_set(err, 0, "wrong type for value; expected []string; got %s", val_type(&a[0]));
        }
        *out = val_stringn(b.s ? b.s : "", b.len);
        free(b.s);
        return 0;
}

static int fn_split(struct exec *x, struct val *a, size_t n, struct val *out, rc_error **err)
{
        size_t len, sep_len;
        cleanup_free char *s = NULL, *sep = NULL;
        json_object *arr;

        (void)x;
        if (want_args("split", n, 2, 2, err) < 0)
                return -1;
        s = text_of(&a[0], &len);
        sep = text_of(&a[1], &sep_len);
        arr = json_object_new_array();
        if (sep_len == 0) {
                /* Go splits into UTF-8 sequences */
                for (size_t i = 0; i < len;) {
                        size_t j = i + 1;
                        while (j < len && ((unsigned char)s[j] & 0xC0) == 0x80)
                                j++;
                        json_object_array_add(arr, json_object_new_string_len(s + i, (int)(j - i)));
                        i = j;
                }
        } else {
                const char *p = s, *end = s + len, *hit;
                while ((hit = memmem(p, (size_t)(end - p), sep, sep_len)) != NULL) {
                        json_object_array_add(arr, json_object_new_string_len(p, (int)(hit - p)));
                        p = hit + sep_len;
                }
                json_object_array_add(arr, json_object_new_string_len(p, (int)(end - p)));
        }
        *out = val_take(arr);
        return 0;
}

static int map_case(struct val *a, size_t n, struct val *out, const char *name, int mode, rc_error **err)
{
        size_t len;
        char *s;
        bool start = true;

        if (want_args(name, n, 1, 1, err) < 0)
                return -1;
        s = text_of(&a[0], &len);
        for (size_t k = 0; k < len; k++) {
                unsigned char c = (unsigned char)s[k];
                if (c >= 0x80) {
                        start = false; /* ASCII case only: UTF-8 bytes pass through */
                        continue;
                }
                if (mode == 0)
                        s[k] = (char)toupper(c);
                else if (mode == 1)
                        s[k] = (char)tolower(c);
                else if (start && isalpha(c))
                        s[k] = (char)toupper(c);
                start = !isalnum(c) && c != '_' && c != '\'';
        }
        *out = val_stringn(s, len);
        free(s);
        return 0;
}

static int fn_upper(struct exec *x, struct val *a, size_t n, struct val *out, rc_error **err)
{
        (void)x;
        return map_case(a, n, out, "upper", 0, err);
}

static int fn_lower(struct exec *x, struct val *a, size_t n, struct val *out, rc_error **err)
{
        (void)x;
        return map_case(a, n, out, "lower", 1, err);
}

static int fn_title(struct exec *x, struct val *a, size_t n, struct val *out, rc_error **err)
{
        (void)x;
        return map_case(a, n, out, "title", 2, err);
}

static int fn_truncate(struct exec *x, struct val *a, size_t n, struct val *out, rc_error **err)
{
        int64_t max;
        size_t len;
        cleanup_free char *s = NULL;

        (void)x;
        if (want_args("truncate", n, 2, 2, err) < 0)
                return -1;
        if (!as_int(&a[1], &max))
                return rc_error_set(err, 0, "truncate: the length must be an integer");
        s = text_of(&a[0], &len);
        if (max >= 0 && (size_t)max < len)
                len = (size_t)max; /* bytes, as podman's truncate */
        *out = val_stringn(s, len);
        return 0;
}

static int fn_pad(struct exec *x, struct val *a, size_t n, struct val *out, rc_error **err)
{
        int64_t pre, post;
        size_t len;
        cleanup_free char *s = NULL;
        struct sbuf b = { 0 };

        (void)x;
        if (want_args("pad", n, 3, 3, err) < 0)
                return -1;
        if (!as_int(&a[1], &pre) || !as_int(&a[2], &post) || pre < 0 || post < 0 || pre > TPL_MAX_WIDTH ||
            post > TPL_MAX_WIDTH)
                return rc_error_set(err, 0, "pad: the counts must be integers from 0 to %d", TPL_MAX_WIDTH);
        s = text_of(&a[0], &len);
        if (len > 0) {
                for (int64_t k = 0; k < pre; k++)
                        sb_putc(&b, ' ');
                sb_putn(&b, s, len);
                for (int64_t k = 0; k < post; k++)
                        sb_putc(&b, ' ');
        }
        *out = val_stringn(b.s ? b.s : "", b.len);
        free(b.s);
        return 0;
}

static int fn_printf(struct exec *x, struct val *a, size_t n, struct val *out, rc_error **err)
{
        struct sbuf b = { 0 };
        size_t len;
        cleanup_free char *fmt = NULL;

        (void)x;
        if (n < 1)
                return want_args("printf", n, 1, 1, err);
        fmt = text_of(&a[0], &len);
        go_sprintf(&b, fmt, len, a + 1, n - 1);
        *out = val_stringn(b.s ? b.s : "", b.len);
        free(b.s);
        return 0;
}

static int fn_print(struct exec *x, struct val *a, size_t n, struct val *out, rc_error **err)
{
        struct sbuf b = { 0 };

        (void)x;
        (void)err;
        go_sprint(&b, a, n, false);
        *out = val_stringn(b.s ? b.s : "", b.len);
        free(b.s);
        return 0;
}

static int fn_println(struct exec *x, struct val *a, size_t n, struct val *out, rc_error **err)
{
        struct sbuf b = { 0 };

        (void)x;
        (void)err;
        go_sprint(&b, a, n, true);
        *out = val_stringn(b.s ? b.s : "", b.len);
        free(b.s);
        return 0;
}

static int fn_not(struct exec *x, struct val *a, size_t n, struct val *out, rc_error **err)
{
        (void)x;
        if (want_args("not", n, 1, 1, err) < 0)
                return -1;
        *out = val_take(json_object_new_boolean(!val_truth(&a[0])));
        return 0;
}

/* Go's comparisons: basic kinds only; integers and floats compare as
 * numbers.  *c gets <0, 0 or >0. */
static int compare(const struct val *l, const struct val *r, bool order, int *c, rc_error **err)
{
        json_type lt = l->kind == V_JSON && l->j ? json_object_get_type(l->j) : json_type_null;
        json_type rt = r->kind == V_JSON && r->j ? json_object_get_type(r->j) : json_type_null;
        bool lnum = lt == json_type_int || lt == json_type_double, rnum = rt == json_type_int || rt == json_type_double;

        if (l->kind == V_HEADER || r->kind == V_HEADER) {
                *c = 1;
                return 0;
        }
        if (lnum && rnum) {
                if (lt == json_type_int && rt == json_type_int) {
                        int64_t a = json_object_get_int64(l->j), b = json_object_get_int64(r->j);
                        *c = a < b ? -1 : a > b;
                } else {
                        double a = json_object_get_double(l->j), b = json_object_get_double(r->j);
                        *c = a < b ? -1 : a > b;
                }
                return 0;
        }
        if (lt != rt)
                return rc_error_set(err, 0, "incompatible types for comparison");
        switch (lt) {
        case json_type_string:
                *c = strcmp(json_object_get_string(l->j), json_object_get_string(r->j));
                return 0;
        case json_type_boolean:
                if (order)
                        return rc_error_set(err, 0, "invalid type for comparison");
                *c = json_object_get_boolean(l->j) != json_object_get_boolean(r->j);
                return 0;
        case json_type_null:
                if (order)
                        return rc_error_set(err, 0, "invalid type for comparison");
                *c = 0;
                return 0;
        default:
                return rc_error_set(err, 0, order ? "invalid type for comparison" : "non-comparable type %s",
                                    val_type(l));
        }
}

static int fn_eq(struct exec *x, struct val *a, size_t n, struct val *out, rc_error **err)
{
        bool eq = false;

        (void)x;
        if (n < 2)
                return rc_error_set(err, 0, "missing argument for comparison");
        for (size_t k = 1; k < n && !eq; k++) {
                int c;
                if (compare(&a[0], &a[k], false, &c, err) < 0)
                        return -1;
                eq = c == 0;
        }
        *out = val_take(json_object_new_boolean(eq));
        return 0;
}

static int ordered(struct val *a, size_t n, struct val *out, int want, bool or_equal, bool negate, rc_error **err)
{
        int c;

        if (n != 2)
                return rc_error_set(err, 0, "wrong number of args: want 2 got %zu", n);
        if (compare(&a[0], &a[1], want != 0, &c, err) < 0)
                return -1;
        bool r = (want < 0 && c < 0) || (want > 0 && c > 0) || (or_equal && c == 0) || (want == 0 && c == 0);
        *out = val_take(json_object_new_boolean(negate ? !r : r));
        return 0;
}

static int fn_ne(struct exec *x, struct val *a, size_t n, struct val *out, rc_error **err)
{
        (void)x;
        return ordered(a, n, out, 0, false, true, err);
}

static int fn_lt(struct exec *x, struct val *a, size_t n, struct val *out, rc_error **err)
{
        (void)x;
        return ordered(a, n, out, -1, false, false, err);
}

static int fn_le(struct exec *x, struct val *a, size_t n, struct val *out, rc_error **err)
{
        (void)x;
        return ordered(a, n, out, -1, true, false, err);
}

static int fn_gt(struct exec *x, struct val *a, size_t n, struct val *out, rc_error **err)
{
        (void)x;
        return ordered(a, n, out, 1, false, false, err);
}

static int fn_ge(struct exec *x, struct val *a, size_t n, struct val *out, rc_error **err)
{
        (void)x;
        return ordered(a, n, out, 1, true, false, err);
}

static const struct {
        const char *name;
        tpl_func fn;
} funcs[] = {
        { "json", fn_json },     { "len", fn_len },           { "index", fn_index },     { "join", fn_join },
        { "split", fn_split },   { "upper", fn_upper },       { "lower", fn_lower },     { "title", fn_title },
        { "truncate", fn_truncate }, { "pad", fn_pad },       { "printf", fn_printf },   { "print", fn_print },
        { "println", fn_println }, { "not", fn_not },         { "eq", fn_eq },           { "ne", fn_ne },
        { "lt", fn_lt },         { "le", fn_le },             { "gt", fn_gt },           { "ge", fn_ge },
};

tpl_func tpl_func_find(const char *name)
{
        for (size_t k = 0; k < sizeof(funcs) / sizeof(funcs[0]); k++)
                if (strcmp(funcs[k].name, name) == 0)
                        return funcs[k].fn;
        return NULL;
}

bool tpl_func_known(const char *name)
{
        return strcmp(name, "and") == 0 || strcmp(name, "or") == 0 || tpl_func_find(name) != NULL;
}
