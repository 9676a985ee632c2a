/* A container's create options, kept in containers/ID/create.json so that
 * rc start (and the restart policy) can build the same container again.
 * Everything that depended on the caller's environment is resolved before
 * it is written: -e KEY values, relative paths, a seccomp profile's text. */
#include "container/container.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "util/fs.h"
#include "util/xalloc.h"

static void add_str(json_object *o, const char *key, const char *v)
{
        if (v)
                json_object_object_add(o, key, json_object_new_string(v));
}

static void add_strv(json_object *o, const char *key, char *const *v)
{
        json_object *a;

        if (v == NULL)
                return;
        a = json_object_new_array();
        for (size_t i = 0; v[i]; i++)
                json_object_array_add(a, json_object_new_string(v[i]));
        json_object_object_add(o, key, a);
}

static const char *const mount_kinds[] = { [RC_MOUNT_BIND] = "bind", [RC_MOUNT_VOLUME] = "volume",
                                           [RC_MOUNT_TMPFS] = "tmpfs" };

static json_object *mounts_json(const struct rc_mount_req *m, size_t n)
{
        json_object *a = json_object_new_array();

        for (size_t i = 0; i < n; i++) {
                json_object *o = json_object_new_object();
                json_object_object_add(o, "kind", json_object_new_string(mount_kinds[m[i].kind]));
                add_str(o, "source", m[i].source);
                add_str(o, "destination", m[i].destination);
                json_object_object_add(o, "readonly", json_object_new_boolean(m[i].readonly));
                json_object_object_add(o, "anonymous", json_object_new_boolean(m[i].anonymous));
                json_object_object_add(o, "nocopy", json_object_new_boolean(m[i].nocopy));
                add_strv(o, "options", m[i].options);
                json_object_array_add(a, o);
        }
        return a;
}

static void add_bool(json_object *o, const char *key, bool v)
{
        if (v)
                json_object_object_add(o, key, json_object_new_boolean(v));
}

static json_object *limits_json(const struct rc_cgroup_limits *l)
{
        json_object *o = json_object_new_object();

        json_object_object_add(o, "memory", json_object_new_int64((int64_t)l->memory));
        json_object_object_add(o, "memorySwap", json_object_new_int64(l->memory_swap));
        json_object_object_add(o, "cpuQuota", json_object_new_int64((int64_t)l->cpu_quota));
        json_object_object_add(o, "cpuWeight", json_object_new_int64((int64_t)l->cpu_weight));
        json_object_object_add(o, "pids", json_object_new_int64((int64_t)l->pids));
        json_object_object_add(o, "ioWeight", json_object_new_int64((int64_t)l->io_weight));
        return o;
}

/* The check as resolved at create ({"Test":["NONE"]} when there is none),
 * so that a later start does not consult the image again. */
static void add_health(json_object *root, const struct rc_health_flags *h)
{
        struct rc_health_config c = { .test = h->disable ? NULL : h->test,
                                      .interval = h->no_timer ? 0 : h->interval,
                                      .timeout = h->timeout,
                                      .start_period = h->start_period,
                                      .retries = h->retries };

        if (!h->disable && h->test == NULL)
                return;
        json_object_object_add(root, "healthcheck", rc_health_config_json(&c));
        if (h->startup.test)
                json_object_object_add(root, "healthStartup", rc_health_startup_json(&h->startup));
        if (h->on_failure != RC_HEALTH_ACTION_NONE)
                add_str(root, "healthOnFailure", rc_health_action_name(h->on_failure));
}

int rc_sdnotify_parse(const char *name, enum rc_sdnotify *out)
{
        if (strcmp(name, "conmon") == 0 || strcmp(name, "monitor") == 0)
                *out = RC_SDNOTIFY_MONITOR;
        else if (strcmp(name, "ignore") == 0)
                *out = RC_SDNOTIFY_IGNORE;
        else if (strcmp(name, "container") == 0)
                *out = RC_SDNOTIFY_CONTAINER;
        else
                return -1;
        return 0;
}

const char *rc_sdnotify_name(enum rc_sdnotify n)
{
        return n == RC_SDNOTIFY_IGNORE ? "ignore" : n == RC_SDNOTIFY_CONTAINER ? "container" : "conmon";
}

