/* End to end: lists side by side in one fixed-row table (`sides:`, issue 14), with the invented
 * profile tests/layouts/sides-test-2025 and the shipped shanghai-putuo-2025. A package is
 * exported, and the booklet's text (pdftotext -layout) and the workbook's cells
 * (dump_workbook.py, openpyxl) are read back:
 *
 * - row k of the income side beside row k of the expenditure side, whatever rows each side
 *   leaves out; a side shorter than the other is blank below its last row;
 * - the {n} stubs of a side numbered over its printed rows;
 * - the totals across the table after the sides; a second pair of sides below them, one with
 *   a rowspan;
 * - the checks still see the items: a supplied total that disagrees is a DERIVED error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "../support/testutil.h"

#define PROFILE GK_SOURCE_DIR "/tests/layouts/sides-test-2025"
static const char *const python = "/usr/bin/python3";

/* The package of unit 980001; `more` is appended to tables/1.csv. */
static void write_package(char *pkg, size_t size, const char *items, const char *more)
{
    tu_tempdir(pkg, size, "sides-pkg");
    tu_write(pkg, "units.csv",
             "unit_code,unit_name,department_code,department_name,year,profile,booklet\n"
             "980001,并列收支测试单位（虚构）,980,并列收支测试部门（虚构）,2025,sides-test-2025,"
             "unit\n");
    char csv[2048];
    snprintf(csv, sizeof csv, "unit_code,item,amount\n%s%s", items, more);
    tu_write(pkg, "tables/1.csv", csv);
}

/* 教育支出 (205) is zero and left out; income 二、事业收入 is blank but printed. */
static const char *const items =
    "980001,in.general,100.00\n980001,in.other,20.00\n980001,in.carry_general,3.00\n"
    "980001,in.carry_other,1.00\n980001,out.201.basic,50.00\n980001,out.201.project,10.00\n"
    "980001,out.208.basic,30.00\n980001,out.221.project,30.00\n980001,out.carry,4.00\n";

/* Exports the package; *text gets the booklet as pdftotext -layout prints it, *cells the
 * workbook's cells and merges. */
static void export_package(const char *pkg, const char *profile, const char *unit, char **text,
                           char **cells)
{
    char out[1024];
    tu_tempdir(out, sizeof out, "sides-out");
    char *log = NULL;
    int rc = tu_run(&log, "'%s' export '%s' -o '%s' %s%s%s", GK_EXE, pkg, out,
                    profile ? "--profile '" : "", profile ? profile : "", profile ? "'" : "");
    if (rc != 0)
        fail_msg("export failed (%d):\n%s", rc, log);
    free(log);
    assert_int_equal(tu_run(text, "pdftotext -layout '%s'/%s_*.pdf -", out, unit), 0);
    rc = tu_run(cells, "%s '%s/tests/e2e/dump_workbook.py' '%s'/%s_*.xlsx", python,
                GK_SOURCE_DIR, out, unit);
    if (rc != 0)
        fail_msg("dump_workbook.py failed (%d):\n%s", rc, *cells);
}

/* The printed line holding `first` (its first occurrence after `from`), as a new string. */
static char *line_of(const char *text, const char *from, const char *first)
{
    const char *start = strstr(text, from);
    const char *at = start ? strstr(start, first) : NULL;
    if (at == NULL)
        fail_msg("'%s' not found after '%s' in:\n%s", first, from, text);
    const char *begin = at, *end = strchr(at, '\n');
    while (begin > text && begin[-1] != '\n')
        begin--;
    size_t len = end ? (size_t)(end - begin) : strlen(begin);
    char *line = malloc(len + 1);
    memcpy(line, begin, len);
    line[len] = '\0';
    return line;
}

/* The line holding `first` also holds `beside` (NULL: no expenditure stub, no 支出). */
static void assert_beside(const char *text, const char *from, const char *first,
                          const char *beside)
{
    char *line = line_of(text, from, first);
    if (beside ? strstr(line, beside) == NULL : strstr(line, "支出") != NULL)
        fail_msg("expected '%s' %s '%s' on one line, found:\n%s", first,
                 beside ? "beside" : "with no expenditure, not", beside ? beside : "支出", line);
    free(line);
}

static void assert_lacks(const char *haystack, const char *needle)
{
    if (strstr(haystack, needle) != NULL)
        fail_msg("expected no '%s' in:\n%s", needle, haystack);
}

