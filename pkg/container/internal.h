/* Internal to pkg/container: one container's way from record to process.
 *
 *   create   image, record (state created), directory, /etc files, create.json
 *   prepare  root file system mounted, runtime spec built, config.json
 *   start    foreground: rc itself waits; detached: a monitor process is
 *            forked that outlives the command (monitor.c)
 */
#ifndef RC_CONTAINER_INTERNAL_H
#define RC_CONTAINER_INTERNAL_H

#include <poll.h>
#include <stdbool.h>

#include "container/container.h"
#include "mount/mount.h"
#include "net/net.h"
#include "seccomp/seccomp.h"
#include "store/store.h"
#include "util/log.h"
#include "util/poll.h"

struct ctr_state {
        const struct rc_config *cfg;
        const struct rc_run_opts *opts;
        struct rc_store *store;      /* NULL in a monitor between its writes */
        struct rc_image image;
        struct rc_image_config image_config;
        struct rc_container_rec rec;
        char *dir;                   /* STORE/containers/ID: what lasts */
        char *run_dir;               /* RUNROOT/containers/ID: what a start makes again */
        bool recorded;               /* the record exists */
        enum rc_storage_driver driver;
        struct rc_rootfs rootfs;
        struct rc_spec spec;
        struct rc_seccomp_profile *seccomp; /* NULL: unconfined */
        char hostname[65];
        bool host_network;
        struct rc_net_opts net;      /* the network: defaults, rootless.conf, --network */
        struct rc_net_port *ports;   /* -p (and -P at start), parsed */
        size_t n_ports;
        struct rc_spec_tap tap;      /* slirp: the container's end (spec.tap points here) */
        struct rc_net_bound bound;   /* ports bound on the host while it runs */
        struct rc_net *netrun;       /* the running network's loop */
        struct rc_cgroup_manager *cgroups; /* chosen and checked against the limits by ctr_check_opts */
        struct rc_cgroup *cgroup;          /* the running container's; NULL: none (yet) */
        bool skip_cgroups;                 /* only reading it (inspect): no manager, no check */
        struct rc_timer timer;
        struct rc_mount_req *mounts; /* the user's and the image's, volumes named (create.json has them) */
        size_t n_mounts;
        char **new_volumes;          /* anonymous volumes this create made, until the record holds them */
};

/* mounts.c */
/* create: the user's mounts and the image's VOLUMEs (as anonymous volumes
 * where no user mount covers them) into st->mounts; volumes looked up,
 * named ones made on first use, anonymous ones made now. */
int ctr_resolve_mounts(struct ctr_state *st, rc_error **err);
/* A create that failed before its record: the anonymous volumes it made go. */
void ctr_remove_new_volumes(struct ctr_state *st);
/* Does a mount of the user's (or the image's) land exactly on dest? */
bool ctr_mount_covered(const struct ctr_state *st, const char *dest);
/* Does a bind, a volume or a read-only tmpfs of the user's hold dest (at
 * it or a parent)?  rc's own files are not bound there then: their mount
 * points would be made in the user's directory (-v /srv/etc:/etc) or
 * volume, or could not be made at all. */
bool ctr_mount_shadows(const struct ctr_state *st, const char *dest);
/* prepare: rc's defaults that a user's mount replaces go; --read-only's tmpfs */
void ctr_spec_default_mounts(struct ctr_state *st);
/* prepare: st->mounts into the spec, parents before children */
int ctr_spec_user_mounts(struct ctr_state *st, rc_error **err);
/* prepare: each volume's first use (owner, mode, the image's files) */
int ctr_volumes_first_use(struct ctr_state *st, rc_error **err);
/* Before anything exists: duplicate destinations, host paths that are not there. */
int ctr_check_mounts(const struct rc_run_opts *o, rc_error **err);
void ctr_spec_bind(struct rc_spec *spec, const char *source, const char *dest);

/* security.c */
/* caps, --privileged, masks, --ulimit, --read-only, --init */
int ctr_spec_security(struct ctr_state *st, rc_error **err);
/* --group-add, against the image's /etc/group */
int ctr_spec_groups(struct ctr_state *st, rc_error **err);
/* --userns=keep-id: the mappings, the user (and a passwd/group entry for it) */
int ctr_spec_keep_id(struct ctr_state *st, struct rc_container_user *u, rc_error **err);

