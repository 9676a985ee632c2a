/* auth.json: lookup order, key matching, decoding, store and remove. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "registry/registry.h"
#include "util/fs.h"
#include "util/xalloc.h"

static char tmpdir[] = "/tmp/rc-authfile-XXXXXX";

/* base64("alice:s3cr:et") and friends. */
#define ALICE "YWxpY2U6czNjcjpldA=="  /* alice:s3cr:et */
#define BOB "Ym9iOmh1bnRlcjI="        /* bob:hunter2 */
#define CAROL "Y2Fyb2w6cHc="          /* carol:pw */
#define NOCOLON "bm9jb2xvbg=="        /* nocolon */
#define EMPTYUSER "OnB3"              /* :pw */

static char *path_in(const char *rel)
{
        return xasprintf("%s/%s", tmpdir, rel);
}

static void put(const char *rel, const char *content)
{
        char *p = path_in(rel), *dir = xstrdup(p);
        rc_error *err = NULL;

        *strrchr(dir, '/') = '\0';
        assert_int_equal(rc_mkdir_p(dir, 0700, &err), 0);
        assert_int_equal(rc_write_file(p, content, strlen(content), 0600, &err), 0);
        free(dir);
        free(p);
}

static int setup(void **state)
{
        (void)state;
        if (mkdtemp(tmpdir) == NULL)
                return -1;
        /* Isolate from the caller's real files. */
        unsetenv("REGISTRY_AUTH_FILE");
        unsetenv("XDG_CONFIG_HOME");
        unsetenv("DOCKER_CONFIG");
        {
                char *run = path_in("run"), *home = path_in("home");
                setenv("XDG_RUNTIME_DIR", run, 1);
                setenv("HOME", home, 1);
                free(run);
                free(home);
        }
        return 0;
}

static int teardown(void **state)
{
        rc_error *err = NULL;
        (void)state;
        rc_rm_rf(tmpdir, &err);
        rc_error_free(err);
        return 0;
}

static void expect(const char *file, const char *key, int want_rc, const char *want_user, const char *want_pass)
{
        char *user = NULL, *pass = NULL;
        rc_error *err = NULL;
        int rc = rc_authfile_lookup(file, key, &user, &pass, &err);

        if (rc != want_rc)
                fail_msg("lookup %s in %s: rc %d, want %d (%s)", key, file ? file : "(default)", rc, want_rc,
                         err ? err->msg : "");
        if (rc > 0) {
                assert_string_equal(user, want_user);
                assert_string_equal(pass, want_pass);
        }
        if (rc < 0) {
                /* Never the secret in an error. */
                assert_null(strstr(err->msg, "hunter2"));
                assert_null(strstr(err->msg, "s3cr"));
        }
        rc_error_free(err);
        rc_secret_free(user);
        rc_secret_free(pass);
}

static void test_explicit_file(void **state)
{
        char *f = path_in("explicit.json");
        (void)state;
        put("explicit.json", "{\"auths\": {\"quay.io\": {\"auth\": \"" ALICE "\"},"
                             " \"quay.io/org\": {\"auth\": \"" BOB "\"},"
                             " \"https://index.docker.io/v1/\": {\"auth\": \"" CAROL "\"},"
                             " \"localhost:5000\": {\"auth\": \"" BOB "\"},"
                             " \"only-token.io\": {\"identitytoken\": \"xyz\"}},"
                             " \"credHelpers\": {\"gcr.io\": \"gcloud\"}}");
        expect(f, "quay.io", 1, "alice", "s3cr:et");
        expect(f, "quay.io/other/app", 1, "alice", "s3cr:et");
        expect(f, "quay.io/org/app", 1, "bob", "hunter2"); /* most specific entry */
        expect(f, "quay.io/org", 1, "bob", "hunter2");
        expect(f, "quay.io/organisation/app", 1, "alice", "s3cr:et"); /* not a prefix match */
        expect(f, "docker.io", 1, "carol", "pw");
        expect(f, "docker.io/library/alpine", 1, "carol", "pw");
        expect(f, "index.docker.io", 1, "carol", "pw");
        expect(f, "localhost:5000/bb", 1, "bob", "hunter2");
        expect(f, "localhost", 0, NULL, NULL);
        expect(f, "only-token.io", 0, NULL, NULL);
        expect(f, "gcr.io", 0, NULL, NULL);
        free(f);
}

