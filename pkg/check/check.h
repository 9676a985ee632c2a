/* Diagnostics for `rc system check`: a table of probes, each finding one
 * thing that makes rootless containers fail or degrade on this host and
 * saying exactly how to fix it (and whether the fix needs root).
 *
 * Probes read the host through a context of paths, so unit tests can point
 * them at files of their own; probes that create namespaces or mounts run
 * only when the context says live. */
#ifndef RC_CHECK_CHECK_H
#define RC_CHECK_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "config/config.h"

enum rc_check_status {
        RC_CHECK_OK,
        RC_CHECK_INFO, /* nothing wrong, but worth knowing */
        RC_CHECK_WARN, /* works, degraded or fragile */
        RC_CHECK_FAIL, /* rc cannot run containers (or the feature is broken) */
        RC_CHECK_SKIP, /* not applicable or could not be tested */
};

/* "OK", "INFO", "WARN", "FAIL", "SKIP" */
const char *rc_check_status_name(enum rc_check_status s);

struct rc_check_result {
        const char *id;    /* stable machine name, e.g. "subids" */
        const char *title; /* what was checked, e.g. "subordinate ids" */
        enum rc_check_status status;
        char *detail;      /* what was found, one line */
        char *fix;         /* command or action that fixes it; NULL if none */
        bool fix_needs_root;
};

/* Where the probes look.  rc_check_context_init fills in the host's real
 * paths and the invoking user; tests override fields. */
struct rc_check_context {
        const struct rc_config *cfg; /* subuid/subgid files, helper names, root, runroot */
        const char *user;            /* login name (NULL if none) */
        uid_t uid;
        gid_t gid;
        const char *proc_sys;          /* /proc/sys */
        const char *mountinfo;         /* /proc/self/mountinfo */
        const char *proc_cgroup;       /* /proc/self/cgroup */
        const char *cgroup_root;       /* /sys/fs/cgroup */
        const char *dev_fuse;          /* /dev/fuse */
        const char *dev_tun;           /* /dev/net/tun */
        const char *resolv_conf;       /* /etc/resolv.conf */
        const char *resolved_conf;     /* /run/systemd/resolve/resolv.conf (upstream servers) */
        const char *systemd_dir;       /* /run/systemd/system: exists if systemd runs the host */
        const char *linger_dir;        /* /var/lib/systemd/linger */
        const char *apparmor_profile;  /* /etc/apparmor.d/rc */
        const char *xdg_runtime_dir;   /* $XDG_RUNTIME_DIR, NULL if unset */
        const char *dbus_address;      /* $DBUS_SESSION_BUS_ADDRESS, NULL if unset */
        const char *path;              /* $PATH, for the helpers */
        bool live; /* run probes that create user namespaces, mounts, bus connections */
};

/* The real host and the calling user, live probes on.  Strings point into
 * the environment or static storage, except user (name_buf, caller frees). */
void rc_check_context_init(struct rc_check_context *ctx, const struct rc_config *cfg, char **name_buf);

/* A probe in the table. */
struct rc_check_probe {
        const char *id;
        const char *title;
        void (*fn)(const struct rc_check_context *ctx, struct rc_check_result *r);
};

/* All probes, in the order they are reported. */
const struct rc_check_probe *rc_check_probes(size_t *n);

/* Run every probe; *out is an array of *n results (free with
 * rc_check_results_free). */
void rc_check_run_all(const struct rc_check_context *ctx, struct rc_check_result **out, size_t *n);
/* Run the probe with this id; false if there is none. */
bool rc_check_run_one(const struct rc_check_context *ctx, const char *id, struct rc_check_result *out);

void rc_check_result_clear(struct rc_check_result *r);
void rc_check_results_free(struct rc_check_result *r, size_t n);

/* What `rc info` shows of each library and helper of
 * third_party/components.tsv. */
struct rc_component {
        const char *name, *kind, *link, *file, *package, *min_version, *license;
        char *found;   /* version or path found, or NULL */
        char *problem; /* why it is unusable, or NULL */
};

/* Describes every library and helper of third_party/components.tsv as found
 * now: linked libraries with their run-time version, on-demand ones after
 * loading them (so rc info loads them all), helpers by their path. */
void rc_components_probe(struct rc_component **out, size_t *n);
void rc_components_free(struct rc_component *c, size_t n);

#endif
