/* The container's file system view: mounts resolved inside the root,
 * /dev, pivot_root, masked and read-only paths. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runtime/internal.h"
#include "util/fs.h"

static int openat2_in_root(int root_fd, const char *path, int flags)
{
        struct open_how how = { .flags = (uint64_t)(flags | O_CLOEXEC),
                                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };

        while (*path == '/')
                path++;
        if (*path == '\0')
                path = ".";
        return (int)syscall(SYS_openat2, root_fd, path, &how, sizeof(how));
}

/* A mount lands on the path it names, never on what an image's symlink
 * there points to (even inside the root: a symlinked /etc/hosts -> /dev/null
 * would put rc's hosts file over the container's /dev/null).  A symlink
 * that is the last component of `path` is removed; the caller creates what
 * it needs in its place, in the container's own writable layer. */
static int remove_final_symlink(int root_fd, const char *path, struct rc_child_error *e)
{
        char parent_path[4096], *slash;
        const char *name;
        struct stat st;
        int fd, parent, r = 0;

        fd = openat2_in_root(root_fd, path, O_PATH | O_NOFOLLOW);
        if (fd < 0)
                return errno == ENOENT ? 0 : rc_child_fail(e, errno, "resolve %s in the container", path);
        if (fstat(fd, &st) < 0) {
                int saved = errno;
                close(fd);
                return rc_child_fail(e, saved, "stat %s in the container", path);
        }
        close(fd);
        if (!S_ISLNK(st.st_mode))
                return 0;
        if (strlen(path) >= sizeof(parent_path))
                return rc_child_fail(e, ENAMETOOLONG, "%s", path);
        strcpy(parent_path, path);
        slash = strrchr(parent_path, '/');
        name = slash ? slash + 1 : parent_path;
        if (*name == '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
                return rc_child_fail(e, EINVAL, "mount destination %s does not name a file", path);
        if (slash)
                *slash = '\0';
        parent = openat2_in_root(root_fd, parent_path, O_PATH | O_DIRECTORY);
        if (parent < 0)
                return rc_child_fail(e, errno, "resolve the parent of %s in the container", path);
        if (unlinkat(parent, name, 0) < 0 && errno != ENOENT)
                r = rc_child_fail(e, errno, "replace the image's symlink %s", path);
        close(parent);
        return r;
}

enum {
        IN_ROOT_FILE = 1,         /* create a missing last component as an empty file, not a directory */
        IN_ROOT_REPLACE_LINK = 2, /* a mount target: replace a symlink at the end (remove_final_symlink) */
};

/* Open path inside the root (O_PATH), creating it as a directory (or an
 * empty file) and its missing parents.  A symlink in the image resolves
 * within the root, never outside it, and never through a /proc magic link
 * (ELOOP). */
static int open_or_create_in_root(int root_fd, const char *path, unsigned flags, struct rc_child_error *e)
{
        char buf[4096];
        size_t len = strlen(path);
        bool as_file = flags & IN_ROOT_FILE;
        int fd;

        if ((flags & IN_ROOT_REPLACE_LINK) && remove_final_symlink(root_fd, path, e) < 0)
                return -1;
        fd = openat2_in_root(root_fd, path, O_PATH);
        if (fd >= 0 || errno != ENOENT)
                return fd >= 0 ? fd : rc_child_fail(e, errno, "resolve %s in the container", path);
        if (len >= sizeof(buf))
                return rc_child_fail(e, ENAMETOOLONG, "%s", path);
        memcpy(buf, path, len + 1);
        /* create each missing component, parents first */
        for (char *p = buf + 1; ; p++) {
                bool last = *p == '\0';
                if (*p != '/' && !last)
                        continue;
                *p = '\0';
                fd = openat2_in_root(root_fd, buf, O_PATH);
                if (fd < 0 && errno == ENOENT) {
                        char *slash = strrchr(buf, '/');
                        const char *name = slash + 1;
                        int parent;
                        *slash = '\0';
                        parent = openat2_in_root(root_fd, buf[0] ? buf : "/", O_PATH | O_DIRECTORY);
                        *slash = '/';
                        if (parent < 0)
                                return rc_child_fail(e, errno, "resolve the parent of %s in the container", buf);
                        if (last && as_file) {
                                int f = openat(parent, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
                                if (f >= 0)
                                        close(f);
                                else if (errno != EEXIST) {
                                        close(parent);
                                        return rc_child_fail(e, errno, "create %s in the container", buf);
                                }
                        } else if (mkdirat(parent, name, 0755) < 0 && errno != EEXIST) {
                                close(parent);
                                return rc_child_fail(e, errno, "create directory %s in the container", buf);
                        }
                        close(parent);
                        fd = openat2_in_root(root_fd, buf, O_PATH);
                }
                if (fd < 0)
                        return rc_child_fail(e, errno, "resolve %s in the container", buf);
                if (last)
                        return fd;
                close(fd);
                *p = '/';
        }
}

struct mount_flags {
        unsigned long flags, propagation;
        bool copyup; /* tmpcopyup: the tmpfs starts with what the image has there */
        char data[512];
};

static void parse_options(char *const *options, struct mount_flags *m)
{
        static const struct {
                const char *name;
                unsigned long set, clear, propagation;
        } table[] = {
                { "ro", MS_RDONLY, 0, 0 },          { "rw", 0, MS_RDONLY, 0 },
                { "nosuid", MS_NOSUID, 0, 0 },      { "suid", 0, MS_NOSUID, 0 },
                { "nodev", MS_NODEV, 0, 0 },        { "dev", 0, MS_NODEV, 0 },
                { "noexec", MS_NOEXEC, 0, 0 },      { "exec", 0, MS_NOEXEC, 0 },
                { "bind", MS_BIND, 0, 0 },          { "rbind", MS_BIND | MS_REC, 0, 0 },
                { "relatime", MS_RELATIME, 0, 0 },  { "strictatime", MS_STRICTATIME, 0, 0 },
                { "noatime", MS_NOATIME, 0, 0 },    { "sync", MS_SYNCHRONOUS, 0, 0 },
                { "private", 0, 0, MS_PRIVATE },    { "rprivate", 0, 0, MS_PRIVATE | MS_REC },
                { "slave", 0, 0, MS_SLAVE },        { "rslave", 0, 0, MS_SLAVE | MS_REC },
                { "shared", 0, 0, MS_SHARED },      { "rshared", 0, 0, MS_SHARED | MS_REC },
                { "unbindable", 0, 0, MS_UNBINDABLE }, { "runbindable", 0, 0, MS_UNBINDABLE | MS_REC },
        };

        memset(m, 0, sizeof(*m));
        for (size_t i = 0; options && options[i]; i++) {
                bool known = false;
                for (size_t j = 0; j < sizeof(table) / sizeof(table[0]); j++) {
                        if (strcmp(options[i], table[j].name) == 0) {
                                m->flags = (m->flags | table[j].set) & ~table[j].clear;
                                m->propagation |= table[j].propagation;
                                known = true;
                                break;
                        }
                }
                if (!known && strcmp(options[i], "tmpcopyup") == 0) {
                        m->copyup = true;
                } else if (!known) {
                        size_t used = strlen(m->data);
                        snprintf(m->data + used, sizeof(m->data) - used, "%s%s", used ? "," : "", options[i]);
                }
        }
}

/* Flags the kernel locks on mounts inherited into a user namespace: a
 * read-only remount must keep them or it fails with EPERM. */
static unsigned long locked_flags(const char *path)
{
        struct statvfs st;
        unsigned long f = 0;

        if (statvfs(path, &st) < 0)
                return 0;
        if (st.f_flag & ST_NOSUID)
                f |= MS_NOSUID;
        if (st.f_flag & ST_NODEV)
                f |= MS_NODEV;
        if (st.f_flag & ST_NOEXEC)
                f |= MS_NOEXEC;
        if (st.f_flag & ST_NOATIME)
                f |= MS_NOATIME;
        if (st.f_flag & ST_NODIRATIME)
                f |= MS_NODIRATIME;
        if (st.f_flag & ST_RELATIME)
                f |= MS_RELATIME;
        return f;
}

static int remount_ro(const char *path, unsigned long extra, struct rc_child_error *e)
{
        if (mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | extra | locked_flags(path), NULL) < 0)
                return rc_child_fail(e, errno, "remount %s read-only", path);
        return 0;
}

/* A bind mount's own flags (ro, nosuid, nodev, noexec) need a remount. */
static int remount_bind(const char *path, const char *dest, unsigned long flags, struct rc_child_error *e)
{
        if (mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | flags | locked_flags(path), NULL) < 0)
                return rc_child_fail(e, errno, "remount %s with its options", dest);
        return 0;
}

