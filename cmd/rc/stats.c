/* rc stats: CPU, memory, network, block I/O and process counts of running
 * containers, from their cgroups (podman's columns, templates and JSON). */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "container/container.h"
#include "format/format.h"
#include "rc.h"
#include "store/store.h"
#include "util/fs.h"
#include "util/xalloc.h"

#define STATS_DEFAULT_FORMAT                                                                                          \
        "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}\t"  \
        "{{.CPU}}\t{{.AvgCPU}}"

static const char *const stats_headers[] = { "ID", "ID", "CPUPerc", "CPU %", "MemUsage", "MEM USAGE / LIMIT",
                                             "MemPerc", "MEM %", "NetIO", "NET IO", "BlockIO", "BLOCK IO",
                                             "PIDs", "PIDS", "CPU", "CPU TIME", "AvgCPU", "AVG CPU %", NULL };
static const struct rc_template_opts stats_opts = {
        .name = "stats", .type_name = "containerStats", .headers = stats_headers, .fold_case = true,
};

/* What one container's row needs from the previous sample. */
struct sample {
        char id[RC_DIGEST_HEX_LEN + 1];
        uint64_t cpu_usec;
        int64_t at_ns;
};

static int64_t mono_ns(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Bytes received and sent by the container's network namespace, loopback
 * aside (/proc/PID/net/dev); false if unreadable. */
static bool net_io(pid_t pid, uint64_t *rx, uint64_t *tx)
{
        char path[64];
        cleanup_free char *text = NULL;
        rc_error *e = NULL;
        char *save = NULL;

        snprintf(path, sizeof(path), "/proc/%d/net/dev", (int)pid);
        if (rc_read_file(path, &text, NULL, &e) < 0) {
                rc_error_free(e);
                return false;
        }
        *rx = *tx = 0;
        for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                char name[64];
                unsigned long long v[16];
                if (sscanf(l, " %63[^:]: %llu %llu %llu %llu %llu %llu %llu %llu %llu", name, &v[0], &v[1], &v[2],
                           &v[3], &v[4], &v[5], &v[6], &v[7], &v[8]) == 10 &&
                    strcmp(name, "lo") != 0) {
                        *rx += v[0];
                        *tx += v[8];
                }
        }
        return true;
}

static void size_text(uint64_t v, char *buf, size_t len)
{
        char *sp;

        if (v == RC_CGROUP_UNKNOWN) {
                snprintf(buf, len, "--");
                return;
        }
        rc_format_size(v, buf, len);
        sp = strchr(buf, ' '); /* podman's stats print sizes unspaced: 1.45MB */
        if (sp)
                memmove(sp, sp + 1, strlen(sp));
}

static void cpu_time_text(uint64_t usec, char *buf, size_t len)
{
        if (usec < 1000)
                snprintf(buf, len, "%lluµs", (unsigned long long)usec);
        else if (usec < 1000000)
                snprintf(buf, len, "%.3fms", (double)usec / 1000);
        else
                snprintf(buf, len, "%.3fs", (double)usec / 1000000);
}

static void add_s(json_object *o, const char *k, const char *v)
{
        json_object_object_add(o, k, json_object_new_string(v));
}

static void add_u(json_object *o, const char *k, uint64_t v)
{
        json_object_object_add(o, k, v == RC_CGROUP_UNKNOWN ? NULL : json_object_new_int64((int64_t)v));
}

/* One row: podman's template fields (ID, Name, CPUPerc...) and, for JSON,
 * podman's keys (id, name, cpu_percent...) with rc's numbers beside them. */
