/* COPY and ADD: the digest of what they copy (for the cache), and the copy
 * itself into a container's root.
 *
 * The copy is a tar stream that pkg/archive extracts into the mounted
 * root, so every name is resolved inside that root (openat2
 * RESOLVE_IN_ROOT): a symlink the image or an earlier RUN planted ("/x ->
 * /") leads to the root's own "/", never to the host's. */
#include <errno.h>
#include <fcntl.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "archive/archive.h"
#include "build/internal.h"
#include "util/fs.h"
#include "util/xalloc.h"

#define HASH_BUF (1u << 20)

/* ---- digests ------------------------------------------------------------------------ */

struct memo_entry {
        dev_t dev;
        ino_t ino;
        off_t size;
        struct timespec mtime, ctime;
        char digest[RC_DIGEST_LEN + 1];
};

static int cmp_memo(const void *a, const void *b)
{
        const struct memo_entry *x = a, *y = b;

        if (x->dev != y->dev)
                return x->dev < y->dev ? -1 : 1;
        if (x->ino != y->ino)
                return x->ino < y->ino ? -1 : 1;
        return 0;
}

void bld_memo_free(struct bld_memo *m)
{
        tdestroy(m->tree, free);
        free(m->buf);
        m->tree = NULL;
        m->buf = NULL;
}

/* The sha256 of a regular file's content (dfd/name, or the open file dfd
 * when name is NULL), once per build for each unchanged file: the same
 * file copied twice is read for its digest once. */
static int file_digest(struct bld_memo *m, int dfd, const char *name, const struct stat *st,
                       char out[RC_DIGEST_LEN + 1], rc_error **err)
{
        struct memo_entry key = { .dev = st->st_dev, .ino = st->st_ino }, *e;
        void *found = tfind(&key, &m->tree, cmp_memo);
        cleanup_close int fd = -1;
        rc_sha256 *h;
        ssize_t n;
        int rfd;

        if (found) {
                e = *(struct memo_entry **)found;
                if (e->size == st->st_size && e->mtime.tv_sec == st->st_mtim.tv_sec &&
                    e->mtime.tv_nsec == st->st_mtim.tv_nsec && e->ctime.tv_sec == st->st_ctim.tv_sec &&
                    e->ctime.tv_nsec == st->st_ctim.tv_nsec) {
                        memcpy(out, e->digest, RC_DIGEST_LEN + 1);
                        return 0;
                }
        }
        if (name) {
                fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
                if (fd < 0)
                        return rc_error_set(err, errno, "open %s", name);
        }
        rfd = name ? fd : dfd;
        if (m->buf == NULL)
                m->buf = xmalloc(HASH_BUF);
        h = rc_sha256_new();
        while ((n = read(rfd, m->buf, HASH_BUF)) > 0)
                rc_sha256_update(h, m->buf, (size_t)n);
        if (n < 0) {
                int e2 = errno;
                rc_sha256_free(h);
                return rc_error_set(err, e2, "read %s", name ? name : "a source");
        }
        rc_sha256_final(h, out);
        if (found) {
                e = *(struct memo_entry **)found;
        } else {
                e = xcalloc(1, sizeof(*e));
                e->dev = st->st_dev;
                e->ino = st->st_ino;
                if (tsearch(e, &m->tree, cmp_memo) == NULL)
                        abort();
        }
        e->size = st->st_size;
        e->mtime = st->st_mtim;
        e->ctime = st->st_ctim;
        memcpy(e->digest, out, RC_DIGEST_LEN + 1);
        return 0;
}

struct hashing {
        rc_sha256 *h;
        struct bld_memo *memo;
};

/* One entry in the digest: its path, type and mode, and its content
 * (a file's digest, a symlink's target). */
