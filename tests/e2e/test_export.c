/* End to end: the gongkai binary exports the bundled sample, and the workbook is read back
 * (every number of the reference booklet, titles, merges: check_workbook.py with openpyxl),
 * opened by LibreOffice, byte-stable; bad input and usage errors give their message and
 * exit status and leave no file behind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "../support/testutil.h"

#define SAMPLE GK_SOURCE_DIR "/samples/leshan-hrss-info-2025"
#define WORKBOOK "302309_乐山市人力资源和社会保障信息中心_2025.xlsx"
static const char *const python = "/usr/bin/python3";

/* A private copy of the sichuan-2025 profile, to edit. */
static void copy_profile(char *profile, size_t size)
{
    char root[1024];
    tu_tempdir(root, sizeof root, "profile");
    snprintf(profile, size, "%s/sichuan-2025", root);
    mkdir(profile, 0777);
    tu_copy_tree(GK_SOURCE_DIR "/layouts/sichuan-2025", profile);
}

static void export_sample(char *out, size_t size)
{
    tu_tempdir(out, size, "export");
    char *log = NULL;
    int rc = tu_run(&log, "'%s' export '%s' -o '%s' --format xlsx", GK_EXE, SAMPLE, out);
    if (rc != 0)
        fail_msg("export failed (%d):\n%s", rc, log);
    free(log);
}

static void test_sample_workbook_matches_reference(void **state)
{
    (void)state;
    char out[1024];
    export_sample(out, sizeof out);
    assert_int_equal(tu_count_outputs(out), 1); /* the workbook, no temporary file */
    char *log = NULL;
    int rc = tu_run(&log, "%s '%s/tests/e2e/check_workbook.py' '%s/%s' '%s/tests/e2e/reference_tables.json'",
                    python, GK_SOURCE_DIR, out, WORKBOOK, GK_SOURCE_DIR);
    if (rc != 0)
        fail_msg("check_workbook.py failed (%d):\n%s", rc, log);
    assert_contains(log, "15 passed, 0 failed");
    free(log);
}

static void test_same_input_same_bytes(void **state)
{
    (void)state;
    char a[1024], b[1024], path[2048];
    export_sample(a, sizeof a);
    export_sample(b, sizeof b);
    size_t len_a = 0, len_b = 0;
    snprintf(path, sizeof path, "%s/%s", a, WORKBOOK);
    char *bytes_a = tu_read(path, &len_a);
    snprintf(path, sizeof path, "%s/%s", b, WORKBOOK);
    char *bytes_b = tu_read(path, &len_b);
    assert_non_null(bytes_a);
    assert_true(len_a > 10000);
    assert_int_equal(len_a, len_b);
    assert_memory_equal(bytes_a, bytes_b, len_a);
    free(bytes_a);
    free(bytes_b);
}

static void test_libreoffice_opens_the_workbook(void **state)
{
    (void)state;
    char out[1024];
    export_sample(out, sizeof out);
    char *log = NULL;
    int rc = tu_run(&log,
                    "cd '%s' && HOME='%s' timeout 300 soffice --headless "
                    "-env:UserInstallation=file://%s/lo-profile --convert-to pdf '%s' && "
                    "pdfinfo *.pdf",
                    out, out, out, WORKBOOK);
    if (rc != 0)
        fail_msg("LibreOffice could not convert the workbook (%d):\n%s", rc, log);
    assert_contains(log, "Pages:");
    /* fifteen tables, at least one page each */
    const char *pages = strstr(log, "Pages:");
    assert_true(atoi(pages + 6) >= 15);
    free(log);
}

/* One table layout for both backends: no short term of the tables is broken in the booklet,
 * and every sheet of the workbook prints at 75 % or more, as LibreOffice prints it. */
