/* rc run, rc create, rc start: the ways a container comes to run. */
#include "container/container.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "container/internal.h"
#include "userns/userns.h"
#include "util/fd.h"
#include "util/fs.h"
#include "util/xalloc.h"

/* The foreground way: rc itself is the monitor.  --rm and -t hand rc's
 * own stdio to the container (nothing to keep, or a terminal to relay);
 * otherwise its output goes through rc into the log as well. */
static int start_foreground(struct ctr_state *st, int *exit_code, rc_error **err)
{
        const struct rc_run_opts *o = st->opts;
        struct rc_container_proc proc = { .pid = -1, .pidfd = -1, .terminal = -1, .tap = -1 };
        struct rc_runtime_stdio stdio = { .in = o->interactive ? STDIN_FILENO : -1,
                                          .out = STDOUT_FILENO,
                                          .err = STDERR_FILENO,
                                          .terminal = o->tty };
        struct winsize ws;
        rc_error *e = NULL;

        if (o->tty && ctr_notify_relayed(st))
                return rc_error_code(err, ENOTSUP,
                                     "--sdnotify=container with -t in the foreground: the container's "
                                     "messages need rc's monitor; run it with -d (as generated units do)");
        /* the monitor's loop logs, and relays what the container says */
        if ((!o->auto_remove || ctr_notify_relayed(st)) && !o->tty) {
                struct ctr_monitor m = { .st = st, .foreground = true, .stdin_fd = stdio.in };
                int no_report = -1;
                return ctr_monitor_run(&m, &no_report, exit_code, err);
        }
        if (o->tty && (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 || ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0)) {
                stdio.rows = ws.ws_row;
                stdio.cols = ws.ws_col;
        }
        if (ctr_net_begin(st, err) < 0)
                return -1;
        if (st->cgroups)
                rc_cgroup_warm(st->cgroups);
        if (rc_runtime_start(&st->spec, &stdio, &proc, err) < 0) {
                int errnum = rc_error_errno(*err);
                if (proc.exec_failed)
                        *exit_code = errnum == ENOENT ? 127 : errnum == EACCES ? 126 : 125;
                ctr_cgroup_done(st);
                ctr_net_release(st);
                return -1;
        }
        rc_timer_phase(&st->timer, "start (clone to exec)");
        if (ctr_net_started(st, &proc, err) < 0) {
                int ignored;
                syscall(SYS_pidfd_send_signal, proc.pidfd, SIGKILL, NULL, 0);
                rc_runtime_wait(&proc, &stdio, &ignored, &e);
                rc_error_free(e);
                ctr_cgroup_done(st);
                ctr_net_release(st);
                return -1;
        }
        ctr_notify_ready(st);
        st->rec.pid = proc.pid;
        st->rec.pid_start = rc_process_start_time(proc.pid);
        if (rc_store_container_set_running(st->store, &st->rec, false, &e) < 0) {
                rc_warn("container %.12s: %s", st->rec.id, e->msg);
                rc_error_free(e);
                e = NULL;
        }
        if (rc_runtime_wait(&proc, &stdio, exit_code, err) < 0) {
                if (proc.pidfd >= 0)
                        close(proc.pidfd);
                if (proc.terminal >= 0)
                        close(proc.terminal);
                ctr_cgroup_done(st);
                ctr_net_release(st);
                return -1;
        }
        ctr_cgroup_done(st);
        ctr_net_release(st);
        rc_timer_phase(&st->timer, "wait");
        if (o->auto_remove && o->name)
                ctr_write_exit_file(st, *exit_code); /* someone may rc wait for it by name */
        if (!o->auto_remove && rc_store_container_set_exited(st->store, st->rec.id, *exit_code, &e) < 0) {
                rc_warn("container %.12s: %s", st->rec.id, e->msg);
                rc_error_free(e);
        }
        return 0;
}

/* The monitor of a detached container: in a session of its own, stdio on
 * /dev/null (its warnings go to the container's monitor.log), holding the
 * container's root file system in the mount namespace it shares. */
