/* The network of one container on two threads of the monitor (or of the
 * foreground rc run): libslirp between the tap device and the host's
 * sockets in a poll loop, and the published ports' relays in an epoll loop.
 *
 * Each wake-up does a bounded amount of work (frames from the tap, events
 * of the relays), so a container flooding the network slows only itself. */
#include <errno.h>
#include <fcntl.h>
#include <libslirp.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "dl/slirp.h"
#include "net/internal.h"
#include "util/log.h"
#include "util/xalloc.h"

#define FRAMES_PER_WAKE 256 /* frames read from the tap before the others get a turn */
#define EVENTS_PER_WAKE 64

int rc_net_load(rc_error **err)
{
        return rc_dl_slirp(err);
}

struct net_timer {
        SlirpTimerCb cb;
        void *cb_opaque;
        int64_t expire_ms; /* -1: not armed */
        struct net_timer *next;
};

static int64_t now_ns(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static ssize_t cb_send_packet(const void *buf, size_t len, void *opaque)
{
        struct rc_net *n = opaque;
        ssize_t r;

        do
                r = write(n->tap_fd, buf, len);
        while (r < 0 && errno == EINTR);
        /* a full tap queue drops the frame; TCP resends it */
        if (r < 0 && errno == EAGAIN)
                return (ssize_t)len;
        return r;
}

static void cb_guest_error(const char *msg, void *opaque)
{
        rc_debug("network: the container sent %s", msg);
}

static int64_t cb_clock_get_ns(void *opaque)
{
        return now_ns();
}

static void *cb_timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
        struct rc_net *n = opaque;
        struct net_timer *t = xcalloc(1, sizeof(*t));

        t->cb = cb;
        t->cb_opaque = cb_opaque;
        t->expire_ms = -1;
        t->next = n->timers;
        n->timers = t;
        return t;
}

static void cb_timer_free(void *timer, void *opaque)
{
        struct rc_net *n = opaque;

        for (struct net_timer **p = &n->timers; *p; p = &(*p)->next) {
                if (*p == timer) {
                        *p = ((struct net_timer *)timer)->next;
                        free(timer);
                        return;
                }
        }
}

static void cb_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
        ((struct net_timer *)timer)->expire_ms = expire_ms;
}

static void cb_register_poll_fd(int fd, void *opaque)
{
}

static void cb_unregister_poll_fd(int fd, void *opaque)
{
}

static void cb_notify(void *opaque)
{
        /* one thread: the next poll sees what changed */
}

static const SlirpCb callbacks = {
        .send_packet = cb_send_packet,
        .guest_error = cb_guest_error,
        .clock_get_ns = cb_clock_get_ns,
        .timer_new = cb_timer_new,
        .timer_free = cb_timer_free,
        .timer_mod = cb_timer_mod,
        .register_poll_fd = cb_register_poll_fd,
        .unregister_poll_fd = cb_unregister_poll_fd,
        .notify = cb_notify,
};

static size_t add_pfd(struct rc_net *n, int fd, short events)
{
        if (n->n_pfds == n->cap_pfds) {
                n->cap_pfds = n->cap_pfds ? n->cap_pfds * 2 : 64;
                n->pfds = xrealloc(n->pfds, n->cap_pfds * sizeof(*n->pfds));
        }
        n->pfds[n->n_pfds] = (struct pollfd){ .fd = fd, .events = events };
        return n->n_pfds++;
}

static int cb_add_poll(int fd, int events, void *opaque)
{
        struct rc_net *n = opaque;
        short ev = 0;

        if (events & SLIRP_POLL_IN)
                ev |= POLLIN;
        if (events & SLIRP_POLL_OUT)
                ev |= POLLOUT;
        if (events & SLIRP_POLL_PRI)
                ev |= POLLPRI;
        return (int)add_pfd(n, fd, ev);
}

static int cb_get_revents(int idx, void *opaque)
{
        struct rc_net *n = opaque;
        short rev;
        int out = 0;

        if (idx < 0 || (size_t)idx >= n->n_pfds)
                return 0;
        rev = n->pfds[idx].revents;
        if (rev & POLLIN)
                out |= SLIRP_POLL_IN;
        if (rev & POLLOUT)
                out |= SLIRP_POLL_OUT;
        if (rev & POLLPRI)
                out |= SLIRP_POLL_PRI;
        if (rev & POLLERR)
                out |= SLIRP_POLL_ERR;
        if (rev & POLLHUP)
                out |= SLIRP_POLL_HUP;
        return out;
}

