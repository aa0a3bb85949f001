/* Column widths from content: measures every header and body cell of a table into each
 * column's needs, then lets typeset/table_layout.c share the width. */
#include <stdlib.h>
#include <string.h>

#include "input/input.h"
#include "render/table_plan.h"

const char *gk_cell_text(const gk_column *column, const gk_cell *cell, char *buf, size_t size)
{
    switch (cell->value.kind) {
    case GK_VALUE_TEXT:
        return cell->value.text;
    case GK_VALUE_NUMBER:
        if (column->thousands)
            gk_decimal_format_grouped(cell->value.number, cell->value.decimals, buf, size);
        else
            gk_value_format(&cell->value, buf, size);
        return buf;
    default:
        return "";
    }
}

double gk_cell_indent(const gk_column *column, int level, double per_level)
{
    if (column->type != GK_TYPE_TEXT || column->align != GK_ALIGN_LEFT || level <= 1)
        return 0;
    return per_level * (level - 1);
}

static void widen(double *to, double value)
{
    if (value > *to)
        *to = value;
}

/* Widens a column's header needs by one header cell's text. */
static void add_header_text(gk_column_need *n, const char *text, const gk_table_metrics *m)
{
    double min = 0, natural = 0;
    gk_text_extent(text, strlen(text), &m->header, GK_HEADER_TERM, &min, &natural);
    widen(&n->header_min, min + 2 * m->pad);
    widen(&n->header_natural, natural + 2 * m->pad);
}

/* Widens a column's body needs by one cell's text, set in face with `extra` points beside it
 * (padding, indent) and merged down `rows` rows. */
static void add_body_text(gk_column_need *n, const char *text, const gk_measure *face,
                          const gk_table_metrics *m, double extra, int rows, bool number)
{
    double min = 0, natural = 0;
    gk_text_extent(text, strlen(text), face, GK_SHORT_TERM, &min, &natural);
    widen(number && m->numbers_shrink ? &n->number_min : &n->body_min, min + extra);
    if (m->max_lines > 0) /* a long text must not grow taller than a page can hold */
        widen(&n->body_min, natural / m->max_lines + extra);
    /* a cell merged down k rows has k lines' room at no cost: it needs no more than its text
     * spread over them */
    widen(&n->body_natural, natural / rows + extra);
}

/* Header cells of one column: a merged cell over several columns wraps inside them. */
static void measure_header(const gk_table_info *t, const gk_table_metrics *m,
                           gk_column_need *needs)
{
    for (size_t i = 0; i < t->header_count; i++) {
        const gk_header_cell *h = &t->header[i];
        if (h->cols == 1)
            add_header_text(&needs[h->col], h->text, m);
    }
}

/* Body cells: a cell merged across columns, and the empty-table wording, do not size one. */
static void measure_body(const gk_table_info *t, const gk_table_metrics *m,
                         gk_column_need *needs)
{
    for (size_t r = 0; r < t->row_count; r++) {
        const gk_row *row = &t->rows[r];
        if (row->kind == GK_ROW_NOTE)
            continue;
        const gk_measure *face = row->kind == GK_ROW_DATA ? &m->body : &m->header;
        for (size_t c = 0; c < t->column_count; c++) {
            const gk_cell *cell = &row->cells[c];
            if (cell->covered || cell->cols != 1)
                continue;
            char buf[64];
            double extra = 2 * m->pad + gk_cell_indent(&t->columns[c], row->level, m->indent);
            add_body_text(&needs[c], gk_cell_text(&t->columns[c], cell, buf, sizeof buf), face, m,
                          extra, cell->rows, cell->value.kind == GK_VALUE_NUMBER);
        }
    }
}

bool gk_plan_columns(const gk_table_info *t, const gk_table_metrics *m, double width,
                     double *widths, gk_column_fit *fit)
{
    size_t cols = t->column_count;
    gk_column_need *needs = calloc(cols + 1, sizeof *needs);
    double *scratch = calloc(3 * cols + 1, sizeof *scratch);
    if (needs == NULL || scratch == NULL) {
        free(needs);
        free(scratch);
        return false;
    }
    for (size_t c = 0; c < cols; c++)
        needs[c].weight = t->columns[c].width;
    measure_header(t, m, needs);
    measure_body(t, m, needs);
    *fit = gk_column_widths(needs, cols, width, widths, scratch);
    if (*fit == GK_FIT_TOO_NARROW && !m->terms_break)
        for (size_t c = 0; c < cols; c++) /* wider than the page: the reader scales it */
            widths[c] = needs[c].body_min > needs[c].header_min ? needs[c].body_min
                                                                  : needs[c].header_min;
    free(needs);
    free(scratch);
    return true;
}

bool gk_plan_grid(const char *const *cells, size_t rows, size_t cols, const gk_table_metrics *m,
                  double width, double *widths)
{
    gk_column_need *needs = calloc(cols + 1, sizeof *needs);
    double *scratch = calloc(3 * cols + 1, sizeof *scratch);
    bool ok = needs != NULL && scratch != NULL;
    for (size_t c = 0; ok && c < cols; c++) {
        for (size_t r = 0; r < rows; r++) {
            if (r == 0)
                add_header_text(&needs[c], cells[c], m);
            else
                add_body_text(&needs[c], cells[r * cols + c], &m->body, m, 2 * m->pad, 1, false);
        }
        /* the room left goes to each column by its natural width */
        double natural = needs[c].body_natural > needs[c].header_natural
                             ? needs[c].body_natural
                             : needs[c].header_natural;
        needs[c].weight = natural - 2 * m->pad;
    }
    if (ok)
        gk_column_widths(needs, cols, width, widths, scratch);
    free(needs);
    free(scratch);
    return ok;
}
