#include "util/tty.h"

#include <unistd.h>

void rc_tty_raw_enter(struct rc_raw_tty *r, int fd)
{
        struct termios t;

        r->fd = -1;
        if (fd < 0 || !isatty(fd) || tcgetattr(fd, &r->saved) < 0)
                return;
        t = r->saved;
        cfmakeraw(&t); /* output too: the container's terminal already turned \n into \r\n */
        if (tcsetattr(fd, TCSADRAIN, &t) == 0)
                r->fd = fd;
}

void rc_tty_raw_leave(struct rc_raw_tty *r)
{
        if (r->fd >= 0)
                tcsetattr(r->fd, TCSADRAIN, &r->saved);
        r->fd = -1;
}
