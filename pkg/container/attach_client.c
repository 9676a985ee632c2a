/* rc attach: the user's terminal (or stdio) joined to a detached
 * container through its monitor's attach socket. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "container/internal.h"
#include "util/fs.h"
#include "util/tty.h"
#include "util/xalloc.h"

int rc_detach_keys_parse(const char *spec, char *keys, size_t cap, size_t *n, rc_error **err)
{
        cleanup_free char *copy = xstrdup(spec);
        char *save = NULL;

        *n = 0;
        if (*spec == '\0')
                return 0; /* detaching is off */
        for (char *k = strtok_r(copy, ",", &save); k; k = strtok_r(NULL, ",", &save)) {
                char c;
                if (strncmp(k, "ctrl-", 5) == 0 && strlen(k) == 6) {
                        char x = k[5];
                        if (x >= 'a' && x <= 'z')
                                c = (char)(x - 'a' + 1);
                        else if (x == '@' || x == '[' || x == '\\' || x == ']' || x == '^' || x == '_')
                                c = (char)(x == '@' ? 0 : x - '@');
                        else
                                goto bad;
                } else if (strlen(k) == 1) {
                        c = k[0];
                } else {
                        goto bad;
                }
                if (*n == cap)
                        goto bad;
                keys[(*n)++] = c;
        }
        if (*n == 0)
                goto bad;
        return 0;
bad:
        return rc_error_set(err, EINVAL,
                            "--detach-keys %s: give keys separated by commas, each a letter or ctrl-LETTER "
                            "(e.g. ctrl-p,ctrl-q)",
                            spec);
}

static int send_msg(int fd, char kind, const void *data, size_t len)
{
        char msg[ATTACH_MSG_MAX];

        msg[0] = kind;
        memcpy(msg + 1, data, len);
        return send(fd, msg, len + 1, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

static void send_window_size(int sock, int tty)
{
        struct winsize ws;
        unsigned short rc[2];

        if (tty < 0 || ioctl(tty, TIOCGWINSZ, &ws) < 0)
                return;
        rc[0] = ws.ws_row;
        rc[1] = ws.ws_col;
        send_msg(sock, ATTACH_RESIZE, rc, sizeof(rc));
}

struct detach_state {
        const char *keys;
        size_t n, matched;
};

/* Pass input on, holding back a started detach sequence; true once the
 * whole sequence was typed. */
static bool input(int sock, struct detach_state *d, const char *buf, size_t len)
{
        char out[ATTACH_MSG_MAX];
        size_t o = 0;

        for (size_t i = 0; i < len; i++) {
                if (d->n && buf[i] == d->keys[d->matched]) {
                        if (++d->matched == d->n)
                                return true;
                        continue;
                }
                /* not the sequence after all: what was held back goes too */
                if (d->matched) {
                        memcpy(out + o, d->keys, d->matched);
                        o += d->matched;
                        d->matched = 0;
                        if (d->n && buf[i] == d->keys[0]) {
                                d->matched = 1;
                                continue;
                        }
                }
                out[o++] = buf[i];
                if (o + d->n + 1 >= sizeof(out) - 1) {
                        send_msg(sock, ATTACH_STDIN, out, o);
                        o = 0;
                }
        }
        if (o)
                send_msg(sock, ATTACH_STDIN, out, o);
        return false;
}

int rc_container_attach(const struct rc_config *cfg, const char *name_or_id, const struct rc_attach_opts *opts,
                        int *exit_code, rc_error **err)
{
        cleanup_store struct rc_store *s = NULL;
        struct rc_container_rec rec = { 0 };
        struct sockaddr_un addr = { .sun_family = AF_UNIX };
        cleanup_free char *path = NULL;
        cleanup_close int sock = -1, sigfd = -1;
        struct detach_state d = { 0 };
        char keys[16];
        struct rc_raw_tty raw = { .fd = -1 };
        bool stdin_open = !opts->no_stdin, done = false;
        sigset_t set;
        int r = -1;

        *exit_code = 125;
        if (rc_detach_keys_parse(opts->detach_keys ? opts->detach_keys : "ctrl-p,ctrl-q", keys, sizeof(keys), &d.n,
                                 err) < 0)
                return -1;
        d.keys = keys;
        if (rc_store_open(cfg->root, cfg->runroot, &s, err) < 0 ||
            rc_store_container_find(s, name_or_id, &rec, err) < 0)
                return -1;
        if (strcmp(rc_container_rec_status(&rec), "running") != 0) {
                rc_error_set(err, ENOTCONN, "container %s is not running: start it with rc start -a %s", rec.name,
                             rec.name);
                goto out;
        }
        path = ctr_attach_path(cfg, rec.id);
        snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
        sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        if (sock < 0 || connect(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
                rc_error_set(err, errno,
                             "attach to container %s: its monitor does not answer at %s (containers run in the "
                             "foreground cannot be attached to)",
                             rec.name, path);
                goto out;
        }
        sigemptyset(&set);
        sigaddset(&set, SIGWINCH);
        sigprocmask(SIG_BLOCK, &set, NULL);
        sigfd = signalfd(-1, &set, SFD_CLOEXEC);
        if (stdin_open && isatty(STDIN_FILENO)) {
                rc_tty_raw_enter(&raw, STDIN_FILENO);
                send_window_size(sock, STDIN_FILENO);
        }
        while (!done) {
                struct pollfd p[3] = { { .fd = sock, .events = POLLIN },
                                       { .fd = stdin_open ? STDIN_FILENO : -1, .events = POLLIN },
                                       { .fd = sigfd, .events = POLLIN } };
                char buf[ATTACH_MSG_MAX];
                ssize_t n;

                if (poll(p, 3, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        rc_error_set(err, errno, "poll");
                        goto out;
                }
                if (p[2].revents & POLLIN) {
                        struct signalfd_siginfo si;
                        if (read(sigfd, &si, sizeof(si)) > 0)
                                send_window_size(sock, STDIN_FILENO);
                }
                if (p[1].revents) {
                        n = read(STDIN_FILENO, buf, sizeof(buf) - 1);
                        if (n > 0 && input(sock, &d, buf, (size_t)n)) {
                                *exit_code = 0; /* detached: the container goes on */
                                r = 0;
                                goto out;
                        }
                        if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
                                send_msg(sock, ATTACH_STDIN_EOF, "", 0);
                                stdin_open = false;
                        }
                }
                if (p[0].revents) {
                        n = recv(sock, buf, sizeof(buf), 0);
                        if (n <= 0) {
                                done = true;
                                break;
                        }
                        if (buf[0] == ATTACH_STDOUT || buf[0] == ATTACH_STDERR) {
                                rc_write_all(buf[0] == ATTACH_STDOUT ? STDOUT_FILENO : STDERR_FILENO, buf + 1,
                                             (size_t)n - 1);
                        } else if (buf[0] == ATTACH_EXIT && n == 1 + (ssize_t)sizeof(int)) {
                                memcpy(exit_code, buf + 1, sizeof(int));
                                r = 0;
                                done = true;
                        }
                }
        }
        if (r < 0) {
                /* the monitor went away without a status: the record has it */
                rc_tty_raw_leave(&raw);
                r = rc_container_wait(cfg, rec.id, exit_code, err);
        }
out:
        rc_tty_raw_leave(&raw);
        rc_container_rec_free(&rec);
        return r;
}
