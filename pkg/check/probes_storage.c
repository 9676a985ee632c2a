/* Probes: runtime directory, store file system, native overlayfs,
 * fuse-overlayfs. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "check/internal.h"
#include "mount/mount.h"
#include "util/fs.h"
#include "util/xalloc.h"

#ifndef CIFS_SUPER_MAGIC
#define CIFS_SUPER_MAGIC 0xFF534D42
#endif
#ifndef SMB2_SUPER_MAGIC
#define SMB2_SUPER_MAGIC 0xFE534D42
#endif
#ifndef FUSE_SUPER_MAGIC
#define FUSE_SUPER_MAGIC 0x65735546
#endif

/* path, or its nearest existing ancestor (malloc'd). */
static char *existing_ancestor(const char *path)
{
        char *p = xstrdup(path);
        struct stat st;

        while (stat(p, &st) < 0) {
                char *slash = strrchr(p, '/');
                if (slash == NULL || slash == p) {
                        strcpy(p, "/");
                        break;
                }
                *slash = '\0';
        }
        return p;
}

void check_runroot(const struct rc_check_context *ctx, struct rc_check_result *r)
{
        const char *dir = ctx->cfg->runroot;
        cleanup_free char *parent = NULL;
        struct stat st;

        if (lstat(dir, &st) < 0) {
                parent = existing_ancestor(dir);
                if (access(parent, W_OK) < 0) {
                        check_set(r, RC_CHECK_FAIL, "%s does not exist and %s is not writable for you", dir, parent);
                        check_fix(r, false, "set [storage] runroot in ~/.config/rc/rootless.conf to a directory "
                                            "you own, e.g. /tmp/rc-%u", (unsigned)ctx->uid);
                        return;
                }
                check_set(r, RC_CHECK_OK, "%s (created on first use)", dir);
                return;
        }
        if (!S_ISDIR(st.st_mode)) {
                check_set(r, RC_CHECK_FAIL, "%s is not a directory", dir);
                check_fix(r, false, "rm %s", dir);
        } else if (st.st_uid != ctx->uid) {
                check_set(r, RC_CHECK_FAIL, "%s belongs to uid %u, not to you (uid %u)", dir, (unsigned)st.st_uid,
                          (unsigned)ctx->uid);
                check_fix(r, true, "rm -rf %s   (or set [storage] runroot in ~/.config/rc/rootless.conf to a "
                                   "directory you own)",
                          dir);
        } else if (st.st_mode & 022) {
                check_set(r, RC_CHECK_FAIL, "%s is writable by others (mode %03o): anyone could tamper with rc's "
                                            "state", dir, (unsigned)(st.st_mode & 0777));
                check_fix(r, false, "chmod 700 %s", dir);
        } else {
                check_set(r, RC_CHECK_OK, "%s", dir);
        }
}

static void set_root_fix(const struct rc_check_context *ctx, struct rc_check_result *r)
{
        check_fix(r, false,
                  "mkdir -p ~/.config/rc && printf '[storage]\\nroot = /var/tmp/rc-%s\\n' >> "
                  "~/.config/rc/rootless.conf   (any directory on a local disk will do)",
                  check_user(ctx));
}

void check_storage_fs(const struct rc_check_context *ctx, struct rc_check_result *r)
{
        cleanup_free char *at = existing_ancestor(ctx->cfg->root);
        struct statvfs sv;
        struct statfs sf;
        const char *bad = NULL;

        if (statfs(at, &sf) < 0 || statvfs(at, &sv) < 0) {
                check_set(r, RC_CHECK_SKIP, "cannot examine %s: %s", at, strerror(errno));
                return;
        }
        if (sf.f_type == NFS_SUPER_MAGIC)
                bad = "NFS";
        else if ((unsigned)sf.f_type == CIFS_SUPER_MAGIC || (unsigned)sf.f_type == SMB2_SUPER_MAGIC)
                bad = "SMB/CIFS";
        if (bad) {
                check_set(r, RC_CHECK_FAIL, "the store %s is on %s: files of subordinate ids cannot be created "
                                            "there, and overlayfs cannot use it", ctx->cfg->root, bad);
                set_root_fix(ctx, r);
                return;
        }
        if (sv.f_flag & ST_NOEXEC) {
                check_set(r, RC_CHECK_FAIL, "the store %s is on a file system mounted noexec: programs in "
                                            "containers could not run", ctx->cfg->root);
                set_root_fix(ctx, r);
                return;
        }
        if ((unsigned)sf.f_type == FUSE_SUPER_MAGIC || sf.f_type == ECRYPTFS_SUPER_MAGIC) {
                check_set(r, RC_CHECK_WARN, "the store %s is on %s, which overlayfs cannot use: rc falls back to "
                                            "slower storage", ctx->cfg->root,
                          sf.f_type == ECRYPTFS_SUPER_MAGIC ? "eCryptfs (encrypted home)" : "a FUSE file system");
                set_root_fix(ctx, r);
                return;
        }
        check_set(r, RC_CHECK_OK, "%s: local, exec allowed%s", ctx->cfg->root,
                  strcmp(at, ctx->cfg->root) ? " (created on first use)" : "");
}

