/* Containers: from "run this image with these options" to a runtime spec,
 * a root file system and a waited-for process, with the store kept
 * consistent whatever happens. */
#ifndef RC_CONTAINER_CONTAINER_H
#define RC_CONTAINER_CONTAINER_H

#include <stdbool.h>
#include <stdint.h>

struct json_object;
struct rc_store;
struct rc_container_rec;

#include "cgroup/cgroup.h"
#include "config/config.h"
#include "health/health.h"
#include "image/image.h"
#include "net/net.h"
#include "runtime/runtime.h"
#include "util/error.h"

enum rc_restart_policy { RC_RESTART_NO, RC_RESTART_ON_FAILURE, RC_RESTART_ALWAYS, RC_RESTART_UNLESS_STOPPED };

/* A mount the user asked for (-v, --mount, --tmpfs) or an image's VOLUME
 * brings (mountspec.c). */
enum rc_mount_kind { RC_MOUNT_BIND, RC_MOUNT_VOLUME, RC_MOUNT_TMPFS };
struct rc_mount_req {
        enum rc_mount_kind kind;
        char *source;      /* bind: an absolute host path; volume: its name (NULL: a new anonymous one,
                              named at create); tmpfs: NULL */
        char *destination; /* absolute and clean (no "//", ".", ".."), never "/" */
        bool readonly;
        bool anonymous;    /* volume: made for this container (a bare -v PATH or the image's VOLUME);
                              removed with it by rc rm -v and --rm */
        bool nocopy;       /* volume: the image's content at destination is not copied into it */
        char **options;    /* runtime mount options besides ro: nosuid, noexec, rprivate, bind, ...;
                              tmpfs data such as size=64m, mode=1777 */
};

