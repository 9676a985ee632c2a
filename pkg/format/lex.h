/* Internal to pkg/format: the template's tokens. */
#ifndef RC_FORMAT_LEX_H
#define RC_FORMAT_LEX_H

#include <stddef.h>

enum tok_type {
        T_EOF,
        T_TEXT,     /* literal text, trim markers applied */
        T_LEFT,     /* start of an action */
        T_RIGHT,    /* end of an action */
        T_SPACE,
        T_FIELD,    /* .Name */
        T_DOT,      /* . */
        T_VAR,      /* $ or $name */
        T_IDENT,    /* function names and keywords */
        T_STRING,   /* "..." as written */
        T_RAWSTRING, /* `...` as written */
        T_CHAR,     /* 'x' as written */
        T_NUMBER,
        T_PIPE,
        T_LPAREN,
        T_RPAREN,
        T_DECLARE,  /* := */
        T_ASSIGN,   /* = */
        T_COMMA,
};

struct token {
        enum tok_type type;
        size_t pos, len; /* in the source */
};

struct lexer {
        const char *src;
        size_t len;
        struct token *toks;
        size_t n, cap;
        size_t err_pos;      /* when tpl_lex fails */
        const char *err_msg;
};

/* Tokenise l->src[0..l->len); the list ends with T_EOF.  -1 with err_pos
 * and err_msg set on a lexical error. */
int tpl_lex(struct lexer *l);
void tpl_lexer_free(struct lexer *l);

#endif
