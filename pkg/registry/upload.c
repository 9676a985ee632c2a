/* The push side of the distribution API: blob uploads (HEAD, cross-repository
 * mount, POST + PUT or PATCH chunks + PUT) and manifest PUT. */
#include "registry/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/log.h"
#include "util/xalloc.h"

/* Pushes go to the registry itself, never to a mirror. */
static struct rc_endpoint *push_endpoint(struct rc_registry *r)
{
        return &r->eps[r->n_eps - 1];
}

/* The first request to an endpoint learns its scheme (an insecure registry
 * may fall back to plain http) and its auth scheme through the GET path,
 * which knows how to do both. */
static int probe_endpoint(struct rc_registry *r, struct rc_endpoint *ep, rc_error **err)
{
        struct rc_http_resp resp = { .retry_after = -1 };

        if (ep->scheme_known)
                return 0;
        if (rc_reg_request(r, ep, NULL, NULL, NULL, NULL, RC_REG_ERROR_BODY_MAX, &resp, err) < 0)
                return -1;
        rc_http_resp_free(&resp);
        return 0;
}

/* An actionable error for a refused push request. */
static int push_status_error(struct rc_registry *r, struct rc_endpoint *ep, const char *what,
                             const struct rc_http_resp *resp, rc_error **err)
{
        cleanup_free char *msg = rc_reg_error_message(resp);
        const char *name = rc_reg_login_name(r, ep);

        if (resp->status == 401 || resp->status == 403) {
                cleanup_secret char *user = NULL, *pass = NULL;
                rc_error *e = NULL;
                bool creds = rc_reg_credentials(r, ep, NULL, &user, &pass, &e) > 0;
                rc_error_free(e);
                if (!creds)
                        return rc_error_set(err, 0, "%s: %s requires authentication to push: run rc login %s",
                                            what, name, name);
                return rc_error_set(err, 0, "%s: push denied%s%s%s; check that your account on %s may push there",
                                    what, msg ? " (" : "", msg ? msg : "", msg ? ")" : "", name);
        }
        return rc_reg_status_error(r, ep, what, resp, err);
}

static bool transient(const struct rc_http_resp *resp)
{
        return rc_reg_retryable_status(resp->status);
}

/* "URL?digest=D" or "URL&digest=D". */
static char *with_digest(const char *url, const char *digest)
{
        return xasprintf("%s%cdigest=%s", url, strchr(url, '?') ? '&' : '?', digest);
}

struct upload {
        struct rc_registry *r;
        struct rc_endpoint *ep;
        const char *repo, *scope, *what;
        const struct rc_blob_upload *b;
        int fd; /* b->path opened, or -1 */
        rc_upload_progress progress;
        void *progress_ctx;
        int64_t base; /* bytes of earlier chunks, for progress */
};

static void chunk_progress(void *ctx, int64_t sent)
{
        struct upload *u = ctx;

        if (u->progress)
                u->progress(u->progress_ctx, u->base + sent, u->b->size);
}

/* The body of the bytes [offset, offset + len) of the blob. */
static struct rc_reg_body blob_body(struct upload *u, const char *method, int64_t offset, int64_t len)
{
        return (struct rc_reg_body){
                .method = method,
                .content_type = "application/octet-stream",
                .data = u->b->data ? (const char *)u->b->data + offset : NULL,
                .fd = u->fd,
                .offset = offset,
                .len = len,
                .progress = chunk_progress,
                .progress_ctx = u,
        };
}

/* Start a session (or mount): 1 when the blob is now there (mounted), 0
 * with *location set for an upload, -1 on error (*transient_failure tells
 * whether trying again may help). */
