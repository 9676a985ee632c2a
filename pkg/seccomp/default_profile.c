/* rc's default profile: an allow-list in the spirit of the profile docker
 * and podman apply to every container.  What is not listed fails with
 * EPERM.  Left out on purpose: the keyring (keyctl, add_key, request_key:
 * keys are not namespaced), kernel modules, reboot, swap, clock setting,
 * accounting, kexec, userfaultfd, new namespaces and mounts (unless the
 * container holds CAP_SYS_ADMIN), ptrace on kernels before 4.8 (seccomp
 * could be bypassed through it), AF_VSOCK sockets (host communication),
 * exotic personalities.  Bump RC_SECCOMP_TABLE_VERSION with any change. */
#include <errno.h>
#include <seccomp.h>
#include <string.h>

#include "seccomp/internal.h"
#include "util/xalloc.h"

/* Plain allow: ordinary process, file, memory, time, IPC and socket calls. */
static const char *const allowed[] = {
        "accept", "accept4", "access", "adjtimex", "alarm", "bind", "brk", "cachestat", "capget", "capset", "chdir",
        "chmod", "chown", "chown32", "clock_adjtime", "clock_adjtime64", "clock_getres", "clock_getres_time64",
        "clock_gettime", "clock_gettime64", "clock_nanosleep", "clock_nanosleep_time64", "close", "close_range",
        "connect", "copy_file_range", "creat", "dup", "dup2", "dup3", "epoll_create", "epoll_create1", "epoll_ctl",
        "epoll_ctl_old", "epoll_pwait", "epoll_pwait2", "epoll_wait", "epoll_wait_old", "eventfd", "eventfd2",
        "execve", "execveat", "exit", "exit_group", "faccessat", "faccessat2", "fadvise64", "fadvise64_64",
        "fallocate", "fanotify_mark", "fchdir", "fchmod", "fchmodat", "fchmodat2", "fchown", "fchown32", "fchownat",
        "fcntl", "fcntl64", "fdatasync", "fgetxattr", "flistxattr", "flock", "fork", "fremovexattr", "fsetxattr",
        "fstat", "fstat64", "fstatat64", "fstatfs", "fstatfs64", "fsync", "ftruncate", "ftruncate64", "futex",
        "futex_requeue", "futex_time64", "futex_wait", "futex_waitv", "futex_wake", "futimesat", "getcpu", "getcwd",
        "getdents", "getdents64", "getegid", "getegid32", "geteuid", "geteuid32", "getgid", "getgid32", "getgroups",
        "getgroups32", "getitimer", "getpeername", "getpgid", "getpgrp", "getpid", "getppid", "getpriority",
        "getrandom", "getresgid", "getresgid32", "getresuid", "getresuid32", "getrlimit", "get_robust_list",
        "getrusage", "getsid", "getsockname", "getsockopt", "get_thread_area", "gettid", "gettimeofday", "getuid",
        "getuid32", "getxattr", "inotify_add_watch", "inotify_init", "inotify_init1", "inotify_rm_watch",
        "io_cancel", "ioctl", "io_destroy", "io_getevents", "io_pgetevents", "io_pgetevents_time64", "ioprio_get",
        "ioprio_set", "io_setup", "io_submit", "io_uring_enter", "io_uring_register", "io_uring_setup", "ipc",
        "kill", "landlock_add_rule", "landlock_create_ruleset", "landlock_restrict_self", "lchown", "lchown32",
        "lgetxattr", "link", "linkat", "listen", "listxattr", "llistxattr", "_llseek", "lremovexattr", "lseek",
        "lsetxattr", "lstat", "lstat64", "madvise", "map_shadow_stack", "membarrier", "memfd_create", "memfd_secret",
        "mincore", "mkdir", "mkdirat", "mknod", "mknodat", "mlock", "mlock2", "mlockall", "mmap", "mmap2",
        "mprotect", "mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive", "mq_timedreceive_time64",
        "mq_timedsend", "mq_timedsend_time64", "mq_unlink", "mremap", "mseal", "msgctl", "msgget", "msgrcv",
        "msgsnd", "msync", "munlock", "munlockall", "munmap", "name_to_handle_at", "nanosleep", "newfstatat",
        "_newselect", "open", "openat", "openat2", "pause", "pidfd_open", "pidfd_send_signal", "pipe", "pipe2",
        "pkey_alloc", "pkey_free", "pkey_mprotect", "poll", "ppoll", "ppoll_time64", "prctl", "pread64", "preadv",
        "preadv2", "prlimit64", "process_mrelease", "pselect6", "pselect6_time64", "pwrite64", "pwritev",
        "pwritev2", "read", "readahead", "readlink", "readlinkat", "readv", "recv", "recvfrom", "recvmmsg",
        "recvmmsg_time64", "recvmsg", "remap_file_pages", "removexattr", "rename", "renameat", "renameat2",
        "restart_syscall", "rmdir", "rseq", "rt_sigaction", "rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo",
        "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait", "rt_sigtimedwait_time64", "rt_tgsigqueueinfo",
        "sched_getaffinity", "sched_getattr", "sched_getparam", "sched_get_priority_max", "sched_get_priority_min",
        "sched_getscheduler", "sched_rr_get_interval", "sched_rr_get_interval_time64", "sched_setaffinity",
        "sched_setattr", "sched_setparam", "sched_setscheduler", "sched_yield", "seccomp", "select", "semctl",
        "semget", "semop", "semtimedop", "semtimedop_time64", "send", "sendfile", "sendfile64", "sendmmsg",
        "sendmsg", "sendto", "setfsgid", "setfsgid32", "setfsuid", "setfsuid32", "setgid", "setgid32", "setgroups",
        "setgroups32", "setitimer", "setpgid", "setpriority", "setregid", "setregid32", "setresgid", "setresgid32",
        "setresuid", "setresuid32", "setreuid", "setreuid32", "setrlimit", "set_robust_list", "setsid",
        "setsockopt", "set_thread_area", "set_tid_address", "setuid", "setuid32", "setxattr", "shmat", "shmctl",
        "shmdt", "shmget", "shutdown", "sigaltstack", "signalfd", "signalfd4", "sigprocmask", "sigreturn",
        "socketcall", "socketpair", "splice", "stat", "stat64", "statfs", "statfs64", "statx", "symlink",
        "symlinkat", "sync", "sync_file_range", "syncfs", "sysinfo", "tee", "tgkill", "time", "timer_create",
        "timer_delete", "timer_getoverrun", "timer_gettime", "timer_gettime64", "timer_settime", "timer_settime64",
        "timerfd_create", "timerfd_gettime", "timerfd_gettime64", "timerfd_settime", "timerfd_settime64", "times",
        "tkill", "truncate", "truncate64", "ugetrlimit", "umask", "uname", "unlink", "unlinkat", "utime",
        "utimensat", "utimensat_time64", "utimes", "vfork", "vmsplice", "wait4", "waitid", "waitpid", "write",
        "writev", NULL,
};

