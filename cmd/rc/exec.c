/* rc exec, cp and top: commands on an existing container. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "container/container.h"
#include "format/format.h"
#include "rc.h"
#include "util/xalloc.h"

static void exec_usage(void)
{
        printf("Usage: rc exec [OPTIONS] CONTAINER COMMAND [ARG...]\n\n"
               "Run a command in a running container, in all of its namespaces, with its environment,\n"
               "user, working directory, capabilities, seccomp profile and no_new_privs.\n\n"
               "Options:\n"
               "  -d, --detach            run it in the background and return at once\n"
               "  -e, --env KEY=VALUE     set an environment variable (KEY alone: take it from rc's)\n"
               "      --env-file FILE     read KEY=VALUE lines from FILE (before -e)\n"
               "  -i, --interactive       keep stdin open and pass it to the command\n"
               "      --privileged        give the command every capability\n"
               "  -t, --tty               give the command a terminal of the container's\n"
               "  -u, --user USER[:GROUP] user to run as (name or id, from the container's /etc/passwd)\n"
               "  -w, --workdir DIR       working directory inside the container (must exist)\n\n"
               "Exit status: the command's; 125 if rc itself failed (or the container is not\n"
               "running), 126 if the command cannot be executed, 127 if it was not found.\n");
}

int cmd_exec(struct rc_cli *cli, int argc, char **argv)
{
        enum { OPT_ENV_FILE = 256, OPT_PRIVILEGED, OPT_DETACH_KEYS, OPT_HELP };
        static const struct option opts[] = {
                { "detach", no_argument, NULL, 'd' },
                { "env", required_argument, NULL, 'e' },
                { "env-file", required_argument, NULL, OPT_ENV_FILE },
                { "interactive", no_argument, NULL, 'i' },
                { "privileged", no_argument, NULL, OPT_PRIVILEGED },
                { "tty", no_argument, NULL, 't' },
                { "user", required_argument, NULL, 'u' },
                { "workdir", required_argument, NULL, 'w' },
                { "detach-keys", required_argument, NULL, OPT_DETACH_KEYS },
                { "help", no_argument, NULL, OPT_HELP },
                { NULL, 0, NULL, 0 },
        };
        struct rc_exec_opts o = { 0 };
        cleanup_strv char **env = NULL, **from_files = NULL;
        rc_error *err = NULL;
        int c, exit_code = 0;

        env = xcalloc(1, sizeof(char *));
        while ((c = getopt_long(argc, argv, "+de:itu:w:", opts, NULL)) != -1) {
                switch (c) {
                case 'd':
                        o.detach = true;
                        break;
                case 'e':
                        strv_push(&env, optarg);
                        break;
                case OPT_ENV_FILE:
                        if (rc_env_file_read(optarg, &from_files, &err) < 0)
                                return rc_cli_fail(err);
                        break;
                case 'i':
                        o.interactive = true;
                        break;
                case OPT_PRIVILEGED:
                        o.privileged = true;
                        break;
                case 't':
                        o.tty = true;
                        break;
                case 'u':
                        o.user = optarg;
                        break;
                case 'w':
                        o.workdir = optarg;
                        break;
                case OPT_DETACH_KEYS:
                        break; /* nothing to detach from: exec never attaches a detached process */
                case OPT_HELP:
                        exec_usage();
                        return 0;
                default:
                        return rc_cli_usage_error("exec", "invalid option");
                }
        }
        if (argc - optind < 2)
                return rc_cli_usage_error("exec", "exec needs a container and a command: rc exec CONTAINER COMMAND");
        /* -e wins over --env-file whatever their order, as in podman */
        for (size_t i = 0; env[i]; i++)
                strv_push(&from_files, env[i]);
        o.env = from_files;
        o.cmd = argv + optind + 1;
        if (rc_container_exec(&cli->cfg, argv[optind], &o, &exit_code, &err) < 0) {
                rc_cli_fail(err);
                return exit_code;
        }
        return exit_code;
}

static void cp_usage(void)
{
        printf("Usage: rc cp [OPTIONS] CONTAINER:SRC DEST\n"
               "       rc cp [OPTIONS] SRC CONTAINER:DEST\n\n"
               "Copy files and directories between a container, running or not, and the host.\n"
               "A directory as DEST takes SRC under its own name; SRC/. copies what is in SRC;\n"
               "- as DEST writes a tar stream to stdout, - as SRC extracts one from stdin into a\n"
               "directory of the container.  Paths of the container are resolved inside its root:\n"
               "no symbolic link leads out of it.  What is copied in belongs to the container's root.\n\n"
               "Options:\n"
               "  -a, --archive   accepted for podman's sake: rc always gives copied-in files to\n"
               "                  the container's root\n");
}

