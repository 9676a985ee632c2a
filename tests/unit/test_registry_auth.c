/* Registry auth pieces: WWW-Authenticate parsing, scopes, token URLs, origins. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "registry/registry.h"
#include "util/xalloc.h"

#define MAXP 6

struct want_challenge {
        const char *scheme, *token68;
        const char *params[MAXP][2];
};

struct auth_case {
        const char *header;
        size_t n;
        struct want_challenge c[3];
};

static const struct auth_case valid[] = {
        { "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:library/alpine:pull\"",
          1,
          { { "bearer", NULL,
              { { "realm", "https://auth.docker.io/token" },
                { "service", "registry.docker.io" },
                { "scope", "repository:library/alpine:pull" } } } } },
        { "Basic realm=\"Registry Realm\"", 1, { { "basic", NULL, { { "realm", "Registry Realm" } } } } },
        { "basic REALM=x", 1, { { "basic", NULL, { { "realm", "x" } } } } },
        /* Two challenges in one header, whitespace around '=' and commas. */
        { "Basic realm=\"r\" , Bearer realm = \"https://t/x\" ,service=s", 2,
          { { "basic", NULL, { { "realm", "r" } } },
            { "bearer", NULL, { { "realm", "https://t/x" }, { "service", "s" } } } } },
        /* Escapes inside quoted strings; commas inside quotes. */
        { "Bearer realm=\"a\\\"b\\\\c\",scope=\"repository:a/b:pull,push\"", 1,
          { { "bearer", NULL, { { "realm", "a\"b\\c" }, { "scope", "repository:a/b:pull,push" } } } } },
        /* Error parameters as sent with insufficient_scope. */
        { "Bearer realm=\"https://r\",service=\"s\",scope=\"repository:x:pull\",error=\"insufficient_scope\"", 1,
          { { "bearer", NULL,
              { { "realm", "https://r" }, { "service", "s" }, { "scope", "repository:x:pull" },
                { "error", "insufficient_scope" } } } } },
        /* A scheme alone, and a token68. */
        { "Negotiate", 1, { { "negotiate", NULL, { { NULL, NULL } } } } },
        { "Negotiate abc+/def==, Basic realm=x", 2,
          { { "negotiate", "abc+/def==", { { NULL, NULL } } }, { "basic", NULL, { { "realm", "x" } } } } },
        /* Empty list elements are allowed. */
        { ", Bearer realm=x,, service=y ,", 1, { { "bearer", NULL, { { "realm", "x" }, { "service", "y" } } } } },
        { "Bearer realm=\"\"", 1, { { "bearer", NULL, { { "realm", "" } } } } },
};

static void test_parse_valid(void **state)
{
        (void)state;
        for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
                const struct auth_case *tc = &valid[i];
                struct rc_auth_challenge *cs = NULL;
                size_t n = 0;
                rc_error *err = NULL;
                int rc = rc_www_authenticate_parse(tc->header, &cs, &n, &err);
                if (rc != 0)
                        fail_msg("case %zu \"%s\": %s", i, tc->header, err->msg);
                assert_int_equal(n, tc->n);
                for (size_t k = 0; k < n; k++) {
                        const struct want_challenge *w = &tc->c[k];
                        size_t np = 0;
                        assert_string_equal(cs[k].scheme, w->scheme);
                        if (w->token68)
                                assert_string_equal(cs[k].token68, w->token68);
                        else
                                assert_null(cs[k].token68);
                        while (np < MAXP && w->params[np][0])
                                np++;
                        if (cs[k].n_params != np)
                                fail_msg("case %zu challenge %zu: %zu params, want %zu", i, k, cs[k].n_params, np);
                        for (size_t p = 0; p < np; p++) {
                                const char *v = rc_auth_challenge_param(&cs[k], w->params[p][0]);
                                if (v == NULL || strcmp(v, w->params[p][1]) != 0)
                                        fail_msg("case %zu: %s = %s, want %s", i, w->params[p][0], v ? v : "(null)",
                                                 w->params[p][1]);
                        }
                }
                rc_auth_challenges_free(cs, n);
        }
}

static const char *const invalid[] = {
        "",
        "   ",
        ",,,",
        "Bearer realm=\"unterminated",
        "Bearer realm=\"bad\\",
        "Bearer realm=\"ctl\x01\"",
        "Bearer realm=x y=z",
        "=realm",
        "Bearer realm=x, =y",
        "Bear(er realm=x",
        "Bearer realm=\"a\"junk",
        "Negotiate abc def",
        "Negotiate abc, xyz=1", /* params after a token68 */
};

static void test_parse_invalid(void **state)
{
        (void)state;
        for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
                struct rc_auth_challenge *cs = NULL;
                size_t n = 0;
                rc_error *err = NULL;
                int rc = rc_www_authenticate_parse(invalid[i], &cs, &n, &err);
                if (rc == 0)
                        fail_msg("case %zu \"%s\" parsed", i, invalid[i]);
                assert_non_null(err);
                assert_non_null(strstr(err->msg, "WWW-Authenticate"));
                rc_error_free(err);
        }
}

