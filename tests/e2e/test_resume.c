/* The resume key (src/batch/job_key.c) as a property: export, change one class of input,
 * export again with --resume. The job must be redone (never "up to date"), and OUT must then
 * hold exactly what a fresh export of the changed package writes (the same manifest records,
 * the same output bytes). One test per input class: the format, a font's contents, a profile
 * file, a shared table, a unit's own table, a narrative part, prior.csv, units.csv, a
 * department's member after the 128th, a table of a package whose path is over 1,024 bytes.
 * Packages come from tests/bench/make_package.py (invented units). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "../support/testutil.h"

static const char *const python = "/usr/bin/python3";

/* Edits a package file in place: appends text to a column of the first row where it is not
 * empty (a free text that no rule compares: a project's goal), or adds 1 to prior.csv's
 * total. */
static const char editor[] =
    "import csv, sys\n"
    "mode, path = sys.argv[1], sys.argv[2]\n"
    "rows = list(csv.reader(open(path, encoding='utf-8', newline='')))\n"
    "head = rows[0]\n"
    "if mode == 'append':\n"
    "    col = head.index(sys.argv[3])\n"
    "    row = next(r for r in rows[1:] if r[col])\n"
    "    row[col] += '（改）'\n"
    "elif mode == 'prior':\n"
    "    row = next(r for r in rows[1:] if r[head.index('key')] == 'total')\n"
    "    row[head.index('amount')] = '%.2f' % (float(row[head.index('amount')]) + 1)\n"
    "w = csv.writer(open(path, 'w', encoding='utf-8', newline=''), lineterminator='\\r\\n')\n"
    "w.writerows(rows)\n";

/* OUT (resumed) equals FRESH (exported once from the changed package). */
static const char compare[] =
    "import hashlib, json, sys\n"
    "out, fresh = sys.argv[1], sys.argv[2]\n"
    "a = json.load(open(out + '/manifest.json'))['units']\n"
    "b = json.load(open(fresh + '/manifest.json'))['units']\n"
    "assert a == b, ('records differ', a, b)\n"
    "for u in b:\n"
    "    for o in u['outputs']:\n"
    "        data = open(out + '/' + o['file'], 'rb').read()\n"
    "        assert hashlib.sha256(data).hexdigest() == o['sha256'], o['file']\n"
    "print('same as a fresh export:', sum(len(u['outputs']) for u in b), 'outputs')\n";

typedef struct fixture {
    char dir[1024]; /* the test's folder: edit.py, compare.py, out/, fresh/ */
    char pkg[2048];
} fixture;

static void make_fixture(fixture *f, const char *name, int units, int departments)
{
    tu_tempdir(f->dir, sizeof f->dir, name);
    tu_write(f->dir, "edit.py", editor);
    tu_write(f->dir, "compare.py", compare);
    snprintf(f->pkg, sizeof f->pkg, "%s/pkg", f->dir);
    char *log = NULL;
    int rc = tu_run(&log, "%s '%s/tests/bench/make_package.py' '%s' --units %d --departments %d "
                          "--seed 3 --gbk-share 0",
                    python, GK_SOURCE_DIR, f->pkg, units, departments);
    if (rc != 0)
        fail_msg("make_package.py failed (%d):\n%s", rc, log);
    free(log);
}

/* Runs a shell command in the package folder. */
static void in_package(const fixture *f, const char *command)
{
    char *log = NULL;
    int rc = tu_run(&log, "cd '%s' && %s", f->pkg, command);
    if (rc != 0)
        fail_msg("'%s' failed (%d):\n%s", command, rc, log);
    free(log);
}

static void export_to(const fixture *f, const char *out, const char *options, const char *summary)
{
    char *log = NULL;
    int rc = tu_run(&log, "cd '%s' && '%s' export '%s' -o %s %s", f->dir, GK_EXE, f->pkg, out,
                    options);
    if (rc != 0)
        fail_msg("export -o %s %s: exit %d:\n%s", out, options, rc, log);
    if (summary != NULL)
        assert_contains(log, summary);
    free(log);
}

/* The property: after `change`, --resume redoes the job and OUT equals a fresh export. */
static void check_redone(const fixture *f, const char *first, const char *change,
                         const char *options, const char *summary)
{
    export_to(f, "out", first, NULL);
    if (change != NULL)
        in_package(f, change);
    export_to(f, "out", options, summary);
    export_to(f, "fresh", options, NULL);
    char *log = NULL;
    int rc = tu_run(&log, "cd '%s' && %s compare.py out fresh", f->dir, python);
    if (rc != 0)
        fail_msg("after --resume, OUT differs from a fresh export:\n%s", log);
    assert_contains(log, "same as a fresh export");
    free(log);
}

static const char redone[] = "gongkai: 1 job, 1 exported, 0 up to date, 0 failed";

static void test_unchanged_is_up_to_date(void **state)
{
    (void)state;
    fixture f;
    make_fixture(&f, "resume-same", 1, 1);
    check_redone(&f, "", NULL, "--resume", "gongkai: 1 job, 0 exported, 1 up to date, 0 failed");
}

static void test_format(void **state)
{
    (void)state;
    fixture f;
    make_fixture(&f, "resume-format", 1, 1);
    check_redone(&f, "--format pdf", NULL, "--resume --format xlsx", redone);
}

