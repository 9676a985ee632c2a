/* rc ps: podman's columns, filters and JSON. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "container/container.h"
#include "format/format.h"
#include "rc.h"
#include "store/store.h"
#include "util/fs.h"
#include "util/xalloc.h"

struct ps_filter {
        char **status, **name, **id, **ancestor, **health; /* each list ORs, the lists AND */
        char **label;                            /* every one must match */
};

static void ps_filter_free(struct ps_filter *f)
{
        strv_free(f->status);
        strv_free(f->name);
        strv_free(f->id);
        strv_free(f->ancestor);
        strv_free(f->label);
        strv_free(f->health);
}

static int add_filter(struct ps_filter *f, const char *arg)
{
        const char *eq = strchr(arg, '=');
        char ***list;

        if (eq == NULL)
                return rc_cli_usage_error("ps", "--filter %s: give KEY=VALUE (status, name, id, ancestor, health)",
                                          arg);
        if (!strncmp(arg, "status=", 7)) {
                static const char *const known[] = { "created", "running", "exited", "paused", "stopped",
                                                      "stopping", "unknown" };
                bool ok = false;
                for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
                        ok |= strcmp(eq + 1, known[i]) == 0;
                if (!ok)
                        return rc_cli_usage_error("ps", "--filter %s: status is created, running, exited, paused, "
                                                        "stopped, stopping or unknown",
                                                  arg);
                list = &f->status;
        } else if (!strncmp(arg, "name=", 5)) {
                list = &f->name;
        } else if (!strncmp(arg, "id=", 3)) {
                list = &f->id;
        } else if (!strncmp(arg, "ancestor=", 9)) {
                list = &f->ancestor;
        } else if (!strncmp(arg, "label=", 6)) {
                list = &f->label;
        } else if (!strncmp(arg, "health=", 7)) {
                if (strcmp(eq + 1, "healthy") && strcmp(eq + 1, "unhealthy") && strcmp(eq + 1, "starting") &&
                    strcmp(eq + 1, "none"))
                        return rc_cli_usage_error("ps", "--filter %s: health is healthy, unhealthy, starting or none",
                                                  arg);
                list = &f->health;
        } else {
                return rc_cli_usage_error("ps", "--filter %.*s: rc filters on status, name, id, ancestor, label and "
                                                "health",
                                          (int)(eq - arg), arg);
        }
        if (*list == NULL)
                *list = xcalloc(1, sizeof(char *));
        strv_push(list, eq + 1);
        return 0;
}

/* podman matches names as regular expressions */
static bool name_matches(const char *pattern, const char *name)
{
        regex_t re;
        bool m;

        if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
                return strstr(name, pattern) != NULL;
        m = regexec(&re, name, 0, NULL, 0) == 0;
        regfree(&re);
        return m;
}

static bool any(char **list, bool (*match)(const char *want, const struct rc_container_rec *c),
                const struct rc_container_rec *c)
{
        if (list == NULL)
                return true;
        for (size_t i = 0; list[i]; i++)
                if (match(list[i], c))
                        return true;
        return false;
}

/* The state podman shows: a running container whose cgroup is frozen is
 * paused. */
static const char *state_of(const struct rc_container_rec *c)
{
        const char *s = rc_container_rec_status(c);

        return strcmp(s, "running") == 0 && rc_container_paused(c) ? "paused" : s;
}

static bool match_status(const char *want, const struct rc_container_rec *c)
{
        const char *s = state_of(c);
        return strcmp(want, s) == 0 || (strcmp(want, "stopped") == 0 && strcmp(s, "exited") == 0);
}

static bool match_name(const char *want, const struct rc_container_rec *c)
{
        return name_matches(want, c->name);
}

static bool match_id(const char *want, const struct rc_container_rec *c)
{
        return strncmp(c->id, want, strlen(want)) == 0;
}

