/* Internal to pkg/runtime: steps the container child runs, each returning
 * -1 with errno set and a message in *msg (static or allocated text). */
#ifndef RC_RUNTIME_INTERNAL_H
#define RC_RUNTIME_INTERNAL_H

#include <signal.h>

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
/* After pivot_root (or joining the container's mount namespace): open
 * (O_PATH) the working directory, created if missing when `create`,
 * resolved inside the root with no /proc magic links (ELOOP, with a message
 * that says so); rc_enter_workdir fchdirs to it once the ids are dropped. */
int rc_open_workdir(const char *cwd, bool create, struct rc_child_error *e);
int rc_enter_workdir(int fd, const char *cwd, struct rc_child_error *e);
/* caps.c */
int rc_apply_caps_and_ids(const struct rc_spec *spec, struct rc_child_error *e);
/* The sync socket: the child sends RC_SYNC_TERMINAL (one byte, with the
 * pty master), RC_SYNC_TAP (one byte, with the tap device), or an
 * rc_child_error; EOF means it exec'd. */
enum { RC_SYNC_DONE, RC_SYNC_TERMINAL, RC_SYNC_ERROR, RC_SYNC_TAP };

/* tap.c: in the child, in its new network namespace: the tap device of
 * spec->tap, up, addressed, the default route through it; its fd sent to rc. */
int rc_child_setup_tap(const struct rc_spec_tap *t, int sync_fd, struct rc_child_error *e);

/* terminal.c: in the child, after pivot_root: a pty from the container's
 * devpts as controlling terminal and stdio, its master sent to rc. */
int rc_child_setup_terminal(const struct rc_runtime_stdio *stdio, uid_t uid, int sync_fd, struct rc_child_error *e);
/* In the child: one message of RC_SYNC_TERMINAL or RC_SYNC_TAP with its fd.
 * 0, or -1 with errno. */
int rc_sync_send_fd(int sync_fd, char tag, int fd);
/* In rc: one message from the child (RC_SYNC_*); a terminal's fd goes to
 * *terminal_fd, a tap's to *tap_fd (each if it is -1 and the pointer not
 * NULL; any other fd received is closed). */
int rc_sync_recv(int sync_fd, struct rc_child_error *e, int *terminal_fd, int *tap_fd);
/* In rc: relay stdio <-> master until every copy of the slave is closed,
 * with stdio->in in raw mode when it is a terminal (restored before
 * returning); SIGWINCH resizes, other signals from sigfd go to pidfd. */
int rc_terminal_relay(int master, const struct rc_runtime_stdio *stdio, int pidfd, int sigfd, rc_error **err);
/* caps.c: load spec->seccomp (if any) when `before_caps` matches the order
 * its no_new_privileges setting needs; see struct rc_spec. */
int rc_apply_seccomp(const struct rc_spec *spec, bool before_caps, struct rc_child_error *e);
/* init.c: --init.  Where rc's argv lies (/proc/self/stat), read before
 * pivot_root; rc_init_start forks: returns 0 in the child, which goes on to
 * exec the command; the parent becomes the container's init and never
 * returns (see init.c). */
struct rc_init_title {
        unsigned long arg_start, arg_end;
};
int rc_init_read_title(struct rc_init_title *t);
int rc_init_start(int sync_fd, const struct rc_init_title *title, struct rc_child_error *e);
/* rootfs.c: the root read-only (spec->root_readonly), after the working
 * directory was created */
int rc_remount_root_ro(const struct rc_spec *spec, struct rc_child_error *e);
/* exec.c */
int rc_exec_process(const struct rc_spec *spec, struct rc_child_error *e);

/* process.c: the steps every container child takes, whether it starts a
 * container (rc_runtime_start) or joins one (rc_runtime_exec, join.c). */
/* The signals rc_runtime_wait forwards; blocked in rc from before the
 * fork, set back to their default in the child. */
void rc_forwarded_signals(sigset_t *set);
void rc_child_default_signals(void);
/* First, before anything of the container is looked at: stdio in place,
 * rc's own /dev/null opened (*devnull), every other fd closed but the sync
 * socket and *extra (if not NULL), which are moved above 2 (their numbers
 * are updated), and a new session keyring. */
int rc_child_begin(const struct rc_runtime_stdio *stdio, int *sync_fd, int *devnull, int *extra,
                   struct rc_child_error *e);
int rc_apply_rlimits(const struct rc_spec *spec, struct rc_child_error *e);
/* Last: the terminal, the working directory, seccomp, capabilities and
 * ids, no signal blocked, exec.  Returns only on failure. */
int rc_child_exec(const struct rc_spec *spec, const struct rc_runtime_stdio *stdio, int sync_fd, bool create_workdir,
                  const struct rc_init_title *init, struct rc_child_error *e);
/* In rc: read the child's messages until it exec'd (0, *proc filled) or
 * failed (-1, reaped, the child's error; old_mask restored).  Closes
 * sync_fd, and pidfd on failure. */
int rc_child_started(int sync_fd, pid_t pid, int pidfd, const struct rc_runtime_stdio *stdio, const sigset_t *old_mask,
                     struct rc_container_proc *proc, rc_error **err);

#endif
