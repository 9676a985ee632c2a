/* Probes: session environment, devices, cgroups, systemd, sysctls, DNS. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include "check/internal.h"
#include "cgroup/cgroup.h"
#include "dl/systemd.h"
#include "util/fs.h"
#include "util/xalloc.h"

void check_xdg_runtime(const struct rc_check_context *ctx, struct rc_check_result *r)
{
        const char *dir = ctx->xdg_runtime_dir;
        const char *u = check_user(ctx);
        struct stat st;

        if (dir == NULL || *dir == '\0') {
                check_set(r, RC_CHECK_WARN, "not set (a su, sudo or cron session has no login session): rc keeps "
                                            "its runtime state in %s instead, and the systemd user manager is out "
                                            "of reach", ctx->cfg->runroot);
                check_fix(r, false, "log in as %s directly (ssh %s@localhost, or as root: machinectl shell %s@)", u,
                          u, u);
                return;
        }
        if (stat(dir, &st) < 0) {
                unsigned other;
                char tail;
                bool foreign = sscanf(dir, "/run/user/%u%c", &other, &tail) == 1 && other != ctx->uid;
                check_set(r, RC_CHECK_WARN, "XDG_RUNTIME_DIR=%s %s%s; rc keeps its runtime state in %s instead", dir,
                          errno == ENOENT ? "does not exist" : strerror(errno),
                          foreign ? " (it names another user's directory: this shell kept that user's environment, "
                                    "as su and sudo do)"
                                  : "",
                          ctx->cfg->runroot);
                check_fix(r, false, "log in as %s through a login session (ssh, machinectl shell %s@) so that "
                                    "systemd-logind creates /run/user/%u",
                          u, u, (unsigned)ctx->uid);
                return;
        }
        if (st.st_uid != ctx->uid) {
                check_set(r, RC_CHECK_WARN, "XDG_RUNTIME_DIR=%s belongs to uid %u, not to you (uid %u): this shell "
                                            "kept another user's environment (su or sudo); rc keeps its runtime "
                                            "state in %s instead",
                          dir, (unsigned)st.st_uid, (unsigned)ctx->uid, ctx->cfg->runroot);
                check_fix(r, false, "log in as %s directly (ssh %s@localhost, or as root: machinectl shell %s@); "
                                    "'su -l' and 'sudo -i' do not set it",
                          u, u, u);
                return;
        }
        if ((st.st_mode & 0777) != 0700) {
                check_set(r, RC_CHECK_WARN, "%s has mode %03o; it should be private (0700)", dir,
                          (unsigned)(st.st_mode & 0777));
                check_fix(r, false, "chmod 700 %s", dir);
                return;
        }
        check_set(r, RC_CHECK_OK, "%s (yours, mode 0700)", dir);
}

void check_tun(const struct rc_check_context *ctx, struct rc_check_result *r)
{
        cleanup_close int fd = open(ctx->dev_tun, O_RDWR | O_CLOEXEC);
        int e = errno;

        if (fd >= 0) {
                check_set(r, RC_CHECK_OK, "usable: containers can have their own network");
                return;
        }
        check_set(r, RC_CHECK_WARN,
                  "cannot open %s (%s): containers of the default network (slirp) cannot start; they can only use "
                  "--network none or --network host",
                  ctx->dev_tun, strerror(e));
        if (e == ENOENT)
                check_fix(r, true, "modprobe tun");
        else
                check_fix(r, true, "chmod 0666 %s   (distributions ship it that way)", ctx->dev_tun);
}

/* File system type mounted at dir according to mountinfo (the last mount
 * wins, as it hides the others), or NULL. */
static char *fstype_at(const char *mountinfo, const char *dir)
{
        cleanup_free char *text = NULL;
        char *found = NULL, *save = NULL;

        if (rc_read_file(mountinfo, &text, NULL, NULL) < 0)
                return NULL;
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char mp[4096], type[64];
                char *sep = strstr(line, " - ");
                if (sep == NULL || sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1 ||
                    sscanf(sep + 3, "%63s", type) != 1)
                        continue;
                if (strcmp(mp, dir) == 0) {
                        free(found);
                        found = xstrdup(type);
                }
        }
        return found;
}

