/* Building printable tables from layouts and package rows; see document.h. */
#include "model/document.h"
#include "model/consolidate.h"
#include "model/figures.h"
#include "model/values.h"
#include "util/chinese_number.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/money.h"

typedef struct builder {
    const gk_package *pkg;
    const gk_profile *profile;
    gk_arena *arena;
    gk_diag *diag;
    gk_scope scope;
    const char *booklet_title; /* for {booklet} in part titles */
    const gk_unit *unit;       /* whose names fill the templates (a department's pseudo-unit) */
    gk_booklet_kind kind;      /* whose wording (cover, full title, caption) prints */
} builder;

static gk_status nomem(builder *b)
{
    return gk_diag_set(b->diag, GK_ERR_NOMEM, b->pkg->dir, 0, 0, "out of memory");
}

/* A computed value the booklet cannot print exactly: the document is refused. */
static gk_status overflow_error(builder *b, const gk_overflow *overflow)
{
    char message[GK_DIAG_MESSAGE_MAX];
    gk_overflow_message(overflow, message, sizeof message);
    return gk_diag_set_text(b->diag, GK_ERR_DATA, overflow->file, overflow->line,
                            overflow->column, message);
}

static bool in_scope(const builder *b, size_t unit)
{
    return gk_scope_has(&b->scope, unit);
}

static gk_row *add_row(builder *b, gk_table *table, size_t capacity, gk_row_kind kind)
{
    if (table->row_count == capacity)
        return NULL;
    size_t n = table->layout->column_count;
    gk_row *row = &table->rows[table->row_count];
    row->kind = kind;
    row->level = 1;
    row->cells = gk_arena_alloc(b->arena, (n + 1) * sizeof *row->cells);
    if (row->cells == NULL)
        return NULL;
    for (size_t c = 0; c < n; c++) {
        row->cells[c].rows = row->cells[c].cols = 1;
        row->cells[c].value.decimals = table->layout->columns[c].decimals;
    }
    table->row_count++;
    return row;
}

/* A number of a column as its zero policy prints it; given: the number, or some number summed
 * into it, was given (not only missing values). */
static gk_value number_value(const gk_column *column, int64_t number, bool given)
{
    bool blank = false;
    switch (column->zero) {
    case GK_ZERO_BLANK:
        blank = number == 0;
        break;
    case GK_ZERO_KEEP:
        blank = !given;
        break;
    case GK_ZERO_ZERO:
        break;
    }
    if (blank)
        return (gk_value){.kind = GK_VALUE_BLANK, .decimals = (uint8_t)(column->decimals)};
    return (gk_value){.kind = GK_VALUE_NUMBER, .decimals = (uint8_t)(column->decimals),
                      .number = number};
}

/* A list table's amount, read or summed at its field's scale, at the scale its column prints:
 * a package's finer amounts (amounts.csv) are rounded here, once, from the exact value; the
 * same scale is kept as it is. False when printing finer would leave the range of exact
 * amounts. */
static bool printed_amount(const gk_table_layout *layout, const gk_column *column,
                           int64_t number, int64_t *out)
{
    const gk_field *field = &layout->fields[column->field];
    *out = number;
    return column->type != GK_TYPE_AMOUNT ||
           gk_money_convert(number, field->unit - field->decimals,
                            column->unit - column->decimals, out);
}

/* An overflow of a column's printed figure, at the layout (no row took it there). */
static gk_status column_overflow(builder *b, const gk_table_layout *layout,
                                 const gk_column *column)
{
    gk_overflow overflow = {GK_OVERFLOW_COLUMN, layout->number, column->key, column->decimals,
                            layout->path, 0, 0};
    return overflow_error(b, &overflow);
}

static bool is_number_column(const gk_column *column)
{
    return column->type == GK_TYPE_AMOUNT || column->type == GK_TYPE_COUNT ||
           column->type == GK_TYPE_PERCENT;
}

static gk_value text_value(const char *text)
{
    if (text == NULL || text[0] == '\0')
        return (gk_value){.kind = GK_VALUE_BLANK, .decimals = (uint8_t)(0)};
    return (gk_value){.kind = GK_VALUE_TEXT, .text = text};
}

