/* Parallel blob downloads on a curl multi handle: bounded concurrency,
 * redirects followed by hand (no Authorization to other hosts), resume
 * with Range, retries with back-off, size and sha256 verification. */
#include "registry/internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/fs.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/xalloc.h"

#define BLOB_BUFFER (256 * 1024)

enum job_state { J_QUEUED, J_ACTIVE, J_WAIT, J_DONE, J_FAILED };

struct job {
        struct rc_registry *r;
        const char *repo, *scope;
        char *what;         /* "domain/repo@digest", for messages */
        struct rc_blob_request *req;
        size_t index;
        enum job_state state;
        CURL *h;
        struct curl_slist *hdrs;
        char *url;          /* current URL; NULL: the endpoint's blob URL */
        size_t ep;          /* endpoint index */
        int attempt;        /* attempts made on this endpoint */
        int redirects, auth_rounds;
        bool sent_auth;
        int64_t offset;     /* bytes delivered to the sink */
        int64_t skip;       /* bytes of this response already delivered before */
        bool checked, body_ok;
        rc_sha256 *hash;
        rc_error *fatal;    /* set by the write callback: no retry */
        struct rc_http_resp resp;
        struct timespec not_before;
        char errbuf[CURL_ERROR_SIZE];
        rc_blob_progress progress;
        void *progress_ctx;
};

int rc_blob_sink_fd(void *ctx, const void *data, size_t len, rc_error **err)
{
        if (rc_write_all(*(int *)ctx, data, len) < 0)
                return rc_error_set(err, errno, "write downloaded data");
        return 0;
}

static int64_t now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t ts_ms(const struct timespec *ts)
{
        return (int64_t)ts->tv_sec * 1000 + ts->tv_nsec / 1000000;
}

/* "bytes START-END/TOTAL": the start. */
static int64_t content_range_start(CURL *h)
{
        struct curl_header *hd = NULL;
        long long start;

        if (curl_easy_header(h, "Content-Range", 0, CURLH_HEADER, -1, &hd) != CURLHE_OK || hd == NULL)
                return -1;
        if (sscanf(hd->value, "bytes %lld-", &start) != 1 || start < 0)
                return -1;
        return start;
}

