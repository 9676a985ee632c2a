/* libFuzzer entry point for the image JSON parsers (config, manifest,
 * index): no crash on any input, and whatever parses serialises to a
 * canonical form that parses again and serialises to the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/image.h"

static void fuzz_config(const char *data, size_t size)
{
        struct rc_image_config c = { 0 }, c2 = { 0 };
        rc_error *err = NULL;
        char *j1 = NULL, *j2 = NULL;

        if (rc_image_config_parse(data, size, &c, &err) < 0) {
                rc_error_free(err);
                return;
        }
        if (rc_image_config_to_json(&c, &j1, &err) < 0 || rc_image_config_parse(j1, strlen(j1), &c2, &err) < 0 ||
            rc_image_config_to_json(&c2, &j2, &err) < 0 || strcmp(j1, j2) != 0)
                abort();
        free(j1);
        free(j2);
        rc_image_config_free(&c);
        rc_image_config_free(&c2);
}

static void fuzz_manifest(const char *data, size_t size)
{
        struct rc_manifest m = { 0 }, m2 = { 0 };
        rc_error *err = NULL;
        char *j1 = NULL, *j2 = NULL;

        if (rc_manifest_parse(data, size, &m, &err) < 0) {
                rc_error_free(err);
                return;
        }
        if (rc_manifest_to_json(&m, &j1, &err) < 0 || rc_manifest_parse(j1, strlen(j1), &m2, &err) < 0 ||
            rc_manifest_to_json(&m2, &j2, &err) < 0 || strcmp(j1, j2) != 0)
                abort();
        free(j1);
        free(j2);
        rc_manifest_free(&m);
        rc_manifest_free(&m2);
}

static void fuzz_index(const char *data, size_t size)
{
        static const char *const platforms[][3] = {
                { "linux", "amd64", NULL }, { "linux", "arm64", NULL }, { "linux", "arm", "v7" },
        };
        struct rc_index idx = { 0 };
        rc_error *err = NULL;

        if (rc_index_parse(data, size, &idx, &err) < 0) {
                rc_error_free(err);
                return;
        }
        for (size_t i = 0; i < sizeof(platforms) / sizeof(*platforms); i++) {
                const struct rc_descriptor *d = NULL;
                if (rc_index_select(&idx, platforms[i][0], platforms[i][1], platforms[i][2], &d, &err) < 0) {
                        rc_error_free(err);
                        err = NULL;
                } else if (d < idx.manifests || d >= idx.manifests + idx.n) {
                        abort();
                }
        }
        rc_index_free(&idx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        fuzz_config((const char *)data, size);
        fuzz_manifest((const char *)data, size);
        fuzz_index((const char *)data, size);
        return 0;
}
