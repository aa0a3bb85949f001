/* The backend interface: one struct of function pointers per output format.
 *
 * The walker (render.c) drives a backend through these slots in a fixed order:
 *   open, begin_document,
 *   { begin_part, [ for the tables part: { begin_table, header, { row }, end_table } ] },
 *   end_document, close.
 * Slots are semantic (a table, its header, a row), never drawing-level, and carry the
 * resolved layout (column widths, alignment, types, header merges) so that no backend needs
 * to know which public table it is drawing. Optional slots may be NULL. close is called
 * exactly once after open was tried, even after a failure. */
#ifndef GONGKAI_BACKEND_H
#define GONGKAI_BACKEND_H

#include <stdint.h>

#include "model/document.h"

enum { GK_BACKEND_ABI = 1 }; /* slots are only ever appended */

typedef struct gk_doc_meta {
    const char *title;   /* "乐山市…2025年单位预算" */
    const char *author;  /* the unit or department name */
    const char *subject; /* "单位预算" */
    int64_t created;     /* seconds since 1970, derived from the budget year: never the clock */
    const gk_document *document;
} gk_doc_meta;

typedef struct gk_table_info {
    const char *number;      /* 公开表3-1; "" when the table has none (nothing prints) */
    const char *title;
    const char *unit_line;   /* the caption's left side, 单位：… ("": nothing prints) */
    const char *amount_line; /* its right side, 金额单位：万元 ("": nothing prints) */
    const char *continued;   /* 续表 */
    bool landscape;
    const gk_column *columns;
    size_t column_count;
    const gk_header_cell *header;
    size_t header_count;
    int header_rows;
    size_t row_count;
    bool empty;
    const gk_row *rows;      /* all row_count rows, for backends that lay out the whole table */
    const char *layout_path; /* the table's layout file, for warnings */
    bool one_page;           /* the profile asks for the table on one page if it fits */
    int text_size, min_text_size, padding; /* points: the profile's table_text */
    const char *name;        /* what messages call the table: its number, else its title */
    const char *const *notes; /* lines printed under the table (注：…) */
    size_t note_count;
} gk_table_info;

typedef struct gk_row_view {
    gk_row_kind kind;
    int level;
    const gk_cell *cells; /* one per column */
    size_t index;         /* 0-based body row index */
} gk_row_view;

typedef struct gk_part_info {
    const char *title;             /* 第一部分 乐山市…概况 */
    size_t index;                  /* 0-based among the printed parts */
    bool tables;                   /* the tables of the booklet follow this call */
    const gk_narrative *narrative; /* the part's blocks (narrative parts) */
    size_t table_count;            /* the tables part: how many tables follow */
} gk_part_info;

/* Options from the command line that a backend may use (NULL fields: its defaults). */
typedef struct gk_render_options {
    const char *body_font;  /* TrueType/TTC file for body and table text (PDF) */
    const char *title_font; /* TrueType/TTC file for titles (PDF) */
    /* Optional: told what a backend had to give way on (a table whose columns do not fit even
     * at their narrowest), once per document: a warning of rule `rule` at `file`. */
    void (*warn)(void *sink, const char *rule, const char *file, const char *message);
    void *warn_sink;
} gk_render_options;

typedef struct gk_backend {
    const char *name;      /* "xlsx" */
    const char *extension; /* ".xlsx" */
    int abi;
    size_t ctx_size;       /* the walker allocates and zeroes this much state */

    gk_status (*open)(void *ctx, const char *path, const gk_render_options *options,
                      gk_diag *diag);
    gk_status (*begin_document)(void *ctx, const gk_doc_meta *meta, gk_diag *diag);
    gk_status (*begin_part)(void *ctx, const gk_part_info *part, gk_diag *diag); /* optional */
    gk_status (*begin_table)(void *ctx, const gk_table_info *table, gk_diag *diag);
    gk_status (*header)(void *ctx, const gk_table_info *table, gk_diag *diag);
    gk_status (*row)(void *ctx, const gk_table_info *table, const gk_row_view *row,
                     gk_diag *diag);
    gk_status (*end_table)(void *ctx, const gk_table_info *table, gk_diag *diag);
    gk_status (*end_document)(void *ctx, gk_diag *diag); /* writes the whole file */
    void (*close)(void *ctx);

    /* Optional, appended in ABI 1: checks the backend's resources (fonts…) once, before a
     * batch renders anything, so that a bad resource stops the batch instead of every unit. */
    gk_status (*prepare)(const gk_render_options *options, gk_diag *diag);

    /* Optional: the output library and its version, for `gongkai doctor`. */
    const char *(*library)(void);

    /* Optional, appended: opens the libraries the backend writes with, once per process, on
     * any thread (a batch's parent does it beside reading the package, before it forks the
     * workers that inherit them). Failures are left to prepare and open to report. */
    void (*load)(void);

    /* Optional, appended: does ahead of time, on any thread, the work of a document that
     * depends on nothing of it (parsing its fonts), kept for the process: a job starts it
     * beside building its document and waits for it before rendering. Failures are left to
     * open and end_document to report. */
    void (*warm)(const gk_render_options *options);
} gk_backend;

/* Every backend, in a fixed order (for `gongkai doctor`). */
const gk_backend *gk_backend_at(size_t index);

/* The backends, by name; NULL when unknown. */
const gk_backend *gk_backend_find(const char *name);

extern const gk_backend gk_backend_xlsx;
extern const gk_backend gk_backend_pdf;

#endif
