/* Seccomp: the JSON profile parser (table-driven, good and hostile input),
 * the compiler, the cache, and filters loaded for real in forked children. */
#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <seccomp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "runtime/runtime.h"
#include "seccomp/seccomp.h"
#include "util/fs.h"
#include "util/xalloc.h"

static char *default_caps[] = { "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
                                "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
                                "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE", NULL };

/* ---- parser: accepted profiles ---- */

static struct rc_seccomp_profile *parse_ok(const char *json)
{
        struct rc_seccomp_profile *p = NULL;
        rc_error *err = NULL;

        if (rc_seccomp_profile_parse(json, strlen(json), "test.json", &p, &err) < 0)
                fail_msg("unexpected error: %s", err->msg);
        return p;
}

static void test_parse_minimal(void **state)
{
        struct rc_seccomp_profile *p = parse_ok("{\"defaultAction\": \"SCMP_ACT_ALLOW\"}");

        (void)state;
        assert_int_equal(p->default_action, SCMP_ACT_ALLOW);
        assert_int_equal(p->n_rules, 0);
        assert_int_equal(p->n_arches, 0);
        assert_string_equal(p->name, "test.json");
        assert_true(rc_digest_valid(p->source));
        rc_seccomp_profile_free(p);
}

static void test_parse_full(void **state)
{
        struct rc_seccomp_profile *p = parse_ok(
                "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38,\n"
                " \"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\"],\n"
                " \"archMap\": [{\"architecture\": \"SCMP_ARCH_AARCH64\", \"subArchitectures\": [\"SCMP_ARCH_ARM\"]},\n"
                "              {\"architecture\": \"SCMP_ARCH_RISCV64\", \"subArchitectures\": null}],\n"
                " \"syscalls\": [\n"
                "  {\"names\": [\"read\", \"write\"], \"action\": \"SCMP_ACT_ALLOW\", \"comment\": \"io\"},\n"
                "  {\"name\": \"socket\", \"action\": \"SCMP_ACT_ALLOW\",\n"
                "   \"args\": [{\"index\": 0, \"value\": 40, \"op\": \"SCMP_CMP_NE\"},\n"
                "            {\"index\": 2, \"value\": 18446744073709551615, \"valueTwo\": 1, \"op\": "
                "\"SCMP_CMP_MASKED_EQ\"}]},\n"
                "  {\"names\": [\"mount\"], \"action\": \"SCMP_ACT_ALLOW\",\n"
                "   \"includes\": {\"caps\": [\"CAP_SYS_ADMIN\"], \"arches\": [\"amd64\"], \"minKernel\": \"4.8\"},\n"
                "   \"excludes\": {\"caps\": null}},\n"
                "  {\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 13},\n"
                "  {\"names\": [\"kill\"], \"action\": \"SCMP_ACT_KILL_PROCESS\"}\n"
                " ]}\n");

        (void)state;
        assert_int_equal(p->default_action, SCMP_ACT_ERRNO(38));
        assert_int_equal(p->n_arches, 2);
        assert_int_equal(p->arches[0], SCMP_ARCH_X86_64);
        assert_int_equal(p->n_arch_map, 2);
        assert_int_equal(p->arch_map[0].arch, SCMP_ARCH_AARCH64);
        assert_int_equal(p->arch_map[0].n_subs, 1);
        assert_int_equal(p->arch_map[0].subs[0], SCMP_ARCH_ARM);
        assert_int_equal(p->arch_map[1].n_subs, 0);
        assert_int_equal(p->n_rules, 5);
        assert_string_equal(p->rules[0].names[1], "write");
        assert_string_equal(p->rules[1].names[0], "socket");
        assert_int_equal(p->rules[1].n_args, 2);
        assert_int_equal(p->rules[1].args[0].op, SCMP_CMP_NE);
        assert_true(p->rules[1].args[1].value == UINT64_MAX);
        assert_int_equal(p->rules[1].args[1].value_two, 1);
        assert_string_equal(p->rules[2].includes.caps[0], "CAP_SYS_ADMIN");
        assert_int_equal(p->rules[2].includes.min_kernel, 4 << 16 | 8);
        assert_int_equal(p->rules[3].action, SCMP_ACT_ERRNO(13));
        assert_int_equal(p->rules[4].action, SCMP_ACT_KILL_PROCESS);
        assert_string_equal(rc_seccomp_action_name(p->rules[4].action), "SCMP_ACT_KILL_PROCESS");
        assert_string_equal(rc_seccomp_action_name(p->default_action), "SCMP_ACT_ERRNO");
        rc_seccomp_profile_free(p);
}

