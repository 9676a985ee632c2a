/* Health checks: what a container's check runs and how often (config.c),
 * and the state its results make (state.c), by podman's rules.  No
 * process is run here: pkg/container runs the check and its monitor the
 * timer; this module holds the parsers, the state machine and the state
 * file, so they can be tested alone. */
#ifndef RC_HEALTH_HEALTH_H
#define RC_HEALTH_HEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

struct json_object;

#define RC_HEALTH_NS_PER_SEC 1000000000LL
#define RC_HEALTH_DEFAULT_INTERVAL (30 * RC_HEALTH_NS_PER_SEC)
#define RC_HEALTH_DEFAULT_TIMEOUT (30 * RC_HEALTH_NS_PER_SEC)
#define RC_HEALTH_DEFAULT_RETRIES 3
/* Bounds for values from images and files: a day between checks, a
 * thousand retries.  Above them a value is a mistake or an attack. */
#define RC_HEALTH_MAX_DURATION (24 * 3600 * RC_HEALTH_NS_PER_SEC)
#define RC_HEALTH_MAX_RETRIES 1000
#define RC_HEALTH_MIN_DURATION 1000000LL /* 1ms, as docker: a shorter one is a typo */
#define RC_HEALTH_LOG_MAX 5          /* results kept (podman's and docker's) */
#define RC_HEALTH_OUTPUT_MAX 4096    /* bytes of a check's output kept (docker's) */

/* --health-on-failure: what the monitor does once the container is unhealthy. */
enum rc_health_action { RC_HEALTH_ACTION_NONE, RC_HEALTH_ACTION_KILL, RC_HEALTH_ACTION_RESTART,
                        RC_HEALTH_ACTION_STOP };

/* A startup check (--health-startup-*, podman's): it runs instead of the
 * regular check until it has passed `successes` times in a row (0 counts
 * as 1); then the regular check begins.  `retries` failures in a row (0:
 * never) restart the container, which starts with its startup check again. */
struct rc_health_startup {
        char **test;          /* as rc_health_config's; NULL: none */
        int64_t interval;     /* default 30s */
        int64_t timeout;      /* default 30s */
        int retries;
        int successes;
};

/* A check as it runs: always complete (defaults filled in). */
struct rc_health_config {
        char **test;          /* {"CMD-SHELL", command} or {"CMD", program, args...}; NULL: no check */
        int64_t interval;     /* ns between checks; 0: no timer (only rc healthcheck run) */
        int64_t timeout;      /* ns a check may take before it is killed and counts as failed */
        int64_t start_period; /* ns after the start in which failures do not count */
        int retries;          /* consecutive failures that make it unhealthy (0 counts as 1) */
        enum rc_health_action on_failure;
        struct rc_health_startup startup;
};

/* What rc run/create's flags asked for; anything unset (zero) comes from
 * the image's Healthcheck, else from the defaults. */
struct rc_health_flags {
        char **test;          /* --health-cmd, parsed; NULL: unset */
        bool disable;         /* --no-healthcheck, --health-cmd none: no check, whatever the image says */
        int64_t interval;     /* 0: unset */
        bool no_timer;        /* --health-interval disable */
        int64_t timeout;      /* 0: unset */
        int64_t start_period; /* with start_period_set */
        bool start_period_set;
        int retries;          /* with retries_set */
        bool retries_set;
        enum rc_health_action on_failure;
        struct rc_health_startup startup; /* --health-startup-*: test NULL: none; zeros: defaults */
};

/* --health-cmd: "none" (no check: {"NONE"}), a JSON array (["CMD", ...],
 * ["CMD-SHELL", "..."], ["NONE"], or a plain array, taken as CMD), or a
 * shell command ({"CMD-SHELL", s}).  *test NULL-terminated; EINVAL with a
 * message for an empty command or a malformed array. */
int rc_health_cmd_parse(const char *s, char ***test, rc_error **err);
/* --health-interval/--health-timeout/--health-start-period: a Go duration
 * of at least 1ms (or 0s where zero means something: start period), and
 * for the interval "disable" (0: no timer).  flag names the option in
 * errors. */
int rc_health_duration_parse(const char *flag, const char *s, bool allow_zero, int64_t *ns, rc_error **err);
/* --health-retries (and the startup check's counts, flag naming which): 0..RC_HEALTH_MAX_RETRIES. */
int rc_health_retries_parse(const char *flag, const char *s, int *out, rc_error **err);
/* --health-on-failure none|kill|restart|stop. */
int rc_health_action_parse(const char *s, enum rc_health_action *out, rc_error **err);
const char *rc_health_action_name(enum rc_health_action a);

