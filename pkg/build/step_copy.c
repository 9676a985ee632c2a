/* COPY and ADD steps: their flags, sources (the context, a stage, an
 * image, heredocs), the cache key, and the copy into the stage's root. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build/internal.h"
#include "images/images.h"
#include "util/xalloc.h"

struct copy_step {
        struct bld_copy c;
        struct bld_root from;       /* --from's root, mounted once the step is not cached */
        char **from_layers;         /* its layers */
        char from_id[RC_DIGEST_HEX_LEN + 1];
        char *from_what;
        char *checksum;             /* ADD --checksum */
        char **words;               /* the arguments, expanded */
        struct bld_buf desc;        /* for the cache key and the history */
};

static void copy_step_free(struct copy_step *x)
{
        bld_sources_free(&x->c.srcs);
        for (size_t i = 0; x->c.docs && x->c.docs[i].name; i++) {
                free(x->c.docs[i].name);
                free(x->c.docs[i].content);
        }
        free(x->c.docs);
        for (size_t i = 0; x->c.downloads && x->c.downloads[i].path; i++)
                bld_download_free(&x->c.downloads[i]);
        free(x->c.downloads);
        free(x->c.dest);
        free(x->c.chown);
        if (x->from.dir)
                bld_root_release(&x->from);
        free(x->from_what);
        free(x->checksum);
        strv_free(x->from_layers);
        strv_free(x->words);
        free(x->desc.p);
}

static void desc_add(struct copy_step *x, const char *a, const char *b)
{
        bld_buf_addc(&x->desc, ' ');
        bld_buf_add(&x->desc, a, strlen(a));
        if (b)
                bld_buf_add(&x->desc, b, strlen(b));
}

static const struct rc_df_heredoc *heredoc_named(const struct rc_df_inst *in, const char *word);

/* --from: an earlier stage (built first) or an image (pulled if missing),
 * mounted to copy from. */
static int copy_from(struct bld_builder *b, struct bld_stage *st, struct copy_step *x, const char *ref,
                     rc_error **err)
{
        const struct rc_df_stage *dep = bld_named_stage(b, ref, st->def->index);
        struct rc_image img = { 0 };
        int r;

        if (dep) {
                if (bld_stage_build(b, dep->index, err) < 0)
                        return -1;
                r = rc_images_resolve(b->s, b->stages[dep->index].result, &img, err);
                x->from_what = xasprintf("stage %s", ref);
        } else {
                r = bld_image_get(b, ref, false, &img, err);
                x->from_what = xasprintf("image %s", ref);
        }
        if (r < 0)
                return -1;
        memcpy(x->from_id, img.id, sizeof(x->from_id));
        x->from_layers = strv_dup(img.layers);
        rc_image_free(&img);
        desc_add(x, "--from=", x->from_id);
        return 0;
}

/* A stage's or image's root is mounted only to copy from it: the step's
 * key is its id and the source paths. */
static int mount_from(struct bld_builder *b, struct copy_step *x, const struct rc_df_inst *in, rc_error **err)
{
        size_t n = strv_len(x->words);

        if (bld_root_mount(b->cfg, b->s, b->driver, x->from_layers, &x->from, err) < 0)
                return rc_error_wrap(err, "--from: %s", x->from_what);
        x->c.src_root = x->from.fd;
        for (size_t i = 0; i + 1 < n; i++)
                if (!heredoc_named(in, in->args[i]) &&
                    bld_sources_find(x->c.src_root, NULL, x->from_what, x->words[i], &x->c.srcs, err) < 0)
                        return -1;
        return 0;
}

