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
    assert_contains(log, "5 3 302309 12\n"); /* 8 errors and warnings, 4 notes */
    /* issue 14: expected what its sentence makes it, 2024's figure plus the increase */
    assert_contains(log, "17 294.28万元 = 财政拨款收支预算总数 291.81万元 (");
    assert_contains(log, ") + 增加 2.47万元 294.82万元 True\n");
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
    assert_contains(log, "gongkai: unit 302309 was not exported: its checks found 5 errors "
                         "(--force writes it anyway)");
    assert_int_equal(tu_count_outputs(out), 0);
    free(log);
    assert_int_equal(tu_run(&log, "'%s' export '%s' -o '%s' --force", GK_EXE, PUBLISHED, out), 0);
    assert_contains(log, "gongkai: unit 302309 has 5 errors; writing it anyway (--force)");
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
        cmocka_unit_test(test_sample_has_no_error),
        cmocka_unit_test(test_json_output),
        cmocka_unit_test(test_export_refuses_errors_unless_forced),
        cmocka_unit_test(test_sample_derivations_and_placeholders),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
