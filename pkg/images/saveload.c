/* rc save / rc load: docker-archive (docker save's manifest.json layout,
 * uncompressed layers) and oci-archive (an OCI image layout in a tar). */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "archive/archive.h"
#include "dl/archive.h"
#include "images/images.h"
#include "images/internal.h"
#include "util/interrupt.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/xalloc.h"

static void archive_freep(struct archive **a)
{
        if (*a)
                archive_write_free(*a);
        *a = NULL;
}

static void archive_read_freep(struct archive **a)
{
        if (*a)
                archive_read_free(*a);
        *a = NULL;
}

static int ar_error(struct archive *a, rc_error **err, const char *what)
{
        int e = archive_errno(a);

        /* libarchive reports bad data as EILSEQ or EINVAL: its own message
         * says it all, strerror's text would only confuse */
        if (e == EILSEQ || e == EINVAL || e < 0)
                e = 0;
        return rc_error_set(err, e, "%s: %s", what, archive_error_string(a) ? archive_error_string(a) : "archive error");
}

static int write_header(struct archive *a, const char *name, int64_t size, rc_error **err)
{
        struct archive_entry *e = archive_entry_new();
        int r;

        archive_entry_set_pathname(e, name);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_entry_set_size(e, size);
        archive_entry_set_mtime(e, 0, 0);
        r = archive_write_header(a, e);
        archive_entry_free(e);
        return r == ARCHIVE_OK ? 0 : ar_error(a, err, name);
}

static int write_bytes(struct archive *a, const char *name, const void *data, size_t len, rc_error **err)
{
        if (write_header(a, name, (int64_t)len, err) < 0)
                return -1;
        if (len > 0 && archive_write_data(a, data, len) != (la_ssize_t)len)
                return ar_error(a, err, name);
        return 0;
}

/* Copy a stored blob into the archive, decompressing it when `plain` (a
 * docker-archive holds uncompressed layers), `size` bytes in all. */
static int write_blob(struct archive *a, const char *name, const char *path, int64_t size, bool plain, rc_error **err)
{
        cleanup_blob_reader struct rc_blob_reader *r = NULL;
        cleanup_close int fd = -1;
        cleanup_free char *buf = xmalloc(1 << 17);
        int64_t written = 0;
        ssize_t n;

        if (plain) {
                if (rc_blob_reader_open(path, &r, err) < 0)
                        return -1;
        } else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
                return rc_error_set(err, errno, "open %s", path);
        }
        if (write_header(a, name, size, err) < 0)
                return -1;
        for (;;) {
                n = r ? rc_blob_reader_read(r, buf, 1 << 17, err) : read(fd, buf, 1 << 17);
                if (n < 0 && r == NULL && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                if (archive_write_data(a, buf, (size_t)n) != n)
                        return ar_error(a, err, name);
                written += n;
        }
        if (n < 0)
                return r ? -1 : rc_error_set(err, errno, "read %s", path);
        if (written != size)
                return rc_error_set(err, 0, "%s: %lld bytes, expected %lld", path, (long long)written,
                                    (long long)size);
        return 0;
}

static char *blob_name(const char *digest, const char *suffix)
{
        return xasprintf("%s%s", rc_digest_hex(digest), suffix);
}

/* An OCI manifest of uncompressed layers: each blob is the layer's tar,
 * named by its diff_id. */
static int plain_manifest(const struct rc_stored_image *si, char **json, rc_error **err)
{
        struct rc_manifest m = { .schema_version = 2, .media_type = (char *)RC_MEDIA_OCI_MANIFEST };
        int r;

        m.config.media_type = (char *)RC_MEDIA_OCI_CONFIG;
        m.config.digest = (char *)si->img.config_digest;
        m.config.size = si->config_size;
        m.layers = xcalloc(si->n_layers + 1, sizeof(*m.layers));
        m.n_layers = si->n_layers;
        for (size_t i = 0; i < si->n_layers; i++) {
                m.layers[i].media_type = (char *)RC_MEDIA_OCI_LAYER;
                m.layers[i].digest = (char *)si->layers[i].diff_id;
                m.layers[i].size = (int64_t)si->layers[i].tar_size;
        }
        r = rc_manifest_to_json(&m, json, err);
        free(m.layers);
        return r;
}

