/* The builder: stages, their steps, the cache, the result.
 *
 * A stage's state is an image config, its layers and a cache key.  The key
 * starts from the base image's id (or the base stage's key) and takes in
 * every instruction with its variables expanded (an ARG with its value, a
 * RUN with the build arguments it sees, a COPY with the digest of what it
 * copies), so it names everything the state depends on.  A step that makes
 * a layer (RUN, COPY, ADD) is recorded as an image (kept like podman's
 * intermediate images, hidden from rc images without -a) in the store's
 * build cache under its key: a later build with the same key takes the
 * image instead of running the step.  Metadata steps cost nothing and are
 * applied again; a stage's result is cached under its final key too, so a
 * build with nothing changed gives the same image id. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "build/internal.h"
#include "images/images.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/xalloc.h"

extern char **environ;

/* Build arguments usable without an ARG (Docker's predefined ones); they
 * reach RUN steps but neither the history nor the cache key. */
static const char *const proxy_args[] = { "HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy",
                                          "FTP_PROXY",  "ftp_proxy",  "NO_PROXY",    "no_proxy",
                                          "ALL_PROXY",  "all_proxy",  NULL };

void bld_say(struct bld_builder *b, const char *fmt, ...)
{
        va_list ap;

        if (b->out == NULL)
                return;
        va_start(ap, fmt);
        vfprintf(b->out, fmt, ap);
        va_end(ap);
        fflush(b->out);
}

void bld_key_next(char key[RC_DIGEST_HEX_LEN + 1], const char *text)
{
        rc_sha256 *h = rc_sha256_new();
        char d[RC_DIGEST_LEN + 1];

        rc_sha256_update(h, key, strlen(key));
        rc_sha256_update(h, "\n", 1);
        rc_sha256_update(h, text, strlen(text));
        rc_sha256_final(h, d);
        memcpy(key, rc_digest_hex(d), RC_DIGEST_HEX_LEN + 1);
}

/* A "K=V" or "K" list's entry for name. */
static const char *var_entry(char *const *list, const char *name, size_t len)
{
        for (size_t i = 0; list && list[i]; i++)
                if (strncmp(list[i], name, len) == 0 && (list[i][len] == '=' || list[i][len] == '\0'))
                        return list[i];
        return NULL;
}

static const char *var_value(char *const *list, const char *name, size_t len)
{
        const char *e = var_entry(list, name, len);

        return e && e[len] == '=' ? e + len + 1 : NULL;
}

static void var_set(char ***list, const char *name, const char *value)
{
        size_t len = strlen(name), n = strv_len(*list);
        char *entry = value ? xasprintf("%s=%s", name, value) : xstrdup(name);

        if (*list == NULL)
                *list = xcalloc(1, sizeof(char *));
        for (size_t i = 0; i < n; i++) {
                if (strncmp((*list)[i], name, len) == 0 && ((*list)[i][len] == '=' || (*list)[i][len] == '\0')) {
                        free((*list)[i]);
                        (*list)[i] = entry;
                        return;
                }
        }
        strv_push(list, entry);
        free(entry);
}

const char *bld_stage_lookup(void *ctx, const char *name, size_t len)
{
        struct bld_stage *st = ctx;
        const char *v = bld_kv_get(st->config.env, name, len);

        /* ENV always wins over an ARG of the same name */
        return v ? v : var_value(st->args, name, len);
}

static const char *global_lookup(void *ctx, const char *name, size_t len)
{
        struct bld_builder *b = ctx;

        return var_value(b->globals, name, len);
}

static void mark_used(struct bld_builder *b, const char *name)
{
        if (var_entry(b->build_args, name, strlen(name)) && !strv_contains(b->used_args, name))
                strv_push(&b->used_args, name);
}

