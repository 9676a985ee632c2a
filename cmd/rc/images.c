/* rc import, rc images, rc rmi */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "images/images.h"
#include "rc.h"
#include "store/store.h"
#include "util/interrupt.h"
#include "util/xalloc.h"

int cmd_import(struct rc_cli *cli, int argc, char **argv)
{
        static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
        cleanup_store struct rc_store *s = NULL;
        cleanup_close int fd = -1;
        char id[RC_DIGEST_HEX_LEN + 1];
        rc_error *err = NULL;
        const char *path, *name;
        int c;

        while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
                if (c == 'h') {
                        printf("Usage: rc import TARBALL|- [NAME[:TAG]]\n\n"
                               "Create an image with one layer from a root file system tarball (plain, gzip or\n"
                               "zstd; '-' reads standard input).  Prints the new image's id.\n");
                        return 0;
                }
                return rc_cli_usage_error("import", "invalid option");
        }
        if (optind >= argc || argc - optind > 2)
                return rc_cli_usage_error("import", "import takes a tarball and an optional image name");
        path = argv[optind];
        name = optind + 1 < argc ? argv[optind + 1] : NULL;
        if (strcmp(path, "-") == 0) {
                fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
        } else {
                fd = open(path, O_RDONLY | O_CLOEXEC);
                if (fd < 0) {
                        rc_error_set(&err, errno, "import: open %s", path);
                        return rc_cli_fail(err);
                }
        }
        rc_interrupt_catch(); /* Ctrl-C: unwind and remove the staging */
        if (rc_cli_open_store_rw(cli, &s, &err) < 0 || rc_images_import(s, fd, name, id, &err) < 0) {
                rc_error_wrap(&err, "import %s", path);
                return rc_cli_fail(err);
        }
        printf("%s\n", id);
        return 0;
}

/* "host/repo:tag" -> repository and tag (a ':' after the last '/'). */
static void split_name(const char *name, char **repo, char **tag)
{
        const char *slash = strrchr(name, '/');
        const char *colon = strrchr(slash ? slash : name, ':');

        if (colon) {
                *repo = xstrndup(name, (size_t)(colon - name));
                *tag = xstrdup(colon + 1);
        } else {
                *repo = xstrdup(name);
                *tag = xstrdup("<none>");
        }
}

/* Keep only the names of `what`'s repository (its exact name when it has a
 * tag), short names also matching localhost/NAME; drop images left without. */
static int filter_images(struct rc_image *imgs, size_t *n, const char *what, rc_error **err)
{
        struct rc_reference ref = { 0 };
        const char *last = strrchr(what, '/');
        bool exact = strchr(last ? last : what, ':') != NULL || strchr(what, '@') != NULL;
        char *want[2] = { NULL, NULL };
        size_t kept = 0;

        if (rc_reference_parse(what, &ref, err) < 0)
                return -1;
        want[0] = exact ? rc_reference_string(&ref) : rc_reference_name(&ref);
        if (!rc_reference_has_domain(what)) {
                const char *path = strncmp(ref.path, "library/", 8) == 0 && !strchr(what, '/') ? ref.path + 8 : ref.path;
                want[1] = exact ? xasprintf("localhost/%s:%s", path, ref.tag ? ref.tag : "latest")
                                : xasprintf("localhost/%s", path);
        }
        for (size_t i = 0; i < *n; i++) {
                char **names = xcalloc(1, sizeof(char *));
                for (size_t j = 0; imgs[i].names && imgs[i].names[j]; j++) {
                        cleanup_free char *repo = NULL, *tag = NULL;
                        split_name(imgs[i].names[j], &repo, &tag);
                        for (size_t k = 0; k < 2; k++)
                                if (want[k] && strcmp(exact ? imgs[i].names[j] : repo, want[k]) == 0) {
                                        strv_push(&names, imgs[i].names[j]);
                                        break;
                                }
                }
                strv_free(imgs[i].names);
                imgs[i].names = names;
                if (names[0] == NULL) {
                        rc_image_free(&imgs[i]);
                        continue;
                }
                imgs[kept++] = imgs[i];
        }
        *n = kept;
        free(want[0]);
        free(want[1]);
        rc_reference_free(&ref);
        return 0;
}

