/* Fuzz config.json parsing (rc exec reads a running container's
 * config.json, which anything running as the user can rewrite), and write
 * back whatever it accepts, as rc inspect would. */
#include <stdint.h>
#include <stdlib.h>

#include "runtime/runtime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct rc_spec spec;
        rc_error *err = NULL;
        char *text = NULL;

        if (rc_spec_from_json((const char *)data, size, &spec, &err) < 0) {
                rc_error_free(err);
                return 0;
        }
        if (rc_spec_to_json(&spec, &text, &err) == 0)
                free(text);
        else
                rc_error_free(err);
        rc_spec_free(&spec);
        return 0;
}
