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
#include "format/format.h"
#include "images/internal.h"
#include "util/fs.h"
#include "util/xalloc.h"

#include <json-c/json.h>

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

int rc_images_import(struct rc_store *s, int fd, const struct rc_import_opts *o, char id_out[RC_DIGEST_HEX_LEN + 1],
                     rc_error **err)
{
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
        if (o->name && rc_images_normalize_name(o->name, &full_name, err) < 0)
                return -1;
        if (full_name && strchr(full_name, '@'))
                return rc_error_code(err, EINVAL, "import: the name \"%s\" has a digest; give a name with an optional tag",
                                    o->name);
        if (import_layer(s, fd, &layer, err) < 0)
                goto out;

        rc_platform_host(&os, &arch, &variant);
        diff_ids[0] = layer.diff_id;
        cfg.architecture = (char *)(o->arch ? o->arch : arch);
        cfg.os = (char *)(o->os ? o->os : os);
        cfg.variant = (char *)(o->arch ? o->variant : variant);
        cfg.created = rfc3339_now();
        cfg.diff_ids = diff_ids;
        if (o->message) {
                /* the history entry podman writes, with the message as its comment */
                json_object *h = json_object_new_array(), *e = json_object_new_object();
                json_object_object_add(e, "created", json_object_new_string(cfg.created));
                json_object_object_add(e, "created_by", json_object_new_string("/bin/sh -c #(nop) ADD file in / "));
                json_object_object_add(e, "comment", json_object_new_string(o->message));
                json_object_array_add(h, e);
                cfg.history_json = xstrdup(json_object_to_json_string_ext(h, JSON_C_TO_STRING_PLAIN |
                                                                                 JSON_C_TO_STRING_NOSLASHESCAPE));
                json_object_put(h);
        }
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
        img.created = rc_images_created(cfg.created);
        img.size = layer.tar_size;
        if (rc_store_image_add(s, &img, err) < 0)
                goto out;
        memcpy(id_out, img.id, sizeof(img.id));
        r = 0;
out:
        if (r < 0)
                rc_images_hint_layer_error(s, err);
        free(cfg.created);
        free(cfg.history_json);
        return r;
}

int rc_images_normalize_name(const char *name, char **out, rc_error **err)
{
        struct rc_reference ref = { 0 };
        cleanup_free char *local = NULL;

        /* podman's rule: a name whose first component is no registry is a
         * local one, "localhost/NAME" (rc_reference_parse alone would make it
         * docker.io/library/NAME, which is what pull means by it) */
        if (!rc_reference_has_domain(name))
                local = xasprintf("localhost/%s", name);
        if (rc_reference_parse(local ? local : name, &ref, err) < 0) {
                if (local) {
                        /* name the user's text, not ours */
                        rc_error_free(*err);
                        *err = NULL;
                        if (rc_reference_parse(name, &ref, err) == 0) {
                                rc_reference_free(&ref);
                                return rc_error_code(err, EINVAL, "invalid reference format: \"%s\"", name);
                        }
                }
                return -1;
        }
        if (ref.tag && ref.digest) {
                /* podman keeps the digest of a tagged and digested name */
                free(ref.tag);
                ref.tag = NULL;
        }
        *out = rc_reference_string(&ref);
        rc_reference_free(&ref);
        return 0;
}

int64_t rc_images_created(const char *rfc3339)
{
        int64_t t = rc_format_parse_rfc3339(rfc3339);

        /* a config without a (valid) date: when it was stored */
        return t >= 0 ? t : (int64_t)time(NULL);
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

/* The names `what` may stand for: for a short name localhost/NAME first,
 * as podman looks it up, then its normalised reference (docker.io's).
 * Returns how many. */
static size_t candidate_names(const char *what, char *names[2], rc_error **parse_err)
{
        struct rc_reference ref = { 0 };
        size_t n = 0;

        if (rc_reference_parse(what, &ref, parse_err) < 0)
                return 0;
        if (!rc_reference_has_domain(what)) {
                const char *path = ref.path;
                if (strncmp(path, "library/", 8) == 0 && strchr(what, '/') == NULL)
                        path += 8;
                names[n++] = ref.digest ? xasprintf("localhost/%s@%s", path, ref.digest)
                                        : xasprintf("localhost/%s:%s", path, ref.tag);
        }
        names[n++] = rc_reference_string(&ref);
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
                /* podman's words: scripts match them */
                return rc_error_code(err, ENOENT, "%s: image not known", what);
        }
        return r;
}

