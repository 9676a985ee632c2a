/* The mounts a user asks for: -v, --mount and --tmpfs, parsed into
 * struct rc_mount_req.  Pure: nothing is looked up on disk here; whether a
 * host path exists is create's question. */
#include "container/container.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"
#include "volume/volume.h"

char *rc_path_clean(const char *path)
{
        size_t len = path ? strlen(path) : 0;
        char *out, *o;

        if (len == 0 || path[0] != '/')
                return NULL;
        out = xmalloc(len + 2);
        o = out;
        for (const char *p = path; *p;) {
                const char *end = strchrnul(p, '/');
                size_t n = (size_t)(end - p);

                if (n == 0 || (n == 1 && p[0] == '.')) {
                        /* "//" and "/./" name nothing */
                } else if (n == 2 && p[0] == '.' && p[1] == '.') {
                        /* ".." climbs, and stops at the root */
                        while (o > out && *--o != '/')
                                ;
                } else {
                        *o++ = '/';
                        memcpy(o, p, n);
                        o += n;
                }
                p = *end ? end + 1 : end;
        }
        if (o == out)
                *o++ = '/';
        *o = '\0';
        return out;
}

void rc_mount_req_free(struct rc_mount_req *m)
{
        free(m->source);
        free(m->destination);
        strv_free(m->options);
        memset(m, 0, sizeof(*m));
}

void rc_mount_req_copy(const struct rc_mount_req *from, struct rc_mount_req *to)
{
        *to = *from;
        to->source = from->source ? xstrdup(from->source) : NULL;
        to->destination = from->destination ? xstrdup(from->destination) : NULL;
        to->options = strv_dup(from->options ? from->options : (char *[]){ NULL });
}

int rc_mount_check_duplicates(const struct rc_mount_req *m, size_t n, rc_error **err)
{
        for (size_t i = 0; i < n; i++)
                for (size_t j = 0; j < i; j++)
                        if (strcmp(m[i].destination, m[j].destination) == 0)
                                return rc_error_set(err, EINVAL,
                                                    "%s: duplicate mount destination: two mounts are given for it",
                                                    m[i].destination);
        return 0;
}

/* A mount destination: absolute, cleaned, not the root itself. */
static int destination(const char *what, const char *path, char **out, rc_error **err)
{
        char *clean;

        if (path == NULL || *path == '\0')
                return rc_error_set(err, EINVAL, "%s: no destination in the container is given", what);
        if (strlen(path) >= PATH_MAX)
                return rc_error_set(err, ENAMETOOLONG, "%s: the destination is too long", what);
        clean = rc_path_clean(path);
        if (clean == NULL)
                return rc_error_set(err, EINVAL, "%s: invalid container path \"%s\": it must be an absolute path",
                                    what, path);
        if (strcmp(clean, "/") == 0) {
                free(clean);
                return rc_error_set(err, EINVAL, "%s: the container's root \"/\" cannot be a mount destination",
                                    what);
        }
        *out = clean;
        return 0;
}

/* A host path: absolute, or relative to cwd (as podman resolves it). */
static int host_path(const char *what, const char *path, const char *cwd, char **out, rc_error **err)
{
        cleanup_free char *joined = NULL;

        if (strlen(path) >= PATH_MAX)
                return rc_error_set(err, ENAMETOOLONG, "%s: the host path is too long", what);
        if (path[0] != '/') {
                if (cwd == NULL || cwd[0] != '/')
                        return rc_error_set(err, EINVAL, "%s: relative host path \"%s\" without a working directory",
                                            what, path);
                joined = xasprintf("%s/%s", cwd, path);
                path = joined;
        }
        *out = rc_path_clean(path);
        return 0;
}

/* Which option words set the same thing, so that a second one is a conflict. */
enum { SEEN_RO = 1, SEEN_PROPAGATION = 2, SEEN_BIND = 4, SEEN_COPY = 8, SEEN_SUID = 16, SEEN_DEV = 32,
       SEEN_EXEC = 64, SEEN_COPYUP = 128 };

