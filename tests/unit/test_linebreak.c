/* Unit tests for linebreak.c: Chinese line breaking (禁则) with exact widths from a fake font
 * in which every non-ASCII code point is 1 em and every ASCII one is half an em. At size 10
 * a Han character is 10 pt and an ASCII character 5 pt, so max_width 30 holds three Han. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "typeset/typeset.h"

static double fake_advance(const void *font, uint32_t cp)
{
    (void)font;
    return cp < 0x80 ? 500.0 : 1000.0;
}

static const gk_measure FAKE = {fake_advance, NULL, 10.0};

enum { MAX_LINES = 64 };

/* Lines of text as "a|b|c", to show in failure messages. */
static void describe(const char *text, const gk_line *lines, size_t count, char *buf,
                     size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < count && i < MAX_LINES && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%.*s", i ? "|" : "",
                                 (int)(lines[i].end - lines[i].start), text + lines[i].start);
}

/* Length of the droppable character at text[k] (a space, U+3000 or a line break), or 0. */
static size_t dropped_len(const char *text, size_t k)
{
    if (text[k] == ' ' || text[k] == '\t' || text[k] == '\n' || text[k] == '\r')
        return 1;
    return strncmp(text + k, "\xE3\x80\x80", 3) == 0 ? 3 : 0;
}

/* Checks what must hold for any text: lines are in order, each width is the measured width
 * of its range, and between lines (and around them) there are only dropped spaces and
 * newlines — so the lines reassemble the text minus what was dropped. Also checks that
 * capacity 0 gives the same count. */
static void check_invariants(const char *text, const gk_line *lines, size_t count,
                             double max_width)
{
    size_t len = strlen(text);
    assert_int_equal(gk_break_lines(text, len, &FAKE, max_width, NULL, 0), count);
    size_t pos = 0;
    for (size_t i = 0; i < count; i++) {
        assert_true(lines[i].start >= pos);
        assert_true(lines[i].end >= lines[i].start);
        assert_true(lines[i].end <= len);
        for (size_t k = pos, n; k < lines[i].start; k += n)
            if ((n = dropped_len(text, k)) == 0)
                fail_msg("line %zu of '%s': byte %zu (0x%02x) was dropped", i, text, k,
                         (unsigned char)text[k]);
        double measured =
            gk_text_width(text + lines[i].start, lines[i].end - lines[i].start, &FAKE);
        if (lines[i].width != measured)
            fail_msg("line %zu of '%s': width %g, measured %g", i, text, lines[i].width,
                     measured);
        if ((lines[i].end > lines[i].start && text[lines[i].end - 1] == ' ') ||
            (lines[i].end >= lines[i].start + 3 && dropped_len(text, lines[i].end - 3) == 3))
            fail_msg("line %zu of '%s' keeps a trailing space", i, text);
        pos = lines[i].end;
    }
    for (size_t k = pos, n; k < len; k += n)
        if ((n = dropped_len(text, k)) == 0)
            fail_msg("'%s': byte %zu after the last line was dropped", text, k);
}

/* Breaks text at max_width and asserts the lines are exactly `expected` ("a|b|c"). */
static void expect_lines(const char *text, double max_width, const char *expected)
{
    gk_line lines[MAX_LINES];
    size_t count = gk_break_lines(text, strlen(text), &FAKE, max_width, lines, MAX_LINES);
    assert_true(count <= MAX_LINES);
    char got[4096];
    describe(text, lines, count, got, sizeof got);
    if (strcmp(got, expected) != 0)
        fail_msg("'%s' at %g pt: expected '%s', got '%s'", text, max_width, expected, got);
    check_invariants(text, lines, count, max_width);
}

static void test_empty(void **state)
{
    (void)state;
    gk_line lines[2] = {{9, 9, 9.0}, {9, 9, 9.0}};
    assert_int_equal(gk_break_lines("", 0, &FAKE, 100.0, lines, 2), 1);
    assert_int_equal(lines[0].start, 0);
    assert_int_equal(lines[0].end, 0);
    assert_true(lines[0].width == 0.0);
    assert_int_equal(lines[1].start, 9); /* untouched */
    assert_int_equal(gk_break_lines(NULL, 0, &FAKE, 100.0, lines, 2), 1);
    assert_int_equal(gk_break_lines(NULL, 0, &FAKE, 100.0, NULL, 0), 1);
    expect_lines("", 100.0, "");
}

