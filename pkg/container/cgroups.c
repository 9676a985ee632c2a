/* A container's cgroup: placing its process, letting go of it, and the
 * commands that work on a running container's cgroup (pause, unpause,
 * update, stats). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "container/internal.h"
#include "userns/userns.h"
#include "util/fs.h"
#include "util/xalloc.h"

#define OOM_FILE "oom-killed" /* in the container's directory: its last run ended by the OOM killer */

int ctr_cgroup_place(void *ctx, pid_t pid, rc_error **err)
{
        struct ctr_state *st = ctx;
        cleanup_free char *desc = xasprintf("rc container %s", st->rec.name);
        cleanup_free char *oom = st->dir ? xasprintf("%s/" OOM_FILE, st->dir) : NULL;
        rc_error *e = NULL;

        if (oom)
                unlink(oom);
        rc_cgroup_free(st->cgroup);
        st->cgroup = NULL;
        if (rc_cgroup_enter(st->cgroups, st->rec.id, desc, pid, &st->opts->limits, &st->cgroup, &e) == 0) {
                rc_timer_phase(&st->timer, "cgroup");
                return 0;
        }
        /* Chosen automatically and nothing to enforce: the container runs,
         * in rc's cgroup, and the user hears why. */
        if (strcmp(st->cfg->cgroup_manager, "auto") == 0 && !rc_cgroup_limits_any(&st->opts->limits)) {
                rc_warn("container %s runs without a cgroup of its own: %s (set [cgroups] manager = none to "
                        "skip this step)",
                        st->rec.name, e->msg);
                rc_error_free(e);
                return 0;
        }
        *err = e;
        return -1;
}

void ctr_cgroup_done(struct ctr_state *st)
{
        uint64_t oom;

        if (st->cgroup == NULL)
                return;
        oom = rc_cgroup_oom_kills(st->cgroup);
        if (oom > 0 && st->dir) {
                cleanup_free char *path = xasprintf("%s/" OOM_FILE, st->dir);
                char text[32];
                rc_error *e = NULL;
                snprintf(text, sizeof(text), "%llu\n", (unsigned long long)oom);
                if (rc_write_file(path, text, strlen(text), 0600, &e) < 0)
                        rc_error_free(e);
        }
        rc_cgroup_release(st->cgroup);
        rc_cgroup_free(st->cgroup);
        st->cgroup = NULL;
}

bool rc_container_oom_killed(const char *dir)
{
        cleanup_free char *path = xasprintf("%s/" OOM_FILE, dir);

        return access(path, F_OK) == 0;
}

/* The store, in rc's user namespace (the container's processes and files
 * belong to it), and the running container's record and cgroup. */
static int running_cgroup(const struct rc_config *cfg, const char *name_or_id, struct rc_store **s,
                          struct rc_container_rec *rec, struct rc_cgroup **cg, rc_error **err)
{
        struct rc_userns_state us;

        if (rc_userns_enter(cfg, &us, err) < 0)
                return -1;
        rc_userns_state_free(&us);
        if (rc_store_open(cfg->root, cfg->runroot, s, err) < 0 || rc_store_container_find(*s, name_or_id, rec, err) < 0)
                return -1;
        if (strcmp(rc_container_rec_status(rec), "running") != 0)
                return rc_error_code(err, ENOTCONN, "container %s is not running (it is %s)", rec->name,
                                     rc_container_rec_status(rec));
        if (rc_cgroup_of_container(rec->pid, rec->id, cg, err) < 0)
                return rc_error_wrap(err, "container %s", rec->name);
        return 0;
}

int rc_container_pause(const struct rc_config *cfg, const char *name_or_id, bool pause, rc_error **err)
{
        cleanup_store struct rc_store *s = NULL;
        struct rc_container_rec rec = { 0 };
        cleanup_cgroup struct rc_cgroup *cg = NULL;
        int r = -1;

        if (running_cgroup(cfg, name_or_id, &s, &rec, &cg, err) < 0)
                goto out;
        if (rc_cgroup_frozen(cg) == pause) {
                rc_error_code(err, EALREADY, pause ? "container %s is already paused" : "container %s is not paused",
                              rec.name);
                goto out;
        }
        r = rc_cgroup_freeze(cg, pause, err);
        if (r < 0)
                rc_error_wrap(err, "container %s", rec.name);
out:
        rc_container_rec_free(&rec);
        return r;
}

bool rc_container_paused(const struct rc_container_rec *rec)
{
        cleanup_cgroup struct rc_cgroup *cg = NULL;
        rc_error *e = NULL;

        if (strcmp(rc_container_rec_status(rec), "running") != 0)
                return false;
        if (rc_cgroup_of_container(rec->pid, rec->id, &cg, &e) < 0) {
                rc_error_free(e);
                return false;
        }
        return rc_cgroup_frozen(cg);
}

/* Merge the limits given to rc update into the container's. */
static void merge_limits(struct rc_cgroup_limits *to, const struct rc_cgroup_limits *from)
{
        if (from->memory)
                to->memory = from->memory;
        if (from->memory_swap)
                to->memory_swap = from->memory_swap;
        if (from->cpu_quota)
                to->cpu_quota = from->cpu_quota;
        if (from->cpu_weight)
                to->cpu_weight = from->cpu_weight;
        if (from->pids)
                to->pids = from->pids;
        if (from->io_weight)
                to->io_weight = from->io_weight;
}

int rc_container_update(const struct rc_config *cfg, const char *name_or_id, const struct rc_cgroup_limits *l,
                        rc_error **err)
{
        struct ctr_state st = { .cfg = cfg };
        struct rc_saved_opts saved = { 0 };
        struct rc_userns_state us;
        cleanup_cgroup struct rc_cgroup *cg = NULL;
        cleanup_free char *path = NULL;
        int r = -1;

        if (rc_userns_enter(cfg, &us, err) < 0)
                return -1;
        rc_userns_state_free(&us);
        if (rc_store_open(cfg->root, cfg->runroot, &st.store, err) < 0 || ctr_load(&st, name_or_id, &saved, err) < 0)
                goto out;
        merge_limits(&saved.opts.limits, l);
        /* the new set must hold together and be enforceable, as at create */
        if (rc_cgroup_limits_validate(&saved.opts.limits, err) < 0 ||
            rc_cgroup_check(st.cgroups, &saved.opts.limits, err) < 0)
                goto out;
        if (strcmp(rc_container_rec_status(&st.rec), "running") == 0) {
                if (rc_cgroup_of_container(st.rec.pid, st.rec.id, &cg, err) < 0 ||
                    rc_cgroup_update(cg, &saved.opts.limits, err) < 0) {
                        rc_error_wrap(err, "container %s", st.rec.name);
                        goto out;
                }
        }
        /* kept for the next start, as docker update does */
        path = rc_store_container_opts_path(st.store, &st.rec);
        r = rc_run_opts_save(&saved.opts, path, err);
out:
        ctr_state_free(&st);
        rc_saved_opts_free(&saved);
        return r;
}

int rc_container_cgroup_stats(const struct rc_container_rec *rec, struct rc_cgroup_stats *out, rc_error **err)
{
        cleanup_cgroup struct rc_cgroup *cg = NULL;

        if (rc_cgroup_of_container(rec->pid, rec->id, &cg, err) < 0)
                return rc_error_wrap(err, "container %s", rec->name);
        return rc_cgroup_stats(cg, out, err);
}
