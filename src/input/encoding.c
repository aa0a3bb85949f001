/* Text decoding: turns a file's bytes (UTF-8 with or without a BOM, or GBK/GB18030 as written
 * by Excel on Chinese Windows) into NUL-terminated UTF-8, or reports the first bad byte with
 * its line and column. */
#define _GNU_SOURCE /* memrchr */
#include "input/input.h"

#include <errno.h>
#include <iconv.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/i18n.h"
#include "util/input_file.h"

/* Where a decoder stopped, and why. */
typedef enum bad_kind {
    BAD_NONE,      /* the whole input decoded */
    BAD_INVALID,   /* an invalid byte sequence starts at `offset` */
    BAD_TRUNCATED, /* a sequence starting at `offset` is cut off by the end of the file */
    BAD_NOMEM,
    BAD_NO_CONVERTER
} bad_kind;

typedef struct bad_spot {
    bad_kind kind;
    size_t offset; /* in the bytes given to the decoder */
    size_t shown;  /* how many bytes from offset to quote in the message (UTF-8 only) */
} bad_spot;

/* ---- Positions --------------------------------------------------------------------------- */

/* Line and column of byte `offset` in UTF-8 text whose first `offset` bytes are valid: line is
 * 1 + the number of LF bytes before it, column 1 + the code points since the last LF. The same
 * rule applied to the converted GB18030 text gives the position in the original file, because
 * every GB18030 character becomes exactly one code point and LF stays LF. */
static void utf8_position(const unsigned char *text, size_t offset, int *line, int *column)
{
    long long l = 1, c = 1;
    for (size_t i = 0; i < offset; i++) {
        if (text[i] == '\n') {
            l++;
            c = 1;
        } else if ((text[i] & 0xC0) != 0x80) {
            c++;
        }
    }
    *line = l > INT_MAX ? INT_MAX : (int)l;
    *column = c > INT_MAX ? INT_MAX : (int)c;
}

/* Writes up to `count` bytes from `bytes` as "FF FE" into buf. */
static void hex_bytes(const unsigned char *bytes, size_t count, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < count && used + 4 <= size; i++)
        used += (size_t)snprintf(buf + used, size - used, i ? " %02X" : "%02X", bytes[i]);
}

/* ---- UTF-8 --------------------------------------------------------------------------------- */

/* Length of the UTF-8 sequence announced by lead byte b (1 for anything that cannot lead, so
 * the error message shows just that byte). */
static size_t utf8_sequence_length(unsigned char b)
{
    if (b >= 0xC0 && b <= 0xDF)
        return 2;
    if (b >= 0xE0 && b <= 0xEF)
        return 3;
    if (b >= 0xF0 && b <= 0xF7)
        return 4;
    return 1;
}

/* Allowed range of the second byte after lead byte b, per the table in RFC 3629 section 4;
 * the narrowed ranges are what exclude overlongs, surrogates and code points > U+10FFFF.
 * Returns false if b cannot lead a sequence (C0, C1, F5..FF, or a continuation byte). */
static bool utf8_second_range(unsigned char b, unsigned char *lo, unsigned char *hi)
{
    *lo = 0x80;
    *hi = 0xBF;
    if (b >= 0xC2 && b <= 0xDF)
        return true;
    if (b == 0xE0)
        *lo = 0xA0; /* E0 80..9F would be overlong */
    else if (b == 0xED)
        *hi = 0x9F; /* ED A0..BF would be a surrogate */
    else if (b == 0xF0)
        *lo = 0x90; /* F0 80..8F would be overlong */
    else if (b == 0xF4)
        *hi = 0x8F; /* F4 90.. would be above U+10FFFF */
    else if (!((b >= 0xE1 && b <= 0xEF) || (b >= 0xF1 && b <= 0xF3)))
        return false;
    return true;
}

static bool utf8_continuation(unsigned char c)
{
    return c >= 0x80 && c <= 0xBF;
}

/* Bytes to quote for an invalid lead byte: the sequence it seems to start ("C0 AF" for an
 * overlong '/'), stopping before the first byte that is not a continuation. */
static size_t utf8_bad_lead_shown(const unsigned char *s, size_t avail)
{
    size_t want = utf8_sequence_length(s[0]), n = 1;
    while (n < want && n < avail && utf8_continuation(s[n]))
        n++;
    return n;
}

