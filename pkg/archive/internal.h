/* Internal to pkg/archive: the input stream and the extraction context. */
#ifndef RC_ARCHIVE_INTERNAL_H
#define RC_ARCHIVE_INTERNAL_H

#include <archive.h>
#include <archive_entry.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/stat.h>
#include <time.h>

#include "archive/archive.h"
#include "dl/archive.h"

/* Size of the raw and the decompressed buffers: big reads and big writes. */
#define RC_ARCHIVE_BUF_SIZE (1u << 20)

/* input.c: raw bytes -> (tee, raw hash) -> decompress -> (tar hash) -> tar. */
struct rc_archive_input;

/* Reads the first bytes to detect the compression. */
int rc_archive_input_open(int fd, int blob_fd, struct rc_archive_input **out, rc_error **err);
void rc_archive_input_free(struct rc_archive_input *in);
/* > 0: reading more than max uncompressed bytes (the end of the tar and
 * what follows it included) is an EFBIG error. */
void rc_archive_input_set_limit(struct rc_archive_input *in, uint64_t max);
/* Next chunk of the uncompressed tar stream: > 0 bytes at *buf (valid until
 * the next call), 0 at the end, -1 with *err set. */
ssize_t rc_archive_input_read(struct rc_archive_input *in, const void **buf, rc_error **err);
/* Read and hash whatever is left after the end of the tar. */
int rc_archive_input_drain(struct rc_archive_input *in, rc_error **err);
enum rc_compression rc_archive_input_compression(const struct rc_archive_input *in);
/* After the end: digests and sizes.  Call once. */
void rc_archive_input_finish(struct rc_archive_input *in, struct rc_extract_result *res);

/* A directory whose final mode (and times) are set after all entries. */
struct rc_archive_dirfix {
        char *path; /* cleaned entry name; "." for the root */
        mode_t mode;
        bool set_times;
        struct timespec times[2];
};

struct rc_archive_idmap {
        bool loaded;
        size_t n;
        struct {
                uint32_t inside, outside, count;
        } r[340];
};

/* Extraction context: one per rc_archive_extract call. */
struct rc_archive_ctx {
        int root_fd;
        const struct rc_extract_opts *opts;
        uid_t euid;
        /* The last resolved parent directory (O_PATH fd, owned unless it
         * is root_fd).  Dropped whenever anything is removed, since a
         * removal can change what a path resolves to. */
        char *parent_path;
        int parent_fd;
        struct rc_archive_dirfix *dirs;
        size_t ndirs, capdirs;
        void *written; /* tsearch set of names this layer wrote (APPLY mode) */
        struct rc_archive_idmap uidmap, gidmap;
};

/* path.c */
int rc_archive_openat2(int root_fd, const char *path, int flags);
/* Resolve directory `dir` (cleaned, "" = root) in the root.  create: make
 * missing components.  !create: *fd = -1 if it does not exist.  The fd is
 * borrowed from the cache: valid until the next resolve or forget. */
int rc_archive_resolve_dir(struct rc_archive_ctx *x, const char *dir, bool create, int *fd, rc_error **err);
void rc_archive_forget_dir(struct rc_archive_ctx *x);
/* Open directory `dir` (cleaned, "" = root) in the root without creating
 * it or touching the cache: a new O_PATH fd, or *fd = -1 if it does not
 * exist.  Names of any length (resolved in pieces beyond PATH_MAX). */
int rc_archive_open_dir(struct rc_archive_ctx *x, const char *dir, int *fd, rc_error **err);
/* Stop reusing the cached directory, but keep its fd valid until the next
 * resolve (the caller may still be using it). */
void rc_archive_invalidate_dir(struct rc_archive_ctx *x);
void rc_archive_add_dirfix(struct rc_archive_ctx *x, const char *path, mode_t mode, const struct timespec *times);
int rc_archive_apply_dirfixes(struct rc_archive_ctx *x, rc_error **err);
/* "/proc/self/fd/N" or "/proc/self/fd/N/name" (name may be NULL). */
void rc_archive_fd_path(char *buf, size_t len, int fd, const char *name);

/* meta.c: ownership, xattrs, times.  The object is fd (>= 0) or dirfd/base
 * (never following a final symlink); name is the entry, for messages. */
int rc_archive_chown(struct rc_archive_ctx *x, struct archive_entry *e, int fd, int dirfd, const char *base,
                     const char *name, rc_error **err);
int rc_archive_set_xattrs(struct rc_archive_ctx *x, struct archive_entry *e, int fd, int dirfd, const char *base,
                          const char *name, rc_error **err);
/* false if the entry has no mtime (then times are left alone). */
bool rc_archive_entry_times(struct archive_entry *e, struct timespec times[2]);

#endif
