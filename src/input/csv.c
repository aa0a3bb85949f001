/* CSV reader (RFC 4180) for the budget package's tables: splits UTF-8 text into records of
 * unquoted fields, each knowing the physical line and character column where it starts.
 *
 * The text is scanned twice by the same code: the first pass validates and counts records,
 * fields and bytes, so the second can fill exactly sized arrays. Everything a gk_csv owns is
 * then four allocations, and every error is found before anything is allocated. */
#include "input/input.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/i18n.h"

enum { END = -1 }; /* what peek() returns past the end of the text */

/* Scanner state shared by both passes. In the counting pass the output pointers are NULL. */
typedef struct scanner {
    const char *path;
    const char *text;
    size_t len;
    size_t pos;
    int line;   /* physical line of pos */
    int column; /* character column of pos */
    gk_diag *diag;

    size_t header_fields; /* 0 until the header row is read */
    size_t record_count;
    size_t field_count;
    size_t storage_used;

    gk_csv_record *records; /* outputs (second pass only) */
    gk_csv_field *fields;
    char *storage;
} scanner;

/* ---- Moving through the text -------------------------------------------------------------- */

static int peek(const scanner *sc)
{
    return sc->pos < sc->len ? (unsigned char)sc->text[sc->pos] : END;
}

static void next_line(scanner *sc)
{
    if (sc->line < INT_MAX)
        sc->line++;
    sc->column = 1;
}

/* Steps over one byte, keeping line and column. LF, and a CR not followed by LF, end a
 * physical line (inside quoted fields too, so positions after them stay right); the CR of a
 * CRLF takes no column of its own. Continuation bytes do not start a new character. */
static void advance(scanner *sc)
{
    unsigned char c = (unsigned char)sc->text[sc->pos++];
    if (c == '\n' || (c == '\r' && peek(sc) != '\n'))
        next_line(sc);
    else if (c != '\r' && (c & 0xC0) != 0x80 && sc->column < INT_MAX)
        sc->column++;
}

static bool at_line_end(const scanner *sc)
{
    int c = peek(sc);
    return c == '\n' || c == '\r';
}

/* Steps over CRLF, LF or a lone CR. */
static void skip_line_end(scanner *sc)
{
    if (peek(sc) == '\r')
        advance(sc);
    if (peek(sc) == '\n')
        advance(sc);
}

/* ---- Errors ------------------------------------------------------------------------------- */

/* message is already translated. */
static gk_status fail_at(const scanner *sc, int line, int column, const char *message)
{
    return gk_diag_set_text(sc->diag, GK_ERR_PARSE, sc->path, line, column, message);
}

static gk_status fail_here(const scanner *sc, const char *message)
{
    return fail_at(sc, sc->line, sc->column, message);
}

/* ---- Fields ------------------------------------------------------------------------------- */

/* Appends one byte of field text (second pass only: the first pass just counts). */
static void put_byte(scanner *sc, char c)
{
    if (sc->storage != NULL)
        sc->storage[sc->storage_used] = c;
    sc->storage_used++;
}

/* Takes the current byte into the field: copies it, counts it, and rejects NUL, which no
 * output format can carry. */
static gk_status take_byte(scanner *sc, size_t *chars)
{
    unsigned char c = (unsigned char)sc->text[sc->pos];
    if (c == '\0')
        return fail_here(sc, _("NUL byte in text file"));
    if ((c & 0xC0) != 0x80)
        (*chars)++;
    put_byte(sc, (char)c);
    advance(sc);
    return GK_OK;
}

/* Reads the rest of a quoted field after its opening quote. An unterminated quote is reported
 * at the quote, even when the runaway field has become too long, because that is the cause. */
static gk_status scan_quoted(scanner *sc, int open_line, int open_column, size_t *chars)
{
    for (;;) {
        int c = peek(sc);
        if (c == END)
            return fail_at(sc, open_line, open_column,
                           _("unterminated quoted field (the quote opens here)"));
        if (c == '"') {
            advance(sc);
            if (peek(sc) != '"')
                break; /* closing quote */
            (*chars)++;
            put_byte(sc, '"');
            advance(sc);
            continue;
        }
        gk_status st = take_byte(sc, chars);
        if (st != GK_OK)
            return st;
    }
    int c = peek(sc);
    if (c != ',' && c != '\n' && c != '\r' && c != END)
        return fail_here(sc, _("unexpected character after closing quote"));
    return GK_OK;
}

/* Reads an unquoted field: everything up to ',', a line end or the end of the text. Spaces
 * are kept (RFC 4180 section 2.4). */
static gk_status scan_unquoted(scanner *sc, size_t *chars)
{
    for (int c = peek(sc); c != ',' && c != '\n' && c != '\r' && c != END; c = peek(sc)) {
        if (c == '"')
            return fail_here(sc, _("unexpected '\"' inside an unquoted field"));
        gk_status st = take_byte(sc, chars);
        if (st != GK_OK)
            return st;
    }
    return GK_OK;
}

