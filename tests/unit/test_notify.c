/* What a container's notification may pass on to the service manager
 * (--sdnotify=container): the kept lines, READY found, and what a hostile
 * container's message loses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "util/notify.h"

struct filter_case {
        const char *name;
        const char *msg;
        size_t len; /* 0: strlen(msg) */
        const char *out;
        size_t kept;
        bool ready;
};

static void test_filter_table(void **state)
{
        static const char nul_inside[] = "READY=1\nSTATUS=a\0b\nSTOPPING=1";
        static const struct filter_case cases[] = {
                { "ready", "READY=1", 0, "READY=1", 1, true },
                { "ready and status", "STATUS=serving\nREADY=1\n", 0, "STATUS=serving\nREADY=1", 2, true },
                { "mainpid dropped", "MAINPID=1\nREADY=1", 0, "READY=1", 1, true },
                { "fd store dropped", "FDSTORE=1\nFDNAME=x\nFDSTOREREMOVE=1", 0, "", 0, false },
                { "notify access dropped", "NOTIFYACCESS=all\nREADY=1", 0, "READY=1", 1, true },
                { "barrier dropped", "BARRIER=1", 0, "", 0, false },
                { "ready must be 1", "READY=0\nREADY=yes\nREADY=", 0, "", 0, false },
                { "numbers only", "ERRNO=5\nERRNO=-1\nEXTEND_TIMEOUT_USEC=1e9\nWATCHDOG_USEC=30000000", 0,
                  "ERRNO=5\nWATCHDOG_USEC=30000000", 2, false },
                { "too long a number", "MONOTONIC_USEC=123456789012345678901", 0, "", 0, false },
                { "watchdog", "WATCHDOG=1\nWATCHDOG=trigger\nWATCHDOG=2", 0, "WATCHDOG=1\nWATCHDOG=trigger", 2,
                  false },
                { "control characters", "STATUS=a\tb\nSTATUS=a\rREADY=1\nSTATUS=\x1b[31mred", 0, "", 0, false },
                { "NUL inside a value", nul_inside, sizeof(nul_inside) - 1, "READY=1\nSTOPPING=1", 2, true },
                { "a key is matched whole", "READYX=1\nXREADY=1\nready=1\nREADY =1", 0, "", 0, false },
                { "no equals sign", "READY\n\n\n", 0, "", 0, false },
                { "empty", "", 0, "", 0, false },
                { "status text kept", "STATUS=50% done; = ok", 0, "STATUS=50% done; = ok", 1, false },
        };
        (void)state;
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                const struct filter_case *c = &cases[i];
                char out[256];
                bool ready = !c->ready;
                size_t kept = rc_notify_filter(c->msg, c->len ? c->len : strlen(c->msg), out, sizeof(out), &ready);

                if (kept != c->kept || ready != c->ready || strcmp(out, c->out) != 0)
                        fail_msg("%s: kept %zu ready %d out \"%s\"", c->name, kept, ready, out);
        }
}

/* A message larger than the buffer keeps whole lines only, NUL-terminated. */
static void test_filter_truncates_whole_lines(void **state)
{
        char out[20];
        bool ready;
        const char *msg = "STATUS=0123456789\nREADY=1\nSTATUS=more";

        (void)state;
        assert_int_equal(rc_notify_filter(msg, strlen(msg), out, sizeof(out), &ready), 1);
        assert_string_equal(out, "STATUS=0123456789");
        assert_false(ready);
        assert_int_equal(rc_notify_filter(msg, strlen(msg), out, 1, &ready), 0);
        assert_string_equal(out, "");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_filter_table),
                cmocka_unit_test(test_filter_truncates_whole_lines),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
