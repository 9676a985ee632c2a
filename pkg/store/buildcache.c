/* The build cache: build step keys and the images they made. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "store/internal.h"

int rc_store_build_cache_get(struct rc_store *s, const char *key, char id_out[RC_DIGEST_HEX_LEN + 1],
                             rc_error **err)
{
        cleanup_stmt sqlite3_stmt *st = NULL;

        /* the join skips a row whose image went another way than rmi */
        if (rc_db_prepare(s,
                          "SELECT build_cache.image_id FROM build_cache JOIN images ON images.id = build_cache.image_id"
                          " WHERE build_cache.key = ?",
                          &st, err) < 0)
                return -1;
        sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_ROW)
                return 0;
        snprintf(id_out, RC_DIGEST_HEX_LEN + 1, "%s", rc_db_text(st, 0));
        return 1;
}

int rc_store_build_cache_put(struct rc_store *s, const char *key, const char *image_id, bool final,
                             rc_error **err)
{
        cleanup_stmt sqlite3_stmt *st = NULL;

        /* a final row stays final: the image is some build's result */
        if (rc_db_prepare(s,
                          "INSERT INTO build_cache(key, image_id, final, created) VALUES(?, ?, ?, ?)"
                          " ON CONFLICT(key) DO UPDATE SET image_id = excluded.image_id,"
                          " final = excluded.final OR (final AND image_id = excluded.image_id),"
                          " created = excluded.created",
                          &st, err) < 0)
                return -1;
        sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, image_id, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 3, final);
        sqlite3_bind_int64(st, 4, (sqlite3_int64)time(NULL));
        if (sqlite3_step(st) != SQLITE_DONE)
                return rc_db_error(s, err, "record a build step");
        return 0;
}

bool rc_store_image_intermediate(struct rc_store *s, const char *id)
{
        cleanup_stmt sqlite3_stmt *st = NULL;

        if (sqlite3_prepare_v2(s->db,
                               "SELECT 1 WHERE EXISTS(SELECT 1 FROM build_cache WHERE image_id = ?1)"
                               " AND NOT EXISTS(SELECT 1 FROM build_cache WHERE image_id = ?1 AND final)"
                               " AND NOT EXISTS(SELECT 1 FROM names WHERE image_id = ?1)",
                               -1, &st, NULL) != SQLITE_OK)
                return false;
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        return sqlite3_step(st) == SQLITE_ROW;
}
