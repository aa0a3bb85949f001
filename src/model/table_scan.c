/* Streaming a table file's records; see table_scan.h. The rules are those of input/csv.c,
 * applied byte by byte so that a block boundary may fall anywhere. */
#include "model/table_scan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/input_file.h"
#include "util/sha256.h"

enum { BLOCK_BYTES = 1 << 20 };

typedef enum where { AT_RECORD, AT_FIELD, UNQUOTED, QUOTED, AFTER_QUOTE } where;

typedef struct scanner {
    gk_table_scan *scan;
    where state;
    uint64_t offset; /* of the byte being read */
    int line;
    bool after_cr;   /* a line feed right after a CR ends no line of its own */
    /* GB18030: continuation bytes still to come of the current character (-1: the byte after
     * a lead byte, which says whether the character has two bytes or four) */
    int gb_tail;
    gk_scan_record record;
    size_t fields;     /* fields of the record so far */
    size_t header_fields;
    size_t chars;      /* characters of the current field */
    char kept[GK_SCAN_KEPT][GK_SCAN_KEEP_MAX + 1];
    size_t kept_len[GK_SCAN_KEPT];
    bool refused, stopped;
} scanner;

/* Whether byte c starts a character (a field's length is counted in characters). */
static bool starts_character(scanner *s, unsigned char c)
{
    if (s->scan->encoding == GK_ENCODING_UTF8)
        return (c & 0xC0) != 0x80;
    if (s->gb_tail == -1) {
        s->gb_tail = c >= 0x30 && c <= 0x39 ? 2 : 0;
        return false;
    }
    if (s->gb_tail > 0) {
        s->gb_tail--;
        return false;
    }
    if (c >= 0x81 && c <= 0xFE)
        s->gb_tail = -1;
    return true;
}

static void begin_field(scanner *s)
{
    s->chars = 0;
    for (int k = 0; k < GK_SCAN_KEPT; k++)
        s->kept_len[k] = 0;
}

static void begin_record(scanner *s)
{
    s->record.start = s->offset;
    s->record.line = s->line;
    s->fields = 0;
    for (int k = 0; k < GK_SCAN_KEPT; k++)
        s->record.kept[k] = NULL;
    begin_field(s);
}

/* Bytes of the current field (characters, or parts of them). */
static void take_bytes(scanner *s, const unsigned char *bytes, size_t len)
{
    if (s->scan->encoding == GK_ENCODING_UTF8) {
        size_t continuations = 0;
        for (size_t i = 0; i < len; i++)
            continuations += (bytes[i] & 0xC0) == 0x80;
        s->chars += len - continuations;
    } else {
        for (size_t i = 0; i < len; i++)
            s->chars += starts_character(s, bytes[i]);
    }
    for (int k = 0; k < GK_SCAN_KEPT; k++)
        if ((size_t)s->scan->keep[k] == s->fields && s->kept_len[k] <= GK_SCAN_KEEP_MAX) {
            size_t room = GK_SCAN_KEEP_MAX + 1 - s->kept_len[k], n = len < room ? len : room;
            memcpy(s->kept[k] + s->kept_len[k], bytes, n);
            s->kept_len[k] += n;
        }
}

static void take(scanner *s, unsigned char c)
{
    take_bytes(s, &c, 1);
}

/* The bytes that end or quote an unquoted field, or end a line (which is counted); in a quoted
 * field, those but the comma. */
static const bool stops_unquoted[256] = {[','] = true, ['"'] = true, ['\n'] = true,
                                         ['\r'] = true};
static const bool stops_quoted[256] = {['"'] = true, ['\n'] = true, ['\r'] = true};

/* How many bytes from bytes on the current field takes as they are. */
static size_t plain_run(const scanner *s, const unsigned char *bytes, size_t len)
{
    const bool *stops = s->state == UNQUOTED ? stops_unquoted
                        : s->state == QUOTED ? stops_quoted
                                             : NULL;
    size_t n = 0;
    while (stops != NULL && n < len && !stops[bytes[n]])
        n++;
    return n;
}

static void end_field(scanner *s)
{
    if (s->chars > GK_CSV_MAX_FIELD_CHARS)
        s->refused = true;
    for (int k = 0; k < GK_SCAN_KEPT; k++)
        if ((size_t)s->scan->keep[k] == s->fields && s->kept_len[k] <= GK_SCAN_KEEP_MAX) {
            s->kept[k][s->kept_len[k]] = '\0';
            s->record.kept[k] = s->kept[k];
        }
    s->fields++;
    if (s->header_fields > 0 && s->fields > s->header_fields)
        s->refused = true;
    begin_field(s);
}

