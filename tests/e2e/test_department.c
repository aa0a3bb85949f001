/* End to end for the consolidated department booklet (issue 14, `booklets.department.rows:
 * consolidated`): an invented department of two units (tests/support/consolidated_department.py:
 * 示例部门（虚构）, units 900001 示例单位（虚构） and 900002 虚构测试单位900002) exported with a
 * profile that consolidates it. Its booklet (pdftotext) and workbook (openpyxl) print one row per
 * 科目 summed over both units, a 款 only the second unit has under its 类, each unit's projects
 * under their shared category, and no per-unit row or subtotal; the units' own booklets are
 * unchanged by it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "../support/testutil.h"

#define EXAMPLE GK_SOURCE_DIR "/samples/example-unit-2025"
#define PROFILE GK_SOURCE_DIR "/layouts/sichuan-2025"
#define DEPARTMENT "900_示例部门（虚构）_2025"

static char work[1024]; /* pkg/, sichuan-2025/ and out/ */

static int export_department(void **state)
{
    (void)state;
    tu_tempdir(work, sizeof work, "department");
    char *log = NULL;
    int rc = tu_run(&log, "cd '%s' && mkdir pkg sichuan-2025 && cp -r '%s/.' pkg/ && "
                          "cp -r '%s/.' sichuan-2025/ && "
                          "python3 '%s/tests/support/consolidated_department.py' sichuan-2025 pkg && "
                          "'%s' export pkg --profile sichuan-2025 --department -o out",
                    work, EXAMPLE, PROFILE, GK_SOURCE_DIR, GK_EXE);
    if (rc != 0)
        fprintf(stderr, "export failed (%d):\n%s\n", rc, log);
    free(log);
    return rc;
}

/* Where needle is in haystack (fails when it is not). */
static const char *at(const char *haystack, const char *needle)
{
    const char *found = strstr(haystack, needle);
    if (found == NULL)
        fail_msg("'%s' not found in:\n%s", needle, haystack);
    return found;
}

/* The text of table `number`'s pages: from its heading to the next table's (a copy). */
static char *table_text(const char *text, const char *number, const char *next)
{
    char heading[64], following[64];
    snprintf(heading, sizeof heading, "\f%s\n", number); /* at the top of its page */
    snprintf(following, sizeof following, "\f%s\n", next);
    const char *start = at(text, heading);
    const char *end = at(start, following);
    return strndup(start, (size_t)(end - start));
}

static void test_booklet_prints_one_row_per_subject(void **state)
{
    (void)state;
    char *text = NULL;
    /* the PDF's text, each run of spaces one space */
    assert_int_equal(tu_run(&text, "pdftotext -layout '%s/out/%s.pdf' - | tr -s ' '", work,
                            DEPARTMENT),
                     0);
    /* 公开表1-1: one row, the department's, both units' income summed */
    at(text, "900 示例部门（虚构） 1135.20 24.00 959.20 60.00 80.00 12.00");
    /* 公开表3-1: 类 302 summed; 30214 (the second unit's only) under 302, before 303 */
    char *t31 = table_text(text, "公开表3-1", "公开表3-2");
    const char *c302 = at(t31, "302 商品和服务支出 96.40 96.40");
    const char *c30213 = at(c302, "302 13 30213 维修（护）费 2.00 2.00");
    const char *c30214 = at(c30213, "302 14 30214 租赁费 2.00 2.00");
    const char *c303 = at(c302, "303 对个人和家庭的补助 9.60 9.60");
    assert_true(c30214 < c303);
    free(t31);
    /* 公开表3-2: the category summed over both units, each unit's projects under it */
    char *t32 = table_text(text, "公开表3-2", "公开表3-3");
    const char *category = at(t32, "一般行政管理事务 228.00");
    const char *second = at(category, "900002 示例乙公务用车更新购置 18.00");
    assert_true(second < at(category, "其他政府办公厅（室）及相关机构事务支出 48.00"));
    free(t32);
    /* no per-unit row or subtotal: the units' names are printed nowhere */
    assert_null(strstr(text, "示例单位（虚构）"));
    assert_null(strstr(text, "虚构测试单位900002"));
    free(text);
}

static void test_workbook_cells_are_the_sums(void **state)
{
    (void)state;
    char *cells = NULL;
    /* every row of three sheets as SHEET|CELL|CELL…, blank cells left out */
    int rc = tu_run(&cells,
                    "/usr/bin/python3 -c \"import openpyxl, sys\n"
                    "wb = openpyxl.load_workbook(sys.argv[1])\n"
                    "for name in ['公开表1-1', '公开表3-1', '公开表3-2']:\n"
                    "    for row in wb[name].iter_rows(values_only=True):\n"
                    "        print('|'.join([name] + [str(c) for c in row if c not in (None, '')]))\n"
                    "\" '%s/out/%s.xlsx'",
                    work, DEPARTMENT);
    if (rc != 0)
        fail_msg("openpyxl failed (%d):\n%s", rc, cells);
    at(cells, "公开表1-1|900|示例部门（虚构）|1135.2|24|959.2|60|80|12\n");
    const char *c302 = at(cells, "公开表3-1|302|商品和服务支出|96.4|96.4\n");
    const char *c30214 = at(c302, "公开表3-1|302|14|30214|租赁费|2|2\n");
    assert_true(c30214 < at(c302, "公开表3-1|303|对个人和家庭的补助|9.6|9.6\n"));
    at(cells, "公开表3-1|合 计|707.2|610.8|96.4\n");
    at(cells, "公开表3-2|一般行政管理事务|228\n");
    at(cells, "公开表3-2|201|03|99|900002|示例乙公众咨询服务|24\n");
    assert_null(strstr(cells, "示例单位（虚构）"));
    assert_null(strstr(cells, "虚构测试单位900002"));
    free(cells);
}

/* The units' own booklets still print their own rows (their 单位 line, their projects). */
static void test_units_booklets_are_their_own(void **state)
{
    (void)state;
    char *text = NULL;
    assert_int_equal(tu_run(&text, "pdftotext -layout '%s/out/900002_虚构测试单位900002_2025.pdf' - "
                                   "| tr -s ' '",
                            work),
                     0);
    char *t31 = table_text(text, "公开表3-1", "公开表3-2");
    at(t31, "单位：虚构测试单位900002");
    at(t31, "302 14 30214 租赁费 2.00 2.00");
    assert_null(strstr(t31, "30213"));
    free(t31);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_booklet_prints_one_row_per_subject),
        cmocka_unit_test(test_workbook_cells_are_the_sums),
        cmocka_unit_test(test_units_booklets_are_their_own),
    };
    return cmocka_run_group_tests(tests, export_department, NULL);
}
