#include "util/fd.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

int rc_close_fds_except(const int *keep, size_t n)
{
        unsigned from = 3;

        /* walk the kept fds in ascending order without sorting (n is tiny) */
        for (;;) {
                unsigned next = ~0U;
                bool found = false;

                for (size_t i = 0; i < n; i++) {
                        if (keep[i] < 3) {
                                errno = EINVAL;
                                return -1;
                        }
                        if ((unsigned)keep[i] >= from && (unsigned)keep[i] < next) {
                                next = (unsigned)keep[i];
                                found = true;
                        }
                }
                if (!found)
                        return syscall(SYS_close_range, from, ~0U, 0U) < 0 ? -1 : 0;
                if (next > from && syscall(SYS_close_range, from, next - 1, 0U) < 0)
                        return -1;
                from = next + 1;
        }
}

int rc_fd_send(int sock, int errnum, int fd)
{
        char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
        struct iovec iov = { .iov_base = &errnum, .iov_len = sizeof(errnum) };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

        if (errnum == 0) {
                struct cmsghdr *cmsg;
                msg.msg_control = cbuf;
                msg.msg_controllen = sizeof(cbuf);
                cmsg = CMSG_FIRSTHDR(&msg);
                cmsg->cmsg_level = SOL_SOCKET;
                cmsg->cmsg_type = SCM_RIGHTS;
                cmsg->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
        }
        return sendmsg(sock, &msg, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

int rc_fd_recv(int sock)
{
        int errnum = 0, fd = -1;
        char cbuf[CMSG_SPACE(sizeof(int))];
        struct iovec iov = { .iov_base = &errnum, .iov_len = sizeof(errnum) };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
        ssize_t got;

        do
                got = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
        while (got < 0 && errno == EINTR);
        if (got != (ssize_t)sizeof(errnum)) {
                errno = got < 0 ? errno : EPROTO;
                return -1;
        }
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
                int got_fd;
                if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(int)))
                        continue;
                memcpy(&got_fd, CMSG_DATA(c), sizeof(int));
                if (fd < 0)
                        fd = got_fd;
                else
                        close(got_fd);
        }
        if (errnum != 0 || fd < 0) {
                if (fd >= 0)
                        close(fd);
                errno = errnum ? errnum : EPROTO;
                return -1;
        }
        return fd;
}