/* The text of placeholder `name` (len bytes); number: room to format a row's number in. */
static const char *placeholder_text(const char *name, size_t len, const gk_unit *unit,
                                    const gk_table_layout *layout, const gk_data_row *row,
                                    const char *booklet_title, char number[64])
{
#define IS(key) (len == strlen(key) && strncmp(name, key, len) == 0)
    if (unit != NULL && IS("unit.code"))
        return unit->code;
    if (unit != NULL && IS("unit.name"))
        return unit->name;
    if (unit != NULL && IS("department.code"))
        return unit->department_code;
    if (unit != NULL && IS("department.name"))
        return unit->department_name;
    if (unit != NULL && IS("year"))
        return unit->year;
    if (booklet_title != NULL && IS("booklet"))
        return booklet_title;
    if (row != NULL) {
        char key[64];
        snprintf(key, sizeof key, "%.*s", (int)len, name);
        int field = len < sizeof key ? gk_layout_field_index(layout, key) : -1;
        if (field >= 0) {
            gk_value_format(&row->values[field], number, 64);
            return row->values[field].kind == GK_VALUE_TEXT ? row->values[field].text : number;
        }
        if (unit != NULL && IS("unit_code"))
            return unit->code;
    }
    if (layout != NULL && IS("amount_unit"))
        return gk_amount_unit_name(layout->amount_unit);
    return "";
#undef IS
}

/* Appends len bytes to a growing text; false when out of memory. */
static bool append_text(char **text, size_t *used, size_t *capacity, const char *add, size_t len)
{
    if (*used + len + 1 > *capacity) {
        size_t grown = *capacity ? *capacity : 256;
        while (*used + len + 1 > grown)
            grown *= 2;
        char *bigger = realloc(*text, grown);
        if (bigger == NULL)
            return false;
        *text = bigger;
        *capacity = grown;
    }
    memcpy(*text + *used, add, len);
    *used += len;
    (*text)[*used] = '\0';
    return true;
}

const char *gk_template_expand(gk_arena *arena, const char *template, const gk_unit *unit,
                               const gk_table_layout *layout, const gk_data_row *row,
                               const char *booklet_title)
{
    char *text = NULL, number[64];
    size_t used = 0, capacity = 0;
    bool ok = append_text(&text, &used, &capacity, "", 0);
    for (const char *p = template; ok && *p;) {
        const char *open = strchr(p, '{');
        const char *end = open ? strchr(open, '}') : NULL;
        if (end == NULL) { /* no placeholder left: the rest as written */
            ok = append_text(&text, &used, &capacity, p, strlen(p));
            break;
        }
        const char *value = placeholder_text(open + 1, (size_t)(end - open - 1), unit, layout,
                                             row, booklet_title, number);
        ok = append_text(&text, &used, &capacity, p, (size_t)(open - p)) &&
             append_text(&text, &used, &capacity, value, strlen(value));
        p = end + 1;
    }
    const char *copy = ok ? gk_arena_strdup(arena, text) : NULL;
    free(text);
    return copy;
}

static const char *expand(builder *b, const char *template, const gk_unit *unit,
                          const gk_table_layout *layout, const gk_data_row *row)
{
    return gk_template_expand(b->arena, template, unit, layout, row, b->booklet_title);
}

/* ---- list tables --------------------------------------------------------------------- */

/* The label cell of a computed row merged across to span_to (合计 over the code columns). */
static void span_label(gk_row *row, const gk_summary *summary)
{
    row->cells[summary->label_column].cols = summary->span_to - summary->label_column + 1;
    for (int c = summary->label_column + 1; c <= summary->span_to; c++)
        row->cells[c].covered = true;
}

/* A summary row (合计, a department's or a unit's): each summed column over the level-1 rows
 * of the units of `sums`. */
static gk_status fill_summary(builder *b, gk_table *table, gk_row *row, const gk_summary *summary,
                              const gk_table_data *data, const gk_scope *sums,
                              const gk_unit *unit)
{
    const gk_table_layout *layout = table->layout;
    for (size_t c = 0; c < layout->column_count; c++) {
        const gk_column *column = &layout->columns[c];
        if (!column->sum || column->field < 0)
            continue;
        int64_t sum = 0;
        gk_overflow overflow;
        if (!gk_level1_sum(data, column->field, sums, &sum, &overflow))
            return overflow_error(b, &overflow);
        if (!printed_amount(layout, column, sum, &sum))
            return column_overflow(b, layout, column);
        bool given = column->zero == GK_ZERO_KEEP && gk_level1_given(data, column->field, sums);
        row->cells[c].value = number_value(column, sum, given);
    }
    const char *label = expand(b, summary->label, unit, layout, NULL);
    if (label == NULL)
        return nomem(b);
    row->cells[summary->label_column].value = text_value(label);
    span_label(row, summary);
    if (summary->code_column >= 0 && unit != NULL)
        row->cells[summary->code_column].value =
            text_value(summary->kind == GK_SUMMARY_DEPARTMENT ? unit->department_code : unit->code);
    return GK_OK;
}

static const gk_summary *find_summary(const gk_table_layout *layout, gk_summary_kind kind)
{
    for (size_t i = 0; i < layout->summary_count; i++)
        if (layout->summary[i].kind == kind)
            return &layout->summary[i];
    return NULL;
}