/* Strict RFC 3629 validation; finds the first bad sequence. */
static bad_spot utf8_validate(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        uint64_t word;
        if (i + sizeof word <= len) { /* eight ASCII bytes at a time: most of a table */
            memcpy(&word, s + i, sizeof word);
            if ((word & UINT64_C(0x8080808080808080)) == 0) {
                i += sizeof word;
                continue;
            }
        }
        unsigned char b = s[i];
        if (b < 0x80) {
            i++;
            continue;
        }
        unsigned char lo, hi;
        if (!utf8_second_range(b, &lo, &hi))
            return (bad_spot){BAD_INVALID, i, utf8_bad_lead_shown(s + i, len - i)};
        size_t need = utf8_sequence_length(b);
        for (size_t k = 1; k < need; k++) {
            if (i + k >= len)
                return (bad_spot){BAD_TRUNCATED, i, k};
            unsigned char c = s[i + k];
            bool ok = k == 1 ? (c >= lo && c <= hi) : utf8_continuation(c);
            if (!ok) /* quote up to and including the byte that broke the sequence */
                return (bad_spot){BAD_INVALID, i, k + 1};
        }
        i += need;
    }
    return (bad_spot){BAD_NONE, 0, 0};
}

/* ---- GB18030 ------------------------------------------------------------------------------ */

/* Bytes worth showing for a bad GB18030 sequence at s: what looks like the 4-byte form (lead
 * 81..FE, digit, lead, digit) in full, otherwise two bytes (the offending byte and the next,
 * as in "FF FE"). */
static size_t gb_shown_length(const unsigned char *s, size_t avail)
{
    bool four = avail >= 2 && s[0] >= 0x81 && s[0] <= 0xFE && s[1] >= 0x30 && s[1] <= 0x39;
    size_t n = four ? 4 : 2;
    return n < avail ? n : avail;
}

/* Converts GB18030 to UTF-8 with one strict iconv() call (more if the output must grow).
 * No //IGNORE or //TRANSLIT: a bad byte must stop us, never be dropped or guessed. On
 * failure *out holds the text converted so far (for counting columns), still NUL-terminated. */
static bad_spot gb18030_convert(const unsigned char *bytes, size_t len, char **out,
                                size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    if (cd == (iconv_t)-1)
        return (bad_spot){BAD_NO_CONVERTER, 0, 0};

    /* Hanzi take 2 bytes in GBK and 3 in UTF-8; start at 1.5x and double if needed. */
    size_t cap = len / 2 > SIZE_MAX - len - 16 ? SIZE_MAX : len + len / 2 + 16;
    char *buf = malloc(cap);
    if (buf == NULL) {
        iconv_close(cd);
        return (bad_spot){BAD_NOMEM, 0, 0};
    }
    char *inp = (char *)bytes; /* iconv's prototype is not const-correct */
    size_t inleft = len;
    size_t used = 0; /* bytes of output so far; pointers are re-derived after each realloc */
    bad_spot spot = {BAD_NONE, 0, 0};
    while (inleft > 0) {
        char *outp = buf + used;
        size_t outleft = cap - 1 - used; /* keep a byte for the NUL */
        size_t rc = iconv(cd, &inp, &inleft, &outp, &outleft);
        int error = errno;
        used = (size_t)(outp - buf);
        if (rc != (size_t)-1)
            break;
        if (error == E2BIG) {
            char *bigger = cap > SIZE_MAX / 2 ? NULL : realloc(buf, cap * 2);
            if (bigger == NULL) {
                spot.kind = BAD_NOMEM;
                break;
            }
            buf = bigger;
            cap *= 2;
            continue;
        }
        /* EILSEQ: invalid; EINVAL: incomplete, which with the whole file given means cut off
         * by its end. */
        spot.kind = error == EINVAL ? BAD_TRUNCATED : BAD_INVALID;
        spot.offset = (size_t)((unsigned char *)inp - bytes);
        break;
    }
    iconv_close(cd);
    if (spot.kind == BAD_NOMEM) {
        free(buf);
        return spot;
    }
    buf[used] = '\0';
    *out = buf;
    *out_len = used;
    return spot;
}

/* ---- Reporting ---------------------------------------------------------------------------- */

static gk_status report_utf8(const char *path, const unsigned char *s, bad_spot spot,
                             gk_diag *diag)
{
    int line, column;
    utf8_position(s, spot.offset, &line, &column);
    char hex[32];
    hex_bytes(s + spot.offset, spot.shown, hex, sizeof hex);
    if (spot.kind == BAD_TRUNCATED)
        return gk_diag_set(diag, GK_ERR_PARSE, path, line, column,
                           /* TRANSLATORS: %s is the bytes in hexadecimal, e.g. "E4 B8". */
                           "truncated UTF-8 sequence at end of file %s", hex);
    /* TRANSLATORS: %s is the bytes in hexadecimal, e.g. "C0 AF". */
    return gk_diag_set(diag, GK_ERR_PARSE, path, line, column, "invalid UTF-8 byte sequence %s",
                       hex);
}

