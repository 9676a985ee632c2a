/* Storage drivers: native overlayfs, fuse-overlayfs, vfs. */
#include "mount/mount.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "archive/archive.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/xalloc.h"

static const char *const driver_names[] = {
        [RC_DRIVER_OVERLAY] = "overlay",
        [RC_DRIVER_FUSE_OVERLAYFS] = "fuse-overlayfs",
        [RC_DRIVER_VFS] = "vfs",
};

const char *rc_storage_driver_name(enum rc_storage_driver d)
{
        return driver_names[d];
}

int rc_storage_driver_parse(const char *name, enum rc_storage_driver *out)
{
        for (size_t i = 0; i < sizeof(driver_names) / sizeof(driver_names[0]); i++) {
                if (strcmp(name, driver_names[i]) == 0) {
                        *out = (enum rc_storage_driver)i;
                        return 0;
                }
        }
        return -1;
}

int rc_mount_probe_overlay(const char *scratch_dir, rc_error **err)
{
        cleanup_free char *base = xasprintf("%s/overlay-probe-%d-XXXXXX", scratch_dir, (int)getpid());
        cleanup_free char *opts = NULL, *merged = NULL;
        static const char *const sub[] = { "lower", "upper", "work", "merged" };
        int r = 0;

        if (mkdtemp(base) == NULL)
                return rc_error_set(err, errno, "overlay probe: create %s", base);
        for (size_t i = 0; i < 4; i++) {
                cleanup_free char *p = xasprintf("%s/%s", base, sub[i]);
                if (mkdir(p, 0700) < 0) {
                        r = rc_error_set(err, errno, "overlay probe: create %s", p);
                        goto out;
                }
        }
        opts = xasprintf("lowerdir=%s/lower,upperdir=%s/upper,workdir=%s/work,userxattr", base, base, base);
        merged = xasprintf("%s/merged", base);
        if (mount("overlay", merged, "overlay", 0, opts) < 0) {
                r = rc_error_set(err, errno,
                                 "native overlayfs with userxattr cannot be mounted in a user namespace here "
                                 "(needs Linux 5.11 or later and a file system overlay accepts as upper layer)");
                goto out;
        }
        umount2(merged, MNT_DETACH);
out:;
        rc_error *ignored = NULL;
        rc_rm_rf(base, &ignored);
        rc_error_free(ignored);
        return r;
}

int rc_mount_probe_fuse(const struct rc_config *cfg, rc_error **err)
{
        cleanup_free char *prog = rc_find_program(cfg->fuse_overlayfs, NULL);
        cleanup_close int fd = -1;

        if (prog == NULL)
                return rc_error_set(err, ENOENT, "%s not found in PATH: install it (apt-get install fuse-overlayfs)",
                                    cfg->fuse_overlayfs);
        fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
        if (fd < 0)
                return rc_error_set(err, errno,
                                    "cannot open /dev/fuse (it should be mode 0666, as distributions ship it: "
                                    "run as root: chmod 0666 /dev/fuse)");
        return 0;
}

static int read_cached_choice(const char *path, enum rc_storage_driver *out)
{
        char buf[32] = { 0 };
        cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t n;

        if (fd < 0)
                return -1;
        n = read(fd, buf, sizeof(buf) - 1);
        if (n <= 0)
                return -1;
        buf[strcspn(buf, "\n")] = '\0';
        return rc_storage_driver_parse(buf, out);
}

int rc_storage_select(const struct rc_config *cfg, enum rc_storage_driver *out, char **why, rc_error **err)
{
        cleanup_free char *cache = xasprintf("%s/storage-driver", cfg->runroot);
        cleanup_free char *scratch = xasprintf("%s/tmp", cfg->root);
        cleanup_error rc_error *overlay_err = NULL;
        cleanup_error rc_error *fuse_err = NULL;
        enum rc_storage_driver d;

        if (strcmp(cfg->storage_driver, "auto") != 0) {
                if (rc_storage_driver_parse(cfg->storage_driver, &d) < 0)
                        return rc_error_set(err, EINVAL, "unknown storage driver '%s'", cfg->storage_driver);
                if (d == RC_DRIVER_FUSE_OVERLAYFS && rc_mount_probe_fuse(cfg, err) < 0)
                        return rc_error_wrap(err, "storage driver fuse-overlayfs");
                *out = d;
                return 0;
        }
        if (read_cached_choice(cache, &d) == 0) {
                *out = d;
                return 0;
        }
        if (rc_mkdir_p(scratch, 0700, err) < 0)
                return -1;
        if (rc_mount_probe_overlay(scratch, &overlay_err) == 0) {
                d = RC_DRIVER_OVERLAY;
        } else if (rc_mount_probe_fuse(cfg, &fuse_err) == 0) {
                d = RC_DRIVER_FUSE_OVERLAYFS;
                rc_info("storage: using fuse-overlayfs: %s", overlay_err->msg);
                if (why)
                        *why = xstrdup(overlay_err->msg);
        } else {
                d = RC_DRIVER_VFS;
                rc_warn("storage: using vfs (full copies, slow): %s; %s", overlay_err->msg, fuse_err->msg);
                if (why)
                        *why = xasprintf("%s; %s", overlay_err->msg, fuse_err->msg);
        }
        {
                rc_error *ignored = NULL;
                const char *name = rc_storage_driver_name(d);
                if (rc_mkdir_p(cfg->runroot, 0700, &ignored) == 0)
                        rc_write_file_atomic(cache, name, strlen(name), 0600, &ignored);
                rc_error_free(ignored);
        }
        *out = d;
        return 0;
}

