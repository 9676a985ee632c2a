/* Parsers of run/create options that are not mounts: --ulimit,
 * --env-file and --label-file, --cap-add/--cap-drop, --userns. */
#include "container/container.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>

#include "util/xalloc.h"

int rc_ulimit_parse(const char *s, struct rc_spec_rlimit *out, rc_error **err)
{
        static const struct {
                const char *name;
                int type;
        } names[] = {
                { "core", RLIMIT_CORE },         { "cpu", RLIMIT_CPU },           { "data", RLIMIT_DATA },
                { "fsize", RLIMIT_FSIZE },       { "locks", RLIMIT_LOCKS },       { "memlock", RLIMIT_MEMLOCK },
                { "msgqueue", RLIMIT_MSGQUEUE }, { "nice", RLIMIT_NICE },         { "nofile", RLIMIT_NOFILE },
                { "nproc", RLIMIT_NPROC },       { "rss", RLIMIT_RSS },           { "rtprio", RLIMIT_RTPRIO },
                { "rttime", RLIMIT_RTTIME },     { "sigpending", RLIMIT_SIGPENDING }, { "stack", RLIMIT_STACK },
                { "as", RLIMIT_AS },
        };
        const char *eq = strchr(s, '=');
        uint64_t v[2];
        int type = -1, n = 0;

        if (eq == NULL)
                return rc_error_set(err, EINVAL, "--ulimit %s: give NAME=SOFT[:HARD], e.g. nofile=1024:2048", s);
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
                if (strlen(names[i].name) == (size_t)(eq - s) && !strncmp(s, names[i].name, (size_t)(eq - s)))
                        type = names[i].type;
        if (type < 0)
                return rc_error_set(err, EINVAL,
                                    "--ulimit %s: unknown limit \"%.*s\" (core, cpu, data, fsize, locks, memlock, "
                                    "msgqueue, nice, nofile, nproc, rss, rtprio, rttime, sigpending, stack, as)",
                                    s, (int)(eq - s), s);
        for (const char *p = eq + 1;; n++) {
                const char *end = strchrnul(p, ':');
                size_t len = (size_t)(end - p);
                char *stop;

                if (n == 2)
                        return rc_error_set(err, EINVAL, "--ulimit %s: give at most a soft and a hard value", s);
                if ((len == 2 && !strncmp(p, "-1", 2)) || (len == 9 && !strncmp(p, "unlimited", 9))) {
                        v[n] = RLIM_INFINITY;
                } else {
                        errno = 0;
                        v[n] = strtoull(p, &stop, 10);
                        if (len == 0 || *p < '0' || *p > '9' || stop != end || errno)
                                return rc_error_set(err, EINVAL,
                                                    "--ulimit %s: \"%.*s\" is not a number (or -1 / unlimited)", s,
                                                    (int)len, p);
                }
                if (*end == '\0')
                        break;
                p = end + 1;
        }
        if (n == 0)
                v[1] = v[0];
        if (v[0] > v[1])
                return rc_error_set(err, EINVAL, "--ulimit %s: the soft limit is above the hard limit", s);
        out->type = type;
        out->soft = v[0];
        out->hard = v[1];
        return 0;
}

static const char *env_lookup(char *const *env, const char *key, size_t keylen)
{
        for (size_t i = 0; env && env[i]; i++)
                if (strncmp(env[i], key, keylen) == 0 && env[i][keylen] == '=')
                        return env[i] + keylen + 1;
        return NULL;
}

int rc_env_file_parse(const char *name, const char *text, size_t len, char *const *host_env, bool label_file,
                      char ***out, rc_error **err)
{
        cleanup_strv char **got = xcalloc(1, sizeof(char *));
        const char *end = text + len;
        unsigned line = 0;

        if (memchr(text, '\0', len))
                return rc_error_set(err, EINVAL, "%s: a NUL byte: not a text file", name);
        for (const char *p = text; p < end;) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                const char *stop = nl ? nl : end;
                cleanup_free char *entry = NULL;
                size_t keylen;

                line++;
                /* docker's reader: lines split on \n, a \r before it dropped,
                 * leading blanks trimmed; the value is taken as it is */
                if (stop > p && stop[-1] == '\r')
                        stop--;
                while (p < stop && (*p == ' ' || *p == '\t'))
                        p++;
                entry = xstrndup(p, (size_t)(stop - p));
                p = nl ? nl + 1 : end;
                if (entry[0] == '\0' || entry[0] == '#')
                        continue;
                keylen = strcspn(entry, "=");
                if (keylen == 0)
                        return rc_error_set(err, EINVAL, "%s:%u: no variable name before '='", name, line);
                if (strcspn(entry, " \t") < keylen)
                        return rc_error_set(err, EINVAL, "%s:%u: variable \"%.*s\" contains whitespace", name, line,
                                            (int)keylen, entry);
                if (entry[keylen] == '=') {
                        strv_push(&got, entry);
                } else if (label_file) {
                        cleanup_free char *kv = xasprintf("%s=", entry);
                        strv_push(&got, kv);
                } else {
                        const char *v = env_lookup(host_env, entry, keylen);
                        if (v) {
                                cleanup_free char *kv = xasprintf("%s=%s", entry, v);
                                strv_push(&got, kv);
                        }
                }
        }
        if (*out == NULL)
                *out = xcalloc(1, sizeof(char *));
        for (size_t i = 0; got[i]; i++)
                strv_push(out, got[i]);
        return 0;
}

