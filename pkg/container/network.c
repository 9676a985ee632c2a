/* A container's network: its mode and ports from the options and the
 * configuration, its /etc files, and the network's life around each run of
 * its process (ports bound before it starts, the loop while it runs). */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "container/internal.h"
#include "util/fs.h"
#include "util/xalloc.h"

int ctr_net_check(struct ctr_state *st, rc_error **err)
{
        const struct rc_run_opts *o = st->opts;
        const struct rc_config *cfg = st->cfg;
        cleanup_free char *base = NULL;

        rc_net_opts_default(&st->net);
        base = xasprintf("slirp:mtu=%u,cidr=%s", cfg->net_mtu ? cfg->net_mtu : RC_NET_DEFAULT_MTU,
                         cfg->net_cidr ? cfg->net_cidr : "10.0.2.0/24");
        if (rc_net_parse(base, &st->net, err) < 0)
                return rc_error_wrap(err, "rootless.conf [network]");
        for (size_t i = 0; cfg->net_dns_forward && cfg->net_dns_forward[i] && i < RC_NET_MAX_DNS_FORWARD; i++) {
                if (rc_net_parse_dns_server(cfg->net_dns_forward[i], &st->net.dns_forward[i], err) < 0)
                        return rc_error_wrap(err, "rootless.conf [network] dns_forward");
                st->net.n_dns_forward = (int)i + 1;
        }
        if (cfg->network && rc_net_parse(cfg->network, &st->net, err) < 0)
                return rc_error_wrap(err, "rootless.conf [network] mode");
        if (o->network && rc_net_parse(o->network, &st->net, err) < 0)
                return -1;
        st->host_network = st->net.mode == RC_NET_HOST;
        free(st->ports);
        st->ports = NULL;
        st->n_ports = 0;
        for (size_t i = 0; o->publish && o->publish[i]; i++)
                if (rc_net_parse_publish(o->publish[i], &st->ports, &st->n_ports, err) < 0)
                        return -1;
        if (st->n_ports && rc_net_ports_check(st->ports, st->n_ports, err) < 0)
                return -1;
        if ((st->n_ports || o->publish_all) && st->net.mode == RC_NET_NONE)
                return rc_error_set(err, EINVAL,
                                    "-p/-P: a container with --network none has no port to publish; use the default "
                                    "network (slirp)");
        if ((st->n_ports || o->publish_all) && st->net.mode == RC_NET_HOST) {
                /* podman's behaviour: the container's ports are the host's
                 * already (said once, when the container is made) */
                if (!st->recorded)
                        rc_warn("-p/-P: ignored with --network host (the container's ports are the host's)");
                free(st->ports);
                st->ports = NULL;
                st->n_ports = 0;
        }
        if (o->hostname && rc_net_check_hostname(o->hostname, err) < 0)
                return -1;
        for (size_t i = 0; o->dns && o->dns[i]; i++)
                if (rc_net_check_dns(o->dns[i], err) < 0)
                        return -1;
        for (size_t i = 0; o->dns_search && o->dns_search[i]; i++)
                if (rc_net_check_dns_search(o->dns_search[i], err) < 0)
                        return -1;
        for (size_t i = 0; o->dns_option && o->dns_option[i]; i++)
                if (rc_net_check_dns_option(o->dns_option[i], err) < 0)
                        return -1;
        for (size_t i = 0; o->add_host && o->add_host[i]; i++)
                if (rc_net_check_add_host(o->add_host[i], err) < 0)
                        return -1;
        return 0;
}

/* -P: each port the image EXPOSEs that -p does not publish, on a free host port. */
static int expose_all(struct ctr_state *st, rc_error **err)
{
        char **image = st->image_config.exposed_ports, **flags = st->opts->expose;
        size_t n_image = image ? strv_len(image) : 0, n = n_image + (flags ? strv_len(flags) : 0);

        if (!st->opts->publish_all || st->net.mode != RC_NET_SLIRP)
                return 0;
        for (size_t i = 0; i < n; i++) {
                const char *key = i < n_image ? image[i] : flags[i - n_image];
                struct rc_net_port p;
                bool have = false;
                if (rc_net_parse_exposed(key, &p, err) < 0)
                        return rc_error_wrap(err, "%s", i < n_image ? "the image's ExposedPorts" : "--expose");
                for (size_t j = 0; j < st->n_ports && !have; j++)
                        have = st->ports[j].proto == p.proto && st->ports[j].container_port == p.container_port;
                if (have)
                        continue;
                if (st->n_ports >= RC_NET_MAX_PORTS)
                        return rc_error_set(err, E2BIG, "-P: the image exposes more than %d ports", RC_NET_MAX_PORTS);
                st->ports = xrealloc(st->ports, (st->n_ports + 1) * sizeof(*st->ports));
                st->ports[st->n_ports++] = p;
        }
        return 0;
}

