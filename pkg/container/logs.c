/* rc logs: reading the k8s-file log the monitor writes. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "container/internal.h"
#include "util/fs.h"
#include "util/xalloc.h"

/* "2026-12-05T17:14:19.865289980Z" or with an offset "+01:00"; fraction optional. */
static int parse_rfc3339(const char *s, size_t len, int64_t *out_ns)
{
        struct tm tm = { 0 };
        const char *p, *end = s + len;
        int64_t frac = 0, scale = 1000000000, offset = 0;

        if (len < 20)
                return -1;
        p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
        if (p == NULL || p > end)
                return -1;
        if (p < end && *p == '.') {
                p++;
                while (p < end && isdigit((unsigned char)*p)) {
                        if (scale > 1) {
                                scale /= 10;
                                frac += (*p - '0') * scale;
                        }
                        p++;
                }
        }
        if (p < end && (*p == 'Z' || *p == 'z')) {
                p++;
        } else if (p + 6 <= end && (*p == '+' || *p == '-') && isdigit((unsigned char)p[1]) &&
                   isdigit((unsigned char)p[2]) && p[3] == ':' && isdigit((unsigned char)p[4]) &&
                   isdigit((unsigned char)p[5])) {
                offset = ((p[1] - '0') * 10 + (p[2] - '0')) * 3600 + ((p[4] - '0') * 10 + (p[5] - '0')) * 60;
                if (*p == '+')
                        offset = -offset;
                p += 6;
        } else {
                return -1;
        }
        if (p != end)
                return -1;
        *out_ns = ((int64_t)timegm(&tm) + offset) * 1000000000 + frac;
        return 0;
}

int rc_log_parse_line(const char *line, size_t len, int64_t *ts_ns, bool *is_stderr, bool *partial,
                      const char **text, size_t *text_len)
{
        const char *sp1, *sp2, *end = line + len;

        if (len > 0 && line[len - 1] == '\n')
                end--;
        sp1 = memchr(line, ' ', (size_t)(end - line));
        if (sp1 == NULL || parse_rfc3339(line, (size_t)(sp1 - line), ts_ns) < 0)
                return -EINVAL;
        sp2 = memchr(sp1 + 1, ' ', (size_t)(end - sp1 - 1));
        if (sp2 == NULL)
                return -EINVAL;
        if ((size_t)(sp2 - sp1 - 1) == 6 && memcmp(sp1 + 1, "stdout", 6) == 0)
                *is_stderr = false;
        else if ((size_t)(sp2 - sp1 - 1) == 6 && memcmp(sp1 + 1, "stderr", 6) == 0)
                *is_stderr = true;
        else
                return -EINVAL;
        if (end - sp2 < 2 || (sp2[1] != 'F' && sp2[1] != 'P') || (end - sp2 > 2 && sp2[2] != ' '))
                return -EINVAL;
        *partial = sp2[1] == 'P';
        *text = end - sp2 > 2 ? sp2 + 3 : end;
        *text_len = (size_t)(end - *text);
        return 0;
}

int rc_parse_time_bound(const char *s, int64_t now_ns, int64_t *out_ns, rc_error **err)
{
        static const struct {
                const char *unit;
                int64_t ns;
        } units[] = { { "ns", 1 },
                      { "us", 1000 },
                      { "ms", 1000000 },
                      { "s", 1000000000 },
                      { "m", 60LL * 1000000000 },
                      { "h", 3600LL * 1000000000 } };
        const char *p = s;
        int64_t total = 0;
        char *end;

        if (parse_rfc3339(s, strlen(s), out_ns) == 0)
                return 0;
        /* unix seconds, maybe with a fraction */
        if (isdigit((unsigned char)*s)) {
                double v = strtod(s, &end);
                if (*end == '\0') {
                        *out_ns = (int64_t)(v * 1e9);
                        return 0;
                }
        }
        /* a Go duration before now: 10m, 1h30m, 90s */
        while (*p) {
                double v = strtod(p, &end);
                size_t i;
                if (end == p || v < 0)
                        goto bad;
                p = end;
                for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
                        size_t n = strlen(units[i].unit);
                        /* "m" must not take the "m" of "ms" */
                        if (strncmp(p, units[i].unit, n) == 0 && !(n == 1 && p[0] == 'm' && p[1] == 's'))
                                break;
                }
                if (i == sizeof(units) / sizeof(units[0]))
                        goto bad;
                total += (int64_t)(v * (double)units[i].ns);
                p += strlen(units[i].unit);
        }
        if (p == s)
                goto bad;
        *out_ns = now_ns - total;
        return 0;
bad:
        return rc_error_set(err, EINVAL,
                            "%s: not a time: give an RFC 3339 time (2026-01-02T15:04:05Z), unix seconds, or a "
                            "duration such as 10m or 1h30m",
                            s);
}

struct printer {
        const struct rc_logs_opts *opts;
        bool at_line_start[2];
};

