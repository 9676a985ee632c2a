/* registry-probe: drive pkg/registry by hand against a real registry.
 *
 * Not built by make.  Build after `make`:
 *   cc -std=gnu11 -O2 -D_GNU_SOURCE -Ipkg $(pkg-config --cflags json-c libcurl) \
 *      -o build/registry-probe tests/tools/registry-probe.c build/librc.a \
 *      $(pkg-config --libs json-c libarchive inih sqlite3 libcrypto zlib libzstd libseccomp libsystemd libcurl)
 *
 * Usage: registry-probe [options] COMMAND ...
 *   pull REF              resolve REF for the platform, download config and layers in parallel,
 *                         verify them; prints digests, sizes and throughput
 *   manifest REF          print the manifest (or index) as served
 *   blob REF DIGEST SIZE  download one blob of REF's repository (throughput)
 *   ping HOST             GET /v2/ with the auth flow
 *   login HOST USER PASS  check the credentials, then store them (auth.json)
 *   logout HOST|--all
 * Options: --tls-verify=false  --insecure HOST[:PORT]  --mirror M  --creds USER:PASS
 *          --authfile F  --concurrency N  --platform OS/ARCH[/VARIANT]  --certs-dir D
 *          --out DIR (keep blobs as DIR/HEX)  --tries N  --backoff-ms N  --debug
 * Exit status: 0 success, 1 failure (message on stderr), 2 usage. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "image/image.h"
#include "registry/registry.h"
#include "util/log.h"
#include "util/xalloc.h"

struct out_file {
        int fd;
};

static double now_s(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int discard_sink(void *ctx, const void *data, size_t len, rc_error **err)
{
        (void)ctx;
        (void)data;
        (void)len;
        (void)err;
        return 0;
}

static void progress(void *ctx, size_t index, int64_t done, int64_t total)
{
        int *last = ctx;
        int pct = total > 0 ? (int)(done * 100 / total) : 100;
        if (getenv("PROBE_PROGRESS") && pct / 25 != last[index] / 25) {
                fprintf(stderr, "blob %zu: %d%%\n", index, pct);
                last[index] = pct;
        }
}

static int fail(rc_error *err)
{
        fprintf(stderr, "registry-probe: %s\n", err ? err->msg : "failed");
        rc_error_free(err);
        return 1;
}

static int usage(void)
{
        fprintf(stderr, "usage: registry-probe [options] pull|manifest|blob|ping|login|logout ...\n"
                        "(see the comment at the top of tests/tools/registry-probe.c)\n");
        return 2;
}

static int download(struct rc_registry *r, const char *repo, char **digests, int64_t *sizes, size_t n,
                    const char *outdir)
{
        struct rc_blob_request *reqs = xcalloc(n, sizeof(*reqs));
        struct out_file *files = xcalloc(n, sizeof(*files));
        int *last = xcalloc(n, sizeof(int));
        rc_error *err = NULL;
        int64_t total = 0;
        double t0, dt;
        int rc;

        for (size_t i = 0; i < n; i++) {
                reqs[i].digest = digests[i];
                reqs[i].size = sizes[i];
                reqs[i].sink = discard_sink;
                files[i].fd = -1;
                if (outdir) {
                        char *p = xasprintf("%s/%s", outdir, rc_digest_hex(digests[i]));
                        files[i].fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
                        if (files[i].fd < 0) {
                                fprintf(stderr, "registry-probe: %s: %s\n", p, strerror(errno));
                                return 1;
                        }
                        free(p);
                        reqs[i].sink = rc_blob_sink_fd;
                        reqs[i].sink_ctx = &files[i].fd;
                }
                total += sizes[i];
        }
        t0 = now_s();
        rc = rc_registry_get_blobs(r, repo, reqs, n, progress, last, &err);
        dt = now_s() - t0;
        for (size_t i = 0; i < n; i++) {
                printf("blob %s %" PRId64 " bytes: %s\n", digests[i], sizes[i],
                       reqs[i].error ? reqs[i].error->msg : "verified");
                rc_error_free(reqs[i].error);
                if (files[i].fd >= 0)
                        close(files[i].fd);
        }
        if (rc == 0)
                printf("downloaded %" PRId64 " bytes in %.3f s: %.1f MB/s\n", total, dt,
                       dt > 0 ? (double)total / 1e6 / dt : 0.0);
        free(reqs);
        free(files);
        free(last);
        return rc < 0 ? fail(err) : 0;
}

int main(int argc, char **argv)
{
        struct rc_registry_opts o = { 0 };
        cleanup_strv char **insecure = xcalloc(1, sizeof(char *)), **mirrors = xcalloc(1, sizeof(char *));
        cleanup_strv char **certs = xcalloc(1, sizeof(char *));
        cleanup_free char *creds = NULL, *plat = NULL;
        const char *platform = NULL, *outdir = NULL, *cmd;
        char *os = NULL, *arch = NULL, *variant = NULL;
        __attribute__((cleanup(rc_reference_free))) struct rc_reference ref = { 0 };
        cleanup_registry struct rc_registry *r = NULL;
        rc_error *err = NULL;
        int i;

        for (i = 1; i < argc && argv[i][0] == '-'; i++) {
                const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
                if (strcmp(a, "--tls-verify=false") == 0) {
                        o.skip_tls_verify = true;
                        continue;
                }
                if (strcmp(a, "--debug") == 0) {
                        rc_log_set_level(RC_LOG_DEBUG);
                        continue;
                }
                if (v == NULL)
                        return usage();
                i++;
                if (strcmp(a, "--insecure") == 0) {
                        strv_push(&insecure, v);
                } else if (strcmp(a, "--mirror") == 0) {
                        strv_push(&mirrors, v);
                } else if (strcmp(a, "--certs-dir") == 0) {
                        strv_push(&certs, v);
                } else if (strcmp(a, "--creds") == 0) {
                        char *colon;
                        free(creds);
                        creds = xstrdup(v);
                        colon = strchr(creds, ':');
                        if (colon == NULL)
                                return usage();
                        *colon = '\0';
                        o.username = creds;
                        o.password = colon + 1;
                } else if (strcmp(a, "--authfile") == 0) {
                        o.auth_file = v;
                } else if (strcmp(a, "--concurrency") == 0) {
                        o.concurrency = atoi(v);
                } else if (strcmp(a, "--tries") == 0) {
                        o.max_tries = atoi(v);
                } else if (strcmp(a, "--backoff-ms") == 0) {
                        o.backoff_ms = atoi(v);
                } else if (strcmp(a, "--platform") == 0) {
                        platform = v;
                } else if (strcmp(a, "--out") == 0) {
                        outdir = v;
                } else {
                        return usage();
                }
        }
        if (i >= argc)
                return usage();
        o.insecure = insecure;
        o.mirrors = mirrors;
        if (certs[0] != NULL)
                o.certs_dirs = (const char *const *)certs;
        if (platform) {
                plat = xstrdup(platform);
                os = strtok(plat, "/");
                arch = strtok(NULL, "/");
                variant = strtok(NULL, "/");
        }
        cmd = argv[i++];

        if (strcmp(cmd, "logout") == 0) {
                int rc;
                if (i >= argc)
                        return usage();
                rc = rc_authfile_remove(o.auth_file, strcmp(argv[i], "--all") == 0 ? NULL : argv[i], &err);
                if (rc < 0)
                        return fail(err);
                printf(rc ? "removed\n" : "not logged in\n");
                return 0;
        }
        if (strcmp(cmd, "ping") == 0 || strcmp(cmd, "login") == 0) {
                if (i >= argc || (strcmp(cmd, "login") == 0 && i + 2 >= argc))
                        return usage();
                if (strcmp(cmd, "login") == 0) {
                        o.username = argv[i + 1];
                        o.password = argv[i + 2];
                }
                if (rc_registry_open(argv[i], &o, &r, &err) < 0 || rc_registry_ping(r, &err) < 0)
                        return fail(err);
                if (strcmp(cmd, "login") == 0 &&
                    rc_authfile_store(o.auth_file, argv[i], argv[i + 1], argv[i + 2], &err) < 0)
                        return fail(err);
                printf("%s: ok\n", argv[i]);
                return 0;
        }

        if (i >= argc)
                return usage();
        if (rc_reference_parse(argv[i], &ref, &err) < 0 || rc_registry_open(ref.domain, &o, &r, &err) < 0)
                return fail(err);
        if (strcmp(cmd, "manifest") == 0) {
                char *body = NULL, *type = NULL, digest[RC_DIGEST_LEN + 1];
                size_t len = 0;
                if (rc_registry_get_manifest(r, ref.path, ref.digest ? ref.digest : ref.tag, &body, &len, &type,
                                             digest, &err) < 0)
                        return fail(err);
                printf("media type: %s\ndigest: %s\nsize: %zu\n%s\n", type, digest, len, body);
                free(body);
                free(type);
        } else if (strcmp(cmd, "pull") == 0) {
                struct rc_resolved res;
                char **digests;
                int64_t *sizes;
                size_t n;
                int rc;
                double t0 = now_s();

                if (rc_registry_resolve(r, ref.path, ref.digest ? ref.digest : ref.tag, os, arch, variant, &res,
                                        &err) < 0)
                        return fail(err);
                printf("resolved in %.3f s\nindex: %s\nmanifest: %s (%s, %zu bytes)\nconfig: %s\nlayers: %zu\n",
                       now_s() - t0, res.index_digest[0] ? res.index_digest : "-", res.digest, res.media_type,
                       res.manifest_len, res.manifest.config.digest, res.manifest.n_layers);
                n = res.manifest.n_layers + 1;
                digests = xcalloc(n, sizeof(char *));
                sizes = xcalloc(n, sizeof(int64_t));
                digests[0] = res.manifest.config.digest;
                sizes[0] = res.manifest.config.size;
                for (size_t k = 0; k < res.manifest.n_layers; k++) {
                        digests[k + 1] = res.manifest.layers[k].digest;
                        sizes[k + 1] = res.manifest.layers[k].size;
                }
                rc = download(r, ref.path, digests, sizes, n, outdir);
                free(digests);
                free(sizes);
                rc_resolved_free(&res);
                if (rc != 0)
                        return rc;
        } else if (strcmp(cmd, "blob") == 0) {
                char *digest;
                int64_t size;
                if (i + 2 >= argc)
                        return usage();
                digest = argv[i + 1];
                size = strtoll(argv[i + 2], NULL, 10);
                if (download(r, ref.path, &digest, &size, 1, outdir) != 0)
                        return 1;
        } else {
                return usage();
        }
        return 0;
}
