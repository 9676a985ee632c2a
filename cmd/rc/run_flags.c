/* rc run/create: mounts, security, limits, labels, --userns, --init. */
#include "run_flags.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "net/net.h"
#include "rc.h"
#include "util/fs.h"
#include "util/xalloc.h"

extern char **environ;

#define ENV_FILE_MAX (4 << 20) /* more than any environment execve takes */

void run_flags_usage(void)
{
        printf("  -v, --volume [SRC:]DEST[:OPTS]\n"
               "                          bind a host path (SRC starting with / or .) or mount the named volume\n"
               "                          SRC (made on first use); DEST alone: an anonymous volume.  OPTS: ro, rw,\n"
               "                          z, Z, nocopy, [r]bind, [no]suid, [no]dev, [no]exec, propagation\n"
               "  --mount type=bind|volume|tmpfs,source=SRC,target=DEST[,readonly][,...]\n"
               "                          docker's form of -v and --tmpfs (bind-propagation, volume-nocopy,\n"
               "                          tmpfs-size, tmpfs-mode)\n"
               "  --tmpfs DEST[:OPTS]     a tmpfs at DEST (default rw,noexec,nosuid,nodev; size=, mode=...)\n"
               "  --read-only             mount the root file system read-only (/tmp, /var/tmp, /run stay\n"
               "                          writable tmpfs unless --read-only-tmpfs=false)\n"
               "  --read-only-tmpfs=BOOL  with --read-only: tmpfs on /tmp, /var/tmp and /run (default true)\n"
               "  --cap-add CAP           add a capability (NET_ADMIN or CAP_NET_ADMIN; ALL for every one)\n"
               "  --cap-drop CAP          drop a capability (ALL for every one)\n"
               "  --privileged            every capability of rc's user namespace, no seccomp filter, no masked\n"
               "                          paths, /sys writable where the kernel allows\n"
               "  --security-opt mask=PATH[:PATH...]   mask more paths (an empty file or directory)\n"
               "  --security-opt unmask=ALL|PATH[:PATH...]\n"
               "                          unmask rc's masked and read-only paths (globs such as /proc/*)\n"
               "  --group-add GROUP       a supplementary group (name from the image's /etc/group, or gid)\n"
               "  --env-file FILE         KEY=VALUE lines (# comments; KEY alone: rc's value)\n"
               "  --ulimit NAME=SOFT[:HARD]  a resource limit (nofile, nproc, core, ...; -1: unlimited)\n"
               "  -l, --label KEY=VALUE   set a label on the container\n"
               "  --label-file FILE       KEY=VALUE lines of labels\n"
               "  --cidfile FILE          write the container's id to FILE (which must not exist)\n"
               "  --userns MODE           host (rc's user namespace, the default) or keep-id[:uid=N,gid=N]\n"
               "                          (your own uid and gid inside, so bound files keep their owner)\n"
               "  --init                  run rc's init as pid 1: it forwards signals and reaps zombies\n"
               "  -p, --publish [IP:][HOST_PORT:]CONTAINER_PORT[/tcp|/udp]\n"
               "                          publish a port (or a range A-B) on the host: every address unless IP\n"
               "                          is given (-p 127.0.0.1:8080:80 for this machine only); no HOST_PORT:\n"
               "                          a free one (rc port shows it).  TCP connections reach the container\n"
               "                          from its own 127.0.0.1, not from the client's address\n"
               "  -P, --publish-all       publish every port the image EXPOSEs on a free host port\n"
               "  --dns IP                a name server for the container's /etc/resolv.conf\n"
               "  --dns-search DOMAIN     a search domain (\".\": none)\n"
               "  --dns-option OPT        a resolver option (ndots:2, edns0...)\n"
               "  --add-host NAME:IP      an /etc/hosts line (IP host-gateway: the host, as the container sees it)\n"
               "  --no-hosts              keep the image's /etc/hosts instead of rc's\n"
               "  --device HOST[:CONTAINER][:PERMS]\n"
               "                          bind a device node of the host (/dev/fuse, /dev/dri/renderD128...) at\n"
               "                          CONTAINER (default: the same path); PERMS rw or rwm (the device's own\n"
               "                          permissions apply: rootless, there is no device cgroup)\n"
               "  --shm-size SIZE         size of /dev/shm (default 64m; 0: no limit but memory)\n"
               "  --env-host              the container gets rc's whole environment (-e and --env-file win)\n"
               "  --tz local|AREA/CITY    the container's time zone: the host's, or one of the host's\n"
               "                          /usr/share/zoneinfo (bound at /etc/localtime, and TZ set)\n"
               "  --umask MASK            the file mode creation mask of the container's processes (default\n"
               "                          0022, whatever rc's own is)\n"
               "  --sysctl KEY=VALUE      set a sysctl of the container's own namespaces (net.*, fs.mqueue.*,\n"
               "                          kernel.msg*, kernel.sem, kernel.shm*)\n"
               "  --expose PORT[-PORT][/tcp|/udp]\n"
               "                          expose a port (or a range) besides the image's: -P publishes it\n");
}

