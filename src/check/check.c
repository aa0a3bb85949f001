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
    const gk_document *doc; /* the unit's booklet, for the rules that read its narrative */
    gk_document *own_doc;   /* built here when the caller had none */
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
    return gk_code_lengths_text(digits->lengths, digits->length_count, text, size);
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

/* The narrative's amounts and the tables' are compared as integers: a count of 10^power 元
 * (294.28 万元 is 29428 counts of 10^2 元), each side at its own precision, the two at the
 * coarser one. */

enum {
    KEY_POWER = -10,      /* percentages' operands are compared in counts of 10^-10 元 */
    PERCENT_DECIMALS = 8, /* a percentage with more decimals is never a computed one */
    NAME_MIN_CHARS = 4,   /* a shorter name of a table's row or column names nothing */
    SUM_SHOWN = 6         /* addends of a sum a message writes out */
};

static __int128 power_of_ten(int n)
{
    __int128 p = 1;
    for (int i = 0; i < n; i++)
        p *= 10;
    return p;
}

/* round(x / k), halves away from zero (k > 0). */
static __int128 divide_rounded(__int128 x, __int128 k)
{
    __int128 q = x / k, r = x % k;
    if ((r < 0 ? -r : r) * 2 >= k)
        q += x < 0 ? -1 : 1;
    return q;
}

/* The values X, counts of 10^to 元, that read as v counts of 10^from 元 at the coarser precision
 * of the two: [*lo, *hi]. */
static void reading_range(int64_t v, int from, int to, __int128 *lo, __int128 *hi)
{
    if (from <= to) { /* v is the finer: rounded to X's precision it is X */
        *lo = *hi = divide_rounded(v, power_of_ten(to - from));
        return;
    }
    __int128 k = power_of_ten(from - to), mid = (__int128)v * k, half = k / 2;
    *lo = mid - half + (v <= 0); /* X rounds to v: halves away from zero */
    *hi = mid + half - (v >= 0);
}

/* The power of ten of 元 of the tables' amounts. Today one unit per profile (amount_unit);
 * a profile whose unit is none of 元, 万元, 亿元 is taken as 万元. */
static int tables_unit_power(const gk_profile *profile)
{
    return profile->amount_unit_power;
}

typedef enum origin_kind { ORIGIN_ZERO, ORIGIN_TABLE, ORIGIN_PRIOR, ORIGIN_DECLARED } origin_kind;

/* A figure the narrative may cite and where it comes from. */
typedef struct origin {
    origin_kind kind;
    bool percent;        /* a declared percentage (unit_power 0) */
    int64_t value;       /* scaled by 10^decimals, in units of 10^unit_power 元 (or %) */
    int decimals, unit_power;
    const gk_table *table; /* ORIGIN_TABLE: the booklet's cell */
    size_t row, column;
    const gk_prior *prior;
    const gk_declared_figure *declared;
} origin;

typedef struct figure {
    int64_t value;
    size_t origin; /* index: the booklet's order, then prior-year and declared figures */
} figure;

/* The known figures of one precision (counts of 10^power 元), distinct and sorted by value,
 * each with its first origin: a literal is found among them by binary search. */
typedef struct figure_group {
    int power;
    figure *items;
    size_t count, capacity;
} figure_group;

typedef struct figure_set {
    figure_group *groups;
    size_t group_count, group_capacity;
    origin *origins;
    size_t origin_count, origin_capacity;
    int prior_power;      /* counts of the unit's prior-year figures */
    int64_t *priors;      /* their values, as prior.csv lists them */
    size_t prior_count;
    __int128 *prior_keys; /* the positive ones as operand keys, sorted */
    size_t prior_key_count;
    __int128 *prior_all;  /* all of them (zero too) as operand keys, sorted */
    size_t prior_all_count;
    size_t prior_first;   /* the origin of the unit's first prior-year figure */
    size_t *percents;     /* the origins of the unit's declared percentages */
    size_t percent_count;
    bool failed;
} figure_set;

static figure_group *group_of_power(figure_set *s, int power)
{
    for (size_t g = 0; g < s->group_count; g++)
        if (s->groups[g].power == power)
            return &s->groups[g];
    if (!gk_grow((void **)&s->groups, &s->group_capacity, s->group_count, sizeof *s->groups, 4))
        return NULL;
    s->groups[s->group_count] = (figure_group){power, NULL, 0, 0};
    return &s->groups[s->group_count++];
}

/* A known figure; an amount also goes to the group of its precision (a declared percentage is
 * known by its name and value only). */
static void add_known(figure_set *s, origin o)
{
    figure_group *g = o.percent ? NULL : group_of_power(s, o.unit_power - o.decimals);
    if ((g == NULL && !o.percent) ||
        !gk_grow((void **)&s->origins, &s->origin_capacity, s->origin_count, sizeof *s->origins,
                 256) ||
        (g != NULL &&
         !gk_grow((void **)&g->items, &g->capacity, g->count, sizeof *g->items, 256))) {
        s->failed = true;
        return;
    }
    if (g != NULL)
        g->items[g->count++] = (figure){o.value, s->origin_count};
    s->origins[s->origin_count++] = o;
}

/* Every amount the unit's booklet prints (computed rows and fixed-row tables included). */
static void collect_table_figures(figure_set *s, const gk_document *doc, int unit_power)
{
    add_known(s, (origin){.kind = ORIGIN_ZERO, .decimals = doc->profile->amount_decimals,
                          .unit_power = unit_power});
    for (size_t t = 0; t < doc->table_count; t++) {
        const gk_table *table = &doc->tables[t];
        for (size_t r = 0; r < table->row_count; r++)
            for (size_t k = 0; k < table->layout->column_count; k++) {
                const gk_value *v = &table->rows[r].cells[k].value;
                if (v->kind == GK_VALUE_NUMBER &&
                    table->layout->columns[k].type == GK_TYPE_AMOUNT)
                    /* each column in its own unit (a 三公 table in 万元 beside tables in 元) */
                    add_known(s, (origin){ORIGIN_TABLE, false, v->number, v->decimals,
                                          table->layout->columns[k].unit, table, r, k, NULL,
                                          NULL});
            }
    }
}

/* The unit's prior-year figures (prior.csv) and declared figures (figures.csv). */
static void collect_package_figures(figure_set *s, const gk_package *pkg, size_t unit,
                                    int unit_power)
{
    int decimals = pkg->profile->amount_decimals;
    s->prior_power = unit_power - decimals;
    s->priors = malloc((pkg->prior_count + 1) * sizeof *s->priors);
    s->failed |= s->priors == NULL;
    s->prior_first = s->origin_count;
    for (size_t i = 0; s->priors && i < pkg->prior_count; i++)
        if (pkg->priors[i].unit == unit) {
            s->priors[s->prior_count++] = pkg->priors[i].amount;
            add_known(s, (origin){ORIGIN_PRIOR, false, pkg->priors[i].amount, decimals,
                                  unit_power, NULL, 0, 0, &pkg->priors[i], NULL});
        }
    size_t first = pkg->figure_start ? pkg->figure_start[unit] : 0;
    size_t end = pkg->figure_start ? pkg->figure_start[unit + 1] : 0;
    s->percents = malloc((end - first + 1) * sizeof *s->percents);
    s->failed |= s->percents == NULL;
    for (size_t i = first; s->percents && i < end; i++) {
        const gk_declared_figure *d = &pkg->figures[i];
        if (d->percent)
            s->percents[s->percent_count++] = s->origin_count;
        add_known(s, (origin){ORIGIN_DECLARED, d->percent, d->amount, d->decimals, d->power,
                              NULL, 0, 0, NULL, d});
    }
}

static int by_value_then_origin(const void *a, const void *b)
{
    const figure *x = a, *y = b;
    if (x->value != y->value)
        return x->value < y->value ? -1 : 1;
    return x->origin < y->origin ? -1 : x->origin > y->origin;
}

/* Sorts each group by value and keeps the first origin of equal values. */
static void sort_figures(figure_set *s)
{
    for (size_t g = 0; g < s->group_count; g++) {
        figure_group *group = &s->groups[g];
        if (group->count == 0)
            continue;
        qsort(group->items, group->count, sizeof *group->items, by_value_then_origin);
        size_t kept = 1;
        for (size_t i = 1; i < group->count; i++, gk_steps++)
            if (group->items[i].value != group->items[kept - 1].value)
                group->items[kept++] = group->items[i];
        group->count = kept;
    }
}

/* The smallest figure of the group within [lo, hi], or NULL. */
static const figure *figure_within(const figure_group *g, __int128 lo, __int128 hi)
{
    if (lo > hi || lo > INT64_MAX || hi < INT64_MIN)
        return NULL;
    int64_t from = lo < INT64_MIN ? INT64_MIN : (int64_t)lo;
    size_t a = 0, b = g->count;
    while (a < b) {
        size_t mid = a + (b - a) / 2;
        gk_steps++;
        if (g->items[mid].value < from)
            a = mid + 1;
        else
            b = mid;
    }
    return a < g->count && g->items[a].value <= hi ? &g->items[a] : NULL;
}

