/* libFuzzer entry point for Dockerfiles: parsing never crashes or leaks,
 * every instruction's joined text parses again to the same instruction,
 * and substituting variables in every argument and flag never crashes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "build/build.h"
#include "util/xalloc.h"

static const char *lookup(void *ctx, const char *name, size_t len)
{
        (void)ctx;
        if (len == 1 && name[0] == 'A')
                return "a value with $A and spaces";
        if (len == 1 && name[0] == 'E')
                return "";
        return NULL;
}

static void expand_all(char **words, char esc, unsigned flags)
{
        for (size_t i = 0; words && words[i]; i++) {
                char *out = NULL;
                rc_error *err = NULL;
                if (rc_df_expand(words[i], esc, flags, lookup, NULL, &out, &err) == 0) {
                        if (strlen(out) > RC_DF_MAX_WORD)
                                abort();
                        free(out);
                } else {
                        rc_error_free(err);
                }
        }
}

static void same_instruction(const struct rc_df_inst *a, char esc)
{
        struct rc_df_inst b;
        rc_error *err = NULL;

        if (rc_df_parse_line(a->text, esc, &b, &err) < 0)
                abort(); /* it parsed as part of the file */
        if (b.cmd != a->cmd || b.json != a->json || strv_len(b.args) != strv_len(a->args) || b.n_flags != a->n_flags)
                abort();
        for (size_t i = 0; a->args[i]; i++)
                if (strcmp(a->args[i], b.args[i]) != 0)
                        abort();
        rc_df_inst_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct rc_dockerfile df;
        rc_error *err = NULL;

        if (rc_dockerfile_parse("Dockerfile", (const char *)data, size, &df, &err) < 0) {
                rc_error_free(err);
                return 0;
        }
        if (df.n_stages == 0 || df.n_global > df.n)
                abort();
        for (size_t i = 0; i < df.n; i++) {
                const struct rc_df_inst *in = &df.insts[i];
                same_instruction(in, df.escape);
                expand_all(in->args, df.escape, 0);
                for (size_t f = 0; f < in->n_flags; f++)
                        expand_all((char *[]){ in->flags[f].value, NULL }, df.escape, 0);
                for (size_t h = 0; h < in->n_heredocs; h++)
                        expand_all((char *[]){ in->heredocs[h].content, NULL }, df.escape, RC_DF_EXPAND_HEREDOC);
                for (size_t a = 0; in->args[a]; a++) {
                        char **w = rc_df_split_words(in->args[a], df.escape);
                        strv_free(w);
                }
        }
        for (size_t s = 0; s < df.n_stages; s++)
                if (df.stages[s].name && rc_df_find_stage(&df, df.stages[s].name) != &df.stages[s])
                        abort();
        rc_dockerfile_free(&df);
        return 0;
}
