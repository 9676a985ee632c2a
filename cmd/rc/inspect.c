/* rc image inspect / rc inspect, rc history, rc image prune, and the
 * rc image SUBCOMMAND family. */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "container/container.h"
#include "images/images.h"
#include "rc.h"
#include "util/xalloc.h"

/* --format '{{.Field}}' for a top-level scalar field, else NULL. */
static char *template_field(const char *format)
{
        size_t n = strlen(format);

        if (n < 7 || strncmp(format, "{{.", 3) != 0 || strcmp(format + n - 2, "}}") != 0)
                return NULL;
        return xstrndup(format + 3, n - 5);
}

int cmd_inspect(struct rc_cli *cli, int argc, char **argv)
{
        enum { OPT_FORMAT = 256 };
        static const struct option opts[] = {
                { "format", required_argument, NULL, OPT_FORMAT },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        cleanup_store struct rc_store *s = NULL;
        cleanup_free char *field = NULL;
        json_object *all;
        rc_error *err = NULL;
        int c, status = 0;

        while ((c = getopt_long(argc, argv, "+f:h", opts, NULL)) != -1) {
                switch (c) {
                case 'f':
                case OPT_FORMAT:
                        if (strcmp(optarg, "json") == 0)
                                break;
                        free(field);
                        field = template_field(optarg);
                        if (field == NULL)
                                return rc_cli_usage_error("inspect", "--format takes json or {{.Field}}, e.g. {{.Id}}");
                        break;
                case 'h':
                        printf("Usage: rc image inspect [--format json|{{.Field}}] IMAGE...\n\n"
                               "Show images as a JSON array: Id, Digest, RepoTags, RepoDigests, Created, Author,\n"
                               "Architecture, Os, Config (Env, Cmd, Entrypoint, WorkingDir, User, Labels...),\n"
                               "Size, RootFS and History.  {{.Field}} prints one top-level field per image.\n");
                        return 0;
                default:
                        return rc_cli_usage_error("inspect", "invalid option");
                }
        }
        if (optind >= argc)
                return rc_cli_usage_error("inspect", "inspect needs at least one image");
        if (rc_cli_open_store(cli, &s, &err) < 0)
                return rc_cli_fail(err);
        all = json_object_new_array();
        for (int i = optind; i < argc; i++) {
                json_object *one = NULL;
                /* a container first, as podman looks */
                if (rc_container_inspect(&cli->cfg, s, argv[i], &one, &err) == 0) {
                        json_object_array_add(all, one);
                        continue;
                }
                if (rc_error_errno(err) != ENOENT) {
                        fprintf(stderr, "rc: %s\n", err->msg);
                        rc_error_free(err);
                        err = NULL;
                        status = 125;
                        continue;
                }
                rc_error_free(err);
                err = NULL;
                if (rc_images_inspect(s, argv[i], &one, &err) < 0) {
                        fprintf(stderr, "rc: %s\n", err->msg);
                        rc_error_free(err);
                        err = NULL;
                        status = 125;
                        continue;
                }
                json_object_array_add(all, one);
        }
        if (field != NULL) {
                for (size_t i = 0; i < json_object_array_length(all); i++) {
                        json_object *v = NULL;
                        if (!json_object_object_get_ex(json_object_array_get_idx(all, i), field, &v)) {
                                fprintf(stderr, "rc: inspect: no field \"%s\"\n", field);
                                json_object_put(all);
                                return 125;
                        }
                        printf("%s\n", json_object_is_type(v, json_type_string)
                                               ? json_object_get_string(v)
                                               : json_object_to_json_string_ext(v, JSON_C_TO_STRING_NOSLASHESCAPE));
                }
        } else {
                printf("%s\n", json_object_to_json_string_ext(all, JSON_C_TO_STRING_PRETTY |
                                                                           JSON_C_TO_STRING_SPACED |
                                                                           JSON_C_TO_STRING_NOSLASHESCAPE));
        }
        json_object_put(all);
        return status;
}

/* RFC 3339 -> unix seconds, or -1. */
static int64_t parse_time(const char *s)
{
        struct tm tm = { 0 };

        if (s == NULL || strptime(s, "%Y-%m-%dT%H:%M:%S", &tm) == NULL)
                return -1;
        return (int64_t)timegm(&tm);
}

static void print_history_json(const char *id, const struct rc_history_entry *h, size_t n)
{
        json_object *arr = json_object_new_array();

        for (size_t k = n; k-- > 0;) {
                json_object *o = json_object_new_object();
                json_object_object_add(o, "id", json_object_new_string(k == n - 1 ? id : "<missing>"));
                json_object_object_add(o, "created", json_object_new_string(h[k].created));
                json_object_object_add(o, "createdBy", json_object_new_string(h[k].created_by));
                json_object_object_add(o, "size", json_object_new_int64(h[k].size));
                json_object_object_add(o, "comment", json_object_new_string(h[k].comment));
                json_object_array_add(arr, o);
        }
        printf("%s\n", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                                   JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(arr);
}

int cmd_history(struct rc_cli *cli, int argc, char **argv)
{
        enum { OPT_FORMAT = 256, OPT_NO_TRUNC, OPT_HUMAN };
        static const struct option opts[] = {
                { "format", required_argument, NULL, OPT_FORMAT },
                { "no-trunc", no_argument, NULL, OPT_NO_TRUNC },
                { "human", required_argument, NULL, OPT_HUMAN },
                { "quiet", no_argument, NULL, 'q' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        cleanup_store struct rc_store *s = NULL;
        struct rc_history_entry *h = NULL;
        char id[RC_DIGEST_HEX_LEN + 1];
        bool json = false, no_trunc = false, quiet = false, human = true;
        rc_error *err = NULL;
        size_t n = 0;
        int c;

        while ((c = getopt_long(argc, argv, "+qH:h", opts, NULL)) != -1) {
                switch (c) {
                case OPT_FORMAT:
                        if (strcmp(optarg, "json") != 0)
                                return rc_cli_usage_error("history", "--format: only 'json' is supported");
                        json = true;
                        break;
                case OPT_NO_TRUNC:
                        no_trunc = true;
                        break;
                case 'H':
                case OPT_HUMAN:
                        if (strcmp(optarg, "true") && strcmp(optarg, "false"))
                                return rc_cli_usage_error("history", "--human takes true or false");
                        human = strcmp(optarg, "true") == 0;
                        break;
                case 'q':
                        quiet = true;
                        break;
                case 'h':
                        printf("Usage: rc history [--no-trunc] [-q] [--human=false] [--format json] IMAGE\n\n"
                               "Show how an image was made, newest step first, from its config's history.\n");
                        return 0;
                default:
                        return rc_cli_usage_error("history", "invalid option");
                }
        }
        if (optind + 1 != argc)
                return rc_cli_usage_error("history", "history takes one image");
        if (rc_cli_open_store(cli, &s, &err) < 0 || rc_images_history(s, argv[optind], id, &h, &n, &err) < 0)
                return rc_cli_fail(err);
        if (json) {
                print_history_json(id, h, n);
        } else if (quiet) {
                for (size_t k = n; k-- > 0;)
                        printf("%.*s\n", no_trunc ? RC_DIGEST_HEX_LEN : 12, k == n - 1 ? id : "<missing>");
        } else {
                printf("%-14s %-20s %-45s %-10s %s\n", "IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT");
                for (size_t k = n; k-- > 0;) {
                        char created[48], size[32];
                        int64_t t = parse_time(h[k].created);
                        const char *by = h[k].created_by;
                        if (t < 0)
                                snprintf(created, sizeof(created), "%s", h[k].created[0] ? h[k].created : "<unknown>");
                        else if (human)
                                rc_cli_human_age(t, created, sizeof(created));
                        else
                                snprintf(created, sizeof(created), "%.20s", h[k].created);
                        rc_cli_human_size((uint64_t)h[k].size, size, sizeof(size));
                        printf("%-14.*s %-20s ", no_trunc ? RC_DIGEST_HEX_LEN : 12, k == n - 1 ? id : "<missing>",
                               created);
                        if (no_trunc || strlen(by) <= 45)
                                printf("%-45s ", by);
                        else
                                printf("%.42s... ", by);
                        printf("%-10s %s\n", size, h[k].comment);
                }
        }
        rc_history_free(h, n);
        return 0;
}

int cmd_image_prune(struct rc_cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                { "all", no_argument, NULL, 'a' },
                { "force", no_argument, NULL, 'f' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        cleanup_store struct rc_store *s = NULL;
        cleanup_strv char **removed = NULL;
        bool all = false, force = false;
        rc_error *err = NULL;
        int c;

        while ((c = getopt_long(argc, argv, "+afh", opts, NULL)) != -1) {
                switch (c) {
                case 'a':
                        all = true;
                        break;
                case 'f':
                        force = true;
                        break;
                case 'h':
                        printf("Usage: rc image prune [-a] [-f]\n\n"
                               "Remove images without a name that no container uses; -a: every image no\n"
                               "container uses.  -f: do not ask for confirmation.\n");
                        return 0;
                default:
                        return rc_cli_usage_error("image prune", "invalid option");
                }
        }
        if (optind != argc)
                return rc_cli_usage_error("image prune", "image prune takes no arguments");
        if (!force) {
                char answer[16] = "";
                if (!isatty(STDIN_FILENO)) {
                        fprintf(stderr, "rc: image prune: not asking without a terminal; use -f to remove %s\n",
                                all ? "every unused image" : "unnamed images");
                        return 125;
                }
                fprintf(stderr, "This removes %s. Are you sure you want to continue? [y/N] ",
                        all ? "every image no container uses" : "all images without a name");
                if (fgets(answer, sizeof(answer), stdin) == NULL || (answer[0] != 'y' && answer[0] != 'Y'))
                        return 0;
        }
        if (rc_cli_open_store_rw(cli, &s, &err) < 0 || rc_images_prune(s, all, &removed, &err) < 0)
                return rc_cli_fail(err);
        for (size_t i = 0; removed[i]; i++)
                printf("%s\n", removed[i]);
        return 0;
}

int cmd_image(struct rc_cli *cli, int argc, char **argv)
{
        static const struct rc_command subs[] = {
                { "ls", cmd_images, "List images" },
                { "list", cmd_images, "List images" },
                { "rm", cmd_rmi, "Remove images" },
                { "pull", cmd_pull, "Pull an image from a registry" },
                { "push", cmd_push, "Push an image to a registry" },
                { "tag", cmd_tag, "Add names to an image" },
                { "inspect", cmd_inspect, "Show an image's details as JSON" },
                { "history", cmd_history, "Show how an image was made" },
                { "prune", cmd_image_prune, "Remove unused images" },
                { "import", cmd_import, "Import a root file system tarball" },
                { "save", cmd_save, "Write images to an archive" },
                { "load", cmd_load, "Load images from an archive" },
        };

        if (argc >= 2 && argv[1][0] != '-') {
                for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
                        if (strcmp(argv[1], subs[i].name) == 0) {
                                optind = 0; /* getopt starts afresh for the subcommand */
                                return subs[i].fn(cli, argc - 1, argv + 1);
                        }
                return rc_cli_usage_error("image", "unknown image command '%s'", argv[1]);
        }
        if (argc >= 2 && !rc_cli_wants_help(argc, argv))
                return rc_cli_usage_error("image", "invalid option");
        printf("Usage: rc image COMMAND\n\nCommands:\n");
        for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
                printf("  %-8s %s\n", subs[i].name, subs[i].summary);
        return argc >= 2 ? 0 : 125;
}
