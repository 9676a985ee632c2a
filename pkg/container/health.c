/* Health checks of a running container: one check run the way rc exec
 * runs a command (rc healthcheck run), and the monitor's timer that runs
 * them every interval.
 *
 * The check runs in a forked child: joining the container's user
 * namespace cannot be undone, and the state file must be written by rc in
 * its own.  --health-on-failure is applied by whoever ran the check that
 * made the container unhealthy, as podman does.  The monitor starts each
 * timed check as a new rc process (`rc healthcheck run ID`), so a check
 * that hangs, or a store that is busy, never holds up the container's
 * output, signals or exit. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "container/internal.h"
#include "container/target.h"
#include "util/duration.h"
#include "util/fs.h"
#include "util/xalloc.h"

static int64_t now_ns(clockid_t clock)
{
        struct timespec ts;

        clock_gettime(clock, &ts);
        return (int64_t)ts.tv_sec * RC_HEALTH_NS_PER_SEC + ts.tv_nsec;
}

int ctr_health_init(const char *dir, rc_error **err)
{
        cleanup_free char *mark = NULL;
        struct rc_health_state s = { 0 };
        cleanup_close int lock = rc_health_state_lock(dir, err);
        rc_error *e = NULL;
        int r;

        if (lock < 0)
                return -1;
        mark = ctr_health_restart_path(dir);
        unlink(mark); /* a mark left by a monitor that died is not for this start */
        /* a damaged file is replaced rather than keeping the container from starting */
        if (rc_health_state_read(dir, &s, &e) < 0) {
                if (rc_error_errno(e) != ENOENT)
                        rc_warn("%s; starting a new one", e->msg);
                rc_error_free(e);
        }
        rc_health_state_restart(&s);
        r = rc_health_state_write(dir, &s, err);
        rc_health_state_free(&s);
        return r;
}

/* What the child that ran the check tells rc. */
struct check_msg {
        int exit_code;
        int errnum;          /* != 0: rc could not run it (not a failed check) */
        char msg[512];
        size_t out_len;
        char out[RC_HEALTH_OUTPUT_MAX];
};

static void keep_output(struct check_msg *m, int fd)
{
        char buf[4096];
        ssize_t n;

        while ((n = read(fd, buf, sizeof(buf))) > 0) {
                size_t take = (size_t)n < sizeof(m->out) - m->out_len ? (size_t)n : sizeof(m->out) - m->out_len;
                memcpy(m->out + m->out_len, buf, take); /* the rest is read and dropped */
                m->out_len += take;
        }
}

/* In the child: run argv in t with a deadline; fill m. */
static void check_child(const struct rc_config *cfg, const struct ctr_target *t, char **argv, int64_t timeout,
                        struct check_msg *m)
{
        struct rc_exec_opts eo = { .cmd = argv };
        struct rc_container_proc proc = { .pid = -1, .pidfd = -1, .terminal = -1, .tap = -1 };
        struct rc_runtime_stdio stdio = { .in = -1 };
        int64_t deadline = now_ns(CLOCK_MONOTONIC) + timeout;
        bool timed_out = false;
        rc_error *e = NULL;
        siginfo_t info;
        int out[2];

        if (pipe2(out, O_CLOEXEC) < 0) {
                m->errnum = errno;
                snprintf(m->msg, sizeof(m->msg), "pipe: %s", strerror(errno));
                return;
        }
        fcntl(out[0], F_SETFL, O_NONBLOCK);
        stdio.out = stdio.err = out[1];
        if (ctr_target_enter_userns(t, &e) < 0 || ctr_exec_start(cfg, t, &eo, &stdio, &proc, &e) < 0) {
                if (proc.exec_failed) {
                        /* a check that cannot run is a failed check, as podman counts it */
                        int en = rc_error_errno(e);
                        m->exit_code = en == ENOENT ? 127 : en == EACCES ? 126 : 125;
                        m->out_len = (size_t)snprintf(m->out, sizeof(m->out), "%s", e->msg);
                } else {
                        m->errnum = rc_error_errno(e) ? rc_error_errno(e) : EIO;
                        snprintf(m->msg, sizeof(m->msg), "%s", e->msg);
                }
                rc_error_free(e);
                return;
        }
        close(out[1]);
        for (;;) {
                struct pollfd p[2] = { { .fd = proc.pidfd, .events = POLLIN }, { .fd = out[0], .events = POLLIN } };
                int64_t left = deadline - now_ns(CLOCK_MONOTONIC);
                int n = poll(p, out[0] >= 0 ? 2 : 1, timed_out ? -1 : left > 0 ? (int)(left / 1000000) + 1 : 0);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n == 0 && !timed_out) {
                        /* its own children live on in the container, as with docker */
                        syscall(SYS_pidfd_send_signal, proc.pidfd, SIGKILL, NULL, 0);
                        timed_out = true;
                        continue;
                }
                if (n > 0 && p[1].revents) {
                        size_t before = m->out_len;
                        keep_output(m, out[0]);
                        if (p[1].revents & POLLHUP && before == m->out_len) {
                                close(out[0]);
                                out[0] = -1;
                        }
                }
                if (n > 0 && (p[0].revents & POLLIN))
                        break;
        }
        if (out[0] >= 0) {
                keep_output(m, out[0]); /* what is there; a background process may keep it open */
                close(out[0]);
        }
        memset(&info, 0, sizeof(info));
        waitid(P_PIDFD, (id_t)proc.pidfd, &info, WEXITED);
        close(proc.pidfd);
        if (timed_out) {
                char d[32];
                rc_duration_format(timeout, d, sizeof(d));
                m->exit_code = -1;
                m->out_len = (size_t)snprintf(m->out, sizeof(m->out), "healthcheck command exceeded timeout of %s", d);
        } else {
                m->exit_code = info.si_code == CLD_EXITED ? info.si_status : 128 + info.si_status;
        }
}

