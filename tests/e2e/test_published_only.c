/* The sample is a real unit's published booklet: its booklet and workbook print no amount the
 * published booklet lacks (check_amounts.py against reference_amounts.txt, transcribed from
 * it once), and the two tables the booklet does not publish (公开表2-1's rows, 公开表7) are
 * declared not supplied: printed with 注：本表数据未公开, never 此表无数据, and the rules on them
 * are skipped with a note. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "../support/testutil.h"

#define SAMPLE GK_SOURCE_DIR "/samples/leshan-hrss-info-2025"

static void test_no_amount_the_reference_lacks(void **state)
{
    (void)state;
    char out[1024];
    tu_tempdir(out, sizeof out, "published");
    char *log = NULL;
    int rc = tu_run(&log, "'%s' export '%s' -o '%s' && /usr/bin/python3 "
                          "'%s/tests/e2e/check_amounts.py' '%s'/*.pdf '%s'/*.xlsx "
                          "'%s/tests/e2e/reference_amounts.txt'",
                    GK_EXE, SAMPLE, out, GK_SOURCE_DIR, out, out, GK_SOURCE_DIR);
    if (rc != 0)
        fail_msg("amounts the reference booklet lacks (%d):\n%s", rc, log);
    assert_contains(log, " 0 not in the reference");
    free(log);
}

/* The checker itself: an amount made up in a table is found, in booklet and workbook. */
static void test_a_made_up_amount_is_found(void **state)
{
    (void)state;
    char dir[1024];
    tu_tempdir(dir, sizeof dir, "published");
    char *log = NULL;
    int rc = tu_run(&log, "cd '%s' && mkdir pkg && cp -r '%s'/. pkg/ && "
                          "sed -i 's/,0.60,,0.60$/,0.61,,0.61/' pkg/tables/3-1.csv && "
                          "grep -c 0.61 pkg/tables/3-1.csv && '%s' export pkg -o out --force && "
                          "/usr/bin/python3 '%s/tests/e2e/check_amounts.py' out/*.pdf out/*.xlsx "
                          "'%s/tests/e2e/reference_amounts.txt'",
                    dir, SAMPLE, GK_EXE, GK_SOURCE_DIR, GK_SOURCE_DIR);
    assert_int_not_equal(rc, 0);
    assert_contains(log, "booklet: 0.61 (page ");
    assert_contains(log, "workbook: 0.61 (公开表3-1!");
    free(log);
}

/* 公开表2-1 and 7 print their title and the profile's not-supplied wording, nothing else. */
static void test_tables_not_supplied_say_so(void **state)
{
    (void)state;
    char out[1024];
    tu_tempdir(out, sizeof out, "published");
    char *log = NULL;
    int rc = tu_run(&log, "'%s' export '%s' -o '%s' --format pdf && pdftotext -layout '%s'/*.pdf - "
                          "| /usr/bin/python3 -c \"import re,sys; pages=sys.stdin.read().split('\\f'); "
                          "[print(n, [p.count('注：本表数据未公开') for p in pages if "
                          "re.match(r'\\s*公开表%%s\\s*\\n' %% n, p)], "
                          "[p.count('此表无数据') for p in pages if re.match(r'\\s*公开表%%s\\s*\\n' %% n, p)]) "
                          "for n in ('2-1', '7', '4')]\"",
                    GK_EXE, SAMPLE, out, out);
    if (rc != 0)
        fail_msg("export or read-back failed (%d):\n%s", rc, log);
    assert_contains(log, "2-1 [1] [0]\n");
    assert_contains(log, "7 [1] [0]\n");
    assert_contains(log, "4 [0] [1]\n"); /* an empty table still says 此表无数据 */
    free(log);
}

/* A department's booklet sums its units: one unit not supplying a table makes the sum partial,
 * so the department's booklet does not supply it either. */
static void test_department_lacks_what_a_unit_lacks(void **state)
{
    (void)state;
    char out[1024];
    tu_tempdir(out, sizeof out, "published");
    char *log = NULL;
    int rc = tu_run(&log, "'%s' export '%s' -o '%s' --format pdf --department && "
                          "pdftotext '%s'/302_*.pdf - | grep -c 注：本表数据未公开",
                    GK_EXE, SAMPLE, out, out);
    if (rc != 0)
        fail_msg("department export failed (%d):\n%s", rc, log);
    assert_contains(log, "\n2\n");
    free(log);
}

/* gongkai check says which rules it skipped, as notes (JSON severity "note"), not errors. */
static void test_check_notes_skipped_rules(void **state)
{
    (void)state;
    char *log = NULL;
    int rc = tu_run(&log, "'%s' check '%s' --format json | /usr/bin/python3 -c \"import json,sys; "
                          "d=json.load(sys.stdin); f=d['units'][0]['findings']; "
                          "print(d['errors'], sorted(x['rule'] for x in f if x['severity']=='note'))\"",
                    GK_EXE, SAMPLE);
    if (rc != 0)
        fail_msg("check --format json failed (%d):\n%s", rc, log);
    assert_contains(log, "0 ['CODE-FORMAT-ECON', 'ROW-2-1', 'ROW-2-1-CURRENT', 'SUM-LEVELS']");
    free(log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_amount_the_reference_lacks),
        cmocka_unit_test(test_a_made_up_amount_is_found),
        cmocka_unit_test(test_tables_not_supplied_say_so),
        cmocka_unit_test(test_department_lacks_what_a_unit_lacks),
        cmocka_unit_test(test_check_notes_skipped_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
