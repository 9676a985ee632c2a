/* Internal to pkg/seccomp: architecture names, capability and kernel
 * matching shared by the parser, the default table and the compiler. */
#ifndef RC_SECCOMP_INTERNAL_H
#define RC_SECCOMP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "seccomp/seccomp.h"

/* Bumped whenever the default table or the way rc compiles changes: part
 * of every cache key. */
#define RC_SECCOMP_TABLE_VERSION "rc-default-profile 1"

/* "SCMP_ARCH_X86_64" -> SCMP_ARCH_X86_64; -1 if unknown. */
int rc_seccomp_arch_from_name(const char *name, uint32_t *arch);
/* SCMP_ARCH_X86_64 -> "SCMP_ARCH_X86_64"; "SCMP_ARCH_UNKNOWN" if unknown. */
const char *rc_seccomp_arch_name(uint32_t arch);
/* The arches a filter for the native one covers by default: native first,
 * then its compat arches (x86 and x32 on x86_64, arm on aarch64...). */
size_t rc_seccomp_default_arches(uint32_t native, uint32_t out[4]);
/* Does the includes/excludes "arches" list name the native architecture?
 * Lists use the docker names: amd64, arm64, x86, x32, arm, ppc64le, s390x... */
bool rc_seccomp_arches_match(char *const *arches, uint32_t native);
/* Is every capability of `want` in `have`?  Names compare without case
 * and with or without the CAP_ prefix. */
bool rc_seccomp_caps_have(char *const *have, const char *want);
/* SCMP_ARCH_* names of the architectures a filter of p covers here: the
 * native one first (compile.c). */
char **rc_seccomp_arch_names(const struct rc_seccomp_profile *p, uint32_t native);
/* The running kernel as major << 16 | minor. */
unsigned rc_seccomp_kernel_version(void);
/* sha256 of data as "sha256:<hex>" (bpf_cache.c).  OpenSSL's low-level
 * interface: the EVP one behind util/digest.h spends ~2.5 ms initialising
 * providers on first use, more than the whole cached filter costs `rc run`. */
void rc_seccomp_sha256(const void *data, size_t len, char out[RC_DIGEST_LEN + 1]);
/* "4.8" or "5.10.2" -> major << 16 | minor; -1 if malformed. */
int rc_seccomp_parse_kernel(const char *s, unsigned *out);

#endif
