/* Loading a layout profile: booklet.yaml plus one YAML file per public table.
 * See docs/layouts.md for the format and layout.h for the resolved structures. */
#include "layout/layout.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layout/query.h"
#include "layout/yaml_reader.h"
#include "util/i18n.h"
#include "util/input_file.h"

enum {
    MAX_COLUMNS = 64,  /* leaf columns per table */
    MAX_HEADER = 128,  /* header cells per table */
    MAX_FIELDS = 96,   /* CSV fields per table */
    MAX_SUMMARY = 8,
    MAX_VALUES = 512,  /* stub items + derived values */
    MAX_STUB_ROWS = 128,
    MAX_TERMS = 64,
    MAX_TABLES = 64,
    MAX_DEPTH = 4      /* header rows */
};

/* ---- Reading one table file ----------------------------------------------------------- */

/* A leaf as written, before keys are resolved to indexes. */
typedef struct leaf_spec {
    gk_column column;
    bool has_align, has_sum, has_decimals, has_zero, has_thousands;
    yaml_node_t *unit; /* the `unit:` value, when given */
    yaml_node_t *node;
    yaml_node_t *merge_by;
    yaml_node_t *value;
} leaf_spec;

typedef struct table_loader {
    gk_yaml_doc *yd;
    const gk_profile *profile;
    gk_table_layout *t;
    yaml_node_t *columns, *inputs, *summary, *items, *derived, *rows, *title;
    yaml_node_t *consolidate_by, *levels;

    leaf_spec leaves[MAX_COLUMNS];
    size_t leaf_count;
    gk_header_cell header[MAX_HEADER];
    size_t header_count;
    gk_field fields[MAX_FIELDS];
    size_t field_count;
} table_loader;

static gk_status nomem(gk_yaml_doc *yd)
{
    return gk_diag_set(yd->diag, GK_ERR_NOMEM, yd->path, 0, 0, "out of memory");
}

/* Copies n elements of size into the arena. */
static void *arena_copy(gk_arena *arena, const void *items, size_t n, size_t size)
{
    void *copy = gk_arena_alloc(arena, n * size + 1);
    if (copy != NULL && n > 0)
        memcpy(copy, items, n * size);
    return copy;
}

