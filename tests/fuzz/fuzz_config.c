/* Fuzz the rootless.conf parser through a file, as rc reads it. */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "config/config.h"
#include "util/fs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static char path[] = "/tmp/rc-fuzz-config-XXXXXX";
        static int made;
        struct rc_config c;
        rc_error *err = NULL;

        if (!made) {
                int fd = mkstemp(path);
                if (fd < 0)
                        abort();
                close(fd);
                made = 1;
        }
        if (rc_write_file(path, data, size, 0600, &err) < 0)
                abort();
        if (rc_config_load(&c, path, &err) == 0)
                rc_config_free(&c);
        else
                rc_error_free(err);
        return 0;
}
