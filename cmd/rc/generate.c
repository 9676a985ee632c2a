/* rc generate systemd, rc systemd check|generate, and rc as a systemd
 * user generator (installed as rc-user-generator). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "container/container.h"
#include "rc.h"
#include "store/store.h"
#include "units/units.h"
#include "util/fs.h"
#include "util/xalloc.h"

static char *self_path(void)
{
        char *p = realpath("/proc/self/exe", NULL);

        return p ? p : xstrdup("rc");
}

static void generate_usage(void)
{
        printf("Usage: rc generate systemd [OPTIONS] CONTAINER\n\n"
               "Print a systemd unit that runs the container as a service of your user manager\n"
               "(~/.config/systemd/user/): Type=notify, with rc's monitor as the main process, so the\n"
               "unit is active once the container runs and fails when it fails.\n\n"
               "Options:\n"
               "  --new                    create the container at each start (as the command that created it\n"
               "                           did) and remove it at stop; otherwise start and stop this one\n"
               "  -n, --name               name the unit after the container's name, not its id\n"
               "  -f, --files              write the unit to ./UNIT.service and print its path\n"
               "  --restart-policy POLICY  systemd's Restart= (default on-failure): no, on-success,\n"
               "                           on-failure, on-abnormal, on-watchdog, on-abort, always\n"
               "  --restart-sec SECONDS    systemd's RestartSec=\n"
               "  -t, --time SECONDS       stop timeout (default: the container's, else 10)\n"
               "  --container-prefix TEXT  unit name prefix (default container)\n"
               "  --separator TEXT         between prefix and name (default -)\n"
               "  --no-header              no comment header\n"
               "  --wants UNIT, --after UNIT, --requires UNIT   dependencies of the unit (repeatable)\n\n"
               "Services keep running after you log out only with lingering: loginctl enable-linger $USER\n");
}

static int generate_systemd(struct rc_cli *cli, int argc, char **argv)
{
        enum { OPT_NEW = 256, OPT_RESTART_POLICY, OPT_RESTART_SEC, OPT_PREFIX, OPT_SEPARATOR, OPT_NO_HEADER,
               OPT_WANTS, OPT_AFTER, OPT_REQUIRES };
        static const struct option opts[] = {
                { "new", no_argument, NULL, OPT_NEW },
                { "name", no_argument, NULL, 'n' },
                { "files", no_argument, NULL, 'f' },
                { "restart-policy", required_argument, NULL, OPT_RESTART_POLICY },
                { "restart-sec", required_argument, NULL, OPT_RESTART_SEC },
                { "time", required_argument, NULL, 't' },
                { "stop-timeout", required_argument, NULL, 't' },
                { "container-prefix", required_argument, NULL, OPT_PREFIX },
                { "separator", required_argument, NULL, OPT_SEPARATOR },
                { "no-header", no_argument, NULL, OPT_NO_HEADER },
                { "wants", required_argument, NULL, OPT_WANTS },
                { "after", required_argument, NULL, OPT_AFTER },
                { "requires", required_argument, NULL, OPT_REQUIRES },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        const struct rc_cmdline_spec spec = { .longopts = rc_cli_run_options, .shortopts = rc_cli_run_shortopts,
                                              .global_longopts = rc_cli_global_options };
        cleanup_strv char **wants = xcalloc(1, sizeof(char *)), **after = xcalloc(1, sizeof(char *));
        cleanup_strv char **requires = xcalloc(1, sizeof(char *)), **global = NULL, **run = NULL;
        cleanup_free char *rc_path = self_path(), *unit_name = NULL, *text = NULL, *header = NULL, *desc = NULL;
        const char *restart = "on-failure", *prefix = "container", *separator = "-";
        bool new_ = false, by_name = false, files = false, no_header = false;
        int c, restart_sec = -1, timeout = -1;
        cleanup_store struct rc_store *s = NULL;
        struct rc_container_rec rec = { 0 };
        struct rc_saved_opts saved = { 0 };
        rc_error *err = NULL;
        char *end;

        while ((c = rc_cli_getopt("generate systemd", argc, argv, "nft:h", opts)) != -1) {
                switch (c) {
                case OPT_NEW:
                        new_ = true;
                        break;
                case 'n':
                        by_name = true;
                        break;
                case 'f':
                        files = true;
                        break;
                case OPT_RESTART_POLICY:
                        if (!rc_unit_restart_valid(optarg))
                                return rc_cli_usage_error("generate systemd",
                                                          "--restart-policy %s: use no, on-success, on-failure, "
                                                          "on-abnormal, on-watchdog, on-abort or always",
                                                          optarg);
                        restart = optarg;
                        break;
                case OPT_RESTART_SEC:
                case 't': {
                        long v = strtol(optarg, &end, 10);
                        if (*optarg == '\0' || *end || v < 0 || v > 86400)
                                return rc_cli_usage_error("generate systemd", "%s: give whole seconds", optarg);
                        if (c == 't')
                                timeout = (int)v;
                        else
                                restart_sec = (int)v;
                        break;
                }
                case OPT_PREFIX:
                        prefix = optarg;
                        break;
                case OPT_SEPARATOR:
                        separator = optarg;
                        break;
                case OPT_NO_HEADER:
                        no_header = true;
                        break;
                case OPT_WANTS:
                        strv_push(&wants, optarg);
                        break;
                case OPT_AFTER:
                        strv_push(&after, optarg);
                        break;
                case OPT_REQUIRES:
                        strv_push(&requires, optarg);
                        break;
                case 'h':
                        generate_usage();
                        return 0;
                default:
                        return 125;
                }
        }
        if (argc - optind != 1)
                return rc_cli_usage_error("generate systemd", "give one container");
        if (rc_cli_open_store(cli, &s, &err) < 0 ||
            rc_container_load_opts(s, argv[optind], &rec, &saved, &err) < 0)
                return rc_cli_fail(err);
        if (new_ && rc_unit_run_args(saved.opts.create_command, &spec, &global, &run, &err) < 0) {
                rc_error_wrap(&err, "--new: container %s", rec.name);
                rc_error_hint(&err, "it must have been created by this version of rc's run or create");
                goto fail;
        }
        if (!new_) {
                /* the global options of this command, so that the unit finds the same store */
                global = strv_dup(cli->global_args);
        }
        if (timeout < 0)
                timeout = saved.opts.stop_timeout >= 0 ? saved.opts.stop_timeout : 10;
        unit_name = xasprintf("%s%s%s.service", prefix, separator, by_name ? rec.name : rec.id);
        if (!no_header)
                header = xasprintf("# %s\n# autogenerated by rc %s\n\n", unit_name, RC_VERSION);
        desc = xasprintf("rc container %s", rec.name);
        {
                const struct rc_unit_opts uo = { .rc_path = rc_path,
                                                 .global = global,
                                                 .container = new_ || by_name ? rec.name : rec.id,
                                                 .description = desc,
                                                 .run_args = new_ ? run : NULL,
                                                 .notify_container = saved.opts.sdnotify == RC_SDNOTIFY_CONTAINER,
                                                 .restart = restart,
                                                 .restart_sec = restart_sec,
                                                 .stop_timeout = timeout,
                                                 .runroot = cli->cfg.runroot,
                                                 .header = header,
                                                 .wants = wants,
                                                 .after = after,
                                                 .requires = requires };
                text = rc_unit_generate(&uo);
        }
        if (files) {
                cleanup_free char *cwd = getcwd(NULL, 0);
                cleanup_free char *path = xasprintf("%s/%s", cwd ? cwd : ".", unit_name);
                if (rc_write_file(path, text, strlen(text), 0644, &err) < 0)
                        goto fail;
                printf("%s\n", path);
        } else {
                fputs(text, stdout);
        }
        rc_container_rec_free(&rec);
        rc_saved_opts_free(&saved);
        return 0;
