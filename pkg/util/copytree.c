/* rc_copy_tree_at: copy a directory's contents that someone else made (an
 * image's files) into another directory, never following a symbolic link
 * on either side: every step is relative to an open directory and uses
 * O_NOFOLLOW or AT_SYMLINK_NOFOLLOW, new entries are created exclusively
 * (O_EXCL, mkdirat, symlinkat), so a symlink planted in the source is
 * copied as a symlink and one already in the destination is never written
 * through. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fs.h"
#include "util/xalloc.h"

static int set_meta(int fd, const struct stat *st, const char *name, rc_error **err)
{
        const struct timespec times[2] = { st->st_atim, st->st_mtim };

        /* owner first: chown clears set-id bits that the mode then restores */
        if (fchown(fd, st->st_uid, st->st_gid) < 0 && errno != EINVAL)
                return rc_error_set(err, errno, "chown %s", name);
        if (fchmod(fd, st->st_mode & 07777) < 0)
                return rc_error_set(err, errno, "chmod %s", name);
        if (futimens(fd, times) < 0)
                return rc_error_set(err, errno, "set times of %s", name);
        return 0;
}

static int copy_file(int src_dir, int dst_dir, const char *name, rc_error **err)
{
        cleanup_close int in = openat(src_dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        cleanup_close int out = -1;
        struct stat st;

        if (in < 0)
                return rc_error_set(err, errno, "open %s", name);
        if (fstat(in, &st) < 0)
                return rc_error_set(err, errno, "stat %s", name);
        if (!S_ISREG(st.st_mode))
                return 0; /* replaced since it was listed: not a file to copy */
        out = openat(dst_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (out < 0)
                return errno == EEXIST ? 0 : rc_error_set(err, errno, "create %s", name);
        for (off_t done = 0; done < st.st_size;) {
                ssize_t n = sendfile(out, in, NULL, (size_t)(st.st_size - done) > (1 << 30) ? (1 << 30)
                                                                                          : (size_t)(st.st_size - done));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return rc_error_set(err, errno, "copy %s", name);
                if (n == 0)
                        break; /* it shrank meanwhile */
                done += n;
        }
        return set_meta(out, &st, name, err);
}

static int copy_dir(int src, int dst, unsigned depth, rc_error **err);

static int copy_entry(int src, int dst, const char *name, unsigned depth, rc_error **err)
{
        struct stat st;

        if (fstatat(src, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : rc_error_set(err, errno, "stat %s", name);
        if (S_ISREG(st.st_mode))
                return copy_file(src, dst, name, err);
        if (S_ISDIR(st.st_mode)) {
                cleanup_close int from = -1, to = -1;
                if (depth >= RC_COPY_MAX_DEPTH)
                        return rc_error_set(err, ELOOP, "%s: more than %d directory levels", name, RC_COPY_MAX_DEPTH);
                if (mkdirat(dst, name, 0700) < 0)
                        return errno == EEXIST ? 0 : rc_error_set(err, errno, "create directory %s", name);
                from = openat(src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                to = openat(dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (from < 0 || to < 0)
                        return rc_error_set(err, errno, "open directory %s", name);
                if (copy_dir(from, to, depth + 1, err) < 0)
                        return rc_error_wrap(err, "%s", name);
                return set_meta(to, &st, name, err);
        }
        if (S_ISLNK(st.st_mode)) {
                char target[4096];
                const struct timespec times[2] = { st.st_atim, st.st_mtim };
                ssize_t n = readlinkat(src, name, target, sizeof(target) - 1);
                if (n < 0)
                        return rc_error_set(err, errno, "read symlink %s", name);
                target[n] = '\0';
                if (symlinkat(target, dst, name) < 0)
                        return errno == EEXIST ? 0 : rc_error_set(err, errno, "create symlink %s", name);
                if (fchownat(dst, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0 && errno != EINVAL)
                        return rc_error_set(err, errno, "chown %s", name);
                utimensat(dst, name, times, AT_SYMLINK_NOFOLLOW);
                return 0;
        }
        if (S_ISFIFO(st.st_mode)) {
                cleanup_close int fd = -1;
                char self[64];
                if (mkfifoat(dst, name, 0600) < 0)
                        return errno == EEXIST ? 0 : rc_error_set(err, errno, "create fifo %s", name);
                /* opening a fifo would block: change it through an O_PATH fd
                 * (its /proc link names the fifo itself, whatever replaced it) */
                fd = openat(dst, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
                if (fd < 0 || fchownat(fd, "", st.st_uid, st.st_gid, AT_EMPTY_PATH) < 0 ||
                    chmod(self, st.st_mode & 07777) < 0)
                        return rc_error_set(err, errno, "set up fifo %s", name);
                return 0;
        }
        /* device nodes cannot be made in a user namespace; sockets belong
         * to the process that bound them: neither is copied */
        return 0;
}

static int copy_dir(int src, int dst, unsigned depth, rc_error **err)
{
        cleanup_closedir DIR *d = NULL;
        int fd = dup(src);
        struct dirent *de;

        if (fd < 0 || (d = fdopendir(fd)) == NULL) {
                int saved = errno;
                if (fd >= 0)
                        close(fd);
                return rc_error_set(err, saved, "read directory");
        }
        /* (the dup shares the offset: read from the start) */
        rewinddir(d);
        while ((errno = 0, de = readdir(d)) != NULL) {
                if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                        continue;
                if (copy_entry(src, dst, de->d_name, depth, err) < 0)
                        return -1;
        }
        if (errno)
                return rc_error_set(err, errno, "read directory");
        return 0;
}

int rc_copy_tree_at(int src_fd, int dst_fd, rc_error **err)
{
        return copy_dir(src_fd, dst_fd, 0, err);
}
