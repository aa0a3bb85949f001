/* A department's units summed into one; see consolidate.h. */
#include "model/consolidate.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/values.h"
#include "util/money.h"

static const size_t NONE = SIZE_MAX; /* no node, no member */
enum { MAX_LEVEL = 10 };             /* levels are 1 to 9 (package.c) */

static gk_status nomem(const gk_package *pkg, gk_diag *diag)
{
    return gk_diag_set(diag, GK_ERR_NOMEM, pkg->dir, 0, 0, "out of memory");
}

gk_unit gk_department_unit(const gk_unit *first, const char **no_narrative)
{
    return (gk_unit){.code = first->department_code, .name = first->department_name,
                     .department_code = first->department_code,
                     .department_name = first->department_name, .year = first->year,
                     .profile = first->profile, .booklet = GK_BOOKLET_DEPARTMENT,
                     .line = first->line, .narrative = no_narrative,
                     .narrative_path = no_narrative};
}

void gk_consolidate_keys_text(const gk_table_layout *layout, const gk_data_row *row, char *buf,
                              size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < layout->consolidate_by_count && used < size; k++) {
        char number[64];
        const gk_value *v = &row->values[layout->consolidate_by[k]];
        gk_value_format(v, number, sizeof number);
        const char *text = v->kind == GK_VALUE_TEXT ? v->text : number;
        if (text[0] != '\0')
            used += (size_t)snprintf(buf + used, size - used, "%s%s", used ? " " : "", text);
    }
}

/* ---- one table ------------------------------------------------------------------------- */

/* A row of the department: the rows of its units with the same keys. */
typedef struct node {
    const gk_data_row *first;  /* the first met: where it is placed, its texts */
    gk_value *values;          /* the printed values: the first row's, amounts summed */
    int level;
    size_t parent;             /* the node it is under (the root node at the top level) */
    size_t first_child, last_child, next;
    bool placed;
} node;

/* One table being consolidated. */
typedef struct table_work {
    gk_package *out;
    const gk_package *source;
    const gk_table_layout *layout;
    const int *keys;           /* fields that make a row: the layout's consolidate_by, or item */
    size_t key_count;
    bool *summed;              /* per field */
    const gk_data_row **rows;  /* the units' rows printed, unit after unit, each in file order */
    size_t count;
    size_t *group;             /* per row: its node */
    node *nodes;               /* count + 1: the last is the root, over the top level */
    size_t root;
    gk_conflict_fn on_conflict;
    void *context;
    gk_diag *diag;
} table_work;

/* Blank, then numbers, then texts; each in its own order. */
static int compare_values(const gk_value *a, const gk_value *b)
{
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    if (a->kind == GK_VALUE_TEXT)
        return strcmp(a->text, b->text);
    if (a->kind == GK_VALUE_NUMBER)
        return a->number < b->number ? -1 : a->number > b->number;
    return 0;
}

static _Thread_local const table_work *sorting; /* qsort has no context argument */

/* By the values of the keys, then by order met. */
static int compare_rows(const void *x, const void *y)
{
    size_t a = *(const size_t *)x, b = *(const size_t *)y;
    for (size_t k = 0; k < sorting->key_count; k++) {
        int field = sorting->keys[k];
        int order = compare_values(&sorting->rows[a]->values[field],
                                   &sorting->rows[b]->values[field]);
        if (order != 0)
            return order;
    }
    return a < b ? -1 : a > b;
}

/* Each row's node: rows with the same keys share one (numbered by its first row); without
 * keys, all rows are one. */
static bool group_rows(table_work *w)
{
    w->group = malloc((w->count + 1) * sizeof *w->group);
    size_t *order = malloc((w->count + 1) * sizeof *order);
    if (w->group == NULL || order == NULL) {
        free(order);
        return false;
    }
    for (size_t i = 0; i < w->count; i++)
        order[i] = w->group[i] = i;
    if (w->count > 1) {
        sorting = w;
        qsort(order, w->count, sizeof *order, compare_rows);
        sorting = NULL;
        for (size_t i = 1; i < w->count; i++) {
            bool same = true;
            for (size_t k = 0; k < w->key_count && same; k++)
                same = compare_values(&w->rows[order[i]]->values[w->keys[k]],
                                      &w->rows[order[i - 1]]->values[w->keys[k]]) == 0;
            if (same) /* a run's first row was met first: order met breaks ties */
                w->group[order[i]] = w->group[order[i - 1]];
        }
    }
    free(order);
    return true;
}

static void report(table_work *w, gk_conflict conflict)
{
    conflict.layout = w->layout;
    if (w->on_conflict != NULL)
        w->on_conflict(w->context, &conflict);
}

/* A row met first: its node takes its values and is placed under parent, after the nodes
 * already there. */
