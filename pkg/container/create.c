/* Creating a container's record and directory, and loading one back. */
#include <errno.h>
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
 * seccomp profile that does not parse. */
int ctr_check_opts(struct ctr_state *st, rc_error **err)
{
        const struct rc_run_opts *o = st->opts;
        const char *network = o->network ? o->network : st->cfg->network;

        if (strcmp(network, "none") != 0 && strcmp(network, "host") != 0)
                return rc_error_set(err, EINVAL, "--network %s: supported values are none and host", network);
        st->host_network = strcmp(network, "host") == 0;
        /* a limit that cannot be enforced stops the container here, before
         * a record or a mount exists */
        if (rc_cgroup_limits_validate(&o->limits, err) < 0)
                return -1;
        rc_cgroup_manager_free(st->cgroups);
        st->cgroups = NULL;
        if (!st->skip_cgroups && (rc_cgroup_manager_open(st->cfg, NULL, &st->cgroups, err) < 0 ||
                                  rc_cgroup_check(st->cgroups, &o->limits, err) < 0))
                return -1;
        if (o->seccomp == NULL)
                st->seccomp = rc_seccomp_profile_default();
        else if (strcmp(o->seccomp, "unconfined") != 0 && rc_seccomp_profile_read(o->seccomp, &st->seccomp, err) < 0)
                return -1;
        return 0;
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
        cleanup_free char *opts_path = xasprintf("%s/create.json", st->dir);
        cleanup_free char *profile_copy = NULL;
        cleanup_free char *name = xstrdup(st->rec.name);

        saved.name = name;
        saved.image = st->image.id;
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
        if (rc_store_container_add(st->store, &st->rec, err) < 0)
                return -1;
        st->recorded = true;
        rc_timer_phase(&st->timer, "container record");
        st->dir = rc_store_container_dir(st->store, st->rec.id);
        if (mkdir(st->dir, 0700) < 0)
                return rc_error_set(err, errno, "create %s", st->dir);
        pick_hostname(st);
        if (ctr_write_etc_files(st->dir, st->hostname, st->host_network, err) < 0 || save_opts(st, err) < 0)
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
        opts_path = xasprintf("%s/create.json", st->dir);
        if (rc_run_opts_load(opts_path, saved, err) < 0)
                return rc_error_wrap(err, "container %s", st->rec.name);
        st->opts = &saved->opts;
        if (ctr_check_opts(st, err) < 0)
                return rc_error_wrap(err, "container %s", st->rec.name);
        if (rc_images_resolve(st->store, st->rec.image_id, &st->image, err) < 0 ||
            rc_images_load_config(st->store, &st->image, &st->image_config, err) < 0)
                return rc_error_wrap(err, "container %s", st->rec.name);
        pick_hostname(st);
        return 0;
}
