/* Container networks: the parsers of rc run's network options, and the
 * user-mode network (libslirp) with published ports of one container.
 *
 * Backends: none (loopback only), host (the host's namespace), slirp (a tap
 * device in the container's own namespace, whose frames libslirp turns into
 * the host's sockets).  A later shared per-user backend (user-defined
 * networks, containers reaching each other by name) fits the same shape: a
 * mode, per-container addresses, an event source the monitor runs.
 *
 * Published TCP ports do not go through libslirp: rc listens on the host,
 * a helper in the container's network namespace connects to the inside
 * port for each connection and passes the socket back, and the bytes move
 * between the two sockets with splice(2).  UDP is relayed the same way,
 * one socket in the container per client address.  The container sees
 * connections and datagrams come from its own loopback (127.0.0.1), not
 * from the client's address. */
#ifndef RC_NET_NET_H
#define RC_NET_NET_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/error.h"

enum rc_net_mode { RC_NET_NONE, RC_NET_HOST, RC_NET_SLIRP };

#define RC_NET_DEFAULT_MTU 65520
#define RC_NET_TAP_NAME "tap0"
#define RC_NET_MAX_DNS_FORWARD 3

/* "IP" or "IP:PORT" (IPv4; port 53 when not given) of a DNS server. */
int rc_net_parse_dns_server(const char *s, struct sockaddr_in *out, rc_error **err);

/* --network none|host|slirp[:OPTS] (also "slirp4netns" and "private", as
 * podman spells it).  Fields not given keep the defaults of
 * rc_net_opts_default (10.0.2.0/24, MTU 65520, host loopback unreachable). */
struct rc_net_opts {
        enum rc_net_mode mode;
        uint32_t mtu;              /* 1280..65521 */
        struct in_addr network;    /* the subnet's address (host order bits cleared) */
        int prefix;                /* 8..29: room for .2 (gateway), .3 (DNS), .100 (container) */
        bool allow_host_loopback;  /* 10.0.2.2 reaches the host's 127.0.0.1 */
        bool enable_ipv6;          /* fd00::/64 besides IPv4 */
        bool has_outbound;
        struct in_addr outbound;   /* outbound_addr=: the host address connections leave from */
        /* Not an option of --network: rootless.conf [network] dns_forward, the servers the DNS
         * forwarder at .3 asks (the first one; none: libslirp asks the host's resolv.conf servers) */
        struct sockaddr_in dns_forward[RC_NET_MAX_DNS_FORWARD];
        int n_dns_forward;
};
void rc_net_opts_default(struct rc_net_opts *o);
/* Parse spec over *o (which holds the defaults or the configuration's).
 * EINVAL with a message naming the bad part. */
int rc_net_parse(const char *spec, struct rc_net_opts *o, rc_error **err);
/* "slirp:mtu=1500,cidr=..." back: the canonical form, allocated. */
char *rc_net_format(const struct rc_net_opts *o);
/* The addresses derived from the subnet (network order). */
struct in_addr rc_net_gateway(const struct rc_net_opts *o);   /* .2 */
struct in_addr rc_net_dns(const struct rc_net_opts *o);       /* .3 */
struct in_addr rc_net_container(const struct rc_net_opts *o); /* .100 */
struct in_addr rc_net_netmask(const struct rc_net_opts *o);

/* One published port.  host_port 0: any free port, chosen at start. */
struct rc_net_port {
        struct in_addr host_ip; /* INADDR_ANY: every address */
        uint16_t host_port;
        uint16_t container_port;
        int proto;              /* IPPROTO_TCP or IPPROTO_UDP */
};
#define RC_NET_MAX_PORTS 4096 /* in all, ranges expanded: more is refused, not allocated */
/* -p [IP:][HOST_PORT:]CONTAINER_PORT[/tcp|/udp], ports or ranges A-B (a
 * host range as long as the container's, or one host port for one
 * container port).  Appended to *ports (*n of them). */
