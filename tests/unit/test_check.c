/* rc system check probes, pointed at files of a temporary directory (live
 * probes off). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "check/check.h"
#include "util/fs.h"
#include "util/xalloc.h"

struct fx {
        char dir[64];
        struct rc_config cfg;
        struct rc_check_context ctx;
        char *paths[32]; /* strings the context points at */
        size_t npaths;
};

static const char *fx_path(struct fx *f, const char *rel)
{
        char *p = xasprintf("%s/%s", f->dir, rel);
        assert_true(f->npaths < 32);
        f->paths[f->npaths++] = p;
        return p;
}

/* Write dir/rel, creating parent directories. */
static void put(struct fx *f, const char *rel, const char *content)
{
        char *p = xasprintf("%s/%s", f->dir, rel);
        char *slash = strrchr(p, '/');
        rc_error *err = NULL;

        *slash = '\0';
        assert_int_equal(rc_mkdir_p(p, 0755, &err), 0);
        *slash = '/';
        assert_int_equal(rc_write_file(p, content, strlen(content), 0755, &err), 0);
        free(p);
}

static void mkdirs(struct fx *f, const char *rel, mode_t mode)
{
        char *p = xasprintf("%s/%s", f->dir, rel);
        rc_error *err = NULL;
        assert_int_equal(rc_mkdir_p(p, 0755, &err), 0);
        assert_int_equal(chmod(p, mode), 0);
        free(p);
}

static int setup(void **state)
{
        struct fx *f = xcalloc(1, sizeof(*f));
        rc_error *err = NULL;

        snprintf(f->dir, sizeof(f->dir), "/tmp/rc-test-check-XXXXXX");
        assert_non_null(mkdtemp(f->dir));
        assert_int_equal(rc_config_defaults(&f->cfg, &err), 0);
        free(f->cfg.root);
        free(f->cfg.runroot);
        free(f->cfg.subuid_file);
        free(f->cfg.subgid_file);
        f->cfg.root = xasprintf("%s/store", f->dir);
        f->cfg.runroot = xasprintf("%s/run/rc", f->dir);
        f->cfg.subuid_file = xasprintf("%s/subuid", f->dir);
        f->cfg.subgid_file = xasprintf("%s/subgid", f->dir);
        f->ctx = (struct rc_check_context){
                .cfg = &f->cfg,
                .user = "alice",
                .uid = getuid(),
                .gid = getgid(),
                .proc_sys = fx_path(f, "proc/sys"),
                .mountinfo = fx_path(f, "mountinfo"),
                .proc_cgroup = fx_path(f, "proc-cgroup"),
                .cgroup_root = fx_path(f, "cgroup"),
                .dev_fuse = fx_path(f, "dev/fuse"),
                .dev_tun = fx_path(f, "dev/tun"),
                .resolv_conf = fx_path(f, "resolv.conf"),
                .resolved_conf = fx_path(f, "resolved.conf"),
                .systemd_dir = fx_path(f, "run/systemd/system"),
                .linger_dir = fx_path(f, "linger"),
                .apparmor_profile = fx_path(f, "apparmor-rc"),
                .xdg_runtime_dir = NULL,
                .dbus_address = NULL,
                .path = fx_path(f, "bin"),
                .live = false,
        };
        mkdirs(f, "bin", 0755);
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fx *f = *state;
        rc_error *err = NULL;

        assert_int_equal(rc_rm_rf(f->dir, &err), 0);
        for (size_t i = 0; i < f->npaths; i++)
                free(f->paths[i]);
        rc_config_free(&f->cfg);
        free(f);
        return 0;
}

/* Run probe id and check status and substrings of detail and fix (NULL:
 * no fix expected, "" : any fix). */