static void test_text_width(void **state)
{
    (void)state;
    assert_true(gk_text_width("", 0, &FAKE) == 0.0);
    assert_true(gk_text_width("预算ab", strlen("预算ab"), &FAKE) == 30.0);
    assert_true(gk_text_width("a b", 3, &FAKE) == 15.0);
    const gk_measure big = {fake_advance, NULL, 12.0};
    assert_true(gk_text_width("表1", strlen("表1"), &big) == 18.0);
    const gk_measure none = {NULL, NULL, 12.0};
    assert_true(gk_text_width("表1", strlen("表1"), &none) == 0.0);
}

static void test_fits_on_one_line(void **state)
{
    (void)state;
    gk_line line;
    const char *text = "预算公开";
    assert_int_equal(gk_break_lines(text, strlen(text), &FAKE, 100.0, &line, 1), 1);
    assert_int_equal(line.start, 0);
    assert_int_equal(line.end, strlen(text));
    assert_true(line.width == 40.0);
    expect_lines("一二三", 30.0, "一二三"); /* exactly full */
    expect_lines("一二三", 29.9999999, "一二三"); /* rounding slack */
    expect_lines("一二三", 29.99, "一二|三");
}

static void test_han_wraps_anywhere(void **state)
{
    (void)state;
    expect_lines("一二三四五六七", 30.0, "一二三|四五六|七");
    expect_lines("一二三四五六", 30.0, "一二三|四五六");
    expect_lines("ひらがなカタカナ", 40.0, "ひらがな|カタカナ");
    expect_lines("ＡＢＣ１２３", 30.0, "ＡＢＣ|１２３"); /* full-width forms break too */
}

static void test_closing_never_starts_a_line(void **state)
{
    (void)state;
    expect_lines("一二三，四五", 30.0, "一二|三，四|五");
    expect_lines("一二三。", 30.0, "一二|三。");
    expect_lines("一二三）", 30.0, "一二|三）");
    expect_lines("一二三、四", 30.0, "一二|三、四");
    expect_lines("一二三》", 30.0, "一二|三》");
    expect_lines("一二三”", 30.0, "一二|三”");
    expect_lines("一二三％", 30.0, "一二|三％");
    expect_lines("一二三……", 30.0, "一二|三……");
    expect_lines("一二三。”", 30.0, "一二|三。”"); /* two closings go down together */
    expect_lines("一二三,", 30.0, "一二|三,");     /* ASCII counterparts */
    expect_lines("一二三)", 30.0, "一二|三)");
    expect_lines("一二三%", 30.0, "一二|三%");
}

static void test_opening_never_ends_a_line(void **state)
{
    (void)state;
    expect_lines("一二（三四", 30.0, "一二|（三四");
    expect_lines("一二《三", 30.0, "一二|《三");
    expect_lines("一二“三", 30.0, "一二|“三");
    expect_lines("一二【三", 30.0, "一二|【三");
    expect_lines("一（《三", 30.0, "一|（《三"); /* two openings go down together */
    expect_lines("一二(三", 30.0, "一二|(三");
    expect_lines("一二￥5", 30.0, "一二|￥5"); /* a currency sign stays with its amount */
}

static void test_dash_and_ellipsis_stay_whole(void **state)
{
    (void)state;
    expect_lines("一二——三", 30.0, "一二|——三");
    expect_lines("一二……三", 30.0, "一|二……|三"); /* … may not start a line */
}

static void test_overhang_when_no_earlier_break(void **state)
{
    (void)state;
    gk_line line;
    const char *text = "一，";
    assert_int_equal(gk_break_lines(text, strlen(text), &FAKE, 10.0, &line, 1), 1);
    assert_true(line.width == 20.0); /* wider than the cell: the comma hangs */
    expect_lines("（一", 10.0, "（一");
    expect_lines("一，二，", 10.0, "一，|二，");
    expect_lines("（一）二", 10.0, "（一）|二");
}

static void test_numbers_and_codes_never_split(void **state)
{
    (void)state;
    expect_lines("支出合计294.28", 50.0, "支出合计|294.28");
    expect_lines("科目3010201", 50.0, "科目|3010201");
    expect_lines("合计1,234.50万元", 40.0, "合计|1,234.50|万元");
    expect_lines("减少-3.10", 30.0, "减少|-3.10");
    expect_lines("增长56.57%", 40.0, "增长|56.57%");
    expect_lines("功能分类208 01 08", 60.0, "功能分类208|01 08");
    /* the closing comma pulls the whole number down with it */
    expect_lines("支出294.28，", 50.0, "支出|294.28，");
}

