/* Loading a budget package (docs/package.md) into typed rows; see package.h. */
#include "model/package.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "input/input.h"
#include "layout/query.h"
#include "util/grow.h"
#include "util/input_file.h"
#include "util/i18n.h"

enum { MAX_UNITS = 100000, MAX_LEVEL = 9 };


static gk_status nomem(gk_diag *diag, const char *path)
{
    return gk_diag_set(diag, GK_ERR_NOMEM, path, 0, 0, "out of memory");
}

/* Whether an optional file is there to read (*present). A broken one (a dangling link, a
 * FIFO, a folder, …) is an error naming it, never "no data". */
static gk_status optional_file(const char *path, bool *present, gk_diag *diag)
{
    gk_input_state state;
    gk_status status = gk_input_probe(path, GK_INPUT_FILE, &state, diag);
    *present = state == GK_INPUT_PRESENT;
    return status;
}

/* Reads and parses a CSV file (any encoding gk_text_decode accepts). */
static gk_status read_csv(const char *path, gk_csv **out, gk_diag *diag)
{
    *out = NULL;
    char *text = NULL;
    size_t len = 0;
    gk_status status = gk_text_load(path, &text, &len, NULL, diag);
    if (status == GK_OK)
        status = gk_csv_parse(path, text, len, out, diag);
    free(text);
    return status;
}

/* Text cells go into XML and PDF strings: control characters other than a line break
 * cannot be shown and are an error rather than a silent loss. */
static gk_status check_text(const char *path, const gk_csv_field *field, const char *key,
                            gk_diag *diag)
{
    for (const unsigned char *p = (const unsigned char *)field->text; *p; p++)
        if ((*p < 0x20 && *p != '\n') || *p == 0x7f)
            return gk_diag_set(diag, GK_ERR_PARSE, path, field->line, field->column,
                               "column '%s': control character 0x%02X in text", key, *p);
    return GK_OK;
}

/* ---- units.csv ---------------------------------------------------------------------- */

static const char *const unit_columns[] = {"unit_code", "unit_name", "department_code",
                                           "department_name", "year", "profile", "booklet"};
enum { UNIT_COLUMN_COUNT = 7 };

/* Codes name output files: letters, digits, '-' and '_' only, so no path, no hidden or
 * option-like name. */
typedef enum code_problem_kind {
    CODE_OK,
    CODE_LEADING_DASH,
    CODE_TOO_LONG,
    CODE_BAD_CHARACTER /* a character outside the allow-list */
} code_problem_kind;

static code_problem_kind code_problem(const char *code)
{
    if (code[0] == '-')
        return CODE_LEADING_DASH;
    if (strlen(code) > 64)
        return CODE_TOO_LONG;
    for (const char *p = code; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
              *p == '-' || *p == '_'))
            return CODE_BAD_CHARACTER;
    return CODE_OK;
}

/* In these messages the first %s is a column key of units.csv (untranslated), the second the
 * code found. */
static gk_status check_code(const char *path, const gk_csv_field *field, const char *column,
                            gk_diag *diag)
{
    switch (code_problem(field->text)) {
    case CODE_OK:
        break;
    case CODE_LEADING_DASH:
        return gk_diag_set(diag, GK_ERR_PARSE, path, field->line, field->column,
                           "column '%s': '%s' must not start with '-'", column, field->text);
    case CODE_TOO_LONG:
        return gk_diag_set(diag, GK_ERR_PARSE, path, field->line, field->column,
                           "column '%s': '%s' is longer than 64 characters", column, field->text);
    case CODE_BAD_CHARACTER:
        return gk_diag_set(diag, GK_ERR_PARSE, path, field->line, field->column,
                           "column '%s': expected letters, digits, '-' or '_' (it names output "
                           "files), found '%s'", column, field->text);
    }
    return GK_OK;
}

static bool year_is_valid(const char *year)
{
    if (strlen(year) != 4)
        return false;
    for (const char *p = year; *p; p++)
        if (*p < '0' || *p > '9')
            return false;
    return year[0] == '1' || year[0] == '2';
}

/* Output files are named CODE_NAME_YEAR.xlsx: it must fit a file name (255 bytes). Their
 * temporaries have short names of their own (util/publish.h), whatever the output is called. */
static bool name_fits_file(const char *code, const char *name, const char *year)
{
    return strlen(code) + strlen(name) + strlen(year) + strlen("__.xlsx") <= 255;
}

/* Maps header names to positions; every wanted name must appear once, no other name. */
static gk_status map_header(const char *path, const gk_csv_record *header,
                            const char *const *names, size_t name_count, int *positions,
                            gk_diag *diag)
{
    for (size_t n = 0; n < name_count; n++)
        positions[n] = -1;
    for (size_t f = 0; f < header->count; f++) {
        const gk_csv_field *field = &header->fields[f];
        size_t n = 0;
        while (n < name_count && strcmp(names[n], field->text) != 0)
            n++;
        if (n == name_count) {
            char expected[1024] = "";
            for (size_t i = 0; i < name_count; i++) {
                size_t used = strlen(expected);
                snprintf(expected + used, sizeof expected - used, "%s%s", i ? ", " : "", names[i]);
            }
            return gk_diag_set(diag, GK_ERR_PARSE, path, field->line, field->column,
                               /* TRANSLATORS: the second %s lists the column keys the file may
                                * have ("unit_code, unit_name, ..."); the keys stay as they are. */
                               "unknown column '%s' (expected %s)", field->text, expected);
        }
        if (positions[n] != -1)
            return gk_diag_set(diag, GK_ERR_PARSE, path, field->line, field->column,
                               "duplicate column '%s'", field->text);
        positions[n] = (int)f;
    }
    return GK_OK;
}

static gk_status missing_column(const char *path, const gk_csv_record *header, const char *name,
                                gk_diag *diag)
{
    return gk_diag_set(diag, GK_ERR_PARSE, path, header->line, 1, "missing column '%s'", name);
}

static gk_status order_units(gk_package *pkg, const char *path, gk_diag *diag);

