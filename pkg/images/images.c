/* Importing, resolving and removing local images. */
#include "images/images.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "archive/archive.h"
#include "dl/dl.h"
#include "images/internal.h"
#include "util/fs.h"
#include "util/xalloc.h"

static char *rfc3339_now(void)
{
        char buf[64];
        struct timespec ts;
        struct tm tm;

        /* nanoseconds, as docker writes them: two imports of the same
         * tarball are two images, as users expect */
        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
        return xasprintf("%s.%09ldZ", buf, ts.tv_nsec);
}

int rc_images_hint_layer_error(struct rc_store *s, rc_error **err)
{
        switch (rc_error_errno(*err)) {
        case ENOSPC:
                return rc_error_hint(err,
                                     "free space under %s (rc rmi, rc image prune) or keep the store elsewhere "
                                     "(--root or [storage] root)",
                                     rc_store_root(s));
        case EFBIG:
                if (rc_store_max_layer_size(s) == 0)
                        return -1;
                return rc_error_hint(err,
                                     "the store's limit is [storage] max_layer_size in rootless.conf; raise it only "
                                     "for an image you trust");
        default:
                return -1;
        }
}

/* Extract fd into a staged layer and commit it and its blob. */
static int import_layer(struct rc_store *s, int fd, struct rc_layer *layer, rc_error **err)
{
        cleanup_free char *dir = NULL, *blob_tmp = NULL;
        cleanup_close int dir_fd = -1, blob_fd = -1;
        struct rc_extract_result res;
        struct rc_extract_opts opts = { .mode = RC_EXTRACT_LAYER, .max_tar_size = rc_store_max_layer_size(s) };
        rc_error *ignored = NULL;

        if (rc_store_mkdtemp(s, "layer", &dir, err) < 0 || rc_store_mkstemp(s, "blob", &blob_fd, &blob_tmp, err) < 0)
                goto fail;
        dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir_fd < 0) {
                rc_error_set(err, errno, "open %s", dir);
                goto fail;
        }
        opts.blob_fd = blob_fd;
        if (rc_archive_extract(fd, dir_fd, &opts, &res, err) < 0)
                goto fail;
        /* Already stored (perhaps from a differently compressed tarball):
         * keep the stored layer and its blob, drop ours. */
        if (rc_store_layer_exists(s, res.diff_id) && rc_store_layer_get(s, res.diff_id, layer, err) == 0) {
                unlink(blob_tmp);
                rc_rm_rf(dir, &ignored);
                rc_error_free(ignored);
                return 0;
        }
        memset(layer, 0, sizeof(*layer));
        memcpy(layer->diff_id, res.diff_id, sizeof(layer->diff_id));
        memcpy(layer->chain_id, res.diff_id, sizeof(layer->chain_id));
        memcpy(layer->blob_digest, res.digest, sizeof(layer->blob_digest));
        snprintf(layer->media_type, sizeof(layer->media_type), "%s", rc_layer_media_type(res.compression));
        layer->blob_size = res.size;
        layer->tar_size = res.tar_size;
        if (rc_store_blob_commit(s, blob_tmp, res.digest, err) < 0)
                goto fail;
        free(steal_pointer(&blob_tmp));
        if (rc_store_layer_commit(s, dir, layer, err) < 0)
                goto fail;
        return 0;
fail:
        if (blob_tmp)
                unlink(blob_tmp);
        if (dir)
                rc_rm_rf(dir, &ignored);
        rc_error_free(ignored);
        return -1;
}

