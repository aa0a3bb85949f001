/* Unit tests for the streaming reads behind the package index (issue 13): gk_table_scan_file
 * accepts exactly what gk_csv_parse accepts and finds the same records (lines, fields, and
 * bytes that parse alone after the header to the same fields), and gk_text_check_file agrees
 * with gk_text_load on every file — property tests over thousands of generated files, in UTF-8
 * and in GB18030, with the blocks of the scan falling anywhere. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <fcntl.h>
#include <iconv.h>
#include <unistd.h>

#include "input/input.h"
#include "model/table_scan.h"
#include "util/sha256.h"
#include "../support/testutil.h"

/* ---- generated files ----------------------------------------------------------------------- */

static void write_bytes(const char *path, const char *bytes, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, len, f), len);
    fclose(f);
}

static uint64_t seed;

static unsigned next_random(unsigned below)
{
    seed = seed * 6364136223846793005u + 1442695040888963407u;
    return (unsigned)((seed >> 33) % below);
}

typedef struct buffer {
    char *bytes;
    size_t len, cap;
} buffer;

static void put(buffer *b, const char *text, size_t len)
{
    if (b->len + len + 1 > b->cap) {
        b->cap = (b->len + len + 1) * 2;
        b->bytes = realloc(b->bytes, b->cap);
        assert_non_null(b->bytes);
    }
    memcpy(b->bytes + b->len, text, len);
    b->len += len;
    b->bytes[b->len] = '\0';
}

static void puts_(buffer *b, const char *text)
{
    put(b, text, strlen(text));
}

/* A field: plain or quoted text of a few pieces, now and then something gk_csv_parse refuses. */
static void field(buffer *b)
{
    static const char *const plain[] = {"a", "1", " ", "中", "é", "301", "U2"};
    static const char *const quoted[] = {"a", "中", ",", "\n", "\r\n", "\"\"", " "};
    size_t pieces = next_random(4);
    if (next_random(4) == 0) {
        puts_(b, "\"");
        for (size_t i = 0; i < pieces; i++)
            puts_(b, quoted[next_random(7)]);
        if (next_random(60) != 0)
            puts_(b, "\""); /* else: unterminated */
        if (next_random(60) == 0)
            puts_(b, "x"); /* a character after the closing quote */
        return;
    }
    for (size_t i = 0; i < pieces; i++)
        puts_(b, plain[next_random(7)]);
    if (next_random(80) == 0)
        puts_(b, "a\"b"); /* a quote inside an unquoted field */
}

static void line_end(buffer *b)
{
    static const char *const ends[] = {"\n", "\n", "\r\n", "\r"};
    puts_(b, ends[next_random(4)]);
}

/* A CSV file of a few records of about `fields` fields, with blank lines and BOMs now and then. */
static void generate(buffer *b)
{
    b->len = 0;
    puts_(b, "");
    if (next_random(10) == 0)
        puts_(b, "\xEF\xBB\xBF");
    if (next_random(30) == 0)
        puts_(b, "\xEF\xBB\xBF");
    size_t fields = 1 + next_random(4), records = next_random(8);
    for (size_t r = 0; r < records; r++) {
        size_t count = next_random(25) == 0 ? fields + next_random(3) - 1 : fields;
        for (size_t f = 0; f < count; f++) {
            if (f > 0)
                puts_(b, ",");
            field(b);
        }
        if (r + 1 < records || next_random(3) != 0)
            line_end(b);
        if (next_random(8) == 0)
            line_end(b); /* a blank line */
    }
}

/* The file in GB18030 (the generator writes UTF-8); false when a character has no GB form. */
static bool to_gb18030(const buffer *utf8, buffer *gb)
{
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    assert_true(cd != (iconv_t)-1);
    gb->len = 0;
    puts_(gb, "");
    char out[4096];
    char *in = utf8->bytes;
    size_t in_left = utf8->len;
    bool ok = true;
    while (ok && in_left > 0) {
        char *to = out;
        size_t to_left = sizeof out;
        ok = iconv(cd, &in, &in_left, &to, &to_left) != (size_t)-1 || to_left < sizeof out;
        put(gb, out, sizeof out - to_left);
    }
    iconv_close(cd);
    return ok;
}

/* ---- the scan against the parser ------------------------------------------------------------ */

typedef struct seen {
    gk_scan_record records[64];
    char kept[64][2][GK_SCAN_KEEP_MAX + 1];
    bool has_kept[64][2];
    size_t count;
} seen;

