/* Image manifests and indexes (OCI, and Docker v2 schema 2 manifests and
 * manifest lists, which have the same shape). */
#include "image/image.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/internal.h"
#include "util/digest.h"
#include "util/xalloc.h"

#define DOC_MANIFEST "manifest"
#define DOC_INDEX "image index"

static const char *const layer_types[] = {
        RC_MEDIA_OCI_LAYER,         RC_MEDIA_OCI_LAYER_GZIP,    RC_MEDIA_OCI_LAYER_ZSTD,
        RC_MEDIA_OCI_LAYER_ND,      RC_MEDIA_OCI_LAYER_ND_GZIP, RC_MEDIA_OCI_LAYER_ND_ZSTD,
        RC_MEDIA_DOCKER_LAYER_GZIP, RC_MEDIA_DOCKER_LAYER_FOREIGN,
};

static bool is_one_of(const char *s, const char *const *list, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (strcmp(s, list[i]) == 0)
                        return true;
        return false;
}

static bool is_index_type(const char *t)
{
        return strcmp(t, RC_MEDIA_OCI_INDEX) == 0 || strcmp(t, RC_MEDIA_DOCKER_LIST) == 0;
}

static bool is_manifest_type(const char *t)
{
        return strcmp(t, RC_MEDIA_OCI_MANIFEST) == 0 || strcmp(t, RC_MEDIA_DOCKER_MANIFEST) == 0;
}

static bool is_schema1_type(const char *t)
{
        return strncmp(t, "application/vnd.docker.distribution.manifest.v1+", 48) == 0;
}

static int check_digest(const char *digest, const char *doc, const char *prefix, rc_error **err)
{
        if (!rc_digest_valid(digest))
                return rc_error_set(err, 0,
                                    "%s: %sdigest \"%.80s\" is not supported: rc needs \"sha256:\" and 64 lowercase "
                                    "hex digits",
                                    doc, prefix, digest);
        return 0;
}

int rc_descriptor_parse(json_object *obj, const char *doc, const char *prefix, bool with_platform,
                        struct rc_descriptor *out, rc_error **err)
{
        struct rc_descriptor d = { 0 };
        json_object *platform = NULL;
        cleanup_free char *pprefix = NULL;

        if (!json_object_is_type(obj, json_type_object))
                return rc_error_set(err, 0, "%s: %.*s must be an object", doc, (int)strlen(prefix) - 1, prefix);
        if (rc_json_get_string(obj, doc, prefix, "mediaType", true, &d.media_type, err) < 0 ||
            rc_json_get_string(obj, doc, prefix, "digest", true, &d.digest, err) < 0 ||
            check_digest(d.digest, doc, prefix, err) < 0 || rc_json_get_size(obj, doc, prefix, "size", &d.size, err) < 0)
                goto fail;
        if (with_platform && rc_json_get_object(obj, doc, prefix, "platform", false, &platform, err) < 0)
                goto fail;
        if (platform)
                pprefix = xasprintf("%splatform.", prefix);
        if (platform && (rc_json_get_string(platform, doc, pprefix, "os", true, &d.platform_os, err) < 0 ||
                         rc_json_get_string(platform, doc, pprefix, "architecture", true, &d.platform_arch, err) < 0 ||
                         rc_json_get_string(platform, doc, pprefix, "variant", false, &d.platform_variant, err) < 0))
                goto fail;
        *out = d;
        return 0;
fail:
        rc_descriptor_free(&d);
        return -1;
}

int rc_descriptor_to_json(const struct rc_descriptor *d, const char *doc, const char *what, json_object **out,
                          rc_error **err)
{
        json_object *o;

        if (d->media_type == NULL)
                return rc_error_set(err, 0, "%s: %s has no media type", doc, what);
        if (d->digest == NULL || !rc_digest_valid(d->digest))
                return rc_error_set(err, 0, "%s: %s digest \"%s\" is not a sha256 digest", doc, what,
                                    d->digest ? d->digest : "");
        if (d->size < 0)
                return rc_error_set(err, 0, "%s: %s size %lld is negative", doc, what, (long long)d->size);
        if ((d->platform_os == NULL) != (d->platform_arch == NULL) || (d->platform_variant && !d->platform_os))
                return rc_error_set(err, 0, "%s: %s platform needs both os and architecture", doc, what);
        /* The OCI spec's field order. */
        o = json_object_new_object();
        rc_json_add_string(o, "mediaType", d->media_type);
        rc_json_add_string(o, "digest", d->digest);
        json_object_object_add(o, "size", json_object_new_int64(d->size));
        if (d->platform_os) {
                json_object *p = json_object_new_object();
                json_object_object_add(o, "platform", p);
                rc_json_add_string(p, "architecture", d->platform_arch);
                rc_json_add_string(p, "os", d->platform_os);
                rc_json_add_string(p, "variant", d->platform_variant);
        }
        *out = o;
        return 0;
}

