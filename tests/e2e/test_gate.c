/* The publishing gate (src/export): every document that leaves gongkai is checked first, a
 * job's files are published together or not at all, and temporaries stay beside their final
 * files. Department booklets and long unit names are cases of tests/bad (320–329). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gongkai/gongkai.h"

#include "../support/testutil.h"

#define SAMPLE GK_SOURCE_DIR "/samples/leshan-hrss-info-2025"
#define PUBLISHED GK_SOURCE_DIR "/tests/published"
#define STEM "302309_乐山市人力资源和社会保障信息中心_2025"

static bool exists(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct stat st;
    return stat(path, &st) == 0;
}

/* The workbook cannot be renamed into place after the booklet was: the new booklet must not
 * stay beside an old workbook; the job leaves none of its files and the manifest says so. */
static void test_outputs_publish_together(void **state)
{
    (void)state;
    char out[1024];
    tu_tempdir(out, sizeof out, "together");
    char *log = NULL;
    assert_int_equal(tu_run(&log, "'%s' export '%s' -o '%s' -j 1 --quiet", GK_EXE, SAMPLE, out), 0);
    free(log);
    assert_true(exists(out, STEM ".pdf") && exists(out, STEM ".xlsx"));
    int rc = tu_run(&log, "GK_FAIL_RENAME=.xlsx LD_PRELOAD='%s' '%s' export '%s' -o '%s' -j 1",
                    GK_FAIL_IO, GK_EXE, SAMPLE, out);
    assert_int_equal(rc, 1);
    assert_contains(log, "cannot rename the output: Input/output error");
    free(log);
    assert_false(exists(out, STEM ".pdf"));
    assert_false(exists(out, STEM ".xlsx"));
    assert_int_equal(tu_count_outputs(out), 0);
    assert_int_equal(tu_run(&log, "python3 -c 'import json,sys; u=json.load(open(sys.argv[1]))"
                                  "[\"units\"][0]; assert u[\"status\"]==\"failed\" and "
                                  "u[\"outputs\"]==[], u' '%s/manifest.json'", out), 0);
    free(log);
}

/* An output folder whose path is longer than the old 1,024-byte buffers: every temporary is
 * made in OUT itself (renamed within it), none in its parent. */
static void test_long_output_path(void **state)
{
    (void)state;
    char base[1024], out[4096], renames[1100];
    tu_tempdir(base, sizeof base, "longpath");
    snprintf(renames, sizeof renames, "%s/renames.log", base);
    snprintf(out, sizeof out, "%s", base);
    while (strlen(out) < 1030)
        strncat(out, "/dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd",
                sizeof out - strlen(out) - 1);
    char *log = NULL;
    int rc = tu_run(&log, "GK_LOG_RENAME='%s' LD_PRELOAD='%s' '%s' export '%s' -o '%s' -j 1 "
                          "--quiet", renames, GK_FAIL_IO, GK_EXE, SAMPLE, out);
    assert_int_equal(rc, 0);
    free(log);
    assert_int_equal(tu_count_outputs(out), 2);
    /* every rename stays within one folder, and the booklet and workbook went to OUT */
    rc = tu_run(&log, "python3 -c 'import os,sys\n"
                      "moves=[l.rstrip(\"\\n\").split(\"\\t\") for l in open(sys.argv[1])]\n"
                      "assert len(moves)>=3, moves\n"
                      "for a,b in moves: assert os.path.dirname(a)==os.path.dirname(b), (a,b)\n"
                      "assert sum(os.path.dirname(b)==sys.argv[2] for a,b in moves)>=3\n"
                      "' '%s' '%s'",
                renames, out);
    if (rc != 0)
        fprintf(stderr, "%s\n", log);
    assert_int_equal(rc, 0);
    free(log);
}

/* The library goes through the same gate: a unit whose checks find errors is refused, and
 * leaves no file (an earlier one at the path is removed); gk_set_force writes it. */
static void test_library_refuses_a_unit_with_errors(void **state)
{
    (void)state;
    char dir[1024], path[1100];
    tu_tempdir(dir, sizeof dir, "library");
    snprintf(path, sizeof path, "%s/unit.pdf", dir);
    tu_write(dir, "unit.pdf", "an earlier booklet");
    gk_session *session = NULL;
    gk_diag diag;
    gk_diag_clear(&diag);
    assert_int_equal(gk_open(PUBLISHED, NULL, &session, &diag), GK_OK);
    size_t errors = 0;
    assert_int_equal(gk_check(session, 0, &errors, NULL, NULL, NULL, &diag), GK_OK);
    assert_true(errors > 0);
    assert_int_equal(gk_export_file(session, 0, "pdf", path, &diag), GK_ERR_DATA);
    /* the first error of the checks, where it is: "[PROJECT-NAME] 公开表6: …" in 6.csv */
    assert_true(diag.message[0] == '[' && diag.line > 0);
    assert_non_null(strstr(diag.file, "tests/published/tables/"));
    assert_false(exists(dir, "unit.pdf"));
    assert_int_equal(tu_count_entries(dir), 0);
    gk_set_force(session, 1);
    assert_int_equal(gk_export_file(session, 0, "pdf", path, &diag), GK_OK);
    assert_true(exists(dir, "unit.pdf"));
    gk_close(session);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_outputs_publish_together),
        cmocka_unit_test(test_long_output_path),
        cmocka_unit_test(test_library_refuses_a_unit_with_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
