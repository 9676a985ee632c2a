/* Files of a container that rc reads from the image or writes for it. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "container/internal.h"
#include "util/fs.h"
#include "util/xalloc.h"

int ctr_read_in_root(const char *root, const char *path, char **out, rc_error **err)
{
        struct open_how how = { .flags = O_RDONLY | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
        cleanup_close int root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        cleanup_close int fd = -1;

        *out = NULL;
        if (root_fd < 0)
                return rc_error_set(err, errno, "open %s", root);
        /* EAGAIN: a rename raced with the resolution; retry a few times */
        for (int i = 0; (fd = (int)syscall(SYS_openat2, root_fd, path, &how, sizeof(how))) < 0 && errno == EAGAIN &&
                        i < 32;
             i++)
                ;
        if (fd < 0)
                return errno == ENOENT ? 0 : rc_error_set(err, errno, "open %s in the image", path);
        if (rc_read_fd(fd, out, NULL, err) < 0)
                return rc_error_wrap(err, "%s in the image", path);
        return 0;
}

int ctr_resolve_user(const char *root, const char *spec, struct rc_container_user *user, rc_error **err)
{
        cleanup_free char *passwd = NULL, *group = NULL;

        if (ctr_read_in_root(root, "etc/passwd", &passwd, err) < 0 ||
            ctr_read_in_root(root, "etc/group", &group, err) < 0)
                return -1;
        return rc_container_parse_user(spec, passwd, group, user, err);
}

/* A --rm container's status outlives its record here, for rc wait. */
void ctr_write_exit_file(const struct ctr_state *st, int exit_code)
{
        cleanup_free char *dir = xasprintf("%s/exits", st->cfg->runroot);
        cleanup_free char *path = xasprintf("%s/%s", dir, st->rec.id);
        char text[16];
        rc_error *e = NULL;
        int n = snprintf(text, sizeof(text), "%d\n", exit_code);

        if (rc_mkdir_p(dir, 0700, &e) < 0 || rc_write_file(path, text, (size_t)n, 0600, &e) < 0) {
                rc_debug("container %.12s: %s", st->rec.id, e->msg);
                rc_error_free(e);
        }
}

int ctr_write_containerenv(const struct ctr_state *st, rc_error **err)
{
        cleanup_free char *path = xasprintf("%s/containerenv", st->run_dir);
        cleanup_free char *text = xasprintf("engine=\"rc-%s\"\nname=\"%s\"\nid=\"%s\"\nimage=\"%s\"\n"
                                            "imageid=\"%s\"\nrootless=1\n",
                                            RC_VERSION, st->rec.name, st->rec.id, st->rec.image_name, st->rec.image_id);

        return rc_write_file(path, text, strlen(text), 0644, err);
}

int ctr_run_dir_ensure(struct ctr_state *st, rc_error **err)
{
        cleanup_free char *hostname = xasprintf("%s/hostname", st->run_dir);

        if (rc_path_exists(hostname))
                return 0;
        if (rc_mkdir_p(st->run_dir, 0700, err) < 0 || ctr_write_etc_files(st, err) < 0 ||
            (st->opts->privileged && ctr_write_containerenv(st, err) < 0))
                return rc_error_wrap(err, "container %.12s", st->rec.id);
        return 0;
}

char *ctr_config_path(const char *run_dir, const char *dir)
{
        return rc_path_in_first((const char *const[]){ run_dir, dir }, "config.json");
}
