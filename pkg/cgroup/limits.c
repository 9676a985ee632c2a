/* Resource limit flags: parsing, checks across flags, and the two forms a
 * limit takes (a cgroup v2 file, a systemd unit property).  Pure. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cgroup/cgroup.h"

#define MIN_MEMORY (6ULL << 20) /* docker's and podman's minimum: less cannot even start a shell */
#define CPU_PERIOD_US 100000ULL /* the kernel's default period, and systemd's */

bool rc_cgroup_limits_any(const struct rc_cgroup_limits *l)
{
        return l->memory || l->memory_swap || l->cpu_quota || l->cpu_weight || l->pids || l->io_weight;
}

/* A decimal number with up to `max_frac` fractional digits, as an integer
 * scaled by 10^max_frac.  *end: the first character after it. */
static int parse_fixed(const char *s, int max_frac, unsigned __int128 *out, const char **end)
{
        unsigned __int128 v = 0;
        int digits = 0, frac = -1;

        for (; *s; s++) {
                if (*s == '.' && frac < 0) {
                        frac = 0;
                        continue;
                }
                if (*s < '0' || *s > '9')
                        break;
                if (frac >= 0) {
                        if (frac == max_frac)
                                return -1; /* more precision than we keep */
                        frac++;
                }
                v = v * 10 + (unsigned)(*s - '0');
                if (v >> 100)
                        return -1;
                digits++;
        }
        if (digits == 0)
                return -1;
        for (int f = frac < 0 ? 0 : frac; f < max_frac; f++)
                v *= 10;
        *out = v;
        *end = s;
        return 0;
}

int rc_cgroup_parse_bytes(const char *flag, const char *s, uint64_t *out, rc_error **err)
{
        static const char units[] = "bkmgtp";
        unsigned __int128 v, scale = 1000000000ULL; /* 9 decimals kept */
        const char *end, *u;

        if (parse_fixed(s, 9, &v, &end) < 0)
                return rc_error_set(err, EINVAL, "%s %s: not a size (a number with b, k, m, g or t, e.g. 64m)", flag,
                                    s);
        if (*end) {
                u = strchr(units, *end | 0x20);
                if (u == NULL)
                        return rc_error_set(err, EINVAL, "%s %s: unknown unit '%c' (use b, k, m, g or t)", flag, s,
                                            *end);
                v <<= 10 * (u - units);
                end++;
                if (u != units && ((end[0] | 0x20) == 'i' && (end[1] | 0x20) == 'b'))
                        end += 2;
                else if (u != units && (end[0] | 0x20) == 'b')
                        end++;
                if (*end)
                        return rc_error_set(err, EINVAL, "%s %s: not a size (e.g. 64m, 1.5g)", flag, s);
        }
        v /= scale;
        if (v > INT64_MAX)
                return rc_error_set(err, ERANGE, "%s %s: too large", flag, s);
        *out = (uint64_t)v;
        return 0;
}

int rc_cgroup_parse_memory(const char *s, uint64_t *out, rc_error **err)
{
        uint64_t v;

        if (rc_cgroup_parse_bytes("--memory", s, &v, err) < 0)
                return -1;
        if (v < MIN_MEMORY)
                return rc_error_set(err, EINVAL, "--memory %s: the minimum is 6m (6 MiB)", s);
        *out = v;
        return 0;
}

int rc_cgroup_parse_memory_swap(const char *s, int64_t *out, rc_error **err)
{
        uint64_t v;

        if (strcmp(s, "-1") == 0) {
                *out = -1;
                return 0;
        }
        if (rc_cgroup_parse_bytes("--memory-swap", s, &v, err) < 0)
                return -1;
        if (v == 0)
                return rc_error_set(err, EINVAL, "--memory-swap 0: give a size of at least --memory, or -1 (unlimited)");
        *out = (int64_t)v;
        return 0;
}

int rc_cgroup_parse_cpus(const char *s, long max_cpus, uint64_t *quota_us, rc_error **err)
{
        unsigned __int128 v; /* millionths of a CPU = microseconds per second */
        const char *end;

        if (parse_fixed(s, 6, &v, &end) < 0 || *end)
                return rc_error_set(err, EINVAL, "--cpus %s: not a number of CPUs (e.g. 0.5, 2)", s);
        if (v < 10000)
                return rc_error_set(err, EINVAL, "--cpus %s: the minimum is 0.01", s);
        if (max_cpus > 0 && v > (unsigned __int128)max_cpus * 1000000)
                return rc_error_set(err, EINVAL, "--cpus %s: this machine has %ld CPU%s: give at most %ld", s,
                                    max_cpus, max_cpus == 1 ? "" : "s", max_cpus);
        *quota_us = (uint64_t)v;
        return 0;
}

/* An integer in [min, max]. */
static int parse_int(const char *flag, const char *s, long long min, long long max, long long *out, rc_error **err)
{
        long long v = 0;
        const char *p = s;
        bool neg = *p == '-';

        if (neg)
                p++;
        if (*p == '\0')
                return rc_error_set(err, EINVAL, "%s: a number is needed", flag);
        for (; *p; p++) {
                if (*p < '0' || *p > '9' || v > (INT64_MAX - 9) / 10)
                        return rc_error_set(err, EINVAL, "%s %s: not a number from %lld to %lld", flag, s, min, max);
                v = v * 10 + (*p - '0');
        }
        if (neg)
                v = -v;
        if (v < min || v > max)
                return rc_error_set(err, ERANGE, "%s %s: give a number from %lld to %lld", flag, s, min, max);
        *out = v;
        return 0;
}