int rc_cap_check(const char *name, rc_error **err)
{
        if (strcasecmp(name, "ALL") == 0 || rc_cap_from_name(name) >= 0)
                return 0;
        return rc_error_set(err, EINVAL, "unknown capability \"%s\" (a name such as NET_ADMIN or CAP_NET_ADMIN, or ALL)",
                            name);
}

static bool has_all(char *const *list)
{
        for (size_t i = 0; list && list[i]; i++)
                if (strcasecmp(list[i], "ALL") == 0)
                        return true;
        return false;
}

/* Add (or with remove, take away) the capability named `name` to set. */
static int set_cap(uint64_t *set, const char *name, bool remove, rc_error **err)
{
        int c = rc_cap_from_name(name);

        if (c < 0 || c >= 64)
                return rc_cap_check(name, err) < 0 ? -1 : rc_error_set(err, EINVAL, "capability \"%s\"", name);
        if (remove)
                *set &= ~(1ULL << c);
        else
                *set |= 1ULL << c;
        return 0;
}

int rc_caps_compute(char *const *defaults, char *const *add, char *const *drop, char *const *all, char ***out,
                    rc_error **err)
{
        uint64_t set = 0;
        char **result;

        if (has_all(add)) {
                for (size_t i = 0; all && all[i]; i++)
                        if (set_cap(&set, all[i], false, err) < 0)
                                return -1;
        } else if (!has_all(drop)) {
                for (size_t i = 0; defaults && defaults[i]; i++)
                        if (set_cap(&set, defaults[i], false, err) < 0)
                                return -1;
        }
        for (size_t i = 0; add && add[i]; i++)
                if (strcasecmp(add[i], "ALL") != 0 && set_cap(&set, add[i], false, err) < 0)
                        return -1;
        for (size_t i = 0; drop && drop[i]; i++)
                if (strcasecmp(drop[i], "ALL") != 0 && set_cap(&set, drop[i], true, err) < 0)
                        return -1;
        result = xcalloc(1, sizeof(char *));
        for (int c = 0; c < 64; c++)
                if ((set & (1ULL << c)) && rc_cap_name(c))
                        strv_push(&result, rc_cap_name(c));
        *out = result;
        return 0;
}

static int parse_u32(const char *s, size_t len, uint32_t *out)
{
        uint64_t v = 0;

        if (len == 0 || len > 10)
                return -1;
        for (size_t i = 0; i < len; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return -1;
                v = v * 10 + (uint64_t)(s[i] - '0');
        }
        if (v >= UINT32_MAX)
                return -1;
        *out = (uint32_t)v;
        return 0;
}

int rc_userns_parse(const char *s, bool *keep_id, uint32_t *uid, uint32_t *gid, rc_error **err)
{
        uint32_t u = *uid, g = *gid;

        if (*s == '\0' || strcmp(s, "host") == 0) {
                *keep_id = false;
                return 0;
        }
        if (strncmp(s, "keep-id", 7) != 0 || (s[7] != '\0' && s[7] != ':') || (s[7] == ':' && s[8] == '\0'))
                return rc_error_set(err, EINVAL,
                                    "--userns=%s: rc supports host (rc's own user namespace, the default) and "
                                    "keep-id[:uid=N,gid=N]",
                                    s);
        for (const char *p = s[7] ? s + 8 : s + 7; *p;) {
                const char *end = strchrnul(p, ',');
                uint32_t *target = !strncmp(p, "uid=", 4) ? &u : !strncmp(p, "gid=", 4) ? &g : NULL;

                if (target == NULL || parse_u32(p + 4, (size_t)(end - p - 4), target) < 0)
                        return rc_error_set(err, EINVAL, "--userns=%s: keep-id takes uid=N and gid=N", s);
                p = *end ? end + 1 : end;
        }
        *keep_id = true;
        *uid = u;
        *gid = g;
        return 0;
}

size_t rc_keep_id_mapping(uint32_t id, uint32_t ns_size, struct rc_spec_id_mapping out[3])
{
        size_t n = 0;
        uint32_t below;

        if (ns_size == 0)
                return 0;
        /* container 0..id-1 -> rc's 1..id, as far as rc's namespace reaches */
        below = id < ns_size - 1 ? id : ns_size - 1;
        if (below > 0)
                out[n++] = (struct rc_spec_id_mapping){ .container_id = 0, .host_id = 1, .size = below };
        out[n++] = (struct rc_spec_id_mapping){ .container_id = id, .host_id = 0, .size = 1 };
        /* container id+1.. -> rc's id+1..ns_size-1 */
        if ((uint64_t)id + 1 < ns_size)
                out[n++] = (struct rc_spec_id_mapping){ .container_id = id + 1, .host_id = id + 1,
                                                        .size = ns_size - id - 1 };
        return n;
}
