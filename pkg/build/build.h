/* rc build: Dockerfiles, the build context, layers from a container's
 * changes, the build cache, the builder.
 *
 * Dockerfile syntax: parsing a Dockerfile into stages and instructions,
 * and Docker's variable substitution.  Pure: no I/O, no global state.
 *
 * A Dockerfile is hostile input.  The parser bounds what it accepts
 * (RC_DF_MAX_SIZE bytes, RC_DF_MAX_INSTRUCTIONS instructions); an error
 * names the file, the line and what was expected:
 * "Dockerfile:7: ENV: can't find = in \"x\". Must be of the form: name=value".
 *
 * What the parser does, as Docker's (BuildKit's) parser does it:
 *  - parser directives at the top (`# escape=` sets the escape character,
 *    \ or `; `# syntax=` and `# check=` are accepted and ignored);
 *  - comments (# as a line's first non-blank character, also inside
 *    continued instructions), blank lines, a byte-order mark, CRLF;
 *  - line continuations: the escape character at a line's end (trailing
 *    blanks allowed) joins the next line, whose leading blanks are kept;
 *  - instruction names in any case; --flag[=value] words after them;
 *  - exec (JSON array) and shell forms; heredocs for RUN, COPY and ADD
 *    (`<<EOF`, `<<-EOF` stripping leading tabs, `<<"EOF"` / `<<'EOF'` not
 *    expanding), several on one line, each ending at its delimiter line.
 * Variables are not substituted here: their values are known only while
 * building (ARG, --build-arg, ENV), so the builder calls rc_df_expand on
 * the raw words of the instructions that Docker expands. */
#ifndef RC_BUILD_BUILD_H
#define RC_BUILD_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/error.h"

#define RC_DF_MAX_SIZE (16u << 20)        /* bytes of a Dockerfile */
#define RC_DF_MAX_INSTRUCTIONS 10000
#define RC_DF_MAX_HEREDOCS 64             /* on one instruction */
#define RC_DF_MAX_WORD (1u << 20)         /* bytes a substituted word may grow to */
#define RC_DF_MAX_NESTING 32              /* ${a:-${b:-...}} depth */

enum rc_df_cmd {
        RC_DF_FROM,
        RC_DF_RUN,
        RC_DF_COPY,
        RC_DF_ADD,
        RC_DF_ENV,
        RC_DF_ARG,
        RC_DF_WORKDIR,
        RC_DF_USER,
        RC_DF_CMD,
        RC_DF_ENTRYPOINT,
        RC_DF_EXPOSE,
        RC_DF_LABEL,
        RC_DF_VOLUME,
        RC_DF_STOPSIGNAL,
        RC_DF_HEALTHCHECK,
        RC_DF_ONBUILD,
        RC_DF_SHELL,
        RC_DF_MAINTAINER,
};

/* "RUN" */
const char *rc_df_cmd_name(enum rc_df_cmd cmd);

struct rc_df_flag {
        char *name;  /* "from" for --from=x */
        char *value; /* "x"; NULL for a flag given without "=" (--link) */
};

struct rc_df_heredoc {
        char *name;      /* the delimiter */
        char *content;   /* the lines up to the delimiter, each ending in "\n" (tabs stripped for <<-) */
        bool expand;     /* unquoted delimiter: variables in content are substituted (COPY, ADD) */
};

/* One instruction.  args, by command (raw words keep their quotes and
 * escapes for rc_df_expand):
 *   FROM          [image] or [image, stage name (lower case)]
 *   RUN CMD ENTRYPOINT SHELL
 *                 exec form: the JSON array's strings; shell form: one element,
 *                 the command line (continuations joined)
 *   COPY ADD VOLUME
 *                 exec form: the JSON array; else the words (a heredoc source is "<<NAME")
 *   ENV LABEL     key, value, key, value... (`ENV K V` gives K and the rest)
 *   ARG           "NAME" or "NAME=default" words
 *   EXPOSE        words
 *   WORKDIR USER STOPSIGNAL MAINTAINER
 *                 one element: the rest of the line
 *   HEALTHCHECK   ["NONE"], or "CMD" followed by the command as for CMD
 *   ONBUILD       one element: the trigger as written ("RUN make"); sub: it parsed */
struct rc_df_inst {
        enum rc_df_cmd cmd;
        unsigned line, last_line; /* 1-based, in the file */
        char *text;               /* as written, continuations joined, for messages and history */
        struct rc_df_flag *flags;
        size_t n_flags;
        bool json;                /* exec form (for HEALTHCHECK: of its CMD) */
        char **args;              /* NULL-terminated */
        struct rc_df_heredoc *heredocs;
        size_t n_heredocs;
        struct rc_df_inst *sub;   /* ONBUILD */
};

struct rc_df_stage {
        size_t first, n;   /* its instructions: insts[first] is the FROM */
        const char *base;  /* FROM's image, unexpanded (points into the FROM) */
        const char *name;  /* AS name or NULL */
        size_t index;
};

struct rc_dockerfile {
        char *path;               /* as given, for messages */
        char escape;              /* '\\' or '`' */
        struct rc_df_inst *insts;
        size_t n;
        size_t n_global;          /* insts[0..n_global) are ARGs before the first FROM */
        struct rc_df_stage *stages;
        size_t n_stages;
};

/* Parse len bytes (need not be NUL-terminated).  path names the file in
 * messages.  *out is written only on success. */
int rc_dockerfile_parse(const char *path, const char *data, size_t len, struct rc_dockerfile *out,
                        rc_error **err);
