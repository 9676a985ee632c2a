/* What the metadata instructions (ENV, LABEL, CMD...) do to an image
 * config, as Docker does it; shared by rc build and rc commit --change. */
#include <errno.h>
#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build/internal.h"
#include "image/image.h"
#include "util/duration.h"
#include "util/signal.h"
#include "util/xalloc.h"

static int expand(const struct bld_apply *a, const char *word, char **out, rc_error **err)
{
        return rc_df_expand(word, a->escape, 0, a->lookup, a->ctx, out, err);
}

/* Set "key=value" in a list of such entries (replacing the key's entry). */
void bld_kv_set(char ***list, const char *key, const char *value)
{
        size_t klen = strlen(key), n = strv_len(*list);
        char *entry = xasprintf("%s=%s", key, value);

        if (*list == NULL)
                *list = xcalloc(1, sizeof(char *));
        for (size_t i = 0; i < n; i++) {
                if (strncmp((*list)[i], key, klen) == 0 && (*list)[i][klen] == '=') {
                        free((*list)[i]);
                        (*list)[i] = entry;
                        return;
                }
        }
        strv_push(list, entry);
        free(entry);
}

/* The value of key in a "key=value" list, or NULL. */
const char *bld_kv_get(char *const *list, const char *key, size_t klen)
{
        for (size_t i = 0; list && list[i]; i++)
                if (strncmp(list[i], key, klen) == 0 && list[i][klen] == '=')
                        return list[i] + klen + 1;
        return NULL;
}

static void set_add(char ***list, const char *v)
{
        if (*list == NULL)
                *list = xcalloc(1, sizeof(char *));
        if (!strv_contains(*list, v))
                strv_push(list, v);
}

