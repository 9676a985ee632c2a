/* ADD https://...: a download into the store's staging area, hashed as it
 * arrives.  Only http and https, also across redirects (a redirect to
 * file:// must not read the user's files); interrupted by Ctrl-C; bounded
 * by [storage] max_layer_size when one is set. */
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "build/internal.h"
#include "dl/curl.h"
#include "util/fs.h"
#include "util/interrupt.h"
#include "util/xalloc.h"

struct fetch {
        int fd;
        uint64_t size, max;
        rc_sha256 *h;
        rc_error *err;
        const char *url;
};

static size_t write_cb(char *data, size_t size, size_t n, void *ctx)
{
        struct fetch *f = ctx;
        size_t len = size * n;

        if (f->max && f->size + len > f->max) {
                rc_error_set(&f->err, EFBIG, "ADD %s: larger than [storage] max_layer_size (%llu bytes)", f->url,
                             (unsigned long long)f->max);
                return 0;
        }
        if (rc_write_all(f->fd, data, len) < 0) {
                rc_error_set(&f->err, errno, "ADD %s: write", f->url);
                return 0;
        }
        rc_sha256_update(f->h, data, len);
        f->size += len;
        return len;
}

static int progress_cb(void *ctx, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
        (void)ctx;
        (void)dltotal;
        (void)dlnow;
        (void)ultotal;
        (void)ulnow;
        return rc_interrupted() ? 1 : 0;
}

/* The file name a URL gives: its path's last component, without query or
 * fragment. */
static char *url_file_name(const char *url)
{
        const char *p = strstr(url, "://");
        size_t end;
        const char *slash;

        p = p ? p + 3 : url;
        end = strcspn(p, "?#");
        slash = memrchr(p, '/', end);
        if (slash == NULL)
                return xstrdup("");
        return xstrndup(slash + 1, end - (size_t)(slash + 1 - p));
}

int bld_fetch(struct bld_builder *b, const char *url, struct bld_download *out, rc_error **err)
{
        struct fetch f = { .fd = -1, .max = rc_store_max_layer_size(b->s), .url = url };
        struct bld_download d = { 0 };
        CURL *c = NULL;
        CURLcode rc;
        char errbuf[CURL_ERROR_SIZE] = "";
        curl_off_t filetime = -1;
        int r = -1;

        if (rc_dl_curl(err) < 0 || rc_dl_crypto(err) < 0)
                return -1;
        d.name = url_file_name(url);
        if (rc_store_mkstemp(b->s, "add", &f.fd, &d.path, err) < 0)
                goto out;
        f.h = rc_sha256_new();
        c = curl_easy_init();
        if (c == NULL) {
                rc_error_set(err, ENOMEM, "ADD %s: curl", url);
                goto out;
        }
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
        curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
        curl_easy_setopt(c, CURLOPT_FILETIME, 1L);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
        /* a server that stops sending fails the step instead of hanging it */
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
        curl_easy_setopt(c, CURLOPT_USERAGENT, "rc/" RC_VERSION);
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &f);
        curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress_cb);
        if (b->o->skip_tls_verify) {
                curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
                curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
        }
        rc = curl_easy_perform(c);
        if (rc != CURLE_OK) {
                if (f.err)
                        *err = steal_pointer(&f.err);
                else if (rc == CURLE_ABORTED_BY_CALLBACK)
                        rc_interrupt_check(err);
                else
                        rc_error_set(err, 0, "ADD %s: %s", url, errbuf[0] ? errbuf : curl_easy_strerror(rc));
                if (err && *err == NULL)
                        rc_error_set(err, ECANCELED, "ADD %s: interrupted", url);
                goto out;
        }
        curl_easy_getinfo(c, CURLINFO_FILETIME_T, &filetime);
        d.mtime = filetime >= 0 ? (time_t)filetime : time(NULL);
        rc_sha256_final(steal_pointer(&f.h), d.digest);
        *out = d;
        memset(&d, 0, sizeof(d));
        r = 0;
out:
        if (c)
                curl_easy_cleanup(c);
        if (f.fd >= 0)
                close(f.fd);
        rc_sha256_free(f.h);
        rc_error_free(f.err);
        bld_download_free(&d);
        return r;
}

void bld_download_free(struct bld_download *d)
{
        if (d->path)
                unlink(d->path);
        free(d->path);
        free(d->name);
        memset(d, 0, sizeof(*d));
}
