/* Tables in the PDF booklet: the layout's header tree with its merges, wrapped cell text,
 * row heights from the embedded font's real advances, pagination with the header repeated on
 * every page and the continuation marked, thin rules around every cell. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/pdf_internal.h"
#include "render/table_plan.h"
#include "util/grow.h"

enum { MAX_CELL_LINES = 64 };

/* Horizontal geometry of a table: column edges from the planned widths. */
typedef struct grid {
    double *x; /* column_count + 1 edges */
    size_t cols;
} grid;

static bool grid_init(grid *g, const double *widths, size_t cols, double left)
{
    g->cols = cols;
    g->x = calloc(cols + 1, sizeof *g->x);
    if (g->x == NULL)
        return false;
    g->x[0] = left;
    for (size_t c = 0; c < cols; c++)
        g->x[c + 1] = g->x[c] + widths[c];
    return true;
}

static double span_width(const grid *g, size_t col, size_t cols)
{
    return g->x[col + cols] - g->x[col];
}

/* ---- one cell --------------------------------------------------------------------------- */

/* The lines of all the cells of a table (or grid), one after another: a cell holds a handful
 * of lines, and a table hundreds of cells, so they share one array rather than each keeping
 * room for MAX_CELL_LINES. */
typedef struct line_pool {
    gk_line *lines;
    size_t count, capacity;
} line_pool;

typedef struct cell_text {
    const char *text;
    size_t len;
    size_t first;  /* its lines: the pool's lines [first, first + line_count) */
    size_t line_count;
    size_t needed; /* lines the text needs (more than line_count when it cannot fit) */
    double size;   /* font size when not the table's (a number set smaller to fit), else 0 */
} cell_text;

/* Room for a cell's lines at the end of the pool; NULL when out of memory. */
static gk_line *pool_room(line_pool *pool)
{
    while (pool->capacity - pool->count < MAX_CELL_LINES)
        if (!gk_grow((void **)&pool->lines, &pool->capacity, pool->capacity, sizeof *pool->lines,
                     16 * MAX_CELL_LINES))
            return NULL;
    return pool->lines + pool->count;
}

/* False when out of memory. */
static bool wrap(const pdf_layout *lay, const char *text, double width, bool bold,
                 line_pool *pool, cell_text *out)
{
    gk_line *lines = pool_room(pool);
    if (lines == NULL)
        return false;
    size_t len = strlen(text);
    gk_measure m = lay->measure[pdf_face_for(PDF_SONG, bold)];
    m.size = lay->style.table_size;
    double inner = width - 2 * lay->style.cell_pad;
    size_t n = gk_break_balanced(text, len, &m, inner > 1 ? inner : 1, lines, MAX_CELL_LINES);
    *out = (cell_text){.text = text, .len = len, .first = pool->count,
                       .line_count = len == 0 ? 0 : n < MAX_CELL_LINES ? n : MAX_CELL_LINES,
                       .needed = n};
    pool->count += out->line_count;
    return true;
}

/* A number is never broken across lines (a reader would take its pieces for two figures): it
 * is set on one line, smaller when it is wider than its column. False when out of memory. */
static bool set_number(const pdf_layout *lay, const char *text, double width, bool bold,
                       line_pool *pool, cell_text *out)
{
    gk_line *line = pool_room(pool);
    if (line == NULL)
        return false;
    gk_measure m = lay->measure[pdf_face_for(PDF_SONG, bold)];
    m.size = lay->style.table_size;
    double inner = width - 2 * lay->style.cell_pad;
    size_t len = strlen(text);
    double natural = gk_text_width(text, len, &m);
    *out = (cell_text){.text = text, .len = len, .first = pool->count, .line_count = len > 0,
                       .needed = 1};
    if (natural > inner && inner > 0)
        out->size = m.size * inner / natural;
    *line = (gk_line){0, len, natural > inner && inner > 0 ? inner : natural};
    pool->count += out->line_count;
    return true;
}

static double text_height(const pdf_layout *lay, size_t lines)
{
    double min = lay->style.table_leading + 2 * lay->style.cell_pad_y;
    double need = (double)lines * lay->style.table_leading + 2 * lay->style.cell_pad_y;
    return need > min ? need : min;
}

