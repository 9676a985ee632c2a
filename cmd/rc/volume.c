/* rc volume: create, ls, inspect, rm, prune, exists. */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "container/container.h"
#include "format/format.h"
#include "rc.h"
#include "store/store.h"
#include "util/xalloc.h"
#include "volume/volume.h"

static const char *const volume_maps[] = { "Labels", "Options", NULL };
static const struct rc_template_opts volume_opts = {
        .name = "volume", .type_name = "volumeReporter", .maps = volume_maps, .fold_case = true,
        .headers = (const char *const[]){ "Name", "VOLUME NAME", NULL },
};

/* Read-only commands need neither rc's user namespace nor a clean-up. */
static int open_ro(struct rc_cli *cli, struct rc_store **s, rc_error **err)
{
        return rc_store_open(cli->cfg.root, cli->cfg.runroot, s, err);
}

static int volume_create(struct rc_cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                { "label", required_argument, NULL, 'l' }, { "driver", required_argument, NULL, 'd' },
                { "opt", required_argument, NULL, 'o' },   { "ignore", no_argument, NULL, 'i' },
                { "help", no_argument, NULL, 'h' },        { NULL, 0, NULL, 0 },
        };
        cleanup_store struct rc_store *s = NULL;
        cleanup_strv char **labels = xcalloc(1, sizeof(char *));
        struct rc_volume v = { 0 };
        rc_error *err = NULL;
        bool ignore = false;
        int c;

        while ((c = rc_cli_getopt("volume create", argc, argv, "l:d:o:h", opts)) != -1) {
                switch (c) {
                case 'l':
                        if (strchr(optarg, '=') == NULL) {
                                cleanup_free char *kv = xasprintf("%s=", optarg);
                                strv_push(&labels, kv);
                        } else {
                                strv_push(&labels, optarg);
                        }
                        break;
                case 'd':
                        if (strcmp(optarg, "local") != 0)
                                return rc_cli_usage_error("volume create", "--driver %s: rc has the local driver only",
                                                          optarg);
                        break;
                case 'o':
                        return rc_cli_usage_error("volume create",
                                                  "--opt %s: rc's local volumes are plain directories and take no "
                                                  "mount options",
                                                  optarg);
                case 'i':
                        ignore = true;
                        break;
                case 'h':
                        printf("Create a new volume\n\n"
                               "Description:\n"
                               "  Creates a volume: a directory of rc's store that containers mount with\n"
                               "  -v NAME:/DIR and that outlives them.  Without a name, a random one.\n\n"
                               "Usage:\n"
                               "  rc volume create [options] [NAME]\n\n"
                               "Options:\n"
                               "  -d, --driver DRIVER   local (the only driver)\n"
                               "      --ignore          no error if the volume exists already\n"
                               "  -l, --label KEY=VALUE set a label on the volume\n");
                        return 0;
                default:
                        return 125;
                }
        }
        if (argc - optind > 1)
                return rc_cli_usage_error("volume create", "too many arguments: give at most one name");
        if (rc_cli_open_store_rw(cli, &s, &err) < 0)
                return rc_cli_fail(err);
        if (rc_volume_create(s, optind < argc ? argv[optind] : NULL, labels, false, &v, &err) < 0) {
                if (ignore && rc_error_errno(err) == EEXIST) {
                        rc_error_free(err);
                        printf("%s\n", argv[optind]);
                        return 0;
                }
                return rc_cli_fail(err);
        }
        printf("%s\n", v.name);
        rc_volume_free(&v);
        return 0;
}

struct volume_filter {
        char **name, **label;
        int dangling; /* -1: any */
};

static int add_filter(struct volume_filter *f, const char *arg)
{
        if (!strncmp(arg, "name=", 5)) {
                strv_push(&f->name, arg + 5);
        } else if (!strncmp(arg, "label=", 6)) {
                strv_push(&f->label, arg + 6);
        } else if (!strcmp(arg, "dangling=true") || !strcmp(arg, "dangling=1")) {
                f->dangling = 1;
        } else if (!strcmp(arg, "dangling=false") || !strcmp(arg, "dangling=0")) {
                f->dangling = 0;
        } else {
                return rc_cli_usage_error("volume ls", "--filter %s: rc filters volumes on name=, label=KEY[=VALUE] "
                                                       "and dangling=true|false",
                                          arg);
        }
        return 0;
}

