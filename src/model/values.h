/* Values of the package for a set of units: sums of queries (layout/query.h) and the values of
 * fixed-row tables. One place computes them, for the exporter, the checks and the narrative. */
#ifndef GONGKAI_VALUES_H
#define GONGKAI_VALUES_H

#include "layout/query.h"
#include "model/package.h"

/* The units a booklet or a check covers. */
typedef struct gk_scope {
    const size_t *units;
    size_t count;
} gk_scope;

/* An extra KEY=VALUE filter applied to every column term (grouping in checks). */
typedef struct gk_key_value {
    const char *key;
    const char *value;
} gk_key_value;

bool gk_scope_has(const gk_scope *scope, size_t unit);

/* Steps of work done on this thread by the checks and the narrative's figures: rows visited,
 * rows or figures compared, characters counted. Tests read it to assert that the work grows
 * linearly with a unit's rows and findings (tests/unit/test_check_scale.c); nothing else does. */
extern _Thread_local unsigned long long gk_steps;

/* Whether a data row passes a term's filters (and the extra ones): with no filter at all,
 * level-1 rows; with filters, rows of any level whose keys match. Computed rows never pass. */
bool gk_row_matches(const gk_table_layout *table, const gk_data_row *row, const gk_package *pkg,
                    const gk_filter *filters, size_t count, const gk_key_value *extra,
                    size_t extra_count);

/* Whether a data row passes every one of the filters, at any level (a grouped comparison adds
 * extra filters, which lift the level-1 default of gk_row_matches). Computed rows never pass. */
bool gk_row_filtered(const gk_data_row *row, const gk_package *pkg, const gk_filter *filters,
                     size_t count);

/* What an extra KEY=VALUE filter compares VALUE with on this row: the column KEY's text (""
 * when it holds none), the unit's code for "unit_code"; NULL when table has no column KEY (no
 * value matches). buf holds a level's digit. */
const char *gk_row_key(const gk_table_layout *table, const gk_data_row *row,
                       const gk_package *pkg, const char *key, char buf[4]);

/* A sum that left the range of exact amounts (util/money.h): what was summed and where. */
typedef enum gk_overflow_kind {
    GK_OVERFLOW_COLUMN, /* a column of a table */
    GK_OVERFLOW_ITEM,   /* an item or derived value of a fixed-row table */
    GK_OVERFLOW_PRIOR,  /* a prior-year figure summed over units */
    GK_OVERFLOW_QUERY   /* the terms of a query added together */
} gk_overflow_kind;

typedef struct gk_overflow {
    gk_overflow_kind kind;
    const char *table; /* the table's number (公开表3-1); NULL for PRIOR and QUERY */
    const char *name;  /* the column key, item id, prior key or query text */
    int decimals;      /* of the amounts summed (to print the limit) */
    const char *file;  /* the row whose amount took the sum out of range, else where the sum is
                        * defined; NULL when the caller knows better */
    int line, column;  /* 0 when not known */
} gk_overflow;

/* An overflow of column `field` of table t, taken out of range by row. */
void gk_overflow_at_row(gk_overflow *overflow, const gk_table_layout *t, int field,
                        const gk_data_row *row);

/* "公开表4-1, column 'total': expected a sum within ±10000000000000.00, found one beyond it",
 * translated; returns the length it wanted, like snprintf. */
size_t gk_overflow_message(const gk_overflow *overflow, char *buf, size_t size);

/* Each sum below is exact and within ±GK_MONEY_LIMIT; when it would leave that range the
 * function returns false and says where in *overflow (the result is then unusable). */

/* An amount with its scale, for adding and comparing amounts of different units (元, 万元,
 * 亿元) and decimals exactly: value counts 10^exp 元 (util/money.h). */
typedef struct gk_amount {
    int64_t value;
    int exp;
    int precision; /* the scale of the coarsest amount summed (>= exp): the last digit the
                    * value is known to, as printed */
    int unit;      /* the unit that coarsest amount is printed in (GK_UNIT_*) */
    bool given;    /* some amount summed was given (a number, not a missing value) */
} gk_amount;

