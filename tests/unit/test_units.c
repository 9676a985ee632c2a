/* systemd units of containers: Exec quoting and splitting, unit file
 * parsing, taking a saved rc run command line apart, rc generate systemd's
 * unit, and .container files (Quadlet keys -> rc run flags). */
#include <getopt.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "units/units.h"
#include "util/xalloc.h"

static void test_quote_split(void **state)
{
        static const char *const args[] = { "plain", "two words", "say \"hi\"", "100%", "$HOME", "a\\b", "tab\there",
                                            "", "line\nbreak", "--opt=x,y", NULL };
        char *q;

        (void)state;
        q = rc_unit_quote("plain");
        assert_string_equal(q, "plain");
        free(q);
        q = rc_unit_quote("two words");
        assert_string_equal(q, "\"two words\"");
        free(q);
        q = rc_unit_quote("100% $HOME");
        assert_string_equal(q, "\"100%% $$HOME\""); /* no specifier or variable expansion by systemd */
        free(q);
        q = rc_unit_quote("");
        assert_string_equal(q, "\"\"");
        free(q);
        /* what systemd's splitting gives back is what was quoted (%% and $$
         * are systemd's to undo, so leave them out of the round trip) */
        for (size_t i = 0; args[i]; i++) {
                char **words = NULL;
                rc_error *err = NULL;
                if (strchr(args[i], '%') || strchr(args[i], '$'))
                        continue;
                q = rc_unit_quote(args[i]);
                assert_int_equal(rc_unit_split(q, &words, &err), 0);
                assert_non_null(words[0]);
                assert_string_equal(words[0], args[i]);
                assert_null(words[1]);
                strv_free(words);
                free(q);
        }
}

static void test_split(void **state)
{
        char **w = NULL;
        rc_error *err = NULL;

        (void)state;
        assert_int_equal(rc_unit_split("  sh -c 'echo hi; exit 0'  \"x y\" a\\ b ", &w, &err), 0);
        assert_string_equal(w[0], "sh");
        assert_string_equal(w[1], "-c");
        assert_string_equal(w[2], "echo hi; exit 0");
        assert_string_equal(w[3], "x y");
        assert_string_equal(w[4], "a b");
        assert_null(w[5]);
        strv_free(w);
        assert_int_equal(rc_unit_split("A=1 \"B=two words\"", &w, &err), 0);
        assert_string_equal(w[1], "B=two words");
        strv_free(w);
        assert_int_equal(rc_unit_split("oops \"open", &w, &err), -1);
        assert_non_null(strstr(err->msg, "unterminated"));
        rc_error_free(err);
}

static void test_parse(void **state)
{
        struct rc_unit_file f;
        rc_error *err = NULL;

        (void)state;
        assert_int_equal(rc_unit_parse("x.container",
                                       "# comment\n[Unit]\nDescription = a b \n\n[Container]\nImage=bb\n"
                                       "Exec=sh -c \\\n  'echo continued'\n; other comment\nVolume=a:/a\nVolume=b:/b\n",
                                       &f, &err),
                         0);
        assert_int_equal(f.n, 5);
        assert_string_equal(f.entries[0].section, "Unit");
        assert_string_equal(f.entries[0].value, "a b");
        assert_string_equal(f.entries[2].key, "Exec");
        assert_string_equal(f.entries[2].value, "sh -c  'echo continued'");
        assert_int_equal(f.entries[2].line, 7);
        assert_string_equal(f.entries[4].value, "b:/b");
        rc_unit_file_free(&f);
        assert_int_equal(rc_unit_parse("x.container", "Image=bb\n", &f, &err), -1);
        assert_non_null(strstr(err->msg, "x.container:1:"));
        rc_error_free(err);
        err = NULL;
        assert_int_equal(rc_unit_parse("x.container", "[Container]\nno equals here\n", &f, &err), -1);
        assert_non_null(strstr(err->msg, "x.container:2: expected Key=Value"));
        rc_error_free(err);
}

/* Parts of rc's option tables, as cmd/rc has them. */
static const struct option global_opts[] = { { "root", required_argument, NULL, 1 },
                                              { "runroot", required_argument, NULL, 2 },
                                              { "log-level", required_argument, NULL, 3 },
                                              { NULL, 0, NULL, 0 } };
