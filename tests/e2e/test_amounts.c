/* End to end: amounts in several units (元 and 万元, with their own decimals), the zero policy
 * `keep`, thousands grouping, caption templates, tables without a number and notes under a
 * table, on an invented profile and package; the booklet is read back with pdftotext and the
 * workbook with openpyxl, and `check` compares amounts of different units at the coarser
 * precision of the two sides. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "../support/testutil.h"

static const char *const python = "/usr/bin/python3";

/* The invented profile: a fixed-row table in 万元 derived from a list table in 元, a second
 * table with the same long title (its sheet name must differ), and no narrative. */
static const char booklet_yaml[] =
    "profile: invented-amounts-2025\n"
    "name: 虚构金额格式（测试用）\n"
    "amount_unit: 万元\n"
    "amount_decimals: 2\n"
    "zero: blank\n"
    "empty_text: 注：{unit.name}{year}年此表无数据\n"
    "caption: {left: \"编制单位：{unit.name}\", right: \"金额单位：{amount_unit}\"}\n"
    "booklets:\n"
    "  unit: {title: 单位预算, tables: [sum, detail, detail2]}\n";

static const char sum_yaml[] =
    "id: sum\n"
    "number: 表一\n"
    "title: 虚构收支总表\n"
    "zero: keep\n"
    "columns:\n"
    "  - {key: item, header: 项目, type: text, width: 20}\n"
    "  - {key: amount, header: 预算数, type: amount}\n"
    "  - {key: yuan, header: 预算数（元）, type: amount, unit: 元, decimals: 0,"
    " thousands: true, zero: zero}\n"
    "items:\n"
    "  - {id: spend, from: detail.total}\n"
    "  - nothing\n"
    "  - given0\n"
    "rows:\n"
    "  - [支出合计, =spend, =spend]\n"
    "  - [未列支出, =nothing, =nothing]\n"
    "  - [零值支出, =given0, =given0]\n";

#define LONG_TITLE "支出明细表/示例（虚构单位{year}年度按经济分类的全部支出明细）"

static const char detail_yaml[] =
    "id: detail\n"
    "title: \"" LONG_TITLE "\"\n"
    "amount_unit: 元\n"
    "zero: keep\n"
    "thousands: true\n"
    "caption: {right: \"单位：{amount_unit}\"}\n"
    "columns:\n"
    "  - {key: name, header: 项目, type: text, width: 20}\n"
    "  - {key: total, header: 合计, type: amount}\n"
    "  - {key: other, header: 其他, type: amount}\n"
    "  - {key: spare, header: 备用, type: amount}\n"
    "  - {key: wan, header: 折合万元, type: amount, unit: 万元, decimals: 4, zero: blank,"
    " thousands: false}\n"
    "summary:\n"
    "  - {kind: total, label: 合计, label_column: name}\n"
    "notes:\n"
    "  - 注：{unit.name}的数据为虚构，金额单位为{amount_unit}。\n"
    "  - 注二：{year}年度。\n";

static const char detail2_yaml[] =
    "id: detail2\n"
    "number: \"\"\n"
    "zero: zero\n"
    "title: \"" LONG_TITLE "\"\n"
    "columns:\n"
    "  - {key: name, header: 项目, type: text}\n"
    "  - {key: total, header: 合计, type: amount}\n"
    "summary:\n"
    "  - {kind: total, label: 合计, label_column: name}\n";

static const char rules_yaml[] =
    "rounding_tolerance: 1\n"
    "rules:\n"
    "  - id: INVENTED-UNITS\n"
    "    kind: compare\n"
    "    check: sum.spend = detail.total\n"
    "    description: 表一 in 万元 equals the detail in 元\n"
    "  - id: INVENTED-WAN\n"
    "    kind: compare\n"
    "    check: detail.wan <= detail.total\n"
    "    description: 折合万元 is at most 合计\n";

