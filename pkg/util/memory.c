/* Trimming an idle process's resident memory (the container monitor). */
#include "util/memory.h"

#include <malloc.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

/* One mapping of /proc/self/smaps, as far as the decision needs it. */
struct mapping {
        unsigned long start, end;
        bool candidate; /* file-backed and not writable */
        bool private_copy; /* Anonymous > 0: copied-on-write pages (relocations) */
};

static void release(const struct mapping *m)
{
        /* a read-only file mapping without private copies: dropping its
         * pages loses nothing, the next access maps them from the page cache */
        if (m->candidate && !m->private_copy && m->end > m->start)
                madvise((void *)m->start, m->end - m->start, MADV_DONTNEED);
}

void rc_memory_trim(void)
{
        struct mapping m = { 0 };
        char line[512];
        FILE *f;

        malloc_trim(0);
        f = fopen("/proc/self/smaps", "re");
        if (f == NULL)
                return;
        while (fgets(line, sizeof(line), f)) {
                unsigned long start, end, kb;
                char perms[8], path[256] = "";

                if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %255s", &start, &end, perms, path) >= 3 &&
                    strchr(line, '-') < strchr(line, ' ')) {
                        release(&m);
                        m = (struct mapping){ .start = start, .end = end };
                        /* [vdso], [vvar], [stack]... are not files */
                        m.candidate = perms[1] != 'w' && perms[0] == 'r' && path[0] == '/';
                } else if (sscanf(line, "Anonymous: %lu kB", &kb) == 1 && kb > 0) {
                        m.private_copy = true;
                }
        }
        fclose(f);
        release(&m);
}
