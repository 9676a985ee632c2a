/* rc logs */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "container/container.h"
#include "rc.h"
#include "store/store.h"

int cmd_logs(struct rc_cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                { "follow", no_argument, NULL, 'f' },
                { "timestamps", no_argument, NULL, 't' },
                { "tail", required_argument, NULL, 'n' },
                { "since", required_argument, NULL, 's' },
                { "until", required_argument, NULL, 'u' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        struct rc_logs_opts o = { .tail = -1 };
        rc_error *err = NULL;
        int c, status = 0;

        while ((c = getopt_long(argc, argv, "ftn:h", opts, NULL)) != -1) {
                switch (c) {
                case 'f':
                        o.follow = true;
                        break;
                case 't':
                        o.timestamps = true;
                        break;
                case 'n': {
                        char *end;
                        o.tail = strtol(optarg, &end, 10);
                        if (*optarg == '\0' || *end != '\0')
                                return rc_cli_usage_error("logs", "--tail %s: give a number of lines", optarg);
                        break;
                }
                case 's':
                case 'u':
                        if (rc_parse_time_bound(optarg, rc_now_ns(), c == 's' ? &o.since : &o.until, &err) < 0) {
                                rc_cli_usage_error("logs", "--%s %s", c == 's' ? "since" : "until", err->msg);
                                rc_error_free(err);
                                return 125;
                        }
                        break;
                case 'h':
                        printf("Usage: rc logs [OPTIONS] CONTAINER...\n\n"
                               "Show what containers wrote to stdout and stderr.\n\n"
                               "Options:\n"
                               "  -f, --follow       keep printing until the container exits\n"
                               "  -t, --timestamps   each line with its time\n"
                               "  -n, --tail N       only the last N lines\n"
                               "  --since TIME       from TIME (RFC 3339, unix seconds, or a duration: 10m)\n"
                               "  --until TIME       up to TIME\n");
                        return 0;
                default:
                        return rc_cli_usage_error("logs", "invalid option");
                }
        }
        if (optind >= argc)
                return rc_cli_usage_error("logs", "logs needs a container");
        for (int i = optind; i < argc; i++) {
                if (rc_container_logs(&cli->cfg, argv[i], &o, &err) < 0) {
                        rc_cli_error("%s", err->msg);
                        status = 125;
                        rc_error_free(err);
                }
        }
        return status;
}
