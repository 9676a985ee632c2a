/* --sdnotify=container: the container says itself when it is ready.
 *
 * The service manager takes notifications only from its unit's processes
 * and, for a detached container, knows only the monitor as the main
 * process; the container runs in a pid namespace (and a scope) of its own.
 * So the container gets a socket of its monitor's instead: the directory
 * RUN_DIR/notify, bound read-only at /run/notify, holds notify.sock, and
 * $NOTIFY_SOCKET inside names it.  The monitor passes on, as its own, the
 * lines that speak of the service's state (rc_notify_filter); everything
 * else a container sends (MAINPID, file descriptors, oversized datagrams,
 * a flood) goes no further than the monitor, which never blocks on it. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "container/internal.h"
#include "util/log.h"
#include "util/notify.h"
#include "util/xalloc.h"

#define NOTIFY_DIR "notify"
#define NOTIFY_NAME "notify.sock"
#define NOTIFY_IN_CONTAINER "/run/notify"
#define NOTIFY_MAX 4096       /* a longer datagram is dropped whole */
#define NOTIFY_PER_WAKEUP 64  /* a flood does not keep the monitor from its other work */

bool ctr_notify_relayed(const struct ctr_state *st)
{
        const char *socket_path = getenv("NOTIFY_SOCKET");

        return st->opts->sdnotify == RC_SDNOTIFY_CONTAINER && socket_path && *socket_path;
}

int ctr_notify_spec(struct ctr_state *st, rc_error **err)
{
        cleanup_free char *dir = NULL;
        struct rc_spec_mount *m;
        char **env = st->spec.env;
        size_t kept = 0;

        if (!ctr_notify_relayed(st))
                return 0;
        dir = xasprintf("%s/" NOTIFY_DIR, st->run_dir);
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                return rc_error_set(err, errno, "create %s", dir);
        ctr_spec_bind(&st->spec, dir, NOTIFY_IN_CONTAINER);
        /* a socket works through a read-only mount; nothing else can be put there */
        m = &st->spec.mounts[st->spec.n_mounts - 1];
        strv_push(&m->options, "ro");
        strv_push(&m->options, "nosuid");
        strv_push(&m->options, "nodev");
        strv_push(&m->options, "noexec");
        for (size_t i = 0; env && env[i]; i++) {
                if (strncmp(env[i], "NOTIFY_SOCKET=", 14) == 0)
                        free(env[i]);
                else
                        env[kept++] = env[i];
        }
        if (env)
                env[kept] = NULL;
        strv_push(&st->spec.env, "NOTIFY_SOCKET=" NOTIFY_IN_CONTAINER "/" NOTIFY_NAME);
        return 0;
}

int ctr_notify_relay_open(struct ctr_notify_relay *r, const struct ctr_state *st, rc_error **err)
{
        cleanup_free char *dir = NULL;
        cleanup_close int dir_fd = -1;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };

        r->fd = -1;
        if (!ctr_notify_relayed(st))
                return 0;
        dir = xasprintf("%s/" NOTIFY_DIR, st->run_dir);
        dir_fd = open(dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dir_fd < 0)
                return rc_error_set(err, errno, "open %s", dir);
        if (unlinkat(dir_fd, NOTIFY_NAME, 0) < 0 && errno != ENOENT)
                return rc_error_set(err, errno, "remove the old %s/%s", dir, NOTIFY_NAME);
        r->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (r->fd < 0)
                return rc_error_set(err, errno, "socket");
        /* through the directory's fd: the run directory's path may not fit
         * in sun_path */
        snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/" NOTIFY_NAME, dir_fd);
        if (bind(r->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
            fchmodat(dir_fd, NOTIFY_NAME, 0666, 0) < 0) { /* any user of the container may say it */
                int e = errno;
                ctr_notify_relay_close(r);
                return rc_error_set(err, e, "create the notification socket in %s", dir);
        }
        return 0;
}

void ctr_notify_relay_close(struct ctr_notify_relay *r)
{
        if (r->fd >= 0)
                close(r->fd);
        r->fd = -1;
}

static size_t relay_fill(void *ctx, struct pollfd *fds, size_t cap, int *timeout_ms)
{
        struct ctr_notify_relay *r = ctx;

        (void)timeout_ms;
        if (r->fd < 0 || cap == 0)
                return 0;
        fds[0] = (struct pollfd){ .fd = r->fd, .events = POLLIN };
        return 1;
}

/* One datagram: passed on if anything of it may be. */
static bool relay_one(struct ctr_notify_relay *r)
{
        char buf[NOTIFY_MAX], kept[NOTIFY_MAX], out[NOTIFY_MAX + 32];
        struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
        /* no room for control data: file descriptors sent along are closed
         * by the kernel, never installed here */
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
        bool ready;
        ssize_t n = recvmsg(r->fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

        if (n < 0)
                return false;
        if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
                rc_debug("notify: dropped a message from the container (too long, or with file descriptors)");
                return true;
        }
        if (rc_notify_filter(buf, (size_t)n, kept, sizeof(kept), &ready) == 0)
                return true;
        /* READY names the main process again: the manager may have seen
         * the command that started this monitor as its main process */
        if (ready)
                snprintf(out, sizeof(out), "MAINPID=%d\n%s", (int)getpid(), kept);
        else
                snprintf(out, sizeof(out), "%s", kept);
        if (rc_notify_nowait(out) < 0)
                rc_debug("notify: pass on the container's message: %s", strerror(errno));
        return true;
}

static void relay_dispatch(void *ctx, struct pollfd *fds, size_t n)
{
        struct ctr_notify_relay *r = ctx;

        if (n == 0 || !(fds[0].revents & POLLIN))
                return;
        for (int i = 0; i < NOTIFY_PER_WAKEUP && relay_one(r); i++)
                ;
}

struct rc_poll_source ctr_notify_relay_source(struct ctr_notify_relay *r)
{
        return (struct rc_poll_source){ .ctx = r, .fill = relay_fill, .dispatch = relay_dispatch };
}
