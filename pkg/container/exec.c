/* rc exec: a new process in a running container, set up like its first
 * process (config.json) with the caller's changes. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "container/internal.h"
#include "container/target.h"
#include "seccomp/seccomp.h"
#include "util/log.h"
#include "util/xalloc.h"

extern char **environ;

/* Every capability the kernel knows: exec --privileged. */
static char **all_caps(void)
{
        char **v = xcalloc(1, sizeof(char *));
        int last = 40;
        FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");

        if (f) {
                if (fscanf(f, "%d", &last) != 1)
                        last = 40;
                fclose(f);
        }
        for (int c = 0; c <= last && rc_cap_name(c); c++)
                strv_push(&v, rc_cap_name(c));
        return v;
}

/* -u USER[:GROUP], resolved in the container's own /etc/passwd and
 * /etc/group as its running root has them, never outside that root. */
static int exec_user(const struct ctr_target *t, const char *user, struct rc_spec *spec, rc_error **err)
{
        cleanup_close int root = ctr_target_root(t, err);
        cleanup_container_user struct rc_container_user u = { 0 };
        char root_path[64];

        if (root < 0)
                return -1;
        /* the verified fd, reopened by ctr_resolve_user's openat2 root */
        snprintf(root_path, sizeof(root_path), "/proc/self/fd/%d", root);
        if (ctr_resolve_user(root_path, user, &u, err) < 0)
                return rc_error_wrap(err, "container %s: user %s", t->rec.name, user);
        spec->uid = u.uid;
        spec->gid = u.gid;
        free(spec->additional_gids);
        spec->additional_gids = steal_pointer(&u.groups);
        spec->n_additional_gids = u.n_groups;
        return 0;
}

/* The container's seccomp profile (create.json: rc's default, unconfined,
 * or its copy of a JSON profile), compiled for the process's bounding set. */
static int exec_seccomp(const struct rc_config *cfg, const struct ctr_target *t, struct rc_spec *spec, rc_error **err)
{
        const char *path = t->opts_path;
        cleanup_free char *cache = xasprintf("%s/seccomp", cfg->runroot);
        cleanup_seccomp_profile struct rc_seccomp_profile *p = NULL;
        struct rc_saved_opts saved;
        int r = 0;

        if (rc_run_opts_load(path, &saved, err) < 0)
                return rc_error_wrap(err, "container %s", t->rec.name);
        if (saved.opts.seccomp == NULL)
                p = rc_seccomp_profile_default();
        else if (strcmp(saved.opts.seccomp, "unconfined") != 0 && rc_seccomp_profile_read(saved.opts.seccomp, &p, err) < 0)
                r = rc_error_wrap(err, "container %s: its seccomp profile", t->rec.name);
        rc_saved_opts_free(&saved);
        if (r == 0 && p)
                r = rc_seccomp_filter_get(p, spec->cap_bounding, cache, &spec->seccomp, err);
        return r;
}

/* The process: config.json's, with the command, user, working directory,
 * environment and capabilities the caller asked for. */
static int exec_spec(const struct rc_config *cfg, const struct ctr_target *t, const struct rc_exec_opts *o,
                     struct rc_spec *spec, rc_error **err)
{
        char **env;
        char *cwd = NULL;

        if (ctr_target_spec(t, spec, err) < 0)
                return -1;
        strv_free(spec->args);
        spec->args = strv_dup(o->cmd);
        /* the container's environment, then -e and --env-file (KEY alone: rc's value) */
        env = rc_container_env(spec->env, o->env, environ, NULL, NULL);
        strv_free(spec->env);
        spec->env = env;
        if (rc_container_workdir(spec->cwd, o->workdir, &cwd, err) < 0)
                return -1;
        free(spec->cwd);
        spec->cwd = cwd;
        if (o->user && exec_user(t, o->user, spec, err) < 0)
                return -1;
        if (o->privileged) {
                strv_free(spec->cap_bounding);
                strv_free(spec->cap_effective);
                strv_free(spec->cap_permitted);
                spec->cap_bounding = all_caps();
                spec->cap_effective = all_caps();
                spec->cap_permitted = all_caps();
        }
        return exec_seccomp(cfg, t, spec, err);
}

