/* NAME.container (podman's Quadlet format) -> NAME.service running
 * `rc run` with the options its [Container] section asks for. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "health/health.h"
#include "units/units.h"
#include "util/xalloc.h"

/* Keys with one rc run flag each; the value is passed as it is. */
static const struct {
        const char *key, *flag;
        bool multi; /* may repeat; else the last one counts */
} flags[] = {
        { "Entrypoint", "--entrypoint", false }, { "PublishPort", "-p", true },
        { "Volume", "-v", true },                { "WorkingDir", "-w", false },
        { "HostName", "--hostname", false },     { "Network", "--network", false },
        { "Memory", "--memory", false },         { "PidsLimit", "--pids-limit", false },
        { "StopSignal", "--stop-signal", false }, { "StopTimeout", "--stop-timeout", false },
        { "Pull", "--pull", false },             { "LogOpt", "--log-opt", true },
        { "DNS", "--dns", true },                { "DNSSearch", "--dns-search", true },
        { "DNSOption", "--dns-option", true },   { "AddHost", "--add-host", true },
        { "HealthCmd", "--health-cmd", false },  { "HealthInterval", "--health-interval", false },
        { "HealthRetries", "--health-retries", false }, { "HealthTimeout", "--health-timeout", false },
        { "HealthStartPeriod", "--health-start-period", false },
        { "HealthOnFailure", "--health-on-failure", false },
        { "HealthStartupCmd", "--health-startup-cmd", false },
        { "HealthStartupInterval", "--health-startup-interval", false },
        { "HealthStartupTimeout", "--health-startup-timeout", false },
        { "HealthStartupRetries", "--health-startup-retries", false },
        { "HealthStartupSuccess", "--health-startup-success", false },
};

const char *const rc_quadlet_keys[] = { "Image",      "ContainerName", "Exec",       "Environment", "User",
                                        "Group",      "SeccompProfile", "NoNewPrivileges", "Notify", "GlobalArgs",
                                        "RcArgs",     "PodmanArgs",     "Entrypoint", "PublishPort", "Volume",
                                        "WorkingDir", "HostName",       "Network",    "Memory",      "PidsLimit",
                                        "StopSignal", "StopTimeout",    "Pull",       "LogOpt",      "DNS",
                                        "DNSSearch",  "DNSOption",      "AddHost",    "HealthCmd",   "HealthInterval",
                                        "HealthRetries", "HealthTimeout", "HealthStartPeriod", "HealthOnFailure",
                                        "HealthStartupCmd", "HealthStartupInterval", "HealthStartupTimeout",
                                        "HealthStartupRetries", "HealthStartupSuccess", NULL };

void rc_quadlet_free(struct rc_quadlet *q)
{
        free(q->service);
        free(q->text);
        strv_free(q->wanted_by);
        memset(q, 0, sizeof(*q));
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
        t = xasprintf("%s%s", *text ? *text : "", add);
        free(add);
        free(*text);
        *text = t;
}

static bool parse_bool(const char *v, bool *out)
{
        if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcmp(v, "1") || !strcasecmp(v, "on"))
                *out = true;
        else if (!strcasecmp(v, "no") || !strcasecmp(v, "false") || !strcmp(v, "0") || !strcasecmp(v, "off"))
                *out = false;
        else
                return false;
        return true;
}

struct conv {
        const char *path;
        char **global, **args, **exec;
        char *image, *name, *user, *group;
        int stop_timeout;
        bool notify; /* Notify=true: the container says when it is ready */
};

static int unknown_key(const struct conv *c, const struct rc_unit_entry *e, rc_error **err)
{
        char known[1024] = "";
        size_t used = 0;

        for (size_t i = 0; rc_quadlet_keys[i] && used < sizeof(known); i++)
                used += (size_t)snprintf(known + used, sizeof(known) - used, "%s%s", i ? " " : "",
                                         rc_quadlet_keys[i]);
        return rc_error_code(err, EINVAL, "%s:%u: unknown key %s in [Container] (rc knows: %s)", c->path, e->line,
                             e->key, known);
}

/* Health* values checked now, as rc run would check them at every start
 * of the service. */