/* ---- parser: refused profiles ---- */

struct bad_case {
        const char *json;
        const char *err; /* substring of the message */
};

static const struct bad_case bad_cases[] = {
        { "", "unexpected end of input" },
        { "{", "unexpected end of input" },
        { "[]", "profile: expected a JSON object, got array" },
        { "{} {}", "trailing data" },
        { "{\"defaultAction\": \"SCMP_ACT_ALLOW\"} x", "trailing data" },
        { "{}", "defaultAction: missing" },
        { "{\"defaultAction\": 1}", "defaultAction: expected a string, got int" },
        { "{\"defaultAction\": \"\"}", "defaultAction: expected a non-empty string" },
        { "{\"defaultAction\": \"SCMP_ACT_MAYBE\"}", "defaultAction: unknown action \"SCMP_ACT_MAYBE\"" },
        { "{\"defaultAction\": \"SCMP_ACT_NOTIFY\"}", "defaultAction: SCMP_ACT_NOTIFY is not supported" },
        { "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": -1}", "defaultErrnoRet: must not be negative" },
        { "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 5000}", "defaultErrnoRet: 5000 is out of range" },
        { "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": \"1\"}",
          "defaultErrnoRet: expected an integer, got string" },
        { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"defaultErrnoRet\": 1}", "defaultErrnoRet: only SCMP_ACT_ERRNO" },
        { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"bogus\": 1}", "profile: unknown field \"bogus\"" },
        { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [\"SECCOMP_FILTER_FLAG_LOG\"]}",
          "flags: filter flags are not supported" },
        { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"/x\"}", "listenerPath: seccomp listeners" },
        { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": \"SCMP_ARCH_X86\"}",
          "architectures: expected a list" },
        { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_VAX\"]}",
          "architectures[0]: unknown architecture \"SCMP_ARCH_VAX\"" },
        { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"archMap\": [{\"subArchitectures\": []}]}",
          "archMap[0].architecture: missing" },
        { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"archMap\": [{\"architecture\": \"SCMP_ARCH_X86_64\", "
          "\"subArchitectures\": [7]}]}",
          "archMap[0].subArchitectures[0]: expected a string, got int" },
        { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": {}}", "syscalls: expected a list, got object" },
        { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [1]}", "syscalls[0]: expected an object, got int" },
        { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"action\": \"SCMP_ACT_ERRNO\"}]}",
          "syscalls[0].names: missing" },
        { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [], \"action\": \"SCMP_ACT_ERRNO\"}]}",
          "syscalls[0].names: empty" },
        { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\"]}]}",
          "syscalls[0].action: missing" },
        { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"a\", null], \"action\": "
          "\"SCMP_ACT_ERRNO\"}]}",
          "syscalls[0].names[1]: expected a string, got null" },
        { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"../etc\"], \"action\": "
          "\"SCMP_ACT_ERRNO\"}]}",
          "syscalls[0].names: \"../etc\" is not a system call name" },
        { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"a\\u0000b\"], \"action\": "
          "\"SCMP_ACT_ERRNO\"}]}",
          "without NUL" },
        { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"x\"], \"action\": "
          "\"SCMP_ACT_ERRNO\", \"nope\": 1}]}",
          "syscalls[0]: unknown field \"nope\"" },
        { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"x\"], \"action\": "
          "\"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 6, \"op\": \"SCMP_CMP_EQ\"}]}]}",
          "syscalls[0].args[0].index: 6 is out of range (at most 5)" },
        { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"x\"], \"action\": "
          "\"SCMP_ACT_ERRNO\", \"args\": [{\"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]}]}",
          "syscalls[0].args[0].index: missing" },
        { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"x\"], \"action\": "
          "\"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 0, \"value\": -3, \"op\": \"SCMP_CMP_EQ\"}]}]}",
          "syscalls[0].args[0].value: must not be negative" },
        { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"x\"], \"action\": "
          "\"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 0, \"value\": 1.5, \"op\": \"SCMP_CMP_EQ\"}]}]}",
          "syscalls[0].args[0].value: expected an integer, got double" },
        { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"x\"], \"action\": "
          "\"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 0, \"op\": \"SCMP_CMP_ALMOST\"}]}]}",
          "syscalls[0].args[0].op: unknown operator \"SCMP_CMP_ALMOST\"" },
        { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"x\"], \"action\": "
          "\"SCMP_ACT_ERRNO\", \"args\": [{},{},{},{},{},{},{}]}]}",
          "syscalls[0].args: 7 comparisons, at most 6" },
        { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"x\"], \"action\": "
          "\"SCMP_ACT_ERRNO\", \"includes\": {\"minKernel\": \"four\"}}]}",
          "syscalls[0].includes.minKernel: \"four\" is not a kernel version" },
        { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"x\"], \"action\": "
          "\"SCMP_ACT_ERRNO\", \"excludes\": {\"caps\": \"CAP_SYS_ADMIN\"}}]}",
          "syscalls[0].excludes.caps: expected a list of strings, got string" },
        { "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"x\"], \"action\": "
          "\"SCMP_ACT_ERRNO\", \"includes\": {\"kernel\": \"5.1\"}}]}",
          "syscalls[0].includes: unknown field \"kernel\"" },
        { "{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}", "nesting too deep" },
};

static void test_parse_bad(void **state)
{
        (void)state;
        for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
                struct rc_seccomp_profile *p = NULL;
                rc_error *err = NULL;
                const char *json = bad_cases[i].json;

                if (rc_seccomp_profile_parse(json, strlen(json), "bad.json", &p, &err) == 0)
                        fail_msg("case %zu accepted: %s", i, json);
                assert_null(p);
                assert_non_null(err);
                if (strstr(err->msg, bad_cases[i].err) == NULL || strncmp(err->msg, "seccomp profile bad.json: ", 26))
                        fail_msg("case %zu: message \"%s\" lacks \"%s\"", i, err->msg, bad_cases[i].err);
                rc_error_free(err);
        }
}

