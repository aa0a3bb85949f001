/* Unit tests for csv.c: RFC 4180 records, exact line/column positions, and every error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "input/input.h"

#define PATH "t/x.csv"

/* Parses len bytes of text that must be accepted. */
static gk_csv *parse_len(const char *text, size_t len)
{
    gk_csv *csv = NULL;
    gk_diag diag;
    gk_diag_clear(&diag);
    gk_status st = gk_csv_parse(PATH, text, len, &csv, &diag);
    if (st != GK_OK)
        fail_msg("parse failed at %d:%d: %s", diag.line, diag.column, diag.message);
    assert_non_null(csv);
    return csv;
}

static gk_csv *parse(const char *text)
{
    return parse_len(text, strlen(text));
}

/* Parses len bytes that must be rejected at line:column with a message containing `message`. */
static void parse_error_len(const char *text, size_t len, int line, int column,
                            const char *message)
{
    gk_csv *csv = (gk_csv *)&csv; /* any non-NULL value: must be reset to NULL */
    gk_diag diag;
    gk_diag_clear(&diag);
    assert_int_equal(gk_csv_parse(PATH, text, len, &csv, &diag), GK_ERR_PARSE);
    assert_null(csv);
    assert_int_equal(diag.status, GK_ERR_PARSE);
    assert_string_equal(diag.file, PATH);
    if (strstr(diag.message, message) == NULL)
        fail_msg("message '%s' does not contain '%s'", diag.message, message);
    if (diag.line != line || diag.column != column)
        fail_msg("error '%s' at %d:%d, expected %d:%d", diag.message, diag.line, diag.column,
                 line, column);
}

static void parse_error(const char *text, int line, int column, const char *message)
{
    parse_error_len(text, strlen(text), line, column, message);
}

/* Checks one field's text (byte-exact, NUL-terminated), length and position. */
static void check_field(const gk_csv *csv, size_t r, size_t f, const char *text, int line,
                        int column)
{
    assert_true(r < csv->count);
    assert_true(f < csv->records[r].count);
    const gk_csv_field *field = &csv->records[r].fields[f];
    assert_int_equal(field->len, strlen(text));
    assert_memory_equal(field->text, text, field->len + 1);
    if (field->line != line || field->column != column)
        fail_msg("field %zu.%zu '%s' at %d:%d, expected %d:%d", r, f, text, field->line,
                 field->column, line, column);
}

/* The same small table written with each kind of line end must parse the same way. */
static void check_two_by_two(const char *text)
{
    gk_csv *csv = parse(text);
    assert_int_equal(csv->count, 3);
    for (size_t r = 0; r < 3; r++) {
        assert_int_equal(csv->records[r].count, 2);
        assert_int_equal(csv->records[r].line, (int)r + 1);
    }
    check_field(csv, 0, 0, "a", 1, 1);
    check_field(csv, 0, 1, "bb", 1, 3);
    check_field(csv, 1, 0, "1", 2, 1);
    check_field(csv, 1, 1, "22", 2, 3);
    check_field(csv, 2, 0, "", 3, 1);
    check_field(csv, 2, 1, "4", 3, 2);
    gk_csv_free(csv);
}

static void test_line_ends(void **state)
{
    (void)state;
    check_two_by_two("a,bb\n1,22\n,4\n");       /* LF */
    check_two_by_two("a,bb\r\n1,22\r\n,4\r\n"); /* CRLF */
    check_two_by_two("a,bb\r1,22\r,4\r");       /* CR only (old Mac) */
    check_two_by_two("a,bb\r\n1,22\r,4\n");     /* mixed */
    check_two_by_two("a,bb\n1,22\n,4");         /* no final line end */
    check_two_by_two("a,bb\r\n1,22\r\n,4\r");
}

static void test_quoted_comma_and_doubled_quotes(void **state)
{
    (void)state;
    gk_csv *csv = parse("\"a,b\",\"say \"\"hi\"\"\",x,\"\"\n"
                        "\"\"\"\",\",\",\"普通教育（含\"\"双减\"\"）\",\"\"\"q\"\n");
    assert_int_equal(csv->count, 2);
    check_field(csv, 0, 0, "a,b", 1, 1);
    check_field(csv, 0, 1, "say \"hi\"", 1, 7);
    check_field(csv, 0, 2, "x", 1, 20);
    check_field(csv, 0, 3, "", 1, 22);
    check_field(csv, 1, 0, "\"", 2, 1);
    check_field(csv, 1, 1, ",", 2, 6);
    check_field(csv, 1, 2, "普通教育（含\"双减\"）", 2, 10);
    check_field(csv, 1, 3, "\"q", 2, 26);
    gk_csv_free(csv);
}

