/* pkg/format: Go templates over JSON, podman's --format handling, the
 * column printer and podman's sizes and ages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "format/format.h"
#include "util/xalloc.h"

static const char *const image_headers[] = { "ID", "IMAGE ID", "ReadOnly", "R/O", NULL };
static const char *const aliases[] = { "ImageID", "Image", NULL };
static const struct rc_template_opts opts = {
        .name = "images", .type_name = "image", .headers = image_headers, .aliases = aliases, .fold_case = true,
};

#define DATA                                                                                                         \
        "{\"ID\": \"abc123\", \"Repository\": \"localhost/bb\", \"Tag\": \"latest\", \"Size\": 1234,"          \
        " \"Names\": [\"a\", \"b\"], \"Labels\": {\"k\": \"v\", \"org.x\": \"y\"}, \"Empty\": \"\","            \
        " \"Zero\": 0, \"Yes\": true, \"Nothing\": null, \"Config\": {\"Env\": [\"A=1\", \"B=2\"],"              \
        " \"User\": \"\"}, \"Image\": \"img\", \"Float\": 1.5, \"Big\": 1000000.0,"                              \
        " \"Mounts\": [{\"Source\": \"/s\", \"Destination\": \"/d\"}, {\"Source\": \"/t\", \"Destination\": \"/e\"}]," \
        " \"Ports\": {}, \"Nums\": [3, 1, 2], \"Map\": {\"b\": 2, \"a\": 1}}"

struct ok_case {
        const char *tpl, *want;
};

static const struct ok_case ok_cases[] = {
        { "plain text", "plain text" },
        { "{{.ID}}", "abc123" },
        { "{{.Id}} {{.id}}", "abc123 abc123" },              /* fold_case */
        { "{{.ImageID}}", "img" },                           /* an alias */
        { "{{.Repository}}:{{.Tag}}", "localhost/bb:latest" },
        { "{{.Config.Env}}", "[A=1 B=2]" },
        { "{{.Labels.k}}", "v" },
        { "{{.Labels.missing}}", "<no value>" },
        { "{{index .Labels \"org.x\"}}", "y" },
        { "{{index .Labels \"nope\"}}", "" },
        { "{{index .Names 1}}", "b" },
        { "{{index .Mounts 0 | json}}", "{\"Source\":\"/s\",\"Destination\":\"/d\"}" },
        { "{{json .Names}}", "[\"a\",\"b\"]" },
        { "{{json .Labels}}", "{\"k\":\"v\",\"org.x\":\"y\"}" },
        { "{{json .Nothing}}", "null" },
        { "{{.Labels}}", "map[k:v org.x:y]" },
        { "{{.Map}}", "{2 1}" },                              /* a struct prints its values in order */
        { "{{.Nothing}}", "<nil>" },
        { "{{.Size}} {{.Float}} {{.Big}} {{.Yes}}", "1234 1.5 1e+06 true" },
        { "{{range .Names}}[{{.}}]{{end}}", "[a][b]" },
        { "{{range $i, $n := .Names}}{{$i}}={{$n}} {{end}}", "0=a 1=b " },
        { "{{range .Mounts}}{{.Source}}:{{.Destination}},{{end}}", "/s:/d,/t:/e," },
        { "{{range .Ports}}x{{else}}none{{end}}", "none" },
        { "{{range $k, $v := .Labels}}{{$k}}={{$v}};{{end}}", "k=v;org.x=y;" },
        { "{{range .Nums}}{{if eq . 1}}{{continue}}{{end}}{{if eq . 2}}{{break}}{{end}}{{.}}{{end}}", "3" },
        { "{{range $x := .Names}}{{$.Tag}}{{end}}", "latestlatest" },
        { "{{if .Yes}}y{{else}}n{{end}}", "y" },
        { "{{if .Empty}}y{{else if .Zero}}z{{else if .Names}}names{{else}}n{{end}}", "names" },
        { "{{if .Nothing}}y{{else}}n{{end}}{{if .Ports}}y{{else}}n{{end}}", "nn" },
        { "{{if and .Yes .Size}}both{{end}} {{if or .Zero .Empty}}x{{else}}none{{end}}", "both none" },
        { "{{if not .Zero}}not{{end}}", "not" },
        { "{{with .Config}}{{.Env}}{{end}}", "[A=1 B=2]" },
        { "{{with .Empty}}x{{else}}empty{{end}}", "empty" },
        { "{{.Repository | upper}}", "LOCALHOST/BB" },
        { "{{upper .Tag}} {{lower \"ABC\"}} {{title \"hello world\"}}", "LATEST abc Hello World" },
        { "{{join .Names \",\"}}", "a,b" },
        { "{{len .Names}} {{len .Labels}} {{len .Tag}}", "2 2 6" },
        { "{{printf \"%s-%d\" .Tag .Size}}", "latest-1234" },
        { "{{printf \"%-8s|%5d|%05d\" .Tag .Size 42}}", "latest  | 1234|00042" },
        { "{{printf \"%v %q %x %t\" .Names .Tag 255 .Yes}}", "[a b] \"latest\" ff true" },
        { "{{printf \"%.2f %e\" .Float .Float}}", "1.50 1.500000e+00" },
        { "{{printf \"%d\" .Tag}}", "%!d(string=latest)" },
        { "{{printf \"%s %s\" .Tag}}", "latest %!s(MISSING)" },
        { "{{printf \"%s\" .Tag .Size}}", "latest%!(EXTRA int=1234)" },
        { "{{print .Size .Zero \"a\" \"b\"}} {{println .Tag}}", "1234 0ab latest\n" },
        { "{{split \"a:b:c\" \":\"}}", "[a b c]" },
        { "{{truncate .Repository 5}}|{{pad .Tag 1 2}}|", "local| latest  |" },
        { "{{$x := .Tag}}{{$x}} {{$x = \"new\"}}{{$x}}", "latest new" },
        { "{{(index .Mounts 1).Source}}", "/t" },
        { "{{eq .Tag \"latest\"}} {{ne .Size 1}} {{lt 1 2}} {{ge 2.5 2}} {{eq .Tag \"a\" \"latest\"}}",
          "true true true true true" },
        { "a  {{- .Tag -}}  b", "alatestb" },
        { "a {{/* a comment */}}b", "a b" },
        { "{{- /* trimmed */ -}}  x", "x" },
        { "{{`raw\\n`}}{{\"\\t\\u00e9\"}}", "raw\\n\t\xc3\xa9" },
        { "{{'a'}} {{0x10}} {{1_000}} {{-3}}", "97 16 1000 -3" },
        { "{{.Labels.k | printf \"<%s>\"}}", "<v>" },
};

