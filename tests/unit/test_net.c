/* Parsers of the network options: --network, -p, image ExposedPorts,
 * --dns, --add-host, --dns-search, --dns-option, the generated resolv.conf
 * and hosts, and the ports file. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "net/net.h"
#include "util/xalloc.h"

static const char *ip(struct in_addr a)
{
        static char buf[4][INET_ADDRSTRLEN];
        static int i;
        i = (i + 1) % 4;
        return inet_ntop(AF_INET, &a, buf[i], sizeof(buf[i]));
}

static void assert_net_bad(const char *spec, const char *part)
{
        struct rc_net_opts o;
        rc_error *err = NULL;

        rc_net_opts_default(&o);
        if (rc_net_parse(spec, &o, &err) == 0)
                fail_msg("--network \"%s\" was accepted", spec);
        assert_non_null(err);
        if (part && strstr(err->msg, part) == NULL)
                fail_msg("\"%s\": message \"%s\" lacks \"%s\"", spec, err->msg, part);
        rc_error_free(err);
}

static void test_network_modes(void **state)
{
        struct rc_net_opts o;
        rc_error *err = NULL;
        char *f;

        (void)state;
        rc_net_opts_default(&o);
        assert_int_equal(o.mode, RC_NET_SLIRP);
        assert_int_equal(o.mtu, 65520);
        assert_string_equal(ip(rc_net_gateway(&o)), "10.0.2.2");
        assert_string_equal(ip(rc_net_dns(&o)), "10.0.2.3");
        assert_string_equal(ip(rc_net_container(&o)), "10.0.2.100");
        assert_string_equal(ip(rc_net_netmask(&o)), "255.255.255.0");
        assert_false(o.allow_host_loopback);
        assert_int_equal(rc_net_parse("none", &o, &err), 0);
        assert_int_equal(o.mode, RC_NET_NONE);
        assert_int_equal(rc_net_parse("host", &o, &err), 0);
        assert_int_equal(o.mode, RC_NET_HOST);
        assert_int_equal(rc_net_parse("slirp4netns", &o, &err), 0);
        assert_int_equal(o.mode, RC_NET_SLIRP);
        assert_int_equal(rc_net_parse("private", &o, &err), 0);
        assert_int_equal(o.mode, RC_NET_SLIRP);
        assert_int_equal(rc_net_parse("slirp:mtu=1500,allow_host_loopback=true,cidr=10.9.0.0/16,enable_ipv6=true,"
                                      "outbound_addr=192.0.2.7,port_handler=rootlesskit",
                                      &o, &err),
                         0);
        assert_int_equal(o.mtu, 1500);
        assert_true(o.allow_host_loopback);
        assert_true(o.enable_ipv6);
        assert_true(o.has_outbound);
        assert_string_equal(ip(o.outbound), "192.0.2.7");
        assert_string_equal(ip(rc_net_gateway(&o)), "10.9.0.2");
        assert_string_equal(ip(rc_net_container(&o)), "10.9.0.100");
        assert_string_equal(ip(rc_net_netmask(&o)), "255.255.0.0");
        f = rc_net_format(&o);
        assert_string_equal(f, "slirp:mtu=1500,cidr=10.9.0.0/16,allow_host_loopback=true,enable_ipv6=true,"
                               "outbound_addr=192.0.2.7");
        free(f);
        /* options not given keep what was there (the configuration's) */
        assert_int_equal(rc_net_parse("slirp:allow_host_loopback=false", &o, &err), 0);
        assert_int_equal(o.mtu, 1500);
        assert_false(o.allow_host_loopback);
}

static void test_network_bad(void **state)
{
        (void)state;
        assert_net_bad("", "give none, host or slirp");
        assert_net_bad("bridge", "rc's user-mode network is slirp");
        assert_net_bad("pasta", "slirp");
        assert_net_bad("mynet", "not a network mode");
        assert_net_bad("none:mtu=1500", "only for slirp");
        assert_net_bad("slirp:", "no option");
        assert_net_bad("slirp:mtu", "needs a value");
        assert_net_bad("slirp:mtu=100", "1280 to 65521");
        assert_net_bad("slirp:mtu=65522", "1280 to 65521");
        assert_net_bad("slirp:mtu=99999999999999999999", "1280 to 65521");
        assert_net_bad("slirp:mtu=-1", "1280 to 65521");
        assert_net_bad("slirp:mtu=1500x", "1280 to 65521");
        assert_net_bad("slirp:allow_host_loopback=yes please", "true or false");
        assert_net_bad("slirp:cidr=10.0.2.0", "give a subnet");
        assert_net_bad("slirp:cidr=10.0.2.0/33", "give a subnet");
        assert_net_bad("slirp:cidr=10.0.2.0/30", "prefix must be 8 to 25");
        assert_net_bad("slirp:cidr=10.0.2.1/24", "did you mean 10.0.2.0/24");
        assert_net_bad("slirp:cidr=127.0.0.0/8", "not a unicast subnet");
        assert_net_bad("slirp:cidr=224.0.0.0/8", "not a unicast subnet");
        assert_net_bad("slirp:outbound_addr=host", "IPv4 address");
        assert_net_bad("slirp:nosuch=1", "unknown option 'nosuch'");
}

