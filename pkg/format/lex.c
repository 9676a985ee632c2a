/* Splitting a template into tokens: text between actions, and the words
 * inside {{ }}, with Go's trim markers and comments applied. */
#include <stdlib.h>
#include <string.h>

#include "format/lex.h"
#include "util/xalloc.h"

static bool is_space(char c)
{
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_alnum(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
               (unsigned char)c >= 0x80; /* Go allows Unicode letters: take UTF-8 bytes as such */
}

static bool is_digit(char c)
{
        return c >= '0' && c <= '9';
}

static void push(struct lexer *l, enum tok_type type, size_t pos, size_t len)
{
        if (l->n == l->cap) {
                l->cap = l->cap ? 2 * l->cap : 32;
                l->toks = xrealloc(l->toks, l->cap * sizeof(*l->toks));
        }
        l->toks[l->n++] = (struct token){ .type = type, .pos = pos, .len = len };
}

static int fail(struct lexer *l, size_t pos, const char *msg)
{
        l->err_pos = pos;
        l->err_msg = msg;
        return -1;
}

/* A right delimiter at i: "}}", or " -}}" (with trimming).  Returns its
 * length, 0 if none. */
static size_t right_delim(const struct lexer *l, size_t i, bool *trim)
{
        const char *s = l->src;

        if (i + 1 < l->len && s[i] == '}' && s[i + 1] == '}') {
                *trim = false;
                return 2;
        }
        if (i + 3 < l->len && is_space(s[i]) && s[i + 1] == '-' && s[i + 2] == '}' && s[i + 3] == '}') {
                *trim = true;
                return 4;
        }
        return 0;
}

static size_t scan_quoted(struct lexer *l, size_t i, char quote)
{
        const char *s = l->src;

        for (i++; i < l->len; i++) {
                if (s[i] == '\\' && quote != '`') {
                        i++;
                        if (i < l->len && s[i] == '\n')
                                return 0;
                        continue;
                }
                if (s[i] == '\n' && quote != '`')
                        return 0;
                if (s[i] == quote)
                        return i + 1;
        }
        return 0;
}

static size_t scan_number(const struct lexer *l, size_t i)
{
        const char *s = l->src;

        if (s[i] == '+' || s[i] == '-')
                i++;
        while (i < l->len) {
                char c = s[i];
                if ((c == '+' || c == '-') && (s[i - 1] == 'e' || s[i - 1] == 'E' || s[i - 1] == 'p' || s[i - 1] == 'P'))
                        i++;
                else if (is_alnum(c) || c == '.')
                        i++;
                else
                        break;
        }
        return i;
}

/* The words of one action, from i (after "{{" and any "- "); returns the
 * position after its right delimiter, or 0 with the error set. */
static size_t lex_action(struct lexer *l, size_t i, bool *trim_right)
{
        const char *s = l->src;
        size_t d, end;

        push(l, T_LEFT, i, 0);
        for (;;) {
                if (i >= l->len) {
                        fail(l, i, "unclosed action");
                        return 0;
                }
                if ((d = right_delim(l, i, trim_right)) != 0) {
                        push(l, T_RIGHT, i, d);
                        return i + d;
                }
                char c = s[i];
                if (is_space(c)) {
                        size_t start = i;
                        while (i < l->len && is_space(s[i]) && right_delim(l, i, trim_right) == 0)
                                i++;
                        if (i == start) /* " -}}" */
                                continue;
                        push(l, T_SPACE, start, i - start);
                        continue;
                }
                switch (c) {
                case '|':
                        push(l, T_PIPE, i++, 1);
                        continue;
                case '(':
                        push(l, T_LPAREN, i++, 1);
                        continue;
                case ')':
                        push(l, T_RPAREN, i++, 1);
                        continue;
                case ',':
                        push(l, T_COMMA, i++, 1);
                        continue;
                case '=':
                        push(l, T_ASSIGN, i++, 1);
                        continue;
                case ':':
                        if (i + 1 < l->len && s[i + 1] == '=') {
                                push(l, T_DECLARE, i, 2);
                                i += 2;
                                continue;
                        }
                        fail(l, i, "expected :=");
                        return 0;
                case '"':
                case '`':
                case '\'':
                        end = scan_quoted(l, i, c);
                        if (end == 0) {
                                fail(l, i, c == '\'' ? "unterminated character constant" : "unterminated quoted string");
                                return 0;
                        }
                        push(l, c == '"' ? T_STRING : c == '`' ? T_RAWSTRING : T_CHAR, i, end - i);
                        i = end;
                        continue;
                case '$':
                        end = i + 1;
                        while (end < l->len && is_alnum(s[end]))
                                end++;
                        push(l, T_VAR, i, end - i);
                        i = end;
                        continue;
                case '.':
                        if (i + 1 < l->len && is_digit(s[i + 1]))
                                break; /* a number such as .5 */
                        end = i + 1;
                        while (end < l->len && is_alnum(s[end]))
                                end++;
                        push(l, end == i + 1 ? T_DOT : T_FIELD, i, end - i);
                        i = end;
                        continue;
                default:
                        break;
                }
                if (is_digit(c) || c == '.' || ((c == '+' || c == '-') && i + 1 < l->len && is_digit(s[i + 1]))) {
                        end = scan_number(l, i);
                        push(l, T_NUMBER, i, end - i);
                        i = end;
                        continue;
                }
                if (is_alnum(c)) {
                        end = i;
                        while (end < l->len && is_alnum(s[end]))
                                end++;
                        push(l, T_IDENT, i, end - i);
                        i = end;
                        continue;
                }
                fail(l, i, "unrecognized character in action");
                return 0;
        }
}

/* A comment action from i (at the slash): returns the position after its
 * right delimiter, or 0. */
static size_t lex_comment(struct lexer *l, size_t i, bool *trim_right)
{
        const char *end = memmem(l->src + i + 2, l->len - i - 2, "*/", 2);
        size_t j, d;

        if (end == NULL) {
                fail(l, i, "unclosed comment");
                return 0;
        }
        j = (size_t)(end - l->src) + 2;
        if ((d = right_delim(l, j, trim_right)) == 0) {
                fail(l, j, "comment ends before closing delimiter");
                return 0;
        }
        return j + d;
}

int tpl_lex(struct lexer *l)
{
        const char *s = l->src;
        size_t i = 0;
        bool trim_next = false;

        while (i <= l->len) {
                const char *open = i < l->len ? memmem(s + i, l->len - i, "{{", 2) : NULL;
                size_t text_end = open ? (size_t)(open - s) : l->len;
                size_t start = i, stop = text_end, j;
                bool trim_left = open && text_end + 3 < l->len && s[text_end + 2] == '-' && is_space(s[text_end + 3]);
                bool trim_right = false;

                if (trim_next)
                        while (start < stop && is_space(s[start]))
                                start++;
                if (trim_left)
                        while (stop > start && is_space(s[stop - 1]))
                                stop--;
                if (stop > start)
                        push(l, T_TEXT, start, stop - start);
                if (open == NULL)
                        break;
                j = text_end + 2 + (trim_left ? 2 : 0);
                if (j + 1 < l->len && s[j] == '/' && s[j + 1] == '*') {
                        j = lex_comment(l, j, &trim_right);
                } else {
                        /* a comment must follow the delimiter directly, as in Go */
                        j = lex_action(l, j, &trim_right);
                }
                if (j == 0)
                        return -1;
                trim_next = trim_right;
                i = j;
        }
        push(l, T_EOF, l->len, 0);
        return 0;
}

void tpl_lexer_free(struct lexer *l)
{
        free(l->toks);
        l->toks = NULL;
        l->n = l->cap = 0;
}
