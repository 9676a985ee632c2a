/* The network options of rc run: --network, -p, --dns, --add-host... */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/net.h"
#include "util/xalloc.h"

void rc_net_opts_default(struct rc_net_opts *o)
{
        memset(o, 0, sizeof(*o));
        o->mode = RC_NET_SLIRP;
        o->mtu = RC_NET_DEFAULT_MTU;
        o->network.s_addr = htonl(0x0a000200); /* 10.0.2.0/24, as slirp4netns */
        o->prefix = 24;
}

static uint32_t mask_bits(int prefix)
{
        return prefix == 0 ? 0 : 0xffffffffu << (32 - prefix);
}

static struct in_addr host_n(const struct rc_net_opts *o, uint32_t n)
{
        struct in_addr a = { htonl(ntohl(o->network.s_addr) + n) };
        return a;
}

struct in_addr rc_net_gateway(const struct rc_net_opts *o)
{
        return host_n(o, 2);
}
struct in_addr rc_net_dns(const struct rc_net_opts *o)
{
        return host_n(o, 3);
}
struct in_addr rc_net_container(const struct rc_net_opts *o)
{
        return host_n(o, 100);
}
struct in_addr rc_net_netmask(const struct rc_net_opts *o)
{
        struct in_addr a = { htonl(mask_bits(o->prefix)) };
        return a;
}

/* A decimal number in [min, max], the whole string. */
static int parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
        char *end;
        unsigned long v;

        if (*s < '0' || *s > '9' || strlen(s) > 10)
                return -1;
        errno = 0;
        v = strtoul(s, &end, 10);
        if (errno || *end || v < min || v > max)
                return -1;
        *out = v;
        return 0;
}

static int parse_bool(const char *v, bool *out)
{
        if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
                *out = true;
        else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
                *out = false;
        else
                return -1;
        return 0;
}

static int parse_cidr(const char *v, struct rc_net_opts *o, rc_error **err)
{
        cleanup_free char *copy = xstrdup(v);
        char *slash = strchr(copy, '/');
        unsigned long prefix;
        struct in_addr a;

        if (slash == NULL || (*slash = '\0', inet_pton(AF_INET, copy, &a) != 1) ||
            parse_uint(slash + 1, 0, 32, &prefix) < 0)
                return rc_error_set(err, EINVAL, "--network slirp: cidr=%s: give a subnet such as 10.0.2.0/24", v);
        if (prefix < 8 || prefix > 25)
                return rc_error_set(err, EINVAL,
                                    "--network slirp: cidr=%s: the prefix must be 8 to 25 (the container is .100 of "
                                    "the subnet)",
                                    v);
        if ((ntohl(a.s_addr) & ~mask_bits((int)prefix)) != 0) {
                struct in_addr net = { htonl(ntohl(a.s_addr) & mask_bits((int)prefix)) };
                char ip[INET_ADDRSTRLEN];
                inet_ntop(AF_INET, &net, ip, sizeof(ip));
                return rc_error_set(err, EINVAL, "--network slirp: cidr=%s: host bits are set (did you mean %s/%lu?)",
                                    v, ip, prefix);
        }
        if ((ntohl(a.s_addr) >> 24) == 127 || (ntohl(a.s_addr) >> 28) >= 14 || a.s_addr == 0)
                return rc_error_set(err, EINVAL, "--network slirp: cidr=%s: not a unicast subnet a container can use",
                                    v);
        o->network = a;
        o->prefix = (int)prefix;
        return 0;
}

