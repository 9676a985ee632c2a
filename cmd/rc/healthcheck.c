/* rc healthcheck run, and the --health-* flags of rc run and rc create. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "container/container.h"
#include "rc.h"
#include "util/xalloc.h"

const char rc_cli_health_help[] =
        "  --health-cmd CMD        a health check: a shell command, a JSON array ([\"CMD\", \"prog\", \"arg\"]),\n"
        "                          or none (no check, not even the image's HEALTHCHECK)\n"
        "  --health-interval DURATION  time between checks (default 30s; disable: run by rc healthcheck\n"
        "                          run only)\n"
        "  --health-retries N      failed checks in a row that make it unhealthy (default 3)\n"
        "  --health-timeout DURATION  a check running longer is killed and fails (default 30s)\n"
        "  --health-start-period DURATION  failures after the start do not count for this long\n"
        "                          (default 0s)\n"
        "  --health-on-failure ACTION  once unhealthy: none (default), kill, restart or stop it\n"
        "  --health-startup-cmd CMD  a startup check, run instead of the health check until it passes\n"
        "                          (needs a health check)\n"
        "  --health-startup-interval DURATION  time between startup checks (default 30s)\n"
        "  --health-startup-timeout DURATION  a startup check running longer fails (default 30s)\n"
        "  --health-startup-retries N  failed startup checks in a row that restart the container\n"
        "                          (default 0: never)\n"
        "  --health-startup-success N  passed startup checks in a row that end the startup (default 0:\n"
        "                          one)\n"
        "  --no-healthcheck        no health check, not even the image's\n";

int rc_cli_health_flag(const char *cmd, int opt, const char *arg, struct rc_health_flags *h, char ***test_owner,
                       char ***startup_owner)
{
        rc_error *err = NULL;
        int r = 0;

        switch (opt) {
        case RC_OPT_HEALTH_CMD: {
                char **test = NULL;
                r = rc_health_cmd_parse(arg, &test, &err);
                if (r == 0) {
                        strv_free(*test_owner);
                        *test_owner = test;
                        h->test = test;
                }
                break;
        }
        case RC_OPT_HEALTH_INTERVAL:
                r = rc_health_duration_parse("--health-interval", arg, false, &h->interval, &err);
                h->no_timer = r == 0 && h->interval == 0;
                break;
        case RC_OPT_HEALTH_TIMEOUT:
                r = rc_health_duration_parse("--health-timeout", arg, false, &h->timeout, &err);
                break;
        case RC_OPT_HEALTH_START_PERIOD:
                r = rc_health_duration_parse("--health-start-period", arg, true, &h->start_period, &err);
                h->start_period_set = r == 0;
                break;
        case RC_OPT_HEALTH_RETRIES:
                r = rc_health_retries_parse("--health-retries", arg, &h->retries, &err);
                h->retries_set = r == 0;
                break;
        case RC_OPT_HEALTH_ON_FAILURE:
                r = rc_health_action_parse(arg, &h->on_failure, &err);
                break;
        case RC_OPT_HEALTH_STARTUP_CMD: {
                char **test = NULL;
                r = rc_health_cmd_parse(arg, &test, &err);
                if (r == 0 && strcmp(test[0], "NONE") == 0) {
                        strv_free(test);
                        test = NULL; /* none: no startup check */
                }
                if (r == 0) {
                        strv_free(*startup_owner);
                        *startup_owner = test;
                        h->startup.test = test;
                }
                break;
        }
        case RC_OPT_HEALTH_STARTUP_INTERVAL:
                r = rc_health_duration_parse("--health-startup-interval", arg, false, &h->startup.interval, &err);
                break;
        case RC_OPT_HEALTH_STARTUP_TIMEOUT:
                r = rc_health_duration_parse("--health-startup-timeout", arg, false, &h->startup.timeout, &err);
                break;
        case RC_OPT_HEALTH_STARTUP_RETRIES:
                r = rc_health_retries_parse("--health-startup-retries", arg, &h->startup.retries, &err);
                break;
        case RC_OPT_HEALTH_STARTUP_SUCCESS:
                r = rc_health_retries_parse("--health-startup-success", arg, &h->startup.successes, &err);
                break;
        case RC_OPT_NO_HEALTHCHECK:
                h->disable = true;
                break;
        default:
                return rc_cli_usage_error(cmd, "unknown health check flag");
        }
        if (r < 0) {
                rc_cli_usage_error(cmd, "%s", err->msg);
                rc_error_free(err);
                return 125;
        }
        return 0;
}

/* Both a check and no check: say which one wins rather than guess. */
int rc_cli_health_finish(const char *cmd, const struct rc_health_flags *h)
{
        if (h->disable && h->test && strcmp(h->test[0], "NONE") != 0)
                return rc_cli_usage_error(cmd, "--no-healthcheck and --health-cmd do not go together");
        return 0;
}

static void usage(void)
{
        printf("Usage: rc healthcheck run CONTAINER\n\n"
               "Run a container's health check once.\n\n"
               "The check (--health-cmd of rc run, or the image's HEALTHCHECK) runs inside the running\n"
               "container as rc exec would run it, and is killed after its timeout.  Its result goes into\n"
               "the container's health state: rc inspect shows it as State.Health, rc ps as (healthy),\n"
               "(unhealthy) or (starting).  The container's monitor runs the check every interval by itself.\n\n"
               "Exit status: 0 if the check passed; 1 if it failed (\"unhealthy\", or \"starting\" during the\n"
               "start period, is printed); 125 if there is no check or the container is not running.\n");
}

int cmd_healthcheck(struct rc_cli *cli, int argc, char **argv)
{
        enum rc_health_status status;
        rc_error *err = NULL;
        bool passed = false;

        if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
                printf("Usage: rc healthcheck COMMAND\n\n"
                       "Manage health checks on containers.\n\n"
                       "Commands:\n"
                       "  run         Run the health check of a container\n");
                return argc < 2 ? 125 : 0;
        }
        if (strcmp(argv[1], "run") != 0)
                return rc_cli_usage_error("healthcheck", "unknown command \"%s\" (rc healthcheck has run)", argv[1]);
        if (rc_cli_wants_help(argc - 1, argv + 1)) {
                usage();
                return 0;
        }
        if (argc != 3 || argv[2][0] == '-')
                return rc_cli_usage_error("healthcheck run", "give one container: rc healthcheck run CONTAINER");
        if (rc_container_healthcheck_run(&cli->cfg, argv[2], &status, &passed, &err) < 0)
                return rc_cli_fail(err);
        if (passed)
                return 0;
        printf("%s\n", rc_health_status_name(status == RC_HEALTH_HEALTHY ? RC_HEALTH_UNHEALTHY : status));
        return 1;
}
