/* rc port: the ports a running container publishes. */
#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "container/container.h"
#include "rc.h"
#include "store/store.h"
#include "util/xalloc.h"

static void port_usage(void)
{
        printf("Usage: rc port [OPTIONS] CONTAINER [PRIVATE_PORT[/PROTO]]\n\n"
               "List the ports a running container publishes on the host (-p, -P), one\n"
               "\"80/tcp -> 0.0.0.0:8080\" a line; with PRIVATE_PORT, only the host end of that port.\n\n"
               "Options:\n"
               "  -a, --all    every running container's, each line prefixed by its id\n"
               "  --help       this help\n");
}

/* "80", "80/tcp", "53/udp" -> port and protocol; -1 if it is none of these. */
static int parse_private(const char *s, unsigned *port, int *proto)
{
        char *end;
        unsigned long v = strtoul(s, &end, 10);

        if (end == s || v == 0 || v > 65535)
                return -1;
        *proto = IPPROTO_TCP;
        if (*end == '/') {
                if (!strcmp(end + 1, "udp"))
                        *proto = IPPROTO_UDP;
                else if (strcmp(end + 1, "tcp"))
                        return -1;
        } else if (*end) {
                return -1;
        }
        *port = (unsigned)v;
        return 0;
}

/* 0 when it printed something (or had nothing to print without a filter). */
static int show(struct rc_store *s, const struct rc_container_rec *rec, const char *prefix, bool filter,
                unsigned port, int proto)
{
        cleanup_free char *dir = rc_store_container_dir(s, rec->id);
        cleanup_free struct rc_net_port *ports = NULL;
        size_t n = 0, shown = 0;
        rc_error *err = NULL;

        if (rc_container_ports(dir, &ports, &n, &err) < 0)
                return rc_cli_fail(err);
        for (size_t i = 0; i < n; i++) {
                char ip[INET_ADDRSTRLEN];
                if (filter && (ports[i].container_port != port || ports[i].proto != proto))
                        continue;
                inet_ntop(AF_INET, &ports[i].host_ip, ip, sizeof(ip));
                if (filter)
                        printf("%s%s:%u\n", prefix, ip, ports[i].host_port);
                else
                        printf("%s%u/%s -> %s:%u\n", prefix, ports[i].container_port,
                               ports[i].proto == IPPROTO_UDP ? "udp" : "tcp", ip, ports[i].host_port);
                shown++;
        }
        if (filter && shown == 0) {
                fprintf(stderr, "Error: no public port '%u/%s' published for %s\n", port,
                        proto == IPPROTO_UDP ? "udp" : "tcp", rec->name);
                return 125;
        }
        return 0;
}

int cmd_port(struct rc_cli *cli, int argc, char **argv)
{
        static const struct option opts[] = { { "all", no_argument, NULL, 'a' },
                                              { "help", no_argument, NULL, 'H' },
                                              { NULL, 0, NULL, 0 } };
        cleanup_store struct rc_store *s = NULL;
        struct rc_container_rec rec;
        rc_error *err = NULL;
        bool all = false, filter = false;
        unsigned port = 0;
        int c, proto = IPPROTO_TCP, r = 0;

        while ((c = rc_cli_getopt("port", argc, argv, "+a", opts)) != -1) {
                if (c == 'a')
                        all = true;
                else if (c == 'H') {
                        port_usage();
                        return 0;
                } else
                        return 125;
        }
        if (all ? optind != argc : (optind >= argc || argc - optind > 2))
                return rc_cli_usage_error("port", all ? "--all takes no container" : "rc port CONTAINER [PRIVATE_PORT[/PROTO]]");
        if (!all && argc - optind == 2) {
                if (parse_private(argv[optind + 1], &port, &proto) < 0)
                        return rc_cli_usage_error("port", "'%s' is not a port: give PORT or PORT/tcp|udp",
                                                  argv[optind + 1]);
                filter = true;
        }
        if (rc_store_open(cli->cfg.root, cli->cfg.runroot, &s, &err) < 0)
                return rc_cli_fail(err);
        if (all) {
                struct rc_container_rec *list = NULL;
                size_t n = 0;
                if (rc_store_container_list(s, &list, &n, &err) < 0)
                        return rc_cli_fail(err);
                for (size_t i = 0; i < n && r == 0; i++) {
                        char prefix[16];
                        if (strcmp(rc_container_rec_status(&list[i]), "running"))
                                continue;
                        snprintf(prefix, sizeof(prefix), "%.12s\t", list[i].id);
                        r = show(s, &list[i], prefix, false, 0, 0);
                }
                rc_container_list_free(list, n);
                return r;
        }
        if (rc_store_container_find(s, argv[optind], &rec, &err) < 0)
                return rc_cli_fail(err);
        if (strcmp(rc_container_rec_status(&rec), "running") && strcmp(rc_container_rec_status(&rec), "paused")) {
                fprintf(stderr, "Error: container %s is not running\n", rec.name);
                rc_container_rec_free(&rec);
                return 125;
        }
        r = show(s, &rec, "", filter, port, proto);
        rc_container_rec_free(&rec);
        return r;
}
