/* rc info (rc's findings in words, or podman's field names as JSON and
 * templates) and rc version. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "check/check.h"
#include "format/format.h"
#include "image/image.h"
#include "mount/mount.h"
#include "rc.h"
#include "store/store.h"
#include "userns/userns.h"
#include "util/fs.h"
#include "util/xalloc.h"
#include "version.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

struct host_facts {
        char *os, *kernel, *machine, *arch, *hostname;
        char *distro, *distro_version, *distro_codename; /* os-release ID, VERSION_ID, VERSION_CODENAME */
        long cpus;
        long long mem_total_kib, mem_avail_kib, mem_free_kib, swap_total_kib, swap_free_kib;
        double uptime;
        const char *cgroup;         /* "v2", "v1/v2 hybrid", "v1" */
        char *cgroup_manager;       /* "systemd", "cgroupfs", "none" (pkg/cgroup's choice) */
        char *cgroup_why;           /* why that one */
        char *cgroup_controllers;   /* what a container's cgroup can get, space-separated */
        char *seccomp;
        bool fuse, tun;
};

static const char *oci_arch(const char *m)
{
        static const char *const map[][2] = {
                { "x86_64", "amd64" },  { "aarch64", "arm64" }, { "armv7l", "arm" },    { "i686", "386" },
                { "ppc64le", "ppc64le" }, { "s390x", "s390x" }, { "riscv64", "riscv64" },
        };
        for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
                if (strcmp(m, map[i][0]) == 0)
                        return map[i][1];
        return m;
}

/* A value of /etc/os-release ("PRETTY_NAME", "ID", ...), unquoted. */
static char *os_release(const char *key, const char *fallback)
{
        cleanup_free char *text = NULL;
        char *save = NULL;
        size_t klen = strlen(key);

        if (rc_read_file("/etc/os-release", &text, NULL, NULL) < 0)
                return xstrdup(fallback);
        for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                if (strncmp(l, key, klen) == 0 && l[klen] == '=') {
                        char *v = l + klen + 1;
                        size_t len = strlen(v);
                        if (len >= 2 && (*v == '"' || *v == '\'') && v[len - 1] == *v)
                                return xstrndup(v + 1, len - 2);
                        return xstrdup(v);
                }
        }
        return xstrdup(fallback);
}

static long long meminfo(const char *text, const char *key)
{
        const char *p = strstr(text, key);
        return p ? strtoll(p + strlen(key), NULL, 10) : -1;
}

static bool openable(const char *dev)
{
        int fd = open(dev, O_RDWR | O_CLOEXEC);
        if (fd < 0)
                return false;
        close(fd);
        return true;
}

