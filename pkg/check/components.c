/* rc info's view of third_party/components.tsv: what is there, in which version. */
#include <dlfcn.h>
#include <errno.h>
#include <json-c/json.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "check/check.h"
#include "components.h"
#include "dl/archive.h"
#include "dl/crypto.h"
#include "dl/curl.h"
#include "dl/dl.h"
#include "dl/slirp.h"
#include "dl/systemd.h"
#include "util/xalloc.h"

/* Where the library holding addr was loaded from. */
static char *path_of(const void *addr)
{
        Dl_info info;

        if (dladdr(addr, &info) == 0 || info.dli_fname == NULL)
                return NULL;
        return xstrdup(info.dli_fname);
}

/* Loads an on-demand library and describes it. */
static void probe_loaded(enum rc_dl_lib lib, struct rc_component *c)
{
        cleanup_error rc_error *err = NULL;
        cleanup_free char *path = NULL;

        if (rc_dl_load(lib, &err) < 0) {
                c->problem = xstrdup(err->msg);
                return;
        }
        switch (lib) {
        case RC_DL_CRYPTO:
                path = path_of((const void *)sym_OpenSSL_version);
                c->found = xasprintf("%s (%s)", OpenSSL_version(OPENSSL_VERSION), path ? path : c->file);
                break;
        case RC_DL_ARCHIVE:
                path = path_of((const void *)sym_archive_version_string);
                c->found = xasprintf("%s (%s)", archive_version_string(), path ? path : c->file);
                break;
        case RC_DL_CURL:
                path = path_of((const void *)sym_curl_version);
                c->found = xasprintf("%s (%s)", curl_version(), path ? path : c->file);
                break;
        case RC_DL_SLIRP:
                path = path_of((const void *)sym_slirp_version_string);
                c->found = xasprintf("%s (%s)", slirp_version_string(), path ? path : c->file);
                break;
        case RC_DL_SYSTEMD:
                path = path_of((const void *)sym_sd_bus_new);
                c->found = xasprintf("sd-bus (%s)", path ? path : c->file);
                break;
        case RC_DL_N:
                break;
        }
}

/* The first of the comma-separated programs found in PATH, as a path. */
static void probe_program(struct rc_component *c)
{
        cleanup_free char *names = xstrdup(c->file), *found = NULL;
        const char *env = getenv("PATH");
        char *save = NULL;

        for (char *n = strtok_r(names, ",", &save); n; n = strtok_r(NULL, ",", &save)) {
                cleanup_free char *dirs = xstrdup(env && *env ? env : "/usr/local/bin:/usr/bin:/bin");
                char *dsave = NULL, *hit = NULL;

                for (char *d = strtok_r(dirs, ":", &dsave); d && !hit; d = strtok_r(NULL, ":", &dsave)) {
                        cleanup_free char *p = xasprintf("%s/%s", *d ? d : ".", n);
                        if (access(p, X_OK) == 0)
                                hit = steal_pointer(&p);
                }
                if (hit == NULL) {
                        c->problem = xasprintf("%s not found in PATH: install the Debian package %s", n,
                                               c->package);
                        return;
                }
                if (found) {
                        char *both = xasprintf("%s %s", found, hit);
                        free(found);
                        free(hit);
                        found = both;
                } else
                        found = hit;
        }
        c->found = steal_pointer(&found);
}

static void probe(const char *id, struct rc_component *c)
{
        if (strcmp(c->kind, "helper") == 0)
                probe_program(c);
        else if (strcmp(id, "json_c") == 0)
                c->found = xstrdup(json_c_version());
        else if (strcmp(id, "sqlite3") == 0)
                c->found = xstrdup(sqlite3_libversion());
        else if (strcmp(id, "zlib") == 0)
                c->found = xstrdup(zlibVersion());
        else if (strcmp(id, "zstd") == 0)
                c->found = xstrdup(ZSTD_versionString());
        else if (strcmp(id, "libcrypto") == 0)
                probe_loaded(RC_DL_CRYPTO, c);
        else if (strcmp(id, "libarchive") == 0)
                probe_loaded(RC_DL_ARCHIVE, c);
        else if (strcmp(id, "libsystemd") == 0)
                probe_loaded(RC_DL_SYSTEMD, c);
        else if (strcmp(id, "libcurl") == 0)
                probe_loaded(RC_DL_CURL, c);
        else if (strcmp(id, "libslirp") == 0)
                probe_loaded(RC_DL_SLIRP, c);
        /* the rest (inih has no version call; planned ones are not used) stay unprobed */
}

void rc_components_probe(struct rc_component **out, size_t *n)
{
#define COUNT(id, ...) +1
        static const size_t total = 0 RC_COMPONENTS(COUNT);
#undef COUNT
        struct rc_component *c = xcalloc(total, sizeof(*c));
        size_t i = 0;

#define FILL(id, name_, kind_, link_, file_, package_, min_, license_)                                       \
        c[i] = (struct rc_component){ .name = name_, .kind = kind_, .link = link_, .file = file_,            \
                                      .package = package_, .min_version = min_, .license = license_ };        \
        probe(#id, &c[i]);                                                                                   \
        i++;
        RC_COMPONENTS(FILL)
#undef FILL
        *out = c;
        *n = total;
}

void rc_components_free(struct rc_component *c, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(c[i].found);
                free(c[i].problem);
        }
        free(c);
}
