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
 * Cmd; command-line arguments replace Cmd.  Result is NULL-terminated. */
char **rc_container_args(const struct rc_image_config *img, const char *entrypoint_override, char *const *cmd);

/* Image Env, then PATH if missing, then overrides ("K=V", or "K" taken from
 * host_env when set there).  Later values win over earlier ones. */
char **rc_container_env(char *const *image_env, char *const *overrides, char *const *host_env, const char *hostname);

/* Resolve a USER spec ("", "name", "uid", "name:group", "uid:gid") against
 * passwd and group file contents (may be NULL).  Sets *uid and *gid. */
int rc_container_parse_user(const char *spec, const char *passwd, const char *group, uint32_t *uid, uint32_t *gid,
                            rc_error **err);

/* A random name like docker's ("brave_turing"). */
char *rc_container_random_name(void);

#endif
