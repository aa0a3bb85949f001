/* Unit tests for render/table_plan.c: a table's cells measured into column needs. A paragraph
 * merged down several rows does not push the columns beside it into wrapping; numbers may be
 * set smaller in the PDF but make a workbook's sheet wider instead. Fake font: CJK 10 pt,
 * everything else 5 pt; no padding, no indent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "render/table_plan.h"

static double fake_advance(const void *font, uint32_t cp)
{
    (void)font;
    return cp < 0x80 ? 500.0 : 1000.0;
}

static const gk_column COLUMNS[2] = {
    {.key = "goal", .header = "年度目标", .type = GK_TYPE_TEXT, .width = 3},
    {.key = "term", .header = "三级指标", .type = GK_TYPE_TEXT, .width = 1},
};
static const gk_header_cell HEADER[2] = {{0, 0, 1, 1, "年度目标"}, {0, 1, 1, 1, "三级指标"}};

static gk_cell text_cell(const char *text, int rows, bool covered)
{
    gk_cell cell = {.rows = rows, .cols = covered ? 0 : 1, .covered = covered};
    cell.value.kind = GK_VALUE_TEXT;
    cell.value.text = text;
    return cell;
}

static void plan(const gk_row *rows, size_t row_count, const gk_table_metrics *m, double width,
                 double *widths, gk_column_fit *fit)
{
    gk_table_info t = {.columns = COLUMNS, .column_count = 2, .header = HEADER,
                       .header_count = 2, .header_rows = 1, .row_count = row_count,
                       .rows = rows};
    assert_true(gk_plan_columns(&t, m, width, widths, fit));
}

static void test_merged_paragraph_leaves_room_beside_it(void **state)
{
    (void)state;
    /* a 40-character goal merged down 4 rows, beside 4 terms of 8 characters */
    static const char goal[] = "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十";
    gk_cell cells[4][2] = {
        {text_cell(goal, 4, false), text_cell("金保工程数据机房", 1, false)},
        {text_cell("", 1, true), text_cell("社保卡持卡人口覆", 1, false)},
        {text_cell("", 1, true), text_cell("参保人员满意度高", 1, false)},
        {text_cell("", 1, true), text_cell("系统故障率低于百", 1, false)},
    };
    gk_row rows[4];
    for (int r = 0; r < 4; r++)
        rows[r] = (gk_row){GK_ROW_DATA, 1, cells[r]};
    gk_table_metrics m = {{fake_advance, NULL, 10}, {fake_advance, NULL, 10}, 0, 0, 0, true, true};
    double widths[2];
    gk_column_fit fit;
    /* 200 pt: the goal on 4 lines needs 100, the terms 80 on one line */
    plan(rows, 4, &m, 200, widths, &fit);
    assert_int_equal(fit, GK_FIT_NATURAL);
    assert_true(widths[1] >= 80);
    assert_true(widths[0] + widths[1] == 200);
}

static void test_a_long_name_is_never_taller_than_max_lines(void **state)
{
    (void)state;
    /* a 40-character name merged down 2 rows, beside one short term, in a table of 200 pt
     * whose weights favour the term: without a limit the name would get 3 characters a line */
    static const char name[] = "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十";
    gk_cell cells[2][2] = {
        {text_cell(name, 2, false), text_cell("社保卡持卡人口覆盖率高于百分之九十九", 1, false)},
        {text_cell("", 1, true), text_cell("社保卡持卡人口覆盖率高于百分之九十九", 1, false)},
    };
    gk_row rows[2] = {{GK_ROW_DATA, 1, cells[0]}, {GK_ROW_DATA, 1, cells[1]}};
    gk_table_metrics m = {{fake_advance, NULL, 10}, {fake_advance, NULL, 10}, 0, 0, 5, true, true};
    gk_column fewer[2] = {COLUMNS[0], COLUMNS[1]};
    fewer[0].width = 1;
    fewer[1].width = 30;
    gk_table_info t = {.columns = fewer, .column_count = 2, .header = HEADER, .header_count = 2,
                       .header_rows = 1, .row_count = 2, .rows = rows};
    double widths[2];
    gk_column_fit fit;
    assert_true(gk_plan_columns(&t, &m, 200, widths, &fit));
    assert_true(widths[0] >= 80); /* 400 pt of text on at most 5 lines */
}

static void test_numbers_shrink_in_print_widen_a_sheet(void **state)
{
    (void)state;
    gk_cell cells[1][2] = {{text_cell("合计", 1, false), {.rows = 1, .cols = 1}}};
    cells[0][1].value.kind = GK_VALUE_NUMBER;
    cells[0][1].value.decimals = 2;
    cells[0][1].value.number = 123456789012345; /* 1234567890123.45: 16 characters, 80 pt */
    gk_row rows[1] = {{GK_ROW_DATA, 1, cells[0]}};
    gk_table_metrics pdf = {{fake_advance, NULL, 10}, {fake_advance, NULL, 10}, 0, 0, 0, true, true};
    double widths[2];
    gk_column_fit fit;
    plan(rows, 1, &pdf, 90, widths, &fit);
    assert_int_equal(fit, GK_FIT_NUMBERS_SMALLER);
    assert_true(widths[0] + widths[1] == 90);
    gk_table_metrics sheet = pdf;
    sheet.numbers_shrink = sheet.terms_break = false;
    plan(rows, 1, &sheet, 90, widths, &fit);
    assert_int_equal(fit, GK_FIT_TOO_NARROW);
    assert_true(widths[1] >= 80); /* never ######## */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merged_paragraph_leaves_room_beside_it),
        cmocka_unit_test(test_a_long_name_is_never_taller_than_max_lines),
        cmocka_unit_test(test_numbers_shrink_in_print_widen_a_sheet),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