static void test_latin_words_stay_whole(void **state)
{
    (void)state;
    expect_lines("使用PDF文件", 30.0, "使用|PDF文|件");
    expect_lines("hello world foo", 55.0, "hello world|foo");
    expect_lines("hello world foo", 50.0, "hello|world foo");
    expect_lines("项目(含税)金额", 25.0, "项目|(含|税)金|额");
}

static void test_mixed_sentence(void **state)
{
    (void)state;
    const char *text = "本单位2023年一般公共预算支出294.28万元，比上年增长56.57%。";
    expect_lines(text, 100.0, "本单位2023年一般公共|预算支出294.28万元，|比上年增长56.57%。");
    expect_lines(text, 95.0, "本单位2023年一般公|共预算支出294.28万|元，比上年增长|56.57%。");
    expect_lines(text, 85.0, "本单位2023年一般|公共预算支出|294.28万元，比上|年增长56.57%。");
}

static void test_hard_newlines(void **state)
{
    (void)state;
    gk_line lines[3];
    const char *text = "一二\n三";
    assert_int_equal(gk_break_lines(text, strlen(text), &FAKE, 100.0, lines, 3), 2);
    assert_int_equal(lines[0].start, 0);
    assert_int_equal(lines[0].end, 6);
    assert_int_equal(lines[1].start, 7);
    assert_int_equal(lines[1].end, 10);
    assert_true(lines[1].width == 10.0);
    expect_lines("一\n\n二", 100.0, "一||二");
    expect_lines("一\r\n二\r三", 100.0, "一|二|三");
    expect_lines("一\n", 100.0, "一|");
    expect_lines("\n", 100.0, "|");
    expect_lines("一二三四\n五", 30.0, "一二三|四|五");
    expect_lines("ab  \ncd", 100.0, "ab|cd"); /* spaces before a newline are dropped too */
}

static void test_spaces(void **state)
{
    (void)state;
    gk_line line;
    const char *text = "ab   ";
    assert_int_equal(gk_break_lines(text, strlen(text), &FAKE, 100.0, &line, 1), 1);
    assert_int_equal(line.end, 2);
    assert_true(line.width == 10.0);
    expect_lines("ab   cd", 100.0, "ab   cd");          /* inner spaces are kept */
    expect_lines("aaa bbb", 30.0, "aaa|bbb");
    expect_lines("aaaa   bb", 20.0, "aaaa|bb");          /* spaces hang past the edge */
    expect_lines("  ab", 100.0, "  ab");                /* leading spaces are kept */
    expect_lines("　　预算", 100.0, "　　预算");         /* so is a U+3000 indent */
    expect_lines("一二　三四", 25.0, "一二|三四");       /* U+3000 is dropped at a break */
    expect_lines("   ", 100.0, "");
    expect_lines("a , b", 10.0, "a ,|b"); /* never a comma at a line start, even after a space */
}

static void test_cell_narrower_than_a_character(void **state)
{
    (void)state;
    expect_lines("预算表", 5.0, "预|算|表");
    expect_lines("预算表", 0.0, "预|算|表");
    expect_lines("ab", 2.0, "a|b");
    expect_lines("一，二", 5.0, "一，|二");
}

static void test_long_word_broken_by_character(void **state)
{
    (void)state;
    expect_lines("51110022T000004821283", 50.0, "51110022T0|0000482128|3");
    expect_lines("编码51110022T000004821283", 50.0, "编码|51110022T0|0000482128|3");
    expect_lines("（51110022T000004821283）", 50.0, "（51110022|T000004821|283）");
    expect_lines("1234567%", 35.0, "123456|7%"); /* its % still never starts a line */
    expect_lines("%%%%", 10.0, "%%%%");           /* nothing to cut at: overhang */
}

/* A line with no allowed break overhangs by at most 4 characters, then is cut anyway: no text
 * runs off the page. */
static void test_overhang_is_bounded(void **state)
{
    (void)state;
    expect_lines("((((((((", 10.0, "((((((|((");     /* 2 fit, 4 hang, then a cut */
    expect_lines("（（（（（（（（", 10.0, "（（（（（|（（（"); /* 1 fits, 4 hang */
    expect_lines("%%%%%%%", 10.0, "%%%%%%|%");
}

/* A paragraph of 200,000 '(' (one word with no allowed break) is laid out in time linear in
 * its length: it took minutes when each overflowing character scanned its line again. */
