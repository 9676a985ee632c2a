/* rc_rm_rf_at: a recursive delete whose file descriptor use does not grow
 * with the depth of the tree.
 *
 * The walk keeps a stack of levels (one per directory between the top and
 * the current one: its name in its parent, device and inode).  Only the
 * deepest RM_OPEN_LEVELS levels keep an open directory stream; when the
 * walk goes deeper, the stream of the shallowest open level is closed.
 * Climbing back to a level whose stream was closed opens ".." of the
 * current directory and checks that it is the recorded parent (device and
 * inode): if the directory was moved meanwhile, the walk stops with an
 * error instead of deleting in the place it was moved to.  A reopened
 * level is read from its start again; what was already removed is gone,
 * so nothing is done twice.
 *
 * Peak use: RM_OPEN_LEVELS streams + 1 (a child being opened, or a parent
 * being reopened) = RC_RM_RF_MAX_FDS. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fs.h"
#include "util/xalloc.h"

#define RM_OPEN_LEVELS (RC_RM_RF_MAX_FDS - 1)
/* Times a directory is read again when rmdir finds it not empty (something
 * was added while it was being removed). */
#define RM_RESCANS 3

struct level {
        DIR *d;     /* NULL while closed to bound the fds in use */
        char *name; /* name in the parent level (the top: in the caller's dirfd) */
        dev_t dev;
        ino_t ino;
        int rescans;
};

struct walk {
        int top_dirfd;   /* the caller's directory, parent of level 0 */
        dev_t top_dev;
        struct level *lv;
        size_t n, cap;   /* levels on the stack */
        size_t first_open; /* levels [first_open, n) have a stream */
};

/* "top/…/parent/entry" for messages: a 10,000-deep path is no help. */
static char *where(const struct walk *w, const char *entry)
{
        const char *top = w->lv[0].name;

        if (w->n <= 1)
                return entry ? xasprintf("%s/%s", top, entry) : xstrdup(top);
        if (w->n == 2)
                return entry ? xasprintf("%s/%s/%s", top, w->lv[1].name, entry)
                             : xasprintf("%s/%s", top, w->lv[1].name);
        return entry ? xasprintf("%s/…/%s/%s (depth %zu)", top, w->lv[w->n - 1].name, entry, w->n)
                     : xasprintf("%s/…/%s (depth %zu)", top, w->lv[w->n - 1].name, w->n - 1);
}

static int walk_error(const struct walk *w, int errnum, const char *entry, const char *what, rc_error **err)
{
        cleanup_free char *p = where(w, entry);
        return rc_error_set(err, errnum, "%s %s", what, p);
}

/* Open directory name below dirfd for reading, never following a symlink,
 * making it accessible to its owner if it is not.  0 with *fd and *st;
 * -1 with errno (ENOTDIR/ELOOP: not a directory (any more)). */
static int open_dir(int dirfd, const char *name, int *fd, struct stat *st)
{
        const int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
        int f = openat(dirfd, name, flags);

        if (f < 0 && errno == EACCES) {
                /* Unreadable or unsearchable: pin the inode with O_PATH (no
                 * permission needed), fix its mode through the fd, open it. */
                cleanup_close int pfd = openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                char proc[64];

                if (pfd < 0 || fstat(pfd, st) < 0)
                        return -1;
                snprintf(proc, sizeof(proc), "/proc/self/fd/%d", pfd);
                if (chmod(proc, (st->st_mode & 07777) | 0700) < 0) {
                        errno = EACCES;
                        return -1;
                }
                f = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        }
        if (f < 0)
                return -1;
        if (fstat(f, st) < 0) {
                int e = errno;
                close(f);
                errno = e;
                return -1;
        }
        /* Removing entries needs write and search permission. */
        if ((st->st_mode & 0300) != 0300 && fchmod(f, (st->st_mode & 07777) | 0700) < 0) {
                int e = errno;
                close(f);
                errno = e;
                return -1;
        }
        *fd = f;
        return 0;
}

static void push(struct walk *w, DIR *d, const char *name, const struct stat *st)
{
        if (w->n == w->cap) {
                w->cap = w->cap ? 2 * w->cap : 64;
                w->lv = xrealloc(w->lv, w->cap * sizeof(*w->lv));
        }
        w->lv[w->n++] = (struct level){ .d = d, .name = xstrdup(name), .dev = st->st_dev, .ino = st->st_ino };
        /* Keep at most RM_OPEN_LEVELS streams: close the shallowest. */
        while (w->n - w->first_open > RM_OPEN_LEVELS) {
                closedir(w->lv[w->first_open].d);
                w->lv[w->first_open].d = NULL;
                w->first_open++;
        }
}

/* The fd of the parent of the deepest level: the caller's dirfd for the
 * top, an open stream, or ".." reopened and checked. */
