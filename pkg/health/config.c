/* What a health check runs and how often: the flags, the image's
 * Healthcheck (hostile input) and the defaults, podman's precedence. */
#include "health/health.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "util/duration.h"
#include "util/xalloc.h"

#define TEST_MAX_ARGS 256
#define TEST_MAX_BYTES 65536

static const char *const actions[] = { [RC_HEALTH_ACTION_NONE] = "none", [RC_HEALTH_ACTION_KILL] = "kill",
                                       [RC_HEALTH_ACTION_RESTART] = "restart", [RC_HEALTH_ACTION_STOP] = "stop" };

const char *rc_health_action_name(enum rc_health_action a)
{
        return (size_t)a < sizeof(actions) / sizeof(actions[0]) ? actions[a] : "none";
}

int rc_health_action_parse(const char *s, enum rc_health_action *out, rc_error **err)
{
        for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
                if (strcmp(s, actions[i]) == 0) {
                        *out = (enum rc_health_action)i;
                        return 0;
                }
        return rc_error_code(err, EINVAL, "--health-on-failure %s: give none, kill, restart or stop", s);
}

int rc_health_duration_parse(const char *flag, const char *s, bool allow_zero, int64_t *ns, rc_error **err)
{
        int64_t v;

        if (strcmp(flag, "--health-interval") == 0 && strcmp(s, "disable") == 0) {
                *ns = 0;
                return 0;
        }
        if (rc_duration_parse(s, &v) < 0 || v > RC_HEALTH_MAX_DURATION)
                return rc_error_code(err, EINVAL, "%s %s: give a duration such as 30s, 1m30s or 500ms (at most 24h)",
                                    flag, s);
        if (v < RC_HEALTH_MIN_DURATION && !(allow_zero && v == 0))
                return rc_error_code(err, EINVAL, "%s %s: at least 1ms%s", flag, s,
                                    strcmp(flag, "--health-interval") == 0 ? " (or disable: no timer)" : "");
        *ns = v;
        return 0;
}

int rc_health_retries_parse(const char *flag, const char *s, int *out, rc_error **err)
{
        char *end;
        long v;

        errno = 0;
        v = strtol(s, &end, 10);
        if (*s == '\0' || *end != '\0' || errno || v < 0 || v > RC_HEALTH_MAX_RETRIES)
                return rc_error_code(err, EINVAL, "%s %s: give a number from 0 to %d", flag, s, RC_HEALTH_MAX_RETRIES);
        *out = (int)v;
        return 0;
}

/* A JSON array's strings; EINVAL for anything else in it. */
static int json_strv(json_object *a, const char *what, char ***out, rc_error **err)
{
        cleanup_strv char **v = xcalloc(1, sizeof(char *));
        size_t n = json_object_array_length(a), bytes = 0;

        if (n > TEST_MAX_ARGS)
                return rc_error_code(err, EINVAL, "%s: more than %d elements", what, TEST_MAX_ARGS);
        for (size_t i = 0; i < n; i++) {
                json_object *s = json_object_array_get_idx(a, i);
                if (!json_object_is_type(s, json_type_string))
                        return rc_error_code(err, EINVAL, "%s: element %zu is not a string", what, i);
                size_t len = (size_t)json_object_get_string_len(s);
                bytes += len;
                if (bytes > TEST_MAX_BYTES || strlen(json_object_get_string(s)) != len)
                        return rc_error_code(err, EINVAL, "%s: longer than %d bytes or holds a NUL byte", what,
                                            TEST_MAX_BYTES);
                strv_push(&v, json_object_get_string(s));
        }
        *out = steal_pointer(&v);
        return 0;
}

/* Test as docker defines it: NONE, CMD ARGS..., CMD-SHELL COMMAND.  An
 * empty one means "inherit" there; for a container there is nothing to
 * inherit from, so it is no check. */
static int check_test(char ***test, const char *what, rc_error **err)
{
        char **t = *test;
        size_t n = strv_len(t);

        if (n == 0 || strcmp(t[0], "NONE") == 0) {
                if (n > 1)
                        return rc_error_code(err, EINVAL, "%s: NONE takes no arguments", what);
                strv_free(t);
                *test = NULL;
                return 0;
        }
        if (strcmp(t[0], "CMD") == 0) {
                if (n < 2 || t[1][0] == '\0')
                        return rc_error_code(err, EINVAL, "%s: CMD needs a program to run", what);
                return 0;
        }
        if (strcmp(t[0], "CMD-SHELL") == 0) {
                if (n != 2 || t[1][0] == '\0')
                        return rc_error_code(err, EINVAL, "%s: CMD-SHELL takes one command line", what);
                return 0;
        }
        return rc_error_code(err, EINVAL, "%s: \"%s\" is not NONE, CMD or CMD-SHELL", what, t[0]);
}

