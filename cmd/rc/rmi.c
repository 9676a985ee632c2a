/* rc rmi, rc tag, rc untag, rc image exists, rc import */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "images/images.h"
#include "rc.h"
#include "store/store.h"
#include "util/interrupt.h"
#include "util/xalloc.h"

/* podman's exit status for rmi: 2 when an image is in use, 1 when images
 * were only missing, 125 otherwise. */
static int rmi_status(const int *errnos, size_t n)
{
        bool missing = false, busy = false, other = false;

        for (size_t i = 0; i < n; i++) {
                missing |= errnos[i] == ENOENT;
                busy |= errnos[i] == EBUSY;
                other |= errnos[i] != ENOENT && errnos[i] != EBUSY;
        }
        return busy ? 2 : missing && !other ? 1 : n ? 125 : 0;
}

/* podman prints one error as is and several as a list. */
static void print_errors(char *const *msgs)
{
        size_t n = strv_len(msgs);

        if (n == 1) {
                rc_cli_error("%s", msgs[0]);
        } else if (n > 1) {
                fprintf(stderr, "Error: %zu errors occurred:\n", n);
                for (size_t i = 0; i < n; i++)
                        fprintf(stderr, "\t* %s\n", msgs[i]);
        }
}

int cmd_rmi(struct rc_cli *cli, int argc, char **argv)
{
        enum { OPT_NO_PRUNE = 256 };
        static const struct option opts[] = {
                { "force", no_argument, NULL, 'f' },   { "all", no_argument, NULL, 'a' },
                { "ignore", no_argument, NULL, 'i' },  { "no-prune", no_argument, NULL, OPT_NO_PRUNE },
                { "help", no_argument, NULL, 'h' },    { NULL, 0, NULL, 0 },
        };
        cleanup_store struct rc_store *s = NULL;
        cleanup_strv char **untagged = xcalloc(1, sizeof(char *)), **deleted = xcalloc(1, sizeof(char *));
        cleanup_strv char **msgs = xcalloc(1, sizeof(char *)), **targets = NULL;
        cleanup_free int *errnos = NULL;
        bool force = false, all = false, ignore = false;
        size_t n_err = 0;
        rc_error *err = NULL;
        int c;

        while ((c = rc_cli_getopt("rmi", argc, argv, "faih", opts)) != -1) {
                switch (c) {
                case 'f':
                        force = true;
                        break;
                case 'a':
                        all = true;
                        break;
                case 'i':
                        ignore = true;
                        break;
                case OPT_NO_PRUNE:
                        break; /* rc keeps no dangling parent images to prune */
                case 'h':
                        printf("Remove one or more images from local storage\n\n"
                               "Description:\n"
                               "  Removes one or more previously pulled or locally created images.  A name of an\n"
                               "  image with other names only removes that name; an id of an image with several\n"
                               "  names needs --force.\n\n"
                               "Usage:\n"
                               "  rc rmi [options] IMAGE [IMAGE...]\n\n"
                               "Options:\n"
                               "  -a, --all        Remove all images\n"
                               "  -f, --force      Force removal of the image: also its stopped containers;\n"
                               "                   missing images are no error\n"
                               "  -i, --ignore     Ignore errors if a specified image does not exist\n"
                               "      --no-prune   Do not remove dangling images\n");
                        return 0;
                default:
                        return 125;
                }
        }
        if (optind >= argc && !all)
                return rc_cli_usage_error("rmi", "image name or ID must be specified");
        if (optind < argc && all)
                return rc_cli_usage_error("rmi", "when using the --all switch, you may not pass any images names or IDs");
        if (rc_cli_open_store_rw(cli, &s, &err) < 0)
                return rc_cli_fail(err);
        if (all) {
                struct rc_image *imgs = NULL;
                size_t n = 0;
                if (rc_store_image_list(s, &imgs, &n, &err) < 0)
                        return rc_cli_fail(err);
                targets = xcalloc(n + 1, sizeof(char *));
                for (size_t i = 0; i < n; i++)
                        targets[i] = xstrdup(imgs[i].id);
                rc_image_list_free(imgs, n);
        } else {
                targets = strv_dup(argv + optind);
        }
        errnos = xcalloc(strv_len(targets) + 1, sizeof(int));
        for (size_t i = 0; targets[i]; i++) {
                /* -a removes every image, whatever names it has */
                unsigned flags = (force ? RC_IMAGES_RM_FORCE : 0) | (all ? RC_IMAGES_RM_WHOLE : 0);
                if (rc_images_remove(s, targets[i], flags, &untagged, &deleted, &err) == 0)
                        continue;
                int e = rc_error_errno(err);
                if (e == ENOENT && (force || ignore)) {
                        rc_error_free(err);
                        err = NULL;
                        continue;
                }
                strv_push(&msgs, err->msg);
                errnos[n_err++] = e;
                rc_error_free(err);
                err = NULL;
        }
        for (size_t i = 0; untagged[i]; i++)
                printf("Untagged: %s\n", untagged[i]);
        for (size_t i = 0; deleted[i]; i++)
                printf("Deleted: %s\n", deleted[i]);
        fflush(stdout);
        print_errors(msgs);
        return rmi_status(errnos, n_err);
}

