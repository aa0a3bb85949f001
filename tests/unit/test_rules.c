/* The rule catalogue: every rule of sichuan-2025/rules.yaml fires on a sample changed to break
 * it, and is silent on the sample as published (corrected). Also: broken rule files are
 * errors with positions, and the as-published package gives exactly its expected findings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "check/check.h"
#include "../support/testutil.h"

#define SAMPLE GK_SOURCE_DIR "/samples/leshan-hrss-info-2025"
#define PROFILE GK_SOURCE_DIR "/layouts/sichuan-2025"

/* A rule and a shell command, run inside a copy of the sample (pkg/) and of the profile
 * (sichuan-2025/), that makes it fire. */
typedef struct rule_case {
    const char *rule;
    const char *breaks;
} rule_case;

/* Declares 公开表2-1 supplied and starts its CSV with one row (301 工资福利支出), whose amounts
 * (总计, 合计, 一般公共预算拨款, …) follow. */
#define SUPPLY_2_1                                                                               \
    "sed -i '/,2-1$/d' pkg/not_supplied.csv && printf 'unit_code,level,class,item,econ_code,name," \
    "total,current_total,general,fund,central_advance,carry\\n302309,1,301,,301,工资福利支出,"

static const rule_case cases[] = {
    {"SUM-LEVELS", "sed -i '2s/134.26,134.26/150.26,150.26/' pkg/tables/3-1.csv"},
    {"SUM-LEVELS-ROUNDING", ":"}, /* the published 3-1 carries three */
    {"ROW-1-1", "sed -i '2s/294.28,,294.28/294.28,,290.00/' pkg/tables/1-1.csv"},
    {"ROW-1-2", "sed -i '2s/126.74,126.74,/126.74,120.00,/' pkg/tables/1-2.csv"},
    {"ROW-ROUNDING", "sed -i '2s/126.74,126.74,/126.74,126.73,/' pkg/tables/1-2.csv"},
    /* the sample does not supply 公开表2-1 (the booklet does not publish its rows): supply one */
    {"ROW-2-1", SUPPLY_2_1 "30.00,38.63,38.63,,,' > pkg/tables/2-1.csv"},
    {"ROW-2-1-CURRENT", SUPPLY_2_1 "38.63,38.63,30.00,,,' > pkg/tables/2-1.csv"},
    {"ROW-3", "sed -i '2s/126.74,126.74,/126.74,120.00,/' pkg/tables/3.csv"},
    {"ROW-3-1", "sed -i '3s/38.63,38.63,/38.63,30.00,/' pkg/tables/3-1.csv"},
    {"ROW-3-3", "sed -i '2s/0.40,,,,,0.40/0.40,,,,,0.30/' pkg/tables/3-3.csv"},
    {"ROW-3-3-VEHICLE", "sed -i '2s/0.40,,,,,0.40/0.40,,0.10,,,0.30/' pkg/tables/3-3.csv"},
    {"ROW-4", "echo '302309,208,01,04,x,1.00,0.50,' >> pkg/tables/4.csv"},
    {"ROW-4-1", "echo '302309,1.00,0.50,,,,' >> pkg/tables/4-1.csv"},
    {"ROW-5", "echo '302309,208,01,04,x,1.00,0.50,' >> pkg/tables/5.csv"},
    {"BALANCE-1", "sed -i '2s/294.28,,294.28/300.00,,300.00/' pkg/tables/1-1.csv"},
    {"BALANCE-2", "sed -i '2s/126.74,126.74,/126.74,100.00,/' pkg/tables/3.csv"},
    {"TOTAL-1-1-1-2", "sed -i '2s/294.28,,294.28/300.00,,300.00/' pkg/tables/1-1.csv"},
    {"BASIC-PROJECT", "sed -i '2s/127.80/120.00/' pkg/tables/3-2.csv"},
    {"GENERAL-BUDGET", "sed -i '2s/294.28,,294.28,,,,,,/294.28,,290.00,,,,,4.28,/' pkg/tables/1-1.csv"},
    {"BY-CODE", "sed -i '2s/126.74,126.74,/130.00,130.00,/' pkg/tables/3.csv"},
    {"RECEPTION", "sed -i '2s/0.40,,,,,0.40/0.50,,,,,0.50/' pkg/tables/3-3.csv"},
    {"PROJECT-NAME", "sed -i '2s/信息化建设工作相关支出/信息化建设工作其他支出/' pkg/tables/6.csv"},
    {"PROCUREMENT-PROJECT", "sed -i '2s/53.00/60.00/' pkg/tables/8.csv"},
    {"UNIT-ID", "sed -i '1s/$/,unit_name/; 2s/$/,某单位/' pkg/tables/1-1.csv"},
    {"DERIVED", "printf 'unit_code,item,amount\\n302309,in.general,100.00\\n' > pkg/tables/1.csv"},
    {"DERIVED-ROUNDING", "printf 'unit_code,item,amount\\n302309,in.general,294.27\\n' > pkg/tables/1.csv"},
    {"CODE-FORMAT", "sed -i '2s/208,01,04/208,1,04/' pkg/tables/1-2.csv"},
    {"CODE-FORMAT-ECON", "sed -i '3s/301,01,/301,1,/' pkg/tables/3-1.csv"},
    {"EMPTY-TABLES", "sed -i 's/^empty_text: .*/empty_text: \\\"\\\"/' sichuan-2025/booklet.yaml"},
    {"NARRATIVE-FIGURE", "echo '另有 999.99 万元，占 12.34%。' >> pkg/narrative/302309/explanation.md"},
    {"NARRATIVE-NAMES", "echo '乐山市人力资源和社会保障局信息中心。' >> pkg/narrative/302309/overview.md"},
};

