#include "dl/dl.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "dl/internal.h"
#include "util/log.h"

/* The messages say what to do; the errno is for callers, not for the text. */
static int set_errno(rc_error **err, int errnum)
{
        if (err && *err)
                (*err)->errnum = errnum;
        return -1;
}

int rc_dl_open(const struct rc_dl_library *lib, void **handle, rc_error **err)
{
        void *h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
        void *addrs[lib->n_symbols ? lib->n_symbols : 1];

        if (h == NULL) {
                rc_debug("dlopen %s: %s", lib->soname, dlerror());
                rc_error_set(err, 0, "%s is not installed: install the Debian package %s (apt install %s)",
                             lib->name, lib->package, lib->package);
                return set_errno(err, ENOENT);
        }
        for (size_t i = 0; i < lib->n_symbols; i++) {
                dlerror();
                addrs[i] = dlsym(h, lib->symbols[i].name);
                if (addrs[i] == NULL) {
                        rc_error_set(err, 0,
                                     "%s is too old: %s has no %s; rc needs %s %s or newer (upgrade the Debian "
                                     "package %s)",
                                     lib->name, lib->soname, lib->symbols[i].name, lib->name, lib->min_version,
                                     lib->package);
                        dlclose(h);
                        return set_errno(err, ENOSYS);
                }
        }
        for (size_t i = 0; i < lib->n_symbols; i++)
                *lib->symbols[i].ptr = addrs[i];
        *handle = h;
        return 0;
}

static const struct rc_dl_library *const libraries[RC_DL_N] = {
        [RC_DL_CRYPTO] = &rc_dl_crypto_library,
        [RC_DL_ARCHIVE] = &rc_dl_archive_library,
        [RC_DL_SYSTEMD] = &rc_dl_systemd_library,
        [RC_DL_CURL] = &rc_dl_curl_library,
        [RC_DL_SLIRP] = &rc_dl_slirp_library,
};

/* Process-wide by nature (see dl.h): the handles of what is loaded. */
static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;
static void *_Atomic handles[RC_DL_N];

bool rc_dl_loaded(enum rc_dl_lib lib)
{
        return atomic_load_explicit(&handles[lib], memory_order_acquire) != NULL;
}

int rc_dl_load(enum rc_dl_lib lib, rc_error **err)
{
        void *h = NULL;
        int r = 0;

        if (rc_dl_loaded(lib))
                return 0;
        pthread_mutex_lock(&load_lock);
        if (!rc_dl_loaded(lib)) {
                r = rc_dl_open(libraries[lib], &h, err);
                if (r == 0)
                        atomic_store_explicit(&handles[lib], h, memory_order_release);
        }
        pthread_mutex_unlock(&load_lock);
        return r;
}
