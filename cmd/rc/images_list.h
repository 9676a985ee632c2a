/* What rc images lists: each image with what its config says, filtered
 * and split into rows (one per tagged name) as podman does. */
#ifndef RC_CMD_IMAGES_LIST_H
#define RC_CMD_IMAGES_LIST_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rc.h"
#include "store/store.h"

struct rc_image_info {
        struct rc_image img;
        int64_t created;      /* the config's "created", unix seconds */
        json_object *labels;  /* the config's labels, or NULL */
        size_t containers;    /* containers using it */
        bool dangling;        /* no names */
        bool intermediate;    /* a build step's image (rc_store_image_intermediate) */
};

struct rc_image_row {
        const struct rc_image_info *info;
        char *repo, *tag; /* "<none>" when the image has no such name */
        size_t seq;       /* listing order, for ties when sorting */
};

struct rc_image_list {
        struct rc_image_info *infos;
        size_t n;
        struct rc_image_row *rows;
        size_t n_rows;
};

/* The images `what` names (NULL: all; a repository lists its names, a
 * NAME:TAG only that name) that pass every --filter; the intermediate
 * images of builds only with `all`. */
int rc_images_list_load(struct rc_cli *cli, const char *what, char *const *filters, bool all,
                        struct rc_image_list *out, rc_error **err);
/* 0 for created, id, repository, size, tag; -1 otherwise. */
int rc_images_list_sort_valid(const char *sort);
/* One row per tagged name (or one "<none>" row), sorted. */
void rc_images_list_rows(struct rc_image_list *l, const char *sort);
void rc_images_list_free(struct rc_image_list *l);

/* "host/repo:tag" -> repository and tag ("<none>" without one; a digest
 * name "repo@sha256:..." has no tag). */
void rc_cli_split_name(const char *name, char **repo, char **tag);

#endif