struct rc_run_opts {
        const char *image;        /* what the user typed */
        bool detach;              /* -d: a monitor looks after it; rc returns once it runs */
        const char *name;         /* NULL: generated */
        bool auto_remove;         /* --rm */
        bool interactive;         /* -i: pass stdin */
        bool tty;                 /* -t: a terminal of the container's own, relayed by rc */
        char **env;               /* -e K=V or K (from rc's environment) */
        const char *workdir;      /* -w */
        const char *entrypoint;   /* --entrypoint; "" clears the image's */
        char **cmd;               /* command and arguments after the image */
        const char *network;      /* none|host|slirp[:OPTS]; NULL: configuration default */
        char **publish;           /* -p [IP:][HOST:]CTR[/PROTO] as given (checked by ctr_check_opts) */
        bool publish_all;         /* -P: the image's EXPOSEd ports on free host ports */
        char **dns, **dns_search, **dns_option; /* --dns, --dns-search, --dns-option */
        char **add_host;          /* --add-host NAME:IP */
        char **expose;            /* --expose, one "PORT/PROTO" each: ports -P publishes besides the image's */
        char **sysctls;           /* --sysctl KEY=VALUE (checked by ctr_check_opts) */
        bool umask_set;           /* --umask given: umask below, else 0022 */
        unsigned umask;
        bool no_hosts;            /* --no-hosts: the image's /etc/hosts stays */
        const char *hostname;     /* -h; NULL: short id */
        const char *user;         /* -u; NULL: image's */
        const char *seccomp;      /* --security-opt seccomp=: NULL: rc's default profile; "unconfined": no
                                     filter; else a JSON profile file */
        enum rc_restart_policy restart_policy; /* --restart */
        int restart_max;          /* on-failure:N (0: no limit) */
        uint64_t log_max_size;    /* --log-opt max-size (0: no limit) */
        const char *stop_signal;  /* --stop-signal; NULL: the image's, else SIGTERM */
        int stop_timeout;         /* --stop-timeout seconds; -1: 10 */
        struct rc_cgroup_limits limits; /* --memory, --cpus, --pids-limit...: checked against the cgroup
                                           manager before anything is created */
        bool replace;             /* --replace: a container with the same name is removed first */
        enum rc_sdnotify {
                RC_SDNOTIFY_MONITOR,
                RC_SDNOTIFY_IGNORE,
                RC_SDNOTIFY_CONTAINER
        } sdnotify;               /* --sdnotify: who tells a service manager ($NOTIFY_SOCKET) that the
                                     container runs: its monitor (READY=1 and MAINPID, podman's "conmon"),
                                     nobody, or the container itself through a socket its monitor relays
                                     (the monitor sends MAINPID) */
        char **create_command;    /* the command line that created it (rc generate systemd --new) */
        enum { RC_PULL_MISSING, RC_PULL_ALWAYS, RC_PULL_NEVER } pull; /* --pull */
        bool skip_tls_verify;     /* --tls-verify=false, for a pull */
        void (*pull_progress)(void *ctx, const char *what, const char *digest, int64_t done, int64_t total);
        /* Everything below is off when zero.  Paths are absolute and file
         * contents (--env-file, --label-file) read before create. */
        struct rc_mount_req *mounts; /* -v, --mount, --tmpfs in command-line order */
        size_t n_mounts;
        bool read_only;           /* --read-only: the root file system is mounted read-only */
        bool no_read_only_tmpfs;  /* --read-only-tmpfs=false: no tmpfs on /tmp, /var/tmp, /run then */
        char **cap_add, **cap_drop; /* --cap-add/--cap-drop: names as given, or ALL */
        bool privileged;          /* --privileged */
        bool no_new_privileges;   /* --security-opt no-new-privileges (rc sets it anyway unless
                                     --privileged; this keeps it then) */
        char **mask, **unmask;    /* --security-opt mask=/unmask= paths; unmask may hold ALL or globs */
        char **group_add;         /* --group-add: group names or ids */
        char **ulimits;           /* --ulimit: "nofile=1024:2048" */
        char **labels;            /* --label, --label-file: "key=value" */
        const char *cidfile;      /* --cidfile: the id is written there at create */
        const char *userns;       /* --userns: NULL or "host" (rc's), "keep-id[:uid=N,gid=N]" */
        bool init;                /* --init: rc's own init is pid 1 */
        struct rc_health_flags health; /* --health-*, --no-healthcheck; create.json holds the check
                                     resolved against the image (or disable) */
};

/* Run a container.  In the foreground (no opts->detach) until it exits:
 * *exit_code gets its status (128+N for signal N).  Detached: returns once
 * it runs, with its id in id_out.  On failure (-1) *exit_code is 127 if the
 * command was not found, 126 if it could not be executed, else 125
 * (docker's codes). */
int rc_container_run(const struct rc_config *cfg, const struct rc_run_opts *opts, char id_out[65], int *exit_code,
                     rc_error **err);
/* rc create: the record, directory and options, nothing started. */
int rc_container_create(const struct rc_config *cfg, const struct rc_run_opts *opts, char id_out[65], rc_error **err);
/* rc start: detached, or with attach in the foreground until it exits
 * (*exit_code).  A running container is left alone (0). */
int rc_container_start(const struct rc_config *cfg, const char *name_or_id, bool attach, int *exit_code,
                       rc_error **err);

/* A build step (step.c): a container created from opts like rc run's (by
 * image id, with the step's user, environment, working directory and
 * command; opts->auto_remove should be set so that a crash leaves nothing
 * behind), run in the foreground with stdin_fd (-1: /dev/null) and rc's
 * own stdout and stderr, or out_fd for both (>= 0).  When the command
 * exits 0, `changes` is called with where its root's changes are, after
 * the root is unmounted; the container is removed whatever happens.
 * *exit_code: the command's status (128+N for signal N); 127/126 with -1
 * when it could not be executed. */
