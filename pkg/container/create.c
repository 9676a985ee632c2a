/* Creating a container's record and directory, and loading one back. */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "container/internal.h"
#include "images/images.h"
#include "util/fs.h"
#include "util/xalloc.h"

static void random_id(char out[RC_DIGEST_HEX_LEN + 1])
{
        static const char hex[] = "0123456789abcdef";
        unsigned char b[32];

        /* 32 bytes from a booted kernel's pool never block or come short */
        while (getrandom(b, sizeof(b), 0) != sizeof(b))
                ;
        for (int i = 0; i < 32; i++) {
                out[2 * i] = hex[b[i] >> 4];
                out[2 * i + 1] = hex[b[i] & 15];
        }
        out[RC_DIGEST_HEX_LEN] = '\0';
}

/* What can be refused before anything exists: the network mode, a
 * seccomp profile that does not parse, options that do not parse, host
 * paths that are not there. */
/* --sysctl KEY=VALUE: only what the container's own namespaces hold
 * (docker's and podman's rule), one line. */
static int check_sysctl(const struct ctr_state *st, const char *kv, rc_error **err)
{
        const char *eq = strchr(kv, '=');
        cleanup_free char *key = eq ? xstrndup(kv, (size_t)(eq - kv)) : NULL;
        const char *ns = key ? rc_sysctl_namespace(key) : NULL;

        if (key == NULL || !rc_sysctl_key_ok(key))
                return rc_error_code(err, EINVAL,
                                     "--sysctl %s: give KEY=VALUE with a sysctl name (net.ipv4.ip_forward=1)", kv);
        if (ns == NULL)
                return rc_error_code(err, EINVAL,
                                     "--sysctl %s: not a setting of the container's own namespaces (net.*, "
                                     "fs.mqueue.*, kernel.msg*, kernel.sem, kernel.shm*); the host's are not the "
                                     "container's to set",
                                     key);
        if (strcmp(ns, "net") == 0 && st->host_network)
                return rc_error_code(err, EINVAL, "--sysctl %s: the container uses the host's network (--network host)",
                                     key);
        if (strpbrk(eq + 1, "\n\r") || strlen(eq + 1) > 4096)
                return rc_error_code(err, EINVAL, "--sysctl %s: the value must be one line", key);
        return 0;
}

int ctr_check_opts(struct ctr_state *st, rc_error **err)
{
        const struct rc_run_opts *o = st->opts;

        if (ctr_net_check(st, err) < 0)
                return -1;
        if (o->n_mounts && ctr_check_mounts(o, err) < 0)
                return -1;
        for (size_t i = 0; o->ulimits && o->ulimits[i]; i++) {
                struct rc_spec_rlimit rl;
                if (rc_ulimit_parse(o->ulimits[i], &rl, err) < 0)
                        return -1;
        }
        for (size_t i = 0; o->sysctls && o->sysctls[i]; i++)
                if (check_sysctl(st, o->sysctls[i], err) < 0)
                        return -1;
        for (size_t i = 0; o->cap_add && o->cap_add[i]; i++)
                if (rc_cap_check(o->cap_add[i], err) < 0)
                        return rc_error_wrap(err, "--cap-add");
        for (size_t i = 0; o->cap_drop && o->cap_drop[i]; i++)
                if (rc_cap_check(o->cap_drop[i], err) < 0)
                        return rc_error_wrap(err, "--cap-drop");
        if (o->userns) {
                bool keep_id;
                uint32_t id = 0;
                if (rc_userns_parse(o->userns, &keep_id, &id, &id, err) < 0)
                        return -1;
        }
        /* a limit that cannot be enforced stops the container here, before
         * a record or a mount exists */
        if (rc_cgroup_limits_validate(&o->limits, err) < 0)
                return -1;
        rc_cgroup_manager_free(st->cgroups);
        st->cgroups = NULL;
        if (!st->skip_cgroups && (rc_cgroup_manager_open(st->cfg, NULL, &st->cgroups, err) < 0 ||
                                  rc_cgroup_check(st->cgroups, &o->limits, err) < 0))
                return -1;
        /* --privileged runs without a filter unless one is named */
        if (o->seccomp == NULL && !o->privileged)
                st->seccomp = rc_seccomp_profile_default();
        else if (o->seccomp && strcmp(o->seccomp, "unconfined") != 0 &&
                 rc_seccomp_profile_read(o->seccomp, &st->seccomp, err) < 0)
                return -1;
        return 0;
}

