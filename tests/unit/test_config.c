/* rootless.conf: defaults, keys, lists, mirrors, and every kind of bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config/config.h"
#include "util/fs.h"
#include "util/xalloc.h"

static char *write_conf(const char *text)
{
        char *path = xstrdup("/tmp/rc-test-config-XXXXXX");
        int fd = mkstemp(path);
        rc_error *err = NULL;

        assert_true(fd >= 0);
        close(fd);
        assert_int_equal(rc_write_file(path, text, strlen(text), 0600, &err), 0);
        return path;
}

static void test_defaults(void **state)
{
        struct rc_config c;
        rc_error *err = NULL;

        (void)state;
        setenv("HOME", "/home/someone", 1);
        unsetenv("XDG_DATA_HOME");
        assert_int_equal(rc_config_defaults(&c, &err), 0);
        assert_string_equal(c.root, "/home/someone/.local/share/rc");
        assert_string_equal(c.storage_driver, "auto");
        assert_string_equal(c.subuid_file, "/etc/subuid");
        assert_true(c.pause);
        assert_string_equal(c.network, "none");
        assert_string_equal(c.search[0], "docker.io");
        assert_null(c.search[1]);
        assert_int_equal(c.parallel_downloads, 6);
        rc_config_free(&c);
}

static void test_keys_and_lists(void **state)
{
        char *p = write_conf("[storage]\nroot = /srv/rc\ndriver = vfs\n"
                             "[userns]\npause = false\nsubuid_file = /tmp/s\n"
                             "[containers]\nnetwork = host\n"
                             "[registries]\nsearch = quay.io, docker.io\ninsecure = 127.0.0.1:5000 localhost:5000\n"
                             "parallel_downloads = 3\n"
                             "[mirrors]\ndocker.io = 127.0.0.1:5000, mirror.example\nquay.io = q.example\n");
        struct rc_config c;
        rc_error *err = NULL;
        char **m;

        (void)state;
        assert_int_equal(rc_config_load(&c, p, &err), 0);
        assert_string_equal(c.path, p);
        assert_string_equal(c.root, "/srv/rc");
        assert_string_equal(c.storage_driver, "vfs");
        assert_false(c.pause);
        assert_string_equal(c.subuid_file, "/tmp/s");
        assert_string_equal(c.network, "host");
        assert_string_equal(c.search[0], "quay.io");
        assert_string_equal(c.search[1], "docker.io");
        assert_null(c.search[2]);
        assert_string_equal(c.insecure[0], "127.0.0.1:5000");
        assert_string_equal(c.insecure[1], "localhost:5000");
        assert_int_equal(c.parallel_downloads, 3);
        m = rc_config_mirrors_for(&c, "docker.io");
        assert_string_equal(m[0], "127.0.0.1:5000");
        assert_string_equal(m[1], "mirror.example");
        assert_null(m[2]);
        strv_free(m);
        m = rc_config_mirrors_for(&c, "docker.i");
        assert_null(m[0]);
        strv_free(m);
        rc_config_free(&c);
        unlink(p);
        free(p);
}

static void test_bad_input(void **state)
{
        static const struct {
                const char *text, *expect;
        } cases[] = {
                { "[storage]\ndriverr = overlay\n", "unknown key 'driverr'" },
                { "[nosuch]\nkey = 1\n", "unknown key 'key' in section [nosuch]" },
                { "[storage]\ndriver = zfs\n", "driver 'zfs'" },
                { "[containers]\nnetwork = bridge\n", "network 'bridge'" },
                { "[userns]\npause = maybe\n", "pause must be true or false" },
                { "[storage]\nroot = relative/path\n", "absolute" },
                { "[storage]\nroot =\n", "is empty" },
                { "this is not ini\n", "not valid INI" },
                { "[registries]\nparallel_downloads = 0\n", "from 1 to 32" },
                { "[registries]\nparallel_downloads = 33\n", "from 1 to 32" },
                { "[registries]\nparallel_downloads = six\n", "not 'six'" },
        };

        (void)state;
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char *p = write_conf(cases[i].text);
                struct rc_config c;
                rc_error *err = NULL;

                assert_int_equal(rc_config_load(&c, p, &err), -1);
                assert_non_null(err);
                if (strstr(err->msg, cases[i].expect) == NULL || strstr(err->msg, p) == NULL)
                        fail_msg("case %zu: '%s' lacks '%s' or the file name", i, err->msg, cases[i].expect);
                rc_error_free(err);
                unlink(p);
                free(p);
        }
}

static void test_missing_explicit_file(void **state)
{
        struct rc_config c;
        rc_error *err = NULL;

        (void)state;
        assert_int_equal(rc_config_load(&c, "/nonexistent/rc.conf", &err), -1);
        assert_non_null(strstr(err->msg, "/nonexistent/rc.conf"));
        rc_error_free(err);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_defaults),
                cmocka_unit_test(test_keys_and_lists),
                cmocka_unit_test(test_bad_input),
                cmocka_unit_test(test_missing_explicit_file),
        };
        return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