static bool key_is_valid(const char *key)
{
    if (key[0] == '\0')
        return false;
    for (const char *p = key; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return false;
    return true;
}

/* ---- Amounts, captions and notes (booklet defaults, table and column overrides) -------- */

static const char *const unit_names[] = {"元", "万元", "亿元"};
static const int unit_powers[] = {GK_UNIT_YUAN, GK_UNIT_WAN, GK_UNIT_YI};

const char *gk_amount_unit_name(int unit)
{
    for (size_t i = 0; i < sizeof unit_powers / sizeof *unit_powers; i++)
        if (unit_powers[i] == unit)
            return unit_names[i];
    return NULL;
}

/* 元, 万元 or 亿元, as GK_UNIT_*. */
bool gk_unit_power(const char *unit, int *power)
{
    for (size_t i = 0; unit != NULL && i < sizeof unit_powers / sizeof *unit_powers; i++)
        if (strcmp(unit, unit_names[i]) == 0) {
            *power = unit_powers[i];
            return true;
        }
    return false;
}

static gk_status read_unit(gk_yaml_doc *yd, yaml_node_t *v, int *unit)
{
    int choice = 0;
    gk_status status = gk_yaml_choice(yd, v, unit_names, 3, &choice);
    *unit = unit_powers[choice];
    return status;
}

static gk_status read_zero(gk_yaml_doc *yd, yaml_node_t *v, gk_zero_policy *zero)
{
    static const char *const names[] = {"blank", "zero", "keep"};
    int choice = 0;
    gk_status status = gk_yaml_choice(yd, v, names, 3, &choice);
    *zero = (gk_zero_policy)choice;
    return status;
}

/* Every {placeholder} of a text printed around the tables (a title, a caption, a note, the
 * empty-table and not-supplied wordings) is one the document builder fills; the cover and the
 * full title are no table's, so they have no {amount_unit} (with_amount_unit false). */
static gk_status check_placeholders(gk_yaml_doc *yd, yaml_node_t *at, const char *text,
                                   bool with_amount_unit)
{
    static const char *const known[] = {"unit.code", "unit.name", "department.code",
                                        "department.name", "year", "booklet", "amount_unit"};
    size_t known_count = sizeof known / sizeof *known - (with_amount_unit ? 0 : 1);
    for (const char *p = strchr(text, '{'); p != NULL;) {
        const char *end = strchr(p, '}');
        if (end == NULL)
            return gk_yaml_error(yd, at, "unclosed '{' in template '%s'", text);
        size_t len = (size_t)(end - p - 1);
        bool ok = false;
        for (size_t i = 0; i < known_count && !ok; i++)
            ok = strlen(known[i]) == len && strncmp(p + 1, known[i], len) == 0;
        if (!ok && with_amount_unit)
            return gk_yaml_error(yd, at,
                                 "unknown placeholder '{%.*s}' (expected {unit.name}, "
                                 "{unit.code}, {department.name}, {department.code}, {year}, "
                                 "{booklet} or {amount_unit})",
                                 (int)len, p + 1);
        if (!ok)
            return gk_yaml_error(yd, at,
                                 "unknown placeholder '{%.*s}' (expected {unit.name}, "
                                 "{unit.code}, {department.name}, {department.code}, {year} "
                                 "or {booklet})",
                                 (int)len, p + 1);
        p = strchr(end + 1, '{');
    }
    return GK_OK;
}

static gk_status check_text_template(gk_yaml_doc *yd, yaml_node_t *at, const char *text)
{
    return check_placeholders(yd, at, text, true);
}

/* A template string, checked. */
static gk_status read_text_template(gk_yaml_doc *yd, yaml_node_t *v, const char **out)
{
    gk_status status = gk_yaml_string(yd, v, out);
    return status == GK_OK ? check_text_template(yd, v, *out) : status;
}

/* caption: {left: TEMPLATE, right: TEMPLATE}; a side not given stays as it was. */
typedef struct caption_spec {
    const char **left, **right;
} caption_spec;

static gk_status caption_left(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    return read_text_template(yd, v, ((caption_spec *)p)->left);
}
static gk_status caption_right(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    return read_text_template(yd, v, ((caption_spec *)p)->right);
}
static gk_status read_caption(gk_yaml_doc *yd, yaml_node_t *v, const char **left,
                              const char **right)
{
    static const gk_yaml_key keys[] = {{"left", caption_left, false},
                                       {"right", caption_right, false}};
    caption_spec spec = {left, right};
    return gk_yaml_read_map(yd, v, keys, 2, &spec);
}

/* A table starts with the booklet's amount settings and caption. */
static void inherit_amounts(const gk_profile *profile, gk_table_layout *t)
{
    t->amount_unit = profile->amount_unit_power;
    t->amount_decimals = profile->amount_decimals;
    t->zero = profile->zero;
    t->thousands = profile->thousands;
    t->caption_left = profile->caption_left;
    t->caption_right = profile->caption_right;
}

static gk_status read_table_amount_unit(gk_yaml_doc *yd, yaml_node_t *v, void *tl)
{
    return read_unit(yd, v, &((table_loader *)tl)->t->amount_unit);
}
static gk_status read_table_amount_decimals(gk_yaml_doc *yd, yaml_node_t *v, void *tl)
{
    return gk_yaml_int(yd, v, 0, 6, &((table_loader *)tl)->t->amount_decimals);
}
static gk_status read_table_zero(gk_yaml_doc *yd, yaml_node_t *v, void *tl)
{
    return read_zero(yd, v, &((table_loader *)tl)->t->zero);
}
static gk_status read_table_thousands(gk_yaml_doc *yd, yaml_node_t *v, void *tl)
{
    return gk_yaml_bool(yd, v, &((table_loader *)tl)->t->thousands);
}
static gk_status read_table_caption(gk_yaml_doc *yd, yaml_node_t *v, void *tl)
{
    gk_table_layout *t = ((table_loader *)tl)->t;
    return read_caption(yd, v, &t->caption_left, &t->caption_right);
}
static gk_status read_table_notes(gk_yaml_doc *yd, yaml_node_t *v, void *tl)
{
    gk_table_layout *t = ((table_loader *)tl)->t;
    gk_status status = gk_yaml_expect(yd, v, YAML_SEQUENCE_NODE, N_("a list of notes"));
    if (status != GK_OK)
        return status;
    yaml_node_item_t *start = v->data.sequence.items.start;
    size_t count = (size_t)(v->data.sequence.items.top - start);
    const char **notes = gk_arena_alloc(yd->arena, (count + 1) * sizeof *notes);
    if (notes == NULL)
        return nomem(yd);
    for (size_t i = 0; i < count && status == GK_OK; i++)
        status = read_text_template(yd, gk_yaml_node(yd, start[i]), &notes[i]);
    t->notes = notes;
    t->note_count = count;
    return status;
}

/* -- table-level keys -- */

static gk_status read_id(gk_yaml_doc *yd, yaml_node_t *v, void *tl)
{
    gk_table_layout *t = ((table_loader *)tl)->t;
    t->id_line = gk_yaml_line(v);
    t->id_column = (int)v->start_mark.column + 1;
    return gk_yaml_string(yd, v, &t->id);
}
static gk_status read_number(gk_yaml_doc *yd, yaml_node_t *v, void *tl)
{
    gk_table_layout *t = ((table_loader *)tl)->t;
    gk_status status = gk_yaml_string(yd, v, &t->number);
    t->has_number = status == GK_OK && t->number[0] != '\0';
    return status;
}
static gk_status read_title(gk_yaml_doc *yd, yaml_node_t *v, void *tl)
{
    ((table_loader *)tl)->title = v;
    return gk_yaml_string(yd, v, &((table_loader *)tl)->t->title);
}
static gk_status read_empty_text(gk_yaml_doc *yd, yaml_node_t *v, void *tl)
{
    return read_text_template(yd, v, &((table_loader *)tl)->t->empty_text);
}
/* row, before_notes or after_notes (a gk_empty_position after GK_EMPTY_AS_PROFILE). */
static gk_status read_empty_position(gk_yaml_doc *yd, yaml_node_t *v, gk_empty_position *out)
{
    static const char *const names[] = {"row", "before_notes", "after_notes"};
    int choice = 0;
    gk_status status = gk_yaml_choice(yd, v, names, 3, &choice);
    *out = (gk_empty_position)(GK_EMPTY_ROW + choice);
    return status;
}
static gk_status read_table_empty_position(gk_yaml_doc *yd, yaml_node_t *v, void *tl)
{
    return read_empty_position(yd, v, &((table_loader *)tl)->t->empty_position);
}
static gk_status read_orientation(gk_yaml_doc *yd, yaml_node_t *v, void *tl)
{
    static const char *const names[] = {"portrait", "landscape"};
    int choice = 0;
    gk_status status = gk_yaml_choice(yd, v, names, 2, &choice);
    ((table_loader *)tl)->t->landscape = choice == 1;
    return status;
}
static gk_status read_one_page(gk_yaml_doc *yd, yaml_node_t *v, void *tl)
{
    return gk_yaml_bool(yd, v, &((table_loader *)tl)->t->one_page);
}
#define KEEP_NODE(field)                                                                       \
    static gk_status keep_##field(gk_yaml_doc *yd, yaml_node_t *v, void *tl)                   \
    {                                                                                          \
        (void)yd;                                                                              \
        ((table_loader *)tl)->field = v;                                                       \
        return GK_OK;                                                                          \
    }
KEEP_NODE(columns)
KEEP_NODE(inputs)
KEEP_NODE(summary)
KEEP_NODE(items)
KEEP_NODE(derived)
KEEP_NODE(rows)
KEEP_NODE(consolidate_by)
KEEP_NODE(levels)

static const gk_yaml_key table_keys[] = {
    {"id", read_id, true},           {"number", read_number, false},
    {"title", read_title, true},     {"orientation", read_orientation, false},
    {"empty_text", read_empty_text, false}, {"columns", keep_columns, true},
    {"one_page", read_one_page, false},
    {"inputs", keep_inputs, false},  {"summary", keep_summary, false},
    {"items", keep_items, false},    {"derived", keep_derived, false},
    {"rows", keep_rows, false},
    {"amount_unit", read_table_amount_unit, false},
    {"amount_decimals", read_table_amount_decimals, false},
    {"zero", read_table_zero, false},
    {"thousands", read_table_thousands, false},
    {"caption", read_table_caption, false},
    {"notes", read_table_notes, false},
    {"consolidate_by", keep_consolidate_by, false},
    {"levels", keep_levels, false},
    {"empty_text_position", read_table_empty_position, false},
};

/* -- leaf column keys -- */

static gk_status leaf_key(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    leaf_spec *leaf = p;
    gk_status status = gk_yaml_string(yd, v, &leaf->column.key);
    if (status == GK_OK && !key_is_valid(leaf->column.key))
        return gk_yaml_error(yd, v, "expected a column key of a-z, 0-9 and _, found '%s'",
                             leaf->column.key);
    return status;
}
static gk_status leaf_header(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    return gk_yaml_string(yd, v, &((leaf_spec *)p)->column.header);
}
static gk_status leaf_type(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    static const char *const names[] = {"text", "code", "amount", "count", "percent"};
    int choice = 0;
    gk_status status = gk_yaml_choice(yd, v, names, 5, &choice);
    ((leaf_spec *)p)->column.type = (gk_value_type)choice;
    return status;
}
static gk_status leaf_width(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    return gk_yaml_int(yd, v, 1, 200, &((leaf_spec *)p)->column.width);
}
static gk_status leaf_align(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    static const char *const names[] = {"left", "center", "right"};
    int choice = 0;
    leaf_spec *leaf = p;
    gk_status status = gk_yaml_choice(yd, v, names, 3, &choice);
    leaf->column.align = (gk_align)choice;
    leaf->has_align = true;
    return status;
}
static gk_status leaf_sum(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    leaf_spec *leaf = p;
    leaf->has_sum = true;
    return gk_yaml_bool(yd, v, &leaf->column.sum);
}
static gk_status leaf_decimals(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    leaf_spec *leaf = p;
    leaf->has_decimals = true;
    return gk_yaml_int(yd, v, 0, 6, &leaf->column.decimals);
}
static gk_status leaf_value(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    leaf_spec *leaf = p;
    leaf->value = v;
    return gk_yaml_string(yd, v, &leaf->column.value_template);
}
static gk_status leaf_merge_by(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    ((leaf_spec *)p)->merge_by = v;
    return gk_yaml_expect(yd, v, YAML_SEQUENCE_NODE, N_("a list of column keys"));
}
static gk_status leaf_fill_down(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    return gk_yaml_bool(yd, v, &((leaf_spec *)p)->column.fill_down);
}
static gk_status leaf_unit(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    leaf_spec *leaf = p;
    leaf->unit = v;
    return read_unit(yd, v, &leaf->column.unit);
}
static gk_status leaf_zero(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    leaf_spec *leaf = p;
    leaf->has_zero = true;
    return read_zero(yd, v, &leaf->column.zero);
}
static gk_status leaf_thousands(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    leaf_spec *leaf = p;
    leaf->has_thousands = true;
    return gk_yaml_bool(yd, v, &leaf->column.thousands);
}

static const gk_yaml_key leaf_keys[] = {
    {"key", leaf_key, true},         {"header", leaf_header, true},
    {"type", leaf_type, false},      {"width", leaf_width, false},
    {"align", leaf_align, false},    {"sum", leaf_sum, false},
    {"decimals", leaf_decimals, false}, {"value", leaf_value, false},
    {"merge_by", leaf_merge_by, false}, {"fill_down", leaf_fill_down, false},
    {"unit", leaf_unit, false},         {"zero", leaf_zero, false},
    {"thousands", leaf_thousands, false},
};

/* -- group keys -- */

typedef struct group_spec {
    const char *header;
    yaml_node_t *columns;
    int header_rows;          /* rows its header cell spans down; its columns start below */
    yaml_node_t *header_rows_node;
} group_spec;

static gk_status group_header(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    return gk_yaml_string(yd, v, &((group_spec *)p)->header);
}
static gk_status group_columns(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    (void)yd;
    ((group_spec *)p)->columns = v;
    return GK_OK;
}
static gk_status group_header_rows(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    group_spec *group = p;
    group->header_rows_node = v;
    return gk_yaml_int(yd, v, 1, MAX_DEPTH - 1, &group->header_rows);
}
static const gk_yaml_key group_keys[] = {
    {"header", group_header, true},
    {"columns", group_columns, true},
    {"header_rows", group_header_rows, false},
};

static gk_status read_group(gk_yaml_doc *yd, yaml_node_t *node, group_spec *group)
{
    *group = (group_spec){.header_rows = 1};
    return gk_yaml_read_map(yd, node, group_keys, sizeof group_keys / sizeof *group_keys, group);
}

/* -- the header tree -- */

/* Depth of the tree under a list of column nodes (1 for a list of leaves). A group's header
 * takes header_rows rows; every leaf spans down to the last header row, so the header is a
 * rectangle whatever the groups beside each other. */
static gk_status tree_depth(table_loader *tl, yaml_node_t *list, int level, int *depth)
{
    gk_yaml_doc *yd = tl->yd;
    gk_status status = gk_yaml_expect(yd, list, YAML_SEQUENCE_NODE, N_("a list of columns"));
    if (status != GK_OK)
        return status;
    if (list->data.sequence.items.start == list->data.sequence.items.top)
        return gk_yaml_error(yd, list, "expected at least one column, found an empty list");
    if (level >= MAX_DEPTH)
        return gk_yaml_error(yd, list, "header nested deeper than %d rows", MAX_DEPTH);
    if (level + 1 > *depth)
        *depth = level + 1;
    for (yaml_node_item_t *it = list->data.sequence.items.start; it < list->data.sequence.items.top;
         it++) {
        yaml_node_t *node = gk_yaml_node(yd, *it);
        if (gk_yaml_has_key(yd, node, "columns")) {
            group_spec group;
            if ((status = read_group(yd, node, &group)) != GK_OK)
                return status;
            if (group.header_rows > 1 && level + group.header_rows >= MAX_DEPTH)
                /* TRANSLATORS: header_rows is a YAML key of a layout file; keep it. */
                return gk_yaml_error(yd, group.header_rows_node,
                                     "expected a header of at most %d rows, found header_rows "
                                     "that puts the group's columns in row %d",
                                     MAX_DEPTH, level + group.header_rows + 1);
            if ((status = tree_depth(tl, group.columns, level + group.header_rows, depth)) !=
                GK_OK)
                return status;
        }
    }
    return GK_OK;
}

static gk_status add_header_cell(table_loader *tl, yaml_node_t *at, int row, int col, int rows,
                                 int cols, const char *text)
{
    if (tl->header_count == MAX_HEADER)
        return gk_yaml_error(tl->yd, at, "more than %d header cells", MAX_HEADER);
    tl->header[tl->header_count++] = (gk_header_cell){row, col, rows, cols, text};
    return GK_OK;
}

/* Emits header cells and leaves for a list of column nodes at a header row. */
static gk_status tree_walk(table_loader *tl, yaml_node_t *list, int level, int depth)
{
    gk_yaml_doc *yd = tl->yd;
    gk_status status = GK_OK;
    for (yaml_node_item_t *it = list->data.sequence.items.start; it < list->data.sequence.items.top;
         it++) {
        yaml_node_t *node = gk_yaml_node(yd, *it);
        int first = (int)tl->leaf_count;
        if (gk_yaml_has_key(yd, node, "columns")) {
            group_spec group;
            if ((status = read_group(yd, node, &group)) != GK_OK ||
                (status = tree_walk(tl, group.columns, level + group.header_rows, depth)) != GK_OK)
                return status;
            status = add_header_cell(tl, node, level, first, group.header_rows,
                                     (int)tl->leaf_count - first, group.header);
        } else {
            if (tl->leaf_count == MAX_COLUMNS)
                return gk_yaml_error(yd, node, "more than %d columns", MAX_COLUMNS);
            leaf_spec *leaf = &tl->leaves[tl->leaf_count];
            memset(leaf, 0, sizeof *leaf);
            leaf->node = node;
            leaf->column.width = 10;
            status = gk_yaml_read_map(yd, node, leaf_keys, sizeof leaf_keys / sizeof *leaf_keys,
                                      leaf);
            if (status != GK_OK)
                return status;
            tl->leaf_count++;
            status = add_header_cell(tl, node, level, first, depth - level, 1, leaf->column.header);
        }
        if (status != GK_OK)
            return status;
    }
    return GK_OK;
}

/* -- fields: the CSV columns of a list table -- */

static int find_field(const table_loader *tl, const char *key)
{
    if (strcmp(key, "unit_code") == 0)
        return GK_FIELD_UNIT_CODE;
    for (size_t i = 0; i < tl->field_count; i++)
        if (strcmp(tl->fields[i].key, key) == 0)
            return (int)i;
    return -1;
}

static gk_status add_field(table_loader *tl, yaml_node_t *at, const char *key, gk_value_type type,
                           int decimals, int unit, bool optional)
{
    static const char *const reserved[] = {"level", "kind", "unit_name"};
    for (size_t i = 0; i < sizeof reserved / sizeof *reserved; i++)
        if (strcmp(key, reserved[i]) == 0)
            return gk_yaml_error(tl->yd, at, "column key '%s' is reserved (a package column of "
                                             "every table, see docs/package.md)", key);
    if (find_field(tl, key) != -1)
        return gk_yaml_error(tl->yd, at, "duplicate column key '%s'", key);
    if (tl->field_count == MAX_FIELDS)
        return gk_yaml_error(tl->yd, at, "more than %d columns", MAX_FIELDS);
    tl->fields[tl->field_count++] = (gk_field){key, type, decimals, optional, unit};
    return GK_OK;
}

/* A leaf's defaults by type; an amount's unit and decimals, and a number's zero policy and
 * grouping, are the table's unless the leaf gives its own. */
static gk_status apply_type_defaults(table_loader *tl, leaf_spec *leaf)
{
    const gk_table_layout *t = tl->t;
    gk_column *c = &leaf->column;
    bool numeric = c->type == GK_TYPE_AMOUNT || c->type == GK_TYPE_COUNT ||
                   c->type == GK_TYPE_PERCENT;
    if (leaf->unit != NULL && c->type != GK_TYPE_AMOUNT)
        /* TRANSLATORS: unit and type: amount are YAML keys and a value of the layout; keep
           them. */
        return gk_yaml_error(tl->yd, leaf->unit, "expected 'unit' on a column of type amount, "
                                                 "found it on column '%s'", c->key);
    if (!leaf->has_align)
        c->align = numeric ? GK_ALIGN_RIGHT : c->type == GK_TYPE_CODE ? GK_ALIGN_CENTER
                                                                      : GK_ALIGN_LEFT;
    if (!leaf->has_sum)
        c->sum = c->type == GK_TYPE_AMOUNT;
    if (c->type == GK_TYPE_AMOUNT && !leaf->has_decimals)
        c->decimals = t->amount_decimals;
    if (c->type == GK_TYPE_AMOUNT && leaf->unit == NULL)
        c->unit = t->amount_unit;
    if (!leaf->has_zero)
        c->zero = t->zero;
    if (!leaf->has_thousands)
        c->thousands = c->type == GK_TYPE_AMOUNT && t->thousands;
    if (c->sum && !numeric)
        c->sum = false;
    return GK_OK;
}

typedef struct input_spec {
    const char *key;
    gk_value_type type;
    int decimals;
    bool has_decimals;
    yaml_node_t *unit;
    int unit_power;
} input_spec;

static gk_status input_key(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    gk_status status = gk_yaml_string(yd, v, &((input_spec *)p)->key);
    if (status == GK_OK && !key_is_valid(((input_spec *)p)->key))
        return gk_yaml_error(yd, v, "expected a column key of a-z, 0-9 and _, found '%s'",
                             ((input_spec *)p)->key);
    return status;
}
static gk_status input_type(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    static const char *const names[] = {"text", "code", "amount", "count", "percent"};
    int choice = 0;
    gk_status status = gk_yaml_choice(yd, v, names, 5, &choice);
    ((input_spec *)p)->type = (gk_value_type)choice;
    return status;
}
static gk_status input_decimals(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    ((input_spec *)p)->has_decimals = true;
    return gk_yaml_int(yd, v, 0, 6, &((input_spec *)p)->decimals);
}
static gk_status input_unit(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    ((input_spec *)p)->unit = v;
    return read_unit(yd, v, &((input_spec *)p)->unit_power);
}
static const gk_yaml_key input_keys[] = {
    {"key", input_key, true},
    {"type", input_type, false},
    {"decimals", input_decimals, false},
    {"unit", input_unit, false},
};

/* Fields of a list table: every leaf (in order; computed ones optional), then hidden inputs. */
static gk_status resolve_fields(table_loader *tl)
{
    gk_status status;
    for (size_t i = 0; i < tl->leaf_count; i++) {
        leaf_spec *leaf = &tl->leaves[i];
        if ((status = apply_type_defaults(tl, leaf)) != GK_OK)
            return status;
        if (strcmp(leaf->column.key, "unit_code") == 0 && leaf->column.type != GK_TYPE_CODE &&
            leaf->column.type != GK_TYPE_TEXT)
            /* TRANSLATORS: unit_code is a column key and code a column type (type: code); keep
               both. */
            return gk_yaml_error(tl->yd, leaf->node, "column key 'unit_code' is reserved for the "
                                                     "row's unit code: its column has type code");
        if (strcmp(leaf->column.key, "unit_code") == 0 && leaf->column.value_template == NULL) {
            leaf->column.field = GK_FIELD_UNIT_CODE;
            continue;
        }
        leaf->column.field = (int)tl->field_count;
        status = add_field(tl, leaf->node, leaf->column.key, leaf->column.type,
                           leaf->column.decimals, leaf->column.unit,
                           leaf->column.value_template != NULL);
        if (status != GK_OK)
            return status;
    }
    if (tl->inputs == NULL)
        return GK_OK;
    gk_yaml_doc *yd = tl->yd;
    status = gk_yaml_expect(yd, tl->inputs, YAML_SEQUENCE_NODE, N_("a list of inputs"));
    if (status != GK_OK)
        return status;
    for (yaml_node_item_t *it = tl->inputs->data.sequence.items.start;
         it < tl->inputs->data.sequence.items.top; it++) {
        yaml_node_t *node = gk_yaml_node(yd, *it);
        input_spec input = {0};
        if ((status = gk_yaml_read_map(yd, node, input_keys,
                                       sizeof input_keys / sizeof *input_keys, &input)) != GK_OK)
            return status;
        if (input.unit != NULL && input.type != GK_TYPE_AMOUNT)
            return gk_yaml_error(yd, input.unit, "expected 'unit' on a column of type amount, "
                                                 "found it on column '%s'", input.key);
        if (input.type == GK_TYPE_AMOUNT && !input.has_decimals)
            input.decimals = tl->t->amount_decimals;
        if (input.type == GK_TYPE_AMOUNT && input.unit == NULL)
            input.unit_power = tl->t->amount_unit;
        status = add_field(tl, node, input.key, input.type, input.decimals, input.unit_power,
                           false);
        if (status != GK_OK)
            return status;
    }
    return GK_OK;
}

/* Checks every {placeholder} of a template against the unit keys and the table's fields. */
static gk_status check_template(table_loader *tl, yaml_node_t *at, const char *text)
{
    static const char *const unit_keys[] = {"unit.code", "unit.name", "department.code",
                                            "department.name", "year"};
    for (const char *p = strchr(text, '{'); p != NULL; p = strchr(p + 1, '{')) {
        const char *end = strchr(p, '}');
        if (end == NULL)
            return gk_yaml_error(tl->yd, at, "unclosed '{' in template '%s'", text);
        char name[64];
        size_t len = (size_t)(end - p - 1);
        if (len >= sizeof name)
            return gk_yaml_error(tl->yd, at, "placeholder too long in template '%s'", text);
        memcpy(name, p + 1, len);
        name[len] = '\0';
        bool known = find_field(tl, name) != -1;
        for (size_t i = 0; i < 5 && !known; i++)
            known = strcmp(name, unit_keys[i]) == 0;
        if (!known)
            return gk_yaml_error(tl->yd, at,
                                 "unknown placeholder '{%s}' (expected {unit.code}, {unit.name}, "
                                 "{department.code}, {department.name}, {year} or a column key)",
                                 name);
    }
    return GK_OK;
}

static gk_status resolve_leaves(table_loader *tl)
{
    gk_yaml_doc *yd = tl->yd;
    gk_status status;
    for (size_t i = 0; i < tl->leaf_count; i++) {
        leaf_spec *leaf = &tl->leaves[i];
        for (size_t j = 0; j < i; j++)
            if (strcmp(tl->leaves[j].column.key, leaf->column.key) == 0)
                return gk_yaml_error(yd, leaf->node, "duplicate column key '%s'",
                                     leaf->column.key);
        if (leaf->column.value_template != NULL &&
            (status = check_template(tl, leaf->value, leaf->column.value_template)) != GK_OK)
            return status;
        if (leaf->merge_by == NULL)
            continue;
        yaml_node_item_t *start = leaf->merge_by->data.sequence.items.start;
        size_t count = (size_t)(leaf->merge_by->data.sequence.items.top - start);
        int *indexes = gk_arena_alloc(yd->arena, (count + 1) * sizeof *indexes);
        if (indexes == NULL)
            return nomem(yd);
        for (size_t k = 0; k < count; k++) {
            yaml_node_t *node = gk_yaml_node(yd, start[k]);
            const char *key = NULL;
            if ((status = gk_yaml_string(yd, node, &key)) != GK_OK)
                return status;
            indexes[k] = find_field(tl, key);
            if (indexes[k] == -1)
                /* TRANSLATORS: merge_by is a YAML key; keep it. %s is what it names. */
                return gk_yaml_error(yd, node, "merge_by names '%s', which is not a column key",
                                     key);
        }
        leaf->column.merge_by = indexes;
        leaf->column.merge_by_count = count;
    }
    return GK_OK;
}

/* -- summary rows -- */

typedef struct summary_spec {
    table_loader *tl;
    gk_summary summary;
    yaml_node_t *span_to, *position; /* for errors found once the whole entry is read */
} summary_spec;

static gk_status leaf_by_key(table_loader *tl, yaml_node_t *v, int *out)
{
    const char *key = NULL;
    gk_status status = gk_yaml_string(tl->yd, v, &key);
    if (status != GK_OK)
        return status;
    for (size_t i = 0; i < tl->leaf_count; i++)
        if (strcmp(tl->leaves[i].column.key, key) == 0) {
            *out = (int)i;
            return GK_OK;
        }
    return gk_yaml_error(tl->yd, v, "'%s' is not a column key of this table", key);
}
static gk_status summary_kind(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    static const char *const names[] = {"total", "department", "unit"};
    int choice = 0;
    gk_status status = gk_yaml_choice(yd, v, names, 3, &choice);
    ((summary_spec *)p)->summary.kind = (gk_summary_kind)choice;
    return status;
}
static gk_status summary_label(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    summary_spec *s = p;
    gk_status status = gk_yaml_string(yd, v, &s->summary.label);
    return status == GK_OK ? check_template(s->tl, v, s->summary.label) : status;
}
static gk_status summary_label_column(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    (void)yd;
    summary_spec *s = p;
    return leaf_by_key(s->tl, v, &s->summary.label_column);
}
static gk_status summary_code_column(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    (void)yd;
    summary_spec *s = p;
    return leaf_by_key(s->tl, v, &s->summary.code_column);
}
static gk_status summary_span_to(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    (void)yd;
    summary_spec *s = p;
    s->span_to = v;
    return leaf_by_key(s->tl, v, &s->summary.span_to);
}
static gk_status summary_position(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    static const char *const names[] = {"top", "bottom"};
    int choice = 0;
    summary_spec *s = p;
    gk_status status = gk_yaml_choice(yd, v, names, 2, &choice);
    s->summary.bottom = choice == 1;
    s->position = v;
    return status;
}
static const gk_yaml_key summary_keys[] = {
    {"kind", summary_kind, true},
    {"label", summary_label, true},
    {"label_column", summary_label_column, true},
    {"code_column", summary_code_column, false},
    {"span_to", summary_span_to, false},
    {"position", summary_position, false},
};

/* The keys of an entry that depend on each other, checked once all are read: only the 合计
 * goes to the bottom, and the label spans columns the row leaves empty. */
static gk_status check_summary_entry(table_loader *tl, const summary_spec *spec)
{
    const gk_summary *s = &spec->summary;
    if (s->bottom && s->kind != GK_SUMMARY_TOTAL)
        /* TRANSLATORS: position: bottom and kind: total are YAML of a layout file; keep them. */
        return gk_yaml_error(tl->yd, spec->position, "position: bottom: expected a row of "
                                                     "kind: total, found another kind");
    if (spec->span_to == NULL)
        return GK_OK;
    const char *label_key = tl->leaves[s->label_column].column.key;
    if (s->span_to < s->label_column)
        /* TRANSLATORS: span_to and label_column are YAML keys of a layout file; %s are column
           keys. */
        return gk_yaml_error(tl->yd, spec->span_to, "span_to: expected a column at or right of "
                                                    "label_column '%s', found '%s'",
                             label_key, tl->leaves[s->span_to].column.key);
    for (int c = s->label_column + 1; c <= s->span_to; c++)
        if (tl->leaves[c].column.sum || c == s->code_column)
            /* TRANSLATORS: span_to is a YAML key; %s is a column key. */
            return gk_yaml_error(tl->yd, spec->span_to, "span_to: the label would cover column "
                                                        "'%s', which the row fills",
                                 tl->leaves[c].column.key);
    return GK_OK;
}

static gk_status resolve_summary(table_loader *tl)
{
    if (tl->summary == NULL)
        return GK_OK;
    gk_yaml_doc *yd = tl->yd;
    gk_status status = gk_yaml_expect(yd, tl->summary, YAML_SEQUENCE_NODE, N_("a list of rows"));
    if (status != GK_OK)
        return status;
    gk_summary rows[MAX_SUMMARY];
    size_t count = 0;
    for (yaml_node_item_t *it = tl->summary->data.sequence.items.start;
         it < tl->summary->data.sequence.items.top; it++) {
        yaml_node_t *node = gk_yaml_node(yd, *it);
        if (count == MAX_SUMMARY)
            return gk_yaml_error(yd, node, "more than %d summary rows", MAX_SUMMARY);
        summary_spec spec = {tl, {.code_column = -1}, NULL, NULL};
        if ((status = gk_yaml_read_map(yd, node, summary_keys,
                                       sizeof summary_keys / sizeof *summary_keys, &spec)) !=
                GK_OK ||
            (status = check_summary_entry(tl, &spec)) != GK_OK)
            return status;
        if (spec.span_to == NULL)
            spec.summary.span_to = spec.summary.label_column;
        rows[count++] = spec.summary;
    }
    tl->t->summary = arena_copy(yd->arena, rows, count, sizeof *rows);
    tl->t->summary_count = count;
    return tl->t->summary ? GK_OK : nomem(yd);
}

/* -- consolidated department booklets -- */

/* The fields that make one row of a consolidated booklet: those named by `consolidate_by:`
 * (read from the package: a computed column differs by unit), or by default every code column
 * read from the package. */
static gk_status resolve_consolidate_by(table_loader *tl)
{
    gk_yaml_doc *yd = tl->yd;
    int keys[MAX_FIELDS];
    size_t count = 0;
    if (tl->consolidate_by == NULL) {
        for (size_t f = 0; f < tl->field_count; f++)
            if (tl->fields[f].type == GK_TYPE_CODE && !tl->fields[f].optional)
                keys[count++] = (int)f;
    } else {
        gk_status status = gk_yaml_expect(yd, tl->consolidate_by, YAML_SEQUENCE_NODE,
                                          N_("a list of column keys"));
        if (status != GK_OK)
            return status;
        for (yaml_node_item_t *it = tl->consolidate_by->data.sequence.items.start;
             it < tl->consolidate_by->data.sequence.items.top; it++) {
            yaml_node_t *node = gk_yaml_node(yd, *it);
            const char *key = NULL;
            if ((status = gk_yaml_string(yd, node, &key)) != GK_OK)
                return status;
            int field = find_field(tl, key);
            if (field < 0 || tl->fields[field].optional)
                /* TRANSLATORS: consolidate_by is a YAML key; keep it. %s is what it names. */
                return gk_yaml_error(yd, node, "consolidate_by: expected a column key read from "
                                               "the package, found '%s'", key);
            for (size_t k = 0; k < count; k++)
                if (keys[k] == field)
                    return gk_yaml_error(yd, node, "consolidate_by: '%s' listed twice", key);
            keys[count++] = field;
        }
    }
    tl->t->consolidate_by = arena_copy(yd->arena, keys, count, sizeof *keys);
    tl->t->consolidate_by_count = count;
    return tl->t->consolidate_by ? GK_OK : nomem(yd);
}

/* -- levels from codes -- */

/* The lengths of `levels: {KEY: [3, 5, 7]}`, levels 1, 2, … in order: each a whole number of
 * characters, longer than the one before. */
static gk_status read_level_lengths(table_loader *tl, yaml_node_t *v, int *lengths,
                                    size_t *count)
{
    gk_yaml_doc *yd = tl->yd;
    gk_status status = gk_yaml_expect(yd, v, YAML_SEQUENCE_NODE,
                                      /* TRANSLATORS: what the value of a key of 'levels:' in
                                         a layout should be, in "expected %s, found %s". */
                                      N_("a list of code lengths, one per level"));
    if (status != GK_OK)
        return status;
    yaml_node_item_t *start = v->data.sequence.items.start;
    *count = (size_t)(v->data.sequence.items.top - start);
    if (*count == 0 || *count > GK_MAX_LEVEL)
        return gk_yaml_error(yd, v, "levels: expected 1 to %d code lengths, found %zu",
                             GK_MAX_LEVEL, *count);
    for (size_t i = 0; i < *count; i++) {
        yaml_node_t *node = gk_yaml_node(yd, start[i]);
        if ((status = gk_yaml_int(yd, node, 1, 32, &lengths[i])) != GK_OK)
            return status;
        if (i > 0 && lengths[i] <= lengths[i - 1])
            /* TRANSLATORS: levels is a YAML key; keep it. Level i+1's code is longer than
               level i's: the numbers are code lengths. */
            return gk_yaml_error(yd, node, "levels: expected a length greater than %d, found %d",
                                 lengths[i - 1], lengths[i]);
    }
    return GK_OK;
}

/* `levels: {code: [3, 5, 7]}`: a data row's level is the place of its code's length in the
 * list (3 digits level 1, 5 level 2, 7 level 3), so the package needs no `level` column. */
static gk_status resolve_levels(table_loader *tl)
{
    gk_yaml_doc *yd = tl->yd;
    tl->t->level_field = -1;
    if (tl->levels == NULL)
        return GK_OK;
    gk_status status = gk_yaml_expect(yd, tl->levels, YAML_MAPPING_NODE,
                                      /* TRANSLATORS: what 'levels:' in a layout should be. */
                                      N_("a mapping of a code column to its lengths"));
    if (status != GK_OK)
        return status;
    yaml_node_pair_t *pairs = tl->levels->data.mapping.pairs.start;
    if (tl->levels->data.mapping.pairs.top - pairs != 1)
        return gk_yaml_error(yd, tl->levels, "levels: expected one code column, found %d",
                             (int)(tl->levels->data.mapping.pairs.top - pairs));
    yaml_node_t *key_node = gk_yaml_node(yd, pairs[0].key);
    const char *key = NULL;
    if ((status = gk_yaml_string(yd, key_node, &key)) != GK_OK)
        return status;
    int field = find_field(tl, key);
    if (field < 0 || tl->fields[field].optional || tl->fields[field].type != GK_TYPE_CODE)
        /* TRANSLATORS: levels is a YAML key; keep it. %s is the column key it names. */
        return gk_yaml_error(yd, key_node, "levels: expected a code column read from the "
                                           "package, found '%s'", key);
    int lengths[GK_MAX_LEVEL];
    size_t count = 0;
    if ((status = read_level_lengths(tl, gk_yaml_node(yd, pairs[0].value), lengths, &count)) !=
        GK_OK)
        return status;
    tl->t->level_field = field;
    tl->t->level_lengths = arena_copy(yd->arena, lengths, count, sizeof *lengths);
    tl->t->level_length_count = count;
    return tl->t->level_lengths ? GK_OK : nomem(yd);
}

/* -- amounts a package gives in another scale -- */

/* The scale that applies to table id: its own entry, else the entry for every table; NULL
 * when none does. */
static const gk_data_scale *data_scale_of(const char *id, const gk_data_scale *scales,
                                          size_t count)
{
    const gk_data_scale *every = NULL;
    for (size_t i = 0; i < count; i++) {
        if (scales[i].table == NULL)
            every = &scales[i];
        else if (strcmp(scales[i].table, id) == 0)
            return &scales[i];
    }
    return every;
}

/* Every amount field of the table counts in the package's data scale; the columns keep
 * theirs, so the booklet prints each figure rounded from the exact sum. */
static void apply_data_scale(table_loader *tl, const gk_data_scale *scale)
{
    for (size_t f = 0; scale != NULL && f < tl->field_count; f++)
        if (tl->fields[f].type == GK_TYPE_AMOUNT) {
            tl->fields[f].unit = scale->unit;
            tl->fields[f].decimals = scale->decimals;
        }
}

const char *gk_code_lengths_text(const int *lengths, size_t count, char *text, size_t size)
{
    char list[256] = "";
    for (size_t i = 0; i + 1 < count; i++) {
        size_t used = strlen(list);
        snprintf(list + used, sizeof list - used, i > 0 ? ", %d" : "%d", lengths[i]);
    }
    if (count == 1)
        /* TRANSLATORS: what a code should be, shown as "(expected 6 digits, found 12a)". */
        snprintf(text, size, _("%d digits"), lengths[0]);
    else
        /* TRANSLATORS: what a code should be when several lengths are allowed: the first %s is
           a list of numbers ("3, 5"), then the last one: "3, 5 or 7 digits". */
        snprintf(text, size, _("%s or %d digits"), list, lengths[count - 1]);
    return text;
}

int gk_stub_value_exp(const gk_table_layout *layout)
{
    return layout->fields[1].unit - layout->fields[1].decimals;
}

/* -- stub tables -- */

static int value_index(const char *const *ids, size_t count, const char *id)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(ids[i], id) == 0)
            return (int)i;
    return -1;
}

