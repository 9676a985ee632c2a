/* The image and container store.
 *
 * Layout under the store root:
 *   store.db                 SQLite (WAL) metadata: layers, images, names, containers
 *   blobs/sha256/HEX         content-addressed blobs (layer tars, configs, manifests)
 *   layers/CHAINHEX/diff     each layer extracted once, shared by every image using it
 *   containers/ID/           a container's writable layer and generated files
 *   volumes/NAME/_data       a volume's files
 *   tmp/                     staging; entries are named after the pid that owns them
 *   leftovers/               what clean-up could not remove (reported once; the user removes it)
 *
 * Crash safety: files are staged under tmp/ and renamed into place inside the
 * same write transaction that records them, so a kill -9 leaves at worst an
 * orphan directory that rc_store_gc() removes.  Concurrent rc processes
 * serialise writers through SQLite's lock (BEGIN IMMEDIATE, busy timeout).
 */
#ifndef RC_STORE_STORE_H
#define RC_STORE_STORE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/digest.h"
#include "util/error.h"

struct rc_store;

/* root: what lasts (images, layers, containers' writable layers, the
 * database); run_root: what a container needs only while the machine is up
 * (its generated /etc files, spec, mount point), best on a tmpfs such as
 * XDG_RUNTIME_DIR; NULL keeps those under root too. */
int rc_store_open(const char *root, const char *run_root, struct rc_store **out, rc_error **err);
void rc_store_close(struct rc_store *s);
void rc_store_closep(struct rc_store **s);
#define cleanup_store __attribute__((cleanup(rc_store_closep)))
const char *rc_store_root(const struct rc_store *s);
/* [storage] max_layer_size: the uncompressed bytes a layer written to this
 * store may have (0, the default: no limit).  Extraction stops beyond it. */
void rc_store_set_max_layer_size(struct rc_store *s, uint64_t bytes);
uint64_t rc_store_max_layer_size(const struct rc_store *s);

/* A fresh staging directory (for layer extraction, container roots...) or
 * file under tmp/, removed by rc_store_gc once its owner pid is gone. */
int rc_store_mkdtemp(struct rc_store *s, const char *what, char **path, rc_error **err);
int rc_store_mkstemp(struct rc_store *s, const char *what, int *fd, char **path, rc_error **err);

/* Blobs. */
char *rc_store_blob_path(const struct rc_store *s, const char *digest);
bool rc_store_blob_exists(const struct rc_store *s, const char *digest);
/* Store bytes as a blob; writes its digest. */
int rc_store_blob_put(struct rc_store *s, const void *data, size_t len, char digest[RC_DIGEST_LEN + 1],
                      rc_error **err);
/* Move a staged, already-verified file into place as blob `digest`. */
int rc_store_blob_commit(struct rc_store *s, const char *tmp_path, const char *digest, rc_error **err);
int rc_store_blob_read(const struct rc_store *s, const char *digest, char **data, size_t *len, rc_error **err);

/* Where a blob is known to exist: a repository of a registry it was pulled
 * from or pushed to.  A push to another repository of that registry can
 * mount it instead of uploading it. */
int rc_store_blob_source_add(struct rc_store *s, const char *digest, const char *registry, const char *repo,
                             rc_error **err);
/* A repository of `registry` other than `not_repo` known to have digest:
 * 1 with *repo set, 0 when none is known. */
int rc_store_blob_source_find(struct rc_store *s, const char *digest, const char *registry, const char *not_repo,
                              char **repo, rc_error **err);

/* Layers.  chain_id = diff_id for a base layer, else
 * sha256(parent_chain_id + " " + diff_id) (OCI image spec). */
struct rc_layer {
        char chain_id[RC_DIGEST_LEN + 1];
        char diff_id[RC_DIGEST_LEN + 1];
        char parent[RC_DIGEST_LEN + 1]; /* "" for a base layer */
        char blob_digest[RC_DIGEST_LEN + 1];
        char media_type[128];
        uint64_t blob_size, tar_size;
};
void rc_layer_chain_id(const char *parent_chain_id, const char *diff_id, char out[RC_DIGEST_LEN + 1]);
bool rc_store_layer_exists(struct rc_store *s, const char *chain_id);
/* Directory holding the layer's files. */
char *rc_store_layer_dir(const struct rc_store *s, const char *chain_id);
/* Record a layer extracted into staged_dir (from rc_store_mkdtemp): renamed
 * into place; if another rc committed the same layer meanwhile, staged_dir is
 * discarded.  Either way the layer exists afterwards. */
int rc_store_layer_commit(struct rc_store *s, const char *staged_dir, const struct rc_layer *layer, rc_error **err);
int rc_store_layer_get(struct rc_store *s, const char *chain_id, struct rc_layer *out, rc_error **err);

