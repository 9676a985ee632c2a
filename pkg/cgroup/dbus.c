/* Just enough of D-Bus to ask the systemd user manager for a scope on its
 * own socket ($XDG_RUNTIME_DIR/systemd/private): SASL EXTERNAL, method
 * calls with the few types StartTransientUnit, StopUnit and
 * ResetFailedUnit take, their replies and errors, and JobRemoved signals.
 *
 * Why not sd-bus here: this runs in every rc run, and loading libsystemd
 * (with libgcrypt, liblzma, liblz4, libcap...) cost more than the whole
 * exchange with the manager (3.5 ms against ~1 ms measured on the test
 * machine).  A direct connection has no broker: no Hello, no match rules,
 * and the manager sends its signals to every direct client.  Everything
 * else (a manager reached only through a user bus, rc update, rc system
 * check) uses sd-bus. */
#include <endian.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "cgroup/internal.h"
#include "util/xalloc.h"

#define MSG_MAX (1 << 20) /* what the manager sends is a few KiB; more is garbage */
#if __BYTE_ORDER == __LITTLE_ENDIAN
#define ENDIAN 'l'
#else
#define ENDIAN 'B'
#endif

enum { T_CALL = 1, T_RETURN = 2, T_ERROR = 3, T_SIGNAL = 4 };
enum { F_PATH = 1, F_INTERFACE = 2, F_MEMBER = 3, F_ERROR_NAME = 4, F_REPLY_SERIAL = 5, F_DESTINATION = 6,
       F_SENDER = 7, F_SIGNATURE = 8 };

/* ---- writing ---- */

struct buf {
        unsigned char *p;
        size_t len, cap;
};

static void put(struct buf *b, const void *data, size_t n)
{
        if (b->len + n > b->cap) {
                b->cap = (b->len + n) * 2 + 256;
                b->p = xrealloc(b->p, b->cap);
        }
        memcpy(b->p + b->len, data, n);
        b->len += n;
}

static void align(struct buf *b, size_t a)
{
        static const unsigned char zero[8];

        put(b, zero, (a - b->len % a) % a);
}

static void put_u8(struct buf *b, uint8_t v)
{
        put(b, &v, 1);
}

static void put_u32(struct buf *b, uint32_t v)
{
        align(b, 4);
        put(b, &v, 4);
}

static void put_u64(struct buf *b, uint64_t v)
{
        align(b, 8);
        put(b, &v, 8);
}

static void put_str(struct buf *b, const char *s)
{
        put_u32(b, (uint32_t)strlen(s));
        put(b, s, strlen(s) + 1);
}

static void put_sig(struct buf *b, const char *s)
{
        put_u8(b, (uint8_t)strlen(s));
        put(b, s, strlen(s) + 1);
}

/* An array: its length (the bytes of its elements, not the padding
 * before the first) is patched in by array_end. */
struct array {
        size_t len_at, start;
};

static struct array array_begin(struct buf *b, size_t elem_align)
{
        struct array a;

        put_u32(b, 0);
        a.len_at = b->len - 4;
        align(b, elem_align); /* present even when the array is empty */
        a.start = b->len;
        return a;
}

static void array_end(struct buf *b, struct array a)
{
        uint32_t n = (uint32_t)(b->len - a.start);

        memcpy(b->p + a.len_at, &n, 4);
}

static void prop_head(struct buf *b, const char *name, const char *sig)
{
        align(b, 8); /* a struct */
        put_str(b, name);
        put_sig(b, sig);
}

static void prop_s(struct buf *b, const char *name, const char *v)
{
        prop_head(b, name, "s");
        put_str(b, v);
}

static void prop_b(struct buf *b, const char *name, bool v)
{
        prop_head(b, name, "b");
        put_u32(b, v);
}

static void prop_t(struct buf *b, const char *name, uint64_t v)
{
        prop_head(b, name, "t");
        put_u64(b, v);
}