/* Parses "a + b - c" over the first `known` value ids. */
static gk_status parse_expr(gk_yaml_doc *yd, yaml_node_t *at, const char *text,
                            const char *const *ids, size_t known, gk_expr *out)
{
    int terms[MAX_TERMS], signs[MAX_TERMS];
    size_t count = 0;
    const char *p = text;
    int sign = 1;
    for (;;) {
        while (*p == ' ')
            p++;
        const char *start = p;
        while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
               *p == '_' || *p == '.')
            p++;
        if (p == start)
            /* TRANSLATORS: the first %s is an expression (a + b - c), the second the part of it
               from where it goes wrong. */
            return gk_yaml_error(yd, at, "expected a value id in '%s' at '%s'", text, start);
        char id[128];
        size_t len = (size_t)(p - start);
        if (len >= sizeof id || count == MAX_TERMS)
            return gk_yaml_error(yd, at, "expression too long: '%s'", text);
        memcpy(id, start, len);
        id[len] = '\0';
        int index = value_index(ids, known, id);
        if (index < 0)
            return gk_yaml_error(yd, at, "'%s' is not an item or an earlier derived value", id);
        terms[count] = index;
        signs[count++] = sign;
        while (*p == ' ')
            p++;
        if (*p == '\0')
            break;
        if (*p != '+' && *p != '-')
            return gk_yaml_error(yd, at, "expected '+' or '-' in '%s' at '%s'", text, p);
        sign = *p == '+' ? 1 : -1;
        p++;
    }
    out->terms = arena_copy(yd->arena, terms, count, sizeof *terms);
    out->signs = arena_copy(yd->arena, signs, count, sizeof *signs);
    out->count = count;
    out->text = text;
    return out->terms && out->signs ? GK_OK : nomem(yd);
}

