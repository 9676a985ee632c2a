/* Health checks: Go durations, the flags' parsers, the image's Healthcheck
 * as hostile input, precedence of flags over the image, the state machine
 * and the state file's JSON. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "health/health.h"
#include "util/duration.h"
#include "util/xalloc.h"

#define SEC 1000000000LL

static void test_duration(void **state)
{
        static const struct {
                const char *s;
                int64_t ns; /* -1: refused */
        } cases[] = {
                { "30s", 30 * SEC },     { "1m30s", 90 * SEC },  { "1.5h", 5400 * SEC },   { "250ms", 250000000 },
                { "0", 0 },              { "0s", 0 },            { "1h2m3s4ms", 3723004000000LL },
                { "10us", 10000 },       { "10\xc2\xb5s", 10000 }, { "7ns", 7 },            { ".5s", SEC / 2 },
                { "5", -1 },             { "s", -1 },            { "-1s", -1 },             { "", -1 },
                { "99999999999h", -1 },  { "1x", -1 },           { " 1s", -1 },             { "1s ", -1 },
                { "+1s", -1 },           { "inf", -1 },          { "0x10s", -1 },           { "1e3s", -1 },
        };
        char buf[32];

        (void)state;
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                int64_t ns = 42;
                int r = rc_duration_parse(cases[i].s, &ns);
                if (cases[i].ns < 0) {
                        if (r != -1 || ns != 42)
                                fail_msg("\"%s\" was accepted (%lld)", cases[i].s, (long long)ns);
                } else if (r != 0 || ns != cases[i].ns) {
                        fail_msg("\"%s\": %d, %lld", cases[i].s, r, (long long)ns);
                }
        }
        rc_duration_format(90 * SEC, buf, sizeof(buf));
        assert_string_equal(buf, "1m30s");
        rc_duration_format(SEC, buf, sizeof(buf));
        assert_string_equal(buf, "1s");
        rc_duration_format(500000000, buf, sizeof(buf));
        assert_string_equal(buf, "500ms");
        rc_duration_format(3600 * SEC + SEC / 2, buf, sizeof(buf));
        assert_string_equal(buf, "1h0m0.5s");
        rc_duration_format(0, buf, sizeof(buf));
        assert_string_equal(buf, "0s");
}

/* err is read after r is computed (an argument's order of evaluation is not) */
static void expect_error(int r, rc_error **err, const char *want)
{
        assert_int_equal(r, -1);
        assert_non_null(*err);
        if (strstr((*err)->msg, want) == NULL)
                fail_msg("\"%s\" does not contain \"%s\"", (*err)->msg, want);
        rc_error_free(*err);
        *err = NULL;
}

