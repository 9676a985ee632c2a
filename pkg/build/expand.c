/* Docker's word processing: variable substitution, quotes and escapes
 * (BuildKit's shell lexer, the subset a Dockerfile uses). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "build/build.h"
#include "build/internal.h"
#include "util/xalloc.h"

void bld_buf_add(struct bld_buf *b, const char *s, size_t n)
{
        if (b->len + n + 1 > b->cap) {
                size_t cap = b->cap ? b->cap : 64;
                while (cap < b->len + n + 1)
                        cap *= 2;
                b->p = xrealloc(b->p, cap);
                b->cap = cap;
        }
        memcpy(b->p + b->len, s, n);
        b->len += n;
        b->p[b->len] = '\0';
}

void bld_buf_addc(struct bld_buf *b, char c)
{
        bld_buf_add(b, &c, 1);
}

char *bld_buf_steal(struct bld_buf *b)
{
        char *p = b->p ? b->p : xstrdup("");

        memset(b, 0, sizeof(*b));
        return p;
}

struct lexer {
        const char *s;
        size_t i, n;
        char esc;
        unsigned flags;
        rc_df_lookup_fn lookup;
        void *ctx;
        int depth;
};

static int grow_check(const struct bld_buf *b, rc_error **err)
{
        if (b->len > RC_DF_MAX_WORD)
                return rc_error_set(err, 0, "a word longer than %u bytes (after substitution)", RC_DF_MAX_WORD);
        return 0;
}

static bool is_name_start(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_name_char(char c)
{
        return is_name_start(c) || (c >= '0' && c <= '9');
}

/* A variable name after '$' or "${": letters, digits and '_'; a run of
 * digits (positional) or one special character ($ # * @ ! ? -) on its own.
 * Returns its length (0: none). */
static size_t scan_name(const struct lexer *x)
{
        size_t i = x->i;

        if (i >= x->n)
                return 0;
        if (x->s[i] >= '0' && x->s[i] <= '9') {
                while (i < x->n && x->s[i] >= '0' && x->s[i] <= '9')
                        i++;
                return i - x->i;
        }
        if (strchr("$#*@!?-", x->s[i]) && x->s[i] != '\0')
                return 1;
        while (i < x->n && is_name_char(x->s[i]))
                i++;
        return i - x->i;
}

static const char *lookup(struct lexer *x, const char *name, size_t len)
{
        return x->lookup ? x->lookup(x->ctx, name, len) : NULL;
}

static int process(struct lexer *x, struct bld_buf *out, char stop, rc_error **err);

static int process_dollar(struct lexer *x, struct bld_buf *out, rc_error **err)
{
        cleanup_free char *word = NULL;
        struct bld_buf w = { 0 };
        const char *name, *value;
        size_t len;
        char op, colon = 0;

        x->i++; /* '$' */
        if (x->i >= x->n || x->s[x->i] != '{') {
                len = scan_name(x);
                if (len == 0) {
                        bld_buf_addc(out, '$');
                        return 0;
                }
                value = lookup(x, x->s + x->i, len);
                x->i += len;
                if (value)
                        bld_buf_add(out, value, strlen(value));
                return grow_check(out, err);
        }
        x->i++; /* '{' */
        if (x->i >= x->n)
                return rc_error_set(err, 0, "syntax error: missing '}'");
        if (x->s[x->i] == '{' || x->s[x->i] == '}' || x->s[x->i] == ':')
                return rc_error_set(err, 0, "syntax error: bad substitution");
        name = x->s + x->i;
        len = scan_name(x);
        x->i += len;
        if (x->i >= x->n)
                return rc_error_set(err, 0, "syntax error: missing '}'");
        if (len == 0)
                return rc_error_set(err, 0, "syntax error: bad substitution");
        op = x->s[x->i++];
        value = lookup(x, name, len);
        if (op == '}') {
                if (value)
                        bld_buf_add(out, value, strlen(value));
                return grow_check(out, err);
        }
        if (op == ':') {
                colon = 1;
                if (x->i >= x->n)
                        return rc_error_set(err, 0, "syntax error: missing '}'");
                op = x->s[x->i++];
        }
        if (op != '-' && op != '+' && op != '?')
                return rc_error_set(err, 0, "unsupported modifier (%c) in substitution", op);
        if (++x->depth > RC_DF_MAX_NESTING)
                return rc_error_set(err, 0, "substitutions nested deeper than %d levels", RC_DF_MAX_NESTING);
        if (process(x, &w, '}', err) < 0) {
                free(w.p);
                return -1;
        }
        x->depth--;
        word = bld_buf_steal(&w);
        /* with ':' an empty value counts as unset */
        bool set = value && (!colon || value[0] != '\0');
        switch (op) {
        case '-':
                value = set ? value : word;
                break;
        case '+':
                value = set ? word : "";
                break;
        default: /* '?' */
                if (!set)
                        return rc_error_set(err, 0, "%.*s: %s", (int)len, name,
                                            word[0] ? word : "is not allowed to be unset");
                break;
        }
        bld_buf_add(out, value, strlen(value));
        return grow_check(out, err);
}