/* Frames the container sent, until the tap is empty or the bound. */
static void read_tap(struct rc_net *n)
{
        for (int i = 0; i < FRAMES_PER_WAKE; i++) {
                ssize_t len = read(n->tap_fd, n->frame, n->frame_cap);
                if (len < 0 && errno == EINTR)
                        continue;
                if (len <= 0)
                        return;
                if (net_dns_intercept(n, n->frame, (size_t)len))
                        continue;
                /* libslirp checks every header against len */
                slirp_input(n->slirp, n->frame, (int)len);
        }
}

static void run_timers(struct rc_net *n)
{
        int64_t now = now_ns() / 1000000;
        bool again = true;

        /* a callback may free or re-arm timers: rescan after each */
        while (again) {
                again = false;
                for (struct net_timer *t = n->timers; t; t = t->next) {
                        if (t->expire_ms >= 0 && t->expire_ms <= now) {
                                t->expire_ms = -1;
                                t->cb(t->cb_opaque);
                                again = true;
                                break;
                        }
                }
        }
}

static int timers_timeout(struct rc_net *n, int timeout)
{
        int64_t now = now_ns() / 1000000;

        for (struct net_timer *t = n->timers; t; t = t->next) {
                if (t->expire_ms < 0)
                        continue;
                int64_t d = t->expire_ms > now ? t->expire_ms - now : 0;
                if (timeout < 0 || d < timeout)
                        timeout = (int)d;
        }
        return timeout;
}

/* One batch of the relays' events; false once the stop was asked for. */
static bool dispatch_epoll(struct rc_net *n, int timeout)
{
        struct epoll_event evs[EVENTS_PER_WAKE];
        int k = epoll_wait(n->epfd, evs, EVENTS_PER_WAKE, timeout);

        for (int i = 0; i < k; i++)
                if (((struct net_ev *)evs[i].data.ptr)->kind == NET_EV_STOP)
                        return false;

        /* replies of UDP flows before new datagrams: a flow the latter
         * evict is then not referenced again in this batch */
        for (int i = 0; i < k; i++) {
                struct net_ev *ev = evs[i].data.ptr;
                if (ev->kind == NET_EV_LISTENER)
                        net_accept(n, (struct net_listener *)ev);
                else if (ev->kind == NET_EV_UDP_FLOW)
                        net_udp_reply(n, (struct net_udp_flow *)ev);
        }
        for (int i = 0; i < k; i++) {
                struct net_ev *ev = evs[i].data.ptr;
                if (ev->kind == NET_EV_UDP)
                        net_udp_input(n, (struct net_udp *)ev);
        }
        /* a relay freed by one event may have its other end later in the
         * batch: freed relays are only marked dead until the batch is done */
        for (int i = 0; i < k; i++) {
                struct net_ev *ev = evs[i].data.ptr;
                if (ev->kind == NET_EV_CONN && !((struct net_conn_end *)ev)->c->dead)
                        net_conn_event(n, (struct net_conn_end *)ev, evs[i].events);
        }
        net_conns_reap(n);
        return true;
}

/* The published ports' thread: relays only, so the kernel's splices are
 * never queued behind libslirp's work (nor the other way round). */
static void *relay_main(void *arg)
{
        struct rc_net *n = arg;

        for (;;) {
                int timeout = n->n_udp ? net_udp_expire(n) : -1;
                if (!dispatch_epoll(n, timeout))
                        break;
        }
        return NULL;
}

