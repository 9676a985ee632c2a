/* -t: a terminal from the container's own devpts instance, relayed by rc.
 *
 * The child opens the pty after pivot_root (so its slave is a /dev/pts
 * entry the container can reopen), makes it its controlling terminal and
 * its stdio, and sends the master to rc over the sync socket.  rc copies
 * its stdin to the master and the master to its stdout, with its own
 * terminal in raw mode while it does, and passes window size changes on. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include "runtime/internal.h"
#include "util/tty.h"
#include "util/fs.h"

int rc_child_setup_terminal(const struct rc_runtime_stdio *stdio, uid_t uid, int sync_fd, struct rc_child_error *e)
{
        struct winsize ws = { .ws_row = stdio->rows, .ws_col = stdio->cols };
        int master, slave, unlock = 0;

        /* The container's devpts, mounted by rc at /dev/pts.  When joining a
         * running container its root may have changed what is there: no
         * symlink or magic link is followed, and it must be a ptmx. */
        struct open_how how = { .flags = O_RDWR | O_NOCTTY | O_CLOEXEC,
                                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
        struct stat st;
        int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);

        if (root < 0)
                return rc_child_fail(e, errno, "open the container's root");
        master = (int)syscall(SYS_openat2, root, "dev/pts/ptmx", &how, sizeof(how));
        close(root);
        if (master < 0)
                return rc_child_fail(e, errno, "open the container's /dev/pts/ptmx");
        if (fstat(master, &st) < 0 || !S_ISCHR(st.st_mode) || major(st.st_rdev) != 5 || minor(st.st_rdev) != 2) {
                rc_child_fail(e, ENOTTY, "the container's /dev/pts/ptmx is not a terminal multiplexer");
                goto fail;
        }
        if (ioctl(master, TIOCSPTLCK, &unlock) < 0) {
                rc_child_fail(e, errno, "unlock the terminal");
                goto fail;
        }
        slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (slave < 0) {
                rc_child_fail(e, errno, "open the terminal's peer (TIOCGPTPEER needs Linux 4.13)");
                goto fail;
        }
        /* the process's own user may reopen it (/dev/tty, /proc/self/fd/0) */
        if ((ws.ws_row && ws.ws_col && ioctl(slave, TIOCSWINSZ, &ws) < 0) || fchown(slave, uid, (gid_t)-1) < 0 ||
            setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) < 0) {
                rc_child_fail(e, errno, "make the terminal the container's");
                close(slave);
                goto fail;
        }
        for (int fd = 0; fd < 3; fd++) {
                if (dup2(slave, fd) < 0) {
                        rc_child_fail(e, errno, "dup2 the terminal");
                        close(slave);
                        goto fail;
                }
        }
        close(slave);
        if (rc_sync_send_fd(sync_fd, RC_SYNC_TERMINAL, master) < 0) {
                rc_child_fail(e, errno, "send the terminal to rc");
                goto fail;
        }
        close(master);
        return 0;
fail:
        close(master);
        return -1;
}

int rc_sync_send_fd(int sync_fd, char tag, int fd)
{
        char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
        struct iovec iov = { .iov_base = &tag, .iov_len = 1 };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
        struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);

        cmsg->cmsg_level = SOL_SOCKET;
        cmsg->cmsg_type = SCM_RIGHTS;
        cmsg->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
        return sendmsg(sync_fd, &msg, MSG_NOSIGNAL) == 1 ? 0 : -1;
}

