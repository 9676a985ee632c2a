/* Image references: normalisation, validation and error messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "image/image.h"
#include "util/xalloc.h"

#define D64 "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define H64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

struct valid_case {
        const char *in;
        const char *domain, *path, *tag, *digest;
        const char *string; /* rc_reference_string */
};

static const struct valid_case valid[] = {
        { "alpine", "docker.io", "library/alpine", "latest", NULL, "docker.io/library/alpine:latest" },
        { "alpine:3.19", "docker.io", "library/alpine", "3.19", NULL, "docker.io/library/alpine:3.19" },
        { "library/alpine", "docker.io", "library/alpine", "latest", NULL, "docker.io/library/alpine:latest" },
        { "docker.io/alpine", "docker.io", "library/alpine", "latest", NULL, "docker.io/library/alpine:latest" },
        { "docker.io/library/alpine:latest", "docker.io", "library/alpine", "latest", NULL,
          "docker.io/library/alpine:latest" },
        { "index.docker.io/library/alpine", "docker.io", "library/alpine", "latest", NULL,
          "docker.io/library/alpine:latest" },
        { "index.docker.io/alpine", "docker.io", "library/alpine", "latest", NULL, "docker.io/library/alpine:latest" },
        { "user/app", "docker.io", "user/app", "latest", NULL, "docker.io/user/app:latest" },
        { "user/app/sub:v1", "docker.io", "user/app/sub", "v1", NULL, "docker.io/user/app/sub:v1" },
        { "localhost/bb", "localhost", "bb", "latest", NULL, "localhost/bb:latest" },
        { "localhost/bb:latest", "localhost", "bb", "latest", NULL, "localhost/bb:latest" },
        { "localhost:5000/bb:1", "localhost:5000", "bb", "1", NULL, "localhost:5000/bb:1" },
        { "127.0.0.1:5000/org/app", "127.0.0.1:5000", "org/app", "latest", NULL, "127.0.0.1:5000/org/app:latest" },
        { "quay.io/org/app@" D64, "quay.io", "org/app", NULL, D64, "quay.io/org/app@" D64 },
        { "host.example/p:tag@" D64, "host.example", "p", "tag", D64, "host.example/p:tag@" D64 },
        { "alpine@" D64, "docker.io", "library/alpine", NULL, D64, "docker.io/library/alpine@" D64 },
        { "Registry.Example.com/app", "Registry.Example.com", "app", "latest", NULL,
          "Registry.Example.com/app:latest" },
        { "[::1]:5000/app", "[::1]:5000", "app", "latest", NULL, "[::1]:5000/app:latest" },
        { "[fe80::1]/app", "[fe80::1]", "app", "latest", NULL, "[fe80::1]/app:latest" },
        { "my-registry.local:443/a.b_c__d---e:x", "my-registry.local:443", "a.b_c__d---e", "x", NULL,
          "my-registry.local:443/a.b_c__d---e:x" },
        { "alpine:_under", "docker.io", "library/alpine", "_under", NULL, "docker.io/library/alpine:_under" },
        { "alpine:A-Z.0_9", "docker.io", "library/alpine", "A-Z.0_9", NULL, "docker.io/library/alpine:A-Z.0_9" },
        /* No '/': "localhost:5000" is the image "localhost" with tag 5000, as in docker. */
        { "localhost:5000", "docker.io", "library/localhost", "5000", NULL, "docker.io/library/localhost:5000" },
        { "localhost", "docker.io", "library/localhost", "latest", NULL, "docker.io/library/localhost:latest" },
        { "abc", "docker.io", "library/abc", "latest", NULL, "docker.io/library/abc:latest" },
        { "a1/b2/c3/d4", "docker.io", "a1/b2/c3/d4", "latest", NULL, "docker.io/a1/b2/c3/d4:latest" },
        { "gcr.io/distroless/static:nonroot", "gcr.io", "distroless/static", "nonroot", NULL,
          "gcr.io/distroless/static:nonroot" },
};

struct invalid_case {
        const char *in;
        const char *msg; /* expected substring of the error */
};

static const struct invalid_case invalid[] = {
        { "", "invalid reference \"\": empty" },
        { "Alpine", "invalid reference \"Alpine\": repository name must be lowercase" },
        { "user/App", "repository name must be lowercase" },
        { "quay.io/Org/app", "repository name must be lowercase" },
        { "Foo/bar", "repository name must be lowercase" },
        { "alpine:", "invalid reference \"alpine:\": tag is empty" },
        { "alpine:a+b",
          "invalid tag \"a+b\" in \"alpine:a+b\": tags may contain letters, digits, '_', '.', '-' (max 128, not "
          "starting with '.' or '-')" },
        { "alpine:.x", "invalid tag \".x\"" },
        { "alpine:-x", "invalid tag \"-x\"" },
        { "alpine@", "digest is empty" },
        { "alpine@sha256:abc", "invalid digest \"sha256:abc\" in \"alpine@sha256:abc\"" },
        { "alpine@sha512:" H64 H64, "unsupported algorithm \"sha512\" (only sha256 is supported)" },
        { "alpine@md5", "invalid digest \"md5\"" },
        { "alpine@sha256:" "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
          "64 lowercase hex digits" },
        { "alpine@" D64 ":tag", "invalid digest" },
        { "alpine@:" H64, "invalid digest" },
        { ":tag", "repository name is empty" },
        { "/alpine", "empty path component" },
        { "alpine/", "empty path component" },
        { "a//b", "empty path component" },
        { "quay.io/", "empty path component" },
        { "-alpine", "invalid path component \"-alpine\"" },
        { "alpine-", "invalid path component \"alpine-\"" },
        { "a..b", "invalid path component \"a..b\"" },
        { "a___b", "invalid path component \"a___b\"" },
        { "a b", "invalid path component \"a b\"" },
        { "org/a$b", "invalid path component \"a$b\"" },
        { "foo:bar/baz", "invalid registry \"foo:bar\": port must be a number" },
        { "localhost:0/app", "port must be a number 1-65535" },
        { "localhost:70000/app", "port must be a number 1-65535" },
        { "exa_mple.com/app", "invalid registry \"exa_mple.com\"" },
        { "-bad.com/app", "invalid registry \"-bad.com\"" },
        { "bad..com/app", "invalid registry \"bad..com\"" },
        { ".com/app", "invalid registry" },
        { ":5000/app", "invalid registry" },
        { "[::1/app", "invalid registry" },
        { "[zz::1]:5000/app", "invalid IPv6 address" },
        { "[::1]x/app", "unexpected characters after the IPv6 address" },
        { H64, "is an image id, not a name" },
        { "foo:bar:baz", "invalid path component \"foo:bar\"" },
};