static int usage_err(const char *cmd, rc_error *err)
{
        rc_cli_usage_error(cmd, "%s", err->msg);
        rc_error_free(err);
        return -1;
}

/* A file the user names: a regular file of sane size, read whole now (a
 * later rc start must not depend on it).  /dev/zero or a fifo is refused
 * rather than read forever. */
static int read_user_file(const char *flag, const char *path, char **text, size_t *len, rc_error **err)
{
        cleanup_close int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        struct stat st;

        if (fd < 0)
                return rc_error_set(err, errno, "%s %s", flag, path);
        if (fstat(fd, &st) < 0)
                return rc_error_set(err, errno, "%s %s", flag, path);
        if (!S_ISREG(st.st_mode))
                return rc_error_set(err, EINVAL, "%s %s: not a regular file", flag, path);
        if (st.st_size > ENV_FILE_MAX)
                return rc_error_set(err, EFBIG, "%s %s: larger than %d MiB", flag, path, ENV_FILE_MAX >> 20);
        if (rc_read_fd(fd, text, len, err) < 0)
                return rc_error_wrap(err, "%s %s", flag, path);
        if (*len > ENV_FILE_MAX)
                return rc_error_set(err, EFBIG, "%s %s: larger than %d MiB", flag, path, ENV_FILE_MAX >> 20);
        return 0;
}

static int kv_file(const char *cmd, const char *flag, const char *path, bool labels, char ***out)
{
        cleanup_free char *text = NULL;
        rc_error *err = NULL;
        size_t len = 0;

        if (read_user_file(flag, path, &text, &len, &err) < 0 ||
            rc_env_file_parse(path, text, len, environ, labels, out, &err) < 0)
                return usage_err(cmd, err);
        return 0;
}

static void push_list(char ***list, const char *item)
{
        if (*list == NULL)
                *list = xcalloc(1, sizeof(char *));
        strv_push(list, item);
}

/* "a,b" and ":"-separated lists of the flags that take them */
static void push_split(char ***list, const char *arg, const char *seps)
{
        cleanup_free char *copy = xstrdup(arg);
        char *save = NULL;

        for (char *p = strtok_r(copy, seps, &save); p; p = strtok_r(NULL, seps, &save))
                push_list(list, p);
}

static const char *cwd(struct run_flags *f)
{
        if (f->cwd == NULL) {
                f->cwd = getcwd(NULL, 0);
                if (f->cwd == NULL)
                        f->cwd = xstrdup("/");
        }
        return f->cwd;
}

static int add_mount(const char *cmd, struct run_flags *f, int c, const char *arg)
{
        struct rc_mount_req m;
        rc_error *err = NULL;
        int r = c == 'v' ? rc_mount_parse_volume(arg, cwd(f), &m, &err)
                : c == OPT_MOUNT ? rc_mount_parse_mount(arg, cwd(f), &m, &err)
                                 : rc_mount_parse_tmpfs(arg, &m, &err);

        if (r < 0)
                return usage_err(cmd, err);
        f->mounts = xrealloc(f->mounts, (f->n_mounts + 1) * sizeof(*f->mounts));
        f->mounts[f->n_mounts++] = m;
        return 0;
}

