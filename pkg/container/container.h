/* Containers: from "run this image with these options" to a runtime spec,
 * a root file system and a waited-for process, with the store kept
 * consistent whatever happens. */
#ifndef RC_CONTAINER_CONTAINER_H
#define RC_CONTAINER_CONTAINER_H

#include <stdbool.h>
#include <stdint.h>

struct json_object;
struct rc_store;

#include "config/config.h"
#include "image/image.h"
#include "runtime/runtime.h"
#include "util/error.h"

enum rc_restart_policy { RC_RESTART_NO, RC_RESTART_ON_FAILURE, RC_RESTART_ALWAYS, RC_RESTART_UNLESS_STOPPED };

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
        const char *network;      /* none|host; NULL: configuration default */
        const char *hostname;     /* -h; NULL: short id */
        const char *user;         /* -u; NULL: image's */
        const char *seccomp;      /* --security-opt seccomp=: NULL: rc's default profile; "unconfined": no
                                     filter; else a JSON profile file */
        enum rc_restart_policy restart_policy; /* --restart */
        int restart_max;          /* on-failure:N (0: no limit) */
        uint64_t log_max_size;    /* --log-opt max-size (0: no limit) */
        const char *stop_signal;  /* --stop-signal; NULL: the image's, else SIGTERM */
        int stop_timeout;         /* --stop-timeout seconds; -1: 10 */
        enum { RC_PULL_MISSING, RC_PULL_ALWAYS, RC_PULL_NEVER } pull; /* --pull */
        bool skip_tls_verify;     /* --tls-verify=false, for a pull */
        void (*pull_progress)(void *ctx, const char *what, const char *digest, int64_t done, int64_t total);
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
        char **env, **cmd;
};
int rc_run_opts_save(const struct rc_run_opts *o, const char *path, rc_error **err);
int rc_run_opts_load(const char *path, struct rc_saved_opts *out, rc_error **err);
void rc_saved_opts_free(struct rc_saved_opts *s);

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

#endif
