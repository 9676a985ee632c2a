/* A container's root file system for rc cp and rc export. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "container/target.h"
#include "userns/userns.h"
#include "util/log.h"
#include "util/xalloc.h"

void ctr_root_free(struct ctr_root *r)
{
        rc_error *e = NULL;

        if (r->fd >= 0)
                close(r->fd);
        if (r->loaded) {
                if (rc_rootfs_unmount(&r->st.rootfs, &e) < 0) {
                        rc_warn("%s", e->msg);
                        rc_error_free(e);
                }
                ctr_state_free(&r->st);
                rc_saved_opts_free(&r->saved);
        }
        ctr_target_free(&r->t);
}

/* The root mount of the running container alone: join its mount namespace
 * (rc is then root there: its user namespace was joined first) and clone
 * the mount at "/" without the mounts below it.  rc stays in that mount
 * namespace: only fds opened before lead back to the host. */
static int bare_root(const struct ctr_target *t, rc_error **err)
{
        int fd;

        if (setns(t->pidfd, CLONE_NEWNS) < 0)
                return rc_error_set(err, errno, "container %s: join its mount namespace", t->rec.name);
        fd = open_tree(AT_FDCWD, "/", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
        if (fd < 0)
                return rc_error_set(err, errno, "container %s: a copy of its root mount", t->rec.name);
        return fd;
}

int ctr_root_open(const struct rc_config *cfg, const char *name, bool bare, struct ctr_root *r, rc_error **err)
{
        struct rc_store *store = NULL;
        struct rc_userns_state us;
        cleanup_strv char **dirs = NULL, **blobs = NULL;

        memset(r, 0, sizeof(*r));
        r->fd = -1;
        r->t.pidfd = -1;
        if (ctr_target_find(cfg, name, false, &store, &r->t, err) < 0)
                return -1;
        if (r->t.running) {
                rc_store_close(store);
                if (ctr_target_enter_userns(&r->t, err) < 0)
                        return -1;
                r->fd = bare ? bare_root(&r->t, err) : ctr_target_root(&r->t, err);
                return r->fd < 0 ? -1 : 0;
        }
        /* not running: mount it as rc start would, in rc's own namespaces */
        r->st.cfg = cfg;
        r->st.store = store;
        r->loaded = true;
        if (rc_userns_enter(cfg, &us, err) < 0)
                return -1;
        rc_userns_state_free(&us);
        if (ctr_load(&r->st, name, &r->saved, err) < 0 || ctr_layer_paths(&r->st, &dirs, &blobs, err) < 0 ||
            rc_rootfs_mount(cfg, r->st.driver, dirs, blobs, r->st.dir, false, &r->st.rootfs, err) < 0)
                return rc_error_wrap(err, "container %s", r->t.rec.name);
        r->fd = open(r->st.rootfs.path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (r->fd < 0)
                return rc_error_set(err, errno, "container %s: open its root", r->t.rec.name);
        return 0;
}
