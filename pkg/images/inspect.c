/* What users ask about local images: inspect (podman's JSON fields),
 * history, prune. */
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "images/images.h"
#include "util/xalloc.h"

static json_object *get(json_object *o, const char *key)
{
        json_object *v = NULL;

        return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static json_object *copy_or_null(json_object *v)
{
        json_object *out = NULL;

        if (v == NULL || json_object_deep_copy(v, &out, NULL) < 0)
                return NULL;
        return out;
}

static json_object *string_or_null(json_object *v)
{
        return v && json_object_is_type(v, json_type_string) ? json_object_new_string(json_object_get_string(v))
                                                              : NULL;
}

/* The config blob as JSON. */
static int load_config_json(struct rc_store *s, const struct rc_image *img, json_object **out, rc_error **err)
{
        cleanup_free char *data = NULL;
        size_t len = 0;

        if (rc_store_blob_read(s, img->config_digest, &data, &len, err) < 0)
                return rc_error_wrap(err, "image %.12s: config", img->id);
        *out = json_tokener_parse(data);
        if (*out == NULL || !json_object_is_type(*out, json_type_object)) {
                json_object_put(*out);
                return rc_error_set(err, 0, "image %.12s: config is not a JSON object", img->id);
        }
        return 0;
}

/* "docker.io/library/alpine:3" -> "docker.io/library/alpine" */
static char *repository_of(const char *name)
{
        const char *slash = strrchr(name, '/');
        const char *end = strchr(slash ? slash : name, '@');

        if (end == NULL)
                end = strrchr(slash ? slash : name, ':');
        return end ? xstrndup(name, (size_t)(end - name)) : xstrdup(name);
}

/* The media type of the manifest the image was stored with. */
static const char *manifest_type(struct rc_store *s, const struct rc_image *img)
{
        cleanup_free char *data = NULL;
        rc_error *e = NULL;
        size_t len = 0;
        json_object *m, *mt = NULL;
        const char *type = RC_MEDIA_OCI_MANIFEST;

        if (rc_store_blob_read(s, img->manifest_digest, &data, &len, &e) < 0) {
                rc_error_free(e);
                return type;
        }
        m = json_tokener_parse(data);
        if (json_object_object_get_ex(m, "mediaType", &mt) && json_object_is_type(mt, json_type_string) &&
            strcmp(json_object_get_string(mt), RC_MEDIA_DOCKER_MANIFEST) == 0)
                type = RC_MEDIA_DOCKER_MANIFEST;
        json_object_put(m);
        return type;
}

int rc_images_inspect(struct rc_store *s, const char *what, json_object **out, rc_error **err)
{
        struct rc_image img;
        json_object *config = NULL, *o, *tags, *digests, *layers, *rootfs, *history, *labels;
        cleanup_strv char **seen = xcalloc(1, sizeof(char *));
        const char *author;

        if (rc_images_resolve(s, what, &img, err) < 0)
                return -1;
        if (load_config_json(s, &img, &config, err) < 0) {
                rc_image_free(&img);
                return -1;
        }
        o = json_object_new_object();
        tags = json_object_new_array();
        digests = json_object_new_array();
        for (size_t i = 0; img.names && img.names[i]; i++) {
                cleanup_free char *repo = repository_of(img.names[i]);
                cleanup_free char *rd = xasprintf("%s@%s", repo, img.manifest_digest);
                /* RepoTags are the tagged names; a digest name shows in RepoDigests */
                if (!strchr(img.names[i], '@'))
                        json_object_array_add(tags, json_object_new_string(img.names[i]));
                if (img.manifest_digest[0] && !strv_contains(seen, rd)) {
                        strv_push(&seen, rd);
                        json_object_array_add(digests, json_object_new_string(rd));
                }
        }
        /* podman's fields, in its order; those it always prints are here
         * even when empty */
        author = get(config, "author") ? json_object_get_string(get(config, "author")) : "";
        json_object_object_add(o, "Id", json_object_new_string(img.id));
        json_object_object_add(o, "Digest", json_object_new_string(img.manifest_digest));
        json_object_object_add(o, "RepoTags", tags);
        json_object_object_add(o, "RepoDigests", digests);
        json_object_object_add(o, "Parent", json_object_new_string(""));
        json_object_object_add(o, "Comment", json_object_new_string(""));
        json_object_object_add(o, "Created", string_or_null(get(config, "created")));
        json_object_object_add(o, "Config", copy_or_null(get(config, "config")));
        if (json_object_object_get(o, "Config") == NULL)
                json_object_object_add(o, "Config", json_object_new_object());
        json_object_object_add(o, "Version", json_object_new_string(""));
        json_object_object_add(o, "Author", json_object_new_string(author ? author : ""));
        json_object_object_add(o, "Architecture", string_or_null(get(config, "architecture")));
        json_object_object_add(o, "Os", string_or_null(get(config, "os")));
        if (get(config, "variant"))
                json_object_object_add(o, "Variant", string_or_null(get(config, "variant")));
        json_object_object_add(o, "Size", json_object_new_int64((int64_t)img.size));
        json_object_object_add(o, "VirtualSize", json_object_new_int64((int64_t)img.size));
        rootfs = json_object_new_object();
        layers = copy_or_null(get(get(config, "rootfs"), "diff_ids"));
        json_object_object_add(rootfs, "Type", json_object_new_string("layers"));
        json_object_object_add(rootfs, "Layers", layers ? layers : json_object_new_array());
        json_object_object_add(o, "RootFS", rootfs);
        labels = copy_or_null(get(get(config, "config"), "Labels"));
        json_object_object_add(o, "Labels", labels ? labels : json_object_new_object());
        json_object_object_add(o, "Annotations", json_object_new_object());
        json_object_object_add(o, "ManifestType", json_object_new_string(manifest_type(s, &img)));
        json_object_object_add(o, "User", string_or_null(get(get(config, "config"), "User")));
        if (json_object_object_get(o, "User") == NULL)
                json_object_object_add(o, "User", json_object_new_string(""));
        history = copy_or_null(get(config, "history"));
        json_object_object_add(o, "History", history ? history : json_object_new_array());
        json_object_object_add(o, "NamesHistory", json_object_new_array());
        json_object_object_add(o, "ConfigDigest", json_object_new_string(img.config_digest));
        json_object_put(config);
        rc_image_free(&img);
        *out = o;
        return 0;
}

void rc_history_free(struct rc_history_entry *h, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(h[i].created);
                free(h[i].created_by);
                free(h[i].comment);
        }
        free(h);
}