static void test_flags(void **state)
{
        rc_error *err = NULL;
        char **t = NULL;
        int64_t ns;
        int n;
        enum rc_health_action a;

        (void)state;
        assert_int_equal(rc_health_cmd_parse("test -f /tmp/ok", &t, &err), 0);
        assert_string_equal(t[0], "CMD-SHELL");
        assert_string_equal(t[1], "test -f /tmp/ok");
        assert_null(t[2]);
        strv_free(t);
        assert_int_equal(rc_health_cmd_parse("[\"CMD\", \"curl\", \"-f\"]", &t, &err), 0);
        assert_string_equal(t[0], "CMD");
        assert_string_equal(t[2], "-f");
        strv_free(t);
        /* podman: a plain array is the program and its arguments */
        assert_int_equal(rc_health_cmd_parse("[\"curl\", \"x\"]", &t, &err), 0);
        assert_string_equal(t[0], "CMD");
        assert_string_equal(t[1], "curl");
        strv_free(t);
        assert_int_equal(rc_health_cmd_parse("none", &t, &err), 0);
        assert_string_equal(t[0], "NONE");
        assert_null(t[1]);
        strv_free(t);
        t = NULL;
        expect_error(rc_health_cmd_parse("", &t, &err), &err, "needs a command");
        expect_error(rc_health_cmd_parse("  ", &t, &err), &err, "needs a command");
        expect_error(rc_health_cmd_parse("[\"CMD\"]", &t, &err), &err, "CMD needs a program");
        expect_error(rc_health_cmd_parse("[\"CMD-SHELL\", \"a\", \"b\"]", &t, &err), &err, "one command line");
        expect_error(rc_health_cmd_parse("[1, 2]", &t, &err), &err, "element 0 is not a string");
        expect_error(rc_health_cmd_parse("[\"CMD\", ", &t, &err), &err, "not a JSON array");
        expect_error(rc_health_cmd_parse("[]", &t, &err), &err, "give a command");
        assert_null(t);

        assert_int_equal(rc_health_duration_parse("--health-interval", "disable", false, &ns, &err), 0);
        assert_int_equal(ns, 0);
        assert_int_equal(rc_health_duration_parse("--health-interval", "1m", false, &ns, &err), 0);
        assert_int_equal(ns, 60 * SEC);
        assert_int_equal(rc_health_duration_parse("--health-start-period", "0s", true, &ns, &err), 0);
        expect_error(rc_health_duration_parse("--health-timeout", "0s", false, &ns, &err), &err, "at least 1ms");
        expect_error(rc_health_duration_parse("--health-timeout", "disable", false, &ns, &err), &err,
                     "give a duration");
        expect_error(rc_health_duration_parse("--health-interval", "25h", false, &ns, &err), &err, "at most 24h");
        assert_int_equal(rc_health_retries_parse("--health-retries", "0", &n, &err), 0);
        assert_int_equal(n, 0);
        expect_error(rc_health_retries_parse("--health-retries", "-1", &n, &err), &err, "from 0 to 1000");
        expect_error(rc_health_retries_parse("--health-startup-success", "3x", &n, &err), &err, "--health-startup-success 3x: give a number from 0 to 1000");
        expect_error(rc_health_retries_parse("--health-retries", "99999999999999999999", &n, &err), &err, "from 0 to 1000");
        assert_int_equal(rc_health_action_parse("restart", &a, &err), 0);
        assert_int_equal(a, RC_HEALTH_ACTION_RESTART);
        assert_string_equal(rc_health_action_name(a), "restart");
        expect_error(rc_health_action_parse("reboot", &a, &err), &err, "give none, kill, restart or stop");
}