/* Copies sample and profile into a fresh folder, runs the command there, checks the unit, and
 * returns how many findings carry rule_id (-1 if the package or rules did not load): errors
 * and warnings, or with notes, the notes (a rule skipped). */
static int findings_of(const char *command, const char *rule_id, bool notes, char *log,
                       size_t log_size)
{
    char dir[1024], path[2048];
    tu_tempdir(dir, sizeof dir, "rules");
    snprintf(path, sizeof path, "%s/pkg", dir);
    mkdir(path, 0777);
    tu_copy_tree(SAMPLE, path);
    snprintf(path, sizeof path, "%s/sichuan-2025", dir);
    mkdir(path, 0777);
    tu_copy_tree(PROFILE, path);
    char *out = NULL;
    if (tu_run(&out, "cd '%s' && %s", dir, command) != 0)
        fail_msg("could not apply '%s':\n%s", command, out);
    free(out);

    char pkg_dir[1100], profile_dir[1100];
    snprintf(pkg_dir, sizeof pkg_dir, "%s/pkg", dir);
    snprintf(profile_dir, sizeof profile_dir, "%s/sichuan-2025", dir);
    gk_package *pkg = NULL;
    gk_rules *rules = NULL;
    gk_diag diag = {0};
    if (gk_package_load(pkg_dir, profile_dir, NULL, &pkg, &diag) != GK_OK ||
        gk_rules_load(pkg->profile, &rules, &diag) != GK_OK) {
        snprintf(log, log_size, "%s:%d:%d: %s", diag.file, diag.line, diag.column, diag.message);
        gk_package_free(pkg);
        return -1;
    }
    gk_findings findings = {0};
    int count = 0;
    size_t used = 0;
    log[0] = '\0';
    if (gk_check_unit(pkg, rules, 0, &findings, &diag) != GK_OK)
        count = -1;
    for (size_t i = 0; i < findings.count; i++) {
        const gk_finding *f = &findings.items[i];
        count += strcmp(f->rule, rule_id) == 0 && (f->severity == GK_NOTE) == notes;
        used += (size_t)snprintf(log + used, used < log_size ? log_size - used : 0, "%s:%d [%s] %s\n",
                                 f->file, f->line, f->rule, f->message);
        if (used >= log_size)
            used = log_size - 1;
    }
    gk_findings_free(&findings);
    gk_rules_free(rules);
    gk_package_free(pkg);
    return count;
}