/* A profile folder and a package of the invented unit 990001 under root. */
static void write_fixture(const char *root, const char *rules)
{
    char dir[2048];
    snprintf(dir, sizeof dir, "%s/invented-amounts-2025", root);
    mkdir(dir, 0777);
    tu_write(dir, "booklet.yaml", booklet_yaml);
    tu_write(dir, "sum.yaml", sum_yaml);
    tu_write(dir, "detail.yaml", detail_yaml);
    tu_write(dir, "detail2.yaml", detail2_yaml);
    tu_write(dir, "rules.yaml", rules);
    snprintf(dir, sizeof dir, "%s/pkg", root);
    mkdir(dir, 0777);
    tu_write(dir, "units.csv",
             "unit_code,unit_name,department_code,department_name,year,profile,booklet\n"
             "990001,虚构测试单位,990,虚构测试部门,2025,invented-amounts-2025,unit\n");
    /* 公用支出 gives 其他 no amount, 人员支出 an explicit 0; 备用 is never given */
    tu_write(dir, "tables/detail.csv",
             "unit_code,name,total,other,spare,wan\n"
             "990001,人员支出,1234567.89,0,,123.4568\n"
             "990001,公用支出,100.00,,,0\n");
    tu_write(dir, "tables/detail2.csv", "unit_code,name,total\n");
    tu_write(dir, "tables/sum.csv", "unit_code,item,amount\n990001,given0,0\n");
}

static void export_fixture(char *root, size_t size, const char *format)
{
    tu_tempdir(root, size, "amounts");
    write_fixture(root, rules_yaml);
    char *log = NULL;
    int rc = tu_run(&log, "cd '%s' && GONGKAI_LAYOUTS='%s' '%s' export pkg -o out --format %s",
                    root, root, GK_EXE, format);
    if (rc != 0)
        fail_msg("export failed (%d):\n%s", rc, log);
    free(log);
}

/* The booklet's text: amounts grouped, zero policy keep, captions, notes, the 目录. */
static void test_booklet_prints_amounts_captions_and_notes(void **state)
{
    (void)state;
    char root[1024];
    export_fixture(root, sizeof root, "pdf");
    tu_write(root, "read.py",
             "import subprocess, sys\n"
             "pages = subprocess.run(['pdftotext', '-raw', sys.argv[1], '-'], check=True,\n"
             "    capture_output=True, text=True).stdout.split('\\f')\n"
             "def page(word):\n"
             "    return next(p for p in pages if word in p)\n"
             "def lines(p):  # without the folio\n"
             "    return [l.strip() for l in p.split('\\n') if l.strip() and not l.strip().isdigit()]\n"
             "toc = pages[1]\n"
             "print('toc-sum', '一、虚构收支总表（表一）' in toc)\n"
             "print('toc-detail', '二、支出明细表/示例（虚构单位2025年度按经济分类的全部支出明细）' in toc\n"
             "      and '明细）（' not in toc)\n"
             "s = page('支出合计')\n"
             "print('sum', lines(s)[0], '金额单位：万元' in s,\n"
             "      '编制单位：虚构测试单位' in s, '支出合计 123.47 1,234,700' in s)\n"
             "print('sum-rows', [l for l in lines(s) if l.startswith(('未列', '零值'))])\n"
             "d = page('人员支出')\n"
             "print('detail-first-line', lines(d)[0])\n"
             "print('caption', '编制单位：虚构测试单位' in d, '单位：元' in d, '金额单位：' not in d)\n"
             "print('rows', [l for l in lines(d) if l.startswith(('合计', '人员支出', '公用支出'))])\n"
             "n1 = d.find('注：虚构测试单位的数据为虚构，金额单位为元。')\n"
             "n2 = d.find('注二：2025年度。')\n"
             "print('notes', n1 > d.find('公用支出') > 0, n2 > n1)\n"
             "e = page('此表无数据')\n"
             "print('empty', '注：虚构测试单位2025年此表无数据' in e, '{' not in e,\n"
             "      '明细）' in e and '人员支出' not in e, '合计 0.00' in lines(e))\n");
    char *log = NULL;
    int rc = tu_run(&log, "%s '%s/read.py' '%s'/out/*.pdf", python, root, root);
    if (rc != 0)
        fail_msg("read-back failed (%d):\n%s", rc, log);
    assert_contains(log, "toc-sum True");
    assert_contains(log, "toc-detail True");
    assert_contains(log, "sum 表一 True True True");
    /* keep: an item not given prints nothing, one given as 0 prints 0.00; the column that
     * says zero: zero prints 0 either way */
    assert_contains(log, "sum-rows ['未列支出 0', '零值支出 0.00 0']");
    /* no number above the title of a table without one */
    assert_contains(log, "detail-first-line 支出明细表/示例（虚构单位\n");
    assert_contains(log, "caption True True True");
    /* keep: 0 given prints 0.00, nothing given prints nothing (备用, and 公用支出's 其他);
     * 折合万元 is blank: its 0 prints nothing */
    assert_contains(log, "rows ['合计 1,234,667.89 0.00 123.4568', "
                         "'人员支出 1,234,567.89 0.00 123.4568', '公用支出 100.00']");
    assert_contains(log, "notes True True");
    /* zero: zero prints the 合计 of an empty table as 0.00 */
    assert_contains(log, "empty True True True True");
    free(log);
}