/* `converted` is what iconv produced before stopping: its characters are the characters of the
 * original line, so the column is exact (not a byte count). */
static gk_status report_gb18030(const char *path, const unsigned char *s, size_t len,
                                bad_spot spot, const char *converted, size_t converted_len,
                                gk_diag *diag)
{
    int line, column;
    utf8_position((const unsigned char *)converted, converted_len, &line, &column);
    char hex[32];
    hex_bytes(s + spot.offset, gb_shown_length(s + spot.offset, len - spot.offset), hex,
              sizeof hex);
    if (spot.kind == BAD_TRUNCATED)
        return gk_diag_set(diag, GK_ERR_PARSE, path, line, column,
                           /* TRANSLATORS: %s is the bytes in hexadecimal, e.g. "81 30". */
                           "incomplete GB18030 byte sequence at end of file %s", hex);
    return gk_diag_set(diag, GK_ERR_PARSE, path, line, column,
                       /* TRANSLATORS: %s is the bytes in hexadecimal, e.g. "FF FE". */
                       "invalid GB18030 byte sequence %s", hex);
}

/* A NUL cannot be carried into XML or PDF strings, and in a text file it means the file is
 * not what it claims (often UTF-16 without a BOM). */
static gk_status check_no_nul(const char *path, const char *text, size_t len, gk_diag *diag)
{
    const char *nul = memchr(text, '\0', len);
    if (nul == NULL)
        return GK_OK;
    int line, column;
    utf8_position((const unsigned char *)text, (size_t)(nul - text), &line, &column);
    return gk_diag_set(diag, GK_ERR_PARSE, path, line, column, "NUL byte in text file");
}

/* ---- Decoding ----------------------------------------------------------------------------- */

static gk_status nomem(const char *path, gk_diag *diag)
{
    return gk_diag_set(diag, GK_ERR_NOMEM, path, 0, 0, "out of memory");
}

/* Copies valid UTF-8 into a fresh NUL-terminated buffer. */
static gk_status finish_utf8(const char *path, const unsigned char *s, size_t len, char **out,
                             size_t *out_len, gk_diag *diag)
{
    gk_status st = check_no_nul(path, (const char *)s, len, diag);
    if (st != GK_OK)
        return st;
    char *copy = malloc(len + 1);
    if (copy == NULL)
        return nomem(path, diag);
    memcpy(copy, s, len);
    copy[len] = '\0';
    *out = copy;
    *out_len = len;
    return GK_OK;
}

/* The file is not UTF-8: convert from GB18030. If that fails too, report whichever decoder
 * got further into the file, since that is most likely the encoding the author meant (a UTF-8
 * file with one stray byte is often rejected by GB18030 earlier, at an odd byte of its hanzi).
 * On a tie UTF-8 wins: GB18030 reads most UTF-8 byte pairs without complaint, while GBK text
 * almost never passes as UTF-8, so a prefix valid in both is far more likely UTF-8. utf8_bad is
 * NULL when the encoding is known to be GB18030: its errors are then GB18030's. */
static gk_status decode_gb18030(const char *path, const unsigned char *s, size_t len,
                                bool at_file_start, const bad_spot *utf8_bad, char **out,
                                size_t *out_len, gk_diag *diag)
{
    char *text;
    size_t text_len;
    bad_spot gb_bad = gb18030_convert(s, len, &text, &text_len);
    if (gb_bad.kind == BAD_NOMEM)
        return nomem(path, diag);
    if (gb_bad.kind == BAD_NO_CONVERTER)
        return gk_diag_set(diag, GK_ERR_IO, path, 0, 0,
                           "file is not UTF-8 and the GB18030 converter (iconv) is unavailable");
    /* 84 31 95 33 is the GB18030 form of the BOM; iconv keeps it as U+FEFF. Drop it before
     * counting columns, as for the UTF-8 BOM; anywhere else it is a character of the text. */
    if (at_file_start && text_len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        memmove(text, text + 3, text_len - 3 + 1);
        text_len -= 3;
    }
    gk_status st;
    if (gb_bad.kind != BAD_NONE) {
        if (utf8_bad != NULL && utf8_bad->offset >= gb_bad.offset)
            st = report_utf8(path, s, *utf8_bad, diag);
        else
            st = report_gb18030(path, s, len, gb_bad, text, text_len, diag);
        free(text);
        return st;
    }
    st = check_no_nul(path, text, text_len, diag);
    if (st != GK_OK) {
        free(text);
        return st;
    }
    *out = text;
    *out_len = text_len;
    return GK_OK;
}