static gk_status add_summary_row(builder *b, gk_table *table, size_t capacity,
                                 gk_summary_kind kind, const gk_table_data *data,
                                 const gk_scope *sums, const gk_unit *unit)
{
    static const gk_row_kind row_kinds[] = {GK_ROW_TOTAL, GK_ROW_DEPARTMENT, GK_ROW_UNIT};
    const gk_summary *summary = find_summary(table->layout, kind);
    if (summary == NULL || (kind == GK_SUMMARY_UNIT && b->pkg->consolidated))
        return GK_OK; /* a consolidated booklet has no per-unit rows */
    gk_row *row = add_row(b, table, capacity, row_kinds[kind]);
    if (row == NULL)
        return nomem(b);
    return fill_summary(b, table, row, summary, data, sums, unit);
}

/* The 合计 row, where the layout puts it: before the rows (top) or after them (bottom). */
static gk_status add_total_row(builder *b, gk_table *table, size_t capacity,
                               const gk_table_data *data, bool bottom)
{
    const gk_summary *total = find_summary(table->layout, GK_SUMMARY_TOTAL);
    if (total == NULL || total->bottom != bottom)
        return GK_OK;
    return add_summary_row(b, table, capacity, GK_SUMMARY_TOTAL, data, &b->scope, NULL);
}

static gk_status add_data_row(builder *b, gk_table *table, size_t capacity,
                              const gk_data_row *dr)
{
    const gk_table_layout *layout = table->layout;
    const gk_unit *unit = &b->pkg->units[dr->unit];
    gk_row *row = add_row(b, table, capacity, GK_ROW_DATA);
    if (row == NULL)
        return nomem(b);
    row->level = dr->level;
    for (size_t c = 0; c < layout->column_count; c++) {
        const gk_column *column = &layout->columns[c];
        gk_value *value = &row->cells[c].value;
        if (column->value_template != NULL) {
            const char *text = expand(b, column->value_template, unit, layout, dr);
            if (text == NULL)
                return nomem(b);
            *value = text_value(text);
        } else if (column->field == GK_FIELD_UNIT_CODE) {
            *value = text_value(unit->code);
        } else {
            *value = dr->values[column->field];
            int64_t number = 0;
            if (value->kind == GK_VALUE_NUMBER &&
                !printed_amount(layout, column, value->number, &number)) {
                gk_overflow overflow;
                gk_overflow_at_row(&overflow, layout, column->field, dr);
                return overflow_error(b, &overflow);
            }
            if (value->kind == GK_VALUE_NUMBER)
                *value = number_value(column, number, true);
            else if (value->kind == GK_VALUE_BLANK && is_number_column(column))
                *value = number_value(column, 0, false);
            row->cells[c].file = dr->file;
            row->cells[c].line = dr->line;
            row->cells[c].column = dr->columns[column->field];
        }
    }
    return GK_OK;
}

/* The key of one merge_by field for a data row, as text. */
static const char *merge_key(const gk_package *pkg, const gk_data_row *dr, int field)
{
    if (field == GK_FIELD_UNIT_CODE)
        return pkg->units[dr->unit].code;
    const gk_value *v = &dr->values[field];
    return v->kind == GK_VALUE_TEXT ? v->text : "";
}

static bool same_merge_group(const gk_package *pkg, const gk_column *column,
                             const gk_data_row *a, const gk_data_row *b)
{
    if (a->unit != b->unit)
        return false;
    for (size_t k = 0; k < column->merge_by_count; k++) {
        int field = column->merge_by[k];
        if (field != GK_FIELD_UNIT_CODE && a->values[field].kind == GK_VALUE_NUMBER) {
            if (b->values[field].kind != GK_VALUE_NUMBER ||
                a->values[field].number != b->values[field].number)
                return false;
        } else if (strcmp(merge_key(pkg, a, field), merge_key(pkg, b, field)) != 0) {
            return false;
        }
    }
    return true;
}

/* Merges runs of consecutive data rows that share every merge_by key of a column. */
static void apply_merges(builder *b, gk_table *table, const gk_data_row **sources)
{
    const gk_table_layout *layout = table->layout;
    for (size_t c = 0; c < layout->column_count; c++) {
        const gk_column *column = &layout->columns[c];
        if (column->merge_by_count == 0)
            continue;
        size_t r = 0;
        while (r < table->row_count) {
            if (sources[r] == NULL) {
                r++;
                continue;
            }
            size_t end = r + 1;
            while (end < table->row_count && sources[end] != NULL &&
                   same_merge_group(b->pkg, column, sources[r], sources[end]))
                end++;
            table->rows[r].cells[c].rows = (int)(end - r);
            for (size_t k = r + 1; k < end; k++) {
                table->rows[k].cells[c].covered = true;
                table->rows[k].cells[c].value = (gk_value){.kind = GK_VALUE_BLANK, .decimals = (uint8_t)(0)};
            }
            r = end;
        }
    }
}

