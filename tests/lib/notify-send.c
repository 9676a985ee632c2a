/* A container's side of sd_notify, for the --sdnotify=container tests
 * (static, so it runs in the busybox image):
 *   notify-send MESSAGE...          one datagram per MESSAGE ("\n" in it is a newline)
 *   notify-send --with-fd MESSAGE   the datagram carries this program's stdin as SCM_RIGHTS
 *   notify-send --big BYTES         one STATUS= datagram of BYTES bytes
 *   notify-send --flood N MESSAGE   N datagrams, without waiting for room
 * to $NOTIFY_SOCKET.  Exit 0 when everything was sent (a flood counts what
 * went out and prints it). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int sock = -1;
static struct sockaddr_un addr = { .sun_family = AF_UNIX };

static char *unescape(const char *s)
{
        char *out = malloc(strlen(s) + 1), *o = out;

        for (; *s; s++) {
                if (s[0] == '\\' && s[1] == 'n') {
                        *o++ = '\n';
                        s++;
                } else {
                        *o++ = *s;
                }
        }
        *o = '\0';
        return out;
}

static int send_msg(const char *text, size_t len, int fd, int flags)
{
        struct iovec iov = { .iov_base = (void *)text, .iov_len = len };
        struct msghdr msg = { .msg_name = &addr, .msg_namelen = sizeof(addr), .msg_iov = &iov, .msg_iovlen = 1 };
        char control[CMSG_SPACE(sizeof(int))];

        if (fd >= 0) {
                struct cmsghdr *c;
                memset(control, 0, sizeof(control));
                msg.msg_control = control;
                msg.msg_controllen = sizeof(control);
                c = CMSG_FIRSTHDR(&msg);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(c), &fd, sizeof(int));
        }
        return sendmsg(sock, &msg, flags) < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
        const char *path = getenv("NOTIFY_SOCKET");

        if (path == NULL || strlen(path) >= sizeof(addr.sun_path)) {
                fprintf(stderr, "notify-send: no usable NOTIFY_SOCKET\n");
                return 2;
        }
        strcpy(addr.sun_path, path);
        sock = socket(AF_UNIX, SOCK_DGRAM, 0);
        if (sock < 0) {
                perror("socket");
                return 1;
        }
        if (argc >= 3 && strcmp(argv[1], "--with-fd") == 0) {
                char *m = unescape(argv[2]);
                if (send_msg(m, strlen(m), 0, 0) < 0) {
                        perror("sendmsg");
                        return 1;
                }
                return 0;
        }
        if (argc >= 3 && strcmp(argv[1], "--big") == 0) {
                size_t n = strtoul(argv[2], NULL, 10);
                char *m = malloc(n);
                memset(m, 'x', n);
                memcpy(m, "STATUS=", 7);
                if (send_msg(m, n, -1, 0) < 0) {
                        perror("sendmsg");
                        return 1;
                }
                return 0;
        }
        if (argc >= 4 && strcmp(argv[1], "--flood") == 0) {
                long n = strtol(argv[2], NULL, 10), sent = 0;
                char *m = unescape(argv[3]);
                for (long i = 0; i < n; i++)
                        if (send_msg(m, strlen(m), -1, MSG_DONTWAIT) == 0)
                                sent++;
                printf("%ld\n", sent);
                return 0;
        }
        for (int i = 1; i < argc; i++) {
                char *m = unescape(argv[i]);
                if (send_msg(m, strlen(m), -1, 0) < 0) {
                        perror("sendmsg");
                        return 1;
                }
                free(m);
        }
        return 0;
}