/* The amount of a column's value, or of a sum of its values. */
gk_amount gk_column_amount(const gk_table_layout *table, int field, int64_t value);

/* The sum of a query over the scope, exact at the query's finest scale (query->exp): each
 * term's value added in order (gk_query_add). */
bool gk_query_amount(const gk_package *pkg, const gk_query *query, const gk_scope *scope,
                     const gk_key_value *extra, size_t extra_count, gk_amount *sum,
                     gk_overflow *overflow);

/* The same in the booklet's amount unit and decimals (rounded when a term is finer): what the
 * narrative prints. */
bool gk_query_sum(const gk_package *pkg, const gk_query *query, const gk_scope *scope,
                  const gk_key_value *extra, size_t extra_count, int64_t *sum,
                  gk_overflow *overflow);

/* a and b at the coarser precision of the two, each rounded half away from zero, in the unit
 * of that coarser one (the larger unit when both are as coarse): what a check compares. */
void gk_amounts_align(gk_amount *a, gk_amount *b);

/* What one term of a query adds, before its sign and at its own scale (term->exp): a column's
 * sum over the matching rows (the extra filters apply to columns only), a fixed-row value or a
 * prior-year figure. */
bool gk_term_value(const gk_package *pkg, const gk_term *term, const gk_scope *scope,
                   const gk_key_value *extra, size_t extra_count, int64_t *value,
                   gk_overflow *overflow);

/* *sum += the term's sign × value, value taken from the term's scale to the query's (exact);
 * leaving the range is an overflow of the query's terms. */
bool gk_query_add(const gk_package *pkg, const gk_query *query, const gk_term *term,
                  int64_t *sum, int64_t value, gk_overflow *overflow);

/* The sum of column `field` over the level-1 data rows (not the supplied computed rows) of the
 * units in scope: what the 合计, department and unit rows of a list table print. */
bool gk_level1_sum(const gk_table_data *data, int field, const gk_scope *scope, int64_t *sum,
                   gk_overflow *overflow);

/* Whether any of those rows gives column `field` a number (zero policy keep: a computed row
 * prints its sum only then). */
bool gk_level1_given(const gk_table_data *data, int field, const gk_scope *scope);

/* A fixed-row table's values for the scope (layout->value_count entries), at the scale of its
 * values (gk_stub_value_exp: the table's amount unit and decimals, or the package's finer
 * data scale): each item derived (`from:`, converted, rounded when finer) or,
 * without a derivation, as the package supplies it; then the derived values. */
bool gk_stub_values(const gk_package *pkg, const gk_table_layout *layout, const gk_scope *scope,
                    int64_t *values, gk_overflow *overflow);

/* The same, and in given[] (value_count entries; NULL: not wanted) whether each value sums
 * some amount given (an item the package gives a number for, a derivation over some number
 * given). */
bool gk_stub_values_given(const gk_package *pkg, const gk_table_layout *layout,
                          const gk_scope *scope, int64_t *values, bool *given,
                          gk_overflow *overflow);

/* The package's supplied amount of a fixed-row item for the scope; *first is the first row
 * that gives it, NULL (and *amount 0) if none does. */
bool gk_stub_supplied(const gk_package *pkg, const gk_table_layout *layout, size_t item,
                      const gk_scope *scope, int64_t *amount, const gk_data_row **first,
                      gk_overflow *overflow);

/* The number in cell (row, column) of a fixed-row table (a GK_STUB_EXPR cell): its expression
 * over the table's values (gk_stub_values). */
bool gk_stub_cell_value(const gk_table_layout *layout, size_t row, size_t column,
                        const int64_t *values, int64_t *value, gk_overflow *overflow);

/* Whether that cell's expression sums some value given (gk_stub_values_given). */
bool gk_stub_cell_given(const gk_table_layout *layout, size_t row, size_t column,
                        const bool *given);

#endif
