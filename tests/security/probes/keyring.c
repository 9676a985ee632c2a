/* keyring: what a container sees of its caller's session keyring.
 *   keyring hold DESC PAYLOAD CMD...  a new session keyring holding a "user"
 *                                     key DESC, then exec CMD (it inherits it)
 *   keyring find DESC                 search this process's session keyring:
 *                                     prints "found PAYLOAD" (exit 0), or
 *                                     "not found: ERROR" (exit 1)
 * Raw syscalls, so it builds statically without libkeyutils. */
#include <errno.h>
#include <linux/keyctl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
        char payload[256];
        long key, n;

        if (argc >= 5 && strcmp(argv[1], "hold") == 0) {
                if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, "rc-test-session") < 0 ||
                    syscall(SYS_add_key, "user", argv[2], argv[3], strlen(argv[3]), KEY_SPEC_SESSION_KEYRING) < 0) {
                        perror("keyring hold");
                        return 2;
                }
                execvp(argv[4], argv + 4);
                perror(argv[4]);
                return 2;
        }
        if (argc == 3 && strcmp(argv[1], "find") == 0) {
                key = syscall(SYS_keyctl, KEYCTL_SEARCH, KEY_SPEC_SESSION_KEYRING, "user", argv[2], 0);
                if (key < 0) {
                        printf("not found: %s\n", strerror(errno));
                        return 1;
                }
                n = syscall(SYS_keyctl, KEYCTL_READ, key, payload, sizeof(payload) - 1);
                if (n < 0) {
                        printf("found, unreadable: %s\n", strerror(errno));
                        return 0;
                }
                payload[n < (long)sizeof(payload) ? n : (long)sizeof(payload) - 1] = '\0';
                printf("found %s\n", payload);
                return 0;
        }
        fprintf(stderr, "usage: keyring hold DESC PAYLOAD CMD... | keyring find DESC\n");
        return 2;
}