/* Native overlay takes its options in one page, so absolute layer paths
 * (~100 bytes each) would stop it near 40 layers.  Instead the container's
 * run directory gets a link per layer, l/0 (base) .. l/N, and the mount is
 * made from inside that directory with relative names: up to 500 layers,
 * the kernel's own limit. */
static int short_layer_links(const char *run_dir, char *const *layer_dirs, char ***out, rc_error **err)
{
        cleanup_free char *l = xasprintf("%s/l", run_dir);
        cleanup_strv char **names = xcalloc(1, sizeof(char *));

        if (mkdir(l, 0700) < 0 && errno != EEXIST)
                return rc_error_set(err, errno, "create %s", l);
        for (size_t i = 0; layer_dirs[i]; i++) {
                cleanup_free char *name = xasprintf("l/%zu", i);
                cleanup_free char *link = xasprintf("%s/%s", run_dir, name);
                char target[PATH_MAX];
                ssize_t n;

                if (symlink(layer_dirs[i], link) < 0) {
                        /* a restarted container has them: keep one that points right */
                        n = errno == EEXIST ? readlink(link, target, sizeof(target) - 1) : -1;
                        if (n < 0 || (target[n] = '\0', strcmp(target, layer_dirs[i]) != 0)) {
                                if (unlink(link) < 0 || symlink(layer_dirs[i], link) < 0)
                                        return rc_error_set(err, errno, "link %s to %s", link, layer_dirs[i]);
                        }
                }
                strv_push(&names, name);
        }
        *out = steal_pointer(&names);
        return 0;
}

/* lowerdir option: topmost layer first. */
static char *lowerdir_option(char *const *layer_dirs)
{
        size_t n = strv_len(layer_dirs), len = 1;
        char *s;

        for (size_t i = 0; i < n; i++)
                len += strlen(layer_dirs[i]) + 1;
        s = xcalloc(1, len);
        for (size_t i = n; i-- > 0;) {
                strcat(s, layer_dirs[i]);
                if (i > 0)
                        strcat(s, ":");
        }
        return s;
}

static int make_dirs(const char *container_dir, const char *run_dir, rc_error **err)
{
        const char *const paths[][2] = { { container_dir, "upper" }, { container_dir, "work" }, { run_dir, "merged" } };

        for (size_t i = 0; i < 3; i++) {
                cleanup_free char *p = xasprintf("%s/%s", paths[i][0], paths[i][1]);
                if (mkdir(p, 0755) < 0 && errno != EEXIST)
                        return rc_error_set(err, errno, "create %s", p);
        }
        return 0;
}

/* A throwaway upper directory (rc run --rm) is mounted "volatile": overlayfs
 * then skips every sync of the upper file system, including the one at
 * unmount, which otherwise syncs the whole file system the store lives on.
 * Kernels before 5.10 do not know the option: they get a plain mount. */
static int mount_overlay(const char *lower, const char *container_dir, const char *run_dir, const char *merged,
                         bool throwaway, rc_error **err)
{
        cleanup_free char *opts = xasprintf("lowerdir=%s,upperdir=%s/upper,workdir=%s/work,userxattr%s", lower,
                                            container_dir, container_dir, throwaway ? ",volatile" : "");

        cleanup_close int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        int r, saved;

        if (strlen(opts) >= 4096)
                return rc_error_set(err, E2BIG, "too many layers for one overlay mount (%zu bytes of options)",
                                    strlen(opts));
        /* the relative lower layers (l/N) are looked up from here */
        if (cwd < 0 || chdir(run_dir) < 0)
                return rc_error_set(err, errno, "enter %s", run_dir);
        r = mount("overlay", merged, "overlay", 0, opts);
        if (r < 0 && throwaway && errno == EINVAL) {
                rc_debug("overlay: no volatile mounts on this kernel, mounting %s without", merged);
                opts[strlen(opts) - strlen(",volatile")] = '\0';
                r = mount("overlay", merged, "overlay", 0, opts);
        }
        saved = errno;
        if (fchdir(cwd) < 0)
                rc_debug("overlay: cannot return to the working directory: %s", strerror(errno));
        if (r < 0)
                return rc_error_set(err, saved, "mount overlay on %s", merged);
        return 0;
}