/* The docker manifest.json entry of config `cname`, if written already. */
static json_object *entry_for(json_object *docker_manifest, const char *cname)
{
        for (size_t i = 0; i < json_object_array_length(docker_manifest); i++) {
                json_object *e = json_object_array_get_idx(docker_manifest, i), *c = NULL;
                if (json_object_object_get_ex(e, "Config", &c) && strcmp(json_object_get_string(c), cname) == 0)
                        return e;
        }
        return NULL;
}

/* Write one image's layers (each blob once per archive) and config; adds
 * its docker manifest.json entry (or its names to the entry of the same
 * image) and its OCI index entry.  names: what the archive calls it. */
static int save_one(struct archive *a, struct rc_store *s, const char *what, char *const *names,
                    const struct rc_save_opts *o, char ***written, json_object *docker_manifest, json_object *oci_index,
                    rc_error **err)
{
        struct rc_stored_image si;
        cleanup_free char *manifest = NULL, *config = NULL, *cname = NULL, *mname = NULL;
        size_t config_len = 0;
        char manifest_digest[RC_DIGEST_LEN + 1];
        bool docker = o->format == RC_ARCHIVE_DOCKER, plain = docker || o->uncompressed;
        json_object *entry, *tags, *layers, *desc, *ann;
        int r = -1;

        if (rc_images_stored(s, what, &si, err) < 0)
                return -1;
        cname = docker ? blob_name(si.img.config_digest, ".json")
                       : xasprintf("blobs/sha256/%s", rc_digest_hex(si.img.config_digest));
        if (docker && (entry = entry_for(docker_manifest, cname)) != NULL) {
                /* the same image again under another name */
                tags = json_object_object_get(entry, "RepoTags");
                for (size_t j = 0; names && names[j]; j++)
                        json_object_array_add(tags, json_object_new_string(names[j]));
                rc_stored_image_free(&si);
                return 0;
        }
        layers = json_object_new_array();
        for (size_t j = 0; j < si.n_layers; j++) {
                const struct rc_layer *l = &si.layers[j];
                cleanup_free char *path = rc_store_blob_path(s, l->blob_digest);
                char *name = docker  ? blob_name(l->diff_id, ".tar")
                             : plain ? xasprintf("blobs/sha256/%s", rc_digest_hex(l->diff_id))
                                     : xasprintf("blobs/sha256/%s", rc_digest_hex(l->blob_digest));
                json_object_array_add(layers, json_object_new_string(name));
                if (strv_contains(*written, name)) {
                        free(name);
                        continue;
                }
                strv_push(written, name);
                free(name);
                if (write_blob(a, (*written)[strv_len(*written) - 1], path,
                               plain ? (int64_t)l->tar_size : (int64_t)l->blob_size, plain, err) < 0)
                        goto out;
        }
        /* The manifest of what rc stores: the layer blobs it keeps may be
         * compressed differently from the ones the image was pulled with. */
        if ((plain ? plain_manifest(&si, &manifest, err) : rc_stored_image_manifest(&si, &manifest, err)) < 0)
                goto out;
        rc_sha256_digest(manifest, strlen(manifest), manifest_digest);
        mname = xasprintf("blobs/sha256/%s", rc_digest_hex(manifest_digest));
        if (rc_store_blob_read(s, si.img.config_digest, &config, &config_len, err) < 0 ||
            write_bytes(a, cname, config, config_len, err) < 0 ||
            (!docker && write_bytes(a, mname, manifest, strlen(manifest), err) < 0))
                goto out;

        entry = json_object_new_object();
        tags = json_object_new_array();
        for (size_t j = 0; names && names[j]; j++)
                json_object_array_add(tags, json_object_new_string(names[j]));
        json_object_object_add(entry, "Config", json_object_new_string(cname));
        json_object_object_add(entry, "RepoTags", tags);
        json_object_object_add(entry, "Layers", json_object_get(layers));
        json_object_array_add(docker_manifest, entry);

        desc = json_object_new_object();
        ann = json_object_new_object();
        json_object_object_add(desc, "mediaType", json_object_new_string(RC_MEDIA_OCI_MANIFEST));
        json_object_object_add(desc, "digest", json_object_new_string(manifest_digest));
        json_object_object_add(desc, "size", json_object_new_int64((int64_t)strlen(manifest)));
        if (names && names[0])
                json_object_object_add(ann, "org.opencontainers.image.ref.name", json_object_new_string(names[0]));
        json_object_object_add(desc, "annotations", ann);
        json_object_array_add(oci_index, desc);
        r = 0;
out:
        json_object_put(layers);
        rc_stored_image_free(&si);
        return r;
}

