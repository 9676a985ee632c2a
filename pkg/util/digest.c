#include "util/digest.h"

#include "dl/crypto.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

struct rc_sha256 {
        EVP_MD_CTX *ctx;
};

rc_sha256 *rc_sha256_new(void)
{
        rc_sha256 *h;

        /* Entry points that hash call rc_dl_crypto() first and report a
         * missing libcrypto; getting here without it is a bug. */
        if (rc_dl_crypto(NULL) < 0)
                abort();
        h = malloc(sizeof(*h));
        if (h == NULL)
                abort();
        h->ctx = EVP_MD_CTX_new();
        if (h->ctx == NULL || EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1)
                abort();
        return h;
}

void rc_sha256_update(rc_sha256 *h, const void *data, size_t len)
{
        if (len > 0 && EVP_DigestUpdate(h->ctx, data, len) != 1)
                abort();
}

void rc_sha256_final(rc_sha256 *h, char out[RC_DIGEST_LEN + 1])
{
        static const char hex[] = "0123456789abcdef";
        unsigned char md[32];
        unsigned int n = 0;

        if (EVP_DigestFinal_ex(h->ctx, md, &n) != 1 || n != 32)
                abort();
        memcpy(out, "sha256:", 7);
        for (int i = 0; i < 32; i++) {
                out[7 + 2 * i] = hex[md[i] >> 4];
                out[8 + 2 * i] = hex[md[i] & 15];
        }
        out[RC_DIGEST_LEN] = '\0';
        rc_sha256_free(h);
}

void rc_sha256_free(rc_sha256 *h)
{
        if (h == NULL)
                return;
        EVP_MD_CTX_free(h->ctx);
        free(h);
}

void rc_sha256_freep(rc_sha256 **h)
{
        rc_sha256_free(*h);
        *h = NULL;
}

void rc_sha256_digest(const void *data, size_t len, char out[RC_DIGEST_LEN + 1])
{
        rc_sha256 *h = rc_sha256_new();
        rc_sha256_update(h, data, len);
        rc_sha256_final(h, out);
}

bool rc_digest_valid(const char *digest)
{
        if (digest == NULL || strncmp(digest, "sha256:", 7) != 0 || strlen(digest) != RC_DIGEST_LEN)
                return false;
        for (const char *p = digest + 7; *p; p++)
                if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
                        return false;
        return true;
}

const char *rc_digest_hex(const char *digest)
{
        return digest + 7;
}