/* NAME or NAME:latest, without a tag meaning :latest */
static bool same_image_name(const char *want, const char *name)
{
        size_t n = strlen(want);

        return strcmp(want, name) == 0 || (strncmp(name, want, n) == 0 && strcmp(name + n, ":latest") == 0);
}

static bool match_ancestor(const char *want, const struct rc_container_rec *c)
{
        const char *short_name = strrchr(c->image_name, '/');

        if (strncmp(c->image_id, want, strlen(want)) == 0 || same_image_name(want, c->image_name))
                return true;
        /* "bb" for localhost/bb:latest */
        return same_image_name(want, short_name ? short_name + 1 : c->image_name);
}

/* label=KEY or label=KEY=VALUE */
static bool match_label(const char *want, const struct rc_container_rec *c)
{
        cleanup_free char *key = xstrndup(want, strcspn(want, "="));
        json_object *labels = c->labels && *c->labels ? json_tokener_parse(c->labels) : NULL, *v;
        bool m = labels && json_object_object_get_ex(labels, key, &v) &&
                 (want[strlen(key)] == '\0' || strcmp(json_object_get_string(v), want + strlen(key) + 1) == 0);

        json_object_put(labels);
        return m;
}

/* health: the status of its check, NULL when it has none */
static bool filter_matches(const struct ps_filter *f, const struct rc_container_rec *c, const char *health)
{
        bool health_ok = f->health == NULL;

        for (size_t i = 0; f->label && f->label[i]; i++)
                if (!match_label(f->label[i], c))
                        return false;
        for (size_t i = 0; f->health && f->health[i]; i++)
                health_ok |= strcmp(f->health[i], health ? health : "none") == 0;
        if (!health_ok)
                return false;
        return any(f->status, match_status, c) && any(f->name, match_name, c) && any(f->id, match_id, c) &&
               any(f->ancestor, match_ancestor, c);
}

/* The status of its health check (health.json beside its create.json), or
 * NULL when it has none. */
static const char *health_of(struct rc_store *s, const struct rc_container_rec *c)
{
        cleanup_free char *dir = rc_store_container_dir(s, c->id);
        enum rc_health_status h;

        return rc_health_status_of(dir, &h) ? rc_health_status_name(h) : NULL;
}

/* podman's "Up 5 seconds (healthy)" */
static void status_text(const struct rc_container_rec *c, const char *health, char *buf, size_t len)
{
        const char *s = state_of(c);
        int64_t now = (int64_t)time(NULL);
        char d[64];

        if (strcmp(s, "paused") == 0) {
                snprintf(buf, len, "Paused");
        } else if (strcmp(s, "running") == 0) {
                rc_cli_human_duration(now - c->started_at / 1000000000, d, sizeof(d));
                if (health)
                        snprintf(buf, len, "Up %s (%s)", d, health);
                else
                        snprintf(buf, len, "Up %s", d);
        } else if (strcmp(s, "exited") == 0) {
                int64_t finished = c->finished_at ? c->finished_at / 1000000000 : c->started_at / 1000000000;
                rc_cli_human_duration(now - finished, d, sizeof(d));
                if (strcmp(c->state, "running") == 0) /* its monitor was killed: the status is lost */
                        snprintf(buf, len, "Exited (-1) %s ago", d);
                else
                        snprintf(buf, len, "Exited (%d) %s ago", c->exit_code, d);
        } else {
                snprintf(buf, len, "Created");
        }
}

/* Its labels as an object, or NULL for none (podman's null). */
static json_object *labels_of(const struct rc_container_rec *c)
{
        json_object *o = c->labels && *c->labels ? json_tokener_parse(c->labels) : NULL;

        if (o && !json_object_is_type(o, json_type_object)) {
                json_object_put(o);
                o = NULL;
        }
        return o;
}

