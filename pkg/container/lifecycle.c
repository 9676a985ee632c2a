/* Signalling, stopping, waiting for and removing containers. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "container/internal.h"
#include "images/images.h"
#include "userns/userns.h"
#include "util/fs.h"
#include "util/signal.h"
#include "util/xalloc.h"

#define MONITOR_EXIT_WAIT_MS 30000 /* a monitor drains output and unmounts after its container ends */

/* rc's user namespace (to signal processes of any uid in it) and the store. */
static int open_store(const struct rc_config *cfg, struct rc_store **s, rc_error **err)
{
        struct rc_userns_state us;

        if (rc_userns_enter(cfg, &us, err) < 0)
                return -1;
        rc_userns_state_free(&us);
        return rc_store_open(cfg->root, cfg->runroot, s, err);
}

/* A pidfd for (pid, start time), or -1 when that process is gone. */
static int pidfd_of(pid_t pid, uint64_t start)
{
        int fd;

        if (pid <= 0)
                return -1;
        fd = (int)syscall(SYS_pidfd_open, pid, 0);
        if (fd < 0)
                return -1;
        /* checked after opening: the pidfd then pins this very process */
        if (rc_process_start_time(pid) != start) {
                close(fd);
                return -1;
        }
        return fd;
}

/* Wait up to ms for the process behind pidfd to end; true if it did. */
static bool wait_pidfd(int fd, int ms)
{
        struct pollfd p = { .fd = fd, .events = POLLIN };
        int r;

        do
                r = poll(&p, 1, ms);
        while (r < 0 && errno == EINTR);
        return r > 0;
}

static int not_running(const struct rc_container_rec *rec, rc_error **err)
{
        return rc_error_set(err, ENOTCONN, "container %s is not running (it is %s): start it with rc start %s",
                            rec->name, rc_container_rec_status(rec), rec->name);
}

int rc_container_kill(const struct rc_config *cfg, const char *name_or_id, int sig, rc_error **err)
{
        cleanup_store struct rc_store *s = NULL;
        struct rc_container_rec rec = { 0 };
        cleanup_close int fd = -1;
        int r = -1;

        if (open_store(cfg, &s, err) < 0 || rc_store_container_find(s, name_or_id, &rec, err) < 0)
                return -1;
        if (strcmp(rc_container_rec_status(&rec), "running") != 0 || (fd = pidfd_of(rec.pid, rec.pid_start)) < 0) {
                not_running(&rec, err);
                goto out;
        }
        if (rc_store_container_set_stop_requested(s, rec.id, true, err) < 0)
                goto out;
        if (syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0) < 0) {
                rc_error_set(err, errno, "send %s to container %s", rc_signal_name(sig) ?: "the signal", rec.name);
                goto out;
        }
        r = 0;
out:
        rc_container_rec_free(&rec);
        return r;
}

/* The stop signal: --stop-signal, else the image's StopSignal, else SIGTERM. */
static int stop_signal(struct rc_store *s, const struct rc_container_rec *rec, const struct rc_saved_opts *saved)
{
        struct rc_image img = { 0 };
        struct rc_image_config config = { 0 };
        rc_error *e = NULL;
        int sig = -1;

        if (saved->opts.stop_signal)
                sig = rc_signal_parse(saved->opts.stop_signal);
        if (sig <= 0 && rc_images_resolve(s, rec->image_id, &img, &e) == 0 &&
            rc_images_load_config(s, &img, &config, &e) == 0 && config.stop_signal)
                sig = rc_signal_parse(config.stop_signal);
        rc_error_free(e);
        rc_image_config_free(&config);
        rc_image_free(&img);
        return sig > 0 ? sig : SIGTERM;
}

/* End the container's process (sig, then SIGKILL after timeout_ms) and wait
 * for its monitor to record that and let go of its root. */