static void assert_publish_bad(const char *spec, const char *part)
{
        struct rc_net_port *p = NULL;
        size_t n = 0;
        rc_error *err = NULL;

        if (rc_net_parse_publish(spec, &p, &n, &err) == 0)
                fail_msg("-p \"%s\" was accepted", spec);
        assert_non_null(err);
        assert_int_equal(n, 0);
        if (part && strstr(err->msg, part) == NULL)
                fail_msg("\"%s\": message \"%s\" lacks \"%s\"", spec, err->msg, part);
        rc_error_free(err);
        free(p);
}

static void test_publish(void **state)
{
        static const struct {
                const char *spec, *ip;
                unsigned host, ctr, count;
                int proto;
        } cases[] = {
                { "80", "0.0.0.0", 0, 80, 1, IPPROTO_TCP },
                { "8080:80", "0.0.0.0", 8080, 80, 1, IPPROTO_TCP },
                { "127.0.0.1:8080:80", "127.0.0.1", 8080, 80, 1, IPPROTO_TCP },
                { "127.0.0.1::80", "127.0.0.1", 0, 80, 1, IPPROTO_TCP },
                { ":8080:80", "0.0.0.0", 8080, 80, 1, IPPROTO_TCP },
                { "5353:53/udp", "0.0.0.0", 5353, 53, 1, IPPROTO_UDP },
                { "53/udp", "0.0.0.0", 0, 53, 1, IPPROTO_UDP },
                { "8080:80/tcp", "0.0.0.0", 8080, 80, 1, IPPROTO_TCP },
                { "9000-9002:7000-7002", "0.0.0.0", 9000, 7000, 3, IPPROTO_TCP },
                { "7000-7003", "0.0.0.0", 0, 7000, 4, IPPROTO_TCP },
                { "65535:65535", "0.0.0.0", 65535, 65535, 1, IPPROTO_TCP },
        };
        (void)state;
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct rc_net_port *p = NULL;
                size_t n = 0;
                rc_error *err = NULL;
                if (rc_net_parse_publish(cases[i].spec, &p, &n, &err) < 0)
                        fail_msg("-p %s: %s", cases[i].spec, err->msg);
                assert_int_equal(n, cases[i].count);
                for (size_t j = 0; j < n; j++) {
                        assert_string_equal(ip(p[j].host_ip), cases[i].ip);
                        assert_int_equal(p[j].host_port, cases[i].host ? cases[i].host + j : 0);
                        assert_int_equal(p[j].container_port, cases[i].ctr + j);
                        assert_int_equal(p[j].proto, cases[i].proto);
                }
                free(p);
        }
}

static void test_publish_bad(void **state)
{
        struct rc_net_port *p = NULL;
        size_t n = 0;
        rc_error *err = NULL;

        (void)state;
        assert_publish_bad("", "give [IP:]");
        assert_publish_bad("0", "container port '0'");
        assert_publish_bad("65536", "container port '65536'");
        assert_publish_bad("80:", "container port ''");
        assert_publish_bad("http", "container port 'http'");
        assert_publish_bad("-1", "container port");
        assert_publish_bad("80/sctp", "sctp is not supported");
        assert_publish_bad("80/icmp", "unknown protocol 'icmp'");
        assert_publish_bad("1.2.3.4:5:6:7", "too many ':'");
        assert_publish_bad("999.1.1.1:80:80", "not an IPv4 address");
        assert_publish_bad("[::1]:80:80", "IPv6 host addresses are not supported");
        assert_publish_bad("8080-8081:80", "host range has 2 ports and the container range 1");
        assert_publish_bad("9-8:80", "host port '9-8'");
        assert_publish_bad("80-70", "container port '80-70'");
        assert_publish_bad("1-65535", "more than 4096 published ports");
        assert_publish_bad("+80", "container port");
        assert_publish_bad(" 80", "container port");
        assert_publish_bad("0x50", "container port");
        {
                char huge[400];
                memset(huge, '1', sizeof(huge) - 1);
                huge[sizeof(huge) - 1] = '\0';
                assert_publish_bad(huge, "give [IP:]");
        }
        /* the bound is over every -p together */
        assert_int_equal(rc_net_parse_publish("1000-4095", &p, &n, &err), 0);
        assert_int_equal(n, 3096);
        assert_int_equal(rc_net_parse_publish("5000-6000", &p, &n, &err), -1);
        assert_int_equal(n, 3096);
        assert_non_null(strstr(err->msg, "more than 4096"));
        rc_error_free(err);
        free(p);
}