/* What an amount typed in the narrative stands for. */
typedef struct reading {
    bool known;           /* it is a known figure, or a known figure minus a prior-year one */
    const origin *origin; /* the known figure it is (NULL for a difference) */
} reading;

/* Reads an amount (value counts of 10^power 元) among the known figures: equal at the coarser
 * precision of the two to a figure, or (`difference`: a change whose item is not named) to the
 * difference between a figure and a prior-year figure (either way). */
static reading read_amount(const figure_set *s, int64_t value, int power, bool difference)
{
    for (size_t g = 0; g < s->group_count; g++) {
        __int128 lo, hi;
        reading_range(value, power, s->groups[g].power, &lo, &hi);
        const figure *f = figure_within(&s->groups[g], lo, hi);
        if (f != NULL)
            return (reading){true, &s->origins[f->origin]};
    }
    for (size_t g = 0; difference && g < s->group_count; g++) {
        const figure_group *group = &s->groups[g];
        __int128 lo, hi;
        reading_range(value, power, group->power, &lo, &hi);
        for (size_t p = 0; group->power == s->prior_power && p < s->prior_count; p++)
            if (figure_within(group, lo + s->priors[p], hi + s->priors[p]) ||
                figure_within(group, s->priors[p] - hi, s->priors[p] - lo))
                return (reading){true, NULL};
    }
    return (reading){false, NULL};
}

/* Whether an amount (value counts of 10^power 元) is the origin's figure at the coarser
 * precision of the two. */
static bool amount_is(int64_t value, int power, const origin *o)
{
    __int128 lo, hi;
    reading_range(value, power, o->unit_power - o->decimals, &lo, &hi);
    return o->value >= lo && o->value <= hi;
}

/* An amount as a key of operands: counts of 10^KEY_POWER 元; false when it does not fit. */
static bool key_of(int64_t value, int power, __int128 *key)
{
    if (power < KEY_POWER) {
        *key = divide_rounded(value, power_of_ten(KEY_POWER - power));
        return true;
    }
    return !__builtin_mul_overflow((__int128)value, power_of_ten(power - KEY_POWER), key);
}

/* round(a * 100 * 10^decimals / b), halves away from zero; false when it does not fit. */
static bool share_of(__int128 a, __int128 b, int decimals, __int128 *share)
{
    __int128 scaled;
    gk_steps++;
    if (b == 0 || __builtin_mul_overflow(a, power_of_ten(2 + decimals), &scaled))
        return false;
    *share = divide_rounded(scaled < 0 ? -scaled : scaled, b < 0 ? -b : b);
    if ((scaled < 0) != (b < 0))
        *share = -*share;
    return true;
}

/* ---- names next to figures ---- */

/* Names a narrative figure may stand next to: the declared figures' (figures.csv), then the
 * tables' row and column names (for what a wrong figure should have been). A figure's item is
 * its row's name or a header over its column (公务接待费 over 预算数 and 决算数), its measure
 * the header of its column (预算数, also 预算): measure_tag holds the measures, pair_tag
 * ITEM '\x1f' MEASURE for the first figure of each. */
static const char declared_tag, table_tag, measure_tag, pair_tag;

/* Past an enumerator that starts a row name: 一、 1. （一） (1). */
static const char *past_enumerator(const char *s)
{
    static const char *const numerals[] = {"一", "二", "三", "四", "五", "六", "七", "八",
                                           "九", "十", "〇", "零"};
    const char *p = s;
    bool open = strncmp(p, "（", strlen("（")) == 0 || *p == '(';
    if (open)
        p += *p == '(' ? 1 : strlen("（");
    const char *digits = p;
    for (bool more = true; more;) {
        more = false;
        if (*p >= '0' && *p <= '9') {
            p++;
            more = true;
        }
        for (size_t i = 0; !more && i < sizeof numerals / sizeof *numerals; i++)
            if (strncmp(p, numerals[i], strlen(numerals[i])) == 0) {
                p += strlen(numerals[i]);
                more = true;
            }
    }
    if (p == digits)
        return s;
    static const char *const closers[] = {"）", ")", "、", ".", "．"};
    for (size_t i = 0; i < sizeof closers / sizeof *closers; i++)
        if (strncmp(p, closers[i], strlen(closers[i])) == 0 && (open == (i < 2)))
            return p + strlen(closers[i]);
    return s;
}

/* A row or column name as the narrative would write it: no enumerator, no spaces (合 计). */
static const char *name_of(gk_arena *arena, const char *text)
{
    const char *from = past_enumerator(text);
    char *out = gk_arena_alloc(arena, strlen(from) + 1);
    size_t n = 0;
    for (const char *p = from; out && *p; p++) {
        if (*p == ' ' || strncmp(p, "　", strlen("　")) == 0) {
            p += *p == ' ' ? 0 : strlen("　") - 1;
            continue;
        }
        out[n++] = *p;
    }
    if (out)
        out[n] = '\0';
    return out;
}

static size_t char_count(const char *text)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        n += (*p & 0xC0) != 0x80;
    return n;
}

/* The text of the nearest cell left of column k of a row that holds text, or NULL. */
static const char *row_name(const gk_row *row, size_t k)
{
    while (k-- > 0) {
        const gk_value *v = &row->cells[k].value;
        if (v->kind == GK_VALUE_TEXT && v->text[0] != '\0')
            return v->text;
    }
    return NULL;
}

typedef struct names {
    key_map map;
    gk_arena arena; /* the tables' names as the narrative writes them */
    size_t longest; /* bytes of the longest name of any tag */
    bool failed;
} names;

static void add_name(names *n, const void *tag, const char *name, size_t origin)
{
    bool added;
    if (name == NULL || key_map_put(&n->map, tag, name, origin, &added) == NULL)
        n->failed = true;
    else if (strlen(name) > n->longest)
        n->longest = strlen(name);
}

static void add_table_name(names *n, const char *text, size_t origin)
{
    const char *name = text ? name_of(&n->arena, text) : NULL;
    if (text != NULL && name == NULL)
        n->failed = true;
    else if (name != NULL && char_count(name) >= NAME_MIN_CHARS)
        add_name(n, &table_tag, name, origin);
}

/* Whether header cell h is over leaf column k, not k's own header. */
static bool header_over(const gk_table_layout *t, const gk_header_cell *h, size_t k)
{
    return (size_t)h->col <= k && k < (size_t)(h->col + h->cols) &&
           h->row + h->rows < t->header_rows;
}

/* A measure: a leaf header as the narrative writes it, and without its last 数 (预算数, 预算). */
static void add_measures(names *n, const char *header, const char **forms)
{
    forms[0] = forms[1] = NULL;
    const char *name = header ? name_of(&n->arena, header) : NULL;
    if (name == NULL || char_count(name) < 2) {
        n->failed |= header != NULL && name == NULL;
        return;
    }
    forms[0] = name;
    size_t len = strlen(name), tail = strlen("数");
    if (char_count(name) > 2 && strcmp(name + len - tail, "数") == 0)
        forms[1] = gk_arena_printf(&n->arena, "%.*s", (int)(len - tail), name);
    for (int f = 0; f < 2; f++)
        if (forms[f] != NULL)
            add_name(n, &measure_tag, forms[f], 0);
}

/* ITEM '\x1f' MEASURE for a figure (origin), for each of its measure's forms. */
static void add_pairs(names *n, const char *item, const char *const *forms, size_t origin)
{
    const char *name = item ? name_of(&n->arena, item) : NULL;
    n->failed |= item != NULL && name == NULL;
    for (int f = 0; name != NULL && char_count(name) >= NAME_MIN_CHARS && f < 2; f++)
        if (forms[f] != NULL)
            add_name(n, &pair_tag, gk_arena_printf(&n->arena, "%s\x1f%s", name, forms[f]),
                     origin);
}

/* The items and measures of one table's figures (origins [from, to)): each figure's row name
 * and the headers over its column, with its column's header. */
static void collect_table_pairs(names *n, const figure_set *s, size_t from, size_t to)
{
    const gk_table_layout *t = s->origins[from].table->layout;
    const char *(*forms)[2] = calloc(t->column_count + 1, sizeof *forms);
    if (forms == NULL) {
        n->failed = true;
        return;
    }
    for (size_t k = 0; k < t->column_count; k++)
        if (t->columns[k].type == GK_TYPE_AMOUNT)
            add_measures(n, t->columns[k].header, forms[k]);
    for (size_t i = from; i < to; i++) {
        const origin *o = &s->origins[i];
        add_pairs(n, row_name(&o->table->rows[o->row], o->column), forms[o->column], i);
        for (size_t h = 0; h < t->header_count; h++)
            if (header_over(t, &t->header[h], o->column))
                add_pairs(n, t->header[h].text, forms[o->column], i);
    }
    free(forms);
}

/* The names of one table's figures (origins [from, to)): its column names and the headers over
 * them, each for the (first) column's figure in the 合计 row, else in the first row; then its
 * row names, each for the first figure right of it; then its items and measures. */
