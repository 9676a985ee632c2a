/* exec of the container's command, with docker's PATH lookup semantics. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/internal.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static const char *env_path(char *const *env)
{
        for (size_t i = 0; env && env[i]; i++)
                if (strncmp(env[i], "PATH=", 5) == 0)
                        return env[i] + 5;
        return DEFAULT_PATH;
}

/* ENOENT without ": No such file or directory" appended to the text. */
static int __attribute__((format(printf, 2, 3))) not_found(struct rc_child_error *e, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
        va_end(ap);
        e->errnum = ENOENT;
        errno = ENOENT;
        return -1;
}

int rc_exec_process(const struct rc_spec *spec, struct rc_child_error *e)
{
        const char *cmd = spec->args[0];
        char candidate[4096];
        int first_errno = ENOENT;

        e->at_exec = true;

        if (strchr(cmd, '/')) {
                execve(cmd, spec->args, spec->env);
                if (errno == ENOENT)
                        return not_found(e, "exec \"%s\": no such file or directory in the container", cmd);
                return rc_child_fail(e, errno == ENOEXEC ? EACCES : errno, "exec \"%s\"", cmd);
        }
        for (const char *p = env_path(spec->env); ; ) {
                const char *colon = strchrnul(p, ':');
                size_t dirlen = (size_t)(colon - p);
                struct stat st;

                if (dirlen == 0)
                        snprintf(candidate, sizeof(candidate), "./%s", cmd);
                else
                        snprintf(candidate, sizeof(candidate), "%.*s/%s", (int)dirlen, p, cmd);
                if (stat(candidate, &st) == 0 && S_ISREG(st.st_mode)) {
                        execve(candidate, spec->args, spec->env);
                        if (first_errno == ENOENT)
                                first_errno = errno;
                }
                if (*colon == '\0')
                        break;
                p = colon + 1;
        }
        if (first_errno == ENOENT)
                return not_found(e, "exec \"%s\": executable file not found in $PATH", cmd);
        return rc_child_fail(e, first_errno == ENOEXEC ? EACCES : first_errno, "exec \"%s\"", cmd);
}