static void print_record(struct printer *p, const char *line, size_t len)
{
        int64_t ts;
        bool is_err, partial;
        const char *text;
        size_t text_len;
        FILE *out;

        if (rc_log_parse_line(line, len, &ts, &is_err, &partial, &text, &text_len) < 0)
                return; /* not a record (a line cut by a crash): skipped */
        if ((p->opts->since && ts < p->opts->since) || (p->opts->until && ts > p->opts->until))
                return;
        out = is_err ? stderr : stdout;
        if (p->opts->timestamps && p->at_line_start[is_err])
                fprintf(out, "%.*s ", (int)(memchr(line, ' ', len) ? (const char *)memchr(line, ' ', len) - line : 0),
                        line);
        fwrite(text, 1, text_len, out);
        if (!partial)
                fputc('\n', out);
        p->at_line_start[is_err] = !partial;
        fflush(out);
}

/* Complete records (ending in a newline) of buf from `from`, the start of
 * the first one to print given --tail; returns the end of the last. */
static size_t print_records(struct printer *p, const char *buf, size_t len, size_t from)
{
        size_t pos = from;

        while (pos < len) {
                const char *nl = memchr(buf + pos, '\n', len - pos);
                if (nl == NULL)
                        break;
                print_record(p, buf + pos, (size_t)(nl - (buf + pos)) + 1);
                pos = (size_t)(nl - buf) + 1;
        }
        return pos;
}

/* Where the last n lines begin: counted by full (F) records from the end. */
static size_t tail_start(const char *buf, size_t len, long n)
{
        size_t pos = len;

        if (n < 0)
                return 0;
        while (pos > 0) {
                size_t line_start = pos - 1;
                while (line_start > 0 && buf[line_start - 1] != '\n')
                        line_start--;
                int64_t ts;
                bool is_err, partial;
                const char *text;
                size_t text_len;

                if (rc_log_parse_line(buf + line_start, pos - line_start, &ts, &is_err, &partial, &text, &text_len) ==
                            0 &&
                    !partial) {
                        if (n == 0)
                                return pos;
                        n--;
                }
                pos = line_start;
        }
        return 0;
}

int rc_container_logs(const struct rc_config *cfg, const char *name_or_id, const struct rc_logs_opts *opts,
                      rc_error **err)
{
        cleanup_store struct rc_store *s = NULL;
        struct rc_container_rec rec = { 0 };
        cleanup_free char *dir = NULL, *path = NULL, *old_path = NULL, *old = NULL, *buf = NULL;
        struct printer p = { .opts = opts, .at_line_start = { true, true } };
        size_t old_len = 0, len = 0, done;
        cleanup_close int fd = -1;
        struct stat sb;
        rc_error *e = NULL;
        int r = -1;

        if (rc_store_open(cfg->root, cfg->runroot, &s, err) < 0 ||
            rc_store_container_find(s, name_or_id, &rec, err) < 0)
                return -1;
        dir = rc_store_container_dir(s, rec.id);
        path = xasprintf("%s/ctr.log", dir);
        old_path = xasprintf("%s/ctr.log.1", dir);
        if (rc_read_file(old_path, &old, &old_len, &e) < 0) {
                rc_error_free(e);
                e = NULL;
                old = xstrdup("");
        }
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 && errno != ENOENT) {
                rc_error_set(err, errno, "open %s", path);
                goto out;
        }
        if (fd >= 0 && rc_read_fd(fd, &buf, &len, err) < 0)
                goto out;
        if (buf == NULL)
                buf = xstrdup("");
        {
                /* --tail counts across the rotated file and the current one */
                cleanup_free char *all = xasprintf("%s%s", old, buf);
                size_t all_len = old_len + len;
                done = print_records(&p, all, all_len, tail_start(all, all_len, opts->tail));
                done = done >= old_len ? done - old_len : 0;
        }
        r = 0;
        if (!opts->follow)
                goto out;
        /* follow: new records as they come, until the container is done */
        for (;;) {
                struct rc_container_rec now = { 0 };
                bool running;
                char chunk[65536];
                ssize_t n;

                if (fd < 0)
                        fd = open(path, O_RDONLY | O_CLOEXEC);
                while (fd >= 0 && (n = read(fd, chunk, sizeof(chunk))) > 0) {
                        buf = xrealloc(buf, len + (size_t)n + 1);
                        memcpy(buf + len, chunk, (size_t)n);
                        len += (size_t)n;
                        buf[len] = '\0';
                }
                done = print_records(&p, buf, len, done);
                /* rotated: the rest of the old file was read; start the new one */
                if (fd >= 0 && stat(path, &sb) == 0) {
                        struct stat cur;
                        if (fstat(fd, &cur) == 0 && cur.st_ino != sb.st_ino) {
                                close(fd);
                                fd = open(path, O_RDONLY | O_CLOEXEC);
                                len = done = 0;
                        }
                }
                if (rc_store_container_find(s, rec.id, &now, &e) < 0) {
                        rc_error_free(e);
                        break;
                }
                running = strcmp(rc_container_rec_status(&now), "running") == 0 ||
                          (strcmp(now.state, "exited") == 0 && rc_container_rec_running(&now));
                rc_container_rec_free(&now);
                if (!running) {
                        /* what it wrote last */
                        while (fd >= 0 && (n = read(fd, chunk, sizeof(chunk))) > 0) {
                                buf = xrealloc(buf, len + (size_t)n + 1);
                                memcpy(buf + len, chunk, (size_t)n);
                                len += (size_t)n;
                        }
                        print_records(&p, buf, len, done);
                        break;
                }
                usleep(50 * 1000);
        }
out:
        rc_container_rec_free(&rec);
        return r;
}