/* Images. */
struct rc_image {
        char id[RC_DIGEST_HEX_LEN + 1];     /* hex of the config digest */
        char config_digest[RC_DIGEST_LEN + 1];
        char manifest_digest[RC_DIGEST_LEN + 1];
        char **names;                       /* full references, NULL-terminated */
        char **layers;                      /* chain ids, base first, NULL-terminated */
        char **blobs;                       /* blobs it needs besides its layers' and config: its
                                             * manifests, layer blobs that differ from the layers' own
                                             * (rc_store_image_add only; may be NULL) */
        int64_t created;                    /* unix seconds */
        uint64_t size;                      /* sum of uncompressed layer sizes */
};
void rc_image_free(struct rc_image *img);
/* Record an image whose layers and blobs are all committed; its names move
 * to it from any image that had them. */
int rc_store_image_add(struct rc_store *s, const struct rc_image *img, rc_error **err);
/* Give the image `id` the name `name`, taking it from any image that had
 * it; manifest_digest (may be NULL) is the manifest the name stands for. */
int rc_store_image_name_add(struct rc_store *s, const char *id, const char *name, const char *manifest_digest,
                            rc_error **err);
/* Remove a name from the image `id`, which stays even without names
 * (untag).  ENOENT if the image had no such name. */
int rc_store_image_name_remove(struct rc_store *s, const char *id, const char *name, rc_error **err);
/* Find by exact name, then by id or unique id prefix (optionally "sha256:").
 * Found by name, manifest_digest is the one recorded with that name.
 * Returns 0 found, -1 error (ENOENT: not found, EINVAL: ambiguous). */
int rc_store_image_find(struct rc_store *s, const char *const *names, const char *id_or_prefix,
                        struct rc_image *out, rc_error **err);
int rc_store_image_list(struct rc_store *s, struct rc_image **out, size_t *n, rc_error **err);
void rc_image_list_free(struct rc_image *imgs, size_t n);
/* Remove a name; if it was the image's last name (or name is NULL), remove
 * the image and every layer no other image uses.  Refuses (EBUSY) while a
 * container uses the image unless force.  *deleted tells whether the image
 * itself went. */
int rc_store_image_remove(struct rc_store *s, const char *id, const char *name, bool force, bool *deleted,
                          rc_error **err);

/* Containers. */
struct rc_container_rec {
        char id[RC_DIGEST_HEX_LEN + 1];
        char *name;
        char image_id[RC_DIGEST_HEX_LEN + 1];
        char *image_name;
        char *state;        /* created, running, exited (as recorded; see rc_container_rec_status) */
        char *driver;       /* storage driver used for its root */
        int64_t created;
        bool auto_remove;   /* --rm */
        pid_t monitor_pid;  /* rc process looking after it; 0: none yet (created) */
        uint64_t monitor_start; /* its start time, to detect pid reuse */
        int exit_code;
        pid_t pid;          /* the container's first process, as seen from the host; 0: none */
        uint64_t pid_start; /* its start time */
        int64_t started_at, finished_at; /* unix nanoseconds; 0: never */
        int restart_count;  /* restarts by the restart policy */
        bool stop_requested; /* rc stop/kill asked it to end: no restart */
        char *command;      /* what it runs: a JSON array of strings (for rc ps) */
        char *labels;       /* its labels, a JSON object ("" or NULL: none) */
        char **volumes;     /* names of the volumes it uses (rc_store_container_add only; may be NULL) */
};
void rc_container_rec_free(struct rc_container_rec *c);
/* Insert, with the volumes it uses (which must exist: ENOENT otherwise);
 * fails with EEXIST and a clear message if the name is taken. */
int rc_store_container_add(struct rc_store *s, const struct rc_container_rec *c, rc_error **err);
int rc_store_container_set_state(struct rc_store *s, const char *id, const char *state, int exit_code,
                                 rc_error **err);
/* The monitor started the container's process: state running, the monitor's
 * and the process's pids and start times, started_at now; a restart counts
 * one more restart. */
int rc_store_container_set_running(struct rc_store *s, const struct rc_container_rec *c, bool restart,
                                   rc_error **err);
/* It ended: state exited, its exit code, finished_at now. */
int rc_store_container_set_exited(struct rc_store *s, const char *id, int exit_code, rc_error **err);
/* rc stop/kill: the restart policy must not restart it (cleared by start). */
int rc_store_container_set_stop_requested(struct rc_store *s, const char *id, bool requested, rc_error **err);
/* Rename; EEXIST with a clear message when the name is taken. */
int rc_store_container_rename(struct rc_store *s, const char *id, const char *name, rc_error **err);
/* All containers, newest first. */
int rc_store_container_list(struct rc_store *s, struct rc_container_rec **out, size_t *n, rc_error **err);
void rc_container_list_free(struct rc_container_rec *list, size_t n);
/* By exact name, else by id or unique id prefix.  ENOENT / EINVAL (ambiguous). */
int rc_store_container_find(struct rc_store *s, const char *name_or_id, struct rc_container_rec *out,
                            rc_error **err);
