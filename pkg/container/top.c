/* rc top: the processes of a container's pid namespace, read from /proc
 * with podman's columns (its ps descriptors, AIX ones included).
 *
 * rc joins the container's user namespace first, so /proc shows their
 * user and group ids as the container knows them, and names them from the
 * container's own /etc/passwd and /etc/group (read inside its root). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "container/internal.h"
#include "container/target.h"
#include "util/fs.h"
#include "util/xalloc.h"

enum col { C_USER, C_GROUP, C_RUSER, C_RGROUP, C_PID, C_PPID, C_PGID, C_PCPU, C_ETIME, C_TTY, C_TIME, C_ARGS,
           C_COMM, C_NICE, C_VSZ, C_STATE, C_HPID, C_HUSER, C_HGROUP, C_CAPEFF, C_SECCOMP };

static const struct {
        const char *name, *aix, *header;
} cols[] = {
        [C_USER] = { "user", "%U", "USER" },       [C_GROUP] = { "group", "%G", "GROUP" },
        [C_RUSER] = { "ruser", "%u", "RUSER" },    [C_RGROUP] = { "rgroup", "%g", "RGROUP" },
        [C_PID] = { "pid", "%p", "PID" },          [C_PPID] = { "ppid", "%P", "PPID" },
        [C_PGID] = { "pgid", "%r", "PGID" },       [C_PCPU] = { "pcpu", "%C", "%CPU" },
        [C_ETIME] = { "etime", "%t", "ELAPSED" },  [C_TTY] = { "tty", "%y", "TTY" },
        [C_TIME] = { "time", "%x", "TIME" },       [C_ARGS] = { "args", "%a", "COMMAND" },
        [C_COMM] = { "comm", "%c", "COMMAND" },    [C_NICE] = { "nice", "%n", "NI" },
        [C_VSZ] = { "vsz", "%z", "VSZ" },          [C_STATE] = { "state", NULL, "STATE" },
        [C_HPID] = { "hpid", NULL, "HPID" },       [C_HUSER] = { "huser", NULL, "HUSER" },
        [C_HGROUP] = { "hgroup", NULL, "HGROUP" }, [C_CAPEFF] = { "capeff", NULL, "EFFECTIVE CAPS" },
        [C_SECCOMP] = { "seccomp", NULL, "SECCOMP" },
};
#define N_COLS (sizeof(cols) / sizeof(cols[0]))

static int col_of(const char *d)
{
        for (size_t i = 0; i < N_COLS; i++)
                if (strcmp(d, cols[i].name) == 0 || (cols[i].aix && strcmp(d, cols[i].aix) == 0))
                        return (int)i;
        return -1;
}

/* "pid,user" "args" or several such arguments into column numbers. */
static int parse_descriptors(char *const *args, int **out, size_t *n)
{
        int *v = NULL;
        size_t k = 0;

        for (size_t i = 0; args && args[i]; i++) {
                cleanup_free char *copy = xstrdup(args[i]);
                char *save = NULL;
                for (char *d = strtok_r(copy, ", ", &save); d; d = strtok_r(NULL, ", ", &save)) {
                        int c = col_of(d);
                        if (c < 0) {
                                free(v);
                                return -1;
                        }
                        v = xrealloc(v, (k + 1) * sizeof(int));
                        v[k++] = c;
                }
        }
        *out = v;
        *n = k;
        return 0;
}

bool rc_top_descriptors(char *const *args)
{
        int *v = NULL;
        size_t n;
        bool ok = parse_descriptors(args, &v, &n) == 0;

        free(v);
        return ok;
}

struct proc {
        pid_t hpid, ppid_host, nspid;
        unsigned long long utime, stime, start, vsize;
        long nice, pgid;
        int tty, uid, ruid, gid, rgid, huid, hgid;
        char state;
        char comm[64];
        char *args;
        char capeff[32];
        int seccomp;
};