static void test_ports_check_and_text(void **state)
{
        struct rc_net_port *p = NULL, *back = NULL;
        size_t n = 0, nb = 0;
        rc_error *err = NULL;
        char *s;

        (void)state;
        assert_int_equal(rc_net_parse_publish("8080:80", &p, &n, &err), 0);
        assert_int_equal(rc_net_parse_publish("127.0.0.1:5353:53/udp", &p, &n, &err), 0);
        assert_int_equal(rc_net_parse_publish("8080:81/udp", &p, &n, &err), 0);
        assert_int_equal(rc_net_ports_check(p, n, &err), 0);
        s = rc_net_ports_string(p, n);
        assert_string_equal(s, "0.0.0.0:8080->80/tcp, 127.0.0.1:5353->53/udp, 0.0.0.0:8080->81/udp");
        free(s);
        s = rc_net_ports_serialize(p, n);
        assert_int_equal(rc_net_ports_deserialize(s, &back, &nb, &err), 0);
        assert_int_equal(nb, n);
        assert_memory_equal(back, p, n * sizeof(*p));
        free(s);
        free(back);
        assert_int_equal(rc_net_parse_publish("127.0.0.1:8080:90", &p, &n, &err), 0);
        assert_int_equal(rc_net_ports_check(p, n, &err), -1);
        assert_non_null(strstr(err->msg, "host port 8080/tcp is published twice"));
        rc_error_free(err);
        err = NULL;
        free(p);
        /* a damaged ports file is refused, not half read */
        assert_int_equal(rc_net_ports_deserialize("tcp 0.0.0.0 80 0\n", &back, &nb, &err), -1);
        rc_error_free(err);
        err = NULL;
        assert_int_equal(rc_net_ports_deserialize("sctp 0.0.0.0 80 80\n", &back, &nb, &err), -1);
        rc_error_free(err);
        err = NULL;
        assert_int_equal(rc_net_ports_deserialize("tcp 0.0.0.0 70000 80\n", &back, &nb, &err), -1);
        rc_error_free(err);
}

static void test_exposed(void **state)
{
        struct rc_net_port p;
        rc_error *err = NULL;

        (void)state;
        assert_int_equal(rc_net_parse_exposed("80/tcp", &p, &err), 0);
        assert_int_equal(p.container_port, 80);
        assert_int_equal(p.proto, IPPROTO_TCP);
        assert_int_equal(p.host_port, 0);
        assert_int_equal(rc_net_parse_exposed("53/udp", &p, &err), 0);
        assert_int_equal(p.proto, IPPROTO_UDP);
        assert_int_equal(rc_net_parse_exposed("8080", &p, &err), 0);
        assert_int_equal(p.proto, IPPROTO_TCP);
        assert_int_equal(rc_net_parse_exposed("80/sctp", &p, &err), -1);
        rc_error_free(err);
        err = NULL;
        assert_int_equal(rc_net_parse_exposed("0/tcp", &p, &err), -1);
        rc_error_free(err);
}

