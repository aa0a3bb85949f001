/* Sums over the package's rows; see values.h. */
#include "model/values.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input/input.h"
#include "util/i18n.h"
#include "util/money.h"

_Thread_local unsigned long long gk_steps;

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

bool gk_row_filtered(const gk_data_row *row, const gk_package *pkg, const gk_filter *filters,
                     size_t count)
{
    if (row->computed)
        return false;
    char buf[4];
    for (size_t i = 0; i < count; i++)
        if (strcmp(row_key(pkg, row, filters[i].field, buf), filters[i].value) != 0)
            return false;
    return true;
}

const char *gk_row_key(const gk_table_layout *table, const gk_data_row *row,
                       const gk_package *pkg, const char *key, char buf[4])
{
    int field = strcmp(key, "unit_code") == 0 ? GK_FIELD_UNIT_CODE
                                              : gk_layout_field_index(table, key);
    return field == -1 ? NULL : row_key(pkg, row, field, buf);
}

bool gk_row_matches(const gk_table_layout *table, const gk_data_row *row, const gk_package *pkg,
                    const gk_filter *filters, size_t count, const gk_key_value *extra,
                    size_t extra_count)
{
    if (row->computed)
        return false;
    if (count == 0 && extra_count == 0)
        return row->level == 1;
    if (!gk_row_filtered(row, pkg, filters, count))
        return false;
    char buf[4];
    for (size_t i = 0; i < extra_count; i++) {
        const char *value = gk_row_key(table, row, pkg, extra[i].key, buf);
        if (value == NULL || strcmp(value, extra[i].value) != 0)
            return false;
    }
    return true;
}

void gk_overflow_at_row(gk_overflow *overflow, const gk_table_layout *t, int field,
                        const gk_data_row *row)
{
    *overflow = (gk_overflow){GK_OVERFLOW_COLUMN, t->number, t->fields[field].key,
                              t->fields[field].decimals, row->file, row->line,
                              row->columns[field]};
}

size_t gk_overflow_message(const gk_overflow *o, char *buf, size_t size)
{
    char limit[64];
    gk_decimal_format(GK_MONEY_LIMIT, o->decimals, limit, sizeof limit);
    int n = 0;
    switch (o->kind) {
    case GK_OVERFLOW_COLUMN:
        /* TRANSLATORS: a table number (公开表3-1), a column key of the profile (untranslated)
           and the largest amount gongkai prints exactly; the sum of the column (a 合计 or a
           subtotal) is beyond it. */
        n = snprintf(buf, size,
                     _("%s, column '%s': expected a sum within ±%s, found one beyond it"),
                     o->table, o->name, limit);
        break;
    case GK_OVERFLOW_ITEM:
        /* TRANSLATORS: a table number (公开表1), a fixed row's id (in.general, untranslated)
           and the largest amount gongkai prints exactly. */
        n = snprintf(buf, size,
                     _("%s, item '%s': expected a sum within ±%s, found one beyond it"),
                     o->table, o->name, limit);
        break;
    case GK_OVERFLOW_PRIOR:
        /* TRANSLATORS: prior.KEY names a prior-year figure (untranslated); the second %s is
           the largest amount gongkai prints exactly. */
        n = snprintf(buf, size, _("prior.%s: expected a sum within ±%s, found one beyond it"),
                     o->name, limit);
        break;
    case GK_OVERFLOW_QUERY:
        /* TRANSLATORS: a query (1-1.total + 1-2.total, untranslated) and the largest amount
           gongkai prints exactly. */
        n = snprintf(buf, size, _("'%s': expected a sum within ±%s, found one beyond it"),
                     o->name, limit);
        break;
    }
    return n > 0 ? (size_t)n : 0;
}

