/* The build context: a directory read in place, its .containerignore or
 * .dockerignore, and the sources COPY and ADD name in it (or in a stage's
 * root for COPY --from).
 *
 * A source path is resolved with openat2(RESOLVE_IN_ROOT) against the
 * context directory: ".." cannot climb out of it and a symlink is followed
 * only as if the context were "/", so a link to "/" or "../.." stays in the
 * context.  Below a source directory nothing is followed: symlinks are
 * copied as symlinks. */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <linux/openat2.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "build/internal.h"
#include "util/fs.h"
#include "util/xalloc.h"

#define MAX_DEPTH 512
#define MAX_IGNORE_SIZE (1u << 20)

struct bld_ignore_pattern {
        regex_t re;
        bool exception; /* "!pattern" */
        char *text;
};

int bld_openat_in_root(int root_fd, const char *path, int flags)
{
        struct open_how how = { .flags = (uint64_t)flags | O_CLOEXEC,
                                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };

        return (int)syscall(SYS_openat2, root_fd, path[0] ? path : ".", &how, sizeof(how));
}

/* Docker's pattern syntax (moby/patternmatcher) as an extended regular
 * expression: "**" any number of directories, "*" and "?" within one
 * component, [...] classes, the escape character. */
static char *pattern_regex(const char *p)
{
        struct bld_buf b = { 0 };

        bld_buf_addc(&b, '^');
        for (; *p; p++) {
                if (p[0] == '*' && p[1] == '*') {
                        p++;
                        if (p[1] == '/')
                                p++;
                        if (p[1] == '\0')
                                bld_buf_add(&b, ".*", 2);
                        else
                                bld_buf_add(&b, "(.*/)?", 6);
                } else if (*p == '*') {
                        bld_buf_add(&b, "[^/]*", 5);
                } else if (*p == '?') {
                        bld_buf_add(&b, "[^/]", 4);
                } else if (*p == '[') {
                        const char *end = strchr(p + 1, ']');
                        if (end == NULL) {
                                bld_buf_add(&b, "\\[", 2);
                                continue;
                        }
                        bld_buf_addc(&b, '[');
                        p++;
                        if (*p == '!' || *p == '^') {
                                bld_buf_addc(&b, '^');
                                p++;
                        }
                        for (; p < end; p++) {
                                if (*p == '\\' && p + 1 < end)
                                        p++;
                                if (*p == '[' || *p == '\\')
                                        bld_buf_addc(&b, '\\');
                                bld_buf_addc(&b, *p);
                        }
                        bld_buf_addc(&b, ']');
                } else {
                        if (*p == '\\' && p[1])
                                p++;
                        if (strchr(".+()|{}^$\\", *p))
                                bld_buf_addc(&b, '\\');
                        bld_buf_addc(&b, *p);
                }
        }
        bld_buf_addc(&b, '$');
        return bld_buf_steal(&b);
}

/* Clean a pattern or path lexically: no leading "/" or "./", no "//", "."
 * or trailing "/"; ".." resolved (and dropped at the top).  "" for the
 * root. */