static bool place(table_work *w, size_t self, const gk_data_row *row, size_t parent)
{
    node *n = &w->nodes[self], *up = &w->nodes[parent];
    *n = (node){row, NULL, row->level, parent, NONE, NONE, NONE, true};
    n->values = gk_arena_alloc(&w->out->arena, (w->layout->field_count + 1) * sizeof *n->values);
    if (n->values == NULL)
        return false;
    for (size_t f = 0; f < w->layout->field_count; f++)
        n->values[f] = w->layout->fields[f].optional /* a unit's statement, not printed */
                           ? (gk_value){.kind = GK_VALUE_BLANK, .decimals = row->values[f].decimals}
                           : row->values[f];
    if (up->first_child == NONE)
        up->first_child = self;
    else
        w->nodes[up->last_child].next = self;
    up->last_child = self;
    return true;
}

/* A later row of a placed node: its amounts added, its place and texts compared (the first
 * difference is reported). */
static gk_status merge(table_work *w, node *n, const gk_data_row *row, size_t parent)
{
    bool differs = row->level != n->level || parent != n->parent;
    if (differs)
        report(w, (gk_conflict){GK_CONFLICT_PLACE, NULL, -1, n->first, row,
                                w->nodes[n->parent].first, w->nodes[parent].first});
    for (size_t f = 0; f < w->layout->field_count; f++) {
        const gk_value *v = &row->values[f];
        gk_value *sum = &n->values[f];
        if (w->layout->fields[f].optional || v->kind == GK_VALUE_BLANK)
            continue; /* not printed, or not stated */
        if (!w->summed[f]) {
            if (!differs && compare_values(sum, v) != 0) /* one report a row: its first */
                report(w, (gk_conflict){GK_CONFLICT_TEXT, NULL, (int)f, n->first, row, NULL,
                                        NULL});
            differs |= compare_values(sum, v) != 0;
            continue;
        }
        int64_t total = sum->kind == GK_VALUE_NUMBER ? sum->number : 0;
        if (v->kind == GK_VALUE_NUMBER && !gk_money_add(&total, 1, v->number)) {
            gk_overflow overflow;
            char message[GK_DIAG_MESSAGE_MAX];
            gk_overflow_at_row(&overflow, w->layout, (int)f, row);
            gk_overflow_message(&overflow, message, sizeof message);
            return gk_diag_set_text(w->diag, GK_ERR_DATA, row->file, row->line,
                                    row->columns[f], message);
        }
        if (v->kind == GK_VALUE_NUMBER)
            *sum = (gk_value){.kind = GK_VALUE_NUMBER, .decimals = v->decimals, .number = total};
    }
    return GK_OK;
}

/* The nodes, each row placed (the first of its keys) or merged; a row is under the last row
 * above it of a lower level in its own unit. */
static gk_status build_nodes(table_work *w)
{
    size_t stack[MAX_LEVEL];
    size_t unit = NONE;
    w->root = w->count;
    w->nodes[w->root] = (node){NULL, NULL, 0, NONE, NONE, NONE, NONE, true};
    for (size_t i = 0; i < w->count; i++) {
        const gk_data_row *row = w->rows[i];
        if (row->unit != unit) {
            unit = row->unit;
            for (int l = 0; l < MAX_LEVEL; l++)
                stack[l] = NONE;
        }
        int level = row->level < MAX_LEVEL ? row->level : MAX_LEVEL - 1;
        size_t parent = w->root;
        for (int l = level - 1; l >= 1 && parent == w->root; l--)
            if (stack[l] != NONE)
                parent = stack[l];
        size_t self = w->group[i];
        if (!w->nodes[self].placed && !place(w, self, row, parent))
            return nomem(w->source, w->diag);
        if (w->nodes[self].first != row) {
            gk_status status = merge(w, &w->nodes[self], row, parent);
            if (status != GK_OK)
                return status;
        }
        stack[level] = self;
        for (int l = level + 1; l < MAX_LEVEL; l++)
            stack[l] = NONE;
    }
    return GK_OK;
}

/* The nodes in print order: each before the nodes under it, those in order met. */
static gk_status emit(table_work *w, gk_table_data *data)
{
    data->rows = calloc(w->count + 1, sizeof *data->rows);
    if (data->rows == NULL)
        return nomem(w->source, w->diag);
    size_t n = w->nodes[w->root].first_child;
    while (n != NONE) {
        const node *at = &w->nodes[n];
        data->rows[data->row_count++] =
            (gk_data_row){.unit = 0, .level = at->level, .values = at->values,
                          .file = at->first->file, .line = at->first->line,
                          .columns = at->first->columns};
        if (at->first_child != NONE) {
            n = at->first_child;
            continue;
        }
        while (n != w->root && w->nodes[n].next == NONE)
            n = w->nodes[n].parent;
        n = n == w->root ? NONE : w->nodes[n].next;
    }
    data->row_capacity = data->row_count;
    return GK_OK;
}

