/* rc inspect CONTAINER: podman's shape, from the record, the saved create
 * options and the runtime spec of its last start. */
#include <arpa/inet.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "container/internal.h"
#include "images/images.h"
#include "util/fs.h"
#include "util/signal.h"
#include "util/xalloc.h"

static json_object *time_json(int64_t ns)
{
        char buf[64];
        struct tm tm;
        time_t secs = (time_t)(ns / 1000000000);
        size_t n;

        if (ns == 0)
                return json_object_new_string("0001-01-01T00:00:00Z");
        gmtime_r(&secs, &tm);
        n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(buf + n, sizeof(buf) - n, ".%09lldZ", (long long)(ns % 1000000000));
        return json_object_new_string(buf);
}

static json_object *strv_json(char *const *v)
{
        json_object *a = json_object_new_array();

        for (size_t i = 0; v && v[i]; i++)
                json_object_array_add(a, json_object_new_string(v[i]));
        return a;
}

static json_object *get(json_object *o, const char *path)
{
        char key[64];

        while (o && *path) {
                const char *dot = strchr(path, '.');
                size_t n = dot ? (size_t)(dot - path) : strlen(path);
                snprintf(key, sizeof(key), "%.*s", (int)n, path);
                if (!json_object_object_get_ex(o, key, &o))
                        return NULL;
                path += n + (dot ? 1 : 0);
        }
        return o;
}

static json_object *copy(json_object *o, const char *path)
{
        json_object *v = get(o, path);
        return v ? json_object_get(v) : NULL;
}

static json_object *state_json(const struct rc_container_rec *rec, const char *dir)
{
        json_object *o = json_object_new_object();
        const char *status = rc_container_rec_status(rec);
        bool running = strcmp(status, "running") == 0, paused = running && rc_container_paused(rec);
        cleanup_cgroup struct rc_cgroup *cg = NULL;
        rc_error *e = NULL;

        if (running && rc_cgroup_of_container(rec->pid, rec->id, &cg, &e) < 0)
                rc_error_free(e);
        if (paused)
                status = "paused";

        json_object_object_add(o, "OciVersion", json_object_new_string("1.0.2"));
        json_object_object_add(o, "Status", json_object_new_string(status));
        json_object_object_add(o, "Running", json_object_new_boolean(running));
        json_object_object_add(o, "Paused", json_object_new_boolean(paused));
        json_object_object_add(o, "Restarting", json_object_new_boolean(0));
        json_object_object_add(o, "OOMKilled", json_object_new_boolean(!running && rc_container_oom_killed(dir)));
        json_object_object_add(o, "Dead", json_object_new_boolean(0));
        json_object_object_add(o, "Pid", json_object_new_int(running ? rec->pid : 0));
        json_object_object_add(o, "ConmonPid", json_object_new_int(running ? rec->monitor_pid : 0));
        json_object_object_add(o, "ExitCode", json_object_new_int(rec->exit_code));
        json_object_object_add(o, "Error", json_object_new_string(
                                                   strcmp(rec->state, "running") == 0 && !running
                                                           ? "its monitor ended without recording the exit"
                                                           : ""));
        json_object_object_add(o, "StartedAt", time_json(rec->started_at));
        json_object_object_add(o, "FinishedAt", time_json(rec->finished_at));
        json_object_object_add(o, "CgroupPath", json_object_new_string(cg ? cg->path : ""));
        return o;
}

/* podman's State.Health: the state file of a container with a check (and
 * State.Healthcheck, its older name, which podman still writes and scripts
 * read). */
static void health_json(json_object *o, const struct ctr_state *st)
{
        struct rc_health_state h;
        rc_error *e = NULL;

        if (rc_health_state_read(st->dir, &h, &e) < 0) {
                if (rc_error_errno(e) != ENOENT)
                        rc_warn("container %s: %s", st->rec.name, e->msg);
                rc_error_free(e);
                return;
        }
        json_object_object_add(json_object_object_get(o, "State"), "Health", rc_health_state_json(&h));
        json_object_object_add(json_object_object_get(o, "State"), "Healthcheck", rc_health_state_json(&h));
        rc_health_state_free(&h);
}

