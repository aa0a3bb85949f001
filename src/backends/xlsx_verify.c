/* Read-back of a written workbook with zlib; see xlsx_verify.h for what is checked and why. */
#include "backends/xlsx_verify.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "util/input_file.h"

/* ---- balanced markup ------------------------------------------------------------------ */

enum {
    MARKUP_DEPTH = 32,  /* libxlsxwriter nests 8 deep at most */
    MARKUP_NAMES = 512  /* bytes for the names of the open elements and the one being read */
};

typedef enum markup_state {
    AT_TEXT,       /* between tags */
    AT_LT,         /* after '<' */
    AT_NAME,       /* in a start tag's name */
    AT_ATTRIBUTES, /* in a start tag after its name */
    AT_QUOTED,     /* in an attribute value */
    AT_SLASH,      /* after the '/' of an empty element */
    AT_END_NAME,   /* in an end tag's name */
    AT_END_SPACE,  /* in an end tag after its name */
    AT_PI,         /* in <?…?> */
    AT_PI_MARK     /* after a '?' in <?…?> */
} markup_state;

typedef struct markup {
    markup_state state;
    bool bad, root_closed;
    unsigned char quote;
    size_t depth;
    size_t starts[MARKUP_DEPTH]; /* where each open element's name starts in names */
    char names[MARKUP_NAMES];
    size_t used;     /* bytes of names taken by the open elements */
    size_t name_len; /* of the name being read, at names + used */
    size_t rows;     /* <row> elements directly in a <sheetData> */
} markup;

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

enum { NOT_IN_NAMES = 1, ENDS_ATTRIBUTES = 2 };
static const unsigned char specials[256] = {
    ['<'] = NOT_IN_NAMES | ENDS_ATTRIBUTES, ['>'] = NOT_IN_NAMES | ENDS_ATTRIBUTES,
    ['/'] = NOT_IN_NAMES | ENDS_ATTRIBUTES, ['"'] = NOT_IN_NAMES | ENDS_ATTRIBUTES,
    ['\''] = NOT_IN_NAMES | ENDS_ATTRIBUTES, ['='] = NOT_IN_NAMES, ['?'] = NOT_IN_NAMES,
    ['!'] = NOT_IN_NAMES, ['&'] = NOT_IN_NAMES};

static bool is_name_char(unsigned char c)
{
    return !(specials[c] & NOT_IN_NAMES) && c > ' ';
}

static bool name_is(const markup *m, size_t start, size_t len, const char *name)
{
    return len == strlen(name) && memcmp(m->names + start, name, len) == 0;
}

static void add_name(markup *m, const unsigned char *chars, size_t len)
{
    if (len > MARKUP_NAMES - m->used - m->name_len) {
        m->bad = true;
        return;
    }
    memcpy(m->names + m->used + m->name_len, chars, len);
    m->name_len += len;
}

/* The start tag whose name was just read. */
static void open_element(markup *m)
{
    if (m->root_closed || m->depth == MARKUP_DEPTH) {
        m->bad = true;
        return;
    }
    if (m->depth > 0 && name_is(m, m->used, m->name_len, "row")) {
        size_t parent = m->starts[m->depth - 1];
        m->rows += name_is(m, parent, m->used - parent, "sheetData");
    }
    m->starts[m->depth++] = m->used;
    m->used += m->name_len;
}

/* The end of the innermost element: its end tag (whose name was just read) or the "/>" of
 * its start tag. */
static void close_element(markup *m, bool end_tag)
{
    if (m->depth == 0) {
        m->bad = true;
        return;
    }
    size_t start = m->starts[m->depth - 1];
    if (end_tag && (m->name_len != m->used - start ||
                    memcmp(m->names + start, m->names + m->used, m->name_len) != 0)) {
        m->bad = true;
        return;
    }
    m->used = start;
    m->root_closed = --m->depth == 0;
}