static void test_missing_and_empty(void **state)
{
        char *f = path_in("nope/auth.json"), *e = path_in("empty.json");
        (void)state;
        expect(f, "quay.io", 0, NULL, NULL);
        put("empty.json", "");
        expect(e, "quay.io", 0, NULL, NULL);
        put("empty.json", "{}");
        expect(e, "quay.io", 0, NULL, NULL);
        free(f);
        free(e);
}

static void test_malformed(void **state)
{
        char *f = path_in("bad.json");
        (void)state;
        put("bad.json", "{\"auths\": {\"quay.io\": {\"auth\": \"not base64!\"}}}");
        expect(f, "quay.io", -1, NULL, NULL);
        put("bad.json", "{\"auths\": {\"quay.io\": {\"auth\": \"" NOCOLON "\"}}}");
        expect(f, "quay.io", -1, NULL, NULL);
        put("bad.json", "{\"auths\": {\"quay.io\": {\"auth\": \"" EMPTYUSER "\"}}}");
        expect(f, "quay.io", -1, NULL, NULL);
        put("bad.json", "{\"auths\": {\"quay.io\": {\"auth\": \"Ym9iOmh1bnRlcjI\"}}}"); /* bad padding length */
        expect(f, "quay.io", 1, "bob", "hunter2");                                       /* unpadded is fine */
        put("bad.json", "{\"auths\": {\"quay.io\": {\"auth\": \"Ym9iOmh1bnRlcjI==\"}}}");
        expect(f, "quay.io", -1, NULL, NULL);
        put("bad.json", "{\"auths\": [1, 2]}");
        expect(f, "quay.io", -1, NULL, NULL);
        put("bad.json", "{\"auths\": {\"quay.io\": \"" BOB "\"}}");
        expect(f, "quay.io", -1, NULL, NULL);
        put("bad.json", "{\"auths\": {\"quay.io\": {\"auth\": \"" BOB "\"}");
        expect(f, "quay.io", -1, NULL, NULL);
        put("bad.json", "[]");
        expect(f, "quay.io", -1, NULL, NULL);
        /* The error names the file. */
        {
                char *u = NULL, *p = NULL;
                rc_error *err = NULL;
                assert_int_equal(rc_authfile_lookup(f, "quay.io", &u, &p, &err), -1);
                assert_non_null(strstr(err->msg, f));
                rc_error_free(err);
        }
        free(f);
}

static void test_default_order(void **state)
{
        char *docker = path_in("home/.docker/config.json");
        (void)state;
        /* Only docker's config. */
        put("home/.docker/config.json", "{\"auths\": {\"https://index.docker.io/v1/\": {\"auth\": \"" CAROL "\"},"
                                        " \"quay.io\": {\"auth\": \"" CAROL "\"}}}");
        expect(NULL, "docker.io", 1, "carol", "pw");
        /* ~/.config/containers/auth.json comes before it. */
        put("home/.config/containers/auth.json", "{\"auths\": {\"quay.io\": {\"auth\": \"" BOB "\"}}}");
        expect(NULL, "quay.io", 1, "bob", "hunter2");
        expect(NULL, "docker.io", 1, "carol", "pw"); /* first file with a match wins */
        /* $XDG_RUNTIME_DIR/containers/auth.json before that. */
        put("run/containers/auth.json", "{\"auths\": {\"quay.io\": {\"auth\": \"" ALICE "\"}}}");
        expect(NULL, "quay.io", 1, "alice", "s3cr:et");
        /* $REGISTRY_AUTH_FILE first of all. */
        put("env.json", "{\"auths\": {\"quay.io\": {\"auth\": \"" CAROL "\"}}}");
        {
                char *env = path_in("env.json");
                setenv("REGISTRY_AUTH_FILE", env, 1);
                expect(NULL, "quay.io", 1, "carol", "pw");
                unsetenv("REGISTRY_AUTH_FILE");
                free(env);
        }
        /* DOCKER_CONFIG moves docker's file. */
        {
                char *dc = path_in("dockercfg");
                put("dockercfg/config.json", "{\"auths\": {\"ghcr.io\": {\"auth\": \"" BOB "\"}}}");
                setenv("DOCKER_CONFIG", dc, 1);
                expect(NULL, "ghcr.io", 1, "bob", "hunter2");
                expect(NULL, "docker.io", 0, NULL, NULL);
                unsetenv("DOCKER_CONFIG");
                free(dc);
        }
        free(docker);
}

