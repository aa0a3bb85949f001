/* A department's consolidated booklet (`booklets.department.rows: consolidated`, see
 * docs/layouts.md): its units summed into one.
 *
 * gk_package_consolidate makes, from a package holding a department's units, a package of one
 * unit — the department — whose rows are what the consolidated booklet prints. Each list table's
 * rows of all the units are put together by the values of the table's `consolidate_by` keys:
 * one row per 科目, its amounts summed over the units, its texts from the first unit's row,
 * placed where it was first met and under the row it was first met under (a 类 stays over its
 * 款 and 项, whichever unit brings them); a table without keys (公开表1-1: one row per unit) has
 * one row. Each fixed-row table's supplied items are summed. Computed rows, supplied derivations and
 * per-unit statements (`unit_name`, computed columns) are left out: the department's booklet
 * prints none of them. The booklet and the checks of the department are then those of this
 * package's one unit, so checks run on what the booklet prints, in time linear in the rows
 * (plus the sort of each table's keys). Rows put together that disagree (gk_conflict) are
 * reported to a callback; the first unit's row is the one printed. */
#ifndef GONGKAI_CONSOLIDATE_H
#define GONGKAI_CONSOLIDATE_H

#include "model/package.h"

typedef enum gk_conflict_kind {
    GK_CONFLICT_TEXT, /* a column neither summed nor a key holds another value */
    GK_CONFLICT_PLACE /* the row is at another level, or under another row, of the hierarchy */
} gk_conflict_kind;

/* Two rows of the same keys that disagree; both point into the department's package (their
 * `unit` is an index of it). */
typedef struct gk_conflict {
    gk_conflict_kind kind;
    const gk_table_layout *layout;
    int field;                     /* TEXT: the field whose values differ */
    const gk_data_row *first;      /* the row printed: the first met with these keys */
    const gk_data_row *other;      /* a later row with the same keys */
    const gk_data_row *first_parent; /* PLACE: the rows they are under (NULL: the top level) */
    const gk_data_row *other_parent;
} gk_conflict;

typedef void (*gk_conflict_fn)(void *context, const gk_conflict *conflict);

/* The department's units of package summed into a package of one unit (see above), borrowing
 * package's profile and strings (package must outlive it; free with gk_package_free). Every
 * unit of the department must have loaded (no `failure`). A sum beyond the accepted magnitude
 * is an error at the row that takes it there; conflicts go to on_conflict (may be NULL). */
gk_status gk_package_consolidate(const gk_package *package, const char *department_code,
                                 gk_conflict_fn on_conflict, void *context, gk_package **out,
                                 gk_diag *diag);

/* The values of a row's consolidate_by keys, joined by spaces ("301 30101"), into buf. */
void gk_consolidate_keys_text(const gk_table_layout *layout, const gk_data_row *row, char *buf,
                              size_t size);

/* The department of its first unit `first`, standing in for a unit in titles and templates:
 * the department's code and name, the units' year and profile; no narrative (no_narrative
 * holds one NULL per part of the profile). */
gk_unit gk_department_unit(const gk_unit *first, const char **no_narrative);

#endif
