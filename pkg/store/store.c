/* Opening the store, its schema, staging directories and garbage collection. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/internal.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/xalloc.h"

#define SCHEMA_VERSION 5

static const char schema[] =
        "CREATE TABLE IF NOT EXISTS layers(chain_id TEXT PRIMARY KEY, diff_id TEXT NOT NULL,"
        " parent TEXT NOT NULL, blob_digest TEXT NOT NULL, media_type TEXT NOT NULL,"
        " blob_size INTEGER NOT NULL, tar_size INTEGER NOT NULL);"
        "CREATE TABLE IF NOT EXISTS images(id TEXT PRIMARY KEY, config_digest TEXT NOT NULL,"
        " manifest_digest TEXT NOT NULL, created INTEGER NOT NULL, size INTEGER NOT NULL);"
        "CREATE TABLE IF NOT EXISTS image_layers(image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,"
        " idx INTEGER NOT NULL, chain_id TEXT NOT NULL REFERENCES layers(chain_id), PRIMARY KEY(image_id, idx));"
        "CREATE INDEX IF NOT EXISTS image_layers_chain ON image_layers(chain_id);"
        "CREATE TABLE IF NOT EXISTS names(name TEXT PRIMARY KEY,"
        " image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE, manifest_digest TEXT);"
        "CREATE TABLE IF NOT EXISTS containers(id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
        " image_id TEXT NOT NULL, image_name TEXT, state TEXT NOT NULL, driver TEXT, created INTEGER NOT NULL,"
        " auto_remove INTEGER NOT NULL, monitor_pid INTEGER, monitor_start INTEGER, exit_code INTEGER);"
        "PRAGMA user_version = 1;";

/* Tables added in schema 2; also run on a schema 1 store. */
static const char schema_v2[] =
        /* v2: the blobs of an image's own manifest, which can differ from its
         * layers' when a layer was already stored from another blob */
        "CREATE TABLE IF NOT EXISTS image_blobs(image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,"
        " digest TEXT NOT NULL, PRIMARY KEY(image_id, digest));"
        "CREATE INDEX IF NOT EXISTS image_blobs_digest ON image_blobs(digest);"
        /* v2: where blobs came from, for cross-repository mounts on push */
        "CREATE TABLE IF NOT EXISTS blob_sources(digest TEXT NOT NULL, registry TEXT NOT NULL, repo TEXT NOT NULL,"
        " PRIMARY KEY(digest, registry, repo));"
        "PRAGMA user_version = 2;";

/* v3: what a detached container's monitor records: the container's process
 * (pid and start time, to tell pid reuse), when it started and finished,
 * how often its restart policy restarted it, and whether a user asked it to
 * stop (so the policy does not restart it). */
static const char schema_v3[] =
        "ALTER TABLE containers ADD COLUMN pid INTEGER NOT NULL DEFAULT 0;"
        "ALTER TABLE containers ADD COLUMN pid_start INTEGER NOT NULL DEFAULT 0;"
        "ALTER TABLE containers ADD COLUMN started_at INTEGER NOT NULL DEFAULT 0;"
        "ALTER TABLE containers ADD COLUMN finished_at INTEGER NOT NULL DEFAULT 0;"
        "ALTER TABLE containers ADD COLUMN restart_count INTEGER NOT NULL DEFAULT 0;"
        "ALTER TABLE containers ADD COLUMN stop_requested INTEGER NOT NULL DEFAULT 0;"
        "ALTER TABLE containers ADD COLUMN command TEXT NOT NULL DEFAULT '';"
        "PRAGMA user_version = 3;";

/* v4: volumes (volumes/NAME/_data) and which containers use them, and a
 * container's labels (a JSON object, for rc ps without reading its
 * create options).  A volume a container uses cannot be deleted: the
 * reference has no ON DELETE, so the database itself refuses. */
static const char schema_v4[] =
        "CREATE TABLE IF NOT EXISTS volumes(name TEXT PRIMARY KEY, created INTEGER NOT NULL,"
        " labels TEXT NOT NULL DEFAULT '', anonymous INTEGER NOT NULL DEFAULT 0,"
        " needs_copy_up INTEGER NOT NULL DEFAULT 1);"
        "CREATE TABLE IF NOT EXISTS container_volumes("
        " container_id TEXT NOT NULL REFERENCES containers(id) ON DELETE CASCADE,"
        " volume TEXT NOT NULL REFERENCES volumes(name), PRIMARY KEY(container_id, volume));"
        "CREATE INDEX IF NOT EXISTS container_volumes_volume ON container_volumes(volume);"
        "ALTER TABLE containers ADD COLUMN labels TEXT NOT NULL DEFAULT '';"
        "PRAGMA user_version = 4;";

