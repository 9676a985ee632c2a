#include "util/error.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

int rc_error_setv(rc_error **err, int errnum, const char *fmt, va_list ap)
{
        char *base = NULL;
        rc_error *e;

        if (err == NULL)
                return -1;
        assert(*err == NULL);
        if (vasprintf(&base, fmt, ap) < 0)
                abort();
        e = xmalloc(sizeof(*e));
        e->errnum = errnum;
        if (errnum != 0) {
                e->msg = xasprintf("%s: %s", base, strerror(errnum));
                free(base);
        } else {
                e->msg = base;
        }
        *err = e;
        return -1;
}

int rc_error_set(rc_error **err, int errnum, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        rc_error_setv(err, errnum, fmt, ap);
        va_end(ap);
        return -1;
}

int rc_error_code(rc_error **err, int errnum, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        rc_error_setv(err, 0, fmt, ap);
        va_end(ap);
        if (err && *err)
                (*err)->errnum = errnum;
        return -1;
}

/* Put "ctx: " before (prefix) or "; ctx" after the message of *err. */
static __attribute__((format(printf, 3, 0))) int amend(rc_error **err, bool prefix, const char *fmt, va_list ap)
{
        char *ctx = NULL, *joined;

        if (err == NULL || *err == NULL)
                return -1;
        if (vasprintf(&ctx, fmt, ap) < 0)
                abort();
        joined = prefix ? xasprintf("%s: %s", ctx, (*err)->msg) : xasprintf("%s; %s", (*err)->msg, ctx);
        free(ctx);
        free((*err)->msg);
        (*err)->msg = joined;
        return -1;
}

int rc_error_wrap(rc_error **err, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        amend(err, true, fmt, ap);
        va_end(ap);
        return -1;
}

int rc_error_hint(rc_error **err, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        amend(err, false, fmt, ap);
        va_end(ap);
        return -1;
}

int rc_error_errno(const rc_error *err)
{
        return err ? err->errnum : 0;
}

void rc_error_free(rc_error *err)
{
        if (err == NULL)
                return;
        free(err->msg);
        free(err);
}

void rc_error_freep(rc_error **err)
{
        rc_error_free(*err);
        *err = NULL;
}
