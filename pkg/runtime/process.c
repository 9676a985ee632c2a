/* Creating the container process and waiting for it. */
#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
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
#include "util/fd.h"
#include "util/log.h"
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

void rc_forwarded_signals(sigset_t *set)
{
        sigemptyset(set);
        for (size_t i = 0; i < sizeof(forwarded_signals) / sizeof(forwarded_signals[0]); i++)
                sigaddset(set, forwarded_signals[i]);
}

void rc_child_default_signals(void)
{
        for (size_t i = 0; i < sizeof(forwarded_signals) / sizeof(forwarded_signals[0]); i++)
                signal(forwarded_signals[i], SIG_DFL);
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

/* fd itself if it is above 2, else a close-on-exec copy above 2 (rc may
 * have been started with 0, 1 or 2 closed; stdio set-up must not clobber it). */
static int fd_above_stdio(int fd, struct rc_child_error *e)
{
        int moved;

        if (fd > 2)
                return fd;
        moved = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (moved < 0)
                return rc_child_fail(e, errno, "dup");
        return moved;
}

/* A session keyring of the container's own, so it cannot read the keys of
 * the session that started rc.  ENOSYS: no keyrings at all.  EPERM: rc
 * runs under a filter that refuses keyctl, which the container inherits. */
static int new_session_keyring(struct rc_child_error *e)
{
        if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0 && errno != ENOSYS && errno != EPERM)
                return rc_child_fail(e, errno, "create the container's session keyring");
        return 0;
}

/* Wait until rc has placed this process (spec->created); then the cgroup
 * namespace, whose root is the cgroup the process is in at that moment. */
static int wait_for_go(const struct rc_spec *spec, int sync_fd, struct rc_child_error *e)
{
        char go;
        ssize_t n;

        do
                n = recv(sync_fd, &go, 1, 0);
        while (n < 0 && errno == EINTR);
        if (n != 1)
                _exit(127); /* rc gave up on this start (or died): nothing to report to */
        if ((spec->namespaces & CLONE_NEWCGROUP) && unshare(CLONE_NEWCGROUP) < 0)
                return rc_child_fail(e, errno, "create the container's cgroup namespace");
        return 0;
}

int rc_child_begin(const struct rc_runtime_stdio *stdio, int *sync_fd, int *devnull, int *extra,
                   struct rc_child_error *e)
{
        int keep[3];

        /* every fd kept must be above 2 before stdio is put in place over 0-2 */
        if ((*sync_fd = fd_above_stdio(*sync_fd, e)) < 0 || (extra && (*extra = fd_above_stdio(*extra, e)) < 0))
                return -1;
        *devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (*devnull < 0)
                return rc_child_fail(e, errno, "open /dev/null");
        if ((*devnull = fd_above_stdio(*devnull, e)) < 0 || setup_stdio(stdio, *devnull, e) < 0)
                return -1;
        /* Close every fd but 0, 1, 2 and these: whatever rc held when it
         * forked (the store's directory, the database, sockets) must be gone
         * before any path of the container is resolved, or a working
         * directory such as /proc/self/fd/N reaches the host (CVE-2024-21626). */
        keep[0] = *sync_fd;
        keep[1] = *devnull;
        if (extra)
                keep[2] = *extra;
        if (rc_close_fds_except(keep, extra ? 3 : 2) < 0)
                return rc_child_fail(e, errno, "close inherited file descriptors (close_range needs Linux 5.9)");
        return new_session_keyring(e);
}