static const char *const propagations[] = { "private", "rprivate", "shared",     "rshared",
                                            "slave",   "rslave",   "unbindable", "runbindable", NULL };

/* The flag pairs a bind, a volume or a tmpfs takes: nosuid/suid, ... */
static int flag_word(const char *what, const char *opt, unsigned *seen, struct rc_mount_req *m, rc_error **err)
{
        static const struct {
                const char *on, *off;
                unsigned bit;
        } pairs[] = { { "nosuid", "suid", SEEN_SUID }, { "nodev", "dev", SEEN_DEV }, { "noexec", "exec", SEEN_EXEC } };

        for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
                if (strcmp(opt, pairs[i].on) != 0 && strcmp(opt, pairs[i].off) != 0)
                        continue;
                if (*seen & pairs[i].bit)
                        return rc_error_set(err, EINVAL, "%s: %s and %s given more than once", what, pairs[i].on,
                                            pairs[i].off);
                *seen |= pairs[i].bit;
                /* the word replaces a default of the other kind */
                for (size_t j = 0; m->options && m->options[j]; j++) {
                        if (strcmp(m->options[j], pairs[i].on) == 0 || strcmp(m->options[j], pairs[i].off) == 0) {
                                free(m->options[j]);
                                m->options[j] = xstrdup(opt);
                                return 1;
                        }
                }
                strv_push(&m->options, opt);
                return 1;
        }
        return 0;
}

static int readonly_word(const char *what, bool ro, unsigned *seen, struct rc_mount_req *m, rc_error **err)
{
        if (*seen & SEEN_RO)
                return rc_error_set(err, EINVAL, "%s: ro and rw given more than once", what);
        *seen |= SEEN_RO;
        m->readonly = ro;
        return 0;
}

static int propagation_word(const char *what, const char *opt, unsigned *seen, struct rc_mount_req *m,
                            rc_error **err)
{
        if (!strv_contains((char *const *)propagations, opt))
                return rc_error_set(err, EINVAL,
                                    "%s: propagation \"%s\": use private, rprivate, shared, rshared, slave, rslave, "
                                    "unbindable or runbindable",
                                    what, opt);
        if (*seen & SEEN_PROPAGATION)
                return rc_error_set(err, EINVAL, "%s: only one propagation mode may be given", what);
        *seen |= SEEN_PROPAGATION;
        for (size_t j = 0; m->options[j]; j++) {
                if (strv_contains((char *const *)propagations, m->options[j])) {
                        free(m->options[j]);
                        m->options[j] = xstrdup(opt);
                }
        }
        return 0;
}

static int bind_word(const char *what, const char *opt, unsigned *seen, struct rc_mount_req *m, rc_error **err)
{
        if (*seen & SEEN_BIND)
                return rc_error_set(err, EINVAL, "%s: bind and rbind given more than once", what);
        *seen |= SEEN_BIND;
        for (size_t j = 0; m->options[j]; j++) {
                if (strcmp(m->options[j], "rbind") == 0 || strcmp(m->options[j], "bind") == 0) {
                        free(m->options[j]);
                        m->options[j] = xstrdup(opt);
                }
        }
        return 0;
}

static void init_req(struct rc_mount_req *m, enum rc_mount_kind kind)
{
        memset(m, 0, sizeof(*m));
        m->kind = kind;
        m->options = xcalloc(1, sizeof(char *));
        if (kind == RC_MOUNT_TMPFS) {
                /* podman's defaults for a tmpfs, and its copy of what the image has there */
                strv_push(&m->options, "nosuid");
                strv_push(&m->options, "nodev");
                strv_push(&m->options, "noexec");
                strv_push(&m->options, "tmpcopyup");
        } else {
                strv_push(&m->options, "rbind");
                strv_push(&m->options, "rprivate");
        }
}

