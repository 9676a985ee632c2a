/* rc configuration: rootless.conf (INI) merged over built-in defaults, plus
 * the paths every command needs.  Lookup order for the file: --config FILE,
 * $RC_CONFIG, $XDG_CONFIG_HOME/rc/rootless.conf (~/.config/...),
 * /etc/rc/rootless.conf.  A missing file means defaults; a malformed one or
 * an unknown key is an error naming the file and line. */
#ifndef RC_CONFIG_CONFIG_H
#define RC_CONFIG_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "util/error.h"

struct rc_config {
        char *path;            /* file that was loaded, NULL if none */
        char *root;            /* [storage] root: store ($XDG_DATA_HOME/rc) */
        char *runroot;         /* [storage] runroot: runtime state ($XDG_RUNTIME_DIR/rc) */
        char *storage_driver;  /* [storage] driver: auto|overlay|fuse-overlayfs|vfs */
        char *fuse_overlayfs;  /* [storage] fuse_overlayfs: helper binary name or path */
        uint64_t max_layer_size; /* [storage] max_layer_size: bytes a layer may expand to; 0 = no limit */
        char *subuid_file;     /* [userns] subuid_file: /etc/subuid */
        char *subgid_file;     /* [userns] subgid_file: /etc/subgid */
        char *newuidmap;       /* [userns] newuidmap: helper binary name or path */
        char *newgidmap;       /* [userns] newgidmap */
        bool pause;            /* [userns] pause: keep a pause process holding the user namespace */
        char *network;         /* [network] mode (or [containers] network): default for rc run:
                                  slirp (user-mode, the default), none or host */
        unsigned net_mtu;      /* [network] mtu: of the user-mode network (65520) */
        char *net_cidr;        /* [network] cidr: its subnet (10.0.2.0/24) */
        char **net_dns_forward; /* [network] dns_forward: "IP[:PORT]" servers the forwarder at .3 asks
                                   instead of the host's /etc/resolv.conf ones */
        char **net_dns;        /* [network] dns: servers for containers' resolv.conf instead of the
                                  forwarder at .3 (as if --dns were given); empty: none */
        char *cgroup_manager;  /* [cgroups] manager: auto|systemd|cgroupfs|none (--cgroup-manager) */
        char **search;         /* [registries] search: registries tried for short names, in order */
        char **insecure;       /* [registries] insecure: host[:port] reached over plain HTTP or unverified TLS */
        int parallel_downloads; /* [registries] parallel_downloads: blobs fetched at once (6) */
        char **mirrors;        /* [mirrors] REGISTRY = MIRROR[, MIRROR]: "REGISTRY=MIRROR" entries, in order */
};

/* The mirrors configured for `registry`, in order (NULL-terminated, caller frees). */
char **rc_config_mirrors_for(const struct rc_config *cfg, const char *registry);

/* Built-in defaults (paths from the environment). */
int rc_config_defaults(struct rc_config *cfg, rc_error **err);

/* Load defaults and then the file: explicit_path if non-NULL (must exist),
 * else the first file found in the lookup order. */
int rc_config_load(struct rc_config *cfg, const char *explicit_path, rc_error **err);

void rc_config_free(struct rc_config *cfg);

/* A size as rootless.conf writes it: a number of bytes, optionally with a
 * binary suffix k, m, g or t (also kb/kib..., any case): "500m", "10g",
 * "1073741824".  -1 (EINVAL, ERANGE) for anything else. */
int rc_config_parse_size(const char *s, uint64_t *out);

#endif
