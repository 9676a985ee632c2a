/* Creating the container process and waiting for it. */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/internal.h"
#include "util/xalloc.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

static const int forwarded_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };

int rc_child_fail(struct rc_child_error *e, int errnum, const char *fmt, ...)
{
        va_list ap;
        size_t n;

        e->errnum = errnum;
        va_start(ap, fmt);
        vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
        va_end(ap);
        n = strlen(e->msg);
        if (errnum && n < sizeof(e->msg))
                snprintf(e->msg + n, sizeof(e->msg) - n, ": %s", strerror(errnum));
        errno = errnum;
        return -1;
}

static void forwarded_set(sigset_t *set)
{
        sigemptyset(set);
        for (size_t i = 0; i < sizeof(forwarded_signals) / sizeof(forwarded_signals[0]); i++)
                sigaddset(set, forwarded_signals[i]);
}

static int loopback_up(struct rc_child_error *e)
{
        struct ifreq ifr = { 0 };
        int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

        if (s < 0)
                return rc_child_fail(e, errno, "socket");
        snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
        if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0 || (ifr.ifr_flags |= IFF_UP, ioctl(s, SIOCSIFFLAGS, &ifr) < 0)) {
                int saved = errno;
                close(s);
                return rc_child_fail(e, saved, "bring up lo");
        }
        close(s);
        return 0;
}

/* Make `dir` (absolute, inside the container) exist, as docker does for a
 * WORKDIR that the image lacks. */
static int make_cwd(const char *dir, struct rc_child_error *e)
{
        char buf[4096];
        size_t len = strlen(dir);

        if (len >= sizeof(buf))
                return rc_child_fail(e, ENAMETOOLONG, "working directory %s", dir);
        memcpy(buf, dir, len + 1);
        for (char *p = buf + 1;; p++) {
                bool last = *p == '\0';
                if (*p != '/' && !last)
                        continue;
                *p = '\0';
                if (mkdir(buf, 0755) < 0 && errno != EEXIST)
                        return rc_child_fail(e, errno, "create working directory %s", buf);
                if (last)
                        break;
                *p = '/';
        }
        return 0;
}

static int setup_stdio(const struct rc_runtime_stdio *stdio, int devnull, struct rc_child_error *e)
{
        int fds[3] = { stdio->in, stdio->out, stdio->err };

        /* move them above 2 first so dup2 order cannot clobber one */
        for (int i = 0; i < 3; i++) {
                int src = fds[i] >= 0 ? fds[i] : devnull;
                fds[i] = fcntl(src, F_DUPFD_CLOEXEC, 3);
                if (fds[i] < 0)
                        return rc_child_fail(e, errno, "dup stdio");
        }
        for (int i = 0; i < 3; i++)
                if (dup2(fds[i], i) < 0)
                        return rc_child_fail(e, errno, "dup2 stdio");
        return 0;
}

struct child_args {
        const struct rc_spec *spec;
        const struct rc_runtime_stdio *stdio;
        int sync_fd;
        sigset_t old_mask;
};

static __attribute__((noreturn)) void child_main(struct child_args *a)
{
        const struct rc_spec *spec = a->spec;
        struct rc_child_error e = { 0 };
        int devnull;

        struct pollfd hup = { .fd = a->sync_fd, .events = 0 };

        /* Die with rc.  In a new pid namespace getppid() says 0, so whether
         * rc died before the prctl is read from the sync socket instead. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
                _exit(127);
        if (poll(&hup, 1, 0) > 0 && (hup.revents & POLLHUP))
                _exit(127);
        for (size_t i = 0; i < sizeof(forwarded_signals) / sizeof(forwarded_signals[0]); i++)
                signal(forwarded_signals[i], SIG_DFL);
        if ((spec->namespaces & CLONE_NEWNET) && loopback_up(&e) < 0)
                goto fail;
        /* /dev/null of the host, opened before the root changes */
        devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (devnull < 0) {
                rc_child_fail(&e, errno, "open /dev/null");
                goto fail;
        }
        if (rc_setup_rootfs(spec, &e) < 0)
                goto fail;
        if ((spec->namespaces & CLONE_NEWUTS) && spec->hostname &&
            sethostname(spec->hostname, strlen(spec->hostname)) < 0) {
                rc_child_fail(&e, errno, "set host name %s", spec->hostname);
                goto fail;
        }
        for (size_t i = 0; i < spec->n_rlimits; i++) {
                struct rlimit rl = { spec->rlimits[i].soft, spec->rlimits[i].hard }, cur;
                /* Without privilege a hard limit can't be raised: clamp to
                 * what rc has, as podman does for rootless containers. */
                if (setrlimit(spec->rlimits[i].type, &rl) < 0 && errno == EPERM &&
                    getrlimit(spec->rlimits[i].type, &cur) == 0) {
                        rl.rlim_max = rl.rlim_max < cur.rlim_max ? rl.rlim_max : cur.rlim_max;
                        rl.rlim_cur = rl.rlim_cur < rl.rlim_max ? rl.rlim_cur : rl.rlim_max;
                }
                if (setrlimit(spec->rlimits[i].type, &rl) < 0) {
                        rc_child_fail(&e, errno, "setrlimit %d", spec->rlimits[i].type);
                        goto fail;
                }
        }
        if (make_cwd(spec->cwd, &e) < 0)
                goto fail;
        if (setup_stdio(a->stdio, devnull, &e) < 0)
                goto fail;
        if (rc_apply_seccomp(spec, true, &e) < 0 || rc_apply_caps_and_ids(spec, &e) < 0)
                goto fail;
        if (chdir(spec->cwd) < 0) {
                rc_child_fail(&e, errno, "working directory %s", spec->cwd);
                goto fail;
        }
        /* nothing of rc's may leak into the container: everything above 2
         * closes on exec (the sync socket included) */
        syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
        sigprocmask(SIG_SETMASK, &a->old_mask, NULL);
        if (rc_apply_seccomp(spec, false, &e) < 0)
                goto fail;
        rc_exec_process(spec, &e);
fail:
        if (send(a->sync_fd, &e, sizeof(e), MSG_NOSIGNAL) < 0)
                _exit(126);
        _exit(127);
}

