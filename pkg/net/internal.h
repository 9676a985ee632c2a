/* Internal to pkg/net: the loop of one container's network (loop.c), its
 * published-port relays (splice.c) and the helper that opens sockets in the
 * container's network namespace (helper.c). */
#ifndef RC_NET_INTERNAL_H
#define RC_NET_INTERNAL_H

#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>

#include "net/net.h"

/* What an epoll event's data points to: a listener or one end of a relay. */
enum { NET_EV_LISTENER, NET_EV_CONN, NET_EV_UDP, NET_EV_UDP_FLOW, NET_EV_STOP };
struct net_ev {
        int kind;
};

struct net_listener {
        struct net_ev ev;
        int fd;
        uint16_t container_port;
};

/* A published UDP port: datagrams of each client address go through a
 * socket of their own in the container (a flow), so replies find the
 * client; flows idle for a minute are closed, and there are at most
 * NET_UDP_FLOWS per port (the oldest goes first). */
#define NET_UDP_FLOWS 256
struct net_udp_flow {
        struct net_ev ev;
        struct net_udp *u;
        int fd;
        struct sockaddr_in client;
        int64_t last_ms;
        struct net_udp_flow *next;
};
struct net_udp {
        struct net_ev ev;
        int fd;
        uint16_t container_port;
        struct net_udp_flow *flows;
        unsigned n_flows;
};

struct net_conn;
struct net_conn_end {
        struct net_ev ev;
        struct net_conn *c;
        int side; /* 0: the client on the host, 1: the container's end */
};
struct net_conn {
        int fd[2];
        int pipe[2][2];   /* pipe[d] carries fd[d]'s bytes to fd[1 - d]; [0] read end, [1] write end */
        size_t pending[2]; /* bytes in pipe[d] */
        bool eof[2], shut[2];
        bool dead;          /* closed; freed once the current batch of events is done */
        uint32_t events[2]; /* epoll interest registered for fd[i] */
        struct net_conn_end end[2];
        struct net_conn *prev, *next;
};

struct net_timer;

/* A query the DNS forwarder sent on (dns.c). */
#define NET_DNS_QUERIES 64
struct net_dns_query {
        bool used;
        uint16_t id, client_id, client_port;
        unsigned char client_ip[4], client_mac[6], our_mac[6];
        int64_t expire_ms;
};

struct rc_net {
        struct rc_net_opts opts;
        pthread_t thread;       /* libslirp and the tap (loop.c) */
        pthread_t relay_thread; /* published ports (splice.c, udp.c) */
        bool running, relay_running;
        struct net_ev stop_ev;
        int stop_fd;          /* eventfd: the loop ends when it is readable */
        int tap_fd;
        void *slirp;          /* Slirp * */
        struct net_timer *timers;
        int epfd;             /* listeners and relays */
        struct net_listener *listeners;
        size_t n_listeners;
        struct net_udp *udp;
        size_t n_udp;
        struct net_conn *conns;
        struct net_conn *dead;
        int helper_fd;        /* SOCK_SEQPACKET to the helper; -1: none */
        pid_t helper_pid;
        struct pollfd *pfds;  /* the loop's poll set, slirp's sockets included */
        size_t n_pfds, cap_pfds;
        unsigned char *frame; /* one frame read from the tap */
        size_t frame_cap;
        unsigned char dgram[65536];   /* one UDP datagram being relayed (the relay thread) */
        unsigned char dns_buf[65536]; /* a DNS answer being framed (the libslirp thread) */
        int dns_fd;           /* the forwarder's socket; -1: libslirp forwards DNS */
        struct net_dns_query dns_queries[NET_DNS_QUERIES];
        uint16_t dns_next_id;
        _Atomic uint64_t accepted;
        _Atomic unsigned open;
};

/* helper.c: fork a process in the network namespace of pidfd's process
 * that opens TCP connections (or connected UDP sockets) to its
 * 127.0.0.1:PORT on request. */
int net_helper_start(struct rc_net *n, int pidfd, rc_error **err);
void net_helper_stop(struct rc_net *n);
/* A non-blocking socket connecting to the container's port; -1 (errno) if
 * the helper could not make one. */
int net_helper_connect(struct rc_net *n, uint16_t port, bool udp);

/* splice.c */
void net_accept(struct rc_net *n, struct net_listener *l);
void net_conn_event(struct rc_net *n, struct net_conn_end *e, uint32_t events);
void net_conns_close_all(struct rc_net *n);
/* Free the relays closed during the last batch of events. */
void net_conns_reap(struct rc_net *n);

/* udp.c: a datagram for a port, one from a flow; idle flows closed (the
 * next expiry in ms, -1: none) */
void net_udp_input(struct rc_net *n, struct net_udp *u);
void net_udp_reply(struct rc_net *n, struct net_udp_flow *f);
int net_udp_expire(struct rc_net *n);
void net_udp_close_all(struct rc_net *n);

/* dns.c: true when the frame was a query for the forwarder (taken); its
 * answers, framed back to the container. */
bool net_dns_intercept(struct rc_net *n, const unsigned char *frame, size_t len);
void net_dns_replies(struct rc_net *n);

#endif
