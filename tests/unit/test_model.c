/* The package loader and the document builder: typed rows, computed 合计 / department / unit
 * rows, fixed-row tables, empty tables, vertical merges, and input errors with positions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "model/document.h"
#include "model/values.h"
#include "../support/testutil.h"

static const char *const sample_dir = GK_SOURCE_DIR "/samples/leshan-hrss-info-2025";
static const char *const layouts_root = GK_SOURCE_DIR "/layouts";

static const gk_table *doc_table(const gk_document *doc, const char *id)
{
    for (size_t t = 0; t < doc->table_count; t++)
        if (strcmp(doc->tables[t].layout->id, id) == 0)
            return &doc->tables[t];
    fail_msg("table %s not in the document", id);
    return NULL;
}

static int column_of(const gk_table *table, const char *key)
{
    for (size_t c = 0; c < table->layout->column_count; c++)
        if (strcmp(table->layout->columns[c].key, key) == 0)
            return (int)c;
    fail_msg("column %s not in table %s", key, table->layout->id);
    return -1;
}

static void assert_amount(const gk_table *table, size_t row, const char *key, int64_t cents)
{
    const gk_value *v = &table->rows[row].cells[column_of(table, key)].value;
    if (v->kind != GK_VALUE_NUMBER || v->number != cents || v->decimals != 2)
        fail_msg("table %s row %zu column %s: expected %lld, found kind %d value %lld",
                 table->layout->id, row, key, (long long)cents, v->kind, (long long)v->number);
}

static void assert_text(const gk_table *table, size_t row, const char *key, const char *text)
{
    const gk_value *v = &table->rows[row].cells[column_of(table, key)].value;
    if (text == NULL) {
        assert_int_equal(v->kind, GK_VALUE_BLANK);
        return;
    }
    assert_int_equal(v->kind, GK_VALUE_TEXT);
    assert_string_equal(v->text, text);
}

static int setup_sample(void **state)
{
    gk_package *pkg = NULL;
    gk_diag diag = {0};
    if (gk_package_load(sample_dir, NULL, layouts_root, &pkg, &diag) != GK_OK) {
        print_error("%s:%d:%d: %s\n", diag.file, diag.line, diag.column, diag.message);
        return -1;
    }
    gk_document *doc = NULL;
    if (gk_document_build_unit(pkg, 0, &doc, &diag) != GK_OK) {
        gk_package_free(pkg);
        return -1;
    }
    void **pair = malloc(2 * sizeof *pair);
    pair[0] = pkg;
    pair[1] = doc;
    *state = pair;
    return 0;
}

static int teardown_sample(void **state)
{
    void **pair = *state;
    gk_document_free(pair[1]);
    gk_package_free(pair[0]);
    free(pair);
    return 0;
}

static const gk_document *sample_doc(void **state)
{
    return ((void **)*state)[1];
}

static void test_computed_rows_of_1_2(void **state)
{
    const gk_table *t = doc_table(sample_doc(state), "1-2");
    assert_int_equal(t->rows[0].kind, GK_ROW_TOTAL);
    assert_text(t, 0, "name", "合 计");
    assert_amount(t, 0, "total", 29428);
    assert_amount(t, 0, "basic", 16648);
    assert_amount(t, 0, "project", 12780);
    assert_int_equal(t->rows[1].kind, GK_ROW_DEPARTMENT);
    assert_text(t, 1, "name", NULL);
    assert_amount(t, 1, "total", 29428);
    assert_int_equal(t->rows[2].kind, GK_ROW_UNIT);
    assert_text(t, 2, "name", "乐山市人力资源和社会保障信息中心");
    assert_int_equal(t->rows[3].kind, GK_ROW_DATA);
    assert_text(t, 3, "unit_code", "302309");
    assert_text(t, 3, "name", "综合业务管理");
    assert_amount(t, 3, "total", 12674);
    /* zero policy: blank, not 0.00 */
    assert_text(t, 3, "project", NULL);
    assert_int_equal(t->row_count, 3 + 7);
}

