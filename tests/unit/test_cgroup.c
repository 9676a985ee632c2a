/* Resource limit flags, their cgroup files and systemd properties, and the
 * parsers of cgroup statistics files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cgroup/cgroup.h"

static void test_bytes(void **state)
{
        static const struct {
                const char *in;
                uint64_t out;
        } ok[] = {
                { "1048576", 1048576 },     { "64m", 64ULL << 20 },   { "64M", 64ULL << 20 },
                { "64mb", 64ULL << 20 },    { "64MiB", 64ULL << 20 }, { "1g", 1ULL << 30 },
                { "1.5g", 3ULL << 29 },     { "512k", 512ULL << 10 }, { "2t", 2ULL << 40 },
                { "100b", 100 },            { "0.5k", 512 },          { ".5m", 512ULL << 10 },
        };
        static const char *const bad[] = { "", "m", "64x", "64mm", "-1", "1..5g", "1e6", "64 m", "1.0000000001g",
                                           "99999999999t" };
        rc_error *err = NULL;
        uint64_t v;

        (void)state;
        for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
                assert_int_equal(rc_cgroup_parse_bytes("--memory", ok[i].in, &v, &err), 0);
                assert_true(v == ok[i].out);
        }
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                assert_int_equal(rc_cgroup_parse_bytes("--memory", bad[i], &v, &err), -1);
                assert_non_null(strstr(err->msg, "--memory"));
                rc_error_free(err);
                err = NULL;
        }
}

static void test_memory_flags(void **state)
{
        rc_error *err = NULL;
        uint64_t v;
        int64_t sw;

        (void)state;
        assert_int_equal(rc_cgroup_parse_memory("6m", &v, &err), 0);
        assert_int_equal(rc_cgroup_parse_memory("5m", &v, &err), -1); /* docker's minimum */
        assert_non_null(strstr(err->msg, "minimum is 6m"));
        rc_error_free(err);
        err = NULL;
        assert_int_equal(rc_cgroup_parse_memory_swap("-1", &sw, &err), 0);
        assert_true(sw == -1);
        assert_int_equal(rc_cgroup_parse_memory_swap("1g", &sw, &err), 0);
        assert_true(sw == 1LL << 30);
        assert_int_equal(rc_cgroup_parse_memory_swap("0", &sw, &err), -1);
        rc_error_free(err);
}

static void test_cpus(void **state)
{
        rc_error *err = NULL;
        uint64_t q;

        (void)state;
        assert_int_equal(rc_cgroup_parse_cpus("0.5", 4, &q, &err), 0);
        assert_true(q == 500000);
        assert_int_equal(rc_cgroup_parse_cpus("2", 4, &q, &err), 0);
        assert_true(q == 2000000);
        assert_int_equal(rc_cgroup_parse_cpus("0.01", 4, &q, &err), 0);
        assert_true(q == 10000);
        assert_int_equal(rc_cgroup_parse_cpus(".25", 4, &q, &err), 0);
        assert_true(q == 250000);
        assert_int_equal(rc_cgroup_parse_cpus("1.123456", 4, &q, &err), 0);
        assert_true(q == 1123456);
        for (const char *const *b = (const char *const[]){ "0", "0.001", "5", "-1", "1.5x", "", "1.1234567", NULL }; *b;
             b++) {
                assert_int_equal(rc_cgroup_parse_cpus(*b, 4, &q, &err), -1);
                assert_non_null(strstr(err->msg, "--cpus"));
                rc_error_free(err);
                err = NULL;
        }
}

static void test_weights_and_pids(void **state)
{
        rc_error *err = NULL;
        uint64_t v;

        (void)state;
        /* the OCI runtimes' conversions: shares 2..262144 -> 1..10000 */
        assert_int_equal(rc_cgroup_parse_cpu_shares("2", &v, &err), 0);
        assert_true(v == 1);
        assert_int_equal(rc_cgroup_parse_cpu_shares("262144", &v, &err), 0);
        assert_true(v == 10000);
        assert_int_equal(rc_cgroup_parse_cpu_shares("1024", &v, &err), 0);
        assert_true(v == 39);
        assert_int_equal(rc_cgroup_parse_cpu_shares("1", &v, &err), -1);
        rc_error_free(err);
        err = NULL;
        assert_int_equal(rc_cgroup_parse_cpu_weight("10000", &v, &err), 0);
        assert_true(v == 10000);
        assert_int_equal(rc_cgroup_parse_cpu_weight("0", &v, &err), -1);
        rc_error_free(err);
        err = NULL;
        assert_int_equal(rc_cgroup_parse_blkio_weight("10", &v, &err), 0);
        assert_true(v == 1);
        assert_int_equal(rc_cgroup_parse_blkio_weight("1000", &v, &err), 0);
        assert_true(v == 10000);
        assert_int_equal(rc_cgroup_parse_blkio_weight("500", &v, &err), 0);
        assert_true(v == 4950);
        assert_int_equal(rc_cgroup_parse_blkio_weight("5", &v, &err), -1);
        rc_error_free(err);
        err = NULL;
        assert_int_equal(rc_cgroup_parse_pids("100", &v, &err), 0);
        assert_true(v == 100);
        assert_int_equal(rc_cgroup_parse_pids("-1", &v, &err), 0);
        assert_true(v == 0);
        assert_int_equal(rc_cgroup_parse_pids("0", &v, &err), 0);
        assert_true(v == 0);
        assert_int_equal(rc_cgroup_parse_pids("-2", &v, &err), -1);
        rc_error_free(err);
        err = NULL;
        assert_int_equal(rc_cgroup_parse_pids("ten", &v, &err), -1);
        rc_error_free(err);
}

