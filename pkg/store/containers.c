/* Container records and directories. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/internal.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/xalloc.h"

void rc_container_rec_free(struct rc_container_rec *c)
{
        free(c->name);
        free(c->image_name);
        free(c->state);
        free(c->driver);
        free(c->command);
        free(c->labels);
        strv_free(c->volumes);
        memset(c, 0, sizeof(*c));
}

char *rc_store_container_dir(const struct rc_store *s, const char *id)
{
        return xasprintf("%s/containers/%s", s->root, id);
}

char *rc_store_container_run_dir(const struct rc_store *s, const char *id)
{
        if (s->run_root == NULL)
                return rc_store_container_dir(s, id);
        return xasprintf("%s/containers/%s", s->run_root, id);
}

char *rc_store_container_opts_path(const struct rc_store *s, const struct rc_container_rec *c)
{
        cleanup_free char *dir = rc_store_container_dir(s, c->id);
        cleanup_free char *run_dir = NULL;

        if (!c->auto_remove)
                return xasprintf("%s/create.json", dir);
        run_dir = rc_store_container_run_dir(s, c->id);
        /* the store: where an older rc kept it */
        return rc_path_in_first((const char *const[]){ run_dir, dir }, "create.json");
}

/* The volumes a container uses, in the transaction that records it. */
static int add_volume_refs(struct rc_store *s, const struct rc_container_rec *c, rc_error **err)
{
        cleanup_stmt sqlite3_stmt *st = NULL;

        if (rc_db_prepare(s, "INSERT OR IGNORE INTO container_volumes(container_id, volume) VALUES(?, ?)", &st, err) < 0)
                return -1;
        for (size_t i = 0; c->volumes[i]; i++) {
                sqlite3_reset(st);
                sqlite3_bind_text(st, 1, c->id, -1, SQLITE_STATIC);
                sqlite3_bind_text(st, 2, c->volumes[i], -1, SQLITE_STATIC);
                if (sqlite3_step(st) != SQLITE_DONE) {
                        if (sqlite3_extended_errcode(s->db) == SQLITE_CONSTRAINT_FOREIGNKEY)
                                return rc_error_set(err, ENOENT, "volume %s was removed while the container was created",
                                                    c->volumes[i]);
                        return rc_db_error(s, err, "record the container's volumes");
                }
        }
        return 0;
}

static int insert_container(struct rc_store *s, const struct rc_container_rec *c, rc_error **err);

int rc_store_container_add(struct rc_store *s, const struct rc_container_rec *c, rc_error **err)
{
        if (c->volumes == NULL || c->volumes[0] == NULL)
                return insert_container(s, c, err);
        if (rc_db_begin(s, err) < 0)
                return -1;
        if (insert_container(s, c, err) < 0 || add_volume_refs(s, c, err) < 0) {
                rc_db_rollback(s);
                return -1;
        }
        return rc_db_commit(s, err);
}

