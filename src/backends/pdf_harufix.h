/* Private to the PDF backend: repairs of libharu 2.3.0's embedded TrueType (Type0/CIDFontType2)
 * fonts through its internal structs (shared/notes/libraries.md §1.3, §2, §3.4), used by
 * pdf_font.c, and the two catalog entries libharu has no API for, used by pdf.c.
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

#include <hpdf.h> /* without HPDF_SHARED this also brings the internal headers */

#if HPDF_VERSION_ID != 20300
#error "pdf_harufix relies on libharu 2.3.0 internal struct layouts: review it for this version"
#endif

/* True when the libharu library linked at run time is 2.3.0 (the one compiled against). */
bool gk_haru_version_ok(void);

/* True when font is a Type0 font over an embedded TrueType face (what gk_pdf_font_load makes). */
bool gk_haru_is_embedded_truetype(HPDF_Font font);

/* The glyph id libharu maps code to (0 when the font lacks it), and the number of glyphs. */
uint16_t gk_haru_glyph_id(HPDF_Font font, uint16_t code);
unsigned gk_haru_glyph_count(HPDF_Font font);

/* The advance of code in 1/1000 em as libharu computes it for /W (truncated); no side effect. */
int gk_haru_code_width(HPDF_Font font, uint16_t code);

/* Marks the glyphs of codes, and every component of composite glyphs among them (recursively,
 * with unsigned glyph ids), for embedding. Fails with HPDF_INVALID_OPERATION and sets
 * *unrecorded_gid when libharu had marked a glyph (because text was drawn or measured with it)
 * that codes do not explain: that text would draw as .notdef after trimming.
 * *unrecorded_gid is -1 otherwise. Returns HPDF_FAILD_TO_ALLOC_MEM when out of memory. */
HPDF_STATUS gk_haru_embed_glyphs(HPDF_Font font, const uint16_t *codes, size_t count,
                                 long *unrecorded_gid);

/* Replaces the ToUnicode stream (libharu writes its encoder's CID CMap there, which is not a
 * ToUnicode CMap) by a map of codes to themselves: one bfrange per 256-code row in use. */
HPDF_STATUS gk_haru_write_tounicode(HPDF_Font font, const uint16_t *codes, size_t count);

/* Sets the CIDFont's CIDSystemInfo /Ordering to (Identity) instead of (Identity-H). */
HPDF_STATUS gk_haru_set_identity_ordering(HPDF_Font font);

/* Rewrites /W with the widths of codes only. */
HPDF_STATUS gk_haru_trim_widths(HPDF_Font font, const uint16_t *codes, size_t count);

/* Makes libharu write the embedded font file now (it would at save time), cuts it down to the
 * embedded glyphs, renumbered densely (pdf_subset.h: 2.3.0 keeps every glyph id, so loca, hmtx
 * and cmap cover the whole face), and writes CIDToGIDMap for codes (ascending) up to the
 * highest. Glyphs marked after this call are missing from the file, so it must come after the
 * last text is drawn. When the marked glyphs would make libharu's font file end exactly on one
 * of its 4096-byte stream blocks (which its writer cannot handle: pdf_harufix.c), one small
 * simple glyph that no code maps to is embedded too. */
HPDF_STATUS gk_haru_write_font_file(HPDF_Font font, const uint16_t *codes, size_t count);

/* Sets the catalog's /Lang, the document's natural language (a BCP 47 tag such as zh-CN), which
 * screen readers and text-to-speech go by. */
HPDF_STATUS gk_haru_set_language(HPDF_Doc pdf, const char *tag);

/* Starts a page-label range at page index first_page whose pages have no label at all (no
 * numbering style, no prefix); HPDF_AddPageLabel always numbers. Ranges go in ascending order. */
HPDF_STATUS gk_haru_add_unnumbered_label(HPDF_Doc pdf, unsigned first_page);

#endif