static void prop_au(struct buf *b, const char *name, uint32_t v)
{
        struct array at;

        prop_head(b, name, "au");
        at = array_begin(b, 4);
        put_u32(b, v);
        array_end(b, at);
}

/* ---- the connection ---- */

struct cg_dbus {
        int fd;
        char *path;
        bool ready;        /* the handshake is done */
        uint32_t serial;
        unsigned char *in; /* bytes read, not yet taken */
        size_t in_len;
        char **removed;    /* job paths of JobRemoved signals seen, "PATH\nRESULT" */
};

static int64_t now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read at least `want` bytes into c->in before the deadline. */
static int fill(struct cg_dbus *c, size_t want, int64_t deadline, rc_error **err)
{
        while (c->in_len < want) {
                struct pollfd p = { .fd = c->fd, .events = POLLIN };
                size_t cap = want > c->in_len + 4096 ? want : c->in_len + 4096;
                int64_t left = deadline - now_ms();
                ssize_t n;

                if (left <= 0)
                        return rc_error_set(err, ETIMEDOUT, "the systemd user manager did not answer");
                if (poll(&p, 1, (int)left) < 0 && errno != EINTR)
                        return rc_error_set(err, errno, "poll the systemd user manager's socket");
                c->in = xrealloc(c->in, cap);
                n = recv(c->fd, c->in + c->in_len, cap - c->in_len, MSG_DONTWAIT);
                if (n == 0)
                        return rc_error_set(err, ECONNRESET, "the systemd user manager closed the connection");
                if (n < 0 && errno != EAGAIN && errno != EINTR)
                        return rc_error_set(err, errno, "read from the systemd user manager");
                if (n > 0)
                        c->in_len += (size_t)n;
        }
        return 0;
}

static void consume(struct cg_dbus *c, size_t n)
{
        memmove(c->in, c->in + n, c->in_len - n);
        c->in_len -= n;
}

void cg_dbus_close(struct cg_dbus *c)
{
        if (c == NULL)
                return;
        if (c->fd >= 0)
                close(c->fd);
        free(c->path);
        free(c->in);
        strv_free(c->removed);
        free(c);
}

int cg_dbus_open(const char *path, struct cg_dbus **out, rc_error **err)
{
        /* the whole handshake in one write, as sd-bus sends it: the uid
         * comes from the socket's credentials (rc may be in a user
         * namespace, where its own uid reads 0) */
        static const char auth[] = "\0AUTH EXTERNAL\r\nDATA\r\nBEGIN\r\n";
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        struct cg_dbus *c = xcalloc(1, sizeof(*c));

        c->fd = -1;
        c->path = xstrdup(path);
        if (strlen(path) >= sizeof(sa.sun_path)) {
                cg_dbus_close(c);
                return rc_error_set(err, ENAMETOOLONG, "%s", path);
        }
        strcpy(sa.sun_path, path);
        c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
            send(c->fd, auth, sizeof(auth) - 1, MSG_NOSIGNAL) != (ssize_t)(sizeof(auth) - 1)) {
                int saved = errno;
                cg_dbus_close(c);
                return rc_error_set(err, saved, "connect to the systemd user manager on %s", path);
        }
        *out = c;
        return 0;
}

/* The manager's answer to the handshake: "DATA\r\n" then "OK <guid>\r\n". */
static int authenticated(struct cg_dbus *c, rc_error **err)
{
        int64_t deadline = now_ms() + 10000;

        while (!c->ready) {
                unsigned char *crlf;
                if (fill(c, c->in_len + 1, deadline, err) < 0)
                        return rc_error_wrap(err, "%s", c->path);
                while (!c->ready && (crlf = memmem(c->in, c->in_len, "\r\n", 2)) != NULL) {
                        size_t n = (size_t)(crlf - c->in) + 2;
                        bool ok = n >= 4 && memcmp(c->in, "OK ", 3) == 0;
                        bool data = n == 6 && memcmp(c->in, "DATA", 4) == 0;
                        if (!ok && !data)
                                return rc_error_set(err, EACCES, "the systemd user manager on %s refused rc: %.*s",
                                                    c->path, (int)(n - 2), c->in);
                        consume(c, n);
                        c->ready = ok;
                }
        }
        return 0;
}

