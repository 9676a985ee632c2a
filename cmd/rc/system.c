/* rc info, rc system check|migrate (and the hidden rc system userns-probe,
 * which system tests use to look inside rc's user namespace). */
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

#include "check/check.h"
#include "mount/mount.h"
#include "rc.h"
#include "userns/userns.h"
#include "util/fs.h"
#include "util/xalloc.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

static void json_print(json_object *o)
{
        puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(o);
}

/* --format: "json" or the default text. */
static int parse_format(const char *cmd, const char *v, bool *json)
{
        if (strcmp(v, "json") == 0)
                *json = true;
        else if (strcmp(v, "text") == 0)
                *json = false;
        else
                return rc_cli_usage_error(cmd, "--format '%s': use json or text", v);
        return 0;
}

/* ---- rc system check ---- */

static void check_usage(FILE *out)
{
        fprintf(out, "Usage: rc system check [--format json]\n\n"
                     "Check that this host and user are set up for rootless containers: user\n"
                     "namespaces, subordinate ids, newuidmap/newgidmap, storage, devices, cgroups,\n"
                     "systemd, sysctls and DNS.  Every problem comes with the command that fixes it\n"
                     "and whether that command needs root.\n\n"
                     "Exit status: 0 if nothing FAILs (warnings allowed), 1 otherwise.\n\n"
                     "Options:\n"
                     "  --format json   print the results as a JSON array\n"
                     "  -h, --help      show this help\n");
}

static const char *color(enum rc_check_status s, bool on)
{
        static const char *const c[] = { "\033[32m", "\033[36m", "\033[33m", "\033[1;31m", "\033[2m" };
        return on ? c[s] : "";
}

static int system_check(struct rc_cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                { "format", required_argument, NULL, 'f' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        struct rc_check_context ctx;
        struct rc_check_result *res;
        cleanup_free char *name = NULL;
        size_t n, count[5] = { 0 };
        bool json = false, tty;
        int c;

        while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
                switch (c) {
                case 'f':
                        if (parse_format("system check", optarg, &json) != 0)
                                return 125;
                        break;
                case 'h':
                        check_usage(stdout);
                        return 0;
                default:
                        return rc_cli_usage_error("system check", "invalid option");
                }
        }
        if (optind < argc)
                return rc_cli_usage_error("system check", "unexpected argument '%s'", argv[optind]);
        rc_check_context_init(&ctx, &cli->cfg, &name);
        rc_check_run_all(&ctx, &res, &n);
        for (size_t i = 0; i < n; i++)
                count[res[i].status]++;
        if (json) {
                json_object *arr = json_object_new_array();
                for (size_t i = 0; i < n; i++) {
                        json_object *o = json_object_new_object();
                        char status[8];
                        snprintf(status, sizeof(status), "%s", rc_check_status_name(res[i].status));
                        for (char *p = status; *p; p++)
                                *p = (char)(*p - 'A' + 'a');
                        json_object_object_add(o, "id", json_object_new_string(res[i].id));
                        json_object_object_add(o, "title", json_object_new_string(res[i].title));
                        json_object_object_add(o, "status", json_object_new_string(status));
                        json_object_object_add(o, "detail", json_object_new_string(res[i].detail));
                        json_object_object_add(o, "fix", res[i].fix ? json_object_new_string(res[i].fix) : NULL);
                        json_object_object_add(o, "fix_needs_root", json_object_new_boolean(res[i].fix_needs_root));
                        json_object_array_add(arr, o);
                }
                json_print(arr);
        } else {
                const char *tag[] = { "[ OK ]", "[INFO]", "[WARN]", "[FAIL]", "[SKIP]" };
                const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");
                tty = isatty(STDOUT_FILENO) && (nc == NULL || *nc == '\0') && !(term && strcmp(term, "dumb") == 0);
                for (size_t i = 0; i < n; i++) {
                        printf("%s%s%s %s: %s\n", color(res[i].status, tty), tag[res[i].status], tty ? "\033[0m" : "",
                               res[i].title, res[i].detail);
                        if (res[i].fix)
                                printf("       fix%s: %s\n", res[i].fix_needs_root ? " (needs root)" : "",
                                       res[i].fix);
                }
                printf("\n");
                if (count[RC_CHECK_FAIL])
                        printf("%zu problem%s must be fixed before rc can run containers", count[RC_CHECK_FAIL],
                               count[RC_CHECK_FAIL] == 1 ? "" : "s");
                else
                        printf("rc can run rootless containers here");
                if (count[RC_CHECK_WARN])
                        printf("%s%zu warning%s", count[RC_CHECK_FAIL] ? "; " : " (", count[RC_CHECK_WARN],
                               count[RC_CHECK_WARN] == 1 ? "" : "s");
                printf("%s.\n", count[RC_CHECK_WARN] && !count[RC_CHECK_FAIL] ? ")" : "");
        }
        rc_check_results_free(res, n);
        return count[RC_CHECK_FAIL] ? 1 : 0;
}

