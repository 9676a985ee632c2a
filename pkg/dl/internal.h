/* Internal to pkg/dl: each library's symbol table. */
#ifndef RC_DL_INTERNAL_H
#define RC_DL_INTERNAL_H

#include "dl/dl.h"

extern const struct rc_dl_library rc_dl_crypto_library;
extern const struct rc_dl_library rc_dl_archive_library;
extern const struct rc_dl_library rc_dl_systemd_library;
extern const struct rc_dl_library rc_dl_curl_library;
extern const struct rc_dl_library rc_dl_slirp_library;

#define RC_DL_N_SYMBOLS(list) (sizeof(list) / sizeof((list)[0]))

#endif