static const struct option run_opts[] = {
        { "detach", no_argument, NULL, 'd' },    { "rm", no_argument, NULL, 1 },
        { "name", required_argument, NULL, 2 },  { "env", required_argument, NULL, 'e' },
        { "memory", required_argument, NULL, 3 }, { "restart", required_argument, NULL, 4 },
        { "replace", no_argument, NULL, 5 },     { "tty", no_argument, NULL, 't' },
        { "interactive", no_argument, NULL, 'i' }, { "sdnotify", required_argument, NULL, 6 },
        { NULL, 0, NULL, 0 },
};

static void test_run_args(void **state)
{
        const struct rc_cmdline_spec spec = { .longopts = run_opts, .shortopts = "+dite:m:", .global_longopts = global_opts };
        char *cmd[] = { "/usr/bin/rc", "--root", "/r", "--runroot=/rr", "run",   "-dit",       "--name",
                        "web",         "-eA=1",  "-e",  "B=2",          "--rm", "--memory=64m", "--restart",
                        "always",      "--replace", "--sdnotify", "ignore", "img",  "sh",         "-c",
                        "echo -d",     NULL };
        char *create[] = { "/usr/bin/rc", "container", "create", "--name=x", "img", NULL };
        char *bad[] = { "/usr/bin/rc", "images", NULL };
        char *unknown[] = { "/usr/bin/rc", "run", "--bogus", "img", NULL };
        char **g = NULL, **r = NULL;
        rc_error *err = NULL;

        (void)state;
        assert_int_equal(rc_unit_run_args(cmd, &spec, &g, &r, &err), 0);
        assert_string_equal(g[0], "--root");
        assert_string_equal(g[1], "/r");
        assert_string_equal(g[2], "--runroot=/rr");
        assert_null(g[3]);
        /* -d, --name, --rm, --restart, --replace, --sdnotify are the unit's */
        {
                const char *want[] = { "-i", "-t", "-e", "A=1", "-e", "B=2", "--memory=64m", "img", "sh", "-c",
                                       "echo -d", NULL };
                for (size_t i = 0; want[i]; i++) {
                        assert_non_null(r[i]);
                        assert_string_equal(r[i], want[i]);
                }
                assert_null(r[11]);
        }
        strv_free(g);
        strv_free(r);
        assert_int_equal(rc_unit_run_args(create, &spec, &g, &r, &err), 0);
        assert_string_equal(r[0], "img");
        assert_null(r[1]);
        strv_free(g);
        strv_free(r);
        assert_int_equal(rc_unit_run_args(bad, &spec, &g, &r, &err), -1);
        assert_non_null(strstr(err->msg, "not created by rc run"));
        rc_error_free(err);
        err = NULL;
        assert_int_equal(rc_unit_run_args(unknown, &spec, &g, &r, &err), -1);
        assert_non_null(strstr(err->msg, "--bogus"));
        rc_error_free(err);
        err = NULL;
        assert_int_equal(rc_unit_run_args(NULL, &spec, &g, &r, &err), -1);
        rc_error_free(err);
}

static void test_generate(void **state)
{
        char *global[] = { "--root", "/r", NULL };
        char *run[] = { "-e", "A=two words", "img", "sh", "-c", "echo 100%", NULL };
        struct rc_unit_opts o = { .rc_path = "/usr/bin/rc", .global = global, .container = "web",
                                  .description = "rc container web", .run_args = run, .restart = "on-failure",
                                  .restart_sec = 5, .stop_timeout = 10, .runroot = "/run/user/1000/rc" };
        char *text = rc_unit_generate(&o);

        (void)state;
        assert_non_null(strstr(text, "[Unit]\nDescription=rc container web\n"));
        assert_non_null(strstr(text, "RequiresMountsFor=/run/user/1000/rc\n"));
        assert_non_null(strstr(text, "Restart=on-failure\nRestartSec=5\nTimeoutStopSec=70\n"));
        assert_non_null(strstr(text, "ExecStart=/usr/bin/rc --root /r run --name web --replace --rm -d "
                                     "--sdnotify=conmon -e \"A=two words\" img sh -c \"echo 100%%\"\n"));
        assert_non_null(strstr(text, "ExecStop=/usr/bin/rc --root /r stop --ignore -t 10 web\n"));
        assert_non_null(strstr(text, "ExecStopPost=-/usr/bin/rc --root /r rm -f --ignore web\n"));
        assert_non_null(strstr(text, "Type=notify\nNotifyAccess=all\n"));
        assert_non_null(strstr(text, "[Install]\nWantedBy=default.target\n"));
        free(text);
        /* created with --sdnotify=container: its unit keeps it */
        o.notify_container = true;
        text = rc_unit_generate(&o);
        assert_non_null(strstr(text, "--replace --rm -d --sdnotify=container -e"));
        free(text);
        o.notify_container = false;
        /* an existing container: start and stop it, no removal */
        o.run_args = NULL;
        o.restart_sec = -1;
        text = rc_unit_generate(&o);
        assert_non_null(strstr(text, "ExecStart=/usr/bin/rc --root /r start web\n"));
        assert_null(strstr(text, "ExecStopPost"));
        assert_null(strstr(text, "RestartSec"));
        free(text);
        assert_true(rc_unit_restart_valid("always"));
        assert_false(rc_unit_restart_valid("unless-stopped"));
}

