/* Sizes, durations and times as podman prints them (its go-units and Go
 * time formatting). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "format/format.h"

void rc_format_size(uint64_t bytes, char *buf, size_t len)
{
        static const char *const units[] = { "B", "kB", "MB", "GB", "TB", "PB", "EB" };
        double v = (double)bytes;
        size_t u = 0;

        while (v >= 1000 && u + 1 < sizeof(units) / sizeof(units[0])) {
                v /= 1000;
                u++;
        }
        /* three significant digits, then a space before the unit */
        snprintf(buf, len, "%.3g %s", v, units[u]);
}

void rc_format_duration(int64_t seconds, char *buf, size_t len)
{
        int64_t minutes = seconds / 60;
        int64_t hours = (seconds + 1800) / 3600; /* go-units rounds hours to the nearest */

        if (seconds < 1)
                snprintf(buf, len, "Less than a second");
        else if (seconds == 1)
                snprintf(buf, len, "1 second");
        else if (seconds < 60)
                snprintf(buf, len, "%lld seconds", (long long)seconds);
        else if (minutes == 1)
                snprintf(buf, len, "About a minute");
        else if (minutes < 60)
                snprintf(buf, len, "%lld minutes", (long long)minutes);
        else if (hours == 1)
                snprintf(buf, len, "About an hour");
        else if (hours < 48)
                snprintf(buf, len, "%lld hours", (long long)hours);
        else if (hours < 24 * 7 * 2)
                snprintf(buf, len, "%lld days", (long long)(hours / 24));
        else if (hours < 24 * 30 * 2)
                snprintf(buf, len, "%lld weeks", (long long)(hours / 24 / 7));
        else if (hours < 24 * 365 * 2)
                snprintf(buf, len, "%lld months", (long long)(hours / 24 / 30));
        else
                snprintf(buf, len, "%lld years", (long long)(seconds / 3600 / 24 / 365));
}

void rc_format_since(int64_t t, int64_t now, char *buf, size_t len)
{
        char d[48];

        rc_format_duration(now - t, d, sizeof(d));
        snprintf(buf, len, "%s ago", d);
}

void rc_format_go_time(int64_t t, char *buf, size_t len)
{
        time_t tt = (time_t)t;
        struct tm tm;

        if (gmtime_r(&tt, &tm) == NULL || strftime(buf, len, "%Y-%m-%d %H:%M:%S +0000 UTC", &tm) == 0)
                snprintf(buf, len, "%lld", (long long)t);
}

void rc_format_rfc3339(int64_t t, char *buf, size_t len)
{
        time_t tt = (time_t)t;
        struct tm tm;

        if (gmtime_r(&tt, &tm) == NULL || strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
                snprintf(buf, len, "%lld", (long long)t);
}

int64_t rc_format_parse_rfc3339(const char *s)
{
        struct tm tm = { 0 };
        const char *p;
        int64_t t;

        if (s == NULL || (p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
                return -1;
        if (*p == '.')
                for (p++; *p >= '0' && *p <= '9'; p++)
                        ;
        t = (int64_t)timegm(&tm);
        if (*p == 'Z' || *p == 'z')
                return p[1] == '\0' ? t : -1;
        if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
                int h = atoi(p + 1), m = atoi(p + 4);
                int64_t off = (int64_t)(h * 3600 + m * 60);
                return *p == '+' ? t - off : t + off;
        }
        return -1;
}
