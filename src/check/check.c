/* The check engine: runs each rule of the catalogue on one unit; see check.h. */
#include "check/check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input/input.h"
#include "model/document.h"
#include "model/figures.h"
#include "model/values.h"
#include "util/grow.h"
#include "util/i18n.h"
#include "util/money.h"

typedef struct checker {
    const gk_package *pkg;
    const gk_rules *rules;
    size_t unit;
    gk_scope scope;
    gk_findings *out;
    int decimals;
    bool failed; /* out of memory */
} checker;

/* ---- findings ----------------------------------------------------------------------------- */

static char *amount_text(checker *c, int64_t value)
{
    char buf[64];
    gk_decimal_format(value, c->decimals, buf, sizeof buf);
    return gk_arena_strdup(&c->out->arena, buf);
}

/* Records a finding whose message is already formatted (and translated). */
static void add_text(checker *c, gk_severity severity, const char *rule, const char *file,
                     int line, int column, const char *expected, const char *found,
                     const char *message)
{
    gk_finding *added = gk_findings_add(c->out, severity, rule, c->unit, file, line, column,
                                        message);
    if (added == NULL) {
        c->failed = true;
        return;
    }
    added->expected = expected ? gk_arena_strdup(&c->out->arena, expected) : NULL;
    added->found = found ? gk_arena_strdup(&c->out->arena, found) : NULL;
}

gk_finding *gk_findings_add(gk_findings *f, gk_severity severity, const char *rule, size_t unit,
                            const char *file, int line, int column, const char *message)
{
    if (!gk_grow((void **)&f->items, &f->capacity, f->count, sizeof *f->items, 32))
        return NULL;
    gk_finding *added = &f->items[f->count++];
    *added = (gk_finding){severity, rule, unit, file, line, column,
                          gk_arena_strdup(&f->arena, message), NULL, NULL};
    if (severity == GK_ERROR)
        f->errors++;
    else if (severity == GK_WARNING)
        f->warnings++;
    else
        f->notes++;
    return added;
}

/* Records a finding; its message is FORMAT, translated, with the arguments. */
static void add_finding(checker *c, gk_severity severity, const char *rule, const char *file,
                        int line, int column, const char *expected, const char *found,
                        const char *format, ...) __attribute__((format(printf, 9, 10)));
static void add_finding(checker *c, gk_severity severity, const char *rule, const char *file,
                        int line, int column, const char *expected, const char *found,
                        const char *format, ...)
{
    char message[1024];
    va_list args;
    va_start(args, format);
    vsnprintf(message, sizeof message, _(format), args);
    va_end(args);
    add_text(c, severity, rule, file, line, column, expected, found, message);
}

/* Whether an identical finding (rule, file, found) was already made for this unit: a wrong
 * name repeated on every row of a table is one mistake. */
static bool already(const checker *c, const char *rule, const char *file, const char *found)
{
    for (size_t i = 0; i < c->out->count; i++) {
        const gk_finding *f = &c->out->items[i];
        if (f->unit == c->unit && strcmp(f->rule, rule) == 0 && f->file == file && f->found &&
            strcmp(f->found, found) == 0)
            return true;
    }
    return false;
}

static bool holds(gk_compare op, int64_t left, int64_t right)
{
    return op == GK_CMP_EQ ? left == right : op == GK_CMP_LE ? left <= right : left >= right;
}

/* Reports left OP right failing: a difference within the tolerance is the rule's rounding
 * warning (equalities only), anything else an error. Values print as amounts; `what` (already
 * translated) names the check that failed. */
static void compare_amounts(checker *c, const gk_rule *rule, int64_t left, gk_compare op,
                            int64_t right, const char *file, int line, int column,
                            const char *what)
{
    if (holds(op, left, right))
        return;
    int64_t diff = left > right ? left - right : right - left;
    bool rounding = rule->rounding && op == GK_CMP_EQ && diff <= c->rules->tolerance;
    if (rounding)
        add_finding(c, GK_WARNING, rule->rounding, file, line, column, amount_text(c, right),
                    amount_text(c, left),
                    /* TRANSLATORS: a check that failed by less than the rounding tolerance;
                       %s names the check, e.g. "T01: Basic expenditure: personnel + public"
                       (a table number, a row and the columns compared). */
                    "%s within rounding", what);
    else
        add_text(c, GK_ERROR, rule->id, file, line, column, amount_text(c, right),
                 amount_text(c, left), what);
}

/* A sum beyond the range of exact amounts (util/money.h): an error of the rule that made it,
 * at the row that took it out of range, else at (file, line, column). */
static void overflow_finding(checker *c, const gk_rule *rule, const gk_overflow *overflow,
                             const char *file, int line, int column)
{
    char message[GK_DIAG_MESSAGE_MAX];
    gk_overflow_message(overflow, message, sizeof message);
    if (overflow->file != NULL) {
        file = overflow->file;
        line = overflow->line;
        column = overflow->column;
    }
    add_text(c, GK_ERROR, rule->id, file, line, column, NULL, NULL, message);
}

/* ---- helpers over rows ---------------------------------------------------------------------- */

static int64_t number(const gk_value *v)
{
    return v->kind == GK_VALUE_NUMBER ? v->number : 0;
}

/* A name for a row in messages: its name, project or code. */
static const char *row_label(const gk_table_layout *t, const gk_data_row *row)
{
    static const char *const keys[] = {"name", "project", "econ_code", "item"};
    for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
        int f = gk_layout_field_index(t, keys[k]);
        if (f >= 0 && row->values[f].kind == GK_VALUE_TEXT)
            return row->values[f].text;
    }
    /* TRANSLATORS: names a row that has no name, project or code in messages. */
    return _("row");
}

static int column_of(const gk_data_row *row, int field)
{
    return field >= 0 ? row->columns[field] : 1;
}

static bool own_row(const checker *c, const gk_data_row *row)
{
    return row->unit == c->unit;
}

/* ---- tables not supplied ---------------------------------------------------------------------- */

