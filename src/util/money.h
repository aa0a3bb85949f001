/* Exact money. Amounts are int64 counts of their last printed decimal (0.01 万元 is 1), read
 * exactly (input/decimal.c) and summed exactly. Every amount, whether read or computed (合计,
 * subtotals, derived values, queries), stays within ±GK_MONEY_LIMIT: 10^15 is the most a
 * workbook shows exactly (Excel keeps 15 significant digits; a double holds every integer up to
 * 2^53), and a sum that leaves that range is refused instead of printed rounded or wrapped
 * around. See docs/package.md ("Amounts"). */
#ifndef GONGKAI_MONEY_H
#define GONGKAI_MONEY_H

#include <stdbool.h>
#include <stdint.h>

#define GK_MONEY_LIMIT INT64_C(1000000000000000) /* 10^15 */

static inline bool gk_money_in_range(int64_t value)
{
    return value >= -GK_MONEY_LIMIT && value <= GK_MONEY_LIMIT;
}

/* *sum += sign * value (sign +1 or -1). False, and *sum unchanged, when the result (or an
 * intermediate step) would leave ±GK_MONEY_LIMIT. */
static inline bool gk_money_add(int64_t *sum, int sign, int64_t value)
{
    int64_t term, result;
    if (__builtin_mul_overflow(value, (int64_t)sign, &term) ||
        __builtin_add_overflow(*sum, term, &result) || !gk_money_in_range(result))
        return false;
    *sum = result;
    return true;
}

#endif