/* An image's Healthcheck: good ones, and hostile ones refused with the field named. */
static void test_image_healthcheck(void **state)
{
        static const struct {
                const char *json, *error;
        } bad[] = {
                { "{\"Test\":\"true\"}", "Healthcheck.Test must be an array of strings" },
                { "{\"Test\":[\"CMD\",1]}", "element 1 is not a string" },
                { "{\"Test\":[\"RUN\",\"x\"]}", "\"RUN\" is not NONE, CMD or CMD-SHELL" },
                { "{\"Test\":[\"CMD\"]}", "CMD needs a program" },
                { "{\"Test\":[\"CMD-SHELL\"]}", "CMD-SHELL takes one command line" },
                { "{\"Test\":[\"NONE\",\"x\"]}", "NONE takes no arguments" },
                { "{\"Test\":[\"CMD\",\"true\"],\"Interval\":-1}", "Healthcheck.Interval -1 is out of range" },
                { "{\"Test\":[\"CMD\",\"true\"],\"Interval\":\"5s\"}", "Healthcheck.Interval must be an integer" },
                { "{\"Test\":[\"CMD\",\"true\"],\"Interval\":1.5}", "Healthcheck.Interval must be an integer" },
                { "{\"Test\":[\"CMD\",\"true\"],\"Timeout\":99999999999999999999}", "Healthcheck.Timeout" },
                { "{\"Test\":[\"CMD\",\"true\"],\"StartPeriod\":86400000000001}", "StartPeriod 86400000000001 is out" },
                { "{\"Test\":[\"CMD\",\"true\"],\"Retries\":-3}", "Healthcheck.Retries -3 is out of range" },
                { "{\"Test\":[\"CMD\",\"true\"],\"Retries\":2147483648}", "Healthcheck.Retries" },
                { "{\"Test\":[\"CMD\",\"true\"],\"Retries\":true}", "Healthcheck.Retries must be an integer" },
                { "[1]", "Healthcheck must be an object" },
        };
        struct rc_health_config c;
        rc_error *err = NULL;

        (void)state;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                json_object *o = json_tokener_parse(bad[i].json);
                assert_non_null(o);
                err = NULL;
                if (rc_health_config_from_json(o, "image config", &c, &err) != -1)
                        fail_msg("case %zu accepted", i);
                if (strstr(err->msg, bad[i].error) == NULL)
                        fail_msg("case %zu: \"%s\" does not contain \"%s\"", i, err->msg, bad[i].error);
                rc_error_free(err);
                json_object_put(o);
        }
        /* a NUL inside a string: refused, not cut short */
        {
                json_object *o = json_tokener_parse("{\"Test\":[\"CMD\",\"a\\u0000b\"]}");
                err = NULL;
                assert_int_equal(rc_health_config_from_json(o, "image config", &c, &err), -1);
                assert_non_null(strstr(err->msg, "NUL"));
                rc_error_free(err);
                json_object_put(o);
        }
        /* what rc build writes, and NONE */
        {
                json_object *o = json_tokener_parse("{\"Test\":[\"CMD-SHELL\",\"tool ok\"],\"Interval\":5000000000,"
                                                    "\"Retries\":2,\"Timeout\":500}");
                err = NULL;
                assert_int_equal(rc_health_config_from_json(o, "image config", &c, &err), 0);
                assert_string_equal(c.test[1], "tool ok");
                assert_int_equal(c.interval, 5 * SEC);
                assert_int_equal(c.retries, 2);
                assert_int_equal(c.timeout, 0); /* below 1ms: docker's "unset" */
                rc_health_config_free(&c);
                json_object_put(o);
                o = json_tokener_parse("{\"Test\":[\"NONE\"]}");
                assert_int_equal(rc_health_config_from_json(o, "image config", &c, &err), 0);
                assert_null(c.test);
                json_object_put(o);
        }
}

static void test_resolve(void **state)
{
        const char *img = "{\"Test\":[\"CMD\",\"check\"],\"Interval\":5000000000,\"Retries\":2,\"StartPeriod\":7}";
        struct rc_health_flags f = { 0 };
        struct rc_health_config c;
        char *test[] = { "CMD-SHELL", "mine", NULL }, *none[] = { "NONE", NULL };
        rc_error *err = NULL;
        json_object *o;

        (void)state;
        /* no flags, no image: no check */
        assert_int_equal(rc_health_resolve(&f, NULL, &c, &err), 0);
        assert_null(c.test);
        /* the image's, defaults for what it leaves out */
        assert_int_equal(rc_health_resolve(&f, img, &c, &err), 0);
        assert_string_equal(c.test[1], "check");
        assert_int_equal(c.interval, 5 * SEC);
        assert_int_equal(c.timeout, RC_HEALTH_DEFAULT_TIMEOUT);
        assert_int_equal(c.retries, 2);
        assert_int_equal(c.start_period, 7);
        rc_health_config_free(&c);
        /* flags alone change the image's check */
        f.retries = 0;
        f.retries_set = true;
        f.no_timer = true;
        assert_int_equal(rc_health_resolve(&f, img, &c, &err), 0);
        assert_string_equal(c.test[1], "check");
        assert_int_equal(c.interval, 0);
        assert_int_equal(c.retries, 0);
        rc_health_config_free(&c);
        /* --health-cmd replaces it with podman's defaults, a broken image is not read */
        f = (struct rc_health_flags){ .test = test, .on_failure = RC_HEALTH_ACTION_KILL };
        assert_int_equal(rc_health_resolve(&f, "{\"Interval\":-5}", &c, &err), 0);
        assert_string_equal(c.test[1], "mine");
        assert_int_equal(c.interval, RC_HEALTH_DEFAULT_INTERVAL);
        assert_int_equal(c.retries, RC_HEALTH_DEFAULT_RETRIES);
        assert_int_equal(c.on_failure, RC_HEALTH_ACTION_KILL);
        o = rc_health_config_json(&c);
        assert_string_equal(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
                            "{\"Test\":[\"CMD-SHELL\",\"mine\"],\"StartPeriod\":0,\"Interval\":30000000000,"
                            "\"Timeout\":30000000000,\"Retries\":3}");
        json_object_put(o);
        {
                char **argv = rc_health_argv(&c);
                assert_string_equal(argv[0], "/bin/sh");
                assert_string_equal(argv[1], "-c");
                assert_string_equal(argv[2], "mine");
                assert_null(argv[3]);
                strv_free(argv);
        }
        rc_health_config_free(&c);
        /* --no-healthcheck and --health-cmd none win over the image */
        f = (struct rc_health_flags){ .disable = true };
        assert_int_equal(rc_health_resolve(&f, img, &c, &err), 0);
        assert_null(c.test);
        f = (struct rc_health_flags){ .test = none };
        assert_int_equal(rc_health_resolve(&f, img, &c, &err), 0);
        assert_null(c.test);
        /* a hostile image: a clear error that says how to get past it */
        f = (struct rc_health_flags){ 0 };
        expect_error(rc_health_resolve(&f, "{\"Test\":[\"CMD\",\"x\"],\"Retries\":-1}", &c, &err), &err,
                     "the image's config: Healthcheck.Retries -1 is out of range (0 to 1000) (set --health-cmd, or "
                     "--no-healthcheck)");
}

