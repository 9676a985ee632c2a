/* Requests made one at a time: TLS set-up per URL, redirects followed by
 * hand (so Authorization never leaves its origin), retries with back-off,
 * insecure http fallback, actionable errors. */
#include "registry/internal.h"

#include <ctype.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/log.h"
#include "util/xalloc.h"

/* ---- URLs ------------------------------------------------------------- */

static char *url_get(CURLU *u, CURLUPart part, unsigned flags)
{
        char *v = NULL, *copy;

        if (curl_url_get(u, part, &v, flags) != CURLUE_OK)
                return NULL;
        copy = xstrdup(v);
        curl_free(v);
        return copy;
}

/* NULL for a bad URL, or when libcurl cannot be loaded (commands that talk to
 * a registry have loaded it and reported that already). */
static CURLU *url_parse(const char *url)
{
        CURLU *u;

        if (rc_dl_curl(NULL) < 0)
                return NULL;
        u = curl_url();
        if (u == NULL)
                abort();
        if (url == NULL || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK) {
                curl_url_cleanup(u);
                return NULL;
        }
        return u;
}

bool rc_url_same_origin(const char *a, const char *b)
{
        CURLU *ua = url_parse(a), *ub = url_parse(b);
        bool same = false;

        if (ua && ub) {
                cleanup_free char *sa = url_get(ua, CURLUPART_SCHEME, 0), *sb = url_get(ub, CURLUPART_SCHEME, 0);
                cleanup_free char *ha = url_get(ua, CURLUPART_HOST, 0), *hb = url_get(ub, CURLUPART_HOST, 0);
                cleanup_free char *pa = url_get(ua, CURLUPART_PORT, CURLU_DEFAULT_PORT);
                cleanup_free char *pb = url_get(ub, CURLUPART_PORT, CURLU_DEFAULT_PORT);
                same = sa && sb && ha && hb && pa && pb && strcasecmp(sa, sb) == 0 && strcasecmp(ha, hb) == 0 &&
                       strcmp(pa, pb) == 0;
        }
        curl_url_cleanup(ua);
        curl_url_cleanup(ub);
        return same;
}

char *rc_url_hostport(const char *url)
{
        CURLU *u = url_parse(url);
        char *host, *port, *out = NULL;

        if (u == NULL)
                return NULL;
        host = url_get(u, CURLUPART_HOST, 0);
        port = url_get(u, CURLUPART_PORT, 0); /* only when explicit */
        if (host != NULL)
                out = port ? xasprintf("%s:%s", host, port) : xstrdup(host);
        free(host);
        free(port);
        curl_url_cleanup(u);
        return out;
}

static bool url_scheme_is(const char *url, const char *scheme)
{
        size_t n = strlen(scheme);
        return strncasecmp(url, scheme, n) == 0 && strncmp(url + n, "://", 3) == 0;
}

/* rel (absolute, or relative to base) as an absolute URL, or NULL. */
static char *resolve_url(const char *base, const char *rel)
{
        CURLU *u = url_parse(base);
        char *out = NULL;

        if (u != NULL && curl_url_set(u, CURLUPART_URL, rel, 0) == CURLUE_OK)
                out = url_get(u, CURLUPART_URL, 0);
        curl_url_cleanup(u);
        return out;
}

char *rc_reg_url(const struct rc_endpoint *ep, const char *repo, const char *suffix)
{
        if (repo == NULL)
                return xasprintf("%s/v2/", ep->base);
        return xasprintf("%s/v2/%s%s/%s", ep->base, ep->prefix, repo, suffix);
}

/* ---- one transfer ------------------------------------------------------ */

void rc_http_resp_free(struct rc_http_resp *resp)
{
        free(resp->body);
        free(resp->content_type);
        free(resp->docker_digest);
        strv_free(resp->challenges);
        free(resp->location);
        memset(resp, 0, sizeof(*resp));
        resp->retry_after = -1;
}