void ctr_net_spec(struct ctr_state *st)
{
        if (st->net.mode != RC_NET_SLIRP)
                return;
        memset(&st->tap, 0, sizeof(st->tap));
        snprintf(st->tap.name, sizeof(st->tap.name), "%s", RC_NET_TAP_NAME);
        st->tap.mtu = st->net.mtu;
        st->tap.addr = rc_net_container(&st->net);
        st->tap.netmask = rc_net_netmask(&st->net);
        st->tap.gateway = rc_net_gateway(&st->net);
        st->spec.tap = &st->tap;
}

int ctr_write_etc_files(struct ctr_state *st, rc_error **err)
{
        const struct rc_run_opts *o = st->opts;
        cleanup_free char *hostname_path = xasprintf("%s/hostname", st->run_dir);
        cleanup_free char *hosts_path = xasprintf("%s/hosts", st->run_dir);
        cleanup_free char *resolv_path = xasprintf("%s/resolv.conf", st->run_dir);
        cleanup_free char *containerenv_path = xasprintf("%s/containerenv", st->run_dir);
        cleanup_free char *hostname_text = xasprintf("%s\n", st->hostname);
        cleanup_free char *host_resolv = NULL, *host_hosts = NULL, *hosts = NULL, *resolv = NULL;
        rc_error *ignored = NULL;
        struct rc_net_files f = { .net = &st->net,
                                  .hostname = st->hostname,
                                  .dns = o->dns && o->dns[0] ? o->dns : st->cfg->net_dns,
                                  .dns_search = o->dns_search,
                                  .dns_option = o->dns_option,
                                  .add_host = o->add_host };

        /* the host's files are read by path on the host: they are the
         * user's own configuration, not the image's */
        if (rc_read_file("/etc/resolv.conf", &host_resolv, NULL, &ignored) < 0) {
                rc_error_free(ignored);
                ignored = NULL;
        }
        if (st->host_network && rc_read_file("/etc/hosts", &host_hosts, NULL, &ignored) < 0) {
                rc_error_free(ignored);
                ignored = NULL;
        }
        f.host_resolv = host_resolv;
        f.host_hosts = host_hosts;
        hosts = rc_net_hosts(&f);
        resolv = rc_net_resolv_conf(&f);
        if (rc_write_file(hostname_path, hostname_text, strlen(hostname_text), 0644, err) < 0 ||
            rc_write_file(hosts_path, hosts, strlen(hosts), 0644, err) < 0 ||
            rc_write_file(resolv_path, resolv, strlen(resolv), 0644, err) < 0 ||
            rc_write_file(containerenv_path, "", 0, 0644, err) < 0)
                return -1;
        return 0;
}

static char *ports_path(const struct ctr_state *st)
{
        return xasprintf("%s/ports", st->dir);
}

int ctr_net_begin(struct ctr_state *st, rc_error **err)
{
        cleanup_free char *path = NULL, *text = NULL;

        if (st->net.mode != RC_NET_SLIRP)
                return 0;
        /* loaded before the container exists: a missing library fails
         * the start cleanly, and the loop's thread never dlopens */
        if (rc_net_load(err) < 0)
                return rc_error_wrap(err, "the user-mode network (or run with --network none)");
        rc_timer_phase(&st->timer, "network: libslirp loaded");
        if (expose_all(st, err) < 0)
                return -1;
        if (st->n_ports == 0)
                return 0;
        if (rc_net_ports_bind(st->ports, st->n_ports, &st->bound, err) < 0)
                return -1;
        path = ports_path(st);
        text = rc_net_ports_serialize(st->bound.ports, st->bound.n);
        return rc_write_file(path, text, strlen(text), 0600, err);
}

int ctr_net_started(struct ctr_state *st, struct rc_container_proc *proc, rc_error **err)
{
        int tap = proc->tap;

        proc->tap = -1;
        if (st->net.mode != RC_NET_SLIRP) {
                if (tap >= 0)
                        close(tap);
                return 0;
        }
        if (tap < 0)
                return rc_error_set(err, EPROTO, "the container's tap device did not reach rc");
        if (rc_net_start(&st->net, proc->pidfd, tap, &st->bound, &st->netrun, err) < 0) {
                close(tap);
                return -1;
        }
        rc_timer_phase(&st->timer, "network: started");
        return 0;
}

void ctr_net_end(struct ctr_state *st)
{
        rc_net_stop(st->netrun);
        st->netrun = NULL;
}

void ctr_net_release(struct ctr_state *st)
{
        if (st->netrun) {
                ctr_net_end(st);
                rc_timer_phase(&st->timer, "network: stopped");
        }
        if (st->bound.n && st->dir) {
                cleanup_free char *path = ports_path(st);
                unlink(path);
        }
        rc_net_ports_free(&st->bound);
}

int rc_container_ports(const char *dir, struct rc_net_port **ports, size_t *n, rc_error **err)
{
        cleanup_free char *path = xasprintf("%s/ports", dir);
        cleanup_free char *text = NULL;
        rc_error *e = NULL;

        *ports = NULL;
        *n = 0;
        if (rc_read_file(path, &text, NULL, &e) < 0) {
                int errnum = rc_error_errno(e);
                rc_error_free(e);
                return errnum == ENOENT ? 0 : rc_error_set(err, errnum, "read %s", path);
        }
        return rc_net_ports_deserialize(text, ports, n, err);
}
