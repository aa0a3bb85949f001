/* The PDF layout's cost and its rules (issue 13): a booklet is laid out once and then only its
 * cover and 目录 again (not twice over); a table's rules are listed once in the display list (a
 * border shared by two cells is not listed by both), and together they still draw every side
 * of every cell, header merges and vertical merges across page breaks included. The table
 * tests lay out with a fake font (every character 1 em wide, ASCII ½ em); the booklet test
 * renders the sample with the prepared fonts from GK_BINARY_DIR/fonts and needs qpdf. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "backends/pdf_internal.h"
#include "model/document.h"
#include "render/render.h"
#include "util/arena.h"
#include "../support/testutil.h"

/* ---- a layout with a fake font ------------------------------------------------------------ */

static double fake_advance(const void *font, uint32_t cp)
{
    (void)font;
    return cp < 0x80 ? 500 : 1000;
}

static void layout_start(pdf_layout *lay, gk_arena *arena)
{
    memset(lay, 0, sizeof *lay);
    lay->style = (pdf_style){
        .margin_x = 62, .margin_top = 64, .margin_bottom = 60,
        .body_size = 12, .body_leading = 12 * 1.9,
        .table_size = 9, .table_leading = 9 * 1.45, .table_min_size = 8,
        .cell_pad = 3, .cell_pad_y = 3,
        .title_size = 16, .part_size = 18, .heading_size = 15,
    };
    lay->arena = arena;
    lay->next_number = 1;
    for (int f = 0; f < PDF_FACE_COUNT; f++)
        lay->measure[f] = (gk_measure){fake_advance, NULL, 1};
}

/* ---- the rules of a page -------------------------------------------------------------- */

/* A page's rules, one line at a time: `at` is y for a horizontal rule, x for a vertical one,
 * [from, to] its extent along the line. */
typedef struct piece {
    bool vertical;
    double at, from, to;
} piece;

static size_t page_pieces(const pdf_page *page, piece *out, size_t capacity)
{
    size_t n = 0;
    for (size_t i = 0; i < page->count; i++) {
        const pdf_op *op = &page->ops[i];
        if (op->kind != PDF_OP_LINE)
            continue;
        assert_true(n < capacity);
        if (op->y == op->y2)
            out[n++] = (piece){false, op->y, op->x < op->x2 ? op->x : op->x2,
                               op->x < op->x2 ? op->x2 : op->x};
        else if (op->x == op->x2)
            out[n++] = (piece){true, op->x, op->y < op->y2 ? op->y : op->y2,
                               op->y < op->y2 ? op->y2 : op->y};
        else
            fail_msg("an oblique rule on a table page");
    }
    return n;
}

/* No two pieces of one line overlap: each piece of rule is listed once. */
static void assert_listed_once(const piece *p, size_t n, size_t page)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            if (p[i].vertical != p[j].vertical || p[i].at != p[j].at)
                continue;
            double from = p[i].from > p[j].from ? p[i].from : p[j].from;
            double to = p[i].to < p[j].to ? p[i].to : p[j].to;
            if (from < to)
                fail_msg("page %zu: the %s rule at %.3f lists [%.3f, %.3f] twice", page,
                         p[i].vertical ? "vertical" : "horizontal", p[i].at, from, to);
        }
}

/* The union of the pieces on the line (vertical, at) must be the one segment [from, to]. */
static void assert_line(const piece *p, size_t n, bool vertical, double at, double from,
                        double to)
{
    double reach = from; /* covered from `from` up to here */
    bool grew = true;
    while (grew) { /* pieces come in any order: extend until nothing more joins */
        grew = false;
        for (size_t i = 0; i < n; i++)
            if (p[i].vertical == vertical && p[i].at == at && p[i].from <= reach + 1e-9 &&
                p[i].to > reach) {
                reach = p[i].to;
                grew = true;
            }
    }
    if (reach < to - 1e-9)
        fail_msg("the %s rule at %.3f covers [%.3f, %.3f] of [%.3f, %.3f]",
                 vertical ? "vertical" : "horizontal", at, from, reach, from, to);
    for (size_t i = 0; i < n; i++)
        if (p[i].vertical == vertical && p[i].at == at &&
            (p[i].from < from - 1e-9 || p[i].to > to + 1e-9))
            fail_msg("the %s rule at %.3f reaches past [%.3f, %.3f]",
                     vertical ? "vertical" : "horizontal", at, from, to);
}

/* The distinct values of `at` of the pieces of one direction, sorted; returns their count. */
static size_t distinct(const piece *p, size_t n, bool vertical, double *out, size_t capacity)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i].vertical != vertical)
            continue;
        size_t k = 0;
        while (k < count && out[k] < p[i].at)
            k++;
        if (k < count && out[k] == p[i].at)
            continue;
        assert_true(count < capacity);
        memmove(out + k + 1, out + k, (count - k) * sizeof *out);
        out[k] = p[i].at;
        count++;
    }
    return count;
}

