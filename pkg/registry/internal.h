/* Shared between the files of pkg/registry; not an API. */
#ifndef RC_REGISTRY_INTERNAL_H
#define RC_REGISTRY_INTERNAL_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "dl/curl.h"
#include "registry/registry.h"

#ifndef RC_VERSION
#define RC_VERSION "dev"
#endif

#define RC_REG_ERROR_BODY_MAX (64 * 1024) /* kept of an error response, for its message */
#define RC_REG_MAX_REDIRECTS 10

enum rc_reg_auth { RC_AUTH_UNKNOWN = 0, RC_AUTH_NONE, RC_AUTH_BASIC, RC_AUTH_BEARER };

struct rc_token {
        char *scope; /* "" for none */
        char *value; /* secret */
        time_t expires;
};

/* TLS material for one host from the certs.d directories. */
struct rc_tls_host {
        char *host;    /* "host[:port]" */
        char *ca_pem;  /* system bundle + *.crt, or NULL when there is no *.crt */
        size_t ca_len;
        char *cert, *key; /* client certificate and key paths, or NULL */
};

struct rc_endpoint {
        char *scheme;    /* "https", or "http" after falling back */
        char *host;      /* "host[:port]" as written in URLs */
        char *base;      /* scheme://host */
        char *prefix;    /* "" or "namespace/" put before repository names (mirrors) */
        char *cred_key;  /* auth.json key of the host ("docker.io" for registry-1.docker.io) */
        char *certs_alias; /* a second certs.d name to look up ("docker.io"), or NULL */
        bool mirror;
        bool insecure;     /* TLS unverified, plain http tried when https fails */
        bool scheme_known; /* a response came back over `scheme` */
        enum rc_reg_auth auth;
        char *realm, *service;
        struct rc_token *tokens;
        size_t n_tokens;
};

struct rc_registry {
        char *domain;
        struct rc_endpoint *eps;
        size_t n_eps;
        size_t preferred; /* endpoint that served the last manifest */
        bool skip_tls_verify;
        char **insecure;
        char *auth_file;
        char *username, *password;
        int concurrency, max_tries, backoff_ms;
        char **certs_dirs;
        struct rc_tls_host *tls;
        size_t n_tls;
        char *system_ca; /* curl's default CA bundle path */
        CURL *easy;      /* for requests made one at a time */
        CURLSH *share;   /* DNS and TLS sessions shared with blob transfers */
};

/* What a request sends besides GET: a method and an optional body, from
 * memory or from a range of a file. */
struct rc_reg_body {
        const char *method;       /* "HEAD", "POST", "PUT", "PATCH" */
        const char *content_type; /* or NULL */
        const char *content_range; /* "FIRST-LAST" (PATCH), or NULL */
        const void *data;         /* the body in memory, or */
        int fd;                   /* a file when data is NULL and fd >= 0 ... */
        int64_t offset, len;      /* ... this range of it (len also for data) */
        /* upload progress, bytes of this request sent so far; may be NULL */
        void (*progress)(void *ctx, int64_t sent);
        void *progress_ctx;
};

struct rc_http_resp {
        long status;
        char *body; /* NUL-terminated */
        size_t len;
        char *content_type;  /* without parameters */
        char *docker_digest; /* Docker-Content-Digest */
        char **challenges;   /* WWW-Authenticate values */
        char *location;      /* Location (redirect target, upload URL), made absolute */
        long retry_after;    /* seconds, or -1 */
};
void rc_http_resp_free(struct rc_http_resp *resp);

/* ---- endpoint.c ---- */

/* True if TLS is not verified for host (--tls-verify=false or listed insecure). */
bool rc_reg_host_insecure(const struct rc_registry *r, const char *host);
/* certs.d material for "host[:port]" (also looked up under alias if non-NULL), cached. */
struct rc_tls_host *rc_reg_tls_for_host(struct rc_registry *r, const char *host, const char *alias);

/* ---- client.c ---- */

/* Common options for a handle about to fetch `url`, including TLS: the
 * endpoint's settings for its own origin, otherwise the host's certs.d. */