static struct rc_health_result result(int64_t start, int exit_code, const char *out)
{
        return (struct rc_health_result){ .start = start, .end = start + 1000, .exit_code = exit_code,
                                          .output = xstrdup(out) };
}

static void test_transitions(void **state)
{
        struct rc_health_config c = { .retries = 3, .start_period = 10 * SEC };
        struct rc_health_state s = { 0 };
        int64_t t0 = 1700000000 * SEC;
        struct rc_health_result r;

        (void)state;
        rc_health_state_restart(&s);
        assert_int_equal(s.status, RC_HEALTH_STARTING);
        /* failures in the start period do not count */
        for (int i = 0; i < 5; i++) {
                r = result(t0 + (i + 1) * SEC, 1, "no");
                rc_health_state_record(&s, &c, t0, &r);
                assert_null(r.output);
        }
        assert_int_equal(s.status, RC_HEALTH_STARTING);
        assert_int_equal(s.failing_streak, 0);
        assert_int_equal(s.n_log, 5);
        /* a pass makes it healthy, even in the start period */
        r = result(t0 + 6 * SEC, 0, "yes");
        rc_health_state_record(&s, &c, t0, &r);
        assert_int_equal(s.status, RC_HEALTH_HEALTHY);
        assert_int_equal(s.n_log, RC_HEALTH_LOG_MAX);
        assert_string_equal(s.log[RC_HEALTH_LOG_MAX - 1].output, "yes");
        /* after it: retries failures in a row make it unhealthy */
        r = result(t0 + 11 * SEC, 1, "a");
        rc_health_state_record(&s, &c, t0, &r);
        r = result(t0 + 12 * SEC, -1, "b");
        rc_health_state_record(&s, &c, t0, &r);
        assert_int_equal(s.status, RC_HEALTH_HEALTHY);
        assert_int_equal(s.failing_streak, 2);
        r = result(t0 + 13 * SEC, 127, "c");
        rc_health_state_record(&s, &c, t0, &r);
        assert_int_equal(s.status, RC_HEALTH_UNHEALTHY);
        assert_int_equal(s.failing_streak, 3);
        /* only the last five results are kept, oldest first */
        assert_string_equal(s.log[0].output, "no");
        assert_string_equal(s.log[1].output, "yes");
        assert_string_equal(s.log[4].output, "c");
        /* one pass is enough to be healthy again */
        r = result(t0 + 14 * SEC, 0, "ok");
        rc_health_state_record(&s, &c, t0, &r);
        assert_int_equal(s.status, RC_HEALTH_HEALTHY);
        assert_int_equal(s.failing_streak, 0);
        /* a restart: starting, no streak, the log kept */
        rc_health_state_restart(&s);
        assert_int_equal(s.status, RC_HEALTH_STARTING);
        assert_int_equal(s.n_log, 5);
        /* retries 0 counts as 1; no start period */
        c = (struct rc_health_config){ .retries = 0 };
        r = result(t0, 1, "");
        rc_health_state_record(&s, &c, t0, &r);
        assert_int_equal(s.status, RC_HEALTH_UNHEALTHY);
        rc_health_state_free(&s);
}

