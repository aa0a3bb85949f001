/* The PDF backend's font layer over libharu 2.3.0: opens a TrueType face (parsed once per
 * process and shared, read-only, by every document and thread: pdf_subset.h), measures
 * advances from it, records every drawn string, gives libharu a small font cut down to the
 * recorded characters, and repairs libharu's font objects before saving (ToUnicode,
 * CIDSystemInfo, W, CIDToGIDMap, the embedded font file).
 *
 * Call order, per HPDF_Doc (one thread per document):
 *   gk_pdf_font_open            once per face and document; nothing touches libharu yet
 *   gk_pdf_font_advance/has_glyph   while laying out
 *   gk_pdf_font_record(s)       for every string the document will draw with the font
 *   HPDF_SetCompressionMode(pdf, HPDF_COMP_ALL)   before embedding: libharu picks a font's
 *                               filter when the font is created, so fonts created earlier
 *                               are stored uncompressed (3-4 times larger)
 *   gk_pdf_font_embed           once, after the last string is recorded and before the first
 *                               is drawn: it makes the subset and libharu's font from it
 *   { gk_pdf_font_record(s) + HPDF_Page_ShowText/TextOut(s) }   drawing; recording here
 *                               only checks that the string was recorded before embedding
 *   gk_pdf_font_finish          once, after the last string is drawn and before
 *                               HPDF_SaveToStream: it writes the embedded font file
 *   HPDF_SaveToStream, HPDF_Free, then gk_pdf_font_free (any order with HPDF_Free)
 * A character drawn that was not recorded before embedding is not in the font and would draw
 * as .notdef (blank): finish fails with GK_ERR_STATE rather than let it pass silently.
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

/* Opens the TrueType file at path for one document. ttc_index selects a face of a .ttc
 * collection; pass -1 (or 0) for a plain .ttf. The face is read on first use in the process
 * (its small tables and character map; the file stays open for the glyph outlines a booklet
 * needs) and kept for later documents while the file's device, inode, size and times stay the
 * same. CFF-based OpenType fonts are rejected: libharu embeds glyf outlines only. On failure
 * *out is NULL and diag says why: GK_ERR_IO (unreadable file), GK_ERR_USAGE (index does not
 * fit the file), GK_ERR_BACKEND (not a TrueType font libharu can embed), GK_ERR_NOMEM. A file
 * rewritten in place while a process uses it gives wrong glyphs or an error, never a crash. */
gk_status gk_pdf_font_open(const char *path, int ttc_index, gk_pdf_font **out, gk_diag *diag);

/* How many faces this process has parsed so far: each face should be parsed once per process,
 * not once per document (a test hook). */
size_t gk_pdf_font_faces_parsed(void);

/* True when libharu would take a and b for one font (the same name: PostScript name and
 * subfamily); a document then embeds and draws both with one of them. */
/* Parses the face of path (index 0) into the process's cache, if it can; says nothing. */
void gk_pdf_font_warm(const char *path);

bool gk_pdf_font_same_face(const gk_pdf_font *a, const gk_pdf_font *b);

/* Advance width of one code point in 1/1000 em: exactly the value libharu writes into /W, so
 * a layout measured with it matches what viewers draw. Code points above U+FFFF measure as a
 * space (libharu draws them as one); a missing glyph measures as .notdef. Takes a const void *
 * so it can serve directly as a measuring callback. */
double gk_pdf_font_advance(const void *font, uint32_t codepoint);

/* True when the font has a real glyph for codepoint; false for glyph id 0 or codepoints above
 * U+FFFF (which libharu cannot draw). Check this before drawing (reliability.md F6). */
bool gk_pdf_font_has_glyph(const gk_pdf_font *font, uint32_t codepoint);

/* Records the code points of a UTF-8 string the document draws with this font. Every drawn
 * string must pass through here before gk_pdf_font_embed: the recorded set is the font's
 * subset and drives ToUnicode, /W and CIDToGIDMap. After embedding it checks instead: a code
 * point not recorded before makes gk_pdf_font_finish fail. Invalid UTF-8 bytes are skipped (as
 * libharu skips them); validate text beforehand. */
void gk_pdf_font_record(gk_pdf_font *font, const char *utf8, size_t len);

/* The codes the embedded font draws a UTF-8 string with, as the hex of a PDF string (4 upper-
 * case hex digits a character, the bytes libharu's "UTF-8" encoder gives), into hex (room for
 * 4 * len + 1); checks the characters as gk_pdf_font_record does after embedding. Returns the
 * number of hex digits written. */
size_t gk_pdf_font_codes(gk_pdf_font *font, const char *utf8, size_t len, char *hex);

/* Makes the font's subset from the recorded code points and loads it into pdf, embedded, with
 * the "UTF-8" encoder (registered and made current on first use). Call once per font, after
 * the last string is recorded and before any is drawn. Fails with GK_ERR_STATE when called
 * twice or when pdf already has this face (see gk_pdf_font_same_face), GK_ERR_BACKEND when
 * libharu refuses the font, GK_ERR_NOMEM. */
gk_status gk_pdf_font_embed(HPDF_Doc pdf, gk_pdf_font *font, gk_diag *diag);

/* The libharu font, for HPDF_Page_SetFontAndSize; NULL before gk_pdf_font_embed. */
HPDF_Font gk_pdf_font_handle(const gk_pdf_font *font);

/* Writes a valid ToUnicode CMap, sets CIDSystemInfo /Ordering (Identity), trims /W to the
 * recorded code points, and writes the embedded font file (the subset) with the CIDToGIDMap
 * for it. Call once, after the last string is drawn with this font and before
 * HPDF_SaveToStream (a second call, or one before embedding, is GK_ERR_STATE). Fails with
 * GK_ERR_STATE when text was drawn with the font that was not recorded before embedding (it
 * would print blank). */
gk_status gk_pdf_font_finish(gk_pdf_font *font, gk_diag *diag);

/* Frees our wrapper and lets go of its face; libharu's objects belong to the HPDF_Doc. NULL
 * is allowed. */
void gk_pdf_font_free(gk_pdf_font *font);

#endif
