/* Manifests: fetch by tag or digest (mirrors first), verify, and resolve
 * an index or manifest list to one platform. */
#include "registry/internal.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/xalloc.h"

#define MANIFEST_ACCEPT                                                                                           \
        RC_MEDIA_OCI_MANIFEST ", " RC_MEDIA_OCI_INDEX ", " RC_MEDIA_DOCKER_MANIFEST ", " RC_MEDIA_DOCKER_LIST

static bool known_type(const char *t)
{
        return t != NULL && (strcmp(t, RC_MEDIA_OCI_MANIFEST) == 0 || strcmp(t, RC_MEDIA_OCI_INDEX) == 0 ||
                             strcmp(t, RC_MEDIA_DOCKER_MANIFEST) == 0 || strcmp(t, RC_MEDIA_DOCKER_LIST) == 0);
}

static bool is_index_type(const char *t)
{
        return strcmp(t, RC_MEDIA_OCI_INDEX) == 0 || strcmp(t, RC_MEDIA_DOCKER_LIST) == 0;
}

static bool schema1_type(const char *t)
{
        return t != NULL && strncmp(t, "application/vnd.docker.distribution.manifest.v1", 47) == 0;
}

/* The media type of a manifest served with a missing or generic Content-Type. */
static int sniff_type(const char *what, const char *body, size_t len, char **out, rc_error **err)
{
        json_tokener *tok = json_tokener_new();
        json_object *doc, *v;
        char *type = NULL;

        if (tok == NULL)
                abort();
        doc = json_tokener_parse_ex(tok, body, (int)len);
        json_tokener_free(tok);
        if (doc == NULL || !json_object_is_type(doc, json_type_object)) {
                if (doc)
                        json_object_put(doc);
                return rc_error_set(err, 0, "%s: the registry sent a manifest that is not a JSON object", what);
        }
        if (json_object_object_get_ex(doc, "mediaType", &v) && json_object_is_type(v, json_type_string))
                type = xstrdup(json_object_get_string(v));
        else if (json_object_object_get_ex(doc, "schemaVersion", &v) && json_object_get_int(v) == 1)
                type = xstrdup("application/vnd.docker.distribution.manifest.v1+json");
        else if (json_object_object_get_ex(doc, "manifests", &v))
                type = xstrdup(RC_MEDIA_OCI_INDEX);
        else
                type = xstrdup(RC_MEDIA_OCI_MANIFEST);
        json_object_put(doc);
        *out = type;
        return 0;
}

static bool tag_ok(const char *t)
{
        size_t n = strlen(t);

        if (n == 0 || n > 128 || t[0] == '.' || t[0] == '-')
                return false;
        return strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") == n;
}

static bool repo_ok(const char *repo)
{
        size_t n = strlen(repo);

        if (n == 0 || n > RC_REFERENCE_NAME_MAX || repo[0] == '/' || repo[n - 1] == '/' ||
            strstr(repo, "//") != NULL || strstr(repo, "..") != NULL)
                return false;
        return strspn(repo, "abcdefghijklmnopqrstuvwxyz0123456789._-/") == n;
}

/* One endpoint's answer: 1 on success, 0 on a clean "not there" (404), -1 on error. */
static int fetch_from(struct rc_registry *r, struct rc_endpoint *ep, const char *repo, const char *ref,
                      const char *what, const char *scope, char **body, size_t *len, char **media_type,
                      char digest[RC_DIGEST_LEN + 1], rc_error **err)
{
        struct rc_http_resp resp = { .retry_after = -1 };
        cleanup_free char *suffix = xasprintf("manifests/%s", ref), *type = NULL;
        char computed[RC_DIGEST_LEN + 1];
        bool by_digest = rc_digest_valid(ref);

        if (rc_reg_request(r, ep, repo, suffix, scope, MANIFEST_ACCEPT, RC_IMAGE_JSON_MAX, &resp, err) < 0)
                return rc_error_wrap(err, "%s", what);
        if (resp.status == 404) {
                cleanup_free char *msg = rc_reg_error_message(&resp);
                bool repo_unknown = msg != NULL && strncmp(msg, "NAME_UNKNOWN", 12) == 0;
                rc_http_resp_free(&resp);
                if (repo_unknown)
                        rc_error_set(err, 0, "%s: repository unknown (is the name right?)", what);
                else if (by_digest)
                        rc_error_set(err, 0, "%s: manifest unknown", what);
                else
                        rc_error_set(err, 0, "%s: manifest unknown (does the tag exist?)", what);
                return 0;
        }
        if (resp.status != 200) {
                rc_reg_status_error(r, ep, what, &resp, err);
                rc_http_resp_free(&resp);
                return -1;
        }
        if (resp.len == 0) {
                rc_http_resp_free(&resp);
                return rc_error_set(err, 0, "%s: the registry sent an empty manifest", what);
        }
        if (known_type(resp.content_type) || schema1_type(resp.content_type)) {
                type = xstrdup(resp.content_type);
        } else if (sniff_type(what, resp.body, resp.len, &type, err) < 0) {
                rc_http_resp_free(&resp);
                return -1;
        }
        if (schema1_type(type)) {
                rc_http_resp_free(&resp);
                return rc_error_set(err, 0, "%s: the registry only offers a Docker schema 1 manifest, which rc "
                                    "does not support; push the image again with a current tool", what);
        }
        if (!known_type(type)) {
                rc_http_resp_free(&resp);
                return rc_error_set(err, 0, "%s: unsupported manifest media type \"%.100s\"", what, type);
        }
        rc_sha256_digest(resp.body, resp.len, computed);
        if (by_digest && strcmp(computed, ref) != 0) {
                rc_http_resp_free(&resp);
                return rc_error_set(err, 0, "%s: the registry sent a manifest with digest %s instead; refusing it",
                                    what, computed);
        }
        if (resp.docker_digest != NULL && strcmp(resp.docker_digest, computed) != 0)
                rc_debug("%s: Docker-Content-Digest %.80s differs from the content's %s", what,
                         resp.docker_digest, computed);
        *body = steal_pointer(&resp.body);
        *len = resp.len;
        *media_type = steal_pointer(&type);
        memcpy(digest, computed, RC_DIGEST_LEN + 1);
        rc_http_resp_free(&resp);
        return 1;
}

