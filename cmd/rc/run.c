/* rc run */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "container/container.h"
#include "rc.h"
#include "run_flags.h"
#include "util/signal.h"
#include "util/xalloc.h"

static void run_usage(const char *cmd)
{
        bool create = strcmp(cmd, "create") == 0;

        printf("Usage: rc %s [OPTIONS] IMAGE [COMMAND [ARG...]]\n\n"
               "%s\n\n"
               "Options:\n",
               cmd, create ? "Create a container to start later with rc start." : "Run a command in a new container.");
        if (!create)
                printf("  -d, --detach            run in the background and print the container's id\n");
        printf("  --rm                    remove the container when it exits\n"
               "  -i, --interactive       keep stdin open and pass it to the container\n"
               "  -t, --tty               give the container a terminal (with -i: an interactive shell)\n"
               "  --name NAME             name the container (default: a random name)\n"
               "  -e, --env KEY=VALUE     set an environment variable (KEY alone: take it from rc's)\n"
               "  -w, --workdir DIR       working directory inside the container\n"
               "  --entrypoint CMD        override the image's entrypoint (\"\" clears it)\n"
               "  -u, --user USER[:GROUP] user to run as (name or id, from the image's /etc/passwd)\n"
               "  -h, --hostname NAME     container host name (default: the short container id)\n"
               "  --network MODE          slirp[:OPTIONS] (the default: a network of its own, reaching out\n"
               "                          through rc; OPTIONS: mtu=N, allow_host_loopback=true (the host's\n"
               "                          127.0.0.1 as 10.0.2.2), cidr=A.B.C.D/N, enable_ipv6=true,\n"
               "                          outbound_addr=IP), none (only loopback) or host (the host's network)\n"
               "  --pull POLICY           missing (default): pull if not stored; always; never\n"
               "  --tls-verify=false      for that pull: allow plain HTTP and unverified TLS\n"
               "  --security-opt seccomp=unconfined|PROFILE.json\n"
               "                          no seccomp filter, or a JSON profile instead of rc's default\n"
               "  --restart POLICY        no (default), on-failure[:N], always or unless-stopped\n"
               "  --log-opt max-size=SIZE rotate the container's log beyond SIZE (e.g. 10m)\n"
               "  --stop-signal SIGNAL    signal rc stop sends first (default: the image's, or SIGTERM)\n"
               "  --stop-timeout SECONDS  how long rc stop waits before SIGKILL (default 10)\n"
               "  --replace               remove a container that has the --name already (stopping it)\n"
               "  --sdnotify conmon|container|ignore\n"
               "                          under a service manager ($NOTIFY_SOCKET): the monitor sends\n"
               "                          READY=1 and its pid once the container runs (conmon, the\n"
               "                          default), or its pid and then the container's own READY=1,\n"
               "                          which it sends to $NOTIFY_SOCKET inside (container)\n"
               "%s%s",
               rc_cli_limits_help, rc_cli_health_help);
        run_flags_usage();
        printf("\nExit status: the command's; 125 if rc itself failed, 126 if the command cannot be\n"
               "executed, 127 if it was not found, 128+N if it was killed by signal N.\n");
}

/* --security-opt: seccomp=unconfined|FILE here, the others in run_flags.c. */
static int security_opt(const char *cmd, const char *arg, struct run_flags *f, struct rc_run_opts *o)
{
        int r;

        if (strncmp(arg, "seccomp=", 8) == 0 || strncmp(arg, "seccomp:", 8) == 0) {
                if (arg[8] == '\0')
                        return rc_cli_usage_error(cmd, "--security-opt seccomp= needs unconfined or a profile file");
                o->seccomp = arg + 8;
                return 0;
        }
        if ((r = run_flags_security_opt(cmd, arg, f, o)) != 0)
                return r < 0 ? 125 : 0;
        return rc_cli_usage_error(cmd, "--security-opt %s: not supported (rc supports seccomp=unconfined, "
                                       "seccomp=PROFILE.json, no-new-privileges, mask=, unmask=, label=disable "
                                       "and apparmor=unconfined)",
                                  arg);
}

/* --log-opt max-size=10m (k, m, g; bytes without a suffix) */
static int log_opt(const char *cmd, const char *arg, struct rc_run_opts *o)
{
        char *end;
        unsigned long long v;

        if (strncmp(arg, "max-size=", 9) != 0)
                return rc_cli_usage_error(cmd, "--log-opt %s: rc supports max-size=SIZE", arg);
        errno = 0;
        v = strtoull(arg + 9, &end, 10);
        if (errno || end == arg + 9)
                return rc_cli_usage_error(cmd, "--log-opt %s: not a size (e.g. 10m)", arg);
        switch (*end | 0x20) {
        case 'k':
                v <<= 10;
                end++;
                break;
        case 'm':
                v <<= 20;
                end++;
                break;
        case 'g':
                v <<= 30;
                end++;
                break;
        default:
                break;
        }
        if (*end == 'b' || *end == 'B')
                end++;
        if (*end != '\0')
                return rc_cli_usage_error(cmd, "--log-opt %s: not a size (e.g. 10m)", arg);
        o->log_max_size = v;
        return 0;
}

