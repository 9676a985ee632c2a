/* Images and their names. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/internal.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/xalloc.h"

void rc_image_free(struct rc_image *img)
{
        strv_free(img->names);
        strv_free(img->layers);
        memset(img, 0, sizeof(*img));
}

void rc_image_list_free(struct rc_image *imgs, size_t n)
{
        for (size_t i = 0; i < n; i++)
                rc_image_free(&imgs[i]);
        free(imgs);
}

static int bind_exec(struct rc_store *s, const char *sql, const char *a, const char *b, rc_error **err)
{
        cleanup_stmt sqlite3_stmt *st = NULL;

        if (rc_db_prepare(s, sql, &st, err) < 0)
                return -1;
        sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
        if (b)
                sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
                return rc_db_error(s, err, sql);
        return 0;
}

int rc_store_image_add(struct rc_store *s, const struct rc_image *img, rc_error **err)
{
        cleanup_stmt sqlite3_stmt *st = NULL;

        if (rc_db_begin(s, err) < 0)
                return -1;
        if (rc_db_prepare(s,
                          "INSERT OR IGNORE INTO images(id, config_digest, manifest_digest, created, size)"
                          " VALUES(?, ?, ?, ?, ?)",
                          &st, err) < 0)
                goto fail;
        sqlite3_bind_text(st, 1, img->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, img->config_digest, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, img->manifest_digest, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, img->created);
        sqlite3_bind_int64(st, 5, (sqlite3_int64)img->size);
        if (sqlite3_step(st) != SQLITE_DONE) {
                rc_db_error(s, err, "record image");
                goto fail;
        }
        if (sqlite3_changes(s->db) > 0) {
                for (size_t i = 0; img->layers && img->layers[i]; i++) {
                        rc_stmt_finalizep(&st);
                        if (rc_db_prepare(s, "INSERT INTO image_layers(image_id, idx, chain_id) VALUES(?, ?, ?)",
                                          &st, err) < 0)
                                goto fail;
                        sqlite3_bind_text(st, 1, img->id, -1, SQLITE_STATIC);
                        sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
                        sqlite3_bind_text(st, 3, img->layers[i], -1, SQLITE_STATIC);
                        if (sqlite3_step(st) != SQLITE_DONE) {
                                rc_db_error(s, err, "record image layers");
                                goto fail;
                        }
                }
        }
        for (size_t i = 0; img->names && img->names[i]; i++)
                if (rc_store_image_name_add(s, img->id, img->names[i], img->manifest_digest, err) < 0)
                        goto fail;
        for (size_t i = 0; img->blobs && img->blobs[i]; i++)
                if (bind_exec(s, "INSERT OR IGNORE INTO image_blobs(image_id, digest) VALUES(?, ?)", img->id,
                              img->blobs[i], err) < 0)
                        goto fail;
        return rc_db_commit(s, err);
fail:
        rc_db_rollback(s);
        return -1;
}

int rc_store_image_name_add(struct rc_store *s, const char *id, const char *name, const char *manifest_digest,
                            rc_error **err)
{
        cleanup_stmt sqlite3_stmt *st = NULL;

        if (rc_db_prepare(s, "INSERT OR REPLACE INTO names(name, image_id, manifest_digest) VALUES(?, ?, ?)", &st,
                          err) < 0)
                return -1;
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
        if (manifest_digest && manifest_digest[0])
                sqlite3_bind_text(st, 3, manifest_digest, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
                return rc_db_error(s, err, "record image name");
        return 0;
}

int rc_store_image_name_remove(struct rc_store *s, const char *id, const char *name, rc_error **err)
{
        if (bind_exec(s, "DELETE FROM names WHERE name = ? AND image_id = ?", name, id, err) < 0)
                return -1;
        if (sqlite3_changes(s->db) == 0)
                return rc_error_code(err, ENOENT, "%s: tag not known", name);
        return 0;
}

/* Fill names and layers of an image whose id is set. */
static int load_image_details(struct rc_store *s, struct rc_image *img, rc_error **err)
{
        cleanup_stmt sqlite3_stmt *st = NULL;

        if (rc_db_prepare(s, "SELECT name FROM names WHERE image_id = ? ORDER BY name", &st, err) < 0)
                return -1;
        sqlite3_bind_text(st, 1, img->id, -1, SQLITE_STATIC);
        img->names = xcalloc(1, sizeof(char *));
        while (sqlite3_step(st) == SQLITE_ROW)
                strv_push(&img->names, rc_db_text(st, 0));
        rc_stmt_finalizep(&st);
        if (rc_db_prepare(s, "SELECT chain_id FROM image_layers WHERE image_id = ? ORDER BY idx", &st, err) < 0)
                return -1;
        sqlite3_bind_text(st, 1, img->id, -1, SQLITE_STATIC);
        img->layers = xcalloc(1, sizeof(char *));
        while (sqlite3_step(st) == SQLITE_ROW)
                strv_push(&img->layers, rc_db_text(st, 0));
        return 0;
}

