/* libslirp, loaded on first use (see dl/dl.h): it brings GLib, which no
 * command but those starting a container with the user-mode network needs.
 * Include after <libslirp.h>; call rc_dl_slirp() before the first call. */
#ifndef RC_DL_SLIRP_H
#define RC_DL_SLIRP_H

#include <libslirp.h>

#include "dl/dl.h"

#define RC_DL_SLIRP_SYMBOLS(X) \
        X(slirp_new) \
        X(slirp_cleanup) \
        X(slirp_pollfds_fill) \
        X(slirp_pollfds_poll) \
        X(slirp_input) \
        X(slirp_handle_timer) \
        X(slirp_add_hostfwd) \
        X(slirp_version_string)

RC_DL_SLIRP_SYMBOLS(RC_DL_DECLARE)

#ifndef RC_DL_NO_REDIRECT
#define slirp_new sym_slirp_new
#define slirp_cleanup sym_slirp_cleanup
#define slirp_pollfds_fill sym_slirp_pollfds_fill
#define slirp_pollfds_poll sym_slirp_pollfds_poll
#define slirp_input sym_slirp_input
#define slirp_handle_timer sym_slirp_handle_timer
#define slirp_add_hostfwd sym_slirp_add_hostfwd
#define slirp_version_string sym_slirp_version_string
#endif

#endif
