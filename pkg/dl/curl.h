/* libcurl, loaded on first use (see dl/dl.h).  Include after <curl/curl.h>:
 * every curl_* name used by rc then calls through a pointer that
 * rc_dl_curl() fills.  Call rc_dl_curl() before the first call.
 *
 * The four variadic setters and getters go through small functions of
 * pkg/dl that pass the argument on with the type libcurl reads for that
 * option (long, pointer, function pointer or curl_off_t, from the option's
 * number range, as curl.h defines it). */
#ifndef RC_DL_CURL_H
#define RC_DL_CURL_H

#include <curl/curl.h>

#include "dl/dl.h"

#define RC_DL_CURL_SYMBOLS(X) \
        X(curl_easy_cleanup) \
        X(curl_easy_escape) \
        X(curl_easy_header) \
        X(curl_easy_init) \
        X(curl_easy_perform) \
        X(curl_easy_reset) \
        X(curl_easy_strerror) \
        X(curl_free) \
        X(curl_multi_add_handle) \
        X(curl_multi_cleanup) \
        X(curl_multi_info_read) \
        X(curl_multi_init) \
        X(curl_multi_perform) \
        X(curl_multi_poll) \
        X(curl_multi_remove_handle) \
        X(curl_multi_timeout) \
        X(curl_share_cleanup) \
        X(curl_share_init) \
        X(curl_slist_append) \
        X(curl_slist_free_all) \
        X(curl_url) \
        X(curl_url_cleanup) \
        X(curl_url_get) \
        X(curl_url_set) \
        X(curl_version) \
        X(curl_easy_setopt) \
        X(curl_easy_getinfo) \
        X(curl_multi_setopt) \
        X(curl_share_setopt)

RC_DL_CURL_SYMBOLS(RC_DL_DECLARE)

CURLcode rc_dl_curl_easy_setopt(CURL *curl, CURLoption option, ...);
CURLcode rc_dl_curl_easy_getinfo(CURL *curl, CURLINFO info, ...);
CURLMcode rc_dl_curl_multi_setopt(CURLM *multi, CURLMoption option, ...);
CURLSHcode rc_dl_curl_share_setopt(CURLSH *share, CURLSHoption option, ...);

#ifndef RC_DL_NO_REDIRECT
#define curl_easy_cleanup sym_curl_easy_cleanup
#define curl_easy_escape sym_curl_easy_escape
#define curl_easy_header sym_curl_easy_header
#define curl_easy_init sym_curl_easy_init
#define curl_easy_perform sym_curl_easy_perform
#define curl_easy_reset sym_curl_easy_reset
#define curl_easy_strerror sym_curl_easy_strerror
#define curl_free sym_curl_free
#define curl_multi_add_handle sym_curl_multi_add_handle
#define curl_multi_cleanup sym_curl_multi_cleanup
#define curl_multi_info_read sym_curl_multi_info_read
#define curl_multi_init sym_curl_multi_init
#define curl_multi_perform sym_curl_multi_perform
#define curl_multi_poll sym_curl_multi_poll
#define curl_multi_remove_handle sym_curl_multi_remove_handle
#define curl_multi_timeout sym_curl_multi_timeout
#define curl_share_cleanup sym_curl_share_cleanup
#define curl_share_init sym_curl_share_init
#define curl_slist_append sym_curl_slist_append
#define curl_slist_free_all sym_curl_slist_free_all
#define curl_url sym_curl_url
#define curl_url_cleanup sym_curl_url_cleanup
#define curl_url_get sym_curl_url_get
#define curl_url_set sym_curl_url_set
#define curl_version sym_curl_version
#undef curl_easy_setopt
#undef curl_easy_getinfo
#undef curl_multi_setopt
#undef curl_share_setopt
#define curl_easy_setopt rc_dl_curl_easy_setopt
#define curl_easy_getinfo rc_dl_curl_easy_getinfo
#define curl_multi_setopt rc_dl_curl_multi_setopt
#define curl_share_setopt rc_dl_curl_share_setopt
#endif

#endif