static void host_facts(struct host_facts *h, const struct rc_config *cfg)
{
        cleanup_free char *mem = NULL, *status = NULL, *uptime = NULL;
        struct utsname u;
        struct statfs sf;
        const char *s;

        memset(h, 0, sizeof(*h));
        uname(&u);
        h->os = os_release("PRETTY_NAME", "unknown");
        h->distro = os_release("ID", "unknown");
        h->distro_version = os_release("VERSION_ID", "");
        h->distro_codename = os_release("VERSION_CODENAME", "");
        h->hostname = xstrdup(u.nodename);
        h->kernel = xstrdup(u.release);
        h->machine = xstrdup(u.machine);
        h->arch = xstrdup(oci_arch(u.machine));
        h->cpus = sysconf(_SC_NPROCESSORS_ONLN);
        if (rc_read_file("/proc/meminfo", &mem, NULL, NULL) == 0) {
                h->mem_total_kib = meminfo(mem, "MemTotal:");
                h->mem_avail_kib = meminfo(mem, "MemAvailable:");
                h->mem_free_kib = meminfo(mem, "MemFree:");
                h->swap_total_kib = meminfo(mem, "SwapTotal:");
                h->swap_free_kib = meminfo(mem, "SwapFree:");
        }
        if (rc_read_file("/proc/uptime", &uptime, NULL, NULL) == 0)
                h->uptime = strtod(uptime, NULL);
        if (statfs("/sys/fs/cgroup", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC)
                h->cgroup = "v2";
        else if (statfs("/sys/fs/cgroup/unified", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC)
                h->cgroup = "v1/v2 hybrid (resource limits unavailable)";
        else
                h->cgroup = "v1 (resource limits unavailable)";
        {
                struct rc_cgroup_manager *m = NULL;
                rc_error *e = NULL;
                if (rc_cgroup_manager_open(cfg, NULL, &m, &e) == 0) {
                        h->cgroup_manager = xstrdup(rc_cgroup_manager_name(m));
                        h->cgroup_why = xstrdup(rc_cgroup_manager_why(m));
                        h->cgroup_controllers = xstrdup(rc_cgroup_manager_controllers(m));
                        rc_cgroup_manager_free(m);
                } else {
                        h->cgroup_manager = xasprintf("%s (unusable)", cfg->cgroup_manager);
                        h->cgroup_why = xstrdup(e->msg);
                        h->cgroup_controllers = xstrdup("");
                        rc_error_free(e);
                }
        }
        h->seccomp = xstrdup("not supported by this kernel");
        if (rc_read_file("/proc/self/status", &status, NULL, NULL) == 0 && (s = strstr(status, "\nSeccomp:"))) {
                free(h->seccomp);
                h->seccomp = xstrdup(atoi(s + 9) == 0 ? "supported" : "supported (rc itself runs under a filter)");
        }
        h->fuse = openable("/dev/fuse");
        h->tun = openable("/dev/net/tun");
}

static void host_facts_free(struct host_facts *h)
{
        free(h->os);
        free(h->kernel);
        free(h->machine);
        free(h->arch);
        free(h->seccomp);
        free(h->cgroup_manager);
        free(h->cgroup_why);
        free(h->cgroup_controllers);
        free(h->hostname);
        free(h->distro);
        free(h->distro_version);
        free(h->distro_codename);
}

static void info_usage(FILE *out)
{
        fprintf(out, "Display rc system information\n\n"
                     "Description:\n"
                     "  Show how rc is set up here: version, host, configuration, storage, the user\n"
                     "  namespace (id mappings, pause process) and kernel features.  Starts the pause\n"
                     "  process if it is not running.  For problems and their fixes: rc system check.\n"
                     "  The report is YAML, as podman's; JSON and templates use the same fields\n"
                     "  (.Host.Arch, .Store.GraphRoot, .Store.ImageStore.Number, .Version.Version...),\n"
                     "  podman's names beside rc's own.  --format text: rc's summary for people.\n\n"
                     "Usage:\n"
                     "  rc info [options]\n\n"
                     "Options:\n"
                     "  -f, --format FORMAT   Change the output format to JSON, a Go template, or text\n");
}

static json_object *idmap_json(const struct rc_idmap *m, size_t n)
{
        json_object *arr = json_object_new_array();

        for (size_t i = 0; i < n; i++) {
                json_object *o = json_object_new_object();
                json_object_object_add(o, "container_id", json_object_new_int64(m[i].container));
                json_object_object_add(o, "host_id", json_object_new_int64(m[i].host));
                json_object_object_add(o, "size", json_object_new_int64(m[i].size));
                json_object_array_add(arr, o);
        }
        return arr;
}

/* Compiled seccomp filters in the cache under runroot. */
static int seccomp_cached(const char *dir)
{
        cleanup_closedir DIR *d = opendir(dir);
        struct dirent *e;
        int n = 0;

        while (d && (e = readdir(d)) != NULL) {
                size_t len = strlen(e->d_name);
                n += len > 4 && strcmp(e->d_name + len - 4, ".bpf") == 0;
        }
        return n;
}

/* How a component reaches rc, in words. */
static const char *component_link(const struct rc_component *c)
{
        if (strcmp(c->link, "linked") == 0)
                return "linked";
        if (strcmp(c->link, "dlopen") == 0)
                return "loaded on demand";
        if (strcmp(c->link, "exec") == 0)
                return "run";
        return "not used yet";
}

/* The libraries and helpers of third_party/components.tsv as found here. */
static void components_print(const struct rc_component *c, size_t n)
{
        printf("components:\n");
        for (size_t i = 0; i < n; i++) {
                const char *state = c[i].problem ? c[i].problem : c[i].found ? c[i].found : "";
                printf("  %s: %s%s%s\n", c[i].name, component_link(&c[i]), *state ? ", " : "", state);
        }
}

static json_object *components_json(const struct rc_component *c, size_t n)
{
        json_object *a = json_object_new_array();

        for (size_t i = 0; i < n; i++) {
                json_object *o = json_object_new_object();
                json_object_object_add(o, "name", json_object_new_string(c[i].name));
                json_object_object_add(o, "kind", json_object_new_string(c[i].kind));
                json_object_object_add(o, "link", json_object_new_string(c[i].link));
                json_object_object_add(o, "file", json_object_new_string(c[i].file));
                json_object_object_add(o, "package", json_object_new_string(c[i].package));
                json_object_object_add(o, "min_version", json_object_new_string(c[i].min_version));
                json_object_object_add(o, "license", json_object_new_string(c[i].license));
                json_object_object_add(o, "found", c[i].found ? json_object_new_string(c[i].found) : NULL);
                json_object_object_add(o, "problem", c[i].problem ? json_object_new_string(c[i].problem) : NULL);
                json_object_array_add(a, o);
        }
        return a;
}

/* What rc info found: the facts both outputs print. */
struct info {
        const struct rc_config *cfg;
        struct host_facts h;
        struct rc_userns_state us;
        rc_error *userns_err, *storage_err;
        char *why, *driver, *uids, *gids, *seccomp_cache;
        struct rc_component *comp;
        size_t n_comp;
        bool entered, seccomp_ok;
        long images, containers, running; /* -1: the store could not be read */
};

static void info_gather(const struct rc_config *cfg, struct info *in)
{
        cleanup_store struct rc_store *s = NULL;
        struct rc_container_rec *list = NULL;
        rc_error *e = NULL;
        size_t n = 0;

        memset(in, 0, sizeof(*in));
        in->cfg = cfg;
        host_facts(&in->h, in->cfg);
        rc_components_probe(&in->comp, &in->n_comp);
        /* the storage choice is made inside the user namespace, as rc run makes it */
        in->entered = rc_userns_enter(cfg, &in->us, &in->userns_err) == 0;
        if (!in->entered) {
                in->driver = xstrdup("unknown (needs the user namespace, see above)");
        } else {
                enum rc_storage_driver d;
                if (rc_storage_select(cfg, &d, &in->why, &in->storage_err) == 0)
                        in->driver = xstrdup(rc_storage_driver_name(d));
                else
                        in->driver = xasprintf("unusable: %s", in->storage_err->msg);
        }
        in->seccomp_ok = strncmp(in->h.seccomp, "supported", 9) == 0;
        in->seccomp_cache = xasprintf("%s/seccomp", cfg->runroot);
        in->uids = rc_idmap_format(in->us.mapping.uids, in->us.mapping.n_uids);
        in->gids = rc_idmap_format(in->us.mapping.gids, in->us.mapping.n_gids);
        in->images = in->containers = in->running = -1;
        if (rc_store_open(cfg->root, cfg->runroot, &s, &e) == 0) {
                struct rc_image *imgs = NULL;
                size_t ni = 0;
                if (rc_store_image_list(s, &imgs, &ni, &e) == 0) {
                        in->images = (long)ni;
                        rc_image_list_free(imgs, ni);
                }
                if (e == NULL && rc_store_container_list(s, &list, &n, &e) == 0) {
                        in->containers = (long)n;
                        in->running = 0;
                        for (size_t i = 0; i < n; i++)
                                in->running += rc_container_rec_running(&list[i]);
                        rc_container_list_free(list, n);
                }
        }
        rc_error_free(e);
}

static void info_free(struct info *in)
{
        rc_components_free(in->comp, in->n_comp);
        host_facts_free(&in->h);
        rc_userns_state_free(&in->us);
        rc_error_free(in->userns_err);
        rc_error_free(in->storage_err);
        free(in->why);
        free(in->driver);
        free(in->uids);
        free(in->gids);
        free(in->seccomp_cache);
}

static void add_str(json_object *o, const char *k, const char *v)
{
        json_object_object_add(o, k, v ? json_object_new_string(v) : NULL);
}

static void add_int(json_object *o, const char *k, int64_t v)
{
        json_object_object_add(o, k, json_object_new_int64(v));
}

static void add_bool(json_object *o, const char *k, bool v)
{
        json_object_object_add(o, k, json_object_new_boolean(v));
}

/* rc version's facts, podman's define.Version. */
static json_object *version_json(void)
{
        json_object *v = json_object_new_object();
        const char *os, *arch, *variant;
        char built[64], oa[64];
        time_t t = (time_t)RC_BUILT;
        struct tm tm;

        rc_platform_host(&os, &arch, &variant);
        /* Go's time.ANSIC in local time, as podman prints it */
        if (localtime_r(&t, &tm) == NULL || strftime(built, sizeof(built), "%a %b %e %H:%M:%S %Y", &tm) == 0)
                snprintf(built, sizeof(built), "%lld", (long long)RC_BUILT);
        add_str(v, "APIVersion", RC_VERSION);
        add_str(v, "Version", RC_VERSION);
        add_str(v, "GoVersion", ""); /* rc is written in C: see Compiler */
        add_str(v, "GitCommit", RC_GIT_COMMIT);
        add_str(v, "BuiltTime", built);
        add_int(v, "Built", (int64_t)RC_BUILT);
        snprintf(oa, sizeof(oa), "%s/%s", os, arch);
        add_str(v, "OsArch", oa);
        add_str(v, "Os", os);
        add_str(v, "Compiler", __VERSION__);
        return v;
}

/* podman's info object (host, store, registries, version) with rc's own
 * findings beside its fields. */
static json_object *info_json(const struct info *in)
{
        const struct rc_config *cfg = in->cfg;
        const struct host_facts *h = &in->h;
        json_object *o = json_object_new_object(), *host = json_object_new_object(), *store = json_object_new_object();
        json_object *userns = json_object_new_object(), *security = json_object_new_object(), *sec = json_object_new_object();
        json_object *dist = json_object_new_object(), *ids = json_object_new_object(), *rt = json_object_new_object();
        json_object *sock = json_object_new_object(), *cs = json_object_new_object(), *is = json_object_new_object();
        json_object *reg = json_object_new_object(), *search = json_object_new_array();
        cleanup_free char *exe = realpath("/proc/self/exe", NULL);
        char vbuf[64], up[64];
        bool v2 = strcmp(h->cgroup, "v2") == 0;
        long hours = (long)(h->uptime / 3600), mins = (long)(h->uptime / 60) % 60;

        snprintf(vbuf, sizeof(vbuf), "rc version %s", RC_VERSION);
        snprintf(up, sizeof(up), "%ldh %ldm %.2fs", hours, mins, h->uptime - (double)(hours * 3600 + mins * 60));
        /* host: podman's keys, then rc's */
        add_str(host, "arch", h->arch);
        add_str(host, "cgroupManager", h->cgroup_manager);
        add_str(host, "cgroupVersion", v2 ? "v2" : "v1");
        {
                json_object *ctl = json_object_new_array();
                cleanup_free char *copy = xstrdup(h->cgroup_controllers);
                char *save = NULL;
                for (char *c = strtok_r(copy, " ", &save); c; c = strtok_r(NULL, " ", &save))
                        json_object_array_add(ctl, json_object_new_string(c));
                json_object_object_add(host, "cgroupControllers", ctl);
        }
        add_int(host, "cpus", h->cpus);
        add_str(dist, "distribution", h->distro);
        add_str(dist, "version", h->distro_version);
        if (h->distro_codename[0])
                add_str(dist, "codename", h->distro_codename);
        json_object_object_add(host, "distribution", dist);
        add_str(host, "eventLogger", "none");
        add_str(host, "hostname", h->hostname);
        json_object_object_add(ids, "gidmap", idmap_json(in->us.mapping.gids, in->us.mapping.n_gids));
        json_object_object_add(ids, "uidmap", idmap_json(in->us.mapping.uids, in->us.mapping.n_uids));
        json_object_object_add(host, "idMappings", ids);
        add_str(host, "kernel", h->kernel);
        add_str(host, "logDriver", "rc");
        add_int(host, "memFree", h->mem_free_kib * 1024);
        add_int(host, "memTotal", h->mem_total_kib * 1024);
        add_str(host, "networkBackend", "rc (libslirp)");
        {
                json_object *net = json_object_new_object(), *dns = json_object_new_array(),
                            *fwd = json_object_new_array();
                add_str(net, "mode", cfg->network);
                add_int(net, "mtu", cfg->net_mtu);
                add_str(net, "cidr", cfg->net_cidr);
                for (size_t i = 0; cfg->net_dns && cfg->net_dns[i]; i++)
                        json_object_array_add(dns, json_object_new_string(cfg->net_dns[i]));
                for (size_t i = 0; cfg->net_dns_forward && cfg->net_dns_forward[i]; i++)
                        json_object_array_add(fwd, json_object_new_string(cfg->net_dns_forward[i]));
                json_object_object_add(net, "dns", dns);
                json_object_object_add(net, "dnsForward", fwd);
                json_object_object_add(host, "network", net);
        }
        add_str(rt, "name", "rc");
        add_str(rt, "package", "rc (the runtime is built in)");
        add_str(rt, "path", exe ? exe : "");
        add_str(rt, "version", vbuf);
        json_object_object_add(host, "ociRuntime", rt);
        add_str(host, "os", "linux");
        add_bool(sock, "exists", false);
        add_str(sock, "path", "");
        json_object_object_add(host, "remoteSocket", sock);
        add_bool(sec, "apparmorEnabled", access("/sys/kernel/security/apparmor", F_OK) == 0);
        add_str(sec, "capabilities", "CAP_CHOWN,CAP_DAC_OVERRIDE,CAP_FOWNER,CAP_FSETID,CAP_KILL,CAP_NET_BIND_SERVICE,"
                                     "CAP_SETFCAP,CAP_SETGID,CAP_SETPCAP,CAP_SETUID,CAP_SYS_CHROOT");
        add_bool(sec, "rootless", !in->us.host_root);
        add_bool(sec, "seccompEnabled", in->seccomp_ok);
        add_str(sec, "seccompProfilePath", "");
        add_bool(sec, "selinuxEnabled", access("/sys/fs/selinux/enforce", F_OK) == 0);
        json_object_object_add(host, "security", sec);
        add_bool(host, "serviceIsRemote", false);
        add_int(host, "swapFree", h->swap_free_kib * 1024);
        add_int(host, "swapTotal", h->swap_total_kib * 1024);
        add_str(host, "uptime", up);
        add_str(host, "os_name", h->os);
        add_str(host, "machine", h->machine);
        add_int(host, "mem_total_bytes", h->mem_total_kib * 1024);
        add_int(host, "mem_available_bytes", h->mem_avail_kib * 1024);
        add_str(host, "cgroup", h->cgroup);
        add_str(host, "cgroup_manager", h->cgroup_manager);
        add_str(host, "cgroup_manager_reason", h->cgroup_why);
        add_str(host, "seccomp", h->seccomp);
        add_bool(host, "dev_fuse", h->fuse);
        add_bool(host, "dev_net_tun", h->tun);
        json_object_object_add(o, "host", host);
        /* store */
        add_str(store, "configFile", cfg->path ? cfg->path : "");
        add_int(cs, "number", in->containers < 0 ? 0 : in->containers);
        add_int(cs, "paused", 0);
        add_int(cs, "running", in->running < 0 ? 0 : in->running);
        add_int(cs, "stopped", in->containers < 0 ? 0 : in->containers - in->running);
        json_object_object_add(store, "containerStore", cs);
        add_str(store, "graphDriverName", in->entered && strncmp(in->driver, "unusable", 8) ? in->driver
                                                                                            : cfg->storage_driver);
        json_object_object_add(store, "graphOptions", json_object_new_object());
        add_str(store, "graphRoot", cfg->root);
        json_object_object_add(store, "graphStatus", json_object_new_object());
        add_int(is, "number", in->images < 0 ? 0 : in->images);
        json_object_object_add(store, "imageStore", is);
        add_str(store, "runRoot", cfg->runroot);
        add_str(store, "volumePath", "");
        add_str(store, "root", cfg->root);
        add_str(store, "runroot", cfg->runroot);
        add_str(store, "driver_configured", cfg->storage_driver);
        add_str(store, "driver", in->driver);
        add_str(store, "driver_fallback_reason", in->why);
        json_object_object_add(o, "store", store);
        for (size_t i = 0; cfg->search && cfg->search[i]; i++)
                json_object_array_add(search, json_object_new_string(cfg->search[i]));
        json_object_object_add(reg, "search", search);
        json_object_object_add(o, "registries", reg);
        json_object_object_add(o, "version", version_json());
        /* rc's own */
        add_str(o, "config_file", cfg->path);
        add_str(userns, "error", in->userns_err ? in->userns_err->msg : NULL);
        add_bool(userns, "host_root", in->us.host_root);
        json_object_object_add(userns, "uid_map", idmap_json(in->us.mapping.uids, in->us.mapping.n_uids));
        json_object_object_add(userns, "gid_map", idmap_json(in->us.mapping.gids, in->us.mapping.n_gids));
        add_bool(userns, "pause", cfg->pause);
        add_int(userns, "pause_pid", in->us.pause_pid);
        add_bool(userns, "pause_started", in->us.created && in->us.pause_pid);
        json_object_object_add(o, "userns", userns);
        add_str(security, "seccomp_profile", in->seccomp_ok ? "default" : "unavailable");
        add_str(security, "seccomp_cache", in->seccomp_cache);
        add_int(security, "seccomp_cached_filters", seccomp_cached(in->seccomp_cache));
        add_bool(security, "no_new_privileges", true);
        json_object_object_add(o, "security", security);
        json_object_object_add(o, "components", components_json(in->comp, in->n_comp));
        return o;
}

/* Go field names of podman's info that differ from its JSON keys by more
 * than case. */
static const char *const info_aliases[] = { "CgroupsVersion", "cgroupVersion", "CGroupsVersion", "cgroupVersion",
                                            NULL };
static const char *const info_maps[] = { "graphOptions", "graphStatus", "GraphOptions", "GraphStatus", NULL };
static const struct rc_template_opts info_opts = {
        .name = "info", .type_name = "define.Info", .aliases = info_aliases, .maps = info_maps, .fold_case = true,
};

static void info_text(const struct info *in)
{
        const struct rc_config *cfg = in->cfg;
        const struct host_facts h = in->h;
        const struct rc_userns_state us = in->us;
        const rc_error *userns_err = in->userns_err;
        const char *driver = in->driver, *why = in->why, *uids = in->uids, *gids = in->gids;
        const char *seccomp_cache = in->seccomp_cache;
        bool seccomp_ok = in->seccomp_ok;

        printf("rc:\n  version: %s\n  config file: %s\n", RC_VERSION,
               cfg->path ? cfg->path : "none (built-in defaults)");
        printf("host:\n  os: %s\n  kernel: %s\n  arch: %s (%s)\n  cpus: %ld\n", h.os, h.kernel, h.arch,
               h.machine, h.cpus);
        if (h.mem_total_kib > 0)
                printf("  memory: %.1f GiB, %.1f GiB available\n", h.mem_total_kib / 1048576.0,
                       h.mem_avail_kib / 1048576.0);
        printf("  cgroup: %s\n  cgroup manager: %s: %s\n  cgroup controllers: %s\n  seccomp: %s\n", h.cgroup,
               h.cgroup_manager, h.cgroup_why, h.cgroup_controllers[0] ? h.cgroup_controllers : "none", h.seccomp);
        printf("  /dev/fuse: %s\n  /dev/net/tun: %s\n", h.fuse ? "usable" : "not usable",
               h.tun ? "usable" : "not usable (the default network cannot start: containers get --network none or host only)");
        printf("network:\n  mode: %s\n  mtu: %u\n  cidr: %s\n", cfg->network, cfg->net_mtu, cfg->net_cidr);
        if (cfg->net_dns && cfg->net_dns[0]) {
                printf("  dns:");
                for (size_t i = 0; cfg->net_dns[i]; i++)
                        printf(" %s", cfg->net_dns[i]);
                printf(" (written into containers' resolv.conf)\n");
        } else {
                printf("  dns: the forwarder at .3 of the subnet (user-mode network)\n");
        }
        if (cfg->net_dns_forward && cfg->net_dns_forward[0]) {
                printf("  dns forwarded to:");
                for (size_t i = 0; cfg->net_dns_forward[i]; i++)
                        printf(" %s", cfg->net_dns_forward[i]);
                printf("\n");
        } else {
                printf("  dns forwarded to: the host's /etc/resolv.conf servers\n");
        }
        printf("store:\n  root: %s\n  runroot: %s\n", cfg->root, cfg->runroot);
        if (strcmp(cfg->storage_driver, "auto") == 0)
                printf("  driver: %s (chosen automatically)\n", driver);
        else if (strcmp(cfg->storage_driver, driver) == 0)
                printf("  driver: %s (configured)\n", driver);
        else
                printf("  driver: %s (configured): %s\n", cfg->storage_driver, driver);
        if (why)
                printf("  driver fallback reason: %s\n", why);
        printf("userns:\n");
        if (userns_err)
                printf("  error: %s\n", userns_err->msg);
        else if (us.host_root)
                printf("  rc runs as root: host ids, no user namespace of its own\n");
        else {
                printf("  uid map: %s\n  gid map: %s\n", uids, gids);
                if (!cfg->pause)
                        printf("  pause process: disabled ([userns] pause = false)\n");
                else
                        printf("  pause process: pid %d%s\n", (int)us.pause_pid,
                               us.created ? " (started now)" : "");
        }
        printf("security:\n");
        if (seccomp_ok)
                printf("  seccomp filter: rc's default profile in every container, EPERM for what it denies\n"
                       "    (rc run --security-opt seccomp=unconfined|PROFILE.json to change)\n"
                       "  seccomp cache: %s (%d compiled filters)\n",
                       seccomp_cache, seccomp_cached(seccomp_cache));
        else
                printf("  seccomp filter: unavailable, the kernel has no seccomp: containers need\n"
                       "    rc run --security-opt seccomp=unconfined\n");
        printf("  no_new_privileges: always\n");
        components_print(in->comp, in->n_comp);
}

int cmd_info(struct rc_cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                { "format", required_argument, NULL, 'f' },
                { "debug", no_argument, NULL, 'D' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        const char *format = NULL;
        struct info in;
        rc_error *err = NULL;
        int c, status = 0;

        while ((c = rc_cli_getopt("info", argc, argv, "f:Dh", opts)) != -1) {
                switch (c) {
                case 'f':
                        format = optarg;
                        break;
                case 'D':
                        break; /* podman's no-op --debug */
                case 'h':
                        info_usage(stdout);
                        return 0;
                default:
                        return 125;
                }
        }
        if (optind < argc)
                return rc_cli_usage_error("info", "`rc info` takes no arguments");
        info_gather(&cli->cfg, &in);
        if (format && strcmp(format, "text") == 0) {
                info_text(&in);
        } else {
                json_object *o = info_json(&in);
                if (format == NULL) {
                        /* podman's default: the report as YAML */
                        char *yaml = rc_format_yaml(o);
                        fputs(yaml, stdout);
                        free(yaml);
                } else if (rc_format_is_json(format))
                        printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                                              JSON_C_TO_STRING_NOSLASHESCAPE));
                else if (rc_format_object(stdout, format, o, &info_opts, 0, &err) < 0)
                        status = rc_cli_fail(err);
                json_object_put(o);
        }
        info_free(&in);
        return status;
}

/* ---- rc version ---- */

static const struct rc_template_opts version_opts = { .name = "version", .type_name = "entities.SystemVersionReport",
                                                      .fold_case = true };

#define VERSION_FORMAT                                                                                               \
        "{{with .Client}}Client:\t{{.Name}}\nVersion:\t{{.Version}}\nAPI Version:\t{{.APIVersion}}\n"            \
        "{{if .GitCommit}}Git Commit:\t{{.GitCommit}}\n{{end}}Built:\t{{.BuiltTime}}\nOS/Arch:\t{{.OsArch}}\n{{end}}"

int cmd_version(struct rc_cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                { "format", required_argument, NULL, 'f' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        const char *format = NULL;
        json_object *report, *client;
        rc_error *err = NULL;
        int c, status = 0;

        (void)cli;
        while ((c = rc_cli_getopt("version", argc, argv, "f:h", opts)) != -1) {
                switch (c) {
                case 'f':
                        format = optarg;
                        break;
                case 'h':
                        printf("Display the rc version information\n\n"
                               "Usage:\n"
                               "  rc version [options]\n\n"
                               "Options:\n"
                               "  -f, --format FORMAT   Change the output format to JSON or a Go template\n");
                        return 0;
                default:
                        return 125;
                }
        }
        if (optind < argc)
                return rc_cli_usage_error("version", "`rc version` takes no arguments");
        /* podman's report: a Client (and a Server for a remote engine, which rc has not) */
        report = json_object_new_object();
        client = version_json();
        json_object_object_add(report, "Client", client);
        if (rc_format_is_json(format)) {
                printf("%s\n", json_object_to_json_string_ext(report, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        } else if (format) {
                /* podman falls back to the client for old ".Server." templates */
                if (rc_format_object(stdout, format, report, &version_opts, 0, &err) < 0)
                        status = rc_cli_fail(err);
        } else {
                json_object *data = NULL;
                char *text = NULL, *aligned;
                size_t len = 0;
                struct rc_template *t = NULL;
                json_object_deep_copy(report, &data, NULL);
                json_object_object_add(json_object_object_get(data, "Client"), "Name", json_object_new_string("rc"));
                /* the columns aligned as podman's tabwriter aligns them */
                if (rc_template_parse(VERSION_FORMAT, &version_opts, &t, &err) < 0 ||
                    rc_template_execute(t, data, false, &text, &len, &err) < 0) {
                        status = rc_cli_fail(err);
                } else {
                        aligned = rc_tabwriter_format(text, len, RC_TABLE_MINWIDTH, RC_TABLE_PADDING);
                        fputs(aligned, stdout);
                        free(aligned);
                }
                free(text);
                rc_template_free(t);
                json_object_put(data);
        }
        json_object_put(report);
        return status;
}
