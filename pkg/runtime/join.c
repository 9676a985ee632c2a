/* Joining a running container: a new process in its namespaces, with the
 * same hardening as the container's own first process (rc exec).
 *
 * rc enters the container's pid namespace for its children only
 * (setns(CLONE_NEWPID) changes pid_for_children, never rc's own pid), forks
 * once, and returns to its own pid namespace right away.  So the new
 * process is rc's child — rc_runtime_wait works on it — and is in the
 * container's pid namespace from its first instruction; it then joins the
 * other namespaces itself.  From before that fork until its exec the
 * process is not dumpable: the container's processes can see it (same pid
 * namespace) but cannot open /proc/PID/exe (rc's binary, which the user —
 * the container's root — may own: runc's CVE-2019-5736), /proc/PID/mem,
 * its cwd or its fds, nor ptrace it.  exec makes it dumpable again, as the
 * container's own command. */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/internal.h"
#include "store/store.h"
#include "util/xalloc.h"

static const struct {
        const char *name;
        unsigned flag;
} ns_files[] = {
        /* user first: the others may belong to a user namespace the
         * container nests in rc's (setns with a pidfd orders them itself) */
        { "user", CLONE_NEWUSER }, { "mnt", CLONE_NEWNS },        { "uts", CLONE_NEWUTS },
        { "ipc", CLONE_NEWIPC },   { "net", CLONE_NEWNET },       { "cgroup", CLONE_NEWCGROUP },
        { "pid", CLONE_NEWPID },
};

/* The namespaces of target that are not rc's own.  Joining one rc is
 * already in is not only useless but refused for some (a --network host
 * container's network namespace is the host's, owned by the initial user
 * namespace). */
static int namespaces_to_join(pid_t target, unsigned *flags, rc_error **err)
{
        *flags = 0;
        for (size_t i = 0; i < sizeof(ns_files) / sizeof(ns_files[0]); i++) {
                char path[64];
                struct stat self, other;

                snprintf(path, sizeof(path), "/proc/self/ns/%s", ns_files[i].name);
                if (stat(path, &self) < 0)
                        return rc_error_set(err, errno, "stat %s", path);
                snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)target, ns_files[i].name);
                if (stat(path, &other) < 0)
                        return rc_error_set(err, errno == ENOENT ? ESRCH : errno, "the container's %s namespace",
                                            ns_files[i].name);
                if (self.st_dev != other.st_dev || self.st_ino != other.st_ino)
                        *flags |= ns_files[i].flag;
        }
        return 0;
}

struct join_args {
        const struct rc_spec *spec;
        const struct rc_runtime_stdio *stdio;
        int sync_fd, target_fd;
        unsigned flags; /* namespaces to join, but pid (rc entered it for its child) */
        sigset_t old_mask;
};

static __attribute__((noreturn)) void join_main(struct join_args *a)
{
        struct rc_child_error e = { 0 };
        int devnull, sync_fd = a->sync_fd, target_fd = a->target_fd;

        rc_child_default_signals();
        /* nothing of rc open from here on but the target's pidfd */
        if (rc_child_begin(a->stdio, &sync_fd, &devnull, &target_fd, &e) < 0) {
                if (sync_fd < 0)
                        _exit(127);
                goto fail;
        }
        /* all at once, as the kernel checks the set: the root and working
         * directory become the root of the container's mount namespace */
        if (a->flags && setns(target_fd, (int)a->flags) < 0) {
                rc_child_fail(&e, errno, "join the container's namespaces");
                goto fail;
        }
        close(target_fd);
        if (rc_apply_rlimits(a->spec, &e) < 0)
                goto fail;
        /* the working directory must exist: exec does not create it */
        rc_child_exec(a->spec, a->stdio, sync_fd, false, &e);
fail:
        if (send(sync_fd, &e, sizeof(e), MSG_NOSIGNAL) < 0)
                _exit(126);
        _exit(127);
}

/* Open target as a pidfd and check it is still the process that was
 * recorded (its start time), so a recycled pid is never joined. */
