/* I/O faults: a full disk at many sizes, a read-only output folder, no usable /tmp, a failed
 * rename, a failed fsync. Each gives a clear error and exit 1, never a false success and never
 * a partial file at a final path; the other units of a batch are still exported. The mounts
 * happen in a private mount namespace (unshare -m), as root, as CI runs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "../support/testutil.h"

#define SAMPLE GK_SOURCE_DIR "/samples/leshan-hrss-info-2025"

/* Inside the namespace: export to a tmpfs of `size`, then judge every file left there. */
static const char verify[] =
    "out=$1; rc=$2; broken=0; tmp=0; files=0\n"
    "for f in \"$out\"/* \"$out\"/.*; do\n"
    "  case \"$f\" in */.|*/..) continue;; esac\n"
    "  [ -e \"$f\" ] || continue\n"
    "  case \"$f\" in\n"
    "    *.tmp.*) tmp=$((tmp+1));;\n"
    "    *.pdf) files=$((files+1)); qpdf --check \"$f\" >/dev/null 2>&1 || broken=$((broken+1));;\n"
    "    *.xlsx) files=$((files+1)); unzip -tq \"$f\" >/dev/null 2>&1 || broken=$((broken+1));;\n"
    "    *manifest.json) /usr/bin/python3 -c 'import json,sys; json.load(open(sys.argv[1]))' \"$f\" || broken=$((broken+1));;\n"
    "    *) tmp=$((tmp+1));;\n"
    "  esac\n"
    "done\n"
    "echo \"rc=$rc files=$files broken=$broken tmp=$tmp\"\n";

static void test_full_disk_at_every_stage(void **state)
{
    (void)state;
    char dir[1024];
    tu_tempdir(dir, sizeof dir, "fulldisk");
    tu_write(dir, "verify.sh", verify);
    /* from nothing fits, through "the booklet fits but not the workbook", to everything fits */
    static const char *const sizes[] = {"4k", "64k", "200k", "232k", "250k", "270k", "300k", "2m"};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        char *log = NULL;
        int rc = tu_run(&log, "mkdir -p '%s/mnt' && unshare -m --propagation private sh -c "
                              "\"mount -t tmpfs -o size=%s tmpfs '%s/mnt' && "
                              "'%s' export '%s' -o '%s/mnt' -j 1 --quiet; "
                              "sh '%s/verify.sh' '%s/mnt' \\$?\"",
                        dir, sizes[i], dir, GK_EXE, SAMPLE, dir, dir, dir);
        if (rc != 0 || strstr(log, "broken=0 tmp=0") == NULL ||
            (strstr(log, "rc=0 ") != NULL && strstr(log, "files=2 ") == NULL) ||
            (strstr(log, "rc=0 ") == NULL && strstr(log, "rc=1 ") == NULL))
            fail_msg("tmpfs of %s: %s", sizes[i], log);
        print_message("tmpfs %-5s %s", sizes[i], strrchr(log, '\n') ? log : log);
        free(log);
    }
}

static void test_read_only_output(void **state)
{
    (void)state;
    char dir[1024];
    tu_tempdir(dir, sizeof dir, "readonly");
    char *log = NULL;
    int rc = tu_run(&log, "mkdir -p '%s/mnt' && unshare -m --propagation private sh -c "
                          "\"mount -t tmpfs -o ro,size=1m tmpfs '%s/mnt' && "
                          "'%s' export '%s' -o '%s/mnt'; echo rc=\\$?; ls -a '%s/mnt' | wc -l\"",
                    dir, dir, GK_EXE, SAMPLE, dir, dir);
    assert_int_equal(rc, 0);
    assert_contains(log, "error: cannot create a file in");
    assert_contains(log, "Read-only file system");
    assert_contains(log, "rc=1\n2\n"); /* only . and .. */
    free(log);
    rc = tu_run(&log, "mkdir -p '%s/mnt' && unshare -m --propagation private sh -c "
                      "\"mount -t tmpfs -o ro,size=1m tmpfs '%s/mnt' && "
                      "'%s' export '%s' -o '%s/mnt/new'; echo rc=\\$?\"",
                dir, dir, GK_EXE, SAMPLE, dir);
    assert_contains(log, "error: cannot create the output folder: Read-only file system");
    assert_contains(log, "rc=1\n");
    free(log);
}

/* libxlsxwriter's temporary files go to $TMPDIR, /tmp, then the current folder: gongkai gives
 * it a private folder beside the output instead, so a read-only $TMPDIR and a read-only current
 * folder change nothing. (/tmp itself is not covered over: the build may live there.) */
static void test_no_usable_tmp(void **state)
{
    (void)state;
    char dir[1024], out[1024];
    tu_tempdir(dir, sizeof dir, "notmp");
    tu_tempdir(out, sizeof out, "notmp-out");
    char *log = NULL;
    int rc = tu_run(&log, "mkdir -p '%s/ro' && unshare -m --propagation private sh -c "
                          "\"mount -t tmpfs -o ro,size=16k tmpfs '%s/ro' && cd '%s/ro' && "
                          "TMPDIR='%s/ro' '%s' export '%s' -o '%s' --quiet; echo rc=\\$?\"; "
                          "ls -a '%s'",
                    dir, dir, dir, dir, GK_EXE, GK_SOURCE_DIR "/samples/leshan-hrss-info-2025",
                    out, out);
    assert_int_equal(rc, 0);
    assert_contains(log, "rc=0\n");
    assert_null(strstr(log, ".tmp."));
    assert_int_equal(tu_count_outputs(out), 2);
    free(log);
}