/* Whether the department's booklet prints this row of a unit: a data row, or a fixed-row
 * table's item that is not derived (`from:` items and derived values are computed). */
static bool printed(const gk_table_layout *layout, const gk_data_row *row)
{
    if (row->computed)
        return false;
    if (!layout->is_stub)
        return true;
    for (size_t i = 0; i < layout->item_count; i++)
        if (strcmp(layout->value_ids[i], row->values[0].text) == 0)
            return layout->item_sources[i].query == NULL;
    return false;
}

/* The units' printed rows of a table, unit after unit (members' order), each in file order:
 * a counting sort by unit, whatever order the package holds them in. */
static bool gather_rows(table_work *w, const gk_table_data *source, const size_t *position,
                        size_t members)
{
    size_t *start = calloc(members + 2, sizeof *start);
    w->rows = malloc((source->row_count + 1) * sizeof *w->rows);
    if (start == NULL || w->rows == NULL) {
        free(start);
        return false;
    }
    for (size_t r = 0; r < source->row_count; r++)
        if (position[source->rows[r].unit] != NONE && printed(w->layout, &source->rows[r]))
            start[position[source->rows[r].unit] + 2]++;
    for (size_t m = 2; m <= members + 1; m++)
        start[m] += start[m - 1];
    for (size_t r = 0; r < source->row_count; r++)
        if (position[source->rows[r].unit] != NONE && printed(w->layout, &source->rows[r]))
            w->rows[start[position[source->rows[r].unit] + 1]++] = &source->rows[r];
    w->count = start[members];
    free(start);
    return true;
}

/* Which fields are summed: amounts, and the columns the layout sums. */
static bool summed_fields(table_work *w)
{
    const gk_table_layout *layout = w->layout;
    w->summed = calloc(layout->field_count + 1, sizeof *w->summed);
    if (w->summed == NULL)
        return false;
    for (size_t f = 0; f < layout->field_count; f++)
        w->summed[f] = layout->fields[f].type == GK_TYPE_AMOUNT;
    for (size_t c = 0; c < layout->column_count; c++)
        if (layout->columns[c].sum && layout->columns[c].field >= 0)
            w->summed[layout->columns[c].field] = true;
    return true;
}

static gk_status consolidate_table(gk_package *out, const gk_package *source, size_t t,
                                   const size_t *position, size_t members,
                                   gk_conflict_fn on_conflict, void *context, gk_diag *diag)
{
    static const int item_key[] = {0}; /* a fixed-row table's rows: one per item */
    const gk_table_layout *layout = source->tables[t].layout;
    table_work w = {out, source, layout,
                    layout->is_stub ? item_key : layout->consolidate_by,
                    layout->is_stub ? 1 : layout->consolidate_by_count,
                    .on_conflict = on_conflict, .context = context, .diag = diag};
    out->tables[t] = (gk_table_data){layout, source->tables[t].path, NULL, 0, 0, NULL, NULL};
    gk_status status = GK_OK;
    if (!gather_rows(&w, &source->tables[t], position, members) || !summed_fields(&w) ||
        !group_rows(&w) || (w.nodes = calloc(w.count + 1, sizeof *w.nodes)) == NULL)
        status = nomem(source, diag);
    if (status == GK_OK)
        status = build_nodes(&w);
    if (status == GK_OK)
        status = emit(&w, &out->tables[t]);
    free(w.rows);
    free(w.summed);
    free(w.group);
    free(w.nodes);
    return status;
}

/* ---- the department ---------------------------------------------------------------------- */

/* A table that some unit does not supply is not supplied by the department (its sum would be
 * partial): the first unit's declaration stands for it. */
static gk_status department_not_supplied(gk_package *out, const gk_package *source,
                                         const size_t *members, size_t count, gk_diag *diag)
{
    out->not_supplied = malloc((source->profile->table_count + 1) * sizeof *out->not_supplied);
    if (out->not_supplied == NULL)
        return nomem(source, diag);
    for (size_t t = 0; t < source->profile->table_count; t++)
        for (size_t i = 0; i < count; i++) {
            const gk_not_supplied *ns =
                gk_package_not_supplied(source, members[i], &source->profile->tables[t]);
            if (ns == NULL)
                continue;
            out->not_supplied[out->not_supplied_count] = *ns;
            out->not_supplied[out->not_supplied_count++].unit = 0;
            break;
        }
    return GK_OK;
}

static int compare_priors(const void *x, const void *y)
{
    const gk_prior *a = x, *b = y;
    int order = strcmp(a->key, b->key);
    return order ? order : (a->line > b->line) - (a->line < b->line);
}

