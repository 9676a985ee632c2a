/* Containers as systemd services: the unit text of rc generate systemd, and
 * declarative .container files (podman's Quadlet format) turned into
 * services by rc's systemd generator.  Pure text in, text out: nothing here
 * touches the store or the bus.
 *
 * How a service runs a container: ExecStart is `rc run -d --replace --rm
 * --name NAME ...` (or `rc start NAME` for an existing container) with
 * Type=notify: rc's monitor sends MAINPID=itself and READY=1 once the
 * container runs, so the unit is active only then and its main process is
 * the monitor, whose exit status is the container's.  ExecStop is
 * `rc stop`, ExecStopPost `rc rm -f` (for a monitor that was killed). */
#ifndef RC_UNITS_UNITS_H
#define RC_UNITS_UNITS_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

/* ---- unit file syntax ---- */

/* One argument as an Exec line needs it: bare when it can be, else in
 * double quotes with C escapes; % and $ doubled so systemd expands
 * neither.  Returns a new string. */
char *rc_unit_quote(const char *arg);
/* Split an Exec-style value into words (double and single quotes, C
 * escapes, whitespace between words), as systemd does.  EINVAL on an
 * unterminated quote. */
int rc_unit_split(const char *value, char ***out, rc_error **err);

/* A parsed unit file: every entry in order (keys repeat). */
struct rc_unit_entry {
        char *section, *key, *value;
        unsigned line;
};
struct rc_unit_file {
        struct rc_unit_entry *entries;
        size_t n;
};
/* systemd's syntax: [Section], Key=Value, # and ; comments, a backslash at
 * the end of a line continues it.  Errors name path and line. */
int rc_unit_parse(const char *path, const char *text, struct rc_unit_file *out, rc_error **err);
void rc_unit_file_free(struct rc_unit_file *f);

/* ---- rc generate systemd ---- */

/* The options of a command (rc run's) so that a saved command line can be
 * taken apart: which take a value. */
struct rc_cmdline_spec {
        const struct option *longopts;
        const char *shortopts; /* getopt's string ("+dite:...") */
        const struct option *global_longopts; /* rc's global options */
};

/* Split a saved `rc [GLOBAL] run|create [OPTIONS] IMAGE [ARG...]` into
 * the global options and the options, image and arguments of run, leaving
 * out those a unit sets itself: -d, --rm, --replace, --name, --sdnotify,
 * --restart (the unit's Restart= restarts it).  EINVAL if it is not
 * such a command line. */
int rc_unit_run_args(char *const *command, const struct rc_cmdline_spec *spec, char ***global, char ***run,
                     rc_error **err);

struct rc_unit_opts {
        const char *rc_path;     /* absolute path of rc */
        char *const *global;     /* global options for every rc command of the unit */
        const char *container;   /* name (or id) the commands use */
        const char *description; /* "rc container web" */
        char *const *run_args;   /* with --new: what follows `run` (options, image, arguments); else NULL */
        bool notify_container;   /* with --new: the container sends READY=1 itself (--sdnotify=container) */
        const char *restart;     /* Restart= (on-failure, always, no...) */
        int restart_sec;         /* RestartSec=; -1: not set */
        int stop_timeout;        /* seconds rc stop waits; TimeoutStopSec= is 60 more */
        const char *runroot;     /* RequiresMountsFor= */
        const char *header;      /* first comment lines ("# container-web.service\n..."), or NULL */
        char *const *wants, *const *after, *const *requires;
};
/* The unit text; a new string. */
char *rc_unit_generate(const struct rc_unit_opts *o);
/* systemd's Restart= values. */
bool rc_unit_restart_valid(const char *policy);

/* ---- .container files (Quadlet) ---- */

struct rc_quadlet {
        char *service;      /* NAME.service */
        char *text;         /* the unit */
        char **wanted_by;   /* [Install] WantedBy= and RequiredBy= targets: "default.target.wants", ... */
};
void rc_quadlet_free(struct rc_quadlet *q);

/* Turn FILE (NAME.container, its text) into NAME.service.  Keys of
 * [Container] follow podman's Quadlet names; a key rc does not know is an
 * error naming the file, line and the keys rc knows, never ignored.  Other
 * sections go into the service as they are. */
int rc_quadlet_convert(const char *path, const char *text, const char *rc_path, struct rc_quadlet *out,
                       rc_error **err);
/* The [Container] keys rc understands, for messages and docs. */
extern const char *const rc_quadlet_keys[];

#endif
