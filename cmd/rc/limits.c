/* The resource limit flags shared by rc run, rc create and rc update. */
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "rc.h"

const char rc_cli_limits_help[] =
        "  -m, --memory SIZE       memory limit (e.g. 256m, 1g; at least 6m); beyond it the OOM killer ends\n"
        "                          a process of the container\n"
        "  --memory-swap SIZE      memory plus swap (-1: unlimited swap; default: as much swap as memory)\n"
        "  --cpus N                CPU time, in CPUs (e.g. 0.5: half of one CPU)\n"
        "  -c, --cpu-shares N      relative CPU weight, docker's scale (2..262144, default 1024)\n"
        "  --cpu-weight N          relative CPU weight, cgroup v2's scale (1..10000, default 100)\n"
        "  --pids-limit N          at most N processes and threads (0 or -1: no limit)\n"
        "  --blkio-weight N        relative block I/O weight (10..1000)\n";

int rc_cli_limit_flag(const char *cmd, int opt, const char *arg, struct rc_cgroup_limits *l)
{
        rc_error *err = NULL;
        int r;

        switch (opt) {
        case 'm':
        case RC_OPT_MEMORY:
                r = rc_cgroup_parse_memory(arg, &l->memory, &err);
                break;
        case RC_OPT_MEMORY_SWAP:
                r = rc_cgroup_parse_memory_swap(arg, &l->memory_swap, &err);
                break;
        case RC_OPT_CPUS:
                r = rc_cgroup_parse_cpus(arg, sysconf(_SC_NPROCESSORS_ONLN), &l->cpu_quota, &err);
                break;
        case 'c':
        case RC_OPT_CPU_SHARES:
                r = rc_cgroup_parse_cpu_shares(arg, &l->cpu_weight, &err);
                break;
        case RC_OPT_CPU_WEIGHT:
                r = rc_cgroup_parse_cpu_weight(arg, &l->cpu_weight, &err);
                break;
        case RC_OPT_PIDS_LIMIT:
                r = rc_cgroup_parse_pids(arg, &l->pids, &err);
                break;
        case RC_OPT_BLKIO_WEIGHT:
                r = rc_cgroup_parse_blkio_weight(arg, &l->io_weight, &err);
                break;
        default:
                return rc_cli_usage_error(cmd, "unknown resource flag");
        }
        if (r < 0) {
                rc_cli_usage_error(cmd, "%s", err->msg);
                rc_error_free(err);
                return 125;
        }
        return 0;
}
