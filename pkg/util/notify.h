/* The service manager's readiness protocol (sd_notify), by hand: one
 * datagram to $NOTIFY_SOCKET, so that rc run need not load libsystemd. */
#ifndef RC_UTIL_NOTIFY_H
#define RC_UTIL_NOTIFY_H

/* Send `state` ("READY=1\nMAINPID=42") to $NOTIFY_SOCKET (a path, or an
 * abstract name starting with '@').  1: sent; 0: no NOTIFY_SOCKET (not
 * started by a service manager that listens); -1: errno set. */
int rc_notify(const char *state);

#endif