static void test_state_json(void **state)
{
        struct rc_health_config c = { .retries = 1 };
        struct rc_health_state s = { 0 }, back;
        struct rc_health_result r = result(1700000000 * SEC + 123456789, 1, "quote \" and \n newline");
        rc_error *err = NULL;
        json_object *o;
        const char *text;
        static const char *const bad[] = {
                "", "[]", "{\"Status\":\"fine\",\"FailingStreak\":0,\"Log\":[]}",
                "{\"Status\":\"healthy\",\"FailingStreak\":-1,\"Log\":[]}",
                "{\"Status\":\"healthy\",\"FailingStreak\":0}",
                "{\"Status\":\"healthy\",\"FailingStreak\":0,\"Log\":[{},{},{},{},{},{}]}",
                "{\"Status\":\"healthy\",\"FailingStreak\":0,\"Log\":[{\"Start\":\"yesterday\",\"End\":\"x\","
                "\"ExitCode\":0,\"Output\":\"\"}]}",
                "{\"Status\":\"healthy\",\"FailingStreak\":0,\"Log\":[{\"Start\":\"2023-11-14T22:13:20.123456789Z\","
                "\"End\":\"2023-11-14T22:13:20.123456789Z\",\"ExitCode\":999,\"Output\":\"\"}]}",
                /* beyond what nanoseconds since 1970 hold in 64 bits (found by fuzz_health) */
                "{\"Status\":\"healthy\",\"FailingStreak\":0,\"Log\":[{\"Start\":\"2023-11-14T22:13:20.123456789Z\","
                "\"End\":\"4046-11-14T22:13:20.123456789Z\",\"ExitCode\":0,\"Output\":\"\"}]}",
        };

        (void)state;
        rc_health_state_record(&s, &c, 0, &r);
        o = rc_health_state_json(&s);
        text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
        assert_non_null(strstr(text, "\"Status\":\"unhealthy\",\"FailingStreak\":1,\"Log\":[{\"Start\":"
                                     "\"2023-11-14T22:13:20.123456789Z\",\"End\":\"2023-11-14T22:13:20.123457789Z\","
                                     "\"ExitCode\":1,"));
        assert_int_equal(rc_health_state_from_json(text, strlen(text), &back, &err), 0);
        assert_int_equal(back.status, RC_HEALTH_UNHEALTHY);
        assert_int_equal(back.failing_streak, 1);
        assert_int_equal(back.n_log, 1);
        assert_int_equal(back.log[0].start, s.log[0].start);
        assert_int_equal(back.log[0].end, s.log[0].end);
        assert_string_equal(back.log[0].output, "quote \" and \n newline");
        rc_health_state_free(&back);
        json_object_put(o);
        rc_health_state_free(&s);
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                err = NULL;
                if (rc_health_state_from_json(bad[i], strlen(bad[i]), &back, &err) != -1)
                        fail_msg("case %zu accepted", i);
                assert_non_null(strstr(err->msg, "health state"));
                rc_error_free(err);
        }
}

/* The startup check: passes in a row end it, failures in a row restart the
 * container; its progress survives the state file and a restart resets it. */
