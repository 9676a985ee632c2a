/* The state a container's check results make (podman's rules) and the
 * file that keeps it, DIR/health.json. */
#include "health/health.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/fs.h"
#include "util/xalloc.h"

#define STATE_FILE "health.json"
#define STATE_MAX (64 * 1024) /* five outputs of 4 KiB, escaped, and the rest */

static const char *const statuses[] = { [RC_HEALTH_STARTING] = "starting", [RC_HEALTH_HEALTHY] = "healthy",
                                        [RC_HEALTH_UNHEALTHY] = "unhealthy" };

const char *rc_health_status_name(enum rc_health_status s)
{
        return (size_t)s < sizeof(statuses) / sizeof(statuses[0]) ? statuses[s] : "starting";
}

/* The length of the UTF-8 sequence at s (1 to 4), or 0 if it is not one:
 * no overlong forms, no surrogates, nothing above U+10FFFF. */
static size_t utf8_len(const unsigned char *s)
{
        size_t n;
        uint32_t cp;

        if (s[0] < 0x80)
                return 1;
        if (s[0] >= 0xc2 && s[0] <= 0xdf)
                n = 2, cp = s[0] & 0x1f;
        else if (s[0] >= 0xe0 && s[0] <= 0xef)
                n = 3, cp = s[0] & 0x0f;
        else if (s[0] >= 0xf0 && s[0] <= 0xf4)
                n = 4, cp = s[0] & 0x07;
        else
                return 0;
        for (size_t i = 1; i < n; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                cp = cp << 6 | (s[i] & 0x3f);
        }
        if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
                return 0;
        return n;
}

void rc_health_output_clean(char *s)
{
        unsigned char *p = (unsigned char *)s;

        while (*p) {
                size_t n = utf8_len(p);
                if (n == 0)
                        *p++ = '?';
                else
                        p += n;
        }
}

static void log_result(struct rc_health_state *s, struct rc_health_result *r)
{
        if (s->n_log == RC_HEALTH_LOG_MAX) {
                free(s->log[0].output);
                memmove(s->log, s->log + 1, (RC_HEALTH_LOG_MAX - 1) * sizeof(s->log[0]));
                s->n_log--;
        }
        s->log[s->n_log++] = *r;
        r->output = NULL;
}

void rc_health_state_record(struct rc_health_state *s, const struct rc_health_config *c, int64_t started_at,
                            struct rc_health_result *r)
{
        bool in_start_period = started_at > 0 && r->start - started_at < c->start_period;

        if (r->exit_code == 0) {
                s->status = RC_HEALTH_HEALTHY;
                s->failing_streak = 0;
        } else if (!in_start_period) {
                s->failing_streak++;
                if (s->failing_streak >= (c->retries > 0 ? c->retries : 1))
                        s->status = RC_HEALTH_UNHEALTHY;
        }
        log_result(s, r);
}

bool rc_health_state_record_startup(struct rc_health_state *s, const struct rc_health_startup *c,
                                    struct rc_health_result *r)
{
        bool restart = false;

        if (r->exit_code == 0) {
                s->startup_failures = 0;
                if (++s->startup_successes >= (c->successes > 0 ? c->successes : 1))
                        s->startup_passed = true;
        } else {
                s->startup_successes = 0;
                if (c->retries > 0 && ++s->startup_failures >= c->retries) {
                        restart = true;
                        s->startup_failures = 0;
                }
        }
        log_result(s, r);
        return restart;
}

void rc_health_state_restart(struct rc_health_state *s)
{
        s->status = RC_HEALTH_STARTING;
        s->failing_streak = 0;
        s->startup_passed = false;
        s->startup_successes = s->startup_failures = 0;
}

void rc_health_state_free(struct rc_health_state *s)
{
        for (size_t i = 0; i < s->n_log; i++)
                free(s->log[i].output);
        memset(s, 0, sizeof(*s));
}