int cg_dbus_connect(const char *path, struct cg_dbus **out, rc_error **err)
{
        struct cg_dbus *c;

        if (cg_dbus_open(path, &c, err) < 0)
                return -1;
        if (authenticated(c, err) < 0) {
                cg_dbus_close(c);
                return -1;
        }
        *out = c;
        return 0;
}

/* ---- reading ---- */

struct msg {
        uint8_t type;
        uint32_t reply_serial;
        const char *member, *error_name, *signature;
        const unsigned char *body, *end;
};

static size_t pad(size_t off, size_t a)
{
        return (a - off % a) % a;
}

/* A string (or object path) at *off of [base, end), aligned 4. */
static const char *get_str(const unsigned char *base, size_t *off, size_t end)
{
        uint32_t n;
        const char *s;

        *off += pad(*off, 4);
        if (*off + 4 > end)
                return NULL;
        memcpy(&n, base + *off, 4);
        *off += 4;
        if (n > end - *off - 1 || base[*off + n] != '\0')
                return NULL;
        s = (const char *)base + *off;
        *off += n + 1;
        return s;
}

/* Take one message from the buffer (the caller frees *raw after use). */
static int next_message(struct cg_dbus *c, int64_t deadline, struct msg *m, unsigned char **raw, rc_error **err)
{
        uint32_t body_len, fields_len;
        size_t total, off, fields_end;
        unsigned char *p;

        if (fill(c, 16, deadline, err) < 0)
                return -1;
        if (c->in[0] != ENDIAN || c->in[3] != 1)
                return rc_error_set(err, EPROTO, "the systemd user manager sent a message rc cannot read");
        memcpy(&body_len, c->in + 4, 4);
        memcpy(&fields_len, c->in + 12, 4);
        if (body_len > MSG_MAX || fields_len > MSG_MAX)
                return rc_error_set(err, EPROTO, "the systemd user manager sent an oversized message");
        fields_end = 16 + fields_len;
        total = fields_end + pad(fields_end, 8) + body_len;
        if (fill(c, total, deadline, err) < 0)
                return -1;
        p = xmalloc(total);
        memcpy(p, c->in, total);
        consume(c, total);
        memset(m, 0, sizeof(*m));
        m->type = p[1];
        for (off = 16; off < fields_end;) {
                uint8_t code, siglen;
                char sig;
                off += pad(off, 8);
                if (off + 3 > fields_end)
                        break;
                code = p[off++];
                siglen = p[off++];
                if (siglen != 1 || off + 2 > fields_end)
                        break;
                sig = (char)p[off];
                off += 2;
                if (sig == 'u') {
                        uint32_t v;
                        off += pad(off, 4);
                        if (off + 4 > fields_end)
                                break;
                        memcpy(&v, p + off, 4);
                        off += 4;
                        if (code == F_REPLY_SERIAL)
                                m->reply_serial = v;
                } else if (sig == 's' || sig == 'o') {
                        const char *s = get_str(p, &off, fields_end);
                        if (s == NULL)
                                break;
                        if (code == F_MEMBER)
                                m->member = s;
                        else if (code == F_ERROR_NAME)
                                m->error_name = s;
                } else if (sig == 'g') {
                        uint8_t n = off < fields_end ? p[off] : 0;
                        if (off + 1 + n + 1 > fields_end)
                                break;
                        if (code == F_SIGNATURE)
                                m->signature = (const char *)p + off + 1;
                        off += 1 + (size_t)n + 1;
                } else {
                        break; /* nothing rc needs comes in other types */
                }
        }
        m->body = p + fields_end + pad(fields_end, 8);
        m->end = p + total;
        *raw = p;
        return 0;
}

