/* Unit tests for table_layout.c: what a text needs (minimum and natural widths), how a
 * table's width is shared among its columns at each stage, a table too wide even at its
 * minimum widths, and balanced wrapping inside a cell. Widths use a fake font: every CJK
 * character 10 pt, everything else 5 pt (size 10, advances 1000 and 500). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "typeset/typeset.h"

static double fake_advance(const void *font, uint32_t cp)
{
    (void)font;
    return cp < 0x80 ? 500.0 : 1000.0;
}

static const gk_measure FAKE = {fake_advance, NULL, 10.0};

static void extent(const char *text, size_t short_term, double *min, double *natural)
{
    *min = *natural = 0;
    gk_text_extent(text, strlen(text), &FAKE, short_term, min, natural);
}

static void test_extent_of_a_short_term(void **state)
{
    (void)state;
    double min, natural;
    extent("效益指标", 6, &min, &natural);
    assert_true(min == 40 && natural == 40); /* a short term never breaks */
    extent("社会效益指标", 6, &min, &natural);
    assert_true(min == 60 && natural == 60);
    /* a run longer than a short term may break, but never leaves a character alone */
    extent("政府性基金预算拨款收入", 6, &min, &natural);
    assert_true(min == 30 && natural == 110); /* lines of three */
}

static void test_extent_glues_punctuation_and_keeps_numbers(void **state)
{
    (void)state;
    double min, natural;
    /* 因公出国（境）费用: pieces 因公出国, （境）, 费用 */
    extent("因公出国（境）费用", 6, &min, &natural);
    assert_true(min == 40 && natural == 90);
    extent("培训费（含）", 6, &min, &natural);
    assert_true(min == 30); /* pieces 培训费 and （含）: （ cannot end a line */
    extent("1,234,567.50", 6, &min, &natural);
    assert_true(min == 60 && natural == 60);
    extent("302309-乐山市人力资源和社会保障信息中心", 6, &min, &natural);
    assert_true(min == 35); /* the code is a word; the long name breaks (by three: 30) */
    extent("合计：", 6, &min, &natural);
    assert_true(min == 30);
    extent("年度\n目标", 6, &min, &natural);
    assert_true(min == 20 && natural == 20);
    /* a header (short_term 2) wraps more freely than a body cell */
    extent("指标方向性", 2, &min, &natural);
    assert_true(min == 30 && natural == 50); /* two lines at most: 指标方|向性 */
    extent("预算数", 2, &min, &natural);
    assert_true(min == 30); /* 预算|数 would leave 数 alone */
    extent("一级指标", 2, &min, &natural);
    assert_true(min == 20);
}

static void test_extent_only_widens(void **state)
{
    (void)state;
    double min = 100, natural = 200;
    gk_text_extent("表", strlen("表"), &FAKE, 6, &min, &natural);
    assert_true(min == 100 && natural == 200);
}

static double sum(const double *w, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += w[i];
    return s;
}

static void test_natural_widths_share_the_rest_by_weight(void **state)
{
    (void)state;
    gk_column_need needs[2] = {{10, 0, 40, 10, 20, 1}, {10, 0, 40, 10, 20, 3}};
    double w[2], scratch[6];
    assert_int_equal(gk_column_widths(needs, 2, 200, w, scratch), GK_FIT_NATURAL);
    assert_true(w[0] == 50 && w[1] == 150);
    /* a column's natural width is a floor: the other takes the rest */
    assert_int_equal(gk_column_widths(needs, 2, 100, w, scratch), GK_FIT_NATURAL);
    assert_true(w[0] == 40 && w[1] == 60);
}

static void test_headers_wrap_before_body_cells(void **state)
{
    (void)state;
    /* body 40 each; headers want 60 on one line but can wrap to 20 */
    gk_column_need needs[2] = {{20, 0, 40, 20, 60, 1}, {20, 0, 40, 20, 60, 1}};
    double w[2], scratch[6];
    assert_int_equal(gk_column_widths(needs, 2, 100, w, scratch), GK_FIT_HEADERS_WRAP);
    assert_true(w[0] == 50 && w[1] == 50);
    assert_int_equal(gk_column_widths(needs, 2, 80, w, scratch), GK_FIT_HEADERS_WRAP);
    assert_true(w[0] == 40 && w[1] == 40);
}

