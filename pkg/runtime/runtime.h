/* The runtime: OCI runtime-spec semantics for one container process.
 *
 * The caller builds a struct rc_spec (the subset of config.json rc uses)
 * and calls rc_runtime_start from inside rc's user namespace, with the
 * container's root file system already assembled at spec->root_path.
 * rc_runtime_start clones the namespaces, sets up mounts, /dev, pivot_root,
 * masked paths, host name, rlimits, ids and capabilities, and execs the
 * process; rc_runtime_wait forwards signals and collects the status. */
#ifndef RC_RUNTIME_RUNTIME_H
#define RC_RUNTIME_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/types.h>

#include "util/error.h"

struct rc_seccomp_filter; /* pkg/seccomp */

struct rc_spec_mount {
        char *destination; /* absolute path inside the container */
        char *type;        /* proc, sysfs, tmpfs, devpts, mqueue, bind */
        char *source;
        char **options;    /* NULL-terminated spec options: ro, nosuid, nodev, noexec, bind, rbind,
                              rprivate, ..., or file system data such as mode=755, size=65536k */
};

struct rc_spec_id_mapping {
        uint32_t container_id, host_id, size;
};

struct rc_spec_rlimit {
        int type; /* RLIMIT_* */
        uint64_t soft, hard;
};

/* The container's end of the user-mode network (not in config.json). */
struct rc_spec_tap {
        char name[16];             /* "tap0" */
        unsigned mtu;
        struct in_addr addr, netmask, gateway;
};

struct json_object;

struct rc_spec {
        /* process */
        char **args;               /* argv; args[0] is looked up in env's PATH unless it has a '/' */
        char **env;                /* KEY=VALUE */
        char *cwd;                 /* absolute; created if missing, as docker does */
        uint32_t uid, gid;
        uint32_t umask;            /* the process's file mode creation mask (0022 by default, as podman) */
        uint32_t *additional_gids;
        size_t n_additional_gids;
        bool no_new_privileges;
        char **cap_bounding, **cap_effective, **cap_permitted, **cap_inheritable, **cap_ambient; /* "CAP_CHOWN" */
        struct rc_spec_rlimit *rlimits;
        size_t n_rlimits;
        /* root and host name */
        char *root_path;
        bool root_readonly;
        char *hostname;            /* set when CLONE_NEWUTS is in namespaces */
        struct rc_spec_mount *mounts;
        size_t n_mounts;
        /* linux */
        unsigned namespaces;       /* CLONE_NEW* flags to create.  rc runs in its own user namespace
                                      already; with CLONE_NEWUSER the container gets one of its own inside
                                      it (--userns=keep-id), mapped as uid_mappings and gid_mappings say */
        struct rc_spec_id_mapping *uid_mappings, *gid_mappings; /* with CLONE_NEWUSER: container id ->
                                                                   id of rc's namespace; written by rc */
        size_t n_uid_mappings, n_gid_mappings;
        bool init;                 /* --init: rc's own init is pid 1 and the command its child */
        char **masked_paths;       /* made inaccessible: /dev/null over files, empty read-only tmpfs over dirs */
        char **readonly_paths;     /* bind-mounted read-only */
        char **sysctls;            /* "KEY=VALUE" (net.ipv4.ping_group_range=0 1000), written to the
                                      container's /proc/sys before it is made read-only; NULL: none */
        struct rc_seccomp_filter *seccomp; /* compiled filter, owned; NULL: unconfined.  Loaded as the last
                                              step before exec when no_new_privileges is set, else before
                                              capabilities are dropped (loading needs CAP_SYS_ADMIN then) */
        /* Not in config.json: called in rc by rc_runtime_start once the container's process exists and
         * before it takes a step of its own (it waits on its sync socket for rc's go meanwhile); rc puts
         * it in its cgroup there.  With CLONE_NEWCGROUP the process unshares its cgroup namespace only
         * after the go, so the cgroup it sees as its root is its own.  -1 ends the start with that error.
         * NULL: no wait at all. */
        int (*created)(void *ctx, pid_t pid, rc_error **err);
        void *created_ctx;
        /* Not in config.json: with CLONE_NEWNET, a tap device made in the new namespace, its fd handed to
         * rc (proc->tap).  NULL: only loopback. */
        const struct rc_spec_tap *tap;
};

/* docker's defaults: /proc, /dev (tmpfs), /dev/pts, /dev/shm, /dev/mqueue, /sys (ro); docker's default
 * capability set; no_new_privileges; docker's masked and read-only paths; RLIMIT_NOFILE 1048576. */