/* curl's sockets must not leak into the processes rc starts. */
static curl_socket_t open_socket_cloexec(void *ctx, curlsocktype purpose, struct curl_sockaddr *a)
{
        (void)ctx;
        (void)purpose;
        return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

void rc_reg_setup_easy(struct rc_registry *r, struct rc_endpoint *ep, CURL *h, const char *url, char *errbuf)
{
        bool own = ep != NULL && rc_url_same_origin(url, ep->base);
        cleanup_free char *host = own ? xstrdup(ep->host) : rc_url_hostport(url);
        bool verify = !(own ? ep->insecure : (host == NULL || rc_reg_host_insecure(r, host)));
        struct rc_tls_host *t = host ? rc_reg_tls_for_host(r, host, own ? ep->certs_alias : NULL) : NULL;

        curl_easy_setopt(h, CURLOPT_URL, url);
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
        errbuf[0] = '\0';
        curl_easy_setopt(h, CURLOPT_USERAGENT, "rc/" RC_VERSION);
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
        curl_easy_setopt(h, CURLOPT_UNRESTRICTED_AUTH, 0L);
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
        /* A stalled connection is dropped (and the transfer retried or resumed). */
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 60L);
        curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
        curl_easy_setopt(h, CURLOPT_SHARE, r->share);
        curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_socket_cloexec);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, verify ? 1L : 0L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, verify ? 2L : 0L);
        if (t != NULL && t->ca_pem != NULL) {
                struct curl_blob blob = { .data = t->ca_pem, .len = t->ca_len, .flags = CURL_BLOB_COPY };
                curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &blob);
        }
        if (t != NULL && t->cert != NULL) {
                curl_easy_setopt(h, CURLOPT_SSLCERT, t->cert);
                curl_easy_setopt(h, CURLOPT_SSLKEY, t->key);
        }
}

static char *header_value(CURL *h, const char *name, size_t index)
{
        struct curl_header *hd = NULL;

        if (curl_easy_header(h, name, index, CURLH_HEADER, -1, &hd) != CURLHE_OK || hd == NULL)
                return NULL;
        return xstrdup(hd->value);
}

void rc_reg_collect_headers(CURL *h, struct rc_http_resp *resp)
{
        struct curl_header *hd = NULL;
        char *loc = NULL, *ra;

        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
        resp->content_type = header_value(h, "Content-Type", 0);
        if (resp->content_type != NULL) {
                char *c = resp->content_type;
                c[strcspn(c, "; \t")] = '\0';
                for (; *c; c++)
                        *c = (char)tolower((unsigned char)*c);
        }
        resp->docker_digest = header_value(h, "Docker-Content-Digest", 0);
        if (curl_easy_header(h, "WWW-Authenticate", 0, CURLH_HEADER, -1, &hd) == CURLHE_OK && hd != NULL) {
                size_t amount = hd->amount;
                resp->challenges = xcalloc(1, sizeof(char *));
                for (size_t i = 0; i < amount && i < 16; i++) {
                        cleanup_free char *v = header_value(h, "WWW-Authenticate", i);
                        if (v)
                                strv_push(&resp->challenges, v);
                }
        }
        if (resp->status >= 300 && resp->status < 400) {
                if (curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &loc) == CURLE_OK && loc != NULL)
                        resp->location = xstrdup(loc);
        } else {
                /* An upload session's URL, possibly relative to the request's. */
                cleanup_free char *rel = header_value(h, "Location", 0);
                char *base = NULL;
                if (rel != NULL && curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &base) == CURLE_OK && base != NULL)
                        resp->location = resolve_url(base, rel);
        }
        resp->retry_after = -1;
        ra = header_value(h, "Retry-After", 0);
        if (ra != NULL) {
                char *end;
                long v = strtol(ra, &end, 10);
                if (end != ra && *end == '\0' && v >= 0)
                        resp->retry_after = v;
                free(ra);
        }
}

