/* Durations in Go's notation ("30s", "1m30s", "1.5h", "500ms"), as
 * docker's and podman's flags and Dockerfile HEALTHCHECK options take them. */
#ifndef RC_UTIL_DURATION_H
#define RC_UTIL_DURATION_H

#include <stddef.h>
#include <stdint.h>

/* Parse s into nanoseconds: one or more NUMBER UNIT pairs (units ns, us,
 * µs, ms, s, m, h; a number may have a fraction), or a bare "0".  -1 (and
 * *ns untouched) for anything else: empty, negative, no unit, or more than
 * INT64_MAX nanoseconds. */
int rc_duration_parse(const char *s, int64_t *ns);

/* The shortest Go form of ns ("1m30s", "500ms", "0s") into buf. */
void rc_duration_format(int64_t ns, char *buf, size_t len);

#endif
