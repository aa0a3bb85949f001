/* Layout profiles: the public tables described as data (see docs/layouts.md).
 *
 * gk_profile_load reads layouts/PROFILE/booklet.yaml and every table file it names, and
 * resolves them once: the header tree becomes a grid of merged header cells, column keys
 * become field indexes, stub expressions become indexes into a value list. Backends and the
 * model builder only ever see these resolved structures. */
#ifndef GONGKAI_LAYOUT_H
#define GONGKAI_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>

#include "gongkai/diag.h"
#include "util/arena.h"

typedef enum gk_value_type {
    GK_TYPE_TEXT,    /* free text, left-aligned */
    GK_TYPE_CODE,    /* a code (科目编码, 单位代码): text, never a number */
    GK_TYPE_AMOUNT,  /* money in the profile's unit and decimals */
    GK_TYPE_COUNT,   /* a quantity (数量, 权重) */
    GK_TYPE_PERCENT  /* a percentage */
} gk_value_type;

typedef enum gk_align { GK_ALIGN_LEFT, GK_ALIGN_CENTER, GK_ALIGN_RIGHT } gk_align;

/* Units of amounts, as the power of ten of 元 they count: an amount of `decimals` decimals in
 * unit U is an integer count of 10^(U - decimals) 元 (0.01 万元 is 10^2 元). */
enum { GK_UNIT_YUAN = 0, GK_UNIT_WAN = 4, GK_UNIT_YI = 8 };

/* The name of a unit ("万元"), or NULL when unit is none of the three. */
const char *gk_amount_unit_name(int unit);
/* The GK_UNIT_* of a unit written 元, 万元 or 亿元 into *power; false for anything else. */
bool gk_unit_power(const char *unit, int *power);

/* What a number column prints for 0 and for a missing value (docs/layouts.md, "Amounts"). */
typedef enum gk_zero_policy {
    GK_ZERO_BLANK, /* 0 and missing print nothing */
    GK_ZERO_ZERO,  /* 0 and missing print 0 with the column's decimals */
    GK_ZERO_KEEP   /* an explicit 0 prints 0 with the column's decimals; missing prints nothing */
} gk_zero_policy;

/* Where an empty table's wording prints (`empty_text_position`, docs/layouts.md). */
typedef enum gk_empty_position {
    GK_EMPTY_AS_PROFILE,  /* a table that does not say: the profile's */
    GK_EMPTY_ROW,         /* a row of the table, merged across it (the default) */
    GK_EMPTY_BEFORE_NOTES, /* under the table, before its notes */
    GK_EMPTY_AFTER_NOTES   /* under the table, after its notes */
} gk_empty_position;

/* A value read from a CSV column (a leaf column or a hidden input). */
typedef struct gk_field {
    const char *key;
    gk_value_type type;
    int decimals;  /* for numbers: amounts their column's (else the table's, the booklet's),
                    * or the package's finer scale (gk_profile_load_scaled) */
    bool optional; /* a computed (value:) column: a CSV may state it, and it is then checked */
    int unit;      /* amounts: the unit they are given in (GK_UNIT_*), as decimals */
} gk_field;

/* A leaf column: one printed column of the table. */
typedef struct gk_column {
    const char *key;
    const char *header;
    gk_value_type type;
    gk_align align;
    int width;                  /* relative width in CJK characters */
    bool sum;                   /* summed into computed rows */
    int decimals;
    int field;                  /* index into the table's fields, or -1 for a template column */
    const char *value_template; /* "{unit.code}-{unit.name}" or NULL */
    const int *merge_by;        /* field indexes (unit_code is GK_FIELD_UNIT_CODE) */
    size_t merge_by_count;
    bool fill_down;
    /* numbers: unit (amounts, GK_UNIT_*), zero policy and ',' grouping — the column's own,
     * else the table's, else the booklet's */
    int unit;
    gk_zero_policy zero;
    bool thousands;
} gk_column;

enum { GK_FIELD_UNIT_CODE = -2 }; /* pseudo field: the row's unit code */

enum { GK_MAX_LEVEL = 9 }; /* the deepest level of a data row */

/* One cell of the header grid; rows/cols > 1 are merges. */
typedef struct gk_header_cell {
    int row, col, rows, cols;
    const char *text;
} gk_header_cell;

typedef enum gk_summary_kind {
    GK_SUMMARY_TOTAL,      /* 合计 over the whole table */
    GK_SUMMARY_DEPARTMENT, /* one per department */
    GK_SUMMARY_UNIT        /* one per unit */
} gk_summary_kind;

typedef struct gk_summary {
    gk_summary_kind kind;
    const char *label; /* template */
    int label_column;  /* leaf index */
    int code_column;   /* leaf index or -1 */
    int span_to;       /* the label cell is merged from label_column through this leaf */
    bool bottom;       /* position: bottom (a total only): printed after every data row */
} gk_summary;

/* Stub tables: `=a + b - c` over value ids (items read from CSV, then derived values). */
typedef struct gk_expr {
    const int *terms;   /* value indexes */
    const int *signs;   /* +1 or -1 */
    size_t count;
    const char *text;   /* as written (without '='), for messages */
} gk_expr;

