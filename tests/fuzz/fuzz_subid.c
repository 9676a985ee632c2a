/* Fuzz the /etc/subuid parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "userns/userns.h"
#include "util/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *text = xstrndup((const char *)data, size);
        struct rc_subid_range *ranges = NULL;
        size_t n = 0;
        rc_error *err = NULL;

        if (rc_subid_parse(text, "rctest", 1001, &ranges, &n, &err) < 0)
                rc_error_free(err);
        else
                free(ranges);
        free(text);
        return 0;
}