/* A cell's content: text, `=EXPR` or blank. */
static gk_status read_stub_value(gk_yaml_doc *yd, yaml_node_t *node, const char *const *ids,
                                 size_t id_count, gk_stub_cell *cell)
{
    if (gk_yaml_is_null(node)) {
        cell->kind = GK_STUB_BLANK;
        return GK_OK;
    }
    const char *text = NULL;
    gk_status status = gk_yaml_string(yd, node, &text);
    if (status != GK_OK)
        return status;
    if (text[0] == '=') {
        cell->kind = GK_STUB_EXPR;
        return parse_expr(yd, node, text + 1, ids, id_count, &cell->expr);
    }
    cell->kind = text[0] ? GK_STUB_TEXT : GK_STUB_BLANK;
    cell->text = text;
    return GK_OK;
}

/* A cell written as a map {cell, colspan, rowspan}. */
typedef struct stub_cell_spec {
    const char *const *ids;
    size_t id_count;
    gk_stub_cell cell;
} stub_cell_spec;

static gk_status stub_cell_content(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    stub_cell_spec *spec = p;
    return read_stub_value(yd, v, spec->ids, spec->id_count, &spec->cell);
}
static gk_status stub_cell_colspan(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    return gk_yaml_int(yd, v, 1, MAX_COLUMNS, &((stub_cell_spec *)p)->cell.cols);
}
static gk_status stub_cell_rowspan(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    return gk_yaml_int(yd, v, 1, MAX_STUB_ROWS, &((stub_cell_spec *)p)->cell.rows);
}
static const gk_yaml_key stub_cell_keys[] = {
    {"cell", stub_cell_content, true},
    {"colspan", stub_cell_colspan, false},
    {"rowspan", stub_cell_rowspan, false},
};

static gk_status read_stub_cell(gk_yaml_doc *yd, yaml_node_t *node, const char *const *ids,
                                size_t id_count, gk_stub_cell *cell)
{
    *cell = (gk_stub_cell){.kind = GK_STUB_BLANK, .rows = 1, .cols = 1};
    if (node->type != YAML_MAPPING_NODE)
        return read_stub_value(yd, node, ids, id_count, cell);
    stub_cell_spec spec = {ids, id_count, *cell};
    gk_status status = gk_yaml_read_map(yd, node, stub_cell_keys,
                                        sizeof stub_cell_keys / sizeof *stub_cell_keys, &spec);
    *cell = spec.cell;
    return status;
}

typedef struct item_spec {
    const char *id;
    yaml_node_t *from;
} item_spec;

static gk_status item_id(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    return gk_yaml_string(yd, v, &((item_spec *)p)->id);
}
static gk_status item_from(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    ((item_spec *)p)->from = v;
    return gk_yaml_expect(yd, v, YAML_SCALAR_NODE, N_("a query such as 1-2.total[class=208]"));
}
static const gk_yaml_key item_keys[] = {
    {"id", item_id, true},
    {"from", item_from, false},
};

typedef struct stub_row_spec {
    bool total;
    yaml_node_t *cells;
    yaml_node_t *omit; /* omit: if_zero, or NULL */
} stub_row_spec;

static gk_status stub_row_kind(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    static const char *const names[] = {"data", "total"};
    int choice = 0;
    gk_status status = gk_yaml_choice(yd, v, names, 2, &choice);
    ((stub_row_spec *)p)->total = choice == 1;
    return status;
}
static gk_status stub_row_cells(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    ((stub_row_spec *)p)->cells = v;
    return gk_yaml_expect(yd, v, YAML_SEQUENCE_NODE, N_("a list of cells"));
}
static gk_status stub_row_omit(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    static const char *const names[] = {"if_zero"};
    int choice = 0;
    ((stub_row_spec *)p)->omit = v;
    return gk_yaml_choice(yd, v, names, 1, &choice);
}
static const gk_yaml_key stub_row_keys[] = {
    {"kind", stub_row_kind, false},
    {"cells", stub_row_cells, true},
    {"omit", stub_row_omit, false},
};

/* The columns a row fills: all the table's, or one side's of a `sides:` block. */
typedef struct column_window {
    size_t first, end;
} column_window;

/* The rowspans of the rows read so far: which columns of the next rows they cover. */
typedef struct stub_spans {
    size_t below[MAX_COLUMNS];        /* column c is covered up to this row (exclusive) */
    yaml_node_t *from[MAX_COLUMNS];   /* by this cell */
} stub_spans;

/* A row's listed cells must fill the columns its spans and those from above leave. */
static gk_status check_row_width(table_loader *tl, const stub_row_spec *spec,
                                 const stub_spans *spans, const column_window *window, size_t r,
                                 const gk_stub_cell *written, size_t listed)
{
    size_t n = window->end - window->first, width = 0;
    bool spanned = false;
    for (size_t i = 0; i < listed; i++) {
        width += (size_t)written[i].cols;
        spanned |= written[i].cols > 1 || written[i].rows > 1;
    }
    for (size_t c = window->first; c < window->end; c++)
        if (spans->below[c] > r) {
            width++;
            spanned = true;
        }
    if (width == n)
        return GK_OK;
    if (!spanned)
        /* TRANSLATORS: the number of cells a fixed row should have, then how many it has. */
        return gk_yaml_error(tl->yd, spec->cells, "expected %zu cells (one per column), found %zu",
                             n, listed);
    /* TRANSLATORS: colspan and rowspan are YAML keys of a layout file; keep them. The numbers
       are columns. */
    return gk_yaml_error(tl->yd, spec->cells, "expected cells over %zu columns (a cell counts "
                                              "its colspan, a column covered by a rowspan from "
                                              "above counts one), found %zu",
                         n, width);
}