/* v5: the build cache: a build step's key (its parent, its instruction
 * with variables expanded, the digest of what it copies) and the image it
 * made.  Rows go with their image. */
static const char schema_v5[] =
        "CREATE TABLE IF NOT EXISTS build_cache(key TEXT PRIMARY KEY,"
        " image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE, final INTEGER NOT NULL,"
        " created INTEGER NOT NULL);"
        "CREATE INDEX IF NOT EXISTS build_cache_image ON build_cache(image_id);"
        "PRAGMA user_version = 5;";

void rc_stmt_finalizep(sqlite3_stmt **st)
{
        if (*st)
                sqlite3_finalize(*st);
        *st = NULL;
}

int rc_db_error(struct rc_store *s, rc_error **err, const char *what)
{
        int code = sqlite3_errcode(s->db);
        int e = code == SQLITE_FULL ? ENOSPC : code == SQLITE_BUSY ? EBUSY : code == SQLITE_READONLY ? EROFS : EIO;

        rc_error_set(err, 0, "store database %s/store.db: %s: %s", s->root, what, sqlite3_errmsg(s->db));
        if (err && *err)
                (*err)->errnum = e;
        return -1;
}

int rc_db_exec(struct rc_store *s, const char *sql, rc_error **err)
{
        if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
                return rc_db_error(s, err, sql);
        return 0;
}

int rc_db_prepare(struct rc_store *s, const char *sql, sqlite3_stmt **st, rc_error **err)
{
        if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK)
                return rc_db_error(s, err, "prepare");
        return 0;
}

int rc_db_begin(struct rc_store *s, rc_error **err)
{
        return rc_db_exec(s, "BEGIN IMMEDIATE", err);
}

int rc_db_commit(struct rc_store *s, rc_error **err)
{
        if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
                rc_db_error(s, err, "commit");
                rc_db_rollback(s);
                return -1;
        }
        return 0;
}

void rc_db_rollback(struct rc_store *s)
{
        if (!sqlite3_get_autocommit(s->db))
                sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

const char *rc_db_text(sqlite3_stmt *st, int col)
{
        const unsigned char *t = sqlite3_column_text(st, col);
        return t ? (const char *)t : "";
}

/* Whether the database file says it is in WAL mode already (its header's
 * read and write format versions are 2): setting the mode again costs a
 * lock round trip at every open. */
static bool already_wal(int root_fd)
{
        unsigned char h[20];
        cleanup_close int fd = openat(root_fd, "store.db", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

        return fd >= 0 && pread(fd, h, sizeof(h), 0) == (ssize_t)sizeof(h) &&
               memcmp(h, "SQLite format 3", 16) == 0 && h[18] == 2 && h[19] == 2;
}

static int open_db(struct rc_store *s, rc_error **err)
{
        cleanup_free char *path = xasprintf("%s/store.db", s->root);
        sqlite3_stmt *st = NULL;
        int version = 0;

        if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) !=
            SQLITE_OK) {
                rc_error_set(err, 0, "open store database %s: %s", path,
                             s->db ? sqlite3_errmsg(s->db) : "out of memory");
                return -1;
        }
        sqlite3_busy_timeout(s->db, 60000);
        /* Keep store.db-wal between commands (emptied, not deleted, by the
         * checkpoint at close): creating it anew costs an fsync of the store
         * directory in every command that writes. */
        sqlite3_file_control(s->db, "main", SQLITE_FCNTL_PERSIST_WAL, &(int){ 1 });
        /* No checkpoint at close: it cost every writing command four syncs
         * (the WAL, the database, then the WAL's header and the directory
         * again at the next write, once it was emptied).  The WAL is folded
         * into the database by SQLite's automatic checkpoint once it holds
         * 64 pages instead: small, because the first connection of every
         * command rebuilds the log's index by reading it whole (at 256
         * pages, a third of rc run's store open); what is committed is as
         * safe either way. */
        sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
        /* WAL: readers never block the writer; synchronous=NORMAL keeps the
         * database consistent across crashes (only the last commits may be
         * lost on power failure) without an fsync per commit. */
        if ((!already_wal(s->root_fd) && rc_db_exec(s, "PRAGMA journal_mode=WAL;", err) < 0) ||
            rc_db_exec(s,
                       "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA journal_size_limit=1048576; "
                       "PRAGMA wal_autocheckpoint=64;",
                       err) < 0)
                return -1;
        if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW)
                version = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
        if (version > SCHEMA_VERSION)
                return rc_error_set(err, 0,
                                    "store %s was written by a newer rc (schema %d, this rc knows %d): upgrade rc",
                                    s->root, version, SCHEMA_VERSION);
        if (version < SCHEMA_VERSION) {
                if (rc_db_begin(s, err) < 0)
                        return -1;
                /* names.manifest_digest (v2): the manifest a name was pulled as; one
                 * image (config) can come with several manifests */
                if ((version == 0 && rc_db_exec(s, schema, err) < 0) ||
                    (version == 1 && rc_db_exec(s, "ALTER TABLE names ADD COLUMN manifest_digest TEXT;", err) < 0) ||
                    (version < 2 && rc_db_exec(s, schema_v2, err) < 0) ||
                    (version < 3 && rc_db_exec(s, schema_v3, err) < 0) ||
                    (version < 4 && rc_db_exec(s, schema_v4, err) < 0) || rc_db_exec(s, schema_v5, err) < 0) {
                        rc_db_rollback(s);
                        return -1;
                }
                if (rc_db_commit(s, err) < 0)
                        return -1;
        }
        return 0;
}