static bool on_record(gk_table_scan *scan, const gk_scan_record *record, void *context)
{
    seen *s = context;
    assert_true(s->count < 64);
    s->records[s->count] = *record;
    for (int k = 0; k < 2; k++) {
        s->has_kept[s->count][k] = record->kept[k] != NULL;
        if (record->kept[k] != NULL)
            snprintf(s->kept[s->count][k], sizeof s->kept[s->count][k], "%s", record->kept[k]);
    }
    s->count++;
    if (record->index == 0) { /* keep the first and the third field from here on */
        scan->keep[0] = 0;
        scan->keep[1] = 2;
    }
    return true;
}

/* The record's bytes, after the header's, parse to the record's fields: as a unit's rows are
 * read again from the index. */
static void check_bytes_parse_alone(const buffer *file, gk_encoding encoding, const seen *s,
                                    const gk_csv *whole, size_t r)
{
    buffer part = {0};
    put(&part, file->bytes, (size_t)s->records[0].end);
    put(&part, file->bytes + s->records[r].start, (size_t)(s->records[r].end - s->records[r].start));
    char *text = NULL;
    size_t len = 0;
    assert_int_equal(gk_text_decode_as("x.csv", (const unsigned char *)part.bytes, part.len,
                                       encoding, true, &text, &len, NULL),
                     GK_OK);
    gk_csv *alone = NULL;
    assert_int_equal(gk_csv_parse("x.csv", text, len, &alone, NULL), GK_OK);
    assert_int_equal(alone->count, 2);
    assert_int_equal(alone->records[1].count, whole->records[r].count);
    for (size_t f = 0; f < alone->records[1].count; f++)
        assert_string_equal(alone->records[1].fields[f].text, whole->records[r].fields[f].text);
    gk_csv_free(alone);
    free(text);
    free(part.bytes);
}

static bool ascii(const char *text)
{
    for (; *text; text++)
        if ((unsigned char)*text >= 0x80)
            return false;
    return true;
}

/* Writes the file, scans it, parses it whole, and compares. */
static void compare(const buffer *file, const char *path, size_t *accepted)
{
    write_bytes(path, file->bytes, file->len);
    gk_encoding encoding;
    gk_status decodes = gk_text_check_file(path, &encoding, NULL);
    char *text = NULL;
    size_t len = 0;
    gk_encoding used = GK_ENCODING_UTF8;
    gk_status loads = gk_text_load(path, &text, &len, &used, NULL);
    assert_int_equal(decodes, loads);
    if (loads != GK_OK)
        return;
    assert_int_equal(encoding, used);
    gk_csv *csv = NULL;
    gk_status parsed = gk_csv_parse(path, text, len, &csv, NULL);
    seen s = {.count = 0};
    gk_table_scan scan = {.encoding = encoding, .keep = {-1, -1, -1}, .on_record = on_record,
                          .context = &s, .digest = gk_sha256_begin()};
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    gk_scan_result result = gk_table_scan_file(&scan, fd);
    close(fd);
    /* a scan that is done read the file whole: its digest is the file's (the package's index
     * gives it to resume keys instead of reading the file again) */
    unsigned char digest[32];
    char scanned[65], whole[65];
    gk_sha256_end(scan.digest, digest);
    gk_hex(digest, sizeof digest, scanned);
    assert_true(gk_sha256_file(path, whole, NULL));
    if (result == GK_SCAN_DONE)
        assert_string_equal(scanned, whole);
    if (parsed != GK_OK) {
        if (result != GK_SCAN_REFUSED)
            fail_msg("accepted what gk_csv_parse refuses (seed %llu): %s",
                     (unsigned long long)seed, file->bytes);
        free(text);
        return;
    }
    if (result != GK_SCAN_DONE)
        fail_msg("refused what gk_csv_parse accepts (seed %llu): %s", (unsigned long long)seed,
                 file->bytes);
    assert_int_equal(s.count, csv->count);
    for (size_t r = 0; r < csv->count; r++) {
        assert_int_equal(s.records[r].line, csv->records[r].line);
        assert_int_equal(s.records[r].index, r);
        /* kept fields are the file's bytes: in GB18030 they are the text only when ASCII */
        for (int k = 0; k < 2 && r > 0; k++) {
            size_t f = k == 0 ? 0 : 2;
            const gk_csv_field *field = f < csv->records[r].count ? &csv->records[r].fields[f]
                                                                 : NULL;
            if (field == NULL || (encoding != GK_ENCODING_UTF8 && !ascii(field->text)))
                continue;
            assert_int_equal(s.has_kept[r][k], field->len <= GK_SCAN_KEEP_MAX);
            if (field->len <= GK_SCAN_KEEP_MAX)
                assert_string_equal(s.kept[r][k], field->text);
        }
        if (r > 0)
            check_bytes_parse_alone(file, encoding, &s, csv, r);
    }
    (*accepted)++;
    gk_csv_free(csv);
    free(text);
}