int rc_images_import(struct rc_store *s, int fd, const char *name, char id_out[RC_DIGEST_HEX_LEN + 1],
                     rc_error **err)
{
        struct rc_reference ref = { 0 };
        struct rc_image_config cfg = { 0 };
        struct rc_manifest m = { 0 };
        struct rc_descriptor layer_desc = { 0 };
        struct rc_image img = { 0 };
        struct rc_layer layer;
        cleanup_free char *full_name = NULL, *config_json = NULL, *manifest_json = NULL;
        char *diff_ids[2] = { NULL, NULL };
        char *layers[2] = { NULL, NULL };
        char *names[2] = { NULL, NULL };
        char config_digest[RC_DIGEST_LEN + 1], manifest_digest[RC_DIGEST_LEN + 1];
        const char *os, *arch, *variant;
        int r = -1;

        if (rc_dl_archive(err) < 0 || rc_dl_crypto(err) < 0)
                return rc_error_wrap(err, "import");
        if (name) {
                if (rc_reference_parse(name, &ref, err) < 0)
                        return -1;
                if (ref.digest)
                        goto bad_digest;
                full_name = rc_reference_string(&ref);
        }
        if (import_layer(s, fd, &layer, err) < 0)
                goto out;

        rc_platform_host(&os, &arch, &variant);
        diff_ids[0] = layer.diff_id;
        cfg.architecture = (char *)arch;
        cfg.os = (char *)os;
        cfg.variant = (char *)variant;
        cfg.created = rfc3339_now();
        cfg.diff_ids = diff_ids;
        if (rc_image_config_to_json(&cfg, &config_json, err) < 0)
                goto out;
        if (rc_store_blob_put(s, config_json, strlen(config_json), config_digest, err) < 0)
                goto out;

        m.schema_version = 2;
        m.media_type = (char *)RC_MEDIA_OCI_MANIFEST;
        m.config.media_type = (char *)RC_MEDIA_OCI_CONFIG;
        m.config.digest = config_digest;
        m.config.size = (int64_t)strlen(config_json);
        layer_desc.media_type = layer.media_type;
        layer_desc.digest = layer.blob_digest;
        layer_desc.size = (int64_t)layer.blob_size;
        m.layers = &layer_desc;
        m.n_layers = 1;
        if (rc_manifest_to_json(&m, &manifest_json, err) < 0)
                goto out;
        if (rc_store_blob_put(s, manifest_json, strlen(manifest_json), manifest_digest, err) < 0)
                goto out;

        snprintf(img.id, sizeof(img.id), "%s", rc_digest_hex(config_digest));
        memcpy(img.config_digest, config_digest, sizeof(config_digest));
        memcpy(img.manifest_digest, manifest_digest, sizeof(manifest_digest));
        layers[0] = layer.chain_id;
        img.layers = layers;
        names[0] = full_name;
        img.names = names;
        img.created = (int64_t)time(NULL);
        img.size = layer.tar_size;
        if (rc_store_image_add(s, &img, err) < 0)
                goto out;
        memcpy(id_out, img.id, sizeof(img.id));
        r = 0;
out:
        if (r < 0)
                rc_images_hint_layer_error(s, err);
        free(cfg.created);
        rc_reference_free(&ref);
        return r;
bad_digest:
        rc_reference_free(&ref);
        return rc_error_set(err, EINVAL, "import: the name \"%s\" has a digest; give a name with an optional tag",
                            name);
}

bool rc_reference_has_domain(const char *what)
{
        const char *slash = strchr(what, '/');
        size_t len;

        if (slash == NULL)
                return false;
        len = (size_t)(slash - what);
        return memchr(what, '.', len) || memchr(what, ':', len) || (len == 9 && !strncmp(what, "localhost", 9));
}

/* The names `what` may stand for: its normalised reference and, for a
 * short name, localhost/NAME (podman's rule).  Returns how many. */
static size_t candidate_names(const char *what, char *names[2], rc_error **parse_err)
{
        struct rc_reference ref = { 0 };
        size_t n = 0;

        if (rc_reference_parse(what, &ref, parse_err) < 0)
                return 0;
        names[n++] = rc_reference_string(&ref);
        if (!rc_reference_has_domain(what)) {
                const char *path = ref.path;
                if (strncmp(path, "library/", 8) == 0 && strchr(what, '/') == NULL)
                        path += 8;
                names[n++] = ref.digest ? xasprintf("localhost/%s@%s", path, ref.digest)
                                        : xasprintf("localhost/%s:%s", path, ref.tag);
        }
        rc_reference_free(&ref);
        return n;
}

