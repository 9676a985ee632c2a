/* Joining a running container: a new process in its namespaces, with the
 * same hardening as the container's own first process (rc exec).
 *
 * rc joins the container's user namespace itself when it is not in it.
 * Then an intermediate process joins the container's other namespaces
 * (setns with CLONE_NEWPID only decides where its children are born) and
 * creates the process with CLONE_PARENT, so that it is rc's child —
 * rc_runtime_wait works on it — in the container's pid namespace from its
 * first instruction.  (rc itself cannot go there and back: returning to
 * its own pid namespace would need CAP_SYS_ADMIN over the host's.)
 *
 * Both share rc's memory (CLONE_VM | CLONE_VFORK, as posix_spawn does):
 * rc waits while they run, nothing of rc's memory is copied, and the
 * process gets memory of its own only at its exec.  That memory is marked
 * not dumpable from before the first clone until the exec: the
 * container's processes can see the new process (same pid namespace) but
 * cannot open /proc/PID/exe (rc's binary, which the user — the
 * container's root — may own: runc's CVE-2019-5736), /proc/PID/mem, its
 * cwd or its fds, nor ptrace it.  exec gives it a dumpable memory of the
 * container's command. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/internal.h"
#include "store/store.h"
#include "util/log.h"
#include "util/xalloc.h"

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif

/* Stack for each of the two children; they run rc's code (libc's exec,
 * formatting an error), nothing deep. */
#define CHILD_STACK (256 * 1024)

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
        int sync_fd;    /* the process's messages to rc (terminal, error) */
        int target_fd;  /* pidfd of the container's process */
        int cgroup_fd;  /* cgroup.procs of the container's cgroup, or -1 */
        unsigned flags; /* namespaces to join but the user namespace */
        char *stack;    /* CHILD_STACK for the process */
        /* written by the intermediate, read by rc once it has resumed */
        pid_t pid;
        int pidfd;
        int cgroup_errno; /* why the move into the container's cgroup failed */
        struct rc_child_error e;
};

/* The process itself: already in every namespace of the container. */
static int process_main(void *arg)
{
        struct join_args *a = arg;
        struct rc_child_error e = { 0 };
        int devnull, sync_fd = a->sync_fd;

        rc_child_default_signals();
        /* nothing of rc open from here on, before any path is resolved */
        if (rc_child_begin(a->stdio, &sync_fd, &devnull, NULL, &e) < 0) {
                if (sync_fd < 0)
                        _exit(127);
                goto fail;
        }
        if (rc_apply_rlimits(a->spec, &e) < 0)
                goto fail;
        /* the working directory must exist: exec does not create it */
        rc_child_exec(a->spec, a->stdio, sync_fd, false, NULL, &e);
fail:
        if (send(sync_fd, &e, sizeof(e), MSG_NOSIGNAL) < 0)
                _exit(126);
        _exit(127);
}

/* The intermediate: joins the namespaces (all at once: the kernel checks
 * the set), creates the process as rc's child and ends once it has exec'd
 * or failed.  It is never in the container's pid namespace itself, so the
 * container never sees it.  It shares rc's file table (CLONE_FILES): the
 * process's pidfd lands in rc's. */
