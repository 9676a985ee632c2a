/* Fuzz layer extraction: any byte stream, as a (compressed) tar, extracted
 * into a scratch directory.  Crashes, sanitizer reports and leaks fail; an
 * error return is the expected outcome for most inputs. */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "archive/archive.h"
#include "util/fs.h"
#include "util/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char tmpl[] = "/tmp/rc-fuzz-archive-XXXXXX";
        struct rc_extract_opts opts = { .mode = RC_EXTRACT_LAYER, .blob_fd = -1, .ignore_ownership = true };
        struct rc_extract_result res;
        rc_error *err = NULL;
        int in, root;

        if (mkdtemp(tmpl) == NULL)
                abort();
        in = memfd_create("fuzz", MFD_CLOEXEC);
        if (in < 0 || rc_write_all(in, data, size) < 0 || lseek(in, 0, SEEK_SET) < 0)
                abort();
        root = open(tmpl, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (root < 0)
                abort();
        if (size > 0 && (data[0] & 1))
                opts.mode = RC_EXTRACT_APPLY;
        if (rc_archive_extract(in, root, &opts, &res, &err) < 0)
                rc_error_free(err);
        err = NULL;
        close(root);
        close(in);
        if (rc_rm_rf(tmpl, &err) < 0)
                abort();
        return 0;
}
