/* Parsers of rc run/create options: -v, --mount, --tmpfs, --ulimit,
 * --env-file, --cap-add/--cap-drop, --userns and the keep-id mapping. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <cmocka.h>

#include "container/container.h"
#include "util/xalloc.h"
#include "volume/volume.h"

static void assert_strv(char *const *got, const char *const *want)
{
        size_t i;
        for (i = 0; want[i]; i++) {
                assert_non_null(got[i]);
                assert_string_equal(got[i], want[i]);
        }
        assert_null(got[i]);
}

/* Parsing `spec` fails with EINVAL and a message containing `part`. */
static void assert_bad(int (*parse)(const char *, const char *, struct rc_mount_req *, rc_error **), const char *spec,
                       const char *part)
{
        struct rc_mount_req m = { 0 };
        rc_error *err = NULL;

        if (parse(spec, "/home/u", &m, &err) == 0)
                fail_msg("\"%s\" was accepted", spec);
        assert_non_null(err);
        if (part && strstr(err->msg, part) == NULL)
                fail_msg("\"%s\": message \"%s\" lacks \"%s\"", spec, err->msg, part);
        rc_error_free(err);
}

static int parse_tmpfs(const char *spec, const char *cwd, struct rc_mount_req *m, rc_error **err)
{
        (void)cwd;
        return rc_mount_parse_tmpfs(spec, m, err);
}

static void test_path_clean(void **state)
{
        static const char *const cases[][2] = {
                { "/", "/" },           { "/a/b", "/a/b" },      { "/a//b/", "/a/b" },     { "/a/./b/.", "/a/b" },
                { "/a/../b", "/b" },    { "/../../etc", "/etc" }, { "/a/b/../../..", "/" }, { "//x", "/x" },
                { "/a/..b/c..", "/a/..b/c.." },
        };
        (void)state;
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char *c = rc_path_clean(cases[i][0]);
                assert_string_equal(c, cases[i][1]);
                free(c);
        }
        assert_null(rc_path_clean("a/b"));
        assert_null(rc_path_clean(""));
}

static void test_volume_flag(void **state)
{
        struct rc_mount_req m;
        rc_error *err = NULL;

        (void)state;
        /* a bind with options */
        assert_int_equal(rc_mount_parse_volume("/srv/data:/data:ro,z,noexec", "/home/u", &m, &err), 0);
        assert_int_equal(m.kind, RC_MOUNT_BIND);
        assert_string_equal(m.source, "/srv/data");
        assert_string_equal(m.destination, "/data");
        assert_true(m.readonly);
        assert_strv(m.options, (const char *[]){ "rbind", "rprivate", "noexec", NULL });
        rc_mount_req_free(&m);
        /* a relative host path is the caller's; the destination is cleaned */
        assert_int_equal(rc_mount_parse_volume("./src/../conf:/etc//app/:rw,bind,rshared", "/home/u", &m, &err), 0);
        assert_string_equal(m.source, "/home/u/conf");
        assert_string_equal(m.destination, "/etc/app");
        assert_false(m.readonly);
        assert_strv(m.options, (const char *[]){ "bind", "rshared", NULL });
        rc_mount_req_free(&m);
        assert_int_equal(rc_mount_parse_volume("..:/up", "/home/u", &m, &err), 0);
        assert_string_equal(m.source, "/home");
        rc_mount_req_free(&m);
        /* a named volume */
        assert_int_equal(rc_mount_parse_volume("data-1.x:/var/lib/db:nocopy", "/", &m, &err), 0);
        assert_int_equal(m.kind, RC_MOUNT_VOLUME);
        assert_string_equal(m.source, "data-1.x");
        assert_true(m.nocopy);
        assert_false(m.anonymous);
        rc_mount_req_free(&m);
        /* an anonymous one */
        assert_int_equal(rc_mount_parse_volume("/cache", "/", &m, &err), 0);
        assert_int_equal(m.kind, RC_MOUNT_VOLUME);
        assert_null(m.source);
        assert_true(m.anonymous);
        assert_string_equal(m.destination, "/cache");
        rc_mount_req_free(&m);

        assert_bad(rc_mount_parse_volume, "", "incorrect volume format");
        assert_bad(rc_mount_parse_volume, "a:b:c:d", "incorrect volume format");
        assert_bad(rc_mount_parse_volume, "/a::ro", "empty part");
        assert_bad(rc_mount_parse_volume, "/a:rel", "absolute");
        assert_bad(rc_mount_parse_volume, "relative", "absolute");
        assert_bad(rc_mount_parse_volume, "/a:/", "root");
        assert_bad(rc_mount_parse_volume, "/a:/b:ro,rw", "ro and rw");
        assert_bad(rc_mount_parse_volume, "/a:/b:shared,slave", "propagation");
        assert_bad(rc_mount_parse_volume, "/a:/b:bogus", "invalid option \"bogus\"");
        assert_bad(rc_mount_parse_volume, "/a:/b:U", "not supported");
        assert_bad(rc_mount_parse_volume, "/a:/b:ro,", "empty option");
        assert_bad(rc_mount_parse_volume, "/a:/b:nosuid,suid", "more than once");
        /* volume names are plain names: no path tricks */
        assert_bad(rc_mount_parse_volume, "a/b:/x", "not a valid volume name");
        assert_bad(rc_mount_parse_volume, "-x:/x", "not a valid volume name");
        assert_bad(rc_mount_parse_volume, "_x:/x", "not a valid volume name");
        assert_bad(rc_mount_parse_volume, "x y:/x", "not a valid volume name");
}