static int check_health_key(const struct conv *c, const struct rc_unit_entry *e, rc_error **err)
{
        cleanup_strv char **test = NULL;
        enum rc_health_action action;
        int64_t ns;
        int retries, r;

        if (*e->value == '\0')
                return 0;
        if (strcmp(e->key, "HealthCmd") == 0 || strcmp(e->key, "HealthStartupCmd") == 0)
                r = rc_health_cmd_parse(e->value, &test, err);
        else if (strcmp(e->key, "HealthStartupInterval") == 0)
                r = rc_health_duration_parse("--health-startup-interval", e->value, false, &ns, err);
        else if (strcmp(e->key, "HealthStartupTimeout") == 0)
                r = rc_health_duration_parse("--health-startup-timeout", e->value, false, &ns, err);
        else if (strcmp(e->key, "HealthStartupRetries") == 0)
                r = rc_health_retries_parse("--health-startup-retries", e->value, &retries, err);
        else if (strcmp(e->key, "HealthStartupSuccess") == 0)
                r = rc_health_retries_parse("--health-startup-success", e->value, &retries, err);
        else if (strcmp(e->key, "HealthInterval") == 0)
                r = rc_health_duration_parse("--health-interval", e->value, false, &ns, err);
        else if (strcmp(e->key, "HealthTimeout") == 0)
                r = rc_health_duration_parse("--health-timeout", e->value, false, &ns, err);
        else if (strcmp(e->key, "HealthStartPeriod") == 0)
                r = rc_health_duration_parse("--health-start-period", e->value, true, &ns, err);
        else if (strcmp(e->key, "HealthRetries") == 0)
                r = rc_health_retries_parse("--health-retries", e->value, &retries, err);
        else if (strcmp(e->key, "HealthOnFailure") == 0)
                r = rc_health_action_parse(e->value, &action, err);
        else
                return 0;
        return r < 0 ? rc_error_wrap(err, "%s:%u: %s", c->path, e->line, e->key) : 0;
}

/* One [Container] entry into the command line. */
static int container_key(struct conv *c, const struct rc_unit_entry *e, rc_error **err)
{
        cleanup_strv char **words = NULL;
        bool b;

        if (strncmp(e->key, "Health", 6) == 0 && check_health_key(c, e, err) < 0)
                return -1;

        for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
                if (strcmp(e->key, flags[i].key) != 0)
                        continue;
                if (!flags[i].multi) {
                        /* the last one counts: drop an earlier one */
                        for (size_t j = 0; c->args[j]; j++)
                                if (strcmp(c->args[j], flags[i].flag) == 0 && c->args[j + 1]) {
                                        free(c->args[j]);
                                        free(c->args[j + 1]);
                                        memmove(&c->args[j], &c->args[j + 2],
                                                (strv_len(c->args) - j - 1) * sizeof(char *));
                                        break;
                                }
                }
                if (strcmp(e->key, "StopTimeout") == 0)
                        c->stop_timeout = atoi(e->value);
                if (*e->value == '\0')
                        return 0; /* an empty value clears the key */
                strv_push(&c->args, flags[i].flag);
                strv_push(&c->args, e->value);
                return 0;
        }
        if (strcmp(e->key, "Image") == 0) {
                free(c->image);
                c->image = xstrdup(e->value);
        } else if (strcmp(e->key, "ContainerName") == 0) {
                free(c->name);
                c->name = xstrdup(e->value);
        } else if (strcmp(e->key, "User") == 0) {
                free(c->user);
                c->user = xstrdup(e->value);
        } else if (strcmp(e->key, "Group") == 0) {
                free(c->group);
                c->group = xstrdup(e->value);
        } else if (strcmp(e->key, "SeccompProfile") == 0) {
                cleanup_free char *v = xasprintf("seccomp=%s", e->value);
                strv_push(&c->args, "--security-opt");
                strv_push(&c->args, v);
        } else if (strcmp(e->key, "NoNewPrivileges") == 0) {
                if (!parse_bool(e->value, &b))
                        return rc_error_code(err, EINVAL, "%s:%u: NoNewPrivileges takes yes or no", c->path, e->line);
                /* rc sets no_new_privs for every container anyway */
        } else if (strcmp(e->key, "Notify") == 0) {
                if (!parse_bool(e->value, &b))
                        return rc_error_code(err, EINVAL,
                                             "%s:%u: Notify=%s: takes yes (the container sends READY=1 to "
                                             "$NOTIFY_SOCKET itself) or no (rc's monitor says so once it runs)",
                                             c->path, e->line, e->value);
                c->notify = b;
        } else if (strcmp(e->key, "Exec") == 0 || strcmp(e->key, "Environment") == 0 ||
                   strcmp(e->key, "GlobalArgs") == 0 || strcmp(e->key, "RcArgs") == 0 ||
                   strcmp(e->key, "PodmanArgs") == 0) {
                if (rc_unit_split(e->value, &words, err) < 0)
                        return rc_error_wrap(err, "%s:%u: %s", c->path, e->line, e->key);
                if (strcmp(e->key, "Exec") == 0) {
                        strv_free(c->exec);
                        c->exec = steal_pointer(&words);
                } else if (strcmp(e->key, "GlobalArgs") == 0) {
                        for (size_t i = 0; words[i]; i++)
                                strv_push(&c->global, words[i]);
                } else if (strcmp(e->key, "Environment") == 0) {
                        for (size_t i = 0; words[i]; i++) {
                                if (strchr(words[i], '=') == NULL)
                                        return rc_error_code(err, EINVAL, "%s:%u: Environment: %s is not KEY=VALUE",
                                                             c->path, e->line, words[i]);
                                strv_push(&c->args, "-e");
                                strv_push(&c->args, words[i]);
                        }
                } else {
                        for (size_t i = 0; words[i]; i++)
                                strv_push(&c->args, words[i]);
                }
        } else {
                return unknown_key(c, e, err);
        }
        return 0;
}

