/* Atomic publication of output files: write a temporary file in the target folder, then
 * fsync it, rename it over the final name and fsync the folder. A reader (or a crash) sees
 * either the old file or the whole new one, never a partial one.
 *
 * Temporaries are named ".gk-HHHHHHHH.tmp.XXXXXX" (HHHHHHHH: a hash of the final file name,
 * so a batch can sweep one job's leftovers) and never depend on the final name's length:
 * any final name that fits the file system has temporaries that fit too. */
#ifndef GONGKAI_PUBLISH_H
#define GONGKAI_PUBLISH_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/uio.h>

#include "gongkai/diag.h"

enum {
    GK_PATH_MAX = PATH_MAX,   /* room for any path gongkai builds (checked, never cut) */
    GK_TEMP_PREFIX_SIZE = 16, /* ".gk-HHHHHHHH." and its NUL */
};

/* "DIR/NAME", malloc'd (NULL when out of memory): paths are never cut to a buffer. */
char *gk_path_join(const char *dir, const char *name);

/* The prefix of every temporary made for the output file named `name` (a file name, not a
 * path): ".gk-HHHHHHHH.". */
void gk_publish_prefix(const char *name, char prefix[GK_TEMP_PREFIX_SIZE]);

/* Whether a directory entry's name is a gongkai temporary (of any output). */
bool gk_publish_is_temporary(const char *name);

/* Creates an empty, uniquely named temporary file beside final_path and writes its path to
 * tmp (size: GK_PATH_MAX is always enough). */
gk_status gk_publish_begin(const char *final_path, char *tmp, size_t size, gk_diag *diag);

/* Syncs tmp, renames it to final_path and syncs the folder. On failure tmp is removed. */
gk_status gk_publish_commit(const char *tmp, const char *final_path, gk_diag *diag);

/* Syncs a finished temporary now, on the thread that wrote it, so that formats written on
 * parallel threads reach the disk in parallel; the commit's own sync then finds it clean. */
gk_status gk_publish_sync(const char *tmp, const char *final_path, gk_diag *diag);

/* Publishes several finished temporaries together (a unit's booklet and workbook): all are
 * synced first, then renamed into place; when one rename fails, the files already renamed
 * are removed again, so that either every final file is new or none of this set is left
 * (the temporaries are removed in every case). */
gk_status gk_publish_commit_all(const char *const *tmps, const char *const *finals, size_t count,
                                gk_diag *diag);

/* Removes the temporary file (after a failure). */
void gk_publish_abort(const char *tmp);

/* Writes bytes to path (created or truncated), checking every write and the close: a full
 * disk is an error, never a short file reported as success. Not atomic by itself. */
gk_status gk_write_file(const char *path, const void *bytes, size_t len, gk_diag *diag);

/* Writes all len bytes to fd (a file or a pipe), again after an interrupted or short write;
 * false with errno set (ENOSPC when nothing more could be written). */
bool gk_write_all(int fd, const void *data, size_t len);

/* gk_write_file of the parts one after another, as one file. */
gk_status gk_write_file_parts(const char *path, const struct iovec *parts, size_t count,
                              gk_diag *diag);

/* Writes bytes to path atomically (temporary file, checked writes, fsync, rename). */
gk_status gk_publish_bytes(const char *path, const void *bytes, size_t len, gk_diag *diag);

#endif