static gk_status load_units(gk_package *pkg, gk_diag *diag)
{
    char *path = gk_arena_printf(&pkg->arena, "%s/units.csv", pkg->dir);
    if (path == NULL)
        return nomem(diag, pkg->dir);
    bool present;
    gk_status status = optional_file(path, &present, diag);
    if (status != GK_OK)
        return status;
    if (!present)
        return gk_diag_set(diag, GK_ERR_IO, path, 0, 0,
                           "not a budget package: units.csv is missing");
    gk_csv *csv = NULL;
    status = read_csv(path, &csv, diag);
    if (status != GK_OK)
        return status;
    int pos[UNIT_COLUMN_COUNT];
    status = map_header(path, &csv->records[0], unit_columns, UNIT_COLUMN_COUNT, pos, diag);
    for (size_t n = 0; status == GK_OK && n < UNIT_COLUMN_COUNT; n++)
        if (pos[n] < 0)
            status = missing_column(path, &csv->records[0], unit_columns[n], diag);
    if (status == GK_OK && csv->count < 2)
        status = gk_diag_set(diag, GK_ERR_DATA, path, 2, 1,
                             "expected at least one unit, found none");
    else if (status == GK_OK && csv->count - 1 > MAX_UNITS)
        status = gk_diag_set(diag, GK_ERR_DATA, path, MAX_UNITS + 2, 1, "more than 100000 units");
    if (status == GK_OK) {
        pkg->units = gk_arena_alloc(&pkg->arena, csv->count * sizeof *pkg->units);
        if (pkg->units == NULL)
            status = nomem(diag, path);
    }
    for (size_t r = 1; status == GK_OK && r < csv->count; r++) {
        const gk_csv_record *rec = &csv->records[r];
        const char *v[UNIT_COLUMN_COUNT];
        for (size_t n = 0; n < UNIT_COLUMN_COUNT; n++) {
            const gk_csv_field *field = &rec->fields[pos[n]];
            v[n] = field->text;
            if (field->len == 0) {
                status = gk_diag_set(diag, GK_ERR_PARSE, path, field->line, field->column,
                                     "column '%s': expected a value, found an empty field",
                                     unit_columns[n]);
                break;
            }
            if ((status = check_text(path, field, unit_columns[n], diag)) != GK_OK)
                break;
        }
        if (status != GK_OK)
            break;
        const gk_csv_field *code = &rec->fields[pos[0]], *dept = &rec->fields[pos[2]];
        const gk_csv_field *year = &rec->fields[pos[4]], *name = &rec->fields[pos[1]];
        if ((status = check_code(path, code, "unit_code", diag)) != GK_OK ||
            (status = check_code(path, dept, "department_code", diag)) != GK_OK)
            break;
        if (!year_is_valid(v[4])) {
            status = gk_diag_set(diag, GK_ERR_PARSE, path, year->line, year->column,
                                 "column 'year': expected a year such as 2025, found '%s'", v[4]);
            break;
        }
        if (!name_fits_file(v[0], v[1], v[4]) || !name_fits_file(v[2], v[3], v[4])) {
            bool unit_name = !name_fits_file(v[0], v[1], v[4]);
            const gk_csv_field *f = unit_name ? name : &rec->fields[pos[3]];
            status = gk_diag_set(diag, GK_ERR_PARSE, path, f->line, f->column,
                                 /* TRANSLATORS: %s is a column key (unit_name or
                                  * department_name). */
                                 "column '%s': too long to name an output file (%zu bytes; with "
                                 "the code and year at most 255)",
                                 unit_name ? "unit_name" : "department_name", strlen(f->text));
            break;
        }
        gk_unit *unit = &pkg->units[pkg->unit_count];
        const gk_csv_field *booklet = &rec->fields[pos[6]];
        if (!gk_booklet_kind_parse(v[6], &unit->booklet)) {
            status = gk_diag_set(diag, GK_ERR_PARSE, path, booklet->line, booklet->column,
                                 /* TRANSLATORS: unit and department are the values the column
                                  * takes: keep them. */
                                 "column 'booklet': expected unit or department, found '%s'", v[6]);
            break;
        }
        unit->code = gk_arena_strdup(&pkg->arena, v[0]);
        unit->name = gk_arena_strdup(&pkg->arena, v[1]);
        unit->department_code = gk_arena_strdup(&pkg->arena, v[2]);
        unit->department_name = gk_arena_strdup(&pkg->arena, v[3]);
        unit->year = gk_arena_strdup(&pkg->arena, v[4]);
        unit->profile = gk_arena_strdup(&pkg->arena, v[5]);
        unit->line = rec->line;
        unit->name_column = name->column;
        unit->profile_column = rec->fields[pos[5]].column;
        unit->year_column = year->column;
        unit->department_name_column = rec->fields[pos[3]].column;
        pkg->unit_count++;
        if (unit->profile == NULL || unit->year == NULL)
            status = nomem(diag, path);
        else if (strcmp(unit->profile, pkg->units[0].profile) != 0)
            status = gk_diag_set(diag, GK_ERR_DATA, path, rec->fields[pos[5]].line,
                                 rec->fields[pos[5]].column,
                                 "column 'profile': all units of a package use one profile; "
                                 "expected '%s', found '%s'", pkg->units[0].profile, v[5]);
    }
    if (status == GK_OK)
        status = order_units(pkg, path, diag);
    gk_csv_free(csv);
    return status;
}

/* ---- tables/ID.csv ----------------------------------------------------------------- */

static gk_status parse_value(const char *path, const gk_csv_field *field, const gk_field *spec,
                             gk_arena *arena, gk_value *out, gk_diag *diag)
{
    if (field->len == 0) {
        *out = (gk_value){.kind = GK_VALUE_BLANK, .decimals = (uint8_t)(spec->decimals)};
        return GK_OK;
    }
    if (spec->type == GK_TYPE_TEXT || spec->type == GK_TYPE_CODE) {
        gk_status status = check_text(path, field, spec->key, diag);
        if (status != GK_OK)
            return status;
        *out = (gk_value){.kind = GK_VALUE_TEXT, .text = gk_arena_strndup(arena, field->text, field->len)};
        return out->text ? GK_OK : nomem(diag, path);
    }
    const char *why = NULL;
    int64_t number = 0;
    if (!gk_decimal_parse(field->text, spec->decimals, &number, &why)) {
        if (why == NULL)
            why = _("invalid");
        if (spec->type == GK_TYPE_AMOUNT)
            return gk_diag_set(diag, GK_ERR_PARSE, path, field->line, field->column,
                               /* TRANSLATORS: %s in parentheses is why the value is not a
                                * number, e.g. "more than 2 decimals". */
                               "column '%s': expected an amount with at most %d decimals, "
                               "found '%s' (%s)", spec->key, spec->decimals, field->text, why);
        if (spec->type == GK_TYPE_COUNT)
            return gk_diag_set(diag, GK_ERR_PARSE, path, field->line, field->column,
                               "column '%s': expected a count with at most %d decimals, "
                               "found '%s' (%s)", spec->key, spec->decimals, field->text, why);
        return gk_diag_set(diag, GK_ERR_PARSE, path, field->line, field->column,
                           "column '%s': expected a percentage with at most %d decimals, "
                           "found '%s' (%s)", spec->key, spec->decimals, field->text, why);
    }
    *out = (gk_value){.kind = GK_VALUE_NUMBER, .decimals = (uint8_t)(spec->decimals), .number = number};
    return GK_OK;
}

