/* Entry metadata: ownership (with the "id not mapped" diagnosis), extended
 * attributes and timestamps. */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "archive/internal.h"
#include "util/log.h"
#include "util/xalloc.h"

static void load_idmap(struct rc_archive_idmap *m, const char *file)
{
        cleanup_fclose FILE *f = NULL;
        unsigned long a, b, c;

        m->loaded = true;
        m->n = 0;
        f = fopen(file, "re");
        if (f == NULL)
                return;
        while (m->n < sizeof(m->r) / sizeof(m->r[0]) && fscanf(f, "%lu %lu %lu", &a, &b, &c) == 3) {
                m->r[m->n].inside = (uint32_t)a;
                m->r[m->n].outside = (uint32_t)b;
                m->r[m->n].count = (uint32_t)c;
                m->n++;
        }
}

static bool idmap_has(const struct rc_archive_idmap *m, uint64_t id)
{
        for (size_t i = 0; i < m->n; i++)
                if (id >= m->r[i].inside && id - m->r[i].inside < m->r[i].count)
                        return true;
        return false;
}

static uint64_t idmap_total(const struct rc_archive_idmap *m)
{
        uint64_t t = 0;

        for (size_t i = 0; i < m->n; i++)
                t += m->r[i].count;
        return t;
}

/* The name of the host user that owns this user namespace (the outside id
 * of uid 0), for the usermod hint. */
static void host_user_name(const struct rc_archive_idmap *m, char *buf, size_t len)
{
        struct passwd pw, *res = NULL;
        char tmp[1024];

        snprintf(buf, len, "USER");
        for (size_t i = 0; i < m->n; i++) {
                if (m->r[i].inside != 0)
                        continue;
                if (getpwuid_r(m->r[i].outside, &pw, tmp, sizeof(tmp), &res) == 0 && res)
                        snprintf(buf, len, "%s", res->pw_name);
                return;
        }
}

static int unmapped_error(struct rc_archive_ctx *x, const char *name, uint64_t uid, uint64_t gid, rc_error **err)
{
        const char *kind = "uid";
        struct rc_archive_idmap *m = &x->uidmap;
        uint64_t id = uid;
        char user[256];

        if (!x->uidmap.loaded)
                load_idmap(&x->uidmap, "/proc/self/uid_map");
        if (!x->gidmap.loaded)
                load_idmap(&x->gidmap, "/proc/self/gid_map");
        if (idmap_has(&x->uidmap, uid)) {
                if (idmap_has(&x->gidmap, gid))
                        return rc_error_set(err, EINVAL, "%s: chown to %llu:%llu", name, (unsigned long long)uid,
                                            (unsigned long long)gid);
                kind = "gid";
                m = &x->gidmap;
                id = gid;
        }
        host_user_name(&x->uidmap, user, sizeof(user));
        return rc_error_set(err, 0,
                            "file %s is owned by %s %llu, which is outside the %llu ids mapped for your user; "
                            "add a larger range to /etc/subuid and /etc/subgid (e.g. usermod --add-subuids "
                            "100000-165535 --add-subgids 100000-165535 %s)",
                            name, kind, (unsigned long long)id, (unsigned long long)idmap_total(m), user);
}

int rc_archive_chown(struct rc_archive_ctx *x, struct archive_entry *e, int fd, int dirfd, const char *base,
                     const char *name, rc_error **err)
{
        la_int64_t uid = archive_entry_uid(e), gid = archive_entry_gid(e);
        int r;

        if (x->opts->ignore_ownership)
                return 0;
        if (uid < 0 || gid < 0 || uid >= (la_int64_t)UINT32_MAX || gid >= (la_int64_t)UINT32_MAX)
                return rc_error_set(err, 0, "%s: invalid owner %lld:%lld in the tar header", name, (long long)uid,
                                    (long long)gid);
        if (fd >= 0)
                r = fchown(fd, (uid_t)uid, (gid_t)gid);
        else
                r = fchownat(dirfd, base, (uid_t)uid, (gid_t)gid, AT_SYMLINK_NOFOLLOW);
        if (r == 0)
                return 0;
        if (errno == EINVAL)
                return unmapped_error(x, name, (uint64_t)uid, (uint64_t)gid, err);
        if (errno == EPERM)
                return rc_error_set(err, EPERM,
                                    "%s: chown to %lld:%lld (layers keep their owners only when extracted as root "
                                    "or inside rc's user namespace)",
                                    name, (long long)uid, (long long)gid);
        return rc_error_set(err, errno, "%s: chown to %lld:%lld", name, (long long)uid, (long long)gid);
}

enum xattr_policy { XATTR_SKIP, XATTR_USER, XATTR_CAPS };

static enum xattr_policy xattr_policy(const char *key)
{
        /* Overlay metadata is rc's to write (from .wh..wh..opq); a layer
         * that carries its own could redirect or hide files. */
        if (strncmp(key, "user.overlay.", 13) == 0)
                return XATTR_SKIP;
        if (strncmp(key, "user.", 5) == 0)
                return XATTR_USER;
        if (strcmp(key, "security.capability") == 0)
                return XATTR_CAPS;
        return XATTR_SKIP;
}

int rc_archive_set_xattrs(struct rc_archive_ctx *x, struct archive_entry *e, int fd, int dirfd, const char *base,
                          const char *name, rc_error **err)
{
        const char *key;
        const void *value;
        size_t size;
        char path[4200];

        if (archive_entry_xattr_reset(e) == 0)
                return 0;
        if (fd < 0) {
                if (strlen(base) > 4000)
                        return rc_error_set(err, ENAMETOOLONG, "%s: set extended attributes", name);
                rc_archive_fd_path(path, sizeof(path), dirfd, base);
        }
        while (archive_entry_xattr_next(e, &key, &value, &size) == ARCHIVE_OK) {
                enum xattr_policy p = xattr_policy(key);
                int r;

                if (p == XATTR_SKIP) {
                        rc_debug("layer: %s: skipping extended attribute %s", name, key);
                        continue;
                }
                if (fd >= 0)
                        r = fsetxattr(fd, key, value, size, 0);
                else
                        r = lsetxattr(path, key, value, size, 0);
                if (r == 0)
                        continue;
                if (p == XATTR_USER || x->opts->ignore_ownership) {
                        rc_debug("layer: %s: cannot set extended attribute %s: %s", name, key, strerror(errno));
                        continue;
                }
                return rc_error_set(err, errno, "%s: set file capabilities (%s)", name, key);
        }
        return 0;
}

bool rc_archive_entry_times(struct archive_entry *e, struct timespec t[2])
{
        if (!archive_entry_mtime_is_set(e))
                return false;
        t[1].tv_sec = archive_entry_mtime(e);
        t[1].tv_nsec = archive_entry_mtime_nsec(e);
        if (archive_entry_atime_is_set(e)) {
                t[0].tv_sec = archive_entry_atime(e);
                t[0].tv_nsec = archive_entry_atime_nsec(e);
        } else {
                t[0] = t[1];
        }
        return true;
}
