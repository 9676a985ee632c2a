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

/* Import a (plain, gzip or zstd) tar of a root file system read from fd as a
 * single-layer image named `name` (a reference; may be NULL for none).  The
 * new image's id (64 hex) is written to id_out. */
int rc_images_import(struct rc_store *s, int fd, const char *name, char id_out[RC_DIGEST_HEX_LEN + 1],
                     rc_error **err);

/* Find the image a user means by `what`: a name (short names also match
 * localhost/NAME, as podman does) or an id / unique id prefix.  Not found:
 * -1 with errno ENOENT and a message naming `what`. */
int rc_images_resolve(struct rc_store *s, const char *what, struct rc_image *out, rc_error **err);

/* Load and parse an image's config blob. */
int rc_images_load_config(struct rc_store *s, const struct rc_image *img, struct rc_image_config *out,
                          rc_error **err);

/* rmi: by name removes that name (and the image once it has none left); by
 * id removes the image with all its names.  *untagged gets the name removed
 * (or NULL); deleted_id the image's id if the image itself went, else "". */
int rc_images_remove(struct rc_store *s, const char *what, bool force, char **untagged,
                     char deleted_id[RC_DIGEST_HEX_LEN + 1], rc_error **err);

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

/* Add the name `target` (a reference, normalised) to the image `what`. */
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

/* Write images (as users name them) to out_fd as a tar archive. */
int rc_images_save(struct rc_store *s, char *const *what, int out_fd, enum rc_archive_format format, rc_error **err);

/* Load every image of a docker-archive or oci-archive (plain, gzip or zstd)
 * read from in_fd, verifying digests and diff_ids; *loaded lists their
 * names (or sha256:ID for unnamed ones).  Runs inside rc's user namespace. */
int rc_images_load(struct rc_store *s, int in_fd, char ***loaded, rc_error **err);

/* True if the first component of a reference names a registry (has '.' or
 * ':' or is "localhost"), as the reference grammar decides. */
bool rc_reference_has_domain(const char *what);

#endif
