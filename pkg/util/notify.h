/* The service manager's readiness protocol (sd_notify), by hand: one
 * datagram to $NOTIFY_SOCKET, so that rc run need not load libsystemd. */
#ifndef RC_UTIL_NOTIFY_H
#define RC_UTIL_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>

/* Send `state` ("READY=1\nMAINPID=42") to $NOTIFY_SOCKET (a path, or an
 * abstract name starting with '@').  1: sent; 0: no NOTIFY_SOCKET (not
 * started by a service manager that listens); -1: errno set. */
int rc_notify(const char *state);
/* The same, failing with EAGAIN rather than waiting when the manager's
 * queue is full (for what a container says, which it may say often). */
int rc_notify_nowait(const char *state);

/* A notification from a container (--sdnotify=container), made fit to pass
 * on to the service manager: only the lines that speak of the service's
 * state are kept (READY=1, STATUS=, STOPPING=1, RELOADING=1,
 * MONOTONIC_USEC=, ERRNO=, BUSERROR=, WATCHDOG=1, WATCHDOG=trigger,
 * WATCHDOG_USEC=, EXTEND_TIMEOUT_USEC=), each at most as it came and
 * without control characters; never MAINPID (a pid of another pid
 * namespace), file descriptor store requests, NOTIFYACCESS or barriers.
 * Writes the kept lines, newline-separated, NUL-terminated, to out (cap
 * bytes, truncating whole lines only); returns how many were kept, and sets
 * *ready when READY=1 was among them. */
size_t rc_notify_filter(const char *msg, size_t len, char *out, size_t cap, bool *ready);

#endif
