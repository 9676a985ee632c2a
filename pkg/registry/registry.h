/* OCI distribution API client (pull and push) on libcurl, plus podman-compatible
 * credential files.
 *
 * A struct rc_registry talks to one registry domain ("docker.io",
 * "quay.io", "127.0.0.1:5000") through a list of endpoints: the configured
 * mirrors first, then the registry itself (docker.io's API lives at
 * registry-1.docker.io).  It keeps the bearer tokens it obtained, per
 * endpoint and scope, until they expire.  Nothing touches the network before
 * the first request.  A handle is not thread-safe; use one per thread.
 *
 * Security properties:
 * - Secrets (passwords, tokens, Authorization headers) never appear in error
 *   messages or logs, and are wiped from memory when freed.
 * - Redirects are followed by rc, not by curl: the Authorization header is
 *   sent only to the endpoint's own scheme://host:port, never to the blob
 *   storage a registry redirects to; https -> http downgrades are refused
 *   unless the registry is configured insecure.
 * - Credentials go to a token realm over plain http only when the realm is
 *   a loopback address or the registry is configured insecure.
 * - Every blob's size and sha256 are checked against its descriptor; a
 *   manifest fetched by digest must hash to that digest; manifests are
 *   limited to RC_IMAGE_JSON_MAX bytes and token responses to 256 KiB.
 *
 * Errors name the URL or HOST/REPO:TAG concerned and say what to do
 * ("authentication required for HOST: run rc login HOST", "manifest unknown
 * (does the tag exist?)", TLS failures point at --tls-verify=false and
 * certs.d).  Transport errors carry errno 0; file errors carry errno. */
#ifndef RC_REGISTRY_REGISTRY_H
#define RC_REGISTRY_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image/image.h"
#include "util/digest.h"
#include "util/error.h"

#define RC_REGISTRY_DEFAULT_CONCURRENCY 6
#define RC_REGISTRY_DEFAULT_TRIES 5
#define RC_REGISTRY_TOKEN_MAX (256 * 1024)

/* Options for rc_registry_open.  A zeroed struct (or NULL) means defaults:
 * TLS verified, no mirrors, default credential lookup, 6 parallel blobs,
 * 5 tries with 0.5, 1, 2, 4 s back-off, podman's certs.d directories. */
struct rc_registry_opts {
        bool skip_tls_verify;      /* --tls-verify=false: accept any certificate, allow plain http */
        char **insecure;           /* NULL-terminated "host[:port]" entries: for these, TLS is not
                                    * verified and plain http is tried when https fails */
        char **mirrors;            /* NULL-terminated endpoints tried before the registry:
                                    * "host[:port][/prefix]" or "http[s]://host[:port][/prefix]";
                                    * a repository REPO is fetched from them as prefix/REPO */
        const char *auth_file;     /* auth.json to read credentials from; NULL: rc_authfile_lookup's
                                    * default order */
        const char *username;      /* explicit credentials for the registry itself (not its */
        const char *password;      /* mirrors); NULL: look them up in the auth files */
        int concurrency;           /* parallel blob downloads; 0: 6; capped at 32 */
        int max_tries;             /* attempts per request on 5xx/429/dropped connections; 0: 5 */
        int backoff_ms;            /* first back-off delay, doubled per retry; 0: 500 */
        const char *const *certs_dirs; /* NULL-terminated directories holding HOST[:PORT]/ subdirs
                                        * with *.crt (CA roots), *.cert + *.key (client cert);
                                        * NULL: ~/.config/containers/certs.d, /etc/containers/certs.d */
};

struct rc_registry;

/* `domain` as in struct rc_reference ("docker.io", "localhost:5000").
 * Fails only on bad options (an unparsable mirror). */
int rc_registry_open(const char *domain, const struct rc_registry_opts *opts, struct rc_registry **out,
                     rc_error **err);
void rc_registry_close(struct rc_registry *r);
void rc_registry_closep(struct rc_registry **r);
#define cleanup_registry __attribute__((cleanup(rc_registry_closep)))

/* Check that the registry answers the API and accepts the credentials
 * (GET /v2/ through the auth flow); for rc login.  Tries the registry
 * itself, not its mirrors. */
int rc_registry_ping(struct rc_registry *r, rc_error **err);

/* ---- Manifests ------------------------------------------------------- */