/* The workbook: numbers stay numbers with a grouped number format, sheets of tables without a
 * number are named after their titles (cut, forbidden characters replaced, unique), notes are
 * rows under the table. */
static void test_workbook_numbers_sheets_and_notes(void **state)
{
    (void)state;
    char root[1024];
    export_fixture(root, sizeof root, "xlsx");
    tu_write(root, "read.py",
             "import glob, sys, openpyxl\n"
             "wb = openpyxl.load_workbook(glob.glob(sys.argv[1] + '/out/*.xlsx')[0])\n"
             "print('sheets', wb.sheetnames)\n"
             "ws = wb.worksheets[1]\n"
             "c = ws['B4']\n"
             "print('total', c.value, c.data_type, c.number_format)\n"
             "print('wan', ws['E4'].value, ws['E4'].number_format)\n"
             "print('caption', ws['A2'].value, [x.value for x in ws[2] if x.value][-1])\n"
             "print('notes', ws['A7'].value, ws['A8'].value, ws.max_row)\n"
             "print('merged', 'A7:E7' in [str(r) for r in ws.merged_cells.ranges])\n"
             "s = wb.worksheets[0]\n"
             "print('yuan', s['C4'].value, s['C4'].number_format, s['B4'].value,\n"
             "      s['B4'].number_format)\n");
    char *log = NULL;
    int rc = tu_run(&log, "%s '%s/read.py' '%s'", python, root, root);
    if (rc != 0)
        fail_msg("read-back failed (%d):\n%s", rc, log);
    assert_contains(log, "sheets ['表一', '支出明细表_示例（虚构单位2025年度按经济分类的全部支出明细', "
                         "'支出明细表_示例（虚构单位2025年度按经济分类的全部 (2)']");
    assert_contains(log, "total 1234667.89 n #,##0.00");
    assert_contains(log, "wan 123.4568 0.0000");
    assert_contains(log, "caption 编制单位：虚构测试单位 单位：元");
    assert_contains(log, "notes 注：虚构测试单位的数据为虚构，金额单位为元。 注二：2025年度。 8");
    assert_contains(log, "merged True");
    assert_contains(log, "yuan 1234700 #,##0 123.47 0.00");
    free(log);
}

/* check: 表一's 123.47 万元 (rounded from 元) equals 1,234,667.89 元 at the coarser precision;
 * a comparison that fails shows both sides at that precision, in their unit. */
static void test_check_compares_at_the_coarser_precision(void **state)
{
    (void)state;
    char root[1024];
    tu_tempdir(root, sizeof root, "amounts");
    write_fixture(root, rules_yaml);
    char *log = NULL;
    int rc = tu_run(&log, "cd '%s' && GONGKAI_LAYOUTS='%s' '%s' check pkg", root, root, GK_EXE);
    if (rc != 0)
        fail_msg("check failed (%d):\n%s", rc, log);
    assert_contains(log, "0 errors");
    free(log);
    /* 折合万元 123.4568 万元 against 合计 1,234,667.89 元: compared in 0.0001 万元 (1 元),
     * 123.4568 < 123.4668 */
    write_fixture(root, "rules:\n"
                        "  - id: INVENTED-WAN\n"
                        "    kind: compare\n"
                        "    check: detail.wan = detail.total\n"
                        "    description: 折合万元 equals 合计\n"
                        "  - id: INVENTED-YUAN\n"
                        "    kind: compare\n"
                        "    check: detail.other = detail.total\n"
                        "    description: 其他 equals 合计\n");
    rc = tu_run(&log, "cd '%s' && GONGKAI_LAYOUTS='%s' '%s' check pkg", root, root, GK_EXE);
    assert_int_equal(rc, 1);
    assert_contains(log, "[INVENTED-WAN] detail.wan = detail.total (expected 123.4668 "
                         "(pkg/tables/detail.csv:2:13), found 123.4568)");
    assert_contains(log, "[INVENTED-YUAN] detail.other = detail.total (expected 1234667.89元 "
                         "(pkg/tables/detail.csv:2:13), found 0.00元)");
    free(log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_booklet_prints_amounts_captions_and_notes),
        cmocka_unit_test(test_workbook_numbers_sheets_and_notes),
        cmocka_unit_test(test_check_compares_at_the_coarser_precision),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