static char *string_field(json_object *o, const char *key)
{
        json_object *v = get(o, key);

        return xstrdup(v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "");
}

int rc_images_history(struct rc_store *s, const char *what, char id_out[RC_DIGEST_HEX_LEN + 1],
                      struct rc_history_entry **out, size_t *n_out, rc_error **err)
{
        struct rc_image img;
        json_object *config = NULL, *history;
        struct rc_history_entry *h;
        size_t n_layers, n, layer = 0;
        int r = -1;

        if (rc_images_resolve(s, what, &img, err) < 0)
                return -1;
        if (load_config_json(s, &img, &config, err) < 0)
                goto out;
        n_layers = strv_len(img.layers);
        history = get(config, "history");
        if (history && !json_object_is_type(history, json_type_array))
                history = NULL;
        /* no history in the config: one entry per layer */
        n = history ? json_object_array_length(history) : n_layers;
        h = xcalloc(n + 1, sizeof(*h));
        for (size_t i = 0; i < n; i++) {
                json_object *e = history ? json_object_array_get_idx(history, i) : NULL;
                json_object *empty = get(e, "empty_layer");
                h[i].created = history ? string_field(e, "created") : string_field(config, "created");
                h[i].created_by = string_field(e, "created_by");
                h[i].comment = string_field(e, "comment");
                h[i].empty_layer = empty && json_object_get_boolean(empty);
                if (!h[i].empty_layer && layer < n_layers) {
                        struct rc_layer l;
                        rc_error *e2 = NULL;
                        if (rc_store_layer_get(s, img.layers[layer++], &l, &e2) == 0)
                                h[i].size = (int64_t)l.tar_size;
                        rc_error_free(e2);
                }
        }
        memcpy(id_out, img.id, RC_DIGEST_HEX_LEN + 1);
        *out = h;
        *n_out = n;
        r = 0;
out:
        json_object_put(config);
        rc_image_free(&img);
        return r;
}

int rc_images_prune(struct rc_store *s, bool all, char ***removed, rc_error **err)
{
        struct rc_image *imgs = NULL;
        size_t n = 0;

        *removed = xcalloc(1, sizeof(char *));
        if (rc_store_image_list(s, &imgs, &n, err) < 0)
                return -1;
        for (size_t i = 0; i < n; i++) {
                bool deleted = false;
                rc_error *e = NULL;
                if (!all && imgs[i].names && imgs[i].names[0])
                        continue;
                if (rc_store_image_remove(s, imgs[i].id, NULL, false, &deleted, &e) < 0) {
                        bool busy = rc_error_errno(e) == EBUSY;
                        if (!busy) {
                                *err = e;
                                rc_image_list_free(imgs, n);
                                return -1;
                        }
                        rc_error_free(e); /* used by a container: kept */
                        continue;
                }
                if (deleted)
                        strv_push(removed, imgs[i].id);
        }
        rc_image_list_free(imgs, n);
        return 0;
}
