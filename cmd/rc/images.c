/* rc images: the list of stored images, in podman's shapes (its table,
 * --format templates and JSON). */
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "format/format.h"
#include "images/images.h"
#include "images_list.h"
#include "rc.h"
#include "store/store.h"
#include "util/xalloc.h"

/* Fields of a row, as podman's images template sees them: ID is short
 * (sha256:ID with --no-trunc), Created is an age, Size is human. */
static const char *const row_headers[] = { "ID", "IMAGE ID", "ReadOnly", "R/O", "CreatedSince", "CREATED", NULL };
static const struct rc_template_opts row_opts = {
        .name = "images", .type_name = "images.imageReporter", .headers = row_headers, .fold_case = true,
};

#define DEFAULT_FORMAT "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}"
#define DIGESTS_FORMAT "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}"

static json_object *strv_json(char *const *v)
{
        json_object *a = json_object_new_array();

        for (size_t i = 0; v && v[i]; i++)
                json_object_array_add(a, json_object_new_string(v[i]));
        return a;
}

/* "repo@sha256:..." for each repository the image has a name in. */
static json_object *repo_digests(const struct rc_image_info *e)
{
        json_object *a = json_object_new_array();
        cleanup_strv char **seen = xcalloc(1, sizeof(char *));

        for (size_t i = 0; e->img.names && e->img.names[i] && e->img.manifest_digest[0]; i++) {
                cleanup_free char *repo = NULL, *tag = NULL, *rd = NULL;
                rc_cli_split_name(e->img.names[i], &repo, &tag);
                rd = xasprintf("%s@%s", repo, e->img.manifest_digest);
                if (!strv_contains(seen, rd)) {
                        strv_push(&seen, rd);
                        json_object_array_add(a, json_object_new_string(rd));
                }
        }
        return a;
}

/* podman's JSON for one image (its ImageSummary with Created and
 * CreatedAt). */
static json_object *image_json(const struct rc_image_info *e)
{
        json_object *o = json_object_new_object();
        char at[64];

        rc_format_rfc3339(e->created, at, sizeof(at));
        json_object_object_add(o, "Id", json_object_new_string(e->img.id));
        json_object_object_add(o, "ParentId", json_object_new_string(""));
        json_object_object_add(o, "RepoTags", NULL);
        json_object_object_add(o, "RepoDigests", repo_digests(e));
        json_object_object_add(o, "Size", json_object_new_int64((int64_t)e->img.size));
        json_object_object_add(o, "SharedSize", json_object_new_int(0));
        json_object_object_add(o, "VirtualSize", json_object_new_int64((int64_t)e->img.size));
        json_object_object_add(o, "Labels", json_object_get(e->labels));
        json_object_object_add(o, "Containers", json_object_new_int((int)e->containers));
        if (e->dangling)
                json_object_object_add(o, "Dangling", json_object_new_boolean(1));
        if (strv_len(e->img.names))
                json_object_object_add(o, "Names", strv_json(e->img.names));
        if (e->img.manifest_digest[0])
                json_object_object_add(o, "Digest", json_object_new_string(e->img.manifest_digest));
        if (strv_len(e->img.names))
                json_object_object_add(o, "History", strv_json(e->img.names));
        json_object_object_add(o, "Created", json_object_new_int64(e->created));
        json_object_object_add(o, "CreatedAt", json_object_new_string(at));
        return o;
}

