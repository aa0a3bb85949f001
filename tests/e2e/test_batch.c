/* End to end for batch export: worker processes give the same bytes at -j1 and -j2; shards
 * merged equal one run; --resume skips what is up to date; department booklets; the smoke test
 * (200 units, 20 injected failures: exactly 180 outputs, 20 precise records, no stray file);
 * SIGINT part-way leaves only whole files. Packages come from tests/bench/make_package.py. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "../support/testutil.h"

static const char *const python = "/usr/bin/python3";

static void make_package(char *dir, size_t size, int units, int inject, int seed)
{
    tu_tempdir(dir, size, "synthetic");
    char *log = NULL;
    int rc = tu_run(&log, "%s '%s/tests/bench/make_package.py' '%s' --units %d --inject %d --seed %d",
                    python, GK_SOURCE_DIR, dir, units, inject, seed);
    if (rc != 0)
        fail_msg("make_package.py failed (%d):\n%s", rc, log);
    free(log);
}

static void export(const char *pkg, const char *out, const char *options, int expected_rc)
{
    char *log = NULL;
    int rc = tu_run(&log, "'%s' export '%s' -o '%s' --quiet %s", GK_EXE, pkg, out, options);
    if (rc != expected_rc)
        fail_msg("export %s: exit %d, expected %d:\n%s", options, rc, expected_rc, log);
    free(log);
}

static void test_same_bytes_at_j1_and_j2(void **state)
{
    (void)state;
    char pkg[1024], a[1024], b[1024];
    make_package(pkg, sizeof pkg, 12, 0, 3);
    tu_tempdir(a, sizeof a, "j1");
    tu_tempdir(b, sizeof b, "j2");
    export(pkg, a, "-j 1 --department", 0);
    export(pkg, b, "-j 2 --department", 0);
    assert_true(tu_count_outputs(a) >= 2 * (12 + 2)); /* 12 units and their departments */
    char *log = NULL;
    int rc = tu_run(&log, "diff -r '%s' '%s'", a, b);
    if (rc != 0)
        fail_msg("-j1 and -j2 differ:\n%s", log);
    free(log);
}

static void test_shards_merge_to_one_run(void **state)
{
    (void)state;
    char pkg[1024], whole[1024], shards[1024];
    make_package(pkg, sizeof pkg, 12, 0, 4);
    tu_tempdir(whole, sizeof whole, "whole");
    tu_tempdir(shards, sizeof shards, "shards");
    export(pkg, whole, "", 0);
    for (int k = 1; k <= 3; k++) {
        char option[32];
        snprintf(option, sizeof option, "--shard %d/3", k);
        export(pkg, shards, option, 0);
    }
    char *log = NULL;
    int rc = tu_run(&log, "cd '%s' && '%s' manifest merge -o merged.json manifest-1-of-3.json "
                          "manifest-2-of-3.json manifest-3-of-3.json && "
                          "cmp merged.json '%s/manifest.json' && "
                          "for f in '%s'/*_*; do cmp \"$f\" \"%s/$(basename \"$f\")\" || exit 1; done && "
                          "ls '%s' | grep -v manifest | wc -l && ls | grep -v -e manifest -e merged | wc -l",
                    shards, GK_EXE, whole, whole, shards, whole);
    if (rc != 0)
        fail_msg("the shards' union differs from one run:\n%s", log);
    assert_contains(log, "24\n24\n");
    free(log);
}

static void test_resume_skips_up_to_date(void **state)
{
    (void)state;
    char pkg[1024], out[1024];
    make_package(pkg, sizeof pkg, 5, 0, 5);
    tu_tempdir(out, sizeof out, "resume");
    export(pkg, out, "", 0);
    char *log = NULL;
    assert_int_equal(tu_run(&log, "'%s' export '%s' -o '%s' --resume", GK_EXE, pkg, out), 0);
    assert_contains(log, "gongkai: 5 jobs, 0 exported, 5 up to date, 0 failed");
    free(log);
    /* an output that changed on disk is made again */
    assert_int_equal(tu_run(&log, "f=$(ls '%s'/*.xlsx | head -1) && echo x >> \"$f\" && "
                                  "'%s' export '%s' -o '%s' --resume", out, GK_EXE, pkg, out), 0);
    assert_contains(log, "gongkai: 5 jobs, 1 exported, 4 up to date, 0 failed");
    free(log);
}

static void test_department_booklet_sums_its_units(void **state)
{
    (void)state;
    char pkg[1024], out[1024];
    make_package(pkg, sizeof pkg, 6, 0, 6);
    tu_tempdir(out, sizeof out, "department");
    export(pkg, out, "--department --format xlsx", 0);
    /* in every department workbook, 公开表1-2's 合计 is the sum of its units' 合计 rows */
    tu_write(out, "sums.py",
             "import csv, glob, json, sys, openpyxl\n"
             "pkg, out = sys.argv[1], sys.argv[2]\n"
             "units = list(csv.DictReader(open(pkg + '/units.csv', encoding='utf-8-sig')))\n"
             "m = json.load(open(out + '/manifest.json'))\n"
             "checked = 0\n"
             "for rec in m['units']:\n"
             "    if rec['kind'] != 'department': continue\n"
             "    ws = openpyxl.load_workbook(out + '/' + rec['outputs'][0]['file'])['公开表1-2']\n"
             "    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=5)]\n"
             "    total = rows[0][5]\n"
             "    names = {u['unit_name'] for u in units if u['department_code'] == rec['code']}\n"
             "    unit_rows = [r for r in rows if r[4] in names]\n"
             "    assert len(unit_rows) == len(names), (rec['code'], len(unit_rows), len(names))\n"
             "    s = round(sum(r[5] or 0 for r in unit_rows), 2)\n"
             "    assert abs(s - (total or 0)) < 0.005, (rec['code'], s, total)\n"
             "    checked += 1\n"
             "print('departments', checked)\n");
    char *log = NULL;
    int rc = tu_run(&log, "%s '%s/sums.py' '%s' '%s'", python, out, pkg, out);
    if (rc != 0)
        fail_msg("department totals:\n%s", log);
    assert_contains(log, "departments ");
    assert_null(strstr(log, "departments 0"));
    free(log);
}