/* One row merged across the table holding a template's text: the empty-table or not-supplied
 * wording. */
static gk_status add_note_row(builder *b, gk_table *table, size_t capacity, const char *text)
{
    gk_row *row = add_row(b, table, capacity, GK_ROW_NOTE);
    const char *filled = expand(b, text, b->unit, table->layout, NULL);
    if (row == NULL || filled == NULL)
        return nomem(b);
    row->cells[0].value = text_value(filled);
    row->cells[0].cols = (int)table->layout->column_count;
    for (size_t c = 1; c < table->layout->column_count; c++)
        row->cells[c].covered = true;
    return GK_OK;
}

/* The wording of the table when it is empty: its own, else the profile's. */
static const char *empty_text(const builder *b, const gk_table_layout *layout)
{
    return layout->empty_text ? layout->empty_text : b->profile->empty_text;
}

/* An empty table whose wording prints under it (empty_text_position before_notes or
 * after_notes): the wording becomes the first or the last of its notes. */
static gk_status note_empty_text(builder *b, gk_table *table)
{
    gk_empty_position position = gk_table_empty_position(b->profile, table->layout);
    if (!table->empty || position == GK_EMPTY_ROW)
        return GK_OK;
    const char **notes = gk_arena_alloc(b->arena, (table->note_count + 2) * sizeof *notes);
    const char *wording = expand(b, empty_text(b, table->layout), b->unit, table->layout, NULL);
    if (notes == NULL || wording == NULL)
        return nomem(b);
    size_t first = position == GK_EMPTY_BEFORE_NOTES ? 1 : 0;
    for (size_t i = 0; i < table->note_count; i++)
        notes[first + i] = table->notes[i];
    notes[first ? 0 : table->note_count] = wording;
    table->notes = notes;
    table->note_count++;
    return GK_OK;
}

static gk_status build_list_table(builder *b, gk_table *table, const gk_table_data *data)
{
    size_t data_rows = 0;
    for (size_t r = 0; r < data->row_count; r++)
        data_rows += in_scope(b, data->rows[r].unit) && !data->rows[r].computed;
    /* every data row, plus per unit and department a summary row, the total and a note */
    size_t capacity = data_rows + 2 * b->scope.count + 3;
    table->rows = gk_arena_alloc(b->arena, capacity * sizeof *table->rows);
    const gk_data_row **sources = calloc(capacity, sizeof *sources);
    size_t *department = calloc(b->scope.count + 1, sizeof *department);
    if (table->rows == NULL || sources == NULL || department == NULL) {
        free(sources);
        free(department);
        return nomem(b);
    }
    table->empty = data_rows == 0;
    gk_status status = add_total_row(b, table, capacity, data, false);
    if (table->empty) {
        if (status == GK_OK && gk_table_empty_position(b->profile, table->layout) == GK_EMPTY_ROW)
            status = add_note_row(b, table, capacity, empty_text(b, table->layout));
        if (status == GK_OK)
            status = add_total_row(b, table, capacity, data, true);
        free(sources);
        free(department);
        return status;
    }

    /* departments in order of first appearance, each followed by its units */
    for (size_t i = 0; status == GK_OK && i < b->scope.count; i++) {
        const gk_unit *first = &b->pkg->units[b->scope.units[i]];
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = strcmp(b->pkg->units[b->scope.units[j]].department_code,
                          first->department_code) == 0;
        if (seen)
            continue;
        gk_scope sums = {department, 0};
        for (size_t j = i; j < b->scope.count; j++)
            if (strcmp(b->pkg->units[b->scope.units[j]].department_code,
                       first->department_code) == 0)
                department[sums.count++] = b->scope.units[j];
        status = add_summary_row(b, table, capacity, GK_SUMMARY_DEPARTMENT, data, &sums, first);
        for (size_t j = 0; status == GK_OK && j < sums.count; j++) {
            size_t u = department[j];
            gk_scope unit_sums = {&department[j], 1};
            status = add_summary_row(b, table, capacity, GK_SUMMARY_UNIT, data, &unit_sums,
                                     &b->pkg->units[u]);
            for (size_t r = 0; status == GK_OK && r < data->row_count; r++) {
                if (data->rows[r].unit != u || data->rows[r].computed)
                    continue;
                sources[table->row_count] = &data->rows[r];
                status = add_data_row(b, table, capacity, &data->rows[r]);
            }
        }
    }
    if (status == GK_OK)
        status = add_total_row(b, table, capacity, data, true);
    if (status == GK_OK)
        apply_merges(b, table, sources);
    free(sources);
    free(department);
    return status;
}

/* ---- fixed-row (stub) tables ----------------------------------------------------------- */