int rc_images_resolve(struct rc_store *s, const char *what, struct rc_image *out, rc_error **err)
{
        return resolve(s, what, out, NULL, err);
}

int rc_images_resolve_name(struct rc_store *s, const char *what, struct rc_image *out, char **matched,
                           rc_error **err)
{
        return resolve(s, what, out, matched, err);
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

static char *names_list(char *const *names)
{
        size_t len = 3;
        char *out, *p;

        for (size_t i = 0; names && names[i]; i++)
                len += strlen(names[i]) + 1;
        p = out = xmalloc(len);
        *p++ = '[';
        for (size_t i = 0; names && names[i]; i++)
                p += sprintf(p, "%s%s", i ? " " : "", names[i]);
        strcpy(p, "]");
        return out;
}

int rc_images_remove(struct rc_store *s, const char *what, unsigned flags, char ***untagged, char ***deleted,
                     rc_error **err)
{
        bool force = flags & RC_IMAGES_RM_FORCE;
        struct rc_image img;
        cleanup_free char *name = NULL;
        size_t n_names;
        bool gone = false;
        int r = -1;

        if (resolve(s, what, &img, &name, err) < 0)
                return -1;
        n_names = strv_len(img.names);
        /* podman's rules: a name of an image with other names untags it; an
         * id would take every name and needs -f (or -a); otherwise the image
         * goes, and with it every name it had */
        if (flags & RC_IMAGES_RM_WHOLE) {
                free(name);
                name = NULL;
        }
        if (n_names > 1 && name == NULL && !force && !(flags & RC_IMAGES_RM_WHOLE)) {
                cleanup_free char *list = names_list(img.names);
                rc_error_code(err, EPERM,
                             "unable to delete image \"%s\" by ID with more than one tag (%s): please force removal",
                             img.id, list);
                goto out;
        }
        if (n_names > 1 && name != NULL) {
                if (rc_store_image_name_remove(s, img.id, name, err) < 0)
                        goto out;
                strv_push(untagged, name);
                r = 0;
                goto out;
        }
        if (rc_store_image_remove(s, img.id, NULL, force, &gone, err) < 0)
                goto out;
        for (size_t i = 0; i < n_names; i++)
                strv_push(untagged, img.names[i]);
        strv_push(deleted, img.id);
        r = 0;
out:
        rc_image_free(&img);
        return r;
}

int rc_images_tag(struct rc_store *s, const char *what, const char *target, rc_error **err)
{
        struct rc_image img;
        cleanup_free char *name = NULL;
        int r;

        if (rc_images_normalize_name(target, &name, err) < 0)
                return -1;
        if (strchr(name, '@'))
                return rc_error_code(err, EINVAL, "tag %s: can't tag with a digest: a tag is NAME[:TAG]", target);
        if (rc_images_resolve(s, what, &img, err) < 0)
                return -1;
        r = rc_store_image_name_add(s, img.id, name, img.manifest_digest, err);
        rc_image_free(&img);
        return r;
}

int rc_images_untag(struct rc_store *s, const char *what, char *const *names, char ***removed, rc_error **err)
{
        struct rc_image img;
        cleanup_strv char **todo = NULL;
        int r = -1;

        if (rc_images_resolve(s, what, &img, err) < 0)
                return -1;
        if (names == NULL || names[0] == NULL) {
                todo = strv_dup(img.names); /* no names given: all of them */
        } else {
                todo = xcalloc(1, sizeof(char *));
                for (size_t i = 0; names[i]; i++) {
                        cleanup_free char *n = NULL;
                        if (rc_images_normalize_name(names[i], &n, err) < 0)
                                goto out;
                        if (!strv_contains(img.names, n)) {
                                rc_error_code(err, ENOENT, "%s: tag not known", n);
                                goto out;
                        }
                        strv_push(&todo, n);
                }
        }
        for (size_t i = 0; todo[i]; i++) {
                /* untag never removes the image, however many names go */
                if (rc_store_image_name_remove(s, img.id, todo[i], err) < 0)
                        goto out;
                strv_push(removed, todo[i]);
        }
        r = 0;
out:
        rc_image_free(&img);
        return r;
}