struct rc_container_changes {
        const char *driver;        /* storage driver name */
        const char *dir;           /* overlay, fuse-overlayfs: the upper directory; vfs: the whole root */
        char *const *layer_dirs;   /* the image's layer directories, base first */
};
typedef int (*rc_container_changes_fn)(void *ctx, const struct rc_container_changes *c, rc_error **err);
int rc_container_run_step(const struct rc_config *cfg, const struct rc_run_opts *opts, int stdin_fd, int out_fd,
                          rc_container_changes_fn changes, void *ctx, int *exit_code, rc_error **err);

/* Lifecycle of a container by name or id (lifecycle.c).  They join rc's
 * user namespace to signal processes of any uid in it. */
/* Send sig to its first process (not running: ENOTCONN, a clear message);
 * stop_requested keeps a restart policy from restarting it. */
int rc_container_kill(const struct rc_config *cfg, const char *name_or_id, int sig, rc_error **err);
/* Its stop signal, then SIGKILL after timeout seconds (-1: its own
 * stop timeout); returns once its monitor recorded the exit.  Not running
 * is not an error. */
int rc_container_stop(const struct rc_config *cfg, const char *name_or_id, int timeout, rc_error **err);
/* Wait until it is not running; *exit_code: its status. */
int rc_container_wait(const struct rc_config *cfg, const char *name_or_id, int *exit_code, rc_error **err);
/* Remove; force: stop it first (SIGKILL) if it runs, and clean up what a
 * killed monitor left (a fuse-overlayfs daemon). */
int rc_container_remove(const struct rc_config *cfg, struct rc_store *store, const char *name_or_id, bool force,
                        rc_error **err);
/* The same, and its anonymous volumes (rc rm -v). */
int rc_container_remove_with_volumes(const struct rc_config *cfg, struct rc_store *store, const char *name_or_id,
                                     bool force, rc_error **err);

/* Resource control of a running container (cgroups.c).  ENOTCONN: not
 * running; ENOENT: it has no cgroup of its own (cgroup manager none). */
/* rc pause / rc unpause: freeze or thaw every process (cgroup.freeze). */
int rc_container_pause(const struct rc_config *cfg, const char *name_or_id, bool pause, rc_error **err);
/* Running and frozen. */
bool rc_container_paused(const struct rc_container_rec *rec);
/* rc update: the limits given (non-zero fields) replace the container's,
 * now if it runs and for its next start; checked like rc run's. */
int rc_container_update(const struct rc_config *cfg, const char *name_or_id, const struct rc_cgroup_limits *l,
                        rc_error **err);
/* Its cgroup's counters (call in rc's user namespace, as rc_cli_open_store does). */
int rc_container_cgroup_stats(const struct rc_container_rec *rec, struct rc_cgroup_stats *out, rc_error **err);
/* Whether its last run was ended by the OOM killer (dir: its directory). */
bool rc_container_oom_killed(const char *dir);

/* The ports a running container publishes (dir: its directory); none
 * (*n 0) when it does not run or publishes none.  Free *ports. */
int rc_container_ports(const char *dir, struct rc_net_port **ports, size_t *n, rc_error **err);

/* rc inspect: podman's fields (Id, State, Config, HostConfig...) as a new
 * JSON object; ENOENT when there is no such container. */
int rc_container_inspect(const struct rc_config *cfg, struct rc_store *s, const char *name_or_id,
                         struct json_object **out, rc_error **err);

/* rc attach (attach_client.c): relay the user's stdio (raw mode on a
 * terminal) to a detached container until it exits (*exit_code: its
 * status) or the detach keys are typed (0; it goes on running). */
struct rc_attach_opts {
        const char *detach_keys; /* NULL: ctrl-p,ctrl-q; "": never detach */
        bool no_stdin;
};
int rc_container_attach(const struct rc_config *cfg, const char *name_or_id, const struct rc_attach_opts *opts,
                        int *exit_code, rc_error **err);
/* "ctrl-p,ctrl-q" -> the bytes 0x10 0x11 (*n of them, at most cap). */
int rc_detach_keys_parse(const char *spec, char *keys, size_t cap, size_t *n, rc_error **err);

