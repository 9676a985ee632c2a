/* Allocation that aborts on failure, so error paths deal with real errors
 * only, plus the cleanup attributes every module uses for ownership. */
#ifndef RC_UTIL_XALLOC_H
#define RC_UTIL_XALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <dirent.h>

void *xmalloc(size_t n) __attribute__((malloc, alloc_size(1), returns_nonnull));
void *xcalloc(size_t nmemb, size_t n) __attribute__((malloc, alloc_size(1, 2), returns_nonnull));
void *xrealloc(void *p, size_t n) __attribute__((alloc_size(2), returns_nonnull));
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void freep(void *p);
void closep(int *fd);
void fclosep(FILE **f);
void closedirp(DIR **d);
void strv_freep(char ***v);

#define cleanup_free __attribute__((cleanup(freep)))
#define cleanup_close __attribute__((cleanup(closep)))
#define cleanup_fclose __attribute__((cleanup(fclosep)))
#define cleanup_closedir __attribute__((cleanup(closedirp)))
#define cleanup_strv __attribute__((cleanup(strv_freep)))

/* Hand ownership on: returns the value and clears the variable. */
static inline void *steal_ptr_(void *pp)
{
        void **p = pp;
        void *v = *p;
        *p = NULL;
        return v;
}
#define steal_pointer(pp) steal_ptr_(pp)

static inline int steal_fd(int *fd)
{
        int v = *fd;
        *fd = -1;
        return v;
}

/* NULL-terminated string vectors. */
size_t strv_len(char *const *v);
bool strv_contains(char *const *v, const char *s);
char **strv_dup(char *const *v);
void strv_push(char ***v, const char *s); /* appends a copy */
void strv_free(char **v);

#endif