/* The names an archive gives the image `what`: the name it was found by
 * (none when found by id), then extra (normalised). */
static int archive_names(struct rc_store *s, const char *what, char *const *extra, char ***out, rc_error **err)
{
        struct rc_image img;
        char *matched = NULL;
        char **names = xcalloc(1, sizeof(char *));

        if (rc_images_resolve_name(s, what, &img, &matched, err) < 0) {
                free(names);
                return -1;
        }
        rc_image_free(&img);
        if (matched && !strchr(matched, '@'))
                strv_push(&names, matched);
        free(matched);
        for (size_t i = 0; extra && extra[i]; i++) {
                cleanup_free char *n = NULL;
                if (rc_images_normalize_name(extra[i], &n, err) < 0) {
                        strv_free(names);
                        return -1;
                }
                if (!strv_contains(names, n))
                        strv_push(&names, n);
        }
        *out = names;
        return 0;
}

static int save_archive(struct rc_store *s, const struct rc_save_opts *o, int out_fd, rc_error **err)
{
        __attribute__((cleanup(archive_freep))) struct archive *a = archive_write_new();
        json_object *docker_manifest = json_object_new_array();
        json_object *oci_index = json_object_new_array();
        cleanup_strv char **written = xcalloc(1, sizeof(char *));
        int r = -1;

        archive_write_set_format_pax_restricted(a);
        if (archive_write_open_fd(a, out_fd) != ARCHIVE_OK) {
                ar_error(a, err, "save");
                goto out;
        }
        for (size_t i = 0; o->images[i]; i++) {
                cleanup_strv char **names = NULL;
                if (archive_names(s, o->images[i], i == 0 ? o->extra_names : NULL, &names, err) < 0 ||
                    save_one(a, s, o->images[i], names, o, &written, docker_manifest, oci_index, err) < 0)
                        goto out;
        }
        if (o->format == RC_ARCHIVE_DOCKER) {
                const char *m = json_object_to_json_string_ext(docker_manifest, JSON_C_TO_STRING_NOSLASHESCAPE);
                if (write_bytes(a, "manifest.json", m, strlen(m), err) < 0)
                        goto out;
        } else {
                json_object *idx = json_object_new_object();
                const char *layout = "{\"imageLayoutVersion\":\"1.0.0\"}";
                const char *text;
                json_object_object_add(idx, "schemaVersion", json_object_new_int(2));
                json_object_object_add(idx, "manifests", json_object_get(oci_index));
                text = json_object_to_json_string_ext(idx, JSON_C_TO_STRING_NOSLASHESCAPE);
                r = write_bytes(a, "oci-layout", layout, strlen(layout), err) < 0 ||
                                    write_bytes(a, "index.json", text, strlen(text), err) < 0
                            ? -1
                            : 0;
                json_object_put(idx);
                if (r < 0)
                        goto out;
        }
        if (archive_write_close(a) != ARCHIVE_OK) {
                ar_error(a, err, "save");
                goto out;
        }
        r = 0;
out:
        json_object_put(docker_manifest);
        json_object_put(oci_index);
        return r;
}

/* ---- load ---------------------------------------------------------------- */

/* Staged copy of an archive's files, flattened: "a/b.tar" -> DIR/a_b.tar. */
struct staged {
        char *dir;
};

static char *staged_path(const struct staged *st, const char *name)
{
        cleanup_free char *flat = xstrdup(name);
        for (char *p = flat; *p; p++)
                if (*p == '/')
                        *p = '_';
        return xasprintf("%s/%s", st->dir, flat[0] == '.' ? flat + 1 : flat);
}

/* Input that is no tar at all: podman's words, which scripts match. */
static int not_an_archive(struct archive *a, rc_error **err)
{
        int e = archive_errno(a);

        if (e > 0 && e != EILSEQ && e != EINVAL)
                return ar_error(a, err, "read archive"); /* a real I/O error */
        return rc_error_set(err, 0,
                            "payload does not match any of the supported image formats: not a docker-archive or "
                            "oci-archive (a tar file, plain, gzip or zstd): %s",
                            archive_error_string(a) ? archive_error_string(a) : "unknown format");
}

