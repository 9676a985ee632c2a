/* libFuzzer entry point for --format templates: the input's first line is a
 * template, the rest JSON data.  Parsing and executing (as data and as
 * headers) never crash and stay within their limits, and the column
 * printer copes with any text. */
#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/format.h"
#include "util/xalloc.h"

static const char *const headers[] = { "ID", "IMAGE ID", NULL };
static const char *const aliases[] = { "ImageID", "Image", NULL };
static const char *const maps[] = { "Options", NULL };
static const struct rc_template_opts opts = {
        .name = "fuzz", .type_name = "object", .headers = headers, .aliases = aliases, .maps = maps, .fold_case = true,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *s = xstrndup((const char *)data, size);
        char *nl = strchr(s, '\n');
        json_object *obj = NULL, *rows;
        struct rc_template *t = NULL;
        rc_error *err = NULL;
        char *out = NULL, *aligned;
        size_t len = 0;
        FILE *devnull;

        if (nl) {
                *nl = '\0';
                obj = json_tokener_parse(nl + 1);
        }
        if (rc_template_parse(s, &opts, &t, &err) == 0) {
                if (rc_template_execute(t, obj, false, &out, &len, &err) < 0) {
                        rc_error_free(err);
                        err = NULL;
                }
                if (out && strlen(out) > len)
                        abort(); /* len counts the output */
                free(out);
                out = NULL;
                len = 0;
                if (rc_template_execute(t, NULL, true, &out, &len, &err) < 0) {
                        rc_error_free(err);
                        err = NULL;
                }
                free(out);
                rc_template_free(t);
        } else {
                rc_error_free(err);
                err = NULL;
        }
        /* podman's normalisation and tables, over a list of the object */
        devnull = fopen("/dev/null", "w");
        rows = json_object_new_array();
        json_object_array_add(rows, json_object_get(obj));
        if (devnull && rc_format_list(devnull, s, rows, &opts, 0, &err) < 0) {
                rc_error_free(err);
                err = NULL;
        }
        if (devnull)
                fclose(devnull);
        json_object_put(rows);
        (void)rc_format_is_json(s);
        aligned = rc_tabwriter_format((const char *)data, size, 12, 2);
        free(aligned);
        json_object_put(obj);
        free(s);
        return 0;
}