static bool column_sum(const gk_package *pkg, const gk_term *term, const gk_scope *scope,
                       const gk_key_value *extra, size_t extra_count, int64_t *sum, bool *given,
                       gk_overflow *overflow)
{
    const gk_table_data *data = gk_package_table(pkg, term->table);
    *sum = 0;
    for (size_t r = 0; data != NULL && r < data->row_count; r++) {
        const gk_data_row *row = &data->rows[r];
        const gk_value *v = &row->values[term->field];
        gk_steps++;
        if (v->kind != GK_VALUE_NUMBER || !gk_scope_has(scope, row->unit) ||
            !gk_row_matches(term->table, row, pkg, term->filters, term->filter_count, extra,
                            extra_count))
            continue;
        *given = true;
        if (!gk_money_add(sum, 1, v->number)) {
            gk_overflow_at_row(overflow, term->table, term->field, row);
            return false;
        }
    }
    return true;
}

static bool prior_sum(const gk_package *pkg, const char *key, const gk_scope *scope,
                      int64_t *sum, bool *given, gk_overflow *overflow)
{
    *sum = 0;
    for (size_t i = 0; i < pkg->prior_count; i++) {
        const gk_prior *prior = &pkg->priors[i];
        if (strcmp(prior->key, key) != 0 || !gk_scope_has(scope, prior->unit))
            continue;
        *given = true;
        if (!gk_money_add(sum, 1, prior->amount)) {
            *overflow = (gk_overflow){GK_OVERFLOW_PRIOR, NULL, key,
                                      pkg->profile->amount_decimals, pkg->prior_path,
                                      prior->line, 0};
            return false;
        }
    }
    return true;
}

static bool stub_term(const gk_package *pkg, const gk_term *term, const gk_scope *scope,
                      int64_t *value, bool *given, gk_overflow *overflow)
{
    int64_t *values = calloc(term->table->value_count + 1, sizeof *values);
    bool *givens = calloc(term->table->value_count + 1, sizeof *givens);
    bool ok = true;
    *value = 0; /* out of memory: no value, as the callers have no way to say so */
    if (values != NULL && givens != NULL) {
        ok = gk_stub_values_given(pkg, term->table, scope, values, givens, overflow);
        *value = values[term->value];
        *given |= givens[term->value];
    }
    free(values);
    free(givens);
    return ok;
}

static bool term_amount(const gk_package *pkg, const gk_term *term, const gk_scope *scope,
                        const gk_key_value *extra, size_t extra_count, int64_t *value,
                        bool *given, gk_overflow *overflow)
{
    *value = 0;
    switch (term->kind) {
    case GK_TERM_COLUMN:
        return column_sum(pkg, term, scope, extra, extra_count, value, given, overflow);
    case GK_TERM_PRIOR:
        return prior_sum(pkg, term->prior_key, scope, value, given, overflow);
    case GK_TERM_STUB:
        return stub_term(pkg, term, scope, value, given, overflow);
    }
    return true;
}

bool gk_term_value(const gk_package *pkg, const gk_term *term, const gk_scope *scope,
                   const gk_key_value *extra, size_t extra_count, int64_t *value,
                   gk_overflow *overflow)
{
    bool given = false;
    return term_amount(pkg, term, scope, extra, extra_count, value, &given, overflow);
}

static void query_overflow(const gk_package *pkg, const gk_query *query, gk_overflow *overflow)
{
    *overflow = (gk_overflow){GK_OVERFLOW_QUERY, NULL, query->text,
                              pkg->profile->amount_decimals, NULL, 0, 0};
}

bool gk_query_add(const gk_package *pkg, const gk_query *query, const gk_term *term,
                  int64_t *sum, int64_t value, gk_overflow *overflow)
{
    int64_t scaled = 0;
    if (gk_money_convert(value, term->exp, query->exp, &scaled) &&
        gk_money_add(sum, term->sign, scaled))
        return true;
    query_overflow(pkg, query, overflow);
    return false;
}

gk_amount gk_column_amount(const gk_table_layout *table, int field, int64_t value)
{
    const gk_field *f = &table->fields[field];
    int exp = f->unit - f->decimals;
    return (gk_amount){value, exp, exp, f->unit, true};
}

