/* How much a tree holds, for rc ps -s and rc system df. */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <search.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "util/fs.h"
#include "util/xalloc.h"

/* nftw keeps no context pointer: the walk's state, one walk at a time */
static uint64_t total;
static void *seen; /* tsearch tree of the hard-linked files counted */

struct inode {
        dev_t dev;
        ino_t ino;
};

static int cmp_inode(const void *a, const void *b)
{
        const struct inode *x = a, *y = b;

        if (x->dev != y->dev)
                return x->dev < y->dev ? -1 : 1;
        return x->ino < y->ino ? -1 : x->ino > y->ino;
}

static int count(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
        (void)path;
        (void)ftw;
        if (type == FTW_SL) {
                total += (uint64_t)st->st_size;
        } else if (type == FTW_F && S_ISREG(st->st_mode)) {
                if (st->st_nlink > 1) {
                        struct inode *k = xmalloc(sizeof(*k));
                        k->dev = st->st_dev;
                        k->ino = st->st_ino;
                        if (*(struct inode **)tsearch(k, &seen, cmp_inode) != k) {
                                free(k);
                                return 0;
                        }
                }
                total += (uint64_t)st->st_size;
        }
        return 0; /* unreadable directories (FTW_DNR) are left out */
}

uint64_t rc_tree_size(const char *path)
{
        uint64_t r;

        total = 0;
        seen = NULL;
        /* 16 fds at most, whatever the depth */
        nftw(path, count, 16, FTW_PHYS | FTW_MOUNT);
        r = total;
        tdestroy(seen, free);
        seen = NULL;
        return r;
}