int rc_run_opts_save(const struct rc_run_opts *o, const char *path, rc_error **err)
{
        json_object *root = json_object_new_object();
        const char *text;
        int r;

        add_str(root, "image", o->image);
        add_str(root, "name", o->name);
        json_object_object_add(root, "autoRemove", json_object_new_boolean(o->auto_remove));
        json_object_object_add(root, "interactive", json_object_new_boolean(o->interactive));
        json_object_object_add(root, "tty", json_object_new_boolean(o->tty));
        add_strv(root, "env", o->env);
        add_str(root, "workdir", o->workdir);
        add_str(root, "entrypoint", o->entrypoint);
        add_strv(root, "cmd", o->cmd);
        add_str(root, "network", o->network);
        add_str(root, "hostname", o->hostname);
        add_strv(root, "publish", o->publish);
        add_bool(root, "publishAll", o->publish_all);
        add_strv(root, "dns", o->dns);
        add_strv(root, "dnsSearch", o->dns_search);
        add_strv(root, "dnsOption", o->dns_option);
        add_strv(root, "addHost", o->add_host);
        add_strv(root, "expose", o->expose);
        add_strv(root, "sysctl", o->sysctls);
        if (o->umask_set)
                json_object_object_add(root, "umask", json_object_new_int((int)o->umask));
        add_bool(root, "noHosts", o->no_hosts);
        add_str(root, "user", o->user);
        add_str(root, "seccomp", o->seccomp);
        json_object_object_add(root, "restartPolicy", json_object_new_int(o->restart_policy));
        json_object_object_add(root, "restartMax", json_object_new_int(o->restart_max));
        json_object_object_add(root, "logMaxSize", json_object_new_int64((int64_t)o->log_max_size));
        add_str(root, "stopSignal", o->stop_signal);
        json_object_object_add(root, "stopTimeout", json_object_new_int(o->stop_timeout));
        if (o->n_mounts)
                json_object_object_add(root, "mounts", mounts_json(o->mounts, o->n_mounts));
        add_bool(root, "readOnly", o->read_only);
        add_bool(root, "noReadOnlyTmpfs", o->no_read_only_tmpfs);
        add_strv(root, "capAdd", o->cap_add);
        add_strv(root, "capDrop", o->cap_drop);
        add_bool(root, "privileged", o->privileged);
        add_bool(root, "noNewPrivileges", o->no_new_privileges);
        add_strv(root, "mask", o->mask);
        add_strv(root, "unmask", o->unmask);
        add_strv(root, "groupAdd", o->group_add);
        add_strv(root, "ulimits", o->ulimits);
        add_strv(root, "labels", o->labels);
        add_str(root, "cidfile", o->cidfile);
        add_str(root, "userns", o->userns);
        add_bool(root, "init", o->init);
        if (rc_cgroup_limits_any(&o->limits))
                json_object_object_add(root, "limits", limits_json(&o->limits));
        json_object_object_add(root, "replace", json_object_new_boolean(o->replace));
        add_str(root, "sdnotify", rc_sdnotify_name(o->sdnotify));
        add_strv(root, "createCommand", o->create_command);
        add_health(root, &o->health);
        text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN);
        r = rc_write_file(path, text, strlen(text), 0600, err);
        json_object_put(root);
        return r;
}

static const char *get_str(json_object *o, const char *key)
{
        json_object *v;

        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}

static char **get_strv(json_object *o, const char *key)
{
        json_object *v;
        char **out;

        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_array))
                return NULL;
        out = xcalloc(1, sizeof(char *));
        for (size_t i = 0; i < json_object_array_length(v); i++) {
                json_object *s = json_object_array_get_idx(v, i);
                if (json_object_is_type(s, json_type_string))
                        strv_push(&out, json_object_get_string(s));
        }
        return out;
}

static int64_t get_int(json_object *o, const char *key)
{
        json_object *v;

        if (!json_object_object_get_ex(o, key, &v))
                return 0;
        return json_object_get_int64(v);
}