/* RFC 3339 with nanoseconds, as podman writes Start and End. */
static void format_time(int64_t ns, char *buf, size_t len)
{
        time_t secs = (time_t)(ns / RC_HEALTH_NS_PER_SEC);
        struct tm tm;
        size_t n;

        gmtime_r(&secs, &tm);
        n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(buf + n, len - n, ".%09lldZ", (long long)(ns % RC_HEALTH_NS_PER_SEC));
}

static bool parse_time(const char *s, int64_t *ns)
{
        struct tm tm = { 0 };
        const char *p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
        char *end;
        long frac;

        /* nanoseconds since 1970 fit in 64 bits until 2262 */
        if (p == NULL || *p != '.' || strlen(p) != 11 || p[10] != 'Z' || tm.tm_year < 70 || tm.tm_year > 260)
                return false;
        frac = strtol(p + 1, &end, 10);
        if (end != p + 10 || frac < 0)
                return false;
        *ns = (int64_t)timegm(&tm) * RC_HEALTH_NS_PER_SEC + frac;
        return true;
}

json_object *rc_health_state_json(const struct rc_health_state *s)
{
        json_object *o = json_object_new_object(), *log = json_object_new_array();

        json_object_object_add(o, "Status", json_object_new_string(rc_health_status_name(s->status)));
        json_object_object_add(o, "FailingStreak", json_object_new_int(s->failing_streak));
        if (s->startup_passed || s->startup_successes || s->startup_failures) {
                json_object_object_add(o, "StartupPassed", json_object_new_boolean(s->startup_passed));
                json_object_object_add(o, "StartupSuccesses", json_object_new_int(s->startup_successes));
                json_object_object_add(o, "StartupFailures", json_object_new_int(s->startup_failures));
        }
        for (size_t i = 0; i < s->n_log; i++) {
                json_object *e = json_object_new_object();
                char t[64];
                format_time(s->log[i].start, t, sizeof(t));
                json_object_object_add(e, "Start", json_object_new_string(t));
                format_time(s->log[i].end, t, sizeof(t));
                json_object_object_add(e, "End", json_object_new_string(t));
                json_object_object_add(e, "ExitCode", json_object_new_int(s->log[i].exit_code));
                json_object_object_add(e, "Output", json_object_new_string(s->log[i].output ? s->log[i].output : ""));
                json_object_array_add(log, e);
        }
        json_object_object_add(o, "Log", log);
        return o;
}

static const char *get_string(json_object *o, const char *key)
{
        json_object *v;

        return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
                       ? json_object_get_string(v)
                       : NULL;
}

static bool get_int(json_object *o, const char *key, int min, int max, int *out)
{
        json_object *v;
        int64_t n;

        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
                return false;
        n = json_object_get_int64(v);
        if (n < min || n > max)
                return false;
        *out = (int)n;
        return true;
}

