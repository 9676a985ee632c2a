/* Control groups: where a container's processes live and what limits them.
 *
 * rc works with cgroup v2 only (the unified hierarchy, or its half of a
 * hybrid layout).  A backend — the cgroup manager — creates one cgroup per
 * container and puts the container's first process in it before that
 * process runs anything of the container:
 *   systemd   the user's systemd manager, over D-Bus: a transient scope
 *             rc-<id>.scope with Delegate=yes and the limits as unit
 *             properties (MemoryMax, TasksMax, ...)
 *   cgroupfs  a cgroup rc creates itself beside its own, in a subtree
 *             delegated to the user (rc-<id>), limits written to its files
 *   none      no cgroup; asking for a limit is then an error
 * `[cgroups] manager = auto` takes the first that works here; the choice
 * and the reason are in rc info.  Everything after creation (stats, freeze,
 * kill) works on the cgroup's directory, the same for both backends. */
#ifndef RC_CGROUP_CGROUP_H
#define RC_CGROUP_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "config/config.h"
#include "util/error.h"

/* ---- limits (pure; unit tested) ---- */

struct rc_cgroup_limits {
        uint64_t memory;      /* --memory: bytes (memory.max, MemoryMax); 0: none */
        int64_t memory_swap;  /* --memory-swap: memory + swap bytes; -1: swap unlimited; 0: not given (docker's
                                 default then: as much swap as memory, where the host accounts swap) */
        uint64_t cpu_quota;   /* --cpus: microseconds of CPU time per second (0.5 CPU: 500000); 0: none */
        uint64_t cpu_weight;  /* --cpu-weight 1..10000, or --cpu-shares converted (cpu.weight); 0: none */
        uint64_t pids;        /* --pids-limit (pids.max, TasksMax); 0: none */
        uint64_t io_weight;   /* --blkio-weight converted to 1..10000 (io.weight, IOWeight); 0: none */
};

bool rc_cgroup_limits_any(const struct rc_cgroup_limits *l);
/* Docker's sizes: a number (decimals allowed) with b, k, m, g, t (binary,
 * also kb/kib...), case-insensitive: "64m", "1.5g", "1048576".  *out in
 * bytes.  EINVAL/ERANGE with a message naming the flag. */
int rc_cgroup_parse_bytes(const char *flag, const char *s, uint64_t *out, rc_error **err);
/* --memory: a size of at least 6 MiB (docker's minimum). */
int rc_cgroup_parse_memory(const char *s, uint64_t *out, rc_error **err);
/* --memory-swap: a size, or -1 for unlimited swap. */
int rc_cgroup_parse_memory_swap(const char *s, int64_t *out, rc_error **err);
/* --cpus: a decimal number of CPUs from 0.01 to max_cpus (up to 6
 * decimals); *quota_us: microseconds per second. */
int rc_cgroup_parse_cpus(const char *s, long max_cpus, uint64_t *quota_us, rc_error **err);
/* --pids-limit: a positive number; 0 and -1 mean no limit (*out = 0). */
int rc_cgroup_parse_pids(const char *s, uint64_t *out, rc_error **err);
/* --cpu-shares 2..262144 (docker's weights) -> cpu.weight 1..10000, the
 * conversion the OCI runtimes use for cgroup v2. */
int rc_cgroup_parse_cpu_shares(const char *s, uint64_t *weight, rc_error **err);
/* --cpu-weight 1..10000. */
int rc_cgroup_parse_cpu_weight(const char *s, uint64_t *weight, rc_error **err);
/* --blkio-weight 10..1000 -> io.weight 1..10000. */
int rc_cgroup_parse_blkio_weight(const char *s, uint64_t *weight, rc_error **err);
/* Checks that concern several flags: --memory-swap needs --memory and must
 * not be smaller than it. */
int rc_cgroup_limits_validate(const struct rc_cgroup_limits *l, rc_error **err);
/* The memory.swap.max that --memory/--memory-swap mean: *set false when
 * nothing is to be written; UINT64_MAX for "max". */
void rc_cgroup_swap_max(const struct rc_cgroup_limits *l, bool host_accounts_swap, bool *set, uint64_t *value);

/* One setting in both forms: the cgroup v2 file and value rc writes
 * (cgroupfs), and the systemd unit property (name, D-Bus value "t"). */
struct rc_cgroup_setting {
        const char *controller; /* memory, cpu, pids, io */
        const char *file;       /* memory.max ... */
        char value[48];         /* what is written to file */
        const char *property;   /* MemoryMax ... */
        uint64_t prop_value;    /* UINT64_MAX: infinity */
};
#define RC_CGROUP_MAX_SETTINGS 6
/* The settings for l, in a fixed order; returns how many (at most
 * RC_CGROUP_MAX_SETTINGS). */
size_t rc_cgroup_settings(const struct rc_cgroup_limits *l, bool host_accounts_swap, struct rc_cgroup_setting *out);
/* The controllers l needs, as a space-separated list ("memory pids"). */
void rc_cgroup_needed_controllers(const struct rc_cgroup_limits *l, char *buf, size_t len);

/* ---- managers ---- */

enum rc_cgroup_manager_type { RC_CGROUP_NONE, RC_CGROUP_SYSTEMD, RC_CGROUP_CGROUPFS };