static int stop_process(struct rc_store *s, const struct rc_container_rec *rec, int sig, int timeout_ms,
                        rc_error **err)
{
        cleanup_close int fd = pidfd_of(rec->pid, rec->pid_start);
        cleanup_close int monitor = pidfd_of(rec->monitor_pid, rec->monitor_start);
        cleanup_cgroup struct rc_cgroup *cg = NULL;
        rc_error *e = NULL;

        if (rc_store_container_set_stop_requested(s, rec->id, true, err) < 0)
                return -1;
        /* its cgroup, looked up while its first process is alive */
        if (fd >= 0 && rc_cgroup_of_container(rec->pid, rec->id, &cg, &e) < 0) {
                rc_error_free(e);
                e = NULL;
        }
        /* a paused container is thawed so that it can act on the signal */
        if (cg && rc_cgroup_frozen(cg) && rc_cgroup_freeze(cg, false, &e) < 0) {
                rc_warn("%s", e->msg);
                rc_error_free(e);
                e = NULL;
        }
        if (fd >= 0) {
                if (timeout_ms > 0 && syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0) == 0 &&
                    wait_pidfd(fd, timeout_ms))
                        goto stopped;
                /* every process of the cgroup at once, whatever it forked
                 * (the pid namespace ends them all with the first anyway,
                 * but a cgroup.kill is one atomic step) */
                if (cg && rc_cgroup_kill(cg, &e) < 0) {
                        rc_debug("%s", e->msg);
                        rc_error_free(e);
                }
                syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0);
                if (!wait_pidfd(fd, MONITOR_EXIT_WAIT_MS))
                        return rc_error_set(err, ETIMEDOUT, "container %s did not end after SIGKILL", rec->name);
        }
stopped:
        if (monitor >= 0 && !wait_pidfd(monitor, MONITOR_EXIT_WAIT_MS))
                return rc_error_set(err, ETIMEDOUT, "the monitor of container %s (pid %d) did not finish", rec->name,
                                    (int)rec->monitor_pid);
        return 0;
}

static int load_saved(struct rc_store *s, const struct rc_container_rec *rec, struct rc_saved_opts *saved,
                      rc_error **err)
{
        cleanup_free char *path = rc_store_container_opts_path(s, rec);

        return rc_run_opts_load(path, saved, err);
}

int rc_container_load_opts(struct rc_store *s, const char *name_or_id, struct rc_container_rec *rec,
                           struct rc_saved_opts *saved, rc_error **err)
{
        if (rc_store_container_find(s, name_or_id, rec, err) < 0)
                return -1;
        if (load_saved(s, rec, saved, err) < 0) {
                rc_container_rec_free(rec);
                return rc_error_wrap(err, "container %s", name_or_id);
        }
        return 0;
}

int rc_container_stop(const struct rc_config *cfg, const char *name_or_id, int timeout, rc_error **err)
{
        cleanup_store struct rc_store *s = NULL;
        struct rc_container_rec rec = { 0 };
        struct rc_saved_opts saved = { 0 };
        rc_error *e = NULL;
        int r = -1;

        if (open_store(cfg, &s, err) < 0 || rc_store_container_find(s, name_or_id, &rec, err) < 0)
                return -1;
        /* a monitor alive between two runs (a restart's back-off) is stopped too */
        if (strcmp(rc_container_rec_status(&rec), "running") != 0 && !rc_container_rec_running(&rec)) {
                r = 0;
                goto out;
        }
        if (load_saved(s, &rec, &saved, &e) < 0) {
                rc_error_free(e); /* stopping goes on with the defaults */
                saved.opts.stop_timeout = -1;
        }
        if (timeout < 0)
                timeout = saved.opts.stop_timeout >= 0 ? saved.opts.stop_timeout : 10;
        r = stop_process(s, &rec, stop_signal(s, &rec, &saved), timeout * 1000, err);
out:
        rc_saved_opts_free(&saved);
        rc_container_rec_free(&rec);
        return r;
}

static int read_exit_file(const struct rc_config *cfg, const char *id, int *exit_code)
{
        cleanup_free char *path = xasprintf("%s/exits/%s", cfg->runroot, id);
        cleanup_free char *text = NULL;
        rc_error *e = NULL;

        if (rc_read_file(path, &text, NULL, &e) < 0) {
                rc_error_free(e);
                return -1;
        }
        *exit_code = atoi(text);
        return 0;
}

