/* Store: blobs, layers, images, names, containers, clean-up. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/store.h"
#include "util/fs.h"
#include "util/xalloc.h"

struct fixture {
        char *root;
        struct rc_store *s;
};

static int setup(void **state)
{
        struct fixture *f = xcalloc(1, sizeof(*f));
        char tmpl[] = "/tmp/rc-test-store-XXXXXX";
        rc_error *err = NULL;

        assert_non_null(mkdtemp(tmpl));
        f->root = xasprintf("%s/store", tmpl);
        assert_int_equal(rc_store_open(f->root, NULL, &f->s, &err), 0);
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fixture *f = *state;
        rc_error *err = NULL;
        char *parent = xstrdup(f->root);

        *strrchr(parent, '/') = '\0';
        rc_store_close(f->s);
        assert_int_equal(rc_rm_rf(parent, &err), 0);
        free(parent);
        free(f->root);
        free(f);
        return 0;
}

/* Stage a layer directory containing one file and commit it. */
static void add_layer(struct fixture *f, const char *content, struct rc_layer *l)
{
        char *dir = NULL, *file;
        rc_error *err = NULL;
        char blob_digest[RC_DIGEST_LEN + 1];

        memset(l, 0, sizeof(*l));
        assert_int_equal(rc_store_blob_put(f->s, content, strlen(content), blob_digest, &err), 0);
        rc_sha256_digest(content, strlen(content), l->diff_id);
        memcpy(l->chain_id, l->diff_id, sizeof(l->chain_id));
        memcpy(l->blob_digest, blob_digest, sizeof(blob_digest));
        strcpy(l->media_type, "application/vnd.oci.image.layer.v1.tar");
        l->blob_size = l->tar_size = strlen(content);
        assert_int_equal(rc_store_mkdtemp(f->s, "layer", &dir, &err), 0);
        file = xasprintf("%s/file", dir);
        assert_int_equal(rc_write_file_atomic(file, content, strlen(content), 0644, &err), 0);
        assert_int_equal(rc_store_layer_commit(f->s, dir, l, &err), 0);
        free(file);
        free(dir);
}

static void add_image(struct fixture *f, const char *config, const struct rc_layer *l, const char *name,
                      struct rc_image *img)
{
        char *layers[2] = { (char *)l->chain_id, NULL };
        char *names[2] = { (char *)name, NULL };
        rc_error *err = NULL;

        memset(img, 0, sizeof(*img));
        assert_int_equal(rc_store_blob_put(f->s, config, strlen(config), img->config_digest, &err), 0);
        assert_int_equal(rc_store_blob_put(f->s, "{}", 2, img->manifest_digest, &err), 0);
        snprintf(img->id, sizeof(img->id), "%s", rc_digest_hex(img->config_digest));
        img->layers = layers;
        img->names = names;
        img->created = 1700000000;
        img->size = l->tar_size;
        assert_int_equal(rc_store_image_add(f->s, img, &err), 0);
        img->layers = NULL;
        img->names = NULL;
}

