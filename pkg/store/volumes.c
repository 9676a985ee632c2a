/* Volume records and directories: volumes/NAME/_data. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/internal.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/xalloc.h"

void rc_volume_rec_free(struct rc_volume_rec *v)
{
        free(v->name);
        free(v->labels);
        memset(v, 0, sizeof(*v));
}

void rc_volume_rec_list_free(struct rc_volume_rec *list, size_t n)
{
        for (size_t i = 0; i < n; i++)
                rc_volume_rec_free(&list[i]);
        free(list);
}

char *rc_store_volume_dir(const struct rc_store *s, const char *name)
{
        return xasprintf("%s/volumes/%s/_data", s->root, name);
}

/* The store only ever makes a directory entry of a name that is one. */
static int check_name(const char *name, rc_error **err)
{
        if (name == NULL || name[0] == '\0' || name[0] == '.' || strchr(name, '/') || strlen(name) > 255)
                return rc_error_set(err, EINVAL, "\"%s\" is not a valid volume name", name ? name : "");
        return 0;
}

int rc_store_volume_add(struct rc_store *s, const struct rc_volume_rec *v, rc_error **err)
{
        cleanup_stmt sqlite3_stmt *st = NULL;
        cleanup_free char *staged = NULL, *data = NULL, *target = NULL;
        rc_error *e = NULL;

        if (check_name(v->name, err) < 0)
                return -1;
        /* staged first, so a crash leaves only staging (gc) or, between the
         * rename and the commit, a directory without a record (gc too) */
        if (rc_store_mkdtemp(s, "volume", &staged, err) < 0)
                return -1;
        data = xasprintf("%s/_data", staged);
        if (mkdir(data, 0755) < 0 || chmod(data, 0755) < 0) {
                rc_error_set(err, errno, "create %s", data);
                goto discard;
        }
        if (rc_db_begin(s, err) < 0)
                goto discard;
        if (rc_db_prepare(s, "INSERT INTO volumes(name, created, labels, anonymous, needs_copy_up) VALUES(?, ?, ?, ?, 1)",
                          &st, err) < 0)
                goto rollback;
        sqlite3_bind_text(st, 1, v->name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, v->created);
        sqlite3_bind_text(st, 3, v->labels ? v->labels : "", -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 4, v->anonymous);
        if (sqlite3_step(st) != SQLITE_DONE) {
                if (sqlite3_extended_errcode(s->db) == SQLITE_CONSTRAINT_PRIMARYKEY ||
                    sqlite3_extended_errcode(s->db) == SQLITE_CONSTRAINT_UNIQUE)
                        rc_error_code(err, EEXIST, "volume with name %s already exists: volume already exists", v->name);
                else
                        rc_db_error(s, err, "record volume");
                goto rollback;
        }
        target = xasprintf("%s/volumes/%s", s->root, v->name);
        if (rename(staged, target) < 0) {
                rc_error_set(err, errno, "move volume %s into place", v->name);
                goto rollback;
        }
        if (rc_db_commit(s, err) < 0) {
                if (rename(target, staged) < 0)
                        rc_warn("volume %s: %s is left without a record; the next rc command removes it", v->name,
                                target);
                goto discard;
        }
        return 0;
rollback:
        rc_db_rollback(s);
discard:
        if (rc_rm_rf(staged, &e) < 0) {
                rc_debug("%s", e->msg);
                rc_error_free(e);
        }
        return -1;
}

#define VOLUME_COLUMNS "name, created, labels, anonymous, needs_copy_up"

static void row_to_volume(sqlite3_stmt *st, struct rc_volume_rec *v)
{
        v->name = xstrdup(rc_db_text(st, 0));
        v->created = sqlite3_column_int64(st, 1);
        v->labels = xstrdup(rc_db_text(st, 2));
        v->anonymous = sqlite3_column_int(st, 3) != 0;
        v->needs_copy_up = sqlite3_column_int(st, 4) != 0;
}

int rc_store_volume_get(struct rc_store *s, const char *name, struct rc_volume_rec *out, rc_error **err)
{
        cleanup_stmt sqlite3_stmt *st = NULL;

        if (rc_db_prepare(s, "SELECT " VOLUME_COLUMNS " FROM volumes WHERE name = ?", &st, err) < 0)
                return -1;
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_ROW)
                return rc_error_code(err, ENOENT, "no volume with name \"%s\" found: no such volume", name);
        memset(out, 0, sizeof(*out));
        row_to_volume(st, out);
        return 0;
}

int rc_store_volume_list(struct rc_store *s, struct rc_volume_rec **out, size_t *n, rc_error **err)
{
        cleanup_stmt sqlite3_stmt *st = NULL;
        struct rc_volume_rec *list = NULL;
        size_t count = 0;

        if (rc_db_prepare(s, "SELECT " VOLUME_COLUMNS " FROM volumes ORDER BY name", &st, err) < 0)
                return -1;
        while (sqlite3_step(st) == SQLITE_ROW) {
                list = xrealloc(list, (count + 1) * sizeof(*list));
                memset(&list[count], 0, sizeof(*list));
                row_to_volume(st, &list[count++]);
        }
        *out = list;
        *n = count;
        return 0;
}

int rc_store_volume_users(struct rc_store *s, const char *name, char ***ids, rc_error **err)
{
        cleanup_stmt sqlite3_stmt *st = NULL;
        char **out;

        if (rc_db_prepare(s, "SELECT container_id FROM container_volumes WHERE volume = ? ORDER BY container_id", &st,
                          err) < 0)
                return -1;
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        out = xcalloc(1, sizeof(char *));
        while (sqlite3_step(st) == SQLITE_ROW)
                strv_push(&out, rc_db_text(st, 0));
        *ids = out;
        return 0;
}

