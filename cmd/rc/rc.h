/* The rc command line: global options, the command table and helpers the
 * per-command files share.  Each cmd/rc/<family>.c implements commands as
 * `int cmd_NAME(struct rc_cli *cli, int argc, char **argv)` returning the
 * process exit status; argv[0] is the command name, options follow. */
#ifndef RC_CMD_RC_H
#define RC_CMD_RC_H

#include <stdbool.h>
#include <stddef.h>
#include <getopt.h>
#include <stdint.h>

#include "config/config.h"
#include "util/error.h"

struct rc_cli {
        struct rc_config cfg; /* loaded configuration with --root/--runroot applied */
        const char *argv0;
        char **global_args;   /* the global options as given (--root DIR ...), NULL-terminated */
        char **argv;          /* rc's whole command line */
};

struct rc_command {
        const char *name;
        int (*fn)(struct rc_cli *cli, int argc, char **argv);
        const char *summary;
};

/* Print "Error: <message>" (podman's form) for err and free it; returns
 * exit status 125 (docker/podman's status for an error of the engine). */
int rc_cli_fail(rc_error *err);
/* "Error: <printf message>" on stderr, for commands that go on. */
void rc_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print "Error: <printf message>" and "See 'rc CMD --help'"; returns 125. */
int rc_cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
struct option;
/* getopt_long for a command: options may follow arguments (unless
 * optstring starts with '+'), and an unknown option or a missing argument
 * is reported in podman's words ("unknown flag: --x") with a usage hint;
 * then '?' is returned and the command exits 125. */
int rc_cli_getopt(const char *cmd, int argc, char **argv, const char *optstring, const struct option *longopts);
/* "2.14 MB" (powers of 1000, three digits, as podman prints). */
void rc_cli_human_size(uint64_t bytes, char *buf, size_t len);
/* "3 days ago", "About a minute ago" for a unix time, as podman prints. */
void rc_cli_human_age(int64_t created, char *buf, size_t len);
/* "2 minutes", "About an hour" (podman's wording) for a duration. */
void rc_cli_human_duration(int64_t secs, char *buf, size_t len);
struct rc_store;
/* Join rc's user namespace (the store's files belong to subordinate ids)
 * and open the store. */
int rc_cli_open_store(struct rc_cli *cli, struct rc_store **s, rc_error **err);
/* The same, for commands that write to the store: also collects what
 * killed or interrupted rc processes left (rc_store_gc, which only warns). */
int rc_cli_open_store_rw(struct rc_cli *cli, struct rc_store **s, rc_error **err);
/* --tls-verify=ARG: sets *skip; a usage error (status 125) for anything but
 * true or false. */
int rc_cli_tls_verify(const char *cmd, const char *arg, bool *skip);
/* True if argv has -h/--help before any positional argument. */
bool rc_cli_wants_help(int argc, char **argv);
/* Before removing things without -f: ask "[y/N]" after warning on a
 * terminal; refuse without one (a script must say -f).  1: go ahead;
 * 0: the user said no; -1: refused, with "CMD: not asking ... use -f". */
int rc_cli_confirm(const char *cmd, const char *warning);

/* Resource limit flags (limits.c) for rc run, create and update: add
 * RC_LIMIT_OPTIONS to the option table and "m:c:" to the short options,
 * and pass those cases to rc_cli_limit_flag (0, or 125 after printing a
 * usage error). */
enum { RC_OPT_MEMORY = 0x1000, RC_OPT_MEMORY_SWAP, RC_OPT_CPUS, RC_OPT_CPU_SHARES, RC_OPT_CPU_WEIGHT,
       RC_OPT_PIDS_LIMIT, RC_OPT_BLKIO_WEIGHT };
#define RC_LIMIT_OPTIONS                                                                                              \
        { "memory", required_argument, NULL, RC_OPT_MEMORY },                                                        \
                { "memory-swap", required_argument, NULL, RC_OPT_MEMORY_SWAP },                                      \
                { "cpus", required_argument, NULL, RC_OPT_CPUS },                                                    \
                { "cpu-shares", required_argument, NULL, RC_OPT_CPU_SHARES },                                        \
                { "cpu-weight", required_argument, NULL, RC_OPT_CPU_WEIGHT },                                        \
                { "pids-limit", required_argument, NULL, RC_OPT_PIDS_LIMIT },                                        \
        {                                                                                                             \
                "blkio-weight", required_argument, NULL, RC_OPT_BLKIO_WEIGHT                                          \
        }
