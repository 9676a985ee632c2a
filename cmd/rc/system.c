/* rc system check|info|migrate (and the hidden rc system userns-probe,
 * which system tests use to look inside rc's user namespace). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "check/check.h"
#include "mount/mount.h"
#include "rc.h"
#include "userns/userns.h"
#include "util/fs.h"
#include "util/xalloc.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

static void json_print(json_object *o)
{
        puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(o);
}

/* --format: "json" or the default text. */
static int parse_format(const char *cmd, const char *v, bool *json)
{
        if (strcmp(v, "json") == 0)
                *json = true;
        else if (strcmp(v, "text") == 0)
                *json = false;
        else
                return rc_cli_usage_error(cmd, "--format '%s': use json or text", v);
        return 0;
}

/* ---- rc system check ---- */

static void check_usage(FILE *out)
{
        fprintf(out, "Usage: rc system check [--format json]\n\n"
                     "Check that this host and user are set up for rootless containers: user\n"
                     "namespaces, subordinate ids, newuidmap/newgidmap, storage, devices, cgroups,\n"
                     "systemd, sysctls and DNS.  Every problem comes with the command that fixes it\n"
                     "and whether that command needs root.\n\n"
                     "Exit status: 0 if nothing FAILs (warnings allowed), 1 otherwise.\n\n"
                     "Options:\n"
                     "  --format json   print the results as a JSON array\n"
                     "  -h, --help      show this help\n");
}

static const char *color(enum rc_check_status s, bool on)
{
        static const char *const c[] = { "\033[32m", "\033[36m", "\033[33m", "\033[1;31m", "\033[2m" };
        return on ? c[s] : "";
}

static int system_check(struct rc_cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                { "format", required_argument, NULL, 'f' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        struct rc_check_context ctx;
        struct rc_check_result *res;
        cleanup_free char *name = NULL;
        size_t n, count[5] = { 0 };
        bool json = false, tty;
        int c;

        while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
                switch (c) {
                case 'f':
                        if (parse_format("system check", optarg, &json) != 0)
                                return 125;
                        break;
                case 'h':
                        check_usage(stdout);
                        return 0;
                default:
                        return rc_cli_usage_error("system check", "invalid option");
                }
        }
        if (optind < argc)
                return rc_cli_usage_error("system check", "unexpected argument '%s'", argv[optind]);
        rc_check_context_init(&ctx, &cli->cfg, &name);
        rc_check_run_all(&ctx, &res, &n);
        for (size_t i = 0; i < n; i++)
                count[res[i].status]++;
        if (json) {
                json_object *arr = json_object_new_array();
                for (size_t i = 0; i < n; i++) {
                        json_object *o = json_object_new_object();
                        char status[8];
                        snprintf(status, sizeof(status), "%s", rc_check_status_name(res[i].status));
                        for (char *p = status; *p; p++)
                                *p = (char)(*p - 'A' + 'a');
                        json_object_object_add(o, "id", json_object_new_string(res[i].id));
                        json_object_object_add(o, "title", json_object_new_string(res[i].title));
                        json_object_object_add(o, "status", json_object_new_string(status));
                        json_object_object_add(o, "detail", json_object_new_string(res[i].detail));
                        json_object_object_add(o, "fix", res[i].fix ? json_object_new_string(res[i].fix) : NULL);
                        json_object_object_add(o, "fix_needs_root", json_object_new_boolean(res[i].fix_needs_root));
                        json_object_array_add(arr, o);
                }
                json_print(arr);
        } else {
                const char *tag[] = { "[ OK ]", "[INFO]", "[WARN]", "[FAIL]", "[SKIP]" };
                const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");
                tty = isatty(STDOUT_FILENO) && (nc == NULL || *nc == '\0') && !(term && strcmp(term, "dumb") == 0);
                for (size_t i = 0; i < n; i++) {
                        printf("%s%s%s %s: %s\n", color(res[i].status, tty), tag[res[i].status], tty ? "\033[0m" : "",
                               res[i].title, res[i].detail);
                        if (res[i].fix)
                                printf("       fix%s: %s\n", res[i].fix_needs_root ? " (needs root)" : "",
                                       res[i].fix);
                }
                printf("\n");
                if (count[RC_CHECK_FAIL])
                        printf("%zu problem%s must be fixed before rc can run containers", count[RC_CHECK_FAIL],
                               count[RC_CHECK_FAIL] == 1 ? "" : "s");
                else
                        printf("rc can run rootless containers here");
                if (count[RC_CHECK_WARN])
                        printf("%s%zu warning%s", count[RC_CHECK_FAIL] ? "; " : " (", count[RC_CHECK_WARN],
                               count[RC_CHECK_WARN] == 1 ? "" : "s");
                printf("%s.\n", count[RC_CHECK_WARN] && !count[RC_CHECK_FAIL] ? ")" : "");
        }
        rc_check_results_free(res, n);
        return count[RC_CHECK_FAIL] ? 1 : 0;
}

/* ---- rc system migrate ---- */

static int system_migrate(struct rc_cli *cli, int argc, char **argv)
{
        struct rc_userns_state st;
        rc_error *err = NULL;

        if (rc_cli_wants_help(argc, argv)) {
                printf("Usage: rc system migrate\n\n"
                       "Stop rc's pause process, so that the next rc command creates a user namespace\n"
                       "with the subordinate ids configured now.  Running containers keep their\n"
                       "namespaces.\n");
                return 0;
        }
        if (argc > 1)
                return rc_cli_usage_error("system migrate", "unexpected argument '%s'", argv[1]);
        if (rc_userns_status(&cli->cfg, &st, &err) < 0 || rc_userns_stop_pause(&cli->cfg, &err) < 0)
                return rc_cli_fail(err);
        if (st.pause_pid)
                printf("stopped the pause process %d\n", (int)st.pause_pid);
        else
                printf("no pause process was running\n");
        rc_userns_state_free(&st);
        return 0;
}

