/* A root file system's changes as layer entries.
 *
 * overlay and fuse-overlayfs keep a container's changes in its upper
 * directory: walking it gives the new and changed entries, its whiteouts
 * the deletions and its opaque directories the replaced ones.  vfs keeps a
 * full copy: it is compared with the image's layers, merged as overlay
 * would merge them.
 *
 * The tree is the container's: it may hold anything a process in it could
 * make.  Every entry is opened relative to its directory's fd with
 * O_NOFOLLOW, so no symlink of the tree is ever followed, and regular files
 * are opened non-blocking and checked to still be regular files. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <search.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "build/internal.h"
#include "util/xalloc.h"

/* Directories nested deeper are refused (each level holds an fd). */
#define MAX_DEPTH 512

struct level {
        char *path; /* "" for the root */
        struct stat st;
        int fd;
        bool written;
};

struct hardlink {
        dev_t dev;
        ino_t ino;
        char *path;
};

struct walker {
        struct bld_layer_writer *w;
        const struct bld_changes *c;
        int *lower;    /* layer directory fds, top layer first */
        size_t n_lower;
        struct level levels[MAX_DEPTH];
        size_t depth;  /* levels in use; levels[0] is the root */
        void *links;   /* tsearch tree of struct hardlink */
};

static int cmp_link(const void *a, const void *b)
{
        const struct hardlink *x = a, *y = b;

        if (x->dev != y->dev)
                return x->dev < y->dev ? -1 : 1;
        return x->ino < y->ino ? -1 : x->ino > y->ino;
}

static void free_link(void *p)
{
        struct hardlink *l = p;

        free(l->path);
        free(l);
}