#define RC_LIMIT_CASES                                                                                                \
        case 'm':                                                                                                     \
        case 'c':                                                                                                     \
        case RC_OPT_MEMORY:                                                                                           \
        case RC_OPT_MEMORY_SWAP:                                                                                      \
        case RC_OPT_CPUS:                                                                                             \
        case RC_OPT_CPU_SHARES:                                                                                       \
        case RC_OPT_CPU_WEIGHT:                                                                                       \
        case RC_OPT_PIDS_LIMIT:                                                                                       \
        case RC_OPT_BLKIO_WEIGHT
struct rc_cgroup_limits;
/* The option tables of rc itself and of rc run (main.c, run.c). */
extern const struct option rc_cli_global_options[];
extern const struct option rc_cli_run_options[];
extern const char rc_cli_run_shortopts[];
int rc_cli_limit_flag(const char *cmd, int opt, const char *arg, struct rc_cgroup_limits *l);
extern const char rc_cli_limits_help[];

/* Health check flags (healthcheck.c) for rc run and create, in the manner
 * of the limit flags: RC_HEALTH_OPTIONS in the table, RC_HEALTH_CASES to
 * rc_cli_health_flag (0, or 125 after a usage error), which keeps the
 * parsed --health-cmd in *test_owner and --health-startup-cmd in
 * *startup_owner (the caller frees them). */
enum { RC_OPT_HEALTH_CMD = 0x1100, RC_OPT_HEALTH_INTERVAL, RC_OPT_HEALTH_TIMEOUT, RC_OPT_HEALTH_START_PERIOD,
       RC_OPT_HEALTH_RETRIES, RC_OPT_HEALTH_ON_FAILURE, RC_OPT_NO_HEALTHCHECK, RC_OPT_HEALTH_STARTUP_CMD,
       RC_OPT_HEALTH_STARTUP_INTERVAL, RC_OPT_HEALTH_STARTUP_TIMEOUT, RC_OPT_HEALTH_STARTUP_RETRIES,
       RC_OPT_HEALTH_STARTUP_SUCCESS };
#define RC_HEALTH_OPTIONS                                                                                             \
        { "health-cmd", required_argument, NULL, RC_OPT_HEALTH_CMD },                                                \
                { "health-interval", required_argument, NULL, RC_OPT_HEALTH_INTERVAL },                              \
                { "health-timeout", required_argument, NULL, RC_OPT_HEALTH_TIMEOUT },                                \
                { "health-start-period", required_argument, NULL, RC_OPT_HEALTH_START_PERIOD },                      \
                { "health-retries", required_argument, NULL, RC_OPT_HEALTH_RETRIES },                                \
                { "health-on-failure", required_argument, NULL, RC_OPT_HEALTH_ON_FAILURE },                          \
                { "health-startup-cmd", required_argument, NULL, RC_OPT_HEALTH_STARTUP_CMD },                        \
                { "health-startup-interval", required_argument, NULL, RC_OPT_HEALTH_STARTUP_INTERVAL },              \
                { "health-startup-timeout", required_argument, NULL, RC_OPT_HEALTH_STARTUP_TIMEOUT },                \
                { "health-startup-retries", required_argument, NULL, RC_OPT_HEALTH_STARTUP_RETRIES },                \
                { "health-startup-success", required_argument, NULL, RC_OPT_HEALTH_STARTUP_SUCCESS },                \
        {                                                                                                             \
                "no-healthcheck", no_argument, NULL, RC_OPT_NO_HEALTHCHECK                                            \
        }
#define RC_HEALTH_CASES                                                                                               \
        case RC_OPT_HEALTH_CMD:                                                                                       \
        case RC_OPT_HEALTH_INTERVAL:                                                                                  \
        case RC_OPT_HEALTH_TIMEOUT:                                                                                   \
        case RC_OPT_HEALTH_START_PERIOD:                                                                              \
        case RC_OPT_HEALTH_RETRIES:                                                                                   \
        case RC_OPT_HEALTH_ON_FAILURE:                                                                                \
        case RC_OPT_HEALTH_STARTUP_CMD:                                                                               \
        case RC_OPT_HEALTH_STARTUP_INTERVAL:                                                                          \
        case RC_OPT_HEALTH_STARTUP_TIMEOUT:                                                                           \
        case RC_OPT_HEALTH_STARTUP_RETRIES:                                                                           \
        case RC_OPT_HEALTH_STARTUP_SUCCESS:                                                                           \
        case RC_OPT_NO_HEALTHCHECK
struct rc_health_flags;
int rc_cli_health_flag(const char *cmd, int opt, const char *arg, struct rc_health_flags *h, char ***test_owner,
                       char ***startup_owner);
/* After the options: 125 (and a usage error) for flags that contradict each other. */
int rc_cli_health_finish(const char *cmd, const struct rc_health_flags *h);
extern const char rc_cli_health_help[];
int cmd_healthcheck(struct rc_cli *cli, int argc, char **argv);