struct overlay_arg {
        const struct rc_check_context *ctx;
        const char *scratch;
};

static int try_overlay(void *opaque, char *msg, size_t len)
{
        const struct overlay_arg *a = opaque;
        rc_error *err = NULL;
        int r = check_self_userns(a->ctx->uid, a->ctx->gid, msg, len);

        if (r)
                return r;
        if (rc_mount_probe_overlay(a->scratch, &err) < 0) {
                snprintf(msg, len, "%s", err->msg);
                return err->errnum ? err->errnum : EINVAL;
        }
        return 0;
}

void check_overlay(const struct rc_check_context *ctx, struct rc_check_result *r)
{
        struct overlay_arg arg = { ctx, NULL };
        cleanup_free char *scratch = xasprintf("%s/tmp", ctx->cfg->root);
        cleanup_error rc_error *ignored = NULL;
        char msg[1024];

        if (!ctx->live) {
                check_set(r, RC_CHECK_SKIP, "not tried (live probes are off)");
                return;
        }
        /* probe the file system the store lives on: that is where it must work */
        if (rc_mkdir_p(scratch, 0700, &ignored) < 0) {
                free(scratch);
                scratch = xstrdup("/tmp");
        }
        arg.scratch = scratch;
        if (check_in_child(try_overlay, &arg, msg, sizeof(msg)) != 0) {
                check_set(r, RC_CHECK_WARN, "%s; rc uses fuse-overlayfs instead (much slower on metadata-heavy "
                                            "work such as package installs)", msg);
                check_fix(r, true, "a kernel of 5.11 or later and a store on ext4, xfs or btrfs make it work");
                return;
        }
        check_set(r, RC_CHECK_OK, "works in a user namespace on %s: rc uses it (the fastest storage)",
                  strcmp(scratch, "/tmp") ? ctx->cfg->root : "/tmp");
}

void check_fuse(const struct rc_check_context *ctx, struct rc_check_result *r)
{
        cleanup_close int fd = open(ctx->dev_fuse, O_RDWR | O_CLOEXEC);
        cleanup_free char *prog = NULL;
        int e = errno;

        if (fd < 0) {
                if (e == ENOENT) {
                        check_set(r, RC_CHECK_WARN, "%s does not exist: fuse-overlayfs cannot work (rc needs it only "
                                                    "where native overlayfs fails)", ctx->dev_fuse);
                        check_fix(r, true, "modprobe fuse");
                } else {
                        check_set(r, RC_CHECK_WARN, "cannot open %s (%s): fuse-overlayfs cannot work (rc needs it "
                                                    "only where native overlayfs fails)", ctx->dev_fuse, strerror(e));
                        check_fix(r, true, "chmod 0666 %s   (distributions ship it that way)", ctx->dev_fuse);
                }
                return;
        }
        {
                /* search ctx->path the way exec would */
                const char *name = ctx->cfg->fuse_overlayfs;
                cleanup_free char *copy = xstrdup(ctx->path && *ctx->path ? ctx->path : "/usr/bin:/bin");
                char *save = NULL;
                if (strchr(name, '/'))
                        prog = access(name, X_OK) == 0 ? xstrdup(name) : NULL;
                else
                        for (char *d = strtok_r(copy, ":", &save); d && !prog; d = strtok_r(NULL, ":", &save)) {
                                char *p = xasprintf("%s/%s", d, name);
                                if (access(p, X_OK) == 0)
                                        prog = p;
                                else
                                        free(p);
                        }
        }
        if (prog == NULL) {
                check_set(r, RC_CHECK_WARN, "%s is usable but %s is not installed (rc needs it only where native "
                                            "overlayfs fails)", ctx->dev_fuse, ctx->cfg->fuse_overlayfs);
                check_fix(r, true, "apt-get install fuse-overlayfs   (dnf install fuse-overlayfs on Fedora)");
                return;
        }
        check_set(r, RC_CHECK_OK, "%s and %s are usable", prog, ctx->dev_fuse);
}
