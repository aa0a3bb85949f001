/* Tables in the PDF booklet: the layout's header tree with its merges, wrapped cell text,
 * row heights from the embedded font's real advances, pagination with the header repeated on
 * every page and the continuation marked, thin rules around every cell. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/pdf_internal.h"

enum { MAX_CELL_LINES = 64 };

/* Horizontal geometry of a table: column edges scaled from the layout's relative widths. */
typedef struct grid {
    double *x; /* column_count + 1 edges */
    size_t cols;
} grid;

static bool grid_init(grid *g, const double *weights, size_t cols, double left, double width)
{
    g->cols = cols;
    g->x = calloc(cols + 1, sizeof *g->x);
    if (g->x == NULL)
        return false;
    double total = 0;
    for (size_t c = 0; c < cols; c++)
        total += weights[c];
    g->x[0] = left;
    for (size_t c = 0; c < cols; c++)
        g->x[c + 1] = g->x[c] + width * weights[c] / (total > 0 ? total : 1);
    return true;
}

static double span_width(const grid *g, size_t col, size_t cols)
{
    return g->x[col + cols] - g->x[col];
}

/* ---- one cell --------------------------------------------------------------------------- */

typedef struct cell_text {
    const char *text;
    size_t len;
    gk_line lines[MAX_CELL_LINES];
    size_t line_count;
    size_t needed; /* lines the text needs (more than line_count when it cannot fit) */
    double size;   /* font size when not the table's (a number set smaller to fit), else 0 */
} cell_text;

static void wrap(const pdf_layout *lay, const char *text, double width, cell_text *out)
{
    out->text = text;
    out->len = strlen(text);
    gk_measure m = lay->measure[PDF_SONG];
    m.size = lay->style.table_size;
    double inner = width - 2 * lay->style.cell_pad;
    size_t n = gk_break_lines(text, out->len, &m, inner > 1 ? inner : 1, out->lines, MAX_CELL_LINES);
    out->line_count = n < MAX_CELL_LINES ? n : MAX_CELL_LINES;
    out->needed = n;
    if (out->len == 0)
        out->line_count = 0;
}

/* A number is never broken across lines (a reader would take its pieces for two figures): it
 * is set on one line, smaller when it is wider than its column. */
static void set_number(const pdf_layout *lay, const char *text, double width, cell_text *out)
{
    gk_measure m = lay->measure[PDF_SONG];
    m.size = lay->style.table_size;
    double inner = width - 2 * lay->style.cell_pad;
    size_t len = strlen(text);
    double natural = gk_text_width(text, len, &m);
    *out = (cell_text){.text = text, .len = len, .line_count = len > 0, .needed = 1};
    if (natural > inner && inner > 0)
        out->size = m.size * inner / natural;
    out->lines[0] = (gk_line){0, len, natural > inner && inner > 0 ? inner : natural};
}

static double text_height(const pdf_layout *lay, size_t lines)
{
    double min = lay->style.table_leading + 2 * lay->style.cell_pad;
    double need = (double)lines * lay->style.table_leading + 2 * lay->style.cell_pad;
    return need > min ? need : min;
}

/* Draws wrapped text in the box [x0,x1]×[y0,y1], vertically centred. */
static void draw_text(pdf_layout *lay, const cell_text *t, gk_align align, double x0, double x1,
                      double y0, double y1, bool bold, double indent)
{
    const pdf_style *s = &lay->style;
    double block = (double)t->line_count * s->table_leading;
    double y = y0 + (y1 - y0 - block) / 2;
    for (size_t i = 0; i < t->line_count; i++) {
        const gk_line *line = &t->lines[i];
        double left = x0 + s->cell_pad + indent, right = x1 - s->cell_pad;
        double x = align == GK_ALIGN_LEFT     ? left
                   : align == GK_ALIGN_RIGHT  ? right - line->width
                                              : (left + right - line->width) / 2;
        /* the baseline sits a little below the middle of the line box */
        double baseline = y + (s->table_leading + s->table_size * 0.78) / 2;
        pdf_page_text(&lay->pages, PDF_SONG, t->size > 0 ? t->size : s->table_size, bold, x,
                      baseline, t->text + line->start, line->end - line->start);
        y += s->table_leading;
    }
}

static void draw_box(pdf_layout *lay, double x0, double x1, double y0, double y1)
{
    pdf_page_line(&lay->pages, x0, y0, x1, y0);
    pdf_page_line(&lay->pages, x0, y1, x1, y1);
    pdf_page_line(&lay->pages, x0, y0, x0, y1);
    pdf_page_line(&lay->pages, x1, y0, x1, y1);
}

