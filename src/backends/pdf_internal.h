/* The PDF backend's private pieces, shared by its files:
 *   pdf.c        the backend slots: buffer the booklet, then lay it out and save it
 *   pdf_pages.c  the display list (pages of positioned text and rules) and drawing it
 *   pdf_flow.c   flowing text: paragraphs with bold spans, headings, the contents page
 *   pdf_table.c  tables: column widths, cell wrapping, row heights, pagination, rules
 * Layout happens completely before anything is drawn, so the contents page knows every page
 * number. Coordinates in the display list are points from the page's top-left corner. */
#ifndef GONGKAI_PDF_INTERNAL_H
#define GONGKAI_PDF_INTERNAL_H

#include <hpdf.h>

#include "backends/pdf_font.h"
#include "render/backend.h"
#include "typeset/typeset.h"

typedef enum pdf_face { PDF_SONG = GK_PDF_FACE_SONG, PDF_HEI = GK_PDF_FACE_HEI, PDF_FACE_COUNT } pdf_face;

/* The face text is set in: bold is the Hei face (黑体 for emphasis, as Chinese official
 * documents do), not a stroked outline, so the booklet embeds two faces. Measure bold text
 * with lay->measure[pdf_face_for(face, true)]: it is wider or narrower than the Song. */
static inline pdf_face pdf_face_for(pdf_face face, bool bold)
{
    return bold ? PDF_HEI : face;
}

/* Rows set in bold: totals and subtotals (not data rows, not the empty-table note). */
static inline bool pdf_row_is_bold(gk_row_kind kind)
{
    return kind != GK_ROW_DATA && kind != GK_ROW_NOTE;
}

/* ---- display list (pdf_pages.c) ------------------------------------------------------ */

typedef enum pdf_op_kind { PDF_OP_TEXT, PDF_OP_LINE } pdf_op_kind;

typedef struct pdf_op {
    pdf_op_kind kind;
    double x, y;   /* text: left end of the baseline; line: start */
    double x2, y2; /* line: end */
    pdf_face face; /* the face drawn: bold already mapped by pdf_face_for */
    double size;
    const char *text; /* not owned: document strings outlive the layout */
    size_t len;
} pdf_op;

typedef struct pdf_page {
    bool landscape;
    int number; /* printed at the foot; 0 for none (the cover) */
    pdf_op *ops;
    size_t count, capacity;
} pdf_page;

/* An outline (bookmark) entry. */
typedef struct pdf_mark {
    const char *title;
    int level; /* 0 part, 1 table */
    size_t page;
} pdf_mark;

typedef struct pdf_pages {
    pdf_page *pages;
    size_t count, capacity;
    pdf_mark *marks;
    size_t mark_count, mark_capacity;
    bool failed; /* out of memory at some point */
} pdf_pages;

enum { PDF_A4_SHORT = 595, PDF_A4_LONG = 842 };

/* What laying out has cost in this thread, for tests (a booklet is laid out once, then only
 * its 目录 again; each table is fitted with a few plans): pages added to display lists, tables
 * laid out, and plans made of a table at one style. Only ever counted up. */
typedef struct pdf_layout_counts {
    size_t pages, tables, plans;
} pdf_layout_counts;
extern _Thread_local pdf_layout_counts pdf_counts;

pdf_page *pdf_pages_add(pdf_pages *pages, bool landscape);
/* Text at (x, baseline y) in pdf_face_for(face, bold). */
void pdf_page_text(pdf_pages *pages, pdf_face face, double size, bool bold, double x, double y,
                   const char *text, size_t len);
void pdf_page_line(pdf_pages *pages, double x1, double y1, double x2, double y2);
void pdf_pages_mark(pdf_pages *pages, const char *title, int level);
void pdf_pages_free(pdf_pages *pages);
double pdf_page_width(const pdf_page *page);
double pdf_page_height(const pdf_page *page);

/* Draws every page into pdf with the two faces; fonts record what they draw. */
gk_status pdf_pages_draw(const pdf_pages *pages, HPDF_Doc pdf, gk_pdf_font *const *fonts,
                         gk_diag *diag);

/* ---- layout context ------------------------------------------------------------------ */

typedef struct pdf_style {
    double margin_x, margin_top, margin_bottom;
    double body_size, body_leading;  /* narrative text */
    double table_size, table_leading;
    double table_min_size;   /* fitting a table onto fewer pages goes no smaller */
    double cell_pad, cell_pad_y; /* between a cell's text and its rules: sides, top and bottom */
    double title_size, part_size, heading_size;
} pdf_style;

typedef struct pdf_layout {
    pdf_pages pages;
    pdf_style style;
    gk_measure measure[PDF_FACE_COUNT]; /* size 1: multiply by the font size */
    double y;                           /* cursor, from the top of the current page */
    int next_number;                    /* page number of the next page */
    gk_arena *arena;
    const gk_cell *overflow_cell;       /* the first cell too tall for a page, if any */
    const char *overflow_table;
    size_t overflow_lines;
    struct pdf_narrow *narrow;          /* tables whose terms had to break, newest first */
} pdf_layout;

/* A table whose columns do not fit even at their narrowest: warned about once laid out. */
typedef struct pdf_narrow {
    const gk_table_info *table;
    struct pdf_narrow *next;
} pdf_narrow;
void pdf_layout_warn_narrow(pdf_layout *lay, const gk_table_info *table);

/* Current page (the last added). */
pdf_page *pdf_layout_page(pdf_layout *lay);
pdf_page *pdf_layout_new_page(pdf_layout *lay, bool landscape, bool numbered);
double pdf_text_width(const pdf_layout *lay, pdf_face face, double size, const char *text,
                      size_t len);

/* ---- flowing text (pdf_flow.c) -------------------------------------------------------- */

/* A centred line (titles). */
void pdf_flow_centered(pdf_layout *lay, pdf_face face, double size, bool bold, const char *text,
                       double space_after);
/* Narrative blocks of a part, from the cursor on, adding pages as needed. */
void pdf_flow_narrative(pdf_layout *lay, const gk_narrative *narrative);
/* One paragraph of spans with a first-line indent, optional marker and left indent. */
void pdf_flow_spans(pdf_layout *lay, const gk_span *spans, size_t count, pdf_face face,
                    double size, double leading, double indent_first, double indent_left,
                    const char *marker);
/* A contents line: text, dot leader, page number. */
void pdf_flow_contents_line(pdf_layout *lay, const char *text, double indent, int page, bool bold);

/* ---- tables (pdf_table.c) ------------------------------------------------------------- */

typedef struct pdf_table {
    const gk_table_info *info;
    gk_row_view *rows; /* copies of the walker's views; cells point into the document */
    size_t row_count;
} pdf_table;

/* Lays out one public table from a fresh page, continuing on further pages as needed. */
void pdf_table_layout(pdf_layout *lay, const pdf_table *table);
/* A simple grid (a narrative table): cols × rows of text, row 0 as header. */
void pdf_table_grid(pdf_layout *lay, const char *const *cells, size_t rows, size_t cols);

#endif
