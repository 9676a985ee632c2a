/* rc commit: a container's changes as a new image. */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build/internal.h"
#include "container/container.h"
#include "images/images.h"
#include "util/fs.h"
#include "util/xalloc.h"

extern char **environ;

static const char *env_lookup(void *ctx, const char *name, size_t len)
{
        return bld_kv_get(ctx, name, len);
}

/* --entrypoint as rc run took it: "" clears it, a JSON array of strings
 * is the program and its first arguments, anything else the program. */
static char **entrypoint_override(const char *s)
{
        char **v = xcalloc(1, sizeof(char *));
        json_object *j;

        if (*s == '\0')
                return v;
        j = json_tokener_parse(s);
        if (j && json_object_is_type(j, json_type_array)) {
                size_t n = json_object_array_length(j);
                bool ok = n > 0;
                for (size_t i = 0; i < n && ok; i++)
                        ok = json_object_is_type(json_object_array_get_idx(j, i), json_type_string);
                for (size_t i = 0; i < n && ok; i++)
                        strv_push(&v, json_object_get_string(json_object_array_get_idx(j, i)));
                if (ok) {
                        json_object_put(j);
                        return v;
                }
        }
        json_object_put(j);
        strv_push(&v, s);
        return v;
}

/* What the container was created with goes into the image, as docker
 * commit does: its command, environment, user, working directory. */
static void apply_run_options(struct rc_image_config *c, const struct rc_run_opts *o)
{
        for (size_t i = 0; o->env && o->env[i]; i++) {
                const char *eq = strchr(o->env[i], '=');
                cleanup_free char *key = eq ? xstrndup(o->env[i], (size_t)(eq - o->env[i])) : xstrdup(o->env[i]);
                const char *value = eq ? eq + 1 : getenv(key);
                if (value && key[0])
                        bld_kv_set(&c->env, key, value);
        }
        if (o->entrypoint) {
                strv_free(c->entrypoint);
                c->entrypoint = entrypoint_override(o->entrypoint);
                strv_free(c->cmd);
                c->cmd = NULL;
        }
        if (o->cmd && o->cmd[0]) {
                strv_free(c->cmd);
                c->cmd = strv_dup(o->cmd);
        }
        if (o->user) {
                free(c->user);
                c->user = xstrdup(o->user);
        }
        if (o->workdir) {
                free(c->working_dir);
                c->working_dir = xstrdup(o->workdir);
        }
        if (o->stop_signal) {
                free(c->stop_signal);
                c->stop_signal = xstrdup(o->stop_signal);
        }
        /* the check the container ran (create.json holds it resolved), as podman commits it */
        if (o->health.test && !o->health.disable) {
                struct rc_health_config h = { .test = o->health.test,
                                              .interval = o->health.no_timer ? 0 : o->health.interval,
                                              .timeout = o->health.timeout,
                                              .start_period = o->health.start_period,
                                              .retries = o->health.retries };
                json_object *j = rc_health_config_json(&h);
                free(c->healthcheck_json);
                c->healthcheck_json = xstrdup(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN |
                                                                                    JSON_C_TO_STRING_NOSLASHESCAPE));
                json_object_put(j);
        }
}

