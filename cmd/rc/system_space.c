/* rc system df, rc system prune, rc system reset: the space rc's store
 * takes, and getting it back. */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "container/container.h"
#include "format/format.h"
#include "images/images.h"
#include "rc.h"
#include "store/store.h"
#include "userns/userns.h"
#include "util/fs.h"
#include "util/xalloc.h"
#include "volume/volume.h"

/* One row of rc system df. */
struct usage {
        const char *type;
        size_t total, active;
        uint64_t size, reclaimable;
};

static bool in_list(char *const *list, size_t n, const char *s)
{
        for (size_t i = 0; i < n; i++)
                if (strcmp(list[i], s) == 0)
                        return true;
        return false;
}

/* Images: each layer counted once, however many images share it; what
 * only unused images hold can be reclaimed. */
static int images_usage(struct rc_store *s, const struct rc_container_rec *ctrs, size_t n_ctrs, struct usage *u,
                        rc_error **err)
{
        struct rc_image *imgs = NULL;
        size_t n = 0, n_seen = 0;
        cleanup_free char **seen = NULL;

        if (rc_store_image_list(s, &imgs, &n, err) < 0)
                return -1;
        u->type = "Images";
        u->total = n;
        for (size_t i = 0; i < n; i++)
                for (size_t j = 0; imgs[i].layers && imgs[i].layers[j]; j++)
                        n_seen++;
        seen = xcalloc(n_seen + 1, sizeof(char *));
        n_seen = 0;
        /* the layers of images in use first: they are not reclaimable */
        for (int pass = 0; pass < 2; pass++) {
                for (size_t i = 0; i < n; i++) {
                        bool used = false;
                        for (size_t c = 0; c < n_ctrs && !used; c++)
                                used = strcmp(ctrs[c].image_id, imgs[i].id) == 0;
                        if (used != (pass == 0))
                                continue;
                        u->active += used;
                        for (size_t j = 0; imgs[i].layers && imgs[i].layers[j]; j++) {
                                struct rc_layer l;
                                rc_error *e = NULL;
                                if (in_list(seen, n_seen, imgs[i].layers[j]))
                                        continue;
                                seen[n_seen++] = imgs[i].layers[j];
                                if (rc_store_layer_get(s, imgs[i].layers[j], &l, &e) < 0) {
                                        rc_error_free(e);
                                        continue;
                                }
                                u->size += l.tar_size;
                                if (!used)
                                        u->reclaimable += l.tar_size;
                        }
                }
        }
        for (size_t i = 0; i < n; i++)
                rc_image_free(&imgs[i]);
        free(imgs);
        return 0;
}

static void containers_usage(struct rc_store *s, const struct rc_container_rec *ctrs, size_t n, struct usage *u)
{
        u->type = "Containers";
        u->total = n;
        for (size_t i = 0; i < n; i++) {
                cleanup_free char *dir = rc_store_container_dir(s, ctrs[i].id);
                cleanup_free char *changes =
                        xasprintf("%s/%s", dir, ctrs[i].driver && !strcmp(ctrs[i].driver, "vfs") ? "rootfs" : "upper");
                uint64_t size = rc_tree_size(changes);
                bool running = strcmp(rc_container_rec_status(&ctrs[i]), "running") == 0;

                u->active += running;
                u->size += size;
                if (!running)
                        u->reclaimable += size;
        }
}

static int volumes_usage(struct rc_store *s, struct usage *u, rc_error **err)
{
        struct rc_volume *vols = NULL;
        size_t n = 0;

        if (rc_volume_list(s, &vols, &n, err) < 0)
                return -1;
        u->type = "Local Volumes";
        u->total = n;
        for (size_t i = 0; i < n; i++) {
                uint64_t size = rc_tree_size(vols[i].mountpoint);
                bool used = vols[i].users && vols[i].users[0];
                u->active += used;
                u->size += size;
                if (!used)
                        u->reclaimable += size;
        }
        rc_volume_list_free(vols, n);
        return 0;
}

static int store_usage(struct rc_store *s, struct usage u[3], rc_error **err)
{
        struct rc_container_rec *ctrs = NULL;
        size_t n = 0;
        int r;

        memset(u, 0, 3 * sizeof(*u));
        if (rc_store_container_list(s, &ctrs, &n, err) < 0)
                return -1;
        r = images_usage(s, ctrs, n, &u[0], err);
        if (r == 0) {
                containers_usage(s, ctrs, n, &u[1]);
                r = volumes_usage(s, &u[2], err);
        }
        rc_container_list_free(ctrs, n);
        return r;
}

static uint64_t usage_total(const struct usage u[3])
{
        return u[0].size + u[1].size + u[2].size;
}

