/* Writing a layer: tar entries (libarchive, pax) go at once to a gzip blob
 * in the store's staging area, hashed as they are compressed (the blob
 * digest), and through a socket to a thread that extracts them with
 * pkg/archive into a staged layer directory, hashing the tar (the
 * diff_id).  One pass over the files, compression and extraction on two
 * cores; nothing is recorded until both digests are known. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <zlib.h>

#include "archive/archive.h"
#include "build/internal.h"
#include "dl/archive.h"
#include "dl/dl.h"
#include "images/images.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/xalloc.h"

#define ZBUF_SIZE (1u << 17)
#define COPY_BUF_SIZE (1u << 17)

/* zlib level 1: layers built here are mostly run here; on the build's
 * critical path it is several times faster than the default level for
 * about a tenth more bytes. */
#define GZIP_LEVEL 1

struct bld_layer_writer {
        struct rc_store *s;
        struct archive *a;
        struct archive_entry *e;
        /* the compressed blob */
        int blob_fd;
        char *blob_path;
        z_stream z;
        bool z_init;
        rc_sha256 *blob_hash;
        uint64_t blob_size;
        unsigned char *zbuf, *copy_buf;
        /* the extraction */
        int sock[2];
        char *dir;
        int dir_fd;
        pthread_t thread;
        bool thread_started;
        struct rc_extract_opts xopts;
        struct rc_extract_result res;
        rc_error *extract_err;
        int extract_status;
        rc_error *write_err; /* from inside libarchive's callbacks */
        bool send_failed;    /* the extraction stopped reading: its error is the one to report */
        size_t n_entries;
        char **list;         /* a lister (rc diff): the paths given, nothing written */
};

static void *extract_main(void *arg)
{
        struct bld_layer_writer *w = arg;

        w->extract_status = rc_archive_extract(w->sock[0], w->dir_fd, &w->xopts, &w->res, &w->extract_err);
        /* a writer still sending gets EPIPE instead of waiting for ever */
        shutdown(w->sock[0], SHUT_RDWR);
        return NULL;
}

static int emit(struct bld_layer_writer *w, const void *data, size_t len)
{
        if (len == 0)
                return 0;
        if (rc_write_all(w->blob_fd, data, len) < 0)
                return rc_error_set(&w->write_err, errno, "write layer blob %s", w->blob_path);
        rc_sha256_update(w->blob_hash, data, len);
        w->blob_size += len;
        return 0;
}

static int deflate_chunk(struct bld_layer_writer *w, const void *data, size_t len, int flush)
{
        w->z.next_in = (Bytef *)data;
        w->z.avail_in = (uInt)len;
        do {
                w->z.next_out = w->zbuf;
                w->z.avail_out = ZBUF_SIZE;
                if (deflate(&w->z, flush) == Z_STREAM_ERROR)
                        return rc_error_set(&w->write_err, 0, "gzip: compression failed");
                if (emit(w, w->zbuf, ZBUF_SIZE - w->z.avail_out) < 0)
                        return -1;
        } while (w->z.avail_out == 0);
        return 0;
}

static la_ssize_t write_cb(struct archive *a, void *ctx, const void *buf, size_t len)
{
        struct bld_layer_writer *w = ctx;
        const char *p = buf;
        size_t left = len;

        if (w->write_err)
                return -1;
        if (w->blob_hash && deflate_chunk(w, buf, len, Z_NO_FLUSH) < 0)
                goto fail;
        while (left > 0) {
                ssize_t n = send(w->sock[1], p, left, MSG_NOSIGNAL);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        rc_error_set(&w->write_err, errno, "pass the layer to its extraction");
                        w->send_failed = true;
                        goto fail;
                }
                p += n;
                left -= (size_t)n;
        }
        return (la_ssize_t)len;
fail:
        archive_set_error(a, EIO, "%s", w->write_err->msg);
        return -1;
}

static int close_cb(struct archive *a, void *ctx)
{
        struct bld_layer_writer *w = ctx;

        (void)a;
        if (w->write_err == NULL && w->blob_hash)
                deflate_chunk(w, NULL, 0, Z_FINISH);
        return w->write_err ? ARCHIVE_FATAL : ARCHIVE_OK;
}

