/* Parsing a template's tokens into a tree of text, actions and control
 * structures, with Go's rules: variables must be declared before use,
 * functions must exist, {{else if}} shares its {{end}}. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/internal.h"
#include "format/lex.h"
#include "util/xalloc.h"

struct parser {
        struct rc_template *t;
        struct lexer lx;
        size_t i;       /* current token */
        char **vars;    /* variables in scope, innermost last */
        size_t n_vars, cap_vars;
        int depth;
        int range_depth; /* break/continue are valid inside range only */
        rc_error **err;
};

int tpl_error_at(const struct rc_template *t, size_t pos, rc_error **err, const char *fmt, ...)
{
        size_t line = 1;
        cleanup_free char *msg = NULL;
        va_list ap;

        for (size_t k = 0; k < pos && t->src[k]; k++)
                line += t->src[k] == '\n';
        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        return rc_error_set(err, 0, "template: %s:%zu: %s", t->name, line, msg ? msg : "error");
}

static const struct token *peek(struct parser *p)
{
        return &p->lx.toks[p->i];
}

static const struct token *next(struct parser *p)
{
        const struct token *tk = &p->lx.toks[p->i];

        if (tk->type != T_EOF)
                p->i++;
        return tk;
}

static void skip_space(struct parser *p)
{
        while (peek(p)->type == T_SPACE)
                p->i++;
}

static bool tok_is(const struct parser *p, const struct token *tk, const char *word)
{
        return tk->type == T_IDENT && tk->len == strlen(word) && memcmp(p->t->src + tk->pos, word, tk->len) == 0;
}