static void test_quadlet(void **state)
{
        const char *file = "[Unit]\nDescription=web app\n\n"
                           "[Container]\nImage=alpine\nExec=httpd -f -p 80\nPublishPort=8080:80\n"
                           "Environment=A=1 \"B=x y\"\nVolume=/srv:/srv:ro\nUser=www\nGroup=www\nMemory=256m\n"
                           "PidsLimit=100\nStopTimeout=5\nGlobalArgs=--root /r\nRcArgs=--cpus 0.5\n\n"
                           "[Service]\nRestart=always\n\n[Install]\nWantedBy=default.target multi-user.target\n"
                           "RequiredBy=app.target\n\n[X-Mine]\nKey=kept\n";
        struct rc_quadlet q;
        rc_error *err = NULL;

        (void)state;
        assert_int_equal(rc_quadlet_convert("/home/u/.config/rc/systemd/web.container", file, "/usr/bin/rc", &q, &err),
                         0);
        assert_string_equal(q.service, "web.service");
        assert_non_null(strstr(q.text, "[Unit]\nDescription=web app\nSourcePath=/home/u/.config/rc/systemd/web.container\n"));
        assert_non_null(strstr(q.text, "[Service]\nRestart=always\n"));
        assert_non_null(strstr(q.text, "TimeoutStopSec=65\n"));
        assert_non_null(strstr(q.text, "Type=notify\nNotifyAccess=all\n"));
        assert_non_null(strstr(q.text, "ExecStart=/usr/bin/rc --root /r run --name systemd-web --replace --rm -d "
                                       "--sdnotify=conmon -u www:www -p 8080:80 -e A=1 -e \"B=x y\" -v /srv:/srv:ro "
                                       "--memory 256m --pids-limit 100 --stop-timeout 5 --cpus 0.5 alpine httpd -f -p "
                                       "80\n"));
        assert_non_null(strstr(q.text, "ExecStop=/usr/bin/rc --root /r stop --ignore -t 5 systemd-web\n"));
        assert_non_null(strstr(q.text, "[Install]\nWantedBy=default.target multi-user.target\n"));
        assert_non_null(strstr(q.text, "[X-Mine]\nKey=kept\n"));
        assert_non_null(strstr(q.text, "[X-Container]\nImage=alpine\n"));
        assert_string_equal(q.wanted_by[0], "default.target.wants");
        assert_string_equal(q.wanted_by[1], "multi-user.target.wants");
        assert_string_equal(q.wanted_by[2], "app.target.requires");
        assert_null(q.wanted_by[3]);
        rc_quadlet_free(&q);

        /* ContainerName, a oneshot service, the last Memory= counts */
        assert_int_equal(rc_quadlet_convert("job.container",
                                            "[Container]\nImage=bb\nContainerName=j\nMemory=64m\nMemory=128m\n"
                                            "[Service]\nType=oneshot\n",
                                            "/usr/bin/rc", &q, &err),
                         0);
        assert_non_null(strstr(q.text, "run --name j --replace --rm --memory 128m bb\n"));
        assert_null(strstr(q.text, "--memory 64m"));
        assert_null(strstr(q.text, "Type=notify"));
        rc_quadlet_free(&q);

        /* the Health* keys are rc run's --health-* flags */
        assert_int_equal(rc_quadlet_convert("hc.container",
                                            "[Container]\nImage=bb\nHealthCmd=test -f /tmp/ok\nHealthInterval=10s\n"
                                            "HealthRetries=2\nHealthTimeout=3s\nHealthStartPeriod=1m\n"
                                            "HealthOnFailure=kill\n",
                                            "/usr/bin/rc", &q, &err),
                         0);
        assert_non_null(strstr(q.text, "--health-cmd \"test -f /tmp/ok\" --health-interval 10s --health-retries 2 "
                                       "--health-timeout 3s --health-start-period 1m --health-on-failure kill bb\n"));
        rc_quadlet_free(&q);
        assert_int_equal(rc_quadlet_convert("hs.container",
                                            "[Container]\nImage=bb\nHealthCmd=true\nHealthStartupCmd=test -f /up\n"
                                            "HealthStartupInterval=2s\nHealthStartupTimeout=5s\n"
                                            "HealthStartupRetries=3\nHealthStartupSuccess=2\n",
                                            "/usr/bin/rc", &q, &err),
                         0);
        assert_non_null(strstr(q.text, "--health-cmd true --health-startup-cmd \"test -f /up\" "
                                       "--health-startup-interval 2s --health-startup-timeout 5s "
                                       "--health-startup-retries 3 --health-startup-success 2 bb\n"));
        rc_quadlet_free(&q);

        /* Notify=true: the container says when it is ready; no: the monitor does */
        assert_int_equal(rc_quadlet_convert("n.container", "[Container]\nImage=bb\nNotify=true\n", "/usr/bin/rc", &q, &err),
                         0);
        assert_non_null(strstr(q.text, "Type=notify\nNotifyAccess=all\n"));
        assert_non_null(strstr(q.text, "--rm -d --sdnotify=container bb\n"));
        rc_quadlet_free(&q);
        assert_int_equal(rc_quadlet_convert("n.container", "[Container]\nImage=bb\nNotify=no\n", "/usr/bin/rc", &q, &err),
                         0);
        assert_non_null(strstr(q.text, "--rm -d --sdnotify=conmon bb\n"));
        rc_quadlet_free(&q);
}

