#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static enum rc_log_level current_level = RC_LOG_WARN;

void rc_log_set_level(enum rc_log_level level)
{
        current_level = level;
}

enum rc_log_level rc_log_get_level(void)
{
        return current_level;
}

int rc_log_parse_level(const char *name)
{
        static const char *const names[] = { "error", "warn", "info", "debug" };
        for (int i = 0; i < 4; i++)
                if (strcmp(name, names[i]) == 0)
                        return i;
        return -1;
}

void rc_log(enum rc_log_level level, const char *fmt, ...)
{
        static const char *const prefix[] = { "error", "warning", "info", "debug" };
        va_list ap;

        if (level > current_level)
                return;
        fprintf(stderr, "rc: %s: ", prefix[level]);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
}

static long long now_ns(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void rc_timer_start(struct rc_timer *t, const char *what)
{
        t->what = what;
        t->start_ns = t->last_ns = now_ns();
}

void rc_timer_phase(struct rc_timer *t, const char *phase)
{
        long long now;

        if (current_level < RC_LOG_DEBUG)
                return;
        now = now_ns();
        rc_log(RC_LOG_DEBUG, "%s: %s: %.2f ms", t->what, phase, (double)(now - t->last_ns) / 1e6);
        t->last_ns = now;
}

void rc_timer_total(struct rc_timer *t)
{
        if (current_level < RC_LOG_DEBUG)
                return;
        rc_log(RC_LOG_DEBUG, "%s: total: %.2f ms", t->what, (double)(now_ns() - t->start_ns) / 1e6);
}
