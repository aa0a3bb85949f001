/* The output folder of a batch: a lock so that two exports never write into it at once, and
 * the sweep of temporaries (util/publish.h names them) that a killed run left behind.
 *
 * An unsharded export holds OUT/.gongkai.lock exclusively. A --shard K/N export holds it
 * shared (shards may run at the same time, on many machines over a shared folder) and
 * OUT/.gongkai-shard-K-of-N.lock exclusively. The locks are flock(2) locks, released when the
 * holder exits however it exits; the lock file is removed by the last holder. */
#ifndef GONGKAI_OUT_FOLDER_H
#define GONGKAI_OUT_FOLDER_H

#include <stdbool.h>
#include <stddef.h>

#include "gongkai/diag.h"
#include "util/publish.h"

typedef struct gk_out_lock {
    int fd; /* -1: not held */
    char *path;
} gk_out_lock;

/* Takes the lock file OUT/name, exclusive or shared, without waiting: when another export
 * holds it, GK_ERR_IO with a message naming OUT. */
gk_status gk_out_lock_take(const char *out, const char *name, bool exclusive, gk_out_lock *lock,
                           gk_diag *diag);

/* Releases the lock; the lock file is removed when no other export holds it. */
void gk_out_lock_release(gk_out_lock *lock);

/* A temporary's prefix (gk_publish_prefix), compared as the sweep compares them. */
typedef struct gk_temp_prefix {
    char text[GK_TEMP_PREFIX_SIZE];
} gk_temp_prefix;

/* Sorts prefixes for gk_out_sweep. */
void gk_temp_prefixes_sort(gk_temp_prefix *prefixes, size_t count);

/* Removes the gongkai temporaries in OUT (files and the workbook's folders) in one pass over
 * the folder: every one when prefixes is NULL, else those whose prefix is in the sorted array. */
void gk_out_sweep(const char *out, const gk_temp_prefix *prefixes, size_t count);

#endif
