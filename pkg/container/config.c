/* Turning image config and run options into process settings. */
#include "container/container.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "util/xalloc.h"

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

char **rc_container_args(const struct rc_image_config *img, const char *entrypoint_override, char *const *cmd)
{
        char **args = xcalloc(1, sizeof(char *));

        if (entrypoint_override) {
                if (*entrypoint_override)
                        strv_push(&args, entrypoint_override);
        } else {
                for (size_t i = 0; img && img->entrypoint && img->entrypoint[i]; i++)
                        strv_push(&args, img->entrypoint[i]);
        }
        if (cmd && cmd[0]) {
                for (size_t i = 0; cmd[i]; i++)
                        strv_push(&args, cmd[i]);
        } else if (!entrypoint_override) {
                for (size_t i = 0; img && img->cmd && img->cmd[i]; i++)
                        strv_push(&args, img->cmd[i]);
        }
        return args;
}

/* Set or replace KEY=... in env. */
static void env_set(char ***env, const char *kv)
{
        size_t keylen = strcspn(kv, "=");

        for (size_t i = 0; *env && (*env)[i]; i++) {
                if (strncmp((*env)[i], kv, keylen) == 0 && (*env)[i][keylen] == '=') {
                        free((*env)[i]);
                        (*env)[i] = xstrdup(kv);
                        return;
                }
        }
        strv_push(env, kv);
}

static const char *env_lookup(char *const *env, const char *key)
{
        size_t keylen = strlen(key);

        for (size_t i = 0; env && env[i]; i++)
                if (strncmp(env[i], key, keylen) == 0 && env[i][keylen] == '=')
                        return env[i] + keylen + 1;
        return NULL;
}

char **rc_container_env(char *const *image_env, char *const *overrides, char *const *host_env, const char *hostname)
{
        char **env = xcalloc(1, sizeof(char *));

        if (!env_lookup(image_env, "PATH"))
                strv_push(&env, DEFAULT_PATH);
        if (hostname) {
                cleanup_free char *h = xasprintf("HOSTNAME=%s", hostname);
                env_set(&env, h);
        }
        env_set(&env, "container=rc");
        for (size_t i = 0; image_env && image_env[i]; i++)
                if (strchr(image_env[i], '='))
                        env_set(&env, image_env[i]);
        for (size_t i = 0; overrides && overrides[i]; i++) {
                if (strchr(overrides[i], '=')) {
                        env_set(&env, overrides[i]);
                } else {
                        /* -e NAME passes the host's value, if any (docker). */
                        const char *v = env_lookup(host_env, overrides[i]);
                        if (v) {
                                cleanup_free char *kv = xasprintf("%s=%s", overrides[i], v);
                                env_set(&env, kv);
                        }
                }
        }
        return env;
}

static int parse_id(const char *s, uint32_t *out)
{
        char *end;
        unsigned long v;

        if (*s == '\0' || strspn(s, "0123456789") != strlen(s))
                return -1;
        errno = 0;
        v = strtoul(s, &end, 10);
        if (errno || v > UINT32_MAX - 1)
                return -1;
        *out = (uint32_t)v;
        return 0;
}

/* Find an entry of an /etc/passwd or /etc/group formatted text by name
 * (field 0) or, if name is NULL, by id (field 2).  Sets *id and, if gid is
 * given, *gid from field 3 (passwd's primary group; the id if absent). */
static int db_find(const char *db, const char *name, uint32_t want_id, uint32_t *id, uint32_t *gid)
{
        for (const char *line = db; line && *line;) {
                const char *eol = strchrnul(line, '\n');
                cleanup_free char *copy = xstrndup(line, (size_t)(eol - line));
                char *fields[4] = { NULL }, *p = copy;
                uint32_t this_id;

                line = *eol ? eol + 1 : eol;
                for (int i = 0; i < 4 && p; i++)
                        fields[i] = strsep(&p, ":");
                if (fields[2] == NULL || parse_id(fields[2], &this_id) < 0)
                        continue;
                if (name ? strcmp(fields[0], name) != 0 : this_id != want_id)
                        continue;
                *id = this_id;
                if (gid && (fields[3] == NULL || parse_id(fields[3], gid) < 0))
                        *gid = this_id;
                return 0;
        }
        return -1;
}

int rc_container_parse_user(const char *spec, const char *passwd, const char *group, uint32_t *uid, uint32_t *gid,
                            rc_error **err)
{
        cleanup_free char *copy = xstrdup(spec ? spec : "");
        char *colon = strchr(copy, ':');
        const char *user = copy, *grp = NULL;
        uint32_t u = 0, g = 0;

        if (colon) {
                *colon = '\0';
                grp = colon + 1;
        }
        if (*user == '\0') {
                u = 0;
                g = 0;
        } else if (parse_id(user, &u) == 0) {
                /* a numeric user still takes its primary group from passwd */
                if (db_find(passwd, NULL, u, &u, &g) < 0)
                        g = u;
        } else if (db_find(passwd, user, 0, &u, &g) < 0) {
                return rc_error_set(err, 0, "user \"%s\" not found in the image's /etc/passwd", user);
        }
        if (grp && *grp) {
                if (parse_id(grp, &g) < 0 && db_find(group, grp, 0, &g, NULL) < 0)
                        return rc_error_set(err, 0, "group \"%s\" not found in the image's /etc/group", grp);
        }
        *uid = u;
        *gid = g;
        return 0;
}

int rc_container_workdir(const char *image_workdir, const char *override, char **out, rc_error **err)
{
        const char *wd = override ? override : image_workdir;

        if (wd == NULL || *wd == '\0')
                wd = "/";
        if (wd[0] != '/')
                return rc_error_set(err, EINVAL, "working directory \"%s\" must be an absolute path", wd);
        if (strlen(wd) >= PATH_MAX)
                return rc_error_set(err, ENAMETOOLONG, "working directory \"%.64s...\"", wd);
        *out = xstrdup(wd);
        return 0;
}

char *rc_container_random_name(void)
{
        static const char *const left[] = { "admiring", "brave",   "calm",    "clever",  "dazzling", "eager",
                                            "festive",  "gallant", "happy",   "jolly",   "keen",     "lucid",
                                            "modest",   "nifty",   "optimistic", "quirky", "relaxed", "serene",
                                            "tender",   "vibrant", "wizardly", "zealous" };
        static const char *const right[] = { "babbage", "curie",    "dijkstra", "euler",   "feynman", "goldberg",
                                             "hopper",  "johnson",  "knuth",    "lamport", "lovelace", "meitner",
                                             "noether", "pike",     "ritchie",  "shannon", "thompson", "turing",
                                             "wilkes",  "yonath" };
        unsigned int r[2] = { 0, 0 };

        if (getrandom(r, sizeof(r), 0) != sizeof(r))
                r[0] = r[1] = 0;
        return xasprintf("%s_%s", left[r[0] % (sizeof(left) / sizeof(left[0]))],
                         right[r[1] % (sizeof(right) / sizeof(right[0]))]);
}
