/* PDF ↔ workbook parity: a generated batch, with the CI smoke test's injected failures (a bad
 * amount, bad bytes, a missing glyph, a failed rule, a crashed worker, a failed write) and two
 * units whose amounts are as wide as gongkai accepts (13 integer digits), is exported with its
 * department booklets; check_parity.py reads every number back from each booklet (pdftotext)
 * and each workbook (openpyxl): both must print the package's figures (its CSV amounts and the
 * totals computed from them) table by table, and each other's; a failed unit leaves no file.
 * A rendering bug (an overflow, a wrapped number, a dropped row) fails here however it
 * arises. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "../support/testutil.h"

static const char *const python = "/usr/bin/python3";

static void test_every_number_printed_is_the_package_s(void **state)
{
    (void)state;
    char pkg[1024], out[1024];
    tu_tempdir(pkg, sizeof pkg, "parity-package");
    tu_tempdir(out, sizeof out, "parity-out");
    char *log = NULL;
    /* 14 units in 4 departments, 6 of them with one fault each (every kind of FAULTS), 2 with
       amounts of 13 integer digits (the widest figures gongkai accepts) */
    int rc = tu_run(&log, "%s '%s/tests/bench/make_package.py' '%s/pkg' --units 14 --inject 6 "
                          "--departments 4 --large 2 --seed 5",
                    python, GK_SOURCE_DIR, pkg);
    if (rc != 0)
        fail_msg("make_package.py failed (%d):\n%s", rc, log);
    free(log);

    rc = tu_run(&log, "cd '%s' && crash=$(awk -F, '$2==\"kill-worker\"{printf \"%%s,\", $1}' "
                      "pkg/injected.csv); "
                      "full=$(awk -F, '$2==\"write-failure\"{printf \"%%s,\", $1}' "
                      "pkg/injected.csv); "
                      "GONGKAI_TEST_CRASH=$crash GONGKAI_TEST_WRITE_FAIL=$full "
                      "'%s' export pkg -o '%s' -j 2 --department; echo \"rc=$?\"",
                pkg, GK_EXE, out);
    assert_int_equal(rc, 0);
    assert_contains(log, "rc=1\n"); /* the injected units failed */
    free(log);

    rc = tu_run(&log, "%s '%s/tests/e2e/check_parity.py' '%s/pkg' '%s' '%s/layouts/sichuan-2025'",
                python, GK_SOURCE_DIR, pkg, out, GK_SOURCE_DIR);
    if (rc != 0)
        fail_msg("booklets and workbooks against the package:\n%s", log);
    /* the 8 good units were all compared (their departments' booklets too, when written) */
    assert_contains(log, "8 unit and ");
    assert_contains(log, " 0 problems\n");
    free(log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_number_printed_is_the_package_s),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