/* Whether the unit does not supply table t; if so, a note says that the rule skips it, at the
 * declaration in not_supplied.csv. A rule never compares what the package does not give. */
static bool skips(checker *c, const gk_rule *rule, const gk_table_layout *t)
{
    const gk_not_supplied *ns = gk_package_not_supplied(c->pkg, c->unit, t);
    if (ns == NULL)
        return false;
    if (ns->because != NULL)
        add_finding(c, GK_NOTE, rule->id, c->pkg->not_supplied_path, ns->line, ns->column, NULL,
                    NULL,
                    /* TRANSLATORS: a table number (公开表1), then the table it is derived from. */
                    "skipped: %s is not supplied (it is derived from %s, which is not)",
                    t->number, ns->because->number);
    else
        add_finding(c, GK_NOTE, rule->id, c->pkg->not_supplied_path, ns->line, ns->column, NULL,
                    NULL,
                    /* TRANSLATORS: a table number (公开表7) the package declares not supplied. */
                    "skipped: %s is not supplied", t->number);
    return true;
}

/* Whether a query names a table (a column or a fixed-row value) the unit does not supply. */
static bool query_skips(checker *c, const gk_rule *rule, const gk_query *q)
{
    for (size_t i = 0; i < q->count; i++)
        if (q->terms[i].kind != GK_TERM_PRIOR && skips(c, rule, q->terms[i].table))
            return true;
    return false;
}

/* ---- hierarchy ------------------------------------------------------------------------------ */

static void check_parent(checker *c, const gk_rule *rule, const gk_table_data *data, size_t i)
{
    const gk_table_layout *t = data->layout;
    const gk_data_row *parent = &data->rows[i];
    bool any_child = false, error = false;
    int first_field = -1;
    int64_t first_expected = 0, first_found = 0;
    for (size_t f = 0; f < t->column_count; f++) {
        const gk_column *col = &t->columns[f];
        if (!col->sum || col->field < 0)
            continue;
        int64_t sum = 0;
        for (size_t k = i + 1; k < data->row_count; k++) {
            const gk_data_row *row = &data->rows[k];
            if (!own_row(c, row) || row->computed)
                continue;
            if (row->level <= parent->level)
                break;
            any_child = true;
            if (row->level == parent->level + 1 &&
                !gk_money_add(&sum, 1, number(&row->values[col->field]))) {
                gk_overflow overflow;
                gk_overflow_at_row(&overflow, t, col->field, row);
                overflow_finding(c, rule, &overflow, NULL, 0, 0);
                return;
            }
        }
        int64_t found = number(&parent->values[col->field]);
        if (!any_child || found == sum)
            continue;
        int64_t diff = found > sum ? found - sum : sum - found;
        error |= !(rule->rounding && diff <= c->rules->tolerance);
        if (first_field < 0) {
            first_field = col->field;
            first_expected = sum;
            first_found = found;
        }
    }
    if (first_field < 0)
        return;
    const char *expected = amount_text(c, first_expected), *found = amount_text(c, first_found);
    int column = column_of(parent, first_field);
    if (error)
        add_finding(c, GK_ERROR, rule->id, parent->file, parent->line, column, expected, found,
                    /* TRANSLATORS: a table number (T01) and a row's name; the row's amount is
                       not the sum of the rows below it. */
                    "%s: %s is not the sum of its items", t->number, row_label(t, parent));
    else
        add_finding(c, GK_WARNING, rule->rounding, parent->file, parent->line, column, expected,
                    found,
                    /* TRANSLATORS: a table number (T01) and a row's name; the row's amount
                       differs from the sum of the rows below it by less than the rounding
                       tolerance. */
                    "%s: %s is not the sum of its items within rounding", t->number,
                    row_label(t, parent));
}

static void run_hierarchy(checker *c, const gk_rule *rule)
{
    for (size_t t = 0; t < rule->table_count; t++) {
        if (skips(c, rule, rule->tables[t]))
            continue;
        const gk_table_data *data = gk_package_table(c->pkg, rule->tables[t]);
        for (size_t i = 0; data && i < data->row_count; i++)
            if (own_row(c, &data->rows[i]) && !data->rows[i].computed)
                check_parent(c, rule, data, i);
    }
}

/* ---- row identities ------------------------------------------------------------------------- */

/* The terms of q (columns of one table) added on one row. */
static bool row_sum(const checker *c, const gk_query *q, const gk_data_row *row, int64_t *sum,
                    gk_overflow *overflow)
{
    *sum = 0;
    for (size_t i = 0; i < q->count; i++)
        if (!gk_money_add(sum, q->terms[i].sign, number(&row->values[q->terms[i].field]))) {
            *overflow = (gk_overflow){GK_OVERFLOW_QUERY, NULL, q->text, c->decimals,
                                      row->file, row->line, column_of(row, q->terms[i].field)};
            return false;
        }
    return true;
}

static void run_row(checker *c, const gk_rule *rule)
{
    if (skips(c, rule, rule->table))
        return;
    const gk_table_data *data = gk_package_table(c->pkg, rule->table);
    for (size_t i = 0; data && i < data->row_count; i++) {
        const gk_data_row *row = &data->rows[i];
        if (!own_row(c, row))
            continue;
        int64_t left = 0, right = 0;
        gk_overflow overflow;
        if (!row_sum(c, &rule->left, row, &left, &overflow) ||
            !row_sum(c, &rule->right, row, &right, &overflow)) {
            overflow_finding(c, rule, &overflow, NULL, 0, 0);
            continue;
        }
        char what[512];
        snprintf(what, sizeof what, "%s: %s: %s", rule->table->number, row_label(rule->table, row),
                 rule->left.text);
        compare_amounts(c, rule, left, rule->op, right, row->file, row->line,
                        column_of(row, rule->left.terms[0].field), what);
    }
}

/* ---- comparisons across tables ------------------------------------------------------------ */

/* Where a comparison is reported: the first row of its first column term's table that is in
 * the group, else the rules file. */