static void test_quadlet_errors(void **state)
{
        static const struct {
                const char *text, *expect;
        } cases[] = {
                { "[Container]\nImage=bb\nFrobnicate=yes\n", "bad.container:3: unknown key Frobnicate in [Container]" },
                { "[Container]\nImage=bb\nHealthInterval=5\n",
                  "bad.container:3: HealthInterval: --health-interval 5: give a duration such as 30s" },
                { "[Container]\nImage=bb\nHealthRetries=many\n", "bad.container:3: HealthRetries: --health-retries" },
                { "[Container]\nImage=bb\nHealthOnFailure=reboot\n", "HealthOnFailure: --health-on-failure reboot" },
                { "[Container]\nImage=bb\nHealthCmd=[\"CMD\"]\n", "HealthCmd: --health-cmd: CMD needs a program" },
                { "[Container]\nImage=bb\nHealthStartupRetries=many\n",
                  "HealthStartupRetries: --health-startup-retries many: give a number" },
                { "[Container]\nImage=bb\nHealthStartupSkew=1\n", "unknown key HealthStartupSkew" },
                { "[Container]\nExec=true\n", "needs Image=" },
                { "[Unit]\nDescription=x\n", "no [Container] section" },
                { "[Container]\nImage=bb\n[Service]\nExecStart=/bin/true\n", "ExecStart is rc's own" },
                { "[Container]\nImage=bb\n[Service]\nType=forking\n", "Type=forking" },
                { "[Container]\nImage=bb\nEnvironment=NOEQUALS\n", "not KEY=VALUE" },
                { "[Container]\nImage=bb\nGroup=g\n", "Group= needs User=" },
                { "[Container]\nImage=bb\nNotify=healthy\n", "Notify=healthy: takes yes" },
        };
        struct rc_quadlet q;

        (void)state;
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                rc_error *err = NULL;
                assert_int_equal(rc_quadlet_convert("bad.container", cases[i].text, "/usr/bin/rc", &q, &err), -1);
                if (strstr(err->msg, cases[i].expect) == NULL)
                        fail_msg("case %zu: \"%s\" does not contain \"%s\"", i, err->msg, cases[i].expect);
                rc_error_free(err);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_quote_split), cmocka_unit_test(test_split),    cmocka_unit_test(test_parse),
                cmocka_unit_test(test_run_args),    cmocka_unit_test(test_generate), cmocka_unit_test(test_quadlet),
                cmocka_unit_test(test_quadlet_errors),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
