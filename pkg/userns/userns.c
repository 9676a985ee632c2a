/* Entering rc's user namespace: join the pause process (fast path), create
 * it under a lock (slow path), or map a namespace for this process alone
 * ([userns] pause = false).  Then a private mount namespace. */
#include "userns/userns.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "userns/internal.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/xalloc.h"

void rc_userns_identity_current(struct rc_userns_identity *id, char **name_buf)
{
        struct passwd *pw = getpwuid(getuid());

        *name_buf = pw && pw->pw_name && *pw->pw_name ? xstrdup(pw->pw_name) : NULL;
        id->user = *name_buf;
        id->uid = getuid();
        id->gid = getgid();
}

int rc_userns_mapping_load(const struct rc_config *cfg, struct rc_userns_mapping *out, rc_error **err)
{
        struct rc_userns_identity id;
        cleanup_free char *name = NULL;
        struct rc_diag d;

        rc_userns_identity_current(&id, &name);
        switch (rc_subid_diagnose(cfg->subuid_file, cfg->subgid_file, &id, out, &d)) {
        case RC_DIAG_FAIL:
                rc_error_set(err, 0, "%s%s%s%s", d.detail, d.fix ? "; to fix it" : "",
                             d.fix ? (d.fix_needs_root ? ", run as root: " : ": ") : "", d.fix ? d.fix : "");
                rc_diag_free(&d);
                return -1;
        case RC_DIAG_WARN:
                rc_warn("%s (to fix it, run as root: %s)", d.detail, d.fix);
                break;
        case RC_DIAG_OK:
                break;
        }
        rc_diag_free(&d);
        return 0;
}

void rc_userns_state_free(struct rc_userns_state *s)
{
        rc_userns_mapping_free(&s->mapping);
}

static bool sysctl_is(const char *path, const char *value)
{
        cleanup_free char *v = NULL;

        if (rc_read_file(path, &v, NULL, NULL) < 0)
                return false;
        v[strcspn(v, "\n")] = '\0';
        return strcmp(v, value) == 0;
}

const char *userns_unshare_hint(int errnum)
{
        if (sysctl_is("/proc/sys/kernel/unprivileged_userns_clone", "0"))
                return "unprivileged user namespaces are disabled; to allow them, run as root: "
                       "sysctl -w kernel.unprivileged_userns_clone=1";
        if (sysctl_is("/proc/sys/user/max_user_namespaces", "0"))
                return "user namespaces are disabled (user.max_user_namespaces = 0); to allow them, run as root: "
                       "sysctl -w user.max_user_namespaces=15000";
        if (errnum == ENOSPC)
                return "the limit user.max_user_namespaces is reached; raise it as root: "
                       "sysctl -w user.max_user_namespaces=15000";
        if (sysctl_is("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", "1"))
                return "AppArmor restricts user namespaces to programs with a profile; install rc's "
                       "(make install puts it in /etc/apparmor.d/rc)";
        return "run 'rc system check' to find out why";
}

/* runroot holds the pid file and lock: it must be ours and private. */
static int ensure_runroot(const char *dir, rc_error **err)
{
        struct stat st;

        if (rc_mkdir_p(dir, 0700, err) < 0)
                return rc_error_wrap(err, "runtime directory (set [storage] runroot or XDG_RUNTIME_DIR)");
        if (lstat(dir, &st) < 0)
                return rc_error_set(err, errno, "runtime directory %s", dir);
        if (!S_ISDIR(st.st_mode))
                return rc_error_set(err, ENOTDIR, "runtime directory %s: remove it or set [storage] runroot", dir);
        if (st.st_uid != getuid())
                return rc_error_set(err, 0,
                                    "runtime directory %s belongs to uid %u, not to you (uid %u); remove it (as "
                                    "root: rm -rf %s) or set [storage] runroot in rootless.conf to a directory of "
                                    "your own",
                                    dir, (unsigned)st.st_uid, (unsigned)getuid(), dir);
        if (st.st_mode & 022)
                return rc_error_set(err, 0, "runtime directory %s is writable by others (mode %03o): chmod 700 %s",
                                    dir, (unsigned)(st.st_mode & 0777), dir);
        return 0;
}

