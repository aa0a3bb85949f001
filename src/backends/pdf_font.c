/* The PDF backend's font layer: loading embedded faces with libharu's UTF-8 encoder, advances,
 * glyph coverage, recording drawn code points, and the pre-save repairs (pdf_harufix.c). */
#include "backends/pdf_font.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "backends/pdf_harufix.h"
#include "util/datadir.h"
#include "util/i18n.h"
#include "util/input_file.h"
#include "util/sha256.h"


enum { CODE_SPACE = 0x10000 };               /* libharu draws BMP code units only */
enum { SPACE = 0x20 };                       /* what libharu draws for non-BMP input */

struct gk_pdf_font {
    HPDF_Font font;
    bool finished;                          /* the embedded font file is written */
    char path[GK_DIAG_FILE_MAX];            /* for diagnostics */
    uint8_t recorded[CODE_SPACE / 8];       /* bit per BMP code point drawn */
};

/* ---- default paths --------------------------------------------------------------------- */

const char *gk_pdf_font_default_path(int face)
{
    static const char *const files[] = {"song.ttf", "hei.ttf"};
    static _Thread_local char path[4096];
    if (face < 0 || face > 1)
        return NULL;
    int n = snprintf(path, sizeof path, "%s/%s", gk_data_dir(GK_DATA_FONTS), files[face]);
    return n > 0 && (size_t)n < sizeof path ? path : NULL;
}

/* ---- trust --------------------------------------------------------------------------------- */

static gk_status read_magic(const char *path, char magic[4], gk_diag *diag);

/* The pinned SHA-256 of a prepared face, from fonts.sha256 in the font folder. */
static bool pinned_hash(const char *font_path, char out[65])
{
    char pins[4096];
    const char *slash = strrchr(font_path, '/');
    snprintf(pins, sizeof pins, "%.*s/fonts.sha256", slash ? (int)(slash - font_path) : 1,
             slash ? font_path : ".");
    int fd;
    size_t size;
    if (gk_input_open(pins, GK_INPUT_MAX_BYTES, &fd, &size, NULL) != GK_OK)
        return false;
    FILE *f = fdopen(fd, "r");
    if (f == NULL) {
        close(fd);
        return false;
    }
    char hash[128], name[256];
    bool found = false;
    while (!found && fscanf(f, "%127s %255s", hash, name) == 2)
        found = strlen(hash) == 64 && strcmp(name, slash ? slash + 1 : font_path) == 0;
    fclose(f);
    if (found)
        memcpy(out, hash, 65);
    return found;
}

gk_status gk_pdf_font_verify(int face, const char *path, gk_diag *diag)
{
    if (path != NULL) { /* the user's own font: readable TrueType, checked by read_magic */
        char magic[4];
        return read_magic(path, magic, diag);
    }
    path = gk_pdf_font_default_path(face);
    if (path == NULL)
        return gk_diag_set(diag, GK_ERR_IO, "", 0, 0, "no prepared font for face %d", face);
    char magic[4], expected[65], found[65];
    gk_status status = read_magic(path, magic, diag); /* a regular file before it is hashed */
    if (status != GK_OK)
        return status;
    if (!pinned_hash(path, expected))
        return gk_diag_set(diag, GK_ERR_IO, path, 0, 0,
                           "font not pinned: fonts.sha256 beside it is missing or has no line "
                           "for it");
    if (!gk_sha256_file_stamped(path, found))
        return gk_diag_set(diag, GK_ERR_IO, path, 0, 0, "cannot read the font: %s",
                           strerror(errno));
    if (strcmp(expected, found) != 0)
        return gk_diag_set(diag, GK_ERR_IO, path, 0, 0,
                           "font differs from its pinned SHA-256 (expected %s, found %s): "
                           "rebuild it or reinstall gongkai", expected, found);
    return GK_OK;
}

/* ---- loading --------------------------------------------------------------------------- */