/* The container's cgroup.procs for writing, or -1 when it has no cgroup of
 * its own (cgroup manager none) or it cannot be opened. */
static int open_cgroup_procs(const struct ctr_target *t)
{
        cleanup_cgroup struct rc_cgroup *cg = NULL;
        cleanup_free char *path = NULL;
        rc_error *e = NULL;
        int fd;

        if (rc_cgroup_of_container(t->rec.pid, t->rec.id, &cg, &e) < 0) {
                rc_debug("exec: %s", e->msg);
                rc_error_free(e);
                return -1;
        }
        path = xasprintf("%s/cgroup.procs", cg->path);
        fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                rc_info("exec: the process is not in the container's cgroup: %s: %m", path);
        return fd;
}

int ctr_exec_start(const struct rc_config *cfg, const struct ctr_target *t, const struct rc_exec_opts *o,
                   const struct rc_runtime_stdio *stdio, struct rc_container_proc *proc, rc_error **err)
{
        struct rc_spec spec = { 0 };
        cleanup_close int cgroup_fd = -1;
        int r = -1;

        if (exec_spec(cfg, t, o, &spec, err) < 0)
                goto out;
        cgroup_fd = open_cgroup_procs(t);
        r = rc_runtime_exec(t->rec.pid, t->rec.pid_start, &spec, cgroup_fd, stdio, proc, err);
        if (r < 0 && !proc->exec_failed && rc_error_errno(*err) == ESRCH)
                rc_error_wrap(err, "container %s is not running", t->rec.name);
out:
        rc_spec_free(&spec);
        return r;
}

int rc_container_exec(const struct rc_config *cfg, const char *name_or_id, const struct rc_exec_opts *o,
                      int *exit_code, rc_error **err)
{
        struct ctr_target t;
        struct rc_container_proc proc = { .pid = -1, .pidfd = -1, .terminal = -1, .tap = -1 };
        struct rc_runtime_stdio stdio = { .in = o->interactive ? STDIN_FILENO : -1,
                                          .out = STDOUT_FILENO,
                                          .err = STDERR_FILENO,
                                          .terminal = o->tty };
        struct rc_timer timer;
        int r = -1;

        *exit_code = 125;
        if (o->cmd == NULL || o->cmd[0] == NULL)
                return rc_error_set(err, EINVAL, "exec needs a command to run in the container");
        rc_timer_start(&timer, "exec");
        if (ctr_target_find(cfg, name_or_id, true, NULL, &t, err) < 0)
                return -1;
        rc_timer_phase(&timer, "store and record");
        if (ctr_target_enter_userns(&t, err) < 0) {
                ctr_target_free(&t);
                return -1;
        }
        rc_timer_phase(&timer, "user namespace");
        if (o->detach) {
                /* nobody relays a terminal or input for it: it is on its own */
                stdio = (struct rc_runtime_stdio){ .in = -1, .out = -1, .err = -1 };
        } else if (o->tty) {
                struct winsize ws;
                if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 || ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0) {
                        stdio.rows = ws.ws_row;
                        stdio.cols = ws.ws_col;
                }
        }
        if (ctr_exec_start(cfg, &t, o, &stdio, &proc, err) < 0) {
                int e = rc_error_errno(*err);
                if (proc.exec_failed)
                        *exit_code = e == ENOENT ? 127 : e == EACCES ? 126 : 125;
                goto out;
        }
        rc_timer_phase(&timer, "start (fork to exec)");
        if (o->detach) {
                /* rc's child until rc exits; then its reaper's */
                close(proc.pidfd);
                proc.pidfd = -1;
                *exit_code = 0;
                r = 0;
                goto out;
        }
        if (rc_runtime_wait(&proc, &stdio, exit_code, err) < 0)
                *exit_code = 125;
        else
                r = 0;
        rc_timer_phase(&timer, "wait");
out:
        rc_timer_total(&timer);
        if (proc.pidfd >= 0)
                close(proc.pidfd);
        if (proc.terminal >= 0)
                close(proc.terminal);
        ctr_target_free(&t);
        return r;
}