static json_object *usage_json(const struct usage *u)
{
        json_object *o = json_object_new_object();
        char size[32], recl[32], text[64];

        rc_format_size(u->size, size, sizeof(size));
        rc_format_size(u->reclaimable, recl, sizeof(recl));
        snprintf(text, sizeof(text), "%s (%d%%)", recl, u->size ? (int)(u->reclaimable * 100 / u->size) : 0);
        json_object_object_add(o, "Type", json_object_new_string(u->type));
        json_object_object_add(o, "Total", json_object_new_int64((int64_t)u->total));
        json_object_object_add(o, "TotalCount", json_object_new_int64((int64_t)u->total));
        json_object_object_add(o, "Active", json_object_new_int64((int64_t)u->active));
        json_object_object_add(o, "Size", json_object_new_string(size));
        json_object_object_add(o, "RawSize", json_object_new_int64((int64_t)u->size));
        json_object_object_add(o, "Reclaimable", json_object_new_string(text));
        json_object_object_add(o, "RawReclaimable", json_object_new_int64((int64_t)u->reclaimable));
        return o;
}

static const struct rc_template_opts df_opts = { .name = "system df", .type_name = "entities.SystemDfReport" };

int rc_system_df(struct rc_cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                { "format", required_argument, NULL, 'f' },
                { "verbose", no_argument, NULL, 'v' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        cleanup_store struct rc_store *s = NULL;
        const char *format = NULL;
        struct usage u[3];
        json_object *rows;
        rc_error *err = NULL;
        int c, status = 0;

        while ((c = rc_cli_getopt("system df", argc, argv, "f:vh", opts)) != -1) {
                switch (c) {
                case 'f':
                        format = optarg;
                        break;
                case 'v':
                        return rc_cli_usage_error("system df", "--verbose is not supported: rc images, rc ps -a -s "
                                                               "and rc volume ls list each item");
                case 'h':
                        printf("Show rc disk usage\n\n"
                               "Description:\n"
                               "  The space images (each layer once), containers' writable layers and volumes\n"
                               "  take in rc's store, and how much of it rc system prune could give back.\n\n"
                               "Usage:\n"
                               "  rc system df [options]\n\n"
                               "Options:\n"
                               "  -f, --format FORMAT   json, or a Go template ({{.Type}} {{.Total}} {{.Active}}\n"
                               "                        {{.Size}} {{.Reclaimable}})\n");
                        return 0;
                default:
                        return 125;
                }
        }
        if (optind < argc)
                return rc_cli_usage_error("system df", "`rc system df` takes no arguments");
        if (rc_cli_open_store(cli, &s, &err) < 0 || store_usage(s, u, &err) < 0)
                return rc_cli_fail(err);
        rows = json_object_new_array();
        for (size_t i = 0; i < 3; i++)
                json_object_array_add(rows, usage_json(&u[i]));
        if (rc_format_is_json(format))
                printf("%s\n", json_object_to_json_string_ext(rows, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED));
        else if (rc_format_list(stdout, format ? format : "table {{.Type}}\t{{.Total}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}",
                                rows, &df_opts, 0, &err) < 0)
                status = rc_cli_fail(err);
        json_object_put(rows);
        return status;
}

static void print_section(const char *title, char *const *items)
{
        if (items == NULL || items[0] == NULL)
                return;
        printf("Deleted %s\n", title);
        for (size_t i = 0; items[i]; i++)
                printf("%s\n", items[i]);
}

int rc_system_prune(struct rc_cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                { "all", no_argument, NULL, 'a' },
                { "force", no_argument, NULL, 'f' },
                { "volumes", no_argument, NULL, 'V' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        cleanup_store struct rc_store *s = NULL;
        cleanup_strv char **ctrs = NULL, **vols = NULL, **imgs = NULL;
        bool all = false, force = false, volumes = false;
        struct usage before[3], after[3];
        rc_error *err = NULL;
        char freed[32];
        int c, status = 0;

        while ((c = rc_cli_getopt("system prune", argc, argv, "afh", opts)) != -1) {
                switch (c) {
                case 'a':
                        all = true;
                        break;
                case 'f':
                        force = true;
                        break;
                case 'V':
                        volumes = true;
                        break;
                case 'h':
                        printf("Remove unused data\n\n"
                               "Description:\n"
                               "  Removes every container that is not running, images without a name that no\n"
                               "  container uses (with --all, every image no container uses), the build cache\n"
                               "  they hold, and with --volumes every volume no container uses.\n\n"
                               "Usage:\n"
                               "  rc system prune [options]\n\n"
                               "Options:\n"
                               "  -a, --all       remove every unused image, not only those without a name\n"
                               "  -f, --force     do not ask for confirmation\n"
                               "      --volumes   also remove unused volumes\n");
                        return 0;
                default:
                        return 125;
                }
        }
        if (optind < argc)
                return rc_cli_usage_error("system prune", "`rc system prune` takes no arguments");
        if (!force) {
                int yes = rc_cli_confirm("system prune", all ? "WARNING! This command removes:\n"
                                                          "  - all stopped containers\n"
                                                          "  - all images not used by a container\n"
                                                          "  - all build cache"
                                                        : "WARNING! This command removes:\n"
                                                          "  - all stopped containers\n"
                                                          "  - all dangling images\n"
                                                          "  - all dangling build cache");
                if (yes <= 0)
                        return yes < 0 ? 125 : 0;
        }
        if (rc_cli_open_store_rw(cli, &s, &err) < 0 || store_usage(s, before, &err) < 0)
                return rc_cli_fail(err);
        status = rc_cli_prune_containers(cli, s, &ctrs);
        if ((volumes && rc_volume_prune(s, &vols, &err) < 0) || rc_images_prune(s, all, &imgs, &err) < 0)
                return rc_cli_fail(err);
        print_section("Containers", ctrs);
        print_section("Volumes", vols);
        print_section("Images", imgs);
        if (store_usage(s, after, &err) < 0)
                return rc_cli_fail(err);
        rc_format_size(usage_total(before) > usage_total(after) ? usage_total(before) - usage_total(after) : 0, freed,
                       sizeof(freed));
        printf("Total reclaimed space: %s\n", freed);
        return status;
}

/* What rc system reset removes must be rc's: never / or the home
 * directory itself, and only a directory that holds `marker` (store.db in
 * the store's root; pause.lock, which rc makes first, in the runroot).
 * 1: rc's; 0: not there or not rc's (left alone); -1: refused. */
static int rcs_own(const char *dir, const char *marker, const char *flag, rc_error **err)
{
        cleanup_free char *path = xasprintf("%s/%s", dir, marker);
        const char *home = getenv("HOME");

        if (strcmp(dir, "/") == 0 || (home && strcmp(dir, home) == 0))
                return rc_error_code(err, EINVAL, "refusing to remove %s: rc's storage is never the root or a home "
                                                  "directory itself (%s)",
                                     dir, flag);
        return rc_path_exists(path);
}

int rc_system_reset(struct rc_cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                { "force", no_argument, NULL, 'f' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        struct rc_store *s = NULL;
        struct rc_container_rec *list = NULL;
        bool force = false;
        rc_error *err = NULL;
        size_t n = 0;
        int c, store_ours, run_ours;

        while ((c = rc_cli_getopt("system reset", argc, argv, "fh", opts)) != -1) {
                switch (c) {
                case 'f':
                        force = true;
                        break;
                case 'h':
                        printf("Reset rc storage\n\n"
                               "Description:\n"
                               "  Removes every container (running ones are killed), image, volume and the\n"
                               "  build cache: rc's store and its run-time state are gone afterwards, and the\n"
                               "  pause process is stopped.  The configuration file stays.\n\n"
                               "Usage:\n"
                               "  rc system reset [options]\n\n"
                               "Options:\n"
                               "  -f, --force   do not ask for confirmation\n");
                        return 0;
                default:
                        return 125;
                }
        }
        if (optind < argc)
                return rc_cli_usage_error("system reset", "`rc system reset` takes no arguments");
        if ((store_ours = rcs_own(cli->cfg.root, "store.db", "--root", &err)) < 0 ||
            (run_ours = rcs_own(cli->cfg.runroot, "pause.lock", "--runroot", &err)) < 0)
                return rc_cli_fail(err);
        if (!store_ours && !run_ours)
                return 0; /* nothing of rc's there */
        if (!force) {
                int yes = rc_cli_confirm("system reset", "WARNING! This will remove:\n"
                                                    "  - all containers\n"
                                                    "  - all images\n"
                                                    "  - all volumes\n"
                                                    "  - all build cache");
                if (yes <= 0)
                        return yes < 0 ? 125 : 0;
        }
        if (store_ours) {
                if (rc_cli_open_store_rw(cli, &s, &err) < 0 || rc_store_container_list(s, &list, &n, &err) < 0)
                        return rc_cli_fail(err);
                /* containers first: a running one is killed, its mounts and helpers go */
                for (size_t i = 0; i < n; i++)
                        if (rc_container_remove(&cli->cfg, s, list[i].id, true, &err) < 0) {
                                rc_cli_error("%s", err->msg);
                                rc_error_free(err);
                                err = NULL;
                        }
                rc_container_list_free(list, n);
                rc_store_close(s);
                if (rc_rm_rf(cli->cfg.root, &err) < 0)
                        return rc_cli_fail(err);
        }
        if (rc_userns_stop_pause(&cli->cfg, &err) < 0) {
                rc_cli_error("%s", err->msg);
                rc_error_free(err);
                err = NULL;
        }
        if (run_ours && rc_rm_rf(cli->cfg.runroot, &err) < 0)
                return rc_cli_fail(err);
        return 0;
}