/* A stub text with {n} replaced by the Chinese ordinal of its row in its column (一, 二, …);
 * counter counts the printed rows of the column that hold {n}. NULL when out of memory. */
static const char *numbered_text(builder *b, const char *text, unsigned *counter)
{
    const char *at = strstr(text, "{n}");
    if (at == NULL)
        return text;
    char numeral[GK_CHINESE_NUMBER_MAX];
    gk_chinese_number(++*counter, numeral);
    size_t count = 0;
    for (const char *p = at; p != NULL; p = strstr(p + 3, "{n}"))
        count++;
    size_t len = strlen(text) + count * strlen(numeral);
    char *out = gk_arena_alloc(b->arena, len + 1), *w = out;
    if (out == NULL)
        return NULL;
    for (const char *p = text; *p;) {
        if (strncmp(p, "{n}", 3) == 0) {
            w += sprintf(w, "%s", numeral);
            p += 3;
        } else {
            *w++ = *p++;
        }
    }
    *w = '\0';
    return out;
}

/* The numbers of a fixed row's amount cells (cells[c], 0 elsewhere); *zero when all are 0. */
static bool stub_row_numbers(const gk_table_layout *layout, size_t r, const int64_t *values,
                             int64_t *numbers, bool *zero, gk_overflow *overflow)
{
    *zero = true;
    for (size_t c = 0; c < layout->column_count; c++) {
        numbers[c] = 0;
        if (layout->rows[r].cells[c].kind == GK_STUB_EXPR &&
            !gk_stub_cell_value(layout, r, c, values, &numbers[c], overflow))
            return false;
        *zero &= numbers[c] == 0;
    }
    return true;
}

/* The number of expression cell (r, c) of a fixed-row table: from the scale of the table's
 * values to its column's unit and decimals (rounded from the exact sum when the package gives
 * finer amounts), as the column's zero policy prints it. */
static gk_status stub_cell_number(builder *b, const gk_table_layout *layout, size_t r, size_t c,
                                  const int64_t *values, const bool *given, gk_value *out)
{
    gk_column column = layout->columns[c];
    if (column.type != GK_TYPE_AMOUNT) { /* a number of another type: as the table gives it */
        column.unit = layout->amount_unit;
        column.decimals = layout->amount_decimals;
    }
    int64_t value = 0;
    gk_overflow overflow;
    if (!gk_stub_cell_value(layout, r, c, values, &value, &overflow))
        return overflow_error(b, &overflow);
    if (!gk_money_convert(value, gk_stub_value_exp(layout), column.unit - column.decimals,
                          &value)) {
        overflow = (gk_overflow){GK_OVERFLOW_COLUMN, layout->number, column.key, column.decimals,
                                 layout->path, 0, 0};
        return overflow_error(b, &overflow);
    }
    *out = number_value(&column, value, gk_stub_cell_given(layout, r, c, given));
    return GK_OK;
}

/* Columns [first, end) of a printed row from fixed row r: cells, merges and numbered texts. */
static gk_status fill_stub_cells(builder *b, const gk_table_layout *layout, size_t r,
                                 size_t first, size_t end, const int64_t *values,
                                 const bool *given, unsigned *ordinals, gk_row *row)
{
    const gk_stub_row *stub = &layout->rows[r];
    for (size_t c = first; c < end; c++) {
        const gk_stub_cell *cell = &stub->cells[c];
        gk_cell *out = &row->cells[c];
        out->rows = cell->rows;
        out->cols = cell->cols;
        out->covered = cell->covered;
        if (cell->kind == GK_STUB_TEXT) {
            const char *text = numbered_text(b, cell->text, &ordinals[c]);
            if (text == NULL)
                return nomem(b);
            out->value = text_value(text);
        } else if (cell->kind == GK_STUB_EXPR) {
            gk_status status = stub_cell_number(b, layout, r, c, values, given, &out->value);
            if (status != GK_OK)
                return status;
        }
    }
    return GK_OK;
}

/* One printed fixed row across the table. */
static gk_status add_stub_row(builder *b, gk_table *table, size_t r, const int64_t *values,
                              const bool *given, unsigned *ordinals)
{
    const gk_table_layout *layout = table->layout;
    gk_row *row = add_row(b, table, layout->row_count,
                          layout->rows[r].total ? GK_ROW_TOTAL : GK_ROW_DATA);
    if (row == NULL)
        return nomem(b);
    return fill_stub_cells(b, layout, r, 0, layout->column_count, values, given, ordinals, row);
}

/* Whether fixed row r is printed: not left out for being zero. */
static bool stub_row_printed(const gk_table_layout *layout, size_t r, const int64_t *values,
                             int64_t *numbers, bool *printed, gk_overflow *overflow)
{
    bool zero = false;
    if (!stub_row_numbers(layout, r, values, numbers, &zero, overflow))
        return false;
    *printed = !(layout->rows[r].omit_if_zero && zero);
    return true;
}