static int slirp_option(char *kv, struct rc_net_opts *o, rc_error **err)
{
        char *eq = strchr(kv, '=');
        const char *v;
        unsigned long n;

        if (eq == NULL)
                return rc_error_set(err, EINVAL, "--network slirp: option '%s' needs a value (NAME=VALUE)", kv);
        *eq = '\0';
        v = eq + 1;
        if (strcmp(kv, "mtu") == 0) {
                if (parse_uint(v, 1280, 65521, &n) < 0)
                        return rc_error_set(err, EINVAL, "--network slirp: mtu=%s: give a number from 1280 to 65521",
                                            v);
                o->mtu = (uint32_t)n;
        } else if (strcmp(kv, "allow_host_loopback") == 0) {
                if (parse_bool(v, &o->allow_host_loopback) < 0)
                        return rc_error_set(err, EINVAL, "--network slirp: allow_host_loopback=%s: give true or false",
                                            v);
        } else if (strcmp(kv, "enable_ipv6") == 0) {
                if (parse_bool(v, &o->enable_ipv6) < 0)
                        return rc_error_set(err, EINVAL, "--network slirp: enable_ipv6=%s: give true or false", v);
        } else if (strcmp(kv, "cidr") == 0) {
                return parse_cidr(v, o, err);
        } else if (strcmp(kv, "outbound_addr") == 0) {
                if (inet_pton(AF_INET, v, &o->outbound) != 1)
                        return rc_error_set(err, EINVAL,
                                            "--network slirp: outbound_addr=%s: give an IPv4 address of this host", v);
                o->has_outbound = true;
        } else if (strcmp(kv, "port_handler") == 0) {
                /* podman's choice between two forwarders; rc has one, its own */
                if (strcmp(v, "rootlesskit") && strcmp(v, "slirp4netns"))
                        return rc_error_set(err, EINVAL, "--network slirp: port_handler=%s: rootlesskit or slirp4netns",
                                            v);
        } else {
                return rc_error_set(err, EINVAL,
                                    "--network slirp: unknown option '%s' (rc knows mtu, allow_host_loopback, cidr, "
                                    "enable_ipv6, outbound_addr)",
                                    kv);
        }
        return 0;
}

int rc_net_parse(const char *spec, struct rc_net_opts *o, rc_error **err)
{
        struct rc_net_opts n = *o;
        cleanup_free char *copy = NULL;
        char *colon, *save = NULL;

        if (spec == NULL || *spec == '\0')
                return rc_error_set(err, EINVAL, "--network: give none, host or slirp");
        if (strlen(spec) > 4096)
                return rc_error_set(err, EINVAL, "--network: the value is too long");
        copy = xstrdup(spec);
        colon = strchr(copy, ':');
        if (colon)
                *colon = '\0';
        if (strcmp(copy, "none") == 0) {
                n.mode = RC_NET_NONE;
        } else if (strcmp(copy, "host") == 0) {
                n.mode = RC_NET_HOST;
        } else if (strcmp(copy, "slirp") == 0 || strcmp(copy, "slirp4netns") == 0 || strcmp(copy, "private") == 0 ||
                   strcmp(copy, "default") == 0) {
                n.mode = RC_NET_SLIRP;
        } else if (strcmp(copy, "pasta") == 0 || strcmp(copy, "bridge") == 0) {
                return rc_error_set(err, EINVAL,
                                    "--network %s: rc's user-mode network is slirp (the default); give slirp, none "
                                    "or host",
                                    copy);
        } else {
                return rc_error_set(err, EINVAL,
                                    "--network %s: not a network mode (none, host or slirp[:OPTIONS]); user-defined "
                                    "networks are not supported yet",
                                    copy);
        }
        if (colon) {
                if (n.mode != RC_NET_SLIRP)
                        return rc_error_set(err, EINVAL, "--network %s: options are only for slirp", spec);
                if (colon[1] == '\0')
                        return rc_error_set(err, EINVAL, "--network %s: no option after ':'", spec);
                for (char *kv = strtok_r(colon + 1, ",", &save); kv; kv = strtok_r(NULL, ",", &save))
                        if (slirp_option(kv, &n, err) < 0)
                                return -1;
        }
        *o = n;
        return 0;
}

char *rc_net_format(const struct rc_net_opts *o)
{
        char net[INET_ADDRSTRLEN], out[INET_ADDRSTRLEN] = "";

        if (o->mode == RC_NET_NONE)
                return xstrdup("none");
        if (o->mode == RC_NET_HOST)
                return xstrdup("host");
        inet_ntop(AF_INET, &o->network, net, sizeof(net));
        if (o->has_outbound)
                inet_ntop(AF_INET, &o->outbound, out, sizeof(out));
        return xasprintf("slirp:mtu=%u,cidr=%s/%d,allow_host_loopback=%s,enable_ipv6=%s%s%s", o->mtu, net, o->prefix,
                         o->allow_host_loopback ? "true" : "false", o->enable_ipv6 ? "true" : "false",
                         o->has_outbound ? ",outbound_addr=" : "", out);
}