static void test_failed_rename_and_fsync(void **state)
{
    (void)state;
    char pkg[1024], out[1024];
    tu_tempdir(pkg, sizeof pkg, "pkg");
    char *log = NULL;
    assert_int_equal(tu_run(&log, "/usr/bin/python3 '%s/tests/bench/make_package.py' '%s' --units 3 "
                                  "--seed 9", GK_SOURCE_DIR, pkg), 0);
    free(log);
    /* the first unit's booklet cannot be renamed into place; the others are exported */
    tu_tempdir(out, sizeof out, "rename");
    int rc = tu_run(&log, "first=$(awk -F, 'NR==2 {print $1}' '%s/units.csv'); "
                          "GK_FAIL_RENAME=\"${first}_\" LD_PRELOAD='%s' '%s' export '%s' -o '%s' -j 1; "
                          "echo rc=$?; ls -a '%s' | grep -c '\\.tmp\\.'; ls '%s' | grep -c \"^${first}_\"",
                    pkg, GK_FAIL_IO, GK_EXE, pkg, out, out, out);
    (void)rc;
    assert_contains(log, "error: cannot rename the output: Input/output error");
    assert_contains(log, "gongkai: 3 jobs, 2 exported, 0 up to date, 1 failed");
    assert_contains(log, "rc=1\n0\n0\n");
    assert_int_equal(tu_count_outputs(out), 4);
    free(log);
    /* fsync failing everywhere: nothing is published, nothing is left */
    tu_tempdir(out, sizeof out, "fsync");
    rc = tu_run(&log, "GK_FAIL_FSYNC=1 LD_PRELOAD='%s' '%s' export '%s' -o '%s' -j 1; echo rc=$?",
                GK_FAIL_IO, GK_EXE, pkg, out);
    assert_contains(log, "error: cannot sync the output: Input/output error");
    assert_contains(log, "rc=1\n");
    assert_int_equal(tu_count_outputs(out), 0);
    free(log);
}

/* reliability.md F2: libxlsxwriter writes each part to a temporary file first. Under a file
 * size limit (SIGXFSZ ignored, so writes fail with EFBIG as on a full disk) the shared strings (a 90 KB text in 公开表8) are cut short there, zipped as they
 * are, with a CRC-32 that matches the cut part, and workbook_close reports success: only the
 * read-back can refuse the workbook, and nothing is published. */
static void test_workbook_part_cut_short_before_zipping(void **state)
{
    (void)state;
    char dir[1024];
    tu_tempdir(dir, sizeof dir, "cutpart");
    char *log = NULL;
    int rc = tu_run(&log, "cp -r '%s' '%s/pkg' && cd '%s' && /usr/bin/python3 -c \"p='pkg/tables/8.csv'; "
                          "s=open(p,encoding='utf-8').read().rstrip(); "
                          "open(p,'w',encoding='utf-8').write(s + '长' * 30000 + '\\n')\" && "
                          "trap '' XFSZ && prlimit --fsize=65536 '%s' export pkg -o out "
                          "--format xlsx -j 1; "
                          "echo rc=$?",
                    SAMPLE, dir, dir, GK_EXE);
    assert_int_equal(rc, 0);
    assert_contains(log, "error: XLSX: the written workbook is damaged: xl/sharedStrings.xml is "
                         "not well-formed XML");
    assert_contains(log, "rc=1\n");
    char out[1100];
    snprintf(out, sizeof out, "%s/out", dir);
    assert_int_equal(tu_count_outputs(out), 0);
    free(log);
}

/* A workbook damaged after libxlsxwriter closed it — a byte of a part's compressed data, a
 * byte of the central directory — is refused by the read-back, and nothing is published. */
static void test_workbook_damaged_after_writing(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"100", "[Content_Types].xml"}, /* inside the first part's deflate data */
        {"-30", "does not match its local header"}, /* the last directory entry's name */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char out[1024];
        tu_tempdir(out, sizeof out, "damaged");
        char *log = NULL;
        int rc = tu_run(&log, "GK_CORRUPT_ZIP=%s LD_PRELOAD='%s' '%s' export '%s' -o '%s' "
                              "--format xlsx -j 1; echo rc=$?",
                        cases[i][0], GK_FAIL_IO, GK_EXE, SAMPLE, out);
        assert_int_equal(rc, 0);
        assert_contains(log, "error: XLSX: the written workbook is damaged: ");
        assert_contains(log, cases[i][1]);
        assert_contains(log, "rc=1\n");
        assert_int_equal(tu_count_outputs(out), 0);
        free(log);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_disk_at_every_stage),
        cmocka_unit_test(test_read_only_output),
        cmocka_unit_test(test_no_usable_tmp),
        cmocka_unit_test(test_failed_rename_and_fsync),
        cmocka_unit_test(test_workbook_part_cut_short_before_zipping),
        cmocka_unit_test(test_workbook_damaged_after_writing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