struct rc_cgroup_manager;

/* Choose a manager: `name` (auto, systemd, cgroupfs, none), or the
 * configuration's [cgroups] manager when NULL.  Cheap: it reads a few files
 * and never contacts the bus.  auto never fails (it ends at none, with the
 * reason); an explicit manager that cannot work here fails with the reason
 * and the fix. */
int rc_cgroup_manager_open(const struct rc_config *cfg, const char *name, struct rc_cgroup_manager **out,
                           rc_error **err);
void rc_cgroup_manager_free(struct rc_cgroup_manager *m);
enum rc_cgroup_manager_type rc_cgroup_manager_type(const struct rc_cgroup_manager *m);
const char *rc_cgroup_manager_name(const struct rc_cgroup_manager *m);
/* Why this manager (and not the ones before it): one line, for rc info. */
const char *rc_cgroup_manager_why(const struct rc_cgroup_manager *m);
/* The cgroup v2 controllers a container's cgroup can get ("cpu memory
 * pids"; "" for none). */
const char *rc_cgroup_manager_controllers(const struct rc_cgroup_manager *m);

/* Whether the limits can be enforced, checked before anything starts:
 * EOPNOTSUPP with what is missing, why, and the fix. */
int rc_cgroup_check(const struct rc_cgroup_manager *m, const struct rc_cgroup_limits *l, rc_error **err);

/* A container's cgroup. */
struct rc_cgroup {
        enum rc_cgroup_manager_type type;
        char *path; /* absolute directory in the cgroup v2 file system */
        char *unit; /* systemd: the scope's name; NULL otherwise */
};
void rc_cgroup_free(struct rc_cgroup *cg);
#define cleanup_cgroup __attribute__((cleanup(rc_cgroup_freep)))
void rc_cgroup_freep(struct rc_cgroup **cg);

/* Make the cgroup of container `id` with pid in it and the limits applied,
 * and return once pid is there.  `description` names it for humans.  With
 * manager none: *out = NULL and nothing happens.  The manager keeps what
 * it needs for the next call (systemd: the bus connection). */
int rc_cgroup_enter(struct rc_cgroup_manager *m, const char *id, const char *description, pid_t pid,
                    const struct rc_cgroup_limits *l, struct rc_cgroup **out, rc_error **err);
/* Start what rc_cgroup_enter will need (systemd: connect to the manager)
 * without waiting for it, so that it overlaps the container's creation.
 * Never fails: rc_cgroup_enter reports problems. */
void rc_cgroup_warm(struct rc_cgroup_manager *m);
/* Once the container's processes are gone: the cgroup goes too (cgroupfs:
 * rmdir after killing what is left; systemd: the manager collects an empty
 * scope itself).  Never fails; problems are logged. */
void rc_cgroup_release(struct rc_cgroup *cg);

/* ---- a running container's cgroup, by its first process ---- */

/* The cgroup of container `id` whose first process is pid: ENOENT when
 * the process is not in a cgroup of that container's own (it was started
 * with manager none). */
int rc_cgroup_of_container(pid_t pid, const char *id, struct rc_cgroup **out, rc_error **err);
/* Change limits of a running container (rc update). */
int rc_cgroup_update(const struct rc_cgroup *cg, const struct rc_cgroup_limits *l, rc_error **err);
/* Freeze (true) or thaw every process, and wait until the kernel says so. */
int rc_cgroup_freeze(const struct rc_cgroup *cg, bool frozen, rc_error **err);
/* Whether it is frozen (cgroup.events); false if unknown. */
bool rc_cgroup_frozen(const struct rc_cgroup *cg);
/* SIGKILL every process in it (cgroup.kill, or each of cgroup.procs on
 * kernels before 5.14). */
int rc_cgroup_kill(const struct rc_cgroup *cg, rc_error **err);
/* memory.events oom_kill: how many processes the OOM killer ended in it. */
uint64_t rc_cgroup_oom_kills(const struct rc_cgroup *cg);

/* ---- statistics (rc stats) ---- */

#define RC_CGROUP_UNKNOWN UINT64_MAX
struct rc_cgroup_stats {
        uint64_t cpu_usec;      /* cpu.stat usage_usec (present without the cpu controller) */
        uint64_t memory;        /* memory.current; RC_CGROUP_UNKNOWN without the memory controller */
        uint64_t memory_limit;  /* memory.max; RC_CGROUP_UNKNOWN: "max" or unknown */
        uint64_t pids;          /* pids.current, else the number of processes in cgroup.procs */
        uint64_t pids_limit;    /* pids.max; RC_CGROUP_UNKNOWN: "max" or unknown */
        uint64_t io_read, io_write; /* io.stat rbytes/wbytes summed; RC_CGROUP_UNKNOWN without io */
        bool frozen;
};
int rc_cgroup_stats(const struct rc_cgroup *cg, struct rc_cgroup_stats *out, rc_error **err);
/* Parsers of the files' text (pure). */
uint64_t rc_cgroup_parse_keyed(const char *text, const char *key); /* "key value" lines; UNKNOWN if absent */
void rc_cgroup_parse_io_stat(const char *text, uint64_t *rbytes, uint64_t *wbytes);
uint64_t rc_cgroup_parse_max(const char *text); /* "max" -> UNKNOWN, else the number */

#endif
