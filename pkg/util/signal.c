#include "util/signal.h"

#include <ctype.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
        const char *name;
        int sig;
} signals[] = {
        { "HUP", SIGHUP },   { "INT", SIGINT },       { "QUIT", SIGQUIT },   { "ILL", SIGILL },     { "TRAP", SIGTRAP },
        { "ABRT", SIGABRT }, { "IOT", SIGIOT },       { "BUS", SIGBUS },     { "FPE", SIGFPE },     { "KILL", SIGKILL },
        { "USR1", SIGUSR1 }, { "SEGV", SIGSEGV },     { "USR2", SIGUSR2 },   { "PIPE", SIGPIPE },   { "ALRM", SIGALRM },
        { "TERM", SIGTERM }, { "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD },   { "CONT", SIGCONT },   { "STOP", SIGSTOP },
        { "TSTP", SIGTSTP }, { "TTIN", SIGTTIN },     { "TTOU", SIGTTOU },   { "URG", SIGURG },     { "XCPU", SIGXCPU },
        { "XFSZ", SIGXFSZ }, { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF },   { "WINCH", SIGWINCH }, { "IO", SIGIO },
        { "POLL", SIGPOLL }, { "PWR", SIGPWR },       { "SYS", SIGSYS },
};

static int parse_number(const char *s)
{
        char *end;
        long v;

        if (!isdigit((unsigned char)*s))
                return -1;
        v = strtol(s, &end, 10);
        return *end == '\0' && v >= 1 && v <= 64 ? (int)v : -1;
}

int rc_signal_parse(const char *s)
{
        if (s == NULL || *s == '\0')
                return -1;
        if (isdigit((unsigned char)*s))
                return parse_number(s);
        if (strncasecmp(s, "SIG", 3) == 0)
                s += 3;
        for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
                if (strcasecmp(s, signals[i].name) == 0)
                        return signals[i].sig;
        if (strncasecmp(s, "RTMIN", 5) == 0) {
                int n = s[5] == '\0' ? 0 : s[5] == '+' ? parse_number(s + 6) : -1;
                return n >= 0 && SIGRTMIN + n <= SIGRTMAX ? SIGRTMIN + n : -1;
        }
        if (strncasecmp(s, "RTMAX", 5) == 0) {
                int n = s[5] == '\0' ? 0 : s[5] == '-' ? parse_number(s + 6) : -1;
                return n >= 0 && SIGRTMAX - n >= SIGRTMIN ? SIGRTMAX - n : -1;
        }
        return -1;
}

const char *rc_signal_name(int sig)
{
        static __thread char buf[16];

        for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++) {
                if (signals[i].sig == sig) {
                        buf[0] = '\0';
                        strcpy(buf, "SIG");
                        strcat(buf, signals[i].name);
                        return buf;
                }
        }
        return NULL;
}
