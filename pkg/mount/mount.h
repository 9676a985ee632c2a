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

#endif