typedef enum gk_stub_cell_kind { GK_STUB_BLANK, GK_STUB_TEXT, GK_STUB_EXPR } gk_stub_cell_kind;

/* rows/cols > 1 start a merge (rowspan, colspan); a covered cell lies under one and is
 * blank. A text holding {n} is numbered when the booklet is built (一, 二, …). */
typedef struct gk_stub_cell {
    gk_stub_cell_kind kind;
    const char *text;
    gk_expr expr;
    int rows, cols;
    bool covered;
} gk_stub_cell;

typedef struct gk_stub_row {
    bool total;
    bool omit_if_zero;         /* left out when every amount cell is zero */
    const gk_stub_cell *cells; /* one per leaf column, covered ones included */
    /* a row of one side of a `sides:` block (docs/layouts.md): it fills only the side's
     * columns [first_column, end_column), the others are blank; the block is the table's rows
     * up to block_end, and each side's printed rows are set beside the other sides' (row k of
     * one side beside row k of the others). A row across the table has in_sides false. */
    bool in_sides;
    size_t first_column, end_column;
    size_t block_end;
} gk_stub_row;

struct gk_query;

/* Where a fixed-row item comes from (`from:` in the layout), resolved once all tables of the
 * profile are loaded. */
typedef struct gk_item_source {
    const char *text; /* NULL: the package supplies the item */
    int line, column; /* of the `from` value, for errors */
    const struct gk_query *query;
} gk_item_source;

typedef struct gk_table_layout {
    const char *path; /* the layout file, for messages */
    const char *id;   /* "3-1": names the package CSV tables/3-1.csv */
    int id_line, id_column; /* where the file says it */
    const char *number; /* the printed number (公开表3-1); the title when the table has none
                         * (has_number false), so that messages still name it */
    bool has_number;    /* false: `number:` absent or "": no number prints, the 目录 entry is
                         * the title alone, the sheet is named after the title */
    const char *title;
    bool landscape;
    bool one_page;  /* fitted onto one page (smaller within the profile's limits) if it can */
    const char *empty_text;

    const gk_column *columns; /* leaves, left to right */
    size_t column_count;
    const gk_header_cell *header;
    size_t header_count;
    int header_rows;

    const gk_field *fields;   /* CSV columns besides unit_code and level */
    size_t field_count;

    const gk_summary *summary;
    size_t summary_count;

    /* list tables: the fields whose values make one row of a consolidated department booklet
     * (`consolidate_by:`, by default the code columns read from the package); none: the
     * department's booklet sums all rows into one */
    const int *consolidate_by;
    size_t consolidate_by_count;

    /* stub tables only (is_stub): fields are {item, amount} */
    bool is_stub;
    const char *const *value_ids; /* items first, then derived */
    const gk_item_source *item_sources; /* item_count entries */
    size_t item_count;
    size_t value_count;
    const gk_expr *derived;       /* value_count - item_count expressions */
    const gk_stub_row *rows;
    size_t row_count;

    /* amounts: the table's unit, decimals, zero policy and grouping (its own, else the
     * booklet's); a fixed-row table's values are in this unit and decimals */
    int amount_unit;
    int amount_decimals;
    gk_zero_policy zero;
    bool thousands;
    const char *caption_left, *caption_right; /* templates: 单位：{unit.name} / 金额单位：… */
    const char *const *notes;                 /* templates printed under the table */
    size_t note_count;

    /* list tables: a data row's level from the length of its code (`levels:`): the field of
     * the code (-1: none, the `level` column says it) and the lengths of levels 1, 2, … */
    int level_field;
    const int *level_lengths;
    size_t level_length_count;
    gk_empty_position empty_position;         /* its own, or GK_EMPTY_AS_PROFILE */
} gk_table_layout;

typedef enum gk_booklet_kind { GK_BOOKLET_UNIT, GK_BOOKLET_DEPARTMENT, GK_BOOKLET_KIND_COUNT } gk_booklet_kind;

/* A line of the cover: a template ({unit.name}, {year}, {booklet}, …) and its size in points. */
typedef struct gk_cover_line {
    const char *text;
    int size;
} gk_cover_line;

/* The front of a booklet (`cover` and `full_title` of booklet.yaml): a booklet's own, else
 * the profile's. NULL and 0: not said here. */
typedef struct gk_wording {
    const gk_cover_line *cover;
    size_t cover_count;
    const char *full_title; /* template: the PDF's and the workbook's document title */
} gk_wording;

typedef struct gk_booklet {
    const char *title; /* 单位预算 / 部门预算 */
    gk_wording wording; /* its own; what it does not say is the profile's */
    const char *caption_left, *caption_right; /* its own caption sides, or NULL */
    const gk_table_layout *const *tables;
    size_t table_count;
    /* a department's booklet (`rows: consolidated`): one row per 科目 summed over its units, no
     * per-unit rows; false (`by_unit`): each unit's rows under its own subtotal */
    bool consolidated;
} gk_booklet;

