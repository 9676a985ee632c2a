/* Entry names and directories inside the extraction root: lexical
 * clean-up, whiteout names, parent resolution with openat2 RESOLVE_IN_ROOT,
 * and the directory modes/times applied at the end. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "archive/internal.h"
#include "util/log.h"
#include "util/xalloc.h"

int rc_archive_clean_path(const char *name, char **out, rc_error **err)
{
        size_t len, olen = 0;
        cleanup_free char *o = NULL;
        const char *p;

        if (name == NULL || name[0] == '\0')
                return rc_error_set(err, 0, "empty entry name in the tar stream");
        len = strlen(name);
        o = xmalloc(len + 2);
        p = name;
        while (*p) {
                const char *c = p;
                size_t n;

                while (*p && *p != '/')
                        p++;
                n = p - c;
                while (*p == '/')
                        p++;
                if (n == 0 || (n == 1 && c[0] == '.'))
                        continue;
                if (n == 2 && c[0] == '.' && c[1] == '.') {
                        if (olen == 0)
                                return rc_error_set(err, 0,
                                                    "entry name %s points outside the layer root (\"..\" above "
                                                    "the top); the layer is damaged or hostile",
                                                    name);
                        while (olen > 0 && o[olen - 1] != '/')
                                olen--;
                        if (olen > 0)
                                olen--; /* the '/' before the dropped component */
                        continue;
                }
                if (olen > 0)
                        o[olen++] = '/';
                memcpy(o + olen, c, n);
                olen += n;
        }
        if (olen == 0)
                o[olen++] = '.';
        o[olen] = '\0';
        *out = steal_pointer(&o);
        return 0;
}

int rc_archive_whiteout_kind(const char *base, const char **target)
{
        const char *t;

        if (strncmp(base, ".wh.", 4) != 0)
                return RC_WHITEOUT_NONE;
        if (strcmp(base, ".wh..wh..opq") == 0)
                return RC_WHITEOUT_OPAQUE;
        if (strncmp(base, ".wh..wh.", 8) == 0)
                return RC_WHITEOUT_META;
        t = base + 4;
        if (t[0] == '\0' || strcmp(t, ".") == 0 || strcmp(t, "..") == 0 || strchr(t, '/'))
                return RC_WHITEOUT_INVALID;
        *target = t;
        return RC_WHITEOUT_FILE;
}

void rc_archive_fd_path(char *buf, size_t len, int fd, const char *name)
{
        if (name)
                snprintf(buf, len, "/proc/self/fd/%d/%s", fd, name);
        else
                snprintf(buf, len, "/proc/self/fd/%d", fd);
}

