/* rc's small D-Bus client (pkg/cgroup/dbus.c) against sd-bus as the server:
 * what rc writes is what systemd reads (every property of a scope with
 * limits), and replies, errors and JobRemoved signals come back right. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <systemd/sd-bus.h>

#include "cgroup/internal.h"
#include "util/fs.h"
#include "util/xalloc.h"

/* The properties of a StartTransientUnit call, one "Name=type:value" line each. */
static void dump_props(sd_bus_message *m, FILE *out)
{
        const char *name, *sig;

        assert_true(sd_bus_message_enter_container(m, 'a', "(sv)") > 0);
        while (sd_bus_message_enter_container(m, 'r', "sv") > 0) {
                assert_true(sd_bus_message_read(m, "s", &name) > 0);
                assert_true(sd_bus_message_peek_type(m, NULL, &sig) > 0);
                assert_true(sd_bus_message_enter_container(m, 'v', sig) > 0);
                if (!strcmp(sig, "s")) {
                        const char *v;
                        sd_bus_message_read(m, "s", &v);
                        fprintf(out, "%s=s:%s\n", name, v);
                } else if (!strcmp(sig, "b")) {
                        int v;
                        sd_bus_message_read(m, "b", &v);
                        fprintf(out, "%s=b:%d\n", name, v);
                } else if (!strcmp(sig, "t")) {
                        uint64_t v;
                        sd_bus_message_read(m, "t", &v);
                        fprintf(out, "%s=t:%llu\n", name, (unsigned long long)v);
                } else if (!strcmp(sig, "au")) {
                        uint32_t v;
                        sd_bus_message_enter_container(m, 'a', "u");
                        while (sd_bus_message_read(m, "u", &v) > 0)
                                fprintf(out, "%s=au:%u\n", name, v);
                        sd_bus_message_exit_container(m);
                } else {
                        fprintf(out, "%s=%s:?\n", name, sig);
                        sd_bus_message_skip(m, sig);
                }
                sd_bus_message_exit_container(m);
                sd_bus_message_exit_container(m);
        }
        sd_bus_message_exit_container(m);
        /* the auxiliary units: an empty array */
        assert_true(sd_bus_message_enter_container(m, 'a', "(sa(sv))") > 0);
        assert_int_equal(sd_bus_message_at_end(m, 0), 1);
        sd_bus_message_exit_container(m);
}

/* A fake manager on `path`: answers calls as systemd would, writing what
 * it was asked into `log`.  The first StartTransientUnit of a name that
 * starts with "exists" is refused with UnitExists. */
static void fake_manager(const char *path, const char *log)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        FILE *out = fopen(log, "w");
        sd_id128_t id = SD_ID128_MAKE(01, 23, 45, 67, 89, ab, cd, ef, 01, 23, 45, 67, 89, ab, cd, ef);
        sd_bus *bus = NULL;
        int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), fd, job = 0;

        strcpy(sa.sun_path, path);
        if (out == NULL || lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 1) < 0)
                _exit(2);
        fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0 || sd_bus_new(&bus) < 0 || sd_bus_set_fd(bus, fd, fd) < 0 || sd_bus_set_server(bus, 1, id) < 0 ||
            sd_bus_start(bus) < 0)
                _exit(3);
        for (;;) {
                sd_bus_message *m = NULL;
                int r = sd_bus_process(bus, &m);
                char jobpath[64];
                const char *name, *mode, *member;
                if (r < 0)
                        break; /* the client went away */
                if (r == 0) {
                        if (sd_bus_wait(bus, 5000000) <= 0)
                                break;
                        continue;
                }
                if (m == NULL || !sd_bus_message_is_method_call(m, NULL, NULL))
                        goto next;
                member = sd_bus_message_get_member(m);
                fprintf(out, "call %s %s %s %s\n", member, sd_bus_message_get_path(m),
                        sd_bus_message_get_interface(m), sd_bus_message_get_destination(m));
                snprintf(jobpath, sizeof(jobpath), "/org/freedesktop/systemd1/job/%d", ++job);
                if (!strcmp(member, "StartTransientUnit")) {
                        sd_bus_message_read(m, "ss", &name, &mode);
                        fprintf(out, "name %s mode %s\n", name, mode);
                        dump_props(m, out);
                        if (!strncmp(name, "exists", 6)) {
                                sd_bus_reply_method_errorf(m, "org.freedesktop.systemd1.UnitExists",
                                                           "Unit %s was already loaded or has a fragment file.", name);
                                goto next;
                        }
                } else if (!strcmp(member, "StopUnit")) {
                        sd_bus_message_read(m, "ss", &name, &mode);
                        fprintf(out, "name %s mode %s\n", name, mode);
                } else if (!strcmp(member, "ResetFailedUnit")) {
                        sd_bus_message_read(m, "s", &name);
                        fprintf(out, "name %s\n", name);
                        sd_bus_reply_method_return(m, "");
                        goto next;
                }
                /* a signal of another job first, then the reply, then ours */
                sd_bus_emit_signal(bus, "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager", "JobNew",
                                   "uos", 99, "/org/freedesktop/systemd1/job/99", "other.service");
                sd_bus_emit_signal(bus, "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
                                   "JobRemoved", "uoss", 99, "/org/freedesktop/systemd1/job/99", "other.service",
                                   "failed");
                sd_bus_reply_method_return(m, "o", jobpath);
                sd_bus_emit_signal(bus, "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
                                   "JobRemoved", "uoss", job, jobpath, name, "done");
        next:
                fflush(out);
                sd_bus_message_unref(m);
        }
        fclose(out);
        sd_bus_flush_close_unref(bus);
        _exit(0);
}