/* The CI smoke test: 200 synthetic units with 20 injected failures. */
static void test_smoke_200_units_20_failures(void **state)
{
    (void)state;
    char pkg[1024], out[1024];
    make_package(pkg, sizeof pkg, 200, 20, 7);
    tu_tempdir(out, sizeof out, "smoke");
    tu_write(out, "verify.py",
             "import csv, json, os, subprocess, sys\n"
             "pkg, out = sys.argv[1], sys.argv[2]\n"
             "inj = {r['unit_code']: r for r in csv.DictReader(open(pkg + '/injected.csv'))}\n"
             "m = json.load(open(out + '/manifest.json'))\n"
             "ok = [u for u in m['units'] if u['status'] == 'ok']\n"
             "bad = [u for u in m['units'] if u['status'] != 'ok']\n"
             "assert sorted(u['code'] for u in bad) == sorted(inj), 'failed units differ'\n"
             "for u in bad:\n"
             "    frag = inj[u['code']]['expected_message_fragment']\n"
             "    assert frag in u['error'], (u['code'], frag, u['error'])\n"
             "files = sorted(f for f in os.listdir(out) if not f.startswith('manifest') and f != 'verify.py')\n"
             "assert not [f for f in files if '.tmp.' in f], 'stray temporary files'\n"
             "assert len(files) == 2 * len(ok), (len(files), len(ok))\n"
             "for u in ok:\n"
             "    for o in u['outputs']:\n"
             "        assert os.path.getsize(out + '/' + o['file']) == o['bytes']\n"
             "pdfs = [f for f in files if f.endswith('.pdf')]\n"
             "for f in pdfs[:40]:\n"
             "    subprocess.run(['qpdf', '--check', out + '/' + f], check=True, capture_output=True)\n"
             "print('ok', len(ok), 'failed', len(bad), 'files', len(files))\n");
    char *log = NULL;
    int rc = tu_run(&log, "crash=$(awk -F, '$2==\"kill-worker\"{printf \"%%s,\", $1}' '%s/injected.csv'); "
                          "full=$(awk -F, '$2==\"write-failure\"{printf \"%%s,\", $1}' '%s/injected.csv'); "
                          "GONGKAI_TEST_CRASH=$crash GONGKAI_TEST_WRITE_FAIL=$full "
                          "'%s' export '%s' -o '%s' -j 2; echo \"rc=$?\"",
                    pkg, pkg, GK_EXE, pkg, out);
    assert_int_equal(rc, 0);
    assert_contains(log, "rc=1\n");
    assert_contains(log, "gongkai: 200 jobs, 180 exported, 0 up to date, 20 failed");
    assert_contains(log, "worker crashed: signal "); /* 11, or 6 when a sanitizer reports it */
    free(log);
    rc = tu_run(&log, "%s '%s/verify.py' '%s' '%s'", python, out, pkg, out);
    if (rc != 0)
        fail_msg("smoke test outputs:\n%s", log);
    assert_contains(log, "ok 180 failed 20 files 360");
    free(log);
}

/* SIGINT part-way: no new unit starts, running ones finish their files, only whole files. */
static void test_interrupt_leaves_whole_files(void **state)
{
    (void)state;
    char pkg[1024], out[1024];
    make_package(pkg, sizeof pkg, 120, 0, 8);
    tu_tempdir(out, sizeof out, "interrupt");
    char *log = NULL;
    int rc = tu_run(&log, "'%s' export '%s' -o '%s' -j 2 --quiet & pid=$!; sleep 1.5; "
                          "kill -INT $pid; wait $pid; echo \"rc=$?\"; "
                          "ls -a '%s' | grep -c '\\.tmp\\.' ; "
                          "for f in '%s'/*.pdf; do qpdf --check \"$f\" >/dev/null || echo \"BROKEN $f\"; done; "
                          "for f in '%s'/*.xlsx; do unzip -tq \"$f\" >/dev/null || echo \"BROKEN $f\"; done; "
                          "grep -c '\"status\": \"interrupted\"' '%s/manifest.json'",
                    GK_EXE, pkg, out, out, out, out, out);
    (void)rc;
    assert_contains(log, "rc=130\n0\n");
    assert_null(strstr(log, "BROKEN"));
    /* it stopped part-way: some units were not started */
    assert_null(strstr(log, "\n0\n0\n"));
    free(log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_bytes_at_j1_and_j2),
        cmocka_unit_test(test_shards_merge_to_one_run),
        cmocka_unit_test(test_resume_skips_up_to_date),
        cmocka_unit_test(test_department_booklet_sums_its_units),
        cmocka_unit_test(test_smoke_200_units_20_failures),
        cmocka_unit_test(test_interrupt_leaves_whole_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
