/* Registry handles and their endpoints (mirrors, then the registry), and
 * TLS material from podman's certs.d directories. */
#include "registry/internal.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/fs.h"
#include "util/log.h"
#include "util/xalloc.h"

#define CERT_FILE_MAX (1024 * 1024)

/* ---- endpoints ------------------------------------------------------- */

bool rc_reg_host_insecure(const struct rc_registry *r, const char *host)
{
        if (r->skip_tls_verify)
                return true;
        for (char **p = r->insecure; p && *p; p++) {
                size_t n = strlen(*p);
                if (strcasecmp(*p, host) == 0)
                        return true;
                /* "host" without a port covers every port of that host. */
                if (strchr(*p, ':') == NULL && strncasecmp(*p, host, n) == 0 && host[n] == ':')
                        return true;
        }
        return false;
}

static void endpoint_init(struct rc_registry *r, struct rc_endpoint *ep, const char *scheme, const char *host,
                          const char *prefix, bool mirror)
{
        ep->scheme = xstrdup(scheme);
        ep->host = xstrdup(host);
        ep->base = xasprintf("%s://%s", scheme, host);
        ep->prefix = xstrdup(prefix);
        ep->mirror = mirror;
        ep->insecure = rc_reg_host_insecure(r, host);
        /* An explicit http:// mirror is what the user asked for. */
        ep->scheme_known = strcmp(scheme, "http") == 0;
        if (strcasecmp(host, "registry-1.docker.io") == 0 || strcasecmp(host, "index.docker.io") == 0) {
                ep->cred_key = xstrdup("docker.io");
                ep->certs_alias = xstrdup("docker.io");
        } else {
                ep->cred_key = xstrdup(host);
        }
}

static int parse_mirror(struct rc_registry *r, const char *m, struct rc_endpoint *ep, rc_error **err)
{
        const char *scheme = "https", *rest = m, *slash;
        cleanup_free char *host = NULL, *prefix = NULL;
        size_t plen;

        if (strncmp(m, "https://", 8) == 0) {
                rest = m + 8;
        } else if (strncmp(m, "http://", 7) == 0) {
                scheme = "http";
                rest = m + 7;
        } else if (strstr(m, "://") != NULL) {
                return rc_error_set(err, 0, "mirror \"%s\": only http:// and https:// are supported", m);
        }
        slash = strchr(rest, '/');
        host = slash ? xstrndup(rest, (size_t)(slash - rest)) : xstrdup(rest);
        if (host[0] == '\0' || strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") !=
                                       strlen(host))
                return rc_error_set(err, 0, "mirror \"%s\": bad host; expected host[:port][/prefix]", m);
        slash = slash ? slash + strspn(slash, "/") : "";
        plen = strlen(slash);
        while (plen > 0 && slash[plen - 1] == '/')
                plen--;
        prefix = plen ? xasprintf("%.*s/", (int)plen, slash) : xstrdup("");
        endpoint_init(r, ep, scheme, host, prefix, true);
        return 0;
}

static void endpoint_free(struct rc_endpoint *ep)
{
        rc_reg_endpoint_clear_auth(ep);
        free(ep->scheme);
        free(ep->host);
        free(ep->base);
        free(ep->prefix);
        free(ep->cred_key);
        free(ep->certs_alias);
}

