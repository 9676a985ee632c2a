/* Subordinate id files: parsing (table-driven), diagnosis with fixes, the
 * mapping built from them, /proc id map parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "userns/userns.h"
#include "util/fs.h"
#include "util/xalloc.h"

/* ---- rc_subid_parse ---- */

struct parse_case {
        const char *name;
        const char *content;
        const char *user;
        uid_t uid;
        int ret;                /* 0 or -1 */
        size_t n;               /* ranges expected */
        uint32_t start[3], count[3];
        unsigned line[3];
        const char *err;        /* substring of the error */
};

static const struct parse_case parse_cases[] = {
        { "by name", "alice:100000:65536\n", "alice", 1000, 0, 1, { 100000 }, { 65536 }, { 1 }, NULL },
        { "by uid", "1000:200000:65536\n", "alice", 1000, 0, 1, { 200000 }, { 65536 }, { 1 }, NULL },
        { "by uid without a name", "1000:200000:65536\n", NULL, 1000, 0, 1, { 200000 }, { 65536 }, { 1 }, NULL },
        { "name and uid lines both count", "alice:100000:1000\n1000:300000:5000\n", "alice", 1000, 0, 2,
          { 100000, 300000 }, { 1000, 5000 }, { 1, 2 }, NULL },
        { "several ranges in file order", "alice:300000:10\nbob:1:2\nalice:100000:65536\nalice:500000:7\n",
          "alice", 1000, 0, 3, { 300000, 100000, 500000 }, { 10, 65536, 7 }, { 1, 3, 4 }, NULL },
        { "other users only", "bob:100000:65536\ncarol:165536:65536\n", "alice", 1000, 0, 0, { 0 }, { 0 }, { 0 },
          NULL },
        { "empty file", "", "alice", 1000, 0, 0, { 0 }, { 0 }, { 0 }, NULL },
        { "comments and blank lines", "# subordinate ids\n\n   \n#alice:1:2\nalice:100000:65536\n\n", "alice", 1000,
          0, 1, { 100000 }, { 65536 }, { 5 }, NULL },
        { "no final newline", "bob:1:1\nalice:100000:65536", "alice", 1000, 0, 1, { 100000 }, { 65536 }, { 2 },
          NULL },
        { "CRLF and surrounding blanks", "  alice:100000:65536 \r\n", "alice", 1000, 0, 1, { 100000 }, { 65536 },
          { 1 }, NULL },
        { "name is not a prefix match", "alice2:1:1\nalic:2:2\nalice:3:3\n", "alice", 1000, 0, 1, { 3 }, { 3 },
          { 3 }, NULL },
        { "uid is not a prefix match", "10000:1:1\n100:2:2\n", "alice", 1000, 0, 0, { 0 }, { 0 }, { 0 }, NULL },
        { "largest valid range", "alice:4294901759:65536\n", "alice", 1000, 0, 1, { 4294901759u }, { 65536 }, { 1 },
          NULL },
        { "other users' malformed lines are skipped", "bob\nbob:x:y\ncarol:1\n:::\nalice:100000:65536\n", "alice",
          1000, 0, 1, { 100000 }, { 65536 }, { 5 }, NULL },
        { "own line with two fields", "bob:1:1\nalice:100000\n", "alice", 1000, -1, 0, { 0 }, { 0 }, { 0 },
          "line 2: 'alice:100000' has 2 fields" },
        { "own line with four fields", "alice:1:2:3\n", "alice", 1000, -1, 0, { 0 }, { 0 }, { 0 }, "has 4 fields" },
        { "own line, start not a number", "alice:abc:65536\n", "alice", 1000, -1, 0, { 0 }, { 0 }, { 0 },
          "line 1: start 'abc'" },
        { "own line, negative start", "alice:-5:65536\n", "alice", 1000, -1, 0, { 0 }, { 0 }, { 0 }, "start '-5'" },
        { "own line, count not a number", "alice:100000:lots\n", "alice", 1000, -1, 0, { 0 }, { 0 }, { 0 },
          "count 'lots'" },
        { "own line, empty count", "alice:100000:\n", "alice", 1000, -1, 0, { 0 }, { 0 }, { 0 }, "count ''" },
        { "own line, zero count", "alice:100000:0\n", "alice", 1000, -1, 0, { 0 }, { 0 }, { 0 }, "count 0" },
        { "own line, start too large", "alice:4294967296:1\n", "alice", 1000, -1, 0, { 0 }, { 0 }, { 0 },
          "start '4294967296'" },
        { "own line, range wraps", "alice:4294967000:65536\n", "alice", 1000, -1, 0, { 0 }, { 0 }, { 0 },
          "goes past the largest id" },
        { "own line by uid, malformed", "1000:1\n", "alice", 1000, -1, 0, { 0 }, { 0 }, { 0 }, "line 1" },
        { "own line, spaces inside", "alice: 100000:65536\n", "alice", 1000, -1, 0, { 0 }, { 0 }, { 0 },
          "start ' 100000'" },
        { "error names the right line", "#c\n\nbob:1:1\nalice:1:x\n", "alice", 1000, -1, 0, { 0 }, { 0 }, { 0 },
          "line 4:" },
        { "range containing own uid still parses", "alice:0:65536\n", "alice", 1000, 0, 1, { 0 }, { 65536 }, { 1 },
          NULL },
};

