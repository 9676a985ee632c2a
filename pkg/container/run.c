/* rc run: image -> record -> root file system -> spec -> process -> clean-up. */
#include "container/container.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "images/images.h"
#include "mount/mount.h"
#include "seccomp/seccomp.h"
#include "store/store.h"
#include "userns/userns.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/xalloc.h"

extern char **environ;

static void random_id(char out[RC_DIGEST_HEX_LEN + 1])
{
        static const char hex[] = "0123456789abcdef";
        unsigned char b[32];

        /* 32 bytes from a booted kernel's pool never block or come short */
        while (getrandom(b, sizeof(b), 0) != sizeof(b))
                ;
        for (int i = 0; i < 32; i++) {
                out[2 * i] = hex[b[i] >> 4];
                out[2 * i + 1] = hex[b[i] & 15];
        }
        out[RC_DIGEST_HEX_LEN] = '\0';
}

/* Read a file of the image's root (e.g. etc/passwd) without letting a
 * symlink in the image point outside it.  Missing file: *out = NULL. */
static int read_in_root(const char *root, const char *path, char **out, rc_error **err)
{
        struct open_how how = { .flags = O_RDONLY | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
        cleanup_close int root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        cleanup_close int fd = -1;

        *out = NULL;
        if (root_fd < 0)
                return rc_error_set(err, errno, "open %s", root);
        fd = (int)syscall(SYS_openat2, root_fd, path, &how, sizeof(how));
        if (fd < 0)
                return errno == ENOENT ? 0 : rc_error_set(err, errno, "open %s in the image", path);
        if (rc_read_fd(fd, out, NULL, err) < 0)
                return rc_error_wrap(err, "%s in the image", path);
        return 0;
}

static int resolve_user(const char *root, const char *spec, struct rc_container_user *user, rc_error **err)
{
        cleanup_free char *passwd = NULL, *group = NULL;

        if (read_in_root(root, "etc/passwd", &passwd, err) < 0 || read_in_root(root, "etc/group", &group, err) < 0)
                return -1;
        return rc_container_parse_user(spec, passwd, group, user, err);
}

/* /etc/hostname, /etc/hosts, /etc/resolv.conf for the container, and
 * /run/.containerenv: the file by which tools tell they run in a container,
 * empty as podman leaves it for containers that are not privileged. */
static int write_etc_files(const char *dir, const char *hostname, bool host_network, rc_error **err)
{
        cleanup_free char *hostname_path = xasprintf("%s/hostname", dir);
        cleanup_free char *hosts_path = xasprintf("%s/hosts", dir);
        cleanup_free char *resolv_path = xasprintf("%s/resolv.conf", dir);
        cleanup_free char *containerenv_path = xasprintf("%s/containerenv", dir);
        cleanup_free char *hostname_text = xasprintf("%s\n", hostname);
        cleanup_free char *hosts = NULL, *resolv = NULL;
        rc_error *ignored = NULL;

        if (host_network) {
                if (rc_read_file("/etc/hosts", &hosts, NULL, &ignored) < 0) {
                        rc_error_free(ignored);
                        ignored = NULL;
                }
        }
        if (hosts == NULL)
                hosts = xasprintf("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
                                  "127.0.1.1\t%s\n",
                                  hostname);
        if (rc_read_file("/etc/resolv.conf", &resolv, NULL, &ignored) < 0) {
                rc_error_free(ignored);
                resolv = xstrdup("");
        }
        if (rc_write_file(hostname_path, hostname_text, strlen(hostname_text), 0644, err) < 0 ||
            rc_write_file(hosts_path, hosts, strlen(hosts), 0644, err) < 0 ||
            rc_write_file(resolv_path, resolv, strlen(resolv), 0644, err) < 0 ||
            rc_write_file(containerenv_path, "", 0, 0644, err) < 0)
                return -1;
        return 0;
}

static void add_bind(struct rc_spec *spec, const char *source, const char *dest)
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

struct run_state {
        const struct rc_config *cfg;
        const struct rc_run_opts *opts;
        struct rc_store *store;
        struct rc_image image;
        struct rc_image_config image_config;
        struct rc_container_rec rec;
        char *dir;
        bool recorded;
        struct rc_rootfs rootfs;
        struct rc_spec spec;
        const struct rc_seccomp_profile *seccomp; /* NULL: unconfined */
};

static int build_spec(struct run_state *st, const char *hostname, bool host_network, rc_error **err)
{
        const struct rc_run_opts *o = st->opts;
        struct rc_spec *spec = &st->spec;
        cleanup_free char *hostname_path = xasprintf("%s/hostname", st->dir);
        cleanup_free char *hosts_path = xasprintf("%s/hosts", st->dir);
        cleanup_free char *resolv_path = xasprintf("%s/resolv.conf", st->dir);
        cleanup_free char *containerenv_path = xasprintf("%s/containerenv", st->dir);
        const char *user = o->user ? o->user : st->image_config.user;
        cleanup_container_user struct rc_container_user u = { 0 };

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
        if (resolve_user(st->rootfs.path, user, &u, err) < 0)
                return -1;
        spec->uid = u.uid;
        spec->gid = u.gid;
        spec->additional_gids = steal_pointer(&u.groups);
        spec->n_additional_gids = u.n_groups;
        spec->env = rc_container_env(st->image_config.env, o->env, environ, hostname, u.home);
        free(spec->root_path);
        spec->root_path = xstrdup(st->rootfs.path);
        free(spec->hostname);
        spec->hostname = xstrdup(hostname);
        spec->namespaces = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP;
        if (!host_network)
                spec->namespaces |= CLONE_NEWNET;
        add_bind(spec, hostname_path, "/etc/hostname");
        add_bind(spec, hosts_path, "/etc/hosts");
        add_bind(spec, resolv_path, "/etc/resolv.conf");
        add_bind(spec, containerenv_path, "/run/.containerenv");
        if (st->seccomp) {
                /* compiled here, in rc, for the capabilities the container may hold */
                cleanup_free char *cache = xasprintf("%s/seccomp", st->cfg->runroot);
                if (rc_seccomp_filter_get(st->seccomp, spec->cap_bounding, cache, &spec->seccomp, err) < 0)
                        return -1;
        }
        return 0;
}

/* Everything that can be undone is undone here, whatever state we reached. */
static void teardown(struct run_state *st)
{
        rc_error *err = NULL;

        if (rc_rootfs_unmount(&st->rootfs, &err) < 0) {
                rc_warn("%s", err->msg);
                rc_error_free(err);
                err = NULL;
        }
        if (st->recorded && st->opts->auto_remove) {
                if (rc_store_container_remove(st->store, st->rec.id, &err) < 0) {
                        rc_warn("%s", err->msg);
                        rc_error_free(err);
                }
        } else if (!st->recorded && st->dir) {
                if (rc_rm_rf(st->dir, &err) < 0) {
                        rc_warn("%s", err->msg);
                        rc_error_free(err);
                }
        }
        rc_rootfs_free(&st->rootfs);
        rc_spec_free(&st->spec);
        rc_container_rec_free(&st->rec);
        rc_image_config_free(&st->image_config);
        rc_image_free(&st->image);
        free(st->dir);
        rc_store_close(st->store);
}

/* State changes after start are informational: a failure to record one is
 * logged, never fatal to the running container. */
static void record_state(struct run_state *st, const char *state, int exit_code)
{
        rc_error *e = NULL;

        if (rc_store_container_set_state(st->store, st->rec.id, state, exit_code, &e) < 0) {
                rc_warn("container %.12s: %s", st->rec.id, e->msg);
                rc_error_free(e);
        }
}

static int layer_paths(struct run_state *st, char ***dirs, char ***blobs, rc_error **err)
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

/* The container's terminal starts at the size of rc's own. */
static void terminal_size(struct rc_runtime_stdio *stdio)
{
        struct winsize ws;

        if (!stdio->terminal)
                return;
        if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 || ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0) {
                stdio->rows = ws.ws_row;
                stdio->cols = ws.ws_col;
        }
}