static int flags(struct bld_builder *b, struct bld_stage *st, const struct rc_df_inst *in, struct copy_step *x,
                 rc_error **err)
{
        for (size_t i = 0; i < in->n_flags; i++) {
                const char *name = in->flags[i].name;
                cleanup_free char *v = NULL;

                if (in->flags[i].value &&
                    rc_df_expand(in->flags[i].value, b->df.escape, 0, bld_stage_lookup, st, &v, err) < 0)
                        return rc_error_wrap(err, "--%s", name);
                if (strcmp(name, "from") == 0) {
                        if (copy_from(b, st, x, v, err) < 0)
                                return -1;
                } else if (strcmp(name, "chown") == 0) {
                        free(x->c.chown);
                        x->c.chown = steal_pointer(&v);
                        desc_add(x, "--chown=", x->c.chown);
                } else if (strcmp(name, "chmod") == 0) {
                        char *end;
                        unsigned long m = strtoul(v, &end, 8);
                        if (*v == '\0' || *end || m > 07777)
                                return rc_error_set(err, EINVAL, "--chmod=%s: give an octal mode such as 0755", v);
                        x->c.has_chmod = true;
                        x->c.chmod = (mode_t)m;
                        desc_add(x, "--chmod=", v);
                } else if (strcmp(name, "link") == 0) {
                        continue; /* layers are independent of their parents' content here anyway */
                } else if (strcmp(name, "checksum") == 0) {
                        if (!rc_digest_valid(v))
                                return rc_error_set(err, EINVAL, "--checksum=%s: give sha256:<64 hex digits>", v);
                        x->checksum = steal_pointer(&v);
                } else {
                        return rc_error_set(err, ENOTSUP, "--%s is not supported by rc", name);
                }
        }
        return 0;
}

static const struct rc_df_heredoc *heredoc_named(const struct rc_df_inst *in, const char *word)
{
        const char *w = word + strspn(word, "0123456789");

        if (strncmp(w, "<<", 2) != 0)
                return NULL;
        for (size_t i = 0; i < in->n_heredocs; i++) {
                const char *n = in->heredocs[i].name;
                /* the word as written: <<NAME, <<-NAME, <<"NAME", <<'NAME' */
                if (strstr(w, n) && strlen(w) <= strlen(n) + 5)
                        return &in->heredocs[i];
        }
        return NULL;
}

static int sources(struct bld_builder *b, struct bld_stage *st, const struct rc_df_inst *in, struct copy_step *x,
                   rc_error **err)
{
        size_t n = strv_len(in->args), n_docs = 0;
        const char *dest;

        x->c.docs = xcalloc(in->n_heredocs + 1, sizeof(*x->c.docs));
        x->words = xcalloc(n + 1, sizeof(char *));
        for (size_t i = 0; i < n; i++) {
                const struct rc_df_heredoc *h = i + 1 < n ? heredoc_named(in, in->args[i]) : NULL;
                if (h) {
                        char *content = NULL;
                        if (h->expand && rc_df_expand(h->content, b->df.escape, RC_DF_EXPAND_HEREDOC,
                                                      bld_stage_lookup, st, &content, err) < 0)
                                return -1;
                        x->c.docs[n_docs].name = xstrdup(h->name);
                        x->c.docs[n_docs].content = content ? content : xstrdup(h->content);
                        n_docs++;
                        x->words[i] = xstrdup("");
                        continue;
                }
                if (rc_df_expand(in->args[i], b->df.escape, 0, bld_stage_lookup, st, &x->words[i], err) < 0)
                        return -1;
        }
        dest = x->words[n - 1];
        if (dest[0] == '\0')
                return rc_error_set(err, EINVAL, "the destination is empty");
        x->c.dest_slash = dest[strlen(dest) - 1] == '/' || strcmp(dest, ".") == 0 ||
                          (strlen(dest) >= 2 && strcmp(dest + strlen(dest) - 2, "/.") == 0);
        x->c.dest = bld_clean_path(st->config.working_dir, dest);
        if (!x->from_id[0]) {
                x->c.src_root = b->ctx.fd;
                x->c.ignore = &b->ctx.ignore;
                x->from_what = xstrdup("build context");
        }
        for (size_t i = 0; i + 1 < n; i++) {
                const char *src = x->words[i];
                if (in->args[i][0] && heredoc_named(in, in->args[i]))
                        continue;
                if (in->cmd == RC_DF_ADD && (strncmp(src, "http://", 7) == 0 || strncmp(src, "https://", 8) == 0)) {
                        size_t k = 0;
                        struct bld_download *d;
                        while (x->c.downloads && x->c.downloads[k].path)
                                k++;
                        x->c.downloads = xrealloc(x->c.downloads, (k + 2) * sizeof(*x->c.downloads));
                        memset(&x->c.downloads[k], 0, 2 * sizeof(*x->c.downloads));
                        d = &x->c.downloads[k];
                        bld_say(b, "Downloading %s\n", src);
                        if (bld_fetch(b, src, d, err) < 0)
                                return -1;
                        if (x->checksum && strcmp(x->checksum, d->digest) != 0)
                                return rc_error_set(err, EINVAL, "ADD %s: the content's digest is %s, not %s (--checksum)",
                                                    src, d->digest, x->checksum);
                        desc_add(x, src, NULL);
                        continue;
                }
                if (in->cmd == RC_DF_ADD && (strncmp(src, "git@", 4) == 0 || strstr(src, ".git#") ||
                                             strncmp(src, "git://", 6) == 0))
                        return rc_error_set(err, ENOTSUP, "ADD %s: rc does not add git repositories", src);
                if (x->checksum)
                        return rc_error_set(err, EINVAL, "--checksum is for a URL source");
                if (!x->from_id[0] && b->ctx.fd < 0)
                        return rc_error_code(err, ENOENT, "%s needs a build context: rc build - reads only a Dockerfile",
                                             rc_df_cmd_name(in->cmd));
                if (!x->from_id[0] && bld_sources_find(x->c.src_root, x->c.ignore, x->from_what, src, &x->c.srcs,
                                                       err) < 0)
                        return -1;
                desc_add(x, src, NULL);
        }
        desc_add(x, x->c.dest, x->c.dest_slash && strcmp(x->c.dest, "/") ? "/" : NULL);
        return 0;
}

