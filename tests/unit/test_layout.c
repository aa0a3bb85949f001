/* Layout profiles: the shipped sichuan-2025 profile resolves to the reference's headers, and
 * broken layout files give errors that name the file, line and column. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "layout/layout.h"
#include "../support/testutil.h"

static const char *const profile_dir = GK_SOURCE_DIR "/layouts/sichuan-2025";

static const gk_header_cell *find_header(const gk_table_layout *t, const char *text)
{
    for (size_t i = 0; i < t->header_count; i++)
        if (strcmp(t->header[i].text, text) == 0)
            return &t->header[i];
    return NULL;
}

static void assert_header(const gk_table_layout *t, const char *text, int row, int col, int rows,
                          int cols)
{
    const gk_header_cell *h = find_header(t, text);
    if (h == NULL)
        fail_msg("header '%s' not found in table %s", text, t->id);
    assert_int_equal(h->row, row);
    assert_int_equal(h->col, col);
    assert_int_equal(h->rows, rows);
    assert_int_equal(h->cols, cols);
}

static void test_profile_has_fifteen_tables(void **state)
{
    (void)state;
    gk_profile *profile = NULL;
    gk_diag diag = {0};
    assert_int_equal(gk_profile_load(profile_dir, &profile, &diag), GK_OK);
    static const char *const ids[] = {"1", "1-1", "1-2", "2", "2-1", "3", "3-1", "3-2",
                                      "3-3", "4", "4-1", "5", "6", "7", "8"};
    const gk_booklet *unit = &profile->booklets[GK_BOOKLET_UNIT];
    assert_int_equal(unit->table_count, 15);
    for (size_t i = 0; i < 15; i++)
        assert_string_equal(unit->tables[i]->id, ids[i]);
    assert_string_equal(profile->amount_unit, "万元");
    assert_int_equal(profile->amount_decimals, 2);
    assert_true(profile->zero_blank);
    assert_string_equal(profile->empty_text, "注：此表无数据");
    gk_profile_free(profile);
}

static void test_three_header_rows_of_3_3(void **state)
{
    (void)state;
    gk_profile *profile = NULL;
    gk_diag diag = {0};
    assert_int_equal(gk_profile_load(profile_dir, &profile, &diag), GK_OK);
    const gk_table_layout *t = gk_profile_table(profile, "3-3");
    assert_non_null(t);
    assert_int_equal(t->header_rows, 3);
    assert_int_equal(t->column_count, 8);
    assert_header(t, "单位编码", 0, 0, 3, 1);
    assert_header(t, "当年财政拨款预算安排", 0, 2, 1, 6);
    assert_header(t, "合计", 1, 2, 2, 1);
    assert_header(t, "公务用车购置及运行费", 1, 4, 1, 3);
    assert_header(t, "公务用车运行费", 2, 6, 1, 1);
    assert_header(t, "公务接待费", 1, 7, 2, 1);
    /* the unit name is computed from a template: a CSV may state it (then it is checked) */
    assert_non_null(t->columns[1].value_template);
    assert_int_equal(gk_layout_field_index(t, "name"), t->columns[1].field);
    assert_true(t->fields[t->columns[1].field].optional);
    assert_false(t->fields[gk_layout_field_index(t, "reception")].optional);
    assert_true(gk_layout_field_index(t, "reception") >= 0);
    assert_true(t->columns[7].sum);
    assert_int_equal(t->columns[7].align, GK_ALIGN_RIGHT);
    gk_profile_free(profile);
}

static void test_stub_table_1(void **state)
{
    (void)state;
    gk_profile *profile = NULL;
    gk_diag diag = {0};
    assert_int_equal(gk_profile_load(profile_dir, &profile, &diag), GK_OK);
    const gk_table_layout *t = gk_profile_table(profile, "1");
    assert_true(t->is_stub);
    assert_int_equal(t->column_count, 4);
    assert_int_equal(t->header_rows, 2);
    /* 6 income items beside 28 function classes, then totals */
    assert_true(t->row_count >= 31);
    assert_string_equal(t->rows[0].cells[0].text, "一、一般公共预算拨款收入");
    assert_int_equal(t->rows[0].cells[1].kind, GK_STUB_EXPR);
    assert_int_equal(t->field_count, 2);
    assert_string_equal(t->fields[0].key, "item");
    gk_profile_free(profile);
}

