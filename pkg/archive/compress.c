/* Layer blobs as plain tar bytes (whatever their compression), and
 * re-encoding them for a push or an archive. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "archive/archive.h"
#include "dl/dl.h"
#include "util/fs.h"
#include "util/xalloc.h"

#define BUF_SIZE (1 << 17)

struct rc_blob_reader {
        int fd;
        enum rc_compression compression;
        gzFile gz;
        ZSTD_DStream *zd;
        unsigned char *in;
        ZSTD_inBuffer zin;
        size_t zleft; /* ZSTD_decompressStream's last hint: 0 at a frame's end */
        bool eof;
        const char *path;
};

int rc_blob_reader_open(const char *path, struct rc_blob_reader **out, rc_error **err)
{
        struct rc_blob_reader *r = xcalloc(1, sizeof(*r));
        unsigned char magic[4];
        ssize_t n;

        r->path = path;
        r->fd = open(path, O_RDONLY | O_CLOEXEC);
        if (r->fd < 0) {
                free(r);
                return rc_error_set(err, errno, "open %s", path);
        }
        n = pread(r->fd, magic, sizeof(magic), 0);
        r->compression = n > 0 ? rc_archive_detect_compression(magic, (size_t)n) : RC_COMPRESSION_NONE;
        if (r->compression == RC_COMPRESSION_GZIP) {
                int fd = fcntl(r->fd, F_DUPFD_CLOEXEC, 3);
                r->gz = fd >= 0 ? gzdopen(fd, "rb") : NULL;
                if (r->gz == NULL) {
                        if (fd >= 0)
                                close(fd);
                        rc_blob_reader_free(r);
                        return rc_error_set(err, errno ? errno : ENOMEM, "gzip %s", path);
                }
                gzbuffer(r->gz, BUF_SIZE);
        } else if (r->compression == RC_COMPRESSION_ZSTD) {
                r->zd = ZSTD_createDStream();
                r->in = xmalloc(BUF_SIZE);
                if (r->zd == NULL)
                        abort();
        }
        *out = r;
        return 0;
}

enum rc_compression rc_blob_reader_compression(const struct rc_blob_reader *r)
{
        return r->compression;
}

static ssize_t read_zstd(struct rc_blob_reader *r, void *buf, size_t len, rc_error **err)
{
        ZSTD_outBuffer ob = { buf, len, 0 };

        while (ob.pos == 0) {
                if (r->zin.pos == r->zin.size) {
                        ssize_t n;
                        if (r->eof)
                                return 0;
                        n = read(r->fd, r->in, BUF_SIZE);
                        if (n < 0 && errno == EINTR)
                                continue;
                        if (n < 0)
                                return rc_error_set(err, errno, "read %s", r->path);
                        if (n == 0) {
                                r->eof = true;
                                if (r->zleft != 0)
                                        return rc_error_set(err, 0, "%s: truncated zstd data", r->path);
                                return 0;
                        }
                        r->zin = (ZSTD_inBuffer){ r->in, (size_t)n, 0 };
                }
                size_t z = ZSTD_decompressStream(r->zd, &ob, &r->zin);
                if (ZSTD_isError(z))
                        return rc_error_set(err, 0, "%s: damaged zstd data (%s)", r->path, ZSTD_getErrorName(z));
                r->zleft = z;
        }
        return (ssize_t)ob.pos;
}

ssize_t rc_blob_reader_read(struct rc_blob_reader *r, void *buf, size_t len, rc_error **err)
{
        ssize_t n;

        if (len > INT32_MAX)
                len = INT32_MAX;
        switch (r->compression) {
        case RC_COMPRESSION_GZIP:
                n = gzread(r->gz, buf, (unsigned)len);
                if (n == 0) {
                        int zerr;
                        gzerror(r->gz, &zerr);
                        /* zlib ends a truncated stream quietly, flagging Z_BUF_ERROR */
                        if (zerr == Z_BUF_ERROR)
                                return rc_error_set(err, 0, "%s: truncated gzip data", r->path);
                }
                if (n < 0) {
                        int zerr;
                        const char *msg = gzerror(r->gz, &zerr);
                        return rc_error_set(err, zerr == Z_ERRNO ? errno : 0, "%s: damaged gzip data (%s)", r->path,
                                            msg);
                }
                return n;
        case RC_COMPRESSION_ZSTD:
                return read_zstd(r, buf, len, err);
        case RC_COMPRESSION_NONE:
        default:
                do
                        n = read(r->fd, buf, len);
                while (n < 0 && errno == EINTR);
                if (n < 0)
                        return rc_error_set(err, errno, "read %s", r->path);
                return n;
        }
}

void rc_blob_reader_free(struct rc_blob_reader *r)
{
        if (r == NULL)
                return;
        if (r->gz)
                gzclose(r->gz);
        ZSTD_freeDStream(r->zd);
        free(r->in);
        if (r->fd >= 0)
                close(r->fd);
        free(r);
}

void rc_blob_reader_freep(struct rc_blob_reader **r)
{
        rc_blob_reader_free(*r);
        *r = NULL;
}