int rc_archive_openat2(int root_fd, const char *path, int flags)
{
        struct open_how how = {
                .flags = (uint64_t)(flags | O_CLOEXEC),
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        int fd;

        /* EAGAIN: a concurrent rename raced with the resolution; retry. */
        for (int i = 0;; i++) {
                fd = (int)syscall(SYS_openat2, root_fd, path, &how, sizeof(how));
                if (fd >= 0 || errno != EAGAIN || i == 32)
                        return fd;
        }
}

void rc_archive_forget_dir(struct rc_archive_ctx *x)
{
        if (x->parent_fd >= 0 && x->parent_fd != x->root_fd)
                close(x->parent_fd);
        x->parent_fd = -1;
        free(x->parent_path);
        x->parent_path = NULL;
}

void rc_archive_invalidate_dir(struct rc_archive_ctx *x)
{
        free(x->parent_path);
        x->parent_path = NULL;
}

void rc_archive_add_dirfix(struct rc_archive_ctx *x, const char *path, mode_t mode, const struct timespec *times)
{
        struct rc_archive_dirfix *d;

        if (x->ndirs == x->capdirs) {
                x->capdirs = x->capdirs ? 2 * x->capdirs : 64;
                x->dirs = xrealloc(x->dirs, x->capdirs * sizeof(*x->dirs));
        }
        d = &x->dirs[x->ndirs++];
        d->path = xstrdup(path);
        d->mode = mode;
        d->set_times = times != NULL;
        if (times) {
                d->times[0] = times[0];
                d->times[1] = times[1];
        }
}

/* A directory that existed before (APPLY onto an earlier layer) may be
 * read-only for its owner; open it up while we write into it and restore
 * its mode at the end. */
static int ensure_writable(struct rc_archive_ctx *x, int fd, const char *dir, rc_error **err)
{
        struct stat st;
        char p[64];

        if (fstat(fd, &st) < 0)
                return rc_error_set(err, errno, "%s: stat", dir);
        if ((st.st_mode & 0700) == 0700 || st.st_uid != x->euid)
                return 0;
        rc_archive_fd_path(p, sizeof(p), fd, NULL);
        if (chmod(p, (st.st_mode & 07777) | 0700) < 0)
                return rc_error_set(err, errno, "%s: make directory writable", dir);
        rc_archive_add_dirfix(x, dir, st.st_mode & 07777, NULL);
        return 0;
}

/* Create the missing components of dir one at a time; each prefix is
 * resolved in the root again, so symlinks in it stay inside. */
static int mkdir_components(struct rc_archive_ctx *x, const char *dir, rc_error **err)
{
        cleanup_free char *prefix = xstrdup(dir);
        int prev = x->root_fd, fd = -1;
        char *p = prefix;

        for (;;) {
                char *slash = strchr(p, '/');
                const char *comp = p;

                if (slash)
                        *slash = '\0';
                fd = rc_archive_openat2(x->root_fd, prefix, O_PATH | O_DIRECTORY);
                if (fd < 0 && errno == ENOENT) {
                        if (mkdirat(prev, comp, 0755) < 0 && errno != EEXIST) {
                                int e = errno;
                                if (prev != x->root_fd)
                                        close(prev);
                                return rc_error_set(err, e, "create directory %s", prefix);
                        }
                        fd = rc_archive_openat2(x->root_fd, prefix, O_PATH | O_DIRECTORY);
                }
                if (fd < 0) {
                        int e = errno;
                        if (prev != x->root_fd)
                                close(prev);
                        if (e == ENOENT)
                                return rc_error_set(err, 0,
                                                    "directory %s is a symbolic link to a directory that does not "
                                                    "exist in the layer",
                                                    prefix);
                        return rc_error_set(err, e, "directory %s", prefix);
                }
                if (prev != x->root_fd)
                        close(prev);
                prev = fd;
                if (!slash)
                        return fd;
                *slash = '/';
                p = slash + 1;
        }
}

int rc_archive_resolve_dir(struct rc_archive_ctx *x, const char *dir, bool create, int *out, rc_error **err)
{
        int fd;

        if (dir[0] == '\0') {
                *out = x->root_fd;
                return 0;
        }
        if (x->parent_path && strcmp(x->parent_path, dir) == 0) {
                *out = x->parent_fd;
                return 0;
        }
        rc_archive_forget_dir(x);
        fd = rc_archive_openat2(x->root_fd, dir, O_PATH | O_DIRECTORY);
        if (fd < 0 && errno == ENOSYS)
                return rc_error_set(err, errno, "openat2 (rc needs Linux 5.6 or newer to extract layers safely)");
        if (fd < 0 && errno == ENOENT) {
                if (!create) {
                        *out = -1;
                        return 0;
                }
                fd = mkdir_components(x, dir, err);
                if (fd < 0)
                        return -1;
        } else if (fd < 0) {
                if (!create && errno == ENOTDIR) {
                        *out = -1;
                        return 0;
                }
                return rc_error_set(err, errno, "directory %s", dir);
        }
        if (ensure_writable(x, fd, dir, err) < 0) {
                close(fd);
                return -1;
        }
        x->parent_fd = fd;
        x->parent_path = xstrdup(dir);
        *out = fd;
        return 0;
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(a, b);
}

static void free_nothing(void *p)
{
        (void)p;
}

static int apply_dirfix(struct rc_archive_ctx *x, const struct rc_archive_dirfix *d, rc_error **err)
{
        cleanup_free char *dir = xstrdup(d->path);
        cleanup_close int pfd = -1;
        const char *base = d->path;
        char *slash = strrchr(dir, '/');
        int dfd = x->root_fd;
        struct stat st;

        if (slash) {
                *slash = '\0';
                base = slash + 1;
                pfd = rc_archive_openat2(x->root_fd, dir, O_PATH | O_DIRECTORY);
                if (pfd < 0 && (errno == ENOENT || errno == ENOTDIR))
                        return 0; /* removed by a later entry */
                if (pfd < 0)
                        return rc_error_set(err, errno, "%s: resolve parent", d->path);
                dfd = pfd;
        }
        if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                if (errno == ENOENT)
                        return 0;
                return rc_error_set(err, errno, "%s: stat", d->path);
        }
        if (!S_ISDIR(st.st_mode))
                return 0; /* replaced by a later entry */
        if ((st.st_mode & 07777) != d->mode && fchmodat(dfd, base, d->mode, 0) < 0)
                return rc_error_set(err, errno, "%s: chmod", d->path);
        if (d->set_times && utimensat(dfd, base, d->times, AT_SYMLINK_NOFOLLOW) < 0)
                return rc_error_set(err, errno, "%s: set times", d->path);
        return 0;
}

/* Latest record first, so that a directory listed twice gets the mode of
 * its last entry, and children are fixed before a parent may lose its
 * search permission. */
int rc_archive_apply_dirfixes(struct rc_archive_ctx *x, rc_error **err)
{
        void *done = NULL;
        int r = 0;

        rc_archive_forget_dir(x);
        for (size_t i = x->ndirs; i-- > 0;) {
                const struct rc_archive_dirfix *d = &x->dirs[i];

                if (tfind(d->path, &done, cmp_str))
                        continue;
                if (tsearch(d->path, &done, cmp_str) == NULL)
                        abort();
                r = apply_dirfix(x, d, err);
                if (r < 0)
                        break;
        }
        tdestroy(done, free_nothing); /* glibc calls the function unconditionally */
        if (r == 0)
                rc_debug("layer: fixed up %zu directories", x->ndirs);
        return r;
}