/* The cgroup v2 path of this process ("0::/path"), or NULL. */
static char *own_cgroup(const char *proc_cgroup)
{
        cleanup_free char *text = NULL;
        char *save = NULL;

        if (rc_read_file(proc_cgroup, &text, NULL, NULL) < 0)
                return NULL;
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
                if (strncmp(line, "0::", 3) == 0)
                        return xstrdup(line + 3);
        return NULL;
}

static void delegate_fix(struct rc_check_result *r)
{
        check_fix(r, true,
                  "mkdir -p /etc/systemd/system/user@.service.d && printf '[Service]\\nDelegate=cpu cpuset io memory "
                  "pids\\n' > /etc/systemd/system/user@.service.d/delegate.conf && systemctl daemon-reload   "
                  "(then log out and in again)");
}

void check_cgroup(const struct rc_check_context *ctx, struct rc_check_result *r)
{
        cleanup_free char *unified_dir = xasprintf("%s/unified", ctx->cgroup_root);
        cleanup_free char *top = fstype_at(ctx->mountinfo, ctx->cgroup_root);
        cleanup_free char *uni = fstype_at(ctx->mountinfo, unified_dir);
        cleanup_free char *path = NULL, *dir = NULL, *ctrl = NULL, *mgr = NULL, *mgr_ctrl = NULL;
        static const char *const needed[] = { "cpu", "memory", "pids" };
        char missing[64] = "";
        const char *have;
        struct stat st;

        if (top == NULL) {
                check_set(r, RC_CHECK_WARN, "nothing is mounted at %s: resource limits (--memory, --cpus, "
                                            "--pids-limit) are unavailable", ctx->cgroup_root);
                check_fix(r, true, "mount -t cgroup2 none %s", ctx->cgroup_root);
                return;
        }
        if (strcmp(top, "cgroup2") != 0) {
                check_set(r, RC_CHECK_WARN, "cgroup v1%s: rc supports resource limits (--memory, --cpus, "
                                            "--pids-limit) on cgroup v2 only, so they are unavailable",
                          uni && strcmp(uni, "cgroup2") == 0 ? " with v2 beside it (hybrid)" : "");
                check_fix(r, true, "boot with systemd.unified_cgroup_hierarchy=1 on the kernel command line (add it "
                                   "to GRUB_CMDLINE_LINUX in /etc/default/grub, run update-grub, reboot)");
                return;
        }
        path = own_cgroup(ctx->proc_cgroup);
        if (path == NULL) {
                check_set(r, RC_CHECK_WARN, "cgroup v2, but %s names no v2 cgroup for this process",
                          ctx->proc_cgroup);
                return;
        }
        dir = xasprintf("%s%s", ctx->cgroup_root, strcmp(path, "/") ? path : "");
        ctrl = check_read(dir, "cgroup.controllers");
        /* systemd delegates user@UID.service to the user; rc's scopes go below it */
        mgr = xasprintf("%s/user.slice/user-%u.slice/user@%u.service", ctx->cgroup_root, (unsigned)ctx->uid,
                        (unsigned)ctx->uid);
        mgr_ctrl = check_read(mgr, "cgroup.controllers");
        if (stat(dir, &st) == 0 && st.st_uid == ctx->uid)
                have = ctrl ? ctrl : "";
        else if (mgr_ctrl)
                have = mgr_ctrl;
        else {
                check_set(r, RC_CHECK_WARN, "cgroup v2, but your cgroup %s is not delegated to you and there is no "
                                            "user@%u.service: resource limits are unavailable",
                          path, (unsigned)ctx->uid);
                check_fix(r, true, "loginctl enable-linger %s   (or log in through a systemd-logind session: ssh, "
                                   "machinectl shell %s@)",
                          check_user(ctx), check_user(ctx));
                return;
        }
        for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]); i++) {
                const char *p = have;
                bool found = false;
                size_t n = strlen(needed[i]);
                while ((p = strstr(p, needed[i])) != NULL) {
                        if ((p == have || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
                                found = true;
                        p += n;
                }
                if (!found)
                        snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing), "%s%s",
                                 *missing ? ", " : "", needed[i]);
        }
        if (*missing) {
                check_set(r, RC_CHECK_WARN, "cgroup v2, but the %s controller%s not delegated to you (you have: "
                                            "%s): the matching limits (--memory, --cpus, --pids-limit) are "
                                            "unavailable",
                          missing, strchr(missing, ',') ? "s are" : " is", *have ? have : "none");
                delegate_fix(r);
                return;
        }
        check_set(r, RC_CHECK_OK, "v2, controllers delegated to you: %s", have);
}