/* An ARG's value: --build-arg, else its default, else (global) nothing. */
static int declare_arg(struct bld_builder *b, const char *word, rc_df_lookup_fn lookup, void *ctx, char ***scope,
                       char **desc, rc_error **err)
{
        const char *eq = strchr(word, '=');
        cleanup_free char *name = eq ? xstrndup(word, (size_t)(eq - word)) : xstrdup(word);
        cleanup_free char *def = NULL;
        const char *value = var_value(b->build_args, name, strlen(name));

        if (eq && rc_df_expand(eq + 1, b->df.escape, 0, lookup, ctx, &def, err) < 0)
                return -1;
        mark_used(b, name);
        if (value == NULL)
                value = def;
        if (value == NULL && scope != &b->globals)
                value = var_value(b->globals, name, strlen(name)); /* a global ARG brought into the stage */
        var_set(scope, name, value);
        *desc = value ? xasprintf("%s=%s", name, value) : xstrdup(name);
        return 0;
}

static int global_args(struct bld_builder *b, rc_error **err)
{
        const char *os, *arch, *variant;
        cleanup_free char *platform = NULL;
        static const char *const kinds[] = { "TARGET", "BUILD" };

        rc_platform_host(&os, &arch, &variant);
        platform = variant ? xasprintf("%s/%s/%s", os, arch, variant) : xasprintf("%s/%s", os, arch);
        b->globals = xcalloc(1, sizeof(char *));
        for (size_t k = 0; k < 2; k++) {
                cleanup_free char *p = xasprintf("%sPLATFORM", kinds[k]), *o = xasprintf("%sOS", kinds[k]);
                cleanup_free char *a = xasprintf("%sARCH", kinds[k]), *v = xasprintf("%sVARIANT", kinds[k]);
                var_set(&b->globals, p, platform);
                var_set(&b->globals, o, os);
                var_set(&b->globals, a, arch);
                var_set(&b->globals, v, variant ? variant : "");
        }
        for (size_t i = 0; i < b->df.n_global; i++) {
                const struct rc_df_inst *in = &b->df.insts[i];
                for (size_t k = 0; in->args[k]; k++) {
                        cleanup_free char *desc = NULL;
                        if (declare_arg(b, in->args[k], global_lookup, b, &b->globals, &desc, err) < 0)
                                return rc_error_wrap(err, "%s:%u: ARG", b->df.path, in->line);
                }
        }
        return 0;
}

static int parse_build_args(struct bld_builder *b, rc_error **err)
{
        b->build_args = xcalloc(1, sizeof(char *));
        b->used_args = xcalloc(1, sizeof(char *));
        for (size_t i = 0; b->o->build_args && b->o->build_args[i]; i++) {
                const char *a = b->o->build_args[i], *eq = strchr(a, '=');
                if (eq == a || *a == '\0')
                        return rc_error_set(err, EINVAL, "--build-arg \"%s\": give NAME=VALUE or NAME", a);
                if (eq) {
                        cleanup_free char *name = xstrndup(a, (size_t)(eq - a));
                        var_set(&b->build_args, name, eq + 1);
                } else if (getenv(a)) {
                        var_set(&b->build_args, a, getenv(a));
                }
        }
        for (size_t i = 0; proxy_args[i]; i++)
                mark_used(b, proxy_args[i]);
        return 0;
}

/* ---- images ------------------------------------------------------------------------------ */

int bld_image_get(struct bld_builder *b, const char *ref, bool pull_always, struct rc_image *out, rc_error **err)
{
        struct rc_pull_opts po = { .cfg = b->cfg, .skip_tls_verify = b->o->skip_tls_verify,
                                   .progress = b->out ? b->o->pull_progress : NULL };
        char id[RC_DIGEST_HEX_LEN + 1];

        if (!pull_always) {
                if (rc_images_resolve(b->s, ref, out, err) == 0)
                        return 0;
                if (rc_error_errno(*err) != ENOENT || rc_looks_like_id(ref))
                        return -1;
                rc_error_free(*err);
                *err = NULL;
        }
        bld_say(b, "Resolving \"%s\"\n", ref);
        if (rc_images_pull(b->s, ref, &po, id, err) < 0)
                return rc_error_wrap(err, "image \"%s\" is not in the local store and pulling it failed", ref);
        return rc_images_resolve(b->s, id, out, err);
}

