/* End to end for the profile shanghai-juesuan-2025 (a Shanghai 部门决算, a table family other
 * than sichuan-2025's): its test package, transcribed from the published booklet, exports; the
 * booklet prints every table's title, the booklet's captions, notes and amounts as printed (with
 * thousands separators, 0.00 for an explicit zero); the workbook names its sheets by title and
 * holds the amounts as numbers; `check` gives exactly the package's expected findings, and the
 * package as published exactly its own (its real slips).
 * One row of `profiles` per profile, so that more profiles are one more row. */
#include <setjmp.h>
#include <stdarg.h>
#include <locale.h>
#include <regex.h>
#include <stddef.h>
#include <cmocka.h>

#include "../support/testutil.h"

#define MAX_TEXTS 32

typedef struct {
    const char *check; /* what to look for in a sheet: "SHEET|NUMBER" */
} workbook_number;

typedef struct {
    const char *package;   /* folder under tests/profiles/, also the profile */
    int check_status;      /* exit status of `check` on the package (warnings only: 0) */
    const char *published; /* the package as published, or NULL; its check exits 1 */
    const char *pdf_texts[MAX_TEXTS];        /* every one printed somewhere in the booklet */
    const char *pdf_absent[MAX_TEXTS];       /* none printed */
    const char *pdf_patterns[MAX_TEXTS];     /* extended regexps the layout text must match */
    const char *sheets;                      /* the workbook's sheet names, joined by | */
    const workbook_number numbers[MAX_TEXTS]; /* numeric cells (format #,##0.00) */
} profile_case;

static const profile_case profiles[] = {
    {
        .package = "shanghai-juesuan-2025",
        .check_status = 0,
        .published = "shanghai-juesuan-2025-published",
        .pdf_texts = {"2025年度部门决算", "收入支出决算总表", "收入决算表", "支出决算表",
                      "财政拨款收入支出决算总表", "一般公共预算财政拨款支出决算表",
                      "一般公共预算财政拨款基本支出决算表", "财政拨款“三公”经费支出决算表",
                      "政府性基金预算财政拨款收入支出决算表",
                      "国有资本经营预算财政拨款收入支出决算表", "单位：万元",
                      "注：本表反映部门本年度的总收支和年末结转结余情况。",
                      "注：本表反映部门本年度一般公共预算财政拨款支出情况。",
                      "本年度没有国有资本经营预算财政拨款收入和支出，故本表无数据。",
                      "年初结转和结余", "人员经费合计", "公用经费合计", "15,411.43",
                      "2,452.66", "20,323.19", "14,107.46", "12,192.15", "1,915.30", "31.47",
                      "19.86", "0.80", "105.00", NULL},
        .pdf_absent = {"（）", "金额单位", "此表无数据", NULL},
        .pdf_patterns = {/* 支出决算表: an explicit zero prints 0.00 (zero: keep) */
                         "一般公共服务支出 +207\\.40 +0\\.00 +207\\.40",
                         /* 一般公共预算财政拨款支出决算表: 合计 is its last row */
                         "2210399[^合]*合计 +20,218\\.19 +14,107\\.46 +6,110\\.75",
                         /* 收入决算表: 合计 is its first row */
                         "合计 +20,323\\.19 +20,323\\.19[^合]*201 +一般公共服务支出", NULL},
        .sheets = "收入支出决算总表|收入决算表|支出决算表|财政拨款收入支出决算总表|"
                  "一般公共预算财政拨款支出决算表|一般公共预算财政拨款基本支出决算表|"
                  "财政拨款“三公”经费支出决算表|政府性基金预算财政拨款收入支出决算表|"
                  "国有资本经营预算财政拨款收入支出决算表",
        .numbers = {{"收入支出决算总表|20323.19"}, {"支出决算表|15411.43"},
                    {"支出决算表|0.0"}, {"一般公共预算财政拨款支出决算表|20218.19"},
                    {"一般公共预算财政拨款基本支出决算表|5991.96"},
                    {"财政拨款“三公”经费支出决算表|31.47"},
                    {"政府性基金预算财政拨款收入支出决算表|105.0"}, {NULL}},
    },
};

static void package_path(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/tests/profiles/%s", GK_SOURCE_DIR, name);
}

/* The findings of `check` (as "SEVERITY RULE FILE:LINE", FILE relative to the package) equal
 * the package's expected-findings.txt, and check exits with `status`. */
static void assert_findings(const char *package, int status)
{
    char dir[1024];
    tu_tempdir(dir, sizeof dir, "profile-check");
    char *log = NULL;
    int rc = tu_run(&log, "'%s' check '%s' > '%s/log' 2>&1; echo \"rc=$?\"; "
                          "sed -n 's#^%s/\\([^:]*\\):\\([0-9]*\\):[0-9]*: "
                          "\\(error\\|warning\\|note\\): \\[\\([A-Z0-9-]*\\)\\].*#\\3 \\4 \\1:\\2#p' "
                          "'%s/log' | sort > '%s/found' && sort '%s/expected-findings.txt' > "
                          "'%s/expected' && diff '%s/expected' '%s/found'",
                    GK_EXE, package, dir, package, dir, dir, package, dir, dir, dir);
    if (rc != 0)
        fail_msg("findings of %s differ from its expected-findings.txt:\n%s", package, log);
    char want[16];
    snprintf(want, sizeof want, "rc=%d", status);
    assert_contains(log, want);
    free(log);
}