static int hash_entry(struct hashing *x, const char *path, int dfd, const char *name, const struct stat *st,
                      rc_error **err)
{
        char line[64], target[4097];
        char digest[RC_DIGEST_LEN + 1];

        rc_sha256_update(x->h, path, strlen(path) + 1);
        snprintf(line, sizeof(line), "%o", (unsigned)st->st_mode);
        rc_sha256_update(x->h, line, strlen(line) + 1);
        if (S_ISREG(st->st_mode)) {
                if (file_digest(x->memo, dfd, name, st, digest, err) < 0)
                        return -1;
                rc_sha256_update(x->h, digest, RC_DIGEST_LEN + 1);
        } else if (S_ISLNK(st->st_mode)) {
                ssize_t n = readlinkat(dfd, name, target, sizeof(target) - 1);
                if (n < 0)
                        return rc_error_set(err, errno, "read symlink %s", path);
                rc_sha256_update(x->h, target, (size_t)n);
                rc_sha256_update(x->h, "", 1);
        }
        return 0;
}

static int hash_walk(void *ctx, const char *sub, int dfd, const char *name, const struct stat *st, rc_error **err)
{
        return hash_entry(ctx, sub, dfd, name, st, err);
}

int bld_copy_digest(const struct bld_copy *c, struct bld_memo *memo, char out[RC_DIGEST_LEN + 1], rc_error **err)
{
        struct hashing x = { .h = rc_sha256_new(), .memo = memo };

        for (size_t i = 0; i < c->srcs.n; i++) {
                const struct bld_source *s = &c->srcs.v[i];
                int r;

                /* the source itself, followed inside the root as it will be copied */
                rc_sha256_update(x.h, "\nsource ", 8);
                rc_sha256_update(x.h, s->rel, strlen(s->rel) + 1);
                if (S_ISREG(s->st.st_mode)) {
                        cleanup_close int fd = bld_openat_in_root(c->src_root, s->rel, O_RDONLY | O_NONBLOCK | O_NOCTTY);
                        char digest[RC_DIGEST_LEN + 1];
                        struct stat st;
                        if (fd < 0 || fstat(fd, &st) < 0) {
                                rc_error_set(err, errno, "open %s", s->rel);
                                rc_sha256_free(x.h);
                                return -1;
                        }
                        if (file_digest(memo, fd, NULL, &st, digest, err) < 0) {
                                rc_sha256_free(x.h);
                                return -1;
                        }
                        char mode[16];
                        snprintf(mode, sizeof(mode), "%o", (unsigned)st.st_mode);
                        rc_sha256_update(x.h, mode, strlen(mode) + 1);
                        rc_sha256_update(x.h, digest, sizeof(digest));
                        continue;
                }
                r = bld_source_walk(c->src_root, c->ignore, s, hash_walk, &x, err);
                if (r < 0) {
                        rc_sha256_free(x.h);
                        return -1;
                }
        }
        for (size_t i = 0; c->downloads && c->downloads[i].path; i++) {
                rc_sha256_update(x.h, "\ndownload ", 10);
                rc_sha256_update(x.h, c->downloads[i].name, strlen(c->downloads[i].name) + 1);
                rc_sha256_update(x.h, c->downloads[i].digest, strlen(c->downloads[i].digest));
        }
        for (size_t i = 0; c->docs && c->docs[i].name; i++) {
                rc_sha256_update(x.h, "\nheredoc ", 9);
                rc_sha256_update(x.h, c->docs[i].name, strlen(c->docs[i].name) + 1);
                rc_sha256_update(x.h, c->docs[i].content, strlen(c->docs[i].content));
        }
        rc_sha256_final(x.h, out);
        return 0;
}

/* ---- --chown ------------------------------------------------------------------------------ */

/* The id of `name` in a passwd or group file's text (field 3), or -1. */
static long id_in_file(const char *text, const char *name)
{
        size_t n = strlen(name);

        for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
                if (strncmp(l, name, n) == 0 && l[n] == ':') {
                        const char *p = strchr(l + n + 1, ':');
                        char *end;
                        long v;
                        if (p == NULL)
                                return -1;
                        v = strtol(p + 1, &end, 10);
                        return end == p + 1 || v < 0 ? -1 : v;
                }
        }
        return -1;
}