struct body_ctx {
        CURL *h;
        struct rc_http_resp *resp;
        size_t max;
        bool too_big;
};

static size_t body_cb(char *data, size_t size, size_t nmemb, void *ud)
{
        struct body_ctx *c = ud;
        size_t n = size * nmemb, cap = c->max;
        long status = 0;

        curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, &status);
        if (status < 200 || status >= 300) {
                /* Error bodies are only read for their message. */
                cap = RC_REG_ERROR_BODY_MAX;
                if (c->resp->len >= cap)
                        return n;
                if (n > cap - c->resp->len)
                        n = cap - c->resp->len;
        } else if (n > cap - c->resp->len || c->resp->len > cap) {
                c->too_big = true;
                return 0;
        }
        c->resp->body = xrealloc(c->resp->body, c->resp->len + n + 1);
        memcpy(c->resp->body + c->resp->len, data, n);
        c->resp->len += n;
        c->resp->body[c->resp->len] = '\0';
        return size * nmemb;
}

struct upload_ctx {
        const struct rc_reg_body *body;
        int64_t sent;
};

static size_t upload_read_cb(char *buf, size_t size, size_t nmemb, void *ud)
{
        struct upload_ctx *u = ud;
        const struct rc_reg_body *b = u->body;
        size_t want = size * nmemb;
        ssize_t n;

        if ((int64_t)want > b->len - u->sent)
                want = (size_t)(b->len - u->sent);
        if (want == 0)
                return 0;
        if (b->data != NULL) {
                memcpy(buf, (const char *)b->data + u->sent, want);
                n = (ssize_t)want;
        } else {
                do
                        n = pread(b->fd, buf, want, b->offset + u->sent);
                while (n < 0 && errno == EINTR);
                if (n <= 0)
                        return CURL_READFUNC_ABORT;
        }
        u->sent += n;
        if (b->progress)
                b->progress(b->progress_ctx, u->sent);
        return (size_t)n;
}

/* Method and body of a request that is not a plain GET. */
static void setup_body(CURL *h, const struct rc_reg_body *b, struct upload_ctx *u, struct curl_slist **hdrs)
{
        if (b->content_type) {
                cleanup_free char *ct = xasprintf("Content-Type: %s", b->content_type);
                *hdrs = curl_slist_append(*hdrs, ct);
        }
        if (b->content_range) {
                cleanup_free char *cr = xasprintf("Content-Range: %s", b->content_range);
                *hdrs = curl_slist_append(*hdrs, cr);
        }
        /* No "Expect: 100-continue" round trip before each chunk. */
        *hdrs = curl_slist_append(*hdrs, "Expect:");
        if (strcmp(b->method, "HEAD") == 0) {
                curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
                return;
        }
        if (strcmp(b->method, "POST") == 0 && b->len == 0) {
                curl_easy_setopt(h, CURLOPT_POST, 1L);
                curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, 0L);
                return;
        }
        curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)b->len);
        curl_easy_setopt(h, CURLOPT_READFUNCTION, upload_read_cb);
        curl_easy_setopt(h, CURLOPT_READDATA, u);
        if (strcmp(b->method, "PUT") != 0)
                curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, b->method);
}

