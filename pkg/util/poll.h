/* An extra set of fds for an event loop that another module owns: the
 * container's monitor (or the foreground rc run) polls its own fds plus
 * those of each source (the user-mode network, published ports...). */
#ifndef RC_UTIL_POLL_H
#define RC_UTIL_POLL_H

#include <poll.h>
#include <stddef.h>

struct rc_poll_source {
        void *ctx;
        /* Put at most cap fds into fds[] and return how many; may lower
         * *timeout_ms (-1: no timeout) for the source's own timers. */
        size_t (*fill)(void *ctx, struct pollfd *fds, size_t cap, int *timeout_ms);
        /* After poll: the same fds[] (n of them) with revents set.  Also
         * called when poll timed out, so timers can run. */
        void (*dispatch)(void *ctx, struct pollfd *fds, size_t n);
};

#endif
