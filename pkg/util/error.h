/* rc error values.
 *
 * Contract: a function that can fail takes `rc_error **err` as its last
 * argument and returns a negative value (normally -1) on failure, with *err
 * set to a new error the caller owns.  On success *err is untouched.  A caller
 * either handles the error (and frees it with rc_error_free) or passes it up,
 * optionally adding context with rc_error_wrap, which returns -1 so that
 * `return rc_error_wrap(err, "pull %s", ref);` reads naturally.
 *
 * Messages chain outer context first: "import bb.tar: layer: write etc/x: No
 * space left on device".  Library code never prints errors; cmd/ does, once.
 */
#ifndef RC_UTIL_ERROR_H
#define RC_UTIL_ERROR_H

#include <stdarg.h>

typedef struct rc_error {
        int errnum; /* errno value that caused it, 0 if none */
        char *msg;  /* full message, including strerror(errnum) if set */
} rc_error;

/* Set *err to a new error.  errnum != 0 appends ": strerror(errnum)".
 * Returns -1.  Debug builds abort if *err is already set (an error must
 * never be silently overwritten). */
int rc_error_set(rc_error **err, int errnum, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
int rc_error_setv(rc_error **err, int errnum, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));

/* Like rc_error_set, for a message that already says everything: the
 * error carries errnum for callers to test (ENOENT: not found) but its
 * message gets no strerror text.  Returns -1. */
int rc_error_code(rc_error **err, int errnum, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Prefix "context: " to an existing error.  Returns -1. */
int rc_error_wrap(rc_error **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Append "; what to do" to an existing error.  Returns -1. */
int rc_error_hint(rc_error **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* errno of an error, or 0. */
int rc_error_errno(const rc_error *err);

void rc_error_free(rc_error *err);
void rc_error_freep(rc_error **err);

#define cleanup_error __attribute__((cleanup(rc_error_freep)))

#endif
