/* The publishing gate: the one function through which every booklet and workbook leaves
 * gongkai — a unit's or a department's, in any format, from the command line, a batch worker
 * or the library.
 *
 * It builds the document, runs the checks of its scope on it (a unit's rule catalogue, which
 * reads the narrative as it prints; for a department, the agreement of its units and each
 * unit's checks) and refuses the document when they find an error, unless forced. Then it
 * renders every format into temporaries beside their final files and publishes them
 * together: either every file of the job is new and whole, or the job leaves none of its
 * files behind (an earlier run's files of the job are removed too, so that what stays in the
 * output folder is never stale). */
#ifndef GONGKAI_EXPORT_H
#define GONGKAI_EXPORT_H

#include "check/check.h"
#include "render/backend.h"

typedef struct gk_export_job {
    const gk_package *pkg;
    const gk_rules *rules;
    const char *department;   /* a department's code: its consolidated booklet; NULL: a unit's */
    size_t unit;              /* the unit, when department is NULL */
    const gk_backend *const *backends;
    const char *const *paths; /* the final file of each backend */
    size_t count;
    const gk_render_options *render; /* NULL: the backends' defaults */
    bool force;               /* publish even when the checks found errors */
    bool spare_cores;         /* idle cores: each format on a thread of its own */
} gk_export_job;

/* Checks, renders and publishes the job's files. The checks' findings are appended to
 * findings (also when the job fails). Refused for errors: GK_ERR_DATA with the first error
 * finding in diag; any other failure: its diagnostic, naming the final file (never a
 * temporary). */
gk_status gk_export(const gk_export_job *job, gk_findings *findings, gk_diag *diag);

#endif
