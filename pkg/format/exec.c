/* Executing a parsed template over json-c data, with Go's semantics for
 * fields, variables, pipelines and control structures. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "format/exec.h"
#include "util/xalloc.h"

struct var {
        char *name;
        struct val v;
};

static int exec_fail(struct exec *x, size_t pos, size_t end, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static int exec_fail(struct exec *x, size_t pos, size_t end, const char *fmt, ...)
{
        cleanup_free char *msg = NULL;
        size_t line = 1, col = 0; /* Go counts the column from 0 */
        va_list ap;

        for (size_t k = 0; k < pos && x->t->src[k]; k++) {
                if (x->t->src[k] == '\n') {
                        line++;
                        col = 0;
                } else {
                        col++;
                }
        }
        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        return rc_error_set(x->err, 0, "template: %s:%zu:%zu: executing \"%s\" at <%.*s>: %s", x->t->name, line, col,
                            x->t->name, (int)(end > pos ? end - pos : 0), x->t->src + pos, msg ? msg : "error");
}

/* ---- variables ---- */

static void var_set(struct exec *x, const char *name, const struct val *v, bool declare)
{
        if (!declare) {
                for (size_t k = x->n_vars; k-- > 0;)
                        if (strcmp(x->vars[k].name, name) == 0) {
                                val_free(&x->vars[k].v);
                                x->vars[k].v = val_copy(v);
                                return;
                        }
        }
        if (x->n_vars == x->cap_vars) {
                x->cap_vars = x->cap_vars ? 2 * x->cap_vars : 8;
                x->vars = xrealloc(x->vars, x->cap_vars * sizeof(*x->vars));
        }
        x->vars[x->n_vars].name = xstrdup(name);
        x->vars[x->n_vars].v = val_copy(v);
        x->n_vars++;
}

static void var_pop_to(struct exec *x, size_t mark)
{
        while (x->n_vars > mark) {
                x->n_vars--;
                free(x->vars[x->n_vars].name);
                val_free(&x->vars[x->n_vars].v);
        }
}

static const struct val *var_get(struct exec *x, const char *name)
{
        for (size_t k = x->n_vars; k-- > 0;)
                if (strcmp(x->vars[k].name, name) == 0)
                        return &x->vars[k].v;
        return NULL;
}

/* ---- fields ---- */

static bool listed(const char *const *list, const char *name)
{
        for (size_t k = 0; list && list[k]; k++)
                if (strcmp(list[k], name) == 0)
                        return true;
        return false;
}

static bool is_map_field(const struct rc_template_opts *o, const char *name)
{
        return strcmp(name, "Labels") == 0 || strcmp(name, "Annotations") == 0 || (o && listed(o->maps, name));
}

/* A struct's field: exact name, then an alias, then (fold_case) a name
 * differing only in case.  Returns the key found, or NULL. */
static const char *struct_key(const struct rc_template_opts *o, json_object *obj, const char *name)
{
        if (json_object_object_get_ex(obj, name, NULL))
                return name;
        for (size_t k = 0; o && o->aliases && o->aliases[k] && o->aliases[k + 1]; k += 2)
                if (strcmp(o->aliases[k], name) == 0 && json_object_object_get_ex(obj, o->aliases[k + 1], NULL))
                        return o->aliases[k + 1];
        if (o && o->fold_case) {
                json_object_object_foreach(obj, key, val)
                {
                        (void)val;
                        if (strcasecmp(key, name) == 0)
                                return key;
                }
        }
        return NULL;
}

static int field(struct exec *x, const struct arg *a, const struct val *recv, const char *name, const char *type,
                 struct val *out)
{
        const struct rc_template_opts *o = x->t->opts;
        const char *key;

        if (x->header) {
                /* headers: the column's name, whatever follows it */
                if (recv->kind == V_HEADER) {
                        char *h = rc_template_header_for(o, name);
                        *out = val_string(h);
                        free(h);
                } else {
                        *out = val_copy(recv);
                }
                return 0;
        }
        if (recv->kind == V_NOVALUE || recv->j == NULL) {
                *out = val_novalue(); /* Go: a nil map yields no value */
                return 0;
        }
        if (!json_object_is_type(recv->j, json_type_object))
                return exec_fail(x, a->pos, a->end, "can't evaluate field %s in type %s", name, val_type(recv));
        key = recv->is_map ? (json_object_object_get_ex(recv->j, name, NULL) ? name : NULL)
                           : struct_key(o, recv->j, name);
        if (key == NULL) {
                if (recv->is_map) {
                        *out = val_novalue();
                        return 0;
                }
                return exec_fail(x, a->pos, a->end, "can't evaluate field %s in type %s", name, type);
        }
        *out = val_json(json_object_object_get(recv->j, key));
        out->is_map = is_map_field(o, key);
        return 0;
}

