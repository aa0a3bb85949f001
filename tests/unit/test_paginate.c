/* Unit tests for paginate.c: exact first rows of each page for plain rows, keep-with-next
 * groups, rows and groups taller than a page, and a first page shorter than the rest. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "typeset/typeset.h"

enum { MAX_PAGES = 32 };

/* Paginates and asserts the page starts are exactly expected[0..expected_count). Also
 * checks that capacity 0 gives the same count. */
static void expect_pages(const double *heights, const bool *keep, size_t rows, double first,
                         double next, const size_t *expected, size_t expected_count)
{
    size_t starts[MAX_PAGES];
    size_t count = gk_paginate(heights, keep, rows, first, next, starts, MAX_PAGES);
    char got[512] = "", want[512] = "";
    for (size_t i = 0, used = 0; i < count && i < MAX_PAGES; i++)
        used += (size_t)snprintf(got + used, sizeof got - used, " %zu", starts[i]);
    for (size_t i = 0, used = 0; i < expected_count; i++)
        used += (size_t)snprintf(want + used, sizeof want - used, " %zu", expected[i]);
    if (strcmp(got, want) != 0)
        fail_msg("page starts:%s, expected:%s", got, want);
    assert_int_equal(count, expected_count);
    assert_int_equal(gk_paginate(heights, keep, rows, first, next, NULL, 0), count);
}

#define N(array) (sizeof(array) / sizeof((array)[0]))
#define EXPECT(heights, keep, first, next, ...)                                               \
    do {                                                                                       \
        static const size_t expected_[] = {__VA_ARGS__};                                       \
        expect_pages(heights, keep, N(heights), first, next, expected_, N(expected_));         \
    } while (0)

static void test_zero_rows(void **state)
{
    (void)state;
    size_t starts[2] = {99, 99};
    assert_int_equal(gk_paginate(NULL, NULL, 0, 100.0, 100.0, starts, 2), 1);
    assert_int_equal(starts[0], 0);
    assert_int_equal(starts[1], 99);
    assert_int_equal(gk_paginate(NULL, NULL, 0, 100.0, 100.0, NULL, 0), 1);
}

static void test_simple(void **state)
{
    (void)state;
    static const double five[] = {10, 10, 10, 10, 10};
    EXPECT(five, NULL, 25.0, 25.0, 0, 2, 4);
    EXPECT(five, NULL, 100.0, 100.0, 0);
    EXPECT(five, NULL, 10.0, 10.0, 0, 1, 2, 3, 4);
    static const double four[] = {10, 10, 10, 10};
    EXPECT(four, NULL, 20.0, 20.0, 0, 2); /* exactly full pages */
    static const double tenths[] = {0.1, 0.1, 0.1, 0.1, 0.1};
    EXPECT(tenths, NULL, 0.3, 0.3, 0, 3); /* 0.1 + 0.1 + 0.1 > 0.3 in doubles: still fits */
}

static void test_first_page_shorter(void **state)
{
    (void)state;
    static const double six[] = {10, 10, 10, 10, 10, 10};
    EXPECT(six, NULL, 10.0, 30.0, 0, 1, 4);
    EXPECT(six, NULL, 25.0, 40.0, 0, 2);
}

static void test_keep_with_next(void **state)
{
    (void)state;
    static const double five[] = {10, 10, 10, 10, 10};
    static const bool pair[] = {false, true, false, false, false}; /* rows 1-2 together */
    EXPECT(five, pair, 20.0, 20.0, 0, 1, 3);
    EXPECT(five, NULL, 20.0, 20.0, 0, 2, 4); /* without it row 1 would stay on page 1 */
    static const double six[] = {10, 10, 10, 10, 10, 10};
    static const bool triple[] = {false, false, true, true, false, false}; /* rows 2-4 */
    EXPECT(six, triple, 40.0, 40.0, 0, 2);
    static const bool none[] = {false, false, false, false, false, false};
    EXPECT(six, none, 40.0, 40.0, 0, 4);
    static const bool last[] = {false, false, false, false, false, true}; /* nothing after */
    EXPECT(six, last, 40.0, 40.0, 0, 4);
    /* a group that fits the first page's rest only on a later page moves there */
    static const double four[] = {10, 10, 10, 10};
    static const bool three[] = {false, true, true, false};
    EXPECT(four, three, 25.0, 30.0, 0, 1);
}