/* Namespace flags of clone/unshare: only with CAP_SYS_ADMIN. */
#define NS_FLAGS 0x7E020000ULL /* NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET */

#define N(...) ((const char *const[]){ __VA_ARGS__, NULL })

struct group {
        const char *const *names;
        uint32_t action;
        struct rc_seccomp_arg arg; /* used when has_arg */
        bool has_arg;
        unsigned min_kernel;       /* major << 16 | minor */
        const char *const *inc_caps, *const *exc_caps, *const *inc_arches, *const *exc_arches;
};

static const struct group groups[] = {
        { .names = allowed, .action = SCMP_ACT_ALLOW },
        /* ptrace can no longer step around seccomp from 4.8 on */
        { .names = N("ptrace", "process_vm_readv", "process_vm_writev"), .action = SCMP_ACT_ALLOW,
          .min_kernel = 4 << 16 | 8 },
        /* every socket family but AF_VSOCK (40) */
        { .names = N("socket"), .action = SCMP_ACT_ALLOW, .has_arg = true, .arg = { 0, 40, 0, SCMP_CMP_NE } },
        /* personality: query, PER_LINUX, PER_LINUX32, UNAME26 and UNAME26|PER_LINUX32 only */
        { .names = N("personality"), .action = SCMP_ACT_ALLOW, .has_arg = true, .arg = { 0, 0, 0, SCMP_CMP_EQ } },
        { .names = N("personality"), .action = SCMP_ACT_ALLOW, .has_arg = true, .arg = { 0, 8, 0, SCMP_CMP_EQ } },
        { .names = N("personality"), .action = SCMP_ACT_ALLOW, .has_arg = true,
          .arg = { 0, 0x20000, 0, SCMP_CMP_EQ } },
        { .names = N("personality"), .action = SCMP_ACT_ALLOW, .has_arg = true,
          .arg = { 0, 0x20008, 0, SCMP_CMP_EQ } },
        { .names = N("personality"), .action = SCMP_ACT_ALLOW, .has_arg = true,
          .arg = { 0, 0xffffffff, 0, SCMP_CMP_EQ } },
        /* architecture specific */
        { .names = N("arch_prctl"), .action = SCMP_ACT_ALLOW, .inc_arches = N("amd64", "x32") },
        { .names = N("modify_ldt"), .action = SCMP_ACT_ALLOW, .inc_arches = N("amd64", "x32", "x86") },
        { .names = N("arm_fadvise64_64", "arm_sync_file_range", "sync_file_range2", "breakpoint", "cacheflush",
                     "set_tls"),
          .action = SCMP_ACT_ALLOW, .inc_arches = N("arm", "arm64") },
        { .names = N("sync_file_range2", "swapcontext"), .action = SCMP_ACT_ALLOW, .inc_arches = N("ppc64le") },
        { .names = N("s390_pci_mmio_read", "s390_pci_mmio_write", "s390_runtime_instr"), .action = SCMP_ACT_ALLOW,
          .inc_arches = N("s390", "s390x") },
        { .names = N("riscv_flush_icache"), .action = SCMP_ACT_ALLOW, .inc_arches = N("riscv64") },
        /* namespaces and mounts: CAP_SYS_ADMIN, else clone/unshare without namespace flags and clone3 as
         * ENOSYS, so that libc falls back to clone, whose flags a filter can read */
        { .names = N("bpf", "clone", "clone3", "fanotify_init", "fsconfig", "fsmount", "fsopen", "fspick",
                     "lookup_dcookie", "mount", "mount_setattr", "move_mount", "open_tree", "perf_event_open",
                     "pivot_root", "quotactl", "quotactl_fd", "setdomainname", "sethostname", "setns", "syslog",
                     "umount", "umount2", "unshare"),
          .action = SCMP_ACT_ALLOW, .inc_caps = N("CAP_SYS_ADMIN") },
        { .names = N("clone", "unshare"), .action = SCMP_ACT_ALLOW, .has_arg = true,
          .arg = { 0, NS_FLAGS, 0, SCMP_CMP_MASKED_EQ }, .exc_caps = N("CAP_SYS_ADMIN"),
          .exc_arches = N("s390", "s390x") },
        /* s390 passes clone's flags second */
        { .names = N("clone"), .action = SCMP_ACT_ALLOW, .has_arg = true,
          .arg = { 1, NS_FLAGS, 0, SCMP_CMP_MASKED_EQ }, .exc_caps = N("CAP_SYS_ADMIN"),
          .inc_arches = N("s390", "s390x") },
        { .names = N("unshare"), .action = SCMP_ACT_ALLOW, .has_arg = true,
          .arg = { 0, NS_FLAGS, 0, SCMP_CMP_MASKED_EQ }, .exc_caps = N("CAP_SYS_ADMIN"),
          .inc_arches = N("s390", "s390x") },
        { .names = N("clone3"), .action = SCMP_ACT_ERRNO(ENOSYS), .exc_caps = N("CAP_SYS_ADMIN") },
        /* other capabilities */
        { .names = N("reboot"), .action = SCMP_ACT_ALLOW, .inc_caps = N("CAP_SYS_BOOT") },
        { .names = N("chroot"), .action = SCMP_ACT_ALLOW, .inc_caps = N("CAP_SYS_CHROOT") },
        { .names = N("delete_module", "init_module", "finit_module"), .action = SCMP_ACT_ALLOW,
          .inc_caps = N("CAP_SYS_MODULE") },
        { .names = N("acct"), .action = SCMP_ACT_ALLOW, .inc_caps = N("CAP_SYS_PACCT") },
        { .names = N("kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv", "process_vm_writev", "ptrace"),
          .action = SCMP_ACT_ALLOW, .inc_caps = N("CAP_SYS_PTRACE") },
        { .names = N("iopl", "ioperm"), .action = SCMP_ACT_ALLOW, .inc_caps = N("CAP_SYS_RAWIO") },
        { .names = N("settimeofday", "stime", "clock_settime", "clock_settime64"), .action = SCMP_ACT_ALLOW,
          .inc_caps = N("CAP_SYS_TIME") },
        { .names = N("vhangup"), .action = SCMP_ACT_ALLOW, .inc_caps = N("CAP_SYS_TTY_CONFIG") },
        { .names = N("get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node"),
          .action = SCMP_ACT_ALLOW, .inc_caps = N("CAP_SYS_NICE") },
        { .names = N("syslog"), .action = SCMP_ACT_ALLOW, .inc_caps = N("CAP_SYSLOG") },
        { .names = N("open_by_handle_at"), .action = SCMP_ACT_ALLOW, .inc_caps = N("CAP_DAC_READ_SEARCH") },
        { .names = N("bpf"), .action = SCMP_ACT_ALLOW, .inc_caps = N("CAP_BPF") },
        { .names = N("perf_event_open"), .action = SCMP_ACT_ALLOW, .inc_caps = N("CAP_PERFMON") },
};

