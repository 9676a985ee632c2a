/* Internal to pkg/format: the state of one execution, shared by the
 * evaluator and the functions. */
#ifndef RC_FORMAT_EXEC_H
#define RC_FORMAT_EXEC_H

#include "format/internal.h"

struct var;

struct exec {
        const struct rc_template *t;
        struct sbuf *out;
        rc_error **err;
        bool header;           /* rendering column headers */
        const char *root_type; /* opts->type_name, for errors */
        struct var *vars;      /* in scope, innermost last */
        size_t n_vars, cap_vars;
        int depth;
        size_t steps; /* nodes executed, bounded by TPL_MAX_STEPS */
};

/* exec_list's results besides 0 and -1 */
#define TPL_BREAK 1
#define TPL_CONTINUE 2

/* Evaluate a pipeline with dot; declare: also set the variables it
 * declares or assigns.  *out gets a new value. */
int tpl_eval_pipe(struct exec *x, const struct pipe *p, const struct val *dot, bool declare, struct val *out);

#endif
