/* rc run */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "container/container.h"
#include "rc.h"
#include "util/xalloc.h"

static void run_usage(void)
{
        printf("Usage: rc run [OPTIONS] IMAGE [COMMAND [ARG...]]\n\n"
               "Run a command in a new container.\n\n"
               "Options:\n"
               "  --rm                    remove the container when it exits\n"
               "  -i, --interactive       keep stdin open and pass it to the container\n"
               "  -t, --tty               give the container a terminal (with -i: an interactive shell)\n"
               "  --name NAME             name the container (default: a random name)\n"
               "  -e, --env KEY=VALUE     set an environment variable (KEY alone: take it from rc's)\n"
               "  -w, --workdir DIR       working directory inside the container\n"
               "  --entrypoint CMD        override the image's entrypoint (\"\" clears it)\n"
               "  -u, --user USER[:GROUP] user to run as (name or id, from the image's /etc/passwd)\n"
               "  -h, --hostname NAME     container host name (default: the short container id)\n"
               "  --network MODE          none (only loopback) or host (share the host's network)\n"
               "  --pull POLICY           missing (default): pull if not stored; always; never\n"
               "  --tls-verify=false      for that pull: allow plain HTTP and unverified TLS\n"
               "  --security-opt seccomp=unconfined|PROFILE.json\n"
               "                          no seccomp filter, or a JSON profile instead of rc's default\n\n"
               "Exit status: the command's; 125 if rc itself failed, 126 if the command cannot be\n"
               "executed, 127 if it was not found, 128+N if it was killed by signal N.\n");
}

/* --security-opt: seccomp=unconfined|FILE; no-new-privileges, which rc
 * always sets, is accepted. */
static int security_opt(const char *arg, struct rc_run_opts *o)
{
        if (strncmp(arg, "seccomp=", 8) == 0 || strncmp(arg, "seccomp:", 8) == 0) {
                if (arg[8] == '\0')
                        return rc_cli_usage_error("run", "--security-opt seccomp= needs unconfined or a profile file");
                o->seccomp = arg + 8;
                return 0;
        }
        if (strcmp(arg, "no-new-privileges") == 0 || strcmp(arg, "no-new-privileges=true") == 0 ||
            strcmp(arg, "no-new-privileges:true") == 0)
                return 0;
        return rc_cli_usage_error("run", "--security-opt %s: not supported yet (rc supports seccomp=unconfined, "
                                         "seccomp=PROFILE.json and no-new-privileges)",
                                  arg);
}

int cmd_run(struct rc_cli *cli, int argc, char **argv)
{
        enum { OPT_RM = 256, OPT_NAME, OPT_ENTRYPOINT, OPT_NETWORK, OPT_HELP, OPT_PULL, OPT_TLS_VERIFY,
               OPT_SECURITY_OPT };
        static const struct option opts[] = {
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
                { "help", no_argument, NULL, OPT_HELP },
                { NULL, 0, NULL, 0 },
        };
        struct rc_run_opts o = { .pull = RC_PULL_MISSING, .pull_progress = rc_cli_progress };
        cleanup_strv char **env = xcalloc(1, sizeof(char *));
        rc_error *err = NULL;
        int c, exit_code = 0;

        while ((c = getopt_long(argc, argv, "+ite:w:u:h:", opts, NULL)) != -1) {
                switch (c) {
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
                                return rc_cli_usage_error("run", "--pull takes missing, always or never");
                        break;
                case OPT_TLS_VERIFY:
                        if (rc_cli_tls_verify("run", optarg, &o.skip_tls_verify) != 0)
                                return 125;
                        break;
                case OPT_SECURITY_OPT:
                        if (security_opt(optarg, &o) != 0)
                                return 125;
                        break;
                case OPT_HELP:
                        run_usage();
                        return 0;
                default:
                        return rc_cli_usage_error("run", "invalid option");
                }
        }
        if (optind >= argc)
                return rc_cli_usage_error("run", "run needs an image: rc run [OPTIONS] IMAGE [COMMAND]");
        o.image = argv[optind];
        o.cmd = argv + optind + 1;
        o.env = env;
        /* On failure exit_code says which kind: 125 rc, 126/127 exec. */
        if (rc_container_run(&cli->cfg, &o, &exit_code, &err) < 0) {
                rc_cli_fail(err);
                return exit_code;
        }
        return exit_code;
}