static void test_tables_fit_their_paper(void **state)
{
    (void)state;
    char out[1024];
    tu_tempdir(out, sizeof out, "export");
    char *log = NULL;
    int rc = tu_run(&log,
                    "'%s' export '%s' -o '%s' && cd '%s' && mkdir printed && HOME='%s' timeout 300 "
                    "soffice --headless -env:UserInstallation=file://%s/lo-profile --convert-to "
                    "pdf --outdir printed '%s' && %s '%s/tests/e2e/check_layout.py' *.pdf '%s' "
                    "printed/*.pdf",
                    GK_EXE, SAMPLE, out, out, out, out, WORKBOOK, python, GK_SOURCE_DIR,
                    WORKBOOK);
    if (rc != 0)
        fail_msg("check_layout.py failed (%d):\n%s", rc, log);
    print_message("%s", strstr(log, "terms:") ? strstr(log, "terms:") : log);
    assert_contains(log, "scale: min ");
    assert_contains(log, "\n0 failed");
    free(log);
}

static void test_layout_edit_needs_no_rebuild(void **state)
{
    (void)state;
    char profile[1100], out[1024];
    copy_profile(profile, sizeof profile);
    /* a reviewer changes a header text and a column width */
    char *log = NULL;
    int rc = tu_run(&log, "sed -i 's/header: 人员经费, type: amount, width: [0-9]*/header: 人员支出, "
                          "type: amount, width: 30/' '%s/3-1.yaml' && grep -c 人员支出 '%s/3-1.yaml'",
                    profile, profile);
    if (rc != 0)
        fail_msg("could not edit the layout (%d):\n%s", rc, log);
    free(log);
    tu_tempdir(out, sizeof out, "export");
    rc = tu_run(&log, "'%s' export '%s' -o '%s' --format xlsx --profile '%s'", GK_EXE, SAMPLE, out, profile);
    if (rc != 0)
        fail_msg("export failed (%d):\n%s", rc, log);
    free(log);
    rc = tu_run(&log,
                "%s -c \"import openpyxl,sys; ws=openpyxl.load_workbook(sys.argv[1])['公开表3-1'];"
                "cells={c.value: c.column_letter for r in ws.iter_rows(min_row=3,max_row=4) for c in r if c.value};"
                "w=lambda h: ws.column_dimensions[cells[h]].width;"
                "print('edited', w('人员支出') > 2 * w('公用经费'))\" '%s/%s'",
                python, out, WORKBOOK);
    if (rc != 0)
        fail_msg("read-back failed (%d):\n%s", rc, log);
    /* widths are the content's, shared by the layout's weights: 30 against its sibling's 10 */
    assert_contains(log, "edited True");
    free(log);
}

static void test_bad_amount_names_file_line_column(void **state)
{
    (void)state;
    char pkg[1024], out[1024];
    tu_tempdir(pkg, sizeof pkg, "badpkg");
    tu_copy_tree(SAMPLE, pkg);
    char *log = NULL;
    /* line 3 of 3-1.csv: the 30101 基本工资 row; break its personnel amount (column 8) */
    int rc = tu_run(&log, "sed -i '3s/38.63,38.63/38.63,38.6x/' '%s/tables/3-1.csv' && sed -n 3p '%s/tables/3-1.csv'",
                    pkg, pkg);
    assert_int_equal(rc, 0);
    assert_contains(log, "38.6x");
    free(log);
    tu_tempdir(out, sizeof out, "export");
    rc = tu_run(&log, "'%s' export '%s' -o '%s' --format xlsx", GK_EXE, pkg, out);
    assert_int_equal(rc, 1);
    assert_contains(log, "/tables/3-1.csv:3:34: error: column 'personnel'");
    assert_contains(log, ": error: column 'personnel': expected an amount with at most 2 decimals, "
                         "found '38.6x' (not a number)");
    assert_int_equal(tu_count_outputs(out), 0); /* nothing written, no temporary file */
    free(log);
}

static void test_bad_layout_names_file_line_column(void **state)
{
    (void)state;
    char profile[1100], out[1024];
    copy_profile(profile, sizeof profile);
    char *log = NULL;
    assert_int_equal(tu_run(&log, "sed -i 's/orientation: portrait/orientation: sideways/' '%s/3-1.yaml'",
                            profile), 0);
    free(log);
    tu_tempdir(out, sizeof out, "export");
    int rc = tu_run(&log, "'%s' export '%s' -o '%s' --format xlsx --profile '%s'", GK_EXE, SAMPLE, out, profile);
    assert_int_equal(rc, 1);
    assert_contains(log, "/3-1.yaml:");
    assert_contains(log, ": error: expected one of portrait, landscape, found 'sideways'");
    assert_int_equal(tu_count_outputs(out), 0);
    free(log);
}

