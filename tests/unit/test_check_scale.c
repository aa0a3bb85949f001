/* The checks' work grows linearly with a unit's rows and findings (issue 13). Each scenario of
 * tests/bench/grow_unit.py grows one table of a synthetic unit (or its narrative) to N, 2N and
 * 4N rows, most of them findings; the work counter gk_steps (values.h: rows visited, rows and
 * figures compared, characters counted) must grow by about as much from 2N to 4N as it did
 * from N to 2N, times two: a quadratic runner grows by four times as much. No clock is read:
 * tests/bench/check_scale.sh prints the times. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "check/check.h"
#include "model/values.h"
#include "../support/testutil.h"

#define PROFILE GK_SOURCE_DIR "/layouts/sichuan-2025"
#define GROW GK_SOURCE_DIR "/tests/bench/grow_unit.py"

enum { BASE_ROWS = 300 };

static char base[1024]; /* the one-unit package every scenario grows */

static int make_base(void **state)
{
    (void)state;
    char *out = NULL;
    tu_tempdir(base, sizeof base, "check-scale");
    int status = tu_run(&out, "python3 '%s/tests/bench/make_package.py' '%s/base' --units 1 "
                              "--seed 1 --gbk-share 0", GK_SOURCE_DIR, base);
    if (status != 0)
        fprintf(stderr, "make_package.py failed:\n%s\n", out);
    free(out);
    strcat(base, "/base");
    return status;
}

typedef struct measure {
    unsigned long long steps;
    size_t findings; /* of the scenario's rule */
} measure;

/* Grows the base package by the scenario to `rows`, checks its unit and measures the work. */
static measure check_grown(const char *scenario, size_t rows, const char *rule)
{
    char dir[1200];
    snprintf(dir, sizeof dir, "%s-%s-%zu", base, scenario, rows);
    char *out = NULL;
    if (tu_run(&out, "python3 '%s' '%s' '%s' %s %zu", GROW, base, dir, scenario, rows) != 0)
        fail_msg("grow_unit.py %s %zu failed:\n%s", scenario, rows, out);
    free(out);
    gk_package *pkg = NULL;
    gk_rules *rules = NULL;
    gk_diag diag = {0};
    if (gk_package_load(dir, PROFILE, NULL, &pkg, &diag) != GK_OK ||
        gk_rules_load(pkg->profile, &rules, &diag) != GK_OK)
        fail_msg("%s:%d:%d: %s", diag.file, diag.line, diag.column, diag.message);
    gk_findings findings = {0};
    gk_steps = 0;
    assert_int_equal(gk_check_unit(pkg, rules, 0, &findings, &diag), GK_OK);
    measure m = {gk_steps, 0};
    for (size_t i = 0; i < findings.count; i++)
        m.findings += strcmp(findings.items[i].rule, rule) == 0;
    gk_findings_free(&findings);
    gk_rules_free(rules);
    gk_package_free(pkg);
    return m;
}

/* The scenario at BASE_ROWS, twice and four times as many rows: `per_row` findings of `rule`
 * per row (or exactly `fixed` of them), and linear work. */
static void assert_linear(const char *scenario, const char *rule, double per_row, size_t fixed)
{
    measure m[3];
    for (int i = 0; i < 3; i++) {
        size_t rows = (size_t)BASE_ROWS << i;
        m[i] = check_grown(scenario, rows, rule);
        size_t expected = fixed ? fixed : (size_t)(per_row * (double)rows);
        if (m[i].findings != expected)
            fail_msg("%s, %zu rows: %zu findings of %s, expected %zu", scenario, rows,
                     m[i].findings, rule, expected);
    }
    if (m[1].steps <= m[0].steps)
        fail_msg("%s: the work counter did not grow with the rows (%llu, %llu)", scenario,
                 m[0].steps, m[1].steps);
    double first = (double)(m[1].steps - m[0].steps), second = (double)(m[2].steps - m[1].steps);
    if (second > 2.5 * first)
        fail_msg("%s: superlinear work: %llu, %llu, %llu steps at %d, %d, %d rows (the second "
                 "doubling added %.2f times what the first did, expected about 2)",
                 scenario, m[0].steps, m[1].steps, m[2].steps, BASE_ROWS, 2 * BASE_ROWS,
                 4 * BASE_ROWS, second / first);
}

/* Percentages that name no figure: each is one finding, whatever the tables hold. */
static void test_wrong_percentages(void **state)
{
    (void)state;
    assert_linear("percent", "NARRATIVE-FIGURE", 0, 10);
}

/* Issue 14: a percentage is tied to the figures of its sentence, here one listing every part
 * with its share of their sum: its candidates are searched, not tried pair by pair. */
static void test_shares_of_a_sentence(void **state)
{
    (void)state;
    assert_linear("shares", "NARRATIVE-FIGURE", 0.5, 0);
}

/* The tables' figures are collected once, and an amount is matched without a pass over them. */
static void test_narrative_amounts(void **state)
{
    (void)state;
    assert_linear("amounts", "NARRATIVE-FIGURE", 0.05, 0);
}

/* One finding per procurement of an unknown project: the earlier rows with the same key and
 * the other table's matching rows are looked up, not scanned per row. */
static void test_lookup_findings(void **state)
{
    (void)state;
    assert_linear("lookup", "PROCUREMENT-PROJECT", 1, 0);
}

/* A different wrong unit name on every row: whether it was reported already is looked up, not
 * found by going through every finding made so far. */
static void test_identity_findings(void **state)
{
    (void)state;
    assert_linear("identity", "UNIT-ID", 1, 0);
}

/* BY-CODE compares every function code: the groups are summed in one pass over each table. */
static void test_grouped_comparisons(void **state)
{
    (void)state;
    assert_linear("by-code", "BY-CODE", 1, 0);
}

/* A hierarchy nine levels deep, every parent wrong. */
static void test_hierarchy(void **state)
{
    (void)state;
    assert_linear("hierarchy", "SUM-LEVELS", 8.0 / 9.0, 0);
}

/* Placeholders on one line: each one's position is counted on from the previous one's. */
static void test_placeholders(void **state)
{
    (void)state;
    assert_linear("placeholders", "NARRATIVE-FIGURE", 0, 0);
}

/* 科目 names in the narrative: each code and name is looked up, not compared with every name
 * of the tables (issue 14). */
static void test_narrative_names(void **state)
{
    (void)state;
    assert_linear("names", "NARRATIVE-NAMES", 1, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wrong_percentages), cmocka_unit_test(test_shares_of_a_sentence),
        cmocka_unit_test(test_narrative_amounts),
        cmocka_unit_test(test_lookup_findings),   cmocka_unit_test(test_identity_findings),
        cmocka_unit_test(test_grouped_comparisons), cmocka_unit_test(test_hierarchy),
        cmocka_unit_test(test_placeholders),  cmocka_unit_test(test_narrative_names),
    };
    return cmocka_run_group_tests(tests, make_base, NULL);
}