static void test_long_unbreakable_word_is_linear(void **state)
{
    (void)state;
    enum { N = 200000 };
    static char text[N + 1];
    memset(text, '(', N);
    size_t count = gk_break_lines(text, N, &FAKE, 100.0, NULL, 0);
    assert_int_equal(count, (N + 23) / 24); /* 20 fit, 4 hang */
    static gk_line lines[N];
    assert_int_equal(gk_break_lines(text, N, &FAKE, 100.0, lines, count), count);
    for (size_t i = 0; i < count; i++)
        assert_true(lines[i].width <= 100.0 + 4 * 5.0);
    assert_int_equal(lines[count - 1].end, N);
    /* the same for a word that can be cut anywhere, and for Han text */
    memset(text, 'a', N);
    assert_int_equal(gk_break_lines(text, N, &FAKE, 100.0, NULL, 0), N / 20);
}

static void test_capacity(void **state)
{
    (void)state;
    const char *text = "一二三四五六七";
    gk_line lines[3] = {{0, 0, 0.0}, {0, 0, 0.0}, {77, 77, 77.0}};
    assert_int_equal(gk_break_lines(text, strlen(text), &FAKE, 30.0, lines, 2), 3);
    assert_int_equal(lines[1].start, 9);
    assert_int_equal(lines[1].end, 18);
    assert_int_equal(lines[2].start, 77); /* beyond capacity: untouched */
}

static void test_title_breaks_at_a_word_boundary(void **state)
{
    (void)state;
    /* 40 + 5 + 70 | 20 + 90: before the year, not inside 单位预算 as the greedy break would */
    const char *title = "第三部分 乐山市信息中心2025年单位预算情况说明";
    gk_line lines[2];
    assert_true(gk_break_title(title, strlen(title), &FAKE, 150.0, lines));
    assert_int_equal(lines[0].start, 0);
    assert_string_equal(title + lines[1].start, "2025年单位预算情况说明");
    assert_int_equal(lines[0].end, strlen("第三部分 乐山市信息中心"));
    assert_true(lines[0].width == 115.0 && lines[1].width == 110.0);
    /* the space is the balanced boundary when both halves fit there best */
    const char *spaced = "一二三四五 六七八九十";
    assert_true(gk_break_title(spaced, strlen(spaced), &FAKE, 80.0, lines));
    assert_int_equal(lines[0].end, strlen("一二三四五"));
    assert_string_equal(spaced + lines[1].start, "六七八九十");
    /* fits on one line, or no boundary gives two fitting lines: the caller breaks it */
    assert_false(gk_break_title(title, strlen(title), &FAKE, 300.0, lines));
    assert_false(gk_break_title(title, strlen(title), &FAKE, 100.0, lines));
}


/* Breaks text at width, mends last lines to min_chars (the last line may be max_last wide)
 * and asserts the lines are `expected` and that `mended` paragraphs changed. */
static void expect_mended(const char *text, double width, double max_last, size_t min_chars,
                          const char *expected, size_t mended)
{
    gk_line lines[MAX_LINES];
    size_t count = gk_break_lines(text, strlen(text), &FAKE, width, lines, MAX_LINES);
    assert_true(count <= MAX_LINES);
    assert_int_equal(gk_mend_last_lines(text, &FAKE, max_last, min_chars, lines, count), mended);
    char got[1024];
    describe(text, lines, count, got, sizeof got);
    if (strcmp(got, expected) != 0)
        fail_msg("'%s' at %g, mended to %zu: expected %s, found %s", text, width, min_chars,
                 expected, got);
    check_invariants(text, lines, count, width);
    for (size_t i = 0; i < count; i++)
        assert_false(lines[i].width > width + 1e-9);
}

/* A lone character, or a lone 人。, on a paragraph's last line takes one from the line before;
 * a last line long enough stays; so does a paragraph of one line. */
static void test_lone_last_line_is_mended(void **state)
{
    (void)state;
    expect_mended("一二三四五六七八九十。", 30, 30, 2, "一二三|四五六|七八|九十。", 1);
    expect_mended("一二三四五六七八九十。", 40, 40, 2, "一二三四|五六七八|九十。", 0);
    expect_mended("一二三四五六七八九十", 30, 30, 2, "一二三|四五六|七八|九十", 1);
    expect_mended("一二三四五六七八九十", 30, 30, 1, "一二三|四五六|七八九|十", 0);
    expect_mended("一二三四五六七八。", 30, 30, 2, "一二三|四五六|七八。", 0);
    expect_mended("一二。", 30, 30, 2, "一二。", 0);
    expect_mended("一。", 30, 30, 2, "一。", 0);
    /* the line before keeps min_chars too: no lone character moves up a line */
    expect_mended("一二三四五六七八九十", 30, 30, 3, "一二三|四五六|七八九|十", 0);
    expect_mended("一二三四五六。", 30, 30, 2, "一二三|四五|六。", 0);
    /* a paragraph after a hard break is mended on its own, the empty one left alone */
    expect_mended("一二三四五六七八九十。\n\n一二三四五六七八九十。", 30, 30, 2,
                  "一二三|四五六|七八|九十。||一二三|四五六|七八|九十。", 2);
}