/* --device HOST[:CONTAINER][:PERMS]: rootless, a device is a bind of the
 * host's node (no mknod in a user namespace, no device cgroup to open). */
static int add_device(const char *cmd, struct run_flags *f, const char *arg)
{
        cleanup_free char *copy = xstrdup(arg), *spec = NULL;
        char *host = copy, *ctr = NULL, *perms = NULL, *colon;
        struct stat st;

        if ((colon = strchr(host, ':'))) {
                *colon = '\0';
                ctr = colon + 1;
                if ((colon = strchr(ctr, ':'))) {
                        *colon = '\0';
                        perms = colon + 1;
                } else if (*ctr != '/') {
                        perms = ctr; /* HOST:PERMS */
                        ctr = NULL;
                }
        }
        if (*host != '/' || (ctr && *ctr != '/')) {
                rc_cli_usage_error(cmd, "--device %s: give absolute paths: HOST[:CONTAINER][:PERMS]", arg);
                return -1;
        }
        if (perms && (*perms == '\0' || strspn(perms, "rwm") != strlen(perms))) {
                rc_cli_usage_error(cmd, "--device %s: permissions are letters of rwm", arg);
                return -1;
        }
        /* a read-only mount does not stop writes to a device node, and a
         * rootless container has no device cgroup: say so, never pretend */
        if (perms && (!strchr(perms, 'r') || !strchr(perms, 'w'))) {
                rc_cli_usage_error(cmd,
                                   "--device %s: a rootless container cannot be kept from reading or writing a "
                                   "device it has (no device cgroup); give rw or rwm, or no permissions",
                                   arg);
                return -1;
        }
        if (stat(host, &st) < 0) {
                rc_cli_usage_error(cmd, "--device %s: %s", arg, strerror(errno));
                return -1;
        }
        if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode)) {
                rc_cli_usage_error(cmd, "--device %s: %s is not a device node (name each device of a directory)",
                                   arg, host);
                return -1;
        }
        spec = xasprintf("%s:%s", host, ctr ? ctr : host);
        return add_mount(cmd, f, 'v', spec);
}

/* --expose PORT[-PORT][/PROTO]: one "PORT/PROTO" entry per port. */
static int add_expose(const char *cmd, struct run_flags *f, const char *arg)
{
        cleanup_free char *copy = xstrdup(arg);
        char *slash = strchr(copy, '/'), *dash, *end;
        const char *proto = "tcp";
        unsigned long lo, hi;

        if (slash) {
                *slash = '\0';
                proto = slash + 1;
                if (strcmp(proto, "tcp") != 0 && strcmp(proto, "udp") != 0) {
                        rc_cli_usage_error(cmd, "--expose %s: the protocol is tcp or udp", arg);
                        return -1;
                }
        }
        dash = strchr(copy, '-');
        if (dash)
                *dash = '\0';
        errno = 0;
        lo = strtoul(copy, &end, 10);
        hi = lo;
        if (errno == 0 && *end == '\0' && dash)
                hi = strtoul(dash + 1, &end, 10);
        if (errno || *end != '\0' || !*copy || (dash && !dash[1]) || lo < 1 || hi > 65535 || hi < lo) {
                rc_cli_usage_error(cmd, "--expose %s: give PORT or PORT-PORT (1-65535), then /tcp or /udp", arg);
                return -1;
        }
        if (hi - lo >= RC_NET_MAX_PORTS || strv_len(f->expose) + (hi - lo + 1) > RC_NET_MAX_PORTS) {
                rc_cli_usage_error(cmd, "--expose %s: more than %d ports", arg, RC_NET_MAX_PORTS);
                return -1;
        }
        for (unsigned long p = lo; p <= hi; p++) {
                cleanup_free char *key = xasprintf("%lu/%s", p, proto);
                push_list(&f->expose, key);
        }
        return 0;
}