/* podman's Config.Healthcheck and Config.HealthcheckOnFailureAction. */
static void config_health(json_object *c, const struct ctr_state *st, const struct rc_run_opts *o)
{
        cleanup_health_config struct rc_health_config h = { 0 };
        rc_error *e = NULL;

        if (rc_health_resolve(&o->health, st->image_config.healthcheck_json, &h, &e) < 0) {
                rc_warn("container %s: %s", st->rec.name, e->msg);
                rc_error_free(e);
                return;
        }
        if (h.test == NULL)
                return;
        json_object_object_add(c, "Healthcheck", rc_health_config_json(&h));
        json_object_object_add(c, "HealthcheckOnFailureAction",
                               json_object_new_string(rc_health_action_name(h.on_failure)));
        if (h.startup.test)
                json_object_object_add(c, "StartupHealthCheck", rc_health_startup_json(&h.startup));
}

static json_object *volumes_json(const struct rc_image_config *img)
{
        json_object *o;

        if (img->volumes == NULL || img->volumes[0] == NULL)
                return NULL;
        o = json_object_new_object();
        for (size_t i = 0; img->volumes[i]; i++)
                json_object_object_add(o, img->volumes[i], json_object_new_object());
        return o;
}

static const char *propagation_of(char *const *options)
{
        for (size_t i = 0; options && options[i]; i++)
                if (strstr(options[i], "private") || strstr(options[i], "shared") || strstr(options[i], "slave") ||
                    strstr(options[i], "unbindable"))
                        return options[i];
        return "";
}

/* podman's Mounts: one object per volume, bind or tmpfs. */
static json_object *mounts_json(const struct ctr_state *st)
{
        json_object *a = json_object_new_array();

        for (size_t i = 0; i < st->n_mounts; i++) {
                const struct rc_mount_req *m = &st->mounts[i];
                json_object *o = json_object_new_object(), *opts = json_object_new_array();
                cleanup_free char *source = NULL;

                for (size_t j = 0; m->options && m->options[j]; j++)
                        json_object_array_add(opts, json_object_new_string(m->options[j]));
                if (m->kind == RC_MOUNT_VOLUME)
                        source = rc_store_volume_dir(st->store, m->source);
                json_object_object_add(o, "Type", json_object_new_string(m->kind == RC_MOUNT_VOLUME ? "volume"
                                                                         : m->kind == RC_MOUNT_BIND   ? "bind"
                                                                                                      : "tmpfs"));
                if (m->kind == RC_MOUNT_VOLUME)
                        json_object_object_add(o, "Name", json_object_new_string(m->source));
                json_object_object_add(o, "Source", json_object_new_string(source         ? source
                                                                           : m->source ? m->source
                                                                                       : "tmpfs"));
                json_object_object_add(o, "Destination", json_object_new_string(m->destination));
                json_object_object_add(o, "Driver", json_object_new_string(m->kind == RC_MOUNT_VOLUME ? "local" : ""));
                json_object_object_add(o, "Mode", json_object_new_string(""));
                json_object_object_add(o, "Options", opts);
                json_object_object_add(o, "RW", json_object_new_boolean(!m->readonly));
                json_object_object_add(o, "Propagation", json_object_new_string(propagation_of(m->options)));
                json_object_array_add(a, o);
        }
        return a;
}