int rc_store_open(const char *root, const char *run_root, struct rc_store **out, rc_error **err)
{
        static const char *const subdirs[] = { "blobs", "blobs/sha256", "layers", "containers", "volumes", "tmp" };
        struct rc_store *s = xcalloc(1, sizeof(*s));
        cleanup_store struct rc_store *owned = s;

        s->root = xstrdup(root);
        s->run_root = run_root ? xstrdup(run_root) : NULL;
        s->root_fd = -1;
        if (rc_mkdir_p(root, 0700, err) < 0)
                return rc_error_wrap(err, "store");
        s->root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (s->root_fd < 0)
                return rc_error_set(err, errno, "open store %s", root);
        for (size_t i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++)
                if (mkdirat(s->root_fd, subdirs[i], 0700) < 0 && errno != EEXIST)
                        return rc_error_set(err, errno, "create %s/%s", root, subdirs[i]);
        if (open_db(s, err) < 0)
                return -1;
        *out = steal_pointer(&owned);
        return 0;
}

void rc_store_close(struct rc_store *s)
{
        if (s == NULL)
                return;
        if (s->db)
                sqlite3_close(s->db);
        if (s->root_fd >= 0)
                close(s->root_fd);
        free(s->root);
        free(s->run_root);
        free(s);
}

void rc_store_closep(struct rc_store **s)
{
        rc_store_close(*s);
        *s = NULL;
}

const char *rc_store_root(const struct rc_store *s)
{
        return s->root;
}

void rc_store_set_max_layer_size(struct rc_store *s, uint64_t bytes)
{
        s->max_layer_size = bytes;
}

uint64_t rc_store_max_layer_size(const struct rc_store *s)
{
        return s->max_layer_size;
}

int rc_store_mkdtemp(struct rc_store *s, const char *what, char **path, rc_error **err)
{
        char *p = xasprintf("%s/tmp/%s-%d-XXXXXX", s->root, what, (int)getpid());

        if (mkdtemp(p) == NULL) {
                int e = errno;
                free(p);
                return rc_error_set(err, e, "create staging directory in %s/tmp", s->root);
        }
        *path = p;
        return 0;
}

int rc_store_mkstemp(struct rc_store *s, const char *what, int *fd, char **path, rc_error **err)
{
        char *p = xasprintf("%s/tmp/%s-%d-XXXXXX", s->root, what, (int)getpid());
        int f = mkostemp(p, O_CLOEXEC);

        if (f < 0) {
                int e = errno;
                free(p);
                return rc_error_set(err, e, "create staging file in %s/tmp", s->root);
        }
        *fd = f;
        *path = p;
        return 0;
}

