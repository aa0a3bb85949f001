/* End to end for `gongkai check` and the checks run by `gongkai export`: the as-published
 * package gives exactly its expected findings and exits 1; the corrected sample has warnings
 * only; JSON output; export refuses a unit with errors unless --force; placeholders render. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "../support/testutil.h"

#define SAMPLE GK_SOURCE_DIR "/samples/leshan-hrss-info-2025"
#define PUBLISHED GK_SOURCE_DIR "/tests/published"

/* Compares the findings printed by check (as "SEVERITY RULE FILE:LINE", FILE relative to the
 * package) with an expected list, exactly. */
static void assert_findings(const char *package, const char *expected_file, int expected_rc)
{
    char dir[1024];
    tu_tempdir(dir, sizeof dir, "check");
    char *log = NULL;
    /* the exit status first, then the findings as "SEVERITY RULE FILE:LINE", compared */
    int rc = tu_run(&log, "'%s' check '%s' > '%s/log' 2>&1; echo \"rc=$?\"; "
                          "sed -n 's#^%s/\\([^:]*\\):\\([0-9]*\\):[0-9]*: "
                          "\\(error\\|warning\\|note\\): \\[\\([A-Z0-9-]*\\)\\].*#\\3 \\4 \\1:\\2#p' "
                          "'%s/log' | sort > '%s/found' && sort '%s' > '%s/expected' && "
                          "diff '%s/expected' '%s/found'",
                    GK_EXE, package, dir, package, dir, dir, expected_file, dir, dir, dir);
    if (rc != 0)
        fail_msg("findings differ from %s:\n%s", expected_file, log);
    char want[16];
    snprintf(want, sizeof want, "rc=%d", expected_rc);
    assert_contains(log, want);
    free(log);
}

static void test_published_package_findings(void **state)
{
    (void)state;
    assert_findings(PUBLISHED, PUBLISHED "/expected-findings.txt", 1);
}

/* Issue 14: tests/published replicated to two units of one department (the second invented).
 * Each unit's supplied 合计, department and unit rows of 公开表3 are what its own booklet
 * prints (its own sums, 294.28): each unit has exactly the single unit's findings, at its own
 * rows. Before, they were checked against the sum over both units (expected 588.56). */
static void test_two_units_check_their_own_computed_rows(void **state)
{
    (void)state;
    char dir[1024];
    tu_tempdir(dir, sizeof dir, "check-two-units");
    tu_copy_tree(PUBLISHED, dir);
    char *log = NULL;
    if (tu_run(&log, "python3 '%s/tests/support/add_unit.py' '%s' 302309 302399 && "
                     "printf '302399,2-1\\n302399,7\\n' >> '%s/not_supplied.csv'",
               GK_SOURCE_DIR, dir, dir) != 0)
        fail_msg("add_unit.py failed:\n%s", log);
    free(log);
    /* the single unit's findings (expected-findings.txt), then the copy's at its own rows */
    char *single = tu_read(PUBLISHED "/expected-findings.txt", NULL);
    assert_non_null(single);
    char expected[4096];
    snprintf(expected, sizeof expected,
             "%s"
             "error UNIT-ID tables/2.csv:6\n"
             "error UNIT-ID tables/3.csv:14\n"
             "error UNIT-ID tables/3.csv:15\n"
             "warning SUM-LEVELS-ROUNDING tables/3-1.csv:55\n"
             "warning SUM-LEVELS-ROUNDING tables/3-1.csv:71\n"
             "warning SUM-LEVELS-ROUNDING tables/3-1.csv:86\n"
             "error PROJECT-NAME tables/6.csv:36\n"
             "error NARRATIVE-FIGURE narrative/302399/explanation.md:17\n"
             "note SUM-LEVELS not_supplied.csv:4\n"
             "note ROW-2-1 not_supplied.csv:4\n"
             "note ROW-2-1-CURRENT not_supplied.csv:4\n"
             "note CODE-FORMAT-ECON not_supplied.csv:4\n",
             single);
    free(single);
    tu_write(dir, "expected-two", expected);
    char path[1100];
    snprintf(path, sizeof path, "%s/expected-two", dir);
    assert_findings(dir, path, 1);
}

static void test_sample_has_no_error(void **state)
{
    (void)state;
    char dir[1024];
    tu_tempdir(dir, sizeof dir, "check");
    tu_write(dir, "expected",
             "warning SUM-LEVELS-ROUNDING tables/3-1.csv:2\n"
             "warning SUM-LEVELS-ROUNDING tables/3-1.csv:18\n"
             "warning SUM-LEVELS-ROUNDING tables/3-1.csv:33\n"
             /* 公开表2-1 is not supplied: the rules on it are skipped, and say so */
             "note SUM-LEVELS not_supplied.csv:2\n"
             "note ROW-2-1 not_supplied.csv:2\n"
             "note ROW-2-1-CURRENT not_supplied.csv:2\n"
             "note CODE-FORMAT-ECON not_supplied.csv:2\n");
    char expected[1100];
    snprintf(expected, sizeof expected, "%s/expected", dir);
    assert_findings(SAMPLE, expected, 0);
    char *log = NULL;
    tu_run(&log, "'%s' check '%s'", GK_EXE, SAMPLE);
    assert_contains(log, "gongkai: 0 errors, 3 warnings");
    free(log);
}

