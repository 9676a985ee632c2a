/* File descriptor hygiene for processes rc forks or clones. */
#ifndef RC_UTIL_FD_H
#define RC_UTIL_FD_H

#include <stddef.h>

/* Close every fd from 3 up except the n in keep (each above 2, any order).
 * Safe after fork or clone (no allocation).  -1 with errno on failure
 * (close_range needs Linux 5.9). */
int rc_close_fds_except(const int *keep, size_t n);

/* One answer over a unix socket from a helper process to rc: errnum, and
 * when it is 0, the fd that goes with it (SCM_RIGHTS).  0, or -1 with
 * errno. */
int rc_fd_send(int sock, int errnum, int fd);
/* The answer: the fd (close-on-exec), or -1 with errno the sender's errnum
 * (EPROTO for a malformed answer, the socket's error if it failed). */
int rc_fd_recv(int sock);

#endif
