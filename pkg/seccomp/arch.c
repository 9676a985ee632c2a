/* Architecture names, capability and kernel-version matching. */
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/utsname.h>

#include "seccomp/internal.h"

static const struct {
        const char *name; /* profile spelling */
        uint32_t arch;
        const char *docker[3]; /* names in includes/excludes "arches" */
} arches[] = {
        { "SCMP_ARCH_X86", SCMP_ARCH_X86, { "x86", "386", NULL } },
        { "SCMP_ARCH_X86_64", SCMP_ARCH_X86_64, { "amd64", "x86_64", NULL } },
        { "SCMP_ARCH_X32", SCMP_ARCH_X32, { "x32", NULL, NULL } },
        { "SCMP_ARCH_ARM", SCMP_ARCH_ARM, { "arm", NULL, NULL } },
        { "SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64, { "arm64", "aarch64", NULL } },
        { "SCMP_ARCH_MIPS", SCMP_ARCH_MIPS, { "mips", NULL, NULL } },
        { "SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64, { "mips64", NULL, NULL } },
        { "SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32, { "mips64n32", NULL, NULL } },
        { "SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL, { "mipsel", "mipsle", NULL } },
        { "SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64, { "mipsel64", "mips64le", NULL } },
        { "SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32, { "mipsel64n32", "mips64n32le", NULL } },
        { "SCMP_ARCH_PPC", SCMP_ARCH_PPC, { "ppc", NULL, NULL } },
        { "SCMP_ARCH_PPC64", SCMP_ARCH_PPC64, { "ppc64", NULL, NULL } },
        { "SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE, { "ppc64le", NULL, NULL } },
        { "SCMP_ARCH_S390", SCMP_ARCH_S390, { "s390", NULL, NULL } },
        { "SCMP_ARCH_S390X", SCMP_ARCH_S390X, { "s390x", NULL, NULL } },
        { "SCMP_ARCH_PARISC", SCMP_ARCH_PARISC, { "parisc", NULL, NULL } },
        { "SCMP_ARCH_PARISC64", SCMP_ARCH_PARISC64, { "parisc64", NULL, NULL } },
        { "SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64, { "riscv64", NULL, NULL } },
};
#define N_ARCHES (sizeof(arches) / sizeof(arches[0]))

int rc_seccomp_arch_from_name(const char *name, uint32_t *arch)
{
        for (size_t i = 0; i < N_ARCHES; i++) {
                if (strcmp(name, arches[i].name) == 0) {
                        *arch = arches[i].arch;
                        return 0;
                }
        }
        return -1;
}

const char *rc_seccomp_arch_name(uint32_t arch)
{
        for (size_t i = 0; i < N_ARCHES; i++)
                if (arches[i].arch == arch)
                        return arches[i].name;
        return "SCMP_ARCH_UNKNOWN";
}

size_t rc_seccomp_default_arches(uint32_t native, uint32_t out[4])
{
        size_t n = 0;

        out[n++] = native;
        switch (native) {
        case SCMP_ARCH_X86_64:
                out[n++] = SCMP_ARCH_X86;
                out[n++] = SCMP_ARCH_X32;
                break;
        case SCMP_ARCH_AARCH64:
                out[n++] = SCMP_ARCH_ARM;
                break;
        case SCMP_ARCH_PPC64:
        case SCMP_ARCH_PPC64LE:
                break;
        case SCMP_ARCH_S390X:
                out[n++] = SCMP_ARCH_S390;
                break;
        case SCMP_ARCH_MIPS64:
                out[n++] = SCMP_ARCH_MIPS;
                out[n++] = SCMP_ARCH_MIPS64N32;
                break;
        case SCMP_ARCH_MIPSEL64:
                out[n++] = SCMP_ARCH_MIPSEL;
                out[n++] = SCMP_ARCH_MIPSEL64N32;
                break;
        default:
                break;
        }
        return n;
}

bool rc_seccomp_arches_match(char *const *list, uint32_t native)
{
        for (size_t i = 0; i < N_ARCHES; i++) {
                if (arches[i].arch != native)
                        continue;
                for (size_t j = 0; list && list[j]; j++)
                        for (size_t k = 0; k < 3 && arches[i].docker[k]; k++)
                                if (strcmp(list[j], arches[i].docker[k]) == 0)
                                        return true;
        }
        return false;
}

static const char *strip_cap(const char *s)
{
        return strncasecmp(s, "CAP_", 4) == 0 ? s + 4 : s;
}

bool rc_seccomp_caps_have(char *const *have, const char *want)
{
        for (size_t i = 0; have && have[i]; i++)
                if (strcasecmp(strip_cap(have[i]), strip_cap(want)) == 0)
                        return true;
        return false;
}

int rc_seccomp_parse_kernel(const char *s, unsigned *out)
{
        unsigned long major, minor;
        char *end;

        if (*s < '0' || *s > '9')
                return -1;
        major = strtoul(s, &end, 10);
        if (*end != '.' || end[1] < '0' || end[1] > '9' || major > 0xffff)
                return -1;
        minor = strtoul(end + 1, &end, 10);
        if (minor > 0xffff)
                return -1;
        if (*end == '.') { /* a patch level is allowed and ignored */
                if (end[1] < '0' || end[1] > '9')
                        return -1;
                (void)strtoul(end + 1, &end, 10);
        }
        if (*end != '\0')
                return -1;
        *out = (unsigned)(major << 16 | minor);
        return 0;
}

unsigned rc_seccomp_kernel_version(void)
{
        struct utsname u;
        unsigned major = 0, minor = 0;

        if (uname(&u) == 0 && sscanf(u.release, "%u.%u", &major, &minor) == 2 && major <= 0xffff && minor <= 0xffff)
                return major << 16 | minor;
        return 0;
}
