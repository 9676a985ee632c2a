/* Seccomp filters for containers.
 *
 * A profile (rc's built-in default, or a JSON file in the docker/podman
 * format) is turned into a classic-BPF program in rc, before the container
 * process exists; the container child loads that program with one system
 * call as its last step before exec.  The child never calls libseccomp.
 *
 * The default profile is an allow-list: every system call not named in it
 * fails with EPERM (never a kill).  Conditional rules depend on the
 * container's capabilities (CAP_SYS_ADMIN unlocks mount, setns, unshare and
 * namespace flags for clone...), on the architecture and the kernel version.
 *
 * Compiled programs are cached under a directory of the caller's choice
 * (rc uses $runroot/seccomp), keyed by a sha256 of everything that decides
 * the program: profile bytes (or the default table's version), capability
 * set, architecture, kernel release and libseccomp version. */
#ifndef RC_SECCOMP_SECCOMP_H
#define RC_SECCOMP_SECCOMP_H

#include <json-c/json.h>
#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/digest.h"
#include "util/error.h"

/* One argument comparison: op is a libseccomp enum scmp_compare. */
struct rc_seccomp_arg {
        unsigned index; /* 0..5 */
        uint64_t value, value_two;
        int op;
};

/* Conditions of a rule: all of includes must hold, none of excludes. */
struct rc_seccomp_cond {
        char **caps;          /* capability names; NULL-terminated or NULL */
        char **arches;        /* "amd64", "arm64", "x86", ...; matched against the native architecture */
        unsigned min_kernel;  /* major << 16 | minor; 0: none */
};

struct rc_seccomp_rule {
        char **names;         /* system call names (NULL-terminated) */
        uint32_t action;      /* libseccomp action, SCMP_ACT_ERRNO(n) included */
        struct rc_seccomp_arg *args;
        size_t n_args;
        struct rc_seccomp_cond includes, excludes;
};

struct rc_seccomp_archmap {
        uint32_t arch;        /* SCMP_ARCH_* */
        uint32_t *subs;
        size_t n_subs;
};

struct rc_seccomp_profile {
        char *name;           /* "default" or the file's path, for messages and inspect */
        char source[RC_DIGEST_LEN + 1]; /* sha256 of a JSON profile's bytes, or "default:" and the table's version */
        uint32_t default_action;
        uint32_t *arches;     /* "architectures"; none: the native one and its compat arches */
        size_t n_arches;
        struct rc_seccomp_archmap *arch_map; /* "archMap": used for the native arch when present */
        size_t n_arch_map;
        struct rc_seccomp_rule *rules;
        size_t n_rules;
        bool builtin;         /* rules point into rc's static table: only the arrays are freed */
};

/* A compiled program plus what `rc inspect` shows of it. */
struct rc_seccomp_filter {
        struct sock_fprog prog;   /* prog.filter is malloc'd */
        char *profile;            /* profile name */
        uint32_t default_action;
        char **architectures;     /* SCMP_ARCH_* names in the program */
        bool from_cache;          /* loaded from the cache rather than compiled */
};

/* Largest profile file rc reads, and the bounds the parser enforces. */
#define RC_SECCOMP_MAX_PROFILE (1024 * 1024)
#define RC_SECCOMP_MAX_RULES 4096
#define RC_SECCOMP_MAX_NAMES 1024

/* rc's built-in default profile (never fails).  Free with rc_seccomp_profile_free. */
struct rc_seccomp_profile *rc_seccomp_profile_default(void);

/* Parse and validate a JSON profile of `len` bytes (hostile input: every
 * field is checked; an error names the field, e.g. "syscalls[2].args[0].op").
 * name labels it in messages.  *out is set only on success. */
int rc_seccomp_profile_parse(const char *json, size_t len, const char *name, struct rc_seccomp_profile **out,
                             rc_error **err);

/* Read a profile file (at most RC_SECCOMP_MAX_PROFILE bytes) and parse it.
 * Errors start with the path. */
int rc_seccomp_profile_read(const char *path, struct rc_seccomp_profile **out, rc_error **err);

void rc_seccomp_profile_free(struct rc_seccomp_profile *p);
void rc_seccomp_profile_freep(struct rc_seccomp_profile **p);
#define cleanup_seccomp_profile __attribute__((cleanup(rc_seccomp_profile_freep)))

/* Compile a profile for a process holding the capabilities `caps`
 * ("CAP_SYS_ADMIN" or "sys_admin" forms; NULL-terminated).  System call
 * names unknown to libseccomp are skipped.  *out is set only on success. */
int rc_seccomp_compile(const struct rc_seccomp_profile *p, char *const *caps, struct rc_seccomp_filter **out,
                       rc_error **err);

/* rc_seccomp_compile through the cache in cache_dir (created 0700 if
 * missing; NULL: no cache).  An unreadable, short or corrupt cache entry is
 * ignored and rewritten; a failure to write the cache is not an error. */
int rc_seccomp_filter_get(const struct rc_seccomp_profile *p, char *const *caps, const char *cache_dir,
                          struct rc_seccomp_filter **out, rc_error **err);

/* The cache file name (64 hex + ".bpf") for p and caps, into out. */
void rc_seccomp_cache_key(const struct rc_seccomp_profile *p, char *const *caps, char out[RC_DIGEST_HEX_LEN + 1]);

/* Load f into the calling thread: one prctl(PR_SET_SECCOMP), no allocation,
 * safe in a freshly cloned child.  Needs no_new_privs or CAP_SYS_ADMIN in
 * the caller's user namespace.  Returns -1 with errno set. */
int rc_seccomp_load(const struct rc_seccomp_filter *f);

void rc_seccomp_filter_free(struct rc_seccomp_filter *f);

/* The OCI config.json "seccomp" section for f: defaultAction, architectures
 * and a summary (profile, number of BPF instructions).  Caller owns it. */
json_object *rc_seccomp_filter_to_json(const struct rc_seccomp_filter *f);

/* "SCMP_ACT_ERRNO" etc. for a libseccomp action (errno part ignored). */
const char *rc_seccomp_action_name(uint32_t action);

#endif