/* ---- a public table ------------------------------------------------------------------ */

enum { BODY_ROWS = 150, GROUP = 3, MAX_PIECES = 4096, MAX_EDGES = 512 };

/* 项目 | 金额 (本年 | 上年): 项目 spans both header rows, 金额 both columns; the body's first
 * column merges every GROUP rows, as 公开表6 merges a unit's projects. */
static const gk_column columns[] = {
    {.key = "item", .header = "项目", .type = GK_TYPE_TEXT, .align = GK_ALIGN_LEFT, .width = 8},
    {.key = "now", .header = "本年", .type = GK_TYPE_TEXT, .align = GK_ALIGN_RIGHT, .width = 6},
    {.key = "before", .header = "上年", .type = GK_TYPE_TEXT, .align = GK_ALIGN_RIGHT, .width = 6},
};
static const gk_header_cell header[] = {
    {0, 0, 2, 1, "项目"}, {0, 1, 1, 2, "金额"}, {1, 1, 1, 1, "本年"}, {1, 2, 1, 1, "上年"},
};

static void make_table(pdf_table *table, gk_table_info *info, gk_row *model, gk_row_view *rows,
                       gk_cell *cells)
{
    for (size_t r = 0; r < BODY_ROWS; r++) {
        gk_cell *row = &cells[r * 3];
        for (size_t c = 0; c < 3; c++) {
            const char *text = c == 0 ? "一般公共服务支出" : "12.34";
            row[c] = (gk_cell){.value = {.kind = GK_VALUE_TEXT, .text = text}, .rows = 1,
                               .cols = 1};
        }
        if (r % GROUP == 0)
            row[0].rows = GROUP;
        else
            row[0] = (gk_cell){.value = {.kind = GK_VALUE_BLANK}, .rows = 1, .cols = 1,
                               .covered = true};
        model[r] = (gk_row){GK_ROW_DATA, 1, row};
        rows[r] = (gk_row_view){GK_ROW_DATA, 1, row, r};
    }
    *info = (gk_table_info){.number = "公开表0", .title = "虚构的测试表",
                            .unit_line = "单位：虚构单位", .amount_line = "金额单位：万元",
                            .continued = "（续）", .columns = columns, .column_count = 3,
                            .header = header, .header_count = 4, .header_rows = 2,
                            .row_count = BODY_ROWS, .rows = model, .layout_path = "test.yaml"};
    *table = (pdf_table){info, rows, BODY_ROWS};
}

/* On each page: the table's rules are listed once and draw exactly the grid of its cells. */
static void test_table_rules_listed_once(void **state)
{
    (void)state;
    static gk_cell cells[BODY_ROWS * 3];
    static gk_row model[BODY_ROWS];
    static gk_row_view rows[BODY_ROWS];
    static piece pieces[MAX_PIECES];
    gk_table_info info;
    pdf_table table;
    make_table(&table, &info, model, rows, cells);
    gk_arena arena = {0};
    pdf_layout lay;
    layout_start(&lay, &arena);
    pdf_table_layout(&lay, &table);
    assert_false(lay.pages.failed);
    assert_true(lay.pages.count >= 3); /* it continues: the header and merges restart */
    size_t body_rows = 0;
    for (size_t pg = 0; pg < lay.pages.count; pg++) {
        size_t n = page_pieces(&lay.pages.pages[pg], pieces, MAX_PIECES);
        assert_listed_once(pieces, n, pg);
        double x[MAX_EDGES], y[MAX_EDGES];
        size_t xs = distinct(pieces, n, true, x, MAX_EDGES);
        size_t ys = distinct(pieces, n, false, y, MAX_EDGES);
        assert_int_equal(xs, 4);
        assert_true(ys >= 3 + GROUP);
        /* the header's rows: y[0] its top, y[1] between its rows, y[2] its foot */
        double top = y[0], bottom = y[ys - 1];
        assert_line(pieces, n, true, x[0], top, bottom);
        assert_line(pieces, n, true, x[1], top, bottom);
        assert_line(pieces, n, true, x[2], y[1], bottom); /* 金额 spans 本年 and 上年 */
        assert_line(pieces, n, true, x[3], top, bottom);
        assert_line(pieces, n, false, y[0], x[0], x[3]);
        assert_line(pieces, n, false, y[1], x[1], x[3]); /* 项目 spans both header rows */
        /* the body: a page starts at a merge's first row (merges keep together), and a rule
         * crosses the merged column only between merges */
        for (size_t k = 2; k < ys; k++) {
            size_t row = k - 2; /* rows of this page above the rule */
            bool between_merges = (body_rows + row) % GROUP == 0;
            assert_line(pieces, n, false, y[k], between_merges || k == ys - 1 ? x[0] : x[1],
                        x[3]);
        }
        body_rows += ys - 3;
    }
    assert_int_equal(body_rows, BODY_ROWS);
    pdf_pages_free(&lay.pages);
    gk_arena_free(&arena);
}