/* what: the step that failed, already translated. */
static gk_status haru_error(HPDF_Doc pdf, gk_diag *diag, const char *path, const char *what)
{
    /* TRANSLATORS: 0x%04lX and %lu are libharu's error and detail codes; %s is the step that
     * failed ("loading the font", "creating the font", …). */
    return gk_diag_set(diag, GK_ERR_BACKEND, path, 0, 0, "libharu error 0x%04lX (detail %lu) while %s",
                       (unsigned long)HPDF_GetError(pdf), (unsigned long)HPDF_GetErrorDetail(pdf),
                       what);
}

/* Reads the first four bytes, so that a missing file gives an errno message and a CFF font a
 * clear one, before libharu sees the file (libharu is fragile on bad fonts: F4). Opened with
 * gk_input_open: only a readable regular file reaches libharu, and a FIFO never blocks. */
static gk_status read_magic(const char *path, char magic[4], gk_diag *diag)
{
    int fd;
    size_t size;
    gk_status status = gk_input_open(path, GK_INPUT_MAX_BYTES, &fd, &size, diag);
    if (status != GK_OK)
        return status;
    ssize_t got = size < 4 ? 0 : pread(fd, magic, 4, 0);
    int err = errno;
    close(fd);
    if (got < 0)
        /* TRANSLATORS: %s is the operating system's reason. */
        return gk_diag_set(diag, GK_ERR_IO, path, 0, 0, "cannot read file: %s", strerror(err));
    if (got != 4)
        return gk_diag_set(diag, GK_ERR_IO, path, 0, 0, "not a TrueType font (too short)");
    return GK_OK;
}

/* Loads the font file into pdf's fontdef list and sets *name to libharu's font name. */
static gk_status load_fontdef(HPDF_Doc pdf, const char *path, int ttc_index, const char **name,
                              gk_diag *diag)
{
    char magic[4];
    gk_status st = read_magic(path, magic, diag);
    if (st != GK_OK)
        return st;
    if (memcmp(magic, "OTTO", 4) == 0)
        return gk_diag_set(diag, GK_ERR_BACKEND, path, 0, 0,
                           "CFF-based OpenType fonts cannot be embedded by libharu; "
                           "convert it to TrueType (fonts/prepare.py does)");
    bool collection = memcmp(magic, "ttcf", 4) == 0;
    if (collection && ttc_index < 0)
        return gk_diag_set(diag, GK_ERR_USAGE, path, 0, 0,
                           "font index %d is invalid for a font collection (.ttc)", ttc_index);
    if (!collection && ttc_index > 0)
        return gk_diag_set(diag, GK_ERR_USAGE, path, 0, 0,
                           "font index %d is invalid for a single font (.ttf)", ttc_index);
    *name = collection ? HPDF_LoadTTFontFromFile2(pdf, path, (HPDF_UINT)ttc_index, HPDF_TRUE)
                       : HPDF_LoadTTFontFromFile(pdf, path, HPDF_TRUE);
    /* TRANSLATORS: completes "libharu error 0x%04lX (detail %lu) while %s". */
    return *name != NULL ? GK_OK : haru_error(pdf, diag, path, _("loading the font"));
}

/* Registers libharu's UTF-8 encoder once per document (a second registration is an error that
 * would stick to the document) and makes it current, which info strings and outlines need. */
static gk_status use_utf8(HPDF_Doc pdf, const char *path, gk_diag *diag)
{
    if (HPDF_Doc_FindEncoder(pdf, "UTF-8") == NULL && HPDF_UseUTFEncodings(pdf) != HPDF_OK)
        /* TRANSLATORS: completes "libharu error 0x%04lX (detail %lu) while %s". */
        return haru_error(pdf, diag, path, _("enabling UTF-8 encodings"));
    if (HPDF_SetCurrentEncoder(pdf, "UTF-8") != HPDF_OK)
        /* TRANSLATORS: completes "libharu error 0x%04lX (detail %lu) while %s". */
        return haru_error(pdf, diag, path, _("selecting the UTF-8 encoder"));
    return GK_OK;
}