/* tmpfs data: size=N[kmg%], mode=OCTAL, uid=N, gid=N, nr_inodes=N[kmg] */
static bool tmpfs_data_ok(const char *opt)
{
        const char *eq = strchr(opt, '=');
        const char *v = eq ? eq + 1 : NULL;
        size_t digits;

        if (v == NULL || *v == '\0')
                return false;
        digits = strspn(v, "0123456789");
        if (digits == 0)
                return false;
        if (!strncmp(opt, "mode=", 5))
                return strspn(v, "01234567") == strlen(v) && strlen(v) <= 4;
        if (!strncmp(opt, "uid=", 4) || !strncmp(opt, "gid=", 4))
                return v[digits] == '\0';
        if (!strncmp(opt, "size=", 5) || !strncmp(opt, "nr_inodes=", 10))
                return v[digits] == '\0' || (strchr("kKmMgG%", v[digits]) && v[digits + 1] == '\0');
        return false;
}

static int tmpfs_option(const char *what, const char *opt, unsigned *seen, struct rc_mount_req *m, rc_error **err)
{
        int r;

        if (!strcmp(opt, "ro") || !strcmp(opt, "rw"))
                return readonly_word(what, !strcmp(opt, "ro"), seen, m, err);
        if ((r = flag_word(what, opt, seen, m, err)) != 0)
                return r < 0 ? -1 : 0;
        if (!strcmp(opt, "tmpcopyup") || !strcmp(opt, "notmpcopyup")) {
                if (*seen & SEEN_COPYUP)
                        return rc_error_set(err, EINVAL, "%s: tmpcopyup and notmpcopyup given more than once", what);
                *seen |= SEEN_COPYUP;
                if (!strcmp(opt, "notmpcopyup")) {
                        cleanup_strv char **kept = xcalloc(1, sizeof(char *));
                        for (size_t j = 0; m->options[j]; j++)
                                if (strcmp(m->options[j], "tmpcopyup") != 0)
                                        strv_push(&kept, m->options[j]);
                        strv_free(m->options);
                        m->options = steal_pointer(&kept);
                }
                return 0;
        }
        if (!strcmp(opt, "noatime") || !strcmp(opt, "relatime") || !strcmp(opt, "strictatime")) {
                strv_push(&m->options, opt);
                return 0;
        }
        if (tmpfs_data_ok(opt)) {
                size_t keylen = (size_t)(strchr(opt, '=') - opt) + 1;
                for (size_t j = 0; m->options[j]; j++)
                        if (!strncmp(m->options[j], opt, keylen))
                                return rc_error_set(err, EINVAL, "%s: %.*s given more than once", what,
                                                    (int)keylen - 1, opt);
                strv_push(&m->options, opt);
                return 0;
        }
        return rc_error_set(err, EINVAL,
                            "%s: invalid tmpfs option \"%s\" (rc takes ro, rw, size=, mode=, uid=, gid=, nr_inodes=, "
                            "[no]suid, [no]dev, [no]exec, [no]tmpcopyup)",
                            what, opt);
}

/* One -v option word. */
static int volume_option(const char *what, const char *opt, unsigned *seen, struct rc_mount_req *m, rc_error **err)
{
        int r;

        if (!strcmp(opt, "ro") || !strcmp(opt, "rw"))
                return readonly_word(what, !strcmp(opt, "ro"), seen, m, err);
        if (!strcmp(opt, "z") || !strcmp(opt, "Z"))
                return 0; /* SELinux relabelling: rc applies no SELinux labels, so there is nothing to relabel */
        if (!strcmp(opt, "nocopy") || !strcmp(opt, "copy")) {
                if (*seen & SEEN_COPY)
                        return rc_error_set(err, EINVAL, "%s: copy and nocopy given more than once", what);
                *seen |= SEEN_COPY;
                m->nocopy = !strcmp(opt, "nocopy");
                return 0;
        }
        if (!strcmp(opt, "bind") || !strcmp(opt, "rbind"))
                return bind_word(what, opt, seen, m, err);
        if (strv_contains((char *const *)propagations, opt))
                return propagation_word(what, opt, seen, m, err);
        if ((r = flag_word(what, opt, seen, m, err)) != 0)
                return r < 0 ? -1 : 0;
        if (!strcmp(opt, "U") || !strcmp(opt, "O") || !strncmp(opt, "idmap", 5))
                return rc_error_set(err, EINVAL, "%s: option \"%s\" is not supported by rc", what, opt);
        return rc_error_set(err, EINVAL,
                            "%s: invalid option \"%s\" (rc takes ro, rw, z, Z, nocopy, copy, bind, rbind, [no]suid, "
                            "[no]dev, [no]exec and a propagation mode)",
                            what, opt);
}