int cmd_tag(struct rc_cli *cli, int argc, char **argv)
{
        static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
        cleanup_store struct rc_store *s = NULL;
        rc_error *err = NULL;
        int c;

        while ((c = rc_cli_getopt("tag", argc, argv, "h", opts)) != -1) {
                if (c != 'h')
                        return 125;
                printf("Add an additional name to a local image\n\n"
                       "Description:\n"
                       "  Adds one or more additional names to locally-stored image.  A name without a\n"
                       "  registry is local: \"myimg\" becomes localhost/myimg:latest.\n\n"
                       "Usage:\n"
                       "  rc tag IMAGE TARGET_NAME [TARGET_NAME...]\n\n"
                       "Examples:\n"
                       "  rc tag 0e3bbc2 fedora:latest\n"
                       "  rc tag httpd myregistryhost:5000/fedora/httpd:v2\n");
                return 0;
        }
        if (argc - optind < 2)
                return rc_cli_usage_error("tag", "requires at least 2 arg(s), only received %d", argc - optind);
        if (rc_cli_open_store_rw(cli, &s, &err) < 0)
                return rc_cli_fail(err);
        for (int i = optind + 1; i < argc; i++)
                if (rc_images_tag(s, argv[optind], argv[i], &err) < 0)
                        return rc_cli_fail(err);
        return 0;
}

int cmd_untag(struct rc_cli *cli, int argc, char **argv)
{
        static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
        cleanup_store struct rc_store *s = NULL;
        cleanup_strv char **removed = xcalloc(1, sizeof(char *));
        rc_error *err = NULL;
        int c;

        while ((c = rc_cli_getopt("untag", argc, argv, "h", opts)) != -1) {
                if (c != 'h')
                        return 125;
                printf("Remove a name from a local image\n\n"
                       "Description:\n"
                       "  Removes one or more names from a locally-stored image; without names, all of\n"
                       "  them.  The image stays.\n\n"
                       "Usage:\n"
                       "  rc untag IMAGE [IMAGE...]\n\n"
                       "Examples:\n"
                       "  rc untag 0e3bbc2\n"
                       "  rc untag imageID:latest otherImageName:latest\n");
                return 0;
        }
        if (optind >= argc)
                return rc_cli_usage_error("untag", "requires at least 1 arg(s), only received 0");
        if (rc_cli_open_store_rw(cli, &s, &err) < 0 ||
            rc_images_untag(s, argv[optind], argv + optind + 1, &removed, &err) < 0)
                return rc_cli_fail(err);
        return 0;
}

