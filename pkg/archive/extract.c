/* rc_archive_extract: the entry loop.  Each entry's parent is resolved in
 * the root (path.c); the entry itself is created with *at calls that never
 * follow its final component, replacing what is there the way tar does. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "archive/internal.h"
#include "util/fs.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/xalloc.h"

static void archive_freep(struct archive **a)
{
        if (*a)
                archive_read_free(*a);
}
#define cleanup_archive __attribute__((cleanup(archive_freep)))

struct reader {
        struct rc_archive_input *in;
        rc_error *err; /* the input error behind a failed libarchive call */
};

static la_ssize_t read_cb(struct archive *a, void *data, const void **buf)
{
        struct reader *rd = data;
        ssize_t n;

        if (rd->err) {
                archive_set_error(a, EIO, "%s", rd->err->msg);
                return -1;
        }
        n = rc_archive_input_read(rd->in, buf, &rd->err);
        if (n < 0) {
                archive_set_error(a, rd->err ? rd->err->errnum : EIO, "%s", rd->err ? rd->err->msg : "read");
                return -1;
        }
        return n;
}

/* What libarchive says went wrong; it sometimes fails without a word
 * (a stream cut inside a pax header). */
static const char *ar_why(struct archive *a)
{
        const char *s = archive_error_string(a);
        return s && *s ? s : "malformed or truncated tar header";
}

/* The error of a failed libarchive call: the input's own if it caused it. */
static int archive_failure(struct reader *rd, struct archive *a, const char *name, rc_error **err)
{
        if (rd->err) {
                *err = steal_pointer(&rd->err);
                return -1;
        }
        if (name)
                return rc_error_set(err, 0, "%s: %s", name, ar_why(a));
        return rc_error_set(err, 0, "%s", ar_why(a));
}

/* A header that could not be read: say where, and after which entry. */
static int header_failure(struct reader *rd, struct archive *a, const char *last, rc_error **err)
{
        long long at = (long long)archive_filter_bytes(a, -1);

        if (rd->err) {
                *err = steal_pointer(&rd->err);
                return -1;
        }
        if (archive_format(a) == 0)
                return rc_error_set(err, 0, "not a tar archive (nor gzip or zstd compressed): %s", ar_why(a));
        if (last == NULL)
                return rc_error_set(err, 0, "damaged tar stream: the first header (before byte %lld): %s", at,
                                    ar_why(a));
        return rc_error_set(err, 0, "damaged tar stream: the header after entry %.200s (before byte %lld): %s", last,
                            at, ar_why(a));
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(a, b);
}

/* APPLY mode: remember a name and its parents as written by this layer,
 * so an opaque marker spares them. */
static void mark_written(struct rc_archive_ctx *x, const char *name)
{
        cleanup_free char *p = xstrdup(name);

        for (;;) {
                if (tfind(p, &x->written, cmp_str))
                        return;
                char *copy = xstrdup(p);
                if (tsearch(copy, &x->written, cmp_str) == NULL)
                        abort();
                char *slash = strrchr(p, '/');
                if (!slash)
                        return;
                *slash = '\0';
        }
}

/* Remove what is at dirfd/base so a new entry can take its place. */
static int remove_existing(struct rc_archive_ctx *x, int dirfd, const char *base, const char *name, rc_error **err)
{
        struct stat st;

        rc_archive_invalidate_dir(x);
        if (fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                if (errno == ENOENT)
                        return 0;
                return rc_error_set(err, errno, "%s: stat existing file", name);
        }
        if (S_ISDIR(st.st_mode)) {
                if (rc_rm_rf_at(dirfd, base, err) < 0)
                        return rc_error_wrap(err, "%s: replace directory", name);
        } else if (unlinkat(dirfd, base, 0) < 0 && errno != ENOENT) {
                return rc_error_set(err, errno, "%s: replace existing file", name);
        }
        return 0;
}

