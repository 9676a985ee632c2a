/* Raw mode on the user's terminal while rc relays a container's. */
#ifndef RC_UTIL_TTY_H
#define RC_UTIL_TTY_H

#include <termios.h>

struct rc_raw_tty {
        int fd; /* -1: nothing to restore */
        struct termios saved;
};

/* Raw mode on fd if it is a terminal (else r->fd = -1). */
void rc_tty_raw_enter(struct rc_raw_tty *r, int fd);
/* Restore what rc_tty_raw_enter changed; safe to call twice. */
void rc_tty_raw_leave(struct rc_raw_tty *r);

#endif