static int read_in_root(int root_fd, const char *path, char **out)
{
        cleanup_close int fd = bld_openat_in_root(root_fd, path, O_RDONLY | O_NONBLOCK);
        rc_error *e = NULL;
        struct stat st;

        *out = NULL;
        if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > (16 << 20))
                return 0;
        if (rc_read_fd(fd, out, NULL, &e) < 0) {
                rc_error_free(e);
                *out = NULL;
        }
        return 0;
}

static int resolve_id(const char *s, const char *file_text, const char *kind, long *out, rc_error **err)
{
        char *end;
        long v = strtol(s, &end, 10);

        if (*s && *end == '\0' && v >= 0 && v <= 0xfffffffe) {
                *out = v;
                return 0;
        }
        v = file_text ? id_in_file(file_text, s) : -1;
        if (v < 0)
                return rc_error_set(err, ENOENT, "--chown: no %s \"%s\" in the image", kind, s);
        *out = v;
        return 0;
}

/* --chown=user[:group] against the root's /etc/passwd and /etc/group; a
 * user without a group gives the gid the uid's number, as Docker does. */
int bld_chown_resolve(int root_fd, const char *spec, uid_t *uid, gid_t *gid, rc_error **err)
{
        cleanup_free char *passwd = NULL, *group = NULL, *user = xstrdup(spec);
        char *colon = strchr(user, ':');
        long u, g;

        if (colon)
                *colon++ = '\0';
        read_in_root(root_fd, "etc/passwd", &passwd);
        read_in_root(root_fd, "etc/group", &group);
        if (resolve_id(user, passwd, "user", &u, err) < 0)
                return -1;
        g = u;
        if (colon && *colon && resolve_id(colon, group, "group", &g, err) < 0)
                return -1;
        *uid = (uid_t)u;
        *gid = (gid_t)g;
        return 0;
}

/* ---- the copy ------------------------------------------------------------------------------- */

struct copying {
        const struct bld_copy *c;
        struct bld_layer_writer *w;
        const char *dest;  /* where the walked source goes, relative to the root */
        uid_t uid;
        gid_t gid;
};

static int put_entry(struct copying *x, const char *path, int dfd, const char *name, const struct stat *src,
                     rc_error **err)
{
        struct stat st = *src;
        char target[4097];
        cleanup_close int fd = -1;

        st.st_uid = x->uid;
        st.st_gid = x->gid;
        if (x->c->has_chmod && !S_ISLNK(st.st_mode))
                st.st_mode = (st.st_mode & S_IFMT) | x->c->chmod;
        if (S_ISLNK(st.st_mode)) {
                ssize_t n = readlinkat(dfd, name, target, sizeof(target) - 1);
                if (n < 0)
                        return rc_error_set(err, errno, "read symlink %s", path);
                target[n] = '\0';
                return bld_layer_add(x->w, path, &st, target, NULL, -1, err);
        }
        if (S_ISDIR(st.st_mode))
                return bld_layer_add(x->w, path, &st, NULL, NULL, -1, err);
        if (!S_ISREG(st.st_mode))
                return 0; /* devices, fifos and sockets of a context are not content */
        fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        if (fd < 0 || fstat(fd, &st) < 0)
                return rc_error_set(err, errno, "open %s", path);
        if (!S_ISREG(st.st_mode))
                return rc_error_set(err, EAGAIN, "%s changed while being copied", path);
        /* what fstat says now, with the ids and mode of the copy */
        st.st_uid = x->uid;
        st.st_gid = x->gid;
        if (x->c->has_chmod)
                st.st_mode = S_IFREG | x->c->chmod;
        return bld_layer_add(x->w, path, &st, NULL, NULL, fd, err);
}

/* A source that is a file, opened as it was resolved (inside its root). */
static int put_source_file(struct copying *x, const char *path, const struct bld_source *s, rc_error **err)
{
        cleanup_close int fd = bld_openat_in_root(x->c->src_root, s->rel, O_RDONLY | O_NONBLOCK | O_NOCTTY);
        struct stat st;

        if (fd < 0 || fstat(fd, &st) < 0)
                return rc_error_set(err, errno, "open %s", s->rel);
        if (!S_ISREG(st.st_mode))
                return 0; /* not content */
        st.st_uid = x->uid;
        st.st_gid = x->gid;
        if (x->c->has_chmod)
                st.st_mode = S_IFREG | x->c->chmod;
        return bld_layer_add(x->w, path, &st, NULL, NULL, fd, err);
}