static gk_status parse_level(const char *path, const gk_csv_field *field, int *level,
                             gk_diag *diag)
{
    if (field->len == 0) {
        *level = 1;
        return GK_OK;
    }
    if (field->len == 1 && field->text[0] >= '1' && field->text[0] <= '0' + MAX_LEVEL) {
        *level = field->text[0] - '0';
        return GK_OK;
    }
    return gk_diag_set(diag, GK_ERR_PARSE, path, field->line, field->column,
                       "column 'level': expected a level from 1 to %d, found '%s'", MAX_LEVEL,
                       field->text);
}

/* The `kind` column: empty for a data row, or a computed row the package states. */
static gk_status parse_kind(const char *path, const gk_table_layout *layout,
                            const gk_csv_field *field, gk_data_row *row, gk_diag *diag)
{
    static const char *const kinds[] = {"total", "department", "unit"};
    if (field->len == 0)
        return GK_OK;
    for (int k = 0; k < 3 && !layout->is_stub; k++)
        if (strcmp(field->text, kinds[k]) == 0) {
            row->computed = true;
            row->summary = (gk_summary_kind)k;
            return GK_OK;
        }
    if (layout->is_stub)
        return gk_diag_set(diag, GK_ERR_PARSE, path, field->line, field->column,
                           "column 'kind': a fixed-row table has no computed rows");
    return gk_diag_set(diag, GK_ERR_PARSE, path, field->line, field->column,
                       /* TRANSLATORS: total, department and unit are the values the column
                        * takes: keep them. */
                       "column 'kind': expected total, department, unit or nothing, found '%s'",
                       field->text);
}

/* Copies the value above into blank fill_down cells of the same unit. */
static void apply_fill_down(const gk_table_layout *layout, gk_data_row *rows, size_t count)
{
    for (size_t c = 0; c < layout->column_count; c++) {
        const gk_column *column = &layout->columns[c];
        if (!column->fill_down || column->field < 0)
            continue;
        for (size_t r = 1; r < count; r++) {
            gk_value *value = (gk_value *)&rows[r].values[column->field];
            const gk_value *above = &rows[r - 1].values[column->field];
            if (value->kind == GK_VALUE_BLANK && rows[r].unit == rows[r - 1].unit &&
                !rows[r].computed && !rows[r - 1].computed)
                *value = *above;
        }
    }
}

/* For stub tables: the item must be one of the layout's items, once per unit. */
static gk_status check_stub_item(const gk_package *pkg, const gk_table_layout *layout,
                                 const char *path, const gk_data_row *rows, size_t count,
                                 const gk_csv_field *field, gk_diag *diag)
{
    const gk_value *item = &rows[count].values[0];
    bool known = false;
    for (size_t i = 0; item->kind == GK_VALUE_TEXT && i < layout->item_count && !known; i++)
        known = strcmp(layout->value_ids[i], item->text) == 0;
    if (!known)
        return gk_diag_set(diag, GK_ERR_PARSE, path, field->line, field->column,
                           /* TRANSLATORS: '%s' is the item id found, then come the table id and
                            * the table's layout file. */
                           "column 'item': '%s' is not an item of table %s (see %s)",
                           item->kind == GK_VALUE_TEXT ? item->text : "", layout->id, layout->path);
    for (size_t r = 0; r < count; r++)
        if (rows[r].unit == rows[count].unit && strcmp(rows[r].values[0].text, item->text) == 0)
            return gk_diag_set(diag, GK_ERR_DATA, path, field->line, field->column,
                               "item '%s' given twice for unit %s (first on line %d)", item->text,
                               pkg->units[rows[count].unit].code, rows[r].line);
    return GK_OK;
}

static bool reserve_rows(gk_table_data *data, size_t more)
{
    if (data->row_count + more <= data->row_capacity)
        return true;
    size_t capacity = (data->row_count + more) * 2;
    gk_data_row *rows = realloc(data->rows, capacity * sizeof *rows);
    if (rows == NULL)
        return false;
    memset(rows + data->row_count, 0, (capacity - data->row_count) * sizeof *rows);
    data->rows = rows;
    data->row_capacity = capacity;
    return true;
}

/* Appends the rows of one CSV file of a table; only_unit >= 0 restricts it to one unit's
 * rows (a per-unit file). */
