/* Sizes and ages the way podman prints them. */
#include <stdio.h>
#include <time.h>

#include "rc.h"

void rc_cli_human_size(uint64_t bytes, char *buf, size_t len)
{
        static const char *const units[] = { "B", "kB", "MB", "GB", "TB" };
        double v = (double)bytes;
        size_t u = 0;

        while (v >= 1000 && u < 4) {
                v /= 1000;
                u++;
        }
        if (u == 0)
                snprintf(buf, len, "%llu B", (unsigned long long)bytes);
        else
                snprintf(buf, len, "%.3g %s", v, units[u]);
}

void rc_cli_human_age(int64_t created, char *buf, size_t len)
{
        int64_t d = (int64_t)time(NULL) - created;
        static const struct {
                int64_t secs;
                const char *unit;
        } steps[] = { { 365 * 86400, "year" }, { 30 * 86400, "month" }, { 7 * 86400, "week" },
                      { 86400, "day" },        { 3600, "hour" },        { 60, "minute" } };

        if (d < 60) {
                snprintf(buf, len, d < 2 ? "Now" : "%lld seconds ago", (long long)d);
                return;
        }
        for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
                if (d >= steps[i].secs) {
                        int64_t n = d / steps[i].secs;
                        snprintf(buf, len, "%lld %s%s ago", (long long)n, steps[i].unit, n > 1 ? "s" : "");
                        return;
                }
        }
}

void rc_cli_human_duration(int64_t secs, char *buf, size_t len)
{
        int64_t h = secs / 3600;

        /* the wording podman (through docker's go-units) uses */
        if (secs < 1)
                snprintf(buf, len, "Less than a second");
        else if (secs == 1)
                snprintf(buf, len, "1 second");
        else if (secs < 60)
                snprintf(buf, len, "%lld seconds", (long long)secs);
        else if (secs / 60 == 1)
                snprintf(buf, len, "About a minute");
        else if (secs < 3600)
                snprintf(buf, len, "%lld minutes", (long long)(secs / 60));
        else if (h == 1)
                snprintf(buf, len, "About an hour");
        else if (h < 48)
                snprintf(buf, len, "%lld hours", (long long)h);
        else if (h < 24 * 7 * 2)
                snprintf(buf, len, "%lld days", (long long)(h / 24));
        else if (h < 24 * 30 * 2)
                snprintf(buf, len, "%lld weeks", (long long)(h / 24 / 7));
        else if (h < 24 * 365 * 2)
                snprintf(buf, len, "%lld months", (long long)(h / 24 / 30));
        else
                snprintf(buf, len, "%lld years", (long long)(h / 24 / 365));
}
