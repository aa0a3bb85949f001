/* Opening the files gongkai reads. Every input file (CSV tables, units.csv, prior.csv,
 * narrative Markdown, layout and rules YAML, fonts, manifests) is opened by gk_input_open, so a
 * path that exists but is not a readable regular file is an error naming it — never "no data",
 * never a read without end (/dev/zero) and never a hang (a FIFO). Optional files are asked
 * about with gk_input_probe, so that a broken one is not mistaken for one left out. */
#ifndef GK_UTIL_INPUT_FILE_H
#define GK_UTIL_INPUT_FILE_H

#include <stddef.h>

#include "gongkai/diag.h"

/* The largest input file read whole (1 GiB); layout files have their own, smaller limit. */
#define GK_INPUT_MAX_BYTES ((size_t)1 << 30)

/* Opens path for reading without blocking (O_NONBLOCK: a FIFO never waits for a writer) and
 * checks the opened descriptor with fstat: it must be a regular file of at most max_bytes.
 * On success *fd is open (the caller closes it) and *size is the size fstat gave. Otherwise
 * *fd is -1 and diag (may be NULL) names path: "cannot open file: no such file or directory",
 * "expected a regular file, found a FIFO (named pipe)", "… found a dangling symbolic link",
 * "expected a file of at most N bytes, found M bytes"; the status is GK_ERR_IO. */
gk_status gk_input_open(const char *path, size_t max_bytes, int *fd, size_t *size,
                        gk_diag *diag);

/* The buffer for reading a file of size bytes a block at a time, blocks of at most largest:
 * no bigger than the file and the one more byte that sees its end in the same read. A small
 * file then leaves no large block in the heap for a forked worker to reuse (its pages would
 * be copied from the parent's one by one). */
static inline size_t gk_input_block(size_t size, size_t largest)
{
    return size < largest ? size + 1 : largest;
}

/* Reads the whole regular file at path (opened by gk_input_open, so with the same checks)
 * into a malloc'd buffer (the caller frees it; one spare byte follows the data, not counted in
 * *len). The size fstat gave is a hint only, as a file may change while it is read; more than
 * max_bytes are never accepted. Errors (GK_ERR_IO, GK_ERR_NOMEM) name path. */
gk_status gk_input_read(const char *path, size_t max_bytes, unsigned char **data, size_t *len,
                        gk_diag *diag);

/* gk_input_read of a file already open (by gk_input_open): its bytes from its start, whatever
 * was read of it before. */
gk_status gk_input_read_fd(const char *path, int fd, size_t max_bytes, unsigned char **data,
                           size_t *len, gk_diag *diag);

typedef enum gk_input_kind {
    GK_INPUT_FILE,  /* a regular file is wanted */
    GK_INPUT_FOLDER /* a folder is wanted */
} gk_input_kind;

typedef enum gk_input_state {
    GK_INPUT_ABSENT,  /* nothing at the path, nor a broken link on the way: left out */
    GK_INPUT_PRESENT, /* a regular file (or a folder, as wanted) */
    GK_INPUT_BROKEN   /* something is there that cannot be read as wanted: diag says what */
} gk_input_state;

/* Whether an optional input is absent, present or broken, in *state. Broken: a dangling
 * symbolic link (the path itself or a folder on the way), a symbolic-link loop, no permission
 * to look, a file on the way where a folder should be, or the wrong kind of thing at the path
 * (a folder where a file is wanted, a FIFO, a device, a socket). A broken input returns
 * GK_ERR_IO with diag (may be NULL) naming the path at fault and what was found there; absent
 * and present return GK_OK. Present is a promise about this moment only: read the file with
 * gk_input_open all the same. */
gk_status gk_input_probe(const char *path, gk_input_kind kind, gk_input_state *state,
                         gk_diag *diag);

#endif
