/* Unit tests for the read-back of written workbooks (backends/xlsx_verify.c): a workbook
 * libxlsxwriter wrote is accepted, and each way a write can damage one is refused before it is
 * published — parts cut short or holed before they were zipped (their CRC-32 then matches:
 * reliability.md F2), rows lost, and a zip changed after it was written (a flipped byte, a
 * truncated file, a local header that disagrees with the directory). The damage is done by
 * tests/support/damage_zip.py. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <xlsxwriter.h>

#include "../support/testutil.h"
#include "backends/xlsx_verify.h"

enum { SHEETS = 2, ROWS = 40 };
static const size_t sheet_rows[SHEETS] = {ROWS, ROWS};
static char dir[1024], good[1100];

/* A workbook as the backend writes them: two sheets of text and numbers, with shared strings
 * and formats. */
static int setup(void **state)
{
    (void)state;
    tu_tempdir(dir, sizeof dir, "xlsx-verify");
    snprintf(good, sizeof good, "%s/good.xlsx", dir);
    lxw_workbook_options options = {.tmpdir = dir};
    lxw_workbook *wb = workbook_new_opt(good, &options);
    lxw_format *amount = workbook_add_format(wb);
    format_set_num_format(amount, "0.00");
    for (int s = 0; s < SHEETS; s++) {
        lxw_worksheet *ws = workbook_add_worksheet(wb, s == 0 ? "公开表1" : "公开表2");
        for (int r = 0; r < ROWS; r++) {
            worksheet_write_string(ws, (lxw_row_t)r, 0, "一般公共预算拨款 & <其他>", NULL);
            worksheet_write_number(ws, (lxw_row_t)r, 1, r * 1.25, amount);
        }
    }
    return workbook_close(wb) == LXW_NO_ERROR ? 0 : -1;
}

/* Damages the good workbook (damage_zip.py MODE PART) and returns the verdict on the copy. */
static gk_status verify_damaged(const char *mode, const char *part, gk_diag *diag)
{
    char bad[1100];
    snprintf(bad, sizeof bad, "%s/%s.xlsx", dir, mode);
    char *log = NULL;
    int rc = tu_run(&log, "/usr/bin/python3 '%s/tests/support/damage_zip.py' '%s' '%s' %s '%s'",
                    GK_SOURCE_DIR, good, bad, mode, part);
    if (rc != 0)
        fail_msg("damage_zip.py %s: %s", mode, log);
    free(log);
    gk_diag_clear(diag);
    return gk_xlsx_verify(bad, sheet_rows, SHEETS, diag);
}

static void assert_damaged(const char *mode, const char *part, const char *message)
{
    gk_diag diag;
    assert_int_equal(verify_damaged(mode, part, &diag), GK_ERR_BACKEND);
    assert_contains(diag.message, "the written workbook is damaged");
    assert_contains(diag.message, message);
}

static void test_written_workbook_is_accepted(void **state)
{
    (void)state;
    gk_diag diag;
    gk_diag_clear(&diag);
    assert_int_equal(gk_xlsx_verify(good, sheet_rows, SHEETS, &diag), GK_OK);
}

static void test_row_counts_are_compared(void **state)
{
    (void)state;
    gk_diag diag;
    const size_t more[SHEETS] = {ROWS, ROWS + 1};
    assert_int_equal(gk_xlsx_verify(good, more, SHEETS, &diag), GK_ERR_BACKEND);
    assert_contains(diag.message, "xl/worksheets/sheet2.xml has 40 rows, expected 41");
    const size_t three[3] = {ROWS, ROWS, ROWS};
    assert_int_equal(gk_xlsx_verify(good, three, 3, &diag), GK_ERR_BACKEND);
    assert_contains(diag.message, "2 sheets, expected 3");
}

/* F2: the temporary file of a part is cut short, and the part is zipped as it is */
static void test_part_cut_short_before_zipping(void **state)
{
    (void)state;
    assert_damaged("cut", "xl/worksheets/sheet1.xml",
                   "xl/worksheets/sheet1.xml is not well-formed XML");
    assert_damaged("cut", "xl/sharedStrings.xml", "xl/sharedStrings.xml is not well-formed XML");
    assert_damaged("cut", "[Content_Types].xml", "[Content_Types].xml is not well-formed XML");
    assert_damaged("cut", "xl/_rels/workbook.xml.rels",
                   "xl/_rels/workbook.xml.rels is not well-formed XML");
}

/* a failed write in the middle of a part, and the writes after it succeeded */
static void test_part_with_a_hole_before_zipping(void **state)
{
    (void)state;
    assert_damaged("hole", "xl/worksheets/sheet2.xml",
                   "xl/worksheets/sheet2.xml is not well-formed XML");
    assert_damaged("hole", "xl/styles.xml", "xl/styles.xml is not well-formed XML");
}

static void test_whole_rows_lost(void **state)
{
    (void)state;
    assert_damaged("droprow", "xl/worksheets/sheet2.xml",
                   "xl/worksheets/sheet2.xml has 39 rows, expected 40");
}

/* the zip damaged after libxlsxwriter wrote it */
static void test_part_corrupted_after_writing(void **state)
{
    (void)state;
    gk_diag diag;
    assert_int_equal(verify_damaged("flip", "xl/worksheets/sheet1.xml", &diag), GK_ERR_BACKEND);
    /* a changed deflate byte breaks the stream or changes what it inflates to */
    if (strstr(diag.message, "xl/worksheets/sheet1.xml cannot be read") == NULL)
        assert_contains(diag.message, "xl/worksheets/sheet1.xml: expected ");
    assert_damaged("truncate", "", "expected its zip central directory after the last part");
    assert_damaged("rename", "xl/styles.xml", "does not match its local header");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_written_workbook_is_accepted),
        cmocka_unit_test(test_row_counts_are_compared),
        cmocka_unit_test(test_part_cut_short_before_zipping),
        cmocka_unit_test(test_part_with_a_hole_before_zipping),
        cmocka_unit_test(test_whole_rows_lost),
        cmocka_unit_test(test_part_corrupted_after_writing),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