static void collect_table_names(names *n, const figure_set *s, size_t from, size_t to)
{
    const gk_table *table = s->origins[from].table;
    size_t columns = table->layout->column_count;
    size_t *pick = malloc((columns + 1) * sizeof *pick);
    if (pick == NULL) {
        n->failed = true;
        return;
    }
    for (size_t k = 0; k < columns; k++)
        pick[k] = SIZE_MAX;
    for (size_t i = from; i < to; i++) {
        const origin *o = &s->origins[i];
        if (pick[o->column] == SIZE_MAX ||
            (table->rows[o->row].kind == GK_ROW_TOTAL &&
             table->rows[s->origins[pick[o->column]].row].kind != GK_ROW_TOTAL))
            pick[o->column] = i;
    }
    for (size_t k = 0; k < columns; k++)
        if (pick[k] != SIZE_MAX)
            add_table_name(n, table->layout->columns[k].header, pick[k]);
    for (size_t h = 0; h < table->layout->header_count; h++) {
        const gk_header_cell *cell = &table->layout->header[h];
        for (size_t k = (size_t)cell->col; k < (size_t)(cell->col + cell->cols); k++)
            if (header_over(table->layout, cell, k) && pick[k] != SIZE_MAX) {
                add_table_name(n, cell->text, pick[k]);
                break;
            }
    }
    free(pick);
    for (size_t i = from; i < to; i++)
        add_table_name(n, row_name(&table->rows[s->origins[i].row], s->origins[i].column), i);
    collect_table_pairs(n, s, from, to);
}

/* The declared figures' names, then the tables' names in booklet order; the first figure of a
 * name is the one it names. */
static void collect_names(names *n, const figure_set *s)
{
    for (size_t i = 0; i < s->origin_count; i++)
        if (s->origins[i].kind == ORIGIN_DECLARED)
            add_name(n, &declared_tag, s->origins[i].declared->name, i);
    for (size_t i = 0; i < s->origin_count;) {
        size_t end = i + 1;
        if (s->origins[i].kind == ORIGIN_TABLE)
            while (end < s->origin_count && s->origins[end].table == s->origins[i].table)
                end++;
        if (s->origins[i].kind == ORIGIN_TABLE)
            collect_table_names(n, s, i, end);
        i = end;
    }
}

/* Words that join a name to its figure (机关运行经费为 12.34 万元), longest first. */
static const char *const joining_words[] = {"预算数为", "预算数", "共计", "合计", "安排", "为",
                                            "是",       "共",     "计",   "达",   "约",   "的"};

/* The figure (an origin index) that the words right before a figure name: the longest end of
 * its label that is a name of the tag, with or without the words joining it to the figure;
 * NULL when none is. */
static const size_t *named_by(const names *n, const void *tag, const char *label)
{
    char buf[256];
    size_t len = strlen(label);
    if (len >= sizeof buf) { /* labels are short (figures.h); keep the end, whole characters */
        label += len - (sizeof buf - 1);
        while (((unsigned char)*label & 0xC0) == 0x80)
            label++;
        len = strlen(label);
    }
    memcpy(buf, label, len + 1);
    for (;;) {
        for (const char *p = buf; *p; p++)
            if (((unsigned char)*p & 0xC0) != 0x80) {
                const size_t *found = key_map_get(&n->map, tag, p);
                if (found != NULL)
                    return found;
            }
        size_t w = 0, wn = sizeof joining_words / sizeof *joining_words;
        while (w < wn && !(len > strlen(joining_words[w]) &&
                           strcmp(buf + len - strlen(joining_words[w]), joining_words[w]) == 0))
            w++;
        if (w == wn)
            return NULL;
        len -= strlen(joining_words[w]);
        buf[len] = '\0';
    }
}

/* A name of the tag within text, followed by `suffix` in the map's key: of the names ending
 * nearest text's end, the longest. NULL when none. Text is a figure's words (figures.h:
 * GK_WORDS_CHARS characters at most), so this is bounded per figure. */
static const size_t *name_within(const names *n, const void *tag, const char *text,
                                 const char *suffix, size_t *at, size_t *bytes)
{
    size_t len = strlen(text), extra = strlen(suffix);
    char *buf = malloc(len + extra + 1);
    const size_t *found = NULL;
    for (size_t end = len; buf && !found && end > 0; end--) {
        if (end < len && ((unsigned char)text[end] & 0xC0) == 0x80)
            continue;
        for (size_t from = end > n->longest ? end - n->longest : 0; !found && from < end;
             from++) {
            if (((unsigned char)text[from] & 0xC0) == 0x80)
                continue;
            memcpy(buf, text + from, end - from);
            memcpy(buf + (end - from), suffix, extra + 1);
            found = key_map_get(&n->map, tag, buf);
            *at = from;
            *bytes = end - from;
        }
    }
    free(buf);
    return found;
}

/* ---- checking a run of the narrative ---- */

typedef struct narrative_check {
    checker *c;
    const gk_rule *rule;
    const figure_set *set;
    const names *names;
    const char *path;
    int tables_power;  /* placeholders print amounts in the tables' unit */
    gk_arena scratch;  /* texts of messages */
} narrative_check;

static const char *unit_name(int power)
{
    return power == 0 ? "元" : power == 4 ? "万元" : power == 8 ? "亿元" : "";
}

/* A column's header with the headers over it that do not span the whole table (公务用车购置及
 *运行维护费 小计 决算数), for a figure whose row has no name. */
static const char *header_path(narrative_check *nc, const gk_table_layout *t, size_t k)
{
    const char *path = "";
    for (int row = 0; row < t->header_rows; row++)
        for (size_t h = 0; path && h < t->header_count; h++)
            if (t->header[h].row == row && header_over(t, &t->header[h], k) &&
                (size_t)t->header[h].cols < t->column_count)
                path = gk_arena_printf(&nc->scratch, "%s%s ", path, t->header[h].text);
    return path ? gk_arena_printf(&nc->scratch, "%s%s", path, t->columns[k].header) : NULL;
}

/* Where a known figure comes from: "公开表1-2, 合 计, 基本支出", "…/prior.csv:3, total",
 * "…/figures.csv:2, 2025年预算 第三部分 七"; NULL for zero. */
static const char *origin_source(narrative_check *nc, const origin *o)
{
    const gk_package *pkg = nc->c->pkg;
    switch (o->kind) {
    case ORIGIN_TABLE: {
        const char *row = row_name(&o->table->rows[o->row], o->column);
        const char *header = row ? o->table->layout->columns[o->column].header
                                 : header_path(nc, o->table->layout, o->column);
        return row ? gk_arena_printf(&nc->scratch, "%s, %s, %s", o->table->layout->number, row,
                                     header)
                   : gk_arena_printf(&nc->scratch, "%s, %s", o->table->layout->number, header);
    }
    case ORIGIN_PRIOR:
        return gk_arena_printf(&nc->scratch, "%s:%d, %s", pkg->prior_path, o->prior->line,
                               o->prior->key);
    case ORIGIN_DECLARED:
        return gk_arena_printf(&nc->scratch, "%s:%d, %s", pkg->figures_path, o->declared->line,
                               o->declared->source);
    case ORIGIN_ZERO:
        break;
    }
    return NULL;
}

/* A known figure as a message names it: "294.28万元 (公开表1-1, 合 计, 合计)". */
static const char *origin_text(narrative_check *nc, const origin *o)
{
    char value[64];
    gk_decimal_format(o->value, o->decimals, value, sizeof value);
    const char *source = origin_source(nc, o);
    const char *unit = o->percent ? "%" : unit_name(o->unit_power);
    return source ? gk_arena_printf(&nc->scratch, "%s%s (%s)", value, unit, source)
                  : gk_arena_printf(&nc->scratch, "%s%s", value, unit);
}

/* What the check finds of an amount of the narrative. */
typedef enum verdict {
    AMOUNT_KNOWN,        /* a known figure, or printed by a placeholder in the tables' unit */
    AMOUNT_UNKNOWN,      /* typed, no known figure */
    AMOUNT_NOT_DECLARED, /* typed after a declared name, not the declared figure */
    AMOUNT_WRONG_UNIT,   /* printed by a placeholder, another unit after it */
    AMOUNT_MALFORMED,    /* ',' that do not group by three */
    AMOUNT_NOT_CHANGE    /* a change of a named item (减少 C) that is not its change from a
                          * prior-year figure */
} verdict;

/* A figure of the run: what the check finds of it, and its value as an operand of the
 * percentages beside it. */
typedef struct operand {
    verdict verdict;
    const struct origin *named; /* the figure its words name: declared (AMOUNT_NOT_DECLARED),
                                 * else of the tables; or NULL */
    bool usable;          /* an amount whose value fits the keys */
    __int128 key;         /* as written, counts of 10^KEY_POWER 元 */
    __int128 precise;     /* the known figure it stands for when that is finer, else key */
    const struct origin *origin; /* that figure, or NULL */
    /* a change (增加 C, 减少 C) whose words name its item: the item's figure A; the change is
     * A's from a prior-year figure, A - C or A + C */
    const struct origin *item;
    int sign;             /* +1 an increase, -1 a decrease, 0 no change */
} operand;