/* ---- rc system userns-probe (hidden, for tests) ---- */

static int system_userns_probe(struct rc_cli *cli, int argc, char **argv)
{
        struct rc_userns_state st;
        struct timespec t0, t1;
        rc_error *err = NULL;
        cleanup_free char *uid_map = NULL, *gid_map = NULL;
        int i = 1;

        if (i < argc && strcmp(argv[i], "--no-pause") == 0) {
                cli->cfg.pause = false;
                i++;
        }
        if (i < argc && strcmp(argv[i], "--") == 0)
                i++;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        if (rc_userns_enter(&cli->cfg, &st, &err) < 0)
                return rc_cli_fail(err);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (i < argc) {
                rc_userns_state_free(&st);
                fflush(stdout);
                execvp(argv[i], argv + i);
                rc_cli_error("%s: %s", argv[i], strerror(errno));
                return errno == ENOENT ? 127 : 126;
        }
        if (rc_read_file("/proc/self/uid_map", &uid_map, NULL, &err) < 0 ||
            rc_read_file("/proc/self/gid_map", &gid_map, NULL, &err) < 0)
                return rc_cli_fail(err);
        printf("mode: %s\npause-pid: %d\nenter-ms: %.3f\nuid: %d\nuid_map:\n%sgid_map:\n%s",
               st.host_root ? "host-root" : st.pause_pid ? (st.created ? "created-pause" : "joined-pause") : "private",
               (int)st.pause_pid, (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6, (int)getuid(),
               uid_map, gid_map);
        rc_userns_state_free(&st);
        return 0;
}

/* ---- rc unshare ---- */

int cmd_unshare(struct rc_cli *cli, int argc, char **argv)
{
        struct rc_userns_state st;
        rc_error *err = NULL;
        const char *shell = getenv("SHELL");
        char *default_cmd[] = { (char *)(shell && *shell ? shell : "/bin/sh"), NULL };
        char **cmd = default_cmd;
        int i = 1;

        if (i < argc && (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))) {
                printf("Run a command in a modified user namespace\n\n"
                       "Description:\n"
                       "  Runs COMMAND (default: $SHELL) as root of rc's user namespace, where the\n"
                       "  user's subordinate ids are mapped: the files of containers, images and\n"
                       "  volumes in rc's store belong to it there (rc unshare rm -rf DIR removes what\n"
                       "  a container made).  CONTAINERS_GRAPHROOT and CONTAINERS_RUNROOT name rc's\n"
                       "  store and run-time directories, as podman's do.\n\n"
                       "Usage:\n"
                       "  rc unshare [COMMAND [ARG...]]\n");
                return 0;
        }
        if (i < argc && strcmp(argv[i], "--") == 0)
                i++;
        else if (i < argc && argv[i][0] == '-')
                return rc_cli_usage_error("unshare", "unknown flag: %s", argv[i]);
        if (i < argc)
                cmd = argv + i;
        if (rc_userns_enter(&cli->cfg, &st, &err) < 0)
                return rc_cli_fail(err);
        rc_userns_state_free(&st);
        setenv("CONTAINERS_GRAPHROOT", cli->cfg.root, 1);
        setenv("CONTAINERS_RUNROOT", cli->cfg.runroot, 1);
        fflush(stdout);
        if (strchr(cmd[0], '/') == NULL) {
                cleanup_free char *path = rc_find_program(cmd[0], NULL);
                if (path == NULL) {
                        rc_cli_error("exec: %s: executable file not found in $PATH", cmd[0]);
                        return 127;
                }
                execv(path, cmd);
        } else {
                execv(cmd[0], cmd);
        }
        rc_cli_error("%s: %s", cmd[0], strerror(errno));
        return errno == ENOENT ? 127 : 126;
}

/* ---- rc system ---- */

static void system_usage(FILE *out)
{
        fprintf(out, "Usage: rc system COMMAND\n\n"
                     "Commands:\n"
                     "  check     check this host for rootless containers and say how to fix problems\n"
                     "  df        show the space images, containers and volumes take\n"
                     "  info      same as 'rc info'\n"
                     "  migrate   stop the pause process (after changing /etc/subuid or /etc/subgid)\n"
                     "  prune     remove stopped containers, unused images (and volumes)\n"
                     "  reset     remove every container, image and volume: rc's whole store\n\n"
                     "Run 'rc system COMMAND --help' for a command's options.\n");
}

int cmd_system(struct rc_cli *cli, int argc, char **argv)
{
        static const struct {
                const char *name;
                int (*fn)(struct rc_cli *, int, char **);
        } sub[] = {
                { "check", system_check },   { "df", rc_system_df },       { "info", cmd_info },
                { "migrate", system_migrate }, { "prune", rc_system_prune }, { "reset", rc_system_reset },
                { "userns-probe", system_userns_probe },
        };

        if (argc < 2) {
                system_usage(stderr);
                return 125;
        }
        if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
                system_usage(stdout);
                return 0;
        }
        for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
                if (strcmp(argv[1], sub[i].name) == 0) {
                        optind = 0;
                        return sub[i].fn(cli, argc - 1, argv + 1);
                }
        }
        return rc_cli_usage_error("system", "unknown command 'system %s'", argv[1]);
}
