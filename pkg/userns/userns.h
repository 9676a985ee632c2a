/* The user namespace rc works in.
 *
 * Rootless rc maps container uid 0 to the invoking user and container uids
 * 1.. to the user's subordinate ranges from /etc/subuid (gids likewise from
 * /etc/subgid), using the setuid helpers newuidmap/newgidmap.  Running those
 * helpers costs more than everything else in namespace set-up together, so
 * by default one sleeping "pause" process per user holds the mapped
 * namespace and later rc processes join it with setns(); it is re-created
 * transparently when it is gone or when the subordinate ranges changed.
 *
 * Diagnosis is part of the API: every problem that stops the namespace from
 * being set up comes with the exact command that fixes it (used both for
 * errors and by `rc system check`). */
#ifndef RC_USERNS_USERNS_H
#define RC_USERNS_USERNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "config/config.h"
#include "util/error.h"

/* ---- /etc/subuid and /etc/subgid ---- */

/* One of the user's lines: ids start .. start+count-1. */
struct rc_subid_range {
        uint32_t start;
        uint32_t count;
        unsigned line; /* 1-based line number, for messages */
};

/* Parse the content of a subordinate id file and return the ranges that
 * belong to user (by name; may be NULL) or uid (by number), in file order.
 * Comments (#) and blank lines are ignored; malformed lines of other users
 * are skipped, a malformed line of this user is an error naming the line.
 * No entry at all is not an error here (*n = 0, *out = NULL). */
int rc_subid_parse(const char *content, const char *user, uid_t uid, struct rc_subid_range **out, size_t *n,
                   rc_error **err);

/* First id of a block of 65536 ids that no line of content uses (at least
 * 100000, after the highest range of any user): what to suggest in fixes. */
uint32_t rc_subid_suggest_start(const char *content);

/* ---- mappings ---- */

/* Container ids container..container+size-1 are host ids host... */
struct rc_idmap {
        uint32_t container;
        uint32_t host;
        uint32_t size;
};

struct rc_userns_mapping {
        struct rc_idmap *uids;
        size_t n_uids;
        struct rc_idmap *gids;
        size_t n_gids;
};

void rc_userns_mapping_free(struct rc_userns_mapping *m);
bool rc_userns_mapping_equal(const struct rc_userns_mapping *a, const struct rc_userns_mapping *b);
/* "0:1001:1 1:100000:65536" (container:host:size per extent), malloc'd. */
char *rc_idmap_format(const struct rc_idmap *m, size_t n);
/* Parse /proc/PID/uid_map text. */
int rc_idmap_parse_proc(const char *text, struct rc_idmap **out, size_t *n, rc_error **err);

/* ---- diagnosis ---- */

enum rc_diag_level { RC_DIAG_OK, RC_DIAG_WARN, RC_DIAG_FAIL };

/* A finding: what is wrong and the command that fixes it. */
struct rc_diag {
        enum rc_diag_level level;
        char *detail;        /* what was found (for OK: a summary) */
        char *fix;           /* shell command or action; NULL if none */
        bool fix_needs_root; /* fix must be run as root */
};

void rc_diag_free(struct rc_diag *d);

/* Who is being mapped. */
struct rc_userns_identity {
        const char *user; /* login name, NULL if the uid has no passwd entry */
        uid_t uid;
        gid_t gid;
};

/* Check both subordinate id files for id and build the mapping (if mapping
 * is non-NULL and the level is not FAIL).  Detects: no entry (the fix names
 * a free range), a range containing the user's own id, overlapping ranges,
 * malformed own lines, unreadable files (FAIL); fewer than 65536 ids (WARN:
 * images with files owned by 65534 'nobody' would fail). */
enum rc_diag_level rc_subid_diagnose(const char *subuid_file, const char *subgid_file,
                                     const struct rc_userns_identity *id, struct rc_userns_mapping *mapping,
                                     struct rc_diag *out);

/* Find newuidmap and newgidmap (a name is searched in path_env, or $PATH if
 * NULL; a name with '/' is used as is) and check they can work: setuid root
 * on a file system without nosuid, or cap_setuid/cap_setgid file
 * capabilities.  On OK the found paths are returned if the pointers are
 * non-NULL. */
enum rc_diag_level rc_idmap_helpers_diagnose(const char *newuidmap, const char *newgidmap, const char *path_env,
                                             char **uidmap_path, char **gidmap_path, struct rc_diag *out);

/* The current user's identity (user name malloc'd into *name_buf). */
void rc_userns_identity_current(struct rc_userns_identity *id, char **name_buf);

/* The mapping for the current user from cfg's subordinate id files; a FAIL
 * diagnosis becomes an error carrying the fix, a WARN is logged. */
int rc_userns_mapping_load(const struct rc_config *cfg, struct rc_userns_mapping *out, rc_error **err);

/* ---- entering ---- */

struct rc_userns_state {
        pid_t pause_pid;                  /* pause process holding the namespace; 0 if none */
        bool created;                     /* this call created the namespace (slow path) */
        bool host_root;                   /* rc already runs as uid 0: no namespace was set up */
        struct rc_userns_mapping mapping; /* the namespace's mapping (host view) */
};

void rc_userns_state_free(struct rc_userns_state *s);

/* Put the calling (single-threaded) process into rc's user namespace, as
 * uid/gid 0 there with full capabilities, and into a new mount namespace
 * whose mounts are private, so mounts rc makes vanish with the process.
 * With cfg->pause: join the pause process, creating it first if it is
 * missing, dead or holds a mapping that differs from the subordinate id
 * files now (serialised by a lock in cfg->runroot).  Without: a new
 * namespace for this process alone.  Call once per process. */
int rc_userns_enter(const struct rc_config *cfg, struct rc_userns_state *out, rc_error **err);

/* Report the pause process (pid and the mapping it holds) without joining
 * or creating anything: pause_pid = 0 if it is not running. */
int rc_userns_status(const struct rc_config *cfg, struct rc_userns_state *out, rc_error **err);

/* Stop the pause process (SIGTERM, waits for it to exit) and remove its pid
 * file.  Not running is not an error. */
int rc_userns_stop_pause(const struct rc_config *cfg, rc_error **err);

#endif
