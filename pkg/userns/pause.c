/* The pause process: a sleeping process that keeps rc's mapped user
 * namespace alive so later rc processes join it with setns() instead of
 * running newuidmap/newgidmap every time.  It serves no requests.
 *
 * $runroot/pause.pid holds "PID STARTTIME"; the start time (field 22 of
 * /proc/PID/stat) tells a live pause process from a reused pid.  Whether it
 * still holds the right mapping is read from its /proc/PID/uid_map and
 * gid_map, the kernel's own record. */
#include "userns/userns.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "userns/internal.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/xalloc.h"

#define PAUSE_NAME "rc-pause"
#define STOP_TIMEOUT_MS 5000

/* First message of the pause process: did unshare work, and its pid. */
struct pause_hello {
        int32_t errnum;
        int32_t pid;
};

/* Reads up to len-1 bytes of a small file below dirfd. */
static ssize_t read_small_at(int dirfd, const char *name, char *buf, size_t len)
{
        cleanup_close int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
        ssize_t n;

        if (fd < 0)
                return -1;
        do
                n = read(fd, buf, len - 1);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -1;
        buf[n] = '\0';
        return n;
}

uint64_t userns_proc_start_time(int procfd)
{
        char buf[1024];
        unsigned long long start;
        char *p;

        if (read_small_at(procfd, "stat", buf, sizeof(buf)) <= 0)
                return 0;
        /* comm may hold spaces and ')': fields restart after the last ')' */
        p = strrchr(buf, ')');
        if (p == NULL || p[1] == '\0')
                return 0;
        /* a zombie still has its user namespace, but is no pause process:
         * it is gone once its parent (init) reaps it */
        if (p[2] == 'Z' || p[2] == 'X')
                return 0;
        if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
                   &start) != 1)
                return 0;
        return start;
}

int userns_read_proc_mapping(int procfd, struct rc_userns_mapping *out, rc_error **err)
{
        struct rc_userns_mapping m = { 0 };
        char buf[8192];

        if (read_small_at(procfd, "uid_map", buf, sizeof(buf)) < 0)
                return rc_error_set(err, errno, "read uid_map");
        if (rc_idmap_parse_proc(buf, &m.uids, &m.n_uids, err) < 0)
                return -1;
        if (read_small_at(procfd, "gid_map", buf, sizeof(buf)) < 0 ||
            rc_idmap_parse_proc(buf, &m.gids, &m.n_gids, err) < 0) {
                if (err && *err == NULL)
                        rc_error_set(err, errno, "read gid_map");
                rc_userns_mapping_free(&m);
                return -1;
        }
        *out = m;
        return 0;
}