static void test_parse_table(void **state)
{
        (void)state;
        for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
                const struct parse_case *c = &parse_cases[i];
                struct rc_subid_range *r = (void *)1;
                size_t n = 999;
                rc_error *err = NULL;
                int ret = rc_subid_parse(c->content, c->user, c->uid, &r, &n, &err);

                if (ret != c->ret)
                        fail_msg("%s: returned %d, expected %d (%s)", c->name, ret, c->ret, err ? err->msg : "");
                if (ret < 0) {
                        assert_non_null(err);
                        if (strstr(err->msg, c->err) == NULL)
                                fail_msg("%s: error '%s' lacks '%s'", c->name, err->msg, c->err);
                        /* out-parameters untouched on failure */
                        assert_ptr_equal(r, (void *)1);
                        assert_int_equal(n, 999);
                        rc_error_free(err);
                        continue;
                }
                if (n != c->n)
                        fail_msg("%s: %zu ranges, expected %zu", c->name, n, c->n);
                for (size_t j = 0; j < n; j++) {
                        if (r[j].start != c->start[j] || r[j].count != c->count[j] || r[j].line != c->line[j])
                                fail_msg("%s: range %zu is %u:%u (line %u), expected %u:%u (line %u)", c->name, j,
                                         r[j].start, r[j].count, r[j].line, c->start[j], c->count[j], c->line[j]);
                }
                if (n == 0)
                        assert_null(r);
                free(r);
        }
}

static void test_suggest_start(void **state)
{
        (void)state;
        assert_int_equal(rc_subid_suggest_start(""), 100000);
        assert_int_equal(rc_subid_suggest_start("# only a comment\n"), 100000);
        assert_int_equal(rc_subid_suggest_start("a:1000:10\n"), 100000);
        assert_int_equal(rc_subid_suggest_start("a:100000:65536\n"), 165536);
        assert_int_equal(rc_subid_suggest_start("a:100000:65536\nb:165536:65536\n"), 231072);
        /* an odd range: round up to the next block boundary */
        assert_int_equal(rc_subid_suggest_start("a:100000:70000\n"), 231072);
        /* malformed lines are ignored */
        assert_int_equal(rc_subid_suggest_start("a:x:y\nb:100000:65536\n"), 165536);
}

/* ---- rc_subid_diagnose ---- */

struct files {
        char dir[64];
        char *uid, *gid;
};