/* Start the extraction thread and the tar writer (w's target set). */
static int writer_open(struct bld_layer_writer *w, rc_error **err)
{
        int r;

        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, w->sock) < 0)
                return rc_error_set(err, errno, "socketpair");
        w->copy_buf = xmalloc(COPY_BUF_SIZE);
        r = pthread_create(&w->thread, NULL, extract_main, w);
        if (r != 0)
                return rc_error_set(err, r, "start the extraction");
        w->thread_started = true;
        w->a = archive_write_new();
        w->e = archive_entry_new();
        if (w->a == NULL || w->e == NULL)
                abort();
        /* pax: names of any length and bytes (libarchive marks a name that
         * is not text in rc's locale hdrcharset=BINARY and keeps its bytes) */
        archive_write_set_format_pax_restricted(w->a);
        if (archive_write_open(w->a, w, NULL, write_cb, close_cb) != ARCHIVE_OK)
                return rc_error_set(err, 0, "tar: %s", archive_error_string(w->a));
        return 0;
}

static struct bld_layer_writer *writer_new(void)
{
        struct bld_layer_writer *w = xcalloc(1, sizeof(*w));

        w->blob_fd = w->dir_fd = w->sock[0] = w->sock[1] = -1;
        return w;
}

int bld_layer_begin(struct rc_store *s, struct bld_layer_writer **out, rc_error **err)
{
        struct bld_layer_writer *w = writer_new();

        w->s = s;
        if (rc_dl_archive(err) < 0 || rc_dl_crypto(err) < 0)
                goto fail;
        if (rc_store_mkstemp(s, "blob", &w->blob_fd, &w->blob_path, err) < 0 ||
            rc_store_mkdtemp(s, "layer", &w->dir, err) < 0)
                goto fail;
        w->dir_fd = open(w->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (w->dir_fd < 0) {
                rc_error_set(err, errno, "open %s", w->dir);
                goto fail;
        }
        /* windowBits 15 + 16: a gzip header, as the layer media type says */
        if (deflateInit2(&w->z, GZIP_LEVEL, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
                rc_error_set(err, ENOMEM, "gzip: initialisation failed");
                goto fail;
        }
        w->z_init = true;
        w->zbuf = xmalloc(ZBUF_SIZE);
        w->blob_hash = rc_sha256_new();
        w->xopts = (struct rc_extract_opts){ .mode = RC_EXTRACT_LAYER, .blob_fd = -1,
                                             .max_tar_size = rc_store_max_layer_size(s) };
        if (writer_open(w, err) < 0)
                goto fail;
        *out = w;
        return 0;
fail:
        bld_layer_abort(w);
        return -1;
}

int bld_tar_into(int root_fd, struct bld_layer_writer **out, rc_error **err)
{
        struct bld_layer_writer *w = writer_new();

        if (rc_dl_archive(err) < 0 || rc_dl_crypto(err) < 0)
                goto fail;
        w->dir_fd = fcntl(root_fd, F_DUPFD_CLOEXEC, 3);
        if (w->dir_fd < 0) {
                rc_error_set(err, errno, "dup");
                goto fail;
        }
        w->xopts = (struct rc_extract_opts){ .mode = RC_EXTRACT_APPLY, .blob_fd = -1 };
        if (writer_open(w, err) < 0)
                goto fail;
        *out = w;
        return 0;
fail:
        bld_layer_abort(w);
        return -1;
}

struct bld_layer_writer *bld_layer_lister(void)
{
        struct bld_layer_writer *w = xcalloc(1, sizeof(*w));

        w->sock[0] = w->sock[1] = w->blob_fd = w->dir_fd = -1;
        w->list = xcalloc(1, sizeof(char *));
        return w;
}

char **bld_layer_lister_take(struct bld_layer_writer *w)
{
        char **list = w->list;

        w->list = NULL;
        bld_layer_abort(w);
        return list;
}

void bld_layer_abort(struct bld_layer_writer *w)
{
        rc_error *e = NULL;

        if (w == NULL)
                return;
        strv_free(w->list);
        if (w->a)
                archive_write_free(w->a); /* closes: the extraction sees the end */
        if (w->e)
                archive_entry_free(w->e);
        if (w->sock[1] >= 0)
                close(w->sock[1]);
        if (w->thread_started)
                pthread_join(w->thread, NULL);
        if (w->sock[0] >= 0)
                close(w->sock[0]);
        if (w->z_init)
                deflateEnd(&w->z);
        if (w->blob_fd >= 0)
                close(w->blob_fd);
        if (w->blob_path)
                unlink(w->blob_path);
        if (w->dir_fd >= 0)
                close(w->dir_fd);
        if (w->dir && rc_rm_rf(w->dir, &e) < 0) {
                rc_debug("%s", e->msg); /* staging: rc_store_gc collects it */
                rc_error_free(e);
        }
        rc_sha256_free(w->blob_hash);
        rc_error_free(w->extract_err);
        rc_error_free(w->write_err);
        free(w->zbuf);
        free(w->copy_buf);
        free(w->blob_path);
        free(w->dir);
        free(w);
}

size_t bld_layer_entries(const struct bld_layer_writer *w)
{
        return w->n_entries;
}

/* Wait for the extraction to end; its error, if it failed, in *err. */
static int join_extraction(struct bld_layer_writer *w, rc_error **err)
{
        if (w->sock[1] >= 0) {
                close(w->sock[1]);
                w->sock[1] = -1;
        }
        if (w->thread_started) {
                pthread_join(w->thread, NULL);
                w->thread_started = false;
        }
        if (w->extract_status < 0 && w->extract_err) {
                *err = steal_pointer(&w->extract_err);
                return rc_error_wrap(err, "store the layer");
        }
        return 0;
}

/* The error of a failed archive call: the extraction's when it stopped
 * reading, ours from a callback, else libarchive's. */
static int archive_failed(struct bld_layer_writer *w, const char *path, rc_error **err)
{
        if (w->send_failed && join_extraction(w, err) < 0)
                return -1;
        if (w->write_err)
                return rc_error_set(err, rc_error_errno(w->write_err), "layer: %s: %s", path, w->write_err->msg);
        return rc_error_set(err, archive_errno(w->a) > 0 ? archive_errno(w->a) : 0, "layer: %s: %s", path,
                            archive_error_string(w->a));
}

/* xattrs a layer carries: user.* (not the overlay drivers' own) and file
 * capabilities. */
static bool keep_xattr(const char *name)
{
        if (strcmp(name, "security.capability") == 0)
                return true;
        return strncmp(name, "user.", 5) == 0 && strncmp(name, "user.overlay.", 13) != 0 &&
               strncmp(name, "user.fuseoverlayfs.", 19) != 0;
}

static int add_xattrs(struct bld_layer_writer *w, int fd, const char *path, rc_error **err)
{
        char names[4096], value[4096];
        ssize_t n = flistxattr(fd, names, sizeof(names));

        if (n < 0) {
                if (errno == ENOTSUP || errno == EBADF)
                        return 0;
                if (errno == ERANGE)
                        return rc_error_set(err, E2BIG, "layer: %s: more extended attributes than rc keeps", path);
                return rc_error_set(err, errno, "layer: %s: list extended attributes", path);
        }
        for (char *name = names; name < names + n; name += strlen(name) + 1) {
                ssize_t v;
                if (!keep_xattr(name))
                        continue;
                v = fgetxattr(fd, name, value, sizeof(value));
                if (v < 0)
                        return rc_error_set(err, errno, "layer: %s: extended attribute %s", path, name);
                archive_entry_xattr_add_entry(w->e, name, value, (size_t)v);
        }
        return 0;
}

int bld_layer_add(struct bld_layer_writer *w, const char *path, const struct stat *st, const char *target,
                  const char *hardlink, int fd, rc_error **err)
{
        off_t left;

        if (w->list) {
                cleanup_free char *entry = xasprintf("%s%s", path, S_ISDIR(st->st_mode) ? "/" : "");
                strv_push(&w->list, entry);
                w->n_entries++;
                return 0;
        }
        archive_entry_clear(w->e);
        archive_entry_set_pathname(w->e, path);
        archive_entry_set_uid(w->e, st->st_uid);
        archive_entry_set_gid(w->e, st->st_gid);
        archive_entry_set_perm(w->e, st->st_mode & 07777);
        archive_entry_set_mtime(w->e, st->st_mtim.tv_sec, st->st_mtim.tv_nsec);
        archive_entry_set_filetype(w->e, st->st_mode & S_IFMT);
        if (hardlink) {
                archive_entry_set_hardlink(w->e, hardlink);
                archive_entry_set_size(w->e, 0);
        } else if (S_ISREG(st->st_mode)) {
                archive_entry_set_size(w->e, st->st_size);
        } else if (S_ISLNK(st->st_mode)) {
                archive_entry_set_symlink(w->e, target);
        } else if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode)) {
                archive_entry_set_rdevmajor(w->e, major(st->st_rdev));
                archive_entry_set_rdevminor(w->e, minor(st->st_rdev));
        }
        if (fd >= 0 && !hardlink && (S_ISREG(st->st_mode) || S_ISDIR(st->st_mode)) &&
            add_xattrs(w, fd, path, err) < 0)
                return -1;
        if (archive_write_header(w->a, w->e) < ARCHIVE_WARN)
                return archive_failed(w, path, err);
        w->n_entries++;
        if (hardlink || !S_ISREG(st->st_mode))
                return 0;
        /* exactly the size in the header: a file that changed meanwhile is
         * cut or padded with zeros by libarchive */
        for (left = st->st_size; left > 0;) {
                ssize_t n = read(fd, w->copy_buf, left < COPY_BUF_SIZE ? (size_t)left : COPY_BUF_SIZE);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return rc_error_set(err, errno, "layer: read %s", path);
                if (n == 0)
                        break;
                if (archive_write_data(w->a, w->copy_buf, (size_t)n) != n)
                        return archive_failed(w, path, err);
                left -= n;
        }
        return 0;
}