gk_status gk_text_decode(const char *path, const unsigned char *bytes, size_t len, char **out,
                         size_t *out_len, gk_encoding *used, gk_diag *diag)
{
    *out = NULL;
    *out_len = 0;
    if (len >= 2 && ((bytes[0] == 0xFF && bytes[1] == 0xFE) ||
                     (bytes[0] == 0xFE && bytes[1] == 0xFF)))
        return gk_diag_set(diag, GK_ERR_PARSE, path, 1, 1,
                           /* TRANSLATORS: the file's first two bytes, in hexadecimal. */
                           "unsupported encoding UTF-16 (byte-order mark %02X %02X)", bytes[0],
                           bytes[1]);

    /* A UTF-8 BOM is a promise: after it, bad bytes are reported as UTF-8 errors rather than
     * tried as GB18030. Positions are counted after the BOM, as the CSV reader sees the text. */
    bool bom = len >= 3 && memcmp(bytes, "\xEF\xBB\xBF", 3) == 0;
    const unsigned char *s = bom ? bytes + 3 : bytes;
    size_t n = bom ? len - 3 : len;

    bad_spot bad = utf8_validate(s, n);
    /* A file that is valid UTF-8 except for a sequence cut off at its very end is a truncated
     * UTF-8 file; GB18030 would often "decode" it into mojibake without complaint. */
    if (bad.kind != BAD_NONE && (bom || bad.kind == BAD_TRUNCATED))
        return report_utf8(path, s, bad, diag);
    if (bad.kind == BAD_NONE) {
        if (used != NULL)
            *used = GK_ENCODING_UTF8;
        return finish_utf8(path, s, n, out, out_len, diag);
    }
    gk_status st = decode_gb18030(path, s, n, true, &bad, out, out_len, diag);
    if (st == GK_OK && used != NULL)
        *used = GK_ENCODING_GB18030;
    return st;
}

/* ---- Loading ------------------------------------------------------------------------------ */

gk_status gk_file_read(const char *path, unsigned char **data, size_t *len, gk_diag *diag)
{
    return gk_input_read(path, GK_INPUT_MAX_BYTES, data, len, diag);
}

gk_status gk_text_load(const char *path, char **out, size_t *out_len, gk_encoding *used,
                       gk_diag *diag)
{
    *out = NULL;
    *out_len = 0;
    unsigned char *data = NULL;
    size_t len = 0;
    gk_status st = gk_file_read(path, &data, &len, diag);
    if (st != GK_OK)
        return st;
    st = gk_text_decode(path, data, len, out, out_len, used, diag);
    free(data);
    return st;
}

gk_status gk_text_decode_as(const char *path, const unsigned char *bytes, size_t len,
                            gk_encoding encoding, bool at_file_start, char **out,
                            size_t *out_len, gk_diag *diag)
{
    *out = NULL;
    *out_len = 0;
    if (encoding == GK_ENCODING_GB18030)
        return decode_gb18030(path, bytes, len, at_file_start, NULL, out, out_len, diag);
    bool bom = at_file_start && len >= 3 && memcmp(bytes, "\xEF\xBB\xBF", 3) == 0;
    const unsigned char *s = bom ? bytes + 3 : bytes;
    size_t n = bom ? len - 3 : len;
    bad_spot bad = utf8_validate(s, n);
    if (bad.kind != BAD_NONE)
        return report_utf8(path, s, bad, diag);
    return finish_utf8(path, s, n, out, out_len, diag);
}

/* ---- Checking a whole file in pieces ----------------------------------------------------- */

/* What a file's bytes are in one encoding: text, not this encoding (another may fit), or bad
 * whatever the encoding (a NUL, UTF-8 cut off at the very end, a read error). */
typedef enum fit { FIT_TEXT, FIT_OTHER, FIT_BAD } fit;

/* A piece of whole lines (it ends after a line feed, or at the end of the file). A line feed is
 * never part of a multi-byte sequence in either encoding, so pieces check as the whole would. */
