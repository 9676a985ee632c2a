/* The cache of compiled programs: CACHE_DIR/KEY.bpf, a small header (magic,
 * instruction count, sha256 of the instructions) and the instructions.
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
#include "util/fs.h"
#include "util/log.h"
#include "util/xalloc.h"

#define CACHE_MAGIC "RCBPF\0\0\1"

struct cache_header {
        char magic[8];
        uint32_t count;    /* instructions */
        uint32_t reserved; /* 0 */
        char digest[RC_DIGEST_LEN + 1]; /* sha256 of the instructions, NUL-terminated */
};

void rc_seccomp_sha256(const void *data, size_t len, char out[RC_DIGEST_LEN + 1])
{
        rc_sha256_digest(data, len, out);
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

void rc_seccomp_cache_key(const struct rc_seccomp_profile *p, char *const *caps, char out[RC_DIGEST_HEX_LEN + 1])
{
        const struct scmp_version *v = seccomp_version();
        size_t n = strv_len(caps);
        cleanup_strv char **norm = xcalloc(n + 1, sizeof(char *));
        char line[256], digest[RC_DIGEST_LEN + 1];
        cleanup_free char *text = NULL;
        size_t len;
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
        len = strlen(text);
        rc_seccomp_sha256(text, len, digest);
        memcpy(out, rc_digest_hex(digest), RC_DIGEST_HEX_LEN + 1);
}

/* The cached program at path, or -1 if there is none that checks out. */
static int cache_read(const char *path, struct sock_fprog *prog)
{
        cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
        cleanup_free char *buf = NULL;
        struct cache_header h;
        char digest[RC_DIGEST_LEN + 1];
        size_t max = sizeof(h) + BPF_MAXINSNS * sizeof(struct sock_filter), body;
        struct stat st;
        ssize_t n;

        if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < (off_t)sizeof(h) ||
            st.st_size > (off_t)max)
                return -1;
        buf = xmalloc((size_t)st.st_size);
        n = read(fd, buf, (size_t)st.st_size);
        if (n != st.st_size)
                return -1;
        memcpy(&h, buf, sizeof(h));
        body = (size_t)n - sizeof(h);
        if (memcmp(h.magic, CACHE_MAGIC, sizeof(h.magic)) != 0 || h.reserved != 0 || h.count == 0 ||
            h.count > BPF_MAXINSNS || body != h.count * sizeof(struct sock_filter) ||
            h.digest[RC_DIGEST_LEN] != '\0')
                return -1;
        rc_seccomp_sha256(buf + sizeof(h), body, digest);
        if (strcmp(digest, h.digest) != 0)
                return -1;
        prog->filter = xmalloc(body);
        memcpy(prog->filter, buf + sizeof(h), body);
        prog->len = (unsigned short)h.count;
        return 0;
}

static int cache_write(const char *dir, const char *path, const struct sock_fprog *prog, rc_error **err)
{
        size_t body = prog->len * sizeof(struct sock_filter);
        cleanup_free char *buf = xcalloc(1, sizeof(struct cache_header) + body);
        struct cache_header h = { .count = prog->len };

        memcpy(h.magic, CACHE_MAGIC, sizeof(h.magic));
        rc_seccomp_sha256(prog->filter, body, h.digest);
        memcpy(buf, &h, sizeof(h));
        memcpy(buf + sizeof(h), prog->filter, body);
        if (rc_mkdir_p(dir, 0700, err) < 0)
                return -1;
        return rc_write_file_atomic(path, buf, sizeof(h) + body, 0600, err);
}

int rc_seccomp_filter_get(const struct rc_seccomp_profile *p, char *const *caps, const char *cache_dir,
                          struct rc_seccomp_filter **out, rc_error **err)
{
        char key[RC_DIGEST_HEX_LEN + 1];
        cleanup_free char *path = NULL;
        struct rc_seccomp_filter *f;
        rc_error *werr = NULL;

        if (cache_dir == NULL)
                return rc_seccomp_compile(p, caps, out, err);
        rc_seccomp_cache_key(p, caps, key);
        path = xasprintf("%s/%s.bpf", cache_dir, key);
        f = xcalloc(1, sizeof(*f));
        if (cache_read(path, &f->prog) == 0) {
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
        if (cache_write(cache_dir, path, &f->prog, &werr) < 0) {
                rc_debug("seccomp cache: %s", werr->msg);
                rc_error_free(werr);
        }
        *out = f;
        return 0;
}
