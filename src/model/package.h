/* The budget package in memory: units, typed table rows and narrative text.
 *
 * gk_package_load reads PACKAGE/units.csv, resolves the layout profile the units name, then
 * reads every tables/ID.csv against its layout: each value is typed (text, code, or an exact
 * integer number) and remembers its file position for later diagnostics. */
#ifndef GONGKAI_PACKAGE_H
#define GONGKAI_PACKAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gongkai/diag.h"
#include "layout/layout.h"
#include "util/arena.h"

typedef enum gk_value_kind { GK_VALUE_BLANK, GK_VALUE_TEXT, GK_VALUE_NUMBER } gk_value_kind;

/* A typed value. Numbers are exact: number / 10^decimals (money in 0.01 万元 is decimals 2). */
typedef struct gk_value {
    uint8_t kind;     /* gk_value_kind */
    uint8_t decimals;
    union {           /* 16 bytes a value: a province holds millions */
        const char *text; /* GK_VALUE_TEXT */
        int64_t number;   /* GK_VALUE_NUMBER */
    };
} gk_value;

typedef struct gk_unit {
    const char *code;
    const char *name;
    const char *department_code;
    const char *department_name;
    const char *year;
    const char *profile;
    gk_booklet_kind booklet;
    int line; /* in units.csv */
    int name_column, profile_column, year_column, department_name_column;
    /* per profile part (profile->parts): the Markdown of narrative/CODE/STEM.md, NULL when the
     * part holds the tables or the file is absent */
    const char **narrative;
    const char **narrative_path;
    /* the first error in the unit's own files (tables/CODE/ID.csv, narrative/CODE/PART.md), or
     * NULL: such a unit fails alone, the package's other units load */
    const gk_diag *failure;
} gk_unit;

typedef struct gk_data_row {
    size_t unit;             /* index into package->units */
    int level;               /* 1 = top level */
    bool computed;           /* a supplied 合计/department/unit row (`kind` column): only checked */
    gk_summary_kind summary; /* which one, when computed */
    const char *unit_name;   /* the `unit_name` column, or NULL: how the table names its unit */
    int unit_name_column;
    const gk_value *values;  /* one per layout field */
    const char *file;        /* the CSV it came from (shared or the unit's own) */
    int line;                /* CSV line of the record */
    const int *columns;      /* CSV column (in characters) of each value */
} gk_data_row;

typedef struct gk_table_data {
    const gk_table_layout *layout;
    const char *path; /* the shared CSV, for messages (it may not exist) */
    gk_data_row *rows; /* shared rows first, then those of per-unit files */
    size_t row_count, row_capacity;
    size_t *by_unit;   /* row indexes grouped by unit, each group in file order */
    size_t *unit_start; /* unit u's rows are by_unit[unit_start[u] .. unit_start[u + 1]) */
} gk_table_data;

/* A table the package does not supply for a unit: the source did not publish it
 * (not_supplied.csv, docs/package.md). Unlike an empty table, which states that there is no
 * data, it says nothing about the data; it has no rows. */
typedef struct gk_not_supplied {
    size_t unit;
    const gk_table_layout *layout;
    /* a fixed-row table derived (`from:`) from a table not supplied: that table; NULL for a
     * table declared in not_supplied.csv */
    const gk_table_layout *because;
    int line, column; /* of the declaration in not_supplied.csv (of `because`'s when derived) */
} gk_not_supplied;

/* A prior-year figure (prior.csv), named prior.KEY in queries. */
typedef struct gk_prior {
    size_t unit;
    const char *key;
    int64_t amount;
    int line;
} gk_prior;

typedef struct gk_package {
    const char *dir;
    gk_unit *units;
    size_t unit_count;
    gk_profile *profile;
    gk_table_data *tables; /* parallel to profile->tables */
    gk_prior *priors;
    size_t prior_count;
    const char *prior_path;
    size_t *unit_order; /* unit indexes sorted by code, for lookups */
    gk_not_supplied *not_supplied; /* sorted by unit, then table (gk_package_not_supplied) */
    size_t not_supplied_count;
    const char *not_supplied_path;
    gk_diag *warnings;  /* things the loader ignored (files it does not know), for the caller */
    size_t warning_count;
    gk_arena arena;
} gk_package;

/* Loads a package. profile_dir, if not NULL, overrides the profile named in units.csv;
 * otherwise the profile is looked up as LAYOUTS_ROOT/NAME. An error in a shared file stops
 * loading and is returned with its file:line:col in diag; an error in a unit's own files
 * (tables/CODE/ID.csv, narrative/CODE/…) is kept in that unit's `failure` instead. */
gk_status gk_package_load(const char *dir, const char *profile_dir, const char *layouts_root,
                          gk_package **out, gk_diag *diag);

void gk_package_free(gk_package *package);

/* A package narrowed to some units' rows (same units, profile and priors). Work on one unit
 * (checks, building its booklet) then costs its own rows, not the whole province's. Free with
 * gk_package_view_free; the original must outlive it. */
gk_status gk_package_view(const gk_package *package, const size_t *units, size_t count,
                          gk_package **view, gk_diag *diag);
void gk_package_view_free(gk_package *view);

/* The data of the table with this layout. */
const gk_table_data *gk_package_table(const gk_package *package, const gk_table_layout *layout);

/* Why the package does not supply this table for the unit, or NULL when it does. */
const gk_not_supplied *gk_package_not_supplied(const gk_package *package, size_t unit,
                                               const gk_table_layout *layout);

/* Index of the unit with this code, or -1. */
int gk_package_unit_index(const gk_package *package, const char *code);

/* Formats a number value ("294.28"); blank and text values give their text or "". */
size_t gk_value_format(const gk_value *value, char *buf, size_t size);

#endif