bool gk_query_amount(const gk_package *pkg, const gk_query *query, const gk_scope *scope,
                     const gk_key_value *extra, size_t extra_count, gk_amount *sum,
                     gk_overflow *overflow)
{
    *sum = (gk_amount){0, query->exp, query->precision, query->unit, false};
    for (size_t i = 0; i < query->count; i++) {
        int64_t value = 0;
        if (!term_amount(pkg, &query->terms[i], scope, extra, extra_count, &value, &sum->given,
                         overflow) ||
            !gk_query_add(pkg, query, &query->terms[i], &sum->value, value, overflow))
            return false;
    }
    return true;
}

bool gk_query_sum(const gk_package *pkg, const gk_query *query, const gk_scope *scope,
                  const gk_key_value *extra, size_t extra_count, int64_t *sum,
                  gk_overflow *overflow)
{
    const gk_profile *profile = pkg->profile;
    gk_amount amount;
    *sum = 0;
    if (!gk_query_amount(pkg, query, scope, extra, extra_count, &amount, overflow))
        return false;
    if (gk_money_convert(amount.value, amount.exp,
                         profile->amount_unit_power - profile->amount_decimals, sum))
        return true;
    query_overflow(pkg, query, overflow);
    return false;
}

void gk_amounts_align(gk_amount *a, gk_amount *b)
{
    int precision = a->precision > b->precision ? a->precision : b->precision;
    int unit = a->precision == precision ? a->unit : b->unit;
    if (b->precision == precision && b->unit > unit)
        unit = b->unit;
    gk_amount *sides[] = {a, b};
    for (int i = 0; i < 2; i++) {
        /* towards a coarser scale: rounds, never fails */
        gk_money_convert(sides[i]->value, sides[i]->exp, precision, &sides[i]->value);
        sides[i]->exp = sides[i]->precision = precision;
        sides[i]->unit = unit;
    }
}

bool gk_level1_sum(const gk_table_data *data, int field, const gk_scope *scope, int64_t *sum,
                   gk_overflow *overflow)
{
    *sum = 0;
    for (size_t r = 0; r < data->row_count; r++) {
        const gk_data_row *row = &data->rows[r];
        const gk_value *v = &row->values[field];
        if (row->level != 1 || row->computed || v->kind != GK_VALUE_NUMBER ||
            !gk_scope_has(scope, row->unit))
            continue;
        if (!gk_money_add(sum, 1, v->number)) {
            gk_overflow_at_row(overflow, data->layout, field, row);
            return false;
        }
    }
    return true;
}

bool gk_level1_given(const gk_table_data *data, int field, const gk_scope *scope)
{
    for (size_t r = 0; r < data->row_count; r++) {
        const gk_data_row *row = &data->rows[r];
        if (row->level == 1 && !row->computed && row->values[field].kind == GK_VALUE_NUMBER &&
            gk_scope_has(scope, row->unit))
            return true;
    }
    return false;
}

/* gk_stub_supplied, and whether some row gives the item a number. */
static bool stub_supplied(const gk_package *pkg, const gk_table_layout *layout, size_t item,
                          const gk_scope *scope, int64_t *amount, const gk_data_row **first,
                          bool *given, gk_overflow *overflow)
{
    const gk_table_data *data = gk_package_table(pkg, layout);
    *amount = 0;
    *first = NULL;
    for (size_t r = 0; data != NULL && r < data->row_count; r++) {
        const gk_data_row *row = &data->rows[r];
        if (!gk_scope_has(scope, row->unit) || row->values[0].kind != GK_VALUE_TEXT ||
            strcmp(row->values[0].text, layout->value_ids[item]) != 0)
            continue;
        if (*first == NULL)
            *first = row;
        if (row->values[1].kind != GK_VALUE_NUMBER)
            continue;
        *given = true;
        if (!gk_money_add(amount, 1, row->values[1].number)) {
            gk_overflow_at_row(overflow, layout, 1, row);
            return false;
        }
    }
    return true;
}

