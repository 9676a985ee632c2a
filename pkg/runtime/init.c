/* --init: rc's own pid 1 for a container.
 *
 * After every set-up step (ids, capabilities, no_new_privs, seccomp) the
 * container's first process forks: the child goes on to exec the command,
 * the parent stays in rc's code as the container's init.  It forwards every
 * signal it can catch to the command, reaps whatever is re-parented to it,
 * and exits with the command's status when the command ends.
 *
 * The init is rc's own binary and memory inside the container's pid
 * namespace, so it is made non-dumpable first: /proc/1/exe, /proc/1/mem,
 * /proc/1/environ, ptrace and the rest of /proc/1 then need CAP_SYS_PTRACE
 * in the user namespace rc was started in, which no container has (the
 * runc CVE-2019-5736 class: a container rewriting the runtime's binary
 * through /proc/PID/exe).  Its command line, which is readable by anyone,
 * is overwritten with "rc-init" so that rc's own arguments (paths of the
 * store) do not show inside; it holds no fd but 0, 1 and 2. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "runtime/internal.h"

#define INIT_NAME "rc-init"

int rc_init_read_title(struct rc_init_title *t)
{
        char buf[2048], *p;
        unsigned long long v[2];
        ssize_t n;
        int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC), field = 3;

        memset(t, 0, sizeof(*t));
        if (fd < 0)
                return -1;
        n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (n <= 0)
                return -1;
        buf[n] = '\0';
        /* fields restart after the last ')' (the name may hold anything);
         * arg_start and arg_end are fields 48 and 49 */
        p = strrchr(buf, ')');
        if (p == NULL)
                return -1;
        for (p += 2; *p && field < 48; p++)
                if (*p == ' ')
                        field++;
        if (field != 48 || sscanf(p, "%llu %llu", &v[0], &v[1]) != 2 || v[1] <= v[0])
                return -1;
        t->arg_start = (unsigned long)v[0];
        t->arg_end = (unsigned long)v[1];
        return 0;
}

/* The kernel shows the argv area; with its last byte not NUL it shows the
 * text up to the first NUL (how setproctitle works). */
static void set_title(const struct rc_init_title *t)
{
        size_t len = t->arg_end - t->arg_start;
        char *area = (char *)t->arg_start;

        prctl(PR_SET_NAME, INIT_NAME, 0, 0, 0);
        if (t->arg_start == 0 || len < sizeof(INIT_NAME) + 1)
                return;
        memset(area, 0, len);
        memcpy(area, INIT_NAME, sizeof(INIT_NAME));
        area[len - 1] = ' ';
}

static __attribute__((noreturn)) void init_loop(pid_t child, const sigset_t *all)
{
        for (;;) {
                siginfo_t si;
                int sig = sigwaitinfo(all, &si);

                if (sig < 0)
                        continue; /* EINTR */
                if (sig != SIGCHLD) {
                        kill(child, sig);
                        continue;
                }
                /* SIGCHLDs merge: reap everything that is done */
                for (;;) {
                        int status;
                        pid_t p = waitpid(-1, &status, WNOHANG);
                        if (p <= 0)
                                break;
                        if (p == child)
                                _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
                }
        }
}

int rc_init_start(int sync_fd, const struct rc_init_title *title, struct rc_child_error *e)
{
        sigset_t all, none;
        pid_t pid;

        sigfillset(&all);
        sigemptyset(&none);
        /* blocked before the fork, so no signal meant for the command is
         * lost while the init is not yet waiting for it */
        sigprocmask(SIG_SETMASK, &all, NULL);
        if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
                return rc_child_fail(e, errno, "init: prctl(PR_SET_DUMPABLE)");
        pid = fork();
        if (pid < 0)
                return rc_child_fail(e, errno, "init: fork the command");
        if (pid == 0) {
                /* the command: its own process group, the terminal's
                 * foreground one, so that keys typed (^C) reach it once and
                 * the init does not get them too (SIGTTOU is still blocked) */
                setpgid(0, 0);
                if (isatty(STDIN_FILENO))
                        tcsetpgrp(STDIN_FILENO, getpid());
                sigprocmask(SIG_SETMASK, &none, NULL);
                return 0;
        }
        close(sync_fd);
        if (syscall(SYS_close_range, 3U, ~0U, 0U) < 0)
                for (int fd = 3; fd < 1024; fd++)
                        close(fd);
        set_title(title);
        init_loop(pid, &all);
}