/* "app.container" -> "app" */
static char *unit_base(const char *path)
{
        const char *slash = strrchr(path, '/'), *name = slash ? slash + 1 : path;
        const char *dot = strrchr(name, '.');

        return xstrndup(name, dot ? (size_t)(dot - name) : strlen(name));
}

static bool has_key(const struct rc_unit_file *f, const char *section, const char *key)
{
        for (size_t i = 0; i < f->n; i++)
                if (strcmp(f->entries[i].section, section) == 0 && strcmp(f->entries[i].key, key) == 0)
                        return true;
        return false;
}

static bool has_section(const struct rc_unit_file *f, const char *section)
{
        for (size_t i = 0; i < f->n; i++)
                if (strcmp(f->entries[i].section, section) == 0)
                        return true;
        return false;
}

static void exec_line(char **text, const char *key, const char *prefix, const char *rc_path, char *const *global,
                      char *const *words)
{
        cleanup_free char *rc = rc_unit_quote(rc_path);

        append(text, "%s=%s%s", key, prefix, rc);
        for (char *const *w = global; w && *w; w++) {
                cleanup_free char *q = rc_unit_quote(*w);
                append(text, " %s", q);
        }
        for (char *const *w = words; w && *w; w++) {
                cleanup_free char *q = rc_unit_quote(*w);
                append(text, " %s", q);
        }
        append(text, "\n");
}

/* Everything of `section` as it was written. */
static void copy_section(char **text, const struct rc_unit_file *f, const char *section, const char *as)
{
        bool any = false;

        for (size_t i = 0; i < f->n; i++) {
                if (strcmp(f->entries[i].section, section) != 0)
                        continue;
                if (!any)
                        append(text, "\n[%s]\n", as);
                any = true;
                append(text, "%s=%s\n", f->entries[i].key, f->entries[i].value);
        }
}

static int service_checks(const char *path, const struct rc_unit_file *f, bool *oneshot, rc_error **err)
{
        *oneshot = false;
        for (size_t i = 0; i < f->n; i++) {
                const struct rc_unit_entry *e = &f->entries[i];
                if (strcmp(e->section, "Service") != 0)
                        continue;
                if (!strcmp(e->key, "ExecStart") || !strcmp(e->key, "ExecStop") || !strcmp(e->key, "ExecStopPost"))
                        return rc_error_code(err, EINVAL, "%s:%u: [Service] %s is rc's own: the container is the "
                                                          "service",
                                             path, e->line, e->key);
                if (!strcmp(e->key, "Type")) {
                        if (!strcmp(e->value, "oneshot"))
                                *oneshot = true;
                        else if (strcmp(e->value, "notify") != 0)
                                return rc_error_code(err, EINVAL, "%s:%u: [Service] Type=%s: a container service "
                                                                  "is Type=notify (default) or oneshot",
                                                     path, e->line, e->value);
                }
        }
        return 0;
}