static void comparison_position(const checker *c, const gk_rule *rule, const gk_key_value *group,
                                size_t group_count, const char **file, int *line, int *column)
{
    *file = c->rules->path;
    *line = rule->line;
    *column = 1;
    const gk_query *sides[] = {&rule->left, &rule->right};
    for (int s = 0; s < 2; s++)
        for (size_t t = 0; t < sides[s]->count; t++) {
            const gk_term *term = &sides[s]->terms[t];
            if (term->kind != GK_TERM_COLUMN)
                continue;
            const gk_table_data *data = gk_package_table(c->pkg, term->table);
            for (size_t r = 0; data && r < data->row_count; r++) {
                const gk_data_row *row = &data->rows[r];
                if (own_row(c, row) && gk_row_matches(term->table, row, c->pkg, term->filters,
                                                      term->filter_count, group, group_count)) {
                    *file = row->file;
                    *line = row->line;
                    *column = column_of(row, term->field);
                    return;
                }
            }
        }
}

static void compare_group(checker *c, const gk_rule *rule, const gk_key_value *group,
                          size_t group_count)
{
    int64_t left = 0, right = 0;
    gk_overflow overflow;
    bool summed =
        gk_query_sum(c->pkg, &rule->left, &c->scope, group, group_count, &left, &overflow) &&
        gk_query_sum(c->pkg, &rule->right, &c->scope, group, group_count, &right, &overflow);
    if (summed && holds(rule->op, left, right))
        return;
    const char *file;
    int line, column;
    comparison_position(c, rule, group, group_count, &file, &line, &column);
    if (!summed) {
        overflow_finding(c, rule, &overflow, file, line, column);
        return;
    }
    char what[768] = "";
    size_t used = 0;
    for (size_t g = 0; g < group_count; g++)
        used += (size_t)snprintf(what + used, sizeof what - used, "%s%s", g ? " " : "",
                                 group[g].value);
    snprintf(what + used, sizeof what - used, "%s%s %s %s", group_count ? ": " : "",
             rule->left.text, gk_compare_symbol(rule->op), rule->right.text);
    compare_amounts(c, rule, left, rule->op, right, file, line, column, what);
}

static void run_compare(checker *c, const gk_rule *rule)
{
    if (query_skips(c, rule, &rule->left) || query_skips(c, rule, &rule->right))
        return;
    if (rule->by_count == 0) {
        compare_group(c, rule, NULL, 0);
        return;
    }
    /* every combination of the keys found in the unit's rows of the tables compared */
    enum { MAX_KEYS = 8 };
    gk_key_value group[MAX_KEYS];
    size_t keys = rule->by_count < MAX_KEYS ? rule->by_count : MAX_KEYS;
    const gk_query *sides[] = {&rule->left, &rule->right};
    for (int s = 0; s < 2; s++)
        for (size_t t = 0; t < sides[s]->count; t++) {
            const gk_term *term = &sides[s]->terms[t];
            const gk_table_data *data = term->kind == GK_TERM_COLUMN
                                            ? gk_package_table(c->pkg, term->table)
                                            : NULL;
            for (size_t r = 0; data && r < data->row_count; r++) {
                const gk_data_row *row = &data->rows[r];
                if (!own_row(c, row) || row->computed)
                    continue;
                for (size_t k = 0; k < keys; k++) {
                    const gk_value *v =
                        &row->values[gk_layout_field_index(term->table, rule->by[k])];
                    group[k] = (gk_key_value){rule->by[k], v->kind == GK_VALUE_TEXT ? v->text : ""};
                }
                /* compare each group once: at its first row of the first table naming it */
                bool seen = false;
                for (int s2 = 0; s2 <= s && !seen; s2++)
                    for (size_t t2 = 0; t2 < sides[s2]->count && !seen; t2++) {
                        const gk_term *earlier = &sides[s2]->terms[t2];
                        if (s2 == s && t2 >= t)
                            break;
                        if (earlier->kind != GK_TERM_COLUMN)
                            continue;
                        const gk_table_data *ed = gk_package_table(c->pkg, earlier->table);
                        for (size_t e = 0; ed && e < ed->row_count && !seen; e++)
                            seen = own_row(c, &ed->rows[e]) && !ed->rows[e].computed &&
                                   gk_row_matches(earlier->table, &ed->rows[e], c->pkg, NULL, 0,
                                                  group, keys);
                    }
                for (size_t e = 0; e < r && !seen; e++)
                    seen = own_row(c, &data->rows[e]) && !data->rows[e].computed &&
                           gk_row_matches(term->table, &data->rows[e], c->pkg, NULL, 0, group,
                                          keys);
                if (!seen)
                    compare_group(c, rule, group, keys);
            }
        }
}

/* ---- lookups ---------------------------------------------------------------------------------- */

static const char *key_text(const gk_data_row *row, int field)
{
    const gk_value *v = &row->values[field];
    return v->kind == GK_VALUE_TEXT ? v->text : NULL;
}

/* How alike two names are: characters equal at the same position, from either end (a typo
 * in the middle of a long project name keeps most of both). */
static size_t likeness(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), same = 0;
    for (size_t i = 0; i < la && i < lb && a[i] == b[i]; i++)
        same++;
    for (size_t i = 1; i <= la && i <= lb && a[la - i] == b[lb - i]; i++)
        same++;
    return same;
}

/* The key of the other table most like `key`, as the expected value of a failed lookup. */
static const char *closest_key(const checker *c, const gk_rule *rule, const gk_table_data *in,
                               const char *key)
{
    const char *best = NULL;
    size_t best_score = 0;
    for (size_t i = 0; in && i < in->row_count; i++) {
        const char *k = key_text(&in->rows[i], rule->in.field);
        if (k == NULL || !own_row(c, &in->rows[i]) ||
            !gk_row_matches(rule->in.table, &in->rows[i], c->pkg, rule->in.filters,
                            rule->in.filter_count, NULL, 0))
            continue;
        size_t score = likeness(k, key);
        if (score > best_score) {
            best = k;
            best_score = score;
        }
    }
    return best;
}

