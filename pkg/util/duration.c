/* Go durations: parsing and formatting. */
#include "util/duration.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rc_duration_parse(const char *s, int64_t *ns)
{
        static const struct {
                const char *unit;
                double ns;
        } units[] = { { "ns", 1 }, { "us", 1e3 }, { "\xc2\xb5s", 1e3 }, { "ms", 1e6 }, { "s", 1e9 }, { "m", 60e9 },
                      { "h", 3600e9 } };
        double total = 0;

        if (s == NULL || *s == '\0')
                return -1;
        if (strcmp(s, "0") == 0) {
                *ns = 0;
                return 0;
        }
        while (*s) {
                char num[64];
                size_t len = 0, digits = 0, dots = 0, best = 0, which = 0;
                double v;
                /* digits with one '.': strtod alone would take signs,
                 * blanks, "inf", hex and exponents */
                while ((s[len] >= '0' && s[len] <= '9') || s[len] == '.') {
                        dots += s[len] == '.';
                        digits += s[len] != '.';
                        len++;
                }
                if (digits == 0 || dots > 1 || len >= sizeof(num))
                        return -1;
                memcpy(num, s, len);
                num[len] = '\0';
                v = strtod(num, NULL);
                s += len;
                for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
                        size_t l = strlen(units[i].unit);
                        if (strncmp(s, units[i].unit, l) == 0 && l > best) {
                                best = l;
                                which = i;
                        }
                }
                if (best == 0)
                        return -1;
                total += v * units[which].ns;
                s += best;
        }
        /* the double nearest INT64_MAX is 2^63, which does not fit */
        if (!(total < 9223372036854775807.0))
                return -1;
        *ns = (int64_t)total;
        return 0;
}

void rc_duration_format(int64_t ns, char *buf, size_t len)
{
        int64_t h, m, s, frac;
        size_t n = 0;

        if (ns <= 0) {
                snprintf(buf, len, "0s");
                return;
        }
        if (ns < 1000000000) {
                if (ns % 1000000 == 0)
                        snprintf(buf, len, "%" PRId64 "ms", ns / 1000000);
                else if (ns % 1000 == 0)
                        snprintf(buf, len, "%" PRId64 "us", ns / 1000);
                else
                        snprintf(buf, len, "%" PRId64 "ns", ns);
                return;
        }
        h = ns / 3600000000000;
        m = ns / 60000000000 % 60;
        s = ns / 1000000000 % 60;
        frac = ns % 1000000000;
        buf[0] = '\0';
        if (h)
                n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%" PRId64 "h", h);
        if (h || m)
                n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%" PRId64 "m", m);
        if (frac) {
                char f[16];
                int l = snprintf(f, sizeof(f), "%09" PRId64, frac);
                while (l > 0 && f[l - 1] == '0')
                        f[--l] = '\0';
                snprintf(buf + n, n < len ? len - n : 0, "%" PRId64 ".%ss", s, f);
        } else {
                snprintf(buf + n, n < len ? len - n : 0, "%" PRId64 "s", s);
        }
}
