/* Leveled logging to stderr.  The level is process-wide: set once by the CLI
 * from --log-level.  Library code logs at debug/info; it warns only about a
 * problem it worked around that the user must act on (a store leftover it
 * could not remove, a slow fallback).  Errors travel as rc_error values and
 * are printed by cmd/. */
#ifndef RC_UTIL_LOG_H
#define RC_UTIL_LOG_H

enum rc_log_level { RC_LOG_ERROR = 0, RC_LOG_WARN, RC_LOG_INFO, RC_LOG_DEBUG };

void rc_log_set_level(enum rc_log_level level);
enum rc_log_level rc_log_get_level(void);
/* Parses "error|warn|info|debug"; returns -1 if unknown. */
int rc_log_parse_level(const char *name);
void rc_log(enum rc_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Where the time goes: rc_timer_start, then rc_timer_phase after each phase
 * logs "WHAT: PHASE: N.NN ms" at debug level (the time since the previous
 * mark), and rc_timer_total "WHAT: total: N.NN ms".  Costs two clock reads
 * per phase when debug logging is off. */
struct rc_timer {
        const char *what;
        long long start_ns, last_ns;
};
void rc_timer_start(struct rc_timer *t, const char *what);
void rc_timer_phase(struct rc_timer *t, const char *phase);
void rc_timer_total(struct rc_timer *t);

#define rc_debug(...) rc_log(RC_LOG_DEBUG, __VA_ARGS__)
#define rc_info(...) rc_log(RC_LOG_INFO, __VA_ARGS__)
#define rc_warn(...) rc_log(RC_LOG_WARN, __VA_ARGS__)

#endif