/* Go's time.Duration.String(), as podman prints ELAPSED and TIME. */
static void go_duration(unsigned long long ns, char *buf, size_t len)
{
        unsigned long long s = ns / 1000000000ULL, frac = ns % 1000000000ULL;
        char fs[16] = "";
        int n = 0;

        if (ns == 0) {
                snprintf(buf, len, "0s");
                return;
        }
        if (ns < 1000000000ULL) {
                /* ms, µs or ns with the fraction trimmed */
                const char *unit = ns >= 1000000 ? "ms" : ns >= 1000 ? "µs" : "ns";
                unsigned long long div = ns >= 1000000 ? 1000000 : ns >= 1000 ? 1000 : 1;
                snprintf(fs, sizeof(fs), "%0*llu", div == 1000000 ? 6 : div == 1000 ? 3 : 1, ns % div);
                for (int i = (int)strlen(fs) - 1; i >= 0 && fs[i] == '0'; i--)
                        fs[i] = '\0';
                snprintf(buf, len, "%llu%s%s%s", ns / div, fs[0] && div > 1 ? "." : "", div > 1 ? fs : "", unit);
                return;
        }
        if (frac) {
                snprintf(fs, sizeof(fs), ".%09llu", frac);
                for (int i = (int)strlen(fs) - 1; i > 0 && fs[i] == '0'; i--)
                        fs[i] = '\0';
        }
        if (s >= 3600)
                n = snprintf(buf, len, "%lluh", s / 3600);
        if (s >= 60)
                n += snprintf(buf + n, len - (size_t)n, "%llum", s / 60 % 60);
        snprintf(buf + n, len - (size_t)n, "%llu%ss", s % 60, fs);
}

static void tty_name(int tty_nr, char *buf, size_t len)
{
        unsigned major = ((unsigned)tty_nr >> 8) & 0xfff, minor = ((unsigned)tty_nr & 0xff) | (((unsigned)tty_nr >> 12) & 0xfff00);

        if (tty_nr == 0)
                snprintf(buf, len, "?");
        else if (major >= 136 && major <= 143)
                snprintf(buf, len, "pts/%u", (major - 136) * 256 + minor);
        else if (major == 4 && minor < 64)
                snprintf(buf, len, "tty%u", minor);
        else
                snprintf(buf, len, "?");
}

/* /proc/PID/stat after the command name, which may hold anything. */
static int read_stat(int dir, struct proc *p)
{
        cleanup_free char *text = NULL;
        rc_error *e = NULL;
        char *open_paren, *close_paren;
        int ppid;

        if (rc_read_file_at(dir, "stat", &text, NULL, &e) < 0) {
                rc_error_free(e);
                return -1;
        }
        open_paren = strchr(text, '(');
        close_paren = strrchr(text, ')');
        if (!open_paren || !close_paren || close_paren < open_paren)
                return -1;
        snprintf(p->comm, sizeof(p->comm), "%.*s", (int)(close_paren - open_paren - 1), open_paren + 1);
        if (sscanf(close_paren + 2,
                   "%c %d %ld %*d %d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d %ld %*d %*d %llu %llu",
                   &p->state, &ppid, &p->pgid, &p->tty, &p->utime, &p->stime, &p->nice, &p->start, &p->vsize) != 9)
                return -1;
        p->ppid_host = ppid;
        return 0;
}

static int read_status(int dir, struct proc *p)
{
        cleanup_free char *text = NULL;
        rc_error *e = NULL;

        if (rc_read_file_at(dir, "status", &text, NULL, &e) < 0) {
                rc_error_free(e);
                return -1;
        }
        for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
                if (sscanf(line, "Uid: %d %d", &p->ruid, &p->uid) == 2 || sscanf(line, "Gid: %d %d", &p->rgid, &p->gid) == 2)
                        continue;
                if (strncmp(line, "NSpid:", 6) == 0) {
                        char *last = strrchr(line, '\t');
                        p->nspid = last ? atoi(last + 1) : 0;
                } else if (strncmp(line, "CapEff:", 7) == 0) {
                        snprintf(p->capeff, sizeof(p->capeff), "%s", line + 7 + strspn(line + 7, " \t"));
                } else if (strncmp(line, "Seccomp:", 8) == 0) {
                        p->seccomp = atoi(line + 8);
                }
        }
        return p->nspid > 0 ? 0 : -1;
}

static char *read_args(int dir, const char *comm)
{
        char *text = NULL;
        size_t len = 0;
        rc_error *e = NULL;

        if (rc_read_file_at(dir, "cmdline", &text, &len, &e) < 0 || len == 0) {
                rc_error_free(e);
                free(text);
                return xasprintf("[%s]", comm);
        }
        for (size_t i = 0; i + 1 < len; i++)
                if (text[i] == '\0')
                        text[i] = ' ';
        return text;
}