/* The printed rows of a `sides:` block (layout rows [start, block_end)): the k-th printed row
 * of each side fills that side's columns of the block's k-th row; a side with fewer rows
 * leaves its columns blank below them. The rows of one side are consecutive in the layout. */
static gk_status add_sides_block(builder *b, gk_table *table, size_t start, const int64_t *values,
                                 const bool *given, unsigned *ordinals, int64_t *numbers)
{
    const gk_table_layout *layout = table->layout;
    size_t end = layout->rows[start].block_end, first_row = table->row_count;
    gk_overflow overflow;
    for (size_t r = start; r < end;) {
        size_t first_column = layout->rows[r].first_column, k = 0;
        for (; r < end && layout->rows[r].first_column == first_column; r++) {
            bool printed = false;
            if (!stub_row_printed(layout, r, values, numbers, &printed, &overflow))
                return overflow_error(b, &overflow);
            if (!printed)
                continue;
            if (first_row + k == table->row_count &&
                add_row(b, table, layout->row_count, GK_ROW_DATA) == NULL)
                return nomem(b);
            gk_status status =
                fill_stub_cells(b, layout, r, first_column, layout->rows[r].end_column, values,
                                given, ordinals, &table->rows[first_row + k++]);
            if (status != GK_OK)
                return status;
        }
    }
    return GK_OK;
}

static gk_status build_stub_table(builder *b, gk_table *table)
{
    const gk_table_layout *layout = table->layout;
    size_t columns = layout->column_count;
    int64_t *values = calloc(layout->value_count + 1, sizeof *values);
    int64_t *numbers = calloc(columns + 1, sizeof *numbers);
    unsigned *ordinals = calloc(columns + 1, sizeof *ordinals);
    bool *given = calloc(layout->value_count + 1, sizeof *given);
    table->rows = gk_arena_alloc(b->arena, (layout->row_count + 1) * sizeof *table->rows);
    gk_status status = GK_OK;
    gk_overflow overflow;
    if (values == NULL || numbers == NULL || ordinals == NULL || given == NULL ||
        table->rows == NULL)
        status = nomem(b);
    else if (!gk_stub_values_given(b->pkg, layout, &b->scope, values, given, &overflow))
        status = overflow_error(b, &overflow);
    for (size_t r = 0; status == GK_OK && r < layout->row_count; r++) {
        bool printed = false;
        if (layout->rows[r].in_sides) {
            status = add_sides_block(b, table, r, values, given, ordinals, numbers);
            r = layout->rows[r].block_end - 1;
        } else if (!stub_row_printed(layout, r, values, numbers, &printed, &overflow))
            status = overflow_error(b, &overflow);
        else if (printed)
            status = add_stub_row(b, table, r, values, given, ordinals);
        if (layout->rows[r].total) /* {n} counts again from 一 below a total */
            memset(ordinals, 0, columns * sizeof *ordinals);
    }
    free(values);
    free(numbers);
    free(ordinals);
    free(given);
    return status;
}

/* ---- tables not supplied -------------------------------------------------------------- */

/* Whether some unit of the scope does not supply the table: a department's sum would then
 * be partial, so the department's booklet does not supply it either. */
static bool scope_lacks(const builder *b, const gk_table_layout *layout)
{
    for (size_t i = 0; i < b->scope.count; i++)
        if (gk_package_not_supplied(b->pkg, b->scope.units[i], layout) != NULL)
            return true;
    return false;
}

/* Its header and the profile's wording: no 合计 row, which would print as if it were zero. */
static gk_status build_not_supplied_table(builder *b, gk_table *table)
{
    table->not_supplied = true;
    table->rows = gk_arena_alloc(b->arena, sizeof *table->rows);
    if (table->rows == NULL)
        return nomem(b);
    return add_note_row(b, table, 1, b->profile->not_supplied_text);
}

/* ---- the document -------------------------------------------------------------------- */

/* The booklet's parts: titles expanded, narrative Markdown parsed; a narrative part whose
 * file is absent is left out. */
static gk_status build_parts(builder *b, gk_document *doc)
{
    const gk_profile *profile = b->profile;
    gk_doc_part *parts = gk_arena_alloc(b->arena, (profile->part_count + 1) * sizeof *parts);
    if (parts == NULL)
        return nomem(b);
    size_t count = 0;
    for (size_t i = 0; i < profile->part_count; i++) {
        const gk_part_spec *spec = &profile->parts[i];
        const char *markdown = doc->unit ? doc->unit->narrative[i] : NULL;
        if (!spec->tables && markdown == NULL)
            continue;
        gk_doc_part *part = &parts[count++];
        part->tables = spec->tables;
        part->title = expand(b, spec->title, doc->unit, NULL, NULL);
        if (part->title == NULL)
            return nomem(b);
        if (!spec->tables) {
            gk_status status = gk_figures_narrative(b->pkg, &b->scope, doc->unit,
                                                    doc->unit->narrative_path[i], markdown,
                                                    b->arena, &part->narrative, b->diag);
            if (status != GK_OK)
                return status;
        }
    }
    doc->parts = parts;
    doc->part_count = count;
    return GK_OK;
}