static void test_blob_roundtrip(void **state)
{
        struct fixture *f = *state;
        char digest[RC_DIGEST_LEN + 1];
        char *data = NULL;
        size_t len = 0;
        rc_error *err = NULL;

        assert_int_equal(rc_store_blob_put(f->s, "hello", 5, digest, &err), 0);
        assert_string_equal(digest, "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
        assert_true(rc_store_blob_exists(f->s, digest));
        assert_int_equal(rc_store_blob_read(f->s, digest, &data, &len, &err), 0);
        assert_int_equal(len, 5);
        assert_memory_equal(data, "hello", 5);
        free(data);
}

static void test_chain_id(void **state)
{
        char out[RC_DIGEST_LEN + 1], expect[RC_DIGEST_LEN + 1];
        const char *a = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
        const char *b = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
        char *joined = xasprintf("%s %s", a, b);

        (void)state;
        rc_layer_chain_id(NULL, a, out);
        assert_string_equal(out, a);
        rc_layer_chain_id(a, b, out);
        rc_sha256_digest(joined, strlen(joined), expect);
        assert_string_equal(out, expect);
        free(joined);
}

static void test_layer_commit_twice_keeps_one(void **state)
{
        struct fixture *f = *state;
        struct rc_layer l, got;
        rc_error *err = NULL;
        char *dir;
        struct stat st;

        add_layer(f, "layer-content", &l);
        /* a second commit of the same chain id discards the staged copy */
        add_layer(f, "layer-content", &l);
        assert_true(rc_store_layer_exists(f->s, l.chain_id));
        assert_int_equal(rc_store_layer_get(f->s, l.chain_id, &got, &err), 0);
        assert_string_equal(got.diff_id, l.diff_id);
        dir = rc_store_layer_dir(f->s, l.chain_id);
        assert_int_equal(stat(dir, &st), 0);
        assert_true(S_ISDIR(st.st_mode));
        free(dir);
}

static void test_image_names_and_lookup(void **state)
{
        struct fixture *f = *state;
        struct rc_layer l;
        struct rc_image a, b, found;
        const char *names[] = { "localhost/app:latest", NULL };
        const char *other[] = { "localhost/nope:latest", NULL };
        char prefix[8];
        rc_error *err = NULL;

        add_layer(f, "base", &l);
        add_image(f, "{\"a\":1}", &l, "localhost/app:latest", &a);
        assert_int_equal(rc_store_image_find(f->s, names, NULL, &found, &err), 0);
        assert_string_equal(found.id, a.id);
        assert_int_equal(strv_len(found.layers), 1);
        rc_image_free(&found);

        snprintf(prefix, sizeof(prefix), "%.6s", a.id);
        assert_int_equal(rc_store_image_find(f->s, other, prefix, &found, &err), 0);
        assert_string_equal(found.id, a.id);
        rc_image_free(&found);

        assert_int_equal(rc_store_image_find(f->s, other, NULL, &found, &err), -1);
        assert_int_equal(rc_error_errno(err), ENOENT);
        rc_error_free(err);
        err = NULL;

        /* the name moves to a new image; the old one keeps existing, unnamed */
        add_image(f, "{\"a\":2}", &l, "localhost/app:latest", &b);
        assert_int_equal(rc_store_image_find(f->s, names, NULL, &found, &err), 0);
        assert_string_equal(found.id, b.id);
        rc_image_free(&found);
}

static void test_remove_keeps_shared_layer(void **state)
{
        struct fixture *f = *state;
        struct rc_layer l;
        struct rc_image a, b;
        bool deleted = false;
        rc_error *err = NULL;
        char *dir;

        add_layer(f, "shared", &l);
        add_image(f, "{\"x\":1}", &l, "localhost/a:1", &a);
        add_image(f, "{\"x\":2}", &l, "localhost/b:1", &b);
        assert_int_equal(rc_store_image_remove(f->s, a.id, NULL, false, &deleted, &err), 0);
        assert_true(deleted);
        assert_true(rc_store_layer_exists(f->s, l.chain_id));
        assert_false(rc_store_blob_exists(f->s, a.config_digest));
        assert_int_equal(rc_store_image_remove(f->s, b.id, "localhost/b:1", false, &deleted, &err), 0);
        assert_true(deleted);
        assert_false(rc_store_layer_exists(f->s, l.chain_id));
        dir = rc_store_layer_dir(f->s, l.chain_id);
        assert_false(rc_path_exists(dir));
        free(dir);
        assert_false(rc_store_blob_exists(f->s, l.blob_digest));
}

static void test_container_name_unique_and_busy_image(void **state)
{
        struct fixture *f = *state;
        struct rc_layer l;
        struct rc_image img;
        struct rc_container_rec c = { 0 };
        bool deleted = false;
        rc_error *err = NULL;

        add_layer(f, "c", &l);
        add_image(f, "{\"c\":1}", &l, "localhost/c:1", &img);
        memset(c.id, 'a', RC_DIGEST_HEX_LEN);
        c.name = "web";
        memcpy(c.image_id, img.id, sizeof(c.image_id));
        c.image_name = "localhost/c:1";
        c.driver = "overlay";
        c.monitor_pid = getpid();
        c.monitor_start = rc_process_start_time(getpid());
        assert_int_equal(rc_store_container_add(f->s, &c, &err), 0);
        memset(c.id, 'b', RC_DIGEST_HEX_LEN);
        assert_int_equal(rc_store_container_add(f->s, &c, &err), -1);
        assert_int_equal(rc_error_errno(err), EEXIST);
        assert_non_null(strstr(err->msg, "\"web\""));
        rc_error_free(err);
        err = NULL;

        /* a running container (our own pid) blocks removal, even forced */
        assert_int_equal(rc_store_image_remove(f->s, img.id, NULL, true, &deleted, &err), -1);
        assert_int_equal(rc_error_errno(err), EBUSY);
        rc_error_free(err);
        err = NULL;
        memset(c.id, 'a', RC_DIGEST_HEX_LEN);
        assert_int_equal(rc_store_container_remove(f->s, c.id, &err), 0);
        assert_int_equal(rc_store_image_remove(f->s, img.id, NULL, false, &deleted, &err), 0);
        assert_true(deleted);
}

static void test_gc_removes_dead_leftovers(void **state)
{
        struct fixture *f = *state;
        struct rc_layer l;
        struct rc_image img;
        struct rc_container_rec c = { 0 };
        rc_error *err = NULL;
        char *orphan = xasprintf("%s/layers/%064d", f->root, 0);
        char *stale_tmp = xasprintf("%s/tmp/layer-999999999-abcdef", f->root);
        char *cdir;

        add_layer(f, "g", &l);
        add_image(f, "{\"g\":1}", &l, "localhost/g:1", &img);
        memset(c.id, 'c', RC_DIGEST_HEX_LEN);
        c.name = "gone";
        memcpy(c.image_id, img.id, sizeof(c.image_id));
        c.auto_remove = true;
        c.monitor_pid = 999999999; /* no such process */
        assert_int_equal(rc_store_container_add(f->s, &c, &err), 0);
        cdir = rc_store_container_dir(f->s, c.id);
        assert_int_equal(mkdir(cdir, 0700), 0);
        assert_int_equal(mkdir(orphan, 0700), 0);
        assert_int_equal(mkdir(stale_tmp, 0700), 0);

        assert_int_equal(rc_store_gc(f->s, &err), 0);
        assert_false(rc_path_exists(cdir));
        assert_false(rc_path_exists(orphan));
        assert_false(rc_path_exists(stale_tmp));
        assert_true(rc_store_layer_exists(f->s, l.chain_id));
        free(cdir);
        free(orphan);
        free(stale_tmp);
}


/* A store written by rc with schema 1 opens, and gains what schemas 2 to 4 added. */
static void test_schema_1_store_migrates(void **state)
{
        static const char v1[] =
        "CREATE TABLE IF NOT EXISTS layers(chain_id TEXT PRIMARY KEY, diff_id TEXT NOT NULL, parent TEXT NOT NULL, blob_digest TEXT NOT NULL, media_type TEXT NOT NULL, blob_size INTEGER NOT NULL, tar_size INTEGER NOT NULL);"
        "CREATE TABLE IF NOT EXISTS images(id TEXT PRIMARY KEY, config_digest TEXT NOT NULL, manifest_digest TEXT NOT NULL, created INTEGER NOT NULL, size INTEGER NOT NULL);"
        "CREATE TABLE IF NOT EXISTS image_layers(image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE, idx INTEGER NOT NULL, chain_id TEXT NOT NULL REFERENCES layers(chain_id), PRIMARY KEY(image_id, idx));"
        "CREATE INDEX IF NOT EXISTS image_layers_chain ON image_layers(chain_id);"
        "CREATE TABLE IF NOT EXISTS names(name TEXT PRIMARY KEY, image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE);"
        "CREATE TABLE IF NOT EXISTS containers(id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, image_id TEXT NOT NULL, image_name TEXT, state TEXT NOT NULL, driver TEXT, created INTEGER NOT NULL, auto_remove INTEGER NOT NULL, monitor_pid INTEGER, monitor_start INTEGER, exit_code INTEGER);"
        "PRAGMA user_version = 1;";
        char tmpl[] = "/tmp/rc-test-store-XXXXXX";
        char *root, *db_path;
        sqlite3 *db = NULL;
        sqlite3_stmt *st = NULL;
        struct rc_store *s = NULL;
        rc_error *err = NULL;

        (void)state;
        assert_non_null(mkdtemp(tmpl));
        root = xasprintf("%s/store", tmpl);
        assert_int_equal(mkdir(root, 0700), 0);
        db_path = xasprintf("%s/store.db", root);
        assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
        assert_int_equal(sqlite3_exec(db,  v1, NULL, NULL, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_exec(db, "INSERT INTO images VALUES('ab', 'sha256:ab', 'sha256:cd', 1, 2);"
                                          "INSERT INTO names VALUES('localhost/old:latest', 'ab');"
                                          "INSERT INTO containers VALUES('cd', 'old', 'ab', 'x', 'exited', 'vfs', 5, 0,"
                                          " 1, 2, 3);",
                                          NULL, NULL, NULL),
                         SQLITE_OK);
        sqlite3_close(db);

        assert_int_equal(rc_store_open(root, NULL, &s, &err), 0);
        assert_int_equal(rc_store_blob_source_add(s, "sha256:ab", "r.example", "a/b", &err), 0);
        {
                /* a container of schema 1 reads back with the new fields empty */
                struct rc_container_rec c;
                assert_int_equal(rc_store_container_find(s, "old", &c, &err), 0);
                assert_int_equal(c.exit_code, 3);
                assert_int_equal(c.pid, 0);
                assert_int_equal(c.started_at, 0);
                assert_false(c.stop_requested);
                assert_string_equal(c.labels, "");
                assert_string_equal(rc_container_rec_status(&c), "exited");
                rc_container_rec_free(&c);
        }
        {
                /* and it can use volumes (schema 4) */
                struct rc_volume_rec v = { .name = "data", .created = 7 };
                assert_int_equal(rc_store_volume_add(s, &v, &err), 0);
        }
        rc_store_close(s);
        assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_int_equal(sqlite3_column_int(st, 0), 5);
        sqlite3_finalize(st);
        /* the old name is kept and has no manifest of its own */
        assert_int_equal(sqlite3_prepare_v2(db, "SELECT manifest_digest FROM names WHERE name = 'localhost/old:latest'",
                                            -1, &st, NULL),
                         SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_int_equal(sqlite3_column_type(st, 0), SQLITE_NULL);
        sqlite3_finalize(st);
        sqlite3_close(db);
        assert_int_equal(rc_rm_rf(tmpl, &err), 0);
        free(db_path);
        free(root);
}

/* One image (one config) pulled under two names as two manifests: each name
 * finds its own manifest; the manifests go with the image. */
static void test_name_keeps_its_manifest(void **state)
{
        struct fixture *f = *state;
        struct rc_layer l;
        struct rc_image img, got;
        char other[RC_DIGEST_LEN + 1];
        const char *names[2] = { NULL, NULL };
        char *blobs[2] = { other, NULL };
        bool deleted = false;
        rc_error *err = NULL;

        add_layer(f, "shared", &l);
        add_image(f, "{\"a\":1}", &l, "r.example/a:oci", &img);
        assert_int_equal(rc_store_blob_put(f->s, "{\"v2s2\":1}", 10, other, &err), 0);
        img.blobs = blobs;
        memcpy(img.manifest_digest, other, sizeof(other));
        {
                char *layers[2] = { l.chain_id, NULL };
                char *n2[2] = { (char *)"r.example/a:v2s2", NULL };
                img.layers = layers;
                img.names = n2;
                assert_int_equal(rc_store_image_add(f->s, &img, &err), 0);
                img.layers = img.names = NULL;
                img.blobs = NULL;
        }
        names[0] = "r.example/a:v2s2";
        assert_int_equal(rc_store_image_find(f->s, names, NULL, &got, &err), 0);
        assert_string_equal(got.manifest_digest, other);
        rc_image_free(&got);
        names[0] = "r.example/a:oci";
        assert_int_equal(rc_store_image_find(f->s, names, NULL, &got, &err), 0);
        assert_string_not_equal(got.manifest_digest, other);
        rc_image_free(&got);
        /* a tag takes the manifest it is given */
        assert_int_equal(rc_store_image_name_add(f->s, img.id, "r.example/b:1", other, &err), 0);
        names[0] = "r.example/b:1";
        assert_int_equal(rc_store_image_find(f->s, names, NULL, &got, &err), 0);
        assert_string_equal(got.manifest_digest, other);
        rc_image_free(&got);
        /* removing the image removes the blobs only it needed */
        assert_true(rc_store_blob_exists(f->s, other));
        assert_int_equal(rc_store_image_remove(f->s, img.id, NULL, false, &deleted, &err), 0);
        assert_true(deleted);
        assert_false(rc_store_blob_exists(f->s, other));
        assert_false(rc_store_blob_exists(f->s, l.blob_digest));
}

static void test_blob_sources(void **state)
{
        struct fixture *f = *state;
        const char *d = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
        char *repo = NULL;
        rc_error *err = NULL;

        assert_int_equal(rc_store_blob_source_find(f->s, d, "r.example", "x/y", &repo, &err), 0);
        assert_int_equal(rc_store_blob_source_add(f->s, d, "r.example", "x/y", &err), 0);
        assert_int_equal(rc_store_blob_source_add(f->s, d, "r.example", "x/y", &err), 0); /* twice is fine */
        /* the repository pushed to is not a source for itself */
        assert_int_equal(rc_store_blob_source_find(f->s, d, "r.example", "x/y", &repo, &err), 0);
        assert_int_equal(rc_store_blob_source_find(f->s, d, "other.example", "z", &repo, &err), 0);
        assert_int_equal(rc_store_blob_source_find(f->s, d, "r.example", "z", &repo, &err), 1);
        assert_string_equal(repo, "x/y");
        free(repo);
}

static void add_container_using(struct fixture *f, const char *id, const char *name, char **volumes)
{
        struct rc_container_rec c = { 0 };
        rc_error *err = NULL;

        strcpy(c.id, id);
        c.name = (char *)name;
        strcpy(c.image_id, "ab");
        c.image_name = "x";
        c.state = "created";
        c.driver = "vfs";
        c.labels = "{\"a\":\"b\"}";
        c.volumes = volumes;
        assert_int_equal(rc_store_container_add(f->s, &c, &err), 0);
}

/* Volumes: a directory and a record; in use they stay; a container's
 * anonymous volumes go with it when asked. */
static void test_volumes(void **state)
{
        struct fixture *f = *state;
        struct rc_volume_rec v = { .name = "data", .created = 5, .labels = "{\"k\":\"v\"}" }, got = { 0 };
        struct rc_volume_rec anon = { .name = "0123abcd", .created = 6, .anonymous = true };
        struct rc_volume_rec *list = NULL;
        struct rc_container_rec c;
        char *uses[] = { "data", "0123abcd", NULL }, *missing[] = { "nope", NULL };
        char *dir = rc_store_volume_dir(f->s, "data"), **users = NULL;
        rc_error *err = NULL;
        struct stat st;
        size_t n;

        assert_int_equal(rc_store_volume_add(f->s, &v, &err), 0);
        assert_int_equal(stat(dir, &st), 0);
        assert_true(S_ISDIR(st.st_mode));
        assert_int_equal(st.st_mode & 07777, 0755);
        /* a name is taken once; a name is never a path */
        assert_int_equal(rc_store_volume_add(f->s, &v, &err), -1);
        assert_int_equal(rc_error_errno(err), EEXIST);
        rc_error_free(err);
        err = NULL;
        v.name = "../escape";
        assert_int_equal(rc_store_volume_add(f->s, &v, &err), -1);
        assert_int_equal(rc_error_errno(err), EINVAL);
        rc_error_free(err);
        err = NULL;
        assert_int_equal(rc_store_volume_add(f->s, &anon, &err), 0);
        assert_int_equal(rc_store_volume_get(f->s, "data", &got, &err), 0);
        assert_string_equal(got.labels, "{\"k\":\"v\"}");
        assert_true(got.needs_copy_up);
        assert_false(got.anonymous);
        rc_volume_rec_free(&got);
        assert_int_equal(rc_store_volume_list(f->s, &list, &n, &err), 0);
        assert_int_equal(n, 2);
        assert_string_equal(list[0].name, "0123abcd");
        rc_volume_rec_list_free(list, n);
        /* the first use is claimed once */
        assert_int_equal(rc_store_volume_claim_first_use(f->s, "data", &err), 1);
        assert_int_equal(rc_store_volume_claim_first_use(f->s, "data", &err), 0);

        /* a container cannot name a volume that does not exist */
        {
                struct rc_container_rec bad = { .name = "bad", .image_name = "x", .state = "created",
                                                .driver = "vfs", .volumes = missing };
                strcpy(bad.id, "ee");
                strcpy(bad.image_id, "ab");
                assert_int_equal(rc_store_container_add(f->s, &bad, &err), -1);
                assert_int_equal(rc_error_errno(err), ENOENT);
                rc_error_free(err);
                err = NULL;
                assert_int_equal(rc_store_container_find(f->s, "bad", &c, &err), -1);
                rc_error_free(err);
                err = NULL;
        }
        add_container_using(f, "c1", "one", uses);
        add_container_using(f, "c2", "two", (char *[]){ "data", NULL });
        assert_int_equal(rc_store_container_find(f->s, "one", &c, &err), 0);
        assert_string_equal(c.labels, "{\"a\":\"b\"}");
        rc_container_rec_free(&c);
        assert_int_equal(rc_store_volume_users(f->s, "data", &users, &err), 0);
        assert_int_equal(strv_len(users), 2);
        strv_free(users);
        /* in use: refused, with the container named */
        assert_int_equal(rc_store_volume_remove(f->s, "data", &err), -1);
        assert_int_equal(rc_error_errno(err), EBUSY);
        assert_non_null(strstr(err->msg, "one"));
        rc_error_free(err);
        err = NULL;
        /* the container goes with its anonymous volume, the named one stays */
        assert_int_equal(rc_store_container_remove_with_volumes(f->s, "c1", &err), 0);
        assert_int_equal(rc_store_volume_get(f->s, "0123abcd", &got, &err), -1);
        assert_int_equal(rc_error_errno(err), ENOENT);
        rc_error_free(err);
        err = NULL;
        assert_int_equal(rc_store_volume_get(f->s, "data", &got, &err), 0);
        rc_volume_rec_free(&got);
        assert_int_equal(rc_store_container_remove(f->s, "c2", &err), 0);
        assert_int_equal(rc_store_volume_remove(f->s, "data", &err), 0);
        assert_int_equal(stat(dir, &st), -1);
        assert_int_equal(rc_store_volume_remove(f->s, "data", &err), -1);
        assert_int_equal(rc_error_errno(err), ENOENT);
        rc_error_free(err);
        free(dir);
}

/* A volume directory without a record (a crash between rename and commit)
 * is removed by gc; one with a record is kept. */
static void test_gc_volumes(void **state)
{
        struct fixture *f = *state;
        struct rc_volume_rec v = { .name = "kept", .created = 1 };
        char *orphan = xasprintf("%s/volumes/orphan/_data", f->root);
        char *kept = rc_store_volume_dir(f->s, "kept");
        rc_error *err = NULL;
        struct stat st;

        assert_int_equal(rc_store_volume_add(f->s, &v, &err), 0);
        assert_int_equal(rc_mkdir_p(orphan, 0700, &err), 0);
        assert_int_equal(rc_store_gc(f->s, &err), 0);
        assert_int_equal(stat(orphan, &st), -1);
        assert_int_equal(stat(kept, &st), 0);
        free(orphan);
        free(kept);
}

/* Build steps: cached by key, kept with their image, gone with it; an
 * unnamed image that only steps made is intermediate. */
static void test_build_cache(void **state)
{
        struct fixture *f = *state;
        struct rc_layer l;
        struct rc_image step, result;
        bool deleted = false;
        rc_error *err = NULL;
        char id[RC_DIGEST_HEX_LEN + 1];

        add_layer(f, "built", &l);
        add_image(f, "{\"step\":1}", &l, NULL, &step);
        add_image(f, "{\"step\":2}", &l, NULL, &result);
        assert_int_equal(rc_store_build_cache_get(f->s, "k1", id, &err), 0);
        assert_int_equal(rc_store_build_cache_put(f->s, "k1", step.id, false, &err), 0);
        assert_int_equal(rc_store_build_cache_put(f->s, "k2", result.id, true, &err), 0);
        assert_int_equal(rc_store_build_cache_get(f->s, "k1", id, &err), 1);
        assert_string_equal(id, step.id);
        assert_true(rc_store_image_intermediate(f->s, step.id));
        /* a build's result is not intermediate, nor a step that got a name */
        assert_false(rc_store_image_intermediate(f->s, result.id));
        assert_int_equal(rc_store_image_name_add(f->s, step.id, "localhost/tagged:1", NULL, &err), 0);
        assert_false(rc_store_image_intermediate(f->s, step.id));
        /* a step whose image was removed is not cached any more */
        assert_int_equal(rc_store_image_remove(f->s, step.id, NULL, false, &deleted, &err), 0);
        assert_true(deleted);
        assert_int_equal(rc_store_build_cache_get(f->s, "k1", id, &err), 0);
        assert_int_equal(rc_store_build_cache_get(f->s, "k2", id, &err), 1);
        assert_string_equal(id, result.id);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_blob_roundtrip, setup, teardown),
                cmocka_unit_test(test_chain_id),
                cmocka_unit_test_setup_teardown(test_layer_commit_twice_keeps_one, setup, teardown),
                cmocka_unit_test_setup_teardown(test_image_names_and_lookup, setup, teardown),
                cmocka_unit_test_setup_teardown(test_remove_keeps_shared_layer, setup, teardown),
                cmocka_unit_test_setup_teardown(test_container_name_unique_and_busy_image, setup, teardown),
                cmocka_unit_test_setup_teardown(test_gc_removes_dead_leftovers, setup, teardown),
                cmocka_unit_test(test_schema_1_store_migrates),
                cmocka_unit_test_setup_teardown(test_name_keeps_its_manifest, setup, teardown),
                cmocka_unit_test_setup_teardown(test_blob_sources, setup, teardown),
                cmocka_unit_test_setup_teardown(test_volumes, setup, teardown),
                cmocka_unit_test_setup_teardown(test_gc_volumes, setup, teardown),
                cmocka_unit_test_setup_teardown(test_build_cache, setup, teardown),
        };
        return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