/* Follow a.fields from recv; *out gets a new value. */
static int chain(struct exec *x, const struct arg *a, const struct val *recv, const char *root_type, struct val *out)
{
        struct val cur = val_copy(recv);
        const char *type = root_type;

        for (size_t k = 0; a->fields && a->fields[k]; k++) {
                struct val nv;
                if (field(x, a, &cur, a->fields[k], type, &nv) < 0) {
                        val_free(&cur);
                        return -1;
                }
                val_free(&cur);
                cur = nv;
                type = a->fields[k];
        }
        *out = cur;
        return 0;
}

/* ---- commands and pipelines ---- */

static int eval_arg(struct exec *x, const struct arg *a, const struct val *dot, struct val *out)
{
        const struct val *v;
        struct val tmp;
        int r;

        switch (a->kind) {
        case A_FIELD:
                return chain(x, a, dot, x->root_type, out);
        case A_DOT:
                *out = val_copy(dot);
                return 0;
        case A_VAR:
                v = var_get(x, a->str);
                if (v == NULL)
                        return exec_fail(x, a->pos, a->end, "undefined variable: %s", a->str);
                return chain(x, a, v, strcmp(a->str, "$") == 0 ? x->root_type : a->str, out);
        case A_STRING:
                *out = val_stringn(a->str, a->str_len);
                return 0;
        case A_INT:
                *out = val_take(json_object_new_int64(a->i));
                return 0;
        case A_FLOAT:
                *out = val_take(json_object_new_double(a->f));
                return 0;
        case A_BOOL:
                *out = val_take(json_object_new_boolean(a->b));
                return 0;
        case A_NIL:
                return exec_fail(x, a->pos, a->end, "nil is not a command");
        case A_PIPE:
                if (tpl_eval_pipe(x, a->pipe, dot, true, &tmp) < 0)
                        return -1;
                r = chain(x, a, &tmp, "value", out);
                val_free(&tmp);
                return r;
        case A_FUNC:
                break;
        }
        return exec_fail(x, a->pos, a->end, "can't use %s as a value", a->str);
}

static void free_args(struct val *args, size_t n)
{
        for (size_t k = 0; k < n; k++)
                val_free(&args[k]);
        free(args);
}

/* and/or: Go evaluates their arguments only as far as needed. */
static int eval_logic(struct exec *x, const struct cmd *c, const struct val *dot, const struct val *final,
                      struct val *out)
{
        bool is_and = strcmp(c->args[0].str, "and") == 0;
        size_t n = c->n - 1 + (final != NULL);

        if (n == 0)
                return exec_fail(x, c->pos, c->end, "wrong number of args for %s: want at least 1 got 0", c->args[0].str);
        for (size_t k = 0; k < n; k++) {
                struct val v;
                if (k < c->n - 1) {
                        if (eval_arg(x, &c->args[k + 1], dot, &v) < 0)
                                return -1;
                } else {
                        v = val_copy(final);
                }
                if (k == n - 1 || val_truth(&v) != is_and) {
                        *out = v;
                        return 0;
                }
                val_free(&v);
        }
        return 0;
}

static int eval_cmd(struct exec *x, const struct cmd *c, const struct val *dot, const struct val *final,
                    struct val *out)
{
        const struct arg *first = &c->args[0];
        struct val *args;
        size_t n = 0;
        tpl_func fn;
        int r;

        if (first->kind != A_FUNC) {
                if (c->n > 1 || final)
                        return exec_fail(x, first->pos, first->end, "can't give argument to non-function %.*s",
                                         (int)(first->end - first->pos), x->t->src + first->pos);
                return eval_arg(x, first, dot, out);
        }
        if (strcmp(first->str, "and") == 0 || strcmp(first->str, "or") == 0)
                return eval_logic(x, c, dot, final, out);
        fn = tpl_func_find(first->str);
        args = xcalloc(c->n + 1, sizeof(*args));
        for (size_t k = 1; k < c->n; k++, n++)
                if (eval_arg(x, &c->args[k], dot, &args[n]) < 0) {
                        free_args(args, n);
                        return -1;
                }
        if (final)
                args[n++] = val_copy(final);
        r = fn(x, args, n, out, x->err);
        if (r < 0 && *x->err && strncmp((*x->err)->msg, "template: ", 10) != 0) {
                /* a function's own message: say where, as Go does */
                cleanup_free char *msg = xstrdup((*x->err)->msg);
                rc_error_free(*x->err);
                *x->err = NULL;
                exec_fail(x, c->pos, c->end, "error calling %s: %s", first->str, msg);
        }
        free_args(args, n);
        return r;
}

