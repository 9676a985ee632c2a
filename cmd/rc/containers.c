/* rc rm, start, stop, restart, kill, wait, rename and the container family. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "container/container.h"
#include "rc.h"
#include "store/store.h"
#include "util/signal.h"
#include "util/xalloc.h"

/* One line per failed container, the others go on; the status of the
 * first failure is the command's. */
static int report(rc_error *err, int *status, int code)
{
        rc_cli_error("%s", err->msg);
        rc_error_free(err);
        if (*status == 0)
                *status = code;
        return code;
}

/* podman's exit codes: 1 for a container that does not exist, 125 else */
static int code_for(const rc_error *err)
{
        (void)err;
        return 125;
}

int cmd_rm(struct rc_cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                { "all", no_argument, NULL, 'a' },
                { "force", no_argument, NULL, 'f' },
                { "ignore", no_argument, NULL, 'i' },
                { "volumes", no_argument, NULL, 'v' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        cleanup_store struct rc_store *s = NULL;
        rc_error *err = NULL;
        bool all = false, force = false, ignore = false, volumes = false;
        int (*remove)(const struct rc_config *, struct rc_store *, const char *, bool, rc_error **);
        int c, status = 0;

        while ((c = getopt_long(argc, argv, "afivh", opts, NULL)) != -1) {
                switch (c) {
                case 'a':
                        all = true;
                        break;
                case 'f':
                        force = true;
                        break;
                case 'i':
                        ignore = true;
                        break;
                case 'v':
                        volumes = true;
                        break;
                case 'h':
                        printf("Usage: rc rm [OPTIONS] CONTAINER...\n\n"
                               "Remove containers by name or id.\n\n"
                               "Options:\n"
                               "  -a, --all      every container (running ones only with -f)\n"
                               "  -f, --force    stop running containers first (SIGKILL); no error for a missing one\n"
                               "  -i, --ignore   no error for a container that does not exist\n"
                               "  -v, --volumes  remove anonymous volumes too\n");
                        return 0;
                default:
                        return rc_cli_usage_error("rm", "invalid option");
                }
        }
        if (optind >= argc && !all)
                return rc_cli_usage_error("rm", "rm needs at least one container (or -a)");
        remove = volumes ? rc_container_remove_with_volumes : rc_container_remove;
        if (rc_cli_open_store_rw(cli, &s, &err) < 0)
                return rc_cli_fail(err);
        if (all) {
                struct rc_container_rec *list = NULL;
                size_t n = 0;
                if (rc_store_container_list(s, &list, &n, &err) < 0)
                        return rc_cli_fail(err);
                for (size_t i = 0; i < n; i++) {
                        if (!force && strcmp(rc_container_rec_status(&list[i]), "running") == 0)
                                continue;
                        if (remove(&cli->cfg, s, list[i].id, force, &err) < 0)
                                report(err, &status, 125);
                        else
                                printf("%s\n", list[i].id);
                }
                rc_container_list_free(list, n);
        }
        for (int i = optind; i < argc; i++) {
                if (remove(&cli->cfg, s, argv[i], force, &err) < 0) {
                        if ((force || ignore) && rc_error_errno(err) == ENOENT) {
                                rc_error_free(err);
                                continue;
                        }
                        report(err, &status, rc_error_errno(err) == ENOENT ? 1 : rc_error_errno(err) == EBUSY ? 2 : 125);
                        continue;
                }
                printf("%s\n", argv[i]);
        }
        return status;
}

static int positional_or_usage(const char *cmd, int argc, const char *what)
{
        if (optind >= argc)
                return rc_cli_usage_error(cmd, "%s needs at least one %s", cmd, what);
        return 0;
}

int cmd_start(struct rc_cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                { "attach", no_argument, NULL, 'a' },
                { "interactive", no_argument, NULL, 'i' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        bool attach = false;
        rc_error *err = NULL;
        int c, status = 0, exit_code = 0;

        while ((c = getopt_long(argc, argv, "aih", opts, NULL)) != -1) {
                switch (c) {
                case 'a':
                        attach = true;
                        break;
                case 'i':
                        break; /* stdin follows the container's own -i */
                case 'h':
                        printf("Usage: rc start [-a] CONTAINER...\n\n"
                               "Start created or stopped containers (in the background; -a: in the foreground,\n"
                               "with its output, until it exits, as rc run without -d).\n");
                        return 0;
                default:
                        return rc_cli_usage_error("start", "invalid option");
                }
        }
        if (positional_or_usage("start", argc, "container"))
                return 125;
        if (attach && argc - optind > 1)
                return rc_cli_usage_error("start", "-a starts one container");
        for (int i = optind; i < argc; i++) {
                if (rc_container_start(&cli->cfg, argv[i], attach, &exit_code, &err) < 0) {
                        report(err, &status, exit_code);
                        continue;
                }
                if (attach)
                        return exit_code;
                printf("%s\n", argv[i]);
        }
        return status;
}

static int parse_timeout(const char *cmd, const char *arg, int *out)
{
        char *end;
        long v = strtol(arg, &end, 10);

        if (*arg == '\0' || *end != '\0' || v < 0 || v > 86400 * 365)
                return rc_cli_usage_error(cmd, "--time %s: give whole seconds", arg);
        *out = (int)v;
        return 0;
}

static int stop_or_restart(struct rc_cli *cli, const char *cmd, int argc, char **argv)
{
        static const struct option opts[] = {
                { "time", required_argument, NULL, 't' },
                { "timeout", required_argument, NULL, 't' },
                { "all", no_argument, NULL, 'a' },
                { "ignore", no_argument, NULL, 'i' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        bool restart = strcmp(cmd, "restart") == 0, all = false, ignore = false;
        cleanup_strv char **targets = xcalloc(1, sizeof(char *));
        rc_error *err = NULL;
        int c, timeout = -1, status = 0, exit_code;

        while ((c = getopt_long(argc, argv, "t:aih", opts, NULL)) != -1) {
                switch (c) {
                case 't':
                        if (parse_timeout(cmd, optarg, &timeout) != 0)
                                return 125;
                        break;
                case 'a':
                        all = true;
                        break;
                case 'i':
                        ignore = true;
                        break;
                case 'h':
                        printf("Usage: rc %s [-t SECONDS] [-a] CONTAINER...\n\n"
                               "%s: its stop signal, then SIGKILL after the timeout (default: its\n"
                               "--stop-timeout, else 10 seconds).\n",
                               cmd, restart ? "Stop and start containers again" : "Stop running containers");
                        return 0;
                default:
                        return rc_cli_usage_error(cmd, "invalid option");
                }
        }
        if (all) {
                cleanup_store struct rc_store *s = NULL;
                struct rc_container_rec *list = NULL;
                size_t n = 0;
                if (rc_store_open(cli->cfg.root, cli->cfg.runroot, &s, &err) < 0 ||
                    rc_store_container_list(s, &list, &n, &err) < 0)
                        return rc_cli_fail(err);
                for (size_t i = 0; i < n; i++)
                        if (strcmp(rc_container_rec_status(&list[i]), "running") == 0)
                                strv_push(&targets, list[i].id);
                rc_container_list_free(list, n);
        } else if (positional_or_usage(cmd, argc, "container")) {
                return 125;
        }
        for (int i = optind; i < argc; i++)
                strv_push(&targets, argv[i]);
        for (size_t i = 0; targets[i]; i++) {
                if (rc_container_stop(&cli->cfg, targets[i], timeout, &err) < 0) {
                        if (ignore && rc_error_errno(err) == ENOENT) {
                                rc_error_free(err);
                                continue;
                        }
                        report(err, &status, code_for(err));
                        continue;
                }
                if (restart && rc_container_start(&cli->cfg, targets[i], false, &exit_code, &err) < 0) {
                        report(err, &status, exit_code);
                        continue;
                }
                printf("%s\n", targets[i]);
        }
        return status;
}

int cmd_stop(struct rc_cli *cli, int argc, char **argv)
{
        return stop_or_restart(cli, "stop", argc, argv);
}

int cmd_restart(struct rc_cli *cli, int argc, char **argv)
{
        return stop_or_restart(cli, "restart", argc, argv);
}

int cmd_kill(struct rc_cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                { "signal", required_argument, NULL, 's' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        rc_error *err = NULL;
        int c, sig = 9, status = 0;

        while ((c = getopt_long(argc, argv, "s:h", opts, NULL)) != -1) {
                switch (c) {
                case 's':
                        sig = rc_signal_parse(optarg);
                        if (sig <= 0)
                                return rc_cli_usage_error("kill", "--signal %s: not a signal (e.g. SIGTERM, TERM, 15)",
                                                          optarg);
                        break;
                case 'h':
                        printf("Usage: rc kill [-s SIGNAL] CONTAINER...\n\n"
                               "Send a signal (default SIGKILL) to containers' first process.\n");
                        return 0;
                default:
                        return rc_cli_usage_error("kill", "invalid option");
                }
        }
        if (positional_or_usage("kill", argc, "container"))
                return 125;
        for (int i = optind; i < argc; i++) {
                if (rc_container_kill(&cli->cfg, argv[i], sig, &err) < 0) {
                        report(err, &status, code_for(err));
                        continue;
                }
                printf("%s\n", argv[i]);
        }
        return status;
}

int cmd_wait(struct rc_cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                { "condition", required_argument, NULL, 'c' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        rc_error *err = NULL;
        int c, status = 0, exit_code;

        while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
                switch (c) {
                case 'c':
                        if (strcmp(optarg, "stopped") != 0 && strcmp(optarg, "exited") != 0)
                                return rc_cli_usage_error("wait", "--condition %s: rc waits for stopped (exited)",
                                                          optarg);
                        break;
                case 'h':
                        printf("Usage: rc wait CONTAINER...\n\n"
                               "Wait until containers stop and print their exit codes.\n");
                        return 0;
                default:
                        return rc_cli_usage_error("wait", "invalid option");
                }
        }
        if (positional_or_usage("wait", argc, "container"))
                return 125;
        for (int i = optind; i < argc; i++) {
                if (rc_container_wait(&cli->cfg, argv[i], &exit_code, &err) < 0) {
                        report(err, &status, code_for(err));
                        continue;
                }
                printf("%d\n", exit_code);
        }
        return status;
}

int cmd_rename(struct rc_cli *cli, int argc, char **argv)
{
        cleanup_store struct rc_store *s = NULL;
        struct rc_container_rec rec;
        rc_error *err = NULL;
        int r;

        if (rc_cli_wants_help(argc, argv)) {
                printf("Usage: rc rename CONTAINER NEW_NAME\n\nGive a container another name.\n");
                return 0;
        }
        if (argc != 3)
                return rc_cli_usage_error("rename", "rename takes a container and its new name");
        if (rc_cli_open_store(cli, &s, &err) < 0 || rc_store_container_find(s, argv[1], &rec, &err) < 0)
                return rc_cli_fail(err);
        r = rc_store_container_rename(s, rec.id, argv[2], &err);
        rc_container_rec_free(&rec);
        return r < 0 ? rc_cli_fail(err) : 0;
}

static int container_exists(struct rc_cli *cli, int argc, char **argv);
static int container_prune(struct rc_cli *cli, int argc, char **argv);

int cmd_container(struct rc_cli *cli, int argc, char **argv)
{
        static const struct {
                const char *name;
                int (*fn)(struct rc_cli *, int, char **);
        } sub[] = {
                { "ls", cmd_ps },          { "list", cmd_ps },        { "ps", cmd_ps },       { "rm", cmd_rm },
                { "create", cmd_create },  { "run", cmd_run },        { "start", cmd_start }, { "stop", cmd_stop },
                { "restart", cmd_restart }, { "kill", cmd_kill },     { "wait", cmd_wait },   { "logs", cmd_logs },
                { "rename", cmd_rename },  { "inspect", cmd_inspect }, { "attach", cmd_attach },
                { "exec", cmd_exec },      { "cp", cmd_cp },          { "top", cmd_top },       { "export", cmd_export },
                { "port", cmd_port },
                { "exists", container_exists }, { "prune", container_prune }, { "commit", cmd_commit },
                { "diff", cmd_diff },
        };

        if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
                printf("Usage: rc container COMMAND\n\nCommands:\n");
                for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++)
                        printf("  %s\n", sub[i].name);
                return argc < 2 ? 125 : 0;
        }
        for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++)
                if (strcmp(argv[1], sub[i].name) == 0)
                        return sub[i].fn(cli, argc - 1, argv + 1);
        return rc_cli_usage_error("container", "unknown command \"%s\"", argv[1]);
}

int cmd_attach(struct rc_cli *cli, int argc, char **argv)
{
        enum { OPT_DETACH_KEYS = 256, OPT_NO_STDIN, OPT_SIG_PROXY };
        static const struct option opts[] = {
                { "detach-keys", required_argument, NULL, OPT_DETACH_KEYS },
                { "no-stdin", no_argument, NULL, OPT_NO_STDIN },
                { "sig-proxy", required_argument, NULL, OPT_SIG_PROXY },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        struct rc_attach_opts o = { 0 };
        rc_error *err = NULL;
        int c, exit_code;

        while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
                switch (c) {
                case OPT_DETACH_KEYS:
                        o.detach_keys = optarg;
                        break;
                case OPT_NO_STDIN:
                        o.no_stdin = true;
                        break;
                case OPT_SIG_PROXY:
                        break; /* signals typed on a terminal reach the container through it */
                case 'h':
                        printf("Usage: rc attach [OPTIONS] CONTAINER\n\n"
                               "Join your terminal to a detached container's input and output until it exits;\n"
                               "the detach keys (default ctrl-p,ctrl-q) leave it running.\n\n"
                               "Options:\n"
                               "  --detach-keys KEYS  e.g. ctrl-x,x (\"\" never detaches)\n"
                               "  --no-stdin          do not pass input on\n");
                        return 0;
                default:
                        return rc_cli_usage_error("attach", "invalid option");
                }
        }
        if (argc - optind != 1)
                return rc_cli_usage_error("attach", "attach takes one container");
        if (rc_container_attach(&cli->cfg, argv[optind], &o, &exit_code, &err) < 0)
                return rc_cli_fail(err);
        return exit_code;
}

/* rc container exists: 0 if there is one, 1 if not, no output (podman). */
static int container_exists(struct rc_cli *cli, int argc, char **argv)
{
        cleanup_store struct rc_store *s = NULL;
        struct rc_container_rec rec;
        rc_error *err = NULL;

        if (rc_cli_wants_help(argc, argv)) {
                printf("Usage: rc container exists CONTAINER\n\nExit status 0 if the container exists, 1 if not.\n");
                return 0;
        }
        if (argc != 2)
                return rc_cli_usage_error("container exists", "exists takes one container");
        if (rc_store_open(cli->cfg.root, cli->cfg.runroot, &s, &err) < 0)
                return rc_cli_fail(err);
        if (rc_store_container_find(s, argv[1], &rec, &err) < 0) {
                int missing = rc_error_errno(err) == ENOENT;
                if (missing) {
                        rc_error_free(err);
                        return 1;
                }
                return rc_cli_fail(err);
        }
        rc_container_rec_free(&rec);
        return 0;
}

int rc_cli_prune_containers(struct rc_cli *cli, struct rc_store *s, char ***removed)
{
        struct rc_container_rec *list = NULL;
        rc_error *err = NULL;
        size_t n = 0;
        int status = 0;

        *removed = xcalloc(1, sizeof(char *));
        if (rc_store_container_list(s, &list, &n, &err) < 0)
                return report(err, &status, 125);
        for (size_t i = 0; i < n; i++) {
                if (strcmp(rc_container_rec_status(&list[i]), "running") == 0)
                        continue;
                if (rc_container_remove(&cli->cfg, s, list[i].id, false, &err) < 0)
                        report(err, &status, 125);
                else
                        strv_push(removed, list[i].id);
        }
        rc_container_list_free(list, n);
        return status;
}

/* rc container prune: every container that is not running. */
static int container_prune(struct rc_cli *cli, int argc, char **argv)
{
        cleanup_store struct rc_store *s = NULL;
        cleanup_strv char **removed = NULL;
        rc_error *err = NULL;
        int status;

        for (int i = 1; i < argc; i++) {
                if (!strcmp(argv[i], "-f") || !strcmp(argv[i], "--force"))
                        continue;
                if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
                        printf("Usage: rc container prune [-f]\n\nRemove every container that is not running.\n");
                        return 0;
                }
                return rc_cli_usage_error("container prune", "unknown option %s", argv[i]);
        }
        if (rc_cli_open_store_rw(cli, &s, &err) < 0)
                return rc_cli_fail(err);
        status = rc_cli_prune_containers(cli, s, &removed);
        for (size_t i = 0; removed[i]; i++)
                printf("%s\n", removed[i]);
        return status;
}