static void test_parse_nul_and_size(void **state)
{
        static const char with_nul[] = "{\"defaultAction\": \"SCMP_ACT_ALLOW\"}\0";
        struct rc_seccomp_profile *p = NULL;
        rc_error *err = NULL;
        char *big;

        (void)state;
        assert_int_equal(rc_seccomp_profile_parse(with_nul, sizeof(with_nul), "n.json", &p, &err), -1);
        assert_non_null(strstr(err->msg, "NUL byte"));
        rc_error_free(err);
        err = NULL;
        big = xcalloc(1, RC_SECCOMP_MAX_PROFILE + 2);
        memset(big, ' ', RC_SECCOMP_MAX_PROFILE + 1);
        assert_int_equal(rc_seccomp_profile_parse(big, RC_SECCOMP_MAX_PROFILE + 1, "big.json", &p, &err), -1);
        assert_int_equal(err->errnum, EFBIG);
        rc_error_free(err);
        free(big);
}

static void test_read_errors(void **state)
{
        struct rc_seccomp_profile *p = NULL;
        rc_error *err = NULL;

        (void)state;
        assert_int_equal(rc_seccomp_profile_read("/nonexistent/profile.json", &p, &err), -1);
        assert_string_equal(err->msg, "seccomp profile /nonexistent/profile.json: No such file or directory");
        rc_error_free(err);
        err = NULL;
        assert_int_equal(rc_seccomp_profile_read("/tmp", &p, &err), -1);
        assert_string_equal(err->msg, "seccomp profile /tmp: not a regular file");
        rc_error_free(err);
}

