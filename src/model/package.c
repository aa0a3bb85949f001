/* Loading a budget package (docs/package.md) into typed rows; see package.h. */
#define _GNU_SOURCE /* pread */
#include "model/package.h"

#include <dirent.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "input/input.h"
#include "layout/query.h"
#include "model/figures.h"
#include "model/table_scan.h"
#include "util/grow.h"
#include "util/input_file.h"
#include "util/i18n.h"
#include "util/sha256.h"
#include "util/task.h"

enum { MAX_UNITS = 100000, MAX_LEVEL = GK_MAX_LEVEL };


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

/* ---- a table file's records ------------------------------------------------------------ */

/* A table file's columns before the layout's fields: unit_code, then the optional level, kind
 * and unit_name. */
enum { UNIT_CODE, LEVEL, KIND, UNIT_NAME, RESERVED };

/* pos[n]: the position of column n (RESERVED + f for field f), -1 for an optional column the
 * file leaves out. */
static gk_status map_table_header(const char *path, const gk_table_layout *layout,
                                  const gk_csv_record *header, int *pos, gk_diag *diag)
{
    size_t name_count = layout->field_count + RESERVED;
    const char **names = calloc(name_count, sizeof *names);
    if (names == NULL)
        return nomem(diag, path);
    names[UNIT_CODE] = "unit_code";
    names[LEVEL] = "level";
    names[KIND] = "kind";
    names[UNIT_NAME] = "unit_name";
    for (size_t f = 0; f < layout->field_count; f++)
        names[f + RESERVED] = layout->fields[f].key;
    gk_status status = map_header(path, header, names, name_count, pos, diag);
    for (size_t n = 0; status == GK_OK && n < name_count; n++)
        if (pos[n] < 0 && (n == UNIT_CODE || (n >= RESERVED && !layout->fields[n - RESERVED].optional)))
            status = missing_column(path, header, names[n], diag);
    free(names);
    return status;
}

static int *new_positions(const gk_table_layout *layout)
{
    return calloc(layout->field_count + RESERVED, sizeof(int));
}

/* The level of a data row from its code, when the layout says so (`levels: {code: [3, 5,
 * 7]}`): the place of the code's length among the lengths. A row without a code, or with a
 * code of no listed length, keeps the level it was given (1 by default; none given is an
 * error for such a code); a level given beside a well-formed code must be the code's. */
static gk_status level_from_code(const char *path, const gk_table_layout *layout,
                                 const int *pos, const gk_csv_record *rec, gk_data_row *row,
                                 gk_diag *diag)
{
    const gk_value *code = &row->values[layout->level_field];
    if (code->kind != GK_VALUE_TEXT || row->computed) /* a 合计 the package states has none */
        return GK_OK;
    const gk_csv_field *field = &rec->fields[pos[layout->level_field + RESERVED]];
    size_t length = strspn(code->text, "0123456789");
    int level = 0;
    for (size_t i = 0; code->text[length] == '\0' && i < layout->level_length_count; i++)
        if ((size_t)layout->level_lengths[i] == length)
            level = (int)i + 1;
    const gk_csv_field *given = pos[LEVEL] >= 0 ? &rec->fields[pos[LEVEL]] : NULL;
    bool stated = given != NULL && given->len > 0;
    if (level == 0 && stated)
        return GK_OK; /* the level given stands; a `codes` rule reports the code */
    char expected[320];
    if (level == 0)
        return gk_diag_set(diag, GK_ERR_PARSE, path, field->line, field->column,
                           /* TRANSLATORS: a column key, then what the code should be ("3, 5
                              or 7 digits"), then the code as written. */
                           "column '%s': expected a code of %s (its length gives the row's "
                           "level), found '%s'", layout->fields[layout->level_field].key,
                           gk_code_lengths_text(layout->level_lengths,
                                                layout->level_length_count, expected,
                                                sizeof expected),
                           code->text);
    if (stated && row->level != level)
        return gk_diag_set(diag, GK_ERR_DATA, path, given->line, given->column,
                           /* TRANSLATORS: a level (2), the code that gives it and its number
                              of digits, then the level the file gives. */
                           "column 'level': expected %d, the level of code '%s' (%zu digits), "
                           "found '%s'", level, code->text, length, given->text);
    row->level = level;
    return GK_OK;
}

/* A record's level, kind, unit name and values into row (the caller sets its unit); strings go
 * into the package's arena. */
static gk_status read_row(gk_package *pkg, const gk_table_layout *layout, const char *path,
                          const int *pos, const gk_csv_record *rec, gk_data_row *row,
                          gk_diag *diag)
{
    row->file = path;
    row->line = rec->line;
    row->level = 1;
    gk_status status;
    if (pos[LEVEL] >= 0 &&
        (status = parse_level(path, &rec->fields[pos[LEVEL]], &row->level, diag)) != GK_OK)
        return status;
    if (pos[KIND] >= 0 &&
        (status = parse_kind(path, layout, &rec->fields[pos[KIND]], row, diag)) != GK_OK)
        return status;
    if (pos[UNIT_NAME] >= 0 && rec->fields[pos[UNIT_NAME]].len > 0) {
        const gk_csv_field *name = &rec->fields[pos[UNIT_NAME]];
        if ((status = check_text(path, name, "unit_name", diag)) != GK_OK)
            return status;
        row->unit_name = gk_arena_strdup(&pkg->arena, name->text);
        row->unit_name_column = name->column;
    }
    gk_value *values = gk_arena_alloc(&pkg->arena, (layout->field_count + 1) * sizeof *values);
    int *columns = gk_arena_alloc(&pkg->arena, (layout->field_count + 1) * sizeof *columns);
    if (values == NULL || columns == NULL)
        return nomem(diag, path);
    for (size_t f = 0; f < layout->field_count; f++) {
        if (pos[f + RESERVED] < 0) { /* an optional computed column the CSV leaves out */
            values[f] = (gk_value){.kind = GK_VALUE_BLANK,
                                   .decimals = (uint8_t)(layout->fields[f].decimals)};
            continue;
        }
        const gk_csv_field *field = &rec->fields[pos[f + RESERVED]];
        columns[f] = field->column;
        status = parse_value(path, field, &layout->fields[f], &pkg->arena, &values[f], diag);
        if (status != GK_OK)
            return status;
    }
    row->values = values;
    row->columns = columns;
    return layout->level_field >= 0 ? level_from_code(path, layout, pos, rec, row, diag) : GK_OK;
}

/* For stub tables: the item must be one of the layout's items or derived values (a derived
 * value as printed elsewhere, only checked), once per unit. first_lines: per value, the line
 * where the unit gave it (0: not yet). */
