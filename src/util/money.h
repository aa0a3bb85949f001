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

/* 10^n for 0 <= n <= 18. */
static inline int64_t gk_pow10(int n)
{
    int64_t p = 1;
    while (n-- > 0)
        p *= 10;
    return p;
}

/* Amounts in other units or decimals (元, 万元, 亿元; layout.h): `value` counts 10^from 元 (0.01
 * 万元 is 10^2 元), *out counts 10^to 元. Towards a finer count (to <= from) the conversion is
 * exact, and false (*out unchanged) when it would leave ±GK_MONEY_LIMIT; towards a coarser one
 * it rounds half away from zero, as a printed amount is rounded (四舍五入). Integers only. */
static inline bool gk_money_convert(int64_t value, int from, int to, int64_t *out)
{
    if (to <= from) {
        int64_t scaled;
        if (from - to > 18 || __builtin_mul_overflow(value, gk_pow10(from - to), &scaled) ||
            !gk_money_in_range(scaled))
            return false;
        *out = scaled;
        return true;
    }
    if (to - from > 18) {
        *out = 0;
        return true;
    }
    int64_t step = gk_pow10(to - from), quotient = value / step, rest = value % step;
    int64_t away = rest < 0 ? -rest : rest;
    if (away >= step - away) /* at least half a step */
        quotient += value < 0 ? -1 : 1;
    *out = quotient;
    return true;
}

#endif
