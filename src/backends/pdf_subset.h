/* Private to the PDF backend: cuts the TrueType font program libharu 2.3.0 writes down to the
 * glyphs it embeds. libharu keeps every glyph id: loca and hmtx cover all 22,000-34,000 glyphs
 * of a prepared face and cmap all its characters, though a booklet draws about 500. This
 * renumbers the kept glyphs densely (in their old order, .notdef first), rewrites composite
 * glyphs' component ids, and writes only the tables a CIDFontType2 program needs (PDF 32000-1
 * §9.9: no cmap, since CIDToGIDMap maps CIDs to the new ids). Used by pdf_harufix.c. */
#ifndef GONGKAI_PDF_SUBSET_H
#define GONGKAI_PDF_SUBSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* font/size: an sfnt with glyf, loca, head, hhea, hmtx and maxp tables. keep[gid] (for
 * num_glyphs glyphs, the font's own count) marks the glyphs to keep, composite components
 * included; glyph 0 is always kept. On success *out is a malloc'd font of *out_size bytes and
 * new_gid[gid] (num_glyphs entries) the kept glyphs' new ids, 0 for dropped ones. False when
 * the font does not have the expected shape or memory runs out; then *out is NULL. */
bool gk_subset_truetype(const uint8_t *font, size_t size, const uint8_t *keep,
                        unsigned num_glyphs, uint16_t *new_gid, uint8_t **out,
                        size_t *out_size);

/* Calls visit(at, id, ctx) for each component of a composite glyph (g, len bytes of 'glyf'):
 * at is the offset in g of the component's glyph id. True for empty and simple glyphs; false
 * when a record runs past the glyph or visit returns false. */
bool gk_glyf_each_component(const uint8_t *g, size_t len,
                            bool (*visit)(size_t at, unsigned id, void *ctx), void *ctx);

#endif
