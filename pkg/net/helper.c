/* The helper of published ports: one process in the container's network
 * namespace, for the container's lifetime, that opens a socket (TCP, or
 * UDP) to the container's 127.0.0.1:PORT on request and passes it back.  A socket
 * belongs to the namespace it was created in, so rc (in the host's) then
 * owns a connection that ends inside the container.  The connect is
 * non-blocking: the helper never waits on the container. */
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net/internal.h"
#include "util/fd.h"

struct request {
        uint16_t port;
        uint16_t udp; /* 1: a UDP socket connected to the port */
};
/* the answer: rc_fd_send's errnum and fd */
static void send_reply(int sock, int errnum, int fd)
{
        if (rc_fd_send(sock, errnum, fd) < 0)
                _exit(0);
}

static __attribute__((noreturn)) void helper_main(int sock, int pidfd)
{
        struct request req;
        ssize_t n;

        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || setns(pidfd, CLONE_NEWNET) < 0)
                _exit(1);
        close(pidfd);
        while ((n = recv(sock, &req, sizeof(req), 0)) == (ssize_t)sizeof(req)) {
                struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(req.port),
                                          .sin_addr = { htonl(INADDR_LOOPBACK) } };
                int fd = socket(AF_INET, (req.udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

                if (fd < 0) {
                        send_reply(sock, errno, -1);
                        continue;
                }
                if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINPROGRESS) {
                        send_reply(sock, errno, -1);
                        close(fd);
                        continue;
                }
                send_reply(sock, 0, fd);
                close(fd);
        }
        _exit(0);
}

int net_helper_start(struct rc_net *n, int pidfd, rc_error **err)
{
        int sp[2];
        pid_t pid;

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
                return rc_error_set(err, errno, "socketpair");
        pid = fork();
        if (pid < 0) {
                close(sp[0]);
                close(sp[1]);
                return rc_error_set(err, errno, "fork the port helper");
        }
        if (pid == 0) {
                int keep[2] = { sp[1], pidfd };
                /* nothing of the monitor's (logs, the store, listeners) stays open here */
                rc_close_fds_except(keep, 2);
                helper_main(sp[1], pidfd);
        }
        close(sp[1]);
        n->helper_fd = sp[0];
        n->helper_pid = pid;
        return 0;
}

void net_helper_stop(struct rc_net *n)
{
        if (n->helper_fd >= 0)
                close(n->helper_fd);
        n->helper_fd = -1;
        if (n->helper_pid > 0) {
                kill(n->helper_pid, SIGKILL);
                while (waitpid(n->helper_pid, NULL, 0) < 0 && errno == EINTR)
                        ;
        }
        n->helper_pid = 0;
}

int net_helper_connect(struct rc_net *n, uint16_t port, bool udp)
{
        struct request req = { .port = port, .udp = udp };

        if (n->helper_fd < 0) {
                errno = ENOTCONN;
                return -1;
        }
        if (send(n->helper_fd, &req, sizeof(req), MSG_NOSIGNAL) != (ssize_t)sizeof(req))
                return -1;
        return rc_fd_recv(n->helper_fd);
}
