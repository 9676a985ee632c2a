/* Published TCP ports: each accepted connection is paired with a socket
 * the helper opened in the container's namespace, and the kernel moves the
 * bytes (splice through a pipe per direction, never through rc's memory).
 *
 * Level-triggered epoll with bounded work per event: a connection that
 * always has data cannot starve the others, the tap or the stop request. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/internal.h"
#include "util/log.h"
#include "util/xalloc.h"

#define PIPE_BYTES (1 << 20) /* larger pipes mean fewer splices per megabyte */
#define ROUNDS 8             /* splices per direction per event */
#define ACCEPTS 32           /* connections accepted per event */

static void conn_free(struct rc_net *n, struct net_conn *c)
{
        for (int i = 0; i < 2; i++) {
                if (c->fd[i] >= 0) {
                        /* out of the epoll set before the close: a close
                         * alone leaves it there while another reference to
                         * the socket lives (the helper's copy of the inside
                         * end, a child forked meanwhile), and its events
                         * would then name this freed connection */
                        epoll_ctl(n->epfd, EPOLL_CTL_DEL, c->fd[i], NULL);
                        close(c->fd[i]);
                }
                for (int j = 0; j < 2; j++)
                        if (c->pipe[i][j] >= 0) {
                                epoll_ctl(n->epfd, EPOLL_CTL_DEL, c->pipe[i][j], NULL);
                                close(c->pipe[i][j]);
                        }
        }
        if (c->prev)
                c->prev->next = c->next;
        else
                n->conns = c->next;
        if (c->next)
                c->next->prev = c->prev;
        c->dead = true;
        c->next = n->dead;
        n->dead = c;
        atomic_fetch_sub(&n->open, 1);
}

void net_conns_reap(struct rc_net *n)
{
        while (n->dead) {
                struct net_conn *c = n->dead;
                n->dead = c->next;
                free(c);
        }
}

void net_conns_close_all(struct rc_net *n)
{
        while (n->conns)
                conn_free(n, n->conns);
        net_conns_reap(n);
}

/* Move what can move from fd[d] to fd[1-d]; -1 on an error of either. */
static int pump(struct net_conn *c, int d)
{
        for (int i = 0; i < ROUNDS; i++) {
                ssize_t r;
                if (c->pending[d] > 0) {
                        r = splice(c->pipe[d][0], NULL, c->fd[1 - d], NULL, c->pending[d],
                                   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
                        if (r > 0) {
                                c->pending[d] -= (size_t)r;
                                continue;
                        }
                        return r < 0 && errno == EAGAIN ? 0 : -1;
                }
                if (c->eof[d]) {
                        if (!c->shut[d]) {
                                shutdown(c->fd[1 - d], SHUT_WR);
                                c->shut[d] = true;
                        }
                        return 0;
                }
                r = splice(c->fd[d], NULL, c->pipe[d][1], NULL, PIPE_BYTES, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
                if (r > 0)
                        c->pending[d] += (size_t)r;
                else if (r == 0)
                        c->eof[d] = true;
                else
                        return errno == EAGAIN ? 0 : -1;
        }
        return 0;
}

static int conn_update(struct rc_net *n, struct net_conn *c)
{
        for (int s = 0; s < 2; s++) {
                uint32_t want = 0;
                if (c->pending[s] == 0 && !c->eof[s])
                        want |= EPOLLIN;
                if (c->pending[1 - s] > 0)
                        want |= EPOLLOUT;
                if (want != c->events[s]) {
                        struct epoll_event ev = { .events = want, .data.ptr = &c->end[s] };
                        if (epoll_ctl(n->epfd, EPOLL_CTL_MOD, c->fd[s], &ev) < 0)
                                return -1;
                        c->events[s] = want;
                }
        }
        return 0;
}

static bool conn_done(const struct net_conn *c)
{
        return c->eof[0] && c->eof[1] && c->pending[0] == 0 && c->pending[1] == 0 && c->shut[0] && c->shut[1];
}

void net_conn_event(struct rc_net *n, struct net_conn_end *e, uint32_t events)
{
        struct net_conn *c = e->c;

        if (pump(c, 0) < 0 || pump(c, 1) < 0 || conn_done(c) || conn_update(n, c) < 0) {
                conn_free(n, c);
                return;
        }
        /* both sides hung up with nothing left to move */
        if ((events & (EPOLLHUP | EPOLLERR)) && c->events[e->side] == 0 && c->pending[0] == 0 && c->pending[1] == 0)
                conn_free(n, c);
}

static struct net_conn *conn_new(struct rc_net *n, int client, int inside)
{
        struct net_conn *c = xcalloc(1, sizeof(*c));

        c->fd[0] = client;
        c->fd[1] = inside;
        for (int d = 0; d < 2; d++) {
                c->pipe[d][0] = c->pipe[d][1] = -1;
                c->end[d] = (struct net_conn_end){ .ev = { NET_EV_CONN }, .c = c, .side = d };
        }
        c->next = n->conns;
        if (n->conns)
                n->conns->prev = c;
        n->conns = c;
        atomic_fetch_add(&n->open, 1);
        for (int d = 0; d < 2; d++) {
                if (pipe2(c->pipe[d], O_CLOEXEC | O_NONBLOCK) < 0)
                        goto fail;
                fcntl(c->pipe[d][1], F_SETPIPE_SZ, PIPE_BYTES); /* best effort: the default is 64 KiB */
        }
        for (int s = 0; s < 2; s++) {
                struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &c->end[s] };
                if (epoll_ctl(n->epfd, EPOLL_CTL_ADD, c->fd[s], &ev) < 0)
                        goto fail;
                c->events[s] = EPOLLIN;
        }
        return c;
fail:
        rc_debug("published port: %s", strerror(errno));
        conn_free(n, c);
        return NULL;
}

void net_accept(struct rc_net *n, struct net_listener *l)
{
        for (int i = 0; i < ACCEPTS; i++) {
                int one = 1, inside;
                int client = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

                if (client < 0) {
                        /* EMFILE and the like: the connection waits in the
                         * backlog; the next wake-up tries again */
                        if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
                                rc_debug("accept: %s", strerror(errno));
                        return;
                }
                inside = net_helper_connect(n, l->container_port, false);
                if (inside < 0) {
                        rc_debug("connect to the container's port %u: %s", l->container_port, strerror(errno));
                        close(client);
                        continue;
                }
                setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
                setsockopt(inside, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
                atomic_fetch_add(&n->accepted, 1);
                conn_new(n, client, inside);
        }
}