static CURLcode perform(struct rc_registry *r, struct rc_endpoint *ep, const char *url, const char *auth,
                        const char *accept, const struct rc_reg_body *body, size_t max, struct rc_http_resp *resp,
                        bool *too_big, char *errbuf)
{
        struct curl_slist *hdrs = NULL;
        struct body_ctx bc = { .h = r->easy, .resp = resp, .max = max };
        struct upload_ctx uc = { .body = body };
        cleanup_free char *accept_line = accept ? xasprintf("Accept: %s", accept) : NULL;
        CURLcode code;

        curl_easy_reset(r->easy);
        rc_reg_setup_easy(r, ep, r->easy, url, errbuf);
        if (accept_line)
                hdrs = curl_slist_append(hdrs, accept_line);
        if (auth)
                hdrs = curl_slist_append(hdrs, auth);
        if (body)
                setup_body(r->easy, body, &uc, &hdrs);
        curl_easy_setopt(r->easy, CURLOPT_HTTPHEADER, hdrs);
        curl_easy_setopt(r->easy, CURLOPT_WRITEFUNCTION, body_cb);
        curl_easy_setopt(r->easy, CURLOPT_WRITEDATA, &bc);
        code = curl_easy_perform(r->easy);
        if (hdrs != NULL) {
                /* The list holds a copy of the Authorization line. */
                for (struct curl_slist *s = hdrs; s; s = s->next)
                        explicit_bzero(s->data, strlen(s->data));
                curl_slist_free_all(hdrs);
        }
        curl_easy_setopt(r->easy, CURLOPT_HTTPHEADER, NULL);
        /* errbuf lives on the caller's stack: don't leave curl a pointer to it. */
        curl_easy_setopt(r->easy, CURLOPT_ERRORBUFFER, NULL);
        if (code == CURLE_OK)
                rc_reg_collect_headers(r->easy, resp);
        *too_big = bc.too_big;
        rc_debug("%s %s: %s %ld", body ? body->method : "GET", url,
                 code == CURLE_OK ? "HTTP" : curl_easy_strerror(code), resp->status);
        return code;
}

bool rc_reg_retryable_code(CURLcode code)
{
        switch (code) {
        case CURLE_COULDNT_CONNECT:
        case CURLE_OPERATION_TIMEDOUT:
        case CURLE_SEND_ERROR:
        case CURLE_RECV_ERROR:
        case CURLE_PARTIAL_FILE:
        case CURLE_GOT_NOTHING:
        case CURLE_HTTP2:
        case CURLE_HTTP2_STREAM:
                return true;
        default:
                return false;
        }
}

bool rc_reg_retryable_status(long status)
{
        return status == 429 || status == 408 || (status >= 500 && status != 501 && status != 505);
}

long rc_reg_backoff_ms(const struct rc_registry *r, int attempt, long retry_after)
{
        long ms = r->backoff_ms;

        for (int i = 1; i < attempt && ms < 60000; i++)
                ms *= 2;
        /* Honour Retry-After, within reason. */
        if (retry_after > 0 && retry_after * 1000 > ms)
                ms = retry_after > 60 ? 60000 : retry_after * 1000;
        return ms;
}