int rc_store_volume_remove(struct rc_store *s, const char *name, rc_error **err)
{
        cleanup_stmt sqlite3_stmt *users = NULL, *del = NULL;
        cleanup_free char *dir = NULL, *tmp_name = NULL, *tmp = NULL;
        rc_error *e = NULL;

        if (check_name(name, err) < 0 || rc_db_begin(s, err) < 0)
                return -1;
        if (rc_db_prepare(s, "SELECT c.id, c.name FROM container_volumes cv JOIN containers c ON c.id = cv.container_id"
                             " WHERE cv.volume = ? LIMIT 1",
                          &users, err) < 0)
                goto rollback;
        sqlite3_bind_text(users, 1, name, -1, SQLITE_STATIC);
        if (sqlite3_step(users) == SQLITE_ROW) {
                rc_error_code(err, EBUSY,
                              "volume %s is being used by the following container(s): %s (%.12s): volume is being "
                              "used; remove the container first, or use rc volume rm -f",
                              name, rc_db_text(users, 1), rc_db_text(users, 0));
                goto rollback;
        }
        if (rc_db_prepare(s, "DELETE FROM volumes WHERE name = ?", &del, err) < 0)
                goto rollback;
        sqlite3_bind_text(del, 1, name, -1, SQLITE_STATIC);
        if (sqlite3_step(del) != SQLITE_DONE) {
                rc_db_error(s, err, "remove volume record");
                goto rollback;
        }
        if (sqlite3_changes(s->db) == 0) {
                rc_error_code(err, ENOENT, "no volume with name \"%s\" found: no such volume", name);
                goto rollback;
        }
        /* out of volumes/ inside the transaction: no rc can use it meanwhile */
        dir = xasprintf("%s/volumes/%s", s->root, name);
        tmp_name = xasprintf("rmvolume-%d-%s", (int)getpid(), name);
        tmp = xasprintf("%s/tmp/%s", s->root, tmp_name);
        if (rename(dir, tmp) < 0 && errno != ENOENT) {
                rc_error_set(err, errno, "move volume %s out of the way", name);
                goto rollback;
        }
        if (rc_db_commit(s, err) < 0) {
                if (rename(tmp, dir) < 0 && errno != ENOENT)
                        rc_warn("volume %s: its files are in %s; the next rc command removes them", name, tmp);
                return -1;
        }
        if (rc_rm_rf(tmp, &e) < 0) {
                rc_store_leftover(s, tmp_name, e);
                rc_error_free(e);
        }
        return 0;
rollback:
        rc_db_rollback(s);
        return -1;
}

int rc_store_volume_claim_first_use(struct rc_store *s, const char *name, rc_error **err)
{
        cleanup_stmt sqlite3_stmt *st = NULL;

        if (rc_db_prepare(s, "UPDATE volumes SET needs_copy_up = 0 WHERE name = ? AND needs_copy_up = 1", &st, err) < 0)
                return -1;
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
                return rc_db_error(s, err, "record a volume's first use");
        return sqlite3_changes(s->db) > 0 ? 1 : 0;
}

void rc_store_gc_volumes(struct rc_store *s)
{
        cleanup_closedir DIR *d = NULL;
        cleanup_stmt sqlite3_stmt *st = NULL;
        cleanup_strv char **names = NULL, **moved = NULL;
        cleanup_close int dfd = openat(s->root_fd, "volumes", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct dirent *de;
        rc_error *e = NULL;

        /* the common case, no volumes at all, costs one readdir */
        if (dfd < 0 || (d = fdopendir(dup(dfd))) == NULL)
                return;
        while ((de = readdir(d)) != NULL)
                if (de->d_name[0] != '.')
                        strv_push(&names, de->d_name);
        if (names == NULL)
                return;
        if (rc_db_begin(s, &e) < 0)
                goto fail;
        if (rc_db_prepare(s, "SELECT 1 FROM volumes WHERE name = ?", &st, &e) < 0) {
                rc_db_rollback(s);
                goto fail;
        }
        for (size_t i = 0; names[i]; i++) {
                cleanup_free char *tmp = NULL, *to = NULL;
                sqlite3_reset(st);
                sqlite3_bind_text(st, 1, names[i], -1, SQLITE_STATIC);
                if (sqlite3_step(st) == SQLITE_ROW)
                        continue;
                /* moved while holding the lock: no create is recording it now */
                tmp = xasprintf("rmvolume-%d-%s", (int)getpid(), names[i]);
                to = xasprintf("tmp/%s", tmp);
                rc_debug("store: removing volume directory volumes/%s, which has no record", names[i]);
                if (renameat(dfd, names[i], s->root_fd, to) == 0)
                        strv_push(&moved, tmp);
                else if (errno != ENOENT)
                        rc_warn("store clean-up: cannot move volumes/%s, which has no record: %m", names[i]);
        }
        rc_db_rollback(s);
        for (size_t i = 0; moved && moved[i]; i++) {
                cleanup_free char *path = xasprintf("%s/tmp/%s", s->root, moved[i]);
                if (rc_rm_rf(path, &e) < 0) {
                        rc_store_leftover(s, moved[i], e);
                        rc_error_free(e);
                        e = NULL;
                }
        }
        return;
fail:
        rc_warn("store clean-up: %s", e->msg);
        rc_error_free(e);
}