void rc_reg_setup_easy(struct rc_registry *r, struct rc_endpoint *ep, CURL *h, const char *url, char *errbuf);
/* Collect headers of the last response of h into resp (status, type, ...). */
void rc_reg_collect_headers(CURL *h, struct rc_http_resp *resp);
/* URL of an API path: base/v2/ + prefix + repo + "/" + suffix, or base/v2/ when repo is NULL. */
char *rc_reg_url(const struct rc_endpoint *ep, const char *repo, const char *suffix);
/* Fetch url following redirects (auth_header, a full "Authorization: ..."
 * line, is sent only to `origin`'s scheme://host:port) and retrying
 * transient failures.  Returns 0 with the final response, whatever its
 * status; -1 on transport failure. */
int rc_reg_fetch(struct rc_registry *r, struct rc_endpoint *ep, const char *url, const char *origin,
                 const char *auth_header, const char *accept, size_t max_body, struct rc_http_resp *resp,
                 rc_error **err);
/* One request with a method and body (uploads): no redirects followed, no
 * retries (the caller restarts what failed), Authorization only to origin. */
int rc_reg_send(struct rc_registry *r, struct rc_endpoint *ep, const char *url, const char *auth_header,
                const struct rc_reg_body *body, struct rc_http_resp *resp, rc_error **err);
/* An API request on an endpoint with the registry's auth flow (one
 * challenge answered per request).  scope NULL: no repository scope. */
int rc_reg_request(struct rc_registry *r, struct rc_endpoint *ep, const char *repo, const char *suffix,
                   const char *scope, const char *accept, size_t max_body, struct rc_http_resp *resp,
                   rc_error **err);
/* rc_reg_send to an absolute URL of the endpoint (or an API path when url
 * is NULL: repo + suffix) with the auth flow: a 401 is answered once and
 * the request sent again. */
int rc_reg_send_auth(struct rc_registry *r, struct rc_endpoint *ep, const char *repo, const char *url,
                     const char *suffix, const char *scope, const struct rc_reg_body *body,
                     struct rc_http_resp *resp, rc_error **err);
/* An actionable error for a non-2xx response; `what` names the object. */
int rc_reg_status_error(struct rc_registry *r, struct rc_endpoint *ep, const char *what,
                        const struct rc_http_resp *resp, rc_error **err);
/* An actionable error for a failed transfer. */
int rc_reg_curl_error(struct rc_registry *r, const char *url, CURLcode code, const char *errbuf, rc_error **err);
bool rc_reg_retryable_code(CURLcode code);
/* An insecure endpoint whose https attempt failed in a way that suggests a
 * plain http server switches to http: true when it did. */
bool rc_reg_http_fallback(struct rc_endpoint *ep, CURLcode code);
bool rc_reg_retryable_status(long status);
/* Delay before attempt number `attempt` (1 = first retry). */
long rc_reg_backoff_ms(const struct rc_registry *r, int attempt, long retry_after);
void rc_reg_sleep_ms(long ms);
/* "host[:port]" of an absolute URL, or NULL. */
char *rc_url_hostport(const char *url);
/* The registry error document's first "code: message", or NULL. */
char *rc_reg_error_message(const struct rc_http_resp *resp);
/* The name users give for an endpoint in rc login. */
const char *rc_reg_login_name(const struct rc_registry *r, const struct rc_endpoint *ep);

/* ---- auth.c ---- */

/* Credentials for an endpoint and repository: 1 found, 0 none, -1 error. */
int rc_reg_credentials(struct rc_registry *r, struct rc_endpoint *ep, const char *repo, char **user, char **pass,
                       rc_error **err);
/* The Authorization header line to send (*out NULL when none), fetching
 * a bearer token for scope when the cached one is missing or expired. */
int rc_reg_auth_header(struct rc_registry *r, struct rc_endpoint *ep, const char *repo, const char *scope,
                       char **out, rc_error **err);
/* Answer a 401: learn the scheme from the challenges and obtain what the
 * next attempt needs.  had_auth: the rejected request carried credentials. */
int rc_reg_authenticate(struct rc_registry *r, struct rc_endpoint *ep, const char *repo, const char *scope,
                        char **challenges, bool had_auth, rc_error **err);
void rc_reg_endpoint_clear_auth(struct rc_endpoint *ep);

#endif