static void test_levels_are_not_counted_twice(void **state)
{
    /* 3-1 lists 301 over 30101 over 3010101…: only level-1 rows are summed */
    const gk_table *t = doc_table(sample_doc(state), "3-1");
    assert_amount(t, 0, "total", 16648);
    assert_amount(t, 0, "personnel", 13426);
    assert_amount(t, 0, "public", 3222);
    assert_int_equal(t->rows[2].kind, GK_ROW_UNIT);
    assert_text(t, 2, "econ_code", "302309");
}

static void test_stub_table_values(void **state)
{
    const gk_table *t = doc_table(sample_doc(state), "1");
    assert_text(t, 0, "in_item", "一、一般公共预算拨款收入");
    assert_amount(t, 0, "in_amount", 29428);
    bool found_208 = false, found_total = false;
    for (size_t r = 0; r < t->row_count; r++) {
        const gk_value *out = &t->rows[r].cells[2].value;
        if (out->kind == GK_VALUE_TEXT && strcmp(out->text, "八、社会保障和就业支出") == 0) {
            assert_amount(t, r, "out_amount", 27798);
            found_208 = true;
        }
        if (out->kind == GK_VALUE_TEXT && strcmp(out->text, "支出总计") == 0) {
            assert_amount(t, r, "out_amount", 29428);
            assert_amount(t, r, "in_amount", 29428);
            assert_int_equal(t->rows[r].kind, GK_ROW_TOTAL);
            found_total = true;
        }
    }
    assert_true(found_208);
    assert_true(found_total);
}

static void test_empty_table(void **state)
{
    const gk_table *t = doc_table(sample_doc(state), "4");
    assert_true(t->empty);
    assert_int_equal(t->row_count, 2);
    assert_int_equal(t->rows[0].kind, GK_ROW_TOTAL);
    assert_text(t, 0, "total", NULL);
    assert_int_equal(t->rows[1].kind, GK_ROW_NOTE);
    assert_string_equal(t->rows[1].cells[0].value.text, "注：此表无数据");
    assert_int_equal(t->rows[1].cells[0].cols, (int)t->layout->column_count);
    assert_true(t->rows[1].cells[1].covered);
}

static void test_vertical_merges_of_6(void **state)
{
    const gk_table *t = doc_table(sample_doc(state), "6");
    /* one unit, three projects with 8, 6 and 6 indicators */
    assert_int_equal(t->row_count, 20);
    assert_int_equal(t->rows[0].cells[0].rows, 20);
    assert_string_equal(t->rows[0].cells[0].value.text, "302309-乐山市人力资源和社会保障信息中心");
    assert_true(t->rows[19].cells[0].covered);
    assert_int_equal(t->rows[0].cells[1].rows, 8);
    assert_int_equal(t->rows[8].cells[1].rows, 6);
    assert_string_equal(t->rows[14].cells[1].value.text, "惠农惠民一卡通项目服务人员经费");
    assert_amount(t, 14, "budget", 5280);
    assert_true(t->rows[15].cells[2].covered);
}

static void test_title_template(void **state)
{
    const gk_table *t = doc_table(sample_doc(state), "6");
    assert_string_equal(t->title, "部门预算项目绩效目标表（2025年度）");
    assert_string_equal(sample_doc(state)->title, "乐山市人力资源和社会保障信息中心2025年单位预算");
}

/* ---- a synthetic package: two units of one department -------------------------------- */

static const char units_csv[] =
    "unit_code,unit_name,department_code,department_name,year,profile,booklet\n"
    "A1,甲单位,D,某部门,2025,sichuan-2025,unit\n"
    "B2,乙单位,D,某部门,2025,sichuan-2025,unit\n";

static void make_package(char *dir, size_t size, const char *table, const char *csv)
{
    tu_tempdir(dir, size, "pkg");
    tu_write(dir, "units.csv", units_csv);
    char name[256];
    snprintf(name, sizeof name, "tables/%s.csv", table);
    tu_write(dir, name, csv);
}

