/* Unit tests for encoding.c: UTF-8 detection and validation, GBK/GB18030 conversion, and the
 * line:column of the first bad byte. GBK bytes are written as hex escapes so that the test
 * does not depend on the encoding of this source file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "input/input.h"

#define PATH "t/x.csv"

/* A byte string literal and its length, NULs included. */
#define BYTES(s) (const unsigned char *)(s), sizeof(s) - 1

/* GBK (= GB18030 two-byte) forms of the words used below. */
#define GBK_YUSUAN "\xD4\xA4\xCB\xE3"    /* 预算 */
#define GBK_XIANGMU "\xCF\xEE\xC4\xBF"   /* 项目 */
#define GBK_JINE "\xBD\xF0\xB6\xEE"      /* 金额 */
#define GBK_JIAOYU "\xBD\xCC\xD3\xFD"    /* 教育 */
#define GBK_YIBAN "\xD2\xBB\xB0\xE3\xB9\xAB\xB9\xB2" GBK_YUSUAN /* 一般公共预算 */

/* Decodes bytes that must be accepted as `encoding` and yield exactly `expected`. */
static void decode_ok(const unsigned char *bytes, size_t len, const char *expected,
                      gk_encoding encoding)
{
    char *out = NULL;
    size_t out_len = 99;
    gk_encoding used = (gk_encoding)-1;
    gk_diag diag;
    gk_diag_clear(&diag);
    gk_status st = gk_text_decode(PATH, bytes, len, &out, &out_len, &used, &diag);
    if (st != GK_OK)
        fail_msg("decode failed at %d:%d: %s", diag.line, diag.column, diag.message);
    assert_non_null(out);
    assert_int_equal(out_len, strlen(expected));
    assert_memory_equal(out, expected, out_len + 1); /* NUL-terminated too */
    assert_int_equal(used, encoding);
    free(out);
}

/* Decodes bytes that must be rejected with exactly `message` at line:column. */
static void decode_error(const unsigned char *bytes, size_t len, int line, int column,
                         const char *message)
{
    char *out = (char *)&out;
    size_t out_len = 99;
    gk_diag diag;
    gk_diag_clear(&diag);
    gk_status st = gk_text_decode(PATH, bytes, len, &out, &out_len, NULL, &diag);
    assert_int_equal(st, GK_ERR_PARSE);
    assert_null(out);
    assert_int_equal(out_len, 0);
    assert_int_equal(diag.status, GK_ERR_PARSE);
    assert_string_equal(diag.file, PATH);
    assert_string_equal(diag.message, message);
    if (diag.line != line || diag.column != column)
        fail_msg("'%s' at %d:%d, expected %d:%d", diag.message, diag.line, diag.column, line,
                 column);
}

/* ---- UTF-8 ----------------------------------------------------------------------------- */

static void test_utf8_is_passed_through(void **state)
{
    (void)state;
    decode_ok(BYTES("unit_code,名称\r\n1,预算\n"), "unit_code,名称\r\n1,预算\n",
              GK_ENCODING_UTF8);
    decode_ok(BYTES("plain ascii"), "plain ascii", GK_ENCODING_UTF8);
    decode_ok(BYTES("𠮷€\xC2\x80\xEF\xBF\xBF\xF4\x8F\xBF\xBF"), /* edges of every range */
              "𠮷€\xC2\x80\xEF\xBF\xBF\xF4\x8F\xBF\xBF", GK_ENCODING_UTF8);
}

static void test_empty_input(void **state)
{
    (void)state;
    decode_ok(BYTES(""), "", GK_ENCODING_UTF8);
    decode_ok(BYTES("\xEF\xBB\xBF"), "", GK_ENCODING_UTF8);
}