int rc_apply_rlimits(const struct rc_spec *spec, struct rc_child_error *e)
{
        for (size_t i = 0; i < spec->n_rlimits; i++) {
                struct rlimit rl = { spec->rlimits[i].soft, spec->rlimits[i].hard }, cur;
                /* Without privilege a hard limit can't be raised: clamp to
                 * what rc has, as podman does for rootless containers. */
                if (setrlimit(spec->rlimits[i].type, &rl) < 0 && errno == EPERM &&
                    getrlimit(spec->rlimits[i].type, &cur) == 0) {
                        rl.rlim_max = rl.rlim_max < cur.rlim_max ? rl.rlim_max : cur.rlim_max;
                        rl.rlim_cur = rl.rlim_cur < rl.rlim_max ? rl.rlim_cur : rl.rlim_max;
                }
                if (setrlimit(spec->rlimits[i].type, &rl) < 0)
                        return rc_child_fail(e, errno, "setrlimit %d", spec->rlimits[i].type);
        }
        return 0;
}

int rc_child_exec(const struct rc_spec *spec, const struct rc_runtime_stdio *stdio, int sync_fd, bool create_workdir,
                  const struct rc_init_title *init, struct rc_child_error *e)
{
        int cwd_fd;

        if (stdio->terminal && rc_child_setup_terminal(stdio, spec->uid, sync_fd, e) < 0)
                return -1;
        /* opened (and created) with rc's privileges, entered with the
         * process's own, so its permissions apply as docker's do */
        cwd_fd = rc_open_workdir(spec->cwd, create_workdir, e);
        if (cwd_fd < 0) {
                /* a working directory exec must not create counts as a
                 * command not found (127), as podman reports it */
                if (!create_workdir && e->errnum == ENOENT)
                        e->at_exec = true;
                return -1;
        }
        /* --read-only: the container's first process (create_workdir) makes
         * its root read-only once the working directory exists */
        if ((create_workdir && rc_remount_root_ro(spec, e) < 0) || rc_apply_seccomp(spec, true, e) < 0 ||
            rc_apply_caps_and_ids(spec, e) < 0 || rc_enter_workdir(cwd_fd, spec->cwd, e) < 0) {
                close(cwd_fd);
                return -1;
        }
        close(cwd_fd);
        /* what is still open above 2 (the sync socket, /dev/null) closes on
         * exec; marked again here so no later change can leak an fd */
        syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
        /* the process starts with no signal blocked, whatever rc or a
         * monitor blocks to read signals through a signalfd */
        {
                sigset_t none;
                sigemptyset(&none);
                sigprocmask(SIG_SETMASK, &none, NULL);
        }
        if (rc_apply_seccomp(spec, false, e) < 0)
                return -1;
        /* --init: the last step, with everything above applied to the init too */
        if (init && rc_init_start(sync_fd, init, e) < 0)
                return -1;
        return rc_exec_process(spec, e);
}

static __attribute__((noreturn)) void child_main(struct child_args *a)
{
        const struct rc_spec *spec = a->spec;
        struct rc_child_error e = { 0 };
        struct rc_init_title title = { 0 };
        int devnull, sync_fd = a->sync_fd;

        struct pollfd hup = { .fd = sync_fd, .events = 0 };

        /* Die with rc.  In a new pid namespace getppid() says 0, so whether
         * rc died before the prctl is read from the sync socket instead. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
                _exit(127);
        if (poll(&hup, 1, 0) > 0 && (hup.revents & POLLHUP))
                _exit(127);
        /* A user namespace of its own: nothing is done in it before rc has
         * written its mappings (an unmapped process can create no file). */
        if (spec->namespaces & CLONE_NEWUSER) {
                char go;
                if (recv(sync_fd, &go, 1, 0) != 1)
                        _exit(127);
        }
        if (spec->init)
                rc_init_read_title(&title);
        rc_child_default_signals();
        /* First, before anything of the container is looked at: stdio in
         * place, rc's own /dev/null (the source of masks), nothing else open. */
        if (rc_child_begin(a->stdio, &sync_fd, &devnull, NULL, &e) < 0) {
                if (sync_fd < 0)
                        _exit(127);
                goto fail;
        }
        if ((spec->namespaces & CLONE_NEWNET) && loopback_up(&e) < 0)
                goto fail;
        if ((spec->namespaces & CLONE_NEWNET) && spec->tap && rc_child_setup_tap(spec->tap, sync_fd, &e) < 0)
                goto fail;
        if (rc_setup_rootfs(spec, devnull, &e) < 0)
                goto fail;
        if ((spec->namespaces & CLONE_NEWUTS) && spec->hostname &&
            sethostname(spec->hostname, strlen(spec->hostname)) < 0) {
                rc_child_fail(&e, errno, "set host name %s", spec->hostname);
                goto fail;
        }
        if (rc_apply_rlimits(spec, &e) < 0)
                goto fail;
        /* placed by rc meanwhile (its cgroup): waited for here, after the
         * set-up and before anything of the container's own runs, so the
         * two overlap */
        if (spec->created && wait_for_go(spec, sync_fd, &e) < 0)
                goto fail;
        rc_child_exec(spec, a->stdio, sync_fd, true, spec->init ? &title : NULL, &e);
fail:
        if (send(sync_fd, &e, sizeof(e), MSG_NOSIGNAL) < 0)
                _exit(126);
        _exit(127);
}