static gk_status load_table_file(gk_package *pkg, const gk_table_layout *layout,
                                 gk_table_data *data, const char *path, int only_unit,
                                 gk_diag *diag)
{
    gk_csv *csv = NULL;
    gk_status status = read_csv(path, &csv, diag);
    if (status != GK_OK)
        return status;

    /* header: unit_code, then the optional level, kind and unit_name, then the layout's
     * fields (computed ones optional) */
    enum { UNIT_CODE, LEVEL, KIND, UNIT_NAME, RESERVED };
    size_t name_count = layout->field_count + RESERVED;
    const char **names = calloc(name_count, sizeof *names);
    int *pos = calloc(name_count, sizeof *pos);
    if (names == NULL || pos == NULL) {
        status = nomem(diag, path);
        goto done;
    }
    names[UNIT_CODE] = "unit_code";
    names[LEVEL] = "level";
    names[KIND] = "kind";
    names[UNIT_NAME] = "unit_name";
    for (size_t f = 0; f < layout->field_count; f++)
        names[f + RESERVED] = layout->fields[f].key;
    status = map_header(path, &csv->records[0], names, name_count, pos, diag);
    for (size_t n = 0; status == GK_OK && n < name_count; n++)
        if (pos[n] < 0 && (n == UNIT_CODE || (n >= RESERVED && !layout->fields[n - RESERVED].optional)))
            status = missing_column(path, &csv->records[0], names[n], diag);
    if (status != GK_OK)
        goto done;

    if (!reserve_rows(data, csv->count)) {
        status = nomem(diag, path);
        goto done;
    }
    for (size_t r = 1; r < csv->count; r++) {
        const gk_csv_record *rec = &csv->records[r];
        gk_data_row *row = &data->rows[data->row_count];
        const gk_csv_field *code = &rec->fields[pos[0]];
        int unit = gk_package_unit_index(pkg, code->text);
        if (unit < 0) {
            status = gk_diag_set(diag, GK_ERR_DATA, path, code->line, code->column,
                                 "column 'unit_code': unit '%s' is not in units.csv", code->text);
            goto done;
        }
        if (only_unit >= 0 && unit != only_unit) {
            status = gk_diag_set(diag, GK_ERR_DATA, path, code->line, code->column,
                                 /* TRANSLATORS: a per-unit file tables/CODE/ID.csv; %s is the
                                  * unit code of its folder, '%s' the code found. */
                                 "column 'unit_code': this file holds the rows of unit %s only, "
                                 "found '%s'", pkg->units[only_unit].code, code->text);
            goto done;
        }
        memset(row, 0, sizeof *row);
        row->unit = (size_t)unit;
        row->file = path;
        row->line = rec->line;
        row->level = 1;
        if (pos[LEVEL] >= 0 &&
            (status = parse_level(path, &rec->fields[pos[LEVEL]], &row->level, diag)) != GK_OK)
            goto done;
        if (pos[KIND] >= 0 && (status = parse_kind(path, layout, &rec->fields[pos[KIND]], row,
                                                   diag)) != GK_OK)
            goto done;
        if (pos[UNIT_NAME] >= 0 && rec->fields[pos[UNIT_NAME]].len > 0) {
            const gk_csv_field *name = &rec->fields[pos[UNIT_NAME]];
            if ((status = check_text(path, name, "unit_name", diag)) != GK_OK)
                goto done;
            row->unit_name = gk_arena_strdup(&pkg->arena, name->text);
            row->unit_name_column = name->column;
        }
        gk_value *values = gk_arena_alloc(&pkg->arena, (layout->field_count + 1) * sizeof *values);
        int *columns = gk_arena_alloc(&pkg->arena, (layout->field_count + 1) * sizeof *columns);
        if (values == NULL || columns == NULL) {
            status = nomem(diag, path);
            goto done;
        }
        for (size_t f = 0; f < layout->field_count; f++) {
            if (pos[f + RESERVED] < 0) { /* an optional computed column the CSV leaves out */
                values[f] = (gk_value){.kind = GK_VALUE_BLANK, .decimals = (uint8_t)(layout->fields[f].decimals)};
                continue;
            }
            const gk_csv_field *field = &rec->fields[pos[f + RESERVED]];
            columns[f] = field->column;
            status = parse_value(path, field, &layout->fields[f], &pkg->arena, &values[f], diag);
            if (status != GK_OK)
                goto done;
        }
        row->values = values;
        row->columns = columns;
        if (layout->is_stub &&
            (status = check_stub_item(pkg, layout, path, data->rows, data->row_count,
                                      &rec->fields[pos[RESERVED]], diag)) != GK_OK)
            goto done;
        data->row_count++;
    }
done:
    free(names);
    free(pos);
    gk_csv_free(csv);
    return status;
}

/* The shared file tables/ID.csv (a missing file is an empty table; a broken one fails the
 * package). */
static gk_status load_table(gk_package *pkg, const gk_table_layout *layout, gk_table_data *data,
                            gk_diag *diag)
{
    data->layout = layout;
    data->path = gk_arena_printf(&pkg->arena, "%s/tables/%s.csv", pkg->dir, layout->id);
    if (data->path == NULL)
        return nomem(diag, pkg->dir);
    bool present;
    gk_status status = optional_file(data->path, &present, diag);
    if (status != GK_OK || !present)
        return status;
    return load_table_file(pkg, layout, data, data->path, -1, diag);
}

/* Records a unit's own failure; its rows loaded so far are dropped. */
static gk_status unit_failed(gk_package *pkg, gk_unit *unit, const gk_diag *diag)
{
    gk_diag *copy = gk_arena_alloc(&pkg->arena, sizeof *copy);
    if (copy == NULL)
        return GK_ERR_NOMEM;
    *copy = *diag;
    unit->failure = copy;
    size_t index = (size_t)(unit - pkg->units);
    for (size_t t = 0; t < pkg->profile->table_count; t++) {
        gk_table_data *data = &pkg->tables[t];
        size_t kept = 0;
        for (size_t r = 0; r < data->row_count; r++)
            if (data->rows[r].unit != index)
                data->rows[kept++] = data->rows[r];
        data->row_count = kept;
    }
    return GK_OK;
}

/* A unit's own input failed (status, unit_diag): the unit fails alone, unless memory ran out. */
static gk_status unit_input_failed(gk_package *pkg, size_t unit, gk_status status,
                                   const gk_diag *unit_diag, const char *path, gk_diag *diag)
{
    if (status == GK_ERR_NOMEM || unit_failed(pkg, &pkg->units[unit], unit_diag) != GK_OK)
        return nomem(diag, path);
    return GK_OK;
}

/* tables/CODE/ID.csv: a unit's rows kept apart, so that its bad data — or a broken file or
 * folder — fails it alone. */
static gk_status load_unit_tables(gk_package *pkg, size_t unit, gk_diag *diag)
{
    char *folder = gk_arena_printf(&pkg->arena, "%s/tables/%s", pkg->dir, pkg->units[unit].code);
    if (folder == NULL)
        return nomem(diag, pkg->dir);
    gk_diag unit_diag;
    gk_diag_clear(&unit_diag);
    gk_input_state state;
    gk_status status = gk_input_probe(folder, GK_INPUT_FOLDER, &state, &unit_diag);
    if (status != GK_OK)
        return unit_input_failed(pkg, unit, status, &unit_diag, folder, diag);
    if (state == GK_INPUT_ABSENT)
        return GK_OK;
    for (size_t t = 0; t < pkg->profile->table_count; t++) {
        gk_table_data *data = &pkg->tables[t];
        char *path = gk_arena_printf(&pkg->arena, "%s/%s.csv", folder, data->layout->id);
        if (path == NULL)
            return nomem(diag, pkg->dir);
        bool present;
        status = optional_file(path, &present, &unit_diag);
        if (status == GK_OK && present)
            status = load_table_file(pkg, data->layout, data, path, (int)unit, &unit_diag);
        if (status != GK_OK)
            return unit_input_failed(pkg, unit, status, &unit_diag, path, diag);
    }
    return GK_OK;
}

/* ---- files nobody reads ------------------------------------------------------------------ */

/* message is already translated. */
static void warn(gk_package *pkg, const char *path, const char *message)
{
    gk_diag *grown = realloc(pkg->warnings, (pkg->warning_count + 1) * sizeof *grown);
    if (grown == NULL)
        return;
    pkg->warnings = grown;
    gk_diag_set_text(&pkg->warnings[pkg->warning_count++], GK_ERR_DATA, path, 0, 0, message);
}