/* ---- the header ------------------------------------------------------------------------ */

typedef struct header_geometry {
    double *row_height; /* per header row */
    cell_text *texts;   /* per header cell */
    double height;
} header_geometry;

static bool measure_header(pdf_layout *lay, const gk_table_info *t, const grid *g,
                           header_geometry *h)
{
    h->row_height = calloc((size_t)t->header_rows + 1, sizeof *h->row_height);
    h->texts = calloc(t->header_count + 1, sizeof *h->texts);
    if (h->row_height == NULL || h->texts == NULL)
        return false;
    for (int r = 0; r < t->header_rows; r++)
        h->row_height[r] = text_height(lay, 1);
    /* single-row cells set their row's height; taller merged cells stretch their last row */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < t->header_count; i++) {
            const gk_header_cell *c = &t->header[i];
            if ((c->rows == 1) != (pass == 0))
                continue;
            wrap(lay, c->text, span_width(g, (size_t)c->col, (size_t)c->cols), &h->texts[i]);
            double need = text_height(lay, h->texts[i].line_count);
            double have = 0;
            for (int r = c->row; r < c->row + c->rows; r++)
                have += h->row_height[r];
            if (need > have)
                h->row_height[c->row + c->rows - 1] += need - have;
        }
    h->height = 0;
    for (int r = 0; r < t->header_rows; r++)
        h->height += h->row_height[r];
    return true;
}

static void draw_header(pdf_layout *lay, const gk_table_info *t, const grid *g,
                        const header_geometry *h)
{
    double top = lay->y;
    for (size_t i = 0; i < t->header_count; i++) {
        const gk_header_cell *c = &t->header[i];
        double y0 = top;
        for (int r = 0; r < c->row; r++)
            y0 += h->row_height[r];
        double y1 = y0;
        for (int r = c->row; r < c->row + c->rows; r++)
            y1 += h->row_height[r];
        double x0 = g->x[c->col], x1 = g->x[c->col + c->cols];
        draw_box(lay, x0, x1, y0, y1);
        draw_text(lay, &h->texts[i], GK_ALIGN_CENTER, x0, x1, y0, y1, true, 0);
    }
    lay->y = top + h->height;
}

/* ---- body rows ------------------------------------------------------------------------- */

typedef struct body_geometry {
    double *height;      /* per row */
    bool *keep;          /* keep_with_next: inside a vertical merge */
    cell_text *texts;    /* rows × cols (only origins are filled) */
} body_geometry;

static const char *cell_string(pdf_layout *lay, const gk_cell *cell)
{
    char buf[64];
    switch (cell->value.kind) {
    case GK_VALUE_TEXT:
        return cell->value.text;
    case GK_VALUE_NUMBER:
        gk_value_format(&cell->value, buf, sizeof buf);
        return gk_arena_strdup(lay->arena, buf);
    case GK_VALUE_BLANK:
        break;
    }
    return "";
}

static double level_indent(const pdf_layout *lay, const gk_column *column, int level)
{
    if (column->type != GK_TYPE_TEXT || column->align != GK_ALIGN_LEFT || level <= 1)
        return 0;
    return lay->style.table_size * (level - 1);
}

static bool measure_body(pdf_layout *lay, const pdf_table *table, const grid *g, body_geometry *b)
{
    const gk_table_info *t = table->info;
    size_t rows = table->row_count, cols = t->column_count;
    b->height = calloc(rows + 1, sizeof *b->height);
    b->keep = calloc(rows + 1, sizeof *b->keep);
    b->texts = calloc(rows * cols + 1, sizeof *b->texts);
    if (b->height == NULL || b->keep == NULL || b->texts == NULL)
        return false;
    for (size_t r = 0; r < rows; r++)
        b->height[r] = text_height(lay, 1);
    for (int pass = 0; pass < 2; pass++)
        for (size_t r = 0; r < rows; r++)
            for (size_t c = 0; c < cols; c++) {
                const gk_cell *cell = &table->rows[r].cells[c];
                if (cell->covered || (cell->rows == 1) != (pass == 0))
                    continue;
                const char *text = cell_string(lay, cell);
                if (text == NULL)
                    return false;
                double indent = level_indent(lay, &t->columns[c], table->rows[r].level);
                cell_text *ct = &b->texts[r * cols + c];
                if (cell->value.kind == GK_VALUE_NUMBER)
                    set_number(lay, text, span_width(g, c, (size_t)cell->cols) - indent, ct);
                else
                    wrap(lay, text, span_width(g, c, (size_t)cell->cols) - indent, ct);
                double need = text_height(lay, ct->needed);
                /* no row is split across pages: a cell taller than a page cannot be printed
                 * whole, and is an error rather than a cut */
                double page = pdf_page_height(pdf_layout_page(lay)) - lay->style.margin_top -
                              lay->style.margin_bottom - 120;
                if ((ct->needed > MAX_CELL_LINES || need > page) && lay->overflow_cell == NULL) {
                    lay->overflow_cell = cell;
                    lay->overflow_table = t->number;
                    lay->overflow_lines = ct->needed;
                }
                double have = 0;
                size_t last = r + (size_t)cell->rows - 1 < rows ? r + (size_t)cell->rows - 1 : rows - 1;
                for (size_t k = r; k <= last; k++) {
                    have += b->height[k];
                    if (k < last)
                        b->keep[k] = true;
                }
                if (need > have)
                    b->height[last] += need - have;
            }
    return true;
}