/* Newlines inside quoted fields are kept byte-exact, and positions after them stay right. */
static void test_embedded_newlines(void **state)
{
    (void)state;
    gk_csv *csv = parse("h1,h2\r\n"
                        "\"line1\r\nline2\nline3\rline4\",x\r\n"
                        "1,\"2\"\r\n");
    assert_int_equal(csv->count, 3);
    check_field(csv, 1, 0, "line1\r\nline2\nline3\rline4", 2, 1);
    check_field(csv, 1, 1, "x", 5, 8);
    assert_int_equal(csv->records[1].line, 2);
    check_field(csv, 2, 0, "1", 6, 1);
    check_field(csv, 2, 1, "2", 6, 3);
    assert_int_equal(csv->records[2].line, 6);
    gk_csv_free(csv);
}

static void test_errors_after_multiline_field(void **state)
{
    (void)state;
    parse_error("h1,h2\n\"a\nb\nc\",1\n1,2,3\n", 5, 5,
                "expected 2 fields as in the header, found 3");
    parse_error("h\n\"a\r\nb\"\nx\"y\n", 4, 2, "unexpected '\"' inside an unquoted field");
    parse_error("h\n\"预\n算\"\n\"预算\"x\n", 4, 5, "unexpected character after closing quote");
}

static void test_bom_is_skipped(void **state)
{
    (void)state;
    gk_csv *csv = parse("\xEF\xBB\xBF" "unit_code,amount\n1,2\n");
    check_field(csv, 0, 0, "unit_code", 1, 1);
    check_field(csv, 0, 1, "amount", 1, 11);
    gk_csv_free(csv);
    parse_error("\xEF\xBB\xBF", 1, 1, "empty file, expected a header row");
    /* Only a leading BOM is special: elsewhere U+FEFF is text. */
    csv = parse("a\n\xEF\xBB\xBF" "b\n");
    check_field(csv, 1, 0, "\xEF\xBB\xBF" "b", 2, 1);
    gk_csv_free(csv);
}

static void test_blank_lines_skipped(void **state)
{
    (void)state;
    gk_csv *csv = parse("\n\na,b\n\n1,2\n\r\n\n3,4\n\n\r\n");
    assert_int_equal(csv->count, 3);
    assert_int_equal(csv->records[0].line, 3);
    assert_int_equal(csv->records[1].line, 5);
    assert_int_equal(csv->records[2].line, 8);
    check_field(csv, 2, 1, "4", 8, 3);
    gk_csv_free(csv);

    csv = parse("a\r\r1\r\r\r2"); /* blank lines ended by lone CRs */
    assert_int_equal(csv->count, 3);
    check_field(csv, 1, 0, "1", 3, 1);
    check_field(csv, 2, 0, "2", 6, 1);
    gk_csv_free(csv);

    /* A line holding only a space, or a quoted empty field, is not blank. */
    csv = parse("a\n \n\"\"\n");
    assert_int_equal(csv->count, 3);
    check_field(csv, 1, 0, " ", 2, 1);
    check_field(csv, 2, 0, "", 3, 1);
    gk_csv_free(csv);
}

static void test_spaces_are_kept(void **state)
{
    (void)state;
    gk_csv *csv = parse(" a , b \n 001,\" x \"\n");
    check_field(csv, 0, 0, " a ", 1, 1);
    check_field(csv, 0, 1, " b ", 1, 5);
    check_field(csv, 1, 0, " 001", 2, 1);
    check_field(csv, 1, 1, " x ", 2, 6);
    gk_csv_free(csv);
    parse_error("a,b\n\"x\" ,y\n", 2, 4, "unexpected character after closing quote");
    parse_error("a,b\n \"x\",y\n", 2, 2, "unexpected '\"' inside an unquoted field");
}