int cmd_image_exists(struct rc_cli *cli, int argc, char **argv)
{
        static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
        cleanup_store struct rc_store *s = NULL;
        struct rc_image img;
        rc_error *err = NULL;
        int c;

        while ((c = rc_cli_getopt("image exists", argc, argv, "h", opts)) != -1) {
                if (c != 'h')
                        return 125;
                printf("Check if an image exists in local storage\n\n"
                       "Description:\n"
                       "  If the named image exists in local storage, rc image exists exits with 0,\n"
                       "  otherwise the exit code will be 1.\n\n"
                       "Usage:\n"
                       "  rc image exists IMAGE\n");
                return 0;
        }
        if (argc - optind != 1)
                return rc_cli_usage_error("image exists", "accepts 1 arg(s), received %d", argc - optind);
        if (rc_store_open(cli->cfg.root, cli->cfg.runroot, &s, &err) < 0)
                return rc_cli_fail(err);
        if (rc_images_resolve(s, argv[optind], &img, &err) < 0) {
                if (rc_error_errno(err) == ENOENT) {
                        rc_error_free(err);
                        return 1;
                }
                return rc_cli_fail(err);
        }
        rc_image_free(&img);
        return 0;
}

int cmd_import(struct rc_cli *cli, int argc, char **argv)
{
        enum { OPT_OS = 256, OPT_ARCH, OPT_VARIANT };
        static const struct option opts[] = {
                { "message", required_argument, NULL, 'm' }, { "quiet", no_argument, NULL, 'q' },
                { "os", required_argument, NULL, OPT_OS },   { "arch", required_argument, NULL, OPT_ARCH },
                { "variant", required_argument, NULL, OPT_VARIANT }, { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        struct rc_import_opts o = { 0 };
        cleanup_store struct rc_store *s = NULL;
        cleanup_close int fd = -1;
        char id[RC_DIGEST_HEX_LEN + 1];
        rc_error *err = NULL;
        const char *path;
        int c;

        while ((c = rc_cli_getopt("import", argc, argv, "m:qh", opts)) != -1) {
                switch (c) {
                case 'm':
                        o.message = optarg;
                        break;
                case 'q':
                        break; /* rc prints only the id anyway */
                case OPT_OS:
                        o.os = optarg;
                        break;
                case OPT_ARCH:
                        o.arch = optarg;
                        break;
                case OPT_VARIANT:
                        o.variant = optarg;
                        break;
                case 'h':
                        printf("Import a tarball to create a filesystem image\n\n"
                               "Description:\n"
                               "  Create a container image from the contents of the specified tarball (plain,\n"
                               "  gzip or zstd; '-' reads standard input).  Prints the image's id.\n\n"
                               "Usage:\n"
                               "  rc import [options] PATH [REFERENCE]\n\n"
                               "Examples:\n"
                               "  rc import rootfs.tar localhost/myimage\n"
                               "  cat rootfs.tar | rc import - myimage:1\n\n"
                               "Options:\n"
                               "      --arch ARCH        Set the architecture of the imported image\n"
                               "  -m, --message TEXT     Set commit message for imported image\n"
                               "      --os OS            Set the OS of the imported image\n"
                               "  -q, --quiet            Suppress output\n"
                               "      --variant VARIANT  Set the variant of the imported image\n");
                        return 0;
                default:
                        return 125;
                }
        }
        if (optind >= argc)
                return rc_cli_usage_error("import",
                                          "need to give the path to the tarball, or must specify a tarball of '-' for stdin");
        if (argc - optind > 2)
                return rc_cli_usage_error("import", "too many arguments. Usage TARBALL [REFERENCE]");
        path = argv[optind];
        o.name = optind + 1 < argc ? argv[optind + 1] : NULL;
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
        if (rc_cli_open_store_rw(cli, &s, &err) < 0 || rc_images_import(s, fd, &o, id, &err) < 0) {
                rc_error_wrap(&err, "import %s", path);
                return rc_cli_fail(err);
        }
        printf("sha256:%s\n", id); /* as podman prints it */
        return 0;
}
