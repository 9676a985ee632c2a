/* Containers: from "run this image with these options" to a runtime spec,
 * a root file system and a waited-for process, with the store kept
 * consistent whatever happens. */
#ifndef RC_CONTAINER_CONTAINER_H
#define RC_CONTAINER_CONTAINER_H

#include <stdbool.h>

#include "config/config.h"
#include "image/image.h"
#include "runtime/runtime.h"
#include "util/error.h"

struct rc_run_opts {
        const char *image;        /* what the user typed */
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
        enum { RC_PULL_MISSING, RC_PULL_ALWAYS, RC_PULL_NEVER } pull; /* --pull */
        bool skip_tls_verify;     /* --tls-verify=false, for a pull */
        void (*pull_progress)(void *ctx, const char *what, const char *digest, int64_t done, int64_t total);
};

/* Run a container to completion.  *exit_code gets its status (128+N for
 * signal N).  On failure (-1) *exit_code is 127 if the command was not
 * found, 126 if it could not be executed, else 125 (docker's codes). */
int rc_container_run(const struct rc_config *cfg, const struct rc_run_opts *opts, int *exit_code, rc_error **err);

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