int rc_health_cmd_parse(const char *s, char ***test, rc_error **err)
{
        cleanup_strv char **v = NULL;
        const char *p = s;

        while (*p == ' ' || *p == '\t')
                p++;
        if (*p == '\0')
                return rc_error_code(err, EINVAL, "--health-cmd needs a command (or none)");
        if (strcmp(s, "none") == 0 || strcmp(s, "NONE") == 0) {
                v = xcalloc(2, sizeof(char *));
                v[0] = xstrdup("NONE");
        } else if (*p == '[') {
                json_object *a = json_tokener_parse(p);
                int r;
                if (a == NULL || !json_object_is_type(a, json_type_array)) {
                        json_object_put(a);
                        return rc_error_code(err, EINVAL, "--health-cmd %s: not a JSON array of strings", s);
                }
                r = json_strv(a, "--health-cmd", &v, err);
                json_object_put(a);
                if (r < 0)
                        return -1;
                if (v[0] == NULL)
                        return rc_error_code(err, EINVAL, "--health-cmd []: give a command");
                /* podman: an array that does not start with a keyword is the program and its arguments */
                if (strcmp(v[0], "CMD") && strcmp(v[0], "CMD-SHELL") && strcmp(v[0], "NONE")) {
                        char **with = xcalloc(2, sizeof(char *));
                        with[0] = xstrdup("CMD");
                        for (size_t i = 0; v[i]; i++)
                                strv_push(&with, v[i]);
                        strv_free(v);
                        v = with;
                }
                if (strcmp(v[0], "NONE") == 0 && v[1])
                        return rc_error_code(err, EINVAL, "--health-cmd %s: NONE takes no arguments", s);
                if (strcmp(v[0], "NONE") && check_test(&v, "--health-cmd", err) < 0)
                        return -1;
        } else {
                v = xcalloc(3, sizeof(char *));
                v[0] = xstrdup("CMD-SHELL");
                v[1] = xstrdup(s);
        }
        *test = steal_pointer(&v);
        return 0;
}

/* An integer field within [0, max]; absent: 0. */
static int get_bounded(json_object *o, const char *doc, const char *key, int64_t max, int64_t *out, rc_error **err)
{
        json_object *v;
        int64_t n;

        *out = 0;
        if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
                return 0;
        if (!json_object_is_type(v, json_type_int))
                return rc_error_code(err, EINVAL, "%s: Healthcheck.%s must be an integer", doc, key);
        errno = 0;
        n = json_object_get_int64(v);
        /* json-c saturates at INT64_MAX and sets errno for bigger numbers */
        if (errno || n < 0 || n > max)
                return rc_error_code(err, EINVAL, "%s: Healthcheck.%s %s is out of range (0 to %lld)", doc, key,
                                    json_object_get_string(v), (long long)max);
        *out = n;
        return 0;
}

int rc_health_config_from_json(json_object *o, const char *doc, struct rc_health_config *out, rc_error **err)
{
        struct rc_health_config c = { 0 };
        cleanup_free char *what = xasprintf("%s: Healthcheck.Test", doc);
        json_object *test;
        int64_t retries;

        if (!json_object_is_type(o, json_type_object))
                return rc_error_code(err, EINVAL, "%s: Healthcheck must be an object", doc);
        if (json_object_object_get_ex(o, "Test", &test) && !json_object_is_type(test, json_type_null)) {
                if (!json_object_is_type(test, json_type_array))
                        return rc_error_code(err, EINVAL, "%s must be an array of strings", what);
                if (json_strv(test, what, &c.test, err) < 0 || check_test(&c.test, what, err) < 0) {
                        rc_health_config_free(&c);
                        return -1;
                }
        }
        if (get_bounded(o, doc, "Interval", RC_HEALTH_MAX_DURATION, &c.interval, err) < 0 ||
            get_bounded(o, doc, "Timeout", RC_HEALTH_MAX_DURATION, &c.timeout, err) < 0 ||
            get_bounded(o, doc, "StartPeriod", RC_HEALTH_MAX_DURATION, &c.start_period, err) < 0 ||
            get_bounded(o, doc, "Retries", RC_HEALTH_MAX_RETRIES, &retries, err) < 0) {
                rc_health_config_free(&c);
                return -1;
        }
        /* below 1ms is docker's "unset" for an image (and rc's flags refuse it) */
        if (c.interval > 0 && c.interval < RC_HEALTH_MIN_DURATION)
                c.interval = 0;
        if (c.timeout > 0 && c.timeout < RC_HEALTH_MIN_DURATION)
                c.timeout = 0;
        c.retries = (int)retries;
        *out = c;
        return 0;
}