static void test_mount_flag(void **state)
{
        struct rc_mount_req m;
        rc_error *err = NULL;

        (void)state;
        assert_int_equal(rc_mount_parse_mount("type=bind,src=rel,dst=/x,readonly,bind-propagation=rslave", "/w", &m,
                                              &err),
                         0);
        assert_int_equal(m.kind, RC_MOUNT_BIND);
        assert_string_equal(m.source, "/w/rel");
        assert_string_equal(m.destination, "/x");
        assert_true(m.readonly);
        assert_strv(m.options, (const char *[]){ "rbind", "rslave", NULL });
        rc_mount_req_free(&m);
        assert_int_equal(rc_mount_parse_mount("type=bind,source=/s,target=/t,ro=false,bind-nonrecursive", "/", &m,
                                              &err),
                         0);
        assert_false(m.readonly);
        assert_strv(m.options, (const char *[]){ "bind", "rprivate", NULL });
        rc_mount_req_free(&m);
        /* type=volume is the default; without a source, anonymous */
        assert_int_equal(rc_mount_parse_mount("source=vol,destination=/d,volume-nocopy", "/", &m, &err), 0);
        assert_int_equal(m.kind, RC_MOUNT_VOLUME);
        assert_string_equal(m.source, "vol");
        assert_true(m.nocopy);
        rc_mount_req_free(&m);
        assert_int_equal(rc_mount_parse_mount("type=volume,target=/d", "/", &m, &err), 0);
        assert_true(m.anonymous);
        rc_mount_req_free(&m);
        assert_int_equal(rc_mount_parse_mount("type=tmpfs,target=/t,tmpfs-size=64m,tmpfs-mode=1770", "/", &m, &err), 0);
        assert_int_equal(m.kind, RC_MOUNT_TMPFS);
        assert_strv(m.options,
                    (const char *[]){ "nosuid", "nodev", "noexec", "tmpcopyup", "size=67108864", "mode=1770", NULL });
        rc_mount_req_free(&m);

        assert_bad(rc_mount_parse_mount, "type=bind,target=/t", "needs a source");
        assert_bad(rc_mount_parse_mount, "type=tmpfs,src=x,target=/t", "no source");
        assert_bad(rc_mount_parse_mount, "type=image,src=x,target=/t", "type=image");
        assert_bad(rc_mount_parse_mount, "type=bind,src=/a", "no destination");
        assert_bad(rc_mount_parse_mount, "type=volume,src=/a,target=/t", "not a valid volume name");
        assert_bad(rc_mount_parse_mount, "type=volume,src=../x,target=/t", "not a valid volume name");
        assert_bad(rc_mount_parse_mount, "type=bind,src=/a,target=/t,tmpfs-size=1", "type=bind");
        assert_bad(rc_mount_parse_mount, "type=tmpfs,target=/t,tmpfs-size=lots", "not a size");
        assert_bad(rc_mount_parse_mount, "type=tmpfs,target=/t,tmpfs-mode=999", "octal");
        assert_bad(rc_mount_parse_mount, "type=bind,src=/a,target=/t,readonly=maybe", "true or false");
        assert_bad(rc_mount_parse_mount, "type=bind,src=/a,target=/t,colour=blue", "unknown");
}