static void test_units_are_summed_separately(void **state)
{
    (void)state;
    char dir[1024];
    make_package(dir, sizeof dir, "1-2",
                 "unit_code,class,item,sub,name,total,basic,project\n"
                 "A1,208,01,04,综合业务管理,\"1,000.10\",1000.10,\n"
                 "B2,208,01,04,综合业务管理,-0.10,-0.10,\n"
                 "A1,210,11,02,事业单位医疗,2.00,2.00,\n");
    gk_package *pkg = NULL;
    gk_diag diag = {0};
    assert_int_equal(gk_package_load(dir, NULL, layouts_root, &pkg, &diag), GK_OK);
    gk_document *doc = NULL;
    assert_int_equal(gk_document_build_unit(pkg, 0, &doc, &diag), GK_OK);
    const gk_table *t = doc_table(doc, "1-2");
    /* unit A1's booklet holds only A1's rows */
    assert_int_equal(t->row_count, 3 + 2);
    assert_amount(t, 0, "total", 100210);
    assert_amount(t, 2, "total", 100210);
    gk_document_free(doc);
    assert_int_equal(gk_document_build_unit(pkg, 1, &doc, &diag), GK_OK);
    t = doc_table(doc, "1-2");
    assert_amount(t, 0, "total", -10);
    assert_text(t, 2, "name", "乙单位");
    /* 3-1 has no CSV in this package: an empty table */
    assert_true(doc_table(doc, "3-1")->empty);
    gk_document_free(doc);
    gk_package_free(pkg);
}

static void test_gbk_csv_is_decoded(void **state)
{
    (void)state;
    char dir[1024];
    /* "综合业务管理" in GBK */
    make_package(dir, sizeof dir, "1-2",
                 "unit_code,class,item,sub,name,total,basic,project\n"
                 "A1,208,01,04,\xd7\xdb\xba\xcf\xd2\xb5\xce\xf1\xb9\xdc\xc0\xed,5.00,5.00,\n");
    gk_package *pkg = NULL;
    gk_diag diag = {0};
    assert_int_equal(gk_package_load(dir, NULL, layouts_root, &pkg, &diag), GK_OK);
    gk_document *doc = NULL;
    assert_int_equal(gk_document_build_unit(pkg, 0, &doc, &diag), GK_OK);
    assert_text(doc_table(doc, "1-2"), 3, "name", "综合业务管理");
    gk_document_free(doc);
    gk_package_free(pkg);
}

/* ---- sums beyond the range of exact amounts (util/money.h) ---------------------------- */

static const char max_amount[] = "9999999999999.99"; /* 10^15 - 1 in 0.01 万元 */

/* Builds unit `unit` (or, with unit < 0, department D) and expects a refusal at file:line:col
 * with the message. */
static void expect_overflow(const gk_package *pkg, int unit, const char *file, int line,
                            int column, const char *message)
{
    gk_document *doc = NULL;
    gk_diag diag = {0};
    gk_status status = unit < 0 ? gk_document_build_department(pkg, "D", &doc, &diag)
                                : gk_document_build_unit(pkg, (size_t)unit, &doc, &diag);
    if (status != GK_ERR_DATA || strstr(diag.file, file) == NULL || diag.line != line ||
        diag.column != column || strstr(diag.message, message) == NULL)
        fail_msg("status %d, %s:%d:%d: %s (expected %s:%d:%d: %s)", status, diag.file, diag.line,
                 diag.column, diag.message, file, line, column, message);
    assert_null(doc);
}

static void test_list_total_overflow(void **state)
{
    (void)state;
    char dir[1024], csv[512];
    /* each unit's 合计 is printable; the department's is not */
    snprintf(csv, sizeof csv,
             "unit_code,total,abroad,vehicle_total,vehicle_purchase,vehicle_operation,reception\n"
             "A1,%s,%s,,,,\nB2,%s,%s,,,,\n", max_amount, max_amount, max_amount, max_amount);
    make_package(dir, sizeof dir, "4-1", csv);
    gk_package *pkg = NULL;
    gk_diag diag = {0};
    assert_int_equal(gk_package_load(dir, NULL, layouts_root, &pkg, &diag), GK_OK);
    gk_document *doc = NULL;
    assert_int_equal(gk_document_build_unit(pkg, 1, &doc, &diag), GK_OK);
    assert_amount(doc_table(doc, "4-1"), 0, "total", INT64_C(999999999999999));
    gk_document_free(doc);
    expect_overflow(pkg, -1, "/tables/4-1.csv", 3, 4,
                    "公开表4-1, column 'total': expected a sum within ±10000000000000.00, "
                    "found one beyond it");
    gk_package_free(pkg);

    /* one unit's rows: its own booklet is refused at the row that passes the limit */
    snprintf(csv, sizeof csv,
             "unit_code,project_code,project,catalog,quantity,amount,sme,small_micro,prison,"
             "disabled,note\nA1,P1,甲,C,1,0.01,否,否,否,否,\nA1,P2,乙,C,1,%s,否,否,否,否,\n"
             "A1,P3,丙,C,1,0.01,否,否,否,否,\n", max_amount); /* 10^15 exactly, then beyond */
    make_package(dir, sizeof dir, "8", csv);
    assert_int_equal(gk_package_load(dir, NULL, layouts_root, &pkg, &diag), GK_OK);
    expect_overflow(pkg, 0, "/tables/8.csv", 4, 13, "公开表8, column 'amount'");
    gk_package_free(pkg);
}