/* The stage moves to a stored image: its config and layers. */
static int stage_take_image(struct bld_builder *b, struct bld_stage *st, const char *id, rc_error **err)
{
        struct rc_image img = { 0 };
        struct rc_image_config cfg = { 0 };

        if (rc_images_resolve(b->s, id, &img, err) < 0 || rc_images_load_config(b->s, &img, &cfg, err) < 0) {
                rc_image_free(&img);
                return -1;
        }
        rc_image_config_free(&st->config);
        st->config = cfg;
        strv_free(st->layers);
        st->layers = strv_dup(img.layers);
        memcpy(st->image, img.id, sizeof(st->image));
        st->dirty = false;
        rc_image_free(&img);
        return 0;
}

int bld_cache_use(struct bld_builder *b, struct bld_stage *st, const char *key, rc_error **err)
{
        char id[RC_DIGEST_HEX_LEN + 1];
        int r;

        if (b->o->no_cache)
                return 0;
        r = rc_store_build_cache_get(b->s, key, id, err);
        if (r <= 0)
                return r;
        if (stage_take_image(b, st, id, err) < 0)
                return -1;
        bld_say(b, "--> Using cache %s\n", id);
        return 1;
}

static int store_stage_image(struct bld_builder *b, struct bld_stage *st, bool final, rc_error **err)
{
        free(st->config.created);
        st->config.created = bld_now_rfc3339();
        if (bld_image_store(b->s, &st->config, st->layers, NULL, st->image, err) < 0 ||
            rc_store_build_cache_put(b->s, st->key, st->image, final, err) < 0)
                return -1;
        st->dirty = false;
        return 0;
}

int bld_step_commit(struct bld_builder *b, struct bld_stage *st, const struct rc_layer *layer, const char *created_by,
                    rc_error **err)
{
        cleanup_free char *now = bld_now_rfc3339();

        if (layer)
                strv_push(&st->layers, layer->chain_id);
        bld_history_add(&st->config, now, created_by, NULL, NULL, layer == NULL);
        if (store_stage_image(b, st, false, err) < 0)
                return -1;
        bld_say(b, "--> %.12s\n", st->image);
        return 0;
}

/* ---- stages -------------------------------------------------------------------------------- */

const struct rc_df_stage *bld_named_stage(struct bld_builder *b, const char *name, size_t before)
{
        const struct rc_df_stage *s = rc_df_find_stage(&b->df, name);

        return s && s->index < before ? s : NULL;
}

static int from_step(struct bld_builder *b, struct bld_stage *st, const struct rc_df_inst *in, rc_error **err)
{
        cleanup_free char *base = NULL, *platform = NULL, *line = NULL;
        const struct rc_df_stage *dep;
        const char *p, *os, *arch, *variant;

        if (rc_df_expand(in->args[0], b->df.escape, 0, global_lookup, b, &base, err) < 0)
                return -1;
        if (rc_df_flag(in, "platform", &p)) {
                rc_platform_host(&os, &arch, &variant);
                if (rc_df_expand(p, b->df.escape, 0, global_lookup, b, &platform, err) < 0)
                        return -1;
                line = variant ? xasprintf("%s/%s/%s", os, arch, variant) : xasprintf("%s/%s", os, arch);
                if (strcmp(platform, line) != 0 && strncmp(line, platform, strlen(platform)) != 0)
                        return rc_error_set(err, ENOTSUP, "--platform=%s: rc builds for this machine's platform (%s)",
                                            platform, line);
        }
        st->key[0] = '\0';
        if (strcasecmp(base, "scratch") == 0) {
                rc_platform_host(&os, &arch, &variant);
                st->config.os = xstrdup(os);
                st->config.architecture = xstrdup(arch);
                st->config.variant = variant ? xstrdup(variant) : NULL;
                st->layers = xcalloc(1, sizeof(char *));
                st->image[0] = '\0';
                st->dirty = true;
                bld_key_next(st->key, "FROM scratch");
        } else if ((dep = bld_named_stage(b, base, st->def->index)) != NULL) {
                if (bld_stage_build(b, dep->index, err) < 0)
                        return -1;
                if (stage_take_image(b, st, b->stages[dep->index].result, err) < 0)
                        return -1;
                memcpy(st->key, b->stages[dep->index].key, sizeof(st->key));
                bld_key_next(st->key, "FROM stage");
        } else {
                struct rc_image img = { 0 };
                cleanup_free char *text = NULL;
                if (bld_image_get(b, base, b->o->pull, &img, err) < 0)
                        return -1;
                text = xasprintf("FROM %s", img.id);
                bld_key_next(st->key, text);
                if (stage_take_image(b, st, img.id, err) < 0) {
                        rc_image_free(&img);
                        return -1;
                }
                rc_image_free(&img);
        }
        bld_history_cover(&st->config, strv_len(st->layers));
        return 0;
}

