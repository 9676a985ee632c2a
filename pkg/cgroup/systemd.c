/* The systemd manager: the user's systemd instance makes a transient scope
 * rc-<id>.scope for each container (StartTransientUnit, PIDs = the
 * container's first process, Delegate=yes, the limits as properties) and
 * rc waits for the job's JobRemoved signal before the container goes on.
 *
 * The bus is found as systemctl --user finds it: the manager's own socket
 * $XDG_RUNTIME_DIR/systemd/private first (no broker in between, and the
 * manager sends every signal to its direct clients, so no AddMatch and
 * Subscribe round trips), then $DBUS_SESSION_BUS_ADDRESS, then
 * $XDG_RUNTIME_DIR/bus.  On the manager's own socket rc's small client
 * (dbus.c) makes the scope, so rc run never loads libsystemd; through a
 * user bus, and for rc update, sd-bus does the talking. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

#include "cgroup/internal.h"
#include "dl/systemd.h"
#include "util/log.h"
#include "util/xalloc.h"

#define SD_DEST "org.freedesktop.systemd1"
#define SD_PATH "/org/freedesktop/systemd1"
#define SD_IFACE "org.freedesktop.systemd1.Manager"
#define JOB_TIMEOUT_US (30ULL * 1000000) /* a scope starts in milliseconds; this only guards a wedged manager */

