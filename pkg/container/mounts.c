/* A container's mounts beyond rc's defaults: -v, --mount, --tmpfs, the
 * image's VOLUME list, and the tmpfs of --read-only. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container/internal.h"
#include "util/xalloc.h"
#include "volume/volume.h"

bool ctr_mount_covered(const struct ctr_state *st, const char *dest)
{
        for (size_t i = 0; i < st->n_mounts; i++)
                if (strcmp(st->mounts[i].destination, dest) == 0)
                        return true;
        return false;
}

bool ctr_mount_shadows(const struct ctr_state *st, const char *dest)
{
        for (size_t i = 0; i < st->n_mounts; i++) {
                const char *d = st->mounts[i].destination;
                size_t n = strlen(d);
                if ((st->mounts[i].kind != RC_MOUNT_TMPFS || st->mounts[i].readonly) && strncmp(dest, d, n) == 0 &&
                    (dest[n] == '\0' || dest[n] == '/'))
                        return true;
        }
        return false;
}

static void push_req(struct ctr_state *st, const struct rc_mount_req *m)
{
        st->mounts = xrealloc(st->mounts, (st->n_mounts + 1) * sizeof(*st->mounts));
        rc_mount_req_copy(m, &st->mounts[st->n_mounts++]);
}

/* An image's VOLUME is hostile input like the rest of its config: it must
 * name a directory of the container's own, not rc's kernel file systems. */
static bool image_volume_ok(const char *path)
{
        static const char *const kernel[] = { "/proc", "/sys", "/dev" };

        if (strcmp(path, "/") == 0)
                return false;
        for (size_t i = 0; i < sizeof(kernel) / sizeof(kernel[0]); i++) {
                size_t n = strlen(kernel[i]);
                if (strncmp(path, kernel[i], n) == 0 && (path[n] == '\0' || path[n] == '/'))
                        return false;
        }
        return true;
}

int ctr_resolve_mounts(struct ctr_state *st, rc_error **err)
{
        const struct rc_run_opts *o = st->opts;

        for (size_t i = 0; i < o->n_mounts; i++)
                push_req(st, &o->mounts[i]);
        if (rc_mount_check_duplicates(st->mounts, st->n_mounts, err) < 0)
                return -1;
        /* the image's VOLUMEs become anonymous volumes unless the user
         * mounted something there (podman) */
        for (size_t i = 0; st->image_config.volumes && st->image_config.volumes[i]; i++) {
                cleanup_free char *dest = rc_path_clean(st->image_config.volumes[i]);
                struct rc_mount_req m = { .kind = RC_MOUNT_VOLUME, .anonymous = true,
                                          .options = (char *[]){ "rbind", "rprivate", NULL } };

                if (dest == NULL || !image_volume_ok(dest)) {
                        rc_warn("image %.12s: ignoring VOLUME \"%s\": rc mounts image volumes only on directories of "
                                "the container's own (not /, /proc, /sys or /dev)",
                                st->image.id, st->image_config.volumes[i]);
                        continue;
                }
                if (ctr_mount_covered(st, dest))
                        continue;
                m.destination = dest;
                push_req(st, &m);
        }
        /* named volumes are made on first use, anonymous ones now */
        for (size_t i = 0; i < st->n_mounts; i++) {
                struct rc_mount_req *m = &st->mounts[i];
                struct rc_volume v = { 0 };

                if (m->kind != RC_MOUNT_VOLUME)
                        continue;
                if (m->source == NULL) {
                        if (rc_volume_create(st->store, NULL, NULL, true, &v, err) < 0)
                                return -1;
                        m->source = xstrdup(v.name);
                        strv_push(&st->new_volumes, v.name);
                } else if (rc_volume_ensure(st->store, m->source, &v, err) < 0) {
                        return -1;
                }
                rc_volume_free(&v);
                if (st->rec.volumes == NULL)
                        st->rec.volumes = xcalloc(1, sizeof(char *));
                strv_push(&st->rec.volumes, m->source);
        }
        return 0;
}

void ctr_remove_new_volumes(struct ctr_state *st)
{
        for (size_t i = 0; st->new_volumes && st->new_volumes[i]; i++) {
                rc_error *e = NULL;
                if (rc_volume_remove(st->store, st->new_volumes[i], &e) < 0) {
                        rc_warn("%s", e->msg);
                        rc_error_free(e);
                }
        }
        strv_free(st->new_volumes);
        st->new_volumes = NULL;
}

static void add_spec_mount(struct rc_spec *spec, const char *dest, const char *type, const char *source,
                           char *const *options, bool readonly)
{
        struct rc_spec_mount *m;

        spec->mounts = xrealloc(spec->mounts, (spec->n_mounts + 1) * sizeof(*spec->mounts));
        m = &spec->mounts[spec->n_mounts++];
        m->destination = xstrdup(dest);
        m->type = xstrdup(type);
        m->source = xstrdup(source);
        m->options = strv_dup(options ? options : (char *[]){ NULL });
        if (readonly)
                strv_push(&m->options, "ro");
}

