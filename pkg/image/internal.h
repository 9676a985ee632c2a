/* JSON helpers shared by the image format parsers (internal to pkg/image).
 *
 * Getters report wrong types with the document and the field's path:
 * "image config: config.Env must be an array of strings".  `doc` names the
 * document, `prefix` is the path of the enclosing object ("" or
 * "config." or "layers[3].") and `key` the field. */
#ifndef RC_IMAGE_INTERNAL_H
#define RC_IMAGE_INTERNAL_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "image/image.h"

static inline void rc_json_putp(json_object **o)
{
        if (*o)
                json_object_put(*o);
}
#define cleanup_json __attribute__((cleanup(rc_json_putp)))

/* Parse a complete document whose top level must be of `type` (object or
 * array), within the size limits of image.h. */
int rc_json_parse(const char *json, size_t len, const char *doc, enum json_type type, json_object **out,
                  rc_error **err);

/* The member `key`, or NULL when absent or JSON null. */
json_object *rc_json_member(json_object *obj, const char *key);

/* Each getter leaves *out NULL (0) for an absent/null optional field and
 * fails for an absent required one. */
int rc_json_get_object(json_object *obj, const char *doc, const char *prefix, const char *key, bool required,
                       json_object **out, rc_error **err);
int rc_json_get_string(json_object *obj, const char *doc, const char *prefix, const char *key, bool required,
                       char **out, rc_error **err);
/* An array of strings. */
int rc_json_get_strv(json_object *obj, const char *doc, const char *prefix, const char *key, bool required,
                     char ***out, rc_error **err);
/* The keys of an object ({"80/tcp": {}} -> "80/tcp"); values are ignored. */
int rc_json_get_keys(json_object *obj, const char *doc, const char *prefix, const char *key, char ***out,
                     rc_error **err);
/* An object of string values as "key=value" entries. */
int rc_json_get_string_map(json_object *obj, const char *doc, const char *prefix, const char *key, char ***out,
                           rc_error **err);
/* A required integer in [0, INT64_MAX]. */
int rc_json_get_size(json_object *obj, const char *doc, const char *prefix, const char *key, int64_t *out,
                     rc_error **err);

/* Check a string value taken from JSON (length limit, no NUL byte). */
int rc_json_check_string(json_object *s, const char *doc, const char *prefix, const char *key, rc_error **err);

/* Builders; NULL values are omitted. */
void rc_json_add_string(json_object *obj, const char *key, const char *s);
void rc_json_add_strv(json_object *obj, const char *key, char *const *v);
/* {"k": {}, ...} from a vector of keys. */
void rc_json_add_keys(json_object *obj, const char *key, char *const *v);
/* Compact serialisation, malloc'd. */
char *rc_json_to_string(json_object *obj);

/* Descriptors, shared by manifests and indexes. */
int rc_descriptor_parse(json_object *obj, const char *doc, const char *prefix, bool with_platform,
                        struct rc_descriptor *out, rc_error **err);
int rc_descriptor_to_json(const struct rc_descriptor *d, const char *doc, const char *what, json_object **out,
                          rc_error **err);
void rc_descriptor_free(struct rc_descriptor *d);

#endif
