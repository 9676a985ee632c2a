/* /etc/subuid and /etc/subgid: parsing, diagnosis with exact fixes, and the
 * id mapping built from them. */
#include "userns/userns.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fs.h"
#include "util/xalloc.h"

#define SUBID_MIN 100000u    /* where useradd starts allocating (SUB_UID_MIN) */
#define SUBID_BLOCK 65536u   /* what useradd allocates (SUB_UID_COUNT) */
#define MAX_EXTENTS 340      /* kernel limit on lines in uid_map */

/* One text field of a line. */
struct field {
        const char *s;
        size_t len;
};

static bool parse_u32(struct field f, uint32_t *out)
{
        uint64_t v = 0;

        if (f.len == 0 || f.len > 10)
                return false;
        for (size_t i = 0; i < f.len; i++) {
                if (f.s[i] < '0' || f.s[i] > '9')
                        return false;
                v = v * 10 + (uint64_t)(f.s[i] - '0');
        }
        if (v > UINT32_MAX)
                return false;
        *out = (uint32_t)v;
        return true;
}

/* Calls fn for each non-comment line, split at ':' (at most 4 fields are
 * kept; nfields counts all).  Stops and returns fn's value if negative. */
typedef int (*line_fn)(void *ctx, unsigned lineno, struct field line, struct field *f, size_t nfields);

static int for_each_line(const char *content, line_fn fn, void *ctx)
{
        const char *p = content;
        unsigned lineno = 0;

        while (*p) {
                const char *eol = strchr(p, '\n');
                size_t len = eol ? (size_t)(eol - p) : strlen(p);
                struct field line = { p, len }, f[4];
                size_t nf = 0;
                const char *s;
                int r;

                lineno++;
                p += len + (eol ? 1 : 0);
                while (line.len && (*line.s == ' ' || *line.s == '\t'))
                        line.s++, line.len--;
                while (line.len && strchr(" \t\r", line.s[line.len - 1]))
                        line.len--;
                if (line.len == 0 || line.s[0] == '#')
                        continue;
                s = line.s;
                for (;;) {
                        const char *c = memchr(s, ':', (size_t)(line.s + line.len - s));
                        const char *end = c ? c : line.s + line.len;
                        if (nf < 4)
                                f[nf] = (struct field){ s, (size_t)(end - s) };
                        nf++;
                        if (c == NULL)
                                break;
                        s = c + 1;
                }
                r = fn(ctx, lineno, line, f, nf);
                if (r < 0)
                        return r;
        }
        return 0;
}

static bool field_is(struct field f, const char *s)
{
        return s && strlen(s) == f.len && memcmp(f.s, s, f.len) == 0;
}

struct parse_ctx {
        const char *user;
        char uidbuf[16];
        struct rc_subid_range *ranges;
        size_t n;
        rc_error **err;
};

static int parse_line(void *opaque, unsigned lineno, struct field line, struct field *f, size_t nf)
{
        struct parse_ctx *c = opaque;
        uint32_t start, count;
        int show = line.len > 80 ? 80 : (int)line.len;

        if (!field_is(f[0], c->user) && !field_is(f[0], c->uidbuf))
                return 0; /* another user's line: not ours to judge */
        if (nf != 3)
                return rc_error_set(c->err, 0, "line %u: '%.*s' has %zu field%s, expected NAME:START:COUNT", lineno,
                                    show, line.s, nf, nf == 1 ? "" : "s");
        if (!parse_u32(f[1], &start))
                return rc_error_set(c->err, 0, "line %u: start '%.*s' is not a number from 0 to 4294967295", lineno,
                                    f[1].len > 20 ? 20 : (int)f[1].len, f[1].s);
        if (!parse_u32(f[2], &count))
                return rc_error_set(c->err, 0, "line %u: count '%.*s' is not a number from 1 to 4294967295", lineno,
                                    f[2].len > 20 ? 20 : (int)f[2].len, f[2].s);
        if (count == 0)
                return rc_error_set(c->err, 0, "line %u: count 0 gives no ids", lineno);
        if ((uint64_t)start + count > (uint64_t)UINT32_MAX)
                return rc_error_set(c->err, 0, "line %u: %" PRIu32 "+%" PRIu32 " goes past the largest id 4294967294",
                                    lineno, start, count);
        c->ranges = xrealloc(c->ranges, (c->n + 1) * sizeof(*c->ranges));
        c->ranges[c->n++] = (struct rc_subid_range){ start, count, lineno };
        return 0;
}

