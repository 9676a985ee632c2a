/* The DNS forwarder at .3 when rootless.conf names its upstream servers
 * ([network] dns_forward = IP[:PORT], ...): queries the container sends
 * over UDP to .3:53 are taken off the tap before libslirp sees them, sent
 * to the first server with an id of rc's own, and the answer is framed
 * back to the container from .3.  Without dns_forward, libslirp forwards
 * to the host's /etc/resolv.conf servers itself.
 *
 * Every length comes from the frame and is checked against what was read;
 * a query that is not a plain unfragmented IPv4 UDP datagram goes on to
 * libslirp untouched. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "net/internal.h"
#include "util/log.h"

#define ETH_LEN 14
#define IP_LEN 20
#define UDP_LEN 8
#define DNS_HEADER 12
#define QUERY_TTL_MS 5000
#define REPLIES 64 /* per wake-up */

static int64_t now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint16_t get16(const unsigned char *p)
{
        return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(unsigned char *p, uint16_t v)
{
        p[0] = (unsigned char)(v >> 8);
        p[1] = (unsigned char)v;
}

static uint16_t ip_checksum(const unsigned char *h, size_t len)
{
        uint32_t sum = 0;

        for (size_t i = 0; i + 1 < len; i += 2)
                sum += get16(h + i);
        while (sum >> 16)
                sum = (sum & 0xffff) + (sum >> 16);
        return (uint16_t)~sum;
}

bool net_dns_intercept(struct rc_net *n, const unsigned char *f, size_t len)
{
        struct in_addr dns = rc_net_dns(&n->opts);
        const unsigned char *ip = f + ETH_LEN, *udp, *payload;
        size_t ihl, total, ulen, plen;
        struct net_dns_query *q = NULL;
        unsigned char msg[65536];

        if (n->dns_fd < 0 || len < ETH_LEN + IP_LEN + UDP_LEN || get16(f + 12) != 0x0800)
                return false;
        ihl = (size_t)(ip[0] & 15) * 4;
        total = get16(ip + 2);
        if ((ip[0] >> 4) != 4 || ihl < IP_LEN || total < ihl + UDP_LEN || total > len - ETH_LEN || ip[9] != 17 ||
            (get16(ip + 6) & 0x3fff) != 0 || memcmp(ip + 16, &dns.s_addr, 4) != 0)
                return false;
        udp = ip + ihl;
        ulen = get16(udp + 4);
        if (get16(udp + 2) != 53 || ulen < UDP_LEN + DNS_HEADER || ulen > total - ihl)
                return true; /* to .3 but not a query rc forwards: dropped, never half-handled */
        payload = udp + UDP_LEN;
        plen = ulen - UDP_LEN;
        /* a free slot, an expired one, or the oldest */
        for (size_t i = 0; i < NET_DNS_QUERIES; i++) {
                struct net_dns_query *s = &n->dns_queries[i];
                if (!s->used || s->expire_ms <= now_ms()) {
                        q = s;
                        break;
                }
                if (q == NULL || s->expire_ms < q->expire_ms)
                        q = s;
        }
        q->used = true;
        q->expire_ms = now_ms() + QUERY_TTL_MS;
        q->client_id = get16(payload);
        q->id = n->dns_next_id++;
        q->client_port = get16(udp);
        memcpy(q->client_ip, ip + 12, 4);
        memcpy(q->client_mac, f + 6, 6);
        memcpy(q->our_mac, f, 6);
        memcpy(msg, payload, plen);
        put16(msg, q->id);
        if (sendto(n->dns_fd, msg, plen, MSG_DONTWAIT, (struct sockaddr *)&n->opts.dns_forward[0],
                   sizeof(n->opts.dns_forward[0])) < 0)
                rc_debug("dns: forward a query: %s", strerror(errno));
        return true;
}

void net_dns_replies(struct rc_net *n)
{
        struct in_addr dns = rc_net_dns(&n->opts);
        unsigned char *out = n->dns_buf;

        for (int r = 0; r < REPLIES; r++) {
                struct sockaddr_in from;
                socklen_t flen = sizeof(from);
                unsigned char *ip = out + ETH_LEN, *udp = ip + IP_LEN, *payload = udp + UDP_LEN;
                size_t cap = sizeof(n->dns_buf) - ETH_LEN - IP_LEN - UDP_LEN;
                ssize_t got = recvfrom(n->dns_fd, payload, cap, MSG_DONTWAIT, (struct sockaddr *)&from, &flen);
                struct net_dns_query *q = NULL;
                bool known = false;

                if (got < 0)
                        return;
                for (int i = 0; i < n->opts.n_dns_forward; i++)
                        known |= from.sin_addr.s_addr == n->opts.dns_forward[i].sin_addr.s_addr &&
                                 from.sin_port == n->opts.dns_forward[i].sin_port;
                if (!known || got < DNS_HEADER)
                        continue;
                for (size_t i = 0; i < NET_DNS_QUERIES && q == NULL; i++)
                        if (n->dns_queries[i].used && n->dns_queries[i].id == get16(payload))
                                q = &n->dns_queries[i];
                if (q == NULL)
                        continue; /* late, or not ours */
                q->used = false;
                if ((size_t)got + IP_LEN + UDP_LEN > n->opts.mtu) {
                        rc_debug("dns: an answer of %zd bytes does not fit the MTU", got);
                        continue;
                }
                put16(payload, q->client_id);
                memcpy(out, q->client_mac, 6);
                memcpy(out + 6, q->our_mac, 6);
                put16(out + 12, 0x0800);
                memset(ip, 0, IP_LEN);
                ip[0] = 0x45;
                put16(ip + 2, (uint16_t)(IP_LEN + UDP_LEN + got));
                ip[8] = 64;
                ip[9] = 17;
                memcpy(ip + 12, &dns.s_addr, 4);
                memcpy(ip + 16, q->client_ip, 4);
                put16(ip + 10, ip_checksum(ip, IP_LEN));
                put16(udp, 53);
                put16(udp + 2, q->client_port);
                put16(udp + 4, (uint16_t)(UDP_LEN + got));
                put16(udp + 6, 0); /* no checksum: allowed for IPv4 */
                if (write(n->tap_fd, out, ETH_LEN + IP_LEN + UDP_LEN + (size_t)got) < 0)
                        rc_debug("dns: answer the container: %s", strerror(errno));
        }
}