/* Run the check once: its result, or -1 when rc could not run it at all. */
static int run_check(const struct rc_config *cfg, const struct ctr_target *t, const struct rc_health_config *c,
                     struct rc_health_result *res, rc_error **err)
{
        cleanup_strv char **argv = rc_health_argv(c);
        cleanup_free struct check_msg *m = xcalloc(1, sizeof(*m));
        size_t got = 0;
        int fds[2], status;
        pid_t pid;

        if (pipe2(fds, O_CLOEXEC) < 0)
                return rc_error_set(err, errno, "pipe");
        res->start = now_ns(CLOCK_REALTIME);
        pid = fork();
        if (pid < 0) {
                int e = errno;
                close(fds[0]);
                close(fds[1]);
                return rc_error_set(err, e, "fork");
        }
        if (pid == 0) {
                close(fds[0]);
                check_child(cfg, t, argv, c->timeout, m);
                _exit(rc_write_all(fds[1], m, sizeof(*m)) < 0 ? 1 : 0);
        }
        close(fds[1]);
        while (got < sizeof(*m)) {
                ssize_t n = read(fds[0], (char *)m + got, sizeof(*m) - got);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                got += (size_t)n;
        }
        close(fds[0]);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        res->end = now_ns(CLOCK_REALTIME);
        if (got != sizeof(*m))
                return rc_error_code(err, EIO, "container %s: the health check ended abnormally", t->rec.name);
        if (m->errnum)
                return rc_error_code(err, m->errnum, "%.*s", (int)sizeof(m->msg), m->msg);
        res->exit_code = m->exit_code;
        res->output = xstrndup(m->out, m->out_len < sizeof(m->out) ? m->out_len : sizeof(m->out));
        rc_health_output_clean(res->output);
        return 0;
}

char *ctr_health_restart_path(const char *dir)
{
        return xasprintf("%s/health-restart", dir);
}

/* --health-on-failure, once this check left the container unhealthy (as
 * podman, whoever ran the check: the monitor's timer or a user).  kill and
 * stop are rc kill and rc stop (the record says the stop was asked for, so
 * no policy restarts it); restart leaves a mark for the monitor, which
 * then starts it again whatever its policy, and kills it. */
static int health_action(const struct rc_config *cfg, const struct ctr_target *t, enum rc_health_action act,
                         rc_error **err)
{
        rc_info("container %s is unhealthy: --health-on-failure=%s", t->rec.name, rc_health_action_name(act));
        switch (act) {
        case RC_HEALTH_ACTION_KILL:
                return rc_container_kill(cfg, t->rec.id, SIGKILL, err);
        case RC_HEALTH_ACTION_STOP:
                return rc_container_stop(cfg, t->rec.id, -1, err);
        case RC_HEALTH_ACTION_RESTART: {
                cleanup_free char *mark = ctr_health_restart_path(t->dir);
                if (rc_write_file(mark, "", 0, 0600, err) < 0)
                        return -1;
                if (syscall(SYS_pidfd_send_signal, t->pidfd, SIGKILL, NULL, 0) < 0 && errno != ESRCH) {
                        int e = errno;
                        unlink(mark);
                        return rc_error_set(err, e, "container %s: restart it", t->rec.name);
                }
                return 0;
        }
        default:
                return 0;
        }
}