/* HostConfig fields of the run/create options beyond the basic ones. */
static void host_config_options(json_object *h, const struct ctr_state *st, const struct rc_run_opts *o)
{
        json_object *binds = json_object_new_array(), *tmpfs = json_object_new_object();
        json_object *ulimits = json_object_new_array(), *secopt = json_object_new_array();

        for (size_t i = 0; i < st->n_mounts; i++) {
                const struct rc_mount_req *m = &st->mounts[i];
                cleanup_free char *opts = NULL;
                size_t len = 0;
                for (size_t j = 0; m->options && m->options[j]; j++)
                        len += strlen(m->options[j]) + 1;
                opts = xcalloc(1, len + 4);
                strcpy(opts, m->readonly ? "ro" : "rw");
                for (size_t j = 0; m->options && m->options[j]; j++) {
                        strcat(opts, ",");
                        strcat(opts, m->options[j]);
                }
                if (m->kind == RC_MOUNT_TMPFS) {
                        json_object_object_add(tmpfs, m->destination, json_object_new_string(opts));
                } else if (!m->anonymous) {
                        cleanup_free char *b = xasprintf("%s:%s:%s", m->source, m->destination, opts);
                        json_object_array_add(binds, json_object_new_string(b));
                }
        }
        for (size_t i = 0; o->ulimits && o->ulimits[i]; i++) {
                struct rc_spec_rlimit rl;
                rc_error *e = NULL;
                json_object *u;
                if (rc_ulimit_parse(o->ulimits[i], &rl, &e) < 0) {
                        rc_error_free(e);
                        continue;
                }
                u = json_object_new_object();
                json_object_object_add(u, "Name", json_object_new_string_len(o->ulimits[i],
                                                                             (int)strcspn(o->ulimits[i], "=")));
                json_object_object_add(u, "Soft", json_object_new_uint64(rl.soft));
                json_object_object_add(u, "Hard", json_object_new_uint64(rl.hard));
                json_object_array_add(ulimits, u);
        }
        if (o->seccomp) {
                cleanup_free char *v = xasprintf("seccomp=%s", o->seccomp);
                json_object_array_add(secopt, json_object_new_string(v));
        }
        if (o->no_new_privileges || !o->privileged)
                json_object_array_add(secopt, json_object_new_string("no-new-privileges"));
        for (size_t i = 0; o->mask && o->mask[i]; i++) {
                cleanup_free char *v = xasprintf("mask=%s", o->mask[i]);
                json_object_array_add(secopt, json_object_new_string(v));
        }
        for (size_t i = 0; o->unmask && o->unmask[i]; i++) {
                cleanup_free char *v = xasprintf("unmask=%s", o->unmask[i]);
                json_object_array_add(secopt, json_object_new_string(v));
        }
        json_object_object_add(h, "Binds", binds);
        json_object_object_add(h, "Tmpfs", tmpfs);
        json_object_object_add(h, "CapAdd", strv_json(o->cap_add));
        json_object_object_add(h, "CapDrop", strv_json(o->cap_drop));
        json_object_object_add(h, "Privileged", json_object_new_boolean(o->privileged));
        json_object_object_add(h, "ReadonlyRootfs", json_object_new_boolean(o->read_only));
        json_object_object_add(h, "SecurityOpt", secopt);
        json_object_object_add(h, "Ulimits", ulimits);
        json_object_object_add(h, "GroupAdd", strv_json(o->group_add));
        json_object_object_add(h, "Sysctls", rc_sysctls_json(o->sysctls));
        json_object_object_add(h, "UsernsMode", json_object_new_string(o->userns ? o->userns : ""));
        json_object_object_add(h, "Init", json_object_new_boolean(o->init));
        json_object_object_add(h, "ContainerIDFile", json_object_new_string(o->cidfile ? o->cidfile : ""));
}