static int stage_archive(struct rc_store *s, int fd, struct staged *st, rc_error **err)
{
        __attribute__((cleanup(archive_read_freep))) struct archive *a = archive_read_new();
        struct archive_entry *e;
        static char buf[1 << 16];
        int r;

        if (rc_store_mkdtemp(s, "load", &st->dir, err) < 0)
                return -1;
        archive_read_support_format_tar(a);
        archive_read_support_filter_gzip(a);
        archive_read_support_filter_zstd(a);
        archive_read_support_filter_none(a);
        if (archive_read_open_fd(a, fd, sizeof(buf)) != ARCHIVE_OK)
                return not_an_archive(a, err);
        r = archive_read_next_header(a, &e);
        if (r != ARCHIVE_OK && r != ARCHIVE_EOF)
                return not_an_archive(a, err);
        for (; r == ARCHIVE_OK; r = archive_read_next_header(a, &e)) {
                const char *name = archive_entry_pathname(e);
                cleanup_free char *path = NULL;
                cleanup_close int out = -1;
                la_ssize_t n;

                if (archive_entry_filetype(e) != AE_IFREG || name == NULL)
                        continue; /* directories, links: nothing a loader needs */
                while (name[0] == '.' && name[1] == '/')
                        name += 2;
                path = staged_path(st, name);
                out = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
                if (out < 0)
                        return rc_error_set(err, errno, "archive entry %s", name);
                while ((n = archive_read_data(a, buf, sizeof(buf))) > 0) {
                        if (rc_write_all(out, buf, (size_t)n) < 0)
                                return rc_error_set(err, errno, "write %s", path);
                        if (rc_interrupt_check(err) < 0)
                                return -1;
                }
                if (n < 0)
                        return ar_error(a, err, name);
        }
        if (r != ARCHIVE_EOF)
                return ar_error(a, err, "read archive");
        return 0;
}

/* Extract one layer file, verify its diff_id (and digest if given), store
 * it and its blob.  *chain is updated to the new chain id. */
static int load_layer(struct rc_store *s, const char *path, const char *diff_id, const char *digest,
                      char chain[RC_DIGEST_LEN + 1], uint64_t *size, rc_error **err)
{
        struct rc_extract_opts opts = { .mode = RC_EXTRACT_LAYER, .blob_fd = -1, .expected_diff_id = diff_id,
                                        .expected_digest = digest, .max_tar_size = rc_store_max_layer_size(s) };
        struct rc_extract_result res;
        struct rc_layer layer = { 0 };
        cleanup_free char *dir = NULL;
        cleanup_close int in = -1, dir_fd = -1;
        char parent[RC_DIGEST_LEN + 1];
        rc_error *ignored = NULL;

        snprintf(parent, sizeof(parent), "%s", chain);
        rc_layer_chain_id(parent, diff_id, layer.chain_id);
        if (rc_store_layer_exists(s, layer.chain_id)) {
                struct rc_layer l;
                if (rc_store_layer_get(s, layer.chain_id, &l, err) < 0)
                        return -1;
                *size += l.tar_size;
                memcpy(chain, layer.chain_id, RC_DIGEST_LEN + 1);
                return 0;
        }
        in = open(path, O_RDONLY | O_CLOEXEC);
        if (in < 0)
                return rc_error_set(err, errno, "layer %s is missing from the archive", diff_id);
        if (rc_store_mkdtemp(s, "layer", &dir, err) < 0)
                return -1;
        dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir_fd < 0 || rc_archive_extract(in, dir_fd, &opts, &res, err) < 0) {
                if (dir_fd < 0)
                        rc_error_set(err, errno, "open %s", dir);
                else
                        rc_error_wrap(err, "%s", diff_id);
                rc_rm_rf(dir, &ignored);
                rc_error_free(ignored);
                return -1;
        }
        memcpy(layer.diff_id, res.diff_id, sizeof(layer.diff_id));
        memcpy(layer.parent, parent, sizeof(layer.parent));
        memcpy(layer.blob_digest, res.digest, sizeof(layer.blob_digest));
        snprintf(layer.media_type, sizeof(layer.media_type), "%s",
                 res.compression == RC_COMPRESSION_GZIP   ? RC_MEDIA_OCI_LAYER_GZIP
                 : res.compression == RC_COMPRESSION_ZSTD ? RC_MEDIA_OCI_LAYER_ZSTD
                                                          : RC_MEDIA_OCI_LAYER);
        layer.blob_size = res.size;
        layer.tar_size = res.tar_size;
        if (rc_store_blob_commit(s, path, res.digest, err) < 0 || rc_store_layer_commit(s, dir, &layer, err) < 0) {
                rc_rm_rf(dir, &ignored);
                rc_error_free(ignored);
                return -1;
        }
        *size += res.tar_size;
        memcpy(chain, layer.chain_id, RC_DIGEST_LEN + 1);
        return 0;
}

