/* rc cp: files and directories between the host and a container's root,
 * running or not, and tar streams on stdin/stdout.
 *
 * Where the container's root comes from:
 *  - running: its first process's root (/proc/PID/root, checked against
 *    pid reuse), after joining the container's own user namespace.  That
 *    is the root with every mount of the container's mount namespace
 *    (/etc/hosts, later volumes), as the container sees it, and rc is root
 *    there: what it creates belongs to the container's root.
 *  - not running: mounted the way rc start mounts it (layers under the
 *    container's upper directory), in rc's own private mount namespace
 *    inside rc's user namespace, for the duration of the copy.
 * Either way every path of the container is resolved with openat2
 * RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS from that root, so neither a
 * symbolic link ("/etc/link -> /", "-> /home/USER") nor a /proc magic link
 * leads outside it; below the resolved path nothing is followed at all
 * (copytree.c). */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "archive/archive.h"
#include "container/copytree.h"
#include "container/internal.h"
#include "container/target.h"
#include "dl/archive.h"
#include "util/xalloc.h"

/* One side of the copy, as the user wrote it. */
struct side {
        char *container; /* NULL: the host */
        char *path;      /* "-": a tar stream on stdin/stdout */
};

/* podman's rule: "NAME:PATH" names a container when the colon comes
 * before any slash; "./a:b" and "/a:b" are host paths. */
static void parse_side(const char *arg, struct side *s)
{
        const char *colon = strchr(arg, ':');
        const char *slash = strchr(arg, '/');

        memset(s, 0, sizeof(*s));
        if (colon && colon != arg && (!slash || colon < slash)) {
                s->container = xstrndup(arg, (size_t)(colon - arg));
                s->path = xstrdup(colon[1] ? colon + 1 : "/");
        } else {
                s->path = xstrdup(arg);
        }
}

static void side_free(struct side *s)
{
        free(s->container);
        free(s->path);
}

/* A path split into the directory to resolve and the last name:
 * "a/b/" -> ("a", "b"); "/" -> ("/", "."); "b" -> (".", "b").
 * contents: the path ended in "/." (copy what is in it, not it). */
struct split {
        char *dir, *name;
        bool contents, trailing_slash;
};

static void split_path(const char *path, struct split *sp)
{
        size_t len = strlen(path);
        char *copy, *slash;

        memset(sp, 0, sizeof(*sp));
        if (len >= 2 && strcmp(path + len - 2, "/.") == 0) {
                sp->contents = true;
                len -= 2;
        } else if (strcmp(path, ".") == 0) {
                sp->contents = true;
                len = 0;
        }
        sp->trailing_slash = len > 0 && path[len - 1] == '/';
        copy = xstrndup(path, len);
        while (strlen(copy) > 1 && copy[strlen(copy) - 1] == '/')
                copy[strlen(copy) - 1] = '\0';
        if (copy[0] == '\0' || strcmp(copy, "/") == 0) {
                sp->dir = xstrdup(copy[0] ? "/" : ".");
                sp->name = xstrdup(".");
                sp->contents = sp->contents || copy[0] == '/';
        } else if ((slash = strrchr(copy, '/')) == NULL) {
                sp->dir = xstrdup(".");
                sp->name = xstrdup(copy);
        } else {
                sp->name = xstrdup(slash + 1);
                *slash = '\0';
                sp->dir = xstrdup(copy[0] ? copy : "/");
        }
        free(copy);
}

static void split_free(struct split *sp)
{
        free(sp->dir);
        free(sp->name);
}

/* path inside the container's root, links followed but only inside it. */
static int open_in_root(int root, const char *path, int flags, uint64_t resolve)
{
        struct open_how how = { .flags = (uint64_t)(flags | O_CLOEXEC),
                                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | resolve };

        int fd;

        while (*path == '/')
                path++;
        /* EAGAIN: a rename in the container raced with the resolution (the
         * container is running and may be hostile); retry a bounded number
         * of times */
        for (int i = 0;; i++) {
                fd = (int)syscall(SYS_openat2, root, *path ? path : ".", &how, sizeof(how));
                if (fd >= 0 || errno != EAGAIN || i == 32)
                        return fd;
        }
}

static int not_found(const char *path, const char *ctr, int e, rc_error **err)
{
        if (e == ELOOP)
                return rc_error_set(err, ELOOP, "\"%s\" on container %s passes through a /proc link to another file "
                                                "system, which rc refuses", path, ctr);
        if (e == ENOENT || e == ENOTDIR)
                return rc_error_set(err, 0, "\"%s\" could not be found on container %s: no such file or directory",
                                    path, ctr);
        return rc_error_set(err, e, "\"%s\" on container %s", path, ctr);
}