static void test_ok(void **state)
{
        json_object *data = json_tokener_parse(DATA);

        (void)state;
        assert_non_null(data);
        for (size_t i = 0; i < sizeof(ok_cases) / sizeof(ok_cases[0]); i++) {
                struct rc_template *t = NULL;
                rc_error *err = NULL;
                char *out = NULL;
                size_t len = 0;

                if (rc_template_parse(ok_cases[i].tpl, &opts, &t, &err) < 0)
                        fail_msg("%s: parse: %s", ok_cases[i].tpl, err->msg);
                if (rc_template_execute(t, data, false, &out, &len, &err) < 0)
                        fail_msg("%s: execute: %s", ok_cases[i].tpl, err->msg);
                if (strcmp(out, ok_cases[i].want) != 0)
                        fail_msg("%s: got \"%s\", want \"%s\"", ok_cases[i].tpl, out, ok_cases[i].want);
                assert_int_equal(len, strlen(out));
                free(out);
                rc_template_free(t);
        }
        json_object_put(data);
}

struct err_case {
        const char *tpl, *want; /* a substring of the message */
        bool at_parse;
};

static const struct err_case err_cases[] = {
        { "{{.Bogus}}", "template: images:1:2: executing \"images\" at <.Bogus>: can't evaluate field Bogus in type image",
          false },
        { "{{.Config.Nope}}", "can't evaluate field Nope in type Config", false },
        { "{{.Tag.X}}", "can't evaluate field X in type string", false },
        { "{{range .Tag}}{{end}}", "range can't iterate over string", false },
        { "{{index .Names 5}}", "error calling index: index out of range: 5", false },
        { "{{len .Size}}", "len of type int", false },
        { "{{.Tag 1}}", "can't give argument to non-function", false },
        { "{{lt .Names 1}}", "incompatible types for comparison", false },
        { "{{.ID", "unclosed action", true },
        { "{{if .ID}}x", "unexpected EOF", true },
        { "{{end}}", "unexpected {{end}}", true },
        { "{{else}}", "unexpected {{else}}", true },
        { "{{nofunc .ID}}", "function \"nofunc\" not defined", true },
        { "{{$x}}", "undefined variable \"$x\"", true },
        { "{{break}}", "{{break}} outside {{range}}", true },
        { "{{\"abc}}", "unterminated quoted string", true },
        { "{{define \"x\"}}{{end}}", "not supported", true },
        { "{{(.ID}}", "unclosed left paren", true },
        { "a\n{{.ID | }}", "template: images:2: missing value for command", true },
        { "{{@}}", "unrecognized character in action", true },
        { "{{1x}}", "bad number syntax", true },
};

