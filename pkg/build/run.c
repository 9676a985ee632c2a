/* RUN: a container of the stage's image, with the stage's user, working
 * directory, environment and build arguments, run like rc run (the same
 * isolation and seccomp filter) through pkg/container; its changes become
 * the step's layer. */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "build/internal.h"
#include "container/container.h"
#include "util/xalloc.h"

static const char *const proxy_args[] = { "HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy",
                                          "FTP_PROXY",  "ftp_proxy",  "NO_PROXY",    "no_proxy",
                                          "ALL_PROXY",  "all_proxy",  NULL };

struct run_ctx {
        struct bld_builder *b;
        struct bld_stage *st;
        struct rc_layer layer;
        bool empty;
};

static int take_changes(void *ctx, const struct rc_container_changes *c, rc_error **err)
{
        struct run_ctx *x = ctx;
        struct bld_changes ch = { .dir = c->dir, .lower_dirs = c->layer_dirs, .skip_mount_points = true };
        size_t n = strv_len(x->st->layers);

        if (rc_storage_driver_parse(c->driver, &ch.driver) < 0)
                return rc_error_set(err, EINVAL, "storage driver %s", c->driver);
        return bld_commit_changes(x->b->s, &ch, n ? x->st->layers[n - 1] : NULL, &x->layer, &x->empty, err);
}

/* --mount, --network, --security: what rc can honour. */
static int run_flags(struct bld_builder *b, const struct rc_df_inst *in, const char **network, rc_error **err)
{
        for (size_t i = 0; i < in->n_flags; i++) {
                const char *name = in->flags[i].name, *v = in->flags[i].value ? in->flags[i].value : "";
                if (strcmp(name, "mount") == 0) {
                        const char *type = strstr(v, "type=");
                        size_t n = type ? strcspn(type + 5, ",") : 4;
                        if (type == NULL || (type != v && type[-1] != ','))
                                type = "bind";
                        else
                                type += 5;
                        if (n == 5 && strncmp(type, "cache", 5) == 0) {
                                bld_say(b, "WARN: RUN --mount=type=cache is not supported by rc: the step runs "
                                           "without a cache mount\n");
                                continue;
                        }
                        return rc_error_set(err, ENOTSUP,
                                            "RUN --mount=type=%.*s is not supported by rc (only type=cache is "
                                            "accepted, and ignored)",
                                            (int)n, type);
                } else if (strcmp(name, "network") == 0) {
                        if (strcmp(v, "default") == 0)
                                continue;
                        if (strcmp(v, "none") != 0 && strcmp(v, "host") != 0)
                                return rc_error_set(err, EINVAL, "RUN --network=%s: none, host or default (the "
                                                                 "build's network)",
                                                    v);
                        *network = v;
                } else if (strcmp(name, "security") == 0 && strcmp(v, "sandbox") != 0) {
                        return rc_error_set(err, ENOTSUP, "RUN --security=%s is not supported by rc", v);
                }
        }
        return 0;
}

/* The command.  A heredoc RUN (<<EOF alone) runs its text as a script
 * (with the interpreter of its #! line, reading it on stdin); otherwise the
 * shell gets the line and the heredocs, which it reads itself. */