char *bld_clean_rel(const char *path, bool *climbs)
{
        cleanup_free char *abs = bld_clean_path("/", path);
        cleanup_free char *raw = xasprintf("/%s", path);
        size_t depth = 0;

        if (climbs) {
                /* does the path go above its start at any point? */
                *climbs = false;
                for (char *save = NULL, *c = strtok_r(raw, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
                        if (strcmp(c, "..") == 0) {
                                if (depth == 0)
                                        *climbs = true;
                                else
                                        depth--;
                        } else if (strcmp(c, ".") != 0) {
                                depth++;
                        }
                }
        }
        return xstrdup(abs + 1);
}

void bld_ignore_free(struct bld_ignore *ig)
{
        for (size_t i = 0; i < ig->n; i++) {
                regfree(&ig->p[i].re);
                free(ig->p[i].text);
        }
        free(ig->p);
        memset(ig, 0, sizeof(*ig));
}

int bld_ignore_parse(const char *text, const char *file, struct bld_ignore *out, rc_error **err)
{
        struct bld_ignore ig = { 0 };
        cleanup_free char *copy = xstrdup(text);
        unsigned line = 0;

        for (char *save = NULL, *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                size_t n;
                bool exception = false;
                cleanup_free char *clean = NULL, *re = NULL;
                line++;
                if (l[0] == '#')
                        continue;
                while (*l == ' ' || *l == '\t')
                        l++;
                n = strlen(l);
                while (n > 0 && (l[n - 1] == ' ' || l[n - 1] == '\t' || l[n - 1] == '\r'))
                        l[--n] = '\0';
                if (*l == '!') {
                        exception = true;
                        l++;
                        while (*l == ' ' || *l == '\t')
                                l++;
                }
                if (*l == '\0')
                        continue;
                clean = bld_clean_rel(l, NULL);
                if (clean[0] == '\0')
                        continue; /* "/" or ".": Docker ignores such a line */
                re = pattern_regex(clean);
                ig.p = xrealloc(ig.p, (ig.n + 1) * sizeof(*ig.p));
                if (regcomp(&ig.p[ig.n].re, re, REG_EXTENDED | REG_NOSUB) != 0) {
                        bld_ignore_free(&ig);
                        return rc_error_set(err, 0, "%s:%u: bad pattern \"%s\"", file, line, l);
                }
                ig.p[ig.n].exception = exception;
                ig.p[ig.n].text = xstrdup(clean);
                ig.has_exceptions = ig.has_exceptions || exception;
                ig.n++;
        }
        *out = ig;
        return 0;
}

bool bld_ignore_match(const struct bld_ignore *ig, const char *rel)
{
        bool excluded = false;

        if (ig == NULL || ig->n == 0 || rel[0] == '\0')
                return false;
        for (size_t i = 0; i < ig->n; i++) {
                bool match = regexec(&ig->p[i].re, rel, 0, NULL, 0) == 0;
                /* a pattern matching a parent directory matches what is in it */
                for (const char *s = strchr(rel, '/'); !match && s; s = strchr(s + 1, '/')) {
                        cleanup_free char *parent = xstrndup(rel, (size_t)(s - rel));
                        match = regexec(&ig->p[i].re, parent, 0, NULL, 0) == 0;
                }
                if (match)
                        excluded = !ig->p[i].exception;
        }
        return excluded;
}

int bld_context_open(const char *dir, struct bld_context *out, rc_error **err)
{
        static const char *const files[] = { ".containerignore", ".dockerignore" };
        struct bld_context c = { .fd = -1 };

        c.fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (c.fd < 0)
                return rc_error_set(err, errno, "build context %s", dir);
        c.path = xstrdup(dir);
        for (size_t i = 0; i < 2; i++) {
                cleanup_free char *text = NULL;
                cleanup_close int fd = bld_openat_in_root(c.fd, files[i], O_RDONLY | O_NONBLOCK);
                struct stat st;
                size_t len;
                if (fd < 0)
                        continue;
                if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > MAX_IGNORE_SIZE) {
                        bld_context_close(&c);
                        return rc_error_set(err, EINVAL, "%s/%s: not a regular file of at most %u bytes", dir, files[i],
                                            MAX_IGNORE_SIZE);
                }
                if (rc_read_fd(fd, &text, &len, err) < 0 || bld_ignore_parse(text, files[i], &c.ignore, err) < 0) {
                        bld_context_close(&c);
                        return -1;
                }
                break;
        }
        *out = c;
        return 0;
}

void bld_context_close(struct bld_context *c)
{
        if (c->fd >= 0)
                close(c->fd);
        free(c->path);
        bld_ignore_free(&c->ignore);
        memset(c, 0, sizeof(*c));
        c->fd = -1;
}

/* ---- sources ------------------------------------------------------------------ */

static bool has_wildcard(const char *s)
{
        return strpbrk(s, "*?[") != NULL;
}

static void add_source(struct bld_sources *out, const char *rel, const struct stat *st)
{
        const char *slash = strrchr(rel, '/');

        out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
        out->v[out->n].rel = xstrdup(rel);
        out->v[out->n].name = xstrdup(slash ? slash + 1 : rel);
        out->v[out->n].st = *st;
        out->n++;
}

/* Paths below dir (fd) matching the pattern's components from index i. */
static int glob_walk(int root_fd, const struct bld_ignore *ig, int dfd, const char *dir, char **comps, size_t i,
                     struct bld_sources *out, rc_error **err)
{
        cleanup_strv char **list = NULL;
        int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
        struct dirent *de;

        if (d == NULL) {
                if (fd >= 0)
                        close(fd);
                return 0;
        }
        list = xcalloc(1, sizeof(char *));
        while ((de = readdir(d)) != NULL)
                if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
                        strv_push(&list, de->d_name);
        closedir(d);
        qsort(list, strv_len(list), sizeof(char *), bld_cmp_strp);
        for (size_t k = 0; list[k]; k++) {
                cleanup_free char *rel = dir[0] ? xasprintf("%s/%s", dir, list[k]) : xstrdup(list[k]);
                struct stat st;
                if (fnmatch(comps[i], list[k], FNM_PATHNAME) != 0 || bld_ignore_match(ig, rel))
                        continue;
                if (comps[i + 1] == NULL) {
                        cleanup_close int f = bld_openat_in_root(root_fd, rel, O_PATH);
                        if (f >= 0 && fstat(f, &st) == 0)
                                add_source(out, rel, &st);
                        continue;
                }
                if (i + 1 >= MAX_DEPTH)
                        return rc_error_set(err, ELOOP, "%s: too deep", rel);
                cleanup_close int sub = bld_openat_in_root(root_fd, rel, O_RDONLY | O_DIRECTORY);
                if (sub >= 0 && glob_walk(root_fd, ig, sub, rel, comps, i + 1, out, err) < 0)
                        return -1;
        }
        return 0;
}