static int parent_fd(struct walk *w, rc_error **err)
{
        struct level *cur = &w->lv[w->n - 1], *par;
        struct stat st;
        int fd;
        DIR *d;

        if (w->n == 1)
                return w->top_dirfd;
        par = &w->lv[w->n - 2];
        if (par->d)
                return dirfd(par->d);
        fd = openat(dirfd(cur->d), "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return walk_error(w, errno, NULL, "open the parent of", err);
        if (fstat(fd, &st) < 0 || st.st_dev != par->dev || st.st_ino != par->ino) {
                close(fd);
                return walk_error(w, EBUSY, NULL, "the tree was moved while being removed; stopped at", err);
        }
        d = fdopendir(fd);
        if (d == NULL) {
                close(fd);
                return walk_error(w, errno, NULL, "read", err);
        }
        par->d = d;
        w->first_open = w->n - 2;
        return fd;
}

/* The deepest level has been read to its end: remove it and pop it.
 * 1: popped; 0: it was not empty after all and is read again; -1: error. */
static int finish_level(struct walk *w, rc_error **err)
{
        struct level *cur = &w->lv[w->n - 1];
        struct stat st;
        int pfd = parent_fd(w, err);

        if (pfd < 0 && w->n > 1)
                return -1;
        /* Only remove the entry if it is still the directory we emptied;
         * if it was replaced, the parent's scan finds the newcomer. */
        if (fstatat(pfd, cur->name, &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_dev == cur->dev &&
            st.st_ino == cur->ino && unlinkat(pfd, cur->name, AT_REMOVEDIR) < 0 && errno != ENOENT) {
                if ((errno == ENOTEMPTY || errno == EEXIST) && cur->rescans++ < RM_RESCANS) {
                        rewinddir(cur->d);
                        return 0;
                }
                return walk_error(w, errno, NULL, "remove directory", err);
        }
        closedir(cur->d);
        free(cur->name);
        w->n--;
        if (w->first_open > w->n)
                w->first_open = w->n;
        return 1;
}

/* Handle one entry of the deepest level: unlink it, or descend into it. */
static int handle_entry(struct walk *w, const struct dirent *de, rc_error **err)
{
        int dfd = dirfd(w->lv[w->n - 1].d);
        unsigned char type = de->d_type;
        struct stat st;
        int fd;
        DIR *d;

        if (type == DT_UNKNOWN) {
                if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return errno == ENOENT ? 0 : walk_error(w, errno, de->d_name, "stat", err);
                type = S_ISDIR(st.st_mode) ? DT_DIR : DT_REG;
        }
        if (type != DT_DIR) {
                if (unlinkat(dfd, de->d_name, 0) == 0 || errno == ENOENT)
                        return 0;
                if (errno != EISDIR)
                        return walk_error(w, errno, de->d_name, "remove", err);
                /* replaced by a directory meanwhile */
        }
        if (open_dir(dfd, de->d_name, &fd, &st) < 0) {
                if (errno == ENOENT)
                        return 0;
                if (errno == ENOTDIR || errno == ELOOP) { /* replaced by a file or symlink */
                        if (unlinkat(dfd, de->d_name, 0) == 0 || errno == ENOENT)
                                return 0;
                        return walk_error(w, errno, de->d_name, "remove", err);
                }
                return walk_error(w, errno, de->d_name, "open directory", err);
        }
        if (st.st_dev != w->top_dev) {
                close(fd);
                return walk_error(w, 0, de->d_name, "a file system is mounted on; not removing", err);
        }
        d = fdopendir(fd);
        if (d == NULL) {
                close(fd);
                return walk_error(w, errno, de->d_name, "read directory", err);
        }
        push(w, d, de->d_name, &st);
        return 0;
}

int rc_rm_rf_at(int dirfd, const char *name, rc_error **err)
{
        struct walk w = { .top_dirfd = dirfd };
        struct stat st;
        int fd, r = 0;
        DIR *d;

        if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                if (errno == ENOENT)
                        return 0;
                return rc_error_set(err, errno, "stat %s", name);
        }
        if (!S_ISDIR(st.st_mode)) {
                if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
                        return rc_error_set(err, errno, "remove %s", name);
                return 0;
        }
        if (open_dir(dirfd, name, &fd, &st) < 0) {
                if (errno == ENOENT)
                        return 0;
                if (errno == ENOTDIR || errno == ELOOP)
                        return rc_rm_rf_at(dirfd, name, err); /* replaced meanwhile: once more */
                return rc_error_set(err, errno, "open directory %s", name);
        }
        d = fdopendir(fd);
        if (d == NULL) {
                close(fd);
                return rc_error_set(err, errno, "read directory %s", name);
        }
        w.top_dev = st.st_dev;
        push(&w, d, name, &st);
        while (w.n > 0) {
                struct dirent *de;

                errno = 0;
                de = readdir(w.lv[w.n - 1].d);
                if (de == NULL) {
                        if (errno != 0) {
                                r = walk_error(&w, errno, NULL, "read directory", err);
                                break;
                        }
                        if (finish_level(&w, err) < 0) {
                                r = -1;
                                break;
                        }
                        continue;
                }
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                if (handle_entry(&w, de, err) < 0) {
                        r = -1;
                        break;
                }
        }
        for (size_t i = 0; i < w.n; i++) {
                if (w.lv[i].d)
                        closedir(w.lv[i].d);
                free(w.lv[i].name);
        }
        free(w.lv);
        return r;
}

int rc_rm_rf(const char *path, rc_error **err)
{
        return rc_rm_rf_at(AT_FDCWD, path, err);
}
