/* rc pause, rc unpause, rc update: a running container's cgroup. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cgroup/cgroup.h"
#include "container/container.h"
#include "rc.h"
#include "store/store.h"
#include "util/xalloc.h"

static int pause_or_unpause(struct rc_cli *cli, const char *cmd, bool pause, int argc, char **argv)
{
        static const struct option opts[] = {
                { "all", no_argument, NULL, 'a' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        cleanup_strv char **targets = xcalloc(1, sizeof(char *));
        rc_error *err = NULL;
        bool all = false;
        int c, status = 0;

        while ((c = rc_cli_getopt(cmd, argc, argv, "ah", opts)) != -1) {
                switch (c) {
                case 'a':
                        all = true;
                        break;
                case 'h':
                        printf("Usage: rc %s [-a] CONTAINER...\n\n"
                               "%s every process of running containers (the cgroup v2 freezer: the\n"
                               "container's cgroup.freeze).\n\n"
                               "Options:\n"
                               "  -a, --all   every %s container\n",
                               cmd, pause ? "Freeze" : "Thaw", pause ? "running" : "paused");
                        return 0;
                default:
                        return 125;
                }
        }
        if (optind >= argc && !all)
                return rc_cli_usage_error(cmd, "%s needs at least one container (or -a)", cmd);
        if (all) {
                cleanup_store struct rc_store *s = NULL;
                struct rc_container_rec *list = NULL;
                size_t n = 0;
                if (rc_cli_open_store(cli, &s, &err) < 0 || rc_store_container_list(s, &list, &n, &err) < 0)
                        return rc_cli_fail(err);
                for (size_t i = 0; i < n; i++)
                        if (strcmp(rc_container_rec_status(&list[i]), "running") == 0 &&
                            rc_container_paused(&list[i]) != pause)
                                strv_push(&targets, list[i].id);
                rc_container_list_free(list, n);
        }
        for (int i = optind; i < argc; i++)
                strv_push(&targets, argv[i]);
        for (size_t i = 0; targets[i]; i++) {
                if (rc_container_pause(&cli->cfg, targets[i], pause, &err) < 0) {
                        rc_cli_error("%s", err->msg);
                        rc_error_free(err);
                        err = NULL;
                        status = 125;
                        continue;
                }
                printf("%s\n", targets[i]);
        }
        return status;
}

int cmd_pause(struct rc_cli *cli, int argc, char **argv)
{
        return pause_or_unpause(cli, "pause", true, argc, argv);
}

int cmd_unpause(struct rc_cli *cli, int argc, char **argv)
{
        return pause_or_unpause(cli, "unpause", false, argc, argv);
}

int cmd_update(struct rc_cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                RC_LIMIT_OPTIONS,
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        struct rc_cgroup_limits l = { 0 };
        rc_error *err = NULL;
        int c, status = 0;

        while ((c = rc_cli_getopt("update", argc, argv, "m:c:h", opts)) != -1) {
                switch (c) {
                RC_LIMIT_CASES:
                        if (rc_cli_limit_flag("update", c, optarg, &l) != 0)
                                return 125;
                        break;
                case 'h':
                        printf("Usage: rc update [OPTIONS] CONTAINER...\n\n"
                               "Change the resource limits of containers: at once if they run (their cgroup),\n"
                               "and for their next start.  Limits not given stay as they are.\n\n"
                               "Options:\n%s",
                               rc_cli_limits_help);
                        return 0;
                default:
                        return 125;
                }
        }
        if (optind >= argc)
                return rc_cli_usage_error("update", "update needs at least one container");
        if (!rc_cgroup_limits_any(&l))
                return rc_cli_usage_error("update", "give at least one limit to change (e.g. --memory 512m)");
        for (int i = optind; i < argc; i++) {
                if (rc_container_update(&cli->cfg, argv[i], &l, &err) < 0) {
                        rc_cli_error("%s", err->msg);
                        rc_error_free(err);
                        err = NULL;
                        status = 125;
                        continue;
                }
                printf("%s\n", argv[i]);
        }
        return status;
}