/* ---- compile and load ---- */

/* Run fn in a forked child under f (with no_new_privs); returns its exit status. */
static int in_child(const struct rc_seccomp_filter *f, int (*fn)(void))
{
        int status;
        pid_t pid = fork();

        assert_true(pid >= 0);
        if (pid == 0) {
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || rc_seccomp_load(f) < 0)
                        _exit(99);
                _exit(fn());
        }
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        return WEXITSTATUS(status);
}

static int expect_errno(long r, int e)
{
        return r == -1 && errno == e ? 0 : 1;
}

static int getpid_denied(void)
{
        return expect_errno(syscall(SYS_getpid), EPERM) == 0 && syscall(SYS_getppid) > 0 ? 0 : 1;
}

static void test_custom_profile_denies_getpid(void **state)
{
        static const char json[] = "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
                                   "[{\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ERRNO\"}]}";
        struct rc_seccomp_profile *p = parse_ok(json);
        struct rc_seccomp_filter *f = NULL;
        rc_error *err = NULL;

        (void)state;
        assert_int_equal(rc_seccomp_compile(p, default_caps, &f, &err), 0);
        assert_true(f->prog.len > 0);
        assert_false(f->from_cache);
        assert_int_equal(in_child(f, getpid_denied), 0);
        rc_seccomp_filter_free(f);
        rc_seccomp_profile_free(p);
}

/* What the default profile allows and denies a container without CAP_SYS_ADMIN. */
static int default_behaviour(void)
{
        int fd;

        if (expect_errno(syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL), EPERM))
                return 10;
        if (expect_errno(syscall(SYS_add_key, "user", "k", "v", 1, KEY_SPEC_PROCESS_KEYRING), EPERM))
                return 11;
        if (expect_errno(unshare(CLONE_NEWUSER), EPERM) || expect_errno(unshare(CLONE_NEWNS), EPERM))
                return 12;
        if (unshare(CLONE_FILES) != 0) /* no namespace flag: allowed */
                return 13;
        if (expect_errno(syscall(SYS_clone3, NULL, 0), ENOSYS))
                return 14;
        if (expect_errno(syscall(SYS_setns, -1, 0), EPERM) || expect_errno(syscall(SYS_mount, "x", "/", "tmpfs", 0, NULL), EPERM))
                return 15;
        if (syscall(SYS_personality, 0xffffffffUL) < 0 || expect_errno(syscall(SYS_personality, 0x0040000UL), EPERM))
                return 16;
        if (expect_errno(socket(40 /* AF_VSOCK */, SOCK_STREAM, 0), EPERM))
                return 17;
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return 18;
        close(fd);
        if (syscall(SYS_getpid) <= 0)
                return 19;
        return 0;
}

static void test_default_profile_in_child(void **state)
{
        struct rc_seccomp_profile *p = rc_seccomp_profile_default();
        struct rc_seccomp_filter *f = NULL;
        rc_error *err = NULL;

        (void)state;
        assert_string_equal(p->name, "default");
        assert_int_equal(p->default_action, SCMP_ACT_ERRNO(EPERM));
        assert_int_equal(rc_seccomp_compile(p, default_caps, &f, &err), 0);
        assert_string_equal(f->architectures[0], seccomp_arch_native() == SCMP_ARCH_X86_64 ? "SCMP_ARCH_X86_64"
                                                                                             : f->architectures[0]);
        if (seccomp_arch_native() == SCMP_ARCH_X86_64) {
                assert_true(strv_contains(f->architectures, "SCMP_ARCH_X86"));
                assert_true(strv_contains(f->architectures, "SCMP_ARCH_X32"));
        }
        assert_int_equal(in_child(f, default_behaviour), 0);
        rc_seccomp_filter_free(f);
        rc_seccomp_profile_free(p);
}

