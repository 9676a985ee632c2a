/* OCI image config (also Docker's image JSON, whose fields match):
 * parsing hostile input and writing the canonical form rc hashes. */
#include "image/image.h"

#include <stdlib.h>
#include <string.h>

#include "image/internal.h"
#include "util/digest.h"
#include "util/xalloc.h"

#define DOC "image config"

/* Healthcheck: Test an array of strings; Interval, Timeout, StartPeriod,
 * StartInterval (nanoseconds) and Retries integers; kept as compact JSON. */
static int parse_healthcheck(json_object *cfg, struct rc_image_config *c, rc_error **err)
{
        static const char *const ints[] = { "Interval", "Timeout", "StartPeriod", "StartInterval", "Retries" };
        static const char *const p = "config.Healthcheck.";
        cleanup_strv char **test = NULL;
        json_object *h;

        if (rc_json_get_object(cfg, DOC, "config.", "Healthcheck", false, &h, err) < 0)
                return -1;
        if (h == NULL)
                return 0;
        if (rc_json_get_strv(h, DOC, p, "Test", false, &test, err) < 0)
                return -1;
        for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
                json_object *v = rc_json_member(h, ints[i]);
                if (v && !json_object_is_type(v, json_type_int))
                        return rc_error_set(err, 0, DOC ": %s%s must be an integer", p, ints[i]);
        }
        c->healthcheck_json = rc_json_to_string(h);
        return 0;
}

static int parse_exec_config(json_object *cfg, struct rc_image_config *c, rc_error **err)
{
        static const char *const p = "config.";

        if (rc_json_get_string(cfg, DOC, p, "User", false, &c->user, err) < 0 ||
            rc_json_get_strv(cfg, DOC, p, "Env", false, &c->env, err) < 0 ||
            rc_json_get_strv(cfg, DOC, p, "Entrypoint", false, &c->entrypoint, err) < 0 ||
            rc_json_get_strv(cfg, DOC, p, "Cmd", false, &c->cmd, err) < 0 ||
            rc_json_get_string(cfg, DOC, p, "WorkingDir", false, &c->working_dir, err) < 0 ||
            rc_json_get_keys(cfg, DOC, p, "ExposedPorts", &c->exposed_ports, err) < 0 ||
            rc_json_get_keys(cfg, DOC, p, "Volumes", &c->volumes, err) < 0 ||
            rc_json_get_string(cfg, DOC, p, "StopSignal", false, &c->stop_signal, err) < 0 ||
            rc_json_get_string_map(cfg, DOC, p, "Labels", &c->labels, err) < 0 ||
            rc_json_get_strv(cfg, DOC, p, "OnBuild", false, &c->onbuild, err) < 0 ||
            rc_json_get_strv(cfg, DOC, p, "Shell", false, &c->shell, err) < 0 ||
            parse_healthcheck(cfg, c, err) < 0)
                return -1;
        return 0;
}

static int parse_rootfs(json_object *root, struct rc_image_config *c, rc_error **err)
{
        cleanup_free char *type = NULL;
        json_object *rootfs;

        if (rc_json_get_object(root, DOC, "", "rootfs", true, &rootfs, err) < 0 ||
            rc_json_get_string(rootfs, DOC, "rootfs.", "type", true, &type, err) < 0)
                return -1;
        if (strcmp(type, "layers") != 0)
                return rc_error_set(err, 0, DOC ": rootfs.type is \"%s\"; only \"layers\" is supported", type);
        if (rc_json_get_strv(rootfs, DOC, "rootfs.", "diff_ids", true, &c->diff_ids, err) < 0)
                return -1;
        for (size_t i = 0; c->diff_ids[i]; i++)
                if (!rc_digest_valid(c->diff_ids[i]))
                        return rc_error_set(err, 0,
                                            DOC ": rootfs.diff_ids[%zu] \"%.80s\" is not a sha256 digest "
                                            "(\"sha256:\" and 64 lowercase hex digits)",
                                            i, c->diff_ids[i]);
        return 0;
}

/* History entries are objects; rc keeps them as they are. */
static int check_history(json_object *h, rc_error **err)
{
        size_t n = json_object_array_length(h);

        if (n > RC_IMAGE_MAX_ENTRIES)
                return rc_error_set(err, 0, DOC ": history has more than %d entries", RC_IMAGE_MAX_ENTRIES);
        for (size_t i = 0; i < n; i++)
                if (!json_object_is_type(json_object_array_get_idx(h, i), json_type_object))
                        return rc_error_set(err, 0, DOC ": history[%zu] must be an object", i);
        return 0;
}

static int parse_history(json_object *root, struct rc_image_config *c, rc_error **err)
{
        json_object *h = rc_json_member(root, "history");

        if (h == NULL)
                return 0;
        if (!json_object_is_type(h, json_type_array))
                return rc_error_set(err, 0, DOC ": history must be an array of objects");
        if (check_history(h, err) < 0)
                return -1;
        c->history_json = rc_json_to_string(h);
        return 0;
}