static void report_as(narrative_check *nc, gk_severity severity, const gk_literal *lit,
                      const char *expected, const char *found, const char *format, va_list args)
{
    char message[1024];
    vsnprintf(message, sizeof message, _(format), args);
    add_text(nc->c, severity, nc->rule->id, nc->path, lit->line, lit->column, expected, found,
             message);
}

/* An error at a figure; its message is FORMAT (marked N_ at the call), translated, with the
 * arguments. */
static void report(narrative_check *nc, const gk_literal *lit, const char *expected,
                   const char *found, const char *format, ...)
    __attribute__((format(printf, 5, 6)));
static void report(narrative_check *nc, const gk_literal *lit, const char *expected,
                   const char *found, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    report_as(nc, GK_ERROR, lit, expected, found, format, args);
    va_end(args);
}

/* A warning at a figure: what the check cannot tell (no slip it can show). */
static void warn(narrative_check *nc, const gk_literal *lit, const char *expected,
                 const char *found, const char *format, ...) __attribute__((format(printf, 5, 6)));
static void warn(narrative_check *nc, const gk_literal *lit, const char *expected,
                 const char *found, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    report_as(nc, GK_WARNING, lit, expected, found, format, args);
    va_end(args);
}

/* Reports a figure whose ',' do not group its digits by three; true when it is one. */
static bool malformed(narrative_check *nc, const gk_literal *lit)
{
    if (lit->grouping_ok)
        return false;
    char *number = strndup(lit->text, lit->number_len);
    nc->c->failed |= number == NULL;
    if (number != NULL)
        report(nc, lit, lit->plain, number,
               /* TRANSLATORS: %s is a figure as the narrative writes it (9,99.99万元): its ','
                  do not group the digits by three. */
               N_("'%s' has malformed thousands grouping"), lit->text);
    free(number);
    return true;
}

/* The declared figure of the literal's kind (amount or percentage) that the words right before
 * it name, or NULL. */
static const origin *declared_named(narrative_check *nc, const gk_literal *lit)
{
    const size_t *declared = named_by(nc->names, &declared_tag, lit->label);
    const origin *named = declared ? &nc->set->origins[*declared] : NULL;
    return named != NULL && named->percent == lit->percent ? named : NULL;
}

/* Whether a percentage is a declared one: named so right before it, or equal to one. */
static bool declared_percent(narrative_check *nc, const gk_literal *lit)
{
    const origin *named = declared_named(nc, lit);
    if (named != NULL) {
        if (!(lit->exact && amount_is(lit->value, -lit->decimals, named)))
            report(nc, lit, origin_text(nc, named), lit->text,
                   N_("'%s' differs from the declared %s"), lit->text, named->declared->name);
        return true;
    }
    for (size_t i = 0; lit->exact && i < nc->set->percent_count; i++)
        if (amount_is(lit->value, -lit->decimals, &nc->set->origins[nc->set->percents[i]]))
            return true;
    return false;
}

/* +1 when words say an amount is an increase (增加 2.47 万元), -1 a decrease, else 0. */
static int change_sign(const char *label)
{
    static const char *const up[] = {"增加", "增长", "提高", "上升"};
    static const char *const down[] = {"减少", "下降", "降低"};
    for (size_t i = 0; i < sizeof up / sizeof *up; i++)
        if (strstr(label, up[i]) != NULL)
            return 1;
    for (size_t i = 0; i < sizeof down / sizeof *down; i++)
        if (strstr(label, down[i]) != NULL)
            return -1;
    return 0;
}

/* The measure within words (预算 in 完成预算的), as the suffix of a pair key; NULL when none. */
static const char *measure_within(narrative_check *nc, const char *words)
{
    size_t at, bytes;
    if (name_within(nc->names, &measure_tag, words, "", &at, &bytes) == NULL)
        return NULL;
    return gk_arena_printf(&nc->scratch, "\x1f%.*s", (int)bytes, words + at);
}

/* The figure of an item within words that has the measure (a pair key's suffix), or NULL. */
static const origin *item_measured(narrative_check *nc, const char *words, const char *measure)
{
    size_t at, bytes;
    const size_t *o = measure ? name_within(nc->names, &pair_tag, words, measure, &at, &bytes)
                              : NULL;
    return o ? &nc->set->origins[*o] : NULL;
}

/* The figure that words name — the item a figure of the narrative is a figure of: a declared
 * amount's name within them, else an item of the tables with its measure within them
 * (公务接待费支出决算为: 公务接待费's 决算数), else a row or column name of the tables; NULL when
 * none. */
static const origin *named_in_words(narrative_check *nc, const char *words)
{
    size_t at, bytes;
    const size_t *d = name_within(nc->names, &declared_tag, words, "", &at, &bytes);
    if (d != NULL && !nc->set->origins[*d].percent)
        return &nc->set->origins[*d];
    const origin *o = item_measured(nc, words, measure_within(nc, words));
    if (o != NULL)
        return o;
    const size_t *t = name_within(nc->names, &table_tag, words, "", &at, &bytes);
    return t ? &nc->set->origins[*t] : NULL;
}

/* A known figure as an operand key; false when it does not fit. */
static bool origin_key(const origin *o, __int128 *key)
{
    return key_of(o->value, o->unit_power - o->decimals, key);
}

/* Whether a prior-year figure lies within [lo, hi] (operand keys). */
static bool prior_within(const figure_set *s, __int128 lo, __int128 hi)
{
    size_t a = 0, b = s->prior_all_count;
    while (a < b) {
        size_t mid = a + (b - a) / 2;
        gk_steps++;
        if (s->prior_all[mid] < lo)
            a = mid + 1;
        else
            b = mid;
    }
    return a < s->prior_all_count && s->prior_all[a] <= hi;
}

/* Whether a change C (value counts of 10^power 元, sign by its words) of the item's figure is
 * the item's change from a prior-year figure: A + C (a decrease) or A - C is one, at C's
 * precision. */
static bool change_of_item(const figure_set *s, int64_t value, int power, int sign,
                           const origin *item)
{
    __int128 a, lo, hi;
    if (!origin_key(item, &a))
        return false;
    reading_range(value, power, KEY_POWER, &lo, &hi);
    return sign < 0 ? prior_within(s, a + lo, a + hi) : prior_within(s, a - hi, a - lo);
}

/* Judges an amount of the narrative: typed, it must be the figure a declared name right before
 * it declares, and a known figure — a change (减少 C) whose words name its item, that item's
 * change from a prior-year figure; a change of no named item, any figure's; printed by a
 * placeholder, its unit must be the tables'. */
static void judge_amount(narrative_check *nc, const gk_literal *lit, operand *op)
{
    int power = lit->power - lit->decimals;
    op->usable = lit->exact && key_of(lit->value, power, &op->key);
    op->precise = op->key;
    if (lit->placeholder != NULL) {
        op->verdict = lit->power != nc->tables_power ? AMOUNT_WRONG_UNIT : AMOUNT_KNOWN;
        return;
    }
    if (!lit->grouping_ok) {
        op->verdict = AMOUNT_MALFORMED;
        op->usable = false;
        return;
    }
    op->sign = change_sign(lit->label);
    reading r = lit->exact ? read_amount(nc->set, lit->value, power, false)
                           : (reading){false, NULL};
    if (!r.known && lit->exact && op->sign != 0) { /* a change: of the item its words name */
        op->item = named_in_words(nc, lit->words);
        r.known = op->item ? change_of_item(nc->set, lit->value, power, op->sign, op->item)
                           : read_amount(nc->set, lit->value, power, true).known;
    }
    const size_t *table = named_by(nc->names, &table_tag, lit->label);
    op->named = table ? &nc->set->origins[*table] : NULL;
    if (r.origin != NULL && op->named != NULL && amount_is(lit->value, power, op->named))
        r.origin = op->named; /* of equal figures, the one its words name */
    op->origin = r.origin;
    if (r.origin != NULL && r.origin->unit_power - r.origin->decimals < power)
        op->usable &= key_of(r.origin->value, r.origin->unit_power - r.origin->decimals,
                             &op->precise);
    const origin *declared = declared_named(nc, lit);
    if (declared != NULL && !(lit->exact && amount_is(lit->value, power, declared))) {
        op->verdict = AMOUNT_NOT_DECLARED;
        op->named = declared;
        return;
    }
    op->verdict = r.known ? AMOUNT_KNOWN : op->item ? AMOUNT_NOT_CHANGE : AMOUNT_UNKNOWN;
}

/* The figures of one run, arranged for its percentages. Sentences are stretches of the
 * literals; per-sentence facts are kept at the sentence's first literal. */