static void test_font_contents(void **state)
{
    (void)state;
    fixture f;
    make_fixture(&f, "resume-font", 1, 1);
    char copy[2048];
    snprintf(copy, sizeof copy, "cp '%s/fonts/song.ttf' ../font.ttf", GK_BINARY_DIR);
    in_package(&f, copy);
    snprintf(copy, sizeof copy, "cp '%s/fonts/hei.ttf' ../font.ttf", GK_BINARY_DIR);
    check_redone(&f, "--title-font font.ttf", copy, "--resume --title-font font.ttf", redone);
}

static void test_profile_file(void **state)
{
    (void)state;
    fixture f;
    make_fixture(&f, "resume-profile", 1, 1);
    char copy[2048];
    snprintf(copy, sizeof copy, "cp -r '%s/layouts/sichuan-2025' ../sichuan-2025", GK_SOURCE_DIR);
    in_package(&f, copy);
    check_redone(&f, "--profile sichuan-2025",
                 "sed -i 's/^title: \\(.*\\)/title: \\1（改）/' ../sichuan-2025/3-2.yaml",
                 "--resume --profile sichuan-2025", redone);
}

static void test_shared_table(void **state)
{
    (void)state;
    fixture f;
    make_fixture(&f, "resume-shared", 1, 1);
    check_redone(&f, "", "python3 ../edit.py append tables/6.csv goal", "--resume", redone);
}

static void test_unit_table(void **state)
{
    (void)state;
    fixture f;
    make_fixture(&f, "resume-unit-table", 1, 1);
    /* the unit's rows of 公开表6 in its own file, the shared one a header only */
    in_package(&f, "mkdir tables/992001 && cp tables/6.csv tables/992001/6.csv && "
                   "head -1 tables/6.csv > header && mv header tables/6.csv");
    check_redone(&f, "", "python3 ../edit.py append tables/992001/6.csv goal", "--resume", redone);
}

static void test_narrative(void **state)
{
    (void)state;
    fixture f;
    make_fixture(&f, "resume-narrative", 1, 1);
    check_redone(&f, "", "printf '\\n本段为测试所加。\\n' >> narrative/992001/overview.md",
                 "--resume", redone);
}

static void test_prior(void **state)
{
    (void)state;
    fixture f;
    make_fixture(&f, "resume-prior", 1, 1);
    check_redone(&f, "", "python3 ../edit.py prior prior.csv", "--resume", redone);
}

static void test_units_csv(void **state)
{
    (void)state;
    fixture f;
    make_fixture(&f, "resume-units", 1, 1);
    check_redone(&f, "", "sed -i '2s/,992,[^,]*,/,992,虚构部门（测试用）,/' units.csv", "--resume",
                 redone);
}

/* A department of 130 units: a change in the last one's files redoes the department. */
static void test_department_member_after_128th(void **state)
{
    (void)state;
    fixture f;
    make_fixture(&f, "resume-department", 130, 1);
    char *log = NULL;
    assert_int_equal(tu_run(&log, "awk -F, 'NR==2 {printf \"%%s\", $1}' '%s/units.csv'", f.pkg),
                     0);
    char options[256], resume[300];
    snprintf(options, sizeof options, "--department --format xlsx --unit %s", log);
    free(log);
    assert_int_equal(tu_run(&log, "awk -F, 'END {printf \"%%s\", $1}' '%s/units.csv'", f.pkg), 0);
    char change[512];
    snprintf(change, sizeof change,
             "printf '\\n本段为测试所加。\\n' >> narrative/%s/overview.md", log);
    free(log);
    snprintf(resume, sizeof resume, "--resume %s", options);
    check_redone(&f, options, change, resume,
                 "gongkai: 2 jobs, 1 exported, 1 up to date, 0 failed");
}

/* The package in a folder whose path is 1,020 bytes long (its tables/ is past 1,024). */
static void test_long_package_path(void **state)
{
    (void)state;
    fixture f;
    make_fixture(&f, "resume-long", 1, 1);
    char deep[2048];
    size_t len = (size_t)snprintf(deep, sizeof deep, "%s", f.dir);
    while (len + 201 < 1017)
        len += (size_t)snprintf(deep + len, sizeof deep - len, "/%0200d", 0);
    snprintf(deep + len, sizeof deep - len, "/%0*d", (int)(1017 - len), 0);
    assert_int_equal(strlen(deep), 1018);
    char *log = NULL;
    assert_int_equal(tu_run(&log, "mkdir -p '%s' && mv '%s' '%s/p'", deep, f.pkg, deep), 0);
    free(log);
    snprintf(f.pkg, sizeof f.pkg, "%s/p", deep);
    assert_int_equal(strlen(f.pkg), 1020);
    char change[1200];
    snprintf(change, sizeof change, "python3 '%s/edit.py' append tables/6.csv goal", f.dir);
    check_redone(&f, "", change, "--resume", redone);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unchanged_is_up_to_date),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_font_contents),
        cmocka_unit_test(test_profile_file),
        cmocka_unit_test(test_shared_table),
        cmocka_unit_test(test_unit_table),
        cmocka_unit_test(test_narrative),
        cmocka_unit_test(test_prior),
        cmocka_unit_test(test_units_csv),
        cmocka_unit_test(test_department_member_after_128th),
        cmocka_unit_test(test_long_package_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