static void test_merge_by_in_table_6(void **state)
{
    (void)state;
    gk_profile *profile = NULL;
    gk_diag diag = {0};
    assert_int_equal(gk_profile_load(profile_dir, &profile, &diag), GK_OK);
    const gk_table_layout *t = gk_profile_table(profile, "6");
    assert_int_equal(t->columns[0].merge_by_count, 1);
    assert_int_equal(t->columns[0].merge_by[0], GK_FIELD_UNIT_CODE);
    assert_int_equal(t->columns[1].merge_by_count, 2);
    gk_profile_free(profile);
}

/* ---- rows and headers (issue 14): tests/layouts/rows-test-2025 -------------------------- */

static const char *const rows_dir = GK_SOURCE_DIR "/tests/layouts/rows-test-2025";

/* 项 目 (header_rows: 2) beside 本年预算, whose 财政拨款 group is one row deeper. */
static void test_header_group_spanning_rows(void **state)
{
    (void)state;
    gk_profile *profile = NULL;
    gk_diag diag = {0};
    assert_int_equal(gk_profile_load(rows_dir, &profile, &diag), GK_OK);
    const gk_table_layout *t = gk_profile_table(profile, "2");
    assert_int_equal(t->header_rows, 3);
    assert_header(t, "项 目", 0, 0, 2, 2);
    assert_header(t, "科目编码", 2, 0, 1, 1);
    assert_header(t, "科目名称", 2, 1, 1, 1);
    assert_header(t, "本年预算", 0, 2, 1, 3);
    assert_header(t, "合计", 1, 2, 2, 1);
    assert_header(t, "财政拨款", 1, 3, 1, 2);
    assert_header(t, "一般公共预算", 2, 3, 1, 1);
    assert_header(t, "其他", 0, 5, 3, 1);
    /* the 合计 row: at the bottom, its label from 科目编码 through 科目名称 */
    assert_int_equal(t->summary_count, 1);
    assert_true(t->summary[0].bottom);
    assert_int_equal(t->summary[0].label_column, 0);
    assert_int_equal(t->summary[0].span_to, 1);
    gk_profile_free(profile);
}

/* Cells as in an HTML table: listed ones placed around the spans from the left and above. */
static void test_stub_spans_and_omission(void **state)
{
    (void)state;
    gk_profile *profile = NULL;
    gk_diag diag = {0};
    assert_int_equal(gk_profile_load(rows_dir, &profile, &diag), GK_OK);
    const gk_table_layout *t = gk_profile_table(profile, "1");
    assert_int_equal(t->row_count, 9);
    assert_true(t->rows[1].omit_if_zero);
    assert_false(t->rows[2].omit_if_zero);
    /* row 6: 以下空白 over two columns and two rows; row 7 lists two cells for columns 3, 4 */
    const gk_stub_cell *merged = &t->rows[5].cells[0];
    assert_string_equal(merged->text, "以下空白");
    assert_int_equal(merged->cols, 2);
    assert_int_equal(merged->rows, 2);
    assert_true(t->rows[5].cells[1].covered);
    assert_true(t->rows[6].cells[0].covered);
    assert_true(t->rows[6].cells[1].covered);
    assert_false(t->rows[6].cells[2].covered);
    assert_string_equal(t->rows[6].cells[2].text, "{n}、住房保障支出");
    assert_int_equal(t->rows[6].cells[3].kind, GK_STUB_EXPR);
    /* the last row's blank expenditure side: one cell over two columns */
    assert_int_equal(t->rows[8].cells[2].cols, 2);
    assert_true(t->rows[8].cells[3].covered);
    gk_profile_free(profile);
}

/* ---- broken profiles ----------------------------------------------------------------- */

static const char booklet[] = "profile: %s\n"
                              "amount_unit: 万元\n"
                              "amount_decimals: 2\n"
                              "empty_text: 注：此表无数据\n"
                              "booklets:\n"
                              "  unit: {title: 单位预算, tables: [t]}\n";