static void test_stub_overflow(void **state)
{
    (void)state;
    char dir[1024], csv[512];
    /* 公开表1's items are printable, the derived 本年收入合计 is not */
    snprintf(csv, sizeof csv,
             "unit_code,total,carry,general,fund,capital,business,operating,other,superior,"
             "affiliated,special_account\nA1,1.00,,%s,%s,,,,,,,\n", max_amount, max_amount);
    make_package(dir, sizeof dir, "1-1", csv);
    gk_package *pkg = NULL;
    gk_diag diag = {0};
    assert_int_equal(gk_package_load(dir, NULL, layouts_root, &pkg, &diag), GK_OK);
    expect_overflow(pkg, 0, "sichuan-2025/1.yaml", 0, 0,
                    "公开表1, item 'in.year_total': expected a sum within");
    gk_package_free(pkg);
}

/* The amount prior.csv gives unit A1 for key (the package's arena holds keys in UTF-8);
 * -1 when it gives none. */
static int64_t prior_amount(const gk_package *pkg, const char *key)
{
    for (size_t i = 0; i < pkg->prior_count; i++)
        if (pkg->priors[i].unit == 0 && strcmp(pkg->priors[i].key, key) == 0)
            return pkg->priors[i].amount;
    return -1;
}

/* prior.csv in GB18030, read as a stream, has its keys compared as the whole file's reading
 * compares them: decoded. A key that begins with the BOM's character (84 31 95 33) inside the
 * file is a key of its own, never a second "total"; two byte sequences glibc decodes to one
 * character (FE 51 and 95 32 90 31, both U+20087) are one key given twice. */
static void test_prior_keys_compared_decoded(void **state)
{
    (void)state;
    char dir[1024];
    make_package(dir, sizeof dir, "1-1",
                 "unit_code,total,carry,general,fund,capital,business,operating,other,superior,"
                 "affiliated,special_account\nA1,1.00,,1.00,,,,,,,,\n");
    tu_write(dir, "prior.csv", "unit_code,key,amount\nA1,\x84\x31\x95\x33total,9.99\n"
                               "A1,total,5.00\n");
    gk_package *pkg = NULL;
    gk_diag diag = {0};
    assert_int_equal(gk_package_load(dir, NULL, layouts_root, &pkg, &diag), GK_OK);
    assert_int_equal(prior_amount(pkg, "total"), 500);
    assert_int_equal(prior_amount(pkg, "\xEF\xBB\xBFtotal"), 999);
    gk_package_free(pkg);

    tu_write(dir, "prior.csv", "unit_code,key,amount\nA1,\xFE\x51,1.00\nA1,\x95\x32\x90\x31,2.00\n");
    pkg = NULL;
    assert_int_equal(gk_package_load(dir, NULL, layouts_root, &pkg, &diag), GK_ERR_DATA);
    assert_int_equal(diag.line, 3);
    assert_non_null(strstr(diag.message, "given twice for unit A1 (first on line 2)"));
}

