/* The check engine: runs each rule of the catalogue on one unit; see check.h. */
#include "check/check.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/key_map.h"
#include "check/names.h"
#include "input/input.h"
#include "model/consolidate.h"
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

/* An amount as a finding shows it: at its precision, with its unit when that is not the
 * booklet's (294.28, 2942800.00元). */
static char *amount_text(checker *c, const gk_amount *a)
{
    char buf[64];
    int decimals = a->unit - a->precision;
    int64_t value = a->value;
    gk_money_convert(a->value, a->exp, a->precision, &value); /* to a coarser scale: rounds */
    gk_decimal_format(value, decimals > 0 ? decimals : 0, buf, sizeof buf);
    if (a->unit == c->pkg->profile->amount_unit_power)
        return gk_arena_strdup(&c->out->arena, buf);
    return gk_arena_printf(&c->out->arena, "%s%s", buf, gk_amount_unit_name(a->unit));
}

/* Column `field` of table t's value (or sum) as an amount; a number of another type (a count
 * summed by a hierarchy rule) has no unit: it shows as in the booklet's. */
static gk_amount column_amount(const checker *c, const gk_table_layout *t, int field,
                               int64_t value)
{
    gk_amount a = gk_column_amount(t, field, value);
    if (t->fields[field].type != GK_TYPE_AMOUNT) {
        a.unit = c->pkg->profile->amount_unit_power;
        a.exp = a.precision = a.unit - t->fields[field].decimals;
    }
    return a;
}