static int write_data(struct reader *rd, struct archive *a, struct archive_entry *e, int fd, const char *name,
                      rc_error **err)
{
        const void *buf;
        size_t size;
        la_int64_t off, end = 0;

        for (;;) {
                int r = archive_read_data_block(a, &buf, &size, &off);
                if (r == ARCHIVE_EOF)
                        break;
                if (r < ARCHIVE_WARN)
                        return archive_failure(rd, a, name, err);
                if (rc_interrupt_check(err) < 0)
                        return -1;
                const char *p = buf;
                while (size > 0) {
                        ssize_t n = pwrite(fd, p, size, off);
                        if (n < 0 && errno == EINTR)
                                continue;
                        if (n <= 0)
                                return rc_error_set(err, n < 0 ? errno : EIO, "%s: write", name);
                        p += n;
                        off += n;
                        size -= n;
                }
                if (off > end)
                        end = off;
        }
        /* A sparse file may end in a hole. */
        if (archive_entry_size_is_set(e) && archive_entry_size(e) > end &&
            ftruncate(fd, archive_entry_size(e)) < 0)
                return rc_error_set(err, errno, "%s: write", name);
        return 0;
}

static int extract_file(struct rc_archive_ctx *x, struct reader *rd, struct archive *a, struct archive_entry *e,
                        int dirfd, const char *base, const char *name, rc_error **err)
{
        cleanup_close int fd = -1;
        struct timespec t[2];
        const int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;

        fd = openat(dirfd, base, flags, 0600);
        if (fd < 0 && errno == EEXIST) {
                if (remove_existing(x, dirfd, base, name, err) < 0)
                        return -1;
                fd = openat(dirfd, base, flags, 0600);
        }
        if (fd < 0)
                return rc_error_set(err, errno, "%s: create", name);
        if (write_data(rd, a, e, fd, name, err) < 0)
                return -1;
        if (rc_archive_chown(x, e, fd, -1, NULL, name, err) < 0)
                return -1;
        /* after chown, which clears setuid/setgid */
        if (fchmod(fd, archive_entry_perm(e) & 07777) < 0)
                return rc_error_set(err, errno, "%s: chmod", name);
        if (rc_archive_set_xattrs(x, e, fd, -1, NULL, name, err) < 0)
                return -1;
        if (rc_archive_entry_times(e, t) && futimens(fd, t) < 0)
                return rc_error_set(err, errno, "%s: set times", name);
        if (close(steal_fd(&fd)) < 0)
                return rc_error_set(err, errno, "%s: write", name);
        return 0;
}

/* Directory entries: created owner-writable now, final mode and times at
 * the end (later entries inside would change the times, and a read-only
 * mode would block them). */