/* A row that may be left out (omit: if_zero) has an amount to test and no merge with the rows
 * around it, which would be cut. */
static gk_status check_row_omit(table_loader *tl, const stub_row_spec *spec,
                                const stub_spans *spans, const column_window *window, size_t r,
                                const gk_stub_cell *written, const yaml_node_t *cells,
                                size_t listed)
{
    gk_yaml_doc *yd = tl->yd;
    if (spec->omit == NULL)
        return GK_OK;
    for (size_t c = window->first; c < window->end; c++)
        if (spans->below[c] > r)
            /* TRANSLATORS: omit: if_zero and rowspan are YAML of a layout file; keep them. %d
               is the line of the cell that spans down. */
            return gk_yaml_error(yd, spec->omit, "omit: if_zero: expected a row no rowspan "
                                                 "reaches into, found the rowspan of line %d",
                                 gk_yaml_line(spans->from[c]));
    bool amount = false;
    for (size_t i = 0; i < listed; i++) {
        if (written[i].rows > 1)
            return gk_yaml_error(yd, gk_yaml_node(yd, cells->data.sequence.items.start[i]),
                                 /* TRANSLATORS: rowspan and omit: if_zero are YAML; keep them. */
                                 "rowspan: expected 1 in a row with omit: if_zero, found %d",
                                 written[i].rows);
        amount |= written[i].kind == GK_STUB_EXPR;
    }
    if (!amount)
        /* TRANSLATORS: omit: if_zero is YAML of a layout file; =EXPR stands for a cell such as
           =in.general. */
        return gk_yaml_error(yd, spec->omit, "omit: if_zero: expected a row with an amount cell "
                                             "(=EXPR), found none");
    return GK_OK;
}

/* Places a row's listed cells as an HTML table row: each in the first column left free by the
 * cells before it and by the rowspans from above, the columns its spans cover marked. */
static gk_status place_row_cells(table_loader *tl, stub_spans *spans, const column_window *window,
                                 size_t r, const yaml_node_t *list, const gk_stub_cell *written,
                                 size_t listed, gk_stub_cell *cells)
{
    gk_yaml_doc *yd = tl->yd;
    size_t n = window->end, c = window->first;
    const gk_stub_cell covered = {.kind = GK_STUB_BLANK, .rows = 1, .cols = 1, .covered = true};
    for (size_t i = 0; i <= listed; i++) {
        while (c < n && spans->below[c] > r)
            cells[c++] = covered;
        if (i == listed)
            break;
        yaml_node_t *node = gk_yaml_node(yd, list->data.sequence.items.start[i]);
        size_t cols = (size_t)written[i].cols;
        for (size_t k = c; k < c + cols; k++)
            if (k >= n || spans->below[k] > r)
                /* TRANSLATORS: colspan and rowspan are YAML keys of a layout file; keep them. */
                return gk_yaml_error(yd, node, "colspan: expected columns no rowspan from above "
                                               "covers, found column %zu covered",
                                     k + 1);
        cells[c] = written[i];
        for (size_t k = c; k < c + cols; k++) {
            if (k > c)
                cells[k] = covered;
            if (written[i].rows > 1) {
                spans->below[k] = r + (size_t)written[i].rows;
                spans->from[k] = node;
            }
        }
        c += cols;
    }
    return GK_OK;
}

/* Reads row r (of the table, or of a side) into spec's cells, one per column of the table
 * (covered ones included): the window's from the row, the others blank. */
static gk_status read_stub_row(table_loader *tl, stub_spans *spans, const column_window *window,
                               size_t r, const stub_row_spec *spec, const char *const *ids,
                               size_t id_count, gk_stub_row *out)
{
    gk_yaml_doc *yd = tl->yd;
    size_t listed =
        (size_t)(spec->cells->data.sequence.items.top - spec->cells->data.sequence.items.start);
    gk_stub_cell *written = gk_arena_alloc(yd->arena, (listed + 1) * sizeof *written);
    gk_stub_cell *cells = gk_arena_alloc(yd->arena, (tl->t->column_count + 1) * sizeof *cells);
    if (written == NULL || cells == NULL)
        return nomem(yd);
    for (size_t c = 0; c < tl->t->column_count; c++)
        cells[c] = (gk_stub_cell){.kind = GK_STUB_BLANK, .rows = 1, .cols = 1};
    gk_status status = GK_OK;
    for (size_t i = 0; i < listed && status == GK_OK; i++)
        status = read_stub_cell(yd, gk_yaml_node(yd, spec->cells->data.sequence.items.start[i]),
                                ids, id_count, &written[i]);
    if (status == GK_OK)
        status = check_row_width(tl, spec, spans, window, r, written, listed);
    if (status == GK_OK)
        status = check_row_omit(tl, spec, spans, window, r, written, spec->cells, listed);
    if (status == GK_OK)
        status = place_row_cells(tl, spans, window, r, spec->cells, written, listed, cells);
    *out = (gk_stub_row){.total = spec->total, .omit_if_zero = spec->omit != NULL,
                         .cells = cells};
    return status;
}

/* A row as written: a list of cells, or a map with kind, cells and omit. */
static gk_status read_row_spec(table_loader *tl, yaml_node_t *node, stub_row_spec *spec)
{
    *spec = (stub_row_spec){false, node, NULL};
    gk_status status = GK_OK;
    if (node->type == YAML_MAPPING_NODE)
        status = gk_yaml_read_map(tl->yd, node, stub_row_keys,
                                  sizeof stub_row_keys / sizeof *stub_row_keys, spec);
    if (status == GK_OK)
        status = gk_yaml_expect(tl->yd, spec->cells, YAML_SEQUENCE_NODE, N_("a list of cells"));
    return status;
}

/* ---- sides: lists set beside each other in one fixed table ---- */

typedef struct side_spec {
    yaml_node_t *columns, *rows;
} side_spec;

static gk_status side_columns(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    ((side_spec *)p)->columns = v;
    return gk_yaml_expect(yd, v, YAML_SEQUENCE_NODE, N_("a list of column keys"));
}
static gk_status side_rows(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    ((side_spec *)p)->rows = v;
    return gk_yaml_expect(yd, v, YAML_SEQUENCE_NODE, N_("a list of rows"));
}
static const gk_yaml_key side_keys[] = {
    {"columns", side_columns, true},
    {"rows", side_rows, true},
};

static gk_status keep_sides(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    *(yaml_node_t **)p = v;
    return gk_yaml_expect(yd, v, YAML_SEQUENCE_NODE, N_("a list of sides"));
}
static const gk_yaml_key sides_keys[] = {
    {"sides", keep_sides, true},
};

/* A side's columns: keys of consecutive leaves, the first the one after the sides before it
 * (window->first on entry). */
static gk_status read_side_columns(table_loader *tl, yaml_node_t *list, column_window *window)
{
    yaml_node_item_t *start = list->data.sequence.items.start;
    size_t count = (size_t)(list->data.sequence.items.top - start);
    if (count == 0)
        /* TRANSLATORS: columns is a YAML key of a layout file; keep it. */
        return gk_yaml_error(tl->yd, list, "columns: expected at least one column key, found "
                                           "none");
    for (size_t i = 0; i < count; i++) {
        yaml_node_t *node = gk_yaml_node(tl->yd, start[i]);
        int leaf = 0;
        gk_status status = leaf_by_key(tl, node, &leaf);
        if (status != GK_OK)
            return status;
        size_t expected = window->first + i;
        if (expected >= tl->leaf_count)
            /* TRANSLATORS: %zu is how many columns the table has, %s a column key. */
            return gk_yaml_error(tl->yd, node, "expected no more columns (the sides before "
                                               "reach the table's last, its %zu), found '%s'",
                                 tl->leaf_count, tl->leaves[leaf].column.key);
        if ((size_t)leaf != expected)
            /* TRANSLATORS: the %s are column keys of a layout file. A side of a table is a run
               of its columns, left to right after the side before it. */
            return gk_yaml_error(tl->yd, node, "expected column '%s' (a side's columns follow "
                                               "each other, left to right after the side "
                                               "before it), found '%s'",
                                 tl->leaves[expected].column.key, tl->leaves[leaf].column.key);
    }
    window->end = window->first + count;
    return GK_OK;
}

/* The rowspans of a side must end within its rows. */
static gk_status check_side_spans(table_loader *tl, const stub_spans *spans,
                                  const column_window *window, size_t rows)
{
    for (size_t c = window->first; c < window->end; c++)
        if (spans->below[c] > rows)
            /* TRANSLATORS: rowspan is a YAML key of a layout file; keep it. */
            return gk_yaml_error(tl->yd, spans->from[c], "rowspan: expected a span within "
                                                         "the side's %zu rows, found one past "
                                                         "its last row",
                                 rows);
    return GK_OK;
}

/* The rows of one side, appended to rows[*count], each filling only the window's columns. */
static gk_status read_side_rows(table_loader *tl, yaml_node_t *list, const column_window *window,
                                gk_stub_row *rows, size_t *count, const char *const *ids,
                                size_t id_count)
{
    gk_yaml_doc *yd = tl->yd;
    stub_spans *spans = calloc(1, sizeof *spans);
    if (spans == NULL)
        return nomem(yd);
    gk_status status = GK_OK;
    size_t side_rows = 0;
    for (yaml_node_item_t *it = list->data.sequence.items.start;
         status == GK_OK && it < list->data.sequence.items.top; it++) {
        yaml_node_t *node = gk_yaml_node(yd, *it);
        stub_row_spec spec;
        if (*count == MAX_STUB_ROWS)
            status = gk_yaml_error(yd, node, "more than %d rows", MAX_STUB_ROWS);
        else if ((status = read_row_spec(tl, node, &spec)) == GK_OK && spec.total)
            /* TRANSLATORS: kind, data and total are YAML of a layout file; keep them. */
            status = gk_yaml_error(yd, node, "kind: expected data in a row of a side, found "
                                             "total (a total lines up across the sides: write "
                                             "it as a row after them)");
        if (status != GK_OK)
            break;
        gk_stub_row *row = &rows[*count];
        status = read_stub_row(tl, spans, window, side_rows++, &spec, ids, id_count, row);
        row->in_sides = true;
        row->first_column = window->first;
        row->end_column = window->end;
        ++*count;
    }
    if (status == GK_OK)
        status = check_side_spans(tl, spans, window, side_rows);
    free(spans);
    return status;
}

/* A `sides:` entry of a fixed table's rows: two or more sides, each a run of the table's
 * columns with rows of its own, together every column once; no rowspan from above reaches
 * into them. Its rows are appended to rows[*count]. */
static gk_status read_sides_block(table_loader *tl, const stub_spans *spans, yaml_node_t *node,
                                  gk_stub_row *rows, size_t *count, const char *const *ids,
                                  size_t id_count)
{
    gk_yaml_doc *yd = tl->yd;
    yaml_node_t *sides = NULL;
    gk_status status = gk_yaml_read_map(yd, node, sides_keys, 1, &sides);
    if (status != GK_OK)
        return status;
    size_t side_count =
        (size_t)(sides->data.sequence.items.top - sides->data.sequence.items.start);
    if (side_count < 2)
        /* TRANSLATORS: sides is a YAML key of a layout file; keep it. */
        return gk_yaml_error(yd, sides, "sides: expected at least two sides, found %zu",
                             side_count);
    for (size_t c = 0; c < tl->leaf_count; c++)
        if (spans->below[c] > *count)
            /* TRANSLATORS: rowspan and sides are YAML keys of a layout file; keep them. %d is
               the line where the sides begin. */
            return gk_yaml_error(yd, spans->from[c], "rowspan: expected a span that ends "
                                                     "above the sides of line %d, found one "
                                                     "reaching into them",
                                 gk_yaml_line(node));
    size_t start = *count;
    column_window window = {0, 0};
    for (size_t i = 0; i < side_count && status == GK_OK; i++) {
        yaml_node_t *side = gk_yaml_node(yd, sides->data.sequence.items.start[i]);
        side_spec spec = {NULL, NULL};
        if ((status = gk_yaml_expect(yd, side, YAML_MAPPING_NODE,
                                     N_("a side: {columns, rows}"))) != GK_OK ||
            (status = gk_yaml_read_map(yd, side, side_keys, 2, &spec)) != GK_OK)
            break;
        window.first = window.end;
        if ((status = read_side_columns(tl, spec.columns, &window)) == GK_OK)
            status = read_side_rows(tl, spec.rows, &window, rows, count, ids, id_count);
    }
    if (status == GK_OK && window.end != tl->leaf_count)
        /* TRANSLATORS: the numbers are columns of a table; %s the key of the first column no
           side holds. */
        status = gk_yaml_error(yd, sides, "sides: expected sides over all %zu columns, found "
                                          "%zu (none holds '%s')",
                               tl->leaf_count, window.end, tl->leaves[window.end].column.key);
    for (size_t r = start; r < *count; r++)
        rows[r].block_end = *count;
    return status;
}