/* Apply a comma-separated option list with `one` per word. */
static int option_list(const char *what, const char *list, unsigned *seen, struct rc_mount_req *m,
                       int (*one)(const char *, const char *, unsigned *, struct rc_mount_req *, rc_error **),
                       rc_error **err)
{
        cleanup_free char *copy = xstrdup(list);
        char *save = NULL;

        if (*list == '\0')
                return rc_error_set(err, EINVAL, "%s: empty option list", what);
        for (char *opt = strtok_r(copy, ",", &save); opt; opt = strtok_r(NULL, ",", &save))
                if (one(what, opt, seen, m, err) < 0)
                        return -1;
        if (list[strlen(list) - 1] == ',' || list[0] == ',' || strstr(list, ",,"))
                return rc_error_set(err, EINVAL, "%s: empty option in \"%s\"", what, list);
        return 0;
}

int rc_mount_parse_volume(const char *spec, const char *cwd, struct rc_mount_req *out, rc_error **err)
{
        cleanup_free char *what = xasprintf("-v %s", spec);
        cleanup_free char *copy = xstrdup(spec);
        char *parts[4] = { NULL }, *p = copy;
        struct rc_mount_req m;
        unsigned seen = 0;
        int n = 0;

        /* SOURCE:DEST:OPTIONS; a colon inside a path cannot be told apart, as with podman */
        while (n < 4) {
                parts[n++] = p;
                p = strchr(p, ':');
                if (p == NULL)
                        break;
                *p++ = '\0';
        }
        if (n > 3 || *spec == '\0')
                return rc_error_set(err, EINVAL, "%s: incorrect volume format, should be [SOURCE:]DEST[:OPTIONS]",
                                    what);
        for (int i = 0; i < n; i++)
                if (*parts[i] == '\0')
                        return rc_error_set(err, EINVAL,
                                            "%s: incorrect volume format (an empty part), should be "
                                            "[SOURCE:]DEST[:OPTIONS]",
                                            what);
        if (n == 1) {
                init_req(&m, RC_MOUNT_VOLUME);
                m.anonymous = true;
                if (destination(what, parts[0], &m.destination, err) < 0)
                        goto fail;
                *out = m;
                return 0;
        }
        if (parts[0][0] == '/' || parts[0][0] == '.') {
                init_req(&m, RC_MOUNT_BIND);
                if (host_path(what, parts[0], cwd, &m.source, err) < 0)
                        goto fail;
        } else {
                init_req(&m, RC_MOUNT_VOLUME);
                if (!rc_volume_name_valid(parts[0])) {
                        rc_error_set(err, EINVAL,
                                     "%s: \"%s\" is not a valid volume name (letters, digits, _ . - and not starting "
                                     "with one of _ . -) nor a host path (starting with / or .)",
                                     what, parts[0]);
                        goto fail;
                }
                m.source = xstrdup(parts[0]);
        }
        if (destination(what, parts[1], &m.destination, err) < 0)
                goto fail;
        if (n == 3 && option_list(what, parts[2], &seen, &m, volume_option, err) < 0)
                goto fail;
        *out = m;
        return 0;
fail:
        rc_mount_req_free(&m);
        return -1;
}

int rc_mount_parse_tmpfs(const char *spec, struct rc_mount_req *out, rc_error **err)
{
        cleanup_free char *what = xasprintf("--tmpfs %s", spec);
        cleanup_free char *copy = xstrdup(spec);
        char *colon = strchr(copy, ':');
        struct rc_mount_req m;
        unsigned seen = 0;

        if (colon)
                *colon = '\0';
        init_req(&m, RC_MOUNT_TMPFS);
        if (destination(what, copy, &m.destination, err) < 0 ||
            (colon && option_list(what, colon + 1, &seen, &m, tmpfs_option, err) < 0)) {
                rc_mount_req_free(&m);
                return -1;
        }
        *out = m;
        return 0;
}