static int start_slirp(struct rc_net *n, rc_error **err)
{
        const struct rc_net_opts *o = &n->opts;
        struct sockaddr_in outbound = { .sin_family = AF_INET, .sin_addr = o->outbound };
        SlirpConfig c = { .version = 2,
                          .in_enabled = true,
                          .vnetwork = o->network,
                          .vnetmask = rc_net_netmask(o),
                          .vhost = rc_net_gateway(o),
                          .vnameserver = rc_net_dns(o),
                          .vdhcp_start = { htonl(ntohl(o->network.s_addr) + 15) },
                          .if_mtu = o->mtu,
                          .if_mru = o->mtu,
                          .disable_host_loopback = !o->allow_host_loopback,
                          .outbound_addr = o->has_outbound ? &outbound : NULL,
                          .in6_enabled = o->enable_ipv6 };

        if (o->enable_ipv6) {
                inet_pton(AF_INET6, "fd00::", &c.vprefix_addr6);
                c.vprefix_len = 64;
                inet_pton(AF_INET6, "fd00::2", &c.vhost6);
                inet_pton(AF_INET6, "fd00::3", &c.vnameserver6);
        }
        if (fcntl(n->tap_fd, F_SETFL, O_NONBLOCK) < 0)
                return rc_error_set(err, errno, "network: the tap device");
        n->frame_cap = o->mtu + 14 + 4; /* Ethernet header and a VLAN tag */
        n->frame = xmalloc(n->frame_cap);
        if (o->n_dns_forward > 0) {
                n->dns_fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
                if (n->dns_fd < 0)
                        return rc_error_set(err, errno, "network: the DNS forwarder's socket");
        }
        n->slirp = slirp_new(&c, &callbacks, n);
        if (n->slirp == NULL)
                return rc_error_set(err, EINVAL, "network: libslirp refused the configuration");

        return 0;
}

static void *loop_main(void *arg)
{
        struct rc_net *n = arg;
        rc_error *err = NULL;

        /* here, not in rc_net_start: the container runs meanwhile (what it
         * sends waits in the tap's queue) */
        if (n->tap_fd >= 0 && start_slirp(n, &err) < 0) {
                rc_warn("%s: the container has no network beyond its loopback", err->msg);
                rc_error_free(err);
        }

        for (;;) {
                uint32_t slirp_timeout = UINT32_MAX;
                int timeout, r;
                size_t tap_i = 0, dns_i = 0;

                n->n_pfds = 0;
                add_pfd(n, n->stop_fd, POLLIN);
                if (n->slirp)
                        tap_i = add_pfd(n, n->tap_fd, POLLIN);
                if (n->dns_fd >= 0)
                        dns_i = add_pfd(n, n->dns_fd, POLLIN);
                if (n->slirp)
                        slirp_pollfds_fill(n->slirp, &slirp_timeout, cb_add_poll, n);
                timeout = slirp_timeout == UINT32_MAX ? -1 : (int)slirp_timeout;
                timeout = timers_timeout(n, timeout);
                r = poll(n->pfds, n->n_pfds, timeout);
                if (r < 0 && errno != EINTR) {
                        rc_warn("network: poll: %s", strerror(errno));
                        break;
                }
                if (r > 0 && (n->pfds[0].revents & POLLIN))
                        break;
                if (r > 0 && n->slirp && (n->pfds[tap_i].revents & POLLIN))
                        read_tap(n);
                if (r > 0 && n->dns_fd >= 0 && (n->pfds[dns_i].revents & POLLIN))
                        net_dns_replies(n);
                if (n->slirp) {
                        slirp_pollfds_poll(n->slirp, r < 0, cb_get_revents, n);
                        run_timers(n);
                }
        }
        return NULL;
}

static void net_free(struct rc_net *n)
{
        net_conns_close_all(n);
        net_udp_close_all(n);
        free(n->udp);
        net_helper_stop(n);
        if (n->slirp)
                slirp_cleanup(n->slirp);
        while (n->timers) {
                struct net_timer *t = n->timers;
                n->timers = t->next;
                free(t);
        }
        if (n->epfd >= 0)
                close(n->epfd);
        if (n->dns_fd >= 0)
                close(n->dns_fd);
        if (n->stop_fd >= 0)
                close(n->stop_fd);
        if (n->tap_fd >= 0)
                close(n->tap_fd);
        free(n->listeners);
        free(n->pfds);
        free(n->frame);
        free(n);
}

static void rc_net_stop_threads(struct rc_net *n);