static void test_errors(void **state)
{
        json_object *data = json_tokener_parse(DATA);

        (void)state;
        for (size_t i = 0; i < sizeof(err_cases) / sizeof(err_cases[0]); i++) {
                struct rc_template *t = NULL;
                rc_error *err = NULL;
                char *out = NULL;
                size_t len = 0;
                int r = rc_template_parse(err_cases[i].tpl, &opts, &t, &err);

                if (err_cases[i].at_parse) {
                        if (r == 0)
                                fail_msg("%s: parsed", err_cases[i].tpl);
                } else {
                        if (r < 0)
                                fail_msg("%s: parse: %s", err_cases[i].tpl, err->msg);
                        r = rc_template_execute(t, data, false, &out, &len, &err);
                        if (r == 0)
                                fail_msg("%s: executed: \"%s\"", err_cases[i].tpl, out);
                }
                assert_int_equal(rc_error_errno(err), 0);
                if (strstr(err->msg, err_cases[i].want) == NULL)
                        fail_msg("%s: error \"%s\" lacks \"%s\"", err_cases[i].tpl, err->msg, err_cases[i].want);
                rc_error_free(err);
                free(out);
                rc_template_free(t);
        }
        json_object_put(data);
}

/* Render with rc_format_list/object into a string. */
static char *render(const char *format, const char *json, bool list, unsigned flags, rc_error **err)
{
        json_object *data = json_tokener_parse(json);
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        int r;

        assert_non_null(f);
        r = list ? rc_format_list(f, format, data, &opts, flags, err) : rc_format_object(f, format, data, &opts, flags, err);
        fclose(f);
        json_object_put(data);
        if (r < 0) {
                free(buf);
                return NULL;
        }
        return buf;
}

#define ROWS                                                                                                         \
        "[{\"ID\": \"aaa\", \"Repository\": \"a.b/c\", \"Tag\": \"d\"},"                                           \
        " {\"ID\": \"bbb\", \"Repository\": \"zzzzzzzzzz.yyyyyyyyy/xxxxxxxxx\", \"Tag\": \"longer-tag-15ch\"}]"

static void test_report(void **state)
{
        rc_error *err = NULL;
        char *out;

        (void)state;
        /* a template per row, "\t" and "\n" escapes, a newline per row */
        out = render("{{.ID}}\\t{{.Tag}}", ROWS, true, 0, &err);
        assert_string_equal(out, "aaa\td\nbbb\tlonger-tag-15ch\n");
        free(out);
        /* a template ranging itself gets the list */
        out = render("{{range .}}{{.ID}},{{end}}", ROWS, true, 0, &err);
        assert_string_equal(out, "aaa,bbb,\n");
        free(out);
        /* a table: headers (with the override), two spaces between columns,
         * columns at least 12 wide, the last column not padded */
        out = render("table {{.Repository}} {{.Tag}} {{.ID}}", ROWS, true, 0, &err);
        assert_string_equal(out, "REPOSITORY                      TAG              IMAGE ID\n"
                                 "a.b/c                           d                aaa\n"
                                 "zzzzzzzzzz.yyyyyyyyy/xxxxxxxxx  longer-tag-15ch  bbb\n");
        free(out);
        out = render("table {{.ID}}\\t{{.Tag}}", ROWS, true, RC_FORMAT_NOHEADING, &err);
        assert_string_equal(out, "aaa         d\nbbb         longer-tag-15ch\n");
        free(out);
        /* a table of no rows still has its header */
        out = render("table {{.ID}}\\t{{.CreatedAt}}\\t{{.Labels.x}}", "[]", true, 0, &err);
        assert_string_equal(out, "IMAGE ID    CREATED AT  LABELS\n");
        free(out);
        /* one object: no range */
        out = render("{{.ID}} {{.Tag}}", "{\"ID\": \"x\", \"Tag\": \"t\"}", false, 0, &err);
        assert_string_equal(out, "x t\n");
        free(out);
        /* an error prints nothing */
        out = render("{{.ID}}{{.Nope}}", ROWS, true, 0, &err);
        assert_null(out);
        assert_non_null(strstr(err->msg, "can't evaluate field Nope"));
        rc_error_free(err);
        err = NULL;
        /* json requests */
        assert_true(rc_format_is_json("json"));
        assert_true(rc_format_is_json(" {{ json . }} "));
        assert_true(rc_format_is_json("{{json}}"));
        assert_false(rc_format_is_json("{{json .ID}}"));
        assert_false(rc_format_is_json("jsonx"));
        assert_true(rc_format_is_table("table {{.ID}}"));
        assert_false(rc_format_is_table("{{.ID}}"));
}