static int apply_changes(struct rc_image_config *c, char *const *changes, rc_error **err)
{
        static const enum rc_df_cmd allowed[] = { RC_DF_CMD,    RC_DF_ENTRYPOINT, RC_DF_ENV,  RC_DF_EXPOSE,
                                                  RC_DF_LABEL,  RC_DF_ONBUILD,    RC_DF_STOPSIGNAL,
                                                  RC_DF_USER,   RC_DF_VOLUME,     RC_DF_WORKDIR };

        for (size_t i = 0; changes && changes[i]; i++) {
                struct rc_df_inst in;
                struct bld_apply a = { .escape = '\\', .lookup = env_lookup };
                cleanup_free char *desc = NULL;
                bool ok = false;
                int r;

                if (rc_df_parse_line(changes[i], '\\', &in, err) < 0)
                        return rc_error_wrap(err, "--change \"%s\"", changes[i]);
                for (size_t k = 0; k < sizeof(allowed) / sizeof(allowed[0]); k++)
                        ok = ok || in.cmd == allowed[k];
                if (!ok) {
                        rc_error_set(err, EINVAL,
                                     "--change \"%s\": %s cannot be changed (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, "
                                     "ONBUILD, STOPSIGNAL, USER, VOLUME and WORKDIR can)",
                                     changes[i], rc_df_cmd_name(in.cmd));
                        rc_df_inst_free(&in);
                        return -1;
                }
                a.ctx = c->env;
                a.cmd_set = true; /* an ENTRYPOINT change keeps the container's command */
                r = bld_config_apply(c, &in, &a, &desc, err);
                rc_df_inst_free(&in);
                if (r < 0)
                        return rc_error_wrap(err, "--change \"%s\"", changes[i]);
        }
        return 0;
}

/* The container's command as one line, for the history. */
static char *command_line(const char *json)
{
        json_object *j = json ? json_tokener_parse(json) : NULL;
        struct bld_buf b = { 0 };

        for (size_t i = 0; j && json_object_is_type(j, json_type_array) && i < json_object_array_length(j); i++) {
                const char *a = json_object_get_string(json_object_array_get_idx(j, i));
                if (i > 0)
                        bld_buf_addc(&b, ' ');
                bld_buf_add(&b, a ? a : "", a ? strlen(a) : 0);
        }
        json_object_put(j);
        return bld_buf_steal(&b);
}

int rc_build_commit(struct rc_store *s, const struct rc_commit_opts *o, char id_out[65], rc_error **err)
{
        struct rc_container_rec rec = { 0 };
        struct rc_saved_opts saved = { 0 };
        struct rc_image img = { 0 };
        struct rc_image_config cfg = { 0 };
        struct rc_layer layer;
        struct bld_changes ch = { 0 };
        cleanup_free char *opts_path = NULL, *changes_dir = NULL, *created_by = NULL;
        cleanup_strv char **lower = NULL;
        cleanup_strv char **layers = NULL;
        bool empty = true;
        int r = -1;

        if (rc_store_container_find(s, o->container, &rec, err) < 0)
                return -1;
        opts_path = rc_store_container_opts_path(s, &rec);
        if (bld_container_changes(s, &rec, &ch, &changes_dir, &lower, &img, err) < 0)
                goto out;
        if (rc_images_load_config(s, &img, &cfg, err) < 0 || rc_run_opts_load(opts_path, &saved, err) < 0) {
                rc_error_wrap(err, "container %s", rec.name);
                goto out;
        }
        layers = strv_dup(img.layers);
        /* a container that never started has no changes */
        if (rc_path_exists(changes_dir) &&
            bld_commit_changes(s, &ch, strv_len(layers) ? layers[strv_len(layers) - 1] : NULL, &layer, &empty,
                               err) < 0) {
                rc_error_wrap(err, "commit container %s", rec.name);
                goto out;
        }
        if (!empty)
                strv_push(&layers, layer.chain_id);
        bld_history_cover(&cfg, strv_len(img.layers));
        apply_run_options(&cfg, &saved.opts);
        if (apply_changes(&cfg, o->changes, err) < 0)
                goto out;
        free(cfg.created);
        cfg.created = bld_now_rfc3339();
        if (o->author) {
                free(cfg.author);
                cfg.author = xstrdup(o->author);
        }
        created_by = command_line(rec.command);
        bld_history_add(&cfg, cfg.created, created_by, o->author, o->message, empty);
        r = bld_image_store(s, &cfg, layers, (char *[]){ (char *)o->image, NULL }, id_out, err);
out:
        rc_image_config_free(&cfg);
        rc_image_free(&img);
        rc_saved_opts_free(&saved);
        rc_container_rec_free(&rec);
        return r;
}
