/* Credentials in auth.json files, compatible with podman and docker:
 * {"auths": {"quay.io": {"auth": base64("user:password")}, ...}}. */
#include "dl/crypto.h"
#include "registry/internal.h"

#include <errno.h>
#include <json-c/json.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/fs.h"
#include "util/log.h"
#include "util/xalloc.h"

#define AUTHFILE_MAX (4 * 1024 * 1024)

static void json_putp(json_object **o)
{
        if (*o)
                json_object_put(*o);
}
#define cleanup_json __attribute__((cleanup(json_putp)))

/* Strict base64 (standard alphabet; padding optional).  Returns the decoded
 * length, or -1. */
static long b64_decode(const char *in, unsigned char *out)
{
        static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        size_t n = strlen(in), pad = 0;
        unsigned long acc = 0;
        long o = 0;
        int bits = 0;

        while (n > 0 && in[n - 1] == '=' && pad < 2) {
                n--;
                pad++;
        }
        if (n % 4 == 1 || (pad > 0 && (n + pad) % 4 != 0))
                return -1;
        for (size_t i = 0; i < n; i++) {
                const char *p = in[i] ? strchr(alphabet, in[i]) : NULL;
                if (p == NULL)
                        return -1;
                acc = (acc << 6) | (unsigned long)(p - alphabet);
                bits += 6;
                if (bits >= 8) {
                        bits -= 8;
                        out[o++] = (unsigned char)((acc >> bits) & 0xff);
                }
        }
        /* Leftover bits must be zero in canonical encodings, but docker
         * never produces others; don't be stricter than it. */
        return o;
}

/* "https://index.docker.io/v1/" -> "docker.io"; "quay.io/org/" -> "quay.io/org". */
static char *normalize_key(const char *k)
{
        char *out;
        size_t n;

        if (strncasecmp(k, "https://", 8) == 0 || strncasecmp(k, "http://", 7) == 0) {
                const char *h = strstr(k, "://") + 3;
                out = xstrndup(h, strcspn(h, "/"));
        } else {
                out = xstrdup(k);
        }
        n = strlen(out);
        while (n > 0 && out[n - 1] == '/')
                out[--n] = '\0';
        static const char *const aliases[] = { "index.docker.io", "registry-1.docker.io" };
        for (size_t i = 0; i < 2; i++) {
                size_t a = strlen(aliases[i]);
                if (strncasecmp(out, aliases[i], a) == 0 && (out[a] == '\0' || out[a] == '/')) {
                        char *d = xasprintf("docker.io%s", out + a);
                        free(out);
                        return d;
                }
        }
        return out;
}

static int authfile_candidates(const char *explicit_path, char ***out, rc_error **err)
{
        const char *v;
        char **files = xcalloc(1, sizeof(char *));

        if (explicit_path != NULL) {
                strv_push(&files, explicit_path);
                *out = files;
                return 0;
        }
        if ((v = getenv("REGISTRY_AUTH_FILE")) != NULL && v[0] != '\0')
                strv_push(&files, v);
        if ((v = getenv("XDG_RUNTIME_DIR")) != NULL && v[0] == '/') {
                cleanup_free char *p = xasprintf("%s/containers/auth.json", v);
                strv_push(&files, p);
        }
        if ((v = getenv("XDG_CONFIG_HOME")) != NULL && v[0] == '/') {
                cleanup_free char *p = xasprintf("%s/containers/auth.json", v);
                strv_push(&files, p);
        } else if ((v = getenv("HOME")) != NULL && v[0] == '/') {
                cleanup_free char *p = xasprintf("%s/.config/containers/auth.json", v);
                strv_push(&files, p);
        }
        if ((v = getenv("DOCKER_CONFIG")) != NULL && v[0] == '/') {
                cleanup_free char *p = xasprintf("%s/config.json", v);
                strv_push(&files, p);
        } else if ((v = getenv("HOME")) != NULL && v[0] == '/') {
                cleanup_free char *p = xasprintf("%s/.docker/config.json", v);
                strv_push(&files, p);
        }
        (void)err;
        *out = files;
        return 0;
}

/* Read and parse an auth file; *out NULL when it does not exist. */
static int read_authfile(const char *path, json_object **out, rc_error **err)
{
        cleanup_secret char *data = NULL;
        size_t len = 0;
        json_tokener *tok;
        json_object *obj;
        rc_error *e = NULL;

        if (rc_read_file(path, &data, &len, &e) < 0) {
                if (rc_error_errno(e) == ENOENT || rc_error_errno(e) == ENOTDIR) {
                        rc_error_free(e);
                        *out = NULL;
                        return 0;
                }
                *err = e;
                return rc_error_wrap(err, "credentials file");
        }
        if (len > AUTHFILE_MAX)
                return rc_error_set(err, 0, "credentials file %s: larger than %d bytes", path, AUTHFILE_MAX);
        if (len == 0 || strspn(data, " \t\r\n") == len) {
                *out = NULL; /* an empty file has no entries */
                return 0;
        }
        tok = json_tokener_new();
        if (tok == NULL)
                abort();
        obj = json_tokener_parse_ex(tok, data, (int)len);
        json_tokener_free(tok);
        if (obj == NULL || !json_object_is_type(obj, json_type_object)) {
                if (obj)
                        json_object_put(obj);
                return rc_error_set(err, 0, "credentials file %s: not a JSON object; fix or remove it", path);
        }
        *out = obj;
        return 0;
}

