/* Rendering a document through a backend into a file. */
#ifndef GONGKAI_RENDER_H
#define GONGKAI_RENDER_H

#include "render/backend.h"

/* Renders doc with backend into the file at path (the publishing gate, export/export.h, gives
 * it a temporary and publishes it; nothing else calls this). */
gk_status gk_render(const gk_document *doc, const gk_backend *backend, const char *path,
                    const gk_render_options *options, gk_diag *diag);

/* The output file name for a document: "CODE_NAME_YEAR" plus extension, with characters
 * unsafe in file names (/ \ : * ? " < > | and controls) replaced by '_'. */
size_t gk_output_name(const gk_document *doc, const char *extension, char *buf, size_t size);

/* The same from a code, name and year (for outputs named before their document is built). */
size_t gk_output_stem(const char *code, const char *name, const char *year, const char *extension,
                      char *buf, size_t size);

/* Seconds since 1970 of January 1st of year, 00:00 UTC (0 if year is not a number). */
int64_t gk_year_epoch(const char *year);

#endif