static void test_sides_print_beside_each_other(void **state)
{
    (void)state;
    char pkg[1024];
    char *text = NULL, *cells = NULL;
    write_package(pkg, sizeof pkg, items, "");
    export_package(pkg, PROFILE, "980001", &text, &cells);
    const char *table = "收支总表（并列测试）\n";
    assert_beside(text, table, "一、财政拨款收入", "一、一般公共服务支出");
    assert_beside(text, table, "一、财政拨款收入", "60.00");
    assert_beside(text, table, "二、事业收入", "二、社会保障和就业支出");
    assert_beside(text, table, "三、其他收入", "三、住房保障支出");
    assert_beside(text, table, "收入总计", "支出总计");
    assert_beside(text, table, "收入总计", "120.00");
    assert_beside(text, table, "年末结转", "4.00");
    assert_beside(text, "年末结转", "总计", "124.00");
    assert_lacks(text, "教育支出");
    assert_lacks(text, "{n}");
    assert_lacks(text, "四、");

    /* header rows 3–4; the sides in rows 5–7, the totals in 8, the carry-overs in 9–10 (上年结转
       over two rows beside 年末结转 and a blank), 总计 in 11 */
    assert_contains(cells, "cell A5 一、财政拨款收入\ncell B5 100\ncell C5 一、一般公共服务支出\n"
                           "cell D5 60\ncell E5 50\ncell F5 10\n");
    assert_contains(cells, "cell A6 二、事业收入\ncell C6 二、社会保障和就业支出\ncell D6 30\n");
    assert_contains(cells, "cell A7 三、其他收入\ncell B7 20\ncell C7 三、住房保障支出\n");
    assert_contains(cells, "cell A8 收入总计\ncell B8 120\ncell C8 支出总计\ncell D8 120\n");
    assert_contains(cells, "merge A9:A10\n");
    assert_contains(cells, "cell A9 上年结转\ncell B9 3\ncell C9 年末结转\ncell D9 4\n"
                           "cell B10 1\ncell A11 总计\n");
    assert_lacks(cells, "cell C10 ");
    assert_lacks(cells, "cell A12 ");
    free(cells);
    free(text);
}

/* Only 教育支出 has an amount: it is 一、 beside the first income stub, and the income side
 * goes on alone. */
static void test_shorter_side_is_blank_below(void **state)
{
    (void)state;
    char pkg[1024];
    char *text = NULL, *cells = NULL;
    write_package(pkg, sizeof pkg, "980001,in.general,7.00\n980001,out.205.basic,7.00\n", "");
    export_package(pkg, PROFILE, "980001", &text, &cells);
    const char *table = "收支总表（并列测试）\n";
    assert_beside(text, table, "一、财政拨款收入", "一、教育支出");
    assert_beside(text, table, "二、事业收入", NULL);
    assert_beside(text, table, "三、其他收入", NULL);
    assert_contains(cells, "cell A5 一、财政拨款收入\ncell B5 7\ncell C5 一、教育支出\n");
    assert_contains(cells, "cell A6 二、事业收入\ncell A7 三、其他收入\ncell A8 收入总计\n");
    free(cells);
    free(text);
}

/* A total the package supplies is checked against its items as in any fixed table. */
static void test_supplied_total_is_checked(void **state)
{
    (void)state;
    char pkg[1024];
    write_package(pkg, sizeof pkg, items, "980001,in.total,121.00\n");
    char *log = NULL;
    int rc = tu_run(&log, "'%s' check '%s' --profile '%s'", GK_EXE, pkg, PROFILE);
    assert_int_equal(rc, 1);
    assert_contains(log, "/tables/1.csv:11:17: error: [DERIVED] 测试表1: in.total (derived from "
                         "in.general + in.business + in.other) (expected 120.00, found 121.00)");
    free(log);
}

/* The shipped profile: 财务收支预算总表 and 财政拨款收支预算总表 of 上海市普陀区人民政府办公室
 * print income beside the four classes it spends on, as its booklet does. */
static void test_putuo_prints_sides_as_the_booklet(void **state)
{
    (void)state;
    char *text = NULL, *cells = NULL;
    export_package(GK_SOURCE_DIR "/tests/profiles/shanghai-putuo-2025", NULL, "putuo-office",
                   &text, &cells);
    const char *one = "2025年预算单位财务收支预算总表\n编制单位";
    assert_beside(text, one, "一、财政拨款收入", "一、一般公共服务支出");
    assert_beside(text, one, "1、一般公共预算资金", "二、社会保障和就业支出");
    assert_beside(text, one, "2、政府性基金", "三、卫生健康支出");
    assert_beside(text, one, "3、国有资本经营预算", "四、住房保障支出");
    assert_beside(text, one, "二、事业收入", NULL);
    assert_beside(text, one, "收入总计", "支出总计");
    const char *four = "2025年预算单位财政拨款收支预算总表\n编制单位";
    assert_beside(text, four, "一、一般公共预算资金", "一、一般公共服务支出");
    assert_beside(text, four, "三、国有资本经营预算", "三、卫生健康支出");
    assert_beside(text, four, "四、住房保障支出", "3,609,125.22");
    free(text);
    free(cells);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sides_print_beside_each_other),
        cmocka_unit_test(test_shorter_side_is_blank_below),
        cmocka_unit_test(test_supplied_total_is_checked),
        cmocka_unit_test(test_putuo_prints_sides_as_the_booklet),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
