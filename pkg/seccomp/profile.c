/* JSON seccomp profiles in the docker/podman format, treated as hostile:
 * every field's type and range is checked, unknown fields are refused, and
 * an error names the field ("syscalls[3].args[0].op"). */
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "seccomp/internal.h"
#include "util/fs.h"
#include "util/xalloc.h"

#define MAX_DEPTH 16
#define MAX_NAME 64
#define MAX_LIST 256 /* caps, arches, architectures */

static void cond_free(struct rc_seccomp_cond *c)
{
        strv_free(c->caps);
        strv_free(c->arches);
}

void rc_seccomp_profile_free(struct rc_seccomp_profile *p)
{
        if (p == NULL)
                return;
        for (size_t i = 0; i < p->n_rules && !p->builtin; i++) {
                strv_free(p->rules[i].names);
                free(p->rules[i].args);
                cond_free(&p->rules[i].includes);
                cond_free(&p->rules[i].excludes);
        }
        free(p->rules);
        for (size_t i = 0; i < p->n_arch_map; i++)
                free(p->arch_map[i].subs);
        free(p->arch_map);
        free(p->arches);
        free(p->name);
        free(p);
}

void rc_seccomp_profile_freep(struct rc_seccomp_profile **p)
{
        rc_seccomp_profile_free(*p);
}

/* Every failure message has the form "FIELD: what is wrong". */
static int __attribute__((format(printf, 3, 4))) bad(rc_error **err, const char *field, const char *fmt, ...)
{
        char msg[512];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        return rc_error_set(err, 0, "%s: %s", field, msg);
}

static const char *type_name(json_object *o)
{
        return o == NULL ? "null" : json_type_to_name(json_object_get_type(o));
}

static int check_keys(json_object *obj, const char *field, const char *const *allowed, rc_error **err)
{
        json_object_object_foreach(obj, key, val)
        {
                bool ok = strcmp(key, "comment") == 0;
                (void)val;
                for (size_t i = 0; !ok && allowed[i]; i++)
                        ok = strcmp(key, allowed[i]) == 0;
                if (!ok)
                        return bad(err, field, "unknown field \"%.64s\"", key);
        }
        return 0;
}

static int get_string(json_object *o, const char *field, size_t max, const char **out, rc_error **err)
{
        size_t len;

        if (!json_object_is_type(o, json_type_string))
                return bad(err, field, "expected a string, got %s", type_name(o));
        *out = json_object_get_string(o);
        len = (size_t)json_object_get_string_len(o);
        if (len == 0 || len > max || strlen(*out) != len)
                return bad(err, field, "expected a non-empty string of at most %zu characters without NUL", max);
        return 0;
}

static int get_uint(json_object *o, const char *field, uint64_t max, uint64_t *out, rc_error **err)
{
        uint64_t v;

        if (!json_object_is_type(o, json_type_int))
                return bad(err, field, "expected an integer, got %s", type_name(o));
        if (json_object_get_int64(o) < 0)
                return bad(err, field, "must not be negative");
        v = json_object_get_uint64(o);
        if (v > max)
                return bad(err, field, "%llu is out of range (at most %llu)", (unsigned long long)v,
                           (unsigned long long)max);
        *out = v;
        return 0;
}

/* A list of strings, or null (an empty list). */
static int get_strv(json_object *o, const char *field, size_t max_items, char ***out, rc_error **err)
{
        cleanup_strv char **v = xcalloc(1, sizeof(char *));
        size_t n;

        if (o == NULL) {
                *out = steal_pointer(&v);
                return 0;
        }
        if (!json_object_is_type(o, json_type_array))
                return bad(err, field, "expected a list of strings, got %s", type_name(o));
        n = json_object_array_length(o);
        if (n > max_items)
                return bad(err, field, "%zu entries, at most %zu allowed", n, max_items);
        for (size_t i = 0; i < n; i++) {
                char sub[320];
                const char *s;
                snprintf(sub, sizeof(sub), "%s[%zu]", field, i);
                if (get_string(json_object_array_get_idx(o, i), sub, MAX_NAME, &s, err) < 0)
                        return -1;
                strv_push(&v, s);
        }
        *out = steal_pointer(&v);
        return 0;
}

