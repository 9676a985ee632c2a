/* Layer tar streams: decompress, verify and extract them safely.
 *
 * rc_archive_extract() reads a gzip, zstd or plain tar stream once: the raw
 * bytes are hashed (the blob digest) and optionally copied to a blob file,
 * decompressed, hashed again (the diff_id) and extracted below a root
 * directory.  Layers are hostile input, so every write is relative to the
 * root directory fd:
 *
 *  - Entry names are cleaned lexically (rc_archive_clean_path).  A name that
 *    climbs above the root ("../evil", "a/../../evil") is an ERROR, as in
 *    Docker; a leading "/" is stripped ("/abs/x" extracts to "abs/x").
 *  - The parent directory of each entry is resolved with openat2
 *    RESOLVE_IN_ROOT, so symlinks in the layer ("link -> /", "up -> ..")
 *    resolve as if the root were "/": "link/etc/x" lands in ROOT/etc/x.
 *    Missing parents are created (0755) one component at a time.
 *    Names longer than openat2 takes (a tree thousands of levels deep) are
 *    resolved in pieces: the first ~3000 characters in the root, the rest
 *    by descending without following symbolic links (a symlink that deep
 *    in a name is an error).
 *  - The final component is never followed: an entry replaces whatever is
 *    there (a symlink included) unless both are directories, in which case
 *    the directory is kept and its metadata updated.
 *  - Symlink targets are stored verbatim.  Hard link targets are cleaned
 *    like entry names (escaping ones are an error) and resolved in the root;
 *    "h -> /etc/passwd" links to ROOT/etc/passwd or fails with "does not
 *    exist".  Hard links use /proc/self/fd, so /proc must be mounted.
 *  - xattrs: user.* and security.capability are set; user.overlay.*,
 *    trusted.* and others from the tar are skipped (a layer must not forge
 *    overlay metadata; opaque directories come from .wh..wh..opq only).
 *  - Char/block devices other than 0:0 that the kernel refuses (EPERM in a
 *    user namespace) are skipped with a debug log, as Docker/podman rootless
 *    do; fifos are created.
 *
 * Digests are known only after the whole stream was read, so on a digest
 * mismatch the tree has already been written: the caller extracts into a
 * staging directory and discards it when this returns an error.  On any
 * error the tree is left half-written.
 *
 * Reading, hashing and decompressing run on a helper thread that exists
 * only for the duration of the call (it overlaps with the file system
 * work).  Needs Linux >= 5.6 (openat2) and /proc (hard links, xattrs on
 * non-regular files, opaque markers).
 */
#ifndef RC_ARCHIVE_ARCHIVE_H
#define RC_ARCHIVE_ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/digest.h"
#include "util/error.h"

enum rc_compression {
        RC_COMPRESSION_NONE = 0,
        RC_COMPRESSION_GZIP,
        RC_COMPRESSION_ZSTD,
};

enum rc_extract_mode {
        /* Store a layer for overlayfs: ".wh.X" becomes a char 0:0 device X,
         * ".wh..wh..opq" sets user.overlay.opaque=y on its directory. */
        RC_EXTRACT_LAYER,
        /* Apply onto an existing tree (vfs driver): ".wh.X" removes X
         * recursively; ".wh..wh..opq" removes everything in its directory
         * that this layer did not itself write. */
        RC_EXTRACT_APPLY,
};

struct rc_extract_opts {
        enum rc_extract_mode mode;
        int blob_fd;                  /* >= 0: copy the raw input bytes here */
        const char *expected_diff_id; /* non-NULL: sha256 of the tar must match */
        const char *expected_digest;  /* non-NULL: sha256 of the raw input must match */
        /* true: no lchown, and security.capability failures are only
         * logged (unprivileged extraction, unit tests).  false: lchown to
         * the tar's ids; failures are errors. */
        bool ignore_ownership;
        /* > 0: stop with EFBIG ("expands beyond N bytes") once the
         * uncompressed tar grows past this many bytes (decompression
         * bombs); checked as the stream is read, before it is written. */
        uint64_t max_tar_size;
};

struct rc_extract_result {
        char digest[RC_DIGEST_LEN + 1];  /* sha256 of the raw input bytes */
        char diff_id[RC_DIGEST_LEN + 1]; /* sha256 of the uncompressed tar */
        uint64_t size;                   /* raw input bytes */
        uint64_t tar_size;               /* uncompressed bytes */
        enum rc_compression compression; /* detected from magic bytes */
};

/* Read a gzip (multi-member), zstd or plain tar stream from in_fd to its
 * end and extract it below root_dirfd (O_RDONLY or O_PATH directory fd).
 * After a gzip stream only zero padding may follow, after a zstd stream
 * nothing: other trailing bytes are an error.  Errors that libarchive
 * reports without a message name the header's position instead.
 * Errors start with "layer: " and name the entry, e.g.
 * "layer: etc/passwd: write: No space left on device".  *out is written
 * only on success. */
int rc_archive_extract(int in_fd, int root_dirfd, const struct rc_extract_opts *opts,
                       struct rc_extract_result *out, rc_error **err);

/* Reading a stored layer blob as plain tar bytes, whatever its compression
 * (detected from its first bytes; gzip may have several members). */
struct rc_blob_reader;
int rc_blob_reader_open(const char *path, struct rc_blob_reader **out, rc_error **err);
/* Up to len bytes; 0 at the end; -1 with *err on damaged data. */
ssize_t rc_blob_reader_read(struct rc_blob_reader *r, void *buf, size_t len, rc_error **err);
enum rc_compression rc_blob_reader_compression(const struct rc_blob_reader *r);
void rc_blob_reader_free(struct rc_blob_reader *r);
void rc_blob_reader_freep(struct rc_blob_reader **r);
#define cleanup_blob_reader __attribute__((cleanup(rc_blob_reader_freep)))

/* sha256 of the uncompressed content of the layer blob at path. */
int rc_archive_diff_id(const char *path, char diff_id[RC_DIGEST_LEN + 1], rc_error **err);

/* Write the layer blob at path to out_fd compressed as `to` (gzip with a
 * gzip header, zstd level 3 with checksums, or plain), with the sha256 and
 * size of what was written. */
int rc_archive_recompress(const char *path, enum rc_compression to, int out_fd, char digest[RC_DIGEST_LEN + 1],
                          int64_t *size, rc_error **err);

/* Compression from the first bytes of a stream (needs up to 4 bytes). */
enum rc_compression rc_archive_detect_compression(const void *buf, size_t len);
/* "none", "gzip", "zstd". */
const char *rc_compression_name(enum rc_compression c);

/* Normalise a tar entry name: strip leading "/" and "./", collapse "//",
 * drop "." components and trailing "/", resolve "x/.." lexically.  The
 * root itself ("/", "./", ".") becomes ".".  Errors (-1): an empty name, and
 * a name that climbs above the root with "..". */
int rc_archive_clean_path(const char *name, char **out, rc_error **err);

enum rc_whiteout_kind {
        RC_WHITEOUT_NONE = 0,   /* a normal name */
        RC_WHITEOUT_FILE = 1,   /* ".wh.X": *target = "X" */
        RC_WHITEOUT_OPAQUE = 2, /* ".wh..wh..opq" */
        RC_WHITEOUT_META = 3,   /* other ".wh..wh.*" (aufs metadata): skip the entry */
        RC_WHITEOUT_INVALID = -1, /* ".wh.", ".wh..", ".wh...": no valid target */
};

/* Classify a base name (no "/"); see enum rc_whiteout_kind. */
int rc_archive_whiteout_kind(const char *base, const char **target);

#endif
