/* One process, many booklets (issue 13): a worker exports unit after unit, and the PDF fonts'
 * faces are parsed once per process, not once per booklet. Nothing of one booklet may reach the
 * next: each booklet's embedded fonts hold its own characters only, so a booklet exported after
 * others (and after a failed one) is byte-identical to the same booklet exported alone by a
 * fresh process. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "gongkai/gongkai.h"
#include "backends/pdf_font.h"

#include "../support/testutil.h"

#define LESHAN GK_SOURCE_DIR "/samples/leshan-hrss-info-2025"
#define SHOWCASE GK_SOURCE_DIR "/samples/example-unit-2025"
#define LESHAN_STEM "302309_乐山市人力资源和社会保障信息中心_2025"
#define SHOWCASE_STEM "900001_示例单位（虚构）_2025"

static char workdir[1024];

/* The booklet of package's only unit, exported by a fresh gongkai process. */
static char *booklet_alone(const char *package, const char *name, const char *stem, size_t *len)
{
    char out[1200], path[1500];
    snprintf(out, sizeof out, "%s/%s", workdir, name);
    char *log = NULL;
    int rc = tu_run(&log, "'%s' export '%s' -o '%s' -j 1 --format pdf --quiet", GK_EXE, package,
                    out);
    if (rc != 0)
        fail_msg("export of %s alone failed: %s", package, log);
    free(log);
    snprintf(path, sizeof path, "%s/%s.pdf", out, stem);
    char *bytes = tu_read(path, len);
    assert_non_null(bytes);
    return bytes;
}

/* The booklet of package's only unit, exported by this process through the library. */
static gk_status booklet_here(const char *package, void **bytes, size_t *len, gk_diag *diag)
{
    gk_session *session = NULL;
    gk_status st = gk_open(package, NULL, &session, diag);
    if (st == GK_OK)
        st = gk_export_memory(session, 0, "pdf", bytes, len, diag);
    gk_close(session);
    return st;
}

static void assert_same_booklet(const char *what, const void *here, size_t here_len,
                                const char *alone, size_t alone_len)
{
    if (here_len != alone_len || memcmp(here, alone, alone_len) != 0)
        fail_msg("%s: %zu bytes in this process, %zu exported alone", what, here_len, alone_len);
}

/* A copy of the sample whose bold narrative has ㉑, which the Hei face lacks: its export fails
 * after the fonts are opened (tests/bad/370 is the same fault on the command line). */
static void make_failing_package(char *dir, size_t size)
{
    snprintf(dir, size, "%s/failing", workdir);
    tu_copy_tree(LESHAN, dir);
    char *log = NULL;
    assert_int_equal(tu_run(&log, "sed -i 's/\\*\\*信息安全\\*\\*/**信息安全㉑**/' "
                                  "'%s/narrative/302309/overview.md'", dir), 0);
    free(log);
}

static void test_booklets_in_one_process_equal_booklets_alone(void **state)
{
    (void)state;
    size_t leshan_len, showcase_len;
    char *leshan = booklet_alone(LESHAN, "leshan", LESHAN_STEM, &leshan_len);
    char *showcase = booklet_alone(SHOWCASE, "showcase", SHOWCASE_STEM, &showcase_len);
    char failing[1100];
    make_failing_package(failing, sizeof failing);
    size_t parsed_before = gk_pdf_font_faces_parsed();
    gk_diag diag;
    gk_diag_clear(&diag);
    void *bytes = NULL;
    size_t len = 0;
    /* Leshan, the showcase (other characters), a failure, the showcase and Leshan again */
    assert_int_equal(booklet_here(LESHAN, &bytes, &len, &diag), GK_OK);
    assert_same_booklet("Leshan first", bytes, len, leshan, leshan_len);
    free(bytes);
    assert_int_equal(booklet_here(SHOWCASE, &bytes, &len, &diag), GK_OK);
    assert_same_booklet("the showcase after Leshan", bytes, len, showcase, showcase_len);
    free(bytes);
    assert_int_equal(booklet_here(failing, &bytes, &len, &diag), GK_ERR_DATA);
    assert_non_null(strstr(diag.message, "U+3251"));
    gk_diag_clear(&diag);
    assert_int_equal(booklet_here(SHOWCASE, &bytes, &len, &diag), GK_OK);
    assert_same_booklet("the showcase after a failed booklet", bytes, len, showcase,
                        showcase_len);
    free(bytes);
    assert_int_equal(booklet_here(LESHAN, &bytes, &len, &diag), GK_OK);
    assert_same_booklet("Leshan after the showcase", bytes, len, leshan, leshan_len);
    free(bytes);
    /* the Song and Hei faces were parsed for the first booklet only */
    assert_int_equal(gk_pdf_font_faces_parsed() - parsed_before, 2);
    free(leshan);
    free(showcase);
}

/* The same through the command line: one -j1 worker exports both units of a package in a row,
 * and each booklet equals the one a process exporting only that unit writes. */
static void test_batch_booklets_equal_booklets_alone(void **state)
{
    (void)state;
    char package[1100], together[1100], alone[1200];
    snprintf(package, sizeof package, "%s/two-units", workdir);
    snprintf(together, sizeof together, "%s/together", workdir);
    snprintf(alone, sizeof alone, "%s/alone", workdir);
    char *log = NULL;
    assert_int_equal(tu_run(&log, "python3 '%s/tests/bench/make_package.py' '%s' --units 2 "
                                  "--seed 13", GK_SOURCE_DIR, package), 0);
    free(log);
    assert_int_equal(tu_run(&log, "'%s' export '%s' -o '%s' -j 1 --format pdf --quiet", GK_EXE,
                            package, together), 0);
    free(log);
    /* each unit alone, then byte-compare every booklet with its lone twin */
    int rc = tu_run(&log,
                    "set -e; n=0; for pdf in '%s'/*.pdf; do code=$(basename \"$pdf\" | "
                    "cut -d_ -f1); out='%s'-$code; '%s' export '%s' -o \"$out\" -j 1 "
                    "--format pdf --unit $code --quiet; cmp \"$pdf\" \"$out\"/$(basename "
                    "\"$pdf\"); n=$((n+1)); done; test $n -eq 2",
                    together, alone, GK_EXE, package);
    if (rc != 0)
        fail_msg("a booklet of the batch differs from the unit exported alone: %s", log);
    free(log);
}

int main(void)
{
    tu_tempdir(workdir, sizeof workdir, "pdf_reuse");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_booklets_in_one_process_equal_booklets_alone),
        cmocka_unit_test(test_batch_booklets_equal_booklets_alone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
