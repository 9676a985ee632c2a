/* File descriptor hygiene for processes rc forks or clones. */
#ifndef RC_UTIL_FD_H
#define RC_UTIL_FD_H

#include <stddef.h>

/* Close every fd from 3 up except the n in keep (each above 2, any order).
 * Safe after fork or clone (no allocation).  -1 with errno on failure
 * (close_range needs Linux 5.9). */
int rc_close_fds_except(const int *keep, size_t n);

#endif
