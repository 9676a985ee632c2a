/* Internal to pkg/format: the parsed template, values during execution,
 * and a growing string buffer. */
#ifndef RC_FORMAT_INTERNAL_H
#define RC_FORMAT_INTERNAL_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "format/format.h"

/* Limits that keep hostile or mistyped templates cheap. */
#define TPL_MAX_DEPTH 64                 /* nesting of blocks and parentheses */
#define TPL_MAX_OUTPUT (64u * 1024 * 1024) /* bytes one execution may produce */
#define TPL_MAX_WIDTH 100000             /* printf width and precision, pad counts */
#define TPL_MAX_STEPS 10000000           /* nodes and range iterations one execution may run */

/* ---- string buffer ---- */
struct sbuf {
        char *s;
        size_t len, cap;
};
void sb_putn(struct sbuf *b, const char *s, size_t n);
void sb_puts(struct sbuf *b, const char *s);
void sb_putc(struct sbuf *b, char c);
void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The NUL-terminated string, which the caller owns; b is emptied. */
char *sb_steal(struct sbuf *b);
/* UTF-8 characters in s[0..n) (bytes that are not UTF-8 count one each). */
size_t utf8_count(const char *s, size_t n);

/* ---- the parsed template ---- */
enum arg_kind {
        A_FIELD,  /* .A.B on dot */
        A_DOT,    /* . */
        A_VAR,    /* $x.A.B (fields may be empty) */
        A_FUNC,   /* an identifier naming a function */
        A_STRING,
        A_INT,
        A_FLOAT,
        A_BOOL,
        A_NIL,
        A_PIPE,   /* ( pipeline ).A.B */
};

struct pipe;

struct arg {
        enum arg_kind kind;
        char *str;      /* string value, function or variable name */
        size_t str_len; /* strings may hold NUL bytes */
        char **fields;  /* field chain, NULL-terminated (may be NULL) */
        int64_t i;
        double f;
        bool b;
        struct pipe *pipe;
        size_t pos, end; /* source span, for errors */
};

struct cmd {
        struct arg *args;
        size_t n;
        size_t pos, end;
};

struct pipe {
        char **decl; /* variables declared (":=") or assigned ("="), NULL-terminated, or NULL */
        bool assign;
        struct cmd *cmds;
        size_t n;
        size_t pos, end;
};

enum node_kind { N_TEXT, N_ACTION, N_IF, N_RANGE, N_WITH, N_BREAK, N_CONTINUE };

struct list {
        struct node *nodes;
        size_t n;
};

struct node {
        enum node_kind kind;
        char *text; /* N_TEXT */
        size_t len;
        struct pipe *pipe; /* action or condition */
        struct list body, else_body;
        size_t pos;
};

struct rc_template {
        char *src;
        char *name;
        const struct rc_template_opts *opts;
        struct list root;
};

/* "template: NAME:LINE:COL: " + message (parse errors) */
int tpl_error_at(const struct rc_template *t, size_t pos, rc_error **err, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
void tpl_list_free(struct list *l);
void tpl_pipe_free(struct pipe *p);

/* ---- values during execution ---- */
enum val_kind {
        V_JSON,    /* j (NULL: JSON null) */
        V_NOVALUE, /* a missing map key: prints "<no value>" */
        V_HEADER,  /* dot while rendering headers */
};

struct val {
        enum val_kind kind;
        json_object *j; /* a reference the val owns */
        bool is_map;    /* an object read as a map (missing keys are not errors) */
};

struct val val_json(json_object *j); /* takes a new reference */
struct val val_take(json_object *j); /* takes over the caller's reference */
struct val val_novalue(void);
struct val val_copy(const struct val *v);
void val_free(struct val *v);
struct val val_string(const char *s);
struct val val_stringn(const char *s, size_t n);
bool val_truth(const struct val *v);
/* Go's %v into b. */
void val_print(struct sbuf *b, const struct val *v);
/* "string", "int", "float64", "bool", "[]interface {}", "map[string]interface {}", "<nil>" */
const char *val_type(const struct val *v);
bool val_is_string(const struct val *v);
/* Go's shortest %v of a float64. */
void go_float(struct sbuf *b, double d);
/* Go's strconv.Quote. */
void go_quote(struct sbuf *b, const char *s, size_t n);

/* ---- functions (funcs.c) and printf (printf.c) ---- */
struct exec;
typedef int (*tpl_func)(struct exec *x, struct val *args, size_t n, struct val *out, rc_error **err);
/* The function named `name`, or NULL.  and/or evaluate lazily in exec.c. */
tpl_func tpl_func_find(const char *name);
bool tpl_func_known(const char *name);
void go_sprintf(struct sbuf *b, const char *fmt, size_t fmt_len, const struct val *args, size_t n);
void go_sprint(struct sbuf *b, const struct val *args, size_t n, bool ln);

#endif
