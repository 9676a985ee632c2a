/* Image references and the OCI image formats rc reads and writes: image
 * config, manifest, image index (and their Docker v2 schema 2 twins).
 *
 * Pure logic, no I/O.  Every parser treats its input as hostile: wrong types,
 * unknown media types, malformed digests and absurd sizes are errors naming
 * the offending field; unknown fields are ignored.  Parsers write *out only
 * on success; the caller frees it with the matching _free function (which
 * also accepts a zeroed struct).  Errors from this module describe bad input
 * and carry no errno (rc_error_errno() is 0). */
#ifndef RC_IMAGE_IMAGE_H
#define RC_IMAGE_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

/* Media types. */
#define RC_MEDIA_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define RC_MEDIA_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define RC_MEDIA_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define RC_MEDIA_OCI_LAYER "application/vnd.oci.image.layer.v1.tar"
#define RC_MEDIA_OCI_LAYER_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define RC_MEDIA_OCI_LAYER_ZSTD "application/vnd.oci.image.layer.v1.tar+zstd"
#define RC_MEDIA_OCI_LAYER_ND "application/vnd.oci.image.layer.nondistributable.v1.tar"
#define RC_MEDIA_OCI_LAYER_ND_GZIP "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
#define RC_MEDIA_OCI_LAYER_ND_ZSTD "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd"
#define RC_MEDIA_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define RC_MEDIA_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define RC_MEDIA_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define RC_MEDIA_DOCKER_LAYER_GZIP "application/vnd.docker.image.rootfs.diff.tar.gzip"
#define RC_MEDIA_DOCKER_LAYER_FOREIGN "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"

/* Limits applied to outside input (callers downloading JSON can use
 * RC_IMAGE_JSON_MAX as their cap too). */
#define RC_IMAGE_JSON_MAX (4 * 1024 * 1024)  /* bytes of one JSON document */
#define RC_IMAGE_MAX_ENTRIES 10000           /* elements of any array or object */
#define RC_IMAGE_MAX_STRING (1024 * 1024)    /* bytes of any string */
#define RC_REFERENCE_NAME_MAX 255            /* "domain/path" */

/* ---- References ------------------------------------------------------ */

struct rc_reference {
        char *domain; /* "docker.io", "localhost", "localhost:5000", "quay.io", "127.0.0.1:5000" */
        char *path;   /* "library/alpine", "org/app", "bb" (for localhost/bb) */
        char *tag;    /* "latest" if neither tag nor digest given; NULL if only a digest was given */
        char *digest; /* "sha256:<64 hex>" or NULL */
};

/* Parse and normalise like docker: a first component containing '.' or ':'
 * or equal to "localhost" is the registry, otherwise the registry is
 * docker.io and a one-component path gets "library/".  index.docker.io
 * becomes docker.io.  Errors quote the input and name the bad part. */
int rc_reference_parse(const char *s, struct rc_reference *out, rc_error **err);
/* "domain/path[:tag][@digest]". */
char *rc_reference_string(const struct rc_reference *r);
/* Name without tag or digest: "docker.io/library/alpine". */
char *rc_reference_name(const struct rc_reference *r);
void rc_reference_free(struct rc_reference *r);
/* True if s looks like an (abbreviated) image id: 1..64 lowercase hex, or
 * "sha256:" followed by 1..64 lowercase hex. */
bool rc_looks_like_id(const char *s);

/* ---- Image config ---------------------------------------------------- */

/* String vectors are NULL-terminated.  A NULL vector means "absent"; an
 * empty one (just the terminator) means "present but empty" (Entrypoint []
 * differs from no Entrypoint), and the distinction survives a round trip. */
struct rc_image_config {
        char *architecture, *os, *variant;
        char *created; /* RFC 3339 */
        char *author;
        /* config */
        char *user;
        char **env;
        char **entrypoint;
        char **cmd;
        char *working_dir;
        char **exposed_ports; /* "80/tcp" */
        char **volumes;
        char *stop_signal;
        char **labels; /* "key=value" pairs; keys never contain '=' */
        char *healthcheck_json; /* Healthcheck, kept as compact JSON (an object whose Test is an array
                                 * of strings and whose durations and Retries are integers) */
        char **onbuild;  /* OnBuild: Dockerfile instructions for images built FROM this one */
        char **shell;    /* Shell: the shell of shell-form instructions (SHELL) */
        /* rootfs */
        char **diff_ids; /* "sha256:..." in layer order; never NULL after parse */
        /* history, kept as compact JSON (an array) */
        char *history_json;
};

/* architecture, os and rootfs (type "layers") are required, as the OCI
 * spec says.  JSON null counts as absent for optional fields. */
int rc_image_config_parse(const char *json, size_t len, struct rc_image_config *out, rc_error **err);
/* Canonical JSON: keys in a fixed order (the OCI spec's), no whitespace,
 * absent fields omitted.  An image id is the sha256 of exactly these bytes,
 * so the output for a given struct never changes.  *out is malloc'd. */
int rc_image_config_to_json(const struct rc_image_config *c, char **out, rc_error **err);
void rc_image_config_free(struct rc_image_config *c);

/* ---- Manifests and indexes ------------------------------------------- */

struct rc_descriptor {
        char *media_type;
        char *digest; /* "sha256:<64 hex>" */
        int64_t size; /* >= 0 */
        char *platform_os, *platform_arch, *platform_variant; /* index entries only; may be NULL */
};

struct rc_manifest {
        int schema_version; /* 2 */
        char *media_type;   /* RC_MEDIA_OCI_MANIFEST (also when the JSON omits it) or RC_MEDIA_DOCKER_MANIFEST */
        struct rc_descriptor config;
        struct rc_descriptor *layers;
        size_t n_layers;
};

/* OCI manifest or Docker v2s2 manifest.  Checks schemaVersion 2, sha256
 * digests, sizes >= 0, a container image config media type and known layer
 * media types.  Given an index, fails saying so (use rc_index_parse). */
int rc_manifest_parse(const char *json, size_t len, struct rc_manifest *out, rc_error **err);
/* Canonical JSON like rc_image_config_to_json. */
int rc_manifest_to_json(const struct rc_manifest *m, char **out, rc_error **err);
void rc_manifest_free(struct rc_manifest *m);

/* Image index or Docker manifest list. */
struct rc_index {
        struct rc_descriptor *manifests;
        size_t n;
        char *media_type; /* RC_MEDIA_OCI_INDEX (also when omitted) or RC_MEDIA_DOCKER_LIST */
};

int rc_index_parse(const char *json, size_t len, struct rc_index *out, rc_error **err);
/* Pick the manifest for os/arch/variant (variant may be NULL).  Variants
 * match like containerd: arm64 defaults to v8, arm to v7, amd64 has none;
 * an arm host also runs older arm variants (v7 takes v6, then v5) when no
 * exact entry exists.  *out points into idx.  Fails only when nothing
 * matches, with a message listing the platforms the index has. */
int rc_index_select(const struct rc_index *idx, const char *os, const char *arch, const char *variant,
                    const struct rc_descriptor **out, rc_error **err);
void rc_index_free(struct rc_index *idx);

/* The host platform in OCI terms: os "linux", arch from uname (x86_64 ->
 * amd64, aarch64 -> arm64 with variant "v8", armv7l -> arm/v7, ...).  The
 * strings are static; variant is NULL where the arch has none. */
void rc_platform_host(const char **os, const char **arch, const char **variant);

#endif