static void check_response(struct job *j)
{
        long status = 0;
        curl_off_t cl = -1;

        j->checked = true;
        curl_easy_getinfo(j->h, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_getinfo(j->h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
        if (status == 200) {
                /* A full body: skip what the sink already has. */
                j->body_ok = true;
                j->skip = j->offset;
                if (cl >= 0 && cl != j->req->size)
                        rc_error_set(&j->fatal, 0, "%s: the registry announces %" PRId64 " bytes, the manifest "
                                     "says %" PRId64, j->what, (int64_t)cl, j->req->size);
        } else if (status == 206) {
                int64_t start = content_range_start(j->h);
                j->body_ok = true;
                j->skip = 0;
                if (start != j->offset)
                        rc_error_set(&j->fatal, 0, "%s: resuming at byte %" PRId64 ", the server sent a range "
                                     "starting at %" PRId64, j->what, j->offset, start);
        } else {
                j->body_ok = false;
        }
}

static size_t blob_write(char *data, size_t size, size_t nmemb, void *ud)
{
        struct job *j = ud;
        size_t all = size * nmemb, n = all;
        rc_error *e = NULL;

        if (!j->checked)
                check_response(j);
        if (j->fatal != NULL)
                return 0;
        if (!j->body_ok) {
                /* An error or redirect body: keep the start, for messages. */
                size_t room = RC_REG_ERROR_BODY_MAX - j->resp.len;
                if (n > room)
                        n = room;
                if (n > 0) {
                        j->resp.body = xrealloc(j->resp.body, j->resp.len + n + 1);
                        memcpy(j->resp.body + j->resp.len, data, n);
                        j->resp.len += n;
                        j->resp.body[j->resp.len] = '\0';
                }
                return all;
        }
        if (j->skip > 0) {
                size_t k = (uint64_t)j->skip < n ? (size_t)j->skip : n;
                data += k;
                n -= k;
                j->skip -= (int64_t)k;
        }
        if (n == 0)
                return all;
        if ((uint64_t)n > (uint64_t)(j->req->size - j->offset)) {
                rc_error_set(&j->fatal, 0, "%s: the registry sent more than the %" PRId64 " bytes the manifest "
                             "says; refusing it", j->what, j->req->size);
                return 0;
        }
        rc_sha256_update(j->hash, data, n);
        if (j->req->sink(j->req->sink_ctx, data, n, &e) < 0) {
                j->fatal = e;
                return 0;
        }
        j->offset += (int64_t)n;
        j->req->bytes = j->offset;
        if (j->progress)
                j->progress(j->progress_ctx, j->index, j->offset, j->req->size);
        return all;
}

static void job_fail(struct job *j, rc_error *e)
{
        j->state = J_FAILED;
        j->req->error = e;
}

static int job_start(struct job *j, CURLM *m)
{
        struct rc_registry *r = j->r;
        struct rc_endpoint *ep = &r->eps[j->ep];
        char *auth = NULL;
        rc_error *e = NULL;

        if (j->url == NULL) {
                cleanup_free char *suffix = xasprintf("blobs/%s", j->req->digest);
                j->url = rc_reg_url(ep, j->repo, suffix);
                j->redirects = 0;
        }
        if (j->h == NULL && (j->h = curl_easy_init()) == NULL)
                abort();
        curl_easy_reset(j->h);
        rc_reg_setup_easy(r, ep, j->h, j->url, j->errbuf);
        curl_slist_free_all(j->hdrs);
        j->hdrs = NULL;
        j->sent_auth = false;
        if (rc_url_same_origin(j->url, ep->base)) {
                if (rc_reg_auth_header(r, ep, j->repo, j->scope, &auth, &e) < 0) {
                        job_fail(j, e);
                        return -1;
                }
                if (auth != NULL) {
                        j->hdrs = curl_slist_append(j->hdrs, auth);
                        j->sent_auth = true;
                        rc_secret_free(auth);
                }
        }
        if (j->offset > 0) {
                char range[64];
                snprintf(range, sizeof(range), "Range: bytes=%" PRId64 "-", j->offset);
                j->hdrs = curl_slist_append(j->hdrs, range);
        }
        curl_easy_setopt(j->h, CURLOPT_HTTPHEADER, j->hdrs);
        curl_easy_setopt(j->h, CURLOPT_WRITEFUNCTION, blob_write);
        curl_easy_setopt(j->h, CURLOPT_WRITEDATA, j);
        curl_easy_setopt(j->h, CURLOPT_PRIVATE, j);
        curl_easy_setopt(j->h, CURLOPT_BUFFERSIZE, (long)BLOB_BUFFER);
        curl_easy_setopt(j->h, CURLOPT_PIPEWAIT, 1L);
        j->checked = j->body_ok = false;
        j->skip = 0;
        rc_http_resp_free(&j->resp);
        j->state = J_ACTIVE;
        j->attempt++;
        rc_debug("GET %s (blob %zu, from byte %" PRId64 ", attempt %d)", j->url, j->index, j->offset, j->attempt);
        if (curl_multi_add_handle(m, j->h) != CURLM_OK)
                abort();
        return 0;
}

static void job_wipe_headers(struct job *j)
{
        for (struct curl_slist *s = j->hdrs; s; s = s->next)
                explicit_bzero(s->data, strlen(s->data));
        curl_slist_free_all(j->hdrs);
        j->hdrs = NULL;
}

/* Queue a new attempt, after `delay_ms`. */
static void job_retry(struct job *j, long delay_ms)
{
        int64_t at = now_ms() + delay_ms;

        free(j->url);
        j->url = NULL; /* back to the registry: a redirect target may have expired */
        j->state = delay_ms > 0 ? J_WAIT : J_QUEUED;
        j->not_before.tv_sec = at / 1000;
        j->not_before.tv_nsec = (at % 1000) * 1000000;
}

/* The next endpoint, if this one is a mirror that failed. */
static bool job_next_endpoint(struct job *j, const char *why)
{
        if (j->ep + 1 >= j->r->n_eps)
                return false;
        rc_warn("blob %.19s: mirror %s failed (%s); trying %s", j->req->digest, j->r->eps[j->ep].host, why,
                j->r->eps[j->ep + 1].mirror ? j->r->eps[j->ep + 1].host : "the registry itself");
        j->ep++;
        j->attempt = 0;
        job_retry(j, 0);
        return true;
}

static void job_finish(struct job *j)
{
        char got[RC_DIGEST_LEN + 1];
        rc_error *e = NULL;

        rc_sha256_final(j->hash, got);
        j->hash = NULL;
        if (strcmp(got, j->req->digest) != 0) {
                rc_error_set(&e, 0, "%s: the registry sent content with digest %s (%" PRId64 " bytes); "
                             "refusing it (corrupted in the registry or in transit)", j->what, got, j->offset);
                job_fail(j, e);
                return;
        }
        j->state = J_DONE;
        {
                long v = 0;
                curl_easy_getinfo(j->h, CURLINFO_HTTP_VERSION, &v);
                rc_debug("blob %zu verified (%" PRId64 " bytes, HTTP/%s)", j->index, j->offset,
                         v == CURL_HTTP_VERSION_2_0 ? "2" : v == CURL_HTTP_VERSION_3 ? "3" : "1.1");
        }
        if (j->progress)
                j->progress(j->progress_ctx, j->index, j->offset, j->req->size);
}

static void job_done(struct job *j, CURLM *m, CURLcode code)
{
        struct rc_registry *r = j->r;
        struct rc_endpoint *ep = &r->eps[j->ep];
        const char *what = j->what;
        rc_error *e = NULL;

        curl_multi_remove_handle(m, j->h);
        job_wipe_headers(j);
        if (j->fatal != NULL) {
                job_fail(j, steal_pointer(&j->fatal));
                return;
        }
        if (code != CURLE_OK) {
                if (rc_url_same_origin(j->url, ep->base) && rc_reg_http_fallback(ep, code)) {
                        j->attempt--;
                        job_retry(j, 0);
                        return;
                }
                if (rc_reg_retryable_code(code) && j->attempt < r->max_tries) {
                        long ms = rc_reg_backoff_ms(r, j->attempt, -1);
                        rc_debug("%s: %s after %" PRId64 " bytes; resuming in %ld ms", j->url,
                                 j->errbuf[0] ? j->errbuf : curl_easy_strerror(code), j->offset, ms);
                        job_retry(j, ms);
                        return;
                }
                rc_reg_curl_error(r, j->url, code, j->errbuf, &e);
                if (ep->mirror && job_next_endpoint(j, e->msg)) {
                        rc_error_free(e);
                        return;
                }
                job_fail(j, e);
                return;
        }
        {
                char *body = steal_pointer(&j->resp.body);
                size_t len = j->resp.len;
                rc_http_resp_free(&j->resp);
                j->resp.body = body;
                j->resp.len = len;
                rc_reg_collect_headers(j->h, &j->resp);
        }
        if (j->resp.status >= 300 && j->resp.status < 400 && j->resp.location != NULL) {
                const char *to = j->resp.location;
                bool to_http = strncasecmp(to, "http://", 7) == 0;
                if (++j->redirects > RC_REG_MAX_REDIRECTS)
                        rc_error_set(&e, 0, "%s: more than %d redirects", what, RC_REG_MAX_REDIRECTS);
                else if (!to_http && strncasecmp(to, "https://", 8) != 0)
                        rc_error_set(&e, 0, "%s: redirect to a non-http(s) URL refused", what);
                else if (to_http && strncasecmp(j->url, "https://", 8) == 0 && !ep->insecure)
                        rc_error_set(&e, 0, "%s: redirect from https to plain http refused", what);
                if (e != NULL) {
                        job_fail(j, e);
                        return;
                }
                free(j->url);
                j->url = steal_pointer(&j->resp.location);
                j->attempt--; /* following a redirect is not a new try */
                j->state = J_QUEUED;
                return;
        }
        if (j->resp.status == 401 && j->auth_rounds++ < 1 && rc_url_same_origin(j->url, ep->base)) {
                if (rc_reg_authenticate(r, ep, j->repo, j->scope, j->resp.challenges, j->sent_auth, &e) < 0) {
                        job_fail(j, e);
                        return;
                }
                j->attempt--;
                job_retry(j, 0);
                return;
        }
        if (rc_reg_retryable_status(j->resp.status) && j->attempt < r->max_tries) {
                long ms = rc_reg_backoff_ms(r, j->attempt, j->resp.retry_after);
                rc_debug("%s: HTTP %ld; retrying in %ld ms", j->url, j->resp.status, ms);
                job_retry(j, ms);
                return;
        }
        if (j->resp.status == 200 || j->resp.status == 206) {
                if (j->offset == j->req->size) {
                        job_finish(j);
                        return;
                }
                /* The body ended early although the transfer "succeeded". */
                if (j->attempt < r->max_tries) {
                        rc_debug("%s: body ended at %" PRId64 " of %" PRId64 " bytes; resuming", j->url, j->offset,
                                 j->req->size);
                        job_retry(j, rc_reg_backoff_ms(r, j->attempt, -1));
                        return;
                }
                rc_error_set(&e, 0, "%s: the registry sent %" PRId64 " of %" PRId64 " bytes", what, j->offset,
                             j->req->size);
                job_fail(j, e);
                return;
        }
        if (j->resp.status == 404)
                rc_error_set(&e, 0, "%s: blob unknown to the registry", what);
        else
                rc_reg_status_error(r, ep, what, &j->resp, &e);
        if (ep->mirror && job_next_endpoint(j, e->msg)) {
                rc_error_free(e);
                return;
        }
        job_fail(j, e);
}

static void jobs_free(struct job *jobs, size_t n, CURLM *m)
{
        for (size_t i = 0; i < n; i++) {
                struct job *j = &jobs[i];
                if (j->h != NULL) {
                        if (j->state == J_ACTIVE)
                                curl_multi_remove_handle(m, j->h);
                        curl_easy_cleanup(j->h);
                }
                job_wipe_headers(j);
                free(j->url);
                free(j->what);
                rc_sha256_free(j->hash);
                rc_error_free(j->fatal);
                rc_http_resp_free(&j->resp);
        }
        free(jobs);
}

int rc_registry_get_blobs(struct rc_registry *r, const char *repo, struct rc_blob_request *reqs, size_t n,
                          rc_blob_progress progress, void *progress_ctx, rc_error **err)
{
        cleanup_free char *scope = NULL;
        struct job *jobs;
        CURLM *m;
        size_t finished = 0, active = 0, first_failed = n;

        for (size_t i = 0; i < n; i++) {
                if (!rc_digest_valid(reqs[i].digest) || reqs[i].size < 0 || reqs[i].sink == NULL)
                        return rc_error_set(err, 0, "blob %zu: needs a sha256 digest, a size >= 0 and a sink", i);
                reqs[i].error = NULL;
                reqs[i].bytes = 0;
        }
        if (n == 0)
                return 0;
        scope = rc_registry_scope(repo, "pull");
        m = curl_multi_init();
        if (m == NULL)
                abort();
        curl_multi_setopt(m, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
        jobs = xcalloc(n, sizeof(*jobs));
        for (size_t i = 0; i < n; i++) {
                struct job *j = &jobs[i];
                j->r = r;
                j->repo = repo;
                j->scope = scope;
                j->req = &reqs[i];
                j->index = i;
                j->what = xasprintf("%s/%s@%s", r->domain, repo, reqs[i].digest);
                j->ep = r->preferred < r->n_eps ? r->preferred : 0;
                j->hash = rc_sha256_new();
                j->resp.retry_after = -1;
                j->progress = progress;
                j->progress_ctx = progress_ctx;
        }

        while (finished < n && first_failed == n && !rc_interrupted()) {
                int64_t now = now_ms(), wait = 1000;
                long curl_wait = -1;
                struct curl_waitfd stop = { .fd = rc_interrupt_fd(), .events = CURL_WAIT_POLLIN };
                int running = 0;
                CURLMsg *msg;
                int left;

                for (size_t i = 0; i < n && active < (size_t)r->concurrency && first_failed == n; i++) {
                        struct job *j = &jobs[i];
                        if (j->state == J_QUEUED || (j->state == J_WAIT && ts_ms(&j->not_before) <= now)) {
                                if (job_start(j, m) == 0)
                                        active++;
                                else if (first_failed == n)
                                        first_failed = i;
                        }
                }
                if (first_failed != n)
                        break;
                if (curl_multi_perform(m, &running) != CURLM_OK)
                        abort();
                while ((msg = curl_multi_info_read(m, &left)) != NULL) {
                        struct job *j = NULL;
                        if (msg->msg != CURLMSG_DONE)
                                continue;
                        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&j);
                        active--;
                        job_done(j, m, msg->data.result);
                        if (j->state == J_DONE || j->state == J_FAILED)
                                finished++;
                        if (j->state == J_FAILED && first_failed == n)
                                first_failed = j->index;
                }
                if (finished == n || first_failed != n)
                        break;
                for (size_t i = 0; i < n; i++) {
                        if (jobs[i].state == J_QUEUED)
                                wait = 0;
                        else if (jobs[i].state == J_WAIT && ts_ms(&jobs[i].not_before) - now < wait)
                                wait = ts_ms(&jobs[i].not_before) - now;
                }
                if (wait < 0)
                        wait = 0;
                curl_multi_timeout(m, &curl_wait);
                if (curl_wait >= 0 && curl_wait < wait)
                        wait = curl_wait;
                if (wait > 0 && curl_multi_poll(m, &stop, stop.fd >= 0 ? 1 : 0, (int)wait, NULL) != CURLM_OK)
                        abort();
        }

        for (size_t i = 0; i < n; i++) {
                if (jobs[i].state != J_DONE && jobs[i].state != J_FAILED)
                        rc_error_set(&reqs[i].error, 0, "%s: cancelled because another download failed",
                                     jobs[i].what);
        }
        jobs_free(jobs, n, m);
        curl_multi_cleanup(m);
        if (first_failed == n && finished < n)
                return rc_interrupt_check(err);
        if (first_failed != n) {
                rc_error_set(err, 0, "%s", reqs[first_failed].error->msg);
                (*err)->errnum = reqs[first_failed].error->errnum; /* keep the cause (ENOSPC, ...) */
                return -1;
        }
        return 0;
}
