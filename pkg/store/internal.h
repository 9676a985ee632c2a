/* Internal to pkg/store: the handle and SQLite helpers. */
#ifndef RC_STORE_INTERNAL_H
#define RC_STORE_INTERNAL_H

#include <sqlite3.h>

#include "store/store.h"

struct rc_store {
        char *root;
        char *run_root; /* NULL: root */
        int root_fd;
        sqlite3 *db;
        uint64_t max_layer_size; /* 0: no limit */
};

void rc_stmt_finalizep(sqlite3_stmt **st);
#define cleanup_stmt __attribute__((cleanup(rc_stmt_finalizep)))

int rc_db_error(struct rc_store *s, rc_error **err, const char *what);
int rc_db_exec(struct rc_store *s, const char *sql, rc_error **err);
int rc_db_prepare(struct rc_store *s, const char *sql, sqlite3_stmt **st, rc_error **err);
/* BEGIN IMMEDIATE: take the write lock now, so a transaction that reads
 * then writes cannot fail half-way with SQLITE_BUSY. */
int rc_db_begin(struct rc_store *s, rc_error **err);
int rc_db_commit(struct rc_store *s, rc_error **err);
void rc_db_rollback(struct rc_store *s);
/* Rolls back unless committed (*active cleared by rc_db_commit callers). */
const char *rc_db_text(sqlite3_stmt *st, int col);

/* Is the rc process that recorded (pid, start time) still alive? */
static inline bool rc_monitor_alive(pid_t pid, uint64_t start)
{
        uint64_t now = pid > 0 ? rc_process_start_time(pid) : 0;
        return now != 0 && now == start;
}

/* Move a directory below the store to tmp/ (so a crash leaves it to gc) and
 * remove it.  Fails only if it cannot be moved; what cannot be removed
 * once moved is a leftover (rc_store_leftover). */
int rc_store_discard_dir(struct rc_store *s, const char *path, rc_error **err);

/* tmp/NAME could not be removed (why): move it to leftovers/, where gc
 * does not look, and warn once with the command that removes it. */
void rc_store_leftover(struct rc_store *s, const char *tmp_name, const rc_error *why);

/* volumes.c: volume directories without a record (a create that crashed
 * between its rename and its commit) are removed, under the write lock. */
void rc_store_gc_volumes(struct rc_store *s);

#endif
