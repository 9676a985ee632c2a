/* The rc run/create options for mounts, security, limits, labels, the
 * user namespace and the init (run_flags.c), parsed into struct rc_run_opts
 * with what they need from the caller (working directory, files, rc's
 * environment) resolved. */
#ifndef RC_CMD_RUN_FLAGS_H
#define RC_CMD_RUN_FLAGS_H

#include <getopt.h>
#include <stdbool.h>

#include "container/container.h"

enum {
        OPT_MOUNT = 1024, OPT_TMPFS, OPT_READ_ONLY, OPT_READ_ONLY_TMPFS, OPT_CAP_ADD, OPT_CAP_DROP, OPT_PRIVILEGED,
        OPT_GROUP_ADD, OPT_ENV_FILE, OPT_ULIMIT, OPT_LABEL_FILE, OPT_CIDFILE, OPT_USERNS, OPT_INIT,
        OPT_DNS, OPT_DNS_SEARCH, OPT_DNS_OPTION, OPT_ADD_HOST, OPT_NO_HOSTS, OPT_DEVICE, OPT_SHM_SIZE,
        OPT_ENV_HOST, OPT_EXPOSE, OPT_TZ, OPT_UMASK, OPT_SYSCTL,
};

#define RUN_FLAGS_LONGOPTS                                                                                    \
        { "volume", required_argument, NULL, 'v' }, { "mount", required_argument, NULL, OPT_MOUNT },              \
        { "tmpfs", required_argument, NULL, OPT_TMPFS }, { "read-only", no_argument, NULL, OPT_READ_ONLY },      \
        { "read-only-tmpfs", optional_argument, NULL, OPT_READ_ONLY_TMPFS },                                   \
        { "cap-add", required_argument, NULL, OPT_CAP_ADD }, { "cap-drop", required_argument, NULL, OPT_CAP_DROP }, \
        { "privileged", no_argument, NULL, OPT_PRIVILEGED }, { "group-add", required_argument, NULL, OPT_GROUP_ADD }, \
        { "env-file", required_argument, NULL, OPT_ENV_FILE }, { "ulimit", required_argument, NULL, OPT_ULIMIT },  \
        { "label", required_argument, NULL, 'l' }, { "label-file", required_argument, NULL, OPT_LABEL_FILE },     \
        { "cidfile", required_argument, NULL, OPT_CIDFILE }, { "userns", required_argument, NULL, OPT_USERNS },    \
        { "init", no_argument, NULL, OPT_INIT }, { "publish", required_argument, NULL, 'p' },                   \
        { "publish-all", no_argument, NULL, 'P' }, { "dns", required_argument, NULL, OPT_DNS },                 \
        { "dns-search", required_argument, NULL, OPT_DNS_SEARCH },                                             \
        { "dns-option", required_argument, NULL, OPT_DNS_OPTION }, { "dns-opt", required_argument, NULL, OPT_DNS_OPTION }, \
        { "add-host", required_argument, NULL, OPT_ADD_HOST }, { "no-hosts", no_argument, NULL, OPT_NO_HOSTS }, \
        { "device", required_argument, NULL, OPT_DEVICE }, { "shm-size", required_argument, NULL, OPT_SHM_SIZE }, \
        { "env-host", optional_argument, NULL, OPT_ENV_HOST }, { "expose", required_argument, NULL, OPT_EXPOSE }, \
        { "tz", required_argument, NULL, OPT_TZ }, { "umask", required_argument, NULL, OPT_UMASK }, \
        { "sysctl", required_argument, NULL, OPT_SYSCTL }

struct run_flags {
        struct rc_mount_req *mounts;
        size_t n_mounts;
        char **cap_add, **cap_drop, **mask, **unmask, **group_add, **ulimits, **labels, **env_file;
        char **publish, **dns, **dns_search, **dns_option, **add_host, **expose, **sysctls;
        char *cidfile;
        char *cwd;
        bool env_host; /* --env-host: rc's whole environment goes in, under -e and --env-file */
        char *tz;      /* --tz Area/City: TZ=, under -e */
};

/* One option of the table above: 1 if it was one of them (o filled in), 0
 * if not, -1 after printing a usage error. */
int run_flags_parse(const char *cmd, int c, const char *arg, struct run_flags *f, struct rc_run_opts *o);
/* --security-opt values beyond seccomp=: mask=, unmask=, no-new-privileges,
 * label=disable, apparmor=unconfined.  Same returns. */
int run_flags_security_opt(const char *cmd, const char *arg, struct run_flags *f, struct rc_run_opts *o);
/* After the options: lists into o; the --env-file entries go before -e's
 * in *env (docker's order). */
void run_flags_finish(struct run_flags *f, struct rc_run_opts *o, char ***env);
void run_flags_free(struct run_flags *f);
#define cleanup_run_flags __attribute__((cleanup(run_flags_free)))
/* The lines of --help for these options. */
void run_flags_usage(void);

#endif