static gk_status build_document_from(const gk_package *pkg, gk_scope scope,
                                     gk_booklet_kind kind, gk_document *doc, gk_diag *diag);

/* Builds from the scope's rows only: the cost of a booklet is its own rows. A package read for
 * the scope (gk_package_load_units) holds no other unit's and is used as it is; otherwise a
 * view narrows it. */
static gk_status build_document(const gk_package *package, gk_scope scope, gk_booklet_kind kind,
                                gk_document *doc, gk_diag *diag)
{
    if (gk_package_holds_only(package, scope.units, scope.count))
        return build_document_from(package, scope, kind, doc, diag);
    gk_package *view = NULL;
    gk_status status = gk_package_view(package, scope.units, scope.count, &view, diag);
    if (status == GK_OK)
        status = build_document_from(view, scope, kind, doc, diag);
    gk_package_view_free(view);
    return status;
}

/* The texts printed around a table, templates filled: title, caption, notes. */
static gk_status table_texts(builder *b, gk_table *table)
{
    const gk_table_layout *layout = table->layout;
    const char *left, *right;
    gk_booklet_caption(b->profile, b->kind, layout, &left, &right);
    table->title = expand(b, layout->title, b->unit, layout, NULL);
    table->unit_line = expand(b, left, b->unit, layout, NULL);
    table->amount_line = expand(b, right, b->unit, layout, NULL);
    const char **notes = gk_arena_alloc(b->arena, (layout->note_count + 1) * sizeof *notes);
    if (table->title == NULL || table->unit_line == NULL || table->amount_line == NULL ||
        notes == NULL)
        return nomem(b);
    for (size_t i = 0; i < layout->note_count; i++)
        if ((notes[i] = expand(b, layout->notes[i], b->unit, layout, NULL)) == NULL)
            return nomem(b);
    table->notes = notes;
    table->note_count = layout->note_count;
    return GK_OK;
}

/* The booklet's front: its cover lines and full title, templates filled. */
static gk_status front_texts(builder *b, gk_document *doc)
{
    size_t count = 0;
    const gk_cover_line *cover = gk_booklet_cover(b->profile, b->kind, &count);
    gk_cover_line *lines = gk_arena_alloc(b->arena, (count + 1) * sizeof *lines);
    doc->title = expand(b, gk_booklet_full_title(b->profile, b->kind), doc->unit, NULL, NULL);
    if (lines == NULL || doc->title == NULL)
        return nomem(b);
    for (size_t i = 0; i < count; i++) {
        lines[i].size = cover[i].size;
        if ((lines[i].text = expand(b, cover[i].text, doc->unit, NULL, NULL)) == NULL)
            return nomem(b);
    }
    doc->cover = lines;
    doc->cover_count = count;
    return GK_OK;
}

static gk_status build_document_from(const gk_package *pkg, gk_scope scope,
                                     gk_booklet_kind kind, gk_document *doc, gk_diag *diag)
{
    const gk_booklet *booklet = &pkg->profile->booklets[kind];
    builder b = {pkg, pkg->profile, &doc->arena, diag, scope, booklet->title, doc->unit, kind};
    doc->booklet_title = booklet->title;
    if (booklet->table_count == 0 && kind == GK_BOOKLET_UNIT)
        return gk_diag_set(diag, GK_ERR_DATA, pkg->profile->dir, 0, 0,
                           "the profile defines no unit booklet");
    if (booklet->table_count == 0)
        return gk_diag_set(diag, GK_ERR_DATA, pkg->profile->dir, 0, 0,
                           "the profile defines no department booklet");
    gk_status front = front_texts(&b, doc);
    if (front != GK_OK)
        return front;
    doc->amount_line = gk_arena_printf(&doc->arena, "金额单位：%s", pkg->profile->amount_unit);
    doc->tables = gk_arena_alloc(&doc->arena, (booklet->table_count + 1) * sizeof *doc->tables);
    if (doc->amount_line == NULL || doc->tables == NULL)
        return nomem(&b);
    for (size_t t = 0; t < booklet->table_count; t++) {
        bool lacking = scope_lacks(&b, booklet->tables[t]);
        if (lacking && pkg->profile->not_supplied_omit)
            continue; /* left out of the booklet, its 目录 and the workbook */
        gk_table *table = &doc->tables[doc->table_count];
        table->layout = booklet->tables[t];
        const gk_table_data *data = gk_package_table(pkg, table->layout);
        gk_status status = table_texts(&b, table);
        if (status == GK_OK)
            status = lacking                  ? build_not_supplied_table(&b, table)
                     : table->layout->is_stub ? build_stub_table(&b, table)
                                              : build_list_table(&b, table, data);
        if (status == GK_OK)
            status = note_empty_text(&b, table);
        if (status != GK_OK)
            return status;
        doc->table_count++;
    }
    return build_parts(&b, doc);
}

