/* Preparing a container to start: its root file system and runtime spec;
 * and undoing that. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "container/internal.h"
#include "images/images.h"
#include "util/fs.h"
#include "util/xalloc.h"

extern char **environ;

void ctr_spec_bind(struct rc_spec *spec, const char *source, const char *dest)
{
        struct rc_spec_mount *m;

        spec->mounts = xrealloc(spec->mounts, (spec->n_mounts + 1) * sizeof(*spec->mounts));
        m = &spec->mounts[spec->n_mounts++];
        memset(m, 0, sizeof(*m));
        m->destination = xstrdup(dest);
        m->type = xstrdup("bind");
        m->source = xstrdup(source);
        m->options = xcalloc(1, sizeof(char *));
        strv_push(&m->options, "rbind");
        strv_push(&m->options, "rprivate");
}

static int build_spec(struct ctr_state *st, rc_error **err)
{
        const struct rc_run_opts *o = st->opts;
        struct rc_spec *spec = &st->spec;
        const char *user = o->user ? o->user : st->image_config.user;
        cleanup_container_user struct rc_container_user u = { 0 };
        static const struct {
                const char *file, *dest;
        } etc_files[] = { { "hostname", "/etc/hostname" },
                          { "hosts", "/etc/hosts" },
                          { "resolv.conf", "/etc/resolv.conf" },
                          { "containerenv", "/run/.containerenv" } };

        rc_spec_init_default(spec);
        spec->args = rc_container_args(&st->image_config, o->entrypoint, o->cmd);
        if (spec->args[0] == NULL)
                return rc_error_set(err, EINVAL,
                                    "no command given and image \"%s\" has no Cmd or Entrypoint: add a command after "
                                    "the image name",
                                    o->image);
        free(spec->cwd);
        spec->cwd = NULL;
        if (rc_container_workdir(st->image_config.working_dir, o->workdir, &spec->cwd, err) < 0)
                return -1;
        spec->namespaces = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP;
        if (!st->host_network)
                spec->namespaces |= CLONE_NEWNET;
        if (o->userns && strcmp(o->userns, "host") != 0 && *o->userns) {
                if (ctr_spec_keep_id(st, &u, err) < 0)
                        return -1;
        } else if (ctr_resolve_user(st->rootfs.path, user, &u, err) < 0) {
                return -1;
        }
        spec->uid = u.uid;
        spec->gid = u.gid;
        if (o->umask_set)
                spec->umask = o->umask;
        if (o->sysctls)
                spec->sysctls = strv_dup(o->sysctls);
        spec->additional_gids = steal_pointer(&u.groups);
        spec->n_additional_gids = u.n_groups;
        if (ctr_spec_groups(st, err) < 0 || ctr_spec_security(st, err) < 0)
                return -1;
        spec->env = rc_container_env(st->image_config.env, o->env, environ, st->hostname, u.home);
        free(spec->root_path);
        spec->root_path = xstrdup(st->rootfs.path);
        free(spec->hostname);
        spec->hostname = xstrdup(st->hostname);
        ctr_spec_default_mounts(st);
        if (st->cgroups && rc_cgroup_manager_type(st->cgroups) != RC_CGROUP_NONE) {
                spec->created = ctr_cgroup_place;
                spec->created_ctx = st;
        }
        ctr_net_spec(st);
        for (size_t i = 0; i < sizeof(etc_files) / sizeof(etc_files[0]); i++) {
                cleanup_free char *path = xasprintf("%s/%s", st->run_dir, etc_files[i].file);
                if (o->no_hosts && strcmp(etc_files[i].file, "hosts") == 0)
                        continue;
                if (!ctr_mount_covered(st, etc_files[i].dest) && !ctr_mount_shadows(st, etc_files[i].dest))
                        ctr_spec_bind(spec, path, etc_files[i].dest);
        }
        if (ctr_spec_user_mounts(st, err) < 0 || ctr_notify_spec(st, err) < 0)
                return -1;
        if (st->seccomp) {
                /* compiled here, in rc, for the capabilities the container may hold */
                cleanup_free char *cache = xasprintf("%s/seccomp", st->cfg->runroot);
                if (rc_seccomp_filter_get(st->seccomp, spec->cap_bounding, cache, &spec->seccomp, err) < 0)
                        return -1;
        }
        return 0;
}

