/* Image references: "[domain/]path[:tag][@digest]", normalised the way
 * docker and podman do (docker.io default registry, "library/" for
 * official images). */
#include "image/image.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util/digest.h"
#include "util/xalloc.h"

#define DEFAULT_DOMAIN "docker.io"
#define TAG_MAX 128

static bool is_lower_alnum(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool is_alnum(char c)
{
        return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

static bool is_lower_hex(char c)
{
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* One path component: [a-z0-9]+ joined by '.', '_', '__' or runs of '-'. */
static bool component_valid(const char *s, size_t len)
{
        size_t i = 0;

        for (;;) {
                if (i >= len || !is_lower_alnum(s[i]))
                        return false;
                while (i < len && is_lower_alnum(s[i]))
                        i++;
                if (i == len)
                        return true;
                if (s[i] == '.') {
                        i++;
                } else if (s[i] == '_') {
                        i++;
                        if (i < len && s[i] == '_')
                                i++;
                } else if (s[i] == '-') {
                        while (i < len && s[i] == '-')
                                i++;
                } else {
                        return false;
                }
        }
}

/* A hostname label: alnum, inner '-' allowed. */
static bool label_valid(const char *s, size_t len)
{
        if (len == 0 || !is_alnum(s[0]) || !is_alnum(s[len - 1]))
                return false;
        for (size_t i = 0; i < len; i++)
                if (!is_alnum(s[i]) && s[i] != '-')
                        return false;
        return true;
}

static bool port_valid(const char *s, size_t len)
{
        unsigned long v = 0;

        if (len == 0 || len > 5)
                return false;
        for (size_t i = 0; i < len; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return false;
                v = v * 10 + (unsigned long)(s[i] - '0');
        }
        return v >= 1 && v <= 65535;
}

/* host[:port] where host is dot-separated labels or a bracketed IPv6
 * address.  Returns NULL if valid, else what is wrong. */
static const char *domain_problem(const char *d, size_t len)
{
        const char *colon;
        size_t host_len;

        if (len > 0 && d[0] == '[') {
                const char *close = memchr(d, ']', len);
                if (close == NULL || close == d + 1)
                        return "an IPv6 address must be enclosed in '[' and ']'";
                for (const char *p = d + 1; p < close; p++)
                        if (!isxdigit((unsigned char)*p) && *p != ':')
                                return "invalid IPv6 address";
                host_len = (size_t)(close - d) + 1;
                if (host_len == len)
                        return NULL;
                if (d[host_len] != ':')
                        return "unexpected characters after the IPv6 address";
                return port_valid(d + host_len + 1, len - host_len - 1) ? NULL : "port must be a number 1-65535";
        }
        colon = memchr(d, ':', len);
        host_len = colon ? (size_t)(colon - d) : len;
        if (colon && !port_valid(colon + 1, len - host_len - 1))
                return "port must be a number 1-65535";
        for (size_t start = 0; start <= host_len;) {
                const char *dot = memchr(d + start, '.', host_len - start);
                size_t end = dot ? (size_t)(dot - d) : host_len;
                if (!label_valid(d + start, end - start))
                        return "host names are letters, digits and '-' in parts separated by '.'";
                start = end + 1;
        }
        return NULL;
}

static bool tag_valid(const char *t, size_t len)
{
        if (len == 0 || len > TAG_MAX)
                return false;
        if (!is_alnum(t[0]) && t[0] != '_')
                return false;
        for (size_t i = 1; i < len; i++)
                if (!is_alnum(t[i]) && t[i] != '_' && t[i] != '.' && t[i] != '-')
                        return false;
        return true;
}

/* OCI digest grammar: algorithm [a-z0-9]+([+._-][a-z0-9]+)* ":" encoded
 * [a-zA-Z0-9=_-]+.  Only sha256 is supported. */
static int check_digest(const char *digest, const char *input, rc_error **err)
{
        const char *colon = strchr(digest, ':');
        size_t alg_len;

        if (colon == NULL || colon == digest || colon[1] == '\0')
                goto syntax;
        alg_len = (size_t)(colon - digest);
        for (size_t i = 0; i < alg_len; i++) {
                char c = digest[i];
                bool sep = c == '+' || c == '.' || c == '_' || c == '-';
                if (sep && (i == 0 || i + 1 == alg_len || !is_lower_alnum(digest[i - 1])))
                        goto syntax;
                if (!sep && !is_lower_alnum(c))
                        goto syntax;
        }
        for (const char *p = colon + 1; *p; p++)
                if (!is_alnum(*p) && *p != '=' && *p != '_' && *p != '-')
                        goto syntax;
        if (alg_len != 6 || strncmp(digest, "sha256", 6) != 0)
                return rc_error_set(err, 0,
                                    "invalid digest \"%s\" in \"%s\": unsupported algorithm \"%.*s\" (only sha256 "
                                    "is supported)",
                                    digest, input, (int)alg_len, digest);
        if (!rc_digest_valid(digest))
                return rc_error_set(err, 0,
                                    "invalid digest \"%s\" in \"%s\": a sha256 digest is \"sha256:\" followed by "
                                    "64 lowercase hex digits",
                                    digest, input);
        return 0;
syntax:
        return rc_error_set(err, 0,
                            "invalid digest \"%s\" in \"%s\": expected \"sha256:\" followed by 64 lowercase hex "
                            "digits",
                            digest, input);
}

/* Validate the repository path; returns 0 or sets an error. */
static int check_path(const char *path, const char *input, rc_error **err)
{
        for (const char *p = path; *p; p++)
                if (*p >= 'A' && *p <= 'Z')
                        return rc_error_set(err, 0, "invalid reference \"%s\": repository name must be lowercase",
                                            input);
        for (const char *start = path;;) {
                const char *slash = strchr(start, '/');
                size_t len = slash ? (size_t)(slash - start) : strlen(start);
                if (len == 0)
                        return rc_error_set(err, 0,
                                            "invalid reference \"%s\": empty path component (a '/' at the start, "
                                            "at the end or doubled)",
                                            input);
                if (!component_valid(start, len))
                        return rc_error_set(err, 0,
                                            "invalid reference \"%s\": invalid path component \"%.*s\": components "
                                            "are lowercase letters and digits, separated by '.', '_', '__' or '-'",
                                            input, (int)len, start);
                if (slash == NULL)
                        return 0;
                start = slash + 1;
        }
}

static bool is_full_hex_id(const char *s)
{
        size_t n = 0;

        for (; s[n]; n++)
                if (!is_lower_hex(s[n]))
                        return false;
        return n == RC_DIGEST_HEX_LEN;
}

int rc_reference_parse(const char *s, struct rc_reference *out, rc_error **err)
{
        cleanup_free char *name = NULL, *tag = NULL, *digest = NULL, *domain = NULL, *path = NULL;
        const char *at, *last_slash, *colon, *first_slash;
        size_t name_len;

        if (s == NULL || *s == '\0')
                return rc_error_set(err, 0,
                                    "invalid reference \"\": empty (give an image name such as alpine or "
                                    "quay.io/org/app:tag)");
        if (is_full_hex_id(s))
                return rc_error_set(err, 0,
                                    "invalid reference \"%s\": a 64-character hex string is an image id, not a name",
                                    s);

        at = strchr(s, '@');
        name_len = at ? (size_t)(at - s) : strlen(s);
        if (at) {
                if (at[1] == '\0')
                        return rc_error_set(err, 0, "invalid reference \"%s\": digest is empty", s);
                if (check_digest(at + 1, s, err) < 0)
                        return -1;
                digest = xstrdup(at + 1);
        }
        name = xstrndup(s, name_len);

        /* A tag is the part after the last ':' that follows the last '/';
         * a ':' before a '/' belongs to a registry port. */
        last_slash = strrchr(name, '/');
        colon = strrchr(last_slash ? last_slash : name, ':');
        if (colon) {
                size_t tag_len = strlen(colon + 1);
                if (tag_len == 0)
                        return rc_error_set(err, 0, "invalid reference \"%s\": tag is empty", s);
                if (!tag_valid(colon + 1, tag_len))
                        return rc_error_set(err, 0,
                                            "invalid tag \"%s\" in \"%s\": tags may contain letters, digits, '_', "
                                            "'.', '-' (max 128, not starting with '.' or '-')",
                                            colon + 1, s);
                tag = xstrdup(colon + 1);
                name[colon - name] = '\0';
        }
        if (name[0] == '\0')
                return rc_error_set(err, 0, "invalid reference \"%s\": repository name is empty", s);

        first_slash = strchr(name, '/');
        if (first_slash) {
                size_t dlen = (size_t)(first_slash - name);
                if (memchr(name, '.', dlen) || memchr(name, ':', dlen) ||
                    (dlen == 9 && strncmp(name, "localhost", 9) == 0)) {
                        const char *problem = domain_problem(name, dlen);
                        if (problem)
                                return rc_error_set(err, 0, "invalid reference \"%s\": invalid registry \"%.*s\": %s",
                                                    s, (int)dlen, name, problem);
                        domain = xstrndup(name, dlen);
                        path = xstrdup(first_slash + 1);
                }
        }
        if (domain == NULL) {
                domain = xstrdup(DEFAULT_DOMAIN);
                path = xstrdup(name);
        } else if (strcmp(domain, "index.docker.io") == 0) {
                free(domain);
                domain = xstrdup(DEFAULT_DOMAIN);
        }
        if (check_path(path, s, err) < 0)
                return -1;
        if (strcmp(domain, DEFAULT_DOMAIN) == 0 && strchr(path, '/') == NULL) {
                char *full = xasprintf("library/%s", path);
                free(path);
                path = full;
        }
        if (strlen(domain) + 1 + strlen(path) > RC_REFERENCE_NAME_MAX)
                return rc_error_set(err, 0, "invalid reference \"%s\": name is longer than %d characters", s,
                                    RC_REFERENCE_NAME_MAX);
        if (tag == NULL && digest == NULL)
                tag = xstrdup("latest");

        out->domain = steal_pointer(&domain);
        out->path = steal_pointer(&path);
        out->tag = steal_pointer(&tag);
        out->digest = steal_pointer(&digest);
        return 0;
}

char *rc_reference_name(const struct rc_reference *r)
{
        return xasprintf("%s/%s", r->domain, r->path);
}

char *rc_reference_string(const struct rc_reference *r)
{
        return xasprintf("%s/%s%s%s%s%s", r->domain, r->path, r->tag ? ":" : "", r->tag ? r->tag : "",
                         r->digest ? "@" : "", r->digest ? r->digest : "");
}

void rc_reference_free(struct rc_reference *r)
{
        if (r == NULL)
                return;
        free(r->domain);
        free(r->path);
        free(r->tag);
        free(r->digest);
        memset(r, 0, sizeof(*r));
}

bool rc_looks_like_id(const char *s)
{
        size_t n = 0;

        if (s == NULL)
                return false;
        if (strncmp(s, "sha256:", 7) == 0)
                s += 7;
        for (; s[n]; n++)
                if (!is_lower_hex(s[n]))
                        return false;
        return n >= 1 && n <= RC_DIGEST_HEX_LEN;
}