static bool filter_matches(const struct volume_filter *f, const struct rc_volume *v)
{
        bool any = f->name == NULL || f->name[0] == NULL;

        for (size_t i = 0; f->name && f->name[i]; i++)
                any |= strstr(v->name, f->name[i]) != NULL;
        if (!any)
                return false;
        for (size_t i = 0; f->label && f->label[i]; i++) {
                const char *want = f->label[i];
                bool found = false;
                for (size_t j = 0; v->labels[j]; j++) {
                        size_t klen = strcspn(v->labels[j], "=");
                        found |= strchr(want, '=') ? strcmp(v->labels[j], want) == 0
                                                   : strlen(want) == klen && !strncmp(want, v->labels[j], klen);
                }
                if (!found)
                        return false;
        }
        if (f->dangling >= 0 && (v->users[0] == NULL) != (f->dangling == 1))
                return false;
        return true;
}

static int volume_ls(struct rc_cli *cli, int argc, char **argv)
{
        enum { OPT_FORMAT = 256, OPT_NOHEADING };
        static const struct option opts[] = {
                { "quiet", no_argument, NULL, 'q' },    { "format", required_argument, NULL, OPT_FORMAT },
                { "filter", required_argument, NULL, 'f' }, { "noheading", no_argument, NULL, OPT_NOHEADING },
                { "help", no_argument, NULL, 'h' },     { NULL, 0, NULL, 0 },
        };
        cleanup_store struct rc_store *s = NULL;
        struct volume_filter f = { .name = xcalloc(1, sizeof(char *)), .label = xcalloc(1, sizeof(char *)),
                                   .dangling = -1 };
        struct rc_volume *list = NULL;
        const char *format = NULL;
        bool quiet = false;
        unsigned flags = 0;
        json_object *rows;
        rc_error *err = NULL;
        size_t n = 0;
        int c, status = 0;

        while ((c = rc_cli_getopt("volume ls", argc, argv, "qf:h", opts)) != -1) {
                switch (c) {
                case 'q':
                        quiet = true;
                        break;
                case OPT_FORMAT:
                        format = optarg;
                        break;
                case OPT_NOHEADING:
                        flags |= RC_FORMAT_NOHEADING;
                        break;
                case 'f':
                        if (add_filter(&f, optarg) != 0) {
                                status = 125;
                                goto out;
                        }
                        break;
                case 'h':
                        printf("List volumes\n\n"
                               "Usage:\n"
                               "  rc volume ls [options]\n\n"
                               "Options:\n"
                               "  -f, --filter KEY=VALUE  name=TEXT, label=KEY[=VALUE], dangling=true|false\n"
                               "      --format FORMAT     json, or a Go template ({{.Name}} {{.Driver}}\n"
                               "                          {{.Mountpoint}} {{.Labels}}...)\n"
                               "      --noheading         no header line\n"
                               "  -q, --quiet             only the names\n");
                        goto out;
                default:
                        status = 125;
                        goto out;
                }
        }
        if (optind != argc) {
                status = rc_cli_usage_error("volume ls", "`rc volume ls` takes no arguments");
                goto out;
        }
        if (open_ro(cli, &s, &err) < 0 || rc_volume_list(s, &list, &n, &err) < 0) {
                status = rc_cli_fail(err);
                goto out;
        }
        rows = json_object_new_array();
        for (size_t i = 0; i < n; i++) {
                if (!filter_matches(&f, &list[i]))
                        continue;
                if (quiet)
                        printf("%s\n", list[i].name);
                else
                        json_object_array_add(rows, rc_volume_to_json(&list[i]));
        }
        if (!quiet && format && rc_format_is_json(format)) {
                printf("%s\n", json_object_to_json_string_ext(rows, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                                        JSON_C_TO_STRING_NOSLASHESCAPE));
        } else if (!quiet) {
                if (format == NULL || strcmp(format, "table") == 0)
                        format = "table {{.Driver}}\t{{.Name}}";
                if (rc_format_list(stdout, format, rows, &volume_opts, flags, &err) < 0)
                        status = rc_cli_fail(err);
        }
        json_object_put(rows);
        rc_volume_list_free(list, n);
out:
        strv_free(f.name);
        strv_free(f.label);
        return status;
}

