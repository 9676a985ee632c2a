/* The symbol table of libslirp. */
#define RC_DL_NO_REDIRECT
#include "dl/slirp.h"

#include "dl/internal.h"
#include "components.h"

RC_DL_SLIRP_SYMBOLS(RC_DL_DEFINE)

static const struct rc_dl_symbol symbols[] = { RC_DL_SLIRP_SYMBOLS(RC_DL_ENTRY) };

const struct rc_dl_library rc_dl_slirp_library = {
        .name = RC_COMPONENT_LIBSLIRP_NAME,
        .soname = RC_COMPONENT_LIBSLIRP_FILE,
        .package = RC_COMPONENT_LIBSLIRP_PACKAGE,
        .min_version = RC_COMPONENT_LIBSLIRP_MIN,
        .symbols = symbols,
        .n_symbols = RC_DL_N_SYMBOLS(symbols),
};