static int open_target(pid_t target, uint64_t target_start, int *pidfd, rc_error **err)
{
        int fd = (int)syscall(SYS_pidfd_open, target, 0);

        if (fd < 0)
                return errno == ESRCH ? rc_error_set(err, ESRCH, "its process %d is gone", (int)target)
                                      : rc_error_set(err, errno, "open process %d (pidfd_open needs Linux 5.3)",
                                                     (int)target);
        /* read after the pidfd exists: if the pid was reused before, the
         * start time is the new process's and differs */
        if (target_start == 0 || rc_process_start_time(target) != target_start) {
                close(fd);
                return rc_error_set(err, ESRCH, "its process %d is gone", (int)target);
        }
        *pidfd = fd;
        return 0;
}

/* rc's own pid_for_children back to its own pid namespace. */
static int leave_pid_ns(int self_pid_ns, rc_error **err)
{
        if (setns(self_pid_ns, CLONE_NEWPID) < 0)
                return rc_error_set(err, errno, "return to rc's pid namespace");
        return 0;
}

int rc_runtime_exec(pid_t target, uint64_t target_start, const struct rc_spec *process,
                    const struct rc_runtime_stdio *stdio, struct rc_container_proc *proc, rc_error **err)
{
        struct join_args a = { .spec = process, .stdio = stdio };
        struct clone_args ca = { 0 };
        cleanup_close int target_fd = -1, self_pid_ns = -1;
        sigset_t block;
        int sync[2], pidfd = -1, dumpable, saved;
        unsigned flags;
        pid_t pid;

        if (process->args == NULL || process->args[0] == NULL)
                return rc_error_set(err, EINVAL, "no command to run");
        if (open_target(target, target_start, &target_fd, err) < 0 || namespaces_to_join(target, &flags, err) < 0)
                return -1;
        /* still alive after the stats: they were of this process, not of one
         * that took its pid meanwhile */
        if (syscall(SYS_pidfd_send_signal, target_fd, 0, NULL, 0) < 0)
                return rc_error_set(err, ESRCH, "its process %d is gone", (int)target);
        a.flags = flags & ~(unsigned)CLONE_NEWPID;
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sync) < 0)
                return rc_error_set(err, errno, "socketpair");
        if (flags & CLONE_NEWPID) {
                self_pid_ns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
                if (self_pid_ns < 0 || setns(target_fd, CLONE_NEWPID) < 0) {
                        saved = errno;
                        close(sync[0]);
                        close(sync[1]);
                        return rc_error_set(err, saved, "enter the container's pid namespace");
                }
        }
        a.sync_fd = sync[1];
        a.target_fd = target_fd;
        rc_forwarded_signals(&block);
        sigprocmask(SIG_BLOCK, &block, &a.old_mask);
        /* inherited by the child; exec makes it dumpable again */
        dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
        prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        ca.flags = CLONE_PIDFD;
        ca.pidfd = (uint64_t)(uintptr_t)&pidfd;
        ca.exit_signal = SIGCHLD;
        pid = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
        if (pid == 0)
                join_main(&a);
        saved = errno;
        if (dumpable > 0)
                prctl(PR_SET_DUMPABLE, dumpable, 0, 0, 0);
        close(sync[1]);
        if (self_pid_ns >= 0 && leave_pid_ns(self_pid_ns, err) < 0) {
                if (pid > 0) {
                        syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
                        waitid(P_PIDFD, (id_t)pidfd, NULL, WEXITED);
                        close(pidfd);
                }
                close(sync[0]);
                sigprocmask(SIG_SETMASK, &a.old_mask, NULL);
                return -1;
        }
        if (pid < 0) {
                close(sync[0]);
                sigprocmask(SIG_SETMASK, &a.old_mask, NULL);
                return rc_error_set(err, saved, "create a process in the container");
        }
        return rc_child_started(sync[0], pid, pidfd, stdio, &a.old_mask, proc, err);
}