static bool cg_has(const char *list, const char *word)
{
        size_t n = strlen(word);

        for (const char *p = list; (p = strstr(p, word)) != NULL; p += n)
                if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
                        return true;
        return false;
}

void check_cgroup_manager(const struct rc_check_context *ctx, struct rc_check_result *r)
{
        struct rc_cgroup_manager *m = NULL;
        rc_error *e = NULL;
        const char *ctl;
        bool limits;

        if (rc_cgroup_manager_open(ctx->cfg, NULL, &m, &e) < 0) {
                check_set(r, RC_CHECK_FAIL, "%s", e->msg);
                check_fix(r, false, "set [cgroups] manager = auto in rootless.conf");
                rc_error_free(e);
                return;
        }
        ctl = rc_cgroup_manager_controllers(m);
        limits = cg_has(ctl, "memory") && cg_has(ctl, "cpu") && cg_has(ctl, "pids");
        if (rc_cgroup_manager_type(m) == RC_CGROUP_NONE) {
                check_set(r, RC_CHECK_INFO, "none (%s): containers get no cgroup of their own, so rc stats, rc "
                                            "pause and resource limits (--memory, --cpus, --pids-limit...) do not "
                                            "work",
                          rc_cgroup_manager_why(m));
                if (ctx->user && access(ctx->systemd_dir, F_OK) == 0)
                        check_fix(r, true, "loginctl enable-linger %s   (a systemd user manager delegates a cgroup "
                                           "tree to you)",
                                  ctx->user);
        } else if (limits) {
                check_set(r, RC_CHECK_OK, "%s: %s; limits work (controllers: %s)", rc_cgroup_manager_name(m),
                          rc_cgroup_manager_why(m), ctl);
        } else {
                check_set(r, RC_CHECK_OK, "%s: %s; rc stats and rc pause work, resource limits do not (controllers "
                                          "available: %s; see cgroups)",
                          rc_cgroup_manager_name(m), rc_cgroup_manager_why(m), *ctl ? ctl : "none");
        }
        rc_cgroup_manager_free(m);
}

/* The user bus socket path, or NULL. */
static char *bus_path(const struct rc_check_context *ctx)
{
        const char *a = ctx->dbus_address;

        if (a && strncmp(a, "unix:path=", 10) == 0)
                return xstrndup(a + 10, strcspn(a + 10, ",;"));
        if (ctx->xdg_runtime_dir && *ctx->xdg_runtime_dir)
                return xasprintf("%s/bus", ctx->xdg_runtime_dir);
        return NULL;
}

/* Ask the user manager for its version over the bus at path (its own
 * socket when direct, else the user bus). */
static int bus_version(const char *path, bool direct, char **version, char **why)
{
        cleanup_free char *addr = xasprintf("unix:path=%s", path);
        cleanup_error rc_error *err = NULL;
        sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus *bus = NULL;
        int r;

        if (rc_dl_systemd(&err) < 0) {
                *why = xstrdup(err->msg);
                return -1;
        }
        if ((r = sd_bus_new(&bus)) < 0 || (r = sd_bus_set_address(bus, addr)) < 0 ||
            (r = sd_bus_set_bus_client(bus, !direct)) < 0 || (r = sd_bus_set_method_call_timeout(bus, 2000000)) < 0 ||
            (r = sd_bus_start(bus)) < 0) {
                *why = xasprintf("cannot connect to %s: %s", path, strerror(-r));
                sd_bus_unref(bus);
                return -1;
        }
        r = sd_bus_get_property_string(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                       "org.freedesktop.systemd1.Manager", "Version", &e, version);
        if (r < 0)
                *why = xasprintf("%s answers, but the systemd user manager does not: %s", path,
                                 e.message ? e.message : strerror(-r));
        sd_bus_error_free(&e);
        sd_bus_flush_close_unref(bus);
        return r < 0 ? -1 : 0;
}

