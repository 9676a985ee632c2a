/* Fuzz the JSON seccomp profile parser (rc run --security-opt seccomp=FILE),
 * and compile whatever it accepts, as rc would. */
#include <stdint.h>
#include <stdlib.h>

#include "seccomp/seccomp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static char *caps[] = { "CAP_CHOWN", "CAP_SYS_ADMIN", NULL };
        struct rc_seccomp_profile *p = NULL;
        struct rc_seccomp_filter *f = NULL;
        rc_error *err = NULL;

        if (rc_seccomp_profile_parse((const char *)data, size, "fuzz.json", &p, &err) < 0) {
                rc_error_free(err);
                return 0;
        }
        if (rc_seccomp_compile(p, caps, &f, &err) == 0)
                rc_seccomp_filter_free(f);
        else
                rc_error_free(err);
        rc_seccomp_profile_free(p);
        return 0;
}
