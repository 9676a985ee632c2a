/* An image as the store holds it: its layer records and a manifest of the
 * blobs rc keeps, for save and push. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "images/images.h"
#include "util/xalloc.h"

const char *rc_layer_media_type(enum rc_compression c)
{
        switch (c) {
        case RC_COMPRESSION_GZIP:
                return RC_MEDIA_OCI_LAYER_GZIP;
        case RC_COMPRESSION_ZSTD:
                return RC_MEDIA_OCI_LAYER_ZSTD;
        default:
                return RC_MEDIA_OCI_LAYER;
        }
}

enum rc_compression rc_layer_compression(const char *media_type)
{
        size_t n = strlen(media_type);

        if ((n > 5 && strcmp(media_type + n - 5, "+gzip") == 0) || strcmp(media_type, RC_MEDIA_DOCKER_LAYER_GZIP) == 0 ||
            strcmp(media_type, RC_MEDIA_DOCKER_LAYER_FOREIGN) == 0)
                return RC_COMPRESSION_GZIP;
        if (n > 5 && strcmp(media_type + n - 5, "+zstd") == 0)
                return RC_COMPRESSION_ZSTD;
        return RC_COMPRESSION_NONE;
}

int rc_images_stored(struct rc_store *s, const char *what, struct rc_stored_image *out, rc_error **err)
{
        struct rc_stored_image si = { 0 };
        cleanup_free char *config_path = NULL;
        struct stat st;

        if (rc_images_resolve(s, what, &si.img, err) < 0)
                return -1;
        si.n_layers = strv_len(si.img.layers);
        si.layers = xcalloc(si.n_layers + 1, sizeof(*si.layers));
        for (size_t i = 0; i < si.n_layers; i++) {
                if (rc_store_layer_get(s, si.img.layers[i], &si.layers[i], err) < 0)
                        goto fail;
                if (!rc_store_blob_exists(s, si.layers[i].blob_digest)) {
                        rc_error_set(err, ENOENT,
                                     "image %.12s: the blob of layer %s is missing from the store; pull the image "
                                     "again",
                                     si.img.id, si.layers[i].diff_id);
                        goto fail;
                }
        }
        config_path = rc_store_blob_path(s, si.img.config_digest);
        if (stat(config_path, &st) < 0) {
                rc_error_set(err, errno, "image %.12s: config %s", si.img.id, config_path);
                goto fail;
        }
        si.config_size = st.st_size;
        *out = si;
        return 0;
fail:
        rc_stored_image_free(&si);
        return -1;
}

void rc_stored_image_free(struct rc_stored_image *si)
{
        rc_image_free(&si->img);
        free(si->layers);
        memset(si, 0, sizeof(*si));
}

int rc_stored_image_manifest(const struct rc_stored_image *si, char **json, rc_error **err)
{
        struct rc_manifest m = { .schema_version = 2, .media_type = (char *)RC_MEDIA_OCI_MANIFEST };
        int r;

        m.config.media_type = (char *)RC_MEDIA_OCI_CONFIG;
        m.config.digest = (char *)si->img.config_digest;
        m.config.size = si->config_size;
        m.layers = xcalloc(si->n_layers + 1, sizeof(*m.layers));
        m.n_layers = si->n_layers;
        for (size_t i = 0; i < si->n_layers; i++) {
                const struct rc_layer *l = &si->layers[i];
                m.layers[i].media_type = (char *)rc_layer_media_type(rc_layer_compression(l->media_type));
                m.layers[i].digest = (char *)l->blob_digest;
                m.layers[i].size = (int64_t)l->blob_size;
        }
        r = rc_manifest_to_json(&m, json, err);
        free(m.layers);
        return r;
}
