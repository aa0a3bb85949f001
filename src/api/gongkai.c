/* The public library (include/gongkai/gongkai.h) over the package, check and render layers. */
#include "gongkai/gongkai.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check/check.h"
#include "export/export.h"
#include "input/input.h"
#include "model/document.h"
#include "render/render.h"
#include "util/datadir.h"
#include "util/i18n.h"
#include "util/publish.h"

struct gk_session {
    gk_package *package;
    gk_rules *rules;
    bool force; /* export units whose checks found errors (gk_set_force) */
};

const char *gk_version(void)
{
    return GK_VERSION;
}

gk_status gk_open(const char *package_dir, const char *profile_dir, gk_session **out,
                  gk_diag *diag)
{
    *out = NULL;
    gk_i18n_bind(); /* messages follow the program's locale, if it has set one */
    gk_session *s = calloc(1, sizeof *s);
    if (s == NULL)
        return gk_diag_set(diag, GK_ERR_NOMEM, package_dir, 0, 0, "out of memory");
    gk_status status = gk_package_load(package_dir, profile_dir, gk_data_dir(GK_DATA_LAYOUTS),
                                       &s->package, diag);
    if (status == GK_OK)
        status = gk_rules_load(s->package->profile, &s->rules, diag);
    if (status != GK_OK) {
        gk_close(s);
        return status;
    }
    *out = s;
    return GK_OK;
}

void gk_close(gk_session *session)
{
    if (session == NULL)
        return;
    gk_rules_free(session->rules);
    gk_package_free(session->package);
    free(session);
}

size_t gk_unit_count(const gk_session *session)
{
    return session->package->unit_count;
}

const char *gk_unit_code(const gk_session *session, size_t unit)
{
    return unit < session->package->unit_count ? session->package->units[unit].code : NULL;
}

const char *gk_unit_name(const gk_session *session, size_t unit)
{
    return unit < session->package->unit_count ? session->package->units[unit].name : NULL;
}

static gk_status bad_unit(const gk_session *session, size_t unit, gk_diag *diag)
{
    return gk_diag_set(diag, GK_ERR_USAGE, session->package->dir, 0, 0,
                       "no unit %zu (the package has %zu)", unit, session->package->unit_count);
}

gk_status gk_check(gk_session *session, size_t unit, size_t *errors, size_t *warnings,
                   gk_finding_fn fn, void *user, gk_diag *diag)
{
    if (unit >= session->package->unit_count)
        return bad_unit(session, unit, diag);
    gk_findings findings = {0};
    gk_status status = gk_check_unit(session->package, session->rules, unit, &findings, diag);
    for (size_t i = 0; status == GK_OK && fn != NULL && i < findings.count; i++) {
        char text[4096];
        gk_finding_format(&findings.items[i], text, sizeof text);
        fn(user, findings.items[i].severity == GK_ERROR, findings.items[i].rule, text);
    }
    if (errors)
        *errors = findings.errors;
    if (warnings)
        *warnings = findings.warnings;
    gk_findings_free(&findings);
    return status;
}

gk_status gk_export_file(gk_session *session, size_t unit, const char *format, const char *path,
                         gk_diag *diag)
{
    if (unit >= session->package->unit_count)
        return bad_unit(session, unit, diag);
    const gk_backend *backend = gk_backend_find(format);
    if (backend == NULL)
        /* TRANSLATORS: pdf and xlsx are the format names callers pass: keep them. */
        return gk_diag_set(diag, GK_ERR_USAGE, "", 0, 0, "unknown format '%s' (pdf or xlsx)",
                           format);
    static const gk_render_options defaults = {0};
    gk_status status = backend->prepare ? backend->prepare(&defaults, diag) : GK_OK;
    const gk_backend *const backends[] = {backend};
    const char *const paths[] = {path};
    gk_export_job job = {.pkg = session->package, .rules = session->rules, .unit = unit,
                         .backends = backends, .paths = paths, .count = 1,
                         .render = &defaults, .force = session->force};
    gk_findings findings = {0};
    if (status == GK_OK)
        status = gk_export(&job, &findings, diag);
    gk_findings_free(&findings);
    return status;
}

void gk_set_force(gk_session *session, int force)
{
    session->force = force != 0;
}

gk_status gk_export_memory(gk_session *session, size_t unit, const char *format, void **bytes,
                           size_t *len, gk_diag *diag)
{
    *bytes = NULL;
    *len = 0;
    /* the backends write files (atomically): render into a private folder, read it back */
    const char *tmp = getenv("TMPDIR");
    char *dir = gk_path_join(tmp && tmp[0] ? tmp : "/tmp", "gongkai-XXXXXX");
    if (dir == NULL || mkdtemp(dir) == NULL) {
        gk_status status = gk_diag_set(diag, GK_ERR_IO, dir ? dir : "", 0, 0,
                                       "cannot create a temporary folder");
        free(dir);
        return status;
    }
    char *path = gk_path_join(dir, "out");
    unsigned char *data = NULL;
    gk_status status = path ? gk_export_file(session, unit, format, path, diag)
                            : gk_diag_set(diag, GK_ERR_NOMEM, dir, 0, 0, "out of memory");
    if (status == GK_OK)
        status = gk_file_read(path, &data, len, diag);
    *bytes = data;
    if (path)
        unlink(path);
    rmdir(dir);
    free(path);
    free(dir);
    return status;
}
