/* The process settings of run/create options: capabilities, --privileged,
 * masked paths, --ulimit, --group-add, --read-only, --init and
 * --userns=keep-id. */
#include <errno.h>
#include <fnmatch.h>
#include <pwd.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "container/internal.h"
#include "userns/userns.h"
#include "util/fs.h"
#include "util/xalloc.h"

/* Every capability the kernel has (cap_last_cap) that rc knows by name. */
static char **all_caps(void)
{
        char **all = xcalloc(1, sizeof(char *));
        cleanup_free char *text = NULL;
        rc_error *e = NULL;
        int last = 40;

        if (rc_read_file("/proc/sys/kernel/cap_last_cap", &text, NULL, &e) == 0)
                last = atoi(text);
        rc_error_free(e);
        for (int c = 0; c <= last && rc_cap_name(c); c++)
                strv_push(&all, rc_cap_name(c));
        return all;
}

static void set_caps(struct rc_spec *spec, char **caps)
{
        strv_free(spec->cap_bounding);
        strv_free(spec->cap_effective);
        strv_free(spec->cap_permitted);
        spec->cap_bounding = strv_dup(caps);
        spec->cap_effective = strv_dup(caps);
        spec->cap_permitted = caps;
}

/* unmask=ALL or paths (globs as podman takes them) leave rc's masked and
 * read-only lists. */
static void unmask(char ***list, char *const *patterns)
{
        size_t kept = 0;

        for (size_t i = 0; (*list)[i]; i++) {
                bool drop = false;
                for (size_t j = 0; patterns[j] && !drop; j++)
                        drop = strcasecmp(patterns[j], "ALL") == 0 || fnmatch(patterns[j], (*list)[i], FNM_PATHNAME) == 0;
                if (drop)
                        free((*list)[i]);
                else
                        (*list)[kept++] = (*list)[i];
        }
        (*list)[kept] = NULL;
}

int ctr_spec_security(struct ctr_state *st, rc_error **err)
{
        const struct rc_run_opts *o = st->opts;
        struct rc_spec *spec = &st->spec;

        if (o->privileged) {
                /* every capability of rc's user namespace, no masks, /sys as
                 * writable as the kernel lets it be, and no no_new_privs unless
                 * asked for (docker's and podman's --privileged) */
                set_caps(spec, all_caps());
                strv_free(spec->masked_paths);
                strv_free(spec->readonly_paths);
                spec->masked_paths = xcalloc(1, sizeof(char *));
                spec->readonly_paths = xcalloc(1, sizeof(char *));
                spec->no_new_privileges = o->no_new_privileges;
                for (size_t i = 0; i < spec->n_mounts; i++) {
                        char **opt = spec->mounts[i].options;
                        size_t kept = 0;
                        if (strcmp(spec->mounts[i].type, "sysfs") != 0)
                                continue;
                        for (size_t j = 0; opt[j]; j++) {
                                if (strcmp(opt[j], "ro") == 0)
                                        free(opt[j]);
                                else
                                        opt[kept++] = opt[j];
                        }
                        opt[kept] = NULL;
                }
        }
        if ((o->cap_add && o->cap_add[0]) || (o->cap_drop && o->cap_drop[0])) {
                cleanup_strv char **all = all_caps();
                char **caps = NULL;
                if (rc_caps_compute(spec->cap_bounding, o->cap_add, o->cap_drop, all, &caps, err) < 0)
                        return -1;
                set_caps(spec, caps);
        }
        for (size_t i = 0; o->mask && o->mask[i]; i++)
                if (!strv_contains(spec->masked_paths, o->mask[i]))
                        strv_push(&spec->masked_paths, o->mask[i]);
        if (o->unmask && o->unmask[0]) {
                unmask(&spec->masked_paths, o->unmask);
                unmask(&spec->readonly_paths, o->unmask);
        }
        for (size_t i = 0; o->ulimits && o->ulimits[i]; i++) {
                struct rc_spec_rlimit rl;
                size_t j;
                if (rc_ulimit_parse(o->ulimits[i], &rl, err) < 0)
                        return -1;
                for (j = 0; j < spec->n_rlimits && spec->rlimits[j].type != rl.type; j++)
                        ;
                if (j == spec->n_rlimits)
                        spec->rlimits = xrealloc(spec->rlimits, ++spec->n_rlimits * sizeof(*spec->rlimits));
                spec->rlimits[j] = rl;
        }
        spec->root_readonly = o->read_only;
        spec->init = o->init;
        return 0;
}

/* The gid of a --group-add value: a number, or a name of the image's
 * /etc/group. */
static int group_id(const char *name, const char *group, uint32_t *gid, rc_error **err)
{
        cleanup_free char *spec = xasprintf("0:%s", name);
        cleanup_container_user struct rc_container_user u = { 0 };

        if (rc_container_parse_user(spec, NULL, group, &u, err) < 0)
                return rc_error_wrap(err, "--group-add %s", name);
        *gid = u.gid;
        return 0;
}

int ctr_spec_groups(struct ctr_state *st, rc_error **err)
{
        cleanup_free char *group = NULL;
        struct rc_spec *spec = &st->spec;

        if (st->opts->group_add == NULL || st->opts->group_add[0] == NULL)
                return 0;
        if (ctr_read_in_root(st->rootfs.path, "etc/group", &group, err) < 0)
                return -1;
        for (size_t i = 0; st->opts->group_add[i]; i++) {
                uint32_t gid = 0;
                bool have = false;
                if (group_id(st->opts->group_add[i], group, &gid, err) < 0)
                        return -1;
                for (size_t j = 0; j < spec->n_additional_gids; j++)
                        have |= spec->additional_gids[j] == gid;
                if (have)
                        continue;
                spec->additional_gids = xrealloc(spec->additional_gids,
                                                 (spec->n_additional_gids + 1) * sizeof(*spec->additional_gids));
                spec->additional_gids[spec->n_additional_gids++] = gid;
        }
        return 0;
}

