/* A booklet ready to render: every table of the booklet resolved to printable rows.
 *
 * gk_document_build applies the layout to a package for one scope (a unit, or later a
 * department): it computes the 合计, department and unit rows, expands value templates,
 * evaluates fixed-row (stub) tables, applies the zero policy and the vertical merges.
 * Backends read only this structure, never the package or the CSV. */
#ifndef GONGKAI_DOCUMENT_H
#define GONGKAI_DOCUMENT_H

#include "model/narrative.h"
#include "model/package.h"

typedef enum gk_row_kind {
    GK_ROW_DATA,       /* a row from the package */
    GK_ROW_TOTAL,      /* 合计 (and the totals of fixed-row tables) */
    GK_ROW_DEPARTMENT, /* a department's subtotal */
    GK_ROW_UNIT,       /* a unit's subtotal */
    GK_ROW_NOTE        /* the empty-table or not-supplied wording, merged across the table */
} gk_row_kind;

/* A printed cell. rows/cols > 1 start a merge; covered cells lie under one. */
typedef struct gk_cell {
    gk_value value;
    int rows, cols;
    bool covered;
    const char *file; /* where a data cell's value came from (CSV), for diagnostics; else NULL */
    int line, column;
} gk_cell;

typedef struct gk_row {
    gk_row_kind kind;
    int level;
    gk_cell *cells; /* one per layout column */
} gk_row;

typedef struct gk_table {
    const gk_table_layout *layout;
    const char *title;     /* the layout's title with {year} etc. expanded */
    gk_row *rows;
    size_t row_count;
    bool empty;           /* no data rows: printed with the empty-table wording */
    bool not_supplied;    /* the package does not supply it: printed with the profile's
                           * not_supplied_text, no 合计 (a profile may leave it out instead) */
    const char *unit_line; /* the caption's left side: "单位：乐山市…" */
    const char *amount_line; /* its right side: "金额单位：万元" (the table's unit) */
    const char *const *notes; /* lines printed under the table, templates filled */
    size_t note_count;
} gk_table;

/* A part of the booklet as printed: a narrative part or the part holding the tables. */
typedef struct gk_doc_part {
    const char *title; /* 第一部分 乐山市…概况 */
    bool tables;
    gk_narrative narrative;
} gk_doc_part;

typedef struct gk_document {
    const gk_package *package;
    const gk_profile *profile;
    gk_booklet_kind kind;
    const gk_unit *unit;       /* the unit (unit booklets) */
    const char *code;          /* unit or department code */
    const char *name;          /* unit or department name */
    const char *year;
    const char *title;         /* "乐山市…2025年单位预算": the booklet's full_title, filled */
    const gk_cover_line *cover; /* the cover's lines, templates filled */
    size_t cover_count;
    const char *amount_line;   /* "金额单位：万元": the booklet's unit (a table's is its own) */
    gk_table *tables;
    size_t table_count;
    const gk_doc_part *parts; /* in print order; narrative parts without a file are left out */
    size_t part_count;
    const char *booklet_title; /* 单位预算 / 部门预算 */
    gk_package *consolidated;  /* a consolidated department booklet's package (consolidate.h):
                                * what it prints, freed with the document */
    gk_arena arena;
} gk_document;

/* Builds the booklet of one unit (its booklet kind from units.csv decides the table set). */
gk_status gk_document_build_unit(const gk_package *package, size_t unit_index,
                                 gk_document **out, gk_diag *diag);

/* Builds a department's booklet (部门预算) over all its units in the package: with the
 * profile's `rows: by_unit`, the department's rows, then each unit's rows and subtotals; with
 * `rows: consolidated`, one row per 科目 summed over the units (model/consolidate.h). */
gk_status gk_document_build_department(const gk_package *package, const char *department_code,
                                       gk_document **out, gk_diag *diag);

void gk_document_free(gk_document *document);

/* Expands a layout template ({unit.code}, {unit.name}, {department.code}, {department.name},
 * {year}, {booklet}, {KEY} of the row when row is not NULL, and {amount_unit}, the unit of
 * layout's amounts, when layout is not NULL and has no column amount_unit) into arena
 * memory; NULL when out of memory. */
const char *gk_template_expand(gk_arena *arena, const char *template, const gk_unit *unit,
                               const gk_table_layout *layout, const gk_data_row *row,
                               const char *booklet_title);

#endif