/* files.c: read a file of the image's root (etc/passwd...) without letting
 * a symlink of the image point outside it; missing: *out = NULL. */
int ctr_read_in_root(const char *root, const char *path, char **out, rc_error **err);
int ctr_resolve_user(const char *root, const char *spec, struct rc_container_user *user, rc_error **err);
/* network.c: /etc/hostname, /etc/hosts, /etc/resolv.conf for the
 * container, and /run/.containerenv (empty, as podman leaves it for
 * containers that are not privileged) */
int ctr_write_etc_files(struct ctr_state *st, rc_error **err);
/* check: the network mode, ports and DNS options (st->net, st->ports) */
int ctr_net_check(struct ctr_state *st, rc_error **err);
/* prepare: the tap of the spec (slirp) */
void ctr_net_spec(struct ctr_state *st);
/* Before the process starts: libslirp loaded, -P, ports bound (a taken
 * one fails here).  Once it runs: the loop, with the tap the child sent
 * (proc->tap is taken).  When it exited: the loop stopped (ctr_net_end);
 * when it is done for good: the ports released too (ctr_net_release). */
int ctr_net_begin(struct ctr_state *st, rc_error **err);
int ctr_net_started(struct ctr_state *st, struct rc_container_proc *proc, rc_error **err);
void ctr_net_end(struct ctr_state *st);
void ctr_net_release(struct ctr_state *st);
void ctr_write_exit_file(const struct ctr_state *st, int exit_code);
/* --privileged: /run/.containerenv says so, with the engine and names */
int ctr_write_containerenv(const struct ctr_state *st, rc_error **err);
/* st->run_dir with the files above: made at create, and again by a start
 * after the machine cleared the run root (a reboot). */
int ctr_run_dir_ensure(struct ctr_state *st, rc_error **err);
/* The running container's config.json: in its run directory, or in its
 * store directory when an rc that kept it there started it. */
char *ctr_config_path(const char *run_dir, const char *dir);

/* cgroups.c: put the container's process in its cgroup (the runtime's
 * spec->created hook, set by ctr_prepare when a manager is in use), and let
 * go of the cgroup once the process is gone (OOM kills are noted first). */
int ctr_cgroup_place(void *st, pid_t pid, rc_error **err);
void ctr_cgroup_done(struct ctr_state *st);

/* create.c */
int ctr_check_opts(struct ctr_state *st, rc_error **err);
/* What only a new container is refused for: an existing --cidfile. */
int ctr_check_new(struct ctr_state *st, rc_error **err);
int ctr_create(struct ctr_state *st, pid_t monitor, rc_error **err);
/* Load an existing container (record, saved options, image) for start. */
int ctr_load(struct ctr_state *st, const char *name_or_id, struct rc_saved_opts *saved, rc_error **err);

/* start.c */
int ctr_prepare(struct ctr_state *st, rc_error **err);
/* The image's layer directories and blobs, base first (for rc_rootfs_mount). */
int ctr_layer_paths(struct ctr_state *st, char ***dirs, char ***blobs, rc_error **err);
/* Unmount, forget the spec; remove the container when `remove`. */
void ctr_teardown(struct ctr_state *st, bool remove);
void ctr_state_free(struct ctr_state *st);
/* Open the store for a write if it is not open; warn (never fail) on error. */
struct rc_store *ctr_store(struct ctr_state *st);

/* monitor.c: the container's output, its exit, restarts. */
struct ctr_monitor {
        struct ctr_state *st;
        bool foreground;         /* rc run without -d: copy output to rc's own stdout/stderr */
        int stdin_fd;            /* foreground -i: rc's stdin, else -1 */
        bool stopped;            /* out: it ended because it was asked to (rc stop/kill, a signal to the monitor) */
};
/* Tell a service manager that started rc (Type=notify) that the container
 * runs and that this process is the one to watch (per --sdnotify). */
void ctr_notify_ready(const struct ctr_state *st);
/* Start the container process and look after it until it is done for good
 * (its restart policy says so).  *exit_code: its last status.  Once the
 * container runs, "running" is reported on *report_fd (then closed); if
 * it never ran, *report_fd stays open for the caller to report the error
 * after cleaning up. */
int ctr_monitor_run(struct ctr_monitor *m, int *report_fd, int *exit_code, rc_error **err);

