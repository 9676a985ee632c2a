/* The layer input stream: one pass over the raw bytes that copies them to
 * the blob file, hashes them, decompresses them (zlib gzip, multi-member,
 * or zstd) and hashes the tar that comes out. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "archive/internal.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/xalloc.h"

struct rc_archive_input {
        int fd, blob_fd;
        enum rc_compression comp;
        rc_sha256 *raw_hash, *tar_hash;
        uint64_t raw_size, tar_size;

        unsigned char *ibuf; /* raw bytes: [ipos, ipos + ilen) are unread */
        size_t ipos, ilen;
        bool ieof;
        unsigned char *obuf; /* decompressed bytes handed out */

        z_stream z;
        bool z_init, member_done;

        ZSTD_DStream *zs;
        size_t zret;  /* last ZSTD_decompressStream result: 0 = frame complete */
        bool zflush;  /* the output buffer filled up: more may be pending */
};

enum rc_compression rc_archive_detect_compression(const void *buf, size_t len)
{
        const unsigned char *p = buf;

        if (len >= 2 && p[0] == 0x1f && p[1] == 0x8b)
                return RC_COMPRESSION_GZIP;
        if (len >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd)
                return RC_COMPRESSION_ZSTD;
        return RC_COMPRESSION_NONE;
}

const char *rc_compression_name(enum rc_compression c)
{
        switch (c) {
        case RC_COMPRESSION_GZIP:
                return "gzip";
        case RC_COMPRESSION_ZSTD:
                return "zstd";
        default:
                return "none";
        }
}

/* Read more raw bytes after the unread ones; 0 at end of input. */
static ssize_t read_raw(struct rc_archive_input *in, rc_error **err)
{
        ssize_t n;

        if (in->ieof)
                return 0;
        if (in->ilen == 0)
                in->ipos = 0;
        else if (in->ipos > 0) {
                memmove(in->ibuf, in->ibuf + in->ipos, in->ilen);
                in->ipos = 0;
        }
        do
                n = read(in->fd, in->ibuf + in->ilen, RC_ARCHIVE_BUF_SIZE - in->ilen);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return rc_error_set(err, errno, "read layer stream");
        if (n == 0) {
                in->ieof = true;
                return 0;
        }
        rc_sha256_update(in->raw_hash, in->ibuf + in->ilen, n);
        if (in->blob_fd >= 0 && rc_write_all(in->blob_fd, in->ibuf + in->ilen, n) < 0)
                return rc_error_set(err, errno, "write blob copy");
        in->raw_size += n;
        in->ilen += n;
        return n;
}

static void consume(struct rc_archive_input *in, size_t n)
{
        in->ipos += n;
        in->ilen -= n;
}

int rc_archive_input_open(int fd, int blob_fd, struct rc_archive_input **out, rc_error **err)
{
        struct rc_archive_input *in = xcalloc(1, sizeof(*in));

        in->fd = fd;
        in->blob_fd = blob_fd;
        in->raw_hash = rc_sha256_new();
        in->tar_hash = rc_sha256_new();
        in->ibuf = xmalloc(RC_ARCHIVE_BUF_SIZE);
        in->obuf = xmalloc(RC_ARCHIVE_BUF_SIZE);
        while (in->ilen < 4 && !in->ieof) {
                if (read_raw(in, err) < 0) {
                        rc_archive_input_free(in);
                        return -1;
                }
        }
        in->comp = rc_archive_detect_compression(in->ibuf, in->ilen);
        if (in->comp == RC_COMPRESSION_GZIP) {
                /* 16 + MAX_WBITS: gzip wrapper only */
                if (inflateInit2(&in->z, 16 + MAX_WBITS) != Z_OK) {
                        rc_archive_input_free(in);
                        return rc_error_set(err, 0, "initialise zlib");
                }
                in->z_init = true;
        } else if (in->comp == RC_COMPRESSION_ZSTD) {
                in->zs = ZSTD_createDStream();
                if (in->zs == NULL || ZSTD_isError(ZSTD_initDStream(in->zs))) {
                        rc_archive_input_free(in);
                        return rc_error_set(err, 0, "initialise zstd");
                }
                in->zret = 1;
        }
        *out = in;
        return 0;
}

void rc_archive_input_free(struct rc_archive_input *in)
{
        if (in == NULL)
                return;
        if (in->z_init)
                inflateEnd(&in->z);
        ZSTD_freeDStream(in->zs);
        rc_sha256_free(in->raw_hash);
        rc_sha256_free(in->tar_hash);
        free(in->ibuf);
        free(in->obuf);
        free(in);
}

enum rc_compression rc_archive_input_compression(const struct rc_archive_input *in)
{
        return in->comp;
}

static ssize_t emit(struct rc_archive_input *in, const void *p, size_t n, const void **buf)
{
        rc_sha256_update(in->tar_hash, p, n);
        in->tar_size += n;
        *buf = p;
        return (ssize_t)n;
}

