/* rc pull: registry -> verified blobs -> layers extracted once -> image. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "archive/archive.h"
#include "dl/dl.h"
#include "images/images.h"
#include "images/internal.h"
#include "registry/registry.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/xalloc.h"

struct mem_sink {
        char *buf;
        size_t len, cap, limit;
};

static int mem_sink_write(void *ctx, const void *data, size_t len, rc_error **err)
{
        struct mem_sink *m = ctx;

        if (m->len + len > m->limit)
                return rc_error_set(err, EFBIG, "image config is larger than %zu bytes", m->limit);
        if (m->len + len + 1 > m->cap) {
                m->cap = (m->len + len + 1) * 2;
                m->buf = xrealloc(m->buf, m->cap);
        }
        memcpy(m->buf + m->len, data, len);
        m->len += len;
        m->buf[m->len] = '\0';
        return 0;
}

static bool layer_media_type_ok(const char *mt)
{
        static const char *const ok[] = { RC_MEDIA_OCI_LAYER,      RC_MEDIA_OCI_LAYER_GZIP,    RC_MEDIA_OCI_LAYER_ZSTD,
                                          RC_MEDIA_OCI_LAYER_ND,   RC_MEDIA_OCI_LAYER_ND_GZIP, RC_MEDIA_OCI_LAYER_ND_ZSTD,
                                          RC_MEDIA_DOCKER_LAYER_GZIP, RC_MEDIA_DOCKER_LAYER_FOREIGN };
        for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
                if (strcmp(mt, ok[i]) == 0)
                        return true;
        return false;
}

struct pull {
        struct rc_store *s;
        const struct rc_pull_opts *o;
        struct rc_registry *reg;
        const char *repo;
        struct rc_resolved res;
        struct rc_image_config config;
        char *config_json;
        size_t config_len;
        char (*chain)[RC_DIGEST_LEN + 1];
        char **tmp_blobs; /* per layer: staged download, or NULL if the layer is stored */
};

static void pull_free(struct pull *p)
{
        size_t n = p->res.manifest.n_layers;

        for (size_t i = 0; p->tmp_blobs && i < n; i++) {
                if (p->tmp_blobs[i])
                        unlink(p->tmp_blobs[i]);
                free(p->tmp_blobs[i]);
        }
        free(p->tmp_blobs);
        free(p->chain);
        free(p->config_json);
        rc_image_config_free(&p->config);
        rc_resolved_free(&p->res);
        rc_registry_close(p->reg);
}

static void report(const struct rc_pull_opts *o, const char *what, const char *digest, int64_t done, int64_t total)
{
        if (o->progress)
                o->progress(o->progress_ctx, what, digest, done, total);
}

static int fetch_config(struct pull *p, rc_error **err)
{
        const struct rc_descriptor *cd = &p->res.manifest.config;
        struct mem_sink m = { .limit = RC_IMAGE_JSON_MAX };
        struct rc_blob_request req = { .digest = cd->digest, .size = cd->size, .sink = mem_sink_write, .sink_ctx = &m };
        const char *os, *arch, *variant;

        if (rc_registry_get_blobs(p->reg, p->repo, &req, 1, NULL, NULL, err) < 0) {
                free(m.buf);
                rc_error_free(req.error);
                return rc_error_wrap(err, "config %s", cd->digest);
        }
        p->config_json = m.buf;
        p->config_len = m.len;
        if (rc_image_config_parse(p->config_json, p->config_len, &p->config, err) < 0)
                return -1;
        if (strv_len(p->config.diff_ids) != p->res.manifest.n_layers)
                return rc_error_set(err, 0, "image config lists %zu layers (rootfs.diff_ids) but the manifest %zu",
                                    strv_len(p->config.diff_ids), p->res.manifest.n_layers);
        rc_platform_host(&os, &arch, &variant);
        os = p->o->os ? p->o->os : os;
        arch = p->o->arch ? p->o->arch : arch;
        if (strcmp(p->config.os, os) != 0 || strcmp(p->config.architecture, arch) != 0)
                return rc_error_set(err, 0, "the image is for %s/%s, not %s/%s: pick a platform with --platform",
                                    p->config.os, p->config.architecture, os, arch);
        return 0;
}

