/* libFuzzer entry point for health checks: an image's Healthcheck (the
 * input as JSON), the state file rc reads back (health.json) and the
 * --health-* values.  No crash; whatever is accepted is within bounds and
 * serialises to JSON that parses again to the same thing. */
#include <json-c/json.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "health/health.h"
#include "util/duration.h"
#include "util/xalloc.h"

static void fuzz_config(const char *text, size_t size)
{
        json_tokener *tok = json_tokener_new();
        json_object *o = json_tokener_parse_ex(tok, text, (int)size), *back;
        struct rc_health_config c, c2;
        rc_error *err = NULL;
        const char *j1;

        json_tokener_free(tok);
        if (o == NULL)
                return;
        if (rc_health_config_from_json(o, "fuzz", &c, &err) < 0) {
                rc_error_free(err);
                json_object_put(o);
                return;
        }
        if (c.interval < 0 || c.interval > RC_HEALTH_MAX_DURATION || c.timeout < 0 || c.start_period < 0 ||
            c.retries < 0 || c.retries > RC_HEALTH_MAX_RETRIES)
                abort();
        back = rc_health_config_json(&c);
        j1 = json_object_to_json_string(back);
        json_object_put(o);
        o = json_tokener_parse(j1);
        if (o == NULL || rc_health_config_from_json(o, "fuzz", &c2, &err) < 0)
                abort();
        if ((c.test == NULL) != (c2.test == NULL) || (c.test && strv_len(c.test) != strv_len(c2.test)))
                abort();
        rc_health_config_free(&c);
        rc_health_config_free(&c2);
        json_object_put(o);
        json_object_put(back);
}

/* The startup check as create.json holds it: bounded, and round-trips. */
static void fuzz_startup(const char *text, size_t size)
{
        json_tokener *tok = json_tokener_new();
        json_object *o = json_tokener_parse_ex(tok, text, (int)size), *back;
        struct rc_health_startup s, s2;
        rc_error *err = NULL;

        json_tokener_free(tok);
        if (o == NULL)
                return;
        if (rc_health_startup_from_json(o, "fuzz", &s, &err) < 0) {
                rc_error_free(err);
                json_object_put(o);
                return;
        }
        json_object_put(o);
        if (s.test == NULL)
                return;
        if (s.interval <= 0 || s.interval > RC_HEALTH_MAX_DURATION || s.timeout <= 0 || s.retries < 0 ||
            s.retries > RC_HEALTH_MAX_RETRIES || s.successes < 0 || s.successes > RC_HEALTH_MAX_RETRIES)
                abort();
        back = rc_health_startup_json(&s);
        if (rc_health_startup_from_json(back, "fuzz", &s2, &err) < 0 || s2.successes != s.successes ||
            strv_len(s2.test) != strv_len(s.test))
                abort();
        rc_health_startup_free(&s);
        rc_health_startup_free(&s2);
        json_object_put(back);
}

static void fuzz_state(const char *text, size_t size)
{
        struct rc_health_state s, s2;
        rc_error *err = NULL;
        json_object *o;
        const char *j;

        if (rc_health_state_from_json(text, size, &s, &err) < 0) {
                rc_error_free(err);
                return;
        }
        if (s.n_log > RC_HEALTH_LOG_MAX)
                abort();
        for (size_t i = 0; i < s.n_log; i++)
                if (strlen(s.log[i].output) > RC_HEALTH_OUTPUT_MAX)
                        abort();
        o = rc_health_state_json(&s);
        j = json_object_to_json_string(o);
        if (rc_health_state_from_json(j, strlen(j), &s2, &err) < 0 || s2.n_log != s.n_log || s2.status != s.status)
                abort();
        json_object_put(o);
        rc_health_state_free(&s);
        rc_health_state_free(&s2);
}

static void fuzz_flags(const char *data, size_t size)
{
        char *s = xstrndup(data, size), **test = NULL;
        rc_error *err = NULL;
        int64_t ns;

        if (rc_health_cmd_parse(s, &test, &err) == 0) {
                if (test == NULL || test[0] == NULL)
                        abort();
                strv_free(test);
        } else {
                rc_error_free(err);
        }
        if (rc_duration_parse(s, &ns) == 0 && ns < 0)
                abort();
        free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        fuzz_config((const char *)data, size);
        fuzz_startup((const char *)data, size);
        fuzz_state((const char *)data, size);
        fuzz_flags((const char *)data, size);
        return 0;
}