int rc_net_start(const struct rc_net_opts *o, int pidfd, int tap_fd, const struct rc_net_bound *ports,
                 struct rc_net **out, rc_error **err)
{
        struct rc_net *n = xcalloc(1, sizeof(*n));
        sigset_t all, old;
        int r;

        n->opts = *o;
        n->tap_fd = tap_fd;
        n->helper_fd = -1;
        n->dns_fd = -1;
        n->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        n->epfd = epoll_create1(EPOLL_CLOEXEC);
        if (n->stop_fd < 0 || n->epfd < 0) {
                rc_error_set(err, errno, "network: eventfd/epoll");
                goto fail;
        }
        if (tap_fd >= 0 && rc_net_load(err) < 0)
                goto fail;
        /* forked before the loop's thread exists */
        if (ports && ports->n && net_helper_start(n, pidfd, err) < 0)
                goto fail;
        n->listeners = xcalloc(ports ? ports->n + 1 : 1, sizeof(*n->listeners));
        n->udp = xcalloc(ports ? ports->n + 1 : 1, sizeof(*n->udp));
        for (size_t i = 0; ports && i < ports->n; i++) {
                struct epoll_event ev = { .events = EPOLLIN };
                if (ports->fds[i] < 0)
                        continue;
                if (ports->ports[i].proto == IPPROTO_UDP) {
                        struct net_udp *u = &n->udp[n->n_udp++];
                        *u = (struct net_udp){ .ev = { NET_EV_UDP }, .fd = ports->fds[i],
                                               .container_port = ports->ports[i].container_port };
                        ev.data.ptr = u;
                } else {
                        struct net_listener *l = &n->listeners[n->n_listeners++];
                        *l = (struct net_listener){ .ev = { NET_EV_LISTENER }, .fd = ports->fds[i],
                                                    .container_port = ports->ports[i].container_port };
                        ev.data.ptr = l;
                }
                if (epoll_ctl(n->epfd, EPOLL_CTL_ADD, ports->fds[i], &ev) < 0) {
                        rc_error_set(err, errno, "network: epoll");
                        goto fail;
                }
        }
        n->stop_ev.kind = NET_EV_STOP;
        {
                struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &n->stop_ev };
                if (epoll_ctl(n->epfd, EPOLL_CTL_ADD, n->stop_fd, &ev) < 0) {
                        rc_error_set(err, errno, "network: epoll");
                        goto fail;
                }
        }
        /* the threads take no signal: they stay the caller's */
        sigfillset(&all);
        pthread_sigmask(SIG_BLOCK, &all, &old);
        r = tap_fd >= 0 ? pthread_create(&n->thread, NULL, loop_main, n) : 0;
        if (r == 0) {
                n->running = tap_fd >= 0;
                if (n->n_listeners + n->n_udp > 0) {
                        r = pthread_create(&n->relay_thread, NULL, relay_main, n);
                        n->relay_running = r == 0;
                }
        }
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (r != 0) {
                rc_net_stop_threads(n);
                rc_error_set(err, r, "network: start its thread");
                goto fail;
        }
        *out = n;
        return 0;
fail:
        n->tap_fd = -1; /* the caller's on failure */
        net_free(n);
        return -1;
}

/* The eventfd stays readable once written: each thread sees it. */
static void rc_net_stop_threads(struct rc_net *n)
{
        uint64_t one = 1;

        if ((n->running || n->relay_running) && write(n->stop_fd, &one, sizeof(one)) < 0)
                rc_warn("network: stop: %s", strerror(errno));
        if (n->running)
                pthread_join(n->thread, NULL);
        if (n->relay_running)
                pthread_join(n->relay_thread, NULL);
        n->running = n->relay_running = false;
}

void rc_net_stop(struct rc_net *n)
{
        struct rc_net_stats st;

        if (n == NULL)
                return;
        rc_net_stop_threads(n);
        rc_net_get_stats(n, &st);
        if (st.connections)
                rc_debug("network: %llu published connections, %u still open at the end (closed now)",
                         (unsigned long long)st.connections, st.open);
        net_free(n);
}

void rc_net_get_stats(struct rc_net *n, struct rc_net_stats *s)
{
        s->connections = atomic_load(&n->accepted);
        s->open = atomic_load(&n->open);
}
