/* The container's log, in the k8s-file format podman and the kubelet
 * write: one record per line, "TIMESTAMP STREAM TAG TEXT", TAG F for a
 * full line and P for a part of one that goes on in the next record. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "container/internal.h"
#include "util/fs.h"
#include "util/xalloc.h"

int ctr_log_open(struct ctr_log *l, const char *dir, uint64_t max, rc_error **err)
{
        struct stat sb;

        l->path = xasprintf("%s/ctr.log", dir);
        l->max = max;
        l->fd = open(l->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (l->fd < 0)
                return rc_error_set(err, errno, "open the container's log %s", l->path);
        l->size = fstat(l->fd, &sb) == 0 ? (uint64_t)sb.st_size : 0;
        return 0;
}

/* RFC 3339 with nanoseconds in UTC. */
static size_t timestamp(char *buf, size_t len)
{
        struct timespec ts;
        struct tm tm;
        size_t n;

        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
        n += (size_t)snprintf(buf + n, len - n, ".%09ldZ", ts.tv_nsec);
        return n;
}

/* Beyond max-size the log moves to ctr.log.1 (replacing the one before),
 * so the container's output never fills the disk. */
static void rotate(struct ctr_log *l)
{
        cleanup_free char *old = xasprintf("%s.1", l->path);
        int fd;

        if (rename(l->path, old) < 0)
                return;
        fd = open(l->path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
        if (fd < 0)
                return;
        close(l->fd);
        l->fd = fd;
        l->size = 0;
}

void ctr_log_write(struct ctr_log *l, const char *stream, const char *text, size_t len, bool partial)
{
        char head[96];
        size_t n = timestamp(head, sizeof(head));
        struct iovec iov[3];
        ssize_t w;

        if (l->fd < 0)
                return;
        n += (size_t)snprintf(head + n, sizeof(head) - n, " %s %c ", stream, partial ? 'P' : 'F');
        if (l->max && l->size + n + len + 1 > l->max && l->size > 0)
                rotate(l);
        iov[0] = (struct iovec){ head, n };
        iov[1] = (struct iovec){ (void *)text, len };
        iov[2] = (struct iovec){ "\n", 1 };
        /* one writev per record: a reader never sees half a header */
        w = writev(l->fd, iov, 3);
        if (w > 0)
                l->size += (uint64_t)w;
}

void ctr_log_close(struct ctr_log *l)
{
        if (l->fd >= 0)
                close(l->fd);
        l->fd = -1;
        free(l->path);
        l->path = NULL;
}