int cmd_cp(struct rc_cli *cli, int argc, char **argv)
{
        enum { OPT_HELP = 256 };
        static const struct option opts[] = {
                { "archive", optional_argument, NULL, 'a' },
                { "help", no_argument, NULL, OPT_HELP },
                { NULL, 0, NULL, 0 },
        };
        rc_error *err = NULL;
        int c;

        while ((c = getopt_long(argc, argv, "+a", opts, NULL)) != -1) {
                switch (c) {
                case 'a':
                        break;
                case OPT_HELP:
                        cp_usage();
                        return 0;
                default:
                        return rc_cli_usage_error("cp", "invalid option");
                }
        }
        if (argc - optind != 2)
                return rc_cli_usage_error("cp", "cp takes a source and a destination, one of them CONTAINER:PATH");
        if (rc_container_cp(&cli->cfg, argv[optind], argv[optind + 1], &err) < 0)
                return rc_cli_fail(err);
        return 0;
}

static void export_usage(void)
{
        printf("Usage: rc export [OPTIONS] CONTAINER\n\n"
               "Export a container's file system, running or not, as a tar archive: the image's\n"
               "layers with the container's changes, without what is mounted in it (volumes,\n"
               "/proc, /etc/hosts).  rc import makes an image of it again.\n\n"
               "Options:\n"
               "  -o, --output FILE   write to FILE (replaced once the archive is complete)\n"
               "                      instead of stdout\n");
}

int cmd_export(struct rc_cli *cli, int argc, char **argv)
{
        enum { OPT_HELP = 256 };
        static const struct option opts[] = {
                { "output", required_argument, NULL, 'o' },
                { "help", no_argument, NULL, OPT_HELP },
                { NULL, 0, NULL, 0 },
        };
        const char *output = NULL;
        rc_error *err = NULL;
        int c;

        while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
                switch (c) {
                case 'o':
                        output = optarg;
                        break;
                case OPT_HELP:
                        export_usage();
                        return 0;
                default:
                        return rc_cli_usage_error("export", "invalid option");
                }
        }
        if (argc - optind != 1)
                return rc_cli_usage_error("export", "export takes exactly one container: rc export [-o FILE] CONTAINER");
        if (rc_container_export(&cli->cfg, argv[optind], output, &err) < 0)
                return rc_cli_fail(err);
        return 0;
}

static void top_usage(void)
{
        printf("Usage: rc top CONTAINER [DESCRIPTORS | PS-OPTIONS...]\n\n"
               "Show the processes of a running container.  DESCRIPTORS, comma-separated or as\n"
               "separate arguments, choose the columns (default: user,pid,ppid,pcpu,etime,tty,time,args):\n"
               "  args comm capeff etime group hgroup hpid huser nice pcpu pgid pid ppid rgroup ruser\n"
               "  seccomp state time tty user vsz, and the AIX forms %%C %%G %%P %%U %%a %%c %%g %%n %%p\n"
               "  %%r %%t %%u %%x %%y %%z.\n"
               "Anything else is handed to ps(1) run inside the container (rc top CTR -ef), as podman does.\n");
}

int cmd_top(struct rc_cli *cli, int argc, char **argv)
{
        rc_error *err = NULL;
        char *table = NULL, *aligned;
        int first = 1;

        /* options after the container belong to ps: only --help is rc's */
        if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
                top_usage();
                return 0;
        }
        if (argc >= 2 && !strcmp(argv[1], "--"))
                first = 2;
        if (argc <= first)
                return rc_cli_usage_error("top", "top needs a container: rc top CONTAINER [DESCRIPTORS]");
        if (!rc_top_descriptors(argv + first + 1)) {
                /* podman's fallback: ps with those options, in the container */
                cleanup_strv char **cmd = xcalloc(1, sizeof(char *));
                struct rc_exec_opts o = { 0 };
                int exit_code;
                strv_push(&cmd, "ps");
                for (int i = first + 1; i < argc; i++)
                        strv_push(&cmd, argv[i]);
                o.cmd = cmd;
                if (rc_container_exec(&cli->cfg, argv[first], &o, &exit_code, &err) < 0) {
                        rc_cli_fail(err);
                        return exit_code;
                }
                return exit_code;
        }
        if (rc_container_top(&cli->cfg, argv[first], argv + first + 1, &table, &err) < 0)
                return rc_cli_fail(err);
        aligned = rc_tabwriter_format(table, strlen(table), RC_TABLE_MINWIDTH, RC_TABLE_PADDING);
        fputs(aligned, stdout);
        free(aligned);
        free(table);
        return 0;
}