static json_object *config_json(const struct rc_container_rec *rec, const struct rc_run_opts *o,
                                const struct rc_image_config *img, json_object *spec)
{
        json_object *c = json_object_new_object();
        json_object *env = copy(spec, "process.env");
        cleanup_strv char **args = rc_container_args(img, o->entrypoint, o->cmd);
        const char *stop = o->stop_signal ? o->stop_signal : img->stop_signal ? img->stop_signal : "SIGTERM";
        int sig = rc_signal_parse(stop);

        json_object_object_add(c, "Hostname", copy(spec, "hostname") ?: json_object_new_string(o->hostname ?: ""));
        json_object_object_add(c, "Domainname", json_object_new_string(""));
        json_object_object_add(c, "User", json_object_new_string(o->user ? o->user : img->user ? img->user : ""));
        json_object_object_add(c, "AttachStdin", json_object_new_boolean(o->interactive && !o->detach));
        json_object_object_add(c, "AttachStdout", json_object_new_boolean(!o->detach));
        json_object_object_add(c, "AttachStderr", json_object_new_boolean(!o->detach));
        json_object_object_add(c, "Tty", json_object_new_boolean(o->tty));
        json_object_object_add(c, "OpenStdin", json_object_new_boolean(o->interactive));
        json_object_object_add(c, "StdinOnce", json_object_new_boolean(0));
        json_object_object_add(c, "Env", env ? env : strv_json(img->env));
        json_object_object_add(c, "Cmd", strv_json(o->cmd && o->cmd[0] ? o->cmd : img->cmd));
        json_object_object_add(c, "Image", json_object_new_string(rec->image_name));
        json_object_object_add(c, "Volumes", volumes_json(img));
        json_object_object_add(c, "WorkingDir", copy(spec, "process.cwd") ?: json_object_new_string(
                                                                                     o->workdir ? o->workdir
                                                                                     : img->working_dir ? img->working_dir
                                                                                                        : "/"));
        if (o->entrypoint)
                json_object_object_add(c, "Entrypoint", json_object_new_string(o->entrypoint));
        else
                json_object_object_add(c, "Entrypoint", strv_json(img->entrypoint));
        json_object_object_add(c, "Labels", rec->labels && *rec->labels ? json_tokener_parse(rec->labels) : NULL);
        json_object_object_add(c, "Annotations", json_object_new_object());
        json_object_object_add(c, "StopSignal", json_object_new_int(sig > 0 ? sig : 15));
        json_object_object_add(c, "StopTimeout", json_object_new_int(o->stop_timeout >= 0 ? o->stop_timeout : 10));
        json_object_object_add(c, "CreateCommand", NULL);
        json_object_object_add(c, "Args", strv_json(args)); /* what it runs */
        return c;
}

/* podman's shape: {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8080"}]} */
static json_object *ports_json(const struct rc_net_port *p, size_t n)
{
        json_object *o = json_object_new_object();

        for (size_t i = 0; i < n; i++) {
                char key[16], ip[INET_ADDRSTRLEN], port[8];
                json_object *list, *b = json_object_new_object();
                snprintf(key, sizeof(key), "%u/%s", p[i].container_port, p[i].proto == IPPROTO_UDP ? "udp" : "tcp");
                inet_ntop(AF_INET, &p[i].host_ip, ip, sizeof(ip));
                snprintf(port, sizeof(port), "%u", p[i].host_port);
                json_object_object_add(b, "HostIp", json_object_new_string(ip));
                json_object_object_add(b, "HostPort", json_object_new_string(p[i].host_port ? port : ""));
                if (!json_object_object_get_ex(o, key, &list)) {
                        list = json_object_new_array();
                        json_object_object_add(o, key, list);
                }
                json_object_array_add(list, b);
        }
        return o;
}

