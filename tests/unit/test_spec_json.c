/* config.json: rc_spec_to_json and rc_spec_from_json round-trip every
 * field rc writes; a tampered file fails with an error naming the field. */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <cmocka.h>

#include "runtime/runtime.h"
#include "seccomp/seccomp.h"
#include "util/xalloc.h"

static void assert_strv_equal(char *const *a, char *const *b)
{
        size_t i;

        for (i = 0; a && a[i]; i++) {
                assert_non_null(b);
                assert_non_null(b[i]);
                assert_string_equal(a[i], b[i]);
        }
        assert_true(b == NULL || b[i] == NULL);
}

static void assert_spec_equal(const struct rc_spec *a, const struct rc_spec *b)
{
        assert_strv_equal(a->args, b->args);
        assert_strv_equal(a->env, b->env);
        assert_string_equal(a->cwd, b->cwd);
        assert_int_equal(a->uid, b->uid);
        assert_int_equal(a->gid, b->gid);
        assert_int_equal(a->umask, b->umask);
        assert_strv_equal(a->sysctls, b->sysctls);
        assert_int_equal(a->n_additional_gids, b->n_additional_gids);
        for (size_t i = 0; i < a->n_additional_gids; i++)
                assert_int_equal(a->additional_gids[i], b->additional_gids[i]);
        assert_int_equal(a->no_new_privileges, b->no_new_privileges);
        assert_strv_equal(a->cap_bounding, b->cap_bounding);
        assert_strv_equal(a->cap_effective, b->cap_effective);
        assert_strv_equal(a->cap_permitted, b->cap_permitted);
        assert_strv_equal(a->cap_inheritable, b->cap_inheritable);
        assert_strv_equal(a->cap_ambient, b->cap_ambient);
        assert_int_equal(a->n_rlimits, b->n_rlimits);
        for (size_t i = 0; i < a->n_rlimits; i++) {
                assert_int_equal(a->rlimits[i].type, b->rlimits[i].type);
                assert_true(a->rlimits[i].soft == b->rlimits[i].soft);
                assert_true(a->rlimits[i].hard == b->rlimits[i].hard);
        }
        assert_string_equal(a->root_path ? a->root_path : "", b->root_path ? b->root_path : "");
        assert_int_equal(a->root_readonly, b->root_readonly);
        if (a->hostname)
                assert_string_equal(a->hostname, b->hostname);
        else
                assert_null(b->hostname);
        assert_int_equal(a->n_mounts, b->n_mounts);
        for (size_t i = 0; i < a->n_mounts; i++) {
                assert_string_equal(a->mounts[i].destination, b->mounts[i].destination);
                assert_string_equal(a->mounts[i].type, b->mounts[i].type);
                assert_string_equal(a->mounts[i].source, b->mounts[i].source);
                assert_strv_equal(a->mounts[i].options, b->mounts[i].options);
        }
        assert_int_equal(a->namespaces, b->namespaces);
        assert_int_equal(a->n_uid_mappings, b->n_uid_mappings);
        assert_int_equal(a->n_gid_mappings, b->n_gid_mappings);
        for (size_t i = 0; i < a->n_uid_mappings; i++)
                assert_memory_equal(&a->uid_mappings[i], &b->uid_mappings[i], sizeof(a->uid_mappings[i]));
        for (size_t i = 0; i < a->n_gid_mappings; i++)
                assert_memory_equal(&a->gid_mappings[i], &b->gid_mappings[i], sizeof(a->gid_mappings[i]));
        assert_strv_equal(a->masked_paths, b->masked_paths);
        assert_strv_equal(a->readonly_paths, b->readonly_paths);
}

static void round_trip(const struct rc_spec *spec)
{
        struct rc_spec back;
        rc_error *err = NULL;
        char *text = NULL, *again = NULL;

        assert_int_equal(rc_spec_to_json(spec, &text, &err), 0);
        if (rc_spec_from_json(text, strlen(text), &back, &err) < 0)
                fail_msg("round trip: %s\n%s", err->msg, text);
        assert_spec_equal(spec, &back);
        assert_null(back.seccomp);
        /* and the text it writes again is the same (but for the filter's summary) */
        assert_int_equal(rc_spec_to_json(&back, &again, &err), 0);
        if (spec->seccomp == NULL)
                assert_string_equal(text, again);
        free(text);
        free(again);
        rc_spec_free(&back);
}

static void test_round_trip_default(void **state)
{
        struct rc_spec spec;

        (void)state;
        rc_spec_init_default(&spec);
        spec.args = xcalloc(1, sizeof(char *));
        strv_push(&spec.args, "/bin/sh");
        round_trip(&spec);
        rc_spec_free(&spec);
}