/* tmpcopyup: what the image has at the mount point (old, opened before
 * the tmpfs covered it) copied into the new tmpfs, never following a
 * symlink of the image's. */
static int copy_up(int old, int root_fd, const char *dest, struct rc_child_error *e)
{
        rc_error *err = NULL;
        int fd = openat2_in_root(root_fd, dest, O_RDONLY | O_DIRECTORY);
        int r = 0;

        if (fd < 0)
                return rc_child_fail(e, errno, "open %s in the container", dest);
        if (rc_copy_tree_at(old, fd, &err) < 0) {
                r = rc_child_fail(e, 0, "copy the image's %s into its tmpfs: %s", dest, err->msg);
                e->errnum = rc_error_errno(err);
                rc_error_free(err);
        }
        close(fd);
        return r;
}

static bool is_file_source(const char *source)
{
        struct stat st;
        return stat(source, &st) == 0 && !S_ISDIR(st.st_mode);
}

/* After a mount, the fd of the destination still names the covered
 * directory: re-resolve to reach the new mount for follow-up changes. */
static int reopen_target(int root_fd, const char *dest, int *fd, char target[64], struct rc_child_error *e)
{
        close(*fd);
        *fd = open_or_create_in_root(root_fd, dest, 0, e);
        if (*fd < 0)
                return -1;
        snprintf(target, 64, "/proc/self/fd/%d", *fd);
        return 0;
}

