/* rc push */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "images/images.h"
#include "rc.h"
#include "registry/registry.h"
#include "util/fs.h"
#include "util/xalloc.h"

/* --creds USER[:PASSWORD] */
static int parse_creds(const char *arg, char **user, char **pass)
{
        const char *colon = strchr(arg, ':');

        if (colon == NULL || colon == arg)
                return -1;
        *user = xstrndup(arg, (size_t)(colon - arg));
        *pass = xstrdup(colon + 1);
        return 0;
}

int cmd_push(struct rc_cli *cli, int argc, char **argv)
{
        enum { OPT_TLS_VERIFY = 256, OPT_COMPRESSION, OPT_AUTHFILE, OPT_CREDS, OPT_DIGESTFILE };
        static const struct option opts[] = {
                { "tls-verify", required_argument, NULL, OPT_TLS_VERIFY },
                { "compression-format", required_argument, NULL, OPT_COMPRESSION },
                { "authfile", required_argument, NULL, OPT_AUTHFILE },
                { "creds", required_argument, NULL, OPT_CREDS },
                { "digestfile", required_argument, NULL, OPT_DIGESTFILE },
                { "quiet", no_argument, NULL, 'q' },
                { "help", no_argument, NULL, 'h' },
                { NULL, 0, NULL, 0 },
        };
        struct rc_push_opts o = { .cfg = &cli->cfg, .progress = rc_cli_progress };
        cleanup_store struct rc_store *s = NULL;
        cleanup_secret char *user = NULL, *pass = NULL;
        const char *digestfile = NULL;
        char digest[RC_DIGEST_LEN + 1];
        rc_error *err = NULL;
        int c;

        while ((c = rc_cli_getopt("push", argc, argv, "qh", opts)) != -1) {
                switch (c) {
                case OPT_TLS_VERIFY:
                        if (rc_cli_tls_verify("push", optarg, &o.skip_tls_verify) != 0)
                                return 125;
                        break;
                case OPT_COMPRESSION:
                        if (strcmp(optarg, "gzip") == 0)
                                o.compression = RC_COMPRESSION_GZIP;
                        else if (strcmp(optarg, "zstd") == 0)
                                o.compression = RC_COMPRESSION_ZSTD;
                        else
                                return rc_cli_usage_error("push", "--compression-format %s: use gzip or zstd",
                                                          optarg);
                        o.force_compression = true;
                        break;
                case OPT_AUTHFILE:
                        o.auth_file = optarg;
                        break;
                case OPT_CREDS:
                        rc_secret_free(user);
                        rc_secret_free(pass);
                        user = pass = NULL;
                        if (parse_creds(optarg, &user, &pass) < 0)
                                return rc_cli_usage_error("push", "--creds takes USER:PASSWORD");
                        o.username = user;
                        o.password = pass;
                        break;
                case OPT_DIGESTFILE:
                        digestfile = optarg;
                        break;
                case 'q':
                        o.progress = NULL;
                        break;
                case 'h':
                        printf("Push an image to a specified destination\n\n"
                               "Description:\n"
                               "  Push an image to a registry: to DESTINATION (REGISTRY/REPOSITORY[:TAG], an\n"
                               "  optional docker:// in front), or to the name IMAGE itself.  Blobs the\n"
                               "  registry has are skipped, and mounted from another repository where rc\n"
                               "  knows one.  Prints the manifest digest.\n\n"
                               "Usage:\n"
                               "  rc push [options] IMAGE [DESTINATION]\n\n"
                               "Options:\n"
                               "      --authfile FILE                 credentials file (default: as rc login)\n"
                               "      --compression-format gzip|zstd  re-compress layers that are not in this format\n"
                               "                                      (default: keep gzip and zstd layers as they are)\n"
                               "      --creds USER:PASSWORD           credentials for this push\n"
                               "      --digestfile FILE               also write the digest to FILE\n"
                               "  -q, --quiet                         no progress\n"
                               "      --tls-verify=false              do not verify TLS; allow plain http\n");
                        return 0;
                default:
                        return 125;
                }
        }
        if (optind >= argc)
                return rc_cli_usage_error("push", "requires at least 1 arg(s), only received 0");
        if (argc - optind > 2)
                return rc_cli_usage_error("push", "accepts at most 2 arg(s), received %d", argc - optind);
        if (rc_cli_open_store_rw(cli, &s, &err) < 0 ||
            rc_images_push(s, argv[optind], optind + 1 < argc ? argv[optind + 1] : NULL, &o, digest, &err) < 0)
                return rc_cli_fail(err);
        if (digestfile != NULL && rc_write_file(digestfile, digest, strlen(digest), 0644, &err) < 0)
                return rc_cli_fail(err);
        printf("%s\n", digest);
        return 0;
}
