/* A cgroup's files: limits, freezing, killing, and finding a container's
 * cgroup from its process. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgroup/internal.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/xalloc.h"

int cg_write(const char *dir, const char *file, const char *value, rc_error **err)
{
        cleanup_free char *path = xasprintf("%s/%s", dir, file);
        cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);
        size_t len = strlen(value);

        if (fd < 0)
                return rc_error_set(err, errno, "open %s", path);
        /* a cgroup file takes one write; a short or failed one is its verdict */
        if (write(fd, value, len) != (ssize_t)len)
                return rc_error_set(err, errno, "write \"%s\" to %s", value, path);
        return 0;
}

char *cg_read(const char *dir, const char *file)
{
        cleanup_free char *path = xasprintf("%s/%s", dir, file);
        char *text = NULL;
        rc_error *e = NULL;

        if (rc_read_file(path, &text, NULL, &e) < 0) {
                rc_error_free(e);
                return NULL;
        }
        return text;
}

bool cg_list_has(const char *list, const char *word)
{
        size_t n = strlen(word);

        for (const char *p = list; p && (p = strstr(p, word)) != NULL; p += n)
                if ((p == list || p[-1] == ' ' || p[-1] == '\n') && (p[n] == ' ' || p[n] == '\n' || p[n] == '\0'))
                        return true;
        return false;
}

int cg_write_limits(const char *dir, const struct rc_cgroup_limits *l, bool swap, rc_error **err)
{
        struct rc_cgroup_setting s[RC_CGROUP_MAX_SETTINGS];
        size_t n = rc_cgroup_settings(l, swap, s);

        for (size_t i = 0; i < n; i++)
                if (cg_write(dir, s[i].file, s[i].value, err) < 0)
                        return -1;
        return 0;
}

static int64_t now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool cg_wait_event(const char *dir, const char *key, const char *value, int ms)
{
        cleanup_free char *path = xasprintf("%s/cgroup.events", dir);
        cleanup_free char *want = xasprintf("%s %s", key, value);
        cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
        int64_t deadline = now_ms() + ms;

        if (fd < 0)
                return false;
        for (;;) {
                char buf[256];
                ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
                struct pollfd p = { .fd = fd, .events = POLLPRI };
                int64_t left;

                if (n < 0)
                        return false;
                buf[n] = '\0';
                if (cg_list_has(buf, want))
                        return true;
                left = deadline - now_ms();
                if (left <= 0)
                        return false;
                /* kernfs notifies a change of cgroup.events as POLLPRI */
                if (poll(&p, 1, (int)(left < 50 ? left : 50)) < 0 && errno != EINTR)
                        return false;
        }
}

char *cg_path_of_pid(pid_t pid)
{
        char file[64];
        cleanup_free char *text = NULL;
        rc_error *e = NULL;
        char *save = NULL;

        snprintf(file, sizeof(file), "/proc/%d/cgroup", (int)pid);
        if (rc_read_file(file, &text, NULL, &e) < 0) {
                rc_error_free(e);
                return NULL;
        }
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
                if (strncmp(line, "0::", 3) == 0)
                        return xstrdup(line + 3);
        return NULL;
}

void rc_cgroup_free(struct rc_cgroup *cg)
{
        if (cg == NULL)
                return;
        free(cg->path);
        free(cg->unit);
        free(cg);
}

void rc_cgroup_freep(struct rc_cgroup **cg)
{
        rc_cgroup_free(*cg);
        *cg = NULL;
}

int rc_cgroup_freeze(const struct rc_cgroup *cg, bool frozen, rc_error **err)
{
        if (cg_write(cg->path, "cgroup.freeze", frozen ? "1" : "0", err) < 0)
                return rc_error_wrap(err, "%s the container", frozen ? "freeze" : "thaw");
        /* a task in an uninterruptible sleep delays freezing; the kernel
         * reports it done in cgroup.events */
        if (!cg_wait_event(cg->path, "frozen", frozen ? "1" : "0", 10000))
                return rc_error_set(err, ETIMEDOUT, "%s: the kernel did not report the cgroup %s within 10 s",
                                    cg->path, frozen ? "frozen" : "thawed");
        return 0;
}

bool rc_cgroup_frozen(const struct rc_cgroup *cg)
{
        cleanup_free char *ev = cg_read(cg->path, "cgroup.events");

        return ev && cg_list_has(ev, "frozen 1");
}

int rc_cgroup_kill(const struct rc_cgroup *cg, rc_error **err)
{
        rc_error *e = NULL;

        if (cg_write(cg->path, "cgroup.kill", "1", &e) == 0)
                return 0;
        if (rc_error_errno(e) != ENOENT) {
                *err = e;
                return -1;
        }
        rc_error_free(e);
        /* before Linux 5.14: each process, until none is left (a fork in
         * between adds one; a frozen cgroup is thawed so SIGKILL lands) */
        for (int round = 0; round < 20; round++) {
                cleanup_free char *procs = cg_read(cg->path, "cgroup.procs");
                char *save = NULL;
                if (procs == NULL || procs[0] == '\0')
                        return 0;
                for (char *l = strtok_r(procs, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
                        kill((pid_t)atoi(l), SIGKILL);
                cg_write(cg->path, "cgroup.freeze", "0", NULL);
                usleep(10000); /* no event says "all SIGKILLed processes are gone" on these kernels */
        }
        return rc_error_set(err, EBUSY, "%s: processes keep appearing", cg->path);
}

uint64_t rc_cgroup_oom_kills(const struct rc_cgroup *cg)
{
        cleanup_free char *ev = cg_read(cg->path, "memory.events");
        uint64_t v;

        if (ev == NULL)
                return 0;
        v = rc_cgroup_parse_keyed(ev, "oom_kill");
        return v == RC_CGROUP_UNKNOWN ? 0 : v;
}

/* The cgroup v2 file system: on its own, or beside v1 (hybrid). */
static const char *v2_mount(void)
{
        static const char *const mounts[] = { "/sys/fs/cgroup/unified", "/sys/fs/cgroup" };

        for (size_t i = 0; i < 2; i++) {
                cleanup_free char *f = xasprintf("%s/cgroup.controllers", mounts[i]);
                if (access(f, F_OK) == 0)
                        return mounts[i];
        }
        return NULL;
}

int rc_cgroup_of_container(pid_t pid, const char *id, struct rc_cgroup **out, rc_error **err)
{
        cleanup_free char *rel = cg_path_of_pid(pid);
        const char *base, *mount;
        char scope[80], dir[80];
        struct rc_cgroup *cg;

        if (rel == NULL)
                return rc_error_set(err, ESRCH, "the container's process %d is gone", (int)pid);
        base = strrchr(rel, '/');
        base = base ? base + 1 : rel;
        snprintf(scope, sizeof(scope), "rc-%s.scope", id);
        snprintf(dir, sizeof(dir), "rc-%s", id);
        mount = v2_mount();
        if (mount == NULL || (strcmp(base, scope) != 0 && strcmp(base, dir) != 0))
                return rc_error_code(err, ENOENT,
                                     "it has no cgroup of its own: it was started with cgroup manager "
                                     "none (its process is in %s)",
                                     rel);
        cg = xcalloc(1, sizeof(*cg));
        cg->type = strcmp(base, scope) == 0 ? RC_CGROUP_SYSTEMD : RC_CGROUP_CGROUPFS;
        cg->path = xasprintf("%s%s", mount, rel);
        if (cg->type == RC_CGROUP_SYSTEMD)
                cg->unit = xstrdup(scope);
        *out = cg;
        return 0;
}
