/* The cache of compiled programs: CACHE_DIR/KEY.bpf, a small header (magic,
 * instruction count, length of the key text, crc32 of what follows), the
 * key text (compared whole on reading, so two keys whose names collide only
 * cost a recompile) and the instructions.  No cryptographic hash: the files
 * live in the user's own 0700 runtime directory, the checks are against
 * torn or damaged files, and rc run must not load libcrypto for them.
 * Written to a temporary name and renamed, so readers see whole files;
 * anything that does not check out is ignored and rebuilt. */
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "seccomp/internal.h"
#include "util/digest.h"
#include <zlib.h>
#include "util/fs.h"
#include "util/log.h"
#include "util/xalloc.h"

#define CACHE_MAGIC "RCBPF\0\0\2"

struct cache_header {
        char magic[8];
        uint32_t count;   /* instructions */
        uint32_t key_len; /* bytes of key text after the header */
        uint32_t crc;     /* crc32 of the key text and the instructions */
        uint32_t reserved; /* 0 */
};

void rc_seccomp_sha256(const void *data, size_t len, char out[RC_DIGEST_LEN + 1])
{
        rc_sha256_digest(data, len, out);
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* What a compiled program depends on, as text. */
static char *cache_key_text(const struct rc_seccomp_profile *p, char *const *caps)
{
        const struct scmp_version *v = seccomp_version();
        size_t n = strv_len(caps);
        cleanup_strv char **norm = xcalloc(n + 1, sizeof(char *));
        char line[256];
        char *text;
        unsigned kernel = rc_seccomp_kernel_version();

        /* capabilities in one spelling, sorted, without duplicates */
        for (size_t i = 0; i < n; i++) {
                const char *c = strncasecmp(caps[i], "CAP_", 4) == 0 ? caps[i] + 4 : caps[i];
                norm[i] = xasprintf("CAP_%s", c);
                for (char *s = norm[i]; *s; s++)
                        if (*s >= 'a' && *s <= 'z')
                                *s = (char)(*s - 'a' + 'A');
        }
        qsort(norm, n, sizeof(char *), cmp_str);
        snprintf(line, sizeof(line), "rc seccomp cache 1\n%s\nsource %s\narch %u\nkernel %u.%u\nlibseccomp %u.%u.%u\n",
                 RC_SECCOMP_TABLE_VERSION, p->source, seccomp_arch_native(), kernel >> 16, kernel & 0xffff,
                 v ? v->major : 0, v ? v->minor : 0, v ? v->micro : 0);
        text = xstrdup(line);
        for (size_t i = 0; i < n; i++) {
                char *t;
                if (i > 0 && strcmp(norm[i], norm[i - 1]) == 0)
                        continue;
                t = xasprintf("%s%s\n", text, norm[i]);
                free(text);
                text = t;
        }
        return text;
}

/* The file name: two independent 32-bit checksums of the key text. */
static void cache_key_name(const char *text, char out[RC_DIGEST_HEX_LEN + 1])
{
        size_t len = strlen(text);
        uLong crc = crc32(0L, (const Bytef *)text, (uInt)len), adler = adler32(1L, (const Bytef *)text, (uInt)len);

        snprintf(out, RC_DIGEST_HEX_LEN + 1, "%08lx%08lx", crc & 0xffffffffUL, adler & 0xffffffffUL);
}

void rc_seccomp_cache_key(const struct rc_seccomp_profile *p, char *const *caps, char out[RC_DIGEST_HEX_LEN + 1])
{
        cleanup_free char *text = cache_key_text(p, caps);

        cache_key_name(text, out);
}

/* The cached program at path for key, or -1 if there is none that checks out. */
static int cache_read(const char *path, const char *key, struct sock_fprog *prog)
{
        cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
        cleanup_free char *buf = NULL;
        struct cache_header h;
        size_t key_len = strlen(key);
        size_t max = sizeof(h) + key_len + BPF_MAXINSNS * sizeof(struct sock_filter), body;
        struct stat st;
        ssize_t n;

        if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < (off_t)(sizeof(h) + key_len) ||
            st.st_size > (off_t)max)
                return -1;
        buf = xmalloc((size_t)st.st_size);
        n = read(fd, buf, (size_t)st.st_size);
        if (n != st.st_size)
                return -1;
        memcpy(&h, buf, sizeof(h));
        body = (size_t)n - sizeof(h) - key_len;
        if (memcmp(h.magic, CACHE_MAGIC, sizeof(h.magic)) != 0 || h.reserved != 0 || h.key_len != key_len ||
            memcmp(buf + sizeof(h), key, key_len) != 0 || h.count == 0 || h.count > BPF_MAXINSNS ||
            body != h.count * sizeof(struct sock_filter) ||
            crc32(0L, (const Bytef *)buf + sizeof(h), (uInt)(key_len + body)) != h.crc)
                return -1;
        prog->filter = xmalloc(body);
        memcpy(prog->filter, buf + sizeof(h) + key_len, body);
        prog->len = (unsigned short)h.count;
        return 0;
}

static int cache_write(const char *dir, const char *path, const char *key, const struct sock_fprog *prog,
                       rc_error **err)
{
        size_t body = prog->len * sizeof(struct sock_filter), key_len = strlen(key);
        cleanup_free char *buf = xcalloc(1, sizeof(struct cache_header) + key_len + body);
        struct cache_header h = { .count = prog->len, .key_len = (uint32_t)key_len };

        memcpy(h.magic, CACHE_MAGIC, sizeof(h.magic));
        memcpy(buf + sizeof(h), key, key_len);
        memcpy(buf + sizeof(h) + key_len, prog->filter, body);
        h.crc = (uint32_t)crc32(0L, (const Bytef *)buf + sizeof(h), (uInt)(key_len + body));
        memcpy(buf, &h, sizeof(h));
        if (rc_mkdir_p(dir, 0700, err) < 0)
                return -1;
        return rc_write_file_atomic(path, buf, sizeof(h) + key_len + body, 0600, err);
}

int rc_seccomp_filter_get(const struct rc_seccomp_profile *p, char *const *caps, const char *cache_dir,
                          struct rc_seccomp_filter **out, rc_error **err)
{
        char name[RC_DIGEST_HEX_LEN + 1];
        cleanup_free char *path = NULL, *key = NULL;
        struct rc_seccomp_filter *f;
        rc_error *werr = NULL;

        if (cache_dir == NULL)
                return rc_seccomp_compile(p, caps, out, err);
        key = cache_key_text(p, caps);
        cache_key_name(key, name);
        path = xasprintf("%s/%s.bpf", cache_dir, name);
        f = xcalloc(1, sizeof(*f));
        if (cache_read(path, key, &f->prog) == 0) {
                f->profile = xstrdup(p->name);
                f->default_action = p->default_action;
                f->architectures = rc_seccomp_arch_names(p, seccomp_arch_native());
                f->from_cache = true;
                *out = f;
                return 0;
        }
        free(f);
        if (rc_seccomp_compile(p, caps, &f, err) < 0)
                return -1;
        if (cache_write(cache_dir, path, key, &f->prog, &werr) < 0) {
                rc_debug("seccomp cache: %s", werr->msg);
                rc_error_free(werr);
        }
        *out = f;
        return 0;
}