/* The rows of a fixed table; a rowspan may not reach past the last. */
static gk_status resolve_stub_rows(table_loader *tl, const char *const *ids, size_t id_count)
{
    gk_yaml_doc *yd = tl->yd;
    gk_table_layout *t = tl->t;
    gk_status status = gk_yaml_expect(yd, tl->rows, YAML_SEQUENCE_NODE, N_("a list of rows"));
    if (status != GK_OK)
        return status;
    gk_stub_row *rows = gk_arena_alloc(yd->arena, MAX_STUB_ROWS * sizeof *rows);
    stub_spans *spans = calloc(1, sizeof *spans);
    if (rows == NULL || spans == NULL) {
        free(spans);
        return nomem(yd);
    }
    size_t row_count = 0;
    const column_window across = {0, t->column_count};
    for (yaml_node_item_t *it = tl->rows->data.sequence.items.start;
         status == GK_OK && it < tl->rows->data.sequence.items.top; it++) {
        yaml_node_t *node = gk_yaml_node(yd, *it);
        if (row_count == MAX_STUB_ROWS) {
            status = gk_yaml_error(yd, node, "more than %d rows", MAX_STUB_ROWS);
            break;
        }
        if (node->type == YAML_MAPPING_NODE && gk_yaml_has_key(yd, node, "sides")) {
            status = read_sides_block(tl, spans, node, rows, &row_count, ids, id_count);
            continue;
        }
        stub_row_spec spec;
        status = read_row_spec(tl, node, &spec);
        if (status == GK_OK)
            status = read_stub_row(tl, spans, &across, row_count, &spec, ids, id_count,
                                   &rows[row_count]);
        row_count++;
    }
    for (size_t c = 0; status == GK_OK && c < t->column_count; c++)
        if (spans->below[c] > row_count)
            /* TRANSLATORS: rowspan is a YAML key of a layout file; keep it. */
            status = gk_yaml_error(yd, spans->from[c], "rowspan: expected a span within the "
                                                       "table's %zu rows, found one past its "
                                                       "last row",
                                   row_count);
    free(spans);
    t->rows = rows;
    t->row_count = row_count;
    return status;
}

static gk_status resolve_stub(table_loader *tl)
{
    gk_yaml_doc *yd = tl->yd;
    gk_table_layout *t = tl->t;
    gk_status status;
    if (tl->items == NULL || tl->rows == NULL)
        /* TRANSLATORS: items, rows, summary, narrative, tables: true and the like in quotes are
           YAML keys of the layout profile; keep them. */
        return gk_yaml_error(yd, gk_yaml_root(yd), "a fixed-row table needs both 'items' and 'rows'");
    if (tl->summary != NULL)
        return gk_yaml_error(yd, tl->summary, "a fixed-row table has 'rows', not 'summary'");
    if (tl->consolidate_by != NULL)
        return gk_yaml_error(yd, tl->consolidate_by,
                             "a fixed-row table sums its items over the units, it has no "
                             "'consolidate_by'");
    if (tl->levels != NULL)
        /* TRANSLATORS: levels is a YAML key; keep it. */
        return gk_yaml_error(yd, tl->levels, "a fixed-row table has no data rows, so no 'levels'");

    /* items, then derived values, in one id list */
    const char **ids = gk_arena_alloc(yd->arena, MAX_VALUES * sizeof *ids);
    gk_expr *derived = gk_arena_alloc(yd->arena, MAX_VALUES * sizeof *derived);
    if (ids == NULL || derived == NULL)
        return nomem(yd);
    size_t count = 0;
    status = gk_yaml_expect(yd, tl->items, YAML_SEQUENCE_NODE, N_("a list of item ids"));
    if (status != GK_OK)
        return status;
    gk_item_source *sources = gk_arena_alloc(yd->arena, MAX_VALUES * sizeof *sources);
    if (sources == NULL)
        return nomem(yd);
    for (yaml_node_item_t *it = tl->items->data.sequence.items.start;
         it < tl->items->data.sequence.items.top; it++) {
        yaml_node_t *node = gk_yaml_node(yd, *it);
        if (count == MAX_VALUES)
            return gk_yaml_error(yd, node, "more than %d items", MAX_VALUES);
        item_spec item = {NULL, NULL};
        if (node->type == YAML_MAPPING_NODE)
            status = gk_yaml_read_map(yd, node, item_keys, 2, &item);
        else
            status = gk_yaml_string(yd, node, &item.id);
        if (status != GK_OK)
            return status;
        ids[count] = item.id;
        if (item.from != NULL) {
            const char *text = NULL;
            if ((status = gk_yaml_string(yd, item.from, &text)) != GK_OK)
                return status;
            sources[count] = (gk_item_source){text, gk_yaml_line(item.from),
                                              (int)item.from->start_mark.column + 1, NULL};
        }
        if (value_index(ids, count, ids[count]) >= 0)
            return gk_yaml_error(yd, node, "duplicate item '%s'", ids[count]);
        count++;
    }
    t->item_sources = sources;
    t->item_count = count;
    if (tl->derived != NULL) {
        if ((status = gk_yaml_expect(yd, tl->derived, YAML_MAPPING_NODE,
                                     N_("a mapping of id: expression"))) != GK_OK)
            return status;
        for (yaml_node_pair_t *pair = tl->derived->data.mapping.pairs.start;
             pair < tl->derived->data.mapping.pairs.top; pair++) {
            yaml_node_t *key = gk_yaml_node(yd, pair->key);
            yaml_node_t *value = gk_yaml_node(yd, pair->value);
            const char *expr = NULL;
            if (count == MAX_VALUES)
                return gk_yaml_error(yd, key, "more than %d values", MAX_VALUES);
            if ((status = gk_yaml_string(yd, key, &ids[count])) != GK_OK ||
                (status = gk_yaml_string(yd, value, &expr)) != GK_OK)
                return status;
            if (value_index(ids, count, ids[count]) >= 0)
                return gk_yaml_error(yd, key, "'%s' is defined twice", ids[count]);
            status = parse_expr(yd, value, expr[0] == '=' ? expr + 1 : expr, ids, count,
                                &derived[count - t->item_count]);
            if (status != GK_OK)
                return status;
            count++;
        }
    }
    t->value_ids = ids;
    t->value_count = count;
    t->derived = derived;

    if ((status = resolve_stub_rows(tl, ids, count)) != GK_OK)
        return status;

    /* the CSV of a stub table: item,amount */
    tl->field_count = 0;
    tl->fields[tl->field_count++] = (gk_field){"item", GK_TYPE_CODE, 0, false, 0};
    tl->fields[tl->field_count++] =
        (gk_field){"amount", GK_TYPE_AMOUNT, t->amount_decimals, false, t->amount_unit};
    return GK_OK;
}

static gk_status load_table(gk_profile *profile, const char *path, gk_table_layout *t,
                            const gk_data_scale *scales, size_t scale_count, gk_diag *diag)
{
    gk_yaml_doc yd;
    table_loader *tl = calloc(1, sizeof *tl);
    if (tl == NULL)
        return gk_diag_set(diag, GK_ERR_NOMEM, path, 0, 0, "out of memory");
    tl->yd = &yd;
    tl->profile = profile;
    tl->t = t;
    memset(t, 0, sizeof *t);
    t->level_field = -1;
    inherit_amounts(profile, t);

    gk_status status = gk_yaml_open(&yd, path, &profile->arena, diag);
    if (status != GK_OK)
        goto done;
    t->path = yd.path;
    yaml_node_t *root = gk_yaml_root(&yd);
    if ((status = gk_yaml_read_map(&yd, root, table_keys, sizeof table_keys / sizeof *table_keys,
                                   tl)) != GK_OK)
        goto done;

    int depth = 0;
    if ((status = tree_depth(tl, tl->columns, 0, &depth)) != GK_OK ||
        (status = tree_walk(tl, tl->columns, 0, depth)) != GK_OK)
        goto done;
    t->header_rows = depth;
    t->column_count = tl->leaf_count;
    t->is_stub = tl->items != NULL || tl->rows != NULL || tl->derived != NULL;

    if (t->is_stub) {
        for (size_t i = 0; i < tl->leaf_count && status == GK_OK; i++) {
            status = apply_type_defaults(tl, &tl->leaves[i]);
            tl->leaves[i].column.field = -1;
        }
        if (status == GK_OK)
            status = resolve_stub(tl);
    } else {
        if ((status = resolve_fields(tl)) == GK_OK && (status = resolve_leaves(tl)) == GK_OK &&
            (status = resolve_summary(tl)) == GK_OK &&
            (status = resolve_consolidate_by(tl)) == GK_OK)
            status = resolve_levels(tl);
    }
    if (status == GK_OK)
        apply_data_scale(tl, data_scale_of(t->id, scales, scale_count));
    if (status == GK_OK)
        status = check_text_template(&yd, tl->title, t->title); /* "…（{year}年度）" */
    if (status != GK_OK)
        goto done;
    if (!t->has_number)
        t->number = t->title; /* what messages name the table by */

    gk_column *columns = gk_arena_alloc(&profile->arena, (tl->leaf_count + 1) * sizeof *columns);
    if (columns == NULL) {
        status = nomem(&yd);
        goto done;
    }
    for (size_t i = 0; i < tl->leaf_count; i++)
        columns[i] = tl->leaves[i].column;
    t->columns = columns;
    t->header = arena_copy(&profile->arena, tl->header, tl->header_count, sizeof *tl->header);
    t->header_count = tl->header_count;
    t->fields = arena_copy(&profile->arena, tl->fields, tl->field_count, sizeof *tl->fields);
    t->field_count = tl->field_count;
    if (t->header == NULL || t->fields == NULL)
        status = nomem(&yd);
done:
    gk_yaml_close(&yd);
    free(tl);
    return status;
}

/* ---- booklet.yaml ---------------------------------------------------------------------- */

typedef struct booklet_loader {
    gk_profile *profile;
    yaml_node_t *parts;
    const char *table_ids[GK_BOOKLET_KIND_COUNT][MAX_TABLES];
    yaml_node_t *table_nodes[GK_BOOKLET_KIND_COUNT][MAX_TABLES];
    size_t table_counts[GK_BOOKLET_KIND_COUNT];
    gk_booklet_kind current;
    yaml_node_t *not_supplied; /* the not_supplied: value, for errors */
    const gk_data_scale *scales; /* the package's amounts.csv (gk_profile_load_scaled) */
    size_t scale_count;
} booklet_loader;