static void test_query_overflow(void **state)
{
    (void)state;
    char dir[1024], csv[512];
    snprintf(csv, sizeof csv,
             "unit_code,total,carry,general,fund,capital,business,operating,other,superior,"
             "affiliated,special_account\nA1,1.00,,%s,%s,,,,,,,\nB2,1.00,,%s,,,,,,,,\n",
             max_amount, max_amount, max_amount);
    make_package(dir, sizeof dir, "1-1", csv);
    tu_write(dir, "prior.csv", "unit_code,key,amount\nA1,total,9999999999999.99\n"
                               "B2,total,9999999999999.99\n");
    gk_package *pkg = NULL;
    gk_diag diag = {0};
    assert_int_equal(gk_package_load(dir, NULL, layouts_root, &pkg, &diag), GK_OK);
    size_t both[] = {0, 1}, a1 = 0;
    gk_scope department = {both, 2}, unit = {&a1, 1};
    struct {
        const char *query;
        const gk_scope *scope;
        bool ok;
        gk_overflow_kind kind;
        const char *name;
        int line, column;
    } cases[] = {
        {"1-1.general", &unit, true, 0, NULL, 0, 0},
        {"1-1.general - 1-1.fund", &unit, true, 0, NULL, 0, 0},
        {"1-1.general", &department, false, GK_OVERFLOW_COLUMN, "general", 3, 10},
        {"1-1.general + 1-1.fund", &unit, false, GK_OVERFLOW_QUERY, "1-1.general + 1-1.fund", 0,
         0},
        {"prior.total", &unit, true, 0, NULL, 0, 0},
        {"prior.total", &department, false, GK_OVERFLOW_PRIOR, "total", 3, 0},
        /* a fixed-row table is computed whole: a value beyond the range fails every term on it */
        {"1.in.general", &unit, false, GK_OVERFLOW_ITEM, "in.year_total", 0, 0},
        {"1.in.grand_total", &unit, false, GK_OVERFLOW_ITEM, "in.year_total", 0, 0},
        {"1.in.general", &department, false, GK_OVERFLOW_COLUMN, "general", 3, 10},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        gk_query query;
        char error[256];
        assert_true(gk_query_parse(pkg->profile, cases[i].query, &pkg->arena, &query, error,
                                   sizeof error));
        int64_t sum = 0;
        gk_overflow overflow = {0};
        bool ok = gk_query_sum(pkg, &query, cases[i].scope, NULL, 0, &sum, &overflow);
        if (ok != cases[i].ok)
            fail_msg("case %zu (%s): expected %s", i, cases[i].query,
                     cases[i].ok ? "a sum" : "an overflow");
        if (ok)
            continue;
        assert_int_equal(overflow.kind, cases[i].kind);
        assert_string_equal(overflow.name, cases[i].name);
        assert_int_equal(overflow.line, cases[i].line);
        assert_int_equal(overflow.column, cases[i].column);
        char message[256];
        gk_overflow_message(&overflow, message, sizeof message);
        assert_contains(message, "expected a sum within ±10000000000000.00, found one beyond it");
    }
    gk_package_free(pkg);
}

typedef struct input_case {
    const char *table;
    const char *csv;
    int line, column;
    const char *message;
    bool unit_fails; /* a bad row of unit A1: it fails alone, the package loads */
} input_case;