/* Draws wrapped text (its lines in pool) in the box [x0,x1]×[y0,y1], vertically centred. */
static void draw_text(pdf_layout *lay, const line_pool *pool, const cell_text *t,
                      gk_align align, double x0, double x1, double y0, double y1, bool bold,
                      double indent)
{
    const pdf_style *s = &lay->style;
    double block = (double)t->line_count * s->table_leading;
    double y = y0 + (y1 - y0 - block) / 2;
    for (size_t i = 0; i < t->line_count; i++) {
        const gk_line *line = &pool->lines[t->first + i];
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

/* The rules of the cell [x0,x1]×[y0,y1] that no other cell lists: its top and left sides, its
 * right side when it ends the table's row, its bottom when it ends the rows drawn. The cells of
 * a header, a page of rows or a grid tile its rectangle, so every other side is the top or the
 * left of a neighbour: each piece of rule is listed once, not twice (pdf_pages.c joins the
 * pieces of a line into one). */
static void draw_cell_rules(pdf_layout *lay, double x0, double x1, double y0, double y1,
                            bool right, bool bottom)
{
    pdf_page_line(&lay->pages, x0, y0, x1, y0);
    pdf_page_line(&lay->pages, x0, y0, x0, y1);
    if (right)
        pdf_page_line(&lay->pages, x1, y0, x1, y1);
    if (bottom)
        pdf_page_line(&lay->pages, x0, y1, x1, y1);
}

/* ---- the header ------------------------------------------------------------------------ */

typedef struct header_geometry {
    double *row_height; /* per header row */
    cell_text *texts;   /* per header cell */
    double height;
} header_geometry;

static bool measure_header(pdf_layout *lay, const gk_table_info *t, const grid *g,
                           line_pool *pool, header_geometry *h)
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
            if (!wrap(lay, c->text, span_width(g, (size_t)c->col, (size_t)c->cols), true, pool,
                      &h->texts[i]))
                return false;
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

/* foot: no rows follow on this page, so the header draws its own foot rule. */
static void draw_header(pdf_layout *lay, const gk_table_info *t, const grid *g,
                        const line_pool *pool, const header_geometry *h, bool foot)
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
        draw_cell_rules(lay, x0, x1, y0, y1, (size_t)(c->col + c->cols) == g->cols,
                        foot && c->row + c->rows == t->header_rows);
        draw_text(lay, pool, &h->texts[i], GK_ALIGN_CENTER, x0, x1, y0, y1, true, 0);
    }
    lay->y = top + h->height;
}

/* ---- body rows ------------------------------------------------------------------------- */

typedef struct body_geometry {
    double *height;      /* per row */
    bool *keep;          /* keep_with_next: inside a vertical merge */
    cell_text *texts;    /* rows × cols (only origins are filled) */
} body_geometry;

static const char *cell_string(pdf_layout *lay, const gk_column *column, const gk_cell *cell)
{
    char buf[64];
    const char *text = gk_cell_text(column, cell, buf, sizeof buf);
    return text == buf ? gk_arena_strdup(lay->arena, buf) : text;
}

static double level_indent(const pdf_layout *lay, const gk_column *column, int level)
{
    return gk_cell_indent(column, level, lay->style.table_size);
}

/* The last row of a cell merged down from row r. */
static size_t merge_last(const gk_cell *cell, size_t r, size_t rows)
{
    size_t last = r + (size_t)cell->rows - 1;
    return last < rows ? last : rows - 1;
}

/* The height a page gives a table's rows, below its heading and header (about). */
static double row_room(pdf_layout *lay)
{
    return pdf_page_height(pdf_layout_page(lay)) - lay->style.margin_top -
           lay->style.margin_bottom - 120;
}

/* Rows of a vertical merge stay on one page — unless the merge is taller than a page (a unit's
 * name beside all its projects): then the page may break inside it, and the merges within it
 * (each project's) still keep together, so no restarted cell gets less room than its text. */
