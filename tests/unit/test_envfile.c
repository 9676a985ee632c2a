/* --env-file: docker's format. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "container/container.h"
#include "util/xalloc.h"

static void test_parse(void **state)
{
        char **env = NULL;
        rc_error *err = NULL;
        const char *text = "# a comment\n\nA=1\n  B=two words = more\r\nC\nD=\n   # indented comment\nE=x#y";
        const char *want[] = { "A=1", "B=two words = more", "C", "D=", "E=x#y", NULL };

        (void)state;
        assert_int_equal(rc_env_file_lines(text, "f.env", &env, &err), 0);
        for (size_t i = 0; want[i]; i++)
                assert_string_equal(env[i], want[i]);
        assert_null(env[5]);
        /* appended to what is there */
        assert_int_equal(rc_env_file_lines("F=6", "g.env", &env, &err), 0);
        assert_string_equal(env[5], "F=6");
        assert_null(env[6]);
        strv_free(env);
}

static void test_errors(void **state)
{
        static const struct {
                const char *text, *want;
        } bad[] = {
                { "A=1\n=x\n", "f.env, line 2: no variable name before '='" },
                { "MY VAR=1\n", "f.env, line 1: variable name \"MY VAR\" contains blanks" },
                { "\n\nMY\tVAR\n", "f.env, line 3: variable name \"MY\tVAR\" contains blanks" },
        };

        (void)state;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                char **env = NULL;
                rc_error *err = NULL;
                assert_int_equal(rc_env_file_lines(bad[i].text, "f.env", &env, &err), -1);
                assert_null(env); /* untouched */
                assert_non_null(strstr(err->msg, bad[i].want));
                rc_error_free(err);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse),
                cmocka_unit_test(test_errors),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
