/* Content-addressed blobs: blobs/sha256/HEX. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/internal.h"
#include "dl/dl.h"
#include "util/fs.h"
#include "util/xalloc.h"

char *rc_store_blob_path(const struct rc_store *s, const char *digest)
{
        return xasprintf("%s/blobs/sha256/%s", s->root, rc_digest_hex(digest));
}

bool rc_store_blob_exists(const struct rc_store *s, const char *digest)
{
        cleanup_free char *p = rc_store_blob_path(s, digest);
        return access(p, F_OK) == 0;
}

int rc_store_blob_commit(struct rc_store *s, const char *tmp_path, const char *digest, rc_error **err)
{
        cleanup_free char *p = NULL;
        cleanup_close int fd = -1;

        if (!rc_digest_valid(digest))
                return rc_error_set(err, EINVAL, "blob digest '%s' is not sha256:<64 hex>", digest);
        p = rc_store_blob_path(s, digest);
        fd = open(tmp_path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || fdatasync(fd) < 0)
                return rc_error_set(err, errno, "sync %s", tmp_path);
        if (rename(tmp_path, p) < 0)
                return rc_error_set(err, errno, "store blob %s", digest);
        return 0;
}

int rc_store_blob_put(struct rc_store *s, const void *data, size_t len, char digest[RC_DIGEST_LEN + 1],
                      rc_error **err)
{
        cleanup_free char *tmp = NULL;
        cleanup_close int fd = -1;
        char d[RC_DIGEST_LEN + 1];

        if (rc_dl_crypto(err) < 0)
                return -1;
        rc_sha256_digest(data, len, d);
        if (!rc_store_blob_exists(s, d)) {
                if (rc_store_mkstemp(s, "blob", &fd, &tmp, err) < 0)
                        return -1;
                if (rc_write_all(fd, data, len) < 0) {
                        int e = errno;
                        unlink(tmp);
                        return rc_error_set(err, e, "write blob %s", d);
                }
                if (rc_store_blob_commit(s, tmp, d, err) < 0) {
                        unlink(tmp);
                        return -1;
                }
        }
        memcpy(digest, d, sizeof(d));
        return 0;
}

int rc_store_blob_read(const struct rc_store *s, const char *digest, char **data, size_t *len, rc_error **err)
{
        cleanup_free char *p = rc_store_blob_path(s, digest);
        return rc_read_file(p, data, len, err);
}

int rc_store_blob_source_add(struct rc_store *s, const char *digest, const char *registry, const char *repo,
                             rc_error **err)
{
        cleanup_stmt sqlite3_stmt *st = NULL;

        if (rc_db_prepare(s, "INSERT OR IGNORE INTO blob_sources(digest, registry, repo) VALUES(?, ?, ?)", &st,
                          err) < 0)
                return -1;
        sqlite3_bind_text(st, 1, digest, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, registry, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, repo, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
                return rc_db_error(s, err, "record blob source");
        return 0;
}

int rc_store_blob_source_find(struct rc_store *s, const char *digest, const char *registry, const char *not_repo,
                              char **repo, rc_error **err)
{
        cleanup_stmt sqlite3_stmt *st = NULL;

        if (rc_db_prepare(s,
                          "SELECT repo FROM blob_sources WHERE digest = ? AND registry = ? AND repo != ?"
                          " ORDER BY repo LIMIT 1",
                          &st, err) < 0)
                return -1;
        sqlite3_bind_text(st, 1, digest, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, registry, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, not_repo, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_ROW)
                return 0;
        *repo = xstrdup(rc_db_text(st, 0));
        return 1;
}