/* The base image's ONBUILD triggers run first, then are not inherited. */
static int exec_step(struct bld_builder *b, struct bld_stage *st, const struct rc_df_inst *in, rc_error **err);

static int onbuild_triggers(struct bld_builder *b, struct bld_stage *st, rc_error **err)
{
        cleanup_strv char **triggers = steal_pointer(&st->config.onbuild);

        for (size_t i = 0; triggers && triggers[i]; i++) {
                struct rc_df_inst in;
                int r;
                if (rc_df_parse_line(triggers[i], b->df.escape, &in, err) < 0)
                        return rc_error_wrap(err, "ONBUILD trigger \"%s\" of the base image", triggers[i]);
                in.line = st->def ? b->df.insts[st->def->first].line : 0;
                bld_say(b, "--> ONBUILD %s\n", triggers[i]);
                r = exec_step(b, st, &in, err);
                rc_df_inst_free(&in);
                if (r < 0)
                        return rc_error_wrap(err, "ONBUILD trigger \"%s\"", triggers[i]);
        }
        if (triggers)
                st->dirty = true;
        return 0;
}

static int arg_step(struct bld_builder *b, struct bld_stage *st, const struct rc_df_inst *in, rc_error **err)
{
        struct bld_buf desc = { 0 };

        bld_buf_add(&desc, "ARG", 3);
        for (size_t k = 0; in->args[k]; k++) {
                cleanup_free char *d = NULL;
                if (declare_arg(b, in->args[k], bld_stage_lookup, st, &st->args, &d, err) < 0) {
                        free(desc.p);
                        return -1;
                }
                bld_buf_addc(&desc, ' ');
                bld_buf_add(&desc, d, strlen(d));
        }
        bld_key_next(st->key, desc.p);
        free(desc.p);
        return 0;
}

static int meta_step(struct bld_builder *b, struct bld_stage *st, const struct rc_df_inst *in, rc_error **err)
{
        cleanup_free char *desc = NULL, *created_by = NULL, *now = bld_now_rfc3339();

        st->apply.escape = b->df.escape;
        st->apply.lookup = bld_stage_lookup;
        st->apply.ctx = st;
        if (bld_config_apply(&st->config, in, &st->apply, &desc, err) < 0)
                return -1;
        created_by = xasprintf("/bin/sh -c #(nop) %s", desc);
        bld_history_add(&st->config, now, created_by, NULL, NULL, true);
        bld_key_next(st->key, desc);
        st->dirty = true;
        return 0;
}

static int exec_step(struct bld_builder *b, struct bld_stage *st, const struct rc_df_inst *in, rc_error **err)
{
        switch (in->cmd) {
        case RC_DF_ARG:
                return arg_step(b, st, in, err);
        case RC_DF_RUN:
                return bld_run(b, st, in, err);
        case RC_DF_COPY:
        case RC_DF_ADD:
                return bld_copy_step(b, st, in, err);
        case RC_DF_FROM:
                return rc_error_set(err, EINVAL, "FROM inside a stage");
        default:
                return meta_step(b, st, in, err);
        }
}

/* The stage's image: the last step's, or one with the metadata steps
 * since (cached under the final key, so an unchanged build gives the
 * same id); the target's with --label. */