int bld_sources_find(int root_fd, const struct bld_ignore *ig, const char *what, const char *src,
                     struct bld_sources *out, rc_error **err)
{
        bool climbs = false;
        cleanup_free char *rel = bld_clean_rel(src, &climbs);
        struct stat st;

        if (climbs)
                return rc_error_code(err, EPERM, "%s: forbidden path outside the %s", src, what);
        if (has_wildcard(rel)) {
                cleanup_strv char **comps = xcalloc(1, sizeof(char *));
                size_t before = out->n;
                for (char *save = NULL, *c = strtok_r(rel, "/", &save); c; c = strtok_r(NULL, "/", &save))
                        strv_push(&comps, c);
                if (glob_walk(root_fd, ig, root_fd, "", comps, 0, out, err) < 0)
                        return -1;
                if (out->n == before)
                        return rc_error_code(err, ENOENT, "%s: no source files were specified (nothing in the %s "
                                                          "matches)",
                                             src, what);
                out->wildcard = true;
                return 0;
        }
        cleanup_close int fd = bld_openat_in_root(root_fd, rel, O_PATH);
        if (fd < 0 || fstat(fd, &st) < 0) {
                if (errno == ENOENT)
                        return rc_error_code(err, ENOENT, "%s: not found in the %s", src, what);
                return rc_error_set(err, errno, "%s: in the %s", src, what);
        }
        if (bld_ignore_match(ig, rel))
                return rc_error_code(err, ENOENT, "%s: not found in the %s: excluded by its ignore file", src, what);
        add_source(out, rel, &st);
        return 0;
}

void bld_sources_free(struct bld_sources *s)
{
        for (size_t i = 0; i < s->n; i++) {
                free(s->v[i].rel);
                free(s->v[i].name);
        }
        free(s->v);
        memset(s, 0, sizeof(*s));
}

int bld_cmp_strp(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- walking a source ---------------------------------------------------------- */

struct walk {
        int root_fd;
        const struct bld_ignore *ig;
        bld_walk_fn fn;
        void *ctx;
        struct bld_buf rel, sub; /* context path, path below the source */
};

static int walk_dir(struct walk *w, int dfd, unsigned depth, rc_error **err)
{
        cleanup_strv char **list = xcalloc(1, sizeof(char *));
        int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
        struct dirent *de;

        if (d == NULL) {
                int e = errno;
                if (fd >= 0)
                        close(fd);
                return rc_error_set(err, e, "read %s", w->rel.p);
        }
        while ((de = readdir(d)) != NULL)
                if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
                        strv_push(&list, de->d_name);
        closedir(d);
        if (depth >= MAX_DEPTH)
                return rc_error_set(err, ELOOP, "%s: directories nested deeper than %d levels", w->rel.p, MAX_DEPTH);
        qsort(list, strv_len(list), sizeof(char *), bld_cmp_strp);
        for (size_t k = 0; list[k]; k++) {
                size_t rel_len = w->rel.len, sub_len = w->sub.len;
                struct stat st;
                int r = 0;

                if (rel_len)
                        bld_buf_addc(&w->rel, '/');
                bld_buf_add(&w->rel, list[k], strlen(list[k]));
                if (sub_len)
                        bld_buf_addc(&w->sub, '/');
                bld_buf_add(&w->sub, list[k], strlen(list[k]));
                if (fstatat(dfd, list[k], &st, AT_SYMLINK_NOFOLLOW) == 0) {
                        bool excluded = bld_ignore_match(w->ig, w->rel.p);
                        /* an excluded directory may still hold an exception */
                        if (!excluded)
                                r = w->fn(w->ctx, w->sub.p, dfd, list[k], &st, err);
                        if (r == 0 && S_ISDIR(st.st_mode) && (!excluded || w->ig->has_exceptions)) {
                                int sub = openat(dfd, list[k], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                                if (sub < 0)
                                        r = rc_error_set(err, errno, "open %s", w->rel.p);
                                else {
                                        r = walk_dir(w, sub, depth + 1, err);
                                        close(sub);
                                }
                        }
                }
                w->rel.len = rel_len;
                w->rel.p[rel_len] = '\0';
                w->sub.len = sub_len;
                w->sub.p[sub_len] = '\0';
                if (r < 0)
                        return -1;
        }
        return 0;
}

int bld_source_walk(int root_fd, const struct bld_ignore *ig, const struct bld_source *src, bld_walk_fn fn,
                    void *ctx, rc_error **err)
{
        struct walk w = { .root_fd = root_fd, .ig = ig, .fn = fn, .ctx = ctx };
        cleanup_close int fd = -1;
        int r;

        if (!S_ISDIR(src->st.st_mode))
                return 0;
        fd = bld_openat_in_root(root_fd, src->rel, O_RDONLY | O_DIRECTORY);
        if (fd < 0)
                return rc_error_set(err, errno, "open %s", src->rel);
        bld_buf_add(&w.rel, src->rel, strlen(src->rel));
        bld_buf_add(&w.sub, "", 0);
        r = walk_dir(&w, fd, 0, err);
        free(w.rel.p);
        free(w.sub.p);
        return r;
}