static int private_mounts(rc_error **err)
{
        if (unshare(CLONE_NEWNS) < 0)
                return rc_error_set(err, errno, "create a mount namespace");
        /* nothing rc mounts may propagate back, nor host mounts in */
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return rc_error_set(err, errno, "make mounts private");
        return 0;
}

static int find_helpers(const struct rc_config *cfg, char **u, char **g, rc_error **err)
{
        struct rc_diag d;

        if (rc_idmap_helpers_diagnose(cfg->newuidmap, cfg->newgidmap, NULL, u, g, &d) == RC_DIAG_OK) {
                rc_diag_free(&d);
                return 0;
        }
        rc_error_set(err, 0, "%s; to fix it%s%s", d.detail, d.fix_needs_root ? ", run as root: " : ": ", d.fix);
        rc_diag_free(&d);
        return -1;
}

/* [userns] pause = false: a namespace for this process only.  A helper
 * forked beforehand stays in the parent namespace and maps us once we
 * have unshared. */
static int enter_private(const char *uidmap, const char *gidmap, const struct rc_userns_mapping *m,
                         rc_error **err)
{
        cleanup_close int s0 = -1;
        pid_t self = getpid(), helper;
        char buf[2048];
        int sv[2], status, e;
        ssize_t n;

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
                return rc_error_set(err, errno, "socketpair");
        s0 = sv[0];
        helper = fork();
        if (helper < 0) {
                close(sv[1]);
                return rc_error_set(err, errno, "fork");
        }
        if (helper == 0) {
                rc_error *he = NULL;
                char c;
                close(sv[0]);
                do
                        n = recv(sv[1], &c, 1, 0);
                while (n < 0 && errno == EINTR);
                if (n != 1)
                        _exit(1);
                if (userns_map_pid(uidmap, gidmap, self, m, &he) < 0) {
                        char *msg = xasprintf("E%s", he->msg);
                        send(sv[1], msg, strlen(msg), MSG_NOSIGNAL);
                        _exit(1);
                }
                send(sv[1], "K", 1, MSG_NOSIGNAL);
                _exit(0);
        }
        close(sv[1]);
        if (unshare(CLONE_NEWUSER) < 0) {
                e = errno; /* EINVAL: only a single-threaded process can */
                close(steal_fd(&s0)); /* the helper sees EOF and exits */
                waitpid(helper, &status, 0);
                return rc_error_set(err, e, "create a user namespace (%s)", userns_unshare_hint(e));
        }
        if (send(s0, "U", 1, MSG_NOSIGNAL) != 1)
                n = -1;
        else
                do
                        n = recv(s0, buf, sizeof(buf) - 1, 0);
                while (n < 0 && errno == EINTR);
        e = errno;
        while (waitpid(helper, &status, 0) < 0 && errno == EINTR)
                ;
        if (n <= 0)
                return rc_error_set(err, n < 0 ? e : 0, "the id mapping helper process exited early");
        buf[n] = '\0';
        if (buf[0] == 'E')
                return rc_error_set(err, 0, "map the subordinate ids: %s", buf + 1);
        return 0;
}

/* Join the pause process's namespace if it holds mapping m.  Returns 1 if
 * joined, 0 if there is no usable pause process (*stale set if one runs
 * with another mapping). */
