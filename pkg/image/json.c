/* Strict, bounded JSON reading and compact writing for the image formats. */
#include "image/internal.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/* json-c allocates a few hundred bytes per array or object, so a 4 MiB
 * document of "[]," would cost half a gigabyte; count containers first.
 * Real configs and manifests have one object per layer or history entry. */
#define MAX_CONTAINERS (10 * RC_IMAGE_MAX_ENTRIES)

static size_t count_containers(const char *json, size_t len)
{
        bool in_string = false;
        size_t n = 0;

        for (size_t i = 0; i < len; i++) {
                char c = json[i];
                if (in_string) {
                        if (c == '\\')
                                i++;
                        else if (c == '"')
                                in_string = false;
                } else if (c == '"') {
                        in_string = true;
                } else if (c == '{' || c == '[') {
                        n++;
                }
        }
        return n;
}

int rc_json_parse(const char *json, size_t len, const char *doc, enum json_type type, json_object **out,
                  rc_error **err)
{
        json_tokener *tok;
        json_object *obj;
        enum json_tokener_error e;
        size_t end;

        if (json == NULL || len == 0)
                return rc_error_set(err, 0, "%s: empty document", doc);
        if (len > RC_IMAGE_JSON_MAX)
                return rc_error_set(err, 0, "%s: %zu bytes is more than the limit of %d bytes", doc, len,
                                    RC_IMAGE_JSON_MAX);
        if (count_containers(json, len) > MAX_CONTAINERS)
                return rc_error_set(err, 0, "%s: more than %d JSON objects and arrays; refusing it", doc,
                                    MAX_CONTAINERS);
        /* json-c's default depth limit (32) keeps recursion bounded. */
        tok = json_tokener_new();
        if (tok == NULL)
                abort();
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
        obj = json_tokener_parse_ex(tok, json, (int)len);
        e = json_tokener_get_error(tok);
        end = json_tokener_get_parse_end(tok);
        json_tokener_free(tok);
        if (obj == NULL) {
                if (e == json_tokener_success) /* the document is "null" */
                        return rc_error_set(err, 0, "%s: must be a JSON %s", doc,
                                            type == json_type_array ? "array" : "object");
                if (e == json_tokener_continue)
                        return rc_error_set(err, 0, "%s: invalid JSON: unexpected end of document", doc);
                return rc_error_set(err, 0, "%s: invalid JSON at byte %zu: %s", doc, end,
                                    json_tokener_error_desc(e));
        }
        if (end != len) {
                json_object_put(obj);
                return rc_error_set(err, 0, "%s: invalid JSON: unexpected data at byte %zu", doc, end);
        }
        if (!json_object_is_type(obj, type)) {
                json_object_put(obj);
                return rc_error_set(err, 0, "%s: must be a JSON %s", doc,
                                    type == json_type_array ? "array" : "object");
        }
        *out = obj;
        return 0;
}

json_object *rc_json_member(json_object *obj, const char *key)
{
        json_object *v = NULL;

        if (!json_object_object_get_ex(obj, key, &v))
                return NULL;
        return v; /* NULL for JSON null as well */
}

int rc_json_check_string(json_object *s, const char *doc, const char *prefix, const char *key, rc_error **err)
{
        size_t len = (size_t)json_object_get_string_len(s);

        if (len > RC_IMAGE_MAX_STRING)
                return rc_error_set(err, 0, "%s: %s%s is longer than %d bytes", doc, prefix, key,
                                    RC_IMAGE_MAX_STRING);
        if (memchr(json_object_get_string(s), '\0', len))
                return rc_error_set(err, 0, "%s: %s%s contains a NUL character", doc, prefix, key);
        return 0;
}

int rc_json_get_object(json_object *obj, const char *doc, const char *prefix, const char *key, bool required,
                       json_object **out, rc_error **err)
{
        json_object *v = rc_json_member(obj, key);

        if (v == NULL) {
                if (required)
                        return rc_error_set(err, 0, "%s: %s%s is required", doc, prefix, key);
                *out = NULL;
                return 0;
        }
        if (!json_object_is_type(v, json_type_object))
                return rc_error_set(err, 0, "%s: %s%s must be an object", doc, prefix, key);
        if (json_object_object_length(v) > RC_IMAGE_MAX_ENTRIES)
                return rc_error_set(err, 0, "%s: %s%s has more than %d entries", doc, prefix, key,
                                    RC_IMAGE_MAX_ENTRIES);
        *out = v;
        return 0;
}

int rc_json_get_string(json_object *obj, const char *doc, const char *prefix, const char *key, bool required,
                       char **out, rc_error **err)
{
        json_object *v = rc_json_member(obj, key);

        if (v == NULL) {
                if (required)
                        return rc_error_set(err, 0, "%s: %s%s is required", doc, prefix, key);
                *out = NULL;
                return 0;
        }
        if (!json_object_is_type(v, json_type_string))
                return rc_error_set(err, 0, "%s: %s%s must be a string", doc, prefix, key);
        if (rc_json_check_string(v, doc, prefix, key, err) < 0)
                return -1;
        *out = xstrdup(json_object_get_string(v));
        return 0;
}