/* Remember a JobRemoved signal ("uoss": id, job, unit, result). */
static void note_signal(struct cg_dbus *c, const struct msg *m)
{
        size_t off = 4, len = (size_t)(m->end - m->body);
        const char *job, *result;

        if (m->member == NULL || strcmp(m->member, "JobRemoved") != 0 || m->signature == NULL ||
            strcmp(m->signature, "uoss") != 0)
                return;
        job = get_str(m->body, &off, len);
        if (job == NULL || get_str(m->body, &off, len) == NULL || (result = get_str(m->body, &off, len)) == NULL)
                return;
        if (c->removed == NULL)
                c->removed = xcalloc(1, sizeof(char *));
        {
                cleanup_free char *entry = xasprintf("%s\n%s", job, result);
                strv_push(&c->removed, entry);
        }
}

/* ---- calls ---- */

static struct buf header(uint32_t serial, const char *member, const char *signature, uint32_t body_len)
{
        struct buf h = { 0 };
        struct array at;

        put_u8(&h, ENDIAN);
        put_u8(&h, T_CALL);
        put_u8(&h, 0);
        put_u8(&h, 1);
        put_u32(&h, body_len);
        put_u32(&h, serial);
        at = array_begin(&h, 8);
        align(&h, 8);
        put_u8(&h, F_PATH);
        put_sig(&h, "o");
        put_str(&h, "/org/freedesktop/systemd1");
        align(&h, 8);
        put_u8(&h, F_INTERFACE);
        put_sig(&h, "s");
        put_str(&h, "org.freedesktop.systemd1.Manager");
        align(&h, 8);
        put_u8(&h, F_MEMBER);
        put_sig(&h, "s");
        put_str(&h, member);
        align(&h, 8);
        put_u8(&h, F_DESTINATION);
        put_sig(&h, "s");
        put_str(&h, "org.freedesktop.systemd1");
        align(&h, 8);
        put_u8(&h, F_SIGNATURE);
        put_sig(&h, "g");
        put_sig(&h, signature);
        array_end(&h, at);
        align(&h, 8);
        return h;
}

/* Call member with body (of signature) and wait for its reply: a job path
 * (when the reply is "o") into *job.  *error_name: the D-Bus error's name on
 * failure (may be NULL). */
static int cg_dbus_call(struct cg_dbus *c, const char *member, const char *signature, const struct buf *body, char **job,
                 char *error_name, size_t len, rc_error **err)
{
        struct buf h;
        struct iovec iov[2];
        struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
        int64_t deadline = now_ms() + 30000;
        ssize_t n;

        if (!c->ready && authenticated(c, err) < 0)
                return -1;
        h = header(++c->serial, member, signature, (uint32_t)body->len);
        iov[0] = (struct iovec){ h.p, h.len };
        iov[1] = (struct iovec){ body->p, body->len };
        n = sendmsg(c->fd, &mh, MSG_NOSIGNAL);
        free(h.p);
        if (error_name && len)
                error_name[0] = '\0';
        if (n != (ssize_t)(iov[0].iov_len + iov[1].iov_len))
                return rc_error_set(err, n < 0 ? errno : EIO, "%s: send to the systemd user manager", member);
        for (;;) {
                cleanup_free unsigned char *raw = NULL;
                struct msg m;
                if (next_message(c, deadline, &m, &raw, err) < 0)
                        return rc_error_wrap(err, "%s", member);
                if (m.type == T_SIGNAL) {
                        note_signal(c, &m);
                        continue;
                }
                if (m.reply_serial != c->serial)
                        continue;
                if (m.type == T_ERROR) {
                        size_t off = 0;
                        const char *text = m.signature && m.signature[0] == 's'
                                                   ? get_str(m.body, &off, (size_t)(m.end - m.body))
                                                   : NULL;
                        if (error_name && len && m.error_name)
                                snprintf(error_name, len, "%s", m.error_name);
                        return rc_error_code(err, EIO, "%s: %s", member,
                                             text ? text : m.error_name ? m.error_name : "failed");
                }
                if (job) {
                        size_t off = 0;
                        const char *path = m.signature && !strcmp(m.signature, "o")
                                                   ? get_str(m.body, &off, (size_t)(m.end - m.body))
                                                   : NULL;
                        if (path == NULL)
                                return rc_error_set(err, EPROTO, "%s: the reply names no job", member);
                        *job = xstrdup(path);
                }
                return 0;
        }
}