static int bool_value(const char *what, const char *key, const char *v, bool *out, rc_error **err)
{
        if (v == NULL || !strcmp(v, "true") || !strcmp(v, "1")) {
                *out = true;
        } else if (!strcmp(v, "false") || !strcmp(v, "0")) {
                *out = false;
        } else {
                return rc_error_set(err, EINVAL, "%s: %s=%s: give true or false", what, key, v);
        }
        return 0;
}

/* docker's sizes: bytes, or a number with b, k, m, g (powers of 1024). */
static int size_value(const char *what, const char *v, unsigned long long *out, rc_error **err)
{
        char *end;
        unsigned long long n;
        int shift = 0;

        errno = 0;
        n = strtoull(v, &end, 10);
        if (errno || end == v || *v == '-')
                goto bad;
        switch (*end | 0x20) {
        case 'k':
                shift = 10;
                end++;
                break;
        case 'm':
                shift = 20;
                end++;
                break;
        case 'g':
                shift = 30;
                end++;
                break;
        default:
                break;
        }
        if ((*end | 0x20) == 'b')
                end++;
        if (*end != '\0' || (shift && n > (~0ULL >> shift)))
                goto bad;
        *out = n << shift;
        return 0;
bad:
        return rc_error_set(err, EINVAL, "%s: tmpfs-size=%s: not a size (e.g. 64m)", what, v);
}

struct mount_keys {
        const char *type, *source, *target;
        bool readonly, nocopy, nonrecursive;
        const char *propagation, *size, *mode, *copyup;
        unsigned given;
};

enum { K_BIND = 1, K_VOLUME = 2, K_TMPFS = 4 };

/* One key of --mount: records it in k (and which type it needs). */
static int mount_key(const char *what, char *kv, struct mount_keys *k, unsigned *needs, rc_error **err)
{
        char *eq = strchr(kv, '=');
        const char *key = kv, *v = NULL;

        if (eq) {
                *eq = '\0';
                v = eq + 1;
        }
        if (!strcmp(key, "type") && v)
                k->type = v;
        else if ((!strcmp(key, "source") || !strcmp(key, "src")) && v)
                k->source = v;
        else if ((!strcmp(key, "target") || !strcmp(key, "destination") || !strcmp(key, "dst")) && v)
                k->target = v;
        else if (!strcmp(key, "readonly") || !strcmp(key, "ro"))
                return bool_value(what, key, v, &k->readonly, err);
        else if (!strcmp(key, "rw") && v == NULL)
                k->readonly = false;
        else if (!strcmp(key, "bind-propagation") && v)
                k->propagation = v, *needs |= K_BIND;
        else if (!strcmp(key, "bind-nonrecursive"))
                return *needs |= K_BIND, bool_value(what, key, v, &k->nonrecursive, err);
        else if (!strcmp(key, "volume-nocopy"))
                return *needs |= K_VOLUME, bool_value(what, key, v, &k->nocopy, err);
        else if (!strcmp(key, "volume-driver") && v && !strcmp(v, "local"))
                *needs |= K_VOLUME;
        else if (!strcmp(key, "tmpfs-size") && v)
                k->size = v, *needs |= K_TMPFS;
        else if (!strcmp(key, "tmpfs-mode") && v)
                k->mode = v, *needs |= K_TMPFS;
        else if ((!strcmp(key, "tmpcopyup") || !strcmp(key, "notmpcopyup")) && v == NULL)
                k->copyup = key, *needs |= K_TMPFS;
        else if ((!strcmp(key, "relabel") && v && (!strcmp(v, "shared") || !strcmp(v, "private"))) ||
                 (!strcmp(key, "consistency") && v) || ((!strcmp(key, "z") || !strcmp(key, "Z")) && v == NULL))
                ; /* SELinux labels and docker desktop's consistency: nothing to do on rc's hosts */
        else
                return rc_error_set(err, EINVAL,
                                    "%s: unknown or incomplete option \"%s%s%s\" (rc takes type, source, target, "
                                    "readonly, bind-propagation, bind-nonrecursive, volume-nocopy, tmpfs-size, "
                                    "tmpfs-mode)",
                                    what, key, v ? "=" : "", v ? v : "");
        return 0;
}

