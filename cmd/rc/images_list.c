/* Loading, filtering, splitting and sorting what rc images lists. */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "format/format.h"
#include "images/images.h"
#include "images_list.h"
#include "util/xalloc.h"

void rc_cli_split_name(const char *name, char **repo, char **tag)
{
        const char *slash = strrchr(name, '/');
        const char *at = strchr(slash ? slash : name, '@');
        const char *colon = strrchr(slash ? slash : name, ':');

        if (at) {
                *repo = xstrndup(name, (size_t)(at - name));
                *tag = xstrdup("<none>");
                /* "repo:tag@digest": the tag before the digest */
                if (colon && colon < at) {
                        free(*repo);
                        *repo = xstrndup(name, (size_t)(colon - name));
                        free(*tag);
                        *tag = xstrndup(colon + 1, (size_t)(at - colon - 1));
                }
        } else if (colon) {
                *repo = xstrndup(name, (size_t)(colon - name));
                *tag = xstrdup(colon + 1);
        } else {
                *repo = xstrdup(name);
                *tag = xstrdup("<none>");
        }
}

static void info_free(struct rc_image_info *e)
{
        rc_image_free(&e->img);
        json_object_put(e->labels);
}

/* Keep only the names of `what`'s repository (its exact name when it has a
 * tag or digest), short names also matching localhost/NAME; drop images
 * left without. */
static int filter_what(struct rc_image_list *l, const char *what, rc_error **err)
{
        struct rc_reference ref = { 0 };
        const char *last = strrchr(what, '/');
        bool exact = strchr(last ? last : what, ':') != NULL || strchr(what, '@') != NULL;
        char *want[2] = { NULL, NULL };
        size_t kept = 0;

        if (rc_reference_parse(what, &ref, err) < 0)
                return -1;
        want[0] = exact ? rc_reference_string(&ref) : rc_reference_name(&ref);
        if (!rc_reference_has_domain(what)) {
                const char *path = strncmp(ref.path, "library/", 8) == 0 && !strchr(what, '/') ? ref.path + 8 : ref.path;
                want[1] = !exact  ? xasprintf("localhost/%s", path)
                          : ref.digest ? xasprintf("localhost/%s@%s", path, ref.digest)
                                       : xasprintf("localhost/%s:%s", path, ref.tag);
        }
        for (size_t i = 0; i < l->n; i++) {
                struct rc_image_info *e = &l->infos[i];
                char **names = xcalloc(1, sizeof(char *));
                for (size_t j = 0; e->img.names && e->img.names[j]; j++) {
                        cleanup_free char *repo = NULL, *tag = NULL;
                        rc_cli_split_name(e->img.names[j], &repo, &tag);
                        for (size_t k = 0; k < 2; k++)
                                if (want[k] && strcmp(exact ? e->img.names[j] : repo, want[k]) == 0) {
                                        strv_push(&names, e->img.names[j]);
                                        break;
                                }
                }
                strv_free(e->img.names);
                e->img.names = names;
                if (names[0] == NULL) {
                        info_free(e);
                        continue;
                }
                l->infos[kept++] = *e;
        }
        l->n = kept;
        free(want[0]);
        free(want[1]);
        rc_reference_free(&ref);
        return 0;
}

/* podman's reference filter: the pattern (path.Match rules) against a name
 * with and without its registry, path and tag. */
static bool reference_matches(const char *pattern, const struct rc_image_info *e)
{
        for (size_t i = 0; e->img.names && e->img.names[i]; i++) {
                const char *full = e->img.names[i];
                cleanup_free char *repo = NULL, *tag = NULL;
                const char *slash = strchr(full, '/');
                const char *path = slash && rc_reference_has_domain(full) ? slash + 1 : full;
                rc_cli_split_name(full, &repo, &tag);
                const char *last = strrchr(full, '/') ? strrchr(full, '/') + 1 : full;
                const char *repo_path = strchr(repo, '/') && rc_reference_has_domain(repo) ? strchr(repo, '/') + 1 : repo;
                const char *repo_last = strrchr(repo, '/') ? strrchr(repo, '/') + 1 : repo;
                const char *candidates[] = { full, repo_path, last, repo, path, repo_last };
                for (size_t k = 0; k < sizeof(candidates) / sizeof(candidates[0]); k++)
                        if (fnmatch(pattern, candidates[k], FNM_PATHNAME) == 0)
                                return true;
        }
        return false;
}

static bool label_matches(const char *want, json_object *labels)
{
        const char *eq = strchr(want, '=');
        cleanup_free char *key = eq ? xstrndup(want, (size_t)(eq - want)) : xstrdup(want);
        json_object *v = NULL;

        if (labels == NULL || !json_object_object_get_ex(labels, key, &v))
                return false;
        return eq == NULL || strcmp(json_object_get_string(v), eq + 1) == 0;
}