static gk_status bk_profile(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    return gk_yaml_string(yd, v, &((booklet_loader *)p)->profile->name);
}
static gk_status bk_name(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    return gk_yaml_string(yd, v, &((booklet_loader *)p)->profile->description);
}
static gk_status bk_amount_unit(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    gk_profile *profile = ((booklet_loader *)p)->profile;
    gk_status status = read_unit(yd, v, &profile->amount_unit_power);
    profile->amount_unit = gk_amount_unit_name(profile->amount_unit_power);
    return status;
}
static gk_status bk_amount_decimals(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    return gk_yaml_int(yd, v, 0, 6, &((booklet_loader *)p)->profile->amount_decimals);
}
bool gk_figure_format_parse(const char *text, gk_figure_format *out)
{
    *out = (gk_figure_format){text, 0, 0};
    if (text[0] != '0')
        return false;
    if (text[1] == '\0')
        return true;
    if (text[1] != '.')
        return false;
    const char *p = text + 2;
    for (; *p == '0'; p++)
        out->min_decimals++;
    out->max_decimals = out->min_decimals;
    for (; *p == '#'; p++)
        out->max_decimals++;
    return *p == '\0' && out->max_decimals >= 1 && out->max_decimals <= 6;
}
static gk_status bk_narrative_amount_format(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    gk_figure_format *format = &((booklet_loader *)p)->profile->narrative_amounts;
    const char *text = NULL;
    gk_status status = gk_yaml_string(yd, v, &text);
    if (status == GK_OK && !gk_figure_format_parse(text, format))
        return gk_yaml_error(yd, v, "expected a figure format such as 0.00 or 0.##, found '%s'",
                             text);
    return status;
}
static gk_status bk_zero(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    gk_profile *profile = ((booklet_loader *)p)->profile;
    gk_status status = read_zero(yd, v, &profile->zero);
    profile->zero_blank = profile->zero == GK_ZERO_BLANK;
    return status;
}
static gk_status bk_thousands(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    return gk_yaml_bool(yd, v, &((booklet_loader *)p)->profile->thousands);
}
static gk_status bk_caption(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    gk_profile *profile = ((booklet_loader *)p)->profile;
    return read_caption(yd, v, &profile->caption_left, &profile->caption_right);
}
static gk_status bk_empty_text(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    return read_text_template(yd, v, &((booklet_loader *)p)->profile->empty_text);
}
/* table_text: {size, min_size, padding} in points, for how table cells are set. */
static gk_status tt_size(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    return gk_yaml_int(yd, v, 6, 14, &((gk_profile *)p)->table_size);
}
static gk_status tt_min_size(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    return gk_yaml_int(yd, v, 6, 14, &((gk_profile *)p)->table_min_size);
}
static gk_status tt_padding(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    return gk_yaml_int(yd, v, 2, 8, &((gk_profile *)p)->table_padding);
}
static gk_status bk_table_text(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    static const gk_yaml_key keys[] = {
        {"size", tt_size, false}, {"min_size", tt_min_size, false}, {"padding", tt_padding, false}};
    gk_profile *profile = ((booklet_loader *)p)->profile;
    gk_status status = gk_yaml_read_map(yd, v, keys, sizeof keys / sizeof keys[0], profile);
    if (status == GK_OK && profile->table_min_size > profile->table_size)
        return gk_yaml_error(yd, v, "expected min_size (%d) no larger than size (%d)",
                             profile->table_min_size, profile->table_size);
    return status;
}
static gk_status bk_not_supplied(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    static const char *const names[] = {"print", "omit"};
    int choice = 0;
    gk_status status = gk_yaml_choice(yd, v, names, 2, &choice);
    ((booklet_loader *)p)->profile->not_supplied_omit = choice == 1;
    ((booklet_loader *)p)->not_supplied = v;
    return status;
}
static gk_status bk_not_supplied_text(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    return read_text_template(yd, v, &((booklet_loader *)p)->profile->not_supplied_text);
}
static gk_status bk_continued(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    return gk_yaml_string(yd, v, &((booklet_loader *)p)->profile->continued);
}
static gk_status bk_title(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    booklet_loader *bl = p;
    return gk_yaml_string(yd, v, &bl->profile->booklets[bl->current].title);
}
static gk_status bk_tables(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    booklet_loader *bl = p;
    gk_status status = gk_yaml_expect(yd, v, YAML_SEQUENCE_NODE, N_("a list of table ids"));
    if (status != GK_OK)
        return status;
    size_t *count = &bl->table_counts[bl->current];
    for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
        yaml_node_t *node = gk_yaml_node(yd, *it);
        if (*count == MAX_TABLES)
            return gk_yaml_error(yd, node, "more than %d tables", MAX_TABLES);
        const char *id = NULL;
        if ((status = gk_yaml_string(yd, node, &id)) != GK_OK)
            return status;
        if (strchr(id, '/') || strchr(id, '\\') || strstr(id, "..") || id[0] == '\0')
            return gk_yaml_error(yd, node, "expected a table id such as 3-1, found '%s'", id);
        for (size_t i = 0; i < *count; i++)
            if (strcmp(bl->table_ids[bl->current][i], id) == 0)
                return gk_yaml_error(yd, node, "table '%s' listed twice", id);
        bl->table_nodes[bl->current][*count] = node;
        bl->table_ids[bl->current][(*count)++] = id;
    }
    return GK_OK;
}
static gk_status bk_rows(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    booklet_loader *bl = p;
    static const char *const names[] = {"by_unit", "consolidated"};
    int choice = 0;
    gk_status status = gk_yaml_choice(yd, v, names, 2, &choice);
    bl->profile->booklets[bl->current].consolidated = choice == 1;
    return status;
}
/* -- the front of a booklet: cover lines, full title, caption (the profile's or a booklet's) -- */

/* A template of the cover or the full title, checked. */
static gk_status read_front_template(gk_yaml_doc *yd, yaml_node_t *v, const char **out)
{
    gk_status status = gk_yaml_string(yd, v, out);
    return status == GK_OK ? check_placeholders(yd, v, *out, false) : status;
}
static gk_status cover_text(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    return read_front_template(yd, v, &((gk_cover_line *)p)->text);
}
static gk_status cover_size(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    return gk_yaml_int(yd, v, 8, 40, &((gk_cover_line *)p)->size);
}
/* A cover line: a template, or {text: TEMPLATE, size: POINTS}; the first line is set at 26
 * points, the others at 24, unless they say. */
static gk_status read_cover_line(gk_yaml_doc *yd, yaml_node_t *v, size_t index,
                                 gk_cover_line *line)
{
    static const gk_yaml_key keys[] = {{"text", cover_text, true}, {"size", cover_size, false}};
    line->size = index == 0 ? 26 : 24;
    if (v->type == YAML_SCALAR_NODE)
        return read_front_template(yd, v, &line->text);
    return gk_yaml_read_map(yd, v, keys, 2, line);
}
/* cover: a list of lines, printed centred one under the other. */
static gk_status read_cover(gk_yaml_doc *yd, yaml_node_t *v, gk_wording *wording)
{
    gk_status status = gk_yaml_expect(yd, v, YAML_SEQUENCE_NODE, N_("a list of cover lines"));
    if (status != GK_OK)
        return status;
    yaml_node_item_t *start = v->data.sequence.items.start;
    size_t count = (size_t)(v->data.sequence.items.top - start);
    if (count == 0)
        return gk_yaml_error(yd, v, "expected at least one cover line, found none");
    gk_cover_line *lines = gk_arena_alloc(yd->arena, count * sizeof *lines);
    if (lines == NULL)
        return nomem(yd);
    for (size_t i = 0; i < count && status == GK_OK; i++)
        status = read_cover_line(yd, gk_yaml_node(yd, start[i]), i, &lines[i]);
    wording->cover = lines;
    wording->cover_count = count;
    return status;
}
static gk_status bk_cover(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    return read_cover(yd, v, &((booklet_loader *)p)->profile->wording);
}
static gk_status bk_full_title(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    return read_front_template(yd, v, &((booklet_loader *)p)->profile->wording.full_title);
}
static gk_status bk_contents_numbering(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    static const char *const names[] = {"chinese", "arabic"};
    int choice = 0;
    gk_status status = gk_yaml_choice(yd, v, names, 2, &choice);
    ((booklet_loader *)p)->profile->contents_arabic = choice == 1;
    return status;
}
static gk_status bk_empty_position(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    return read_empty_position(yd, v, &((booklet_loader *)p)->profile->empty_position);
}
/* the same keys under booklets.unit / booklets.department */
static gk_booklet *current_booklet(booklet_loader *bl)
{
    return &bl->profile->booklets[bl->current];
}
static gk_status bk_booklet_cover(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    return read_cover(yd, v, &current_booklet(p)->wording);
}
static gk_status bk_booklet_full_title(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    return read_front_template(yd, v, &current_booklet(p)->wording.full_title);
}
static gk_status bk_booklet_caption(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    gk_booklet *booklet = current_booklet(p);
    return read_caption(yd, v, &booklet->caption_left, &booklet->caption_right);
}

const gk_cover_line *gk_booklet_cover(const gk_profile *profile, gk_booklet_kind kind,
                                      size_t *count)
{
    const gk_wording *own = &profile->booklets[kind].wording;
    const gk_wording *used = own->cover_count > 0 ? own : &profile->wording;
    *count = used->cover_count;
    return used->cover;
}

const char *gk_booklet_full_title(const gk_profile *profile, gk_booklet_kind kind)
{
    const char *own = profile->booklets[kind].wording.full_title;
    return own ? own : profile->wording.full_title;
}

/* A table's caption side is its own when it is not the very string it inherited from the
 * profile (inherit_amounts): a table file that states a side reads a string of its own. */
static const char *caption_side(const char *table, const char *booklet, const char *profile)
{
    if (table != profile || booklet == NULL)
        return table;
    return booklet;
}

void gk_booklet_caption(const gk_profile *profile, gk_booklet_kind kind,
                        const gk_table_layout *layout, const char **left, const char **right)
{
    const gk_booklet *booklet = &profile->booklets[kind];
    *left = caption_side(layout->caption_left, booklet->caption_left, profile->caption_left);
    *right = caption_side(layout->caption_right, booklet->caption_right, profile->caption_right);
}

gk_empty_position gk_table_empty_position(const gk_profile *profile,
                                          const gk_table_layout *layout)
{
    return layout->empty_position != GK_EMPTY_AS_PROFILE ? layout->empty_position
                                                         : profile->empty_position;
}

/* `rows:` is last: only a department's booklet has it. */
static const gk_yaml_key booklet_kind_keys[] = {
    {"title", bk_title, true},
    {"tables", bk_tables, true},
    {"cover", bk_booklet_cover, false},
    {"full_title", bk_booklet_full_title, false},
    {"caption", bk_booklet_caption, false},
    {"rows", bk_rows, false}, /* department booklets only */
};
static gk_status bk_booklets(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    booklet_loader *bl = p;
    gk_status status = gk_yaml_expect(yd, v, YAML_MAPPING_NODE, N_("a mapping of booklet kinds"));
    if (status != GK_OK)
        return status;
    for (yaml_node_pair_t *pair = v->data.mapping.pairs.start; pair < v->data.mapping.pairs.top;
         pair++) {
        yaml_node_t *key = gk_yaml_node(yd, pair->key);
        static const char *const names[] = {"unit", "department"};
        int kind = 0;
        if ((status = gk_yaml_choice(yd, key, names, 2, &kind)) != GK_OK)
            return status;
        bl->current = (gk_booklet_kind)kind;
        if (bl->table_counts[kind] > 0)
            return gk_yaml_error(yd, key, "duplicate key '%s'", names[kind]);
        /* `rows:` says how a department's units are put together: a unit's booklet has one */
        size_t keys = sizeof booklet_kind_keys / sizeof *booklet_kind_keys;
        if (kind != GK_BOOKLET_DEPARTMENT)
            keys--;
        if ((status = gk_yaml_read_map(yd, gk_yaml_node(yd, pair->value), booklet_kind_keys, keys,
                                       bl)) != GK_OK)
            return status;
    }
    return GK_OK;
}
static gk_status bk_contents_title(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    return gk_yaml_string(yd, v, &((booklet_loader *)p)->profile->contents_title);
}
static gk_status bk_parts(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    ((booklet_loader *)p)->parts = v;
    return gk_yaml_expect(yd, v, YAML_SEQUENCE_NODE, N_("a list of parts"));
}

/* -- parts -- */

static gk_status part_title(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    gk_part_spec *part = p;
    gk_status status = gk_yaml_string(yd, v, &part->title);
    static const char *const known[] = {"{unit.code}", "{unit.name}", "{department.code}",
                                        "{department.name}", "{year}", "{booklet}"};
    for (const char *q = strchr(part->title, '{'); status == GK_OK && q; q = strchr(q + 1, '{')) {
        bool ok = false;
        for (size_t i = 0; i < sizeof known / sizeof *known && !ok; i++)
            ok = strncmp(q, known[i], strlen(known[i])) == 0;
        if (!ok)
            status = gk_yaml_error(yd, v, "unknown placeholder in '%s' (expected {unit.name}, "
                                          "{unit.code}, {department.name}, {department.code}, "
                                          "{year} or {booklet})", part->title);
    }
    return status;
}
static gk_status part_narrative(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    gk_part_spec *part = p;
    gk_status status = gk_yaml_string(yd, v, &part->narrative);
    if (status == GK_OK && !key_is_valid(part->narrative))
        return gk_yaml_error(yd, v, "expected a file stem of a-z, 0-9 and _, found '%s'",
                             part->narrative);
    return status;
}
static gk_status part_tables(gk_yaml_doc *yd, yaml_node_t *v, void *p)
{
    return gk_yaml_bool(yd, v, &((gk_part_spec *)p)->tables);
}
static const gk_yaml_key part_keys[] = {
    {"title", part_title, true},
    {"narrative", part_narrative, false},
    {"tables", part_tables, false},
};