/* While it runs, the ports as bound (a port given as 0 has its number). */
static json_object *network_settings_json(struct ctr_state *st)
{
        json_object *o = json_object_new_object();
        struct rc_net_port *ports = NULL;
        size_t n = 0;
        rc_error *e = NULL;
        bool running = strcmp(rc_container_rec_status(&st->rec), "running") == 0 ||
                       strcmp(rc_container_rec_status(&st->rec), "paused") == 0;
        char ip[INET_ADDRSTRLEN] = "", gw[INET_ADDRSTRLEN] = "";

        if (running && rc_container_ports(st->dir, &ports, &n, &e) < 0) {
                rc_error_free(e);
                n = 0;
        }
        if (st->net.mode == RC_NET_SLIRP) {
                struct in_addr a = rc_net_container(&st->net), g = rc_net_gateway(&st->net);
                inet_ntop(AF_INET, &a, ip, sizeof(ip));
                inet_ntop(AF_INET, &g, gw, sizeof(gw));
        }
        json_object_object_add(o, "IPAddress", json_object_new_string(ip));
        json_object_object_add(o, "IPPrefixLen", json_object_new_int(st->net.mode == RC_NET_SLIRP ? st->net.prefix : 0));
        json_object_object_add(o, "Gateway", json_object_new_string(gw));
        json_object_object_add(o, "MacAddress", json_object_new_string(""));
        json_object_object_add(o, "Ports", ports_json(ports, n));
        if (running && st->rec.pid > 0 && st->net.mode != RC_NET_HOST) {
                cleanup_free char *key = xasprintf("/proc/%d/ns/net", (int)st->rec.pid);
                json_object_object_add(o, "SandboxKey", json_object_new_string(key));
        } else {
                json_object_object_add(o, "SandboxKey", json_object_new_string(""));
        }
        free(ports);
        return o;
}

static json_object *host_config_json(const struct rc_run_opts *o, const char *log_path, const char *network)
{
        json_object *h = json_object_new_object(), *rp = json_object_new_object(), *lc = json_object_new_object();

        json_object_object_add(rp, "Name", json_object_new_string(o->restart_policy == RC_RESTART_NO
                                                                          ? ""
                                                                          : rc_restart_policy_name(o->restart_policy)));
        json_object_object_add(rp, "MaximumRetryCount", json_object_new_int(o->restart_max));
        json_object_object_add(h, "RestartPolicy", rp);
        json_object_object_add(h, "AutoRemove", json_object_new_boolean(o->auto_remove));
        json_object_object_add(h, "NetworkMode", json_object_new_string(network));
        json_object_object_add(lc, "Type", json_object_new_string("k8s-file"));
        json_object_object_add(lc, "Path", json_object_new_string(log_path));
        json_object_object_add(lc, "Size", json_object_new_string("0B"));
        if (o->log_max_size) {
                json_object *cfg = json_object_new_object();
                char size[32];
                snprintf(size, sizeof(size), "%llu", (unsigned long long)o->log_max_size);
                json_object_object_add(cfg, "max-size", json_object_new_string(size));
                json_object_object_add(lc, "Config", cfg);
        }
        json_object_object_add(h, "LogConfig", lc);
        /* docker's and podman's names for the limits (0: none) */
        json_object_object_add(h, "Memory", json_object_new_int64((int64_t)o->limits.memory));
        json_object_object_add(h, "MemorySwap", json_object_new_int64(o->limits.memory_swap));
        json_object_object_add(h, "NanoCpus", json_object_new_int64((int64_t)o->limits.cpu_quota * 1000));
        json_object_object_add(h, "CpuPeriod", json_object_new_int64(o->limits.cpu_quota ? 100000 : 0));
        json_object_object_add(h, "CpuQuota", json_object_new_int64((int64_t)o->limits.cpu_quota / 10));
        json_object_object_add(h, "CpuWeight", json_object_new_int64((int64_t)o->limits.cpu_weight));
        json_object_object_add(h, "PidsLimit", json_object_new_int64((int64_t)o->limits.pids));
        json_object_object_add(h, "IOWeight", json_object_new_int64((int64_t)o->limits.io_weight));
        return h;
}

