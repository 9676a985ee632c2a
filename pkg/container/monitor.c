/* The monitor: starts the container's process, writes its output to the
 * log (and, in the foreground, to rc's own stdout and stderr), forwards
 * signals, records its exit and applies the restart policy. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "container/internal.h"
#include "util/fs.h"
#include "util/memory.h"
#include "util/notify.h"
#include "util/xalloc.h"

#define LINE_MAX_BYTES 16384 /* a longer line is logged in parts (P records) */

struct stream {
        int fd;           /* read end; -1 once at EOF */
        const char *name; /* stdout, stderr */
        char kind;        /* ATTACH_STDOUT, ATTACH_STDERR */
        struct ctr_attach *attach;
        int tee;          /* foreground: rc's own fd, else -1 */
        size_t len;
        char buf[LINE_MAX_BYTES];
};

/* Log each complete line; at EOF or with a full buffer, what is left as a
 * partial record. */
static void stream_log(struct stream *s, struct ctr_log *log, bool eof)
{
        size_t start = 0;

        for (;;) {
                char *nl = memchr(s->buf + start, '\n', s->len - start);
                if (nl == NULL)
                        break;
                ctr_log_write(log, s->name, s->buf + start, (size_t)(nl - (s->buf + start)), false);
                start = (size_t)(nl - s->buf) + 1;
        }
        if (start < s->len && (eof || (start == 0 && s->len == sizeof(s->buf)))) {
                ctr_log_write(log, s->name, s->buf + start, s->len - start, true);
                start = s->len;
        }
        memmove(s->buf, s->buf + start, s->len - start);
        s->len -= start;
}

/* Read what is there; false at EOF (or a terminal's EIO, once every
 * process closed its side). */
static bool stream_read(struct stream *s, struct ctr_log *log)
{
        for (;;) {
                ssize_t n = read(s->fd, s->buf + s->len, sizeof(s->buf) - s->len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        return true;
                if (n <= 0) {
                        stream_log(s, log, true);
                        close(s->fd);
                        s->fd = -1;
                        return false;
                }
                if (s->tee >= 0 && rc_write_all(s->tee, s->buf + s->len, (size_t)n) < 0)
                        s->tee = -1; /* rc's output went away: keep logging */
                if (s->attach)
                        ctr_attach_send(s->attach, s->kind, s->buf + s->len, (size_t)n);
                s->len += (size_t)n;
                stream_log(s, log, false);
        }
}

static int output_pipe(int fds[2], rc_error **err)
{
        if (pipe2(fds, O_CLOEXEC) < 0)
                return rc_error_set(err, errno, "pipe");
        fcntl(fds[0], F_SETFL, O_NONBLOCK);
        return 0;
}

void ctr_report_send(int *fd, int status, int exit_code, const rc_error *e)
{
        struct ctr_report r = { .status = status, .exit_code = exit_code };

        if (*fd < 0)
                return;
        if (e) {
                r.errnum = e->errnum;
                snprintf(r.msg, sizeof(r.msg), "%s", e->msg);
        }
        if (write(*fd, &r, sizeof(r)) < 0) {
                /* the command that waited is gone; nothing to tell */
        }
        close(*fd);
        *fd = -1;
}

void ctr_notify_ready(const struct ctr_state *st)
{
        char state[64];

        if (st->opts->sdnotify == RC_SDNOTIFY_IGNORE)
                return;
        /* MAINPID first: the command that started this process may exit
         * right after, and the manager must know who its main process is;
         * READY=1 is the container's to say with --sdnotify=container */
        if (st->opts->sdnotify == RC_SDNOTIFY_CONTAINER)
                snprintf(state, sizeof(state), "MAINPID=%d", (int)getpid());
        else
                snprintf(state, sizeof(state), "MAINPID=%d\nREADY=1", (int)getpid());
        if (rc_notify(state) < 0)
                rc_warn("container %.12s: tell the service manager it runs: %s", st->rec.id, strerror(errno));
}

/* Whether rc stop or rc kill asked the container to end. */
static bool stop_was_requested(struct ctr_state *st)
{
        struct rc_container_rec rec;
        rc_error *e = NULL;
        bool requested;

        if (!ctr_store(st) || rc_store_container_find(st->store, st->rec.id, &rec, &e) < 0) {
                rc_error_free(e);
                return false;
        }
        requested = rec.stop_requested;
        rc_container_rec_free(&rec);
        return requested;
}

static void record_running(struct ctr_state *st, const struct rc_container_proc *proc, bool restart)
{
        rc_error *e = NULL;

        st->rec.pid = proc->pid;
        st->rec.pid_start = rc_process_start_time(proc->pid);
        if (ctr_store(st) && rc_store_container_set_running(st->store, &st->rec, restart, &e) < 0) {
                rc_warn("container %.12s: %s", st->rec.id, e->msg);
                rc_error_free(e);
        }
}

static void record_exited(struct ctr_state *st, int exit_code)
{
        rc_error *e = NULL;

        if (ctr_store(st) && rc_store_container_set_exited(st->store, st->rec.id, exit_code, &e) < 0) {
                rc_warn("container %.12s: %s", st->rec.id, e->msg);
                rc_error_free(e);
        }
}

static const int monitor_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };

