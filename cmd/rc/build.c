/* rc commit and rc build */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build/build.h"
#include "rc.h"
#include "store/store.h"
#include "util/interrupt.h"
#include "util/xalloc.h"

static void commit_help(void)
{
        printf("Create new image based on the changed container\n\n"
               "Description:\n"
               "  Create an image from a container's changes.  Optionally tag the image created, set the\n"
               "  author with the --author flag, set the commit message with the --message flag, and make\n"
               "  changes to the instructions with the --change flag.  Prints the new image's id.\n\n"
               "Usage:\n"
               "  rc commit [options] CONTAINER [IMAGE]\n\n"
               "Examples:\n"
               "  rc commit web web-snapshot:1\n"
               "  rc commit -q --change 'CMD [\"/bin/app\"]' --change ENV=DEBUG=1 web app:debug\n\n"
               "Options:\n"
               "  -a, --author AUTHOR    Set the author for the image committed\n"
               "  -c, --change CHANGE    Apply a Dockerfile instruction: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL,\n"
               "                         ONBUILD, STOPSIGNAL, USER, VOLUME or WORKDIR\n"
               "  -m, --message MESSAGE  Set commit message for imported image\n"
               "  -p, --pause            Accepted; a running container is read as it is (not paused)\n"
               "  -q, --quiet            Suppress output\n");
}

/* podman takes "ENV=K=V" and "CMD=x" as well as Dockerfile lines. */
static char *change_line(const char *c)
{
        size_t n = strcspn(c, " \t=");

        if (c[n] == '=')
                return xasprintf("%.*s %s", (int)n, c, c + n + 1);
        return xstrdup(c);
}

int cmd_commit(struct rc_cli *cli, int argc, char **argv)
{
        enum { OPT_FORMAT = 256, OPT_SQUASH, OPT_INCLUDE_VOLUMES };
        static const struct option opts[] = {
                { "author", required_argument, NULL, 'a' },  { "change", required_argument, NULL, 'c' },
                { "message", required_argument, NULL, 'm' }, { "pause", optional_argument, NULL, 'p' },
                { "quiet", no_argument, NULL, 'q' },         { "format", required_argument, NULL, OPT_FORMAT },
                { "help", no_argument, NULL, 'h' },          { NULL, 0, NULL, 0 },
        };
        struct rc_commit_opts o = { 0 };
        cleanup_strv char **changes = xcalloc(1, sizeof(char *));
        cleanup_store struct rc_store *s = NULL;
        rc_error *err = NULL;
        char id[65];
        int c;

        while ((c = rc_cli_getopt("commit", argc, argv, "a:c:m:pqh", opts)) != -1) {
                switch (c) {
                case 'a':
                        o.author = optarg;
                        break;
                case 'c': {
                        cleanup_free char *line = change_line(optarg);
                        strv_push(&changes, line);
                        break;
                }
                case 'm':
                        o.message = optarg;
                        break;
                case 'p':
                case 'q':
                        break;
                case OPT_FORMAT:
                        if (strcmp(optarg, "oci") && strcmp(optarg, "docker"))
                                return rc_cli_usage_error("commit", "unrecognized image type \"%s\"", optarg);
                        break; /* rc stores OCI images; save and push convert */
                case 'h':
                        commit_help();
                        return 0;
                default:
                        return 125;
                }
        }
        if (optind >= argc)
                return rc_cli_usage_error("commit", "need at least one argument: CONTAINER [IMAGE]");
        if (argc - optind > 2)
                return rc_cli_usage_error("commit", "too many arguments: CONTAINER [IMAGE]");
        o.container = argv[optind];
        o.image = optind + 1 < argc ? argv[optind + 1] : NULL;
        o.changes = changes;
        rc_interrupt_catch(); /* Ctrl-C: unwind and remove the staging */
        if (rc_cli_open_store_rw(cli, &s, &err) < 0 || rc_build_commit(s, &o, id, &err) < 0)
                return rc_cli_fail(err);
        printf("%s\n", id);
        return 0;
}

int cmd_build(struct rc_cli *cli, int argc, char **argv)
{
        (void)cli;
        (void)argc;
        (void)argv;
        return rc_cli_usage_error("build", "not yet");
}