static int extract_dir(struct rc_archive_ctx *x, struct archive_entry *e, int dirfd, const char *base,
                       const char *name, rc_error **err)
{
        mode_t mode = archive_entry_perm(e) & 07777;
        struct timespec t[2];
        bool is_new = true;
        struct stat st;

        if (mkdirat(dirfd, base, 0700) < 0) {
                if (errno != EEXIST)
                        return rc_error_set(err, errno, "%s: create directory", name);
                if (fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return rc_error_set(err, errno, "%s: stat", name);
                if (S_ISDIR(st.st_mode)) {
                        is_new = false;
                } else {
                        if (remove_existing(x, dirfd, base, name, err) < 0)
                                return -1;
                        if (mkdirat(dirfd, base, 0700) < 0)
                                return rc_error_set(err, errno, "%s: create directory", name);
                }
        }
        if (rc_archive_chown(x, e, -1, dirfd, base, name, err) < 0)
                return -1;
        if (!is_new && fchmodat(dirfd, base, mode | 0700, 0) < 0)
                return rc_error_set(err, errno, "%s: chmod", name);
        if (rc_archive_set_xattrs(x, e, -1, dirfd, base, name, err) < 0)
                return -1;
        rc_archive_add_dirfix(x, name, mode, rc_archive_entry_times(e, t) ? t : NULL);
        return 0;
}

static int extract_symlink(struct rc_archive_ctx *x, struct archive_entry *e, int dirfd, const char *base,
                           const char *name, rc_error **err)
{
        const char *target = archive_entry_symlink(e);
        struct timespec t[2];

        if (target == NULL)
                target = archive_entry_symlink_utf8(e);
        if (target == NULL || target[0] == '\0')
                return rc_error_set(err, 0, "%s: symbolic link without a target", name);
        if (symlinkat(target, dirfd, base) < 0) {
                if (errno != EEXIST)
                        return rc_error_set(err, errno, "%s: create symbolic link", name);
                if (remove_existing(x, dirfd, base, name, err) < 0)
                        return -1;
                if (symlinkat(target, dirfd, base) < 0)
                        return rc_error_set(err, errno, "%s: create symbolic link", name);
        }
        if (rc_archive_chown(x, e, -1, dirfd, base, name, err) < 0)
                return -1;
        if (rc_archive_set_xattrs(x, e, -1, dirfd, base, name, err) < 0)
                return -1;
        if (rc_archive_entry_times(e, t) && utimensat(dirfd, base, t, AT_SYMLINK_NOFOLLOW) < 0)
                return rc_error_set(err, errno, "%s: set times", name);
        return 0;
}

/* An O_PATH fd for the entry `path` (cleaned) in the root, its last
 * component not followed; -1 with errno, or -2 with *err. */
static int open_entry(struct rc_archive_ctx *x, const char *path, rc_error **err)
{
        const char *slash = strrchr(path, '/');
        cleanup_free char *dir = slash ? xstrndup(path, slash - path) : xstrdup("");
        cleanup_close int dfd = -1;

        if (rc_archive_open_dir(x, dir, &dfd, err) < 0)
                return -2;
        if (dfd < 0) {
                errno = ENOENT;
                return -1;
        }
        return openat(dfd, slash ? slash + 1 : path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
}

static int extract_hardlink(struct rc_archive_ctx *x, const char *link, int dirfd, const char *base,
                            const char *name, rc_error **err)
{
        cleanup_free char *target = NULL;
        cleanup_close int tfd = -1;
        struct stat tst, st;
        char p[64];

        if (rc_archive_clean_path(link, &target, err) < 0)
                return rc_error_wrap(err, "%s: hard link", name);
        tfd = open_entry(x, target, err);
        if (tfd == -2)
                return rc_error_wrap(err, "%s: hard link target", name);
        if (tfd < 0 && errno == ENOENT)
                return rc_error_set(err, 0, "%s: hard link target %s does not exist in the layer", name, target);
        if (tfd < 0)
                return rc_error_set(err, errno, "%s: hard link target %s", name, target);
        if (fstat(tfd, &tst) < 0)
                return rc_error_set(err, errno, "%s: hard link target %s", name, target);
        if (S_ISDIR(tst.st_mode))
                return rc_error_set(err, 0, "%s: hard link target %s is a directory", name, target);
        /* AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; the /proc magic link
         * does the same for the fd's owner. */
        rc_archive_fd_path(p, sizeof(p), tfd, NULL);
        if (linkat(AT_FDCWD, p, dirfd, base, AT_SYMLINK_FOLLOW) == 0)
                return 0;
        if (errno != EEXIST)
                goto fail;
        if (fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_dev == tst.st_dev &&
            st.st_ino == tst.st_ino)
                return 0; /* already that file */
        if (remove_existing(x, dirfd, base, name, err) < 0)
                return -1;
        if (linkat(AT_FDCWD, p, dirfd, base, AT_SYMLINK_FOLLOW) == 0)
                return 0;
fail:
        if (errno == ENOENT)
                return rc_error_set(err, ENOENT, "%s: hard link to %s (is /proc mounted?)", name, target);
        return rc_error_set(err, errno, "%s: hard link to %s", name, target);
}

static int extract_node(struct rc_archive_ctx *x, struct archive_entry *e, int dirfd, const char *base,
                        const char *name, rc_error **err)
{
        mode_t type = archive_entry_filetype(e);
        dev_t dev = type == AE_IFIFO ? 0 : makedev(archive_entry_rdevmajor(e), archive_entry_rdevminor(e));
        struct timespec t[2];
        int r;

        r = mknodat(dirfd, base, type | 0600, dev);
        if (r < 0 && errno == EEXIST) {
                if (remove_existing(x, dirfd, base, name, err) < 0)
                        return -1;
                r = mknodat(dirfd, base, type | 0600, dev);
        }
        if (r < 0 && errno == EPERM && type != AE_IFIFO) {
                /* No CAP_MKNOD (user namespace): rootless engines skip these. */
                rc_debug("layer: %s: skipping device %u:%u (not permitted here)", name, major(dev), minor(dev));
                return 0;
        }
        if (r < 0)
                return rc_error_set(err, errno, "%s: mknod", name);
        if (rc_archive_chown(x, e, -1, dirfd, base, name, err) < 0)
                return -1;
        if (fchmodat(dirfd, base, archive_entry_perm(e) & 07777, 0) < 0)
                return rc_error_set(err, errno, "%s: chmod", name);
        if (rc_archive_set_xattrs(x, e, -1, dirfd, base, name, err) < 0)
                return -1;
        if (rc_archive_entry_times(e, t) && utimensat(dirfd, base, t, AT_SYMLINK_NOFOLLOW) < 0)
                return rc_error_set(err, errno, "%s: set times", name);
        return 0;
}

/* LAYER mode: ".wh.X" becomes an overlay whiteout, a char device 0:0. */
static int layer_whiteout(struct rc_archive_ctx *x, const char *dir, const char *target, const char *name,
                          rc_error **err)
{
        int dirfd, r;

        if (rc_archive_resolve_dir(x, dir, true, &dirfd, err) < 0)
                return rc_error_wrap(err, "%s", name);
        r = mknodat(dirfd, target, S_IFCHR | 0000, makedev(0, 0));
        if (r < 0 && errno == EEXIST) {
                if (remove_existing(x, dirfd, target, name, err) < 0)
                        return -1;
                r = mknodat(dirfd, target, S_IFCHR | 0000, makedev(0, 0));
        }
        if (r < 0)
                return rc_error_set(err, errno,
                                    "%s: create overlay whiteout (character device 0:0; needs Linux 5.8 or newer, "
                                    "or a user namespace)",
                                    name);
        return 0;
}

/* LAYER mode: ".wh..wh..opq" marks its directory opaque for overlayfs. */
static int layer_opaque(struct rc_archive_ctx *x, const char *dir, const char *name, rc_error **err)
{
        char p[64];
        int dirfd;

        if (rc_archive_resolve_dir(x, dir, true, &dirfd, err) < 0)
                return rc_error_wrap(err, "%s", name);
        rc_archive_fd_path(p, sizeof(p), dirfd, NULL);
        if (setxattr(p, "user.overlay.opaque", "y", 1, 0) < 0)
                return rc_error_set(err, errno,
                                    "%s: mark directory opaque (user.overlay.opaque; the storage file system "
                                    "needs user extended attributes)",
                                    name);
        return 0;
}

/* APPLY mode: ".wh.X" removes X and everything below it. */
static int apply_whiteout(struct rc_archive_ctx *x, const char *dir, const char *target, const char *name,
                          rc_error **err)
{
        int dirfd;

        if (rc_archive_resolve_dir(x, dir, false, &dirfd, err) < 0)
                return rc_error_wrap(err, "%s", name);
        if (dirfd < 0)
                return 0;
        return remove_existing(x, dirfd, target, name, err);
}

/* Remove the entries below dfd (path `dir`) that this layer did not write;
 * descend into directories it did write. */
static int opaque_walk(struct rc_archive_ctx *x, int dfd, const char *dir, rc_error **err)
{
        int dupfd = fcntl(dfd, F_DUPFD_CLOEXEC, 0);
        cleanup_closedir DIR *d = NULL;
        struct dirent *de;

        if (dupfd < 0)
                return rc_error_set(err, errno, "dup");
        d = fdopendir(dupfd);
        if (d == NULL) {
                close(dupfd);
                return rc_error_set(err, errno, "%s: read directory", dir[0] ? dir : ".");
        }
        while ((errno = 0, de = readdir(d)) != NULL) {
                cleanup_free char *path = NULL;

                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                path = dir[0] ? xasprintf("%s/%s", dir, de->d_name) : xstrdup(de->d_name);
                if (!tfind(path, &x->written, cmp_str)) {
                        if (rc_rm_rf_at(dfd, de->d_name, err) < 0)
                                return rc_error_wrap(err, "%s: opaque directory", dir[0] ? dir : ".");
                        continue;
                }
                cleanup_close int cfd = openat(dfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (cfd < 0 && (errno == ENOTDIR || errno == ELOOP))
                        continue;
                if (cfd < 0)
                        return rc_error_set(err, errno, "%s: open directory", path);
                if (opaque_walk(x, cfd, path, err) < 0)
                        return -1;
        }
        if (errno != 0)
                return rc_error_set(err, errno, "%s: read directory", dir[0] ? dir : ".");
        return 0;
}

/* APPLY mode: ".wh..wh..opq" hides what earlier layers put in its
 * directory. */
static int apply_opaque(struct rc_archive_ctx *x, const char *dir, const char *name, rc_error **err)
{
        cleanup_close int fd = -1, pfd = -1;

        rc_archive_forget_dir(x);
        if (rc_archive_open_dir(x, dir, &pfd, err) < 0)
                return rc_error_wrap(err, "%s", name);
        if (pfd < 0)
                return 0;
        fd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return rc_error_set(err, errno, "%s: open directory", name);
        return opaque_walk(x, fd, dir, err);
}

/* The root itself ("./" or "/"): only a directory makes sense. */
static int extract_root(struct rc_archive_ctx *x, struct archive_entry *e, const char *raw, rc_error **err)
{
        struct timespec t[2];

        if (archive_entry_filetype(e) != AE_IFDIR || archive_entry_hardlink(e))
                return rc_error_set(err, 0, "%s: the layer root must be a directory", raw);
        if (rc_archive_chown(x, e, -1, x->root_fd, ".", raw, err) < 0)
                return -1;
        if (fchmodat(x->root_fd, ".", (archive_entry_perm(e) & 07777) | 0700, 0) < 0)
                return rc_error_set(err, errno, "%s: chmod", raw);
        if (rc_archive_set_xattrs(x, e, -1, x->root_fd, ".", raw, err) < 0)
                return -1;
        rc_archive_add_dirfix(x, ".", archive_entry_perm(e) & 07777, rc_archive_entry_times(e, t) ? t : NULL);
        return 0;
}

static int extract_entry(struct rc_archive_ctx *x, struct reader *rd, struct archive *a, struct archive_entry *e,
                         rc_error **err)
{
        const char *raw = archive_entry_pathname(e), *link, *base, *target = NULL;
        cleanup_free char *name = NULL, *dir = NULL;
        mode_t type = archive_entry_filetype(e);
        int dirfd, kind;

        if (raw == NULL)
                raw = archive_entry_pathname_utf8(e);
        if (rc_archive_clean_path(raw, &name, err) < 0)
                return -1;
        if (strcmp(name, ".") == 0)
                return extract_root(x, e, raw, err);
        base = strrchr(name, '/');
        dir = base ? xstrndup(name, base - name) : xstrdup("");
        base = base ? base + 1 : name;

        kind = rc_archive_whiteout_kind(base, &target);
        if (kind == RC_WHITEOUT_INVALID)
                return rc_error_set(err, 0, "%s: invalid whiteout name", name);
        if (kind == RC_WHITEOUT_META) {
                rc_debug("layer: %s: skipping aufs metadata", name);
                return 0;
        }
        if (x->opts->mode == RC_EXTRACT_APPLY) {
                if (kind == RC_WHITEOUT_FILE)
                        return apply_whiteout(x, dir, target, name, err);
                if (kind == RC_WHITEOUT_OPAQUE)
                        return apply_opaque(x, dir, name, err);
                mark_written(x, name);
        } else {
                if (kind == RC_WHITEOUT_FILE)
                        return layer_whiteout(x, dir, target, name, err);
                if (kind == RC_WHITEOUT_OPAQUE)
                        return layer_opaque(x, dir, name, err);
        }

        if (rc_archive_resolve_dir(x, dir, true, &dirfd, err) < 0)
                return rc_error_wrap(err, "%s", name);
        link = archive_entry_hardlink(e);
        if (link == NULL)
                link = archive_entry_hardlink_utf8(e);
        if (link)
                return extract_hardlink(x, link, dirfd, base, name, err);
        switch (type) {
        case AE_IFREG:
                return extract_file(x, rd, a, e, dirfd, base, name, err);
        case AE_IFDIR:
                return extract_dir(x, e, dirfd, base, name, err);
        case AE_IFLNK:
                return extract_symlink(x, e, dirfd, base, name, err);
        case AE_IFCHR:
        case AE_IFBLK:
        case AE_IFIFO:
                return extract_node(x, e, dirfd, base, name, err);
        default:
                rc_debug("layer: %s: skipping entry of unsupported type 0%o", name, (unsigned)type);
                return 0;
        }
}

static int check_digest(const char *what, const char *expected, const char *actual, rc_error **err)
{
        if (expected == NULL || strcmp(expected, actual) == 0)
                return 0;
        return rc_error_set(err, 0, "%s mismatch: expected %s, got %s (the data is damaged or not what was asked for)",
                            what, expected, actual);
}

static int extract_all(struct rc_archive_ctx *x, struct reader *rd, struct rc_extract_result *res, rc_error **err)
{
        cleanup_archive struct archive *a = archive_read_new();
        struct archive_entry *e;
        cleanup_free char *last = NULL; /* the last entry read, for messages */
        uint64_t entries = 0;

        if (a == NULL)
                abort();
        if (archive_read_support_format_tar(a) != ARCHIVE_OK || archive_read_support_format_gnutar(a) != ARCHIVE_OK)
                return rc_error_set(err, 0, "libarchive: %s", ar_why(a));
        if (archive_read_open(a, rd, NULL, read_cb, NULL) != ARCHIVE_OK)
                return header_failure(rd, a, NULL, err);
        for (;;) {
                int r = archive_read_next_header(a, &e);
                const char *name;
                if (r == ARCHIVE_EOF)
                        break;
                if (r == ARCHIVE_WARN)
                        rc_debug("layer: %s", ar_why(a));
                else if (r != ARCHIVE_OK)
                        return header_failure(rd, a, last, err);
                name = archive_entry_pathname(e);
                free(last);
                last = xstrdup(name ? name : "(without a name)");
                if (rc_interrupt_check(err) < 0 || extract_entry(x, rd, a, e, err) < 0)
                        return -1;
                entries++;
        }
        if (rc_archive_input_drain(rd->in, err) < 0)
                return -1;
        if (rc_archive_apply_dirfixes(x, err) < 0)
                return -1;
        rc_archive_input_finish(rd->in, res);
        if (check_digest("layer digest", x->opts->expected_digest, res->digest, err) < 0 ||
            check_digest("layer diff_id", x->opts->expected_diff_id, res->diff_id, err) < 0)
                return -1;
        rc_debug("layer: %llu entries, %llu bytes %s, %llu bytes tar, %s", (unsigned long long)entries,
                 (unsigned long long)res->size, rc_compression_name(res->compression),
                 (unsigned long long)res->tar_size, res->diff_id);
        return 0;
}

int rc_archive_extract(int in_fd, int root_dirfd, const struct rc_extract_opts *opts, struct rc_extract_result *out,
                       rc_error **err)
{
        struct rc_archive_ctx x = {
                .root_fd = root_dirfd,
                .opts = opts,
                .euid = geteuid(),
                .parent_fd = -1,
        };
        struct reader rd = { 0 };
        struct rc_extract_result res;
        int r;

        memset(&res, 0, sizeof(res));
        if (rc_dl_archive(err) < 0 || rc_dl_crypto(err) < 0)
                return -1;
        if (rc_archive_input_open(in_fd, opts->blob_fd, &rd.in, err) < 0)
                return rc_error_wrap(err, "layer");
        rc_archive_input_set_limit(rd.in, opts->max_tar_size);
        r = extract_all(&x, &rd, &res, err);
        rc_archive_forget_dir(&x);
        for (size_t i = 0; i < x.ndirs; i++)
                free(x.dirs[i].path);
        free(x.dirs);
        tdestroy(x.written, free);
        rc_archive_input_free(rd.in);
        rc_error_free(rd.err);
        if (r < 0)
                return rc_error_wrap(err, "layer");
        *out = res;
        return 0;
}
