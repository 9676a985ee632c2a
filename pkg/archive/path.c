/* Entry names and directories inside the extraction root: lexical
 * clean-up, whiteout names, parent resolution with openat2 RESOLVE_IN_ROOT,
 * and the directory modes/times applied at the end. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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

/* Paths longer than this are resolved in pieces: openat2 takes at most
 * PATH_MAX bytes, and a layer may nest directories far deeper than that. */
#define IN_ROOT_MAX 3072

/* Where to cut a long path: at the last '/' within IN_ROOT_MAX bytes, so
 * that path[0..cut) resolves in one call.  0 if there is no such '/'. */
static size_t chunk_end(const char *path)
{
        size_t len = strlen(path), cut;

        if (len <= IN_ROOT_MAX)
                return len;
        for (cut = IN_ROOT_MAX; cut > 0 && path[cut] != '/'; cut--)
                ;
        return cut;
}

static int open_beneath(int dirfd, const char *path)
{
        struct open_how how = {
                .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
                .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
        };
        int fd;

        for (int i = 0;; i++) {
                fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
                if (fd >= 0 || errno != EAGAIN || i == 32)
                        return fd;
        }
}

/* Open the directory rel (a cleaned name: no "." or ".." components) below
 * dirfd by descending only: a symbolic link on the way is ELOOP.  create:
 * make missing components (0755).  A new O_PATH fd, or -1 with errno. */
static int descend(int dirfd, const char *rel, bool create)
{
        cleanup_free char *p = xstrdup(rel);
        int cur = dirfd;
        char *s = p;

        while (*s) {
                size_t n = chunk_end(s);
                char saved = s[n];
                int next;

                if (n == 0) {
                        errno = ENAMETOOLONG;
                        goto fail;
                }
                s[n] = '\0';
                next = open_beneath(cur, s);
                if (next < 0 && errno == ENOENT && create) {
                        /* one component at a time, creating what is missing */
                        int at = cur;
                        char *save = NULL;
                        next = -1;
                        for (char *c = strtok_r(s, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
                                next = open_beneath(at, c);
                                if (next < 0 && errno == ENOENT) {
                                        if (mkdirat(at, c, 0755) < 0 && errno != EEXIST)
                                                next = -1;
                                        else
                                                next = open_beneath(at, c);
                                }
                                if (at != cur)
                                        close(at);
                                if (next < 0)
                                        break;
                                at = next;
                        }
                }
                if (next < 0)
                        goto fail;
                if (cur != dirfd)
                        close(cur);
                cur = next;
                s += n + (saved ? 1 : 0);
        }
        if (cur == dirfd)
                return fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
        return cur;
fail:
        if (cur != dirfd) {
                int e = errno;
                close(cur);
                errno = e;
        }
        return -1;
}

/* The directory dir resolved in the root: a new fd; 0 with *out = -1 when
 * it does not exist (!create); -1 with *err. */
static int open_in_root(struct rc_archive_ctx *x, const char *dir, bool create, int *out, rc_error **err)
{
        size_t n = chunk_end(dir);
        cleanup_free char *head = NULL;
        const char *tail;
        int fd;

        if (n == 0)
                return rc_error_set(err, ENAMETOOLONG, "directory name too long");
        head = xstrndup(dir, n);
        tail = dir[n] ? dir + n + 1 : NULL;
        fd = rc_archive_openat2(x->root_fd, head, O_PATH | O_DIRECTORY);
        if (fd < 0 && errno == ENOSYS)
                return rc_error_set(err, errno, "openat2 (rc needs Linux 5.6 or newer to extract layers safely)");
        if (fd < 0 && (errno == ENOENT || errno == ENOTDIR) && !create) {
                *out = -1;
                return 0;
        }
        if (fd < 0 && errno == ENOENT) {
                fd = mkdir_components(x, head, err);
                if (fd < 0)
                        return -1;
        } else if (fd < 0) {
                return rc_error_set(err, errno, "directory %s", head);
        }
        if (tail) {
                /* Below the first IN_ROOT_MAX bytes symbolic links are not
                 * followed: resolving them would need the whole path. */
                int deep = descend(fd, tail, create);
                int e = errno;
                close(fd);
                if (deep < 0 && (e == ENOENT || e == ENOTDIR) && !create) {
                        *out = -1;
                        return 0;
                }
                if (deep < 0 && e == ELOOP)
                        return rc_error_set(err, 0,
                                            "a symbolic link more than %d characters deep in a path is not followed "
                                            "(below %.40s...)",
                                            IN_ROOT_MAX, head);
                if (deep < 0)
                        return rc_error_set(err, e, "directory %.40s... (%zu characters)", dir, strlen(dir));
                fd = deep;
        }
        *out = fd;
        return 0;
}

int rc_archive_open_dir(struct rc_archive_ctx *x, const char *dir, int *fd, rc_error **err)
{
        if (dir[0] == '\0') {
                *fd = fcntl(x->root_fd, F_DUPFD_CLOEXEC, 3);
                if (*fd < 0)
                        return rc_error_set(err, errno, "dup");
                return 0;
        }
        return open_in_root(x, dir, false, fd, err);
}

int rc_archive_resolve_dir(struct rc_archive_ctx *x, const char *dir, bool create, int *out, rc_error **err)
{
        size_t plen;
        int fd = -1;

        if (dir[0] == '\0') {
                *out = x->root_fd;
                return 0;
        }
        if (x->parent_path && strcmp(x->parent_path, dir) == 0) {
                *out = x->parent_fd;
                return 0;
        }
        /* Below the cached directory (the next level of a tree being
         * extracted): descend from it.  Without symbolic links or ".." on
         * the way this is what resolving the whole name in the root gives;
         * with one, resolve the whole name. */
        plen = x->parent_path ? strlen(x->parent_path) : 0;
        if (plen && strncmp(dir, x->parent_path, plen) == 0 && dir[plen] == '/') {
                fd = descend(x->parent_fd, dir + plen + 1, create);
                if (fd < 0 && !create && (errno == ENOENT || errno == ENOTDIR)) {
                        *out = -1;
                        return 0;
                }
                if (fd < 0 && errno != ELOOP && errno != ENOTDIR)
                        return rc_error_set(err, errno, "directory %.*s...", 40, dir);
        }
        rc_archive_forget_dir(x);
        if (fd < 0) {
                if (open_in_root(x, dir, create, &fd, err) < 0)
                        return -1;
                if (fd < 0) {
                        *out = -1;
                        return 0;
                }
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
                if (rc_archive_open_dir(x, dir, &pfd, err) < 0)
                        return rc_error_wrap(err, "%s: resolve parent", d->path);
                if (pfd < 0)
                        return 0; /* removed by a later entry */
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
