/* Copying a file tree fd by fd, never through a symbolic link (rc cp). */
#include "container/copytree.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dl/archive.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/xalloc.h"

/* A tree deeper than this is refused rather than exhausting fds or stack:
 * two fds a level on the way down. */
#define MAX_DEPTH 256
#define COPY_BUF (128 * 1024)

struct walk {
        rc_error **err;
        struct archive *tar;
        unsigned depth;
};

static int copy_data(int in, int out, const char *what, rc_error **err)
{
        cleanup_free char *buf = xmalloc(COPY_BUF);

        for (;;) {
                ssize_t n = read(in, buf, COPY_BUF);
                if (n == 0)
                        return 0;
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return rc_error_set(err, errno, "%s: read", what);
                }
                if (rc_write_all(out, buf, (size_t)n) < 0)
                        return rc_error_set(err, errno, "%s: write", what);
        }
}

/* Make room for a new non-directory at dir/name: remove a non-directory
 * there (never following it); a directory is an error. */
static int clear_for_file(int dir, const char *name, const char *what, rc_error **err)
{
        struct stat st;

        if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : rc_error_set(err, errno, "%s", what);
        if (S_ISDIR(st.st_mode))
                return rc_error_set(err, EISDIR, "%s: cannot overwrite a directory with a non-directory", what);
        if (unlinkat(dir, name, 0) < 0)
                return rc_error_set(err, errno, "%s: replace", what);
        return 0;
}

/* Best effort, as cp -p on a file system that refuses it. */
static void set_times_fd(int fd, const struct stat *st)
{
        struct timespec ts[2] = { st->st_atim, st->st_mtim };

        futimens(fd, ts);
}

static void set_times_link(int dir, const char *name, const struct stat *st)
{
        struct timespec ts[2] = { st->st_atim, st->st_mtim };

        utimensat(dir, name, ts, AT_SYMLINK_NOFOLLOW);
}

