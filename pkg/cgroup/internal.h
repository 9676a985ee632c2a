/* Internal to pkg/cgroup: the backends behind struct rc_cgroup_manager. */
#ifndef RC_CGROUP_INTERNAL_H
#define RC_CGROUP_INTERNAL_H

#include "cgroup/cgroup.h"

struct cg_backend;

struct rc_cgroup_manager {
        const struct cg_backend *backend;
        char *mount;       /* the cgroup v2 file system: /sys/fs/cgroup, or .../unified on a hybrid host; NULL: none */
        bool hybrid;       /* v1 hierarchies beside it */
        bool configured;   /* chosen by name, not by auto */
        char *own;         /* this process's cgroup, relative to mount ("/user.slice/...") */
        char *base;        /* absolute directory containers' cgroups go below (cgroupfs), or the user manager's
                              delegated cgroup (systemd) */
        char *controllers; /* what a container's cgroup can get */
        bool swap;         /* memory.swap.max exists: the host accounts swap */
        char *bus;         /* systemd: the socket of the user manager */
        bool bus_direct;   /* it is the manager's own socket (no message broker between) */
        void *conn;        /* systemd through a broker: the sd-bus connection, opened on first use */
        struct cg_dbus *direct; /* systemd on its own socket: rc's D-Bus connection (dbus.c) */
        uid_t uid;
        char why[640];     /* why this manager, for rc info */
};

/* One backend.  probe says whether it works here, filling m's fields, or
 * writes why not (and the fix) into `why`. */
struct cg_backend {
        enum rc_cgroup_manager_type type;
        const char *name;
        int (*probe)(struct rc_cgroup_manager *m, char *why, size_t len);
        int (*enter)(struct rc_cgroup_manager *m, const char *id, const char *description, pid_t pid,
                     const struct rc_cgroup_limits *l, struct rc_cgroup **out, rc_error **err);
        int (*update)(const struct rc_cgroup *cg, const struct rc_cgroup_limits *l, rc_error **err);
        void (*release)(struct rc_cgroup *cg);
        void (*warm)(struct rc_cgroup_manager *m); /* may be NULL */
        void (*close)(struct rc_cgroup_manager *m);
};

extern const struct cg_backend cg_systemd_backend;
extern const struct cg_backend cg_cgroupfs_backend;

/* dbus.c: the few requests of the systemd backend, on a direct connection
 * to the manager's own socket (no broker). */
struct cg_dbus;
/* Connect and send the handshake without waiting for the answer (the first
 * call waits for it): started early, it overlaps other work. */
int cg_dbus_open(const char *path, struct cg_dbus **out, rc_error **err);
/* Connect, handshake done. */
int cg_dbus_connect(const char *path, struct cg_dbus **out, rc_error **err);
void cg_dbus_close(struct cg_dbus *c);
/* StartTransientUnit of scope `name` with pid and the limits, and its job
 * waited for.  *error_name: the D-Bus error's name when the manager refused. */
int cg_dbus_start_scope(struct cg_dbus *c, const char *name, const char *description, pid_t pid,
                        const struct rc_cgroup_limits *l, bool swap, char *error_name, size_t len, rc_error **err);
/* StopUnit and its job, then ResetFailedUnit; no such unit is not an error. */
int cg_dbus_stop_unit(struct cg_dbus *c, const char *name, rc_error **err);

/* fs.c: files of a cgroup directory. */
int cg_write(const char *dir, const char *file, const char *value, rc_error **err);
/* The file's text (NUL-terminated, caller frees), or NULL. */
char *cg_read(const char *dir, const char *file);
/* Whether the space-separated list has word. */
bool cg_list_has(const char *list, const char *word);
/* Write the settings of l (those whose controller is on) into dir. */
int cg_write_limits(const char *dir, const struct rc_cgroup_limits *l, bool swap, rc_error **err);
/* Wait up to ms for cgroup.events to say `key value`. */
bool cg_wait_event(const char *dir, const char *key, const char *value, int ms);
/* The cgroup v2 path of pid ("/a/b"), or NULL. */
char *cg_path_of_pid(pid_t pid);

#endif
