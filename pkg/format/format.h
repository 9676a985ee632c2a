/* Output formatting the way podman's --format does it: Go text/template
 * templates evaluated over json-c data, podman's "table" directive with
 * column headers, a column printer that aligns like Go's text/tabwriter,
 * and the human sizes and ages podman prints.
 *
 * Templates: literal text; {{.Field}}, {{.A.B}}, {{.Labels.key}}, {{.}};
 * variables ($, $x := ..., $x = ...); pipelines ({{.X | upper}}) and
 * parenthesised pipelines; {{if}}/{{else if}}/{{else}}/{{end}},
 * {{range}} (with $i, $e :=, {{else}}, {{break}}, {{continue}}), {{with}};
 * trim markers {{- and -}}; comment actions.  Functions: json, index,
 * len, join, split, upper, lower, title, truncate, pad, printf, print,
 * println, eq, ne, lt, le, gt, ge, and, or, not.  Values print as Go prints
 * them ([a b] for lists, map[k:v] for maps, <no value> for a missing map
 * key).  Not supported: define/template/block, methods with arguments.
 *
 * Data: a JSON object is a struct (a missing field is an error naming it,
 * podman's "can't evaluate field X") unless it is a map: the value of a
 * field named Labels or Annotations, or of one listed in opts->maps, where
 * a missing key prints "<no value>".
 *
 * Errors: parse and execution errors are rc_errors without errno whose
 * message starts "template: NAME:LINE:COL: ", as Go's do. */
#ifndef RC_FORMAT_FORMAT_H
#define RC_FORMAT_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/error.h"

struct json_object;

/* What a caller knows about its data.  Every member may be NULL/false. */
struct rc_template_opts {
        const char *name;           /* the template's name in errors ("images"); default "template" */
        const char *type_name;      /* what the data is, in "can't evaluate field X in type T" */
        const char *const *maps;    /* NULL-terminated field names whose objects are maps */
        const char *const *aliases; /* pairs "From", "To", ..., NULL: .From finds field To (podman's
                                     * .ImageID for .Image) */
        const char *const *headers; /* pairs "Field", "HEADER", ..., NULL: table headers other than
                                     * the field name split at case changes and upper-cased */
        bool fold_case;             /* no exact field: match one that differs only in case (.Id, .ID) */
};

struct rc_template;

/* Parse `text` as is (no podman normalisation, see rc_format_*).  opts
 * (may be NULL) is copied by reference: it must outlive the template. */
int rc_template_parse(const char *text, const struct rc_template_opts *opts, struct rc_template **out,
                      rc_error **err);
void rc_template_free(struct rc_template *t);
void rc_template_freep(struct rc_template **t);
#define cleanup_template __attribute__((cleanup(rc_template_freep)))

/* Execute with `data` as dot (borrowed; may be NULL for JSON null) and
 * append the output to *buf (*len bytes so far; *buf may be NULL).  On
 * failure the output so far stays in *buf.  header: render the column
 * headers instead, every field yielding its header (see opts->headers). */
int rc_template_execute(const struct rc_template *t, struct json_object *data, bool header, char **buf, size_t *len,
                        rc_error **err);

/* The column header podman prints for a field: opts->headers' entry, else
 * "CreatedAt" -> "CREATED AT", "ID" -> "ID".  Returns a new string. */
char *rc_template_header_for(const struct rc_template_opts *opts, const char *field);

/* ---- podman's --format: json, templates and tables ------------------- */

/* "json" or "{{json .}}" (spaces allowed): the caller prints JSON itself. */
bool rc_format_is_json(const char *format);
/* Starts with "table ": headers, columns aligned. */
bool rc_format_is_table(const char *format);

enum {
        RC_FORMAT_NOHEADING = 1 << 0, /* --noheading: no header row for a table */
};

/* A list command's --format (images, ps, history, inspect): `rows` is a
 * JSON array.  The template runs once per row unless it ranges over "."
 * itself; "\t" and "\n" written as two characters become tab and newline;
 * a row gets a newline unless the template ends with one.  A table
 * ("table {{.ID}}\t{{.Names}}") prints a header row (unless
 * RC_FORMAT_NOHEADING) and aligns its columns; a space or "\t" between
 * actions separates columns.  A command's own default output is a table
 * template passed here like a user's.  Output goes to `out` only when the
 * whole template succeeded. */
int rc_format_list(FILE *out, const char *format, struct json_object *rows, const struct rc_template_opts *opts,
                   unsigned flags, rc_error **err);
/* A single object's --format (info, version): the template runs once with
 * the object as dot. */
int rc_format_object(FILE *out, const char *format, struct json_object *obj, const struct rc_template_opts *opts,
                     unsigned flags, rc_error **err);

/* ---- YAML (podman info's default output) ------------------------------ */

/* obj as block-style YAML, in the shape podman's YAML printer gives:
 * mappings in key order, sequences at the parent key's indentation,
 * strings quoted only where plain YAML would read them differently.
 * Returns a new string. */
char *rc_format_yaml(struct json_object *obj);

/* ---- column printer (Go's text/tabwriter) ------------------------------ */

/* Cells are separated by '\t', lines by '\n'.  A column is as wide as the
 * widest cell of the block of adjacent lines that have it, plus padding,
 * and at least minwidth; widths count UTF-8 characters.  The text after a
 * line's last tab is not part of any column.  Returns a new string.
 * podman's tables: minwidth 12, padding 2. */
char *rc_tabwriter_format(const char *text, size_t len, size_t minwidth, size_t padding);
#define RC_TABLE_MINWIDTH 12
#define RC_TABLE_PADDING 2

/* ---- values as podman prints them -------------------------------------- */

/* "251 kB", "5.83 MB", "512 B": three significant digits, powers of 1000. */
void rc_format_size(uint64_t bytes, char *buf, size_t len);
/* "Less than a second", "About a minute", "3 hours", "2 weeks", "4 years". */
void rc_format_duration(int64_t seconds, char *buf, size_t len);
/* "4 years ago" for a unix time `t` seen at `now`. */
void rc_format_since(int64_t t, int64_t now, char *buf, size_t len);
/* Go's time.Time.String() in UTC: "2024-01-01 00:00:00 +0000 UTC". */
void rc_format_go_time(int64_t t, char *buf, size_t len);
/* RFC 3339 in UTC: "2024-01-01T00:00:00Z". */
void rc_format_rfc3339(int64_t t, char *buf, size_t len);
/* RFC 3339 text (fractional seconds and zone offsets accepted) to unix
 * seconds; -1 when it is not RFC 3339. */
int64_t rc_format_parse_rfc3339(const char *s);

#endif