static int try_join(const char *pidfile, const struct rc_userns_mapping *m, pid_t *pid, bool *stale,
                    rc_error **err)
{
        cleanup_close int procfd = userns_pause_open(pidfile, pid), nsfd = -1;
        struct rc_userns_mapping held = { 0 };
        cleanup_error rc_error *ignored = NULL;
        bool same;

        *stale = false;
        if (procfd < 0)
                return 0;
        if (userns_read_proc_mapping(procfd, &held, &ignored) < 0)
                return 0; /* exited meanwhile */
        same = rc_userns_mapping_equal(&held, m);
        rc_userns_mapping_free(&held);
        if (!same) {
                *stale = true;
                return 0;
        }
        nsfd = openat(procfd, "ns/user", O_RDONLY | O_CLOEXEC);
        if (nsfd < 0)
                return errno == ESRCH || errno == ENOENT ? 0 : rc_error_set(err, errno, "open the pause process's namespace");
        if (setns(nsfd, CLONE_NEWUSER) < 0)
                return rc_error_set(err, errno, "join the user namespace of the pause process %d%s", (int)*pid,
                                    errno == EINVAL ? " (only a single-threaded process can)" : "");
        return 1;
}

static int enter_pause(const struct rc_config *cfg, const struct rc_userns_mapping *m, pid_t *pid, bool *created,
                       rc_error **err)
{
        cleanup_free char *pidfile = xasprintf("%s/pause.pid", cfg->runroot);
        cleanup_free char *lockfile = xasprintf("%s/pause.lock", cfg->runroot);
        cleanup_free char *u = NULL, *g = NULL;
        cleanup_close int lockfd = -1;
        bool stale;
        int r;

        r = try_join(pidfile, m, pid, &stale, err);
        if (r != 0)
                return r < 0 ? -1 : 0;
        if (find_helpers(cfg, &u, &g, err) < 0)
                return -1;
        /* two rc starting at once must end up with one pause process */
        lockfd = open(lockfile, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (lockfd < 0)
                return rc_error_set(err, errno, "open %s", lockfile);
        while (flock(lockfd, LOCK_EX) < 0) {
                if (errno != EINTR)
                        return rc_error_set(err, errno, "lock %s", lockfile);
        }
        r = try_join(pidfile, m, pid, &stale, err);
        if (r != 0)
                return r < 0 ? -1 : 0;
        if (stale) {
                rc_info("userns: the subordinate ids changed; replacing the pause process %d", (int)*pid);
                if (userns_pause_stop(pidfile, err) < 0)
                        return rc_error_wrap(err, "replace the pause process");
        }
        r = userns_pause_adopt(pidfile, m, pid, err);
        if (r < 0)
                return -1;
        if (r == 0) {
                if (userns_pause_create(pidfile, u, g, m, pid, err) < 0)
                        return -1;
                *created = true;
        }
        r = try_join(pidfile, m, pid, &stale, err);
        if (r == 0)
                return rc_error_set(err, 0, "the pause process %d exited at once", (int)*pid);
        return r < 0 ? -1 : 0;
}

int rc_userns_enter(const struct rc_config *cfg, struct rc_userns_state *out, rc_error **err)
{
        struct rc_userns_state st = { 0 };

        if (geteuid() == 0) {
                /* already root (rootful, or inside a namespace someone else
                 * made): keep the ids as they are */
                cleanup_close int self = open("/proc/self", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                cleanup_error rc_error *ignored = NULL;
                st.host_root = true;
                if (self >= 0)
                        userns_read_proc_mapping(self, &st.mapping, &ignored);
                if (private_mounts(err) < 0) {
                        rc_userns_state_free(&st);
                        return -1;
                }
                *out = st;
                return 0;
        }
        if (rc_userns_mapping_load(cfg, &st.mapping, err) < 0)
                return -1;
        if (ensure_runroot(cfg->runroot, err) < 0)
                goto fail;
        if (cfg->pause) {
                if (enter_pause(cfg, &st.mapping, &st.pause_pid, &st.created, err) < 0)
                        goto fail;
        } else {
                cleanup_free char *u = NULL, *g = NULL;
                if (find_helpers(cfg, &u, &g, err) < 0 || enter_private(u, g, &st.mapping, err) < 0)
                        goto fail;
                st.created = true;
        }
        if (private_mounts(err) < 0)
                goto fail;
        rc_debug("userns: %s user namespace%s", st.created ? "created" : "joined",
                 st.pause_pid ? " of the pause process" : "");
        *out = st;
        return 0;
fail:
        rc_userns_state_free(&st);
        return -1;
}