static int intermediate_main(void *arg)
{
        struct join_args *a = arg;
        pid_t pid;

        /* into the container's cgroup first: the process is born there and
         * counts against its limits.  Before the cgroup namespace, which
         * hides rc's own cgroup (the kernel checks both ends of a move). */
        if (a->cgroup_fd >= 0 && write(a->cgroup_fd, "0", 1) != 1)
                a->cgroup_errno = errno;
        if (a->flags && setns(a->target_fd, (int)a->flags) < 0) {
                rc_child_fail(&a->e, errno, "join the container's namespaces");
                return 1;
        }
        /* no exit signal with CLONE_PARENT: the child takes this process's
         * own (SIGCHLD, to rc) */
        pid = clone(process_main, a->stack + CHILD_STACK, CLONE_VM | CLONE_VFORK | CLONE_PARENT | CLONE_PIDFD, a,
                    &a->pidfd);
        if (pid < 0) {
                rc_child_fail(&a->e, errno, "create a process in the container");
                return 1;
        }
        a->pid = pid;
        return 0;
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

/* rc into the container's user namespace, when it is not there yet (a
 * container nested in rc's, or one born in an earlier pause process's). */
static int join_userns(pid_t target, int target_fd, unsigned *flags, rc_error **err)
{
        if (!(*flags & CLONE_NEWUSER))
                return 0;
        if (setns(target_fd, CLONE_NEWUSER) < 0)
                return rc_error_set(err, errno, "join the container's user namespace");
        *flags &= ~(unsigned)CLONE_NEWUSER;
        /* what differs from rc's own may have changed with it */
        return namespaces_to_join(target, flags, err);
}

int rc_runtime_exec(pid_t target, uint64_t target_start, const struct rc_spec *process, int cgroup_procs_fd,
                    const struct rc_runtime_stdio *stdio, struct rc_container_proc *proc, rc_error **err)
{
        struct join_args a = { .spec = process, .stdio = stdio, .pidfd = -1, .cgroup_fd = cgroup_procs_fd };
        cleanup_close int target_fd = -1;
        sigset_t block, old_mask;
        int sync[2], dumpable, saved, status = 0;
        char *stacks;
        pid_t mid;

        if (process->args == NULL || process->args[0] == NULL)
                return rc_error_set(err, EINVAL, "no command to run");
        if (open_target(target, target_start, &target_fd, err) < 0 || namespaces_to_join(target, &a.flags, err) < 0 ||
            join_userns(target, target_fd, &a.flags, err) < 0)
                return -1;
        /* still alive after the stats: they were of this process, not of one
         * that took its pid meanwhile */
        if (syscall(SYS_pidfd_send_signal, target_fd, 0, NULL, 0) < 0)
                return rc_error_set(err, ESRCH, "its process %d is gone", (int)target);
        stacks = mmap(NULL, 2 * CHILD_STACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
        if (stacks == MAP_FAILED)
                return rc_error_set(err, errno, "allocate stacks");
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sync) < 0) {
                saved = errno;
                munmap(stacks, 2 * CHILD_STACK);
                return rc_error_set(err, saved, "socketpair");
        }
        a.sync_fd = sync[1];
        a.target_fd = target_fd;
        a.stack = stacks + CHILD_STACK;
        rc_forwarded_signals(&block);
        sigprocmask(SIG_BLOCK, &block, &old_mask);
        /* the memory both children share until the exec */
        dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
        prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        mid = clone(intermediate_main, stacks + CHILD_STACK, CLONE_VM | CLONE_VFORK | CLONE_FILES | SIGCHLD, &a);
        saved = errno;
        if (dumpable > 0)
                prctl(PR_SET_DUMPABLE, dumpable, 0, 0, 0);
        if (mid > 0)
                waitpid(mid, &status, 0);
        munmap(stacks, 2 * CHILD_STACK);
        close(sync[1]);
        if (mid < 0 || a.pid <= 0) {
                close(sync[0]);
                sigprocmask(SIG_SETMASK, &old_mask, NULL);
                if (mid < 0)
                        return rc_error_set(err, saved, "create a process to join the container");
                a.e.msg[sizeof(a.e.msg) - 1] = '\0';
                rc_error_set(err, 0, "%s", a.e.msg[0] ? a.e.msg : "the process joining the container died");
                if (err && *err)
                        (*err)->errnum = a.e.errnum ? a.e.errnum : EPROTO;
                return -1;
        }
        if (a.cgroup_errno)
                rc_info("the process is not in the container's cgroup: %s (rc needs write access to the "
                        "cgroup.procs of both cgroups' common parent)",
                        strerror(a.cgroup_errno));
        return rc_child_started(sync[0], a.pid, a.pidfd, stdio, &old_mask, proc, err);
}