static void keep_merges_together(pdf_layout *lay, const pdf_table *table, body_geometry *b)
{
    size_t rows = table->row_count, cols = table->info->column_count;
    double page = row_room(lay);
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < cols; c++) {
            const gk_cell *cell = &table->rows[r].cells[c];
            if (cell->covered || cell->rows <= 1)
                continue;
            size_t last = merge_last(cell, r, rows);
            double height = 0;
            for (size_t k = r; k <= last; k++)
                height += b->height[k];
            for (size_t k = r; height <= page && k < last; k++)
                b->keep[k] = true;
        }
}

static bool measure_body(pdf_layout *lay, const pdf_table *table, const grid *g,
                         line_pool *pool, body_geometry *b)
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
    double page = row_room(lay);
    for (int pass = 0; pass < 2; pass++)
        for (size_t r = 0; r < rows; r++)
            for (size_t c = 0; c < cols; c++) {
                const gk_cell *cell = &table->rows[r].cells[c];
                if (cell->covered || (cell->rows == 1) != (pass == 0))
                    continue;
                const char *text = cell_string(lay, &t->columns[c], cell);
                if (text == NULL)
                    return false;
                double indent = level_indent(lay, &t->columns[c], table->rows[r].level);
                bool bold = pdf_row_is_bold(table->rows[r].kind);
                cell_text *ct = &b->texts[r * cols + c];
                double width = span_width(g, c, (size_t)cell->cols) - indent;
                if (!(cell->value.kind == GK_VALUE_NUMBER
                          ? set_number(lay, text, width, bold, pool, ct)
                          : wrap(lay, text, width, bold, pool, ct)))
                    return false;
                double need = text_height(lay, ct->needed);
                /* no row is split across pages: a cell taller than a page cannot be printed
                 * whole, and is an error rather than a cut */
                if ((ct->needed > MAX_CELL_LINES || need > page) && lay->overflow_cell == NULL) {
                    lay->overflow_cell = cell;
                    lay->overflow_table = t->name;
                    lay->overflow_lines = ct->needed;
                }
                double have = 0;
                size_t last = merge_last(cell, r, rows);
                for (size_t k = r; k <= last; k++)
                    have += b->height[k];
                if (need > have)
                    b->height[last] += need - have;
            }
    keep_merges_together(lay, table, b);
    return true;
}

/* Draws rows [first, end) from the cursor; a vertical merge cut by the page restarts on it. */
static void draw_rows(pdf_layout *lay, const pdf_table *table, const grid *g,
                      const line_pool *pool, const body_geometry *b, size_t first, size_t end)
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
        bool bold = pdf_row_is_bold(row->kind);
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
            draw_cell_rules(lay, x0, x1, y0, y1, c + (size_t)cell->cols == cols, last == end);
            gk_align align = row->kind == GK_ROW_NOTE ? GK_ALIGN_CENTER : t->columns[c].align;
            draw_text(lay, pool, &b->texts[origin * cols + c], align, x0, x1, y0, y1, bold,
                      level_indent(lay, &t->columns[c], table->rows[origin].level));
        }
    }
    lay->y = y;
    free(top);
}

/* ---- the table ------------------------------------------------------------------------- */

/* The line above the title: the table's number (continued: with 续表), or 续表 alone for a
 * table without a number; left empty on its first page then, so every page of the table has
 * the same heading height. */
static const char *number_line(pdf_layout *lay, const gk_table_info *t, bool continued)
{
    if (!continued)
        return t->number;
    return t->number[0] ? gk_arena_printf(lay->arena, "%s %s", t->number, t->continued)
                        : t->continued;
}

/* Number, title, and the caption line (单位 on the left, 金额单位 on the right) above the table. */
static void table_heading(pdf_layout *lay, const gk_table_info *t, bool continued)
{
    const pdf_style *s = &lay->style;
    pdf_page *page = pdf_layout_page(lay);
    double left = s->margin_x, right = pdf_page_width(page) - s->margin_x;
    const char *number = number_line(lay, t, continued);
    if (number == NULL) {
        lay->pages.failed = true;
        return;
    }
    if (number[0])
        pdf_page_text(&lay->pages, PDF_HEI, 10.5, false, left, lay->y + 10.5, number,
                      strlen(number));
    lay->y += 18;
    pdf_flow_centered(lay, PDF_HEI, s->title_size, false, t->title, 6);
    /* 单位：… on the left (wrapped when a long name meets 金额单位 on the right) */
    double size = 10.5;
    double w = pdf_text_width(lay, PDF_SONG, size, t->amount_line, strlen(t->amount_line));
    if (t->amount_line[0])
        pdf_page_text(&lay->pages, PDF_SONG, size, false, right - w, lay->y + size,
                      t->amount_line, strlen(t->amount_line));
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
    if (count == 0) /* the line keeps its place: the right side, or room before the table */
        lay->y += size * 1.45;
    lay->y += size * 0.45;
}