static void test_empty_fields(void **state)
{
    (void)state;
    gk_csv *csv = parse(",,\n,\"\",\n");
    assert_int_equal(csv->count, 2);
    assert_int_equal(csv->records[0].count, 3);
    check_field(csv, 0, 0, "", 1, 1);
    check_field(csv, 0, 1, "", 1, 2);
    check_field(csv, 0, 2, "", 1, 3);
    check_field(csv, 1, 1, "", 2, 2);
    check_field(csv, 1, 2, "", 2, 5);
    gk_csv_free(csv);
}

static void test_ragged_rows(void **state)
{
    (void)state;
    parse_error("a,b,c\n1,2\n", 2, 4, "expected 3 fields as in the header, found 2");
    parse_error("a,b\n1,2,3\n", 2, 5, "expected 2 fields as in the header, found 3");
    parse_error("a\n1,2\n", 2, 3, "expected 1 field as in the header, found 2");
    parse_error("a,b,c,d,e,f,g,h\n1,2,3,4,5,6,7,8\n1,2,3,4,5,6,7\n", 3, 14,
                "expected 8 fields as in the header, found 7");
    parse_error("a,b\n1,2\n3", 3, 2, "found 1"); /* last record without a line end */
    parse_error("项目,金额\n一般公共预算\n", 2, 7, "expected 2 fields as in the header, found 1");
}

static void test_unterminated_quote(void **state)
{
    (void)state;
    const char *msg = "unterminated quoted field (the quote opens here)";
    parse_error("a,b\n1,\"abc\nde\nf", 2, 3, msg);
    parse_error("a,b\n1,\"abc\"\"", 2, 3, msg); /* ends on an escaped quote */
    parse_error("\"", 1, 1, msg);
    parse_error("a,b\r\n1,\"x\r\n2,3\r\n", 2, 3, msg);
    /* A runaway quote swallowing more than the field limit still names the real cause. */
    size_t n = 40000;
    char *text = malloc(n + 8);
    assert_non_null(text);
    memcpy(text, "a\n\"", 3);
    memset(text + 3, 'x', n);
    gk_csv *csv = NULL;
    gk_diag diag;
    assert_int_equal(gk_csv_parse(PATH, text, n + 3, &csv, &diag), GK_ERR_PARSE);
    assert_string_equal(diag.message, msg);
    assert_int_equal(diag.line, 2);
    assert_int_equal(diag.column, 1);
    free(text);
}

static void test_stray_quotes(void **state)
{
    (void)state;
    parse_error("a,b\"c\n", 1, 4, "unexpected '\"' inside an unquoted field");
    parse_error("a,b\nx,y\"\n", 2, 4, "unexpected '\"' inside an unquoted field");
    parse_error("\"x\"y\n", 1, 4, "unexpected character after closing quote");
    parse_error("a,\"x\"\"\"z\n", 1, 8, "unexpected character after closing quote");
    parse_error("预算,\"x\"算\n", 1, 7, "unexpected character after closing quote");
}

static void test_nul_byte(void **state)
{
    (void)state;
    static const char unquoted[] = "a,b\n1,x\0y\n";
    parse_error_len(unquoted, sizeof unquoted - 1, 2, 4, "NUL byte");
    static const char quoted[] = "a,b\n1,\"\n\0\"\n";
    parse_error_len(quoted, sizeof quoted - 1, 3, 1, "NUL byte");
    static const char leading[] = "\0";
    parse_error_len(leading, 1, 1, 1, "NUL byte");
}

/* Builds `count` copies of `unit` between prefix and suffix. */
static char *repeat(const char *prefix, const char *unit, size_t count, const char *suffix)
{
    size_t p = strlen(prefix), u = strlen(unit), s = strlen(suffix);
    char *text = malloc(p + u * count + s + 1);
    assert_non_null(text);
    memcpy(text, prefix, p);
    for (size_t i = 0; i < count; i++)
        memcpy(text + p + i * u, unit, u);
    memcpy(text + p + u * count, suffix, s + 1);
    return text;
}

