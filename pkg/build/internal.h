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
#include "util/log.h"

/* ---- layer.c: writing one layer ------------------------------------------------ */

struct bld_layer_writer;
/* Staging for a new layer in the store (a blob file, a directory). */
int bld_layer_begin(struct rc_store *s, struct bld_layer_writer **out, rc_error **err);
/* One tar entry: path (relative, no leading "/"), its metadata, a symlink's
 * target, or hardlink (an earlier entry's path); a regular file's data and
 * a directory's or file's xattrs are read from fd. */
int bld_layer_add(struct bld_layer_writer *w, const char *path, const struct stat *st, const char *target,
                  const char *hardlink, int fd, rc_error **err);
/* A regular file of st's metadata holding data (a NUL-terminated string). */
int bld_layer_add_data(struct bld_layer_writer *w, const char *path, const struct stat *st, const char *data,
                       rc_error **err);
/* The OCI whiteout dir/.wh.NAME (name ".wh..opq" gives the opaque marker). */
int bld_layer_add_whiteout(struct bld_layer_writer *w, const char *dir, const char *name, rc_error **err);
size_t bld_layer_entries(const struct bld_layer_writer *w);
/* Close the tar; unless it has no entries (*empty), record the layer above
 * parent_chain ("" or NULL for a base layer) in the store.  Frees w. */
int bld_layer_finish(struct bld_layer_writer *w, const char *parent_chain, struct rc_layer *out, bool *empty,
                     rc_error **err);
/* Drop everything staged.  Frees w. */
void bld_layer_abort(struct bld_layer_writer *w);
/* A writer that writes nothing and lists the paths it is given ("dir/"
 * for a directory, "dir/.wh.name" for a deletion): what rc diff shows. */
struct bld_layer_writer *bld_layer_lister(void);
/* The list (NULL-terminated), and the writer freed. */
char **bld_layer_lister_take(struct bld_layer_writer *w);
/* The same writer extracting into an existing tree (a mounted root) the
 * way pkg/archive applies a layer to vfs (every name resolved inside
 * root_fd), with no blob: COPY's way to write into a container's root. */
int bld_tar_into(int root_fd, struct bld_layer_writer **out, rc_error **err);
/* Close the tar and wait for its extraction.  Frees w. */
int bld_tar_finish(struct bld_layer_writer *w, rc_error **err);

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
/* Whether the image whose layer directories are lower_dirs (base first)
 * has path ("etc/passwd"), its whiteouts and opaque directories applied. */
bool bld_lower_has(char *const *lower_dirs, const char *path);
/* A container's changes as bld_diff_write reads them (changes.c): its
 * driver, the directory of its changes (upper, or vfs's whole root) and
 * its image's layer directories, into ch (whose dir and lower_dirs point
 * at *changes_dir and *lower); *img gets its image. */
int bld_container_changes(struct rc_store *s, const struct rc_container_rec *rec, struct bld_changes *ch,
                          char **changes_dir, char ***lower, struct rc_image *img, rc_error **err);

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

/* ---- context.c: the build context and sources ------------------------------------ */

struct bld_ignore_pattern;
/* .containerignore / .dockerignore patterns (Docker's rules: "**", "!"
 * exceptions, a pattern matching a directory matches what is in it, the
 * last matching pattern decides). */
struct bld_ignore {
        struct bld_ignore_pattern *p;
        size_t n;
        bool has_exceptions;
};
int bld_ignore_parse(const char *text, const char *file, struct bld_ignore *out, rc_error **err);
/* Is rel (a cleaned path in the context) excluded? */
bool bld_ignore_match(const struct bld_ignore *ig, const char *rel);
void bld_ignore_free(struct bld_ignore *ig);

struct bld_context {
        int fd;   /* the context directory; -1: no context */
        char *path;
        struct bld_ignore ignore;
};
int bld_context_open(const char *dir, struct bld_context *out, rc_error **err);
void bld_context_close(struct bld_context *c);

/* openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS); "" is the root. */
int bld_openat_in_root(int root_fd, const char *path, int flags);
/* path cleaned lexically and made relative ("" for the root); *climbs
 * (may be NULL): some ".." went above the start. */
char *bld_clean_rel(const char *path, bool *climbs);
int bld_cmp_strp(const void *a, const void *b);

struct bld_source {
        char *rel;      /* its path in the root, cleaned */
        char *name;     /* its last component: its name under a directory destination */
        struct stat st; /* what it resolves to (symlinks followed inside the root) */
};
struct bld_sources {
        struct bld_source *v;
        size_t n;
        bool wildcard;  /* some source was a pattern */
};
/* Add the sources src names in root_fd (a path, or a pattern with * ? [...]
 * in any component); what: "build context" or "stage NAME" for messages.
 * Paths above the root are refused; an excluded or missing source is
 * ENOENT. */
int bld_sources_find(int root_fd, const struct bld_ignore *ig, const char *what, const char *src,
                     struct bld_sources *out, rc_error **err);
void bld_sources_free(struct bld_sources *s);

/* Called for each entry below a source directory, in sorted order, parents
 * first: sub is its path below the source, (dfd, name) the entry itself
 * (never followed). */
typedef int (*bld_walk_fn)(void *ctx, const char *sub, int dfd, const char *name, const struct stat *st,
                           rc_error **err);
/* Walk what a directory source holds (nothing for another source). */
int bld_source_walk(int root_fd, const struct bld_ignore *ig, const struct bld_source *src, bld_walk_fn fn,
                    void *ctx, rc_error **err);

/* ---- copy.c: COPY and ADD ------------------------------------------------------------ */

/* Content digests of files, remembered for the build (by device, inode,
 * size and times). */
struct bld_memo {
        void *tree;
        unsigned char *buf;
};
void bld_memo_free(struct bld_memo *m);

struct bld_doc {
        char *name;     /* a heredoc source's file name */
        char *content;
};

/* fetch.c: ADD of a URL */
struct bld_download {
        char *path;     /* the staged file */
        char *name;     /* the URL path's last component */
        char digest[RC_DIGEST_LEN + 1];
        time_t mtime;   /* Last-Modified, else now */
};
struct bld_builder;
int bld_fetch(struct bld_builder *b, const char *url, struct bld_download *out, rc_error **err);
/* Removes the staged file. */
void bld_download_free(struct bld_download *d);

struct bld_copy {
        bool add;                   /* ADD: local tar archives are extracted */
        struct bld_download *downloads; /* ADD's URLs, ended by a NULL path; may be NULL */
        int src_root;               /* the context, or a stage's mounted root */
        const struct bld_ignore *ignore; /* the context's, or NULL */
        struct bld_sources srcs;
        struct bld_doc *docs;       /* heredoc sources, ended by a NULL name; may be NULL */
        char *dest;                 /* absolute (WORKDIR applied) */
        bool dest_slash;            /* written as a directory ("dir/") */
        char *chown;                /* --chown, expanded; NULL: 0:0 */
        bool has_chmod;
        mode_t chmod;
};
/* A digest of what the copy reads: each source's path, the paths, types,
 * modes and content of what it holds, heredocs. */
int bld_copy_digest(const struct bld_copy *c, struct bld_memo *memo, char out[RC_DIGEST_LEN + 1], rc_error **err);
/* Copy into the root (a directory fd of a mounted container root), with
 * Docker's destination rules: into a directory when the destination ends
 * in "/" or is one, or several sources are given (then it must); a source
 * directory's content, not the directory. */
int bld_copy_apply(const struct bld_copy *c, int dst_root, rc_error **err);
/* --chown=user[:group] against the root's /etc/passwd and /etc/group. */
int bld_chown_resolve(int root_fd, const char *spec, uid_t *uid, gid_t *gid, rc_error **err);

