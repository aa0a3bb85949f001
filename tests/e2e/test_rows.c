/* End to end: rows and headers (issue 14) with the invented profile tests/layouts/rows-test-2025.
 * A package written here is exported, and the booklet's text (pdftotext) and the workbook's
 * merges and cells (dump_workbook.py, openpyxl) are read back:
 *
 * - a fixed-row table: merged cells (colspan, rowspan), rows left out when zero (omit: if_zero)
 *   and the {n} stubs numbered 一、二、… over the rows printed, again from 一 below a total;
 * - a list table whose 合计 comes after every row, on the table's last page, its label merged
 *   across 科目编码 and 科目名称; empty, it follows the empty-table wording;
 * - a header group spanning two rows (header_rows: 2) beside a deeper group;
 * - the checks of one code column of 3, 5 and 7 digits: lengths, and parents by prefix. */
#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "../support/testutil.h"

#define PROFILE GK_SOURCE_DIR "/tests/layouts/rows-test-2025"
static const char *const python = "/usr/bin/python3";

/* The package: unit 990001 with both tables, 990002 with no row of table 2. Table 2 holds a
 * 类 over 40 款 of one 项 each (81 rows: more than a page); item_40 is the amount of the 40th
 * 项, code_39 the code of the 39th (NULL: 2013901). */
static void write_package(char *pkg, size_t size, const char *item_40, const char *code_39)
{
    tu_tempdir(pkg, size, "rows-pkg");
    tu_write(pkg, "units.csv",
             "unit_code,unit_name,department_code,department_name,year,profile,booklet\n"
             "990001,行与表头测试单位（虚构）,990,行与表头测试部门（虚构）,2025,rows-test-2025,unit\n"
             "990002,行与表头空表单位（虚构）,990,行与表头测试部门（虚构）,2025,rows-test-2025,unit\n");
    tu_write(pkg, "tables/1.csv",
             "unit_code,item,amount\n"
             "990001,in.general,100.00\n990001,in.other,20.00\n990001,in.carry,3.00\n"
             "990001,out.201,60.00\n990001,out.208,30.00\n990001,out.211,5.00\n"
             "990001,out.213,20.00\n990001,out.221,8.00\n");
    char rows[16384];
    size_t used = (size_t)snprintf(rows, sizeof rows,
                                   "unit_code,level,code,name,total,general,fund,other\n"
                                   "990001,1,201,一般公共服务支出,40.00,40.00,,\n");
    for (int k = 1; k <= 40; k++) {
        char code[32];
        snprintf(code, sizeof code, "201%02d01", k);
        const char *amount = k == 40 ? item_40 : "1.00";
        used += (size_t)snprintf(rows + used, sizeof rows - used,
                                 "990001,2,201%02d,测试款%d,1.00,1.00,,\n"
                                 "990001,3,%s,测试项%d,%s,%s,,\n",
                                 k, k, k == 39 && code_39 ? code_39 : code, k, amount, amount);
    }
    tu_write(pkg, "tables/2.csv", rows);
}

/* Exports the package; *text gets unit 990001's booklet as pdftotext -layout prints it. */
static void export_package(const char *pkg, char *out, size_t size, char **text)
{
    tu_tempdir(out, size, "rows-out");
    char *log = NULL;
    int rc = tu_run(&log, "'%s' export '%s' -o '%s' --profile '%s'", GK_EXE, pkg, out, PROFILE);
    if (rc != 0)
        fail_msg("export failed (%d):\n%s", rc, log);
    free(log);
    rc = tu_run(text, "pdftotext -layout '%s'/990001_*.pdf -", out);
    assert_int_equal(rc, 0);
}

static char *workbook(const char *out, const char *unit)
{
    char *dump = NULL;
    int rc = tu_run(&dump, "%s '%s/tests/e2e/dump_workbook.py' '%s'/%s_*.xlsx", python,
                    GK_SOURCE_DIR, out, unit);
    if (rc != 0)
        fail_msg("dump_workbook.py failed (%d):\n%s", rc, dump);
    return dump;
}

/* The part of text from the first `from` to the first `to` after it (or the end). */
static char *between(const char *text, const char *from, const char *to)
{
    const char *start = strstr(text, from);
    if (start == NULL)
        fail_msg("'%s' not found in:\n%s", from, text);
    const char *end = to ? strstr(start + strlen(from), to) : NULL;
    size_t len = end ? (size_t)(end - start) : strlen(start);
    char *part = malloc(len + 1);
    memcpy(part, start, len);
    part[len] = '\0';
    return part;
}