static void test_store_remove(void **state)
{
        char *def = NULL, *expected = path_in("run2/containers/auth.json"), *run2 = path_in("run2");
        char *data = NULL;
        size_t len = 0;
        struct stat st;
        rc_error *err = NULL;

        (void)state;
        setenv("XDG_RUNTIME_DIR", run2, 1);
        assert_int_equal(rc_authfile_default_path(&def, &err), 0);
        assert_string_equal(def, expected);
        assert_int_equal(rc_authfile_store(NULL, "localhost:5000", "alice", "s3cr:et", &err), 0);
        assert_int_equal(stat(expected, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0600);
        {
                char *dir = path_in("run2/containers");
                assert_int_equal(stat(dir, &st), 0);
                assert_int_equal(st.st_mode & 07777, 0700);
                free(dir);
        }
        expect(expected, "localhost:5000", 1, "alice", "s3cr:et");
        /* Overwrite; other fields and entries survive; legacy spellings are replaced. */
        put("run2/containers/auth.json", "{\"auths\": {\"https://index.docker.io/v1/\": {\"auth\": \"" CAROL "\"},"
                                         " \"quay.io\": {\"auth\": \"" CAROL "\"}}, \"credHelpers\": {}}");
        assert_int_equal(rc_authfile_store(NULL, "docker.io", "bob", "hunter2", &err), 0);
        expect(expected, "docker.io", 1, "bob", "hunter2");
        expect(expected, "quay.io", 1, "carol", "pw");
        assert_int_equal(rc_read_file(expected, &data, &len, &err), 0);
        assert_non_null(strstr(data, "credHelpers"));
        assert_null(strstr(data, "index.docker.io"));
        free(data);
        /* Remove one, then it is gone; removing again says so.  (Lookups name
         * the file: ~/.docker/config.json from the last test has entries too.) */
        assert_int_equal(rc_authfile_remove(NULL, "docker.io", &err), 1);
        expect(expected, "docker.io", 0, NULL, NULL);
        assert_int_equal(rc_authfile_remove(NULL, "docker.io", &err), 0);
        expect(expected, "quay.io", 1, "carol", "pw");
        /* Remove all. */
        assert_int_equal(rc_authfile_store(NULL, "ghcr.io", "bob", "hunter2", &err), 0);
        assert_int_equal(rc_authfile_remove(NULL, NULL, &err), 1);
        expect(expected, "quay.io", 0, NULL, NULL);
        expect(expected, "ghcr.io", 0, NULL, NULL);
        /* A missing file: nothing to remove. */
        {
                char *none = path_in("none.json");
                assert_int_equal(rc_authfile_remove(none, "quay.io", &err), 0);
                free(none);
        }
        /* Bad input. */
        assert_int_equal(rc_authfile_store(NULL, "https://x.io", "u", "p", &err), -1);
        rc_error_free(err);
        err = NULL;
        assert_int_equal(rc_authfile_store(NULL, "x.io", "u:v", "p", &err), -1);
        rc_error_free(err);
        err = NULL;
        assert_int_equal(rc_authfile_store(NULL, "x.io", "", "p", &err), -1);
        rc_error_free(err);
        err = NULL;
        /* No default path without XDG_RUNTIME_DIR or REGISTRY_AUTH_FILE. */
        unsetenv("XDG_RUNTIME_DIR");
        free(def);
        def = NULL;
        assert_int_equal(rc_authfile_default_path(&def, &err), -1);
        assert_non_null(strstr(err->msg, "--authfile"));
        rc_error_free(err);
        setenv("XDG_RUNTIME_DIR", run2, 1);
        free(expected);
        free(run2);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_explicit_file), cmocka_unit_test(test_missing_and_empty),
                cmocka_unit_test(test_malformed),     cmocka_unit_test(test_default_order),
                cmocka_unit_test(test_store_remove),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