static int copy_walk(void *ctx, const char *sub, int dfd, const char *name, const struct stat *st, rc_error **err)
{
        struct copying *x = ctx;
        cleanup_free char *path = x->dest[0] ? xasprintf("%s/%s", x->dest, sub) : xstrdup(sub);

        return put_entry(x, path, dfd, name, st, err);
}

static bool dir_in_root(int root_fd, const char *rel)
{
        cleanup_close int fd = bld_openat_in_root(root_fd, rel, O_PATH);
        struct stat st;

        return fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
}

/* An archive ADD extracts: a tar, plain, gzip or zstd. */
static bool is_archive(int root_fd, const struct bld_source *s)
{
        cleanup_close int fd = bld_openat_in_root(root_fd, s->rel, O_RDONLY | O_NONBLOCK);
        cleanup_free char *path = NULL;
        cleanup_blob_reader struct rc_blob_reader *r = NULL;
        char head[512];
        rc_error *e = NULL;
        ssize_t n;

        if (fd < 0 || !S_ISREG(s->st.st_mode))
                return false;
        path = xasprintf("/proc/self/fd/%d", fd);
        if (rc_blob_reader_open(path, &r, &e) < 0) {
                rc_error_free(e);
                return false;
        }
        n = rc_blob_reader_read(r, head, sizeof(head), &e);
        rc_error_free(e);
        return n == (ssize_t)sizeof(head) && memcmp(head + 257, "ustar", 5) == 0;
}

static int extract_archive(const struct bld_copy *c, const struct bld_source *s, int dst_root, const char *dest,
                           rc_error **err)
{
        struct rc_extract_opts o = { .mode = RC_EXTRACT_APPLY, .blob_fd = -1 };
        struct rc_extract_result res;
        cleanup_close int in = bld_openat_in_root(c->src_root, s->rel, O_RDONLY);
        cleanup_close int dir = bld_openat_in_root(dst_root, dest, O_RDONLY | O_DIRECTORY);

        if (in < 0)
                return rc_error_set(err, errno, "open %s", s->rel);
        if (dir < 0)
                return rc_error_set(err, errno, "open /%s in the image", dest);
        /* the archive's entries are resolved inside the destination */
        if (rc_archive_extract(in, dir, &o, &res, err) < 0)
                return rc_error_wrap(err, "ADD %s", s->rel);
        return 0;
}

