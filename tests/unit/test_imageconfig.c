/* Image config, manifest and index JSON: parsing hostile input, canonical
 * output, round trips and platform selection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "image/image.h"
#include "util/xalloc.h"

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define D3 "sha256:3333333333333333333333333333333333333333333333333333333333333333"
#define ROOTFS "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" D1 "\"]}"
#define MIN_CFG "{\"architecture\":\"amd64\",\"os\":\"linux\"," ROOTFS

struct bad_case {
        const char *json;
        const char *msg;
};

/* ---- helpers ---- */

static bool str_eq(const char *a, const char *b)
{
        return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

static bool strv_eq(char *const *a, char *const *b)
{
        if (a == NULL || b == NULL)
                return a == b;
        for (; *a && *b; a++, b++)
                if (strcmp(*a, *b) != 0)
                        return false;
        return *a == NULL && *b == NULL;
}

static void assert_config_equal(const struct rc_image_config *a, const struct rc_image_config *b)
{
        assert_true(str_eq(a->architecture, b->architecture) && str_eq(a->os, b->os) &&
                    str_eq(a->variant, b->variant) && str_eq(a->created, b->created) && str_eq(a->author, b->author));
        assert_true(str_eq(a->user, b->user) && str_eq(a->working_dir, b->working_dir) &&
                    str_eq(a->stop_signal, b->stop_signal) && str_eq(a->history_json, b->history_json));
        assert_true(strv_eq(a->env, b->env) && strv_eq(a->entrypoint, b->entrypoint) && strv_eq(a->cmd, b->cmd));
        assert_true(strv_eq(a->exposed_ports, b->exposed_ports) && strv_eq(a->volumes, b->volumes) &&
                    strv_eq(a->labels, b->labels) && strv_eq(a->diff_ids, b->diff_ids));
        assert_true(str_eq(a->healthcheck_json, b->healthcheck_json) && strv_eq(a->onbuild, b->onbuild) &&
                    strv_eq(a->shell, b->shell));
}

static void assert_desc_equal(const struct rc_descriptor *a, const struct rc_descriptor *b)
{
        assert_true(str_eq(a->media_type, b->media_type) && str_eq(a->digest, b->digest) && a->size == b->size);
        assert_true(str_eq(a->platform_os, b->platform_os) && str_eq(a->platform_arch, b->platform_arch) &&
                    str_eq(a->platform_variant, b->platform_variant));
}

static void expect_error(int r, rc_error *err, const char *json, const char *msg)
{
        if (r == 0)
                fail_msg("parsed, expected an error containing \"%s\": %.200s", msg, json);
        assert_non_null(err);
        if (strstr(err->msg, msg) == NULL)
                fail_msg("error \"%s\" lacks \"%s\" for %.200s", err->msg, msg, json);
}

/* ---- image config ---- */

static const char *const good_configs[] = {
        /* OCI, everything rc keeps. */
        "{\"created\":\"2024-01-02T03:04:05.123456789Z\",\"author\":\"me\",\"architecture\":\"arm64\","
        "\"os\":\"linux\",\"variant\":\"v8\",\"config\":{\"User\":\"1000:1000\",\"ExposedPorts\":{\"80/tcp\":{},"
        "\"53/udp\":{}},\"Env\":[\"PATH=/usr/bin\",\"A=b=c\"],\"Entrypoint\":[\"/init\"],\"Cmd\":[\"sh\",\"-c\","
        "\"echo \\\"hi\\\" / \\u00e9\"],\"Volumes\":{\"/data\":{}},\"WorkingDir\":\"/srv\",\"Labels\":{\"a\":\"1\","
        "\"org.opencontainers.image.title\":\"x=y\"},\"StopSignal\":\"SIGQUIT\"},\"rootfs\":{\"type\":\"layers\","
        "\"diff_ids\":[\"" D1 "\",\"" D2 "\"]},\"history\":[{\"created\":\"2024-01-01T00:00:00Z\",\"created_by\":"
        "\"/bin/sh -c #(nop) ADD file:abc in / \"},{\"empty_layer\":true,\"comment\":\"x\"}]}",
        /* Docker style: nulls for absent fields, fields rc ignores. */
        "{\"architecture\":\"amd64\",\"config\":{\"Hostname\":\"\",\"User\":\"\",\"Env\":null,\"Cmd\":null,"
        "\"Entrypoint\":null,\"Labels\":null,\"Volumes\":null,\"ExposedPorts\":null,\"OnBuild\":null,"
        "\"Healthcheck\":{\"Test\":[\"NONE\"]},\"ArgsEscaped\":true},\"container\":\"abc\",\"container_config\":"
        "{\"Cmd\":[\"x\"]},\"docker_version\":\"20.10\",\"os\":\"linux\",\"created\":null," ROOTFS "}",
        /* Minimal; empty vectors differ from absent ones. */
        MIN_CFG "}",
        "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Entrypoint\":[],\"Env\":[],\"Labels\":{},"
        "\"Volumes\":{}},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"history\":[]}",
        /* Whitespace around, duplicate keys (the last wins). */
        "  \n{ \"os\" : \"x\", \"os\": \"linux\", \"architecture\": \"riscv64\", " ROOTFS " }\n\t",
};

static const struct bad_case bad_configs[] = {
        { MIN_CFG ",\"config\":{\"Healthcheck\":{\"Interval\":\"5s\"}}}",
          "image config: config.Healthcheck.Interval must be an integer" },
        { MIN_CFG ",\"config\":{\"Healthcheck\":{\"Test\":\"x\"}}}",
          "image config: config.Healthcheck.Test must be an array of strings" },
        { MIN_CFG ",\"config\":{\"Shell\":\"sh\"}}", "image config: config.Shell must be an array of strings" },
        { "", "image config: empty document" },
        { "{", "unexpected end of document" },
        { "[]", "image config: must be a JSON object" },
        { "null ", "must be a JSON object" },
        { "123", "unexpected end of document" },
        { MIN_CFG "} x", "image config: invalid JSON" },
        { MIN_CFG "}{}", "invalid JSON" },
        { "{\"os\":\"linux\"," ROOTFS "}", "image config: architecture is required" },
        { "{\"architecture\":\"amd64\"," ROOTFS "}", "image config: os is required" },
        { "{\"architecture\":5,\"os\":\"linux\"," ROOTFS "}", "image config: architecture must be a string" },
        { "{\"architecture\":\"amd64\",\"os\":[]," ROOTFS "}", "image config: os must be a string" },
        { MIN_CFG ",\"variant\":{}}", "variant must be a string" },
        { MIN_CFG ",\"created\":12}", "created must be a string" },
        { MIN_CFG ",\"config\":[]}", "image config: config must be an object" },
        { MIN_CFG ",\"config\":\"x\"}", "config must be an object" },
        { MIN_CFG ",\"config\":{\"Env\":\"A=b\"}}", "image config: config.Env must be an array of strings" },
        { MIN_CFG ",\"config\":{\"Env\":[\"A=b\",1]}}", "config.Env must be an array of strings" },
        { MIN_CFG ",\"config\":{\"Env\":[null]}}", "config.Env must be an array of strings" },
        { MIN_CFG ",\"config\":{\"Cmd\":{}}}", "config.Cmd must be an array of strings" },
        { MIN_CFG ",\"config\":{\"Entrypoint\":\"/bin/sh\"}}", "config.Entrypoint must be an array of strings" },
        { MIN_CFG ",\"config\":{\"User\":0}}", "config.User must be a string" },
        { MIN_CFG ",\"config\":{\"WorkingDir\":true}}", "config.WorkingDir must be a string" },
        { MIN_CFG ",\"config\":{\"StopSignal\":9}}", "config.StopSignal must be a string" },
        { MIN_CFG ",\"config\":{\"ExposedPorts\":[\"80/tcp\"]}}", "config.ExposedPorts must be an object" },
        { MIN_CFG ",\"config\":{\"Volumes\":\"/data\"}}", "config.Volumes must be an object" },
        { MIN_CFG ",\"config\":{\"Labels\":{\"a\":1}}}", "config.Labels must map names to strings (\"a\"" },
        { MIN_CFG ",\"config\":{\"Labels\":{\"a=b\":\"c\"}}}", "name \"a=b\" contains '='" },
        { MIN_CFG ",\"config\":{\"User\":\"a\\u0000b\"}}", "config.User contains a NUL character" },
        { "{\"architecture\":\"amd64\",\"os\":\"linux\"}", "image config: rootfs is required" },
        { "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":[]}", "rootfs must be an object" },
        { "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"diff_ids\":[]}}", "rootfs.type is required" },
        { "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layered\",\"diff_ids\":[]}}",
          "only \"layers\" is supported" },
        { "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\"}}",
          "rootfs.diff_ids is required" },
        { "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":\"x\"}}",
          "rootfs.diff_ids must be an array of strings" },
        { "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" D1
          "\",\"sha256:abc\"]}}",
          "rootfs.diff_ids[1] \"sha256:abc\" is not a sha256 digest" },
        { MIN_CFG ",\"history\":{}}", "history must be an array of objects" },
        { MIN_CFG ",\"history\":[{},1]}", "history[1] must be an object" },
        { MIN_CFG ",\"author\":\"\xff\xfe\"}", "invalid JSON" },
        { "{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}", "invalid JSON" },
        { "{\"architecture\":\"amd64\",}", "invalid JSON" },
};

static void test_config_parse(void **state)
{
        for (size_t i = 0; i < sizeof(good_configs) / sizeof(*good_configs); i++) {
                struct rc_image_config c = { 0 };
                rc_error *err = NULL;
                if (rc_image_config_parse(good_configs[i], strlen(good_configs[i]), &c, &err) < 0)
                        fail_msg("config %zu: %s", i, err->msg);
                assert_non_null(c.diff_ids);
                rc_image_config_free(&c);
        }
        for (size_t i = 0; i < sizeof(bad_configs) / sizeof(*bad_configs); i++) {
                struct rc_image_config c = { 0 };
                rc_error *err = NULL;
                int r = rc_image_config_parse(bad_configs[i].json, strlen(bad_configs[i].json), &c, &err);
                expect_error(r, err, bad_configs[i].json, bad_configs[i].msg);
                assert_null(c.architecture);
                rc_error_free(err);
        }
}

static void test_config_fields(void **state)
{
        struct rc_image_config c = { 0 };
        rc_error *err = NULL;

        assert_int_equal(rc_image_config_parse(good_configs[0], strlen(good_configs[0]), &c, &err), 0);
        assert_string_equal(c.architecture, "arm64");
        assert_string_equal(c.variant, "v8");
        assert_string_equal(c.created, "2024-01-02T03:04:05.123456789Z");
        assert_string_equal(c.user, "1000:1000");
        assert_string_equal(c.env[1], "A=b=c");
        assert_null(c.env[2]);
        assert_string_equal(c.cmd[2], "echo \"hi\" / \xc3\xa9");
        assert_string_equal(c.exposed_ports[0], "80/tcp");
        assert_string_equal(c.exposed_ports[1], "53/udp");
        assert_string_equal(c.volumes[0], "/data");
        assert_string_equal(c.labels[1], "org.opencontainers.image.title=x=y");
        assert_string_equal(c.diff_ids[1], D2);
        assert_non_null(strstr(c.history_json, "\"empty_layer\":true"));
        rc_image_config_free(&c);

        assert_int_equal(rc_image_config_parse(good_configs[1], strlen(good_configs[1]), &c, &err), 0);
        assert_null(c.env);
        assert_null(c.cmd);
        assert_null(c.labels);
        assert_null(c.created);
        assert_string_equal(c.user, "");
        assert_string_equal(c.healthcheck_json, "{\"Test\":[\"NONE\"]}");
        assert_null(c.onbuild);
        rc_image_config_free(&c);

        assert_int_equal(rc_image_config_parse(good_configs[3], strlen(good_configs[3]), &c, &err), 0);
        assert_non_null(c.entrypoint);
        assert_null(c.entrypoint[0]);
        assert_null(c.cmd);
        assert_string_equal(c.history_json, "[]");
        rc_image_config_free(&c);
}

static void test_config_roundtrip(void **state)
{
        for (size_t i = 0; i < sizeof(good_configs) / sizeof(*good_configs); i++) {
                struct rc_image_config a = { 0 }, b = { 0 };
                rc_error *err = NULL;
                char *j1 = NULL, *j2 = NULL, *j3 = NULL;

                assert_int_equal(rc_image_config_parse(good_configs[i], strlen(good_configs[i]), &a, &err), 0);
                assert_int_equal(rc_image_config_to_json(&a, &j1, &err), 0);
                assert_int_equal(rc_image_config_to_json(&a, &j2, &err), 0);
                assert_string_equal(j1, j2); /* deterministic */
                assert_null(strchr(j1, '\n'));
                if (rc_image_config_parse(j1, strlen(j1), &b, &err) < 0)
                        fail_msg("reparse %zu: %s: %s", i, err->msg, j1);
                assert_config_equal(&a, &b);
                assert_int_equal(rc_image_config_to_json(&b, &j3, &err), 0);
                assert_string_equal(j1, j3); /* a fixed point */
                free(j1);
                free(j2);
                free(j3);
                rc_image_config_free(&a);
                rc_image_config_free(&b);
        }
}

/* The exact bytes matter: an image id is their sha256. */
static void test_config_canonical(void **state)
{
        char *env[] = { "PATH=/bin", NULL }, *cmd[] = { "sh", NULL }, *ports[] = { "80/tcp", NULL };
        char *labels[] = { "b=2", "a=1", NULL }, *diff_ids[] = { D1, NULL }, *empty[] = { NULL };
        struct rc_image_config c = { .architecture = "amd64", .os = "linux", .created = "2024-01-01T00:00:00Z",
                                     .env = env, .cmd = cmd, .entrypoint = empty, .exposed_ports = ports,
                                     .labels = labels, .working_dir = "/a/b", .diff_ids = diff_ids,
                                     .history_json = "[{\"created_by\":\"x\"}]" };
        struct rc_image_config bare = { .architecture = "amd64", .os = "linux" };
        rc_error *err = NULL;
        char *j = NULL;

        assert_int_equal(rc_image_config_to_json(&c, &j, &err), 0);
        assert_string_equal(j, "{\"created\":\"2024-01-01T00:00:00Z\",\"architecture\":\"amd64\",\"os\":\"linux\","
                               "\"config\":{\"ExposedPorts\":{\"80/tcp\":{}},\"Env\":[\"PATH=/bin\"],"
                               "\"Entrypoint\":[],\"Cmd\":[\"sh\"],\"WorkingDir\":\"/a/b\",\"Labels\":{\"b\":\"2\","
                               "\"a\":\"1\"}},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" D1 "\"]},"
                               "\"history\":[{\"created_by\":\"x\"}]}");
        free(j);
        assert_int_equal(rc_image_config_to_json(&bare, &j, &err), 0);
        assert_string_equal(j, "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\","
                               "\"diff_ids\":[]}}");
        free(j);

        /* Docker's fields for SHELL, ONBUILD and HEALTHCHECK, in their place */
        char *shell[] = { "/bin/bash", "-c", NULL }, *onbuild[] = { "RUN make", NULL };
        struct rc_image_config built = { .architecture = "amd64", .os = "linux", .cmd = cmd, .shell = shell,
                                         .onbuild = onbuild, .stop_signal = "SIGINT",
                                         .healthcheck_json = "{\"Test\":[\"CMD\",\"true\"],\"Retries\":3}" };
        assert_int_equal(rc_image_config_to_json(&built, &j, &err), 0);
        assert_string_equal(j, "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"sh\"],"
                               "\"Healthcheck\":{\"Test\":[\"CMD\",\"true\"],\"Retries\":3},\"OnBuild\":"
                               "[\"RUN make\"],\"StopSignal\":\"SIGINT\",\"Shell\":[\"/bin/bash\",\"-c\"]},"
                               "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}");
        free(j);

        /* Structs the parser could never produce are refused. */
        c.history_json = "{}";
        assert_int_equal(rc_image_config_to_json(&c, &j, &err), -1);
        assert_non_null(strstr(err->msg, "history"));
        rc_error_free(err);
        err = NULL;
        c.history_json = NULL;
        labels[0] = "novalue";
        assert_int_equal(rc_image_config_to_json(&c, &j, &err), -1);
        assert_non_null(strstr(err->msg, "label \"novalue\""));
        rc_error_free(err);
        err = NULL;
        bare.os = NULL;
        assert_int_equal(rc_image_config_to_json(&bare, &j, &err), -1);
        rc_error_free(err);
        err = NULL;
        bare.os = "linux";
        diff_ids[0] = "sha256:short";
        bare.diff_ids = diff_ids;
        assert_int_equal(rc_image_config_to_json(&bare, &j, &err), -1);
        rc_error_free(err);
}

/* Limits: entry counts, string sizes, document size, container count. */
static void test_config_limits(void **state)
{
        struct rc_image_config c = { 0 };
        rc_error *err = NULL;
        size_t cap = 16 * 1024 * 1024, n;
        char *buf = xmalloc(cap);
        int r;

        n = (size_t)sprintf(buf, "{\"architecture\":\"amd64\",\"os\":\"linux\"," ROOTFS ",\"config\":{\"Env\":[");
        for (int i = 0; i <= RC_IMAGE_MAX_ENTRIES; i++)
                n += (size_t)sprintf(buf + n, "%s\"A=1\"", i ? "," : "");
        strcpy(buf + n, "]}}");
        r = rc_image_config_parse(buf, strlen(buf), &c, &err);
        expect_error(r, err, "env", "config.Env has more than 10000");
        rc_error_free(err);
        err = NULL;

        strcpy(buf, MIN_CFG ",\"author\":\"");
        n = strlen(buf);
        memset(buf + n, 'x', RC_IMAGE_MAX_STRING + 1);
        strcpy(buf + n + RC_IMAGE_MAX_STRING + 1, "\"}");
        r = rc_image_config_parse(buf, strlen(buf), &c, &err);
        expect_error(r, err, "author", "author is longer than");
        rc_error_free(err);
        err = NULL;

        n = (size_t)sprintf(buf, MIN_CFG ",\"x\":\"");
        memset(buf + n, 'x', RC_IMAGE_JSON_MAX);
        strcpy(buf + n + RC_IMAGE_JSON_MAX, "\"}");
        r = rc_image_config_parse(buf, strlen(buf), &c, &err);
        expect_error(r, err, "big", "is more than the limit");
        rc_error_free(err);
        err = NULL;

        n = (size_t)sprintf(buf, MIN_CFG ",\"x\":[");
        for (int i = 0; i < 200000; i++)
                n += (size_t)sprintf(buf + n, "%s[]", i ? "," : "");
        strcpy(buf + n, "]}");
        r = rc_image_config_parse(buf, strlen(buf), &c, &err);
        expect_error(r, err, "arrays", "JSON objects and arrays");
        rc_error_free(err);
        free(buf);
}

/* ---- manifests ---- */

#define CONFIG_DESC "\"config\":{\"mediaType\":\"" RC_MEDIA_OCI_CONFIG "\",\"digest\":\"" D1 "\",\"size\":7023}"
#define LAYER(type, d, size) "{\"mediaType\":\"" type "\",\"digest\":\"" d "\",\"size\":" #size "}"
#define MANIFEST(layers) "{\"schemaVersion\":2,\"mediaType\":\"" RC_MEDIA_OCI_MANIFEST "\"," CONFIG_DESC \
                         ",\"layers\":[" layers "]}"

static const char *const good_manifests[] = {
        MANIFEST(LAYER(RC_MEDIA_OCI_LAYER_GZIP, D2, 32654) "," LAYER(RC_MEDIA_OCI_LAYER_ZSTD, D3, 0)),
        MANIFEST(LAYER(RC_MEDIA_OCI_LAYER, D2, 1) "," LAYER(RC_MEDIA_OCI_LAYER_ND_GZIP, D3, 9223372036854775807)),
        MANIFEST(""),
        "{\"schemaVersion\":2,\"mediaType\":\"" RC_MEDIA_DOCKER_MANIFEST "\",\"config\":{\"mediaType\":\""
        RC_MEDIA_DOCKER_CONFIG "\",\"size\":1469,\"digest\":\"" D1 "\"},\"layers\":[" LAYER(
                RC_MEDIA_DOCKER_LAYER_GZIP, D2, 2797541) "," LAYER(RC_MEDIA_DOCKER_LAYER_FOREIGN, D3, 5) "]}",
        /* OCI without mediaType; annotations, urls and unknown fields. */
        "{\"schemaVersion\":2," CONFIG_DESC ",\"layers\":[{\"mediaType\":\"" RC_MEDIA_OCI_LAYER_ZSTD "\","
        "\"digest\":\"" D2 "\",\"size\":3,\"urls\":[\"https://x\"],\"annotations\":{\"a\":\"b\"}}],"
        "\"annotations\":{\"org.opencontainers.image.created\":\"now\"},\"subject\":null}",
};

static const struct bad_case bad_manifests[] = {
        { "{}", "manifest: schemaVersion is required" },
        { "{\"schemaVersion\":1,\"config\":{}}", "manifest: schemaVersion 1 is not supported" },
        { "{\"schemaVersion\":\"2\"," CONFIG_DESC ",\"layers\":[]}", "schemaVersion must be an integer" },
        { "{\"schemaVersion\":2.0," CONFIG_DESC ",\"layers\":[]}", "schemaVersion must be an integer" },
        { "{\"schemaVersion\":2,\"layers\":[]}", "manifest: config is required" },
        { "{\"schemaVersion\":2,\"config\":[],\"layers\":[]}", "manifest: config must be an object" },
        { "{\"schemaVersion\":2," CONFIG_DESC "}", "manifest: layers is required" },
        { "{\"schemaVersion\":2," CONFIG_DESC ",\"layers\":{}}", "manifest: layers must be an array" },
        { "{\"schemaVersion\":2," CONFIG_DESC ",\"layers\":[1]}", "manifest: layers[0] must be an object" },
        { "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"application/vnd.cncf.helm.config.v1+json\",\"digest\":"
          "\"" D1 "\",\"size\":1},\"layers\":[]}",
          "config.mediaType \"application/vnd.cncf.helm.config.v1+json\" is not a container image config" },
        { "{\"schemaVersion\":2,\"config\":{\"digest\":\"" D1 "\",\"size\":1},\"layers\":[]}",
          "config.mediaType is required" },
        { MANIFEST(LAYER("application/x-tar", D2, 1)), "layers[0].mediaType \"application/x-tar\" is not a layer" },
        { MANIFEST(LAYER(RC_MEDIA_OCI_LAYER, "sha512:abcd", 1)), "layers[0].digest \"sha512:abcd\" is not supported" },
        { MANIFEST(LAYER(RC_MEDIA_OCI_LAYER, "sha256:ABCD", 1)), "layers[0].digest" },
        { MANIFEST(LAYER(RC_MEDIA_OCI_LAYER, D2, -1)), "layers[0].size must be between 0 and" },
        { MANIFEST(LAYER(RC_MEDIA_OCI_LAYER, D2, 1.5)), "layers[0].size must be an integer" },
        { MANIFEST(LAYER(RC_MEDIA_OCI_LAYER, D2, "1")), "layers[0].size must be an integer" },
        { MANIFEST(LAYER(RC_MEDIA_OCI_LAYER, D2, 99999999999999999999)), "layers[0].size must be between" },
        { MANIFEST(LAYER(RC_MEDIA_OCI_LAYER, D2, 1) ",{\"mediaType\":\"" RC_MEDIA_OCI_LAYER "\",\"size\":1}"),
          "layers[1].digest is required" },
        { MANIFEST(LAYER(RC_MEDIA_OCI_LAYER, D2, 1) ",{\"mediaType\":\"" RC_MEDIA_OCI_LAYER "\",\"digest\":\"" D2
                   "\"}"),
          "layers[1].size is required" },
        { "{\"schemaVersion\":2,\"mediaType\":\"" RC_MEDIA_OCI_INDEX "\",\"manifests\":[]}",
          "manifest: this is an image index" },
        { "{\"schemaVersion\":2,\"manifests\":[]}", "this is an image index" },
        { "{\"schemaVersion\":1,\"mediaType\":\"application/vnd.docker.distribution.manifest.v1+prettyjws\"}",
          "Docker schema 1 manifests are not supported" },
        { "{\"schemaVersion\":2,\"mediaType\":\"text/html\"}", "mediaType \"text/html\" is not an image manifest" },
        { "{\"schemaVersion\":2,\"mediaType\":7}", "manifest: mediaType must be a string" },
        { "<html>", "manifest: invalid JSON" },
};

static void test_manifest_parse(void **state)
{
        struct rc_manifest m = { 0 };
        rc_error *err = NULL;

        for (size_t i = 0; i < sizeof(bad_manifests) / sizeof(*bad_manifests); i++) {
                int r = rc_manifest_parse(bad_manifests[i].json, strlen(bad_manifests[i].json), &m, &err);
                expect_error(r, err, bad_manifests[i].json, bad_manifests[i].msg);
                assert_null(m.layers);
                rc_error_free(err);
                err = NULL;
        }
        for (size_t i = 0; i < sizeof(good_manifests) / sizeof(*good_manifests); i++) {
                if (rc_manifest_parse(good_manifests[i], strlen(good_manifests[i]), &m, &err) < 0)
                        fail_msg("manifest %zu: %s", i, err->msg);
                assert_int_equal(m.schema_version, 2);
                rc_manifest_free(&m);
        }

        assert_int_equal(rc_manifest_parse(good_manifests[3], strlen(good_manifests[3]), &m, &err), 0);
        assert_string_equal(m.media_type, RC_MEDIA_DOCKER_MANIFEST);
        assert_string_equal(m.config.media_type, RC_MEDIA_DOCKER_CONFIG);
        assert_string_equal(m.config.digest, D1);
        assert_int_equal(m.config.size, 1469);
        assert_int_equal(m.n_layers, 2);
        assert_string_equal(m.layers[0].digest, D2);
        assert_int_equal(m.layers[0].size, 2797541);
        assert_null(m.layers[0].platform_os);
        rc_manifest_free(&m);

        assert_int_equal(rc_manifest_parse(good_manifests[4], strlen(good_manifests[4]), &m, &err), 0);
        assert_string_equal(m.media_type, RC_MEDIA_OCI_MANIFEST); /* defaulted */
        rc_manifest_free(&m);
}

static void test_manifest_roundtrip(void **state)
{
        struct rc_descriptor layer = { .media_type = RC_MEDIA_OCI_LAYER_GZIP, .digest = D2, .size = 42 };
        struct rc_manifest built = { .schema_version = 2, .media_type = RC_MEDIA_OCI_MANIFEST,
                                     .config = { .media_type = RC_MEDIA_OCI_CONFIG, .digest = D1, .size = 7 },
                                     .layers = &layer, .n_layers = 1 };
        rc_error *err = NULL;
        char *j = NULL;

        for (size_t i = 0; i < sizeof(good_manifests) / sizeof(*good_manifests); i++) {
                struct rc_manifest a = { 0 }, b = { 0 };
                char *j1 = NULL, *j2 = NULL;
                assert_int_equal(rc_manifest_parse(good_manifests[i], strlen(good_manifests[i]), &a, &err), 0);
                assert_int_equal(rc_manifest_to_json(&a, &j1, &err), 0);
                if (rc_manifest_parse(j1, strlen(j1), &b, &err) < 0)
                        fail_msg("reparse: %s: %s", err->msg, j1);
                assert_true(str_eq(a.media_type, b.media_type) && a.schema_version == b.schema_version);
                assert_desc_equal(&a.config, &b.config);
                assert_int_equal(a.n_layers, b.n_layers);
                for (size_t k = 0; k < a.n_layers; k++)
                        assert_desc_equal(&a.layers[k], &b.layers[k]);
                assert_int_equal(rc_manifest_to_json(&b, &j2, &err), 0);
                assert_string_equal(j1, j2);
                free(j1);
                free(j2);
                rc_manifest_free(&a);
                rc_manifest_free(&b);
        }

        assert_int_equal(rc_manifest_to_json(&built, &j, &err), 0);
        assert_string_equal(j, "{\"schemaVersion\":2,\"mediaType\":\"" RC_MEDIA_OCI_MANIFEST "\",\"config\":{"
                               "\"mediaType\":\"" RC_MEDIA_OCI_CONFIG "\",\"digest\":\"" D1 "\",\"size\":7},"
                               "\"layers\":[{\"mediaType\":\"" RC_MEDIA_OCI_LAYER_GZIP "\",\"digest\":\"" D2 "\","
                               "\"size\":42}]}");
        free(j);
        layer.size = -1;
        assert_int_equal(rc_manifest_to_json(&built, &j, &err), -1);
        assert_non_null(strstr(err->msg, "negative"));
        rc_error_free(err);
        err = NULL;
        layer.size = 1;
        layer.digest = "sha256:x";
        assert_int_equal(rc_manifest_to_json(&built, &j, &err), -1);
        rc_error_free(err);
}

/* ---- indexes ---- */

#define ENTRY(d, os, arch, variant)                                                                             \
        "{\"mediaType\":\"" RC_MEDIA_OCI_MANIFEST "\",\"digest\":\"" d "\",\"size\":1,\"platform\":{"            \
        "\"architecture\":\"" arch "\",\"os\":\"" os "\"" variant "}}"
#define R8(c) #c #c #c #c #c #c #c #c
#define DH(c) "sha256:" R8(c) R8(c) R8(c) R8(c) R8(c) R8(c) R8(c) R8(c)

static const char multi_index[] =
        "{\"schemaVersion\":2,\"mediaType\":\"" RC_MEDIA_OCI_INDEX "\",\"manifests\":["
        ENTRY(DH(a), "unknown", "unknown", "") ","
        ENTRY(DH(1), "linux", "amd64", "") ","
        ENTRY(DH(2), "linux", "arm64", "") ","
        ENTRY(DH(3), "linux", "arm", ",\"variant\":\"v7\"") ","
        ENTRY(DH(4), "linux", "arm", ",\"variant\":\"v6\"") ","
        ENTRY(DH(5), "linux", "386", "") ","
        ENTRY(DH(6), "windows", "amd64", ",\"os.version\":\"10.0\"") ","
        "{\"mediaType\":\"application/vnd.in-toto+json\",\"digest\":\"" DH(b) "\",\"size\":1,\"platform\":{"
        "\"architecture\":\"s390x\",\"os\":\"linux\"}},"
        "{\"mediaType\":\"" RC_MEDIA_OCI_MANIFEST "\",\"digest\":\"" DH(c) "\",\"size\":1}]}";

static const char small_index[] = "{\"schemaVersion\":2,\"mediaType\":\"" RC_MEDIA_DOCKER_LIST "\",\"manifests\":["
        ENTRY(DH(7), "linux", "arm64", ",\"variant\":\"v8\"") ","
        ENTRY(DH(8), "linux", "arm", ",\"variant\":\"5\"") "]}";

static void test_index_select(void **state)
{
        static const struct {
                const char *index, *os, *arch, *variant, *digest; /* digest NULL: none */
        } cases[] = {
                { multi_index, "linux", "amd64", NULL, DH(1) },    { multi_index, "linux", "x86_64", NULL, DH(1) },
                { multi_index, "linux", "amd64", "v1", DH(1) },    { multi_index, "linux", "arm64", NULL, DH(2) },
                { multi_index, "linux", "arm64", "v8", DH(2) },    { multi_index, "linux", "aarch64", NULL, DH(2) },
                { multi_index, "linux", "arm64", "v9", DH(2) },    { multi_index, "linux", "arm", NULL, DH(3) },
                { multi_index, "linux", "arm", "v7", DH(3) },      { multi_index, "linux", "arm", "7", DH(3) },
                { multi_index, "linux", "arm", "v8", DH(3) },      { multi_index, "linux", "arm", "v6", DH(4) },
                { multi_index, "linux", "armel", NULL, DH(4) },    { multi_index, "linux", "arm", "v5", NULL },
                { multi_index, "linux", "386", NULL, DH(5) },      { multi_index, "windows", "amd64", NULL, DH(6) },
                { multi_index, "linux", "s390x", NULL, NULL },     { multi_index, "linux", "riscv64", NULL, NULL },
                { multi_index, "unknown", "unknown", NULL, DH(a) }, { small_index, "linux", "arm64", NULL, DH(7) },
                { small_index, "linux", "arm", "v7", DH(8) },      { small_index, "linux", "amd64", NULL, NULL },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
                struct rc_index idx = { 0 };
                const struct rc_descriptor *d = NULL;
                rc_error *err = NULL;
                int r;

                if (rc_index_parse(cases[i].index, strlen(cases[i].index), &idx, &err) < 0)
                        fail_msg("index: %s", err->msg);
                r = rc_index_select(&idx, cases[i].os, cases[i].arch, cases[i].variant, &d, &err);
                if (cases[i].digest == NULL) {
                        if (r == 0)
                                fail_msg("case %zu: selected %s, expected none", i, d->digest);
                        assert_non_null(strstr(err->msg, "(it has: linux/"));
                        rc_error_free(err);
                } else {
                        if (r < 0)
                                fail_msg("case %zu: %s", i, err->msg);
                        if (strcmp(d->digest, cases[i].digest) != 0)
                                fail_msg("case %zu (%s/%s): got %s", i, cases[i].os, cases[i].arch, d->digest);
                }
                rc_index_free(&idx);
        }
}

static const struct bad_case bad_indexes[] = {
        { "{\"schemaVersion\":2}", "image index: manifests is required" },
        { "{\"schemaVersion\":2,\"manifests\":{}}", "image index: manifests must be an array" },
        { "{\"manifests\":[]}", "image index: schemaVersion is required" },
        { "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"x\",\"digest\":\"" D1 "\",\"size\":1,\"platform\":"
          "[]}]}",
          "manifests[0].platform must be an object" },
        { "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"x\",\"digest\":\"" D1 "\",\"size\":1,\"platform\":"
          "{\"architecture\":\"amd64\"}}]}",
          "manifests[0].platform.os is required" },
        { "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"x\",\"digest\":\"" D1 "\",\"size\":1,\"platform\":"
          "{\"architecture\":\"amd64\",\"os\":\"linux\",\"variant\":1}}]}",
          "manifests[0].platform.variant must be a string" },
        { "{\"schemaVersion\":2,\"manifests\":[{\"digest\":\"" D1 "\",\"size\":1}]}",
          "manifests[0].mediaType is required" },
        { MANIFEST(""), "image index: this is an image manifest, not an index" },
        { "{\"schemaVersion\":2," CONFIG_DESC ",\"layers\":[]}", "this is an image manifest" },
        { "{\"schemaVersion\":2,\"mediaType\":\"application/json\",\"manifests\":[]}", "is not an image index" },
};

static void test_index_parse(void **state)
{
        struct rc_index idx = { 0 };
        rc_error *err = NULL;

        for (size_t i = 0; i < sizeof(bad_indexes) / sizeof(*bad_indexes); i++) {
                int r = rc_index_parse(bad_indexes[i].json, strlen(bad_indexes[i].json), &idx, &err);
                expect_error(r, err, bad_indexes[i].json, bad_indexes[i].msg);
                assert_null(idx.manifests);
                rc_error_free(err);
                err = NULL;
        }
        assert_int_equal(rc_index_parse(multi_index, strlen(multi_index), &idx, &err), 0);
        assert_string_equal(idx.media_type, RC_MEDIA_OCI_INDEX);
        assert_int_equal(idx.n, 9);
        assert_string_equal(idx.manifests[3].platform_variant, "v7");
        assert_null(idx.manifests[8].platform_os);
        rc_index_free(&idx);
        assert_int_equal(rc_index_parse(small_index, strlen(small_index), &idx, &err), 0);
        assert_string_equal(idx.media_type, RC_MEDIA_DOCKER_LIST);
        rc_index_free(&idx);
        assert_int_equal(rc_index_parse("{\"schemaVersion\":2,\"manifests\":[]}", 34, &idx, &err), 0);
        assert_string_equal(idx.media_type, RC_MEDIA_OCI_INDEX);
        assert_int_equal(idx.n, 0);
        rc_index_free(&idx);
}

static void test_platform_host(void **state)
{
        const char *os = NULL, *arch = NULL, *variant = "unset";

        rc_platform_host(&os, &arch, &variant);
        assert_string_equal(os, "linux");
        assert_non_null(arch);
#if defined(__x86_64__)
        assert_string_equal(arch, "amd64");
        assert_null(variant);
#elif defined(__aarch64__)
        assert_string_equal(arch, "arm64");
        assert_string_equal(variant, "v8");
#endif
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_config_parse),     cmocka_unit_test(test_config_fields),
                cmocka_unit_test(test_config_roundtrip), cmocka_unit_test(test_config_canonical),
                cmocka_unit_test(test_config_limits),    cmocka_unit_test(test_manifest_parse),
                cmocka_unit_test(test_manifest_roundtrip), cmocka_unit_test(test_index_parse),
                cmocka_unit_test(test_index_select),     cmocka_unit_test(test_platform_host),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
