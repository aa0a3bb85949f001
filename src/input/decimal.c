/* Decimal numbers as scaled integers: parses amounts such as "1,234.50" exactly into int64
 * (in units of 10^-decimals) and formats them back. No floating point and nothing that
 * depends on the locale, so 294.28 + 0.34 is always 294.62 and a comma is never a decimal
 * point. */
#include "input/input.h"

#include "util/i18n.h"
#include "util/money.h"

/* Largest accepted scaled magnitude: what a workbook shows exactly (util/money.h). Sums are
 * checked against the same limit where they are made. */
static const uint64_t magnitude_limit = (uint64_t)GK_MONEY_LIMIT;

enum { MAX_DECIMALS = 15 }; /* 10^15 is the limit, so more decimals could not be represented */

/* "more than N decimals" for each N: *why must point at a static string. Like every reason
 * here it is marked with N_() and translated when it is handed out (fail()). */
static const char *const too_many_decimals[MAX_DECIMALS + 1] = {
    /* TRANSLATORS: why a number was rejected; shown in parentheses after the number. */
    N_("more than 0 decimals"),  N_("more than 1 decimal"),   N_("more than 2 decimals"),
    N_("more than 3 decimals"),  N_("more than 4 decimals"),  N_("more than 5 decimals"),
    N_("more than 6 decimals"),  N_("more than 7 decimals"),  N_("more than 8 decimals"),
    N_("more than 9 decimals"),  N_("more than 10 decimals"), N_("more than 11 decimals"),
    N_("more than 12 decimals"), N_("more than 13 decimals"), N_("more than 14 decimals"),
    N_("more than 15 decimals")};

/* ---- Parsing ------------------------------------------------------------------------------ */

/* Digits read so far, as one unscaled integer; saturates just above the limit so it never
 * overflows however long the input. */
typedef struct digits {
    uint64_t value;
} digits;

static bool is_digit(char c)
{
    return c >= '0' && c <= '9'; /* not isdigit(): that one depends on the locale */
}

static void add_digit(digits *d, char c)
{
    if (d->value <= magnitude_limit)
        d->value = d->value * 10 + (uint64_t)(c - '0');
}

/* Reads a run of ASCII digits; returns how many. */
static int read_run(const char **p, digits *d)
{
    int n = 0;
    for (; is_digit(**p); (*p)++, n++)
        add_digit(d, **p);
    return n;
}

/* U+FF10..U+FF19 (full-width digits) are EF BC 90..99 in UTF-8: common when numbers are typed
 * with a Chinese input method, and worth a clearer reason than "not a number". */
