/* libFuzzer entry point for the network options of rc run: the input's
 * first byte picks --network, -p (appended twice, so the bound over all of
 * them is exercised), an ExposedPorts key, --add-host or the ports file.
 * What is accepted must keep the invariants the rest of rc relies on:
 * container ports 1..65535, protocols tcp or udp, at most RC_NET_MAX_PORTS
 * ports, an MTU and subnet the tap can take, a format that parses back. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/net.h"
#include "util/xalloc.h"

static void check_ports(const struct rc_net_port *p, size_t n)
{
        if (n > RC_NET_MAX_PORTS)
                abort();
        for (size_t i = 0; i < n; i++)
                if (p[i].container_port == 0 || (p[i].proto != IPPROTO_TCP && p[i].proto != IPPROTO_UDP))
                        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        cleanup_free char *spec = NULL;
        struct rc_net_port *ports = NULL, *back = NULL;
        struct rc_net_opts o, again;
        size_t n = 0, nb = 0;
        rc_error *err = NULL;

        if (size < 1)
                return 0;
        spec = xstrndup((const char *)data + 1, size - 1);
        switch (data[0] % 5) {
        case 0:
                rc_net_opts_default(&o);
                if (rc_net_parse(spec, &o, &err) == 0) {
                        char *f = rc_net_format(&o);
                        if (o.mtu < 1280 || o.mtu > 65521 || o.prefix < 8 || o.prefix > 25)
                                abort();
                        rc_net_opts_default(&again);
                        if (rc_net_parse(f, &again, NULL) < 0 || again.mode != o.mode ||
                            (o.mode == RC_NET_SLIRP &&
                             (again.mtu != o.mtu || again.prefix != o.prefix ||
                              again.network.s_addr != o.network.s_addr)))
                                abort();
                        free(f);
                }
                break;
        case 1:
                if (rc_net_parse_publish(spec, &ports, &n, &err) == 0 &&
                    rc_net_parse_publish(spec, &ports, &n, &err) == 0) {
                        char *text = rc_net_ports_serialize(ports, n);
                        check_ports(ports, n);
                        if (rc_net_ports_deserialize(text, &back, &nb, NULL) < 0 || nb != n ||
                            memcmp(back, ports, n * sizeof(*ports)) != 0)
                                abort();
                        free(text);
                        free(rc_net_ports_string(ports, n));
                        rc_error_free(err);
                        err = NULL;
                        rc_net_ports_check(ports, n, &err);
                }
                break;
        case 2: {
                struct rc_net_port p;
                if (rc_net_parse_exposed(spec, &p, &err) == 0)
                        check_ports(&p, 1);
                break;
        }
        case 3:
                if (rc_net_check_add_host(spec, &err) == 0 && (strchr(spec, '\n') || strchr(spec, ' ')))
                        abort(); /* a line of its own in /etc/hosts, nothing more */
                break;
        default:
                if (rc_net_ports_deserialize(spec, &back, &nb, &err) == 0)
                        check_ports(back, nb);
                break;
        }
        rc_error_free(err);
        free(ports);
        free(back);
        return 0;
}
