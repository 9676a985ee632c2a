/* Small file-system helpers shared by all modules. */
#ifndef RC_UTIL_FS_H
#define RC_UTIL_FS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/error.h"

/* rc's own umask is 0022, whatever the user's: the files and directories
 * it makes for containers (their writable layer's root, /etc/hosts...) and
 * the store must have the modes rc asks for, or a container's non-root
 * user could not read them (with a user's umask of 077, / was 0700).
 * rc_umask_init sets it and keeps the user's, which files made for the
 * user (rc save -o, rc export -o) get back with rc_user_mode. */
void rc_umask_init(void);
mode_t rc_user_mode(mode_t mode);

/* DIR/NAME in the first of dirs where it exists, else in dirs[0] (a new
 * string): a file that moved, found where an older layout left it. */
char *rc_path_in_first(const char *const dirs[2], const char *name);

/* mkdir -p; existing directories are fine. */
int rc_mkdir_p(const char *path, mode_t mode, rc_error **err);

/* Read a whole file (NUL-terminated; *len excludes the NUL). */
int rc_read_file(const char *path, char **out, size_t *len, rc_error **err);
int rc_read_fd(int fd, char **out, size_t *len, rc_error **err);
int rc_read_file_at(int dirfd, const char *path, char **out, size_t *len, rc_error **err);

/* Write a file crash-safely: temp file in the same directory, fsync,
 * rename over the target, fsync the directory. */
int rc_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode, rc_error **err);

/* Write a file in place (create or truncate), no fsync: for files that
 * need not survive a crash, such as a running container's /etc/hosts. */
int rc_write_file(const char *path, const void *data, size_t len, mode_t mode, rc_error **err);

/* Write all bytes, retrying on EINTR and short writes, and waiting while a
 * non-blocking fd is full (EAGAIN). */
int rc_write_all(int fd, const void *data, size_t len);

/* Remove a tree (rm -rf) below dirfd/name (rmtree.c).  A missing tree is
 * not an error.
 *  - Never follows a symbolic link and never crosses into another file
 *    system (a mount point below name is an EXDEV error).
 *  - Uses at most RC_RM_RF_MAX_FDS file descriptors whatever the depth:
 *    it descends holding only the last few directories open and climbs
 *    back through ".." after checking it is the directory it came from
 *    (device and inode), so a directory moved away meanwhile is an error,
 *    never a walk outside the tree.
 *  - Works on directories it owns that are read-only or unreadable
 *    (makes them accessible first).
 * The error names the entry that could not be removed. */
#define RC_RM_RF_MAX_FDS 17
int rc_rm_rf_at(int dirfd, const char *name, rc_error **err);
int rc_rm_rf(const char *path, rc_error **err);

/* Copy the contents of directory src_fd into directory dst_fd
 * (copytree.c): files, directories, symbolic links (as links) and fifos,
 * with owner, mode and times; device nodes and sockets are skipped, and
 * an entry that already exists in dst is left alone.  Never follows a
 * symbolic link in either tree.  Opens two fds per directory level and
 * refuses (ELOOP) trees deeper than RC_COPY_MAX_DEPTH. */
#define RC_COPY_MAX_DEPTH 128
int rc_copy_tree_at(int src_fd, int dst_fd, rc_error **err);
/* An executable named `name` (a path, or looked up in path_env, or $PATH
 * when path_env is NULL); malloc'd, or NULL if there is none. */
char *rc_find_program(const char *name, const char *path_env);

/* The bytes a tree holds (du.c): sizes of its regular files (a hard
 * link's once) and symbolic links, without following links or crossing
 * into another file system; what rc cannot read is left out.  For rc ps
 * -s and rc system df.  0 for a missing path. */
uint64_t rc_tree_size(const char *path);

/* "Does it exist?" without following a final symlink. */
int rc_path_exists(const char *path);

#endif
