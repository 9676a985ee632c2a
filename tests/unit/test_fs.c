/* File-system helpers: the recursive delete (bounded fds, symlinks,
 * read-only and unreadable directories, mount points). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/fs.h"
#include "util/xalloc.h"

struct fixture {
        char *dir;   /* scratch directory */
        int dfd;
};

static int setup(void **state)
{
        struct fixture *f = xcalloc(1, sizeof(*f));
        char tmpl[] = "/tmp/rc-test-fs-XXXXXX";

        assert_non_null(mkdtemp(tmpl));
        f->dir = xstrdup(tmpl);
        f->dfd = open(f->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(f->dfd >= 0);
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fixture *f = *state;
        rc_error *err = NULL;

        close(f->dfd);
        assert_int_equal(rc_rm_rf(f->dir, &err), 0);
        free(f->dir);
        free(f);
        return 0;
}

static void write_at(int dfd, const char *name, const char *content)
{
        int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

        assert_true(fd >= 0);
        assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
        close(fd);
}

/* A chain of `depth` directories "d" below dfd/top, built fd by fd (the
 * path is far longer than PATH_MAX).  Every 1000th level also holds a
 * file, a symlink to outside, a read-only and an unreadable directory. */
static void make_deep_tree(int dfd, const char *top, int depth, const char *outside)
{
        int cur;

        assert_int_equal(mkdirat(dfd, top, 0755), 0);
        cur = openat(dfd, top, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(cur >= 0);
        for (int i = 0; i < depth; i++) {
                int next;
                if (i % 1000 == 0) {
                        write_at(cur, "file", "x");
                        assert_int_equal(symlinkat(outside, cur, "link"), 0);
                        assert_int_equal(mkdirat(cur, "ro", 0755), 0);
                        write_at(cur, "ro/inside", "y");
                        assert_int_equal(fchmodat(cur, "ro", 0500, 0), 0);
                        assert_int_equal(mkdirat(cur, "locked", 0755), 0);
                        assert_int_equal(mkdirat(cur, "locked/sub", 0755), 0);
                        assert_int_equal(fchmodat(cur, "locked", 0000, 0), 0);
                }
                assert_int_equal(mkdirat(cur, "d", 0755), 0);
                next = openat(cur, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                assert_true(next >= 0);
                close(cur);
                cur = next;
        }
        write_at(cur, "bottom", "z");
        close(cur);
}

/* The highest fd open in this process. */
static int highest_fd(void)
{
        int high = 2;

        for (int fd = 3; fd < 1024; fd++)
                if (fcntl(fd, F_GETFD) >= 0)
                        high = fd;
        return high;
}

/* 10,000 levels removed by a process that may open no more than
 * RC_RM_RF_MAX_FDS descriptors; what symlinks point to survives. */
static void test_deep_tree_bounded_fds(void **state)
{
        struct fixture *f = *state;
        char *outside = xasprintf("%s/outside", f->dir);
        struct timespec t0, t1;
        struct stat st;
        int status;
        pid_t pid;

        assert_int_equal(mkdirat(f->dfd, "outside", 0755), 0);
        write_at(f->dfd, "outside/keep", "keep");
        make_deep_tree(f->dfd, "deep", 10000, outside);

        clock_gettime(CLOCK_MONOTONIC, &t0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                struct rlimit rl;
                rc_error *err = NULL;
                rl.rlim_cur = rl.rlim_max = (rlim_t)highest_fd() + 1 + RC_RM_RF_MAX_FDS;
                if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
                        _exit(3);
                if (rc_rm_rf_at(f->dfd, "deep", &err) < 0) {
                        fprintf(stderr, "rc_rm_rf_at: %s\n", err->msg);
                        _exit(1);
                }
                _exit(0);
        }
        assert_int_equal(waitpid(pid, &status, 0), pid);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
        print_message("# removed 10000 levels in %.2f s with at most %d fds\n",
                      (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, RC_RM_RF_MAX_FDS);
        assert_int_equal(fstatat(f->dfd, "deep", &st, AT_SYMLINK_NOFOLLOW), -1);
        assert_int_equal(errno, ENOENT);
        assert_int_equal(fstatat(f->dfd, "outside/keep", &st, 0), 0);
        free(outside);
}

/* The top itself a symlink: the link goes, its target stays.  A file: it
 * goes.  Missing: not an error. */
static void test_top_kinds(void **state)
{
        struct fixture *f = *state;
        rc_error *err = NULL;
        struct stat st;

        assert_int_equal(mkdirat(f->dfd, "target", 0755), 0);
        write_at(f->dfd, "target/keep", "k");
        assert_int_equal(symlinkat("target", f->dfd, "link"), 0);
        assert_int_equal(rc_rm_rf_at(f->dfd, "link", &err), 0);
        assert_int_equal(fstatat(f->dfd, "link", &st, AT_SYMLINK_NOFOLLOW), -1);
        assert_int_equal(fstatat(f->dfd, "target/keep", &st, 0), 0);

        write_at(f->dfd, "file", "f");
        assert_int_equal(rc_rm_rf_at(f->dfd, "file", &err), 0);
        assert_int_equal(fstatat(f->dfd, "file", &st, AT_SYMLINK_NOFOLLOW), -1);

        assert_int_equal(rc_rm_rf_at(f->dfd, "missing", &err), 0);
        assert_null(err);
}

/* A wide directory (many entries, some directories) next to a deep one:
 * every entry goes. */
static void test_wide_tree(void **state)
{
        struct fixture *f = *state;
        rc_error *err = NULL;
        char name[32], *path;

        assert_int_equal(mkdirat(f->dfd, "w", 0755), 0);
        for (int i = 0; i < 3000; i++) {
                snprintf(name, sizeof(name), "w/%d", i);
                if (i % 3 == 0) {
                        assert_int_equal(mkdirat(f->dfd, name, 0755), 0);
                        snprintf(name, sizeof(name), "w/%d/f", i);
                }
                write_at(f->dfd, name, "x");
        }
        make_deep_tree(f->dfd, "w/deep", 100, "/etc");
        path = xasprintf("%s/w", f->dir);
        assert_int_equal(rc_rm_rf(path, &err), 0);
        assert_int_equal(faccessat(f->dfd, "w", F_OK, AT_SYMLINK_NOFOLLOW), -1);
        free(path);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_deep_tree_bounded_fds, setup, teardown),
                cmocka_unit_test_setup_teardown(test_top_kinds, setup, teardown),
                cmocka_unit_test_setup_teardown(test_wide_tree, setup, teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