bool gk_stub_supplied(const gk_package *pkg, const gk_table_layout *layout, size_t item,
                      const gk_scope *scope, int64_t *amount, const gk_data_row **first,
                      gk_overflow *overflow)
{
    bool given = false;
    return stub_supplied(pkg, layout, item, scope, amount, first, &given, overflow);
}

/* `a + b - c` over values. */
static bool expr_value(const gk_expr *expr, const int64_t *values, int64_t *result)
{
    *result = 0;
    for (size_t i = 0; i < expr->count; i++)
        if (!gk_money_add(result, expr->signs[i], values[expr->terms[i]]))
            return false;
    return true;
}

/* An overflow of a fixed-row table's item or derived value, at the layout line that defines
 * it when known. */
static void item_overflow(gk_overflow *overflow, const gk_table_layout *layout, size_t value,
                          int line, int column)
{
    *overflow = (gk_overflow){GK_OVERFLOW_ITEM, layout->number, layout->value_ids[value],
                              layout->fields[1].decimals, layout->path, line, column};
}

/* An item derived by its `from:` query, at the scale of the table's values. */
static bool derived_item(const gk_package *pkg, const gk_table_layout *layout, size_t item,
                         const gk_scope *scope, int64_t *value, bool *given,
                         gk_overflow *overflow)
{
    const gk_item_source *source = &layout->item_sources[item];
    gk_amount sum;
    if (!gk_query_amount(pkg, source->query, scope, NULL, 0, &sum, overflow))
        return false;
    *given = sum.given;
    if (gk_money_convert(sum.value, sum.exp, gk_stub_value_exp(layout), value))
        return true;
    /* the sum fits its own scale, not the table's */
    item_overflow(overflow, layout, item, source->line, source->column);
    return false;
}

bool gk_stub_values_given(const gk_package *pkg, const gk_table_layout *layout,
                          const gk_scope *scope, int64_t *values, bool *given,
                          gk_overflow *overflow)
{
    for (size_t i = 0; i < layout->item_count; i++) {
        const gk_item_source *source = &layout->item_sources[i];
        const gk_data_row *first = NULL;
        bool item_given = false;
        bool ok = source->query != NULL
                      ? derived_item(pkg, layout, i, scope, &values[i], &item_given, overflow)
                      : stub_supplied(pkg, layout, i, scope, &values[i], &first, &item_given,
                                      overflow);
        if (given != NULL)
            given[i] = item_given;
        if (!ok) {
            if (overflow->file == NULL) /* the terms of its `from:` added up too much */
                item_overflow(overflow, layout, i, source->line, source->column);
            return false;
        }
    }
    for (size_t d = layout->item_count; d < layout->value_count; d++) {
        const gk_expr *expr = &layout->derived[d - layout->item_count];
        if (!expr_value(expr, values, &values[d])) {
            item_overflow(overflow, layout, d, 0, 0);
            return false;
        }
        if (given == NULL)
            continue;
        given[d] = false;
        for (size_t k = 0; k < expr->count; k++)
            given[d] = given[d] || given[expr->terms[k]];
    }
    return true;
}

bool gk_stub_values(const gk_package *pkg, const gk_table_layout *layout, const gk_scope *scope,
                    int64_t *values, gk_overflow *overflow)
{
    return gk_stub_values_given(pkg, layout, scope, values, NULL, overflow);
}

bool gk_stub_cell_value(const gk_table_layout *layout, size_t row, size_t column,
                        const int64_t *values, int64_t *value, gk_overflow *overflow)
{
    if (expr_value(&layout->rows[row].cells[column].expr, values, value))
        return true;
    *overflow = (gk_overflow){GK_OVERFLOW_COLUMN, layout->number, layout->columns[column].key,
                              layout->fields[1].decimals, layout->path, 0, 0};
    return false;
}

bool gk_stub_cell_given(const gk_table_layout *layout, size_t row, size_t column,
                        const bool *given)
{
    const gk_expr *expr = &layout->rows[row].cells[column].expr;
    for (size_t k = 0; k < expr->count; k++)
        if (given[expr->terms[k]])
            return true;
    return false;
}