fail:
        rc_container_rec_free(&rec);
        rc_saved_opts_free(&saved);
        return rc_cli_fail(err);
}

int cmd_generate(struct rc_cli *cli, int argc, char **argv)
{
        if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
                printf("Usage: rc generate systemd [OPTIONS] CONTAINER\n\n"
                       "Generate structured data for a container.\n\n"
                       "Commands:\n"
                       "  systemd   a systemd unit that runs the container as a service\n");
                return argc < 2 ? 125 : 0;
        }
        if (strcmp(argv[1], "systemd") != 0)
                return rc_cli_usage_error("generate", "unknown command generate %s (rc generates systemd units)",
                                          argv[1]);
        optind = 0;
        return generate_systemd(cli, argc - 1, argv + 1);
}

/* ---- .container files ---- */

/* Where the generator looks, first match of a name wins. */
static char **quadlet_dirs(void)
{
        char **dirs = xcalloc(1, sizeof(char *));
        const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
        struct passwd *pw;
        cleanup_free char *user_dir = NULL, *etc_uid = NULL;

        if (home == NULL || *home == '\0')
                home = (pw = getpwuid(getuid())) ? pw->pw_dir : NULL;
        if (xdg && *xdg)
                user_dir = xasprintf("%s/rc/systemd", xdg);
        else if (home)
                user_dir = xasprintf("%s/.config/rc/systemd", home);
        if (user_dir)
                strv_push(&dirs, user_dir);
        etc_uid = xasprintf("/etc/rc/systemd/user/%u", (unsigned)getuid());
        strv_push(&dirs, etc_uid);
        strv_push(&dirs, "/etc/rc/systemd/user");
        return dirs;
}