static void assert_lacks(const char *haystack, const char *needle)
{
    if (strstr(haystack, needle) != NULL)
        fail_msg("expected no '%s' in:\n%s", needle, haystack);
}

static void test_fixed_rows_merge_omit_and_renumber(void **state)
{
    (void)state;
    char pkg[1024], out[1024];
    char *text = NULL;
    write_package(pkg, sizeof pkg, "1.00", NULL);
    export_package(pkg, out, sizeof out, &text);
    char *table = between(text, "收支总表（测试）\n", "测试表2");
    /* 政府性基金 and 教育 (zero) and 城乡社区 (zero) are left out; the others renumbered */
    assert_contains(table, "一、一般公共预算拨款收入");
    assert_contains(table, "二、其他收入");
    assert_contains(table, "一、一般公共服务支出");
    assert_contains(table, "二、社会保障和就业支出");
    assert_contains(table, "三、农林水支出");
    assert_contains(table, "四、节能环保支出");
    assert_contains(table, "五、住房保障支出");
    assert_contains(table, "一、上年结转"); /* counted again below the total */
    assert_lacks(table, "政府性基金");
    assert_lacks(table, "教育支出");
    assert_lacks(table, "城乡社区");
    assert_lacks(table, "{n}");
    free(table);

    char *dump = workbook(out, "990001");
    char *sheet = between(dump, "sheet 测试表1\n", "sheet 测试表2");
    /* rows 5–11: the seven rows printed; 以下空白 over two columns and two rows, the last
       row's blank expenditure side over two columns */
    assert_contains(sheet, "merge A8:B9\n");
    assert_contains(sheet, "merge C11:D11\n");
    assert_contains(sheet, "cell A6 二、其他收入\n");
    assert_contains(sheet, "cell C7 三、农林水支出\n");
    assert_contains(sheet, "cell D7 20\n");
    assert_contains(sheet, "cell A8 以下空白\n");
    assert_contains(sheet, "cell C9 五、住房保障支出\n");
    assert_contains(sheet, "cell A10 本年收入合计\n");
    assert_contains(sheet, "cell A11 一、上年结转\n");
    assert_lacks(sheet, "cell A12 ");
    free(sheet);
    free(dump);
    free(text);
}

/* The line of text that begins (after spaces) with word and holds more; NULL if none. */
static const char *line_starting(const char *text, const char *word, const char *holding)
{
    for (const char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        const char *p = line;
        while (*p == ' ')
            p++;
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (strncmp(p, word, strlen(word)) == 0 && memmem(p, len, holding, strlen(holding)))
            return line;
    }
    return NULL;
}

static void test_total_at_bottom_on_last_page(void **state)
{
    (void)state;
    char pkg[1024], out[1024];
    char *text = NULL;
    write_package(pkg, sizeof pkg, "1.00", NULL);
    export_package(pkg, out, sizeof out, &text);
    char *table = between(text, "支出预算表（测试）\n", NULL);
    /* the table takes two pages; the 合计 row (40.00) is the last row of the second */
    const char *page_break = strchr(table, '\f');
    assert_non_null(page_break);
    assert_non_null(strstr(page_break, "测试表2 续表"));
    const char *total = line_starting(table, "合计", "40.00");
    assert_non_null(total);
    assert_true(total > page_break);
    const char *last_row = strstr(table, "测试项40");
    assert_non_null(last_row);
    assert_true(total > last_row);
    const char *next_page = strchr(last_row, '\f');
    assert_true(next_page == NULL || next_page > total); /* on the page of the last row */
    assert_null(line_starting(total + 1, "20", "1.00")); /* no data row after it */
    free(table);

    char *dump = workbook(out, "990001");
    /* header rows 3–5, data rows 6–86, the 合计 in row 87 over 科目编码 and 科目名称 */
    assert_contains(dump, "merge A87:B87\n");
    assert_contains(dump, "cell A87 合计\n");
    assert_contains(dump, "cell C87 40\n");
    assert_contains(dump, "cell A86 2014001\n");
    assert_lacks(dump, "cell A88 ");
    free(dump);

    /* an empty table: its wording, then the 合计 */
    dump = workbook(out, "990002");
    char *sheet = between(dump, "sheet 测试表2\n", NULL);
    assert_contains(sheet, "merge A6:F6\n");
    assert_contains(sheet, "cell A6 注：此表无数据\n");
    assert_contains(sheet, "merge A7:B7\n");
    assert_contains(sheet, "cell A7 合计\n");
    free(sheet);
    free(dump);
    free(text);
}