static int setns_reaches_kernel(void)
{
        /* with CAP_SYS_ADMIN the filter lets setns through: the kernel says EBADF */
        return expect_errno(syscall(SYS_setns, -1, 0), EBADF) ? 1 : 0;
}

static void test_default_profile_with_sys_admin(void **state)
{
        char *caps[] = { "CAP_CHOWN", "sys_admin", NULL };
        struct rc_seccomp_profile *p = rc_seccomp_profile_default();
        struct rc_seccomp_filter *f = NULL;
        rc_error *err = NULL;

        (void)state;
        assert_int_equal(rc_seccomp_compile(p, caps, &f, &err), 0);
        assert_int_equal(in_child(f, setns_reaches_kernel), 0);
        rc_seccomp_filter_free(f);
        rc_seccomp_profile_free(p);
}

static void test_to_json(void **state)
{
        struct rc_seccomp_profile *p = rc_seccomp_profile_default();
        struct rc_seccomp_filter *f = NULL;
        rc_error *err = NULL;
        json_object *o, *v;

        (void)state;
        assert_int_equal(rc_seccomp_compile(p, default_caps, &f, &err), 0);
        o = rc_seccomp_filter_to_json(f);
        assert_true(json_object_object_get_ex(o, "defaultAction", &v));
        assert_string_equal(json_object_get_string(v), "SCMP_ACT_ERRNO");
        assert_true(json_object_object_get_ex(o, "defaultErrnoRet", &v));
        assert_int_equal(json_object_get_int(v), EPERM);
        assert_true(json_object_object_get_ex(o, "profile", &v));
        assert_string_equal(json_object_get_string(v), "default");
        assert_true(json_object_object_get_ex(o, "bpfInstructions", &v));
        assert_int_equal(json_object_get_int(v), f->prog.len);
        json_object_put(o);
        rc_seccomp_filter_free(f);
        rc_seccomp_profile_free(p);
}

/* The runtime spec owns the filter and shows it in config.json form. */
static void test_spec_json(void **state)
{
        struct rc_seccomp_profile *p = rc_seccomp_profile_default();
        struct rc_spec spec;
        rc_error *err = NULL;
        char *text = NULL;
        json_object *o, *linux_, *sc, *v;

        (void)state;
        rc_spec_init_default(&spec);
        assert_int_equal(rc_spec_to_json(&spec, &text, &err), 0);
        o = json_tokener_parse(text);
        assert_true(json_object_object_get_ex(o, "linux", &linux_));
        assert_false(json_object_object_get_ex(linux_, "seccomp", &sc)); /* unconfined */
        json_object_put(o);
        free(text);

        assert_int_equal(rc_seccomp_filter_get(p, spec.cap_bounding, NULL, &spec.seccomp, &err), 0);
        assert_int_equal(rc_spec_to_json(&spec, &text, &err), 0);
        o = json_tokener_parse(text);
        assert_true(json_object_object_get_ex(o, "linux", &linux_));
        assert_true(json_object_object_get_ex(linux_, "seccomp", &sc));
        assert_true(json_object_object_get_ex(sc, "defaultAction", &v));
        assert_string_equal(json_object_get_string(v), "SCMP_ACT_ERRNO");
        assert_true(json_object_object_get_ex(sc, "architectures", &v));
        assert_true(json_object_array_length(v) >= 1);
        json_object_put(o);
        free(text);
        rc_spec_free(&spec); /* frees the filter */
        rc_seccomp_profile_free(p);
}

/* ---- cache ---- */

