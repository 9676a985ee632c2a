/* Probes: kernel, user namespaces, subordinate ids, the id map helpers. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check/internal.h"
#include "util/log.h"
#include "util/xalloc.h"

void check_kernel(const struct rc_check_context *ctx, struct rc_check_result *r)
{
        cleanup_free char *rel = check_read(ctx->proc_sys, "kernel/osrelease");
        int major = 0, minor = 0;

        if (rel == NULL || sscanf(rel, "%d.%d", &major, &minor) != 2) {
                check_set(r, RC_CHECK_SKIP, "cannot read the kernel version from %s/kernel/osrelease", ctx->proc_sys);
                return;
        }
        if (major < 4 || (major == 4 && minor < 18)) {
                check_set(r, RC_CHECK_FAIL, "Linux %s is too old: rc needs 4.18 or later (5.11 or later for native "
                                            "rootless overlayfs)", rel);
                check_fix(r, true, "upgrade the kernel to 5.11 or later");
        } else if (major < 5 || (major == 5 && minor < 11)) {
                check_set(r, RC_CHECK_WARN, "Linux %s: native overlayfs in a user namespace needs 5.11, so rc "
                                            "stores containers with the slower fuse-overlayfs", rel);
                check_fix(r, true, "upgrade the kernel to 5.11 or later");
        } else {
                check_set(r, RC_CHECK_OK, "Linux %s", rel);
        }
}

/* The fix that installs an AppArmor profile allowing rc user namespaces. */
static void apparmor_fix(struct rc_check_result *r)
{
        char exe[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

        if (n <= 0)
                n = snprintf(exe, sizeof(exe), "/usr/local/bin/rc");
        exe[n] = '\0';
        check_fix(r, true,
                  "printf 'abi <abi/4.0>,\\ninclude <tunables/global>\\nprofile rc %s flags=(unconfined) {\\n"
                  "  userns,\\n}\\n' > /etc/apparmor.d/rc && apparmor_parser -r /etc/apparmor.d/rc",
                  exe);
}

void check_userns(const struct rc_check_context *ctx, struct rc_check_result *r)
{
        long clone, max, aa;

        if (check_read_long(ctx->proc_sys, "kernel/unprivileged_userns_clone", &clone) == 0 && clone == 0) {
                check_set(r, RC_CHECK_FAIL, "kernel.unprivileged_userns_clone = 0: only root may create user "
                                            "namespaces, and rootless containers need one");
                check_fix(r, true,
                          "sysctl -w kernel.unprivileged_userns_clone=1 && "
                          "echo kernel.unprivileged_userns_clone=1 > /etc/sysctl.d/50-rc-userns.conf");
                return;
        }
        if (check_read_long(ctx->proc_sys, "user/max_user_namespaces", &max) < 0) {
                check_set(r, RC_CHECK_FAIL, "%s/user/max_user_namespaces is missing: this kernel was built "
                                            "without user namespaces (CONFIG_USER_NS)", ctx->proc_sys);
                check_fix(r, true, "use a kernel built with CONFIG_USER_NS=y (every major distribution's is)");
                return;
        }
        if (max == 0) {
                check_set(r, RC_CHECK_FAIL, "user.max_user_namespaces = 0: user namespaces are disabled");
                check_fix(r, true,
                          "sysctl -w user.max_user_namespaces=15000 && "
                          "echo user.max_user_namespaces=15000 > /etc/sysctl.d/50-rc-userns.conf");
                return;
        }
        if (check_read_long(ctx->proc_sys, "kernel/apparmor_restrict_unprivileged_userns", &aa) == 0 && aa == 1) {
                struct stat st;
                if (stat(ctx->apparmor_profile, &st) == 0) {
                        check_set(r, RC_CHECK_OK, "AppArmor restricts unprivileged user namespaces; %s grants them "
                                                  "to rc", ctx->apparmor_profile);
                        return;
                }
                check_set(r, RC_CHECK_FAIL, "kernel.apparmor_restrict_unprivileged_userns = 1 (Ubuntu 24.04 and "
                                            "later): only programs with an AppArmor profile granting 'userns,' get "
                                            "a usable user namespace, and %s does not exist ('make install' "
                                            "installs it)", ctx->apparmor_profile);
                apparmor_fix(r);
                return;
        }
        check_set(r, RC_CHECK_OK, "allowed for unprivileged users (user.max_user_namespaces = %ld)", max);
}

static int try_userns(void *arg, char *msg, size_t len)
{
        const struct rc_check_context *ctx = arg;
        int r = check_self_userns(ctx->uid, ctx->gid, msg, len);

        if (r)
                return r;
        /* a capability only the namespace's root has: an AppArmor-restricted
         * namespace fails here although unshare succeeded */
        if (mount("rc-check", "/tmp", "tmpfs", 0, "size=64k") < 0) {
                r = errno;
                snprintf(msg, len, "mount tmpfs in the user namespace: %s", strerror(r));
                return r;
        }
        return 0;
}

void check_userns_create(const struct rc_check_context *ctx, struct rc_check_result *r)
{
        char msg[512];
        long aa;
        int e;

        if (!ctx->live) {
                check_set(r, RC_CHECK_SKIP, "not tried (live probes are off)");
                return;
        }
        e = check_in_child(try_userns, (void *)ctx, msg, sizeof(msg));
        if (e == 0) {
                check_set(r, RC_CHECK_OK, "created one and mounted a file system in it");
                return;
        }
        check_set(r, RC_CHECK_FAIL, "%s", msg);
        if (check_read_long(ctx->proc_sys, "kernel/apparmor_restrict_unprivileged_userns", &aa) == 0 && aa == 1) {
                check_set(r, RC_CHECK_FAIL, "%s: AppArmor's restriction on user namespaces applies to rc "
                                            "(kernel.apparmor_restrict_unprivileged_userns = 1)", msg);
                apparmor_fix(r);
        } else if (e == ENOSPC) {
                check_set(r, RC_CHECK_FAIL, "%s: the limit user.max_user_namespaces is reached", msg);
                check_fix(r, true, "sysctl -w user.max_user_namespaces=15000");
        } else if (strstr(msg, "unshare(CLONE_NEWUSER)")) {
                check_fix(r, false, "see the 'user namespaces' line above; a container or seccomp filter "
                                    "around this shell may also forbid unshare");
        } else {
                check_fix(r, false, "a security module (SELinux, AppArmor) or a container around this shell "
                                    "forbids this; check the kernel log (dmesg) for denials");
        }
}

static bool running_as_root(const struct rc_check_context *ctx, struct rc_check_result *r)
{
        if (ctx->uid != 0)
                return false;
        check_set(r, RC_CHECK_SKIP, "rc runs as root here: it keeps host ids and needs no mapping");
        return true;
}

void check_subids(const struct rc_check_context *ctx, struct rc_check_result *r)
{
        struct rc_userns_identity id = { ctx->user, ctx->uid, ctx->gid };
        struct rc_diag d;

        if (running_as_root(ctx, r))
                return;
        rc_subid_diagnose(ctx->cfg->subuid_file, ctx->cfg->subgid_file, &id, NULL, &d);
        check_from_diag(r, &d);
}

void check_helpers(const struct rc_check_context *ctx, struct rc_check_result *r)
{
        struct rc_diag d;

        if (running_as_root(ctx, r))
                return;
        rc_idmap_helpers_diagnose(ctx->cfg->newuidmap, ctx->cfg->newgidmap, ctx->path, NULL, NULL, &d);
        check_from_diag(r, &d);
}

static int try_idmap(void *arg, char *msg, size_t len)
{
        const struct rc_check_context *ctx = arg;
        struct rc_config cfg = *ctx->cfg;
        struct rc_userns_state st;
        rc_error *err = NULL;
        char *text;

        rc_log_set_level(RC_LOG_ERROR); /* the subids line reports warnings */
        if (ctx->path)
                setenv("PATH", ctx->path, 1);
        char run[] = "/tmp/rc-check-XXXXXX";

        cfg.pause = false; /* a namespace of its own: leave the pause process alone */
        /* a scratch runroot: the runroot line reports problems with the real one */
        if (mkdtemp(run) == NULL) {
                snprintf(msg, len, "mkdtemp %s: %s", run, strerror(errno));
                return errno;
        }
        cfg.runroot = run;
        if (rc_userns_enter(&cfg, &st, &err) < 0) {
                rmdir(run);
                snprintf(msg, len, "%s", err->msg);
                return EPERM;
        }
        rmdir(run);
        text = rc_idmap_format(st.mapping.uids, st.mapping.n_uids);
        snprintf(msg, len, "%s", text);
        free(text);
        return 0;
}

void check_idmap(const struct rc_check_context *ctx, struct rc_check_result *r)
{
        struct rc_userns_identity id = { ctx->user, ctx->uid, ctx->gid };
        struct rc_diag d;
        char msg[1024];
        bool broken;

        if (running_as_root(ctx, r))
                return;
        if (!ctx->live) {
                check_set(r, RC_CHECK_SKIP, "not tried (live probes are off)");
                return;
        }
        broken = rc_subid_diagnose(ctx->cfg->subuid_file, ctx->cfg->subgid_file, &id, NULL, &d) == RC_DIAG_FAIL;
        rc_diag_free(&d);
        broken |= rc_idmap_helpers_diagnose(ctx->cfg->newuidmap, ctx->cfg->newgidmap, ctx->path, NULL, NULL, &d) ==
                  RC_DIAG_FAIL;
        rc_diag_free(&d);
        if (broken) {
                check_set(r, RC_CHECK_SKIP, "not tried until the lines above are fixed");
                return;
        }
        if (check_in_child(try_idmap, (void *)ctx, msg, sizeof(msg)) != 0) {
                check_set(r, RC_CHECK_FAIL, "%s", msg);
                if (strstr(msg, "not allowed"))
                        check_fix(r, true, "make %s and %s agree with what newuidmap reads (/etc/subuid, "
                                           "/etc/subgid)", ctx->cfg->subuid_file, ctx->cfg->subgid_file);
                return;
        }
        check_set(r, RC_CHECK_OK, "newuidmap and newgidmap mapped a namespace: uids %s", msg);
}