static void run_lookup(checker *c, const gk_rule *rule)
{
    if (skips(c, rule, rule->from.table) || skips(c, rule, rule->in.table))
        return;
    const gk_table_data *from = gk_package_table(c->pkg, rule->from.table);
    const gk_table_data *in = gk_package_table(c->pkg, rule->in.table);
    for (size_t r = 0; from && r < from->row_count; r++) {
        const gk_data_row *row = &from->rows[r];
        const char *key = key_text(row, rule->from.field);
        if (!own_row(c, row) || row->computed || key == NULL ||
            !gk_row_matches(rule->from.table, row, c->pkg, rule->from.filters,
                            rule->from.filter_count, NULL, 0))
            continue;
        bool earlier = false;
        for (size_t e = 0; e < r && !earlier; e++) {
            const char *k = key_text(&from->rows[e], rule->from.field);
            earlier = own_row(c, &from->rows[e]) && k && strcmp(k, key) == 0;
        }
        if (earlier)
            continue;
        /* the matching rows of the other table, and their amount */
        bool found = false, summed = true;
        int64_t amount = 0;
        gk_overflow overflow;
        for (size_t i = 0; in && i < in->row_count && summed; i++) {
            const gk_data_row *other = &in->rows[i];
            const char *k = key_text(other, rule->in.field);
            if (!own_row(c, other) || k == NULL || strcmp(k, key) != 0 ||
                !gk_row_matches(rule->in.table, other, c->pkg, rule->in.filters,
                                rule->in.filter_count, NULL, 0))
                continue;
            found = true;
            if (!rule->has_amount)
                continue;
            int field = rule->right.terms[0].field;
            summed = gk_money_add(&amount, 1, number(&other->values[field]));
            if (!summed)
                gk_overflow_at_row(&overflow, rule->in.table, field, other);
        }
        if (!summed) {
            overflow_finding(c, rule, &overflow, NULL, 0, 0);
            continue;
        }
        if (!found) {
            add_finding(c, GK_ERROR, rule->id, row->file, row->line,
                        column_of(row, rule->from.field), closest_key(c, rule, in, key), key,
                        /* TRANSLATORS: a table number (T05), a name or code from its rows,
                           another table number. */
                        "%s: '%s' is not in %s", rule->from.table->number, key,
                        rule->in.table->number);
            continue;
        }
        if (!rule->has_amount)
            continue;
        int64_t own = 0;
        for (size_t k = r; k < from->row_count; k++) {
            const char *kk = key_text(&from->rows[k], rule->from.field);
            if (own_row(c, &from->rows[k]) && kk && strcmp(kk, key) == 0 &&
                from->rows[k].values[rule->left.terms[0].field].kind == GK_VALUE_NUMBER) {
                own = from->rows[k].values[rule->left.terms[0].field].number;
                break;
            }
        }
        char what[512];
        snprintf(what, sizeof what, "%s: '%s': %s %s %s", rule->from.table->number, key,
                 rule->left.text, gk_compare_symbol(rule->op), rule->right.text);
        compare_amounts(c, rule, own, rule->op, amount, row->file, row->line,
                        column_of(row, rule->left.terms[0].field), what);
    }
}

/* ---- identity of the unit ------------------------------------------------------------------- */

static void identity_text(checker *c, const gk_rule *rule, const char *file, int line, int column,
                          const char *expected, const char *found, const char *where)
{
    if (found == NULL || strcmp(expected, found) == 0 || already(c, rule->id, file, found))
        return;
    add_text(c, GK_ERROR, rule->id, file, line, column, expected, found, where);
}

static const gk_summary *summary_of(const gk_table_layout *t, gk_summary_kind kind)
{
    for (size_t i = 0; i < t->summary_count; i++)
        if (t->summary[i].kind == kind)
            return &t->summary[i];
    return NULL;
}

static void identity_row(checker *c, const gk_rule *rule, const gk_table_data *data,
                         const gk_data_row *row)
{
    const gk_table_layout *t = data->layout;
    const gk_unit *unit = &c->pkg->units[row->unit];
    char where[256];
    /* TRANSLATORS: %s is a table number (T01); the unit's name in it is not the unit's. */
    snprintf(where, sizeof where, _("%s: the unit's name"), t->number);
    identity_text(c, rule, row->file, row->line, row->unit_name_column, unit->name,
                  row->unit_name, where);
    if (row->computed) {
        const gk_summary *s = summary_of(t, row->summary);
        if (s == NULL)
            return;
        const char *label = gk_template_expand(&c->out->arena, s->label, unit, t, NULL, NULL);
        int field = t->columns[s->label_column].field;
        if (row->summary == GK_SUMMARY_UNIT)
            /* TRANSLATORS: %s is a table number (T01); the name of the computed row that sums
               the unit is not what the profile says. */
            snprintf(where, sizeof where, _("%s: the unit row's name"), t->number);
        else if (row->summary == GK_SUMMARY_TOTAL)
            /* TRANSLATORS: %s is a table number (T01); the name of the total (合计) row is not
               what the profile says. */
            snprintf(where, sizeof where, _("%s: the total row's name"), t->number);
        else
            /* TRANSLATORS: %s is a table number (T01); the name of the computed row that sums
               the department is not what the profile says. */
            snprintf(where, sizeof where, _("%s: the department row's name"), t->number);
        if (field >= 0 && label != NULL)
            identity_text(c, rule, row->file, row->line, column_of(row, field), label,
                          key_text(row, field) ? key_text(row, field) : "", where);
        return;
    }
    for (size_t k = 0; k < t->column_count; k++) {
        const gk_column *col = &t->columns[k];
        if (col->value_template == NULL || col->field < 0 || key_text(row, col->field) == NULL)
            continue;
        const char *expected = gk_template_expand(&c->out->arena, col->value_template, unit, t,
                                                  row, NULL);
        /* TRANSLATORS: a table number (T01) and a column key of the profile (untranslated). */
        snprintf(where, sizeof where, _("%s: column '%s'"), t->number, col->key);
        if (expected != NULL)
            identity_text(c, rule, row->file, row->line, column_of(row, col->field), expected,
                          key_text(row, col->field), where);
    }
}