void rc_descriptor_free(struct rc_descriptor *d)
{
        free(d->media_type);
        free(d->digest);
        free(d->platform_os);
        free(d->platform_arch);
        free(d->platform_variant);
        memset(d, 0, sizeof(*d));
}

static int parse_schema_version(json_object *root, const char *doc, int *out, rc_error **err)
{
        json_object *v = rc_json_member(root, "schemaVersion");

        if (v == NULL)
                return rc_error_set(err, 0, "%s: schemaVersion is required", doc);
        if (!json_object_is_type(v, json_type_int))
                return rc_error_set(err, 0, "%s: schemaVersion must be an integer", doc);
        if (json_object_get_int64(v) != 2)
                return rc_error_set(err, 0, "%s: schemaVersion %lld is not supported (only 2; Docker schema 1 "
                                    "images must be converted, e.g. by pushing them again with a current tool)",
                                    doc, (long long)json_object_get_int64(v));
        *out = 2;
        return 0;
}

/* Descriptors of a JSON array member: layers or manifests. */
static int parse_descriptors(json_object *root, const char *doc, const char *key, bool with_platform,
                             struct rc_descriptor **out, size_t *n_out, rc_error **err)
{
        json_object *a = rc_json_member(root, key);
        struct rc_descriptor *ds;
        size_t n;

        if (a == NULL)
                return rc_error_set(err, 0, "%s: %s is required", doc, key);
        if (!json_object_is_type(a, json_type_array))
                return rc_error_set(err, 0, "%s: %s must be an array", doc, key);
        n = json_object_array_length(a);
        if (n > RC_IMAGE_MAX_ENTRIES)
                return rc_error_set(err, 0, "%s: %s has more than %d entries", doc, key, RC_IMAGE_MAX_ENTRIES);
        ds = xcalloc(n ? n : 1, sizeof(*ds));
        for (size_t i = 0; i < n; i++) {
                char prefix[64];
                snprintf(prefix, sizeof(prefix), "%s[%zu].", key, i);
                if (rc_descriptor_parse(json_object_array_get_idx(a, i), doc, prefix, with_platform, &ds[i], err) < 0) {
                        for (size_t j = 0; j < i; j++)
                                rc_descriptor_free(&ds[j]);
                        free(ds);
                        return -1;
                }
        }
        *out = ds;
        *n_out = n;
        return 0;
}

int rc_manifest_parse(const char *json, size_t len, struct rc_manifest *out, rc_error **err)
{
        cleanup_json json_object *root = NULL;
        struct rc_manifest m = { 0 };
        json_object *config;

        if (rc_json_parse(json, len, DOC_MANIFEST, json_type_object, &root, err) < 0 ||
            rc_json_get_string(root, DOC_MANIFEST, "", "mediaType", false, &m.media_type, err) < 0)
                return -1;
        if (m.media_type == NULL) {
                /* OCI manifests may omit it; Docker's always have it. */
                if (rc_json_member(root, "manifests") && !rc_json_member(root, "config"))
                        goto is_index;
                m.media_type = xstrdup(RC_MEDIA_OCI_MANIFEST);
        } else if (is_index_type(m.media_type)) {
                goto is_index;
        } else if (is_schema1_type(m.media_type)) {
                rc_error_set(err, 0,
                             DOC_MANIFEST ": Docker schema 1 manifests are not supported (the image must be "
                                          "pushed again with a current tool)");
                goto fail;
        } else if (!is_manifest_type(m.media_type)) {
                rc_error_set(err, 0, DOC_MANIFEST ": mediaType \"%.200s\" is not an image manifest",
                             m.media_type);
                goto fail;
        }
        if (parse_schema_version(root, DOC_MANIFEST, &m.schema_version, err) < 0 ||
            rc_json_get_object(root, DOC_MANIFEST, "", "config", true, &config, err) < 0 ||
            rc_descriptor_parse(config, DOC_MANIFEST, "config.", false, &m.config, err) < 0)
                goto fail;
        if (strcmp(m.config.media_type, RC_MEDIA_OCI_CONFIG) != 0 &&
            strcmp(m.config.media_type, RC_MEDIA_DOCKER_CONFIG) != 0) {
                rc_error_set(err, 0,
                             DOC_MANIFEST ": config.mediaType \"%.200s\" is not a container image config (this "
                                          "is an OCI artifact, not an image rc can run)",
                             m.config.media_type);
                goto fail;
        }
        if (parse_descriptors(root, DOC_MANIFEST, "layers", false, &m.layers, &m.n_layers, err) < 0)
                goto fail;
        for (size_t i = 0; i < m.n_layers; i++) {
                if (!is_one_of(m.layers[i].media_type, layer_types, sizeof(layer_types) / sizeof(*layer_types))) {
                        rc_error_set(err, 0,
                                     DOC_MANIFEST ": layers[%zu].mediaType \"%.200s\" is not a layer type rc "
                                                  "knows (tar, tar+gzip or tar+zstd layers)",
                                     i, m.layers[i].media_type);
                        goto fail;
                }
        }
        *out = m;
        return 0;
is_index:
        rc_error_set(err, 0, DOC_MANIFEST ": this is an image index (a list of manifests per platform), not a "
                                  "manifest");
fail:
        rc_manifest_free(&m);
        return -1;
}