/* The ports a running container publishes (its monitor's ports file). */
static void ports_of(struct rc_store *s, const struct rc_container_rec *c, struct rc_net_port **ports, size_t *n)
{
        const char *status = rc_container_rec_status(c);
        cleanup_free char *dir = NULL;
        rc_error *e = NULL;

        *ports = NULL;
        *n = 0;
        if (strcmp(status, "running") != 0 && strcmp(status, "paused") != 0)
                return;
        dir = rc_store_container_dir(s, c->id);
        if (rc_container_ports(dir, ports, n, &e) < 0)
                rc_error_free(e);
}

/* podman's shape: [{"host_ip": "", "container_port": 80, "host_port": 8080, "range": 1, "protocol": "tcp"}] */
static json_object *ports_json(const struct rc_net_port *p, size_t n)
{
        json_object *a = json_object_new_array();

        for (size_t i = 0; i < n; i++) {
                json_object *o = json_object_new_object();
                char ip[INET_ADDRSTRLEN];
                inet_ntop(AF_INET, &p[i].host_ip, ip, sizeof(ip));
                json_object_object_add(o, "host_ip", json_object_new_string(p[i].host_ip.s_addr ? ip : ""));
                json_object_object_add(o, "container_port", json_object_new_int(p[i].container_port));
                json_object_object_add(o, "host_port", json_object_new_int(p[i].host_port));
                json_object_object_add(o, "range", json_object_new_int(1));
                json_object_object_add(o, "protocol", json_object_new_string(p[i].proto == IPPROTO_UDP ? "udp" : "tcp"));
                json_object_array_add(a, o);
        }
        return a;
}

static json_object *ps_json(const struct rc_container_rec *c, const char *health, const struct rc_net_port *ports,
                            size_t n_ports)
{
        json_object *o = json_object_new_object(), *names = json_object_new_array();
        json_object *cmd = json_tokener_parse(c->command);
        const char *status = state_of(c);
        char text[96];

        if (!json_object_is_type(cmd, json_type_array)) {
                json_object_put(cmd);
                cmd = json_object_new_array();
        }
        json_object_array_add(names, json_object_new_string(c->name));
        status_text(c, health, text, sizeof(text));
        json_object_object_add(o, "AutoRemove", json_object_new_boolean(c->auto_remove));
        json_object_object_add(o, "Command", cmd);
        json_object_object_add(o, "Created", json_object_new_int64(c->created));
        rc_cli_human_age(c->created, text, sizeof(text));
        json_object_object_add(o, "CreatedAt", json_object_new_string(text));
        json_object_object_add(o, "Exited", json_object_new_boolean(strcmp(status, "exited") == 0));
        json_object_object_add(o, "ExitedAt", json_object_new_int64(c->finished_at / 1000000000));
        json_object_object_add(o, "ExitCode", json_object_new_int(c->exit_code));
        json_object_object_add(o, "Id", json_object_new_string(c->id));
        json_object_object_add(o, "Image", json_object_new_string(c->image_name));
        json_object_object_add(o, "ImageID", json_object_new_string(c->image_id));
        json_object_object_add(o, "IsInfra", json_object_new_boolean(0));
        json_object_object_add(o, "Labels", labels_of(c));
        json_object_object_add(o, "Mounts", json_object_new_array());
        json_object_object_add(o, "Names", names);
        json_object_object_add(o, "Pid",
                               json_object_new_int(strcmp(status, "running") == 0 || strcmp(status, "paused") == 0
                                                           ? c->pid
                                                           : 0));
        json_object_object_add(o, "Ports", n_ports ? ports_json(ports, n_ports) : NULL);
        json_object_object_add(o, "Restarts", json_object_new_int(c->restart_count));
        json_object_object_add(o, "StartedAt", json_object_new_int64(c->started_at / 1000000000));
        json_object_object_add(o, "State", json_object_new_string(status));
        status_text(c, health, text, sizeof(text));
        json_object_object_add(o, "Status", json_object_new_string(text));
        return o;
}