int userns_pause_open(const char *pidfile, pid_t *pid)
{
        char buf[64], path[32];
        cleanup_close int fd = open(pidfile, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        unsigned long long start;
        int p, procfd;
        ssize_t n;

        if (fd < 0)
                return -1;
        n = read(fd, buf, sizeof(buf) - 1);
        if (n <= 0)
                return -1;
        buf[n] = '\0';
        if (sscanf(buf, "%d %llu", &p, &start) != 2 || p <= 1 || start == 0)
                return -1;
        snprintf(path, sizeof(path), "/proc/%d", p);
        procfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (procfd < 0)
                return -1;
        /* the dir fd pins this process: a reused pid reads as a different start time */
        if (userns_proc_start_time(procfd) != start) {
                close(procfd);
                return -1;
        }
        *pid = p;
        return procfd;
}

/* Keep only fd (returned, as it may move), with 0-2 on /dev/null. */
static int keep_only(int fd)
{
        int nul;

        if (fd < 3)
                fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        nul = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (fd < 0 || nul < 0)
                _exit(1);
        for (int i = 0; i < 3; i++)
                if (nul != i && dup2(nul, i) < 0)
                        _exit(1);
        if ((fd > 3 && close_range(3, (unsigned)fd - 1, 0) < 0) || close_range((unsigned)fd + 1, ~0U, 0) < 0) {
                for (int i = 3; i < 65536; i++) /* close_range needs Linux 5.9 */
                        if (i != fd)
                                close(i);
        }
        return fd;
}

/* Show up as "rc-pause" in ps: the comm name, and the argument area (ps -ef
 * shows that) when rc's argv is where /proc/self/stat says it is. */
static void set_name(void)
{
        char buf[1024];
        unsigned long arg_start, arg_end;
        char *p;

        prctl(PR_SET_NAME, PAUSE_NAME, 0, 0, 0);
        if (read_small_at(AT_FDCWD, "/proc/self/stat", buf, sizeof(buf)) <= 0)
                return;
        p = strrchr(buf, ')');
        if (p == NULL || p[1] == '\0')
                return;
        /* fields 48 and 49: arg_start, arg_end (field 3 follows the ')') */
        p += 2;
        for (int field = 3; field < 48 && p; field++) {
                p = strchr(p, ' ');
                if (p)
                        p++;
        }
        if (p == NULL || sscanf(p, "%lu %lu", &arg_start, &arg_end) != 2)
                return;
        if ((unsigned long)(uintptr_t)program_invocation_name != arg_start || arg_end <= arg_start + sizeof(PAUSE_NAME))
                return;
        memset(program_invocation_name, 0, arg_end - arg_start);
        memcpy(program_invocation_name, PAUSE_NAME, sizeof(PAUSE_NAME));
}

static int write_pidfile(const char *pidfile, pid_t pid, uint64_t start, rc_error **err);

static void __attribute__((noreturn)) pause_main(int fd)
{
        struct pause_hello h = { 0 };
        sigset_t none;
        ssize_t n;
        char c;

        /* a clean slate: rc's handlers and mask are not the pause's */
        for (int sig = 1; sig < NSIG; sig++)
                if (sig != SIGKILL && sig != SIGSTOP)
                        signal(sig, SIG_DFL);
        /* Ctrl-C or a hangup in the terminal that started it must not kill
         * it; SIGTERM does (rc system migrate) */
        signal(SIGINT, SIG_IGN);
        signal(SIGHUP, SIG_IGN);
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        setsid();
        if (chdir("/") < 0)
                _exit(1);
        fd = keep_only(fd);
        if (unshare(CLONE_NEWUSER) < 0)
                h.errnum = errno;
        h.pid = getpid();
        if (send(fd, &h, sizeof(h), MSG_NOSIGNAL) != sizeof(h) || h.errnum)
                _exit(1);
        do
                n = recv(fd, &c, 1, 0);
        while (n < 0 && errno == EINTR);
        if (n != 1 || c != 'M')
                _exit(1); /* rc could not map the namespace: nothing to hold */
        close(fd);
        set_name();
        for (;;)
                pause();
}

int userns_pause_create(const char *pidfile, const char *uidmap, const char *gidmap,
                        const struct rc_userns_mapping *m, pid_t *out, rc_error **err)
{
        cleanup_close int s0 = -1, procfd = -1;
        cleanup_free char *procpath = NULL;
        struct pause_hello h;
        int sv[2], status;
        uint64_t start;
        pid_t mid;
        ssize_t n;

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
                return rc_error_set(err, errno, "socketpair");
        s0 = sv[0];
        /* double fork: the pause process is re-parented to init (or a
         * subreaper) and is never rc's child to reap */
        mid = fork();
        if (mid < 0) {
                close(sv[1]);
                return rc_error_set(err, errno, "fork the pause process");
        }
        if (mid == 0) {
                pid_t p;
                close(sv[0]);
                p = fork();
                if (p == 0)
                        pause_main(sv[1]);
                _exit(p < 0 ? 1 : 0);
        }
        close(sv[1]);
        while (waitpid(mid, &status, 0) < 0) {
                if (errno != EINTR)
                        return rc_error_set(err, errno, "wait for the pause process launcher");
        }
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return rc_error_set(err, 0, "fork the pause process: the launcher failed");
        do
                n = recv(s0, &h, sizeof(h), 0);
        while (n < 0 && errno == EINTR);
        if (n != sizeof(h))
                return rc_error_set(err, n < 0 ? errno : 0, "the pause process exited before it was set up");
        if (h.errnum)
                return rc_error_set(err, h.errnum, "create a user namespace (%s)", userns_unshare_hint(h.errnum));
        /* on failure below, closing s0 makes the pause process exit */
        if (userns_map_pid(uidmap, gidmap, h.pid, m, err) < 0)
                return rc_error_wrap(err, "map the subordinate ids into the pause process's user namespace");
        procpath = xasprintf("/proc/%d", (int)h.pid);
        procfd = open(procpath, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (procfd < 0 || (start = userns_proc_start_time(procfd)) == 0)
                return rc_error_set(err, errno, "the pause process %d vanished", (int)h.pid);
        if (send(s0, "M", 1, MSG_NOSIGNAL) != 1)
                return rc_error_set(err, errno, "start the pause process");
        if (write_pidfile(pidfile, h.pid, start, err) < 0) {
                kill(h.pid, SIGKILL); /* still pinned by procfd: cannot be a reused pid */
                return -1;
        }
        rc_info("userns: started pause process %d", (int)h.pid);
        *out = h.pid;
        return 0;
}

/* Record procfd's process as the pause process. */
static int write_pidfile(const char *pidfile, pid_t pid, uint64_t start, rc_error **err)
{
        cleanup_free char *text = xasprintf("%d %" PRIu64 "\n", (int)pid, start);

        return rc_write_file_atomic(pidfile, text, strlen(text), 0600, err);
}

int userns_pause_adopt(const char *pidfile, const struct rc_userns_mapping *m, pid_t *out, rc_error **err)
{
        cleanup_closedir DIR *d = opendir("/proc");
        struct dirent *de;

        if (d == NULL)
                return 0;
        while ((de = readdir(d)) != NULL) {
                struct rc_userns_mapping held = { 0 };
                cleanup_error rc_error *ignored = NULL;
                cleanup_close int procfd = -1;
                char comm[32], *end;
                long pid = strtol(de->d_name, &end, 10);
                struct stat st;
                uint64_t start;
                bool same;

                if (*end || pid <= 1 || pid == getpid())
                        continue;
                procfd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (procfd < 0 || fstat(procfd, &st) < 0 || st.st_uid != getuid() ||
                    read_small_at(procfd, "comm", comm, sizeof(comm)) <= 0 || strcmp(comm, PAUSE_NAME "\n") != 0)
                        continue;
                if (userns_read_proc_mapping(procfd, &held, &ignored) < 0)
                        continue;
                same = rc_userns_mapping_equal(&held, m);
                rc_userns_mapping_free(&held);
                if (!same || (start = userns_proc_start_time(procfd)) == 0)
                        continue;
                if (write_pidfile(pidfile, (pid_t)pid, start, err) < 0)
                        return -1;
                rc_info("userns: adopted the pause process %ld", pid);
                *out = (pid_t)pid;
                return 1;
        }
        return 0;
}

/* Stop the process behind procfd and wait until it is gone. */
static int stop_process(int procfd, pid_t pid, rc_error **err)
{
        cleanup_close int pidfd = pidfd_open(pid, 0);
        struct pollfd pfd;
        uint64_t before;
        int r;

        if (pidfd < 0)
                return errno == ESRCH ? 0 : rc_error_set(err, errno, "pidfd_open %d", (int)pid);
        /* procfd still reads: the process it pins is alive, so pidfd is it */
        before = userns_proc_start_time(procfd);
        if (before == 0)
                return 0;
        if (pidfd_send_signal(pidfd, SIGTERM, NULL, 0) < 0)
                return errno == ESRCH ? 0 : rc_error_set(err, errno, "stop the pause process %d", (int)pid);
        pfd = (struct pollfd){ .fd = pidfd, .events = POLLIN };
        do
                r = poll(&pfd, 1, STOP_TIMEOUT_MS);
        while (r < 0 && errno == EINTR);
        if (r < 0)
                return rc_error_set(err, errno, "wait for the pause process %d", (int)pid);
        if (r == 0)
                return rc_error_set(err, ETIMEDOUT, "the pause process %d did not exit after SIGTERM", (int)pid);
        return 0;
}

int userns_pause_stop(const char *pidfile, rc_error **err)
{
        pid_t pid;
        cleanup_close int procfd = userns_pause_open(pidfile, &pid);

        if (procfd >= 0 && stop_process(procfd, pid, err) < 0)
                return -1;
        if (unlink(pidfile) < 0 && errno != ENOENT)
                return rc_error_set(err, errno, "remove %s", pidfile);
        if (procfd >= 0)
                rc_info("userns: stopped pause process %d", (int)pid);
        return 0;
}

int rc_userns_stop_pause(const struct rc_config *cfg, rc_error **err)
{
        cleanup_free char *pidfile = xasprintf("%s/pause.pid", cfg->runroot);

        return userns_pause_stop(pidfile, err);
}

int rc_userns_status(const struct rc_config *cfg, struct rc_userns_state *out, rc_error **err)
{
        cleanup_free char *pidfile = xasprintf("%s/pause.pid", cfg->runroot);
        struct rc_userns_state st = { 0 };
        cleanup_close int procfd = -1;
        pid_t pid;

        if (geteuid() == 0) {
                st.host_root = true;
                *out = st;
                return 0;
        }
        procfd = userns_pause_open(pidfile, &pid);
        if (procfd >= 0) {
                if (userns_read_proc_mapping(procfd, &st.mapping, err) < 0)
                        return rc_error_wrap(err, "pause process %d", (int)pid);
                st.pause_pid = pid;
        }
        *out = st;
        return 0;
}