static void test_round_trip_full(void **state)
{
        struct rc_spec spec;
        struct rc_seccomp_profile *p = rc_seccomp_profile_default();
        rc_error *err = NULL;

        (void)state;
        rc_spec_init_default(&spec);
        spec.args = xcalloc(1, sizeof(char *));
        strv_push(&spec.args, "sh");
        strv_push(&spec.args, "-c");
        strv_push(&spec.args, "echo \"quoted\" \\ back\tslash — ünïcode");
        spec.env = xcalloc(1, sizeof(char *));
        strv_push(&spec.env, "PATH=/usr/bin:/bin");
        strv_push(&spec.env, "EMPTY=");
        strv_push(&spec.env, "EQ=a=b");
        free(spec.cwd);
        spec.cwd = xstrdup("/srv/app dir");
        spec.uid = 1000;
        spec.gid = 4294967294U;
        spec.umask = 077;
        spec.sysctls = xcalloc(1, sizeof(char *));
        strv_push(&spec.sysctls, "net.ipv4.ping_group_range=0 2147483647");
        strv_push(&spec.sysctls, "kernel.shmmni=4096");
        spec.n_additional_gids = 3;
        spec.additional_gids = xcalloc(3, sizeof(uint32_t));
        spec.additional_gids[0] = 0;
        spec.additional_gids[1] = 10;
        spec.additional_gids[2] = 65534;
        spec.no_new_privileges = false;
        strv_push(&spec.cap_ambient, "CAP_NET_BIND_SERVICE");
        strv_push(&spec.cap_inheritable, "CAP_KILL");
        spec.rlimits = xrealloc(spec.rlimits, 3 * sizeof(*spec.rlimits));
        spec.rlimits[1] = (struct rc_spec_rlimit){ RLIMIT_CORE, 0, UINT64_MAX };
        spec.rlimits[2] = (struct rc_spec_rlimit){ RLIMIT_NPROC, 100, 200 };
        spec.n_rlimits = 3;
        spec.root_path = xstrdup("/home/u/.local/share/rc/containers/abc/merged");
        spec.root_readonly = true;
        spec.hostname = xstrdup("abc123");
        spec.namespaces = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP;
        spec.n_uid_mappings = 2;
        spec.uid_mappings = xcalloc(2, sizeof(*spec.uid_mappings));
        spec.uid_mappings[0] = (struct rc_spec_id_mapping){ 0, 1000, 1 };
        spec.uid_mappings[1] = (struct rc_spec_id_mapping){ 1, 100000, 65536 };
        spec.n_gid_mappings = 1;
        spec.gid_mappings = xcalloc(1, sizeof(*spec.gid_mappings));
        spec.gid_mappings[0] = (struct rc_spec_id_mapping){ 0, 1000, 1 };
        /* the filter is summarised in config.json and ignored on the way back */
        assert_int_equal(rc_seccomp_filter_get(p, spec.cap_bounding, NULL, &spec.seccomp, &err), 0);
        round_trip(&spec);
        rc_spec_free(&spec);
        rc_seccomp_profile_free(p);
}

static void test_unknown_fields_ignored(void **state)
{
        const char *text = "{\"ociVersion\":\"1.2.0\",\"annotations\":{\"a\":\"b\"},"
                           "\"process\":{\"terminal\":true,\"user\":{\"uid\":0,\"gid\":0,\"umask\":18},"
                           "\"args\":[\"true\"],\"cwd\":\"/\",\"apparmorProfile\":\"x\",\"oomScoreAdj\":5},"
                           "\"linux\":{\"sysctl\":{\"a\":\"b\"},\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\"}}}";
        struct rc_spec spec;
        rc_error *err = NULL;

        (void)state;
        if (rc_spec_from_json(text, strlen(text), &spec, &err) < 0)
                fail_msg("%s", err->msg);
        assert_string_equal(spec.args[0], "true");
        assert_null(spec.args[1]);
        assert_non_null(spec.env);
        assert_null(spec.env[0]);
        /* no capabilities listed: none */
        assert_non_null(spec.cap_bounding);
        assert_null(spec.cap_bounding[0]);
        assert_non_null(spec.cap_effective);
        assert_null(spec.cap_effective[0]);
        assert_false(spec.no_new_privileges);
        assert_int_equal(spec.namespaces, 0);
        assert_null(spec.seccomp);
        rc_spec_free(&spec);
}

#define PROC_HEAD "{\"process\":{\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"sh\"],\"cwd\":\"/\""

