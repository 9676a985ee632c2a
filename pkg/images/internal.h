/* Internal to pkg/images: what import, load and pull share. */
#ifndef RC_IMAGES_INTERNAL_H
#define RC_IMAGES_INTERNAL_H

#include "store/store.h"
#include "util/error.h"

/* After a failed layer write: add what to do to *err when the disk is
 * full (ENOSPC) or a layer went past [storage] max_layer_size (EFBIG).
 * Returns -1. */
int rc_images_hint_layer_error(struct rc_store *s, rc_error **err);

#endif
