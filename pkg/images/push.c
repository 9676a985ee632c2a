/* rc push: stored image -> blobs the registry lacks (mounted from another
 * repository when rc knows one) -> manifest. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dl/dl.h"
#include "images/images.h"
#include "registry/registry.h"
#include "util/log.h"
#include "util/xalloc.h"

struct push {
        struct rc_store *s;
        const struct rc_push_opts *o;
        struct rc_registry *reg;
        const char *domain, *repo;
        struct rc_stored_image si;
        char **staged;           /* per layer: a re-compressed blob under tmp/, or NULL */
        struct rc_descriptor *descs; /* per layer: what is pushed */
        char *manifest, *manifest_type; /* the image's own manifest, when pushed unchanged */
};

static void report(const struct rc_push_opts *o, const char *what, const char *digest, int64_t done, int64_t total)
{
        if (o->progress)
                o->progress(o->progress_ctx, what, digest, done, total);
}

struct progress_ctx {
        const struct rc_push_opts *o;
        const char *digest;
};

static void upload_progress(void *ctx, int64_t sent, int64_t total)
{
        struct progress_ctx *p = ctx;

        report(p->o, "pushing", p->digest, sent, total);
}

static void push_free(struct push *p)
{
        for (size_t i = 0; p->staged && i < p->si.n_layers; i++) {
                if (p->staged[i])
                        unlink(p->staged[i]);
                free(p->staged[i]);
        }
        free(p->staged);
        for (size_t i = 0; p->descs && i < p->si.n_layers; i++) {
                free(p->descs[i].digest);
                free(p->descs[i].media_type);
        }
        free(p->descs);
        free(p->manifest);
        free(p->manifest_type);
        rc_stored_image_free(&p->si);
        rc_registry_close(p->reg);
}

/* Decide each layer's blob: the stored one when its compression is
 * acceptable, else a re-compressed copy staged under tmp/. */
static int prepare_layers(struct push *p, rc_error **err)
{
        size_t n = p->si.n_layers;

        p->staged = xcalloc(n + 1, sizeof(char *));
        p->descs = xcalloc(n + 1, sizeof(*p->descs));
        for (size_t i = 0; i < n; i++) {
                const struct rc_layer *l = &p->si.layers[i];
                enum rc_compression have = rc_layer_compression(l->media_type), want = have;
                char digest[RC_DIGEST_LEN + 1];
                cleanup_free char *src = NULL;
                cleanup_close int fd = -1;
                int64_t size;

                if (p->o->force_compression)
                        want = p->o->compression;
                else if (have == RC_COMPRESSION_NONE)
                        want = RC_COMPRESSION_GZIP; /* registries expect compressed layers */
                if (want == have) {
                        p->descs[i].digest = xstrdup(l->blob_digest);
                        p->descs[i].size = (int64_t)l->blob_size;
                        p->descs[i].media_type = xstrdup(rc_layer_media_type(have));
                        continue;
                }
                report(p->o, "compressing", l->blob_digest, 0, (int64_t)l->tar_size);
                src = rc_store_blob_path(p->s, l->blob_digest);
                if (rc_store_mkstemp(p->s, "push", &fd, &p->staged[i], err) < 0 ||
                    rc_archive_recompress(src, want, fd, digest, &size, err) < 0)
                        return rc_error_wrap(err, "layer %s: compress as %s", l->diff_id, rc_compression_name(want));
                p->descs[i].digest = xstrdup(digest);
                p->descs[i].size = size;
                p->descs[i].media_type = xstrdup(rc_layer_media_type(want));
        }
        return 0;
}

static int put_blob(struct push *p, const char *digest, int64_t size, const char *path, rc_error **err)
{
        struct rc_blob_upload b = { .digest = digest, .size = size, .path = path };
        struct progress_ctx pc = { .o = p->o, .digest = digest };
        cleanup_free char *from = NULL;
        enum rc_blob_pushed how;
        rc_error *e = NULL;

        if (rc_store_blob_source_find(p->s, digest, p->domain, p->repo, &from, &e) < 0) {
                rc_debug("looking up blob sources: %s", e->msg);
                rc_error_free(e);
                e = NULL;
        }
        b.mount_from = from;
        if (rc_registry_put_blob(p->reg, p->repo, &b, upload_progress, &pc, &how, err) < 0)
                return -1;
        report(p->o, how == RC_BLOB_EXISTED ? "exists" : how == RC_BLOB_MOUNTED ? "mounted" : "pushed", digest, size,
               size);
        if (rc_store_blob_source_add(p->s, digest, p->domain, p->repo, &e) < 0) {
                rc_debug("recording blob source: %s", e->msg);
                rc_error_free(e);
        }
        return 0;
}

/* Push the manifest the image was pulled or built with, unchanged (so the
 * image keeps its digest), when the store has all its blobs and their
 * compression is what was asked for.  Returns true when it will. */