/* Whether the rc process looking after it is still alive. */
bool rc_container_rec_running(const struct rc_container_rec *c);
/* The truthful state: "created", "running" or "exited".  A record that
 * says running whose monitor is gone (killed, machine crashed) is exited. */
const char *rc_container_rec_status(const struct rc_container_rec *c);
/* Nanoseconds since the epoch, for started_at and finished_at. */
int64_t rc_now_ns(void);
/* Delete the record and the container's directories. */
int rc_store_container_remove(struct rc_store *s, const char *id, rc_error **err);
/* The same, and then its anonymous volumes that no other container uses
 * (rc rm -v, --rm); a volume that cannot be removed is only reported. */
int rc_store_container_remove_with_volumes(struct rc_store *s, const char *id, rc_error **err);
char *rc_store_container_dir(const struct rc_store *s, const char *id);
/* The container's directory under run_root: rebuilt by a start when the
 * machine cleared it. */
char *rc_store_container_run_dir(const struct rc_store *s, const char *id);
/* Its create.json: a --rm container's is in the run directory (it cannot
 * outlive the machine's uptime, and every file made in the store is one
 * more to delete when it ends), any other's in its directory. */
char *rc_store_container_opts_path(const struct rc_store *s, const struct rc_container_rec *c);

/* Volumes: volumes/NAME/_data and a record (pkg/volume is their API). */
struct rc_volume_rec {
        char *name;
        int64_t created;    /* unix seconds */
        char *labels;       /* a JSON object, or "" */
        bool anonymous;
        bool needs_copy_up; /* no container has used it yet */
};
void rc_volume_rec_free(struct rc_volume_rec *v);
void rc_volume_rec_list_free(struct rc_volume_rec *list, size_t n);
/* Record a volume and create its (empty) directory, staged and renamed
 * into place inside the transaction.  EEXIST when the name is taken. */
int rc_store_volume_add(struct rc_store *s, const struct rc_volume_rec *v, rc_error **err);
/* ENOENT when there is none. */
int rc_store_volume_get(struct rc_store *s, const char *name, struct rc_volume_rec *out, rc_error **err);
/* Every volume, by name. */
int rc_store_volume_list(struct rc_store *s, struct rc_volume_rec **out, size_t *n, rc_error **err);
/* Ids of the containers that use it (NULL-terminated, never NULL). */
int rc_store_volume_users(struct rc_store *s, const char *name, char ***ids, rc_error **err);
/* Delete the record and the directory.  EBUSY (naming a container) while
 * a container uses it; ENOENT when there is none. */
int rc_store_volume_remove(struct rc_store *s, const char *name, rc_error **err);
/* Clear needs_copy_up: 1 when this call cleared it (the caller does the
 * first-use work), 0 when it was clear already. */
int rc_store_volume_claim_first_use(struct rc_store *s, const char *name, rc_error **err);
/* volumes/NAME/_data */
char *rc_store_volume_dir(const struct rc_store *s, const char *name);

/* The build cache (rc build): the image a build step made, by the step's
 * key.  A step's image is kept as long as its image: rmi and prune remove
 * its rows with it.  final: the image is what a build produced, not only
 * one of its steps. */
/* 1 with id_out set when key is cached and its image is still there, 0 if not. */
int rc_store_build_cache_get(struct rc_store *s, const char *key, char id_out[RC_DIGEST_HEX_LEN + 1],
                             rc_error **err);
int rc_store_build_cache_put(struct rc_store *s, const char *key, const char *image_id, bool final,
                             rc_error **err);
/* An image kept only as a step of builds: no names, made by a build step
 * and never the result of a build.  rc images hides these (podman's
 * "intermediate" images) unless asked for all. */
bool rc_store_image_intermediate(struct rc_store *s, const char *id);

/* Remove what crashed or interrupted rc processes left: --rm containers
 * whose rc is gone, staging entries of dead pids, layer directories without
 * a record.  Never fails, so that clean-up cannot break an unrelated
 * command: what it cannot remove is moved to leftovers/ and reported once
 * (rc_warn) with the command that removes it.  Always returns 0 and leaves
 * err alone. */
int rc_store_gc(struct rc_store *s, rc_error **err);

/* Cheap check, without opening the store or joining the user namespace:
 * does tmp/ hold staging entries whose owner is gone? */
bool rc_store_has_dead_staging(const char *root);

/* Start time of a process (clock ticks since boot, /proc/PID/stat field
 * 22), 0 if it does not exist. */
uint64_t rc_process_start_time(pid_t pid);

#endif