static json_object *stats_row(const struct rc_container_rec *rec, const struct rc_cgroup_stats *st, bool have,
                              struct sample *prev, uint64_t mem_total, bool json)
{
        json_object *o = json_object_new_object();
        int64_t now = mono_ns(), wall_ns = rc_now_ns();
        double cpu = 0, avg = 0, mem_pct = 0;
        uint64_t limit = have ? st->memory_limit : RC_CGROUP_UNKNOWN, rx = 0, tx = 0;
        char cpu_s[32], avg_s[32], mem_s[64], usage[24], lim[24], mem_pct_s[32], net_s[64], blk_s[64], pids_s[24],
                time_s[32], a[24], b[24];
        bool net = net_io(rec->pid, &rx, &tx);

        if (limit == RC_CGROUP_UNKNOWN)
                limit = mem_total; /* no memory.max: the machine's memory is the limit */
        if (have && rec->started_at > 0 && wall_ns > rec->started_at)
                avg = 100.0 * (double)st->cpu_usec * 1000 / (double)(wall_ns - rec->started_at);
        /* the first sample shows the average since the start, later ones
         * the use since the previous sample */
        cpu = avg;
        if (have && prev->at_ns && now > prev->at_ns && st->cpu_usec >= prev->cpu_usec)
                cpu = 100.0 * (double)(st->cpu_usec - prev->cpu_usec) * 1000 / (double)(now - prev->at_ns);
        if (have) {
                prev->cpu_usec = st->cpu_usec;
                prev->at_ns = now;
        }
        if (have && st->memory != RC_CGROUP_UNKNOWN && limit)
                mem_pct = 100.0 * (double)st->memory / (double)limit;
        snprintf(cpu_s, sizeof(cpu_s), have ? "%.2f%%" : "--", cpu);
        snprintf(avg_s, sizeof(avg_s), have ? "%.2f%%" : "--", avg);
        size_text(have ? st->memory : RC_CGROUP_UNKNOWN, usage, sizeof(usage));
        size_text(limit, lim, sizeof(lim));
        snprintf(mem_s, sizeof(mem_s), "%s / %s", usage, lim);
        snprintf(mem_pct_s, sizeof(mem_pct_s),
                 have && st->memory != RC_CGROUP_UNKNOWN ? "%.2f%%" : "--", mem_pct);
        size_text(net ? rx : RC_CGROUP_UNKNOWN, a, sizeof(a));
        size_text(net ? tx : RC_CGROUP_UNKNOWN, b, sizeof(b));
        snprintf(net_s, sizeof(net_s), "%s / %s", a, b);
        size_text(have ? st->io_read : RC_CGROUP_UNKNOWN, a, sizeof(a));
        size_text(have ? st->io_write : RC_CGROUP_UNKNOWN, b, sizeof(b));
        snprintf(blk_s, sizeof(blk_s), "%s / %s", a, b);
        if (have && st->pids != RC_CGROUP_UNKNOWN)
                snprintf(pids_s, sizeof(pids_s), "%llu", (unsigned long long)st->pids);
        else
                snprintf(pids_s, sizeof(pids_s), "--");
        if (have)
                cpu_time_text(st->cpu_usec, time_s, sizeof(time_s));
        else
                snprintf(time_s, sizeof(time_s), "--");
        if (json) {
                add_s(o, "id", rec->id);
                add_s(o, "name", rec->name);
                add_s(o, "cpu_time", time_s);
                add_s(o, "cpu_percent", cpu_s);
                add_s(o, "avg_cpu", avg_s);
                add_s(o, "mem_usage", mem_s);
                add_s(o, "mem_percent", mem_pct_s);
                add_s(o, "net_io", net_s);
                add_s(o, "block_io", blk_s);
                add_s(o, "pids", pids_s);
                /* numbers for scripts: null where the cgroup has no such file */
                add_u(o, "cpu_usec", have ? st->cpu_usec : RC_CGROUP_UNKNOWN);
                add_u(o, "mem_bytes", have ? st->memory : RC_CGROUP_UNKNOWN);
                add_u(o, "mem_limit_bytes", have ? st->memory_limit : RC_CGROUP_UNKNOWN);
                add_u(o, "pids_count", have ? st->pids : RC_CGROUP_UNKNOWN);
                add_u(o, "pids_limit", have ? st->pids_limit : RC_CGROUP_UNKNOWN);
                add_u(o, "block_read_bytes", have ? st->io_read : RC_CGROUP_UNKNOWN);
                add_u(o, "block_write_bytes", have ? st->io_write : RC_CGROUP_UNKNOWN);
                add_u(o, "net_rx_bytes", net ? rx : RC_CGROUP_UNKNOWN);
                add_u(o, "net_tx_bytes", net ? tx : RC_CGROUP_UNKNOWN);
                json_object_object_add(o, "paused", json_object_new_boolean(have && st->frozen));
                return o;
        }
        json_object_object_add(o, "ID", json_object_new_string_len(rec->id, 12));
        add_s(o, "ContainerID", rec->id);
        add_s(o, "Name", rec->name);
        add_s(o, "CPUPerc", cpu_s);
        add_s(o, "AvgCPU", avg_s);
        add_s(o, "MemUsage", mem_s);
        add_s(o, "MemUsageBytes", mem_s);
        add_s(o, "MemPerc", mem_pct_s);
        add_s(o, "NetIO", net_s);
        add_s(o, "BlockIO", blk_s);
        add_s(o, "PIDs", pids_s);
        add_s(o, "CPU", time_s);
        return o;
}