/* ---- notes under the table ------------------------------------------------------------ */

/* The notes (注：…) set as a block as wide as the table, in the table's type: after its last
 * row, on its last page (pagination keeps the block with the last rows). */
typedef struct notes_geometry {
    cell_text *texts; /* per note */
    double height;    /* of the block, 0 without notes */
} notes_geometry;

static bool measure_notes(pdf_layout *lay, const gk_table_info *t, const grid *g,
                          line_pool *pool, notes_geometry *n)
{
    n->height = 0;
    if (t->note_count == 0)
        return true;
    n->texts = calloc(t->note_count, sizeof *n->texts);
    if (n->texts == NULL)
        return false;
    for (size_t i = 0; i < t->note_count; i++) {
        if (!wrap(lay, t->notes[i], span_width(g, 0, g->cols), false, pool, &n->texts[i]))
            return false;
        n->height += (double)n->texts[i].line_count * lay->style.table_leading;
    }
    n->height += lay->style.cell_pad_y; /* room between the table's foot rule and the notes */
    return true;
}

static void draw_notes(pdf_layout *lay, const gk_table_info *t, const grid *g,
                       const line_pool *pool, const notes_geometry *n)
{
    double y = lay->y + lay->style.cell_pad_y;
    for (size_t i = 0; i < t->note_count; i++) {
        double height = (double)n->texts[i].line_count * lay->style.table_leading;
        draw_text(lay, pool, &n->texts[i], GK_ALIGN_LEFT, g->x[0], g->x[g->cols], y, y + height,
                  false, 0);
        y += height;
    }
    lay->y = y;
}

/* Everything decided about a table at one style, before it is drawn. */
typedef struct table_plan {
    grid g;
    line_pool lines; /* of the header's, the body's cells and the notes */
    header_geometry h;
    body_geometry b;
    notes_geometry n;
    size_t *starts; /* first row of each page (the notes are a last row when there are some) */
    size_t pages;
    gk_column_fit fit;
} table_plan;

static void plan_free(table_plan *p)
{
    free(p->g.x);
    free(p->lines.lines);
    free(p->h.row_height);
    free(p->h.texts);
    free(p->b.height);
    free(p->b.keep);
    free(p->b.texts);
    free(p->n.texts);
    free(p->starts);
    *p = (table_plan){0};
}

/* The rows paginated: the table's, and its notes as one more after them, kept on the page of
 * the last two rows (body_geometry has room for it). */
static size_t plan_rows(const pdf_table *table, table_plan *p)
{
    size_t rows = table->row_count;
    if (p->n.height <= 0)
        return rows;
    p->b.height[rows] = p->n.height;
    for (size_t r = rows >= 2 ? rows - 2 : 0; r < rows; r++)
        p->b.keep[r] = true;
    return rows + 1;
}