static void test_oversized_row(void **state)
{
    (void)state;
    static const double middle[] = {10, 50, 10};
    EXPECT(middle, NULL, 30.0, 30.0, 0, 1, 2);
    static const double first[] = {50, 10};
    EXPECT(first, NULL, 30.0, 30.0, 0, 1);
    static const double last[] = {10, 50};
    EXPECT(last, NULL, 30.0, 30.0, 0, 1);
    static const double two[] = {50, 50};
    EXPECT(two, NULL, 30.0, 30.0, 0, 1);
    static const double zero_after[] = {50, 0, 0};
    EXPECT(zero_after, NULL, 30.0, 30.0, 0, 1); /* even a zero-height row does not join it */
}

static void test_oversized_group(void **state)
{
    (void)state;
    static const double five[] = {10, 10, 10, 10, 10};
    static const bool all[] = {true, true, true, true, false};
    EXPECT(five, all, 30.0, 30.0, 0, 3);
    static const double six[] = {10, 10, 10, 10, 10, 10};
    static const bool inner[] = {false, true, true, true, false, false}; /* rows 1-4: 40 */
    EXPECT(six, inner, 30.0, 30.0, 0, 3); /* flows from page 1 rather than leaving a gap */
    static const double tall[] = {10, 50, 10};
    static const bool with_tall[] = {true, false, false};
    EXPECT(tall, with_tall, 30.0, 30.0, 0, 1, 2);
    /* too tall for the (empty) first page though not for the next: page 1 is not left blank */
    static const double three[] = {10, 10, 10};
    static const bool pair[] = {true, false, false};
    EXPECT(three, pair, 15.0, 30.0, 0, 1);
}

static void test_zero_height_rows(void **state)
{
    (void)state;
    static const double rows[] = {0, 0, 10, 10};
    EXPECT(rows, NULL, 10.0, 10.0, 0, 3);
    static const double zeros[] = {0, 0, 0};
    EXPECT(zeros, NULL, 10.0, 10.0, 0);
    EXPECT(zeros, NULL, 0.0, 0.0, 0);
}

static void test_no_lone_last_row(void **state)
{
    (void)state;
    static const double nine[] = {10, 10, 10, 10, 10, 10, 10, 10, 10};
    EXPECT(nine, NULL, 40.0, 40.0, 0, 4, 7); /* greedy would leave row 8 alone */
    static const bool bound[] = {false, false, false, false, false, false, true, false, false};
    EXPECT(nine, bound, 40.0, 40.0, 0, 4, 8); /* row 7 is kept with row 6: it stays */
    static const double five[] = {10, 10, 10, 10, 10};
    EXPECT(five, NULL, 25.0, 25.0, 0, 2, 4); /* the page before would keep one row */
    static const double tall[] = {10, 10, 10, 10, 35};
    EXPECT(tall, NULL, 40.0, 40.0, 0, 4); /* the two rows would not fit a page */
}

static void test_capacity(void **state)
{
    (void)state;
    static const double five[] = {10, 10, 10, 10, 10};
    size_t starts[3] = {99, 99, 99};
    assert_int_equal(gk_paginate(five, NULL, 5, 20.0, 20.0, starts, 2), 3);
    assert_int_equal(starts[0], 0);
    assert_int_equal(starts[1], 2);
    assert_int_equal(starts[2], 99); /* beyond capacity: untouched */
}

static void test_widows_and_orphans(void **state)
{
    (void)state;
    assert_int_equal(gk_lines_here(3, 5, 40), 3);  /* fits */
    assert_int_equal(gk_lines_here(3, 3, 40), 3);
    assert_int_equal(gk_lines_here(5, 1, 40), 0);  /* one line at the foot: start on a new page */
    assert_int_equal(gk_lines_here(5, 4, 40), 3);  /* one line at the top: carry one more */
    assert_int_equal(gk_lines_here(3, 2, 40), 0);  /* 2 + 1 or 1 + 2: the whole paragraph moves */
    assert_int_equal(gk_lines_here(4, 2, 40), 2);  /* 2 + 2 */
    assert_int_equal(gk_lines_here(10, 6, 40), 6); /* 6 + 4 */
    assert_int_equal(gk_lines_here(1, 0, 40), 0);  /* a one-line paragraph on a full page */
    assert_int_equal(gk_lines_here(9, 1, 1), 1);   /* pages of one line: nothing to balance */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zero_rows),
        cmocka_unit_test(test_simple),
        cmocka_unit_test(test_first_page_shorter),
        cmocka_unit_test(test_keep_with_next),
        cmocka_unit_test(test_oversized_row),
        cmocka_unit_test(test_oversized_group),
        cmocka_unit_test(test_zero_height_rows),
        cmocka_unit_test(test_no_lone_last_row),
        cmocka_unit_test(test_capacity),
        cmocka_unit_test(test_widows_and_orphans),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