typedef struct run {
    const gk_literal *lits;
    size_t count;
    operand *ops;       /* per literal; only amounts are usable */
    size_t *start;      /* the first literal of its sentence */
    size_t *before;     /* the last usable amount before it in its sentence, or SIZE_MAX */
    size_t *after;      /* the first usable amount after it in its sentence, or SIZE_MAX */
    size_t *whole;      /* the last usable amount before it in the run that no percentage
                         * follows (a whole its parts are shares of), or SIZE_MAX */
    size_t *amounts;    /* at a sentence's start: its usable amounts */
    __int128 *sum;      /* at a sentence's start: their sum as written */
    bool *sum_ok;       /* … within the keys */
    size_t run_amounts;
    __int128 run_sum;
    bool run_sum_ok;
    __int128 *pool;     /* what a percentage may be a share of: every operand, sums; sorted */
    size_t pool_count;
} run;

static bool usable_amount(const run *r, size_t i)
{
    return !r->lits[i].percent && r->ops[i].usable;
}

static void arrange_sentences(run *r)
{
    size_t start = 0, last = SIZE_MAX, whole = SIZE_MAX;
    r->run_sum_ok = true;
    for (size_t i = 0; i < r->count; i++) {
        if (i == 0 || r->lits[i].sentence != r->lits[i - 1].sentence) {
            start = i;
            last = SIZE_MAX;
            r->amounts[i] = 0;
            r->sum[i] = 0;
            r->sum_ok[i] = true;
        }
        r->start[i] = start;
        r->before[i] = last;
        r->whole[i] = whole;
        if (!usable_amount(r, i))
            continue;
        if (i + 1 == r->count || !r->lits[i + 1].percent)
            whole = i;
        r->amounts[start]++;
        r->run_amounts++;
        r->sum_ok[start] &= !__builtin_add_overflow(r->sum[start], r->ops[i].key, &r->sum[start]);
        r->run_sum_ok &= !__builtin_add_overflow(r->run_sum, r->ops[i].key, &r->run_sum);
        last = i;
    }
    size_t next = SIZE_MAX;
    for (size_t i = r->count; i-- > 0;) {
        if (i + 1 == r->count || r->lits[i].sentence != r->lits[i + 1].sentence)
            next = SIZE_MAX;
        r->after[i] = next;
        if (usable_amount(r, i))
            next = i;
    }
}

static int by_key(const void *a, const void *b)
{
    __int128 x = *(const __int128 *)a, y = *(const __int128 *)b;
    return (x > y) - (x < y);
}

/* Sorts keys and keeps the positive ones, each once; returns how many. */
static size_t sort_positive(__int128 *keys, size_t count)
{
    qsort(keys, count, sizeof *keys, by_key);
    size_t kept = 0;
    for (size_t i = 0; i < count; i++)
        if (keys[i] > 0 && (kept == 0 || keys[kept - 1] != keys[i]))
            keys[kept++] = keys[i];
    return kept;
}

static void fill_pool(run *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->count; i++) {
        if (usable_amount(r, i)) {
            r->pool[n++] = r->ops[i].key;
            r->pool[n++] = r->ops[i].precise;
        }
        if (r->start[i] == i && r->amounts[i] >= 2 && r->sum_ok[i])
            r->pool[n++] = r->sum[i];
    }
    if (r->run_amounts >= 2 && r->run_sum_ok)
        r->pool[n++] = r->run_sum;
    r->pool_count = sort_positive(r->pool, n);
}

/* The first base of bases[0, n) (sorted, positive) that x is p% of at `decimals`, or SIZE_MAX.
 * The share falls as the base grows: a binary search finds the first base it reaches p at. */
static size_t share_base(const __int128 *bases, size_t n, __int128 x, int64_t p, int decimals)
{
    x = x < 0 ? -x : x;
    size_t lo = 0, hi = n;
    __int128 share;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (!share_of(x, bases[mid], decimals, &share))
            return SIZE_MAX;
        if (share > p)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && share_of(x, bases[lo], decimals, &share) && share == p ? lo : SIZE_MAX;
}

/* Whether the change from some base of bases[0, n) to x, |x - b| / b, is p at `decimals`:
 * below x it falls as the base grows, above x it rises; each side by binary search. */
