/* Fuzz target: a package CSV file's bytes through the reading pipeline.
 *
 * gk_text_decode (UTF-8 / BOM / GB18030 / UTF-16 rejection), then gk_csv_parse on the text,
 * then gk_decimal_parse on every field with 2 decimals (amounts) and 0 (counts). Every number
 * accepted must format back (plain and grouped) to text that parses to the same value.
 * Seeds: corpus/csv; dictionary: csv.dict. */
#include "fuzz_util.h"

#include <stdint.h>

#include "input/input.h"

/* format(parse(field)) parses back to the same value, grouped or not. */
static void check_round_trip(int64_t value, int decimals)
{
    char buf[64];
    int64_t again = 0;
    const char *why = NULL;
    size_t n = gk_decimal_format(value, decimals, buf, sizeof buf);
    FUZZ_ASSERT(n < sizeof buf && strlen(buf) == n);
    FUZZ_ASSERT(gk_decimal_parse(buf, decimals, &again, &why) && again == value);
    n = gk_decimal_format_grouped(value, decimals, buf, sizeof buf);
    FUZZ_ASSERT(n < sizeof buf && strlen(buf) == n);
    FUZZ_ASSERT(gk_decimal_parse(buf, decimals, &again, &why) && again == value);
}

static void parse_number(const char *text, int decimals)
{
    int64_t value = 0;
    const char *why = NULL;
    if (gk_decimal_parse(text, decimals, &value, &why)) {
        FUZZ_ASSERT(value <= 1000000000000000LL && value >= -1000000000000000LL);
        check_round_trip(value, decimals);
    } else {
        FUZZ_ASSERT(why != NULL && why[0] != '\0');
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gk_diag diag;
    gk_diag_clear(&diag);
    char *text = NULL;
    size_t len = 0;
    gk_encoding used;
    if (gk_text_decode("fuzz.csv", data, size, &text, &len, &used, &diag) != GK_OK) {
        FUZZ_ASSERT(text == NULL && diag.message[0] != '\0');
        return 0;
    }
    FUZZ_ASSERT(text != NULL && text[len] == '\0');

    gk_csv *csv = NULL;
    if (gk_csv_parse("fuzz.csv", text, len, &csv, &diag) == GK_OK) {
        FUZZ_ASSERT(csv != NULL && csv->count > 0);
        size_t header_fields = csv->records[0].count;
        for (size_t r = 0; r < csv->count; r++) {
            const gk_csv_record *record = &csv->records[r];
            FUZZ_ASSERT(record->count == header_fields);
            for (size_t f = 0; f < record->count; f++) {
                const gk_csv_field *field = &record->fields[f];
                FUZZ_ASSERT(strlen(field->text) == field->len);
                FUZZ_ASSERT(field->line >= 1 && field->column >= 1);
                parse_number(field->text, 2);
                parse_number(field->text, 0);
            }
        }
    } else {
        FUZZ_ASSERT(csv == NULL && diag.message[0] != '\0');
    }
    gk_csv_free(csv);
    free(text);
    return 0;
}