/* The record ends after the current byte (end: the end of the file instead). */
static void end_record(scanner *s, bool at_end)
{
    end_field(s);
    s->state = AT_RECORD;
    s->record.end = at_end ? s->offset : s->offset + 1;
    if (s->header_fields == 0)
        s->header_fields = s->fields;
    else if (s->fields != s->header_fields)
        s->refused = true;
    if (s->refused)
        return;
    if (!s->scan->on_record(s->scan, &s->record, s->scan->context))
        s->stopped = true;
    s->record.index++;
}

static bool line_end(unsigned char c)
{
    return c == '\n' || c == '\r';
}

static void read_byte(scanner *s, unsigned char c)
{
    switch (s->state) {
    case AT_RECORD:
        if (line_end(c))
            break; /* a blank line */
        begin_record(s);
        s->state = AT_FIELD;
        read_byte(s, c); /* the record's first field starts here */
        return;
    case AT_FIELD:
        if (c == '"')
            s->state = QUOTED;
        else if (c == ',')
            end_field(s);
        else if (line_end(c))
            end_record(s, false);
        else {
            s->state = UNQUOTED;
            take(s, c);
        }
        break;
    case UNQUOTED:
        if (c == ',') {
            end_field(s);
            s->state = AT_FIELD;
        } else if (line_end(c)) {
            end_record(s, false);
        } else if (c == '"') {
            s->refused = true;
        } else {
            take(s, c);
        }
        break;
    case QUOTED:
        if (c == '"')
            s->state = AFTER_QUOTE;
        else
            take(s, c);
        break;
    case AFTER_QUOTE:
        if (c == '"') {
            take(s, c);
            s->state = QUOTED;
        } else if (c == ',') {
            end_field(s);
            s->state = AT_FIELD;
        } else if (line_end(c)) {
            end_record(s, false);
        } else {
            s->refused = true;
        }
        break;
    }
    if (c == '\r' || (c == '\n' && !s->after_cr))
        s->line++;
    s->after_cr = c == '\r';
    s->offset++;
}

static void read_end(scanner *s)
{
    if (s->state == QUOTED)
        s->refused = true; /* an unterminated quote */
    else if (s->state != AT_RECORD)
        end_record(s, true);
    if (s->header_fields == 0)
        s->refused = true; /* no header row */
}

/* The BOMs dropped before the text: the decoder drops one, the CSV reader one more
 * (input/encoding.c, input/csv.c); in GB18030 a BOM is 84 31 95 33. */
static size_t bom_length(const unsigned char *bytes, size_t len, gk_encoding encoding)
{
    static const unsigned char utf8[] = {0xEF, 0xBB, 0xBF}, gb[] = {0x84, 0x31, 0x95, 0x33};
    const unsigned char *bom = encoding == GK_ENCODING_UTF8 ? utf8 : gb;
    size_t bom_len = encoding == GK_ENCODING_UTF8 ? sizeof utf8 : sizeof gb, skip = 0;
    for (int k = 0; k < 2 && len >= skip + bom_len && memcmp(bytes + skip, bom, bom_len) == 0; k++)
        skip += bom_len;
    return skip;
}

gk_scan_result gk_table_scan_file(gk_table_scan *scan, int fd)
{
    struct stat st;
    size_t bytes = fstat(fd, &st) == 0 && st.st_size >= 0
                       ? gk_input_block((size_t)st.st_size, BLOCK_BYTES)
                       : BLOCK_BYTES;
    unsigned char *block = malloc(bytes);
    if (block == NULL || lseek(fd, 0, SEEK_SET) != 0) {
        free(block);
        return GK_SCAN_FAILED;
    }
    scanner s = {.scan = scan, .state = AT_RECORD, .line = 1};
    gk_scan_result result = GK_SCAN_DONE;
    for (bool first = true; !s.refused && !s.stopped; first = false) {
        ssize_t n = read(fd, block, bytes);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 || s.offset + (uint64_t)n > GK_INPUT_MAX_BYTES) {
            result = GK_SCAN_FAILED;
            break;
        }
        if (n == 0) {
            read_end(&s);
            break;
        }
        if (scan->digest != NULL)
            gk_sha256_add(scan->digest, block, (size_t)n);
        size_t i = first ? bom_length(block, (size_t)n, scan->encoding) : 0;
        s.offset += i;
        while (i < (size_t)n && !s.refused && !s.stopped) {
            size_t plain = plain_run(&s, block + i, (size_t)n - i);
            if (plain > 0) { /* the bulk of a file: field text, taken in one go */
                take_bytes(&s, block + i, plain);
                s.offset += plain;
                s.after_cr = false;
                i += plain;
                continue;
            }
            read_byte(&s, block[i++]);
        }
    }
    free(block);
    if (result != GK_SCAN_DONE)
        return result;
    return s.refused ? GK_SCAN_REFUSED : s.stopped ? GK_SCAN_STOPPED : GK_SCAN_DONE;
}