int rc_runtime_start(const struct rc_spec *spec, const struct rc_runtime_stdio *stdio, struct rc_container_proc *proc,
                     rc_error **err)
{
        struct child_args a = { .spec = spec, .stdio = stdio };
        struct clone_args ca = { 0 };
        struct rc_child_error e;
        sigset_t block;
        int sync[2], pidfd = -1;
        ssize_t n;
        pid_t pid;

        if (spec->args == NULL || spec->args[0] == NULL)
                return rc_error_set(err, EINVAL, "no command to run");
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sync) < 0)
                return rc_error_set(err, errno, "socketpair");
        forwarded_set(&block);
        sigprocmask(SIG_BLOCK, &block, &a.old_mask);
        a.sync_fd = sync[1];
        ca.flags = (spec->namespaces & ~(unsigned)CLONE_NEWUSER) | CLONE_PIDFD;
        ca.pidfd = (uint64_t)(uintptr_t)&pidfd;
        ca.exit_signal = SIGCHLD;
        pid = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
        if (pid == 0)
                child_main(&a);
        close(sync[1]);
        if (pid < 0) {
                int saved = errno;
                close(sync[0]);
                sigprocmask(SIG_SETMASK, &a.old_mask, NULL);
                return rc_error_set(err, saved, "create the container's namespaces");
        }
        /* EOF: the child exec'd (the socket is close-on-exec) or died. */
        do
                n = recv(sync[0], &e, sizeof(e), 0);
        while (n < 0 && errno == EINTR);
        close(sync[0]);
        if (n == (ssize_t)sizeof(e)) {
                e.msg[sizeof(e.msg) - 1] = '\0';
                waitid(P_PIDFD, (id_t)pidfd, NULL, WEXITED);
                close(pidfd);
                sigprocmask(SIG_SETMASK, &a.old_mask, NULL);
                rc_error_set(err, 0, "%s", e.msg);
                if (err && *err)
                        (*err)->errnum = e.errnum; /* the message already names it */
                return -1;
        }
        proc->pid = pid;
        proc->pidfd = pidfd;
        return 0;
}

int rc_runtime_wait(struct rc_container_proc *proc, int *exit_code, rc_error **err)
{
        sigset_t set, old;
        siginfo_t info;
        int sfd;

        forwarded_set(&set);
        sigprocmask(SIG_BLOCK, &set, &old);
        sfd = signalfd(-1, &set, SFD_CLOEXEC);
        if (sfd < 0)
                return rc_error_set(err, errno, "signalfd");
        for (;;) {
                struct pollfd p[2] = { { .fd = proc->pidfd, .events = POLLIN }, { .fd = sfd, .events = POLLIN } };
                if (poll(p, 2, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        close(sfd);
                        return rc_error_set(err, errno, "poll");
                }
                if (p[1].revents & POLLIN) {
                        struct signalfd_siginfo si;
                        if (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
                                syscall(SYS_pidfd_send_signal, proc->pidfd, (int)si.ssi_signo, NULL, 0);
                }
                if (p[0].revents & POLLIN)
                        break;
        }
        close(sfd);
        memset(&info, 0, sizeof(info));
        if (waitid(P_PIDFD, (id_t)proc->pidfd, &info, WEXITED) < 0) {
                int saved = errno;
                sigprocmask(SIG_SETMASK, &old, NULL);
                return rc_error_set(err, saved, "wait for the container");
        }
        close(proc->pidfd);
        proc->pidfd = -1;
        /* The signals stay blocked in rc until here so a Ctrl-C during the
         * wait reached the container, not rc. */
        sigprocmask(SIG_UNBLOCK, &set, NULL);
        *exit_code = info.si_code == CLD_EXITED ? info.si_status : 128 + info.si_status;
        return 0;
}