static void expect(struct fx *f, const char *id, enum rc_check_status status, const char *detail, const char *fix,
                   int needs_root)
{
        struct rc_check_result r;

        assert_true(rc_check_run_one(&f->ctx, id, &r));
        if (r.status != status)
                fail_msg("%s: status %s, expected %s: %s", id, rc_check_status_name(r.status),
                         rc_check_status_name(status), r.detail);
        if (detail && strstr(r.detail, detail) == NULL)
                fail_msg("%s: detail '%s' lacks '%s'", id, r.detail, detail);
        if (fix == NULL && r.fix)
                fail_msg("%s: unexpected fix '%s'", id, r.fix);
        if (fix && (r.fix == NULL || strstr(r.fix, fix) == NULL))
                fail_msg("%s: fix '%s' lacks '%s'", id, r.fix ? r.fix : "(none)", fix);
        if (fix && needs_root >= 0 && r.fix_needs_root != (needs_root == 1))
                fail_msg("%s: fix_needs_root is %d", id, r.fix_needs_root);
        rc_check_result_clear(&r);
}

static void test_table(void **state)
{
        struct fx *f = *state;
        const struct rc_check_probe *p;
        struct rc_check_result *res;
        size_t n, m;

        p = rc_check_probes(&n);
        assert_true(n >= 15);
        for (size_t i = 0; i < n; i++)
                for (size_t j = i + 1; j < n; j++)
                        assert_string_not_equal(p[i].id, p[j].id);
        rc_check_run_all(&f->ctx, &res, &m);
        assert_int_equal(m, n);
        for (size_t i = 0; i < m; i++) {
                assert_string_equal(res[i].id, p[i].id);
                assert_non_null(res[i].detail);
                /* every failure says how to fix it */
                if (res[i].status == RC_CHECK_FAIL && res[i].fix == NULL)
                        fail_msg("%s FAILs without a fix: %s", res[i].id, res[i].detail);
        }
        rc_check_results_free(res, m);
        {
                struct rc_check_result r;
                assert_false(rc_check_run_one(&f->ctx, "no-such-probe", &r));
        }
}

static void test_kernel(void **state)
{
        struct fx *f = *state;

        expect(f, "kernel", RC_CHECK_SKIP, "cannot read", NULL, 0);
        put(f, "proc/sys/kernel/osrelease", "6.1.0-18-amd64\n");
        expect(f, "kernel", RC_CHECK_OK, "Linux 6.1.0-18-amd64", NULL, 0);
        put(f, "proc/sys/kernel/osrelease", "5.4.0-150-generic\n");
        expect(f, "kernel", RC_CHECK_WARN, "needs 5.11", "upgrade", 1);
        put(f, "proc/sys/kernel/osrelease", "4.15.0\n");
        expect(f, "kernel", RC_CHECK_FAIL, "too old", "upgrade", 1);
}

static void test_userns_sysctls(void **state)
{
        struct fx *f = *state;

        expect(f, "userns", RC_CHECK_FAIL, "CONFIG_USER_NS", "", 1);
        put(f, "proc/sys/user/max_user_namespaces", "63000\n");
        expect(f, "userns", RC_CHECK_OK, "63000", NULL, 0);
        put(f, "proc/sys/user/max_user_namespaces", "0\n");
        expect(f, "userns", RC_CHECK_FAIL, "max_user_namespaces = 0", "sysctl -w user.max_user_namespaces=15000", 1);
        put(f, "proc/sys/user/max_user_namespaces", "63000\n");
        put(f, "proc/sys/kernel/unprivileged_userns_clone", "0\n");
        expect(f, "userns", RC_CHECK_FAIL, "unprivileged_userns_clone = 0",
               "sysctl -w kernel.unprivileged_userns_clone=1", 1);
        put(f, "proc/sys/kernel/unprivileged_userns_clone", "1\n");
        put(f, "proc/sys/kernel/apparmor_restrict_unprivileged_userns", "1\n");
        expect(f, "userns", RC_CHECK_FAIL, "AppArmor", "apparmor_parser -r /etc/apparmor.d/rc", 1);
        put(f, "apparmor-rc", "profile rc /usr/bin/rc { userns, }\n");
        expect(f, "userns", RC_CHECK_OK, "grants them", NULL, 0);
        put(f, "proc/sys/kernel/apparmor_restrict_unprivileged_userns", "0\n");
        expect(f, "userns", RC_CHECK_OK, "allowed", NULL, 0);
}

static void test_live_probes_skip(void **state)
{
        struct fx *f = *state;

        expect(f, "userns-create", RC_CHECK_SKIP, "live probes are off", NULL, 0);
        expect(f, "overlay", RC_CHECK_SKIP, NULL, NULL, 0);
        if (getuid() != 0)
                expect(f, "idmap", RC_CHECK_SKIP, "live probes are off", NULL, 0);
}