int tpl_eval_pipe(struct exec *x, const struct pipe *p, const struct val *dot, bool declare, struct val *out)
{
        struct val cur = { 0 };
        bool have = false;

        if (++x->depth > TPL_MAX_DEPTH)
                return exec_fail(x, p->pos, p->end, "pipeline nested too deeply");
        for (size_t k = 0; k < p->n; k++) {
                struct val nv;
                int r = eval_cmd(x, &p->cmds[k], dot, have ? &cur : NULL, &nv);
                if (have)
                        val_free(&cur);
                if (r < 0) {
                        x->depth--;
                        return -1;
                }
                cur = nv;
                have = true;
        }
        for (size_t k = 0; declare && p->decl && p->decl[k]; k++)
                var_set(x, p->decl[k], &cur, !p->assign);
        x->depth--;
        *out = cur;
        return 0;
}

/* ---- nodes ---- */

static int exec_list(struct exec *x, const struct list *l, const struct val *dot);

static int emit(struct exec *x, const char *s, size_t n)
{
        if (x->out->len + n > TPL_MAX_OUTPUT)
                return rc_error_set(x->err, 0, "template: %s: output larger than %u bytes", x->t->name,
                                    TPL_MAX_OUTPUT);
        sb_putn(x->out, s, n);
        return 0;
}

static int emit_val(struct exec *x, const struct val *v)
{
        struct sbuf b = { 0 };
        int r;

        val_print(&b, v);
        r = emit(x, b.s ? b.s : "", b.len);
        free(b.s);
        return r;
}

static int range_one(struct exec *x, const struct node *n, const struct val *key, const struct val *elem)
{
        size_t mark = x->n_vars;
        char **decl = n->pipe->decl;
        int r;

        if (++x->steps > TPL_MAX_STEPS)
                return rc_error_set(x->err, 0, "template: %s: too many steps", x->t->name);
        if (decl && decl[0] && decl[1]) {
                var_set(x, decl[0], key, true);
                var_set(x, decl[1], elem, true);
        } else if (decl && decl[0]) {
                var_set(x, decl[0], elem, true);
        }
        r = exec_list(x, &n->body, elem);
        var_pop_to(x, mark);
        return r;
}