void ctr_spec_default_mounts(struct ctr_state *st)
{
        struct rc_spec *spec = &st->spec;
        size_t kept = 0;

        /* a mount of the user's replaces rc's default there (--tmpfs /dev/shm:size=1g) */
        for (size_t i = 0; i < spec->n_mounts; i++) {
                struct rc_spec_mount *m = &spec->mounts[i];
                if (ctr_mount_covered(st, m->destination)) {
                        free(m->destination);
                        free(m->type);
                        free(m->source);
                        strv_free(m->options);
                        continue;
                }
                spec->mounts[kept++] = *m;
        }
        spec->n_mounts = kept;
        /* --read-only keeps the places programs write to writable, as
         * podman's --read-only-tmpfs does: each starts with the image's files */
        if (st->opts->read_only && !st->opts->no_read_only_tmpfs) {
                static const char *const dirs[] = { "/tmp", "/var/tmp", "/run" };
                for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
                        if (!ctr_mount_covered(st, dirs[i]))
                                add_spec_mount(spec, dirs[i], "tmpfs", "tmpfs",
                                               (char *[]){ "rw", "nosuid", "nodev", "tmpcopyup", NULL }, false);
        }
}

static size_t depth(const char *path)
{
        size_t n = 0;

        for (; *path; path++)
                n += *path == '/';
        return n;
}

/* Parents before children (/run before /run/.containerenv, /a before
 * /a/b), otherwise in the order they came: rc's own mounts, then the
 * user's in the order given (podman sorts by depth too). */
static void sort_by_depth(struct rc_spec *spec)
{
        for (size_t i = 1; i < spec->n_mounts; i++) {
                struct rc_spec_mount m = spec->mounts[i];
                size_t j = i, d = depth(m.destination);
                while (j > 0 && depth(spec->mounts[j - 1].destination) > d) {
                        spec->mounts[j] = spec->mounts[j - 1];
                        j--;
                }
                spec->mounts[j] = m;
        }
}

int ctr_spec_user_mounts(struct ctr_state *st, rc_error **err)
{
        for (size_t k = 0; k < st->n_mounts; k++) {
                const struct rc_mount_req *m = &st->mounts[k];
                cleanup_free char *source = NULL;
                struct stat sb;

                switch (m->kind) {
                case RC_MOUNT_TMPFS:
                        add_spec_mount(&st->spec, m->destination, "tmpfs", "tmpfs", m->options, m->readonly);
                        break;
                case RC_MOUNT_VOLUME:
                        source = rc_store_volume_dir(st->store, m->source);
                        if (stat(source, &sb) < 0)
                                return rc_error_set(err, errno,
                                                    "volume %s: its directory %s is missing: remove the volume (rc "
                                                    "volume rm) and let rc make it again",
                                                    m->source, source);
                        add_spec_mount(&st->spec, m->destination, "bind", source, m->options, m->readonly);
                        break;
                case RC_MOUNT_BIND:
                        add_spec_mount(&st->spec, m->destination, "bind", m->source, m->options, m->readonly);
                        break;
                }
        }
        sort_by_depth(&st->spec);
        return 0;
}

/* The process's id as rc's namespace sees it. */
static uint32_t outer_id(const struct rc_spec_id_mapping *m, size_t n, uint32_t id)
{
        for (size_t i = 0; i < n; i++)
                if (id >= m[i].container_id && id - m[i].container_id < m[i].size)
                        return m[i].host_id + (id - m[i].container_id);
        return id;
}

int ctr_volumes_first_use(struct ctr_state *st, rc_error **err)
{
        const struct rc_spec *spec = &st->spec;
        bool nested = spec->namespaces & CLONE_NEWUSER;
        uint32_t uid = nested ? outer_id(spec->uid_mappings, spec->n_uid_mappings, spec->uid) : spec->uid;
        uint32_t gid = nested ? outer_id(spec->gid_mappings, spec->n_gid_mappings, spec->gid) : spec->gid;

        for (size_t i = 0; i < st->n_mounts; i++) {
                const struct rc_mount_req *m = &st->mounts[i];
                if (m->kind == RC_MOUNT_VOLUME &&
                    rc_volume_first_use(st->store, m->source, st->rootfs.path, m->destination, m->nocopy, uid, gid,
                                        err) < 0)
                        return -1;
        }
        return 0;
}

int ctr_check_mounts(const struct rc_run_opts *o, rc_error **err)
{
        if (rc_mount_check_duplicates(o->mounts, o->n_mounts, err) < 0)
                return -1;
        for (size_t i = 0; i < o->n_mounts; i++) {
                struct stat sb;
                /* podman's rule: a host path to bind must exist (docker would make it) */
                if (o->mounts[i].kind == RC_MOUNT_BIND && stat(o->mounts[i].source, &sb) < 0)
                        return rc_error_set(err, errno, "statfs %s", o->mounts[i].source);
        }
        return 0;
}
