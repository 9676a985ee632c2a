/* The probe table, the runner and helpers the probes share. */
#include "check/check.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check/internal.h"
#include "util/fs.h"
#include "util/xalloc.h"

/* Order matters: the user reads top down, and an earlier line often
 * explains a later one (no user namespaces -> no overlay). */
static const struct rc_check_probe probes[] = {
        { "kernel", "kernel", check_kernel },
        { "userns", "user namespaces", check_userns },
        { "userns-create", "user namespace creation", check_userns_create },
        { "subids", "subordinate ids", check_subids },
        { "idmap-helpers", "newuidmap/newgidmap", check_helpers },
        { "idmap", "id mapping", check_idmap },
        { "xdg-runtime-dir", "XDG_RUNTIME_DIR", check_xdg_runtime },
        { "runroot", "runtime directory", check_runroot },
        { "storage-fs", "store file system", check_storage_fs },
        { "overlay", "native overlayfs", check_overlay },
        { "fuse", "fuse-overlayfs", check_fuse },
        { "tun", "/dev/net/tun", check_tun },
        { "cgroup", "cgroups", check_cgroup },
        { "cgroup-manager", "cgroup manager", check_cgroup_manager },
        { "systemd", "systemd user manager", check_systemd },
        { "linger", "lingering", check_linger },
        { "ports", "low ports", check_ports },
        { "ping", "ping", check_ping },
        { "dns", "DNS", check_dns },
};

const struct rc_check_probe *rc_check_probes(size_t *n)
{
        *n = sizeof(probes) / sizeof(probes[0]);
        return probes;
}

const char *rc_check_status_name(enum rc_check_status s)
{
        static const char *const names[] = { "OK", "INFO", "WARN", "FAIL", "SKIP" };
        return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

void rc_check_context_init(struct rc_check_context *ctx, const struct rc_config *cfg, char **name_buf)
{
        struct rc_userns_identity id;

        rc_userns_identity_current(&id, name_buf);
        *ctx = (struct rc_check_context){
                .cfg = cfg,
                .user = id.user,
                .uid = id.uid,
                .gid = id.gid,
                .proc_sys = "/proc/sys",
                .mountinfo = "/proc/self/mountinfo",
                .proc_cgroup = "/proc/self/cgroup",
                .cgroup_root = "/sys/fs/cgroup",
                .dev_fuse = "/dev/fuse",
                .dev_tun = "/dev/net/tun",
                .resolv_conf = "/etc/resolv.conf",
                .resolved_conf = "/run/systemd/resolve/resolv.conf",
                .systemd_dir = "/run/systemd/system",
                .linger_dir = "/var/lib/systemd/linger",
                .apparmor_profile = "/etc/apparmor.d/rc",
                .xdg_runtime_dir = getenv("XDG_RUNTIME_DIR"),
                .dbus_address = getenv("DBUS_SESSION_BUS_ADDRESS"),
                .path = getenv("PATH"),
                .live = true,
        };
}

static void run_probe(const struct rc_check_context *ctx, const struct rc_check_probe *p, struct rc_check_result *r)
{
        *r = (struct rc_check_result){ .id = p->id, .title = p->title, .status = RC_CHECK_OK };
        p->fn(ctx, r);
        if (r->detail == NULL)
                r->detail = xstrdup("");
}

void rc_check_run_all(const struct rc_check_context *ctx, struct rc_check_result **out, size_t *n)
{
        size_t count = sizeof(probes) / sizeof(probes[0]);
        struct rc_check_result *r = xcalloc(count, sizeof(*r));

        for (size_t i = 0; i < count; i++)
                run_probe(ctx, &probes[i], &r[i]);
        *out = r;
        *n = count;
}

bool rc_check_run_one(const struct rc_check_context *ctx, const char *id, struct rc_check_result *out)
{
        for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
                if (strcmp(probes[i].id, id) == 0) {
                        run_probe(ctx, &probes[i], out);
                        return true;
                }
        }
        return false;
}

void rc_check_result_clear(struct rc_check_result *r)
{
        free(r->detail);
        free(r->fix);
        r->detail = r->fix = NULL;
}

void rc_check_results_free(struct rc_check_result *r, size_t n)
{
        for (size_t i = 0; i < n; i++)
                rc_check_result_clear(&r[i]);
        free(r);
}

/* ---- helpers for probes ---- */

void check_set(struct rc_check_result *r, enum rc_check_status s, const char *fmt, ...)
{
        va_list ap;

        free(r->detail);
        r->detail = NULL;
        va_start(ap, fmt);
        if (vasprintf(&r->detail, fmt, ap) < 0)
                abort();
        va_end(ap);
        r->status = s;
}