int bld_copy_step(struct bld_builder *b, struct bld_stage *st, const struct rc_df_inst *in, rc_error **err)
{
        struct copy_step x = { .c = { .add = in->cmd == RC_DF_ADD, .src_root = -1 }, .from = { .fd = -1 } };
        struct bld_root dst = { .fd = -1 };
        struct rc_layer layer;
        struct bld_changes ch;
        cleanup_free char *key = NULL, *created_by = NULL;
        char digest[RC_DIGEST_LEN + 1];
        bool empty = true;
        int r = -1;

        bld_buf_add(&x.desc, rc_df_cmd_name(in->cmd), strlen(rc_df_cmd_name(in->cmd)));
        if (flags(b, st, in, &x, err) < 0 || sources(b, st, in, &x, err) < 0)
                goto out;
        /* what is copied: a stage's or image's by its id, the context's
         * and heredocs' by their content */
        digest[0] = '\0';
        if ((!x.from_id[0] || x.c.docs[0].name) && bld_copy_digest(&x.c, &b->memo, digest, err) < 0)
                goto out;
        key = xasprintf("%s\n%s %s", x.desc.p, x.from_id, digest);
        bld_key_next(st->key, key);
        r = bld_cache_use(b, st, st->key, err);
        if (r != 0)
                goto out;
        r = -1;
        if (x.from_id[0] && mount_from(b, &x, in, err) < 0)
                goto out;
        if (bld_root_mount(b->cfg, b->s, b->driver, st->layers, &dst, err) < 0)
                goto out;
        if (bld_copy_apply(&x.c, dst.fd, err) < 0)
                goto out;
        ch = bld_root_changes(&dst);
        if (bld_commit_changes(b->s, &ch, strv_len(st->layers) ? st->layers[strv_len(st->layers) - 1] : NULL, &layer,
                               &empty, err) < 0)
                goto out;
        created_by = xasprintf("/bin/sh -c #(nop) %s", x.desc.p);
        r = bld_step_commit(b, st, empty ? NULL : &layer, created_by, err);
out:
        if (dst.dir)
                bld_root_release(&dst);
        copy_step_free(&x);
        return r < 0 ? -1 : 0;
}