void check_systemd(const struct rc_check_context *ctx, struct rc_check_result *r)
{
        cleanup_free char *path = bus_path(ctx), *version = NULL, *why = NULL, *priv = NULL;
        const char *u = check_user(ctx);
        struct stat st;

        if (stat(ctx->systemd_dir, &st) < 0) {
                check_set(r, RC_CHECK_SKIP, "the host does not run systemd: rc puts containers in cgroups itself "
                                            "where a cgroup v2 tree is delegated to you (see cgroup manager)");
                return;
        }
        /* the manager's own socket first, as rc's cgroup manager does */
        priv = xasprintf("%s/systemd/private", ctx->xdg_runtime_dir ? ctx->xdg_runtime_dir : "");
        if (ctx->xdg_runtime_dir && stat(priv, &st) == 0 && S_ISSOCK(st.st_mode)) {
                if (!ctx->live) {
                        check_set(r, RC_CHECK_OK, "%s exists (not contacted: live probes are off)", priv);
                        return;
                }
                if (bus_version(priv, true, &version, &why) < 0) {
                        check_set(r, RC_CHECK_WARN, "%s", why);
                        check_fix(r, false, "systemctl --user status   (shows whether your user manager runs)");
                        return;
                }
                check_set(r, RC_CHECK_OK, "systemd %s answers on %s", version, priv);
                return;
        }
        free(priv);
        priv = NULL;
        if (path == NULL) {
                check_set(r, RC_CHECK_WARN, "XDG_RUNTIME_DIR and DBUS_SESSION_BUS_ADDRESS are unset, so the user "
                                            "bus cannot be found");
                check_fix(r, false, "log in as %s through a login session (ssh %s@localhost, or as root: "
                                    "machinectl shell %s@)", u, u, u);
                return;
        }
        if (stat(path, &st) < 0) {
                check_set(r, RC_CHECK_WARN, "no systemd user manager for %s (neither its socket nor %s exists): rc "
                                            "cannot put containers in systemd scopes, and cgroup limits need one",
                          u, path);
                check_fix(r, true, "loginctl enable-linger %s   (starts user@%u.service now and at boot)", u,
                          (unsigned)ctx->uid);
                return;
        }
        if (!ctx->live) {
                check_set(r, RC_CHECK_OK, "%s exists (not contacted: live probes are off)", path);
                return;
        }
        if (bus_version(path, false, &version, &why) < 0) {
                check_set(r, RC_CHECK_WARN, "%s", why);
                check_fix(r, false, "systemctl --user status   (shows whether your user manager runs)");
                return;
        }
        check_set(r, RC_CHECK_OK, "systemd %s answers on %s", version, path);
}

void check_linger(const struct rc_check_context *ctx, struct rc_check_result *r)
{
        cleanup_free char *f = NULL;
        struct stat st;

        if (stat(ctx->systemd_dir, &st) < 0) {
                check_set(r, RC_CHECK_SKIP, "the host does not run systemd");
                return;
        }
        if (ctx->user == NULL) {
                check_set(r, RC_CHECK_SKIP, "uid %u has no user name", (unsigned)ctx->uid);
                return;
        }
        f = xasprintf("%s/%s", ctx->linger_dir, ctx->user);
        if (stat(f, &st) == 0) {
                check_set(r, RC_CHECK_OK, "enabled: your containers keep running after you log out");
                return;
        }
        check_set(r, RC_CHECK_WARN, "off for %s: when your last session ends, systemd stops your user manager and "
                                    "with it your containers and rc's pause process", ctx->user);
        check_fix(r, true, "loginctl enable-linger %s", ctx->user);
}