static void markup_step(markup *m, unsigned char c)
{
    switch (m->state) {
    case AT_TEXT:
        if (c == '<')
            m->state = AT_LT;
        else if (m->depth == 0 && !is_space(c))
            m->bad = true; /* text outside the root element */
        break;
    case AT_LT:
        m->name_len = 0;
        if (c == '?')
            m->state = AT_PI;
        else if (c == '/')
            m->state = AT_END_NAME;
        else if (is_name_char(c)) {
            add_name(m, &c, 1);
            m->state = AT_NAME;
        } else
            m->bad = true; /* libxlsxwriter writes no comments, CDATA or DOCTYPE */
        break;
    case AT_NAME:
        if (is_name_char(c)) {
            add_name(m, &c, 1);
            break;
        }
        open_element(m);
        if (is_space(c))
            m->state = AT_ATTRIBUTES;
        else if (c == '>')
            m->state = AT_TEXT;
        else if (c == '/')
            m->state = AT_SLASH;
        else
            m->bad = true;
        break;
    case AT_ATTRIBUTES:
        if (c == '>')
            m->state = AT_TEXT;
        else if (c == '/')
            m->state = AT_SLASH;
        else if (c == '"' || c == '\'') {
            m->quote = c;
            m->state = AT_QUOTED;
        } else if (c == '<')
            m->bad = true;
        break;
    case AT_QUOTED:
        if (c == m->quote)
            m->state = AT_ATTRIBUTES;
        else if (c == '<')
            m->bad = true;
        break;
    case AT_SLASH:
        if (c == '>') {
            close_element(m, false);
            m->state = AT_TEXT;
        } else
            m->bad = true;
        break;
    case AT_END_NAME:
    case AT_END_SPACE:
        if (m->state == AT_END_NAME && is_name_char(c))
            add_name(m, &c, 1);
        else if (is_space(c))
            m->state = AT_END_SPACE;
        else if (c == '>') {
            close_element(m, true);
            m->state = AT_TEXT;
        } else
            m->bad = true;
        break;
    case AT_PI:
    case AT_PI_MARK:
        m->state = c == '?' ? AT_PI_MARK : c == '>' && m->state == AT_PI_MARK ? AT_TEXT : AT_PI;
        break;
    }
}

/* Runs of bytes are taken at once: text, names, attributes, attribute values. */
static void markup_feed(markup *m, const unsigned char *p, size_t n)
{
    const unsigned char *end = p + n;
    while (p < end && !m->bad) {
        if (m->state == AT_TEXT && m->depth > 0) {
            const unsigned char *lt = memchr(p, '<', (size_t)(end - p));
            p = lt != NULL ? lt : end;
        } else if (m->state == AT_NAME || m->state == AT_END_NAME) {
            const unsigned char *name = p;
            while (p < end && is_name_char(*p))
                p++;
            add_name(m, name, (size_t)(p - name));
        } else if (m->state == AT_ATTRIBUTES) {
            while (p < end && !(specials[*p] & ENDS_ATTRIBUTES))
                p++;
        } else if (m->state == AT_QUOTED) {
            while (p < end && *p != m->quote && *p != '<')
                p++;
        }
        if (p < end)
            markup_step(m, *p++);
    }
}

static bool markup_complete(const markup *m)
{
    return !m->bad && m->state == AT_TEXT && m->root_closed;
}

/* ---- the zip --------------------------------------------------------------------------- */

enum {
    END_RECORD = 22,    /* bytes of the end of central directory record (no comment) */
    CENTRAL_HEADER = 46,
    LOCAL_HEADER = 30,
    PART_NAME_MAX = 255,
    WINDOW = 16384      /* inflated bytes checked at a time */
};

static const uint32_t END_SIGNATURE = 0x06054b50, CENTRAL_SIGNATURE = 0x02014b50,
                      LOCAL_SIGNATURE = 0x04034b50;

static uint32_t le16(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const unsigned char *p)
{
    return le16(p) | le16(p + 2) << 16;
}

typedef struct zip_part {
    char name[PART_NAME_MAX + 1];
    uint32_t flags, method, crc;
    size_t packed, size; /* compressed and inflated bytes */
    const unsigned char *data;
} zip_part;

/* Finds the central directory: the end record closes the file, and the directory ends where
 * the record begins. */
static bool find_directory(const unsigned char *zip, size_t len, size_t *offset,
                           size_t *entries)
{
    if (len < END_RECORD)
        return false;
    const unsigned char *end = zip + len - END_RECORD;
    size_t size = le32(end + 12), start = le32(end + 16);
    *offset = start;
    *entries = le16(end + 10);
    return le32(end) == END_SIGNATURE && le16(end + 4) == 0 && le16(end + 6) == 0 &&
           le16(end + 8) == *entries && le16(end + 20) == 0 && start <= len - END_RECORD &&
           size == len - END_RECORD - start;
}