int rc_health_state_from_json(const char *text, size_t len, struct rc_health_state *s, rc_error **err)
{
        struct rc_health_state st = { 0 };
        json_tokener *tok;
        json_object *o, *log;
        const char *status;
        bool ok = false;
        size_t n;

        if (len > STATE_MAX)
                return rc_error_code(err, EINVAL, "health state: larger than %d KiB", STATE_MAX / 1024);
        tok = json_tokener_new();
        o = json_tokener_parse_ex(tok, text, (int)len);
        json_tokener_free(tok);
        if (o == NULL || !json_object_is_type(o, json_type_object))
                goto bad;
        status = get_string(o, "Status");
        for (size_t i = 0; status && i < sizeof(statuses) / sizeof(statuses[0]); i++)
                if (strcmp(status, statuses[i]) == 0) {
                        st.status = (enum rc_health_status)i;
                        ok = true;
                }
        if (!ok || !get_int(o, "FailingStreak", 0, 1 << 30, &st.failing_streak))
                goto bad;
        {
                json_object *v;
                if (json_object_object_get_ex(o, "StartupPassed", &v)) {
                        if (!json_object_is_type(v, json_type_boolean) ||
                            !get_int(o, "StartupSuccesses", 0, RC_HEALTH_MAX_RETRIES, &st.startup_successes) ||
                            !get_int(o, "StartupFailures", 0, RC_HEALTH_MAX_RETRIES, &st.startup_failures))
                                goto bad;
                        st.startup_passed = json_object_get_boolean(v);
                }
        }
        if (!json_object_object_get_ex(o, "Log", &log) || !json_object_is_type(log, json_type_array) ||
            (n = json_object_array_length(log)) > RC_HEALTH_LOG_MAX)
                goto bad;
        for (size_t i = 0; i < n; i++) {
                json_object *e = json_object_array_get_idx(log, i);
                struct rc_health_result *r = &st.log[i];
                const char *start = get_string(e, "Start"), *end = get_string(e, "End"), *out = get_string(e, "Output");
                if (!start || !end || !out || !parse_time(start, &r->start) || !parse_time(end, &r->end) ||
                    !get_int(e, "ExitCode", -1, 255, &r->exit_code))
                        goto bad;
                r->output = xstrndup(out, RC_HEALTH_OUTPUT_MAX);
                rc_health_output_clean(r->output);
                st.n_log = i + 1;
        }
        json_object_put(o);
        *s = st;
        return 0;
bad:
        json_object_put(o);
        rc_health_state_free(&st);
        return rc_error_code(err, EINVAL, "health state: not what rc writes");
}

int rc_health_state_read(const char *dir, struct rc_health_state *s, rc_error **err)
{
        cleanup_free char *path = xasprintf("%s/" STATE_FILE, dir);
        cleanup_close int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        cleanup_free char *text = NULL;
        struct stat st;
        size_t len;

        if (fd < 0)
                return errno == ENOENT ? rc_error_code(err, ENOENT, "%s: no health state", path)
                                       : rc_error_set(err, errno, "%s", path);
        /* the size first: a file that grew, or is no file, is never read whole */
        if (fstat(fd, &st) < 0)
                return rc_error_set(err, errno, "%s", path);
        if (!S_ISREG(st.st_mode) || st.st_size > STATE_MAX)
                return rc_error_code(err, EINVAL, "%s: not a regular file of at most %d KiB", path, STATE_MAX / 1024);
        if (rc_read_fd(fd, &text, &len, err) < 0)
                return rc_error_wrap(err, "%s", path);
        if (rc_health_state_from_json(text, len, s, err) < 0)
                return rc_error_wrap(err, "%s", path);
        return 0;
}

int rc_health_state_write(const char *dir, const struct rc_health_state *s, rc_error **err)
{
        cleanup_free char *path = xasprintf("%s/" STATE_FILE, dir);
        cleanup_free char *tmp = xasprintf("%s/." STATE_FILE ".%d", dir, (int)getpid());
        json_object *o = rc_health_state_json(s);
        const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
        int r;

        /* no fsync: the state is rebuilt by the next check after a crash,
         * and a check every second must not cost a disk flush */
        r = rc_write_file(tmp, text, strlen(text), 0600, err);
        json_object_put(o);
        if (r < 0)
                return -1;
        if (rename(tmp, path) < 0) {
                r = rc_error_set(err, errno, "rename %s", tmp);
                unlink(tmp);
        }
        return r;
}

int rc_health_state_lock(const char *dir, rc_error **err)
{
        cleanup_free char *path = xasprintf("%s/health.lock", dir);
        int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);

        if (fd < 0)
                return rc_error_set(err, errno, "%s", path);
        while (flock(fd, LOCK_EX) < 0) {
                if (errno != EINTR) {
                        int e = errno;
                        close(fd);
                        return rc_error_set(err, e, "lock %s", path);
                }
        }
        return fd;
}

bool rc_health_status_of(const char *dir, enum rc_health_status *out)
{
        struct rc_health_state s;
        rc_error *e = NULL;

        if (rc_health_state_read(dir, &s, &e) < 0) {
                rc_error_free(e);
                return false;
        }
        *out = s.status;
        rc_health_state_free(&s);
        return true;
}
