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
        /* a JSON array is the entrypoint with arguments (podman); anything else one name */
        a = rc_container_args(&img, "[\"/bin/echo\",\"hello\"]", user_cmd);
        assert_strv(a, (const char *[]){ "/bin/echo", "hello", "echo", "hi", NULL });
        strv_free(a);
        a = rc_container_args(&img, "[\"/bin/echo\", 1]", NULL);
        assert_strv(a, (const char *[]){ "[\"/bin/echo\", 1]", NULL });
        strv_free(a);
        a = rc_container_args(&img, "[not json", NULL);
        assert_strv(a, (const char *[]){ "[not json", NULL });
        strv_free(a);
}

static void test_env(void **state)
{
        char *image_env[] = { "PATH=/img/bin", "A=1", "B=2", NULL };
        char *overrides[] = { "A=override", "HOSTVAR", "MISSING", "C=3", NULL };
        char *host_env[] = { "HOSTVAR=fromhost", NULL };
        char **env;

        (void)state;
        env = rc_container_env(image_env, overrides, host_env, "abc123", "/root");
        assert_strv(env, (const char *[]){ "TERM=xterm", "HOSTNAME=abc123", "container=rc", "HOME=/root", "PATH=/img/bin",
                                           "A=override", "B=2", "HOSTVAR=fromhost", "C=3", NULL });
        strv_free(env);
        env = rc_container_env(NULL, NULL, NULL, NULL, NULL);
        assert_strv(env, (const char *[]){ "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                           "TERM=xterm", "container=rc", NULL });
        strv_free(env);
        /* the image's HOME and TERM win over the defaults, -e over both */
        env = rc_container_env((char *[]){ "HOME=/app", "TERM=dumb", NULL }, (char *[]){ "HOME=/x", NULL }, NULL, NULL,
                               "/root");
        assert_strv(env, (const char *[]){ "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                           "TERM=dumb", "container=rc", "HOME=/x", NULL });
        strv_free(env);
}

static void test_user(void **state)
{
        const char *passwd = "root:x:0:0:root:/root:/bin/sh\n"
                             "user:x:1000:1001:u:/home/user:/bin/sh\n"
                             "bad line without fields\n"
                             "nohome:x:1002:1002::\n"
                             "nobody:x:65534:65534::/nonexistent:/bin/false\n";
        const char *group = "root:x:0:root\nstaff:x:50:user,other\nusers:x:1001:\nwheel:x:10:root,user\n"
                            "dup:x:10:user\nnotanumber:x:abc:user\n";
        static const struct {
                const char *spec;
                int ok;
                uint32_t uid, gid;
                const char *home;
                uint32_t groups[3];
                size_t n_groups;
        } cases[] = {
                { "", 1, 0, 0, "/root", { 0, 10 }, 2 },
                { "root", 1, 0, 0, "/root", { 0, 10 }, 2 },
                { "user", 1, 1000, 1001, "/home/user", { 50, 10, 1001 }, 3 },
                { "1000", 1, 1000, 1001, "/home/user", { 50, 10, 1001 }, 3 },
                { "4242", 1, 4242, 4242, "/", { 4242 }, 1 },
                { "user:staff", 1, 1000, 50, "/home/user", { 0 }, 0 },
                { "user:77", 1, 1000, 77, "/home/user", { 0 }, 0 },
                { "nobody", 1, 65534, 65534, "/nonexistent", { 65534 }, 1 },
                { "nohome", 1, 1002, 1002, "/", { 1002 }, 1 },
                { "ghost", 0, 0, 0, NULL, { 0 }, 0 },
                { "user:nogroup", 0, 0, 0, NULL, { 0 }, 0 },
                { "0:0", 1, 0, 0, "/root", { 0 }, 0 },
        };

        (void)state;
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct rc_container_user u = { 0 };
                rc_error *err = NULL;
                int r = rc_container_parse_user(cases[i].spec, passwd, group, &u, &err);
                if (cases[i].ok) {
                        assert_int_equal(r, 0);
                        assert_int_equal(u.uid, cases[i].uid);
                        assert_int_equal(u.gid, cases[i].gid);
                        assert_string_equal(u.home, cases[i].home);
                        assert_int_equal(u.n_groups, cases[i].n_groups);
                        for (size_t g = 0; g < u.n_groups; g++)
                                assert_int_equal(u.groups[g], cases[i].groups[g]);
                        rc_container_user_free(&u);
                } else {
                        assert_int_equal(r, -1);
                        assert_non_null(err);
                        assert_non_null(strstr(err->msg, "not found in the image's /etc/"));
                        rc_error_free(err);
                }
        }
        /* no passwd or group file at all */
        {
                struct rc_container_user u = { 0 };
                rc_error *err = NULL;
                assert_int_equal(rc_container_parse_user("", NULL, NULL, &u, &err), 0);
                assert_string_equal(u.home, "/root");
                assert_int_equal(u.n_groups, 1);
                assert_int_equal(u.groups[0], 0);
                rc_container_user_free(&u);
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