static void test_json_output(void **state)
{
    (void)state;
    char *log = NULL;
    int rc = tu_run(&log, "'%s' check '%s' --format json | /usr/bin/python3 -c \"import json,sys; "
                          "d=json.load(sys.stdin); u=d['units'][0]; "
                          "print(d['errors'], d['warnings'], u['unit'], len(u['findings'])); "
                          "f=[x for x in u['findings'] if x['rule']=='NARRATIVE-FIGURE'][0]; "
                          "print(f['line'], f['expected'], f['found'], f['file'].endswith('explanation.md'))\"",
                    GK_EXE, PUBLISHED);
    if (rc != 0)
        fail_msg("JSON output did not parse (%d):\n%s", rc, log);
    assert_contains(log, "7 3 302309 14\n"); /* 10 errors and warnings, 4 notes */
    /* issue 14: expected what its sentence makes it, 2024's figure plus the increase */
    assert_contains(log, "17 294.28万元 = 财政拨款收支预算总数 291.81万元 (");
    assert_contains(log, ") + 增加 2.47万元 294.82万元 True\n");
    free(log);
}

/* A unit whose rows cannot be read is said to be unchecked: by `check --unit` of another unit
 * of its consolidated department (whose booklet it would fail), and in JSON, where a unit
 * without findings would otherwise read as clean. */
static void test_units_that_could_not_be_checked_are_said(void **state)
{
    (void)state;
    char dir[1024];
    tu_tempdir(dir, sizeof dir, "check-unchecked");
    tu_copy_tree(GK_SOURCE_DIR "/tests/profiles/shanghai-juesuan-2025", dir);
    char *log = NULL;
    if (tu_run(&log, "python3 '%s/tests/support/add_unit.py' '%s' yichuan yichuan2 && "
                     "sed -i 's/^yichuan2,1,201,\\([^,]*\\),207.40,/yichuan2,1,201,\\1,1.2x,/' "
                     "'%s/tables/3.csv' && grep -q '1[.]2x' '%s/tables/3.csv'",
               GK_SOURCE_DIR, dir, dir, dir) != 0)
        fail_msg("making the package failed:\n%s", log);
    free(log);
    assert_int_equal(tu_run(&log, "'%s' check '%s' --unit yichuan", GK_EXE, dir), 1);
    assert_contains(log, "tables/3.csv:73:25: error: column 'total'");
    assert_contains(log, "1 unit could not be checked");
    free(log);
    int rc = tu_run(&log, "'%s' check '%s' --format json 2>/dev/null | /usr/bin/python3 -c "
                          "\"import json,sys; d=json.load(sys.stdin); "
                          "print(d['not_checked'], [(u['unit'], [w['line'] for w in "
                          "u.get('not_checked', [])]) for u in d['units']])\"",
                    GK_EXE, dir);
    if (rc != 0)
        fail_msg("JSON output did not parse (%d):\n%s", rc, log);
    assert_contains(log, "1 [('yichuan', []), ('yichuan2', [73])]");
    free(log);
}

static void test_export_refuses_errors_unless_forced(void **state)
{
    (void)state;
    char out[1024];
    tu_tempdir(out, sizeof out, "export");
    char *log = NULL;
    assert_int_equal(tu_run(&log, "'%s' export '%s' -o '%s'", GK_EXE, PUBLISHED, out), 1);
    assert_contains(log, "error: [UNIT-ID]");
    assert_contains(log, "gongkai: unit 302309 was not exported: its checks found 7 errors "
                         "(--force writes it anyway)");
    assert_int_equal(tu_count_outputs(out), 0);
    free(log);
    assert_int_equal(tu_run(&log, "'%s' export '%s' -o '%s' --force", GK_EXE, PUBLISHED, out), 0);
    assert_contains(log, "gongkai: unit 302309 has 7 errors; writing it anyway (--force)");
    assert_int_equal(tu_count_outputs(out), 2);
    free(log);
}

/* The sample's 公开表1 and 2 come from derivation, and its 情况说明 from placeholders. */
static void test_sample_derivations_and_placeholders(void **state)
{
    (void)state;
    assert_null(tu_read(SAMPLE "/tables/1.csv", NULL));
    assert_null(tu_read(SAMPLE "/tables/2.csv", NULL));
    char out[1024];
    tu_tempdir(out, sizeof out, "export");
    char *log = NULL;
    int rc = tu_run(&log, "'%s' export '%s' -o '%s' --format pdf && pdftotext '%s'/*.pdf - | "
                          "tr -d ' \\n'",
                    GK_EXE, SAMPLE, out, out);
    if (rc != 0)
        fail_msg("export failed (%d):\n%s", rc, log);
    assert_contains(log, "比2024年收支预算总数291.81万元增加2.47万元");
    assert_contains(log, "基本支出166.48万元，占56.57%");
    assert_contains(log, "一般公共预算拨款收入294.28万元，占100%");
    assert_null(strstr(log, "{{"));
    free(log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_published_package_findings),
        cmocka_unit_test(test_two_units_check_their_own_computed_rows),
        cmocka_unit_test(test_sample_has_no_error),
        cmocka_unit_test(test_json_output),
        cmocka_unit_test(test_units_that_could_not_be_checked_are_said),
        cmocka_unit_test(test_export_refuses_errors_unless_forced),
        cmocka_unit_test(test_sample_derivations_and_placeholders),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
