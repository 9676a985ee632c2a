/* Turning image config and run options into process settings. */
#include "container/container.h"

#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "util/xalloc.h"

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* --entrypoint '["/bin/echo","hi"]': a JSON array of strings is the
 * entrypoint with its arguments, as podman reads it; anything else is one
 * program name. */
static bool entrypoint_json(const char *text, char ***args)
{
        json_object *j;
        size_t n;

        if (text[0] != '[')
                return false;
        j = json_tokener_parse(text);
        if (j == NULL || !json_object_is_type(j, json_type_array)) {
                json_object_put(j);
                return false;
        }
        n = json_object_array_length(j);
        for (size_t i = 0; i < n; i++) {
                if (!json_object_is_type(json_object_array_get_idx(j, i), json_type_string)) {
                        json_object_put(j);
                        return false;
                }
        }
        for (size_t i = 0; i < n; i++)
                strv_push(args, json_object_get_string(json_object_array_get_idx(j, i)));
        json_object_put(j);
        return true;
}

char **rc_container_args(const struct rc_image_config *img, const char *entrypoint_override, char *const *cmd)
{
        char **args = xcalloc(1, sizeof(char *));

        if (entrypoint_override) {
                if (!entrypoint_json(entrypoint_override, &args) && *entrypoint_override)
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

char **rc_container_env(char *const *image_env, char *const *overrides, char *const *host_env, const char *hostname,
                        const char *home)
{
        char **env = xcalloc(1, sizeof(char *));

        if (!env_lookup(image_env, "PATH"))
                strv_push(&env, DEFAULT_PATH);
        env_set(&env, "TERM=xterm");
        if (hostname) {
                cleanup_free char *h = xasprintf("HOSTNAME=%s", hostname);
                env_set(&env, h);
        }
        env_set(&env, "container=rc");
        if (home) {
                cleanup_free char *h = xasprintf("HOME=%s", home);
                env_set(&env, h);
        }
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

/* One line of an /etc/passwd or /etc/group formatted text, split at ':'
 * (passwd: name, password, uid, gid, gecos, home, shell; group: name,
 * password, gid, members). */
#define DB_FIELDS 7
struct db_entry {
        char *line; /* owned; the fields point into it */
        const char *field[DB_FIELDS];
        uint32_t id; /* field 2 */
};

static void db_entry_free(struct db_entry *e)
{
        free(e->line);
        e->line = NULL;
}

#define cleanup_db_entry __attribute__((cleanup(db_entry_free)))

/* The next line at *cursor whose id field is a number; false at the end. */
static bool db_next(const char **cursor, struct db_entry *e)
{
        while (*cursor && **cursor) {
                const char *line = *cursor, *eol = strchrnul(line, '\n');
                char *p;

                *cursor = *eol ? eol + 1 : eol;
                free(e->line);
                e->line = p = xstrndup(line, (size_t)(eol - line));
                for (int i = 0; i < DB_FIELDS; i++)
                        e->field[i] = p ? strsep(&p, ":") : NULL;
                if (e->field[2] && parse_id(e->field[2], &e->id) == 0)
                        return true;
        }
        return false;
}

/* The entry named `name`, or if name is NULL the one with id `id`. */
static bool db_find(const char *db, const char *name, uint32_t id, struct db_entry *e)
{
        const char *cursor = db;

        while (db_next(&cursor, e))
                if (name ? strcmp(e->field[0], name) == 0 : e->id == id)
                        return true;
        return false;
}

static void add_group(struct rc_container_user *u, uint32_t gid)
{
        for (size_t i = 0; i < u->n_groups; i++)
                if (u->groups[i] == gid)
                        return;
        u->groups = xrealloc(u->groups, (u->n_groups + 1) * sizeof(*u->groups));
        u->groups[u->n_groups++] = gid;
}

/* The groups of /etc/group that list `user` as a member, in the file's
 * order. */
static int member_groups(const char *group, const char *user, struct rc_container_user *out, rc_error **err)
{
        cleanup_db_entry struct db_entry e = { 0 };
        const char *cursor = group;

        while (db_next(&cursor, &e)) {
                cleanup_free char *members = xstrdup(e.field[3] ? e.field[3] : "");
                char *p = members, *m;
                bool listed = false;

                while (!listed && (m = strsep(&p, ",")) != NULL)
                        listed = strcmp(m, user) == 0;
                if (!listed)
                        continue;
                if (out->n_groups >= NGROUPS_MAX - 1)
                        return rc_error_set(err, E2BIG, "user \"%s\" is in more than %d groups in the image's /etc/group",
                                            user, NGROUPS_MAX - 1);
                add_group(out, e.id);
        }
        return 0;
}

int rc_container_parse_user(const char *spec, const char *passwd, const char *group, struct rc_container_user *out,
                            rc_error **err)
{
        cleanup_free char *copy = xstrdup(spec ? spec : "");
        cleanup_db_entry struct db_entry pw = { 0 }, gr = { 0 };
        struct rc_container_user u = { 0 };
        char *colon = strchr(copy, ':');
        const char *user = copy, *grp = NULL;
        bool have_pw;

        if (colon) {
                *colon = '\0';
                grp = colon + 1;
        }
        if (*user == '\0' || parse_id(user, &u.uid) == 0) {
                /* a numeric user still takes its primary group and home from passwd */
                have_pw = db_find(passwd, NULL, u.uid, &pw);
        } else {
                have_pw = db_find(passwd, user, 0, &pw);
                if (!have_pw)
                        return rc_error_set(err, 0, "user \"%s\" not found in the image's /etc/passwd", user);
                u.uid = pw.id;
        }
        if (!have_pw || pw.field[3] == NULL || parse_id(pw.field[3], &u.gid) < 0)
                u.gid = u.uid;
        if (grp && *grp && parse_id(grp, &u.gid) < 0) {
                if (!db_find(group, grp, 0, &gr))
                        return rc_error_set(err, 0, "group \"%s\" not found in the image's /etc/group", grp);
                u.gid = gr.id;
        }
        /* As podman: with a group given, that group alone; otherwise the
         * groups that list the user, and its primary group. */
        if (!(grp && *grp)) {
                if (have_pw && member_groups(group, pw.field[0], &u, err) < 0) {
                        free(u.groups);
                        return -1;
                }
                add_group(&u, u.gid);
        }
        u.home = xstrdup(have_pw && pw.field[5] && *pw.field[5] ? pw.field[5] : u.uid == 0 ? "/root" : "/");
        *out = u;
        return 0;
}

void rc_container_user_free(struct rc_container_user *u)
{
        free(u->home);
        free(u->groups);
        memset(u, 0, sizeof(*u));
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
                                            "tender",   "vibrant", "wizardly", "zealous", "amazing", "bold",
                                            "cool",     "dreamy",  "elegant", "fervent", "gifted", "hardcore",
                                            "inspiring", "kind",   "loving",  "musing",  "nostalgic", "peaceful",
                                            "pensive",  "quizzical", "sharp", "stoic",   "trusting", "upbeat",
                                            "vigilant", "wonderful" };
        static const char *const right[] = { "babbage", "curie",    "dijkstra", "euler",   "feynman", "goldberg",
                                             "hopper",  "johnson",  "knuth",    "lamport", "lovelace", "meitner",
                                             "noether", "pike",     "ritchie",  "shannon", "thompson", "turing",
                                             "wilkes",  "yonath",   "agnesi",   "bardeen", "bohr",    "cerf",
                                             "darwin",  "einstein", "fermat",   "galois",  "hamilton", "hypatia",
                                             "kepler",  "liskov",   "mccarthy", "morse",   "newton",  "pascal",
                                             "ramanujan", "sammet", "torvalds", "varahamihira", "wozniak", "zuse" };
        unsigned int r[2] = { 0, 0 };

        if (getrandom(r, sizeof(r), 0) != sizeof(r))
                r[0] = r[1] = 0;
        return xasprintf("%s_%s", left[r[0] % (sizeof(left) / sizeof(left[0]))],
                         right[r[1] % (sizeof(right) / sizeof(right[0]))]);
}

int rc_restart_policy_parse(const char *s, enum rc_restart_policy *policy, int *max, rc_error **err)
{
        *max = 0;
        if (strcmp(s, "no") == 0 || strcmp(s, "") == 0) {
                *policy = RC_RESTART_NO;
        } else if (strcmp(s, "always") == 0) {
                *policy = RC_RESTART_ALWAYS;
        } else if (strcmp(s, "unless-stopped") == 0) {
                *policy = RC_RESTART_UNLESS_STOPPED;
        } else if (strncmp(s, "on-failure", 10) == 0 && (s[10] == '\0' || s[10] == ':')) {
                *policy = RC_RESTART_ON_FAILURE;
                if (s[10] == ':') {
                        char *end;
                        long v = strtol(s + 11, &end, 10);
                        if (s[11] == '\0' || *end != '\0' || v < 0 || v > 1000000)
                                return rc_error_set(err, EINVAL,
                                                    "--restart %s: the retry count must be a whole number, e.g. "
                                                    "on-failure:3",
                                                    s);
                        *max = (int)v;
                }
        } else {
                return rc_error_set(err, EINVAL,
                                    "--restart %s: use no, on-failure[:N], always or unless-stopped", s);
        }
        return 0;
}

const char *rc_restart_policy_name(enum rc_restart_policy p)
{
        switch (p) {
        case RC_RESTART_ON_FAILURE:
                return "on-failure";
        case RC_RESTART_ALWAYS:
                return "always";
        case RC_RESTART_UNLESS_STOPPED:
                return "unless-stopped";
        default:
                return "no";
        }
}
