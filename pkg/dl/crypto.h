/* libcrypto (OpenSSL), loaded on first use (see dl/dl.h).  Include after
 * <openssl/crypto.h> <openssl/evp.h>: the names rc uses then call through pointers that rc_dl_crypto()
 * fills.  Call rc_dl_crypto() before the first call. */
#ifndef RC_DL_CRYPTO_H
#define RC_DL_CRYPTO_H

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "dl/dl.h"

#define RC_DL_CRYPTO_SYMBOLS(X) \
        X(EVP_DigestFinal_ex) \
        X(EVP_DigestInit_ex) \
        X(EVP_DigestUpdate) \
        X(EVP_EncodeBlock) \
        X(EVP_MD_CTX_free) \
        X(EVP_MD_CTX_new) \
        X(EVP_sha256) \
        X(OpenSSL_version)

RC_DL_CRYPTO_SYMBOLS(RC_DL_DECLARE)

#ifndef RC_DL_NO_REDIRECT
#define EVP_DigestFinal_ex sym_EVP_DigestFinal_ex
#define EVP_DigestInit_ex sym_EVP_DigestInit_ex
#define EVP_DigestUpdate sym_EVP_DigestUpdate
#define EVP_EncodeBlock sym_EVP_EncodeBlock
#define EVP_MD_CTX_free sym_EVP_MD_CTX_free
#define EVP_MD_CTX_new sym_EVP_MD_CTX_new
#define EVP_sha256 sym_EVP_sha256
#define OpenSSL_version sym_OpenSSL_version
#endif

#endif
