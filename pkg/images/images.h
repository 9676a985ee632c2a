/* Local image operations on top of the store: importing a root file system
 * tarball, resolving what a user typed to an image, removing images.
 * Functions that write layers run inside rc's user namespace. */
#ifndef RC_IMAGES_IMAGES_H
#define RC_IMAGES_IMAGES_H

#include <stdbool.h>
#include <stdint.h>

#include "archive/archive.h"
#include "config/config.h"
#include "image/image.h"
#include "store/store.h"
#include "util/error.h"

struct json_object;

struct rc_import_opts {
        const char *name;                /* a name for the image (normalised), or NULL */
        const char *message;             /* the history entry's comment, or NULL */
        const char *os, *arch, *variant; /* the platform to record; NULL: the host's */
};

/* Import a (plain, gzip or zstd) tar of a root file system read from fd as a
 * single-layer image.  The new image's id (64 hex) is written to id_out. */
int rc_images_import(struct rc_store *s, int fd, const struct rc_import_opts *o, char id_out[RC_DIGEST_HEX_LEN + 1],
                     rc_error **err);

/* The name an image gets when a user gives `name` to tag, import, load,
 * commit or build (podman's rule): a name without a registry is a local
 * one, "bb" -> "localhost/bb:latest", "me/app:1" -> "localhost/me/app:1";
 * "docker.io/alpine" -> "docker.io/library/alpine:latest".  A digest is
 * kept (the tag of a tagged and digested name is dropped).  *out is
 * malloc'd. */
int rc_images_normalize_name(const char *name, char **out, rc_error **err);

/* Find the image a user means by `what`: a name (a short name matches
 * localhost/NAME first, then its docker.io form, as podman looks it up) or
 * an id / unique id prefix.  Not found: -1 with errno ENOENT and podman's
 * message "WHAT: image not known". */
int rc_images_resolve(struct rc_store *s, const char *what, struct rc_image *out, rc_error **err);
/* The same; *matched (malloc'd) gets the full name `what` matched, or NULL
 * when it matched as an id. */
int rc_images_resolve_name(struct rc_store *s, const char *what, struct rc_image *out, char **matched,
                           rc_error **err);

/* Load and parse an image's config blob. */
int rc_images_load_config(struct rc_store *s, const struct rc_image *img, struct rc_image_config *out,
                          rc_error **err);

enum {
        RC_IMAGES_RM_FORCE = 1 << 0, /* rmi -f: by id despite several names; stopped containers go too */
        RC_IMAGES_RM_WHOLE = 1 << 1, /* rmi -a: the whole image, whatever names it has */
};
/* rmi, with podman's rules: a name of an image that has other names is
 * untagged; an id of an image with several names fails (EPERM) without
 * FORCE or WHOLE; otherwise the image goes with all its names, refused
 * (EBUSY) while a container uses it, unless FORCE and the containers are
 * stopped (they are removed).  Appends the names removed to *untagged and
 * the id of a removed image to *deleted (NULL-terminated vectors the
 * caller owns). */
int rc_images_remove(struct rc_store *s, const char *what, unsigned flags, char ***untagged, char ***deleted,
                     rc_error **err);

/* untag: remove `names` (normalised; all the image's names if NULL or
 * empty) from the image `what`, which stays.  A name the image does not
 * have: ENOENT, "NAME: tag not known".  Appends the names to *removed. */
int rc_images_untag(struct rc_store *s, const char *what, char *const *names, char ***removed, rc_error **err);

struct rc_pull_opts {
        const struct rc_config *cfg;    /* [registries] search/insecure, [mirrors] */
        const char *os, *arch, *variant; /* platform; NULL: the host's */
        bool skip_tls_verify;           /* --tls-verify=false */
        /* progress: what is "resolving", "exists", "downloading" (repeatedly, with bytes so
         * far), "fetched" or "extracted" */
        void (*progress)(void *ctx, const char *what, const char *digest, int64_t done, int64_t total);
        void *progress_ctx;
};

/* Pull `what` (a reference; short names go through [registries] search)
 * into the store: every blob verified, each layer extracted once, the image
 * recorded only when all of it is in place.  Runs inside rc's user
 * namespace. */
int rc_images_pull(struct rc_store *s, const char *what, const struct rc_pull_opts *o,
                   char id_out[RC_DIGEST_HEX_LEN + 1], rc_error **err);

/* The OCI layer media type for a compression, and the compression a layer
 * media type (OCI or Docker) says. */
const char *rc_layer_media_type(enum rc_compression c);
enum rc_compression rc_layer_compression(const char *media_type);

/* An image as rc stores it: its layer records, whose blobs may be
 * compressed differently from those the image was pulled with (a layer
 * already stored is shared, not downloaded again). */