static void test_tmpfs_flag(void **state)
{
        struct rc_mount_req m;
        rc_error *err = NULL;

        (void)state;
        assert_int_equal(rc_mount_parse_tmpfs("/run", &m, &err), 0);
        assert_int_equal(m.kind, RC_MOUNT_TMPFS);
        assert_string_equal(m.destination, "/run");
        assert_strv(m.options, (const char *[]){ "nosuid", "nodev", "noexec", "tmpcopyup", NULL });
        rc_mount_req_free(&m);
        assert_int_equal(rc_mount_parse_tmpfs("/scratch:exec,size=1g,mode=700,uid=1000,notmpcopyup,ro", &m, &err), 0);
        assert_true(m.readonly);
        assert_strv(m.options, (const char *[]){ "nosuid", "nodev", "exec", "size=1g", "mode=700", "uid=1000", NULL });
        rc_mount_req_free(&m);
        assert_bad(parse_tmpfs, "run", "absolute");
        assert_bad(parse_tmpfs, "/t:size=1x", "invalid tmpfs option");
        assert_bad(parse_tmpfs, "/t:size=1,size=2", "more than once");
        assert_bad(parse_tmpfs, "/t:mode=abc", "invalid tmpfs option");
        assert_bad(parse_tmpfs, "/t:context=x", "invalid tmpfs option");
}

static void test_duplicates(void **state)
{
        struct rc_mount_req m[2];
        rc_error *err = NULL;

        (void)state;
        assert_int_equal(rc_mount_parse_volume("/a:/x", "/", &m[0], &err), 0);
        assert_int_equal(rc_mount_parse_tmpfs("/x/", &m[1], &err), 0);
        assert_int_equal(rc_mount_check_duplicates(m, 1, &err), 0);
        assert_int_equal(rc_mount_check_duplicates(m, 2, &err), -1);
        assert_non_null(strstr(err->msg, "duplicate mount destination"));
        rc_error_free(err);
        rc_mount_req_free(&m[0]);
        rc_mount_req_free(&m[1]);
}

static void test_ulimit(void **state)
{
        struct rc_spec_rlimit r;
        rc_error *err = NULL;
        static const char *const bad[] = { "nofile", "nofile=", "nofile=a", "nofile=10:5", "nofile=1:2:3",
                                           "bogus=1", "nofile=-2", "nofile=1:", "=5" };

        (void)state;
        assert_int_equal(rc_ulimit_parse("nofile=1024:2048", &r, &err), 0);
        assert_int_equal(r.type, RLIMIT_NOFILE);
        assert_int_equal(r.soft, 1024);
        assert_int_equal(r.hard, 2048);
        assert_int_equal(rc_ulimit_parse("nproc=64", &r, &err), 0);
        assert_int_equal(r.type, RLIMIT_NPROC);
        assert_int_equal(r.soft, 64);
        assert_int_equal(r.hard, 64);
        assert_int_equal(rc_ulimit_parse("core=-1", &r, &err), 0);
        assert_true(r.soft == RLIM_INFINITY && r.hard == RLIM_INFINITY);
        assert_int_equal(rc_ulimit_parse("stack=8192:unlimited", &r, &err), 0);
        assert_true(r.soft == 8192 && r.hard == RLIM_INFINITY);
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                if (rc_ulimit_parse(bad[i], &r, &err) == 0)
                        fail_msg("--ulimit %s was accepted", bad[i]);
                rc_error_free(err);
                err = NULL;
        }
}