int rc_archive_diff_id(const char *path, char diff_id[RC_DIGEST_LEN + 1], rc_error **err)
{
        cleanup_blob_reader struct rc_blob_reader *r = NULL;
        cleanup_free unsigned char *buf = xmalloc(BUF_SIZE);
        cleanup_sha256 rc_sha256 *h = NULL;
        ssize_t n;

        if (rc_dl_crypto(err) < 0 || rc_blob_reader_open(path, &r, err) < 0)
                return -1;
        h = rc_sha256_new();
        while ((n = rc_blob_reader_read(r, buf, BUF_SIZE, err)) > 0)
                rc_sha256_update(h, buf, (size_t)n);
        if (n < 0)
                return -1;
        rc_sha256_final(steal_pointer(&h), diff_id);
        return 0;
}

/* ---- encoding ------------------------------------------------------------ */

struct encoder {
        int out_fd;
        rc_sha256 *hash;
        int64_t size;
        unsigned char *buf;
};

static int emit(struct encoder *e, const void *data, size_t len, rc_error **err)
{
        if (len == 0)
                return 0;
        if (rc_write_all(e->out_fd, data, len) < 0)
                return rc_error_set(err, errno, "write compressed layer");
        rc_sha256_update(e->hash, data, len);
        e->size += (int64_t)len;
        return 0;
}

static int gzip_chunk(struct encoder *e, z_stream *z, const void *data, size_t len, int flush, rc_error **err)
{
        z->next_in = (Bytef *)data;
        z->avail_in = (uInt)len;
        do {
                z->next_out = e->buf;
                z->avail_out = BUF_SIZE;
                int zr = deflate(z, flush);
                if (zr == Z_STREAM_ERROR)
                        return rc_error_set(err, 0, "gzip: compression failed");
                if (emit(e, e->buf, BUF_SIZE - z->avail_out, err) < 0)
                        return -1;
        } while (z->avail_out == 0 || (flush == Z_FINISH && z->avail_in > 0));
        return 0;
}

static int zstd_chunk(struct encoder *e, ZSTD_CCtx *z, const void *data, size_t len, ZSTD_EndDirective mode,
                      rc_error **err)
{
        ZSTD_inBuffer in = { data, len, 0 };
        size_t left;

        do {
                ZSTD_outBuffer out = { e->buf, BUF_SIZE, 0 };
                left = ZSTD_compressStream2(z, &out, &in, mode);
                if (ZSTD_isError(left))
                        return rc_error_set(err, 0, "zstd: %s", ZSTD_getErrorName(left));
                if (emit(e, e->buf, out.pos, err) < 0)
                        return -1;
        } while (mode == ZSTD_e_end ? left != 0 : in.pos < in.size);
        return 0;
}

int rc_archive_recompress(const char *path, enum rc_compression to, int out_fd, char digest[RC_DIGEST_LEN + 1],
                          int64_t *size, rc_error **err)
{
        cleanup_blob_reader struct rc_blob_reader *r = NULL;
        cleanup_free unsigned char *in = xmalloc(BUF_SIZE);
        cleanup_free unsigned char *buf = xmalloc(BUF_SIZE);
        struct encoder e = { .out_fd = out_fd, .hash = rc_sha256_new(), .buf = buf };
        z_stream z = { 0 };
        ZSTD_CCtx *zc = NULL;
        ssize_t n;
        int rc = -1;

        if (rc_blob_reader_open(path, &r, err) < 0)
                goto out;
        if (to == RC_COMPRESSION_GZIP) {
                /* windowBits 15 + 16: a gzip header, as layer media types say */
                if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
                        rc_error_set(err, ENOMEM, "gzip: initialisation failed");
                        goto out;
                }
        } else if (to == RC_COMPRESSION_ZSTD) {
                zc = ZSTD_createCCtx();
                if (zc == NULL)
                        abort();
                ZSTD_CCtx_setParameter(zc, ZSTD_c_compressionLevel, 3);
                ZSTD_CCtx_setParameter(zc, ZSTD_c_checksumFlag, 1);
        }
        while ((n = rc_blob_reader_read(r, in, BUF_SIZE, err)) > 0) {
                int k = to == RC_COMPRESSION_GZIP   ? gzip_chunk(&e, &z, in, (size_t)n, Z_NO_FLUSH, err)
                        : to == RC_COMPRESSION_ZSTD ? zstd_chunk(&e, zc, in, (size_t)n, ZSTD_e_continue, err)
                                                    : emit(&e, in, (size_t)n, err);
                if (k < 0)
                        goto out;
        }
        if (n < 0)
                goto out;
        if ((to == RC_COMPRESSION_GZIP && gzip_chunk(&e, &z, NULL, 0, Z_FINISH, err) < 0) ||
            (to == RC_COMPRESSION_ZSTD && zstd_chunk(&e, zc, NULL, 0, ZSTD_e_end, err) < 0))
                goto out;
        rc_sha256_final(e.hash, digest);
        e.hash = NULL;
        *size = e.size;
        rc = 0;
out:
        if (to == RC_COMPRESSION_GZIP)
                deflateEnd(&z);
        ZSTD_freeCCtx(zc);
        rc_sha256_free(e.hash);
        return rc;
}