/* A misnamed file in tables/ would silently lose its rows: name it. */
static void warn_unknown_tables(gk_package *pkg)
{
    char dir[GK_DIAG_FILE_MAX];
    snprintf(dir, sizeof dir, "%s/tables", pkg->dir);
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[GK_DIAG_FILE_MAX + 300];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (gk_package_unit_index(pkg, e->d_name) >= 0)
            continue; /* a unit's folder: load_unit_tables reads it, or reports it broken */
        gk_input_state state;
        if (gk_input_probe(path, GK_INPUT_FOLDER, &state, NULL) == GK_OK &&
            state == GK_INPUT_PRESENT) {
            warn(pkg, path, _("ignored: a folder for unit rows, but no such unit in units.csv"));
            continue;
        }
        size_t len = strlen(e->d_name);
        bool known = false;
        for (size_t t = 0; t < pkg->profile->table_count && !known; t++) {
            const char *id = pkg->profile->tables[t].id;
            known = len == strlen(id) + 4 && strncmp(e->d_name, id, strlen(id)) == 0 &&
                    strcmp(e->d_name + len - 4, ".csv") == 0;
        }
        if (!known)
            /* TRANSLATORS: tables/ID.csv is the file name pattern: keep it. */
            warn(pkg, path, _("ignored: not a table of the profile (tables/ID.csv)"));
    }
    if (d)
        closedir(d);
}

/* ---- not_supplied.csv --------------------------------------------------------------- */

static size_t table_index(const gk_package *pkg, const gk_table_layout *layout)
{
    return (size_t)(layout - pkg->profile->tables);
}

/* By unit, then table (layouts are one array: profile->tables). */
static int compare_not_supplied(const void *a, const void *b)
{
    const gk_not_supplied *x = a, *y = b;
    if (x->unit != y->unit)
        return x->unit < y->unit ? -1 : 1;
    return x->layout < y->layout ? -1 : x->layout > y->layout;
}

static void sort_not_supplied(gk_package *pkg)
{
    if (pkg->not_supplied_count > 1)
        qsort(pkg->not_supplied, pkg->not_supplied_count, sizeof *pkg->not_supplied,
              compare_not_supplied);
}

static bool add_not_supplied(gk_package *pkg, size_t *capacity, gk_not_supplied entry)
{
    if (!gk_grow((void **)&pkg->not_supplied, capacity, pkg->not_supplied_count,
                 sizeof *pkg->not_supplied, 16))
        return false;
    pkg->not_supplied[pkg->not_supplied_count++] = entry;
    return true;
}

/* The entry (+1) of a table not supplied that fixed-row table s derives an item from, else 0;
 * at[t] is the entry (+1) of table t for the unit, or 0. */
static size_t derived_from_not_supplied(const gk_package *pkg, const gk_table_layout *s,
                                        const size_t *at)
{
    for (size_t i = 0; s->is_stub && i < s->item_count; i++) {
        const gk_query *query = s->item_sources[i].query;
        for (size_t k = 0; query && k < query->count; k++)
            if (query->terms[k].kind != GK_TERM_PRIOR &&
                at[table_index(pkg, query->terms[k].table)] != 0)
                return at[table_index(pkg, query->terms[k].table)];
    }
    return 0;
}

/* A fixed-row table derived from a table not supplied cannot be derived: it is not supplied
 * either. The declarations come sorted by unit; derived ones are appended, then all sorted
 * again. */
static gk_status derive_not_supplied(gk_package *pkg, size_t *capacity, gk_diag *diag)
{
    size_t tables = pkg->profile->table_count;
    size_t *at = calloc(tables + 1, sizeof *at);
    if (at == NULL)
        return nomem(diag, pkg->not_supplied_path);
    size_t declared = pkg->not_supplied_count;
    for (size_t i = 0; i < declared;) {
        size_t unit = pkg->not_supplied[i].unit;
        memset(at, 0, tables * sizeof *at);
        for (; i < declared && pkg->not_supplied[i].unit == unit; i++)
            at[table_index(pkg, pkg->not_supplied[i].layout)] = i + 1;
        for (bool changed = true; changed;) { /* fixed-row tables may derive from each other */
            changed = false;
            for (size_t t = 0; t < tables; t++) {
                const gk_table_layout *table = &pkg->profile->tables[t];
                size_t source = at[t] ? 0 : derived_from_not_supplied(pkg, table, at);
                if (source == 0)
                    continue;
                const gk_not_supplied *from = &pkg->not_supplied[source - 1];
                gk_not_supplied entry = {unit, table, from->layout, from->line, from->column};
                if (!add_not_supplied(pkg, capacity, entry)) {
                    free(at);
                    return nomem(diag, pkg->not_supplied_path);
                }
                at[t] = pkg->not_supplied_count;
                changed = true;
            }
        }
    }
    free(at);
    sort_not_supplied(pkg);
    return GK_OK;
}

/* A table not supplied has no rows: a row for it is a contradiction, not data to drop. */
static gk_status check_no_rows_where_not_supplied(const gk_package *pkg, gk_diag *diag)
{
    for (size_t t = 0; pkg->not_supplied_count > 0 && t < pkg->profile->table_count; t++) {
        const gk_table_data *data = &pkg->tables[t];
        for (size_t r = 0; r < data->row_count; r++) {
            const gk_data_row *row = &data->rows[r];
            const gk_not_supplied *ns = gk_package_not_supplied(pkg, row->unit, data->layout);
            if (ns == NULL)
                continue;
            if (ns->because != NULL)
                return gk_diag_set(diag, GK_ERR_DATA, row->file, row->line, 1,
                                   /* TRANSLATORS: a table number (公开表1), a unit code, the
                                      number of the table it derives from, then the file and
                                      line that declare that one not supplied. */
                                   "%s: expected no rows for unit %s (derived from %s, which "
                                   "%s:%d declares not supplied), found one",
                                   data->layout->number, pkg->units[row->unit].code,
                                   ns->because->number, pkg->not_supplied_path, ns->line);
            return gk_diag_set(diag, GK_ERR_DATA, row->file, row->line, 1,
                               /* TRANSLATORS: a table number (公开表7), a unit code, then the
                                  file and line that declare the table not supplied. */
                               "%s: expected no rows for unit %s (%s:%d declares the table not "
                               "supplied), found one",
                               data->layout->number, pkg->units[row->unit].code,
                               pkg->not_supplied_path, ns->line);
        }
    }
    return GK_OK;
}