int rc_container_wait(const struct rc_config *cfg, const char *name_or_id, int *exit_code, rc_error **err)
{
        cleanup_store struct rc_store *s = NULL;
        struct rc_container_rec rec = { 0 };
        char id[RC_DIGEST_HEX_LEN + 1];
        pid_t pid;

        if (open_store(cfg, &s, err) < 0 || rc_store_container_find(s, name_or_id, &rec, err) < 0)
                return -1;
        memcpy(id, rec.id, sizeof(id));
        pid = rec.pid;
        for (;;) {
                const char *status = rc_container_rec_status(&rec);
                if (strcmp(status, "exited") == 0 || (strcmp(status, "running") == 0 && rec.pid != pid)) {
                        *exit_code = strcmp(status, "exited") == 0 ? rec.exit_code : 0;
                        rc_container_rec_free(&rec);
                        return 0;
                }
                if (strcmp(status, "running") == 0) {
                        cleanup_close int fd = pidfd_of(rec.pid, rec.pid_start);
                        if (fd >= 0)
                                wait_pidfd(fd, -1);
                        else
                                pid = -1; /* gone already: the next record says how */
                } else {
                        /* created: wait for it to start and end */
                        struct timespec ts = { 0, 50 * 1000 * 1000 };
                        nanosleep(&ts, NULL);
                }
                rc_container_rec_free(&rec);
                /* the monitor records the exit a moment after the process ends */
                for (int i = 0; i < 3000; i++) {
                        if (rc_store_container_find(s, id, &rec, err) < 0) {
                                /* removed (--rm): its monitor left the status behind */
                                if (rc_error_errno(*err) == ENOENT && read_exit_file(cfg, id, exit_code) == 0) {
                                        rc_error_free(*err);
                                        *err = NULL;
                                        return 0;
                                }
                                return -1;
                        }
                        if (strcmp(rc_container_rec_status(&rec), "running") != 0 || rec.pid != pid ||
                            strcmp(rec.state, "created") == 0)
                                break;
                        rc_container_rec_free(&rec);
                        struct timespec ts = { 0, 10 * 1000 * 1000 };
                        nanosleep(&ts, NULL);
                }
                if (rec.id[0] == '\0')
                        return rc_error_set(err, ETIMEDOUT, "container %s: its exit was never recorded", name_or_id);
        }
}

/* A fuse-overlayfs daemon still serving run_dir/merged: its rc was killed
 * before it could unmount.  Found by its command line, ended. */
static void kill_orphan_fuse(const char *run_dir)
{
        cleanup_free char *merged = xasprintf("%s/merged", run_dir);
        cleanup_closedir DIR *d = opendir("/proc");
        struct dirent *de;

        if (d == NULL)
                return;
        while ((de = readdir(d))) {
                char path[64];
                cleanup_free char *cmdline = NULL;
                size_t len = 0;
                rc_error *e = NULL;
                bool fuse = false, ours = false;
                pid_t pid = (pid_t)atoi(de->d_name);

                if (pid <= 0)
                        continue;
                snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
                if (rc_read_file(path, &cmdline, &len, &e) < 0) {
                        rc_error_free(e);
                        continue;
                }
                for (size_t off = 0; off < len; off += strlen(cmdline + off) + 1) {
                        const char *arg = cmdline + off;
                        const char *base = strrchr(arg, '/');
                        if (off == 0)
                                fuse = strcmp(base ? base + 1 : arg, "fuse-overlayfs") == 0;
                        else if (strcmp(arg, merged) == 0)
                                ours = true;
                }
                if (fuse && ours) {
                        uint64_t start = rc_process_start_time(pid);
                        cleanup_close int fd = pidfd_of(pid, start);
                        if (fd < 0)
                                continue;
                        syscall(SYS_pidfd_send_signal, fd, SIGTERM, NULL, 0);
                        if (!wait_pidfd(fd, 2000))
                                syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0);
                }
        }
}

static int remove_container(const struct rc_config *cfg, struct rc_store *s, const char *name_or_id, bool force,
                            bool volumes, rc_error **err)
{
        struct rc_container_rec rec = { 0 };
        cleanup_free char *run_dir = NULL;
        int r = -1;

        if (rc_store_container_find(s, name_or_id, &rec, err) < 0)
                return -1;
        run_dir = rc_store_container_run_dir(s, rec.id);
        if (strcmp(rc_container_rec_status(&rec), "running") == 0) {
                if (!force) {
                        rc_error_set(err, EBUSY,
                                     "cannot remove container %s as it is running: stop it first (rc stop %s) or "
                                     "use rc rm -f",
                                     rec.name, rec.name);
                        goto out;
                }
                if (stop_process(s, &rec, SIGKILL, 0, err) < 0)
                        goto out;
        } else if (strcmp(rec.state, "running") == 0) {
                /* its monitor was killed: what it held may still be there */
                cleanup_close int fd = pidfd_of(rec.pid, rec.pid_start);
                if (fd >= 0) {
                        syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0);
                        wait_pidfd(fd, 5000);
                }
                kill_orphan_fuse(run_dir);
        }
        r = volumes ? rc_store_container_remove_with_volumes(s, rec.id, err) : rc_store_container_remove(s, rec.id, err);
out:
        rc_container_rec_free(&rec);
        return r;
}

int rc_container_remove(const struct rc_config *cfg, struct rc_store *s, const char *name_or_id, bool force,
                        rc_error **err)
{
        return remove_container(cfg, s, name_or_id, force, false, err);
}

int rc_container_remove_with_volumes(const struct rc_config *cfg, struct rc_store *s, const char *name_or_id,
                                     bool force, rc_error **err)
{
        return remove_container(cfg, s, name_or_id, force, true, err);
}