/* rc run's and rc create's options (rc generate systemd reads saved command
 * lines with them). */
enum { OPT_RM = 256, OPT_NAME, OPT_ENTRYPOINT, OPT_NETWORK, OPT_HELP, OPT_PULL, OPT_TLS_VERIFY,
       OPT_SECURITY_OPT, OPT_RESTART, OPT_LOG_OPT, OPT_STOP_SIGNAL, OPT_STOP_TIMEOUT, OPT_REPLACE,
       OPT_SDNOTIFY };
const struct option rc_cli_run_options[] = {
        { "detach", no_argument, NULL, 'd' },
        { "restart", required_argument, NULL, OPT_RESTART },
        { "log-opt", required_argument, NULL, OPT_LOG_OPT },
        { "stop-signal", required_argument, NULL, OPT_STOP_SIGNAL },
        { "stop-timeout", required_argument, NULL, OPT_STOP_TIMEOUT },
        { "rm", no_argument, NULL, OPT_RM },
        { "interactive", no_argument, NULL, 'i' },
        { "tty", no_argument, NULL, 't' },
        { "name", required_argument, NULL, OPT_NAME },
        { "env", required_argument, NULL, 'e' },
        { "workdir", required_argument, NULL, 'w' },
        { "entrypoint", required_argument, NULL, OPT_ENTRYPOINT },
        { "user", required_argument, NULL, 'u' },
        { "hostname", required_argument, NULL, 'h' },
        { "network", required_argument, NULL, OPT_NETWORK },
        { "net", required_argument, NULL, OPT_NETWORK },
        { "pull", required_argument, NULL, OPT_PULL },
        { "tls-verify", required_argument, NULL, OPT_TLS_VERIFY },
        { "security-opt", required_argument, NULL, OPT_SECURITY_OPT },
        RC_LIMIT_OPTIONS,
        RC_HEALTH_OPTIONS,
        RUN_FLAGS_LONGOPTS,
        { "replace", no_argument, NULL, OPT_REPLACE },
        { "sdnotify", required_argument, NULL, OPT_SDNOTIFY },
        { "help", no_argument, NULL, OPT_HELP },
        { NULL, 0, NULL, 0 },
};
const char rc_cli_run_shortopts[] = "+dite:w:u:h:v:l:m:c:p:P";

/* rc's command line as typed, with rc's own path made absolute: what
 * rc generate systemd --new starts again. */
static char **create_command(const struct rc_cli *cli)
{
        char **out = xcalloc(1, sizeof(char *));
        cleanup_free char *self = realpath("/proc/self/exe", NULL);

        strv_push(&out, self ? self : cli->argv[0]);
        for (size_t i = 1; cli->argv && cli->argv[i]; i++)
                strv_push(&out, cli->argv[i]);
        return out;
}

