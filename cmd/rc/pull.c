/* rc pull */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "images/images.h"
#include "rc.h"
#include "userns/userns.h"
#include "util/xalloc.h"

void rc_cli_pull_progress(void *ctx, const char *what, const char *digest, int64_t done, int64_t total)
{
        (void)ctx;
        (void)total;
        if (strcmp(what, "resolving") == 0)
                return;
        fprintf(stderr, "%-9s blob %.19s  %.1f MB\n", what, digest ? digest : "", (double)done / 1e6);
}

int rc_cli_parse_platform(const char *s, struct rc_pull_opts *o, char **buf)
{
        char *p = xstrdup(s), *arch, *variant;

        *buf = p;
        arch = strchr(p, '/');
        if (arch == NULL)
                return -1;
        *arch++ = '\0';
        variant = strchr(arch, '/');
        if (variant)
                *variant++ = '\0';
        if (!*p || !*arch || (variant && !*variant))
                return -1;
        o->os = p;
        o->arch = arch;
        o->variant = variant;
        return 0;
}

int cmd_pull(struct rc_cli *cli, int argc, char **argv)
{
        enum { OPT_PLATFORM = 256, OPT_TLS_VERIFY };
        static const struct option opts[] = {
                { "platform", required_argument, NULL, OPT_PLATFORM },
                { "tls-verify", required_argument, NULL, OPT_TLS_VERIFY },
                { "quiet", no_argument, NULL, 'q' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        struct rc_pull_opts o = { .cfg = &cli->cfg, .progress = rc_cli_pull_progress };
        cleanup_store struct rc_store *s = NULL;
        cleanup_free char *platform = NULL;
        char id[RC_DIGEST_HEX_LEN + 1];
        struct rc_userns_state us;
        rc_error *err = NULL;
        int c;

        while ((c = getopt_long(argc, argv, "+qh", opts, NULL)) != -1) {
                switch (c) {
                case OPT_PLATFORM:
                        if (rc_cli_parse_platform(optarg, &o, &platform) < 0)
                                return rc_cli_usage_error("pull", "--platform %s: use OS/ARCH[/VARIANT], e.g. linux/arm64",
                                                          optarg);
                        break;
                case OPT_TLS_VERIFY:
                        if (strcmp(optarg, "false") && strcmp(optarg, "true"))
                                return rc_cli_usage_error("pull", "--tls-verify takes true or false");
                        o.skip_tls_verify = strcmp(optarg, "false") == 0;
                        break;
                case 'q':
                        o.progress = NULL;
                        break;
                case 'h':
                        printf("Usage: rc pull [--platform OS/ARCH[/VARIANT]] [--tls-verify=false] [-q] IMAGE\n\n"
                               "Pull an image from a registry.  Short names are looked up in the registries of\n"
                               "[registries] search (default docker.io); [mirrors] are tried first.\n");
                        return 0;
                default:
                        return rc_cli_usage_error("pull", "invalid option");
                }
        }
        if (optind + 1 != argc)
                return rc_cli_usage_error("pull", "pull takes one image");
        if (rc_userns_enter(&cli->cfg, &us, &err) < 0)
                return rc_cli_fail(err);
        rc_userns_state_free(&us);
        if (rc_store_open(cli->cfg.root, &s, &err) < 0 || rc_images_pull(s, argv[optind], &o, id, &err) < 0)
                return rc_cli_fail(err);
        printf("%s\n", id);
        return 0;
}
