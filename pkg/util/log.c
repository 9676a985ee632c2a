#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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