/* --tz: the zone's file of the host bound read-only at /etc/localtime
 * (and TZ set, unless local), as podman does. */
static int add_tz(const char *cmd, struct run_flags *f, const char *arg)
{
        cleanup_free char *file = NULL, *spec = NULL;
        struct stat st;

        if (strcmp(arg, "local") == 0) {
                file = realpath("/etc/localtime", NULL);
        } else if (*arg == '\0' || *arg == '/' || strstr(arg, "..") ||
                   strspn(arg, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_+-") != strlen(arg)) {
                rc_cli_usage_error(cmd, "--tz %s: give local or a zone such as Europe/Paris", arg);
                return -1;
        } else {
                file = xasprintf("/usr/share/zoneinfo/%s", arg);
        }
        if (file == NULL || stat(file, &st) < 0 || !S_ISREG(st.st_mode)) {
                rc_cli_usage_error(cmd, "--tz %s: no such time zone on this host (%s; package tzdata)", arg,
                                   file ? file : "/etc/localtime");
                return -1;
        }
        if (strcmp(arg, "local") != 0) {
                free(f->tz);
                f->tz = xstrdup(arg);
        }
        spec = xasprintf("%s:/etc/localtime:ro", file);
        return add_mount(cmd, f, 'v', spec);
}

/* --shm-size: the /dev/shm tmpfs of that size, in place of rc's 64m one. */
static int add_shm(const char *cmd, struct run_flags *f, const char *arg)
{
        cleanup_free char *spec = NULL;
        rc_error *err = NULL;
        uint64_t bytes;

        if (rc_cgroup_parse_bytes("--shm-size", arg, &bytes, &err) < 0)
                return usage_err(cmd, err);
        spec = xasprintf("/dev/shm:size=%llu,mode=1777", (unsigned long long)bytes);
        return add_mount(cmd, f, OPT_TMPFS, spec);
}

static int bool_arg(const char *cmd, const char *flag, const char *arg, bool *out)
{
        if (arg == NULL || !strcmp(arg, "true")) {
                *out = true;
        } else if (!strcmp(arg, "false")) {
                *out = false;
        } else {
                rc_cli_usage_error(cmd, "%s=%s: give true or false", flag, arg);
                return -1;
        }
        return 0;
}

int run_flags_parse(const char *cmd, int c, const char *arg, struct run_flags *f, struct rc_run_opts *o)
{
        rc_error *err = NULL;
        bool b;

        switch (c) {
        case 'v':
        case OPT_MOUNT:
        case OPT_TMPFS:
                return add_mount(cmd, f, c, arg) < 0 ? -1 : 1;
        case OPT_READ_ONLY:
                o->read_only = true;
                return 1;
        case OPT_READ_ONLY_TMPFS:
                if (bool_arg(cmd, "--read-only-tmpfs", arg, &b) < 0)
                        return -1;
                o->no_read_only_tmpfs = !b;
                return 1;
        case OPT_CAP_ADD:
        case OPT_CAP_DROP: {
                char ***list = c == OPT_CAP_ADD ? &f->cap_add : &f->cap_drop;
                size_t first = strv_len(*list);
                push_split(list, arg, ",");
                for (size_t i = first; (*list)[i]; i++)
                        if (rc_cap_check((*list)[i], &err) < 0) {
                                rc_error_wrap(&err, "%s", c == OPT_CAP_ADD ? "--cap-add" : "--cap-drop");
                                return usage_err(cmd, err);
                        }
                return 1;
        }
        case OPT_PRIVILEGED:
                o->privileged = true;
                return 1;
        case OPT_GROUP_ADD:
                if (*arg == '\0' || strcmp(arg, "keep-groups") == 0) {
                        rc_cli_usage_error(cmd, "--group-add %s: give a group name or id%s", arg,
                                           *arg ? " (keep-groups is not supported by rc)" : "");
                        return -1;
                }
                push_list(&f->group_add, arg);
                return 1;
        case OPT_ENV_FILE:
                return kv_file(cmd, "--env-file", arg, false, &f->env_file) < 0 ? -1 : 1;
        case OPT_DEVICE:
                return add_device(cmd, f, arg) < 0 ? -1 : 1;
        case OPT_SHM_SIZE:
                return add_shm(cmd, f, arg) < 0 ? -1 : 1;
        case OPT_ENV_HOST:
                return bool_arg(cmd, "--env-host", arg, &f->env_host) < 0 ? -1 : 1;
        case OPT_EXPOSE:
                return add_expose(cmd, f, arg) < 0 ? -1 : 1;
        case OPT_SYSCTL:
                push_list(&f->sysctls, arg);
                return 1;
        case OPT_TZ:
                return add_tz(cmd, f, arg) < 0 ? -1 : 1;
        case OPT_UMASK: {
                char *end;
                unsigned long m;
                errno = 0;
                m = strtoul(arg, &end, 8);
                if (errno || *arg == '\0' || *end != '\0' || m > 0777 || *arg == '-') {
                        rc_cli_usage_error(cmd, "--umask %s: give an octal mask such as 0022 or 077", arg);
                        return -1;
                }
                o->umask_set = true;
                o->umask = (unsigned)m;
                return 1;
        }
        case OPT_ULIMIT: {
                struct rc_spec_rlimit rl;
                if (rc_ulimit_parse(arg, &rl, &err) < 0)
                        return usage_err(cmd, err);
                push_list(&f->ulimits, arg);
                return 1;
        }
        case 'l':
                if (*arg == '\0' || *arg == '=') {
                        rc_cli_usage_error(cmd, "--label %s: give KEY=VALUE", arg);
                        return -1;
                }
                if (strchr(arg, '=') == NULL) {
                        cleanup_free char *kv = xasprintf("%s=", arg);
                        push_list(&f->labels, kv);
                } else {
                        push_list(&f->labels, arg);
                }
                return 1;
        case OPT_LABEL_FILE:
                if (f->labels == NULL)
                        f->labels = xcalloc(1, sizeof(char *));
                return kv_file(cmd, "--label-file", arg, true, &f->labels) < 0 ? -1 : 1;
        case OPT_CIDFILE: {
                cleanup_free char *joined = arg[0] == '/' ? NULL : xasprintf("%s/%s", cwd(f), arg);
                if (*arg == '\0') {
                        rc_cli_usage_error(cmd, "--cidfile needs a file name");
                        return -1;
                }
                free(f->cidfile);
                f->cidfile = xstrdup(joined ? joined : arg);
                return 1;
        }
        case OPT_USERNS: {
                bool keep_id;
                uint32_t id = 0;
                if (rc_userns_parse(arg, &keep_id, &id, &id, &err) < 0)
                        return usage_err(cmd, err);
                o->userns = arg;
                return 1;
        }
        case OPT_INIT:
                o->init = true;
                return 1;
        case 'p': {
                struct rc_net_port *ports = NULL;
                size_t n = 0;
                int r = rc_net_parse_publish(arg, &ports, &n, &err);
                free(ports);
                if (r < 0)
                        return usage_err(cmd, err);
                push_list(&f->publish, arg);
                return 1;
        }
        case 'P':
                o->publish_all = true;
                return 1;
        case OPT_DNS:
                if (rc_net_check_dns(arg, &err) < 0)
                        return usage_err(cmd, err);
                push_list(&f->dns, arg);
                return 1;
        case OPT_DNS_SEARCH:
                if (rc_net_check_dns_search(arg, &err) < 0)
                        return usage_err(cmd, err);
                push_list(&f->dns_search, arg);
                return 1;
        case OPT_DNS_OPTION:
                if (rc_net_check_dns_option(arg, &err) < 0)
                        return usage_err(cmd, err);
                push_list(&f->dns_option, arg);
                return 1;
        case OPT_ADD_HOST:
                if (rc_net_check_add_host(arg, &err) < 0)
                        return usage_err(cmd, err);
                push_list(&f->add_host, arg);
                return 1;
        case OPT_NO_HOSTS:
                o->no_hosts = true;
                return 1;
        default:
                return 0;
        }
}

int run_flags_security_opt(const char *cmd, const char *arg, struct run_flags *f, struct rc_run_opts *o)
{
        if (!strcmp(arg, "no-new-privileges") || !strcmp(arg, "no-new-privileges=true") ||
            !strcmp(arg, "no-new-privileges:true")) {
                o->no_new_privileges = true;
                return 1;
        }
        if (!strcmp(arg, "no-new-privileges=false") || !strcmp(arg, "no-new-privileges:false"))
                return 1; /* rc's default, but for --privileged */
        if (!strncmp(arg, "mask=", 5) || !strncmp(arg, "unmask=", 7)) {
                bool is_mask = arg[0] == 'm';
                const char *list = strchr(arg, '=') + 1;
                char ***target = is_mask ? &f->mask : &f->unmask;
                size_t first = strv_len(*target);

                if (*list == '\0') {
                        rc_cli_usage_error(cmd, "--security-opt %s: give paths separated by ':'", arg);
                        return -1;
                }
                push_split(target, list, ":");
                for (size_t i = first; (*target)[i]; i++)
                        if ((*target)[i][0] != '/' && !(!is_mask && !strcmp((*target)[i], "ALL"))) {
                                rc_cli_usage_error(cmd, "--security-opt %s: \"%s\" is not an absolute path", arg,
                                                   (*target)[i]);
                                return -1;
                        }
                return 1;
        }
        /* rc applies no SELinux or AppArmor labels: turning them off is what
         * it does anyway */
        if (!strcmp(arg, "label=disable") || !strcmp(arg, "label:disable") || !strcmp(arg, "apparmor=unconfined") ||
            !strcmp(arg, "apparmor:unconfined"))
                return 1;
        return 0;
}

void run_flags_finish(struct run_flags *f, struct rc_run_opts *o, char ***env)
{
        o->mounts = f->mounts;
        o->n_mounts = f->n_mounts;
        o->cap_add = f->cap_add;
        o->cap_drop = f->cap_drop;
        o->mask = f->mask;
        o->unmask = f->unmask;
        o->group_add = f->group_add;
        o->ulimits = f->ulimits;
        o->labels = f->labels;
        o->cidfile = f->cidfile;
        o->publish = f->publish;
        o->dns = f->dns;
        o->dns_search = f->dns_search;
        o->dns_option = f->dns_option;
        o->add_host = f->add_host;
        o->expose = f->expose;
        o->sysctls = f->sysctls;
        if ((f->env_file && f->env_file[0]) || f->env_host || f->tz) {
                /* later entries win: rc's environment, --tz, then --env-file, then -e (podman's order) */
                char **merged = f->env_host ? strv_dup(environ) : xcalloc(1, sizeof(char *));
                if (f->tz) {
                        cleanup_free char *tz = xasprintf("TZ=%s", f->tz);
                        strv_push(&merged, tz);
                }
                for (size_t i = 0; f->env_file && f->env_file[i]; i++)
                        strv_push(&merged, f->env_file[i]);
                for (size_t i = 0; *env && (*env)[i]; i++)
                        strv_push(&merged, (*env)[i]);
                strv_free(*env);
                *env = merged;
        }
}

void run_flags_free(struct run_flags *f)
{
        for (size_t i = 0; i < f->n_mounts; i++)
                rc_mount_req_free(&f->mounts[i]);
        free(f->mounts);
        free(f->tz);
        strv_free(f->cap_add);
        strv_free(f->cap_drop);
        strv_free(f->mask);
        strv_free(f->unmask);
        strv_free(f->group_add);
        strv_free(f->ulimits);
        strv_free(f->labels);
        strv_free(f->env_file);
        strv_free(f->publish);
        strv_free(f->dns);
        strv_free(f->dns_search);
        strv_free(f->dns_option);
        strv_free(f->add_host);
        strv_free(f->expose);
        strv_free(f->sysctls);
        free(f->cidfile);
        free(f->cwd);
        memset(f, 0, sizeof(*f));
}