static int do_mount(int root_fd, const struct rc_spec *spec, const struct rc_spec_mount *m, struct rc_child_error *e)
{
        const unsigned long bind_flags = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
        struct mount_flags mf;
        unsigned long remount = 0;
        bool bind;
        char target[64];
        int fd, old = -1, r;

        parse_options(m->options, &mf);
        bind = (mf.flags & MS_BIND) || strcmp(m->type, "bind") == 0;
        fd = open_or_create_in_root(root_fd, m->destination,
                                    IN_ROOT_REPLACE_LINK | (bind && is_file_source(m->source) ? IN_ROOT_FILE : 0), e);
        if (fd < 0)
                return -1;
        snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
        if (mf.copyup && !bind)
                old = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC); /* not a directory: nothing to copy */
        if (bind) {
                r = mount(m->source, target, NULL, MS_BIND | (mf.flags & MS_REC), NULL);
                remount = mf.flags & bind_flags;
        } else {
                /* a read-only tmpfs is filled first and made read-only after */
                r = mount(m->source, target, m->type, mf.flags & ~(MS_BIND | MS_REC | (old >= 0 ? MS_RDONLY : 0)),
                          mf.data[0] ? mf.data : NULL);
                if (r < 0 && errno == EPERM && strcmp(m->type, "sysfs") == 0 && !(spec->namespaces & CLONE_NEWNET)) {
                        /* sysfs needs a network namespace of our own; with the host's
                         * network, show the host's /sys instead (as crun does),
                         * read-only unless --privileged dropped "ro" */
                        r = mount("/sys", target, NULL, MS_BIND | MS_REC, NULL);
                        remount = mf.flags & bind_flags;
                }
        }
        if (r < 0) {
                int saved = errno;
                close(fd);
                if (old >= 0)
                        close(old);
                return rc_child_fail(e, saved, "mount %s on %s", m->type, m->destination);
        }
        r = 0;
        if (remount || mf.propagation) {
                if (reopen_target(root_fd, m->destination, &fd, target, e) < 0) {
                        if (old >= 0)
                                close(old);
                        return -1;
                }
                if (remount)
                        r = remount_bind(target, m->destination, remount, e);
                if (r == 0 && mf.propagation && mount(NULL, target, NULL, mf.propagation, NULL) < 0)
                        r = rc_child_fail(e, errno, "set propagation of %s", m->destination);
        }
        if (r == 0 && old >= 0) {
                r = copy_up(old, root_fd, m->destination, e);
                if (r == 0 && (mf.flags & MS_RDONLY)) {
                        r = reopen_target(root_fd, m->destination, &fd, target, e);
                        if (r == 0 && mount(NULL, target, NULL, MS_REMOUNT | (mf.flags & ~(MS_BIND | MS_REC)),
                                            mf.data[0] ? mf.data : NULL) < 0)
                                r = rc_child_fail(e, errno, "remount %s read-only", m->destination);
                }
        }
        if (old >= 0)
                close(old);
        close(fd);
        return r < 0 ? -1 : 0;
}