int rc_subid_parse(const char *content, const char *user, uid_t uid, struct rc_subid_range **out, size_t *n,
                   rc_error **err)
{
        struct parse_ctx c = { .user = user, .err = err };

        snprintf(c.uidbuf, sizeof(c.uidbuf), "%u", (unsigned)uid);
        if (for_each_line(content, parse_line, &c) < 0) {
                free(c.ranges);
                return -1;
        }
        *out = c.ranges;
        *n = c.n;
        return 0;
}

static int highest_end(void *opaque, unsigned lineno, struct field line, struct field *f, size_t nf)
{
        uint64_t *max = opaque;
        uint32_t start, count;

        if (nf == 3 && parse_u32(f[1], &start) && parse_u32(f[2], &count) && (uint64_t)start + count > *max)
                *max = (uint64_t)start + count;
        return 0;
}

uint32_t rc_subid_suggest_start(const char *content)
{
        uint64_t end = 0, start = SUBID_MIN;

        for_each_line(content, highest_end, &end);
        if (end > SUBID_MIN)
                start = SUBID_MIN + (end - SUBID_MIN + SUBID_BLOCK - 1) / SUBID_BLOCK * SUBID_BLOCK;
        if (start + SUBID_BLOCK > UINT32_MAX)
                start = SUBID_MIN; /* the file is full up high; the admin must pick */
        return (uint32_t)start;
}

/* ---- mapping helpers ---- */

void rc_userns_mapping_free(struct rc_userns_mapping *m)
{
        free(m->uids);
        free(m->gids);
        memset(m, 0, sizeof(*m));
}

static bool idmap_equal(const struct rc_idmap *a, size_t na, const struct rc_idmap *b, size_t nb)
{
        return na == nb && (na == 0 || memcmp(a, b, na * sizeof(*a)) == 0);
}

bool rc_userns_mapping_equal(const struct rc_userns_mapping *a, const struct rc_userns_mapping *b)
{
        return idmap_equal(a->uids, a->n_uids, b->uids, b->n_uids) &&
               idmap_equal(a->gids, a->n_gids, b->gids, b->n_gids);
}

char *rc_idmap_format(const struct rc_idmap *m, size_t n)
{
        char *s = xstrdup("");

        for (size_t i = 0; i < n; i++) {
                char *t = xasprintf("%s%s%" PRIu32 ":%" PRIu32 ":%" PRIu32, s, i ? " " : "", m[i].container,
                                    m[i].host, m[i].size);
                free(s);
                s = t;
        }
        return s;
}

int rc_idmap_parse_proc(const char *text, struct rc_idmap **out, size_t *n, rc_error **err)
{
        cleanup_free struct rc_idmap *m = NULL;
        size_t cnt = 0;
        const char *p = text;

        while (*p) {
                unsigned long c, h, s;
                char *end;

                while (*p == ' ' || *p == '\n')
                        p++;
                if (*p == '\0')
                        break;
                errno = 0;
                c = strtoul(p, &end, 10);
                if (end == p)
                        goto bad;
                h = strtoul(p = end, &end, 10);
                if (end == p)
                        goto bad;
                s = strtoul(p = end, &end, 10);
                if (end == p || errno || c > UINT32_MAX || h > UINT32_MAX || s > UINT32_MAX)
                        goto bad;
                p = end;
                m = xrealloc(m, (cnt + 1) * sizeof(*m));
                m[cnt++] = (struct rc_idmap){ (uint32_t)c, (uint32_t)h, (uint32_t)s };
        }
        *out = steal_pointer(&m);
        *n = cnt;
        return 0;
bad:
        return rc_error_set(err, 0, "malformed id map '%.60s'", text);
}

/* ---- diagnosis ---- */

void rc_diag_free(struct rc_diag *d)
{
        free(d->detail);
        free(d->fix);
        memset(d, 0, sizeof(*d));
}

