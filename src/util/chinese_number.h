/* Chinese numerals for numbering: 一, 二, … 十, 十一, … 二十, … 一百零一, … 九千九百九十九. */
#ifndef GONGKAI_CHINESE_NUMBER_H
#define GONGKAI_CHINESE_NUMBER_H

#include <stddef.h>

enum { GK_CHINESE_NUMBER_MAX = 32 }; /* bytes enough for any number, with its NUL */

/* Writes n (1 to 9999) as Chinese numerals into buf (at least GK_CHINESE_NUMBER_MAX bytes);
 * 0 and larger numbers are written in digits. Returns buf. */
const char *gk_chinese_number(unsigned n, char *buf);

#endif