int rc_sync_recv(int sync_fd, struct rc_child_error *e, int *terminal_fd, int *tap_fd)
{
        char cbuf[CMSG_SPACE(sizeof(int))];
        struct iovec iov = { .iov_base = e, .iov_len = sizeof(*e) };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
        struct cmsghdr *cmsg;
        ssize_t n;

        do
                n = recvmsg(sync_fd, &msg, MSG_CMSG_CLOEXEC);
        while (n < 0 && errno == EINTR);
        for (cmsg = CMSG_FIRSTHDR(&msg); n >= 0 && cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
                if (cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS ||
                    cmsg->cmsg_len != CMSG_LEN(sizeof(int)))
                        continue;
                int fd, *slot = NULL;
                memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
                if (n == 1)
                        slot = *(char *)e == RC_SYNC_TAP ? tap_fd : terminal_fd;
                if (slot && *slot < 0)
                        *slot = fd;
                else
                        close(fd); /* not asked for: never keep an fd we did not expect */
        }
        if (n == 1)
                return *(char *)e == RC_SYNC_TAP ? RC_SYNC_TAP : RC_SYNC_TERMINAL;
        if (n == (ssize_t)sizeof(*e))
                return RC_SYNC_ERROR;
        return RC_SYNC_DONE; /* EOF: the child exec'd (the socket closes on exec) or died */
}

static void copy_window_size(int from, int master)
{
        struct winsize ws;

        if (from >= 0 && ioctl(from, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col)
                ioctl(master, TIOCSWINSZ, &ws);
}

/* Pending input for the master: it is written without blocking, so a
 * container that does not read its input cannot stop rc copying its
 * output (both directions would wait on each other). */
struct pending {
        char buf[4096];
        size_t off, len;
};

int rc_terminal_relay(int master, const struct rc_runtime_stdio *stdio, int pidfd, int sigfd, rc_error **err)
{
        struct rc_raw_tty raw;
        struct pending in = { .len = 0 };
        int in_fd = stdio->in, out_fd = stdio->out >= 0 ? stdio->out : STDOUT_FILENO;
        int size_src = in_fd >= 0 && isatty(in_fd) ? in_fd : isatty(out_fd) ? out_fd : -1;
        bool master_open = true, exited = false;
        char buf[16384];

        if (fcntl(master, F_SETFL, O_NONBLOCK) < 0)
                return rc_error_set(err, errno, "terminal: set non-blocking");
        rc_tty_raw_enter(&raw, in_fd);
        copy_window_size(size_src, master);
        while (master_open) {
                struct pollfd p[4] = {
                        { .fd = master, .events = POLLIN | (in.len ? POLLOUT : 0) },
                        { .fd = in.len == 0 ? in_fd : -1, .events = POLLIN },
                        { .fd = sigfd, .events = POLLIN },
                        { .fd = exited ? -1 : pidfd, .events = POLLIN },
                };
                if (poll(p, 4, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        rc_tty_raw_leave(&raw);
                        return rc_error_set(err, errno, "terminal: poll");
                }
                if (p[2].revents & POLLIN) {
                        struct signalfd_siginfo si;
                        if (read(sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
                                if (si.ssi_signo == SIGWINCH)
                                        copy_window_size(size_src, master);
                                else
                                        syscall(SYS_pidfd_send_signal, pidfd, (int)si.ssi_signo, NULL, 0);
                        }
                }
                if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
                        ssize_t n = read(master, buf, sizeof(buf));
                        if (n > 0) {
                                if (rc_write_all(out_fd, buf, (size_t)n) < 0) {
                                        int saved = errno;
                                        rc_tty_raw_leave(&raw);
                                        return rc_error_set(err, saved, "terminal: write output");
                                }
                        } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
                                master_open = false; /* EIO: every copy of the slave is closed */
                        }
                }
                if (master_open && in.len && (p[0].revents & POLLOUT)) {
                        ssize_t w = write(master, in.buf + in.off, in.len);
                        if (w > 0) {
                                in.off += (size_t)w;
                                in.len -= (size_t)w;
                        }
                }
                if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
                        ssize_t n = read(in_fd, in.buf, sizeof(in.buf));
                        if (n > 0) {
                                in.off = 0;
                                in.len = (size_t)n;
                        } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
                                in_fd = -1; /* end of input: stop reading it, keep relaying output */
                        }
                }
                /* The container's init is gone: its namespace's processes are
                 * killed and the slave closes, which ends the loop. */
                if (p[3].revents & POLLIN)
                        exited = true;
        }
        rc_tty_raw_leave(&raw);
        return 0;
}