/* GET a manifest (or index / manifest list) of `repo` ("library/alpine") by
 * tag or "sha256:..." digest, with an Accept list for OCI manifest and
 * index and Docker v2 schema 2 manifest and list.  Writes the body, its
 * media type (from Content-Type, else from the document) and its sha256; a
 * manifest fetched by digest must hash to it.  Schema 1 is refused with a
 * clear message.  Mirrors are tried first; the endpoint that answers is then
 * used first for blobs. */
int rc_registry_get_manifest(struct rc_registry *r, const char *repo, const char *tag_or_digest, char **body,
                             size_t *len, char **media_type, char digest[RC_DIGEST_LEN + 1], rc_error **err);

struct rc_resolved {
        struct rc_manifest manifest;           /* the single-platform manifest, parsed */
        char *manifest_json;                   /* its bytes, as served */
        size_t manifest_len;
        char *media_type;                      /* its media type */
        char digest[RC_DIGEST_LEN + 1];        /* sha256 of manifest_json */
        char index_digest[RC_DIGEST_LEN + 1];  /* the index/list the reference named, or "" */
};

/* Resolve a tag or digest to one platform's manifest: an index or list is
 * followed with rc_index_select (os/arch NULL: the host's platform from
 * rc_platform_host; variant NULL: the arch's default) and the chosen entry
 * fetched by digest and checked against its descriptor's size.  *out is
 * written only on success; free it with rc_resolved_free. */
int rc_registry_resolve(struct rc_registry *r, const char *repo, const char *tag_or_digest, const char *os,
                        const char *arch, const char *variant, struct rc_resolved *out, rc_error **err);
void rc_resolved_free(struct rc_resolved *res);

/* ---- Blobs ----------------------------------------------------------- */

/* A blob to download.  `sink` receives the bytes in order as they arrive,
 * exactly once each (a transfer resumed with Range after a dropped
 * connection continues the same stream; if the server ignores Range, the
 * bytes already delivered are skipped).  The bytes are unverified until
 * rc_registry_get_blobs returns success for this request: a caller that
 * extracts while downloading must discard its output when req->error is
 * set.  A sink returns 0, or -1 with *err set to stop this blob. */
typedef int (*rc_blob_sink)(void *ctx, const void *data, size_t len, rc_error **err);

struct rc_blob_request {
        const char *digest;    /* "sha256:<hex>" */
        int64_t size;          /* from the descriptor; more or fewer bytes is an error */
        rc_blob_sink sink;
        void *sink_ctx;
        /* out */
        rc_error *error;       /* set when this blob failed; the caller frees it */
        int64_t bytes;         /* bytes delivered to the sink */
};

/* A sink writing to the file descriptor *(int *)ctx. */
int rc_blob_sink_fd(void *ctx, const void *data, size_t len, rc_error **err);

/* Progress of one blob: bytes done of total. */
typedef void (*rc_blob_progress)(void *ctx, size_t index, int64_t done, int64_t total);

/* Download blobs of `repo` in parallel (opts.concurrency at a time, HTTP/2
 * multiplexing where offered), retrying 5xx/429/dropped connections with
 * back-off and resuming with Range.  Each blob's size and sha256 are
 * verified at its end.  The first blob that fails for good stops the
 * others.  Returns 0 when all succeeded; otherwise -1 with *err naming the
 * first failure, and reqs[i].error set for every blob that did not
 * complete (cancelled ones say so).  progress may be NULL. */
int rc_registry_get_blobs(struct rc_registry *r, const char *repo, struct rc_blob_request *reqs, size_t n,
                          rc_blob_progress progress, void *progress_ctx, rc_error **err);

/* ---- Push ------------------------------------------------------------ */

#define RC_REGISTRY_CHUNK_SIZE (32 << 20) /* blobs above this go up in PATCH chunks */

/* A blob to upload, from a file or from memory. */
struct rc_blob_upload {
        const char *digest;     /* "sha256:<hex>" of the bytes */
        int64_t size;
        const char *path;       /* a file holding exactly the blob, or NULL and: */
        const void *data;       /* the bytes */
        const char *mount_from; /* another repository of this registry known to have it, or NULL */
};

enum rc_blob_pushed {
        RC_BLOB_EXISTED, /* the repository had it (HEAD) */
        RC_BLOB_MOUNTED, /* mounted from mount_from, nothing sent */
        RC_BLOB_SENT,    /* uploaded */
};

/* Upload progress: bytes of the blob sent so far. */
typedef void (*rc_upload_progress)(void *ctx, int64_t sent, int64_t total);