/* Logs (logs.c). */
struct rc_logs_opts {
        bool follow;       /* -f: until the container exits */
        bool timestamps;   /* -t */
        long tail;         /* --tail N; -1: all */
        int64_t since, until; /* unix ns; 0: no bound */
};
int rc_container_logs(const struct rc_config *cfg, const char *name_or_id, const struct rc_logs_opts *opts,
                      rc_error **err);
/* One line of the k8s-file log: "2006-01-02T15:04:05.999999999Z07:00 stdout F text".
 * Pointers into line; *text_len excludes the newline.  EINVAL if malformed. */
int rc_log_parse_line(const char *line, size_t len, int64_t *ts_ns, bool *is_stderr, bool *partial,
                      const char **text, size_t *text_len);
/* --since/--until: RFC 3339 time, unix seconds, or a duration before now ("10m", "1h30m", "90s"). */
int rc_parse_time_bound(const char *s, int64_t now_ns, int64_t *out_ns, rc_error **err);

/* --restart no|on-failure[:N]|always|unless-stopped */
int rc_restart_policy_parse(const char *s, enum rc_restart_policy *policy, int *max, rc_error **err);
const char *rc_restart_policy_name(enum rc_restart_policy p);

/* Saved create options (opts.c): containers/ID/create.json. */
struct rc_saved_opts {
        struct rc_run_opts opts; /* strings point into json */
        struct json_object *json;
        char **env, **cmd, **create_command;
        char **cap_add, **cap_drop, **mask, **unmask, **group_add, **ulimits, **labels;
        char **publish, **dns, **dns_search, **dns_option, **add_host, **expose, **sysctls;
        struct rc_mount_req *mounts;
        char **health_test, **health_startup_test;
};
int rc_run_opts_save(const struct rc_run_opts *o, const char *path, rc_error **err);
/* --sdnotify values: conmon (or monitor), ignore, container. */
int rc_sdnotify_parse(const char *name, enum rc_sdnotify *out);
const char *rc_sdnotify_name(enum rc_sdnotify n);
/* A container's record and saved options (free both). */
int rc_container_load_opts(struct rc_store *s, const char *name_or_id, struct rc_container_rec *rec,
                           struct rc_saved_opts *saved, rc_error **err);
int rc_run_opts_load(const char *path, struct rc_saved_opts *out, rc_error **err);
void rc_saved_opts_free(struct rc_saved_opts *s);

/* ---- exec, cp, top: commands on an existing container (exec.c, cp.c, top.c) ---- */

struct rc_exec_opts {
        char **cmd;            /* the command and its arguments */
        bool interactive;      /* -i: pass stdin */
        bool tty;              /* -t: a terminal of the container's devpts, relayed */
        bool detach;           /* -d: return once it runs; its stdio is /dev/null */
        bool privileged;       /* every capability (the seccomp profile stays the container's) */
        char **env;            /* --env-file lines, then -e: K=V, or K to pass rc's own value */
        const char *user;      /* -u USER[:GROUP] from the container's /etc/passwd; NULL: its own */
        const char *workdir;   /* -w (absolute, must exist); NULL: its own */
};
/* Run a command in a running container (ENOTCONN with "start it with rc
 * start X" when it is not).  *exit_code as rc_container_run's: the
 * command's status, 126/127 when it could not be executed or found, 125
 * else; 0 for a detached one that started. */
int rc_container_exec(const struct rc_config *cfg, const char *name_or_id, const struct rc_exec_opts *opts,
                      int *exit_code, rc_error **err);

/* rc healthcheck run (health.c): run the container's check once, as rc
 * exec would, killed after its timeout; the result goes into its health
 * state (rc inspect's State.Health).  *passed: the check exited 0;
 * *status: the state after it.  ENOENT "has no defined healthcheck",
 * ENOTCONN when it is not running. */
int rc_container_healthcheck_run(const struct rc_config *cfg, const char *name_or_id, enum rc_health_status *status,
                                 bool *passed, rc_error **err);

