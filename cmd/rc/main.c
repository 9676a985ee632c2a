/* rc: global options and the command table. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rc.h"
#include "store/store.h"
#include "userns/userns.h"
#include "util/log.h"
#include "util/interrupt.h"
#include "util/xalloc.h"

static const struct rc_command commands[] = {
        { "run", cmd_run, "Run a command in a new container" },
        { "pull", cmd_pull, "Pull an image from a registry" },
        { "push", cmd_push, "Push an image to a registry" },
        { "tag", cmd_tag, "Add names to an image" },
        { "login", cmd_login, "Log in to a registry" },
        { "logout", cmd_logout, "Remove stored registry credentials" },
        { "import", cmd_import, "Import a root file system tarball as an image" },
        { "images", cmd_images, "List images" },
        { "image", cmd_image, "Image commands: ls, rm, inspect, history, prune, ..." },
        { "inspect", cmd_inspect, "Show an image's details as JSON" },
        { "history", cmd_history, "Show how an image was made" },
        { "rmi", cmd_rmi, "Remove images" },
        { "save", cmd_save, "Write images to a docker-archive or oci-archive" },
        { "load", cmd_load, "Load images from an archive" },
        { "create", cmd_create, "Create a container without starting it" },
        { "start", cmd_start, "Start containers" },
        { "stop", cmd_stop, "Stop running containers" },
        { "restart", cmd_restart, "Stop and start containers" },
        { "kill", cmd_kill, "Send a signal to containers" },
        { "wait", cmd_wait, "Wait for containers to stop and print their exit codes" },
        { "logs", cmd_logs, "Show a container's output" },
        { "attach", cmd_attach, "Join your terminal to a detached container" },
        { "ps", cmd_ps, "List containers" },
        { "rm", cmd_rm, "Remove containers" },
        { "rename", cmd_rename, "Rename a container" },
        { "container", cmd_container, "Container commands: ls, rm, start, stop, logs, inspect, ..." },
        { "info", cmd_info, "Show how rc is set up on this machine" },
        { "system", cmd_system, "System commands: check" },
};

static void usage(FILE *out)
{
        fprintf(out, "Usage: rc [OPTIONS] COMMAND [ARG...]\n\n"
                     "A rootless, daemonless container engine.\n\n"
                     "Options:\n"
                     "  --config FILE       configuration file (default: $RC_CONFIG,\n"
                     "                      ~/.config/rc/rootless.conf, /etc/rc/rootless.conf)\n"
                     "  --root DIR          image and container store (default: ~/.local/share/rc)\n"
                     "  --runroot DIR       runtime state (default: $XDG_RUNTIME_DIR/rc)\n"
                     "  --storage-driver D  overlay, fuse-overlayfs, vfs or auto (default: auto)\n"
                     "  --log-level LEVEL   error, warn, info or debug (default: warn)\n"
                     "  -h, --help          show this help\n"
                     "  -v, --version       show the version\n\n"
                     "Commands:\n");
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
                fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
        fprintf(out, "\nRun 'rc COMMAND --help' for a command's options.\n");
}

int rc_cli_fail(rc_error *err)
{
        fprintf(stderr, "rc: %s\n", err ? err->msg : "unknown error");
        rc_error_free(err);
        rc_interrupt_reraise(); /* interrupted: end as killed by the signal */
        return 125;
}

int rc_cli_usage_error(const char *cmd, const char *fmt, ...)
{
        va_list ap;

        fputs("rc: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fprintf(stderr, "\nSee 'rc %s --help'.\n", cmd);
        return 125;
}

int rc_cli_open_store(struct rc_cli *cli, struct rc_store **s, rc_error **err)
{
        struct rc_userns_state us;

        if (rc_userns_enter(&cli->cfg, &us, err) < 0)
                return -1;
        rc_userns_state_free(&us);
        if (rc_store_open(cli->cfg.root, s, err) < 0)
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

int main(int argc, char **argv)
{
        enum { OPT_CONFIG = 256, OPT_ROOT, OPT_RUNROOT, OPT_LOG_LEVEL, OPT_STORAGE_DRIVER };
        static const struct option opts[] = {
                { "config", required_argument, NULL, OPT_CONFIG },
                { "root", required_argument, NULL, OPT_ROOT },
                { "runroot", required_argument, NULL, OPT_RUNROOT },
                { "log-level", required_argument, NULL, OPT_LOG_LEVEL },
                { "storage-driver", required_argument, NULL, OPT_STORAGE_DRIVER },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, 'v' },
                { NULL, 0, NULL, 0 },
        };
        const char *config_path = NULL, *root = NULL, *runroot = NULL, *driver = NULL;
        struct rc_cli cli = { .argv0 = argv[0] };
        rc_error *err = NULL;
        int c, status;

        while ((c = getopt_long(argc, argv, "+hv", opts, NULL)) != -1) {
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
                case OPT_LOG_LEVEL: {
                        int level = rc_log_parse_level(optarg);
                        if (level < 0) {
                                fprintf(stderr, "rc: --log-level '%s': use error, warn, info or debug\n", optarg);
                                return 125;
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
                        fprintf(stderr, "See 'rc --help'.\n");
                        return 125;
                }
        }
        if (optind >= argc) {
                usage(stderr);
                return 125;
        }
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
                if (strcmp(argv[optind], commands[i].name))
                        continue;
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
                                fprintf(stderr, "rc: --storage-driver '%s': use auto, overlay, fuse-overlayfs or vfs\n",
                                        driver);
                                rc_config_free(&cli.cfg);
                                return 125;
                        }
                        free(cli.cfg.storage_driver);
                        cli.cfg.storage_driver = xstrdup(driver);
                }
                /* Each command parses its own options with getopt from
                 * its argv[0]; reset getopt's state for it. */
                int cmd_argc = argc - optind;
                char **cmd_argv = argv + optind;
                optind = 0;
                status = commands[i].fn(&cli, cmd_argc, cmd_argv);
                rc_config_free(&cli.cfg);
                return status;
        }
        fprintf(stderr, "rc: unknown command '%s'\nSee 'rc --help'.\n", argv[optind]);
        return 125;
}