/* yMin of the first word `word` on the page holding `page_word` in pdftotext -bbox output. */
static double word_top(const char *bbox, const char *page_word, const char *word)
{
    char needle[256];
    snprintf(needle, sizeof needle, ">%s</word>", page_word);
    const char *at = strstr(bbox, needle);
    assert_non_null(at);
    const char *page = at;
    while (page > bbox && strncmp(page, "<page ", 6) != 0)
        page--;
    snprintf(needle, sizeof needle, ">%s</word>", word);
    const char *found = strstr(page, needle);
    if (found == NULL)
        fail_msg("word '%s' not found on the page of '%s'", word, page_word);
    const char *start = found;
    while (start > page && strncmp(start, "<word ", 6) != 0)
        start--;
    const char *y = strstr(start, "yMin=\"");
    assert_non_null(y);
    return atof(y + 6);
}

static void test_header_group_spans_rows(void **state)
{
    (void)state;
    char pkg[1024], out[1024];
    char *text = NULL, *bbox = NULL;
    write_package(pkg, sizeof pkg, "1.00", NULL);
    export_package(pkg, out, sizeof out, &text);
    assert_int_equal(tu_run(&bbox, "pdftotext -bbox '%s'/990001_*.pdf -", out), 0);
    /* rows of the header, top to bottom: 本年预算 | 财政拨款 | 一般公共预算; 项 目 spans the
       first two (its text between them), 科目编码 sits in the third, 其他 spans all three */
    double first = word_top(bbox, "支出预算表（测试）", "本年预算");
    double second = word_top(bbox, "支出预算表（测试）", "财政拨款");
    double third = word_top(bbox, "支出预算表（测试）", "科目编码");
    double item = word_top(bbox, "支出预算表（测试）", "项");
    double other = word_top(bbox, "支出预算表（测试）", "其他");
    assert_true(first < item && item < second);
    assert_true(second < third);
    assert_true(third - 2 < word_top(bbox, "支出预算表（测试）", "一般公共预算") + 2);
    assert_true(item < other && other < third);
    free(bbox);

    char *dump = workbook(out, "990001");
    char *sheet = between(dump, "sheet 测试表2\n", NULL);
    assert_contains(sheet, "merge A3:B4\n"); /* 项 目: two rows, two columns */
    assert_contains(sheet, "cell A3 项 目\n");
    assert_contains(sheet, "merge C3:E3\n"); /* 本年预算 */
    assert_contains(sheet, "merge C4:C5\n"); /* 合计 */
    assert_contains(sheet, "merge D4:E4\n"); /* 财政拨款 */
    assert_contains(sheet, "merge F3:F5\n"); /* 其他 */
    assert_contains(sheet, "cell A5 科目编码\n");
    assert_contains(sheet, "cell B5 科目名称\n");
    assert_contains(sheet, "cell D5 一般公共预算\n");
    free(sheet);
    free(dump);
    free(text);
}

static void test_checks_by_prefix_and_lengths(void **state)
{
    (void)state;
    char pkg[1024];
    write_package(pkg, sizeof pkg, "2.00", "20139011");
    char *log = NULL;
    int rc = tu_run(&log, "'%s' check '%s' --profile '%s'", GK_EXE, pkg, PROFILE);
    assert_int_equal(rc, 1);
    /* 款 20140 (line 81) against its 项 2014001 by prefix; the 8-digit 项 of 款 39 (line 80)
       is malformed, yet its parent is still 20139 */
    assert_contains(log, "/tables/2.csv:81:22: error: [SUM-PREFIX] 测试表2: 测试款40 is not the "
                         "sum of its items (expected 2.00, found 1.00)");
    assert_contains(log, "/tables/2.csv:80:10: error: [CODE-FORMAT] 测试表2: code 'code' is "
                         "malformed (expected 3, 5 or 7 digits, found 20139011)");
    assert_contains(log, "gongkai: 2 errors");
    free(log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixed_rows_merge_omit_and_renumber),
        cmocka_unit_test(test_total_at_bottom_on_last_page),
        cmocka_unit_test(test_header_group_spans_rows),
        cmocka_unit_test(test_checks_by_prefix_and_lengths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