static bool change_found(const __int128 *bases, size_t n, __int128 x, int64_t p, int decimals)
{
    size_t split = 0, hi = n;
    while (split < hi) {
        size_t mid = split + (hi - split) / 2;
        if (bases[mid] < x)
            split = mid + 1;
        else
            hi = mid;
    }
    __int128 share;
    size_t lo = 0;
    hi = split;
    while (lo < hi) { /* (x - b) / b, falling */
        size_t mid = lo + (hi - lo) / 2;
        if (!share_of(x - bases[mid], bases[mid], decimals, &share))
            return false;
        if (share > p)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < split && share_of(x - bases[lo], bases[lo], decimals, &share) && share == p)
        return true;
    lo = split;
    hi = n;
    while (lo < hi) { /* (b - x) / b, rising */
        size_t mid = lo + (hi - lo) / 2;
        if (!share_of(bases[mid] - x, bases[mid], decimals, &share))
            return false;
        if (share < p)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && share_of(bases[lo] - x, bases[lo], decimals, &share) && share == p;
}

/* Whether a percentage p follows from x: x's share of a figure of the paragraph, a sum of its
 * figures or a prior-year figure; for a change, also x's change from one of them. */
static bool follows_from(const run *r, const figure_set *s, __int128 x, int64_t p, int decimals,
                         bool change)
{
    int64_t magnitude = p < 0 ? -p : p;
    return (p >= 0 && (share_base(r->pool, r->pool_count, x, p, decimals) != SIZE_MAX ||
                       share_base(s->prior_keys, s->prior_key_count, x, p, decimals) !=
                           SIZE_MAX)) ||
           (change && x > 0 &&
            (change_found(r->pool, r->pool_count, x, magnitude, decimals) ||
             change_found(s->prior_keys, s->prior_key_count, x, magnitude, decimals)));
}

/* Words that make a percentage a change (增长 0.85%), not a share. */
static bool says_change(const char *label)
{
    static const char *const words[] = {"增长", "下降", "增加", "减少", "提高", "降低",
                                        "上升", "增幅", "降幅", "减幅", "同比"};
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        if (strstr(label, words[i]) != NULL)
            return true;
    return false;
}

/* How a percentage is computed from its operands a and b (b may be a sum of figures). */
typedef enum formula_kind {
    FORMULA_SHARE,   /* a / b */
    FORMULA_CHANGE,  /* (a - b) / b: from b to a */
    FORMULA_GROWTH,  /* a / (b - a): an increase a up to b */
    FORMULA_DECLINE  /* a / (b + a): a decrease a down to b */
} formula_kind;

/* An operand: a figure of the run (lit) and the known figure it is (o, or NULL), or a known
 * figure the words name that the run does not print (lit SIZE_MAX). */
typedef struct term {
    size_t lit;
    const origin *o;
    __int128 key;
} term;

typedef struct formula {
    formula_kind kind;
    term a, b;               /* b.lit SIZE_MAX and b.o NULL: the sum below */
    size_t sum_from, sum_to; /* literals whose usable amounts b sums */
    bool guessed;            /* b is the paragraph's sum: nothing names a whole */
} formula;

static term lit_term(const run *r, size_t i)
{
    return (term){i, NULL, r->ops[i].key};
}

static bool origin_term(const origin *o, term *t)
{
    *t = (term){SIZE_MAX, o, 0};
    return origin_key(o, &t->key);
}

/* The percentage a formula gives, at `decimals`; false when it cannot be computed. */
static bool formula_value(const formula *f, int decimals, __int128 *share)
{
    __int128 a = f->a.key, b = f->b.key;
    switch (f->kind) {
    case FORMULA_SHARE: return share_of(a, b, decimals, share);
    case FORMULA_CHANGE: return share_of(a - b, b, decimals, share);
    case FORMULA_GROWTH: return b - a != 0 && share_of(a, b - a, decimals, share);
    case FORMULA_DECLINE: return b + a != 0 && share_of(a, b + a, decimals, share);
    }
    return false;
}

/* Whether percentage i is what the formula gives, its first operand as written or as the known
 * figure it stands for. */
static bool formula_gives(const run *r, size_t i, formula f)
{
    const gk_literal *lit = &r->lits[i];
    __int128 share;
    for (int v = 0; v < 2; v++) {
        if (v == 1 && f.a.lit != SIZE_MAX)
            f.a.key = r->ops[f.a.lit].precise;
        if (formula_value(&f, lit->decimals, &share) && share == lit->value)
            return true;
    }
    return false;
}

/* The unit's prior-year figure of an operand key, or NULL. */
static const origin *prior_keyed(const figure_set *s, __int128 key)
{
    for (size_t o = s->prior_first; o < s->prior_first + s->prior_count; o++) {
        __int128 k;
        if (origin_key(&s->origins[o], &k) && k == key)
            return &s->origins[o];
    }
    return NULL;
}

/* The prior-year figure a wrong change of an item (near, AMOUNT_NOT_CHANGE) is the percentage
 * right after it of (减少 C，下降 p%: C / P is p): the figure its sentence compares with; NULL
 * when there is none. */
static const origin *prior_of_change(const run *r, const figure_set *s, size_t near)
{
    size_t p = near + 1;
    if (r->ops[near].verdict != AMOUNT_NOT_CHANGE || p >= r->count || !r->lits[p].percent ||
        r->lits[p].sentence != r->lits[near].sentence || !says_change(r->lits[p].label) ||
        !r->lits[p].exact || r->lits[p].decimals > PERCENT_DECIMALS)
        return NULL;
    size_t base = share_base(s->prior_keys, s->prior_key_count, r->ops[near].key,
                             r->lits[p].value, r->lits[p].decimals);
    return base != SIZE_MAX ? prior_keyed(s, s->prior_keys[base]) : NULL;
}

/* A change percentage tied to the change before it (减少 C，下降 p%) whose words name its item
 * A: C / (A + C) for a decrease, C / (A - C) for an increase — or, when C is no change of A but
 * p is C's share of a prior-year figure P, A's change from P. False when the figure before it
 * is no change of a named item. */
static bool change_tie(const run *r, const figure_set *s, size_t i, formula *f)
{
    size_t near = r->before[i];
    if (near == SIZE_MAX || r->ops[near].item == NULL)
        return false;
    term a, b;
    const origin *prior = prior_of_change(r, s, near);
    if (prior != NULL) {
        *f = (formula){.kind = FORMULA_CHANGE};
        return origin_term(r->ops[near].item, &f->a) && origin_term(prior, &f->b);
    }
    a = lit_term(r, near);
    if (!origin_term(r->ops[near].item, &b))
        return false;
    *f = (formula){r->ops[near].sign < 0 ? FORMULA_DECLINE : FORMULA_GROWTH, a, b, 0, 0, false};
    return true;
}

/* The whole a share names by words: a row or column name of the tables right before it
 * (占本年支出合计的 p%), or a measure (完成预算的 p%) of the item its words or its part's name
 * (公务接待费支出决算为 0.3 万元: 公务接待费's 预算数). NULL when none. */
static const origin *whole_named(narrative_check *nc, const run *r, size_t i, size_t part)
{
    const gk_literal *lit = &r->lits[i];
    const size_t *t = named_by(nc->names, &table_tag, lit->label);
    if (t != NULL)
        return &nc->set->origins[*t];
    const char *measure = measure_within(nc, lit->words);
    const origin *o = item_measured(nc, lit->words, measure);
    if (o == NULL && part != SIZE_MAX)
        o = item_measured(nc, r->lits[part].words, measure);
    return o;
}

/* The part of a share: the figure as written, with the known figure its words name when it is
 * that one (公务用车购置及运行维护费支出决算为 19.56 万元: the 三公 table's, not another 19.56). */
static term part_term(narrative_check *nc, const run *r, size_t i)
{
    term t = lit_term(r, i);
    const origin *o = named_in_words(nc, r->lits[i].words);
    int power = r->lits[i].power - r->lits[i].decimals;
    if (o != NULL && r->lits[i].exact && amount_is(r->lits[i].value, power, o))
        t.o = o;
    return t;
}

/* Whether percentage i is computed from its operands. A change tied to a named item's change
 * (change_tie) is that; otherwise the one or two figures nearest before it in its sentence
 * (else the first after it), each as written or as the known figure it stands for; for a
 * change (增长 p%), with two, also the nearer one's share of their difference or sum (A 增加 C，
 * 增长 p%: C / (A - C)); for a share, also of the whole its words name. */
static bool percent_follows(narrative_check *nc, const run *r, size_t i)
{
    const figure_set *s = nc->set;
    const gk_literal *lit = &r->lits[i];
    bool change = says_change(lit->label);
    formula tie;
    if (change && change_tie(r, s, i, &tie)) {
        __int128 share;
        if (tie.kind == FORMULA_CHANGE || formula_value(&tie, lit->decimals, &share))
            return tie.kind != FORMULA_CHANGE && formula_gives(r, i, tie);
    }
    size_t near = r->before[i] != SIZE_MAX ? r->before[i] : r->after[i];
    size_t other = near != SIZE_MAX && near < i ? r->before[near] : SIZE_MAX;
    for (int k = 0; k < 2; k++) {
        size_t x = k == 0 ? near : other;
        if (x == SIZE_MAX)
            continue;
        for (int v = 0; v < 2; v++)
            if (follows_from(r, s, v ? r->ops[x].precise : r->ops[x].key, lit->value,
                             lit->decimals, change))
                return true;
    }
    for (int v = 0; change && other != SIZE_MAX && v < 4; v++) {
        __int128 x = v & 1 ? r->ops[near].precise : r->ops[near].key;
        __int128 y = v & 2 ? r->ops[other].precise : r->ops[other].key, share;
        if ((y - x > 0 && share_of(x, y - x, lit->decimals, &share) && share == lit->value) ||
            (y + x > 0 && share_of(x, y + x, lit->decimals, &share) && share == lit->value))
            return true;
    }
    const origin *whole = !change && near != SIZE_MAX ? whole_named(nc, r, i, near) : NULL;
    if (whole == NULL)
        return false;
    formula f = {.kind = FORMULA_SHARE, .a = lit_term(r, near)};
    return origin_term(whole, &f.b) && formula_gives(r, i, f);
}

/* The percentage's own operands. A change (增长 p%): tied to the change before it (change_tie),
 * else after a figure of the change (增加 C) the prior figure before it (比上年 B 增加 C: C /
 * B), else the figure it grew from (A 增加 C: C / (A - C)); after a figure B with A before it (A，
 * 比上年 B 增长 p%): (A - B) / B. A share: the nearest figure (the part; 占 B 的 p%: the one before
 * B) of the whole its words name, else of the nearest figure before it in the paragraph that
 * has no percentage of its own and is not zero (the whole: 支出 294.28 万元，其中：基本支出
 * 166.48 万元，占 56.57%), else of the sum of its sentence's figures, else — a guess — of the
 * paragraph's. False when it has none. */
static bool own_operands(narrative_check *nc, const run *r, size_t i, formula *f)
{
    size_t near = r->before[i] != SIZE_MAX ? r->before[i] : r->after[i];
    if (near == SIZE_MAX)
        return false;
    size_t start = r->start[i], end = i, other = near < i ? r->before[near] : SIZE_MAX;
    while (end < r->count && r->start[end] == start)
        end++;
    term b = {SIZE_MAX, NULL, 0};
    if (says_change(r->lits[i].label)) {
        if (change_tie(r, nc->set, i, f))
            return true;
        if (other == SIZE_MAX)
            return false;
        if (says_change(r->lits[near].label)) {
            size_t prior = r->before[other];
            bool down = strstr(r->lits[near].label, "减少") != NULL;
            *f = (formula){prior != SIZE_MAX ? FORMULA_SHARE
                           : down            ? FORMULA_DECLINE
                                             : FORMULA_GROWTH,
                           lit_term(r, near), lit_term(r, other), 0, 0, false};
            return true;
        }
        *f = (formula){FORMULA_CHANGE, lit_term(r, other), lit_term(r, near), 0, 0, false};
        return true;
    }
    term part = part_term(nc, r, near);
    size_t label_len = strlen(r->lits[i].label);
    const origin *named = whole_named(nc, r, i, near);
    size_t whole = r->whole[near];
    if (named != NULL && origin_term(named, &b))
        *f = (formula){FORMULA_SHARE, part, b, 0, 0, false};
    else if (other != SIZE_MAX && label_len >= strlen("的") &&
             strcmp(r->lits[i].label + label_len - strlen("的"), "的") == 0)
        *f = (formula){FORMULA_SHARE, part_term(nc, r, other), lit_term(r, near), 0, 0, false};
    else if (whole != SIZE_MAX && r->ops[whole].key != 0)
        *f = (formula){FORMULA_SHARE, part, lit_term(r, whole), 0, 0, false};
    else if (r->amounts[start] >= 2 && r->sum_ok[start])
        *f = (formula){FORMULA_SHARE, part, (term){SIZE_MAX, NULL, r->sum[start]}, start, end,
                       false};
    else if (r->run_amounts >= 2 && r->run_sum_ok)
        *f = (formula){FORMULA_SHARE, part, (term){SIZE_MAX, NULL, r->run_sum}, 0, r->count,
                       true};
    else
        return false;
    return true;
}

/* An operand as a message names it: a figure of the run with its label, its figure and where
 * that comes from (基本支出 166.48万元 (公开表1-2, 合 计, 基本支出)); a known figure the words
 * name as origin_text writes it. */
static const char *term_text(narrative_check *nc, const run *r, const term *t)
{
    if (t->lit == SIZE_MAX)
        return t->o->kind == ORIGIN_DECLARED
                   ? gk_arena_printf(&nc->scratch, "%s %s", t->o->declared->name,
                                     origin_text(nc, t->o))
                   : origin_text(nc, t->o);
    const gk_literal *lit = &r->lits[t->lit];
    const char *source = lit->placeholder ? lit->placeholder
                         : t->o           ? origin_source(nc, t->o)
                         : r->ops[t->lit].origin ? origin_source(nc, r->ops[t->lit].origin)
                                                 : NULL;
    const char *text = lit->label[0] ? gk_arena_printf(&nc->scratch, "%s %s", lit->label,
                                                       lit->text)
                                     : lit->text;
    return source && text ? gk_arena_printf(&nc->scratch, "%s (%s)", text, source) : text;
}

/* The base of a formula: an operand, or a sum written out (SUM_SHOWN addends at most). */
static const char *base_text(narrative_check *nc, const run *r, const formula *f)
{
    if (f->b.lit != SIZE_MAX || f->b.o != NULL)
        return term_text(nc, r, &f->b);
    const char *text = "(";
    size_t shown = 0, total = 0, last = SIZE_MAX;
    for (size_t k = f->sum_from; k < f->sum_to; k++)
        if (usable_amount(r, k)) {
            total++;
            last = k;
        }
    for (size_t k = f->sum_from; k < f->sum_to && text; k++) {
        if (!usable_amount(r, k))
            continue;
        shown++;
        if (shown < SUM_SHOWN || (shown == SUM_SHOWN && total == SUM_SHOWN))
            text = gk_arena_printf(&nc->scratch, "%s%s%s", text, shown > 1 ? " + " : "",
                                   r->lits[k].text);
        else if (shown == SUM_SHOWN)
            text = gk_arena_printf(&nc->scratch, "%s + … + %s", text, r->lits[last].text);
    }
    return text ? gk_arena_printf(&nc->scratch, "%s)", text) : NULL;
}

/* "22.21% = 财政拨款支出 294.28万元 / 收入 1325.00万元 (公开表1 …; 公开表1 …)". */
static const char *formula_text(narrative_check *nc, const run *r, const formula *f, int decimals)
{
    __int128 share = 0;
    char value[64] = "";
    if (formula_value(f, decimals, &share) && share <= INT64_MAX && share >= INT64_MIN) {
        gk_decimal_format((int64_t)(share < 0 ? -share : share), decimals, value, sizeof value);
        strcat(value, "% = ");
    }
    const char *a = term_text(nc, r, &f->a), *b = base_text(nc, r, f);
    static const char *const shapes[] = {"%s%s / %s", "%s(%s - %s) / %s", "%s%s / (%s - %s)",
                                         "%s%s / (%s + %s)"};
    const char *text =
        f->kind == FORMULA_SHARE    ? gk_arena_printf(&nc->scratch, shapes[0], value, a, b)
        : f->kind == FORMULA_CHANGE ? gk_arena_printf(&nc->scratch, shapes[1], value, a, b, b)
                                    : gk_arena_printf(&nc->scratch, shapes[f->kind], value, a, b,
                                                      a);
    const origin *prior = f->kind == FORMULA_GROWTH || f->kind == FORMULA_DECLINE
                              ? prior_keyed(nc->set, f->kind == FORMULA_DECLINE
                                                         ? f->b.key + f->a.key
                                                         : f->b.key - f->a.key)
                              : NULL;
    return prior && text && f->a.lit != SIZE_MAX
               ? gk_arena_printf(&nc->scratch, "%s = %s / %s", text, r->lits[f->a.lit].text,
                                 origin_text(nc, prior))
               : text;
}

/* A percentage typed in the narrative: it must follow from its operands. One whose operands
 * the check cannot tell (no figure in its sentence, or no whole named) is a warning: no slip
 * is shown. */
static void check_percent(narrative_check *nc, const run *r, size_t i)
{
    const gk_literal *lit = &r->lits[i];
    if (lit->percent_sign_missing)
        warn(nc, lit, gk_arena_printf(&nc->scratch, "%s%%", lit->text), lit->text,
             /* TRANSLATORS: %s is a number the narrative writes right after 占 (a share) with
                no % after it (占 76.23;). */
             N_("'%s' is a share written without %%"), lit->text);
    if (malformed(nc, lit) || declared_percent(nc, lit))
        return;
    bool computable = lit->exact && lit->decimals <= PERCENT_DECIMALS;
    if (computable && percent_follows(nc, r, i))
        return;
    formula f;
    if (!own_operands(nc, r, i, &f)) {
        warn(nc, lit,
             /* TRANSLATORS: {{share}} and {{rate}} are placeholders: keep them. */
             _("figures in its sentence, or a {{share}} or {{rate}} placeholder"), lit->text,
             /* TRANSLATORS: %s is a percentage as the narrative writes it (13.22%). */
             N_("'%s' names no figures it is computed from"), lit->text);
        return;
    }
    if (f.guessed) {
        warn(nc, lit,
             /* TRANSLATORS: {{share}} is a placeholder: keep it. A "whole" is the figure a
                share is a share of (支出合计 in 占支出合计的 99.48%). */
             _("a whole named in its sentence, or a {{share}} placeholder"), lit->text,
             /* TRANSLATORS: %s is a percentage as the narrative writes it (13.22%). */
             N_("'%s' names no whole it is the share of"), lit->text);
        return;
    }
    report(nc, lit, formula_text(nc, r, &f, computable ? lit->decimals : 2), lit->text,
           f.kind != FORMULA_SHARE
               /* TRANSLATORS: %s is a percentage as the narrative writes it (0.85%). */
               ? N_("'%s' is not the change of its figures")
               /* TRANSLATORS: %s is a percentage as the narrative writes it (13.22%). */
               : N_("'%s' is not the share of its figures"),
           lit->text);
}

/* What a typed amount should be by its own sentence, when the two known figures after it are a
 * prior figure and the change from it (A，比上年 B 增加 C: A = B + C), as a message writes it;
 * NULL otherwise. */
static const char *from_its_sentence(narrative_check *nc, const run *r, size_t i)
{
    const gk_literal *lit = &r->lits[i];
    size_t prior = r->after[i], change = prior != SIZE_MAX ? r->after[prior] : SIZE_MAX;
    int sign = change != SIZE_MAX ? change_sign(r->lits[change].label) : 0;
    if (sign == 0 || r->ops[prior].verdict != AMOUNT_KNOWN ||
        r->ops[change].verdict != AMOUNT_KNOWN || !r->ops[i].usable)
        return NULL;
    int power = lit->power - lit->decimals;
    __int128 key = r->ops[prior].key + sign * r->ops[change].key;
    __int128 value = power >= KEY_POWER ? divide_rounded(key, power_of_ten(power - KEY_POWER))
                                        : key * power_of_ten(KEY_POWER - power);
    if (value == lit->value || value > INT64_MAX || value < INT64_MIN)
        return NULL;
    char figure[64];
    gk_decimal_format((int64_t)value, lit->decimals, figure, sizeof figure);
    term b = lit_term(r, prior), c = lit_term(r, change);
    return gk_arena_printf(&nc->scratch, "%s%s = %s %c %s", figure, unit_name(lit->power),
                           term_text(nc, r, &b), sign > 0 ? '+' : '-', term_text(nc, r, &c));
}

/* What a change of a named item that is no change from a prior-year figure should be: when the
 * percentage after it names the prior-year figure P (change_tie), A's change from P; else
 * A + C (a decrease) or A - C must be a prior-year figure. */
static const char *change_expected(narrative_check *nc, const run *r, size_t i)
{
    const gk_literal *lit = &r->lits[i];
    const operand *op = &r->ops[i];
    const char *item = origin_text(nc, op->item);
    __int128 a = 0, p = 0;
    const origin *prior = prior_of_change(r, nc->set, i);
    int power = lit->power - lit->decimals;
    if (prior != NULL && origin_key(op->item, &a) && origin_key(prior, &p)) {
        __int128 change = divide_rounded(p > a ? p - a : a - p,
                                         power_of_ten(power - KEY_POWER));
        char figure[64];
        gk_decimal_format(change <= INT64_MAX ? (int64_t)change : 0, lit->decimals, figure,
                          sizeof figure);
        return gk_arena_printf(&nc->scratch, "%s%s = %s - %s", figure, unit_name(lit->power),
                               p > a ? origin_text(nc, prior) : item,
                               p > a ? item : origin_text(nc, prior));
    }
    return gk_arena_printf(&nc->scratch,
                           /* TRANSLATORS: the first %s is a known figure with its source, the
                              second a change (3.59万元); the sum or difference must be a
                              figure of the package's prior.csv. */
                           _("%s %s %s to be a figure of prior.csv"), item,
                           op->sign < 0 ? "+" : "-", lit->text);
}

/* Reports what the check found wrong with an amount. An unknown one is expected to be what its
 * sentence makes it, else the figure its words name, else any known figure. */
static void report_amount(narrative_check *nc, const run *r, size_t i)
{
    const gk_literal *lit = &r->lits[i];
    const operand *op = &r->ops[i];
    switch (op->verdict) {
    case AMOUNT_KNOWN:
        return;
    case AMOUNT_MALFORMED:
        malformed(nc, lit);
        return;
    case AMOUNT_WRONG_UNIT:
        report(nc, lit, unit_name(nc->tables_power), unit_name(lit->power),
               /* TRANSLATORS: %s is a placeholder as written ({{amount 1-1.total}}), which
                  prints an amount in the tables' unit; another unit follows it. */
               N_("%s prints an amount in the tables' unit, not in the unit after it"),
               lit->placeholder);
        return;
    case AMOUNT_NOT_DECLARED:
        report(nc, lit, origin_text(nc, op->named), lit->text,
               /* TRANSLATORS: %s: a figure as the narrative writes it, then a name that
                  figures.csv declares (机关运行经费). */
               N_("'%s' differs from the declared %s"), lit->text, op->named->declared->name);
        return;
    case AMOUNT_NOT_CHANGE:
        report(nc, lit, change_expected(nc, r, i), lit->text,
               /* TRANSLATORS: %s is a change as the narrative writes it (减少 3.59万元); its
                  item is what the words before it name (公务用车购置及运行维护费). */
               N_("'%s' is not the change of its item from a prior-year figure"), lit->text);
        return;
    case AMOUNT_UNKNOWN:
        break;
    }
    const char *expected = from_its_sentence(nc, r, i);
    const origin *named = op->named ? op->named : named_in_words(nc, lit->words);
    if (expected == NULL)
        expected = named ? origin_text(nc, named)
                         /* TRANSLATORS: what a figure of the narrative must be. */
                         : _("a figure of the tables, prior.csv or figures.csv");
    report(nc, lit, expected, lit->text,
           /* TRANSLATORS: %s is a figure as the narrative writes it (1234.5万元). */
           N_("'%s' matches no figure of the tables"), lit->text);
}

/* Checks the figures of one run of the narrative: its amounts, then its percentages. */
static void check_run(const gk_literal *lits, size_t count, void *context)
{
    narrative_check *nc = context;
    run r = {.lits = lits, .count = count};
    r.ops = calloc(count, sizeof *r.ops);
    r.start = malloc(count * sizeof *r.start);
    r.before = malloc(count * sizeof *r.before);
    r.after = malloc(count * sizeof *r.after);
    r.whole = malloc(count * sizeof *r.whole);
    r.amounts = malloc(count * sizeof *r.amounts);
    r.sum = malloc(count * sizeof *r.sum);
    r.sum_ok = malloc(count * sizeof *r.sum_ok);
    r.pool = malloc((2 * count + count + 1) * sizeof *r.pool);
    if (r.ops && r.start && r.before && r.after && r.whole && r.amounts && r.sum && r.sum_ok &&
        r.pool) {
        for (size_t i = 0; i < count; i++)
            if (!lits[i].percent)
                judge_amount(nc, &lits[i], &r.ops[i]);
        arrange_sentences(&r);
        fill_pool(&r);
        for (size_t i = 0; i < count; i++)
            if (!lits[i].percent)
                report_amount(nc, &r, i);
            else if (lits[i].placeholder == NULL)
                check_percent(nc, &r, i);
    } else {
        nc->c->failed = true;
    }
    free(r.ops);
    free(r.start);
    free(r.before);
    free(r.after);
    free(r.whole);
    free(r.amounts);
    free(r.sum);
    free(r.sum_ok);
    free(r.pool);
}

/* The unit's prior-year figures as operand keys, sorted. */
static void prior_keys(figure_set *s)
{
    s->prior_keys = malloc((s->prior_count + 1) * sizeof *s->prior_keys);
    s->failed |= s->prior_keys == NULL;
    size_t n = 0;
    for (size_t i = 0; s->prior_keys && i < s->prior_count; i++)
        n += key_of(s->priors[i], s->prior_power, &s->prior_keys[n]);
    s->prior_key_count = s->prior_keys ? sort_positive(s->prior_keys, n) : 0;
    s->prior_all = malloc((s->prior_count + 1) * sizeof *s->prior_all);
    s->failed |= s->prior_all == NULL;
    n = 0;
    for (size_t i = 0; s->prior_all && i < s->prior_count; i++)
        n += key_of(s->priors[i], s->prior_power, &s->prior_all[n]);
    if (s->prior_all != NULL)
        qsort(s->prior_all, n, sizeof *s->prior_all, by_key);
    s->prior_all_count = n;
}

static void free_figures(figure_set *s)
{
    for (size_t g = 0; g < s->group_count; g++)
        free(s->groups[g].items);
    free(s->groups);
    free(s->origins);
    free(s->priors);
    free(s->prior_keys);
    free(s->prior_all);
    free(s->percents);
}

/* The unit's booklet as the narrative rules read it: the caller's, or built once for all of
 * them. */
static gk_status unit_document(checker *c, const gk_document **doc, gk_diag *diag)
{
    if (c->doc == NULL) {
        gk_status status = gk_document_build_unit(c->pkg, c->unit, &c->own_doc, diag);
        if (status != GK_OK)
            return status;
        c->doc = c->own_doc;
    }
    *doc = c->doc;
    return GK_OK;
}

/* Every figure a reader reads in the unit's narrative — in the booklet's own text, after
 * placeholders are filled: typed amounts are known figures, typed percentages follow from
 * their operands, placeholders' amounts are in the tables' unit. */
static gk_status run_narrative(checker *c, const gk_rule *rule, gk_diag *diag)
{
    const gk_document *doc = NULL;
    gk_status status = unit_document(c, &doc, diag);
    if (status != GK_OK)
        return status;
    int power = tables_unit_power(c->pkg->profile);
    figure_set set = {0};
    collect_table_figures(&set, doc, power);
    collect_package_figures(&set, c->pkg, c->unit, power);
    sort_figures(&set);
    prior_keys(&set);
    names n = {0};
    collect_names(&n, &set);
    c->failed |= set.failed || n.failed;
    narrative_check nc = {c, rule, &set, &n, NULL, power, {0}};
    for (size_t part = 0; !c->failed && part < doc->part_count; part++) {
        const gk_narrative *narrative = &doc->parts[part].narrative;
        nc.path = narrative->path;
        if (!doc->parts[part].tables && !gk_figures_scan(narrative, check_run, &nc))
            c->failed = true;
    }
    gk_arena_free(&nc.scratch);
    key_map_free(&n.map);
    gk_arena_free(&n.arena);
    free_figures(&set);
    return GK_OK;
}

/* ---- the unit ------------------------------------------------------------------------------- */

/* Runs every rule on one unit of pkg (a package holding its rows, or more). */
static gk_status run_rules(const gk_package *pkg, const gk_rules *rules, size_t unit,
                           const gk_document *doc, gk_findings *findings, gk_diag *diag)
{
    checker c = {pkg, rules, unit, {&unit, 1}, findings, pkg->profile->amount_decimals, false,
                 doc, NULL};
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
        case GK_RULE_NAMES: {
            const gk_document *booklet = NULL;
            status = unit_document(&c, &booklet, diag);
            if (status == GK_OK)
                status = gk_check_names(pkg, rule, unit, booklet, findings, diag);
            break;
        }
        }
    }
    gk_document_free(c.own_doc);
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
                                 const gk_document *doc, gk_findings *findings, gk_diag *diag)
{
    const gk_package *pkg = NULL;
    gk_package *view = NULL;
    gk_status status = rows_of(package, &unit, 1, &pkg, &view, diag);
    if (status == GK_OK)
        status = run_rules(pkg, rules, unit, doc, findings, diag);
    gk_package_view_free(view);
    return status;
}