int rc_manifest_to_json(const struct rc_manifest *m, char **out, rc_error **err)
{
        cleanup_json json_object *root = NULL;
        json_object *d, *layers;

        if (m->schema_version != 2)
                return rc_error_set(err, 0, DOC_MANIFEST ": schemaVersion must be 2");
        if (m->media_type && !is_manifest_type(m->media_type))
                return rc_error_set(err, 0, DOC_MANIFEST ": mediaType \"%s\" is not an image manifest",
                                    m->media_type);
        root = json_object_new_object();
        json_object_object_add(root, "schemaVersion", json_object_new_int(2));
        rc_json_add_string(root, "mediaType", m->media_type);
        if (rc_descriptor_to_json(&m->config, DOC_MANIFEST, "config", &d, err) < 0)
                return -1;
        json_object_object_add(root, "config", d);
        layers = json_object_new_array();
        json_object_object_add(root, "layers", layers);
        for (size_t i = 0; i < m->n_layers; i++) {
                char what[32];
                snprintf(what, sizeof(what), "layer %zu", i);
                if (rc_descriptor_to_json(&m->layers[i], DOC_MANIFEST, what, &d, err) < 0)
                        return -1;
                json_object_array_add(layers, d);
        }
        *out = rc_json_to_string(root);
        return 0;
}

void rc_manifest_free(struct rc_manifest *m)
{
        if (m == NULL)
                return;
        free(m->media_type);
        rc_descriptor_free(&m->config);
        for (size_t i = 0; i < m->n_layers; i++)
                rc_descriptor_free(&m->layers[i]);
        free(m->layers);
        memset(m, 0, sizeof(*m));
}

int rc_index_parse(const char *json, size_t len, struct rc_index *out, rc_error **err)
{
        cleanup_json json_object *root = NULL;
        struct rc_index idx = { 0 };
        int version;

        if (rc_json_parse(json, len, DOC_INDEX, json_type_object, &root, err) < 0 ||
            rc_json_get_string(root, DOC_INDEX, "", "mediaType", false, &idx.media_type, err) < 0)
                return -1;
        if (idx.media_type == NULL) {
                if (rc_json_member(root, "config") && !rc_json_member(root, "manifests"))
                        goto is_manifest;
                idx.media_type = xstrdup(RC_MEDIA_OCI_INDEX);
        } else if (is_manifest_type(idx.media_type)) {
                goto is_manifest;
        } else if (!is_index_type(idx.media_type)) {
                rc_error_set(err, 0, DOC_INDEX ": mediaType \"%.200s\" is not an image index", idx.media_type);
                goto fail;
        }
        if (parse_schema_version(root, DOC_INDEX, &version, err) < 0 ||
            parse_descriptors(root, DOC_INDEX, "manifests", true, &idx.manifests, &idx.n, err) < 0)
                goto fail;
        *out = idx;
        return 0;
is_manifest:
        rc_error_set(err, 0, DOC_INDEX ": this is an image manifest, not an index");
fail:
        rc_index_free(&idx);
        return -1;
}

void rc_index_free(struct rc_index *idx)
{
        if (idx == NULL)
                return;
        for (size_t i = 0; i < idx->n; i++)
                rc_descriptor_free(&idx->manifests[i]);
        free(idx->manifests);
        free(idx->media_type);
        memset(idx, 0, sizeof(*idx));
}