static void test_utf8_bom_is_stripped(void **state)
{
    (void)state;
    decode_ok(BYTES("\xEF\xBB\xBF" "a,b\n预算\n"), "a,b\n预算\n", GK_ENCODING_UTF8);
    /* Only one: a second U+FEFF is text. */
    decode_ok(BYTES("\xEF\xBB\xBF\xEF\xBB\xBF" "a"), "\xEF\xBB\xBF" "a", GK_ENCODING_UTF8);
}

/* After a UTF-8 BOM every RFC 3629 violation is a UTF-8 error; positions are counted after
 * the BOM, in characters. */
static void test_utf8_strict_after_bom(void **state)
{
    (void)state;
    decode_error(BYTES("\xEF\xBB\xBF" "ab\xC0\xAF"), 1, 3, "invalid UTF-8 byte sequence C0 AF");
    decode_error(BYTES("\xEF\xBB\xBF" "ab\xC1\xBF"), 1, 3, "invalid UTF-8 byte sequence C1 BF");
    decode_error(BYTES("\xEF\xBB\xBF" "预\xE0\x80\xAF"), 1, 2,
                 "invalid UTF-8 byte sequence E0 80"); /* overlong 3-byte */
    decode_error(BYTES("\xEF\xBB\xBF" "x\n\xF0\x8F\xBF\xBF"), 2, 1,
                 "invalid UTF-8 byte sequence F0 8F"); /* overlong 4-byte */
    decode_error(BYTES("\xEF\xBB\xBF" "a\n预算,\xED\xA0\x80"), 2, 4,
                 "invalid UTF-8 byte sequence ED A0"); /* surrogate U+D800 */
    decode_error(BYTES("\xEF\xBB\xBF" "\xF4\x90\x80\x80"), 1, 1,
                 "invalid UTF-8 byte sequence F4 90"); /* U+110000 */
    decode_error(BYTES("\xEF\xBB\xBF" "\xF5\x80\x80\x80"), 1, 1,
                 "invalid UTF-8 byte sequence F5 80 80 80");
    decode_error(BYTES("\xEF\xBB\xBF" "a\x80"), 1, 2, "invalid UTF-8 byte sequence 80");
    decode_error(BYTES("\xEF\xBB\xBF" "a\xFF"), 1, 2, "invalid UTF-8 byte sequence FF");
    decode_error(BYTES("\xEF\xBB\xBF" "\xE9\xA2" "a"), 1, 1,
                 "invalid UTF-8 byte sequence E9 A2 61"); /* cut short by an ASCII byte */
    decode_error(BYTES("\xEF\xBB\xBF" GBK_YUSUAN), 1, 2, "invalid UTF-8 byte sequence CB E3");
}

static void test_truncated_utf8_at_end(void **state)
{
    (void)state;
    /* 预 is E9 A2 84; the file was cut after two of its bytes. */
    decode_error(BYTES("a,b\n1,\xE9\xA2"), 2, 3, "truncated UTF-8 sequence at end of file E9 A2");
    decode_error(BYTES("预算\n\xF0\xA0\xAE"), 2, 1,
                 "truncated UTF-8 sequence at end of file F0 A0 AE");
    decode_error(BYTES("\xEF\xBB\xBF" "x\xC3"), 1, 2,
                 "truncated UTF-8 sequence at end of file C3");
}

/* Without a BOM, invalid UTF-8 is tried as GB18030; when both fail, the decoder that got
 * further is reported (on a tie, UTF-8). */
static void test_invalid_utf8_file(void **state)
{
    (void)state;
    /* GB18030 happens to read the UTF-8 hanzi (as mojibake) up to the same FF: a tie. */
    decode_error(BYTES("名称,金额\n教育,\xFF" "5\n"), 2, 4, "invalid UTF-8 byte sequence FF");
    /* GB18030 fails earlier (84 2C), so UTF-8 is what the author meant. */
    decode_error(BYTES("预,\xFF"), 1, 3, "invalid UTF-8 byte sequence FF");
    /* Lines are counted by LF; a CRLF's CR is not a character of the next line. */
    decode_error(BYTES("a\r\nb\r\n\xFF"), 3, 1, "invalid UTF-8 byte sequence FF");
}

