#include "config/config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/xalloc.h"

static void set_str(char **field, const char *value)
{
        free(*field);
        *field = xstrdup(value);
}

/* $XDG_RUNTIME_DIR/rc if XDG_RUNTIME_DIR is set and is our own private dir,
 * else /tmp/rc-UID (checked for ownership and mode when it is created). */
static char *default_runroot(void)
{
        const char *xdg = getenv("XDG_RUNTIME_DIR");
        struct stat st;

        if (xdg && *xdg && stat(xdg, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == getuid() &&
            access(xdg, W_OK) == 0)
                return xasprintf("%s/rc", xdg);
        return xasprintf("/tmp/rc-%u", (unsigned)getuid());
}

int rc_config_defaults(struct rc_config *cfg, rc_error **err)
{
        const char *data = getenv("XDG_DATA_HOME");
        const char *home = getenv("HOME");

        memset(cfg, 0, sizeof(*cfg));
        if (data && *data)
                cfg->root = xasprintf("%s/rc", data);
        else if (home && *home)
                cfg->root = xasprintf("%s/.local/share/rc", home);
        else
                return rc_error_set(err, 0, "neither XDG_DATA_HOME nor HOME is set: set one, or pass --root DIR");
        cfg->runroot = default_runroot();
        cfg->storage_driver = xstrdup("auto");
        cfg->fuse_overlayfs = xstrdup("fuse-overlayfs");
        cfg->subuid_file = xstrdup("/etc/subuid");
        cfg->subgid_file = xstrdup("/etc/subgid");
        cfg->newuidmap = xstrdup("newuidmap");
        cfg->newgidmap = xstrdup("newgidmap");
        cfg->pause = true;
        cfg->network = xstrdup("slirp");
        cfg->net_mtu = 65520;
        cfg->net_cidr = xstrdup("10.0.2.0/24");
        cfg->net_dns = xcalloc(1, sizeof(char *));
        cfg->net_dns_forward = xcalloc(1, sizeof(char *));
        cfg->cgroup_manager = xstrdup("auto");
        cfg->search = xcalloc(1, sizeof(char *));
        strv_push(&cfg->search, "docker.io");
        cfg->insecure = xcalloc(1, sizeof(char *));
        cfg->parallel_downloads = 6;
        cfg->mirrors = xcalloc(1, sizeof(char *));
        return 0;
}

struct parse_state {
        struct rc_config *cfg;
        char *bad; /* first problem found */
};

static int parse_bool(const char *v, bool *out)
{
        if (!strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "1") || !strcmp(v, "on"))
                *out = true;
        else if (!strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "0") || !strcmp(v, "off"))
                *out = false;
        else
                return -1;
        return 0;
}

/* "a, b ,c" -> {"a", "b", "c"} */
static char **split_list(const char *value)
{
        cleanup_free char *copy = xstrdup(value);
        char **list = xcalloc(1, sizeof(char *));
        char *save = NULL;

        for (char *t = strtok_r(copy, ", \t", &save); t; t = strtok_r(NULL, ", \t", &save))
                strv_push(&list, t);
        return list;
}

char **rc_config_mirrors_for(const struct rc_config *cfg, const char *registry)
{
        char **out = xcalloc(1, sizeof(char *));
        size_t len = strlen(registry);

        for (size_t i = 0; cfg->mirrors && cfg->mirrors[i]; i++)
                if (strncmp(cfg->mirrors[i], registry, len) == 0 && cfg->mirrors[i][len] == '=')
                        strv_push(&out, cfg->mirrors[i] + len + 1);
        return out;
}