static void run_identity(checker *c, const gk_rule *rule)
{
    for (size_t t = 0; t < c->pkg->profile->table_count; t++) {
        const gk_table_data *data = &c->pkg->tables[t];
        for (size_t r = 0; r < data->row_count; r++)
            if (own_row(c, &data->rows[r]))
                identity_row(c, rule, data, &data->rows[r]);
    }
}

/* ---- supplied values of derived cells ------------------------------------------------------- */

static void derived_stub(checker *c, const gk_rule *rule, const gk_table_data *data)
{
    const gk_table_layout *t = data->layout;
    for (size_t i = 0; i < t->item_count; i++) {
        if (t->item_sources[i].query == NULL)
            continue;
        int64_t supplied = 0, derived = 0;
        const gk_data_row *first = NULL;
        gk_overflow overflow;
        bool summed = gk_stub_supplied(c->pkg, t, i, &c->scope, &supplied, &first, &overflow);
        if (summed && first == NULL)
            continue; /* not supplied: nothing to compare */
        if (!summed || !gk_query_sum(c->pkg, t->item_sources[i].query, &c->scope, NULL, 0,
                                     &derived, &overflow)) {
            overflow_finding(c, rule, &overflow, t->path, t->item_sources[i].line,
                             t->item_sources[i].column);
            continue;
        }
        char what[256];
        /* TRANSLATORS: a table number (T01), a fixed row's id and the expression (column
           references and + -) its value is derived from; ids and expression stay as they are. */
        snprintf(what, sizeof what, _("%s: %s (derived from %s)"), t->number, t->value_ids[i],
                 t->item_sources[i].text);
        compare_amounts(c, rule, supplied, GK_CMP_EQ, derived, first->file, first->line,
                        first->columns[1], what);
    }
}

/* A supplied 合计/department/unit row: each summed column against the computed sum. */
static void derived_row(checker *c, const gk_rule *rule, const gk_table_data *data,
                        const gk_data_row *row)
{
    const gk_table_layout *t = data->layout;
    const gk_unit *unit = &c->pkg->units[row->unit];
    for (size_t k = 0; k < t->column_count; k++) {
        const gk_column *col = &t->columns[k];
        if (!col->sum || col->field < 0)
            continue;
        int64_t sum = 0;
        for (size_t r = 0; r < data->row_count; r++) {
            const gk_data_row *d = &data->rows[r];
            const gk_unit *du = &c->pkg->units[d->unit];
            bool member = row->summary == GK_SUMMARY_TOTAL ||
                          (row->summary == GK_SUMMARY_UNIT && d->unit == row->unit) ||
                          (row->summary == GK_SUMMARY_DEPARTMENT &&
                           strcmp(du->department_code, unit->department_code) == 0);
            if (member && !d->computed && d->level == 1 &&
                !gk_money_add(&sum, 1, number(&d->values[col->field]))) {
                gk_overflow overflow;
                gk_overflow_at_row(&overflow, t, col->field, d);
                overflow_finding(c, rule, &overflow, NULL, 0, 0);
                return;
            }
        }
        char what[256];
        /* TRANSLATORS: a table number (T01) and a column key of the profile (untranslated). */
        snprintf(what, sizeof what, _("%s: computed row, column '%s'"), t->number, col->key);
        compare_amounts(c, rule, number(&row->values[col->field]), GK_CMP_EQ, sum, row->file,
                        row->line, column_of(row, col->field), what);
    }
}

/* A fixed-row table's values and cells, as the unit's booklet computes them. */
static bool stub_in_range(const checker *c, const gk_table_layout *t, int64_t *values,
                          gk_overflow *overflow)
{
    if (!gk_stub_values(c->pkg, t, &c->scope, values, overflow))
        return false;
    for (size_t r = 0; r < t->row_count; r++)
        for (size_t k = 0; k < t->column_count; k++) {
            int64_t value = 0;
            if (t->rows[r].cells[k].kind == GK_STUB_EXPR &&
                !gk_stub_cell_value(t, r, k, values, &value, overflow))
                return false;
        }
    return true;
}

/* What the unit's booklet computes from a table (its 合计, department and unit rows; a
 * fixed-row table's values) must be printable exactly, whether or not a rule compares it. */
static void computed_in_range(checker *c, const gk_rule *rule, const gk_table_data *data)
{
    const gk_table_layout *t = data->layout;
    gk_overflow overflow;
    if (t->is_stub) {
        int64_t *values = calloc(t->value_count + 1, sizeof *values);
        if (values == NULL)
            c->failed = true;
        else if (!stub_in_range(c, t, values, &overflow))
            overflow_finding(c, rule, &overflow, NULL, 0, 0);
        free(values);
        return;
    }
    for (size_t k = 0; t->summary_count > 0 && k < t->column_count; k++) {
        int64_t sum = 0;
        if (t->columns[k].sum && t->columns[k].field >= 0 &&
            !gk_level1_sum(data, t->columns[k].field, &c->scope, &sum, &overflow))
            overflow_finding(c, rule, &overflow, NULL, 0, 0);
    }
}

static void run_derived(checker *c, const gk_rule *rule)
{
    for (size_t t = 0; t < c->pkg->profile->table_count; t++) {
        const gk_table_data *data = &c->pkg->tables[t];
        if (gk_package_not_supplied(c->pkg, c->unit, data->layout) != NULL)
            continue; /* nothing supplied, nothing computed */
        computed_in_range(c, rule, data);
        if (data->layout->is_stub) {
            derived_stub(c, rule, data);
            continue;
        }
        for (size_t r = 0; r < data->row_count; r++)
            if (own_row(c, &data->rows[r]) && data->rows[r].computed)
                derived_row(c, rule, data, &data->rows[r]);
    }
}

/* ---- codes, presence ------------------------------------------------------------------------ */

