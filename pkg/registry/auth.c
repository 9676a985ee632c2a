/* Registry authentication: WWW-Authenticate parsing, the bearer token flow
 * (anonymous or with credentials) and Basic auth.  Tokens and passwords are
 * secrets: never logged, never put in errors, wiped when freed. */
#include "dl/crypto.h"
#include "registry/internal.h"

#include <ctype.h>
#include <json-c/json.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/log.h"
#include "util/xalloc.h"

#define HEADER_MAX 8192
#define PARAMS_MAX 64
#define CHALLENGES_MAX 16

void rc_secret_free(char *s)
{
        if (s == NULL)
                return;
        explicit_bzero(s, strlen(s));
        free(s);
}

void rc_secret_freep(char **s)
{
        rc_secret_free(*s);
        *s = NULL;
}

/* ---- WWW-Authenticate ------------------------------------------------ */

static bool is_tchar(char c)
{
        return isalnum((unsigned char)c) || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static bool is_t68char(char c)
{
        return isalnum((unsigned char)c) || (c != '\0' && strchr("-._~+/", c) != NULL);
}

static size_t skip_ows(const char *s, size_t i)
{
        while (s[i] == ' ' || s[i] == '\t')
                i++;
        return i;
}

static char *lower_dup(const char *s, size_t n)
{
        char *d = xstrndup(s, n);
        for (char *p = d; *p; p++)
                *p = (char)tolower((unsigned char)*p);
        return d;
}

/* Does an auth-param ("name = value") start at i? */
static bool param_at(const char *s, size_t i)
{
        size_t j = i;

        while (is_tchar(s[j]))
                j++;
        if (j == i)
                return false;
        j = skip_ows(s, j);
        if (s[j] != '=')
                return false;
        j = skip_ows(s, j + 1);
        return s[j] == '"' || is_tchar(s[j]);
}

/* Parse a quoted string at s[i] == '"'; returns the index after it, or 0. */
static size_t parse_quoted(const char *s, size_t i, char **out)
{
        char *buf = xmalloc(strlen(s + i) + 1);
        size_t n = 0;

        for (i++; s[i] != '"'; i++) {
                if (s[i] == '\0' || (unsigned char)s[i] < 0x20 || s[i] == 0x7f)
                        goto bad;
                if (s[i] == '\\') {
                        i++;
                        if (s[i] == '\0' || (unsigned char)s[i] < 0x20)
                                goto bad;
                }
                buf[n++] = s[i];
        }
        buf[n] = '\0';
        *out = buf;
        return i + 1;
bad:
        free(buf);
        return 0;
}

void rc_auth_challenges_free(struct rc_auth_challenge *c, size_t n)
{
        if (c == NULL)
                return;
        for (size_t i = 0; i < n; i++) {
                free(c[i].scheme);
                rc_secret_free(c[i].token68);
                for (size_t k = 0; k < c[i].n_params; k++) {
                        free(c[i].params[k].name);
                        free(c[i].params[k].value);
                }
                free(c[i].params);
        }
        free(c);
}

int rc_www_authenticate_parse(const char *s, struct rc_auth_challenge **out, size_t *n_out, rc_error **err)
{
        struct rc_auth_challenge *cs = NULL, *c = NULL;
        size_t n = 0, i = 0;

        if (s == NULL || strlen(s) > HEADER_MAX)
                return rc_error_set(err, 0, "WWW-Authenticate: missing or longer than %d bytes", HEADER_MAX);
        for (;;) {
                size_t start;

                /* Separators and empty list elements between items. */
                while (s[i] == ' ' || s[i] == '\t' || s[i] == ',')
                        i++;
                if (s[i] == '\0')
                        break;
                if (c != NULL && param_at(s, i)) {
                        struct rc_auth_param *p;
                        if (c->token68 != NULL || c->n_params >= PARAMS_MAX)
                                goto bad;
                        c->params = xrealloc(c->params, (c->n_params + 1) * sizeof(*c->params));
                        p = &c->params[c->n_params];
                        start = i;
                        while (is_tchar(s[i]))
                                i++;
                        p->name = lower_dup(s + start, i - start);
                        i = skip_ows(s, skip_ows(s, i) + 1); /* past '=' */
                        if (s[i] == '"') {
                                size_t end = parse_quoted(s, i, &p->value);
                                if (end == 0) {
                                        free(p->name);
                                        goto bad;
                                }
                                i = end;
                        } else {
                                start = i;
                                while (is_tchar(s[i]))
                                        i++;
                                p->value = xstrndup(s + start, i - start);
                        }
                        c->n_params++;
                } else {
                        /* A new challenge: scheme [ token68 | params ]. */
                        start = i;
                        while (is_tchar(s[i]))
                                i++;
                        if (i == start || n >= CHALLENGES_MAX)
                                goto bad;
                        cs = xrealloc(cs, (n + 1) * sizeof(*cs));
                        c = &cs[n++];
                        memset(c, 0, sizeof(*c));
                        c->scheme = lower_dup(s + start, i - start);
                        if (s[i] != ' ' && s[i] != '\t' && s[i] != ',' && s[i] != '\0')
                                goto bad;
                        i = skip_ows(s, i);
                        if (param_at(s, i))
                                continue; /* its first parameter */
                        if (is_t68char(s[i])) {
                                start = i;
                                while (is_t68char(s[i]))
                                        i++;
                                while (s[i] == '=')
                                        i++;
                                c->token68 = xstrndup(s + start, i - start);
                        }
                }
                i = skip_ows(s, i);
                if (s[i] != ',' && s[i] != '\0')
                        goto bad;
        }
        if (n == 0)
                return rc_error_set(err, 0, "WWW-Authenticate: no challenge");
        *out = cs;
        *n_out = n;
        return 0;
bad:
        rc_auth_challenges_free(cs, n);
        return rc_error_set(err, 0, "WWW-Authenticate: malformed at byte %zu", i);
}

const char *rc_auth_challenge_param(const struct rc_auth_challenge *c, const char *name)
{
        for (size_t i = 0; i < c->n_params; i++)
                if (strcasecmp(c->params[i].name, name) == 0)
                        return c->params[i].value;
        return NULL;
}

/* ---- scopes and token URLs -------------------------------------------- */

char *rc_registry_scope(const char *repo, const char *actions)
{
        return xasprintf("repository:%s:%s", repo, actions);
}

static char *escape(const char *s)
{
        char *e = curl_easy_escape(NULL, s, 0), *copy;

        if (e == NULL)
                abort();
        copy = xstrdup(e);
        curl_free(e);
        return copy;
}

/* "scope=A&scope=B" for a space-separated list of scopes (a push that
 * mounts a blob from another repository asks for both). */
static char *scope_params(const char *scope)
{
        cleanup_free char *copy = xstrdup(scope);
        char *out = xstrdup(""), *save = NULL;

        for (char *one = strtok_r(copy, " ", &save); one; one = strtok_r(NULL, " ", &save)) {
                cleanup_free char *e = escape(one);
                char *next = xasprintf("%s%sscope=%s", out, out[0] ? "&" : "", e);
                free(out);
                out = next;
        }
        return out;
}

int rc_token_url(const char *realm, const char *service, const char *scope, char **out, rc_error **err)
{
        cleanup_free char *sv = NULL, *sc = NULL;
        char sep = strchr(realm, '?') ? '&' : '?';
        CURLU *u;
        bool ok;

        if (rc_dl_curl(err) < 0)
                return -1;
        sv = service ? escape(service) : NULL;
        sc = scope ? scope_params(scope) : NULL;
        if (strncasecmp(realm, "https://", 8) != 0 && strncasecmp(realm, "http://", 7) != 0)
                return rc_error_set(err, 0, "token realm \"%.200s\" is not an http(s) URL", realm);
        if (strpbrk(realm, " \t\r\n#") != NULL)
                return rc_error_set(err, 0, "token realm \"%.200s\" is not a valid URL", realm);
        u = curl_url();
        if (u == NULL)
                abort();
        ok = curl_url_set(u, CURLUPART_URL, realm, 0) == CURLUE_OK;
        curl_url_cleanup(u);
        if (!ok)
                return rc_error_set(err, 0, "token realm \"%.200s\" is not a valid URL", realm);
        bool has_scope = sc != NULL && sc[0] != '\0';
        if (sv && has_scope)
                *out = xasprintf("%s%cservice=%s&%s", realm, sep, sv, sc);
        else if (sv)
                *out = xasprintf("%s%cservice=%s", realm, sep, sv);
        else if (has_scope)
                *out = xasprintf("%s%c%s", realm, sep, sc);
        else
                *out = xstrdup(realm);
        return 0;
}

/* ---- credentials ------------------------------------------------------ */

int rc_reg_credentials(struct rc_registry *r, struct rc_endpoint *ep, const char *repo, char **user, char **pass,
                       rc_error **err)
{
        cleanup_free char *key = NULL;
        int rc;

        if (!ep->mirror && r->username != NULL) {
                *user = xstrdup(r->username);
                *pass = xstrdup(r->password);
                return 1;
        }
        key = repo ? xasprintf("%s/%s%s", ep->cred_key, ep->prefix, repo) : xstrdup(ep->cred_key);
        rc = rc_authfile_lookup(r->auth_file, key, user, pass, err);
        if (rc < 0)
                return rc_error_wrap(err, "credentials for %s", ep->cred_key);
        return rc;
}

static char *basic_header(const char *user, const char *pass)
{
        cleanup_secret char *plain = xasprintf("%s:%s", user, pass);
        size_t n = strlen(plain);
        cleanup_secret char *b64 = xmalloc(4 * ((n + 2) / 3) + 1);

        EVP_EncodeBlock((unsigned char *)b64, (const unsigned char *)plain, (int)n);
        return xasprintf("Authorization: Basic %s", b64);
}

/* ---- tokens ----------------------------------------------------------- */

void rc_reg_endpoint_clear_auth(struct rc_endpoint *ep)
{
        for (size_t i = 0; i < ep->n_tokens; i++) {
                free(ep->tokens[i].scope);
                rc_secret_free(ep->tokens[i].value);
        }
        free(ep->tokens);
        ep->tokens = NULL;
        ep->n_tokens = 0;
        free(ep->realm);
        free(ep->service);
        ep->realm = ep->service = NULL;
}

static struct rc_token *find_token(struct rc_endpoint *ep, const char *scope)
{
        for (size_t i = 0; i < ep->n_tokens; i++)
                if (strcmp(ep->tokens[i].scope, scope ? scope : "") == 0)
                        return &ep->tokens[i];
        return NULL;
}

static bool loopback_host(const char *hostport)
{
        if (strncmp(hostport, "[::1]", 5) == 0)
                return hostport[5] == '\0' || hostport[5] == ':';
        if (strncmp(hostport, "127.", 4) == 0)
                return true;
        return strncasecmp(hostport, "localhost", 9) == 0 && (hostport[9] == '\0' || hostport[9] == ':');
}

/* A token goes into a header line: printable ASCII without spaces only. */
static bool token_ok(const char *t)
{
        if (t == NULL || t[0] == '\0')
                return false;
        for (; *t; t++)
                if ((unsigned char)*t <= 0x20 || (unsigned char)*t >= 0x7f)
                        return false;
        return true;
}

static int parse_token(const struct rc_http_resp *resp, char **token, long *expires_in)
{
        json_object *doc = json_tokener_parse(resp->body ? resp->body : ""), *v;
        const char *t = NULL;

        if (doc == NULL)
                return -1;
        if (json_object_is_type(doc, json_type_object)) {
                if (json_object_object_get_ex(doc, "token", &v) && json_object_is_type(v, json_type_string))
                        t = json_object_get_string(v);
                if ((t == NULL || t[0] == '\0') && json_object_object_get_ex(doc, "access_token", &v) &&
                    json_object_is_type(v, json_type_string))
                        t = json_object_get_string(v);
                *expires_in = 60;
                if (json_object_object_get_ex(doc, "expires_in", &v) && json_object_is_type(v, json_type_int)) {
                        int64_t e = json_object_get_int64(v);
                        /* As docker: anything under a minute counts as a minute. */
                        *expires_in = e < 60 ? 60 : e > 86400 ? 86400 : (long)e;
                }
        }
        if (!token_ok(t)) {
                json_object_put(doc);
                return -1;
        }
        *token = xstrdup(t);
        /* Wipe json-c's copy of the token. */
        explicit_bzero((char *)t, strlen(t));
        json_object_put(doc);
        return 0;
}

static int fetch_token(struct rc_registry *r, struct rc_endpoint *ep, const char *repo, const char *scope,
                       rc_error **err)
{
        const char *name = rc_reg_login_name(r, ep);
        cleanup_free char *url = NULL, *realm_host = NULL;
        cleanup_secret char *user = NULL, *pass = NULL, *auth = NULL, *token = NULL;
        struct rc_http_resp resp = { .retry_after = -1 };
        struct rc_token *t;
        long expires_in = 60;
        int have;

        if (rc_token_url(ep->realm, ep->service, scope, &url, err) < 0)
                return rc_error_wrap(err, "%s", name);
        realm_host = rc_url_hostport(url);
        have = rc_reg_credentials(r, ep, repo, &user, &pass, err);
        if (have < 0)
                return -1;
        if (have > 0) {
                if (strncasecmp(url, "http://", 7) == 0 && !ep->insecure && !loopback_host(realm_host))
                        return rc_error_set(err, 0,
                                            "%s: refusing to send credentials to the token server %s over "
                                            "plain http; mark the registry insecure if you trust the network",
                                            name, realm_host);
                auth = basic_header(user, pass);
        }
        if (rc_reg_fetch(r, NULL, url, url, auth, "application/json", RC_REGISTRY_TOKEN_MAX, &resp, err) < 0)
                return rc_error_wrap(err, "%s: token request", name);
        if (resp.status == 401 || resp.status == 403) {
                rc_http_resp_free(&resp);
                if (have > 0)
                        return rc_error_set(err, 0, "%s: invalid username or password (token server %s "
                                            "refused them): run rc login %s",
                                            name, realm_host, name);
                return rc_error_set(err, 0, "authentication required for %s: run rc login %s", name, name);
        }
        if (resp.status != 200) {
                long s = resp.status;
                rc_http_resp_free(&resp);
                return rc_error_set(err, 0, "%s: token server %s answered HTTP %ld", name, realm_host, s);
        }
        if (parse_token(&resp, &token, &expires_in) < 0) {
                if (resp.body)
                        explicit_bzero(resp.body, resp.len);
                rc_http_resp_free(&resp);
                return rc_error_set(err, 0, "%s: token server %s sent no usable token", name, realm_host);
        }
        explicit_bzero(resp.body, resp.len);
        rc_http_resp_free(&resp);
        t = find_token(ep, scope);
        if (t == NULL) {
                ep->tokens = xrealloc(ep->tokens, (ep->n_tokens + 1) * sizeof(*ep->tokens));
                t = &ep->tokens[ep->n_tokens++];
                t->scope = xstrdup(scope ? scope : "");
                t->value = NULL;
        }
        rc_secret_free(t->value);
        t->value = steal_pointer(&token);
        t->expires = time(NULL) + expires_in;
        rc_debug("%s: got a token for scope \"%s\" (%s credentials, valid %ld s)", name, scope ? scope : "",
                 have > 0 ? "with" : "without", expires_in);
        return 0;
}

int rc_reg_auth_header(struct rc_registry *r, struct rc_endpoint *ep, const char *repo, const char *scope,
                       char **out, rc_error **err)
{
        cleanup_secret char *user = NULL, *pass = NULL;
        struct rc_token *t;
        int have;

        *out = NULL;
        switch (ep->auth) {
        case RC_AUTH_BEARER:
                t = find_token(ep, scope);
                /* Renew a little early so a token never expires mid-request. */
                if (t == NULL || time(NULL) + 10 >= t->expires) {
                        if (fetch_token(r, ep, repo, scope, err) < 0)
                                return -1;
                        t = find_token(ep, scope);
                }
                *out = xasprintf("Authorization: Bearer %s", t->value);
                return 0;
        case RC_AUTH_BASIC:
                have = rc_reg_credentials(r, ep, repo, &user, &pass, err);
                if (have < 0)
                        return -1;
                if (have > 0)
                        *out = basic_header(user, pass);
                return 0;
        default:
                return 0;
        }
}

int rc_reg_authenticate(struct rc_registry *r, struct rc_endpoint *ep, const char *repo, const char *scope,
                        char **challenges, bool had_auth, rc_error **err)
{
        const char *name = rc_reg_login_name(r, ep);
        struct rc_auth_challenge *bearer = NULL, *basic = NULL;
        struct rc_auth_challenge *all[CHALLENGES_MAX];
        size_t counts[CHALLENGES_MAX], n_headers = 0;
        cleanup_secret char *user = NULL, *pass = NULL;
        int rc = 0, have;

        for (char **h = challenges; h && *h && n_headers < CHALLENGES_MAX; h++) {
                rc_error *e = NULL;
                if (rc_www_authenticate_parse(*h, &all[n_headers], &counts[n_headers], &e) < 0) {
                        rc_debug("%s: ignoring a WWW-Authenticate header: %s", name, e->msg);
                        rc_error_free(e);
                        continue;
                }
                for (size_t i = 0; i < counts[n_headers]; i++) {
                        if (strcmp(all[n_headers][i].scheme, "bearer") == 0 && bearer == NULL)
                                bearer = &all[n_headers][i];
                        else if (strcmp(all[n_headers][i].scheme, "basic") == 0 && basic == NULL)
                                basic = &all[n_headers][i];
                }
                n_headers++;
        }

        if (bearer != NULL) {
                const char *realm = rc_auth_challenge_param(bearer, "realm");
                const char *service = rc_auth_challenge_param(bearer, "service");
                if (realm == NULL) {
                        rc = rc_error_set(err, 0, "%s asks for a bearer token but names no token server (realm)",
                                          name);
                        goto out;
                }
                rc_reg_endpoint_clear_auth(ep);
                ep->auth = RC_AUTH_BEARER;
                ep->realm = xstrdup(realm);
                ep->service = service ? xstrdup(service) : NULL;
                rc = fetch_token(r, ep, repo, scope, err);
        } else if (basic != NULL) {
                have = rc_reg_credentials(r, ep, repo, &user, &pass, err);
                if (have < 0) {
                        rc = -1;
                } else if (have == 0) {
                        rc = rc_error_set(err, 0, "authentication required for %s: run rc login %s", name, name);
                } else if (had_auth && ep->auth == RC_AUTH_BASIC) {
                        rc = rc_error_set(err, 0, "%s: invalid username or password: run rc login %s", name,
                                          name);
                } else {
                        ep->auth = RC_AUTH_BASIC;
                }
        } else {
                rc = rc_error_set(err, 0, "%s requires authentication of a kind rc does not support%s%s", name,
                                  challenges && challenges[0] ? ": " : "",
                                  challenges && challenges[0] ? "no Bearer or Basic challenge" : "");
        }
out:
        for (size_t i = 0; i < n_headers; i++)
                rc_auth_challenges_free(all[i], counts[i]);
        return rc;
}