/* One row of the table or template: podman's imageReporter. */
static json_object *row_json(const struct rc_image_row *r, bool no_trunc, int64_t now)
{
        const struct rc_image_info *e = r->info;
        json_object *o = json_object_new_object();
        char age[64], at[64], size[32];
        cleanup_free char *id = no_trunc ? xasprintf("sha256:%s", e->img.id) : xstrndup(e->img.id, 12);
        cleanup_free char *history = NULL;

        rc_format_since(e->created, now, age, sizeof(age));
        rc_format_go_time(e->created, at, sizeof(at));
        rc_format_size(e->img.size, size, sizeof(size));
        for (size_t i = 0; e->img.names && e->img.names[i]; i++) {
                char *h = xasprintf("%s%s%s", history ? history : "", history ? ", " : "", e->img.names[i]);
                free(history);
                history = h;
        }
        json_object_object_add(o, "ID", json_object_new_string(id));
        json_object_object_add(o, "Id", json_object_new_string(e->img.id));
        json_object_object_add(o, "Repository", json_object_new_string(r->repo));
        json_object_object_add(o, "Tag", json_object_new_string(r->tag));
        json_object_object_add(o, "Digest", json_object_new_string(e->img.manifest_digest));
        json_object_object_add(o, "CreatedSince", json_object_new_string(age));
        json_object_object_add(o, "Created", json_object_new_string(age));
        json_object_object_add(o, "CreatedAt", json_object_new_string(at));
        json_object_object_add(o, "CreatedTime", json_object_new_string(at));
        json_object_object_add(o, "Size", json_object_new_string(size));
        json_object_object_add(o, "VirtualSize", json_object_new_int64((int64_t)e->img.size));
        json_object_object_add(o, "SharedSize", json_object_new_int(0));
        json_object_object_add(o, "ParentId", json_object_new_string(""));
        json_object_object_add(o, "RepoTags", strv_json(e->img.names));
        json_object_object_add(o, "RepoDigests", repo_digests(e));
        json_object_object_add(o, "Names", strv_json(e->img.names));
        json_object_object_add(o, "Labels", json_object_get(e->labels));
        json_object_object_add(o, "Containers", json_object_new_int((int)e->containers));
        json_object_object_add(o, "ReadOnly", json_object_new_boolean(0));
        json_object_object_add(o, "Dangling", json_object_new_boolean(e->dangling));
        json_object_object_add(o, "History", json_object_new_string(history ? history : ""));
        return o;
}

static void images_help(void)
{
        printf("List images in local storage\n\n"
               "Description:\n"
               "  Lists images previously pulled to the system or created on the system.\n\n"
               "Usage:\n"
               "  rc images [options] [IMAGE]\n\n"
               "Examples:\n"
               "  rc images --format json\n"
               "  rc images --sort repository --format \"table {{.ID}} {{.Repository}} {{.Tag}}\"\n"
               "  rc images --filter dangling=true\n\n"
               "Options:\n"
               "  -a, --all               Show all images (default hides intermediate images)\n"
               "      --digests           Show digests\n"
               "  -f, --filter FILTER     Filter output based on conditions provided: before, containers,\n"
               "                          dangling, id, label, readonly, reference, since/after, until\n"
               "      --format FORMAT     Change the output format to JSON or a Go template\n"
               "      --history           Display the image name history\n"
               "      --no-trunc          Do not truncate output\n"
               "  -n, --noheading         Do not print column headings\n"
               "  -q, --quiet             Display only image IDs\n"
               "      --sort FIELD        Sort by created, id, repository, size or tag (default \"created\")\n");
}