static void test_profile_packages_check(void **state)
{
    (void)state;
    for (size_t p = 0; p < sizeof profiles / sizeof *profiles; p++) {
        char path[1024];
        package_path(path, sizeof path, profiles[p].package);
        assert_findings(path, profiles[p].check_status);
        if (profiles[p].published != NULL) {
            package_path(path, sizeof path, profiles[p].published);
            assert_findings(path, 1);
        }
    }
}

/* The booklet's text as pdftotext reads it, in *text. */
static void export_package(const profile_case *profile, char *out, size_t size, char **text)
{
    char path[1024];
    package_path(path, sizeof path, profile->package);
    tu_tempdir(out, size, "profile-export");
    char *log = NULL;
    int rc = tu_run(&log, "'%s' export '%s' -o '%s'", GK_EXE, path, out);
    if (rc != 0)
        fail_msg("export of %s failed (%d):\n%s", profile->package, rc, log);
    free(log);
    rc = tu_run(text, "pdftotext -layout '%s'/*.pdf -", out);
    if (rc != 0)
        fail_msg("pdftotext failed (%d):\n%s", rc, *text);
}

static void test_profile_booklets_print_as_published(void **state)
{
    (void)state;
    for (size_t p = 0; p < sizeof profiles / sizeof *profiles; p++) {
        char out[1024];
        char *text = NULL;
        export_package(&profiles[p], out, sizeof out, &text);
        for (size_t i = 0; profiles[p].pdf_texts[i] != NULL; i++)
            assert_contains(text, profiles[p].pdf_texts[i]);
        for (size_t i = 0; profiles[p].pdf_patterns[i] != NULL; i++) {
            regex_t re;
            assert_int_equal(regcomp(&re, profiles[p].pdf_patterns[i], REG_EXTENDED | REG_NOSUB), 0);
            if (regexec(&re, text, 0, NULL, 0) != 0)
                fail_msg("%s: the booklet does not match /%s/", profiles[p].package,
                         profiles[p].pdf_patterns[i]);
            regfree(&re);
        }
        for (size_t i = 0; profiles[p].pdf_absent[i] != NULL; i++)
            if (strstr(text, profiles[p].pdf_absent[i]) != NULL)
                fail_msg("%s: the booklet prints '%s'", profiles[p].package,
                         profiles[p].pdf_absent[i]);
        free(text);
    }
}

/* Sheet names, then for each "SHEET|NUMBER" the first numeric cell of that value and its
 * number format, read back with openpyxl. */
static void test_profile_workbooks_hold_numbers(void **state)
{
    (void)state;
    for (size_t p = 0; p < sizeof profiles / sizeof *profiles; p++) {
        char out[1024];
        char *text = NULL;
        export_package(&profiles[p], out, sizeof out, &text);
        free(text);
        char queries[4096] = "";
        for (size_t i = 0; profiles[p].numbers[i].check != NULL; i++) {
            strncat(queries, " '", sizeof queries - strlen(queries) - 1);
            strncat(queries, profiles[p].numbers[i].check, sizeof queries - strlen(queries) - 1);
            strncat(queries, "'", sizeof queries - strlen(queries) - 1);
        }
        tu_write(out, "read_back.py",
                 "import sys, openpyxl\n"
                 "wb = openpyxl.load_workbook(sys.argv[1])\n"
                 "print('sheets=' + '|'.join(wb.sheetnames))\n"
                 "for q in sys.argv[2:]:\n"
                 "    sheet, number = q.split('|')\n"
                 "    rows = wb[sheet].iter_rows() if sheet in wb.sheetnames else []\n"
                 "    cells = [c for r in rows for c in r\n"
                 "             if c.data_type == 'n' and c.value is not None\n"
                 "             and abs(c.value - float(number)) < 1e-9]\n"
                 "    print('number %s %s %s' % (q, len(cells) > 0,\n"
                 "          cells[0].number_format if cells else '-'))\n");
        char *log = NULL;
        int rc = tu_run(&log, "/usr/bin/python3 '%s/read_back.py' '%s'/*.xlsx%s", out, out, queries);
        if (rc != 0)
            fail_msg("workbook of %s could not be read (%d):\n%s", profiles[p].package, rc, log);
        char want[2048];
        snprintf(want, sizeof want, "sheets=%s\n", profiles[p].sheets);
        assert_contains(log, want);
        for (size_t i = 0; profiles[p].numbers[i].check != NULL; i++) {
            snprintf(want, sizeof want, "number %s True #,##0.00\n", profiles[p].numbers[i].check);
            assert_contains(log, want);
        }
        free(log);
    }
}

int main(void)
{
    setlocale(LC_CTYPE, "C.UTF-8"); /* the patterns' [^合] are characters, not bytes */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_profile_packages_check),
        cmocka_unit_test(test_profile_booklets_print_as_published),
        cmocka_unit_test(test_profile_workbooks_hold_numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