static void test_env_file(void **state)
{
        static const char text[] = "# comment\n"
                                   "\n"
                                   "A=1\n"
                                   "  B=two words  \n"
                                   "C=\"quoted\"\r\n"
                                   "D=\n"
                                   "HOSTVAR\n"
                                   "UNSET\n"
                                   "E=x=y\n"
                                   "   # indented comment\n"
                                   "LAST=no newline";
        char *host[] = { "HOSTVAR=from host", "OTHER=1", NULL };
        char **out = NULL;
        rc_error *err = NULL;

        (void)state;
        assert_int_equal(rc_env_file_parse("f.env", text, sizeof(text) - 1, host, false, &out, &err), 0);
        assert_strv(out, (const char *[]){ "A=1", "B=two words  ", "C=\"quoted\"", "D=", "HOSTVAR=from host", "E=x=y",
                                           "LAST=no newline", NULL });
        strv_free(out);
        out = NULL;
        /* a label file: a bare key is an empty label */
        assert_int_equal(rc_env_file_parse("l", "a=b\nflag\n", 9, NULL, true, &out, &err), 0);
        assert_strv(out, (const char *[]){ "a=b", "flag=", NULL });
        strv_free(out);
        out = NULL;
        assert_int_equal(rc_env_file_parse("f.env", "=x\n", 3, NULL, false, &out, &err), -1);
        assert_non_null(strstr(err->msg, "f.env:1"));
        rc_error_free(err);
        err = NULL;
        assert_int_equal(rc_env_file_parse("f.env", "A=1\nBAD KEY=1\n", 14, NULL, false, &out, &err), -1);
        assert_non_null(strstr(err->msg, "f.env:2"));
        assert_non_null(strstr(err->msg, "whitespace"));
        rc_error_free(err);
        err = NULL;
        assert_int_equal(rc_env_file_parse("f.env", "A=1\0B=2", 7, NULL, false, &out, &err), -1);
        rc_error_free(err);
        assert_null(out);
}

static void test_caps(void **state)
{
        char *defaults[] = { "CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW", NULL };
        char *all[] = { "CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW", "CAP_SYS_ADMIN", "CAP_NET_ADMIN", NULL };
        char **out = NULL;
        rc_error *err = NULL;

        (void)state;
        assert_int_equal(rc_caps_compute(defaults, (char *[]){ "net_admin", NULL }, (char *[]){ "CAP_kill", NULL },
                                         all, &out, &err),
                         0);
        assert_strv(out, (const char *[]){ "CAP_CHOWN", "CAP_NET_ADMIN", "CAP_NET_RAW", NULL });
        strv_free(out);
        assert_int_equal(rc_caps_compute(defaults, (char *[]){ "ALL", NULL }, (char *[]){ "sys_admin", NULL }, all,
                                         &out, &err),
                         0);
        assert_strv(out, (const char *[]){ "CAP_CHOWN", "CAP_KILL", "CAP_NET_ADMIN", "CAP_NET_RAW", NULL });
        strv_free(out);
        assert_int_equal(rc_caps_compute(defaults, (char *[]){ "CAP_SYS_ADMIN", NULL }, (char *[]){ "all", NULL }, all,
                                         &out, &err),
                         0);
        assert_strv(out, (const char *[]){ "CAP_SYS_ADMIN", NULL });
        strv_free(out);
        assert_int_equal(rc_caps_compute(defaults, NULL, (char *[]){ "ALL", NULL }, all, &out, &err), 0);
        assert_null(out[0]);
        strv_free(out);
        assert_int_equal(rc_caps_compute(defaults, (char *[]){ "CAP_FLY", NULL }, NULL, all, &out, &err), -1);
        assert_non_null(strstr(err->msg, "CAP_FLY"));
        rc_error_free(err);
        err = NULL;
        assert_int_equal(rc_cap_check("all", &err), 0);
        assert_int_equal(rc_cap_check("sys_ptrace", &err), 0);
        assert_int_equal(rc_cap_check("nope", &err), -1);
        rc_error_free(err);
}

static void test_userns(void **state)
{
        bool keep = true;
        uint32_t uid = 1000, gid = 1001;
        rc_error *err = NULL;

        (void)state;
        assert_int_equal(rc_userns_parse("host", &keep, &uid, &gid, &err), 0);
        assert_false(keep);
        assert_int_equal(rc_userns_parse("keep-id", &keep, &uid, &gid, &err), 0);
        assert_true(keep);
        assert_int_equal(uid, 1000);
        assert_int_equal(gid, 1001);
        assert_int_equal(rc_userns_parse("keep-id:uid=200,gid=210", &keep, &uid, &gid, &err), 0);
        assert_int_equal(uid, 200);
        assert_int_equal(gid, 210);
        assert_int_equal(rc_userns_parse("keep-id:gid=5", &keep, &uid, &gid, &err), 0);
        assert_int_equal(uid, 200);
        assert_int_equal(gid, 5);
        static const char *const bad[] = { "auto", "keep-idx", "keep-id:", "keep-id:uid=", "keep-id:uid=-1",
                                           "keep-id:uid=4294967295", "keep-id:size=3", "nomap", "ns:/proc/1/ns/user" };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                if (rc_userns_parse(bad[i], &keep, &uid, &gid, &err) == 0)
                        fail_msg("--userns=%s was accepted", bad[i]);
                rc_error_free(err);
                err = NULL;
        }
}