int rc_json_get_strv(json_object *obj, const char *doc, const char *prefix, const char *key, bool required,
                     char ***out, rc_error **err)
{
        json_object *v = rc_json_member(obj, key);
        cleanup_strv char **res = NULL;
        size_t n;

        if (v == NULL) {
                if (required)
                        return rc_error_set(err, 0, "%s: %s%s is required", doc, prefix, key);
                *out = NULL;
                return 0;
        }
        if (!json_object_is_type(v, json_type_array))
                goto bad;
        n = json_object_array_length(v);
        if (n > RC_IMAGE_MAX_ENTRIES)
                return rc_error_set(err, 0, "%s: %s%s has more than %d entries", doc, prefix, key,
                                    RC_IMAGE_MAX_ENTRIES);
        res = xcalloc(n + 1, sizeof(char *));
        for (size_t i = 0; i < n; i++) {
                json_object *s = json_object_array_get_idx(v, i);
                if (!json_object_is_type(s, json_type_string))
                        goto bad;
                if (rc_json_check_string(s, doc, prefix, key, err) < 0)
                        return -1;
                res[i] = xstrdup(json_object_get_string(s));
        }
        *out = steal_pointer(&res);
        return 0;
bad:
        return rc_error_set(err, 0, "%s: %s%s must be an array of strings", doc, prefix, key);
}

int rc_json_get_keys(json_object *obj, const char *doc, const char *prefix, const char *key, char ***out,
                     rc_error **err)
{
        json_object *v;
        cleanup_strv char **res = NULL;
        size_t i = 0;

        if (rc_json_get_object(obj, doc, prefix, key, false, &v, err) < 0)
                return -1;
        if (v == NULL) {
                *out = NULL;
                return 0;
        }
        res = xcalloc((size_t)json_object_object_length(v) + 1, sizeof(char *));
        json_object_object_foreach(v, k, val)
        {
                (void)val;
                if (strlen(k) > RC_IMAGE_MAX_STRING)
                        return rc_error_set(err, 0, "%s: %s%s has a key longer than %d bytes", doc, prefix,
                                            key, RC_IMAGE_MAX_STRING);
                res[i++] = xstrdup(k);
        }
        *out = steal_pointer(&res);
        return 0;
}

int rc_json_get_string_map(json_object *obj, const char *doc, const char *prefix, const char *key, char ***out,
                           rc_error **err)
{
        json_object *v;
        cleanup_strv char **res = NULL;
        size_t i = 0;

        if (rc_json_get_object(obj, doc, prefix, key, false, &v, err) < 0)
                return -1;
        if (v == NULL) {
                *out = NULL;
                return 0;
        }
        res = xcalloc((size_t)json_object_object_length(v) + 1, sizeof(char *));
        json_object_object_foreach(v, k, val)
        {
                if (!json_object_is_type(val, json_type_string))
                        return rc_error_set(err, 0, "%s: %s%s must map names to strings (\"%s\" does not)",
                                            doc, prefix, key, k);
                if (strlen(k) > RC_IMAGE_MAX_STRING)
                        return rc_error_set(err, 0, "%s: %s%s has a key longer than %d bytes", doc, prefix,
                                            key, RC_IMAGE_MAX_STRING);
                if (rc_json_check_string(val, doc, prefix, key, err) < 0)
                        return -1;
                /* "k=v" entries split at the first '=', so a key must not
                 * contain one or it would come back different. */
                if (strchr(k, '='))
                        return rc_error_set(err, 0, "%s: %s%s: name \"%s\" contains '='", doc, prefix, key,
                                            k);
                res[i++] = xasprintf("%s=%s", k, json_object_get_string(val));
        }
        *out = steal_pointer(&res);
        return 0;
}

int rc_json_get_size(json_object *obj, const char *doc, const char *prefix, const char *key, int64_t *out,
                     rc_error **err)
{
        json_object *v = rc_json_member(obj, key);
        int64_t n;

        if (v == NULL)
                return rc_error_set(err, 0, "%s: %s%s is required", doc, prefix, key);
        if (!json_object_is_type(v, json_type_int))
                return rc_error_set(err, 0, "%s: %s%s must be an integer", doc, prefix, key);
        n = json_object_get_int64(v);
        /* json-c keeps integers above INT64_MAX as uint64 and clamps. */
        if (n < 0 || json_object_get_uint64(v) > (uint64_t)INT64_MAX)
                return rc_error_set(err, 0, "%s: %s%s must be between 0 and %lld", doc, prefix, key,
                                    (long long)INT64_MAX);
        *out = n;
        return 0;
}

void rc_json_add_string(json_object *obj, const char *key, const char *s)
{
        if (s)
                json_object_object_add(obj, key, json_object_new_string(s));
}

void rc_json_add_strv(json_object *obj, const char *key, char *const *v)
{
        json_object *a;

        if (v == NULL)
                return;
        a = json_object_new_array();
        for (size_t i = 0; v[i]; i++)
                json_object_array_add(a, json_object_new_string(v[i]));
        json_object_object_add(obj, key, a);
}

void rc_json_add_keys(json_object *obj, const char *key, char *const *v)
{
        json_object *o;

        if (v == NULL)
                return;
        o = json_object_new_object();
        for (size_t i = 0; v[i]; i++)
                json_object_object_add(o, v[i], json_object_new_object());
        json_object_object_add(obj, key, o);
}

char *rc_json_to_string(json_object *obj)
{
        const char *s = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);

        if (s == NULL)
                abort(); /* json-c fails here only when out of memory */
        return xstrdup(s);
}
