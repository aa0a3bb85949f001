/* Unit tests for decimal.c: exact parsing of amounts into scaled integers, and formatting; and
 * the checked sums of util/money.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "input/input.h"
#include "util/money.h"

/* Parses text that must be accepted and returns the scaled value. */
static int64_t parse_ok(const char *text, int decimals)
{
    int64_t value = 12345; /* a sentinel that no test expects */
    const char *why = "unset";
    bool ok = gk_decimal_parse(text, decimals, &value, &why);
    if (!ok)
        fail_msg("'%s' was rejected: %s", text, why);
    assert_null(why);
    return value;
}

/* Parses text that must be rejected; the output must be untouched, the reason must match. */
static void parse_bad(const char *text, int decimals, const char *reason)
{
    int64_t value = 777;
    const char *why = NULL;
    assert_false(gk_decimal_parse(text, decimals, &value, &why));
    assert_int_equal(value, 777);
    assert_non_null(why);
    if (strstr(why, reason) == NULL)
        fail_msg("'%s': reason '%s' does not contain '%s'", text, why, reason);
}

static void test_parse_plain(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("294.28", 2), 29428);
    assert_int_equal(parse_ok("0", 2), 0);
    assert_int_equal(parse_ok("12", 2), 1200);
    assert_int_equal(parse_ok("12", 0), 12);
    assert_int_equal(parse_ok("0.05", 2), 5);
    assert_int_equal(parse_ok("3.1", 2), 310); /* fewer decimals than allowed are scaled up */
    assert_int_equal(parse_ok("007", 0), 7);
}

static void test_parse_negative(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("-3.10", 2), -310);
    assert_int_equal(parse_ok("-0.05", 2), -5);
    assert_int_equal(parse_ok("-0", 2), 0);
    assert_int_equal(parse_ok("-1,234.50", 2), -123450);
}

static void test_parse_grouped(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("1,234.50", 2), 123450);
    assert_int_equal(parse_ok("12,345,678", 2), 1234567800);
    assert_int_equal(parse_ok("999,999", 0), 999999);
}

static void test_parse_spaces_around(void **state)
{
    (void)state;
    assert_int_equal(parse_ok(" 5.1 ", 2), 510);
    assert_int_equal(parse_ok("   -7   ", 1), -70);
    parse_bad("5 .1", 2, "not a number");
    parse_bad("- 5", 2, "not a number");
    parse_bad("1 234", 2, "not a number");
}

static void test_parse_empty_and_signs(void **state)
{
    (void)state;
    parse_bad("", 2, "empty");
    parse_bad("   ", 2, "empty");
    parse_bad("-", 2, "not a number");
    parse_bad("--5", 2, "not a number");
    parse_bad("+5", 2, "not a number");
    parse_bad("5-", 2, "not a number");
}

static void test_parse_letters(void **state)
{
    (void)state;
    parse_bad("12abc", 2, "not a number");
    parse_bad("12,5O", 2, "bad thousands grouping"); /* letter O for zero, from package.md */
    parse_bad("nan", 2, "not a number");
    parse_bad("inf", 2, "not a number");
    parse_bad("0x1p3", 2, "not a number");
    parse_bad("1e5", 2, "exponents are not allowed");
    parse_bad("1E5", 2, "exponents are not allowed");
    parse_bad("1.5e3", 2, "exponents are not allowed");
    parse_bad("(123.00)", 2, "not a number");
}

static void test_parse_decimals(void **state)
{
    (void)state;
    parse_bad("1.234", 2, "more than 2 decimals");
    parse_bad("1.5", 0, "more than 0 decimals");
    parse_bad("1.25", 1, "more than 1 decimal");
    parse_bad("1.", 2, "not a number");
    parse_bad(".5", 2, "not a number");
    parse_bad("1.2.3", 2, "not a number");
    parse_bad("1,234.5,6", 2, "not a number");
    parse_bad("1", -1, "unsupported number of decimals");
    parse_bad("1", 16, "unsupported number of decimals");
}

static void test_parse_bad_grouping(void **state)
{
    (void)state;
    parse_bad("1,23.00", 2, "bad thousands grouping");
    parse_bad("1234,567", 2, "bad thousands grouping");
    parse_bad("1,2345", 2, "bad thousands grouping");
    parse_bad("1,,234", 2, "bad thousands grouping");
    parse_bad("1,", 2, "bad thousands grouping");
    parse_bad(",123", 2, "not a number");
}

static void test_parse_fullwidth(void **state)
{
    (void)state;
    parse_bad("\xEF\xBC\x91\xEF\xBC\x92\xEF\xBC\x93", 2, "full-width digits"); /* １２３ */
    parse_bad("1\xEF\xBC\x92", 2, "full-width digits");
    parse_bad("\xE2\x88\x92" "5", 2, "not a number"); /* U+2212 MINUS SIGN */
}

static void test_parse_limits(void **state)
{
    (void)state;
    /* 10^15 scaled is the largest magnitude accepted. */
    assert_int_equal(parse_ok("10,000,000,000,000.00", 2), INT64_C(1000000000000000));
    assert_int_equal(parse_ok("-10000000000000", 2), -INT64_C(1000000000000000));
    assert_int_equal(parse_ok("1000000000000000", 0), INT64_C(1000000000000000));
    parse_bad("10000000000000.01", 2, "too large");
    parse_bad("1000000000000001", 0, "too large");
    parse_bad("99999999999999999999999999999999", 2, "too large"); /* beyond uint64 too */
    assert_int_equal(parse_ok("1", 15), INT64_C(1000000000000000));
    parse_bad("2", 15, "too large");
    assert_int_equal(parse_ok("0.000000000000001", 15), 1);
}

