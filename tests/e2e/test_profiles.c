/* The shipped profiles written from real booklets, each with a test package transcribed from
 * its booklet (tests/profiles/PACKAGE/README.md says which booklet): the package exports, the
 * booklet prints the tables' titles, captions and amounts as the published booklet prints
 * them, the workbook keeps the amounts as numbers, and `gongkai check` finds exactly what the
 * booklet got wrong — nothing for a clean package, expected-findings.txt for a package as
 * published. One row of `profiles` per package: a new profile adds a row. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <cmocka.h>

#include "../support/testutil.h"

#define PROFILES GK_SOURCE_DIR "/tests/profiles"

/* A workbook cell read back: on the sheet titled `title`, in the row holding the text `label`
 * ("" for the first row holding a number), a number equal to `value`. */
typedef struct cell_spec {
    const char *title, *label, *value;
} cell_spec;

typedef struct profile_case {
    const char *package;       /* folder under tests/profiles/ */
    const char *unit;          /* the unit whose booklet is read back */
    const char *number_format; /* of the workbook's amount cells */
    const char *texts[24];     /* in the booklet (pdftotext -layout), as the source prints them */
    cell_spec cells[8];        /* in the workbook */
    bool published;            /* a package as published: expected-findings.txt, export --force */
} profile_case;

static const profile_case profiles[] = {
    {
        .package = "shanghai-putuo-2025",
        .unit = "putuo-office",
        .number_format = "#,##0.00",
        .texts = {"2025年预算单位财务收支预算总表", "2025年预算单位收入预算总表",
                  "2025年预算单位支出预算总表", "2025年预算单位财政拨款收支预算总表",
                  "2025年预算单位一般公共预算支出功能分类预算表",
                  "2025年预算单位政府性基金预算支出功能分类预算表",
                  "2025年预算单位国有资本经营预算支出功能分类预算表",
                  "2025年预算单位一般公共预算基本支出部门预算经济分类预算表",
                  "2025年单位“三公”经费和机关运行经费预算表",
                  "编制单位：上海市普陀区人民政府办公室", "单位：元", "单位:万元",
                  "91,016,775.35", "82,096,797.42", "13,819,399.88", "1,867,397.54",
                  "四、住房保障支出", "12,029,501.84", "21,170,337.81", "867.50", "213.28",
                  "注:本单位2025年无政府性基金预算财政拨款安排的预算，故本表为空表。"},
        .cells = {{"2025年预算单位收入预算总表", "行政运行", "12029501.84"},
                  {"2025年预算单位收入预算总表", "合计", "91016775.35"},
                  {"2025年预算单位财务收支预算总表", "支出总计", "22473997.81"},
                  {"2025年预算单位财务收支预算总表", "一、一般公共服务支出", "1867397.54"},
                  {"2025年单位“三公”经费和机关运行经费预算表", "", "839.00"}},
    },
    {
        /* a Shanghai 部门决算 (决算 family): no table numbers, 3/5/7-digit codes in one column,
         * 合计 at the top or the bottom, notes under every table, 0.00 for an explicit zero */
        .package = "shanghai-juesuan-2025",
        .unit = "yichuan",
        .number_format = "#,##0.00",
        .texts = {"2025年度部门决算", "一、收入支出决算总表", "收入决算表", "支出决算表",
                  "财政拨款收入支出决算总表", "一般公共预算财政拨款支出决算表",
                  "一般公共预算财政拨款基本支出决算表", "财政拨款“三公”经费支出决算表",
                  "政府性基金预算财政拨款收入支出决算表",
                  "国有资本经营预算财政拨款收入支出决算表", "单位：万元",
                  "注：本表反映部门本年度的总收支和年末结转结余情况。",
                  "本年度没有国有资本经营预算财政拨款收入和支出", "年初结转和结余",
                  "人员经费合计", "15,411.43", "2,452.66", "20,323.19", "12,192.15",
                  "31.47", "占本年支出合计的 99.48%", "部门决算单位构成"},
        .cells = {{"收入支出决算总表", "本年支出合计", "20323.19"},
                  {"支出决算表", "城乡社区支出", "15411.43"},
                  {"支出决算表", "一般公共服务支出", "0.00"},
                  {"一般公共预算财政拨款支出决算表", "合计", "20218.19"},
                  {"一般公共预算财政拨款基本支出决算表", "其他工资福利支出", "5991.96"},
                  {"财政拨款“三公”经费支出决算表", "", "31.47"},
                  {"政府性基金预算财政拨款收入支出决算表", "合计", "105.00"}},
    },
    {
        .package = "shanghai-juesuan-2025-published",
        .unit = "yichuan",
        .number_format = "#,##0.00",
        .texts = {"2025年度部门决算", "收入支出决算总表", "1,844.57", "269.85", "63.76%",
                  "下降 4.35%"},
        .cells = {{"一般公共预算财政拨款基本支出决算表", "其他商品和服务支出", "1844.57"}},
        .published = true,
    },
};
#define PROFILE_COUNT (sizeof profiles / sizeof *profiles)