/* ---- UTF-16 and NUL ---------------------------------------------------------------------- */

static void test_utf16_is_rejected(void **state)
{
    (void)state;
    decode_error(BYTES("\xFF\xFE" "a\0,\0b\0"), 1, 1,
                 "unsupported encoding UTF-16 (byte-order mark FF FE)");
    decode_error(BYTES("\xFE\xFF\0a\0,\0b"), 1, 1,
                 "unsupported encoding UTF-16 (byte-order mark FE FF)");
    /* Without a BOM, UTF-16 shows up as NUL bytes. */
    decode_error(BYTES("a\0b\0"), 1, 2, "NUL byte in text file");
}

static void test_nul_byte(void **state)
{
    (void)state;
    decode_error(BYTES("a,b\n1,\0\n"), 2, 3, "NUL byte in text file");
    decode_error(BYTES("\xEF\xBB\xBF" "预算\0"), 1, 3, "NUL byte in text file");
    decode_error(BYTES(GBK_XIANGMU "\n" GBK_YUSUAN ",\0"), 2, 4, "NUL byte in text file");
}

/* ---- GBK / GB18030 ------------------------------------------------------------------------ */

static void test_gbk_is_converted(void **state)
{
    (void)state;
    decode_ok(BYTES(GBK_YUSUAN), "预算", GK_ENCODING_GB18030);
    decode_ok(BYTES("unit_code," GBK_XIANGMU "," GBK_JINE "\r\n"
                    "302309," GBK_YIBAN ",294.28\r\n"
                    "302309,\"" GBK_JIAOYU "\"\"x\"\"\",1\r\n"),
              "unit_code,项目,金额\r\n"
              "302309,一般公共预算,294.28\r\n"
              "302309,\"教育\"\"x\"\"\",1\r\n",
              GK_ENCODING_GB18030);
    /* C0 AF is an overlong '/' in UTF-8 but a valid GBK character (蜡): without a BOM the
     * file is simply not UTF-8. */
    char *out = NULL;
    size_t len = 0;
    gk_encoding used = GK_ENCODING_UTF8;
    assert_int_equal(gk_text_decode(PATH, BYTES("ab\xC0\xAF"), &out, &len, &used, NULL), GK_OK);
    assert_int_equal(used, GK_ENCODING_GB18030);
    assert_int_equal(len, 5); /* "ab" + one 3-byte character */
    assert_memory_equal(out, "ab", 2);
    free(out);
}

static void test_gb18030_four_byte_sequence(void **state)
{
    (void)state;
    /* 95 32 82 36 is U+20000, outside GBK and outside the BMP. */
    decode_ok(BYTES("a,\x95\x32\x82\x36\n"), "a,\xF0\xA0\x80\x80\n", GK_ENCODING_GB18030);
    /* 81 30 81 30 is U+0080. */
    decode_ok(BYTES(GBK_YUSUAN "\x81\x30\x81\x30"), "预算\xC2\x80", GK_ENCODING_GB18030);
}

static void test_gb18030_bom_is_stripped(void **state)
{
    (void)state;
    decode_ok(BYTES("\x84\x31\x95\x33" GBK_YUSUAN), "预算", GK_ENCODING_GB18030);
    /* Columns are counted after it, as after a UTF-8 BOM. */
    decode_error(BYTES("\x84\x31\x95\x33" GBK_YUSUAN "\xFF"), 1, 3,
                 "invalid GB18030 byte sequence FF");
    decode_error(BYTES("\x84\x31\x95\x33" GBK_YUSUAN "\0"), 1, 3, "NUL byte in text file");
}

/* A part decoded alone (a prior.csv key, a unit's rows) keeps a BOM that is not at the file's
 * start: it is a character there, U+FEFF, as in the file decoded whole. */
