/* gongkai — the library for other programs: load a budget package, run its checks, export a
 * unit's booklet (PDF) or workbook (XLSX) to a file or to memory.
 *
 * Ownership: gk_open returns a session that owns everything it loaded; free it with gk_close.
 * Strings returned by the session (unit codes, names, findings) live until gk_close. Memory
 * returned by gk_export_memory belongs to the caller (free()). Errors: every function that can
 * fail returns a gk_status and fills the caller's gk_diag (file, line, column, message); the
 * library never prints. Not thread-safe within one session; sessions are independent. */
#ifndef GONGKAI_GONGKAI_H
#define GONGKAI_GONGKAI_H

#include <stddef.h>

#include "gongkai/diag.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The shared library exports these functions only (it is built with -fvisibility=hidden). */
#if defined(__GNUC__)
#define GK_API __attribute__((visibility("default")))
#else
#define GK_API
#endif

typedef struct gk_session gk_session;

/* The library's version, e.g. "0.1.0". */
GK_API const char *gk_version(void);

/* Loads the package in package_dir. profile_dir may be NULL: the profile named in units.csv is
 * then looked up in $GONGKAI_LAYOUTS or the installed profiles. Messages (diag, findings) are in
 * the language of the program's LC_MESSAGES locale when it has called setlocale (Chinese under
 * zh_CN), else English: the library binds its own gettext domain, "gongkai", and never changes
 * the program's locale or text domain. */
GK_API gk_status gk_open(const char *package_dir, const char *profile_dir, gk_session **out,
                  gk_diag *diag);

/* Frees a session (NULL allowed). */
GK_API void gk_close(gk_session *session);

GK_API size_t gk_unit_count(const gk_session *session);
GK_API const char *gk_unit_code(const gk_session *session, size_t unit);
GK_API const char *gk_unit_name(const gk_session *session, size_t unit);

/* Called once per finding, with the finding formatted as
 * "FILE:LINE:COL: error|warning|note: [RULE-ID] message (expected X, found Y)"; a note (a rule
 * skipped for a table the package does not supply) is neither counted nor an error. */
typedef void (*gk_finding_fn)(void *user, int is_error, const char *rule, const char *text);

/* Runs the profile's rule catalogue on a unit; counts (may be NULL) and reports each finding
 * to fn (may be NULL). A unit whose own files did not load is an error in diag. */
GK_API gk_status gk_check(gk_session *session, size_t unit, size_t *errors, size_t *warnings,
                   gk_finding_fn fn, void *user, gk_diag *diag);

/* Exports a unit in one format ("pdf" or "xlsx") to path, written atomically, through the
 * same gate as the command line: the unit's checks run first, and a unit whose checks find an
 * error is refused (GK_ERR_DATA, the first error in diag) unless gk_set_force was given. A
 * failed export leaves no file at path (an earlier file there is removed: it would be stale). */
GK_API gk_status gk_export_file(gk_session *session, size_t unit, const char *format, const char *path,
                         gk_diag *diag);

/* Whether gk_export_file and gk_export_memory write units whose checks found errors (0: no,
 * the default; like the command line's --force). */
GK_API void gk_set_force(gk_session *session, int force);

/* The same into memory: *bytes (malloc'd, the caller frees it) and *len. */
GK_API gk_status gk_export_memory(gk_session *session, size_t unit, const char *format, void **bytes,
                           size_t *len, gk_diag *diag);

#ifdef __cplusplus
}
#endif

#endif
