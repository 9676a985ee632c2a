/* newuidmap/newgidmap: finding them, checking they can work, running them. */
#include "userns/userns.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "userns/internal.h"
#include "util/fs.h"
#include "util/xalloc.h"

extern char **environ;

/* The distribution's command to install the uidmap tools. */
static const char *install_command(void)
{
        cleanup_free char *osr = NULL;

        if (rc_read_file("/etc/os-release", &osr, NULL, NULL) == 0) {
                static const struct {
                        const char *id, *cmd;
                } known[] = {
                        { "debian", "apt-get install uidmap" },   { "ubuntu", "apt-get install uidmap" },
                        { "fedora", "dnf install shadow-utils" }, { "rhel", "dnf install shadow-utils" },
                        { "centos", "dnf install shadow-utils" }, { "suse", "zypper install shadow" },
                        { "arch", "pacman -S shadow" },           { "alpine", "apk add shadow-uidmap" },
                };
                for (char *line = strtok(osr, "\n"); line; line = strtok(NULL, "\n")) {
                        if (strncmp(line, "ID=", 3) && strncmp(line, "ID_LIKE=", 8))
                                continue;
                        for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
                                if (strstr(line, known[i].id))
                                        return known[i].cmd;
                }
        }
        return "apt-get install uidmap";
}

/* Does the file carry capability bit cap in its permitted set? */
static bool has_file_cap(const char *path, int cap)
{
        uint32_t data[1 + 2 * VFS_CAP_U32_3 + 1] = { 0 };
        ssize_t n = getxattr(path, "security.capability", data, sizeof(data));

        if (n < (ssize_t)(sizeof(uint32_t) * 3))
                return false;
        /* layout: magic_etc, then {permitted, inheritable} per 32 bits */
        return cap < 32 && (le32toh(data[1]) & (1u << cap));
}

enum helper_state { HELPER_OK, HELPER_MISSING, HELPER_UNPRIVILEGED, HELPER_NOSUID };

/* One helper: its state, and its path if found. */
static enum helper_state check_helper(const char *name, const char *path_env, int cap, char **path, bool *setuid_root)
{
        cleanup_free char *p = rc_find_program(name, path_env);
        struct statvfs sv;
        struct stat st;

        if (p == NULL || stat(p, &st) < 0)
                return HELPER_MISSING;
        *setuid_root = (st.st_mode & S_ISUID) && st.st_uid == 0;
        *path = xstrdup(p);
        if (!*setuid_root && !has_file_cap(p, cap))
                return HELPER_UNPRIVILEGED;
        /* nosuid disables both the setuid bit and file capabilities */
        if (statvfs(p, &sv) == 0 && (sv.f_flag & ST_NOSUID))
                return HELPER_NOSUID;
        return HELPER_OK;
}

enum rc_diag_level rc_idmap_helpers_diagnose(const char *newuidmap, const char *newgidmap, const char *path_env,
                                             char **uidmap_path, char **gidmap_path, struct rc_diag *out)
{
        cleanup_free char *u = NULL, *g = NULL;
        const char *where = path_env ? path_env : getenv("PATH");
        bool su = false, sg = false;
        enum helper_state hu = check_helper(newuidmap, path_env, CAP_SETUID, &u, &su);
        enum helper_state hg = check_helper(newgidmap, path_env, CAP_SETGID, &g, &sg);
        struct rc_diag d = { .level = RC_DIAG_FAIL, .fix_needs_root = true };

        if (hu == HELPER_OK && hg == HELPER_OK) {
                d.level = RC_DIAG_OK;
                d.fix_needs_root = false;
                d.detail = xasprintf("%s and %s can map ids (%s)", u, g,
                                     su && sg ? "setuid root" : !su && !sg ? "file capabilities"
                                                                           : "setuid root, file capabilities");
                if (uidmap_path)
                        *uidmap_path = steal_pointer(&u);
                if (gidmap_path)
                        *gidmap_path = steal_pointer(&g);
        } else if (hu == HELPER_MISSING || hg == HELPER_MISSING) {
                /* first: installing the package also fixes the rest */
                bool both = hu == HELPER_MISSING && hg == HELPER_MISSING;
                const char *missing = hu == HELPER_MISSING ? newuidmap : newgidmap;
                bool in_path = strchr(missing, '/') == NULL;

                d.detail = xasprintf("%s%s%s not found%s%s: rc needs %s to map your subordinate ids",
                                     both ? newuidmap : missing, both ? " and " : "", both ? newgidmap : "",
                                     in_path ? " in PATH=" : "", in_path ? (where ? where : "") : "",
                                     both ? "them" : "it");
                d.fix = xstrdup(install_command());
        } else if (hu == HELPER_UNPRIVILEGED || hg == HELPER_UNPRIVILEGED) {
                bool both = hu == HELPER_UNPRIVILEGED && hg == HELPER_UNPRIVILEGED;
                const char *p = hu == HELPER_UNPRIVILEGED ? u : g;

                d.detail = xasprintf("%s%s%s %s neither setuid root nor %s the %s file capabilit%s, so %s cannot "
                                     "write the id map of a user namespace",
                                     both ? u : p, both ? " and " : "", both ? g : "", both ? "are" : "is",
                                     both ? "have" : "has",
                                     both ? "cap_setuid/cap_setgid" : hu == HELPER_UNPRIVILEGED ? "cap_setuid"
                                                                                               : "cap_setgid",
                                     both ? "ies" : "y", both ? "they" : "it");
                if (both)
                        d.fix = xasprintf("chmod u+s %s %s   (or: setcap cap_setuid+ep %s && setcap cap_setgid+ep %s)",
                                          u, g, u, g);
                else
                        d.fix = xasprintf("chmod u+s %s   (or: setcap %s+ep %s)", p,
                                          hu == HELPER_UNPRIVILEGED ? "cap_setuid" : "cap_setgid", p);
        } else {
                const char *p = hu == HELPER_NOSUID ? u : g;
                d.detail = xasprintf("%s is on a file system mounted nosuid, which disables its %s", p,
                                     (hu == HELPER_NOSUID ? su : sg) ? "setuid bit" : "file capability");
                d.fix = xasprintf("install the uidmap tools on a file system without nosuid (%s)", install_command());
        }
        *out = d;
        return d.level;
}