/* A time for until=: unix seconds, RFC 3339 or a duration ago ("10m"). */
static int parse_until(const char *v, int64_t now, int64_t *out)
{
        char *end;
        long long n = strtoll(v, &end, 10);
        int64_t t = rc_format_parse_rfc3339(v);

        if (t >= 0) {
                *out = t;
                return 0;
        }
        if (end != v && *end == '\0') {
                *out = n;
                return 0;
        }
        if (end != v && end[1] == '\0' && strchr("smh", *end)) {
                *out = now - n * (*end == 's' ? 1 : *end == 'm' ? 60 : 3600);
                return 0;
        }
        return -1;
}

static int bool_value(const char *key, const char *v, bool *out, rc_error **err)
{
        if (strcmp(v, "true") && strcmp(v, "false"))
                return rc_error_code(err, EINVAL, "non-boolean value \"%s\" for %s filter", v, key);
        *out = strcmp(v, "true") == 0;
        return 0;
}

/* Does image e pass the filter "key=value" (or "key!=value")? */
static int filter_one(struct rc_store *s, const char *f, const struct rc_image_info *e, bool *pass, rc_error **err)
{
        const char *eq = strchr(f, '=');
        bool negate = eq && eq > f && eq[-1] == '!', b = false;
        cleanup_free char *key = NULL;
        const char *v;
        struct rc_image ref_img;
        int64_t t;

        if (eq == NULL || eq == f)
                return rc_error_code(err, EINVAL, "invalid image filter \"%s\": must be in the format \"filter=value or "
                                                 "filter!=value\"", f);
        key = xstrndup(f, (size_t)(eq - f - negate));
        v = eq + 1;
        if (!strcmp(key, "dangling") || !strcmp(key, "containers") || !strcmp(key, "readonly") ||
            !strcmp(key, "intermediate")) {
                if (bool_value(key, v, &b, err) < 0)
                        return -1;
                *pass = !strcmp(key, "dangling")       ? e->dangling == b
                        : !strcmp(key, "containers")   ? (e->containers > 0) == b
                        : !strcmp(key, "intermediate") ? e->intermediate == b
                                                       : !b; /* no read-only images in rc */
        } else if (!strcmp(key, "label")) {
                *pass = label_matches(v, e->labels);
        } else if (!strcmp(key, "reference")) {
                *pass = reference_matches(v, e);
        } else if (!strcmp(key, "id")) {
                const char *hex = strncmp(v, "sha256:", 7) == 0 ? v + 7 : v;
                *pass = strncmp(e->img.id, hex, strlen(hex)) == 0;
        } else if (!strcmp(key, "before") || !strcmp(key, "since") || !strcmp(key, "after")) {
                struct rc_image_config cfg = { 0 };
                if (rc_images_resolve(s, v, &ref_img, err) < 0)
                        return rc_error_wrap(err, "could not find local image for filter \"%s\"=\"%s\"", key, v);
                t = ref_img.created;
                if (rc_images_load_config(s, &ref_img, &cfg, err) == 0)
                        t = rc_images_created(cfg.created);
                else
                        rc_error_free(*err), *err = NULL;
                rc_image_config_free(&cfg);
                rc_image_free(&ref_img);
                *pass = !strcmp(key, "before") ? e->created < t : e->created > t;
        } else if (!strcmp(key, "until")) {
                if (parse_until(v, (int64_t)time(NULL), &t) < 0)
                        return rc_error_code(err, EINVAL, "until=%s: give a unix time, an RFC 3339 time or a duration "
                                                         "such as 10m", v);
                *pass = e->created < t;
        } else {
                return rc_error_code(err, EINVAL, "unsupported image filter \"%s\"", key);
        }
        if (negate)
                *pass = !*pass;
        return 0;
}

static int apply_filters(struct rc_store *s, struct rc_image_list *l, char *const *filters, rc_error **err)
{
        size_t kept = 0;

        for (size_t i = 0; i < l->n; i++) {
                bool pass = true;
                for (size_t k = 0; filters && filters[k] && pass; k++)
                        if (filter_one(s, filters[k], &l->infos[i], &pass, err) < 0)
                                return -1;
                if (pass)
                        l->infos[kept++] = l->infos[i];
                else
                        info_free(&l->infos[i]);
        }
        l->n = kept;
        return 0;
}

/* Labels of a config's "key=value" list as a JSON object, or NULL. */
static json_object *labels_json(char *const *labels)
{
        json_object *o;

        if (labels == NULL)
                return NULL;
        o = json_object_new_object();
        for (size_t i = 0; labels[i]; i++) {
                const char *eq = strchr(labels[i], '=');
                cleanup_free char *k = xstrndup(labels[i], (size_t)(eq - labels[i]));
                json_object_object_add(o, k, json_object_new_string(eq + 1));
        }
        return o;
}

int rc_images_list_load(struct rc_cli *cli, const char *what, char *const *filters, bool all,
                        struct rc_image_list *out, rc_error **err)
{
        cleanup_store struct rc_store *s = NULL;
        struct rc_image *imgs = NULL;
        struct rc_container_rec *ctrs = NULL;
        size_t n = 0, n_ctrs = 0;

