/* Diagnostics: the one function every error goes through. */
#include "gongkai/diag.h"

#include <stdio.h>
#include <string.h>

gk_status gk_diag_set(gk_diag *diag, gk_status status, const char *file, int line, int column,
                      const char *format, ...)
{
    if (diag == NULL)
        return status;
    diag->status = status;
    snprintf(diag->file, sizeof diag->file, "%s", file ? file : "");
    diag->line = line;
    diag->column = column;
    va_list args;
    va_start(args, format);
    vsnprintf(diag->message, sizeof diag->message, format, args);
    va_end(args);
    return status;
}

void gk_diag_clear(gk_diag *diag)
{
    if (diag != NULL)
        memset(diag, 0, sizeof *diag);
}

const char *gk_strerror(gk_status status)
{
    switch (status) {
    case GK_OK: return "no error";
    case GK_ERR_IO: return "I/O error";
    case GK_ERR_PARSE: return "parse error";
    case GK_ERR_LAYOUT: return "layout error";
    case GK_ERR_DATA: return "data error";
    case GK_ERR_STATE: return "interface used out of order";
    case GK_ERR_BACKEND: return "output library error";
    case GK_ERR_NOMEM: return "out of memory";
    case GK_ERR_USAGE: return "usage error";
    }
    return "unknown error";
}
