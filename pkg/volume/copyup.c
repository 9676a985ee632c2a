/* A volume's first use: the image's directory at the destination gives it
 * its owner, mode and first content (podman's copy-up). */
#include "volume/volume.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "store/store.h"
#include "util/fs.h"
#include "util/xalloc.h"

/* dest inside the root, as a directory, or -1: a symlink at its end is
 * not followed (the runtime replaces it), others resolve inside the root,
 * /proc magic links never. */
static int open_image_dir(const char *root, const char *dest)
{
        struct open_how how = { .flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC,
                                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
        cleanup_close int root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);

        while (*dest == '/')
                dest++;
        if (root_fd < 0 || *dest == '\0')
                return -1;
        return (int)syscall(SYS_openat2, root_fd, dest, &how, sizeof(how));
}

static bool dir_empty(int fd)
{
        cleanup_closedir DIR *d = NULL;
        int copy = dup(fd);
        struct dirent *de;

        if (copy < 0 || (d = fdopendir(copy)) == NULL) {
                if (copy >= 0)
                        close(copy);
                return false;
        }
        while ((de = readdir(d)) != NULL)
                if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
                        return false;
        return true;
}

int rc_volume_first_use(struct rc_store *s, const char *name, const char *root, const char *dest, bool nocopy,
                        uint32_t uid, uint32_t gid, rc_error **err)
{
        cleanup_free char *data = rc_store_volume_dir(s, name);
        cleanup_close int src = -1, dst = -1;
        struct stat st;
        int claimed = rc_store_volume_claim_first_use(s, name, err);

        if (claimed <= 0)
                return claimed;
        dst = open(data, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dst < 0)
                return rc_error_set(err, errno, "volume %s: open %s", name, data);
        src = open_image_dir(root, dest);
        if (src < 0 || fstat(src, &st) < 0) {
                /* nothing in the image there: the volume is the process's own */
                if (fchown(dst, uid, gid) < 0)
                        return rc_error_set(err, errno, "volume %s: chown %s", name, data);
                return 0;
        }
        if (fchown(dst, st.st_uid, st.st_gid) < 0 || fchmod(dst, st.st_mode & 07777) < 0)
                return rc_error_set(err, errno, "volume %s: set the owner and mode of %s", name, data);
        if (nocopy || !dir_empty(dst))
                return 0;
        if (rc_copy_tree_at(src, dst, err) < 0)
                return rc_error_wrap(err, "volume %s: copy the image's %s into it", name, dest);
        return 0;
}
