/* Parsing queries against a profile; see query.h. */
#include "layout/query.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/i18n.h"

enum { MAX_TERMS = 32, MAX_FILTERS = 8 };

/* Writes the reason into error and returns false; format is translated already (_()). */
static bool fail(char *error, size_t size, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
static bool fail(char *error, size_t size, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(error, size, format, args);
    va_end(args);
    return false;
}

static int field_of(const gk_table_layout *table, const char *key)
{
    if (strcmp(key, "unit_code") == 0)
        return GK_FIELD_UNIT_CODE;
    if (strcmp(key, "level") == 0)
        return GK_FILTER_LEVEL;
    return gk_layout_field_index(table, key);
}

/* "class=208,item=01" */
static bool parse_filters(const gk_table_layout *table, char *text, gk_arena *arena,
                          gk_term *term, char *error, size_t size)
{
    gk_filter filters[MAX_FILTERS];
    size_t count = 0;
    char *save = NULL;
    for (char *part = strtok_r(text, ",", &save); part != NULL; part = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(part, '=');
        if (eq == NULL || count == MAX_FILTERS)
            /* TRANSLATORS: KEY=VALUE is the syntax of a filter such as [class=208]; keep it as
               it is. %s is what was written. */
            return fail(error, size, _("expected KEY=VALUE in the filter, found '%s'"), part);
        *eq = '\0';
        int field = field_of(table, part);
        if (field == -1)
            /* TRANSLATORS: the first %s is a table id (3-1), the second a column key. */
            return fail(error, size, _("table %s has no column '%s'"), table->id, part);
        filters[count++] = (gk_filter){field, gk_arena_strdup(arena, eq + 1)};
    }
    term->filters = gk_arena_alloc(arena, (count + 1) * sizeof *filters);
    if (term->filters == NULL)
        return fail(error, size, "%s", _("out of memory"));
    memcpy((gk_filter *)term->filters, filters, count * sizeof *filters);
    term->filter_count = count;
    return true;
}

/* One term: TABLE.COLUMN[filters], TABLE.VALUE_ID (fixed-row tables) or prior.KEY. With
 * any_type, COLUMN may be any column (a key to look up), not only an amount. */
static bool parse_term(const gk_profile *profile, char *text, gk_arena *arena, gk_term *term,
                       bool any_type, char *error, size_t size)
{
    char *bracket = strchr(text, '[');
    char *filters = NULL;
    if (bracket != NULL) {
        size_t len = strlen(bracket);
        if (bracket[len - 1] != ']')
            return fail(error, size, _("unclosed '[' in '%s'"), text);
        bracket[len - 1] = '\0';
        *bracket = '\0';
        filters = bracket + 1;
    }
    char *dot = strchr(text, '.');
    if (dot == NULL || dot[1] == '\0')
        /* TRANSLATORS: TABLE.COLUMN and prior.KEY show how a query term is written (prior is a
           keyword); keep them as they are. */
        return fail(error, size, _("expected TABLE.COLUMN or prior.KEY, found '%s'"), text);
    *dot = '\0';
    const char *name = dot + 1;
    if (strcmp(text, "prior") == 0) {
        term->kind = GK_TERM_PRIOR;
        term->unit = profile->amount_unit_power;
        term->exp = profile->amount_unit_power - profile->amount_decimals;
        term->prior_key = gk_arena_strdup(arena, name);
        /* TRANSLATORS: %s is a prior-year key; a filter is the [KEY=VALUE] part of a term. */
        return filters == NULL || fail(error, size, _("prior.%s takes no filter"), name);
    }
    term->table = gk_profile_table(profile, text);
    if (term->table == NULL)
        return fail(error, size, _("the profile has no table '%s'"), text);
    if (term->table->is_stub) {
        term->kind = GK_TERM_STUB;
        term->unit = term->table->fields[1].unit; /* the scale of the table's values */
        term->exp = gk_stub_value_exp(term->table);
        for (size_t i = 0; i < term->table->value_count; i++)
            if (strcmp(term->table->value_ids[i], name) == 0) {
                term->value = (int)i;
                if (filters == NULL)
                    return true;
                /* TRANSLATORS: a table id and one of its item or derived value ids. */
                return fail(error, size, _("%s.%s takes no filter"), text, name);
            }
        return fail(error, size, _("table %s has no item or derived value '%s'"), text, name);
    }
    term->kind = GK_TERM_COLUMN;
    term->field = gk_layout_field_index(term->table, name);
    if (term->field < 0 || (!any_type && term->table->fields[term->field].type != GK_TYPE_AMOUNT))
        return fail(error, size, any_type ? _("table %s has no column '%s'")
                                          : _("table %s has no amount column '%s'"),
                    text, name);
    term->unit = term->table->fields[term->field].unit;
    term->exp = term->unit - term->table->fields[term->field].decimals;
    return filters == NULL ||
           parse_filters(term->table, filters, arena, term, error, size);
}

/* The finest scale of the terms (where they add exactly) and the coarsest, with its unit (the
 * larger unit when two terms are as coarse). */
static void set_scale(gk_query *query)
{
    query->exp = query->terms[0].exp;
    query->precision = query->terms[0].exp;
    query->unit = query->terms[0].unit;
    for (size_t i = 1; i < query->count; i++) {
        const gk_term *term = &query->terms[i];
        if (term->exp < query->exp)
            query->exp = term->exp;
        if (term->exp > query->precision ||
            (term->exp == query->precision && term->unit > query->unit)) {
            query->precision = term->exp;
            query->unit = term->unit;
        }
    }
}

bool gk_query_parse(const gk_profile *profile, const char *text, gk_arena *arena, gk_query *out,
                    char *error, size_t error_size)
{
    char copy[1024];
    if (snprintf(copy, sizeof copy, "%s", text) >= (int)sizeof copy)
        return fail(error, error_size, _("query too long: '%.60s…'"), text);
    gk_term terms[MAX_TERMS];
    size_t count = 0;
    int sign = 1;
    bool want_term = true;
    char *save = NULL;
    for (char *word = strtok_r(copy, " \t", &save); word != NULL;
         word = strtok_r(NULL, " \t", &save)) {
        if (!want_term) {
            if (strcmp(word, "+") != 0 && strcmp(word, "-") != 0)
                return fail(error, error_size, _("expected ' + ' or ' - ' before '%s'"), word);
            sign = word[0] == '+' ? 1 : -1;
            want_term = true;
            continue;
        }
        if (count == MAX_TERMS)
            return fail(error, error_size, _("more than %d terms in '%s'"), MAX_TERMS, text);
        char term_text[256];
        snprintf(term_text, sizeof term_text, "%s", word);
        memset(&terms[count], 0, sizeof terms[count]);
        terms[count].sign = sign;
        if (!parse_term(profile, term_text, arena, &terms[count], false, error, error_size))
            return false;
        count++;
        want_term = false;
    }
    if (count == 0 || want_term)
        return fail(error, error_size, _("incomplete query '%s'"), text);
    out->text = gk_arena_strdup(arena, text);
    out->terms = gk_arena_alloc(arena, count * sizeof *terms);
    if (out->text == NULL || out->terms == NULL)
        return fail(error, error_size, "%s", _("out of memory"));
    memcpy((gk_term *)out->terms, terms, count * sizeof *terms);
    out->count = count;
    set_scale(out);
    return true;
}

bool gk_comparison_parse(const gk_profile *profile, const char *text, gk_arena *arena,
                         gk_query *left, gk_compare *op, gk_query *right, char *error,
                         size_t error_size)
{
    static const struct {
        const char *symbol;
        gk_compare op;
    } ops[] = {{" <= ", GK_CMP_LE}, {" >= ", GK_CMP_GE}, {" = ", GK_CMP_EQ}};
    for (size_t i = 0; i < 3; i++) {
        const char *at = strstr(text, ops[i].symbol);
        if (at == NULL)
            continue;
        char lhs[1024];
        snprintf(lhs, sizeof lhs, "%.*s", (int)(at - text), text);
        *op = ops[i].op;
        return gk_query_parse(profile, lhs, arena, left, error, error_size) &&
               gk_query_parse(profile, at + strlen(ops[i].symbol), arena, right, error,
                              error_size);
    }
    /* TRANSLATORS: 'QUERY = QUERY' shows the syntax of a comparison; keep it as it is. */
    return fail(error, error_size, _("expected 'QUERY = QUERY' (or <=, >=), found '%s'"), text);
}

bool gk_column_ref_parse(const gk_profile *profile, const char *text, gk_arena *arena,
                         gk_term *out, char *error, size_t error_size)
{
    char copy[512];
    if (snprintf(copy, sizeof copy, "%s", text) >= (int)sizeof copy)
        return fail(error, error_size, _("reference too long: '%.60s…'"), text);
    memset(out, 0, sizeof *out);
    out->sign = 1;
    if (!parse_term(profile, copy, arena, out, true, error, error_size))
        return false;
    if (out->kind != GK_TERM_COLUMN)
        return fail(error, error_size,
                    /* TRANSLATORS: TABLE.COLUMN shows how a column is named; keep it as it is. */
                    _("expected TABLE.COLUMN of a list table, found '%s'"), text);
    return true;
}

const char *gk_compare_symbol(gk_compare op)
{
    return op == GK_CMP_LE ? "<=" : op == GK_CMP_GE ? ">=" : "=";
}