static void run_codes(checker *c, const gk_rule *rule)
{
    for (size_t t = 0; t < rule->table_count; t++) {
        const gk_table_layout *layout = rule->tables[t];
        if (skips(c, rule, layout))
            continue;
        const gk_table_data *data = gk_package_table(c->pkg, layout);
        for (size_t r = 0; data && r < data->row_count; r++) {
            const gk_data_row *row = &data->rows[r];
            if (!own_row(c, row) || row->computed)
                continue;
            for (size_t d = 0; d < rule->digit_count; d++) {
                int field = gk_layout_field_index(layout, rule->digits[d].key);
                const char *code = key_text(row, field);
                if (code == NULL)
                    continue;
                bool ok = (int)strlen(code) == rule->digits[d].digits;
                for (const char *p = code; ok && *p; p++)
                    ok = *p >= '0' && *p <= '9';
                if (!ok) {
                    char expected[32];
                    /* TRANSLATORS: what a code should be, shown as "(expected 6 digits, found
                       12a)". */
                    snprintf(expected, sizeof expected, _("%d digits"), rule->digits[d].digits);
                    add_finding(c, GK_ERROR, rule->id, row->file, row->line, column_of(row, field),
                                expected, code,
                                /* TRANSLATORS: a table number (T01) and a column key of the
                                   profile (untranslated). */
                                "%s: code '%s' is malformed", layout->number,
                                rule->digits[d].key);
                }
            }
        }
    }
}

static void run_present(checker *c, const gk_rule *rule)
{
    const gk_profile *profile = c->pkg->profile;
    const gk_booklet *booklet = &profile->booklets[c->pkg->units[c->unit].booklet];
    for (size_t t = 0; t < rule->table_count; t++) {
        if (skips(c, rule, rule->tables[t]))
            continue;
        bool listed = false;
        for (size_t b = 0; b < booklet->table_count && !listed; b++)
            listed = booklet->tables[b] == rule->tables[t];
        const char *wording = rule->tables[t]->empty_text ? rule->tables[t]->empty_text
                                                          : profile->empty_text;
        if (!listed || wording == NULL || wording[0] == '\0')
            add_finding(c, GK_ERROR, rule->id, c->rules->path, rule->line, 1, NULL, NULL,
                        /* TRANSLATORS: a table number (T01) and the title of a booklet of the
                           profile; "wording" is the text printed instead of an empty table. */
                        "%s must be in the %s booklet, with wording for when it is empty",
                        rule->tables[t]->number, booklet->title);
    }
}

/* ---- narrative figures ---------------------------------------------------------------------- */

typedef struct figure_set {
    int64_t *amounts;
    size_t count, capacity;
    const int64_t *priors;
    size_t prior_count;
} figure_set;

static void add_figure(figure_set *s, int64_t v)
{
    for (size_t i = 0; i < s->count; i++)
        if (s->amounts[i] == v)
            return;
    if (!gk_grow((void **)&s->amounts, &s->capacity, s->count, sizeof *s->amounts, 256))
        return;
    s->amounts[s->count++] = v;
}

/* Every amount the unit's booklet prints (computed rows and fixed-row tables included). */
static void collect_figures(const gk_document *doc, int decimals, figure_set *s)
{
    add_figure(s, 0);
    for (size_t t = 0; t < doc->table_count; t++)
        for (size_t r = 0; r < doc->tables[t].row_count; r++)
            for (size_t k = 0; k < doc->tables[t].layout->column_count; k++) {
                const gk_value *v = &doc->tables[t].rows[r].cells[k].value;
                if (v->kind == GK_VALUE_NUMBER && v->decimals == decimals &&
                    doc->tables[t].layout->columns[k].type == GK_TYPE_AMOUNT)
                    add_figure(s, v->number);
            }
}

/* The literal at the tables' `decimals` (further decimals cut) in *out, and whether that is
 * exactly its value: 294.280 is 294.28, 999.999 is not 999.99, nor is a number of more digits
 * than any figure has. */
static bool at_table_decimals(const gk_literal *lit, int decimals, int64_t *out)
{
    int64_t value = lit->value;
    bool exact = lit->exact;
    for (int d = lit->decimals; d < decimals && exact; d++) {
        exact = value <= INT64_MAX / 10 && value >= INT64_MIN / 10;
        value = exact ? value * 10 : value;
    }
    for (int d = decimals; d < lit->decimals && value != 0; d++) {
        exact &= value % 10 == 0;
        value /= 10;
    }
    *out = value;
    return exact;
}

/* The literal equals, at its own precision, some figure, a prior figure or their difference;
 * *nearest is the closest of them. */
static bool amount_matches(const figure_set *s, const gk_literal *lit, int decimals,
                           int64_t *nearest)
{
    int64_t value = 0;
    bool exact = at_table_decimals(lit, decimals, &value);
    bool found = false;
    uint64_t best = UINT64_MAX;
    size_t n = s->count;
    for (size_t i = 0; i < n + s->prior_count && !found; i++) {
        int64_t a = i < n ? s->amounts[i] : s->priors[i - n];
        found = exact && a == value;
        for (size_t p = 0; p < s->prior_count && !found; p++) {
            int64_t diff = a - s->priors[p];
            found = exact && (diff == value || -diff == value);
        }
        /* in unsigned arithmetic: a typed figure may be as far as int64 goes */
        uint64_t dist = a > value ? (uint64_t)a - (uint64_t)value : (uint64_t)value - (uint64_t)a;
        if (best == UINT64_MAX || dist < best) {
            best = dist;
            *nearest = a;
        }
    }
    return found;
}

/* The literal is a share of two figures (or a change relative to a prior figure) computed
 * at the literal's own number of decimals. */