/* rc's own namespace: which host id its 0 is and how many ids from 0 on
 * it maps without a gap. */
static int own_map(const char *file, uint32_t *host, uint32_t *size, rc_error **err)
{
        cleanup_free char *text = NULL;
        cleanup_free struct rc_idmap *m = NULL;
        size_t n = 0;
        uint64_t end = 0;
        bool grew = true;

        if (rc_read_file(file, &text, NULL, err) < 0 || rc_idmap_parse_proc(text, &m, &n, err) < 0)
                return -1;
        *host = 0;
        for (size_t i = 0; i < n; i++)
                if (m[i].container == 0)
                        *host = m[i].host;
        while (grew) {
                grew = false;
                for (size_t i = 0; i < n; i++)
                        if (m[i].container == end && m[i].size) {
                                end += m[i].size;
                                grew = true;
                        }
        }
        *size = end > UINT32_MAX ? UINT32_MAX : (uint32_t)end;
        return 0;
}

static bool db_has_id(const char *db, uint32_t id)
{
        char want[16];

        snprintf(want, sizeof(want), "%u", id);
        for (const char *line = db; line && *line;) {
                const char *eol = strchrnul(line, '\n'), *f = line;
                /* the third field: name:password:ID:... */
                for (int i = 0; i < 2 && f < eol; i++) {
                        const char *colon = memchr(f, ':', (size_t)(eol - f));
                        f = colon ? colon + 1 : eol;
                }
                if (f < eol && !strncmp(f, want, strlen(want)) && (f[strlen(want)] == ':' || f + strlen(want) == eol))
                        return true;
                line = *eol ? eol + 1 : eol;
        }
        return false;
}

/* The image's file with one line added, written into the container's
 * run directory and bound over the image's (as podman does; the image's own
 * file is never written). */
static int add_entry(struct ctr_state *st, const char *name, const char *base, const char *line, rc_error **err)
{
        cleanup_free char *path = xasprintf("%s/%s", st->run_dir, name);
        cleanup_free char *text = xasprintf("%s%s%s", base ? base : "",
                                            base && *base && base[strlen(base) - 1] != '\n' ? "\n" : "", line);
        cleanup_free char *dest = xasprintf("/etc/%s", name);

        if (rc_write_file(path, text, strlen(text), 0644, err) < 0)
                return -1;
        if (!ctr_mount_covered(st, dest) && !ctr_mount_shadows(st, dest))
                ctr_spec_bind(&st->spec, path, dest);
        return 0;
}

int ctr_spec_keep_id(struct ctr_state *st, struct rc_container_user *u, rc_error **err)
{
        cleanup_free char *passwd = NULL, *group = NULL, *user_spec = NULL, *name = NULL;
        struct rc_spec *spec = &st->spec;
        struct rc_spec_id_mapping um[3], gm[3];
        uint32_t host_uid, host_gid, usize, gsize, uid, gid;
        bool keep_id = false;
        struct passwd *pw;
        size_t nu, ng;

        if (own_map("/proc/self/uid_map", &host_uid, &usize, err) < 0 ||
            own_map("/proc/self/gid_map", &host_gid, &gsize, err) < 0)
                return rc_error_wrap(err, "--userns=keep-id: rc's user namespace");
        uid = host_uid;
        gid = host_gid;
        if (rc_userns_parse(st->opts->userns, &keep_id, &uid, &gid, err) < 0)
                return -1;
        nu = rc_keep_id_mapping(uid, usize, um);
        ng = rc_keep_id_mapping(gid, gsize, gm);
        spec->uid_mappings = xcalloc(nu, sizeof(*um));
        spec->gid_mappings = xcalloc(ng, sizeof(*gm));
        memcpy(spec->uid_mappings, um, nu * sizeof(*um));
        memcpy(spec->gid_mappings, gm, ng * sizeof(*gm));
        spec->n_uid_mappings = nu;
        spec->n_gid_mappings = ng;
        spec->namespaces |= CLONE_NEWUSER;
        if (ctr_read_in_root(st->rootfs.path, "etc/passwd", &passwd, err) < 0 ||
            ctr_read_in_root(st->rootfs.path, "etc/group", &group, err) < 0)
                return -1;
        /* -u still names a user of the image, inside the new namespace */
        if (st->opts->user || st->image_config.user)
                return ctr_resolve_user(st->rootfs.path, st->opts->user ? st->opts->user : st->image_config.user, u,
                                        err);
        pw = getpwuid(host_uid);
        name = xstrdup(pw && pw->pw_name ? pw->pw_name : "user");
        user_spec = xasprintf("%u:%u", uid, gid);
        if (rc_container_parse_user(user_spec, passwd, group, u, err) < 0)
                return -1;
        if (!db_has_id(passwd, uid)) {
                /* podman's keep-id: the user's name, a home of /home/NAME */
                cleanup_free char *line = xasprintf("%s:*:%u:%u:%s:/home/%s:/bin/sh\n", name, uid, gid, name, name);
                free(u->home);
                u->home = xasprintf("/home/%s", name);
                if (add_entry(st, "passwd", passwd, line, err) < 0)
                        return -1;
        }
        if (!db_has_id(group, gid)) {
                cleanup_free char *line = xasprintf("%s:x:%u:\n", name, gid);
                if (add_entry(st, "group", group, line, err) < 0)
                        return -1;
        }
        return 0;
}