int rc_cgroup_parse_pids(const char *s, uint64_t *out, rc_error **err)
{
        long long v;

        if (parse_int("--pids-limit", s, -1, INT64_MAX, &v, err) < 0)
                return -1;
        *out = v <= 0 ? 0 : (uint64_t)v; /* podman: 0 and -1 are no limit */
        return 0;
}

int rc_cgroup_parse_cpu_shares(const char *s, uint64_t *weight, rc_error **err)
{
        long long v;

        if (parse_int("--cpu-shares", s, 2, 262144, &v, err) < 0)
                return -1;
        /* maps docker's default 1024 to about 39 rather than cgroup v2's 100,
         * exactly as runc and crun convert, so a mix of rc and podman
         * containers shares the CPU the same way */
        *weight = 1 + ((uint64_t)v - 2) * 9999 / 262142;
        return 0;
}

int rc_cgroup_parse_cpu_weight(const char *s, uint64_t *weight, rc_error **err)
{
        long long v;

        if (parse_int("--cpu-weight", s, 1, 10000, &v, err) < 0)
                return -1;
        *weight = (uint64_t)v;
        return 0;
}

int rc_cgroup_parse_blkio_weight(const char *s, uint64_t *weight, rc_error **err)
{
        long long v;

        if (parse_int("--blkio-weight", s, 10, 1000, &v, err) < 0)
                return -1;
        *weight = 1 + ((uint64_t)v - 10) * 9999 / 990;
        return 0;
}

int rc_cgroup_limits_validate(const struct rc_cgroup_limits *l, rc_error **err)
{
        if (l->memory_swap && !l->memory)
                return rc_error_set(err, EINVAL, "--memory-swap needs --memory: it is the total of memory and swap");
        if (l->memory_swap > 0 && (uint64_t)l->memory_swap < l->memory)
                return rc_error_set(err, EINVAL,
                                    "--memory-swap must be at least --memory (it is the total of memory and swap; "
                                    "equal means no swap)");
        return 0;
}

void rc_cgroup_swap_max(const struct rc_cgroup_limits *l, bool host_accounts_swap, bool *set, uint64_t *value)
{
        *set = false;
        if (!l->memory)
                return;
        if (l->memory_swap < 0) {
                *set = true;
                *value = UINT64_MAX;
        } else if (l->memory_swap > 0) {
                *set = true;
                *value = (uint64_t)l->memory_swap - l->memory;
        } else if (host_accounts_swap) {
                /* docker: without --memory-swap, as much swap as memory */
                *set = true;
                *value = l->memory;
        }
}

static void setting(struct rc_cgroup_setting *s, const char *controller, const char *file, const char *property,
                    uint64_t v)
{
        s->controller = controller;
        s->file = file;
        s->property = property;
        s->prop_value = v;
        if (v == UINT64_MAX)
                snprintf(s->value, sizeof(s->value), "max");
        else
                snprintf(s->value, sizeof(s->value), "%llu", (unsigned long long)v);
}

size_t rc_cgroup_settings(const struct rc_cgroup_limits *l, bool host_accounts_swap, struct rc_cgroup_setting *out)
{
        size_t n = 0;
        bool swap_set;
        uint64_t swap;

        if (l->memory)
                setting(&out[n++], "memory", "memory.max", "MemoryMax", l->memory);
        rc_cgroup_swap_max(l, host_accounts_swap, &swap_set, &swap);
        if (swap_set)
                setting(&out[n++], "memory", "memory.swap.max", "MemorySwapMax", swap);
        if (l->cpu_quota) {
                /* systemd takes CPU time per second; the file, per period */
                setting(&out[n], "cpu", "cpu.max", "CPUQuotaPerSecUSec", l->cpu_quota);
                snprintf(out[n].value, sizeof(out[n].value), "%llu %llu",
                         (unsigned long long)(l->cpu_quota * CPU_PERIOD_US / 1000000), CPU_PERIOD_US);
                n++;
        }
        if (l->cpu_weight)
                setting(&out[n++], "cpu", "cpu.weight", "CPUWeight", l->cpu_weight);
        if (l->pids)
                setting(&out[n++], "pids", "pids.max", "TasksMax", l->pids);
        if (l->io_weight) {
                setting(&out[n], "io", "io.weight", "IOWeight", l->io_weight);
                snprintf(out[n].value, sizeof(out[n].value), "default %llu", (unsigned long long)l->io_weight);
                n++;
        }
        return n;
}

void rc_cgroup_needed_controllers(const struct rc_cgroup_limits *l, char *buf, size_t len)
{
        struct rc_cgroup_setting s[RC_CGROUP_MAX_SETTINGS];
        size_t n = rc_cgroup_settings(l, false, s), used = 0;

        buf[0] = '\0';
        for (size_t i = 0; i < n; i++) {
                size_t clen = strlen(s[i].controller);
                bool dup = false;
                for (const char *p = buf; (p = strstr(p, s[i].controller)) != NULL; p += clen)
                        if ((p == buf || p[-1] == ' ') && (p[clen] == ' ' || p[clen] == '\0'))
                                dup = true;
                if (!dup)
                        used += (size_t)snprintf(buf + used, used < len ? len - used : 0, "%s%s", used ? " " : "",
                                                 s[i].controller);
        }
}