/* health.c: the state file's start (status starting, the log kept), and
 * the monitor's timer, an rc_poll_source (util/poll.h): every interval a
 * new `rc healthcheck run ID` (one at a time), reaped through its pidfd.
 * That process applies --health-on-failure itself; for restart it leaves
 * the file ctr_health_restart_path(dir) for the monitor to find when the
 * container's process is gone (it then restarts whatever the policy). */
int ctr_health_init(const char *dir, rc_error **err);
char *ctr_health_restart_path(const char *dir);
struct ctr_health_timer {
        struct ctr_state *st;
        struct rc_health_config config; /* test NULL: no check, nothing polled */
        int tfd;                        /* the interval's timerfd, or -1 */
        pid_t child;                    /* the check being run, or 0 */
        int child_pidfd;
        bool startup_done;              /* its startup check passed (or it has none) */
};
#define CTR_HEALTH_FDS 2
void ctr_health_timer_start(struct ctr_health_timer *h, struct ctr_state *st);
struct rc_poll_source ctr_health_source(struct ctr_health_timer *h);
void ctr_health_timer_stop(struct ctr_health_timer *h);

/* sdnotify.c: --sdnotify=container under a service manager: the socket
 * the container says READY=1 to, relayed by its monitor. */
struct ctr_notify_relay {
        int fd; /* -1: nothing to relay */
};
bool ctr_notify_relayed(const struct ctr_state *st);
/* build_spec: the socket's directory bound at /run/notify, $NOTIFY_SOCKET */
int ctr_notify_spec(struct ctr_state *st, rc_error **err);
/* The monitor, before the container first starts: its socket, bound. */
int ctr_notify_relay_open(struct ctr_notify_relay *r, const struct ctr_state *st, rc_error **err);
void ctr_notify_relay_close(struct ctr_notify_relay *r);
struct rc_poll_source ctr_notify_relay_source(struct ctr_notify_relay *r);

/* What a detached monitor tells the command that started it, once. */
struct ctr_report {
        int status; /* 0: running; -1: failed */
        int exit_code;
        int errnum;
        char msg[1024];
};
/* Write it (with e's message for a failure) and close *fd; no-op if -1. */
void ctr_report_send(int *fd, int status, int exit_code, const rc_error *e);

/* Start detached: fork a monitor (setsid, its own store connection) and
 * return once the container runs, or with the error it met. */
int ctr_start_detached(struct ctr_state *st, int *exit_code, rc_error **err);

/* attach.c: the socket rc attach connects to (see attach.c for the protocol). */
enum { ATTACH_STDOUT = 'o', ATTACH_STDERR = 'e', ATTACH_EXIT = 'x', ATTACH_STDIN = 'i', ATTACH_STDIN_EOF = 'c',
       ATTACH_RESIZE = 'w' };
#define ATTACH_MSG_MAX 32768
#define ATTACH_MAX_CLIENTS 16
struct ctr_attach {
        int listen_fd;
        int clients[ATTACH_MAX_CLIENTS];
        size_t n;
        char *path;
};
char *ctr_attach_path(const struct rc_config *cfg, const char *id);
int ctr_attach_listen(struct ctr_attach *a, const struct rc_config *cfg, const char *id, rc_error **err);
void ctr_attach_close(struct ctr_attach *a);
size_t ctr_attach_fill(struct ctr_attach *a, struct pollfd *p, size_t cap);
/* Accept clients, pass their input to input_fd and window sizes to
 * tty_fd; true when a client ended the input. */
bool ctr_attach_dispatch(struct ctr_attach *a, const struct pollfd *p, size_t n, int input_fd, int tty_fd);
void ctr_attach_send(struct ctr_attach *a, char kind, const void *data, size_t len);

/* log.c: the k8s-file log ("TIMESTAMP STREAM F|P TEXT" per line). */
struct ctr_log {
        int fd;
        char *path;
        uint64_t size, max; /* max 0: no limit; beyond it ctr.log moves to ctr.log.1 */
};
int ctr_log_open(struct ctr_log *l, const char *dir, uint64_t max, rc_error **err);
/* One record; partial: the line goes on in the next record. */
void ctr_log_write(struct ctr_log *l, const char *stream, const char *text, size_t len, bool partial);
void ctr_log_close(struct ctr_log *l);

#endif
