/* Signal names as users type them: "SIGTERM", "TERM", "term", "15". */
#ifndef RC_UTIL_SIGNAL_H
#define RC_UTIL_SIGNAL_H

/* The signal's number (1..64; real-time as RTMIN+N), or -1. */
int rc_signal_parse(const char *s);
/* "SIGTERM"; "SIGRTMIN+3"; NULL for an unknown number. */
const char *rc_signal_name(int sig);

#endif