static bool use_original(struct push *p)
{
        cleanup_free char *json = NULL;
        struct rc_manifest m = { 0 };
        size_t len = 0;
        rc_error *e = NULL;
        bool ok;

        if (!p->si.img.manifest_digest[0] ||
            rc_store_blob_read(p->s, p->si.img.manifest_digest, &json, &len, &e) < 0 ||
            rc_manifest_parse(json, len, &m, &e) < 0) {
                rc_debug("image %.12s: pushing a new manifest: %s", p->si.img.id, e ? e->msg : "none stored");
                rc_error_free(e);
                return false;
        }
        ok = m.n_layers == p->si.n_layers && strcmp(m.config.digest, p->si.img.config_digest) == 0;
        for (size_t i = 0; ok && i < m.n_layers; i++) {
                enum rc_compression c = rc_layer_compression(m.layers[i].media_type);
                ok = rc_store_blob_exists(p->s, m.layers[i].digest) &&
                     (p->o->force_compression ? c == p->o->compression : c != RC_COMPRESSION_NONE);
        }
        if (ok) {
                p->staged = xcalloc(m.n_layers + 1, sizeof(char *));
                p->descs = xcalloc(m.n_layers + 1, sizeof(*p->descs));
                for (size_t i = 0; i < m.n_layers; i++) {
                        p->descs[i].digest = xstrdup(m.layers[i].digest);
                        p->descs[i].size = m.layers[i].size;
                        p->descs[i].media_type = xstrdup(m.layers[i].media_type);
                }
                p->manifest = steal_pointer(&json);
                p->manifest_type = xstrdup(m.media_type);
        }
        rc_manifest_free(&m);
        return ok;
}

static int push_manifest(struct push *p, const char *tag, char digest_out[RC_DIGEST_LEN + 1], rc_error **err)
{
        cleanup_free char *media_type = steal_pointer(&p->manifest_type);
        cleanup_free char *json = steal_pointer(&p->manifest);

        if (json == NULL) {
                struct rc_stored_image si = p->si;
                struct rc_layer *layers = xcalloc(si.n_layers + 1, sizeof(*layers));
                int r;
                /* the stored layer records, pointed at the blobs being pushed */
                for (size_t i = 0; i < si.n_layers; i++) {
                        layers[i] = si.layers[i];
                        snprintf(layers[i].blob_digest, sizeof(layers[i].blob_digest), "%s", p->descs[i].digest);
                        snprintf(layers[i].media_type, sizeof(layers[i].media_type), "%s", p->descs[i].media_type);
                        layers[i].blob_size = (uint64_t)p->descs[i].size;
                }
                si.layers = layers;
                r = rc_stored_image_manifest(&si, &json, err);
                free(layers);
                if (r < 0)
                        return -1;
                media_type = xstrdup(RC_MEDIA_OCI_MANIFEST);
        }
        rc_sha256_digest(json, strlen(json), digest_out);
        report(p->o, "manifest", digest_out, 0, 0);
        return rc_registry_put_manifest(p->reg, p->repo, tag, json, strlen(json), media_type, err);
}

/* The reference to push to: dest (an optional docker:// prefix) or the name
 * the user gave the image by. */
static int destination(const char *what, const char *dest, struct rc_reference *ref, rc_error **err)
{
        const char *d = dest ? dest : what;

        if (strncmp(d, "docker://", 9) == 0)
                d += 9;
        if (dest == NULL && rc_looks_like_id(what))
                return rc_error_set(err, EINVAL, "push: %s is an image id; give a destination: rc push %s "
                                    "REGISTRY/REPOSITORY[:TAG]", what, what);
        if (rc_reference_parse(d, ref, err) < 0)
                return rc_error_wrap(err, "push: destination");
        if (ref->digest) {
                rc_reference_free(ref);
                return rc_error_set(err, EINVAL, "push: the destination \"%s\" has a digest; give a tag", d);
        }
        return 0;
}

int rc_images_push(struct rc_store *s, const char *what, const char *dest, const struct rc_push_opts *o,
                   char digest_out[RC_DIGEST_LEN + 1], rc_error **err)
{
        struct rc_reference ref = { 0 };
        struct push p = { .s = s, .o = o };
        struct rc_registry_opts ro = { .skip_tls_verify = o->skip_tls_verify, .insecure = o->cfg->insecure,
                                       .auth_file = o->auth_file, .username = o->username,
                                       .password = o->password };
        cleanup_free char *name = NULL;
        int r = -1;

        if (rc_dl_curl(err) < 0 || rc_dl_crypto(err) < 0)
                return rc_error_wrap(err, "push %s", what);
        if (destination(what, dest, &ref, err) < 0)
                return -1;
        name = rc_reference_string(&ref);
        p.domain = ref.domain;
        p.repo = ref.path;
        if (rc_images_stored(s, what, &p.si, err) < 0)
                goto out;
        if (rc_registry_open(ref.domain, &ro, &p.reg, err) < 0 || (!use_original(&p) && prepare_layers(&p, err) < 0))
                goto out;
        for (size_t i = 0; i < p.si.n_layers; i++) {
                cleanup_free char *stored = p.staged[i] ? NULL : rc_store_blob_path(s, p.descs[i].digest);
                if (put_blob(&p, p.descs[i].digest, p.descs[i].size, stored ? stored : p.staged[i], err) < 0)
                        goto out;
        }
        {
                cleanup_free char *config = rc_store_blob_path(s, p.si.img.config_digest);
                if (put_blob(&p, p.si.img.config_digest, p.si.config_size, config, err) < 0)
                        goto out;
        }
        if (push_manifest(&p, ref.tag, digest_out, err) < 0)
                goto out;
        r = 0;
out:
        if (r < 0)
                rc_error_wrap(err, "push %s", name);
        push_free(&p);
        rc_reference_free(&ref);
        return r;
}
