/* libcurl's symbol table and the wrappers of its variadic functions. */
#define RC_DL_NO_REDIRECT
#include "dl/curl.h"

#include <stdarg.h>

#include "dl/internal.h"
#include "components.h"

RC_DL_CURL_SYMBOLS(RC_DL_DEFINE)

static const struct rc_dl_symbol symbols[] = { RC_DL_CURL_SYMBOLS(RC_DL_ENTRY) };

const struct rc_dl_library rc_dl_curl_library = {
        .name = RC_COMPONENT_LIBCURL_NAME,
        .soname = RC_COMPONENT_LIBCURL_FILE,
        .package = RC_COMPONENT_LIBCURL_PACKAGE,
        .min_version = RC_COMPONENT_LIBCURL_MIN,
        .symbols = symbols,
        .n_symbols = RC_DL_N_SYMBOLS(symbols),
};

/* The argument's type follows from the option number's range (curl.h's
 * CURLOPTTYPE_* bases, shared by the multi options). */
#define PASS_ON(fn, handle, option, ap)                                                  \
        ((option) < CURLOPTTYPE_OBJECTPOINT     ? fn(handle, option, va_arg(ap, long)) :  \
         (option) < CURLOPTTYPE_FUNCTIONPOINT   ? fn(handle, option, va_arg(ap, void *)) : \
         (option) < CURLOPTTYPE_OFF_T           ? fn(handle, option, va_arg(ap, void (*)(void))) : \
         (option) < CURLOPTTYPE_BLOB            ? fn(handle, option, va_arg(ap, curl_off_t)) : \
                                                  fn(handle, option, va_arg(ap, void *)))

CURLcode rc_dl_curl_easy_setopt(CURL *curl, CURLoption option, ...)
{
        va_list ap;
        CURLcode r;

        va_start(ap, option);
        r = PASS_ON(sym_curl_easy_setopt, curl, option, ap);
        va_end(ap);
        return r;
}

CURLMcode rc_dl_curl_multi_setopt(CURLM *multi, CURLMoption option, ...)
{
        va_list ap;
        CURLMcode r;

        va_start(ap, option);
        r = PASS_ON(sym_curl_multi_setopt, multi, option, ap);
        va_end(ap);
        return r;
}

/* Every CURLINFO takes a pointer to where the answer goes. */
CURLcode rc_dl_curl_easy_getinfo(CURL *curl, CURLINFO info, ...)
{
        va_list ap;
        CURLcode r;

        va_start(ap, info);
        r = sym_curl_easy_getinfo(curl, info, va_arg(ap, void *));
        va_end(ap);
        return r;
}

/* CURLSHOPT_SHARE/UNSHARE take an int (curl_lock_data), the rest a pointer. */
CURLSHcode rc_dl_curl_share_setopt(CURLSH *share, CURLSHoption option, ...)
{
        va_list ap;
        CURLSHcode r;

        va_start(ap, option);
        if (option == CURLSHOPT_SHARE || option == CURLSHOPT_UNSHARE)
                r = sym_curl_share_setopt(share, option, va_arg(ap, int));
        else
                r = sym_curl_share_setopt(share, option, va_arg(ap, void *));
        va_end(ap);
        return r;
}
