/* Layer extraction: formats, digests, metadata, whiteouts and hostile tars.
 *
 * Runs unprivileged (ownership ignored); the ownership test runs when the
 * process is root, on the host or in a user namespace.  With
 * RC_TEST_ARCHIVE_KEEP=DIR the ownership test extracts into DIR and leaves
 * it there, so the host side of a user namespace can be inspected. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cmocka.h>

#include "archive/archive.h"
#include "test_archive_fixtures.h"
#include "util/fs.h"
#include "util/xalloc.h"

struct fx {
        char *tmp;  /* T: holds root/ and a sentinel "secret" */
        char *root; /* T/root */
        int root_fd;
};

static void fx_init(struct fx *f)
{
        char tmpl[] = "/tmp/rc-test-archive-XXXXXX";
        char *secret;
        rc_error *err = NULL;

        assert_non_null(mkdtemp(tmpl));
        f->tmp = xstrdup(tmpl);
        f->root = xasprintf("%s/root", tmpl);
        assert_int_equal(mkdir(f->root, 0755), 0);
        f->root_fd = open(f->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(f->root_fd >= 0);
        secret = xasprintf("%s/secret", tmpl);
        assert_int_equal(rc_write_file(secret, "secret", 6, 0644, &err), 0);
        free(secret);
}

static void fx_done(struct fx *f)
{
        rc_error *err = NULL;

        close(f->root_fd);
        assert_int_equal(rc_rm_rf(f->tmp, &err), 0);
        free(f->tmp);
        free(f->root);
}

static int setup(void **state)
{
        struct fx *f = xcalloc(1, sizeof(*f));

        fx_init(f);
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fx *f = *state;

        fx_done(f);
        free(f);
        return 0;
}

static int extract_buf(struct fx *f, const struct buf *b, const struct rc_extract_opts *o,
                       struct rc_extract_result *res, rc_error **err)
{
        int fd = memfd_with(b);
        int r = rc_archive_extract(fd, f->root_fd, o, res, err);

        close(fd);
        return r;
}

static int extract_tents(struct fx *f, const struct tent *t, size_t n, enum rc_extract_mode mode, rc_error **err)
{
        struct rc_extract_opts o = { .mode = mode, .blob_fd = -1, .ignore_ownership = true };
        struct rc_extract_result res;
        struct buf b = build_tar(t, n);
        int r = extract_buf(f, &b, &o, &res, err);

        buf_free(&b);
        return r;
}

static void assert_extract_ok(struct fx *f, const struct tent *t, size_t n, enum rc_extract_mode mode)
{
        rc_error *err = NULL;

        if (extract_tents(f, t, n, mode, &err) < 0)
                fail_msg("extract: %s", err->msg);
}

static void assert_file(struct fx *f, const char *path, const char *content, unsigned mode)
{
        char *data = NULL;
        size_t len = 0;
        rc_error *err = NULL;
        struct stat st;

        assert_int_equal(fstatat(f->root_fd, path, &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_true(S_ISREG(st.st_mode));
        if (mode)
                assert_int_equal(st.st_mode & 07777, mode);
        if (rc_read_file_at(f->root_fd, path, &data, &len, &err) < 0)
                fail_msg("read %s: %s", path, err->msg);
        assert_int_equal(len, strlen(content));
        assert_memory_equal(data, content, len);
        free(data);
}

static void assert_missing(struct fx *f, const char *path)
{
        struct stat st;

        assert_int_equal(fstatat(f->root_fd, path, &st, AT_SYMLINK_NOFOLLOW), -1);
        assert_int_equal(errno, ENOENT);
}

static void assert_link(struct fx *f, const char *path, const char *target)
{
        char buf[4096];
        ssize_t n = readlinkat(f->root_fd, path, buf, sizeof(buf) - 1);

        assert_true(n >= 0);
        buf[n] = '\0';
        assert_string_equal(buf, target);
}

/* Nothing appeared next to root/, and the sentinel is intact. */
static void assert_nothing_outside(struct fx *f)
{
        DIR *d = opendir(f->tmp);
        struct dirent *de;
        char *secret = xasprintf("%s/secret", f->tmp), *data = NULL;
        size_t len;
        rc_error *err = NULL;
        struct stat st;

        assert_non_null(d);
        while ((de = readdir(d)) != NULL) {
                if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") && strcmp(de->d_name, "root") &&
                    strcmp(de->d_name, "secret"))
                        fail_msg("%s appeared outside the root", de->d_name);
        }
        closedir(d);
        assert_int_equal(lstat(secret, &st), 0);
        assert_true(S_ISREG(st.st_mode));
        assert_int_equal(rc_read_file(secret, &data, &len, &err), 0);
        assert_string_equal(data, "secret");
        free(data);
        free(secret);
}

/* ---- pure helpers ---- */

static void test_clean_path(void **state)
{
        static const struct {
                const char *in, *out; /* out NULL: error */
        } cases[] = {
                { "a", "a" },
                { "a/b/c", "a/b/c" },
                { "/a/b", "a/b" },
                { "./a/b", "a/b" },
                { "././a", "a" },
                { "a//b///c", "a/b/c" },
                { "a/b/", "a/b" },
                { "a/./b", "a/b" },
                { "a/b/../c", "a/c" },
                { "a/..", "." },
                { "/", "." },
                { "./", "." },
                { ".", "." },
                { "//", "." },
                { "/../x", NULL },
                { "..", NULL },
                { "../evil", NULL },
                { "a/../../evil", NULL },
                { "a/b/../../../c", NULL },
                { "", NULL },
                { "...", "..." },
                { "..a/b..", "..a/b.." },
                { ".wh..wh..opq", ".wh..wh..opq" },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char *out = NULL;
                rc_error *err = NULL;
                int r = rc_archive_clean_path(cases[i].in, &out, &err);

                if (cases[i].out == NULL) {
                        if (r != -1)
                                fail_msg("%s: expected an error, got %s", cases[i].in, out);
                        assert_non_null(err);
                        assert_null(out);
                        rc_error_free(err);
                } else {
                        if (r != 0)
                                fail_msg("%s: %s", cases[i].in, err->msg);
                        assert_string_equal(out, cases[i].out);
                        free(out);
                }
        }
}

static void test_whiteout_kind(void **state)
{
        static const struct {
                const char *base;
                int kind;
                const char *target;
        } cases[] = {
                { "file", RC_WHITEOUT_NONE, NULL },
                { ".wh", RC_WHITEOUT_NONE, NULL },
                { "a.wh.b", RC_WHITEOUT_NONE, NULL },
                { ".wh.file", RC_WHITEOUT_FILE, "file" },
                { ".wh..hidden", RC_WHITEOUT_FILE, ".hidden" },
                { ".wh..wh..opq", RC_WHITEOUT_OPAQUE, NULL },
                { ".wh..wh.plnk", RC_WHITEOUT_META, NULL },
                { ".wh..wh.aufs", RC_WHITEOUT_META, NULL },
                { ".wh.", RC_WHITEOUT_INVALID, NULL },
                { ".wh..", RC_WHITEOUT_INVALID, NULL },
                { ".wh...", RC_WHITEOUT_INVALID, NULL },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                const char *target = NULL;
                int kind = rc_archive_whiteout_kind(cases[i].base, &target);

                if (kind != cases[i].kind)
                        fail_msg("%s: kind %d, expected %d", cases[i].base, kind, cases[i].kind);
                if (cases[i].target)
                        assert_string_equal(target, cases[i].target);
        }
}

static void test_detect_compression(void **state)
{
        assert_int_equal(rc_archive_detect_compression("\x1f\x8b\x08\x00", 4), RC_COMPRESSION_GZIP);
        assert_int_equal(rc_archive_detect_compression("\x28\xb5\x2f\xfd", 4), RC_COMPRESSION_ZSTD);
        assert_int_equal(rc_archive_detect_compression("\x28\xb5", 2), RC_COMPRESSION_NONE);
        assert_int_equal(rc_archive_detect_compression("usta", 4), RC_COMPRESSION_NONE);
        assert_int_equal(rc_archive_detect_compression("", 0), RC_COMPRESSION_NONE);
        assert_string_equal(rc_compression_name(RC_COMPRESSION_ZSTD), "zstd");
}

/* ---- formats and digests ---- */

static const struct tent basic[] = {
        { .name = "./", .type = 'd', .mode = 0755 },
        { .name = "etc/", .type = 'd', .mode = 0755, .mtime = 1500000000 },
        { .name = "etc/hostname", .type = 'f', .data = "box\n", .mode = 0644, .mtime = 1234567890 },
        { .name = "bin/tool", .type = 'f', .data = "#!/bin/sh\n", .mode = 02755 },
        { .name = "bin/su", .type = 'f', .data = "x", .mode = 04711 },
        { .name = "bin/sh", .type = 'l', .data = "tool" },
        { .name = "bin/hard", .type = 'h', .data = "bin/tool" },
        { .name = "tmp/", .type = 'd', .mode = 01777 },
        { .name = "ro/", .type = 'd', .mode = 0555 },
        { .name = "ro/inside", .type = 'f', .data = "in read-only dir", .mode = 0400 },
        { .name = "run/fifo", .type = 'p', .mode = 0600 },
        { .name = "empty", .type = 'f', .data = "", .mode = 0600 },
        { .name = "names/caf\xc3\xa9 na\xc3\xafve", .type = 'f', .data = "utf8" },
        { .name = "names/latin1-\xe9", .type = 'f', .data = "latin1" },
        { .name = "names/long-name-over-one-hundred-characters-so-that-pax-needs-an-extended-header-"
                  "for-it-0123456789", .type = 'f', .data = "long" },
};
#define NBASIC (sizeof(basic) / sizeof(basic[0]))

static void assert_basic_tree(struct fx *f)
{
        struct stat st, st2;

        assert_file(f, "etc/hostname", "box\n", 0644);
        assert_int_equal(fstatat(f->root_fd, "etc/hostname", &st, 0), 0);
        assert_int_equal(st.st_mtim.tv_sec, 1234567890);
        assert_int_equal(fstatat(f->root_fd, "etc", &st, 0), 0);
        assert_true(S_ISDIR(st.st_mode));
        assert_int_equal(st.st_mtim.tv_sec, 1500000000);
        assert_file(f, "bin/tool", "#!/bin/sh\n", 02755);
        assert_file(f, "bin/su", "x", 04711);
        assert_link(f, "bin/sh", "tool");
        assert_int_equal(fstatat(f->root_fd, "bin/hard", &st2, AT_SYMLINK_NOFOLLOW), 0);
        assert_int_equal(fstatat(f->root_fd, "bin/tool", &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_int_equal(st.st_ino, st2.st_ino);
        assert_int_equal(st.st_nlink, 2);
        assert_int_equal(fstatat(f->root_fd, "tmp", &st, 0), 0);
        assert_int_equal(st.st_mode & 07777, 01777);
        assert_int_equal(fstatat(f->root_fd, "ro", &st, 0), 0);
        assert_int_equal(st.st_mode & 07777, 0555);
        assert_file(f, "ro/inside", "in read-only dir", 0400);
        assert_int_equal(fstatat(f->root_fd, "run/fifo", &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_true(S_ISFIFO(st.st_mode));
        assert_file(f, "empty", "", 0600);
        assert_file(f, "names/caf\xc3\xa9 na\xc3\xafve", "utf8", 0644);
        assert_file(f, "names/latin1-\xe9", "latin1", 0644);
        assert_file(f, "names/long-name-over-one-hundred-characters-so-that-pax-needs-an-extended-header-for-it-0123456789",
                    "long", 0644);
        assert_int_equal(fstatat(f->root_fd, ".", &st, 0), 0);
        assert_int_equal(st.st_mode & 07777, 0755);
}

static void test_formats(void **state)
{
        struct buf tar = build_tar(basic, NBASIC);
        struct buf inputs[4] = { copy_buf(tar.p, tar.len), gzip_buf(&tar, 1), gzip_buf(&tar, 3), zstd_buf(&tar) };
        static const enum rc_compression comp[4] = { RC_COMPRESSION_NONE, RC_COMPRESSION_GZIP, RC_COMPRESSION_GZIP,
                                                     RC_COMPRESSION_ZSTD };
        char tar_digest[RC_DIGEST_LEN + 1];

        rc_sha256_digest(tar.p, tar.len, tar_digest);
        for (int i = 0; i < 4; i++) {
                struct fx f;
                char raw_digest[RC_DIGEST_LEN + 1], blob_digest[RC_DIGEST_LEN + 1];
                int blob = memfd_create("blob", MFD_CLOEXEC);
                struct rc_extract_opts o = { .mode = RC_EXTRACT_LAYER, .blob_fd = blob, .ignore_ownership = true };
                struct rc_extract_result res;
                rc_error *err = NULL;
                struct stat st;

                fx_init(&f);
                rc_sha256_digest(inputs[i].p, inputs[i].len, raw_digest);
                o.expected_diff_id = tar_digest;
                o.expected_digest = raw_digest;
                if (extract_buf(&f, &inputs[i], &o, &res, &err) < 0)
                        fail_msg("input %d: %s", i, err->msg);
                assert_string_equal(res.diff_id, tar_digest);
                assert_string_equal(res.digest, raw_digest);
                assert_int_equal(res.size, inputs[i].len);
                assert_int_equal(res.tar_size, tar.len);
                assert_int_equal(res.compression, comp[i]);
                /* the blob copy holds exactly the raw bytes */
                assert_int_equal(fstat(blob, &st), 0);
                assert_int_equal(st.st_size, inputs[i].len);
                void *m = mmap(NULL, inputs[i].len, PROT_READ, MAP_PRIVATE, blob, 0);
                assert_true(m != MAP_FAILED);
                rc_sha256_digest(m, inputs[i].len, blob_digest);
                munmap(m, inputs[i].len);
                assert_string_equal(blob_digest, raw_digest);
                close(blob);
                assert_basic_tree(&f);
                assert_nothing_outside(&f);
                fx_done(&f);
        }
        for (int i = 0; i < 4; i++)
                buf_free(&inputs[i]);
        buf_free(&tar);
}

/* A pipe: the input is read once, never seeked. */
static void test_pipe_input(void **state)
{
        struct fx *f = *state;
        struct buf tar = build_tar(basic, NBASIC);
        struct buf gz = gzip_buf(&tar, 1);
        struct rc_extract_opts o = { .mode = RC_EXTRACT_LAYER, .blob_fd = -1, .ignore_ownership = true };
        struct rc_extract_result res;
        rc_error *err = NULL;
        int p[2], status;
        pid_t pid;

        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                close(p[0]);
                _exit(rc_write_all(p[1], gz.p, gz.len) < 0 ? 1 : 0);
        }
        close(p[1]);
        if (rc_archive_extract(p[0], f->root_fd, &o, &res, &err) < 0)
                fail_msg("%s", err->msg);
        close(p[0]);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        assert_int_equal(res.size, gz.len);
        assert_basic_tree(f);
        buf_free(&gz);
        buf_free(&tar);
}

/* A failing layer returns promptly even when its input stays open and
 * silent (a stalled download): the decompression thread is woken up. */
static void test_stalled_input(void **state)
{
        struct fx *f = *state;
        struct tent t[] = { { .name = "ok", .type = 'f', .data = "x" }, { .name = "../evil", .type = 'f', .data = "x" } };
        struct buf tar = build_tar(t, 2);
        struct rc_extract_opts o = { .mode = RC_EXTRACT_LAYER, .blob_fd = -1, .ignore_ownership = true };
        struct rc_extract_result res;
        rc_error *err = NULL;
        int data[2], hold[2], status;
        char c;
        pid_t pid;

        assert_int_equal(pipe2(data, O_CLOEXEC), 0);
        assert_int_equal(pipe2(hold, O_CLOEXEC), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                close(data[0]);
                close(hold[1]);
                /* the tar without its end blocks, then stay silent */
                if (rc_write_all(data[1], tar.p, 3 * 512 + 512) < 0)
                        _exit(1);
                _exit(read(hold[0], &c, 1) < 0 ? 1 : 0);
        }
        close(data[1]);
        close(hold[0]);
        assert_int_equal(rc_archive_extract(data[0], f->root_fd, &o, &res, &err), -1);
        assert_non_null(strstr(err->msg, "../evil"));
        rc_error_free(err);
        close(hold[1]);
        close(data[0]);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        buf_free(&tar);
}

static void expect_failure(struct fx *f, const struct buf *b, const struct rc_extract_opts *o, const char *substr)
{
        struct rc_extract_result res;
        rc_error *err = NULL;

        if (extract_buf(f, b, o, &res, &err) == 0)
                fail_msg("expected an error containing \"%s\"", substr);
        if (strstr(err->msg, substr) == NULL)
                fail_msg("error \"%s\" lacks \"%s\"", err->msg, substr);
        assert_true(strncmp(err->msg, "layer: ", 7) == 0);
        rc_error_free(err);
}

static void test_bad_inputs(void **state)
{
        struct buf tar = build_tar(basic, NBASIC);
        struct buf gz = gzip_buf(&tar, 1), zs = zstd_buf(&tar);
        struct rc_extract_opts o = { .mode = RC_EXTRACT_LAYER, .blob_fd = -1, .ignore_ownership = true };
        const char *bad = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
        char tar_digest[RC_DIGEST_LEN + 1];
        struct {
                struct buf b;
                const char *diff_id, *digest;
                const char *err;
        } cases[] = {
                { copy_buf(tar.p, tar.len), bad, NULL, "diff_id mismatch: expected sha256:0000" },
                { copy_buf(gz.p, gz.len), NULL, bad, "digest mismatch: expected sha256:0000" },
                { copy_buf(gz.p, gz.len / 2), NULL, NULL, "truncated gzip" },
                { copy_buf(gz.p, gz.len - 4), NULL, NULL, "truncated gzip" },
                { copy_buf(zs.p, zs.len / 2), NULL, NULL, "truncated zstd" },
                { copy_buf(gz.p, gz.len), NULL, NULL, "corrupt gzip" }, /* damaged below */
                { copy_buf("this is not a tar archive at all, just some text\n", 49), NULL, NULL,
                  "not a tar archive" },
                { copy_buf(tar.p, 1024 + 100), NULL, NULL, "runcated" }, /* plain tar cut in a file */
        };

        rc_sha256_digest(tar.p, tar.len, tar_digest);
        cases[5].b.p[cases[5].b.len / 2] ^= 0xff;
        cases[5].b.p[cases[5].b.len / 2 + 1] ^= 0x55;
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct fx f;

                fx_init(&f);
                o.expected_diff_id = cases[i].diff_id;
                o.expected_digest = cases[i].digest;
                expect_failure(&f, &cases[i].b, &o, cases[i].err);
                assert_nothing_outside(&f);
                fx_done(&f);
                buf_free(&cases[i].b);
        }
        /* the mismatch message names the actual digest too */
        {
                struct fx f;
                struct rc_extract_result res;
                rc_error *err = NULL;
                struct buf b = copy_buf(tar.p, tar.len);

                fx_init(&f);
                o.expected_diff_id = bad;
                o.expected_digest = NULL;
                assert_int_equal(extract_buf(&f, &b, &o, &res, &err), -1);
                assert_non_null(strstr(err->msg, tar_digest));
                rc_error_free(err);
                fx_done(&f);
                buf_free(&b);
        }
        buf_free(&gz);
        buf_free(&zs);
        buf_free(&tar);
}

/* Trailing zeros after a gzip stream (some tools pad) are ignored but
 * counted in the digest. */
static void test_gzip_trailing(void **state)
{
        struct fx *f = *state;
        struct buf tar = build_tar(basic, NBASIC), gz = gzip_buf(&tar, 1);
        struct buf padded = { xcalloc(1, gz.len + 512), gz.len + 512 };
        struct rc_extract_opts o = { .mode = RC_EXTRACT_LAYER, .blob_fd = -1, .ignore_ownership = true };
        struct rc_extract_result res;
        char raw[RC_DIGEST_LEN + 1], td[RC_DIGEST_LEN + 1];
        rc_error *err = NULL;

        memcpy(padded.p, gz.p, gz.len);
        rc_sha256_digest(padded.p, padded.len, raw);
        rc_sha256_digest(tar.p, tar.len, td);
        if (extract_buf(f, &padded, &o, &res, &err) < 0)
                fail_msg("%s", err->msg);
        assert_string_equal(res.digest, raw);
        assert_string_equal(res.diff_id, td);
        assert_int_equal(res.size, padded.len);
        buf_free(&padded);
        buf_free(&gz);
        buf_free(&tar);
}

/* Anything else after a gzip or zstd stream is refused, naming the byte;
 * a second gzip member is fine. */
static void test_trailing_garbage(void **state)
{
        struct fx *f = *state;
        struct buf tar = build_tar(basic, NBASIC), gz = gzip_buf(&tar, 1), zs = zstd_buf(&tar);
        struct rc_extract_opts o = { .mode = RC_EXTRACT_LAYER, .blob_fd = -1, .ignore_ownership = true };
        struct rc_extract_result res;
        struct buf bad[2] = { { xcalloc(1, gz.len + 8), gz.len + 8 }, { xcalloc(1, zs.len + 8), zs.len + 8 } };
        struct buf two = { xcalloc(1, 2 * gz.len), 2 * gz.len };
        rc_error *err = NULL;

        memcpy(bad[0].p, gz.p, gz.len);
        memcpy((char *)bad[0].p + gz.len, "garbage!", 8);
        memcpy(bad[1].p, zs.p, zs.len);
        memcpy((char *)bad[1].p + zs.len, "garbage!", 8);
        for (int i = 0; i < 2; i++) {
                char *at = xasprintf("byte %zu", i == 0 ? gz.len : zs.len);
                assert_int_equal(extract_buf(f, &bad[i], &o, &res, &err), -1);
                if (strstr(err->msg, "trailing data after the end of the") == NULL || strstr(err->msg, at) == NULL)
                        fail_msg("case %d: %s", i, err->msg);
                rc_error_free(err);
                err = NULL;
                free(at);
                buf_free(&bad[i]);
        }
        /* gzip's own concatenation: two members, the tar twice over; the
         * second copy lies after the tar's end and is only hashed */
        memcpy(two.p, gz.p, gz.len);
        memcpy((char *)two.p + gz.len, gz.p, gz.len);
        if (extract_buf(f, &two, &o, &res, &err) < 0)
                fail_msg("%s", err->msg);
        assert_int_equal(res.tar_size, 2 * tar.len);
        buf_free(&two);
        buf_free(&gz);
        buf_free(&zs);
        buf_free(&tar);
}

/* Big file across many buffers, with xattrs. */
static void test_big_file_and_xattrs(void **state)
{
        struct fx *f = *state;
        size_t n = 3 * 1024 * 1024 + 12345;
        char *data = xmalloc(n + 1);
        char v[16];
        struct tent t[] = {
                { .name = "big", .type = 'f', .mode = 0644 },
                { .name = "x", .type = 'f', .data = "x", .xattr_name = "user.rc.test", .xattr_value = "hello" },
                { .name = "o", .type = 'f', .data = "o", .xattr_name = "user.overlay.redirect", .xattr_value = "/a" },
                { .name = "t", .type = 'f', .data = "t", .xattr_name = "trusted.foo", .xattr_value = "bar" },
        };

        for (size_t i = 0; i < n; i++)
                data[i] = (char)('a' + (i * 7 + i / 4096) % 26);
        data[n] = '\0';
        t[0].data = data;
        assert_extract_ok(f, t, 4, RC_EXTRACT_LAYER);
        assert_file(f, "big", data, 0644);
        char *px = xasprintf("%s/x", f->root), *po = xasprintf("%s/o", f->root);
        ssize_t r = getxattr(px, "user.rc.test", v, sizeof(v));
        if (r < 0 && errno == ENOTSUP) {
                printf("skipped xattr checks: no user xattrs on %s\n", f->root);
        } else {
                assert_int_equal(r, 5);
                assert_memory_equal(v, "hello", 5);
                assert_int_equal(getxattr(po, "user.overlay.redirect", v, sizeof(v)), -1);
        }
        free(px);
        free(po);
        free(data);
}

/* ---- hostile layers ---- */

struct hostile_case {
        const char *desc;
        enum rc_extract_mode mode;
        struct tent t[4];
        const char *err;     /* non-NULL: extraction must fail with this */
        const char *file;    /* must exist inside root afterwards (T replaced) */
        const char *content; /* ... with this content, if a regular file */
};

#define T "@T@" /* replaced by the temp dir path, outside the root */
#define E(n, ty, d) { .name = (n), .type = (ty), .data = (d) }

static const struct hostile_case hostile[] = {
        { "dotdot", RC_EXTRACT_LAYER, { E("../evil", 'f', "x") }, "points outside the layer root", NULL, NULL },
        { "dotdot apply", RC_EXTRACT_APPLY, { E("../evil", 'f', "x") }, "points outside", NULL, NULL },
        { "absolute", RC_EXTRACT_LAYER, { E("/abs/x", 'f', "x") }, NULL, "abs/x", "x" },
        { "absolute T", RC_EXTRACT_LAYER, { E(T "/evil", 'f', "x") }, NULL, T "/evil", "x" },
        { "a/../..", RC_EXTRACT_LAYER, { E("a/../../evil", 'f', "x") }, "points outside", NULL, NULL },
        { "link to /", RC_EXTRACT_LAYER, { E("link", 'l', "/"), E("link/etc/x", 'f', "x") }, NULL, "etc/x", "x" },
        { "link to T", RC_EXTRACT_LAYER, { E("link", 'l', T), E("link/evil", 'f', "x") },
          "symbolic link to a directory that does not exist", NULL, NULL },
        { "link to T apply", RC_EXTRACT_APPLY, { E("link", 'l', T), E("link/evil", 'f', "x") },
          "symbolic link to a directory that does not exist", NULL, NULL },
        { "link to T/", RC_EXTRACT_LAYER, { E(T "/", 'd', NULL), E("link", 'l', T), E("link/evil", 'f', "x") }, NULL,
          T "/evil", "x" },
        { "link to T/ apply", RC_EXTRACT_APPLY,
          { E(T "/", 'd', NULL), E("link", 'l', T), E("link/evil", 'f', "x") }, NULL, T "/evil", "x" },
        { "dotdot chain", RC_EXTRACT_LAYER, { E("up", 'l', ".."), E("up/up/up/evil", 'f', "x") }, NULL, "evil", "x" },
        { "deep dotdot", RC_EXTRACT_LAYER, { E("d/up", 'l', "../../../../.."), E("d/up/evil", 'f', "x") }, NULL,
          "evil", "x" },
        { "hardlink abs", RC_EXTRACT_LAYER, { E("h", 'h', "/etc/passwd") }, "does not exist in the layer", NULL,
          NULL },
        { "hardlink dotdot", RC_EXTRACT_LAYER, { E("h", 'h', "../../etc/passwd") }, "points outside", NULL, NULL },
        { "hardlink T", RC_EXTRACT_LAYER, { E("h", 'h', T "/secret") }, "does not exist in the layer", NULL, NULL },
        { "hardlink via link", RC_EXTRACT_LAYER, { E("l", 'l', T), E("h", 'h', "l/secret") },
          "does not exist in the layer", NULL, NULL },
        { "symlink then file", RC_EXTRACT_LAYER, { E("f", 'l', T "/secret"), E("f", 'f', "new") }, NULL, "f", "new" },
        { "symlink then file apply", RC_EXTRACT_APPLY, { E("f", 'l', T "/secret"), E("f", 'f', "new") }, NULL, "f",
          "new" },
        { "symlink then dir", RC_EXTRACT_LAYER, { E("s", 'l', T), E("s", 'd', NULL), E("s/evil", 'f', "x") }, NULL,
          "s/evil", "x" },
        { "hardlink to symlink", RC_EXTRACT_LAYER, { E("l2", 'l', T "/secret"), E("h2", 'h', "l2") }, NULL, NULL,
          NULL },
        { "whiteout via link", RC_EXTRACT_APPLY, { E("link", 'l', T), E("link/.wh.secret", 'f', "") }, NULL, NULL,
          NULL },
        { "opaque via link", RC_EXTRACT_APPLY, { E("link", 'l', T), E("link/.wh..wh..opq", 'f', "") }, NULL, NULL,
          NULL },
        { "whiteout dotdot", RC_EXTRACT_APPLY, { E(".wh...", 'f', "") }, "invalid whiteout", NULL, NULL },
        { "fifo over link", RC_EXTRACT_LAYER, { E("p", 'l', T "/secret"), E("p", 'p', NULL) }, NULL, NULL, NULL },
};

static char *subst_t(const char *s, const char *tmp)
{
        const char *p = s ? strstr(s, T) : NULL;

        if (s == NULL)
                return NULL;
        if (p == NULL)
                return xstrdup(s);
        return xasprintf("%.*s%s%s", (int)(p - s), s, tmp, p + strlen(T));
}

static void test_hostile(void **state)
{
        for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
                const struct hostile_case *c = &hostile[i];
                struct tent t[4];
                char *names[4] = { 0 }, *datas[4] = { 0 };
                size_t n = 0;
                struct fx f;
                rc_error *err = NULL;
                int r;

                fx_init(&f);
                for (; n < 4 && c->t[n].name; n++) {
                        t[n] = c->t[n];
                        t[n].name = names[n] = subst_t(c->t[n].name, f.tmp);
                        t[n].data = datas[n] = subst_t(c->t[n].data, f.tmp);
                }
                r = extract_tents(&f, t, n, c->mode, &err);
                if (c->err) {
                        if (r == 0)
                                fail_msg("%s: expected error \"%s\"", c->desc, c->err);
                        if (!strstr(err->msg, c->err))
                                fail_msg("%s: error \"%s\" lacks \"%s\"", c->desc, err->msg, c->err);
                        rc_error_free(err);
                } else if (r < 0) {
                        fail_msg("%s: %s", c->desc, err->msg);
                }
                if (c->file) {
                        char *p = subst_t(c->file, f.tmp);
                        const char *rel = p;
                        while (*rel == '/')
                                rel++;
                        assert_file(&f, rel, c->content, 0);
                        free(p);
                }
                assert_nothing_outside(&f);
                fx_done(&f);
                for (size_t j = 0; j < n; j++) {
                        free(names[j]);
                        free(datas[j]);
                }
        }
}

static void test_long_names(void **state)
{
        struct fx *f = *state;
        char comp[301], *deep;
        struct tent t[1] = { { .type = 'f', .data = "x" } };
        rc_error *err = NULL;
        size_t len = 0;

        memset(comp, 'a', 300);
        comp[300] = '\0';
        t[0].name = comp;
        assert_int_equal(extract_tents(f, t, 1, RC_EXTRACT_LAYER, &err), -1);
        assert_non_null(strstr(err->msg, "File name too long"));
        assert_non_null(strstr(err->msg, "layer: aaaa"));
        rc_error_free(err);
        err = NULL;

        /* 40 components of 200: 8 KiB, beyond PATH_MAX */
        deep = xmalloc(40 * 201 + 2);
        for (int i = 0; i < 40; i++) {
                memset(deep + len, 'b', 200);
                len += 200;
                deep[len++] = '/';
        }
        deep[len++] = 'f';
        deep[len] = '\0';
        t[0].name = deep;
        assert_int_equal(extract_tents(f, t, 1, RC_EXTRACT_LAYER, &err), 0);
        {
                /* there, one component at a time */
                int fd = dup(f->root_fd), next;
                char b200[201];
                memset(b200, 'b', 200);
                b200[200] = '\0';
                for (int i = 0; i < 40; i++) {
                        next = openat(fd, b200, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        assert_true(next >= 0);
                        close(fd);
                        fd = next;
                }
                assert_int_equal(faccessat(fd, "f", F_OK, AT_SYMLINK_NOFOLLOW), 0);
                close(fd);
        }
        free(deep);
        assert_nothing_outside(f);
}

/* Beyond the first few thousand characters of a name, symbolic links are
 * not followed: "b*20/.../up -> /" then "b*20/.../up/x" is an error, not
 * a file outside the tree or at the root. */
static void test_deep_symlink(void **state)
{
        struct fx *f = *state;
        char *dir = xmalloc(20 * 201 + 1), *link, *through;
        struct tent t[2] = { { .type = 'l', .data = "/" }, { .type = 'f', .data = "x" } };
        rc_error *err = NULL;
        size_t len = 0;

        for (int i = 0; i < 20; i++) {
                memset(dir + len, 'c', 200);
                len += 200;
                dir[len++] = '/';
        }
        dir[len - 1] = '\0';
        link = xasprintf("%s/up", dir);
        through = xasprintf("%s/up/x", dir);
        t[0].name = link;
        t[1].name = through;
        assert_int_equal(extract_tents(f, t, 2, RC_EXTRACT_LAYER, &err), -1);
        assert_non_null(strstr(err->msg, "symbolic link"));
        assert_non_null(strstr(err->msg, "not followed"));
        rc_error_free(err);
        assert_int_equal(faccessat(f->root_fd, "x", F_OK, AT_SYMLINK_NOFOLLOW), -1);
        free(dir);
        free(link);
        free(through);
        assert_nothing_outside(f);
}

/* Errors name the entry: "layer: NAME: write: ...". */
static void test_write_error(void **state)
{
        struct fx *f = *state;
        char *data = xmalloc(200001);
        struct tent t[] = { { .name = "small", .type = 'f', .data = "ok" }, { .name = "dir/big", .type = 'f' } };
        struct rc_extract_opts o = { .mode = RC_EXTRACT_LAYER, .blob_fd = -1, .ignore_ownership = true };
        struct rc_extract_result res;
        struct rlimit old, lim;
        rc_error *err = NULL;
        struct buf b;
        int in, r;

        memset(data, 'z', 200000);
        data[200000] = '\0';
        t[1].data = data;
        b = build_tar(t, 2);
        in = memfd_with(&b); /* before the limit, which applies to it too */
        assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
        lim = old;
        lim.rlim_cur = 100000;
        signal(SIGXFSZ, SIG_IGN);
        assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
        r = rc_archive_extract(in, f->root_fd, &o, &res, &err);
        assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
        signal(SIGXFSZ, SIG_DFL);
        assert_int_equal(r, -1);
        assert_string_equal(err->msg, "layer: dir/big: write: File too large");
        rc_error_free(err);
        close(in);
        buf_free(&b);
        free(data);
}

static void test_replace(void **state)
{
        struct fx *f = *state;
        struct tent t1[] = {
                { .name = "d/", .type = 'd', .mode = 0700 },
                { .name = "d/keep", .type = 'f', .data = "1" },
                { .name = "x/", .type = 'd' },
                { .name = "x/sub", .type = 'f', .data = "s" },
                { .name = "y", .type = 'f', .data = "old" },
                { .name = "z", .type = 'f', .data = "z" },
        };
        struct tent t2[] = {
                { .name = "d/", .type = 'd', .mode = 0750 }, /* dir over dir: kept, mode updated */
                { .name = "x", .type = 'f', .data = "file" },  /* file over dir */
                { .name = "y/", .type = 'd' },                 /* dir over file */
                { .name = "y/n", .type = 'f', .data = "n" },
                { .name = "z", .type = 'h', .data = "d/keep" }, /* hard link over file */
                { .name = "z", .type = 'h', .data = "d/keep" }, /* ... twice */
        };
        struct stat st;

        assert_extract_ok(f, t1, 6, RC_EXTRACT_APPLY);
        assert_extract_ok(f, t2, 6, RC_EXTRACT_APPLY);
        assert_file(f, "d/keep", "1", 0);
        assert_int_equal(fstatat(f->root_fd, "d", &st, 0), 0);
        assert_int_equal(st.st_mode & 07777, 0750);
        assert_file(f, "x", "file", 0);
        assert_file(f, "y/n", "n", 0);
        assert_file(f, "z", "1", 0);
        assert_int_equal(fstatat(f->root_fd, "z", &st, 0), 0);
        assert_int_equal(st.st_nlink, 2);
}

/* ---- whiteouts ---- */

static void test_layer_whiteouts(void **state)
{
        struct fx *f = *state;
        struct tent t[] = {
                { .name = "etc/", .type = 'd' },
                { .name = "etc/.wh.gone", .type = 'f', .data = "" },
                { .name = "opq/", .type = 'd' },
                { .name = "opq/.wh..wh..opq", .type = 'f', .data = "" },
                { .name = "opq/new", .type = 'f', .data = "n" },
                { .name = "deep/er/.wh.x", .type = 'f', .data = "" },
                { .name = ".wh..wh.plnk/", .type = 'd' },
        };
        rc_error *err = NULL;
        struct stat st;
        char v[8];

        if (extract_tents(f, t, 7, RC_EXTRACT_LAYER, &err) < 0) {
                if (strstr(err->msg, "overlay whiteout") && rc_error_errno(err) == EPERM) {
                        printf("skipped: %s\n", err->msg);
                        rc_error_free(err);
                        skip();
                }
                fail_msg("%s", err->msg);
        }
        assert_int_equal(fstatat(f->root_fd, "etc/gone", &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_true(S_ISCHR(st.st_mode));
        assert_int_equal(st.st_rdev, makedev(0, 0));
        assert_missing(f, "etc/.wh.gone");
        assert_int_equal(fstatat(f->root_fd, "deep/er/x", &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_true(S_ISCHR(st.st_mode));
        assert_missing(f, ".wh..wh.plnk");
        assert_file(f, "opq/new", "n", 0);
        char *p = xasprintf("%s/opq", f->root);
        ssize_t n = getxattr(p, "user.overlay.opaque", v, sizeof(v));
        free(p);
        assert_int_equal(n, 1);
        assert_int_equal(v[0], 'y');
}

static void test_apply_whiteouts(void **state)
{
        struct fx *f = *state;
        struct tent lower[] = {
                { .name = "a/b/c", .type = 'f', .data = "c" },
                { .name = "d/x", .type = 'f', .data = "x" },
                { .name = "d/sub/y", .type = 'f', .data = "y" },
                { .name = "d/keepdir/old", .type = 'f', .data = "old" },
                { .name = "e/f", .type = 'f', .data = "f" },
                { .name = "ro/", .type = 'd', .mode = 0555 },
                { .name = "ro/victim", .type = 'f', .data = "v" },
                { .name = "gone", .type = 'f', .data = "g" },
        };
        struct tent upper[] = {
                { .name = ".wh.a", .type = 'f', .data = "" },
                { .name = "d/", .type = 'd' },
                { .name = "d/z", .type = 'f', .data = "z" },            /* before the marker: kept */
                { .name = "d/keepdir/new", .type = 'f', .data = "new" }, /* kept; its old sibling goes */
                { .name = "d/.wh..wh..opq", .type = 'f', .data = "" },
                { .name = "d/w", .type = 'f', .data = "w" },
                { .name = "ro/.wh.victim", .type = 'f', .data = "" },
                { .name = "ro/added", .type = 'f', .data = "a" },
                { .name = "nodir/.wh.thing", .type = 'f', .data = "" },
                { .name = ".wh.gone", .type = 'f', .data = "" },
        };
        struct stat st;

        assert_extract_ok(f, lower, 8, RC_EXTRACT_APPLY);
        assert_extract_ok(f, upper, 10, RC_EXTRACT_APPLY);
        assert_missing(f, "a");
        assert_missing(f, "d/x");
        assert_missing(f, "d/sub");
        assert_missing(f, "d/keepdir/old");
        assert_missing(f, "d/.wh..wh..opq");
        assert_file(f, "d/z", "z", 0);
        assert_file(f, "d/w", "w", 0);
        assert_file(f, "d/keepdir/new", "new", 0);
        assert_file(f, "e/f", "f", 0);
        assert_missing(f, "ro/victim");
        assert_file(f, "ro/added", "a", 0);
        assert_int_equal(fstatat(f->root_fd, "ro", &st, 0), 0);
        assert_int_equal(st.st_mode & 07777, 0555);
        assert_missing(f, "nodir"); /* a whiteout creates nothing */
        assert_missing(f, "gone");
        assert_nothing_outside(f);
}

/* ---- ownership (root on the host, or root in a user namespace) ---- */

static uint64_t mapped_ids(void)
{
        FILE *fp = fopen("/proc/self/uid_map", "re");
        unsigned long a, b, c;
        uint64_t total = 0;

        if (fp == NULL)
                return 0;
        while (fscanf(fp, "%lu %lu %lu", &a, &b, &c) == 3)
                total += c;
        fclose(fp);
        return total;
}

/* struct vfs_cap_data, revision 2: cap_net_raw (13) permitted + effective. */
static const unsigned char cap_net_raw[20] = { 0x01, 0x00, 0x00, 0x02, 0x00, 0x20 };

static void test_ownership(void **state)
{
        struct fx *f = *state;
        const char *keep = getenv("RC_TEST_ARCHIVE_KEEP");
        struct tent t[] = {
                { .name = "rootfile", .type = 'f', .data = "r", .uid = 0, .gid = 0 },
                { .name = "userfile", .type = 'f', .data = "u", .uid = 1000, .gid = 1000 },
                { .name = "userdir/", .type = 'd', .uid = 1000, .gid = 1000, .mode = 02775 },
                { .name = "userlink", .type = 'l', .data = "/nowhere", .uid = 1000, .gid = 1000 },
                { .name = "suid", .type = 'f', .data = "s", .uid = 0, .gid = 0, .mode = 04755 },
                { .name = "sgid", .type = 'f', .data = "g", .uid = 1000, .gid = 1000, .mode = 02755 },
                { .name = "ping", .type = 'f', .data = "p", .mode = 0755, .xattr_name = "security.capability",
                  .xattr_value = (const char *)cap_net_raw, .xattr_len = sizeof(cap_net_raw) },
        };
        static const struct {
                const char *name;
                uid_t uid;
                unsigned mode;
        } want[] = { { "rootfile", 0, 0644 }, { "userfile", 1000, 0644 }, { "userdir", 1000, 02775 },
                     { "userlink", 1000, 0 }, { "suid", 0, 04755 },       { "sgid", 1000, 02755 },
                     { "ping", 0, 0755 } };
        struct rc_extract_opts o = { .mode = RC_EXTRACT_LAYER, .blob_fd = -1, .ignore_ownership = false };
        struct rc_extract_result res;
        struct buf b;
        rc_error *err = NULL;
        int root_fd = f->root_fd;

        if (geteuid() != 0) {
                printf("skipped: ownership needs root (on the host or in a user namespace)\n");
                skip();
        }
        if (keep) {
                root_fd = open(keep, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                assert_true(root_fd >= 0);
        }
        b = build_tar(t, 7);
        int in = memfd_with(&b);
        if (rc_archive_extract(in, root_fd, &o, &res, &err) < 0)
                fail_msg("%s", err->msg);
        close(in);
        buf_free(&b);
        for (size_t i = 0; i < 7; i++) {
                struct stat st;

                assert_int_equal(fstatat(root_fd, want[i].name, &st, AT_SYMLINK_NOFOLLOW), 0);
                if (st.st_uid != want[i].uid || st.st_gid != want[i].uid)
                        fail_msg("%s: owner %u:%u, expected %u", want[i].name, st.st_uid, st.st_gid, want[i].uid);
                if (want[i].mode && (st.st_mode & 07777) != want[i].mode)
                        fail_msg("%s: mode %o, expected %o", want[i].name, st.st_mode & 07777, want[i].mode);
        }
        /* file capabilities survive the chown (set after it) */
        {
                unsigned char v[24];
                int pfd = openat(root_fd, "ping", O_RDONLY | O_CLOEXEC);
                ssize_t n = fgetxattr(pfd, "security.capability", v, sizeof(v));

                close(pfd);
                if (n < 0)
                        fail_msg("ping: security.capability: %s", strerror(errno));
                assert_true(n == 20 || n == 24); /* v3 (with a root id) inside a user namespace */
                assert_int_equal(v[4], 0x00);
                assert_int_equal(v[5], 0x20);
        }
        printf("ownership kept (%llu ids mapped)\n", (unsigned long long)mapped_ids());

        /* An id outside the mapping: a message that says what to do. */
        if (mapped_ids() < 4000000) {
                struct tent u[] = { { .name = "far", .type = 'f', .data = "f", .uid = 4000000, .gid = 0 } };
                b = build_tar(u, 1);
                in = memfd_with(&b);
                assert_int_equal(rc_archive_extract(in, root_fd, &o, &res, &err), -1);
                printf("unmapped: %s\n", err->msg);
                assert_non_null(strstr(err->msg, "file far is owned by uid 4000000, which is outside the"));
                assert_non_null(strstr(err->msg, "usermod --add-subuids"));
                rc_error_free(err);
                close(in);
                buf_free(&b);
        }
        if (keep)
                close(root_fd);
}

/* Stored blobs read back as the tar, and re-encode to each compression:
 * the result decodes to the same tar and its digest and size are right. */
static void test_recompress(void **state)
{
        struct buf tar = build_tar(basic, NBASIC);
        struct buf inputs[3] = { copy_buf(tar.p, tar.len), gzip_buf(&tar, 2), zstd_buf(&tar) };
        static const enum rc_compression to[3] = { RC_COMPRESSION_GZIP, RC_COMPRESSION_ZSTD, RC_COMPRESSION_NONE };
        char tar_digest[RC_DIGEST_LEN + 1];
        char dir[] = "/tmp/rc-test-recompress-XXXXXX";
        rc_error *err = NULL;

        (void)state;
        assert_non_null(mkdtemp(dir));
        rc_sha256_digest(tar.p, tar.len, tar_digest);
        for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                        char *in = xasprintf("%s/in", dir), *out = xasprintf("%s/out", dir);
                        char digest[RC_DIGEST_LEN + 1], diff_id[RC_DIGEST_LEN + 1], check[RC_DIGEST_LEN + 1];
                        int64_t size = 0;
                        int fd;
                        struct stat st;
                        char *data = NULL;
                        size_t len = 0;

                        assert_int_equal(rc_write_file(in, inputs[i].p, inputs[i].len, 0600, &err), 0);
                        assert_int_equal(rc_archive_diff_id(in, diff_id, &err), 0);
                        assert_string_equal(diff_id, tar_digest);
                        fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
                        assert_true(fd >= 0);
                        if (rc_archive_recompress(in, to[j], fd, digest, &size, &err) < 0)
                                fail_msg("%d -> %d: %s", i, j, err->msg);
                        close(fd);
                        assert_int_equal(stat(out, &st), 0);
                        assert_int_equal(st.st_size, size);
                        assert_int_equal(rc_read_file(out, &data, &len, &err), 0);
                        rc_sha256_digest(data, len, check);
                        assert_string_equal(check, digest);
                        assert_int_equal(rc_archive_detect_compression(data, len), to[j]);
                        free(data);
                        assert_int_equal(rc_archive_diff_id(out, diff_id, &err), 0);
                        assert_string_equal(diff_id, tar_digest);
                        free(in);
                        free(out);
                }
        }
        /* truncated compressed data is an error, not a short tar */
        for (int i = 1; i < 3; i++) {
                char *in = xasprintf("%s/bad", dir);
                char diff_id[RC_DIGEST_LEN + 1];
                assert_int_equal(rc_write_file(in, inputs[i].p, inputs[i].len / 2, 0600, &err), 0);
                assert_int_equal(rc_archive_diff_id(in, diff_id, &err), -1);
                assert_non_null(strstr(err->msg, i == 1 ? "gzip" : "zstd"));
                rc_error_free(err);
                err = NULL;
                free(in);
        }
        assert_int_equal(rc_rm_rf(dir, &err), 0);
        for (int i = 0; i < 3; i++)
                buf_free(&inputs[i]);
        buf_free(&tar);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_clean_path),
                cmocka_unit_test(test_whiteout_kind),
                cmocka_unit_test(test_detect_compression),
                cmocka_unit_test(test_formats),
                cmocka_unit_test_setup_teardown(test_pipe_input, setup, teardown),
                cmocka_unit_test_setup_teardown(test_stalled_input, setup, teardown),
                cmocka_unit_test(test_bad_inputs),
                cmocka_unit_test_setup_teardown(test_gzip_trailing, setup, teardown),
                cmocka_unit_test_setup_teardown(test_trailing_garbage, setup, teardown),
                cmocka_unit_test_setup_teardown(test_big_file_and_xattrs, setup, teardown),
                cmocka_unit_test(test_hostile),
                cmocka_unit_test_setup_teardown(test_long_names, setup, teardown),
                cmocka_unit_test_setup_teardown(test_deep_symlink, setup, teardown),
                cmocka_unit_test_setup_teardown(test_write_error, setup, teardown),
                cmocka_unit_test_setup_teardown(test_replace, setup, teardown),
                cmocka_unit_test_setup_teardown(test_layer_whiteouts, setup, teardown),
                cmocka_unit_test_setup_teardown(test_apply_whiteouts, setup, teardown),
                cmocka_unit_test_setup_teardown(test_ownership, setup, teardown),
                cmocka_unit_test(test_recompress),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
