/* Libraries rc loads on first use, and the description of every external
 * component (third_party/components.tsv) as rc finds it at run time.
 *
 * libcurl, libarchive, libcrypto, libsystemd and libslirp are not linked into bin/rc:
 * together with what they pull in (GnuTLS, Kerberos, LDAP, libxml2, ICU...)
 * they cost every process ~20 ms in the dynamic loader, for code that
 * `rc ps` or `rc run` never call.  A command that needs one calls its loader
 * first (rc_dl_curl...), which dlopens the soname once per process and fills
 * a table of function pointers typed from the library's own header.  Code
 * that calls the library includes "dl/curl.h" (etc.) after the library's
 * header; it redirects each name to its pointer, so call sites read as plain
 * library calls.
 *
 * The pointers are process-wide, like the PLT entries they replace: loading
 * is idempotent, thread-safe and never undone. */
#ifndef RC_DL_DL_H
#define RC_DL_DL_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

enum rc_dl_lib { RC_DL_CRYPTO, RC_DL_ARCHIVE, RC_DL_SYSTEMD, RC_DL_CURL, RC_DL_SLIRP, RC_DL_N };

/* Loads lib if it is not loaded yet.  -1 with *err set when the library is
 * missing ("libcurl is not installed: install the Debian package libcurl4
 * (apt install libcurl4)", ENOENT) or lacks a symbol rc needs (too old,
 * ENOSYS).  A failed load is retried by the next call. */
int rc_dl_load(enum rc_dl_lib lib, rc_error **err);
bool rc_dl_loaded(enum rc_dl_lib lib);

static inline int rc_dl_crypto(rc_error **err)
{
        return rc_dl_load(RC_DL_CRYPTO, err);
}
static inline int rc_dl_archive(rc_error **err)
{
        return rc_dl_load(RC_DL_ARCHIVE, err);
}
static inline int rc_dl_systemd(rc_error **err)
{
        return rc_dl_load(RC_DL_SYSTEMD, err);
}
static inline int rc_dl_curl(rc_error **err)
{
        return rc_dl_load(RC_DL_CURL, err);
}
static inline int rc_dl_slirp(rc_error **err)
{
        return rc_dl_load(RC_DL_SLIRP, err);
}

/* A library to open: its names come from third_party/components.tsv. */
struct rc_dl_symbol {
        const char *name;
        void **ptr;
};
struct rc_dl_library {
        const char *name;    /* "libcurl" */
        const char *soname;  /* "libcurl.so.4" */
        const char *package; /* Debian package shipping it: "libcurl4" */
        const char *min_version;
        const struct rc_dl_symbol *symbols;
        size_t n_symbols;
};

/* dlopen lib->soname and resolve every symbol into *ptr.  On success *handle
 * is the dlopen handle; on failure no pointer is changed.  The generic step
 * behind rc_dl_load, usable on its own (tests). */
int rc_dl_open(const struct rc_dl_library *lib, void **handle, rc_error **err);

#define RC_DL_DECLARE(name) extern typeof(name) *sym_##name;
#define RC_DL_DEFINE(name) typeof(name) *sym_##name;
#define RC_DL_ENTRY(name) { #name, (void **)&sym_##name },

#endif
