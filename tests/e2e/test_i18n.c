/* Messages for people in two languages: the CLI speaks Chinese under LANG=zh_CN.UTF-8 and
 * English under LANG=C, diagnostics keep FILE:LINE:COL and rule ids in both, the outputs are the
 * same bytes in both, and po/zh_CN.po translates every message the sources contain. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "../support/testutil.h"

#define PUBLISHED GK_SOURCE_DIR "/tests/published"
#define SAMPLE GK_SOURCE_DIR "/samples/leshan-hrss-info-2025"
/* only LANG decides: whatever the test runner's environment says about locales is dropped */
#define IN_CHINESE "env -u LC_ALL -u LC_MESSAGES -u LC_CTYPE -u LANGUAGE LANG=zh_CN.UTF-8"
#define IN_ENGLISH "env -u LC_ALL -u LC_MESSAGES -u LC_CTYPE -u LANGUAGE LANG=C"

static int need_chinese_locale(void **state)
{
    (void)state;
    if (tu_run(NULL, "locale -a | grep -qix 'zh_CN.utf8'") != 0) {
        fprintf(stderr, "the zh_CN.UTF-8 locale is not generated on this machine: "
                        "`.ci/deps test` generates it (localedef -i zh_CN -f UTF-8 zh_CN.UTF-8)\n");
        return -1;
    }
    return 0;
}

static void test_every_message_is_translated(void **state)
{
    (void)state;
    char dir[1024];
    tu_tempdir(dir, sizeof dir, "i18n-pot");
    char *log = NULL;
    /* the messages the sources contain now, against the translation */
    int rc = tu_run(&log, "%s -o '%s/gongkai.pot' && msgcmp '%s/po/zh_CN.po' '%s/gongkai.pot' && "
                          "msgfmt --check --statistics -o /dev/null '%s/po/zh_CN.po'",
                    GK_XGETTEXT_COMMAND, dir, GK_SOURCE_DIR, dir, GK_SOURCE_DIR);
    if (rc != 0)
        fail_msg("po/zh_CN.po is not complete (run `make update-po` and translate):\n%s", log);
    assert_contains(log, "translated message");
    if (strstr(log, "untranslated") || strstr(log, "fuzzy"))
        fail_msg("po/zh_CN.po has untranslated or fuzzy messages:\n%s", log);
    free(log);
}

static void test_help_in_both_languages(void **state)
{
    (void)state;
    char *log = NULL;
    assert_int_equal(tu_run(&log, IN_CHINESE " '%s' --help", GK_EXE), 0);
    assert_contains(log, "用法：");
    assert_contains(log, "  gongkai export PACKAGE -o OUTDIR");
    assert_contains(log, "选项：");
    assert_null(strstr(log, "Usage:"));
    free(log);
    assert_int_equal(tu_run(&log, IN_CHINESE " '%s' help check", GK_EXE), 0);
    assert_contains(log, "对每个单位执行版式配置中的规则目录");
    assert_null(strstr(log, "gongkai template"));
    free(log);
    assert_int_equal(tu_run(&log, IN_ENGLISH " '%s' --help", GK_EXE), 0);
    assert_contains(log, "Usage:");
    assert_contains(log, "Options:");
    assert_null(strstr(log, "用法"));
    free(log);
    assert_int_equal(tu_run(&log, IN_CHINESE " '%s' export", GK_EXE), 2);
    assert_contains(log, "gongkai: 缺少 PACKAGE");
    free(log);
}