static uint64_t mem_total(void)
{
        cleanup_free char *text = NULL;
        rc_error *e = NULL;
        const char *p;

        if (rc_read_file("/proc/meminfo", &text, NULL, &e) < 0) {
                rc_error_free(e);
                return 0;
        }
        p = strstr(text, "MemTotal:");
        return p ? strtoull(p + 9, NULL, 10) * 1024 : 0;
}

static struct sample *sample_for(struct sample **samples, size_t *n, const char *id)
{
        for (size_t i = 0; i < *n; i++)
                if (strcmp((*samples)[i].id, id) == 0)
                        return &(*samples)[i];
        *samples = xrealloc(*samples, (*n + 1) * sizeof(**samples));
        memset(&(*samples)[*n], 0, sizeof(**samples));
        snprintf((*samples)[*n].id, sizeof((*samples)[*n].id), "%s", id);
        return &(*samples)[(*n)++];
}

/* One round: the rows of the containers asked for (all running ones when
 * names is empty); a named one that is not running is an error. */
static int collect(struct rc_store *s, char **names, struct sample **samples, size_t *n_samples, bool json,
                   json_object *rows, bool *warned, rc_error **err)
{
        struct rc_container_rec *list = NULL;
        size_t n = 0;
        uint64_t total = mem_total();

        if (names[0] == NULL) {
                if (rc_store_container_list(s, &list, &n, err) < 0)
                        return -1;
        } else {
                for (size_t i = 0; names[i]; i++) {
                        list = xrealloc(list, (n + 1) * sizeof(*list));
                        memset(&list[n], 0, sizeof(*list));
                        if (rc_store_container_find(s, names[i], &list[n], err) < 0) {
                                rc_container_list_free(list, n);
                                return -1;
                        }
                        n++;
                        if (strcmp(rc_container_rec_status(&list[n - 1]), "running") != 0) {
                                rc_error_code(err, ENOTCONN, "container %s is not running", names[i]);
                                rc_container_list_free(list, n);
                                return -1;
                        }
                }
        }
        for (size_t i = 0; i < n; i++) {
                struct rc_cgroup_stats st;
                rc_error *e = NULL;
                bool have;

                if (strcmp(rc_container_rec_status(&list[i]), "running") != 0)
                        continue;
                have = rc_container_cgroup_stats(&list[i], &st, &e) == 0;
                if (!have && !*warned) {
                        /* once: a container of manager none, or one just gone */
                        fprintf(stderr, "Warning: %s\n", e->msg);
                        *warned = true;
                }
                rc_error_free(e);
                json_object_array_add(rows, stats_row(&list[i], &st, have, sample_for(samples, n_samples, list[i].id),
                                                      total, json));
        }
        rc_container_list_free(list, n);
        return 0;
}

