/* rc save, rc load */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "images/images.h"
#include "rc.h"
#include "util/interrupt.h"
#include "util/xalloc.h"

int cmd_save(struct rc_cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                { "output", required_argument, NULL, 'o' },
                { "format", required_argument, NULL, 'f' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        enum rc_archive_format format = RC_ARCHIVE_DOCKER;
        cleanup_store struct rc_store *s = NULL;
        cleanup_free char *tmp = NULL;
        const char *output = NULL;
        rc_error *err = NULL;
        int c, fd;

        while ((c = getopt_long(argc, argv, "+o:h", opts, NULL)) != -1) {
                switch (c) {
                case 'o':
                        output = optarg;
                        break;
                case 'f':
                        if (!strcmp(optarg, "docker-archive"))
                                format = RC_ARCHIVE_DOCKER;
                        else if (!strcmp(optarg, "oci-archive"))
                                format = RC_ARCHIVE_OCI;
                        else
                                return rc_cli_usage_error("save", "--format: docker-archive or oci-archive");
                        break;
                case 'h':
                        printf("Usage: rc save [-o FILE] [--format docker-archive|oci-archive] IMAGE...\n\n"
                               "Write images to a tar archive (standard output without -o) that docker load,\n"
                               "podman load and rc load read.\n");
                        return 0;
                default:
                        return rc_cli_usage_error("save", "invalid option");
                }
        }
        if (optind >= argc)
                return rc_cli_usage_error("save", "save needs at least one image");
        if (output == NULL && isatty(STDOUT_FILENO))
                return rc_cli_usage_error("save", "refusing to write an archive to a terminal: use -o FILE");
        if (rc_store_open(cli->cfg.root, &s, &err) < 0)
                return rc_cli_fail(err);
        if (output) {
                /* written beside the target and renamed: no half archive on failure */
                tmp = xasprintf("%s.tmp-%d", output, (int)getpid());
                fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
                if (fd < 0) {
                        rc_error_set(&err, errno, "save: create %s", output);
                        return rc_cli_fail(err);
                }
        } else {
                fd = STDOUT_FILENO;
        }
        if (rc_images_save(s, argv + optind, fd, format, &err) < 0 || (output && fsync(fd) < 0 && !err)) {
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
        bool quiet = false;
        rc_error *err = NULL;
        int c;

        while ((c = getopt_long(argc, argv, "+i:qh", opts, NULL)) != -1) {
                switch (c) {
                case 'i':
                        input = optarg;
                        break;
                case 'q':
                        quiet = true;
                        break;
                case 'h':
                        printf("Usage: rc load [-i FILE] [-q]\n\n"
                               "Load images from a docker-archive or oci-archive (plain, gzip or zstd), from\n"
                               "FILE or standard input.\n");
                        return 0;
                default:
                        return rc_cli_usage_error("load", "invalid option");
                }
        }
        if (optind != argc)
                return rc_cli_usage_error("load", "load takes no arguments (use -i FILE)");
        fd = input ? open(input, O_RDONLY | O_CLOEXEC) : fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
        if (fd < 0) {
                rc_error_set(&err, errno, "load: open %s", input ? input : "standard input");
                return rc_cli_fail(err);
        }
        rc_interrupt_catch(); /* Ctrl-C: unwind and remove the staging */
        if (rc_cli_open_store_rw(cli, &s, &err) < 0 || rc_images_load(s, fd, &loaded, &err) < 0)
                return rc_cli_fail(err);
        for (size_t i = 0; loaded[i]; i++)
                printf(quiet ? "%s\n" : "Loaded image: %s\n", loaded[i]);
        return 0;
}
