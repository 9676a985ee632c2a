#include "util/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/xalloc.h"

int rc_mkdir_p(const char *path, mode_t mode, rc_error **err)
{
        cleanup_free char *p = xstrdup(path);
        size_t len = strlen(p);

        while (len > 1 && p[len - 1] == '/')
                p[--len] = '\0';
        for (char *s = p + 1; *s; s++) {
                if (*s != '/')
                        continue;
                *s = '\0';
                if (mkdir(p, mode) < 0 && errno != EEXIST)
                        return rc_error_set(err, errno, "create directory %s", p);
                *s = '/';
        }
        if (mkdir(p, mode) < 0 && errno != EEXIST)
                return rc_error_set(err, errno, "create directory %s", p);
        return 0;
}

int rc_read_fd(int fd, char **out, size_t *len, rc_error **err)
{
        cleanup_free char *buf = NULL;
        size_t cap = 0, n = 0;

        for (;;) {
                ssize_t r;
                if (n + 4096 + 1 > cap) {
                        cap = cap ? cap * 2 : 8192;
                        buf = xrealloc(buf, cap);
                }
                r = read(fd, buf + n, cap - n - 1);
                if (r < 0) {
                        if (errno == EINTR)
                                continue;
                        return rc_error_set(err, errno, "read");
                }
                if (r == 0)
                        break;
                n += (size_t)r;
        }
        if (buf == NULL)
                buf = xmalloc(1);
        buf[n] = '\0';
        if (len)
                *len = n;
        *out = steal_pointer(&buf);
        return 0;
}

int rc_read_file_at(int dirfd, const char *path, char **out, size_t *len, rc_error **err)
{
        cleanup_close int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);

        if (fd < 0)
                return rc_error_set(err, errno, "open %s", path);
        if (rc_read_fd(fd, out, len, err) < 0)
                return rc_error_wrap(err, "%s", path);
        return 0;
}

int rc_read_file(const char *path, char **out, size_t *len, rc_error **err)
{
        return rc_read_file_at(AT_FDCWD, path, out, len, err);
}

int rc_write_all(int fd, const void *data, size_t len)
{
        const char *p = data;
        while (len > 0) {
                ssize_t w = write(fd, p, len);
                if (w < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN) {
                                /* a non-blocking fd (a terminal, a pipe): wait until it takes more */
                                struct pollfd pf = { .fd = fd, .events = POLLOUT };
                                if (poll(&pf, 1, -1) < 0 && errno != EINTR)
                                        return -1;
                                continue;
                        }
                        return -1;
                }
                p += w;
                len -= (size_t)w;
        }
        return 0;
}

char *rc_path_in_first(const char *const dirs[2], const char *name)
{
        for (int i = 0; i < 2; i++) {
                char *path = xasprintf("%s/%s", dirs[i], name);
                if (access(path, F_OK) == 0)
                        return path;
                free(path);
        }
        return xasprintf("%s/%s", dirs[0], name);
}

static mode_t user_umask = 022;

void rc_umask_init(void)
{
        user_umask = umask(022);
}

mode_t rc_user_mode(mode_t mode)
{
        return mode & ~user_umask;
}

int rc_write_file(const char *path, const void *data, size_t len, mode_t mode, rc_error **err)
{
        cleanup_close int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);

        if (fd < 0)
                return rc_error_set(err, errno, "create %s", path);
        if (rc_write_all(fd, data, len) < 0)
                return rc_error_set(err, errno, "write %s", path);
        return 0;
}

int rc_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode, rc_error **err)
{
        cleanup_free char *tmp = xasprintf("%s.tmp-%d", path, (int)getpid());
        cleanup_free char *dir = xstrdup(path);
        cleanup_close int fd = -1, dfd = -1;
        char *slash;

        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
        if (fd < 0)
                return rc_error_set(err, errno, "create %s", tmp);
        if (rc_write_all(fd, data, len) < 0 || fsync(fd) < 0) {
                int e = errno;
                unlink(tmp);
                return rc_error_set(err, e, "write %s", tmp);
        }
        if (rename(tmp, path) < 0) {
                int e = errno;
                unlink(tmp);
                return rc_error_set(err, e, "rename %s to %s", tmp, path);
        }
        slash = strrchr(dir, '/');
        if (slash) {
                *(slash == dir ? slash + 1 : slash) = '\0';
                dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (dfd >= 0)
                        fsync(dfd);
        }
        return 0;
}

int rc_path_exists(const char *path)
{
        struct stat st;
        return lstat(path, &st) == 0;
}

char *rc_find_program(const char *name, const char *path_env)
{
        cleanup_free char *copy = NULL;
        char *save = NULL;

        if (strchr(name, '/'))
                return access(name, X_OK) == 0 ? xstrdup(name) : NULL;
        if (path_env == NULL)
                path_env = getenv("PATH");
        copy = xstrdup(path_env && *path_env ? path_env : "/usr/local/bin:/usr/bin:/bin");
        for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
                char *p = xasprintf("%s/%s", dir, name);
                struct stat st;
                if (stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0)
                        return p;
                free(p);
        }
        return NULL;
}