/* Reads the central directory entry at *at (advanced past it; the directory ends at
 * `directory_end`); *local is where it says its local header is. */
static bool read_central(const unsigned char *zip, size_t directory_end, size_t *at,
                         zip_part *part, size_t *local)
{
    const unsigned char *c = zip + *at;
    if (directory_end - *at < CENTRAL_HEADER || le32(c) != CENTRAL_SIGNATURE)
        return false;
    size_t name_len = le16(c + 28), skip = name_len + le16(c + 30) + le16(c + 32);
    if (skip > directory_end - *at - CENTRAL_HEADER || name_len == 0 || name_len > PART_NAME_MAX)
        return false;
    *at += CENTRAL_HEADER + skip;
    part->flags = le16(c + 8);
    part->method = le16(c + 10);
    part->crc = le32(c + 16);
    part->packed = le32(c + 20);
    part->size = le32(c + 24);
    memcpy(part->name, c + CENTRAL_HEADER, name_len);
    part->name[name_len] = '\0';
    *local = le32(c + 42);
    return (part->flags & 0x9) == 0; /* no encryption (bit 0), no sizes after the data (bit 3) */
}

/* Whether the local header at `offset` repeats the central directory's entry and its data
 * fits before the directory; sets part->data. */
static bool read_local(const unsigned char *zip, size_t directory, size_t offset,
                       zip_part *part)
{
    const unsigned char *l = zip + offset;
    size_t name_len = strlen(part->name);
    if (directory - offset < LOCAL_HEADER || le32(l) != LOCAL_SIGNATURE ||
        le16(l + 6) != part->flags || le16(l + 8) != part->method || le32(l + 14) != part->crc ||
        le32(l + 18) != part->packed || le32(l + 22) != part->size || le16(l + 26) != name_len)
        return false;
    size_t header = LOCAL_HEADER + name_len + le16(l + 28);
    if (header > directory - offset || part->packed > directory - offset - header ||
        memcmp(l + LOCAL_HEADER, part->name, name_len) != 0)
        return false;
    part->data = l + header;
    return true;
}

/* Inflates a part (or takes it as it is, when stored), feeding its bytes to crc and, for an
 * XML part, to the markup check. False when its deflate data is broken or cut short. */
static bool unpack_part(z_stream *z, const zip_part *part, unsigned char *window,
                        uLong *crc, size_t *size, markup *m)
{
    *crc = crc32(0, Z_NULL, 0);
    *size = 0;
    if (part->method == 0) {
        *crc = crc32_z(*crc, part->data, part->packed);
        *size = part->packed;
        if (m != NULL)
            markup_feed(m, part->data, part->packed);
        return true;
    }
    if (part->method != Z_DEFLATED || inflateReset(z) != Z_OK)
        return false;
    z->next_in = (Bytef *)part->data;
    z->avail_in = (uInt)part->packed;
    int rc;
    do {
        z->next_out = window;
        z->avail_out = WINDOW;
        rc = inflate(z, Z_NO_FLUSH);
        size_t got = WINDOW - z->avail_out;
        *crc = crc32_z(*crc, window, got);
        *size += got;
        if (m != NULL)
            markup_feed(m, window, got);
    } while (rc == Z_OK);
    return rc == Z_STREAM_END && z->avail_in == 0;
}

static bool ends_with(const char *text, const char *suffix)
{
    size_t a = strlen(text), b = strlen(suffix);
    return a >= b && strcmp(text + a - b, suffix) == 0;
}

/* The sheet number of xl/worksheets/sheetN.xml, or 0. */
static size_t sheet_number(const char *name)
{
    unsigned sheet = 0;
    int end = 0;
    return sscanf(name, "xl/worksheets/sheet%u.xml%n", &sheet, &end) == 1 && name[end] == '\0'
               ? sheet
               : 0;
}

typedef struct verify {
    const char *path;
    const size_t *sheet_rows;
    size_t sheets;
    bool *seen; /* per sheet: its part was found (a part twice counts once) */
    z_stream z;
    unsigned char window[WINDOW];
    markup m;
} verify;

