/* rc commit and rc build */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "build/build.h"
#include "format/format.h"
#include "rc.h"
#include "store/store.h"
#include "util/fs.h"
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

static void build_help(void)
{
        printf("Build an image using instructions from Containerfiles\n\n"
               "Description:\n"
               "  Builds an OCI image from a Containerfile (or Dockerfile) and a build context\n"
               "  directory.  Steps that make layers are cached: a step whose parent, instruction\n"
               "  and (for COPY and ADD) files did not change is taken from the cache.\n\n"
               "Usage:\n"
               "  rc build [options] [CONTEXT]\n\n"
               "Examples:\n"
               "  rc build -t app:1 .\n"
               "  rc build -f docker/Dockerfile.prod --build-arg VERSION=2 --target runtime -t app:prod .\n"
               "  rc build -t app - < Dockerfile\n\n"
               "Options:\n"
               "      --build-arg NAME=VALUE  Set a build argument (NAME alone: rc's environment's value)\n"
               "  -f, --file FILE             The Containerfile (default: CONTEXT/Containerfile or\n"
               "                              CONTEXT/Dockerfile; '-' reads standard input)\n"
               "      --iidfile FILE          Write the image id to FILE\n"
               "      --label KEY=VALUE       Set a label on the image\n"
               "      --network MODE          The network of RUN steps: slirp[:OPTIONS] (the default, user-mode),\n"
               "                              none or host\n"
               "      --no-cache              Do not use cached steps\n"
               "      --pull                  Pull every FROM image, even if it is stored\n"
               "  -q, --quiet                 Print only the image id (RUN output goes to stderr)\n"
               "  -t, --tag NAME              Name the image (short names become localhost/NAME)\n"
               "      --target STAGE          Build this stage (and those it needs), not the last\n"
               "      --tls-verify=false      Allow plain HTTP and unverified TLS for pulls\n"
               "      --layers, --rm, --force-rm, --format oci|docker\n"
               "                              Accepted as podman takes them\n");
}

/* The Dockerfile's text: a file, or standard input for "-". */
static int read_dockerfile(const char *path, char **data, size_t *len, rc_error **err)
{
        cleanup_close int fd = strcmp(path, "-") == 0 ? fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3)
                                                       : open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        struct stat st;

        if (fd < 0 || fstat(fd, &st) < 0)
                return rc_error_set(err, errno, "the Containerfile %s", path);
        if (S_ISDIR(st.st_mode))
                return rc_error_set(err, EISDIR, "the Containerfile %s", path);
        if (S_ISREG(st.st_mode) && st.st_size > (off_t)RC_DF_MAX_SIZE)
                return rc_error_set(err, EFBIG, "the Containerfile %s: larger than %u bytes", path, RC_DF_MAX_SIZE);
        if (fcntl(fd, F_SETFL, 0) < 0 || rc_read_fd(fd, data, len, err) < 0)
                return rc_error_wrap(err, "the Containerfile %s", path);
        return 0;
}

/* CONTEXT/Containerfile, else CONTEXT/Dockerfile (podman's order). */
static char *default_dockerfile(const char *context)
{
        char *c = xasprintf("%s/Containerfile", context);

        if (access(c, F_OK) == 0)
                return c;
        free(c);
        return xasprintf("%s/Dockerfile", context);
}