static void test_long_text_takes_the_slack(void **state)
{
    (void)state;
    /* 公开表6 in small: short terms fixed at their width, the goal column wraps */
    gk_column_need needs[4] = {
        {40, 0, 40, 20, 40, 6},   /* 一级指标: 效益指标 */
        {60, 0, 60, 20, 40, 9},   /* 二级指标: 社会效益指标 */
        {20, 0, 300, 20, 40, 16}, /* 三级指标: a sentence */
        {20, 0, 900, 20, 40, 28}, /* 年度目标: a paragraph */
    };
    double w[4], scratch[12];
    assert_int_equal(gk_column_widths(needs, 4, 500, w, scratch), GK_FIT_BODY_WRAPS);
    assert_true(w[0] == 40 && w[1] == 60); /* the short terms never break */
    assert_true(w[2] > 100 && w[3] > w[2]); /* the rest shared 16:28 */
    assert_true(w[2] * 28 == w[3] * 16);
    assert_true(sum(w, 4) == 500);
    /* with room, the sentence gets its natural width and the paragraph the rest */
    assert_int_equal(gk_column_widths(needs, 4, 1000, w, scratch), GK_FIT_BODY_WRAPS);
    assert_true(w[2] == 300 && w[3] == 600);
}

static void test_numbers_are_set_smaller_before_terms_break(void **state)
{
    (void)state;
    /* a text column whose word needs 60, an amount column whose number needs 100 */
    gk_column_need needs[2] = {{60, 0, 60, 20, 20, 1}, {0, 100, 100, 20, 20, 1}};
    double w[2], scratch[6];
    assert_int_equal(gk_column_widths(needs, 2, 160, w, scratch), GK_FIT_NATURAL);
    assert_int_equal(gk_column_widths(needs, 2, 130, w, scratch), GK_FIT_NUMBERS_SMALLER);
    assert_true(w[0] == 60 && w[1] == 70); /* the word keeps its width, the number shrinks */
    assert_int_equal(gk_column_widths(needs, 2, 110, w, scratch), GK_FIT_TOO_NARROW);
}

static void test_a_minimum_above_the_natural_width_holds(void **state)
{
    (void)state;
    /* a long name merged down many rows: natural (spread over them) 18, minimum 43 */
    gk_column_need needs[2] = {{43, 0, 18, 24, 42, 1}, {20, 0, 300, 20, 20, 1}};
    double w[2], scratch[6];
    assert_int_equal(gk_column_widths(needs, 2, 200, w, scratch), GK_FIT_BODY_WRAPS);
    assert_true(w[0] >= 43);
    assert_true(w[0] + w[1] == 200);
}

static void test_too_narrow_shrinks_minimums_and_says_so(void **state)
{
    (void)state;
    gk_column_need needs[3] = {{60, 0, 60, 20, 20, 1}, {30, 0, 30, 20, 20, 1}, {30, 0, 90, 20, 20, 1}};
    double w[3], scratch[9];
    assert_int_equal(gk_column_widths(needs, 3, 60, w, scratch), GK_FIT_TOO_NARROW);
    assert_true(w[0] == 30 && w[1] == 15 && w[2] == 15);
    assert_int_equal(gk_column_widths(needs, 0, 60, w, scratch), GK_FIT_NATURAL);
}

static void describe(const char *text, const gk_line *lines, size_t count, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < count && used < size; i++)
        used += (size_t)snprintf(out + used, size - used, "%s%.*s", i ? "|" : "",
                                 (int)(lines[i].end - lines[i].start), text + lines[i].start);
}

static void expect_balanced(const char *text, double width, const char *expected)
{
    gk_line lines[16];
    size_t count = gk_break_balanced(text, strlen(text), &FAKE, width, lines, 16);
    char got[512];
    describe(text, lines, count, got, sizeof got);
    if (strcmp(got, expected) != 0)
        fail_msg("'%s' at %g pt: expected '%s', got '%s'", text, width, expected, got);
}

static void test_balanced_wrapping_leaves_no_runt(void **state)
{
    (void)state;
    expect_balanced("因公出国（境）费用", 80, "因公出国|（境）费用");
    expect_balanced("当年财政拨款安排", 70, "当年财政|拨款安排");
    expect_balanced("效益指标", 40, "效益指标");   /* fits: one line, untouched */
    expect_balanced("一般公共预算拨款", 75, "一般公共|预算拨款");
    /* three lines stay three, evened out */
    expect_balanced("一二三四五六七八九十甲乙", 50, "一二三四|五六七八|九十甲乙");
    /* even lines that still end in one character are mended */
    expect_balanced("一二三四五六七", 30, "一二三|四五|六七");
    /* a word is never cut to even the lines out */
    expect_balanced("≤0.60万元", 40, "≤0.60|万元");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_extent_of_a_short_term),
        cmocka_unit_test(test_extent_glues_punctuation_and_keeps_numbers),
        cmocka_unit_test(test_extent_only_widens),
        cmocka_unit_test(test_natural_widths_share_the_rest_by_weight),
        cmocka_unit_test(test_headers_wrap_before_body_cells),
        cmocka_unit_test(test_long_text_takes_the_slack),
        cmocka_unit_test(test_numbers_are_set_smaller_before_terms_break),
        cmocka_unit_test(test_a_minimum_above_the_natural_width_holds),
        cmocka_unit_test(test_too_narrow_shrinks_minimums_and_says_so),
        cmocka_unit_test(test_balanced_wrapping_leaves_no_runt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