static void test_part_keeps_a_bom_inside_the_file(void **state)
{
    (void)state;
    static const struct {
        const char *bytes;
        gk_encoding encoding;
    } parts[] = {{"\x84\x31\x95\x33total", GK_ENCODING_GB18030},
                 {"\xEF\xBB\xBFtotal", GK_ENCODING_UTF8}};
    for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) {
        for (int at_start = 0; at_start <= 1; at_start++) {
            char *text = NULL;
            size_t len = 0;
            assert_int_equal(gk_text_decode_as("x.csv", (const unsigned char *)parts[i].bytes,
                                               strlen(parts[i].bytes), parts[i].encoding,
                                               at_start, &text, &len, NULL),
                             GK_OK);
            assert_string_equal(text, at_start ? "total" : "\xEF\xBB\xBFtotal");
            free(text);
        }
    }
}

/* glibc 2.36 behaviour we rely on (reliability notes B6): GB18030 reads A2 E3 as the euro sign
 * and rejects the single byte 80 (which CP936 reads as the euro sign). Pinned so an upgrade
 * cannot change it silently. */
static void test_gb18030_euro_pinned(void **state)
{
    (void)state;
    decode_ok(BYTES(GBK_YUSUAN "\xA2\xE3"), "预算€", GK_ENCODING_GB18030);
    decode_error(BYTES(GBK_YUSUAN "\x80"), 1, 3, "invalid GB18030 byte sequence 80");
}

/* The column counts characters of the original line: 一般公共预算, is 7 characters but 14
 * bytes. */
static void test_invalid_gbk_position(void **state)
{
    (void)state;
    decode_error(BYTES(GBK_XIANGMU "," GBK_JINE "\r\n"
                       GBK_JIAOYU ",1\r\n"
                       GBK_YIBAN ",\xFF\xFE" "1\r\n"),
                 3, 8, "invalid GB18030 byte sequence FF FE");
    decode_error(BYTES(GBK_YUSUAN "\n\n\xFF"), 3, 1, "invalid GB18030 byte sequence FF");
    /* A 4-byte sequence whose last byte is not a digit. */
    decode_error(BYTES(GBK_YUSUAN ",\x81\x30\x81\x29"), 1, 4,
                 "invalid GB18030 byte sequence 81 30 81 29");
    /* A lead byte followed by a byte that cannot trail. */
    decode_error(BYTES(GBK_YUSUAN "\n" GBK_JINE "\xD4\x0A"), 2, 3,
                 "invalid GB18030 byte sequence D4 0A");
}

static void test_truncated_gb18030_at_end(void **state)
{
    (void)state;
    decode_error(BYTES(GBK_YUSUAN "\n\x95\x32\x82"), 2, 1,
                 "incomplete GB18030 byte sequence at end of file 95 32 82");
    decode_error(BYTES("\xCB\xE3\xD4"), 1, 2, "incomplete GB18030 byte sequence at end of file D4");
}

/* ---- Loading files ------------------------------------------------------------------------ */

