/* Reaching an existing container from exec, cp and top. */
#include "container/target.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/fs.h"
#include "util/xalloc.h"

#define MAX_CONFIG_JSON (4 * 1024 * 1024)

void ctr_target_free(struct ctr_target *t)
{
        rc_container_rec_free(&t->rec);
        free(t->dir);
        free(t->run_dir);
        free(t->opts_path);
        if (t->pidfd >= 0)
                close(t->pidfd);
        memset(t, 0, sizeof(*t));
        t->pidfd = -1;
}

/* A pidfd for the record's process, or -1 when that process is gone. */
static int open_pidfd(pid_t pid, uint64_t start)
{
        int fd;

        if (pid <= 0 || start == 0)
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

int ctr_target_find(const struct rc_config *cfg, const char *name_or_id, bool need_running, struct rc_store **store,
                    struct ctr_target *out, rc_error **err)
{
        cleanup_store struct rc_store *s = NULL;
        struct ctr_target t = { .pidfd = -1 };

        if (rc_store_open(cfg->root, cfg->runroot, &s, err) < 0 ||
            rc_store_container_find(s, name_or_id, &t.rec, err) < 0)
                return -1;
        t.dir = rc_store_container_dir(s, t.rec.id);
        t.run_dir = rc_store_container_run_dir(s, t.rec.id);
        t.opts_path = rc_store_container_opts_path(s, &t.rec);
        if (strcmp(rc_container_rec_status(&t.rec), "running") == 0)
                t.pidfd = open_pidfd(t.rec.pid, t.rec.pid_start);
        t.running = t.pidfd >= 0;
        if (need_running && !t.running) {
                /* the message says it all: no strerror(ENOTCONN) after it */
                rc_error_set(err, 0, "container %s is not running: start it with rc start %s", t.rec.name,
                             t.rec.name);
                if (err && *err)
                        (*err)->errnum = ENOTCONN;
                ctr_target_free(&t);
                return -1;
        }
        if (store)
                *store = steal_pointer(&s);
        *out = t;
        return 0;
}

int ctr_target_enter_userns(const struct ctr_target *t, rc_error **err)
{
        char path[64];
        struct stat self, other;

        if (!t->running)
                return rc_error_set(err, ENOTCONN, "container %s is not running", t->rec.name);
        snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)t->rec.pid);
        if (stat("/proc/self/ns/user", &self) < 0 || stat(path, &other) < 0)
                return rc_error_set(err, errno, "container %s: its user namespace", t->rec.name);
        if (self.st_dev == other.st_dev && self.st_ino == other.st_ino)
                return 0; /* rc runs as root on the host: so do its containers */
        /* the pidfd names the very process whose start time was checked */
        if (setns(t->pidfd, CLONE_NEWUSER) < 0)
                return rc_error_set(err, errno, "container %s: join its user namespace", t->rec.name);
        return 0;
}

int ctr_target_root(const struct ctr_target *t, rc_error **err)
{
        char path[64];
        int fd;

        if (!t->running)
                return rc_error_set(err, ENOTCONN, "container %s is not running", t->rec.name);
        snprintf(path, sizeof(path), "/proc/%d/root", (int)t->rec.pid);
        fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return rc_error_set(err, errno == ENOENT ? ESRCH : errno, "container %s: open its root", t->rec.name);
        /* alive after the open: the root was its, not a successor's */
        if (syscall(SYS_pidfd_send_signal, t->pidfd, 0, NULL, 0) < 0) {
                close(fd);
                return rc_error_set(err, ESRCH, "container %s is not running: its process ended", t->rec.name);
        }
        return fd;
}

int ctr_target_spec(const struct ctr_target *t, struct rc_spec *spec, rc_error **err)
{
        cleanup_free char *path = ctr_config_path(t->run_dir, t->dir);
        cleanup_free char *text = NULL;
        cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        struct stat st;
        size_t len;

        if (fd < 0)
                return rc_error_set(err, errno, "container %s: %s", t->rec.name, path);
        if (fstat(fd, &st) < 0)
                return rc_error_set(err, errno, "container %s: %s", t->rec.name, path);
        if (!S_ISREG(st.st_mode) || st.st_size > MAX_CONFIG_JSON)
                return rc_error_set(err, EINVAL, "container %s: %s is not a regular file of at most 4 MiB",
                                    t->rec.name, path);
        if (rc_read_fd(fd, &text, &len, err) < 0 || rc_spec_from_json(text, len, spec, err) < 0)
                return rc_error_wrap(err, "container %s", t->rec.name);
        return 0;
}
