/* A cgroup's usage for rc stats, read from its files: cpu.stat exists in
 * every cgroup v2 cgroup; memory, pids and io files only where their
 * controller is enabled (then RC_CGROUP_UNKNOWN, or a count of processes
 * for pids). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup/internal.h"
#include "util/xalloc.h"

uint64_t rc_cgroup_parse_keyed(const char *text, const char *key)
{
        size_t n = strlen(key);

        for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
                if (strncmp(p, key, n) == 0 && p[n] == ' ') {
                        char *end;
                        unsigned long long v = strtoull(p + n + 1, &end, 10);
                        if (end != p + n + 1)
                                return (uint64_t)v;
                }
        }
        return RC_CGROUP_UNKNOWN;
}

void rc_cgroup_parse_io_stat(const char *text, uint64_t *rbytes, uint64_t *wbytes)
{
        /* "MAJ:MIN rbytes=N wbytes=N rios=N ..." per device */
        *rbytes = *wbytes = 0;
        for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
                const char *eol = strchr(p, '\n');
                size_t len = eol ? (size_t)(eol - p) : strlen(p);
                for (const char *f = p; f && f < p + len; f = memchr(f, ' ', (size_t)(p + len - f)), f = f ? f + 1 : NULL) {
                        if (strncmp(f, "rbytes=", 7) == 0)
                                *rbytes += strtoull(f + 7, NULL, 10);
                        else if (strncmp(f, "wbytes=", 7) == 0)
                                *wbytes += strtoull(f + 7, NULL, 10);
                }
        }
}

uint64_t rc_cgroup_parse_max(const char *text)
{
        char *end;
        unsigned long long v;

        if (text == NULL || strncmp(text, "max", 3) == 0)
                return RC_CGROUP_UNKNOWN;
        v = strtoull(text, &end, 10);
        return end == text ? RC_CGROUP_UNKNOWN : (uint64_t)v;
}

static uint64_t count_lines(const char *text)
{
        uint64_t n = 0;

        for (const char *p = text; p && *p; p++)
                n += *p == '\n';
        return n;
}

int rc_cgroup_stats(const struct rc_cgroup *cg, struct rc_cgroup_stats *out, rc_error **err)
{
        cleanup_free char *cpu = cg_read(cg->path, "cpu.stat");
        cleanup_free char *mem = cg_read(cg->path, "memory.current");
        cleanup_free char *mem_max = cg_read(cg->path, "memory.max");
        cleanup_free char *pids = cg_read(cg->path, "pids.current");
        cleanup_free char *pids_max = cg_read(cg->path, "pids.max");
        cleanup_free char *io = cg_read(cg->path, "io.stat");

        if (cpu == NULL)
                return rc_error_set(err, ENOENT, "read %s/cpu.stat (the container is gone?)", cg->path);
        memset(out, 0, sizeof(*out));
        out->cpu_usec = rc_cgroup_parse_keyed(cpu, "usage_usec");
        out->memory = mem ? rc_cgroup_parse_max(mem) : RC_CGROUP_UNKNOWN;
        out->memory_limit = rc_cgroup_parse_max(mem_max);
        if (pids) {
                out->pids = rc_cgroup_parse_max(pids);
        } else {
                /* without the pids controller: the threads it holds */
                cleanup_free char *threads = cg_read(cg->path, "cgroup.threads");
                out->pids = threads ? count_lines(threads) : RC_CGROUP_UNKNOWN;
        }
        out->pids_limit = rc_cgroup_parse_max(pids_max);
        if (io)
                rc_cgroup_parse_io_stat(io, &out->io_read, &out->io_write);
        else
                out->io_read = out->io_write = RC_CGROUP_UNKNOWN;
        out->frozen = rc_cgroup_frozen(cg);
        return 0;
}