int bld_layer_add_data(struct bld_layer_writer *w, const char *path, const struct stat *st, const char *data,
                       rc_error **err)
{
        size_t len = strlen(data);

        archive_entry_clear(w->e);
        archive_entry_set_pathname(w->e, path);
        archive_entry_set_uid(w->e, st->st_uid);
        archive_entry_set_gid(w->e, st->st_gid);
        archive_entry_set_perm(w->e, st->st_mode & 07777);
        archive_entry_set_mtime(w->e, st->st_mtim.tv_sec, st->st_mtim.tv_nsec);
        archive_entry_set_filetype(w->e, AE_IFREG);
        archive_entry_set_size(w->e, (la_int64_t)len);
        if (archive_write_header(w->a, w->e) < ARCHIVE_WARN ||
            (len > 0 && archive_write_data(w->a, data, len) != (la_ssize_t)len))
                return archive_failed(w, path, err);
        w->n_entries++;
        return 0;
}

int bld_layer_add_whiteout(struct bld_layer_writer *w, const char *dir, const char *name, rc_error **err)
{
        cleanup_free char *path = xasprintf("%s%s.wh.%s", dir, dir[0] ? "/" : "", name);
        struct stat st = { .st_mode = S_IFREG | 0644 };

        return bld_layer_add(w, path, &st, NULL, NULL, -1, err);
}