/* Record an image from a config and the layers already loaded. */
static int load_image(struct rc_store *s, const char *config_json, size_t config_len, int64_t created, char **chains,
                      uint64_t size, char **names, char id_out[RC_DIGEST_HEX_LEN + 1], rc_error **err)
{
        struct rc_image img = { 0 };
        struct rc_manifest m = { .schema_version = 2, .media_type = (char *)RC_MEDIA_OCI_MANIFEST };
        size_t n = strv_len(chains);
        struct rc_layer *l = xcalloc(n + 1, sizeof(*l));
        cleanup_free char *manifest = NULL;
        int r = -1;

        if (rc_store_blob_put(s, config_json, config_len, img.config_digest, err) < 0)
                goto out;
        m.config.media_type = (char *)RC_MEDIA_OCI_CONFIG;
        m.config.digest = img.config_digest;
        m.config.size = (int64_t)config_len;
        m.layers = xcalloc(n + 1, sizeof(*m.layers));
        m.n_layers = n;
        for (size_t i = 0; i < n; i++) {
                if (rc_store_layer_get(s, chains[i], &l[i], err) < 0)
                        goto out;
                m.layers[i].media_type = l[i].media_type;
                m.layers[i].digest = l[i].blob_digest;
                m.layers[i].size = (int64_t)l[i].blob_size;
        }
        if (rc_manifest_to_json(&m, &manifest, err) < 0 ||
            rc_store_blob_put(s, manifest, strlen(manifest), img.manifest_digest, err) < 0)
                goto out;
        snprintf(img.id, sizeof(img.id), "%s", rc_digest_hex(img.config_digest));
        img.layers = chains;
        img.names = names;
        img.created = created;
        img.size = size;
        r = rc_store_image_add(s, &img, err);
        if (r == 0)
                memcpy(id_out, img.id, sizeof(img.id));
out:
        free(m.layers);
        free(l);
        return r;
}

/* Normalise names from an archive; ones that are not references are
 * dropped.  A docker-archive's RepoTags mean what docker means by them
 * ("busybox:1" is docker.io's); an OCI ref.name is podman's, so a short
 * one is local (localhost/NAME). */
static char **normalise_names(json_object *list, bool local)
{
        char **names = xcalloc(1, sizeof(char *));

        for (size_t i = 0; list && json_object_is_type(list, json_type_array) && i < json_object_array_length(list);
             i++) {
                struct rc_reference ref = { 0 };
                rc_error *e = NULL;
                const char *t = json_object_get_string(json_object_array_get_idx(list, i));
                if (t && local) {
                        cleanup_free char *full = NULL;
                        if (rc_images_normalize_name(t, &full, &e) == 0)
                                strv_push(&names, full);
                } else if (t && rc_reference_parse(t, &ref, &e) == 0) {
                        cleanup_free char *full = rc_reference_string(&ref);
                        strv_push(&names, full);
                        rc_reference_free(&ref);
                }
                rc_error_free(e);
        }
        return names;
}

static int read_staged(const struct staged *st, const char *name, char **data, size_t *len, rc_error **err)
{
        cleanup_free char *p = staged_path(st, name);
        return rc_read_file(p, data, len, err) < 0 ? rc_error_wrap(err, "archive") : 0;
}