static void test_scan_agrees_with_the_parser(void **state)
{
    (void)state;
    char dir[1024], path[1100];
    tu_tempdir(dir, sizeof dir, "scan");
    snprintf(path, sizeof path, "%s/t.csv", dir);
    buffer file = {0}, gb = {0};
    size_t accepted = 0, gb_accepted = 0;
    for (seed = 1; seed <= 4000; seed++) {
        uint64_t kept = seed;
        generate(&file);
        compare(&file, path, &accepted);
        seed = kept;
        if (strstr(file.bytes, "中") != NULL && to_gb18030(&file, &gb))
            compare(&gb, path, &gb_accepted);
        seed = kept;
    }
    /* both kinds of file, accepted and refused, were seen often */
    assert_true(accepted > 1000 && accepted < 3900);
    assert_true(gb_accepted > 300);
    free(file.bytes);
    free(gb.bytes);
}

/* Records across the scan's 1 MiB blocks, and a field at Excel's limit of 32767 characters
 * (98 KiB of hanzi) and one over it. */
static void test_scan_long_fields_and_blocks(void **state)
{
    (void)state;
    char dir[1024], path[1100];
    tu_tempdir(dir, sizeof dir, "scan-long");
    snprintf(path, sizeof path, "%s/t.csv", dir);
    size_t accepted = 0;
    for (size_t chars = 32767; chars <= 32768; chars++) {
        buffer file = {0};
        puts_(&file, "unit_code,name\n");
        for (int r = 0; r < 30; r++) { /* 2 MiB: records across blocks */
            puts_(&file, "A1,\"");
            for (size_t c = 0; c < chars; c++)
                puts_(&file, c % 1000 == 999 ? "\n" : r % 2 ? "中" : "a");
            puts_(&file, "\"\r\n");
        }
        size_t before = accepted;
        seed = chars;
        compare(&file, path, &accepted);
        assert_int_equal(accepted - before, chars == 32767 ? 1 : 0);
        free(file.bytes);
    }
}

/* gk_text_check_file says what gk_text_load says, for bad bytes anywhere. */
static void test_check_file_agrees_with_load(void **state)
{
    (void)state;
    char dir[1024], path[1100];
    tu_tempdir(dir, sizeof dir, "check");
    snprintf(path, sizeof path, "%s/t.csv", dir);
    static const char *const pieces[] = {"a,b\n", "中文\n", "\xD6\xD0\n", "\xFF", "\xE4\xB8",
                                         "\0", "\xEF\xBB\xBF", "\xFF\xFE", "\x81\x30\x81\x30",
                                         "\r\n"};
    static const size_t sizes[] = {4, 7, 3, 1, 2, 1, 3, 2, 4, 2};
    for (seed = 1; seed <= 3000; seed++) {
        buffer file = {0};
        puts_(&file, "");
        size_t count = next_random(6);
        for (size_t i = 0; i < count; i++) {
            size_t k = next_random(10);
            if (k >= 3 && next_random(3) != 0)
                k = next_random(3); /* mostly good text */
            put(&file, pieces[k], sizes[k]);
        }
        write_bytes(path, file.bytes, file.len);
        gk_encoding checked = GK_ENCODING_UTF8, loaded = GK_ENCODING_UTF8;
        gk_diag a, b;
        gk_diag_clear(&a);
        gk_diag_clear(&b);
        char *text = NULL;
        size_t len = 0;
        gk_status x = gk_text_check_file(path, &checked, &a);
        gk_status y = gk_text_load(path, &text, &len, &loaded, &b);
        assert_int_equal(x, y);
        if (x == GK_OK)
            assert_int_equal(checked, loaded);
        else
            assert_string_equal(a.message, b.message);
        free(text);
        free(file.bytes);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scan_agrees_with_the_parser),
        cmocka_unit_test(test_scan_long_fields_and_blocks),
        cmocka_unit_test(test_check_file_agrees_with_load),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
