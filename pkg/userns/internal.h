/* pkg/userns internals shared by its files. */
#ifndef RC_USERNS_INTERNAL_H
#define RC_USERNS_INTERNAL_H

#include <stdint.h>
#include <sys/types.h>

#include "userns/userns.h"

/* Search path_env (NULL: $PATH) for an executable; a name with '/' is
 * checked as is.  Returns a malloc'd path or NULL. */

/* Run helper (newuidmap or newgidmap, a full path) as `helper PID c h s ...`.
 * Its stderr is captured and becomes part of the error. */
int userns_run_map_helper(const char *helper, pid_t pid, const struct rc_idmap *m, size_t n, rc_error **err);

/* Both helpers for pid: newgidmap first, then newuidmap. */
int userns_map_pid(const char *uidmap, const char *gidmap, pid_t pid, const struct rc_userns_mapping *m,
                   rc_error **err);

/* Start time of a process (field 22 of stat) from its /proc/PID dir fd;
 * 0 if unreadable or the process is a zombie. */
uint64_t userns_proc_start_time(int procfd);

/* The mapping a process's user namespace holds, from its /proc/PID fd. */
int userns_read_proc_mapping(int procfd, struct rc_userns_mapping *out, rc_error **err);

/* Hint appended to errors from creating a user namespace. */
const char *userns_unshare_hint(int errnum);

/* Pause process: pause.c. */
/* Open /proc/PID of the running pause process recorded in the pid file, or
 * -1 if there is none (missing, stale or reused pid). */
int userns_pause_open(const char *pidfile, pid_t *pid);
/* Create the pause process holding a namespace with mapping m; write the
 * pid file.  Caller holds the lock. */
int userns_pause_create(const char *pidfile, const char *uidmap, const char *gidmap,
                        const struct rc_userns_mapping *m, pid_t *out, rc_error **err);
/* A pause process of ours holding mapping m whose pid file was lost (its
 * runtime directory emptied at logout while it lived on): record it in
 * pidfile instead of leaving it behind.  Returns 1 if adopted, 0 if none. */
int userns_pause_adopt(const char *pidfile, const struct rc_userns_mapping *m, pid_t *out, rc_error **err);
/* Stop the pause process recorded in pidfile (if alive) and remove the file. */
int userns_pause_stop(const char *pidfile, rc_error **err);

#endif