/* PORT or PORT-PORT, 1..65535 (0 allowed for a host port: any). */
static int parse_range(const char *s, bool allow_zero, unsigned long *lo, unsigned long *hi)
{
        cleanup_free char *copy = xstrdup(s);
        char *dash = strchr(copy, '-');

        if (dash)
                *dash = '\0';
        if (parse_uint(copy, allow_zero && !dash ? 0 : 1, 65535, lo) < 0)
                return -1;
        if (dash == NULL) {
                *hi = *lo;
                return 0;
        }
        if (parse_uint(dash + 1, 1, 65535, hi) < 0 || *hi < *lo)
                return -1;
        return 0;
}

int rc_net_parse_publish(const char *spec, struct rc_net_port **ports, size_t *n, rc_error **err)
{
        cleanup_free char *copy = NULL;
        char *proto_s, *parts[3] = { NULL, NULL, NULL }, *p;
        size_t nparts = 0;
        unsigned long hlo = 0, hhi = 0, clo, chi;
        struct in_addr ip = { INADDR_ANY };
        int proto = IPPROTO_TCP;

        if (spec == NULL || *spec == '\0' || strlen(spec) > 256)
                return rc_error_set(err, EINVAL, "-p '%s': give [IP:][HOST_PORT:]CONTAINER_PORT[/tcp|/udp]",
                                    spec ? spec : "");
        copy = xstrdup(spec);
        proto_s = strchr(copy, '/');
        if (proto_s) {
                *proto_s++ = '\0';
                if (strcmp(proto_s, "tcp") == 0)
                        proto = IPPROTO_TCP;
                else if (strcmp(proto_s, "udp") == 0)
                        proto = IPPROTO_UDP;
                else if (strcmp(proto_s, "sctp") == 0)
                        return rc_error_set(err, EINVAL, "-p %s: sctp is not supported (tcp or udp)", spec);
                else
                        return rc_error_set(err, EINVAL, "-p %s: unknown protocol '%s' (tcp or udp)", spec, proto_s);
        }
        if (copy[0] == '[')
                return rc_error_set(err, EINVAL, "-p %s: IPv6 host addresses are not supported yet; publish on an "
                                                 "IPv4 address (or none: every address)",
                                    spec);
        for (p = copy; nparts < 3;) {
                parts[nparts++] = p;
                p = strchr(p, ':');
                if (p == NULL)
                        break;
                *p++ = '\0';
        }
        if (p != NULL)
                return rc_error_set(err, EINVAL, "-p %s: too many ':' (give [IP:][HOST_PORT:]CONTAINER_PORT)", spec);
        if (nparts == 3 && parts[0][0] != '\0' && inet_pton(AF_INET, parts[0], &ip) != 1)
                return rc_error_set(err, EINVAL, "-p %s: '%s' is not an IPv4 address", spec, parts[0]);
        if (nparts >= 2 && parts[nparts - 2][0] != '\0' &&
            parse_range(parts[nparts - 2], true, &hlo, &hhi) < 0)
                return rc_error_set(err, EINVAL, "-p %s: host port '%s' is not a port (1-65535) or range (A-B)", spec,
                                    parts[nparts - 2]);
        if (parse_range(parts[nparts - 1], false, &clo, &chi) < 0)
                return rc_error_set(err, EINVAL, "-p %s: container port '%s' is not a port (1-65535) or range (A-B)",
                                    spec, parts[nparts - 1]);
        if (nparts >= 2 && parts[nparts - 2][0] != '\0' && hhi - hlo != chi - clo && !(hlo == hhi && hlo == 0))
                return rc_error_set(err, EINVAL,
                                    "-p %s: the host range has %lu ports and the container range %lu; give ranges "
                                    "of the same length",
                                    spec, hhi - hlo + 1, chi - clo + 1);
        if (*n + (chi - clo + 1) > RC_NET_MAX_PORTS)
                return rc_error_set(err, E2BIG, "-p %s: more than %d published ports in all", spec, RC_NET_MAX_PORTS);
        *ports = xrealloc(*ports, (*n + (chi - clo + 1)) * sizeof(**ports));
        for (unsigned long c = clo; c <= chi; c++) {
                struct rc_net_port *pt = &(*ports)[(*n)++];
                pt->host_ip = ip;
                pt->host_port = (uint16_t)(hlo == 0 ? 0 : hlo + (c - clo));
                pt->container_port = (uint16_t)c;
                pt->proto = proto;
        }
        return 0;
}