/* A Healthcheck object as images (docker's and OCI configs) and rc's
 * create.json hold it: Test (strings), Interval, Timeout, StartPeriod
 * (integer ns) and Retries, all optional but Test.  Hostile input: every
 * type and bound is checked, an error names the field (doc names the
 * document).  Absent fields are 0 in *out ("unset" for the image's);
 * Test ["NONE"] or an empty Test leaves out->test NULL. */
int rc_health_config_from_json(struct json_object *o, const char *doc, struct rc_health_config *out, rc_error **err);
/* The check for a container: flags over the image's Healthcheck (its
 * compact JSON, may be NULL) over the defaults.  out->test NULL: none. */
int rc_health_resolve(const struct rc_health_flags *f, const char *image_json, struct rc_health_config *out,
                      rc_error **err);
/* podman's Config.Healthcheck: {Test, StartPeriod, Interval, Timeout, Retries}
 * ({"Test":["NONE"]} when c has no check). */
struct json_object *rc_health_config_json(const struct rc_health_config *c);
/* podman's Config.StartupHealthCheck: {Test, Interval, Timeout, Retries,
 * Successes}; and back, as hostile input (rc's create.json), with defaults
 * filled in; an object without Test leaves out->test NULL. */
struct json_object *rc_health_startup_json(const struct rc_health_startup *s);
int rc_health_startup_from_json(struct json_object *o, const char *doc, struct rc_health_startup *out, rc_error **err);
void rc_health_startup_free(struct rc_health_startup *s);
void rc_health_config_free(struct rc_health_config *c);
#define cleanup_health_config __attribute__((cleanup(rc_health_config_free)))
/* The argv a check runs: CMD's arguments, or /bin/sh -c for CMD-SHELL.
 * NULL when c has no check. */
char **rc_health_argv(const struct rc_health_config *c);

/* ---- state (state.c) ---- */

enum rc_health_status { RC_HEALTH_STARTING, RC_HEALTH_HEALTHY, RC_HEALTH_UNHEALTHY };
const char *rc_health_status_name(enum rc_health_status s);

struct rc_health_result {
        int64_t start, end;   /* unix ns */
        int exit_code;        /* the check's status; -1: it timed out or could not run */
        char *output;         /* stdout and stderr, at most RC_HEALTH_OUTPUT_MAX bytes (owned) */
};

struct rc_health_state {
        enum rc_health_status status;
        int failing_streak;
        /* the startup check's progress (kept only when there is one) */
        bool startup_passed;
        int startup_successes, startup_failures;
        struct rc_health_result log[RC_HEALTH_LOG_MAX]; /* oldest first */
        size_t n_log;
};

/* Make a check's output fit for JSON in place: it ends at a NUL, and
 * bytes that are not UTF-8 become '?' (Go writes U+FFFD there). */
void rc_health_output_clean(char *s);
/* A new result (its output is taken over): exit 0 makes it healthy and
 * resets the streak; a failure within the start period (started_at:
 * the container's start, unix ns) changes nothing but the log; any other
 * failure adds to the streak, and `retries` of them make it unhealthy. */
void rc_health_state_record(struct rc_health_state *s, const struct rc_health_config *c, int64_t started_at,
                            struct rc_health_result *r);
/* A startup check's result (its output is taken over, into the same log):
 * passes in a row up to `successes` end the startup; returns true when
 * `retries` failures in a row ask for the container to be restarted. */
bool rc_health_state_record_startup(struct rc_health_state *s, const struct rc_health_startup *c,
                                    struct rc_health_result *r);
/* The container (re)starts: starting again, no streak, its startup check
 * again; the log stays. */
void rc_health_state_restart(struct rc_health_state *s);
void rc_health_state_free(struct rc_health_state *s);
/* podman's State.Health: {Status, FailingStreak, Log: [{Start, End, ExitCode, Output}]}. */
struct json_object *rc_health_state_json(const struct rc_health_state *s);
/* The same JSON read back (bounded, every field checked); EINVAL if it is
 * not what rc writes. */
int rc_health_state_from_json(const char *text, size_t len, struct rc_health_state *s, rc_error **err);

/* The state file, DIR/health.json.  read: ENOENT when there is none (the
 * container has no check); write: replaced atomically (a temporary file
 * renamed over it), so readers never see half of it.  lock: an exclusive
 * lock (a file beside it) held by a read-modify-write until the fd is
 * closed, so that a check run by hand and one run by the timer do not
 * lose each other's result. */
int rc_health_state_read(const char *dir, struct rc_health_state *s, rc_error **err);
int rc_health_state_write(const char *dir, const struct rc_health_state *s, rc_error **err);
int rc_health_state_lock(const char *dir, rc_error **err);
/* The status of DIR's check, for rc ps: false when it has none. */
bool rc_health_status_of(const char *dir, enum rc_health_status *out);

#endif