static void test_scope_requests(void **state)
{
        char dir[] = "/tmp/rc-test-dbus-XXXXXX";
        cleanup_free char *path = NULL, *log = NULL, *text = NULL;
        struct rc_cgroup_limits l = { .memory = 64ULL << 20, .memory_swap = -1, .cpu_quota = 500000,
                                      .cpu_weight = 39, .pids = 100, .io_weight = 4950 };
        struct cg_dbus *c = NULL;
        rc_error *err = NULL;
        char error_name[128];
        int status;
        pid_t pid;

        (void)state;
        assert_non_null(mkdtemp(dir));
        path = xasprintf("%s/private", dir);
        log = xasprintf("%s/log", dir);
        pid = fork();
        if (pid == 0)
                fake_manager(path, log);
        for (int i = 0; i < 200 && access(path, F_OK) < 0; i++)
                usleep(10000);
        assert_int_equal(cg_dbus_connect(path, &c, &err), 0);
        assert_int_equal(cg_dbus_start_scope(c, "rc-abc.scope", "rc container \"web\" 100%", 4242, &l, true,
                                             error_name, sizeof(error_name), &err),
                         0);
        /* refused: the error's name and text come back */
        assert_int_equal(cg_dbus_start_scope(c, "exists.scope", "x", 1, &(struct rc_cgroup_limits){ 0 }, false,
                                             error_name, sizeof(error_name), &err),
                         -1);
        assert_string_equal(error_name, "org.freedesktop.systemd1.UnitExists");
        assert_non_null(strstr(err->msg, "was already loaded"));
        rc_error_free(err);
        err = NULL;
        assert_int_equal(cg_dbus_stop_unit(c, "exists.scope", &err), 0);
        cg_dbus_close(c);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);

        assert_int_equal(rc_read_file(log, &text, NULL, &err), 0);
        assert_non_null(strstr(text, "call StartTransientUnit /org/freedesktop/systemd1 "
                                     "org.freedesktop.systemd1.Manager org.freedesktop.systemd1\n"
                                     "name rc-abc.scope mode fail\n"
                                     "Description=s:rc container \"web\" 100%\n"
                                     "PIDs=au:4242\n"
                                     "Delegate=b:1\n"
                                     "CollectMode=s:inactive-or-failed\n"
                                     "MemoryAccounting=b:1\nTasksAccounting=b:1\nCPUAccounting=b:1\nIOAccounting=b:1\n"
                                     "MemoryMax=t:67108864\n"
                                     "MemorySwapMax=t:18446744073709551615\n"
                                     "CPUQuotaPerSecUSec=t:500000\n"
                                     "CPUWeight=t:39\n"
                                     "TasksMax=t:100\n"
                                     "IOWeight=t:4950\n"));
        assert_non_null(strstr(text, "call StopUnit /org/freedesktop/systemd1 org.freedesktop.systemd1.Manager "
                                     "org.freedesktop.systemd1\nname exists.scope mode replace\n"
                                     "call ResetFailedUnit"));
        unlink(path);
        unlink(log);
        rmdir(dir);
}

static void test_refused(void **state)
{
        struct cg_dbus *c = NULL;
        rc_error *err = NULL;

        (void)state;
        assert_int_equal(cg_dbus_connect("/nonexistent/systemd/private", &c, &err), -1);
        assert_non_null(strstr(err->msg, "connect to the systemd user manager on /nonexistent/systemd/private"));
        rc_error_free(err);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_scope_requests),
                cmocka_unit_test(test_refused),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