/* ---- root.c: a stage's root file system, mounted for COPY --------------------------- */

struct bld_root {
        char *dir;                  /* staging directory in the store's tmp/ */
        struct rc_rootfs rootfs;    /* rootfs.path: the root */
        enum rc_storage_driver driver;
        char **lower_dirs;          /* the layers' directories, base first */
        char *changes;              /* upper directory, or the vfs root */
        int fd;                     /* the root, open */
};
/* Mount layers (chain ids, base first; none for an empty root) with a
 * throwaway writable layer. */
int bld_root_mount(const struct rc_config *cfg, struct rc_store *s, enum rc_storage_driver d, char *const *layers,
                   struct bld_root *out, rc_error **err);
/* The root's changes, for bld_commit_changes. */
struct bld_changes bld_root_changes(const struct bld_root *r);
/* Unmount and remove the staging (errors only logged: rc_store_gc
 * collects what is left). */
void bld_root_release(struct bld_root *r);

/* ---- the builder (build.c, run.c, step_copy.c) ------------------------------------- */

struct bld_stage {
        const struct rc_df_stage *def;
        bool started, done;
        struct rc_image_config config;
        char **layers;                        /* chain ids, base first */
        char image[RC_DIGEST_HEX_LEN + 1];    /* a stored image with exactly these layers; "" for none */
        bool dirty;                           /* config changed since `image` was stored */
        char key[RC_DIGEST_HEX_LEN + 1];      /* the cache key so far */
        char result[RC_DIGEST_HEX_LEN + 1];   /* the stage's image, once done */
        char **args;                          /* ARGs in scope: "K=V", or "K" without a value */
        struct bld_apply apply;
        unsigned step, n_steps;
};

struct bld_builder {
        const struct rc_config *cfg;
        struct rc_store *s;
        const struct rc_build_opts *o;
        struct rc_dockerfile df;
        struct bld_context ctx;
        struct bld_memo memo;
        enum rc_storage_driver driver;
        char **build_args;   /* "K=V" */
        char **used_args;    /* names of build args consumed */
        char **globals;      /* ARGs before the first FROM, and the platform args: "K=V" or "K" */
        struct bld_stage *stages;
        FILE *out;           /* progress, or NULL (quiet) */
        int exit_code;
        struct rc_timer timer; /* --log-level debug: each step's time */
};

/* Print a progress line (nothing when quiet). */
void bld_say(struct bld_builder *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Variables of a stage: its ENV, then its ARGs. */
const char *bld_stage_lookup(void *ctx, const char *name, size_t len);
/* key = sha256(key "\n" text). */
void bld_key_next(char key[RC_DIGEST_HEX_LEN + 1], const char *text);
/* The image cached for key (1, and the stage moves to it), or 0. */
int bld_cache_use(struct bld_builder *b, struct bld_stage *st, const char *key, rc_error **err);
/* Record a step's result: the stage's config with a history entry
 * (created_by) over its layers plus `layer` (unless NULL), stored and
 * cached under the stage's key. */
int bld_step_commit(struct bld_builder *b, struct bld_stage *st, const struct rc_layer *layer, const char *created_by,
                    rc_error **err);
/* Build stage i if it is not built yet. */
int bld_stage_build(struct bld_builder *b, size_t i, rc_error **err);
/* The stage a --from or FROM names (earlier than `before`), or NULL. */
const struct rc_df_stage *bld_named_stage(struct bld_builder *b, const char *name, size_t before);
/* A stored image, pulled if missing (or always with --pull): its id. */
int bld_image_get(struct bld_builder *b, const char *ref, bool pull_always, struct rc_image *out, rc_error **err);

/* run.c */
int bld_run(struct bld_builder *b, struct bld_stage *st, const struct rc_df_inst *in, rc_error **err);
/* step_copy.c */
int bld_copy_step(struct bld_builder *b, struct bld_stage *st, const struct rc_df_inst *in, rc_error **err);

#endif