static int cmp_keys(const void *a, const void *b)
{
        return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int exec_range(struct exec *x, const struct node *n, const struct val *v, const struct val *dot)
{
        size_t count = 0;
        int r = 0;

        if (v->kind == V_HEADER || (x->header && val_is_string(v))) {
                /* headers: the body once, its fields naming their columns */
                struct val h = { .kind = V_HEADER }, zero = val_take(json_object_new_int(0));
                r = range_one(x, n, &zero, &h);
                val_free(&zero);
                return r == TPL_BREAK || r == TPL_CONTINUE ? 0 : r;
        }
        if (v->kind == V_JSON && json_object_is_type(v->j, json_type_array)) {
                count = json_object_array_length(v->j);
                for (size_t k = 0; k < count; k++) {
                        struct val key = val_take(json_object_new_int64((int64_t)k));
                        struct val e = val_json(json_object_array_get_idx(v->j, k));
                        r = range_one(x, n, &key, &e);
                        val_free(&key);
                        val_free(&e);
                        if (r == TPL_BREAK) {
                                r = 0;
                                break;
                        }
                        if (r < 0)
                                return -1;
                        r = 0;
                }
        } else if (v->kind == V_JSON && json_object_is_type(v->j, json_type_object)) {
                const char **keys;
                size_t k = 0;
                count = (size_t)json_object_object_length(v->j);
                keys = xcalloc(count + 1, sizeof(char *));
                json_object_object_foreach(v->j, name, val)
                {
                        (void)val;
                        keys[k++] = name;
                }
                qsort(keys, count, sizeof(char *), cmp_keys); /* Go ranges over a map in key order */
                for (k = 0; k < count; k++) {
                        struct val key = val_string(keys[k]);
                        struct val e = val_json(json_object_object_get(v->j, keys[k]));
                        r = range_one(x, n, &key, &e);
                        val_free(&key);
                        val_free(&e);
                        if (r == TPL_BREAK || r < 0)
                                break;
                        r = 0;
                }
                free(keys);
                if (r == TPL_BREAK)
                        r = 0;
                if (r < 0)
                        return -1;
        } else if (v->kind == V_JSON && v->j && json_object_is_type(v->j, json_type_int)) {
                /* Go 1.22: range over an integer */
                int64_t lim = json_object_get_int64(v->j);
                for (int64_t k = 0; k < lim; k++) {
                        struct val e = val_take(json_object_new_int64(k));
                        r = range_one(x, n, &e, &e);
                        val_free(&e);
                        if (r == TPL_BREAK || r < 0)
                                break;
                        count++;
                        r = 0;
                }
                if (r == TPL_BREAK)
                        r = 0;
                if (r < 0)
                        return -1;
        } else if (v->kind == V_JSON && v->j != NULL) {
                return exec_fail(x, n->pipe->pos, n->pipe->end, "range can't iterate over %s", val_type(v));
        }
        if (count == 0 && n->else_body.n)
                return exec_list(x, &n->else_body, dot);
        return r;
}

static int exec_node(struct exec *x, const struct node *n, const struct val *dot)
{
        struct val v;
        size_t mark = x->n_vars;
        int r = 0;

        if (++x->steps > TPL_MAX_STEPS)
                return rc_error_set(x->err, 0, "template: %s: too many steps", x->t->name);
        switch (n->kind) {
        case N_TEXT:
                return emit(x, n->text, n->len);
        case N_BREAK:
                return TPL_BREAK;
        case N_CONTINUE:
                return TPL_CONTINUE;
        case N_ACTION:
                if (tpl_eval_pipe(x, n->pipe, dot, true, &v) < 0)
                        return -1;
                if (n->pipe->decl == NULL)
                        r = emit_val(x, &v);
                val_free(&v);
                return r; /* declared variables stay until the enclosing {{end}} */
        case N_IF:
        case N_WITH:
                if (tpl_eval_pipe(x, n->pipe, dot, true, &v) < 0)
                        return -1;
                if (val_truth(&v))
                        r = exec_list(x, &n->body, n->kind == N_WITH ? &v : dot);
                else
                        r = exec_list(x, &n->else_body, dot);
                val_free(&v);
                break;
        case N_RANGE:
                /* the range's variables are set per element, not from the pipeline */
                if (tpl_eval_pipe(x, n->pipe, dot, false, &v) < 0)
                        return -1;
                r = exec_range(x, n, &v, dot);
                val_free(&v);
                break;
        }
        var_pop_to(x, mark);
        return r;
}

static int exec_list(struct exec *x, const struct list *l, const struct val *dot)
{
        size_t mark = x->n_vars;
        int r = 0;

        if (++x->depth > TPL_MAX_DEPTH) {
                x->depth--;
                return rc_error_set(x->err, 0, "template: %s: nested too deeply", x->t->name);
        }
        for (size_t k = 0; k < l->n && r == 0; k++)
                r = exec_node(x, &l->nodes[k], dot);
        var_pop_to(x, mark);
        x->depth--;
        return r;
}

int rc_template_execute(const struct rc_template *t, struct json_object *data, bool header, char **buf, size_t *len,
                        rc_error **err)
{
        struct sbuf out = { .s = *buf, .len = *len, .cap = *buf ? *len + 1 : 0 };
        struct exec x = { .t = t, .out = &out, .err = err, .header = header };
        struct val dot = header ? (struct val){ .kind = V_HEADER } : val_json(data);
        int r;

        x.root_type = t->opts && t->opts->type_name ? t->opts->type_name : "object";
        var_set(&x, "$", &dot, true);
        r = exec_list(&x, &t->root, &dot);
        var_pop_to(&x, 0);
        free(x.vars);
        val_free(&dot);
        if (out.s == NULL)
                sb_putn(&out, "", 0);
        *buf = out.s;
        *len = out.len;
        return r < 0 ? -1 : 0;
}

char *rc_template_header_for(const struct rc_template_opts *o, const char *field)
{
        struct sbuf b = { 0 };
        size_t n = strlen(field);

        for (size_t k = 0; o && o->headers && o->headers[k] && o->headers[k + 1]; k += 2)
                if (strcasecmp(o->headers[k], field) == 0)
                        return xstrdup(o->headers[k + 1]);
        /* split at case changes as podman's camelcase does: "CreatedAt" ->
         * "CREATED AT", "HTTPProxy" -> "HTTP PROXY", "Ipv4" -> "IPV 4" */
        for (size_t k = 0; k < n; k++) {
                char c = field[k], prev = k ? field[k - 1] : 0, nxt = k + 1 < n ? field[k + 1] : 0;
                bool up = c >= 'A' && c <= 'Z', digit = c >= '0' && c <= '9';
                bool prev_up = prev >= 'A' && prev <= 'Z', prev_low = prev >= 'a' && prev <= 'z';
                bool prev_digit = prev >= '0' && prev <= '9', next_low = nxt >= 'a' && nxt <= 'z';
                if (k > 0 && ((up && (prev_low || prev_digit)) || (up && prev_up && next_low) ||
                              (digit && !prev_digit) || (!digit && !up && prev_digit)))
                        sb_putc(&b, ' ');
                sb_putc(&b, (char)(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c));
        }
        return sb_steal(&b);
}