int ctr_check_new(struct ctr_state *st, rc_error **err)
{
        /* podman's rule: a container id file is never overwritten */
        if (st->opts->cidfile && access(st->opts->cidfile, F_OK) == 0)
                return rc_error_code(err, EEXIST,
                                     "container id file %s exists: ensure another container is not using it or "
                                     "delete it",
                                     st->opts->cidfile);
        return 0;
}

static int write_cidfile(const char *path, const char *id, rc_error **err)
{
        cleanup_close int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

        if (fd < 0)
                return rc_error_set(err, errno, "--cidfile %s", path);
        if (rc_write_all(fd, id, strlen(id)) < 0)
                return rc_error_set(err, errno, "write %s", path);
        return 0;
}

/* The container's labels: the image's, then the user's (which win), as
 * a JSON object's text; "" for none. */
static char *labels_json(const struct rc_image_config *img, char *const *user)
{
        json_object *o = json_object_new_object();
        char *text;

        for (int pass = 0; pass < 2; pass++) {
                char *const *list = pass == 0 ? img->labels : user;
                for (size_t i = 0; list && list[i]; i++) {
                        const char *eq = strchr(list[i], '=');
                        cleanup_free char *key = xstrndup(list[i], eq ? (size_t)(eq - list[i]) : strlen(list[i]));
                        json_object_object_add(o, key, json_object_new_string(eq ? eq + 1 : ""));
                }
        }
        text = xstrdup(json_object_object_length(o) == 0
                               ? ""
                               : json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(o);
        return text;
}

/* The image to run, pulled first per --pull. */
static int find_or_pull(struct ctr_state *st, rc_error **err)
{
        const struct rc_run_opts *o = st->opts;
        struct rc_pull_opts po = { .cfg = st->cfg, .skip_tls_verify = o->skip_tls_verify,
                                   .progress = o->pull_progress };
        char id[RC_DIGEST_HEX_LEN + 1];

        if (o->pull != RC_PULL_ALWAYS) {
                if (rc_images_resolve(st->store, o->image, &st->image, err) == 0)
                        return 0;
                if (o->pull == RC_PULL_NEVER || rc_error_errno(*err) != ENOENT || rc_looks_like_id(o->image))
                        return -1;
                rc_error_free(*err);
                *err = NULL;
        }
        if (rc_images_pull(st->store, o->image, &po, id, err) < 0)
                return o->pull == RC_PULL_ALWAYS
                               ? -1
                               : rc_error_wrap(err, "image \"%s\" is not in the local store and pulling it failed",
                                               o->image);
        return rc_images_resolve(st->store, id, &st->image, err);
}

static void pick_hostname(struct ctr_state *st)
{
        const char *h = st->opts->hostname;

        if (h) {
                snprintf(st->hostname, sizeof(st->hostname), "%s", h);
        } else if (!st->host_network || gethostname(st->hostname, sizeof(st->hostname)) < 0) {
                snprintf(st->hostname, sizeof(st->hostname), "%.12s", st->rec.id);
        }
        st->hostname[sizeof(st->hostname) - 1] = '\0';
}

/* The options as they are kept: a profile file is copied into the
 * container's directory, so later starts do not depend on it. */
static int save_opts(struct ctr_state *st, rc_error **err)
{
        struct rc_run_opts saved = *st->opts;
        cleanup_free char *opts_path = rc_store_container_opts_path(st->store, &st->rec);
        cleanup_free char *profile_copy = NULL;
        cleanup_free char *name = xstrdup(st->rec.name);

        cleanup_strv char **env = xcalloc(1, sizeof(char *));
        cleanup_health_config struct rc_health_config health = { 0 };

        /* the check as resolved now; the image is not asked again */
        if (rc_health_resolve(&st->opts->health, st->image_config.healthcheck_json, &health, err) < 0)
                return -1;
        if (health.test == NULL && st->opts->health.on_failure != RC_HEALTH_ACTION_NONE)
                return rc_error_code(err, EINVAL, "cannot set on-failure action to %s without a health check",
                                     rc_health_action_name(st->opts->health.on_failure));
        /* podman's rule: a startup check gates a regular one */
        if (health.test == NULL && st->opts->health.startup.test)
                return rc_error_code(err, EINVAL,
                                     "a startup health check needs a regular one: set --health-cmd (or use an image "
                                     "with a HEALTHCHECK)");
        saved.health = (struct rc_health_flags){ .test = health.test,
                                                 .disable = health.test == NULL,
                                                 .interval = health.interval,
                                                 .no_timer = health.interval == 0,
                                                 .timeout = health.timeout,
                                                 .start_period = health.start_period,
                                                 .start_period_set = true,
                                                 .retries = health.retries,
                                                 .retries_set = true,
                                                 .on_failure = health.on_failure,
                                                 .startup = health.startup };
        if (health.test && ctr_health_init(st->dir, err) < 0)
                return -1;
        saved.name = name;
        saved.image = st->image.id;
        saved.mounts = st->mounts;
        saved.n_mounts = st->n_mounts;
        /* -e NAME takes rc's value now: a later rc start runs elsewhere */
        for (size_t i = 0; saved.env && saved.env[i]; i++) {
                const char *v;
                if (strchr(saved.env[i], '=')) {
                        strv_push(&env, saved.env[i]);
                } else if ((v = getenv(saved.env[i])) != NULL) {
                        cleanup_free char *kv = xasprintf("%s=%s", saved.env[i], v);
                        strv_push(&env, kv);
                }
        }
        saved.env = env;
        if (saved.seccomp && strcmp(saved.seccomp, "unconfined") != 0) {
                cleanup_free char *text = NULL;
                size_t len;
                profile_copy = xasprintf("%s/seccomp.json", st->dir);
                if (rc_read_file(saved.seccomp, &text, &len, err) < 0 ||
                    rc_write_file(profile_copy, text, len, 0600, err) < 0)
                        return -1;
                saved.seccomp = profile_copy;
        }
        return rc_run_opts_save(&saved, opts_path, err);
}

/* The command as a JSON array, for rc ps. */
static char *command_json(const struct rc_image_config *img, const struct rc_run_opts *o)
{
        cleanup_strv char **args = rc_container_args(img, o->entrypoint, o->cmd);
        json_object *a = json_object_new_array();
        char *out;

        for (size_t i = 0; args[i]; i++)
                json_object_array_add(a, json_object_new_string(args[i]));
        out = xstrdup(json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(a);
        return out;
}

int ctr_create(struct ctr_state *st, pid_t monitor, rc_error **err)
{
        const struct rc_run_opts *o = st->opts;
        cleanup_free char *generated_name = NULL;

        if (find_or_pull(st, err) < 0 || rc_images_load_config(st->store, &st->image, &st->image_config, err) < 0)
                return -1;
        rc_timer_phase(&st->timer, "image");
        if (rc_storage_select(st->cfg, &st->driver, NULL, err) < 0)
                return -1;
        rc_timer_phase(&st->timer, "storage driver");
        random_id(st->rec.id);
        if (o->name == NULL)
                generated_name = rc_container_random_name();
        st->rec.name = xstrdup(o->name ? o->name : generated_name);
        memcpy(st->rec.image_id, st->image.id, sizeof(st->rec.image_id));
        st->rec.image_name = xstrdup(st->image.names && st->image.names[0] ? st->image.names[0] : st->image.id);
        st->rec.state = xstrdup("created");
        st->rec.driver = xstrdup(rc_storage_driver_name(st->driver));
        st->rec.created = (int64_t)time(NULL);
        st->rec.auto_remove = o->auto_remove;
        st->rec.command = command_json(&st->image_config, o);
        if (monitor > 0) {
                st->rec.monitor_pid = monitor;
                st->rec.monitor_start = rc_process_start_time(monitor);
        }
        if (o->labels || st->image_config.labels)
                st->rec.labels = labels_json(&st->image_config, o->labels);
        if ((o->n_mounts || st->image_config.volumes) && ctr_resolve_mounts(st, err) < 0) {
                ctr_remove_new_volumes(st);
                return -1;
        }
        /* a generated name may be taken: draw again (then with a number) */
        for (int tries = 0; rc_store_container_add(st->store, &st->rec, err) < 0; tries++) {
                if (o->name != NULL || rc_error_errno(*err) != EEXIST || tries == 64) {
                        ctr_remove_new_volumes(st);
                        return -1;
                }
                rc_error_free(*err);
                *err = NULL;
                free(st->rec.name);
                free(generated_name);
                generated_name = rc_container_random_name();
                st->rec.name = tries < 8 ? xstrdup(generated_name) : xasprintf("%s_%d", generated_name, tries);
        }
        strv_free(st->new_volumes); /* the record holds them now: they go with it */
        st->new_volumes = NULL;
        st->recorded = true;
        rc_timer_phase(&st->timer, "container record");
        st->dir = rc_store_container_dir(st->store, st->rec.id);
        st->run_dir = rc_store_container_run_dir(st->store, st->rec.id);
        if (mkdir(st->dir, 0700) < 0)
                return rc_error_set(err, errno, "create %s", st->dir);
        pick_hostname(st);
        if (ctr_run_dir_ensure(st, err) < 0 || save_opts(st, err) < 0 ||
            (o->cidfile && write_cidfile(o->cidfile, st->rec.id, err) < 0))
                return -1;
        rc_timer_phase(&st->timer, "container files");
        return 0;
}

int ctr_load(struct ctr_state *st, const char *name_or_id, struct rc_saved_opts *saved, rc_error **err)
{
        cleanup_free char *opts_path = NULL;

        if (rc_store_container_find(st->store, name_or_id, &st->rec, err) < 0)
                return -1;
        st->recorded = true;
        if (rc_storage_driver_parse(st->rec.driver, &st->driver) < 0)
                return rc_error_set(err, EINVAL, "container %s: unknown storage driver \"%s\" in its record",
                                    st->rec.name, st->rec.driver);
        st->dir = rc_store_container_dir(st->store, st->rec.id);
        st->run_dir = rc_store_container_run_dir(st->store, st->rec.id);
        opts_path = rc_store_container_opts_path(st->store, &st->rec);
        if (st->rec.auto_remove && !rc_path_exists(opts_path))
                return rc_error_code(err, ENOENT,
                                     "container %s was created with --rm, and its options were kept in the run "
                                     "root (%s), which is gone (a restart of the machine clears it): remove it "
                                     "with rc rm %s",
                                     st->rec.name, st->cfg->runroot, st->rec.name);
        if (rc_run_opts_load(opts_path, saved, err) < 0)
                return rc_error_wrap(err, "container %s", st->rec.name);
        st->opts = &saved->opts;
        if (ctr_check_opts(st, err) < 0)
                return rc_error_wrap(err, "container %s", st->rec.name);
        st->mounts = xcalloc(saved->opts.n_mounts ? saved->opts.n_mounts : 1, sizeof(*st->mounts));
        for (size_t i = 0; i < saved->opts.n_mounts; i++)
                rc_mount_req_copy(&saved->opts.mounts[i], &st->mounts[i]);
        st->n_mounts = saved->opts.n_mounts;
        if (rc_images_resolve(st->store, st->rec.image_id, &st->image, err) < 0 ||
            rc_images_load_config(st->store, &st->image, &st->image_config, err) < 0)
                return rc_error_wrap(err, "container %s", st->rec.name);
        pick_hostname(st);
        return 0;
}
