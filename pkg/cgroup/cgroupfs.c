/* The cgroupfs manager: rc makes the container's cgroup itself, as a
 * sibling of its own cgroup, in a subtree delegated to the user (the
 * user owns the parent directory and its cgroup.procs).  Moving a process
 * needs write access to the common ancestor's cgroup.procs: that parent. */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup/internal.h"
#include "util/log.h"
#include "util/xalloc.h"

static int fs_probe(struct rc_cgroup_manager *m, char *why, size_t len)
{
        cleanup_free char *parent_rel = NULL, *procs = NULL, *ctl = NULL;

        if (m->own == NULL) {
                snprintf(why, len, "/proc/self/cgroup names no cgroup v2 path");
                return -1;
        }
        if (strcmp(m->own, "/") == 0) {
                snprintf(why, len, "rc runs in the root cgroup, which has no parent to put containers beside it");
                return -1;
        }
        parent_rel = xstrdup(m->own);
        dirname(parent_rel);
        free(m->base);
        m->base = xasprintf("%s%s", m->mount, strcmp(parent_rel, "/") ? parent_rel : "");
        procs = xasprintf("%s/cgroup.procs", m->base);
        if (access(m->base, W_OK) < 0 || access(procs, W_OK) < 0) {
                snprintf(why, len, "%s is not delegated to you (not writable), so rc cannot create cgroups beside its "
                                   "own",
                         m->base);
                return -1;
        }
        ctl = cg_read(m->base, "cgroup.controllers");
        free(m->controllers);
        m->controllers = xstrdup(ctl ? ctl : "");
        m->controllers[strcspn(m->controllers, "\n")] = '\0';
        {
                cleanup_free char *swap = xasprintf("%s/memory.swap.max", m->base);
                m->swap = access(swap, F_OK) == 0;
        }
        snprintf(why, len, "a cgroup per container in %s, which is delegated to you", m->base);
        return 0;
}

/* Enable the controllers the limits need in the parent's subtree_control
 * (the parent holds no process of its own, or the kernel refuses). */
static int enable_controllers(const struct rc_cgroup_manager *m, const struct rc_cgroup_limits *l, rc_error **err)
{
        cleanup_free char *have = cg_read(m->base, "cgroup.subtree_control");
        char needed[64], *save = NULL;

        rc_cgroup_needed_controllers(l, needed, sizeof(needed));
        for (char *c = strtok_r(needed, " ", &save); c; c = strtok_r(NULL, " ", &save)) {
                char add[32];
                if (have && cg_list_has(have, c))
                        continue;
                snprintf(add, sizeof(add), "+%s", c);
                if (cg_write(m->base, "cgroup.subtree_control", add, err) < 0)
                        return rc_error_hint(err, "the %s controller must be enabled in %s for the container's "
                                                  "cgroup, and the kernel allows that only while %s holds no "
                                                  "process of its own",
                                             c, m->base, m->base);
        }
        return 0;
}

static int fs_enter(struct rc_cgroup_manager *m, const char *id, const char *description, pid_t pid,
                    const struct rc_cgroup_limits *l, struct rc_cgroup **out, rc_error **err)
{
        cleanup_cgroup struct rc_cgroup *cg = xcalloc(1, sizeof(*cg));
        char pidbuf[24];

        (void)description;
        cg->type = RC_CGROUP_CGROUPFS;
        cg->path = xasprintf("%s/rc-%s", m->base, id);
        if (rc_cgroup_limits_any(l) && enable_controllers(m, l, err) < 0)
                return -1;
        if (mkdir(cg->path, 0755) < 0 && errno != EEXIST)
                return rc_error_set(err, errno, "create cgroup %s", cg->path);
        if (cg_write_limits(cg->path, l, m->swap, err) < 0 ||
            (snprintf(pidbuf, sizeof(pidbuf), "%d", (int)pid), cg_write(cg->path, "cgroup.procs", pidbuf, err)) < 0) {
                rmdir(cg->path);
                return rc_error_wrap(err, "container cgroup");
        }
        *out = steal_pointer(&cg);
        return 0;
}

static int fs_update(const struct rc_cgroup *cg, const struct rc_cgroup_limits *l, rc_error **err)
{
        cleanup_free char *parent = xstrdup(cg->path);
        char needed[64], *save = NULL;
        cleanup_free char *have = NULL;

        dirname(parent);
        have = cg_read(parent, "cgroup.subtree_control");
        rc_cgroup_needed_controllers(l, needed, sizeof(needed));
        for (char *c = strtok_r(needed, " ", &save); c; c = strtok_r(NULL, " ", &save)) {
                char add[32];
                if (have && cg_list_has(have, c))
                        continue;
                snprintf(add, sizeof(add), "+%s", c);
                if (cg_write(parent, "cgroup.subtree_control", add, err) < 0)
                        return rc_error_hint(err, "the %s controller is not available to the container's cgroup", c);
        }
        {
                cleanup_free char *swap = xasprintf("%s/memory.swap.max", cg->path);
                return cg_write_limits(cg->path, l, access(swap, F_OK) == 0, err);
        }
}

static void fs_release(struct rc_cgroup *cg)
{
        rc_error *e = NULL;

        /* the pid namespace took every process with the container's first;
         * what the kernel has not reaped yet is waited for */
        if (!cg_wait_event(cg->path, "populated", "0", 100)) {
                if (rc_cgroup_kill(cg, &e) < 0) {
                        rc_warn("container cgroup %s: %s", cg->path, e->msg);
                        rc_error_free(e);
                }
                cg_wait_event(cg->path, "populated", "0", 5000);
        }
        if (rmdir(cg->path) < 0 && errno != ENOENT)
                rc_warn("remove cgroup %s: %s", cg->path, strerror(errno));
}

const struct cg_backend cg_cgroupfs_backend = {
        .type = RC_CGROUP_CGROUPFS,
        .name = "cgroupfs",
        .probe = fs_probe,
        .enter = fs_enter,
        .update = fs_update,
        .release = fs_release,
};
