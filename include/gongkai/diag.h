/* gongkai — status codes and diagnostics.
 *
 * Every fallible function returns a gk_status and, on failure, fills a gk_diag with the
 * position (file, line, column) and a compiler-style message, translated (gettext, domain
 * "gongkai") into the language of the LC_MESSAGES locale. Library code never prints;
 * the CLI prints diagnostics as "FILE:LINE:COL: error: MESSAGE". */
#ifndef GONGKAI_DIAG_H
#define GONGKAI_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
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
/* Room for a whole formatted line (gk_diag_format): position, severity and message. */
enum { GK_DIAG_LINE_MAX = GK_DIAG_FILE_MAX + GK_DIAG_MESSAGE_MAX + 64 };

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

/* The same with a message that is already formatted (and translated): taken as it is. */
gk_status gk_diag_set_text(gk_diag *diag, gk_status status, const char *file, int line,
                           int column, const char *text);

/* Writes "FILE:LINE:COL: error: MESSAGE" into buf (what is known of the position; "gongkai:"
 * when there is no file), truncated to size; returns the length it wanted. The one place the
 * diagnostic line is shaped: the CLI, the manifest and check findings all use it. */
size_t gk_diag_format(const gk_diag *diag, char *buf, size_t size);
size_t gk_diag_format_message(char *buf, size_t size, const char *file, int line, int column,
                              bool warning, const char *message);
/* The same line for a note ("FILE:LINE:COL: note: MESSAGE"): information, not a problem. */
size_t gk_diag_format_note(char *buf, size_t size, const char *file, int line, int column,
                           const char *message);

/* Clears diag to "no error". */
void gk_diag_clear(gk_diag *diag);

/* A short name for a status ("I/O error", "parse error", …), translated. */
const char *gk_strerror(gk_status status);

#endif
