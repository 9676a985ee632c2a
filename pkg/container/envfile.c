/* --env-file of rc exec: read the file; rc_env_file_parse (options.c) parses it. */
#include "container/container.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include "util/fs.h"
#include "util/xalloc.h"

#define MAX_ENV_FILE (16 * 1024 * 1024)

int rc_env_file_read(const char *path, char ***env, rc_error **err)
{
        cleanup_free char *text = NULL;
        size_t len;

        if (rc_read_file(path, &text, &len, err) < 0)
                return rc_error_wrap(err, "--env-file");
        if (len > MAX_ENV_FILE)
                return rc_error_set(err, EFBIG, "--env-file %s: larger than 16 MiB", path);
        if (memchr(text, '\0', len))
                return rc_error_set(err, EINVAL, "--env-file %s: not a text file (a NUL byte)", path);
        /* run's parser: a bare KEY takes the host's value, as podman does */
        return rc_env_file_parse(path, text, len, environ, false, env, err);
}
