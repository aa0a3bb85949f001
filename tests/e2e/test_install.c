/* The installed program: `cmake --install` into a fresh prefix, then gongkai run from another
 * folder finds its profiles, fonts and translations there (no flags), doctor is clean (in
 * English and Chinese), the man page renders
 * and bash completion is in place; a program using only the installed header, library and
 * pkg-config file (samples/example) builds and runs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "../support/testutil.h"

/* One `cmake --install` for the whole group; both tests read the installed tree. */
static char prefix[1024];

static int install_once(void **state)
{
    (void)state;
    tu_tempdir(prefix, sizeof prefix, "prefix");
    char *log = NULL;
    int rc = tu_run(&log, "cmake --install '%s' --prefix '%s'", GK_BINARY_DIR, prefix);
    if (rc != 0)
        fprintf(stderr, "cmake --install failed (%d):\n%s", rc, log);
    free(log);
    return rc;
}

static void test_install_and_run_anywhere(void **state)
{
    (void)state;
    char elsewhere[1024];
    tu_tempdir(elsewhere, sizeof elsewhere, "elsewhere");
    char *log = NULL;
    int rc = tu_run(&log, "cd '%s' && "
                          "env -u GONGKAI_LAYOUTS -u GONGKAI_FONTS '%s/bin/gongkai' export "
                          "'%s/samples/leshan-hrss-info-2025' -o out --quiet && ls out && "
                          "env -u GONGKAI_LAYOUTS -u GONGKAI_FONTS '%s/bin/gongkai' doctor && "
                          "env -u LC_ALL -u LANGUAGE LANG=zh_CN.UTF-8 '%s/bin/gongkai' doctor && "
                          "MANWIDTH=80 man -l '%s/share/man/man1/gongkai.1' | head -5 && "
                          "ls '%s/share/bash-completion/completions/gongkai' '%s/share/gongkai/fonts'",
                    elsewhere, prefix, GK_SOURCE_DIR, prefix, prefix, prefix, prefix, prefix);
    if (rc != 0)
        fail_msg("installed gongkai failed (%d):\n%s", rc, log);
    assert_contains(log, "302309_乐山市人力资源和社会保障信息中心_2025.pdf");
    assert_contains(log, "/share/gongkai/layouts/sichuan-2025");
    assert_contains(log, "gongkai doctor: all is well");
    assert_contains(log, "gongkai doctor：一切正常"); /* the installed translation is found */
    assert_contains(log, "gongkai - budget disclosure booklets");
    assert_contains(log, "fonts.sha256");
    free(log);
}

static void test_library_example_builds_against_install(void **state)
{
    (void)state;
    char *log = NULL;
    int rc = tu_run(&log, "pc=$(dirname \"$(find '%s' -name gongkai.pc)\") && "
                          "flags=$(PKG_CONFIG_PATH=\"$pc\" pkg-config --define-variable=prefix='%s' "
                          "--cflags --libs gongkai) && "
                          "'%s' %s '%s/samples/example/export_unit.c' $flags -o '%s/export_unit' && "
                          "LD_LIBRARY_PATH=\"$pc/..\" '%s/export_unit' "
                          "'%s/samples/leshan-hrss-info-2025'",
                    prefix, prefix, GK_C_COMPILER, GK_C_FLAGS,
                    GK_SOURCE_DIR, prefix, prefix, GK_SOURCE_DIR);
    if (rc != 0)
        fail_msg("the library example failed (%d):\n%s", rc, log);
    assert_contains(log, "1 unit(s), the first is 302309 乐山市人力资源和社会保障信息中心");
    assert_contains(log, "0 error(s), 3 warning(s)");
    assert_contains(log, "workbook: ");
    assert_contains(log, "bytes, starts with PK");
    free(log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_install_and_run_anywhere),
        cmocka_unit_test(test_library_example_builds_against_install),
    };
    return cmocka_run_group_tests(tests, install_once, NULL);
}
