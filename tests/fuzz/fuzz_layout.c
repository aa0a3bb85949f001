/* Fuzz target: layout profile files (the YAML reader, table layouts and the rule catalogue).
 *
 * The input is a table layout file, optionally followed by a rules file after a line
 * "#rules.yaml" (a YAML comment, so a table file that contains it still reads the same):
 *
 *     TABLE.yaml bytes [ "\n#rules.yaml\n" RULES.yaml bytes ]
 *
 * The table part is written as 3-1.yaml into a minimal profile (booklet.yaml naming that one
 * table, so its `id:` must be 3-1) in this process's temp folder, and the profile is loaded.
 * If it loads, rules.yaml is written (the rules part, or without one a fixed catalogue that
 * uses every rule kind on table 3-1) and gk_rules_load reads it against the profile.
 * Seeds: corpus/layout; dictionary: layout.dict. */
#include "fuzz_util.h"

#include <stdint.h>

#include "check/check.h"
#include "layout/layout.h"

static const char separator[] = "\n#rules.yaml\n";

static const char booklet[] = "profile: fz\n"
                              "amount_unit: 万元\n"
                              "amount_decimals: 2\n"
                              "empty_text: 注：此表无数据\n"
                              "booklets:\n"
                              "  unit: {title: 单位预算, tables: [3-1]}\n";

/* Rules over the fields of the real 3-1.yaml: a fuzzed table that keeps them gets its
 * resolution exercised; one that renames them gets the "missing column" paths. */
static const char default_rules[] =
    "rounding_tolerance: 1\n"
    "rules:\n"
    "  - {id: SUM-LEVELS, kind: hierarchy, tables: [3-1], rounding: SUM-ROUNDING,\n"
    "     description: d}\n"
    "  - {id: ROW-3-1, kind: row, table: 3-1, check: 3-1.total = 3-1.personnel + 3-1.public,\n"
    "     description: d}\n"
    "  - {id: RECEPTION, kind: compare, check: \"3-1.public <= 3-1.total[econ_code=30217]\",\n"
    "     description: d}\n"
    "  - {id: BY-CODE, kind: compare, by: [class, item], check: 3-1.total >= 3-1.public,\n"
    "     description: d}\n"
    "  - {id: NAMES, kind: lookup, from: 3-1.name, in: \"3-1.name[level=2]\",\n"
    "     amount: 3-1.total = 3-1.total, description: d}\n"
    "  - {id: UNIT-ID, kind: identity, description: d}\n"
    "  - {id: DERIVED, kind: derived, description: d}\n"
    "  - {id: CODE-FORMAT, kind: codes, tables: [3-1], digits: {class: 3, item: 2},\n"
    "     description: d}\n"
    "  - {id: EMPTY-TABLES, kind: present, tables: [3-1], description: d}\n"
    "  - {id: NARRATIVE-FIGURE, kind: narrative, description: d}\n";

static char profile_dir[FUZZ_PATH_MAX];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_tmp_dir("layout");
    fuzz_mkdir("fz");
    fuzz_write_text("fz/booklet.yaml", booklet);
    fuzz_path(profile_dir, "fz");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *split = fuzz_find(data, size, separator);
    size_t table_len = split ? (size_t)(split - data) : size;
    fuzz_write("fz/3-1.yaml", data, table_len);

    gk_diag diag;
    gk_diag_clear(&diag);
    gk_profile *profile = NULL;
    gk_status status = gk_profile_load(profile_dir, &profile, &diag);
    if (status != GK_OK) {
        FUZZ_ASSERT(profile == NULL && diag.message[0] != '\0');
        return 0;
    }
    FUZZ_ASSERT(profile != NULL && profile->table_count == 1);
    FUZZ_ASSERT(gk_profile_table(profile, "3-1") != NULL);

    if (split) {
        size_t skip = strlen(separator);
        fuzz_write("fz/rules.yaml", split + skip, size - table_len - skip);
    } else {
        fuzz_write_text("fz/rules.yaml", default_rules);
    }
    gk_rules *rules = NULL;
    gk_diag_clear(&diag);
    if (gk_rules_load(profile, &rules, &diag) == GK_OK) {
        FUZZ_ASSERT(rules != NULL);
        for (size_t i = 0; i < rules->count; i++)
            FUZZ_ASSERT(gk_rules_find(rules, rules->rules[i].id) != NULL);
    } else {
        FUZZ_ASSERT(diag.message[0] != '\0');
    }
    gk_rules_free(rules);
    gk_profile_free(profile);
    return 0;
}