static int load_one(struct rc_store *s, const struct staged *st, const char *config_name, const char *config_digest,
                    char *const *layer_names, char *const *layer_digests, char **names, char ***loaded, rc_error **err)
{
        cleanup_free char *config = NULL;
        struct rc_image_config cfg = { 0 };
        cleanup_strv char **chains = xcalloc(1, sizeof(char *));
        char chain[RC_DIGEST_LEN + 1] = "";
        char id[RC_DIGEST_HEX_LEN + 1];
        uint64_t size = 0;
        size_t len = 0, n = strv_len(layer_names);
        int r = -1;

        if (read_staged(st, config_name, &config, &len, err) < 0)
                return -1;
        if (config_digest) {
                char d[RC_DIGEST_LEN + 1];
                rc_sha256_digest(config, len, d);
                if (strcmp(d, config_digest) != 0)
                        return rc_error_set(err, 0, "archive: config %s does not match its digest", config_name);
        }
        if (rc_image_config_parse(config, len, &cfg, err) < 0)
                return rc_error_wrap(err, "archive: %s", config_name);
        if (strv_len(cfg.diff_ids) != n) {
                rc_error_set(err, 0, "archive: the config lists %zu layers, the manifest %zu", strv_len(cfg.diff_ids), n);
                goto out;
        }
        for (size_t i = 0; i < n; i++) {
                cleanup_free char *path = staged_path(st, layer_names[i]);
                if (load_layer(s, path, cfg.diff_ids[i], layer_digests ? layer_digests[i] : NULL, chain, &size, err) < 0)
                        goto out;
                strv_push(&chains, chain);
        }
        if (load_image(s, config, len, rc_images_created(cfg.created), chains, size, names, id, err) < 0)
                goto out;
        if (names[0])
                for (size_t i = 0; names[i]; i++)
                        strv_push(loaded, names[i]);
        else {
                cleanup_free char *sid = xasprintf("sha256:%s", id);
                strv_push(loaded, sid);
        }
        r = 0;
out:
        rc_image_config_free(&cfg);
        return r;
}

static int load_docker(struct rc_store *s, const struct staged *st, json_object *manifest, char ***loaded,
                       rc_error **err)
{
        if (!json_object_is_type(manifest, json_type_array))
                return rc_error_set(err, 0, "archive: manifest.json is not a list");
        for (size_t i = 0; i < json_object_array_length(manifest); i++) {
                json_object *e = json_object_array_get_idx(manifest, i), *config, *layers, *tags = NULL;
                cleanup_strv char **layer_names = xcalloc(1, sizeof(char *));
                cleanup_strv char **names = NULL;

                if (!json_object_object_get_ex(e, "Config", &config) || !json_object_object_get_ex(e, "Layers", &layers) ||
                    !json_object_is_type(layers, json_type_array))
                        return rc_error_set(err, 0, "archive: manifest.json entry %zu lacks Config or Layers", i);
                json_object_object_get_ex(e, "RepoTags", &tags);
                for (size_t j = 0; j < json_object_array_length(layers); j++)
                        strv_push(&layer_names, json_object_get_string(json_object_array_get_idx(layers, j)));
                names = normalise_names(tags, false);
                if (load_one(s, st, json_object_get_string(config), NULL, layer_names, NULL, names, loaded, err) < 0)
                        return -1;
        }
        return 0;
}