/* The published booklet's findings: positions, severities, rule ids, figures. */
static void test_findings_keep_positions_and_rule_ids(void **state)
{
    (void)state;
    char *zh = NULL, *en = NULL;
    assert_int_equal(tu_run(&zh, "cd '%s' && " IN_CHINESE " '%s' check tests/published",
                            GK_SOURCE_DIR, GK_EXE), 1);
    assert_int_equal(tu_run(&en, "cd '%s' && " IN_ENGLISH " '%s' check tests/published",
                            GK_SOURCE_DIR, GK_EXE), 1);
    assert_contains(zh, "tests/published/tables/3-1.csv:2:23: 警告：[SUM-LEVELS-ROUNDING] ");
    assert_contains(zh, "（应为 134.27，实为 134.26）");
    assert_contains(zh, "tests/published/narrative/302309/explanation.md:17:35: 错误：[NARRATIVE-FIGURE] ");
    assert_contains(zh, "tests/published/tables/3.csv:5:19: 错误：[UNIT-ID] ");
    assert_contains(zh, "gongkai：7 个错误，3 个警告");
    assert_contains(en, "tests/published/tables/3-1.csv:2:23: warning: [SUM-LEVELS-ROUNDING] ");
    assert_contains(en, "(expected 134.27, found 134.26)");
    assert_contains(en, "gongkai: 7 errors, 3 warnings");
    /* no English sentence left in the Chinese findings: every line but the unit banner has CJK
     * text after its rule id */
    assert_null(strstr(zh, " is not "));
    assert_null(strstr(zh, "expected"));
    free(zh);
    free(en);
}

/* A malformed amount: a parse error keeps FILE:LINE:COL in Chinese. */
static void test_input_errors_keep_positions(void **state)
{
    (void)state;
    char dir[1024];
    tu_tempdir(dir, sizeof dir, "i18n-bad");
    tu_copy_tree(SAMPLE, dir);
    char *log = NULL;
    assert_int_equal(tu_run(NULL, "sed -i '2s/,134.26,134.26,/,12x.5,134.26,/' '%s/tables/3-1.csv'", dir), 0);
    assert_int_equal(tu_run(&log, IN_CHINESE " '%s' check '%s'", GK_EXE, dir), 1);
    assert_contains(log, "/tables/3-1.csv:2:");
    assert_contains(log, ": 错误：");
    assert_contains(log, "12x.5");
    free(log);
}

/* Messages are UTF-8 whatever the locale's character set: with LC_CTYPE=C (a cron job, a
 * service) and LC_MESSAGES in Chinese, gettext used to turn them into question marks, the
 * system's own words (strerror) included. */
static void test_messages_in_utf8_under_any_character_set(void **state)
{
    (void)state;
    char dir[1024];
    tu_tempdir(dir, sizeof dir, "i18n-ctype");
    char *log = NULL;
    assert_int_equal(tu_run(NULL, "touch '%s/file'", dir), 0);
    int rc = tu_run(&log, "env -u LC_ALL -u LANGUAGE LANG= LC_CTYPE=C LC_MESSAGES=zh_CN.UTF-8 "
                          "'%s' export '%s' -o '%s/file/out'",
                    GK_EXE, SAMPLE, dir);
    assert_int_not_equal(rc, 0);
    assert_contains(log, "错误：无法创建输出目录：不是目录");
    assert_null(strstr(log, "??"));
    free(log);
}

/* Translations change what people read, never what is published. */
static void test_outputs_are_the_same_bytes_in_both_languages(void **state)
{
    (void)state;
    char zh[1024], en[1024];
    tu_tempdir(zh, sizeof zh, "i18n-zh");
    tu_tempdir(en, sizeof en, "i18n-en");
    char *log = NULL;
    int rc = tu_run(&log, IN_CHINESE " '%s' export '%s' -o '%s' && " IN_ENGLISH
                          " '%s' export '%s' -o '%s' && cmp '%s'/*.pdf '%s'/*.pdf && "
                          "cmp '%s'/*.xlsx '%s'/*.xlsx",
                    GK_EXE, SAMPLE, zh, GK_EXE, SAMPLE, en, zh, en, zh, en);
    if (rc != 0)
        fail_msg("exports differ or failed (%d):\n%s", rc, log);
    assert_contains(log, "302309"); /* the summary names the unit in both runs */
    free(log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_message_is_translated),
        cmocka_unit_test(test_help_in_both_languages),
        cmocka_unit_test(test_findings_keep_positions_and_rule_ids),
        cmocka_unit_test(test_input_errors_keep_positions),
        cmocka_unit_test(test_outputs_are_the_same_bytes_in_both_languages),
        cmocka_unit_test(test_messages_in_utf8_under_any_character_set),
    };
    return cmocka_run_group_tests(tests, need_chinese_locale, NULL);
}