/* Plans the table at the current style from the cursor (below its heading). */
static bool plan_table(pdf_layout *lay, const pdf_table *table, table_plan *p)
{
    pdf_counts.plans++;
    const gk_table_info *t = table->info;
    const pdf_style *s = &lay->style;
    pdf_page *page = pdf_layout_page(lay);
    double width = pdf_page_width(page) - 2 * s->margin_x;
    /* a cell may take half of what a page's rows hold, so that a long name merged down a
     * few rows is never taller than a page */
    double max_lines = (pdf_page_height(page) - s->margin_top - s->margin_bottom - 150) /
                       s->table_leading / 2;
    gk_table_metrics metrics = {lay->measure[PDF_SONG], lay->measure[pdf_face_for(PDF_SONG, true)],
                                s->cell_pad, s->table_size, max_lines, true, true};
    metrics.body.size = metrics.header.size = s->table_size;
    double *widths = calloc(t->column_count + 1, sizeof *widths);
    bool ok = widths != NULL && gk_plan_columns(t, &metrics, width, widths, &p->fit) &&
              grid_init(&p->g, widths, t->column_count, s->margin_x) &&
              measure_header(lay, t, &p->g, &p->lines, &p->h) &&
              measure_body(lay, table, &p->g, &p->lines, &p->b) &&
              measure_notes(lay, t, &p->g, &p->lines, &p->n);
    free(widths);
    if (!ok)
        return false;
    size_t rows = plan_rows(table, p);
    double room = pdf_page_height(page) - s->margin_bottom - lay->y - p->h.height;
    /* continuation pages repeat the same heading block, so every page has the same room */
    p->pages = gk_paginate(p->b.height, p->b.keep, rows, room, room, NULL, 0);
    p->starts = calloc(p->pages + 1, sizeof *p->starts);
    if (p->starts == NULL)
        return false;
    gk_paginate(p->b.height, p->b.keep, rows, room, room, p->starts, p->pages);
    return true;
}

/* Fit, don't spill: a table that takes more pages than it needs at its normal style is set
 * tighter — rows closer, then the type half a point smaller at a time down to the profile's
 * minimum, at last with the leading and padding at their tightest (the text still clears the
 * rules by 2 pt) — until it takes a page less (or one page, when the profile keeps it on one).
 * Leaves the style it settled on in lay->style (the caller restores the normal one). */
static bool fit_table(pdf_layout *lay, const pdf_table *table, table_plan *plan)
{
    if (!plan_table(lay, table, plan))
        return false;
    const pdf_style normal = lay->style;
    size_t target = table->info->one_page ? 1 : plan->pages - 1;
    double min = normal.table_min_size < normal.table_size ? normal.table_min_size
                                                            : normal.table_size;
    for (int step = 0; plan->pages > 1; step++) {
        double size = normal.table_size - 0.5 * step;
        bool last = size < min - 1e-9;
        if (last && size < min - 0.5 - 1e-9)
            break;
        lay->style.table_size = last ? min : size;
        lay->style.table_leading = lay->style.table_size * (last ? 1.15 : 1.2);
        lay->style.cell_pad_y = last ? 1.5 : 2;
        table_plan tighter = {0};
        /* a cell too tall for a page in a trial that is not taken is no error */
        const gk_cell *overflow = lay->overflow_cell;
        if (!plan_table(lay, table, &tighter)) {
            plan_free(&tighter);
            return false;
        }
        if (tighter.pages <= target) {
            plan_free(plan);
            *plan = tighter;
            return true;
        }
        plan_free(&tighter);
        lay->overflow_cell = overflow;
    }
    lay->style = normal; /* nothing saved a page: the normal plan stands */
    return true;
}

void pdf_table_layout(pdf_layout *lay, const pdf_table *table)
{
    pdf_counts.tables++;
    const gk_table_info *t = table->info;
    const pdf_style normal = lay->style;
    if (t->text_size > 0) { /* the profile's table_text */
        lay->style.table_size = t->text_size;
        lay->style.table_leading = t->text_size * 1.45;
        lay->style.table_min_size = t->min_text_size;
        lay->style.cell_pad = lay->style.cell_pad_y = t->padding;
    }
    /* table pages leave less room above and below than narrative ones: the folio fits */
    lay->style.margin_top = lay->style.margin_bottom = 52;
    pdf_layout_new_page(lay, t->landscape, true);
    pdf_pages_mark(&lay->pages,
                   t->number[0] ? gk_arena_printf(lay->arena, "%s %s", t->number, t->title)
                                : t->title,
                   1);
    table_heading(lay, t, false);
    table_plan plan = {0};
    if (!fit_table(lay, table, &plan)) {
        lay->pages.failed = true;
    } else {
        if (plan.fit == GK_FIT_TOO_NARROW)
            pdf_layout_warn_narrow(lay, t);
        for (size_t p = 0; p < plan.pages; p++) {
            if (p > 0) {
                pdf_layout_new_page(lay, t->landscape, true);
                table_heading(lay, t, true);
            }
            size_t end = p + 1 < plan.pages ? plan.starts[p + 1] : table->row_count;
            size_t first = plan.starts[p] < end ? plan.starts[p] : end;
            draw_header(lay, t, &plan.g, &plan.lines, &plan.h, first == end);
            draw_rows(lay, table, &plan.g, &plan.lines, &plan.b, first, end);
        }
        if (t->note_count > 0)
            draw_notes(lay, t, &plan.g, &plan.lines, &plan.n);
    }
    plan_free(&plan);
    lay->style = normal;
}