int cmd_build(struct rc_cli *cli, int argc, char **argv)
{
        enum { OPT_BUILD_ARG = 256, OPT_TARGET, OPT_NO_CACHE, OPT_PULL, OPT_LABEL, OPT_IIDFILE, OPT_NETWORK,
               OPT_TLS_VERIFY, OPT_ACCEPTED, OPT_FORMAT, OPT_PLATFORM };
        static const struct option opts[] = {
                { "tag", required_argument, NULL, 't' },          { "file", required_argument, NULL, 'f' },
                { "build-arg", required_argument, NULL, OPT_BUILD_ARG },
                { "target", required_argument, NULL, OPT_TARGET }, { "no-cache", no_argument, NULL, OPT_NO_CACHE },
                { "pull", optional_argument, NULL, OPT_PULL },    { "label", required_argument, NULL, OPT_LABEL },
                { "quiet", no_argument, NULL, 'q' },             { "iidfile", required_argument, NULL, OPT_IIDFILE },
                { "network", required_argument, NULL, OPT_NETWORK }, { "net", required_argument, NULL, OPT_NETWORK },
                { "tls-verify", required_argument, NULL, OPT_TLS_VERIFY },
                { "layers", optional_argument, NULL, OPT_ACCEPTED }, { "rm", optional_argument, NULL, OPT_ACCEPTED },
                { "force-rm", optional_argument, NULL, OPT_ACCEPTED },
                { "format", required_argument, NULL, OPT_FORMAT }, { "platform", required_argument, NULL, OPT_PLATFORM },
                { "help", no_argument, NULL, 'h' },               { NULL, 0, NULL, 0 },
        };
        struct rc_build_opts o = { .out = stdout, .pull_progress = rc_cli_progress };
        cleanup_strv char **tags = xcalloc(1, sizeof(char *)), **build_args = xcalloc(1, sizeof(char *));
        cleanup_strv char **labels = xcalloc(1, sizeof(char *));
        cleanup_free char *data = NULL, *default_file = NULL;
        cleanup_store struct rc_store *s = NULL;
        const char *file = NULL, *iidfile = NULL;
        rc_error *err = NULL;
        char id[65];
        size_t len = 0;
        int c, exit_code = 125;

        while ((c = rc_cli_getopt("build", argc, argv, "t:f:qh", opts)) != -1) {
                switch (c) {
                case 't':
                        strv_push(&tags, optarg);
                        break;
                case 'f':
                        file = optarg;
                        break;
                case OPT_BUILD_ARG:
                        strv_push(&build_args, optarg);
                        break;
                case OPT_TARGET:
                        o.target = optarg;
                        break;
                case OPT_NO_CACHE:
                        o.no_cache = true;
                        break;
                case OPT_PULL:
                        /* --pull, --pull=always|true: always; missing|false: as without it; never: as well */
                        o.pull = optarg == NULL || !strcmp(optarg, "always") || !strcmp(optarg, "true");
                        if (optarg && !o.pull && strcmp(optarg, "missing") && strcmp(optarg, "false") &&
                            strcmp(optarg, "never") && strcmp(optarg, "ifmissing"))
                                return rc_cli_usage_error("build", "--pull takes always, missing, never, true or false");
                        break;
                case OPT_LABEL:
                        strv_push(&labels, optarg);
                        break;
                case 'q':
                        o.quiet = true;
                        break;
                case OPT_IIDFILE:
                        iidfile = optarg;
                        break;
                case OPT_NETWORK:
                        if (strcmp(optarg, "none") && strcmp(optarg, "host") && strcmp(optarg, "slirp") &&
                            strncmp(optarg, "slirp:", 6) && strcmp(optarg, "private"))
                                return rc_cli_usage_error("build", "--network %s: supported values are slirp[:OPTIONS] "
                                                                   "(private), none and host",
                                                          optarg);
                        o.network = optarg;
                        break;
                case OPT_TLS_VERIFY:
                        if (rc_cli_tls_verify("build", optarg, &o.skip_tls_verify) != 0)
                                return 125;
                        break;
                case OPT_FORMAT:
                        if (strcmp(optarg, "oci") && strcmp(optarg, "docker"))
                                return rc_cli_usage_error("build", "unrecognized image type \"%s\"", optarg);
                        break; /* rc stores OCI images; save and push convert */
                case OPT_PLATFORM:
                        break; /* checked against the host by FROM --platform's rule below */
                case OPT_ACCEPTED:
                        break;
                case 'h':
                        build_help();
                        return 0;
                default:
                        return 125;
                }
        }
        if (argc - optind > 1)
                return rc_cli_usage_error("build", "accepts at most 1 arg(s), received %d", argc - optind);
        o.context = optind < argc ? argv[optind] : ".";
        if (strcmp(o.context, "-") == 0) {
                /* a Dockerfile on standard input, no context */
                if (file && strcmp(file, "-") != 0)
                        return rc_cli_usage_error("build", "the context '-' is the Containerfile itself: drop -f");
                o.context = NULL;
                file = "-";
        } else {
                struct stat st;
                if (stat(o.context, &st) < 0 || !S_ISDIR(st.st_mode)) {
                        rc_error_set(&err, errno ? errno : ENOTDIR, "the build context %s must be a directory",
                                     o.context);
                        return rc_cli_fail(err);
                }
                if (file == NULL)
                        file = default_file = default_dockerfile(o.context);
        }
        if (read_dockerfile(file, &data, &len, &err) < 0)
                return rc_cli_fail(err);
        o.dockerfile = strcmp(file, "-") == 0 ? "Containerfile" : file;
        o.data = data;
        o.len = len;
        o.tags = tags;
        o.build_args = build_args;
        o.labels = labels;
        rc_interrupt_catch(); /* Ctrl-C: unwind and remove the staging */
        if (rc_cli_open_store_rw(cli, &s, &err) < 0)
                return rc_cli_fail(err);
        if (rc_build(&cli->cfg, s, &o, id, &exit_code, &err) < 0) {
                rc_cli_fail(err);
                return exit_code;
        }
        if (iidfile) {
                cleanup_free char *text = xasprintf("sha256:%s", id);
                if (rc_write_file_atomic(iidfile, text, strlen(text), 0644, &err) < 0)
                        return rc_cli_fail(err);
        }
        printf("%s\n", id);
        return 0;
}