static void test_every_rule_fires(void **state)
{
    (void)state;
    static char log[16384];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int count = findings_of(cases[i].breaks, cases[i].rule, false, log, sizeof log);
        if (count < 1)
            fail_msg("%s did not fire after: %s\nfindings:\n%s", cases[i].rule, cases[i].breaks, log);
    }
}

static void test_every_rule_is_silent_on_the_sample(void **state)
{
    (void)state;
    static char log[16384];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        /* the published 3-1 rounds; emptied, it is silent */
        const char *command = strcmp(cases[i].rule, "SUM-LEVELS-ROUNDING") == 0
                                  ? "sed -i '2,$d' pkg/tables/3-1.csv"
                                  : ":";
        int count = findings_of(command, cases[i].rule, false, log, sizeof log);
        if (count != 0)
            fail_msg("%s fired on the sample (%d):\n%s", cases[i].rule, count, log);
    }
}

/* Every rule id of the catalogue has a case above. */
static void test_every_rule_has_a_case(void **state)
{
    (void)state;
    gk_profile *profile = NULL;
    gk_rules *rules = NULL;
    gk_diag diag = {0};
    assert_int_equal(gk_profile_load(PROFILE, &profile, &diag), GK_OK);
    assert_int_equal(gk_rules_load(profile, &rules, &diag), GK_OK);
    assert_true(rules->count >= 20);
    for (size_t r = 0; r < rules->count; r++) {
        const char *ids[] = {rules->rules[r].id, rules->rules[r].rounding};
        for (int k = 0; k < 2; k++) {
            bool covered = ids[k] == NULL;
            for (size_t i = 0; i < sizeof cases / sizeof *cases && !covered; i++)
                covered = strcmp(cases[i].rule, ids[k]) == 0;
            if (!covered)
                fail_msg("rule %s has no test case", ids[k]);
        }
    }
    gk_rules_free(rules);
    gk_profile_free(profile);
}

/* A rule that needs a table the package does not supply is skipped, with a note, instead of
 * comparing what was not given as if it were zero: 1-1 not supplied (and so 公开表1, derived
 * from it), the rules on 1-1 and 1 find nothing. */
static void test_rules_skip_tables_not_supplied(void **state)
{
    (void)state;
    static char log[16384];
    static const char *const skipped[] = {"ROW-1-1", "BALANCE-1", "TOTAL-1-1-1-2",
                                          "GENERAL-BUDGET"};
    /* (the 情况说明 cites 1-1 through placeholders: it goes too) */
    const char *command = "rm pkg/tables/1-1.csv pkg/narrative/302309/explanation.md && "
                          "echo 302309,1-1 >> pkg/not_supplied.csv";
    for (size_t i = 0; i < sizeof skipped / sizeof *skipped; i++) {
        if (findings_of(command, skipped[i], false, log, sizeof log) != 0)
            fail_msg("%s fired on a table not supplied:\n%s", skipped[i], log);
        if (findings_of(command, skipped[i], true, log, sizeof log) != 1)
            fail_msg("%s: expected one note that it was skipped:\n%s", skipped[i], log);
    }
    assert_non_null(strstr(log, "pkg/not_supplied.csv:4 [BALANCE-1] skipped: 公开表1 is not "
                                "supplied (it is derived from 公开表1-1, which is not)"));
}

