#include "util/interrupt.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

static volatile sig_atomic_t caught;
static int wake_fd = -1;

static void on_signal(int sig)
{
        uint64_t one = 1;
        int saved = errno;

        if (caught == 0)
                caught = sig;
        if (wake_fd >= 0 && write(wake_fd, &one, sizeof(one)) < 0) {
                /* the counter cannot overflow with these few writes */
        }
        errno = saved;
}

void rc_interrupt_catch(void)
{
        static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
        struct sigaction sa;

        if (wake_fd < 0)
                wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        /* no SA_RESTART: a blocking read returns EINTR and sees the flag */
        for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
                struct sigaction old;
                /* nohup: a SIGHUP ignored on purpose stays ignored */
                if (sigs[i] == SIGHUP && sigaction(SIGHUP, NULL, &old) == 0 && old.sa_handler == SIG_IGN)
                        continue;
                sigaction(sigs[i], &sa, NULL);
        }
}

int rc_interrupted(void)
{
        return caught;
}

int rc_interrupt_fd(void)
{
        return wake_fd;
}

int rc_interrupt_check(rc_error **err)
{
        int sig = caught;

        if (sig == 0)
                return 0;
        return rc_error_set(err, ECANCELED, "interrupted by SIG%s", sigabbrev_np(sig) ? sigabbrev_np(sig) : "?");
}

void rc_interrupt_reraise(void)
{
        int sig = caught;
        sigset_t set;

        if (sig == 0)
                return;
        signal(sig, SIG_DFL);
        sigemptyset(&set);
        sigaddset(&set, sig);
        sigprocmask(SIG_UNBLOCK, &set, NULL);
        raise(sig);
}