/* Make sure `repo` of the registry itself (never a mirror) has the blob:
 * HEAD, then a cross-repository mount when mount_from is set, else an
 * upload session (POST) finished by one PUT with the bytes, or for blobs
 * above RC_REGISTRY_CHUNK_SIZE by PATCH chunks and a closing PUT.  A
 * failed attempt is restarted from a new session with back-off. */
int rc_registry_put_blob(struct rc_registry *r, const char *repo, const struct rc_blob_upload *b,
                         rc_upload_progress progress, void *progress_ctx, enum rc_blob_pushed *how, rc_error **err);

/* PUT a manifest as `tag_or_digest` of `repo`; the registry's
 * Docker-Content-Digest, when sent, must equal the manifest's sha256. */
int rc_registry_put_manifest(struct rc_registry *r, const char *repo, const char *tag_or_digest, const char *body,
                             size_t len, const char *media_type, rc_error **err);

/* ---- Credentials (auth.json) ---------------------------------------- */

/* Look up credentials for `key`: a registry ("quay.io", "localhost:5000")
 * or a repository ("quay.io/org/app"), which also matches entries for its
 * parent namespaces and its registry, most specific first.  Files: `path`
 * if non-NULL; else $REGISTRY_AUTH_FILE, $XDG_RUNTIME_DIR/containers/auth.json,
 * $XDG_CONFIG_HOME/containers/auth.json (~/.config/...), $DOCKER_CONFIG/config.json
 * (~/.docker/config.json); the first file with a matching entry wins.
 * Entry keys may be legacy URLs ("https://index.docker.io/v1/").  Missing
 * files are skipped; a malformed file is an error naming it.  Returns 1 and
 * sets *user and *password (free with rc_secret_free), or 0 when nothing
 * matched. */
int rc_authfile_lookup(const char *path, const char *key, char **user, char **password, rc_error **err);

/* The file rc login writes: $REGISTRY_AUTH_FILE, else
 * $XDG_RUNTIME_DIR/containers/auth.json.  Fails if neither is set. */
int rc_authfile_default_path(char **out, rc_error **err);

/* Store credentials for `key` (rc login): other entries and fields are
 * kept; the file is replaced atomically with mode 0600 (its directory is
 * created 0700).  path NULL: rc_authfile_default_path. */
int rc_authfile_store(const char *path, const char *key, const char *user, const char *password, rc_error **err);

/* Remove the entry for `key`, or every entry when key is NULL (rc logout
 * [--all]).  Returns 1 when removed, 0 when there was none. */
int rc_authfile_remove(const char *path, const char *key, rc_error **err);

/* Wipe and free a secret string (NULL is fine). */
void rc_secret_free(char *s);
void rc_secret_freep(char **s);
#define cleanup_secret __attribute__((cleanup(rc_secret_freep)))

/* ---- Pieces exposed for unit tests ----------------------------------- */

struct rc_auth_param {
        char *name;  /* lowercase */
        char *value; /* unquoted, escapes resolved */
};

struct rc_auth_challenge {
        char *scheme;   /* lowercase: "bearer", "basic" */
        char *token68;  /* a bare token after the scheme, or NULL */
        struct rc_auth_param *params;
        size_t n_params;
};

/* Parse a WWW-Authenticate header value (RFC 7235): one or more challenges
 * separated by commas, each a scheme followed by a token68 or by
 * name=value parameters (value a token or a quoted string with \ escapes).
 * Errors give the byte offset. */
int rc_www_authenticate_parse(const char *header, struct rc_auth_challenge **out, size_t *n, rc_error **err);
/* A parameter's value by case-insensitive name, or NULL. */
const char *rc_auth_challenge_param(const struct rc_auth_challenge *c, const char *name);
void rc_auth_challenges_free(struct rc_auth_challenge *c, size_t n);

/* "repository:REPO:ACTIONS", e.g. actions "pull" or "pull,push". */
char *rc_registry_scope(const char *repo, const char *actions);

/* The token request URL: realm plus service and scope query parameters
 * (percent-encoded; '&' if realm already has a query).  service and scope
 * may be NULL.  Fails on a realm that is not an http(s) URL. */
int rc_token_url(const char *realm, const char *service, const char *scope, char **out, rc_error **err);

/* True if a and b are absolute URLs with the same scheme, host and port
 * (default ports filled in).  Authorization headers travel only between
 * such URLs. */
bool rc_url_same_origin(const char *a, const char *b);

#endif