/* rc cp SRC DEST (cp.c): one of them CONTAINER:PATH, the other a host path
 * or "-" (a tar stream on stdin or stdout).  Docker's rules: a directory
 * as destination takes the source under its name, "SRC/." copies what is
 * in SRC, a missing destination is the new name.  Works on running and
 * stopped containers; paths of the container are resolved inside its root
 * only, links below them are copied, never followed.  What is copied in
 * belongs to the container's root. */
int rc_container_cp(const struct rc_config *cfg, const char *src, const char *dest, rc_error **err);

/* rc export: the container's file system, running or not, as a tar stream
 * to output (a file, replaced only once the archive is complete) or to
 * stdout when output is NULL.  What is mounted in the container (volumes,
 * /proc, /etc/hosts) is not part of it. */
int rc_container_export(const struct rc_config *cfg, const char *name, const char *output, rc_error **err);

/* rc top (top.c): the processes of a running container's pid namespace as
 * a table ('\t' between cells, a header line first) of podman's ps
 * descriptors (user, pid, ppid, pcpu, etime, tty, time, args, comm, group,
 * nice, vsz, state, hpid, huser, hgroup, capeff, seccomp, ruser, rgroup,
 * pgid and the AIX %U %p %P %C %t %y %x %a %c %G %n %z %u %g %r), given one
 * or several to an argument, comma-separated; none: podman's default
 * columns.  rc_top_descriptors says whether args are all descriptors (if
 * not, podman runs ps in the container with them, and so does rc top). */
bool rc_top_descriptors(char *const *args);
int rc_container_top(const struct rc_config *cfg, const char *name_or_id, char *const *descriptors, char **table,
                     rc_error **err);

/* --env-file (envfile.c): the file at path, at most 16 MiB, parsed by
 * rc_env_file_parse with the host's environment; appended to *env (which
 * may be NULL).  An error names the file and line. */
int rc_env_file_read(const char *path, char ***env, rc_error **err);

/* Pure helpers, unit tested. */

/* Docker's rules: --entrypoint replaces the image Entrypoint and drops its
 * Cmd; command-line arguments replace Cmd.  An --entrypoint that is a JSON
 * array of strings is the program and its first arguments (podman).
 * Result is NULL-terminated. */
char **rc_container_args(const struct rc_image_config *img, const char *entrypoint_override, char *const *cmd);

/* podman's defaults (PATH if the image has none, TERM=xterm, HOSTNAME,
 * container=rc, HOME if home is not NULL), then the image's Env, then
 * overrides ("K=V", or "K" taken from host_env when set there).  Later
 * values win over earlier ones. */
char **rc_container_env(char *const *image_env, char *const *overrides, char *const *host_env, const char *hostname,
                        const char *home);

struct rc_container_user {
        uint32_t uid, gid;
        char *home;       /* passwd's, else /root for uid 0 and / for others */
        uint32_t *groups; /* supplementary: without a group in the spec, the groups that list the user as a
                             member and the primary group (podman's set); with one, none */
        size_t n_groups;
};

/* Resolve a USER spec ("", "name", "uid", "name:group", "uid:gid") against
 * passwd and group file contents (may be NULL).  Fills *out (free with
 * rc_container_user_free); a name that is not there is an error. */
int rc_container_parse_user(const char *spec, const char *passwd, const char *group, struct rc_container_user *out,
                            rc_error **err);
void rc_container_user_free(struct rc_container_user *u);
#define cleanup_container_user __attribute__((cleanup(rc_container_user_free)))

/* The working directory: -w, else the image's WorkingDir, else "/".  It
 * must be absolute and shorter than PATH_MAX (EINVAL, ENAMETOOLONG); where
 * it resolves is the runtime's concern (inside the root, no magic links). */
int rc_container_workdir(const char *image_workdir, const char *override, char **out, rc_error **err);

/* A random name like docker's ("brave_turing"). */
char *rc_container_random_name(void);