static int start_session(struct upload *u, char **location, bool *again, rc_error **err)
{
        struct rc_http_resp resp = { .retry_after = -1 };
        struct rc_reg_body post = { .method = "POST", .fd = -1 };
        cleanup_free char *suffix = NULL;

        if (u->b->mount_from != NULL) {
                char *from = curl_easy_escape(NULL, u->b->mount_from, 0);
                if (from == NULL)
                        abort();
                suffix = xasprintf("blobs/uploads/?mount=%s&from=%s", u->b->digest, from);
                curl_free(from);
        } else {
                suffix = xstrdup("blobs/uploads/");
        }
        if (rc_reg_send_auth(u->r, u->ep, u->repo, NULL, suffix, u->scope, &post, &resp, err) < 0) {
                *again = true;
                return -1;
        }
        if (resp.status == 201 && u->b->mount_from != NULL) {
                rc_http_resp_free(&resp);
                return 1;
        }
        if (resp.status != 202 || resp.location == NULL) {
                *again = transient(&resp);
                if (resp.status == 202)
                        rc_error_set(err, 0, "%s: the registry started an upload without a Location", u->what);
                else
                        push_status_error(u->r, u->ep, u->what, &resp, err);
                rc_http_resp_free(&resp);
                return -1;
        }
        *location = steal_pointer(&resp.location);
        rc_http_resp_free(&resp);
        return 0;
}

/* One attempt at sending the bytes through an upload session. */
static int send_blob(struct upload *u, char *location, bool *again, rc_error **err)
{
        struct rc_http_resp resp = { .retry_after = -1 };
        cleanup_free char *url = location, *final = NULL;
        int64_t size = u->b->size, chunk = RC_REGISTRY_CHUNK_SIZE;
        struct rc_reg_body put;

        u->base = 0;
        if (size > chunk) {
                for (int64_t off = 0; off < size; off += chunk) {
                        int64_t n = size - off < chunk ? size - off : chunk;
                        cleanup_free char *range = xasprintf("%lld-%lld", (long long)off, (long long)(off + n - 1));
                        struct rc_reg_body patch = blob_body(u, "PATCH", off, n);
                        patch.content_range = range;
                        u->base = off;
                        if (rc_reg_send_auth(u->r, u->ep, u->repo, url, NULL, u->scope, &patch, &resp, err) < 0) {
                                *again = true;
                                return -1;
                        }
                        if (resp.status != 202 || resp.location == NULL) {
                                *again = transient(&resp) || resp.status == 416;
                                push_status_error(u->r, u->ep, u->what, &resp, err);
                                rc_http_resp_free(&resp);
                                return -1;
                        }
                        free(url);
                        url = steal_pointer(&resp.location);
                        rc_http_resp_free(&resp);
                }
                u->base = size;
                put = (struct rc_reg_body){ .method = "PUT", .fd = -1 };
        } else {
                put = blob_body(u, "PUT", 0, size);
        }
        final = with_digest(url, u->b->digest);
        if (rc_reg_send_auth(u->r, u->ep, u->repo, final, NULL, u->scope, &put, &resp, err) < 0) {
                *again = true;
                return -1;
        }
        if (resp.status != 201) {
                *again = transient(&resp);
                if (resp.status == 400) {
                        cleanup_free char *msg = rc_reg_error_message(&resp);
                        rc_error_set(err, 0, "%s: the registry rejected the upload (%s)", u->what,
                                     msg ? msg : "HTTP 400");
                } else {
                        push_status_error(u->r, u->ep, u->what, &resp, err);
                }
                rc_http_resp_free(&resp);
                return -1;
        }
        rc_http_resp_free(&resp);
        return 0;
}

/* HEAD: 1 if the repository has the blob with the right size, 0 if not. */
static int blob_exists(struct upload *u, rc_error **err)
{
        struct rc_http_resp resp = { .retry_after = -1 };
        struct rc_reg_body head = { .method = "HEAD", .fd = -1 };
        cleanup_free char *suffix = xasprintf("blobs/%s", u->b->digest);
        int found;

        if (rc_reg_send_auth(u->r, u->ep, u->repo, NULL, suffix, u->scope, &head, &resp, err) < 0)
                return -1;
        found = resp.status == 200;
        if (!found && resp.status != 404) {
                /* Some registries answer HEAD with 401/403 for a repository
                 * that does not exist yet; let the upload report it. */
                rc_debug("%s: HEAD answered %ld", u->what, resp.status);
        }
        rc_http_resp_free(&resp);
        return found;
}