static int convert(struct conv *c, const struct rc_unit_file *f, const char *rc_path, struct rc_quadlet *out,
                   rc_error **err)
{
        cleanup_free char *base = unit_base(c->path), *text = NULL;
        cleanup_strv char **start = xcalloc(1, sizeof(char *)), **wanted = xcalloc(1, sizeof(char *));
        char timeout[16];
        bool oneshot, any_container = false;

        for (size_t i = 0; i < f->n; i++) {
                if (strcmp(f->entries[i].section, "Container") != 0)
                        continue;
                any_container = true;
                if (container_key(c, &f->entries[i], err) < 0)
                        return -1;
        }
        if (!any_container)
                return rc_error_code(err, EINVAL, "%s: no [Container] section", c->path);
        if (c->image == NULL || *c->image == '\0')
                return rc_error_code(err, EINVAL, "%s: [Container] needs Image=", c->path);
        if (service_checks(c->path, f, &oneshot, err) < 0)
                return -1;
        if (c->name == NULL)
                c->name = xasprintf("systemd-%s", base); /* Quadlet's default */
        /* the command: rc [GlobalArgs] run --name N --replace --rm [-d --sdnotify=conmon|container] ARGS IMAGE
         * EXEC */
        strv_push(&start, "run");
        strv_push(&start, "--name");
        strv_push(&start, c->name);
        strv_push(&start, "--replace");
        strv_push(&start, "--rm");
        if (!oneshot) {
                strv_push(&start, "-d");
                strv_push(&start, c->notify ? "--sdnotify=container" : "--sdnotify=conmon");
        }
        if (c->user) {
                cleanup_free char *u = c->group ? xasprintf("%s:%s", c->user, c->group) : xstrdup(c->user);
                strv_push(&start, "-u");
                strv_push(&start, u);
        } else if (c->group) {
                return rc_error_code(err, EINVAL, "%s: Group= needs User=", c->path);
        }
        for (size_t i = 0; c->args[i]; i++)
                strv_push(&start, c->args[i]);
        strv_push(&start, c->image);
        for (size_t i = 0; c->exec && c->exec[i]; i++)
                strv_push(&start, c->exec[i]);

        append(&text, "# Automatically generated by rc-user-generator from %s\n", c->path);
        copy_section(&text, f, "Container", "X-Container");
        copy_section(&text, f, "Unit", "Unit");
        if (!has_section(f, "Unit"))
                append(&text, "\n[Unit]\n");
        if (!has_key(f, "Unit", "Description"))
                append(&text, "Description=rc container %s\n", c->name);
        append(&text, "SourcePath=%s\n", c->path);
        copy_section(&text, f, "Service", "Service");
        if (!has_section(f, "Service"))
                append(&text, "\n[Service]\n");
        append(&text, "Environment=RC_SYSTEMD_UNIT=%%n\n");
        if (!has_key(f, "Service", "KillMode"))
                append(&text, "KillMode=mixed\n");
        if (!has_key(f, "Service", "SyslogIdentifier"))
                append(&text, "SyslogIdentifier=%%N\n");
        if (!has_key(f, "Service", "TimeoutStopSec"))
                append(&text, "TimeoutStopSec=%d\n", (c->stop_timeout > 0 ? c->stop_timeout : 10) + 60);
        if (!oneshot)
                append(&text, "Type=notify\nNotifyAccess=all\n");
        exec_line(&text, "ExecStart", "", rc_path, c->global, start);
        snprintf(timeout, sizeof(timeout), "%d", c->stop_timeout > 0 ? c->stop_timeout : 10);
        {
                char *stop[] = { "stop", "--ignore", "-t", timeout, c->name, NULL };
                char *rm[] = { "rm", "-f", "--ignore", c->name, NULL };
                if (!oneshot)
                        exec_line(&text, "ExecStop", "", rc_path, c->global, stop);
                exec_line(&text, "ExecStopPost", "-", rc_path, c->global, rm);
        }
        copy_section(&text, f, "Install", "Install");
        for (size_t i = 0; i < f->n; i++) {
                const struct rc_unit_entry *e = &f->entries[i];
                cleanup_strv char **targets = NULL;
                if (strcmp(e->section, "Install") != 0 ||
                    (strcmp(e->key, "WantedBy") != 0 && strcmp(e->key, "RequiredBy") != 0))
                        continue;
                if (rc_unit_split(e->value, &targets, err) < 0)
                        return rc_error_wrap(err, "%s:%u", c->path, e->line);
                for (size_t j = 0; targets[j]; j++) {
                        cleanup_free char *d =
                                xasprintf("%s.%s", targets[j], strcmp(e->key, "WantedBy") == 0 ? "wants" : "requires");
                        strv_push(&wanted, d);
                }
        }
        /* other sections (X-..., Socket...) pass through */
        for (size_t i = 0; i < f->n; i++) {
                const char *sec = f->entries[i].section;
                bool seen = false;
                if (!strcmp(sec, "Container") || !strcmp(sec, "Unit") || !strcmp(sec, "Service") ||
                    !strcmp(sec, "Install"))
                        continue;
                for (size_t j = 0; j < i; j++)
                        seen |= strcmp(f->entries[j].section, sec) == 0;
                if (!seen)
                        copy_section(&text, f, sec, sec);
        }
        out->service = xasprintf("%s.service", base);
        out->text = steal_pointer(&text);
        out->wanted_by = steal_pointer(&wanted);
        return 0;
}

int rc_quadlet_convert(const char *path, const char *text, const char *rc_path, struct rc_quadlet *out,
                       rc_error **err)
{
        struct rc_unit_file f = { 0 };
        struct conv c = { .path = path, .stop_timeout = -1 };
        int r;

        memset(out, 0, sizeof(*out));
        if (rc_unit_parse(path, text, &f, err) < 0)
                return -1;
        c.global = xcalloc(1, sizeof(char *));
        c.args = xcalloc(1, sizeof(char *));
        r = convert(&c, &f, rc_path, out, err);
        strv_free(c.global);
        strv_free(c.args);
        strv_free(c.exec);
        free(c.image);
        free(c.name);
        free(c.user);
        free(c.group);
        rc_unit_file_free(&f);
        if (r < 0)
                rc_quadlet_free(out);
        return r;
}
