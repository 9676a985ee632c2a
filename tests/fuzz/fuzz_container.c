/* libFuzzer entry point for what an image config hands the runtime: the
 * config JSON, the image's /etc/passwd and /etc/group, and a -w/-u/-e
 * override, separated by NUL bytes.  The process settings rc derives
 * (argv, environment, user, working directory) must keep their
 * invariants, and the runtime spec built from them must be valid JSON. */
#include <json-c/json.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "container/container.h"
#include "util/xalloc.h"

/* The next NUL-terminated part of the input (or the rest of it). */
static char *next_part(const char **p, const char *end)
{
        const char *nul = memchr(*p, '\0', (size_t)(end - *p));
        const char *stop = nul ? nul : end;
        char *s = xstrndup(*p, (size_t)(stop - *p));

        *p = nul ? nul + 1 : end;
        return s;
}

static void check_env(char **env)
{
        for (size_t i = 0; env[i]; i++) {
                size_t klen = strcspn(env[i], "=");
                if (env[i][klen] != '=')
                        abort();
                for (size_t j = 0; j < i; j++)
                        if (strncmp(env[j], env[i], klen + 1) == 0)
                                abort(); /* a key twice: the later value must have replaced it */
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const char *p = (const char *)data, *end = p + size;
        cleanup_free char *config = next_part(&p, end), *passwd = next_part(&p, end);
        cleanup_free char *group = next_part(&p, end), *override = next_part(&p, end);
        struct rc_image_config img = { 0 };
        cleanup_container_user struct rc_container_user user = { 0 };
        struct rc_spec spec;
        char *overrides[] = { override, NULL };
        char *json = NULL;
        rc_error *err = NULL;
        json_object *parsed;

        if (rc_image_config_parse(config, strlen(config), &img, &err) < 0) {
                rc_error_free(err);
                return 0;
        }
        rc_spec_init_default(&spec);
        spec.args = rc_container_args(&img, NULL, NULL);

        free(spec.cwd);
        spec.cwd = NULL;
        if (rc_container_workdir(img.working_dir, *override == '/' ? override : NULL, &spec.cwd, &err) < 0) {
                rc_error_free(err);
                err = NULL;
        } else if (spec.cwd[0] != '/') {
                abort();
        }
        if (rc_container_parse_user(img.user, passwd, group, &user, &err) < 0) {
                rc_error_free(err);
                err = NULL;
        } else {
                if (user.uid == UINT32_MAX || user.gid == UINT32_MAX || user.home == NULL || user.home[0] == '\0')
                        abort(); /* (uid_t)-1 means "unchanged" to setresuid */
                for (size_t i = 0; i < user.n_groups; i++)
                        if (user.groups[i] == UINT32_MAX)
                                abort();
                spec.uid = user.uid;
                spec.gid = user.gid;
        }
        spec.env = rc_container_env(img.env, overrides, NULL, "fuzz", user.home);
        check_env(spec.env);
        if (rc_spec_to_json(&spec, &json, &err) < 0)
                abort();
        parsed = json_tokener_parse(json);
        if (parsed == NULL)
                abort();
        json_object_put(parsed);
        free(json);
        rc_spec_free(&spec);
        rc_image_config_free(&img);
        return 0;
}