static int on_key(void *user, const char *section, const char *name, const char *value)
{
        struct parse_state *st = user;
        struct rc_config *c = st->cfg;
        static const struct {
                const char *section, *name;
                size_t offset;
        } strings[] = {
                { "storage", "root", offsetof(struct rc_config, root) },
                { "storage", "runroot", offsetof(struct rc_config, runroot) },
                { "storage", "driver", offsetof(struct rc_config, storage_driver) },
                { "storage", "fuse_overlayfs", offsetof(struct rc_config, fuse_overlayfs) },
                { "userns", "subuid_file", offsetof(struct rc_config, subuid_file) },
                { "userns", "subgid_file", offsetof(struct rc_config, subgid_file) },
                { "userns", "newuidmap", offsetof(struct rc_config, newuidmap) },
                { "userns", "newgidmap", offsetof(struct rc_config, newgidmap) },
                { "containers", "network", offsetof(struct rc_config, network) },
                { "network", "mode", offsetof(struct rc_config, network) },
                { "network", "cidr", offsetof(struct rc_config, net_cidr) },
                { "cgroups", "manager", offsetof(struct rc_config, cgroup_manager) },
        };

        if (st->bad)
                return 1;
        for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
                if (strcmp(section, strings[i].section) || strcmp(name, strings[i].name))
                        continue;
                if (*value == '\0') {
                        st->bad = xasprintf("[%s] %s is empty", section, name);
                        return 1;
                }
                set_str((char **)((char *)c + strings[i].offset), value);
                return 1;
        }
        if (!strcmp(section, "registries") && (!strcmp(name, "search") || !strcmp(name, "insecure"))) {
                char ***field = !strcmp(name, "search") ? &c->search : &c->insecure;
                strv_free(*field);
                *field = split_list(value);
                return 1;
        }
        if (!strcmp(section, "mirrors")) {
                cleanup_strv char **list = split_list(value);
                for (size_t i = 0; list[i]; i++) {
                        cleanup_free char *entry = xasprintf("%s=%s", name, list[i]);
                        strv_push(&c->mirrors, entry);
                }
                return 1;
        }
        if (!strcmp(section, "registries") && !strcmp(name, "parallel_downloads")) {
                char *end;
                long v = strtol(value, &end, 10);
                if (end == value || *end != '\0' || v < 1 || v > 32)
                        st->bad = xasprintf("[registries] parallel_downloads must be a number from 1 to 32, not '%s'",
                                            value);
                else
                        c->parallel_downloads = (int)v;
                return 1;
        }
        if (!strcmp(section, "storage") && !strcmp(name, "max_layer_size")) {
                if (rc_config_parse_size(value, &c->max_layer_size) < 0)
                        st->bad = xasprintf("[storage] max_layer_size must be a size such as 500m, 10g or 0 (no "
                                            "limit), not '%s'",
                                            value);
                return 1;
        }
        if (!strcmp(section, "network") && !strcmp(name, "dns")) {
                strv_free(c->net_dns);
                c->net_dns = split_list(value);
                for (size_t i = 0; c->net_dns[i]; i++) {
                        struct in6_addr a;
                        if (inet_pton(AF_INET, c->net_dns[i], &a) != 1 && inet_pton(AF_INET6, c->net_dns[i], &a) != 1)
                                st->bad = xasprintf("[network] dns: '%s' is not an IP address", c->net_dns[i]);
                }
                return 1;
        }
        if (!strcmp(section, "network") && !strcmp(name, "dns_forward")) {
                strv_free(c->net_dns_forward);
                c->net_dns_forward = split_list(value);
                for (size_t i = 0; c->net_dns_forward[i]; i++) {
                        cleanup_free char *ip = xstrdup(c->net_dns_forward[i]);
                        char *colon = strchr(ip, ':'), *end = NULL;
                        struct in_addr a;
                        long port = 53;
                        if (colon) {
                                *colon = '\0';
                                port = strtol(colon + 1, &end, 10);
                        }
                        if (inet_pton(AF_INET, ip, &a) != 1 || (colon && (end == colon + 1 || *end || port < 1 ||
                                                                          port > 65535)) ||
                            i >= 3)
                                st->bad = xasprintf("[network] dns_forward: '%s' is not IPv4[:PORT] (at most 3)",
                                                    c->net_dns_forward[i]);
                }
                return 1;
        }
        if (!strcmp(section, "network") && !strcmp(name, "mtu")) {
                char *end;
                long v = strtol(value, &end, 10);
                if (end == value || *end != '\0' || v < 1280 || v > 65521)
                        st->bad = xasprintf("[network] mtu must be a number from 1280 to 65521, not '%s'", value);
                else
                        c->net_mtu = (unsigned)v;
                return 1;
        }
        if (!strcmp(section, "userns") && !strcmp(name, "pause")) {
                if (parse_bool(value, &c->pause) < 0)
                        st->bad = xasprintf("[userns] pause must be true or false, not '%s'", value);
                return 1;
        }
        st->bad = xasprintf("unknown key '%s' in section [%s] (see rootless.conf.example)", name, section);
        return 1;
}

static int validate(struct rc_config *c, rc_error **err)
{
        static const char *const drivers[] = { "auto", "overlay", "fuse-overlayfs", "vfs" };
        bool ok = false;

        for (size_t i = 0; i < 4; i++)
                ok |= strcmp(c->storage_driver, drivers[i]) == 0;
        if (!ok)
                return rc_error_set(err, 0, "[storage] driver '%s' is not one of auto, overlay, fuse-overlayfs, vfs",
                                    c->storage_driver);
        if (strcmp(c->network, "none") && strcmp(c->network, "host") && strcmp(c->network, "slirp") &&
            strcmp(c->network, "slirp4netns"))
                return rc_error_set(err, 0, "[network] mode '%s' is not one of slirp, none, host", c->network);
        {
                cleanup_free char *net = xstrdup(c->net_cidr);
                char *slash = strchr(net, '/');
                struct in_addr a;
                if (slash == NULL || (*slash = '\0', inet_pton(AF_INET, net, &a) != 1))
                        return rc_error_set(err, 0, "[network] cidr '%s' is not a subnet such as 10.0.2.0/24",
                                            c->net_cidr);
        }
        if (strcmp(c->cgroup_manager, "auto") && strcmp(c->cgroup_manager, "systemd") &&
            strcmp(c->cgroup_manager, "cgroupfs") && strcmp(c->cgroup_manager, "none"))
                return rc_error_set(err, 0, "[cgroups] manager '%s' is not one of auto, systemd, cgroupfs, none",
                                    c->cgroup_manager);
        if (c->root[0] != '/' || c->runroot[0] != '/')
                return rc_error_set(err, 0, "[storage] root and runroot must be absolute paths");
        return 0;
}

