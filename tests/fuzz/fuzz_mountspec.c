/* libFuzzer entry point for the mount options of rc run: the input's first
 * byte picks -v, --mount or --tmpfs (or --ulimit), the rest is the option's
 * value.  What is accepted must keep the invariants the runtime relies on:
 * an absolute, clean destination other than "/", an absolute clean host
 * path for a bind, a valid volume name (never a path), options without
 * separators that could smuggle another mount option in. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "container/container.h"
#include "util/xalloc.h"
#include "volume/volume.h"

static void check_clean(const char *path)
{
        char *c;

        if (path == NULL || path[0] != '/')
                abort();
        c = rc_path_clean(path);
        if (c == NULL || strcmp(c, path) != 0)
                abort();
        free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        cleanup_free char *spec = NULL;
        struct rc_mount_req m = { 0 };
        struct rc_spec_rlimit rl;
        rc_error *err = NULL;
        int r;

        if (size < 1)
                return 0;
        spec = xstrndup((const char *)data + 1, size - 1);
        switch (data[0] % 4) {
        case 0:
                r = rc_mount_parse_volume(spec, "/home/fuzz", &m, &err);
                break;
        case 1:
                r = rc_mount_parse_mount(spec, "/home/fuzz", &m, &err);
                break;
        case 2:
                r = rc_mount_parse_tmpfs(spec, &m, &err);
                break;
        default:
                if (rc_ulimit_parse(spec, &rl, &err) == 0 && rl.soft > rl.hard)
                        abort();
                rc_error_free(err);
                return 0;
        }
        if (r < 0) {
                if (err == NULL || err->msg == NULL)
                        abort();
                rc_error_free(err);
                return 0;
        }
        check_clean(m.destination);
        if (strcmp(m.destination, "/") == 0 || m.options == NULL)
                abort();
        switch (m.kind) {
        case RC_MOUNT_BIND:
                check_clean(m.source);
                break;
        case RC_MOUNT_VOLUME:
                if (m.anonymous != (m.source == NULL) || (m.source && !rc_volume_name_valid(m.source)))
                        abort();
                break;
        case RC_MOUNT_TMPFS:
                if (m.source)
                        abort();
                break;
        }
        for (size_t i = 0; m.options[i]; i++)
                if (m.options[i][0] == '\0' || strchr(m.options[i], ',') || strchr(m.options[i], ':'))
                        abort();
        rc_mount_req_free(&m);
        return 0;
}