static void test_field_length_limit(void **state)
{
    (void)state;
    /* 32767 characters are accepted, counted as characters: 预 is 3 bytes but 1 character. */
    char *text = repeat("h,i\nx,", "预", GK_CSV_MAX_FIELD_CHARS, "\n");
    gk_csv *csv = parse(text);
    assert_int_equal(csv->records[1].fields[1].len, 3 * GK_CSV_MAX_FIELD_CHARS);
    gk_csv_free(csv);
    free(text);

    text = repeat("h,i\nx,", "预", GK_CSV_MAX_FIELD_CHARS + 1, "\n");
    parse_error(text, 2, 3, "field longer than 32767 characters");
    free(text);

    /* In a quoted field, "" is one character. */
    text = repeat("h\n\"", "\"\"", GK_CSV_MAX_FIELD_CHARS, "\"\n");
    csv = parse(text);
    assert_int_equal(csv->records[1].fields[0].len, GK_CSV_MAX_FIELD_CHARS);
    gk_csv_free(csv);
    free(text);

    text = repeat("h\n1\n\"", "a", GK_CSV_MAX_FIELD_CHARS + 1, "\"");
    parse_error(text, 3, 1, "field longer than 32767 characters");
    free(text);
}

static void test_empty_file(void **state)
{
    (void)state;
    const char *msg = "empty file, expected a header row";
    parse_error("", 1, 1, msg);
    parse_error_len(NULL, 0, 1, 1, msg);
    parse_error("\n", 1, 1, msg);
    parse_error("\r\n\r\n\n\r", 1, 1, msg);
}

static void test_header_only(void **state)
{
    (void)state;
    gk_csv *csv = parse("unit_code,item,amount\n");
    assert_int_equal(csv->count, 1);
    assert_int_equal(csv->records[0].count, 3);
    check_field(csv, 0, 2, "amount", 1, 16);
    gk_csv_free(csv);
    csv = parse("unit_code"); /* one field, no line end */
    assert_int_equal(csv->count, 1);
    check_field(csv, 0, 0, "unit_code", 1, 1);
    gk_csv_free(csv);
}

static void test_columns_count_characters(void **state)
{
    (void)state;
    gk_csv *csv = parse("项目,金额,备注\n一般公共预算,294.28,𠮷x\n");
    check_field(csv, 0, 1, "金额", 1, 4);
    check_field(csv, 0, 2, "备注", 1, 7);
    check_field(csv, 1, 1, "294.28", 2, 8);
    check_field(csv, 1, 2, "𠮷x", 2, 15);
    gk_csv_free(csv);
    parse_error("名称,金额\n教育,12\"3\n", 2, 6, "unexpected '\"' inside an unquoted field");
}

static void test_length_is_respected(void **state)
{
    (void)state;
    const char *text = "a,b\n1,2\nthis is beyond len";
    gk_csv *csv = parse_len(text, 8);
    assert_int_equal(csv->count, 2);
    check_field(csv, 1, 1, "2", 2, 3);
    gk_csv_free(csv);
}

/* All field texts live in the one storage block; records point into the one field array. */
static void test_storage_layout(void **state)
{
    (void)state;
    gk_csv *csv = parse("a,b\n\"1\",\"2\"\"\"\n");
    for (size_t r = 0; r < csv->count; r++) {
        assert_ptr_equal(csv->records[r].fields, csv->field_storage + 2 * r);
        for (size_t f = 0; f < csv->records[r].count; f++) {
            const char *t = csv->records[r].fields[f].text;
            assert_true(t >= csv->storage && t < csv->storage + csv->storage_len);
        }
    }
    assert_int_equal(csv->storage_len, strlen("a") + strlen("b") + strlen("1") +
                                           strlen("2\"") + 4);
    gk_csv_free(csv);
    gk_csv_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_line_ends),
        cmocka_unit_test(test_quoted_comma_and_doubled_quotes),
        cmocka_unit_test(test_embedded_newlines),
        cmocka_unit_test(test_errors_after_multiline_field),
        cmocka_unit_test(test_bom_is_skipped),
        cmocka_unit_test(test_blank_lines_skipped),
        cmocka_unit_test(test_spaces_are_kept),
        cmocka_unit_test(test_empty_fields),
        cmocka_unit_test(test_ragged_rows),
        cmocka_unit_test(test_unterminated_quote),
        cmocka_unit_test(test_stray_quotes),
        cmocka_unit_test(test_nul_byte),
        cmocka_unit_test(test_field_length_limit),
        cmocka_unit_test(test_empty_file),
        cmocka_unit_test(test_header_only),
        cmocka_unit_test(test_columns_count_characters),
        cmocka_unit_test(test_length_is_respected),
        cmocka_unit_test(test_storage_layout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