static void test_input_errors(void **state)
{
    (void)state;
    static const input_case cases[] = {
        {"1-2", "unit_code,class,item,sub,name,total,basic,project\nA1,208,01,04,x,12.5O,,\n", 2,
         16, "column 'total': expected an amount with at most 2 decimals, found '12.5O'", true},
        {"1-2", "unit_code,class,item,sub,name,total,basic,project\nA1,208,01,04,x,1.234,,\n", 2,
         16, "found '1.234' (more than 2 decimals)", true},
        {"1-2", "unit_code,class,item,sub,name,total,basic,project\nZZ,208,01,04,x,1,,\n", 2, 1,
         "unit 'ZZ' is not in units.csv", false},
        {"1-2", "unit_code,class,item,sub,name,totl,basic,project\n", 1, 31,
         "unknown column 'totl'", false},
        {"1-2", "unit_code,class,item,sub,name,basic,project\n", 1, 1, "missing column 'total'",
         false},
        {"1-2", "unit_code,level,class,item,sub,name,total,basic,project\nA1,x,208,01,04,x,1,,\n",
         2, 4, "column 'level': expected a level from 1 to 9, found 'x'", true},
        {"1", "unit_code,item,amount\nA1,in.nothing,1.00\n", 2, 4,
         "'in.nothing' is not an item or a derived value of table 1", true},
        {"1", "unit_code,item,amount\nA1,in.general,1.00\nA1,in.general,2.00\n", 3, 4,
         "item 'in.general' given twice for unit A1 (first on line 2)", true},
        {"1-2", "unit_code,class,item,sub,name,total,basic,project\nA1,208,01,04,\"a\x01" "b\",1,,\n",
         2, 14, "control character 0x01", true},
        {"1-2", "unit_code,class,item,sub,name,total,basic,project\nA1,208,01\n", 2, 10,
         "expected 8 fields as in the header, found 3", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char dir[1024];
        make_package(dir, sizeof dir, cases[i].table, cases[i].csv);
        gk_package *pkg = NULL;
        gk_diag diag = {0};
        gk_status status = gk_package_load(dir, NULL, layouts_root, &pkg, &diag);
        if (cases[i].unit_fails && status == GK_OK && pkg->units[0].failure != NULL) {
            diag = *pkg->units[0].failure;
            status = diag.status;
            gk_package_free(pkg);
            pkg = NULL;
        }
        char expected_file[256];
        snprintf(expected_file, sizeof expected_file, "/tables/%s.csv", cases[i].table);
        if (status == GK_OK || strstr(diag.message, cases[i].message) == NULL ||
            diag.line != cases[i].line || diag.column != cases[i].column ||
            strstr(diag.file, expected_file) == NULL)
            fail_msg("case %zu: status %d, %s:%d:%d: %s (expected %d:%d: %s)", i, status,
                     diag.file, diag.line, diag.column, diag.message, cases[i].line,
                     cases[i].column, cases[i].message);
        assert_null(pkg);
    }
}

static void test_units_file_errors(void **state)
{
    (void)state;
    static const struct {
        const char *units;
        int line, column;
        const char *message;
    } cases[] = {
        {"unit_code,unit_name,department_code,department_name,year,profile\n", 1, 1,
         "missing column 'booklet'"},
        {"unit_code,unit_name,department_code,department_name,year,profile,booklet\n"
         "../x,甲,D,部,2025,sichuan-2025,unit\n",
         2, 1, "column 'unit_code': expected letters, digits"},
        {"unit_code,unit_name,department_code,department_name,year,profile,booklet\n"
         "A1,甲,D,部,2025,sichuan-2025,unit\nA1,乙,D,部,2025,sichuan-2025,unit\n",
         3, 1, "duplicate unit code 'A1'"},
        {"unit_code,unit_name,department_code,department_name,year,profile,booklet\n"
         "A1,甲,D,部,2025,sichuan-2025,单位\n",
         2, 28, "column 'booklet': expected unit or department, found '单位'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char dir[1024];
        tu_tempdir(dir, sizeof dir, "units");
        tu_write(dir, "units.csv", cases[i].units);
        gk_package *pkg = NULL;
        gk_diag diag = {0};
        gk_status status = gk_package_load(dir, NULL, layouts_root, &pkg, &diag);
        if (status == GK_OK || strstr(diag.message, cases[i].message) == NULL ||
            diag.line != cases[i].line || diag.column != cases[i].column ||
            strstr(diag.file, "units.csv") == NULL)
            fail_msg("case %zu: status %d, %s:%d:%d: %s", i, status, diag.file, diag.line,
                     diag.column, diag.message);
    }
}

int main(void)
{
    const struct CMUnitTest sample_tests[] = {
        cmocka_unit_test(test_computed_rows_of_1_2),
        cmocka_unit_test(test_levels_are_not_counted_twice),
        cmocka_unit_test(test_stub_table_values),
        cmocka_unit_test(test_empty_table),
        cmocka_unit_test(test_vertical_merges_of_6),
        cmocka_unit_test(test_title_template),
    };
    const struct CMUnitTest package_tests[] = {
        cmocka_unit_test(test_units_are_summed_separately),
        cmocka_unit_test(test_gbk_csv_is_decoded),
        cmocka_unit_test(test_list_total_overflow),
        cmocka_unit_test(test_stub_overflow),
        cmocka_unit_test(test_query_overflow),
        cmocka_unit_test(test_prior_keys_compared_decoded),
        cmocka_unit_test(test_input_errors),
        cmocka_unit_test(test_units_file_errors),
    };
    int failed = cmocka_run_group_tests(sample_tests, setup_sample, teardown_sample);
    return failed + cmocka_run_group_tests(package_tests, NULL, NULL);
}