static void test_usage_errors_exit_2(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"", "missing command"},
        {"export", "missing PACKAGE"},
        {"export " SAMPLE, "missing -o OUTDIR"},
        {"export " SAMPLE " -o x --format docx", "unknown format"},
        {"export " SAMPLE " -o x --colour", "unknown option: --colour"},
        {"frobnicate", "unknown command: frobnicate"},
        {"export " SAMPLE " -o", "option needs a value: -o"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *log = NULL;
        int rc = tu_run(&log, "'%s' %s", GK_EXE, cases[i][0]);
        if (rc != 2 || strstr(log, cases[i][1]) == NULL)
            fail_msg("case '%s': exit %d, output:\n%s", cases[i][0], rc, log);
        free(log);
    }
    char *log = NULL;
    assert_int_equal(tu_run(&log, "'%s' --help", GK_EXE), 0);
    assert_contains(log, "gongkai export PACKAGE -o OUTDIR");
    free(log);
    assert_int_equal(tu_run(&log, "'%s' help check", GK_EXE), 0);
    assert_contains(log, "  gongkai check PACKAGE");
    assert_null(strstr(log, "gongkai template"));
    free(log);
    assert_int_equal(tu_run(&log, "'%s' --version", GK_EXE), 0);
    assert_contains(log, "gongkai 0.");
    free(log);
}

static void test_unknown_unit_and_unwritable_output(void **state)
{
    (void)state;
    char out[1024];
    tu_tempdir(out, sizeof out, "export");
    char *log = NULL;
    assert_int_equal(tu_run(&log, "'%s' export '%s' -o '%s' --unit 999", GK_EXE, SAMPLE, out), 1);
    assert_contains(log, "--unit 999: no such unit");
    assert_int_equal(tu_count_outputs(out), 0);
    free(log);
    /* the output "folder" is a file */
    tu_write(out, "file", "x");
    assert_int_equal(tu_run(&log, "'%s' export '%s' -o '%s/file'", GK_EXE, SAMPLE, out), 1);
    assert_contains(log, "cannot create the output folder");
    free(log);
}

static void test_template_then_export(void **state)
{
    (void)state;
    char dir[1024], out[1024];
    tu_tempdir(dir, sizeof dir, "template");
    char *log = NULL;
    int rc = tu_run(&log, "'%s' template sichuan-2025 -o '%s'", GK_EXE, dir);
    if (rc != 0)
        fail_msg("template failed (%d):\n%s", rc, log);
    free(log);
    char path[2048];
    snprintf(path, sizeof path, "%s/tables", dir);
    assert_int_equal(tu_count_entries(path), 15);
    snprintf(path, sizeof path, "%s/tables/3-1.csv", dir);
    char *header = tu_read(path, NULL);
    assert_string_equal(header, "unit_code,level,class,item,econ_code,name,total,personnel,public\r\n");
    free(header);
    snprintf(path, sizeof path, "%s/tables/1.csv", dir);
    header = tu_read(path, NULL);
    assert_string_equal(header, "unit_code,item,amount\r\n");
    free(header);
    /* staff fill in one unit and nothing else: every table exports empty */
    snprintf(path, sizeof path, "%s/units.csv", dir);
    FILE *f = fopen(path, "a");
    fputs("X1,某单位,D1,某部门,2026,sichuan-2025,unit\r\n", f);
    fclose(f);
    tu_tempdir(out, sizeof out, "export");
    rc = tu_run(&log, "'%s' export '%s' -o '%s' --format xlsx", GK_EXE, dir, out);
    if (rc != 0)
        fail_msg("export of the template failed (%d):\n%s", rc, log);
    assert_contains(log, "X1_某单位_2026.xlsx");
    free(log);
}

/* Text stays text in the workbook: a leading = + - @ is never a formula, and _xHHHH_ is
 * escaped so that Excel shows it as typed. */