void check_ports(const struct rc_check_context *ctx, struct rc_check_result *r)
{
        long start;

        if (check_read_long(ctx->proc_sys, "net/ipv4/ip_unprivileged_port_start", &start) < 0) {
                check_set(r, RC_CHECK_SKIP, "cannot read net.ipv4.ip_unprivileged_port_start");
                return;
        }
        if (start == 0) {
                check_set(r, RC_CHECK_OK, "any host port can be published (net.ipv4.ip_unprivileged_port_start = 0)");
                return;
        }
        check_set(r, start > 1024 ? RC_CHECK_WARN : RC_CHECK_INFO,
                  "publishing host ports below %ld needs root (net.ipv4.ip_unprivileged_port_start = %ld): "
                  "publish on a higher port, e.g. -p 8080:80",
                  start, start);
        check_fix(r, true,
                  "sysctl -w net.ipv4.ip_unprivileged_port_start=80 && "
                  "echo net.ipv4.ip_unprivileged_port_start=80 > /etc/sysctl.d/50-rc-ports.conf");
}

void check_ping(const struct rc_check_context *ctx, struct rc_check_result *r)
{
        cleanup_free char *range = check_read(ctx->proc_sys, "net/ipv4/ping_group_range");
        unsigned long lo, hi;

        if (range == NULL || sscanf(range, "%lu %lu", &lo, &hi) != 2) {
                check_set(r, RC_CHECK_SKIP, "cannot read net.ipv4.ping_group_range");
                return;
        }
        if (lo <= ctx->gid && ctx->gid <= hi) {
                check_set(r, RC_CHECK_OK, "your gid %u is in net.ipv4.ping_group_range (%lu-%lu): ping works in "
                                          "containers sharing the host network", (unsigned)ctx->gid, lo, hi);
                return;
        }
        check_set(r, RC_CHECK_INFO, "net.ipv4.ping_group_range = %lu %lu does not include your gid %u: ping fails in "
                                    "containers that share the host network (--network host)",
                  lo, hi, (unsigned)ctx->gid);
        check_fix(r, true,
                  "sysctl -w net.ipv4.ping_group_range='0 2147483647' && "
                  "echo 'net.ipv4.ping_group_range=0 2147483647' > /etc/sysctl.d/50-rc-ping.conf");
}

/* Nameserver addresses from a resolv.conf: all into *all, non-loopback
 * ones into *usable (space separated, malloc'd). */
static void nameservers(const char *file, char **all, char **usable)
{
        cleanup_free char *text = NULL;
        char *save = NULL;

        *all = xstrdup("");
        *usable = xstrdup("");
        if (rc_read_file(file, &text, NULL, NULL) < 0)
                return;
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char addr[64], *t;
                unsigned char buf[16];
                bool loop;
                if (sscanf(line, " nameserver %63s", addr) != 1)
                        continue;
                if (inet_pton(AF_INET, addr, buf) == 1)
                        loop = buf[0] == 127;
                else
                        loop = strcmp(addr, "::1") == 0;
                t = xasprintf("%s%s%s", *all, **all ? " " : "", addr);
                free(*all);
                *all = t;
                if (!loop) {
                        t = xasprintf("%s%s%s", *usable, **usable ? " " : "", addr);
                        free(*usable);
                        *usable = t;
                }
        }
}

void check_dns(const struct rc_check_context *ctx, struct rc_check_result *r)
{
        cleanup_free char *all = NULL, *usable = NULL;

        nameservers(ctx->resolv_conf, &all, &usable);
        if (*all == '\0') {
                check_set(r, RC_CHECK_WARN, "%s lists no nameserver: containers will not resolve names",
                          ctx->resolv_conf);
                check_fix(r, false, "pass a resolver to the container, e.g. rc run --dns 1.1.1.1 ...");
                return;
        }
        /* containers of the user-mode network ask the forwarder at .3,
         * which asks these from the host's side: loopback ones included */
        if (*usable && strcmp(all, usable) == 0) {
                check_set(r, RC_CHECK_OK, "nameservers %s (containers ask them through the forwarder at 10.0.2.3)",
                          usable);
                return;
        }
        check_set(r, RC_CHECK_OK,
                  "nameservers %s%s: containers ask them through the forwarder at 10.0.2.3 (from the host's side, "
                  "so loopback ones work); a --network none container gets only %s",
                  all, strstr(all, "127.0.0.53") ? " (systemd-resolved's stub)" : "", *usable ? usable : "none");
}