static int run_or_create(struct rc_cli *cli, const char *cmd, int argc, char **argv)
{
        bool create = strcmp(cmd, "create") == 0;
        const struct option *opts = rc_cli_run_options;
        struct rc_run_opts o = { .pull = RC_PULL_MISSING, .pull_progress = rc_cli_progress, .stop_timeout = -1 };
        cleanup_strv char **env = xcalloc(1, sizeof(char *));
        cleanup_strv char **created_by = NULL, **health_test = NULL, **health_startup_test = NULL;
        cleanup_run_flags struct run_flags flags = { 0 };
        rc_error *err = NULL;
        char id[65];
        int c, r, exit_code = 0;

        while ((c = rc_cli_getopt(cmd, argc, argv, create ? "+ite:w:u:h:v:l:m:c:p:P" : rc_cli_run_shortopts, opts)) !=
               -1) {
                if ((r = run_flags_parse(cmd, c, optarg, &flags, &o)) != 0) {
                        if (r < 0)
                                return 125;
                        continue;
                }
                switch (c) {
                case 'd':
                        if (create)
                                return rc_cli_usage_error(cmd, "-d is for rc run; rc create never starts the container");
                        o.detach = true;
                        break;
                case OPT_RESTART:
                        if (rc_restart_policy_parse(optarg, &o.restart_policy, &o.restart_max, &err) < 0) {
                                rc_cli_usage_error(cmd, "%s", err->msg);
                                rc_error_free(err);
                                return 125;
                        }
                        break;
                case OPT_LOG_OPT:
                        if (log_opt(cmd, optarg, &o) != 0)
                                return 125;
                        break;
                case OPT_STOP_SIGNAL:
                        if (rc_signal_parse(optarg) <= 0)
                                return rc_cli_usage_error(cmd, "--stop-signal %s: not a signal (e.g. SIGTERM, TERM, 15)",
                                                          optarg);
                        o.stop_signal = optarg;
                        break;
                case OPT_STOP_TIMEOUT: {
                        char *end;
                        long v = strtol(optarg, &end, 10);
                        if (*optarg == '\0' || *end != '\0' || v < 0 || v > 86400 * 365)
                                return rc_cli_usage_error(cmd, "--stop-timeout %s: give whole seconds", optarg);
                        o.stop_timeout = (int)v;
                        break;
                }
                case OPT_RM:
                        o.auto_remove = true;
                        break;
                case 'i':
                        o.interactive = true;
                        break;
                case 't':
                        o.tty = true;
                        break;
                case OPT_NAME:
                        o.name = optarg;
                        break;
                case 'e':
                        strv_push(&env, optarg);
                        break;
                case 'w':
                        o.workdir = optarg;
                        break;
                case OPT_ENTRYPOINT:
                        o.entrypoint = optarg;
                        break;
                case 'u':
                        o.user = optarg;
                        break;
                case 'h':
                        o.hostname = optarg;
                        break;
                case OPT_NETWORK:
                        o.network = optarg;
                        break;
                case OPT_PULL:
                        if (!strcmp(optarg, "missing"))
                                o.pull = RC_PULL_MISSING;
                        else if (!strcmp(optarg, "always"))
                                o.pull = RC_PULL_ALWAYS;
                        else if (!strcmp(optarg, "never"))
                                o.pull = RC_PULL_NEVER;
                        else
                                return rc_cli_usage_error(cmd, "--pull takes missing, always or never");
                        break;
                case OPT_TLS_VERIFY:
                        if (rc_cli_tls_verify(cmd, optarg, &o.skip_tls_verify) != 0)
                                return 125;
                        break;
                case OPT_SECURITY_OPT:
                        if (security_opt(cmd, optarg, &flags, &o) != 0)
                                return 125;
                        break;
                case OPT_REPLACE:
                        o.replace = true;
                        break;
                case OPT_SDNOTIFY:
                        if (rc_sdnotify_parse(optarg, &o.sdnotify) < 0)
                                return rc_cli_usage_error(cmd, "--sdnotify takes conmon (the monitor, rc's "
                                                               "default), container or ignore");
                        break;
                RC_LIMIT_CASES:
                        if (rc_cli_limit_flag(cmd, c, optarg, &o.limits) != 0)
                                return 125;
                        break;
                RC_HEALTH_CASES:
                        if (rc_cli_health_flag(cmd, c, optarg, &o.health, &health_test, &health_startup_test) != 0)
                                return 125;
                        break;
                case OPT_HELP:
                        run_usage(cmd);
                        return 0;
                default:
                        return 125; /* rc_cli_getopt said what */
                }
        }
        if (optind >= argc)
                return rc_cli_usage_error(cmd, "%s needs an image: rc %s [OPTIONS] IMAGE [COMMAND]", cmd, cmd);
        if (o.detach && o.auto_remove && o.restart_policy != RC_RESTART_NO)
                return rc_cli_usage_error(cmd, "--restart and --rm do not go together: a container removed when it "
                                               "exits cannot be restarted");
        if (rc_cli_health_finish(cmd, &o.health) != 0)
                return 125;
        o.image = argv[optind];
        o.cmd = argv + optind + 1;
        run_flags_finish(&flags, &o, &env);
        o.env = env;
        o.create_command = created_by = create_command(cli);
        if (create) {
                if (rc_container_create(&cli->cfg, &o, id, &err) < 0)
                        return rc_cli_fail(err);
                printf("%s\n", id);
                return 0;
        }
        /* On failure exit_code says which kind: 125 rc, 126/127 exec. */
        if (rc_container_run(&cli->cfg, &o, id, &exit_code, &err) < 0) {
                rc_cli_fail(err);
                return exit_code;
        }
        if (o.detach)
                printf("%s\n", id);
        return exit_code;
}

int cmd_run(struct rc_cli *cli, int argc, char **argv)
{
        return run_or_create(cli, "run", argc, argv);
}

int cmd_create(struct rc_cli *cli, int argc, char **argv)
{
        return run_or_create(cli, "create", argc, argv);
}