static void test_cache(void **state)
{
        char dir[] = "/tmp/rc-test-seccomp-XXXXXX";
        struct rc_seccomp_profile *p = rc_seccomp_profile_default();
        struct rc_seccomp_filter *a = NULL, *b = NULL, *c = NULL;
        char key[RC_DIGEST_HEX_LEN + 1], key2[RC_DIGEST_HEX_LEN + 1];
        char *admin_caps[] = { "CAP_SYS_ADMIN", NULL };
        char *reordered[] = { "kill", "CAP_AUDIT_WRITE", "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID",
                              "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP",
                              "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", NULL };
        rc_error *err = NULL;
        char *path, *cache_dir;
        struct stat st;
        int fd;

        (void)state;
        assert_non_null(mkdtemp(dir));
        cache_dir = xasprintf("%s/seccomp", dir);
        rc_seccomp_cache_key(p, default_caps, key);
        rc_seccomp_cache_key(p, reordered, key2);
        assert_string_equal(key, key2); /* order and spelling of capabilities do not matter */
        rc_seccomp_cache_key(p, admin_caps, key2);
        assert_string_not_equal(key, key2);
        path = xasprintf("%s/%s.bpf", cache_dir, key);

        /* miss: compiled and written; hit: the same program, from the file */
        assert_int_equal(rc_seccomp_filter_get(p, default_caps, cache_dir, &a, &err), 0);
        assert_false(a->from_cache);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);
        assert_int_equal(rc_seccomp_filter_get(p, default_caps, cache_dir, &b, &err), 0);
        assert_true(b->from_cache);
        assert_int_equal(a->prog.len, b->prog.len);
        assert_memory_equal(a->prog.filter, b->prog.filter, a->prog.len * sizeof(struct sock_filter));
        assert_string_equal(b->profile, "default");
        assert_int_equal(in_child(b, default_behaviour), 0);
        rc_seccomp_filter_free(b);

        /* a flipped byte in the instructions: ignored, rebuilt, rewritten */
        fd = open(path, O_WRONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(pwrite(fd, "\xff", 1, st.st_size - 3), 1);
        close(fd);
        assert_int_equal(rc_seccomp_filter_get(p, default_caps, cache_dir, &b, &err), 0);
        assert_false(b->from_cache);
        assert_memory_equal(a->prog.filter, b->prog.filter, a->prog.len * sizeof(struct sock_filter));
        rc_seccomp_filter_free(b);
        assert_int_equal(rc_seccomp_filter_get(p, default_caps, cache_dir, &b, &err), 0);
        assert_true(b->from_cache);
        rc_seccomp_filter_free(b);

        /* short files, a multiple of 8 or not, and an empty one */
        assert_int_equal(truncate(path, st.st_size - 8), 0);
        assert_int_equal(rc_seccomp_filter_get(p, default_caps, cache_dir, &b, &err), 0);
        assert_false(b->from_cache);
        rc_seccomp_filter_free(b);
        assert_int_equal(truncate(path, 5), 0);
        assert_int_equal(rc_seccomp_filter_get(p, default_caps, cache_dir, &b, &err), 0);
        assert_false(b->from_cache);
        rc_seccomp_filter_free(b);
        assert_int_equal(truncate(path, 0), 0);
        assert_int_equal(rc_seccomp_filter_get(p, default_caps, cache_dir, &c, &err), 0);
        assert_false(c->from_cache);
        assert_memory_equal(a->prog.filter, c->prog.filter, a->prog.len * sizeof(struct sock_filter));
        rc_seccomp_filter_free(c);

        /* an unwritable cache is no error */
        assert_int_equal(rc_seccomp_filter_get(p, default_caps, "/proc/rc-no-such-dir", &c, &err), 0);
        assert_false(c->from_cache);
        rc_seccomp_filter_free(c);

        rc_seccomp_filter_free(a);
        rc_seccomp_profile_free(p);
        assert_int_equal(rc_rm_rf(dir, &err), 0);
        free(path);
        free(cache_dir);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_minimal),
                cmocka_unit_test(test_parse_full),
                cmocka_unit_test(test_parse_bad),
                cmocka_unit_test(test_parse_nul_and_size),
                cmocka_unit_test(test_read_errors),
                cmocka_unit_test(test_custom_profile_denies_getpid),
                cmocka_unit_test(test_default_profile_in_child),
                cmocka_unit_test(test_default_profile_with_sys_admin),
                cmocka_unit_test(test_to_json),
                cmocka_unit_test(test_spec_json),
                cmocka_unit_test(test_cache),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
