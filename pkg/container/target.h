/* Internal to pkg/container: reaching an existing container's process and
 * root from another rc command (exec, cp, top). */
#ifndef RC_CONTAINER_TARGET_H
#define RC_CONTAINER_TARGET_H

#include <stdbool.h>

#include "container/container.h"
#include "container/internal.h"
#include "store/store.h"

struct ctr_target {
        struct rc_container_rec rec;
        char *dir;     /* STORE/containers/ID */
        char *run_dir; /* RUNROOT/containers/ID */
        char *opts_path; /* its create.json */
        bool running;  /* its first process is alive (rec.pid, rec.pid_start) */
        int pidfd;     /* of that process, when running; else -1 */
};

/* Open the store, find the container by name or id and whether it runs.
 * No user namespace is joined: see ctr_target_enter_userns.  With store NULL the store is closed again before
 * returning (commands that run long must not hold it).  Fails with
 * ENOTCONN and "container X is not running: start it with rc start X"
 * when need_running and it is not. */
int ctr_target_find(const struct rc_config *cfg, const char *name_or_id, bool need_running, struct rc_store **store,
                    struct ctr_target *out, rc_error **err);
void ctr_target_free(struct ctr_target *t);

/* Join the running container's own user namespace (rc is then uid 0 there
 * with every capability over the container's namespaces).  Not the pause
 * process's: that one may have been re-created since the container
 * started (killed, rc system migrate), while the container's processes
 * keep the namespace they were born in; from the host the user owns both. */
int ctr_target_enter_userns(const struct ctr_target *t, rc_error **err);

/* rc exec's process in t (ctr_target_enter_userns first), set up from its
 * config.json with o's changes, its stdio as given; rc_runtime_exec's
 * contract (proc->exec_failed, ESRCH "not running"). */
struct rc_exec_opts;
int ctr_exec_start(const struct rc_config *cfg, const struct ctr_target *t, const struct rc_exec_opts *o,
                   const struct rc_runtime_stdio *stdio, struct rc_container_proc *proc, rc_error **err);

/* A directory fd (O_PATH) of the running container's root as its first
 * process sees it (/proc/PID/root: its mount namespace, its mounts), checked
 * to belong to that process and not to one that took its pid. */
int ctr_target_root(const struct ctr_target *t, rc_error **err);

/* Its config.json (at most 4 MiB), parsed as hostile input. */
int ctr_target_spec(const struct ctr_target *t, struct rc_spec *spec, rc_error **err);

/* A container's root file system, open for reading or writing files in it
 * (rc cp, rc export), whether the container runs or not. */
struct ctr_root {
        struct ctr_target t;
        struct ctr_state st;       /* a container that is not running: its mounted root */
        struct rc_saved_opts saved;
        bool loaded;
        int fd;                    /* O_PATH: the container's root */
};

/* Open NAME's root.  Running: rc joins the container's user namespace and
 * gets its root as the container sees it, with every mount the container
 * has (/etc/hosts, volumes, /proc); with bare, a detached copy of its root
 * mount alone, nothing mounted on top (what rc export writes).  Not running: mounted the way
 * rc start mounts it, in rc's own namespaces, until ctr_root_free. */
int ctr_root_open(const struct rc_config *cfg, const char *name, bool bare, struct ctr_root *r, rc_error **err);
void ctr_root_free(struct ctr_root *r);

#endif