void rc_reg_sleep_ms(long ms)
{
        struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

static bool is_tls_error(CURLcode code)
{
        return code == CURLE_SSL_CONNECT_ERROR || code == CURLE_PEER_FAILED_VERIFICATION ||
               code == CURLE_SSL_CACERT_BADFILE || code == CURLE_SSL_CERTPROBLEM || code == CURLE_SSL_CIPHER ||
               code == CURLE_SSL_ISSUER_ERROR || code == CURLE_SSL_CRL_BADFILE || code == CURLE_SSL_PINNEDPUBKEYNOTMATCH;
}

int rc_reg_curl_error(struct rc_registry *r, const char *url, CURLcode code, const char *errbuf, rc_error **err)
{
        const char *detail = errbuf && errbuf[0] ? errbuf : curl_easy_strerror(code);
        cleanup_free char *host = rc_url_hostport(url);

        if (code == CURLE_COULDNT_CONNECT)
                return rc_error_set(err, 0, "cannot connect to %s (%s): is the registry running and the address right?",
                                    url, detail);
        if (code == CURLE_COULDNT_RESOLVE_HOST)
                return rc_error_set(err, 0, "cannot resolve host %s (%s): check the name and your DNS",
                                    host ? host : url, url);
        if (code == CURLE_OPERATION_TIMEDOUT)
                return rc_error_set(err, 0, "%s: timed out (%s)", url, detail);
        if (is_tls_error(code))
                return rc_error_set(err, 0,
                                    "TLS error talking to %s: %s; if the registry uses a private CA, put its "
                                    "certificate in ~/.config/containers/certs.d/%s/ca.crt; for a registry "
                                    "without valid TLS use --tls-verify=false",
                                    url, detail, host ? host : r->domain);
        return rc_error_set(err, 0, "%s: %s", url, detail);
}

bool rc_reg_http_fallback(struct rc_endpoint *ep, CURLcode code)
{
        if (!ep->insecure || ep->scheme_known || strcmp(ep->scheme, "https") != 0)
                return false;
        if (!is_tls_error(code) && code != CURLE_RECV_ERROR && code != CURLE_GOT_NOTHING)
                return false;
        rc_debug("%s: https failed (%s); trying plain http", ep->host, curl_easy_strerror(code));
        free(ep->scheme);
        free(ep->base);
        ep->scheme = xstrdup("http");
        ep->base = xasprintf("http://%s", ep->host);
        ep->scheme_known = true;
        return true;
}

int rc_reg_fetch(struct rc_registry *r, struct rc_endpoint *ep, const char *url, const char *origin,
                 const char *auth_header, const char *accept, size_t max_body, struct rc_http_resp *resp,
                 rc_error **err)
{
        cleanup_free char *cur = xstrdup(url);
        /* A copy: origin may be ep->base, which an http fallback replaces. */
        cleanup_free char *orig = origin ? xstrdup(origin) : NULL;
        char errbuf[CURL_ERROR_SIZE];
        int attempt = 1, redirects = 0;

        for (;;) {
                bool send_auth = auth_header != NULL && orig != NULL && rc_url_same_origin(cur, orig);
                bool too_big = false;
                CURLcode code;

                rc_http_resp_free(resp);
                code = perform(r, ep, cur, send_auth ? auth_header : NULL, accept, NULL, max_body, resp,
                               &too_big, errbuf);
                if (too_big) {
                        rc_http_resp_free(resp);
                        return rc_error_set(err, 0, "%s: response larger than the limit of %zu bytes", cur,
                                            max_body);
                }
                if (code != CURLE_OK) {
                        bool own = ep != NULL && rc_url_same_origin(cur, ep->base);
                        rc_http_resp_free(resp);
                        if (own && rc_reg_http_fallback(ep, code)) {
                                char *nu = xasprintf("%s%s", ep->base, cur + strlen("https://") + strlen(ep->host));
                                /* The Authorization header follows the endpoint. */
                                if (orig != NULL && rc_url_same_origin(orig, cur)) {
                                        free(orig);
                                        orig = xstrdup(ep->base);
                                }
                                free(cur);
                                cur = nu;
                                continue;
                        }
                        if (rc_reg_retryable_code(code) && attempt < r->max_tries) {
                                long ms = rc_reg_backoff_ms(r, attempt++, -1);
                                /* on a terminal the user sees why nothing moves */
                                rc_log(isatty(STDERR_FILENO) ? RC_LOG_WARN : RC_LOG_DEBUG,
                                       "%s: %s; retrying in %ld ms", cur, errbuf, ms);
                                rc_reg_sleep_ms(ms);
                                continue;
                        }
                        return rc_reg_curl_error(r, cur, code, errbuf, err);
                }
                if (ep != NULL && rc_url_same_origin(cur, ep->base))
                        ep->scheme_known = true;
                if (resp->status >= 300 && resp->status < 400 && resp->location != NULL) {
                        bool to_http = url_scheme_is(resp->location, "http");
                        if (++redirects > RC_REG_MAX_REDIRECTS)
                                return rc_error_set(err, 0, "%s: more than %d redirects", url,
                                                    RC_REG_MAX_REDIRECTS);
                        if (!to_http && !url_scheme_is(resp->location, "https"))
                                return rc_error_set(err, 0, "%s: redirect to a non-http(s) URL refused", cur);
                        if (to_http && url_scheme_is(cur, "https") &&
                            !(r->skip_tls_verify || (ep != NULL && ep->insecure)))
                                return rc_error_set(err, 0, "%s: redirect from https to plain http refused",
                                                    cur);
                        free(cur);
                        cur = steal_pointer(&resp->location);
                        continue;
                }
                if (rc_reg_retryable_status(resp->status) && attempt < r->max_tries) {
                        long ms = rc_reg_backoff_ms(r, attempt++, resp->retry_after);
                        rc_log(isatty(STDERR_FILENO) ? RC_LOG_WARN : RC_LOG_DEBUG, "%s: HTTP %ld; retrying in %ld ms",
                               cur, resp->status, ms);
                        rc_reg_sleep_ms(ms);
                        continue;
                }
                return 0;
        }
}

int rc_reg_request(struct rc_registry *r, struct rc_endpoint *ep, const char *repo, const char *suffix,
                   const char *scope, const char *accept, size_t max_body, struct rc_http_resp *resp,
                   rc_error **err)
{
        for (int round = 0;; round++) {
                cleanup_free char *url = rc_reg_url(ep, repo, suffix);
                char *auth = NULL;
                int rc;

                if (rc_reg_auth_header(r, ep, repo, scope, &auth, err) < 0)
                        return -1;
                rc = rc_reg_fetch(r, ep, url, ep->base, auth, accept, max_body, resp, err);
                rc_secret_free(auth);
                if (rc < 0)
                        return -1;
                if (resp->status != 401 || round > 0)
                        return 0;
                if (rc_reg_authenticate(r, ep, repo, scope, resp->challenges, auth != NULL, err) < 0) {
                        /* on failure the caller gets no response to free */
                        rc_http_resp_free(resp);
                        return -1;
                }
        }
}

int rc_reg_send(struct rc_registry *r, struct rc_endpoint *ep, const char *url, const char *auth_header,
                const struct rc_reg_body *body, struct rc_http_resp *resp, rc_error **err)
{
        bool send_auth = auth_header != NULL && rc_url_same_origin(url, ep->base);
        char errbuf[CURL_ERROR_SIZE];
        bool too_big = false;
        CURLcode code;

        rc_http_resp_free(resp);
        code = perform(r, ep, url, send_auth ? auth_header : NULL, NULL, body, RC_REG_ERROR_BODY_MAX, resp,
                       &too_big, errbuf);
        if (code != CURLE_OK) {
                rc_http_resp_free(resp);
                return rc_reg_curl_error(r, url, code, errbuf, err);
        }
        if (rc_url_same_origin(url, ep->base))
                ep->scheme_known = true;
        return 0;
}

int rc_reg_send_auth(struct rc_registry *r, struct rc_endpoint *ep, const char *repo, const char *url,
                     const char *suffix, const char *scope, const struct rc_reg_body *body,
                     struct rc_http_resp *resp, rc_error **err)
{
        for (int round = 0;; round++) {
                cleanup_free char *api = url ? NULL : rc_reg_url(ep, repo, suffix);
                char *auth = NULL;
                bool had_auth;
                int rc;

                if (rc_reg_auth_header(r, ep, repo, scope, &auth, err) < 0)
                        return -1;
                had_auth = auth != NULL;
                rc = rc_reg_send(r, ep, url ? url : api, auth, body, resp, err);
                rc_secret_free(auth);
                if (rc < 0)
                        return -1;
                if (resp->status != 401 || round > 0)
                        return 0;
                if (rc_reg_authenticate(r, ep, repo, scope, resp->challenges, had_auth, err) < 0) {
                        rc_http_resp_free(resp);
                        return -1;
                }
        }
}

/* ---- errors ------------------------------------------------------------ */

char *rc_reg_error_message(const struct rc_http_resp *resp)
{
        json_object *doc, *errors, *first, *code, *msg;
        char *out = NULL;

        if (resp->body == NULL || resp->len == 0)
                return NULL;
        doc = json_tokener_parse(resp->body);
        if (doc == NULL)
                return NULL;
        if (json_object_object_get_ex(doc, "errors", &errors) && json_object_is_type(errors, json_type_array) &&
            json_object_array_length(errors) > 0 && (first = json_object_array_get_idx(errors, 0)) != NULL &&
            json_object_is_type(first, json_type_object)) {
                const char *c = json_object_object_get_ex(first, "code", &code) ? json_object_get_string(code) : NULL;
                const char *m = json_object_object_get_ex(first, "message", &msg) ? json_object_get_string(msg) : NULL;
                if (c || m) {
                        out = xasprintf("%.100s%s%.300s", c ? c : "", c && m ? ": " : "", m ? m : "");
                        for (char *p = out; *p; p++)
                                if ((unsigned char)*p < 0x20)
                                        *p = ' ';
                }
        }
        json_object_put(doc);
        return out;
}

int rc_reg_status_error(struct rc_registry *r, struct rc_endpoint *ep, const char *what,
                        const struct rc_http_resp *resp, rc_error **err)
{
        cleanup_free char *msg = rc_reg_error_message(resp);
        const char *name = rc_reg_login_name(r, ep);
        long s = resp->status;

        if (s == 401 || s == 403) {
                cleanup_secret char *user = NULL, *pass = NULL;
                rc_error *e = NULL;
                bool creds = rc_reg_credentials(r, ep, NULL, &user, &pass, &e) > 0;
                rc_error_free(e);
                if (s == 401 && !creds)
                        return rc_error_set(err, 0, "%s: authentication required for %s: run rc login %s", what,
                                            name, name);
                if (s == 401 && ep->auth == RC_AUTH_BASIC)
                        return rc_error_set(err, 0, "%s: invalid username or password for %s: run rc login %s",
                                            what, name, name);
                return rc_error_set(err, 0, "%s: access denied%s%s%s%s", what, msg ? " (" : "", msg ? msg : "",
                                    msg ? ")" : "",
                                    creds ? "; check that your account may pull it"
                                          : "; if it is private, run rc login first");
        }
        if (s == 404)
                return rc_error_set(err, 0, "%s: not found%s%s%s", what, msg ? " (" : "", msg ? msg : "",
                                    msg ? ")" : "");
        if (s == 429)
                return rc_error_set(err, 0, "%s: %s is rate-limiting requests (HTTP 429); try again later", what,
                                    name);
        if (s >= 500)
                return rc_error_set(err, 0, "%s: %s answered with server error %ld%s%s%s; try again later", what,
                                    name, s, msg ? " (" : "", msg ? msg : "", msg ? ")" : "");
        return rc_error_set(err, 0, "%s: unexpected HTTP status %ld from %s%s%s%s", what, s, ep->base,
                            msg ? " (" : "", msg ? msg : "", msg ? ")" : "");
}

int rc_registry_ping(struct rc_registry *r, rc_error **err)
{
        struct rc_endpoint *ep = &r->eps[r->n_eps - 1];
        struct rc_http_resp resp = { .retry_after = -1 };
        int rc = 0;

        if (rc_reg_request(r, ep, NULL, NULL, NULL, NULL, RC_REG_ERROR_BODY_MAX, &resp, err) < 0)
                return -1; /* the message names the host or URL */
        if (resp.status == 401) {
                bool creds = ep->auth == RC_AUTH_BASIC || ep->auth == RC_AUTH_BEARER;
                rc = rc_error_set(err, 0, "%s: %s", r->domain,
                                  creds ? "invalid username or password"
                                        : "authentication required: run rc login");
        } else if (resp.status < 200 || resp.status >= 300) {
                rc = rc_reg_status_error(r, ep, r->domain, &resp, err);
        }
        rc_http_resp_free(&resp);
        return rc;
}
