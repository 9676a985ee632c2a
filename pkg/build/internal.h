/* Internal to pkg/build. */
#ifndef RC_BUILD_INTERNAL_H
#define RC_BUILD_INTERNAL_H

#include <stddef.h>

#include "util/error.h"

/* A growing string, always NUL-terminated once anything was added. */
struct bld_buf {
        char *p;
        size_t len, cap;
};
void bld_buf_add(struct bld_buf *b, const char *s, size_t n);
void bld_buf_addc(struct bld_buf *b, char c);
/* The string (an empty one if nothing was added); b is reset. */
char *bld_buf_steal(struct bld_buf *b);


#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "build/build.h"
#include "image/image.h"
#include "mount/mount.h"
#include "store/store.h"

/* ---- layer.c: writing one layer ------------------------------------------------ */

struct bld_layer_writer;
/* Staging for a new layer in the store (a blob file, a directory). */
int bld_layer_begin(struct rc_store *s, struct bld_layer_writer **out, rc_error **err);
/* One tar entry: path (relative, no leading "/"), its metadata, a symlink's
 * target, or hardlink (an earlier entry's path); a regular file's data and
 * a directory's or file's xattrs are read from fd. */
int bld_layer_add(struct bld_layer_writer *w, const char *path, const struct stat *st, const char *target,
                  const char *hardlink, int fd, rc_error **err);
/* The OCI whiteout dir/.wh.NAME (name ".wh..opq" gives the opaque marker). */
int bld_layer_add_whiteout(struct bld_layer_writer *w, const char *dir, const char *name, rc_error **err);
size_t bld_layer_entries(const struct bld_layer_writer *w);
/* Close the tar; unless it has no entries (*empty), record the layer above
 * parent_chain ("" or NULL for a base layer) in the store.  Frees w. */
int bld_layer_finish(struct bld_layer_writer *w, const char *parent_chain, struct rc_layer *out, bool *empty,
                     rc_error **err);
/* Drop everything staged.  Frees w. */
void bld_layer_abort(struct bld_layer_writer *w);

/* ---- diff.c: a root file system's changes as tar entries ------------------------ */

struct bld_changes {
        enum rc_storage_driver driver;
        /* overlay, fuse-overlayfs: the writable (upper) directory;
         * vfs: the whole root, compared with lower_dirs */
        const char *dir;
        char *const *lower_dirs;   /* the image's layer directories, base first */
        /* a container rc's runtime set up: leave out the mount points it
         * created (etc/hosts, etc/hostname, etc/resolv.conf,
         * run/.containerenv, and dev, proc, sys, run, etc made for them) */
        bool skip_mount_points;
};

/* Write the changes: new and changed entries, deletions as whiteouts,
 * opaque directories as .wh..wh..opq.  Native overlay's whiteouts (char
 * 0:0, user.overlay.whiteout) and opaque directories (user.overlay.opaque),
 * and fuse-overlayfs's (char 0:0 or .wh.NAME, .wh..wh..opq and
 * user.fuseoverlayfs.opaque) are understood; no overlay xattr reaches the
 * layer.  Never follows a symlink of the tree. */
int bld_diff_write(struct bld_layer_writer *w, const struct bld_changes *c, rc_error **err);

/* bld_diff_write into a new layer above parent_chain.  *empty: no change,
 * no layer. */
int bld_commit_changes(struct rc_store *s, const struct bld_changes *c, const char *parent_chain,
                       struct rc_layer *out, bool *empty, rc_error **err);

/* ---- config.c: metadata instructions ------------------------------------------- */

struct bld_apply {
        char escape;
        rc_df_lookup_fn lookup; /* variables for ENV, LABEL, EXPOSE, VOLUME, WORKDIR, USER, STOPSIGNAL */
        void *ctx;
        bool cmd_set;           /* CMD was given in this stage: ENTRYPOINT keeps it */
};
/* Apply ENV, LABEL, EXPOSE, VOLUME, WORKDIR, USER, STOPSIGNAL, CMD,
 * ENTRYPOINT, MAINTAINER, SHELL, HEALTHCHECK or ONBUILD to c.  *desc: the
 * instruction with its variables expanded ("ENV A=1"), for history and
 * cache keys. */
int bld_config_apply(struct rc_image_config *c, const struct rc_df_inst *in, struct bld_apply *a, char **desc,
                     rc_error **err);
/* The argv of a RUN, CMD or ENTRYPOINT (args from index `from`): the
 * exec form as it is, the shell form through the config's SHELL. */
char **bld_command_args(const struct rc_image_config *c, const struct rc_df_inst *in, size_t from);
/* path joined to base (when relative) and cleaned lexically ("/a/../b/." -> "/b"). */
char *bld_clean_path(const char *base, const char *path);
/* A Go duration ("1m30s") in nanoseconds; -1 if malformed. */
int bld_parse_duration(const char *s, int64_t *ns);
/* "key=value" lists (Env, Labels). */
void bld_kv_set(char ***list, const char *key, const char *value);
const char *bld_kv_get(char *const *list, const char *key, size_t klen);

/* ---- image.c: recording an image rc made ------------------------------------------- */

/* "2006-01-02T15:04:05.999999999Z", now. */
char *bld_now_rfc3339(void);
/* Give the first layers of an image whose history names fewer layers
 * than it has (an imported one) an entry each, so entries and layers
 * match when steps are added. */
void bld_history_cover(struct rc_image_config *c, size_t n_layers);
/* Append an entry to the config's history. */
void bld_history_add(struct rc_image_config *c, const char *created, const char *created_by, const char *author,
                     const char *comment, bool empty_layer);
/* Record an image of config c (its diff_ids set from layers, chain ids
 * base first) with names (normalised; NULL-terminated, may be NULL or
 * hold only NULL): config and manifest blobs, the record; the names move
 * to it. */
int bld_image_store(struct rc_store *s, struct rc_image_config *c, char *const *layers, char *const *names,
                    char id_out[RC_DIGEST_HEX_LEN + 1], rc_error **err);

#endif