/* Resolve; *matched (may be NULL) gets the name that matched, or NULL when
 * `what` matched as an id. */
static int resolve(struct rc_store *s, const char *what, struct rc_image *out, char **matched, rc_error **err)
{
        cleanup_error rc_error *parse_err = NULL;
        char *names[3] = { NULL, NULL, NULL };
        size_t n = candidate_names(what, names, &parse_err);
        bool id_like = rc_looks_like_id(what);
        int r = rc_store_image_find(s, (const char *const *)names, id_like ? what : NULL, out, err);

        if (r == 0 && matched) {
                *matched = NULL;
                for (size_t i = 0; i < n && !*matched; i++)
                        for (size_t j = 0; out->names && out->names[j]; j++)
                                if (strcmp(names[i], out->names[j]) == 0)
                                        *matched = xstrdup(names[i]);
        }
        for (size_t i = 0; i < n; i++)
                free(names[i]);
        if (r < 0 && rc_error_errno(*err) == ENOENT) {
                rc_error_free(*err);
                *err = NULL;
                if (parse_err && !id_like)
                        return rc_error_set(err, 0, "%s", parse_err->msg);
                return rc_error_set(err, ENOENT,
                                    "image \"%s\" not found in the local store (see 'rc images'; 'rc import' makes "
                                    "one from a tarball)",
                                    what);
        }
        return r;
}

int rc_images_resolve(struct rc_store *s, const char *what, struct rc_image *out, rc_error **err)
{
        return resolve(s, what, out, NULL, err);
}

int rc_images_load_config(struct rc_store *s, const struct rc_image *img, struct rc_image_config *out,
                          rc_error **err)
{
        cleanup_free char *data = NULL;
        size_t len = 0;

        if (rc_store_blob_read(s, img->config_digest, &data, &len, err) < 0)
                return rc_error_wrap(err, "image %.12s: config", img->id);
        if (rc_image_config_parse(data, len, out, err) < 0)
                return rc_error_wrap(err, "image %.12s", img->id);
        return 0;
}

int rc_images_remove(struct rc_store *s, const char *what, bool force, char **untagged,
                     char deleted_id[RC_DIGEST_HEX_LEN + 1], rc_error **err)
{
        struct rc_image img;
        cleanup_free char *name = NULL;
        bool deleted = false;
        int r;

        if (resolve(s, what, &img, &name, err) < 0)
                return -1;
        /* By name: drop that name (the image goes with its last name).
         * By id: the image goes with all its names. */
        r = rc_store_image_remove(s, img.id, name, force, &deleted, err);
        if (r == 0)
                snprintf(deleted_id, RC_DIGEST_HEX_LEN + 1, "%s", deleted ? img.id : "");
        rc_image_free(&img);
        if (r < 0)
                return -1;
        *untagged = steal_pointer(&name);
        return 0;
}

int rc_images_tag(struct rc_store *s, const char *what, const char *target, rc_error **err)
{
        struct rc_reference ref = { 0 };
        struct rc_image img;
        cleanup_free char *name = NULL;
        int r;

        if (rc_reference_parse(target, &ref, err) < 0)
                return rc_error_wrap(err, "tag");
        if (ref.digest) {
                rc_reference_free(&ref);
                return rc_error_set(err, EINVAL, "tag: \"%s\" has a digest; a tag is NAME[:TAG]", target);
        }
        name = rc_reference_string(&ref);
        rc_reference_free(&ref);
        if (rc_images_resolve(s, what, &img, err) < 0)
                return -1;
        r = rc_store_image_name_add(s, img.id, name, img.manifest_digest, err);
        rc_image_free(&img);
        return r;
}