/* Wait for the job's JobRemoved; 0 if its result is "done". */
static int cg_dbus_wait_job(struct cg_dbus *c, const char *job, const char *what, rc_error **err)
{
        int64_t deadline = now_ms() + 30000;
        size_t n = strlen(job);

        for (;;) {
                cleanup_free unsigned char *raw = NULL;
                struct msg m;
                for (size_t i = 0; c->removed && c->removed[i]; i++) {
                        const char *e = c->removed[i];
                        if (strncmp(e, job, n) == 0 && e[n] == '\n') {
                                if (strcmp(e + n + 1, "done") != 0)
                                        return rc_error_code(err, EIO, "%s: the systemd user manager's job ended "
                                                                       "with \"%s\"",
                                                             what, e + n + 1);
                                return 0;
                        }
                }
                if (next_message(c, deadline, &m, &raw, err) < 0)
                        return rc_error_wrap(err, "%s", what);
                if (m.type == T_SIGNAL)
                        note_signal(c, &m);
        }
}

/* ---- the requests of the systemd backend ---- */

int cg_dbus_start_scope(struct cg_dbus *c, const char *name, const char *description, pid_t pid,
                        const struct rc_cgroup_limits *l, bool swap, char *error_name, size_t len, rc_error **err)
{
        static const char *const accounting[] = { "MemoryAccounting", "TasksAccounting", "CPUAccounting",
                                                  "IOAccounting" };
        struct rc_cgroup_setting s[RC_CGROUP_MAX_SETTINGS];
        size_t n = rc_cgroup_settings(l, swap, s);
        struct array at;
        cleanup_free char *job = NULL;
        struct buf b = { 0 };
        int r;

        put_str(&b, name);
        put_str(&b, "fail");
        at = array_begin(&b, 8);
        prop_s(&b, "Description", description);
        prop_au(&b, "PIDs", (uint32_t)pid);
        prop_b(&b, "Delegate", true);
        prop_s(&b, "CollectMode", "inactive-or-failed");
        for (size_t i = 0; i < 4; i++)
                prop_b(&b, accounting[i], true);
        for (size_t i = 0; i < n; i++)
                prop_t(&b, s[i].property, s[i].prop_value);
        array_end(&b, at);
        at = array_begin(&b, 8); /* no auxiliary units */
        array_end(&b, at);
        r = cg_dbus_call(c, "StartTransientUnit", "ssa(sv)a(sa(sv))", &b, &job, error_name, len, err);
        free(b.p);
        if (r < 0)
                return -1;
        return cg_dbus_wait_job(c, job, name, err);
}

int cg_dbus_stop_unit(struct cg_dbus *c, const char *name, rc_error **err)
{
        cleanup_free char *job = NULL;
        char error_name[128];
        struct buf b = { 0 };
        int r;

        put_str(&b, name);
        put_str(&b, "replace");
        r = cg_dbus_call(c, "StopUnit", "ss", &b, &job, error_name, sizeof(error_name), err);
        free(b.p);
        if (r < 0) {
                if (strcmp(error_name, "org.freedesktop.systemd1.NoSuchUnit") != 0)
                        return -1;
                rc_error_free(*err);
                *err = NULL;
                return 0;
        }
        if (cg_dbus_wait_job(c, job, name, err) < 0)
                return -1;
        b = (struct buf){ 0 };
        put_str(&b, name);
        /* a scope that failed stays loaded until reset; errors do not matter */
        if (cg_dbus_call(c, "ResetFailedUnit", "s", &b, NULL, NULL, 0, err) < 0) {
                rc_error_free(*err);
                *err = NULL;
        }
        free(b.p);
        return 0;
}