gk_status gk_document_build_unit(const gk_package *package, size_t unit_index,
                                 gk_document **out, gk_diag *diag)
{
    *out = NULL;
    const gk_unit *unit = &package->units[unit_index];
    if (unit->failure != NULL) { /* its own files did not load */
        if (diag != NULL)
            *diag = *unit->failure;
        return unit->failure->status;
    }
    gk_document *doc = calloc(1, sizeof *doc);
    if (doc == NULL)
        return gk_diag_set(diag, GK_ERR_NOMEM, package->dir, 0, 0, "out of memory");
    doc->package = package;
    doc->profile = package->profile;
    doc->kind = unit->booklet;
    doc->unit = unit;
    doc->code = unit->code;
    doc->name = unit->name;
    doc->year = unit->year;
    gk_scope scope = {&unit_index, 1};
    gk_status status = build_document(package, scope, unit->booklet, doc, diag);
    if (status != GK_OK) {
        gk_document_free(doc);
        return status;
    }
    *out = doc;
    return GK_OK;
}

/* The department's booklet from its units: the department's consolidated package when the
 * profile says `rows: consolidated` (kept with the document), else the units' own rows. */
static gk_status build_department(const gk_package *package, const char *department_code,
                                  const size_t *units, size_t count, gk_document *doc,
                                  gk_diag *diag)
{
    gk_scope scope = {units, count};
    static const size_t consolidated_unit = 0;
    if (package->profile->booklets[GK_BOOKLET_DEPARTMENT].consolidated) {
        gk_status status = gk_package_consolidate(package, department_code, NULL, NULL,
                                                  &doc->consolidated, diag);
        if (status != GK_OK)
            return status;
        package = doc->consolidated;
        doc->unit = &package->units[consolidated_unit];
        scope = (gk_scope){&consolidated_unit, 1};
    }
    doc->package = package;
    return build_document(package, scope, GK_BOOKLET_DEPARTMENT, doc, diag);
}

gk_status gk_document_build_department(const gk_package *package, const char *department_code,
                                       gk_document **out, gk_diag *diag)
{
    *out = NULL;
    gk_document *doc = calloc(1, sizeof *doc);
    gk_unit *pseudo = doc ? gk_arena_alloc(&doc->arena, sizeof *pseudo) : NULL;
    const char **no_narrative =
        doc ? gk_arena_alloc(&doc->arena, (package->profile->part_count + 1) * sizeof(char *)) : NULL;
    if (doc == NULL || pseudo == NULL || no_narrative == NULL) {
        gk_document_free(doc);
        return gk_diag_set(diag, GK_ERR_NOMEM, package->dir, 0, 0, "out of memory");
    }
    /* the department's units, in package order; one that failed to load fails the booklet */
    const size_t *units;
    size_t count = gk_package_department_units(package, department_code, &units);
    gk_status status = GK_OK;
    for (size_t i = 0; i < count && status == GK_OK; i++) {
        const gk_unit *unit = &package->units[units[i]];
        if (unit->failure != NULL)
            status = gk_diag_set(diag, GK_ERR_DATA, unit->failure->file, unit->failure->line,
                                 unit->failure->column,
                                 /* TRANSLATORS: %s is a unit code, then the message of that
                                  * unit's own error. */
                                 "unit %s of the department: %s", unit->code,
                                 unit->failure->message);
    }
    if (status == GK_OK && count == 0)
        status = gk_diag_set(diag, GK_ERR_DATA, package->dir, 0, 0,
                             "department %s has no unit in the package", department_code);
    if (status == GK_OK) {
        /* the department stands in for the unit in titles and templates */
        *pseudo = gk_department_unit(&package->units[units[0]], no_narrative);
        doc->profile = package->profile;
        doc->kind = GK_BOOKLET_DEPARTMENT;
        doc->unit = pseudo;
        doc->code = pseudo->code;
        doc->name = pseudo->name;
        doc->year = pseudo->year;
        status = build_department(package, department_code, units, count, doc, diag);
    }
    if (status != GK_OK) {
        gk_document_free(doc);
        return status;
    }
    *out = doc;
    return GK_OK;
}

void gk_document_free(gk_document *document)
{
    if (document == NULL)
        return;
    gk_arena_free(&document->arena);
    gk_package_free(document->consolidated);
    free(document);
}