static void test_subids(void **state)
{
        struct fx *f = *state;

        if (getuid() == 0) {
                expect(f, "subids", RC_CHECK_SKIP, "root", NULL, 0);
                f->ctx.uid = 1000;
                f->ctx.gid = 1000;
        }
        expect(f, "subids", RC_CHECK_FAIL, "no subordinate uid range for user alice", "touch", 1);
        put(f, "subuid", "alice:100000:65536\n");
        put(f, "subgid", "bob:100000:65536\n");
        expect(f, "subids", RC_CHECK_FAIL, "no subordinate gid range for user alice", "echo alice:165536:65536", 1);
        put(f, "subgid", "alice:100000:65536\n");
        expect(f, "subids", RC_CHECK_OK, "65536 uids", NULL, 0);
        put(f, "subgid", "alice:100000:100\n");
        expect(f, "subids", RC_CHECK_WARN, "only 100 subordinate gids", "", 1);
}

static void test_helpers(void **state)
{
        struct fx *f = *state;

        if (getuid() == 0)
                f->ctx.uid = 1000;
        expect(f, "idmap-helpers", RC_CHECK_FAIL, "newuidmap and newgidmap not found", "install", 1);
        put(f, "bin/newuidmap", "#!/bin/sh\n");
        expect(f, "idmap-helpers", RC_CHECK_FAIL, "newgidmap not found", "install", 1);
        put(f, "bin/newgidmap", "#!/bin/sh\n");
        expect(f, "idmap-helpers", RC_CHECK_FAIL, "neither setuid root", "chmod u+s", 1);
}

static void test_xdg_runtime(void **state)
{
        struct fx *f = *state;

        expect(f, "xdg-runtime-dir", RC_CHECK_WARN, "not set", "ssh alice@localhost", 0);
        f->ctx.xdg_runtime_dir = fx_path(f, "xdg");
        expect(f, "xdg-runtime-dir", RC_CHECK_WARN, "does not exist", "", 0);
        f->ctx.xdg_runtime_dir = "/run/user/4000000000";
        expect(f, "xdg-runtime-dir", RC_CHECK_WARN, "another user's directory", "", 0);
        f->ctx.xdg_runtime_dir = fx_path(f, "xdg");
        mkdirs(f, "xdg", 0755);
        expect(f, "xdg-runtime-dir", RC_CHECK_WARN, "mode 755", "chmod 700", 0);
        mkdirs(f, "xdg", 0700);
        expect(f, "xdg-runtime-dir", RC_CHECK_OK, "yours", NULL, 0);
        f->ctx.uid = getuid() + 1; /* the su case: someone else's directory */
        expect(f, "xdg-runtime-dir", RC_CHECK_WARN, "not to you", "", 0);
}

static void test_runroot(void **state)
{
        struct fx *f = *state;

        expect(f, "runroot", RC_CHECK_OK, "created on first use", NULL, 0);
        mkdirs(f, "run/rc", 0777);
        expect(f, "runroot", RC_CHECK_FAIL, "writable by others", "chmod 700", 0);
        mkdirs(f, "run/rc", 0700);
        expect(f, "runroot", RC_CHECK_OK, NULL, NULL, 0);
        f->ctx.uid = getuid() + 1;
        expect(f, "runroot", RC_CHECK_FAIL, "not to you", "rm -rf", 1);
}

static void test_storage_fs(void **state)
{
        struct fx *f = *state;
        struct rc_check_result r;

        assert_true(rc_check_run_one(&f->ctx, "storage-fs", &r));
        /* a temporary directory is local; it may be noexec on some hosts */
        assert_true(r.status == RC_CHECK_OK || (r.status == RC_CHECK_FAIL && strstr(r.detail, "noexec")));
        if (r.status == RC_CHECK_OK)
                assert_non_null(strstr(r.detail, "created on first use"));
        else
                assert_non_null(strstr(r.fix, "root = /var/tmp/rc-alice"));
        rc_check_result_clear(&r);
}