static int copy_file(int src_dir, const char *src_name, const struct stat *st, int dst_dir, const char *dst_name,
                     const char *what, rc_error **err)
{
        /* O_NONBLOCK: an entry swapped for a fifo meanwhile must not hang rc */
        cleanup_close int in = openat(src_dir, src_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        cleanup_close int out = -1;
        struct stat now;

        if (in < 0)
                return rc_error_set(err, errno, "%s: open", what);
        if (fstat(in, &now) < 0 || !S_ISREG(now.st_mode))
                return rc_error_set(err, EAGAIN, "%s: changed while it was copied", what);
        if (clear_for_file(dst_dir, dst_name, what, err) < 0)
                return -1;
        out = openat(dst_dir, dst_name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (out < 0)
                return rc_error_set(err, errno, "%s: create", what);
        if (copy_data(in, out, what, err) < 0)
                return -1;
        if (fchmod(out, st->st_mode & 07777) < 0)
                return rc_error_set(err, errno, "%s: chmod", what);
        set_times_fd(out, st);
        return 0;
}

static int copy_symlink(int src_dir, const char *src_name, const struct stat *st, int dst_dir, const char *dst_name,
                        const char *what, rc_error **err)
{
        char target[4096];
        ssize_t n = readlinkat(src_dir, src_name, target, sizeof(target) - 1);

        if (n < 0)
                return rc_error_set(err, errno, "%s: readlink", what);
        target[n] = '\0';
        if (clear_for_file(dst_dir, dst_name, what, err) < 0)
                return -1;
        /* the target is kept as it is: a link is never followed by rc */
        if (symlinkat(target, dst_dir, dst_name) < 0)
                return rc_error_set(err, errno, "%s: symlink", what);
        set_times_link(dst_dir, dst_name, st);
        return 0;
}

/* Each entry of the directory open as fd, in turn. */
typedef int (*entry_fn)(struct walk *w, int dir_fd, const char *name, const char *what, void *ctx);

static int each_entry(struct walk *w, int dir_fd, const char *what, entry_fn fn, void *ctx)
{
        int dup_fd = fcntl(dir_fd, F_DUPFD_CLOEXEC, 3);
        DIR *d;
        struct dirent *de;
        int r = 0;

        if (dup_fd < 0)
                return rc_error_set(w->err, errno, "%s", what);
        d = fdopendir(dup_fd);
        if (d == NULL) {
                close(dup_fd);
                return rc_error_set(w->err, errno, "%s", what);
        }
        while (r == 0) {
                cleanup_free char *child = NULL;
                errno = 0;
                de = readdir(d);
                if (de == NULL) {
                        if (errno)
                                r = rc_error_set(w->err, errno, "%s: read directory", what);
                        break;
                }
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                child = xasprintf("%s/%s", what, de->d_name);
                r = fn(w, dir_fd, de->d_name, child, ctx);
        }
        closedir(d);
        return r;
}

static int copy_any(struct walk *w, int src_dir, const char *src_name, int dst_dir, const char *dst_name,
                    const char *what);

static int copy_child(struct walk *w, int src_dir, const char *name, const char *what, void *ctx)
{
        return copy_any(w, src_dir, name, *(int *)ctx, name, what);
}

static int copy_dir(struct walk *w, int src_dir, const char *src_name, const struct stat *st, int dst_dir,
                    const char *dst_name, const char *what)
{
        cleanup_close int in = openat(src_dir, src_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        cleanup_close int out = -1;
        struct stat dst_st;
        int r;

        if (in < 0)
                return rc_error_set(w->err, errno, "%s: open", what);
        if (w->depth >= MAX_DEPTH)
                return rc_error_set(w->err, ELOOP, "%s: more than %d directory levels", what, MAX_DEPTH);
        if (fstatat(dst_dir, dst_name, &dst_st, AT_SYMLINK_NOFOLLOW) == 0) {
                if (!S_ISDIR(dst_st.st_mode))
                        return rc_error_set(w->err, ENOTDIR, "%s: cannot overwrite a non-directory with a directory",
                                            what);
        } else if (errno != ENOENT || mkdirat(dst_dir, dst_name, 0700) < 0) {
                return rc_error_set(w->err, errno, "%s: create directory", what);
        }
        out = openat(dst_dir, dst_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (out < 0)
                return rc_error_set(w->err, errno, "%s: open", what);
        w->depth++;
        r = each_entry(w, in, what, copy_child, &out);
        w->depth--;
        if (r < 0)
                return -1;
        /* last, so a read-only directory could still be filled */
        if (fchmod(out, st->st_mode & 07777) < 0)
                return rc_error_set(w->err, errno, "%s: chmod", what);
        set_times_fd(out, st);
        return 0;
}

static int copy_any(struct walk *w, int src_dir, const char *src_name, int dst_dir, const char *dst_name,
                    const char *what)
{
        struct stat st;

        if (fstatat(src_dir, src_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return rc_error_set(w->err, errno, "%s", what);
        switch (st.st_mode & S_IFMT) {
        case S_IFREG:
                return copy_file(src_dir, src_name, &st, dst_dir, dst_name, what, w->err);
        case S_IFDIR:
                return copy_dir(w, src_dir, src_name, &st, dst_dir, dst_name, what);
        case S_IFLNK:
                return copy_symlink(src_dir, src_name, &st, dst_dir, dst_name, what, w->err);
        case S_IFIFO:
                if (clear_for_file(dst_dir, dst_name, what, w->err) < 0)
                        return -1;
                if (mkfifoat(dst_dir, dst_name, st.st_mode & 07777) < 0)
                        return rc_error_set(w->err, errno, "%s: mkfifo", what);
                return 0;
        default:
                rc_warn("%s: a device or socket, not copied", what);
                return 0;
        }
}

int ctr_copy_tree(int src_dir, const char *src_name, int dst_dir, const char *dst_name, const char *what,
                  rc_error **err)
{
        struct walk w = { .err = err };

        return copy_any(&w, src_dir, src_name, dst_dir, dst_name, what);
}

/* ---- tar ---------------------------------------------------------------- */

static int tar_error(struct archive *a, const char *what, rc_error **err)
{
        int e = archive_errno(a);
        return rc_error_set(err, e > 0 ? e : EIO, "%s: %s", what, archive_error_string(a) ?: "tar write failed");
}

static int tar_any(struct walk *w, int src_dir, const char *src_name, const char *tar_name, const char *what);

static int tar_child(struct walk *w, int src_dir, const char *name, const char *what, void *ctx)
{
        const char *parent = ctx;
        /* below a root written as "" the names have no leading "./" */
        cleanup_free char *tar_name = *parent ? xasprintf("%s/%s", parent, name) : xstrdup(name);
        return tar_any(w, src_dir, name, tar_name, what);
}

static int tar_any(struct walk *w, int src_dir, const char *src_name, const char *tar_name, const char *what)
{
        struct archive_entry *e;
        cleanup_close int fd = -1;
        struct stat st;
        char target[4096];
        int r = -1;

        if (fstatat(src_dir, src_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return rc_error_set(w->err, errno, "%s", what);
        if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode) && !S_ISLNK(st.st_mode) && !S_ISFIFO(st.st_mode)) {
                rc_warn("%s: a device or socket, not copied", what);
                return 0;
        }
        if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) {
                fd = openat(src_dir, src_name,
                            O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | (S_ISDIR(st.st_mode) ? O_DIRECTORY : 0));
                /* the size written in the header is the one of what was opened */
                if (fd < 0 || fstat(fd, &st) < 0)
                        return rc_error_set(w->err, errno, "%s: open", what);
                if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
                        return rc_error_set(w->err, EAGAIN, "%s: changed while it was copied", what);
        }
        e = archive_entry_new();
        archive_entry_set_pathname(e, tar_name);
        archive_entry_set_filetype(e, st.st_mode & S_IFMT);
        archive_entry_set_perm(e, st.st_mode & 07777);
        archive_entry_set_uid(e, st.st_uid);
        archive_entry_set_gid(e, st.st_gid);
        archive_entry_set_mtime(e, st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
        if (S_ISREG(st.st_mode))
                archive_entry_set_size(e, st.st_size);
        if (S_ISLNK(st.st_mode)) {
                ssize_t n = readlinkat(src_dir, src_name, target, sizeof(target) - 1);
                if (n < 0) {
                        rc_error_set(w->err, errno, "%s: readlink", what);
                        goto out;
                }
                target[n] = '\0';
                archive_entry_set_symlink(e, target);
        }
        if (*tar_name && archive_write_header(w->tar, e) != ARCHIVE_OK) {
                tar_error(w->tar, what, w->err);
                goto out;
        }
        if (S_ISREG(st.st_mode)) {
                cleanup_free char *buf = xmalloc(COPY_BUF);
                off_t left = st.st_size;
                while (left > 0) {
                        ssize_t n = read(fd, buf, left < COPY_BUF ? (size_t)left : COPY_BUF);
                        if (n < 0 && errno == EINTR)
                                continue;
                        if (n <= 0) {
                                /* shrunk meanwhile: the header promised more */
                                rc_error_set(w->err, n < 0 ? errno : EAGAIN, "%s: %s", what,
                                             n < 0 ? "read" : "changed while it was copied");
                                goto out;
                        }
                        if (archive_write_data(w->tar, buf, (size_t)n) != n) {
                                tar_error(w->tar, what, w->err);
                                goto out;
                        }
                        left -= n;
                }
        }
        if (S_ISDIR(st.st_mode)) {
                if (w->depth >= MAX_DEPTH) {
                        rc_error_set(w->err, ELOOP, "%s: more than %d directory levels", what, MAX_DEPTH);
                        goto out;
                }
                w->depth++;
                r = each_entry(w, fd, what, tar_child, (void *)tar_name);
                w->depth--;
                goto out;
        }
        r = 0;
out:
        archive_entry_free(e);
        return r;
}

int ctr_tar_tree(int src_dir, const char *src_name, struct archive *a, const char *tar_name, rc_error **err)
{
        struct walk w = { .err = err, .tar = a };

        return tar_any(&w, src_dir, src_name, tar_name, tar_name);
}
