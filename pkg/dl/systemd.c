/* The symbol table of libsystemd. */
#define RC_DL_NO_REDIRECT
#include "dl/systemd.h"

#include "dl/internal.h"
#include "components.h"

RC_DL_SYSTEMD_SYMBOLS(RC_DL_DEFINE)

static const struct rc_dl_symbol symbols[] = { RC_DL_SYSTEMD_SYMBOLS(RC_DL_ENTRY) };

const struct rc_dl_library rc_dl_systemd_library = {
        .name = RC_COMPONENT_LIBSYSTEMD_NAME,
        .soname = RC_COMPONENT_LIBSYSTEMD_FILE,
        .package = RC_COMPONENT_LIBSYSTEMD_PACKAGE,
        .min_version = RC_COMPONENT_LIBSYSTEMD_MIN,
        .symbols = symbols,
        .n_symbols = RC_DL_N_SYMBOLS(symbols),
};
