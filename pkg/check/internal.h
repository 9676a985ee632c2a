/* pkg/check internals: result helpers and the probe functions. */
#ifndef RC_CHECK_INTERNAL_H
#define RC_CHECK_INTERNAL_H

#include <stddef.h>

#include "check/check.h"
#include "userns/userns.h"

/* Set status and detail (printf). */
void check_set(struct rc_check_result *r, enum rc_check_status s, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* Set the fix (printf). */
void check_fix(struct rc_check_result *r, bool needs_root, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Take over a userns diagnosis; warn_as: the status its WARN maps to. */
void check_from_diag(struct rc_check_result *r, struct rc_diag *d);

/* Contents of dir/rel with trailing white space trimmed, or NULL. */
char *check_read(const char *dir, const char *rel);
/* A sysctl-like file holding one integer: 0, or -1 if absent/unparsable. */
int check_read_long(const char *dir, const char *rel, long *out);

/* Run fn in a forked child (so it may unshare namespaces freely); fn
 * returns 0 or an errno and may write a message into msg.  Returns fn's
 * value, or an errno if the child could not run or died. */
int check_in_child(int (*fn)(void *arg, char *msg, size_t len), void *arg, char *msg, size_t len);

/* In a child: a user namespace mapping only the caller's ids to 0, plus a
 * private mount namespace.  Needs no helpers.  Returns 0 or an errno, with
 * the failed step in msg. */
int check_self_userns(uid_t uid, gid_t gid, char *msg, size_t len);

/* The user's name for messages and commands ("USER" if unknown). */
const char *check_user(const struct rc_check_context *ctx);

/* probes_userns.c */
void check_kernel(const struct rc_check_context *ctx, struct rc_check_result *r);
void check_userns(const struct rc_check_context *ctx, struct rc_check_result *r);
void check_userns_create(const struct rc_check_context *ctx, struct rc_check_result *r);
void check_subids(const struct rc_check_context *ctx, struct rc_check_result *r);
void check_helpers(const struct rc_check_context *ctx, struct rc_check_result *r);
void check_idmap(const struct rc_check_context *ctx, struct rc_check_result *r);

/* probes_storage.c */
void check_runroot(const struct rc_check_context *ctx, struct rc_check_result *r);
void check_storage_fs(const struct rc_check_context *ctx, struct rc_check_result *r);
void check_overlay(const struct rc_check_context *ctx, struct rc_check_result *r);
void check_fuse(const struct rc_check_context *ctx, struct rc_check_result *r);

/* probes_host.c */
void check_xdg_runtime(const struct rc_check_context *ctx, struct rc_check_result *r);
void check_tun(const struct rc_check_context *ctx, struct rc_check_result *r);
void check_cgroup(const struct rc_check_context *ctx, struct rc_check_result *r);
void check_cgroup_manager(const struct rc_check_context *ctx, struct rc_check_result *r);
void check_systemd(const struct rc_check_context *ctx, struct rc_check_result *r);
void check_linger(const struct rc_check_context *ctx, struct rc_check_result *r);
void check_ports(const struct rc_check_context *ctx, struct rc_check_result *r);
void check_ping(const struct rc_check_context *ctx, struct rc_check_result *r);
void check_dns(const struct rc_check_context *ctx, struct rc_check_result *r);

#endif