static gk_status check_stub_item(const gk_package *pkg, const gk_table_layout *layout,
                                 const char *path, const gk_data_row *row, int *first_lines,
                                 const gk_csv_field *field, gk_diag *diag)
{
    const gk_value *item = &row->values[0];
    size_t i = 0;
    while (item->kind == GK_VALUE_TEXT && i < layout->value_count &&
           strcmp(layout->value_ids[i], item->text) != 0)
        i++;
    if (item->kind != GK_VALUE_TEXT || i == layout->value_count)
        return gk_diag_set(diag, GK_ERR_PARSE, path, field->line, field->column,
                           /* TRANSLATORS: '%s' is the item id found, then come the table id and
                            * the table's layout file. */
                           "column 'item': '%s' is not an item or a derived value of table %s "
                           "(see %s)",
                           item->kind == GK_VALUE_TEXT ? item->text : "", layout->id, layout->path);
    if (first_lines[i] != 0)
        return gk_diag_set(diag, GK_ERR_DATA, path, field->line, field->column,
                           "item '%s' given twice for unit %s (first on line %d)", item->text,
                           pkg->units[row->unit].code, first_lines[i]);
    first_lines[i] = row->line;
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

/* A row of a table the unit does not supply: a contradiction, not data to drop. */
static gk_status not_supplied_row(const gk_package *pkg, const gk_table_layout *layout,
                                  const char *unit_code, const char *file, int line,
                                  const gk_not_supplied *ns, gk_diag *diag)
{
    if (ns->because != NULL)
        return gk_diag_set(diag, GK_ERR_DATA, file, line, 1,
                           /* TRANSLATORS: a table number (公开表1), a unit code, the
                              number of the table it derives from, then the file and
                              line that declare that one not supplied. */
                           "%s: expected no rows for unit %s (derived from %s, which "
                           "%s:%d declares not supplied), found one",
                           layout->number, unit_code, ns->because->number,
                           pkg->not_supplied_path, ns->line);
    return gk_diag_set(diag, GK_ERR_DATA, file, line, 1,
                       /* TRANSLATORS: a table number (公开表7), a unit code, then the
                          file and line that declare the table not supplied. */
                       "%s: expected no rows for unit %s (%s:%d declares the table not "
                       "supplied), found one",
                       layout->number, unit_code, pkg->not_supplied_path, ns->line);
}

static gk_status file_changed(const char *path, gk_diag *diag)
{
    return gk_diag_set(diag, GK_ERR_IO, path, 0, 0,
                       "the file changed while the package was being read");
}

/* ---- the index: where each unit's rows lie ------------------------------------------------ */

/* Consecutive rows of one unit in a shared table file. */
typedef struct row_run {
    uint32_t offset, length; /* bytes (a file has at most GK_INPUT_MAX_BYTES) */
    int32_t line;            /* where its first row starts */
} row_run;

/* What a file was when it was indexed: its rows are where the index says only while it is the
 * same file. */
typedef struct file_stamp {
    dev_t device;
    ino_t inode;
    off_t size;
    struct timespec modified;
    struct timespec changed; /* set by the system at every write, whatever mtime is set to */
} file_stamp;

typedef struct table_runs {
    bool present;            /* the shared file exists */
    gk_encoding encoding;
    uint32_t header_length;  /* bytes from the file's start to the end of its header row */
    file_stamp stamp;
    char sha256[65];         /* of the bytes the scan read ("" when unknown) */
    row_run *runs;           /* grouped by unit, each unit's in file order */
    uint32_t *unit_first;    /* unit u's runs: runs[unit_first[u] .. unit_first[u + 1]) */
} table_runs;

struct gk_package_index {
    table_runs *tables;           /* parallel to profile->tables */
    size_t *not_supplied_first;   /* per unit: its first entry of not_supplied */
    bool *noted;                  /* per unit: whether its rows' places were kept */
};

static file_stamp stamp_of(const struct stat *st)
{
    return (file_stamp){st->st_dev, st->st_ino, st->st_size, st->st_mtim, st->st_ctim};
}

static bool same_time(struct timespec a, struct timespec b)
{
    return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

static bool same_stamp(const file_stamp *a, const file_stamp *b)
{
    return a->device == b->device && a->inode == b->inode && a->size == b->size &&
           same_time(a->modified, b->modified) && same_time(a->changed, b->changed);
}

/* The open file's stamp; false when fstat fails. */
static bool stamp_fd(int fd, file_stamp *stamp)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return false;
    *stamp = stamp_of(&st);
    return true;
}

/* Whether the open file is still what stamp says it was: what was read of it since is one
 * version of it. */
static bool unchanged(int fd, const file_stamp *stamp)
{
    file_stamp now;
    return stamp_fd(fd, &now) && same_stamp(&now, stamp);
}

/* The first row of a table where the package says there is none, reported once every table
 * is read (as a contradiction is not the file's fault but the package's). */
typedef struct contradiction {
    bool found;
    size_t unit;
    int line;
    const gk_not_supplied *ns;
} contradiction;

/* One shared table file being indexed. */
typedef struct table_indexer {
    gk_package *pkg;
    const gk_table_layout *layout;
    const char *path;
    int fd;
    gk_encoding encoding;
    uint32_t header_length;
    gk_status header_status; /* a bad header: reported unless the CSV itself is bad */
    gk_diag header_diag;
    bool has_last;           /* the last record's unit, whose run may go on */
    size_t last_unit;
    row_run *runs;           /* in file order */
    uint32_t *run_units;
    size_t run_count, run_capacity;
    contradiction *first;
    bool out_of_memory;
} table_indexer;

/* A scanned file's header row (its first END bytes) read again and parsed, for its column
 * names; NULL when it cannot be (the file changed since its encoding was checked, or memory
 * ran out: *out_of_memory). */
static gk_csv *header_row(int fd, const char *path, gk_encoding encoding, uint64_t end,
                          bool *out_of_memory)
{
    unsigned char *bytes = malloc(end + 1);
    char *text = NULL;
    size_t len = 0;
    gk_csv *csv = NULL;
    *out_of_memory = bytes == NULL;
    if (bytes && pread(fd, bytes, end, 0) == (ssize_t)end &&
        gk_text_decode_as(path, bytes, end, encoding, true, &text, &len, NULL) == GK_OK)
        gk_csv_parse(path, text, len, &csv, NULL);
    free(text);
    free(bytes);
    return csv;
}

/* The header row: the column whose text the scan keeps (the unit's code). */
static bool index_header(table_indexer *x, gk_table_scan *scan, const gk_scan_record *record)
{
    x->header_length = (uint32_t)record->end;
    int *pos = new_positions(x->layout);
    gk_csv *csv = pos ? header_row(x->fd, x->path, x->encoding, record->end, &x->out_of_memory)
                      : NULL;
    x->out_of_memory |= pos == NULL;
    if (csv != NULL) {
        x->header_status =
            map_table_header(x->path, x->layout, &csv->records[0], pos, &x->header_diag);
        if (x->header_status == GK_OK)
            scan->keep[0] = pos[UNIT_CODE];
    }
    gk_csv_free(csv);
    free(pos);
    return csv != NULL;
}

static bool add_run(table_indexer *x, const gk_scan_record *record, size_t unit)
{
    if (x->run_count == x->run_capacity) {
        size_t capacity = x->run_capacity ? x->run_capacity * 2 : 256;
        row_run *runs = realloc(x->runs, capacity * sizeof *runs);
        if (runs != NULL)
            x->runs = runs;
        uint32_t *units = runs ? realloc(x->run_units, capacity * sizeof *units) : NULL;
        if (units == NULL) {
            x->out_of_memory = true;
            return false;
        }
        x->run_units = units;
        x->run_capacity = capacity;
    }
    x->runs[x->run_count] = (row_run){(uint32_t)record->start,
                                      (uint32_t)(record->end - record->start), record->line};
    x->run_units[x->run_count++] = (uint32_t)unit;
    return true;
}

/* A record of a shared table: its unit, which must be in units.csv; the run it extends or
 * starts. False stops the scan (then the file is read whole to say what is wrong). */
static bool index_record(gk_table_scan *scan, const gk_scan_record *record, void *context)
{
    table_indexer *x = context;
    if (record->index == 0)
        return index_header(x, scan, record);
    if (x->header_status != GK_OK)
        return true; /* the rest of the CSV is still checked: its errors come first */
    gk_package *pkg = x->pkg;
    const char *code = record->kept[0];
    size_t unit = x->last_unit;
    if (!x->has_last || code == NULL || strcmp(code, pkg->units[unit].code) != 0) {
        int found = code ? gk_package_unit_index(pkg, code) : -1;
        if (found < 0)
            return false; /* a unit not in units.csv */
        unit = (size_t)found;
    }
    if (pkg->not_supplied_count > 0 && !x->first->found) {
        const gk_not_supplied *ns = gk_package_not_supplied(pkg, unit, x->layout);
        if (ns != NULL)
            *x->first = (contradiction){true, unit, record->line, ns};
    }
    if (!pkg->index->noted[unit]) {
        /* checked like every row, its place not kept */
    } else if (x->has_last && unit == x->last_unit) {
        row_run *run = &x->runs[x->run_count - 1];
        run->length = (uint32_t)(record->end - run->offset);
    } else if (!add_run(x, record, unit)) {
        return false;
    }
    x->has_last = true;
    x->last_unit = unit;
    return true;
}

/* The first error of a table file the scan refused, as reading it whole finds it: in its
 * encoding, its CSV, its header or a row's unit. */
static gk_status table_file_error(gk_package *pkg, const gk_table_layout *layout,
                                  const char *path, gk_diag *diag)
{
    gk_csv *csv = NULL;
    gk_status status = read_csv(path, &csv, diag);
    if (status != GK_OK)
        return status;
    int *pos = new_positions(layout);
    status = pos ? map_table_header(path, layout, &csv->records[0], pos, diag)
                 : nomem(diag, path);
    for (size_t r = 1; status == GK_OK && r < csv->count; r++) {
        const gk_csv_field *code = &csv->records[r].fields[pos[UNIT_CODE]];
        if (gk_package_unit_index(pkg, code->text) < 0)
            status = gk_diag_set(diag, GK_ERR_DATA, path, code->line, code->column,
                                 "column 'unit_code': unit '%s' is not in units.csv", code->text);
    }
    if (status == GK_OK)
        status = file_changed(path, diag);
    free(pos);
    gk_csv_free(csv);
    return status;
}

/* The runs of the file grouped by unit (a counting sort: each unit's stay in file order). */
static gk_status group_runs(const gk_package *pkg, const table_indexer *x, table_runs *out,
                            gk_diag *diag)
{
    out->unit_first = calloc(pkg->unit_count + 2, sizeof *out->unit_first);
    out->runs = malloc((x->run_count + 1) * sizeof *out->runs);
    if (out->unit_first == NULL || out->runs == NULL)
        return nomem(diag, x->path);
    for (size_t r = 0; r < x->run_count; r++)
        out->unit_first[x->run_units[r] + 2]++;
    for (size_t u = 2; u <= pkg->unit_count + 1; u++)
        out->unit_first[u] += out->unit_first[u - 1];
    for (size_t r = 0; r < x->run_count; r++)
        out->runs[out->unit_first[x->run_units[r] + 1]++] = x->runs[r];
    return GK_OK;
}

/* Indexes the shared file tables/ID.csv (a missing file is an empty table). Touches only
 * table t's parts of the package: tables are indexed two at a time. */
static gk_status index_table(gk_package *pkg, size_t t, contradiction *first, gk_diag *diag)
{
    gk_table_data *data = &pkg->tables[t];
    table_runs *out = &pkg->index->tables[t];
    bool present;
    gk_status status = optional_file(data->path, &present, diag);
    int fd = -1;
    size_t size = 0;
    /* one descriptor, checked, scanned and stamped: the file indexed is the file checked */
    if (status == GK_OK && present &&
        (status = gk_input_open(data->path, GK_INPUT_MAX_BYTES, &fd, &size, diag)) == GK_OK)
        status = !stamp_fd(fd, &out->stamp)
                     ? file_changed(data->path, diag)
                     : gk_text_check_fd(data->path, fd, &out->encoding, diag);
    if (status != GK_OK || !present) {
        if (fd >= 0)
            close(fd);
        return status;
    }
    table_indexer x = {.pkg = pkg, .layout = data->layout, .path = data->path, .fd = fd,
                       .encoding = out->encoding, .first = first};
    gk_table_scan scan = {out->encoding, {-1, -1, -1}, index_record, &x, gk_sha256_begin()};
    gk_scan_result result = gk_table_scan_file(&scan, fd);
    bool same = unchanged(fd, &out->stamp);
    close(fd);
    if (scan.digest != NULL) {
        unsigned char digest[32];
        gk_sha256_end(scan.digest, digest);
        if (result == GK_SCAN_DONE)
            gk_hex(digest, sizeof digest, out->sha256);
    }
    if (x.out_of_memory)
        status = nomem(diag, data->path);
    else if (!same)
        status = file_changed(data->path, diag);
    else if (result != GK_SCAN_DONE)
        status = table_file_error(pkg, data->layout, data->path, diag);
    else if ((status = x.header_status) != GK_OK && diag != NULL)
        *diag = x.header_diag;
    else
        status = group_runs(pkg, &x, out, diag);
    out->present = status == GK_OK;
    out->header_length = x.header_length;
    free(x.runs);
    free(x.run_units);
    return status;
}

/* ---- reading units' rows ------------------------------------------------------------------ */

static size_t rows_handled; /* gk_package_rows_handled */

size_t gk_package_rows_handled(void)
{
    return rows_handled;
}

/* A package of some units being read from the index (gk_package_load_units). */
typedef struct loader {
    gk_package *pkg;
    const gk_package *index;
    const size_t *global;  /* pkg's unit u is the index's global[u] */
    int **first_lines;     /* per stub table: per unit and item, the line giving it (0: none) */
} loader;

/* Records a unit's own failure (the first); its rows are dropped once all are read. */
static gk_status unit_failed(gk_package *pkg, size_t unit, const gk_diag *diag)
{
    if (pkg->units[unit].failure != NULL)
        return GK_OK;
    gk_diag *copy = gk_arena_alloc(&pkg->arena, sizeof *copy);
    if (copy == NULL)
        return GK_ERR_NOMEM;
    *copy = *diag;
    pkg->units[unit].failure = copy;
    return GK_OK;
}

/* A unit's own input failed (status, unit_diag): the unit fails alone, unless memory ran out. */
static gk_status unit_input_failed(gk_package *pkg, size_t unit, gk_status status,
                                   const gk_diag *unit_diag, const char *path, gk_diag *diag)
{
    if (status == GK_ERR_NOMEM || unit_failed(pkg, unit, unit_diag) != GK_OK)
        return nomem(diag, path);
    return GK_OK;
}

static void drop_failed_rows(gk_package *pkg)
{
    for (size_t t = 0; t < pkg->profile->table_count; t++) {
        gk_table_data *data = &pkg->tables[t];
        size_t kept = 0;
        for (size_t r = 0; r < data->row_count; r++)
            if (pkg->units[data->rows[r].unit].failure == NULL)
                data->rows[kept++] = data->rows[r];
        data->row_count = kept;
    }
}

/* The line of each item or derived value the unit gave in stub table t so far. */
static int *item_lines(loader *l, size_t t, size_t unit)
{
    const gk_table_layout *layout = &l->pkg->profile->tables[t];
    if (!layout->is_stub)
        return NULL;
    if (l->first_lines[t] == NULL)
        l->first_lines[t] = calloc(l->pkg->unit_count * layout->value_count + 1, sizeof(int));
    return l->first_lines[t] ? l->first_lines[t] + unit * layout->value_count : NULL;
}

/* Appends the records of csv (from records[1]) as rows of `unit`: each must name that unit (a
 * shared run) or, for its own file (own), any unit of the index and then this one only. A bad
 * row fails the unit (unit_diag); so does, in its own file, a row of a table it does not
 * supply. */
static gk_status add_rows(loader *l, size_t t, const char *path, const int *pos, const gk_csv *csv,
                          size_t unit, bool own, gk_diag *unit_diag)
{
    gk_package *pkg = l->pkg;
    const gk_unit *u = &pkg->units[unit];
    gk_table_data *data = &pkg->tables[t];
    const gk_table_layout *layout = data->layout;
    if (!reserve_rows(data, csv->count))
        return nomem(unit_diag, path);
    size_t first = data->row_count;
    gk_status status = GK_OK;
    for (size_t r = 1; status == GK_OK && r < csv->count; r++) {
        const gk_csv_record *rec = &csv->records[r];
        const gk_csv_field *code = &rec->fields[pos[UNIT_CODE]];
        if (strcmp(code->text, u->code) != 0 && !own)
            return file_changed(path, unit_diag);
        if (strcmp(code->text, u->code) != 0)
            return gk_package_unit_index(l->index, code->text) < 0
                       ? gk_diag_set(unit_diag, GK_ERR_DATA, path, code->line, code->column,
                                     "column 'unit_code': unit '%s' is not in units.csv",
                                     code->text)
                       : gk_diag_set(unit_diag, GK_ERR_DATA, path, code->line, code->column,
                                     /* TRANSLATORS: a per-unit file tables/CODE/ID.csv; %s is
                                      * the unit code of its folder, '%s' the code found. */
                                     "column 'unit_code': this file holds the rows of unit %s "
                                     "only, found '%s'", u->code, code->text);
        gk_data_row *row = &data->rows[data->row_count];
        memset(row, 0, sizeof *row);
        row->unit = unit;
        status = read_row(pkg, layout, path, pos, rec, row, unit_diag);
        if (status == GK_OK && layout->is_stub) {
            int *lines = item_lines(l, t, unit);
            status = lines ? check_stub_item(pkg, layout, path, row, lines,
                                             &rec->fields[pos[RESERVED]], unit_diag)
                           : nomem(unit_diag, path);
        }
        const gk_not_supplied *ns = own ? gk_package_not_supplied(pkg, unit, layout) : NULL;
        if (status == GK_OK && ns != NULL)
            status = not_supplied_row(pkg, layout, u->code, path, rec->line, ns, unit_diag);
        if (status == GK_OK)
            data->row_count++;
    }
    rows_handled += data->row_count - first;
    apply_fill_down(layout, data->rows + first, data->row_count - first);
    return status;
}

/* Lines of records[1..] as in the file, where the run's first row is at `line` (the run was
 * parsed after the header, as if it followed it). */
static void shift_lines(gk_csv *csv, int line)
{
    int shift = line - csv->records[1].line;
    for (size_t r = 1; r < csv->count; r++) {
        csv->records[r].line += shift;
        for (size_t f = 0; f < csv->records[r].count; f++)
            csv->records[r].fields[f].line += shift;
    }
}

/* A run of `unit`'s rows: the header and the run's bytes parsed together. */
static gk_status read_run(loader *l, size_t t, int fd, const unsigned char *header,
                          const int *pos, const row_run *run, size_t unit, gk_diag *diag)
{
    const table_runs *tr = &l->index->index->tables[t];
    const char *path = l->pkg->tables[t].path;
    size_t len = tr->header_length + (size_t)run->length;
    unsigned char *bytes = malloc(len + 1);
    if (bytes == NULL)
        return nomem(diag, path);
    memcpy(bytes, header, tr->header_length);
    ssize_t got = pread(fd, bytes + tr->header_length, run->length, run->offset);
    char *text = NULL;
    size_t text_len = 0;
    gk_csv *csv = NULL;
    gk_status status = GK_OK;
    if (got != (ssize_t)run->length ||
        gk_text_decode_as(path, bytes, len, tr->encoding, true, &text, &text_len, NULL) != GK_OK ||
        gk_csv_parse(path, text, text_len, &csv, NULL) != GK_OK || csv->count < 2)
        status = file_changed(path, diag);
    free(bytes);
    free(text);
    if (status == GK_OK) {
        shift_lines(csv, run->line);
        gk_diag unit_diag;
        gk_diag_clear(&unit_diag);
        status = add_rows(l, t, path, pos, csv, unit, false, &unit_diag);
        if (status != GK_OK)
            status = unit_input_failed(l->pkg, unit, status, &unit_diag, path, diag);
    }
    gk_csv_free(csv);
    return status;
}

typedef struct run_ref {
    row_run run;
    size_t unit;
} run_ref;

static int compare_run_refs(const void *a, const void *b)
{
    uint32_t x = ((const run_ref *)a)->run.offset, y = ((const run_ref *)b)->run.offset;
    return x < y ? -1 : x > y;
}

/* The runs of the package's units in shared table t, in file order. */
static run_ref *units_runs(const loader *l, size_t t, size_t *count)
{
    const table_runs *tr = &l->index->index->tables[t];
    size_t n = 0;
    for (size_t u = 0; u < l->pkg->unit_count; u++)
        n += tr->unit_first[l->global[u] + 1] - tr->unit_first[l->global[u]];
    run_ref *refs = malloc((n + 1) * sizeof *refs);
    *count = 0;
    for (size_t u = 0; refs && u < l->pkg->unit_count; u++)
        for (uint32_t k = tr->unit_first[l->global[u]]; k < tr->unit_first[l->global[u] + 1]; k++)
            refs[(*count)++] = (run_ref){tr->runs[k], u};
    if (refs && l->pkg->unit_count > 1)
        qsort(refs, *count, sizeof *refs, compare_run_refs);
    return refs;
}

/* The header of an indexed file and its columns, read again (the file must be unchanged). */
static gk_status read_header(const loader *l, size_t t, int fd, unsigned char **header, int *pos,
                             gk_diag *diag)
{
    const table_runs *tr = &l->index->index->tables[t];
    const char *path = l->pkg->tables[t].path;
    *header = malloc(tr->header_length + 1);
    if (*header == NULL)
        return nomem(diag, path);
    char *text = NULL;
    size_t len = 0;
    gk_csv *csv = NULL;
    gk_status status = GK_OK;
    if (!unchanged(fd, &tr->stamp) ||
        pread(fd, *header, tr->header_length, 0) != (ssize_t)tr->header_length ||
        gk_text_decode_as(path, *header, tr->header_length, tr->encoding, true, &text, &len,
                          NULL) != GK_OK ||
        gk_csv_parse(path, text, len, &csv, NULL) != GK_OK ||
        map_table_header(path, l->pkg->tables[t].layout, &csv->records[0], pos, NULL) != GK_OK)
        status = file_changed(path, diag);
    gk_csv_free(csv);
    free(text);
    return status;
}

/* The package's units' rows in shared table t. */
static gk_status load_shared_table(loader *l, size_t t, gk_diag *diag)
{
    const char *path = l->pkg->tables[t].path;
    if (!l->index->index->tables[t].present)
        return GK_OK;
    size_t count = 0;
    run_ref *refs = units_runs(l, t, &count);
    if (refs == NULL)
        return nomem(diag, path);
    int fd = -1;
    size_t size;
    unsigned char *header = NULL;
    int *pos = new_positions(l->pkg->tables[t].layout);
    gk_status status = pos ? GK_OK : nomem(diag, path);
    if (status == GK_OK && count > 0 &&
        (status = gk_input_open(path, GK_INPUT_MAX_BYTES, &fd, &size, diag)) == GK_OK)
        status = read_header(l, t, fd, &header, pos, diag);
    for (size_t i = 0; status == GK_OK && i < count; i++)
        if (l->pkg->units[refs[i].unit].failure == NULL)
            status = read_run(l, t, fd, header, pos, &refs[i].run, refs[i].unit, diag);
    /* the runs come from one version of the file: the one indexed, still there after the last */
    if (status == GK_OK && fd >= 0 && !unchanged(fd, &l->index->index->tables[t].stamp))
        status = file_changed(path, diag);
    if (fd >= 0)
        close(fd);
    free(header);
    free(pos);
    free(refs);
    return status;
}

/* tables/CODE/ID.csv: a unit's rows kept apart, so that its bad data — or a broken file or
 * folder — fails it alone. */
static gk_status load_own_tables(loader *l, size_t unit, gk_diag *diag)
{
    gk_package *pkg = l->pkg;
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
        const gk_table_layout *layout = pkg->tables[t].layout;
        char *path = gk_arena_printf(&pkg->arena, "%s/%s.csv", folder, layout->id);
        if (path == NULL)
            return nomem(diag, pkg->dir);
        bool present = false;
        gk_csv *csv = NULL;
        int *pos = new_positions(layout);
        status = pos ? optional_file(path, &present, &unit_diag) : nomem(&unit_diag, path);
        if (status == GK_OK && present && (status = read_csv(path, &csv, &unit_diag)) == GK_OK &&
            (status = map_table_header(path, layout, &csv->records[0], pos, &unit_diag)) == GK_OK)
            status = add_rows(l, t, path, pos, csv, unit, true, &unit_diag);
        gk_csv_free(csv);
        free(pos);
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

/* priors_by_unit and prior_start (package.h): the priors grouped by unit, a counting sort. */
static gk_status index_priors(gk_package *pkg, gk_diag *diag)
{
    size_t *start = calloc(pkg->unit_count + 2, sizeof *start);
    size_t *order = malloc((pkg->prior_count + 1) * sizeof *order);
    if (start == NULL || order == NULL) {
        free(start);
        free(order);
        return nomem(diag, pkg->dir);
    }
    for (size_t i = 0; i < pkg->prior_count; i++)
        start[pkg->priors[i].unit + 2]++;
    for (size_t u = 2; u <= pkg->unit_count + 1; u++)
        start[u] += start[u - 1];
    for (size_t i = 0; i < pkg->prior_count; i++)
        order[start[pkg->priors[i].unit + 1]++] = i;
    pkg->prior_start = start;
    pkg->priors_by_unit = order;
    return GK_OK;
}

/* A key of a unit on a line of a file (prior.csv's keys, figures.csv's names), to find one
 * given twice for a unit. */
typedef struct unit_key {
    size_t unit;
    const char *key;
    int line;
} unit_key;

/* By unit, then key, then line: a key given twice for a unit is a neighbour. */
static int compare_unit_keys(const void *a, const void *b)
{
    const unit_key *x = a, *y = b;
    if (x->unit != y->unit)
        return x->unit < y->unit ? -1 : 1;
    int order = strcmp(x->key, y->key);
    return order ? order : (x->line > y->line) - (x->line < y->line);
}

/* Of keys[0..count) (sorted here), the key on the earliest line that repeats one (*first: the
 * line that gave it first); false when none does. */
static bool repeated_key(unit_key *keys, size_t count, const unit_key **twice, int *first)
{
    if (count > 1)
        qsort(keys, count, sizeof *keys, compare_unit_keys);
    *twice = NULL;
    for (size_t i = 1, start = 0; i < count; i++) {
        const unit_key *a = &keys[i - 1], *b = &keys[i];
        if (a->unit != b->unit || strcmp(a->key, b->key) != 0) {
            start = i;
            continue;
        }
        if (i == start + 1 && (*twice == NULL || b->line < (*twice)->line)) {
            *twice = b;
            *first = keys[start].line;
        }
    }
    return *twice != NULL;
}

/* The record of the CSV that starts on line (records are in line order). */
static const gk_csv_record *record_at(const gk_csv *csv, int line)
{
    size_t lo = 1, hi = csv->count;
    while (lo + 1 < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (csv->records[mid].line <= line)
            lo = mid;
        else
            hi = mid;
    }
    return &csv->records[lo];
}

/* The field (column key_pos) of the record on the earliest line that repeats a key of a unit,
 * *first the line that gave it first; NULL when no key is given twice. */
static const gk_csv_field *repeated_field(const gk_csv *csv, const int *pos, int key_pos,
                                          unit_key *keys, size_t count, int *first)
{
    const unit_key *twice;
    if (!repeated_key(keys, count, &twice, first))
        return NULL;
    return &record_at(csv, twice->line)->fields[pos[key_pos]];
}

/* The same for tables not supplied (sorted by unit, then table). */
static gk_status group_not_supplied(gk_package *pkg, gk_diag *diag)
{
    size_t *first = calloc(pkg->unit_count + 2, sizeof *first);
    if (first == NULL)
        return nomem(diag, pkg->dir);
    for (size_t i = 0; i < pkg->not_supplied_count; i++)
        first[pkg->not_supplied[i].unit + 1]++;
    for (size_t u = 1; u <= pkg->unit_count; u++)
        first[u] += first[u - 1];
    pkg->index->not_supplied_first = first;
    return GK_OK;
}

/* prior.csv's columns, and its amount as both readings below parse it (in 元, to the
 * profile's decimals). */
static const char *const prior_columns[] = {"unit_code", "key", "amount"};

static gk_status parse_prior_amount(gk_package *pkg, const char *path,
                                    const gk_csv_field *field, gk_value *value, gk_diag *diag)
{
    gk_field spec = {"amount", GK_TYPE_AMOUNT, 0, false, GK_UNIT_YUAN};
    spec.decimals = pkg->profile->amount_decimals;
    return parse_value(path, field, &spec, &pkg->arena, value, diag);
}

/* prior.csv read as a stream (model/table_scan.h), so that a province's is never held whole:
 * each row checked as the whole reading below checks it, the priors of the units the index
 * places kept (a shard's), and a key given twice for a unit found by a hash of each unit's
 * keys as the whole reading compares them (decoded). Anything unusual (a bad row, two equal
 * hashes, a field longer than the scan keeps, a file written to while it was read) leaves the
 * file to the whole reading, which says what is wrong. */
typedef struct prior_hash {
    uint64_t unit;
    uint64_t key; /* FNV-1a of the key as the whole reading compares it (prior_key) */
} prior_hash;

typedef struct prior_stream {
    gk_package *pkg;
    const char *path;
    int fd;
    gk_encoding encoding;
    gk_prior *kept; /* the placed units' priors, keys in the package's arena */
    size_t kept_count, kept_capacity;
    prior_hash *hashes; /* every row's */
    size_t count, capacity;
    bool unusual, out_of_memory;
} prior_stream;

/* The header: the positions of unit_code, key and amount for the scan to keep. */
static bool prior_header(prior_stream *ps, gk_table_scan *scan, const gk_scan_record *record)
{
    int pos[3] = {-1, -1, -1};
    gk_csv *csv = header_row(ps->fd, ps->path, ps->encoding, record->end, &ps->out_of_memory);
    bool read = csv &&
                map_header(ps->path, &csv->records[0], prior_columns, 3, pos, NULL) == GK_OK &&
                pos[0] >= 0 && pos[1] >= 0 && pos[2] >= 0;
    for (int k = 0; read && k < 3; k++)
        scan->keep[k] = pos[k];
    gk_csv_free(csv);
    return read;
}

/* The key as the whole reading compares it, in UTF-8: a GB18030 file's kept bytes decoded
 * (glibc decodes a few different GB18030 sequences to one character, so their bytes do not
 * tell two keys apart), a UTF-8 file's as they are. malloc'd into *decoded when decoded;
 * NULL when it does not decode. */
static const char *prior_key(const prior_stream *ps, const char *bytes, char **decoded)
{
    *decoded = NULL;
    if (ps->encoding == GK_ENCODING_UTF8)
        return bytes;
    size_t len = 0;
    if (gk_text_decode_as(ps->path, (const unsigned char *)bytes, strlen(bytes), ps->encoding,
                          false, decoded, &len, NULL) != GK_OK)
        return NULL;
    return *decoded;
}

static uint64_t key_hash(const char *key)
{
    uint64_t hash = 14695981039346656037u; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        hash = (hash ^ *p) * 1099511628211u;
    return hash;
}

static bool prior_record(gk_table_scan *scan, const gk_scan_record *record, void *context)
{
    prior_stream *ps = context;
    if (record->index == 0)
        return prior_header(ps, scan, record);
    gk_package *pkg = ps->pkg;
    const char *code = record->kept[0], *key = record->kept[1], *amount = record->kept[2];
    int unit = code && key && amount && key[0] ? gk_package_unit_index(pkg, code) : -1;
    gk_csv_field field = {amount, amount ? strlen(amount) : 0, record->line, 1};
    gk_value value = {0};
    char *decoded = NULL;
    const char *text = unit >= 0 ? prior_key(ps, key, &decoded) : NULL;
    if (text == NULL || parse_prior_amount(pkg, ps->path, &field, &value, NULL) != GK_OK ||
        value.kind != GK_VALUE_NUMBER) {
        /* a key that does not decode (or no memory), a bad row: the whole reading tells */
        free(decoded);
        ps->unusual = true;
        return false;
    }
    bool ok = gk_grow((void **)&ps->hashes, &ps->capacity, ps->count, sizeof *ps->hashes, 1024);
    if (ok)
        ps->hashes[ps->count++] = (prior_hash){(uint64_t)unit, key_hash(text)};
    if (ok && pkg->index->noted[unit]) { /* a placed unit's prior is kept */
        const char *copy = gk_arena_strdup(&pkg->arena, text);
        ok = copy != NULL && gk_grow((void **)&ps->kept, &ps->kept_capacity, ps->kept_count,
                                     sizeof *ps->kept, 256);
        if (ok)
            ps->kept[ps->kept_count++] =
                (gk_prior){(size_t)unit, copy, value.number, record->line};
    }
    free(decoded);
    ps->out_of_memory |= !ok;
    return ok;
}

static int compare_prior_hashes(const void *a, const void *b)
{
    const prior_hash *x = a, *y = b;
    if (x->unit != y->unit)
        return x->unit < y->unit ? -1 : 1;
    return (x->key > y->key) - (x->key < y->key);
}

/* Whether two rows of a unit may give the same key (equal hashes: the whole reading tells). */
static bool may_repeat_a_key(prior_hash *hashes, size_t count)
{
    if (count > 1)
        qsort(hashes, count, sizeof *hashes, compare_prior_hashes);
    for (size_t i = 1; i < count; i++)
        if (hashes[i].unit == hashes[i - 1].unit && hashes[i].key == hashes[i - 1].key)
            return true;
    return false;
}

/* *streamed: prior.csv was read as a stream and its placed priors kept; false when it is
 * absent or must be read whole. */
static gk_status stream_prior(gk_package *pkg, bool *streamed, gk_diag *diag)
{
    *streamed = false;
    const char *path = gk_arena_printf(&pkg->arena, "%s/prior.csv", pkg->dir);
    if (path == NULL)
        return nomem(diag, pkg->dir);
    bool present;
    gk_status status = optional_file(path, &present, diag);
    prior_stream ps = {.pkg = pkg, .path = path, .fd = -1};
    size_t size = 0;
    if (status != GK_OK || !present ||
        gk_input_open(path, GK_INPUT_MAX_BYTES, &ps.fd, &size, NULL) != GK_OK)
        return status;
    /* one descriptor, checked and scanned, unchanged from the first reading to the last */
    file_stamp stamp;
    gk_scan_result result = GK_SCAN_FAILED;
    bool stamped = stamp_fd(ps.fd, &stamp);
    if (stamped && gk_text_check_fd(path, ps.fd, &ps.encoding, NULL) == GK_OK) {
        gk_table_scan scan = {ps.encoding, {-1, -1, -1}, prior_record, &ps, NULL};
        result = gk_table_scan_file(&scan, ps.fd);
    }
    bool same = stamped && unchanged(ps.fd, &stamp);
    close(ps.fd);
    if (ps.out_of_memory) {
        status = nomem(diag, path);
    } else if (result == GK_SCAN_DONE && same && !ps.unusual &&
               !may_repeat_a_key(ps.hashes, ps.count)) {
        pkg->priors = gk_arena_alloc(&pkg->arena, (ps.kept_count + 1) * sizeof *pkg->priors);
        if (pkg->priors == NULL) {
            status = nomem(diag, path);
        } else {
            if (ps.kept_count > 0) /* none kept: kept is NULL */
                memcpy(pkg->priors, ps.kept, ps.kept_count * sizeof *ps.kept);
            pkg->prior_count = ps.kept_count;
            pkg->prior_path = path;
            *streamed = true;
        }
    }
    free(ps.kept);
    free(ps.hashes);
    return status;
}

static gk_status load_prior(gk_package *pkg, gk_diag *diag)
{
    bool streamed = false;
    gk_status streaming = stream_prior(pkg, &streamed, diag);
    if (streaming != GK_OK || streamed)
        return streaming == GK_OK ? index_priors(pkg, diag) : streaming;
    gk_csv *csv = NULL;
    gk_status status = read_optional_csv(pkg, "prior.csv", &pkg->prior_path, &csv, diag);
    if (status != GK_OK || csv == NULL)
        return status == GK_OK ? index_priors(pkg, diag) : status;
    const char *path = pkg->prior_path;
    int pos[3];
    status = map_header(path, &csv->records[0], prior_columns, 3, pos, diag);
    for (size_t n = 0; status == GK_OK && n < 3; n++)
        if (pos[n] < 0)
            status = missing_column(path, &csv->records[0], prior_columns[n], diag);
    if (status == GK_OK) {
        pkg->priors = gk_arena_alloc(&pkg->arena, csv->count * sizeof *pkg->priors);
        if (pkg->priors == NULL)
            status = nomem(diag, path);
    }
    if (status != GK_OK) {
        gk_csv_free(csv);
        return status;
    }
    gk_status row_status = GK_OK; /* the first bad row stops reading; a key given twice before it
                                     is reported first */
    for (size_t r = 1; row_status == GK_OK && r < csv->count; r++) {
        const gk_csv_record *rec = &csv->records[r];
        const gk_csv_field *code = &rec->fields[pos[0]], *key = &rec->fields[pos[1]];
        int unit = gk_package_unit_index(pkg, code->text);
        if (unit < 0) {
            row_status = gk_diag_set(diag, GK_ERR_DATA, path, code->line, code->column,
                                     "column 'unit_code': unit '%s' is not in units.csv",
                                     code->text);
            break;
        }
        gk_value value;
        if ((row_status = parse_prior_amount(pkg, path, &rec->fields[pos[2]], &value, diag)) !=
            GK_OK)
            break;
        if (key->len == 0 || value.kind != GK_VALUE_NUMBER) {
            const gk_csv_field *bad = key->len == 0 ? key : &rec->fields[pos[2]];
            row_status = gk_diag_set(diag, GK_ERR_PARSE, path, bad->line, bad->column,
                                     "column '%s': expected a value, found an empty field",
                                     key->len == 0 ? "key" : "amount");
            break;
        }
        const char *copy = gk_arena_strdup(&pkg->arena, key->text);
        if (copy == NULL)
            row_status = nomem(diag, path);
        else
            pkg->priors[pkg->prior_count++] = (gk_prior){(size_t)unit, copy, value.number,
                                                         rec->line};
    }
    unit_key *keys = malloc((pkg->prior_count + 1) * sizeof *keys);
    for (size_t i = 0; keys && i < pkg->prior_count; i++)
        keys[i] = (unit_key){pkg->priors[i].unit, pkg->priors[i].key, pkg->priors[i].line};
    int first = 0;
    const gk_csv_field *twice = keys ? repeated_field(csv, pos, 1, keys, pkg->prior_count, &first)
                                     : NULL;
    free(keys);
    if (keys == NULL)
        status = nomem(diag, path);
    else if (twice != NULL)
        status = gk_diag_set(diag, GK_ERR_DATA, path, twice->line, twice->column,
                             /* TRANSLATORS: '%s' is a key of prior.csv, then a unit code. */
                             "key '%s' given twice for unit %s (first on line %d)", twice->text,
                             record_at(csv, twice->line)->fields[pos[0]].text, first);
    if (status == GK_OK)
        status = row_status;
    if (status == GK_OK)
        status = index_priors(pkg, diag);
    gk_csv_free(csv);
    return status;
}

/* ---- figures.csv ---------------------------------------------------------------------- */

enum { DECLARED_DECIMALS = 6 }; /* the most decimals a declared amount may have */

/* The digits written after the point of an amount ("12.340" has 3). */
static int written_decimals(const char *text)
{
    const char *point = strchr(text, '.');
    int n = 0;
    for (const char *p = point ? point + 1 : ""; *p >= '0' && *p <= '9'; p++)
        n++;
    return n;
}

/* figure_start (package.h): the figures grouped by unit, each unit's in file order. */
static gk_status group_figures(gk_package *pkg, gk_diag *diag)
{
    size_t *start = gk_arena_alloc(&pkg->arena, (pkg->unit_count + 2) * sizeof *start);
    gk_declared_figure *grouped = gk_arena_alloc(&pkg->arena,
                                                 (pkg->figure_count + 1) * sizeof *grouped);
    if (start == NULL || grouped == NULL)
        return nomem(diag, pkg->dir);
    for (size_t i = 0; i < pkg->figure_count; i++)
        start[pkg->figures[i].unit + 2]++;
    for (size_t u = 2; u <= pkg->unit_count + 1; u++)
        start[u] += start[u - 1];
    for (size_t i = 0; i < pkg->figure_count; i++)
        grouped[start[pkg->figures[i].unit + 1]++] = pkg->figures[i];
    pkg->figures = grouped;
    pkg->figure_start = start;
    return GK_OK;
}

/* The columns of figures.csv, in the order of their positions. */
enum { FIGURE_UNIT_CODE, FIGURE_NAME, FIGURE_AMOUNT, FIGURE_UNIT, FIGURE_SOURCE, FIGURE_COLUMNS };

/* One row of figures.csv. */
static gk_status read_declared_figure(gk_package *pkg, const gk_csv_record *rec, const int *pos,
                                      gk_declared_figure *out, gk_diag *diag)
{
    const char *path = pkg->figures_path;
    const gk_csv_field *code = &rec->fields[pos[FIGURE_UNIT_CODE]];
    const gk_csv_field *name = &rec->fields[pos[FIGURE_NAME]];
    const gk_csv_field *amount = &rec->fields[pos[FIGURE_AMOUNT]];
    const gk_csv_field *unit = &rec->fields[pos[FIGURE_UNIT]];
    const gk_csv_field *source = &rec->fields[pos[FIGURE_SOURCE]];
    int unit_index = gk_package_unit_index(pkg, code->text);
    if (unit_index < 0)
        return gk_diag_set(diag, GK_ERR_DATA, path, code->line, code->column,
                           "column 'unit_code': unit '%s' is not in units.csv", code->text);
    static const gk_field spec = {"amount", GK_TYPE_AMOUNT, DECLARED_DECIMALS, false, GK_UNIT_YUAN};
    gk_value value;
    gk_status status = check_text(path, name, "name", diag);
    if (status == GK_OK)
        status = check_text(path, source, "source", diag);
    if (status == GK_OK)
        status = parse_value(path, amount, &spec, &pkg->arena, &value, diag);
    if (status != GK_OK)
        return status;
    const gk_csv_field *empty = name->len == 0                ? name
                                : value.kind != GK_VALUE_NUMBER ? amount
                                : source->len == 0            ? source
                                                              : NULL;
    if (empty != NULL)
        return gk_diag_set(diag, GK_ERR_PARSE, path, empty->line, empty->column,
                           "column '%s': expected a value, found an empty field",
                           empty == name ? "name" : empty == amount ? "amount" : "source");
    int power = 0;
    bool percent = strcmp(unit->text, "%") == 0;
    if (!percent && !gk_unit_power(unit->text, &power))
        return gk_diag_set(diag, GK_ERR_PARSE, path, unit->line, unit->column,
                           /* TRANSLATORS: 元, 万元, 亿元 and % are the units a figure may be
                              declared in; %s is what the file says. */
                           "column 'unit': expected 元, 万元, 亿元 or %%, found '%s'", unit->text);
    int decimals = written_decimals(amount->text);
    int64_t scaled = value.number;
    for (int d = decimals; d < DECLARED_DECIMALS; d++)
        scaled /= 10; /* exact: the digits past those written are zeros */
    *out = (gk_declared_figure){(size_t)unit_index,
                                gk_arena_strndup(&pkg->arena, name->text, name->len),
                                scaled,
                                decimals,
                                percent,
                                power,
                                gk_arena_strndup(&pkg->arena, unit->text, unit->len),
                                gk_arena_strndup(&pkg->arena, source->text, source->len),
                                rec->line};
    return out->name && out->unit_text && out->source ? GK_OK : nomem(diag, path);
}

/* figures.csv (optional): `unit_code,name,amount,unit,source`, figures the narrative cites
 * that no table holds. A name given twice for a unit is an error. */
static gk_status load_figures(gk_package *pkg, gk_diag *diag)
{
    gk_csv *csv = NULL;
    gk_status status = read_optional_csv(pkg, "figures.csv", &pkg->figures_path, &csv, diag);
    if (status != GK_OK || csv == NULL)
        return status == GK_OK ? group_figures(pkg, diag) : status;
    const char *path = pkg->figures_path;
    static const char *const names[FIGURE_COLUMNS] = {"unit_code", "name", "amount", "unit",
                                                      "source"};
    int pos[FIGURE_COLUMNS];
    status = map_header(path, &csv->records[0], names, FIGURE_COLUMNS, pos, diag);
    for (size_t n = 0; status == GK_OK && n < FIGURE_COLUMNS; n++)
        if (pos[n] < 0)
            status = missing_column(path, &csv->records[0], names[n], diag);
    if (status == GK_OK) {
        pkg->figures = gk_arena_alloc(&pkg->arena, csv->count * sizeof *pkg->figures);
        if (pkg->figures == NULL)
            status = nomem(diag, path);
    }
    for (size_t r = 1; status == GK_OK && r < csv->count; r++)
        if ((status = read_declared_figure(pkg, &csv->records[r], pos,
                                           &pkg->figures[pkg->figure_count], diag)) == GK_OK)
            pkg->figure_count++;
    unit_key *keys = status == GK_OK ? malloc((pkg->figure_count + 1) * sizeof *keys) : NULL;
    if (status == GK_OK && keys == NULL)
        status = nomem(diag, path);
    for (size_t i = 0; keys && i < pkg->figure_count; i++)
        keys[i] = (unit_key){pkg->figures[i].unit, pkg->figures[i].name, pkg->figures[i].line};
    int first = 0;
    const gk_csv_field *twice =
        keys ? repeated_field(csv, pos, FIGURE_NAME, keys, pkg->figure_count, &first) : NULL;
    free(keys);
    if (twice != NULL)
        status = gk_diag_set(diag, GK_ERR_DATA, path, twice->line, twice->column,
                             /* TRANSLATORS: '%s' is a figure's name in figures.csv, then a
                                unit code. */
                             "column 'name': '%s' given twice for unit %s (first on line %d)",
                             twice->text,
                             record_at(csv, twice->line)->fields[pos[FIGURE_UNIT_CODE]].text,
                             first);
    gk_csv_free(csv);
    return status == GK_OK ? group_figures(pkg, diag) : status;
}

/* ---- narrative --------------------------------------------------------------------- */

static gk_status load_narrative(gk_package *pkg, size_t unit_index, gk_diag *diag)
{
    const gk_profile *profile = pkg->profile;
    gk_unit *unit = &pkg->units[unit_index];
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
            return unit_input_failed(pkg, unit_index, status, &unit_diag, path, diag);
        unit->narrative[part] = gk_arena_strndup(&pkg->arena, text, len);
        free(text);
        if (unit->narrative[part] == NULL)
            return nomem(diag, path);
    }
    return GK_OK;
}

/* ---- departments ---------------------------------------------------------------------- */

typedef struct membership {
    const char *department;
    size_t unit;
} membership;

static int compare_memberships(const void *a, const void *b)
{
    const membership *x = a, *y = b;
    int order = strcmp(x->department, y->department);
    return order ? order : (x->unit < y->unit ? -1 : x->unit > y->unit);
}

/* by_department: the units grouped by department code, each group in units.csv order. */
static gk_status group_departments(gk_package *pkg, gk_diag *diag)
{
    membership *pairs = calloc(pkg->unit_count + 1, sizeof *pairs);
    pkg->by_department = calloc(pkg->unit_count + 1, sizeof *pkg->by_department);
    if (pairs == NULL || pkg->by_department == NULL) {
        free(pairs);
        return nomem(diag, pkg->dir);
    }
    for (size_t u = 0; u < pkg->unit_count; u++)
        pairs[u] = (membership){pkg->units[u].department_code, u};
    if (pkg->unit_count > 1)
        qsort(pairs, pkg->unit_count, sizeof *pairs, compare_memberships);
    for (size_t i = 0; i < pkg->unit_count; i++)
        pkg->by_department[i] = pairs[i].unit;
    free(pairs);
    return GK_OK;
}

size_t gk_package_department_units(const gk_package *package, const char *department_code,
                                   const size_t **members)
{
    const size_t *order = package->by_department;
    size_t lo = 0, hi = package->unit_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(package->units[order[mid]].department_code, department_code) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end = lo;
    while (end < package->unit_count &&
           strcmp(package->units[order[end]].department_code, department_code) == 0)
        end++;
    *members = order + lo;
    return end - lo;
}

/* ---- a package of some units --------------------------------------------------------------- */

static int compare_prior_lines(const void *a, const void *b)
{
    int x = ((const gk_prior *)a)->line, y = ((const gk_prior *)b)->line;
    return (x > y) - (x < y);
}

/* The units' declared figures (figures.csv), grouped by unit, from the index. */
static gk_status copy_declared_figures(gk_package *pkg, const gk_package *index,
                                      const size_t *global, gk_diag *diag)
{
    size_t count = 0;
    for (size_t u = 0; u < pkg->unit_count; u++)
        count += index->figure_start[global[u] + 1] - index->figure_start[global[u]];
    pkg->figures = gk_arena_alloc(&pkg->arena, (count + 1) * sizeof *pkg->figures);
    pkg->figure_start = gk_arena_alloc(&pkg->arena, (pkg->unit_count + 1) * sizeof(size_t));
    if (pkg->figures == NULL || pkg->figure_start == NULL)
        return nomem(diag, pkg->dir);
    for (size_t u = 0; u < pkg->unit_count; u++) {
        pkg->figure_start[u] = pkg->figure_count;
        for (size_t i = index->figure_start[global[u]]; i < index->figure_start[global[u] + 1];
             i++) {
            pkg->figures[pkg->figure_count] = index->figures[i];
            pkg->figures[pkg->figure_count++].unit = u;
        }
    }
    pkg->figure_start[pkg->unit_count] = pkg->figure_count;
    return GK_OK;
}

/* The units' priors (in file order), declared figures and tables not supplied, from the
 * index. */
static gk_status copy_unit_facts(gk_package *pkg, const gk_package *index, const size_t *global,
                                 gk_diag *diag)
{
    const struct gk_package_index *x = index->index;
    size_t priors = 0, declared = 0;
    for (size_t u = 0; u < pkg->unit_count; u++) {
        priors += index->prior_start[global[u] + 1] - index->prior_start[global[u]];
        declared += x->not_supplied_first[global[u] + 1] - x->not_supplied_first[global[u]];
    }
    pkg->priors = gk_arena_alloc(&pkg->arena, (priors + 1) * sizeof *pkg->priors);
    pkg->not_supplied = malloc((declared + 1) * sizeof *pkg->not_supplied);
    if (pkg->priors == NULL || pkg->not_supplied == NULL)
        return nomem(diag, pkg->dir);
    for (size_t u = 0; u < pkg->unit_count; u++) {
        for (size_t i = index->prior_start[global[u]]; i < index->prior_start[global[u] + 1];
             i++) {
            pkg->priors[pkg->prior_count] = index->priors[index->priors_by_unit[i]];
            pkg->priors[pkg->prior_count++].unit = u;
        }
        for (size_t i = x->not_supplied_first[global[u]]; i < x->not_supplied_first[global[u] + 1];
             i++) {
            pkg->not_supplied[pkg->not_supplied_count] = index->not_supplied[i];
            pkg->not_supplied[pkg->not_supplied_count++].unit = u;
        }
    }
    if (pkg->prior_count > 1)
        qsort(pkg->priors, pkg->prior_count, sizeof *pkg->priors, compare_prior_lines);
    gk_status status = index_priors(pkg, diag);
    return status == GK_OK ? copy_declared_figures(pkg, index, global, diag) : status;
}

static gk_status sort_unit_order(gk_package *pkg, gk_diag *diag);
static gk_status index_rows(gk_package *pkg, gk_diag *diag);
static gk_status load_narrative(gk_package *pkg, size_t unit, gk_diag *diag);

size_t gk_package_runs_noted(const gk_package *index)
{
    size_t runs = 0;
    for (size_t t = 0; index->index && t < index->profile->table_count; t++) {
        const uint32_t *first = index->index->tables[t].unit_first;
        runs += first != NULL ? first[index->unit_count] : 0; /* the last unit's end */
    }
    return runs;
}

/* Reads the rows of exactly these units (global: increasing indexes into index->units). */
gk_status gk_package_load_units(const gk_package *index, const size_t *global, size_t count,
                                gk_package **out, gk_diag *diag)
{
    *out = NULL;
    /* a unit whose rows the index did not place would read as one with no rows */
    for (size_t u = 0; index->index && u < count; u++)
        if (!index->index->noted[global[u]])
            return gk_diag_set(diag, GK_ERR_USAGE, index->dir, 0, 0,
                               "unit %s: its rows were not indexed (not among the units this "
                               "run was asked for)",
                               index->units[global[u]].code);
    gk_package *pkg = calloc(1, sizeof *pkg);
    if (pkg == NULL)
        return nomem(diag, index->dir);
    size_t tables = index->profile->table_count;
    pkg->dir = index->dir;
    pkg->profile = index->profile;
    pkg->source = index;
    pkg->not_supplied_path = index->not_supplied_path;
    pkg->prior_path = index->prior_path;
    pkg->figures_path = index->figures_path;
    pkg->units = gk_arena_alloc(&pkg->arena, (count + 1) * sizeof *pkg->units);
    pkg->tables = gk_arena_alloc(&pkg->arena, (tables + 1) * sizeof *pkg->tables);
    loader l = {pkg, index, global, calloc(tables + 1, sizeof(int *))};
    gk_status status = pkg->units && pkg->tables && l.first_lines ? GK_OK
                                                                  : nomem(diag, index->dir);
    if (status == GK_OK) {
        for (size_t u = 0; u < count; u++)
            pkg->units[u] = index->units[global[u]];
        pkg->unit_count = count;
        for (size_t t = 0; t < tables; t++) {
            pkg->tables[t].layout = index->tables[t].layout;
            pkg->tables[t].path = index->tables[t].path;
        }
        status = sort_unit_order(pkg, diag);
    }
    if (status == GK_OK)
        status = group_departments(pkg, diag);
    if (status == GK_OK)
        status = copy_unit_facts(pkg, index, global, diag);
    for (size_t t = 0; status == GK_OK && t < tables; t++)
        status = load_shared_table(&l, t, diag);
    for (size_t u = 0; status == GK_OK && u < count; u++)
        if (pkg->units[u].failure == NULL)
            status = load_own_tables(&l, u, diag);
    for (size_t u = 0; status == GK_OK && u < count; u++)
        if (pkg->units[u].failure == NULL)
            status = load_narrative(pkg, u, diag);
    if (status == GK_OK) {
        drop_failed_rows(pkg);
        status = index_rows(pkg, diag);
    }
    for (size_t t = 0; l.first_lines && t < tables; t++)
        free(l.first_lines[t]);
    free(l.first_lines);
    if (status != GK_OK) {
        gk_package_free(pkg);
        return status;
    }
    *out = pkg;
    return GK_OK;
}

static int compare_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
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

/* The view's priors: those of its units, in file order. */
static gk_status view_priors(const gk_package *package, const size_t *units, size_t count,
                             gk_package *view, gk_diag *diag)
{
    size_t n = 0;
    for (size_t i = 0; package->prior_start && i < count; i++)
        n += package->prior_start[units[i] + 1] - package->prior_start[units[i]];
    if (package->prior_start == NULL) /* a view of a view: it is small, filter it */
        n = package->prior_count;
    gk_prior *priors = malloc((n + 1) * sizeof *priors);
    if (priors == NULL)
        return nomem(diag, package->dir);
    view->priors = priors;
    view->prior_count = 0;
    for (size_t i = 0; i < count; i++) {
        if (package->prior_start == NULL) {
            for (size_t k = 0; k < package->prior_count; k++)
                if (package->priors[k].unit == units[i])
                    priors[view->prior_count++] = package->priors[k];
            continue;
        }
        for (size_t k = package->prior_start[units[i]]; k < package->prior_start[units[i] + 1];
             k++)
            priors[view->prior_count++] = package->priors[package->priors_by_unit[k]];
    }
    if (count > 1 && view->prior_count > 1)
        qsort(priors, view->prior_count, sizeof *priors, compare_prior_lines);
    return GK_OK;
}

gk_status gk_package_view(const gk_package *package, const size_t *units, size_t count,
                          gk_package **view, gk_diag *diag)
{
    *view = NULL;
    gk_package *v = calloc(1, sizeof *v);
    size_t tables = package->profile->table_count;
    gk_table_data *data = v ? calloc(tables + 1, sizeof *data) : NULL;
    size_t *scope = data ? malloc((count + 1) * sizeof *scope) : NULL;
    if (scope == NULL) {
        free(data);
        free(v);
        return nomem(diag, package->dir);
    }
    *v = *package;
    memset(&v->arena, 0, sizeof v->arena); /* the view owns no strings */
    v->tables = data;
    memcpy(scope, units, count * sizeof *scope);
    v->view_units = scope;
    v->view_unit_count = count;
    v->priors_by_unit = v->prior_start = NULL;
    v->priors = NULL;
    gk_status status = view_priors(package, units, count, v, diag);
    for (size_t t = 0; status == GK_OK && t < tables; t++) {
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
        /* the units' rows, back in file order (each unit's group already is) */
        size_t *picked = calloc(rows + 1, sizeof *picked);
        if (data[t].rows == NULL || picked == NULL) {
            free(picked);
            status = nomem(diag, package->dir);
            break;
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
        rows_handled += n;
        free(picked);
    }
    if (status != GK_OK) {
        gk_package_view_free(v);
        return status;
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
    free((size_t *)view->view_units);
    free(view->priors);
    free(view);
}

bool gk_package_holds_only(const gk_package *package, const size_t *units, size_t count)
{
    if (package->view_units == NULL)
        return count == package->unit_count;
    if (count != package->view_unit_count)
        return false;
    for (size_t i = 0; i < count; i++)
        if (package->view_units[i] != units[i])
            return false;
    return true;
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

/* ---- amounts.csv ------------------------------------------------------------------- */

/* The columns of amounts.csv, in the order of their positions. */
enum { SCALE_TABLE, SCALE_UNIT, SCALE_DECIMALS, SCALE_COLUMNS };

/* What amounts.csv declares: per entry its scale and where its table id is written. */
typedef struct data_scales {
    const char *path;
    gk_data_scale *items;
    const gk_csv_field **tables; /* the `table` field of each entry, for messages */
    size_t count;
} data_scales;

/* One row of amounts.csv: `*` or a table id, 元/万元/亿元, and 0 to 6 decimals. */
static gk_status read_data_scale(gk_package *pkg, const data_scales *s,
                                 const gk_csv_record *rec, const int *pos, gk_data_scale *out,
                                 gk_diag *diag)
{
    const gk_csv_field *table = &rec->fields[pos[SCALE_TABLE]];
    const gk_csv_field *unit = &rec->fields[pos[SCALE_UNIT]];
    const gk_csv_field *decimals = &rec->fields[pos[SCALE_DECIMALS]];
    if (table->len == 0)
        return gk_diag_set(diag, GK_ERR_PARSE, s->path, table->line, table->column,
                           /* TRANSLATORS: '*' stands for every table; keep it. */
                           "column 'table': expected a table id or '*', found an empty field");
    if (!gk_unit_power(unit->text, &out->unit))
        return gk_diag_set(diag, GK_ERR_PARSE, s->path, unit->line, unit->column,
                           "column 'unit': expected 元, 万元 or 亿元, found '%s'", unit->text);
    if (decimals->len != 1 || decimals->text[0] < '0' || decimals->text[0] > '6')
        return gk_diag_set(diag, GK_ERR_PARSE, s->path, decimals->line, decimals->column,
                           "column 'decimals': expected a whole number from 0 to 6, found '%s'",
                           decimals->text);
    out->decimals = decimals->text[0] - '0';
    out->table = strcmp(table->text, "*") == 0
                     ? NULL
                     : gk_arena_strndup(&pkg->arena, table->text, table->len);
    for (size_t i = 0; i < s->count; i++)
        if ((s->items[i].table == NULL) == (out->table == NULL) &&
            (out->table == NULL || strcmp(s->items[i].table, out->table) == 0))
            /* TRANSLATORS: %s is a table id or '*' (every table). */
            return gk_diag_set(diag, GK_ERR_DATA, s->path, table->line, table->column,
                               "column 'table': '%s' given twice (first on line %d)",
                               table->text, s->tables[i]->line);
    return out->table != NULL || strcmp(table->text, "*") == 0 ? GK_OK : nomem(diag, s->path);
}

/* amounts.csv (optional): `table,unit,decimals`, the unit and decimals in which tables/ID.csv
 * give a table's amounts (`*`: every table not named), when finer than the booklet prints
 * them: a 万元 booklet made from 元 ledgers. The csv is kept for the field positions. */
static gk_status load_data_scales(gk_package *pkg, data_scales *s, gk_csv **csv, gk_diag *diag)
{
    gk_status status = read_optional_csv(pkg, "amounts.csv", &s->path, csv, diag);
    if (status != GK_OK || *csv == NULL)
        return status;
    static const char *const names[SCALE_COLUMNS] = {"table", "unit", "decimals"};
    int pos[SCALE_COLUMNS];
    status = map_header(s->path, &(*csv)->records[0], names, SCALE_COLUMNS, pos, diag);
    for (size_t n = 0; status == GK_OK && n < SCALE_COLUMNS; n++)
        if (pos[n] < 0)
            status = missing_column(s->path, &(*csv)->records[0], names[n], diag);
    if (status != GK_OK)
        return status;
    s->items = gk_arena_alloc(&pkg->arena, (*csv)->count * sizeof *s->items);
    s->tables = gk_arena_alloc(&pkg->arena, (*csv)->count * sizeof *s->tables);
    if (s->items == NULL || s->tables == NULL)
        return nomem(diag, s->path);
    for (size_t r = 1; status == GK_OK && r < (*csv)->count; r++) {
        const gk_csv_record *rec = &(*csv)->records[r];
        status = read_data_scale(pkg, s, rec, pos, &s->items[s->count], diag);
        s->tables[s->count] = &rec->fields[pos[SCALE_TABLE]];
        s->count += status == GK_OK;
    }
    return status;
}

/* Every table amounts.csv names is a table of the profile. */
static gk_status check_scale_tables(const gk_package *pkg, const data_scales *s, gk_diag *diag)
{
    for (size_t i = 0; i < s->count; i++)
        if (s->items[i].table != NULL && gk_profile_table(pkg->profile, s->items[i].table) == NULL)
            return gk_diag_set(diag, GK_ERR_DATA, s->path, s->tables[i]->line,
                               s->tables[i]->column,
                               /* TRANSLATORS: %s is a table id; the profile is named after it. */
                               "column 'table': expected a table of profile %s, found '%s'",
                               pkg->profile->name, s->items[i].table);
    return GK_OK;
}

/* ---- the package ------------------------------------------------------------------- */

/* The profile the units name (or profile_dir), loaded for the scale of the package's amounts
 * (amounts.csv). */
static gk_status load_profile(gk_package *pkg, const char *profile_dir, const char *layouts_root,
                              gk_diag *diag)
{
    const gk_unit *first = &pkg->units[0];
    char *resolved = profile_dir ? gk_arena_strdup(&pkg->arena, profile_dir)
                                 : gk_arena_printf(&pkg->arena, "%s/%s", layouts_root,
                                                   first->profile);
    if (resolved == NULL)
        return nomem(diag, pkg->dir);
    if (profile_dir == NULL && (strchr(first->profile, '/') || strcmp(first->profile, "..") == 0))
        return gk_diag_set(diag, GK_ERR_DATA, units_path(pkg), first->line,
                           first->profile_column,
                           "column 'profile': expected a profile name, found '%s'",
                           first->profile);
    gk_status status = GK_OK;
    if (profile_dir == NULL)
        status = check_profile_folder(pkg, resolved, layouts_root, diag);
    data_scales scales = {NULL, NULL, NULL, 0};
    gk_csv *csv = NULL;
    if (status == GK_OK)
        status = load_data_scales(pkg, &scales, &csv, diag);
    if (status == GK_OK)
        status = gk_profile_load_scaled(resolved, scales.items, scales.count, &pkg->profile,
                                        diag);
    if (status == GK_OK)
        status = check_scale_tables(pkg, &scales, diag);
    gk_csv_free(csv);
    return status;
}

/* The tables' files are indexed by two threads when they are large enough for it to pay (a
 * province's: 50 000 units' 860 MB took 1.6 s on one core), each taking the next table not yet
 * taken; small ones (a unit's, a city's) on one: a thread costs more than their scan. */
enum { PARALLEL_INDEX_BYTES = 8 << 20 };

typedef struct table_indexing {
    gk_package *pkg;
    contradiction *first;
    gk_status *status;
    gk_diag *diags; /* written only for a table whose status is not GK_OK */
    size_t count;
    atomic_size_t next;
    gk_status prior_status; /* prior.csv, read by the second thread first */
    gk_diag prior_diag;
} table_indexing;

static void index_next_tables(table_indexing *ti)
{
    for (size_t t; (t = atomic_fetch_add(&ti->next, 1)) < ti->count;)
        ti->status[t] = index_table(ti->pkg, t, &ti->first[t], &ti->diags[t]);
}

/* The second thread: prior.csv (its own parts of the package), then tables with the first;
 * on one thread it runs after them, in gk_task_wait. */
static void *index_tables_helper(void *arg)
{
    table_indexing *ti = arg;
    ti->prior_status = load_prior(ti->pkg, &ti->prior_diag);
    index_next_tables(ti);
    return NULL;
}

/* Names each table's file; the bytes of those there, to decide on a second thread. */
static gk_status name_table_files(gk_package *pkg, uint64_t *bytes, gk_diag *diag)
{
    *bytes = 0;
    for (size_t t = 0; t < pkg->profile->table_count; t++) {
        gk_table_data *data = &pkg->tables[t];
        data->layout = &pkg->profile->tables[t];
        data->path = gk_arena_printf(&pkg->arena, "%s/tables/%s.csv", pkg->dir, data->layout->id);
        if (data->path == NULL)
            return nomem(diag, pkg->dir);
        struct stat st;
        if (stat(data->path, &st) == 0 && S_ISREG(st.st_mode))
            *bytes += (uint64_t)st.st_size;
    }
    return GK_OK;
}

/* Indexes the shared tables and reads prior.csv: for a large package on two threads (the
 * second reads prior.csv first), errors reported in the order of reading them one by one.
 * Then the first row of a table not supplied, if any. */
static gk_status index_shared_files(gk_package *pkg, gk_diag *diag)
{
    size_t tables = pkg->profile->table_count;
    pkg->tables = gk_arena_alloc(&pkg->arena, (tables + 1) * sizeof *pkg->tables);
    pkg->index->tables = calloc(tables + 1, sizeof *pkg->index->tables);
    table_indexing ti = {.pkg = pkg, .count = tables,
                         .first = calloc(tables + 1, sizeof *ti.first),
                         .status = calloc(tables + 1, sizeof *ti.status),
                         .diags = malloc((tables + 1) * sizeof *ti.diags)};
    atomic_init(&ti.next, 0);
    uint64_t bytes = 0;
    gk_status status = pkg->tables && pkg->index->tables && ti.first && ti.status && ti.diags
                           ? name_table_files(pkg, &bytes, diag)
                           : nomem(diag, pkg->dir);
    if (status == GK_OK) { /* on one thread, the helper's part (prior.csv) comes last */
        gk_task helper;
        gk_task_start(&helper, index_tables_helper, &ti,
                      bytes >= PARALLEL_INDEX_BYTES && sysconf(_SC_NPROCESSORS_ONLN) > 1);
        index_next_tables(&ti);
        gk_task_wait(&helper);
    }
    for (size_t t = 0; status == GK_OK && t < tables; t++)
        if ((status = ti.status[t]) != GK_OK && diag != NULL)
            *diag = ti.diags[t];
    for (size_t t = 0; status == GK_OK && t < tables; t++)
        if (ti.first[t].found)
            status = not_supplied_row(pkg, pkg->tables[t].layout,
                                      pkg->units[ti.first[t].unit].code, pkg->tables[t].path,
                                      ti.first[t].line, ti.first[t].ns, diag);
    if (status == GK_OK && (status = ti.prior_status) != GK_OK && diag != NULL)
        *diag = ti.prior_diag;
    free(ti.first);
    free(ti.status);
    free(ti.diags);
    return status;
}

/* Which units' rows the index places (index->noted): those WANTED asks for, or all. */
static gk_status note_units(gk_package *pkg, gk_unit_wanted *wanted, void *context,
                            gk_diag *diag)
{
    bool *noted = calloc(pkg->unit_count + 1, sizeof *noted);
    if (noted == NULL)
        return nomem(diag, pkg->dir);
    for (size_t u = 0; u < pkg->unit_count; u++)
        noted[u] = wanted == NULL || wanted(&pkg->units[u], context);
    pkg->index->noted = noted;
    return GK_OK;
}

gk_status gk_package_index(const char *dir, const char *profile_dir, const char *layouts_root,
                           gk_package **out, gk_diag *diag)
{
    return gk_package_index_some(dir, profile_dir, layouts_root, NULL, NULL, out, diag);
}

gk_status gk_package_index_some(const char *dir, const char *profile_dir,
                                const char *layouts_root, gk_unit_wanted *wanted,
                                void *context, gk_package **out, gk_diag *diag)
{
    *out = NULL;
    gk_package *pkg = calloc(1, sizeof *pkg);
    if (pkg == NULL)
        return nomem(diag, dir);
    pkg->dir = gk_arena_strdup(&pkg->arena, dir);
    pkg->index = calloc(1, sizeof *pkg->index);
    gk_status status = pkg->dir && pkg->index ? load_units(pkg, diag) : nomem(diag, dir);
    if (status == GK_OK)
        status = note_units(pkg, wanted, context, diag);
    if (status == GK_OK)
        status = load_profile(pkg, profile_dir, layouts_root, diag);
    if (status == GK_OK)
        status = load_not_supplied(pkg, diag);
    if (status == GK_OK)
        status = index_shared_files(pkg, diag);
    if (status == GK_OK)
        status = load_figures(pkg, diag);
    if (status == GK_OK)
        status = group_not_supplied(pkg, diag);
    if (status == GK_OK)
        status = group_departments(pkg, diag);
    if (status == GK_OK)
        warn_unknown_tables(pkg);
    if (status != GK_OK) {
        gk_package_free(pkg);
        return status;
    }
    *out = pkg;
    return GK_OK;
}

gk_status gk_package_load(const char *dir, const char *profile_dir, const char *layouts_root,
                          gk_package **out, gk_diag *diag)
{
    *out = NULL;
    gk_package *index = NULL;
    gk_status status = gk_package_index(dir, profile_dir, layouts_root, &index, diag);
    if (status != GK_OK)
        return status;
    size_t *all = malloc((index->unit_count + 1) * sizeof *all);
    for (size_t u = 0; all && u < index->unit_count; u++)
        all[u] = u;
    gk_package *pkg = NULL;
    status = all ? gk_package_load_units(index, all, index->unit_count, &pkg, diag)
                 : nomem(diag, dir);
    free(all);
    if (status != GK_OK) {
        gk_package_free(index);
        return status;
    }
    pkg->owned = index;
    pkg->warnings = index->warnings;
    pkg->warning_count = index->warning_count;
    *out = pkg;
    return GK_OK;
}

const char *gk_package_table_sha256(const gk_package *index, const char *file_name)
{
    for (size_t t = 0; index->index && t < index->profile->table_count; t++) {
        const char *id = index->profile->tables[t].id;
        size_t len = strlen(id);
        const table_runs *runs = &index->index->tables[t];
        if (runs->present && runs->sha256[0] != '\0' && strncmp(file_name, id, len) == 0 &&
            strcmp(file_name + len, ".csv") == 0)
            return runs->sha256;
    }
    return NULL;
}

static void free_index(gk_package *package)
{
    struct gk_package_index *index = package->index;
    /* tables exist once the profile does (an index whose profile failed has none) */
    for (size_t t = 0; index->tables && t < package->profile->table_count; t++) {
        free(index->tables[t].runs);
        free(index->tables[t].unit_first);
    }
    free(index->tables);
    free(index->not_supplied_first);
    free(index->noted);
    free(index);
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
    if (package->index != NULL)
        free_index(package);
    if (package->source == NULL) { /* a package of loaded units borrows these from its index */
        gk_profile_free(package->profile);
        free(package->warnings);
    }
    free(package->not_supplied);
    free(package->by_department);
    free(package->priors_by_unit);
    free(package->prior_start);
    gk_arena_free(&package->arena);
    gk_package_free(package->owned);
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

/* unit_order: unit indexes sorted by code. */
static gk_status sort_unit_order(gk_package *pkg, gk_diag *diag)
{
    pkg->unit_order = gk_arena_alloc(&pkg->arena, (pkg->unit_count + 1) * sizeof *pkg->unit_order);
    if (pkg->unit_order == NULL)
        return nomem(diag, pkg->dir);
    for (size_t u = 0; u < pkg->unit_count; u++)
        pkg->unit_order[u] = u;
    sort_units = pkg->units;
    qsort(pkg->unit_order, pkg->unit_count, sizeof *pkg->unit_order, compare_unit_codes);
    return GK_OK;
}

/* Sorts unit indexes by code; duplicates are reported here, with their lines. */
static gk_status order_units(gk_package *pkg, const char *path, gk_diag *diag)
{
    if (sort_unit_order(pkg, diag) != GK_OK)
        return nomem(diag, path);
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