static void test_keep_id_mapping(void **state)
{
        struct rc_spec_id_mapping m[3];

        (void)state;
        /* the common case: uid 1000 in a namespace of 65537 ids */
        assert_int_equal(rc_keep_id_mapping(1000, 65537, m), 3);
        assert_true(m[0].container_id == 0 && m[0].host_id == 1 && m[0].size == 1000);
        assert_true(m[1].container_id == 1000 && m[1].host_id == 0 && m[1].size == 1);
        assert_true(m[2].container_id == 1001 && m[2].host_id == 1001 && m[2].size == 64536);
        /* root: the identity */
        assert_int_equal(rc_keep_id_mapping(0, 65537, m), 2);
        assert_true(m[0].container_id == 0 && m[0].host_id == 0 && m[0].size == 1);
        assert_true(m[1].container_id == 1 && m[1].host_id == 1 && m[1].size == 65536);
        /* an id beyond rc's namespace: below it as far as there are ids, nothing above */
        assert_int_equal(rc_keep_id_mapping(200000, 65537, m), 2);
        assert_true(m[0].container_id == 0 && m[0].host_id == 1 && m[0].size == 65536);
        assert_true(m[1].container_id == 200000 && m[1].host_id == 0 && m[1].size == 1);
        assert_int_equal(rc_keep_id_mapping(65536, 65537, m), 2);
        assert_true(m[0].size == 65536 && m[1].container_id == 65536);
        /* a namespace of the user alone */
        assert_int_equal(rc_keep_id_mapping(1000, 1, m), 1);
        assert_true(m[0].container_id == 1000 && m[0].host_id == 0 && m[0].size == 1);
        assert_int_equal(rc_keep_id_mapping(1000, 0, m), 0);
        /* the extents never overlap, inside or outside */
        for (uint32_t id = 0; id < 70000; id += 997) {
                size_t n = rc_keep_id_mapping(id, 65537, m);
                for (size_t i = 0; i < n; i++)
                        for (size_t j = 0; j < i; j++) {
                                assert_true(m[i].container_id >= m[j].container_id + m[j].size ||
                                            m[j].container_id >= m[i].container_id + m[i].size);
                                assert_true(m[i].host_id >= m[j].host_id + m[j].size ||
                                            m[j].host_id >= m[i].host_id + m[i].size);
                                assert_true(m[i].host_id + m[i].size <= 65537);
                        }
        }
}

static void test_volume_names(void **state)
{
        static const char *const good[] = { "data", "a", "0", "my_vol.1-x", "A-B" };
        static const char *const bad[] = { "", ".", "..", "../x", "a/b", "/abs", "-x", "_x", ".x", "x y", "x:y", "ü" };

        (void)state;
        for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
                assert_true(rc_volume_name_valid(good[i]));
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                if (rc_volume_name_valid(bad[i]))
                        fail_msg("\"%s\" was a valid volume name", bad[i]);
        {
                char long_name[300];
                memset(long_name, 'a', sizeof(long_name) - 1);
                long_name[299] = '\0';
                assert_false(rc_volume_name_valid(long_name));
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_path_clean),  cmocka_unit_test(test_volume_flag), cmocka_unit_test(test_mount_flag),
                cmocka_unit_test(test_tmpfs_flag),  cmocka_unit_test(test_duplicates),  cmocka_unit_test(test_ulimit),
                cmocka_unit_test(test_env_file),    cmocka_unit_test(test_caps),        cmocka_unit_test(test_userns),
                cmocka_unit_test(test_keep_id_mapping), cmocka_unit_test(test_volume_names),
        };
        return cmocka_run_group_tests_name("runopts", tests, NULL, NULL);
}