int rc_registry_open(const char *domain, const struct rc_registry_opts *opts, struct rc_registry **out,
                     rc_error **err)
{
        static const struct rc_registry_opts defaults = { 0 };
        struct rc_registry *r;
        const char *home = getenv("HOME");
        size_t n_mirrors;

        if (opts == NULL)
                opts = &defaults;
        if (domain == NULL || domain[0] == '\0' || strpbrk(domain, "/ \t\r\n@?#") != NULL)
                return rc_error_set(err, 0, "registry \"%s\": not a registry host[:port]", domain ? domain : "");
        if (rc_dl_curl(err) < 0 || rc_dl_crypto(err) < 0)
                return rc_error_wrap(err, "registry %s", domain);
        r = xcalloc(1, sizeof(*r));
        r->domain = xstrdup(domain);
        r->skip_tls_verify = opts->skip_tls_verify;
        r->insecure = strv_dup(opts->insecure);
        r->auth_file = opts->auth_file ? xstrdup(opts->auth_file) : NULL;
        if (opts->username != NULL && opts->password != NULL) {
                r->username = xstrdup(opts->username);
                r->password = xstrdup(opts->password);
        }
        r->concurrency = opts->concurrency > 0 ? opts->concurrency : RC_REGISTRY_DEFAULT_CONCURRENCY;
        if (r->concurrency > 32)
                r->concurrency = 32;
        r->max_tries = opts->max_tries > 0 ? opts->max_tries : RC_REGISTRY_DEFAULT_TRIES;
        r->backoff_ms = opts->backoff_ms > 0 ? opts->backoff_ms : 500;
        if (opts->certs_dirs != NULL) {
                r->certs_dirs = strv_dup((char *const *)opts->certs_dirs);
        } else {
                const char *xdg = getenv("XDG_CONFIG_HOME");
                cleanup_free char *user_dir = NULL;
                if (xdg != NULL && xdg[0] == '/')
                        user_dir = xasprintf("%s/containers/certs.d", xdg);
                else if (home != NULL && home[0] == '/')
                        user_dir = xasprintf("%s/.config/containers/certs.d", home);
                r->certs_dirs = xcalloc(1, sizeof(char *));
                if (user_dir != NULL)
                        strv_push(&r->certs_dirs, user_dir);
                strv_push(&r->certs_dirs, "/etc/containers/certs.d");
        }

        n_mirrors = strv_len(opts->mirrors);
        r->eps = xcalloc(n_mirrors + 1, sizeof(*r->eps));
        for (size_t i = 0; i < n_mirrors; i++) {
                if (parse_mirror(r, opts->mirrors[i], &r->eps[r->n_eps], err) < 0) {
                        rc_registry_close(r);
                        return rc_error_wrap(err, "registry %s", domain);
                }
                r->n_eps++;
        }
        endpoint_init(r, &r->eps[r->n_eps++], "https",
                      strcmp(domain, "docker.io") == 0 ? "registry-1.docker.io" : domain, "", false);

        r->easy = curl_easy_init();
        r->share = curl_share_init();
        if (r->easy == NULL || r->share == NULL)
                abort();
        curl_share_setopt(r->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
        curl_share_setopt(r->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
        {
                char *ca = NULL;
                if (curl_easy_getinfo(r->easy, CURLINFO_CAINFO, &ca) == CURLE_OK && ca != NULL)
                        r->system_ca = xstrdup(ca);
        }
        *out = r;
        return 0;
}

void rc_registry_close(struct rc_registry *r)
{
        if (r == NULL)
                return;
        for (size_t i = 0; i < r->n_eps; i++)
                endpoint_free(&r->eps[i]);
        free(r->eps);
        for (size_t i = 0; i < r->n_tls; i++) {
                free(r->tls[i].host);
                free(r->tls[i].ca_pem);
                free(r->tls[i].cert);
                free(r->tls[i].key);
        }
        free(r->tls);
        if (r->easy)
                curl_easy_cleanup(r->easy);
        if (r->share)
                curl_share_cleanup(r->share);
        free(r->domain);
        strv_free(r->insecure);
        strv_free(r->certs_dirs);
        free(r->auth_file);
        free(r->system_ca);
        rc_secret_free(r->username);
        rc_secret_free(r->password);
        free(r);
}

void rc_registry_closep(struct rc_registry **r)
{
        rc_registry_close(*r);
        *r = NULL;
}

const char *rc_reg_login_name(const struct rc_registry *r, const struct rc_endpoint *ep)
{
        return ep->mirror ? ep->host : r->domain;
}

/* ---- TLS material from certs.d (podman's layout) --------------------- */

static void append_file(char **buf, size_t *len, const char *path)
{
        cleanup_free char *data = NULL;
        size_t n = 0;
        rc_error *e = NULL;

        if (rc_read_file(path, &data, &n, &e) < 0 || n > CERT_FILE_MAX) {
                rc_debug("certs.d: skipping %s: %s", path, e ? e->msg : "too large");
                rc_error_free(e);
                return;
        }
        *buf = xrealloc(*buf, *len + n + 2);
        memcpy(*buf + *len, data, n);
        *len += n;
        (*buf)[(*len)++] = '\n';
        (*buf)[*len] = '\0';
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

static void load_certs_dir(struct rc_tls_host *t, const char *dir, char ***crts)
{
        cleanup_closedir DIR *d = opendir(dir);
        struct dirent *de;

        if (d == NULL)
                return;
        while ((de = readdir(d)) != NULL) {
                size_t n = strlen(de->d_name);
                cleanup_free char *path = xasprintf("%s/%s", dir, de->d_name);
                if (n > 4 && strcmp(de->d_name + n - 4, ".crt") == 0) {
                        strv_push(crts, path);
                } else if (n > 5 && strcmp(de->d_name + n - 5, ".cert") == 0 && t->cert == NULL) {
                        cleanup_free char *key = xasprintf("%s/%.*s.key", dir, (int)(n - 5), de->d_name);
                        if (rc_path_exists(key) > 0) {
                                t->cert = steal_pointer(&path);
                                t->key = steal_pointer(&key);
                        } else {
                                rc_debug("certs.d: %s has no matching .key; ignored", path);
                        }
                }
        }
}

struct rc_tls_host *rc_reg_tls_for_host(struct rc_registry *r, const char *host, const char *alias)
{
        struct rc_tls_host *t;
        cleanup_strv char **crts = xcalloc(1, sizeof(char *));
        size_t n_crts;

        for (size_t i = 0; i < r->n_tls; i++)
                if (strcasecmp(r->tls[i].host, host) == 0)
                        return &r->tls[i];
        r->tls = xrealloc(r->tls, (r->n_tls + 1) * sizeof(*r->tls));
        t = &r->tls[r->n_tls++];
        memset(t, 0, sizeof(*t));
        t->host = xstrdup(host);
        for (char **d = r->certs_dirs; d && *d; d++) {
                const char *names[] = { host, alias };
                for (size_t k = 0; k < 2 && names[k]; k++) {
                        cleanup_free char *dir = xasprintf("%s/%s", *d, names[k]);
                        load_certs_dir(t, dir, &crts);
                }
        }
        n_crts = strv_len(crts);
        if (n_crts > 0) {
                /* Keep the system roots: a CA blob may replace curl's default file. */
                if (r->system_ca != NULL)
                        append_file(&t->ca_pem, &t->ca_len, r->system_ca);
                qsort(crts, n_crts, sizeof(char *), cmp_str);
                for (size_t i = 0; i < n_crts; i++) {
                        rc_debug("certs.d: CA %s for %s", crts[i], host);
                        append_file(&t->ca_pem, &t->ca_len, crts[i]);
                }
        }
        return t;
}