static bool get_bool(json_object *o, const char *key)
{
        json_object *v;

        return json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

/* The mounts as saved; an entry rc did not write is an error, not a guess. */
static int get_mounts(json_object *root, const char *path, struct rc_saved_opts *out, rc_error **err)
{
        json_object *a;
        size_t n;

        if (!json_object_object_get_ex(root, "mounts", &a))
                return 0;
        if (!json_object_is_type(a, json_type_array))
                goto bad;
        n = json_object_array_length(a);
        out->mounts = xcalloc(n ? n : 1, sizeof(*out->mounts));
        for (size_t i = 0; i < n; i++) {
                json_object *o = json_object_array_get_idx(a, i);
                struct rc_mount_req *m = &out->mounts[i];
                const char *kind = get_str(o, "kind"), *dest = get_str(o, "destination"), *src = get_str(o, "source");
                int k = -1;

                for (int j = 0; kind && j < 3; j++)
                        if (strcmp(kind, mount_kinds[j]) == 0)
                                k = j;
                if (k < 0 || dest == NULL || dest[0] != '/' || (k != RC_MOUNT_TMPFS && src == NULL))
                        goto bad;
                m->kind = (enum rc_mount_kind)k;
                m->destination = xstrdup(dest);
                m->source = src ? xstrdup(src) : NULL;
                m->readonly = get_bool(o, "readonly");
                m->anonymous = get_bool(o, "anonymous");
                m->nocopy = get_bool(o, "nocopy");
                m->options = get_strv(o, "options");
                if (m->options == NULL)
                        m->options = xcalloc(1, sizeof(char *));
                out->opts.n_mounts = i + 1;
        }
        out->opts.mounts = out->mounts;
        return 0;
bad:
        return rc_error_set(err, EINVAL, "%s: its mounts are not what rc writes; remove the container", path);
}

/* The saved check, checked as hostile as an image's (the file is the
 * user's to edit); absent: unset, for containers from before checks. */
static int get_health(json_object *root, const char *path, struct rc_saved_opts *out, rc_error **err)
{
        struct rc_health_flags *h = &out->opts.health;
        struct rc_health_config c;
        const char *action = get_str(root, "healthOnFailure");
        json_object *o;

        if (!json_object_object_get_ex(root, "healthcheck", &o))
                return 0;
        if (rc_health_config_from_json(o, path, &c, err) < 0)
                return -1;
        if (action && rc_health_action_parse(action, &h->on_failure, err) < 0) {
                rc_health_config_free(&c);
                return rc_error_wrap(err, "%s", path);
        }
        if (json_object_object_get_ex(root, "healthStartup", &o)) {
                cleanup_free char *doc = xasprintf("%s: healthStartup", path);
                if (rc_health_startup_from_json(o, doc, &h->startup, err) < 0) {
                        rc_health_config_free(&c);
                        return -1;
                }
                out->health_startup_test = h->startup.test;
        }
        out->health_test = c.test;
        h->test = c.test;
        h->disable = c.test == NULL;
        h->interval = c.interval;
        h->no_timer = c.interval == 0;
        h->timeout = c.timeout;
        h->start_period = c.start_period;
        h->start_period_set = true;
        h->retries = c.retries;
        h->retries_set = true;
        return 0;
}

int rc_run_opts_load(const char *path, struct rc_saved_opts *out, rc_error **err)
{
        cleanup_free char *text = NULL;
        struct rc_run_opts *o = &out->opts;
        json_object *root, *limits;

        memset(out, 0, sizeof(*out));
        if (rc_read_file(path, &text, NULL, err) < 0)
                return -1;
        root = json_tokener_parse(text);
        if (root == NULL || !json_object_is_type(root, json_type_object)) {
                json_object_put(root);
                return rc_error_set(err, EINVAL, "%s: not the create options rc writes; remove the container", path);
        }
        out->json = root;
        o->image = get_str(root, "image");
        o->name = get_str(root, "name");
        o->auto_remove = get_bool(root, "autoRemove");
        o->interactive = get_bool(root, "interactive");
        o->tty = get_bool(root, "tty");
        out->env = get_strv(root, "env");
        o->env = out->env;
        o->workdir = get_str(root, "workdir");
        o->entrypoint = get_str(root, "entrypoint");
        out->cmd = get_strv(root, "cmd");
        o->cmd = out->cmd;
        o->network = get_str(root, "network");
        o->hostname = get_str(root, "hostname");
        o->publish = out->publish = get_strv(root, "publish");
        o->publish_all = get_bool(root, "publishAll");
        o->dns = out->dns = get_strv(root, "dns");
        o->dns_search = out->dns_search = get_strv(root, "dnsSearch");
        o->dns_option = out->dns_option = get_strv(root, "dnsOption");
        o->add_host = out->add_host = get_strv(root, "addHost");
        o->expose = out->expose = get_strv(root, "expose");
        o->sysctls = out->sysctls = get_strv(root, "sysctl");
        {
                json_object *u;
                if (json_object_object_get_ex(root, "umask", &u) && json_object_is_type(u, json_type_int) &&
                    json_object_get_int(u) >= 0 && json_object_get_int(u) <= 0777) {
                        o->umask_set = true;
                        o->umask = (unsigned)json_object_get_int(u);
                }
        }
        o->no_hosts = get_bool(root, "noHosts");
        o->user = get_str(root, "user");
        o->seccomp = get_str(root, "seccomp");
        o->restart_policy = (int)get_int(root, "restartPolicy");
        o->restart_max = (int)get_int(root, "restartMax");
        o->log_max_size = (uint64_t)get_int(root, "logMaxSize");
        o->stop_signal = get_str(root, "stopSignal");
        o->stop_timeout = (int)get_int(root, "stopTimeout");
        o->pull = RC_PULL_NEVER;
        o->read_only = get_bool(root, "readOnly");
        o->no_read_only_tmpfs = get_bool(root, "noReadOnlyTmpfs");
        o->cap_add = out->cap_add = get_strv(root, "capAdd");
        o->cap_drop = out->cap_drop = get_strv(root, "capDrop");
        o->privileged = get_bool(root, "privileged");
        o->no_new_privileges = get_bool(root, "noNewPrivileges");
        o->mask = out->mask = get_strv(root, "mask");
        o->unmask = out->unmask = get_strv(root, "unmask");
        o->group_add = out->group_add = get_strv(root, "groupAdd");
        o->ulimits = out->ulimits = get_strv(root, "ulimits");
        o->labels = out->labels = get_strv(root, "labels");
        o->cidfile = get_str(root, "cidfile");
        o->userns = get_str(root, "userns");
        o->init = get_bool(root, "init");
        o->replace = get_bool(root, "replace");
        if (get_str(root, "sdnotify") == NULL || rc_sdnotify_parse(get_str(root, "sdnotify"), &o->sdnotify) < 0)
                o->sdnotify = RC_SDNOTIFY_MONITOR;
        out->create_command = get_strv(root, "createCommand");
        o->create_command = out->create_command;
        if (json_object_object_get_ex(root, "limits", &limits) && json_object_is_type(limits, json_type_object)) {
                /* negative values of a damaged file must not become huge limits */
                int64_t v[6] = { get_int(limits, "memory"), get_int(limits, "memorySwap"), get_int(limits, "cpuQuota"),
                                 get_int(limits, "cpuWeight"), get_int(limits, "pids"), get_int(limits, "ioWeight") };
                o->limits.memory = v[0] > 0 ? (uint64_t)v[0] : 0;
                o->limits.memory_swap = v[1] >= -1 ? v[1] : 0;
                o->limits.cpu_quota = v[2] > 0 ? (uint64_t)v[2] : 0;
                o->limits.cpu_weight = v[3] > 0 && v[3] <= 10000 ? (uint64_t)v[3] : 0;
                o->limits.pids = v[4] > 0 ? (uint64_t)v[4] : 0;
                o->limits.io_weight = v[5] > 0 && v[5] <= 10000 ? (uint64_t)v[5] : 0;
        }
        if (get_health(root, path, out, err) < 0)
                return -1;
        return get_mounts(root, path, out, err);
}

void rc_saved_opts_free(struct rc_saved_opts *s)
{
        json_object_put(s->json);
        strv_free(s->env);
        strv_free(s->cmd);
        strv_free(s->cap_add);
        strv_free(s->cap_drop);
        strv_free(s->mask);
        strv_free(s->unmask);
        strv_free(s->group_add);
        strv_free(s->ulimits);
        strv_free(s->labels);
        strv_free(s->publish);
        strv_free(s->dns);
        strv_free(s->dns_search);
        strv_free(s->dns_option);
        strv_free(s->add_host);
        strv_free(s->expose);
        strv_free(s->sysctls);
        for (size_t i = 0; i < s->opts.n_mounts; i++)
                rc_mount_req_free(&s->mounts[i]);
        free(s->mounts);
        strv_free(s->create_command);
        strv_free(s->health_test);
        strv_free(s->health_startup_test);
        memset(s, 0, sizeof(*s));
}