/* Writes a one-table profile whose table file is `table`, loads it and returns the status. */
static gk_status load_broken(const char *table, gk_diag *diag, char *dir, size_t size)
{
    char root[1024];
    tu_tempdir(root, sizeof root, "layout");
    snprintf(dir, size, "%s/p", root);
    mkdir(dir, 0777);
    char text[1024];
    snprintf(text, sizeof text, booklet, "p");
    tu_write(dir, "booklet.yaml", text);
    tu_write(dir, "t.yaml", table);
    gk_profile *profile = NULL;
    gk_status status = gk_profile_load(dir, &profile, diag);
    gk_profile_free(profile);
    return status;
}

typedef struct broken_case {
    const char *table;
    int line, column;
    const char *message;
} broken_case;

static void test_broken_layouts(void **state)
{
    (void)state;
    static const broken_case cases[] = {
        {"id: t\nnumber: 公开表T\ntitle: 测试表\ncolums: []\n", 4, 1, "unknown key 'colums'"},
        {"id: t\nnumber: 公开表T\ntitle: 测试表\ncolumns:\n  - {key: a, header: A, width: wide}\n",
         5, 32, "expected a whole number, found 'wide'"},
        {"id: t\nnumber: 公开表T\ntitle: 测试表\ncolumns:\n  - {key: a, header: A}\n  - {key: a, header: B}\n",
         6, 5, "duplicate column key 'a'"},
        {"id: t\nnumber: 公开表T\ntitle: 测试表\ncolumns:\n  - {key: a, header: A, type: money}\n",
         5, 31, "expected one of text, code, amount, count, percent, found 'money'"},
        {"id: t\nnumber: 公开表T\ntitle: 测试表\ncolumns:\n  - {key: a, header: A, merge_by: [nope]}\n",
         5, 36, "merge_by names 'nope'"},
        {"id: t\nnumber: 公开表T\ntitle: 测试表\ncolumns:\n  - {key: a, header: A, value: \"{unit.nmae}\"}\n",
         5, 32, "unknown placeholder '{unit.nmae}'"},
        {"id: t\nnumber: 公开表T\ntitle: 测试表\ncolumns:\n  - {key: a, header: A}\n"
         "summary:\n  - {kind: total, label: 合计, label_column: b}\n",
         7, 44, "'b' is not a column key"},
        {"id: t\nnumber: 公开表T\ntitle: 测试表\ncolumns:\n  - {key: a, header: A}\n"
         "items: [x]\nrows:\n  - [=y]\n",
         8, 6, "'y' is not an item"},
        {"id: t\nnumber: 公开表T\ntitle: 测试表\ncolumns:\n  - {key: a, header: A}\n"
         "items: [x]\nrows:\n  - [=x, extra]\n",
         8, 5, "expected 1 cells (one per column), found 2"},
        {"id: t\nnumber: 公开表T\ntitle: 测试表\ncolumns: [\n", 5, 1, "YAML syntax"},
        {"id: t\nnumber: 公开表T\ntitle: 测试表\nid: u\ncolumns: []\n", 4, 1, "duplicate key 'id'"},
        {"id: t\nnumber: 公开表T\ncolumns:\n  - {key: a, header: A}\n", 1, 1, "missing key 'title'"},
        {"id: t\nnumber: 公开表T\ntitle: 测试表\ncolumns:\n  - {key: A-1, header: A}\n", 5, 11,
         "expected a column key of a-z"},
        {"id: t\nnumber: 公开表T\ntitle: 测试表\ncolumns:\n  - {key: level, header: A}\n", 5, 5,
         "'level' is reserved"},
        /* issue 14: summary position and span, fixed rows' spans, header groups */
        {"id: t\nnumber: 公开表T\ntitle: 测试表\ncolumns:\n  - {key: a, header: A}\n"
         "summary:\n  - {kind: unit, label: x, label_column: a, position: bottom}\n",
         7, 55, "position: bottom: expected a row of kind: total"},
        {"id: t\nnumber: 公开表T\ntitle: 测试表\ncolumns:\n  - {key: a, header: A}\n"
         "summary:\n  - {kind: total, label: x, label_column: a, position: middle}\n",
         7, 56, "expected one of top, bottom, found 'middle'"},
        {"id: t\nnumber: 公开表T\ntitle: 测试表\ncolumns:\n  - {key: a, header: A}\n"
         "items: [x]\nrows:\n  - [{cell: =x, colspan: 2}]\n",
         8, 5, "expected cells over 1 columns"},
        {"id: t\nnumber: 公开表T\ntitle: 测试表\ncolumns:\n  - {key: a, header: A}\n"
         "items: [x]\nrows:\n  - [{cell: =x, span: 2}]\n",
         8, 17, "unknown key 'span'"},
        {"id: t\nnumber: 公开表T\ntitle: 测试表\ncolumns:\n  - {key: a, header: A}\n"
         "items: [x]\nrows:\n  - {omit: always, cells: [=x]}\n",
         8, 12, "expected one of if_zero, found 'always'"},
        {"id: t\nnumber: 公开表T\ntitle: 测试表\ncolumns:\n  - {key: a, header: A}\n"
         "items: [x]\nrows:\n  - {omit: if_zero, cells: [{cell: =x, rowspan: 2}]}\n  - [~]\n",
         8, 29, "rowspan: expected 1 in a row with omit: if_zero, found 2"},
        {"id: t\nnumber: 公开表T\ntitle: 测试表\ncolumns:\n"
         "  - {header: G, header_rows: 4, columns: [{key: a, header: A}]}\n",
         5, 30, "expected a whole number from 1 to 3, found '4'"},
        {"id: t\nnumber: 公开表T\ntitle: 测试表\ncolumns:\n"
         "  - {header: G, columns: [{header: H, header_rows: 3, columns: [{key: a, header: A}]}]}\n",
         5, 52, "expected a header of at most 4 rows, found header_rows that puts the group's "
                "columns in row 5"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        gk_diag diag = {0};
        char dir[1024];
        gk_status status = load_broken(cases[i].table, &diag, dir, sizeof dir);
        if (status != GK_ERR_LAYOUT || strstr(diag.message, cases[i].message) == NULL ||
            diag.line != cases[i].line || diag.column != cases[i].column ||
            strstr(diag.file, "/p/t.yaml") == NULL)
            fail_msg("case %zu: status %d, %s:%d:%d: %s (expected %d:%d: %s)", i, status,
                     diag.file, diag.line, diag.column, diag.message, cases[i].line,
                     cases[i].column, cases[i].message);
    }
}

static void test_missing_table_file_and_profile_name(void **state)
{
    (void)state;
    char root[1024], dir[1100];
    tu_tempdir(root, sizeof root, "layout");
    snprintf(dir, sizeof dir, "%s/q", root);
    mkdir(dir, 0777);
    char text[1024];
    snprintf(text, sizeof text, booklet, "q");
    tu_write(dir, "booklet.yaml", text);
    gk_profile *profile = NULL;
    gk_diag diag = {0};
    assert_int_equal(gk_profile_load(dir, &profile, &diag), GK_ERR_LAYOUT);
    assert_non_null(strstr(diag.file, "booklet.yaml"));
    assert_int_equal(diag.line, 6);
    assert_non_null(strstr(diag.message, "table 't' is listed but"));

    snprintf(text, sizeof text, booklet, "other");
    tu_write(dir, "booklet.yaml", text);
    assert_int_equal(gk_profile_load(dir, &profile, &diag), GK_ERR_LAYOUT);
    assert_non_null(strstr(diag.message, "does not match its folder name 'q'"));

    assert_int_equal(gk_profile_load("/nonexistent/profile", &profile, &diag), GK_ERR_LAYOUT);
    assert_non_null(strstr(diag.message, "not a layout profile"));
    assert_null(profile);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_profile_has_fifteen_tables),
        cmocka_unit_test(test_three_header_rows_of_3_3),
        cmocka_unit_test(test_stub_table_1),
        cmocka_unit_test(test_merge_by_in_table_6),
        cmocka_unit_test(test_header_group_spanning_rows),
        cmocka_unit_test(test_stub_spans_and_omission),
        cmocka_unit_test(test_broken_layouts),
        cmocka_unit_test(test_missing_table_file_and_profile_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