static int name_cmp(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every NAME.container, the first of each name in dirs' order. */
static char **quadlet_files(void)
{
        cleanup_strv char **dirs = quadlet_dirs(), **names = xcalloc(1, sizeof(char *));
        char **files = xcalloc(1, sizeof(char *));

        for (size_t i = 0; dirs[i]; i++) {
                cleanup_closedir DIR *d = opendir(dirs[i]);
                cleanup_strv char **here = xcalloc(1, sizeof(char *));
                struct dirent *de;
                if (d == NULL)
                        continue;
                while ((de = readdir(d))) {
                        size_t n = strlen(de->d_name);
                        if (n > 10 && strcmp(de->d_name + n - 10, ".container") == 0 && de->d_name[0] != '.')
                                strv_push(&here, de->d_name);
                }
                qsort(here, strv_len(here), sizeof(char *), name_cmp);
                for (size_t j = 0; here[j]; j++) {
                        cleanup_free char *path = xasprintf("%s/%s", dirs[i], here[j]);
                        if (strv_contains(names, here[j]))
                                continue;
                        strv_push(&names, here[j]);
                        strv_push(&files, path);
                }
        }
        return files;
}

static int convert_file(const char *path, const char *rc_path, struct rc_quadlet *q, rc_error **err)
{
        cleanup_free char *text = NULL;

        if (rc_read_file(path, &text, NULL, err) < 0)
                return -1;
        return rc_quadlet_convert(path, text, rc_path, q, err);
}

/* Write each service into outdir (and its .wants links); with outdir NULL
 * print them.  A file that does not convert is reported and skipped. */
static int run_generator(const char *outdir, char *const *only, const char *prog)
{
        cleanup_strv char **files = only ? strv_dup(only) : quadlet_files();
        cleanup_free char *rc_path = self_path();
        int status = 0;

        for (size_t i = 0; files[i]; i++) {
                struct rc_quadlet q;
                rc_error *err = NULL;

                if (convert_file(files[i], rc_path, &q, &err) < 0) {
                        fprintf(stderr, "%s: %s\n", prog, err->msg);
                        rc_error_free(err);
                        status = 1;
                        continue;
                }
                if (outdir == NULL) {
                        printf("---%s---\n%s", q.service, q.text);
                } else {
                        cleanup_free char *path = xasprintf("%s/%s", outdir, q.service);
                        if (rc_write_file(path, q.text, strlen(q.text), 0644, &err) < 0) {
                                fprintf(stderr, "%s: %s\n", prog, err->msg);
                                rc_error_free(err);
                                status = 1;
                        }
                        for (size_t j = 0; q.wanted_by[j]; j++) {
                                cleanup_free char *dir = xasprintf("%s/%s", outdir, q.wanted_by[j]);
                                cleanup_free char *link = xasprintf("%s/%s", dir, q.service);
                                cleanup_free char *target = xasprintf("../%s", q.service);
                                if ((mkdir(dir, 0755) < 0 && errno != EEXIST) ||
                                    (symlink(target, link) < 0 && errno != EEXIST)) {
                                        fprintf(stderr, "%s: %s: %s\n", prog, link, strerror(errno));
                                        status = 1;
                                }
                        }
                }
                rc_quadlet_free(&q);
        }
        return status;
}

int rc_user_generator_main(int argc, char **argv)
{
        if (argc < 2) {
                fprintf(stderr, "usage: rc-user-generator NORMAL_DIR [EARLY_DIR LATE_DIR]\n"
                                "(systemd runs it at boot and on daemon-reload; rc systemd generate --dry-run shows "
                                "what it makes)\n");
                return 1;
        }
        return run_generator(argv[1], NULL, "rc-user-generator");
}

static bool wants_help(int argc, char **argv)
{
        return argc >= 3 && (!strcmp(argv[2], "-h") || !strcmp(argv[2], "--help"));
}

int cmd_systemd(struct rc_cli *cli, int argc, char **argv)
{
        (void)cli;
        if (argc >= 2 && !strcmp(argv[1], "check") && wants_help(argc, argv)) {
                printf("Usage: rc systemd check [--print] FILE...\n\n"
                       "Convert .container files as the generator does: report the first problem with its file\n"
                       "and line (exit status 1), or say which service each becomes; --print prints the units.\n");
                return 0;
        }
        if (argc >= 2 && !strcmp(argv[1], "generate") && wants_help(argc, argv)) {
                printf("Usage: rc systemd generate --dry-run | DIR\n\n"
                       "Do what rc-user-generator does at boot and on systemctl --user daemon-reload: turn every\n"
                       ".container file found into a service, printed (--dry-run) or written into DIR.\n");
                return 0;
        }
        if (argc >= 2 && !strcmp(argv[1], "check")) {
                bool print = argc >= 3 && !strcmp(argv[2], "--print");
                int first = print ? 3 : 2;
                if (argc <= first)
                        return rc_cli_usage_error("systemd check", "give .container files to check");
                if (print)
                        return run_generator(NULL, argv + first, "rc systemd check") ? 1 : 0;
                for (int i = first; i < argc; i++) {
                        struct rc_quadlet q;
                        rc_error *err = NULL;
                        cleanup_free char *rc_path = self_path();
                        if (convert_file(argv[i], rc_path, &q, &err) < 0) {
                                fprintf(stderr, "%s\n", err->msg);
                                rc_error_free(err);
                                return 1;
                        }
                        printf("%s: ok (%s)\n", argv[i], q.service);
                        rc_quadlet_free(&q);
                }
                return 0;
        }
        if (argc >= 2 && !strcmp(argv[1], "generate")) {
                if (argc >= 3 && !strcmp(argv[2], "--dry-run"))
                        return run_generator(NULL, NULL, "rc systemd generate");
                if (argc != 3 || argv[2][0] == '-')
                        return rc_cli_usage_error("systemd generate", "give --dry-run or an output directory");
                return run_generator(argv[2], NULL, "rc systemd generate");
        }
        printf("Usage: rc systemd COMMAND\n\n"
               "Declarative containers: NAME.container files (podman's Quadlet format) in\n"
               "~/.config/rc/systemd/, /etc/rc/systemd/user/UID/ and /etc/rc/systemd/user/ become\n"
               "NAME.service units of your systemd user manager at login and on\n"
               "systemctl --user daemon-reload (rc-user-generator, installed by make install).\n\n"
               "Commands:\n"
               "  check [--print] FILE...   convert FILEs; report the first problem (exit 1), or print the units\n"
               "  generate --dry-run        print the units of every file the generator would read\n"
               "  generate DIR              write them into DIR, as the generator does\n");
        return argc < 2 ? 125 : (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) ? 0 : 125;
}