static gk_status load_parts(gk_profile *profile, booklet_loader *bl, gk_yaml_doc *yd)
{
    if (bl->parts == NULL) { /* a booklet of tables only */
        gk_part_spec *part = gk_arena_alloc(&profile->arena, sizeof *part);
        if (part == NULL)
            return nomem(yd);
        *part = (gk_part_spec){"{unit.name}{year}年{booklet}表", NULL, true};
        profile->parts = part;
        profile->part_count = 1;
        return GK_OK;
    }
    yaml_node_item_t *start = bl->parts->data.sequence.items.start;
    size_t count = (size_t)(bl->parts->data.sequence.items.top - start);
    gk_part_spec *parts = gk_arena_alloc(&profile->arena, (count + 1) * sizeof *parts);
    if (parts == NULL)
        return nomem(yd);
    size_t table_parts = 0;
    for (size_t i = 0; i < count; i++) {
        yaml_node_t *node = gk_yaml_node(yd, start[i]);
        gk_status status = gk_yaml_read_map(yd, node, part_keys, 3, &parts[i]);
        if (status != GK_OK)
            return status;
        if ((parts[i].narrative != NULL) == parts[i].tables)
            /* TRANSLATORS: 'narrative' and 'tables: true' are YAML keys of booklet.yaml; keep
               them. */
            return gk_yaml_error(yd, node, "a part has either 'narrative' or 'tables: true'");
        table_parts += parts[i].tables;
    }
    if (table_parts != 1)
        return gk_yaml_error(yd, bl->parts, "expected exactly one part with 'tables: true', "
                                            "found %zu", table_parts);
    profile->parts = parts;
    profile->part_count = count;
    return GK_OK;
}

static const gk_yaml_key booklet_keys[] = {
    {"contents_title", bk_contents_title, false},
    {"parts", bk_parts, false},
    {"profile", bk_profile, true},
    {"name", bk_name, false},
    {"amount_unit", bk_amount_unit, true},
    {"amount_decimals", bk_amount_decimals, true},
    {"narrative_amount_format", bk_narrative_amount_format, false},
    {"zero", bk_zero, false},
    {"empty_text", bk_empty_text, true},
    {"not_supplied", bk_not_supplied, false},
    {"not_supplied_text", bk_not_supplied_text, false},
    {"continued", bk_continued, false},
    {"table_text", bk_table_text, false},
    {"booklets", bk_booklets, true},
    {"thousands", bk_thousands, false},
    {"caption", bk_caption, false},
    {"cover", bk_cover, false},
    {"full_title", bk_full_title, false},
    {"contents_numbering", bk_contents_numbering, false},
    {"empty_text_position", bk_empty_position, false},
};

/* Without not_supplied:, a not_supplied_text means print. print needs a wording of its own:
 * 此表无数据 would say the table is empty. */
static gk_status check_not_supplied(gk_profile *profile, const booklet_loader *bl,
                                    gk_yaml_doc *yd)
{
    const char *text = profile->not_supplied_text;
    if (bl->not_supplied == NULL)
        profile->not_supplied_omit = text == NULL;
    if (profile->not_supplied_omit)
        return GK_OK;
    const yaml_node_t *at = bl->not_supplied ? bl->not_supplied : gk_yaml_root(yd);
    if (text == NULL || text[0] == '\0')
        return gk_yaml_error(yd, at,
                             /* TRANSLATORS: not_supplied and not_supplied_text are YAML keys of
                                booklet.yaml; keep them. */
                             "not_supplied: print: expected a not_supplied_text, found none");
    if (profile->empty_text != NULL && strcmp(text, profile->empty_text) == 0)
        return gk_yaml_error(yd, at,
                             /* TRANSLATORS: YAML keys of booklet.yaml; keep them. */
                             "expected a not_supplied_text other than empty_text (a table not "
                             "supplied is not a table without data), found '%s'", text);
    return GK_OK;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* Loads every table a booklet names (once each) and links the booklets to them. */
static gk_status load_booklet_tables(gk_profile *profile, booklet_loader *bl, gk_yaml_doc *yd,
                                     gk_diag *diag)
{
    gk_table_layout *tables = gk_arena_alloc(&profile->arena, MAX_TABLES * sizeof *tables);
    if (tables == NULL)
        return nomem(yd);
    profile->tables = tables;
    for (int kind = 0; kind < GK_BOOKLET_KIND_COUNT; kind++) {
        size_t count = bl->table_counts[kind];
        const gk_table_layout **list = gk_arena_alloc(&profile->arena, (count + 1) * sizeof *list);
        if (list == NULL)
            return nomem(yd);
        for (size_t i = 0; i < count; i++) {
            const char *id = bl->table_ids[kind][i];
            const gk_table_layout *found = gk_profile_table(profile, id);
            if (found == NULL) {
                if (profile->table_count == MAX_TABLES)
                    return gk_yaml_error(yd, bl->table_nodes[kind][i], "too many tables");
                gk_table_layout *t = &tables[profile->table_count];
                char *path = gk_arena_printf(&profile->arena, "%s/%s.yaml", profile->dir, id);
                if (path == NULL)
                    return nomem(yd);
                gk_input_state state;
                gk_status status = gk_input_probe(path, GK_INPUT_FILE, &state, diag);
                if (status == GK_OK && state == GK_INPUT_ABSENT)
                    return gk_yaml_error(yd, bl->table_nodes[kind][i],
                                         /* TRANSLATORS: the first %s is a table id (3-1), the
                                            second the file that should hold its layout. */
                                         "table '%s' is listed but %s cannot be read", id, path);
                if (status == GK_OK)
                    status = load_table(profile, path, t, bl->scales, bl->scale_count, diag);
                if (status != GK_OK)
                    return status;
                if (strcmp(t->id, id) != 0)
                    return gk_diag_set(diag, GK_ERR_LAYOUT, path, t->id_line, t->id_column,
                                       /* TRANSLATORS: %s: the table id of the file name, then the
                                          value of its id: key (a YAML key; keep "id:"). */
                                       "the file is named for table '%s' but says id: %s", id,
                                       t->id);
                profile->table_count++;
                found = t;
            }
            list[i] = found;
        }
        profile->booklets[kind].tables = list;
        profile->booklets[kind].table_count = count;
    }
    return GK_OK;
}

/* Fixed-row items with `from:` name other tables, so they resolve once all are loaded. */
static gk_status resolve_item_sources(gk_profile *profile, gk_diag *diag)
{
    for (size_t t = 0; t < profile->table_count; t++) {
        gk_table_layout *table = &profile->tables[t];
        for (size_t i = 0; table->is_stub && i < table->item_count; i++) {
            gk_item_source *source = (gk_item_source *)&table->item_sources[i];
            if (source->text == NULL)
                continue;
            gk_query *query = gk_arena_alloc(&profile->arena, sizeof *query);
            char error[512];
            if (query == NULL)
                return gk_diag_set(diag, GK_ERR_NOMEM, table->path, 0, 0, "out of memory");
            if (!gk_query_parse(profile, source->text, &profile->arena, query, error, sizeof error))
                return gk_diag_set(diag, GK_ERR_LAYOUT, table->path, source->line, source->column,
                                   /* TRANSLATORS: the first %s is an item id, the second why its
                                      from: query is wrong (already translated). */
                                   "item '%s': %s", table->value_ids[i], error);
            for (size_t k = 0; k < query->count; k++)
                if (query->terms[k].kind == GK_TERM_STUB && query->terms[k].table == table)
                    return gk_diag_set(diag, GK_ERR_LAYOUT, table->path, source->line,
                                       source->column, "item '%s' is derived from its own table",
                                       table->value_ids[i]);
            source->query = query;
        }
    }
    return GK_OK;
}

gk_status gk_profile_load(const char *dir, gk_profile **out, gk_diag *diag)
{
    return gk_profile_load_scaled(dir, NULL, 0, out, diag);
}

gk_status gk_profile_load_scaled(const char *dir, const gk_data_scale *scales, size_t count,
                                 gk_profile **out, gk_diag *diag)
{
    *out = NULL;
    gk_profile *profile = calloc(1, sizeof *profile);
    booklet_loader *bl = calloc(1, sizeof *bl);
    if (profile == NULL || bl == NULL) {
        free(profile);
        free(bl);
        return gk_diag_set(diag, GK_ERR_NOMEM, dir, 0, 0, "out of memory");
    }
    profile->dir = gk_arena_strdup(&profile->arena, dir);
    profile->zero_blank = true;
    profile->zero = GK_ZERO_BLANK;
    /* the caption line as the sichuan booklets print it */
    profile->caption_left = "单位：{unit.name}";
    profile->caption_right = "金额单位：{amount_unit}";
    profile->not_supplied_omit = true; /* without a wording to print, leave such tables out */
    profile->continued = "续表";
    profile->table_size = 9;
    profile->table_min_size = 8;
    profile->table_padding = 3;
    profile->contents_title = "目录";
    /* the front as the sichuan booklets print it: the unit's name over {year}年单位预算 */
    static const gk_cover_line cover[] = {{"{unit.name}", 26}, {"{year}年{booklet}", 24}};
    profile->wording = (gk_wording){cover, 2, "{unit.name}{year}年{booklet}"};
    profile->empty_position = GK_EMPTY_ROW;
    bl->profile = profile;
    bl->scales = scales;
    bl->scale_count = count;

    gk_yaml_doc yd;
    memset(&yd, 0, sizeof yd);
    char *path = gk_arena_printf(&profile->arena, "%s/booklet.yaml", dir);
    gk_input_state state = GK_INPUT_ABSENT;
    gk_status status = path ? gk_input_probe(path, GK_INPUT_FILE, &state, diag)
                            : gk_diag_set(diag, GK_ERR_NOMEM, dir, 0, 0, "out of memory");
    if (status == GK_OK && state == GK_INPUT_ABSENT)
        status = gk_diag_set(diag, GK_ERR_LAYOUT, dir, 0, 0,
                             /* TRANSLATORS: %s is the path of the profile's booklet.yaml. */
                             "not a layout profile: %s cannot be read", path);
    if (status == GK_OK)
        status = gk_yaml_open(&yd, path, &profile->arena, diag);
    if (status == GK_OK)
        status = gk_yaml_read_map(&yd, gk_yaml_root(&yd), booklet_keys,
                                  sizeof booklet_keys / sizeof *booklet_keys, bl);
    if (status == GK_OK) {
        char folder[GK_DIAG_FILE_MAX];
        snprintf(folder, sizeof folder, "%s", dir);
        size_t len = strlen(folder);
        while (len > 1 && folder[len - 1] == '/')
            folder[--len] = '\0';
        if (strcmp(profile->name, base_name(folder)) != 0)
            status = gk_yaml_error(&yd, gk_yaml_root(&yd),
                                   /* TRANSLATORS: the first %s is the value of the profile: key,
                                      the second the folder's name. */
                                   "profile '%s' does not match its folder name '%s'",
                                   profile->name, base_name(folder));
    }
    if (status == GK_OK)
        status = check_not_supplied(profile, bl, &yd);
    if (status == GK_OK && bl->table_counts[GK_BOOKLET_UNIT] == 0)
        /* TRANSLATORS: booklets and unit are YAML keys of booklet.yaml; keep them. */
        status = gk_yaml_error(&yd, gk_yaml_root(&yd), "booklets: 'unit' lists no tables");
    if (status == GK_OK)
        status = load_booklet_tables(profile, bl, &yd, diag);
    if (status == GK_OK)
        status = load_parts(profile, bl, &yd);
    if (status == GK_OK)
        status = resolve_item_sources(profile, diag);
    gk_yaml_close(&yd);
    free(bl);
    if (status != GK_OK) {
        gk_profile_free(profile);
        return status;
    }
    *out = profile;
    return GK_OK;
}

void gk_profile_free(gk_profile *profile)
{
    if (profile == NULL)
        return;
    gk_arena_free(&profile->arena);
    free(profile);
}

const gk_table_layout *gk_profile_table(const gk_profile *profile, const char *id)
{
    for (size_t i = 0; i < profile->table_count; i++)
        if (strcmp(profile->tables[i].id, id) == 0)
            return &profile->tables[i];
    return NULL;
}

int gk_layout_field_index(const gk_table_layout *layout, const char *key)
{
    if (layout == NULL)
        return -1;
    for (size_t i = 0; i < layout->field_count; i++)
        if (strcmp(layout->fields[i].key, key) == 0)
            return (int)i;
    return -1;
}

bool gk_booklet_kind_parse(const char *text, gk_booklet_kind *kind)
{
    if (strcmp(text, "unit") == 0)
        *kind = GK_BOOKLET_UNIT;
    else if (strcmp(text, "department") == 0)
        *kind = GK_BOOKLET_DEPARTMENT;
    else
        return false;
    return true;
}