int rc_registry_put_blob(struct rc_registry *r, const char *repo, const struct rc_blob_upload *b,
                         rc_upload_progress progress, void *progress_ctx, enum rc_blob_pushed *how, rc_error **err)
{
        struct rc_endpoint *ep = push_endpoint(r);
        cleanup_free char *scope = NULL, *what = xasprintf("%s/%s: blob %.19s", r->domain, repo, b->digest);
        cleanup_close int fd = -1;
        struct upload u = { .r = r, .ep = ep, .repo = repo, .b = b, .fd = -1, .progress = progress,
                            .progress_ctx = progress_ctx, .what = what };
        int found;

        if (b->path != NULL) {
                fd = open(b->path, O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        return rc_error_set(err, errno, "%s: open %s", what, b->path);
                u.fd = fd;
        } else if (b->data == NULL && b->size > 0) {
                return rc_error_set(err, EINVAL, "%s: no data", what);
        }
        scope = b->mount_from ? xasprintf("repository:%s:pull,push repository:%s:pull", repo, b->mount_from)
                              : rc_registry_scope(repo, "pull,push");
        u.scope = scope;
        if (probe_endpoint(r, ep, err) < 0)
                return rc_error_wrap(err, "%s", what);
        found = blob_exists(&u, err);
        if (found < 0)
                return rc_error_wrap(err, "%s", what);
        if (found) {
                *how = RC_BLOB_EXISTED;
                return 0;
        }
        for (int attempt = 1;; attempt++) {
                char *location = NULL;
                bool again = false;
                int rc = start_session(&u, &location, &again, err);
                if (rc == 1) {
                        *how = RC_BLOB_MOUNTED;
                        return 0;
                }
                if (rc == 0 && send_blob(&u, location, &again, err) == 0) {
                        *how = RC_BLOB_SENT;
                        return 0;
                }
                if (!again || attempt >= r->max_tries)
                        return -1;
                long ms = rc_reg_backoff_ms(r, attempt, -1);
                rc_debug("%s: %s; starting again in %ld ms", what, (*err)->msg, ms);
                rc_error_free(*err);
                *err = NULL;
                rc_reg_sleep_ms(ms);
        }
}

int rc_registry_put_manifest(struct rc_registry *r, const char *repo, const char *tag_or_digest, const char *body,
                             size_t len, const char *media_type, rc_error **err)
{
        struct rc_endpoint *ep = push_endpoint(r);
        struct rc_http_resp resp = { .retry_after = -1 };
        struct rc_reg_body put = { .method = "PUT", .content_type = media_type, .data = body, .fd = -1,
                                   .len = (int64_t)len };
        cleanup_free char *scope = rc_registry_scope(repo, "pull,push");
        cleanup_free char *suffix = xasprintf("manifests/%s", tag_or_digest);
        cleanup_free char *what = xasprintf("%s/%s:%s: manifest", r->domain, repo, tag_or_digest);
        char digest[RC_DIGEST_LEN + 1];
        int rc = -1;

        if (probe_endpoint(r, ep, err) < 0)
                return rc_error_wrap(err, "%s", what);
        rc_sha256_digest(body, len, digest);
        for (int attempt = 1;; attempt++) {
                if (rc_reg_send_auth(r, ep, repo, NULL, suffix, scope, &put, &resp, err) < 0)
                        return rc_error_wrap(err, "%s", what);
                if (!transient(&resp) || attempt >= r->max_tries)
                        break;
                rc_reg_sleep_ms(rc_reg_backoff_ms(r, attempt, resp.retry_after));
        }
        if (resp.status == 201 || resp.status == 200) {
                if (resp.docker_digest != NULL && strcmp(resp.docker_digest, digest) != 0)
                        rc_error_set(err, 0, "%s: the registry stored it as %.80s, not %s", what,
                                     resp.docker_digest, digest);
                else
                        rc = 0;
        } else if (resp.status == 400) {
                cleanup_free char *msg = rc_reg_error_message(&resp);
                rc_error_set(err, 0, "%s: the registry rejected it (%s)", what, msg ? msg : "HTTP 400");
        } else {
                push_status_error(r, ep, what, &resp, err);
        }
        rc_http_resp_free(&resp);
        return rc;
}