static void test_dns_checks(void **state)
{
        static const char *const good_hosts[] = { "db:10.0.2.2", "db=10.0.2.2", "my-host.example:::1",
                                                  "gw:host-gateway", "a_b:192.0.2.1" };
        static const char *const bad_hosts[] = { "db", "db:", ":1.2.3.4", "db:notanip", "bad name:1.2.3.4",
                                                 "x\ny:1.2.3.4", "-x:1.2.3.4" };
        rc_error *err = NULL;

        (void)state;
        assert_int_equal(rc_net_check_dns("1.1.1.1", &err), 0);
        assert_int_equal(rc_net_check_dns("2606:4700::1111", &err), 0);
        assert_int_equal(rc_net_check_dns("one.one", &err), -1);
        rc_error_free(err);
        err = NULL;
        for (size_t i = 0; i < sizeof(good_hosts) / sizeof(good_hosts[0]); i++)
                if (rc_net_check_add_host(good_hosts[i], &err) < 0)
                        fail_msg("--add-host %s: %s", good_hosts[i], err->msg);
        for (size_t i = 0; i < sizeof(bad_hosts) / sizeof(bad_hosts[0]); i++) {
                if (rc_net_check_add_host(bad_hosts[i], &err) == 0)
                        fail_msg("--add-host \"%s\" was accepted", bad_hosts[i]);
                rc_error_free(err);
                err = NULL;
        }
        assert_int_equal(rc_net_check_hostname("web-1.example", &err), 0);
        assert_int_equal(rc_net_check_hostname("web\n6.6.6.6", &err), -1);
        rc_error_free(err);
        err = NULL;
        assert_int_equal(rc_net_check_hostname("", &err), -1);
        rc_error_free(err);
        err = NULL;
        assert_int_equal(rc_net_check_dns_search("example.org", &err), 0);
        assert_int_equal(rc_net_check_dns_search(".", &err), 0);
        assert_int_equal(rc_net_check_dns_search("a b", &err), -1);
        rc_error_free(err);
        err = NULL;
        assert_int_equal(rc_net_check_dns_option("ndots:2", &err), 0);
        assert_int_equal(rc_net_check_dns_option("ndots:2\nnameserver 6.6.6.6", &err), -1);
        rc_error_free(err);
}

static void test_dns_server(void **state)
{
        struct sockaddr_in sa;
        rc_error *err = NULL;

        (void)state;
        assert_int_equal(rc_net_parse_dns_server("127.0.0.1:5353", &sa, &err), 0);
        assert_string_equal(ip(sa.sin_addr), "127.0.0.1");
        assert_int_equal(ntohs(sa.sin_port), 5353);
        assert_int_equal(rc_net_parse_dns_server("192.0.2.1", &sa, &err), 0);
        assert_int_equal(ntohs(sa.sin_port), 53);
        assert_int_equal(rc_net_parse_dns_server("192.0.2.1:0", &sa, &err), -1);
        rc_error_free(err);
        err = NULL;
        assert_int_equal(rc_net_parse_dns_server("resolver:53", &sa, &err), -1);
        assert_non_null(strstr(err->msg, "IPv4 address"));
        rc_error_free(err);
}

static void test_files(void **state)
{
        struct rc_net_opts o;
        char *dns[] = { "192.0.2.53", NULL }, *search[] = { "corp.example", "example", NULL },
             *opt[] = { "ndots:3", NULL }, *hosts_add[] = { "db:10.0.2.2", "gw:host-gateway", NULL };
        struct rc_net_files f = { .net = &o,
                                  .hostname = "c1",
                                  .host_resolv = "# comment\nsearch lan\nnameserver 127.0.0.53\noptions edns0\n" };
        char *s;

        (void)state;
        rc_net_opts_default(&o);
        s = rc_net_resolv_conf(&f);
        assert_string_equal(s, "search lan\nnameserver 10.0.2.3\noptions edns0\n");
        free(s);
        f.dns = dns;
        f.dns_search = search;
        f.dns_option = opt;
        s = rc_net_resolv_conf(&f);
        assert_string_equal(s, "search corp.example example\nnameserver 192.0.2.53\noptions ndots:3\n");
        free(s);
        /* none: the host's servers but not its loopback stub */
        o.mode = RC_NET_NONE;
        f.dns = NULL;
        f.dns_search = NULL;
        f.dns_option = NULL;
        s = rc_net_resolv_conf(&f);
        assert_string_equal(s, "search lan\noptions edns0\n");
        free(s);
        o.mode = RC_NET_SLIRP;
        f.add_host = hosts_add;
        s = rc_net_hosts(&f);
        assert_string_equal(s, "127.0.0.1\tlocalhost localhost.localdomain\n::1\tlocalhost ip6-localhost "
                               "ip6-loopback\n10.0.2.100\tc1\n10.0.2.2\thost.containers.internal "
                               "host.docker.internal\n10.0.2.2\tdb\n10.0.2.2\tgw\n");
        free(s);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_network_modes), cmocka_unit_test(test_network_bad),
                cmocka_unit_test(test_publish),       cmocka_unit_test(test_publish_bad),
                cmocka_unit_test(test_ports_check_and_text), cmocka_unit_test(test_exposed),
                cmocka_unit_test(test_dns_checks),    cmocka_unit_test(test_files),
                cmocka_unit_test(test_dns_server),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
