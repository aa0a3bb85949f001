/* Two things a package may leave to gongkai (docs/package.md, docs/layouts.md):
 *
 * - amounts finer than the booklet prints (amounts.csv): the invented package
 *   tests/profiles/shanghai-juesuan-2025-invented-yuan gives 元 to a 万元 booklet, chosen so that
 *   every printed figure rounded from the exact 元 sum differs from the sum of the printed rows
 *   (合计 3.02 over 类 of 0.81 + 1.00 + 1.20; 类 201 0.81 over 款 of 0.40 + 0.40), as a real 决算
 *   booklet printed from 元 ledgers does; its checks compare the exact sums (no warning);
 * - levels from code lengths (`levels: {code: [3, 5, 7]}`): the shanghai-juesuan-2025 package
 *   without its `level` column exports byte for byte what it exports with it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <cmocka.h>

#include "../support/testutil.h"

#define PROFILES GK_SOURCE_DIR "/tests/profiles"
#define YUAN PROFILES "/shanghai-juesuan-2025-invented-yuan"

static char *export_yuan(char *out, size_t size)
{
    tu_tempdir(out, size, "invented-yuan");
    char *log = NULL;
    if (tu_run(&log, "'%s' export '%s' -o '%s' -j1", GK_EXE, YUAN, out) != 0)
        fail_msg("export failed:\n%s", log);
    free(log);
    return out;
}

/* The booklet prints each figure rounded from the exact 元 sum: 合计 3.02, not 3.01. */
static void test_booklet_rounds_exact_sums(void **state)
{
    (void)state;
    char out[1024];
    char *text = NULL;
    export_yuan(out, sizeof out);
    if (tu_run(&text, "pdftotext -layout '%s'/invented-yuan_*.pdf - | tr -s ' '", out) != 0)
        fail_msg("no booklet:\n%s", text);
    assert_contains(text, "单位：万元");
    assert_contains(text, "合计 3.02 3.02\n");       /* 收入决算表: 本年收入合计, 其他收入 */
    assert_contains(text, "201 一般公共服务支出 0.81 0.81\n");
    assert_contains(text, "20101 人大事务 0.40 0.40\n");
    assert_contains(text, "205 教育支出 1.00 1.00\n");
    assert_contains(text, "208 社会保障和就业支出 1.20 1.20\n");
    assert_contains(text, "本年收入合计 3.02 本年支出合计 3.02"); /* 收入支出决算总表 */
    assert_contains(text, "总计 3.02 总计 3.02");
    assert_contains(text, "本年支出合计 3.02 万元"); /* the narrative's placeholder */
    assert_true(strstr(text, "3.01") == NULL && strstr(text, "8,092") == NULL);
    free(text);
}

static void test_workbook_rounds_exact_sums(void **state)
{
    (void)state;
    char out[1024];
    char *log = NULL;
    export_yuan(out, sizeof out);
    int rc = tu_run(&log,
                    "/usr/bin/python3 '%s/tests/e2e/check_cells.py' '%s'/invented-yuan_*.xlsx "
                    "'#,##0.00' '收入决算表|合计|3.02' '收入决算表|一般公共服务支出|0.81' "
                    "'收入决算表|人大事务|0.40' '支出决算表|合计|3.02' "
                    "'收入支出决算总表|本年收入合计|3.02' '收入支出决算总表|一、一般公共服务支出|0.81'",
                    GK_SOURCE_DIR, out);
    if (rc != 0)
        fail_msg("workbook cells:\n%s", log);
    assert_contains(log, "6 passed, 0 failed");
    free(log);
}

/* The checks compare the exact 元 sums: no rounding warning; the narrative's 3.02 万元 is the
 * printed total. */
static void test_check_compares_exact_sums(void **state)
{
    (void)state;
    char *log = NULL;
    int rc = tu_run(&log, "'%s' check '%s'", GK_EXE, YUAN);
    if (rc != 0)
        fail_msg("check failed:\n%s", log);
    assert_contains(log, "gongkai: 0 errors, 0 warnings");
    free(log);
}

/* The shanghai-juesuan-2025 package without its `level` column: the profile's
 * `levels: {code: [3, 5, 7]}` gives every row the level the column gave, so the booklet and
 * the workbook are the same bytes. */
static void test_levels_from_codes(void **state)
{
    (void)state;
    char dir[1024];
    tu_tempdir(dir, sizeof dir, "levels-from-codes");
    char *log = NULL;
    int rc = tu_run(&log,
                    "set -e; cd '%s'; cp -r '%s/shanghai-juesuan-2025' with; cp -r with without; "
                    "for f in without/tables/*.csv; do "
                    "  if head -1 \"$f\" | grep -q '^unit_code,level,'; then "
                    "    sed -i 's/^\\([^,]*\\),[^,]*,/\\1,/' \"$f\"; fi; done; "
                    "! grep -rl '^unit_code,level' without/tables; "
                    "'%s' export with -o out-with -j1 --quiet; "
                    "'%s' export without -o out-without -j1 --quiet; "
                    "for f in out-with/*.pdf out-with/*.xlsx; do cmp \"$f\" out-without/\"${f#out-with/}\"; done; "
                    "ls out-without/*.pdf out-without/*.xlsx | wc -l",
                    dir, PROFILES, GK_EXE, GK_EXE);
    if (rc != 0)
        fail_msg("the package without levels exports otherwise:\n%s", log);
    assert_contains(log, "2\n");
    free(log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_booklet_rounds_exact_sums),
        cmocka_unit_test(test_workbook_rounds_exact_sums),
        cmocka_unit_test(test_check_compares_exact_sums),
        cmocka_unit_test(test_levels_from_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
