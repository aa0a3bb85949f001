/* Private to the PDF backend: reads a TrueType face (a .ttf, or one face of a .ttc) once, and
 * cuts from it, per booklet, a font program holding only the glyphs the booklet draws. It works
 * on the font's bytes, not on libharu, so it does not depend on libharu's version.
 *
 * Why: libharu 2.3.0 parses a whole face for every document (a prepared face has 22,000-34,000
 * glyphs), looks up all 65,536 BMP code points in it with a linear search of the cmap segments,
 * and writes loca, hmtx and cmap whole. Given the small font made here instead, all of that
 * shrinks with the booklet, not with the face (pdf_font.c). A face is immutable once opened, so
 * one can serve any number of documents and threads. */
#ifndef GONGKAI_PDF_SUBSET_H
#define GONGKAI_PDF_SUBSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct gk_ttf gk_ttf;

/* Reads face `index` of the font file open on fd, of size bytes (a collection needs index < its
 * number of faces; a plain font index 0). The small tables are read now; glyph outlines are
 * read with pread when a subset needs them, so fd must stay open (and the file unchanged)
 * while the face is used; the caller closes it after gk_ttf_free. Checks what the
 * subsetter and libharu rely on: the tables head, hhea, maxp, hmtx, loca, glyf, OS/2, a Windows
 * Unicode (platform 3, encoding 1) format 4 cmap, and a name table with the PostScript and
 * subfamily names libharu reads; embedding must be allowed (OS/2 fsType). Returns NULL with
 * *why a reason (English, marked for translation with N_) when the font is unusable, or with
 * *why NULL when memory ran out. */
gk_ttf *gk_ttf_open(int fd, size_t size, unsigned index, const char **why);

void gk_ttf_free(gk_ttf *face);

/* The glyph of a BMP code point, 0 when the face has none. */
uint16_t gk_ttf_glyph(const gk_ttf *face, uint16_t code);

/* The advance of code's glyph in 1/1000 em, truncated, as libharu computes it for /W. */
int gk_ttf_width(const gk_ttf *face, uint16_t code);

/* The font name libharu gives the face (PostScript name, then ",Subfamily" unless it is
 * Regular): two faces with the same name are one font to libharu. */
const char *gk_ttf_base_name(const gk_ttf *face);

/* The top of the glyph of 'x' in 1/1000 em as libharu computes it (its /XHeight), 0 without. */
int gk_ttf_x_height(const gk_ttf *face);

/* A per-booklet subset. program is the embedded font program (FontFile2): the kept glyphs,
 * renumbered densely in their old order (.notdef first), composite glyphs' components included
 * and renumbered, and only the tables a CIDFontType2 program needs (ISO 32000-1 §9.9: no cmap
 * and no name, since CIDToGIDMap maps CIDs to glyphs and the font dictionary names it).
 * loadable is a font for libharu to load: the program's metrics with the names libharu reads,
 * but no outlines and a cmap that maps nothing; cmap is the Windows Unicode format 4 subtable
 * mapping the codes to the program's glyphs, for libharu to draw with. gid[i] is the new glyph
 * of codes[i] (0 for a code the face lacks). */
typedef struct gk_ttf_subset {
    uint8_t *program, *loadable, *cmap;
    size_t program_size, loadable_size, cmap_size;
    uint16_t *gid;
} gk_ttf_subset;

/* Makes the subset for codes (ascending, distinct BMP code points). False when the face's
 * glyph data is inconsistent (*why says how), when the codes need a cmap longer than format 4
 * allows (tens of thousands of distinct characters), or when memory runs out (*why NULL). */
bool gk_ttf_subset_make(const gk_ttf *face, const uint16_t *codes, size_t count,
                        gk_ttf_subset *out, const char **why);

void gk_ttf_subset_free(gk_ttf_subset *subset);

#endif