/* A name from passwd/group content (name:x:ID:...), or the number. */
static void id_name(const char *db, int id, char *buf, size_t len)
{
        snprintf(buf, len, "%d", id);
        for (const char *l = db; l && *l;) {
                const char *nl = strchr(l, '\n'), *c1 = strchr(l, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
                if (c1 && c2 && (!nl || c2 < nl) && atoi(c2 + 1) == id && c2[1] != ':') {
                        snprintf(buf, len, "%.*s", (int)(c1 - l), l);
                        return;
                }
                l = nl ? nl + 1 : NULL;
        }
}

static int by_nspid(const void *a, const void *b)
{
        const struct proc *x = a, *y = b;
        return (x->nspid > y->nspid) - (x->nspid < y->nspid);
}

/* container id -> host id through a uid_map or gid_map (as read from inside
 * the namespace: "ID-inside ID-outside COUNT" lines). */
static int host_id(const char *map, int id)
{
        for (const char *l = map; l && *l;) {
                unsigned long in, out, count;
                if (sscanf(l, "%lu %lu %lu", &in, &out, &count) == 3 && (unsigned long)id >= in &&
                    (unsigned long)id - in < count)
                        return (int)(out + ((unsigned long)id - in));
                l = strchr(l, '\n');
                l = l ? l + 1 : NULL;
        }
        return -1;
}

struct top_ctx {
        char *passwd, *group, *uid_map, *gid_map;
        unsigned long long now_ns; /* CLOCK_BOOTTIME */
        long hz;
        struct proc *procs;
        size_t n;
};

static void cell(char **row, const char *s, bool last)
{
        char *r = xasprintf("%s%s%s", *row, s, last ? "\n" : "\t");
        free(*row);
        *row = r;
}

static void format_cell(const struct top_ctx *c, const struct proc *p, int col, char *buf, size_t len)
{
        unsigned long long up_ns = p->start * (1000000000ULL / (unsigned long long)c->hz);
        unsigned long long elapsed = c->now_ns > up_ns ? c->now_ns - up_ns : 0;
        unsigned long long cpu_ticks = p->utime + p->stime;
        pid_t ppid = 0;

        switch (col) {
        case C_USER: id_name(c->passwd, p->uid, buf, len); break;
        case C_RUSER: id_name(c->passwd, p->ruid, buf, len); break;
        case C_GROUP: id_name(c->group, p->gid, buf, len); break;
        case C_RGROUP: id_name(c->group, p->rgid, buf, len); break;
        case C_PID: snprintf(buf, len, "%d", (int)p->nspid); break;
        case C_PPID:
                /* the parent's pid in the container; 0 when it is outside (rc, the monitor) */
                for (size_t i = 0; i < c->n; i++)
                        if (c->procs[i].hpid == p->ppid_host)
                                ppid = c->procs[i].nspid;
                snprintf(buf, len, "%d", (int)ppid);
                break;
        case C_PGID: snprintf(buf, len, "%ld", p->pgid); break;
        case C_PCPU:
                snprintf(buf, len, "%.3f",
                         elapsed ? (double)cpu_ticks / (double)c->hz / ((double)elapsed / 1e9) * 100.0 : 0.0);
                break;
        case C_ETIME: go_duration(elapsed, buf, len); break;
        case C_TIME: go_duration(cpu_ticks * (1000000000ULL / (unsigned long long)c->hz), buf, len); break;
        case C_TTY: tty_name(p->tty, buf, len); break;
        case C_ARGS: snprintf(buf, len, "%s", p->args); break;
        case C_COMM: snprintf(buf, len, "%s", p->comm); break;
        case C_NICE: snprintf(buf, len, "%ld", p->nice); break;
        case C_VSZ: snprintf(buf, len, "%llu", p->vsize / 1024); break;
        case C_STATE: snprintf(buf, len, "%c", p->state); break;
        case C_HPID: snprintf(buf, len, "%d", (int)p->hpid); break;
        case C_HUSER:
        case C_HGROUP: {
                int id = col == C_HUSER ? host_id(c->uid_map, p->uid) : host_id(c->gid_map, p->gid);
                struct passwd *pw = col == C_HUSER && id >= 0 ? getpwuid((uid_t)id) : NULL;
                struct group *gr = col == C_HGROUP && id >= 0 ? getgrgid((gid_t)id) : NULL;
                if (pw || gr)
                        snprintf(buf, len, "%s", pw ? pw->pw_name : gr->gr_name);
                else
                        snprintf(buf, len, "%d", id);
                break;
        }
        case C_CAPEFF: snprintf(buf, len, "%s", p->capeff); break;
        case C_SECCOMP:
                snprintf(buf, len, "%s", p->seccomp == 2 ? "filter" : p->seccomp == 1 ? "strict" : "disabled");
                break;
        }
}

/* Every process whose pid namespace is the target's. */
static int collect(const struct ctr_target *t, struct top_ctx *c, rc_error **err)
{
        char path[64];
        struct stat target_ns;
        cleanup_closedir DIR *d = opendir("/proc");
        struct dirent *de;

        snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)t->rec.pid);
        if (d == NULL || stat(path, &target_ns) < 0)
                return rc_error_set(err, errno, "container %s: its pid namespace", t->rec.name);
        while ((de = readdir(d))) {
                struct proc p = { 0 };
                struct stat ns;
                cleanup_close int dir = -1;

                if (!isdigit((unsigned char)de->d_name[0]))
                        continue;
                dir = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                /* processes rc may not look at are not the container's */
                if (dir < 0 || fstatat(dir, "ns/pid", &ns, 0) < 0 || ns.st_dev != target_ns.st_dev ||
                    ns.st_ino != target_ns.st_ino)
                        continue;
                p.hpid = atoi(de->d_name);
                if (read_stat(dir, &p) < 0 || read_status(dir, &p) < 0)
                        continue; /* gone meanwhile */
                p.args = read_args(dir, p.comm);
                c->procs = xrealloc(c->procs, (c->n + 1) * sizeof(*c->procs));
                c->procs[c->n++] = p;
        }
        qsort(c->procs, c->n, sizeof(*c->procs), by_nspid);
        return 0;
}

