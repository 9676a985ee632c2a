/* Recording an image rc made (a build step, a build's result, a commit):
 * its config with diff_ids and history, an OCI manifest of its layers'
 * blobs, the record and its names. */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "build/internal.h"
#include "images/images.h"
#include "util/xalloc.h"

char *bld_now_rfc3339(void)
{
        char buf[64];
        struct timespec ts;
        struct tm tm;

        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
        return xasprintf("%s.%09ldZ", buf, ts.tv_nsec);
}

void bld_history_add(struct rc_image_config *c, const char *created, const char *created_by, const char *author,
                     const char *comment, bool empty_layer)
{
        json_object *h = NULL, *e = json_object_new_object();

        if (c->history_json)
                h = json_tokener_parse(c->history_json);
        if (h == NULL || !json_object_is_type(h, json_type_array)) {
                json_object_put(h);
                h = json_object_new_array();
        }
        if (created)
                json_object_object_add(e, "created", json_object_new_string(created));
        if (created_by)
                json_object_object_add(e, "created_by", json_object_new_string(created_by));
        if (author)
                json_object_object_add(e, "author", json_object_new_string(author));
        if (comment)
                json_object_object_add(e, "comment", json_object_new_string(comment));
        if (empty_layer)
                json_object_object_add(e, "empty_layer", json_object_new_boolean(true));
        json_object_array_add(h, e);
        free(c->history_json);
        c->history_json =
                xstrdup(json_object_to_json_string_ext(h, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(h);
}

void bld_history_cover(struct rc_image_config *c, size_t n_layers)
{
        json_object *h = c->history_json ? json_tokener_parse(c->history_json) : NULL, *all;
        size_t with_layer = 0, n;

        if (h == NULL || !json_object_is_type(h, json_type_array)) {
                json_object_put(h);
                h = json_object_new_array();
        }
        n = json_object_array_length(h);
        for (size_t i = 0; i < n; i++) {
                json_object *empty = NULL;
                json_object_object_get_ex(json_object_array_get_idx(h, i), "empty_layer", &empty);
                with_layer += !json_object_get_boolean(empty);
        }
        if (with_layer >= n_layers) {
                json_object_put(h);
                return;
        }
        /* the layers without an entry are the first ones (an imported
         * image's history is simply missing) */
        all = json_object_new_array();
        for (size_t i = with_layer; i < n_layers; i++) {
                json_object *e = json_object_new_object();
                if (c->created)
                        json_object_object_add(e, "created", json_object_new_string(c->created));
                json_object_array_add(all, e);
        }
        for (size_t i = 0; i < n; i++)
                json_object_array_add(all, json_object_get(json_object_array_get_idx(h, i)));
        free(c->history_json);
        c->history_json =
                xstrdup(json_object_to_json_string_ext(all, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(all);
        json_object_put(h);
}

int bld_image_store(struct rc_store *s, struct rc_image_config *c, char *const *layers, char *const *names,
                    char id_out[RC_DIGEST_HEX_LEN + 1], rc_error **err)
{
        size_t n = strv_len(layers);
        struct rc_layer *ls = xcalloc(n + 1, sizeof(*ls));
        struct rc_manifest m = { .schema_version = 2, .media_type = (char *)RC_MEDIA_OCI_MANIFEST };
        struct rc_image img = { 0 };
        struct rc_image_config check = { 0 };
        cleanup_free char *config_json = NULL, *manifest_json = NULL;
        cleanup_strv char **full_names = xcalloc(1, sizeof(char *));
        char config_digest[RC_DIGEST_LEN + 1], manifest_digest[RC_DIGEST_LEN + 1];
        int r = -1;

        for (size_t i = 0; names && names[i]; i++) {
                cleanup_free char *full = NULL;
                if (rc_images_normalize_name(names[i], &full, err) < 0)
                        goto out;
                strv_push(&full_names, full);
        }
        strv_free(c->diff_ids);
        c->diff_ids = xcalloc(n + 1, sizeof(char *));
        m.layers = xcalloc(n + 1, sizeof(*m.layers));
        m.n_layers = n;
        for (size_t i = 0; i < n; i++) {
                if (rc_store_layer_get(s, layers[i], &ls[i], err) < 0)
                        goto out;
                c->diff_ids[i] = xstrdup(ls[i].diff_id);
                m.layers[i].media_type = (char *)rc_layer_media_type(rc_layer_compression(ls[i].media_type));
                m.layers[i].digest = ls[i].blob_digest;
                m.layers[i].size = (int64_t)ls[i].blob_size;
                img.size += ls[i].tar_size;
        }
        if (rc_image_config_to_json(c, &config_json, err) < 0)
                goto out;
        /* what rc writes, rc (and everyone) must read back: a config beyond
         * the parser's limits (history, labels...) is refused here */
        if (rc_image_config_parse(config_json, strlen(config_json), &check, err) < 0) {
                rc_error_wrap(err, "the image's config would not be readable");
                goto out;
        }
        if (rc_store_blob_put(s, config_json, strlen(config_json), config_digest, err) < 0)
                goto out;
        m.config.media_type = (char *)RC_MEDIA_OCI_CONFIG;
        m.config.digest = config_digest;
        m.config.size = (int64_t)strlen(config_json);
        if (rc_manifest_to_json(&m, &manifest_json, err) < 0 ||
            rc_store_blob_put(s, manifest_json, strlen(manifest_json), manifest_digest, err) < 0)
                goto out;
        snprintf(img.id, sizeof(img.id), "%s", rc_digest_hex(config_digest));
        memcpy(img.config_digest, config_digest, sizeof(config_digest));
        memcpy(img.manifest_digest, manifest_digest, sizeof(manifest_digest));
        img.layers = (char **)layers;
        img.names = full_names;
        img.created = (int64_t)time(NULL);
        if (rc_store_image_add(s, &img, err) < 0)
                goto out;
        memcpy(id_out, img.id, sizeof(img.id));
        r = 0;
out:
        rc_image_config_free(&check);
        free(m.layers);
        free(ls);
        return r;
}
