/* Volumes: directories of the store that outlive containers.
 *
 * A volume is STORE/volumes/NAME/_data with a record in the store's
 * database (name, creation time, labels, anonymous or named, whether its
 * first user still has to fill it).  Named volumes come from rc volume
 * create or from first use (-v NAME:/dir); anonymous ones from a bare
 * -v /dir or the image's VOLUME list, and go with their container (rc rm
 * -v, --rm).  A volume a container uses cannot be removed.
 *
 * On a volume's first use its directory takes the owner and mode of what
 * the image has at the destination, and the image's files there are copied
 * into it (podman's copy-up), so a volume over /var/lib/app starts with the
 * image's content.  The image is hostile: the copy never follows a symlink,
 * on either side.
 *
 * Functions return -1 with *err set; ENOENT: no such volume, EEXIST: the
 * name is taken, EBUSY: a container uses it, EINVAL: a bad name. */
#ifndef RC_VOLUME_VOLUME_H
#define RC_VOLUME_VOLUME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/error.h"

struct rc_store;
struct json_object;

struct rc_volume {
        char *name;
        char *mountpoint;     /* STORE/volumes/NAME/_data */
        int64_t created;      /* unix seconds */
        char **labels;        /* "key=value", NULL-terminated (never NULL) */
        bool anonymous;
        bool needs_copy_up;   /* no container has used it yet */
        char **users;         /* ids of the containers that use it (rc_volume_get and _list) */
};
void rc_volume_free(struct rc_volume *v);
void rc_volume_list_free(struct rc_volume *list, size_t n);

/* podman's rule: [a-zA-Z0-9][a-zA-Z0-9_.-]*, at most 255 bytes, so a name is
 * always one plain directory entry ("..", "a/b" and "" are not names). */
bool rc_volume_name_valid(const char *name);

/* Create a volume; name NULL: a random 64-hex name (anonymous volumes).
 * labels may be NULL.  EEXIST when the name is taken. */
int rc_volume_create(struct rc_store *s, const char *name, char *const *labels, bool anonymous, struct rc_volume *out,
                     rc_error **err);
/* The volume `name`, created (named, no labels) if there is none:
 * -v NAME:/dir on first use.  Safe against another rc creating it too. */
int rc_volume_ensure(struct rc_store *s, const char *name, struct rc_volume *out, rc_error **err);
int rc_volume_get(struct rc_store *s, const char *name, struct rc_volume *out, rc_error **err);
/* Every volume, by name. */
int rc_volume_list(struct rc_store *s, struct rc_volume **out, size_t *n, rc_error **err);
/* Remove an unused volume and its data (EBUSY naming a user otherwise). */
int rc_volume_remove(struct rc_store *s, const char *name, rc_error **err);
/* Remove every volume no container uses; *removed (may be NULL) gets their
 * names.  A volume that cannot be removed is reported and skipped. */
int rc_volume_prune(struct rc_store *s, char ***removed, rc_error **err);

/* First use of volume `name` by a container whose root file system is
 * mounted at root: if no container used it before (claimed atomically,
 * so only one of two racing starts does it), give its directory the owner
 * and mode of `dest` in the image (or uid/gid, rc's ids, 0755 when the
 * image has no directory there) and, unless nocopy, copy the image's
 * files below dest into it if it is empty.  A later use does nothing. */
int rc_volume_first_use(struct rc_store *s, const char *name, const char *root, const char *dest, bool nocopy,
                        uint32_t uid, uint32_t gid, rc_error **err);

/* podman's volume inspect object (Name, Driver, Mountpoint, CreatedAt,
 * Labels, Scope, Options, MountCount, NeedsCopyUp, Anonymous). */
struct json_object *rc_volume_to_json(const struct rc_volume *v);

#endif
