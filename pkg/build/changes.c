/* rc diff: a container's changes, or an image's last layer's, listed the
 * way podman diff lists them.  The walk is the one rc commit makes (diff.c),
 * into a writer that only lists the paths. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "build/build.h"
#include "build/internal.h"
#include "container/container.h"
#include "images/images.h"
#include "util/fs.h"
#include "util/xalloc.h"

void rc_changes_free(struct rc_change *c, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(c[i].path);
        free(c);
}

static int cmp_change(const void *a, const void *b)
{
        return strcmp(((const struct rc_change *)a)->path, ((const struct rc_change *)b)->path);
}

/* The lister's paths ("etc/", "etc/passwd", "bin/.wh.ls") as changes. */
static void classify(char **list, char *const *lower, struct rc_change **out, size_t *n)
{
        size_t len = strv_len(list);
        struct rc_change *c = xcalloc(len + 1, sizeof(*c));
        size_t k = 0;

        for (size_t i = 0; i < len; i++) {
                char *p = list[i];
                size_t l = strlen(p);
                char *base;

                if (l && p[l - 1] == '/')
                        p[--l] = '\0';
                base = strrchr(p, '/');
                base = base ? base + 1 : p;
                if (strncmp(base, ".wh.", 4) == 0) {
                        if (!strcmp(base, ".wh..wh..opq") || !strcmp(base, ".wh..opq"))
                                continue; /* the directory itself is listed as changed */
                        c[k].kind = 'D';
                        c[k++].path = xasprintf("/%.*s%s", (int)(base - p), p, base + 4);
                        continue;
                }
                c[k].kind = bld_lower_has(lower, p) ? 'C' : 'A';
                c[k++].path = xasprintf("/%s", p);
        }
        qsort(c, k, sizeof(*c), cmp_change);
        *out = c;
        *n = k;
}

int bld_container_changes(struct rc_store *s, const struct rc_container_rec *rec, struct bld_changes *ch,
                          char **changes_dir, char ***lower, struct rc_image *img, rc_error **err)
{
        cleanup_free char *dir = rc_store_container_dir(s, rec->id);

        if (rc_storage_driver_parse(rec->driver, &ch->driver) < 0)
                return rc_error_set(err, EINVAL, "container %s: unknown storage driver \"%s\"", rec->name,
                                    rec->driver);
        if (rc_images_resolve(s, rec->image_id, img, err) < 0)
                return rc_error_wrap(err, "container %s", rec->name);
        *lower = xcalloc(1, sizeof(char *));
        for (size_t i = 0; img->layers && img->layers[i]; i++) {
                cleanup_free char *d = rc_store_layer_dir(s, img->layers[i]);
                strv_push(lower, d);
        }
        *changes_dir = xasprintf("%s/%s", dir, ch->driver == RC_DRIVER_VFS ? "rootfs" : "upper");
        ch->dir = *changes_dir;
        ch->lower_dirs = *lower;
        ch->skip_mount_points = true;
        return 0;
}

/* `what` as a container; *found false when it names none. */
static int container_changes(struct rc_store *s, const char *what, struct bld_changes *ch, char **changes_dir,
                             char ***lower, bool *found, rc_error **err)
{
        struct rc_container_rec rec = { 0 };
        struct rc_image img = { 0 };
        rc_error *e = NULL;
        int r;

        *found = false;
        if (rc_store_container_find(s, what, &rec, &e) < 0) {
                rc_error_free(e);
                return 0;
        }
        *found = true;
        r = bld_container_changes(s, &rec, ch, changes_dir, lower, &img, err);
        rc_image_free(&img);
        rc_container_rec_free(&rec);
        return r;
}

/* An image: its last layer over the ones below (layer directories keep
 * overlay's whiteouts, whatever the driver). */
static int image_changes(struct rc_store *s, const char *what, struct bld_changes *ch, char **changes_dir,
                         char ***lower, rc_error **err)
{
        struct rc_image img = { 0 };
        size_t n;

        if (rc_images_resolve(s, what, &img, err) < 0) {
                if (rc_error_errno(*err) == ENOENT) {
                        rc_error_free(*err);
                        *err = NULL;
                        rc_error_code(err, ENOENT, "%s: no such container or image", what);
                }
                return -1;
        }
        n = strv_len(img.layers);
        *lower = xcalloc(1, sizeof(char *));
        for (size_t i = 0; i + 1 < n; i++) {
                cleanup_free char *d = rc_store_layer_dir(s, img.layers[i]);
                strv_push(lower, d);
        }
        if (n)
                *changes_dir = rc_store_layer_dir(s, img.layers[n - 1]);
        ch->driver = RC_DRIVER_OVERLAY;
        ch->dir = *changes_dir;
        ch->lower_dirs = *lower;
        rc_image_free(&img);
        return 0;
}

int rc_build_diff(struct rc_store *s, const char *what, struct rc_change **out, size_t *n, rc_error **err)
{
        struct bld_changes ch = { 0 };
        cleanup_free char *changes_dir = NULL;
        cleanup_strv char **lower = NULL;
        struct bld_layer_writer *w;
        bool found;

        *out = NULL;
        *n = 0;
        if (container_changes(s, what, &ch, &changes_dir, &lower, &found, err) < 0 ||
            (!found && image_changes(s, what, &ch, &changes_dir, &lower, err) < 0))
                return -1;
        /* a container that never started, an image without layers: nothing */
        if (changes_dir == NULL || !rc_path_exists(changes_dir)) {
                *out = xcalloc(1, sizeof(**out));
                return 0;
        }
        w = bld_layer_lister();
        if (bld_diff_write(w, &ch, err) < 0) {
                bld_layer_abort(w);
                return rc_error_wrap(err, "diff %s", what);
        }
        cleanup_strv char **list = bld_layer_lister_take(w);
        classify(list, lower, out, n);
        return 0;
}
