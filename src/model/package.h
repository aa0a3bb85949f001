/* The budget package in memory: units, typed table rows and narrative text.
 *
 * gk_package_index reads PACKAGE/units.csv, resolves the layout profile the units name, reads
 * not_supplied.csv, prior.csv and figures.csv, and indexes every shared tables/ID.csv: one pass checks its
 * encoding, its CSV, its header and the unit of every row, and notes where each unit's rows
 * lie, keeping none of them. gk_package_load_units then reads some units' rows (a unit's, or a
 * department's) into a package of their own: each value typed (text, code, or an exact
 * integer number) against its layout, remembering its file position for later diagnostics,
 * with the units' own files tables/CODE/ID.csv and narrative/CODE/PART.md. A province is thus
 * indexed once in time linear in its size and memory linear in its number of units, and each
 * booklet costs its own rows. gk_package_load reads every unit (the library's sessions). */
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

/* A figure the package declares (figures.csv): a figure of the narrative that no table holds
 * (机关运行经费, a 绩效 target's 覆盖率 99%, …), known with its source. */
typedef struct gk_declared_figure {
    size_t unit;
    const char *name;   /* as the narrative names it */
    int64_t amount;     /* scaled by 10^decimals */
    int decimals;       /* as written */
    bool percent;       /* a percentage (unit %), else an amount */
    int power;          /* an amount's unit as a power of ten of 元: 元 0, 万元 4, 亿元 8 */
    const char *unit_text; /* 万元 */
    const char *source; /* where it is published */
    int line;           /* in figures.csv */
} gk_declared_figure;

typedef struct gk_package {
    const char *dir;
    gk_unit *units;
    size_t unit_count;
    gk_profile *profile;
    gk_table_data *tables; /* parallel to profile->tables */
    gk_prior *priors;
    size_t prior_count;
    const char *prior_path;
    /* figures.csv, grouped by unit (each unit's in file order): unit u's are
     * figures[figure_start[u] .. figure_start[u + 1]) */
    gk_declared_figure *figures;
    size_t figure_count;
    size_t *figure_start;
    const char *figures_path;
    size_t *unit_order; /* unit indexes sorted by code, for lookups */
    gk_not_supplied *not_supplied; /* sorted by unit, then table (gk_package_not_supplied) */
    size_t not_supplied_count;
    const char *not_supplied_path;
    gk_diag *warnings;  /* things the loader ignored (files it does not know), for the caller */
    size_t warning_count;
    size_t *by_department; /* unit indexes by department code, each department in units order */
    size_t *priors_by_unit; /* prior indexes grouped by unit, each group in file order: unit u's */
    size_t *prior_start;    /* are priors_by_unit[prior_start[u] .. prior_start[u + 1]) */
    const size_t *view_units; /* a view's: the units whose rows it holds (gk_package_view) */
    size_t view_unit_count;
    struct gk_package_index *index; /* an index's: where each unit's rows lie (package.c) */
    const struct gk_package *source; /* a package of loaded units: the index it was read from;
                                      * a consolidated one: the department's package */
    bool consolidated; /* a department's units summed into one (model/consolidate.h): its
                        * booklet prints no unit rows */
    struct gk_package *owned;  /* the index gk_package_load read it from, freed with it */
    gk_arena arena;
} gk_package;

/* Indexes a package (see above): units, profile, not_supplied.csv, prior.csv and where every
 * unit's rows lie in the shared tables; it holds no row. profile_dir, if not NULL, overrides
 * the profile named in units.csv; otherwise the profile is looked up as LAYOUTS_ROOT/NAME. An
 * error in a shared file (its encoding, its CSV, its header, a row of a unit not in units.csv,
 * a row of a table not supplied) stops indexing and is returned with its file:line:col in
 * diag. */
gk_status gk_package_index(const char *dir, const char *profile_dir, const char *layouts_root,
                           gk_package **out, gk_diag *diag);

/* Whether an index places this unit's rows (asked once a unit, in units.csv order). */
typedef bool gk_unit_wanted(const gk_unit *unit, void *context);

/* gk_package_index placing the rows of only the units WANTED asks for (NULL: every unit): a
 * shard's, or what --unit selects, so that its memory is that of its own units' rows. Every
 * row is still checked (a unit not in units.csv, a table not supplied), every unit's record
 * kept (output names, departments); reading the rows of a unit not placed is an error. */
gk_status gk_package_index_some(const char *dir, const char *profile_dir,
                                const char *layouts_root, gk_unit_wanted *wanted,
                                void *context, gk_package **out, gk_diag *diag);

/* The runs of rows (a unit's rows one after the other in a table file) an index placed: what
 * its memory grows with, for tests that a shard's does not hold the others'. */
size_t gk_package_runs_noted(const gk_package *index);

/* The rows of some units of an index (indexes into index->units, increasing), read into a
 * package of their own in which these units are numbered from 0 in the same order (find one
 * with gk_package_unit_index), with their narrative, priors and tables not supplied. A bad
 * row of a unit (a value, a level, an item given twice), in a shared table or its own files,
 * fails that unit alone: it is kept in its `failure`. The package borrows the index's profile and strings: the
 * index must outlive it. Free with gk_package_free. */
gk_status gk_package_load_units(const gk_package *index, const size_t *units, size_t count,
                                gk_package **out, gk_diag *diag);

/* The SHA-256 (64 hex digits) of the shared table file tables/FILE_NAME as gk_package_index
 * read it, or NULL when the index did not read it whole (not a table of the profile, absent,
 * refused): what a job's resume key hashes, without a second reading of the file. */
const char *gk_package_table_sha256(const gk_package *index, const char *file_name);

/* Indexes a package and reads every unit (both above): the whole package in memory. */
gk_status gk_package_load(const char *dir, const char *profile_dir, const char *layouts_root,
                          gk_package **out, gk_diag *diag);

void gk_package_free(gk_package *package);

/* The units of the department with this code, in units.csv order: *members points into the
 * package; returns their number (0 when no unit has the code). */
size_t gk_package_department_units(const gk_package *package, const char *department_code,
                                   const size_t **members);

/* Rows read from table files (gk_package_load_units) and copied into views (gk_package_view)
 * by this process so far: what a booklet's or a check's data costs, for tests that it does
 * not grow with the package. */
size_t gk_package_rows_handled(void);

/* A package narrowed to some units' rows and priors (same units and profile). Work on one unit
 * (checks, building its booklet) then costs its own rows, not the whole province's. Free with
 * gk_package_view_free; the original must outlive it. */
gk_status gk_package_view(const gk_package *package, const size_t *units, size_t count,
                          gk_package **view, gk_diag *diag);
void gk_package_view_free(gk_package *view);

/* Whether the package holds the rows of these units (distinct indexes, in the package's order)
 * and of no other: a package read for them, or a view of them. Work on them needs no view. */
bool gk_package_holds_only(const gk_package *package, const size_t *units, size_t count);

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