int rc_net_parse_publish(const char *spec, struct rc_net_port **ports, size_t *n, rc_error **err);
/* An image's ExposedPorts key: "80/tcp", "53/udp", "8080" (tcp). */
int rc_net_parse_exposed(const char *key, struct rc_net_port *out, rc_error **err);
/* The same (proto, host ip, host port) twice, or the same container port
 * twice for one protocol: EINVAL naming both. */
int rc_net_ports_check(const struct rc_net_port *ports, size_t n, rc_error **err);

/* --dns IP, --add-host NAME:IP, --dns-search DOMAIN, --dns-option OPT */
int rc_net_check_dns(const char *ip, rc_error **err);
int rc_net_check_add_host(const char *spec, rc_error **err);
int rc_net_check_dns_search(const char *domain, rc_error **err);
int rc_net_check_dns_option(const char *opt, rc_error **err);
/* -h NAME: letters, digits, '-', '_' and dots, at most 64 (it becomes a line of /etc/hosts) */
int rc_net_check_hostname(const char *name, rc_error **err);

/* The container's /etc/resolv.conf: --dns servers, else for slirp the
 * forwarder (10.0.2.3), else the host's; the host's search and options
 * lines unless --dns-search/--dns-option replace them. */
struct rc_net_files {
        const struct rc_net_opts *net;
        const char *hostname;
        const char *host_resolv; /* the host's /etc/resolv.conf text, NULL: none */
        const char *host_hosts;  /* the host's /etc/hosts (host network), NULL: none */
        char *const *dns, *const *dns_search, *const *dns_option, *const *add_host;
};
char *rc_net_resolv_conf(const struct rc_net_files *f);
char *rc_net_hosts(const struct rc_net_files *f);

/* ---- the running network of one container (slirp.c, ports.c) ---- */

/* Published ports bound on the host, before the container starts: a port
 * that is taken fails here (EADDRINUSE, naming it).  Ports given as 0 get
 * their number.  Freed (closed) by rc_net_ports_free. */
struct rc_net_bound {
        struct rc_net_port *ports;
        int *fds;               /* the listening (TCP) or bound (UDP) socket */
        size_t n;
};
int rc_net_ports_bind(const struct rc_net_port *ports, size_t n, struct rc_net_bound *out, rc_error **err);
void rc_net_ports_free(struct rc_net_bound *b);
/* "0.0.0.0:8080->80/tcp, ..." (podman's PORTS column); allocated. */
char *rc_net_ports_string(const struct rc_net_port *ports, size_t n);
/* A text form kept in the container's directory while it runs ("tcp 0.0.0.0 8080 80" lines). */
char *rc_net_ports_serialize(const struct rc_net_port *ports, size_t n);
int rc_net_ports_deserialize(const char *text, struct rc_net_port **ports, size_t *n, rc_error **err);

/* libslirp is loaded on first use (it brings GLib); commands that do not
 * start a container never load it. */
int rc_net_load(rc_error **err);

/* Start the network of a container whose process is pidfd's, with the tap
 * fd its child made (taken on success) and the bound ports (may be NULL).
 * libslirp's loop and the published ports' relays each run on a thread of
 * the calling process (the monitor, or the foreground rc run), so a busy
 * network never delays the caller's own work; the port helper is forked
 * first, so call it when no other thread runs.  Call from rc's user
 * namespace, with libslirp loadable (rc_net_load). */
struct rc_net;
int rc_net_start(const struct rc_net_opts *o, int pidfd, int tap_fd, const struct rc_net_bound *ports,
                 struct rc_net **out, rc_error **err);
/* Stop the loop, close every connection and the tap (the listening
 * sockets stay with their rc_net_bound).  NULL is a no-op. */
void rc_net_stop(struct rc_net *n);
/* Counters of a running network (tests, rc info). */
struct rc_net_stats {
        uint64_t connections;   /* published-port connections accepted */
        unsigned open;          /* connections open now */
};
void rc_net_get_stats(struct rc_net *n, struct rc_net_stats *s);

#endif