static int decode_entry(const char *path, const char *key, json_object *entry, char **user, char **pass,
                        rc_error **err)
{
        json_object *auth;
        const char *b64, *colon;
        cleanup_secret char *plain = NULL;
        long n;

        if (!json_object_is_type(entry, json_type_object))
                return rc_error_set(err, 0, "credentials file %s: entry \"%s\" is not an object", path, key);
        if (!json_object_object_get_ex(entry, "auth", &auth) || !json_object_is_type(auth, json_type_string) ||
            json_object_get_string_len(auth) == 0) {
                if (json_object_object_get_ex(entry, "identitytoken", &auth))
                        rc_debug("credentials file %s: entry \"%s\" has only an identity token, which rc does "
                                 "not support; ignored",
                                 path, key);
                return 0;
        }
        b64 = json_object_get_string(auth);
        /* Zeroed: stays a C string for rc_secret_free even if decoding fails midway. */
        plain = xcalloc(1, strlen(b64) + 1);
        n = b64_decode(b64, (unsigned char *)plain);
        if (n < 0)
                return rc_error_set(err, 0, "credentials file %s: entry \"%s\": \"auth\" is not valid base64; "
                                    "run rc login %s again", path, key, key);
        plain[n] = '\0';
        colon = memchr(plain, ':', (size_t)n);
        if (colon == NULL || colon == plain || strlen(plain) != (size_t)n)
                return rc_error_set(err, 0, "credentials file %s: entry \"%s\": \"auth\" is not "
                                    "base64(user:password); run rc login %s again", path, key, key);
        *user = xstrndup(plain, (size_t)(colon - plain));
        *pass = xstrdup(colon + 1);
        return 1;
}

static int lookup_file(const char *path, const char *key, char **user, char **pass, rc_error **err)
{
        cleanup_json json_object *doc = NULL;
        cleanup_free char *want = normalize_key(key);
        json_object *auths;
        size_t n;

        if (read_authfile(path, &doc, err) < 0)
                return -1;
        if (doc == NULL)
                return 0;
        if (!json_object_object_get_ex(doc, "auths", &auths) || auths == NULL)
                return 0;
        if (!json_object_is_type(auths, json_type_object))
                return rc_error_set(err, 0, "credentials file %s: \"auths\" is not an object", path);
        /* Most specific first: host/ns/repo, host/ns, host. */
        for (n = strlen(want); n > 0;) {
                json_object_object_foreach(auths, k, v)
                {
                        cleanup_free char *nk = normalize_key(k);
                        if (strlen(nk) == n && strncmp(nk, want, n) == 0) {
                                int rc = decode_entry(path, k, v, user, pass, err);
                                if (rc != 0) {
                                        if (rc > 0)
                                                rc_debug("credentials for %s from %s", nk, path);
                                        return rc;
                                }
                        }
                }
                while (n > 0 && want[n - 1] != '/')
                        n--;
                if (n > 0)
                        n--; /* drop the '/' */
        }
        return 0;
}

int rc_authfile_lookup(const char *path, const char *key, char **user, char **password, rc_error **err)
{
        cleanup_strv char **files = NULL;

        if (key == NULL || key[0] == '\0')
                return rc_error_set(err, 0, "credentials lookup: empty registry name");
        if (authfile_candidates(path, &files, err) < 0)
                return -1;
        for (char **f = files; *f; f++) {
                int rc = lookup_file(*f, key, user, password, err);
                if (rc != 0)
                        return rc;
        }
        return 0;
}

int rc_authfile_default_path(char **out, rc_error **err)
{
        const char *v = getenv("REGISTRY_AUTH_FILE");

        if (v != NULL && v[0] != '\0') {
                *out = xstrdup(v);
                return 0;
        }
        v = getenv("XDG_RUNTIME_DIR");
        if (v == NULL || v[0] != '/')
                return rc_error_set(err, 0, "XDG_RUNTIME_DIR is not set, so there is no default credentials file: "
                                    "log in with a proper session or pass --authfile PATH");
        *out = xasprintf("%s/containers/auth.json", v);
        return 0;
}