/* ---- rc diff ---- */

int cmd_diff(struct rc_cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                { "format", required_argument, NULL, 'f' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        cleanup_store struct rc_store *s = NULL;
        struct rc_change *changes = NULL;
        const char *format = NULL;
        rc_error *err = NULL;
        size_t n = 0;
        int c;

        while ((c = rc_cli_getopt("diff", argc, argv, "f:h", opts)) != -1) {
                switch (c) {
                case 'f':
                        format = optarg;
                        break;
                case 'h':
                        printf("Inspect changes to the container's or image's file systems\n\n"
                               "Description:\n"
                               "  Lists what a container changed in its image's files (or what an image's last\n"
                               "  layer changed): A added, C changed, D deleted; a directory is changed when\n"
                               "  something below it is.\n\n"
                               "Usage:\n"
                               "  rc diff [options] CONTAINER|IMAGE\n\n"
                               "Options:\n"
                               "  -f, --format FORMAT   json: {\"added\": [...], \"changed\": [...], \"deleted\": [...]}\n");
                        return 0;
                default:
                        return 125;
                }
        }
        if (argc - optind != 1)
                return rc_cli_usage_error("diff", "diff takes one container or image");
        if (format && !rc_format_is_json(format))
                return rc_cli_usage_error("diff", "--format %s: only json is supported", format);
        if (rc_cli_open_store(cli, &s, &err) < 0 || rc_build_diff(s, argv[optind], &changes, &n, &err) < 0)
                return rc_cli_fail(err);
        if (format) {
                static const char *const keys[] = { "added", "changed", "deleted" };
                static const char kinds[] = { 'A', 'C', 'D' };
                json_object *o = json_object_new_object();
                for (size_t k = 0; k < 3; k++) {
                        json_object *a = json_object_new_array();
                        for (size_t i = 0; i < n; i++)
                                if (changes[i].kind == kinds[k])
                                        json_object_array_add(a, json_object_new_string(changes[i].path));
                        if (json_object_array_length(a))
                                json_object_object_add(o, keys[k], a);
                        else
                                json_object_put(a);
                }
                printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                                         JSON_C_TO_STRING_NOSLASHESCAPE));
                json_object_put(o);
        } else {
                for (size_t i = 0; i < n; i++)
                        printf("%c %s\n", changes[i].kind, changes[i].path);
        }
        rc_changes_free(changes, n);
        return 0;
}