/* A narrative grid's rules, on both pages it takes, are listed once and draw its whole grid. */
static void test_grid_rules_listed_once(void **state)
{
    (void)state;
    enum { GRID_ROWS = 60, GRID_COLS = 3 };
    static const char *cells[GRID_ROWS * GRID_COLS];
    static piece pieces[MAX_PIECES];
    for (size_t i = 0; i < GRID_ROWS * GRID_COLS; i++)
        cells[i] = i < GRID_COLS ? "指标" : "虚构的内容";
    gk_arena arena = {0};
    pdf_layout lay;
    layout_start(&lay, &arena);
    pdf_layout_new_page(&lay, false, true);
    pdf_table_grid(&lay, cells, GRID_ROWS, GRID_COLS);
    assert_false(lay.pages.failed);
    assert_int_equal(lay.pages.count, 2);
    size_t grid_rows = 0;
    for (size_t pg = 0; pg < lay.pages.count; pg++) {
        size_t n = page_pieces(&lay.pages.pages[pg], pieces, MAX_PIECES);
        assert_listed_once(pieces, n, pg);
        double x[MAX_EDGES], y[MAX_EDGES];
        size_t xs = distinct(pieces, n, true, x, MAX_EDGES);
        size_t ys = distinct(pieces, n, false, y, MAX_EDGES);
        assert_int_equal(xs, GRID_COLS + 1);
        for (size_t k = 0; k < xs; k++)
            assert_line(pieces, n, true, x[k], y[0], y[ys - 1]);
        for (size_t k = 0; k < ys; k++)
            assert_line(pieces, n, false, y[k], x[0], x[xs - 1]);
        grid_rows += ys - 1;
    }
    assert_int_equal(grid_rows, GRID_ROWS + 1); /* the header again on the second page */
    pdf_pages_free(&lay.pages);
    gk_arena_free(&arena);
}

/* ---- the booklet ---------------------------------------------------------------------- */

/* The sample's booklet: each table laid out once, and no page twice but the cover and the
 * one page of 目录, laid out again with the page numbers. */
static void test_booklet_laid_out_once(void **state)
{
    (void)state;
    gk_package *pkg = NULL;
    gk_document *doc = NULL;
    gk_diag diag = {0};
    if (gk_package_load(GK_SOURCE_DIR "/samples/leshan-hrss-info-2025", NULL,
                        GK_SOURCE_DIR "/layouts", &pkg, &diag) != GK_OK ||
        gk_document_build_unit(pkg, 0, &doc, &diag) != GK_OK)
        fail_msg("%s:%d:%d: %s", diag.file, diag.line, diag.column, diag.message);
    char dir[1024], path[1100];
    tu_tempdir(dir, sizeof dir, "pdf-layout");
    snprintf(path, sizeof path, "%s/booklet.pdf", dir);
    gk_render_options options = {.body_font = GK_BINARY_DIR "/fonts/song.ttf",
                                 .title_font = GK_BINARY_DIR "/fonts/hei.ttf"};
    pdf_layout_counts before = pdf_counts;
    if (gk_render(doc, &gk_backend_pdf, path, &options, &diag) != GK_OK)
        fail_msg("%s:%d:%d: %s", diag.file, diag.line, diag.column, diag.message);
    size_t tables = pdf_counts.tables - before.tables, pages = pdf_counts.pages - before.pages;
    char *out = NULL;
    if (tu_run(&out, "qpdf --show-npages '%s'", path) != 0)
        fail_msg("qpdf --show-npages failed:\n%s", out);
    size_t printed = strtoul(out, NULL, 10);
    free(out);
    assert_true(printed > 20);
    assert_int_equal(tables, doc->table_count);
    assert_int_equal(pages, printed + 2);
    /* a table is fitted with a few plans: its own style, then tighter ones while they help */
    assert_true(pdf_counts.plans - before.plans <= 5 * doc->table_count);
    gk_document_free(doc);
    gk_package_free(pkg);
    tu_run(&out, "rm -rf '%s'", dir);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_rules_listed_once),
        cmocka_unit_test(test_grid_rules_listed_once),
        cmocka_unit_test(test_booklet_laid_out_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