int rc_net_parse_exposed(const char *key, struct rc_net_port *out, rc_error **err)
{
        cleanup_free char *copy = xstrdup(key);
        char *slash = strchr(copy, '/');
        unsigned long port;
        int proto = IPPROTO_TCP;

        if (slash) {
                *slash = '\0';
                if (strcmp(slash + 1, "udp") == 0)
                        proto = IPPROTO_UDP;
                else if (strcmp(slash + 1, "tcp") != 0)
                        return rc_error_set(err, EINVAL, "exposed port %s: not tcp or udp", key);
        }
        if (parse_uint(copy, 1, 65535, &port) < 0)
                return rc_error_set(err, EINVAL, "exposed port %s: not a port number", key);
        memset(out, 0, sizeof(*out));
        out->container_port = (uint16_t)port;
        out->proto = proto;
        return 0;
}

static const char *proto_name(int proto)
{
        return proto == IPPROTO_UDP ? "udp" : "tcp";
}

int rc_net_ports_check(const struct rc_net_port *ports, size_t n, rc_error **err)
{
        /* n is bounded by RC_NET_MAX_PORTS: a quadratic check stays cheap */
        for (size_t i = 0; i < n; i++) {
                for (size_t j = 0; j < i; j++) {
                        const struct rc_net_port *a = &ports[i], *b = &ports[j];
                        if (a->proto != b->proto)
                                continue;
                        if (a->host_port && a->host_port == b->host_port &&
                            (a->host_ip.s_addr == b->host_ip.s_addr || a->host_ip.s_addr == INADDR_ANY ||
                             b->host_ip.s_addr == INADDR_ANY))
                                return rc_error_set(err, EINVAL, "-p: host port %u/%s is published twice",
                                                    a->host_port, proto_name(a->proto));
                }
        }
        return 0;
}

int rc_net_parse_dns_server(const char *s, struct sockaddr_in *out, rc_error **err)
{
        cleanup_free char *copy = xstrdup(s);
        char *colon = strchr(copy, ':');
        unsigned long port = 53;
        struct sockaddr_in sa = { .sin_family = AF_INET };

        if (colon) {
                *colon = '\0';
                if (parse_uint(colon + 1, 1, 65535, &port) < 0)
                        return rc_error_set(err, EINVAL, "DNS server %s: '%s' is not a port", s, colon + 1);
        }
        if (inet_pton(AF_INET, copy, &sa.sin_addr) != 1)
                return rc_error_set(err, EINVAL, "DNS server %s: give an IPv4 address, with :PORT if not 53", s);
        sa.sin_port = htons((uint16_t)port);
        *out = sa;
        return 0;
}

int rc_net_check_dns(const char *ip, rc_error **err)
{
        struct in6_addr a;

        if (inet_pton(AF_INET, ip, &a) != 1 && inet_pton(AF_INET6, ip, &a) != 1)
                return rc_error_set(err, EINVAL, "--dns %s: not an IP address", ip);
        return 0;
}

/* A host name or domain: letters, digits, '-', '_' and dots, 1..253. */
static bool name_valid(const char *s)
{
        size_t len = strlen(s);

        if (len == 0 || len > 253 || s[0] == '.' || s[0] == '-')
                return false;
        for (const char *p = s; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' ||
                      *p == '_' || *p == '.'))
                        return false;
        return true;
}