/* Sorted declarations: a table given twice for a unit is reported at its later line. */
static gk_status check_declared_once(const gk_package *pkg, gk_diag *diag)
{
    for (size_t i = 1; i < pkg->not_supplied_count; i++) {
        const gk_not_supplied *a = &pkg->not_supplied[i - 1], *b = &pkg->not_supplied[i];
        if (a->unit != b->unit || a->layout != b->layout)
            continue;
        const gk_not_supplied *first = a->line < b->line ? a : b, *later = first == a ? b : a;
        return gk_diag_set(diag, GK_ERR_DATA, pkg->not_supplied_path, later->line, later->column,
                           /* TRANSLATORS: a table id, a unit code and a line number. */
                           "table '%s' given twice for unit %s (first on line %d)",
                           later->layout->id, pkg->units[later->unit].code, first->line);
    }
    return GK_OK;
}

/* Reads the package's optional file NAME: *path gets its path, *csv stays NULL when the file
 * is absent. */
static gk_status read_optional_csv(gk_package *pkg, const char *name, const char **path,
                                   gk_csv **csv, gk_diag *diag)
{
    char *full = gk_arena_printf(&pkg->arena, "%s/%s", pkg->dir, name);
    if (full == NULL)
        return nomem(diag, pkg->dir);
    *path = full;
    bool present;
    gk_status status = optional_file(full, &present, diag);
    if (status != GK_OK || !present)
        return status;
    return read_csv(full, csv, diag);
}

/* not_supplied.csv (optional): `unit_code,table`, one row per table a unit does not supply. */
static gk_status load_not_supplied(gk_package *pkg, gk_diag *diag)
{
    gk_csv *csv = NULL;
    gk_status status = read_optional_csv(pkg, "not_supplied.csv", &pkg->not_supplied_path, &csv,
                                         diag);
    if (status != GK_OK || csv == NULL)
        return status;
    const char *path = pkg->not_supplied_path;
    static const char *const names[] = {"unit_code", "table"};
    int pos[2];
    status = map_header(path, &csv->records[0], names, 2, pos, diag);
    for (size_t n = 0; status == GK_OK && n < 2; n++)
        if (pos[n] < 0)
            status = missing_column(path, &csv->records[0], names[n], diag);
    size_t capacity = 0;
    for (size_t r = 1; status == GK_OK && r < csv->count; r++) {
        const gk_csv_field *code = &csv->records[r].fields[pos[0]];
        const gk_csv_field *id = &csv->records[r].fields[pos[1]];
        int unit = gk_package_unit_index(pkg, code->text);
        const gk_table_layout *layout = gk_profile_table(pkg->profile, id->text);
        if (unit < 0)
            status = gk_diag_set(diag, GK_ERR_DATA, path, code->line, code->column,
                                 "column 'unit_code': unit '%s' is not in units.csv", code->text);
        else if (layout == NULL)
            status = gk_diag_set(diag, GK_ERR_DATA, path, id->line, id->column,
                                 /* TRANSLATORS: '%s' is the profile's folder, then what the
                                    file says. */
                                 "column 'table': expected a table id of the profile %s, "
                                 "found '%s'", pkg->profile->dir, id->text);
        else if (!add_not_supplied(pkg, &capacity,
                                   (gk_not_supplied){(size_t)unit, layout, NULL, id->line,
                                                     id->column}))
            status = nomem(diag, path);
    }
    gk_csv_free(csv);
    if (status != GK_OK)
        return status;
    sort_not_supplied(pkg);
    if ((status = check_declared_once(pkg, diag)) != GK_OK)
        return status;
    return derive_not_supplied(pkg, &capacity, diag);
}

/* ---- prior.csv ---------------------------------------------------------------------- */

static gk_status load_prior(gk_package *pkg, gk_diag *diag)
{
    gk_csv *csv = NULL;
    gk_status status = read_optional_csv(pkg, "prior.csv", &pkg->prior_path, &csv, diag);
    if (status != GK_OK || csv == NULL)
        return status;
    const char *path = pkg->prior_path;
    static const char *const names[] = {"unit_code", "key", "amount"};
    int pos[3];
    status = map_header(path, &csv->records[0], names, 3, pos, diag);
    for (size_t n = 0; status == GK_OK && n < 3; n++)
        if (pos[n] < 0)
            status = missing_column(path, &csv->records[0], names[n], diag);
    if (status == GK_OK) {
        pkg->priors = gk_arena_alloc(&pkg->arena, csv->count * sizeof *pkg->priors);
        if (pkg->priors == NULL)
            status = nomem(diag, path);
    }
    static const gk_field amount = {"amount", GK_TYPE_AMOUNT, 0, false};
    for (size_t r = 1; status == GK_OK && r < csv->count; r++) {
        const gk_csv_record *rec = &csv->records[r];
        const gk_csv_field *code = &rec->fields[pos[0]], *key = &rec->fields[pos[1]];
        int unit = gk_package_unit_index(pkg, code->text);
        if (unit < 0) {
            status = gk_diag_set(diag, GK_ERR_DATA, path, code->line, code->column,
                                 "column 'unit_code': unit '%s' is not in units.csv", code->text);
            break;
        }
        gk_field spec = amount;
        spec.decimals = pkg->profile->amount_decimals;
        gk_value value;
        if ((status = parse_value(path, &rec->fields[pos[2]], &spec, &pkg->arena, &value, diag)) != GK_OK)
            break;
        if (key->len == 0 || value.kind != GK_VALUE_NUMBER) {
            const gk_csv_field *bad = key->len == 0 ? key : &rec->fields[pos[2]];
            status = gk_diag_set(diag, GK_ERR_PARSE, path, bad->line, bad->column,
                                 "column '%s': expected a value, found an empty field",
                                 key->len == 0 ? "key" : "amount");
            break;
        }
        for (size_t i = 0; i < pkg->prior_count; i++)
            if (pkg->priors[i].unit == (size_t)unit && strcmp(pkg->priors[i].key, key->text) == 0) {
                status = gk_diag_set(diag, GK_ERR_DATA, path, key->line, key->column,
                                     /* TRANSLATORS: '%s' is a key of prior.csv, then a unit
                                      * code. */
                                     "key '%s' given twice for unit %s (first on line %d)",
                                     key->text, code->text, pkg->priors[i].line);
                break;
            }
        if (status != GK_OK)
            break;
        pkg->priors[pkg->prior_count++] =
            (gk_prior){(size_t)unit, gk_arena_strdup(&pkg->arena, key->text), value.number, rec->line};
    }
    gk_csv_free(csv);
    return status;
}

/* ---- narrative --------------------------------------------------------------------- */