static ssize_t read_plain(struct rc_archive_input *in, const void **buf, rc_error **err)
{
        const void *p;
        size_t n;

        if (in->ilen == 0) {
                ssize_t r = read_raw(in, err);
                if (r <= 0)
                        return r;
        }
        p = in->ibuf + in->ipos;
        n = in->ilen;
        consume(in, n);
        return emit(in, p, n, buf);
}

/* After a gzip member: another member, the end, or trailing bytes (which
 * gzip(1) also ignores; they are covered by the blob digest). */
static int gzip_next_member(struct rc_archive_input *in, rc_error **err)
{
        uint64_t trailing = 0;

        while (in->ilen < 2 && !in->ieof)
                if (read_raw(in, err) < 0)
                        return -1;
        if (in->ilen == 0)
                return 0;
        if (in->ilen >= 2 && in->ibuf[in->ipos] == 0x1f && in->ibuf[in->ipos + 1] == 0x8b) {
                if (inflateReset(&in->z) != Z_OK)
                        return rc_error_set(err, 0, "reset zlib");
                in->member_done = false;
                return 1;
        }
        for (;;) {
                trailing += in->ilen;
                consume(in, in->ilen);
                ssize_t r = read_raw(in, err);
                if (r < 0)
                        return -1;
                if (r == 0)
                        break;
        }
        rc_debug("layer: ignoring %llu bytes after the end of the gzip stream", (unsigned long long)trailing);
        return 0;
}

static ssize_t read_gzip(struct rc_archive_input *in, const void **buf, rc_error **err)
{
        for (;;) {
                if (in->member_done) {
                        int r = gzip_next_member(in, err);
                        if (r <= 0)
                                return r;
                }
                if (in->ilen == 0 && read_raw(in, err) < 0)
                        return -1;
                in->z.next_in = in->ibuf + in->ipos;
                in->z.avail_in = (uInt)in->ilen;
                in->z.next_out = in->obuf;
                in->z.avail_out = RC_ARCHIVE_BUF_SIZE;
                int r = inflate(&in->z, Z_NO_FLUSH);
                size_t used = in->ilen - in->z.avail_in;
                size_t made = RC_ARCHIVE_BUF_SIZE - in->z.avail_out;
                consume(in, used);
                if (r == Z_STREAM_END)
                        in->member_done = true;
                else if (r == Z_DATA_ERROR)
                        return rc_error_set(err, 0, "corrupt gzip data: %s", in->z.msg ? in->z.msg : "invalid stream");
                else if (r == Z_MEM_ERROR)
                        return rc_error_set(err, ENOMEM, "gzip");
                else if (r != Z_OK && r != Z_BUF_ERROR)
                        return rc_error_set(err, 0, "corrupt gzip data (zlib error %d)", r);
                if (made > 0)
                        return emit(in, in->obuf, made, buf);
                if (r != Z_STREAM_END && used == 0 && in->ilen == 0 && in->ieof)
                        return rc_error_set(err, 0,
                                            "truncated gzip stream: the input ends inside compressed data "
                                            "(incomplete download or damaged file)");
        }
}

static ssize_t read_zstd(struct rc_archive_input *in, const void **buf, rc_error **err)
{
        for (;;) {
                if (in->ilen == 0 && !in->zflush) {
                        if (read_raw(in, err) < 0)
                                return -1;
                        if (in->ilen == 0) {
                                if (in->zret != 0)
                                        return rc_error_set(err, 0,
                                                            "truncated zstd stream: the input ends inside "
                                                            "compressed data (incomplete download or damaged file)");
                                return 0;
                        }
                }
                ZSTD_inBuffer ib = { in->ibuf + in->ipos, in->ilen, 0 };
                ZSTD_outBuffer ob = { in->obuf, RC_ARCHIVE_BUF_SIZE, 0 };
                size_t r = ZSTD_decompressStream(in->zs, &ob, &ib);
                if (ZSTD_isError(r))
                        return rc_error_set(err, 0, "corrupt zstd data: %s", ZSTD_getErrorName(r));
                consume(in, ib.pos);
                in->zret = r;
                in->zflush = ob.pos == ob.size;
                if (ob.pos > 0)
                        return emit(in, in->obuf, ob.pos, buf);
        }
}

ssize_t rc_archive_input_read(struct rc_archive_input *in, const void **buf, rc_error **err)
{
        switch (in->comp) {
        case RC_COMPRESSION_GZIP:
                return read_gzip(in, buf, err);
        case RC_COMPRESSION_ZSTD:
                return read_zstd(in, buf, err);
        default:
                return read_plain(in, buf, err);
        }
}

int rc_archive_input_drain(struct rc_archive_input *in, rc_error **err)
{
        const void *buf;
        ssize_t n;

        while ((n = rc_archive_input_read(in, &buf, err)) > 0)
                ;
        return n < 0 ? -1 : 0;
}

void rc_archive_input_finish(struct rc_archive_input *in, struct rc_extract_result *res)
{
        rc_sha256_final(in->raw_hash, res->digest);
        rc_sha256_final(in->tar_hash, res->diff_id);
        in->raw_hash = in->tar_hash = NULL;
        res->size = in->raw_size;
        res->tar_size = in->tar_size;
        res->compression = in->comp;
}