void rc_spec_init_default(struct rc_spec *spec);
void rc_spec_free(struct rc_spec *spec);
/* A sysctl's name as a path below /proc/sys may take it: dot- or
 * slash-separated words of [a-z0-9_-] (digits and '-', interface names'
 * other characters, are allowed), no empty word, at most 128 bytes. */
bool rc_sysctl_key_ok(const char *key);
/* The namespace a sysctl belongs to, so that a container may set it:
 * "net", "ipc", or NULL when it is the host's (kernel.hostname and the
 * like are UTS: -h sets them). */
const char *rc_sysctl_namespace(const char *key);
/* "KEY=VALUE" entries as the OCI object {"KEY": "VALUE"} (linux.sysctl,
 * and rc inspect's HostConfig.Sysctls). */
struct json_object *rc_sysctls_json(char *const *kv);
/* config.json form (for inspect, and the container's directory). */
int rc_spec_to_json(const struct rc_spec *spec, char **out, rc_error **err);
/* The inverse, for the fields rc_spec_to_json writes (spec_json.c), from a
 * file that may have been tampered with: types, ranges and sizes are
 * checked and an error names the field.  The seccomp filter is not in
 * config.json (only a summary): out->seccomp is NULL, the caller compiles
 * the container's profile again.  *out (free with rc_spec_free) is set
 * only on success. */
int rc_spec_from_json(const char *json, size_t len, struct rc_spec *out, rc_error **err);

struct rc_runtime_stdio {
        int in, out, err; /* fds that become the container's 0, 1, 2; -1 = /dev/null */
        bool terminal;    /* -t: the container's 0, 1, 2 are a new terminal of its own devpts instead;
                             rc_runtime_wait relays `in` to it and it to `out` */
        unsigned short rows, cols; /* the terminal's first size (0: unknown) */
};

struct rc_container_proc {
        pid_t pid;  /* as seen from rc */
        int pidfd;
        bool exec_failed; /* set by a failed rc_runtime_start when the command itself could not be executed */
        int terminal;     /* with stdio->terminal: the pty master, else -1 */
        int tap;          /* with spec->tap: the tap device, else -1 (the caller closes it) */
};

/* Start the container process.  Returns once it has exec'd, or -1 with the
 * error the child met; when that was the exec (proc->exec_failed), its
 * errno is ENOENT when the command was not found and EACCES when it could
 * not be executed.  Signals rc_runtime_wait forwards are blocked from here
 * on, so none is lost in between. */
int rc_runtime_start(const struct rc_spec *spec, const struct rc_runtime_stdio *stdio, struct rc_container_proc *proc,
                     rc_error **err);

/* Start `process` inside the running container whose first process is
 * target (its start time target_start, /proc/PID/stat field 22, so a
 * recycled pid is refused with ESRCH): in all of its namespaces that are
 * not rc's own, with process's args, env, cwd (which must exist), uid,
 * gid, additional gids, capabilities, rlimits, no_new_privileges and
 * seccomp filter; the rest of the spec is not used.  Never dumpable before
 * its exec.  Call from rc's user namespace (rc_userns_enter).  Returns
 * once it has exec'd, or -1 as rc_runtime_start does (proc->exec_failed);
 * ESRCH when the container's process is gone.  rc_runtime_wait then works
 * on it: it is rc's child.  cgroup_procs_fd (or -1): the container's
 * cgroup.procs, opened for writing; the process is born in that cgroup
 * when the kernel allows the move (logged at level info when not). */
int rc_runtime_exec(pid_t target, uint64_t target_start, const struct rc_spec *process, int cgroup_procs_fd,
                    const struct rc_runtime_stdio *stdio, struct rc_container_proc *proc, rc_error **err);

/* Wait for the container process, forwarding SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 and
 * SIGWINCH to it.  With a terminal (proc->terminal), relay it to and from stdio first: stdio->in
 * goes to raw mode while it is a terminal (restored on every return) and SIGWINCH resizes the
 * container's terminal.  *exit_code: its status, or 128+N when killed by signal N.  Closes
 * proc->pidfd and proc->terminal. */
int rc_runtime_wait(struct rc_container_proc *proc, const struct rc_runtime_stdio *stdio, int *exit_code,
                    rc_error **err);

/* Capability number for "CAP_CHOWN" or "chown"; -1 if unknown. */
int rc_cap_from_name(const char *name);
const char *rc_cap_name(int cap);

#endif