static int volume_inspect(struct rc_cli *cli, int argc, char **argv)
{
        enum { OPT_FORMAT = 256 };
        static const struct option opts[] = {
                { "all", no_argument, NULL, 'a' },
                { "format", required_argument, NULL, 'f' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        cleanup_store struct rc_store *s = NULL;
        const char *format = NULL;
        json_object *out = json_object_new_array();
        rc_error *err = NULL;
        bool all = false;
        int c, status = 0;

        while ((c = rc_cli_getopt("volume inspect", argc, argv, "af:h", opts)) != -1) {
                switch (c) {
                case 'a':
                        all = true;
                        break;
                case 'f':
                        format = optarg;
                        break;
                case 'h':
                        printf("Display detailed information on one or more volumes\n\n"
                               "Usage:\n"
                               "  rc volume inspect [options] VOLUME [VOLUME...]\n\n"
                               "Options:\n"
                               "  -a, --all            every volume\n"
                               "  -f, --format FORMAT  json (the default) or a Go template ({{.Mountpoint}}...)\n");
                        json_object_put(out);
                        return 0;
                default:
                        json_object_put(out);
                        return 125;
                }
        }
        if (optind == argc && !all) {
                json_object_put(out);
                return rc_cli_usage_error("volume inspect", "provide one or more volume names or use --all");
        }
        if (open_ro(cli, &s, &err) < 0) {
                json_object_put(out);
                return rc_cli_fail(err);
        }
        if (all) {
                struct rc_volume *list = NULL;
                size_t n = 0;
                if (rc_volume_list(s, &list, &n, &err) < 0) {
                        json_object_put(out);
                        return rc_cli_fail(err);
                }
                for (size_t i = 0; i < n; i++)
                        json_object_array_add(out, rc_volume_to_json(&list[i]));
                rc_volume_list_free(list, n);
        }
        for (int i = optind; i < argc; i++) {
                struct rc_volume v = { 0 };
                if (rc_volume_get(s, argv[i], &v, &err) < 0) {
                        rc_cli_error("%s", err->msg);
                        rc_error_free(err);
                        err = NULL;
                        status = 125;
                        continue;
                }
                json_object_array_add(out, rc_volume_to_json(&v));
                rc_volume_free(&v);
        }
        if (format && !rc_format_is_json(format)) {
                if (rc_format_list(stdout, format, out, &volume_opts, 0, &err) < 0)
                        status = rc_cli_fail(err);
        } else {
                printf("%s\n", json_object_to_json_string_ext(out, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                                       JSON_C_TO_STRING_NOSLASHESCAPE));
        }
        json_object_put(out);
        return status;
}

/* rm -f: the containers that use it go first (podman). */
static int remove_users(struct rc_cli *cli, struct rc_store *s, const char *name, rc_error **err)
{
        cleanup_strv char **users = NULL;

        if (rc_store_volume_users(s, name, &users, err) < 0)
                return -1;
        for (size_t i = 0; users[i]; i++)
                if (rc_container_remove(&cli->cfg, s, users[i], true, err) < 0)
                        return rc_error_wrap(err, "volume %s", name);
        return 0;
}

static int volume_rm(struct rc_cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                { "all", no_argument, NULL, 'a' },
                { "force", no_argument, NULL, 'f' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        cleanup_store struct rc_store *s = NULL;
        cleanup_strv char **names = xcalloc(1, sizeof(char *));
        rc_error *err = NULL;
        bool all = false, force = false;
        int c, status = 0;

        while ((c = rc_cli_getopt("volume rm", argc, argv, "afh", opts)) != -1) {
                switch (c) {
                case 'a':
                        all = true;
                        break;
                case 'f':
                        force = true;
                        break;
                case 'h':
                        printf("Remove one or more volumes\n\n"
                               "Description:\n"
                               "  Removes volumes and their files.  A volume a container uses is refused\n"
                               "  unless --force, which removes those containers first.\n\n"
                               "Usage:\n"
                               "  rc volume rm [options] VOLUME [VOLUME...]\n\n"
                               "Options:\n"
                               "  -a, --all    every volume\n"
                               "  -f, --force  remove the containers that use the volume first\n");
                        return 0;
                default:
                        return 125;
                }
        }
        if (optind == argc && !all)
                return rc_cli_usage_error("volume rm", "choose at least one volume or use --all");
        if (rc_cli_open_store_rw(cli, &s, &err) < 0)
                return rc_cli_fail(err);
        if (all) {
                struct rc_volume *list = NULL;
                size_t n = 0;
                if (rc_volume_list(s, &list, &n, &err) < 0)
                        return rc_cli_fail(err);
                for (size_t i = 0; i < n; i++)
                        strv_push(&names, list[i].name);
                rc_volume_list_free(list, n);
        }
        for (int i = optind; i < argc; i++)
                strv_push(&names, argv[i]);
        for (size_t i = 0; names[i]; i++) {
                if ((force && remove_users(cli, s, names[i], &err) < 0) || rc_volume_remove(s, names[i], &err) < 0) {
                        int e = rc_error_errno(err);
                        if (force && e == ENOENT) {
                                rc_error_free(err);
                                err = NULL;
                                continue;
                        }
                        rc_cli_error("%s", err->msg);
                        rc_error_free(err);
                        err = NULL;
                        /* podman's codes: 1 no such volume, 2 in use */
                        if (status == 0)
                                status = e == ENOENT ? 1 : e == EBUSY ? 2 : 125;
                        continue;
                }
                printf("%s\n", names[i]);
        }
        return status;
}

static int volume_prune(struct rc_cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                { "force", no_argument, NULL, 'f' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        cleanup_store struct rc_store *s = NULL;
        cleanup_strv char **removed = NULL;
        rc_error *err = NULL;
        bool force = false;
        int c;

        while ((c = rc_cli_getopt("volume prune", argc, argv, "fh", opts)) != -1) {
                switch (c) {
                case 'f':
                        force = true;
                        break;
                case 'h':
                        printf("Remove all unused volumes\n\n"
                               "Description:\n"
                               "  Removes every volume that no container uses.\n\n"
                               "Usage:\n"
                               "  rc volume prune [options]\n\n"
                               "Options:\n"
                               "  -f, --force  do not ask for confirmation\n");
                        return 0;
                default:
                        return 125;
                }
        }
        if (optind != argc)
                return rc_cli_usage_error("volume prune", "`rc volume prune` takes no arguments");
        if (!force) {
                int yes = rc_cli_confirm("volume prune", "WARNING! This will remove all volumes not used by at least "
                                                         "one container.");
                if (yes <= 0)
                        return yes < 0 ? 125 : 0;
        }
        if (rc_cli_open_store_rw(cli, &s, &err) < 0 || rc_volume_prune(s, &removed, &err) < 0)
                return rc_cli_fail(err);
        for (size_t i = 0; removed[i]; i++)
                printf("%s\n", removed[i]);
        return 0;
}

static int volume_exists(struct rc_cli *cli, int argc, char **argv)
{
        cleanup_store struct rc_store *s = NULL;
        struct rc_volume v = { 0 };
        rc_error *err = NULL;

        if (rc_cli_wants_help(argc, argv)) {
                printf("Check if a volume exists\n\n"
                       "Description:\n"
                       "  Exit status 0 if the volume exists, 1 if not; no output.\n\n"
                       "Usage:\n"
                       "  rc volume exists VOLUME\n");
                return 0;
        }
        if (argc != 2)
                return rc_cli_usage_error("volume exists", "exists takes one volume");
        if (open_ro(cli, &s, &err) < 0)
                return rc_cli_fail(err);
        if (rc_volume_get(s, argv[1], &v, &err) < 0) {
                if (rc_error_errno(err) == ENOENT) {
                        rc_error_free(err);
                        return 1;
                }
                return rc_cli_fail(err);
        }
        rc_volume_free(&v);
        return 0;
}

static const struct rc_command volume_commands[] = {
        { "create", volume_create, "Create a new volume" },
        { "exists", volume_exists, "Check if a volume exists" },
        { "inspect", volume_inspect, "Display detailed information on one or more volumes" },
        { "list", volume_ls, "List volumes" },
        { "ls", volume_ls, "List volumes" },
        { "prune", volume_prune, "Remove all unused volumes" },
        { "rm", volume_rm, "Remove one or more volumes" },
};

int cmd_volume(struct rc_cli *cli, int argc, char **argv)
{
        if (argc >= 2 && argv[1][0] != '-') {
                for (size_t i = 0; i < sizeof(volume_commands) / sizeof(volume_commands[0]); i++)
                        if (strcmp(argv[1], volume_commands[i].name) == 0) {
                                optind = 0; /* getopt starts afresh for the subcommand */
                                return volume_commands[i].fn(cli, argc - 1, argv + 1);
                        }
                fprintf(stderr,
                        "Error: unrecognized command `rc volume %s`\nTry 'rc volume --help' for more information\n",
                        argv[1]);
                return 125;
        }
        if (argc >= 2 && !rc_cli_wants_help(argc, argv))
                return rc_cli_usage_error("volume", "unknown flag: %s", argv[1]);
        printf("Manage volumes\n\n"
               "Description:\n"
               "  Volumes are directories of rc's store that containers mount and that outlive them\n\n"
               "Usage:\n"
               "  rc volume [command]\n\n"
               "Available Commands:\n");
        for (size_t i = 0; i < sizeof(volume_commands) / sizeof(volume_commands[0]); i++)
                printf("  %-9s %s\n", volume_commands[i].name, volume_commands[i].summary);
        if (argc >= 2)
                return 0;
        rc_cli_error("missing command 'rc volume COMMAND'");
        return 125;
}
