/* The layer input stream: one pass over the raw bytes that copies them to
 * the blob file, hashes them, decompresses them (zlib gzip, multi-member,
 * or zstd) and hashes the tar that comes out.
 *
 * That work runs on a producer thread that fills a small ring of buffers,
 * so decompression and hashing overlap with the file system work of the
 * extraction (the consumer).  The producer owns the decoder and the raw
 * hash (the consumer reads them only after joining the thread); the
 * consumer hashes the tar, which balances the load of the two threads. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "archive/internal.h"
#include "util/fs.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/xalloc.h"

#define NBUFS 4

struct rc_archive_input {
        int fd, blob_fd;
        enum rc_compression comp;
        rc_sha256 *raw_hash; /* producer */
        uint64_t raw_size;   /* producer */
        rc_sha256 *tar_hash; /* consumer; NULL when uncompressed */
        uint64_t tar_size;   /* consumer */
        uint64_t max_tar_size; /* consumer; 0: no limit */

        unsigned char *ibuf; /* raw bytes: [ipos, ipos + ilen) are unread */
        size_t ipos, ilen;
        bool ieof;

        /* Ring of decompressed buffers: the producer fills at tail, the
         * consumer reads at head and holds that buffer (libarchive keeps
         * pointers into it) until its next read. */
        pthread_t thread;
        bool started;
        int stop_fd; /* eventfd: wakes a producer blocked on input */
        pthread_mutex_t mu;
        pthread_cond_t cv;
        unsigned char *bufs[NBUFS];
        size_t lens[NBUFS];
        unsigned head, tail, count;
        bool held, done, stop;
        rc_error *err; /* the producer's error, handed to the consumer */

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

/* Read raw bytes into dst, hash them and copy them to the blob file; 0 at
 * end of input. */
static ssize_t read_into(struct rc_archive_input *in, unsigned char *dst, size_t cap, rc_error **err)
{
        ssize_t n;

        if (in->ieof)
                return 0;
        if (in->started) {
                /* Wait for input or for the consumer to give up, so a stalled
                 * download cannot keep the producer (and its join) hanging. */
                struct pollfd p[3] = { { .fd = in->fd, .events = POLLIN },
                                       { .fd = in->stop_fd, .events = POLLIN },
                                       { .fd = rc_interrupt_fd(), .events = POLLIN } };
                while (poll(p, p[2].fd >= 0 ? 3 : 2, -1) < 0)
                        if (errno != EINTR)
                                return rc_error_set(err, errno, "poll layer stream");
                if (p[1].revents)
                        return rc_error_set(err, ECANCELED, "layer stream");
                if (rc_interrupt_check(err) < 0)
                        return -1;
        }
        do
                n = read(in->fd, dst, cap);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return rc_error_set(err, errno, "read layer stream");
        if (n == 0) {
                in->ieof = true;
                return 0;
        }
        rc_sha256_update(in->raw_hash, dst, n);
        if (in->blob_fd >= 0 && rc_write_all(in->blob_fd, dst, n) < 0)
                return rc_error_set(err, errno, "write blob copy");
        in->raw_size += n;
        return n;
}

/* Read more raw bytes into ibuf after the unread ones. */
static ssize_t read_raw(struct rc_archive_input *in, rc_error **err)
{
        ssize_t n;

        if (in->ilen == 0)
                in->ipos = 0;
        else if (in->ipos > 0) {
                memmove(in->ibuf, in->ibuf + in->ipos, in->ilen);
                in->ipos = 0;
        }
        n = read_into(in, in->ibuf + in->ilen, RC_ARCHIVE_BUF_SIZE - in->ilen, err);
        if (n > 0)
                in->ilen += n;
        return n;
}

static int start_producer(struct rc_archive_input *in, rc_error **err);
static void stop_producer(struct rc_archive_input *in);

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
        in->stop_fd = -1;
        in->raw_hash = rc_sha256_new();
        in->ibuf = xmalloc(RC_ARCHIVE_BUF_SIZE);
        while (in->ilen < 4 && !in->ieof) {
                if (read_raw(in, err) < 0) {
                        rc_archive_input_free(in);
                        return -1;
                }
        }
        in->comp = rc_archive_detect_compression(in->ibuf, in->ilen);
        /* uncompressed: the diff_id is the raw digest, hashed once */
        if (in->comp != RC_COMPRESSION_NONE)
                in->tar_hash = rc_sha256_new();
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
        if (start_producer(in, err) < 0) {
                rc_archive_input_free(in);
                return -1;
        }
        *out = in;
        return 0;
}