int rc_net_check_add_host(const char *spec, rc_error **err)
{
        const char *sep = strchr(spec, ':');
        cleanup_free char *name = NULL;
        struct in6_addr a;

        /* name:ip (ip may be IPv6, so the first ':' separates); docker also takes name=ip */
        if (strchr(spec, '=') && (sep == NULL || strchr(spec, '=') < sep))
                sep = strchr(spec, '=');
        if (sep == NULL)
                return rc_error_set(err, EINVAL, "--add-host %s: give NAME:IP", spec);
        name = xstrndup(spec, (size_t)(sep - spec));
        if (!name_valid(name))
                return rc_error_set(err, EINVAL, "--add-host %s: '%s' is not a host name", spec, name);
        if (strcmp(sep + 1, "host-gateway") != 0 && inet_pton(AF_INET, sep + 1, &a) != 1 &&
            inet_pton(AF_INET6, sep + 1, &a) != 1)
                return rc_error_set(err, EINVAL, "--add-host %s: '%s' is not an IP address (or host-gateway)", spec,
                                    sep + 1);
        return 0;
}

int rc_net_check_hostname(const char *name, rc_error **err)
{
        if (strlen(name) > 64 || !name_valid(name))
                return rc_error_set(err, EINVAL,
                                    "--hostname '%s': give a host name (letters, digits, '-', '.'; at most 64)", name);
        return 0;
}

int rc_net_check_dns_search(const char *domain, rc_error **err)
{
        if (strcmp(domain, ".") != 0 && !name_valid(domain))
                return rc_error_set(err, EINVAL, "--dns-search %s: not a domain name", domain);
        return 0;
}

int rc_net_check_dns_option(const char *opt, rc_error **err)
{
        if (*opt == '\0' || strlen(opt) > 256)
                return rc_error_set(err, EINVAL, "--dns-option '%s': give an option such as ndots:2", opt);
        for (const char *p = opt; *p; p++)
                if (*p <= ' ' || *p == 0x7f)
                        return rc_error_set(err, EINVAL, "--dns-option '%s': no spaces or control characters", opt);
        return 0;
}

char *rc_net_ports_string(const struct rc_net_port *ports, size_t n)
{
        cleanup_free char *out = xstrdup("");

        for (size_t i = 0; i < n; i++) {
                char ip[INET_ADDRSTRLEN];
                char *next;
                inet_ntop(AF_INET, &ports[i].host_ip, ip, sizeof(ip));
                next = xasprintf("%s%s%s:%u->%u/%s", out, i ? ", " : "", ip, ports[i].host_port,
                                 ports[i].container_port, proto_name(ports[i].proto));
                free(out);
                out = next;
        }
        return steal_pointer(&out);
}

char *rc_net_ports_serialize(const struct rc_net_port *ports, size_t n)
{
        cleanup_free char *out = xstrdup("");

        for (size_t i = 0; i < n; i++) {
                char ip[INET_ADDRSTRLEN];
                char *next;
                inet_ntop(AF_INET, &ports[i].host_ip, ip, sizeof(ip));
                next = xasprintf("%s%s %s %u %u\n", out, proto_name(ports[i].proto), ip, ports[i].host_port,
                                 ports[i].container_port);
                free(out);
                out = next;
        }
        return steal_pointer(&out);
}

int rc_net_ports_deserialize(const char *text, struct rc_net_port **ports, size_t *n, rc_error **err)
{
        cleanup_free struct rc_net_port *out = NULL;
        size_t count = 0;

        for (const char *line = text; line && *line;) {
                const char *nl = strchr(line, '\n');
                cleanup_free char *l = nl ? xstrndup(line, (size_t)(nl - line)) : xstrdup(line);
                char proto[8], ip[INET_ADDRSTRLEN];
                unsigned hp, cp;
                struct rc_net_port p = { 0 };

                if (sscanf(l, "%7s %15s %u %u", proto, ip, &hp, &cp) != 4 || hp > 65535 || cp == 0 || cp > 65535 ||
                    inet_pton(AF_INET, ip, &p.host_ip) != 1 || (strcmp(proto, "tcp") && strcmp(proto, "udp")) ||
                    count >= RC_NET_MAX_PORTS)
                        return rc_error_set(err, EINVAL, "ports: malformed line '%s'", l);
                p.proto = strcmp(proto, "udp") == 0 ? IPPROTO_UDP : IPPROTO_TCP;
                p.host_port = (uint16_t)hp;
                p.container_port = (uint16_t)cp;
                out = xrealloc(out, (count + 1) * sizeof(*out));
                out[count++] = p;
                line = nl ? nl + 1 : NULL;
        }
        *ports = steal_pointer(&out);
        *n = count;
        return 0;
}