static fit piece_fit(const unsigned char *bytes, size_t len, gk_encoding encoding, iconv_t cd)
{
    if (memchr(bytes, '\0', len) != NULL)
        return FIT_BAD;
    if (encoding == GK_ENCODING_UTF8) {
        bad_kind kind = utf8_validate(bytes, len).kind;
        return kind == BAD_NONE ? FIT_TEXT : kind == BAD_TRUNCATED ? FIT_BAD : FIT_OTHER;
    }
    iconv(cd, NULL, NULL, NULL, NULL); /* a fresh conversion state for each piece */
    char converted[4096]; /* thrown away: only whether it converts matters */
    char *in = (char *)bytes; /* iconv's prototype is not const-correct */
    size_t in_left = len;
    while (in_left > 0) {
        char *to = converted;
        size_t to_left = sizeof converted;
        if (iconv(cd, &in, &in_left, &to, &to_left) == (size_t)-1 && errno != E2BIG)
            return FIT_BAD;
    }
    return FIT_TEXT;
}

/* Reads fd from its start in pieces of whole lines and fits each to the encoding; *buf (of
 * *cap bytes) is reused between calls and grows only for a line longer than it. */
static fit file_fit(int fd, gk_encoding encoding, iconv_t cd, unsigned char **buf, size_t *cap)
{
    size_t used = 0, total = 0;
    if (lseek(fd, 0, SEEK_SET) != 0)
        return FIT_BAD;
    for (;;) {
        if (used == *cap) {
            unsigned char *grown = *cap > GK_INPUT_MAX_BYTES ? NULL : realloc(*buf, *cap * 2);
            if (grown == NULL)
                return FIT_BAD;
            *buf = grown;
            *cap *= 2;
        }
        ssize_t n = read(fd, *buf + used, *cap - used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 || (total += (size_t)n) > GK_INPUT_MAX_BYTES)
            return FIT_BAD;
        used += (size_t)n;
        const unsigned char *feed = n > 0 ? memrchr(*buf, '\n', used) : NULL;
        size_t cut = n == 0 ? used : feed ? (size_t)(feed - *buf) + 1 : 0;
        fit piece = cut > 0 ? piece_fit(*buf, cut, encoding, cd) : FIT_TEXT;
        if (piece != FIT_TEXT || n == 0)
            return piece;
        memmove(*buf, *buf + cut, used - cut);
        used -= cut;
    }
}

gk_status gk_text_check_fd(const char *path, int fd, gk_encoding *used, gk_diag *diag)
{
    struct stat st;
    size_t size = fstat(fd, &st) == 0 && st.st_size > 0 ? (size_t)st.st_size : 0;
    unsigned char head[3] = {0};
    ssize_t got = pread(fd, head, sizeof head, 0);
    bool utf16 = got >= 2 && ((head[0] == 0xFF && head[1] == 0xFE) ||
                              (head[0] == 0xFE && head[1] == 0xFF));
    bool bom = got == 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0;
    size_t cap = gk_input_block(size, 1 << 20); /* file_fit grows it if the file grows */
    unsigned char *buf = malloc(cap);
    gk_encoding encoding = GK_ENCODING_UTF8;
    fit result = buf == NULL || utf16 ? FIT_BAD : file_fit(fd, encoding, NULL, &buf, &cap);
    if (result == FIT_OTHER && !bom) { /* a UTF-8 BOM promises UTF-8 */
        encoding = GK_ENCODING_GB18030;
        iconv_t cd = iconv_open("UTF-8", "GB18030");
        result = cd == (iconv_t)-1 ? FIT_BAD : file_fit(fd, encoding, cd, &buf, &cap);
        if (cd != (iconv_t)-1)
            iconv_close(cd);
    }
    free(buf);
    if (result == FIT_TEXT) {
        if (used != NULL)
            *used = encoding;
        return GK_OK;
    }
    /* a bad byte (or a file that could not be read): decoding it whole says what and where */
    unsigned char *data = NULL;
    size_t len = 0;
    gk_status status = gk_input_read_fd(path, fd, GK_INPUT_MAX_BYTES, &data, &len, diag);
    char *text = NULL;
    size_t text_len = 0;
    if (status == GK_OK &&
        (status = gk_text_decode(path, data, len, &text, &text_len, used, diag)) == GK_OK)
        /* whole, it decodes: it was written to between the two readings */
        status = gk_diag_set(diag, GK_ERR_IO, path, 0, 0,
                             "the file changed while the package was being read");
    free(text);
    free(data);
    return status;
}

gk_status gk_text_check_file(const char *path, gk_encoding *used, gk_diag *diag)
{
    int fd;
    size_t size;
    gk_status status = gk_input_open(path, GK_INPUT_MAX_BYTES, &fd, &size, diag);
    if (status != GK_OK)
        return status;
    status = gk_text_check_fd(path, fd, used, diag);
    close(fd);
    return status;
}