static void test_broken_rule_files(void **state)
{
    (void)state;
    static const struct {
        const char *rules;
        int line, column;
        const char *message;
    } broken[] = {
        {"rules:\n  - {id: A, kind: compare, check: 9-9.total = 1-2.total, description: x}\n", 2,
         35, "the profile has no table '9-9'"},
        {"rules:\n  - {id: A, kind: compare, check: 1-2.totl = 1-2.total, description: x}\n", 2,
         35, "table 1-2 has no amount column 'totl'"},
        {"rules:\n  - {id: A, kind: row, table: 3-1, check: 3-1.total = 3-2.amount, description: x}\n",
         2, 43, "a row check names plain columns of table 3-1 only"},
        {"rules:\n  - {id: A, kind: lookup, from: 6.projet, in: 3-2.name, description: x}\n", 2,
         33, "table 6 has no column 'projet'"},
        {"rules:\n  - {id: A, kind: sums, description: x}\n", 2, 19, "expected one of hierarchy"},
        {"rules:\n  - {id: A, kind: codes, tables: [1-2], digits: {klass: 3}, description: x}\n", 2,
         50, "table 1-2 has no column 'klass'"},
        {"rules:\n  - {id: A, kind: compare, description: x}\n", 2, 5, "a 'compare' rule needs 'check'"},
        {"rules:\n  - {id: A, kind: narrative, description: x}\n  - {id: A, kind: identity, description: y}\n",
         3, 10, "rule id 'A' is used twice"},
        /* issue 14: lists of code lengths, hierarchies by prefix */
        {"rules:\n  - {id: A, kind: codes, tables: [3-1], digits: {econ_code: []}, description: x}\n",
         2, 61, "expected a number of digits or a list of them, found an empty list"},
        {"rules:\n  - {id: A, kind: codes, tables: [3-1], digits: {econ_code: [3, 0]}, description: x}\n",
         2, 65, "expected a whole number from 1 to 32, found '0'"},
        {"rules:\n  - {id: A, kind: hierarchy, tables: [3-1], by_prefix: [econ_code], description: x}\n",
         2, 56, "expected a text value, found a list"},
        {"rules:\n  - {id: A, kind: names, subjects: [{table: 1-2, code: [class, itme], name: name}], "
         "description: x}\n", 2, 64, "table 1-2 has no column 'itme'"},
        {"rules:\n  - {id: A, kind: names, subjects: [{table: 1, code: item, name: item}], "
         "description: x}\n", 2, 45, "table 1 has fixed rows"},
        {"rules:\n  - {id: A, kind: names, subjects: {table: 1-2}, description: x}\n", 2, 36,
         "expected a list of {table, code, name}"},
    };
    for (size_t i = 0; i < sizeof broken / sizeof *broken; i++) {
        char dir[1024], profile_dir[1100];
        tu_tempdir(dir, sizeof dir, "rulefile");
        snprintf(profile_dir, sizeof profile_dir, "%s/sichuan-2025", dir);
        mkdir(profile_dir, 0777);
        tu_copy_tree(PROFILE, profile_dir);
        tu_write(profile_dir, "rules.yaml", broken[i].rules);
        gk_profile *profile = NULL;
        gk_rules *rules = NULL;
        gk_diag diag = {0};
        assert_int_equal(gk_profile_load(profile_dir, &profile, &diag), GK_OK);
        gk_status status = gk_rules_load(profile, &rules, &diag);
        if (status != GK_ERR_LAYOUT || strstr(diag.message, broken[i].message) == NULL ||
            diag.line != broken[i].line || diag.column != broken[i].column ||
            strstr(diag.file, "rules.yaml") == NULL)
            fail_msg("case %zu: %s:%d:%d: %s", i, diag.file, diag.line, diag.column, diag.message);
        gk_profile_free(profile);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_rule_fires),
        cmocka_unit_test(test_every_rule_is_silent_on_the_sample),
        cmocka_unit_test(test_every_rule_has_a_case),
        cmocka_unit_test(test_rules_skip_tables_not_supplied),
        cmocka_unit_test(test_broken_rule_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
