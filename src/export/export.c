/* The publishing gate; see export.h. */
#include "export/export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/document.h"
#include "render/render.h"
#include "util/publish.h"

/* The first error of findings as a diagnostic ("FILE:LINE:COL: error: [RULE] …"). */
static gk_status refusal(const gk_findings *findings, gk_diag *diag)
{
    for (size_t i = 0; i < findings->count; i++) {
        const gk_finding *f = &findings->items[i];
        if (f->severity != GK_ERROR)
            continue;
        char message[GK_DIAG_MESSAGE_MAX];
        gk_finding_message(f, message, sizeof message);
        return gk_diag_set_text(diag, GK_ERR_DATA, f->file, f->line, f->column, message);
    }
    return GK_OK;
}

static gk_status check_scope(const gk_export_job *job, gk_findings *findings, gk_diag *diag)
{
    gk_status status = job->department
                           ? gk_check_department(job->pkg, job->rules, job->department, findings,
                                                 diag)
                           : gk_check_unit(job->pkg, job->rules, job->unit, findings, diag);
    if (status == GK_OK && findings->errors > 0 && !job->force)
        status = refusal(findings, diag);
    return status;
}

static gk_status build(const gk_export_job *job, gk_document **doc, gk_diag *diag)
{
    return job->department ? gk_document_build_department(job->pkg, job->department, doc, diag)
                           : gk_document_build_unit(job->pkg, job->unit, doc, diag);
}

/* What a backend had to give way on becomes a warning of the job, beside the checks'. */
typedef struct warning_sink {
    gk_findings *findings;
    size_t unit;
    bool failed;
} warning_sink;

static void add_render_warning(void *sink, const char *rule, const char *file,
                               const char *message)
{
    warning_sink *w = sink;
    if (gk_findings_add(w->findings, GK_WARNING, rule, w->unit, file, 0, 0, message) == NULL)
        w->failed = true;
}

/* Renders every format into a temporary beside its final file; tmps[k] is set for each
 * temporary made (the caller removes them). */
static gk_status render_all(const gk_export_job *job, const gk_document *doc, char **tmps,
                            gk_findings *findings, gk_diag *diag)
{
    warning_sink sink = {findings, job->unit, false};
    gk_render_options options = {0};
    if (job->render != NULL)
        options = *job->render;
    options.warn = add_render_warning;
    options.warn_sink = &sink;
    gk_status status = GK_OK;
    for (size_t k = 0; k < job->count && status == GK_OK; k++) {
        tmps[k] = malloc(GK_PATH_MAX);
        if (tmps[k] == NULL)
            return gk_diag_set(diag, GK_ERR_NOMEM, job->paths[k], 0, 0, "out of memory");
        tmps[k][0] = '\0';
        status = gk_publish_begin(job->paths[k], tmps[k], GK_PATH_MAX, diag);
        if (status == GK_OK)
            status = gk_render(doc, job->backends[k], tmps[k], &options, diag);
        /* the backend's message names the temporary file: name the real output instead */
        if (status != GK_OK && diag != NULL && tmps[k][0] && strcmp(diag->file, tmps[k]) == 0)
            snprintf(diag->file, sizeof diag->file, "%s", job->paths[k]);
    }
    if (status == GK_OK && sink.failed)
        return gk_diag_set(diag, GK_ERR_NOMEM, job->paths[0], 0, 0, "out of memory");
    return status;
}

gk_status gk_export(const gk_export_job *job, gk_findings *findings, gk_diag *diag)
{
    char **tmps = calloc(job->count + 1, sizeof *tmps);
    if (tmps == NULL)
        return gk_diag_set(diag, GK_ERR_NOMEM, job->paths[0], 0, 0, "out of memory");
    gk_document *doc = NULL;
    gk_status status = check_scope(job, findings, diag);
    if (status == GK_OK)
        status = build(job, &doc, diag);
    if (status == GK_OK)
        status = render_all(job, doc, tmps, findings, diag);
    gk_document_free(doc);
    if (status == GK_OK)
        status = gk_publish_commit_all((const char *const *)tmps, job->paths, job->count, diag);
    for (size_t k = 0; k < job->count; k++) {
        if (status != GK_OK && tmps[k] != NULL)
            gk_publish_abort(tmps[k]);
        if (status != GK_OK)
            unlink(job->paths[k]); /* an earlier run's file of a job that now fails is stale */
        free(tmps[k]);
    }
    free(tmps);
    return status;
}