int cmd_stats(struct rc_cli *cli, int argc, char **argv)
{
        enum { OPT_NO_STREAM = 256, OPT_FORMAT, OPT_NO_RESET, OPT_INTERVAL };
        static const struct option opts[] = {
                { "no-stream", no_argument, NULL, OPT_NO_STREAM },
                { "format", required_argument, NULL, OPT_FORMAT },
                { "no-reset", no_argument, NULL, OPT_NO_RESET },
                { "interval", required_argument, NULL, 'i' },
                { "all", no_argument, NULL, 'a' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        cleanup_store struct rc_store *s = NULL;
        cleanup_free struct sample *samples = NULL;
        const char *format = NULL;
        bool stream = true, json = false, reset = isatty(STDOUT_FILENO), warned = false;
        size_t n_samples = 0;
        long interval = 5;
        rc_error *err = NULL;
        int c;

        while ((c = rc_cli_getopt("stats", argc, argv, "ai:h", opts)) != -1) {
                switch (c) {
                case OPT_NO_STREAM:
                        stream = false;
                        break;
                case OPT_FORMAT:
                        format = optarg;
                        json = rc_format_is_json(optarg);
                        break;
                case OPT_NO_RESET:
                        reset = false;
                        break;
                case 'i': {
                        char *end;
                        interval = strtol(optarg, &end, 10);
                        if (*optarg == '\0' || *end || interval < 1 || interval > 3600)
                                return rc_cli_usage_error("stats", "--interval %s: give whole seconds (1..3600)",
                                                          optarg);
                        break;
                }
                case 'a':
                        break; /* podman's -a: rc shows every running container already */
                case 'h':
                        printf("Usage: rc stats [OPTIONS] [CONTAINER...]\n\n"
                               "Resource use of running containers (all of them without names), from their\n"
                               "cgroups: CPU (the first sample averages since the start, later ones cover the\n"
                               "interval), memory use and limit, network and block I/O, processes.  Columns a\n"
                               "host does not account (no memory controller, say) show --.\n\n"
                               "Options:\n"
                               "  --no-stream           one sample, then exit\n"
                               "  -i, --interval N      seconds between samples (default 5)\n"
                               "  --no-reset            do not clear the terminal between samples\n"
                               "  --format FORMAT       json, or a Go template ({{.Name}} {{.CPUPerc}} {{.MemUsage}}\n"
                               "                        {{.MemPerc}} {{.NetIO}} {{.BlockIO}} {{.PIDs}} {{.CPU}}...)\n");
                        return 0;
                default:
                        return 125;
                }
        }
        if (rc_cli_open_store(cli, &s, &err) < 0)
                return rc_cli_fail(err);
        for (;;) {
                json_object *rows = json_object_new_array();
                int r = collect(s, argv + optind, &samples, &n_samples, json, rows, &warned, &err);

                if (r == 0 && stream && reset)
                        fputs("\033[2J\033[H", stdout);
                if (r == 0 && json)
                        printf("%s\n", json_object_to_json_string_ext(rows, JSON_C_TO_STRING_PRETTY |
                                                                                 JSON_C_TO_STRING_SPACED |
                                                                                 JSON_C_TO_STRING_NOSLASHESCAPE));
                else if (r == 0)
                        r = rc_format_list(stdout, format && strcmp(format, "table") ? format : STATS_DEFAULT_FORMAT,
                                           rows, &stats_opts, 0, &err);
                json_object_put(rows);
                if (r < 0)
                        return rc_cli_fail(err);
                fflush(stdout);
                if (!stream)
                        return 0;
                sleep((unsigned)interval);
        }
}