static int compare_prior_lines(const void *x, const void *y)
{
    const gk_prior *a = x, *b = y;
    return (a->line > b->line) - (a->line < b->line);
}

/* Each prior-year figure summed over the units, at its first line. */
static gk_status department_priors(gk_package *out, const gk_package *source,
                                   const size_t *position, gk_diag *diag)
{
    gk_prior *priors = gk_arena_alloc(&out->arena, (source->prior_count + 1) * sizeof *priors);
    if (priors == NULL)
        return nomem(source, diag);
    size_t n = 0;
    for (size_t i = 0; i < source->prior_count; i++)
        if (position[source->priors[i].unit] != NONE)
            priors[n++] = source->priors[i];
    if (n > 1)
        qsort(priors, n, sizeof *priors, compare_priors);
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        if (kept > 0 && strcmp(priors[kept - 1].key, priors[i].key) == 0) {
            if (!gk_money_add(&priors[kept - 1].amount, 1, priors[i].amount)) {
                gk_overflow overflow = {GK_OVERFLOW_PRIOR, NULL, priors[i].key,
                                        source->profile->amount_decimals, source->prior_path,
                                        priors[i].line, 0};
                char message[GK_DIAG_MESSAGE_MAX];
                gk_overflow_message(&overflow, message, sizeof message);
                return gk_diag_set_text(diag, GK_ERR_DATA, source->prior_path, priors[i].line,
                                        0, message);
            }
            continue;
        }
        priors[kept] = priors[i];
        priors[kept++].unit = 0;
    }
    if (kept > 1)
        qsort(priors, kept, sizeof *priors, compare_prior_lines);
    out->priors = priors;
    out->prior_count = kept;
    out->prior_path = source->prior_path;
    return GK_OK;
}

/* The package of one unit standing for the department (its first unit's department). */
static gk_status department_package(const gk_package *source, const gk_unit *first,
                                    gk_package **out, gk_diag *diag)
{
    gk_package *pkg = calloc(1, sizeof *pkg);
    if (pkg == NULL)
        return nomem(source, diag);
    *out = pkg;
    pkg->dir = source->dir;
    pkg->profile = source->profile;
    pkg->source = source; /* the profile is borrowed */
    pkg->consolidated = true;
    pkg->not_supplied_path = source->not_supplied_path;
    pkg->unit_count = 1;
    pkg->units = gk_arena_alloc(&pkg->arena, sizeof *pkg->units);
    const char **no_narrative =
        gk_arena_alloc(&pkg->arena, (source->profile->part_count + 1) * sizeof *no_narrative);
    pkg->unit_order = gk_arena_alloc(&pkg->arena, sizeof *pkg->unit_order);
    pkg->by_department = calloc(1, sizeof *pkg->by_department);
    pkg->tables = gk_arena_alloc(&pkg->arena,
                                 (source->profile->table_count + 1) * sizeof *pkg->tables);
    if (pkg->units == NULL || no_narrative == NULL || pkg->unit_order == NULL ||
        pkg->by_department == NULL || pkg->tables == NULL)
        return nomem(source, diag);
    pkg->units[0] = gk_department_unit(first, no_narrative);
    return GK_OK;
}

gk_status gk_package_consolidate(const gk_package *package, const char *department_code,
                                 gk_conflict_fn on_conflict, void *context, gk_package **out,
                                 gk_diag *diag)
{
    *out = NULL;
    const size_t *members;
    size_t count = gk_package_department_units(package, department_code, &members);
    if (count == 0)
        return gk_diag_set(diag, GK_ERR_DATA, package->dir, 0, 0,
                           "department %s has no unit in the package", department_code);
    /* position[u]: unit u's place among the members, NONE for another department's */
    size_t *position = malloc((package->unit_count + 1) * sizeof *position);
    if (position == NULL)
        return nomem(package, diag);
    for (size_t u = 0; u < package->unit_count; u++)
        position[u] = NONE;
    for (size_t i = 0; i < count; i++)
        position[members[i]] = i;
    gk_package *pkg = NULL;
    gk_status status = department_package(package, &package->units[members[0]], &pkg, diag);
    if (status == GK_OK)
        status = department_not_supplied(pkg, package, members, count, diag);
    if (status == GK_OK)
        status = department_priors(pkg, package, position, diag);
    for (size_t t = 0; status == GK_OK && t < package->profile->table_count; t++) {
        pkg->tables[t] = (gk_table_data){package->tables[t].layout, package->tables[t].path,
                                         NULL, 0, 0, NULL, NULL};
        if (gk_package_not_supplied(pkg, 0, package->tables[t].layout) == NULL)
            status = consolidate_table(pkg, package, t, position, count, on_conflict, context,
                                       diag);
    }
    free(position);
    if (status != GK_OK) {
        gk_package_free(pkg);
        return status;
    }
    *out = pkg;
    return GK_OK;
}