static int load_oci(struct rc_store *s, const struct staged *st, json_object *index, char ***loaded, rc_error **err)
{
        json_object *manifests;

        if (!json_object_object_get_ex(index, "manifests", &manifests) ||
            !json_object_is_type(manifests, json_type_array))
                return rc_error_set(err, 0, "archive: index.json has no manifests");
        for (size_t i = 0; i < json_object_array_length(manifests); i++) {
                json_object *d = json_object_array_get_idx(manifests, i), *digest, *ann, *ref;
                cleanup_free char *body = NULL, *bname = NULL;
                cleanup_strv char **layer_names = xcalloc(1, sizeof(char *));
                cleanup_strv char **layer_digests = xcalloc(1, sizeof(char *));
                cleanup_strv char **names = xcalloc(1, sizeof(char *));
                struct rc_manifest m = { 0 };
                char actual[RC_DIGEST_LEN + 1];
                size_t len = 0;
                int r;

                if (!json_object_object_get_ex(d, "digest", &digest) || !rc_digest_valid(json_object_get_string(digest)))
                        return rc_error_set(err, 0, "archive: index.json entry %zu has no valid digest", i);
                bname = xasprintf("blobs/sha256/%s", rc_digest_hex(json_object_get_string(digest)));
                if (read_staged(st, bname, &body, &len, err) < 0)
                        return -1;
                rc_sha256_digest(body, len, actual);
                if (strcmp(actual, json_object_get_string(digest)) != 0)
                        return rc_error_set(err, 0, "archive: manifest %s does not match its digest",
                                            json_object_get_string(digest));
                if (rc_manifest_parse(body, len, &m, err) < 0)
                        return rc_error_wrap(err, "archive: manifest %s", json_object_get_string(digest));
                for (size_t j = 0; j < m.n_layers; j++) {
                        cleanup_free char *ln = xasprintf("blobs/sha256/%s", rc_digest_hex(m.layers[j].digest));
                        strv_push(&layer_names, ln);
                        strv_push(&layer_digests, m.layers[j].digest);
                }
                if (json_object_object_get_ex(d, "annotations", &ann) &&
                    json_object_object_get_ex(ann, "org.opencontainers.image.ref.name", &ref)) {
                        const char *rn = json_object_get_string(ref);
                        /* a bare tag ("latest") names no repository: leave the image unnamed */
                        if (rn && (strchr(rn, '/') || strchr(rn, ':'))) {
                                json_object *one = json_object_new_array();
                                json_object_array_add(one, json_object_new_string(rn));
                                strv_free(names);
                                names = normalise_names(one, true);
                                json_object_put(one);
                        }
                }
                {
                        cleanup_free char *cname = xasprintf("blobs/sha256/%s", rc_digest_hex(m.config.digest));
                        r = load_one(s, st, cname, m.config.digest, layer_names, layer_digests, names, loaded, err);
                }
                rc_manifest_free(&m);
                if (r < 0)
                        return -1;
        }
        return 0;
}

int rc_images_save(struct rc_store *s, const struct rc_save_opts *o, int out_fd, rc_error **err)
{
        size_t n = strv_len(o->images);

        if (n == 0)
                return rc_error_code(err, EINVAL, "no image specified for saving images");
        if (n > 1 && o->format != RC_ARCHIVE_DOCKER)
                return rc_error_code(err, EINVAL, "unsupported format \"oci-archive\" for saving multiple images (only "
                                                 "docker-archive)");
        if (n > 1 && o->extra_names && o->extra_names[0])
                return rc_error_code(err, EINVAL, "cannot save multiple images with multiple tags");
        if (rc_dl_archive(err) < 0 || rc_dl_crypto(err) < 0)
                return rc_error_wrap(err, "save");
        return save_archive(s, o, out_fd, err);
}

int rc_images_load(struct rc_store *s, int in_fd, char ***loaded, rc_error **err)
{
        struct staged st = { 0 };
        cleanup_free char *text = NULL;
        size_t len = 0;
        json_object *doc = NULL;
        rc_error *ignored = NULL;
        char **out = xcalloc(1, sizeof(char *));
        int r = -1;

        if (rc_dl_archive(err) < 0 || rc_dl_crypto(err) < 0) {
                free(out);
                return rc_error_wrap(err, "load");
        }
        if (stage_archive(s, in_fd, &st, err) < 0)
                goto done;
        if (read_staged(&st, "manifest.json", &text, &len, &ignored) == 0) {
                doc = json_tokener_parse(text);
                r = doc ? load_docker(s, &st, doc, &out, err) : rc_error_set(err, 0, "archive: manifest.json is not JSON");
        } else {
                rc_error_free(ignored);
                ignored = NULL;
                if (read_staged(&st, "index.json", &text, &len, &ignored) == 0) {
                        doc = json_tokener_parse(text);
                        r = doc ? load_oci(s, &st, doc, &out, err) : rc_error_set(err, 0, "archive: index.json is not JSON");
                } else {
                        r = rc_error_set(err, 0,
                                         "payload does not match any of the supported image formats: the archive has "
                                         "neither manifest.json (docker-archive) nor index.json (oci-archive)");
                }
        }
done:
        json_object_put(doc);
        rc_error_free(ignored);
        ignored = NULL;
        if (st.dir) {
                rc_rm_rf(st.dir, &ignored);
                rc_error_free(ignored);
                free(st.dir);
        }
        if (r < 0) {
                strv_free(out);
                rc_images_hint_layer_error(s, err);
                return rc_error_wrap(err, "load");
        }
        *loaded = out;
        return 0;
}
