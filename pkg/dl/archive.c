/* The symbol table of libarchive and the wrapper of archive_set_error. */
#define RC_DL_NO_REDIRECT
#include "dl/archive.h"

#include <stdarg.h>
#include <stdio.h>

#include "dl/internal.h"
#include "components.h"

RC_DL_ARCHIVE_SYMBOLS(RC_DL_DEFINE)

static const struct rc_dl_symbol symbols[] = { RC_DL_ARCHIVE_SYMBOLS(RC_DL_ENTRY) };

const struct rc_dl_library rc_dl_archive_library = {
        .name = RC_COMPONENT_LIBARCHIVE_NAME,
        .soname = RC_COMPONENT_LIBARCHIVE_FILE,
        .package = RC_COMPONENT_LIBARCHIVE_PACKAGE,
        .min_version = RC_COMPONENT_LIBARCHIVE_MIN,
        .symbols = symbols,
        .n_symbols = RC_DL_N_SYMBOLS(symbols),
};

void rc_dl_archive_set_error(struct archive *a, int errnum, const char *fmt, ...)
{
        char msg[1024];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        sym_archive_set_error(a, errnum, "%s", msg);
}