int cmd_images(struct rc_cli *cli, int argc, char **argv)
{
        enum { OPT_FORMAT = 256, OPT_DIGESTS, OPT_NO_TRUNC, OPT_SORT, OPT_HISTORY };
        static const struct option opts[] = {
                { "quiet", no_argument, NULL, 'q' },           { "all", no_argument, NULL, 'a' },
                { "format", required_argument, NULL, OPT_FORMAT }, { "digests", no_argument, NULL, OPT_DIGESTS },
                { "no-trunc", no_argument, NULL, OPT_NO_TRUNC }, { "notruncate", no_argument, NULL, OPT_NO_TRUNC },
                { "noheading", no_argument, NULL, 'n' },       { "filter", required_argument, NULL, 'f' },
                { "sort", required_argument, NULL, OPT_SORT }, { "history", no_argument, NULL, OPT_HISTORY },
                { "help", no_argument, NULL, 'h' },            { NULL, 0, NULL, 0 },
        };
        bool quiet = false, digests = false, no_trunc = false, noheading = false, all = false;
        cleanup_strv char **filters = xcalloc(1, sizeof(char *));
        const char *format = NULL, *sort = "created";
        struct rc_image_list list = { 0 };
        json_object *rows;
        rc_error *err = NULL;
        int c, status = 0;

        while ((c = rc_cli_getopt("images", argc, argv, "qanf:h", opts)) != -1) {
                switch (c) {
                case 'q':
                        quiet = true;
                        break;
                case 'a':
                        all = true; /* with the intermediate images of builds */
                        break;
                case OPT_FORMAT:
                        format = optarg; /* the last one wins, as in podman */
                        break;
                case OPT_DIGESTS:
                        digests = true;
                        break;
                case OPT_NO_TRUNC:
                        no_trunc = true;
                        break;
                case 'n':
                        noheading = true;
                        break;
                case 'f':
                        strv_push(&filters, optarg);
                        break;
                case OPT_SORT:
                        sort = optarg;
                        break;
                case OPT_HISTORY:
                        break; /* the name history is the current names (docs/podman-compat.md) */
                case 'h':
                        images_help();
                        return 0;
                default:
                        return 125;
                }
        }
        if (argc - optind > 1)
                return rc_cli_usage_error("images", "accepts at most 1 arg(s), received %d", argc - optind);
        if (optind < argc && filters[0])
                return rc_cli_usage_error("images", "cannot specify an image and a filter(s)");
        if (rc_images_list_sort_valid(sort) < 0)
                return rc_cli_usage_error("images", "\"%s\" is not a valid field for sorting. Choose from: created, id, "
                                          "repository, size, tag", sort);
        for (size_t i = 0; filters[i]; i++)
                if (strncmp(filters[i], "intermediate", 12) == 0)
                        all = true; /* the filter decides */
        if (rc_images_list_load(cli, optind < argc ? argv[optind] : NULL, filters, all, &list, &err) < 0)
                return rc_cli_fail(err);
        rc_images_list_rows(&list, sort);
        if (rc_format_is_json(format)) {
                json_object *arr = json_object_new_array();
                cleanup_strv char **done = xcalloc(1, sizeof(char *));
                for (size_t i = 0; i < list.n_rows; i++) {
                        if (strv_contains(done, list.rows[i].info->img.id))
                                continue;
                        strv_push(&done, list.rows[i].info->img.id);
                        json_object_array_add(arr, image_json(list.rows[i].info));
                }
                printf("%s\n", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                                           JSON_C_TO_STRING_NOSLASHESCAPE));
                json_object_put(arr);
        } else if (quiet) {
                cleanup_strv char **done = xcalloc(1, sizeof(char *));
                for (size_t i = 0; i < list.n_rows; i++) {
                        const char *id = list.rows[i].info->img.id;
                        if (strv_contains(done, id))
                                continue;
                        strv_push(&done, id);
                        if (no_trunc)
                                printf("sha256:%s\n", id);
                        else
                                printf("%.12s\n", id);
                }
        } else {
                int64_t now = (int64_t)time(NULL);
                /* a user's template without "table" prints no header */
                unsigned flags = noheading ? RC_FORMAT_NOHEADING : 0;
                rows = json_object_new_array();
                for (size_t i = 0; i < list.n_rows; i++)
                        json_object_array_add(rows, row_json(&list.rows[i], no_trunc, now));
                if (format == NULL || strcmp(format, "table") == 0)
                        format = digests ? DIGESTS_FORMAT : DEFAULT_FORMAT;
                if (rc_format_list(stdout, format, rows, &row_opts, flags, &err) < 0)
                        status = rc_cli_fail(err);
                json_object_put(rows);
        }
        rc_images_list_free(&list);
        return status;
}