struct blob_progress_ctx {
        const struct rc_pull_opts *o;
        const struct rc_descriptor *layers;
        const size_t *index; /* request -> layer */
};

static void blob_progress(void *ctx, size_t i, int64_t done, int64_t total)
{
        struct blob_progress_ctx *b = ctx;
        report(b->o, "downloading", b->layers[b->index[i]].digest, done, total);
}

/* Download the layers the store lacks, in parallel, to staged files. */
static int fetch_layers(struct pull *p, rc_error **err)
{
        size_t n = p->res.manifest.n_layers, want = 0;
        struct rc_blob_request *reqs = xcalloc(n ? n : 1, sizeof(*reqs));
        int *fds = xcalloc(n ? n : 1, sizeof(int));
        size_t *index = xcalloc(n ? n : 1, sizeof(size_t));
        int r = -1;

        p->chain = xcalloc(n ? n : 1, sizeof(*p->chain));
        p->tmp_blobs = xcalloc(n ? n : 1, sizeof(char *));
        for (size_t i = 0; i < n; i++) {
                const struct rc_descriptor *l = &p->res.manifest.layers[i];
                rc_layer_chain_id(i ? p->chain[i - 1] : NULL, p->config.diff_ids[i], p->chain[i]);
                if (!layer_media_type_ok(l->media_type)) {
                        rc_error_set(err, 0, "layer %s has media type %s, which rc cannot unpack", l->digest,
                                     l->media_type);
                        goto out;
                }
                /* A layer stored from another blob (another compression) still
                 * gets this image's blob: push and save use the image's own. */
                if (rc_store_layer_exists(p->s, p->chain[i]) && rc_store_blob_exists(p->s, l->digest)) {
                        report(p->o, "exists", l->digest, l->size, l->size);
                        continue;
                }
                if (rc_store_mkstemp(p->s, "pull", &fds[want], &p->tmp_blobs[i], err) < 0)
                        goto out;
                reqs[want] = (struct rc_blob_request){ .digest = l->digest, .size = l->size,
                                                       .sink = rc_blob_sink_fd, .sink_ctx = &fds[want] };
                index[want++] = i;
        }
        if (want > 0) {
                struct blob_progress_ctx bp = { .o = p->o, .layers = p->res.manifest.layers, .index = index };
                if (rc_registry_get_blobs(p->reg, p->repo, reqs, want, p->o->progress ? blob_progress : NULL, &bp,
                                          err) < 0)
                        goto out;
        }
        for (size_t k = 0; k < want; k++)
                report(p->o, "fetched", p->res.manifest.layers[index[k]].digest, reqs[k].bytes, reqs[k].bytes);
        r = 0;
out:
        for (size_t k = 0; k < want; k++) {
                close(fds[k]);
                rc_error_free(reqs[k].error);
        }
        free(reqs);
        free(fds);
        free(index);
        return r;
}

/* The blob of a layer the store already has from another blob: checked
 * against the config's diff_id, then kept beside it. */
static int commit_blob_only(struct pull *p, size_t i, rc_error **err)
{
        const char *digest = p->res.manifest.layers[i].digest;
        char diff_id[RC_DIGEST_LEN + 1];

        if (rc_archive_diff_id(p->tmp_blobs[i], diff_id, err) < 0)
                return rc_error_wrap(err, "layer %s", digest);
        if (strcmp(diff_id, p->config.diff_ids[i]) != 0)
                return rc_error_set(err, 0, "layer %s: uncompressed digest %s does not match the config's diff_id %s",
                                    digest, diff_id, p->config.diff_ids[i]);
        if (rc_store_blob_commit(p->s, p->tmp_blobs[i], digest, err) < 0)
                return -1;
        free(p->tmp_blobs[i]);
        p->tmp_blobs[i] = NULL;
        return 0;
}

