/* Container config: args, env, user resolution, names. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "container/container.h"
#include "util/xalloc.h"

static void assert_strv(char **got, const char *const *want)
{
        size_t i;
        for (i = 0; want[i]; i++) {
                assert_non_null(got[i]);
                assert_string_equal(got[i], want[i]);
        }
        assert_null(got[i]);
}

static void test_args(void **state)
{
        char *ep[] = { "/entry", "-x", NULL };
        char *cmd[] = { "sh", NULL };
        char *user_cmd[] = { "echo", "hi", NULL };
        struct rc_image_config img = { .entrypoint = ep, .cmd = cmd };
        struct rc_image_config bare = { 0 };
        char **a;

        (void)state;
        a = rc_container_args(&img, NULL, NULL);
        assert_strv(a, (const char *[]){ "/entry", "-x", "sh", NULL });
        strv_free(a);
        a = rc_container_args(&img, NULL, user_cmd);
        assert_strv(a, (const char *[]){ "/entry", "-x", "echo", "hi", NULL });
        strv_free(a);
        /* --entrypoint drops the image's Cmd (docker) */
        a = rc_container_args(&img, "/bin/true", NULL);
        assert_strv(a, (const char *[]){ "/bin/true", NULL });
        strv_free(a);
        a = rc_container_args(&img, "", user_cmd);
        assert_strv(a, (const char *[]){ "echo", "hi", NULL });
        strv_free(a);
        a = rc_container_args(&bare, NULL, NULL);
        assert_null(a[0]);
        strv_free(a);
}

static void test_env(void **state)
{
        char *image_env[] = { "PATH=/img/bin", "A=1", "B=2", NULL };
        char *overrides[] = { "A=override", "HOSTVAR", "MISSING", "C=3", NULL };
        char *host_env[] = { "HOSTVAR=fromhost", NULL };
        char **env;

        (void)state;
        env = rc_container_env(image_env, overrides, host_env, "abc123");
        assert_strv(env, (const char *[]){ "HOSTNAME=abc123", "container=rc", "PATH=/img/bin", "A=override", "B=2",
                                           "HOSTVAR=fromhost", "C=3", NULL });
        strv_free(env);
        env = rc_container_env(NULL, NULL, NULL, NULL);
        assert_non_null(env[0]);
        assert_true(strncmp(env[0], "PATH=/usr/local/sbin:", 21) == 0);
        strv_free(env);
}

static void test_user(void **state)
{
        const char *passwd = "root:x:0:0:root:/root:/bin/sh\n"
                             "user:x:1000:1001:u:/home/user:/bin/sh\n"
                             "nobody:x:65534:65534::/:/bin/false\n";
        const char *group = "root:x:0:\nstaff:x:50:\nusers:x:1001:\n";
        static const struct {
                const char *spec;
                int ok;
                uint32_t uid, gid;
        } cases[] = {
                { "", 1, 0, 0 },          { "root", 1, 0, 0 },       { "user", 1, 1000, 1001 },
                { "1000", 1, 1000, 1001 }, { "4242", 1, 4242, 4242 }, { "user:staff", 1, 1000, 50 },
                { "user:77", 1, 1000, 77 }, { "nobody", 1, 65534, 65534 }, { "ghost", 0, 0, 0 },
                { "user:nogroup", 0, 0, 0 }, { "0:0", 1, 0, 0 },
        };

        (void)state;
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                uint32_t uid = 99, gid = 99;
                rc_error *err = NULL;
                int r = rc_container_parse_user(cases[i].spec, passwd, group, &uid, &gid, &err);
                if (cases[i].ok) {
                        assert_int_equal(r, 0);
                        assert_int_equal(uid, cases[i].uid);
                        assert_int_equal(gid, cases[i].gid);
                } else {
                        assert_int_equal(r, -1);
                        assert_non_null(err);
                        assert_non_null(strstr(err->msg, "not found in the image's /etc/"));
                        rc_error_free(err);
                }
        }
}

static void test_workdir(void **state)
{
        static const struct {
                const char *image, *override, *want; /* want NULL: refused */
                int errnum;
        } cases[] = {
                { NULL, NULL, "/", 0 },
                { "", NULL, "/", 0 },
                { "/srv", NULL, "/srv", 0 },
                { "/srv", "/tmp", "/tmp", 0 },
                { "/srv", "", "/", 0 },                 /* -w "" means the default, as docker */
                { "/proc/self/fd/3", NULL, "/proc/self/fd/3", 0 }, /* refused later, by the runtime, in the root */
                { "relative", NULL, NULL, EINVAL },
                { "/srv", "../x", NULL, EINVAL },
        };
        char long_path[PATH_MAX + 2];

        (void)state;
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char *out = NULL;
                rc_error *err = NULL;
                int r = rc_container_workdir(cases[i].image, cases[i].override, &out, &err);
                if (cases[i].want) {
                        assert_int_equal(r, 0);
                        assert_string_equal(out, cases[i].want);
                        free(out);
                } else {
                        assert_int_equal(r, -1);
                        assert_null(out);
                        assert_int_equal(rc_error_errno(err), cases[i].errnum);
                        assert_non_null(strstr(err->msg, "must be an absolute path"));
                        rc_error_free(err);
                }
        }
        memset(long_path, 'a', sizeof(long_path) - 1);
        long_path[0] = '/';
        long_path[sizeof(long_path) - 1] = '\0';
        {
                char *out = NULL;
                rc_error *err = NULL;
                assert_int_equal(rc_container_workdir(long_path, NULL, &out, &err), -1);
                assert_int_equal(rc_error_errno(err), ENAMETOOLONG);
                rc_error_free(err);
        }
}

static void test_random_name(void **state)
{
        char *n = rc_container_random_name();
        (void)state;
        assert_non_null(strchr(n, '_'));
        assert_true(strspn(n, "abcdefghijklmnopqrstuvwxyz_") == strlen(n));
        free(n);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_args),
                cmocka_unit_test(test_env),
                cmocka_unit_test(test_user),
                cmocka_unit_test(test_workdir),
                cmocka_unit_test(test_random_name),
        };
        return cmocka_run_group_tests_name("container", tests, NULL, NULL);
}