static __attribute__((noreturn)) void monitor_main(struct ctr_state *st, int report_fd)
{
        struct ctr_monitor m = { .st = st, .foreground = false, .stdin_fd = -1 };
        cleanup_free char *log_path = xasprintf("%s/monitor.log", st->dir);
        rc_error *err = NULL;
        int exit_code, fd;

        setsid();
        /* nothing of the command that started it stays open: a caller
         * waiting for EOF on a pipe it gave rc must not wait for the
         * container's lifetime */
        rc_close_fds_except(&report_fd, 1);
        fd = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (fd >= 0) {
                dup2(fd, STDIN_FILENO);
                dup2(fd, STDOUT_FILENO);
                close(fd);
        }
        fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (fd >= 0) {
                dup2(fd, STDERR_FILENO);
                close(fd);
        }
        st->rec.monitor_pid = getpid();
        st->rec.monitor_start = rc_process_start_time(getpid());
        if (ctr_monitor_run(&m, &report_fd, &exit_code, &err) < 0) {
                rc_error *e = NULL;
                if (report_fd < 0)
                        rc_warn("container %.12s: %s", st->rec.id, err->msg);
                if (!st->opts->auto_remove && ctr_store(st) &&
                    rc_store_container_set_exited(st->store, st->rec.id, exit_code, &e) < 0)
                        rc_error_free(e);
        }
        /* cleaned up before a failure is reported: the caller then finds
         * no trace of a --rm container that never ran */
        ctr_teardown(st, st->opts->auto_remove);
        ctr_report_send(&report_fd, -1, exit_code, err);
        rc_error_free(err);
        ctr_state_free(st);
        /* the container's status is the monitor's: a service manager that
         * watches the monitor (rc generate systemd) sees a failure as one;
         * an end that was asked for is a success */
        _exit(m.stopped ? 0 : exit_code & 0xff);
}

int ctr_start_detached(struct ctr_state *st, int *exit_code, rc_error **err)
{
        struct ctr_report r;
        int report[2];
        ssize_t n;
        pid_t pid;

        if (pipe2(report, O_CLOEXEC) < 0)
                return rc_error_set(err, errno, "pipe");
        /* SQLite connections must not cross a fork: the monitor opens its own */
        rc_store_closep(&st->store);
        fflush(stdout);
        fflush(stderr);
        pid = fork();
        if (pid < 0) {
                close(report[0]);
                close(report[1]);
                return rc_error_set(err, errno, "fork the container's monitor");
        }
        if (pid == 0) {
                close(report[0]);
                monitor_main(st, report[1]);
        }
        close(report[1]);
        /* the monitor shares this mount namespace and owns the mount now */
        st->rootfs.mounted = false;
        do
                n = read(report[0], &r, sizeof(r));
        while (n < 0 && errno == EINTR);
        close(report[0]);
        rc_timer_phase(&st->timer, "the monitor started it");
        if (n != (ssize_t)sizeof(r))
                return rc_error_set(err, EPROTO, "the monitor of container %.12s died before the container started",
                                    st->rec.id);
        if (r.status < 0) {
                r.msg[sizeof(r.msg) - 1] = '\0';
                *exit_code = r.exit_code;
                rc_error_set(err, 0, "%s", r.msg);
                if (err && *err)
                        (*err)->errnum = r.errnum;
                return -1;
        }
        return 0;
}

/* --replace: a container that has the name already is removed (stopped
 * first), as podman does; only an exact name counts, never an id prefix. */
static int replace_existing(const struct rc_config *cfg, struct ctr_state *st, rc_error **err)
{
        struct rc_container_rec rec;
        rc_error *e = NULL;
        int r = 0;

        if (!st->opts->replace || st->opts->name == NULL)
                return 0;
        if (rc_store_container_find(st->store, st->opts->name, &rec, &e) < 0) {
                rc_error_free(e);
                return 0;
        }
        if (strcmp(rec.name, st->opts->name) == 0)
                r = rc_container_remove(cfg, st->store, rec.id, true, err);
        rc_container_rec_free(&rec);
        return r;
}