static bool key_ok(const char *key)
{
        if (key == NULL || key[0] == '\0' || strlen(key) > 1024 || strstr(key, "://") != NULL)
                return false;
        for (const char *p = key; *p; p++)
                if ((unsigned char)*p <= 0x20 || *p == 0x7f)
                        return false;
        return true;
}

static int write_authfile(const char *path, json_object *doc, rc_error **err)
{
        cleanup_free char *dir = xstrdup(path);
        char *slash = strrchr(dir, '/');
        const char *text;
        int rc;

        if (slash != NULL && slash != dir) {
                *slash = '\0';
                if (rc_mkdir_p(dir, 0700, err) < 0)
                        return rc_error_wrap(err, "credentials file %s", path);
        }
        text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
        rc = rc_write_file_atomic(path, text, strlen(text), 0600, err);
        explicit_bzero((char *)text, strlen(text));
        if (rc < 0)
                return rc_error_wrap(err, "credentials file");
        return 0;
}

static int open_for_update(const char *path, json_object **doc, json_object **auths, rc_error **err)
{
        if (read_authfile(path, doc, err) < 0)
                return -1;
        if (*doc == NULL)
                *doc = json_object_new_object();
        if (!json_object_object_get_ex(*doc, "auths", auths) || !json_object_is_type(*auths, json_type_object)) {
                if (*auths != NULL && !json_object_is_type(*auths, json_type_null))
                        return rc_error_set(err, 0, "credentials file %s: \"auths\" is not an object; fix or "
                                            "remove it", path);
                *auths = json_object_new_object();
                json_object_object_add(*doc, "auths", *auths);
        }
        return 0;
}

int rc_authfile_store(const char *path, const char *key, const char *user, const char *password, rc_error **err)
{
        cleanup_free char *def = NULL, *nk = NULL;
        cleanup_json json_object *doc = NULL;
        cleanup_secret char *plain = NULL, *b64 = NULL;
        json_object *auths = NULL, *entry;
        size_t n;

        if (!key_ok(key))
                return rc_error_set(err, 0, "log in: \"%s\" is not a registry name", key ? key : "");
        if (user == NULL || user[0] == '\0' || strchr(user, ':') != NULL || password == NULL)
                return rc_error_set(err, 0, "log in to %s: the user name must be non-empty and without ':'", key);
        if (rc_dl_crypto(err) < 0)
                return rc_error_wrap(err, "log in to %s", key);
        if (path == NULL) {
                if (rc_authfile_default_path(&def, err) < 0)
                        return -1;
                path = def;
        }
        if (open_for_update(path, &doc, &auths, err) < 0)
                return -1;
        nk = normalize_key(key);
        /* Drop other spellings of the same key (legacy URL forms). */
        {
                cleanup_strv char **drop = xcalloc(1, sizeof(char *));
                json_object_object_foreach(auths, k, v)
                {
                        cleanup_free char *other = normalize_key(k);
                        (void)v;
                        if (strcmp(other, nk) == 0)
                                strv_push(&drop, k);
                }
                for (char **d = drop; *d; d++)
                        json_object_object_del(auths, *d);
        }
        plain = xasprintf("%s:%s", user, password);
        n = strlen(plain);
        b64 = xmalloc(4 * ((n + 2) / 3) + 1);
        EVP_EncodeBlock((unsigned char *)b64, (const unsigned char *)plain, (int)n);
        entry = json_object_new_object();
        json_object_object_add(entry, "auth", json_object_new_string(b64));
        json_object_object_add(auths, nk, entry);
        return write_authfile(path, doc, err);
}

int rc_authfile_remove(const char *path, const char *key, rc_error **err)
{
        cleanup_free char *def = NULL, *nk = NULL;
        cleanup_json json_object *doc = NULL;
        cleanup_strv char **drop = xcalloc(1, sizeof(char *));
        json_object *auths = NULL;

        if (key != NULL && !key_ok(key))
                return rc_error_set(err, 0, "log out: \"%s\" is not a registry name", key);
        if (path == NULL) {
                if (rc_authfile_default_path(&def, err) < 0)
                        return -1;
                path = def;
        }
        if (read_authfile(path, &doc, err) < 0)
                return -1;
        if (doc == NULL || !json_object_object_get_ex(doc, "auths", &auths) ||
            !json_object_is_type(auths, json_type_object))
                return 0;
        nk = key ? normalize_key(key) : NULL;
        {
                json_object_object_foreach(auths, k, v)
                {
                        cleanup_free char *other = normalize_key(k);
                        (void)v;
                        if (nk == NULL || strcmp(other, nk) == 0)
                                strv_push(&drop, k);
                }
        }
        if (drop[0] == NULL)
                return 0;
        for (char **d = drop; *d; d++)
                json_object_object_del(auths, *d);
        if (write_authfile(path, doc, err) < 0)
                return -1;
        return 1;
}
