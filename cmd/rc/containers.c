/* rc ps, rc rm */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "rc.h"
#include "store/store.h"
#include "util/xalloc.h"

int cmd_ps(struct rc_cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                { "all", no_argument, NULL, 'a' },
                { "quiet", no_argument, NULL, 'q' },
                { "no-trunc", no_argument, NULL, 256 },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        cleanup_store struct rc_store *s = NULL;
        struct rc_container_rec *list = NULL;
        bool all = false, quiet = false, no_trunc = false;
        rc_error *err = NULL;
        size_t n = 0;
        int c;

        while ((c = getopt_long(argc, argv, "+aqh", opts, NULL)) != -1) {
                switch (c) {
                case 'a':
                        all = true;
                        break;
                case 'q':
                        quiet = true;
                        break;
                case 256:
                        no_trunc = true;
                        break;
                case 'h':
                        printf("Usage: rc ps [-a] [-q] [--no-trunc]\n\n"
                               "List running containers (-a: all containers).\n");
                        return 0;
                default:
                        return rc_cli_usage_error("ps", "invalid option");
                }
        }
        if (rc_store_open(cli->cfg.root, &s, &err) < 0 || rc_store_container_list(s, &list, &n, &err) < 0)
                return rc_cli_fail(err);
        if (!quiet)
                printf("%-12s  %-30s  %-22s  %-20s  %s\n", "CONTAINER ID", "IMAGE", "STATUS", "CREATED", "NAMES");
        for (size_t i = 0; i < n; i++) {
                bool running = rc_container_rec_running(&list[i]);
                char status[64], created[32];
                struct tm tm;
                time_t t = (time_t)list[i].created;

                if (!running && !all)
                        continue;
                if (quiet) {
                        printf("%.*s\n", no_trunc ? RC_DIGEST_HEX_LEN : 12, list[i].id);
                        continue;
                }
                if (running)
                        snprintf(status, sizeof(status), "Up");
                else if (strcmp(list[i].state, "exited") == 0)
                        snprintf(status, sizeof(status), "Exited (%d)", list[i].exit_code);
                else
                        snprintf(status, sizeof(status), "Created");
                localtime_r(&t, &tm);
                strftime(created, sizeof(created), "%Y-%m-%d %H:%M:%S", &tm);
                printf("%-12.*s  %-30s  %-22s  %-20s  %s\n", no_trunc ? RC_DIGEST_HEX_LEN : 12, list[i].id,
                       list[i].image_name, status, created, list[i].name);
        }
        rc_container_list_free(list, n);
        return 0;
}

int cmd_rm(struct rc_cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                { "all", no_argument, NULL, 'a' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        cleanup_store struct rc_store *s = NULL;
        rc_error *err = NULL;
        bool all = false;
        int c, status = 0;

        while ((c = getopt_long(argc, argv, "+ah", opts, NULL)) != -1) {
                switch (c) {
                case 'a':
                        all = true;
                        break;
                case 'h':
                        printf("Usage: rc rm [-a] CONTAINER...\n\n"
                               "Remove stopped containers by name or id (-a: all stopped containers).\n");
                        return 0;
                default:
                        return rc_cli_usage_error("rm", "invalid option");
                }
        }
        if (optind >= argc && !all)
                return rc_cli_usage_error("rm", "rm needs at least one container (or -a)");
        if (rc_cli_open_store_rw(cli, &s, &err) < 0)
                return rc_cli_fail(err);
        if (all) {
                struct rc_container_rec *list = NULL;
                size_t n = 0;
                if (rc_store_container_list(s, &list, &n, &err) < 0)
                        return rc_cli_fail(err);
                for (size_t i = 0; i < n; i++) {
                        if (rc_container_rec_running(&list[i]))
                                continue;
                        if (rc_store_container_remove(s, list[i].id, &err) < 0) {
                                rc_container_list_free(list, n);
                                return rc_cli_fail(err);
                        }
                        printf("%s\n", list[i].id);
                }
                rc_container_list_free(list, n);
        }
        for (int i = optind; i < argc; i++) {
                struct rc_container_rec rec;
                if (rc_store_container_find(s, argv[i], &rec, &err) < 0) {
                        fprintf(stderr, "rc: %s\n", err->msg);
                        rc_error_free(err);
                        err = NULL;
                        status = 1;
                        continue;
                }
                if (rc_container_rec_running(&rec)) {
                        fprintf(stderr, "rc: container %s (%.12s) is running: stop it first\n", rec.name, rec.id);
                        status = 2;
                } else if (rc_store_container_remove(s, rec.id, &err) < 0) {
                        fprintf(stderr, "rc: %s\n", err->msg);
                        rc_error_free(err);
                        err = NULL;
                        status = 125;
                } else {
                        printf("%s\n", rec.id);
                }
                rc_container_rec_free(&rec);
        }
        return status;
}