static int enter_and_open(const struct rc_config *cfg, struct ctr_state *st, rc_error **err)
{
        struct rc_userns_state us;

        if (rc_userns_enter(cfg, &us, err) < 0)
                return -1;
        rc_userns_state_free(&us);
        rc_timer_phase(&st->timer, "user namespace");
        if (rc_store_open(cfg->root, cfg->runroot, &st->store, err) < 0)
                return -1;
        rc_timer_phase(&st->timer, "store open");
        if (rc_store_gc(st->store, err) < 0)
                return -1;
        rc_timer_phase(&st->timer, "store gc");
        return 0;
}

int rc_container_run(const struct rc_config *cfg, const struct rc_run_opts *o, char id_out[65], int *exit_code,
                     rc_error **err)
{
        struct ctr_state st = { .cfg = cfg, .opts = o };
        bool remove = o->auto_remove;
        int r = -1;

        rc_timer_start(&st.timer, "run");
        *exit_code = 125;
        if (id_out)
                id_out[0] = '\0';
        /* a bad option or profile is refused before anything exists */
        if (ctr_check_opts(&st, err) < 0 || ctr_check_new(&st, err) < 0)
                goto out;
        if (enter_and_open(cfg, &st, err) < 0 || replace_existing(cfg, &st, err) < 0)
                goto out;
        if (ctr_create(&st, o->detach ? 0 : getpid(), err) < 0) {
                remove = true; /* a half-created container is not kept */
                goto out;
        }
        if (id_out)
                memcpy(id_out, st.rec.id, 65);
        if (ctr_prepare(&st, err) < 0)
                goto out;
        if (o->detach) {
                /* the monitor's now; if it failed, it cleaned up itself */
                r = ctr_start_detached(&st, exit_code, err);
                if (r == 0)
                        *exit_code = 0;
                remove = false;
                goto out;
        }
        r = start_foreground(&st, exit_code, err);
        if (r < 0 && !o->auto_remove) {
                rc_error *e = NULL;
                if (rc_store_container_set_exited(st.store, st.rec.id, *exit_code, &e) < 0)
                        rc_error_free(e);
        }
out:
        ctr_teardown(&st, remove);
        ctr_state_free(&st);
        rc_timer_phase(&st.timer, "remove");
        rc_timer_total(&st.timer);
        return r;
}

int rc_container_create(const struct rc_config *cfg, const struct rc_run_opts *o, char id_out[65], rc_error **err)
{
        struct ctr_state st = { .cfg = cfg, .opts = o };
        int r = -1;

        rc_timer_start(&st.timer, "create");
        if (ctr_check_opts(&st, err) < 0 || ctr_check_new(&st, err) < 0 || enter_and_open(cfg, &st, err) < 0 ||
            replace_existing(cfg, &st, err) < 0)
                goto out;
        if (ctr_create(&st, 0, err) < 0) {
                ctr_teardown(&st, true);
                goto out;
        }
        memcpy(id_out, st.rec.id, 65);
        r = 0;
out:
        ctr_state_free(&st);
        return r;
}

int rc_container_start(const struct rc_config *cfg, const char *name_or_id, bool attach, int *exit_code,
                       rc_error **err)
{
        struct ctr_state st = { .cfg = cfg };
        struct rc_saved_opts saved = { 0 };
        int r = -1;

        rc_timer_start(&st.timer, "start");
        *exit_code = 125;
        if (enter_and_open(cfg, &st, err) < 0 || ctr_load(&st, name_or_id, &saved, err) < 0)
                goto out;
        if (strcmp(rc_container_rec_status(&st.rec), "running") == 0) {
                *exit_code = 0;
                r = 0;
                goto out;
        }
        if (rc_store_container_set_stop_requested(st.store, st.rec.id, false, err) < 0)
                goto out;
        if (ctr_prepare(&st, err) < 0)
                goto out;
        if (attach) {
                st.rec.monitor_pid = getpid();
                st.rec.monitor_start = rc_process_start_time(getpid());
                r = start_foreground(&st, exit_code, err);
                ctr_teardown(&st, r == 0 && saved.opts.auto_remove);
        } else {
                r = ctr_start_detached(&st, exit_code, err);
                if (r == 0)
                        *exit_code = 0;
        }
out:
        if (r < 0)
                ctr_teardown(&st, false);
        ctr_state_free(&st);
        rc_saved_opts_free(&saved);
        return r;
}