static gk_status load_narrative(gk_package *pkg, gk_unit *unit, gk_diag *diag)
{
    const gk_profile *profile = pkg->profile;
    unit->narrative = gk_arena_alloc(&pkg->arena, (profile->part_count + 1) * sizeof(char *));
    unit->narrative_path = gk_arena_alloc(&pkg->arena, (profile->part_count + 1) * sizeof(char *));
    if (unit->narrative == NULL || unit->narrative_path == NULL)
        return nomem(diag, pkg->dir);
    for (size_t part = 0; part < profile->part_count; part++) {
        if (profile->parts[part].narrative == NULL)
            continue;
        char *path = gk_arena_printf(&pkg->arena, "%s/narrative/%s/%s.md", pkg->dir, unit->code,
                                     profile->parts[part].narrative);
        if (path == NULL)
            return nomem(diag, pkg->dir);
        unit->narrative_path[part] = path;
        gk_diag unit_diag;
        gk_diag_clear(&unit_diag);
        bool present;
        gk_status status = optional_file(path, &present, &unit_diag);
        if (status == GK_OK && !present)
            continue;
        char *text = NULL;
        size_t len = 0;
        if (status == GK_OK)
            status = gk_text_load(path, &text, &len, NULL, &unit_diag);
        if (status != GK_OK)
            return unit_input_failed(pkg, (size_t)(unit - pkg->units), status, &unit_diag, path,
                                     diag);
        unit->narrative[part] = gk_arena_strndup(&pkg->arena, text, len);
        free(text);
        if (unit->narrative[part] == NULL)
            return nomem(diag, path);
    }
    return GK_OK;
}

/* ---- rows by unit ------------------------------------------------------------------- */

/* Groups each table's row indexes by unit (a counting sort: O(rows)). */
static gk_status index_rows(gk_package *pkg, gk_diag *diag)
{
    for (size_t t = 0; t < pkg->profile->table_count; t++) {
        gk_table_data *data = &pkg->tables[t];
        data->unit_start = calloc(pkg->unit_count + 2, sizeof *data->unit_start);
        data->by_unit = calloc(data->row_count + 1, sizeof *data->by_unit);
        if (data->unit_start == NULL || data->by_unit == NULL)
            return nomem(diag, pkg->dir);
        for (size_t r = 0; r < data->row_count; r++)
            data->unit_start[data->rows[r].unit + 2]++;
        for (size_t u = 2; u <= pkg->unit_count + 1; u++)
            data->unit_start[u] += data->unit_start[u - 1];
        for (size_t r = 0; r < data->row_count; r++)
            data->by_unit[data->unit_start[data->rows[r].unit + 1]++] = r;
    }
    return GK_OK;
}

static int compare_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

gk_status gk_package_view(const gk_package *package, const size_t *units, size_t count,
                          gk_package **view, gk_diag *diag)
{
    *view = NULL;
    gk_package *v = calloc(1, sizeof *v);
    size_t tables = package->profile->table_count;
    gk_table_data *data = v ? calloc(tables + 1, sizeof *data) : NULL;
    if (data == NULL) {
        free(v);
        return nomem(diag, package->dir);
    }
    *v = *package;
    memset(&v->arena, 0, sizeof v->arena); /* the view owns no strings */
    v->tables = data;
    for (size_t t = 0; t < tables; t++) {
        const gk_table_data *all = &package->tables[t];
        size_t rows = 0;
        if (all->unit_start == NULL) { /* a view of a view: it is small, filter it */
            rows = all->row_count;
        } else {
            for (size_t i = 0; i < count; i++)
                rows += all->unit_start[units[i] + 1] - all->unit_start[units[i]];
        }
        data[t] = (gk_table_data){all->layout, all->path, calloc(rows + 1, sizeof(gk_data_row)),
                                  0, rows, NULL, NULL};
        if (data[t].rows == NULL) {
            gk_package_view_free(v);
            return nomem(diag, package->dir);
        }
        /* the units' rows, back in file order (each unit's group already is) */
        size_t *picked = calloc(rows + 1, sizeof *picked);
        if (picked == NULL) {
            gk_package_view_free(v);
            return nomem(diag, package->dir);
        }
        size_t n = 0;
        for (size_t i = 0; i < count; i++) {
            if (all->unit_start == NULL) {
                for (size_t r = 0; r < all->row_count; r++)
                    if (all->rows[r].unit == units[i])
                        picked[n++] = r;
                continue;
            }
            for (size_t k = all->unit_start[units[i]]; k < all->unit_start[units[i] + 1]; k++)
                picked[n++] = all->by_unit[k];
        }
        if (count > 1)
            qsort(picked, n, sizeof *picked, compare_size);
        for (size_t k = 0; k < n; k++)
            data[t].rows[data[t].row_count++] = all->rows[picked[k]];
        free(picked);
    }
    *view = v;
    return GK_OK;
}

void gk_package_view_free(gk_package *view)
{
    if (view == NULL)
        return;
    for (size_t t = 0; t < view->profile->table_count; t++)
        free(view->tables[t].rows);
    free(view->tables);
    free(view);
}

static const char *units_path(gk_package *pkg)
{
    const char *path = gk_arena_printf(&pkg->arena, "%s/units.csv", pkg->dir);
    return path ? path : "units.csv";
}

/* ---- the package ------------------------------------------------------------------- */

/* The profile units.csv names, as a folder of layouts_root: a missing one is "no profile", a
 * broken one (a dangling link, a file) names itself. */
static gk_status check_profile_folder(gk_package *pkg, const char *folder,
                                      const char *layouts_root, gk_diag *diag)
{
    gk_input_state state;
    gk_status status = gk_input_probe(folder, GK_INPUT_FOLDER, &state, diag);
    if (status != GK_OK || state == GK_INPUT_PRESENT)
        return status;
    return gk_diag_set(diag, GK_ERR_DATA, units_path(pkg), pkg->units[0].line,
                       pkg->units[0].profile_column,
                       /* TRANSLATORS: '%s' is a profile name, then the folder of profiles. */
                       "column 'profile': no profile '%s' in %s", pkg->units[0].profile,
                       layouts_root);
}

