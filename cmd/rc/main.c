/* rc: global options and the command table. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <strings.h>

#include "rc.h"
#include "store/store.h"
#include "userns/userns.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/interrupt.h"
#include "util/xalloc.h"

static const struct rc_command commands[] = {
        { "run", cmd_run, "Run a command in a new container" },
        { "create", cmd_create, "Create a container without starting it" },
        { "start", cmd_start, "Start containers" },
        { "stop", cmd_stop, "Stop running containers" },
        { "restart", cmd_restart, "Stop and start containers" },
        { "kill", cmd_kill, "Send a signal to containers" },
        { "wait", cmd_wait, "Wait for containers to stop and print their exit codes" },
        { "logs", cmd_logs, "Show a container's output" },
        { "attach", cmd_attach, "Join your terminal to a detached container" },
        { "exec", cmd_exec, "Run a command in a running container" },
        { "cp", cmd_cp, "Copy files between a container and the host" },
        { "export", cmd_export, "Export a container's file system as a tar archive" },
        { "top", cmd_top, "Display the running processes of a container" },
        { "port", cmd_port, "List the ports a container publishes on the host" },
        { "healthcheck", cmd_healthcheck, "Manage health checks on containers" },
        { "ps", cmd_ps, "List containers" },
        { "stats", cmd_stats, "Display a live stream of container resource usage statistics" },
        { "pause", cmd_pause, "Pause all the processes in one or more containers" },
        { "unpause", cmd_unpause, "Unpause the processes in one or more containers" },
        { "update", cmd_update, "Update the resource limits of containers" },
        { "rm", cmd_rm, "Remove containers" },
        { "rename", cmd_rename, "Rename a container" },
        { "container", cmd_container, "Container commands: ls, rm, start, stop, logs, inspect, ..." },
        { "build", cmd_build, "Build an image using instructions from Containerfiles" },
        { "commit", cmd_commit, "Create new image based on the changed container" },
        { "diff", cmd_diff, "Inspect changes to the container's or image's file systems" },
        { "pull", cmd_pull, "Pull an image from a registry" },
        { "push", cmd_push, "Push an image to a registry" },
        { "images", cmd_images, "List images in local storage" },
        { "image", cmd_image, "Manage images: build, diff, exists, history, import, inspect, list, load, prune, pull, push, rm, save, tag, untag" },
        { "inspect", cmd_inspect, "Display the configuration of a container or image" },
        { "history", cmd_history, "Show the history of an image" },
        { "tag", cmd_tag, "Add an additional name to a local image" },
        { "untag", cmd_untag, "Remove a name from a local image" },
        { "rmi", cmd_rmi, "Remove one or more images from local storage" },
        { "import", cmd_import, "Import a tarball to create a filesystem image" },
        { "save", cmd_save, "Save images to an archive" },
        { "load", cmd_load, "Load images from an archive" },
        { "volume", cmd_volume, "Manage volumes: create, ls, inspect, rm, prune, exists" },
        { "login", cmd_login, "Log in to a container registry" },
        { "logout", cmd_logout, "Log out of a container registry" },
        { "generate", cmd_generate, "Generate systemd units for containers" },
        { "systemd", cmd_systemd, "Declarative .container files: check them, show the units they become" },
        { "info", cmd_info, "Display rc system information" },
        { "version", cmd_version, "Display the rc version information" },
        { "unshare", cmd_unshare, "Run a command in a modified user namespace" },
        { "system", cmd_system, "Manage rc: check, df, info, migrate, prune, reset" },
        { "help", cmd_help, "Help about any command" },
};

static void usage(FILE *out)
{
        fprintf(out, "A rootless, daemonless container engine\n\n"
                     "Usage:\n"
                     "  rc [options] [command]\n\n"
                     "Available Commands:\n");
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
                fprintf(out, "  %-11s %s\n", commands[i].name, commands[i].summary);
        fprintf(out, "\nOptions:\n"
                     "      --config FILE          configuration file (default: $RC_CONFIG,\n"
                     "                             ~/.config/rc/rootless.conf, /etc/rc/rootless.conf)\n"
                     "      --root DIR             image and container store (default: ~/.local/share/rc)\n"
                     "      --runroot DIR          runtime state (default: $XDG_RUNTIME_DIR/rc)\n"
                     "      --storage-driver NAME  overlay, fuse-overlayfs, vfs or auto (default: auto)\n"
                     "      --cgroup-manager NAME  systemd, cgroupfs, none or auto (default: auto)\n"
                     "      --log-level LEVEL      error, warn, info or debug (default: warn)\n"
                     "  -h, --help                 help for rc\n"
                     "  -v, --version              version for rc\n\n"
                     "Run 'rc COMMAND --help' or 'rc help COMMAND' for a command's options.\n");
}

static const struct rc_command *find_command(const char *name)
{
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
                if (strcmp(name, commands[i].name) == 0)
                        return &commands[i];
        return NULL;
}

/* rc help [COMMAND [SUBCOMMAND]]: COMMAND's --help. */
int cmd_help(struct rc_cli *cli, int argc, char **argv)
{
        const struct rc_command *c;
        char *args[4];
        int n = 0;

        if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
                usage(stdout);
                return 0;
        }
        c = find_command(argv[1]);
        if (c == NULL || c->fn == cmd_help) {
                if (c)
                        return cmd_help(cli, 1, argv);
                fprintf(stderr, "Error: unrecognized command `rc %s`\nTry 'rc --help' for more information\n", argv[1]);
                return 125;
        }
        args[n++] = argv[1];
        if (argc > 2 && argv[2][0] != '-')
                args[n++] = argv[2]; /* rc help image ls */
        args[n++] = (char *)"--help";
        args[n] = NULL;
        optind = 0;
        return c->fn(cli, n, args);
}