/* Commit the staged blob and directory as the layer above parent_chain
 * (or take the stored twin of an identical layer). */
static int record(struct bld_layer_writer *w, const char *parent_chain, struct rc_layer *out, rc_error **err)
{
        struct rc_layer l = { 0 };
        rc_error *ignored = NULL;

        memcpy(l.diff_id, w->res.diff_id, sizeof(l.diff_id));
        rc_layer_chain_id(parent_chain, l.diff_id, l.chain_id);
        if (rc_store_layer_exists(w->s, l.chain_id) && rc_store_layer_get(w->s, l.chain_id, out, &ignored) == 0)
                return 0; /* abort's clean-up drops ours */
        rc_error_free(ignored);
        snprintf(l.parent, sizeof(l.parent), "%s", parent_chain ? parent_chain : "");
        rc_sha256_final(steal_pointer(&w->blob_hash), l.blob_digest);
        snprintf(l.media_type, sizeof(l.media_type), "%s", RC_MEDIA_OCI_LAYER_GZIP);
        l.blob_size = w->blob_size;
        l.tar_size = w->res.tar_size;
        close(w->blob_fd);
        w->blob_fd = -1;
        if (rc_store_blob_commit(w->s, w->blob_path, l.blob_digest, err) < 0)
                return -1;
        free(steal_pointer(&w->blob_path));
        close(w->dir_fd);
        w->dir_fd = -1;
        if (rc_store_layer_commit(w->s, w->dir, &l, err) < 0)
                return -1;
        free(steal_pointer(&w->dir)); /* renamed into place, or removed as a duplicate */
        *out = l;
        return 0;
}

int bld_tar_finish(struct bld_layer_writer *w, rc_error **err)
{
        int r = -1;

        if (archive_write_close(w->a) != ARCHIVE_OK) {
                w->send_failed = true;
                archive_failed(w, "end", err);
                goto out;
        }
        r = join_extraction(w, err);
out:
        bld_layer_abort(w);
        return r;
}

int bld_layer_finish(struct bld_layer_writer *w, const char *parent_chain, struct rc_layer *out, bool *empty,
                     rc_error **err)
{
        int r = -1;

        if (archive_write_close(w->a) != ARCHIVE_OK) {
                w->send_failed = true;
                archive_failed(w, "end", err);
                goto out;
        }
        if (join_extraction(w, err) < 0)
                goto out;
        *empty = w->n_entries == 0;
        r = *empty ? 0 : record(w, parent_chain, out, err);
out:
        bld_layer_abort(w);
        return r;
}