gk_status gk_pdf_font_load(HPDF_Doc pdf, const char *path, int ttc_index, gk_pdf_font **out,
                           gk_diag *diag)
{
    *out = NULL;
    if (!gk_haru_version_ok())
        return gk_diag_set(diag, GK_ERR_BACKEND, path, 0, 0,
                           "libharu %s is linked, but the font repairs need exactly %s",
                           HPDF_GetVersion(), HPDF_VERSION_TEXT);
    if (!HPDF_HasDoc(pdf))
        return gk_diag_set(diag, GK_ERR_STATE, path, 0, 0, "no libharu document");
    gk_status st = use_utf8(pdf, path, diag);
    if (st != GK_OK)
        return st;
    const char *name = NULL;
    if ((st = load_fontdef(pdf, path, ttc_index, &name, diag)) != GK_OK)
        return st;
    /* the repairs rewrite per-font objects from one recorded set: a second wrapper of the
     * same libharu font would overwrite the first one's repairs */
    if (HPDF_Doc_FindFont(pdf, name, "UTF-8") != NULL)
        return gk_diag_set(diag, GK_ERR_STATE, path, 0, 0,
                           "font %s is already loaded in this document", name);
    HPDF_Font font = HPDF_GetFont(pdf, name, "UTF-8");
    if (font == NULL)
        /* TRANSLATORS: completes "libharu error 0x%04lX (detail %lu) while %s". */
        return haru_error(pdf, diag, path, _("creating the font"));
    if (!gk_haru_is_embedded_truetype(font))
        return gk_diag_set(diag, GK_ERR_BACKEND, path, 0, 0,
                           "libharu did not make an embedded TrueType Type0 font");
    gk_pdf_font *f = calloc(1, sizeof *f);
    if (f == NULL)
        return gk_diag_set(diag, GK_ERR_NOMEM, path, 0, 0, "out of memory");
    f->font = font;
    snprintf(f->path, sizeof f->path, "%s", path);
    *out = f;
    return GK_OK;
}

HPDF_Font gk_pdf_font_handle(const gk_pdf_font *font)
{
    return font->font;
}

void gk_pdf_font_free(gk_pdf_font *font)
{
    free(font);
}

/* ---- measuring and coverage ------------------------------------------------------------ */

double gk_pdf_font_advance(const void *font, uint32_t codepoint)
{
    const gk_pdf_font *f = font;
    uint16_t code = codepoint < CODE_SPACE ? (uint16_t)codepoint : SPACE;
    return gk_haru_code_width(f->font, code);
}

bool gk_pdf_font_has_glyph(const gk_pdf_font *font, uint32_t codepoint)
{
    return codepoint < CODE_SPACE && gk_haru_glyph_id(font->font, (uint16_t)codepoint) != 0;
}

/* ---- recording ------------------------------------------------------------------------- */

/* Decodes one UTF-8 sequence at s (n bytes left) into *cp and returns its length, or 0 when
 * the bytes are not valid UTF-8 (overlong forms, surrogates and values past U+10FFFF too). */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    static const uint32_t min_value[] = {0, 0, 0x80, 0x800, 0x10000};
    size_t len = s[0] < 0x80 ? 1 : (s[0] & 0xE0) == 0xC0 ? 2 : (s[0] & 0xF0) == 0xE0 ? 3
               : (s[0] & 0xF8) == 0xF0 ? 4 : 0;
    if (len == 0 || len > n)
        return 0;
    uint32_t value = len == 1 ? s[0] : s[0] & (0x7F >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        value = value << 6 | (s[i] & 0x3F);
    }
    if (value < min_value[len] || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF))
        return 0;
    *cp = value;
    return len;
}

void gk_pdf_font_record(gk_pdf_font *font, const char *utf8, size_t len)
{
    const unsigned char *s = (const unsigned char *)utf8;
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t step = utf8_decode(s + i, len - i, &cp);
        if (step == 0) { /* libharu skips the byte too */
            i++;
            continue;
        }
        if (cp >= CODE_SPACE)
            cp = SPACE; /* libharu draws a space in its place */
        font->recorded[cp / 8] |= (uint8_t)(1u << (cp % 8));
        i += step;
    }
}