static int finish_stage(struct bld_builder *b, struct bld_stage *st, bool target, rc_error **err)
{
        int r;

        if (target) {
                for (size_t i = 0; b->o->labels && b->o->labels[i]; i++) {
                        const char *eq = strchr(b->o->labels[i], '=');
                        cleanup_free char *k = eq ? xstrndup(b->o->labels[i], (size_t)(eq - b->o->labels[i]))
                                                  : xstrdup(b->o->labels[i]);
                        bld_kv_set(&st->config.labels, k, eq ? eq + 1 : "");
                        bld_key_next(st->key, b->o->labels[i]);
                        st->dirty = true;
                }
        }
        bld_key_next(st->key, target ? "END target" : "END");
        if (!st->dirty && st->image[0]) {
                memcpy(st->result, st->image, sizeof(st->result));
                return rc_store_build_cache_put(b->s, st->key, st->image, target, err);
        }
        r = b->o->no_cache ? 0 : rc_store_build_cache_get(b->s, st->key, st->result, err);
        if (r < 0)
                return -1;
        if (r == 0) {
                if (store_stage_image(b, st, target, err) < 0)
                        return -1;
                memcpy(st->result, st->image, sizeof(st->result));
        } else if (target && rc_store_build_cache_put(b->s, st->key, st->result, true, err) < 0) {
                return -1;
        }
        return 0;
}

int bld_stage_build(struct bld_builder *b, size_t idx, rc_error **err)
{
        struct bld_stage *st = &b->stages[idx];
        const struct rc_df_stage *def = &b->df.stages[idx];
        bool target = b->o->target ? rc_df_find_stage(&b->df, b->o->target) == def : idx + 1 == b->df.n_stages;
        char prefix[32] = "";

        if (st->done)
                return 0;
        if (st->started)
                return rc_error_set(err, ELOOP, "stage %zu depends on itself", idx);
        st->started = true;
        st->def = def;
        st->n_steps = (unsigned)def->n;
        st->args = xcalloc(1, sizeof(char *));
        if (b->df.n_stages > 1)
                snprintf(prefix, sizeof(prefix), "[%zu/%zu] ", idx + 1, b->df.n_stages);
        for (size_t i = 0; i < def->n; i++) {
                const struct rc_df_inst *in = &b->df.insts[def->first + i];
                int r;
                st->step = (unsigned)i + 1;
                bld_say(b, "%sSTEP %u/%u: %.4000s%s\n", prefix, st->step, st->n_steps, in->text,
                        strlen(in->text) > 4000 ? "..." : "");
                if (rc_interrupt_check(err) < 0)
                        return -1;
                r = i == 0 ? from_step(b, st, in, err) : exec_step(b, st, in, err);
                if (r == 0 && i == 0)
                        r = onbuild_triggers(b, st, err);
                if (rc_log_get_level() >= RC_LOG_DEBUG) {
                        char phase[64];
                        snprintf(phase, sizeof(phase), "%sSTEP %u/%u (%s)", prefix, st->step, st->n_steps,
                                 rc_df_cmd_name(in->cmd));
                        rc_timer_phase(&b->timer, phase);
                }
                if (r < 0) {
                        if (rc_error_errno(*err) == ECANCELED)
                                return -1;
                        /* a hostile instruction may be megabytes long */
                        return rc_error_wrap(err, "building at STEP \"%.200s%s\" (%s:%u)", in->text,
                                             strlen(in->text) > 200 ? "..." : "", b->df.path, in->line);
                }
        }
        if (finish_stage(b, st, target, err) < 0)
                return -1;
        st->done = true;
        return 0;
}

/* The stage a FROM or --from value names, guessed before building: the
 * value with the global ARGs expanded (a stage's own ARGs are not known
 * yet; a stage missed here is built when its step comes). */
static const struct rc_df_stage *stage_ref(struct bld_builder *b, const char *raw, size_t before)
{
        cleanup_free char *v = NULL;
        rc_error *e = NULL;

        if (rc_df_expand(raw, b->df.escape, 0, global_lookup, b, &v, &e) < 0) {
                rc_error_free(e);
                return NULL;
        }
        return bld_named_stage(b, v, before);
}

/* Build the stages the target needs, in their order in the Dockerfile,
 * then the target: stages it does not need are skipped. */
