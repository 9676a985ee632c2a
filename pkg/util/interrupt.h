/* Interrupting long store writes (import, load, pull) cleanly.
 *
 * rc_interrupt_catch() (called by cmd/ before such a command) installs
 * handlers for SIGINT, SIGTERM and SIGHUP (unless SIGHUP is ignored, as
 * under nohup) that only record the signal and
 * write to an eventfd; both are async-signal-safe, nothing else runs in
 * the handler.  Long loops in pkg/ check rc_interrupted() (and poll
 * rc_interrupt_fd() where they block) and fail with ECANCELED, so the
 * normal error paths remove their staging; cmd/ prints the error and calls
 * rc_interrupt_reraise(), so the process still ends killed by the signal,
 * as the shell expects.  This state is process-wide because signal
 * dispositions are. */
#ifndef RC_UTIL_INTERRUPT_H
#define RC_UTIL_INTERRUPT_H

#include "util/error.h"

void rc_interrupt_catch(void);
/* The signal caught so far, or 0. */
int rc_interrupted(void);
/* Readable once a signal was caught; -1 when not catching. */
int rc_interrupt_fd(void);
/* If rc_interrupted(): set *err (ECANCELED, "interrupted by SIGINT") and
 * return -1; else 0. */
int rc_interrupt_check(rc_error **err);
/* If a signal was caught: restore its default action and raise it (does
 * not return).  Otherwise nothing. */
void rc_interrupt_reraise(void);

#endif