/* ---- finishing ------------------------------------------------------------------------- */

/* The recorded code points, ascending, in a malloc'd array (NULL with *count 0 if none). */
static uint16_t *recorded_codes(const gk_pdf_font *font, size_t *count)
{
    size_t n = 0;
    for (uint32_t cp = 1; cp < CODE_SPACE; cp++) /* code 0 is never text */
        n += (font->recorded[cp / 8] >> (cp % 8)) & 1;
    *count = n;
    uint16_t *codes = malloc(sizeof *codes * (n > 0 ? n : 1));
    if (codes == NULL)
        return NULL;
    size_t k = 0;
    for (uint32_t cp = 1; cp < CODE_SPACE; cp++)
        if ((font->recorded[cp / 8] >> (cp % 8)) & 1)
            codes[k++] = (uint16_t)cp;
    return codes;
}

/* A code point whose glyph is gid, for the "not recorded" message (U+0000 if none). */
static uint32_t code_of_glyph(const gk_pdf_font *font, long gid)
{
    for (uint32_t cp = 1; cp < CODE_SPACE; cp++)
        if (gk_haru_glyph_id(font->font, (uint16_t)cp) == gid)
            return cp;
    return 0;
}

/* step: what failed, already translated. */
static gk_status repair_failed(const gk_pdf_font *font, HPDF_STATUS ret, const char *step,
                               gk_diag *diag)
{
    if (ret == HPDF_FAILD_TO_ALLOC_MEM)
        /* TRANSLATORS: %s is a step of the font repairs ("writing the ToUnicode map", …). */
        return gk_diag_set(diag, GK_ERR_NOMEM, font->path, 0, 0, "out of memory while %s",
                           step);
    return gk_diag_set(diag, GK_ERR_BACKEND, font->path, 0, 0,
                       /* TRANSLATORS: 0x%04lX is libharu's error code; %s a step of the font
                        * repairs. */
                       "libharu error 0x%04lX while %s", (unsigned long)ret, step);
}

gk_status gk_pdf_font_finish(gk_pdf_font *font, gk_diag *diag)
{
    if (font->finished)
        return gk_diag_set(diag, GK_ERR_STATE, font->path, 0, 0,
                           "gk_pdf_font_finish called twice for this font");
    size_t count;
    uint16_t *codes = recorded_codes(font, &count);
    if (codes == NULL)
        return gk_diag_set(diag, GK_ERR_NOMEM, font->path, 0, 0, "out of memory");
    long unrecorded;
    gk_status st = GK_OK;
    HPDF_STATUS ret = gk_haru_embed_glyphs(font->font, codes, count, &unrecorded);
    if (unrecorded >= 0)
        st = gk_diag_set(diag, GK_ERR_STATE, font->path, 0, 0,
                         "text was drawn with this font without gk_pdf_font_record "
                         "(glyph %ld, U+%04X): it would print as a blank box",
                         unrecorded, (unsigned)code_of_glyph(font, unrecorded));
    else if (ret != HPDF_OK)
        /* TRANSLATORS: this and the next steps complete "libharu error 0x%04lX while %s" and
         * "out of memory while %s"; ToUnicode, CIDSystemInfo, /W and CIDToGIDMap are PDF
         * names: keep them. */
        st = repair_failed(font, ret, _("embedding composite glyphs"), diag);
    else if ((ret = gk_haru_write_tounicode(font->font, codes, count)) != HPDF_OK)
        st = repair_failed(font, ret, _("writing the ToUnicode map"), diag);
    else if ((ret = gk_haru_set_identity_ordering(font->font)) != HPDF_OK)
        st = repair_failed(font, ret, _("setting CIDSystemInfo"), diag);
    else if ((ret = gk_haru_trim_widths(font->font, codes, count)) != HPDF_OK)
        st = repair_failed(font, ret, _("writing /W"), diag);
    else if ((ret = gk_haru_write_font_file(font->font, codes, count)) != HPDF_OK)
        st = repair_failed(font, ret, _("writing the embedded font file"), diag);
    else
        font->finished = true;
    free(codes);
    return st;
}
