/* Commands not yet wired; replaced as modules land. */
#include <stdio.h>
#include "rc.h"
#define STUB(n) int cmd_##n(struct rc_cli *cli, int argc, char **argv) { (void)cli; (void)argc; (void)argv; fprintf(stderr, "rc: " #n ": not available yet\n"); return 125; }
STUB(run)