static bool percent_matches(const figure_set *s, const gk_literal *lit)
{
    if (!lit->exact || lit->decimals > 16) /* gk_share computes up to 16 decimals */
        return false;
    size_t n = s->count;
    for (size_t i = 0; i < n + s->prior_count; i++) {
        int64_t a = i < n ? s->amounts[i] : s->priors[i - n];
        for (size_t j = 0; j < n + s->prior_count; j++) {
            int64_t b = j < n ? s->amounts[j] : s->priors[j - n];
            if (b != 0 && gk_share(a, b, lit->decimals) == lit->value)
                return true;
            /* a change relative to a prior figure */
            if (j >= n && b != 0 && gk_share(a > b ? a - b : b - a, b, lit->decimals) == lit->value)
                return true;
        }
    }
    return false;
}

typedef struct narrative_check {
    checker *c;
    const gk_rule *rule;
    const figure_set *set;
    const char *path;
} narrative_check;

/* Checks one figure of the printed narrative. */
static void check_literal(const gk_literal *lit, void *context)
{
    narrative_check *nc = context;
    checker *c = nc->c;
    /* found: the figure as written, without its unit */
    char *found = strndup(lit->text, lit->number_len);
    if (found == NULL) {
        c->failed = true;
        return;
    }
    int64_t nearest = 0;
    if (!lit->grouping_ok)
        add_finding(c, GK_ERROR, nc->rule->id, nc->path, lit->line, lit->column, lit->plain,
                    found,
                    /* TRANSLATORS: %s is a figure as the narrative writes it (9,99.99万元):
                       its ',' do not group the digits by three. */
                    "'%s' has malformed thousands grouping", lit->text);
    else if (lit->percent ? !percent_matches(nc->set, lit)
                          : !amount_matches(nc->set, lit, c->decimals, &nearest))
        add_finding(c, GK_ERROR, nc->rule->id, nc->path, lit->line, lit->column,
                    lit->percent ? NULL : amount_text(c, nearest), found,
                    /* TRANSLATORS: %s is a figure as the narrative writes it
                       (1234.5万元, 12%). */
                    "'%s' matches no figure of the tables", lit->text);
    free(found);
}

/* Every figure a reader reads in the unit's narrative — in the booklet's own text, after
 * placeholders are filled (their figures are computed, so only hand-typed ones are checked). */
static gk_status run_narrative(checker *c, const gk_rule *rule, gk_diag *diag)
{
    gk_document *doc = NULL;
    gk_status status = gk_document_build_unit(c->pkg, c->unit, &doc, diag);
    if (status != GK_OK)
        return status;
    figure_set set = {0};
    collect_figures(doc, c->decimals, &set);
    int64_t *priors = calloc(c->pkg->prior_count + 1, sizeof *priors);
    size_t prior_count = 0;
    for (size_t i = 0; priors && i < c->pkg->prior_count; i++)
        if (c->pkg->priors[i].unit == c->unit)
            priors[prior_count++] = c->pkg->priors[i].amount;
    set.priors = priors;
    set.prior_count = prior_count;
    c->failed |= priors == NULL;
    for (size_t part = 0; priors && part < doc->part_count; part++) {
        const gk_narrative *n = &doc->parts[part].narrative;
        narrative_check nc = {c, rule, &set, n->path};
        if (!doc->parts[part].tables && !gk_figures_scan(n, check_literal, &nc))
            c->failed = true;
    }
    free(priors);
    free(set.amounts);
    gk_document_free(doc);
    return GK_OK;
}

/* ---- the unit ------------------------------------------------------------------------------- */

/* Runs every rule on one unit of pkg, whose rows are those a check of the unit may read: its
 * department's (a supplied department row sums them). */
static gk_status run_rules(const gk_package *pkg, const gk_rules *rules, size_t unit,
                           gk_findings *findings, gk_diag *diag)
{
    checker c = {pkg, rules, unit, {&unit, 1}, findings, pkg->profile->amount_decimals, false};
    gk_status status = GK_OK;
    for (size_t i = 0; status == GK_OK && i < rules->count; i++) {
        const gk_rule *rule = &rules->rules[i];
        switch (rule->kind) {
        case GK_RULE_HIERARCHY: run_hierarchy(&c, rule); break;
        case GK_RULE_ROW: run_row(&c, rule); break;
        case GK_RULE_COMPARE: run_compare(&c, rule); break;
        case GK_RULE_LOOKUP: run_lookup(&c, rule); break;
        case GK_RULE_IDENTITY: run_identity(&c, rule); break;
        case GK_RULE_DERIVED: run_derived(&c, rule); break;
        case GK_RULE_CODES: run_codes(&c, rule); break;
        case GK_RULE_PRESENT: run_present(&c, rule); break;
        case GK_RULE_NARRATIVE: status = run_narrative(&c, rule, diag); break;
        }
    }
    if (status == GK_OK && c.failed)
        status = gk_diag_set(diag, GK_ERR_NOMEM, pkg->dir, 0, 0, "out of memory");
    return status;
}

/* Whether the unit supplies a computed row summing its department or all of the rows a check
 * of it reads (a `kind` department or total row): only then does its check read other units'
 * rows. */
static bool sums_department(const gk_package *pkg, size_t unit)
{
    for (size_t t = 0; t < pkg->profile->table_count; t++) {
        const gk_table_data *data = &pkg->tables[t];
        size_t first = data->unit_start ? data->unit_start[unit] : 0;
        size_t end = data->unit_start ? data->unit_start[unit + 1] : data->row_count;
        for (size_t k = first; k < end; k++) {
            const gk_data_row *row = &data->rows[data->unit_start ? data->by_unit[k] : k];
            if (row->unit == unit && row->computed && row->summary != GK_SUMMARY_UNIT)
                return true;
        }
    }
    return false;
}

/* The package narrowed to the rows of these units: the package itself when it holds no other
 * unit's (one read for them, gk_package_load_units), else a view (*owned, to free). */
static gk_status rows_of(const gk_package *pkg, const size_t *units, size_t count,
                         const gk_package **rows, gk_package **owned, gk_diag *diag)
{
    *owned = NULL;
    *rows = pkg;
    if (gk_package_holds_only(pkg, units, count))
        return GK_OK;
    gk_status status = gk_package_view(pkg, units, count, owned, diag);
    *rows = *owned;
    return status;
}

