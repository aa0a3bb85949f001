/* One table layout for every backend: the column widths of a public table decided by its
 * content (typeset/table_layout.c), so the PDF's columns fit its page and the workbook's fit
 * its paper by the same decision. A backend hands in how it measures text and how wide its
 * printed table is; it never needs to know which table it is. */
#ifndef GONGKAI_TABLE_PLAN_H
#define GONGKAI_TABLE_PLAN_H

#include "render/backend.h"
#include "typeset/typeset.h"

/* How a backend sets a table's text. */
typedef struct gk_table_metrics {
    gk_measure body;    /* body cells */
    gk_measure header;  /* header cells (and total rows), which may use another face */
    double pad;         /* room between a cell's text and its rules, each side, in points */
    double indent;      /* hierarchy indent per level below the first, in points */
    double max_lines;   /* the most lines a cell may take (a part of a page); 0: no limit */
    bool numbers_shrink; /* the backend sets a number too wide for its column smaller */
    bool terms_break;   /* the table must fit `width` (a page), even if terms then break;
                           else it is made wider than `width` instead (a sheet, which prints
                           scaled) */
} gk_table_metrics;

/* Short terms (效益指标, 社会效益指标) of up to this many characters never break in a body
 * cell; a header cell breaks after two characters rather than make its column wider. */
enum { GK_SHORT_TERM = 6, GK_HEADER_TERM = 2 };

/* Fills widths[t->column_count] (points, summing to `width` unless too narrow and terms may
 * not break) from the table's header and rows, and *fit with how well they fit
 * (GK_FIT_TOO_NARROW: terms break, or the table is wider than `width`). False only when out
 * of memory. */
bool gk_plan_columns(const gk_table_info *t, const gk_table_metrics *m, double width,
                     double *widths, gk_column_fit *fit);

/* The same for a grid of texts (a narrative table, row 0 its header), the room left shared
 * by each column's natural width. False only when out of memory. */
bool gk_plan_grid(const char *const *cells, size_t rows, size_t cols, const gk_table_metrics *m,
                  double width, double *widths);

/* The text a cell of column prints ("" for a blank), formatted into buf when it is a number:
 * grouped by thousands (1,234.50) when the column says so. */
const char *gk_cell_text(const gk_column *column, const gk_cell *cell, char *buf, size_t size);

/* The indent of a row's text in a column: hierarchy levels indent left-aligned text. */
double gk_cell_indent(const gk_column *column, int level, double per_level);

#endif