int ctr_layer_paths(struct ctr_state *st, char ***dirs, char ***blobs, rc_error **err)
{
        cleanup_strv char **d = xcalloc(1, sizeof(char *));
        cleanup_strv char **b = xcalloc(1, sizeof(char *));

        for (size_t i = 0; st->image.layers && st->image.layers[i]; i++) {
                struct rc_layer layer;
                cleanup_free char *dir = rc_store_layer_dir(st->store, st->image.layers[i]);
                cleanup_free char *blob = NULL;

                if (rc_store_layer_get(st->store, st->image.layers[i], &layer, err) < 0)
                        return rc_error_wrap(err, "image %.12s", st->image.id);
                blob = rc_store_blob_path(st->store, layer.blob_digest);
                strv_push(&d, dir);
                strv_push(&b, blob);
        }
        *dirs = steal_pointer(&d);
        *blobs = steal_pointer(&b);
        return 0;
}

/* config.json: what the container runs, for inspect and exec. */
static int write_config(struct ctr_state *st, rc_error **err)
{
        cleanup_free char *json = NULL;
        cleanup_free char *path = xasprintf("%s/config.json", st->run_dir);

        if (rc_spec_to_json(&st->spec, &json, err) < 0)
                return -1;
        return rc_write_file(path, json, strlen(json), 0600, err);
}

int ctr_prepare(struct ctr_state *st, rc_error **err)
{
        cleanup_strv char **layer_dirs = NULL, **layer_blobs = NULL;

        if (ctr_layer_paths(st, &layer_dirs, &layer_blobs, err) < 0)
                return -1;
        if (ctr_run_dir_ensure(st, err) < 0 ||
            rc_rootfs_mount(st->cfg, st->driver, layer_dirs, layer_blobs, st->dir, st->run_dir, st->opts->auto_remove,
                            &st->rootfs, err) < 0)
                return -1;
        rc_timer_phase(&st->timer, "rootfs mount");
        if (build_spec(st, err) < 0 || write_config(st, err) < 0)
                return -1;
        if (st->n_mounts && ctr_volumes_first_use(st, err) < 0)
                return -1;
        rc_timer_phase(&st->timer, "spec");
        return 0;
}

struct rc_store *ctr_store(struct ctr_state *st)
{
        rc_error *e = NULL;

        if (st->store == NULL && rc_store_open(st->cfg->root, st->cfg->runroot, &st->store, &e) < 0) {
                rc_warn("container %.12s: %s", st->rec.id, e->msg);
                rc_error_free(e);
        }
        return st->store;
}

void ctr_teardown(struct ctr_state *st, bool remove)
{
        rc_error *err = NULL;

        if (rc_rootfs_unmount(&st->rootfs, &err) < 0) {
                rc_warn("%s", err->msg);
                rc_error_free(err);
                err = NULL;
        }
        rc_rootfs_free(&st->rootfs);
        rc_timer_phase(&st->timer, "unmount");
        if (remove && st->recorded && ctr_store(st)) {
                /* --rm: its anonymous volumes go too, as with podman */
                if (rc_store_container_remove_with_volumes(st->store, st->rec.id, &err) < 0) {
                        rc_warn("%s", err->msg);
                        rc_error_free(err);
                }
                st->recorded = false;
        } else if (remove && !st->recorded && st->dir) {
                if (rc_rm_rf(st->dir, &err) < 0 || (st->run_dir && rc_rm_rf(st->run_dir, &err) < 0)) {
                        rc_warn("%s", err->msg);
                        rc_error_free(err);
                }
        }
}

void ctr_state_free(struct ctr_state *st)
{
        ctr_net_release(st);
        free(st->ports);
        st->ports = NULL;
        st->n_ports = 0;
        for (size_t i = 0; i < st->n_mounts; i++)
                rc_mount_req_free(&st->mounts[i]);
        free(st->mounts);
        st->mounts = NULL;
        st->n_mounts = 0;
        strv_free(st->new_volumes);
        st->new_volumes = NULL;
        rc_cgroup_free(st->cgroup);
        st->cgroup = NULL;
        rc_cgroup_manager_free(st->cgroups);
        st->cgroups = NULL;
        rc_rootfs_free(&st->rootfs);
        rc_spec_free(&st->spec);
        rc_container_rec_free(&st->rec);
        rc_image_config_free(&st->image_config);
        rc_image_free(&st->image);
        rc_seccomp_profile_free(st->seccomp);
        st->seccomp = NULL;
        free(st->dir);
        st->dir = NULL;
        free(st->run_dir);
        st->run_dir = NULL;
        rc_store_close(st->store);
        st->store = NULL;
}
