/* End to end for batch export: worker processes give the same bytes at -j1 and -j2; shards
 * merged equal one run; --resume skips what is up to date; department booklets; the smoke test
 * (200 units, 20 injected failures: exactly 180 outputs, 20 precise records, no stray file);
 * SIGINT part-way leaves only whole files. Packages come from tests/bench/make_package.py. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/publish.h"
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

/* Three shards' files and merged manifests equal one run's; OPTIONS are given to every run,
 * EXPECTED counts the files (of one run, then of the shards). */
static void shards_merge_to_one_run(const char *options, const char *expected)
{
    char pkg[1024], whole[1024], shards[1024];
    make_package(pkg, sizeof pkg, 12, 0, 4);
    tu_tempdir(whole, sizeof whole, "whole");
    tu_tempdir(shards, sizeof shards, "shards");
    export(pkg, whole, options, 0);
    for (int k = 1; k <= 3; k++) {
        char option[128];
        snprintf(option, sizeof option, "%s --shard %d/3", options, k);
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
    assert_contains(log, expected);
    free(log);
}

static void test_shards_merge_to_one_run(void **state)
{
    (void)state;
    shards_merge_to_one_run("", "24\n24\n");
}

/* A shard indexes the rows of its own units and of its departments' (gk_batch_reads_unit):
 * a department booklet whose units fall in other shards is still whole. The package's 12 units
 * are in 2 departments. */
static void test_department_shards_merge_to_one_run(void **state)
{
    (void)state;
    shards_merge_to_one_run("--department", "28\n28\n");
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

/* Shell (one %s: the output folder): waits, up to a minute, until four booklets are in it, so
 * that an interrupt comes part-way through a batch of 120 units however fast the machine is
 * (a fixed sleep came after the last unit once a unit took 10 ms). */
#define WHEN_4_DONE                                                                            \
    "for i in $(seq 6000); do [ $(ls '%s' | grep -c '\\.pdf$') -ge 4 ] && break; "             \
    "sleep 0.01; done; "

/* SIGINT part-way: no new unit starts, running ones finish their files, only whole files. */
static void test_interrupt_leaves_whole_files(void **state)
{
    (void)state;
    char pkg[1024], out[1024];
    make_package(pkg, sizeof pkg, 120, 0, 8);
    tu_tempdir(out, sizeof out, "interrupt");
    char *log = NULL;
    int rc = tu_run(&log, "'%s' export '%s' -o '%s' -j 2 --quiet & pid=$!; " WHEN_4_DONE
                          "kill -INT $pid; wait $pid; echo \"rc=$?\"; "
                          "ls -a '%s' | grep -c '\\.tmp\\.' ; "
                          "for f in '%s'/*.pdf; do qpdf --check \"$f\" >/dev/null || echo \"BROKEN $f\"; done; "
                          "for f in '%s'/*.xlsx; do unzip -tq \"$f\" >/dev/null || echo \"BROKEN $f\"; done; "
                          "grep -c '\"status\": \"interrupted\"' '%s/manifest.json'",
                    GK_EXE, pkg, out, out, out, out, out, out);
    (void)rc;
    assert_contains(log, "rc=130\n0\n");
    assert_null(strstr(log, "BROKEN"));
    /* it stopped part-way: some units were not started */
    assert_null(strstr(log, "\n0\n0\n"));
    free(log);
}

/* The code of a package's unit number n (1-based, units.csv order), into code. */
static void unit_code(const char *pkg, int n, char *code, size_t size)
{
    char *log = NULL;
    assert_int_equal(tu_run(&log, "awk -F, 'NR==%d {printf \"%%s\", $1}' '%s/units.csv'", n + 1,
                            pkg),
                     0);
    snprintf(code, size, "%s", log);
    free(log);
}

/* A shell fragment that waits (at most 20 s) until OUT's lock file is there: the first export
 * has begun its jobs. */
#define WAIT_FOR_LOCK(out) \
    "for i in $(seq 200); do [ -e '" out "/.gongkai.lock' ] && break; sleep 0.1; done; "

/* Item 9: a second export into an OUT that an export is writing to stops at once, naming OUT;
 * so does a shard; the first one's files are untouched and its lock is gone afterwards. */
static void test_second_export_into_one_out_stops(void **state)
{
    (void)state;
    char pkg[1024], out[1024], code[64];
    make_package(pkg, sizeof pkg, 3, 0, 11);
    tu_tempdir(out, sizeof out, "locked");
    unit_code(pkg, 3, code, sizeof code); /* the last job: the two before it finish */
    char *log = NULL;
    int rc = tu_run(&log, "cd '%s' && GONGKAI_TEST_HANG=%s '%s' export '%s' -o . -j 1 --quiet "
                          "--job-timeout 0 & pid=$!; " WAIT_FOR_LOCK(".")
                          "'%s' export '%s' -o '%s' --quiet; echo \"second rc=$?\"; "
                          "'%s' export '%s' -o '%s' --quiet --shard 1/2; echo \"shard rc=$?\"; "
                          "kill -TERM $pid; wait $pid; echo \"first rc=$?\"; ls -a '%s'",
                    out, code, GK_EXE, pkg, GK_EXE, pkg, out, GK_EXE, pkg, out, out);
    assert_int_equal(rc, 0);
    char expected[1200];
    snprintf(expected, sizeof expected,
             "%s: error: another gongkai export is writing to this folder (.gongkai.lock is "
             "locked); wait until it has finished\nsecond rc=1\n",
             out);
    assert_contains(log, expected);
    assert_contains(log, "shard rc=1\n");
    assert_contains(log, "first rc=143\n");
    assert_null(strstr(log, ".gongkai.lock\n")); /* removed by its last holder */
    assert_null(strstr(log, ".tmp."));
    free(log);
    /* the first export's two finished units are whole and listed; the hung one is not */
    rc = tu_run(&log, "%s -c 'import json; m = json.load(open(\"%s/manifest.json\")); "
                      "print(sorted(u[\"status\"] for u in m[\"units\"]), m[\"summary\"])'",
                python, out);
    assert_int_equal(rc, 0);
    assert_contains(log, "['interrupted', 'ok', 'ok']");
    free(log);
    assert_int_equal(tu_count_outputs(out), 4);
}

/* Item 9 with shards: shards run into one OUT at the same time; a shard sweeps only its own
 * temporaries; one shard twice, or an unsharded export beside a shard, is refused. */
static void test_shards_share_one_out(void **state)
{
    (void)state;
    char pkg[1024], out[1024], code[64];
    make_package(pkg, sizeof pkg, 6, 0, 12);
    tu_tempdir(out, sizeof out, "shared-out");
    /* shard 2/2 once, to learn one of its output names */
    export(pkg, out, "--shard 2/2", 0);
    char *log = NULL;
    assert_int_equal(tu_run(&log, "%s -c 'import json; m = json.load(open(\"%s/manifest-2-of-2.json\")); "
                                  "print(m[\"units\"][0][\"outputs\"][0][\"file\"], end=\"\")'",
                            python, out),
                     0);
    char own[GK_TEMP_PREFIX_SIZE];
    gk_publish_prefix(log, own);
    free(log);
    /* a temporary of shard 2's, and one of no job of shard 2 (another shard's, say) */
    char name[128];
    snprintf(name, sizeof name, "%stmp.AAAAAA", own);
    tu_write(out, name, "partial");
    tu_write(out, ".gk-00000000.tmp.BBBBBB", "another shard's");
    /* shard 1/2 hangs on one of its units while shard 2/2 runs beside it */
    size_t units = 6;
    char hung[64] = "";
    for (size_t n = 1; n <= units && hung[0] == '\0'; n++) {
        unit_code(pkg, (int)n, code, sizeof code);
        uint32_t h = 2166136261u;
        for (const unsigned char *p = (const unsigned char *)code; *p; p++)
            h = (h ^ *p) * 16777619u;
        if (h % 2 == 0)
            snprintf(hung, sizeof hung, "%s", code);
    }
    assert_true(hung[0] != '\0');
    int rc = tu_run(&log, "cd '%s' && GONGKAI_TEST_HANG=%s '%s' export '%s' -o . -j 1 --quiet "
                          "--job-timeout 0 --shard 1/2 & pid=$!; "
                          "for i in $(seq 200); do [ -e '%s/.gongkai-shard-1-of-2.lock' ] && break; sleep 0.1; done; "
                          "'%s' export '%s' -o '%s' --quiet --shard 2/2; echo \"shard 2 rc=$?\"; "
                          "ls -a '%s' | grep '\\.tmp\\.'; "
                          "'%s' export '%s' -o '%s' --quiet --shard 1/2; echo \"shard 1 again rc=$?\"; "
                          "'%s' export '%s' -o '%s' --quiet; echo \"unsharded rc=$?\"; "
                          "kill -INT $pid; wait $pid; echo \"first rc=$?\"; "
                          "'%s' export '%s' -o '%s' --quiet; echo \"then unsharded rc=$?\"; "
                          "ls -a '%s' | grep -c -e '\\.tmp\\.' -e '\\.lock'",
                    out, hung, GK_EXE, pkg, out, GK_EXE, pkg, out, out, GK_EXE, pkg, out, GK_EXE,
                    pkg, out, GK_EXE, pkg, out, out);
    (void)rc;
    assert_contains(log, "shard 2 rc=0\n.gk-00000000.tmp.BBBBBB\n");
    assert_contains(log, "(.gongkai-shard-1-of-2.lock is locked); wait until it has finished\n"
                         "shard 1 again rc=1\n");
    assert_contains(log, "unsharded rc=1\n");
    assert_contains(log, "first rc=130\n");
    assert_contains(log, "then unsharded rc=0\n0\n"); /* every temporary swept, no lock left */
    free(log);
}

/* A batch of one job runs it in the exporting process (batch/in_process.h), with a worker's
 * bytes and record: the sample unit alone, and beside its department (two jobs, in workers). */
static void test_one_job_runs_in_the_exporting_process(void **state)
{
    (void)state;
    char alone[1024], pooled[1024];
    tu_tempdir(alone, sizeof alone, "alone");
    tu_tempdir(pooled, sizeof pooled, "pooled");
    const char *sample = GK_SOURCE_DIR "/samples/leshan-hrss-info-2025";
    char *log = NULL;
    assert_int_equal(tu_run(&log, "LC_ALL=C '%s' export '%s' -o '%s' --quiet --stats", GK_EXE,
                            sample, alone),
                     0);
    assert_contains(log, "gongkai: stats: workers started 0\n");
    free(log);
    assert_int_equal(tu_run(&log, "LC_ALL=C '%s' export '%s' -o '%s' --quiet --stats --department",
                            GK_EXE, sample, pooled),
                     0);
    assert_contains(log, "gongkai: stats: workers started 2\n");
    free(log);
    int rc = tu_run(&log, "cd '%s' && for f in 302309_*; do cmp \"$f\" '%s'/\"$f\" || exit 1; done && "
                          "%s -c 'import json, sys; r = [[u for u in json.load(open(m))[\"units\"] "
                          "if u[\"code\"] == \"302309\"] for m in sys.argv[1:]]; "
                          "assert r[0] == r[1], r; print(\"same record\", r[0][0][\"status\"])' "
                          "manifest.json '%s/manifest.json'",
                    alone, pooled, python, pooled);
    if (rc != 0)
        fail_msg("the unit alone differs from the unit in a worker:\n%s", log);
    assert_contains(log, "same record ok\n");
    free(log);
}

/* HOW (a shell fragment) with each "EXPORT" in it replaced by `command`, into out */
static void with_command(const char *how, const char *command, char *out, size_t size)
{
    size_t used = 0;
    for (const char *p = how; *p != '\0' && used + 1 < size;) {
        if (strncmp(p, "EXPORT", 6) == 0) {
            used += (size_t)snprintf(out + used, size - used, "%s", command);
            p += 6;
        } else {
            out[used++] = *p++;
        }
    }
    out[used < size ? used : size - 1] = '\0';
}

/* A job run in the exporting process that crashes, passes its time limit or outlasts the grace
 * after SIGTERM is recorded as a worker's would be (batch/in_process.h): the same message,
 * manifest record and exit status, no temporary left. HOW runs EXPORT (the export, with $unit
 * the job's unit) and prints "rc=" its exit status; RECORD: the record's status and error. */
static void one_job_ends(const char *how, int expected_rc, const char *message, const char *record)
{
    char pkg[1024], alone[1024], pooled[1024], code[64];
    make_package(pkg, sizeof pkg, 2, 0, 16);
    unit_code(pkg, 1, code, sizeof code);
    tu_tempdir(alone, sizeof alone, "ends-alone");
    tu_tempdir(pooled, sizeof pooled, "ends-pooled");
    char command[4096], run_alone[8192], run_pooled[8192];
    snprintf(command, sizeof command, "'%s' export '%s' -o '%s' --stats --unit %s", GK_EXE, pkg,
             alone, code);
    with_command(how, command, run_alone, sizeof run_alone);
    snprintf(command, sizeof command, "'%s' export '%s' -o '%s' --stats -j 1", GK_EXE, pkg, pooled);
    with_command(how, command, run_pooled, sizeof run_pooled);
    char *log = NULL;
    int rc = tu_run(&log, "export LC_ALL=C; unit=%s; %s; %s; ls -a '%s' '%s' | grep -c '\\.tmp\\.'",
                    code, run_alone, run_pooled, alone, pooled);
    (void)rc;
    char expected[256];
    snprintf(expected, sizeof expected, "gongkai: unit %s: %s", code, message);
    assert_contains(log, expected);
    snprintf(expected, sizeof expected, "rc=%d\n", expected_rc);
    assert_contains(log, expected);
    assert_contains(log, "workers started 0\n"); /* alone: in the exporting process */
    assert_contains(log, "\n0\n");               /* no temporary in either folder */
    free(log);
    rc = tu_run(&log, "%s -c 'import json, sys; r = [[(u[\"status\"], u[\"error\"]) for u in "
                      "json.load(open(m))[\"units\"] if u[\"code\"] == \"%s\"] for m in sys.argv[1:]]; "
                      "assert r[0] == r[1], r; print(r[0][0])' '%s/manifest.json' '%s/manifest.json'",
                python, code, alone, pooled);
    if (rc != 0)
        fail_msg("the job alone is recorded unlike the job in a worker:\n%s", log);
    assert_contains(log, record);
    free(log);
}

static void test_one_job_crash_is_recorded(void **state)
{
    (void)state;
    one_job_ends("GONGKAI_TEST_CRASH=$unit EXPORT; echo \"rc=$?\"", 1,
                 "worker crashed: signal ",
                 "('failed', 'worker crashed: signal ");
}

static void test_one_job_time_limit_is_recorded(void **state)
{
    (void)state;
    one_job_ends("GONGKAI_TEST_HANG=$unit EXPORT --job-timeout 1; echo \"rc=$?\"", 1,
                 "timed out after 1 s", "('failed', 'timed out after 1 s')");
}

static void test_one_job_grace_is_recorded(void **state)
{
    (void)state;
    /* the lock is taken before the job starts; the job then hangs at once */
    one_job_ends("GONGKAI_TEST_HANG=$unit EXPORT --job-timeout 0 & pid=$!; sleep 1; "
                 "kill -TERM $pid; wait $pid; echo \"rc=$?\"",
                 143, "stopped: still running 5 s after the interrupt",
                 "('interrupted', 'stopped: still running 5 s after the interrupt')");
}

/* Item 13: a runaway job is killed at its time limit and recorded; the others go on. */
static void test_job_time_limit(void **state)
{
    (void)state;
    char pkg[1024], out[1024], code[64];
    make_package(pkg, sizeof pkg, 3, 0, 13);
    tu_tempdir(out, sizeof out, "timeout");
    unit_code(pkg, 1, code, sizeof code);
    char *log = NULL;
    int rc = tu_run(&log, "start=$(date +%%s); GONGKAI_TEST_HANG=%s '%s' export '%s' -o '%s' -j 1 "
                          "--job-timeout 1; echo \"rc=$? after $(( $(date +%%s) - start )) s\"",
                    code, GK_EXE, pkg, out);
    assert_int_equal(rc, 0);
    char expected[256];
    snprintf(expected, sizeof expected, "gongkai: unit %s: timed out after 1 s\n", code);
    assert_contains(log, expected);
    assert_contains(log, "gongkai: 3 jobs, 2 exported, 0 up to date, 1 failed\nrc=1 after ");
    int seconds = atoi(strstr(log, "rc=1 after ") + strlen("rc=1 after "));
    assert_true(seconds < 30);
    free(log);
    assert_int_equal(tu_count_outputs(out), 4); /* the two others, no temporary */
    rc = tu_run(&log, "%s -c 'import json; m = json.load(open(\"%s/manifest.json\")); "
                      "print([u[\"error\"] for u in m[\"units\"] if u[\"code\"] == \"%s\"])'",
                python, out, code);
    assert_contains(log, "['timed out after 1 s']");
    free(log);
}

/* Item 13: after SIGTERM a runaway job gets the grace (5 s), then is killed: gongkai does not
 * wait for it for ever. */
static void test_interrupt_does_not_wait_for_ever(void **state)
{
    (void)state;
    char pkg[1024], out[1024], code[64];
    make_package(pkg, sizeof pkg, 2, 0, 14);
    tu_tempdir(out, sizeof out, "grace");
    unit_code(pkg, 1, code, sizeof code);
    char *log = NULL;
    int rc = tu_run(&log, "GONGKAI_TEST_HANG=%s '%s' export '%s' -o '%s' -j 1 --job-timeout 0 & "
                          "pid=$!; sleep 1; start=$(date +%%s); kill -TERM $pid; wait $pid; "
                          "echo \"rc=$? after $(( $(date +%%s) - start )) s\"",
                    code, GK_EXE, pkg, out);
    assert_int_equal(rc, 0);
    assert_contains(log, "stopped: still running 5 s after the interrupt");
    assert_contains(log, "rc=143 after ");
    int seconds = atoi(strstr(log, "rc=143 after ") + strlen("rc=143 after "));
    assert_true(seconds >= 4 && seconds <= 10);
    free(log);
    assert_int_equal(tu_count_outputs(out), 0);
}

/* Item 17: after SIGINT the summary and the manifest count the jobs that never ran; exported
 * are only those that finished ok. */
static void test_interrupt_summary_counts_jobs_not_run(void **state)
{
    (void)state;
    char pkg[1024], out[1024];
    make_package(pkg, sizeof pkg, 120, 0, 15);
    tu_tempdir(out, sizeof out, "interrupt-summary");
    tu_write(out, "counts.py",
             "import json, re, sys\n"
             "log, out = open(sys.argv[1]).read(), sys.argv[2]\n"
             "m = re.search(r'gongkai: (\\d+) jobs, (\\d+) exported, (\\d+) up to date, "
             "(\\d+) failed, (\\d+) interrupted', log)\n"
             "assert m, log[-300:]\n"
             "jobs, done, fresh, failed, stopped = map(int, m.groups())\n"
             "assert jobs == 120 and done + fresh + failed + stopped == jobs, m.groups()\n"
             "assert stopped > 0 and done > 0, m.groups()\n"
             "s = json.load(open(out + '/manifest.json'))\n"
             "units = s['units']\n"
             "assert sum(u['status'] == 'ok' for u in units) == done\n"
             "assert sum(u['status'] == 'interrupted' for u in units) == stopped\n"
             "assert s['summary'] == {'jobs': jobs, 'ok': done, 'failed': failed, "
             "'interrupted': stopped}, s['summary']\n"
             "print('counted', m.groups())\n");
    char *log = NULL;
    int rc = tu_run(&log, "'%s' export '%s' -o '%s' -j 2 > '%s/log' 2>&1 & pid=$!; "
                          WHEN_4_DONE "kill -INT $pid; wait $pid; echo \"rc=$?\"; "
                          "%s '%s/counts.py' '%s/log' '%s'",
                    GK_EXE, pkg, out, out, out, python, out, out, out);
    if (rc != 0)
        fail_msg("the summary after SIGINT:\n%s", log);
    assert_contains(log, "rc=130\n");
    assert_contains(log, "counted");
    free(log);
}

/* Item 15: started with stdout and stderr closed, gongkai still exports every unit
 * (its progress text must not land in a worker's command pipe). */
static void test_closed_standard_fds(void **state)
{
    (void)state;
    char pkg[1024], out[1024];
    make_package(pkg, sizeof pkg, 6, 0, 16);
    tu_tempdir(out, sizeof out, "closed-fds");
    char *log = NULL;
    int rc = tu_run(&log, "'%s' export '%s' -o '%s' -j 2 >&- 2>&-; echo \"rc=$?\"", GK_EXE,
                    pkg, out);
    assert_int_equal(rc, 0);
    assert_contains(log, "rc=0\n");
    free(log);
    assert_int_equal(tu_count_outputs(out), 12);
}

/* Item 11: manifest merge checks every record and requires the complete set of shards; it
 * writes the result even when it lists no job. */
static void test_merge_checks_its_manifests(void **state)
{
    (void)state;
    char pkg[1024], out[1024];
    make_package(pkg, sizeof pkg, 4, 0, 17);
    tu_tempdir(out, sizeof out, "merge");
    export(pkg, out, "--shard 1/2", 0);
    export(pkg, out, "--shard 2/2", 0);
    tu_write(out, "break.py",
             "import json, sys\n"
             "m = json.load(open(sys.argv[1]))\n"
             "del m['units'][0][sys.argv[2]]\n"
             "json.dump(m, open(sys.argv[3], 'w'))\n");
    char *log = NULL;
    int rc = tu_run(&log, "cd '%s' && %s break.py manifest-1-of-2.json kind no-kind.json && "
                          "%s break.py manifest-1-of-2.json code no-code.json && "
                          "'%s' manifest merge -o m.json no-kind.json manifest-2-of-2.json; "
                          "echo \"no kind rc=$?\"; "
                          "'%s' manifest merge -o m.json no-code.json manifest-2-of-2.json; "
                          "echo \"no code rc=$?\"; "
                          "'%s' manifest merge -o m.json manifest-1-of-2.json; echo \"one of two rc=$?\"; "
                          "'%s' manifest merge -o m.json manifest-1-of-2.json manifest-1-of-2.json; "
                          "echo \"twice rc=$?\"; "
                          "echo '{\"units\": []}' > bare.json; "
                          "'%s' manifest merge -o m.json bare.json; echo \"bare rc=$?\"; "
                          "ls m.json",
                    out, python, python, GK_EXE, GK_EXE, GK_EXE, GK_EXE, GK_EXE);
    (void)rc;
    assert_contains(log, "no-kind.json: error: record 1 (");
    assert_contains(log, ") of 'units': 'kind': expected a string, found nothing\nno kind rc=1\n");
    assert_contains(log, "no-code.json: error: record 1 of 'units': 'code': expected a string, "
                         "found nothing\nno code rc=1\n");
    assert_contains(log, "gongkai: error: no manifest of shard 2/2: merge takes the manifests of "
                         "all 2 shards\none of two rc=1\n");
    assert_contains(log, "manifest-1-of-2.json: error: shard 1/2 is also in "
                         "manifest-1-of-2.json\ntwice rc=1\n");
    assert_contains(log, "bare.json: error: not a gongkai manifest: 'gongkai': expected a "
                         "string, found nothing\nbare rc=1\n");
    assert_contains(log, "No such file"); /* no failed merge wrote m.json */
    free(log);
    /* a complete set whose shards hold no job: the result is written, with no job */
    tu_write(out, "empty.py",
             "import json\n"
             "for k in (1, 2):\n"
             "    m = json.load(open('manifest-%d-of-2.json' % k))\n"
             "    m['units'] = []\n"
             "    json.dump(m, open('empty-%d.json' % k, 'w'))\n");
    rc = tu_run(&log, "cd '%s' && %s empty.py && '%s' manifest merge -o m.json empty-2.json "
                      "empty-1.json && %s -c 'import json; m = json.load(open(\"m.json\")); "
                      "print(m[\"units\"], m[\"summary\"], \"shard\" in m)'",
                out, python, GK_EXE, python);
    assert_int_equal(rc, 0);
    assert_contains(log, "[] {'jobs': 0, 'ok': 0, 'failed': 0, 'interrupted': 0} False");
    free(log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_bytes_at_j1_and_j2),
        cmocka_unit_test(test_shards_merge_to_one_run),
        cmocka_unit_test(test_department_shards_merge_to_one_run),
        cmocka_unit_test(test_resume_skips_up_to_date),
        cmocka_unit_test(test_department_booklet_sums_its_units),
        cmocka_unit_test(test_smoke_200_units_20_failures),
        cmocka_unit_test(test_interrupt_leaves_whole_files),
        cmocka_unit_test(test_second_export_into_one_out_stops),
        cmocka_unit_test(test_shards_share_one_out),
        cmocka_unit_test(test_job_time_limit),
        cmocka_unit_test(test_one_job_runs_in_the_exporting_process),
        cmocka_unit_test(test_one_job_crash_is_recorded),
        cmocka_unit_test(test_one_job_time_limit_is_recorded),
        cmocka_unit_test(test_one_job_grace_is_recorded),
        cmocka_unit_test(test_interrupt_does_not_wait_for_ever),
        cmocka_unit_test(test_interrupt_summary_counts_jobs_not_run),
        cmocka_unit_test(test_closed_standard_fds),
        cmocka_unit_test(test_merge_checks_its_manifests),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