/* ---- Parsers of run/create options (mountspec.c, options.c) ----
 * Each checks its whole input and fills *out only on success; errors are
 * EINVAL with a message quoting the option.  cwd (absolute) resolves
 * relative host paths; nothing is looked up on disk. */

/* -v [SOURCE:]DEST[:OPTIONS]: SOURCE starting with / or . is a host path
 * (a bind), anything else a volume name; no SOURCE: an anonymous volume.
 * OPTIONS: ro, rw, z, Z, nocopy, copy, [r]bind, [no]suid, [no]dev,
 * [no]exec, [r]private, [r]shared, [r]slave, [r]unbindable. */
int rc_mount_parse_volume(const char *spec, const char *cwd, struct rc_mount_req *out, rc_error **err);
/* --mount type=bind|volume|tmpfs,source=,target=,readonly,... (docker's keys,
 * with src, dst, destination, ro, bind-propagation, bind-nonrecursive,
 * volume-nocopy, tmpfs-size, tmpfs-mode, relabel). */
int rc_mount_parse_mount(const char *spec, const char *cwd, struct rc_mount_req *out, rc_error **err);
/* --tmpfs DEST[:OPTIONS] (default rw,noexec,nosuid,nodev as podman). */
int rc_mount_parse_tmpfs(const char *spec, struct rc_mount_req *out, rc_error **err);
/* Path.Clean of an absolute path ("/a//b/../c/" -> "/a/c"); NULL when
 * path is not absolute. */
char *rc_path_clean(const char *path);
/* Two mounts on one destination: EINVAL naming it. */
int rc_mount_check_duplicates(const struct rc_mount_req *m, size_t n, rc_error **err);
void rc_mount_req_free(struct rc_mount_req *m);
void rc_mount_req_copy(const struct rc_mount_req *from, struct rc_mount_req *to);

/* --ulimit NAME=SOFT[:HARD] (docker's names: nofile, nproc, core, ...;
 * -1 or unlimited for no limit; HARD defaults to SOFT). */
int rc_ulimit_parse(const char *s, struct rc_spec_rlimit *out, rc_error **err);

/* docker's --env-file format: KEY=VALUE lines taken literally, blank lines
 * and lines starting with # skipped, leading blanks trimmed; a bare KEY is
 * taken from host_env (skipped when unset there).  label_file: the
 * --label-file rules instead (a bare KEY is a label with an empty value).
 * Appends to *out; `name` names the file in errors. */
int rc_env_file_parse(const char *name, const char *text, size_t len, char *const *host_env, bool label_file,
                      char ***out, rc_error **err);

/* The capability set from `defaults` with --cap-add and --cap-drop as
 * podman applies them: adding ALL starts from `all`; dropping ALL starts
 * from nothing but the other additions; then single additions, then
 * single drops.  Names with or without CAP_, any case; an unknown one is
 * EINVAL.  The result holds "CAP_X" names, NULL-terminated. */
int rc_caps_compute(char *const *defaults, char *const *add, char *const *drop, char *const *all, char ***out,
                    rc_error **err);
/* Check one --cap-add/--cap-drop value (ALL or a capability name). */
int rc_cap_check(const char *name, rc_error **err);

/* --userns: "" or "host" (rc's namespace: *keep_id = false), or
 * "keep-id[:uid=N,gid=N]": *keep_id, and *uid and *gid set where given
 * (else left alone: the caller's own ids). */
int rc_userns_parse(const char *s, bool *keep_id, uint32_t *uid, uint32_t *gid, rc_error **err);
/* The keep-id mapping of one id kind: container `id` is rc's 0 (the user),
 * container 0..id-1 are rc's 1..id, container id+1.. are rc's id+1.. up to
 * rc's ns_size-1 (what rc's own namespace maps).  Writes at most 3 extents
 * to out and returns how many; 0 when ns_size is 0. */
size_t rc_keep_id_mapping(uint32_t id, uint32_t ns_size, struct rc_spec_id_mapping out[3]);

#endif