/* ---- narrative grids --------------------------------------------------------------------- */

/* Column widths of a narrative grid by the same method as the public tables. */
static bool grid_widths(pdf_layout *lay, const char *const *cells, size_t rows, size_t cols,
                        double width, double *widths)
{
    gk_table_metrics metrics = {lay->measure[PDF_SONG], lay->measure[pdf_face_for(PDF_SONG, true)],
                                lay->style.cell_pad, 0, 0, false, true};
    metrics.body.size = metrics.header.size = lay->style.table_size;
    return gk_plan_grid(cells, rows, cols, &metrics, width, widths);
}

/* foot: the row is the last on its page, so it draws its own foot rule. */
static void draw_grid_row(pdf_layout *lay, const grid *g, const line_pool *pool,
                          const cell_text *texts, double height, bool header, bool foot)
{
    for (size_t c = 0; c < g->cols; c++) {
        draw_cell_rules(lay, g->x[c], g->x[c + 1], lay->y, lay->y + height, c + 1 == g->cols,
                        foot);
        draw_text(lay, pool, &texts[c], GK_ALIGN_CENTER, g->x[c], g->x[c + 1], lay->y,
                  lay->y + height, header, 0);
    }
    lay->y += height;
}

/* A narrative grid: its header keeps with its first two rows, and is repeated on every page
 * the grid continues on. */
void pdf_table_grid(pdf_layout *lay, const char *const *cells, size_t rows, size_t cols)
{
    if (rows == 0 || cols == 0)
        return;
    pdf_page *page = pdf_layout_page(lay);
    double width = pdf_page_width(page) - 2 * lay->style.margin_x;
    double *widths = calloc(cols, sizeof *widths);
    cell_text *texts = calloc(rows * cols, sizeof *texts);
    double *heights = calloc(rows, sizeof *heights);
    grid g = {0};
    line_pool pool = {0};
    if (widths == NULL || texts == NULL || heights == NULL ||
        !grid_widths(lay, cells, rows, cols, width, widths) ||
        !grid_init(&g, widths, cols, lay->style.margin_x)) {
        lay->pages.failed = true;
        goto done;
    }
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < cols; c++) {
            if (!wrap(lay, cells[r * cols + c], span_width(&g, c, 1), r == 0, &pool,
                      &texts[r * cols + c])) {
                lay->pages.failed = true;
                goto done;
            }
            double need = text_height(lay, texts[r * cols + c].line_count);
            if (need > heights[r])
                heights[r] = need;
        }
    double bottom = pdf_page_height(page) - lay->style.margin_bottom;
    double lead = heights[0];
    for (size_t r = 1; r < rows && r <= 2; r++)
        lead += heights[r];
    if (lay->y + lead > bottom)
        page = pdf_layout_new_page(lay, page->landscape, true);
    for (size_t r = 0; r < rows; r++) {
        if (r > 0 && lay->y + heights[r] > bottom) {
            page = pdf_layout_new_page(lay, page->landscape, true);
            draw_grid_row(lay, &g, &pool, texts, heights[0], true, false); /* row r follows */
        }
        /* the test the next row makes, to know whether this one ends the page */
        bool foot = r + 1 == rows || lay->y + heights[r] + heights[r + 1] > bottom;
        draw_grid_row(lay, &g, &pool, &texts[r * cols], heights[r], r == 0, foot);
    }
done:
    free(widths);
    free(texts);
    free(heights);
    free(g.x);
    free(pool.lines);
}
