/* Private to the PDF backend: loading a font from memory into libharu 2.3.0 and repairs of its
 * embedded TrueType (Type0/CIDFontType2) fonts through its internal structs
 * (shared/notes/libraries.md §1.3, §3.3, §3.4), used by pdf_font.c, and the two catalog
 * entries libharu has no API for, used by pdf.c.
 *
 * These functions read and write libharu's private structures (HPDF_FontAttr_Rec,
 * HPDF_TTFontDefAttr_Rec, stream dicts), whose layout changes between releases, so the module
 * refuses to build against any other version; pdf_font.c also checks HPDF_GetVersion() at run
 * time in case the shared library differs from the headers. Code points are BMP values
 * (libharu's UTF-8 encoder writes the UTF-16 code unit as the CID), passed ascending. */
#ifndef GONGKAI_PDF_HARUFIX_H
#define GONGKAI_PDF_HARUFIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include <hpdf.h> /* without HPDF_SHARED this also brings the internal headers */

#if HPDF_VERSION_ID != 20300
#error "pdf_harufix relies on libharu 2.3.0 internal struct layouts: review it for this version"
#endif

/* True when the libharu library linked at run time is 2.3.0 (the one compiled against). */
bool gk_haru_version_ok(void);

/* True when font is a Type0 font over an embedded TrueType face (what gk_pdf_font_load makes). */
bool gk_haru_is_embedded_truetype(HPDF_Font font);

/* Loads the TrueType font in bytes (size bytes, copied) into pdf, embedded, as
 * HPDF_LoadTTFontFromFile loads a file (2.3.0 cannot load a font from memory), and sets *name
 * to its name for HPDF_GetFont. Its /XHeight will be x_height: libharu measures the glyph of
 * 'x', which a subset may not have. HPDF_FONT_EXISTS when pdf already has a font of that name
 * (pdf is left as it was); other errors are libharu's, left in pdf. */
HPDF_STATUS gk_haru_load_font(HPDF_Doc pdf, const uint8_t *bytes, size_t size, int x_height,
                              const char **name);

/* HPDF_GetFont(pdf, name, "UTF-8"), without its pass over every code: for an encoder that is
 * not a CMap one (UTF-8 is not), libharu's CIDFontType2_New looks up a glyph and a width for
 * all 65,536 BMP codes to build /W and CIDToGIDMap — 7.5 M instructions a font — which
 * gk_haru_trim_widths and gk_haru_write_font_file replace anyway. For the call, the encoder
 * passes for a CMap encoder whose map holds one code, so the pass only reads that map. */
HPDF_Font gk_haru_get_utf8_font(HPDF_Doc pdf, const char *name);

/* Replaces the character map libharu loaded with format4 (a Windows Unicode format 4 subtable
 * of size bytes), in its memory, after HPDF_GetFont: the font was loaded with a map of nothing
 * so that HPDF_GetFont's lookup of all 65,536 BMP code points is cheap (its /W and
 * CIDToGIDMap are rewritten before saving anyway), and drawing needs the real one. Also stops
 * libharu reading glyph outlines from the loaded font (which has none) when it marks a glyph
 * drawn: that check only served its own font-file writer, which is not used. */
HPDF_STATUS gk_haru_set_cmap(HPDF_Font font, const uint8_t *format4, size_t size);

/* libharu marks a glyph as used whenever it measures text (every TextOut/ShowText does), and
 * .notdef from the start. Unmarking .notdef after HPDF_GetFont makes gk_haru_notdef_drawn tell
 * whether text drew a character the font maps to no glyph. */
void gk_haru_unmark_notdef(HPDF_Font font);
bool gk_haru_notdef_drawn(HPDF_Font font);

/* Replaces the ToUnicode stream (libharu writes its encoder's CID CMap there, which is not a
 * ToUnicode CMap) by a map of codes to themselves: one bfrange per 256-code row in use. */
HPDF_STATUS gk_haru_write_tounicode(HPDF_Font font, const uint16_t *codes, size_t count);

/* Sets the CIDFont's CIDSystemInfo /Ordering to (Identity) instead of (Identity-H). */
HPDF_STATUS gk_haru_set_identity_ordering(HPDF_Font font);

/* Rewrites /W with the widths of codes only. */
HPDF_STATUS gk_haru_trim_widths(HPDF_Font font, const uint16_t *codes, size_t count);

/* Writes the font descriptor with program (size bytes) as its embedded font file, and
 * CIDToGIDMap mapping each of codes (ascending) to gids[i], up to the highest code. When the
 * document compresses fonts, these and the ToUnicode stream are deflated here (libdeflate),
 * not at save time by libharu (zlib): half the instructions for the same size, and the
 * CIDToGIDMap (14 M instructions a booklet in libharu) at the fastest level. Call after the
 * last text is drawn with the font and after gk_haru_write_tounicode, before saving; the
 * streams must not be written to afterwards. */
HPDF_STATUS gk_haru_write_font_file(HPDF_Font font, const uint8_t *program, size_t size,
                                    const uint16_t *codes, const uint16_t *gids, size_t count);

/* Compresses the pages' content streams here (libdeflate, its fastest level) rather than at
 * save time in libharu (zlib), as gk_haru_write_font_file does the fonts'. Call after the
 * last page is drawn, before saving. */
HPDF_STATUS gk_haru_compress_page_contents(HPDF_Doc pdf);

/* The document HPDF_SaveToStream wrote, as the blocks of its memory stream in order
 * (malloc'd, *count of them; NULL when out of memory or not saved): written out as they are,
 * without HPDF_ReadFromStream's copy (byte by byte, into a buffer as large as the file). */
struct iovec *gk_haru_saved_parts(HPDF_Doc pdf, size_t *count);

/* Sets the catalog's /Lang, the document's natural language (a BCP 47 tag such as zh-CN), which
 * screen readers and text-to-speech go by. */
HPDF_STATUS gk_haru_set_language(HPDF_Doc pdf, const char *tag);

/* Starts a page-label range at page index first_page whose pages have no label at all (no
 * numbering style, no prefix); HPDF_AddPageLabel always numbers. Ranges go in ascending order. */
HPDF_STATUS gk_haru_add_unnumbered_label(HPDF_Doc pdf, unsigned first_page);

#endif