static void print_json(struct rc_image *imgs, size_t n)
{
        json_object *arr = json_object_new_array();

        for (size_t i = 0; i < n; i++) {
                json_object *o = json_object_new_object(), *names = json_object_new_array();
                for (size_t j = 0; imgs[i].names && imgs[i].names[j]; j++)
                        json_object_array_add(names, json_object_new_string(imgs[i].names[j]));
                json_object_object_add(o, "Id", json_object_new_string(imgs[i].id));
                json_object_object_add(o, "Names", json_object_get(names));
                json_object_object_add(o, "RepoTags", names);
                json_object_object_add(o, "Digest", json_object_new_string(imgs[i].manifest_digest));
                json_object_object_add(o, "Size", json_object_new_int64((int64_t)imgs[i].size));
                json_object_object_add(o, "Created", json_object_new_int64(imgs[i].created));
                json_object_object_add(o, "Layers", json_object_new_int((int)strv_len(imgs[i].layers)));
                json_object_array_add(arr, o);
        }
        printf("%s\n", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(arr);
}

int cmd_images(struct rc_cli *cli, int argc, char **argv)
{
        enum { OPT_FORMAT = 256, OPT_DIGESTS, OPT_NO_TRUNC };
        static const struct option opts[] = {
                { "quiet", no_argument, NULL, 'q' },       { "all", no_argument, NULL, 'a' },
                { "format", required_argument, NULL, OPT_FORMAT }, { "digests", no_argument, NULL, OPT_DIGESTS },
                { "no-trunc", no_argument, NULL, OPT_NO_TRUNC }, { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        bool quiet = false, digests = false, no_trunc = false, json = false;
        cleanup_store struct rc_store *s = NULL;
        struct rc_image *imgs = NULL;
        size_t n = 0;
        rc_error *err = NULL;
        int c;

        while ((c = getopt_long(argc, argv, "+qah", opts, NULL)) != -1) {
                switch (c) {
                case 'q':
                        quiet = true;
                        break;
                case 'a':
                        break; /* rc keeps no intermediate images: all are shown */
                case OPT_FORMAT:
                        if (strcmp(optarg, "json") != 0)
                                return rc_cli_usage_error("images", "--format: only 'json' is supported");
                        json = true;
                        break;
                case OPT_DIGESTS:
                        digests = true;
                        break;
                case OPT_NO_TRUNC:
                        no_trunc = true;
                        break;
                case 'h':
                        printf("Usage: rc images [-q] [-a] [--digests] [--no-trunc] [--format json] [REPOSITORY[:TAG]]\n\n"
                               "List images, or the names of one repository (one tag, when given).\n");
                        return 0;
                default:
                        return rc_cli_usage_error("images", "invalid option");
                }
        }
        if (argc - optind > 1)
                return rc_cli_usage_error("images", "images takes at most one REPOSITORY[:TAG]");
        /* Listing needs neither the user namespace nor the write lock,
         * unless an interrupted or killed rc left staging to collect. */
        if (rc_store_has_dead_staging(cli->cfg.root) ? rc_cli_open_store_rw(cli, &s, &err) < 0
                                                     : rc_store_open(cli->cfg.root, &s, &err) < 0)
                return rc_cli_fail(err);
        if (rc_store_image_list(s, &imgs, &n, &err) < 0)
                return rc_cli_fail(err);
        if (optind < argc && filter_images(imgs, &n, argv[optind], &err) < 0) {
                rc_image_list_free(imgs, n);
                return rc_cli_fail(err);
        }
        if (json) {
                print_json(imgs, n);
        } else if (quiet) {
                for (size_t i = 0; i < n; i++)
                        printf("%.*s\n", no_trunc ? RC_DIGEST_HEX_LEN : 12, imgs[i].id);
        } else {
                printf("%-40s %-12s %s%-14s %-16s %s\n", "REPOSITORY", "TAG", digests ? "DIGEST                                                                   " : "", "IMAGE ID", "CREATED", "SIZE");
                for (size_t i = 0; i < n; i++) {
                        char size[32], age[48];
                        size_t names = strv_len(imgs[i].names);
                        rc_cli_human_size(imgs[i].size, size, sizeof(size));
                        rc_cli_human_age(imgs[i].created, age, sizeof(age));
                        for (size_t j = 0; j < (names ? names : 1); j++) {
                                cleanup_free char *repo = NULL, *tag = NULL;
                                if (names)
                                        split_name(imgs[i].names[j], &repo, &tag);
                                printf("%-40s %-12s ", repo ? repo : "<none>", tag ? tag : "<none>");
                                if (digests)
                                        printf("%-73s ", imgs[i].manifest_digest);
                                printf("%-14.*s %-16s %s\n", no_trunc ? RC_DIGEST_HEX_LEN : 12, imgs[i].id, age, size);
                        }
                }
        }
        rc_image_list_free(imgs, n);
        return 0;
}

int cmd_rmi(struct rc_cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                { "force", no_argument, NULL, 'f' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        cleanup_store struct rc_store *s = NULL;
        rc_error *err = NULL;
        bool force = false;
        int c, status = 0;

        while ((c = getopt_long(argc, argv, "+fh", opts, NULL)) != -1) {
                switch (c) {
                case 'f':
                        force = true;
                        break;
                case 'h':
                        printf("Usage: rc rmi [-f] IMAGE...\n\n"
                               "Remove images by name or id.  A name removes that name, and the image with its\n"
                               "last name; an id removes the image with all its names.  -f also removes\n"
                               "stopped containers that use it.\n");
                        return 0;
                default:
                        return rc_cli_usage_error("rmi", "invalid option");
                }
        }
        if (optind >= argc)
                return rc_cli_usage_error("rmi", "rmi needs at least one image");
        if (rc_cli_open_store_rw(cli, &s, &err) < 0)
                return rc_cli_fail(err);
        for (int i = optind; i < argc; i++) {
                cleanup_free char *untagged = NULL;
                char deleted[RC_DIGEST_HEX_LEN + 1] = "";
                if (rc_images_remove(s, argv[i], force, &untagged, deleted, &err) < 0) {
                        int e = rc_error_errno(err);
                        fprintf(stderr, "rc: %s\n", err->msg);
                        rc_error_free(err);
                        err = NULL;
                        /* podman's codes: 1 no such image, 2 image in use */
                        if (status == 0 || status == 1)
                                status = e == ENOENT ? 1 : e == EBUSY ? 2 : 125;
                        continue;
                }
                if (untagged)
                        printf("Untagged: %s\n", untagged);
                if (deleted[0])
                        printf("Deleted: %s\n", deleted);
        }
        return status;
}