static gk_status check_part(verify *v, const zip_part *part, gk_diag *diag)
{
    const char *name = part->name;
    bool xml = ends_with(name, ".xml") || ends_with(name, ".rels");
    if (xml)
        memset(&v->m, 0, sizeof v->m);
    uLong crc;
    size_t size;
    if (!unpack_part(&v->z, part, v->window, &crc, &size, xml ? &v->m : NULL))
        return gk_diag_set(diag, GK_ERR_BACKEND, v->path, 0, 0,
                           "XLSX: the written workbook is damaged: %s cannot be read", name);
    if (crc != part->crc || size != part->size)
        return gk_diag_set(diag, GK_ERR_BACKEND, v->path, 0, 0,
                           "XLSX: the written workbook is damaged: %s: expected %zu bytes with "
                           "CRC-32 %08X, found %zu bytes with CRC-32 %08X",
                           name, part->size, (unsigned)part->crc, size, (unsigned)crc);
    if (xml && !markup_complete(&v->m))
        return gk_diag_set(diag, GK_ERR_BACKEND, v->path, 0, 0,
                           "XLSX: the written workbook is damaged: %s is not well-formed XML",
                           name);
    size_t sheet = sheet_number(name);
    if (sheet == 0 || sheet > v->sheets)
        return GK_OK;
    if (v->m.rows != v->sheet_rows[sheet - 1])
        return gk_diag_set(diag, GK_ERR_BACKEND, v->path, 0, 0,
                           "XLSX: the written workbook is damaged: %s has %zu rows, "
                           "expected %zu", name, v->m.rows, v->sheet_rows[sheet - 1]);
    v->seen[sheet - 1] = true;
    return GK_OK;
}

static gk_status check_parts(verify *v, const unsigned char *zip, size_t len, gk_diag *diag)
{
    size_t directory, entries;
    if (!find_directory(zip, len, &directory, &entries))
        return gk_diag_set(diag, GK_ERR_BACKEND, v->path, 0, 0,
                           "XLSX: the written workbook is damaged: expected its zip central "
                           "directory after the last part and at the end, found otherwise");
    /* the parts follow one another from the start of the file to the directory */
    size_t at = directory, next = 0, local;
    zip_part part;
    for (size_t i = 0; i < entries; i++) {
        if (!read_central(zip, len - END_RECORD, &at, &part, &local) || local != next ||
            !read_local(zip, directory, next, &part))
            return gk_diag_set(diag, GK_ERR_BACKEND, v->path, 0, 0,
                               "XLSX: the written workbook is damaged: entry %zu of %zu in the "
                               "zip's central directory does not match its local header",
                               i + 1, entries);
        gk_status status = check_part(v, &part, diag);
        if (status != GK_OK)
            return status;
        next = (size_t)(part.data - zip) + part.packed;
    }
    if (next != directory || at != len - END_RECORD)
        return gk_diag_set(diag, GK_ERR_BACKEND, v->path, 0, 0,
                           "XLSX: the written workbook is damaged: expected its zip central "
                           "directory after the last part and at the end, found otherwise");
    size_t seen = 0;
    for (size_t s = 0; s < v->sheets; s++)
        seen += v->seen[s];
    if (seen != v->sheets)
        return gk_diag_set(diag, GK_ERR_BACKEND, v->path, 0, 0,
                           "XLSX: the written workbook is damaged: %zu sheets, expected %zu",
                           seen, v->sheets);
    return GK_OK;
}

gk_status gk_xlsx_verify(const char *path, const size_t *sheet_rows, size_t sheets,
                         gk_diag *diag)
{
    unsigned char *zip = NULL;
    size_t len = 0;
    gk_status status = gk_input_read(path, GK_INPUT_MAX_BYTES, &zip, &len, diag);
    if (status != GK_OK)
        return status;
    verify *v = calloc(1, sizeof *v);
    bool *seen = calloc(sheets + 1, sizeof *seen);
    if (v == NULL || seen == NULL || inflateInit2(&v->z, -MAX_WBITS) != Z_OK) {
        free(v);
        free(seen);
        free(zip);
        return gk_diag_set(diag, GK_ERR_NOMEM, path, 0, 0, "out of memory");
    }
    v->path = path;
    v->sheet_rows = sheet_rows;
    v->sheets = sheets;
    v->seen = seen;
    status = check_parts(v, zip, len, diag);
    inflateEnd(&v->z);
    free(v);
    free(seen);
    free(zip);
    return status;
}