int rc_container_top(const struct rc_config *cfg, const char *name_or_id, char *const *descriptors, char **table,
                     rc_error **err)
{
        static const int defaults[] = { C_USER, C_PID, C_PPID, C_PCPU, C_ETIME, C_TTY, C_TIME, C_ARGS };
        struct ctr_target t;
        struct top_ctx c = { .hz = sysconf(_SC_CLK_TCK) };
        cleanup_free int *want = NULL;
        size_t n_want = 0;
        cleanup_close int root = -1;
        struct timespec ts;
        char map_path[64], root_path[64];
        char *row = NULL;
        rc_error *ignored = NULL;
        int r = -1;

        if (parse_descriptors(descriptors, &want, &n_want) < 0)
                return rc_error_set(err, EINVAL, "unknown ps descriptor in %s", descriptors[0]);
        if (n_want == 0) {
                want = xmalloc(sizeof(defaults));
                memcpy(want, defaults, sizeof(defaults));
                n_want = sizeof(defaults) / sizeof(defaults[0]);
        }
        if (c.hz <= 0)
                c.hz = 100;
        if (ctr_target_find(cfg, name_or_id, true, NULL, &t, err) < 0)
                return -1;
        row = xstrdup("");
        if (ctr_target_enter_userns(&t, err) < 0 || (root = ctr_target_root(&t, err)) < 0 || collect(&t, &c, err) < 0)
                goto out;
        /* names as the container has them; none is not an error */
        snprintf(root_path, sizeof(root_path), "/proc/self/fd/%d", root);
        if (ctr_read_in_root(root_path, "etc/passwd", &c.passwd, &ignored) < 0 ||
            ctr_read_in_root(root_path, "etc/group", &c.group, &ignored) < 0) {
                rc_error_free(ignored);
                ignored = NULL;
        }
        snprintf(map_path, sizeof(map_path), "/proc/%d/uid_map", (int)t.rec.pid);
        if (rc_read_file(map_path, &c.uid_map, NULL, &ignored) < 0) {
                rc_error_free(ignored);
                ignored = NULL;
        }
        snprintf(map_path, sizeof(map_path), "/proc/%d/gid_map", (int)t.rec.pid);
        if (rc_read_file(map_path, &c.gid_map, NULL, &ignored) < 0) {
                rc_error_free(ignored);
                ignored = NULL;
        }
        clock_gettime(CLOCK_BOOTTIME, &ts);
        c.now_ns = (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec;
        for (size_t k = 0; k < n_want; k++)
                cell(&row, cols[want[k]].header, k + 1 == n_want);
        for (size_t i = 0; i < c.n; i++) {
                for (size_t k = 0; k < n_want; k++) {
                        char buf[4096];
                        format_cell(&c, &c.procs[i], want[k], buf, sizeof(buf));
                        /* a tab or newline in a command line must not break the table */
                        for (char *q = buf; *q; q++)
                                if (*q == '\t' || *q == '\n')
                                        *q = ' ';
                        cell(&row, buf, k + 1 == n_want);
                }
        }
        *table = steal_pointer(&row);
        r = 0;
out:
        for (size_t i = 0; i < c.n; i++)
                free(c.procs[i].args);
        free(c.procs);
        free(c.passwd);
        free(c.group);
        free(c.uid_map);
        free(c.gid_map);
        free(row);
        ctr_target_free(&t);
        return r;
}