void check_fix(struct rc_check_result *r, bool needs_root, const char *fmt, ...)
{
        va_list ap;

        free(r->fix);
        r->fix = NULL;
        va_start(ap, fmt);
        if (vasprintf(&r->fix, fmt, ap) < 0)
                abort();
        va_end(ap);
        r->fix_needs_root = needs_root;
}

void check_from_diag(struct rc_check_result *r, struct rc_diag *d)
{
        static const enum rc_check_status map[] = { RC_CHECK_OK, RC_CHECK_WARN, RC_CHECK_FAIL };

        r->status = map[d->level];
        free(r->detail);
        free(r->fix);
        r->detail = steal_pointer(&d->detail);
        r->fix = steal_pointer(&d->fix);
        r->fix_needs_root = d->fix_needs_root;
        rc_diag_free(d);
}

char *check_read(const char *dir, const char *rel)
{
        cleanup_free char *path = xasprintf("%s/%s", dir, rel);
        char *s = NULL;
        size_t len;

        if (rc_read_file(path, &s, &len, NULL) < 0)
                return NULL;
        while (len && strchr(" \t\n", s[len - 1]))
                s[--len] = '\0';
        return s;
}

int check_read_long(const char *dir, const char *rel, long *out)
{
        cleanup_free char *s = check_read(dir, rel);
        char *end;
        long v;

        if (s == NULL)
                return -1;
        errno = 0;
        v = strtol(s, &end, 10);
        if (end == s || *end || errno)
                return -1;
        *out = v;
        return 0;
}

const char *check_user(const struct rc_check_context *ctx)
{
        return ctx->user ? ctx->user : "USER";
}

int check_in_child(int (*fn)(void *arg, char *msg, size_t len), void *arg, char *msg, size_t len)
{
        int p[2], status, r = 0;
        ssize_t n;
        size_t got = 0;
        pid_t pid;

        msg[0] = '\0';
        if (pipe2(p, O_CLOEXEC) < 0)
                return errno;
        pid = fork();
        if (pid < 0) {
                r = errno;
                close(p[0]);
                close(p[1]);
                return r;
        }
        if (pid == 0) {
                char *buf = xcalloc(1, len + sizeof(int));
                close(p[0]);
                r = fn(arg, buf + sizeof(int), len);
                memcpy(buf, &r, sizeof(int));
                buf[sizeof(int) + len - 1] = '\0';
                rc_write_all(p[1], buf, sizeof(int) + strlen(buf + sizeof(int)) + 1);
                _exit(0);
        }
        close(p[1]);
        {
                char *buf = xcalloc(1, len + sizeof(int) + 1);
                while (got < len + sizeof(int)) {
                        n = read(p[0], buf + got, len + sizeof(int) - got);
                        if (n < 0 && errno == EINTR)
                                continue;
                        if (n <= 0)
                                break;
                        got += (size_t)n;
                }
                if (got > sizeof(int)) {
                        memcpy(&r, buf, sizeof(int));
                        snprintf(msg, len, "%s", buf + sizeof(int));
                }
                free(buf);
        }
        close(p[0]);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        if (got <= sizeof(int)) {
                snprintf(msg, len, "the probe process died%s", WIFSIGNALED(status) ? " (killed by a signal)" : "");
                return ECHILD;
        }
        return r;
}

static int write_proc(const char *path, const char *text)
{
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        int r = 0;

        if (fd < 0)
                return errno;
        if (write(fd, text, strlen(text)) < 0)
                r = errno;
        close(fd);
        return r;
}

int check_self_userns(uid_t uid, gid_t gid, char *msg, size_t len)
{
        char map[64];
        int r;

        if (unshare(CLONE_NEWUSER) < 0) {
                r = errno;
                snprintf(msg, len, "unshare(CLONE_NEWUSER): %s", strerror(r));
                return r;
        }
        r = write_proc("/proc/self/setgroups", "deny");
        if (r && r != ENOENT) {
                snprintf(msg, len, "write /proc/self/setgroups: %s", strerror(r));
                return r;
        }
        snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
        if ((r = write_proc("/proc/self/uid_map", map)) != 0) {
                snprintf(msg, len, "write /proc/self/uid_map: %s", strerror(r));
                return r;
        }
        snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
        if ((r = write_proc("/proc/self/gid_map", map)) != 0) {
                snprintf(msg, len, "write /proc/self/gid_map: %s", strerror(r));
                return r;
        }
        if (unshare(CLONE_NEWNS) < 0) {
                r = errno;
                snprintf(msg, len, "unshare(CLONE_NEWNS) in the user namespace: %s", strerror(r));
                return r;
        }
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
                r = errno;
                snprintf(msg, len, "make / private in the user namespace: %s", strerror(r));
                return r;
        }
        return 0;
}
