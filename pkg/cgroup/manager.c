/* Choosing a cgroup manager, checking limits against it before anything
 * starts, and dispatching to the backend. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "cgroup/internal.h"
#include "util/fs.h"
#include "util/xalloc.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

/* The fix for a host that keeps controllers on cgroup v1. */
#define FIX_UNIFIED                                                                                                   \
        "fix (needs root): boot with systemd.unified_cgroup_hierarchy=1 on the kernel command line (add it to "      \
        "GRUB_CMDLINE_LINUX in /etc/default/grub, run update-grub, reboot)"
#define FIX_DELEGATE                                                                                                  \
        "fix (needs root): mkdir -p /etc/systemd/system/user@.service.d && printf '[Service]\\nDelegate=cpu cpuset " \
        "io memory pids\\n' > /etc/systemd/system/user@.service.d/delegate.conf && systemctl daemon-reload, then "  \
        "log in again"

static int none_probe(struct rc_cgroup_manager *m, char *why, size_t len)
{
        (void)m;
        (void)why;
        (void)len;
        return 0;
}

static const struct cg_backend none_backend = { .type = RC_CGROUP_NONE, .name = "none", .probe = none_probe };

static const struct cg_backend *const backends[] = { &cg_systemd_backend, &cg_cgroupfs_backend, &none_backend };

/* The user's uid outside any user namespace (rc may have joined its own):
 * the user manager's cgroup is named after it. */