static void test_tabwriter(void **state)
{
        struct {
                const char *in, *want;
        } cases[] = {
                { "a\tb\tc\n", "a           b           c\n" },
                { "a\tb\nlonger-than-12\tx\n", "a               b\nlonger-than-12  x\n" },
                /* a line without a tab ends the block above it */
                { "a\tb\nplain\nccccccccccccccc\td\n", "a           b\nplain\nccccccccccccccc  d\n" },
                /* characters, not bytes */
                { "\xc3\xa9\xc3\xa9\tx\n", "\xc3\xa9\xc3\xa9          x\n" },
                { "no newline\tat end", "no newline  at end" },
                { "", "" },
        };

        (void)state;
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char *out = rc_tabwriter_format(cases[i].in, strlen(cases[i].in), 12, 2);
                assert_string_equal(out, cases[i].want);
                free(out);
        }
}

static void test_headers(void **state)
{
        struct {
                const char *field, *want;
        } cases[] = {
                { "ID", "IMAGE ID" }, { "Id", "IMAGE ID" },           { "CreatedAt", "CREATED AT" },
                { "Repository", "REPOSITORY" }, { "ReadOnly", "R/O" }, { "HTTPProxy", "HTTP PROXY" },
                { "Ipv4", "IPV 4" },  { "RepoTags", "REPO TAGS" },
        };

        (void)state;
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char *h = rc_template_header_for(&opts, cases[i].field);
                assert_string_equal(h, cases[i].want);
                free(h);
        }
}

static void test_human(void **state)
{
        char buf[64];
        struct {
                int64_t secs;
                const char *want;
        } durations[] = {
                { 0, "Less than a second" }, { 1, "1 second" },          { 59, "59 seconds" },
                { 60, "About a minute" },    { 119, "About a minute" },  { 120, "2 minutes" },
                { 3599, "59 minutes" },      { 3600, "About an hour" },  { 5399, "About an hour" },
                { 5400, "2 hours" },         { 47 * 3600, "47 hours" },  { 48 * 3600, "2 days" },
                { 13 * 86400, "13 days" },   { 14 * 86400, "2 weeks" },  { 59 * 86400, "8 weeks" },
                { 60 * 86400, "2 months" },  { 729 * 86400, "24 months" }, { 730 * 86400, "2 years" },
                { 4 * 365 * 86400 + 86400, "4 years" },
        };
        struct {
                uint64_t bytes;
                const char *want;
        } sizes[] = {
                { 0, "0 B" },          { 512, "512 B" },        { 1000, "1 kB" },         { 250665, "251 kB" },
                { 5830000, "5.83 MB" }, { 27170520, "27.2 MB" }, { 126085200, "126 MB" }, { 1500000000, "1.5 GB" },
        };

        (void)state;
        for (size_t i = 0; i < sizeof(durations) / sizeof(durations[0]); i++) {
                rc_format_duration(durations[i].secs, buf, sizeof(buf));
                assert_string_equal(buf, durations[i].want);
        }
        for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
                rc_format_size(sizes[i].bytes, buf, sizeof(buf));
                assert_string_equal(buf, sizes[i].want);
        }
        rc_format_since(1000, 1000 + 3 * 3600, buf, sizeof(buf));
        assert_string_equal(buf, "3 hours ago");
        rc_format_go_time(1704067200, buf, sizeof(buf));
        assert_string_equal(buf, "2024-01-01 00:00:00 +0000 UTC");
        rc_format_rfc3339(1704067200, buf, sizeof(buf));
        assert_string_equal(buf, "2024-01-01T00:00:00Z");
        assert_int_equal(rc_format_parse_rfc3339("2024-01-01T00:00:00Z"), 1704067200);
        assert_int_equal(rc_format_parse_rfc3339("2024-01-01T00:00:00.123456789Z"), 1704067200);
        assert_int_equal(rc_format_parse_rfc3339("2024-01-01T02:00:00+02:00"), 1704067200);
        assert_int_equal(rc_format_parse_rfc3339("yesterday"), -1);
        assert_int_equal(rc_format_parse_rfc3339(NULL), -1);
}