static void test_startup(void **state)
{
        struct rc_health_startup c = { .successes = 2, .retries = 2 };
        struct rc_health_state s = { 0 }, back;
        struct rc_health_result r;
        rc_error *err = NULL;
        json_object *o;
        const char *text;

        (void)state;
        rc_health_state_restart(&s);
        r = result(SEC, 0, "up");
        assert_false(rc_health_state_record_startup(&s, &c, &r));
        assert_false(s.startup_passed);
        r = result(2 * SEC, 1, "down");
        assert_false(rc_health_state_record_startup(&s, &c, &r)); /* a failure breaks the run of passes */
        r = result(3 * SEC, 0, "up");
        assert_false(rc_health_state_record_startup(&s, &c, &r));
        assert_false(s.startup_passed);
        r = result(4 * SEC, 0, "up");
        assert_false(rc_health_state_record_startup(&s, &c, &r));
        assert_true(s.startup_passed);
        assert_int_equal(s.status, RC_HEALTH_STARTING); /* healthy is the regular check's to say */
        assert_int_equal(s.n_log, 4);
        /* the progress goes through the state file */
        o = rc_health_state_json(&s);
        text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
        assert_int_equal(rc_health_state_from_json(text, strlen(text), &back, &err), 0);
        assert_true(back.startup_passed);
        assert_int_equal(back.startup_successes, 2);
        rc_health_state_free(&back);
        json_object_put(o);
        /* a restart starts the startup check over; retries failures restart */
        rc_health_state_restart(&s);
        assert_false(s.startup_passed);
        r = result(5 * SEC, 1, "down");
        assert_false(rc_health_state_record_startup(&s, &c, &r));
        r = result(6 * SEC, -1, "timeout");
        assert_true(rc_health_state_record_startup(&s, &c, &r));
        assert_int_equal(s.startup_failures, 0);
        /* retries 0: never */
        c.retries = 0;
        for (int i = 0; i < 10; i++) {
                r = result((7 + i) * SEC, 1, "down");
                assert_false(rc_health_state_record_startup(&s, &c, &r));
        }
        rc_health_state_free(&s);
        /* hostile progress fields */
        {
                static const char *const bad[] = {
                        "{\"Status\":\"starting\",\"FailingStreak\":0,\"StartupPassed\":1,\"StartupSuccesses\":0,"
                        "\"StartupFailures\":0,\"Log\":[]}",
                        "{\"Status\":\"starting\",\"FailingStreak\":0,\"StartupPassed\":true,\"Log\":[]}",
                        "{\"Status\":\"starting\",\"FailingStreak\":0,\"StartupPassed\":true,\"StartupSuccesses\":-1,"
                        "\"StartupFailures\":0,\"Log\":[]}",
                };
                for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                        err = NULL;
                        if (rc_health_state_from_json(bad[i], strlen(bad[i]), &back, &err) != -1)
                                fail_msg("startup case %zu accepted", i);
                        rc_error_free(err);
                }
        }
}

/* The startup check in create.json: defaults filled in, hostile values refused. */
static void test_startup_json(void **state)
{
        struct rc_health_flags f = { 0 };
        cleanup_health_config struct rc_health_config c = { 0 };
        struct rc_health_startup back;
        rc_error *err = NULL;
        json_object *o;
        char *test[] = { "CMD-SHELL", "test -f /up", NULL }, *regular[] = { "CMD", "true", NULL };

        (void)state;
        f.test = regular;
        f.startup = (struct rc_health_startup){ .test = test, .successes = 3 };
        assert_int_equal(rc_health_resolve(&f, NULL, &c, &err), 0);
        assert_int_equal(c.startup.interval, RC_HEALTH_DEFAULT_INTERVAL);
        assert_int_equal(c.startup.timeout, RC_HEALTH_DEFAULT_TIMEOUT);
        assert_int_equal(c.startup.successes, 3);
        o = rc_health_startup_json(&c.startup);
        assert_int_equal(rc_health_startup_from_json(o, "create.json", &back, &err), 0);
        assert_string_equal(back.test[1], "test -f /up");
        assert_int_equal(back.successes, 3);
        assert_int_equal(back.interval, RC_HEALTH_DEFAULT_INTERVAL);
        rc_health_startup_free(&back);
        json_object_put(o);
        o = json_tokener_parse("{\"Test\":[\"CMD\",\"true\"],\"Successes\":5000}");
        assert_int_equal(rc_health_startup_from_json(o, "create.json", &back, &err), -1);
        assert_non_null(strstr(err->msg, "Successes"));
        rc_error_free(err);
        err = NULL;
        json_object_put(o);
        o = json_tokener_parse("{\"Test\":\"true\"}");
        assert_int_equal(rc_health_startup_from_json(o, "create.json", &back, &err), -1);
        rc_error_free(err);
        json_object_put(o);
}

