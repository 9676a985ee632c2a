/* libFuzzer entry point for image references: parsing never crashes, and a
 * parsed reference's normalised string parses back to the same reference. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/image.h"
#include "util/xalloc.h"

static void check_roundtrip(const struct rc_reference *r)
{
        struct rc_reference again = { 0 };
        rc_error *err = NULL;
        char *s = rc_reference_string(r), *s2;

        if (rc_reference_parse(s, &again, &err) < 0)
                abort(); /* the normalised form must be valid */
        s2 = rc_reference_string(&again);
        if (strcmp(s, s2) != 0)
                abort();
        free(s);
        free(s2);
        rc_reference_free(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *s = xstrndup((const char *)data, size);
        struct rc_reference r = { 0 };
        rc_error *err = NULL;

        if (rc_reference_parse(s, &r, &err) == 0) {
                check_roundtrip(&r);
                free(rc_reference_name(&r));
                rc_reference_free(&r);
        } else {
                rc_error_free(err);
        }
        (void)rc_looks_like_id(s);
        free(s);
        return 0;
}