int cmd_run(struct rc_cli *cli, int argc, char **argv);
int cmd_create(struct rc_cli *cli, int argc, char **argv);
int cmd_pull(struct rc_cli *cli, int argc, char **argv);
int cmd_push(struct rc_cli *cli, int argc, char **argv);
int cmd_tag(struct rc_cli *cli, int argc, char **argv);
int cmd_login(struct rc_cli *cli, int argc, char **argv);
int cmd_logout(struct rc_cli *cli, int argc, char **argv);

struct rc_pull_opts;
/* Pull and push progress: bars on a terminal, plain lines otherwise (stderr). */
void rc_cli_progress(void *ctx, const char *what, const char *digest, int64_t done, int64_t total);
/* OS/ARCH[/VARIANT] into o (strings point into *buf, which the caller frees). */
int rc_cli_parse_platform(const char *s, struct rc_pull_opts *o, char **buf);
int cmd_import(struct rc_cli *cli, int argc, char **argv);
int cmd_images(struct rc_cli *cli, int argc, char **argv);
int cmd_image(struct rc_cli *cli, int argc, char **argv);
int cmd_inspect(struct rc_cli *cli, int argc, char **argv);
int cmd_history(struct rc_cli *cli, int argc, char **argv);
int cmd_image_prune(struct rc_cli *cli, int argc, char **argv);
int cmd_rmi(struct rc_cli *cli, int argc, char **argv);
int cmd_save(struct rc_cli *cli, int argc, char **argv);
int cmd_load(struct rc_cli *cli, int argc, char **argv);
int cmd_ps(struct rc_cli *cli, int argc, char **argv);
int cmd_stats(struct rc_cli *cli, int argc, char **argv);
int cmd_pause(struct rc_cli *cli, int argc, char **argv);
int cmd_unpause(struct rc_cli *cli, int argc, char **argv);
int cmd_update(struct rc_cli *cli, int argc, char **argv);
int cmd_rm(struct rc_cli *cli, int argc, char **argv);
int cmd_start(struct rc_cli *cli, int argc, char **argv);
int cmd_stop(struct rc_cli *cli, int argc, char **argv);
int cmd_restart(struct rc_cli *cli, int argc, char **argv);
int cmd_kill(struct rc_cli *cli, int argc, char **argv);
int cmd_wait(struct rc_cli *cli, int argc, char **argv);
int cmd_logs(struct rc_cli *cli, int argc, char **argv);
int cmd_rename(struct rc_cli *cli, int argc, char **argv);
int cmd_attach(struct rc_cli *cli, int argc, char **argv);
int cmd_exec(struct rc_cli *cli, int argc, char **argv);
int cmd_cp(struct rc_cli *cli, int argc, char **argv);
int cmd_export(struct rc_cli *cli, int argc, char **argv);
int cmd_unshare(struct rc_cli *cli, int argc, char **argv);
int cmd_diff(struct rc_cli *cli, int argc, char **argv);
/* Remove every container that is not running (containers.c), reporting
 * each failure; *removed gets the ids removed.  0, or 125 if one failed. */
int rc_cli_prune_containers(struct rc_cli *cli, struct rc_store *s, char ***removed);
/* rc system df, prune, reset (system_space.c) */
int rc_system_df(struct rc_cli *cli, int argc, char **argv);
int rc_system_prune(struct rc_cli *cli, int argc, char **argv);
int rc_system_reset(struct rc_cli *cli, int argc, char **argv);
int cmd_top(struct rc_cli *cli, int argc, char **argv);
int cmd_port(struct rc_cli *cli, int argc, char **argv);
int cmd_container(struct rc_cli *cli, int argc, char **argv);
int cmd_info(struct rc_cli *cli, int argc, char **argv);
int cmd_generate(struct rc_cli *cli, int argc, char **argv);
int cmd_systemd(struct rc_cli *cli, int argc, char **argv);
/* argv[0] is rc-user-generator: systemd runs rc as a user generator. */
int rc_user_generator_main(int argc, char **argv);
int cmd_system(struct rc_cli *cli, int argc, char **argv);
int cmd_version(struct rc_cli *cli, int argc, char **argv);
int cmd_help(struct rc_cli *cli, int argc, char **argv);
int cmd_untag(struct rc_cli *cli, int argc, char **argv);
int cmd_image_exists(struct rc_cli *cli, int argc, char **argv);
int cmd_volume(struct rc_cli *cli, int argc, char **argv);
int cmd_commit(struct rc_cli *cli, int argc, char **argv);
int cmd_build(struct rc_cli *cli, int argc, char **argv);

#endif