int userns_run_map_helper(const char *helper, pid_t pid, const struct rc_idmap *m, size_t n, rc_error **err)
{
        cleanup_strv char **argv = NULL;
        cleanup_free char *cmdline = NULL;
        posix_spawn_file_actions_t fa;
        int pipefd[2], status, r;
        char out[2048];
        size_t used = 0;
        pid_t child;

        strv_push(&argv, helper);
        {
                char buf[16];
                snprintf(buf, sizeof(buf), "%d", (int)pid);
                strv_push(&argv, buf);
        }
        for (size_t i = 0; i < n; i++) {
                char buf[16];
                snprintf(buf, sizeof(buf), "%" PRIu32, m[i].container);
                strv_push(&argv, buf);
                snprintf(buf, sizeof(buf), "%" PRIu32, m[i].host);
                strv_push(&argv, buf);
                snprintf(buf, sizeof(buf), "%" PRIu32, m[i].size);
                strv_push(&argv, buf);
        }
        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return rc_error_set(err, errno, "pipe");
        /* posix_spawn (vfork-like) is cheaper than fork for a large rc */
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
        posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
        r = posix_spawn(&child, helper, &fa, NULL, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        close(pipefd[1]);
        if (r != 0) {
                close(pipefd[0]);
                return rc_error_set(err, r, "run %s", helper);
        }
        for (;;) {
                ssize_t k = read(pipefd[0], out + used, sizeof(out) - 1 - used);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        break;
                used += (size_t)k;
                if (used == sizeof(out) - 1) {
                        char sink[512]; /* keep draining so the helper never blocks */
                        ssize_t d;
                        while ((d = read(pipefd[0], sink, sizeof(sink))) > 0 || (d < 0 && errno == EINTR))
                                ;
                        break;
                }
        }
        close(pipefd[0]);
        out[used] = '\0';
        while (used && (out[used - 1] == '\n' || out[used - 1] == ' '))
                out[--used] = '\0';
        for (char *c = out; *c; c++)
                if (*c == '\n')
                        *c = ' ';
        while (waitpid(child, &status, 0) < 0) {
                if (errno != EINTR)
                        return rc_error_set(err, errno, "wait for %s", helper);
        }
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return 0;
        cmdline = xstrdup(argv[0]);
        for (size_t i = 1; argv[i]; i++) {
                char *t = xasprintf("%s %s", cmdline, argv[i]);
                free(cmdline);
                cmdline = t;
        }
        if (WIFSIGNALED(status))
                return rc_error_set(err, 0, "'%s' was killed by signal %d%s%s", cmdline, WTERMSIG(status),
                                    used ? ": " : "", out);
        return rc_error_set(err, 0, "'%s' failed (exit status %d)%s%s", cmdline, WEXITSTATUS(status),
                            used ? ": " : "", used ? out : "");
}

int userns_map_pid(const char *uidmap, const char *gidmap, pid_t pid, const struct rc_userns_mapping *m,
                   rc_error **err)
{
        /* gid map first: newgidmap also settles /proc/PID/setgroups */
        if (userns_run_map_helper(gidmap, pid, m->gids, m->n_gids, err) < 0)
                return -1;
        return userns_run_map_helper(uidmap, pid, m->uids, m->n_uids, err);
}