char *bld_clean_path(const char *base, const char *path)
{
        cleanup_free char *joined = path[0] == '/' ? xstrdup(path) : xasprintf("%s/%s", base ? base : "/", path);
        char **parts = xcalloc(strlen(joined) + 1, sizeof(char *));
        size_t n = 0;
        struct bld_buf out = { 0 };

        for (char *save = NULL, *c = strtok_r(joined, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
                if (strcmp(c, ".") == 0)
                        continue;
                if (strcmp(c, "..") == 0) {
                        if (n > 0)
                                n--;
                        continue;
                }
                parts[n++] = c;
        }
        for (size_t i = 0; i < n; i++) {
                bld_buf_addc(&out, '/');
                bld_buf_add(&out, parts[i], strlen(parts[i]));
        }
        if (n == 0)
                bld_buf_addc(&out, '/');
        free(parts);
        return bld_buf_steal(&out);
}

/* The args of a shell-form instruction: the SHELL and the command line. */
static char **shell_form(const struct rc_image_config *c, const char *text)
{
        char **v = c->shell && c->shell[0] ? strv_dup(c->shell) : NULL;

        if (v == NULL) {
                v = xcalloc(1, sizeof(char *));
                strv_push(&v, "/bin/sh");
                strv_push(&v, "-c");
        }
        strv_push(&v, text);
        return v;
}

char **bld_command_args(const struct rc_image_config *c, const struct rc_df_inst *in, size_t from)
{
        if (in->json)
                return strv_dup(in->args + from);
        return shell_form(c, in->args[from]);
}

static char *json_strv(char *const *v)
{
        json_object *a = json_object_new_array();
        char *s;

        for (size_t i = 0; v && v[i]; i++)
                json_object_array_add(a, json_object_new_string(v[i]));
        s = xstrdup(json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(a);
        return s;
}

static int healthcheck(struct rc_image_config *c, const struct rc_df_inst *in, rc_error **err)
{
        static const struct {
                const char *flag, *key;
        } durations[] = { { "interval", "Interval" }, { "timeout", "Timeout" }, { "start-period", "StartPeriod" },
                          { "start-interval", "StartInterval" } };
        json_object *h = json_object_new_object(), *test = json_object_new_array();
        const char *v;

        json_object_object_add(h, "Test", test);
        if (strcmp(in->args[0], "NONE") == 0) {
                json_object_array_add(test, json_object_new_string("NONE"));
        } else if (in->json) {
                json_object_array_add(test, json_object_new_string("CMD"));
                for (size_t i = 1; in->args[i]; i++)
                        json_object_array_add(test, json_object_new_string(in->args[i]));
        } else {
                json_object_array_add(test, json_object_new_string("CMD-SHELL"));
                json_object_array_add(test, json_object_new_string(in->args[1]));
        }
        for (size_t i = 0; i < sizeof(durations) / sizeof(durations[0]); i++) {
                int64_t ns;
                if (!rc_df_flag(in, durations[i].flag, &v))
                        continue;
                if (rc_duration_parse(v, &ns) < 0 || (ns != 0 && ns < 1000000)) {
                        json_object_put(h);
                        return rc_error_set(err, 0, "--%s \"%s\": a duration of at least 1ms, such as 30s or 1m30s",
                                            durations[i].flag, v);
                }
                json_object_object_add(h, durations[i].key, json_object_new_int64(ns));
        }
        if (rc_df_flag(in, "retries", &v)) {
                char *end;
                long r = strtol(v, &end, 10);
                if (*v == '\0' || *end || r < 0 || r > INT32_MAX) {
                        json_object_put(h);
                        return rc_error_set(err, 0, "--retries \"%s\": a number, 0 or more", v);
                }
                json_object_object_add(h, "Retries", json_object_new_int64(r));
        }
        free(c->healthcheck_json);
        c->healthcheck_json = xstrdup(json_object_to_json_string_ext(h, JSON_C_TO_STRING_PLAIN |
                                                                             JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(h);
        return 0;
}

/* "80", "80/udp", "8000-8010/tcp": each port as "N/proto". */
static int expose(struct rc_image_config *c, const char *spec, rc_error **err)
{
        const char *slash = strchr(spec, '/');
        cleanup_free char *proto = xstrdup(slash ? slash + 1 : "tcp");
        unsigned long lo, hi;
        char *end;

        for (char *p = proto; *p; p++)
                *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
        if (strcmp(proto, "tcp") && strcmp(proto, "udp") && strcmp(proto, "sctp"))
                return rc_error_set(err, 0, "invalid proto: %s (tcp, udp or sctp)", proto);
        lo = strtoul(spec, &end, 10);
        hi = lo;
        if (end != spec && *end == '-')
                hi = strtoul(end + 1, &end, 10);
        if (end == spec || (*end && *end != '/') || lo == 0 || hi > 65535 || lo > hi)
                return rc_error_set(err, 0, "invalid port: %s", spec);
        if (strv_len(c->exposed_ports) + (hi - lo) >= RC_IMAGE_MAX_ENTRIES)
                return rc_error_set(err, 0, "more than %d exposed ports", RC_IMAGE_MAX_ENTRIES);
        for (unsigned long p = lo; p <= hi; p++) {
                char buf[32];
                snprintf(buf, sizeof(buf), "%lu/%s", p, proto);
                set_add(&c->exposed_ports, buf);
        }
        return 0;
}

static int name_values(struct rc_image_config *c, const struct rc_df_inst *in, struct bld_apply *a,
                       struct bld_buf *desc, rc_error **err)
{
        size_t n = strv_len(in->args);
        char **keys = xcalloc(n / 2 + 1, sizeof(char *)), **values = xcalloc(n / 2 + 1, sizeof(char *));
        int r = -1;

        /* every value is expanded with the variables from before the
         * instruction: ENV a=1 b=$a sees the old a */
        for (size_t i = 0; i + 1 < n; i += 2) {
                if (expand(a, in->args[i], &keys[i / 2], err) < 0 || expand(a, in->args[i + 1], &values[i / 2], err) < 0)
                        goto out;
                if (keys[i / 2][0] == '\0' || strchr(keys[i / 2], '=')) {
                        rc_error_set(err, 0, "\"%s\" is not a valid name", keys[i / 2]);
                        goto out;
                }
        }
        for (size_t i = 0; keys[i]; i++) {
                char ***list = in->cmd == RC_DF_ENV ? &c->env : &c->labels;
                if (strv_len(*list) >= RC_IMAGE_MAX_ENTRIES && !bld_kv_get(*list, keys[i], strlen(keys[i]))) {
                        rc_error_set(err, 0, "more than %d entries", RC_IMAGE_MAX_ENTRIES);
                        goto out;
                }
                bld_kv_set(list, keys[i], values[i]);
                bld_buf_add(desc, " ", 1);
                bld_buf_add(desc, keys[i], strlen(keys[i]));
                bld_buf_addc(desc, '=');
                bld_buf_add(desc, values[i], strlen(values[i]));
        }
        r = 0;
out:
        strv_free(keys);
        strv_free(values);
        return r;
}

/* Expand every word of a list instruction into v (EXPOSE, VOLUME). */
static int each_word(const struct rc_df_inst *in, struct bld_apply *a, struct rc_image_config *c,
                     struct bld_buf *desc, rc_error **err)
{
        for (size_t i = 0; in->args[i]; i++) {
                cleanup_free char *w = NULL;
                if (expand(a, in->args[i], &w, err) < 0)
                        return -1;
                if (in->cmd == RC_DF_EXPOSE) {
                        if (expose(c, w, err) < 0)
                                return -1;
                } else {
                        if (w[0] == '\0')
                                return rc_error_set(err, 0, "a volume can not be an empty string");
                        if (strv_len(c->volumes) >= RC_IMAGE_MAX_ENTRIES)
                                return rc_error_set(err, 0, "more than %d volumes", RC_IMAGE_MAX_ENTRIES);
                        set_add(&c->volumes, w);
                }
                bld_buf_addc(desc, ' ');
                bld_buf_add(desc, w, strlen(w));
        }
        return 0;
}

static void set_string(char **field, char *value)
{
        free(*field);
        *field = value;
}

int bld_config_apply(struct rc_image_config *c, const struct rc_df_inst *in, struct bld_apply *a, char **desc_out,
                     rc_error **err)
{
        struct bld_buf desc = { 0 };
        const char *name = rc_df_cmd_name(in->cmd);
        char *w = NULL;
        int r = 0;

        bld_buf_add(&desc, name, strlen(name));
        switch (in->cmd) {
        case RC_DF_ENV:
        case RC_DF_LABEL:
                r = name_values(c, in, a, &desc, err);
                break;
        case RC_DF_EXPOSE:
        case RC_DF_VOLUME:
                r = each_word(in, a, c, &desc, err);
                break;
        case RC_DF_WORKDIR:
                r = expand(a, in->args[0], &w, err);
                if (r == 0) {
                        set_string(&c->working_dir, bld_clean_path(c->working_dir, w));
                        bld_buf_addc(&desc, ' ');
                        bld_buf_add(&desc, c->working_dir, strlen(c->working_dir));
                }
                break;
        case RC_DF_USER:
        case RC_DF_STOPSIGNAL:
                r = expand(a, in->args[0], &w, err);
                if (r == 0 && in->cmd == RC_DF_STOPSIGNAL && rc_signal_parse(w) <= 0)
                        r = rc_error_set(err, 0, "\"%s\" is not a signal (e.g. SIGTERM, TERM, 15)", w);
                if (r == 0) {
                        set_string(in->cmd == RC_DF_USER ? &c->user : &c->stop_signal, xstrdup(w));
                        bld_buf_addc(&desc, ' ');
                        bld_buf_add(&desc, w, strlen(w));
                }
                break;
        case RC_DF_MAINTAINER:
                /* Docker's Author, and the label that replaces it */
                set_string(&c->author, xstrdup(in->args[0]));
                bld_kv_set(&c->labels, "maintainer", in->args[0]);
                bld_buf_addc(&desc, ' ');
                bld_buf_add(&desc, in->args[0], strlen(in->args[0]));
                break;
        case RC_DF_CMD:
        case RC_DF_ENTRYPOINT: {
                char **args = bld_command_args(c, in, 0);
                w = json_strv(args);
                if (in->cmd == RC_DF_CMD) {
                        strv_free(c->cmd);
                        c->cmd = args;
                        a->cmd_set = true;
                } else {
                        strv_free(c->entrypoint);
                        c->entrypoint = args;
                        /* a new entrypoint drops the base image's command, not one this stage gave */
                        if (!a->cmd_set) {
                                strv_free(c->cmd);
                                c->cmd = NULL;
                        }
                }
                bld_buf_addc(&desc, ' ');
                bld_buf_add(&desc, w, strlen(w));
                break;
        }
        case RC_DF_SHELL:
                strv_free(c->shell);
                c->shell = strv_dup(in->args);
                w = json_strv(in->args);
                bld_buf_addc(&desc, ' ');
                bld_buf_add(&desc, w, strlen(w));
                break;
        case RC_DF_HEALTHCHECK:
                r = healthcheck(c, in, err);
                if (r == 0) {
                        bld_buf_addc(&desc, ' ');
                        bld_buf_add(&desc, c->healthcheck_json, strlen(c->healthcheck_json));
                }
                break;
        case RC_DF_ONBUILD:
                if (strv_len(c->onbuild) >= RC_IMAGE_MAX_ENTRIES) {
                        r = rc_error_set(err, 0, "more than %d triggers", RC_IMAGE_MAX_ENTRIES);
                        break;
                }
                if (c->onbuild == NULL)
                        c->onbuild = xcalloc(1, sizeof(char *));
                strv_push(&c->onbuild, in->args[0]);
                bld_buf_addc(&desc, ' ');
                bld_buf_add(&desc, in->args[0], strlen(in->args[0]));
                break;
        default:
                r = rc_error_code(err, EINVAL, "%s does not change an image's configuration", name);
                break;
        }
        free(w);
        if (r < 0) {
                free(desc.p);
                return rc_error_wrap(err, "%s", name);
        }
        *desc_out = bld_buf_steal(&desc);
        return 0;
}
