/* Published ports bound on the host before the container starts. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/net.h"
#include "util/xalloc.h"

void rc_net_ports_free(struct rc_net_bound *b)
{
        for (size_t i = 0; i < b->n; i++)
                if (b->fds[i] >= 0)
                        close(b->fds[i]);
        free(b->fds);
        free(b->ports);
        memset(b, 0, sizeof(*b));
}

static int bind_one(struct rc_net_port *p, int *fd_out, rc_error **err)
{
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(p->host_port), .sin_addr = p->host_ip };
        socklen_t len = sizeof(sa);
        int one = 1, type = p->proto == IPPROTO_UDP ? SOCK_DGRAM : SOCK_STREAM;
        char ip[INET_ADDRSTRLEN];
        int fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

        inet_ntop(AF_INET, &p->host_ip, ip, sizeof(ip));
        if (fd < 0)
                return rc_error_set(err, errno, "publish %s:%u: socket", ip, p->host_port);
        if (type == SOCK_STREAM)
                setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)); /* TIME_WAIT of an earlier run */
        if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
                int e = errno;
                close(fd);
                if (e == EADDRINUSE)
                        return rc_error_code(err, e,
                                             "publish %s:%u/%s: the host port is already in use (by another container "
                                             "or program); choose another with -p HOST_PORT:%u",
                                             ip, p->host_port, p->proto == IPPROTO_UDP ? "udp" : "tcp",
                                             p->container_port);
                if (e == EACCES)
                        return rc_error_code(err, e,
                                             "publish %s:%u: ports below net.ipv4.ip_unprivileged_port_start need "
                                             "privilege; use a higher host port (-p 8080:%u)",
                                             ip, p->host_port, p->container_port);
                if (e == EADDRNOTAVAIL)
                        return rc_error_code(err, e, "publish %s:%u: %s is not an address of this host", ip,
                                             p->host_port, ip);
                return rc_error_set(err, e, "publish %s:%u", ip, p->host_port);
        }
        if (type == SOCK_STREAM && listen(fd, 4096) < 0) {
                int e = errno;
                close(fd);
                return rc_error_set(err, e, "publish %s:%u: listen", ip, p->host_port);
        }
        if (p->host_port == 0 && getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
                p->host_port = ntohs(sa.sin_port);
        *fd_out = fd;
        return 0;
}

int rc_net_ports_bind(const struct rc_net_port *ports, size_t n, struct rc_net_bound *out, rc_error **err)
{
        struct rc_net_bound b = { .ports = xcalloc(n ? n : 1, sizeof(*ports)), .fds = xcalloc(n ? n : 1, sizeof(int)) };

        for (size_t i = 0; i < n; i++)
                b.fds[i] = -1;
        memcpy(b.ports, ports, n * sizeof(*ports));
        b.n = n;
        for (size_t i = 0; i < n; i++) {
                if (bind_one(&b.ports[i], &b.fds[i], err) < 0) {
                        rc_net_ports_free(&b);
                        return -1;
                }
        }
        *out = b;
        return 0;
}
