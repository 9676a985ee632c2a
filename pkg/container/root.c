/* A container's root file system for rc cp and rc export. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "container/target.h"
#include "userns/userns.h"
#include "util/fd.h"
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

/* The root mount of the running container alone: a child joins its mount
 * namespace (rc is root there: the container's user namespace was joined
 * first), clones the mount at "/" without the mounts below it and hands
 * the detached copy back.  rc itself never leaves its own mount namespace,
 * and the copy is reached only through that fd. */
static int bare_root(const struct ctr_target *t, rc_error **err)
{
        int sv[2], fd, status;
        pid_t pid;

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
                return rc_error_set(err, errno, "socketpair");
        pid = fork();
        if (pid < 0) {
                int e = errno;
                close(sv[0]);
                close(sv[1]);
                return rc_error_set(err, e, "fork");
        }
        if (pid == 0) {
                int tree = -1;
                close(sv[0]);
                if (setns(t->pidfd, CLONE_NEWNS) == 0)
                        tree = open_tree(AT_FDCWD, "/", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
                rc_fd_send(sv[1], tree < 0 ? errno : 0, tree);
                _exit(0);
        }
        close(sv[1]);
        fd = rc_fd_recv(sv[0]);
        status = errno;
        close(sv[0]);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                ;
        if (fd < 0)
                return rc_error_set(err, status, "container %s: a copy of its root mount", t->rec.name);
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
            ctr_run_dir_ensure(&r->st, err) < 0 ||
            rc_rootfs_mount(cfg, r->st.driver, dirs, blobs, r->st.dir, r->st.run_dir, false, &r->st.rootfs, err) < 0)
                return rc_error_wrap(err, "container %s", r->t.rec.name);
        r->fd = open(r->st.rootfs.path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (r->fd < 0)
                return rc_error_set(err, errno, "container %s: open its root", r->t.rec.name);
        return 0;
}