/* health.json in a directory: written by rename, read back with bounds. */
static void test_state_file(void **state)
{
        char dir[] = "/tmp/rc-test-health-XXXXXX";
        struct rc_health_config c = { .retries = 3 };
        struct rc_health_state s = { 0 }, back;
        struct rc_health_result r = result(1700000000 * SEC, 0, "fine");
        enum rc_health_status st;
        rc_error *err = NULL;
        char *path, *big;
        FILE *f;
        int lock;

        (void)state;
        assert_non_null(mkdtemp(dir));
        assert_false(rc_health_status_of(dir, &st));
        assert_int_equal(rc_health_state_read(dir, &back, &err), -1);
        assert_int_equal(rc_error_errno(err), ENOENT);
        rc_error_free(err);
        err = NULL;
        rc_health_state_record(&s, &c, 0, &r);
        lock = rc_health_state_lock(dir, &err);
        assert_true(lock >= 0);
        assert_int_equal(rc_health_state_write(dir, &s, &err), 0);
        close(lock);
        assert_int_equal(rc_health_state_read(dir, &back, &err), 0);
        assert_int_equal(back.status, RC_HEALTH_HEALTHY);
        assert_string_equal(back.log[0].output, "fine");
        rc_health_state_free(&back);
        assert_true(rc_health_status_of(dir, &st));
        assert_int_equal(st, RC_HEALTH_HEALTHY);
        rc_health_state_free(&s);
        /* a file larger than rc writes is refused before it is read */
        path = xasprintf("%s/health.json", dir);
        f = fopen(path, "w");
        assert_non_null(f);
        big = xcalloc(1, 70000);
        memset(big, ' ', 69999);
        fputs(big, f);
        fclose(f);
        assert_int_equal(rc_health_state_read(dir, &back, &err), -1);
        assert_non_null(strstr(err->msg, "at most 64 KiB"));
        rc_error_free(err);
        unlink(path);
        free(path);
        free(big);
        path = xasprintf("%s/health.lock", dir);
        unlink(path);
        free(path);
        assert_int_equal(rmdir(dir), 0);
}

static void test_output_clean(void **state)
{
        static const struct {
                const char *in, *out;
        } cases[] = {
                { "plain text\n", "plain text\n" },
                { "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x99\x82", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x99\x82" },
                { "bad \xff\xfe end", "bad ?? end" },
                { "overlong \xc0\xaf", "overlong ??" },
                { "surrogate \xed\xa0\x80", "surrogate ???" },
                { "cut \xe2\x82", "cut ??" },
                { "above \xf4\x90\x80\x80", "above ????" },
        };

        (void)state;
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char *s = xstrdup(cases[i].in);
                rc_health_output_clean(s);
                if (strcmp(s, cases[i].out) != 0)
                        fail_msg("case %zu: \"%s\"", i, s);
                free(s);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_duration),    cmocka_unit_test(test_flags),
                cmocka_unit_test(test_image_healthcheck), cmocka_unit_test(test_resolve),
                cmocka_unit_test(test_transitions), cmocka_unit_test(test_state_json),
                cmocka_unit_test(test_state_file),  cmocka_unit_test(test_output_clean),
                cmocka_unit_test(test_startup),     cmocka_unit_test(test_startup_json),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
