/* rc inspect (containers, then images) / rc image inspect, rc history,
 * rc image prune, and the rc image COMMAND family. */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "container/container.h"
#include "format/format.h"
#include "images/images.h"
#include "rc.h"
#include "util/xalloc.h"

/* Image inspect data as podman's templates see it: the maps of its
 * OCI structs, the history entries' Go field names. */
static const char *const inspect_maps[] = { "ExposedPorts", "Volumes", "Data", NULL };
static const char *const inspect_aliases[] = { "CreatedBy", "created_by", "EmptyLayer", "empty_layer", NULL };
static const struct rc_template_opts image_inspect_opts = {
        .name = "inspect", .type_name = "libimage.ImageData", .maps = inspect_maps, .aliases = inspect_aliases,
        .fold_case = true,
};
/* rc inspect: containers and images */
static const struct rc_template_opts inspect_opts = {
        .name = "inspect", .type_name = "inspect object", .maps = inspect_maps, .aliases = inspect_aliases,
        .fold_case = true,
};

/* Add key with a new value unless o has it (and it is not null). */
static void default_key(json_object *o, const char *key, json_object *v)
{
        json_object *have = NULL;

        if (json_object_object_get_ex(o, key, &have) && have != NULL) {
                json_object_put(v);
                return;
        }
        json_object_object_add(o, key, v);
}

/* Template data for one object: Created prints as Go's time; for an
 * image, a Go struct has every field, so the image config's absent ones
 * become empty. */
static json_object *template_data(const json_object *inspect, const char *driver, bool image)
{
        json_object *o = NULL, *config, *gd, *created;

        json_object_deep_copy((json_object *)inspect, &o, NULL);
        created = json_object_object_get(o, "Created");
        if (created && json_object_is_type(created, json_type_string)) {
                int64_t t = rc_format_parse_rfc3339(json_object_get_string(created));
                char buf[64];
                if (t >= 0) {
                        rc_format_go_time(t, buf, sizeof(buf));
                        json_object_object_add(o, "Created", json_object_new_string(buf));
                }
        }
        config = json_object_object_get(o, "Config");
        if (!image || config == NULL || !json_object_is_type(config, json_type_object))
                return o;
        default_key(config, "User", json_object_new_string(""));
        default_key(config, "ExposedPorts", json_object_new_object());
        default_key(config, "Env", json_object_new_array());
        default_key(config, "Entrypoint", json_object_new_array());
        default_key(config, "Cmd", json_object_new_array());
        default_key(config, "Volumes", json_object_new_object());
        default_key(config, "WorkingDir", json_object_new_string(""));
        default_key(config, "Labels", json_object_new_object());
        default_key(config, "StopSignal", json_object_new_string(""));
        gd = json_object_new_object();
        json_object_object_add(gd, "Name", json_object_new_string(driver));
        json_object_object_add(gd, "Data", json_object_new_object());
        default_key(o, "GraphDriver", gd);
        return o;
}

static void print_json(json_object *o)
{
        /* podman prints an empty list as [] */
        if (json_object_array_length(o) == 0)
                printf("[]\n");
        else
                printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                                         JSON_C_TO_STRING_NOSLASHESCAPE));
}

/* image: rc image inspect (errors name the image); otherwise rc inspect
 * (and rc container inspect): a container, else an image. */
