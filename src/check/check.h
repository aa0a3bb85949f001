/* Checks: the profile's rule catalogue (rules.yaml) run over a package, unit by unit, giving
 * findings positioned at the CSV row or Markdown line a figure came from. See docs/checks.md. */
#ifndef GONGKAI_CHECK_H
#define GONGKAI_CHECK_H

#include "layout/query.h"
#include "model/document.h"
#include "model/package.h"

/* A note is no problem: it says what a check did not do (a rule skipped for a table the package
 * does not supply). */
typedef enum gk_severity { GK_WARNING, GK_ERROR, GK_NOTE } gk_severity;

typedef struct gk_finding {
    gk_severity severity;
    const char *rule;
    size_t unit;       /* index into package->units */
    const char *file;  /* CSV, Markdown or rules file */
    int line, column;  /* 0 when not known */
    const char *message;
    const char *expected; /* may be NULL */
    const char *found;    /* may be NULL */
} gk_finding;

typedef struct gk_findings {
    gk_finding *items;
    size_t count, capacity;
    size_t errors, warnings, notes;
    gk_arena arena; /* the findings' strings */
} gk_findings;

typedef enum gk_rule_kind {
    GK_RULE_HIERARCHY,
    GK_RULE_ROW,
    GK_RULE_COMPARE,
    GK_RULE_LOOKUP,
    GK_RULE_IDENTITY,
    GK_RULE_DERIVED,
    GK_RULE_CODES,
    GK_RULE_PRESENT,
    GK_RULE_NARRATIVE,
    GK_RULE_NAMES
} gk_rule_kind;

typedef struct gk_code_digits {
    const char *key;
    const int *lengths; /* the lengths a code may have: {3}, or {3, 5, 7} for 类/款/项 codes */
    size_t length_count;
} gk_code_digits;

/* Where a `names` rule reads 科目 names: a list table's rows, each naming the 科目 whose code is
 * its code columns' texts joined (208 + 05 + 05: 2080505; up to the first blank one). */
typedef struct gk_subject_source {
    const gk_table_layout *table;
    const int *code_fields;
    size_t code_count;
    int name_field;
} gk_subject_source;

typedef struct gk_rule {
    const char *id;
    gk_rule_kind kind;
    const char *rounding;    /* warning id for differences within the tolerance, or NULL */
    const char *description;
    int line;                /* in rules.yaml */
    const gk_table_layout **tables; /* hierarchy, codes, present */
    const char *by_prefix;          /* hierarchy: a row's parent is the nearest row above whose
                                       code in this column is a proper prefix of its own */
    size_t table_count;
    const gk_table_layout *table;   /* row */
    gk_query left, right;           /* row, compare, lookup amounts */
    gk_compare op;
    const char **by;                /* compare: grouping keys */
    size_t by_count;
    gk_term from, in;               /* lookup */
    bool has_amount;                /* lookup: compare amounts too */
    const gk_code_digits *digits;   /* codes */
    size_t digit_count;
    const gk_subject_source *subjects; /* names */
    size_t subject_count;
} gk_rule;

typedef struct gk_rules {
    const char *path;
    int64_t tolerance; /* in the smallest printed unit */
    gk_rule *rules;
    size_t count;
    gk_arena arena;
} gk_rules;

/* Loads PROFILE_DIR/rules.yaml (a profile without one has no rules). Errors name the file,
 * line and column, including a rule that names a missing table or column. */
gk_status gk_rules_load(const gk_profile *profile, gk_rules **out, gk_diag *diag);
void gk_rules_free(gk_rules *rules);

/* The rule with this id, or NULL. */
const gk_rule *gk_rules_find(const gk_rules *rules, const char *id);

/* Runs every rule on one unit and appends its findings. */
gk_status gk_check_unit(const gk_package *pkg, const gk_rules *rules, size_t unit,
                        gk_findings *findings, gk_diag *diag);

/* gk_check_unit with the unit's booklet already built from pkg (gk_document_build_unit), which
 * the narrative rules read instead of building their own; NULL: as gk_check_unit. */
gk_status gk_check_unit_booklet(const gk_package *pkg, const gk_rules *rules, size_t unit,
                                const gk_document *doc, gk_findings *findings, gk_diag *diag);

/* DEPARTMENT-UNITS alone for one unit: it agrees with the first unit of its department (in
 * units.csv order) on year and department name. `gongkai check` runs it on every unit, so that
 * what would refuse a department booklet shows before any export. */
gk_status gk_check_membership(const gk_package *pkg, const gk_rules *rules, size_t unit,
                              gk_findings *findings, gk_diag *diag);

/* Runs the checks of a department's booklet (部门预算), which prints the sums of all its units:
 * every unit of the department in the package must agree on the year and the department's
 * name (rule DEPARTMENT-UNITS), and a unit whose files did not load fails the department
 * (diag). With the profile's `rows: by_unit` each unit's own checks run; with `rows:
 * consolidated` the checks run on what the booklet prints, the department's sums
 * (model/consolidate.h), and rows it prints as one that disagree are DEPARTMENT-UNITS errors. */
gk_status gk_check_department(const gk_package *pkg, const gk_rules *rules,
                              const char *department_code, gk_findings *findings, gk_diag *diag);

/* The findings of a department's booklet beyond its units' own checks and gk_check_membership:
 * with `rows: consolidated`, the checks of the rows it prints and the DEPARTMENT-UNITS errors of
 * units' rows it prints as one (attributed to the department's first unit); none with `rows:
 * by_unit`, whose checks are its units'. `gongkai check` runs it once per department. */
gk_status gk_check_department_rows(const gk_package *pkg, const gk_rules *rules,
                                   const char *department_code, gk_findings *findings,
                                   gk_diag *diag);

void gk_findings_free(gk_findings *findings);

/* Records a finding whose message is already formatted (and translated); its message is
 * copied, rule and file are kept as given. NULL when out of memory. */
gk_finding *gk_findings_add(gk_findings *findings, gk_severity severity, const char *rule,
                            size_t unit, const char *file, int line, int column,
                            const char *message);

/* "error", "warning" or "note": the severity's name in machine-read output (JSON). */
const char *gk_severity_name(gk_severity severity);

/* "[RULE] message (expected X, found Y)" into buf (truncated to size); the length it wanted. */
size_t gk_finding_message(const gk_finding *finding, char *buf, size_t size);

/* "FILE:LINE:COL: error|warning|note: [RULE] message (expected X, found Y)" into buf. */
size_t gk_finding_format(const gk_finding *finding, char *buf, size_t size);

#endif