/* util/money.h: sums stay within ±10^15, checked however large the operands. */
static void test_money_add(void **state)
{
    (void)state;
    const int64_t limit = GK_MONEY_LIMIT;
    int64_t sum = 0;
    assert_true(gk_money_add(&sum, 1, 29428));
    assert_true(gk_money_add(&sum, -1, 34));
    assert_int_equal(sum, 29394);
    sum = limit - 1;
    assert_true(gk_money_add(&sum, 1, 1)); /* exactly the limit is printable */
    assert_int_equal(sum, limit);
    assert_false(gk_money_add(&sum, 1, 1)); /* one more is not, and sum is left as it was */
    assert_int_equal(sum, limit);
    sum = -limit;
    assert_false(gk_money_add(&sum, -1, 1));
    assert_false(gk_money_add(&sum, 1, -1));
    assert_int_equal(sum, -limit);
    assert_true(gk_money_add(&sum, -1, -limit)); /* -limit - (-limit) */
    assert_int_equal(sum, 0);
    /* operands beyond int64's own range fail instead of wrapping */
    sum = 0;
    assert_false(gk_money_add(&sum, -1, INT64_MIN));
    assert_false(gk_money_add(&sum, 1, INT64_MAX));
    sum = INT64_MAX;
    assert_false(gk_money_add(&sum, 1, 1));
    assert_int_equal(sum, INT64_MAX);
    /* the 9,300 rows of 9999999999999.99: wrapped around to a negative 合计 before;
       now the second row is refused */
    sum = 0;
    int added = 0;
    for (int i = 0; i < 9300 && gk_money_add(&sum, 1, INT64_C(999999999999999)); i++)
        added++;
    assert_int_equal(added, 1);
    assert_true(gk_money_in_range(limit));
    assert_true(gk_money_in_range(-limit));
    assert_false(gk_money_in_range(limit + 1));
    assert_false(gk_money_in_range(INT64_MIN));
}

static void test_parse_why_may_be_null(void **state)
{
    (void)state;
    int64_t v = 0;
    assert_false(gk_decimal_parse("x", 2, &v, NULL));
    assert_true(gk_decimal_parse("1", 2, &v, NULL));
    assert_int_equal(v, 100);
}

/* Formats with both functions and checks the text and the returned length. */
static void check_format(int64_t value, int decimals, const char *plain, const char *grouped)
{
    char buf[64];
    size_t n = gk_decimal_format(value, decimals, buf, sizeof buf);
    assert_string_equal(buf, plain);
    assert_int_equal(n, strlen(plain));
    n = gk_decimal_format_grouped(value, decimals, buf, sizeof buf);
    assert_string_equal(buf, grouped);
    assert_int_equal(n, strlen(grouped));
}

static void test_format_values(void **state)
{
    (void)state;
    check_format(29428, 2, "294.28", "294.28");
    check_format(-310, 2, "-3.10", "-3.10");
    check_format(0, 2, "0.00", "0.00");
    check_format(-5, 2, "-0.05", "-0.05");
    check_format(5, 2, "0.05", "0.05");
    check_format(123450, 2, "1234.50", "1,234.50");
    check_format(-123450, 2, "-1234.50", "-1,234.50");
    check_format(12, 0, "12", "12");
    check_format(0, 0, "0", "0");
    check_format(999, 0, "999", "999");
    check_format(1000, 0, "1000", "1,000");
    check_format(123456789, 0, "123456789", "123,456,789");
    check_format(1234567890, 2, "12345678.90", "12,345,678.90");
    check_format(INT64_C(100000000000000000), 2, "1000000000000000.00",
                 "1,000,000,000,000,000.00");
    check_format(INT64_MIN, 0, "-9223372036854775808", "-9,223,372,036,854,775,808");
    check_format(INT64_MAX, 2, "92233720368547758.07", "92,233,720,368,547,758.07");
    check_format(7, 5, "0.00007", "0.00007");
}

static void test_format_truncates(void **state)
{
    (void)state;
    char buf[5];
    memset(buf, 'x', sizeof buf);
    assert_int_equal(gk_decimal_format_grouped(123450, 2, buf, sizeof buf), 8);
    assert_string_equal(buf, "1,23"); /* truncated like snprintf, always terminated */
    assert_int_equal(gk_decimal_format(-310, 2, NULL, 0), 5); /* size 0: just measure */
    char one[1] = {'x'};
    assert_int_equal(gk_decimal_format(1, 2, one, 1), 4);
    assert_int_equal(one[0], '\0');
}

static void test_round_trip(void **state)
{
    (void)state;
    static const int64_t values[] = {0, 1, -1, 99, -100, 29428, 123456789, -987654321012};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        char buf[64];
        gk_decimal_format_grouped(values[i], 2, buf, sizeof buf);
        assert_int_equal(parse_ok(buf, 2), values[i]);
        gk_decimal_format(values[i], 2, buf, sizeof buf);
        assert_int_equal(parse_ok(buf, 2), values[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_plain),
        cmocka_unit_test(test_parse_negative),
        cmocka_unit_test(test_parse_grouped),
        cmocka_unit_test(test_parse_spaces_around),
        cmocka_unit_test(test_parse_empty_and_signs),
        cmocka_unit_test(test_parse_letters),
        cmocka_unit_test(test_parse_decimals),
        cmocka_unit_test(test_parse_bad_grouping),
        cmocka_unit_test(test_parse_fullwidth),
        cmocka_unit_test(test_parse_limits),
        cmocka_unit_test(test_money_add),
        cmocka_unit_test(test_parse_why_may_be_null),
        cmocka_unit_test(test_format_values),
        cmocka_unit_test(test_format_truncates),
        cmocka_unit_test(test_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