static int inspect_main(struct rc_cli *cli, int argc, char **argv, bool image)
{
        static const struct option opts[] = {
                { "format", required_argument, NULL, 'f' }, { "type", required_argument, NULL, 't' },
                { "size", no_argument, NULL, 's' },         { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        const char *cmd = image ? "image inspect" : "inspect";
        cleanup_store struct rc_store *s = NULL;
        cleanup_strv char **errors = xcalloc(1, sizeof(char *));
        cleanup_free bool *is_image = NULL;
        bool containers_only = false;
        const char *format = NULL;
        json_object *all, *rows;
        rc_error *err = NULL;
        int c, status = 0;

        while ((c = rc_cli_getopt(cmd, argc, argv, image ? "f:h" : "f:t:sh", opts)) != -1) {
                switch (c) {
                case 'f':
                        format = optarg; /* the last one wins, as in podman */
                        break;
                case 't':
                        if (!strcmp(optarg, "image"))
                                image = true; /* as rc image inspect */
                        else if (!strcmp(optarg, "container"))
                                containers_only = true;
                        else if (strcmp(optarg, "all") && strcmp(optarg, "container"))
                                return rc_cli_usage_error(cmd, "invalid type \"%s\": must be \"image\", "
                                                               "\"container\" or \"all\"", optarg);
                        break;
                case 's':
                        break; /* the size is always there */
                case 'h':
                        printf("Display the configuration of %s\n\n"
                               "Description:\n"
                               "  Displays the low-level information of an image identified by name or ID, as a\n"
                               "  JSON array, or --format's template for each.\n\n"
                               "Usage:\n"
                               "  rc %s [options] %s [%s...]\n\n"
                               "Examples:\n"
                               "  rc %s --format \"{{.Id}} {{.Config.Cmd}}\" alpine\n\n"
                               "Options:\n"
                               "  -f, --format FORMAT   Format the output to a Go template or json\n%s",
                               image ? "an image" : "an object", cmd, image ? "IMAGE" : "NAME", image ? "IMAGE" : "NAME",
                               cmd,
                               image ? "" : "  -s, --size            Display total file size\n"
                                            "  -t, --type TYPE       Specify inspect-object type (\"image\" or \"all\")\n");
                        return 0;
                default:
                        return 125;
                }
        }
        if (optind >= argc)
                return rc_cli_usage_error(cmd, "requires at least 1 arg(s), only received 0");
        if (rc_cli_open_store(cli, &s, &err) < 0)
                return rc_cli_fail(err);
        all = json_object_new_array();
        is_image = xcalloc((size_t)argc + 1, sizeof(bool));
        for (int i = optind; i < argc; i++) {
                json_object *one = NULL;
                /* rc inspect: a container first, as podman looks */
                if (!image && rc_container_inspect(&cli->cfg, s, argv[i], &one, &err) == 0) {
                        json_object_array_add(all, one);
                        continue;
                }
                if (err && rc_error_errno(err) != ENOENT) {
                        strv_push(&errors, err->msg);
                        rc_error_free(err);
                        err = NULL;
                        continue;
                }
                rc_error_free(err);
                err = NULL;
                if (containers_only) {
                        cleanup_free char *m = xasprintf("no such container \"%s\"", argv[i]);
                        strv_push(&errors, m);
                        continue;
                }
                if (rc_images_inspect(s, argv[i], &one, &err) < 0) {
                        /* podman's words: rc image inspect names the image, rc inspect the object */
                        if (!image && rc_error_errno(err) == ENOENT) {
                                cleanup_free char *m = xasprintf("no such object: \"%s\"", argv[i]);
                                strv_push(&errors, m);
                        } else {
                                strv_push(&errors, err->msg);
                        }
                        rc_error_free(err);
                        err = NULL;
                        continue;
                }
                is_image[json_object_array_length(all)] = true;
                json_object_array_add(all, one);
        }
        if (format == NULL || rc_format_is_json(format)) {
                print_json(all);
        } else {
                rows = json_object_new_array();
                for (size_t i = 0; i < json_object_array_length(all); i++)
                        json_object_array_add(rows, template_data(json_object_array_get_idx(all, i),
                                                                  cli->cfg.storage_driver, is_image[i]));
                if (rc_format_list(stdout, format, rows, image ? &image_inspect_opts : &inspect_opts, 0, &err) < 0) {
                        strv_push(&errors, err->msg);
                        rc_error_free(err);
                        err = NULL;
                }
                json_object_put(rows);
        }
        json_object_put(all);
        fflush(stdout);
        /* podman: the later errors first, then the first as the command's */
        for (size_t i = 1; errors[0] && errors[i]; i++)
                fprintf(stderr, "error inspecting object: %s\n", errors[i]);
        if (errors[0]) {
                fprintf(stderr, "Error: inspecting object: %s\n", errors[0]);
                status = 125;
        }
        return status;
}

int cmd_inspect(struct rc_cli *cli, int argc, char **argv)
{
        return inspect_main(cli, argc, argv, false);
}

static int cmd_image_inspect(struct rc_cli *cli, int argc, char **argv)
{
        return inspect_main(cli, argc, argv, true);
}

/* ---- history ---- */

static const char *const history_headers[] = { "CreatedBy", "CREATED BY", NULL };
static const struct rc_template_opts history_opts = {
        .name = "history", .type_name = "images.historyReporter", .headers = history_headers, .fold_case = true,
};

#define HISTORY_FORMAT "table {{.ID}}\t{{.Created}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}"

/* podman's JSON: one line, each entry's time as "created" (RFC 3339) and
 * again as "Created". */
static void print_history_json(const char *id, const struct rc_history_entry *h, size_t n)
{
        json_object *arr = json_object_new_array();

        for (size_t k = n; k-- > 0;) {
                json_object *o = json_object_new_object();
                int64_t t = rc_format_parse_rfc3339(h[k].created);
                char rfc[64];
                rc_format_rfc3339(t >= 0 ? t : 0, rfc, sizeof(rfc));
                json_object_object_add(o, "id", json_object_new_string(k == n - 1 ? id : "<missing>"));
                json_object_object_add(o, "created", json_object_new_string(h[k].created[0] ? h[k].created : rfc));
                if (h[k].created_by[0])
                        json_object_object_add(o, "CreatedBy", json_object_new_string(h[k].created_by));
                json_object_object_add(o, "size", json_object_new_int64(h[k].size));
                if (h[k].comment[0])
                        json_object_object_add(o, "comment", json_object_new_string(h[k].comment));
                json_object_object_add(o, "Created", json_object_new_string(rfc));
                json_object_array_add(arr, o);
        }
        printf("%s\n", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(arr);
}

static json_object *history_row(const char *id, const struct rc_history_entry *e, bool top, bool no_trunc,
                                bool human, int64_t now)
{
        json_object *o = json_object_new_object();
        int64_t t = rc_format_parse_rfc3339(e->created);
        char created[64], since[64], at[64], size[32];
        cleanup_free char *by = NULL;
        cleanup_free char *shown_id = !top ? xstrdup("<missing>") : no_trunc ? xstrdup(id) : xstrndup(id, 12);

        if (t < 0)
                t = 0;
        rc_format_since(t, now, since, sizeof(since));
        rc_format_rfc3339(t, created, sizeof(created));
        rc_format_go_time(t, at, sizeof(at));
        rc_format_size((uint64_t)e->size, size, sizeof(size));
        by = !no_trunc && strlen(e->created_by) > 45 ? xasprintf("%.42s...", e->created_by) : xstrdup(e->created_by);
        json_object_object_add(o, "ID", json_object_new_string(shown_id));
        json_object_object_add(o, "Created", json_object_new_string(human ? since : created));
        json_object_object_add(o, "CreatedSince", json_object_new_string(human ? since : created));
        json_object_object_add(o, "CreatedAt", json_object_new_string(at));
        json_object_object_add(o, "CreatedBy", json_object_new_string(by));
        json_object_object_add(o, "Size", json_object_new_string(size));
        json_object_object_add(o, "Comment", json_object_new_string(e->comment));
        json_object_object_add(o, "Tags", json_object_new_array());
        return o;
}

int cmd_history(struct rc_cli *cli, int argc, char **argv)
{
        enum { OPT_FORMAT = 256, OPT_NO_TRUNC };
        static const struct option opts[] = {
                { "format", required_argument, NULL, OPT_FORMAT }, { "no-trunc", no_argument, NULL, OPT_NO_TRUNC },
                { "notruncate", no_argument, NULL, OPT_NO_TRUNC }, { "human", optional_argument, NULL, 'H' },
                { "quiet", no_argument, NULL, 'q' },                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        cleanup_store struct rc_store *s = NULL;
        struct rc_history_entry *h = NULL;
        char id[RC_DIGEST_HEX_LEN + 1];
        bool no_trunc = false, quiet = false, human = true;
        const char *format = NULL;
        rc_error *err = NULL;
        json_object *rows;
        size_t n = 0;
        int c, status = 0;

        while ((c = rc_cli_getopt("history", argc, argv, "qHh", opts)) != -1) {
                switch (c) {
                case OPT_FORMAT:
                        format = optarg;
                        break;
                case OPT_NO_TRUNC:
                        no_trunc = true;
                        break;
                case 'H':
                        /* a boolean flag: -H, --human, --human=false */
                        if (optarg && strcmp(optarg, "true") && strcmp(optarg, "false"))
                                return rc_cli_usage_error("history", "invalid argument \"%s\" for \"-H, --human\" flag",
                                                          optarg);
                        human = optarg == NULL || strcmp(optarg, "true") == 0;
                        break;
                case 'q':
                        quiet = true;
                        break;
                case 'h':
                        printf("Show history of a specified image\n\n"
                               "Description:\n"
                               "  Displays the history of an image, newest step first, from its config.\n\n"
                               "Usage:\n"
                               "  rc history [options] IMAGE\n\n"
                               "Options:\n"
                               "      --format FORMAT   Change the output to JSON or a Go template\n"
                               "  -H, --human           Display sizes and dates in human readable format (default true)\n"
                               "      --no-trunc        Do not truncate the output\n"
                               "  -q, --quiet           Display the numeric IDs only\n");
                        return 0;
                default:
                        return 125;
                }
        }
        if (optind >= argc)
                return rc_cli_usage_error("history", "requires exactly 1 arg(s), only received 0");
        if (argc - optind != 1)
                return rc_cli_usage_error("history", "accepts 1 arg(s), received %d", argc - optind);
        if (rc_cli_open_store(cli, &s, &err) < 0 || rc_images_history(s, argv[optind], id, &h, &n, &err) < 0)
                return rc_cli_fail(err);
        if (rc_format_is_json(format)) {
                if (n == 0)
                        printf("[]\n");
                else
                        print_history_json(id, h, n);
        } else {
                int64_t now = (int64_t)time(NULL);
                rows = json_object_new_array();
                for (size_t k = n; k-- > 0;)
                        json_object_array_add(rows, history_row(id, &h[k], k == n - 1, no_trunc, human, now));
                if (quiet)
                        format = "{{.ID}}";
                else if (format == NULL || strcmp(format, "table") == 0)
                        format = HISTORY_FORMAT;
                if (rc_format_list(stdout, format, rows, &history_opts, 0, &err) < 0)
                        status = rc_cli_fail(err);
                json_object_put(rows);
        }
        rc_history_free(h, n);
        return status;
}

/* ---- prune ---- */

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

        while ((c = rc_cli_getopt("image prune", argc, argv, "afh", opts)) != -1) {
                switch (c) {
                case 'a':
                        all = true;
                        break;
                case 'f':
                        force = true;
                        break;
                case 'h':
                        printf("Remove unused images\n\n"
                               "Description:\n"
                               "  Removes images without a name that no container uses; with --all, every image\n"
                               "  no container uses.\n\n"
                               "Usage:\n"
                               "  rc image prune [options]\n\n"
                               "Options:\n"
                               "  -a, --all     Remove all images not in use by containers, not just dangling ones\n"
                               "  -f, --force   Do not prompt for confirmation\n");
                        return 0;
                default:
                        return 125;
                }
        }
        if (optind != argc)
                return rc_cli_usage_error("image prune", "`rc image prune` takes no arguments");
        if (!force) {
                int yes = rc_cli_confirm("image prune", all ? "WARNING! This command removes all images not in use "
                                                              "by containers."
                                                            : "WARNING! This command removes all dangling images.");
                if (yes <= 0)
                        return yes < 0 ? 125 : 0;
        }
        if (rc_cli_open_store_rw(cli, &s, &err) < 0 || rc_images_prune(s, all, &removed, &err) < 0)
                return rc_cli_fail(err);
        for (size_t i = 0; removed[i]; i++)
                printf("%s\n", removed[i]);
        return 0;
}

/* ---- rc image COMMAND ---- */

static const struct rc_command image_commands[] = {
        { "build", cmd_build, "Build an image using instructions from Containerfiles" },
        { "diff", cmd_diff, "Inspect changes to the image's file systems" },
        { "exists", cmd_image_exists, "Check if an image exists in local storage" },
        { "history", cmd_history, "Show history of a specified image" },
        { "import", cmd_import, "Import a tarball to create a filesystem image" },
        { "inspect", cmd_image_inspect, "Display the configuration of an image" },
        { "list", cmd_images, "List images in local storage" },
        { "load", cmd_load, "Load image(s) from a tar archive" },
        { "ls", cmd_images, "List images in local storage" },
        { "prune", cmd_image_prune, "Remove unused images" },
        { "pull", cmd_pull, "Pull an image from a registry" },
        { "push", cmd_push, "Push an image to a specified destination" },
        { "rm", cmd_rmi, "Remove one or more images from local storage" },
        { "save", cmd_save, "Save image(s) to an archive" },
        { "tag", cmd_tag, "Add an additional name to a local image" },
        { "untag", cmd_untag, "Remove a name from a local image" },
};

static void image_usage(FILE *out)
{
        fprintf(out, "Manage images\n\n"
                     "Description:\n"
                     "  Manage images\n\n"
                     "Usage:\n"
                     "  rc image [command]\n\n"
                     "Available Commands:\n");
        for (size_t i = 0; i < sizeof(image_commands) / sizeof(image_commands[0]); i++)
                fprintf(out, "  %-9s %s\n", image_commands[i].name, image_commands[i].summary);
}

int cmd_image(struct rc_cli *cli, int argc, char **argv)
{
        if (argc >= 2 && argv[1][0] != '-') {
                for (size_t i = 0; i < sizeof(image_commands) / sizeof(image_commands[0]); i++)
                        if (strcmp(argv[1], image_commands[i].name) == 0) {
                                optind = 0; /* getopt starts afresh for the subcommand */
                                return image_commands[i].fn(cli, argc - 1, argv + 1);
                        }
                fprintf(stderr, "Error: unrecognized command `rc image %s`\nTry 'rc image --help' for more information\n",
                        argv[1]);
                return 125;
        }
        if (argc >= 2 && !rc_cli_wants_help(argc, argv))
                return rc_cli_usage_error("image", "unknown flag: %s", argv[1]);
        image_usage(stdout);
        if (argc >= 2)
                return 0;
        rc_cli_error("missing command 'rc image COMMAND'");
        return 125;
}