static void test_validate(void **state)
{
        struct rc_cgroup_limits l = { .memory_swap = 1 << 30 };
        rc_error *err = NULL;

        (void)state;
        assert_int_equal(rc_cgroup_limits_validate(&l, &err), -1);
        assert_non_null(strstr(err->msg, "needs --memory"));
        rc_error_free(err);
        err = NULL;
        l.memory = 2ULL << 30;
        assert_int_equal(rc_cgroup_limits_validate(&l, &err), -1);
        assert_non_null(strstr(err->msg, "at least --memory"));
        rc_error_free(err);
        err = NULL;
        l.memory_swap = -1;
        assert_int_equal(rc_cgroup_limits_validate(&l, &err), 0);
        assert_true(rc_cgroup_limits_any(&l));
        memset(&l, 0, sizeof(l));
        assert_false(rc_cgroup_limits_any(&l));
}

/* The same limits as cgroup files (cgroupfs) and as unit properties (systemd). */
static void test_settings(void **state)
{
        struct rc_cgroup_limits l = { .memory = 64ULL << 20, .cpu_quota = 500000, .cpu_weight = 39, .pids = 100,
                                      .io_weight = 4950 };
        struct rc_cgroup_setting s[RC_CGROUP_MAX_SETTINGS];
        char ctl[64];
        size_t n;

        (void)state;
        n = rc_cgroup_settings(&l, false, s);
        assert_int_equal(n, 5);
        assert_string_equal(s[0].file, "memory.max");
        assert_string_equal(s[0].value, "67108864");
        assert_string_equal(s[0].property, "MemoryMax");
        assert_true(s[0].prop_value == 64ULL << 20);
        assert_string_equal(s[1].file, "cpu.max");
        assert_string_equal(s[1].value, "50000 100000"); /* per 100 ms period */
        assert_string_equal(s[1].property, "CPUQuotaPerSecUSec");
        assert_true(s[1].prop_value == 500000); /* per second */
        assert_string_equal(s[2].file, "cpu.weight");
        assert_string_equal(s[2].property, "CPUWeight");
        assert_string_equal(s[3].file, "pids.max");
        assert_string_equal(s[3].value, "100");
        assert_string_equal(s[3].property, "TasksMax");
        assert_string_equal(s[4].file, "io.weight");
        assert_string_equal(s[4].value, "default 4950");
        assert_string_equal(s[4].property, "IOWeight");
        rc_cgroup_needed_controllers(&l, ctl, sizeof(ctl));
        assert_string_equal(ctl, "memory cpu pids io");

        /* docker's swap rules: default as much swap as memory where swap is
         * accounted; -1 unlimited; memory-swap is the total */
        memset(&l, 0, sizeof(l));
        l.memory = 64ULL << 20;
        assert_int_equal(rc_cgroup_settings(&l, false, s), 1);
        assert_int_equal(rc_cgroup_settings(&l, true, s), 2);
        assert_string_equal(s[1].file, "memory.swap.max");
        assert_string_equal(s[1].value, "67108864");
        assert_string_equal(s[1].property, "MemorySwapMax");
        l.memory_swap = -1;
        assert_int_equal(rc_cgroup_settings(&l, false, s), 2);
        assert_string_equal(s[1].value, "max");
        assert_true(s[1].prop_value == UINT64_MAX);
        l.memory_swap = 96LL << 20;
        rc_cgroup_settings(&l, true, s);
        assert_string_equal(s[1].value, "33554432");
        rc_cgroup_needed_controllers(&l, ctl, sizeof(ctl));
        assert_string_equal(ctl, "memory");
}

static void test_stat_parsers(void **state)
{
        const char *cpu = "usage_usec 123456\nuser_usec 100000\nsystem_usec 23456\nnr_periods 0\n";
        const char *events = "low 0\nhigh 0\nmax 12\noom 3\noom_kill 2\noom_group_kill 0\n";
        const char *io = "8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n"
                         "253:1 rbytes=100 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n";
        uint64_t r, w;

        (void)state;
        assert_true(rc_cgroup_parse_keyed(cpu, "usage_usec") == 123456);
        assert_true(rc_cgroup_parse_keyed(cpu, "system_usec") == 23456);
        assert_true(rc_cgroup_parse_keyed(cpu, "usage") == RC_CGROUP_UNKNOWN);
        assert_true(rc_cgroup_parse_keyed(events, "oom_kill") == 2);
        assert_true(rc_cgroup_parse_keyed(events, "oom") == 3);
        rc_cgroup_parse_io_stat(io, &r, &w);
        assert_true(r == 4196 && w == 8192);
        rc_cgroup_parse_io_stat("", &r, &w);
        assert_true(r == 0 && w == 0);
        assert_true(rc_cgroup_parse_max("max\n") == RC_CGROUP_UNKNOWN);
        assert_true(rc_cgroup_parse_max("67108864\n") == 67108864);
        assert_true(rc_cgroup_parse_max(NULL) == RC_CGROUP_UNKNOWN);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_bytes),        cmocka_unit_test(test_memory_flags),
                cmocka_unit_test(test_cpus),         cmocka_unit_test(test_weights_and_pids),
                cmocka_unit_test(test_validate),     cmocka_unit_test(test_settings),
                cmocka_unit_test(test_stat_parsers),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
