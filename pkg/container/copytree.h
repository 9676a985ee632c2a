/* Internal to pkg/container: copying a file tree between two directory
 * fds, or into a tar stream, for rc cp.
 *
 * One side is a container's root, whose owner may change it while rc
 * copies (a running container) and has planted whatever links it likes.
 * So below the paths the caller resolved, nothing is ever looked up by a
 * path: every entry is reached from the fd of its directory with *at()
 * calls that do not follow symbolic links (O_NOFOLLOW, AT_SYMLINK_NOFOLLOW),
 * links are copied as links, and what rc creates it creates exclusively
 * (O_EXCL, after removing a non-directory that was there). */
#ifndef RC_CONTAINER_COPYTREE_H
#define RC_CONTAINER_COPYTREE_H

#include <stdbool.h>

#include "util/error.h"

struct archive;

/* Copy src_dir/src_name (anything but a device or socket, which are
 * skipped with a warning) to dst_dir/dst_name.  A directory is merged into
 * an existing directory; a non-directory replaces a non-directory; a
 * directory never replaces a file nor the reverse (EEXIST/EISDIR).  Modes
 * and modification times are kept; owners are whoever rc is (the user on
 * the host, root in a container).  what names src in messages. */
int ctr_copy_tree(int src_dir, const char *src_name, int dst_dir, const char *dst_name, const char *what,
                  rc_error **err);

/* Write src_dir/src_name as tar entries named tar_name (and below) to a,
 * with the owners and modes rc sees.  A directory with tar_name "" writes
 * only what is in it, named relative to it ("etc/passwd"). */
int ctr_tar_tree(int src_dir, const char *src_name, struct archive *a, const char *tar_name, rc_error **err);

#endif
