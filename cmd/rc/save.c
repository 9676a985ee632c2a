/* rc save, rc load */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "images/images.h"
#include "rc.h"
#include "util/fs.h"
#include "util/interrupt.h"
#include "util/xalloc.h"

int cmd_save(struct rc_cli *cli, int argc, char **argv)
{
        enum { OPT_FORMAT = 256, OPT_UNCOMPRESSED, OPT_COMPRESS };
        static const struct option opts[] = {
                { "output", required_argument, NULL, 'o' },
                { "format", required_argument, NULL, OPT_FORMAT },
                { "multi-image-archive", no_argument, NULL, 'm' },
                { "uncompressed", no_argument, NULL, OPT_UNCOMPRESSED },
                { "compress", no_argument, NULL, OPT_COMPRESS },
                { "quiet", no_argument, NULL, 'q' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        struct rc_save_opts o = { .format = RC_ARCHIVE_DOCKER };
        cleanup_store struct rc_store *s = NULL;
        cleanup_free char *tmp = NULL;
        const char *output = NULL;
        bool multi = false;
        char *first[2] = { NULL, NULL };
        rc_error *err = NULL;
        int c, fd;

        while ((c = rc_cli_getopt("save", argc, argv, "o:mqh", opts)) != -1) {
                switch (c) {
                case 'o':
                        output = optarg;
                        break;
                case OPT_FORMAT:
                        if (!strcmp(optarg, "docker-archive"))
                                o.format = RC_ARCHIVE_DOCKER;
                        else if (!strcmp(optarg, "oci-archive"))
                                o.format = RC_ARCHIVE_OCI;
                        else
                                return rc_cli_usage_error("save", "format value must be one of docker-archive "
                                                                  "oci-archive (rc writes no directories)");
                        break;
                case 'm':
                        multi = true;
                        break;
                case OPT_UNCOMPRESSED:
                        o.uncompressed = true;
                        break;
                case OPT_COMPRESS:
                        return rc_cli_usage_error("save", "--compress can only be set when --format is 'docker-dir'");
                case 'q':
                        break; /* rc prints no progress */
                case 'h':
                        printf("Save image(s) to an archive\n\n"
                               "Description:\n"
                               "  Save an image to docker-archive or oci-archive on the local machine.  Default\n"
                               "  is docker-archive.  Further arguments are more names for the image in the\n"
                               "  archive, or with --multi-image-archive more images.\n\n"
                               "Usage:\n"
                               "  rc save [options] IMAGE [IMAGE...]\n\n"
                               "Examples:\n"
                               "  rc save --quiet -o myimage.tar imageID\n"
                               "  rc save > alpine-all.tar alpine:latest\n"
                               "  rc save -m -o both.tar alpine busybox\n\n"
                               "Options:\n"
                               "      --format FORMAT           Save image to oci-archive or docker-archive\n"
                               "                                (default \"docker-archive\")\n"
                               "  -m, --multi-image-archive     Interpret additional arguments as images not tags\n"
                               "                                and create a multi-image-archive (only for\n"
                               "                                docker-archive)\n"
                               "  -o, --output FILE             Write to a specified file (default: stdout, which\n"
                               "                                must be redirected)\n"
                               "  -q, --quiet                   Suppress the output\n"
                               "      --uncompressed            Accept uncompressed layers when copying OCI images\n");
                        return 0;
                default:
                        return 125;
                }
        }
        if (optind >= argc)
                return rc_cli_usage_error("save", "need at least 1 argument");
        if (output == NULL && isatty(STDOUT_FILENO))
                return rc_cli_usage_error("save", "refusing to save to terminal. Use -o flag or redirect");
        if (multi) {
                o.images = argv + optind;
        } else {
                first[0] = argv[optind];
                o.images = first;
                o.extra_names = argv + optind + 1;
        }
        if (rc_store_open(cli->cfg.root, cli->cfg.runroot, &s, &err) < 0)
                return rc_cli_fail(err);
        if (output) {
                /* written beside the target and renamed: no half archive on failure */
                tmp = xasprintf("%s.tmp-%d", output, (int)getpid());
                fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, rc_user_mode(0644));
                if (fd < 0) {
                        rc_error_set(&err, errno, "save: create %s", output);
                        return rc_cli_fail(err);
                }
        } else {
                fd = STDOUT_FILENO;
        }
        if (rc_images_save(s, &o, fd, &err) < 0 || (output && fsync(fd) < 0 && !err)) {
                if (output) {
                        close(fd);
                        unlink(tmp);
                }
                if (err == NULL)
                        rc_error_set(&err, errno, "save: write %s", output);
                return rc_cli_fail(err);
        }
        if (output) {
                close(fd);
                if (rename(tmp, output) < 0) {
                        rc_error_set(&err, errno, "save: rename to %s", output);
                        unlink(tmp);
                        return rc_cli_fail(err);
                }
        }
        return 0;
}

int cmd_load(struct rc_cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                { "input", required_argument, NULL, 'i' },
                { "quiet", no_argument, NULL, 'q' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        cleanup_store struct rc_store *s = NULL;
        cleanup_strv char **loaded = NULL;
        cleanup_close int fd = -1;
        const char *input = NULL;
        rc_error *err = NULL;
        int c;

        while ((c = rc_cli_getopt("load", argc, argv, "i:qh", opts)) != -1) {
                switch (c) {
                case 'i':
                        input = optarg;
                        break;
                case 'q':
                        break; /* podman still names what it loaded; rc prints no progress */
                case 'h':
                        printf("Load image(s) from a tar archive\n\n"
                               "Description:\n"
                               "  Loads images from a docker-archive or oci-archive (plain, gzip or zstd), from\n"
                               "  a file or standard input.\n\n"
                               "Usage:\n"
                               "  rc load [options]\n\n"
                               "Options:\n"
                               "  -i, --input FILE   Read from specified archive file (default: stdin)\n"
                               "  -q, --quiet        Suppress the output\n");
                        return 0;
                default:
                        return 125;
                }
        }
        if (optind != argc)
                return rc_cli_usage_error("load", "`rc load` takes no arguments");
        if (input == NULL && isatty(STDIN_FILENO))
                return rc_cli_usage_error("load", "cannot read from terminal, use command-line redirection or the "
                                                  "--input flag");
        fd = input ? open(input, O_RDONLY | O_CLOEXEC) : fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
        if (fd < 0) {
                rc_error_set(&err, errno, "load: open %s", input ? input : "standard input");
                return rc_cli_fail(err);
        }
        rc_interrupt_catch(); /* Ctrl-C: unwind and remove the staging */
        if (rc_cli_open_store_rw(cli, &s, &err) < 0 || rc_images_load(s, fd, &loaded, &err) < 0)
                return rc_cli_fail(err);
        for (size_t i = 0; loaded[i]; i++)
                printf("Loaded image: %s\n", loaded[i]);
        return 0;
}
