/* rc export: a container's file system as one tar stream. */
#include <archive.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container/copytree.h"
#include "container/target.h"
#include "dl/archive.h"
#include "util/fs.h"
#include "util/xalloc.h"

/* Where the archive goes: stdout, or a temporary file beside output that
 * replaces it at the end (a failed export leaves an earlier file intact).
 * Opened before rc joins the container's namespaces, where host paths no
 * longer mean the same. */
struct sink {
        int fd;
        int dir_fd;
        char *tmp_name, *name;
};

static void sink_free(struct sink *k)
{
        if (k->tmp_name) /* not renamed: an incomplete archive */
                unlinkat(k->dir_fd, k->tmp_name, 0);
        if (k->fd > STDOUT_FILENO)
                close(k->fd);
        if (k->dir_fd >= 0)
                close(k->dir_fd);
        free(k->tmp_name);
        free(k->name);
}

static int sink_open(const char *output, struct sink *k, rc_error **err)
{
        cleanup_free char *copy1 = NULL, *copy2 = NULL;

        if (!output) {
                if (isatty(STDOUT_FILENO))
                        return rc_error_set(err, EINVAL, "refusing to export to terminal. Use -o flag or redirect");
                k->fd = STDOUT_FILENO;
                return 0;
        }
        copy1 = xstrdup(output);
        copy2 = xstrdup(output);
        k->name = xstrdup(basename(copy2));
        k->dir_fd = open(dirname(copy1), O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (k->dir_fd < 0)
                return rc_error_set(err, errno, "%s", output);
        for (int i = 0; i < 100; i++) {
                free(k->tmp_name);
                k->tmp_name = xasprintf(".%s.rc-%ld-%d", k->name, (long)getpid(), i);
                k->fd = openat(k->dir_fd, k->tmp_name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, rc_user_mode(0644));
                if (k->fd >= 0 || errno != EEXIST)
                        break;
        }
        if (k->fd < 0) {
                free(k->tmp_name);
                k->tmp_name = NULL;
                return rc_error_set(err, errno, "%s: create", output);
        }
        return 0;
}

static int sink_commit(struct sink *k, const char *output, rc_error **err)
{
        if (!k->tmp_name)
                return 0;
        if (fsync(k->fd) < 0 || renameat(k->dir_fd, k->tmp_name, k->dir_fd, k->name) < 0)
                return rc_error_set(err, errno, "%s", output);
        free(k->tmp_name);
        k->tmp_name = NULL;
        return 0;
}

static void archive_freep(struct archive **a)
{
        if (*a)
                archive_write_free(*a);
}

int rc_container_export(const struct rc_config *cfg, const char *name, const char *output, rc_error **err)
{
        __attribute__((cleanup(archive_freep))) struct archive *a = NULL;
        struct sink k = { .fd = -1, .dir_fd = -1 };
        struct ctr_root r = { .fd = -1, .t.pidfd = -1 };
        int rr = -1;

        if (rc_dl_archive(err) < 0 || sink_open(output, &k, err) < 0 || ctr_root_open(cfg, name, true, &r, err) < 0)
                goto out;
        a = archive_write_new();
        archive_write_set_format_pax_restricted(a);
        if (archive_write_open_fd(a, k.fd) != ARCHIVE_OK) {
                rc_error_set(err, archive_errno(a), "write the tar stream: %s", archive_error_string(a));
                goto out;
        }
        if (ctr_tar_tree(r.fd, ".", a, "", err) < 0)
                goto out;
        if (archive_write_close(a) != ARCHIVE_OK) {
                rc_error_set(err, archive_errno(a), "write the tar stream: %s", archive_error_string(a));
                goto out;
        }
        rr = sink_commit(&k, output, err);
out:
        ctr_root_free(&r);
        sink_free(&k);
        return rr;
}