static void row_to_image(sqlite3_stmt *st, struct rc_image *img)
{
        memset(img, 0, sizeof(*img));
        snprintf(img->id, sizeof(img->id), "%s", rc_db_text(st, 0));
        snprintf(img->config_digest, sizeof(img->config_digest), "%s", rc_db_text(st, 1));
        snprintf(img->manifest_digest, sizeof(img->manifest_digest), "%s", rc_db_text(st, 2));
        img->created = sqlite3_column_int64(st, 3);
        img->size = (uint64_t)sqlite3_column_int64(st, 4);
}

#define IMAGE_COLUMNS "images.id, images.config_digest, images.manifest_digest, images.created, images.size"

int rc_store_image_find(struct rc_store *s, const char *const *names, const char *id_or_prefix,
                        struct rc_image *out, rc_error **err)
{
        cleanup_stmt sqlite3_stmt *st = NULL;
        struct rc_image img;
        int found = 0;

        for (size_t i = 0; names && names[i] && !found; i++) {
                rc_stmt_finalizep(&st);
                if (rc_db_prepare(s,
                                  "SELECT " IMAGE_COLUMNS ", names.manifest_digest FROM images JOIN names"
                                  " ON names.image_id = images.id WHERE names.name = ?",
                                  &st, err) < 0)
                        return -1;
                sqlite3_bind_text(st, 1, names[i], -1, SQLITE_STATIC);
                if (sqlite3_step(st) == SQLITE_ROW) {
                        row_to_image(st, &img);
                        /* the manifest this name was pulled as */
                        if (sqlite3_column_type(st, 5) == SQLITE_TEXT)
                                snprintf(img.manifest_digest, sizeof(img.manifest_digest), "%s", rc_db_text(st, 5));
                        found = 1;
                }
        }
        if (!found && id_or_prefix) {
                const char *hex = id_or_prefix;
                size_t len;
                cleanup_free char *pattern = NULL;

                if (strncmp(hex, "sha256:", 7) == 0)
                        hex += 7;
                len = strlen(hex);
                if (len == 0 || len > RC_DIGEST_HEX_LEN || strspn(hex, "0123456789abcdef") != len)
                        goto notfound;
                pattern = xasprintf("%s%%", hex);
                rc_stmt_finalizep(&st);
                if (rc_db_prepare(s, "SELECT " IMAGE_COLUMNS " FROM images WHERE id LIKE ? LIMIT 2", &st, err) < 0)
                        return -1;
                sqlite3_bind_text(st, 1, pattern, -1, SQLITE_STATIC);
                while (sqlite3_step(st) == SQLITE_ROW) {
                        if (found)
                                return rc_error_set(err, EINVAL,
                                                    "image id prefix '%s' matches more than one image: give more "
                                                    "characters",
                                                    id_or_prefix);
                        row_to_image(st, &img);
                        found = 1;
                }
        }
        if (!found)
                goto notfound;
        if (load_image_details(s, &img, err) < 0) {
                rc_image_free(&img);
                return -1;
        }
        *out = img;
        return 0;
notfound:
        return rc_error_code(err, ENOENT, "image not known");
}

int rc_store_image_list(struct rc_store *s, struct rc_image **out, size_t *n, rc_error **err)
{
        cleanup_stmt sqlite3_stmt *st = NULL;
        struct rc_image *imgs = NULL;
        size_t count = 0;

        if (rc_db_prepare(s, "SELECT " IMAGE_COLUMNS " FROM images ORDER BY created DESC, id", &st, err) < 0)
                return -1;
        while (sqlite3_step(st) == SQLITE_ROW) {
                imgs = xrealloc(imgs, (count + 1) * sizeof(*imgs));
                row_to_image(st, &imgs[count]);
                count++;
        }
        for (size_t i = 0; i < count; i++) {
                if (load_image_details(s, &imgs[i], err) < 0) {
                        rc_image_list_free(imgs, count);
                        return -1;
                }
        }
        *out = imgs;
        *n = count;
        return 0;
}

/* Containers using the image whose rc is still alive, or any if !force. */
static int check_users(struct rc_store *s, const char *id, bool force, rc_error **err)
{
        cleanup_stmt sqlite3_stmt *st = NULL;

        if (rc_db_prepare(s, "SELECT id, name, monitor_pid, monitor_start FROM containers WHERE image_id = ?", &st,
                          err) < 0)
                return -1;
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        while (sqlite3_step(st) == SQLITE_ROW) {
                pid_t pid = (pid_t)sqlite3_column_int64(st, 2);
                bool running = rc_monitor_alive(pid, (uint64_t)sqlite3_column_int64(st, 3));
                /* podman's words, which scripts match */
                if (!force)
                        return rc_error_code(err, EBUSY,
                                            "image used by %s: image is in use by a container: consider listing "
                                            "external containers and force-removing image",
                                            rc_db_text(st, 0));
                if (running)
                        return rc_error_code(err, EBUSY,
                                            "image used by %s: image is in use by a running container (%s): stop it "
                                            "first",
                                            rc_db_text(st, 0), rc_db_text(st, 1));
        }
        return 0;
}

