/* End to end for the showcase package samples/example-unit-2025 (an invented unit, every table
 * full but 公开表5): it checks clean, exports to a sound booklet and workbook, the booklet has
 * every public table with its rows, and both lay out as a reader of the print needs them
 * (check_layout.py: short terms unbroken, every sheet printed at 75 % or more). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "../support/testutil.h"

#define SHOWCASE GK_SOURCE_DIR "/samples/example-unit-2025"
#define BOOKLET "900001_示例单位（虚构）_2025.pdf"
#define WORKBOOK "900001_示例单位（虚构）_2025.xlsx"
static const char *const python = "/usr/bin/python3";

/* The one export every test reads: booklet and workbook. */
static char out[1024];

static int export_showcase(void **state)
{
    (void)state;
    tu_tempdir(out, sizeof out, "example");
    char *log = NULL;
    int rc = tu_run(&log, "'%s' export '%s' -o '%s'", GK_EXE, SHOWCASE, out);
    if (rc != 0)
        fprintf(stderr, "export of the showcase failed (%d):\n%s", rc, log);
    free(log);
    return rc;
}

static void test_showcase_checks_clean(void **state)
{
    (void)state;
    char *log = NULL;
    int rc = tu_run(&log, "'%s' check '%s'", GK_EXE, SHOWCASE);
    if (rc != 0)
        fail_msg("gongkai check failed (%d):\n%s", rc, log);
    assert_contains(log, "== 900001 示例单位（虚构） ==");
    assert_contains(log, "gongkai: 0 errors, 0 warnings");
    free(log);
}

static void test_showcase_exports_both_formats(void **state)
{
    (void)state;
    assert_int_equal(tu_count_outputs(out), 2);
    char *log = NULL;
    int rc = tu_run(&log, "qpdf --check '%s/%s'", out, BOOKLET);
    if (rc != 0)
        fail_msg("qpdf --check failed (%d):\n%s", rc, log);
    assert_contains(log, "No syntax or stream encoding errors found");
    free(log);
}

/* Each of the fifteen tables has its page; only 公开表5 (no 国有资本经营预算, on purpose) prints
 * the empty-table note, and no table is said to be withheld. */
static void test_showcase_prints_every_table_full(void **state)
{
    (void)state;
    tu_write(out, "tables.py",
             "import re, subprocess, sys\n"
             "pages = subprocess.run(['pdftotext', '-raw', sys.argv[1], '-'], check=True,\n"
             "    capture_output=True, text=True).stdout.split('\\f')\n"
             "found = {}\n"
             "for page in pages:\n"
             "    for line in page.strip().split('\\n')[:2]:\n"
             "        m = re.match(r'(公开表[0-9-]+)( 续表)?$', line)\n"
             "        if m:\n"
             "            found.setdefault(m.group(1), []).append(page)\n"
             "            break\n"
             "numbers = ['1', '1-1', '1-2', '2', '2-1', '3', '3-1', '3-2', '3-3', '4', '4-1', '5',\n"
             "           '6', '7', '8']\n"
             "for n in numbers:\n"
             "    text = '\\n'.join(found.get('公开表' + n, []))\n"
             "    print(f'公开表{n} pages={len(found.get(\"公开表\" + n, []))}'\n"
             "          f' empty={text.count(\"此表无数据\")} withheld={text.count(\"本表数据未公开\")}')\n"
             "whole = '\\f'.join(pages)\n"
             "print('all empty', whole.count('此表无数据'), 'withheld', whole.count('本表数据未公开'))\n");
    char *log = NULL;
    int rc = tu_run(&log, "%s '%s/tables.py' '%s/%s'", python, out, out, BOOKLET);
    if (rc != 0)
        fail_msg("reading the booklet back failed (%d):\n%s", rc, log);
    static const char *const full[] = {"1",   "1-1", "1-2", "2", "2-1", "3", "3-1",
                                       "3-2", "3-3", "4",   "4-1", "6", "7", "8"};
    for (size_t i = 0; i < sizeof full / sizeof full[0]; i++) {
        char prefix[64];
        snprintf(prefix, sizeof prefix, "公开表%s pages=", full[i]);
        const char *line = strstr(log, prefix);
        int pages = 0, empty = -1, withheld = -1;
        if (line == NULL || sscanf(line + strlen(prefix), "%d empty=%d withheld=%d", &pages, &empty,
                                   &withheld) != 3)
            fail_msg("公开表%s not read back:\n%s", full[i], log);
        if (pages < 1 || empty != 0 || withheld != 0)
            fail_msg("公开表%s: expected a page with rows, found %d pages, %d empty and %d withheld "
                     "notes:\n%s", full[i], pages, empty, withheld, log);
    }
    assert_contains(log, "公开表5 pages=1 empty=1 withheld=0\n");
    assert_contains(log, "all empty 1 withheld 0\n");
    free(log);
}

/* Short terms and numbers on one line in the booklet; every sheet of the workbook, printed by
 * LibreOffice, at 75 % or more (check_layout.py fails below that). */
static void test_showcase_fits_its_paper(void **state)
{
    (void)state;
    char *log = NULL;
    int rc = tu_run(&log,
                    "cd '%s' && mkdir printed && HOME='%s' timeout 300 soffice --headless "
                    "-env:UserInstallation=file://%s/lo-profile --convert-to pdf --outdir printed "
                    "'%s' && %s '%s/tests/e2e/check_layout.py' '%s' '%s' printed/*.pdf",
                    out, out, out, WORKBOOK, python, GK_SOURCE_DIR, BOOKLET, WORKBOOK);
    if (rc != 0)
        fail_msg("check_layout.py failed (%d):\n%s", rc, log);
    print_message("%s", strstr(log, "terms:") ? strstr(log, "terms:") : log);
    assert_contains(log, "terms: ");
    assert_contains(log, "scale: min ");
    assert_contains(log, "\n0 failed");
    free(log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_showcase_checks_clean),
        cmocka_unit_test(test_showcase_exports_both_formats),
        cmocka_unit_test(test_showcase_prints_every_table_full),
        cmocka_unit_test(test_showcase_fits_its_paper),
    };
    return cmocka_run_group_tests(tests, export_showcase, NULL);
}
