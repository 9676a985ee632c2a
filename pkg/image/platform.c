/* Platforms: the host's, in OCI terms, and choosing an index entry for one
 * (normalisation and variant fallbacks as containerd does them). */
#include "image/image.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "util/xalloc.h"

struct platform {
        const char *os;
        char arch[32];
        char variant[16]; /* "" when none */
};

/* Aliases to OCI names; variant "" keeps what was given. */
static const struct {
        const char *name, *arch, *variant;
} arch_aliases[] = {
        { "x86_64", "amd64", "" },   { "x86-64", "amd64", "" },  { "aarch64", "arm64", "" },
        { "armhf", "arm", "v7" },    { "armel", "arm", "v6" },   { "i386", "386", "" },
        { "i686", "386", "" },       { "loongarch64", "loong64", "" },
};

static void normalize(const char *os, const char *arch, const char *variant, struct platform *p)
{
        p->os = os;
        snprintf(p->arch, sizeof(p->arch), "%s", arch);
        snprintf(p->variant, sizeof(p->variant), "%s", variant ? variant : "");
        for (size_t i = 0; i < sizeof(arch_aliases) / sizeof(*arch_aliases); i++) {
                if (strcmp(arch, arch_aliases[i].name) == 0) {
                        snprintf(p->arch, sizeof(p->arch), "%s", arch_aliases[i].arch);
                        if (*arch_aliases[i].variant)
                                snprintf(p->variant, sizeof(p->variant), "%s", arch_aliases[i].variant);
                }
        }
        /* Bare digits are the same variant as "vN". */
        if (p->variant[0] >= '0' && p->variant[0] <= '9') {
                char v[sizeof(p->variant)];
                snprintf(v, sizeof(v), "v%.14s", p->variant);
                memcpy(p->variant, v, sizeof(v));
        }
        if (strcmp(p->arch, "arm64") == 0 && (p->variant[0] == '\0' || strcmp(p->variant, "v8.0") == 0))
                strcpy(p->variant, "v8");
        else if (strcmp(p->arch, "arm") == 0 && p->variant[0] == '\0')
                strcpy(p->variant, "v7");
        else if (strcmp(p->arch, "amd64") == 0 && strcmp(p->variant, "v1") == 0)
                p->variant[0] = '\0';
}

/* Variants a host runs, best first: arm vN also runs v(N-1) down to v5,
 * arm64 v8.x/v9 runs v8 images. */
static size_t acceptable_variants(const struct platform *host, char out[8][16])
{
        size_t n = 0;

        snprintf(out[n++], 16, "%s", host->variant);
        if (strcmp(host->arch, "arm") == 0 && host->variant[0] == 'v') {
                long v = strtol(host->variant + 1, NULL, 10);
                /* 32-bit arm variants are v5..v8. */
                for (long lower = (v > 9 ? 9 : v) - 1; lower >= 5; lower--)
                        snprintf(out[n++], 16, "v%c", (char)('0' + lower));
        } else if (strcmp(host->arch, "arm64") == 0 && strcmp(host->variant, "v8") != 0) {
                snprintf(out[n++], 16, "v8");
        }
        return n;
}

static bool is_manifest_entry(const struct rc_descriptor *d)
{
        return d->media_type && (strcmp(d->media_type, RC_MEDIA_OCI_MANIFEST) == 0 ||
                                 strcmp(d->media_type, RC_MEDIA_DOCKER_MANIFEST) == 0);
}

static char *describe_platforms(const struct rc_index *idx)
{
        char *list = xstrdup("");
        size_t shown = 0;

        for (size_t i = 0; i < idx->n && shown < 16; i++) {
                const struct rc_descriptor *d = &idx->manifests[i];
                char *next;
                if (!is_manifest_entry(d) || d->platform_os == NULL || strcmp(d->platform_os, "unknown") == 0)
                        continue;
                next = xasprintf("%s%s%s/%s%s%s", list, shown ? ", " : "", d->platform_os, d->platform_arch,
                                 d->platform_variant ? "/" : "", d->platform_variant ? d->platform_variant : "");
                free(list);
                list = next;
                shown++;
        }
        return list;
}

int rc_index_select(const struct rc_index *idx, const char *os, const char *arch, const char *variant,
                    const struct rc_descriptor **out, rc_error **err)
{
        struct platform host;
        char variants[8][16];
        size_t nv;
        cleanup_free char *have = NULL;

        if (os == NULL || arch == NULL)
                return rc_error_set(err, 0, "image index: no platform given to select");
        normalize(os, arch, variant, &host);
        nv = acceptable_variants(&host, variants);
        for (size_t v = 0; v < nv; v++) {
                for (size_t i = 0; i < idx->n; i++) {
                        const struct rc_descriptor *d = &idx->manifests[i];
                        struct platform p;
                        if (!is_manifest_entry(d) || d->platform_os == NULL || d->platform_arch == NULL)
                                continue;
                        normalize(d->platform_os, d->platform_arch, d->platform_variant, &p);
                        if (strcmp(p.os, host.os) == 0 && strcmp(p.arch, host.arch) == 0 &&
                            strcmp(p.variant, variants[v]) == 0) {
                                *out = d;
                                return 0;
                        }
                }
        }
        have = describe_platforms(idx);
        return rc_error_set(err, 0, "image index has no image for %s/%s%s%s (it has: %s)", host.os, host.arch,
                            host.variant[0] ? "/" : "", host.variant, *have ? have : "no platforms");
}

void rc_platform_host(const char **os, const char **arch, const char **variant)
{
        static const struct {
                const char *machine, *arch, *variant;
        } machines[] = {
                { "x86_64", "amd64", NULL },   { "aarch64", "arm64", "v8" },     { "arm64", "arm64", "v8" },
                { "armv8l", "arm", "v8" },     { "armv7l", "arm", "v7" },        { "armv7", "arm", "v7" },
                { "armv6l", "arm", "v6" },     { "armv5tel", "arm", "v5" },      { "armv5tejl", "arm", "v5" },
                { "i386", "386", NULL },       { "i486", "386", NULL },          { "i586", "386", NULL },
                { "i686", "386", NULL },       { "ppc64le", "ppc64le", NULL },   { "ppc64", "ppc64", NULL },
                { "s390x", "s390x", NULL },    { "riscv64", "riscv64", NULL },   { "mips64", "mips64", NULL },
                { "loongarch64", "loong64", NULL },
        };
        /* An unlisted machine name is passed on as is; the strings must
         * outlive the call, hence a per-thread copy. */
        static __thread char other[sizeof(((struct utsname *)0)->machine)];
        struct utsname u;

        *os = "linux";
        *arch = "amd64";
        *variant = NULL;
        if (uname(&u) < 0) /* only EFAULT, impossible with a local buffer */
                return;
        for (size_t i = 0; i < sizeof(machines) / sizeof(*machines); i++) {
                if (strcmp(u.machine, machines[i].machine) == 0) {
                        *arch = machines[i].arch;
                        *variant = machines[i].variant;
                        return;
                }
        }
        snprintf(other, sizeof(other), "%s", u.machine);
        *arch = other;
}