/* The new break is one gk_break_lines allows: closing punctuation does not start the last
 * line, opening punctuation does not end the one before, and a number stays whole. */
static void test_mended_break_keeps_the_rules(void **state)
{
    (void)state;
    expect_mended("一二三四，五六七，八九十。", 40, 40, 2, "一二三|四，五六|七，八|九十。", 1);
    expect_mended("甲乙丙丁戊己庚，辛", 40, 40, 2, "甲乙丙丁|戊己|庚，辛", 1);
    expect_mended("甲乙丙丁戊己（庚辛", 40, 40, 2, "甲乙丙丁|戊己|（庚辛", 1);
    expect_mended("甲乙 12.5 万", 50, 50, 2, "甲乙|12.5 万", 1);
    expect_mended("甲乙丙丁12.5万。", 60, 60, 2, "甲乙丙丁|12.5万。", 1);
    expect_mended("甲乙丙12.5万", 60, 60, 2, "甲乙丙12.5万", 0);
}

/* The last line must still fit: with room for fewer characters the lines stay. */
static void test_mended_last_line_fits(void **state)
{
    (void)state;
    expect_mended("一二三四五六七八九十。", 40, 20, 2, "一二三四|五六七八|九十。", 0);
    expect_mended("一二三四五六七八九十", 30, 10, 2, "一二三|四五六|七八九|十", 0);
    expect_mended("一二三四五六七八九十", 30, 20, 2, "一二三|四五六|七八|九十", 1);
}

/* A long paragraph is mended in time linear in its length. */
static void test_mend_is_linear(void **state)
{
    (void)state;
    enum { CHARS = 200001 };
    char *text = malloc(CHARS * 3 + 1);
    assert_non_null(text);
    for (size_t i = 0; i < CHARS; i++)
        memcpy(text + 3 * i, "\xE4\xB8\x80", 3); /* 一 */
    text[CHARS * 3] = '\0';
    size_t count = gk_break_lines(text, CHARS * 3, &FAKE, 100, NULL, 0);
    gk_line *lines = calloc(count, sizeof *lines);
    assert_non_null(lines);
    gk_break_lines(text, CHARS * 3, &FAKE, 100, lines, count);
    assert_int_equal(lines[count - 1].end - lines[count - 1].start, 3);
    assert_int_equal(gk_mend_last_lines(text, &FAKE, 100, 2, lines, count), 1);
    assert_int_equal(lines[count - 1].end - lines[count - 1].start, 6);
    assert_int_equal(lines[count - 2].end - lines[count - 2].start, 27);
    free(lines);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_text_width),
        cmocka_unit_test(test_fits_on_one_line),
        cmocka_unit_test(test_han_wraps_anywhere),
        cmocka_unit_test(test_closing_never_starts_a_line),
        cmocka_unit_test(test_opening_never_ends_a_line),
        cmocka_unit_test(test_dash_and_ellipsis_stay_whole),
        cmocka_unit_test(test_overhang_when_no_earlier_break),
        cmocka_unit_test(test_overhang_is_bounded),
        cmocka_unit_test(test_long_unbreakable_word_is_linear),
        cmocka_unit_test(test_numbers_and_codes_never_split),
        cmocka_unit_test(test_latin_words_stay_whole),
        cmocka_unit_test(test_mixed_sentence),
        cmocka_unit_test(test_hard_newlines),
        cmocka_unit_test(test_spaces),
        cmocka_unit_test(test_cell_narrower_than_a_character),
        cmocka_unit_test(test_long_word_broken_by_character),
        cmocka_unit_test(test_capacity),
        cmocka_unit_test(test_title_breaks_at_a_word_boundary),
        cmocka_unit_test(test_lone_last_line_is_mended),
        cmocka_unit_test(test_mended_break_keeps_the_rules),
        cmocka_unit_test(test_mended_last_line_fits),
        cmocka_unit_test(test_mend_is_linear),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