int rc_store_discard_dir(struct rc_store *s, const char *path, rc_error **err)
{
        const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
        cleanup_free char *tmp = xasprintf("%s/tmp/rm-%d-%.64s", s->root, (int)getpid(), base);
        rc_error *e = NULL;

        /* A name of its own under tmp/ (this pid's, so that clean-up knows
         * whose it is), taken by the rename itself: creating an empty
         * directory to rename over costs a file system two inodes. */
        if (renameat2(AT_FDCWD, path, AT_FDCWD, tmp, RENAME_NOREPLACE) < 0) {
                int en = errno;
                if (en == ENOENT)
                        return 0;
                if (en != EEXIST && en != EINVAL && en != ENOSYS)
                        return rc_error_set(err, en, "move %s out of the way", path);
                /* taken (or no RENAME_NOREPLACE here): a fresh name, and
                 * rename(2) replaces the empty directory mkdtemp made */
                free(tmp);
                tmp = xasprintf("%s/tmp/rm-%d-XXXXXX", s->root, (int)getpid());
                if (mkdtemp(tmp) == NULL)
                        return rc_error_set(err, errno, "create %s", tmp);
                if (rename(path, tmp) < 0) {
                        en = errno;
                        rmdir(tmp);
                        if (en == ENOENT)
                                return 0;
                        return rc_error_set(err, en, "move %s out of the way", path);
                }
        }
        /* It is out of the way: whatever stays behind is a leftover to
         * report, not a reason to fail the command. */
        if (rc_rm_rf(tmp, &e) < 0) {
                rc_store_leftover(s, strrchr(tmp, '/') + 1, e);
                rc_error_free(e);
        }
        return 0;
}

void rc_store_leftover(struct rc_store *s, const char *tmp_name, const rc_error *why)
{
        cleanup_free char *from = xasprintf("tmp/%s", tmp_name);
        cleanup_free char *to = xasprintf("leftovers/%s", tmp_name);
        const char *reason = why ? why->msg : "unknown error";

        if (mkdirat(s->root_fd, "leftovers", 0700) < 0 && errno != EEXIST) {
                rc_warn("store clean-up: cannot remove %s/%s (%s); remove it by hand: "
                        "unshare --user --map-auto --map-root-user rm -rf %s/%s",
                        s->root, from, reason, s->root, from);
                return;
        }
        /* Out of tmp/, gc does not try it again: reported once. */
        if (renameat(s->root_fd, from, s->root_fd, to) < 0) {
                if (errno == ENOENT)
                        return; /* another rc dealt with it */
                rc_warn("store clean-up: cannot remove %s/%s (%s); remove it by hand: "
                        "unshare --user --map-auto --map-root-user rm -rf %s/%s",
                        s->root, from, reason, s->root, from);
                return;
        }
        rc_warn("store clean-up: cannot remove %s/%s (%s); moved it to %s/%s and going on. It may hold files of "
                "your subordinate ids; remove it with: unshare --user --map-auto --map-root-user rm -rf %s/%s "
                "(or as root: rm -rf %s/%s)",
                s->root, from, reason, s->root, to, s->root, to, s->root, to);
}

uint64_t rc_process_start_time(pid_t pid)
{
        char path[64], buf[1024];
        cleanup_close int fd = -1;
        unsigned long long start = 0;
        ssize_t n;
        char *p;

        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return 0;
        n = read(fd, buf, sizeof(buf) - 1);
        if (n <= 0)
                return 0;
        buf[n] = '\0';
        /* comm may contain spaces and parentheses: fields restart after the last ')' */
        p = strrchr(buf, ')');
        if (p == NULL)
                return 0;
        /* after ") " come fields 3..; start time is field 22 */
        if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
                   &start) != 1)
                return 0;
        return start;
}