static int insert_container(struct rc_store *s, const struct rc_container_rec *c, rc_error **err)
{
        cleanup_stmt sqlite3_stmt *st = NULL;

        if (rc_db_prepare(s,
                          "INSERT INTO containers(id, name, image_id, image_name, state, driver, created, auto_remove,"
                          " monitor_pid, monitor_start, exit_code, command, labels)"
                          " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)",
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
        sqlite3_bind_text(st, 11, c->command ? c->command : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 12, c->labels ? c->labels : "", -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE) {
                if (sqlite3_extended_errcode(s->db) == SQLITE_CONSTRAINT_UNIQUE)
                        return rc_error_code(err, EEXIST,
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

#define CONTAINER_COLUMNS                                                                                     \
        "id, name, image_id, image_name, state, driver, created, auto_remove, monitor_pid, monitor_start,"       \
        " exit_code, pid, pid_start, started_at, finished_at, restart_count, stop_requested, command, labels"

static void row_to_container(sqlite3_stmt *st, struct rc_container_rec *c)
{
        memset(c, 0, sizeof(*c));
        snprintf(c->id, sizeof(c->id), "%s", rc_db_text(st, 0));
        c->name = xstrdup(rc_db_text(st, 1));
        snprintf(c->image_id, sizeof(c->image_id), "%s", rc_db_text(st, 2));
        c->image_name = xstrdup(rc_db_text(st, 3));
        c->state = xstrdup(rc_db_text(st, 4));
        c->driver = xstrdup(rc_db_text(st, 5));
        c->created = sqlite3_column_int64(st, 6);
        c->auto_remove = sqlite3_column_int(st, 7) != 0;
        c->monitor_pid = (pid_t)sqlite3_column_int64(st, 8);
        c->monitor_start = (uint64_t)sqlite3_column_int64(st, 9);
        c->exit_code = sqlite3_column_int(st, 10);
        c->pid = (pid_t)sqlite3_column_int64(st, 11);
        c->pid_start = (uint64_t)sqlite3_column_int64(st, 12);
        c->started_at = sqlite3_column_int64(st, 13);
        c->finished_at = sqlite3_column_int64(st, 14);
        c->restart_count = sqlite3_column_int(st, 15);
        c->stop_requested = sqlite3_column_int(st, 16) != 0;
        c->command = xstrdup(rc_db_text(st, 17));
        c->labels = xstrdup(rc_db_text(st, 18));
}

bool rc_container_rec_running(const struct rc_container_rec *c)
{
        return c->monitor_pid > 0 && rc_monitor_alive(c->monitor_pid, c->monitor_start);
}

const char *rc_container_rec_status(const struct rc_container_rec *c)
{
        if (strcmp(c->state, "running") == 0)
                return rc_container_rec_running(c) ? "running" : "exited";
        if (strcmp(c->state, "exited") == 0)
                return "exited";
        return "created";
}

int64_t rc_now_ns(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int exec_update(struct rc_store *s, sqlite3_stmt *st, const char *what, rc_error **err)
{
        if (sqlite3_step(st) != SQLITE_DONE)
                return rc_db_error(s, err, what);
        return 0;
}

int rc_store_container_set_running(struct rc_store *s, const struct rc_container_rec *c, bool restart,
                                   rc_error **err)
{
        cleanup_stmt sqlite3_stmt *st = NULL;

        if (rc_db_prepare(s,
                          "UPDATE containers SET state = 'running', monitor_pid = ?, monitor_start = ?, pid = ?,"
                          " pid_start = ?, started_at = ?, finished_at = 0, exit_code = 0,"
                          " restart_count = restart_count + ? WHERE id = ?",
                          &st, err) < 0)
                return -1;
        sqlite3_bind_int64(st, 1, c->monitor_pid);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)c->monitor_start);
        sqlite3_bind_int64(st, 3, c->pid);
        sqlite3_bind_int64(st, 4, (sqlite3_int64)c->pid_start);
        sqlite3_bind_int64(st, 5, rc_now_ns());
        sqlite3_bind_int(st, 6, restart ? 1 : 0);
        sqlite3_bind_text(st, 7, c->id, -1, SQLITE_STATIC);
        return exec_update(s, st, "record a started container", err);
}

int rc_store_container_set_exited(struct rc_store *s, const char *id, int exit_code, rc_error **err)
{
        cleanup_stmt sqlite3_stmt *st = NULL;

        if (rc_db_prepare(s, "UPDATE containers SET state = 'exited', exit_code = ?, finished_at = ?, pid = 0 WHERE id = ?",
                          &st, err) < 0)
                return -1;
        sqlite3_bind_int(st, 1, exit_code);
        sqlite3_bind_int64(st, 2, rc_now_ns());
        sqlite3_bind_text(st, 3, id, -1, SQLITE_STATIC);
        return exec_update(s, st, "record an exited container", err);
}

int rc_store_container_set_stop_requested(struct rc_store *s, const char *id, bool requested, rc_error **err)
{
        cleanup_stmt sqlite3_stmt *st = NULL;

        if (rc_db_prepare(s, "UPDATE containers SET stop_requested = ? WHERE id = ?", &st, err) < 0)
                return -1;
        sqlite3_bind_int(st, 1, requested ? 1 : 0);
        sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
        return exec_update(s, st, "record a stop request", err);
}

int rc_store_container_rename(struct rc_store *s, const char *id, const char *name, rc_error **err)
{
        cleanup_stmt sqlite3_stmt *st = NULL;

        if (rc_db_prepare(s, "UPDATE containers SET name = ? WHERE id = ?", &st, err) < 0)
                return -1;
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE) {
                if (sqlite3_extended_errcode(s->db) == SQLITE_CONSTRAINT_UNIQUE)
                        return rc_error_code(err, EEXIST,
                                            "the container name \"%s\" is already in use: remove that container or "
                                            "choose another name",
                                            name);
                return rc_db_error(s, err, "rename container");
        }
        return 0;
}

int rc_store_container_list(struct rc_store *s, struct rc_container_rec **out, size_t *n, rc_error **err)
{
        cleanup_stmt sqlite3_stmt *st = NULL;
        struct rc_container_rec *list = NULL;
        size_t count = 0;

        if (rc_db_prepare(s, "SELECT " CONTAINER_COLUMNS " FROM containers ORDER BY created DESC, rowid DESC", &st, err) < 0)
                return -1;
        while (sqlite3_step(st) == SQLITE_ROW) {
                list = xrealloc(list, (count + 1) * sizeof(*list));
                row_to_container(st, &list[count++]);
        }
        *out = list;
        *n = count;
        return 0;
}

void rc_container_list_free(struct rc_container_rec *list, size_t n)
{
        for (size_t i = 0; i < n; i++)
                rc_container_rec_free(&list[i]);
        free(list);
}

int rc_store_container_find(struct rc_store *s, const char *what, struct rc_container_rec *out, rc_error **err)
{
        cleanup_stmt sqlite3_stmt *st = NULL;
        cleanup_free char *pattern = NULL;
        size_t len = strlen(what);
        bool found = false;

        if (rc_db_prepare(s, "SELECT " CONTAINER_COLUMNS " FROM containers WHERE name = ?", &st, err) < 0)
                return -1;
        sqlite3_bind_text(st, 1, what, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) {
                row_to_container(st, out);
                return 0;
        }
        if (len == 0 || len > RC_DIGEST_HEX_LEN || strspn(what, "0123456789abcdef") != len)
                return rc_error_set(err, ENOENT, "no container with name or ID \"%s\" found: no such container", what);
        rc_stmt_finalizep(&st);
        pattern = xasprintf("%s%%", what);
        if (rc_db_prepare(s, "SELECT " CONTAINER_COLUMNS " FROM containers WHERE id LIKE ? LIMIT 2", &st, err) < 0)
                return -1;
        sqlite3_bind_text(st, 1, pattern, -1, SQLITE_STATIC);
        while (sqlite3_step(st) == SQLITE_ROW) {
                if (found) {
                        rc_container_rec_free(out);
                        return rc_error_set(err, EINVAL, "container id prefix \"%s\" is ambiguous: give more characters",
                                            what);
                }
                row_to_container(st, out);
                found = true;
        }
        if (!found)
                return rc_error_set(err, ENOENT, "no container with name or ID \"%s\" found: no such container", what);
        return 0;
}

int rc_store_container_remove(struct rc_store *s, const char *id, rc_error **err)
{
        cleanup_free char *dir = rc_store_container_dir(s, id);
        cleanup_free char *run_dir = rc_store_container_run_dir(s, id);
        cleanup_stmt sqlite3_stmt *st = NULL;

        /* Files first: a crash in between leaves a record whose directory
         * is gone, which removal handles again; never the reverse. */
        if (strcmp(run_dir, dir) != 0 && rc_rm_rf(run_dir, err) < 0)
                return rc_error_wrap(err, "remove container %.12s", id);
        if (rc_store_discard_dir(s, dir, err) < 0)
                return rc_error_wrap(err, "remove container %.12s", id);
        if (rc_db_prepare(s, "DELETE FROM containers WHERE id = ?", &st, err) < 0)
                return -1;
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
                return rc_db_error(s, err, "remove container record");
        return 0;
}

int rc_store_container_remove_with_volumes(struct rc_store *s, const char *id, rc_error **err)
{
        cleanup_stmt sqlite3_stmt *st = NULL;
        cleanup_strv char **anonymous = xcalloc(1, sizeof(char *));

        if (rc_db_prepare(s,
                          "SELECT v.name FROM container_volumes cv JOIN volumes v ON v.name = cv.volume"
                          " WHERE cv.container_id = ? AND v.anonymous = 1",
                          &st, err) < 0)
                return -1;
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        while (sqlite3_step(st) == SQLITE_ROW)
                strv_push(&anonymous, rc_db_text(st, 0));
        rc_stmt_finalizep(&st);
        if (rc_store_container_remove(s, id, err) < 0)
                return -1;
        for (size_t i = 0; anonymous[i]; i++) {
                rc_error *e = NULL;
                /* another container may have named it (-v NAME:/dir): then it stays */
                if (rc_store_volume_remove(s, anonymous[i], &e) < 0) {
                        if (rc_error_errno(e) != EBUSY && rc_error_errno(e) != ENOENT)
                                rc_warn("remove volume %s of container %.12s: %s", anonymous[i], id, e->msg);
                        rc_error_free(e);
                }
        }
        return 0;
}