int rc_mount_parse_mount(const char *spec, const char *cwd, struct rc_mount_req *out, rc_error **err)
{
        cleanup_free char *what = xasprintf("--mount %s", spec);
        cleanup_free char *copy = xstrdup(spec);
        struct mount_keys k = { 0 };
        struct rc_mount_req m = { 0 };
        unsigned needs = 0, kind_bit;
        unsigned seen = 0;
        char *save = NULL;

        for (char *kv = strtok_r(copy, ",", &save); kv; kv = strtok_r(NULL, ",", &save))
                if (mount_key(what, kv, &k, &needs, err) < 0)
                        return -1;
        if (k.type == NULL || !strcmp(k.type, "volume")) {
                init_req(&m, RC_MOUNT_VOLUME);
                kind_bit = K_VOLUME;
        } else if (!strcmp(k.type, "bind")) {
                init_req(&m, RC_MOUNT_BIND);
                kind_bit = K_BIND;
        } else if (!strcmp(k.type, "tmpfs")) {
                init_req(&m, RC_MOUNT_TMPFS);
                kind_bit = K_TMPFS;
        } else {
                return rc_error_set(err, EINVAL, "%s: type=%s: rc mounts type=bind, type=volume and type=tmpfs", what,
                                    k.type);
        }
        if (needs & ~kind_bit) {
                rc_error_set(err, EINVAL, "%s: an option of %s given for type=%s", what,
                             needs & K_BIND ? "bind" : needs & K_VOLUME ? "volume" : "tmpfs",
                             kind_bit == K_BIND ? "bind" : kind_bit == K_VOLUME ? "volume" : "tmpfs");
                goto fail;
        }
        if (destination(what, k.target, &m.destination, err) < 0)
                goto fail;
        m.readonly = k.readonly;
        if (kind_bit == K_BIND) {
                if (k.source == NULL || *k.source == '\0') {
                        rc_error_set(err, EINVAL, "%s: type=bind needs a source", what);
                        goto fail;
                }
                if (host_path(what, k.source, cwd, &m.source, err) < 0 ||
                    (k.nonrecursive && bind_word(what, "bind", &seen, &m, err) < 0) ||
                    (k.propagation && propagation_word(what, k.propagation, &seen, &m, err) < 0))
                        goto fail;
        } else if (kind_bit == K_VOLUME) {
                m.nocopy = k.nocopy;
                if (k.source == NULL || *k.source == '\0') {
                        m.anonymous = true;
                } else if (!rc_volume_name_valid(k.source)) {
                        rc_error_set(err, EINVAL, "%s: \"%s\" is not a valid volume name", what, k.source);
                        goto fail;
                } else {
                        m.source = xstrdup(k.source);
                }
        } else {
                if (k.source) {
                        rc_error_set(err, EINVAL, "%s: type=tmpfs takes no source", what);
                        goto fail;
                }
                if (k.size) {
                        unsigned long long bytes = 0;
                        cleanup_free char *opt = NULL;
                        if (size_value(what, k.size, &bytes, err) < 0)
                                goto fail;
                        opt = xasprintf("size=%llu", bytes);
                        strv_push(&m.options, opt);
                }
                if (k.mode) {
                        cleanup_free char *opt = xasprintf("mode=%s", k.mode);
                        if (!tmpfs_data_ok(opt)) {
                                rc_error_set(err, EINVAL, "%s: tmpfs-mode=%s: give an octal mode such as 1777", what,
                                             k.mode);
                                goto fail;
                        }
                        strv_push(&m.options, opt);
                }
                if (k.copyup && tmpfs_option(what, k.copyup, &seen, &m, err) < 0)
                        goto fail;
        }
        *out = m;
        return 0;
fail:
        rc_mount_req_free(&m);
        return -1;
}