int rc_container_healthcheck_run(const struct rc_config *cfg, const char *name_or_id, enum rc_health_status *status,
                                 bool *passed, rc_error **err)
{
        cleanup_health_config struct rc_health_config c = { 0 };
        struct rc_health_result res = { 0 };
        struct rc_health_config startup_check; /* points into c: never freed itself */
        struct rc_health_state s = { 0 };
        struct rc_saved_opts saved;
        struct ctr_target t;
        cleanup_close int lock = -1;
        bool startup = false, restart = false;
        rc_error *e = NULL;
        int r = -1;

        if (ctr_target_find(cfg, name_or_id, false, NULL, &t, err) < 0)
                return -1;
        if (rc_run_opts_load(t.opts_path, &saved, err) < 0) {
                rc_error_wrap(err, "container %s", t.rec.name);
                ctr_target_free(&t);
                return -1;
        }
        /* create.json holds the check as resolved at create: no image to read */
        if (saved.opts.health.test == NULL)
                rc_error_code(err, ENOENT, "container %s has no defined healthcheck", name_or_id);
        else
                r = rc_health_resolve(&saved.opts.health, NULL, &c, err);
        rc_saved_opts_free(&saved);
        if (r < 0)
                goto out;
        r = -1;
        if (!t.running) {
                rc_error_code(err, ENOTCONN, "container %s is not running", name_or_id);
                goto out;
        }
        if (rc_container_paused(&t.rec)) {
                /* its processes are frozen: the check would only time out */
                rc_error_code(err, EBUSY, "container %s is paused: rc unpause %s", name_or_id, name_or_id);
                goto out;
        }
        /* the startup check, until it has passed: its command and timeout */
        if (c.startup.test) {
                struct rc_health_state pre = { 0 };
                if (rc_health_state_read(t.dir, &pre, &e) < 0) {
                        rc_error_free(e);
                        e = NULL;
                }
                startup = !pre.startup_passed;
                rc_health_state_free(&pre);
        }
        startup_check = (struct rc_health_config){ .test = c.startup.test, .timeout = c.startup.timeout };
        if (run_check(cfg, &t, startup ? &startup_check : &c, &res, err) < 0)
                goto out;
        lock = rc_health_state_lock(t.dir, err);
        if (lock < 0)
                goto out;
        if (rc_health_state_read(t.dir, &s, &e) < 0) {
                if (rc_error_errno(e) != ENOENT)
                        rc_warn("%s; starting a new one", e->msg);
                rc_error_free(e);
        }
        *passed = res.exit_code == 0;
        if (startup)
                restart = rc_health_state_record_startup(&s, &c.startup, &res);
        else
                rc_health_state_record(&s, &c, t.rec.started_at, &res);
        if (rc_health_state_write(t.dir, &s, err) < 0)
                goto out;
        close(lock); /* the action may take the stop timeout: not under the lock */
        lock = -1;
        *status = s.status;
        /* a startup check that failed its retries restarts the container (podman) */
        if (restart && health_action(cfg, &t, RC_HEALTH_ACTION_RESTART, err) < 0)
                goto out;
        if (!startup && !*passed && s.status == RC_HEALTH_UNHEALTHY && c.on_failure != RC_HEALTH_ACTION_NONE &&
            health_action(cfg, &t, c.on_failure, err) < 0)
                goto out;
        r = 0;
out:
        free(res.output);
        rc_health_state_free(&s);
        ctr_target_free(&t);
        return r;
}

/* ---- the monitor's timer ---- */

static void timer_arm(struct ctr_health_timer *h, int64_t ns)
{
        struct itimerspec its = { .it_value = { .tv_sec = ns / RC_HEALTH_NS_PER_SEC,
                                                .tv_nsec = ns % RC_HEALTH_NS_PER_SEC } };

        if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
                its.it_value.tv_nsec = 1;
        timerfd_settime(h->tfd, 0, &its, NULL);
}

/* The startup check's interval until the state file says it passed. */
static int64_t next_interval(struct ctr_health_timer *h)
{
        struct rc_health_state s = { 0 };
        rc_error *e = NULL;

        if (!h->startup_done && rc_health_state_read(h->st->dir, &s, &e) == 0) {
                h->startup_done = s.startup_passed;
                rc_health_state_free(&s);
        }
        rc_error_free(e);
        return h->startup_done ? h->config.interval : h->config.startup.interval;
}

