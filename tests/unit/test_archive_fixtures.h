/* Test helpers for the archive tests: tars built in memory with libarchive's
 * writer, gzip/zstd compression, and a temporary extraction root. */
#ifndef RC_TEST_ARCHIVE_FIXTURES_H
#define RC_TEST_ARCHIVE_FIXTURES_H

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "util/xalloc.h"

/* One tar entry.  type: 'f' file, 'd' dir, 'l' symlink, 'h' hard link,
 * 'p' fifo, 'c' char device.  data: file content or link target. */
struct tent {
        const char *name;
        char type;
        const char *data;
        unsigned mode;
        int64_t uid, gid;
        int64_t mtime;
        const char *xattr_name, *xattr_value;
        size_t xattr_len; /* 0: strlen(xattr_value) */
        unsigned dev_major, dev_minor;
};

struct buf {
        unsigned char *p;
        size_t len;
};

static inline void buf_free(struct buf *b)
{
        free(b->p);
        b->p = NULL;
        b->len = 0;
}

static inline struct buf build_tar(const struct tent *t, size_t n)
{
        size_t cap = 64 * 1024;
        struct archive *a = archive_write_new();
        struct buf b;
        size_t used = 0;

        for (size_t i = 0; i < n; i++)
                cap += 2048 + strlen(t[i].name) * 3 + (t[i].data ? strlen(t[i].data) : 0);
        b.p = xmalloc(cap);
        if (a == NULL || archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
            archive_write_add_filter_none(a) != ARCHIVE_OK || archive_write_open_memory(a, b.p, cap, &used) != ARCHIVE_OK)
                abort();
        for (size_t i = 0; i < n; i++) {
                struct archive_entry *e = archive_entry_new();
                size_t size = 0;

                archive_entry_set_pathname(e, t[i].name);
                archive_entry_set_uid(e, t[i].uid);
                archive_entry_set_gid(e, t[i].gid);
                archive_entry_set_mtime(e, t[i].mtime ? t[i].mtime : 1600000000, 0);
                switch (t[i].type) {
                case 'f':
                        size = t[i].data ? strlen(t[i].data) : 0;
                        archive_entry_set_filetype(e, AE_IFREG);
                        archive_entry_set_size(e, (la_int64_t)size);
                        break;
                case 'd':
                        archive_entry_set_filetype(e, AE_IFDIR);
                        break;
                case 'l':
                        archive_entry_set_filetype(e, AE_IFLNK);
                        archive_entry_set_symlink(e, t[i].data);
                        break;
                case 'h':
                        archive_entry_set_filetype(e, AE_IFREG);
                        archive_entry_set_hardlink(e, t[i].data);
                        archive_entry_set_size(e, 0);
                        break;
                case 'p':
                        archive_entry_set_filetype(e, AE_IFIFO);
                        break;
                case 'c':
                        archive_entry_set_filetype(e, AE_IFCHR);
                        archive_entry_set_rdevmajor(e, t[i].dev_major);
                        archive_entry_set_rdevminor(e, t[i].dev_minor);
                        break;
                default:
                        abort();
                }
                archive_entry_set_perm(e, t[i].mode ? t[i].mode : (t[i].type == 'd' ? 0755 : 0644));
                if (t[i].xattr_name)
                        archive_entry_xattr_add_entry(e, t[i].xattr_name, t[i].xattr_value,
                                                      t[i].xattr_len ? t[i].xattr_len : strlen(t[i].xattr_value));
                if (archive_write_header(a, e) < ARCHIVE_WARN) /* WARN: a name not in the locale, kept as bytes */
                        abort();
                if (size > 0 && archive_write_data(a, t[i].data, size) != (la_ssize_t)size)
                        abort();
                archive_entry_free(e);
        }
        if (archive_write_close(a) != ARCHIVE_OK)
                abort();
        archive_write_free(a);
        b.len = used;
        return b;
}

/* gzip; members > 1 splits the input into that many gzip members. */
static inline struct buf gzip_buf(const struct buf *in, int members)
{
        struct buf out;
        size_t cap = in->len + in->len / 100 + 1024 * (size_t)members, off = 0;

        out.p = xmalloc(cap);
        out.len = 0;
        for (int m = 0; m < members; m++) {
                size_t chunk = m == members - 1 ? in->len - off : in->len / members;
                z_stream z;

                memset(&z, 0, sizeof(z));
                if (deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
                        abort();
                z.next_in = in->p + off;
                z.avail_in = (uInt)chunk;
                z.next_out = out.p + out.len;
                z.avail_out = (uInt)(cap - out.len);
                if (deflate(&z, Z_FINISH) != Z_STREAM_END)
                        abort();
                out.len = cap - z.avail_out;
                deflateEnd(&z);
                off += chunk;
        }
        return out;
}

static inline struct buf zstd_buf(const struct buf *in)
{
        struct buf out;
        size_t cap = ZSTD_compressBound(in->len);

        out.p = xmalloc(cap);
        out.len = ZSTD_compress(out.p, cap, in->p, in->len, 3);
        if (ZSTD_isError(out.len))
                abort();
        return out;
}

static inline struct buf copy_buf(const void *p, size_t len)
{
        struct buf b = { xmalloc(len ? len : 1), len };

        memcpy(b.p, p, len);
        return b;
}

/* A readable fd holding the bytes. */
static inline int memfd_with(const struct buf *b)
{
        int fd = memfd_create("layer", MFD_CLOEXEC);
        size_t off = 0;

        if (fd < 0)
                abort();
        while (off < b->len) {
                ssize_t n = write(fd, b->p + off, b->len - off);
                if (n <= 0)
                        abort();
                off += (size_t)n;
        }
        if (lseek(fd, 0, SEEK_SET) != 0)
                abort();
        return fd;
}

#endif