static int signal_fd(rc_error **err)
{
        sigset_t set;
        int fd;

        sigemptyset(&set);
        for (size_t i = 0; i < sizeof(monitor_signals) / sizeof(monitor_signals[0]); i++)
                sigaddset(&set, monitor_signals[i]);
        sigprocmask(SIG_BLOCK, &set, NULL);
        fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
        if (fd < 0)
                return rc_error_set(err, errno, "signalfd");
        return fd;
}

/* A detached monitor told to end (SIGTERM, SIGINT, SIGHUP: a logout, the
 * user's service manager) passes it on and does not restart. */
static bool ends_monitor(int sig)
{
        return sig == SIGTERM || sig == SIGINT || sig == SIGHUP;
}

struct run {
        struct ctr_monitor *m;
        struct rc_container_proc proc;
        struct stream out, err, tty;
        struct ctr_log log;
        struct ctr_attach attach; /* detached: rc attach's socket */
        int input;   /* detached -i without -t: the container's stdin, written by attach clients */
        int sigfd;
        bool stop;   /* a signal asked the monitor to end: no restart */
        struct ctr_health_timer health;
        bool health_restart; /* --health-on-failure=restart: restarted whatever the policy */
        struct ctr_notify_relay notify; /* --sdnotify=container */
};

static void forward_signals(struct run *r)
{
        struct signalfd_siginfo si;

        while (read(r->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
                if (!r->m->foreground && ends_monitor((int)si.ssi_signo))
                        r->stop = true;
                if (r->proc.pidfd >= 0)
                        syscall(SYS_pidfd_send_signal, r->proc.pidfd, (int)si.ssi_signo, NULL, 0);
        }
}

/* The end of a detached container's stdin (and a pipe end not handed on). */
static void close_input(struct run *r, int other)
{
        if (r->input >= 0)
                close(r->input);
        r->input = -1;
        if (other >= 0 && other != r->m->stdin_fd)
                close(other);
}

/* The output pipes of a start that failed. */
static void close_pipes(int outp[2], int errp[2])
{
        for (int i = 0; i < 2; i++) {
                if (outp[i] >= 0)
                        close(outp[i]);
                if (errp[i] >= 0)
                        close(errp[i]);
        }
}

/* Start the process once and follow it to its end. */
static int run_once(struct run *r, int *report_fd, bool restart, int *exit_code, rc_error **err)
{
        struct ctr_state *st = r->m->st;
        const struct rc_run_opts *o = st->opts;
        struct rc_runtime_stdio stdio = { .in = r->m->stdin_fd, .terminal = o->tty };
        int outp[2] = { -1, -1 }, errp[2] = { -1, -1 };
        bool exited = false;
        siginfo_t info;

        r->proc = (struct rc_container_proc){ .pid = -1, .pidfd = -1, .terminal = -1, .tap = -1 };
        r->health_restart = false;
        if (!r->m->foreground && o->interactive && !o->tty) {
                int inp[2];
                if (pipe2(inp, O_CLOEXEC) < 0)
                        return rc_error_set(err, errno, "pipe");
                stdio.in = inp[0];
                r->input = inp[1];
        }
        if (!o->tty) {
                if (output_pipe(outp, err) < 0 || output_pipe(errp, err) < 0) {
                        if (outp[0] >= 0) {
                                close(outp[0]);
                                close(outp[1]);
                        }
                        return -1;
                }
                stdio.out = outp[1];
                stdio.err = errp[1];
        } else {
                stdio.out = stdio.err = -1;
        }
        if (st->cgroups)
                rc_cgroup_warm(st->cgroups); /* the manager answers while the container is created */
        if (rc_runtime_start(&st->spec, &stdio, &r->proc, err) < 0) {
                int e = rc_error_errno(*err);
                close_input(r, stdio.in);
                *exit_code = r->proc.exec_failed ? (e == ENOENT ? 127 : e == EACCES ? 126 : 125) : 125;
                ctr_cgroup_done(st);
                close_pipes(outp, errp);
                return -1;
        }
        rc_timer_phase(&st->timer, "start (clone to exec)");
        if (stdio.in >= 0 && stdio.in != r->m->stdin_fd)
                close(stdio.in);
        if (ctr_net_started(st, &r->proc, err) < 0) {
                /* a container whose network could not start is not left running */
                syscall(SYS_pidfd_send_signal, r->proc.pidfd, SIGKILL, NULL, 0);
                waitid(P_PIDFD, (id_t)r->proc.pidfd, &info, WEXITED);
                close(r->proc.pidfd);
                r->proc.pidfd = -1;
                if (r->proc.terminal >= 0)
                        close(r->proc.terminal);
                r->proc.terminal = -1;
                close_input(r, -1);
                ctr_cgroup_done(st);
                close_pipes(outp, errp);
                *exit_code = 125;
                return -1;
        }
        if (!o->tty) {
                close(outp[1]);
                close(errp[1]);
                r->out = (struct stream){ .fd = outp[0], .name = "stdout", .kind = ATTACH_STDOUT,
                                          .attach = &r->attach, .tee = r->m->foreground ? STDOUT_FILENO : -1 };
                r->err = (struct stream){ .fd = errp[0], .name = "stderr", .kind = ATTACH_STDERR,
                                          .attach = &r->attach, .tee = r->m->foreground ? STDERR_FILENO : -1 };
                r->tty.fd = -1;
        } else {
                r->out.fd = r->err.fd = -1;
                r->tty = (struct stream){ .fd = r->proc.terminal, .name = "stdout", .kind = ATTACH_STDOUT,
                                          .attach = &r->attach, .tee = -1 };
                r->proc.terminal = -1;
                fcntl(r->tty.fd, F_SETFL, O_NONBLOCK);
        }
        record_running(st, &r->proc, restart);
        ctr_health_timer_start(&r->health, st);
        /* the service manager first: the rc run that started this monitor
         * exits once it has the report, and a Type=notify unit whose main
         * process ended before READY and MAINPID came has failed */
        if (!restart)
                ctr_notify_ready(st);
        ctr_report_send(report_fd, 0, 0, NULL);
        if (!r->m->foreground) {
                rc_store_closep(&st->store); /* nothing to write until it exits */
                /* from here on the monitor mostly sleeps: keep resident only
                 * what its loop runs */
                rc_memory_trim();
        }
        for (;;) {
                struct pollfd p[5 + 1 + ATTACH_MAX_CLIENTS + CTR_HEALTH_FDS + 1] = {
                        { .fd = r->proc.pidfd, .events = POLLIN }, { .fd = r->sigfd, .events = POLLIN },
                        { .fd = r->out.fd, .events = POLLIN },     { .fd = r->err.fd, .events = POLLIN },
                        { .fd = r->tty.fd, .events = POLLIN }
                };
                bool open_streams = r->out.fd >= 0 || r->err.fd >= 0 || r->tty.fd >= 0;
                size_t n_attach = ctr_attach_fill(&r->attach, p + 5, 1 + ATTACH_MAX_CLIENTS);
                struct rc_poll_source health = ctr_health_source(&r->health);
                int timeout = exited ? 1000 : -1;
                size_t n_health = health.fill(health.ctx, p + 5 + n_attach, CTR_HEALTH_FDS, &timeout);
                struct rc_poll_source notify = ctr_notify_relay_source(&r->notify);
                size_t n_notify = notify.fill(notify.ctx, p + 5 + n_attach + n_health, 1, &timeout);
                int n;

                if (exited && !open_streams)
                        break;
                if (exited)
                        p[0].fd = -1;
                /* once it exited, what it wrote is drained; a stream held
                 * open past that (it cannot be, in its own pid namespace)
                 * does not keep the monitor */
                n = poll(p, 5 + n_attach + n_health + n_notify, timeout);
                if (n < 0 && errno != EINTR) {
                        ctr_health_timer_stop(&r->health);
                        return rc_error_set(err, errno, "poll");
                }
                if (n == 0 && exited)
                        break;
                if (n <= 0)
                        continue;
                if (p[1].revents & POLLIN)
                        forward_signals(r);
                if (p[2].revents)
                        stream_read(&r->out, &r->log);
                if (p[3].revents)
                        stream_read(&r->err, &r->log);
                if (p[4].revents)
                        stream_read(&r->tty, &r->log);
                if (n_attach && ctr_attach_dispatch(&r->attach, p + 5, n_attach, r->tty.fd >= 0 ? r->tty.fd : r->input,
                                                    r->tty.fd))
                        close_input(r, -1);
                if (n_health)
                        health.dispatch(health.ctx, p + 5 + n_attach, n_health);
                if (n_notify)
                        notify.dispatch(notify.ctx, p + 5 + n_attach + n_health, n_notify);
                if (p[0].revents & POLLIN)
                        exited = true;
        }
        ctr_health_timer_stop(&r->health);
        {
                cleanup_free char *mark = ctr_health_restart_path(st->dir);
                r->health_restart = unlink(mark) == 0;
        }
        for (struct stream *s = &r->out; s <= &r->tty; s++) {
                if (s->fd >= 0) {
                        stream_log(s, &r->log, true);
                        close(s->fd);
                        s->fd = -1;
                }
        }
        memset(&info, 0, sizeof(info));
        if (waitid(P_PIDFD, (id_t)r->proc.pidfd, &info, WEXITED) < 0) {
                int saved = errno;
                ctr_cgroup_done(st);
                close(r->proc.pidfd);
                r->proc.pidfd = -1;
                return rc_error_set(err, saved, "wait for the container");
        }
        close(r->proc.pidfd);
        r->proc.pidfd = -1;
        close_input(r, -1);
        ctr_cgroup_done(st);
        ctr_net_end(st); /* every published connection closes with the container */
        *exit_code = info.si_code == CLD_EXITED ? info.si_status : 128 + info.si_status;
        ctr_attach_send(&r->attach, ATTACH_EXIT, exit_code, sizeof(*exit_code));
        return 0;
}

/* Whether the policy restarts it after this exit.  rc stop and rc kill
 * leave a mark in the record that no policy overrides. */
static bool should_restart(struct run *r, int exit_code, int restarts)
{
        struct ctr_state *st = r->m->st;
        const struct rc_run_opts *o = st->opts;
        struct rc_container_rec rec;
        rc_error *e = NULL;
        bool stop_requested;

        if (r->stop || (!r->health_restart && (r->m->foreground || o->restart_policy == RC_RESTART_NO)))
                return false;
        if (!r->health_restart && o->restart_policy == RC_RESTART_ON_FAILURE &&
            (exit_code == 0 || (o->restart_max > 0 && restarts >= o->restart_max)))
                return false;
        if (!ctr_store(st))
                return false;
        if (rc_store_container_find(st->store, st->rec.id, &rec, &e) < 0) {
                rc_error_free(e);
                return false; /* removed meanwhile */
        }
        stop_requested = rec.stop_requested;
        rc_container_rec_free(&rec);
        return !stop_requested;
}

/* Wait before a restart (100 ms, doubling to 5 s), as signals allow. */
static void backoff(struct run *r, int restarts)
{
        int ms = restarts >= 6 ? 5000 : 100 << restarts;
        struct pollfd p = { .fd = r->sigfd, .events = POLLIN };

        if (ms > 5000)
                ms = 5000;
        if (poll(&p, 1, ms) > 0)
                forward_signals(r);
}

int ctr_monitor_run(struct ctr_monitor *m, int *report_fd, int *exit_code, rc_error **err)
{
        struct ctr_state *st = m->st;
        struct run r = { .m = m, .sigfd = -1, .input = -1, .log = { .fd = -1 }, .attach = { .listen_fd = -1 },
                         .health = { .tfd = -1, .child_pidfd = -1 }, .notify = { .fd = -1 } };
        int restarts = 0, ret = -1;

        *exit_code = 125;
        r.sigfd = signal_fd(err);
        if (r.sigfd < 0)
                goto out;
        if (ctr_log_open(&r.log, st->dir, st->opts->log_max_size, err) < 0)
                goto out;
        if (!m->foreground && ctr_attach_listen(&r.attach, st->cfg, st->rec.id, err) < 0)
                goto out;
        if (ctr_notify_relay_open(&r.notify, st, err) < 0)
                goto out;
        /* ports are bound once, for every restart: a taken port fails
         * before the container first starts */
        if (ctr_net_begin(st, err) < 0)
                goto out;
        for (;;) {
                if (run_once(&r, report_fd, restarts > 0, exit_code, err) < 0) {
                        if (*report_fd >= 0 || restarts == 0)
                                goto out;
                        /* a restart that failed ends the container for good */
                        rc_warn("container %.12s: restart: %s", st->rec.id, (*err)->msg);
                        rc_error_free(*err);
                        *err = NULL;
                        break;
                }
                if (!should_restart(&r, *exit_code, restarts))
                        break;
                if (!st->opts->auto_remove)
                        record_exited(st, *exit_code);
                backoff(&r, restarts);
                /* rc stop may have come during the back-off */
                if (r.stop || !should_restart(&r, *exit_code, restarts))
                        break;
                restarts++;
        }
        m->stopped = r.stop || stop_was_requested(st);
        /* before the exit is recorded: rc stop returns on that, and the
         * ports must be free by then */
        ctr_net_release(st);
        if (!st->opts->auto_remove)
                record_exited(st, *exit_code);
        else
                ctr_write_exit_file(st, *exit_code);
        ret = 0;
out:
        ctr_net_release(st);
        ctr_log_close(&r.log);
        ctr_attach_close(&r.attach);
        ctr_notify_relay_close(&r.notify);
        if (r.sigfd >= 0)
                close(r.sigfd);
        return ret;
}
