/* rc_checkpoint: the saved position (SPEC.md §3): binlog file, offset and
 * GTID state, in a small JSON file written atomically (temporary file, fsync,
 * rename, fsync of the directory), so a crash leaves the old or the new
 * checkpoint, never a torn one. */
#ifndef RC_CHECKPOINT_H
#define RC_CHECKPOINT_H

#include <stdint.h>

#include "core/rc_err.h"

typedef struct rc_checkpoint {
    char file[512];
    uint64_t pos;
    char gtid[4096];
} rc_checkpoint;

/* Returns 1 if loaded, 0 if there is no file at path, -1 on error. */
int rc_checkpoint_load(const char *path, rc_checkpoint *cp, rc_err *err);
int rc_checkpoint_save(const char *path, const rc_checkpoint *cp, rc_err *err);

#endif