static int mount_fuse_overlayfs(const struct rc_config *cfg, const char *lower, const char *container_dir,
                                const char *merged, rc_error **err)
{
        cleanup_free char *prog = rc_find_program(cfg->fuse_overlayfs, NULL);
        cleanup_free char *opts = NULL;
        int pipefd[2], status;
        char msg[1024];
        ssize_t n = 0;
        pid_t pid;

        if (prog == NULL)
                return rc_error_set(err, ENOENT, "%s not found: install it (apt-get install fuse-overlayfs)",
                                    cfg->fuse_overlayfs);
        opts = xasprintf("lowerdir=%s,upperdir=%s/upper,workdir=%s/work", lower, container_dir, container_dir);
        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return rc_error_set(err, errno, "pipe");
        pid = fork();
        if (pid < 0) {
                close(pipefd[0]);
                close(pipefd[1]);
                return rc_error_set(err, errno, "fork");
        }
        if (pid == 0) {
                int devnull = open("/dev/null", O_RDWR);
                if (devnull >= 0) {
                        dup2(devnull, 0);
                        dup2(devnull, 1);
                }
                dup2(pipefd[1], 2);
                execl(prog, prog, "-o", opts, merged, (char *)NULL);
                dprintf(2, "exec %s: %s", prog, strerror(errno));
                _exit(127);
        }
        close(pipefd[1]);
        /* fuse-overlayfs returns once mounted; its daemon keeps running. */
        while (waitpid(pid, &status, 0) < 0) {
                if (errno != EINTR) {
                        close(pipefd[0]);
                        return rc_error_set(err, errno, "wait for fuse-overlayfs");
                }
        }
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
                close(pipefd[0]);
                return 0;
        }
        fcntl(pipefd[0], F_SETFL, O_NONBLOCK);
        n = read(pipefd[0], msg, sizeof(msg) - 1);
        close(pipefd[0]);
        msg[n > 0 ? n : 0] = '\0';
        msg[strcspn(msg, "\n")] = '\0';
        return rc_error_set(err, 0, "fuse-overlayfs failed to mount %s: %s", merged, n > 0 ? msg : "no message");
}

static int build_vfs(char *const *layer_blobs, const char *rootfs, rc_error **err)
{
        cleanup_close int root_fd = -1;

        if (mkdir(rootfs, 0755) < 0 && errno != EEXIST)
                return rc_error_set(err, errno, "create %s", rootfs);
        root_fd = open(rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (root_fd < 0)
                return rc_error_set(err, errno, "open %s", rootfs);
        for (size_t i = 0; layer_blobs && layer_blobs[i]; i++) {
                struct rc_extract_opts opts = { .mode = RC_EXTRACT_APPLY, .blob_fd = -1 };
                struct rc_extract_result res;
                cleanup_close int fd = open(layer_blobs[i], O_RDONLY | O_CLOEXEC);

                if (fd < 0)
                        return rc_error_set(err, errno, "open layer %s", layer_blobs[i]);
                if (rc_archive_extract(fd, root_fd, &opts, &res, err) < 0)
                        return rc_error_wrap(err, "vfs: apply layer %s", layer_blobs[i]);
        }
        return 0;
}

int rc_rootfs_mount(const struct rc_config *cfg, enum rc_storage_driver driver, char *const *layer_dirs,
                    char *const *layer_blobs, const char *container_dir, const char *run_dir, bool throwaway,
                    struct rc_rootfs *out, rc_error **err)
{
        cleanup_free char *merged = NULL, *lower = NULL;
        int r;

        if (driver == RC_DRIVER_VFS) {
                cleanup_free char *rootfs = xasprintf("%s/rootfs", container_dir);
                cleanup_free char *done = xasprintf("%s/rootfs.complete", container_dir);
                /* a restarted container keeps its changes: extract once */
                if (access(done, F_OK) < 0) {
                        if (build_vfs(layer_blobs, rootfs, err) < 0 || rc_write_file(done, "", 0, 0600, err) < 0)
                                return -1;
                }
                out->driver = driver;
                out->path = steal_pointer(&rootfs);
                out->mounted = false;
                return 0;
        }
        if (run_dir == NULL)
                run_dir = container_dir;
        if (make_dirs(container_dir, run_dir, err) < 0)
                return -1;
        merged = xasprintf("%s/merged", run_dir);
        if (driver == RC_DRIVER_OVERLAY) {
                cleanup_strv char **links = NULL;
                if (short_layer_links(run_dir, layer_dirs, &links, err) < 0)
                        return -1;
                lower = lowerdir_option(links);
                r = mount_overlay(lower, container_dir, run_dir, merged, throwaway, err);
        } else {
                /* fuse-overlayfs reads its options itself: no page limit */
                lower = lowerdir_option(layer_dirs);
                r = mount_fuse_overlayfs(cfg, lower, container_dir, merged, err);
        }
        if (r < 0)
                return -1;
        out->driver = driver;
        out->path = steal_pointer(&merged);
        out->mounted = true;
        return 0;
}

int rc_rootfs_unmount(struct rc_rootfs *r, rc_error **err)
{
        if (r->mounted && r->path) {
                if (umount2(r->path, 0) < 0 && errno != EINVAL && umount2(r->path, MNT_DETACH) < 0 &&
                    errno != EINVAL)
                        return rc_error_set(err, errno, "unmount %s", r->path);
                r->mounted = false;
        }
        return 0;
}

void rc_rootfs_free(struct rc_rootfs *r)
{
        free(r->path);
        memset(r, 0, sizeof(*r));
}