struct rc_seccomp_profile *rc_seccomp_profile_default(void)
{
        struct rc_seccomp_profile *p = xcalloc(1, sizeof(*p));
        size_t n = sizeof(groups) / sizeof(groups[0]);

        p->name = xstrdup("default");
        p->default_action = SCMP_ACT_ERRNO(EPERM);
        snprintf(p->source, sizeof(p->source), "default:%s", RC_SECCOMP_TABLE_VERSION);
        /* The rules point into the table (no copies: rc builds this profile
         * for every container, and on a cache hit it only needs its hash). */
        p->builtin = true;
        p->rules = xcalloc(n, sizeof(*p->rules));
        p->n_rules = n;
        for (size_t i = 0; i < n; i++) {
                struct rc_seccomp_rule *r = &p->rules[i];
                const struct group *g = &groups[i];

                r->names = (char **)g->names;
                r->action = g->action;
                r->args = g->has_arg ? (struct rc_seccomp_arg *)&g->arg : NULL;
                r->n_args = g->has_arg;
                r->includes.caps = (char **)g->inc_caps;
                r->includes.arches = (char **)g->inc_arches;
                r->includes.min_kernel = g->min_kernel;
                r->excludes.caps = (char **)g->exc_caps;
                r->excludes.arches = (char **)g->exc_arches;
        }
        return p;
}
