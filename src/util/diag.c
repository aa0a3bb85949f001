/* Diagnostics: the one function every error goes through. */
#include "gongkai/diag.h"

#include <stdio.h>
#include <string.h>

#include "util/i18n.h"

gk_status gk_diag_set(gk_diag *diag, gk_status status, const char *file, int line, int column,
                      const char *format, ...)
{
    if (diag == NULL)
        return status;
    char message[GK_DIAG_MESSAGE_MAX];
    va_list args;
    va_start(args, format);
    vsnprintf(message, sizeof message, _(format), args);
    va_end(args);
    return gk_diag_set_text(diag, status, file, line, column, message);
}

gk_status gk_diag_set_text(gk_diag *diag, gk_status status, const char *file, int line,
                           int column, const char *text)
{
    if (diag == NULL)
        return status;
    diag->status = status;
    snprintf(diag->file, sizeof diag->file, "%s", file ? file : "");
    diag->line = line;
    diag->column = column;
    snprintf(diag->message, sizeof diag->message, "%s", text);
    return status;
}

/* "FILE:LINE:COL: " as far as it is known, "gongkai: " when nothing is. */
static size_t position(char *buf, size_t size, const char *file, int line, int column)
{
    int n;
    if (file == NULL || file[0] == '\0')
        n = snprintf(buf, size, "gongkai: ");
    else if (line > 0 && column > 0)
        n = snprintf(buf, size, "%s:%d:%d: ", file, line, column);
    else if (line > 0)
        n = snprintf(buf, size, "%s:%d: ", file, line);
    else
        n = snprintf(buf, size, "%s: ", file);
    return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}

static size_t format_line(char *buf, size_t size, const char *file, int line, int column,
                          const char *severity, const char *message)
{
    size_t used = size ? position(buf, size, file, line, column) : 0;
    int n = snprintf(buf + used, size - used, "%s%s", severity, message);
    return n < 0 ? used : used + (size_t)n;
}

size_t gk_diag_format_message(char *buf, size_t size, const char *file, int line, int column,
                              bool warning, const char *message)
{
    /* TRANSLATORS: the severity after FILE:LINE:COL; keep the words short. */
    const char *severity = warning ? _("warning: ") : _("error: ");
    return format_line(buf, size, file, line, column, severity, message);
}

size_t gk_diag_format_note(char *buf, size_t size, const char *file, int line, int column,
                           const char *message)
{
    /* TRANSLATORS: the severity after FILE:LINE:COL of information that is not a problem (a
       check skipped); keep it short. */
    return format_line(buf, size, file, line, column, _("note: "), message);
}

size_t gk_diag_format(const gk_diag *diag, char *buf, size_t size)
{
    return gk_diag_format_message(buf, size, diag->file, diag->line, diag->column, false,
                                  diag->message);
}

void gk_diag_clear(gk_diag *diag)
{
    if (diag != NULL)
        memset(diag, 0, sizeof *diag);
}

const char *gk_strerror(gk_status status)
{
    switch (status) {
    case GK_OK: return _("no error");
    case GK_ERR_IO: return _("I/O error");
    case GK_ERR_PARSE: return _("parse error");
    case GK_ERR_LAYOUT: return _("layout error");
    case GK_ERR_DATA: return _("data error");
    case GK_ERR_STATE: return _("interface used out of order");
    case GK_ERR_BACKEND: return _("output library error");
    case GK_ERR_NOMEM: return _("out of memory");
    case GK_ERR_USAGE: return _("usage error");
    }
    return _("unknown error");
}