static enum rc_diag_level diag_set(struct rc_diag *d, enum rc_diag_level level, char *fix, bool root,
                                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static enum rc_diag_level diag_set(struct rc_diag *d, enum rc_diag_level level, char *fix, bool root,
                                   const char *fmt, ...)
{
        va_list ap;

        rc_diag_free(d);
        va_start(ap, fmt);
        if (vasprintf(&d->detail, fmt, ap) < 0)
                abort();
        va_end(ap);
        d->level = level;
        d->fix = fix;
        d->fix_needs_root = root;
        return level;
}

static void append(char **s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void append(char **s, const char *fmt, ...)
{
        char *tail = NULL, *t;
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(&tail, fmt, ap) < 0)
                abort();
        va_end(ap);
        t = xasprintf("%s%s", *s, tail);
        free(tail);
        free(*s);
        *s = t;
}

/* What we learn from one of the two files. */
struct kind {
        const char *file;
        const char *what;  /* "uid" or "gid" */
        const char *flag;  /* "subuids" or "subgids", for usermod options */
        const char *std;   /* the file usermod edits */
        uint32_t own;      /* the user's own uid or gid */
        char *content;
        bool file_missing;
        struct rc_subid_range *r;
        size_t n;
        uint64_t total;
};

/* usermod edits only the standard files, and needs a user name. */
static bool by_usermod(const struct kind *k, const struct rc_userns_identity *id)
{
        return id->user && strcmp(k->file, k->std) == 0;
}

/* "user NAME", or "uid N" for a uid without a passwd entry. */
static const char *user_label(const struct rc_userns_identity *id, char *buf, size_t len)
{
        if (id->user)
                snprintf(buf, len, "user %s", id->user);
        else
                snprintf(buf, len, "uid %u", (unsigned)id->uid);
        return buf;
}

/* Returns FAIL with d set, OWN_ID (a range contains the user's own id; the
 * fix needs a free block, known once both files are read) or OK. */
enum kind_result { KIND_OK, KIND_FAIL, KIND_OWN_ID, KIND_SHARED };

/* Another user's line of the file whose range overlaps one of ours. */
struct shared_range {
        size_t mine;         /* index in k->r */
        unsigned line;       /* the other line */
        char owner[64];
        uint64_t start, end; /* the other range */
};

static bool find_shared(const struct kind *k, const struct rc_userns_identity *id, struct shared_range *out)
{
        const char *p = k->content;
        char uid_text[16];
        unsigned line = 0;

        snprintf(uid_text, sizeof(uid_text), "%u", (unsigned)id->uid);
        while (p && *p) {
                const char *nl = strchr(p, '\n');
                size_t len = nl ? (size_t)(nl - p) : strlen(p);
                char buf[256], *owner, *start, *count, *end1, *end2, *save = NULL;
                unsigned long long st, ct;

                line++;
                if (len < sizeof(buf)) {
                        memcpy(buf, p, len);
                        buf[len] = '\0';
                        owner = strtok_r(buf, ":", &save);
                        start = strtok_r(NULL, ":", &save);
                        count = strtok_r(NULL, ":", &save);
                        if (owner && start && count && owner[0] != '#' && strcmp(owner, uid_text) != 0 &&
                            !(id->user && strcmp(owner, id->user) == 0)) {
                                st = strtoull(start, &end1, 10);
                                ct = strtoull(count, &end2, 10);
                                if (*end1 == '\0' && *end2 == '\0' && ct > 0) {
                                        for (size_t i = 0; i < k->n; i++) {
                                                uint64_t a_end = (uint64_t)k->r[i].start + k->r[i].count - 1;
                                                if (st > a_end || k->r[i].start > st + ct - 1)
                                                        continue;
                                                *out = (struct shared_range){ .mine = i, .line = line, .start = st,
                                                                              .end = st + ct - 1 };
                                                snprintf(out->owner, sizeof(out->owner), "%s", owner);
                                                return true;
                                        }
                                }
                        }
                }
                p = nl ? nl + 1 : NULL;
        }
        return false;
}

static enum kind_result read_kind(struct kind *k, const struct rc_userns_identity *id, struct rc_diag *d)
{
        cleanup_error rc_error *e = NULL;
        char lbl[300], num[16];
        const char *who = user_label(id, lbl, sizeof(lbl));
        const char *name = id->user;

        if (name == NULL) {
                snprintf(num, sizeof(num), "%u", (unsigned)id->uid);
                name = num;
        }
        if (rc_read_file(k->file, &k->content, NULL, &e) < 0) {
                if (e->errnum != ENOENT) {
                        diag_set(d, RC_DIAG_FAIL, xasprintf("chmod 0644 %s", k->file), true,
                                        "cannot read %s (%s); newuidmap needs it readable", k->file,
                                        strerror(e->errnum));
                        return KIND_FAIL;
                }
                k->file_missing = true;
                k->content = xstrdup("");
        }
        if (rc_subid_parse(k->content, id->user, id->uid, &k->r, &k->n, &e) < 0) {
                diag_set(d, RC_DIAG_FAIL,
                         xasprintf("edit %s so that the line reads %s:START:COUNT, for example %s:%u:%u", k->file, name,
                                   name, rc_subid_suggest_start(k->content), SUBID_BLOCK),
                         true, "%s %s (the line is %s's)", k->file, e->msg, who);
                return KIND_FAIL;
        }
        if (k->n >= MAX_EXTENTS) {
                diag_set(d, RC_DIAG_FAIL, xasprintf("merge %s's lines in %s into fewer ranges", who, k->file),
                                true, "%s has %zu ranges for %s; the kernel takes at most %d", k->file, k->n, who,
                                MAX_EXTENTS - 1);
                return KIND_FAIL;
        }
        for (size_t i = 0; i < k->n; i++) {
                const struct rc_subid_range *a = &k->r[i];
                uint64_t a_end = (uint64_t)a->start + a->count - 1;

                if (k->own >= a->start && k->own <= a_end)
                        return KIND_OWN_ID;
                for (size_t j = 0; j < i; j++) {
                        const struct rc_subid_range *b = &k->r[j];
                        uint64_t b_end = (uint64_t)b->start + b->count - 1;
                        if (a->start > b_end || b->start > a_end)
                                continue;
                        diag_set(d, RC_DIAG_FAIL,
                                                by_usermod(k, id) ? xasprintf("usermod --del-%s %" PRIu32 "-%" PRIu64 " %s",
                                                                     k->flag, a->start, a_end, id->user)
                                                         : xasprintf("delete line %u of %s", a->line, k->file),
                                                true,
                                                "%s lines %u and %u give %s overlapping %s ranges (%" PRIu32
                                                "-%" PRIu64 " and %" PRIu32 "-%" PRIu64 "); the kernel refuses "
                                                "such a mapping",
                                                k->file, b->line, a->line, who, k->what, b->start, b_end, a->start,
                                                a_end);
                        return KIND_FAIL;
                }
                k->total += a->count;
        }
        {
                struct shared_range sh;
                if (find_shared(k, id, &sh))
                        return KIND_SHARED;
        }
        return KIND_OK;
}

/* The fix for a range that another user's range overlaps. */
static enum rc_diag_level shared_fail(const struct kind *k, const struct rc_userns_identity *id, uint32_t s,
                                      struct rc_diag *d)
{
        char lbl[300], num[16];
        const char *who = user_label(id, lbl, sizeof(lbl));
        const char *name = id->user ? id->user : (snprintf(num, sizeof(num), "%u", (unsigned)id->uid), num);
        struct shared_range sh;
        const struct rc_subid_range *a;
        uint64_t a_end;

        if (!find_shared(k, id, &sh))
                return RC_DIAG_OK;
        a = &k->r[sh.mine];
        a_end = (uint64_t)a->start + a->count - 1;
        return diag_set(d, RC_DIAG_FAIL,
                        by_usermod(k, id) ? xasprintf("usermod --del-%s %" PRIu32 "-%" PRIu64 " --add-%s %u-%u %s",
                                                      k->flag, a->start, a_end, k->flag, s, s + SUBID_BLOCK - 1,
                                                      id->user)
                                          : xasprintf("replace line %u of %s with %s:%u:%u", a->line, k->file, name, s,
                                                      SUBID_BLOCK),
                        true,
                        "%s's %s range %" PRIu32 "-%" PRIu64 " (%s line %u) overlaps %s's %" PRIu64 "-%" PRIu64
                        " (line %u): users that share subordinate ids can reach each other's containers and files",
                        who, k->what, a->start, a_end, k->file, a->line, sh.owner, sh.start, sh.end, sh.line);
}

/* The fix for a range that contains the user's own id, now that the free
 * range to suggest is known. */
static enum rc_diag_level own_id_fail(const struct kind *k, const struct rc_userns_identity *id, uint32_t s,
                                      struct rc_diag *d)
{
        char lbl[300], num[16];
        const char *who = user_label(id, lbl, sizeof(lbl));
        const char *name = id->user ? id->user : (snprintf(num, sizeof(num), "%u", (unsigned)id->uid), num);

        for (size_t i = 0; i < k->n; i++) {
                const struct rc_subid_range *a = &k->r[i];
                uint64_t a_end = (uint64_t)a->start + a->count - 1;
                if (k->own < a->start || k->own > a_end)
                        continue;
                return diag_set(d, RC_DIAG_FAIL,
                                by_usermod(k, id) ? xasprintf("usermod --del-%s %" PRIu32 "-%" PRIu64 " --add-%s %u-%u %s",
                                                     k->flag, a->start, a_end, k->flag, s, s + SUBID_BLOCK - 1,
                                                     id->user)
                                         : xasprintf("replace line %u of %s with %s:%u:%u", a->line, k->file,
                                                     name, s, SUBID_BLOCK),
                                true,
                                "the range %" PRIu32 "-%" PRIu64 " (%s line %u) contains %s's own %s %u: "
                                "subordinate ids must be ids nobody else uses",
                                a->start, a_end, k->file, a->line, who, k->what, (unsigned)k->own);
        }
        return RC_DIAG_OK;
}

/* A block of 65536 ids free in both files and not containing the user's
 * own ids. */
static uint32_t suggest(const struct kind *k, const struct rc_userns_identity *id)
{
        uint32_t a = rc_subid_suggest_start(k[0].content), b = rc_subid_suggest_start(k[1].content);
        uint32_t s = a > b ? a : b;

        while ((id->uid >= s && id->uid - s < SUBID_BLOCK) || (id->gid >= s && id->gid - s < SUBID_BLOCK))
                s += SUBID_BLOCK;
        return s;
}

static void build_mapping(const struct kind *k, uint32_t own, struct rc_idmap **out, size_t *n)
{
        struct rc_idmap *m = xcalloc(k->n + 1, sizeof(*m));
        uint32_t next = 1;

        m[0] = (struct rc_idmap){ 0, own, 1 };
        for (size_t i = 0; i < k->n; i++) {
                m[i + 1] = (struct rc_idmap){ next, k->r[i].start, k->r[i].count };
                next += k->r[i].count;
        }
        *out = m;
        *n = k->n + 1;
}

static void free_kinds(struct kind *k)
{
        for (size_t i = 0; i < 2; i++) {
                free(k[i].content);
                free(k[i].r);
        }
}

enum rc_diag_level rc_subid_diagnose(const char *subuid_file, const char *subgid_file,
                                     const struct rc_userns_identity *id, struct rc_userns_mapping *mapping,
                                     struct rc_diag *out)
{
        struct kind k[2] = {
                { .file = subuid_file, .what = "uid", .flag = "subuids", .std = "/etc/subuid", .own = id->uid },
                { .file = subgid_file, .what = "gid", .flag = "subgids", .std = "/etc/subgid", .own = id->gid },
        };
        char num[16];
        const char *name = id->user ? id->user : (snprintf(num, sizeof(num), "%u", (unsigned)id->uid), num);
        struct rc_diag d = { 0 };
        char lbl[300];
        const char *who = user_label(id, lbl, sizeof(lbl));
        enum rc_diag_level level = RC_DIAG_OK;
        cleanup_free char *range = NULL;
        uint32_t s;

        for (size_t i = 0; i < 2; i++) {
                enum kind_result r = read_kind(&k[i], id, &d);
                if (r == KIND_OWN_ID || r == KIND_SHARED) {
                        /* the suggestion must avoid the other file's ranges too */
                        if (i == 0 && k[1].content == NULL && rc_read_file(k[1].file, &k[1].content, NULL, NULL) < 0)
                                k[1].content = xstrdup("");
                        if (r == KIND_OWN_ID)
                                level = own_id_fail(&k[i], id, suggest(k, id), &d);
                        else
                                level = shared_fail(&k[i], id, suggest(k, id), &d);
                }
                if (r != KIND_OK) {
                        level = RC_DIAG_FAIL;
                        goto out;
                }
        }
        s = suggest(k, id);
        range = xasprintf("%u-%u", s, s + SUBID_BLOCK - 1);
        if (k[0].n == 0 || k[1].n == 0) {
                bool both = k[0].n == 0 && k[1].n == 0;
                const struct kind *m = k[0].n == 0 ? &k[0] : &k[1];
                char *fix = xstrdup("");

                /* usermod refuses --add-subuids when the file does not exist */
                for (size_t i = 0; i < 2; i++)
                        if (k[i].n == 0 && k[i].file_missing)
                                append(&fix, "%s %s", *fix ? "" : "touch", k[i].file);
                if (*fix)
                        append(&fix, " && ");
                if (by_usermod(&k[0], id) && by_usermod(&k[1], id)) {
                        append(&fix, "usermod");
                        for (size_t i = 0; i < 2; i++)
                                if (k[i].n == 0)
                                        append(&fix, " --add-%s %s", k[i].flag, range);
                        append(&fix, " %s", id->user);
                } else {
                        for (size_t i = 0; i < 2; i++)
                                if (k[i].n == 0)
                                        append(&fix, "%secho %s:%u:%u >> %s", i && both ? " && " : "", name, s,
                                               SUBID_BLOCK, k[i].file);
                }
                bool gone0 = k[0].n == 0 && k[0].file_missing, gone1 = k[1].n == 0 && k[1].file_missing;
                level = diag_set(&d, RC_DIAG_FAIL, fix, true, "no subordinate %s range for %s in %s%s%s%s%s%s",
                                 m->what, who, m->file, both ? " and no gid range in " : "", both ? k[1].file : "",
                                 gone0 && gone1 ? " (neither file exists)" : gone0 || gone1 ? " (" : "",
                                 gone0 != gone1 ? (gone0 ? k[0].file : k[1].file) : "",
                                 gone0 != gone1 ? " does not exist)" : "");
                goto out;
        }
        if (k[0].total < SUBID_BLOCK || k[1].total < SUBID_BLOCK) {
                const struct kind *m = k[0].total < SUBID_BLOCK ? &k[0] : &k[1];
                bool both = k[0].total < SUBID_BLOCK && k[1].total < SUBID_BLOCK;

                level = diag_set(&d, RC_DIAG_WARN,
                                 by_usermod(&k[0], id) && by_usermod(&k[1], id)
                                          ? xasprintf("usermod%s%s%s%s %s", m == &k[0] ? " --add-subuids " : "",
                                                      m == &k[0] ? range : "",
                                                      both || m == &k[1] ? " --add-subgids " : "",
                                                      both || m == &k[1] ? range : "", id->user)
                                          : xasprintf("echo %s:%u:%u >> %s", name, s, SUBID_BLOCK, m->file),
                                 true,
                                 "%s has only %" PRIu64 " subordinate %ss in %s%s: images with files owned by "
                                 "ids up to 65534 ('nobody') need at least %u, and will fail to unpack",
                                 who, m->total, m->what, m->file, both ? " (and too few gids too)" : "",
                                 SUBID_BLOCK);
        } else {
                level = diag_set(&d, RC_DIAG_OK, NULL, false,
                                 "%s: %" PRIu64 " uids from %s (%zu range%s), %" PRIu64 " gids from %s (%zu range%s)",
                                 who, k[0].total, k[0].file, k[0].n, k[0].n == 1 ? "" : "s", k[1].total, k[1].file,
                                 k[1].n, k[1].n == 1 ? "" : "s");
        }
        if (mapping) {
                if (1 + k[0].total > UINT32_MAX || 1 + k[1].total > UINT32_MAX) {
                        level = diag_set(&d, RC_DIAG_FAIL, NULL, false,
                                         "%s has more subordinate ids than fit in a user namespace", who);
                        goto out;
                }
                build_mapping(&k[0], id->uid, &mapping->uids, &mapping->n_uids);
                build_mapping(&k[1], id->gid, &mapping->gids, &mapping->n_gids);
        }
out:
        free_kinds(k);
        *out = d;
        return level;
}
