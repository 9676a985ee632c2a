/* rc generate systemd: the unit that runs a container as a service. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "units/units.h"
#include "util/xalloc.h"

/* Options a generated unit sets itself (or, for --restart, leaves to
 * systemd's Restart=). */
static bool dropped(const char *name)
{
        static const char *const names[] = { "detach", "rm", "replace", "name", "sdnotify", "restart", NULL };

        for (size_t i = 0; names[i]; i++)
                if (strcmp(name, names[i]) == 0)
                        return true;
        return false;
}

static const struct option *find_long(const struct option *opts, const char *name, size_t len)
{
        for (; opts && opts->name; opts++)
                if (strlen(opts->name) == len && strncmp(opts->name, name, len) == 0)
                        return opts;
        return NULL;
}

/* The long option at argv[*i]; keeps it in *out unless it is dropped. */
static int take_long(char *const *argv, size_t *i, const struct option *opts, char ***out, rc_error **err)
{
        const char *a = argv[*i] + 2, *eq = strchr(a, '=');
        size_t len = eq ? (size_t)(eq - a) : strlen(a);
        const struct option *o = find_long(opts, a, len);
        bool drop;

        if (o == NULL)
                return rc_error_code(err, EINVAL, "unknown option %s in the command that created it", argv[*i]);
        drop = dropped(o->name);
        if (!drop)
                strv_push(out, argv[*i]);
        if (o->has_arg == required_argument && eq == NULL) {
                if (argv[*i + 1] == NULL)
                        return rc_error_code(err, EINVAL, "%s has no value in the command that created it", argv[*i]);
                (*i)++;
                if (!drop)
                        strv_push(out, argv[*i]);
        }
        (*i)++;
        return 0;
}

/* A cluster of short options ("-dit", "-e K=V", "-eK=V"). */
static int take_short(char *const *argv, size_t *i, const char *shortopts, char ***out, rc_error **err)
{
        const char *a = argv[*i] + 1;

        for (; *a; a++) {
                const char *s = strchr(shortopts, *a);
                char flag[3] = { '-', *a, '\0' };
                if (s == NULL || *a == ':' || *a == '+')
                        return rc_error_code(err, EINVAL, "unknown option -%c in the command that created it", *a);
                if (s[1] == ':') {
                        strv_push(out, flag);
                        if (a[1]) {
                                strv_push(out, a + 1);
                        } else {
                                if (argv[*i + 1] == NULL)
                                        return rc_error_code(err, EINVAL, "-%c has no value in the command that "
                                                                          "created it",
                                                             *a);
                                (*i)++;
                                strv_push(out, argv[*i]);
                        }
                        break;
                }
                if (*a != 'd') /* -d: the unit detaches it itself */
                        strv_push(out, flag);
        }
        (*i)++;
        return 0;
}

int rc_unit_run_args(char *const *command, const struct rc_cmdline_spec *spec, char ***global, char ***run,
                     rc_error **err)
{
        cleanup_strv char **g = xcalloc(1, sizeof(char *));
        cleanup_strv char **r = xcalloc(1, sizeof(char *));
        size_t i = 1;

        if (command == NULL || command[0] == NULL)
                return rc_error_code(err, EINVAL, "no command line was recorded for it");
        while (command[i] && command[i][0] == '-' && command[i][1] == '-' && command[i][2]) {
                if (take_long(command, &i, spec->global_longopts, &g, err) < 0)
                        return -1;
        }
        if (command[i] && strcmp(command[i], "container") == 0)
                i++;
        if (command[i] == NULL || (strcmp(command[i], "run") != 0 && strcmp(command[i], "create") != 0))
                return rc_error_code(err, EINVAL, "it was not created by rc run or rc create");
        i++;
        while (command[i] && command[i][0] == '-' && command[i][1]) {
                int rr;
                if (strcmp(command[i], "--") == 0) {
                        strv_push(&r, command[i++]);
                        break;
                }
                rr = command[i][1] == '-' ? take_long(command, &i, spec->longopts, &r, err)
                                          : take_short(command, &i, spec->shortopts, &r, err);
                if (rr < 0)
                        return -1;
        }
        if (command[i] == NULL)
                return rc_error_code(err, EINVAL, "the command that created it names no image");
        for (; command[i]; i++)
                strv_push(&r, command[i]);
        *global = steal_pointer(&g);
        *run = steal_pointer(&r);
        return 0;
}