/* One layer to extract on a worker thread. */
struct extract_job {
        uint64_t max_tar_size; /* [storage] max_layer_size */
        const char *blob_path;
        const char *diff_id;
        char *dir; /* staging directory */
        struct rc_extract_result res;
        rc_error *err;
};

struct extract_pool {
        struct extract_job *jobs;
        size_t n, next;
        pthread_mutex_t lock;
};

static void extract_one(struct extract_job *j)
{
        struct rc_extract_opts opts = { .mode = RC_EXTRACT_LAYER, .blob_fd = -1, .expected_diff_id = j->diff_id,
                                        .max_tar_size = j->max_tar_size };
        cleanup_close int in = open(j->blob_path, O_RDONLY | O_CLOEXEC);
        cleanup_close int dir_fd = open(j->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        if (in < 0 || dir_fd < 0) {
                rc_error_set(&j->err, errno, "open staged layer");
                return;
        }
        rc_archive_extract(in, dir_fd, &opts, &j->res, &j->err);
}

static void *extract_worker(void *arg)
{
        struct extract_pool *pool = arg;

        for (;;) {
                size_t i;
                pthread_mutex_lock(&pool->lock);
                i = pool->next++;
                pthread_mutex_unlock(&pool->lock);
                if (i >= pool->n)
                        return NULL;
                extract_one(&pool->jobs[i]);
        }
}

/* Extract the jobs on up to one thread per CPU (at most 4): layers are
 * independent directories, and decompression is the bottleneck. */
static void extract_all(struct extract_job *jobs, size_t n)
{
        struct extract_pool pool = { .jobs = jobs, .n = n, .lock = PTHREAD_MUTEX_INITIALIZER };
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        size_t workers = cpus < 1 ? 1 : cpus > 4 ? 4 : (size_t)cpus, started = 0;
        pthread_t threads[4];

        if (workers > n)
                workers = n;
        for (; started + 1 < workers; started++)
                if (pthread_create(&threads[started], NULL, extract_worker, &pool) != 0)
                        break;
        extract_worker(&pool); /* this thread works too */
        for (size_t t = 0; t < started; t++)
                pthread_join(threads[t], NULL);
}

/* Extract the downloaded layers (checking each diff_id), then commit them
 * in order: blobs and layer records are written by this thread only. */
static int commit_layers(struct pull *p, rc_error **err)
{
        size_t n = p->res.manifest.n_layers, n_jobs = 0;
        struct extract_job *jobs = xcalloc(n ? n : 1, sizeof(*jobs));
        size_t *job_of = xcalloc(n ? n : 1, sizeof(size_t));
        int r = -1;

        for (size_t i = 0; i < n; i++) {
                job_of[i] = SIZE_MAX;
                if (p->tmp_blobs[i] == NULL || rc_store_layer_exists(p->s, p->chain[i]))
                        continue;
                jobs[n_jobs] = (struct extract_job){ .blob_path = p->tmp_blobs[i],
                                                     .diff_id = p->config.diff_ids[i],
                                                     .max_tar_size = rc_store_max_layer_size(p->s) };
                if (rc_store_mkdtemp(p->s, "layer", &jobs[n_jobs].dir, err) < 0)
                        goto out;
                job_of[i] = n_jobs++;
        }
        extract_all(jobs, n_jobs);
        for (size_t i = 0; i < n; i++) {
                const struct rc_descriptor *l = &p->res.manifest.layers[i];
                struct extract_job *j = job_of[i] == SIZE_MAX ? NULL : &jobs[job_of[i]];
                struct rc_layer layer = { 0 };

                if (p->tmp_blobs[i] == NULL)
                        continue;
                if (j == NULL) {
                        if (commit_blob_only(p, i, err) < 0)
                                goto out;
                        continue;
                }
                if (j->err != NULL) {
                        *err = steal_pointer(&j->err);
                        rc_error_wrap(err, "layer %s", l->digest);
                        goto out;
                }
                memcpy(layer.chain_id, p->chain[i], sizeof(layer.chain_id));
                memcpy(layer.diff_id, j->res.diff_id, sizeof(layer.diff_id));
                if (i > 0)
                        memcpy(layer.parent, p->chain[i - 1], sizeof(layer.parent));
                snprintf(layer.blob_digest, sizeof(layer.blob_digest), "%s", l->digest);
                snprintf(layer.media_type, sizeof(layer.media_type), "%s", l->media_type);
                layer.blob_size = (uint64_t)l->size;
                layer.tar_size = j->res.tar_size;
                if (rc_store_blob_commit(p->s, p->tmp_blobs[i], l->digest, err) < 0)
                        goto out;
                free(p->tmp_blobs[i]);
                p->tmp_blobs[i] = NULL;
                if (rc_store_layer_commit(p->s, j->dir, &layer, err) < 0)
                        goto out;
                free(j->dir); /* renamed into place (or discarded) by the commit */
                j->dir = NULL;
                report(p->o, "extracted", l->digest, (int64_t)j->res.tar_size, (int64_t)j->res.tar_size);
        }
        r = 0;
out:
        for (size_t k = 0; k < n_jobs; k++) {
                rc_error *ignored = NULL;
                if (jobs[k].dir != NULL)
                        rc_rm_rf(jobs[k].dir, &ignored);
                rc_error_free(ignored);
                rc_error_free(jobs[k].err);
                free(jobs[k].dir);
        }
        free(jobs);
        free(job_of);
        return r;
}

static int record_image(struct pull *p, const char *name, char id_out[RC_DIGEST_HEX_LEN + 1], rc_error **err)
{
        char config_digest[RC_DIGEST_LEN + 1], manifest_digest[RC_DIGEST_LEN + 1];
        size_t n = p->res.manifest.n_layers;
        struct rc_image img = { 0 };
        char *names[2] = { (char *)name, NULL };
        char **layers = xcalloc(n + 1, sizeof(char *));
        cleanup_strv char **blobs = xcalloc(n + 2, sizeof(char *));
        int r;

        for (size_t i = 0; i < n; i++)
                blobs[i] = xstrdup(p->res.manifest.layers[i].digest);

        if (rc_store_blob_put(p->s, p->config_json, p->config_len, config_digest, err) < 0 ||
            rc_store_blob_put(p->s, p->res.manifest_json, p->res.manifest_len, manifest_digest, err) < 0) {
                free(layers);
                return -1;
        }
        if (strcmp(config_digest, p->res.manifest.config.digest) != 0) {
                free(layers);
                return rc_error_set(err, 0, "config digest mismatch: manifest says %s, content is %s",
                                    p->res.manifest.config.digest, config_digest);
        }
        snprintf(img.id, sizeof(img.id), "%s", rc_digest_hex(config_digest));
        memcpy(img.config_digest, config_digest, sizeof(config_digest));
        memcpy(img.manifest_digest, manifest_digest, sizeof(manifest_digest));
        blobs[n] = xstrdup(manifest_digest); /* one image may be pulled as several manifests */
        for (size_t i = 0; i < n; i++)
                layers[i] = p->chain[i];
        img.layers = layers;
        img.names = names;
        img.blobs = blobs;
        img.created = rc_images_created(p->config.created);
        for (size_t i = 0; i < n; i++) {
                struct rc_layer l;
                rc_error *e = NULL;
                if (rc_store_layer_get(p->s, p->chain[i], &l, &e) == 0)
                        img.size += l.tar_size;
                rc_error_free(e);
        }
        r = rc_store_image_add(p->s, &img, err);
        free(layers);
        if (r == 0)
                memcpy(id_out, img.id, sizeof(img.id));
        return r;
}

/* Remember where the blobs live, so that a push to another repository of
 * this registry can mount them.  Only an optimisation: failures are logged. */
static void record_sources(struct pull *p, const char *domain)
{
        rc_error *e = NULL;

        for (size_t i = 0; i <= p->res.manifest.n_layers && e == NULL; i++) {
                const char *d = i < p->res.manifest.n_layers ? p->res.manifest.layers[i].digest
                                                             : p->res.manifest.config.digest;
                rc_store_blob_source_add(p->s, d, domain, p->repo, &e);
        }
        if (e != NULL)
                rc_debug("recording blob sources: %s", e->msg);
        rc_error_free(e);
}

static int pull_from(struct rc_store *s, const struct rc_pull_opts *o, const char *domain, const char *repo,
                     const char *tag_or_digest, const char *name, char id_out[RC_DIGEST_HEX_LEN + 1], rc_error **err)
{
        struct pull p = { .s = s, .o = o, .repo = repo };
        cleanup_strv char **mirrors = rc_config_mirrors_for(o->cfg, domain);
        struct rc_registry_opts ro = { .skip_tls_verify = o->skip_tls_verify, .insecure = o->cfg->insecure,
                                       .mirrors = mirrors, .concurrency = o->cfg->parallel_downloads };
        const char *os, *arch, *variant;
        int r = -1;

        rc_platform_host(&os, &arch, &variant);
        if (o->os)
                os = o->os, arch = o->arch, variant = o->variant;
        if (rc_registry_open(domain, &ro, &p.reg, err) < 0)
                goto out;
        report(o, "resolving", NULL, 0, 0);
        if (rc_registry_resolve(p.reg, repo, tag_or_digest, os, arch, variant, &p.res, err) < 0)
                goto out;
        if (fetch_config(&p, err) < 0 || fetch_layers(&p, err) < 0 || commit_layers(&p, err) < 0 ||
            record_image(&p, name, id_out, err) < 0)
                goto out;
        record_sources(&p, domain);
        r = 0;
out:
        if (r < 0)
                rc_images_hint_layer_error(s, err);
        pull_free(&p);
        return r;
}

int rc_images_pull(struct rc_store *s, const char *what, const struct rc_pull_opts *o,
                   char id_out[RC_DIGEST_HEX_LEN + 1], rc_error **err)
{
        struct rc_reference ref = { 0 };
        cleanup_free char *name = NULL;
        const char *tag_or_digest;
        int r;

        if (rc_dl_curl(err) < 0 || rc_dl_crypto(err) < 0 || rc_dl_archive(err) < 0)
                return rc_error_wrap(err, "pull %s", what);
        if (rc_reference_parse(what, &ref, err) < 0)
                return -1;
        tag_or_digest = ref.digest ? ref.digest : ref.tag;
        if (rc_reference_has_domain(what) || strv_len(o->cfg->search) == 0) {
                name = rc_reference_string(&ref);
                r = pull_from(s, o, ref.domain, ref.path, tag_or_digest, name, id_out, err);
                rc_reference_free(&ref);
                return r < 0 ? rc_error_wrap(err, "pull %s", what) : 0;
        }
        /* A short name: try the search registries in order. */
        r = -1;
        for (size_t i = 0; o->cfg->search[i]; i++) {
                const char *domain = o->cfg->search[i];
                const char *repo = ref.path;
                /* "library/" is docker.io's namespace for official images only */
                if (strcmp(domain, "docker.io") != 0 && strncmp(repo, "library/", 8) == 0 && !strchr(what, '/'))
                        repo += 8;
                free(name);
                name = ref.digest ? xasprintf("%s/%s@%s", domain, repo, ref.digest)
                                  : xasprintf("%s/%s:%s", domain, repo, ref.tag);
                if (*err) {
                        rc_debug("%s", (*err)->msg);
                        rc_error_free(*err);
                        *err = NULL;
                }
                r = pull_from(s, o, domain, repo, tag_or_digest, name, id_out, err);
                if (r == 0)
                        break;
        }
        rc_reference_free(&ref);
        return r < 0 ? rc_error_wrap(err, "pull %s", what) : 0;
}
