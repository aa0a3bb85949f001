/* The PDF backend's font layer over libharu 2.3.0: loads an embedded TrueType face with the
 * UTF-8 encoder, measures advances, records every drawn string, and repairs libharu's font
 * objects before saving (composite glyphs, ToUnicode, CIDSystemInfo, W, CIDToGIDMap).
 *
 * Call order, per HPDF_Doc (one thread per document; fonts are never shared between docs):
 *   HPDF_SetCompressionMode(pdf, HPDF_COMP_ALL)   before loading: libharu picks a font's
 *                               filter when the font is created, so fonts loaded earlier
 *                               are stored uncompressed (3-4 times larger)
 *   gk_pdf_font_load            once per face (loading a face twice is GK_ERR_STATE)
 *   { gk_pdf_font_record(s) + HPDF_Page_ShowText/TextOut(s) }   for every string drawn
 *   gk_pdf_font_finish          once per font, after its last string is drawn and before
 *                               HPDF_SaveToStream: it writes the embedded font file, so
 *                               nothing may be drawn with the font afterwards
 *   HPDF_SaveToStream, HPDF_Free, then gk_pdf_font_free (the struct only; any order
 *                               with HPDF_Free is fine as long as nothing else is called)
 * Text drawn with a font but not recorded draws as .notdef (blank): finish detects this from
 * libharu's glyph marks and fails with GK_ERR_STATE rather than let it pass silently.
 * Never measure with HPDF_Font_MeasureText or HPDF_Page_TextWidth (libraries.md §4.5): the
 * first splits UTF-8 sequences, and both mark glyphs as drawn. Use gk_pdf_font_advance. */
#ifndef GONGKAI_PDF_FONT_H
#define GONGKAI_PDF_FONT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hpdf.h>

#include "gongkai/diag.h"

/* The two prepared faces (fonts/prepare.py). */
typedef enum gk_pdf_face {
    GK_PDF_FACE_SONG = 0, /* 宋体-like, body and table text: song.ttf */
    GK_PDF_FACE_HEI = 1   /* 黑体-like, titles: hei.ttf */
} gk_pdf_face;

typedef struct gk_pdf_font gk_pdf_font;

/* Path of a prepared face in gk_data_dir(GK_DATA_FONTS). NULL for an unknown face or a too-long path. The string
 * lives in thread-local storage until the next call on the same thread.
 * Fonts are trusted inputs (reliability.md F4): check fonts/fonts.sha256 before loading. */
const char *gk_pdf_font_default_path(int face);

/* Checks the fonts a document will load, before any is loaded: a prepared face must match
 * its pin in fonts.sha256 beside it (fonts are trusted resources: libharu crashes on
 * malformed ones, reliability.md F4); a font given by the user must be readable TrueType.
 * path NULL means the prepared face. */
gk_status gk_pdf_font_verify(int face, const char *path, gk_diag *diag);

/* Loads the TrueType file at path into pdf, embedded, with the "UTF-8" encoder (registered
 * and made current on first use). ttc_index selects a face of a .ttc collection; pass -1 (or
 * 0) for a plain .ttf. CFF-based OpenType fonts are rejected: libharu embeds glyf outlines
 * only. On failure *out is NULL and diag says why: GK_ERR_IO (unreadable file), GK_ERR_USAGE
 * (index does not fit the file), GK_ERR_BACKEND (libharu refused it), GK_ERR_STATE (this face
 * is already loaded in pdf). Fonts are trusted inputs: libharu may crash on a malformed one. */
gk_status gk_pdf_font_load(HPDF_Doc pdf, const char *path, int ttc_index, gk_pdf_font **out,
                           gk_diag *diag);

/* The libharu font, for HPDF_Page_SetFontAndSize. */
HPDF_Font gk_pdf_font_handle(const gk_pdf_font *font);

/* Advance width of one code point in 1/1000 em: exactly the value libharu writes into /W, so
 * a layout measured with it matches what viewers draw. Code points above U+FFFF measure as a
 * space (libharu draws them as one); a missing glyph measures as .notdef. Takes a const void *
 * so it can serve directly as a measuring callback. Marks nothing as drawn. */
double gk_pdf_font_advance(const void *font, uint32_t codepoint);

/* True when the font has a real glyph for codepoint; false for glyph id 0 or codepoints above
 * U+FFFF (which libharu cannot draw). Check this before drawing (reliability.md F6). */
bool gk_pdf_font_has_glyph(const gk_pdf_font *font, uint32_t codepoint);

/* Records the code points of a UTF-8 string about to be drawn with this font. Every drawn
 * string must pass through here: the recorded set drives ToUnicode, /W and CIDToGIDMap.
 * Invalid UTF-8 bytes are skipped (as libharu skips them); validate text beforehand. */
void gk_pdf_font_record(gk_pdf_font *font, const char *utf8, size_t len);

/* Repairs this font's libharu objects from the recorded code points: embeds composite glyphs'
 * components, writes a valid ToUnicode CMap, sets CIDSystemInfo /Ordering (Identity), trims /W
 * and writes the embedded font file cut down to the drawn glyphs (renumbered) with the
 * CIDToGIDMap for them. Call once, after the last string is drawn with this font and before
 * HPDF_SaveToStream (a second call is GK_ERR_STATE). Fails with GK_ERR_STATE when libharu
 * drew or measured text that was not recorded (it would print blank). */
gk_status gk_pdf_font_finish(gk_pdf_font *font, gk_diag *diag);

/* Frees our wrapper; libharu's objects belong to the HPDF_Doc. NULL is allowed. */
void gk_pdf_font_free(gk_pdf_font *font);

#endif
