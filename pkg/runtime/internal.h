/* Internal to pkg/runtime: steps the container child runs, each returning
 * -1 with errno set and a message in *msg (static or allocated text). */
#ifndef RC_RUNTIME_INTERNAL_H
#define RC_RUNTIME_INTERNAL_H

#include "runtime/runtime.h"

struct rc_child_error {
        int errnum;
        bool at_exec; /* the command itself could not be executed */
        char msg[1024];
};

/* Format into e and return -1 (errno kept in e->errnum). */
int rc_child_fail(struct rc_child_error *e, int errnum, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* rootfs.c: everything from the root mount to pivot_root and the masked
 * paths; devnull is rc's own /dev/null, the source of every file mask. */
int rc_setup_rootfs(const struct rc_spec *spec, int devnull, struct rc_child_error *e);
/* After pivot_root: open (O_PATH) the working directory, created if missing,
 * resolved inside the root with no /proc magic links (ELOOP, with a message
 * that says so); rc_enter_workdir fchdirs to it once the ids are dropped. */
int rc_open_workdir(const char *cwd, struct rc_child_error *e);
int rc_enter_workdir(int fd, const char *cwd, struct rc_child_error *e);
/* caps.c */
int rc_apply_caps_and_ids(const struct rc_spec *spec, struct rc_child_error *e);
/* exec.c */
int rc_exec_process(const struct rc_spec *spec, struct rc_child_error *e);

#endif
