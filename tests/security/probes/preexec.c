/* preexec: what a container's root can reach of a process rc exec is
 * putting into the container, in the moment before it execs.
 *   preexec SECONDS  watch /proc for SECONDS; stop each process whose name
 *                    is still rc's ("rc", not yet exec'd), try to reach rc
 *                    through it, let it go on.  Prints one line per caught
 *                    process ("caught PID: ..."), "LEAK ..." for anything it
 *                    could reach, and "done CAUGHT" at the end.
 * Built statically, so it runs in the busybox image. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int caught;
static int seen[4096]; /* each process is tried once */

/* Its name, "" if it is gone. */
static void read_comm(int pid, char *comm, size_t len)
{
        char path[64];
        int fd;
        ssize_t n;

        comm[0] = '\0';
        snprintf(path, sizeof(path), "/proc/%d/comm", pid);
        fd = open(path, O_RDONLY);
        if (fd < 0)
                return;
        n = read(fd, comm, len - 1);
        close(fd);
        comm[n > 0 ? n : 0] = '\0';
}

/* Wait until it is stopped (state T): kill() only queues the signal. */
static int wait_stopped(int pid)
{
        char path[64], buf[512], *p;

        snprintf(path, sizeof(path), "/proc/%d/stat", pid);
        for (int i = 0; i < 100000; i++) {
                int fd = open(path, O_RDONLY);
                ssize_t n;
                if (fd < 0)
                        return -1;
                n = read(fd, buf, sizeof(buf) - 1);
                close(fd);
                if (n <= 0)
                        return -1;
                buf[n] = '\0';
                p = strrchr(buf, ')');
                if (p && (p[2] == 'T' || p[2] == 't'))
                        return 0;
                if (p && p[2] == 'Z')
                        return -1;
        }
        return -1;
}

static void try_reach(int pid)
{
        static const char *const links[] = { "exe", "cwd", "root", "fd/0", "fd/3" };
        static const char *const files[] = { "exe", "mem", "environ", "maps" };
        char path[64], buf[4096];

        printf("caught %d:", pid);
        for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
                ssize_t n;
                snprintf(path, sizeof(path), "/proc/%d/%s", pid, links[i]);
                n = readlink(path, buf, sizeof(buf) - 1);
                if (n >= 0) {
                        buf[n] = '\0';
                        printf("\nLEAK readlink %s -> %s", links[i], buf);
                } else {
                        printf(" %s:%s", links[i], strerror(errno));
                }
        }
        for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
                int fd;
                snprintf(path, sizeof(path), "/proc/%d/%s", pid, files[i]);
                fd = open(path, O_RDONLY);
                if (fd >= 0) {
                        printf("\nLEAK open %s", files[i]);
                        close(fd);
                }
        }
        if (ptrace(PTRACE_ATTACH, pid, NULL, NULL) == 0) {
                printf("\nLEAK ptrace attach");
                waitpid(pid, NULL, __WALL);
                ptrace(PTRACE_DETACH, pid, NULL, NULL);
        } else {
                printf(" ptrace:%s", strerror(errno));
        }
        printf("\n");
        fflush(stdout);
        caught++;
}

int main(int argc, char **argv)
{
        time_t end = time(NULL) + (argc > 1 ? atoi(argv[1]) : 10);
        int self = getpid();

        while (time(NULL) < end) {
                DIR *d = opendir("/proc");
                struct dirent *de;

                if (d == NULL)
                        return 2;
                while ((de = readdir(d))) {
                        int pid = atoi(de->d_name);
                        char comm[32];

                        if (pid <= 1 || pid == self || seen[pid % 4096] == pid)
                                continue;
                        read_comm(pid, comm, sizeof(comm));
                        if (strcmp(comm, "rc\n") != 0)
                                continue;
                        /* hold it there, as long as it takes */
                        if (kill(pid, SIGSTOP) < 0)
                                continue;
                        /* still rc's once stopped: it has not exec'd */
                        if (wait_stopped(pid) == 0 && (read_comm(pid, comm, sizeof(comm)), strcmp(comm, "rc\n") == 0)) {
                                seen[pid % 4096] = pid;
                                try_reach(pid);
                        }
                        kill(pid, SIGCONT);
                }
                closedir(d);
        }
        printf("done %d\n", caught);
        return 0;
}