static int write_map(pid_t pid, const char *file, const struct rc_spec_id_mapping *m, size_t n, rc_error **err)
{
        char path[64], text[256];
        size_t len = 0;
        int fd;

        for (size_t i = 0; i < n && len < sizeof(text); i++)
                len += (size_t)snprintf(text + len, sizeof(text) - len, "%u %u %u\n", m[i].container_id, m[i].host_id,
                                        m[i].size);
        if (n == 0 || len >= sizeof(text))
                return rc_error_set(err, EINVAL, "the container's %s has no extents or too many", file);
        snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
        fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return rc_error_set(err, errno, "open %s", path);
        /* one write: the kernel takes a map only whole */
        if (write(fd, text, len) != (ssize_t)len) {
                int saved = errno;
                close(fd);
                return rc_error_set(err, saved, "write %s of the container's user namespace", file);
        }
        close(fd);
        return 0;
}

/* rc is root in its own user namespace, so it may map the container's
 * namespace onto any ids of its own (no newuidmap: nothing privileged). */
static int map_userns(const struct rc_spec *spec, pid_t pid, int sync_fd, rc_error **err)
{
        if (write_map(pid, "uid_map", spec->uid_mappings, spec->n_uid_mappings, err) < 0 ||
            write_map(pid, "gid_map", spec->gid_mappings, spec->n_gid_mappings, err) < 0)
                return -1;
        if (send(sync_fd, "g", 1, MSG_NOSIGNAL) != 1)
                return rc_error_set(err, errno, "the container died before its user namespace was mapped");
        return 0;
}

/* rc's side of spec->created: the hook, then the go.  On failure the child
 * is killed and reaped, sync_fd and pidfd closed, old_mask restored, and
 * the error is the child's own if it failed first (its set-up runs while
 * rc is in the hook). */
static int place_child(const struct rc_spec *spec, pid_t pid, int sync_fd, int pidfd, const sigset_t *old_mask,
                       struct rc_container_proc *proc, rc_error **err)
{
        struct rc_child_error e;
        int terminal = -1, msg;

        if (spec->created(spec->created_ctx, pid, err) == 0) {
                /* a child that died meanwhile shows as EOF on the socket next */
                if (send(sync_fd, "g", 1, MSG_NOSIGNAL) < 0 && errno != EPIPE)
                        rc_warn("start the container: %s", strerror(errno));
                return 0;
        }
        syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
        int tap = -1;
        while ((msg = rc_sync_recv(sync_fd, &e, &terminal, &tap)) == RC_SYNC_TAP)
                ;
        if (tap >= 0)
                close(tap);
        if (msg == RC_SYNC_ERROR) {
                e.msg[sizeof(e.msg) - 1] = '\0';
                rc_error_free(*err);
                *err = NULL;
                rc_error_set(err, 0, "%s", e.msg);
                (*err)->errnum = e.errnum;
                proc->exec_failed = e.at_exec;
        }
        if (terminal >= 0)
                close(terminal);
        waitid(P_PIDFD, (id_t)pidfd, NULL, WEXITED);
        close(pidfd);
        close(sync_fd);
        sigprocmask(SIG_SETMASK, old_mask, NULL);
        return -1;
}

