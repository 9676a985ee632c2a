/* Internal to pkg/runtime: steps the container child runs, each returning
 * -1 with errno set and a message in *msg (static or allocated text). */
#ifndef RC_RUNTIME_INTERNAL_H
#define RC_RUNTIME_INTERNAL_H

#include "runtime/runtime.h"

struct rc_child_error {
        int errnum;
        char msg[1024];
};

/* Format into e and return -1 (errno kept in e->errnum). */
int rc_child_fail(struct rc_child_error *e, int errnum, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* rootfs.c: everything from the root mount to pivot_root and the masked paths. */
int rc_setup_rootfs(const struct rc_spec *spec, struct rc_child_error *e);
/* caps.c */
int rc_apply_caps_and_ids(const struct rc_spec *spec, struct rc_child_error *e);
/* caps.c: load spec->seccomp (if any) when `before_caps` matches the order
 * its no_new_privileges setting needs; see struct rc_spec. */
int rc_apply_seccomp(const struct rc_spec *spec, bool before_caps, struct rc_child_error *e);
/* exec.c */
int rc_exec_process(const struct rc_spec *spec, struct rc_child_error *e);

#endif