static gk_status unit_failure(const gk_unit *unit, gk_diag *diag)
{
    if (diag != NULL)
        *diag = *unit->failure;
    return unit->failure->status;
}

/* Checks one unit on the rows it reads: its own, or (summing its department) the department's,
 * given in department (or NULL: then narrowed here). */
static gk_status check_unit_rows(const gk_package *package, const gk_package *department,
                                 const gk_rules *rules, size_t unit, gk_findings *findings,
                                 gk_diag *diag)
{
    const gk_package *pkg = NULL;
    gk_package *view = NULL;
    const size_t *members = &unit;
    size_t count = 1;
    gk_status status = GK_OK;
    if (sums_department(package, unit) && department != NULL)
        pkg = department;
    else if (sums_department(package, unit))
        count = gk_package_department_units(package, package->units[unit].department_code,
                                            &members);
    if (pkg == NULL)
        status = rows_of(package, members, count, &pkg, &view, diag);
    if (status == GK_OK)
        status = run_rules(pkg, rules, unit, findings, diag);
    gk_package_view_free(view);
    return status;
}

gk_status gk_check_unit(const gk_package *package, const gk_rules *rules, size_t unit,
                        gk_findings *findings, gk_diag *diag)
{
    if (package->units[unit].failure != NULL) /* its own files did not load */
        return unit_failure(&package->units[unit], diag);
    return check_unit_rows(package, NULL, rules, unit, findings, diag);
}

/* ---- the department ------------------------------------------------------------------------- */

/* A member disagrees with the department's first unit on what the booklet's title prints. */
static void check_member(checker *c, const char *units_csv, const gk_unit *first,
                         const gk_unit *unit)
{
    if (strcmp(unit->year, first->year) != 0)
        add_finding(c, GK_ERROR, "DEPARTMENT-UNITS", units_csv, unit->line, unit->year_column,
                    first->year, unit->year,
                    /* TRANSLATORS: a department code, then the code of its first unit. */
                    "department %s: every unit of a department booklet has one year (that of "
                    "unit %s)", unit->department_code, first->code);
    if (strcmp(unit->department_name, first->department_name) != 0)
        add_finding(c, GK_ERROR, "DEPARTMENT-UNITS", units_csv, unit->line,
                    unit->department_name_column, first->department_name, unit->department_name,
                    /* TRANSLATORS: a department code, then the code of its first unit. */
                    "department %s: every unit of a department booklet names the department "
                    "alike (as unit %s does)", unit->department_code, first->code);
}

/* DEPARTMENT-UNITS for `unit` against `first`, its department's first unit. */
static gk_status agree_with_first(const gk_package *pkg, const gk_rules *rules, size_t first,
                                  size_t unit, gk_findings *findings, gk_diag *diag)
{
    const char *units_csv = gk_arena_printf(&findings->arena, "%s/units.csv", pkg->dir);
    checker c = {pkg, rules, unit, {&unit, 1}, findings, pkg->profile->amount_decimals,
                 units_csv == NULL};
    if (units_csv != NULL)
        check_member(&c, units_csv, &pkg->units[first], &pkg->units[unit]);
    return c.failed ? gk_diag_set(diag, GK_ERR_NOMEM, pkg->dir, 0, 0, "out of memory") : GK_OK;
}

gk_status gk_check_membership(const gk_package *pkg, const gk_rules *rules, size_t unit,
                              gk_findings *findings, gk_diag *diag)
{
    const size_t *members;
    gk_package_department_units(pkg, pkg->units[unit].department_code, &members);
    return members[0] == unit ? GK_OK
                              : agree_with_first(pkg, rules, members[0], unit, findings, diag);
}

gk_status gk_check_department(const gk_package *package, const gk_rules *rules,
                              const char *department_code, gk_findings *findings, gk_diag *diag)
{
    const size_t *members;
    size_t count = gk_package_department_units(package, department_code, &members);
    if (count == 0)
        return gk_diag_set(diag, GK_ERR_DATA, package->dir, 0, 0,
                           "department %s has no unit in the package", department_code);
    /* the department's rows, gathered once for the units that sum them */
    const gk_package *department = NULL;
    gk_package *view = NULL;
    gk_status status = rows_of(package, members, count, &department, &view, diag);
    for (size_t i = 0; i < count && status == GK_OK; i++) {
        size_t u = members[i];
        if (i > 0)
            status = agree_with_first(package, rules, members[0], u, findings, diag);
        if (status == GK_OK && package->units[u].failure != NULL)
            status = unit_failure(&package->units[u], diag);
        if (status == GK_OK)
            status = check_unit_rows(package, department, rules, u, findings, diag);
    }
    gk_package_view_free(view);
    return status;
}

void gk_findings_free(gk_findings *findings)
{
    free(findings->items);
    gk_arena_free(&findings->arena);
    memset(findings, 0, sizeof *findings);
}

size_t gk_finding_message(const gk_finding *f, char *buf, size_t size)
{
    int n = snprintf(buf, size, "[%s] %s", f->rule, f->message);
    if (n < 0)
        return 0;
    size_t used = size == 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
    if (f->expected || f->found) {
        /* TRANSLATORS: after a finding; the expected and the found value (amounts, codes,
           names; "-" when there is none). */
        int more = snprintf(buf + used, size - used, _(" (expected %s, found %s)"),
                            f->expected ? f->expected : "-", f->found ? f->found : "-");
        if (more > 0)
            n += more;
    }
    return (size_t)n;
}

size_t gk_finding_format(const gk_finding *f, char *buf, size_t size)
{
    char message[GK_DIAG_LINE_MAX];
    gk_finding_message(f, message, sizeof message);
    if (f->severity == GK_NOTE)
        return gk_diag_format_note(buf, size, f->file, f->line, f->column, message);
    return gk_diag_format_message(buf, size, f->file, f->line, f->column,
                                  f->severity != GK_ERROR, message);
}

const char *gk_severity_name(gk_severity severity)
{
    return severity == GK_ERROR ? "error" : severity == GK_WARNING ? "warning" : "note";
}
