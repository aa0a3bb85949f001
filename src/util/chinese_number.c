/* Chinese numerals; see chinese_number.h. */
#include "util/chinese_number.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

const char *gk_chinese_number(unsigned n, char *buf)
{
    static const char *const digits[] = {"零", "一", "二", "三", "四",
                                         "五", "六", "七", "八", "九"};
    static const char *const units[] = {"千", "百", "十", ""};
    if (n == 0 || n > 9999) {
        snprintf(buf, GK_CHINESE_NUMBER_MAX, "%u", n);
        return buf;
    }
    const unsigned place[] = {n / 1000, n / 100 % 10, n / 10 % 10, n % 10};
    bool started = false, zero = false;
    buf[0] = '\0';
    for (int i = 0; i < 4; i++) {
        if (place[i] == 0) {
            zero = started; /* 一百零一: one 零 for any run of zeros inside the number */
            continue;
        }
        if (zero)
            strcat(buf, digits[0]);
        zero = false;
        if (!(i == 2 && place[i] == 1 && !started)) /* 十一, not 一十一; but 一百一十 */
            strcat(buf, digits[place[i]]);
        strcat(buf, units[i]);
        started = true;
    }
    return buf;
}