static int load(struct rc_config *cfg, const char *explicit_path, rc_error **err);

int rc_config_load(struct rc_config *cfg, const char *explicit_path, rc_error **err)
{
        if (load(cfg, explicit_path, err) < 0) {
                rc_config_free(cfg);
                return -1;
        }
        return 0;
}

static int load(struct rc_config *cfg, const char *explicit_path, rc_error **err)
{
        cleanup_free char *xdg_path = NULL;
        const char *candidates[3];
        const char *path = NULL;
        struct parse_state st = { .cfg = cfg };
        cleanup_fclose FILE *f = NULL;
        int r;

        if (rc_config_defaults(cfg, err) < 0)
                return -1;
        if (explicit_path) {
                path = explicit_path;
        } else {
                const char *env = getenv("RC_CONFIG");
                const char *xdg = getenv("XDG_CONFIG_HOME");
                const char *home = getenv("HOME");
                size_t n = 0;

                if (env && *env) {
                        path = env;
                        explicit_path = env;
                } else {
                        if (xdg && *xdg)
                                xdg_path = xasprintf("%s/rc/rootless.conf", xdg);
                        else if (home && *home)
                                xdg_path = xasprintf("%s/.config/rc/rootless.conf", home);
                        if (xdg_path)
                                candidates[n++] = xdg_path;
                        candidates[n++] = "/etc/rc/rootless.conf";
                        for (size_t i = 0; i < n && !path; i++)
                                if (access(candidates[i], F_OK) == 0)
                                        path = candidates[i];
                }
        }
        if (path == NULL)
                return validate(cfg, err);
        f = fopen(path, "re");
        if (f == NULL) {
                if (errno == ENOENT && !explicit_path)
                        return validate(cfg, err);
                return rc_error_set(err, errno, "configuration file %s", path);
        }
        r = ini_parse_file(f, on_key, &st);
        if (st.bad) {
                rc_error_set(err, 0, "%s: %s", path, st.bad);
                free(st.bad);
                return -1;
        }
        if (r != 0)
                return rc_error_set(err, 0, "%s: line %d: not valid INI (expected [section] or key = value)", path,
                                    r);
        cfg->path = xstrdup(path);
        return validate(cfg, err) < 0 ? rc_error_wrap(err, "%s", path) : 0;
}

void rc_config_free(struct rc_config *c)
{
        free(c->path);
        free(c->root);
        free(c->runroot);
        free(c->storage_driver);
        free(c->fuse_overlayfs);
        free(c->subuid_file);
        free(c->subgid_file);
        free(c->newuidmap);
        free(c->newgidmap);
        free(c->network);
        free(c->net_cidr);
        strv_free(c->net_dns);
        strv_free(c->net_dns_forward);
        free(c->cgroup_manager);
        strv_free(c->search);
        strv_free(c->insecure);
        strv_free(c->mirrors);
        memset(c, 0, sizeof(*c));
}

int rc_config_parse_size(const char *s, uint64_t *out)
{
        static const char units[] = "kmgt";
        unsigned long long v;
        const char *u;
        char *end;
        int shift = 0;

        while (*s == ' ' || *s == '\t')
                s++;
        if (*s < '0' || *s > '9') {
                errno = EINVAL;
                return -1;
        }
        errno = 0;
        v = strtoull(s, &end, 10);
        if (errno == ERANGE)
                return -1;
        if (*end != '\0') {
                u = strchr(units, end[0] | 0x20);
                if (u == NULL) {
                        errno = EINVAL;
                        return -1;
                }
                shift = 10 * (int)(u - units + 1);
                end++;
                if ((end[0] | 0x20) == 'i' && (end[1] | 0x20) == 'b')
                        end += 2;
                else if ((end[0] | 0x20) == 'b')
                        end++;
                if (*end != '\0') {
                        errno = EINVAL;
                        return -1;
                }
        }
        if (shift && v > (UINT64_MAX >> shift)) {
                errno = ERANGE;
                return -1;
        }
        *out = (uint64_t)v << shift;
        return 0;
}