static int build_needed(struct bld_builder *b, size_t target, rc_error **err)
{
        cleanup_free bool *needed = xcalloc(b->df.n_stages, sizeof(bool));

        needed[target] = true;
        for (size_t i = target + 1; i-- > 0;) {
                const struct rc_df_stage *def = &b->df.stages[i], *dep;
                const char *from;
                if (!needed[i])
                        continue;
                if ((dep = stage_ref(b, def->base, i)) != NULL)
                        needed[dep->index] = true;
                for (size_t k = def->first + 1; k < def->first + def->n; k++)
                        if (rc_df_flag(&b->df.insts[k], "from", &from) && from &&
                            (dep = stage_ref(b, from, i)) != NULL)
                                needed[dep->index] = true;
        }
        for (size_t i = 0; i <= target; i++)
                if (needed[i] && bld_stage_build(b, i, err) < 0)
                        return -1;
        return 0;
}

static void builder_free(struct bld_builder *b)
{
        for (size_t i = 0; b->stages && i < b->df.n_stages; i++) {
                rc_image_config_free(&b->stages[i].config);
                strv_free(b->stages[i].layers);
                strv_free(b->stages[i].args);
        }
        free(b->stages);
        rc_dockerfile_free(&b->df);
        bld_context_close(&b->ctx);
        bld_memo_free(&b->memo);
        strv_free(b->build_args);
        strv_free(b->used_args);
        strv_free(b->globals);
}

static int tag_result(struct bld_builder *b, const char *id, rc_error **err)
{
        for (size_t i = 0; b->o->tags && b->o->tags[i]; i++) {
                cleanup_free char *name = NULL;
                if (rc_images_normalize_name(b->o->tags[i], &name, err) < 0 ||
                    rc_store_image_name_add(b->s, id, name, NULL, err) < 0)
                        return -1;
                bld_say(b, "Successfully tagged %s\n", name);
        }
        return 0;
}

int rc_build(const struct rc_config *cfg, struct rc_store *s, const struct rc_build_opts *o, char id_out[65],
             int *exit_code, rc_error **err)
{
        struct bld_builder b = { .cfg = cfg, .s = s, .o = o, .out = o->quiet ? NULL : o->out };
        const struct rc_df_stage *target;
        int r = -1;

        *exit_code = 125;
        b.ctx.fd = -1;
        rc_timer_start(&b.timer, "build");
        if (rc_dockerfile_parse(o->dockerfile, o->data, o->len, &b.df, err) < 0)
                goto out;
        for (size_t i = 0; o->tags && o->tags[i]; i++) {
                cleanup_free char *name = NULL;
                if (rc_images_normalize_name(o->tags[i], &name, err) < 0)
                        goto out;
        }
        target = o->target ? rc_df_find_stage(&b.df, o->target) : &b.df.stages[b.df.n_stages - 1];
        if (target == NULL) {
                rc_error_set(err, ENOENT, "target stage \"%s\" not found in %s", o->target, o->dockerfile);
                goto out;
        }
        if ((o->context && bld_context_open(o->context, &b.ctx, err) < 0) || parse_build_args(&b, err) < 0 ||
            global_args(&b, err) < 0 || rc_storage_select(cfg, &b.driver, NULL, err) < 0)
                goto out;
        b.stages = xcalloc(b.df.n_stages, sizeof(*b.stages));
        rc_timer_phase(&b.timer, "parse, context, arguments");
        if (build_needed(&b, target->index, err) < 0)
                goto out;
        memcpy(id_out, b.stages[target->index].result, RC_DIGEST_HEX_LEN + 1);
        bld_say(&b, "COMMIT%s%s\n", o->tags && o->tags[0] ? " " : "", o->tags && o->tags[0] ? o->tags[0] : "");
        bld_say(&b, "--> %.12s\n", id_out);
        if (tag_result(&b, id_out, err) < 0)
                goto out;
        for (size_t i = 0; b.build_args[i]; i++) {
                cleanup_free char *name = xstrndup(b.build_args[i], strcspn(b.build_args[i], "="));
                if (!strv_contains(b.used_args, name))
                        bld_say(&b, "[Warning] one or more build-args [%s] were not consumed\n", name);
        }
        *exit_code = 0;
        r = 0;
        rc_timer_phase(&b.timer, "tags");
        rc_timer_total(&b.timer);
out:
        if (r < 0 && b.exit_code > 0)
                *exit_code = b.exit_code;
        builder_free(&b);
        return r;
}