static bool is_fullwidth_digit(const char *p)
{
    return (unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBC &&
           (unsigned char)p[2] >= 0x90 && (unsigned char)p[2] <= 0x99;
}

/* Reason for text that is not a number at p. */
static const char *why_not_number(const char *text, const char *p)
{
    for (const char *q = text; *q != '\0'; q++)
        if (is_fullwidth_digit(q))
            return N_("full-width digits");
    if ((*p == 'e' || *p == 'E') && p > text && is_digit(p[-1]))
        return N_("exponents are not allowed");
    return N_("not a number");
}

/* Reads the integer part: plain digits ("1234"), or groups of three after a first group of
 * one to three digits ("1,234"). Returns NULL or the reason it is malformed. */
static const char *read_integer_part(const char *text, const char **p, digits *d)
{
    int first = read_run(p, d);
    if (first == 0)
        return why_not_number(text, *p);
    if (**p != ',')
        return NULL;
    if (first > 3)
        return N_("bad thousands grouping");
    while (**p == ',') {
        (*p)++;
        if (read_run(p, d) != 3)
            return N_("bad thousands grouping");
    }
    return NULL;
}

/* Reads '.' and the fraction digits, if any. Returns NULL or the reason it is malformed. */
static const char *read_fraction(const char *text, const char **p, digits *d, int decimals,
                                 int *fraction_digits)
{
    *fraction_digits = 0;
    if (**p != '.')
        return NULL;
    (*p)++;
    *fraction_digits = read_run(p, d);
    if (*fraction_digits == 0)
        return why_not_number(text, *p);
    if (*fraction_digits > decimals)
        return too_many_decimals[decimals];
    return NULL;
}

static const char *skip_spaces(const char *p)
{
    while (*p == ' ')
        p++;
    return p;
}

/* Multiplies by 10^n, saturating above the limit. */
static uint64_t scale_up(uint64_t v, int n)
{
    for (; n > 0 && v <= magnitude_limit; n--)
        v *= 10;
    return v;
}

/* reason is marked with N_(): it is translated here (dgettext's result is static too). */
static bool fail(const char **why, const char *reason)
{
    if (why != NULL)
        *why = _(reason);
    return false;
}

bool gk_decimal_parse(const char *text, int decimals, int64_t *out, const char **why)
{
    if (decimals < 0 || decimals > MAX_DECIMALS)
        return fail(why, N_("unsupported number of decimals"));
    const char *p = skip_spaces(text);
    if (*p == '\0')
        return fail(why, N_("empty"));
    bool negative = *p == '-';
    if (negative)
        p++;

    digits d = {0};
    const char *reason = read_integer_part(text, &p, &d);
    int fraction_digits = 0;
    if (reason == NULL)
        reason = read_fraction(text, &p, &d, decimals, &fraction_digits);
    if (reason != NULL)
        return fail(why, reason);
    p = skip_spaces(p);
    if (*p != '\0')
        return fail(why, why_not_number(text, p));

    uint64_t magnitude = scale_up(d.value, decimals - fraction_digits);
    if (magnitude > magnitude_limit)
        return fail(why, N_("too large"));
    *out = negative ? -(int64_t)magnitude : (int64_t)magnitude;
    if (why != NULL)
        *why = NULL;
    return true;
}

/* ---- Formatting --------------------------------------------------------------------------- */

/* A bounded writer that, like snprintf, counts what it would need beyond the buffer. */
typedef struct writer {
    char *buf;
    size_t size;
    size_t needed;
} writer;

static void emit(writer *w, char c)
{
    if (w->needed + 1 < w->size)
        w->buf[w->needed] = c;
    w->needed++;
}

/* Writes value / 10^decimals; digit i of the zero-padded magnitude is generated on demand, so
 * any number of decimals works without a large local buffer. */
static size_t format(int64_t value, int decimals, bool grouped, char *buf, size_t size)
{
    writer w = {buf, size, 0};
    if (decimals < 0)
        decimals = 0;
    /* Magnitude without overflow, INT64_MIN included. */
    uint64_t magnitude = value < 0 ? (uint64_t)0 - (uint64_t)value : (uint64_t)value;
    char digit[20];
    int ndigits = 0;
    do {
        digit[ndigits++] = (char)('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude > 0); /* digit[] holds the digits least significant first */

    /* At least one integer digit: 5 with 2 decimals prints as 0.05. */
    size_t total = (size_t)ndigits > (size_t)decimals ? (size_t)ndigits : (size_t)decimals + 1;
    size_t integer_digits = total - (size_t)decimals;
    if (value < 0)
        emit(&w, '-');
    for (size_t i = 0; i < total; i++) {
        if (i == integer_digits)
            emit(&w, '.');
        else if (grouped && i > 0 && i < integer_digits && (integer_digits - i) % 3 == 0)
            emit(&w, ',');
        size_t from_right = total - 1 - i;
        emit(&w, from_right < (size_t)ndigits ? digit[from_right] : '0');
    }
    if (size > 0)
        buf[w.needed < size ? w.needed : size - 1] = '\0';
    return w.needed;
}

size_t gk_decimal_format(int64_t value, int decimals, char *buf, size_t size)
{
    return format(value, decimals, false, buf, size);
}

size_t gk_decimal_format_grouped(int64_t value, int decimals, char *buf, size_t size)
{
    return format(value, decimals, true, buf, size);
}