static bool pid_alive(pid_t pid)
{
        return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

/* tmp/NAME-PID-XXXXXX: the owner pid, or 0 if the name has another form. */
static pid_t staging_owner(const char *name)
{
        const char *end = strrchr(name, '-');
        const char *start;

        if (end == NULL || end == name)
                return 0;
        start = end - 1;
        while (start > name && start[-1] != '-')
                start--;
        if (start == name)
                return 0;
        return (pid_t)strtol(start, NULL, 10);
}

bool rc_store_has_dead_staging(const char *root)
{
        cleanup_free char *dir = xasprintf("%s/tmp", root);
        cleanup_closedir DIR *d = opendir(dir);
        struct dirent *de;

        if (d == NULL)
                return false;
        while ((de = readdir(d)) != NULL) {
                pid_t owner;
                if (de->d_name[0] == '.')
                        continue;
                owner = staging_owner(de->d_name);
                if (owner <= 0 || !pid_alive(owner))
                        return true;
        }
        return false;
}

static void gc_staging(struct rc_store *s)
{
        cleanup_free char *dir = xasprintf("%s/tmp", s->root);
        cleanup_closedir DIR *d = NULL;
        cleanup_close int dfd = openat(s->root_fd, "tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        cleanup_strv char **dead = NULL;
        struct dirent *de;

        if (dfd < 0 || (d = opendir(dir)) == NULL) {
                rc_warn("store clean-up: cannot read %s: %m", dir);
                return;
        }
        while ((de = readdir(d)) != NULL) {
                pid_t owner;
                if (de->d_name[0] == '.')
                        continue;
                owner = staging_owner(de->d_name);
                if (owner > 0 && pid_alive(owner))
                        continue;
                strv_push(&dead, de->d_name);
        }
        for (size_t i = 0; dead && dead[i]; i++) {
                rc_error *e = NULL;
                rc_debug("store: removing leftover staging entry tmp/%s", dead[i]);
                if (rc_rm_rf_at(dfd, dead[i], &e) < 0) {
                        rc_store_leftover(s, dead[i], e);
                        rc_error_free(e);
                }
        }
}

static void gc_containers(struct rc_store *s)
{
        cleanup_stmt sqlite3_stmt *st = NULL;
        cleanup_strv char **stale = NULL;
        rc_error *e = NULL;

        if (rc_db_prepare(s, "SELECT id, monitor_pid, monitor_start FROM containers WHERE auto_remove = 1 AND monitor_pid != 0", &st,
                          &e) < 0)
                goto fail;
        while (sqlite3_step(st) == SQLITE_ROW) {
                pid_t pid = (pid_t)sqlite3_column_int64(st, 1);
                uint64_t start = (uint64_t)sqlite3_column_int64(st, 2);
                if (rc_monitor_alive(pid, start))
                        continue;
                strv_push(&stale, rc_db_text(st, 0));
        }
        for (size_t i = 0; stale && stale[i]; i++) {
                rc_debug("store: removing container %.12s left by an rc that is gone", stale[i]);
                if (rc_store_container_remove_with_volumes(s, stale[i], &e) < 0)
                        goto fail;
        }
        return;
fail:
        rc_warn("store clean-up: %s", e->msg);
        rc_error_free(e);
}

static void gc_layers(struct rc_store *s)
{
        cleanup_free char *dir = xasprintf("%s/layers", s->root);
        cleanup_closedir DIR *d = NULL;
        cleanup_stmt sqlite3_stmt *st = NULL;
        cleanup_strv char **orphans = NULL, **moved = NULL;
        struct dirent *de;
        rc_error *e = NULL;

        if (rc_db_begin(s, &e) < 0)
                goto fail;
        d = opendir(dir);
        if (d == NULL) {
                rc_db_rollback(s);
                rc_error_set(&e, errno, "open %s", dir);
                goto fail;
        }
        if (rc_db_prepare(s, "SELECT 1 FROM layers WHERE chain_id = ?", &st, &e) < 0) {
                rc_db_rollback(s);
                goto fail;
        }
        while ((de = readdir(d)) != NULL) {
                cleanup_free char *chain = NULL;
                if (de->d_name[0] == '.')
                        continue;
                chain = xasprintf("sha256:%s", de->d_name);
                sqlite3_reset(st);
                sqlite3_bind_text(st, 1, chain, -1, SQLITE_STATIC);
                if (sqlite3_step(st) != SQLITE_ROW)
                        strv_push(&orphans, de->d_name);
        }
        /* Move orphans aside while holding the lock: no commit can be
         * recording them at the same time. */
        for (size_t i = 0; orphans && orphans[i]; i++) {
                cleanup_free char *p = xasprintf("%s/%s", dir, orphans[i]);
                cleanup_free char *tmp = xasprintf("rmlayer-%d-%s", (int)getpid(), orphans[i]);
                cleanup_free char *tmp_path = xasprintf("%s/tmp/%s", s->root, tmp);
                rc_debug("store: removing orphan layer directory %s", p);
                if (rename(p, tmp_path) == 0)
                        strv_push(&moved, tmp);
                else if (errno != ENOENT)
                        rc_warn("store clean-up: cannot move the orphan layer directory %s: %m", p);
        }
        rc_db_rollback(s);
        for (size_t i = 0; moved && moved[i]; i++) {
                cleanup_free char *tmp_path = xasprintf("%s/tmp/%s", s->root, moved[i]);
                if (rc_rm_rf(tmp_path, &e) < 0) {
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

int rc_store_gc(struct rc_store *s, rc_error **err)
{
        (void)err;
        gc_containers(s);
        gc_layers(s);
        rc_store_gc_volumes(s);
        gc_staging(s);
        return 0;
}
