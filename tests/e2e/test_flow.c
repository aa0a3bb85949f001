/* Page breaks of the narrative a typesetter accepts (check_flow.py): no page ends with a
 * heading, no paragraph leaves one line alone at the foot or the top of a page. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "../support/testutil.h"

/* Exports a package's booklet and reads its page breaks back. */
static void check_page_breaks(const char *package, const char *booklet, const char *code)
{
    char out[1024];
    tu_tempdir(out, sizeof out, "flow");
    char *log = NULL;
    int rc = tu_run(&log, "'%s' export '%s' -o '%s' --format pdf --quiet", GK_EXE, package, out);
    if (rc != 0)
        fail_msg("export failed (%d):\n%s", rc, log);
    free(log);
    rc = tu_run(&log, "/usr/bin/python3 '%s/tests/e2e/check_flow.py' '%s/%s' '%s/narrative/%s'",
                GK_SOURCE_DIR, out, booklet, package, code);
    if (rc != 0)
        fail_msg("check_flow.py found page breaks to mend:\n%s", log);
    free(log);
}

static void test_sample_page_breaks(void **state)
{
    (void)state;
    check_page_breaks(GK_SOURCE_DIR "/samples/leshan-hrss-info-2025",
                      "302309_乐山市人力资源和社会保障信息中心_2025.pdf", "302309");
}

/* The showcase's 三、… heading is followed by （一）… at the foot of a page: both move on. */
static void test_showcase_page_breaks(void **state)
{
    (void)state;
    check_page_breaks(GK_SOURCE_DIR "/samples/example-unit-2025", "900001_示例单位（虚构）_2025.pdf",
                      "900001");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sample_page_breaks),
        cmocka_unit_test(test_showcase_page_breaks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