static int fail(struct parser *p, size_t pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(struct parser *p, size_t pos, const char *fmt, ...)
{
        cleanup_free char *msg = NULL;
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        return tpl_error_at(p->t, pos, p->err, "%s", msg ? msg : "error");
}

/* ---- literals ---- */

static int hexval(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

static void put_utf8(struct sbuf *b, uint32_t cp)
{
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
                cp = 0xFFFD;
        if (cp < 0x80) {
                sb_putc(b, (char)cp);
        } else if (cp < 0x800) {
                sb_putc(b, (char)(0xC0 | (cp >> 6)));
                sb_putc(b, (char)(0x80 | (cp & 0x3F)));
        } else if (cp < 0x10000) {
                sb_putc(b, (char)(0xE0 | (cp >> 12)));
                sb_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
                sb_putc(b, (char)(0x80 | (cp & 0x3F)));
        } else {
                sb_putc(b, (char)(0xF0 | (cp >> 18)));
                sb_putc(b, (char)(0x80 | ((cp >> 12) & 0x3F)));
                sb_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
                sb_putc(b, (char)(0x80 | (cp & 0x3F)));
        }
}

/* Go's unquoting of "..." and '...' bodies (s without the quotes). */
static int unquote(const char *s, size_t n, struct sbuf *out)
{
        for (size_t i = 0; i < n; i++) {
                int digits = 0, base = 16;
                uint32_t v = 0;

                if (s[i] != '\\') {
                        sb_putc(out, s[i]);
                        continue;
                }
                if (++i >= n)
                        return -1;
                switch (s[i]) {
                case 'a': sb_putc(out, '\a'); continue;
                case 'b': sb_putc(out, '\b'); continue;
                case 'f': sb_putc(out, '\f'); continue;
                case 'n': sb_putc(out, '\n'); continue;
                case 'r': sb_putc(out, '\r'); continue;
                case 't': sb_putc(out, '\t'); continue;
                case 'v': sb_putc(out, '\v'); continue;
                case '\\': case '"': case '\'': sb_putc(out, s[i]); continue;
                case 'x': digits = 2; break;
                case 'u': digits = 4; break;
                case 'U': digits = 8; break;
                default:
                        if (s[i] < '0' || s[i] > '7')
                                return -1;
                        digits = 3;
                        base = 8;
                        i--; /* the first octal digit is part of the number */
                        break;
                }
                for (int k = 0; k < digits; k++) {
                        int d;
                        if (++i >= n || (d = hexval(s[i])) < 0 || d >= base)
                                return -1;
                        v = v * (uint32_t)base + (uint32_t)d;
                }
                if (digits == 2 || base == 8) {
                        if (v > 255)
                                return -1;
                        sb_putc(out, (char)v); /* a byte, not a character */
                } else {
                        put_utf8(out, v);
                }
        }
        return 0;
}

static int parse_number(struct parser *p, const struct token *tk, struct arg *a)
{
        cleanup_free char *txt = xmalloc(tk->len + 1);
        size_t k = 0;
        char *end;

        /* Go allows '_' between digits */
        for (size_t j = 0; j < tk->len; j++)
                if (p->t->src[tk->pos + j] != '_')
                        txt[k++] = p->t->src[tk->pos + j];
        txt[k] = '\0';
        errno = 0;
        size_t sign = txt[0] == '-' || txt[0] == '+';
        if (k > sign + 2 && txt[sign] == '0' && txt[sign + 1] && strchr("oObB", txt[sign + 1])) {
                int base = txt[sign + 1] == 'o' || txt[sign + 1] == 'O' ? 8 : 2;
                long long v = strtoll(txt + sign + 2, &end, base);
                if (*end == '\0' && errno == 0) {
                        a->kind = A_INT;
                        a->i = txt[0] == '-' ? -v : v;
                        return 0;
                }
        } else if (k > 0) {
                long long v = strtoll(txt, &end, 0);
                if (*end == '\0' && errno == 0) {
                        a->kind = A_INT;
                        a->i = v;
                        return 0;
                }
                errno = 0;
                double d = strtod(txt, &end);
                if (*end == '\0' && errno == 0 && !strpbrk(txt, "xX")) {
                        a->kind = A_FLOAT;
                        a->f = d;
                        return 0;
                }
        }
        return fail(p, tk->pos, "bad number syntax: \"%.*s\"", (int)tk->len, p->t->src + tk->pos);
}

/* ---- variables in scope ---- */

static void var_push(struct parser *p, const char *name, size_t len)
{
        if (p->n_vars == p->cap_vars) {
                p->cap_vars = p->cap_vars ? 2 * p->cap_vars : 8;
                p->vars = xrealloc(p->vars, p->cap_vars * sizeof(char *));
        }
        p->vars[p->n_vars++] = xstrndup(name, len);
}

static void var_pop_to(struct parser *p, size_t mark)
{
        while (p->n_vars > mark)
                free(p->vars[--p->n_vars]);
}

static bool var_known(const struct parser *p, const char *name, size_t len)
{
        if (len == 1)
                return true; /* $ */
        for (size_t k = p->n_vars; k-- > 0;)
                if (strlen(p->vars[k]) == len && memcmp(p->vars[k], name, len) == 0)
                        return true;
        return false;
}

/* ---- pipelines ---- */

static int parse_pipe(struct parser *p, enum tok_type end, bool decl_ok, bool range, struct pipe **out);

/* Fields written right after an operand: "$x.A.B", "(...).A". */
static void parse_fields(struct parser *p, struct arg *a)
{
        size_t n = 0;

        while (peek(p)->type == T_FIELD && peek(p)->pos == a->end) {
                const struct token *tk = next(p);
                a->fields = xrealloc(a->fields, (n + 2) * sizeof(char *));
                a->fields[n++] = xstrndup(p->t->src + tk->pos + 1, tk->len - 1);
                a->fields[n] = NULL;
                a->end = tk->pos + tk->len;
        }
}

static int parse_operand(struct parser *p, struct arg *a)
{
        const struct token *tk = next(p);
        const char *s = p->t->src + tk->pos;
        struct sbuf b = { 0 };

        a->pos = tk->pos;
        a->end = tk->pos + tk->len;
        switch (tk->type) {
        case T_FIELD:
                a->kind = A_FIELD;
                a->end = tk->pos; /* parse_fields takes this token too */
                p->i--;
                parse_fields(p, a);
                return 0;
        case T_DOT:
                a->kind = A_DOT;
                return 0;
        case T_VAR:
                if (!var_known(p, s, tk->len))
                        return fail(p, tk->pos, "undefined variable \"%.*s\"", (int)tk->len, s);
                a->kind = A_VAR;
                a->str = xstrndup(s, tk->len);
                parse_fields(p, a);
                return 0;
        case T_STRING:
        case T_CHAR:
                if (unquote(s + 1, tk->len - 2, &b) < 0) {
                        free(b.s);
                        return fail(p, tk->pos, "invalid syntax: %.*s", (int)tk->len, s);
                }
                if (tk->type == T_CHAR) {
                        /* a character constant is its code point, a number */
                        const unsigned char *u = (const unsigned char *)(b.s ? b.s : "");
                        size_t n = b.len;
                        uint32_t cp = n ? u[0] : 0;
                        if (n >= 2 && (u[0] & 0xE0) == 0xC0)
                                cp = ((u[0] & 0x1Fu) << 6) | (u[1] & 0x3Fu);
                        else if (n >= 3 && (u[0] & 0xF0) == 0xE0)
                                cp = ((u[0] & 0x0Fu) << 12) | ((u[1] & 0x3Fu) << 6) | (u[2] & 0x3Fu);
                        else if (n >= 4 && (u[0] & 0xF8) == 0xF0)
                                cp = ((u[0] & 0x07u) << 18) | ((u[1] & 0x3Fu) << 12) | ((u[2] & 0x3Fu) << 6) |
                                     (u[3] & 0x3Fu);
                        free(b.s);
                        if (n == 0)
                                return fail(p, tk->pos, "empty character constant");
                        a->kind = A_INT;
                        a->i = cp;
                        return 0;
                }
                a->kind = A_STRING;
                a->str_len = b.len;
                a->str = sb_steal(&b);
                return 0;
        case T_RAWSTRING:
                a->kind = A_STRING;
                a->str = xstrndup(s + 1, tk->len - 2);
                a->str_len = tk->len - 2;
                return 0;
        case T_NUMBER:
                return parse_number(p, tk, a);
        case T_IDENT:
                if (tok_is(p, tk, "true") || tok_is(p, tk, "false")) {
                        a->kind = A_BOOL;
                        a->b = tok_is(p, tk, "true");
                        return 0;
                }
                if (tok_is(p, tk, "nil")) {
                        a->kind = A_NIL;
                        return 0;
                }
                a->kind = A_FUNC;
                a->str = xstrndup(s, tk->len);
                if (!tpl_func_known(a->str))
                        return fail(p, tk->pos, "function \"%s\" not defined", a->str);
                return 0;
        case T_LPAREN:
                if (++p->depth > TPL_MAX_DEPTH)
                        return fail(p, tk->pos, "parentheses nested too deeply");
                a->kind = A_PIPE;
                if (parse_pipe(p, T_RPAREN, false, false, &a->pipe) < 0)
                        return -1;
                p->depth--;
                a->end = p->lx.toks[p->i - 1].pos + 1;
                parse_fields(p, a);
                return 0;
        case T_EOF:
        case T_RIGHT:
                return fail(p, tk->pos, "unclosed action");
        default:
                return fail(p, tk->pos, "unexpected \"%.*s\" in operand", (int)(tk->len ? tk->len : 1), s);
        }
}

static void arg_free(struct arg *a)
{
        free(a->str);
        strv_free(a->fields);
        if (a->pipe)
                tpl_pipe_free(a->pipe);
}

void tpl_pipe_free(struct pipe *pp)
{
        for (size_t k = 0; k < pp->n; k++) {
                for (size_t j = 0; j < pp->cmds[k].n; j++)
                        arg_free(&pp->cmds[k].args[j]);
                free(pp->cmds[k].args);
        }
        free(pp->cmds);
        strv_free(pp->decl);
        free(pp);
}

static int parse_command(struct parser *p, enum tok_type end, struct cmd *c)
{
        c->pos = peek(p)->pos;
        for (;;) {
                skip_space(p);
                enum tok_type ty = peek(p)->type;
                if (ty == end || ty == T_PIPE || ty == T_RIGHT || ty == T_RPAREN || ty == T_EOF)
                        break;
                c->args = xrealloc(c->args, (c->n + 1) * sizeof(*c->args));
                memset(&c->args[c->n], 0, sizeof(*c->args));
                if (parse_operand(p, &c->args[c->n++]) < 0)
                        return -1;
                c->end = c->args[c->n - 1].end;
                ty = peek(p)->type;
                if (ty != T_SPACE && ty != end && ty != T_PIPE && ty != T_RIGHT && ty != T_RPAREN)
                        return fail(p, peek(p)->pos, "unexpected \"%.*s\" in operand", (int)(peek(p)->len ? peek(p)->len : 1),
                                    p->t->src + peek(p)->pos);
        }
        if (c->n == 0)
                return fail(p, peek(p)->pos, "missing value for command");
        return 0;
}

/* Declarations at the start of a pipeline: "$x :=", "$x =", and in range
 * "$i, $e :=". */
static int parse_decl(struct parser *p, bool range, struct pipe *pp)
{
        size_t save = p->i;
        const struct token *v1, *v2 = NULL, *op;

        skip_space(p);
        v1 = peek(p);
        if (v1->type != T_VAR)
                goto none;
        next(p);
        skip_space(p);
        if (range && peek(p)->type == T_COMMA) {
                next(p);
                skip_space(p);
                if (peek(p)->type != T_VAR)
                        return fail(p, peek(p)->pos, "range can only initialize variables");
                v2 = next(p);
                skip_space(p);
        }
        op = peek(p);
        if (op->type != T_DECLARE && (op->type != T_ASSIGN || v2))
                goto none;
        next(p);
        pp->assign = op->type == T_ASSIGN;
        pp->decl = xcalloc(3, sizeof(char *));
        pp->decl[0] = xstrndup(p->t->src + v1->pos, v1->len);
        if (v2)
                pp->decl[1] = xstrndup(p->t->src + v2->pos, v2->len);
        if (pp->assign && !var_known(p, pp->decl[0], strlen(pp->decl[0])))
                return fail(p, v1->pos, "undefined variable \"%s\"", pp->decl[0]);
        return 0;
none:
        p->i = save;
        return 0;
}

static int parse_pipe(struct parser *p, enum tok_type end, bool decl_ok, bool range, struct pipe **out)
{
        struct pipe *pp = xcalloc(1, sizeof(*pp));

        *out = pp;
        pp->pos = peek(p)->pos;
        if (decl_ok && parse_decl(p, range, pp) < 0)
                return -1;
        for (;;) {
                pp->cmds = xrealloc(pp->cmds, (pp->n + 1) * sizeof(*pp->cmds));
                memset(&pp->cmds[pp->n], 0, sizeof(*pp->cmds));
                if (parse_command(p, end, &pp->cmds[pp->n++]) < 0)
                        return -1;
                pp->end = pp->cmds[pp->n - 1].end;
                if (peek(p)->type == T_PIPE) {
                        next(p);
                        continue;
                }
                if (peek(p)->type != end)
                        return fail(p, peek(p)->pos, end == T_RPAREN ? "unclosed left paren" : "unexpected \"%.*s\" in command",
                                    (int)peek(p)->len, p->t->src + peek(p)->pos);
                next(p);
                break;
        }
        /* declared variables are visible after the declaration */
        for (size_t k = 0; pp->decl && pp->decl[k] && !pp->assign; k++)
                var_push(p, pp->decl[k], strlen(pp->decl[k]));
        return 0;
}

/* ---- lists and control structures ---- */

enum stop { STOP_EOF, STOP_ELSE, STOP_END };

static int parse_list(struct parser *p, struct list *l, enum stop *stop, size_t *stop_pos);

static struct node *new_node(struct list *l, enum node_kind kind, size_t pos)
{
        l->nodes = xrealloc(l->nodes, (l->n + 1) * sizeof(*l->nodes));
        memset(&l->nodes[l->n], 0, sizeof(*l->nodes));
        l->nodes[l->n].kind = kind;
        l->nodes[l->n].pos = pos;
        return &l->nodes[l->n++];
}

/* After the keyword of if/range/with: "PIPELINE}} LIST [{{else}} LIST]
 * {{end}}", with {{else if ...}} / {{else with ...}} chaining. */
static int parse_control(struct parser *p, struct node *n, const char *kw)
{
        size_t mark = p->n_vars, decl_mark, stop_pos = 0;
        enum stop stop;

        if (++p->depth > TPL_MAX_DEPTH)
                return fail(p, n->pos, "blocks nested too deeply");
        if (parse_pipe(p, T_RIGHT, true, n->kind == N_RANGE, &n->pipe) < 0)
                return -1;
        /* the pipeline's variables reach the {{else}} branch, the body's do not */
        decl_mark = p->n_vars;
        if (n->kind == N_RANGE)
                p->range_depth++;
        if (parse_list(p, &n->body, &stop, &stop_pos) < 0)
                return -1;
        if (n->kind == N_RANGE)
                p->range_depth--;
        var_pop_to(p, decl_mark);
        if (stop == STOP_EOF)
                return fail(p, stop_pos, "unexpected EOF in %s", kw);
        if (stop == STOP_ELSE) {
                skip_space(p);
                if ((n->kind == N_IF && tok_is(p, peek(p), "if")) || (n->kind == N_WITH && tok_is(p, peek(p), "with"))) {
                        /* {{else if X}}: an if in the else branch that ends with this {{end}} */
                        struct node *inner = new_node(&n->else_body, n->kind, next(p)->pos);
                        if (parse_control(p, inner, kw) < 0)
                                return -1;
                        var_pop_to(p, mark);
                        p->depth--;
                        return 0;
                }
                if (next(p)->type != T_RIGHT)
                        return fail(p, stop_pos, "unexpected \"%.*s\" after else", (int)p->lx.toks[p->i - 1].len,
                                    p->t->src + p->lx.toks[p->i - 1].pos);
                if (parse_list(p, &n->else_body, &stop, &stop_pos) < 0)
                        return -1;
                var_pop_to(p, mark);
                if (stop != STOP_END)
                        return fail(p, stop_pos, stop == STOP_EOF ? "unexpected EOF in %s" : "expected end; found else in %s",
                                    kw);
        }
        var_pop_to(p, mark);
        p->depth--;
        return 0;
}

static int parse_action(struct parser *p, struct list *l, enum stop *stop, size_t *stop_pos)
{
        const struct token *left = next(p), *kw;
        struct node *n;

        skip_space(p);
        kw = peek(p);
        *stop_pos = left->pos;
        if (tok_is(p, kw, "end") || tok_is(p, kw, "else")) {
                next(p);
                *stop = tok_is(p, kw, "end") ? STOP_END : STOP_ELSE;
                if (*stop == STOP_END) {
                        skip_space(p);
                        if (next(p)->type != T_RIGHT)
                                return fail(p, kw->pos, "unexpected \"%.*s\" in end", (int)p->lx.toks[p->i - 1].len,
                                            p->t->src + p->lx.toks[p->i - 1].pos);
                }
                return 1;
        }
        if (tok_is(p, kw, "if") || tok_is(p, kw, "range") || tok_is(p, kw, "with")) {
                next(p);
                n = new_node(l, tok_is(p, kw, "if") ? N_IF : tok_is(p, kw, "range") ? N_RANGE : N_WITH, kw->pos);
                return parse_control(p, n, tok_is(p, kw, "if") ? "if" : tok_is(p, kw, "range") ? "range" : "with");
        }
        if (tok_is(p, kw, "break") || tok_is(p, kw, "continue")) {
                bool brk = tok_is(p, kw, "break");
                next(p);
                if (p->range_depth == 0)
                        return fail(p, kw->pos, "{{%s}} outside {{range}}", brk ? "break" : "continue");
                skip_space(p);
                if (next(p)->type != T_RIGHT)
                        return fail(p, kw->pos, "unexpected token in {{%s}}", brk ? "break" : "continue");
                new_node(l, brk ? N_BREAK : N_CONTINUE, kw->pos);
                return 0;
        }
        if (tok_is(p, kw, "define") || tok_is(p, kw, "template") || tok_is(p, kw, "block"))
                return fail(p, kw->pos, "{{%.*s}} is not supported", (int)kw->len, p->t->src + kw->pos);
        n = new_node(l, N_ACTION, kw->pos);
        return parse_pipe(p, T_RIGHT, true, false, &n->pipe);
}

static int parse_list(struct parser *p, struct list *l, enum stop *stop, size_t *stop_pos)
{
        for (;;) {
                const struct token *tk = peek(p);
                int r;

                switch (tk->type) {
                case T_EOF:
                        *stop = STOP_EOF;
                        *stop_pos = tk->pos;
                        return 0;
                case T_TEXT: {
                        struct node *n = new_node(l, N_TEXT, tk->pos);
                        n->text = xstrndup(p->t->src + tk->pos, tk->len);
                        n->len = tk->len;
                        next(p);
                        break;
                }
                case T_LEFT:
                        r = parse_action(p, l, stop, stop_pos);
                        if (r != 0)
                                return r < 0 ? -1 : 0;
                        break;
                default:
                        return fail(p, tk->pos, "unexpected token");
                }
        }
}

void tpl_list_free(struct list *l)
{
        for (size_t k = 0; k < l->n; k++) {
                struct node *n = &l->nodes[k];
                free(n->text);
                if (n->pipe)
                        tpl_pipe_free(n->pipe);
                tpl_list_free(&n->body);
                tpl_list_free(&n->else_body);
        }
        free(l->nodes);
        l->nodes = NULL;
        l->n = 0;
}

int rc_template_parse(const char *text, const struct rc_template_opts *opts, struct rc_template **out,
                      rc_error **err)
{
        struct rc_template *t = xcalloc(1, sizeof(*t));
        struct parser p = { .t = t, .err = err };
        enum stop stop = STOP_EOF;
        size_t stop_pos = 0;
        int r = -1;

        t->src = xstrdup(text);
        t->name = xstrdup(opts && opts->name ? opts->name : "template");
        t->opts = opts;
        p.lx.src = t->src;
        p.lx.len = strlen(t->src);
        if (tpl_lex(&p.lx) < 0) {
                tpl_error_at(t, p.lx.err_pos, err, "%s", p.lx.err_msg);
                goto out;
        }
        if (parse_list(&p, &t->root, &stop, &stop_pos) < 0)
                goto out;
        if (stop != STOP_EOF) {
                fail(&p, stop_pos, "unexpected {{%s}}", stop == STOP_END ? "end" : "else");
                goto out;
        }
        r = 0;
out:
        var_pop_to(&p, 0);
        free(p.vars);
        tpl_lexer_free(&p.lx);
        if (r < 0)
                rc_template_free(t);
        else
                *out = t;
        return r;
}

void rc_template_free(struct rc_template *t)
{
        if (t == NULL)
                return;
        tpl_list_free(&t->root);
        free(t->src);
        free(t->name);
        free(t);
}

void rc_template_freep(struct rc_template **t)
{
        rc_template_free(*t);
        *t = NULL;
}