struct rc_stored_image {
        struct rc_image img;
        struct rc_layer *layers; /* base first */
        size_t n_layers;
        int64_t config_size;
};
/* Resolve `what` and load its layers; fails if a layer's blob is gone. */
int rc_images_stored(struct rc_store *s, const char *what, struct rc_stored_image *out, rc_error **err);
void rc_stored_image_free(struct rc_stored_image *si);
/* An OCI manifest of the stored blobs (OCI media types). */
int rc_stored_image_manifest(const struct rc_stored_image *si, char **json, rc_error **err);

struct rc_push_opts {
        const struct rc_config *cfg;    /* [registries] insecure */
        bool skip_tls_verify;           /* --tls-verify=false */
        bool force_compression;         /* --compression-format given: re-encode other layers */
        enum rc_compression compression;
        const char *auth_file;          /* --authfile, or NULL for the default lookup */
        const char *username, *password; /* --creds, or NULL */
        /* progress: what is "compressing", "pushing" (repeatedly, bytes sent), "exists",
         * "mounted", "pushed" or "manifest" */
        void (*progress)(void *ctx, const char *what, const char *digest, int64_t done, int64_t total);
        void *progress_ctx;
};

/* Push the image `what` to `dest` (a reference, optionally "docker://...";
 * NULL: the name `what` itself).  Layers go as stored when gzip or zstd
 * (uncompressed ones as gzip) unless force_compression; the manifest the
 * image came with is pushed unchanged when its blobs are the ones pushed,
 * else an OCI manifest of them.  Writes the pushed manifest's digest. */
int rc_images_push(struct rc_store *s, const char *what, const char *dest, const struct rc_push_opts *o,
                   char digest_out[RC_DIGEST_LEN + 1], rc_error **err);

/* Add the name `target` (normalised by rc_images_normalize_name) to the
 * image `what`. */
int rc_images_tag(struct rc_store *s, const char *what, const char *target, rc_error **err);

/* rc image inspect: podman's fields (Id, Digest, RepoTags, RepoDigests,
 * Created, Author, Architecture, Os, Variant, Config, Labels, Size, RootFS,
 * History) for the image `what`, as a new JSON object. */
int rc_images_inspect(struct rc_store *s, const char *what, struct json_object **out, rc_error **err);

struct rc_history_entry {
        char *created;    /* RFC 3339, or "" */
        char *created_by; /* the instruction, or "" */
        char *comment;
        int64_t size;     /* the layer's uncompressed size; 0 for empty_layer entries */
        bool empty_layer;
};
/* The config's history, oldest first, with layer sizes matched to the
 * entries that made a layer; one entry per layer when the config has none. */
int rc_images_history(struct rc_store *s, const char *what, char id_out[RC_DIGEST_HEX_LEN + 1],
                      struct rc_history_entry **out, size_t *n, rc_error **err);
void rc_history_free(struct rc_history_entry *h, size_t n);

/* Remove images without names (all: every image) that no container uses;
 * *removed lists their ids (NULL-terminated). */
int rc_images_prune(struct rc_store *s, bool all, char ***removed, rc_error **err);

enum rc_archive_format {
        RC_ARCHIVE_DOCKER, /* docker save's layout: manifest.json, CONFIG.json, uncompressed DIFFID.tar */
        RC_ARCHIVE_OCI,    /* an OCI image layout: oci-layout, index.json, blobs/sha256/ */
};

struct rc_save_opts {
        enum rc_archive_format format;
        char *const *images;      /* as users name them; several only in a docker-archive (save -m) */
        char *const *extra_names; /* more names for the one image (podman's save IMAGE NAME...) */
        bool uncompressed;        /* oci-archive: layers as plain tars */
};

/* Write images to out_fd as a tar archive.  Each is named in it by the
 * name it was given by (none when given by id), as podman does. */
int rc_images_save(struct rc_store *s, const struct rc_save_opts *o, int out_fd, rc_error **err);

/* Load every image of a docker-archive or oci-archive (plain, gzip or zstd)
 * read from in_fd, verifying digests and diff_ids; *loaded lists their
 * names (or sha256:ID for unnamed ones).  Runs inside rc's user namespace. */
int rc_images_load(struct rc_store *s, int in_fd, char ***loaded, rc_error **err);

/* An image's creation time (unix seconds) from its config's "created";
 * now when that is missing or not RFC 3339. */
int64_t rc_images_created(const char *rfc3339);

/* True if the first component of a reference names a registry (has '.' or
 * ':' or is "localhost"), as the reference grammar decides. */
bool rc_reference_has_domain(const char *what);

#endif