static int single_quote(struct lexer *x, struct bld_buf *out, rc_error **err)
{
        size_t start = ++x->i;

        while (x->i < x->n && x->s[x->i] != '\'')
                x->i++;
        if (x->i >= x->n)
                return rc_error_set(err, 0, "unexpected end of statement while looking for matching single-quote");
        bld_buf_add(out, x->s + start, x->i - start);
        x->i++;
        return grow_check(out, err);
}

static int double_quote(struct lexer *x, struct bld_buf *out, rc_error **err)
{
        x->i++;
        for (;;) {
                char c;
                if (x->i >= x->n)
                        return rc_error_set(err, 0,
                                            "unexpected end of statement while looking for matching double-quote");
                c = x->s[x->i];
                if (c == '"') {
                        x->i++;
                        return 0;
                }
                if (c == '$') {
                        if (process_dollar(x, out, err) < 0)
                                return -1;
                        continue;
                }
                x->i++;
                if (c == x->esc && x->i < x->n) {
                        char next = x->s[x->i];
                        /* only these can be escaped in double quotes; other
                         * escapes are kept as written */
                        if (next == '"' || next == '$' || next == x->esc) {
                                c = next;
                                x->i++;
                        }
                } else if (c == x->esc) {
                        continue; /* an escape at the very end is dropped */
                }
                bld_buf_addc(out, c);
        }
}

static int process(struct lexer *x, struct bld_buf *out, char stop, rc_error **err)
{
        bool heredoc = x->flags & RC_DF_EXPAND_HEREDOC;

        while (x->i < x->n) {
                char c = x->s[x->i];
                if (stop && c == stop) {
                        x->i++;
                        return 0;
                }
                if (c == '$') {
                        if (process_dollar(x, out, err) < 0)
                                return -1;
                        continue;
                }
                if (!heredoc && c == '\'') {
                        if (single_quote(x, out, err) < 0)
                                return -1;
                        continue;
                }
                if (!heredoc && c == '"') {
                        if (double_quote(x, out, err) < 0)
                                return -1;
                        continue;
                }
                x->i++;
                if (c == x->esc) {
                        if (x->i >= x->n)
                                break; /* an escape at the very end is dropped */
                        /* in a heredoc, as in a shell's, the escape only
                         * protects $ and itself */
                        if (!heredoc || x->s[x->i] == '$' || x->s[x->i] == x->esc)
                                c = x->s[x->i++];
                }
                bld_buf_addc(out, c);
                if (grow_check(out, err) < 0)
                        return -1;
        }
        if (stop)
                return rc_error_set(err, 0, "syntax error: missing '%c'", stop);
        return 0;
}

int rc_df_expand(const char *word, char escape, unsigned flags, rc_df_lookup_fn lookup_fn, void *ctx, char **out,
                 rc_error **err)
{
        struct lexer x = { .s = word, .n = strlen(word), .esc = escape, .flags = flags, .lookup = lookup_fn, .ctx = ctx };
        struct bld_buf b = { 0 };

        if (process(&x, &b, 0, err) < 0) {
                free(b.p);
                return -1;
        }
        *out = bld_buf_steal(&b);
        return 0;
}

static bool is_blank(char c)
{
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

char **rc_df_split_words(const char *text, char escape)
{
        char **words = xcalloc(1, sizeof(char *));
        struct bld_buf w = { 0 };
        size_t n = strlen(text);
        bool in_word = false, blank_ok = false;
        char quote = 0;

        for (size_t i = 0; i <= n; i++) {
                char c = i < n ? text[i] : '\0';
                if (i == n || (!quote && is_blank(c))) {
                        if (in_word && (blank_ok || w.len > 0))
                                strv_push(&words, w.p ? w.p : "");
                        w.len = 0;
                        if (w.p)
                                w.p[0] = '\0';
                        in_word = blank_ok = false;
                        quote = 0;
                        continue;
                }
                in_word = true;
                if (quote) {
                        if (c == quote) {
                                quote = 0;
                        } else if (c == escape && quote != '\'') {
                                /* the escape and what it escapes stay together */
                                if (i + 1 == n)
                                        continue;
                                bld_buf_addc(&w, c);
                                c = text[++i];
                        }
                        bld_buf_addc(&w, c);
                        continue;
                }
                if (c == '\'' || c == '"') {
                        quote = c;
                        blank_ok = true;
                } else if (c == escape) {
                        if (i + 1 == n)
                                continue;
                        bld_buf_addc(&w, c);
                        c = text[++i];
                }
                bld_buf_addc(&w, c);
        }
        free(w.p);
        return words;
}
