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
        assert_string_equal(c.network, "slirp");
        assert_int_equal(c.net_mtu, 65520);
        assert_string_equal(c.net_cidr, "10.0.2.0/24");
        assert_null(c.net_dns[0]);
        assert_string_equal(c.search[0], "docker.io");
        assert_null(c.search[1]);
        assert_int_equal(c.parallel_downloads, 6);
        assert_true(c.max_layer_size == 0); /* no limit, as podman */
        rc_config_free(&c);
}

static void test_keys_and_lists(void **state)
{
        char *p = write_conf("[storage]\nroot = /srv/rc\ndriver = vfs\n"
                             "[userns]\npause = false\nsubuid_file = /tmp/s\n"
                             "[containers]\nnetwork = host\n"
                             "[network]\nmtu = 1500\ncidr = 10.9.0.0/16\ndns = 1.1.1.1, ::1\n"
                             "dns_forward = 127.0.0.1:5353\n"
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
        assert_int_equal(c.net_mtu, 1500);
        assert_string_equal(c.net_cidr, "10.9.0.0/16");
        assert_string_equal(c.net_dns[0], "1.1.1.1");
        assert_string_equal(c.net_dns[1], "::1");
        assert_null(c.net_dns[2]);
        assert_string_equal(c.net_dns_forward[0], "127.0.0.1:5353");
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
                { "[containers]\nnetwork = bridge\n", "mode 'bridge'" },
                { "[network]\nmode = pasta\n", "mode 'pasta'" },
                { "[network]\nmtu = 100\n", "from 1280 to 65521" },
                { "[network]\nmtu = 70000\n", "from 1280 to 65521" },
                { "[network]\ncidr = 10.0.2.0\n", "cidr '10.0.2.0'" },
                { "[network]\ndns = 1.1.1.1, example.org\n", "'example.org' is not an IP" },
                { "[network]\ndns_forward = 127.0.0.1:99999\n", "dns_forward: '127.0.0.1:99999'" },
                { "[network]\ndns_forward = ::1\n", "dns_forward: '::1'" },
                { "[userns]\npause = maybe\n", "pause must be true or false" },
                { "[storage]\nroot = relative/path\n", "absolute" },
                { "[storage]\nroot =\n", "is empty" },
                { "this is not ini\n", "not valid INI" },
                { "[registries]\nparallel_downloads = 0\n", "from 1 to 32" },
                { "[registries]\nparallel_downloads = 33\n", "from 1 to 32" },
                { "[registries]\nparallel_downloads = six\n", "not 'six'" },
                { "[storage]\nmax_layer_size = 10x\n", "max_layer_size must be a size" },
                { "[storage]\nmax_layer_size = -1\n", "not '-1'" },
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

/* Sizes: bytes, binary suffixes in any case, optional b/ib; nothing else. */
static void test_parse_size(void **state)
{
        static const struct {
                const char *text;
                int ret;
                uint64_t bytes;
        } cases[] = {
                { "0", 0, 0 },
                { "1073741824", 0, 1073741824ull },
                { "500m", 0, 500ull << 20 },
                { "10g", 0, 10ull << 30 },
                { "10G", 0, 10ull << 30 },
                { "10GiB", 0, 10ull << 30 },
                { "4kb", 0, 4096 },
                { "2t", 0, 2ull << 40 },
                { "", -1, 0 },
                { "g", -1, 0 },
                { "-5m", -1, 0 },
                { "5q", -1, 0 },
                { "5mm", -1, 0 },
                { "5.5g", -1, 0 },
                { "99999999999999999999", -1, 0 },
                { "17000000t", -1, 0 }, /* more than 2^64 bytes */
        };

        (void)state;
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                uint64_t v = 12345;
                int r = rc_config_parse_size(cases[i].text, &v);
                if (r != cases[i].ret || (r == 0 && v != cases[i].bytes) || (r < 0 && v != 12345))
                        fail_msg("case '%s': got %d, %llu", cases[i].text, r, (unsigned long long)v);
        }
}

static void test_max_layer_size(void **state)
{
        char *p = write_conf("[storage]\nmax_layer_size = 500m\n");
        struct rc_config c;
        rc_error *err = NULL;

        (void)state;
        assert_int_equal(rc_config_load(&c, p, &err), 0);
        assert_true(c.max_layer_size == 500ull << 20);
        rc_config_free(&c);
        unlink(p);
        free(p);
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
                cmocka_unit_test(test_parse_size),
                cmocka_unit_test(test_max_layer_size),
        };
        return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