static void files_make(struct files *f, const char *uid_content, const char *gid_content)
{
        rc_error *err = NULL;

        snprintf(f->dir, sizeof(f->dir), "/tmp/rc-test-subid-XXXXXX");
        assert_non_null(mkdtemp(f->dir));
        f->uid = xasprintf("%s/subuid", f->dir);
        f->gid = xasprintf("%s/subgid", f->dir);
        if (uid_content)
                assert_int_equal(rc_write_file(f->uid, uid_content, strlen(uid_content), 0644, &err), 0);
        if (gid_content)
                assert_int_equal(rc_write_file(f->gid, gid_content, strlen(gid_content), 0644, &err), 0);
}

static void files_free(struct files *f)
{
        rc_error *err = NULL;
        assert_int_equal(rc_rm_rf(f->dir, &err), 0);
        free(f->uid);
        free(f->gid);
}

struct diag_case {
        const char *name;
        const char *subuid, *subgid; /* NULL: file missing */
        const char *user;
        uid_t uid;
        gid_t gid;
        enum rc_diag_level level;
        const char *detail; /* substrings; NULL: not checked */
        const char *fix;
        const char *uid_map; /* for OK/WARN: rc_idmap_format of the uid mapping */
};

static const struct diag_case diag_cases[] = {
        { "ok", "alice:100000:65536\n", "alice:100000:65536\n", "alice", 1000, 1000, RC_DIAG_OK, "65536 uids", NULL,
          "0:1000:1 1:100000:65536" },
        { "ok, several ranges", "alice:100000:30000\nalice:300000:40000\n", "alice:100000:65536\n", "alice", 1000,
          1000, RC_DIAG_OK, "70000 uids", NULL, "0:1000:1 1:100000:30000 30001:300000:40000" },
        { "no entry in either", "bob:100000:65536\n", "bob:100000:65536\n", "alice", 1000, 1000, RC_DIAG_FAIL,
          "no subordinate uid range for user alice in", "echo alice:165536:65536 >> ",
          NULL },
        { "subgid file missing", "alice:100000:65536\n", NULL, "alice", 1000, 1000, RC_DIAG_FAIL,
          "subgid does not exist)", NULL, NULL },
        { "no entry in subgid only", "alice:100000:65536\n", "", "alice", 1000, 1000, RC_DIAG_FAIL,
          "no subordinate gid range for user alice", "echo alice:165536:65536 >> ", NULL },
        { "files missing", NULL, NULL, "alice", 1000, 1000, RC_DIAG_FAIL, "(neither file exists)", "touch", NULL },
        { "no name: uid lines", "1000:100000:65536\n", "1000:100000:65536\n", NULL, 1000, 1000, RC_DIAG_OK,
          "uid 1000", NULL, "0:1000:1 1:100000:65536" },
        { "no name, no entry: echo fix", "", "", NULL, 1000, 1000, RC_DIAG_FAIL, "uid 1000",
          "echo 1000:100000:65536 >>", NULL },
        { "range contains own uid", "alice:1000:65536\n", "alice:100000:65536\n", "alice", 1500, 1500,
          RC_DIAG_FAIL, "range 1000-66535", "with alice:165536:65536", NULL },
        { "range contains own gid", "alice:100000:65536\n", "alice:1:65536\n", "alice", 1000, 1000, RC_DIAG_FAIL,
          "own gid 1000", NULL, NULL },
        { "small range warns", "alice:100000:1000\n", "alice:100000:65536\n", "alice", 1000, 1000, RC_DIAG_WARN,
          "only 1000 subordinate uids", "echo alice:165536:65536", "0:1000:1 1:100000:1000" },
        { "small ranges add up", "alice:100000:32768\nalice:200000:32768\n", "alice:100000:65536\n", "alice", 1000,
          1000, RC_DIAG_OK, NULL, NULL, "0:1000:1 1:100000:32768 32769:200000:32768" },
        { "overlapping own ranges", "alice:100000:65536\nalice:150000:65536\n", "alice:100000:65536\n", "alice",
          1000, 1000, RC_DIAG_FAIL, "lines 1 and 2", "delete line 2 of", NULL },
        { "malformed own line", "alice:100000\n", "alice:100000:65536\n", "alice", 1000, 1000, RC_DIAG_FAIL,
          "line 1", "alice:START:COUNT", NULL },
        { "another user's range overlaps ours", "bob:100000:65536\nalice:150000:65536\n", "alice:300000:65536\n",
          "alice", 1000, 1000, RC_DIAG_FAIL, "overlaps bob's 100000-165535 (line 1)", "with alice:427680:65536",
          NULL },
        { "another user's gid range overlaps ours", "alice:100000:65536\n", "alice:100000:65536\ncarol:165535:10\n",
          "alice", 1000, 1000, RC_DIAG_FAIL, "gid range 100000-165535", NULL, NULL },
        { "neighbouring ranges are fine", "bob:100000:65536\nalice:165536:65536\n", "alice:165536:65536\n", "alice",
          1000, 1000, RC_DIAG_OK, NULL, NULL, "0:1000:1 1:165536:65536" },
        { "other users' bad lines do not matter", "junk\nbob:x:1\nalice:100000:65536\n", "alice:100000:65536\n",
          "alice", 1000, 1000, RC_DIAG_OK, NULL, NULL, "0:1000:1 1:100000:65536" },
};