void ctr_health_timer_start(struct ctr_health_timer *h, struct ctr_state *st)
{
        rc_error *e = NULL;

        *h = (struct ctr_health_timer){ .tfd = -1, .child_pidfd = -1, .st = st };
        if (rc_health_resolve(&st->opts->health, st->image_config.healthcheck_json, &h->config, &e) < 0) {
                rc_warn("container %.12s: health check: %s", st->rec.id, e->msg);
                rc_error_free(e);
                return;
        }
        if (h->config.test == NULL)
                return;
        if (ctr_health_init(st->dir, &e) < 0) {
                rc_warn("container %.12s: health state: %s", st->rec.id, e->msg);
                rc_error_free(e);
        }
        if (h->config.interval == 0)
                return; /* --health-interval disable: rc healthcheck run alone */
        h->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
        if (h->tfd < 0) {
                rc_warn("container %.12s: health check timer: %s", st->rec.id, strerror(errno));
                return;
        }
        h->startup_done = h->config.startup.test == NULL;
        timer_arm(h, next_interval(h));
}

static size_t health_fill(void *ctx, struct pollfd *p, size_t cap, int *timeout_ms)
{
        struct ctr_health_timer *h = ctx;
        size_t n = 0;

        (void)timeout_ms; /* the timerfd is polled: no timeout of its own */
        if (h->tfd >= 0 && n < cap)
                p[n++] = (struct pollfd){ .fd = h->tfd, .events = POLLIN };
        if (h->child_pidfd >= 0 && n < cap)
                p[n++] = (struct pollfd){ .fd = h->child_pidfd, .events = POLLIN };
        return n;
}

/* `rc [global options] healthcheck run ID`, stdio on /dev/null, with the
 * signals the monitor blocks unblocked again. */
static void spawn_check(struct ctr_health_timer *h)
{
        const struct rc_config *cfg = h->st->cfg;
        cleanup_strv char **argv = xcalloc(1, sizeof(char *));
        sigset_t none;
        pid_t pid;
        int fd;

        strv_push(&argv, "rc");
        if (cfg->path) {
                strv_push(&argv, "--config");
                strv_push(&argv, cfg->path);
        }
        strv_push(&argv, "--root");
        strv_push(&argv, cfg->root);
        strv_push(&argv, "--runroot");
        strv_push(&argv, cfg->runroot);
        if (cfg->storage_driver) {
                strv_push(&argv, "--storage-driver");
                strv_push(&argv, cfg->storage_driver);
        }
        if (cfg->cgroup_manager) {
                strv_push(&argv, "--cgroup-manager");
                strv_push(&argv, cfg->cgroup_manager);
        }
        strv_push(&argv, "healthcheck");
        strv_push(&argv, "run");
        strv_push(&argv, h->st->rec.id);
        pid = fork();
        if (pid < 0) {
                rc_warn("container %.12s: health check: fork: %s", h->st->rec.id, strerror(errno));
                return;
        }
        if (pid == 0) {
                sigemptyset(&none);
                sigprocmask(SIG_SETMASK, &none, NULL);
                fd = open("/dev/null", O_RDWR);
                if (fd >= 0) {
                        dup2(fd, 0);
                        dup2(fd, 1);
                        dup2(fd, 2);
                }
                execv("/proc/self/exe", argv);
                _exit(125);
        }
        h->child = pid;
        h->child_pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
        if (h->child_pidfd < 0) {
                /* no pidfd: wait now rather than leave a zombie */
                while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                        ;
                h->child = 0;
        }
}

static void health_dispatch(void *ctx, struct pollfd *p, size_t n)
{
        struct ctr_health_timer *h = ctx;

        for (size_t i = 0; i < n; i++) {
                uint64_t ticks;
                if (!p[i].revents)
                        continue;
                if (p[i].fd == h->tfd && read(h->tfd, &ticks, sizeof(ticks)) > 0) {
                        /* one check at a time: a slow one delays the next */
                        if (h->child_pidfd < 0)
                                spawn_check(h);
                        timer_arm(h, next_interval(h));
                } else if (p[i].fd == h->child_pidfd) {
                        /* its result is in the state file, its action taken */
                        while (waitpid(h->child, NULL, 0) < 0 && errno == EINTR)
                                ;
                        close(h->child_pidfd);
                        h->child_pidfd = -1;
                        h->child = 0;
                }
        }
}

struct rc_poll_source ctr_health_source(struct ctr_health_timer *h)
{
        return (struct rc_poll_source){ .ctx = h, .fill = health_fill, .dispatch = health_dispatch };
}

void ctr_health_timer_stop(struct ctr_health_timer *h)
{
        if (h->child_pidfd >= 0) {
                /* the container is gone: its check has nothing left to check */
                syscall(SYS_pidfd_send_signal, h->child_pidfd, SIGKILL, NULL, 0);
                while (waitpid(h->child, NULL, 0) < 0 && errno == EINTR)
                        ;
                close(h->child_pidfd);
        }
        if (h->tfd >= 0)
                close(h->tfd);
        rc_health_config_free(&h->config);
        h->tfd = h->child_pidfd = -1;
        h->child = 0;
}