void rc_archive_input_free(struct rc_archive_input *in)
{
        if (in == NULL)
                return;
        stop_producer(in);
        if (in->z_init)
                inflateEnd(&in->z);
        ZSTD_freeDStream(in->zs);
        rc_sha256_free(in->raw_hash);
        rc_sha256_free(in->tar_hash);
        free(in->ibuf);
        for (int i = 0; i < NBUFS; i++)
                free(in->bufs[i]);
        rc_error_free(in->err);
        free(in);
}

void rc_archive_input_set_limit(struct rc_archive_input *in, uint64_t max)
{
        in->max_tar_size = max;
}

enum rc_compression rc_archive_input_compression(const struct rc_archive_input *in)
{
        return in->comp;
}

static ssize_t read_plain(struct rc_archive_input *in, unsigned char *out, rc_error **err)
{
        ssize_t n;

        if (in->ilen > 0) { /* the bytes read to detect the format */
                n = (ssize_t)in->ilen;
                memcpy(out, in->ibuf + in->ipos, in->ilen);
                consume(in, in->ilen);
        } else {
                n = read_into(in, out, RC_ARCHIVE_BUF_SIZE, err);
                if (n <= 0)
                        return n;
        }
        return n;
}

/* After a gzip member: another member (RFC 1952 allows several, and
 * gzip(1) concatenates them), the end, or padding.  Zero bytes after the
 * last member are padding (tape blocking, as gzip(1) accepts) and are only
 * hashed; any other trailing byte is an error: data no decompressor looks
 * at must not ride along with a layer unnoticed. */
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
                for (size_t i = 0; i < in->ilen; i++)
                        if (in->ibuf[in->ipos + i] != 0)
                                return rc_error_set(err, 0,
                                                    "trailing data after the end of the gzip stream (byte %llu is "
                                                    "neither a new gzip member nor zero padding): the file is "
                                                    "damaged or was altered",
                                                    (unsigned long long)(in->raw_size - in->ilen + i));
                trailing += in->ilen;
                consume(in, in->ilen);
                ssize_t r = read_raw(in, err);
                if (r < 0)
                        return -1;
                if (r == 0)
                        break;
        }
        rc_debug("layer: ignoring %llu zero bytes after the end of the gzip stream", (unsigned long long)trailing);
        return 0;
}

static ssize_t read_gzip(struct rc_archive_input *in, unsigned char *out, rc_error **err)
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
                in->z.next_out = out;
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
                        return (ssize_t)made;
                if (r != Z_STREAM_END && used == 0 && in->ilen == 0 && in->ieof)
                        return rc_error_set(err, 0,
                                            "truncated gzip stream: the input ends inside compressed data "
                                            "(incomplete download or damaged file)");
        }
}

static ssize_t read_zstd(struct rc_archive_input *in, unsigned char *out, rc_error **err)
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
                ZSTD_outBuffer ob = { out, RC_ARCHIVE_BUF_SIZE, 0 };
                size_t r = ZSTD_decompressStream(in->zs, &ob, &ib);
                if (ZSTD_isError(r) && in->zret == 0)
                        return rc_error_set(err, 0,
                                            "trailing data after the end of the zstd stream (at byte %llu: %s): the "
                                            "file is damaged or was altered",
                                            (unsigned long long)(in->raw_size - in->ilen), ZSTD_getErrorName(r));
                if (ZSTD_isError(r))
                        return rc_error_set(err, 0, "corrupt zstd data: %s", ZSTD_getErrorName(r));
                consume(in, ib.pos);
                in->zret = r;
                in->zflush = ob.pos == ob.size;
                if (ob.pos > 0)
                        return (ssize_t)ob.pos;
        }
}

static ssize_t produce(struct rc_archive_input *in, unsigned char *out, rc_error **err)
{
        switch (in->comp) {
        case RC_COMPRESSION_GZIP:
                return read_gzip(in, out, err);
        case RC_COMPRESSION_ZSTD:
                return read_zstd(in, out, err);
        default:
                return read_plain(in, out, err);
        }
}