static void test_devices(void **state)
{
        struct fx *f = *state;

        expect(f, "fuse", RC_CHECK_WARN, "does not exist", "modprobe fuse", 1);
        expect(f, "tun", RC_CHECK_WARN, "--network none", "modprobe tun", 1);
        put(f, "dev/fuse", "");
        put(f, "dev/tun", "");
        expect(f, "tun", RC_CHECK_OK, "usable", NULL, 0);
        expect(f, "fuse", RC_CHECK_WARN, "fuse-overlayfs is not installed", "apt-get install fuse-overlayfs", 1);
        put(f, "bin/fuse-overlayfs", "#!/bin/sh\n");
        expect(f, "fuse", RC_CHECK_OK, "are usable", NULL, 0);
        if (getuid() != 0) { /* root opens anything */
                char *p = xasprintf("%s/dev/fuse", f->dir);
                assert_int_equal(chmod(p, 0), 0);
                expect(f, "fuse", RC_CHECK_WARN, "Permission denied", "chmod 0666", 1);
                free(p);
        }
}

static void test_cgroup(void **state)
{
        struct fx *f = *state;
        char *mi;

        put(f, "mountinfo", "22 1 0:21 / / rw - ext4 /dev/sda1 rw\n");
        expect(f, "cgroup", RC_CHECK_WARN, "nothing is mounted", "", 1);
        /* hybrid: tmpfs with v1 hierarchies, v2 at unified */
        mi = xasprintf("22 1 0:21 / / rw - ext4 /dev/sda1 rw\n"
                       "30 22 0:26 / %s rw,nosuid - tmpfs tmpfs ro\n"
                       "31 30 0:27 / %s/unified rw - cgroup2 cgroup2 rw\n"
                       "32 30 0:28 / %s/memory rw - cgroup cgroup rw,memory\n",
                       f->ctx.cgroup_root, f->ctx.cgroup_root, f->ctx.cgroup_root);
        put(f, "mountinfo", mi);
        free(mi);
        expect(f, "cgroup", RC_CHECK_WARN, "hybrid", "systemd.unified_cgroup_hierarchy=1", 1);
        /* v2, our own delegated cgroup */
        mi = xasprintf("22 1 0:21 / / rw - ext4 /dev/sda1 rw\n30 22 0:26 / %s rw - cgroup2 cgroup2 rw\n",
                       f->ctx.cgroup_root);
        put(f, "mountinfo", mi);
        free(mi);
        put(f, "proc-cgroup", "0::/user.slice/me\n");
        put(f, "cgroup/user.slice/me/cgroup.controllers", "cpuset cpu io memory pids\n");
        expect(f, "cgroup", RC_CHECK_OK, "cpuset cpu io memory pids", NULL, 0);
        put(f, "cgroup/user.slice/me/cgroup.controllers", "cpuset io memory\n");
        expect(f, "cgroup", RC_CHECK_WARN, "cpu, pids controllers are not delegated", "Delegate=", 1);
        /* "cpuset" must not count as "cpu" */
        put(f, "cgroup/user.slice/me/cgroup.controllers", "cpuset memory pids\n");
        expect(f, "cgroup", RC_CHECK_WARN, "the cpu controller is not", "Delegate=", 1);
        /* someone else's cgroup and no user manager */
        f->ctx.uid = getuid() + 1;
        expect(f, "cgroup", RC_CHECK_WARN, "not delegated to you", "loginctl enable-linger alice", 1);
}

