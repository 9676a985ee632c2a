/* Volumes: names, records and their JSON. */
#include "volume/volume.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "store/store.h"
#include "util/log.h"
#include "util/xalloc.h"

bool rc_volume_name_valid(const char *name)
{
        static const char alnum[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        size_t len = name ? strlen(name) : 0;

        if (len == 0 || len > 255 || strchr(alnum, name[0]) == NULL)
                return false;
        for (size_t i = 1; i < len; i++)
                if (strchr(alnum, name[i]) == NULL && name[i] != '_' && name[i] != '.' && name[i] != '-')
                        return false;
        return true;
}

void rc_volume_free(struct rc_volume *v)
{
        free(v->name);
        free(v->mountpoint);
        strv_free(v->labels);
        strv_free(v->users);
        memset(v, 0, sizeof(*v));
}

void rc_volume_list_free(struct rc_volume *list, size_t n)
{
        for (size_t i = 0; i < n; i++)
                rc_volume_free(&list[i]);
        free(list);
}

/* "k=v" pairs as a JSON object's text ("" for none). */
static char *labels_to_text(char *const *labels)
{
        json_object *o;
        char *text;

        if (labels == NULL || labels[0] == NULL)
                return xstrdup("");
        o = json_object_new_object();
        for (size_t i = 0; labels[i]; i++) {
                const char *eq = strchr(labels[i], '=');
                cleanup_free char *key = xstrndup(labels[i], eq ? (size_t)(eq - labels[i]) : strlen(labels[i]));
                json_object_object_add(o, key, json_object_new_string(eq ? eq + 1 : ""));
        }
        text = xstrdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(o);
        return text;
}

static char **labels_from_text(const char *text)
{
        char **out = xcalloc(1, sizeof(char *));
        json_object *o = text && *text ? json_tokener_parse(text) : NULL;

        if (o && json_object_is_type(o, json_type_object)) {
                json_object_object_foreach(o, k, v) {
                        cleanup_free char *kv = xasprintf("%s=%s", k, json_object_get_string(v));
                        strv_push(&out, kv);
                }
        }
        json_object_put(o);
        return out;
}

static int from_rec(struct rc_store *s, struct rc_volume_rec *rec, struct rc_volume *out, rc_error **err)
{
        struct rc_volume v = { 0 };

        if (rc_store_volume_users(s, rec->name, &v.users, err) < 0)
                return -1;
        v.name = steal_pointer(&rec->name);
        v.mountpoint = rc_store_volume_dir(s, v.name);
        v.created = rec->created;
        v.labels = labels_from_text(rec->labels);
        v.anonymous = rec->anonymous;
        v.needs_copy_up = rec->needs_copy_up;
        *out = v;
        return 0;
}

int rc_volume_get(struct rc_store *s, const char *name, struct rc_volume *out, rc_error **err)
{
        struct rc_volume_rec rec = { 0 };
        int r;

        if (!rc_volume_name_valid(name))
                return rc_error_code(err, ENOENT, "no volume with name \"%s\" found: no such volume", name);
        if (rc_store_volume_get(s, name, &rec, err) < 0)
                return -1;
        r = from_rec(s, &rec, out, err);
        rc_volume_rec_free(&rec);
        return r;
}

int rc_volume_create(struct rc_store *s, const char *name, char *const *labels, bool anonymous, struct rc_volume *out,
                     rc_error **err)
{
        cleanup_free char *generated = NULL, *labels_text = labels_to_text(labels);
        struct rc_volume_rec rec = { 0 };

        if (name == NULL) {
                static const char hex[] = "0123456789abcdef";
                unsigned char b[32];
                while (getrandom(b, sizeof(b), 0) != sizeof(b))
                        ;
                generated = xmalloc(65);
                for (int i = 0; i < 32; i++) {
                        generated[2 * i] = hex[b[i] >> 4];
                        generated[2 * i + 1] = hex[b[i] & 15];
                }
                generated[64] = '\0';
                name = generated;
        }
        if (!rc_volume_name_valid(name))
                return rc_error_set(err, EINVAL,
                                    "\"%s\" is not a valid volume name: use letters, digits, _ . and -, starting with "
                                    "a letter or digit",
                                    name);
        rec.name = (char *)name;
        rec.created = (int64_t)time(NULL);
        rec.labels = labels_text;
        rec.anonymous = anonymous;
        if (rc_store_volume_add(s, &rec, err) < 0)
                return -1;
        return out ? rc_volume_get(s, name, out, err) : 0;
}

int rc_volume_ensure(struct rc_store *s, const char *name, struct rc_volume *out, rc_error **err)
{
        rc_error *e = NULL;

        for (int attempt = 0; attempt < 3; attempt++) {
                if (rc_volume_get(s, name, out, &e) == 0)
                        return 0;
                if (rc_error_errno(e) != ENOENT) {
                        *err = e;
                        return -1;
                }
                rc_error_free(e);
                e = NULL;
                if (rc_volume_create(s, name, NULL, false, out, &e) == 0)
                        return 0;
                /* another rc created it in between: take that one */
                if (rc_error_errno(e) != EEXIST) {
                        *err = e;
                        return -1;
                }
                rc_error_free(e);
                e = NULL;
        }
        return rc_error_set(err, EAGAIN, "volume %s: created and removed by others meanwhile", name);
}

int rc_volume_list(struct rc_store *s, struct rc_volume **out, size_t *n, rc_error **err)
{
        struct rc_volume_rec *recs = NULL;
        struct rc_volume *list;
        size_t count = 0;

        if (rc_store_volume_list(s, &recs, &count, err) < 0)
                return -1;
        list = xcalloc(count ? count : 1, sizeof(*list));
        for (size_t i = 0; i < count; i++) {
                if (from_rec(s, &recs[i], &list[i], err) < 0) {
                        rc_volume_list_free(list, i);
                        rc_volume_rec_list_free(recs, count);
                        return -1;
                }
        }
        rc_volume_rec_list_free(recs, count);
        *out = list;
        *n = count;
        return 0;
}

int rc_volume_remove(struct rc_store *s, const char *name, rc_error **err)
{
        if (!rc_volume_name_valid(name))
                return rc_error_code(err, ENOENT, "no volume with name \"%s\" found: no such volume", name);
        return rc_store_volume_remove(s, name, err);
}

int rc_volume_prune(struct rc_store *s, char ***removed, rc_error **err)
{
        struct rc_volume_rec *recs = NULL;
        size_t n = 0;

        if (removed)
                *removed = xcalloc(1, sizeof(char *));
        if (rc_store_volume_list(s, &recs, &n, err) < 0)
                return -1;
        for (size_t i = 0; i < n; i++) {
                rc_error *e = NULL;
                /* in use: the store refuses, and it stays */
                if (rc_store_volume_remove(s, recs[i].name, &e) < 0) {
                        if (rc_error_errno(e) != EBUSY && rc_error_errno(e) != ENOENT)
                                rc_warn("volume %s: %s", recs[i].name, e->msg);
                        rc_error_free(e);
                        continue;
                }
                if (removed)
                        strv_push(removed, recs[i].name);
        }
        rc_volume_rec_list_free(recs, n);
        return 0;
}

json_object *rc_volume_to_json(const struct rc_volume *v)
{
        json_object *o = json_object_new_object(), *labels = json_object_new_object();
        char created[64];
        struct tm tm;
        time_t t = (time_t)v->created;

        localtime_r(&t, &tm);
        strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%S%z", &tm);
        /* podman writes the zone as +01:00 */
        if (strlen(created) > 5 && strlen(created) < sizeof(created) - 1) {
                size_t n = strlen(created);
                memmove(created + n - 1, created + n - 2, 3);
                created[n - 2] = ':';
        }
        for (size_t i = 0; v->labels && v->labels[i]; i++) {
                const char *eq = strchr(v->labels[i], '=');
                cleanup_free char *key = xstrndup(v->labels[i], eq ? (size_t)(eq - v->labels[i]) : strlen(v->labels[i]));
                json_object_object_add(labels, key, json_object_new_string(eq ? eq + 1 : ""));
        }
        json_object_object_add(o, "Name", json_object_new_string(v->name));
        json_object_object_add(o, "Driver", json_object_new_string("local"));
        json_object_object_add(o, "Mountpoint", json_object_new_string(v->mountpoint));
        json_object_object_add(o, "CreatedAt", json_object_new_string(created));
        json_object_object_add(o, "Labels", labels);
        json_object_object_add(o, "Scope", json_object_new_string("local"));
        json_object_object_add(o, "Options", json_object_new_object());
        json_object_object_add(o, "MountCount", json_object_new_int(0)); /* podman: active mounts of a driver volume */
        json_object_object_add(o, "NeedsCopyUp", json_object_new_boolean(v->needs_copy_up));
        json_object_object_add(o, "NeedsChown", json_object_new_boolean(v->needs_copy_up));
        json_object_object_add(o, "Anonymous", json_object_new_boolean(v->anonymous));
        return o;
}