static const struct {
        const char *json;
        const char *want; /* part of the message */
} hostile[] = {
        { "", "truncated" },
        { "{", "truncated" },
        { "nonsense", "config.json" },
        { "[]", "not a JSON object" },
        { "{} {}", "(at byte 3)" },
        { "{}   ", "process: missing" },
        { "{\"process\":1}", "process: must be an object" },
        { "{}", "process: missing" },
        { "{\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"}}", "process.user: missing" },
        { "{\"process\":{\"user\":{\"uid\":-1,\"gid\":0},\"args\":[\"sh\"],\"cwd\":\"/\"}}",
          "process.user.uid: must not be negative" },
        { "{\"process\":{\"user\":{\"uid\":4294967295,\"gid\":0},\"args\":[\"sh\"],\"cwd\":\"/\"}}",
          "process.user.uid: out of range" },
        { "{\"process\":{\"user\":{\"uid\":99999999999999999999999,\"gid\":0},\"args\":[\"sh\"],\"cwd\":\"/\"}}",
          "process.user.uid" },
        { "{\"process\":{\"user\":{\"uid\":1.5,\"gid\":0},\"args\":[\"sh\"],\"cwd\":\"/\"}}",
          "process.user.uid: must be an integer" },
        { "{\"process\":{\"user\":{\"uid\":\"0\",\"gid\":0},\"args\":[\"sh\"],\"cwd\":\"/\"}}",
          "process.user.uid: must be an integer" },
        { "{\"process\":{\"user\":{\"uid\":0,\"gid\":0,\"additionalGids\":[1,-2]},\"args\":[\"sh\"],\"cwd\":\"/\"}}",
          "process.user.additionalGids[1]: must not be negative" },
        { "{\"process\":{\"user\":{\"uid\":0,\"gid\":0,\"umask\":512},\"args\":[\"sh\"],\"cwd\":\"/\"}}",
          "process.user.umask: out of range" },
        { PROC_HEAD "},\"linux\":{\"sysctl\":{\"../../etc/passwd\":\"x\"}}}", "is not a sysctl name" },
        { PROC_HEAD "},\"linux\":{\"sysctl\":{\"net.ipv4.ip_forward\":1}}}", "must be a string" },
        { PROC_HEAD "},\"linux\":{\"sysctl\":{\"net.ipv4.ip_forward\":\"1\\n2\"}}}", "must be one line" },
        { PROC_HEAD "},\"linux\":{\"sysctl\":[]}}", "linux.sysctl: must be an object" },
        { "{\"process\":{\"user\":{\"uid\":0,\"gid\":0,\"umask\":-1},\"args\":[\"sh\"],\"cwd\":\"/\"}}",
          "process.user.umask: must not be negative" },
        { "{\"process\":{\"user\":{\"uid\":0,\"gid\":0},\"args\":\"sh\",\"cwd\":\"/\"}}",
          "process.args: must be an array" },
        { "{\"process\":{\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"sh\",7],\"cwd\":\"/\"}}",
          "process.args[1]: must be a string" },
        { "{\"process\":{\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"s\\u0000h\"],\"cwd\":\"/\"}}",
          "process.args[0]: contains a NUL byte" },
        { "{\"process\":{\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"sh\"],\"cwd\":\"etc\"}}",
          "process.cwd: \"etc\" is not an absolute path" },
        { "{\"process\":{\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"sh\"],\"cwd\":\"/\\u0000/x\"}}",
          "process.cwd: contains a NUL byte" },
        { "{\"process\":{\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"sh\"]}}", "process.cwd: missing" },
        { PROC_HEAD ",\"env\":[\"NOEQUALS\"]}}", "process.env[0]: \"NOEQUALS\" is not KEY=VALUE" },
        { PROC_HEAD ",\"env\":[\"=x\"]}}", "process.env[0]" },
        { PROC_HEAD ",\"capabilities\":{\"bounding\":[\"CAP_EVERYTHING\"]}}}",
          "process.capabilities.bounding[0]: unknown capability \"CAP_EVERYTHING\"" },
        { PROC_HEAD ",\"capabilities\":[]}}", "process.capabilities: must be an object" },
        { PROC_HEAD ",\"rlimits\":[{\"type\":\"RLIMIT_BOGUS\",\"hard\":1,\"soft\":1}]}}",
          "process.rlimits[0].type: unknown limit \"RLIMIT_BOGUS\"" },
        { PROC_HEAD ",\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":1,\"soft\":2}]}}",
          "process.rlimits[0]: soft limit above the hard one" },
        { PROC_HEAD ",\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":1}]}}", "process.rlimits[0].soft: missing" },
        { PROC_HEAD ",\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":2,\"soft\":1},"
                    "{\"type\":\"RLIMIT_NOFILE\",\"hard\":2,\"soft\":1}]}}",
          "RLIMIT_NOFILE given twice" },
        { PROC_HEAD ",\"noNewPrivileges\":\"yes\"}}", "process.noNewPrivileges: must be a boolean" },
        { PROC_HEAD "},\"root\":{\"path\":5}}", "root.path: must be a string" },
        { PROC_HEAD "},\"hostname\":[]}", "hostname: must be a string" },
        { PROC_HEAD "},\"mounts\":[{\"type\":\"bind\"}]}", "mounts[0].destination: missing" },
        { PROC_HEAD "},\"mounts\":[{\"destination\":\"rel\"}]}", "mounts[0].destination: \"rel\" is not an absolute path" },
        { PROC_HEAD "},\"linux\":{\"namespaces\":[{\"type\":\"time\"}]}}",
          "linux.namespaces[0].type: unknown namespace \"time\"" },
        { PROC_HEAD "},\"linux\":{\"uidMappings\":[{\"containerID\":0,\"hostID\":1000}]}}",
          "linux.uidMappings[0].size: missing" },
        { PROC_HEAD "},\"linux\":{\"maskedPaths\":[\"proc/kcore\"]}}",
          "linux.maskedPaths[0]: \"proc/kcore\" is not an absolute path" },
        /* nesting beyond what rc writes stops the parser, not the stack */
        { "{\"process\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}", "config.json" },
};

