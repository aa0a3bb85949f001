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

/* Whether a data row passes a term's filters (and the extra ones): with no filter at all,
 * level-1 rows; with filters, rows of any level whose keys match. Computed rows never pass. */
bool gk_row_matches(const gk_table_layout *table, const gk_data_row *row, const gk_package *pkg,
                    const gk_filter *filters, size_t count, const gk_key_value *extra,
                    size_t extra_count);

/* The sum of a query over the scope. */
int64_t gk_query_sum(const gk_package *pkg, const gk_query *query, const gk_scope *scope,
                     const gk_key_value *extra, size_t extra_count);

/* A fixed-row table's values for the scope (layout->value_count entries): each item derived
 * (`from:`) or, without a derivation, as the package supplies it; then the derived values. */
void gk_stub_values(const gk_package *pkg, const gk_table_layout *layout, const gk_scope *scope,
                    int64_t *values);

/* The package's supplied amount of a fixed-row item for the scope; false if no row gives it. */
bool gk_stub_supplied(const gk_package *pkg, const gk_table_layout *layout, size_t item,
                      const gk_scope *scope, int64_t *amount, const gk_data_row **first);

#endif
