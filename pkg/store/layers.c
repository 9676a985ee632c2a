/* Layers: extracted once per chain id, recorded in the layers table. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/internal.h"
#include "util/fs.h"
#include "util/xalloc.h"

void rc_layer_chain_id(const char *parent_chain_id, const char *diff_id, char out[RC_DIGEST_LEN + 1])
{
        cleanup_free char *s = NULL;

        if (parent_chain_id == NULL || *parent_chain_id == '\0') {
                memcpy(out, diff_id, RC_DIGEST_LEN + 1);
                return;
        }
        s = xasprintf("%s %s", parent_chain_id, diff_id);
        rc_sha256_digest(s, strlen(s), out);
}

char *rc_store_layer_dir(const struct rc_store *s, const char *chain_id)
{
        return xasprintf("%s/layers/%s/diff", s->root, rc_digest_hex(chain_id));
}

bool rc_store_layer_exists(struct rc_store *s, const char *chain_id)
{
        cleanup_stmt sqlite3_stmt *st = NULL;

        if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM layers WHERE chain_id = ?", -1, &st, NULL) != SQLITE_OK)
                return false;
        sqlite3_bind_text(st, 1, chain_id, -1, SQLITE_STATIC);
        return sqlite3_step(st) == SQLITE_ROW;
}

int rc_store_layer_commit(struct rc_store *s, const char *staged_dir, const struct rc_layer *l, rc_error **err)
{
        cleanup_free char *top = xasprintf("%s/layers/%s", s->root, rc_digest_hex(l->chain_id));
        cleanup_free char *diff = rc_store_layer_dir(s, l->chain_id);
        cleanup_stmt sqlite3_stmt *st = NULL;

        if (rc_db_begin(s, err) < 0)
                return -1;
        if (rc_store_layer_exists(s, l->chain_id)) {
                /* Another rc recorded it first: ours is a duplicate. */
                rc_db_rollback(s);
                return rc_rm_rf(staged_dir, err);
        }
        /* A directory without a record is a crash leftover: replace it. */
        if (rc_path_exists(top) && rc_store_discard_dir(s, top, err) < 0)
                goto fail;
        if (mkdir(top, 0700) < 0) {
                rc_error_set(err, errno, "create %s", top);
                goto fail;
        }
        if (rename(staged_dir, diff) < 0) {
                rc_error_set(err, errno, "move layer into %s", diff);
                rmdir(top);
                goto fail;
        }
        if (rc_db_prepare(s,
                          "INSERT INTO layers(chain_id, diff_id, parent, blob_digest, media_type, blob_size, tar_size)"
                          " VALUES(?, ?, ?, ?, ?, ?, ?)",
                          &st, err) < 0)
                goto fail;
        sqlite3_bind_text(st, 1, l->chain_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, l->diff_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, l->parent, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, l->blob_digest, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, l->media_type, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 6, (sqlite3_int64)l->blob_size);
        sqlite3_bind_int64(st, 7, (sqlite3_int64)l->tar_size);
        if (sqlite3_step(st) != SQLITE_DONE) {
                rc_db_error(s, err, "record layer");
                goto fail;
        }
        if (rc_db_commit(s, err) < 0)
                return rc_error_wrap(err, "layer %s", l->chain_id);
        return 0;
fail:
        rc_db_rollback(s);
        return rc_error_wrap(err, "layer %s", l->chain_id);
}

int rc_store_layer_get(struct rc_store *s, const char *chain_id, struct rc_layer *out, rc_error **err)
{
        cleanup_stmt sqlite3_stmt *st = NULL;
        struct rc_layer l = { 0 };

        if (rc_db_prepare(s,
                          "SELECT chain_id, diff_id, parent, blob_digest, media_type, blob_size, tar_size"
                          " FROM layers WHERE chain_id = ?",
                          &st, err) < 0)
                return -1;
        sqlite3_bind_text(st, 1, chain_id, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_ROW)
                return rc_error_set(err, ENOENT, "layer %s is not in the store", chain_id);
        snprintf(l.chain_id, sizeof(l.chain_id), "%s", rc_db_text(st, 0));
        snprintf(l.diff_id, sizeof(l.diff_id), "%s", rc_db_text(st, 1));
        snprintf(l.parent, sizeof(l.parent), "%s", rc_db_text(st, 2));
        snprintf(l.blob_digest, sizeof(l.blob_digest), "%s", rc_db_text(st, 3));
        snprintf(l.media_type, sizeof(l.media_type), "%s", rc_db_text(st, 4));
        l.blob_size = (uint64_t)sqlite3_column_int64(st, 5);
        l.tar_size = (uint64_t)sqlite3_column_int64(st, 6);
        *out = l;
        return 0;
}