static void write_file(const char *path, const unsigned char *bytes, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static void test_load_gbk_file(void **state)
{
    (void)state;
    const char *path = GK_BINARY_DIR "/test_encoding_gbk.csv";
    write_file(path, BYTES("unit_code," GBK_XIANGMU "\n1," GBK_YUSUAN "\n"));
    char *out = NULL;
    size_t len = 0;
    gk_encoding used = GK_ENCODING_UTF8;
    gk_diag diag;
    gk_diag_clear(&diag);
    assert_int_equal(gk_text_load(path, &out, &len, &used, &diag), GK_OK);
    assert_string_equal(out, "unit_code,项目\n1,预算\n");
    assert_int_equal(len, strlen(out));
    assert_int_equal(used, GK_ENCODING_GB18030);
    free(out);
    remove(path);
}

static void test_load_reports_bad_bytes_with_path(void **state)
{
    (void)state;
    const char *path = GK_BINARY_DIR "/test_encoding_bad.csv";
    write_file(path, BYTES("a\n" GBK_YUSUAN "\xFF\xFE"));
    char *out = NULL;
    size_t len = 0;
    gk_diag diag;
    gk_diag_clear(&diag);
    assert_int_equal(gk_text_load(path, &out, &len, NULL, &diag), GK_ERR_PARSE);
    assert_null(out);
    assert_string_equal(diag.file, path);
    assert_int_equal(diag.line, 2);
    assert_int_equal(diag.column, 3);
    assert_string_equal(diag.message, "invalid GB18030 byte sequence FF FE");
    remove(path);
}

static void test_load_large_file(void **state)
{
    (void)state;
    /* Larger than the first read buffer, so the buffer has to grow. */
    const char *path = GK_BINARY_DIR "/test_encoding_large.csv";
    size_t n = 200000;
    unsigned char *bytes = malloc(n);
    assert_non_null(bytes);
    for (size_t i = 0; i < n; i += 2)
        memcpy(bytes + i, i % 100 == 98 ? ",\n" : "\xCB\xE3", 2); /* 算: not UTF-8 */
    write_file(path, bytes, n);
    char *out = NULL;
    size_t len = 0;
    gk_encoding used = GK_ENCODING_UTF8;
    assert_int_equal(gk_text_load(path, &out, &len, &used, NULL), GK_OK);
    assert_int_equal(used, GK_ENCODING_GB18030);
    assert_int_equal(len, n / 100 * (49 * 3 + 2));
    assert_memory_equal(out, "算算", 6);
    assert_memory_equal(out + 49 * 3, ",\n算", 5);
    free(out);
    free(bytes);
    remove(path);
}

static void test_load_missing_file(void **state)
{
    (void)state;
    const char *path = GK_BINARY_DIR "/no/such/file.csv";
    char *out = (char *)&out;
    size_t len = 5;
    gk_diag diag;
    gk_diag_clear(&diag);
    assert_int_equal(gk_text_load(path, &out, &len, NULL, &diag), GK_ERR_IO);
    assert_null(out);
    assert_int_equal(len, 0);
    assert_int_equal(diag.status, GK_ERR_IO);
    assert_string_equal(diag.file, path);
    assert_non_null(strstr(diag.message, "cannot open file"));
    assert_non_null(strstr(diag.message, "no such file or directory"));
}

static void test_load_directory(void **state)
{
    (void)state;
    char *out = NULL;
    size_t len = 0;
    gk_diag diag;
    gk_diag_clear(&diag);
    assert_int_equal(gk_text_load(GK_BINARY_DIR, &out, &len, NULL, &diag), GK_ERR_IO);
    assert_null(out);
    assert_string_equal(diag.message, "expected a regular file, found a folder");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_is_passed_through),
        cmocka_unit_test(test_empty_input),
        cmocka_unit_test(test_utf8_bom_is_stripped),
        cmocka_unit_test(test_utf8_strict_after_bom),
        cmocka_unit_test(test_truncated_utf8_at_end),
        cmocka_unit_test(test_invalid_utf8_file),
        cmocka_unit_test(test_utf16_is_rejected),
        cmocka_unit_test(test_nul_byte),
        cmocka_unit_test(test_gbk_is_converted),
        cmocka_unit_test(test_gb18030_four_byte_sequence),
        cmocka_unit_test(test_gb18030_bom_is_stripped),
        cmocka_unit_test(test_gb18030_euro_pinned),
        cmocka_unit_test(test_part_keeps_a_bom_inside_the_file),
        cmocka_unit_test(test_invalid_gbk_position),
        cmocka_unit_test(test_truncated_gb18030_at_end),
        cmocka_unit_test(test_load_gbk_file),
        cmocka_unit_test(test_load_reports_bad_bytes_with_path),
        cmocka_unit_test(test_load_large_file),
        cmocka_unit_test(test_load_missing_file),
        cmocka_unit_test(test_load_directory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
