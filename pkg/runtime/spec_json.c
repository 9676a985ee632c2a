/* config.json back into a struct rc_spec: the inverse of rc_spec_to_json
 * for the fields rc writes.
 *
 * The file lives in the container's directory, which the user (and so
 * anything running as the user) can rewrite between `rc run -d` and
 * `rc exec`: it is parsed as hostile input.  Every field rc reads has its
 * type, range and size checked, and an error names the field
 * ("process.user.uid: ..."); fields rc does not know are ignored, so a
 * newer rc's file still reads. */
#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "runtime/runtime.h"
#include "util/xalloc.h"

/* Bounds on what a tampered file can make rc allocate. */
#define MAX_SPEC_BYTES (4 * 1024 * 1024)
#define MAX_STRV 65536 /* args, env, paths, options */
#define MAX_MOUNTS 4096
#define MAX_GIDS 65536 /* NGROUPS_MAX */
#define MAX_MAPPINGS 340 /* the kernel's limit on uid_map lines */
#define MAX_DEPTH 16

static const struct {
        const char *name;
        int type;
} rlimits[] = {
        { "RLIMIT_CPU", RLIMIT_CPU },       { "RLIMIT_FSIZE", RLIMIT_FSIZE },
        { "RLIMIT_DATA", RLIMIT_DATA },     { "RLIMIT_STACK", RLIMIT_STACK },
        { "RLIMIT_CORE", RLIMIT_CORE },     { "RLIMIT_RSS", RLIMIT_RSS },
        { "RLIMIT_NPROC", RLIMIT_NPROC },   { "RLIMIT_NOFILE", RLIMIT_NOFILE },
        { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK }, { "RLIMIT_AS", RLIMIT_AS },
        { "RLIMIT_LOCKS", RLIMIT_LOCKS },   { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
        { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE }, { "RLIMIT_NICE", RLIMIT_NICE },
        { "RLIMIT_RTPRIO", RLIMIT_RTPRIO }, { "RLIMIT_RTTIME", RLIMIT_RTTIME },
};

static const struct {
        const char *name;
        unsigned flag;
} namespaces[] = {
        { "pid", CLONE_NEWPID }, { "network", CLONE_NEWNET }, { "ipc", CLONE_NEWIPC },
        { "uts", CLONE_NEWUTS }, { "mount", CLONE_NEWNS },    { "cgroup", CLONE_NEWCGROUP },
        { "user", 0 }, /* rc's own user namespace: always there, never created by the runtime */
};

/* A member of o, checked to have type t; absent: 0 with *out NULL, or an
 * error when required. */
static int member(json_object *o, const char *key, json_type t, bool required, const char *where,
                  json_object **out, rc_error **err)
{
        static const char *const names[] = { [json_type_null] = "null",     [json_type_boolean] = "a boolean",
                                              [json_type_double] = "a number", [json_type_int] = "an integer",
                                              [json_type_object] = "an object", [json_type_array] = "an array",
                                              [json_type_string] = "a string" };
        json_object *v = NULL;

        *out = NULL;
        if (!json_object_object_get_ex(o, key, &v) || v == NULL) {
                if (required)
                        return rc_error_set(err, EINVAL, "%s%s%s: missing", where, *where ? "." : "", key);
                return 0;
        }
        if (!json_object_is_type(v, t))
                return rc_error_set(err, EINVAL, "%s%s%s: must be %s", where, *where ? "." : "", key, names[t]);
        *out = v;
        return 0;
}

/* A string without NUL bytes (json allows \u0000; C strings would cut it). */
static int checked_string(json_object *v, const char *where, size_t i, const char **out, rc_error **err)
{
        const char *s;

        if (!json_object_is_type(v, json_type_string))
                return rc_error_set(err, EINVAL, "%s[%zu]: must be a string", where, i);
        s = json_object_get_string(v);
        if (strlen(s) != (size_t)json_object_get_string_len(v))
                return rc_error_set(err, EINVAL, "%s[%zu]: contains a NUL byte", where, i);
        *out = s;
        return 0;
}

static int get_string(json_object *o, const char *key, bool required, const char *where, char **out, rc_error **err)
{
        json_object *v;
        const char *s;

        if (member(o, key, json_type_string, required, where, &v, err) < 0)
                return -1;
        if (v == NULL)
                return 0;
        s = json_object_get_string(v);
        if (strlen(s) != (size_t)json_object_get_string_len(v))
                return rc_error_set(err, EINVAL, "%s%s%s: contains a NUL byte", where, *where ? "." : "", key);
        free(*out);
        *out = xstrdup(s);
        return 0;
}

/* A non-negative integer no larger than max. */
static int get_uint(json_object *v, uint64_t max, const char *where, const char *key, uint64_t *out, rc_error **err)
{
        if (!json_object_is_type(v, json_type_int))
                return rc_error_set(err, EINVAL, "%s%s: must be an integer", where, key);
        /* json-c keeps values above INT64_MAX as unsigned; get_int64 clamps them */
        if (json_object_get_int64(v) < 0)
                return rc_error_set(err, EINVAL, "%s%s: must not be negative", where, key);
        errno = 0;
        *out = json_object_get_uint64(v);
        if (errno == ERANGE || *out > max)
                return rc_error_set(err, ERANGE, "%s%s: out of range", where, key);
        return 0;
}

static int get_uint_member(json_object *o, const char *key, uint64_t max, bool required, const char *where,
                           uint64_t *out, bool *present, rc_error **err)
{
        json_object *v = NULL;

        if (present)
                *present = false;
        if (!json_object_object_get_ex(o, key, &v) || v == NULL) {
                if (required)
                        return rc_error_set(err, EINVAL, "%s.%s: missing", where, key);
                return 0;
        }
        if (present)
                *present = true;
        cleanup_free char *prefix = xasprintf("%s.", where);
        return get_uint(v, max, prefix, key, out, err);
}

static int get_bool(json_object *o, const char *key, const char *where, bool *out, rc_error **err)
{
        json_object *v;

        if (member(o, key, json_type_boolean, false, where, &v, err) < 0)
                return -1;
        if (v)
                *out = json_object_get_boolean(v);
        return 0;
}

/* An array of strings into a NULL-terminated vector (absent: an empty one
 * unless required).  check, when given, vets each element. */
static int get_strv(json_object *o, const char *key, bool required, const char *where,
                    int (*check)(const char *s, const char *field, size_t i, rc_error **err), char ***out,
                    rc_error **err)
{
        cleanup_free char *field = xasprintf("%s%s%s", where, *where ? "." : "", key);
        cleanup_strv char **v = NULL;
        json_object *a;
        size_t n;

        if (member(o, key, json_type_array, required, where, &a, err) < 0)
                return -1;
        n = a ? json_object_array_length(a) : 0;
        if (n > MAX_STRV)
                return rc_error_set(err, E2BIG, "%s: more than %d entries", field, MAX_STRV);
        v = xcalloc(n + 1, sizeof(char *));
        for (size_t i = 0; i < n; i++) {
                const char *s = NULL;
                if (checked_string(json_object_array_get_idx(a, i), field, i, &s, err) < 0 ||
                    (check && check(s, field, i, err) < 0))
                        return -1;
                v[i] = xstrdup(s);
        }
        strv_free(*out);
        *out = steal_pointer(&v);
        return 0;
}

static int check_env(const char *s, const char *field, size_t i, rc_error **err)
{
        const char *eq = strchr(s, '=');

        if (eq == NULL || eq == s)
                return rc_error_set(err, EINVAL, "%s[%zu]: \"%s\" is not KEY=VALUE", field, i, s);
        return 0;
}

static int check_cap(const char *s, const char *field, size_t i, rc_error **err)
{
        if (rc_cap_from_name(s) < 0)
                return rc_error_set(err, EINVAL, "%s[%zu]: unknown capability \"%s\"", field, i, s);
        return 0;
}

static int check_abs_path(const char *s, const char *field, size_t i, rc_error **err)
{
        if (s[0] != '/')
                return rc_error_set(err, EINVAL, "%s[%zu]: \"%s\" is not an absolute path", field, i, s);
        if (strlen(s) >= PATH_MAX)
                return rc_error_set(err, ENAMETOOLONG, "%s[%zu]: longer than PATH_MAX", field, i);
        return 0;
}

static int parse_user(json_object *process, struct rc_spec *spec, rc_error **err)
{
        json_object *user, *gids;
        bool present;
        uint64_t v;
        size_t n;

        if (member(process, "user", json_type_object, true, "process", &user, err) < 0)
                return -1;
        /* (uid_t)-1 means "unchanged" to setresuid: never a real id */
        if (get_uint_member(user, "uid", UINT32_MAX - 1, true, "process.user", &v, NULL, err) < 0)
                return -1;
        spec->uid = (uint32_t)v;
        if (get_uint_member(user, "gid", UINT32_MAX - 1, true, "process.user", &v, NULL, err) < 0)
                return -1;
        spec->gid = (uint32_t)v;
        /* a config.json without it (an older rc's) gets the default */
        spec->umask = 022;
        if (get_uint_member(user, "umask", 0777, false, "process.user", &v, &present, err) < 0)
                return -1;
        if (present)
                spec->umask = (uint32_t)v;
        if (member(user, "additionalGids", json_type_array, false, "process.user", &gids, err) < 0)
                return -1;
        n = gids ? json_object_array_length(gids) : 0;
        if (n > MAX_GIDS)
                return rc_error_set(err, E2BIG, "process.user.additionalGids: more than %d groups", MAX_GIDS);
        free(spec->additional_gids);
        spec->additional_gids = n ? xcalloc(n, sizeof(uint32_t)) : NULL;
        spec->n_additional_gids = n;
        for (size_t i = 0; i < n; i++) {
                char key[32];
                snprintf(key, sizeof(key), "[%zu]", i);
                if (get_uint(json_object_array_get_idx(gids, i), UINT32_MAX - 1, "process.user.additionalGids", key,
                             &v, err) < 0)
                        return -1;
                spec->additional_gids[i] = (uint32_t)v;
        }
        return 0;
}

static int parse_caps(json_object *process, struct rc_spec *spec, rc_error **err)
{
        json_object *caps;

        /* a set that is not listed is empty (an absent "capabilities": none held) */
        if (member(process, "capabilities", json_type_object, false, "process", &caps, err) < 0 ||
            get_strv(caps, "bounding", false, "process.capabilities", check_cap, &spec->cap_bounding, err) < 0 ||
            get_strv(caps, "effective", false, "process.capabilities", check_cap, &spec->cap_effective, err) < 0 ||
            get_strv(caps, "permitted", false, "process.capabilities", check_cap, &spec->cap_permitted, err) < 0 ||
            get_strv(caps, "inheritable", false, "process.capabilities", check_cap, &spec->cap_inheritable, err) < 0 ||
            get_strv(caps, "ambient", false, "process.capabilities", check_cap, &spec->cap_ambient, err) < 0)
                return -1;
        return 0;
}

static int parse_rlimits(json_object *process, struct rc_spec *spec, rc_error **err)
{
        json_object *a;
        size_t n;

        if (member(process, "rlimits", json_type_array, false, "process", &a, err) < 0)
                return -1;
        n = a ? json_object_array_length(a) : 0;
        if (n > sizeof(rlimits) / sizeof(rlimits[0]))
                return rc_error_set(err, E2BIG, "process.rlimits: more entries than there are limits");
        free(spec->rlimits);
        spec->rlimits = n ? xcalloc(n, sizeof(*spec->rlimits)) : NULL;
        spec->n_rlimits = 0;
        for (size_t i = 0; i < n; i++) {
                json_object *o = json_object_array_get_idx(a, i), *t;
                struct rc_spec_rlimit *r = &spec->rlimits[i];
                char where[48];
                size_t k;

                snprintf(where, sizeof(where), "process.rlimits[%zu]", i);
                if (!json_object_is_type(o, json_type_object))
                        return rc_error_set(err, EINVAL, "%s: must be an object", where);
                if (member(o, "type", json_type_string, true, where, &t, err) < 0)
                        return -1;
                for (k = 0; k < sizeof(rlimits) / sizeof(rlimits[0]); k++)
                        if (strcmp(json_object_get_string(t), rlimits[k].name) == 0)
                                break;
                if (k == sizeof(rlimits) / sizeof(rlimits[0]))
                        return rc_error_set(err, EINVAL, "%s.type: unknown limit \"%s\"", where,
                                            json_object_get_string(t));
                for (size_t j = 0; j < i; j++)
                        if (spec->rlimits[j].type == rlimits[k].type)
                                return rc_error_set(err, EINVAL, "%s.type: %s given twice", where, rlimits[k].name);
                r->type = rlimits[k].type;
                if (get_uint_member(o, "hard", UINT64_MAX, true, where, &r->hard, NULL, err) < 0 ||
                    get_uint_member(o, "soft", UINT64_MAX, true, where, &r->soft, NULL, err) < 0)
                        return -1;
                if (r->soft > r->hard)
                        return rc_error_set(err, EINVAL, "%s: soft limit above the hard one", where);
                spec->n_rlimits++;
        }
        return 0;
}

static int parse_process(json_object *root, struct rc_spec *spec, rc_error **err)
{
        json_object *process;

        if (member(root, "process", json_type_object, true, "", &process, err) < 0)
                return -1;
        if (parse_user(process, spec, err) < 0 || get_strv(process, "args", true, "process", NULL, &spec->args, err) < 0 ||
            get_strv(process, "env", false, "process", check_env, &spec->env, err) < 0 ||
            get_string(process, "cwd", true, "process", &spec->cwd, err) < 0)
                return -1;
        if (spec->cwd[0] != '/')
                return rc_error_set(err, EINVAL, "process.cwd: \"%s\" is not an absolute path", spec->cwd);
        if (strlen(spec->cwd) >= PATH_MAX)
                return rc_error_set(err, ENAMETOOLONG, "process.cwd: longer than PATH_MAX");
        if (parse_caps(process, spec, err) < 0 || parse_rlimits(process, spec, err) < 0)
                return -1;
        /* absent means false in the OCI spec; rc always writes it */
        spec->no_new_privileges = false;
        return get_bool(process, "noNewPrivileges", "process", &spec->no_new_privileges, err);
}

static int parse_mounts(json_object *root, struct rc_spec *spec, rc_error **err)
{
        json_object *a;
        size_t n;

        if (member(root, "mounts", json_type_array, false, "", &a, err) < 0)
                return -1;
        n = a ? json_object_array_length(a) : 0;
        if (n > MAX_MOUNTS)
                return rc_error_set(err, E2BIG, "mounts: more than %d", MAX_MOUNTS);
        for (size_t i = 0; i < spec->n_mounts; i++) {
                free(spec->mounts[i].destination);
                free(spec->mounts[i].type);
                free(spec->mounts[i].source);
                strv_free(spec->mounts[i].options);
        }
        free(spec->mounts);
        spec->mounts = n ? xcalloc(n, sizeof(*spec->mounts)) : NULL;
        spec->n_mounts = 0;
        for (size_t i = 0; i < n; i++) {
                json_object *o = json_object_array_get_idx(a, i);
                struct rc_spec_mount *m = &spec->mounts[i];
                char where[32];

                snprintf(where, sizeof(where), "mounts[%zu]", i);
                if (!json_object_is_type(o, json_type_object))
                        return rc_error_set(err, EINVAL, "%s: must be an object", where);
                spec->n_mounts++; /* counted first so rc_spec_free frees what a failure leaves */
                if (get_string(o, "destination", true, where, &m->destination, err) < 0 ||
                    get_string(o, "type", false, where, &m->type, err) < 0 ||
                    get_string(o, "source", false, where, &m->source, err) < 0 ||
                    get_strv(o, "options", false, where, NULL, &m->options, err) < 0)
                        return -1;
                /* never NULL for the code that reads a spec */
                if (m->type == NULL)
                        m->type = xstrdup("");
                if (m->source == NULL)
                        m->source = xstrdup("");
                if (m->destination[0] != '/')
                        return rc_error_set(err, EINVAL, "%s.destination: \"%s\" is not an absolute path", where,
                                            m->destination);
        }
        return 0;
}

static int parse_mappings(json_object *linux_, const char *key, struct rc_spec_id_mapping **out, size_t *n_out,
                          rc_error **err)
{
        json_object *a;
        size_t n;

        if (member(linux_, key, json_type_array, false, "linux", &a, err) < 0)
                return -1;
        n = a ? json_object_array_length(a) : 0;
        if (n > MAX_MAPPINGS)
                return rc_error_set(err, E2BIG, "linux.%s: more than %d", key, MAX_MAPPINGS);
        free(*out);
        *out = n ? xcalloc(n, sizeof(**out)) : NULL;
        *n_out = n;
        for (size_t i = 0; i < n; i++) {
                json_object *o = json_object_array_get_idx(a, i);
                cleanup_free char *where = xasprintf("linux.%s[%zu]", key, i);
                uint64_t c, h, s;

                if (!json_object_is_type(o, json_type_object))
                        return rc_error_set(err, EINVAL, "%s: must be an object", where);
                if (get_uint_member(o, "containerID", UINT32_MAX, true, where, &c, NULL, err) < 0 ||
                    get_uint_member(o, "hostID", UINT32_MAX, true, where, &h, NULL, err) < 0 ||
                    get_uint_member(o, "size", UINT32_MAX, true, where, &s, NULL, err) < 0)
                        return -1;
                (*out)[i] = (struct rc_spec_id_mapping){ (uint32_t)c, (uint32_t)h, (uint32_t)s };
        }
        return 0;
}

#define MAX_SYSCTLS 256
#define MAX_SYSCTL_VALUE 4096

/* linux.sysctl: {"net.ipv4.ping_group_range": "0 1000"}: names that stay
 * below /proc/sys, values of one line. */
static int parse_sysctl(json_object *linux_, struct rc_spec *spec, rc_error **err)
{
        json_object *o;
        size_t n = 0;

        if (member(linux_, "sysctl", json_type_object, false, "linux", &o, err) < 0)
                return -1;
        if (o == NULL)
                return 0;
        if (json_object_object_length(o) > MAX_SYSCTLS)
                return rc_error_set(err, E2BIG, "linux.sysctl: more than %d entries", MAX_SYSCTLS);
        spec->sysctls = xcalloc((size_t)json_object_object_length(o) + 1, sizeof(char *));
        json_object_object_foreach(o, key, v)
        {
                const char *value;
                if (!rc_sysctl_key_ok(key))
                        return rc_error_set(err, EINVAL, "linux.sysctl: \"%.64s\" is not a sysctl name", key);
                if (!json_object_is_type(v, json_type_string))
                        return rc_error_set(err, EINVAL, "linux.sysctl.%s: must be a string", key);
                value = json_object_get_string(v);
                if (strlen(value) > MAX_SYSCTL_VALUE || strpbrk(value, "\n\r"))
                        return rc_error_set(err, EINVAL, "linux.sysctl.%s: must be one line of at most %d bytes", key,
                                            MAX_SYSCTL_VALUE);
                spec->sysctls[n++] = xasprintf("%s=%s", key, value);
        }
        return 0;
}

static int parse_linux(json_object *root, struct rc_spec *spec, rc_error **err)
{
        json_object *linux_, *nss;
        size_t n;

        if (member(root, "linux", json_type_object, false, "", &linux_, err) < 0)
                return -1;
        spec->namespaces = 0;
        if (linux_ == NULL)
                return 0;
        if (member(linux_, "namespaces", json_type_array, false, "linux", &nss, err) < 0)
                return -1;
        n = nss ? json_object_array_length(nss) : 0;
        for (size_t i = 0; i < n; i++) {
                json_object *o = json_object_array_get_idx(nss, i), *t;
                char where[40];
                size_t k;

                snprintf(where, sizeof(where), "linux.namespaces[%zu]", i);
                if (!json_object_is_type(o, json_type_object))
                        return rc_error_set(err, EINVAL, "%s: must be an object", where);
                if (member(o, "type", json_type_string, true, where, &t, err) < 0)
                        return -1;
                for (k = 0; k < sizeof(namespaces) / sizeof(namespaces[0]); k++)
                        if (strcmp(json_object_get_string(t), namespaces[k].name) == 0)
                                break;
                if (k == sizeof(namespaces) / sizeof(namespaces[0]))
                        return rc_error_set(err, EINVAL, "%s.type: unknown namespace \"%s\"", where,
                                            json_object_get_string(t));
                spec->namespaces |= namespaces[k].flag;
        }
        if (parse_mappings(linux_, "uidMappings", &spec->uid_mappings, &spec->n_uid_mappings, err) < 0 ||
            parse_mappings(linux_, "gidMappings", &spec->gid_mappings, &spec->n_gid_mappings, err) < 0 ||
            get_strv(linux_, "maskedPaths", false, "linux", check_abs_path, &spec->masked_paths, err) < 0 ||
            get_strv(linux_, "readonlyPaths", false, "linux", check_abs_path, &spec->readonly_paths, err) < 0 ||
            parse_sysctl(linux_, spec, err) < 0)
                return -1;
        return 0;
}

int rc_spec_from_json(const char *json, size_t len, struct rc_spec *out, rc_error **err)
{
        struct rc_spec spec;
        json_tokener *tok;
        json_object *root, *r;
        enum json_tokener_error jerr;

        if (len > MAX_SPEC_BYTES)
                return rc_error_set(err, EFBIG, "config.json: larger than %d MiB", MAX_SPEC_BYTES >> 20);
        if (len > INT_MAX || memchr(json, '\0', len))
                return rc_error_set(err, EINVAL, "config.json: not JSON text (a NUL byte)");
        tok = json_tokener_new_ex(MAX_DEPTH);
        if (tok == NULL)
                return rc_error_set(err, ENOMEM, "config.json: parser");
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
        root = json_tokener_parse_ex(tok, json, (int)len);
        jerr = json_tokener_get_error(tok);
        if (root == NULL || jerr != json_tokener_success || json_tokener_get_parse_end(tok) < len) {
                /* a document cut short is "continue"; anything after it is garbage */
                const char *why = root == NULL && jerr == json_tokener_continue ? "truncated"
                                  : root == NULL                                 ? json_tokener_error_desc(jerr)
                                                                                 : "data after the document";
                size_t at = json_tokener_get_parse_end(tok);
                json_tokener_free(tok);
                json_object_put(root);
                return rc_error_set(err, EINVAL, "config.json: %s (at byte %zu)", why, at);
        }
        json_tokener_free(tok);
        if (!json_object_is_type(root, json_type_object)) {
                json_object_put(root);
                return rc_error_set(err, EINVAL, "config.json: not a JSON object");
        }
        /* start from the model with nothing in it; each field replaces its part */
        memset(&spec, 0, sizeof(spec));
        spec.cwd = xstrdup("/");
        if (parse_process(root, &spec, err) < 0 || member(root, "root", json_type_object, false, "", &r, err) < 0 ||
            (r && (get_string(r, "path", false, "root", &spec.root_path, err) < 0 ||
                   get_bool(r, "readonly", "root", &spec.root_readonly, err) < 0)) ||
            get_string(root, "hostname", false, "", &spec.hostname, err) < 0 || parse_mounts(root, &spec, err) < 0 ||
            parse_linux(root, &spec, err) < 0) {
                json_object_put(root);
                rc_spec_free(&spec);
                return rc_error_wrap(err, "config.json");
        }
        if (spec.masked_paths == NULL)
                spec.masked_paths = xcalloc(1, sizeof(char *));
        if (spec.readonly_paths == NULL)
                spec.readonly_paths = xcalloc(1, sizeof(char *));
        json_object_put(root);
        *out = spec;
        return 0;
}