static void test_diagnose_table(void **state)
{
        (void)state;
        for (size_t i = 0; i < sizeof(diag_cases) / sizeof(diag_cases[0]); i++) {
                const struct diag_case *c = &diag_cases[i];
                struct rc_userns_identity id = { c->user, c->uid, c->gid };
                struct rc_userns_mapping m = { 0 };
                struct rc_diag d;
                struct files f;
                enum rc_diag_level level;

                files_make(&f, c->subuid, c->subgid);
                level = rc_subid_diagnose(f.uid, f.gid, &id, &m, &d);
                if (level != c->level)
                        fail_msg("%s: level %d, expected %d (%s)", c->name, level, c->level, d.detail);
                assert_non_null(d.detail);
                if (c->detail && strstr(d.detail, c->detail) == NULL)
                        fail_msg("%s: detail '%s' lacks '%s'", c->name, d.detail, c->detail);
                if (c->fix && (d.fix == NULL || strstr(d.fix, c->fix) == NULL))
                        fail_msg("%s: fix '%s' lacks '%s'", c->name, d.fix ? d.fix : "(none)", c->fix);
                if (level == RC_DIAG_FAIL) {
                        assert_non_null(d.fix);
                        assert_true(d.fix_needs_root);
                        assert_null(m.uids);
                } else if (c->uid_map) {
                        char *s = rc_idmap_format(m.uids, m.n_uids);
                        if (strcmp(s, c->uid_map) != 0)
                                fail_msg("%s: uid map '%s', expected '%s'", c->name, s, c->uid_map);
                        free(s);
                        assert_int_equal(m.gids[0].host, c->gid);
                }
                rc_diag_free(&d);
                rc_userns_mapping_free(&m);
                files_free(&f);
        }
}

/* usermod only edits /etc/subuid: for another file the fix must write it. */
static void test_fix_for_nonstandard_file(void **state)
{
        struct rc_userns_identity id = { "alice", 1000, 1000 };
        struct rc_diag d;
        struct files f;

        (void)state;
        files_make(&f, "bob:100000:65536\n", "alice:100000:65536\n");
        assert_int_equal(rc_subid_diagnose(f.uid, f.gid, &id, NULL, &d), RC_DIAG_FAIL);
        assert_non_null(strstr(d.fix, "echo alice:"));
        assert_non_null(strstr(d.fix, f.uid));
        assert_null(strstr(d.fix, "usermod"));
        rc_diag_free(&d);
        files_free(&f);
}