int rc_cli_fail(rc_error *err)
{
        fprintf(stderr, "Error: %s\n", err ? err->msg : "unknown error");
        rc_error_free(err);
        rc_interrupt_reraise(); /* interrupted: end as killed by the signal */
        return 125;
}

void rc_cli_error(const char *fmt, ...)
{
        va_list ap;

        fputs("Error: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
}

int rc_cli_usage_error(const char *cmd, const char *fmt, ...)
{
        va_list ap;

        fputs("Error: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fprintf(stderr, "\nSee 'rc %s --help'\n", cmd);
        return 125;
}

int rc_cli_getopt(const char *cmd, int argc, char **argv, const char *optstring, const struct option *longopts)
{
        char opts[128];
        const char *arg;
        int c;

        /* options may follow arguments (getopt permutes) unless the command
         * asks for "+"; a leading ':' tells a missing argument from an
         * unknown option; errors are reported here, in podman's words */
        if (optstring[0] == '+')
                snprintf(opts, sizeof(opts), "+:%s", optstring + 1);
        else
                snprintf(opts, sizeof(opts), ":%s", optstring);
        opterr = 0;
        c = getopt_long(argc, argv, opts, longopts, NULL);
        if (c != '?' && c != ':')
                return c;
        arg = optind > 0 && optind <= argc ? argv[optind - 1] : "";
        if (c == ':') {
                if (strncmp(arg, "--", 2) == 0)
                        rc_cli_usage_error(cmd, "flag needs an argument: %.*s", (int)strcspn(arg, "="), arg);
                else
                        rc_cli_usage_error(cmd, "flag needs an argument: '%c' in -%c", optopt, optopt);
        } else if (optopt == 0) {
                rc_cli_usage_error(cmd, "unknown flag: %.*s", (int)strcspn(arg, "="), arg);
        } else if (optopt >= 256 || strncmp(arg, "--", 2) == 0) {
                /* a long option that takes no argument was given one */
                rc_cli_usage_error(cmd, "%s: flag takes no argument", arg);
        } else {
                rc_cli_usage_error(cmd, "unknown shorthand flag: '%c' in -%c", optopt, optopt);
        }
        return '?';
}

int rc_cli_confirm(const char *cmd, const char *warning)
{
        char answer[16] = "";

        if (!isatty(STDIN_FILENO)) {
                rc_cli_error("%s: not asking without a terminal; use -f to go ahead", cmd);
                return -1;
        }
        fprintf(stderr, "%s\nAre you sure you want to continue? [y/N] ", warning);
        return fgets(answer, sizeof(answer), stdin) != NULL && (answer[0] == 'y' || answer[0] == 'Y');
}

int rc_cli_open_store(struct rc_cli *cli, struct rc_store **s, rc_error **err)
{
        struct rc_userns_state us;

        if (rc_userns_enter(&cli->cfg, &us, err) < 0)
                return -1;
        rc_userns_state_free(&us);
        if (rc_store_open(cli->cfg.root, cli->cfg.runroot, s, err) < 0)
                return -1;
        rc_store_set_max_layer_size(*s, cli->cfg.max_layer_size);
        return 0;
}

int rc_cli_open_store_rw(struct rc_cli *cli, struct rc_store **s, rc_error **err)
{
        if (rc_cli_open_store(cli, s, err) < 0)
                return -1;
        rc_store_gc(*s, err); /* never fails: it warns about what it cannot remove */
        return 0;
}

int rc_cli_tls_verify(const char *cmd, const char *arg, bool *skip)
{
        if (strcmp(arg, "false") && strcmp(arg, "true"))
                return rc_cli_usage_error(cmd, "--tls-verify takes true or false");
        *skip = strcmp(arg, "false") == 0;
        return 0;
}

bool rc_cli_wants_help(int argc, char **argv)
{
        for (int i = 1; i < argc; i++) {
                if (!strcmp(argv[i], "--"))
                        return false;
                if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
                        return true;
                if (argv[i][0] != '-')
                        return false;
        }
        return false;
}

/* podman's (logrus's) level names, mapped onto rc's four. */
static int parse_log_level(const char *name)
{
        if (!strcasecmp(name, "trace"))
                return RC_LOG_DEBUG;
        if (!strcasecmp(name, "warning"))
                return RC_LOG_WARN;
        if (!strcasecmp(name, "fatal") || !strcasecmp(name, "panic"))
                return RC_LOG_ERROR;
        for (const char *const *l = (const char *const[]){ "error", "warn", "info", "debug", NULL }; *l; l++)
                if (!strcasecmp(name, *l))
                        return rc_log_parse_level(*l);
        return -1;
}

/* rc's global options (also read back from saved command lines). */
enum { OPT_CONFIG = 256, OPT_ROOT, OPT_RUNROOT, OPT_LOG_LEVEL, OPT_STORAGE_DRIVER, OPT_CGROUP_MANAGER };
const struct option rc_cli_global_options[] = {
        { "config", required_argument, NULL, OPT_CONFIG },
        { "root", required_argument, NULL, OPT_ROOT },
        { "runroot", required_argument, NULL, OPT_RUNROOT },
        { "log-level", required_argument, NULL, OPT_LOG_LEVEL },
        { "storage-driver", required_argument, NULL, OPT_STORAGE_DRIVER },
        { "cgroup-manager", required_argument, NULL, OPT_CGROUP_MANAGER },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'v' },
        { NULL, 0, NULL, 0 },
};

int main(int argc, char **argv)
{
        const char *config_path = NULL, *root = NULL, *runroot = NULL, *driver = NULL, *cgroup_manager = NULL;
        struct rc_cli cli = { .argv0 = argv[0] };
        cleanup_strv char **global_args = NULL;
        const struct rc_command *cmd;
        rc_error *err = NULL;
        char **cmd_argv;
        int c, status, cmd_argc;

        /* installed as a systemd user generator: a mode of its own */
        {
                const char *base = strrchr(argv[0], '/');
                if (strcmp(base ? base + 1 : argv[0], "rc-user-generator") == 0)
                        return rc_user_generator_main(argc, argv);
        }
        rc_umask_init();
        opterr = 0;
        while ((c = getopt_long(argc, argv, "+hv", rc_cli_global_options, NULL)) != -1) {
                switch (c) {
                case OPT_CONFIG:
                        config_path = optarg;
                        break;
                case OPT_ROOT:
                        root = optarg;
                        break;
                case OPT_RUNROOT:
                        runroot = optarg;
                        break;
                case OPT_STORAGE_DRIVER:
                        driver = optarg;
                        break;
                case OPT_CGROUP_MANAGER:
                        cgroup_manager = optarg;
                        break;
                case OPT_LOG_LEVEL: {
                        int level = parse_log_level(optarg);
                        if (level < 0) {
                                /* podman's message and status */
                                fprintf(stderr,
                                        "Log Level \"%s\" is not supported, choose from: trace, debug, info, warn, "
                                        "warning, error, fatal, panic\n",
                                        optarg);
                                return 1;
                        }
                        rc_log_set_level(level);
                        break;
                }
                case 'h':
                        usage(stdout);
                        return 0;
                case 'v':
                        printf("rc version %s\n", RC_VERSION);
                        return 0;
                default:
                        fprintf(stderr, "Error: unknown flag: %s\nSee 'rc --help'\n", argv[optind - 1]);
                        return 125;
                }
        }
        if (optind >= argc) {
                usage(stderr);
                return 125;
        }
        /* kept as given, for commands that record how rc was invoked
         * (freed on every way out) */
        cli.argv = argv;
        global_args = xcalloc(1, sizeof(char *));
        for (int i = 1; i < optind; i++)
                strv_push(&global_args, argv[i]);
        cli.global_args = global_args;
        cmd = find_command(argv[optind]);
        if (cmd == NULL) {
                fprintf(stderr, "Error: unrecognized command `rc %s`\nTry 'rc --help' for more information\n",
                        argv[optind]);
                return 125;
        }
        if (rc_config_load(&cli.cfg, config_path, &err) < 0)
                return rc_cli_fail(err);
        if (root) {
                free(cli.cfg.root);
                cli.cfg.root = xstrdup(root);
        }
        if (runroot) {
                free(cli.cfg.runroot);
                cli.cfg.runroot = xstrdup(runroot);
        }
        if (driver) {
                if (strcmp(driver, "auto") && strcmp(driver, "overlay") && strcmp(driver, "fuse-overlayfs") &&
                    strcmp(driver, "vfs")) {
                        fprintf(stderr, "Error: --storage-driver '%s': use auto, overlay, fuse-overlayfs or vfs\n",
                                driver);
                        rc_config_free(&cli.cfg);
                        return 125;
                }
                free(cli.cfg.storage_driver);
                cli.cfg.storage_driver = xstrdup(driver);
        }
        if (cgroup_manager) {
                if (strcmp(cgroup_manager, "auto") && strcmp(cgroup_manager, "systemd") &&
                    strcmp(cgroup_manager, "cgroupfs") && strcmp(cgroup_manager, "none")) {
                        fprintf(stderr, "Error: --cgroup-manager '%s': use auto, systemd, cgroupfs or none\n",
                                cgroup_manager);
                        rc_config_free(&cli.cfg);
                        return 125;
                }
                free(cli.cfg.cgroup_manager);
                cli.cfg.cgroup_manager = xstrdup(cgroup_manager);
        }
        /* Each command parses its own options with getopt from its
         * argv[0]; reset getopt's state for it. */
        cmd_argc = argc - optind;
        cmd_argv = argv + optind;
        optind = 0;
        status = cmd->fn(&cli, cmd_argc, cmd_argv);
        rc_config_free(&cli.cfg);
        return status;
}