/* The command line as podman shows it: arguments joined by spaces. */
static char *command_text(const struct rc_container_rec *c)
{
        json_object *cmd = json_tokener_parse(c->command);
        size_t n = json_object_is_type(cmd, json_type_array) ? json_object_array_length(cmd) : 0, len = 1;
        char *out;

        for (size_t i = 0; i < n; i++)
                len += strlen(json_object_get_string(json_object_array_get_idx(cmd, i))) + 1;
        out = xcalloc(1, len);
        for (size_t i = 0; i < n; i++) {
                if (i)
                        strcat(out, " ");
                strcat(out, json_object_get_string(json_object_array_get_idx(cmd, i)));
        }
        json_object_put(cmd);
        return out;
}

static const char *const ps_headers[] = { "ID", "CONTAINER ID", "CreatedHuman", "CREATED", "RunningFor", "CREATED",
                                          NULL };
static const char *const ps_maps[] = { "Labels", NULL };
static const struct rc_template_opts ps_opts = {
        .name = "ps", .type_name = "psReporter", .headers = ps_headers, .maps = ps_maps, .fold_case = true,
};
#define PS_DEFAULT_FORMAT                                                                                     \
        "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.CreatedHuman}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}"

/* The fields podman's ps templates know. */
static json_object *ps_row(const struct rc_container_rec *c, const char *health, bool no_trunc, int64_t now,
                           const struct rc_net_port *ports, size_t n_ports)
{
        json_object *o = json_object_new_object();
        cleanup_free char *ports_text = rc_net_ports_string(ports, n_ports);
        cleanup_free char *command = command_text(c);
        char text[96];

        json_object_object_add(o, "ID", json_object_new_string_len(c->id, no_trunc ? RC_DIGEST_HEX_LEN : 12));
        json_object_object_add(o, "Image", json_object_new_string(c->image_name));
        json_object_object_add(o, "ImageID", json_object_new_string(c->image_id));
        if (!no_trunc && strlen(command) > 20)
                command[17] = '.', command[18] = '.', command[19] = '.', command[20] = '\0';
        json_object_object_add(o, "Command", json_object_new_string(command));
        rc_format_since(c->created, now, text, sizeof(text));
        json_object_object_add(o, "CreatedHuman", json_object_new_string(text));
        json_object_object_add(o, "RunningFor", json_object_new_string(text));
        rc_format_go_time(c->created, text, sizeof(text));
        json_object_object_add(o, "CreatedAt", json_object_new_string(text));
        json_object_object_add(o, "Created", json_object_new_int64(c->created));
        status_text(c, health, text, sizeof(text));
        json_object_object_add(o, "Status", json_object_new_string(text));
        json_object_object_add(o, "State", json_object_new_string(state_of(c)));
        json_object_object_add(o, "Ports", json_object_new_string(ports_text));
        json_object_object_add(o, "Names", json_object_new_string(c->name));
        json_object_object_add(o, "Labels", labels_of(c) ?: json_object_new_object());
        json_object_object_add(o, "Mounts", json_object_new_string(""));
        json_object_object_add(o, "Networks", json_object_new_string(""));
        json_object_object_add(o, "Pod", json_object_new_string(""));
        json_object_object_add(o, "PodName", json_object_new_string(""));
        json_object_object_add(o, "Size", json_object_new_string(""));
        json_object_object_add(o, "Pid", json_object_new_int(strcmp(rc_container_rec_status(c), "running") == 0
                                                                     ? c->pid
                                                                     : 0));
        json_object_object_add(o, "ExitCode", json_object_new_int(c->exit_code));
        json_object_object_add(o, "Exited", json_object_new_boolean(strcmp(rc_container_rec_status(c), "exited") == 0));
        json_object_object_add(o, "AutoRemove", json_object_new_boolean(c->auto_remove));
        json_object_object_add(o, "Restarts", json_object_new_int(c->restart_count));
        return o;
}

/* -s: the bytes of the container's writable layer, and of its whole root
 * (that plus its image's layers), as podman's SIZE and "Size" give them. */
struct ps_sizes {
        struct rc_image *images;
        size_t n_images;
};

