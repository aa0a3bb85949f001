/* Chinese numerals for the numbering of tables (目录) and of fixed rows ({n}). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "util/chinese_number.h"

static void test_numerals(void **state)
{
    (void)state;
    static const struct {
        unsigned n;
        const char *text;
    } cases[] = {
        {1, "一"},         {9, "九"},           {10, "十"},         {11, "十一"},
        {19, "十九"},      {20, "二十"},        {21, "二十一"},     {28, "二十八"},
        {99, "九十九"},    {100, "一百"},       {101, "一百零一"},  {110, "一百一十"},
        {111, "一百一十一"}, {120, "一百二十"}, {1000, "一千"},     {1001, "一千零一"},
        {1010, "一千零一十"}, {1100, "一千一百"}, {9999, "九千九百九十九"},
        {0, "0"},          {10000, "10000"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char buf[GK_CHINESE_NUMBER_MAX];
        assert_string_equal(gk_chinese_number(cases[i].n, buf), cases[i].text);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numerals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
