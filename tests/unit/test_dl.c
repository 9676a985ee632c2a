/* pkg/dl: loading a library on first use, the errors when it is missing or
 * too old, and the libraries rc loads this way. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <cmocka.h>

#include "check/check.h"
#include "dl/archive.h"
#include "dl/crypto.h"
#include "dl/curl.h"
#include "dl/dl.h"
#include "util/digest.h"

static typeof(zlibVersion) *my_zlib_version;
static typeof(crc32) *my_crc32;

static void test_missing_library(void **state)
{
        const struct rc_dl_symbol syms[] = { { "nothing", (void **)&my_zlib_version } };
        const struct rc_dl_library lib = { .name = "libnowhere", .soname = "libnowhere.so.7", .package = "libnowhere7",
                                           .min_version = "1.0", .symbols = syms, .n_symbols = 1 };
        cleanup_error rc_error *err = NULL;
        void *h = NULL;

        assert_int_equal(rc_dl_open(&lib, &h, &err), -1);
        assert_non_null(err);
        assert_int_equal(err->errnum, ENOENT);
        assert_string_equal(err->msg, "libnowhere is not installed: install the Debian package libnowhere7 "
                                      "(apt install libnowhere7)");
        assert_null(h);
        assert_null(my_zlib_version);
}

static void test_missing_symbol(void **state)
{
        const struct rc_dl_symbol syms[] = {
                { "zlibVersion", (void **)&my_zlib_version },
                { "inflateTheMoon", (void **)&my_crc32 },
        };
        const struct rc_dl_library lib = { .name = "zlib", .soname = "libz.so.1", .package = "zlib1g",
                                           .min_version = "9.9", .symbols = syms, .n_symbols = 2 };
        cleanup_error rc_error *err = NULL;
        void *h = NULL;

        assert_int_equal(rc_dl_open(&lib, &h, &err), -1);
        assert_int_equal(err->errnum, ENOSYS);
        assert_non_null(strstr(err->msg, "zlib is too old: libz.so.1 has no inflateTheMoon"));
        assert_non_null(strstr(err->msg, "zlib 9.9 or newer"));
        /* all or nothing: no pointer was filled */
        assert_null(my_zlib_version);
}

static void test_open_fills_pointers(void **state)
{
        const struct rc_dl_symbol syms[] = {
                { "zlibVersion", (void **)&my_zlib_version },
                { "crc32", (void **)&my_crc32 },
        };
        const struct rc_dl_library lib = { .name = "zlib", .soname = "libz.so.1", .package = "zlib1g",
                                           .min_version = "1.2", .symbols = syms, .n_symbols = 2 };
        cleanup_error rc_error *err = NULL;
        void *h = NULL;

        assert_int_equal(rc_dl_open(&lib, &h, &err), 0);
        assert_non_null(h);
        assert_string_equal(my_zlib_version(), zlibVersion());
        assert_int_equal(my_crc32(0, (const Bytef *)"rc", 2), crc32(0, (const Bytef *)"rc", 2));
}

/* The real tables: every symbol rc names exists in the installed libraries,
 * and calls through the redirected names reach them. */
static void test_real_libraries(void **state)
{
        cleanup_error rc_error *err = NULL;
        char d[RC_DIGEST_LEN + 1];

        assert_int_equal(rc_dl_curl(&err), 0);
        assert_int_equal(rc_dl_archive(&err), 0);
        assert_int_equal(rc_dl_crypto(&err), 0);
        assert_int_equal(rc_dl_systemd(&err), 0);
        assert_true(rc_dl_loaded(RC_DL_CURL));
        assert_int_equal(strncmp(curl_version(), "libcurl/", 8), 0);
        assert_int_equal(strncmp(archive_version_string(), "libarchive ", 11), 0);
        /* loading twice is a no-op */
        assert_int_equal(rc_dl_curl(&err), 0);
        rc_sha256_digest("abc", 3, d);
        assert_string_equal(d, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

/* curl_easy_setopt goes through a wrapper that passes longs, pointers and
 * curl_off_t on by the option's number range. */
static void test_curl_setopt_wrapper(void **state)
{
        cleanup_error rc_error *err = NULL;
        CURL *c;
        char *url = NULL;
        long follow = -1;

        assert_int_equal(rc_dl_curl(&err), 0);
        c = curl_easy_init();
        assert_non_null(c);
        assert_int_equal(curl_easy_setopt(c, CURLOPT_URL, "http://127.0.0.1:1/x"), CURLE_OK);
        assert_int_equal(curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L), CURLE_OK);
        assert_int_equal(curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)5), CURLE_OK);
        assert_int_equal(curl_easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &url), CURLE_OK);
        assert_string_equal(url, "http://127.0.0.1:1/x");
        assert_int_equal(curl_easy_getinfo(c, CURLINFO_REDIRECT_COUNT, &follow), CURLE_OK);
        assert_int_equal(follow, 0);
        curl_easy_cleanup(c);
}

static void test_components(void **state)
{
        struct rc_component *c = NULL;
        size_t n = 0;
        bool saw_curl = false, saw_json = false;

        rc_components_probe(&c, &n);
        assert_true(n > 5);
        for (size_t i = 0; i < n; i++) {
                if (strcmp(c[i].name, "libcurl") == 0) {
                        saw_curl = true;
                        assert_string_equal(c[i].link, "dlopen");
                        assert_string_equal(c[i].file, "libcurl.so.4");
                        assert_non_null(c[i].found);
                        assert_non_null(strstr(c[i].found, "libcurl/"));
                }
                if (strcmp(c[i].name, "json-c") == 0) {
                        saw_json = true;
                        assert_string_equal(c[i].link, "linked");
                        assert_non_null(c[i].found);
                }
        }
        assert_true(saw_curl && saw_json);
        rc_components_free(c, n);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_missing_library),
                cmocka_unit_test(test_missing_symbol),
                cmocka_unit_test(test_open_fills_pointers),
                cmocka_unit_test(test_real_libraries),
                cmocka_unit_test(test_curl_setopt_wrapper),
                cmocka_unit_test(test_components),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
