/* Sizes and ages the way podman prints them (pkg/format has the rules). */
#include <time.h>

#include "format/format.h"
#include "rc.h"

void rc_cli_human_size(uint64_t bytes, char *buf, size_t len)
{
        rc_format_size(bytes, buf, len);
}

void rc_cli_human_age(int64_t created, char *buf, size_t len)
{
        rc_format_since(created, (int64_t)time(NULL), buf, len);
}

void rc_cli_human_duration(int64_t secs, char *buf, size_t len)
{
        rc_format_duration(secs, buf, len);
}