/* One part of the printed booklet (第一部分 概况, 第二部分 the tables, …). */
typedef struct gk_part_spec {
    const char *title;     /* template: {unit.name}, {year}, {booklet}, … */
    const char *narrative; /* Markdown file stem under narrative/UNIT/, or NULL */
    bool tables;           /* the part that holds the public tables */
} gk_part_spec;

/* How the narrative prints a figure, as a pattern: "0", or "0." and up to 6 places, each '0'
 * (always printed) before any '#' (printed when not zero): 0.00 is {2, 2}, 0.## is {0, 2},
 * 0.0# is {1, 2}. */
typedef struct gk_figure_format {
    const char *pattern; /* as written; NULL: the profile's amount decimals */
    int min_decimals, max_decimals;
} gk_figure_format;

/* Reads a pattern into *out (pattern kept as given); false when text is none. */
bool gk_figure_format_parse(const char *text, gk_figure_format *out);

typedef struct gk_profile {
    const char *dir;
    const char *name;
    const char *description;
    const char *amount_unit; /* 万元 */
    int amount_decimals;
    gk_figure_format narrative_amounts; /* narrative_amount_format: amounts in the narrative */
    bool zero_blank;         /* zero == GK_ZERO_BLANK */
    int amount_unit_power;   /* amount_unit as GK_UNIT_*: a table's default */
    gk_zero_policy zero;     /* a table's default */
    bool thousands;          /* a table's default */
    const char *caption_left, *caption_right; /* a table's default caption (templates) */
    const char *empty_text;
    /* a table the package does not supply (package.h): left out of the booklet, or printed
     * with this wording; never the empty-table wording, which says there is no data */
    bool not_supplied_omit;
    const char *not_supplied_text;
    const char *continued;
    int table_size, table_min_size, table_padding; /* points: how table cells are set */
    const char *contents_title;  /* 目录 */
    bool contents_arabic;        /* 目录 numbers its tables 1. 2. … instead of 一、二、… */
    gk_empty_position empty_position; /* a table's default: never GK_EMPTY_AS_PROFILE */
    gk_wording wording;          /* a booklet's default cover and full title (always set) */
    const gk_part_spec *parts;
    size_t part_count;
    gk_table_layout *tables; /* every table file named by a booklet, each loaded once */
    size_t table_count;
    gk_booklet booklets[GK_BOOKLET_KIND_COUNT];
    gk_arena arena;
} gk_profile;

/* Loads the profile in dir. On failure *out is NULL and diag names file:line:col. */
gk_status gk_profile_load(const char *dir, gk_profile **out, gk_diag *diag);

/* The unit and decimals a package gives a table's amounts in (amounts.csv, docs/package.md),
 * when they differ from what the table prints: a 万元 booklet made from 元 ledgers. */
typedef struct gk_data_scale {
    const char *table; /* a table id, or NULL: every table no other entry names */
    int unit;          /* GK_UNIT_* */
    int decimals;
} gk_data_scale;

/* gk_profile_load for a package whose amounts are given as scales say: every amount field
 * (a list table's amount columns and hidden inputs, a fixed-row table's supplied amounts and
 * so its values) counts in its table's data scale, which queries, sums and checks use; the
 * columns keep the unit and decimals they print in, each printed figure rounded from the
 * exact sum. A table id no table has is ignored (the caller checks the ids). */
gk_status gk_profile_load_scaled(const char *dir, const gk_data_scale *scales, size_t count,
                                 gk_profile **out, gk_diag *diag);

/* "3 digits", or "3, 5 or 7 digits" (translated): the lengths a code may have, as messages
 * expect them (text: 320 bytes hold 32 lengths of 1 to 32). */
const char *gk_code_lengths_text(const int *lengths, size_t count, char *text, size_t size);

/* The scale of a fixed-row table's values (its supplied and derived items and derived
 * values): its amount field's, 10^exp 元 a count. */
int gk_stub_value_exp(const gk_table_layout *layout);

/* Frees a profile (NULL allowed). */
void gk_profile_free(gk_profile *profile);

/* The table with this id, or NULL. */
const gk_table_layout *gk_profile_table(const gk_profile *profile, const char *id);

/* Index of a field by key, or -1. */
int gk_layout_field_index(const gk_table_layout *layout, const char *key);

/* The wording a booklet prints: its own cover and full title, else the profile's. */
const gk_cover_line *gk_booklet_cover(const gk_profile *profile, gk_booklet_kind kind,
                                      size_t *count);
const char *gk_booklet_full_title(const gk_profile *profile, gk_booklet_kind kind);

/* The caption sides of a table in a booklet: the table's own side, else the booklet's, else
 * the profile's. */
void gk_booklet_caption(const gk_profile *profile, gk_booklet_kind kind,
                        const gk_table_layout *layout, const char **left, const char **right);

/* Where a table prints its wording when empty: its own position, else the profile's. */
gk_empty_position gk_table_empty_position(const gk_profile *profile,
                                          const gk_table_layout *layout);

/* Parses "unit" / "department". Returns false for anything else. */
bool gk_booklet_kind_parse(const char *text, gk_booklet_kind *kind);

#endif