static char **command(struct bld_stage *st, const struct rc_df_inst *in, int *stdin_fd, rc_error **err)
{
        struct bld_buf script = { 0 };
        const char *line;
        char **argv;

        if (in->json || in->n_heredocs == 0)
                return bld_command_args(&st->config, in, 0);
        line = in->args[0];
        if (in->n_heredocs == 1 && line[0] == '<' && strchr(line, ' ') == NULL) {
                const char *content = in->heredocs[0].content;
                if (strncmp(content, "#!", 2) == 0) {
                        cleanup_free char *first = xstrndup(content + 2, strcspn(content + 2, "\n"));
                        int fd = memfd_create("rc-heredoc", MFD_CLOEXEC);
                        argv = rc_df_split_words(first, '\0');
                        if (fd < 0 || argv[0] == NULL ||
                            write(fd, content, strlen(content)) != (ssize_t)strlen(content) ||
                            lseek(fd, 0, SEEK_SET) != 0) {
                                rc_error_set(err, errno ? errno : EINVAL, "RUN: the heredoc's #! line");
                                if (fd >= 0)
                                        close(fd);
                                strv_free(argv);
                                return NULL;
                        }
                        *stdin_fd = fd;
                        return argv;
                }
                bld_buf_add(&script, content, strlen(content));
        } else {
                bld_buf_add(&script, line, strlen(line));
                bld_buf_addc(&script, '\n');
                for (size_t i = 0; i < in->n_heredocs; i++) {
                        bld_buf_add(&script, in->heredocs[i].content, strlen(in->heredocs[i].content));
                        bld_buf_add(&script, in->heredocs[i].name, strlen(in->heredocs[i].name));
                        bld_buf_addc(&script, '\n');
                }
        }
        {
                struct rc_df_inst shell = { .args = (char *[]){ script.p, NULL } };
                argv = bld_command_args(&st->config, &shell, 0);
        }
        free(script.p);
        return argv;
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

int bld_run(struct bld_builder *b, struct bld_stage *st, const struct rc_df_inst *in, rc_error **err)
{
        struct run_ctx x = { .b = b, .st = st, .empty = true };
        struct rc_run_opts o = { .auto_remove = true, .entrypoint = "", .pull = RC_PULL_NEVER, .stop_timeout = -1,
                                 .network = b->o->network, .health = { .disable = true } /* a step is no service */ };
        cleanup_strv char **argv = NULL, **env = strv_dup(st->config.env);
        cleanup_free char *args_json = NULL, *created_by = NULL;
        struct bld_buf key = { 0 };
        int stdin_fd = -1, exit_code = 0, r;

        if (env == NULL)
                env = xcalloc(1, sizeof(char *));
        if (run_flags(b, in, &o.network, err) < 0)
                return -1;
        if (st->image[0] == '\0') {
                if (strv_len(st->layers) == 0)
                        return rc_error_set(err, ENOENT,
                                            "RUN needs a root file system to run in: this stage starts FROM scratch "
                                            "and has nothing in it yet");
                if (bld_image_store(b->s, &st->config, st->layers, NULL, st->image, err) < 0)
                        return -1;
        }
        argv = command(st, in, &stdin_fd, err);
        if (argv == NULL)
                return -1;
        /* the build arguments in scope reach the command, not the image */
        bld_buf_add(&key, "RUN ", 4);
        args_json = json_strv(argv);
        bld_buf_add(&key, args_json, strlen(args_json));
        for (size_t i = 0; st->args && st->args[i]; i++) {
                size_t n = strcspn(st->args[i], "=");
                if (st->args[i][n] != '=' || bld_kv_get(env, st->args[i], n))
                        continue;
                strv_push(&env, st->args[i]);
                bld_buf_add(&key, "\n", 1);
                bld_buf_add(&key, st->args[i], strlen(st->args[i]));
        }
        for (size_t i = 0; proxy_args[i]; i++) {
                const char *e = NULL;
                for (size_t k = 0; b->build_args[k] && e == NULL; k++)
                        if (strncmp(b->build_args[k], proxy_args[i], strlen(proxy_args[i])) == 0 &&
                            b->build_args[k][strlen(proxy_args[i])] == '=')
                                e = b->build_args[k];
                if (e && !bld_kv_get(env, proxy_args[i], strlen(proxy_args[i])))
                        strv_push(&env, e);
        }
        if (stdin_fd >= 0)
                bld_buf_add(&key, "\nstdin", 6);
        for (size_t i = 0; stdin_fd >= 0 && i < in->n_heredocs; i++)
                bld_buf_add(&key, in->heredocs[i].content, strlen(in->heredocs[i].content));
        bld_key_next(st->key, key.p);
        free(key.p);
        r = bld_cache_use(b, st, st->key, err);
        if (r != 0) {
                if (stdin_fd >= 0)
                        close(stdin_fd);
                return r < 0 ? -1 : 0;
        }
        o.image = st->image;
        o.env = env;
        o.cmd = argv;
        o.user = st->config.user ? st->config.user : "";
        o.workdir = st->config.working_dir;
        r = rc_container_run_step(b->cfg, &o, stdin_fd, b->out ? -1 : 2, take_changes, &x, &exit_code, err);
        if (stdin_fd >= 0)
                close(stdin_fd);
        if (r < 0) {
                if (exit_code == 126 || exit_code == 127)
                        b->exit_code = exit_code;
                return -1;
        }
        if (exit_code != 0) {
                b->exit_code = exit_code;
                return rc_error_set(err, 0, "while running runtime: exit status %d", exit_code);
        }
        if (in->json) {
                created_by = xstrdup(args_json);
        } else {
                /* "/bin/sh -c COMMAND", as docker and podman record it */
                struct bld_buf h = { 0 };
                for (size_t i = 0; argv[i]; i++) {
                        if (i)
                                bld_buf_addc(&h, ' ');
                        bld_buf_add(&h, argv[i], strlen(argv[i]));
                }
                created_by = bld_buf_steal(&h);
        }
        return bld_step_commit(b, st, x.empty ? NULL : &x.layer, created_by, err);
}