int rc_registry_get_manifest(struct rc_registry *r, const char *repo, const char *tag_or_digest, char **body,
                             size_t *len, char **media_type, char digest[RC_DIGEST_LEN + 1], rc_error **err)
{
        cleanup_free char *what = NULL, *scope = NULL;
        bool by_digest;

        if (repo == NULL || !repo_ok(repo))
                return rc_error_set(err, 0, "%s/%s: not a valid repository name", r->domain, repo ? repo : "");
        by_digest = tag_or_digest != NULL && rc_digest_valid(tag_or_digest);
        if (tag_or_digest == NULL || (!by_digest && !tag_ok(tag_or_digest)))
                return rc_error_set(err, 0, "%s/%s: \"%s\" is neither a tag nor a sha256 digest", r->domain, repo,
                                    tag_or_digest ? tag_or_digest : "");
        what = xasprintf("%s/%s%c%s", r->domain, repo, by_digest ? '@' : ':', tag_or_digest);
        scope = rc_registry_scope(repo, "pull");
        cleanup_free char *mirror_failures = NULL;
        for (size_t i = 0; i < r->n_eps; i++) {
                struct rc_endpoint *ep = &r->eps[i];
                rc_error *e = NULL;
                int rc = fetch_from(r, ep, repo, tag_or_digest, what, scope, body, len, media_type, digest, &e);
                if (rc > 0) {
                        r->preferred = i;
                        /* a mirror that failed is worth knowing about even when the registry answered */
                        if (mirror_failures)
                                rc_warn("%s; used %s instead", mirror_failures, ep->mirror ? ep->host : r->domain);
                        return 0;
                }
                if (!ep->mirror) {
                        /* every endpoint tried, each with what went wrong */
                        if (mirror_failures && e)
                                rc_error_wrap(&e, "%s; then %s", mirror_failures, r->domain);
                        *err = e;
                        return -1;
                }
                {
                        char *more = xasprintf("%s%smirror %s: %s", mirror_failures ? mirror_failures : "",
                                               mirror_failures ? "; " : "", ep->host, e ? e->msg : "failed");
                        free(mirror_failures);
                        mirror_failures = more;
                }
                rc_debug("mirror %s: %s; trying the next endpoint", ep->host, e->msg);
                rc_error_free(e);
        }
        return rc_error_set(err, 0, "%s: no endpoint to try", what); /* not reached: the registry is last */
}

void rc_resolved_free(struct rc_resolved *res)
{
        if (res == NULL)
                return;
        rc_manifest_free(&res->manifest);
        free(res->manifest_json);
        free(res->media_type);
        memset(res, 0, sizeof(*res));
}

int rc_registry_resolve(struct rc_registry *r, const char *repo, const char *tag_or_digest, const char *os,
                        const char *arch, const char *variant, struct rc_resolved *out, rc_error **err)
{
        struct rc_resolved res = { 0 };
        cleanup_free char *body = NULL, *type = NULL;
        char digest[RC_DIGEST_LEN + 1];
        size_t len = 0;

        if (rc_registry_get_manifest(r, repo, tag_or_digest, &body, &len, &type, digest, err) < 0)
                return -1;
        if (is_index_type(type)) {
                struct rc_index idx = { 0 };
                const struct rc_descriptor *d = NULL;
                const char *hos, *harch, *hvariant;
                cleanup_free char *what = xasprintf("%s/%s@%s", r->domain, repo, digest);
                int rc;

                rc_platform_host(&hos, &harch, &hvariant);
                if (arch == NULL) {
                        arch = harch;
                        variant = variant ? variant : hvariant;
                }
                if (os == NULL)
                        os = hos;
                if (rc_index_parse(body, len, &idx, err) < 0)
                        return rc_error_wrap(err, "%s", what);
                if (rc_index_select(&idx, os, arch, variant, &d, err) < 0) {
                        rc_index_free(&idx);
                        return rc_error_wrap(err, "%s", what);
                }
                rc = rc_registry_get_manifest(r, repo, d->digest, &res.manifest_json, &res.manifest_len,
                                              &res.media_type, res.digest, err);
                if (rc == 0 && (int64_t)res.manifest_len != d->size)
                        rc = rc_error_set(err, 0, "%s/%s@%s: %zu bytes, but the index says %lld", r->domain, repo,
                                          d->digest, res.manifest_len, (long long)d->size);
                if (rc == 0 && is_index_type(res.media_type))
                        rc = rc_error_set(err, 0, "%s: the entry for %s/%s is another index; nested indexes "
                                          "are not supported", what, os, arch);
                rc_index_free(&idx);
                if (rc < 0) {
                        rc_resolved_free(&res);
                        return -1;
                }
                memcpy(res.index_digest, digest, sizeof(digest));
        } else {
                res.manifest_json = steal_pointer(&body);
                res.manifest_len = len;
                res.media_type = steal_pointer(&type);
                memcpy(res.digest, digest, sizeof(digest));
        }
        if (rc_manifest_parse(res.manifest_json, res.manifest_len, &res.manifest, err) < 0) {
                rc_error_wrap(err, "%s/%s@%s", r->domain, repo, res.digest);
                rc_resolved_free(&res);
                return -1;
        }
        *out = res;
        return 0;
}