gk_status gk_package_load(const char *dir, const char *profile_dir, const char *layouts_root,
                          gk_package **out, gk_diag *diag)
{
    *out = NULL;
    gk_package *pkg = calloc(1, sizeof *pkg);
    if (pkg == NULL)
        return nomem(diag, dir);
    pkg->dir = gk_arena_strdup(&pkg->arena, dir);
    gk_status status = pkg->dir ? load_units(pkg, diag) : nomem(diag, dir);

    if (status == GK_OK) {
        char *resolved = profile_dir
                             ? gk_arena_strdup(&pkg->arena, profile_dir)
                             : gk_arena_printf(&pkg->arena, "%s/%s", layouts_root,
                                               pkg->units[0].profile);
        if (resolved == NULL)
            status = nomem(diag, dir);
        else if (profile_dir == NULL && (strchr(pkg->units[0].profile, '/') ||
                                         strcmp(pkg->units[0].profile, "..") == 0))
            status = gk_diag_set(diag, GK_ERR_DATA, units_path(pkg), pkg->units[0].line,
                                 pkg->units[0].profile_column,
                                 "column 'profile': expected a profile name, found '%s'",
                                 pkg->units[0].profile);
        else {
            if (profile_dir == NULL)
                status = check_profile_folder(pkg, resolved, layouts_root, diag);
            if (status == GK_OK)
                status = gk_profile_load(resolved, &pkg->profile, diag);
        }
    }
    if (status == GK_OK) {
        pkg->tables = gk_arena_alloc(&pkg->arena,
                                     (pkg->profile->table_count + 1) * sizeof *pkg->tables);
        if (pkg->tables == NULL)
            status = nomem(diag, dir);
    }
    if (status == GK_OK)
        status = load_not_supplied(pkg, diag);
    for (size_t t = 0; status == GK_OK && t < pkg->profile->table_count; t++)
        status = load_table(pkg, &pkg->profile->tables[t], &pkg->tables[t], diag);
    for (size_t u = 0; status == GK_OK && u < pkg->unit_count; u++)
        status = load_unit_tables(pkg, u, diag);
    for (size_t t = 0; status == GK_OK && t < pkg->profile->table_count; t++)
        apply_fill_down(pkg->tables[t].layout, pkg->tables[t].rows, pkg->tables[t].row_count);
    if (status == GK_OK)
        status = check_no_rows_where_not_supplied(pkg, diag);
    if (status == GK_OK)
        status = index_rows(pkg, diag);
    for (size_t u = 0; status == GK_OK && u < pkg->unit_count; u++)
        if (pkg->units[u].failure == NULL)
            status = load_narrative(pkg, &pkg->units[u], diag);
    if (status == GK_OK)
        status = load_prior(pkg, diag);
    if (status == GK_OK)
        warn_unknown_tables(pkg);

    if (status != GK_OK) {
        gk_package_free(pkg);
        return status;
    }
    *out = pkg;
    return GK_OK;
}

void gk_package_free(gk_package *package)
{
    if (package == NULL)
        return;
    for (size_t t = 0; package->tables && package->profile && t < package->profile->table_count; t++) {
        free(package->tables[t].rows);
        free(package->tables[t].by_unit);
        free(package->tables[t].unit_start);
    }
    gk_profile_free(package->profile);
    gk_arena_free(&package->arena);
    free(package->warnings);
    free(package->not_supplied);
    free(package);
}

const gk_table_data *gk_package_table(const gk_package *package, const gk_table_layout *layout)
{
    for (size_t t = 0; t < package->profile->table_count; t++)
        if (package->tables[t].layout == layout)
            return &package->tables[t];
    return NULL;
}

const gk_not_supplied *gk_package_not_supplied(const gk_package *package, size_t unit,
                                               const gk_table_layout *layout)
{
    gk_not_supplied key = {.unit = unit, .layout = layout};
    if (package->not_supplied_count == 0) /* most packages: every table supplied */
        return NULL;
    return bsearch(&key, package->not_supplied, package->not_supplied_count,
                   sizeof *package->not_supplied, compare_not_supplied);
}

int gk_package_unit_index(const gk_package *package, const char *code)
{
    if (package->unit_order == NULL) { /* while units.csv is read */
        for (size_t u = 0; u < package->unit_count; u++)
            if (strcmp(package->units[u].code, code) == 0)
                return (int)u;
        return -1;
    }
    size_t lo = 0, hi = package->unit_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(package->units[package->unit_order[mid]].code, code);
        if (cmp == 0)
            return (int)package->unit_order[mid];
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

static const gk_unit *sort_units; /* qsort has no context argument */
static int compare_unit_codes(const void *a, const void *b)
{
    return strcmp(sort_units[*(const size_t *)a].code, sort_units[*(const size_t *)b].code);
}

static int compare_unit_codes_nocase(const void *a, const void *b)
{
    return strcasecmp(sort_units[*(const size_t *)a].code, sort_units[*(const size_t *)b].code);
}

/* Sorts unit indexes by code; duplicates are reported here, with their lines. */
static gk_status order_units(gk_package *pkg, const char *path, gk_diag *diag)
{
    pkg->unit_order = gk_arena_alloc(&pkg->arena, (pkg->unit_count + 1) * sizeof *pkg->unit_order);
    if (pkg->unit_order == NULL)
        return nomem(diag, path);
    for (size_t u = 0; u < pkg->unit_count; u++)
        pkg->unit_order[u] = u;
    sort_units = pkg->units;
    qsort(pkg->unit_order, pkg->unit_count, sizeof *pkg->unit_order, compare_unit_codes);
    for (size_t i = 1; i < pkg->unit_count; i++) {
        const gk_unit *a = &pkg->units[pkg->unit_order[i - 1]], *b = &pkg->units[pkg->unit_order[i]];
        if (strcmp(a->code, b->code) == 0) {
            const gk_unit *later = a->line > b->line ? a : b;
            return gk_diag_set(diag, GK_ERR_DATA, path, later->line, 1,
                               "duplicate unit code '%s'", later->code);
        }
    }
    /* codes that differ only in case name the same file on SMB and NTFS shares */
    size_t *nocase = malloc((pkg->unit_count + 1) * sizeof *nocase);
    if (nocase == NULL)
        return nomem(diag, path);
    memcpy(nocase, pkg->unit_order, pkg->unit_count * sizeof *nocase);
    qsort(nocase, pkg->unit_count, sizeof *nocase, compare_unit_codes_nocase);
    gk_status status = GK_OK;
    for (size_t i = 1; i < pkg->unit_count && status == GK_OK; i++) {
        const gk_unit *a = &pkg->units[nocase[i - 1]], *b = &pkg->units[nocase[i]];
        if (strcasecmp(a->code, b->code) == 0) {
            const gk_unit *first = a->line < b->line ? a : b, *later = first == a ? b : a;
            status = gk_diag_set(diag, GK_ERR_DATA, path, later->line, 1,
                                 "units '%s' (line %d) and '%s' differ only in case: their output "
                                 "files would collide", first->code, first->line, later->code);
        }
    }
    free(nocase);
    return status;
}

size_t gk_value_format(const gk_value *value, char *buf, size_t size)
{
    switch (value->kind) {
    case GK_VALUE_NUMBER:
        return gk_decimal_format(value->number, value->decimals, buf, size);
    case GK_VALUE_TEXT:
        return (size_t)snprintf(buf, size, "%s", value->text);
    case GK_VALUE_BLANK:
        break;
    }
    if (size > 0)
        buf[0] = '\0';
    return 0;
}
