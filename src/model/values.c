/* Sums over the package's rows; see values.h. */
#include "model/values.h"

#include <stdlib.h>
#include <string.h>

bool gk_scope_has(const gk_scope *scope, size_t unit)
{
    for (size_t i = 0; i < scope->count; i++)
        if (scope->units[i] == unit)
            return true;
    return false;
}

static const char *row_key(const gk_package *pkg, const gk_data_row *row, int field, char *buf)
{
    if (field == GK_FIELD_UNIT_CODE)
        return pkg->units[row->unit].code;
    if (field == GK_FILTER_LEVEL) {
        buf[0] = (char)('0' + row->level);
        buf[1] = '\0';
        return buf;
    }
    const gk_value *v = &row->values[field];
    return v->kind == GK_VALUE_TEXT ? v->text : "";
}

bool gk_row_matches(const gk_table_layout *table, const gk_data_row *row, const gk_package *pkg,
                    const gk_filter *filters, size_t count, const gk_key_value *extra,
                    size_t extra_count)
{
    if (row->computed)
        return false;
    if (count == 0 && extra_count == 0)
        return row->level == 1;
    char buf[4];
    for (size_t i = 0; i < count; i++)
        if (strcmp(row_key(pkg, row, filters[i].field, buf), filters[i].value) != 0)
            return false;
    for (size_t i = 0; i < extra_count; i++) {
        int field = strcmp(extra[i].key, "unit_code") == 0
                        ? GK_FIELD_UNIT_CODE
                        : gk_layout_field_index(table, extra[i].key);
        if (field == -1 || strcmp(row_key(pkg, row, field, buf), extra[i].value) != 0)
            return false;
    }
    return true;
}

static int64_t column_sum(const gk_package *pkg, const gk_term *term, const gk_scope *scope,
                          const gk_key_value *extra, size_t extra_count)
{
    const gk_table_data *data = gk_package_table(pkg, term->table);
    int64_t sum = 0;
    for (size_t r = 0; data != NULL && r < data->row_count; r++) {
        const gk_data_row *row = &data->rows[r];
        const gk_value *v = &row->values[term->field];
        if (v->kind == GK_VALUE_NUMBER && gk_scope_has(scope, row->unit) &&
            gk_row_matches(term->table, row, pkg, term->filters, term->filter_count, extra,
                           extra_count))
            sum += v->number;
    }
    return sum;
}

static int64_t prior_sum(const gk_package *pkg, const char *key, const gk_scope *scope)
{
    int64_t sum = 0;
    for (size_t i = 0; i < pkg->prior_count; i++)
        if (strcmp(pkg->priors[i].key, key) == 0 && gk_scope_has(scope, pkg->priors[i].unit))
            sum += pkg->priors[i].amount;
    return sum;
}

int64_t gk_query_sum(const gk_package *pkg, const gk_query *query, const gk_scope *scope,
                     const gk_key_value *extra, size_t extra_count)
{
    int64_t sum = 0;
    for (size_t i = 0; i < query->count; i++) {
        const gk_term *term = &query->terms[i];
        int64_t value = 0;
        switch (term->kind) {
        case GK_TERM_COLUMN:
            value = column_sum(pkg, term, scope, extra, extra_count);
            break;
        case GK_TERM_PRIOR:
            value = prior_sum(pkg, term->prior_key, scope);
            break;
        case GK_TERM_STUB: {
            int64_t *values = calloc(term->table->value_count + 1, sizeof *values);
            if (values != NULL) {
                gk_stub_values(pkg, term->table, scope, values);
                value = values[term->value];
            }
            free(values);
            break;
        }
        }
        sum += term->sign * value;
    }
    return sum;
}

bool gk_stub_supplied(const gk_package *pkg, const gk_table_layout *layout, size_t item,
                      const gk_scope *scope, int64_t *amount, const gk_data_row **first)
{
    const gk_table_data *data = gk_package_table(pkg, layout);
    bool found = false;
    *amount = 0;
    for (size_t r = 0; data != NULL && r < data->row_count; r++) {
        const gk_data_row *row = &data->rows[r];
        if (!gk_scope_has(scope, row->unit) || row->values[0].kind != GK_VALUE_TEXT ||
            strcmp(row->values[0].text, layout->value_ids[item]) != 0)
            continue;
        if (!found && first != NULL)
            *first = row;
        found = true;
        if (row->values[1].kind == GK_VALUE_NUMBER)
            *amount += row->values[1].number;
    }
    return found;
}

void gk_stub_values(const gk_package *pkg, const gk_table_layout *layout, const gk_scope *scope,
                    int64_t *values)
{
    for (size_t i = 0; i < layout->item_count; i++) {
        const gk_item_source *source = &layout->item_sources[i];
        if (source->query != NULL)
            values[i] = gk_query_sum(pkg, source->query, scope, NULL, 0);
        else
            gk_stub_supplied(pkg, layout, i, scope, &values[i], NULL);
    }
    for (size_t d = layout->item_count; d < layout->value_count; d++) {
        const gk_expr *expr = &layout->derived[d - layout->item_count];
        int64_t sum = 0;
        for (size_t k = 0; k < expr->count; k++)
            sum += expr->signs[k] * values[expr->terms[k]];
        values[d] = sum;
    }
}
