/* rc pull, and the progress display pull and push share */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "images/images.h"
#include "rc.h"
#include "util/interrupt.h"
#include "util/xalloc.h"

/* On a terminal: one line per layer, redrawn in place (bytes, rate).
 * Otherwise: one plain line per finished layer. */
struct bar {
        char digest[RC_DIGEST_LEN + 1];
        struct timespec start, drawn;
};

static struct {
        struct bar *bars;
        size_t n;
} tty_bars;

static double since(const struct timespec *a, const struct timespec *b)
{
        return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static void draw(size_t line, const char *digest, const char *what, int64_t done, int64_t total, double secs)
{
        char bar[21];
        int fill = total > 0 ? (int)(20 * done / total) : 0;
        size_t up = tty_bars.n - line;

        for (int i = 0; i < 20; i++)
                bar[i] = i < fill ? '#' : '.';
        bar[20] = '\0';
        fprintf(stderr, "\033[%zuA\r\033[K%.19s %-11s [%s] %7.1f / %.1f MB %6.1f MB/s\033[%zuB\r", up,
                digest + 7, what, bar, (double)done / 1e6, (double)total / 1e6,
                secs > 0 ? (double)done / 1e6 / secs : 0.0, up);
}

void rc_cli_progress(void *ctx, const char *what, const char *digest, int64_t done, int64_t total)
{
        bool moving = strcmp(what, "downloading") == 0 || strcmp(what, "pushing") == 0;
        struct timespec now;
        size_t i;

        (void)ctx;
        if (digest == NULL)
                return;
        if (!isatty(STDERR_FILENO)) {
                if (!moving)
                        fprintf(stderr, "%-9s %.19s  %.1f MB\n", what, digest, (double)done / 1e6);
                return;
        }
        clock_gettime(CLOCK_MONOTONIC, &now);
        for (i = 0; i < tty_bars.n && strcmp(tty_bars.bars[i].digest, digest) != 0; i++)
                ;
        if (i == tty_bars.n) {
                tty_bars.bars = xrealloc(tty_bars.bars, (tty_bars.n + 1) * sizeof(*tty_bars.bars));
                snprintf(tty_bars.bars[i].digest, sizeof(tty_bars.bars[i].digest), "%s", digest);
                tty_bars.bars[i].start = now;
                tty_bars.bars[i].drawn = (struct timespec){ 0, 0 };
                tty_bars.n++;
                fputc('\n', stderr);
        }
        /* redraw a layer at most 10 times a second, but always its last state */
        if (moving && done < total && since(&tty_bars.bars[i].drawn, &now) < 0.1)
                return;
        tty_bars.bars[i].drawn = now;
        draw(i, digest, what, done, total, since(&tty_bars.bars[i].start, &now));
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
        struct rc_pull_opts o = { .cfg = &cli->cfg, .progress = rc_cli_progress };
        cleanup_store struct rc_store *s = NULL;
        cleanup_free char *platform = NULL;
        char id[RC_DIGEST_HEX_LEN + 1];
        rc_error *err = NULL;
        int c;

        while ((c = rc_cli_getopt("pull", argc, argv, "qh", opts)) != -1) {
                switch (c) {
                case OPT_PLATFORM:
                        if (rc_cli_parse_platform(optarg, &o, &platform) < 0)
                                return rc_cli_usage_error("pull", "--platform %s: use OS/ARCH[/VARIANT], e.g. linux/arm64",
                                                          optarg);
                        break;
                case OPT_TLS_VERIFY:
                        if (rc_cli_tls_verify("pull", optarg, &o.skip_tls_verify) != 0)
                                return 125;
                        break;
                case 'q':
                        o.progress = NULL;
                        break;
                case 'h':
                        printf("Pull an image from a registry\n\n"
                               "Description:\n"
                               "  Pulls an image from a registry and stores it locally.  Short names are looked\n"
                               "  up in the registries of [registries] search (default docker.io); [mirrors]\n"
                               "  are tried first.  Prints the image's id.\n\n"
                               "Usage:\n"
                               "  rc pull [options] IMAGE\n\n"
                               "Options:\n"
                               "      --platform OS/ARCH[/VARIANT]  the platform to pull (default: this host's)\n"
                               "  -q, --quiet                       Suppress output information when pulling images\n"
                               "      --tls-verify=false            do not verify TLS; allow plain http\n");
                        return 0;
                default:
                        return 125;
                }
        }
        if (optind >= argc)
                return rc_cli_usage_error("pull", "requires at least 1 arg(s), only received 0");
        if (optind + 1 != argc)
                return rc_cli_usage_error("pull", "accepts 1 arg(s), received %d", argc - optind);
        rc_interrupt_catch(); /* Ctrl-C: unwind and remove the staging */
        if (rc_cli_open_store_rw(cli, &s, &err) < 0 || rc_images_pull(s, argv[optind], &o, id, &err) < 0)
                return rc_cli_fail(err);
        printf("%s\n", id);
        return 0;
}