int rc_container_inspect(const struct rc_config *cfg, struct rc_store *s, const char *name_or_id, json_object **out,
                         rc_error **err)
{
        struct ctr_state st = { .cfg = cfg, .store = s, .skip_cgroups = true };
        struct rc_saved_opts saved = { 0 };
        cleanup_free char *spec_path = NULL, *spec_text = NULL, *log_path = NULL;
        json_object *spec = NULL, *o;
        rc_error *e = NULL;
        char created[64];
        struct tm tm;
        time_t t;
        int r = -1;

        if (ctr_load(&st, name_or_id, &saved, err) < 0)
                goto out;
        spec_path = ctr_config_path(st.run_dir, st.dir);
        if (rc_read_file(spec_path, &spec_text, NULL, &e) == 0)
                spec = json_tokener_parse(spec_text);
        rc_error_free(e);
        log_path = xasprintf("%s/ctr.log", st.dir);
        t = (time_t)st.rec.created;
        gmtime_r(&t, &tm);
        strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tm);
        o = json_object_new_object();
        json_object_object_add(o, "Id", json_object_new_string(st.rec.id));
        json_object_object_add(o, "Created", json_object_new_string(created));
        {
                cleanup_strv char **args = rc_container_args(&st.image_config, saved.opts.entrypoint, saved.opts.cmd);
                json_object_object_add(o, "Path", json_object_new_string(args[0] ? args[0] : ""));
                json_object_object_add(o, "Args", strv_json(args[0] ? args + 1 : args));
        }
        json_object_object_add(o, "State", state_json(&st.rec, st.dir));
        health_json(o, &st);
        json_object_object_add(o, "Image", json_object_new_string(st.rec.image_id));
        json_object_object_add(o, "ImageName", json_object_new_string(st.rec.image_name));
        json_object_object_add(o, "Rootfs", json_object_new_string(""));
        json_object_object_add(o, "Name", json_object_new_string(st.rec.name));
        json_object_object_add(o, "RestartCount", json_object_new_int(st.rec.restart_count));
        json_object_object_add(o, "Driver", json_object_new_string(st.rec.driver));
        json_object_object_add(o, "MountLabel", json_object_new_string(""));
        json_object_object_add(o, "ProcessLabel", json_object_new_string(""));
        json_object_object_add(o, "AppArmorProfile", json_object_new_string(""));
        json_object_object_add(o, "Mounts", mounts_json(&st));
        json_object_object_add(o, "Config", config_json(&st.rec, &saved.opts, &st.image_config, spec));
        config_health(json_object_object_get(o, "Config"), &st, &saved.opts);
        json_object_object_add(o, "HostConfig",
                               host_config_json(&saved.opts, log_path,
                                                st.net.mode == RC_NET_HOST ? "host"
                                                : st.net.mode == RC_NET_NONE ? "none"
                                                                             : "slirp"));
        json_object_object_add(json_object_object_get(o, "HostConfig"), "PortBindings",
                               ports_json(st.ports, st.n_ports));
        json_object_object_add(o, "NetworkSettings", network_settings_json(&st));
        host_config_options(json_object_object_get(o, "HostConfig"), &st, &saved.opts);
        json_object_object_add(o, "LogPath", json_object_new_string(log_path));
        json_object_object_add(o, "IsInfra", json_object_new_boolean(0));
        {
                cleanup_free char *p = xasprintf("%s/resolv.conf", st.run_dir);
                json_object_object_add(o, "ResolvConfPath", json_object_new_string(p));
                free(p);
                p = xasprintf("%s/hostname", st.run_dir);
                json_object_object_add(o, "HostnamePath", json_object_new_string(p));
                free(p);
                p = xasprintf("%s/hosts", st.run_dir);
                json_object_object_add(o, "HostsPath", json_object_new_string(p));
        }
        *out = o;
        r = 0;
out:
        json_object_put(spec);
        st.store = NULL; /* the caller's */
        ctr_state_free(&st);
        rc_saved_opts_free(&saved);
        return r;
}