/* Header mode: every field names its column, through ranges and pipes. */
static void test_header_mode(void **state)
{
        struct rc_template *t = NULL;
        rc_error *err = NULL;
        char *out = NULL;
        size_t len = 0;

        (void)state;
        assert_int_equal(rc_template_parse("{{.ID}}\t{{.Labels.k}}\t{{range .Mounts}}{{.Source}}{{end}}\t{{.Tag | lower}}",
                                           &opts, &t, &err),
                         0);
        assert_int_equal(rc_template_execute(t, NULL, true, &out, &len, &err), 0);
        assert_string_equal(out, "IMAGE ID\tLABELS\tSOURCE\ttag");
        free(out);
        rc_template_free(t);
}

/* Limits: deep nesting and huge widths fail or stay bounded. */
/* podman info's YAML: block style, sequences at their key's indentation,
 * strings quoted only where plain YAML would read them otherwise */
static void test_yaml(void **state)
{
        const char *json = "{\"host\": {\"arch\": \"amd64\", \"cpus\": 2, \"rootless\": true, \"none\": null,"
                           " \"version\": \"12\", \"v\": \"1.28.2\", \"empty\": \"\", \"colon\": \"a: b\","
                           " \"hash\": \"a #b\", \"word\": \"yes\", \"dash\": \"- x\", \"opt\": \"-x\","
                           " \"nl\": \"a\\nb\", \"list\": [\"cpu\", \"memory\"], \"nolist\": [], \"nomap\": {},"
                           " \"maps\": [{\"container_id\": 0, \"size\": 1}, {\"container_id\": 5}]},"
                           " \"store\": {\"imageStore\": {\"number\": 1}}}";
        const char *want = "host:\n"
                           "  arch: amd64\n"
                           "  cpus: 2\n"
                           "  rootless: true\n"
                           "  none: null\n"
                           "  version: \"12\"\n"
                           "  v: 1.28.2\n"
                           "  empty: \"\"\n"
                           "  colon: \"a: b\"\n"
                           "  hash: \"a #b\"\n"
                           "  word: \"yes\"\n"
                           "  dash: \"- x\"\n"
                           "  opt: -x\n"
                           "  nl: \"a\\nb\"\n"
                           "  list:\n"
                           "  - cpu\n"
                           "  - memory\n"
                           "  nolist: []\n"
                           "  nomap: {}\n"
                           "  maps:\n"
                           "  - container_id: 0\n"
                           "    size: 1\n"
                           "  - container_id: 5\n"
                           "store:\n"
                           "  imageStore:\n"
                           "    number: 1\n";
        json_object *o = json_tokener_parse(json);
        char *got;

        (void)state;
        assert_non_null(o);
        got = rc_format_yaml(o);
        assert_string_equal(got, want);
        free(got);
        json_object_put(o);
}

static void test_limits(void **state)
{
        struct rc_template *t = NULL;
        rc_error *err = NULL;
        char *deep = xmalloc(1000), *out = NULL;
        size_t len = 0, k = 0;

        (void)state;
        for (int i = 0; i < 200; i++)
                deep[k++] = '(';
        deep[k] = '\0';
        {
                char *tpl = xasprintf("{{%s1}}", deep);
                assert_int_equal(rc_template_parse(tpl, &opts, &t, &err), -1);
                assert_non_null(strstr(err->msg, "nested too deeply"));
                rc_error_free(err);
                err = NULL;
                free(tpl);
        }
        assert_int_equal(rc_template_parse("{{printf \"%999999999d\" 1}}", &opts, &t, &err), 0);
        assert_int_equal(rc_template_execute(t, NULL, false, &out, &len, &err), 0);
        assert_true(len <= 100001);
        free(out);
        rc_template_free(t);
        free(deep);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_ok),          cmocka_unit_test(test_errors),  cmocka_unit_test(test_report),
                cmocka_unit_test(test_tabwriter),   cmocka_unit_test(test_headers), cmocka_unit_test(test_human),
                cmocka_unit_test(test_header_mode), cmocka_unit_test(test_limits),   cmocka_unit_test(test_yaml),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