        memset(out, 0, sizeof(*out));
        /* Listing needs neither the user namespace nor the write lock,
         * unless an interrupted or killed rc left staging to collect. */
        if (rc_store_has_dead_staging(cli->cfg.root) ? rc_cli_open_store_rw(cli, &s, err) < 0
                                                     : rc_store_open(cli->cfg.root, cli->cfg.runroot, &s, err) < 0)
                return -1;
        if (rc_store_image_list(s, &imgs, &n, err) < 0)
                return -1;
        if (rc_store_container_list(s, &ctrs, &n_ctrs, err) < 0) {
                rc_image_list_free(imgs, n);
                return -1;
        }
        out->infos = xcalloc(n + 1, sizeof(*out->infos));
        for (size_t i = 0; i < n; i++) {
                struct rc_image_info *e = &out->infos[out->n];
                struct rc_image_config cfg = { 0 };
                rc_error *e2 = NULL;
                /* a build step's image, kept as its cache (podman's intermediate images) */
                bool intermediate = rc_store_image_intermediate(s, imgs[i].id);
                if (!all && intermediate) {
                        rc_image_free(&imgs[i]);
                        continue;
                }
                e->img = imgs[i];
                e->intermediate = intermediate;
                e->created = imgs[i].created;
                /* a config that cannot be read leaves the store's facts */
                if (rc_images_load_config(s, &e->img, &cfg, &e2) == 0) {
                        e->created = rc_images_created(cfg.created);
                        e->labels = labels_json(cfg.labels);
                }
                rc_error_free(e2);
                rc_image_config_free(&cfg);
                e->dangling = strv_len(e->img.names) == 0;
                for (size_t k = 0; k < n_ctrs; k++)
                        e->containers += strcmp(ctrs[k].image_id, e->img.id) == 0;
                out->n++;
        }
        free(imgs); /* the records moved into infos */
        rc_container_list_free(ctrs, n_ctrs);
        if ((what && filter_what(out, what, err) < 0) || apply_filters(s, out, filters, err) < 0) {
                rc_images_list_free(out);
                return -1;
        }
        return 0;
}

int rc_images_list_sort_valid(const char *sort)
{
        static const char *const keys[] = { "created", "id", "repository", "size", "tag" };

        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
                if (strcmp(sort, keys[i]) == 0)
                        return 0;
        return -1;
}

static const char *sort_key;

static int cmp_rows(const void *pa, const void *pb)
{
        const struct rc_image_row *a = pa, *b = pb;
        int c = 0;

        if (!strcmp(sort_key, "id"))
                c = strcmp(a->info->img.id, b->info->img.id);
        else if (!strcmp(sort_key, "repository"))
                c = strcmp(a->repo, b->repo);
        else if (!strcmp(sort_key, "tag"))
                c = strcmp(a->tag, b->tag);
        else if (!strcmp(sort_key, "size"))
                c = a->info->img.size < b->info->img.size ? -1 : a->info->img.size > b->info->img.size;
        else /* created: newest first */
                c = a->info->created > b->info->created ? -1 : a->info->created < b->info->created;
        /* a stable order for ties: the rows as listed */
        return c ? c : a->seq < b->seq ? -1 : a->seq > b->seq;
}

void rc_images_list_rows(struct rc_image_list *l, const char *sort)
{
        size_t n = 0;

        for (size_t i = 0; i < l->n; i++)
                n += strv_len(l->infos[i].img.names) + 1;
        l->rows = xcalloc(n + 1, sizeof(*l->rows));
        for (size_t i = 0; i < l->n; i++) {
                const struct rc_image_info *e = &l->infos[i];
                size_t first = l->n_rows;
                char *untagged_repo = NULL;
                /* a row per tagged name; a digest name only when there is no tag */
                for (size_t j = 0; e->img.names && e->img.names[j]; j++) {
                        char *repo, *tag;
                        rc_cli_split_name(e->img.names[j], &repo, &tag);
                        if (strcmp(tag, "<none>") == 0) {
                                if (untagged_repo == NULL)
                                        untagged_repo = repo;
                                else
                                        free(repo);
                                free(tag);
                                continue;
                        }
                        l->rows[l->n_rows] = (struct rc_image_row){ .info = e, .repo = repo, .tag = tag, .seq = l->n_rows };
                        l->n_rows++;
                }
                if (l->n_rows == first) {
                        l->rows[l->n_rows] = (struct rc_image_row){
                                .info = e, .repo = untagged_repo ? untagged_repo : xstrdup("<none>"),
                                .tag = xstrdup("<none>"), .seq = l->n_rows };
                        l->n_rows++;
                } else {
                        free(untagged_repo);
                }
        }
        sort_key = sort;
        qsort(l->rows, l->n_rows, sizeof(*l->rows), cmp_rows);
}

void rc_images_list_free(struct rc_image_list *l)
{
        for (size_t i = 0; i < l->n; i++)
                info_free(&l->infos[i]);
        for (size_t i = 0; i < l->n_rows; i++) {
                free(l->rows[i].repo);
                free(l->rows[i].tag);
        }
        free(l->infos);
        free(l->rows);
        memset(l, 0, sizeof(*l));
}