static void test_hostile(void **state)
{
        (void)state;
        for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
                struct rc_spec spec;
                rc_error *err = NULL;
                int r;

                memset(&spec, 0x5a, sizeof(spec));
                r = rc_spec_from_json(hostile[i].json, strlen(hostile[i].json), &spec, &err);
                if (r == 0)
                        fail_msg("case %zu accepted: %s", i, hostile[i].json);
                assert_non_null(err);
                if (strstr(err->msg, hostile[i].want) == NULL)
                        fail_msg("case %zu: message \"%s\" lacks \"%s\"", i, err->msg, hostile[i].want);
                /* untouched on failure */
                assert_true(((unsigned char *)&spec)[0] == 0x5a);
                rc_error_free(err);
        }
}

static void test_sysctl_names(void **state)
{
        (void)state;
        assert_true(rc_sysctl_key_ok("net.ipv4.ip_forward"));
        assert_true(rc_sysctl_key_ok("net/ipv4/conf/eth0/forwarding"));
        assert_false(rc_sysctl_key_ok(""));
        assert_false(rc_sysctl_key_ok("net..ipv4"));
        assert_false(rc_sysctl_key_ok("./net"));
        assert_false(rc_sysctl_key_ok("net.ipv4/"));
        assert_false(rc_sysctl_key_ok("net.ipv4.ip forward"));
        assert_false(rc_sysctl_key_ok("Net.ipv4"));
        assert_string_equal(rc_sysctl_namespace("net.core.somaxconn"), "net");
        assert_string_equal(rc_sysctl_namespace("fs.mqueue.msg_max"), "ipc");
        assert_string_equal(rc_sysctl_namespace("kernel.shm_rmid_forced"), "ipc");
        assert_null(rc_sysctl_namespace("kernel.hostname"));
        assert_null(rc_sysctl_namespace("kernel.shmmaxx"));
        assert_null(rc_sysctl_namespace("vm.overcommit_memory"));
        assert_null(rc_sysctl_namespace("network.x"));
}

static void test_limits(void **state)
{
        struct rc_spec spec;
        rc_error *err = NULL;
        size_t n = 70000, len;
        char *text, *p;

        (void)state;
        /* an args array beyond the bound */
        text = xmalloc(n * 4 + 256);
        p = text + sprintf(text, "{\"process\":{\"user\":{\"uid\":0,\"gid\":0},\"cwd\":\"/\",\"args\":[");
        for (size_t i = 0; i < n; i++)
                p += sprintf(p, "%s\"\"", i ? "," : "");
        p += sprintf(p, "]}}");
        len = (size_t)(p - text);
        assert_int_equal(rc_spec_from_json(text, len, &spec, &err), -1);
        assert_non_null(strstr(err->msg, "process.args: more than"));
        rc_error_free(err);
        err = NULL;
        /* a NUL byte in the text */
        assert_int_equal(rc_spec_from_json("{}\0{}", 5, &spec, &err), -1);
        assert_non_null(strstr(err->msg, "NUL"));
        rc_error_free(err);
        err = NULL;
        free(text);
        /* a file beyond 4 MiB is not read at all */
        len = 5 * 1024 * 1024;
        text = xmalloc(len);
        memset(text, ' ', len);
        assert_int_equal(rc_spec_from_json(text, len, &spec, &err), -1);
        assert_int_equal(err->errnum, EFBIG);
        rc_error_free(err);
        free(text);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_round_trip_default),
                cmocka_unit_test(test_round_trip_full),
                cmocka_unit_test(test_unknown_fields_ignored),
                cmocka_unit_test(test_hostile),
                cmocka_unit_test(test_limits),
                cmocka_unit_test(test_sysctl_names),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