int rc_store_image_remove(struct rc_store *s, const char *id, const char *name, bool force, bool *deleted,
                          rc_error **err)
{
        cleanup_stmt sqlite3_stmt *st = NULL;
        cleanup_strv char **layers = NULL, **dead_layers = NULL, **dead_blobs = NULL;
        cleanup_free char *config_digest = NULL, *manifest_digest = NULL;

        if (rc_db_begin(s, err) < 0)
                return -1;
        if (name) {
                if (bind_exec(s, "DELETE FROM names WHERE name = ? AND image_id = ?", name, id, err) < 0)
                        goto fail;
                rc_stmt_finalizep(&st);
                if (rc_db_prepare(s, "SELECT 1 FROM names WHERE image_id = ?", &st, err) < 0)
                        goto fail;
                sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
                if (sqlite3_step(st) == SQLITE_ROW) {
                        *deleted = false;
                        return rc_db_commit(s, err);
                }
        }
        if (check_users(s, id, force, err) < 0)
                goto fail;
        rc_stmt_finalizep(&st);
        if (rc_db_prepare(s, "SELECT config_digest, manifest_digest FROM images WHERE id = ?", &st, err) < 0)
                goto fail;
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_ROW) {
                rc_error_code(err, ENOENT, "image %.12s is not in the store", id);
                goto fail;
        }
        config_digest = xstrdup(rc_db_text(st, 0));
        manifest_digest = xstrdup(rc_db_text(st, 1));
        rc_stmt_finalizep(&st);
        if (rc_db_prepare(s, "SELECT chain_id FROM image_layers WHERE image_id = ? ORDER BY idx DESC", &st, err) < 0)
                goto fail;
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        layers = xcalloc(1, sizeof(char *));
        while (sqlite3_step(st) == SQLITE_ROW)
                strv_push(&layers, rc_db_text(st, 0));
        rc_stmt_finalizep(&st);
        if (rc_db_prepare(s, "SELECT digest FROM image_blobs WHERE image_id = ?", &st, err) < 0)
                goto fail;
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        while (sqlite3_step(st) == SQLITE_ROW)
                strv_push(&dead_blobs, rc_db_text(st, 0));
        if (bind_exec(s, "DELETE FROM containers WHERE image_id = ?", id, NULL, err) < 0 ||
            bind_exec(s, "DELETE FROM images WHERE id = ?", id, NULL, err) < 0)
                goto fail;
        for (size_t i = 0; layers[i]; i++) {
                rc_stmt_finalizep(&st);
                if (rc_db_prepare(s, "SELECT 1 FROM image_layers WHERE chain_id = ?", &st, err) < 0)
                        goto fail;
                sqlite3_bind_text(st, 1, layers[i], -1, SQLITE_STATIC);
                if (sqlite3_step(st) == SQLITE_ROW)
                        continue;
                rc_stmt_finalizep(&st);
                if (rc_db_prepare(s, "SELECT blob_digest FROM layers WHERE chain_id = ?", &st, err) < 0)
                        goto fail;
                sqlite3_bind_text(st, 1, layers[i], -1, SQLITE_STATIC);
                if (sqlite3_step(st) == SQLITE_ROW)
                        strv_push(&dead_blobs, rc_db_text(st, 0));
                if (bind_exec(s, "DELETE FROM layers WHERE chain_id = ?", layers[i], NULL, err) < 0)
                        goto fail;
                strv_push(&dead_layers, layers[i]);
        }
        strv_push(&dead_blobs, config_digest);
        strv_push(&dead_blobs, manifest_digest);
        /* Keep blobs another image or layer still names. */
        for (size_t i = 0; dead_blobs[i]; i++) {
                rc_stmt_finalizep(&st);
                if (rc_db_prepare(s,
                                  "SELECT 1 FROM layers WHERE blob_digest = ?1 UNION ALL SELECT 1 FROM images"
                                  " WHERE config_digest = ?1 OR manifest_digest = ?1"
                                  " UNION ALL SELECT 1 FROM image_blobs WHERE digest = ?1",
                                  &st, err) < 0)
                        goto fail;
                sqlite3_bind_text(st, 1, dead_blobs[i], -1, SQLITE_STATIC);
                if (sqlite3_step(st) == SQLITE_ROW)
                        dead_blobs[i][0] = '\0';
        }
        if (rc_db_commit(s, err) < 0)
                return -1;
        /* The records are gone; a crash from here on leaves orphan files
         * that rc_store_gc removes. */
        for (size_t i = 0; dead_layers && dead_layers[i]; i++) {
                cleanup_free char *top = xasprintf("%s/layers/%s", s->root, rc_digest_hex(dead_layers[i]));
                if (rc_store_discard_dir(s, top, err) < 0)
                        return -1;
        }
        for (size_t i = 0; dead_blobs[i]; i++) {
                cleanup_free char *p = NULL;
                if (!rc_digest_valid(dead_blobs[i]))
                        continue;
                p = rc_store_blob_path(s, dead_blobs[i]);
                if (unlink(p) < 0 && errno != ENOENT)
                        rc_debug("remove blob %s: %m", p);
        }
        *deleted = true;
        return 0;
fail:
        rc_db_rollback(s);
        return -1;
}