static uid_t host_uid(void)
{
        cleanup_free char *map = NULL;
        unsigned inside, outside, count;
        uid_t uid = getuid();
        rc_error *e = NULL;

        if (rc_read_file("/proc/self/uid_map", &map, NULL, &e) < 0) {
                rc_error_free(e);
                return uid;
        }
        for (const char *l = map; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
                if (sscanf(l, "%u %u %u", &inside, &outside, &count) == 3 && uid >= inside && uid - inside < count)
                        return (uid_t)(outside + (uid - inside));
        return uid;
}

/* The cgroup v2 file system and this process's place in it. */
static void find_v2(struct rc_cgroup_manager *m)
{
        struct statfs sf;

        if (statfs("/sys/fs/cgroup", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC) {
                m->mount = xstrdup("/sys/fs/cgroup");
        } else if (statfs("/sys/fs/cgroup/unified", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC) {
                m->mount = xstrdup("/sys/fs/cgroup/unified");
                m->hybrid = true;
        }
        if (m->mount)
                m->own = cg_path_of_pid(getpid());
}

/* auto: the first backend that works; m->why says what it does and why the
 * ones before it did not. */
static int select_backend(struct rc_cgroup_manager *m, const char *name, rc_error **err)
{
        bool auto_ = strcmp(name, "auto") == 0;
        char skipped[512] = "";
        size_t used = 0;

        m->configured = !auto_;
        if (!auto_ && strcmp(name, "none") == 0) {
                m->backend = &none_backend;
                snprintf(m->why, sizeof(m->why), "configured: containers get no cgroup of their own");
                return 0;
        }
        for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
                const struct cg_backend *b = backends[i];
                char why[512] = "";

                if (!auto_ && strcmp(name, b->name) != 0)
                        continue;
                if (b->type != RC_CGROUP_NONE && m->mount == NULL)
                        snprintf(why, sizeof(why), "no cgroup v2 file system (cgroup v1 only)");
                else if (b->probe(m, why, sizeof(why)) == 0) {
                        m->backend = b;
                        if (b->type == RC_CGROUP_NONE)
                                snprintf(m->why, sizeof(m->why), "no cgroup manager works here (%s)", skipped);
                        else
                                snprintf(m->why, sizeof(m->why), "%s%s%s%s", why, used ? " (not " : "", skipped,
                                         used ? ")" : "");
                        return 0;
                }
                if (!auto_)
                        return rc_error_code(err, EOPNOTSUPP, "cgroup manager %s cannot work here: %s", b->name, why);
                used += (size_t)snprintf(skipped + used, used < sizeof(skipped) ? sizeof(skipped) - used : 0,
                                         "%s%s: %s", used ? "; " : "", b->name, why);
                if (used >= sizeof(skipped))
                        used = sizeof(skipped) - 1;
        }
        return rc_error_code(err, EINVAL, "cgroup manager '%s': use auto, systemd, cgroupfs or none", name);
}

int rc_cgroup_manager_open(const struct rc_config *cfg, const char *name, struct rc_cgroup_manager **out,
                           rc_error **err)
{
        struct rc_cgroup_manager *m = xcalloc(1, sizeof(*m));

        if (name == NULL)
                name = cfg && cfg->cgroup_manager ? cfg->cgroup_manager : "auto";
        m->uid = host_uid();
        if (strcmp(name, "none") != 0)
                find_v2(m); /* none costs nothing: not even a look at /sys */
        if (select_backend(m, name, err) < 0) {
                rc_cgroup_manager_free(m);
                return -1;
        }
        if (m->controllers == NULL)
                m->controllers = xstrdup("");
        *out = m;
        return 0;
}

void rc_cgroup_manager_free(struct rc_cgroup_manager *m)
{
        if (m == NULL)
                return;
        if (m->backend && m->backend->close)
                m->backend->close(m);
        free(m->mount);
        free(m->own);
        free(m->base);
        free(m->controllers);
        free(m->bus);
        free(m);
}

enum rc_cgroup_manager_type rc_cgroup_manager_type(const struct rc_cgroup_manager *m)
{
        return m->backend->type;
}

const char *rc_cgroup_manager_name(const struct rc_cgroup_manager *m)
{
        return m->backend->name;
}

const char *rc_cgroup_manager_why(const struct rc_cgroup_manager *m)
{
        return m->why;
}

const char *rc_cgroup_manager_controllers(const struct rc_cgroup_manager *m)
{
        return m->controllers;
}

/* The flag that asked for a limit of controller c, for messages. */
static const char *flag_of(const char *c, const struct rc_cgroup_limits *l)
{
        if (!strcmp(c, "memory"))
                return "--memory";
        if (!strcmp(c, "cpu"))
                return l->cpu_quota ? "--cpus" : "--cpu-shares/--cpu-weight";
        if (!strcmp(c, "pids"))
                return "--pids-limit";
        return "--blkio-weight";
}

int rc_cgroup_check(const struct rc_cgroup_manager *m, const struct rc_cgroup_limits *l, rc_error **err)
{
        char needed[64], *save = NULL;
        cleanup_free char *root_ctl = NULL;

        if (!rc_cgroup_limits_any(l))
                return 0;
        if (m->backend->type == RC_CGROUP_NONE) {
                const char *fix = m->mount == NULL || m->hybrid ? FIX_UNIFIED
                                  : m->configured ? "fix: set [cgroups] manager = auto in rootless.conf (or drop "
                                                    "--cgroup-manager none)"
                                                  : "fix (needs root): loginctl enable-linger $USER, then log in "
                                                    "again (a systemd user manager gives rc a delegated cgroup)";
                return rc_error_code(err, EOPNOTSUPP,
                                     "resource limits need a cgroup, and rc puts containers in none here (cgroup "
                                     "manager none: %s); rc never runs a container without a limit it was given. %s",
                                     m->why, fix);
        }
        rc_cgroup_needed_controllers(l, needed, sizeof(needed));
        root_ctl = cg_read(m->mount, "cgroup.controllers");
        for (char *c = strtok_r(needed, " ", &save); c; c = strtok_r(NULL, " ", &save)) {
                if (cg_list_has(m->controllers, c))
                        continue;
                if (root_ctl == NULL || !cg_list_has(root_ctl, c))
                        return rc_error_code(
                                err, EOPNOTSUPP,
                                "%s needs the cgroup v2 %s controller, which this host does not offer%s: rc sets "
                                "limits through cgroup v2 only. %s",
                                flag_of(c, l), c,
                                m->hybrid ? " (it runs the controllers on cgroup v1 beside v2, a hybrid layout)" : "",
                                FIX_UNIFIED);
                if (m->backend->type == RC_CGROUP_SYSTEMD)
                        return rc_error_code(err, EOPNOTSUPP,
                                             "%s needs the cgroup v2 %s controller, and systemd does not delegate it "
                                             "to your user manager (%s has: %s). %s",
                                             flag_of(c, l), c, m->base, m->controllers[0] ? m->controllers : "none",
                                             FIX_DELEGATE);
                return rc_error_code(err, EOPNOTSUPP,
                                     "%s needs the cgroup v2 %s controller, which is not enabled for %s (it has: %s). "
                                     "fix: enable it in cgroup.subtree_control of the cgroups above (as their owner)",
                                     flag_of(c, l), c, m->base, m->controllers[0] ? m->controllers : "none");
        }
        if (l->memory_swap && !m->swap)
                return rc_error_code(err, EOPNOTSUPP,
                                     "--memory-swap needs swap accounting (memory.swap.max), which this kernel does "
                                     "not provide: drop --memory-swap, or boot with swapaccount=1");
        return 0;
}

void rc_cgroup_warm(struct rc_cgroup_manager *m)
{
        if (m->backend->warm)
                m->backend->warm(m);
}

int rc_cgroup_enter(struct rc_cgroup_manager *m, const char *id, const char *description, pid_t pid,
                    const struct rc_cgroup_limits *l, struct rc_cgroup **out, rc_error **err)
{
        *out = NULL;
        if (m->backend->enter == NULL)
                return 0;
        return m->backend->enter(m, id, description, pid, l, out, err);
}

static const struct cg_backend *backend_of(const struct rc_cgroup *cg)
{
        return cg->type == RC_CGROUP_SYSTEMD ? &cg_systemd_backend : &cg_cgroupfs_backend;
}

void rc_cgroup_release(struct rc_cgroup *cg)
{
        if (cg)
                backend_of(cg)->release(cg);
}

int rc_cgroup_update(const struct rc_cgroup *cg, const struct rc_cgroup_limits *l, rc_error **err)
{
        return backend_of(cg)->update(cg, l, err);
}