static void ps_size(const struct rc_store *s, const struct ps_sizes *z, const struct rc_container_rec *c,
                    uint64_t *rw, uint64_t *root)
{
        cleanup_free char *dir = rc_store_container_dir(s, c->id);
        cleanup_free char *changes = xasprintf("%s/%s", dir, c->driver && !strcmp(c->driver, "vfs") ? "rootfs" : "upper");

        *rw = rc_tree_size(changes);
        *root = *rw;
        for (size_t i = 0; i < z->n_images; i++)
                if (strcmp(z->images[i].id, c->image_id) == 0)
                        *root += z->images[i].size;
}

static void ps_add_size(json_object *row, const struct rc_store *s, const struct ps_sizes *z,
                        const struct rc_container_rec *c, bool json)
{
        uint64_t rw, root;
        char a[32], b[32], text[96];

        ps_size(s, z, c, &rw, &root);
        if (json) {
                json_object *o = json_object_new_object();
                json_object_object_add(o, "rootFsSize", json_object_new_int64((int64_t)root));
                json_object_object_add(o, "rwSize", json_object_new_int64((int64_t)rw));
                json_object_object_add(row, "Size", o);
                return;
        }
        rc_format_size(rw, a, sizeof(a));
        rc_format_size(root, b, sizeof(b));
        snprintf(text, sizeof(text), "%s (virtual %s)", a, b);
        json_object_object_add(row, "Size", json_object_new_string(text));
}

static void ps_usage(void)
{
        printf("Usage: rc ps [OPTIONS]\n\n"
               "List containers (running ones unless -a).\n\n"
               "Options:\n"
               "  -a, --all             all containers, not only running ones\n"
               "  -q, --quiet           only the ids\n"
               "  --no-trunc            full ids and commands\n"
               "  --noheading           no header line\n"
               "  -n, --last N          the N most recently created (implies -a)\n"
               "  -s, --size            the size of each container's writable layer (and of its whole root)\n"
               "  -l, --latest          the most recently created (implies -a)\n"
               "  -f, --filter K=V      status=created|running|exited, name=REGEX, id=PREFIX, ancestor=IMAGE,\n"
               "                        label=KEY[=VALUE], health=healthy|unhealthy|starting|none\n"
               "  --format FORMAT       json, or a Go template ({{.ID}} {{.Names}} {{.Status}}...;\n"
               "                        \"table ...\" for columns with headers)\n");
}

