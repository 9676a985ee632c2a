/* The symbol table of libcrypto. */
#define RC_DL_NO_REDIRECT
#include "dl/crypto.h"

#include "dl/internal.h"
#include "components.h"

RC_DL_CRYPTO_SYMBOLS(RC_DL_DEFINE)

static const struct rc_dl_symbol symbols[] = { RC_DL_CRYPTO_SYMBOLS(RC_DL_ENTRY) };

const struct rc_dl_library rc_dl_crypto_library = {
        .name = RC_COMPONENT_LIBCRYPTO_NAME,
        .soname = RC_COMPONENT_LIBCRYPTO_FILE,
        .package = RC_COMPONENT_LIBCRYPTO_PACKAGE,
        .min_version = RC_COMPONENT_LIBCRYPTO_MIN,
        .symbols = symbols,
        .n_symbols = RC_DL_N_SYMBOLS(symbols),
};