static void test_text_cells_stay_text(void **state)
{
    (void)state;
    char pkg[1024], out[1024];
    tu_tempdir(pkg, sizeof pkg, "pkg");
    tu_copy_tree(SAMPLE, pkg);
    char *log = NULL;
    assert_int_equal(tu_run(&log, "sed -i '3s/基本工资/=1+1/; 4s/津贴补贴/@SUM(A1)/; 5s/地方津贴补贴/_x0041_ -2/' "
                                  "'%s/tables/3-1.csv'", pkg), 0);
    free(log);
    tu_tempdir(out, sizeof out, "export");
    int rc = tu_run(&log, "'%s' export '%s' -o '%s' --format xlsx --force --quiet && cd '%s' && "
                          "unzip -o -q *.xlsx -d x && grep -c '<f>' x/xl/worksheets/*.xml | grep -v ':0$'; "
                          "grep -o -e '<t>=1+1</t>' -e '<t>@SUM(A1)</t>' -e '<t>_x005F_x0041_ -2</t>' "
                          "x/xl/sharedStrings.xml",
                    GK_EXE, pkg, out, out);
    (void)rc;
    assert_contains(log, "<t>=1+1</t>");
    assert_contains(log, "<t>@SUM(A1)</t>");
    assert_contains(log, "<t>_x005F_x0041_ -2</t>");
    free(log);
    /* openpyxl reads them back as the text typed */
    rc = tu_run(&log, "/usr/bin/python3 -c \"import openpyxl,sys,glob; ws=openpyxl.load_workbook("
                      "glob.glob(sys.argv[1]+'/*.xlsx')[0])['公开表3-1']; "
                      "print([c.value for r in ws.iter_rows() for c in r if isinstance(c.value,str) "
                      "and c.value[:1] in '=@_'])\" '%s'", out);
    assert_contains(log, "['=1+1', '@SUM(A1)', '_x0041_ -2']");
    free(log);
}

static void test_doctor(void **state)
{
    (void)state;
    char *log = NULL;
    assert_int_equal(tu_run(&log, "'%s' doctor", GK_EXE), 0);
    assert_contains(log, "ok     pdf                          libharu 2.3.0");
    assert_contains(log, "ok     profile ");
    assert_contains(log, "gongkai doctor: all is well");
    free(log);
    /* a broken profile and a font that lost its pin are reported, exit 1 */
    char root[1024], fonts[1024], profile[1100];
    tu_tempdir(root, sizeof root, "doctor");
    snprintf(profile, sizeof profile, "%s/sichuan-2025", root);
    mkdir(profile, 0777);
    tu_copy_tree(GK_SOURCE_DIR "/layouts/sichuan-2025", profile);
    tu_write(profile, "3-1.yaml", "id: 3-1\ncolumns: [\n");
    tu_tempdir(fonts, sizeof fonts, "fonts");
    tu_copy_tree(GK_BINARY_DIR "/fonts", fonts);
    tu_write(fonts, "fonts.sha256", "");
    assert_int_equal(tu_run(&log, "GONGKAI_LAYOUTS='%s' GONGKAI_FONTS='%s' '%s' doctor", root, fonts,
                            GK_EXE), 1);
    assert_contains(log, "FAIL   pdf ");
    assert_contains(log, "font not pinned");
    assert_contains(log, "FAIL   profile ");
    assert_contains(log, "gongkai doctor: problems found");
    free(log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sample_workbook_matches_reference),
        cmocka_unit_test(test_same_input_same_bytes),
        cmocka_unit_test(test_libreoffice_opens_the_workbook),
        cmocka_unit_test(test_tables_fit_their_paper),
        cmocka_unit_test(test_layout_edit_needs_no_rebuild),
        cmocka_unit_test(test_bad_amount_names_file_line_column),
        cmocka_unit_test(test_bad_layout_names_file_line_column),
        cmocka_unit_test(test_usage_errors_exit_2),
        cmocka_unit_test(test_unknown_unit_and_unwritable_output),
        cmocka_unit_test(test_template_then_export),
        cmocka_unit_test(test_text_cells_stay_text),
        cmocka_unit_test(test_doctor),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