static bool is_socket(const char *path)
{
        struct stat st;

        return stat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

/* The bus to the user manager, without contacting it. */
static bool find_bus(char **path, bool *direct)
{
        const char *xdg = getenv("XDG_RUNTIME_DIR");
        const char *addr = getenv("DBUS_SESSION_BUS_ADDRESS");

        if (xdg && *xdg) {
                char *p = xasprintf("%s/systemd/private", xdg);
                if (is_socket(p)) {
                        *path = p;
                        *direct = true;
                        return true;
                }
                free(p);
        }
        if (addr && strncmp(addr, "unix:path=", 10) == 0) {
                char *p = xstrndup(addr + 10, strcspn(addr + 10, ",;"));
                if (is_socket(p)) {
                        *path = p;
                        *direct = false;
                        return true;
                }
                free(p);
        }
        if (xdg && *xdg) {
                char *p = xasprintf("%s/bus", xdg);
                if (is_socket(p)) {
                        *path = p;
                        *direct = false;
                        return true;
                }
                free(p);
        }
        return false;
}

static int sd_probe(struct rc_cgroup_manager *m, char *why, size_t len)
{
        cleanup_free char *mgr = xasprintf("/user.slice/user-%u.slice/user@%u.service", (unsigned)m->uid,
                                           (unsigned)m->uid);
        cleanup_free char *ctl = NULL, *swap = NULL;
        size_t n = strlen(mgr);
        bool inside = m->own && strncmp(m->own, mgr, n) == 0 && m->own[n] == '/';

        free(m->bus);
        m->bus = NULL;
        if (!find_bus(&m->bus, &m->bus_direct)) {
                snprintf(why, len, "no systemd user manager to talk to (neither $XDG_RUNTIME_DIR/systemd/private nor "
                                   "a user bus exists; loginctl enable-linger starts one)");
                return -1;
        }
        /* The manager moves the container's process from rc's cgroup into
         * the scope.  It may do so itself inside its own tree; from outside
         * it asks the system manager, which must then be there. */
        if (!inside && access("/run/systemd/private", F_OK) < 0) {
                snprintf(why, len, "rc runs in cgroup %s, outside your user manager's %s, and no system manager runs "
                                   "that could move processes out of it",
                         m->own ? m->own : "(unknown)", mgr);
                return -1;
        }
        free(m->base);
        m->base = xasprintf("%s%s", m->mount, mgr);
        ctl = cg_read(m->base, "cgroup.controllers");
        free(m->controllers);
        m->controllers = xstrdup(ctl ? ctl : "");
        m->controllers[strcspn(m->controllers, "\n")] = '\0';
        swap = xasprintf("%s/memory.swap.max", m->base);
        m->swap = access(swap, F_OK) == 0;
        snprintf(why, len, "a scope per container from your systemd user manager on %s", m->bus);
        return 0;
}

static int bus_fail(rc_error **err, int r, const sd_bus_error *e, const char *what)
{
        if (e && e->message)
                return rc_error_code(err, -r, "%s: %s", what, e->message);
        return rc_error_set(err, -r, "%s", what);
}

static int bus_connect(const char *path, bool direct, sd_bus **out, rc_error **err)
{
        cleanup_free char *addr = xasprintf("unix:path=%s", path);
        sd_bus *bus = NULL;
        int r;

        if (rc_dl_systemd(err) < 0)
                return -1;
        if ((r = sd_bus_new(&bus)) < 0 || (r = sd_bus_set_address(bus, addr)) < 0 ||
            (r = sd_bus_set_bus_client(bus, !direct)) < 0 || (r = sd_bus_start(bus)) < 0) {
                sd_bus_unref(bus);
                return rc_error_set(err, -r, "connect to the systemd user manager on %s", path);
        }
        if (!direct) {
                /* through a broker the manager sends signals only to subscribers */
                sd_bus_error e = SD_BUS_ERROR_NULL;
                r = sd_bus_call_method(bus, SD_DEST, SD_PATH, SD_IFACE, "Subscribe", &e, NULL, "");
                if (r < 0 && !sd_bus_error_has_name(&e, "org.freedesktop.systemd1.AlreadySubscribed")) {
                        bus_fail(err, r, &e, "subscribe to the systemd user manager's signals");
                        sd_bus_error_free(&e);
                        sd_bus_flush_close_unref(bus);
                        return -1;
                }
                sd_bus_error_free(&e);
        }
        *out = bus;
        return 0;
}

struct job_wait {
        const char *path; /* the job's object path, once known */
        bool done;
        char result[32];
};

static int on_job_removed(sd_bus_message *msg, void *userdata, sd_bus_error *ret)
{
        struct job_wait *w = userdata;
        const char *path, *unit, *result;
        uint32_t id;

        (void)ret;
        if (sd_bus_message_read(msg, "uoss", &id, &path, &unit, &result) >= 0 && w->path &&
            strcmp(path, w->path) == 0) {
                w->done = true;
                snprintf(w->result, sizeof(w->result), "%s", result);
        }
        return 0;
}

static uint64_t now_us(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Process the bus until the job is removed; 0 if its result is "done". */
static int wait_job(sd_bus *bus, struct job_wait *w, const char *what, rc_error **err)
{
        uint64_t deadline = now_us() + JOB_TIMEOUT_US;

        while (!w->done) {
                int r = sd_bus_process(bus, NULL);
                uint64_t now;
                if (r < 0)
                        return rc_error_set(err, -r, "%s: the systemd user manager's connection", what);
                if (r > 0)
                        continue;
                now = now_us();
                if (now >= deadline)
                        return rc_error_set(err, ETIMEDOUT, "%s: the systemd user manager did not finish the job",
                                            what);
                r = sd_bus_wait(bus, deadline - now);
                if (r < 0)
                        return rc_error_set(err, -r, "%s: wait for the systemd user manager", what);
        }
        if (strcmp(w->result, "done") != 0)
                return rc_error_code(err, EIO, "%s: the systemd user manager's job ended with \"%s\"", what,
                                     w->result);
        return 0;
}

/* Call a Manager method returning a job and wait for it.  *unit_error: the
 * D-Bus error name when the call itself failed. */
static int job_call(sd_bus *bus, sd_bus_message *call, const char *what, char *error_name, size_t len,
                    rc_error **err)
{
        sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        sd_bus_slot *slot = NULL;
        struct job_wait w = { 0 };
        const char *job;
        int r;

        if (error_name)
                error_name[0] = '\0';
        /* matched before the call: a signal that comes with the reply is
         * queued until the job's path is known, then dispatched */
        r = sd_bus_match_signal(bus, &slot, NULL, SD_PATH, SD_IFACE, "JobRemoved", on_job_removed, &w);
        if (r < 0)
                return rc_error_set(err, -r, "%s: match JobRemoved", what);
        r = sd_bus_call(bus, call, 0, &e, &reply);
        if (r < 0) {
                if (error_name && e.name)
                        snprintf(error_name, len, "%s", e.name);
                bus_fail(err, r, &e, what);
                goto out;
        }
        r = sd_bus_message_read(reply, "o", &job);
        if (r < 0) {
                rc_error_set(err, -r, "%s: the systemd user manager's reply", what);
                goto out;
        }
        w.path = job;
        r = wait_job(bus, &w, what, err);
out:
        sd_bus_error_free(&e);
        sd_bus_message_unref(reply);
        sd_bus_slot_unref(slot);
        return r < 0 ? -1 : 0;
}

static int stop_unit(sd_bus *bus, const char *name, rc_error **err)
{
        sd_bus_message *call = NULL;
        char error_name[128];
        int r = sd_bus_message_new_method_call(bus, &call, SD_DEST, SD_PATH, SD_IFACE, "StopUnit");

        if (r >= 0)
                r = sd_bus_message_append(call, "ss", name, "replace");
        if (r < 0) {
                sd_bus_message_unref(call);
                return rc_error_set(err, -r, "stop %s", name);
        }
        r = job_call(bus, call, name, error_name, sizeof(error_name), err);
        sd_bus_message_unref(call);
        if (r < 0 && strcmp(error_name, "org.freedesktop.systemd1.NoSuchUnit") == 0) {
                rc_error_free(*err);
                *err = NULL;
                return 0;
        }
        return r;
}

static int append_limits(sd_bus_message *msg, const struct rc_cgroup_limits *l, bool swap)
{
        struct rc_cgroup_setting s[RC_CGROUP_MAX_SETTINGS];
        size_t n = rc_cgroup_settings(l, swap, s);
        int r = 0;

        for (size_t i = 0; i < n && r >= 0; i++)
                r = sd_bus_message_append(msg, "(sv)", s[i].property, "t", s[i].prop_value);
        return r;
}

static int start_scope(sd_bus *bus, const char *name, const char *description, pid_t pid,
                       const struct rc_cgroup_limits *l, bool swap, char *error_name, size_t len, rc_error **err)
{
        static const char *const accounting[] = { "MemoryAccounting", "TasksAccounting", "CPUAccounting",
                                                  "IOAccounting" };
        sd_bus_message *call = NULL;
        int r = sd_bus_message_new_method_call(bus, &call, SD_DEST, SD_PATH, SD_IFACE, "StartTransientUnit");

        if (r >= 0)
                r = sd_bus_message_append(call, "ss", name, "fail");
        if (r >= 0)
                r = sd_bus_message_open_container(call, 'a', "(sv)");
        if (r >= 0)
                r = sd_bus_message_append(call, "(sv)(sv)(sv)(sv)", "Description", "s", description, "PIDs", "au", 1,
                                          (uint32_t)pid, "Delegate", "b", 1, "CollectMode", "s",
                                          "inactive-or-failed");
        /* accounting on: rc stats reads memory.current, pids.current and
         * io.stat, which exist only where their controller is enabled */
        for (size_t i = 0; i < 4 && r >= 0; i++)
                r = sd_bus_message_append(call, "(sv)", accounting[i], "b", 1);
        if (r >= 0)
                r = append_limits(call, l, swap);
        if (r >= 0)
                r = sd_bus_message_close_container(call);
        if (r >= 0)
                r = sd_bus_message_append(call, "a(sa(sv))", 0);
        if (r < 0) {
                sd_bus_message_unref(call);
                return rc_error_set(err, -r, "build the request for %s", name);
        }
        r = job_call(bus, call, name, error_name, len, err);
        sd_bus_message_unref(call);
        return r;
}

static int sd_enter(struct rc_cgroup_manager *m, const char *id, const char *description, pid_t pid,
                    const struct rc_cgroup_limits *l, struct rc_cgroup **out, rc_error **err)
{
        cleanup_cgroup struct rc_cgroup *cg = xcalloc(1, sizeof(*cg));
        cleanup_free char *rel = NULL;
        struct rc_timer t;
        char error_name[128];
        const char *base;
        int r;

        cg->type = RC_CGROUP_SYSTEMD;
        cg->unit = xasprintf("rc-%s.scope", id);
        rc_timer_start(&t, "cgroup");
        if (m->bus_direct) {
                /* the manager's own socket: rc's small client, no libsystemd (dbus.c) */
                if (m->direct == NULL && cg_dbus_connect(m->bus, &m->direct, err) < 0)
                        return -1;
                rc_timer_phase(&t, "connect");
                r = cg_dbus_start_scope(m->direct, cg->unit, description, pid, l, m->swap, error_name,
                                        sizeof(error_name), err);
                if (r < 0 && strcmp(error_name, "org.freedesktop.systemd1.UnitExists") == 0) {
                        /* the scope of the container's previous run, not yet collected */
                        rc_error_free(*err);
                        *err = NULL;
                        if (cg_dbus_stop_unit(m->direct, cg->unit, err) < 0)
                                return -1;
                        r = cg_dbus_start_scope(m->direct, cg->unit, description, pid, l, m->swap, NULL, 0, err);
                }
        } else {
                if (m->conn == NULL && bus_connect(m->bus, m->bus_direct, (sd_bus **)&m->conn, err) < 0)
                        return -1;
                r = start_scope(m->conn, cg->unit, description, pid, l, m->swap, error_name, sizeof(error_name), err);
                if (r < 0 && strcmp(error_name, "org.freedesktop.systemd1.UnitExists") == 0) {
                        rc_error_free(*err);
                        *err = NULL;
                        if (stop_unit(m->conn, cg->unit, err) < 0)
                                return -1;
                        sd_bus_call_method(m->conn, SD_DEST, SD_PATH, SD_IFACE, "ResetFailedUnit", NULL, NULL, "s",
                                           cg->unit);
                        r = start_scope(m->conn, cg->unit, description, pid, l, m->swap, NULL, 0, err);
                }
        }
        if (r < 0)
                return rc_error_wrap(err, "put the container in systemd scope %s", cg->unit);
        rc_timer_phase(&t, "scope started");
        rel = cg_path_of_pid(pid);
        base = rel ? strrchr(rel, '/') : NULL;
        if (base == NULL || strcmp(base + 1, cg->unit) != 0)
                return rc_error_set(err, EIO, "systemd started %s, but the container's process is in %s", cg->unit,
                                    rel ? rel : "no cgroup v2 path");
        cg->path = xasprintf("%s%s", m->mount, rel);
        *out = steal_pointer(&cg);
        return 0;
}

static int sd_update(const struct rc_cgroup *cg, const struct rc_cgroup_limits *l, rc_error **err)
{
        cleanup_free char *path = NULL, *swap = xasprintf("%s/memory.swap.max", cg->path);
        sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *call = NULL;
        sd_bus *bus = NULL;
        bool direct;
        int r;

        if (!find_bus(&path, &direct))
                return rc_error_code(err, ENOENT, "update %s: no systemd user manager to talk to", cg->unit);
        if (bus_connect(path, direct, &bus, err) < 0)
                return -1;
        r = sd_bus_message_new_method_call(bus, &call, SD_DEST, SD_PATH, SD_IFACE, "SetUnitProperties");
        if (r >= 0)
                r = sd_bus_message_append(call, "sb", cg->unit, 1); /* runtime: gone with the scope */
        if (r >= 0)
                r = sd_bus_message_open_container(call, 'a', "(sv)");
        if (r >= 0)
                r = append_limits(call, l, access(swap, F_OK) == 0);
        if (r >= 0)
                r = sd_bus_message_close_container(call);
        if (r >= 0)
                r = sd_bus_call(bus, call, 0, &e, NULL);
        if (r < 0)
                bus_fail(err, r, &e, "set the limits of systemd scope");
        sd_bus_error_free(&e);
        sd_bus_message_unref(call);
        sd_bus_flush_close_unref(bus);
        return r < 0 ? rc_error_wrap(err, "%s", cg->unit) : 0;
}

static void sd_release(struct rc_cgroup *cg)
{
        /* An empty transient scope is stopped and, with
         * CollectMode=inactive-or-failed, unloaded by the manager itself: no
         * round trip at every container's end. */
        (void)cg;
}

static void sd_warm(struct rc_cgroup_manager *m)
{
        rc_error *e = NULL;

        if (!m->bus_direct || m->direct)
                return;
        if (cg_dbus_open(m->bus, &m->direct, &e) < 0)
                rc_error_free(e); /* the call tries again and reports what it meets */
}

static void sd_close(struct rc_cgroup_manager *m)
{
        if (m->conn)
                sd_bus_flush_close_unref(m->conn);
        m->conn = NULL;
        cg_dbus_close(m->direct);
        m->direct = NULL;
}

const struct cg_backend cg_systemd_backend = {
        .type = RC_CGROUP_SYSTEMD,
        .name = "systemd",
        .probe = sd_probe,
        .enter = sd_enter,
        .update = sd_update,
        .release = sd_release,
        .warm = sd_warm,
        .close = sd_close,
};
