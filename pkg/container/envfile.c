/* --env-file: docker's format, one variable a line. */
#include "container/container.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/fs.h"
#include "util/xalloc.h"

#define MAX_ENV_FILE (16 * 1024 * 1024)

int rc_env_file_lines(const char *text, const char *name, char ***env, rc_error **err)
{
        cleanup_strv char **out = *env ? strv_dup(*env) : xcalloc(1, sizeof(char *));
        unsigned line_no = 0;

        for (const char *line = text; line && *line;) {
                const char *nl = strchr(line, '\n');
                size_t len = nl ? (size_t)(nl - line) : strlen(line);
                cleanup_free char *l = xstrndup(line, len);
                char *s = l, *eq;

                line = nl ? nl + 1 : NULL;
                line_no++;
                if (len && l[len - 1] == '\r')
                        l[len - 1] = '\0';
                s += strspn(s, " \t"); /* leading blanks go, as docker trims them */
                if (*s == '\0' || *s == '#')
                        continue;
                eq = strchr(s, '=');
                if (eq == s)
                        return rc_error_set(err, EINVAL, "%s, line %u: no variable name before '='", name, line_no);
                /* a name is everything before '=', and may hold no blanks */
                if (strcspn(s, " \t") < (size_t)(eq ? eq - s : (ptrdiff_t)strlen(s)))
                        return rc_error_set(err, EINVAL, "%s, line %u: variable name \"%.*s\" contains blanks", name,
                                            line_no, (int)(eq ? eq - s : (ptrdiff_t)strlen(s)), s);
                strv_push(&out, s);
        }
        strv_free(*env);
        *env = steal_pointer(&out);
        return 0;
}

int rc_env_file_read(const char *path, char ***env, rc_error **err)
{
        cleanup_free char *text = NULL;
        size_t len;

        if (rc_read_file(path, &text, &len, err) < 0)
                return rc_error_wrap(err, "--env-file");
        if (len > MAX_ENV_FILE)
                return rc_error_set(err, EFBIG, "--env-file %s: larger than 16 MiB", path);
        if (memchr(text, '\0', len))
                return rc_error_set(err, EINVAL, "--env-file %s: not a text file (a NUL byte)", path);
        return rc_env_file_lines(text, path, env, err);
}
