/* Atomic publication of output files: write a temporary file in the target folder, then
 * fsync it, rename it over the final name and fsync the folder. A reader (or a crash) sees
 * either the old file or the whole new one, never a partial one. */
#ifndef GONGKAI_PUBLISH_H
#define GONGKAI_PUBLISH_H

#include <stddef.h>

#include "gongkai/diag.h"

/* Creates an empty, uniquely named temporary file beside final_path (".NAME.tmp.XXXXXX")
 * and writes its path to tmp. */
gk_status gk_publish_begin(const char *final_path, char *tmp, size_t size, gk_diag *diag);

/* Syncs tmp, renames it to final_path and syncs the folder. On failure tmp is removed. */
gk_status gk_publish_commit(const char *tmp, const char *final_path, gk_diag *diag);

/* Removes the temporary file (after a failure). */
void gk_publish_abort(const char *tmp);

/* Writes bytes to path (created or truncated), checking every write and the close: a full
 * disk is an error, never a short file reported as success. Not atomic by itself. */
gk_status gk_write_file(const char *path, const void *bytes, size_t len, gk_diag *diag);

/* Writes bytes to path atomically (temporary file, checked writes, fsync, rename). */
gk_status gk_publish_bytes(const char *path, const void *bytes, size_t len, gk_diag *diag);

#endif