void rc_dockerfile_free(struct rc_dockerfile *df);
void rc_df_inst_free(struct rc_df_inst *inst);

/* Parse one instruction line (ONBUILD triggers, rc commit --change):
 * continuations already joined; no heredocs. */
int rc_df_parse_line(const char *line, char escape, struct rc_df_inst *out, rc_error **err);

/* The value of --NAME on an instruction: *value (may be NULL for a bare
 * flag); false when absent. */
bool rc_df_flag(const struct rc_df_inst *inst, const char *name, const char **value);

/* A stage by name (case-insensitive) or decimal index; NULL if none. */
const struct rc_df_stage *rc_df_find_stage(const struct rc_dockerfile *df, const char *name_or_index);

/* Variables for substitution: the value of name[0..len), or NULL when it
 * is not set (an empty value is set). */
typedef const char *(*rc_df_lookup_fn)(void *ctx, const char *name, size_t len);

enum {
        /* heredoc content: quotes are plain characters, only $ is special
         * (and the escape character before $ or itself) */
        RC_DF_EXPAND_HEREDOC = 1,
};

/* Docker's word processing for the instructions it substitutes in: $VAR,
 * ${VAR}, ${VAR:-word}, ${VAR-word}, ${VAR:+word}, ${VAR+word},
 * ${VAR:?message}, ${VAR?message} (an error when unset/empty); '...'
 * taken literally, "..." with substitution, the escape character taking
 * the next character literally (inside "...", only before ", $ or
 * itself).  An unset variable is empty; "$" before anything but a name or
 * "{" is a plain "$".  Errors: an unterminated quote or ${, a bad
 * substitution, a word growing beyond RC_DF_MAX_WORD, nesting beyond
 * RC_DF_MAX_NESTING. */
int rc_df_expand(const char *word, char escape, unsigned flags, rc_df_lookup_fn lookup, void *ctx, char **out,
                 rc_error **err);

/* Split text into words at blanks outside quotes, keeping quotes and
 * escapes (the escape character and the one after it stay together) for
 * rc_df_expand. */
char **rc_df_split_words(const char *text, char escape);

/* ---- rc build ------------------------------------------------------------------ */

struct rc_config;
struct rc_store;

struct rc_build_opts {
        const char *context;        /* the context directory; NULL: none (a Dockerfile from stdin) */
        const char *dockerfile;     /* the Dockerfile's name, for messages */
        const char *data;           /* its text */
        size_t len;
        char *const *tags;          /* -t: names for the result (short names become localhost/NAME) */
        char *const *build_args;    /* --build-arg: "K=V", or "K" for rc's environment's value */
        const char *target;         /* --target: the stage to build; NULL: the last */
        bool no_cache;              /* --no-cache: run every step */
        bool pull;                  /* --pull: pull every FROM image, even if stored */
        bool skip_tls_verify;       /* --tls-verify=false, for pulls */
        char *const *labels;        /* --label k=v: added to the result */
        const char *network;        /* RUN steps' network; NULL: the configuration's */
        bool quiet;                 /* -q: no progress; RUN output goes to stderr */
        FILE *out;                 /* progress ("STEP 1/3: FROM ..."), when not quiet */
        /* pull progress, as rc pull reports it */
        void (*pull_progress)(void *ctx, const char *what, const char *digest, int64_t done, int64_t total);
};

/* Build the target stage (and the stages it needs) of the Dockerfile:
 * each step cached by its parent, its instruction with variables expanded
 * and, for COPY and ADD, the digest of what it copies; each layer-making
 * step's image kept (rc images -a) as the cache.  The tags move to the
 * result only when everything succeeded.  Runs inside rc's user namespace
 * with the store open for writing.  *exit_code: 0, the status of a RUN
 * that failed, or 125. */
int rc_build(const struct rc_config *cfg, struct rc_store *s, const struct rc_build_opts *o, char id_out[65],
             int *exit_code, rc_error **err);

/* ---- rc commit ---------------------------------------------------------------- */

struct rc_commit_opts {
        const char *container;  /* name or id */
        const char *image;      /* the new image's name (short names become localhost/NAME), or NULL */
        char *const *changes;   /* --change: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL,
                                 * USER, VOLUME or WORKDIR instructions, applied in order */
        const char *message;    /* -m: the history entry's comment */
        const char *author;     /* -a */
};

/* A new image of the container's image plus the container's changes as
 * one layer (none if it changed nothing), with the container's command,
 * environment, user and working directory, then the changes.  A running
 * container is read as it is at that moment.  Runs inside rc's user
 * namespace with the store open for writing.  id_out: the image's id. */
int rc_build_commit(struct rc_store *s, const struct rc_commit_opts *o, char id_out[65], rc_error **err);

/* ---- rc diff ------------------------------------------------------------------ */

struct rc_change {
        char kind;  /* 'A' added, 'C' changed, 'D' deleted */
        char *path; /* "/etc/passwd" */
};

/* What a container changed in its image's files (or, for an image, what
 * its last layer changed in the layers below), as podman diff lists it:
 * sorted by path; a directory shows as changed when something below it
 * changed.  The runtime's own mount points are not changes.  Runs inside
 * rc's user namespace.  ENOENT when `what` is neither. */
int rc_build_diff(struct rc_store *s, const char *what, struct rc_change **out, size_t *n, rc_error **err);
void rc_changes_free(struct rc_change *c, size_t n);

#endif
