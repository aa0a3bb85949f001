/* Page breaks of the narrative a typesetter accepts (check_flow.py): no page ends with a
 * heading, no paragraph leaves one line alone at the foot or the top of a page. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "../support/testutil.h"

#define SAMPLE GK_SOURCE_DIR "/samples/leshan-hrss-info-2025"
#define BOOKLET "302309_乐山市人力资源和社会保障信息中心_2025.pdf"

static void test_sample_page_breaks(void **state)
{
    (void)state;
    char out[1024];
    tu_tempdir(out, sizeof out, "flow");
    char *log = NULL;
    int rc = tu_run(&log, "'%s' export '%s' -o '%s' --format pdf --quiet", GK_EXE, SAMPLE, out);
    if (rc != 0)
        fail_msg("export failed (%d):\n%s", rc, log);
    free(log);
    rc = tu_run(&log, "/usr/bin/python3 '%s/tests/e2e/check_flow.py' '%s/%s' '%s/narrative/302309'",
                GK_SOURCE_DIR, out, BOOKLET, SAMPLE);
    if (rc != 0)
        fail_msg("check_flow.py found page breaks to mend:\n%s", log);
    free(log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sample_page_breaks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
