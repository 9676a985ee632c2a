/* The container's /etc/resolv.conf and /etc/hosts. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/net.h"
#include "util/xalloc.h"

static void append(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void append(char **out, const char *fmt, ...)
{
        va_list ap;
        char *piece, *next;

        va_start(ap, fmt);
        if (vasprintf(&piece, fmt, ap) < 0)
                abort();
        va_end(ap);
        next = xasprintf("%s%s", *out, piece);
        free(piece);
        free(*out);
        *out = next;
}

/* Lines of the host's resolv.conf that start with `key` and a blank. */
static void host_lines(char **out, const char *host, const char *key)
{
        size_t klen = strlen(key);

        for (const char *line = host; line && *line;) {
                const char *nl = strchr(line, '\n');
                size_t len = nl ? (size_t)(nl - line) : strlen(line);
                if (len > klen && strncmp(line, key, klen) == 0 && (line[klen] == ' ' || line[klen] == '\t'))
                        append(out, "%.*s\n", (int)len, line);
                line = nl ? nl + 1 : NULL;
        }
}

static bool is_loopback(const char *line)
{
        char ip[64];
        struct in6_addr a6;
        struct in_addr a4;

        if (sscanf(line, "nameserver %63s", ip) != 1)
                return false;
        if (inet_pton(AF_INET, ip, &a4) == 1)
                return (ntohl(a4.s_addr) >> 24) == 127;
        return inet_pton(AF_INET6, ip, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

char *rc_net_resolv_conf(const struct rc_net_files *f)
{
        char *out = xstrdup("");

        if (f->dns_search && f->dns_search[0]) {
                /* "." alone: no search domains at all (docker's meaning) */
                if (strcmp(f->dns_search[0], ".") != 0) {
                        append(&out, "search");
                        for (size_t i = 0; f->dns_search[i]; i++)
                                append(&out, " %s", f->dns_search[i]);
                        append(&out, "\n");
                }
        } else {
                host_lines(&out, f->host_resolv, "search");
        }
        if (f->dns && f->dns[0]) {
                for (size_t i = 0; f->dns[i]; i++)
                        append(&out, "nameserver %s\n", f->dns[i]);
        } else if (f->net->mode == RC_NET_SLIRP) {
                char ip[INET_ADDRSTRLEN];
                struct in_addr dns = rc_net_dns(f->net);
                inet_ntop(AF_INET, &dns, ip, sizeof(ip));
                /* the forwarder sends queries on to the host's resolvers,
                 * loopback ones (127.0.0.53) included */
                append(&out, "nameserver %s\n", ip);
                if (f->net->enable_ipv6)
                        append(&out, "nameserver fd00::3\n");
        } else {
                /* none: the host's servers, loopback ones dropped (a loopback
                 * server of the host is not the container's) */
                for (const char *line = f->host_resolv; line && *line;) {
                        const char *nl = strchr(line, '\n');
                        size_t len = nl ? (size_t)(nl - line) : strlen(line);
                        cleanup_free char *l = xstrndup(line, len);
                        if (strncmp(l, "nameserver", 10) == 0 && (f->net->mode == RC_NET_HOST || !is_loopback(l)))
                                append(&out, "%s\n", l);
                        line = nl ? nl + 1 : NULL;
                }
        }
        if (f->dns_option && f->dns_option[0]) {
                append(&out, "options");
                for (size_t i = 0; f->dns_option[i]; i++)
                        append(&out, " %s", f->dns_option[i]);
                append(&out, "\n");
        } else {
                host_lines(&out, f->host_resolv, "options");
        }
        return out;
}

char *rc_net_hosts(const struct rc_net_files *f)
{
        char *out;

        if (f->net->mode == RC_NET_HOST && f->host_hosts)
                out = xstrdup(f->host_hosts);
        else
                out = xstrdup("127.0.0.1\tlocalhost localhost.localdomain\n::1\tlocalhost ip6-localhost ip6-loopback\n");
        if (f->net->mode == RC_NET_SLIRP) {
                char ip[INET_ADDRSTRLEN], gw[INET_ADDRSTRLEN];
                struct in_addr a = rc_net_container(f->net), g = rc_net_gateway(f->net);
                inet_ntop(AF_INET, &a, ip, sizeof(ip));
                inet_ntop(AF_INET, &g, gw, sizeof(gw));
                append(&out, "%s\t%s\n", ip, f->hostname);
                /* podman's name for the host, as the container reaches it */
                append(&out, "%s\thost.containers.internal host.docker.internal\n", gw);
        } else if (f->net->mode == RC_NET_NONE) {
                append(&out, "127.0.1.1\t%s\n", f->hostname);
        }
        for (size_t i = 0; f->add_host && f->add_host[i]; i++) {
                const char *h = f->add_host[i];
                const char *sep = strchr(h, ':');
                const char *eq = strchr(h, '=');
                const char *ip;
                char gw[INET_ADDRSTRLEN];

                if (eq && (sep == NULL || eq < sep))
                        sep = eq;
                if (sep == NULL)
                        continue; /* checked at create */
                ip = sep + 1;
                if (strcmp(ip, "host-gateway") == 0) {
                        struct in_addr g = rc_net_gateway(f->net);
                        inet_ntop(AF_INET, &g, gw, sizeof(gw));
                        ip = f->net->mode == RC_NET_SLIRP ? gw : "127.0.0.1";
                }
                append(&out, "%s\t%.*s\n", ip, (int)(sep - h), h);
        }
        return out;
}