bool rc_unit_restart_valid(const char *policy)
{
        static const char *const ok[] = { "no", "on-success", "on-failure", "on-abnormal", "on-watchdog", "on-abort",
                                          "always", NULL };

        for (size_t i = 0; ok[i]; i++)
                if (strcmp(policy, ok[i]) == 0)
                        return true;
        return false;
}

/* Append "KEY=rc GLOBAL WORDS..." with every word quoted as needed. */
static void exec_line(char **text, const char *key, const char *prefix, const struct rc_unit_opts *o,
                      const char *const *words, char *const *more)
{
        cleanup_free char *rc = rc_unit_quote(o->rc_path);
        char *t;

        t = xasprintf("%s%s=%s%s", *text, key, prefix, rc);
        free(*text);
        *text = t;
        for (char *const *g = o->global; g && *g; g++) {
                cleanup_free char *q = rc_unit_quote(*g);
                t = xasprintf("%s %s", *text, q);
                free(*text);
                *text = t;
        }
        for (const char *const *w = words; w && *w; w++) {
                cleanup_free char *q = rc_unit_quote(*w);
                t = xasprintf("%s %s", *text, q);
                free(*text);
                *text = t;
        }
        for (char *const *w = more; w && *w; w++) {
                cleanup_free char *q = rc_unit_quote(*w);
                t = xasprintf("%s %s", *text, q);
                free(*text);
                *text = t;
        }
        t = xasprintf("%s\n", *text);
        free(*text);
        *text = t;
}

static void append(char **text, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void append(char **text, const char *fmt, ...)
{
        va_list ap;
        char *add, *t;

        va_start(ap, fmt);
        if (vasprintf(&add, fmt, ap) < 0)
                abort();
        va_end(ap);
        t = xasprintf("%s%s", *text, add);
        free(add);
        free(*text);
        *text = t;
}

static void deps(char **text, const char *key, char *const *units)
{
        for (char *const *u = units; u && *u; u++)
                append(text, "%s=%s\n", key, *u);
}

char *rc_unit_generate(const struct rc_unit_opts *o)
{
        char *text = xstrdup(o->header ? o->header : "");
        char timeout[16];

        append(&text, "[Unit]\nDescription=%s\nDocumentation=man:rc-generate-systemd(1)\n", o->description);
        deps(&text, "Wants", o->wants);
        deps(&text, "After", o->after);
        deps(&text, "Requires", o->requires);
        if (o->runroot)
                append(&text, "RequiresMountsFor=%s\n", o->runroot);
        append(&text, "\n[Service]\nEnvironment=RC_SYSTEMD_UNIT=%%n\nRestart=%s\n", o->restart);
        if (o->restart_sec >= 0)
                append(&text, "RestartSec=%d\n", o->restart_sec);
        /* rc stop's own wait, then a minute for the monitor to finish */
        append(&text, "TimeoutStopSec=%d\n", o->stop_timeout + 60);
        snprintf(timeout, sizeof(timeout), "%d", o->stop_timeout);
        if (o->run_args) {
                const char *const start[] = { "run", "--name", o->container, "--replace", "--rm", "-d",
                                              o->notify_container ? "--sdnotify=container" : "--sdnotify=conmon",
                                              NULL };
                exec_line(&text, "ExecStart", "", o, start, o->run_args);
        } else {
                const char *const start[] = { "start", o->container, NULL };
                exec_line(&text, "ExecStart", "", o, start, NULL);
        }
        {
                const char *const stop[] = { "stop", "--ignore", "-t", timeout, o->container, NULL };
                exec_line(&text, "ExecStop", "", o, stop, NULL);
        }
        if (o->run_args) {
                /* after a monitor that was killed: ExecStop does not run then */
                const char *const rm[] = { "rm", "-f", "--ignore", o->container, NULL };
                exec_line(&text, "ExecStopPost", "-", o, rm, NULL);
        }
        /* the monitor says when the container runs and becomes the main
         * process; the container itself lives in its own scope */
        append(&text, "Type=notify\nNotifyAccess=all\n\n[Install]\nWantedBy=default.target\n");
        return text;
}