/* ---- rc info ---- */

struct host_facts {
        char *os, *kernel, *machine, *arch;
        long cpus;
        long long mem_total_kib, mem_avail_kib;
        const char *cgroup;         /* "v2", "v1/v2 hybrid", "v1" */
        const char *cgroup_manager; /* "systemd", "cgroupfs", "none" */
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

static char *os_name(void)
{
        cleanup_free char *text = NULL;
        char *save = NULL;

        if (rc_read_file("/etc/os-release", &text, NULL, NULL) < 0)
                return xstrdup("unknown");
        for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                if (strncmp(l, "PRETTY_NAME=", 12) == 0) {
                        char *v = l + 12;
                        size_t len = strlen(v);
                        if (len >= 2 && (*v == '"' || *v == '\'') && v[len - 1] == *v)
                                return xstrndup(v + 1, len - 2);
                        return xstrdup(v);
                }
        }
        return xstrdup("unknown");
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

static void host_facts(struct host_facts *h)
{
        cleanup_free char *mem = NULL, *status = NULL, *bus = NULL;
        const char *xdg = getenv("XDG_RUNTIME_DIR");
        struct utsname u;
        struct statfs sf;
        struct stat st;
        const char *s;

        memset(h, 0, sizeof(*h));
        uname(&u);
        h->os = os_name();
        h->kernel = xstrdup(u.release);
        h->machine = xstrdup(u.machine);
        h->arch = xstrdup(oci_arch(u.machine));
        h->cpus = sysconf(_SC_NPROCESSORS_ONLN);
        if (rc_read_file("/proc/meminfo", &mem, NULL, NULL) == 0) {
                h->mem_total_kib = meminfo(mem, "MemTotal:");
                h->mem_avail_kib = meminfo(mem, "MemAvailable:");
        }
        if (statfs("/sys/fs/cgroup", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC)
                h->cgroup = "v2";
        else if (statfs("/sys/fs/cgroup/unified", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC)
                h->cgroup = "v1/v2 hybrid (resource limits unavailable)";
        else
                h->cgroup = "v1 (resource limits unavailable)";
        bus = xdg ? xasprintf("%s/bus", xdg) : NULL;
        if (strcmp(h->cgroup, "v2") != 0)
                h->cgroup_manager = "none";
        else if (bus && stat(bus, &st) == 0 && stat("/run/systemd/system", &st) == 0)
                h->cgroup_manager = "systemd";
        else
                h->cgroup_manager = "cgroupfs";
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
}

static void info_usage(FILE *out)
{
        fprintf(out, "Usage: rc info [--format json]\n\n"
                     "Show how rc is set up here: version, host, configuration, storage, the user\n"
                     "namespace (id mappings, pause process) and kernel features.  Starts the pause\n"
                     "process if it is not running.  For problems and their fixes: rc system check.\n\n"
                     "Options:\n"
                     "  --format json   print JSON\n"
                     "  -h, --help      show this help\n");
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

int cmd_info(struct rc_cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                { "format", required_argument, NULL, 'f' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        const struct rc_config *cfg = &cli->cfg;
        struct rc_userns_state us = { 0 };
        cleanup_error rc_error *userns_err = NULL;
        cleanup_error rc_error *storage_err = NULL;
        cleanup_free char *why = NULL, *driver = NULL, *uids = NULL, *gids = NULL, *seccomp_cache = NULL;
        struct host_facts h;
        struct rc_component *comp = NULL;
        size_t n_comp = 0;
        bool json = false, entered, seccomp_ok;
        int c;

        while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
                switch (c) {
                case 'f':
                        if (parse_format("info", optarg, &json) != 0)
                                return 125;
                        break;
                case 'h':
                        info_usage(stdout);
                        return 0;
                default:
                        return rc_cli_usage_error("info", "invalid option");
                }
        }
        if (optind < argc)
                return rc_cli_usage_error("info", "unexpected argument '%s'", argv[optind]);
        host_facts(&h);
        rc_components_probe(&comp, &n_comp);
        /* the storage choice is made inside the user namespace, as rc run makes it */
        entered = rc_userns_enter(cfg, &us, &userns_err) == 0;
        if (!entered)
                driver = xstrdup("unknown (needs the user namespace, see above)");
        else {
                enum rc_storage_driver d;
                if (rc_storage_select(cfg, &d, &why, &storage_err) == 0)
                        driver = xstrdup(rc_storage_driver_name(d));
                else
                        driver = xasprintf("unusable: %s", storage_err->msg);
        }
        seccomp_ok = strncmp(h.seccomp, "supported", 9) == 0;
        seccomp_cache = xasprintf("%s/seccomp", cfg->runroot);
        uids = rc_idmap_format(us.mapping.uids, us.mapping.n_uids);
        gids = rc_idmap_format(us.mapping.gids, us.mapping.n_gids);
        if (json) {
                json_object *o = json_object_new_object(), *host = json_object_new_object();
                json_object *store = json_object_new_object(), *userns = json_object_new_object(), *security;

                json_object_object_add(o, "version", json_object_new_string(RC_VERSION));
                json_object_object_add(o, "config_file", cfg->path ? json_object_new_string(cfg->path) : NULL);
                json_object_object_add(host, "os", json_object_new_string(h.os));
                json_object_object_add(host, "kernel", json_object_new_string(h.kernel));
                json_object_object_add(host, "arch", json_object_new_string(h.arch));
                json_object_object_add(host, "cpus", json_object_new_int64(h.cpus));
                json_object_object_add(host, "mem_total_bytes", json_object_new_int64(h.mem_total_kib * 1024));
                json_object_object_add(host, "mem_available_bytes", json_object_new_int64(h.mem_avail_kib * 1024));
                json_object_object_add(host, "cgroup", json_object_new_string(h.cgroup));
                json_object_object_add(host, "cgroup_manager", json_object_new_string(h.cgroup_manager));
                json_object_object_add(host, "seccomp", json_object_new_string(h.seccomp));
                json_object_object_add(host, "dev_fuse", json_object_new_boolean(h.fuse));
                json_object_object_add(host, "dev_net_tun", json_object_new_boolean(h.tun));
                json_object_object_add(o, "host", host);
                json_object_object_add(store, "root", json_object_new_string(cfg->root));
                json_object_object_add(store, "runroot", json_object_new_string(cfg->runroot));
                json_object_object_add(store, "driver_configured", json_object_new_string(cfg->storage_driver));
                json_object_object_add(store, "driver", json_object_new_string(driver));
                json_object_object_add(store, "driver_fallback_reason", why ? json_object_new_string(why) : NULL);
                json_object_object_add(o, "store", store);
                json_object_object_add(userns, "error", userns_err ? json_object_new_string(userns_err->msg) : NULL);
                json_object_object_add(userns, "host_root", json_object_new_boolean(us.host_root));
                json_object_object_add(userns, "uid_map", idmap_json(us.mapping.uids, us.mapping.n_uids));
                json_object_object_add(userns, "gid_map", idmap_json(us.mapping.gids, us.mapping.n_gids));
                json_object_object_add(userns, "pause", json_object_new_boolean(cfg->pause));
                json_object_object_add(userns, "pause_pid", json_object_new_int(us.pause_pid));
                json_object_object_add(userns, "pause_started", json_object_new_boolean(us.created && us.pause_pid));
                json_object_object_add(o, "userns", userns);
                security = json_object_new_object();
                json_object_object_add(security, "seccomp_profile",
                                       json_object_new_string(seccomp_ok ? "default" : "unavailable"));
                json_object_object_add(security, "seccomp_cache", json_object_new_string(seccomp_cache));
                json_object_object_add(security, "seccomp_cached_filters",
                                       json_object_new_int(seccomp_cached(seccomp_cache)));
                json_object_object_add(security, "no_new_privileges", json_object_new_boolean(1));
                json_object_object_add(o, "security", security);
                json_object_object_add(o, "components", components_json(comp, n_comp));
                json_print(o);
        } else {
                printf("rc:\n  version: %s\n  config file: %s\n", RC_VERSION,
                       cfg->path ? cfg->path : "none (built-in defaults)");
                printf("host:\n  os: %s\n  kernel: %s\n  arch: %s (%s)\n  cpus: %ld\n", h.os, h.kernel, h.arch,
                       h.machine, h.cpus);
                if (h.mem_total_kib > 0)
                        printf("  memory: %.1f GiB, %.1f GiB available\n", h.mem_total_kib / 1048576.0,
                               h.mem_avail_kib / 1048576.0);
                printf("  cgroup: %s\n  cgroup manager: %s\n  seccomp: %s\n", h.cgroup, h.cgroup_manager, h.seccomp);
                printf("  /dev/fuse: %s\n  /dev/net/tun: %s\n", h.fuse ? "usable" : "not usable",
                       h.tun ? "usable" : "not usable (containers get --network none or host only)");
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
                components_print(comp, n_comp);
        }
        rc_components_free(comp, n_comp);
        host_facts_free(&h);
        rc_userns_state_free(&us);
        return 0;
}

/* ---- rc system migrate ---- */

static int system_migrate(struct rc_cli *cli, int argc, char **argv)
{
        struct rc_userns_state st;
        rc_error *err = NULL;

        if (rc_cli_wants_help(argc, argv)) {
                printf("Usage: rc system migrate\n\n"
                       "Stop rc's pause process, so that the next rc command creates a user namespace\n"
                       "with the subordinate ids configured now.  Running containers keep their\n"
                       "namespaces.\n");
                return 0;
        }
        if (argc > 1)
                return rc_cli_usage_error("system migrate", "unexpected argument '%s'", argv[1]);
        if (rc_userns_status(&cli->cfg, &st, &err) < 0 || rc_userns_stop_pause(&cli->cfg, &err) < 0)
                return rc_cli_fail(err);
        if (st.pause_pid)
                printf("stopped the pause process %d\n", (int)st.pause_pid);
        else
                printf("no pause process was running\n");
        rc_userns_state_free(&st);
        return 0;
}

/* ---- rc system userns-probe (hidden, for tests) ---- */

static int system_userns_probe(struct rc_cli *cli, int argc, char **argv)
{
        struct rc_userns_state st;
        struct timespec t0, t1;
        rc_error *err = NULL;
        cleanup_free char *uid_map = NULL, *gid_map = NULL;
        int i = 1;

        if (i < argc && strcmp(argv[i], "--no-pause") == 0) {
                cli->cfg.pause = false;
                i++;
        }
        if (i < argc && strcmp(argv[i], "--") == 0)
                i++;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        if (rc_userns_enter(&cli->cfg, &st, &err) < 0)
                return rc_cli_fail(err);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (i < argc) {
                rc_userns_state_free(&st);
                fflush(stdout);
                execvp(argv[i], argv + i);
                fprintf(stderr, "rc: %s: %s\n", argv[i], strerror(errno));
                return errno == ENOENT ? 127 : 126;
        }
        if (rc_read_file("/proc/self/uid_map", &uid_map, NULL, &err) < 0 ||
            rc_read_file("/proc/self/gid_map", &gid_map, NULL, &err) < 0)
                return rc_cli_fail(err);
        printf("mode: %s\npause-pid: %d\nenter-ms: %.3f\nuid: %d\nuid_map:\n%sgid_map:\n%s",
               st.host_root ? "host-root" : st.pause_pid ? (st.created ? "created-pause" : "joined-pause") : "private",
               (int)st.pause_pid, (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6, (int)getuid(),
               uid_map, gid_map);
        rc_userns_state_free(&st);
        return 0;
}

/* ---- rc system ---- */

static void system_usage(FILE *out)
{
        fprintf(out, "Usage: rc system COMMAND\n\n"
                     "Commands:\n"
                     "  check     check this host for rootless containers and say how to fix problems\n"
                     "  info      same as 'rc info'\n"
                     "  migrate   stop the pause process (after changing /etc/subuid or /etc/subgid)\n\n"
                     "Run 'rc system COMMAND --help' for a command's options.\n");
}

int cmd_system(struct rc_cli *cli, int argc, char **argv)
{
        static const struct {
                const char *name;
                int (*fn)(struct rc_cli *, int, char **);
        } sub[] = {
                { "check", system_check },
                { "info", cmd_info },
                { "migrate", system_migrate },
                { "userns-probe", system_userns_probe },
        };

        if (argc < 2) {
                system_usage(stderr);
                return 125;
        }
        if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
                system_usage(stdout);
                return 0;
        }
        for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
                if (strcmp(argv[1], sub[i].name) == 0) {
                        optind = 0;
                        return sub[i].fn(cli, argc - 1, argv + 1);
                }
        }
        return rc_cli_usage_error("system", "unknown command 'system %s'", argv[1]);
}