/* Reads one field starting at pos and, in the second pass, records it. */
static gk_status scan_field(scanner *sc)
{
    int line = sc->line, column = sc->column;
    size_t start = sc->storage_used;
    size_t chars = 0;
    gk_status st;
    if (peek(sc) == '"') {
        advance(sc);
        st = scan_quoted(sc, line, column, &chars);
    } else {
        st = scan_unquoted(sc, &chars);
    }
    if (st != GK_OK)
        return st;
    if (chars > GK_CSV_MAX_FIELD_CHARS)
        return gk_diag_set(sc->diag, GK_ERR_PARSE, sc->path, line, column,
                           "field longer than %d characters", GK_CSV_MAX_FIELD_CHARS);
    put_byte(sc, '\0');
    if (sc->fields != NULL)
        sc->fields[sc->field_count] = (gk_csv_field){
            .text = sc->storage + start, .len = sc->storage_used - 1 - start,
            .line = line, .column = column};
    sc->field_count++;
    return GK_OK;
}

/* ---- Records ------------------------------------------------------------------------------ */

static gk_status wrong_field_count(const scanner *sc, size_t found, int line, int column)
{
    char message[256];
    snprintf(message, sizeof message,
             /* TRANSLATORS: a CSV record has the wrong number of fields; the first number is
              * the header row's, the second this record's. */
             P_("expected %zu field as in the header, found %zu",
                "expected %zu fields as in the header, found %zu", sc->header_fields),
             sc->header_fields, found);
    return gk_diag_set_text(sc->diag, GK_ERR_PARSE, sc->path, line, column, message);
}

/* Reads one record (pos is at a non-blank line). Every record must have the header's number of
 * fields: too many is reported at the first extra field, too few where the record ends. */
static gk_status scan_record(scanner *sc)
{
    size_t first = sc->field_count;
    int line = sc->line;
    for (;;) {
        int field_line = sc->line, field_column = sc->column;
        gk_status st = scan_field(sc);
        if (st != GK_OK)
            return st;
        size_t n = sc->field_count - first;
        if (sc->header_fields != 0 && n > sc->header_fields)
            return wrong_field_count(sc, n, field_line, field_column);
        if (peek(sc) != ',')
            break;
        advance(sc);
    }
    size_t n = sc->field_count - first;
    if (sc->header_fields == 0)
        sc->header_fields = n;
    else if (n != sc->header_fields)
        return wrong_field_count(sc, n, sc->line, sc->column);
    if (sc->records != NULL)
        sc->records[sc->record_count] =
            (gk_csv_record){.fields = sc->fields + first, .count = n, .line = line};
    sc->record_count++;
    skip_line_end(sc);
    return GK_OK;
}

/* One pass over the whole text. Blank lines (nothing at all between two line ends) are
 * skipped; a final line end is optional. */
static gk_status scan_all(scanner *sc)
{
    /* gk_text_decode strips the BOM; skip one here too for callers that pass raw text. */
    if (sc->len >= 3 && memcmp(sc->text, "\xEF\xBB\xBF", 3) == 0)
        sc->pos = 3;
    while (peek(sc) != END) {
        if (at_line_end(sc)) {
            skip_line_end(sc);
            continue;
        }
        gk_status st = scan_record(sc);
        if (st != GK_OK)
            return st;
    }
    if (sc->record_count == 0)
        return fail_at(sc, 1, 1, _("empty file, expected a header row"));
    return GK_OK;
}

static void scanner_rewind(scanner *sc)
{
    sc->pos = 0;
    sc->line = 1;
    sc->column = 1;
    sc->header_fields = 0;
    sc->record_count = 0;
    sc->field_count = 0;
    sc->storage_used = 0;
}

/* ---- Public interface --------------------------------------------------------------------- */

/* Allocates the four blocks sized by the counting pass. */
static gk_csv *csv_alloc(const scanner *sc)
{
    gk_csv *csv = calloc(1, sizeof *csv);
    if (csv == NULL)
        return NULL;
    csv->storage = malloc(sc->storage_used);
    csv->field_storage = malloc(sc->field_count * sizeof *csv->field_storage);
    csv->records = malloc(sc->record_count * sizeof *csv->records);
    if (csv->storage == NULL || csv->field_storage == NULL || csv->records == NULL) {
        gk_csv_free(csv);
        return NULL;
    }
    csv->storage_len = sc->storage_used;
    csv->count = sc->record_count;
    return csv;
}

gk_status gk_csv_parse(const char *path, const char *text, size_t len, gk_csv **out,
                       gk_diag *diag)
{
    *out = NULL;
    scanner sc = {.path = path, .text = text, .len = len, .diag = diag};
    scanner_rewind(&sc);
    gk_status st = scan_all(&sc);
    if (st != GK_OK)
        return st;

    gk_csv *csv = csv_alloc(&sc);
    if (csv == NULL)
        return gk_diag_set(diag, GK_ERR_NOMEM, path, 0, 0, "out of memory");

    scanner_rewind(&sc);
    sc.storage = csv->storage;
    sc.fields = csv->field_storage;
    sc.records = csv->records;
    st = scan_all(&sc); /* cannot fail: the same text passed the first time */
    if (st != GK_OK) {
        gk_csv_free(csv);
        return st;
    }
    *out = csv;
    return GK_OK;
}

void gk_csv_free(gk_csv *csv)
{
    if (csv == NULL)
        return;
    free(csv->records);
    free(csv->field_storage);
    free(csv->storage);
    free(csv);
}