int rc_health_resolve(const struct rc_health_flags *f, const char *image_json, struct rc_health_config *out,
                      rc_error **err)
{
        struct rc_health_config img = { 0 }, c = { 0 };

        memset(out, 0, sizeof(*out));
        if (f->disable || (f->test && strcmp(f->test[0], "NONE") == 0))
                return 0;
        if (image_json && f->test == NULL) {
                json_object *o = json_tokener_parse(image_json);
                int r = o ? rc_health_config_from_json(o, "the image's config", &img, err)
                          : rc_error_code(err, EINVAL, "the image's config: Healthcheck is not JSON");
                json_object_put(o);
                if (r < 0) {
                        /* the user can get past a broken image: say how */
                        cleanup_free char *msg = xstrdup((*err)->msg);
                        rc_error_free(*err);
                        *err = NULL;
                        return rc_error_code(err, EINVAL, "%s (set --health-cmd, or --no-healthcheck)", msg);
                }
        }
        c.test = f->test ? strv_dup(f->test) : steal_pointer(&img.test);
        rc_health_config_free(&img);
        if (c.test == NULL)
                return 0;
        /* an image's zero is "unset", as docker reads it */
        c.interval = f->no_timer       ? 0
                     : f->interval > 0   ? f->interval
                     : img.interval > 0  ? img.interval
                                         : RC_HEALTH_DEFAULT_INTERVAL;
        c.timeout = f->timeout > 0 ? f->timeout : img.timeout > 0 ? img.timeout : RC_HEALTH_DEFAULT_TIMEOUT;
        c.start_period = f->start_period_set ? f->start_period : img.start_period;
        c.retries = f->retries_set ? f->retries : img.retries > 0 ? img.retries : RC_HEALTH_DEFAULT_RETRIES;
        c.on_failure = f->on_failure;
        if (f->startup.test) {
                c.startup = f->startup;
                c.startup.test = strv_dup(f->startup.test);
                if (c.startup.interval == 0)
                        c.startup.interval = RC_HEALTH_DEFAULT_INTERVAL;
                if (c.startup.timeout == 0)
                        c.startup.timeout = RC_HEALTH_DEFAULT_TIMEOUT;
        }
        *out = c;
        return 0;
}

json_object *rc_health_startup_json(const struct rc_health_startup *s)
{
        json_object *o = json_object_new_object(), *t = json_object_new_array();

        for (size_t i = 0; s->test && s->test[i]; i++)
                json_object_array_add(t, json_object_new_string(s->test[i]));
        json_object_object_add(o, "Test", t);
        json_object_object_add(o, "Interval", json_object_new_int64(s->interval));
        json_object_object_add(o, "Timeout", json_object_new_int64(s->timeout));
        json_object_object_add(o, "Retries", json_object_new_int(s->retries));
        json_object_object_add(o, "Successes", json_object_new_int(s->successes));
        return o;
}

int rc_health_startup_from_json(json_object *o, const char *doc, struct rc_health_startup *out, rc_error **err)
{
        struct rc_health_config c = { 0 };
        int64_t successes = 0;

        memset(out, 0, sizeof(*out));
        if (rc_health_config_from_json(o, doc, &c, err) < 0)
                return -1;
        if (get_bounded(o, doc, "Successes", RC_HEALTH_MAX_RETRIES, &successes, err) < 0) {
                rc_health_config_free(&c);
                return -1;
        }
        if (c.test == NULL)
                return 0;
        out->test = steal_pointer(&c.test);
        out->interval = c.interval > 0 ? c.interval : RC_HEALTH_DEFAULT_INTERVAL;
        out->timeout = c.timeout > 0 ? c.timeout : RC_HEALTH_DEFAULT_TIMEOUT;
        out->retries = c.retries;
        out->successes = (int)successes;
        return 0;
}

void rc_health_startup_free(struct rc_health_startup *s)
{
        strv_free(s->test);
        s->test = NULL;
}

json_object *rc_health_config_json(const struct rc_health_config *c)
{
        json_object *o = json_object_new_object(), *t = json_object_new_array();

        if (c->test == NULL) {
                json_object_array_add(t, json_object_new_string("NONE"));
                json_object_object_add(o, "Test", t);
                return o;
        }
        for (size_t i = 0; c->test[i]; i++)
                json_object_array_add(t, json_object_new_string(c->test[i]));
        json_object_object_add(o, "Test", t);
        json_object_object_add(o, "StartPeriod", json_object_new_int64(c->start_period));
        json_object_object_add(o, "Interval", json_object_new_int64(c->interval));
        json_object_object_add(o, "Timeout", json_object_new_int64(c->timeout));
        json_object_object_add(o, "Retries", json_object_new_int(c->retries));
        return o;
}

char **rc_health_argv(const struct rc_health_config *c)
{
        char **v;

        if (c->test == NULL || c->test[0] == NULL || c->test[1] == NULL)
                return NULL;
        if (strcmp(c->test[0], "CMD-SHELL") == 0) {
                v = xcalloc(4, sizeof(char *));
                v[0] = xstrdup("/bin/sh");
                v[1] = xstrdup("-c");
                v[2] = xstrdup(c->test[1]);
                return v;
        }
        return strv_dup(c->test + 1);
}

void rc_health_config_free(struct rc_health_config *c)
{
        strv_free(c->test);
        c->test = NULL;
        rc_health_startup_free(&c->startup);
}
