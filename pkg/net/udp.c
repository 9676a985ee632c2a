/* Published UDP ports.  libslirp's own forwarding answers a client on the
 * host's loopback from 10.0.2.2, which it then refuses to send to when the
 * host's loopback is closed to the container (the default): so rc relays
 * UDP itself, as it does TCP, through sockets the helper opens in the
 * container's namespace. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "net/internal.h"
#include "util/log.h"
#include "util/xalloc.h"

#define DATAGRAMS 64          /* per event */
#define FLOW_IDLE_MS 60000

static int64_t now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void flow_close(struct rc_net *n, struct net_udp *u, struct net_udp_flow **link)
{
        struct net_udp_flow *f = *link;

        *link = f->next;
        /* out of the epoll set first: the socket outlives this close while
         * the helper (or a child forked meanwhile) still holds a copy */
        epoll_ctl(n->epfd, EPOLL_CTL_DEL, f->fd, NULL);
        close(f->fd);
        free(f);
        u->n_flows--;
}

static struct net_udp_flow *flow_for(struct rc_net *n, struct net_udp *u, const struct sockaddr_in *client)
{
        struct net_udp_flow **oldest = NULL, *f;
        struct epoll_event ev;
        int fd;

        for (struct net_udp_flow **p = &u->flows; *p; p = &(*p)->next) {
                if ((*p)->client.sin_addr.s_addr == client->sin_addr.s_addr &&
                    (*p)->client.sin_port == client->sin_port)
                        return *p;
                if (oldest == NULL || (*p)->last_ms < (*oldest)->last_ms)
                        oldest = p;
        }
        if (u->n_flows >= NET_UDP_FLOWS && oldest)
                flow_close(n, u, oldest);
        fd = net_helper_connect(n, u->container_port, true);
        if (fd < 0) {
                rc_debug("udp to the container's port %u: %s", u->container_port, strerror(errno));
                return NULL;
        }
        f = xcalloc(1, sizeof(*f));
        *f = (struct net_udp_flow){ .ev = { NET_EV_UDP_FLOW }, .u = u, .fd = fd, .client = *client };
        ev = (struct epoll_event){ .events = EPOLLIN, .data.ptr = f };
        if (epoll_ctl(n->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
                close(fd);
                free(f);
                return NULL;
        }
        f->next = u->flows;
        u->flows = f;
        u->n_flows++;
        return f;
}

void net_udp_input(struct rc_net *n, struct net_udp *u)
{
        for (int i = 0; i < DATAGRAMS; i++) {
                struct sockaddr_in client;
                socklen_t len = sizeof(client);
                struct net_udp_flow *f;
                ssize_t got = recvfrom(u->fd, n->dgram, sizeof(n->dgram), 0, (struct sockaddr *)&client, &len);

                if (got < 0)
                        return; /* EAGAIN, or an ICMP error of an earlier reply */
                if (len != sizeof(client) || client.sin_family != AF_INET)
                        continue;
                f = flow_for(n, u, &client);
                if (f == NULL)
                        continue;
                f->last_ms = now_ms();
                if (send(f->fd, n->dgram, (size_t)got, MSG_DONTWAIT) < 0)
                        rc_debug("udp to the container: %s", strerror(errno));
        }
}

void net_udp_reply(struct rc_net *n, struct net_udp_flow *f)
{
        for (int i = 0; i < DATAGRAMS; i++) {
                ssize_t got = recv(f->fd, n->dgram, sizeof(n->dgram), MSG_DONTWAIT);
                if (got < 0)
                        return;
                f->last_ms = now_ms();
                sendto(f->u->fd, n->dgram, (size_t)got, MSG_DONTWAIT, (struct sockaddr *)&f->client,
                       sizeof(f->client));
        }
}

int net_udp_expire(struct rc_net *n)
{
        int64_t now = now_ms(), next = -1;

        for (size_t i = 0; i < n->n_udp; i++) {
                struct net_udp *u = &n->udp[i];
                for (struct net_udp_flow **p = &u->flows; *p;) {
                        int64_t due = (*p)->last_ms + FLOW_IDLE_MS;
                        if (due <= now) {
                                flow_close(n, u, p);
                                continue;
                        }
                        if (next < 0 || due - now < next)
                                next = due - now;
                        p = &(*p)->next;
                }
        }
        return next > INT32_MAX ? INT32_MAX : (int)next;
}

void net_udp_close_all(struct rc_net *n)
{
        for (size_t i = 0; i < n->n_udp; i++)
                while (n->udp[i].flows)
                        flow_close(n, &n->udp[i], &n->udp[i].flows);
}
