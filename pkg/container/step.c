/* A build step's container: create, prepare, run in the foreground, hand
 * its changes to the caller, remove.  The same container as rc run's (the
 * same spec, isolation and seccomp filter); only its output goes straight
 * to rc's, with no log, and its writable layer outlives its process until
 * the caller has read it. */
#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "container/internal.h"
#include "userns/userns.h"
#include "util/xalloc.h"

static int run_process(struct ctr_state *st, int stdin_fd, int out_fd, int *exit_code, rc_error **err)
{
        struct rc_container_proc proc = { .pid = -1, .pidfd = -1, .terminal = -1, .tap = -1 };
        struct rc_runtime_stdio stdio = { .in = stdin_fd,
                                          .out = out_fd >= 0 ? out_fd : STDOUT_FILENO,
                                          .err = out_fd >= 0 ? out_fd : STDERR_FILENO };
        rc_error *e = NULL;

        int r;

        if (ctr_net_begin(st, err) < 0)
                return -1;
        if (rc_runtime_start(&st->spec, &stdio, &proc, err) < 0) {
                int errnum = rc_error_errno(*err);
                if (proc.exec_failed)
                        *exit_code = errnum == ENOENT ? 127 : errnum == EACCES ? 126 : 125;
                ctr_net_release(st);
                return -1;
        }
        if (ctr_net_started(st, &proc, err) < 0) {
                int ignored;
                syscall(SYS_pidfd_send_signal, proc.pidfd, SIGKILL, NULL, 0);
                rc_runtime_wait(&proc, &stdio, &ignored, &e);
                rc_error_free(e);
                ctr_net_release(st);
                return -1;
        }
        st->rec.pid = proc.pid;
        st->rec.pid_start = rc_process_start_time(proc.pid);
        if (rc_store_container_set_running(st->store, &st->rec, false, &e) < 0) {
                rc_debug("container %.12s: %s", st->rec.id, e->msg);
                rc_error_free(e);
        }
        r = rc_runtime_wait(&proc, &stdio, exit_code, err);
        ctr_net_release(st);
        return r;
}

int rc_container_run_step(const struct rc_config *cfg, const struct rc_run_opts *o, int stdin_fd, int out_fd,
                          rc_container_changes_fn changes, void *ctx, int *exit_code, rc_error **err)
{
        struct ctr_state st = { .cfg = cfg, .opts = o };
        struct rc_userns_state us;
        cleanup_strv char **layer_dirs = xcalloc(1, sizeof(char *));
        cleanup_free char *changes_dir = NULL;
        int r = -1;

        rc_timer_start(&st.timer, "build step");
        *exit_code = 125;
        if (ctr_check_opts(&st, err) < 0 || rc_userns_enter(cfg, &us, err) < 0)
                goto out;
        rc_userns_state_free(&us);
        if (rc_store_open(cfg->root, cfg->runroot, &st.store, err) < 0)
                goto out;
        /* monitored by this rc: rc_store_gc removes it if rc dies */
        if (ctr_create(&st, getpid(), err) < 0 || ctr_prepare(&st, err) < 0)
                goto out;
        for (size_t i = 0; st.image.layers && st.image.layers[i]; i++) {
                cleanup_free char *d = rc_store_layer_dir(st.store, st.image.layers[i]);
                strv_push(&layer_dirs, d);
        }
        changes_dir = xasprintf("%s/%s", st.dir, st.driver == RC_DRIVER_VFS ? "rootfs" : "upper");
        if (run_process(&st, stdin_fd, out_fd, exit_code, err) < 0)
                goto out;
        rc_timer_phase(&st.timer, "run");
        /* unmounted first: what the caller reads is final */
        ctr_teardown(&st, false);
        if (*exit_code == 0 && changes) {
                struct rc_container_changes c = { .driver = rc_storage_driver_name(st.driver), .dir = changes_dir,
                                                  .layer_dirs = layer_dirs };
                if (changes(ctx, &c, err) < 0)
                        goto out;
                rc_timer_phase(&st.timer, "changes");
        }
        r = 0;
out:
        ctr_teardown(&st, true);
        ctr_state_free(&st);
        rc_timer_total(&st.timer);
        return r;
}