/* Where a copy lands: an existing directory takes the source under its own
 * name (or its contents, for "SRC/."); anything else is the new name. */
static int pick_dest(const struct split *src, bool src_is_dir, const char *dest_path, const struct split *dest,
                     bool dest_exists, bool dest_is_dir, char **dst_name, rc_error **err)
{
        if (dest_exists && dest_is_dir) {
                *dst_name = xstrdup(src->contents ? "." : src->name);
                return 0;
        }
        if (dest_exists && src_is_dir)
                return rc_error_set(err, ENOTDIR, "%s: cannot copy a directory onto a file", dest_path);
        if (!dest_exists && dest->trailing_slash && !src_is_dir)
                return rc_error_set(err, ENOENT, "%s: no such directory", dest_path);
        *dst_name = xstrdup(dest->name);
        return 0;
}

/* The host directory or container directory fd and the names to copy. */
static int copy_between(int src_dir, const struct split *src, bool src_is_dir, int dst_dir, const char *dst_name,
                        const char *what, rc_error **err)
{
        if (src->contents && src_is_dir) {
                cleanup_close int from = openat(src_dir, src->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                struct stat st;
                if (from < 0)
                        return rc_error_set(err, errno, "%s", what);
                /* the directory's contents into dst_name, made like it if missing */
                if (strcmp(dst_name, ".") != 0 && fstatat(dst_dir, dst_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return ctr_copy_tree(src_dir, src->name, dst_dir, dst_name, what, err);
                {
                        cleanup_close int into = openat(dst_dir, dst_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
                                                                               O_CLOEXEC);
                        cleanup_closedir DIR *d = NULL;
                        struct dirent *de;
                        int dup_fd = fcntl(from, F_DUPFD_CLOEXEC, 3);
                        if (into < 0)
                                return rc_error_set(err, errno, "%s: the destination", what);
                        d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
                        if (d == NULL)
                                return rc_error_set(err, errno, "%s", what);
                        while ((de = readdir(d))) {
                                cleanup_free char *child = NULL;
                                if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                                        continue;
                                child = xasprintf("%s/%s", what, de->d_name);
                                if (ctr_copy_tree(from, de->d_name, into, de->d_name, child, err) < 0)
                                        return -1;
                        }
                }
                return 0;
        }
        return ctr_copy_tree(src_dir, src->name, dst_dir, dst_name, what, err);
}

static void archive_closep(struct archive **a)
{
        if (*a)
                archive_write_free(*a);
}

/* CTR:SRC to the host or to a tar stream on stdout. */
static int copy_out(const struct rc_config *cfg, const struct side *from, const struct side *to, rc_error **err)
{
        struct ctr_root r;
        struct split src = { 0 }, dest = { 0 };
        cleanup_close int src_dir = -1, dest_dir = -1;
        cleanup_free char *dst_name = NULL;
        struct stat st, dst;
        bool dest_exists;
        int rr = -1;

        split_path(from->path, &src);
        if (ctr_root_open(cfg, from->container, false, &r, err) < 0)
                goto out;
        src_dir = open_in_root(r.fd, src.dir, O_PATH | O_DIRECTORY, 0);
        if (src_dir < 0 || fstatat(src_dir, src.name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                not_found(from->path, r.t.rec.name, errno, err);
                goto out;
        }
        if ((src.trailing_slash || src.contents) && !S_ISDIR(st.st_mode)) {
                rc_error_set(err, ENOTDIR, "\"%s\" on container %s is not a directory", from->path, r.t.rec.name);
                goto out;
        }
        if (strcmp(to->path, "-") == 0) {
                __attribute__((cleanup(archive_closep))) struct archive *a = NULL;
                if (rc_dl_archive(err) < 0)
                        goto out;
                a = archive_write_new();
                archive_write_set_format_pax_restricted(a);
                if (archive_write_open_fd(a, STDOUT_FILENO) != ARCHIVE_OK) {
                        rc_error_set(err, archive_errno(a), "write the tar stream: %s", archive_error_string(a));
                        goto out;
                }
                if (ctr_tar_tree(src_dir, src.name, a, src.contents ? "." : src.name, err) < 0)
                        goto out;
                if (archive_write_close(a) != ARCHIVE_OK) {
                        rc_error_set(err, archive_errno(a), "write the tar stream: %s", archive_error_string(a));
                        goto out;
                }
                rr = 0;
                goto out;
        }
        split_path(to->path, &dest);
        dest_exists = stat(to->path, &dst) == 0;
        if (dest_exists && S_ISDIR(dst.st_mode))
                dest_dir = open(to->path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        else
                dest_dir = open(dest.dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dest_dir < 0) {
                rc_error_set(err, errno, "%s", dest_exists ? to->path : dest.dir);
                goto out;
        }
        if (pick_dest(&src, S_ISDIR(st.st_mode), to->path, &dest, dest_exists, dest_exists && S_ISDIR(dst.st_mode),
                      &dst_name, err) < 0)
                goto out;
        rr = copy_between(src_dir, &src, S_ISDIR(st.st_mode), dest_dir, dst_name, from->path, err);
out:
        ctr_root_free(&r);
        split_free(&src);
        split_free(&dest);
        return rr;
}

/* The host (or a tar stream on stdin) to CTR:DEST. */
static int copy_in(const struct rc_config *cfg, const struct side *from, const struct side *to, rc_error **err)
{
        struct ctr_root r;
        struct split src = { 0 }, dest = { 0 };
        cleanup_close int src_dir = -1, dest_fd = -1, dest_dir = -1;
        cleanup_free char *dst_name = NULL;
        struct stat st, dst;
        bool stream = strcmp(from->path, "-") == 0, dest_exists, dest_is_dir;
        int rr = -1;

        memset(&r, 0, sizeof(r));
        r.fd = r.t.pidfd = -1;
        split_path(from->path, &src);
        split_path(to->path, &dest);
        if (!stream) {
                src_dir = open(src.dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (src_dir < 0 || fstatat(src_dir, src.name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        rc_error_set(err, errno, "%s", from->path);
                        goto out;
                }
        }
        if (ctr_root_open(cfg, to->container, false, &r, err) < 0)
                goto out;
        dest_fd = open_in_root(r.fd, to->path, O_PATH, 0);
        if (dest_fd < 0 && errno != ENOENT) {
                not_found(to->path, r.t.rec.name, errno, err);
                goto out;
        }
        if (dest_fd >= 0 && fstat(dest_fd, &dst) < 0) {
                rc_error_set(err, errno, "%s", to->path);
                goto out;
        }
        if (stream) {
                struct rc_extract_opts eo = { .mode = RC_EXTRACT_APPLY, .blob_fd = -1, .ignore_ownership = true };
                struct rc_extract_result res;
                if (dest_fd < 0 || !S_ISDIR(dst.st_mode)) {
                        rc_error_set(err, ENOTDIR, "\"%s\" on container %s must be a directory to extract a tar "
                                                   "stream into", to->path, r.t.rec.name);
                        goto out;
                }
                /* rc's safe layer extraction, with this directory as its root */
                if (rc_archive_extract(STDIN_FILENO, dest_fd, &eo, &res, err) < 0)
                        goto out;
                rr = 0;
                goto out;
        }
        if ((src.trailing_slash || src.contents) && !S_ISDIR(st.st_mode)) {
                rc_error_set(err, ENOTDIR, "%s: not a directory", from->path);
                goto out;
        }
        dest_exists = dest_fd >= 0;
        dest_is_dir = dest_exists && S_ISDIR(dst.st_mode);
        if (dest_is_dir) {
                dest_dir = steal_fd(&dest_fd);
        } else {
                dest_dir = open_in_root(r.fd, dest.dir, O_PATH | O_DIRECTORY, 0);
                if (dest_dir < 0) {
                        not_found(dest.dir, r.t.rec.name, errno, err);
                        goto out;
                }
        }
        if (pick_dest(&src, S_ISDIR(st.st_mode), to->path, &dest, dest_exists, dest_is_dir, &dst_name, err) < 0)
                goto out;
        rr = copy_between(src_dir, &src, S_ISDIR(st.st_mode), dest_dir, dst_name, from->path, err);
out:
        ctr_root_free(&r);
        split_free(&src);
        split_free(&dest);
        return rr;
}

int rc_container_cp(const struct rc_config *cfg, const char *src, const char *dest, rc_error **err)
{
        struct side from, to;
        int r;

        parse_side(src, &from);
        parse_side(dest, &to);
        if (from.container && to.container)
                r = rc_error_set(err, EINVAL, "copying between containers is not supported: copy to the host first");
        else if (!from.container && !to.container)
                r = rc_error_set(err, EINVAL, "one of the two paths must name a container: CONTAINER:PATH");
        else if (from.container && strcmp(from.path, "-") == 0)
                r = rc_error_set(err, EINVAL, "\"-\" is the host's stdin or stdout, not a container's path");
        else
                r = from.container ? copy_out(cfg, &from, &to, err) : copy_in(cfg, &from, &to, err);
        side_free(&from);
        side_free(&to);
        return r;
}