/* Exports the package into a fresh folder (out) and returns the run's status and output. */
static int export_package(const profile_case *p, char *out, size_t size, char **log)
{
    tu_tempdir(out, size, p->package);
    return tu_run(log, "'%s' export '%s/%s' -o '%s' %s", GK_EXE, PROFILES, p->package, out,
                  p->published ? "--force" : "");
}

static void test_booklet_prints_as_published(void **state)
{
    const profile_case *p = *state;
    char out[1024];
    char *log = NULL;
    if (export_package(p, out, sizeof out, &log) != 0)
        fail_msg("%s: export failed:\n%s", p->package, log);
    free(log);
    char *text = NULL;
    if (tu_run(&text, "pdftotext -layout '%s'/'%s'_*.pdf -", out, p->unit) != 0)
        fail_msg("%s: no booklet of unit %s:\n%s", p->package, p->unit, text);
    for (size_t i = 0; i < sizeof p->texts / sizeof *p->texts && p->texts[i]; i++)
        assert_contains(text, p->texts[i]);
    free(text);
}

static void test_workbook_keeps_numbers(void **state)
{
    const profile_case *p = *state;
    char out[1024], specs[4096] = "";
    char *log = NULL;
    if (export_package(p, out, sizeof out, &log) != 0)
        fail_msg("%s: export failed:\n%s", p->package, log);
    free(log);
    size_t used = 0;
    for (size_t i = 0; i < sizeof p->cells / sizeof *p->cells && p->cells[i].title; i++)
        used += (size_t)snprintf(specs + used, sizeof specs - used, " '%s|%s|%s'",
                                 p->cells[i].title, p->cells[i].label, p->cells[i].value);
    int rc = tu_run(&log, "/usr/bin/python3 '%s/tests/e2e/check_cells.py' '%s'/'%s'_*.xlsx '%s'%s",
                    GK_SOURCE_DIR, out, p->unit, p->number_format, specs);
    if (rc != 0)
        fail_msg("%s: workbook cells:\n%s", p->package, log);
    assert_contains(log, " 0 failed");
    free(log);
}

/* A clean package: exit 0 and not one error or warning, or exactly the warnings of its
 * expected-findings.txt when it has one (a booklet whose printed 类 differ from the sum of their
 * 款 by rounding). A package as published: exactly the findings of its expected-findings.txt
 * ("SEVERITY RULE FILE:LINE", compared as a set). */
static void test_check_finds_what_the_booklet_got_wrong(void **state)
{
    const profile_case *p = *state;
    char dir[1024];
    tu_tempdir(dir, sizeof dir, p->package);
    char *log = NULL;
    /* the findings as "SEVERITY RULE FILE:LINE", FILE relative to the package */
    int rc = tu_run(&log, "'%s' check '%s/%s' > '%s/log' 2>&1; echo $? > '%s/rc'; "
                          "sed -n 's#^%s/%s/\\([^:]*\\):\\([0-9]*\\):[0-9]*: "
                          "\\(error\\|warning\\|note\\): \\[\\([A-Z0-9-]*\\)\\].*#\\3 \\4 \\1:\\2#p' "
                          "'%s/log' | sort > '%s/found'",
                    GK_EXE, PROFILES, p->package, dir, dir, PROFILES, p->package, dir, dir);
    assert_int_equal(rc, 0);
    free(log);
    char expected[1024];
    snprintf(expected, sizeof expected, "%s/%s/expected-findings.txt", PROFILES, p->package);
    bool listed = access(expected, R_OK) == 0;
    if (p->published)
        rc = tu_run(&log, "sort '%s' | diff - '%s/found'", expected, dir);
    else if (listed)
        rc = tu_run(&log, "grep -qx 0 '%s/rc' && sort '%s' | diff - '%s/found'", dir, expected,
                    dir);
    else
        rc = tu_run(&log, "grep -qx 0 '%s/rc' && ! grep -E '^(error|warning) ' '%s/found'", dir,
                    dir);
    if (rc != 0) {
        char *check = NULL;
        tu_run(&check, "cat '%s/log'", dir);
        fail_msg("%s: findings differ from what the booklet got wrong:\n%s\n%s", p->package,
                 log, check);
    }
    free(log);
}

int main(void)
{
    static const struct {
        const char *what;
        CMUnitTestFunction run;
    } checks[] = {
        {"booklet", test_booklet_prints_as_published},
        {"workbook", test_workbook_keeps_numbers},
        {"check", test_check_finds_what_the_booklet_got_wrong},
    };
    enum { CHECKS = sizeof checks / sizeof *checks };
    static struct CMUnitTest tests[PROFILE_COUNT * CHECKS];
    static char names[PROFILE_COUNT * CHECKS][128];
    for (size_t i = 0; i < PROFILE_COUNT; i++)
        for (size_t c = 0; c < CHECKS; c++) {
            size_t n = i * CHECKS + c;
            snprintf(names[n], sizeof names[n], "%s: %s", profiles[i].package, checks[c].what);
            tests[n] = (struct CMUnitTest){.name = names[n], .test_func = checks[c].run,
                                           .initial_state = (void *)&profiles[i]};
        }
    return _cmocka_run_group_tests("test_profiles", tests, PROFILE_COUNT * CHECKS, NULL, NULL);
}
