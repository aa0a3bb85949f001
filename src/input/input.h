/* Reading the budget package's plain files: text decoding, CSV records, decimal numbers.
 *
 * Pipeline: bytes --gk_text_decode--> UTF-8 text --gk_csv_parse--> records of fields, each
 * field knowing its line and column in the original file --gk_decimal_parse--> int64. */
#ifndef GONGKAI_INPUT_H
#define GONGKAI_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gongkai/diag.h"

/* ---- Text decoding (encoding.c) ---------------------------------------------------------- */

typedef enum gk_encoding {
    GK_ENCODING_UTF8,    /* valid UTF-8, with or without a BOM */
    GK_ENCODING_GB18030  /* not valid UTF-8: decoded as GB18030 (a superset of GBK) */
} gk_encoding;

/* Decodes a whole file's bytes into NUL-terminated UTF-8 without a BOM.
 * Detection per file: strip a UTF-8 BOM; if the rest is strictly valid UTF-8 (RFC 3629) use
 * it; else reject UTF-16 BOMs; else convert from GB18030 with iconv (strict, no //IGNORE).
 * On success *out is malloc'd (caller frees) and *out_len excludes the NUL; *used (may be
 * NULL) tells the encoding. On failure fills diag with `path`, the line and column of the
 * first bad byte (counted in the original bytes) and what was found, e.g.
 * "invalid GB18030 byte sequence FF FE", and returns GK_ERR_PARSE. */
gk_status gk_text_decode(const char *path, const unsigned char *bytes, size_t len, char **out,
                         size_t *out_len, gk_encoding *used, gk_diag *diag);

/* Reads the whole file at path into a malloc'd buffer (the caller frees it), through
 * gk_input_read (util/input_file.h): only a regular file of at most GK_INPUT_MAX_BYTES is read,
 * checked with fstat before reading, and a FIFO never blocks. A missing or unreadable file, or
 * anything but a regular file, is GK_ERR_IO naming path. */
gk_status gk_file_read(const char *path, unsigned char **data, size_t *len, gk_diag *diag);

/* Reads the file at path with gk_file_read and decodes it as above. */
gk_status gk_text_load(const char *path, char **out, size_t *out_len, gk_encoding *used,
                       gk_diag *diag);

/* Whether the file at path decodes as gk_text_load would decode it, and in which encoding,
 * without keeping its text: it is read in pieces of whole lines, so memory stays bounded by
 * the longest line whatever the file's size. A file that does not decode gets gk_text_load's
 * diagnostic. */
gk_status gk_text_check_file(const char *path, gk_encoding *used, gk_diag *diag);

/* gk_text_check_file of a file already open (path names it in diagnostics): the reading that
 * checks it and a scan of the same descriptor see one file, even if the path is replaced. */
gk_status gk_text_check_fd(const char *path, int fd, gk_encoding *used, gk_diag *diag);

/* Decodes part of a file whose encoding is known (gk_text_check_file): whole lines, from the
 * file's start (at_file_start: a BOM there is dropped, as gk_text_decode drops it) or from the
 * start of a line (a BOM there is a character, U+FEFF, as in the file decoded whole).
 * Positions in diag count from the start of the part. */
gk_status gk_text_decode_as(const char *path, const unsigned char *bytes, size_t len,
                            gk_encoding encoding, bool at_file_start, char **out,
                            size_t *out_len, gk_diag *diag);

/* ---- CSV (csv.c) -------------------------------------------------------------------------- */

enum { GK_CSV_MAX_FIELD_CHARS = 32767 }; /* Excel's cell limit: a longer field is an error */

typedef struct gk_csv_field {
    const char *text; /* NUL-terminated, unquoted, "" unescaped; owned by the gk_csv */
    size_t len;       /* bytes, excluding the NUL */
    int line;         /* 1-based physical line where the field starts */
    int column;       /* 1-based column in characters (code points) where the field starts */
} gk_csv_field;

typedef struct gk_csv_record {
    gk_csv_field *fields;
    size_t count;
    int line; /* line where the record starts */
} gk_csv_record;

typedef struct gk_csv {
    gk_csv_record *records; /* records[0] is the header row */
    size_t count;
    /* private storage follows */
    char *storage;
    size_t storage_len;
    gk_csv_field *field_storage;
} gk_csv;

/* Parses UTF-8 text (as produced by gk_text_decode) per RFC 4180: fields separated by ',',
 * optionally quoted with '"' (a quoted field may hold ',', '""' and CR/LF); records end with
 * CRLF, LF or a lone CR; a final line break is optional; blank lines are skipped; spaces are
 * part of fields. Every record must have as many fields as the first (header) record.
 * Errors (GK_ERR_PARSE, diag names path:line:col): an unterminated quoted field (pointing at
 * the opening quote), a quote inside an unquoted field, characters after a closing quote, a
 * NUL byte, a field over GK_CSV_MAX_FIELD_CHARS, a record with the wrong number of fields
 * ("expected 8 fields as in the header, found 7"), an empty file ("empty file, expected a
 * header row"). On success *out is allocated; free it with gk_csv_free. */
gk_status gk_csv_parse(const char *path, const char *text, size_t len, gk_csv **out,
                       gk_diag *diag);

/* Frees a gk_csv and everything it owns. NULL is allowed. */
void gk_csv_free(gk_csv *csv);

/* ---- Decimal numbers (decimal.c) ---------------------------------------------------------- */

/* Parses a decimal string into an integer scaled by 10^decimals ("294.28", 2 -> 29428).
 * Accepted: optional ASCII spaces around; optional leading '-'; digits, optionally grouped by
 * ',' in groups of three ("1,234.50"); optional '.' followed by 1..decimals digits. Rejected,
 * with a short reason in *why (a static string, translated by gettext: e.g. "more than 2
 * decimals", "not a number", "too large"): empty input, a lone sign, letters, full-width
 * digits, more decimals than allowed, exponents, values whose scaled magnitude exceeds 10^15
 * (so sums of many values cannot overflow int64). Returns true on success. */
bool gk_decimal_parse(const char *text, int decimals, int64_t *out, const char **why);

/* Writes value / 10^decimals as a plain decimal ("294.28", "-3.10", "0.00", "1234.50"; no
 * grouping) into buf (NUL-terminated, truncated to size). Returns the length it needed. */
size_t gk_decimal_format(int64_t value, int decimals, char *buf, size_t size);

/* Same with ',' thousands grouping ("1,234.50"). */
size_t gk_decimal_format_grouped(int64_t value, int decimals, char *buf, size_t size);

#endif