static void test_valid(void **state)
{
        for (size_t i = 0; i < sizeof(valid) / sizeof(*valid); i++) {
                const struct valid_case *c = &valid[i];
                struct rc_reference r = { 0 }, again = { 0 };
                rc_error *err = NULL;
                char *s, *name;

                if (rc_reference_parse(c->in, &r, &err) < 0)
                        fail_msg("%s: %s", c->in, err->msg);
                assert_string_equal(r.domain, c->domain);
                assert_string_equal(r.path, c->path);
                if (c->tag)
                        assert_string_equal(r.tag, c->tag);
                else
                        assert_null(r.tag);
                if (c->digest)
                        assert_string_equal(r.digest, c->digest);
                else
                        assert_null(r.digest);
                s = rc_reference_string(&r);
                assert_string_equal(s, c->string);
                name = rc_reference_name(&r);
                assert_int_equal(strncmp(s, name, strlen(name)), 0);
                assert_true(s[strlen(name)] == ':' || s[strlen(name)] == '@');
                /* The normalised form parses to itself. */
                assert_int_equal(rc_reference_parse(s, &again, &err), 0);
                assert_string_equal(again.domain, r.domain);
                assert_string_equal(again.path, r.path);
                free(s);
                s = rc_reference_string(&again);
                assert_string_equal(s, c->string);
                free(s);
                free(name);
                rc_reference_free(&again);
                rc_reference_free(&r);
        }
}

static void test_invalid(void **state)
{
        for (size_t i = 0; i < sizeof(invalid) / sizeof(*invalid); i++) {
                const struct invalid_case *c = &invalid[i];
                struct rc_reference r = { 0 };
                rc_error *err = NULL;

                if (rc_reference_parse(c->in, &r, &err) == 0)
                        fail_msg("%s: parsed, expected an error", c->in);
                assert_non_null(err);
                if (strstr(err->msg, c->msg) == NULL)
                        fail_msg("%s: error \"%s\" lacks \"%s\"", c->in, err->msg, c->msg);
                /* Out-parameter untouched on failure. */
                assert_null(r.domain);
                assert_null(r.path);
                rc_error_free(err);
        }
}

static void test_lengths(void **state)
{
        struct rc_reference r = { 0 };
        rc_error *err = NULL;
        char tag[130], path[300], *s;

        /* Tags: 128 characters are fine, 129 are not. */
        memset(tag, 'a', 128);
        tag[128] = '\0';
        s = xasprintf("alpine:%s", tag);
        assert_int_equal(rc_reference_parse(s, &r, &err), 0);
        rc_reference_free(&r);
        free(s);
        s = xasprintf("alpine:%sa", tag);
        assert_int_equal(rc_reference_parse(s, &r, &err), -1);
        assert_non_null(strstr(err->msg, "invalid tag"));
        rc_error_free(err);
        err = NULL;
        free(s);

        /* "docker.io/" + 245 = 255 characters is the maximum name. */
        memset(path, 'p', 245);
        path[245] = '\0';
        s = xasprintf("docker.io/x/%s", path + 2);
        assert_int_equal(rc_reference_parse(s, &r, &err), 0);
        rc_reference_free(&r);
        free(s);
        s = xasprintf("docker.io/x/%s", path + 1);
        assert_int_equal(rc_reference_parse(s, &r, &err), -1);
        assert_non_null(strstr(err->msg, "longer than 255"));
        rc_error_free(err);
        free(s);
}

static void test_looks_like_id(void **state)
{
        static const struct {
                const char *s;
                bool id;
        } cases[] = {
                { "a", true },          { "0123abcd", true }, { H64, true },       { H64 "0", false },
                { "", false },          { "ABCD", false },    { "abcg", false },   { "sha256:" H64, true },
                { "sha256:ab", true },  { "sha256:", false }, { "alpine", false }, { "sha256:xyz", false },
                { "deadbeef", true },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++)
                if (rc_looks_like_id(cases[i].s) != cases[i].id)
                        fail_msg("rc_looks_like_id(\"%s\") != %d", cases[i].s, cases[i].id);
        assert_false(rc_looks_like_id(NULL));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_valid),
                cmocka_unit_test(test_invalid),
                cmocka_unit_test(test_lengths),
                cmocka_unit_test(test_looks_like_id),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