gk_status gk_check_unit_booklet(const gk_package *package, const gk_rules *rules, size_t unit,
                                const gk_document *doc, gk_findings *findings, gk_diag *diag)
{
    if (package->units[unit].failure != NULL) /* its own files did not load */
        return unit_failure(&package->units[unit], diag);
    return check_unit_rows(package, rules, unit, doc, findings, diag);
}

gk_status gk_check_unit(const gk_package *package, const gk_rules *rules, size_t unit,
                        gk_findings *findings, gk_diag *diag)
{
    return gk_check_unit_booklet(package, rules, unit, NULL, findings, diag);
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
                 units_csv == NULL, NULL, NULL};
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
                 false, NULL, NULL};
    gk_package *department = NULL;
    gk_status status = gk_package_consolidate(package, department_code, report_conflict, &c,
                                              &department, diag);
    size_t before = findings->count;
    if (status == GK_OK && c.failed)
        status = gk_diag_set(diag, GK_ERR_NOMEM, package->dir, 0, 0, "out of memory");
    if (status == GK_OK)
        status = run_rules(department, rules, 0, NULL, findings, diag);
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
            status = check_unit_rows(package, rules, u, NULL, findings, diag);
    }
    if (status == GK_OK && consolidated)
        status = check_consolidated(package, rules, department_code, members[0], findings, diag);
    return status;
}

gk_status gk_check_department_rows(const gk_package *package, const gk_rules *rules,
                                   const char *department_code, gk_findings *findings,
                                   gk_diag *diag)
{
    const size_t *members;
    if (!package->profile->booklets[GK_BOOKLET_DEPARTMENT].consolidated ||
        gk_package_department_units(package, department_code, &members) == 0)
        return GK_OK;
    return check_consolidated(package, rules, department_code, members[0], findings, diag);
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
