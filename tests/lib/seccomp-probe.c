/* seccomp-probe CALL...: make each system call and print "CALL: ok" or
 * "CALL: ERRNO-NAME" (EPERM, ENOSYS...), one line each, so a test can see
 * what a container's seccomp filter lets through.  Built static for the
 * busybox test image. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *errname(int e)
{
        switch (e) {
        case EPERM: return "EPERM";
        case ENOSYS: return "ENOSYS";
        case EBADF: return "EBADF";
        case EINVAL: return "EINVAL";
        case EACCES: return "EACCES";
        case EAFNOSUPPORT: return "EAFNOSUPPORT";
        default: return strerror(e);
        }
}

static long call(const char *name)
{
        if (!strcmp(name, "keyctl"))
                return syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL);
        if (!strcmp(name, "add_key"))
                return syscall(SYS_add_key, "user", "rc-probe", "x", 1, KEY_SPEC_PROCESS_KEYRING);
        if (!strcmp(name, "unshare-user"))
                return unshare(CLONE_NEWUSER);
        if (!strcmp(name, "unshare-files"))
                return unshare(CLONE_FILES);
        if (!strcmp(name, "clone3"))
                return syscall(SYS_clone3, NULL, 0);
        if (!strcmp(name, "setns"))
                return syscall(SYS_setns, -1, 0);
        if (!strcmp(name, "mount"))
                return mount("none", "/tmp", "tmpfs", 0, NULL);
        if (!strcmp(name, "vsock"))
                return socket(40, SOCK_STREAM, 0);
        if (!strcmp(name, "unix-socket"))
                return socket(AF_UNIX, SOCK_STREAM, 0);
        if (!strcmp(name, "personality-query"))
                return syscall(SYS_personality, 0xffffffffUL);
        if (!strcmp(name, "personality-bsd"))
                return syscall(SYS_personality, 0x0006UL);
        if (!strcmp(name, "getpid"))
                return syscall(SYS_getpid);
        errno = EINVAL;
        return -2;
}

int main(int argc, char **argv)
{
        for (int i = 1; i < argc; i++) {
                long r;
                errno = 0;
                r = call(argv[i]);
                if (r == -2) {
                        fprintf(stderr, "seccomp-probe: unknown call %s\n", argv[i]);
                        return 2;
                }
                printf("%s: %s\n", argv[i], r < 0 ? errname(errno) : "ok");
        }
        return 0;
}
