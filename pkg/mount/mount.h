/* Storage drivers: assembling a container's root file system from image
 * layers.  overlay (native rootless overlayfs, userxattr), fuse-overlayfs,
 * or vfs (plain copies).  All functions here run inside rc's user namespace
 * (after rc_userns_enter), where mounts are private to the calling rc. */
#ifndef RC_MOUNT_MOUNT_H
#define RC_MOUNT_MOUNT_H

#include <stdbool.h>

#include "config/config.h"
#include "util/error.h"

enum rc_storage_driver {
        RC_DRIVER_OVERLAY,
        RC_DRIVER_FUSE_OVERLAYFS,
        RC_DRIVER_VFS,
};

const char *rc_storage_driver_name(enum rc_storage_driver d);
int rc_storage_driver_parse(const char *name, enum rc_storage_driver *out);

/* Does native overlayfs with userxattr mount here?  scratch_dir is an
 * empty-able directory on the file system the store lives on.  Returns 0 if
 * it works, -1 with an error explaining why not. */
int rc_mount_probe_overlay(const char *scratch_dir, rc_error **err);

/* Is fuse-overlayfs usable (binary found, /dev/fuse openable)? */
int rc_mount_probe_fuse(const struct rc_config *cfg, rc_error **err);

/* Choose the driver for cfg->storage_driver: a fixed one is checked and
 * used; "auto" picks overlay if the probe works, else fuse-overlayfs if
 * usable, else vfs.  The auto choice is cached in runroot/storage-driver so
 * the probe runs once per boot.  *why (may be NULL) says why a fallback was
 * taken, for rc info. */
int rc_storage_select(const struct rc_config *cfg, enum rc_storage_driver *out, char **why, rc_error **err);

/* A container's assembled root file system. */
struct rc_rootfs {
        enum rc_storage_driver driver;
        char *path;    /* the root to hand to the runtime */
        bool mounted;  /* path is a mount point rc made */
};

/* Assemble the root for a container in container_dir (created by the
 * caller): overlay/fuse-overlayfs stack layer_dirs (base layer first) under
 * container_dir/upper and mount them on run_dir/merged (run_dir, created by
 * the caller, holds what lives only while mounted; NULL: container_dir);
 * vfs extracts layer_blobs (base first) into container_dir/rootfs.
 * throwaway: the upper directory is deleted after use (rc run --rm), so
 * overlay may skip syncing it ("volatile"). */
int rc_rootfs_mount(const struct rc_config *cfg, enum rc_storage_driver driver, char *const *layer_dirs,
                    char *const *layer_blobs, const char *container_dir, const char *run_dir, bool throwaway,
                    struct rc_rootfs *out, rc_error **err);
/* Unmount (if mounted) and free; the directories stay for the caller. */
int rc_rootfs_unmount(struct rc_rootfs *r, rc_error **err);
void rc_rootfs_free(struct rc_rootfs *r);

#endif
