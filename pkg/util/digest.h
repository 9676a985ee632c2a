/* sha256 digests in OCI form ("sha256:<64 hex>"), streaming or one-shot. */
#ifndef RC_UTIL_DIGEST_H
#define RC_UTIL_DIGEST_H

#include <stdbool.h>
#include <stddef.h>

#define RC_DIGEST_HEX_LEN 64
#define RC_DIGEST_LEN (7 + RC_DIGEST_HEX_LEN) /* "sha256:" + hex */

typedef struct rc_sha256 rc_sha256;

/* OpenSSL's libcrypto does the hashing; it is loaded on first use (pkg/dl).
 * Commands that hash call rc_dl_crypto() first, so that a missing library is
 * an error they report; these functions abort when it cannot be loaded. */

rc_sha256 *rc_sha256_new(void);
void rc_sha256_update(rc_sha256 *h, const void *data, size_t len);
/* Writes "sha256:<hex>" (RC_DIGEST_LEN + 1 bytes) and frees h. */
void rc_sha256_final(rc_sha256 *h, char out[RC_DIGEST_LEN + 1]);
void rc_sha256_free(rc_sha256 *h);
void rc_sha256_freep(rc_sha256 **h);
#define cleanup_sha256 __attribute__((cleanup(rc_sha256_freep)))

void rc_sha256_digest(const void *data, size_t len, char out[RC_DIGEST_LEN + 1]);

/* True for a well-formed "sha256:<64 lowercase hex>". */
bool rc_digest_valid(const char *digest);
/* The hex part of a valid digest. */
const char *rc_digest_hex(const char *digest);

#endif
