#include "util/fd.h"

#include <errno.h>
#include <stdbool.h>
#include <sys/syscall.h>
#include <unistd.h>

int rc_close_fds_except(const int *keep, size_t n)
{
        unsigned from = 3;

        /* walk the kept fds in ascending order without sorting (n is tiny) */
        for (;;) {
                unsigned next = ~0U;
                bool found = false;

                for (size_t i = 0; i < n; i++) {
                        if (keep[i] < 3) {
                                errno = EINVAL;
                                return -1;
                        }
                        if ((unsigned)keep[i] >= from && (unsigned)keep[i] < next) {
                                next = (unsigned)keep[i];
                                found = true;
                        }
                }
                if (!found)
                        return syscall(SYS_close_range, from, ~0U, 0U) < 0 ? -1 : 0;
                if (next > from && syscall(SYS_close_range, from, next - 1, 0U) < 0)
                        return -1;
                from = next + 1;
        }
}