/* Device nodes can't be created in a user namespace: bind the host's. */
static int setup_dev(int root_fd, struct rc_child_error *e)
{
        static const char *const devices[] = { "null", "zero", "full", "random", "urandom", "tty" };
        static const struct {
                const char *target, *link;
        } links[] = { { "/proc/self/fd", "fd" },     { "/proc/self/fd/0", "stdin" }, { "/proc/self/fd/1", "stdout" },
                      { "/proc/self/fd/2", "stderr" }, { "/proc/kcore", "core" },  { "pts/ptmx", "ptmx" } };
        int dev = openat2_in_root(root_fd, "/dev", O_PATH | O_DIRECTORY);

        if (dev < 0)
                return rc_child_fail(e, errno, "open /dev in the container");
        for (size_t i = 0; i < sizeof(devices) / sizeof(devices[0]); i++) {
                char host[32], target[64];
                int f = openat(dev, devices[i], O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0666);
                if (f < 0) {
                        int saved = errno;
                        close(dev);
                        return rc_child_fail(e, saved, "create /dev/%s", devices[i]);
                }
                close(f);
                f = openat(dev, devices[i], O_PATH | O_CLOEXEC | O_NOFOLLOW);
                snprintf(host, sizeof(host), "/dev/%s", devices[i]);
                snprintf(target, sizeof(target), "/proc/self/fd/%d", f);
                if (f < 0 || mount(host, target, NULL, MS_BIND, NULL) < 0) {
                        int saved = errno;
                        if (f >= 0)
                                close(f);
                        close(dev);
                        return rc_child_fail(e, saved, "bind %s into the container", host);
                }
                close(f);
        }
        for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
                if (symlinkat(links[i].target, dev, links[i].link) < 0 && errno != EEXIST) {
                        int saved = errno;
                        close(dev);
                        return rc_child_fail(e, saved, "create /dev/%s", links[i].link);
                }
        }
        close(dev);
        return 0;
}

/* Masks are made before pivot_root, on targets resolved inside the root,
 * and the file mask is rc's own /dev/null (devnull, opened in the host's
 * mount namespace): never a /dev/null found inside the container, which
 * the image or an earlier mount may have replaced. */
