#include "util/notify.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "util/xalloc.h"

static int notify(const char *state, int flags)
{
        const char *path = getenv("NOTIFY_SOCKET");
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        size_t len;
        socklen_t salen;
        ssize_t n;
        int fd;

        if (path == NULL || *path == '\0')
                return 0;
        len = strlen(path);
        if ((path[0] != '/' && path[0] != '@') || len >= sizeof(sa.sun_path)) {
                errno = EINVAL;
                return -1;
        }
        memcpy(sa.sun_path, path, len);
        if (path[0] == '@')
                sa.sun_path[0] = '\0'; /* abstract namespace: no terminating NUL counted */
        salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + (path[0] == '/'));
        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -1;
        /* the manager learns who sent it from the kernel's credentials */
        n = sendto(fd, state, strlen(state), MSG_NOSIGNAL | flags, (struct sockaddr *)&sa, salen);
        close(fd);
        return n < 0 ? -1 : 1;
}

int rc_notify(const char *state)
{
        return notify(state, 0);
}

int rc_notify_nowait(const char *state)
{
        return notify(state, MSG_DONTWAIT);
}

/* The value a key may carry: "1" only, digits only, or text. */
enum value_kind { VALUE_ONE, VALUE_NUMBER, VALUE_TEXT, VALUE_WATCHDOG };

static const struct {
        const char *key;
        enum value_kind kind;
} relayed[] = {
        { "READY", VALUE_ONE },          { "STOPPING", VALUE_ONE },         { "RELOADING", VALUE_ONE },
        { "STATUS", VALUE_TEXT },        { "ERRNO", VALUE_NUMBER },         { "BUSERROR", VALUE_TEXT },
        { "MONOTONIC_USEC", VALUE_NUMBER }, { "WATCHDOG", VALUE_WATCHDOG }, { "WATCHDOG_USEC", VALUE_NUMBER },
        { "EXTEND_TIMEOUT_USEC", VALUE_NUMBER },
};

static bool value_ok(enum value_kind kind, const char *v, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
                        return false;
        switch (kind) {
        case VALUE_ONE:
                return n == 1 && v[0] == '1';
        case VALUE_WATCHDOG:
                return (n == 1 && v[0] == '1') || (n == 7 && memcmp(v, "trigger", 7) == 0);
        case VALUE_NUMBER:
                if (n == 0 || n > 20)
                        return false;
                for (size_t i = 0; i < n; i++)
                        if (v[i] < '0' || v[i] > '9')
                                return false;
                return true;
        case VALUE_TEXT:
                return true;
        }
        return false;
}

size_t rc_notify_filter(const char *msg, size_t len, char *out, size_t cap, bool *ready)
{
        size_t kept = 0, used = 0;

        *ready = false;
        if (cap == 0)
                return 0;
        out[0] = '\0';
        for (size_t pos = 0; pos < len;) {
                const char *line = msg + pos, *eol = memchr(line, '\n', len - pos), *eq;
                size_t n = eol ? (size_t)(eol - line) : len - pos;

                pos += n + 1;
                eq = memchr(line, '=', n);
                if (eq == NULL)
                        continue;
                for (size_t i = 0; i < sizeof(relayed) / sizeof(relayed[0]); i++) {
                        size_t klen = strlen(relayed[i].key);
                        if ((size_t)(eq - line) != klen || memcmp(line, relayed[i].key, klen) != 0)
                                continue;
                        if (!value_ok(relayed[i].kind, eq + 1, n - klen - 1))
                                break;
                        if (used + (kept ? 1 : 0) + n + 1 > cap)
                                return kept; /* what fits, whole lines */
                        if (kept)
                                out[used++] = '\n';
                        memcpy(out + used, line, n);
                        used += n;
                        out[used] = '\0';
                        kept++;
                        if (strcmp(relayed[i].key, "READY") == 0)
                                *ready = true;
                        break;
                }
        }
        return kept;
}
