/* Capabilities, ids and no_new_privs for the container process. */
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runtime/internal.h"
#include "seccomp/seccomp.h"

static const char *const cap_names[] = {
        "CAP_CHOWN",          "CAP_DAC_OVERRIDE",   "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
        "CAP_FSETID",         "CAP_KILL",           "CAP_SETGID",          "CAP_SETUID",
        "CAP_SETPCAP",        "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
        "CAP_NET_ADMIN",      "CAP_NET_RAW",        "CAP_IPC_LOCK",        "CAP_IPC_OWNER",
        "CAP_SYS_MODULE",     "CAP_SYS_RAWIO",      "CAP_SYS_CHROOT",      "CAP_SYS_PTRACE",
        "CAP_SYS_PACCT",      "CAP_SYS_ADMIN",      "CAP_SYS_BOOT",        "CAP_SYS_NICE",
        "CAP_SYS_RESOURCE",   "CAP_SYS_TIME",       "CAP_SYS_TTY_CONFIG",  "CAP_MKNOD",
        "CAP_LEASE",          "CAP_AUDIT_WRITE",    "CAP_AUDIT_CONTROL",   "CAP_SETFCAP",
        "CAP_MAC_OVERRIDE",   "CAP_MAC_ADMIN",      "CAP_SYSLOG",          "CAP_WAKE_ALARM",
        "CAP_BLOCK_SUSPEND",  "CAP_AUDIT_READ",     "CAP_PERFMON",         "CAP_BPF",
        "CAP_CHECKPOINT_RESTORE",
};
#define N_CAPS ((int)(sizeof(cap_names) / sizeof(cap_names[0])))

int rc_cap_from_name(const char *name)
{
        for (int i = 0; i < N_CAPS; i++) {
                if (strcasecmp(name, cap_names[i]) == 0 || strcasecmp(name, cap_names[i] + 4) == 0)
                        return i;
        }
        return -1;
}

const char *rc_cap_name(int cap)
{
        return cap >= 0 && cap < N_CAPS ? cap_names[cap] : NULL;
}

/* Highest capability the kernel knows. */
static int last_cap(void)
{
        FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
        int n = CAP_LAST_CAP;

        if (f) {
                if (fscanf(f, "%d", &n) != 1)
                        n = CAP_LAST_CAP;
                fclose(f);
        }
        return n;
}

static int caps_to_mask(char *const *names, uint64_t *mask, struct rc_child_error *e)
{
        *mask = 0;
        for (size_t i = 0; names && names[i]; i++) {
                int c = rc_cap_from_name(names[i]);
                if (c < 0)
                        return rc_child_fail(e, EINVAL, "unknown capability \"%s\"", names[i]);
                *mask |= 1ULL << c;
        }
        return 0;
}

int rc_apply_caps_and_ids(const struct rc_spec *spec, struct rc_child_error *e)
{
        struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
        struct __user_cap_data_struct data[2];
        uint64_t bounding, effective, permitted, inheritable, ambient;
        int last = last_cap();
        gid_t *groups = NULL;

        if (caps_to_mask(spec->cap_bounding, &bounding, e) < 0 || caps_to_mask(spec->cap_effective, &effective, e) < 0 ||
            caps_to_mask(spec->cap_permitted, &permitted, e) < 0 ||
            caps_to_mask(spec->cap_inheritable, &inheritable, e) < 0 ||
            caps_to_mask(spec->cap_ambient, &ambient, e) < 0)
                return -1;
        for (int c = 0; c <= last; c++) {
                if (bounding & (1ULL << c))
                        continue;
                if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
                        return rc_child_fail(e, errno, "drop capability %d from the bounding set", c);
        }

        /* Keep the permitted set across the switch to a non-zero uid; the
         * sets are set explicitly right after. */
        if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
                return rc_child_fail(e, errno, "prctl(PR_SET_KEEPCAPS)");
        if (spec->n_additional_gids > 0) {
                groups = calloc(spec->n_additional_gids, sizeof(gid_t));
                if (groups == NULL)
                        return rc_child_fail(e, ENOMEM, "allocate groups");
                for (size_t i = 0; i < spec->n_additional_gids; i++)
                        groups[i] = spec->additional_gids[i];
        }
        if (setgroups(spec->n_additional_gids, groups) < 0) {
                free(groups);
                return rc_child_fail(e, errno, "setgroups");
        }
        free(groups);
        if (setresgid(spec->gid, spec->gid, spec->gid) < 0)
                return rc_child_fail(e, errno, "set gid %u (is it inside the mapped range?)", spec->gid);
        if (setresuid(spec->uid, spec->uid, spec->uid) < 0)
                return rc_child_fail(e, errno, "set uid %u (is it inside the mapped range?)", spec->uid);
        umask((mode_t)spec->umask);
        if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
                return rc_child_fail(e, errno, "prctl(PR_SET_KEEPCAPS)");

        memset(data, 0, sizeof(data));
        data[0].effective = (uint32_t)effective;
        data[1].effective = (uint32_t)(effective >> 32);
        data[0].permitted = (uint32_t)permitted;
        data[1].permitted = (uint32_t)(permitted >> 32);
        data[0].inheritable = (uint32_t)inheritable;
        data[1].inheritable = (uint32_t)(inheritable >> 32);
        if (syscall(SYS_capset, &hdr, data) < 0)
                return rc_child_fail(e, errno, "set capabilities");
        for (int c = 0; c <= last && c < 64; c++) {
                if (!(ambient & (1ULL << c)))
                        continue;
                if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0)
                        return rc_child_fail(e, errno, "raise ambient capability %s", rc_cap_name(c));
        }
        if (spec->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return rc_child_fail(e, errno, "prctl(PR_SET_NO_NEW_PRIVS)");
        return 0;
}

int rc_apply_seccomp(const struct rc_spec *spec, bool before_caps, struct rc_child_error *e)
{
        /* With no_new_privs the filter goes last, so it constrains nothing of
         * rc's own set-up.  Without it the kernel wants CAP_SYS_ADMIN in the
         * user namespace to load a filter, which the child only has before
         * its capabilities are dropped. */
        if (spec->seccomp == NULL || before_caps == spec->no_new_privileges)
                return 0;
        if (rc_seccomp_load(spec->seccomp) < 0)
                return rc_child_fail(e, errno, "load the seccomp filter%s",
                                     errno == EINVAL ? " (a kernel without seccomp? --security-opt "
                                                       "seccomp=unconfined runs without one)"
                                                     : "");
        return 0;
}
