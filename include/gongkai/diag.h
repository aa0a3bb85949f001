/* gongkai — status codes and diagnostics.
 *
 * Every fallible function returns a gk_status and, on failure, fills a gk_diag with the
 * position (file, line, column) and a compiler-style message. Library code never prints;
 * the CLI prints diagnostics as "FILE:LINE:COL: error: MESSAGE". */
#ifndef GONGKAI_DIAG_H
#define GONGKAI_DIAG_H

#include <stdarg.h>
#include <stddef.h>

typedef enum gk_status {
    GK_OK = 0,     /* success */
    GK_ERR_IO,     /* a file could not be read or written */
    GK_ERR_PARSE,  /* input data is malformed (CSV, amounts, encoding, units file) */
    GK_ERR_LAYOUT, /* a layout profile file is malformed */
    GK_ERR_DATA,   /* input is well-formed but inconsistent (unknown unit, duplicate, …) */
    GK_ERR_STATE,  /* an interface was called out of order (a bug) */
    GK_ERR_BACKEND,/* an output library failed */
    GK_ERR_NOMEM,  /* out of memory */
    GK_ERR_USAGE   /* bad command-line arguments */
} gk_status;

enum { GK_DIAG_FILE_MAX = 1024, GK_DIAG_MESSAGE_MAX = 1024 };

/* One diagnostic. line and column are 1-based; 0 means "not known". */
typedef struct gk_diag {
    gk_status status;
    char file[GK_DIAG_FILE_MAX];
    int line;
    int column;
    char message[GK_DIAG_MESSAGE_MAX];
} gk_diag;

/* Records a failure in diag (if not NULL) and returns status, so callers can write
 * `return gk_diag_set(diag, GK_ERR_PARSE, path, line, col, "expected …");`.
 * This is the single place every error passes through: a good breakpoint. */
gk_status gk_diag_set(gk_diag *diag, gk_status status, const char *file, int line, int column,
                      const char *format, ...) __attribute__((format(printf, 6, 7)));

/* Clears diag to "no error". */
void gk_diag_clear(gk_diag *diag);

/* A short English name for a status ("I/O error", "parse error", …). */
const char *gk_strerror(gk_status status);

#endif