/* Draws rows [first, end) from the cursor; a vertical merge cut by the page restarts on it. */
static void draw_rows(pdf_layout *lay, const pdf_table *table, const grid *g,
                      const body_geometry *b, size_t first, size_t end)
{
    const gk_table_info *t = table->info;
    size_t cols = t->column_count;
    double *top = calloc(end - first + 1, sizeof *top);
    if (top == NULL) {
        lay->pages.failed = true;
        return;
    }
    double y = lay->y;
    for (size_t r = first; r < end; r++) {
        top[r - first] = y;
        y += b->height[r];
    }
    top[end - first] = y;
    for (size_t r = first; r < end; r++) {
        const gk_row_view *row = &table->rows[r];
        bool bold = row->kind != GK_ROW_DATA && row->kind != GK_ROW_NOTE;
        for (size_t c = 0; c < cols; c++) {
            const gk_cell *cell = &row->cells[c];
            size_t origin = r;
            if (cell->covered) {
                /* find the origin above; draw here only at the top of a page */
                while (origin > 0 && table->rows[origin].cells[c].covered)
                    origin--;
                const gk_cell *o = &table->rows[origin].cells[c];
                bool vertical = origin < r && o->rows > 1 && origin + (size_t)o->rows > r;
                if (!vertical || r != first)
                    continue;
                cell = o;
            } else if (cell->cols == 0) {
                continue;
            }
            size_t last = origin + (size_t)cell->rows;
            if (last > end)
                last = end;
            double x0 = g->x[c], x1 = g->x[c + (size_t)cell->cols];
            double y0 = top[r - first], y1 = top[last - first];
            draw_box(lay, x0, x1, y0, y1);
            gk_align align = row->kind == GK_ROW_NOTE ? GK_ALIGN_CENTER : t->columns[c].align;
            draw_text(lay, &b->texts[origin * cols + c], align, x0, x1, y0, y1, bold,
                      level_indent(lay, &t->columns[c], table->rows[origin].level));
        }
    }
    lay->y = y;
    free(top);
}

/* ---- the table ------------------------------------------------------------------------- */

/* Number, title, 单位 and 金额单位 lines above the table. */
static void table_heading(pdf_layout *lay, const gk_table_info *t, bool continued)
{
    const pdf_style *s = &lay->style;
    pdf_page *page = pdf_layout_page(lay);
    double left = s->margin_x, right = pdf_page_width(page) - s->margin_x;
    const char *number = continued ? gk_arena_printf(lay->arena, "%s %s", t->number, t->continued)
                                   : t->number;
    if (number == NULL) {
        lay->pages.failed = true;
        return;
    }
    pdf_page_text(&lay->pages, PDF_HEI, 10.5, false, left, lay->y + 10.5, number, strlen(number));
    lay->y += 18;
    pdf_flow_centered(lay, PDF_HEI, s->title_size, false, t->title, 6);
    /* 单位：… on the left (wrapped when a long name meets 金额单位 on the right) */
    double size = 10.5;
    double w = pdf_text_width(lay, PDF_SONG, size, t->amount_line, strlen(t->amount_line));
    pdf_page_text(&lay->pages, PDF_SONG, size, false, right - w, lay->y + size, t->amount_line,
                  strlen(t->amount_line));
    gk_measure m = lay->measure[PDF_SONG];
    m.size = size;
    gk_line lines[4];
    size_t count = gk_break_lines(t->unit_line, strlen(t->unit_line), &m, right - left - w - size,
                                  lines, 4);
    for (size_t i = 0; i < count && i < 4; i++) {
        pdf_page_text(&lay->pages, PDF_SONG, size, false, left, lay->y + size,
                      t->unit_line + lines[i].start, lines[i].end - lines[i].start);
        lay->y += size * 1.45;
    }
    lay->y += size * 0.45;
}