/* The image to run, pulled first per --pull. */
static int find_or_pull(struct run_state *st, rc_error **err)
{
        const struct rc_run_opts *o = st->opts;
        struct rc_pull_opts po = { .cfg = st->cfg, .skip_tls_verify = o->skip_tls_verify,
                                   .progress = o->pull_progress };
        char id[RC_DIGEST_HEX_LEN + 1];

        if (o->pull != RC_PULL_ALWAYS) {
                if (rc_images_resolve(st->store, o->image, &st->image, err) == 0)
                        return 0;
                if (o->pull == RC_PULL_NEVER || rc_error_errno(*err) != ENOENT || rc_looks_like_id(o->image))
                        return -1;
                rc_error_free(*err);
                *err = NULL;
        }
        if (rc_images_pull(st->store, o->image, &po, id, err) < 0)
                return o->pull == RC_PULL_ALWAYS
                               ? -1
                               : rc_error_wrap(err, "image \"%s\" is not in the local store and pulling it failed",
                                               o->image);
        return rc_images_resolve(st->store, id, &st->image, err);
}

int rc_container_run(const struct rc_config *cfg, const struct rc_run_opts *o, int *exit_code, rc_error **err)
{
        struct run_state st = { .cfg = cfg, .opts = o };
        cleanup_seccomp_profile struct rc_seccomp_profile *seccomp = NULL;
        struct rc_userns_state us;
        enum rc_storage_driver driver;
        cleanup_strv char **layer_dirs = NULL, **layer_blobs = NULL;
        cleanup_free char *generated_name = NULL;
        struct rc_container_proc proc = { .pid = -1, .pidfd = -1, .terminal = -1 };
        struct rc_runtime_stdio stdio = { .in = o->interactive ? STDIN_FILENO : -1,
                                          .out = STDOUT_FILENO,
                                          .err = STDERR_FILENO,
                                          .terminal = o->tty };
        const char *network = o->network ? o->network : cfg->network;
        bool host_network;
        char hostname[65];
        struct rc_timer t;
        int r = -1;

        rc_timer_start(&t, "run");
        *exit_code = 125;
        if (strcmp(network, "none") != 0 && strcmp(network, "host") != 0)
                return rc_error_set(err, EINVAL, "--network %s: supported values are none and host", network);
        host_network = strcmp(network, "host") == 0;
        /* a bad profile is refused before anything exists */
        if (o->seccomp == NULL)
                seccomp = rc_seccomp_profile_default();
        else if (strcmp(o->seccomp, "unconfined") != 0 && rc_seccomp_profile_read(o->seccomp, &seccomp, err) < 0)
                return -1;
        st.seccomp = seccomp;
        if (rc_userns_enter(cfg, &us, err) < 0)
                return -1;
        rc_userns_state_free(&us);
        rc_timer_phase(&t, "user namespace");
        if (rc_store_open(cfg->root, &st.store, err) < 0)
                return -1;
        rc_timer_phase(&t, "store open");
        if (rc_store_gc(st.store, err) < 0)
                goto out;
        rc_timer_phase(&t, "store gc");
        if (find_or_pull(&st, err) < 0 || rc_images_load_config(st.store, &st.image, &st.image_config, err) < 0)
                goto out;
        rc_timer_phase(&t, "image");
        if (rc_storage_select(cfg, &driver, NULL, err) < 0)
                goto out;
        rc_timer_phase(&t, "storage driver");

        random_id(st.rec.id);
        if (o->name == NULL)
                generated_name = rc_container_random_name();
        st.rec.name = xstrdup(o->name ? o->name : generated_name);
        memcpy(st.rec.image_id, st.image.id, sizeof(st.rec.image_id));
        st.rec.image_name = xstrdup(st.image.names && st.image.names[0] ? st.image.names[0] : st.image.id);
        st.rec.state = xstrdup("created");
        st.rec.driver = xstrdup(rc_storage_driver_name(driver));
        st.rec.created = (int64_t)time(NULL);
        st.rec.auto_remove = o->auto_remove;
        st.rec.monitor_pid = getpid();
        st.rec.monitor_start = rc_process_start_time(getpid());
        if (rc_store_container_add(st.store, &st.rec, err) < 0)
                goto out;
        st.recorded = true;
        rc_timer_phase(&t, "container record");

        st.dir = rc_store_container_dir(st.store, st.rec.id);
        if (mkdir(st.dir, 0700) < 0) {
                rc_error_set(err, errno, "create %s", st.dir);
                goto out;
        }
        snprintf(hostname, sizeof(hostname), "%s", o->hostname ? o->hostname : "");
        if (!o->hostname) {
                if (host_network) {
                        if (gethostname(hostname, sizeof(hostname)) < 0)
                                snprintf(hostname, sizeof(hostname), "%.12s", st.rec.id);
                } else {
                        snprintf(hostname, sizeof(hostname), "%.12s", st.rec.id);
                }
        }
        if (write_etc_files(st.dir, hostname, host_network, err) < 0)
                goto out;
        rc_timer_phase(&t, "container files");
        if (layer_paths(&st, &layer_dirs, &layer_blobs, err) < 0)
                goto out;
        if (rc_rootfs_mount(cfg, driver, layer_dirs, layer_blobs, st.dir, o->auto_remove, &st.rootfs, err) < 0)
                goto out;
        rc_timer_phase(&t, "rootfs mount");
        if (build_spec(&st, hostname, host_network, err) < 0)
                goto out;
        terminal_size(&stdio);
        if (rc_runtime_start(&st.spec, &stdio, &proc, err) < 0) {
                int e = rc_error_errno(*err);
                if (proc.exec_failed)
                        *exit_code = e == ENOENT ? 127 : e == EACCES ? 126 : 125;
                goto out;
        }
        rc_timer_phase(&t, "start (clone to exec)");
        if (!o->auto_remove)
                record_state(&st, "running", 0);
        if (rc_runtime_wait(&proc, &stdio, exit_code, err) < 0)
                goto out;
        rc_timer_phase(&t, "wait");
        if (!o->auto_remove)
                record_state(&st, "exited", *exit_code);
        r = 0;
out:
        if (proc.pidfd >= 0)
                close(proc.pidfd);
        if (proc.terminal >= 0)
                close(proc.terminal);
        teardown(&st);
        rc_timer_phase(&t, "tear-down");
        rc_timer_total(&t);
        return r;
}
