/* A root file system for a COPY step (or to copy from a stage): the
 * layers mounted as rc run mounts them, under a throwaway writable layer
 * in the store's staging area (collected by rc_store_gc after a crash;
 * the mount itself lives in rc's private mount namespace and dies with
 * it). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build/internal.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/xalloc.h"

int bld_root_mount(const struct rc_config *cfg, struct rc_store *s, enum rc_storage_driver d, char *const *layers,
                   struct bld_root *out, rc_error **err)
{
        struct bld_root r = { .driver = d, .fd = -1 };
        cleanup_strv char **dirs = xcalloc(1, sizeof(char *));
        cleanup_strv char **blobs = xcalloc(1, sizeof(char *));

        r.lower_dirs = xcalloc(1, sizeof(char *));
        if (rc_store_mkdtemp(s, "build", &r.dir, err) < 0)
                goto fail;
        for (size_t i = 0; layers && layers[i]; i++) {
                struct rc_layer l;
                cleanup_free char *dir = rc_store_layer_dir(s, layers[i]);
                cleanup_free char *blob = NULL;
                if (rc_store_layer_get(s, layers[i], &l, err) < 0)
                        goto fail;
                blob = rc_store_blob_path(s, l.blob_digest);
                strv_push(&r.lower_dirs, dir);
                strv_push(&dirs, dir);
                strv_push(&blobs, blob);
        }
        if (dirs[0] == NULL && d != RC_DRIVER_VFS) {
                /* FROM scratch: overlay needs a lower layer, an empty one */
                cleanup_free char *empty = xasprintf("%s/empty", r.dir);
                if (mkdir(empty, 0755) < 0) {
                        rc_error_set(err, errno, "create %s", empty);
                        goto fail;
                }
                strv_push(&dirs, empty);
        }
        if (rc_rootfs_mount(cfg, d, dirs, blobs, r.dir, NULL, true, &r.rootfs, err) < 0)
                goto fail;
        r.changes = xasprintf("%s/%s", r.dir, d == RC_DRIVER_VFS ? "rootfs" : "upper");
        r.fd = open(r.rootfs.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (r.fd < 0) {
                rc_error_set(err, errno, "open %s", r.rootfs.path);
                goto fail;
        }
        *out = r;
        return 0;
fail:
        bld_root_release(&r);
        return -1;
}

struct bld_changes bld_root_changes(const struct bld_root *r)
{
        return (struct bld_changes){ .driver = r->driver, .dir = r->changes, .lower_dirs = r->lower_dirs };
}

void bld_root_release(struct bld_root *r)
{
        rc_error *e = NULL;

        if (r->fd >= 0)
                close(r->fd);
        if (rc_rootfs_unmount(&r->rootfs, &e) < 0) {
                rc_warn("%s", e->msg);
                rc_error_free(e);
                e = NULL;
        }
        rc_rootfs_free(&r->rootfs);
        if (r->dir && rc_rm_rf(r->dir, &e) < 0) {
                rc_debug("%s", e->msg); /* staging: rc_store_gc collects it */
                rc_error_free(e);
        }
        free(r->dir);
        free(r->changes);
        strv_free(r->lower_dirs);
        memset(r, 0, sizeof(*r));
        r->fd = -1;
}