static void *producer(void *arg)
{
        struct rc_archive_input *in = arg;

        for (;;) {
                rc_error *err = NULL;
                unsigned char *out;
                ssize_t n;

                pthread_mutex_lock(&in->mu);
                while (in->count == NBUFS && !in->stop)
                        pthread_cond_wait(&in->cv, &in->mu);
                if (in->stop) {
                        pthread_mutex_unlock(&in->mu);
                        return NULL;
                }
                out = in->bufs[in->tail];
                pthread_mutex_unlock(&in->mu);

                n = produce(in, out, &err);

                pthread_mutex_lock(&in->mu);
                if (n > 0) {
                        in->lens[in->tail] = (size_t)n;
                        in->tail = (in->tail + 1) % NBUFS;
                        in->count++;
                } else {
                        in->err = err;
                        in->done = true;
                }
                pthread_cond_broadcast(&in->cv);
                pthread_mutex_unlock(&in->mu);
                if (n <= 0)
                        return NULL;
        }
}

static int start_producer(struct rc_archive_input *in, rc_error **err)
{
        int r;

        in->stop_fd = eventfd(0, EFD_CLOEXEC);
        if (in->stop_fd < 0)
                return rc_error_set(err, errno, "eventfd");
        for (int i = 0; i < NBUFS; i++)
                in->bufs[i] = xmalloc(RC_ARCHIVE_BUF_SIZE);
        pthread_mutex_init(&in->mu, NULL);
        pthread_cond_init(&in->cv, NULL);
        in->started = true;
        r = pthread_create(&in->thread, NULL, producer, in);
        if (r != 0) {
                in->started = false;
                pthread_mutex_destroy(&in->mu);
                pthread_cond_destroy(&in->cv);
                return rc_error_set(err, r, "start decompression thread");
        }
        return 0;
}

static void stop_producer(struct rc_archive_input *in)
{
        uint64_t one = 1;

        if (!in->started)
                return;
        pthread_mutex_lock(&in->mu);
        in->stop = true;
        pthread_cond_broadcast(&in->cv);
        pthread_mutex_unlock(&in->mu);
        if (write(in->stop_fd, &one, sizeof(one)) < 0)
                abort(); /* an eventfd write of 1 cannot fail */
        pthread_join(in->thread, NULL);
        in->started = false;
        pthread_mutex_destroy(&in->mu);
        pthread_cond_destroy(&in->cv);
        close(in->stop_fd);
        in->stop_fd = -1;
}

ssize_t rc_archive_input_read(struct rc_archive_input *in, const void **buf, rc_error **err)
{
        ssize_t n = 0;

        pthread_mutex_lock(&in->mu);
        if (in->held) {
                in->held = false;
                in->head = (in->head + 1) % NBUFS;
                in->count--;
                pthread_cond_broadcast(&in->cv);
        }
        while (in->count == 0 && !in->done)
                pthread_cond_wait(&in->cv, &in->mu);
        if (in->count > 0) {
                in->held = true;
                *buf = in->bufs[in->head];
                n = (ssize_t)in->lens[in->head];
        } else if (in->err) {
                *err = steal_pointer(&in->err);
                n = -1;
        }
        pthread_mutex_unlock(&in->mu);
        if (n > 0) {
                if (in->tar_hash)
                        rc_sha256_update(in->tar_hash, *buf, (size_t)n);
                in->tar_size += (uint64_t)n;
                if (in->max_tar_size && in->tar_size > in->max_tar_size)
                        return rc_error_set(err, EFBIG, "expands beyond the limit of %.1f MiB (%llu bytes)",
                                            (double)in->max_tar_size / (1024.0 * 1024.0),
                                            (unsigned long long)in->max_tar_size);
        }
        return n;
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
        stop_producer(in); /* done already: this joins it */
        rc_sha256_final(in->raw_hash, res->digest);
        if (in->tar_hash)
                rc_sha256_final(in->tar_hash, res->diff_id);
        else
                memcpy(res->diff_id, res->digest, sizeof(res->diff_id));
        in->raw_hash = in->tar_hash = NULL;
        res->size = in->raw_size;
        res->tar_size = in->tar_size;
        res->compression = in->comp;
}
