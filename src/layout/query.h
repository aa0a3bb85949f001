/* Queries: sums of table columns, fixed-row values and prior-year figures, named in layouts
 * (derivations of fixed-row items) and in the rule catalogue (see docs/checks.md):
 *
 *   1-2.total                 column `total` of table 1-2 over the unit's level-1 data rows
 *   1-2.total[class=208]      … over the data rows (any level) whose class is 208
 *   1.in.general              a value of fixed-row table 1 (an item or a derived value)
 *   prior.total               a prior-year figure (prior.csv)
 *   a + b - c                 operators stand between spaces
 *
 * Parsing resolves every name against the profile, so a rule or a derivation naming a missing
 * table or column is an error at load time, never a silent zero. */
#ifndef GONGKAI_QUERY_H
#define GONGKAI_QUERY_H

#include "layout/layout.h"

enum { GK_FILTER_LEVEL = -3 }; /* filter pseudo-field: the row's level */

typedef struct gk_filter {
    int field;         /* field index, GK_FIELD_UNIT_CODE or GK_FILTER_LEVEL */
    const char *value; /* compared as text (level: its digit) */
} gk_filter;

typedef enum gk_term_kind { GK_TERM_COLUMN, GK_TERM_STUB, GK_TERM_PRIOR } gk_term_kind;

typedef struct gk_term {
    gk_term_kind kind;
    int sign;                     /* +1 or -1 */
    const gk_table_layout *table; /* COLUMN and STUB */
    int field;                    /* COLUMN: the summed field */
    int value;                    /* STUB: index into table->value_ids */
    const char *prior_key;        /* PRIOR */
    const gk_filter *filters;     /* COLUMN: all must match; none: level-1 rows */
    size_t filter_count;
    int exp;  /* its amounts count 10^exp 元 (the column's unit and decimals, a fixed-row
               * table's, the booklet's for prior.KEY; see util/money.h) */
    int unit; /* the unit they are given in (GK_UNIT_*) */
} gk_term;

typedef struct gk_query {
    const char *text;
    const gk_term *terms;
    size_t count;
    /* the scale of its sum: terms of different units add exactly at the finest of them (exp);
     * the coarsest (precision, in its unit) is the last digit the sum is known to */
    int exp, precision, unit;
} gk_query;

typedef enum gk_compare { GK_CMP_EQ, GK_CMP_LE, GK_CMP_GE } gk_compare;

/* Parses a query over the profile's tables into arena memory. On failure returns false and
 * writes a one-line reason (translated) to error. */
bool gk_query_parse(const gk_profile *profile, const char *text, gk_arena *arena, gk_query *out,
                    char *error, size_t error_size);

/* Parses "QUERY = QUERY" (or <=, >=). */
bool gk_comparison_parse(const gk_profile *profile, const char *text, gk_arena *arena,
                         gk_query *left, gk_compare *op, gk_query *right, char *error,
                         size_t error_size);

/* Parses TABLE.KEY[filters] naming any column of a list table (a key to look values up). */
bool gk_column_ref_parse(const gk_profile *profile, const char *text, gk_arena *arena,
                         gk_term *out, char *error, size_t error_size);

/* The symbol of a comparison ("=", "<=", ">="). */
const char *gk_compare_symbol(gk_compare op);

#endif