/* For the real files the fix is usermod, one command for both files. */
static void test_usermod_fix(void **state)
{
        struct rc_userns_identity id = { "rc-test-no-such-user", 4000000000u, 4000000000u };
        struct rc_diag d;

        (void)state;
        assert_int_equal(rc_subid_diagnose("/etc/subuid", "/etc/subgid", &id, NULL, &d), RC_DIAG_FAIL);
        assert_non_null(strstr(d.detail, "no subordinate uid range for user rc-test-no-such-user in /etc/subuid"));
        assert_non_null(strstr(d.fix, "usermod --add-subuids "));
        assert_non_null(strstr(d.fix, " --add-subgids "));
        assert_non_null(strstr(d.fix, " rc-test-no-such-user"));
        assert_true(d.fix_needs_root);
        rc_diag_free(&d);
}

/* The suggested range avoids the user's own ids. */
static void test_suggestion_avoids_own_ids(void **state)
{
        struct rc_userns_identity id = { "alice", 120000, 120000 };
        struct rc_diag d;
        struct files f;

        (void)state;
        files_make(&f, "", "");
        assert_int_equal(rc_subid_diagnose(f.uid, f.gid, &id, NULL, &d), RC_DIAG_FAIL);
        assert_non_null(strstr(d.fix, "alice:165536:65536"));
        rc_diag_free(&d);
        files_free(&f);
}

static void test_unreadable_file(void **state)
{
        struct rc_userns_identity id = { "alice", 1000, 1000 };
        struct rc_diag d;
        struct files f;

        (void)state;
        if (geteuid() == 0)
                skip(); /* root reads anything */
        files_make(&f, "alice:100000:65536\n", "alice:100000:65536\n");
        assert_int_equal(chmod(f.uid, 0), 0);
        assert_int_equal(rc_subid_diagnose(f.uid, f.gid, &id, NULL, &d), RC_DIAG_FAIL);
        assert_non_null(strstr(d.detail, "cannot read"));
        assert_non_null(strstr(d.fix, "chmod 0644"));
        rc_diag_free(&d);
        files_free(&f);
}

/* ---- id maps ---- */

static void test_idmap_proc(void **state)
{
        struct rc_idmap *m = NULL;
        size_t n = 0;
        rc_error *err = NULL;
        char *s;

        (void)state;
        assert_int_equal(rc_idmap_parse_proc("         0       1001          1\n         1     100000      65536\n",
                                             &m, &n, &err),
                         0);
        assert_int_equal(n, 2);
        s = rc_idmap_format(m, n);
        assert_string_equal(s, "0:1001:1 1:100000:65536");
        free(s);
        free(m);
        assert_int_equal(rc_idmap_parse_proc("", &m, &n, &err), 0);
        assert_int_equal(n, 0);
        free(m);
        assert_int_equal(rc_idmap_parse_proc("0 1 x\n", &m, &n, &err), -1);
        assert_non_null(err);
        rc_error_free(err);
        err = NULL;
        assert_int_equal(rc_idmap_parse_proc("0 1\n", &m, &n, &err), -1);
        rc_error_free(err);
}

static void test_mapping_equal(void **state)
{
        struct rc_idmap a[] = { { 0, 1000, 1 }, { 1, 100000, 65536 } };
        struct rc_idmap b[] = { { 0, 1000, 1 }, { 1, 200000, 65536 } };
        struct rc_userns_mapping x = { a, 2, a, 2 }, y = { a, 2, a, 2 }, z = { a, 2, b, 2 }, w = { a, 1, a, 2 };

        (void)state;
        assert_true(rc_userns_mapping_equal(&x, &y));
        assert_false(rc_userns_mapping_equal(&x, &z));
        assert_false(rc_userns_mapping_equal(&x, &w));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_table),
                cmocka_unit_test(test_suggest_start),
                cmocka_unit_test(test_diagnose_table),
                cmocka_unit_test(test_fix_for_nonstandard_file),
                cmocka_unit_test(test_usermod_fix),
                cmocka_unit_test(test_suggestion_avoids_own_ids),
                cmocka_unit_test(test_unreadable_file),
                cmocka_unit_test(test_idmap_proc),
                cmocka_unit_test(test_mapping_equal),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
