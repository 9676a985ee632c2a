/* Internal to pkg/build. */
#ifndef RC_BUILD_INTERNAL_H
#define RC_BUILD_INTERNAL_H

#include <stddef.h>

/* A growing string, always NUL-terminated once anything was added. */
struct bld_buf {
        char *p;
        size_t len, cap;
};
void bld_buf_add(struct bld_buf *b, const char *s, size_t n);
void bld_buf_addc(struct bld_buf *b, char c);
/* The string (an empty one if nothing was added); b is reset. */
char *bld_buf_steal(struct bld_buf *b);

#endif