static void test_systemd_and_linger(void **state)
{
        struct fx *f = *state;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int fd;

        expect(f, "systemd", RC_CHECK_SKIP, "does not run systemd", NULL, 0);
        expect(f, "linger", RC_CHECK_SKIP, "does not run systemd", NULL, 0);
        mkdirs(f, "run/systemd/system", 0755);
        expect(f, "systemd", RC_CHECK_WARN, "unset", "", 0);
        f->ctx.xdg_runtime_dir = fx_path(f, "xdg");
        mkdirs(f, "xdg", 0700);
        expect(f, "systemd", RC_CHECK_WARN, "no systemd user manager", "loginctl enable-linger alice", 1);
        /* the manager's own socket is enough: rc talks to it directly */
        mkdirs(f, "xdg/systemd", 0700);
        put(f, "xdg/systemd/private", ""); /* a file is not a socket */
        expect(f, "systemd", RC_CHECK_WARN, "no systemd user manager", "loginctl enable-linger alice", 1);
        unlink(fx_path(f, "xdg/systemd/private"));
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/xdg/systemd/private", f->dir);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_true(fd >= 0);
        assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
        expect(f, "systemd", RC_CHECK_OK, "systemd/private exists", NULL, 0);
        close(fd);
        unlink(fx_path(f, "xdg/systemd/private"));
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/xdg/bus", f->dir);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_true(fd >= 0);
        assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
        expect(f, "systemd", RC_CHECK_OK, "exists", NULL, 0);
        close(fd);
        /* DBUS_SESSION_BUS_ADDRESS wins over XDG_RUNTIME_DIR */
        f->ctx.dbus_address = "unix:path=/nonexistent/bus,guid=1234";
        expect(f, "systemd", RC_CHECK_WARN, "nor /nonexistent/bus exists", "", 1);

        expect(f, "linger", RC_CHECK_WARN, "off for alice", "loginctl enable-linger alice", 1);
        put(f, "linger/alice", "");
        expect(f, "linger", RC_CHECK_OK, "enabled", NULL, 0);
}

static void test_sysctls(void **state)
{
        struct fx *f = *state;

        expect(f, "ports", RC_CHECK_SKIP, NULL, NULL, 0);
        put(f, "proc/sys/net/ipv4/ip_unprivileged_port_start", "1024\n");
        expect(f, "ports", RC_CHECK_INFO, "below 1024 needs root", "ip_unprivileged_port_start=80", 1);
        put(f, "proc/sys/net/ipv4/ip_unprivileged_port_start", "4096\n");
        expect(f, "ports", RC_CHECK_WARN, "below 4096", "", 1);
        put(f, "proc/sys/net/ipv4/ip_unprivileged_port_start", "0\n");
        expect(f, "ports", RC_CHECK_OK, "any host port", NULL, 0);

        put(f, "proc/sys/net/ipv4/ping_group_range", "1\t0\n");
        expect(f, "ping", RC_CHECK_INFO, "does not include your gid", "ping_group_range='0 2147483647'", 1);
        put(f, "proc/sys/net/ipv4/ping_group_range", "0\t2147483647\n");
        expect(f, "ping", RC_CHECK_OK, "ping works", NULL, 0);
}

static void test_dns(void **state)
{
        struct fx *f = *state;

        expect(f, "dns", RC_CHECK_WARN, "no nameserver", "--dns", 0);
        put(f, "resolv.conf", "# stub\nnameserver 127.0.0.53\noptions edns0\n");
        expect(f, "dns", RC_CHECK_OK, "(systemd-resolved's stub): containers ask them through the forwarder", NULL,
               0);
        put(f, "resolv.conf", "nameserver ::1\nnameserver 192.0.2.1\n");
        expect(f, "dns", RC_CHECK_OK, "a --network none container gets only 192.0.2.1", NULL, 0);
        put(f, "resolv.conf", "search example.org\nnameserver 10.0.0.2\n");
        expect(f, "dns", RC_CHECK_OK, "nameservers 10.0.0.2 (containers ask them", NULL, 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_table, setup, teardown),
                cmocka_unit_test_setup_teardown(test_kernel, setup, teardown),
                cmocka_unit_test_setup_teardown(test_userns_sysctls, setup, teardown),
                cmocka_unit_test_setup_teardown(test_live_probes_skip, setup, teardown),
                cmocka_unit_test_setup_teardown(test_subids, setup, teardown),
                cmocka_unit_test_setup_teardown(test_helpers, setup, teardown),
                cmocka_unit_test_setup_teardown(test_xdg_runtime, setup, teardown),
                cmocka_unit_test_setup_teardown(test_runroot, setup, teardown),
                cmocka_unit_test_setup_teardown(test_storage_fs, setup, teardown),
                cmocka_unit_test_setup_teardown(test_devices, setup, teardown),
                cmocka_unit_test_setup_teardown(test_cgroup, setup, teardown),
                cmocka_unit_test_setup_teardown(test_systemd_and_linger, setup, teardown),
                cmocka_unit_test_setup_teardown(test_sysctls, setup, teardown),
                cmocka_unit_test_setup_teardown(test_dns, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