int rc_image_config_parse(const char *json, size_t len, struct rc_image_config *out, rc_error **err)
{
        cleanup_json json_object *root = NULL;
        struct rc_image_config c = { 0 };
        json_object *cfg;

        if (rc_json_parse(json, len, DOC, json_type_object, &root, err) < 0)
                return -1;
        if (rc_json_get_string(root, DOC, "", "architecture", true, &c.architecture, err) < 0 ||
            rc_json_get_string(root, DOC, "", "os", true, &c.os, err) < 0 ||
            rc_json_get_string(root, DOC, "", "variant", false, &c.variant, err) < 0 ||
            rc_json_get_string(root, DOC, "", "created", false, &c.created, err) < 0 ||
            rc_json_get_string(root, DOC, "", "author", false, &c.author, err) < 0 ||
            rc_json_get_object(root, DOC, "", "config", false, &cfg, err) < 0)
                goto fail;
        if (cfg && parse_exec_config(cfg, &c, err) < 0)
                goto fail;
        if (parse_rootfs(root, &c, err) < 0 || parse_history(root, &c, err) < 0)
                goto fail;
        *out = c;
        return 0;
fail:
        rc_image_config_free(&c);
        return -1;
}

/* Labels as {"key": "value"}; each entry must be "key=value". */
static int add_labels(json_object *obj, char *const *labels, rc_error **err)
{
        json_object *o;

        if (labels == NULL)
                return 0;
        o = json_object_new_object();
        json_object_object_add(obj, "Labels", o);
        for (size_t i = 0; labels[i]; i++) {
                const char *eq = strchr(labels[i], '=');
                cleanup_free char *key = NULL;
                if (eq == NULL)
                        return rc_error_set(err, 0, DOC ": label \"%s\" is not of the form key=value", labels[i]);
                key = xstrndup(labels[i], (size_t)(eq - labels[i]));
                json_object_object_add(o, key, json_object_new_string(eq + 1));
        }
        return 0;
}

static bool exec_config_empty(const struct rc_image_config *c)
{
        return !c->user && !c->env && !c->entrypoint && !c->cmd && !c->working_dir && !c->exposed_ports &&
               !c->volumes && !c->stop_signal && !c->labels && !c->healthcheck_json && !c->onbuild && !c->shell;
}

int rc_image_config_to_json(const struct rc_image_config *c, char **out, rc_error **err)
{
        cleanup_json json_object *root = NULL, *history = NULL, *healthcheck = NULL;
        json_object *rootfs, *diff_ids;

        if (c->architecture == NULL || c->os == NULL)
                return rc_error_set(err, 0, DOC ": architecture and os are required");
        if (c->history_json && (rc_json_parse(c->history_json, strlen(c->history_json), DOC ": history",
                                              json_type_array, &history, err) < 0 ||
                                check_history(history, err) < 0))
                return -1;
        if (c->healthcheck_json && rc_json_parse(c->healthcheck_json, strlen(c->healthcheck_json),
                                                 DOC ": Healthcheck", json_type_object, &healthcheck, err) < 0)
                return -1;

        /* The order of the OCI spec's definition, as Go tools write it. */
        root = json_object_new_object();
        rc_json_add_string(root, "created", c->created);
        rc_json_add_string(root, "author", c->author);
        rc_json_add_string(root, "architecture", c->architecture);
        rc_json_add_string(root, "os", c->os);
        rc_json_add_string(root, "variant", c->variant);
        if (!exec_config_empty(c)) {
                json_object *cfg = json_object_new_object();
                json_object_object_add(root, "config", cfg);
                rc_json_add_string(cfg, "User", c->user);
                rc_json_add_keys(cfg, "ExposedPorts", c->exposed_ports);
                rc_json_add_strv(cfg, "Env", c->env);
                rc_json_add_strv(cfg, "Entrypoint", c->entrypoint);
                rc_json_add_strv(cfg, "Cmd", c->cmd);
                if (healthcheck)
                        json_object_object_add(cfg, "Healthcheck", steal_pointer(&healthcheck));
                rc_json_add_keys(cfg, "Volumes", c->volumes);
                rc_json_add_string(cfg, "WorkingDir", c->working_dir);
                rc_json_add_strv(cfg, "OnBuild", c->onbuild);
                if (add_labels(cfg, c->labels, err) < 0)
                        return -1;
                rc_json_add_string(cfg, "StopSignal", c->stop_signal);
                rc_json_add_strv(cfg, "Shell", c->shell);
        }
        rootfs = json_object_new_object();
        json_object_object_add(root, "rootfs", rootfs);
        json_object_object_add(rootfs, "type", json_object_new_string("layers"));
        diff_ids = json_object_new_array();
        json_object_object_add(rootfs, "diff_ids", diff_ids);
        for (size_t i = 0; c->diff_ids && c->diff_ids[i]; i++) {
                if (!rc_digest_valid(c->diff_ids[i]))
                        return rc_error_set(err, 0, DOC ": diff_id \"%s\" is not a sha256 digest", c->diff_ids[i]);
                json_object_array_add(diff_ids, json_object_new_string(c->diff_ids[i]));
        }
        if (history)
                json_object_object_add(root, "history", steal_pointer(&history));
        *out = rc_json_to_string(root);
        return 0;
}

void rc_image_config_free(struct rc_image_config *c)
{
        if (c == NULL)
                return;
        free(c->architecture);
        free(c->os);
        free(c->variant);
        free(c->created);
        free(c->author);
        free(c->user);
        strv_free(c->env);
        strv_free(c->entrypoint);
        strv_free(c->cmd);
        free(c->working_dir);
        strv_free(c->exposed_ports);
        strv_free(c->volumes);
        free(c->stop_signal);
        strv_free(c->labels);
        free(c->healthcheck_json);
        strv_free(c->onbuild);
        strv_free(c->shell);
        strv_free(c->diff_ids);
        free(c->history_json);
        memset(c, 0, sizeof(*c));
}