static void test_parse_limits(void **state)
{
        char *big = xmalloc(20000);
        struct rc_auth_challenge *cs = NULL;
        size_t n = 0;
        rc_error *err = NULL;

        (void)state;
        memset(big, 'a', 19999);
        big[19999] = '\0';
        assert_int_equal(rc_www_authenticate_parse(big, &cs, &n, &err), -1);
        rc_error_free(err);
        err = NULL;
        /* Many parameters: bounded. */
        {
                char *s = xstrdup("Bearer a0=x");
                for (int i = 1; i < 100; i++) {
                        char *t = xasprintf("%s,a%d=x", s, i);
                        free(s);
                        s = t;
                }
                assert_int_equal(rc_www_authenticate_parse(s, &cs, &n, &err), -1);
                rc_error_free(err);
                free(s);
        }
        free(big);
}

static void test_scope(void **state)
{
        char *s;

        (void)state;
        s = rc_registry_scope("library/alpine", "pull");
        assert_string_equal(s, "repository:library/alpine:pull");
        free(s);
        s = rc_registry_scope("org/app", "pull,push");
        assert_string_equal(s, "repository:org/app:pull,push");
        free(s);
}

static void test_token_url(void **state)
{
        struct {
                const char *realm, *service, *scope, *want;
        } cases[] = {
                { "https://auth.docker.io/token", "registry.docker.io", "repository:library/alpine:pull",
                  "https://auth.docker.io/token?service=registry.docker.io&scope=repository%3Alibrary%2Falpine%3Apull" },
                { "https://r/token?x=1", "s", NULL, "https://r/token?x=1&service=s" },
                { "http://127.0.0.1:5001/token", NULL, "repository:a:pull,push",
                  "http://127.0.0.1:5001/token?scope=repository%3Aa%3Apull%2Cpush" },
                { "https://r/t", "my service", NULL, "https://r/t?service=my%20service" },
                { "https://r/t", NULL, NULL, "https://r/t" },
                { "https://r/t", "s", "repository:to:pull,push repository:from:pull",
                  "https://r/t?service=s&scope=repository%3Ato%3Apull%2Cpush&scope=repository%3Afrom%3Apull" },
                { "https://r/t", NULL, "  repository:a:pull  ", "https://r/t?scope=repository%3Aa%3Apull" },
        };
        const char *bad[] = { "ftp://x/token", "/token", "https://x/t\r\nX: y", "file:///etc/passwd", "" };

        (void)state;
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char *out = NULL;
                rc_error *err = NULL;
                if (rc_token_url(cases[i].realm, cases[i].service, cases[i].scope, &out, &err) < 0)
                        fail_msg("case %zu: %s", i, err->msg);
                assert_string_equal(out, cases[i].want);
                free(out);
        }
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                char *out = NULL;
                rc_error *err = NULL;
                if (rc_token_url(bad[i], "s", NULL, &out, &err) == 0)
                        fail_msg("bad realm %zu accepted: %s", i, out);
                rc_error_free(err);
        }
}

static void test_same_origin(void **state)
{
        (void)state;
        assert_true(rc_url_same_origin("https://r.io/v2/a/blobs/x", "https://r.io"));
        assert_true(rc_url_same_origin("https://R.IO:443/v2/", "https://r.io/"));
        assert_true(rc_url_same_origin("http://127.0.0.1:5000/v2/", "http://127.0.0.1:5000"));
        assert_false(rc_url_same_origin("http://r.io/v2/", "https://r.io"));
        assert_false(rc_url_same_origin("https://r.io:5000/v2/", "https://r.io"));
        assert_false(rc_url_same_origin("https://s3.amazonaws.com/b?sig=1", "https://r.io"));
        assert_false(rc_url_same_origin("https://r.io.evil.com/", "https://r.io"));
        assert_false(rc_url_same_origin("https://r.io@evil.com/", "https://r.io"));
        assert_false(rc_url_same_origin("/relative", "https://r.io"));
        assert_false(rc_url_same_origin(NULL, "https://r.io"));
}

static void test_open_options(void **state)
{
        struct rc_registry *r = NULL;
        rc_error *err = NULL;
        char *mirrors_ok[] = { "mirror.local:5000", "https://m2.example/prefix/ns/", "http://m3", NULL };
        char *mirrors_bad[] = { "ftp://m", NULL };
        char *mirrors_bad2[] = { "bad host/x", NULL };
        struct rc_registry_opts o = { .mirrors = mirrors_ok };

        (void)state;
        assert_int_equal(rc_registry_open("docker.io", &o, &r, &err), 0);
        rc_registry_close(r);
        o.mirrors = mirrors_bad;
        assert_int_equal(rc_registry_open("docker.io", &o, &r, &err), -1);
        assert_non_null(strstr(err->msg, "mirror"));
        rc_error_free(err);
        err = NULL;
        o.mirrors = mirrors_bad2;
        assert_int_equal(rc_registry_open("docker.io", &o, &r, &err), -1);
        rc_error_free(err);
        err = NULL;
        assert_int_equal(rc_registry_open("a/b", NULL, &r, &err), -1);
        rc_error_free(err);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_valid),  cmocka_unit_test(test_parse_invalid),
                cmocka_unit_test(test_parse_limits), cmocka_unit_test(test_scope),
                cmocka_unit_test(test_token_url),    cmocka_unit_test(test_same_origin),
                cmocka_unit_test(test_open_options),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