static const struct {
        const char *name;
        uint32_t action;
        bool takes_errno;
} actions[] = {
        { "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, false },
        { "SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0), true },
        { "SCMP_ACT_KILL", SCMP_ACT_KILL_THREAD, false },
        { "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, false },
        { "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, false },
        { "SCMP_ACT_TRAP", SCMP_ACT_TRAP, false },
        { "SCMP_ACT_TRACE", SCMP_ACT_TRACE(0), true },
        { "SCMP_ACT_LOG", SCMP_ACT_LOG, false },
};

const char *rc_seccomp_action_name(uint32_t action)
{
        uint32_t base = action & 0xffff0000U;

        if (action == SCMP_ACT_KILL_PROCESS)
                return "SCMP_ACT_KILL_PROCESS";
        for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
                if (actions[i].action == base && strcmp(actions[i].name, "SCMP_ACT_KILL") != 0)
                        return actions[i].name;
        return "SCMP_ACT_UNKNOWN";
}

/* action + optional errno (ERRNO and TRACE; EPERM when absent). */
static int parse_action(json_object *action, json_object *errno_ret, const char *field, const char *errno_field,
                        uint32_t *out, rc_error **err)
{
        const char *name;
        uint64_t e = EPERM;

        if (action == NULL)
                return bad(err, field, "missing");
        if (get_string(action, field, MAX_NAME, &name, err) < 0)
                return -1;
        if (strcmp(name, "SCMP_ACT_NOTIFY") == 0)
                return bad(err, field, "SCMP_ACT_NOTIFY is not supported (rc has no seccomp listener)");
        for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
                if (strcmp(name, actions[i].name) != 0)
                        continue;
                if (errno_ret) {
                        if (!actions[i].takes_errno)
                                return bad(err, errno_field, "only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take one");
                        if (get_uint(errno_ret, errno_field, 4095, &e, err) < 0)
                                return -1;
                }
                *out = actions[i].takes_errno ? actions[i].action | (uint32_t)e : actions[i].action;
                return 0;
        }
        return bad(err, field, "unknown action \"%s\" (expected SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, SCMP_ACT_KILL, "
                               "SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, SCMP_ACT_TRAP, SCMP_ACT_TRACE or "
                               "SCMP_ACT_LOG)",
                   name);
}

static int parse_arch(json_object *o, const char *field, uint32_t *out, rc_error **err)
{
        const char *s;

        if (get_string(o, field, MAX_NAME, &s, err) < 0)
                return -1;
        if (rc_seccomp_arch_from_name(s, out) < 0)
                return bad(err, field, "unknown architecture \"%s\" (expected a name such as SCMP_ARCH_X86_64)", s);
        return 0;
}

static int parse_arch_list(json_object *o, const char *field, uint32_t **out, size_t *n, rc_error **err)
{
        cleanup_free uint32_t *v = NULL;
        size_t len;

        *n = 0;
        if (o == NULL)
                return 0;
        if (!json_object_is_type(o, json_type_array))
                return bad(err, field, "expected a list of architectures, got %s", type_name(o));
        len = json_object_array_length(o);
        if (len > MAX_LIST)
                return bad(err, field, "%zu entries, at most %d allowed", len, MAX_LIST);
        v = xcalloc(len ? len : 1, sizeof(*v));
        for (size_t i = 0; i < len; i++) {
                char sub[160];
                snprintf(sub, sizeof(sub), "%s[%zu]", field, i);
                if (parse_arch(json_object_array_get_idx(o, i), sub, &v[i], err) < 0)
                        return -1;
        }
        *out = steal_pointer(&v);
        *n = len;
        return 0;
}

static int parse_arch_map(json_object *o, struct rc_seccomp_profile *p, rc_error **err)
{
        static const char *const keys[] = { "architecture", "subArchitectures", NULL };
        size_t len;

        if (o == NULL)
                return 0;
        if (!json_object_is_type(o, json_type_array))
                return bad(err, "archMap", "expected a list, got %s", type_name(o));
        len = json_object_array_length(o);
        if (len > MAX_LIST)
                return bad(err, "archMap", "%zu entries, at most %d allowed", len, MAX_LIST);
        p->arch_map = xcalloc(len ? len : 1, sizeof(*p->arch_map));
        for (size_t i = 0; i < len; i++) {
                json_object *e = json_object_array_get_idx(o, i), *a;
                char field[64], sub[96];

                snprintf(field, sizeof(field), "archMap[%zu]", i);
                if (!json_object_is_type(e, json_type_object))
                        return bad(err, field, "expected an object, got %s", type_name(e));
                if (check_keys(e, field, keys, err) < 0)
                        return -1;
                snprintf(sub, sizeof(sub), "%s.architecture", field);
                if (!json_object_object_get_ex(e, "architecture", &a))
                        return bad(err, sub, "missing");
                if (parse_arch(a, sub, &p->arch_map[i].arch, err) < 0)
                        return -1;
                snprintf(sub, sizeof(sub), "%s.subArchitectures", field);
                json_object_object_get_ex(e, "subArchitectures", &a);
                if (parse_arch_list(a, sub, &p->arch_map[i].subs, &p->arch_map[i].n_subs, err) < 0)
                        return -1;
                p->n_arch_map = i + 1;
        }
        return 0;
}

static int parse_cond(json_object *o, const char *field, struct rc_seccomp_cond *c, rc_error **err)
{
        static const char *const keys[] = { "caps", "arches", "minKernel", NULL };
        char sub[192];
        json_object *v;

        if (o == NULL)
                return 0;
        if (!json_object_is_type(o, json_type_object))
                return bad(err, field, "expected an object, got %s", type_name(o));
        if (check_keys(o, field, keys, err) < 0)
                return -1;
        snprintf(sub, sizeof(sub), "%s.caps", field);
        if (json_object_object_get_ex(o, "caps", &v) && get_strv(v, sub, MAX_LIST, &c->caps, err) < 0)
                return -1;
        snprintf(sub, sizeof(sub), "%s.arches", field);
        if (json_object_object_get_ex(o, "arches", &v) && get_strv(v, sub, MAX_LIST, &c->arches, err) < 0)
                return -1;
        snprintf(sub, sizeof(sub), "%s.minKernel", field);
        if (json_object_object_get_ex(o, "minKernel", &v) && v != NULL) {
                const char *s;
                if (get_string(v, sub, 32, &s, err) < 0)
                        return -1;
                if (rc_seccomp_parse_kernel(s, &c->min_kernel) < 0)
                        return bad(err, sub, "\"%s\" is not a kernel version such as \"4.8\"", s);
        }
        return 0;
}

static int parse_op(json_object *o, const char *field, int *op, rc_error **err)
{
        static const char *const ops[] = { [SCMP_CMP_NE] = "SCMP_CMP_NE", [SCMP_CMP_LT] = "SCMP_CMP_LT",
                                           [SCMP_CMP_LE] = "SCMP_CMP_LE", [SCMP_CMP_EQ] = "SCMP_CMP_EQ",
                                           [SCMP_CMP_GE] = "SCMP_CMP_GE", [SCMP_CMP_GT] = "SCMP_CMP_GT",
                                           [SCMP_CMP_MASKED_EQ] = "SCMP_CMP_MASKED_EQ" };
        const char *s;

        if (o == NULL)
                return bad(err, field, "missing");
        if (get_string(o, field, MAX_NAME, &s, err) < 0)
                return -1;
        for (int i = SCMP_CMP_NE; i < _SCMP_CMP_MAX; i++) {
                if (strcmp(s, ops[i]) == 0) {
                        *op = i;
                        return 0;
                }
        }
        return bad(err, field, "unknown operator \"%s\" (expected SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, "
                               "SCMP_CMP_EQ, SCMP_CMP_GE, SCMP_CMP_GT or SCMP_CMP_MASKED_EQ)",
                   s);
}

static int parse_args(json_object *o, const char *field, struct rc_seccomp_rule *r, rc_error **err)
{
        static const char *const keys[] = { "index", "value", "valueTwo", "op", NULL };
        size_t len;

        if (o == NULL)
                return 0;
        if (!json_object_is_type(o, json_type_array))
                return bad(err, field, "expected a list, got %s", type_name(o));
        len = json_object_array_length(o);
        if (len > 6)
                return bad(err, field, "%zu comparisons, at most 6 allowed (one per argument)", len);
        r->args = xcalloc(len ? len : 1, sizeof(*r->args));
        for (size_t i = 0; i < len; i++) {
                json_object *a = json_object_array_get_idx(o, i), *v;
                struct rc_seccomp_arg *arg = &r->args[i];
                char f[192], sub[256];
                uint64_t index;

                snprintf(f, sizeof(f), "%s[%zu]", field, i);
                if (!json_object_is_type(a, json_type_object))
                        return bad(err, f, "expected an object, got %s", type_name(a));
                if (check_keys(a, f, keys, err) < 0)
                        return -1;
                snprintf(sub, sizeof(sub), "%s.index", f);
                if (!json_object_object_get_ex(a, "index", &v))
                        return bad(err, sub, "missing");
                if (get_uint(v, sub, 5, &index, err) < 0)
                        return -1;
                arg->index = (unsigned)index;
                snprintf(sub, sizeof(sub), "%s.value", f);
                if (json_object_object_get_ex(a, "value", &v) && get_uint(v, sub, UINT64_MAX, &arg->value, err) < 0)
                        return -1;
                snprintf(sub, sizeof(sub), "%s.valueTwo", f);
                if (json_object_object_get_ex(a, "valueTwo", &v) &&
                    get_uint(v, sub, UINT64_MAX, &arg->value_two, err) < 0)
                        return -1;
                snprintf(sub, sizeof(sub), "%s.op", f);
                json_object_object_get_ex(a, "op", &v);
                if (parse_op(v, sub, &arg->op, err) < 0)
                        return -1;
                r->n_args = i + 1;
        }
        return 0;
}

static int check_syscall_names(char **names, const char *field, rc_error **err)
{
        for (size_t i = 0; names[i]; i++)
                for (const char *c = names[i]; *c; c++)
                        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_'))
                                return bad(err, field, "\"%s\" is not a system call name", names[i]);
        return 0;
}

static int parse_rule(json_object *o, const char *field, struct rc_seccomp_rule *r, rc_error **err)
{
        static const char *const keys[] = { "names", "name", "action", "errnoRet", "args", "includes", "excludes",
                                            NULL };
        json_object *names, *name, *action = NULL, *errno_ret = NULL, *v = NULL;
        char sub[128], sub2[128];

        if (!json_object_is_type(o, json_type_object))
                return bad(err, field, "expected an object, got %s", type_name(o));
        if (check_keys(o, field, keys, err) < 0)
                return -1;
        snprintf(sub, sizeof(sub), "%s.names", field);
        if (json_object_object_get_ex(o, "names", &names)) {
                if (get_strv(names, sub, RC_SECCOMP_MAX_NAMES, &r->names, err) < 0)
                        return -1;
        } else if (json_object_object_get_ex(o, "name", &name)) { /* the older form: one name */
                const char *s;
                snprintf(sub, sizeof(sub), "%s.name", field);
                if (get_string(name, sub, MAX_NAME, &s, err) < 0)
                        return -1;
                r->names = xcalloc(1, sizeof(char *));
                strv_push(&r->names, s);
        } else {
                return bad(err, sub, "missing");
        }
        if (r->names[0] == NULL)
                return bad(err, sub, "empty");
        if (check_syscall_names(r->names, sub, err) < 0)
                return -1;
        json_object_object_get_ex(o, "action", &action);
        json_object_object_get_ex(o, "errnoRet", &errno_ret);
        snprintf(sub, sizeof(sub), "%s.action", field);
        snprintf(sub2, sizeof(sub2), "%s.errnoRet", field);
        if (parse_action(action, errno_ret, sub, sub2, &r->action, err) < 0)
                return -1;
        snprintf(sub, sizeof(sub), "%s.args", field);
        if (json_object_object_get_ex(o, "args", &v) && parse_args(v, sub, r, err) < 0)
                return -1;
        snprintf(sub, sizeof(sub), "%s.includes", field);
        if (json_object_object_get_ex(o, "includes", &v) && parse_cond(v, sub, &r->includes, err) < 0)
                return -1;
        snprintf(sub, sizeof(sub), "%s.excludes", field);
        if (json_object_object_get_ex(o, "excludes", &v) && parse_cond(v, sub, &r->excludes, err) < 0)
                return -1;
        return 0;
}

static int parse_syscalls(json_object *o, struct rc_seccomp_profile *p, rc_error **err)
{
        size_t len;

        if (o == NULL)
                return 0;
        if (!json_object_is_type(o, json_type_array))
                return bad(err, "syscalls", "expected a list, got %s", type_name(o));
        len = json_object_array_length(o);
        if (len > RC_SECCOMP_MAX_RULES)
                return bad(err, "syscalls", "%zu rules, at most %d allowed", len, RC_SECCOMP_MAX_RULES);
        p->rules = xcalloc(len ? len : 1, sizeof(*p->rules));
        for (size_t i = 0; i < len; i++) {
                char field[64];
                snprintf(field, sizeof(field), "syscalls[%zu]", i);
                p->n_rules = i + 1; /* freed with the profile from here on */
                if (parse_rule(json_object_array_get_idx(o, i), field, &p->rules[i], err) < 0)
                        return -1;
        }
        return 0;
}

static void json_putp(json_object **o)
{
        if (*o)
                json_object_put(*o);
}

static int parse_top(json_object *root, struct rc_seccomp_profile *p, rc_error **err)
{
        static const char *const keys[] = { "defaultAction", "defaultErrnoRet", "architectures", "archMap",
                                            "syscalls", "flags", "listenerPath", "listenerMetadata", NULL };
        json_object *action = NULL, *errno_ret = NULL, *v = NULL;

        if (!json_object_is_type(root, json_type_object))
                return bad(err, "profile", "expected a JSON object, got %s", type_name(root));
        if (check_keys(root, "profile", keys, err) < 0)
                return -1;
        if (json_object_object_get_ex(root, "flags", &v) && v != NULL &&
            !(json_object_is_type(v, json_type_array) && json_object_array_length(v) == 0))
                return bad(err, "flags", "filter flags are not supported (rc chooses them)");
        if (json_object_object_get_ex(root, "listenerPath", &v) && v != NULL)
                return bad(err, "listenerPath", "seccomp listeners are not supported");
        if (json_object_object_get_ex(root, "listenerMetadata", &v) && v != NULL)
                return bad(err, "listenerMetadata", "seccomp listeners are not supported");
        json_object_object_get_ex(root, "defaultAction", &action);
        json_object_object_get_ex(root, "defaultErrnoRet", &errno_ret);
        if (parse_action(action, errno_ret, "defaultAction", "defaultErrnoRet", &p->default_action, err) < 0)
                return -1;
        v = NULL;
        json_object_object_get_ex(root, "architectures", &v);
        if (parse_arch_list(v, "architectures", &p->arches, &p->n_arches, err) < 0)
                return -1;
        v = NULL;
        json_object_object_get_ex(root, "archMap", &v);
        if (parse_arch_map(v, p, err) < 0)
                return -1;
        v = NULL;
        json_object_object_get_ex(root, "syscalls", &v);
        return parse_syscalls(v, p, err);
}

int rc_seccomp_profile_parse(const char *json, size_t len, const char *name, struct rc_seccomp_profile **out,
                             rc_error **err)
{
        cleanup_seccomp_profile struct rc_seccomp_profile *p = xcalloc(1, sizeof(*p));
        __attribute__((cleanup(json_putp))) json_object *root = NULL;
        json_tokener *tok;
        enum json_tokener_error jerr;
        size_t used;

        p->name = xstrdup(name);
        if (len > RC_SECCOMP_MAX_PROFILE)
                return rc_error_set(err, EFBIG, "seccomp profile %s: larger than %d bytes", name,
                                    RC_SECCOMP_MAX_PROFILE);
        if (memchr(json, '\0', len))
                return rc_error_set(err, 0, "seccomp profile %s: not JSON text (contains a NUL byte)", name);
        tok = json_tokener_new_ex(MAX_DEPTH);
        root = json_tokener_parse_ex(tok, json, (int)len);
        jerr = json_tokener_get_error(tok);
        used = json_tokener_get_parse_end(tok);
        json_tokener_free(tok);
        if (jerr == json_tokener_continue || (jerr == json_tokener_success && root == NULL && len > 0))
                return rc_error_set(err, 0, "seccomp profile %s: invalid JSON: unexpected end of input", name);
        if (jerr != json_tokener_success)
                return rc_error_set(err, 0, "seccomp profile %s: invalid JSON at byte %zu: %s", name, used,
                                    json_tokener_error_desc(jerr));
        for (; used < len; used++)
                if (json[used] != ' ' && json[used] != '\n' && json[used] != '\t' && json[used] != '\r')
                        return rc_error_set(err, 0, "seccomp profile %s: invalid JSON: trailing data at byte %zu",
                                            name, used);
        if (parse_top(root, p, err) < 0)
                return rc_error_wrap(err, "seccomp profile %s", name);
        rc_seccomp_sha256(json, len, p->source);
        *out = steal_pointer(&p);
        return 0;
}

int rc_seccomp_profile_read(const char *path, struct rc_seccomp_profile **out, rc_error **err)
{
        cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        cleanup_free char *text = NULL;
        struct stat st;
        size_t len;

        if (fd < 0)
                return rc_error_set(err, errno, "seccomp profile %s", path);
        if (fstat(fd, &st) < 0)
                return rc_error_set(err, errno, "seccomp profile %s", path);
        if (!S_ISREG(st.st_mode))
                return rc_error_set(err, 0, "seccomp profile %s: not a regular file", path);
        if (st.st_size > RC_SECCOMP_MAX_PROFILE)
                return rc_error_set(err, EFBIG, "seccomp profile %s: larger than %d bytes", path,
                                    RC_SECCOMP_MAX_PROFILE);
        if (rc_read_fd(fd, &text, &len, err) < 0)
                return rc_error_wrap(err, "seccomp profile %s", path);
        return rc_seccomp_profile_parse(text, len, path, out, err);
}
