/* The publishing gate; see export.h. */
#include "export/export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/document.h"
#include "render/render.h"
#include "util/publish.h"
#include "util/task.h"

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

/* doc: the scope's booklet, or NULL when it could not be built (the checks then find why) */
static gk_status check_scope(const gk_export_job *job, const gk_document *doc,
                             gk_findings *findings, gk_diag *diag)
{
    gk_status status = job->department
                           ? gk_check_department(job->pkg, job->rules, job->department, findings,
                                                 diag)
                           : gk_check_unit_booklet(job->pkg, job->rules, job->unit, doc, findings,
                                                   diag);
    if (status == GK_OK && findings->errors > 0 && !job->force)
        status = refusal(findings, diag);
    return status;
}

static gk_status build(const gk_export_job *job, gk_document **doc, gk_diag *diag)
{
    return job->department ? gk_document_build_department(job->pkg, job->department, doc, diag)
                           : gk_document_build_unit(job->pkg, job->unit, doc, diag);
}

/* One format of the job: rendered into a temporary beside its final file, with what its
 * backend had to give way on (a table whose columns do not fit even at their narrowest) kept
 * apart, so that formats rendered on parallel threads report in the job's order. */
typedef struct format_render {
    const gk_export_job *job;
    const gk_document *doc;
    size_t index;          /* into job->backends and job->paths */
    char tmp[GK_PATH_MAX]; /* the temporary made, or "" */
    gk_findings warnings;
    bool warnings_lost;    /* out of memory while recording one */
    gk_diag diag;
    gk_status status;
    gk_task task;
    gk_task warming; /* the backend's warm, beside the document's building */
} format_render;

static void add_render_warning(void *sink, const char *rule, const char *file,
                               const char *message)
{
    format_render *r = sink;
    if (gk_findings_add(&r->warnings, GK_WARNING, rule, r->job->unit, file, 0, 0, message) ==
        NULL)
        r->warnings_lost = true;
}

static void *render_format(void *arg)
{
    format_render *r = arg;
    const gk_export_job *job = r->job;
    const char *path = job->paths[r->index];
    gk_render_options options = {0};
    if (job->render != NULL)
        options = *job->render;
    options.warn = add_render_warning;
    options.warn_sink = r;
    gk_diag_clear(&r->diag);
    r->status = gk_publish_begin(path, r->tmp, sizeof r->tmp, &r->diag);
    if (r->status == GK_OK)
        r->status = gk_render(r->doc, job->backends[r->index], r->tmp, &options, &r->diag);
    if (r->status == GK_OK)
        r->status = gk_publish_sync(r->tmp, path, &r->diag);
    /* the backend's message names the temporary file: name the real output instead */
    if (r->status != GK_OK && r->tmp[0] && strcmp(r->diag.file, r->tmp) == 0)
        snprintf(r->diag.file, sizeof r->diag.file, "%s", path);
    if (r->status == GK_OK && r->warnings_lost)
        r->status = gk_diag_set(&r->diag, GK_ERR_NOMEM, path, 0, 0, "out of memory");
    return NULL;
}

/* Renders formats 1… on threads of their own while this thread renders format 0, when the
 * job may use idle cores (a job alone on a machine: its booklet and workbook take as long as
 * the slower of the two instead of both). The outputs do not depend on it: each format is
 * rendered alone from the same read-only document. */
static void render_formats(format_render *renders, size_t count, bool parallel)
{
    for (size_t k = 1; k < count; k++)
        gk_task_start(&renders[k].task, render_format, &renders[k], parallel);
    render_format(&renders[0]);
    for (size_t k = 1; k < count; k++)
        gk_task_wait(&renders[k].task);
}

static void *warm_format(void *arg)
{
    const format_render *r = arg;
    static const gk_render_options defaults = {0};
    r->job->backends[r->index]->warm(r->job->render != NULL ? r->job->render : &defaults);
    return NULL;
}

/* Starts each format's warm (its fonts parsed while the document is built, when the job may
 * use idle cores; otherwise when its result is awaited, before rendering). */
static void start_warming(const gk_export_job *job, format_render *renders)
{
    for (size_t k = 0; k < job->count; k++) {
        renders[k] = (format_render){.job = job, .index = k};
        if (job->backends[k]->warm != NULL)
            gk_task_start(&renders[k].warming, warm_format, &renders[k], job->spare_cores);
    }
}

/* Renders every format; the first failure in the job's order is the job's diagnostic. Each
 * temporary made is in renders[k].tmp (the caller removes them on failure). */
static gk_status render_all(const gk_export_job *job, const gk_document *doc,
                            format_render *renders, gk_diag *diag)
{
    for (size_t k = 0; k < job->count; k++) {
        gk_task_wait(&renders[k].warming);
        renders[k].doc = doc;
    }
    render_formats(renders, job->count, job->spare_cores);
    for (size_t k = 0; k < job->count; k++)
        if (renders[k].status != GK_OK) {
            if (diag != NULL)
                *diag = renders[k].diag;
            return renders[k].status;
        }
    return GK_OK;
}

/* The formats' warnings join the checks' findings, in the job's order of formats. */
static gk_status add_warnings(const gk_export_job *job, const format_render *renders,
                              gk_findings *findings, gk_diag *diag)
{
    for (size_t k = 0; k < job->count; k++)
        for (size_t i = 0; i < renders[k].warnings.count; i++) {
            const gk_finding *w = &renders[k].warnings.items[i];
            if (gk_findings_add(findings, w->severity, w->rule, w->unit, w->file, w->line,
                                w->column, w->message) == NULL)
                return gk_diag_set(diag, GK_ERR_NOMEM, job->paths[k], 0, 0, "out of memory");
        }
    return GK_OK;
}

gk_status gk_export(const gk_export_job *job, gk_findings *findings, gk_diag *diag)
{
    format_render *renders = calloc(job->count + 1, sizeof *renders);
    if (renders == NULL)
        return gk_diag_set(diag, GK_ERR_NOMEM, job->paths[0], 0, 0, "out of memory");
    start_warming(job, renders);
    gk_document *doc = NULL;
    gk_diag build_diag;
    gk_status built = build(job, &doc, &build_diag);
    /* checked first (they read the booklet as it prints): a refused job is never rendered.
     * Measured: checking beside the rendering, on a thread, was 1 to 2 ms slower a job on two
     * cores (rendering's two formats already use both). The checks' verdict comes before
     * anything building found. */
    gk_status status = check_scope(job, doc, findings, diag);
    if (status == GK_OK && built != GK_OK) {
        status = built;
        if (diag != NULL)
            *diag = build_diag;
    }
    if (status == GK_OK)
        status = render_all(job, doc, renders, diag);
    for (size_t k = 0; k < job->count; k++)
        gk_task_drop(&renders[k].warming); /* not rendered: a warm still running is joined */
    gk_document_free(doc);
    if (status == GK_OK)
        status = add_warnings(job, renders, findings, diag);
    const char *tmps[job->count + 1];
    for (size_t k = 0; k < job->count; k++)
        tmps[k] = renders[k].tmp;
    if (status == GK_OK)
        status = gk_publish_commit_all(tmps, job->paths, job->count, diag);
    for (size_t k = 0; k < job->count; k++) {
        if (status != GK_OK && renders[k].tmp[0])
            gk_publish_abort(renders[k].tmp);
        if (status != GK_OK)
            unlink(job->paths[k]); /* an earlier run's file of a job that now fails is stale */
        gk_findings_free(&renders[k].warnings);
    }
    free(renders);
    return status;
}
