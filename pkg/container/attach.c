/* The attach socket a detached container's monitor serves: rc attach
 * connects to it to see the container's output and feed its input.
 *
 * SOCK_SEQPACKET, one message per packet, its first byte the kind:
 *   'o' / 'e'  monitor -> client: output on stdout / stderr (or the terminal)
 *   'x'        monitor -> client: the container exited, an int status follows
 *   'i'        client -> monitor: input for the container's stdin or terminal
 *   'c'        client -> monitor: end of input (closes a -i container's stdin)
 *   'w'        client -> monitor: window size, two unsigned shorts (rows, cols)
 * The socket lives in rc's runtime directory (mode 0700), so only the user
 * reaches it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "container/internal.h"
#include "util/fs.h"
#include "util/xalloc.h"

char *ctr_attach_path(const struct rc_config *cfg, const char *id)
{
        /* a 32-hex prefix keeps the path within sun_path */
        return xasprintf("%s/attach/%.32s", cfg->runroot, id);
}

int ctr_attach_listen(struct ctr_attach *a, const struct rc_config *cfg, const char *id, rc_error **err)
{
        struct sockaddr_un addr = { .sun_family = AF_UNIX };
        cleanup_free char *dir = xasprintf("%s/attach", cfg->runroot);

        memset(a, 0, sizeof(*a));
        a->listen_fd = -1;
        a->path = ctr_attach_path(cfg, id);
        if (strlen(a->path) >= sizeof(addr.sun_path))
                return rc_error_set(err, ENAMETOOLONG, "attach socket %s: the path is too long for a socket; use a "
                                                       "shorter --runroot",
                                    a->path);
        if (rc_mkdir_p(dir, 0700, err) < 0)
                return -1;
        strcpy(addr.sun_path, a->path);
        unlink(a->path);
        a->listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (a->listen_fd < 0)
                return rc_error_set(err, errno, "attach socket");
        if (bind(a->listen_fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(a->listen_fd, 8) < 0)
                return rc_error_set(err, errno, "attach socket %s", a->path);
        return 0;
}

void ctr_attach_close(struct ctr_attach *a)
{
        for (size_t i = 0; i < a->n; i++)
                close(a->clients[i]);
        a->n = 0;
        if (a->listen_fd >= 0) {
                close(a->listen_fd);
                unlink(a->path);
        }
        a->listen_fd = -1;
        free(a->path);
        a->path = NULL;
}

size_t ctr_attach_fill(struct ctr_attach *a, struct pollfd *p, size_t cap)
{
        size_t n = 0;

        if (a->listen_fd >= 0 && n < cap)
                p[n++] = (struct pollfd){ .fd = a->listen_fd, .events = POLLIN };
        for (size_t i = 0; i < a->n && n < cap; i++)
                p[n++] = (struct pollfd){ .fd = a->clients[i], .events = POLLIN };
        return n;
}

static void drop_client(struct ctr_attach *a, size_t i)
{
        close(a->clients[i]);
        a->clients[i] = a->clients[--a->n];
}

static int one_message(struct ctr_attach *a, int fd, int input_fd, int tty_fd)
{
        char msg[ATTACH_MSG_MAX];
        ssize_t n = recv(fd, msg, sizeof(msg), MSG_DONTWAIT);

        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return 0;
        if (n <= 0)
                return -1;
        switch (msg[0]) {
        case ATTACH_STDIN:
                if (input_fd >= 0)
                        rc_write_all(input_fd, msg + 1, (size_t)n - 1);
                break;
        case ATTACH_STDIN_EOF:
                return 1;
        case ATTACH_RESIZE:
                if (tty_fd >= 0 && n == 1 + 2 * sizeof(unsigned short)) {
                        struct winsize ws = { 0 };
                        memcpy(&ws.ws_row, msg + 1, sizeof(unsigned short));
                        memcpy(&ws.ws_col, msg + 1 + sizeof(unsigned short), sizeof(unsigned short));
                        ioctl(tty_fd, TIOCSWINSZ, &ws);
                }
                break;
        default:
                return -1; /* not a client of this protocol */
        }
        return 0;
}

bool ctr_attach_dispatch(struct ctr_attach *a, const struct pollfd *p, size_t n, int input_fd, int tty_fd)
{
        bool input_eof = false;

        for (size_t k = 0; k < n; k++) {
                if (!p[k].revents)
                        continue;
                if (p[k].fd == a->listen_fd) {
                        int c = accept4(a->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
                        if (c < 0)
                                continue;
                        if (a->n == ATTACH_MAX_CLIENTS)
                                close(c);
                        else
                                a->clients[a->n++] = c;
                        continue;
                }
                for (size_t i = 0; i < a->n; i++) {
                        if (a->clients[i] != p[k].fd)
                                continue;
                        int r = one_message(a, p[k].fd, input_fd, tty_fd);
                        if (r > 0)
                                input_eof = true;
                        else if (r < 0 || (p[k].revents & (POLLHUP | POLLERR)))
                                drop_client(a, i);
                        break;
                }
        }
        return input_eof;
}

void ctr_attach_send(struct ctr_attach *a, char kind, const void *data, size_t len)
{
        char msg[ATTACH_MSG_MAX];

        while (a->n > 0) {
                size_t chunk = len < sizeof(msg) - 1 ? len : sizeof(msg) - 1;
                msg[0] = kind;
                memcpy(msg + 1, data, chunk);
                for (size_t i = 0; i < a->n;) {
                        /* a client that does not read loses output; the
                         * container and the log never wait for it */
                        if (send(a->clients[i], msg, chunk + 1, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 && errno != EAGAIN)
                                drop_client(a, i);
                        else
                                i++;
                }
                data = (const char *)data + chunk;
                len -= chunk;
                if (len == 0)
                        break;
        }
}