int bld_copy_apply(const struct bld_copy *c, int dst_root, rc_error **err)
{
        struct copying x = { .c = c };
        cleanup_free char *dest = bld_clean_rel(c->dest, NULL);
        cleanup_strv char **archives = xcalloc(1, sizeof(char *));
        size_t n_items = c->srcs.n;
        bool dest_dir;
        int r = -1;

        for (size_t i = 0; c->docs && c->docs[i].name; i++)
                n_items++;
        for (size_t i = 0; c->downloads && c->downloads[i].path; i++)
                n_items++;
        if (c->chown && bld_chown_resolve(dst_root, c->chown, &x.uid, &x.gid, err) < 0)
                return -1;
        dest_dir = c->dest_slash || n_items > 1 || c->srcs.wildcard || dir_in_root(dst_root, dest);
        if ((n_items > 1 || c->srcs.wildcard) && !c->dest_slash && !dir_in_root(dst_root, dest))
                return rc_error_set(err, EINVAL,
                                    "with more than one source file, the destination must be a directory and end "
                                    "with a /");
        for (size_t i = 0; c->add && i < c->srcs.n; i++)
                if (is_archive(c->src_root, &c->srcs.v[i]))
                        strv_push(&archives, c->srcs.v[i].rel);
        if (bld_tar_into(dst_root, &x.w, err) < 0)
                return -1;
        /* a destination directory made here belongs to --chown's user */
        if (dest[0] && !dir_in_root(dst_root, dest) &&
            (dest_dir || archives[0] || (c->srcs.n == 1 && S_ISDIR(c->srcs.v[0].st.st_mode)))) {
                struct stat st = { .st_mode = S_IFDIR | (c->has_chmod ? c->chmod : 0755), .st_uid = x.uid,
                                   .st_gid = x.gid };
                clock_gettime(CLOCK_REALTIME, &st.st_mtim);
                if (bld_layer_add(x.w, dest, &st, NULL, NULL, -1, err) < 0)
                        goto fail;
        }
        for (size_t i = 0; i < c->srcs.n; i++) {
                const struct bld_source *s = &c->srcs.v[i];
                if (S_ISDIR(s->st.st_mode)) {
                        x.dest = dest;
                        if (bld_source_walk(c->src_root, c->ignore, s, copy_walk, &x, err) < 0)
                                goto fail;
                } else if (strv_contains(archives, s->rel)) {
                        continue; /* extracted below */
                } else {
                        cleanup_free char *path = dest_dir ? (dest[0] ? xasprintf("%s/%s", dest, s->name)
                                                                      : xstrdup(s->name))
                                                           : xstrdup(dest);
                        if (put_source_file(&x, path, s, err) < 0)
                                goto fail;
                }
        }
        for (size_t i = 0; c->docs && c->docs[i].name; i++) {
                cleanup_free char *path =
                        dest_dir ? (dest[0] ? xasprintf("%s/%s", dest, c->docs[i].name) : xstrdup(c->docs[i].name))
                                 : xstrdup(dest);
                struct stat st = { .st_mode = S_IFREG | (c->has_chmod ? c->chmod : 0644), .st_uid = x.uid,
                                   .st_gid = x.gid, .st_size = (off_t)strlen(c->docs[i].content) };
                clock_gettime(CLOCK_REALTIME, &st.st_mtim);
                if (bld_layer_add_data(x.w, path, &st, c->docs[i].content, err) < 0)
                        goto fail;
        }
        for (size_t i = 0; c->downloads && c->downloads[i].path; i++) {
                const struct bld_download *d = &c->downloads[i];
                cleanup_free char *path = NULL;
                cleanup_close int fd = open(d->path, O_RDONLY | O_CLOEXEC);
                struct stat st;
                if (dest_dir && d->name[0] == '\0') {
                        rc_error_set(err, EINVAL, "ADD: no file name in the URL: give the destination file's name");
                        goto fail;
                }
                path = dest_dir ? (dest[0] ? xasprintf("%s/%s", dest, d->name) : xstrdup(d->name)) : xstrdup(dest);
                if (fd < 0 || fstat(fd, &st) < 0) {
                        rc_error_set(err, errno, "open %s", d->path);
                        goto fail;
                }
                /* Docker's mode for a downloaded file */
                st.st_mode = S_IFREG | (c->has_chmod ? c->chmod : 0600);
                st.st_uid = x.uid;
                st.st_gid = x.gid;
                st.st_mtim = (struct timespec){ .tv_sec = d->mtime };
                if (bld_layer_add(x.w, path, &st, NULL, NULL, fd, err) < 0)
                        goto fail;
        }
        r = bld_tar_finish(x.w, err);
        x.w = NULL;
        for (size_t i = 0; r == 0 && archives[i]; i++) {
                struct bld_source *s = NULL;
                for (size_t k = 0; k < c->srcs.n; k++)
                        if (strcmp(c->srcs.v[k].rel, archives[i]) == 0)
                                s = &c->srcs.v[k];
                /* the destination exists now: the tar made it if needed */
                if (!dir_in_root(dst_root, dest)) {
                        rc_error_set(err, ENOTDIR, "ADD %s: the destination /%s is not a directory", archives[i], dest);
                        return -1;
                }
                r = extract_archive(c, s, dst_root, dest, err);
        }
        return r;
fail:
        bld_layer_abort(x.w);
        return -1;
}