static int cmp_names(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in a directory, sorted (a layer's order is reproducible). */
static int read_names(int fd, const char *path, char ***out, rc_error **err)
{
        int dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
        char **names = xcalloc(1, sizeof(char *));
        size_t n = 0;
        struct dirent *de;

        if (d == NULL) {
                int e = errno;
                if (dfd >= 0)
                        close(dfd);
                free(names);
                return rc_error_set(err, e, "read directory /%s", path);
        }
        while ((errno = 0, de = readdir(d)) != NULL) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                strv_push(&names, de->d_name);
                n++;
        }
        if (errno != 0) {
                int e = errno;
                closedir(d);
                strv_free(names);
                return rc_error_set(err, e, "read directory /%s", path);
        }
        closedir(d);
        qsort(names, n, sizeof(char *), cmp_names);
        *out = names;
        return 0;
}

static char *child_path(const char *dir, const char *name)
{
        return dir[0] ? xasprintf("%s/%s", dir, name) : xstrdup(name);
}

static bool xattr_is(int fd, const char *name, const char *value)
{
        char buf[8];
        ssize_t n = fgetxattr(fd, name, buf, sizeof(buf));

        return n == (ssize_t)strlen(value) && memcmp(buf, value, (size_t)n) == 0;
}

static bool has_xattr(int fd, const char *name)
{
        return fgetxattr(fd, name, NULL, 0) >= 0;
}

/* Opaque in an upper or layer directory: native overlay's and
 * fuse-overlayfs's xattrs, or fuse-overlayfs's marker file.  (Kernels from
 * 6.7 also write user.overlay.opaque=x, which means "has xattr whiteouts",
 * not opaque.) */
static bool dir_opaque(int fd)
{
        struct stat st;

        return xattr_is(fd, "user.overlay.opaque", "y") || xattr_is(fd, "trusted.overlay.opaque", "y") ||
               xattr_is(fd, "user.fuseoverlayfs.opaque", "y") ||
               fstatat(fd, ".wh..wh..opq", &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static bool is_whiteout_dev(const struct stat *st)
{
        return S_ISCHR(st->st_mode) && st->st_rdev == 0;
}

/* ---- the image's layers, merged ------------------------------------------------ */

/* path in one layer: 1 there (*out), 0 not there (look below), -1 deleted
 * or hidden by this layer (a whiteout, an opaque or non-directory
 * ancestor). */
static int lookup_in_layer(int layer_fd, const char *path, struct stat *out)
{
        cleanup_free char *copy = xstrdup(path);
        char *save = NULL, *comp = strtok_r(copy, "/", &save);
        int cur = layer_fd, r = 0;
        bool hidden = false;

        while (comp) {
                char *next_comp = strtok_r(NULL, "/", &save);
                struct stat st;
                int next;

                if (fstatat(cur, comp, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        r = hidden ? -1 : 0;
                        break;
                }
                if (is_whiteout_dev(&st)) {
                        r = -1;
                        break;
                }
                if (next_comp == NULL) {
                        *out = st;
                        r = 1;
                        break;
                }
                if (!S_ISDIR(st.st_mode)) {
                        r = -1;
                        break;
                }
                next = openat(cur, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (next < 0) {
                        r = hidden ? -1 : 0;
                        break;
                }
                hidden = hidden || dir_opaque(next);
                if (cur != layer_fd)
                        close(cur);
                cur = next;
                comp = next_comp;
        }
        if (cur != layer_fd)
                close(cur);
        return r;
}

/* What the image has at path: true with *st, or false. */
static bool lower_stat(struct walker *x, const char *path, struct stat *st)
{
        for (size_t i = 0; i < x->n_lower; i++) {
                int r = lookup_in_layer(x->lower[i], path, st);
                if (r != 0)
                        return r > 0;
        }
        return false;
}

bool bld_lower_has(char *const *lower_dirs, const char *path)
{
        size_t n = 0;
        int r = 0;

        while (lower_dirs && lower_dirs[n])
                n++;
        for (size_t i = n; i-- > 0 && r == 0;) {
                cleanup_close int fd = open(lower_dirs[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                struct stat st;
                if (fd < 0)
                        return false;
                r = lookup_in_layer(fd, path, &st);
        }
        return r > 0;
}

/* ---- writing ------------------------------------------------------------------------ */

/* Write the headers of the directories above the entry about to be written
 * that are not written yet. */
static int flush_dirs(struct walker *x, rc_error **err)
{
        for (size_t i = 1; i < x->depth; i++) {
                struct level *l = &x->levels[i];
                if (l->written)
                        continue;
                if (bld_layer_add(x->w, l->path, &l->st, NULL, NULL, l->fd, err) < 0)
                        return -1;
                l->written = true;
        }
        return 0;
}

static int write_whiteout(struct walker *x, const char *dir, const char *name, rc_error **err)
{
        if (flush_dirs(x, err) < 0)
                return -1;
        return bld_layer_add_whiteout(x->w, dir, name, err);
}

/* A non-directory entry of the tree. */
static int write_entry(struct walker *x, int dfd, const char *name, const char *path, struct stat *st,
                       rc_error **err)
{
        char target[PATH_MAX + 1];
        cleanup_close int fd = -1;
        const char *hardlink = NULL;

        if (S_ISSOCK(st->st_mode))
                return 0; /* a socket is not content */
        if (flush_dirs(x, err) < 0)
                return -1;
        if (S_ISLNK(st->st_mode)) {
                ssize_t n = readlinkat(dfd, name, target, sizeof(target) - 1);
                if (n < 0)
                        return rc_error_set(err, errno, "read symlink /%s", path);
                target[n] = '\0';
                return bld_layer_add(x->w, path, st, target, NULL, -1, err);
        }
        if (!S_ISREG(st->st_mode))
                return bld_layer_add(x->w, path, st, NULL, NULL, -1, err);
        fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        if (fd < 0 || fstat(fd, st) < 0)
                return rc_error_set(err, errno, "open /%s", path);
        if (!S_ISREG(st->st_mode))
                return rc_error_set(err, EAGAIN, "/%s changed while being read", path);
        if (st->st_nlink > 1) {
                struct hardlink key = { .dev = st->st_dev, .ino = st->st_ino }, *l;
                void *found = tfind(&key, &x->links, cmp_link);
                if (found) {
                        hardlink = (*(struct hardlink **)found)->path;
                } else {
                        l = xmalloc(sizeof(*l));
                        *l = (struct hardlink){ .dev = st->st_dev, .ino = st->st_ino, .path = xstrdup(path) };
                        if (tsearch(l, &x->links, cmp_link) == NULL)
                                abort();
                }
        }
        return bld_layer_add(x->w, path, st, NULL, hardlink, fd, err);
}

/* Enter a directory of the tree; on failure nothing is pushed. */
static int push_dir(struct walker *x, int parent, const char *name, const char *path, rc_error **err)
{
        struct stat st;
        int fd;

        if (x->depth == MAX_DEPTH)
                return rc_error_set(err, ELOOP, "/%s: directories nested deeper than %d levels", path, MAX_DEPTH);
        fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 || fstat(fd, &st) < 0) {
                int e = errno;
                if (fd >= 0)
                        close(fd);
                return rc_error_set(err, e, "open directory /%s", path);
        }
        x->levels[x->depth++] = (struct level){ .path = xstrdup(path), .fd = fd, .st = st };
        return 0;
}

static void pop_dir(struct walker *x)
{
        struct level *l = &x->levels[--x->depth];

        close(l->fd);
        free(l->path);
}

/* What rc's runtime created in the root to mount over (when the changes
 * are a container's): left out of the layer. */
static bool mount_point_file(const struct walker *x, const char *dir, const char *name, const struct stat *st)
{
        if (!x->c->skip_mount_points || !S_ISREG(st->st_mode) || st->st_size != 0)
                return false;
        if (strcmp(dir, "etc") == 0)
                return !strcmp(name, "hosts") || !strcmp(name, "hostname") || !strcmp(name, "resolv.conf");
        return strcmp(dir, "run") == 0 && strcmp(name, ".containerenv") == 0;
}

static bool mount_point_dir(const struct walker *x, const char *dir, const char *name)
{
        static const char *const names[] = { "etc", "run", "dev", "proc", "sys" };

        if (!x->c->skip_mount_points || dir[0] != '\0')
                return false;
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
                if (strcmp(name, names[i]) == 0)
                        return true;
        return false;
}

/* ---- overlay and fuse-overlayfs: the upper directory ---------------------------- */

static int walk_upper(struct walker *x, rc_error **err);

static int upper_dir(struct walker *x, int dfd, const char *name, const char *path, rc_error **err)
{
        struct level *l;
        struct stat lower;
        bool opaque, in_lower;
        int r = -1;

        if (push_dir(x, dfd, name, path, err) < 0)
                return -1;
        l = &x->levels[x->depth - 1];
        if (has_xattr(l->fd, "user.overlay.redirect") || has_xattr(l->fd, "trusted.overlay.redirect")) {
                rc_error_set(err, ENOTSUP, "/%s: a directory renamed by overlayfs with redirect_dir cannot be committed",
                             path);
                goto out;
        }
        in_lower = lower_stat(x, path, &lower);
        /* fuse-overlayfs marks every new directory opaque: only one that
         * hides something of the image's is */
        opaque = in_lower && S_ISDIR(lower.st_mode) && dir_opaque(l->fd);
        /* A directory overlay copied up for what changed below it is
         * written only with that change; a new, replaced or re-owned one
         * is a change itself.  The runtime's mount points (etc, run... of
         * an image without them) count only if something else is there. */
        if (opaque || !in_lower || !S_ISDIR(lower.st_mode) || lower.st_mode != l->st.st_mode ||
            lower.st_uid != l->st.st_uid || lower.st_gid != l->st.st_gid) {
                bool mount_point = mount_point_dir(x, x->levels[x->depth - 2].path, name) && !in_lower && !opaque;
                if (!mount_point && flush_dirs(x, err) < 0)
                        goto out;
        }
        if (opaque && (flush_dirs(x, err) < 0 || bld_layer_add_whiteout(x->w, path, ".wh..opq", err) < 0))
                goto out;
        r = walk_upper(x, err);
out:
        pop_dir(x);
        return r;
}

static int walk_upper(struct walker *x, rc_error **err)
{
        struct level *here = &x->levels[x->depth - 1];
        int dfd = here->fd;
        const char *dir = here->path;
        cleanup_strv char **names = NULL;

        if (read_names(dfd, dir, &names, err) < 0)
                return -1;
        for (size_t i = 0; names[i]; i++) {
                const char *name = names[i];
                cleanup_free char *path = child_path(dir, name);
                struct stat st;
                int r;

                if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        if (errno == ENOENT)
                                continue;
                        return rc_error_set(err, errno, "stat /%s", path);
                }
                /* fuse-overlayfs's opaque markers: the directory is opaque */
                if (strcmp(name, ".wh..wh..opq") == 0 || (strcmp(name, ".wh..opq") == 0 && is_whiteout_dev(&st)))
                        continue;
                if (is_whiteout_dev(&st)) {
                        r = write_whiteout(x, dir, name, err);
                } else if (S_ISREG(st.st_mode) && strncmp(name, ".wh.", 4) == 0 && name[4]) {
                        r = write_whiteout(x, dir, name + 4, err); /* fuse-overlayfs without mknod */
                } else if (S_ISDIR(st.st_mode)) {
                        r = upper_dir(x, dfd, name, path, err);
                } else if (mount_point_file(x, dir, name, &st)) {
                        r = 0;
                } else if (S_ISREG(st.st_mode) && st.st_size == 0) {
                        /* kernels from 6.7: a whiteout may be an empty file with an xattr */
                        cleanup_close int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
                        if (fd >= 0 && (has_xattr(fd, "user.overlay.whiteout") || has_xattr(fd, "trusted.overlay.whiteout")))
                                r = write_whiteout(x, dir, name, err);
                        else
                                r = write_entry(x, dfd, name, path, &st, err);
                } else {
                        r = write_entry(x, dfd, name, path, &st, err);
                }
                if (r < 0)
                        return -1;
        }
        return 0;
}

/* ---- vfs: the whole root against the image ----------------------------------------- */

struct lower_entry {
        char *name;
        size_t rank; /* index in the directory's layers, top first */
        struct stat st;
};

static int cmp_lower(const void *a, const void *b)
{
        const struct lower_entry *x = a, *y = b;
        int c = strcmp(x->name, y->name);

        return c ? c : x->rank < y->rank ? -1 : x->rank > y->rank;
}

/* The merged entries of a directory present in layers dirs[0..n) (top
 * first): the topmost entry of each name, whiteouts dropped. */
static int merge_lower(const int *dirs, size_t n, const char *path, struct lower_entry **out, size_t *n_out,
                       rc_error **err)
{
        struct lower_entry *all = NULL, *merged;
        size_t n_all = 0, m = 0;

        for (size_t i = 0; i < n; i++) {
                cleanup_strv char **names = NULL;
                if (read_names(dirs[i], path, &names, err) < 0)
                        goto fail;
                for (size_t k = 0; names[k]; k++) {
                        struct stat st;
                        if (fstatat(dirs[i], names[k], &st, AT_SYMLINK_NOFOLLOW) < 0)
                                continue;
                        all = xrealloc(all, (n_all + 1) * sizeof(*all));
                        all[n_all++] = (struct lower_entry){ .name = xstrdup(names[k]), .rank = i, .st = st };
                }
        }
        if (n_all > 0)
                qsort(all, n_all, sizeof(*all), cmp_lower);
        merged = xcalloc(n_all + 1, sizeof(*merged));
        /* sorted by name, then layer: the first of each name is the topmost */
        for (size_t i = 0; i < n_all; i++) {
                bool first = i == 0 || strcmp(all[i].name, all[i - 1].name) != 0;
                if (first && !is_whiteout_dev(&all[i].st))
                        merged[m++] = all[i];
        }
        /* the names not moved into merged */
        for (size_t i = 0, k = 0; i < n_all; i++) {
                if (k < m && merged[k].name == all[i].name)
                        k++;
                else
                        free(all[i].name);
        }
        free(all);
        *out = merged;
        *n_out = m;
        return 0;
fail:
        for (size_t i = 0; i < n_all; i++)
                free(all[i].name);
        free(all);
        return -1;
}

/* The layers (top first) in which parent/name continues the merged
 * directory: up to a whiteout, a non-directory, or after an opaque one. */
static size_t child_layers(const int *dirs, size_t n, const char *name, int *out)
{
        size_t k = 0;

        for (size_t i = 0; i < n; i++) {
                struct stat st;
                int fd;
                if (fstatat(dirs[i], name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue;
                if (!S_ISDIR(st.st_mode))
                        break;
                fd = openat(dirs[i], name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        break;
                out[k++] = fd;
                if (dir_opaque(fd))
                        break;
        }
        return k;
}

static bool same_entry(int dfd, const char *name, const struct stat *a, int lower_dir, const struct stat *b)
{
        if ((a->st_mode & S_IFMT) != (b->st_mode & S_IFMT) || a->st_mode != b->st_mode || a->st_uid != b->st_uid ||
            a->st_gid != b->st_gid)
                return false;
        if (S_ISDIR(a->st_mode))
                return true; /* its entries are compared one by one */
        if (a->st_mtim.tv_sec != b->st_mtim.tv_sec || a->st_mtim.tv_nsec != b->st_mtim.tv_nsec ||
            a->st_size != b->st_size || a->st_rdev != b->st_rdev)
                return false;
        if (S_ISLNK(a->st_mode)) {
                char t1[PATH_MAX + 1], t2[PATH_MAX + 1];
                ssize_t n1 = readlinkat(dfd, name, t1, sizeof(t1)), n2 = readlinkat(lower_dir, name, t2, sizeof(t2));
                return n1 >= 0 && n1 == n2 && memcmp(t1, t2, (size_t)n1) == 0;
        }
        return true;
}

static int walk_vfs(struct walker *x, const int *dirs, size_t n_dirs, rc_error **err);

/* A directory of the root: its entries compared with the image's when the
 * image has it (in_image); its header written unless lazy (then only with
 * a change below it). */
static int vfs_dir(struct walker *x, int dfd, const char *name, const char *path, const int *dirs, size_t n_dirs,
                   bool in_image, bool lazy, rc_error **err)
{
        int *sub = xcalloc(x->n_lower + 1, sizeof(int));
        size_t n_sub = in_image ? child_layers(dirs, n_dirs, name, sub) : 0;
        int r = push_dir(x, dfd, name, path, err);

        if (r == 0) {
                if (!lazy)
                        r = flush_dirs(x, err);
                if (r == 0)
                        r = walk_vfs(x, sub, n_sub, err);
                pop_dir(x);
        }
        for (size_t i = 0; i < n_sub; i++)
                close(sub[i]);
        free(sub);
        return r;
}

static int walk_vfs(struct walker *x, const int *dirs, size_t n_dirs, rc_error **err)
{
        struct level *here = &x->levels[x->depth - 1];
        int dfd = here->fd;
        const char *dir = here->path;
        cleanup_strv char **names = NULL;
        struct lower_entry *lower = NULL;
        size_t n_lower = 0, li = 0, ci = 0;
        int r = -1;

        if (read_names(dfd, dir, &names, err) < 0 || merge_lower(dirs, n_dirs, dir, &lower, &n_lower, err) < 0)
                goto out;
        while (names[ci] || li < n_lower) {
                int c = !names[ci] ? 1 : li == n_lower ? -1 : strcmp(names[ci], lower[li].name);
                const struct lower_entry *le = c >= 0 ? &lower[li] : NULL;
                cleanup_free char *path = NULL;
                struct stat st;

                if (c > 0) { /* only in the image: deleted */
                        if (write_whiteout(x, dir, le->name, err) < 0)
                                goto out;
                        li++;
                        continue;
                }
                path = child_path(dir, names[ci]);
                if (fstatat(dfd, names[ci], &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        rc_error_set(err, errno, "stat /%s", path);
                        goto out;
                }
                if (le && same_entry(dfd, names[ci], &st, dirs[le->rank], &le->st)) {
                        if (S_ISDIR(st.st_mode) && vfs_dir(x, dfd, names[ci], path, dirs, n_dirs, true, true, err) < 0)
                                goto out;
                } else if (S_ISDIR(st.st_mode)) {
                        /* new or changed: written; its entries are compared with the
                         * image's only if the image had a directory here too */
                        bool in_image = le && S_ISDIR(le->st.st_mode);
                        bool lazy = !le && mount_point_dir(x, dir, names[ci]);
                        if (vfs_dir(x, dfd, names[ci], path, dirs, n_dirs, in_image, lazy, err) < 0)
                                goto out;
                } else if (!mount_point_file(x, dir, names[ci], &st) &&
                           write_entry(x, dfd, names[ci], path, &st, err) < 0) {
                        goto out;
                }
                ci++;
                if (c == 0)
                        li++;
        }
        r = 0;
out:
        for (size_t i = 0; i < n_lower; i++)
                free(lower[i].name);
        free(lower);
        return r;
}

int bld_diff_write(struct bld_layer_writer *w, const struct bld_changes *c, rc_error **err)
{
        struct walker *x = xcalloc(1, sizeof(*x));
        size_t n = strv_len(c->lower_dirs);
        int r = -1;

        x->w = w;
        x->c = c;
        x->lower = xcalloc(n + 1, sizeof(int));
        for (size_t i = 0; i < n; i++) {
                /* top layer first */
                x->lower[i] = open(c->lower_dirs[n - 1 - i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (x->lower[i] < 0) {
                        rc_error_set(err, errno, "open layer %s", c->lower_dirs[n - 1 - i]);
                        goto out;
                }
                x->n_lower++;
        }
        x->levels[0] = (struct level){ .path = xstrdup(""), .fd = open(c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) };
        x->depth = 1;
        if (x->levels[0].fd < 0) {
                rc_error_set(err, errno, "open %s", c->dir);
                goto out;
        }
        r = c->driver == RC_DRIVER_VFS ? walk_vfs(x, x->lower, x->n_lower, err) : walk_upper(x, err);
out:
        while (x->depth > 0)
                pop_dir(x);
        for (size_t i = 0; i < x->n_lower; i++)
                close(x->lower[i]);
        free(x->lower);
        tdestroy(x->links, free_link);
        free(x);
        return r;
}

int bld_commit_changes(struct rc_store *s, const struct bld_changes *c, const char *parent_chain,
                       struct rc_layer *out, bool *empty, rc_error **err)
{
        struct bld_layer_writer *w;

        if (bld_layer_begin(s, &w, err) < 0)
                return -1;
        if (bld_diff_write(w, c, err) < 0) {
                bld_layer_abort(w);
                return -1;
        }
        return bld_layer_finish(w, parent_chain, out, empty, err);
}
