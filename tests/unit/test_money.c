/* Amounts of different units: exact conversion between 元, 万元 and 亿元 (rounded half away
 * from zero towards a coarser unit, refused beyond the accepted magnitude), comparison at the
 * coarser precision, and how a profile's defaults, a table's and a column's overrides of unit,
 * decimals, zero policy and grouping resolve. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "layout/layout.h"
#include "model/values.h"
#include "util/money.h"
#include "../support/testutil.h"

static void test_convert_to_a_finer_scale_is_exact(void **state)
{
    (void)state;
    int64_t out = 0;
    /* 294.28 万元 (10^2 元) is 2942800.00 元 (10^-2 元) */
    assert_true(gk_money_convert(29428, 2, -2, &out));
    assert_int_equal(out, 294280000);
    assert_true(gk_money_convert(-5, 8, 0, &out)); /* -5 亿元 */
    assert_int_equal(out, -500000000);
    /* beyond ±10^15 counts: refused, out unchanged */
    out = 7;
    assert_false(gk_money_convert(INT64_C(100000000000000), 2, -2, &out));
    assert_int_equal(out, 7);
    assert_false(gk_money_convert(INT64_C(922337203685477580), 0, -6, &out)); /* int64 */
}

static void test_convert_to_a_coarser_scale_rounds_half_away_from_zero(void **state)
{
    (void)state;
    static const struct {
        int64_t value, expected;
    } cases[] = {
        {294284999, 29428}, {294285000, 29429}, {-294285000, -29429}, {-294284999, -29428},
        {4999, 0},          {5000, 1},          {-5000, -1},          {0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int64_t out = 1;
        assert_true(gk_money_convert(cases[i].value, -2, 2, &out)); /* 元 to 0.01 万元 */
        assert_int_equal(out, cases[i].expected);
    }
}

static void test_align_takes_the_coarser_precision(void **state)
{
    (void)state;
    gk_amount wan = {29428, 2, 2, GK_UNIT_WAN, true};          /* 294.28 万元 */
    gk_amount yuan = {294284999, -2, -2, GK_UNIT_YUAN, true};  /* 2942849.99 元 */
    gk_amounts_align(&wan, &yuan);
    assert_int_equal(wan.value, 29428);
    assert_int_equal(yuan.value, 29428);
    assert_int_equal(yuan.exp, 2);
    assert_int_equal(yuan.precision, 2);
    assert_int_equal(yuan.unit, GK_UNIT_WAN);
    /* as coarse on both sides: the larger unit prints it */
    gk_amount a = {5, 0, 0, GK_UNIT_YUAN, true}, b = {5, 0, 0, GK_UNIT_WAN, true};
    gk_amounts_align(&a, &b);
    assert_int_equal(a.unit, GK_UNIT_WAN);
}

/* ---- a profile's amounts --------------------------------------------------------------- */

static gk_profile *load(const char *booklet, const char *table, gk_diag *diag)
{
    char root[1024], dir[1100];
    tu_tempdir(root, sizeof root, "money");
    snprintf(dir, sizeof dir, "%s/p", root);
    mkdir(dir, 0777);
    tu_write(dir, "booklet.yaml", booklet);
    tu_write(dir, "t.yaml", table);
    gk_profile *profile = NULL;
    if (gk_profile_load(dir, &profile, diag) != GK_OK)
        return NULL;
    return profile;
}

static const char booklet_yaml[] = "profile: p\n"
                                   "amount_unit: 元\n"
                                   "amount_decimals: 2\n"
                                   "zero: keep\n"
                                   "thousands: true\n"
                                   "empty_text: 注：{year}年此表无数据\n"
                                   "booklets:\n"
                                   "  unit: {title: 单位预算, tables: [t]}\n";

static void test_defaults_and_overrides(void **state)
{
    (void)state;
    gk_diag diag = {0};
    gk_profile *profile =
        load(booklet_yaml,
             "id: t\ntitle: 测试表\namount_unit: 万元\namount_decimals: 4\n"
             "caption: {right: \"单位：{amount_unit}\"}\n"
             "notes: [\"注：{unit.name}\"]\n"
             "columns:\n"
             "  - {key: a, header: A, type: amount}\n"
             "  - {key: b, header: B, type: amount, unit: 元, decimals: 0, zero: zero,"
             " thousands: false}\n"
             "  - {key: c, header: C, type: count}\n"
             "inputs:\n  - {key: d, type: amount, unit: 亿元}\n",
             &diag);
    if (profile == NULL)
        fail_msg("%s:%d:%d: %s", diag.file, diag.line, diag.column, diag.message);
    assert_int_equal(profile->amount_unit_power, GK_UNIT_YUAN);
    assert_string_equal(profile->amount_unit, "元");
    assert_int_equal(profile->zero, GK_ZERO_KEEP);
    assert_false(profile->zero_blank);
    const gk_table_layout *t = gk_profile_table(profile, "t");
    /* no number: messages name the table by its title */
    assert_false(t->has_number);
    assert_string_equal(t->number, "测试表");
    assert_int_equal(t->amount_unit, GK_UNIT_WAN);
    assert_int_equal(t->amount_decimals, 4);
    assert_string_equal(t->caption_left, "单位：{unit.name}");
    assert_string_equal(t->caption_right, "单位：{amount_unit}");
    assert_int_equal(t->note_count, 1);
    /* a: the table's; b: its own; c: a count takes the zero policy, not the grouping */
    assert_int_equal(t->columns[0].unit, GK_UNIT_WAN);
    assert_int_equal(t->columns[0].decimals, 4);
    assert_int_equal(t->columns[0].zero, GK_ZERO_KEEP);
    assert_true(t->columns[0].thousands);
    assert_int_equal(t->columns[1].unit, GK_UNIT_YUAN);
    assert_int_equal(t->columns[1].decimals, 0);
    assert_int_equal(t->columns[1].zero, GK_ZERO_ZERO);
    assert_false(t->columns[1].thousands);
    assert_int_equal(t->columns[2].zero, GK_ZERO_KEEP);
    assert_false(t->columns[2].thousands);
    /* the CSV reads each amount in its column's unit and decimals */
    int d = gk_layout_field_index(t, "d");
    assert_int_equal(t->fields[1].unit, GK_UNIT_YUAN);
    assert_int_equal(t->fields[1].decimals, 0);
    assert_int_equal(t->fields[d].unit, GK_UNIT_YI);
    assert_int_equal(t->fields[d].decimals, 4);
    gk_profile_free(profile);
}

static void test_stub_values_take_the_tables_unit(void **state)
{
    (void)state;
    gk_diag diag = {0};
    gk_profile *profile = load(booklet_yaml,
                               "id: t\nnumber: 表一\ntitle: 测试表\namount_unit: 亿元\n"
                               "columns:\n  - {key: a, header: A, type: amount}\n"
                               "items: [x]\nrows:\n  - [=x]\n",
                               &diag);
    if (profile == NULL)
        fail_msg("%s:%d:%d: %s", diag.file, diag.line, diag.column, diag.message);
    const gk_table_layout *t = gk_profile_table(profile, "t");
    assert_true(t->has_number);
    assert_string_equal(t->fields[1].key, "amount");
    assert_int_equal(t->fields[1].unit, GK_UNIT_YI);
    assert_int_equal(t->fields[1].decimals, 2);
    gk_profile_free(profile);
}

static void test_template_errors(void **state)
{
    (void)state;
    static const struct {
        const char *table;
        int line, column;
        const char *message;
    } cases[] = {
        /* a column key is no placeholder of a title: it would print nothing */
        {"id: t\ntitle: \"测试表{a}\"\ncolumns:\n  - {key: a, header: A}\n", 2, 8,
         "unknown placeholder '{a}'"},
        {"id: t\ntitle: 测试表\nempty_text: \"注：{year\"\ncolumns:\n  - {key: a, header: A}\n", 3,
         13, "unclosed '{' in template '注：{year'"},
        {"id: t\ntitle: 测试表\nnotes: [ok, \"{booklet}{amount_unit}{x}\"]\ncolumns:\n"
         "  - {key: a, header: A}\n",
         3, 13, "unknown placeholder '{x}'"},
        {"id: t\ntitle: 测试表\ncolumns:\n  - {key: a, header: A, type: count, unit: 元}\n", 4, 44,
         "expected 'unit' on a column of type amount, found it on column 'a'"},
        {"id: t\ntitle: 测试表\ninputs:\n  - {key: i, unit: 元}\ncolumns:\n  - {key: a, header: A}\n",
         4, 20, "expected 'unit' on a column of type amount, found it on column 'i'"},
        {"id: t\ntitle: 测试表\nzero: none\ncolumns:\n  - {key: a, header: A}\n", 3, 7,
         "expected one of blank, zero, keep, found 'none'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        gk_diag diag = {0};
        gk_profile *profile = load(booklet_yaml, cases[i].table, &diag);
        if (profile != NULL)
            fail_msg("case %zu loaded", i);
        if (diag.line != cases[i].line || diag.column != cases[i].column ||
            strstr(diag.message, cases[i].message) == NULL)
            fail_msg("case %zu: expected %d:%d: %s, found %d:%d: %s", i, cases[i].line,
                     cases[i].column, cases[i].message, diag.line, diag.column, diag.message);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_convert_to_a_finer_scale_is_exact),
        cmocka_unit_test(test_convert_to_a_coarser_scale_rounds_half_away_from_zero),
        cmocka_unit_test(test_align_takes_the_coarser_precision),
        cmocka_unit_test(test_defaults_and_overrides),
        cmocka_unit_test(test_stub_values_take_the_tables_unit),
        cmocka_unit_test(test_template_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