/* An amount in the booklet's unit and decimals, as a finding shows it. */
static char *booklet_amount_text(checker *c, int64_t value)
{
    const gk_profile *profile = c->pkg->profile;
    int exp = profile->amount_unit_power - profile->amount_decimals;
    gk_amount a = {value, exp, exp, profile->amount_unit_power, true};
    return amount_text(c, &a);
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

static bool holds(gk_compare op, int64_t left, int64_t right)
{
    return op == GK_CMP_EQ ? left == right : op == GK_CMP_LE ? left <= right : left >= right;
}

/* An amount, and after it in parentheses where it comes from when `from` names it (the CSV
 * rows a comparison summed: "286.48 (pkg/tables/3-1.csv:2:23, pkg/tables/3-2.csv:2:20)"). */
static char *amount_from(checker *c, const gk_amount *value, const char *from)
{
    char *amount = amount_text(c, value);
    if (amount == NULL || from == NULL || from[0] == '\0')
        return amount;
    return gk_arena_printf(&c->out->arena, "%s (%s)", amount, from);
}

/* Reports left OP right failing, compared at the coarser precision of the two (amounts of
 * different units or decimals: values.h): a difference within the tolerance, counted in that
 * precision's last digit, is the rule's rounding warning (equalities only), anything else an
 * error. Values print as amounts, each followed by the rows it was read from when
 * left_from/right_from name them (else NULL); `what` (already translated) names the check
 * that failed. */
static void compare_amounts_from(checker *c, const gk_rule *rule, gk_amount left, gk_compare op,
                                 gk_amount right, const char *file, int line, int column,
                                 const char *what, const char *left_from,
                                 const char *right_from)
{
    gk_amounts_align(&left, &right);
    if (holds(op, left.value, right.value))
        return;
    int64_t diff = left.value > right.value ? left.value - right.value : right.value - left.value;
    bool rounding = rule->rounding && op == GK_CMP_EQ && diff <= c->rules->tolerance;
    const char *expected = amount_from(c, &right, right_from);
    const char *found = amount_from(c, &left, left_from);
    if (rounding)
        add_finding(c, GK_WARNING, rule->rounding, file, line, column, expected, found,
                    /* TRANSLATORS: a check that failed by less than the rounding tolerance;
                       %s names the check, e.g. "T01: Basic expenditure: personnel + public"
                       (a table number, a row and the columns compared). */
                    "%s within rounding", what);
    else
        add_text(c, GK_ERROR, rule->id, file, line, column, expected, found, what);
}

static void compare_amounts(checker *c, const gk_rule *rule, gk_amount left, gk_compare op,
                            gk_amount right, const char *file, int line, int column,
                            const char *what)
{
    compare_amounts_from(c, rule, left, op, right, file, line, column, what, NULL, NULL);
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

static const char *key_text(const gk_data_row *row, int field)
{
    const gk_value *v = &row->values[field];
    return v->kind == GK_VALUE_TEXT ? v->text : NULL;
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

/* The verdict on a parent row: each summed column against the sum of its children (sums, by
 * leaf column); one finding, at the first column that differs. */
static void report_parent(checker *c, const gk_rule *rule, const gk_table_layout *t,
                          const gk_data_row *parent, const int64_t *sums)
{
    bool error = false;
    int first_field = -1;
    int64_t first_expected = 0, first_found = 0;
    for (size_t f = 0; f < t->column_count; f++) {
        const gk_column *col = &t->columns[f];
        if (!col->sum || col->field < 0)
            continue;
        int64_t found = number(&parent->values[col->field]);
        if (found == sums[f])
            continue;
        int64_t diff = found > sums[f] ? found - sums[f] : sums[f] - found;
        error |= !(rule->rounding && diff <= c->rules->tolerance);
        if (first_field < 0) {
            first_field = col->field;
            first_expected = sums[f];
            first_found = found;
        }
    }
    if (first_field < 0)
        return;
    gk_amount expected_amount = column_amount(c, t, first_field, first_expected);
    gk_amount found_amount = column_amount(c, t, first_field, first_found);
    const char *expected = amount_text(c, &expected_amount);
    const char *found = amount_text(c, &found_amount);
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

/* Parent rows[i] of the unit's rows of a table (own_rows) against the rows below it of the
 * next level; sums has room for a sum per leaf column. */
static void check_parent(checker *c, const gk_rule *rule, const gk_table_data *data,
                         const size_t *rows, size_t count, size_t i, int64_t *sums)
{
    const gk_table_layout *t = data->layout;
    const gk_data_row *parent = &data->rows[rows[i]];
    bool any_child = false;
    for (size_t f = 0; f < t->column_count; f++) {
        const gk_column *col = &t->columns[f];
        sums[f] = 0;
        if (!col->sum || col->field < 0)
            continue;
        for (size_t k = i + 1; k < count; k++) {
            const gk_data_row *row = &data->rows[rows[k]];
            gk_steps++;
            if (row->level <= parent->level)
                break;
            any_child = true;
            if (row->level == parent->level + 1 &&
                !gk_money_add(&sums[f], 1, number(&row->values[col->field]))) {
                gk_overflow overflow;
                gk_overflow_at_row(&overflow, t, col->field, row);
                overflow_finding(c, rule, &overflow, NULL, 0, 0);
                return;
            }
        }
    }
    if (any_child)
        report_parent(c, rule, t, parent, sums);
}

/* by_prefix: the codes met so far as a trie, each node the last row whose code ends there, so
 * that a row finds its parent by walking its code once (children as sibling lists: a code's
 * characters are few, digits mostly). */
typedef struct trie_node {
    size_t child, sibling; /* node indexes; 0 (the root) for none */
    size_t last;           /* the last row whose code ends here, or SIZE_MAX */
    unsigned char byte;
} trie_node;

typedef struct code_trie {
    trie_node *nodes;
    size_t count, capacity;
} code_trie;

/* The child of a node for a byte, added when absent; SIZE_MAX when out of memory. */
static size_t trie_child(code_trie *trie, size_t node, unsigned char byte)
{
    for (size_t k = trie->nodes[node].child; k != 0; k = trie->nodes[k].sibling) {
        gk_steps++;
        if (trie->nodes[k].byte == byte)
            return k;
    }
    if (!gk_grow((void **)&trie->nodes, &trie->capacity, trie->count, sizeof *trie->nodes, 64))
        return SIZE_MAX;
    size_t k = trie->count++;
    trie->nodes[k] = (trie_node){0, trie->nodes[node].child, SIZE_MAX, byte};
    trie->nodes[node].child = k;
    return k;
}

/* The parent of each of the unit's rows (an index into rows, or SIZE_MAX): the nearest row above
 * whose code is a proper prefix of its own. False when out of memory. */
static bool prefix_parents(const gk_table_data *data, int field, const size_t *rows,
                           size_t count, size_t *parents)
{
    code_trie trie = {calloc(64, sizeof *trie.nodes), 1, 64};
    bool ok = trie.nodes != NULL;
    if (ok)
        trie.nodes[0].last = SIZE_MAX; /* the root: the empty code */
    for (size_t i = 0; ok && i < count; i++) {
        parents[i] = SIZE_MAX;
        const char *code = key_text(&data->rows[rows[i]], field);
        size_t node = 0;
        for (const char *p = code; ok && p != NULL && *p; p++) {
            size_t last = trie.nodes[node].last;
            if (node != 0 && last != SIZE_MAX && (parents[i] == SIZE_MAX || last > parents[i]))
                parents[i] = last;
            node = trie_child(&trie, node, (unsigned char)*p);
            ok = node != SIZE_MAX;
        }
        if (ok && node != 0)
            trie.nodes[node].last = i;
    }
    free(trie.nodes);
    return ok;
}

/* by_prefix: every row with children against the sum of its children. */
static void check_by_prefix(checker *c, const gk_rule *rule, const gk_table_data *data,
                            const size_t *rows, size_t count)
{
    const gk_table_layout *t = data->layout;
    size_t cols = t->column_count;
    size_t *parents = malloc((count + 1) * sizeof *parents);
    int64_t *sums = calloc(count * cols + 1, sizeof *sums);
    bool *has_child = calloc(count + 1, sizeof *has_child), *overflowed = calloc(count + 1, 1);
    if (parents == NULL || sums == NULL || has_child == NULL || overflowed == NULL ||
        !prefix_parents(data, gk_layout_field_index(t, rule->by_prefix), rows, count, parents))
        c->failed = true;
    for (size_t k = 0; !c->failed && k < count; k++) {
        size_t p = parents[k];
        if (p == SIZE_MAX)
            continue;
        has_child[p] = true;
        const gk_data_row *row = &data->rows[rows[k]];
        for (size_t f = 0; f < cols && !overflowed[p]; f++) {
            const gk_column *col = &t->columns[f];
            if (col->sum && col->field >= 0 &&
                !gk_money_add(&sums[p * cols + f], 1, number(&row->values[col->field]))) {
                gk_overflow overflow;
                gk_overflow_at_row(&overflow, t, col->field, row);
                overflow_finding(c, rule, &overflow, NULL, 0, 0);
                overflowed[p] = true;
            }
        }
    }
    for (size_t i = 0; !c->failed && i < count; i++)
        if (has_child[i] && !overflowed[i])
            report_parent(c, rule, t, &data->rows[rows[i]], &sums[i * cols]);
    free(parents);
    free(sums);
    free(has_child);
    free(overflowed);
}

/* The indexes of the unit's rows of a table that are not computed, in order (a department's
 * other rows between them are not gone through again for each parent); NULL when out of
 * memory. */
static size_t *own_rows(checker *c, const gk_table_data *data, size_t *count)
{
    size_t *rows = malloc((data->row_count + 1) * sizeof *rows);
    c->failed |= rows == NULL;
    *count = 0;
    for (size_t r = 0; rows && r < data->row_count; r++)
        if (own_row(c, &data->rows[r]) && !data->rows[r].computed)
            rows[(*count)++] = r;
    return rows;
}

static void run_hierarchy(checker *c, const gk_rule *rule)
{
    for (size_t t = 0; t < rule->table_count; t++) {
        if (skips(c, rule, rule->tables[t]))
            continue;
        const gk_table_data *data = gk_package_table(c->pkg, rule->tables[t]);
        size_t count = 0;
        size_t *rows = data ? own_rows(c, data, &count) : NULL;
        int64_t *sums = data ? calloc(data->layout->column_count + 1, sizeof *sums) : NULL;
        c->failed |= data != NULL && sums == NULL;
        if (rows != NULL && sums != NULL && rule->by_prefix != NULL)
            check_by_prefix(c, rule, data, rows, count);
        else
            for (size_t i = 0; rows != NULL && sums != NULL && i < count; i++)
                check_parent(c, rule, data, rows, count, i, sums);
        free(rows);
        free(sums);
    }
}

/* ---- row identities ------------------------------------------------------------------------- */

/* The terms of q (columns of one table) added on one row, each from its column's scale to
 * the query's. */
static bool row_sum(const checker *c, const gk_query *q, const gk_data_row *row, gk_amount *sum,
                    gk_overflow *overflow)
{
    *sum = (gk_amount){0, q->exp, q->precision, q->unit, true};
    for (size_t i = 0; i < q->count; i++) {
        const gk_term *term = &q->terms[i];
        int64_t scaled = 0;
        if (!gk_money_convert(number(&row->values[term->field]), term->exp, q->exp, &scaled) ||
            !gk_money_add(&sum->value, term->sign, scaled)) {
            *overflow = (gk_overflow){GK_OVERFLOW_QUERY, NULL, q->text, c->decimals,
                                      row->file, row->line, column_of(row, term->field)};
            return false;
        }
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
        gk_amount left, right;
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

/* ---- where compared values come from ---- */

/* A row a compared value was read from (a CSV row, a line of prior.csv). */
typedef struct source {
    const char *file;
    int line, column;
} source;

enum { MAX_SOURCE_DEPTH = 16 }; /* fixed-row values derived from derived values, … */

static bool query_source(const checker *c, const gk_query *q, int depth, source *out);

/* The first row that gives a fixed-row table's value for the unit: a supplied item's row, else
 * the first row its derivation reads. */
static bool stub_source(const checker *c, const gk_table_layout *t, size_t value, int depth,
                        source *out)
{
    if (depth > MAX_SOURCE_DEPTH)
        return false;
    if (value >= t->item_count) {
        const gk_expr *e = &t->derived[value - t->item_count];
        for (size_t i = 0; i < e->count; i++)
            if (stub_source(c, t, (size_t)e->terms[i], depth + 1, out))
                return true;
        return false;
    }
    if (t->item_sources[value].query != NULL)
        return query_source(c, t->item_sources[value].query, depth + 1, out);
    int64_t amount = 0;
    const gk_data_row *first = NULL;
    gk_overflow overflow;
    gk_stub_supplied(c->pkg, t, value, &c->scope, &amount, &first, &overflow);
    if (first != NULL)
        *out = (source){first->file, first->line, first->columns[1]};
    return first != NULL;
}

/* The first row a term reads for the unit: a column's first matching row, a prior figure's
 * line of prior.csv, a fixed-row value's (stub_source). */
static bool term_source(const checker *c, const gk_term *term, int depth, source *out)
{
    if (term->kind == GK_TERM_STUB)
        return stub_source(c, term->table, (size_t)term->value, depth, out);
    if (term->kind == GK_TERM_PRIOR) {
        for (size_t i = 0; i < c->pkg->prior_count; i++, gk_steps++) {
            const gk_prior *p = &c->pkg->priors[i];
            if (p->unit == c->unit && strcmp(p->key, term->prior_key) == 0) {
                *out = (source){c->pkg->prior_path, p->line, 1};
                return true;
            }
        }
        return false;
    }
    const gk_table_data *data = gk_package_table(c->pkg, term->table);
    for (size_t r = 0; data && r < data->row_count; r++, gk_steps++) {
        const gk_data_row *row = &data->rows[r];
        if (own_row(c, row) && gk_row_matches(term->table, row, c->pkg, term->filters,
                                              term->filter_count, NULL, 0)) {
            *out = (source){row->file, row->line, column_of(row, term->field)};
            return true;
        }
    }
    return false;
}

static bool query_source(const checker *c, const gk_query *q, int depth, source *out)
{
    for (size_t i = 0; i < q->count; i++)
        if (term_source(c, &q->terms[i], depth, out))
            return true;
    return false;
}

/* The rows one side of a comparison read, one per term that read any (known[i], when given,
 * is term i's; else it is looked up), each once, in the order of the terms. */
typedef struct side_sources {
    source items[8];
    size_t count;
    bool more; /* terms beyond those listed read rows too */
} side_sources;

static void collect_sources(const checker *c, const gk_query *q, const source *known,
                            side_sources *out)
{
    out->count = 0;
    out->more = false;
    for (size_t i = 0; i < q->count; i++) {
        source s;
        if (known != NULL ? known[i].file == NULL : !term_source(c, &q->terms[i], 0, &s))
            continue;
        if (known != NULL)
            s = known[i];
        bool seen = false;
        for (size_t k = 0; k < out->count && !seen; k++)
            seen = out->items[k].file == s.file && out->items[k].line == s.line &&
                   out->items[k].column == s.column;
        if (seen)
            continue;
        if (out->count == sizeof out->items / sizeof *out->items)
            out->more = true;
        else
            out->items[out->count++] = s;
    }
}

/* "FILE:LINE:COL, FILE:LINE:COL" of a side's rows (in the findings' arena), or NULL when it
 * has none. */
static const char *sources_text(checker *c, const side_sources *s)
{
    const char *text = NULL;
    for (size_t i = 0; i < s->count; i++) {
        text = gk_arena_printf(&c->out->arena, "%s%s%s:%d:%d", text ? text : "", text ? ", " : "",
                               s->items[i].file, s->items[i].line, s->items[i].column);
        if (text == NULL) {
            c->failed = true;
            return NULL;
        }
    }
    return text && s->more ? gk_arena_printf(&c->out->arena, "%s, …", text) : text;
}

/* Where a comparison is reported and what it names: at the first row its left side read (the
 * value found), else its right side's, else at the rule in rules.yaml; the right side's rows
 * follow the expected value, the left side's the found one when there are several. */
typedef struct comparison_at {
    const char *file;
    int line, column;
    const char *left_from, *right_from;
} comparison_at;

static void place_comparison(checker *c, const gk_rule *rule, const side_sources *left,
                             const side_sources *right, comparison_at *at)
{
    const side_sources *first = left->count ? left : right;
    *at = (comparison_at){c->rules->path, rule->line, 1, NULL, NULL};
    if (first->count > 0)
        *at = (comparison_at){first->items[0].file, first->items[0].line,
                              first->items[0].column, NULL, NULL};
    at->right_from = sources_text(c, right);
    if (left->count > 1 || left->more)
        at->left_from = sources_text(c, left);
}

/* Reports a comparison of a group (none: group_count 0) that does not hold, or whose sums
 * left the range, at (file, line, column). */
static void report_comparison(checker *c, const gk_rule *rule, const gk_key_value *group,
                              size_t group_count, bool summed, gk_amount left, gk_amount right,
                              const gk_overflow *overflow, const comparison_at *at)
{
    if (!summed) {
        overflow_finding(c, rule, overflow, at->file, at->line, at->column);
        return;
    }
    char what[768] = "";
    size_t used = 0;
    for (size_t g = 0; g < group_count; g++)
        used += (size_t)snprintf(what + used, sizeof what - used, "%s%s", g ? " " : "",
                                 group[g].value);
    snprintf(what + used, sizeof what - used, "%s%s %s %s", group_count ? ": " : "",
             rule->left.text, gk_compare_symbol(rule->op), rule->right.text);
    compare_amounts_from(c, rule, left, rule->op, right, at->file, at->line, at->column, what,
                         at->left_from, at->right_from);
}

/* Whether left OP right holds at the coarser precision of the two. */
static bool amounts_hold(gk_compare op, gk_amount left, gk_amount right)
{
    gk_amounts_align(&left, &right);
    return holds(op, left.value, right.value);
}

static void compare_all(checker *c, const gk_rule *rule)
{
    gk_amount left = {0}, right = {0};
    gk_overflow overflow;
    bool summed =
        gk_query_amount(c->pkg, &rule->left, &c->scope, NULL, 0, &left, &overflow) &&
        gk_query_amount(c->pkg, &rule->right, &c->scope, NULL, 0, &right, &overflow);
    if (summed && amounts_hold(rule->op, left, right))
        return;
    side_sources left_rows, right_rows;
    collect_sources(c, &rule->left, NULL, &left_rows);
    collect_sources(c, &rule->right, NULL, &right_rows);
    comparison_at at;
    place_comparison(c, rule, &left_rows, &right_rows, &at);
    report_comparison(c, rule, NULL, 0, summed, left, right, &overflow, &at);
}

/* ---- comparisons by group (`by` keys) ---- */

enum { MAX_GROUP_KEYS = 8 };

/* A column term's rows in one group. */
typedef struct term_sum {
    int64_t sum;
    const gk_data_row *overflow; /* the row that took the sum out of range, else NULL */
    const gk_data_row *first;    /* the first row in the group (where a failure is reported) */
} term_sum;

/* One combination of values of the `by` keys. */
typedef struct group {
    const gk_table_layout *table; /* a row that has the values, and its table */
    const gk_data_row *row;
    bool matched;                 /* a row met so far is in the group */
    term_sum *terms;              /* one per column term */
} group;

/* One term of the comparison: a column (summed per group) or a value the same for every
 * group, computed once. */
typedef struct term_input {
    size_t column; /* index among the column terms */
    bool ok;
    int64_t value;
    gk_overflow overflow;
    source source; /* a term other than a column: the first row it reads (file NULL: none) */
} term_input;

/* A grouped comparison: each group is compared once, at the first row that has its values
 * (of the first table naming it), with the sums of the rows in it — found in one pass over
 * each table, not by going through the rows once per group. */
typedef struct grouping {
    checker *c;
    const gk_rule *rule;
    size_t keys;                /* the `by` keys used */
    const gk_term **columns;    /* the column terms, left then right */
    size_t column_count;
    term_input *inputs[2];      /* left, right */
    source *sources[2];         /* left, right: room for a failing group's rows per term */
    group *groups;              /* every combination met, in order */
    size_t group_count, group_capacity;
    size_t *compared;           /* the groups compared, in order */
    size_t compared_count, compared_capacity;
    key_map index;              /* joined values -> group */
    gk_arena arena;             /* joined values, term sums */
    char *key;                  /* the joined values being looked up */
    size_t key_capacity;
} grouping;

static bool append_key(grouping *g, size_t *len, const char *text)
{
    char prefix[24];
    size_t n = strlen(text), p = (size_t)snprintf(prefix, sizeof prefix, "%zu:", n);
    while (*len + p + n + 1 > g->key_capacity) {
        size_t capacity = g->key_capacity ? g->key_capacity * 2 : 256;
        char *bigger = realloc(g->key, capacity);
        if (bigger == NULL)
            return false;
        g->key = bigger;
        g->key_capacity = capacity;
    }
    memcpy(g->key + *len, prefix, p);
    memcpy(g->key + *len + p, text, n);
    *len += p + n;
    g->key[*len] = '\0';
    return true;
}

/* The value of `by` key k on a row that makes a group: its text, "" when it has none. */
static const char *group_value(const grouping *g, const gk_table_layout *table,
                               const gk_data_row *row, size_t k)
{
    const char *text = key_text(row, gk_layout_field_index(table, g->rule->by[k]));
    return text != NULL ? text : "";
}

/* The row's values of the keys joined, each with its length (any text stays apart), in g->key:
 * as a group takes them from its first row (matched false) or as an extra filter compares
 * them (gk_row_key, matched true). NULL when the row can be in no group, or out of memory. */
static const char *joined_values(grouping *g, const gk_table_layout *table,
                                 const gk_data_row *row, bool matched)
{
    size_t len = 0;
    for (size_t k = 0; k < g->keys; k++) {
        char buf[4];
        const char *value = matched ? gk_row_key(table, row, g->c->pkg, g->rule->by[k], buf)
                                    : group_value(g, table, row, k);
        if (value == NULL)
            return NULL;
        if (!append_key(g, &len, value)) {
            g->c->failed = true;
            return NULL;
        }
    }
    return g->key;
}

/* The group of the joined values in g->key, added if new; SIZE_MAX when out of memory. */
static size_t group_of(grouping *g, const char *joined)
{
    const size_t *known = key_map_get(&g->index, NULL, joined);
    if (known != NULL)
        return *known;
    const char *kept = gk_arena_strdup(&g->arena, joined);
    term_sum *terms = gk_arena_alloc(&g->arena, (g->column_count + 1) * sizeof *terms);
    bool added = false;
    if (kept == NULL || terms == NULL ||
        !gk_grow((void **)&g->groups, &g->group_capacity, g->group_count, sizeof *g->groups,
                 64) ||
        key_map_put(&g->index, NULL, kept, g->group_count, &added) == NULL) {
        g->c->failed = true;
        return SIZE_MAX;
    }
    g->groups[g->group_count] = (group){NULL, NULL, false, terms};
    return g->group_count++;
}

/* The groups in the order they are compared: a row (own, not computed) of a column term's
 * table starts a comparison unless a row met before — of the tables of the terms before, or
 * above it — is in the group that its values make. */
static void find_groups(grouping *g)
{
    const checker *c = g->c;
    for (size_t t = 0; t < g->column_count && !c->failed; t++) {
        const gk_table_layout *table = g->columns[t]->table;
        const gk_table_data *data = gk_package_table(c->pkg, table);
        for (size_t r = 0; data && r < data->row_count && !c->failed; r++, gk_steps++) {
            const gk_data_row *row = &data->rows[r];
            if (!own_row(c, row) || row->computed)
                continue;
            const char *made = joined_values(g, table, row, false);
            size_t start = made ? group_of(g, made) : SIZE_MAX;
            if (start == SIZE_MAX)
                return;
            if (g->groups[start].row == NULL) {
                g->groups[start].table = table;
                g->groups[start].row = row;
            }
            if (!g->groups[start].matched) {
                if (!gk_grow((void **)&g->compared, &g->compared_capacity, g->compared_count,
                             sizeof *g->compared, 64)) {
                    g->c->failed = true;
                    return;
                }
                g->compared[g->compared_count++] = start;
            }
            const char *matched = joined_values(g, table, row, true);
            size_t in = matched ? group_of(g, matched) : SIZE_MAX;
            if (in != SIZE_MAX)
                g->groups[in].matched = true;
        }
    }
}

/* Each column term's rows added up per group, in one pass over its table. */
static void sum_groups(grouping *g)
{
    const checker *c = g->c;
    for (size_t t = 0; t < g->column_count && !c->failed; t++) {
        const gk_term *term = g->columns[t];
        const gk_table_data *data = gk_package_table(c->pkg, term->table);
        for (size_t r = 0; data && r < data->row_count && !c->failed; r++, gk_steps++) {
            const gk_data_row *row = &data->rows[r];
            if (!own_row(c, row) ||
                !gk_row_filtered(row, c->pkg, term->filters, term->filter_count))
                continue;
            const char *matched = joined_values(g, term->table, row, true);
            const size_t *in = matched ? key_map_get(&g->index, NULL, matched) : NULL;
            if (in == NULL)
                continue;
            term_sum *sum = &g->groups[*in].terms[t];
            if (sum->first == NULL)
                sum->first = row;
            const gk_value *v = &row->values[term->field];
            if (v->kind == GK_VALUE_NUMBER && sum->overflow == NULL &&
                !gk_money_add(&sum->sum, 1, v->number))
                sum->overflow = row;
        }
    }
}

/* A side of the comparison for one group: gk_query_sum's result, the columns' sums taken from
 * the group. */
static bool group_sum(const grouping *g, int side, const gk_query *query, const group *gr,
                      gk_amount *amount, gk_overflow *overflow)
{
    *amount = (gk_amount){0, query->exp, query->precision, query->unit, true};
    int64_t *sum = &amount->value;
    for (size_t i = 0; i < query->count; i++) {
        const gk_term *term = &query->terms[i];
        const term_input *in = &g->inputs[side][i];
        int64_t value = in->value;
        if (term->kind == GK_TERM_COLUMN) {
            const term_sum *ts = &gr->terms[in->column];
            if (ts->overflow != NULL) {
                gk_overflow_at_row(overflow, term->table, term->field, ts->overflow);
                return false;
            }
            value = ts->sum;
        } else if (!in->ok) {
            *overflow = in->overflow;
            return false;
        }
        if (!gk_query_add(g->c->pkg, query, term, sum, value, overflow))
            return false;
    }
    return true;
}

/* Each term's first row in the group, for one side (in g->sources): a column term's from the
 * group's sums, another term's (the same for every group) found once. */
static const source *group_sources(const grouping *g, int side, const group *gr)
{
    const gk_query *query = side == 0 ? &g->rule->left : &g->rule->right;
    source *out = g->sources[side];
    for (size_t i = 0; i < query->count; i++) {
        const gk_term *term = &query->terms[i];
        const term_input *in = &g->inputs[side][i];
        if (term->kind != GK_TERM_COLUMN) {
            out[i] = in->source;
            continue;
        }
        const gk_data_row *first = gr->terms[in->column].first;
        out[i] = first ? (source){first->file, first->line, column_of(first, term->field)}
                       : (source){NULL, 0, 0};
    }
    return out;
}

static void compare_group(const grouping *g, const group *gr)
{
    checker *c = g->c;
    const gk_rule *rule = g->rule;
    gk_amount left = {0}, right = {0};
    gk_overflow overflow;
    bool summed = group_sum(g, 0, &rule->left, gr, &left, &overflow) &&
                  group_sum(g, 1, &rule->right, gr, &right, &overflow);
    if (summed && amounts_hold(rule->op, left, right))
        return;
    side_sources rows[2];
    const gk_query *sides[] = {&rule->left, &rule->right};
    for (int s = 0; s < 2; s++)
        collect_sources(c, sides[s], group_sources(g, s, gr), &rows[s]);
    comparison_at at;
    place_comparison(c, rule, &rows[0], &rows[1], &at);
    gk_key_value values[MAX_GROUP_KEYS];
    for (size_t k = 0; k < g->keys; k++)
        values[k] = (gk_key_value){rule->by[k], group_value(g, gr->table, gr->row, k)};
    report_comparison(c, rule, values, g->keys, summed, left, right, &overflow, &at);
}

/* The terms' inputs: the column terms numbered, the other terms' values computed once. */
static bool prepare_terms(grouping *g)
{
    const gk_query *sides[] = {&g->rule->left, &g->rule->right};
    g->columns = gk_arena_alloc(&g->arena, (sides[0]->count + sides[1]->count + 1) *
                                               sizeof *g->columns);
    for (int s = 0; s < 2 && g->columns; s++) {
        g->inputs[s] = gk_arena_alloc(&g->arena, (sides[s]->count + 1) * sizeof *g->inputs[s]);
        g->sources[s] = gk_arena_alloc(&g->arena, (sides[s]->count + 1) * sizeof *g->sources[s]);
        if (g->inputs[s] == NULL || g->sources[s] == NULL)
            return false;
        for (size_t i = 0; i < sides[s]->count; i++) {
            const gk_term *term = &sides[s]->terms[i];
            term_input *in = &g->inputs[s][i];
            in->column = g->column_count;
            if (term->kind == GK_TERM_COLUMN)
                g->columns[g->column_count++] = term;
            else {
                in->ok = gk_term_value(g->c->pkg, term, &g->c->scope, NULL, 0, &in->value,
                                       &in->overflow);
                if (!term_source(g->c, term, 0, &in->source))
                    in->source = (source){NULL, 0, 0};
            }
        }
    }
    return g->columns != NULL;
}

static void compare_by_groups(checker *c, const gk_rule *rule)
{
    grouping g = {.c = c, .rule = rule};
    g.keys = rule->by_count < MAX_GROUP_KEYS ? rule->by_count : MAX_GROUP_KEYS;
    if (!prepare_terms(&g))
        c->failed = true;
    else
        find_groups(&g);
    sum_groups(&g);
    for (size_t i = 0; i < g.compared_count && !c->failed; i++)
        compare_group(&g, &g.groups[g.compared[i]]);
    key_map_free(&g.index);
    gk_arena_free(&g.arena);
    free(g.groups);
    free(g.compared);
    free(g.key);
}

static void run_compare(checker *c, const gk_rule *rule)
{
    if (query_skips(c, rule, &rule->left) || query_skips(c, rule, &rule->right))
        return;
    if (rule->by_count == 0)
        compare_all(c, rule);
    else
        compare_by_groups(c, rule);
}

/* ---- lookups ---------------------------------------------------------------------------------- */

/* A key of the table looked in (its rows of the unit that pass the filters): the sum of their
 * amounts, or the row that took it out of range. */
typedef struct in_key {
    const char *text;
    size_t len;
    int64_t amount;
    const gk_data_row *overflow;
    const gk_data_row *first; /* where a finding names it */
} in_key;

/* A key of the table looked up from (any of its rows of the unit): where it first appears,
 * and its first row with an amount. */
typedef struct from_key {
    size_t first;
    const gk_data_row *amount;
} from_key;

/* Both tables' keys, gathered in one pass over each (a key is looked up once, not by going
 * through the rows above it and the other table's rows again). */
typedef struct lookup {
    checker *c;
    const gk_rule *rule;
    in_key *in_keys; /* in the order of their first rows */
    size_t in_count, in_capacity;
    key_map in_index;
    from_key *from_keys;
    size_t from_count, from_capacity;
    key_map from_index;
} lookup;

/* The entry of key in one of the two indexes, added when new (*added); SIZE_MAX when out of
 * memory. */
static size_t lookup_key(lookup *lk, key_map *index, void **items, size_t *count,
                         size_t *capacity, size_t item_size, const char *key, bool *added)
{
    size_t *at = key_map_put(index, NULL, key, *count, added);
    if (at == NULL || (*added && !gk_grow(items, capacity, *count, item_size, 64))) {
        lk->c->failed = true;
        return SIZE_MAX;
    }
    if (*added)
        (*count)++;
    return *at;
}

static void index_in_keys(lookup *lk, const gk_table_data *in)
{
    const gk_rule *rule = lk->rule;
    for (size_t r = 0; in && r < in->row_count && !lk->c->failed; r++, gk_steps++) {
        const gk_data_row *row = &in->rows[r];
        const char *key = key_text(row, rule->in.field);
        if (!own_row(lk->c, row) || key == NULL ||
            !gk_row_matches(rule->in.table, row, lk->c->pkg, rule->in.filters,
                            rule->in.filter_count, NULL, 0))
            continue;
        bool added = false;
        size_t i = lookup_key(lk, &lk->in_index, (void **)&lk->in_keys, &lk->in_count,
                              &lk->in_capacity, sizeof *lk->in_keys, key, &added);
        if (i == SIZE_MAX)
            return;
        in_key *k = &lk->in_keys[i];
        if (added)
            *k = (in_key){key, strlen(key), 0, NULL, row};
        int field = rule->has_amount ? rule->right.terms[0].field : -1;
        if (field >= 0 && k->overflow == NULL &&
            !gk_money_add(&k->amount, 1, number(&row->values[field])))
            k->overflow = row;
    }
}

static void index_from_keys(lookup *lk, const gk_table_data *from)
{
    const gk_rule *rule = lk->rule;
    for (size_t r = 0; from && r < from->row_count && !lk->c->failed; r++, gk_steps++) {
        const gk_data_row *row = &from->rows[r];
        const char *key = key_text(row, rule->from.field);
        if (!own_row(lk->c, row) || key == NULL)
            continue;
        bool added = false;
        size_t i = lookup_key(lk, &lk->from_index, (void **)&lk->from_keys, &lk->from_count,
                              &lk->from_capacity, sizeof *lk->from_keys, key, &added);
        if (i == SIZE_MAX)
            return;
        from_key *k = &lk->from_keys[i];
        if (added)
            *k = (from_key){r, NULL};
        if (rule->has_amount && k->amount == NULL &&
            row->values[rule->left.terms[0].field].kind == GK_VALUE_NUMBER)
            k->amount = row;
    }
}

/* How alike two names are: characters equal at the same position, from either end (a typo
 * in the middle of a long project name keeps most of both). */
static size_t likeness(const char *a, size_t la, const char *b, size_t lb)
{
    size_t same = 0;
    for (size_t i = 0; i < la && i < lb && a[i] == b[i]; i++)
        same++;
    for (size_t i = 1; i <= la && i <= lb && a[la - i] == b[lb - i]; i++)
        same++;
    return same;
}

/* The key of the other table most like `key` (the first of the most alike), as the expected
 * value of a failed lookup. Each of its keys is compared once: a key repeated on many rows
 * cannot be more alike than its first row. */
static const in_key *closest_key(const lookup *lk, const char *key)
{
    const in_key *best = NULL;
    size_t best_score = 0, len = strlen(key);
    for (size_t i = 0; i < lk->in_count; i++, gk_steps++) {
        const in_key *k = &lk->in_keys[i];
        if (2 * (k->len < len ? k->len : len) <= best_score)
            continue; /* cannot be more alike */
        size_t score = likeness(k->text, k->len, key, len);
        if (score > best_score) {
            best = k;
            best_score = score;
        }
    }
    return best;
}

/* A row of the table looked up from, the first of its key. */
static void look_up(lookup *lk, const gk_data_row *row, const char *key, const from_key *fk)
{
    checker *c = lk->c;
    const gk_rule *rule = lk->rule;
    const size_t *i = key_map_get(&lk->in_index, NULL, key);
    const in_key *found = i ? &lk->in_keys[*i] : NULL;
    if (found != NULL && found->overflow != NULL) {
        gk_overflow overflow;
        gk_overflow_at_row(&overflow, rule->in.table, rule->right.terms[0].field,
                           found->overflow);
        overflow_finding(c, rule, &overflow, NULL, 0, 0);
        return;
    }
    if (found == NULL) {
        const in_key *closest = closest_key(lk, key);
        const char *expected =
            closest ? gk_arena_printf(&c->out->arena, "%s (%s:%d:%d)", closest->text,
                                      closest->first->file, closest->first->line,
                                      column_of(closest->first, rule->in.field))
                    : NULL;
        add_finding(c, GK_ERROR, rule->id, row->file, row->line,
                    column_of(row, rule->from.field), expected, key,
                    /* TRANSLATORS: a table number (T05), a name or code from its rows,
                       another table number. */
                    "%s: '%s' is not in %s", rule->from.table->number, key,
                    rule->in.table->number);
        return;
    }
    if (!rule->has_amount)
        return;
    int field = rule->left.terms[0].field;
    gk_amount own = column_amount(c, rule->from.table, field,
                                     fk->amount ? fk->amount->values[field].number : 0);
    gk_amount in = column_amount(c, rule->in.table, rule->right.terms[0].field, found->amount);
    char what[512];
    snprintf(what, sizeof what, "%s: '%s': %s %s %s", rule->from.table->number, key,
             rule->left.text, gk_compare_symbol(rule->op), rule->right.text);
    const char *in_row = gk_arena_printf(&c->out->arena, "%s:%d:%d", found->first->file,
                                         found->first->line,
                                         column_of(found->first, rule->right.terms[0].field));
    compare_amounts_from(c, rule, own, rule->op, in, row->file, row->line, column_of(row, field),
                         what, NULL, in_row);
}

static void run_lookup(checker *c, const gk_rule *rule)
{
    if (skips(c, rule, rule->from.table) || skips(c, rule, rule->in.table))
        return;
    const gk_table_data *from = gk_package_table(c->pkg, rule->from.table);
    lookup lk = {.c = c, .rule = rule};
    index_in_keys(&lk, gk_package_table(c->pkg, rule->in.table));
    index_from_keys(&lk, from);
    for (size_t r = 0; from && r < from->row_count && !c->failed; r++, gk_steps++) {
        const gk_data_row *row = &from->rows[r];
        const char *key = key_text(row, rule->from.field);
        if (!own_row(c, row) || row->computed || key == NULL ||
            !gk_row_matches(rule->from.table, row, c->pkg, rule->from.filters,
                            rule->from.filter_count, NULL, 0))
            continue;
        const size_t *k = key_map_get(&lk.from_index, NULL, key);
        if (k != NULL && lk.from_keys[*k].first == r) /* else reported at an earlier row */
            look_up(&lk, row, key, &lk.from_keys[*k]);
    }
    key_map_free(&lk.in_index);
    key_map_free(&lk.from_index);
    free(lk.in_keys);
    free(lk.from_keys);
}

/* ---- identity of the unit ------------------------------------------------------------------- */

/* The unit's wrong names met so far, by file: a wrong name repeated on every row of a table is
 * one mistake, reported once. */
typedef struct identity_check {
    checker *c;
    const gk_rule *rule;
    key_map reported; /* (file, found) */
    gk_arena scratch; /* a row's expected texts */
} identity_check;

static void identity_text(identity_check *ic, const char *file, int line, int column,
                          const char *expected, const char *found, const char *where)
{
    if (found == NULL || strcmp(expected, found) == 0)
        return;
    bool added = false;
    if (key_map_put(&ic->reported, file, found, 0, &added) == NULL)
        ic->c->failed = true;
    else if (added)
        add_text(ic->c, GK_ERROR, ic->rule->id, file, line, column, expected, found, where);
}

static const gk_summary *summary_of(const gk_table_layout *t, gk_summary_kind kind)
{
    for (size_t i = 0; i < t->summary_count; i++)
        if (t->summary[i].kind == kind)
            return &t->summary[i];
    return NULL;
}

static void identity_row(identity_check *ic, const gk_table_data *data, const gk_data_row *row)
{
    const gk_table_layout *t = data->layout;
    const gk_unit *unit = &ic->c->pkg->units[row->unit];
    char where[256];
    gk_steps++;
    /* TRANSLATORS: %s is a table number (T01); the unit's name in it is not the unit's. */
    snprintf(where, sizeof where, _("%s: the unit's name"), t->number);
    identity_text(ic, row->file, row->line, row->unit_name_column, unit->name, row->unit_name,
                  where);
    if (row->computed) {
        const gk_summary *s = summary_of(t, row->summary);
        if (s == NULL)
            return;
        const char *label = gk_template_expand(&ic->scratch, s->label, unit, t, NULL, NULL);
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
            identity_text(ic, row->file, row->line, column_of(row, field), label,
                          key_text(row, field) ? key_text(row, field) : "", where);
        return;
    }
    for (size_t k = 0; k < t->column_count; k++) {
        const gk_column *col = &t->columns[k];
        if (col->value_template == NULL || col->field < 0 || key_text(row, col->field) == NULL)
            continue;
        const char *expected = gk_template_expand(&ic->scratch, col->value_template, unit, t,
                                                  row, NULL);
        /* TRANSLATORS: a table number (T01) and a column key of the profile (untranslated). */
        snprintf(where, sizeof where, _("%s: column '%s'"), t->number, col->key);
        if (expected != NULL)
            identity_text(ic, row->file, row->line, column_of(row, col->field), expected,
                          key_text(row, col->field), where);
    }
}

static void run_identity(checker *c, const gk_rule *rule)
{
    identity_check ic = {c, rule, {0}, {0}};
    for (size_t t = 0; t < c->pkg->profile->table_count; t++) {
        const gk_table_data *data = &c->pkg->tables[t];
        for (size_t r = 0; r < data->row_count; r++)
            if (own_row(c, &data->rows[r])) {
                identity_row(&ic, data, &data->rows[r]);
                gk_arena_free(&ic.scratch); /* the expected texts are copied when reported */
            }
    }
    key_map_free(&ic.reported);
}

/* ---- supplied values of derived cells ------------------------------------------------------- */

/* A fixed-row table's derived values (`derived:`) that the package supplies, as printed by
 * another system: each against the value the unit's booklet computes. */
static void derived_values_stub(checker *c, const gk_rule *rule, const gk_table_layout *t)
{
    int64_t *values = calloc(t->value_count + 1, sizeof *values);
    gk_overflow overflow;
    c->failed |= values == NULL;
    bool computed = values != NULL && gk_stub_values(c->pkg, t, &c->scope, values, &overflow);
    for (size_t d = t->item_count; computed && d < t->value_count; d++) {
        int64_t supplied = 0;
        const gk_data_row *first = NULL;
        if (!gk_stub_supplied(c->pkg, t, d, &c->scope, &supplied, &first, &overflow)) {
            overflow_finding(c, rule, &overflow, NULL, 0, 0);
            continue;
        }
        if (first == NULL)
            continue; /* not supplied: nothing to compare */
        char what[1024];
        snprintf(what, sizeof what, _("%s: %s (derived from %s)"), t->number, t->value_ids[d],
                 t->derived[d - t->item_count].text);
        compare_amounts(c, rule, column_amount(c, t, 1, supplied), GK_CMP_EQ,
                        column_amount(c, t, 1, values[d]), first->file, first->line,
                        first->columns[1], what);
    }
    free(values); /* a value out of range is computed_in_range's finding */
}

static void derived_stub(checker *c, const gk_rule *rule, const gk_table_data *data)
{
    const gk_table_layout *t = data->layout;
    for (size_t i = 0; i < t->item_count; i++) {
        if (t->item_sources[i].query == NULL)
            continue;
        int64_t supplied = 0;
        gk_amount derived;
        const gk_data_row *first = NULL;
        gk_overflow overflow;
        bool summed = gk_stub_supplied(c->pkg, t, i, &c->scope, &supplied, &first, &overflow);
        if (summed && first == NULL)
            continue; /* not supplied: nothing to compare */
        if (!summed || !gk_query_amount(c->pkg, t->item_sources[i].query, &c->scope, NULL, 0,
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
        compare_amounts(c, rule, column_amount(c, t, 1, supplied), GK_CMP_EQ, derived,
                        first->file, first->line, first->columns[1], what);
    }
    derived_values_stub(c, rule, t);
}

/* What a table's computed rows should hold: per column, the sum of the unit's level-1 data
 * rows, or the row that took it out of range. A unit's supplied 合计, department and unit rows
 * are those of its own booklet, which prints them over its own rows alone (not over the other
 * units of its package or department). Computed once, however many such rows the unit
 * supplies. */
typedef struct summary_sums {
    bool done;
    int64_t *sums;               /* per column of the layout */
    const gk_data_row **overflow;
} summary_sums;

static bool sum_summary(checker *c, const gk_table_data *data, summary_sums *s)
{
    if (s->done)
        return s->sums != NULL;
    const gk_table_layout *t = data->layout;
    s->done = true;
    s->sums = calloc(t->column_count + 1, sizeof *s->sums);
    s->overflow = calloc(t->column_count + 1, sizeof *s->overflow);
    if (s->sums == NULL || s->overflow == NULL) {
        c->failed = true;
        free(s->sums);
        s->sums = NULL;
        return false;
    }
    for (size_t r = 0; r < data->row_count; r++, gk_steps++) {
        const gk_data_row *d = &data->rows[r];
        if (!own_row(c, d) || d->computed || d->level != 1)
            continue;
        for (size_t k = 0; k < t->column_count; k++) {
            const gk_column *col = &t->columns[k];
            if (col->sum && col->field >= 0 && s->overflow[k] == NULL &&
                !gk_money_add(&s->sums[k], 1, number(&d->values[col->field])))
                s->overflow[k] = d;
        }
    }
    return true;
}

/* A supplied 合计/department/unit row (the unit's own): each summed column against the
 * computed sum. */
static void derived_row(checker *c, const gk_rule *rule, const gk_table_data *data,
                        const gk_data_row *row, summary_sums *s)
{
    const gk_table_layout *t = data->layout;
    if (!sum_summary(c, data, s))
        return;
    for (size_t k = 0; k < t->column_count; k++) {
        const gk_column *col = &t->columns[k];
        if (!col->sum || col->field < 0)
            continue;
        if (s->overflow[k] != NULL) {
            gk_overflow overflow;
            gk_overflow_at_row(&overflow, t, col->field, s->overflow[k]);
            overflow_finding(c, rule, &overflow, NULL, 0, 0);
            return;
        }
        gk_amount found = column_amount(c, t, col->field, number(&row->values[col->field]));
        gk_amount sum = column_amount(c, t, col->field, s->sums[k]);
        char what[256];
        /* TRANSLATORS: a table number (T01) and a column key of the profile (untranslated). */
        snprintf(what, sizeof what, _("%s: computed row, column '%s'"), t->number, col->key);
        compare_amounts(c, rule, found, GK_CMP_EQ, sum, row->file, row->line,
                        column_of(row, col->field), what);
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
        summary_sums sums = {0};
        for (size_t r = 0; r < data->row_count; r++)
            if (own_row(c, &data->rows[r]) && data->rows[r].computed)
                derived_row(c, rule, data, &data->rows[r], &sums);
        free(sums.sums);
        free(sums.overflow);
    }
}

/* ---- codes, presence ------------------------------------------------------------------------ */

/* Whether a code is all digits, of one of the rule's lengths. */
static bool code_well_formed(const char *code, const gk_code_digits *digits)
{
    for (const char *p = code; *p; p++)
        if (*p < '0' || *p > '9')
            return false;
    for (size_t i = 0; i < digits->length_count; i++)
        if (strlen(code) == (size_t)digits->lengths[i])
            return true;
    return false;
}

/* "3 digits", or "3, 5 or 7 digits", for the finding's expected value (text: 320 bytes; a rule
 * has at most 32 lengths of 1 to 32). */
static const char *lengths_text(const gk_code_digits *digits, char *text, size_t size)
{
    char list[256] = "";
    size_t n = digits->length_count;
    for (size_t i = 0; i + 1 < n; i++) {
        size_t used = strlen(list);
        snprintf(list + used, sizeof list - used, i > 0 ? ", %d" : "%d", digits->lengths[i]);
    }
    if (n == 1)
        /* TRANSLATORS: what a code should be, shown as "(expected 6 digits, found 12a)". */
        snprintf(text, size, _("%d digits"), digits->lengths[0]);
    else
        /* TRANSLATORS: what a code should be when several lengths are allowed: the first %s is
           a list of numbers ("3, 5"), then the last one: "3, 5 or 7 digits". */
        snprintf(text, size, _("%s or %d digits"), list, digits->lengths[n - 1]);
    return text;
}

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
                if (code == NULL || code_well_formed(code, &rule->digits[d]))
                    continue;
                char expected[320];
                add_finding(c, GK_ERROR, rule->id, row->file, row->line, column_of(row, field),
                            lengths_text(&rule->digits[d], expected, sizeof expected), code,
                            /* TRANSLATORS: a table number (T01) and a column key of the
                               profile (untranslated). */
                            "%s: code '%s' is malformed", layout->number, rule->digits[d].key);
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

/* A figure a narrative may cite — an amount the booklet prints or a prior-year figure — and
 * its place in the list of them (the tables' amounts in the booklet's order, then the prior
 * figures): of two figures as near to a wrong amount, the first is the one shown. */
typedef struct figure {
    int64_t value;
    size_t order;
} figure;

/* The figures, distinct and sorted by value (each with its first place): a literal is found
 * among them, or among the shares of two of them, by binary search — not by trying each of
 * them, or each pair. */
typedef struct figure_set {
    figure *sorted;
    size_t count, capacity;
    const int64_t *priors; /* the unit's prior-year figures, as prior.csv lists them */
    size_t prior_count;
} figure_set;

static bool add_figure(figure_set *s, int64_t v)
{
    if (!gk_grow((void **)&s->sorted, &s->capacity, s->count, sizeof *s->sorted, 256))
        return false;
    s->sorted[s->count] = (figure){v, s->count};
    s->count++;
    return true;
}

/* Every amount the unit's booklet prints (computed rows and fixed-row tables included). */
static bool collect_figures(const gk_document *doc, int decimals, figure_set *s)
{
    bool ok = add_figure(s, 0);
    for (size_t t = 0; t < doc->table_count; t++)
        for (size_t r = 0; r < doc->tables[t].row_count; r++)
            for (size_t k = 0; k < doc->tables[t].layout->column_count; k++) {
                const gk_value *v = &doc->tables[t].rows[r].cells[k].value;
                if (v->kind == GK_VALUE_NUMBER && v->decimals == decimals &&
                    doc->tables[t].layout->columns[k].type == GK_TYPE_AMOUNT)
                    ok &= add_figure(s, v->number);
            }
    return ok;
}

static int by_value_then_order(const void *a, const void *b)
{
    const figure *x = a, *y = b;
    if (x->value != y->value)
        return x->value < y->value ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* Sorts the figures by value and keeps the first of equal ones. */
static void sort_figures(figure_set *s)
{
    if (s->count == 0)
        return;
    qsort(s->sorted, s->count, sizeof *s->sorted, by_value_then_order);
    size_t kept = 1;
    for (size_t i = 1; i < s->count; i++, gk_steps++)
        if (s->sorted[i].value != s->sorted[kept - 1].value)
            s->sorted[kept++] = s->sorted[i];
    s->count = kept;
}

/* The first of the sorted figures that is not below v (count if none). */
static size_t first_not_below(const figure_set *s, int64_t v)
{
    size_t lo = 0, hi = s->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        gk_steps++;
        if (s->sorted[mid].value < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static bool has_figure(const figure_set *s, int64_t v)
{
    size_t i = first_not_below(s, v);
    return i < s->count && s->sorted[i].value == v;
}

/* The figure nearest to v (the first in the list of two as near): the one just below it or
 * the one from it on. */
static int64_t nearest_figure(const figure_set *s, int64_t v)
{
    size_t i = first_not_below(s, v);
    const figure *best = NULL;
    uint64_t best_distance = 0;
    for (size_t k = i > 0 ? i - 1 : i; k <= i && k < s->count; k++) {
        const figure *f = &s->sorted[k];
        /* in unsigned arithmetic: a typed figure may be as far as int64 goes */
        uint64_t distance = f->value > v ? (uint64_t)f->value - (uint64_t)v
                                         : (uint64_t)v - (uint64_t)f->value;
        if (best == NULL || distance < best_distance ||
            (distance == best_distance && f->order < best->order)) {
            best = f;
            best_distance = distance;
        }
    }
    return best != NULL ? best->value : 0;
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

/* The literal equals, at its own precision, some figure, or the difference of a figure and a
 * prior figure (either way); else *nearest is the closest figure. */
static bool amount_matches(const figure_set *s, const gk_literal *lit, int decimals,
                           int64_t *nearest)
{
    int64_t value = 0, other = 0;
    bool exact = at_table_decimals(lit, decimals, &value);
    if (exact && has_figure(s, value))
        return true;
    for (size_t p = 0; exact && p < s->prior_count; p++)
        if ((!__builtin_add_overflow(s->priors[p], value, &other) && has_figure(s, other)) ||
            (!__builtin_sub_overflow(s->priors[p], value, &other) && has_figure(s, other)))
            return true;
    *nearest = nearest_figure(s, value);
    return false;
}

/* What a percentage may be of two figures a and b: a's share of b, or the change from prior
 * figure b to a (|a - b| of b), split where a passes b. */
typedef enum share_kind { SHARE, CHANGE_UP, CHANGE_DOWN } share_kind;

static int64_t share_of(int64_t a, int64_t b, share_kind kind, int decimals)
{
    gk_steps++;
    return gk_share(kind == SHARE ? a : kind == CHANGE_UP ? a - b : b - a, b, decimals);
}

/* Whether some figure a of sorted[from, to) gives the literal as its share of b (kind). As a
 * grows the share only rises, or only falls (it is rounded, never reversed): a binary search
 * finds the first figure whose share reaches the literal's. */
static bool share_found(const figure_set *s, size_t from, size_t to, int64_t b, share_kind kind,
                        const gk_literal *lit)
{
    bool rising = (kind == CHANGE_DOWN) != (b > 0);
    size_t lo = from, hi = to;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int64_t share = share_of(s->sorted[mid].value, b, kind, lit->decimals);
        if (rising ? share < lit->value : share > lit->value)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < to && share_of(s->sorted[lo].value, b, kind, lit->decimals) == lit->value;
}

/* The literal is a share of two figures (or a change relative to a prior figure) computed
 * at the literal's own number of decimals. */
static bool percent_matches(const figure_set *s, const gk_literal *lit)
{
    if (!lit->exact || lit->decimals > 16) /* gk_share computes up to 16 decimals */
        return false;
    for (size_t j = 0; j < s->count; j++)
        if (s->sorted[j].value != 0 &&
            share_found(s, 0, s->count, s->sorted[j].value, SHARE, lit))
            return true;
    for (size_t p = 0; p < s->prior_count; p++) {
        int64_t b = s->priors[p];
        size_t split = first_not_below(s, b); /* a - b from there on, b - a below */
        if (b != 0 && (share_found(s, split, s->count, b, CHANGE_UP, lit) ||
                       share_found(s, 0, split, b, CHANGE_DOWN, lit)))
            return true;
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
                    lit->percent ? NULL : booklet_amount_text(c, nearest), found,
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
    c->failed |= !collect_figures(doc, c->decimals, &set);
    int64_t *priors = calloc(c->pkg->prior_count + 1, sizeof *priors);
    size_t prior_count = 0;
    for (size_t i = 0; priors && i < c->pkg->prior_count; i++)
        if (c->pkg->priors[i].unit == c->unit) {
            priors[prior_count++] = c->pkg->priors[i].amount;
            c->failed |= !add_figure(&set, c->pkg->priors[i].amount);
        }
    sort_figures(&set);
    set.priors = priors;
    set.prior_count = prior_count;
    c->failed |= priors == NULL;
    for (size_t part = 0; priors && !c->failed && part < doc->part_count; part++) {
        const gk_narrative *n = &doc->parts[part].narrative;
        narrative_check nc = {c, rule, &set, n->path};
        if (!doc->parts[part].tables && !gk_figures_scan(n, check_literal, &nc))
            c->failed = true;
    }
    free(priors);
    free(set.sorted);
    gk_document_free(doc);
    return GK_OK;
}

/* ---- the unit ------------------------------------------------------------------------------- */

/* Runs every rule on one unit of pkg (a package holding its rows, or more). */
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
        case GK_RULE_NAMES: status = gk_check_names(pkg, rule, unit, findings, diag); break;
        }
    }
    if (status == GK_OK && c.failed)
        status = gk_diag_set(diag, GK_ERR_NOMEM, pkg->dir, 0, 0, "out of memory");
    return status;
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

/* Checks one unit on its own rows: whatever else the package holds, its booklet prints these
 * (its 合计, department and unit rows included). */
static gk_status check_unit_rows(const gk_package *package, const gk_rules *rules, size_t unit,
                                 gk_findings *findings, gk_diag *diag)
{
    const gk_package *pkg = NULL;
    gk_package *view = NULL;
    gk_status status = rows_of(package, &unit, 1, &pkg, &view, diag);
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
    return check_unit_rows(package, rules, unit, findings, diag);
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

/* ---- a consolidated department -------------------------------------------------------------- */

/* Where a row is in its table's hierarchy, for messages: "level 2 under 301". */
static const char *place_text(checker *c, const gk_table_layout *t, const gk_data_row *row,
                              const gk_data_row *parent)
{
    char keys[256];
    if (parent == NULL)
        /* TRANSLATORS: a row's level in a table's hierarchy, at the top (1 is the top). */
        return gk_arena_printf(&c->out->arena, _("level %d"), row->level);
    gk_consolidate_keys_text(t, parent, keys, sizeof keys);
    /* TRANSLATORS: a row's level in a table's hierarchy, then the codes of the row it is
       under ("level 2 under 301"). */
    return gk_arena_printf(&c->out->arena, _("level %d under %s"), row->level, keys);
}

/* Two rows that the department's consolidated booklet prints as one but that disagree: a
 * DEPARTMENT-UNITS error at the later row, naming the first (whose texts are printed). */
static void report_conflict(void *context, const gk_conflict *conflict)
{
    checker *c = context;
    const gk_table_layout *t = conflict->layout;
    const gk_data_row *first = conflict->first, *other = conflict->other;
    const gk_unit *unit = &c->pkg->units[other->unit];
    char keys[256], expected[128], found[128];
    gk_consolidate_keys_text(t, first, keys, sizeof keys);
    if (keys[0] == '\0') /* a table without keys, or blank ones */
        snprintf(keys, sizeof keys, "-");
    if (conflict->kind == GK_CONFLICT_PLACE) {
        add_finding(c, GK_ERROR, "DEPARTMENT-UNITS", other->file, other->line,
                    column_of(other, t->consolidate_by[0]), place_text(c, t, first, conflict->first_parent),
                    place_text(c, t, other, conflict->other_parent),
                    /* TRANSLATORS: a department code, a table number (公开表3-1), the codes of
                       a row, a unit code and where that unit's row is (file:line:column). */
                    "department %s: %s, codes %s: the row is elsewhere in the hierarchy than "
                    "unit %s's row of the same codes (%s:%d:%d), with which the consolidated "
                    "booklet prints it as one row",
                    unit->department_code, t->number, keys, c->pkg->units[first->unit].code,
                    first->file, first->line, column_of(first, t->consolidate_by[0]));
        return;
    }
    int f = conflict->field;
    gk_value_format(&first->values[f], expected, sizeof expected);
    gk_value_format(&other->values[f], found, sizeof found);
    add_finding(c, GK_ERROR, "DEPARTMENT-UNITS", other->file, other->line,
                column_of(other, f),
                first->values[f].kind == GK_VALUE_TEXT ? first->values[f].text : expected,
                other->values[f].kind == GK_VALUE_TEXT ? other->values[f].text : found,
                /* TRANSLATORS: a department code, a table number (公开表3-1), the codes of a
                   row, a column key (untranslated), a unit code and where that unit's row is
                   (file:line:column). */
                "department %s: %s, codes %s: column '%s' differs from unit %s's row of the "
                "same codes (%s:%d:%d), with which the consolidated booklet prints it as one "
                "row",
                unit->department_code, t->number, keys, t->fields[f].key,
                c->pkg->units[first->unit].code, first->file, first->line, column_of(first, f));
}

/* The checks of a consolidated booklet run on what it prints: the department's sums, as one
 * unit (model/consolidate.h). Its findings name the department's first unit. */
static gk_status check_consolidated(const gk_package *package, const gk_rules *rules,
                                    const char *department_code, size_t first,
                                    gk_findings *findings, gk_diag *diag)
{
    checker c = {package, rules, first, {&first, 1}, findings, package->profile->amount_decimals,
                 false};
    gk_package *department = NULL;
    gk_status status = gk_package_consolidate(package, department_code, report_conflict, &c,
                                              &department, diag);
    size_t before = findings->count;
    if (status == GK_OK && c.failed)
        status = gk_diag_set(diag, GK_ERR_NOMEM, package->dir, 0, 0, "out of memory");
    if (status == GK_OK)
        status = run_rules(department, rules, 0, findings, diag);
    for (size_t i = before; i < findings->count; i++)
        findings->items[i].unit = first;
    gk_package_free(department);
    return status;
}

gk_status gk_check_department(const gk_package *package, const gk_rules *rules,
                              const char *department_code, gk_findings *findings, gk_diag *diag)
{
    const size_t *members;
    size_t count = gk_package_department_units(package, department_code, &members);
    if (count == 0)
        return gk_diag_set(diag, GK_ERR_DATA, package->dir, 0, 0,
                           "department %s has no unit in the package", department_code);
    bool consolidated = package->profile->booklets[GK_BOOKLET_DEPARTMENT].consolidated;
    gk_status status = GK_OK;
    for (size_t i = 0; i < count && status == GK_OK; i++) {
        size_t u = members[i];
        if (i > 0)
            status = agree_with_first(package, rules, members[0], u, findings, diag);
        if (status == GK_OK && package->units[u].failure != NULL)
            status = unit_failure(&package->units[u], diag);
        if (status == GK_OK && !consolidated)
            status = check_unit_rows(package, rules, u, findings, diag);
    }
    if (status == GK_OK && consolidated)
        status = check_consolidated(package, rules, department_code, members[0], findings, diag);
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