static int mask_paths(int root_fd, char *const *paths, int devnull, struct rc_child_error *e)
{
        char target[64], source[64];

        snprintf(source, sizeof(source), "/proc/self/fd/%d", devnull);
        for (size_t i = 0; paths && paths[i]; i++) {
                struct stat st;
                int fd = openat2_in_root(root_fd, paths[i], O_PATH | O_NOFOLLOW);
                int r;

                if (fd < 0) {
                        if (errno == ENOENT)
                                continue;
                        return rc_child_fail(e, errno, "mask %s", paths[i]);
                }
                snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
                if (fstat(fd, &st) < 0)
                        r = -1;
                else if (S_ISLNK(st.st_mode))
                        r = (errno = ELOOP, -1); /* procfs and sysfs have none at these paths */
                else if (S_ISDIR(st.st_mode))
                        r = mount("tmpfs", target, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0");
                else
                        r = mount(source, target, NULL, MS_BIND, NULL);
                if (r < 0) {
                        int saved = errno;
                        close(fd);
                        return rc_child_fail(e, saved, "mask %s", paths[i]);
                }
                close(fd);
        }
        return 0;
}

static int readonly_paths(char *const *paths, struct rc_child_error *e)
{
        for (size_t i = 0; paths && paths[i]; i++) {
                if (mount(paths[i], paths[i], NULL, MS_BIND | MS_REC, NULL) < 0) {
                        if (errno == ENOENT)
                                continue;
                        return rc_child_fail(e, errno, "bind %s", paths[i]);
                }
                if (remount_ro(paths[i], MS_NOSUID | MS_NODEV | MS_NOEXEC, e) < 0)
                        return -1;
        }
        return 0;
}

/* --sysctl: written through the container's own /proc (its namespaces')
 * before /proc/sys is made read-only; the name stays below /proc/sys. */
static int write_sysctls(char *const *sysctls, struct rc_child_error *e)
{
        int dir;

        if (sysctls == NULL || sysctls[0] == NULL)
                return 0;
        dir = open("/proc/sys", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dir < 0)
                return rc_child_fail(e, errno, "open /proc/sys");
        for (size_t i = 0; sysctls[i]; i++) {
                const char *eq = strchr(sysctls[i], '=');
                struct open_how how = { .flags = O_WRONLY | O_CLOEXEC,
                                        .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS |
                                                   RESOLVE_NO_XDEV };
                char path[160];
                size_t n = eq ? (size_t)(eq - sysctls[i]) : 0;
                ssize_t w;
                int fd;

                if (n == 0 || n >= sizeof(path)) {
                        close(dir);
                        return rc_child_fail(e, EINVAL, "sysctl %s: not KEY=VALUE", sysctls[i]);
                }
                for (size_t k = 0; k < n; k++)
                        path[k] = sysctls[i][k] == '.' ? '/' : sysctls[i][k];
                path[n] = '\0';
                fd = (int)syscall(SYS_openat2, dir, path, &how, sizeof(how));
                if (fd < 0) {
                        int en = errno;
                        close(dir);
                        return rc_child_fail(e, en, "sysctl %.*s%s", (int)n, sysctls[i],
                                             en == ENOENT  ? ": the kernel has no such setting"
                                             : en == EACCES || en == EPERM ? ": not writable in a rootless container"
                                                                          : "");
                }
                w = write(fd, eq + 1, strlen(eq + 1));
                if (w < 0) {
                        int en = errno;
                        close(fd);
                        close(dir);
                        return rc_child_fail(e, en, "sysctl %.*s=%s", (int)n, sysctls[i], eq + 1);
                }
                close(fd);
        }
        close(dir);
        return 0;
}

int rc_setup_rootfs(const struct rc_spec *spec, int devnull, struct rc_child_error *e)
{
        int root_fd;

        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return rc_child_fail(e, errno, "make / private");
        if (mount(spec->root_path, spec->root_path, NULL, MS_BIND | MS_REC, NULL) < 0)
                return rc_child_fail(e, errno, "bind the root file system %s", spec->root_path);
        root_fd = open(spec->root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root_fd < 0)
                return rc_child_fail(e, errno, "open %s", spec->root_path);
        for (size_t i = 0; i < spec->n_mounts; i++) {
                if (do_mount(root_fd, spec, &spec->mounts[i], e) < 0) {
                        close(root_fd);
                        return -1;
                }
                if (strcmp(spec->mounts[i].destination, "/dev") == 0 && setup_dev(root_fd, e) < 0) {
                        close(root_fd);
                        return -1;
                }
        }
        if (mask_paths(root_fd, spec->masked_paths, devnull, e) < 0) {
                close(root_fd);
                return -1;
        }
        close(root_fd);
        if (chdir(spec->root_path) < 0)
                return rc_child_fail(e, errno, "chdir %s", spec->root_path);
        /* pivot_root(".", "."): the old root ends up stacked on the new
         * one, and unmounting "." detaches it. */
        if (syscall(SYS_pivot_root, ".", ".") < 0)
                return rc_child_fail(e, errno, "pivot_root into %s", spec->root_path);
        if (umount2(".", MNT_DETACH) < 0)
                return rc_child_fail(e, errno, "detach the old root");
        if (chdir("/") < 0)
                return rc_child_fail(e, errno, "chdir /");
        if (write_sysctls(spec->sysctls, e) < 0 || readonly_paths(spec->readonly_paths, e) < 0)
                return -1;
        return 0;
}

int rc_remount_root_ro(const struct rc_spec *spec, struct rc_child_error *e)
{
        /* after the working directory was made: docker creates a missing
         * one also under --read-only */
        if (spec->root_readonly && remount_ro("/", 0, e) < 0)
                return -1;
        return 0;
}

int rc_open_workdir(const char *cwd, bool create, struct rc_child_error *e)
{
        struct stat st = { 0 };
        int root_fd, fd;

        root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root_fd < 0)
                return rc_child_fail(e, errno, "open the container's root");
        if (create) {
                fd = open_or_create_in_root(root_fd, cwd, 0, e);
        } else {
                fd = openat2_in_root(root_fd, cwd, O_PATH);
                if (fd < 0)
                        rc_child_fail(e, errno, "working directory %s", cwd);
        }
        close(root_fd);
        if (fd < 0) {
                if (e->errnum == ELOOP)
                        return rc_child_fail(e, ELOOP,
                                             "working directory %s: it is, or passes through, a /proc link to another "
                                             "file system (such as /proc/self/fd/N, /proc/self/cwd or /proc/PID/root), "
                                             "which rc refuses; give a directory of the image (-w DIR)",
                                             cwd);
                return -1;
        }
        if (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode)) {
                int saved = S_ISDIR(st.st_mode) ? errno : ENOTDIR;
                close(fd);
                return rc_child_fail(e, saved, "working directory %s", cwd);
        }
        return fd;
}

int rc_enter_workdir(int fd, const char *cwd, struct rc_child_error *e)
{
        char buf[4096];

        if (fchdir(fd) < 0)
                return rc_child_fail(e, errno, "working directory %s", cwd);
        /* Belt and braces: getcwd fails (ENOENT) for a directory that is not
         * reachable from the process's root. */
        if (getcwd(buf, sizeof(buf)) == NULL && errno != ERANGE)
                return rc_child_fail(e, errno, "working directory %s is outside the container's root", cwd);
        return 0;
}