void pdf_table_layout(pdf_layout *lay, const pdf_table *table)
{
    const gk_table_info *t = table->info;
    pdf_layout_new_page(lay, t->landscape, true);
    pdf_pages_mark(&lay->pages, gk_arena_printf(lay->arena, "%s %s", t->number, t->title), 1);
    pdf_page *page = pdf_layout_page(lay);
    double width = pdf_page_width(page) - 2 * lay->style.margin_x;

    double *weights = calloc(t->column_count + 1, sizeof *weights);
    grid g = {0};
    header_geometry h = {0};
    body_geometry b = {0};
    size_t *starts = NULL;
    if (weights == NULL)
        goto fail;
    for (size_t c = 0; c < t->column_count; c++)
        weights[c] = t->columns[c].width;
    if (!grid_init(&g, weights, t->column_count, lay->style.margin_x, width) ||
        !measure_header(lay, t, &g, &h) || !measure_body(lay, table, &g, &b))
        goto fail;

    table_heading(lay, t, false);
    double bottom = pdf_page_height(page) - lay->style.margin_bottom;
    double first = bottom - lay->y - h.height;
    double next = first; /* continuation pages repeat the same heading block */
    size_t pages = gk_paginate(b.height, b.keep, table->row_count, first, next, NULL, 0);
    starts = calloc(pages + 1, sizeof *starts);
    if (starts == NULL)
        goto fail;
    gk_paginate(b.height, b.keep, table->row_count, first, next, starts, pages);
    for (size_t p = 0; p < pages; p++) {
        if (p > 0) {
            pdf_layout_new_page(lay, t->landscape, true);
            table_heading(lay, t, true);
        }
        draw_header(lay, t, &g, &h);
        size_t end = p + 1 < pages ? starts[p + 1] : table->row_count;
        draw_rows(lay, table, &g, &b, starts[p], end);
    }
    goto done;
fail:
    lay->pages.failed = true;
done:
    free(starts);
    free(weights);
    free(g.x);
    free(h.row_height);
    free(h.texts);
    free(b.height);
    free(b.keep);
    free(b.texts);
}

/* ---- narrative grids --------------------------------------------------------------------- */

void pdf_table_grid(pdf_layout *lay, const char *const *cells, size_t rows, size_t cols)
{
    if (rows == 0 || cols == 0)
        return;
    pdf_page *page = pdf_layout_page(lay);
    double width = pdf_page_width(page) - 2 * lay->style.margin_x;
    double *weights = calloc(cols, sizeof *weights);
    cell_text *texts = calloc(rows * cols, sizeof *texts);
    double *heights = calloc(rows, sizeof *heights);
    grid g = {0};
    if (weights == NULL || texts == NULL || heights == NULL) {
        lay->pages.failed = true;
        goto done;
    }
    /* columns as wide as their longest text, at least three characters */
    for (size_t c = 0; c < cols; c++) {
        weights[c] = lay->style.table_size * 3;
        for (size_t r = 0; r < rows; r++) {
            const char *text = cells[r * cols + c];
            double w = pdf_text_width(lay, PDF_SONG, lay->style.table_size, text, strlen(text)) +
                       2 * lay->style.cell_pad;
            if (w > weights[c])
                weights[c] = w;
        }
    }
    if (!grid_init(&g, weights, cols, lay->style.margin_x, width)) {
        lay->pages.failed = true;
        goto done;
    }
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < cols; c++) {
            wrap(lay, cells[r * cols + c], span_width(&g, c, 1), &texts[r * cols + c]);
            double need = text_height(lay, texts[r * cols + c].line_count);
            if (need > heights[r])
                heights[r] = need;
        }
    for (size_t r = 0; r < rows; r++) {
        if (lay->y + heights[r] > pdf_page_height(page) - lay->style.margin_bottom) {
            page = pdf_layout_new_page(lay, page->landscape, true);
        }
        for (size_t c = 0; c < cols; c++) {
            draw_box(lay, g.x[c], g.x[c + 1], lay->y, lay->y + heights[r]);
            draw_text(lay, &texts[r * cols + c], GK_ALIGN_CENTER, g.x[c], g.x[c + 1], lay->y,
                      lay->y + heights[r], r == 0, 0);
        }
        lay->y += heights[r];
    }
done:
    free(weights);
    free(texts);
    free(heights);
    free(g.x);
}
