/* Container records and directories. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/internal.h"
#include "util/fs.h"
#include "util/xalloc.h"

void rc_container_rec_free(struct rc_container_rec *c)
{
        free(c->name);
        free(c->image_name);
        free(c->state);
        free(c->driver);
        memset(c, 0, sizeof(*c));
}

char *rc_store_container_dir(const struct rc_store *s, const char *id)
{
        return xasprintf("%s/containers/%s", s->root, id);
}

int rc_store_container_add(struct rc_store *s, const struct rc_container_rec *c, rc_error **err)
{
        cleanup_stmt sqlite3_stmt *st = NULL;

        if (rc_db_prepare(s,
                          "INSERT INTO containers(id, name, image_id, image_name, state, driver, created, auto_remove,"
                          " monitor_pid, monitor_start, exit_code) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                          &st, err) < 0)
                return -1;
        sqlite3_bind_text(st, 1, c->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, c->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, c->image_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, c->image_name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, c->state ? c->state : "created", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, c->driver, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 7, c->created);
        sqlite3_bind_int(st, 8, c->auto_remove);
        sqlite3_bind_int64(st, 9, c->monitor_pid);
        sqlite3_bind_int64(st, 10, (sqlite3_int64)c->monitor_start);
        if (sqlite3_step(st) != SQLITE_DONE) {
                if (sqlite3_extended_errcode(s->db) == SQLITE_CONSTRAINT_UNIQUE)
                        return rc_error_set(err, EEXIST,
                                            "the container name \"%s\" is already in use: remove that container or "
                                            "choose another name",
                                            c->name);
                return rc_db_error(s, err, "record container");
        }
        return 0;
}

int rc_store_container_set_state(struct rc_store *s, const char *id, const char *state, int exit_code,
                                 rc_error **err)
{
        cleanup_stmt sqlite3_stmt *st = NULL;

        if (rc_db_prepare(s, "UPDATE containers SET state = ?, exit_code = ? WHERE id = ?", &st, err) < 0)
                return -1;
        sqlite3_bind_text(st, 1, state, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, exit_code);
        sqlite3_bind_text(st, 3, id, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
                return rc_db_error(s, err, "update container");
        return 0;
}

int rc_store_container_remove(struct rc_store *s, const char *id, rc_error **err)
{
        cleanup_free char *dir = rc_store_container_dir(s, id);
        cleanup_stmt sqlite3_stmt *st = NULL;

        /* Files first: a crash in between leaves a record whose directory
         * is gone, which removal handles again; never the reverse. */
        if (rc_store_discard_dir(s, dir, err) < 0)
                return rc_error_wrap(err, "remove container %.12s", id);
        if (rc_db_prepare(s, "DELETE FROM containers WHERE id = ?", &st, err) < 0)
                return -1;
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
                return rc_db_error(s, err, "remove container record");
        return 0;
}