int cmd_ps(struct rc_cli *cli, int argc, char **argv)
{
        enum { OPT_NO_TRUNC = 256, OPT_NOHEADING, OPT_FORMAT };
        static const struct option opts[] = {
                { "all", no_argument, NULL, 'a' },
                { "quiet", no_argument, NULL, 'q' },
                { "no-trunc", no_argument, NULL, OPT_NO_TRUNC },
                { "noheading", no_argument, NULL, OPT_NOHEADING },
                { "last", required_argument, NULL, 'n' },
                { "latest", no_argument, NULL, 'l' },
                { "size", no_argument, NULL, 's' },
                { "filter", required_argument, NULL, 'f' },
                { "format", required_argument, NULL, OPT_FORMAT },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        cleanup_store struct rc_store *s = NULL;
        struct rc_container_rec *list = NULL;
        struct ps_filter filter = { 0 };
        bool all = false, quiet = false, no_trunc = false, heading = true, json = false, size = false;
        struct ps_sizes sizes = { 0 };
        const char *format = NULL;
        json_object *rows = NULL, *row;
        long last = -1;
        json_object *out = NULL;
        rc_error *err = NULL;
        size_t n = 0;
        int c, shown = 0, status = 125;

        while ((c = getopt_long(argc, argv, "aqn:lsf:h", opts, NULL)) != -1) {
                switch (c) {
                case 'a':
                        all = true;
                        break;
                case 's':
                        size = true;
                        break;
                case 'q':
                        quiet = true;
                        break;
                case OPT_NO_TRUNC:
                        no_trunc = true;
                        break;
                case OPT_NOHEADING:
                        heading = false;
                        break;
                case 'n': {
                        char *end;
                        last = strtol(optarg, &end, 10);
                        if (*optarg == '\0' || *end != '\0' || last < 0) {
                                ps_filter_free(&filter);
                                return rc_cli_usage_error("ps", "--last %s: give a number", optarg);
                        }
                        all = true;
                        break;
                }
                case 'l':
                        last = 1;
                        all = true;
                        break;
                case 'f':
                        if (add_filter(&filter, optarg) != 0) {
                                ps_filter_free(&filter);
                                return 125;
                        }
                        all = all || filter.status != NULL;
                        break;
                case OPT_FORMAT:
                        json = rc_format_is_json(optarg);
                        format = optarg;
                        break;
                case 'h':
                        ps_usage();
                        ps_filter_free(&filter);
                        return 0;
                default:
                        ps_filter_free(&filter);
                        return rc_cli_usage_error("ps", "invalid option");
                }
        }
        if (optind < argc) {
                ps_filter_free(&filter);
                return rc_cli_usage_error("ps", "rc ps takes no arguments (use --filter)");
        }
        /* sizes need rc's user namespace, where the containers' files are readable */
        if ((size ? rc_cli_open_store(cli, &s, &err) : rc_store_open(cli->cfg.root, cli->cfg.runroot, &s, &err)) < 0 ||
            rc_store_container_list(s, &list, &n, &err) < 0 ||
            (size && rc_store_image_list(s, &sizes.images, &sizes.n_images, &err) < 0)) {
                ps_filter_free(&filter);
                rc_container_list_free(list, n);
                return rc_cli_fail(err);
        }
        if (json)
                out = json_object_new_array();
        else if (!quiet)
                rows = json_object_new_array();
        for (size_t i = 0; i < n && (last < 0 || shown < last); i++) {
                const struct rc_container_rec *rec = &list[i];
                cleanup_free struct rc_net_port *ports = NULL;
                size_t n_ports = 0;
                const char *health;

                if (!all && strcmp(rc_container_rec_status(rec), "running") != 0)
                        continue;
                health = health_of(s, rec);
                if (!filter_matches(&filter, rec, health))
                        continue;
                shown++;
                if (quiet && !json) {
                        printf("%.*s\n", no_trunc ? RC_DIGEST_HEX_LEN : 12, rec->id);
                        continue;
                }
                ports_of(s, rec, &ports, &n_ports);
                if (json) {
                        json_object *o = ps_json(rec, health, ports, n_ports);
                        if (size)
                                ps_add_size(o, s, &sizes, rec, true);
                        json_object_array_add(out, o);
                        continue;
                }
                row = ps_row(rec, health, no_trunc, (int64_t)time(NULL), ports, n_ports);
                if (size)
                        ps_add_size(row, s, &sizes, rec, false);
                json_object_array_add(rows, row);
        }
        if (rows) {
                if (format == NULL || strcmp(format, "table") == 0)
                        format = size ? PS_DEFAULT_FORMAT "\t{{.Size}}" : PS_DEFAULT_FORMAT;
                if (rc_format_list(stdout, format, rows, &ps_opts, heading ? 0 : RC_FORMAT_NOHEADING, &err) < 0)
                        status = rc_cli_fail(err);
                else
                        status = 0;
                json_object_put(rows);
        }
        if (json)
                printf("%s\n", json_object_to_json_string_ext(out, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                                       JSON_C_TO_STRING_NOSLASHESCAPE));
        if (out) {
                json_object_put(out);
                status = 0;
        } else if (quiet) {
                status = 0;
        }
        rc_container_list_free(list, n);
        for (size_t i = 0; i < sizes.n_images; i++)
                rc_image_free(&sizes.images[i]);
        free(sizes.images);
        ps_filter_free(&filter);
        return status;
}