int rc_runtime_start(const struct rc_spec *spec, const struct rc_runtime_stdio *stdio, struct rc_container_proc *proc,
                     rc_error **err)
{
        struct child_args a = { .spec = spec, .stdio = stdio };
        struct clone_args ca = { 0 };
        sigset_t block;
        int sync[2], pidfd = -1;
        pid_t pid;

        if (spec->args == NULL || spec->args[0] == NULL)
                return rc_error_set(err, EINVAL, "no command to run");
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sync) < 0)
                return rc_error_set(err, errno, "socketpair");
        rc_forwarded_signals(&block);
        sigprocmask(SIG_BLOCK, &block, &a.old_mask);
        a.sync_fd = sync[1];
        ca.flags = spec->namespaces | CLONE_PIDFD;
        if (spec->created)
                ca.flags &= ~(unsigned)CLONE_NEWCGROUP; /* the child unshares it once placed */
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
        if ((spec->namespaces & CLONE_NEWUSER) && map_userns(spec, pid, sync[0], err) < 0) {
                syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
                waitid(P_PIDFD, (id_t)pidfd, NULL, WEXITED);
                close(pidfd);
                close(sync[0]);
                sigprocmask(SIG_SETMASK, &a.old_mask, NULL);
                return -1;
        }
        if (spec->created && place_child(spec, pid, sync[0], pidfd, &a.old_mask, proc, err) < 0)
                return -1;
        return rc_child_started(sync[0], pid, pidfd, stdio, &a.old_mask, proc, err);
}

int rc_child_started(int sync_fd, pid_t pid, int pidfd, const struct rc_runtime_stdio *stdio, const sigset_t *old_mask,
                     struct rc_container_proc *proc, rc_error **err)
{
        struct rc_child_error e;
        int terminal = -1, tap = -1, msg;

        while ((msg = rc_sync_recv(sync_fd, &e, &terminal, &tap)) == RC_SYNC_TERMINAL || msg == RC_SYNC_TAP)
                ;
        close(sync_fd);
        if (msg == RC_SYNC_ERROR || (stdio->terminal && terminal < 0)) {
                e.msg[sizeof(e.msg) - 1] = '\0';
                waitid(P_PIDFD, (id_t)pidfd, NULL, WEXITED);
                close(pidfd);
                if (terminal >= 0)
                        close(terminal);
                if (tap >= 0)
                        close(tap);
                sigprocmask(SIG_SETMASK, old_mask, NULL);
                if (msg != RC_SYNC_ERROR)
                        return rc_error_set(err, EPROTO, "the container died before it was started");
                rc_error_set(err, 0, "%s", e.msg);
                if (err && *err)
                        (*err)->errnum = e.errnum; /* the message already names it */
                proc->exec_failed = e.at_exec;
                return -1;
        }
        proc->pid = pid;
        proc->pidfd = pidfd;
        proc->terminal = terminal;
        proc->tap = tap;
        return 0;
}

int rc_runtime_wait(struct rc_container_proc *proc, const struct rc_runtime_stdio *stdio, int *exit_code,
                    rc_error **err)
{
        sigset_t set, old;
        siginfo_t info;
        int sfd;

        rc_forwarded_signals(&set);
        sigprocmask(SIG_BLOCK, &set, &old);
        sfd = signalfd(-1, &set, SFD_CLOEXEC);
        if (sfd < 0)
                return rc_error_set(err, errno, "signalfd");
        if (proc->terminal >= 0) {
                int r = rc_terminal_relay(proc->terminal, stdio, proc->pidfd, sfd, err);
                close(proc->terminal);
                proc->terminal = -1;
                if (r < 0) {
                        close(sfd);
                        return -1;
                }
        }
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
