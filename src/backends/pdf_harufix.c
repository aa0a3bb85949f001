/* Repairs of libharu 2.3.0's embedded TrueType fonts through its internal structs; see
 * pdf_harufix.h. Everything here depends on 2.3.0's private layouts and is kept in this one
 * file so that an upgrade has one place to review. */
#include "backends/pdf_harufix.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libdeflate.h>
#include <sys/uio.h>

/* ToUnicode bfrange blocks may hold at most 100 entries (PDF 32000-1 §9.10.3 / CMap spec). */
enum { BFRANGE_BLOCK = 100 };

bool gk_haru_version_ok(void)
{
    const char *version = HPDF_GetVersion();
    return version != NULL && strcmp(version, HPDF_VERSION_TEXT) == 0;
}

static HPDF_FontAttr font_attr(HPDF_Font font)
{
    return (HPDF_FontAttr)font->attr;
}

static HPDF_TTFontDefAttr tt_attr(HPDF_Font font)
{
    return (HPDF_TTFontDefAttr)font_attr(font)->fontdef->attr;
}

bool gk_haru_is_embedded_truetype(HPDF_Font font)
{
    if (font == NULL || font->attr == NULL)
        return false;
    HPDF_FontAttr attr = font_attr(font);
    return attr->type == HPDF_FONT_TYPE0_TT && attr->fontdef != NULL &&
           attr->fontdef->type == HPDF_FONTDEF_TYPE_TRUETYPE && tt_attr(font)->embedding &&
           attr->descendant_font != NULL && attr->map_stream != NULL &&
           attr->cmap_stream != NULL;
}

/* The advance of code in 1/1000 em as libharu computes it for /W; no side effect. */
static int code_width(HPDF_Font font, uint16_t code)
{
    /* GetGidWidth, unlike GetCharWidth, does not mark the glyph as used */
    HPDF_FontDef def = font_attr(font)->fontdef;
    return HPDF_TTFontDef_GetGidWidth(def, HPDF_TTFontDef_GetGlyphid(def, code));
}

/* ---- loading from memory ------------------------------------------------------------------ */

/* The next subset tag of pdf (HPDFAA, HPDFAB, …), as HPDF_LoadTTFontFromFile advances it. */
static void next_tag(HPDF_Doc pdf)
{
    if (pdf->ttfont_tag[0] == 0) {
        memcpy(pdf->ttfont_tag, "HPDFAA", 6);
        return;
    }
    for (int i = 5; i >= 0; i--) {
        pdf->ttfont_tag[i] += 1;
        if (pdf->ttfont_tag[i] <= 'Z')
            break;
        pdf->ttfont_tag[i] = 'A';
    }
}

/* What libharu's static LoadTTFontFromStream does for a file, with a memory stream instead. The
 * stream is one block one byte longer than the font: libharu's memory stream cannot seek to the
 * very end of a stream that fills its last block exactly (the seek asks for a block that does
 * not exist), and one block keeps every read a single copy. */
HPDF_STATUS gk_haru_load_font(HPDF_Doc pdf, const uint8_t *bytes, size_t size, int x_height,
                              const char **name)
{
    *name = NULL;
    HPDF_Stream stream = HPDF_MemStream_New(pdf->mmgr, (HPDF_UINT)size + 1);
    if (stream == NULL)
        return HPDF_GetError(pdf);
    if (HPDF_Stream_Write(stream, bytes, (HPDF_UINT)size) != HPDF_OK) {
        HPDF_Stream_Free(stream);
        return HPDF_GetError(pdf);
    }
    HPDF_FontDef def = HPDF_TTFontDef_Load(pdf->mmgr, stream, HPDF_TRUE); /* owns stream */
    if (def == NULL)
        return HPDF_GetError(pdf) ? HPDF_GetError(pdf) : HPDF_INVALID_FONTDEF_DATA;
    if (HPDF_Doc_FindFontDef(pdf, def->base_font) != NULL) {
        HPDF_FontDef_Free(def);
        return HPDF_FONT_EXISTS;
    }
    if (HPDF_List_Add(pdf->fontdef_list, def) != HPDF_OK) {
        HPDF_FontDef_Free(def);
        return HPDF_GetError(pdf);
    }
    def->x_height = (HPDF_UINT16)x_height;
    next_tag(pdf);
    HPDF_TTFontDef_SetTagName(def, (char *)pdf->ttfont_tag);
    *name = def->base_font;
    return HPDF_OK;
}

static unsigned be16(const uint8_t *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

/* n big-endian 16-bit values at p, in memory of the font's manager (freed with the font). */
static HPDF_UINT16 *read_array(HPDF_MMgr mmgr, const uint8_t *p, size_t n)
{
    HPDF_UINT16 *array = HPDF_GetMem(mmgr, (HPDF_UINT)(sizeof *array * (n > 0 ? n : 1)));
    for (size_t i = 0; array != NULL && i < n; i++)
        array[i] = (HPDF_UINT16)be16(p + 2 * i);
    return array;
}

HPDF_STATUS gk_haru_set_cmap(HPDF_Font font, const uint8_t *format4, size_t size)
{
    HPDF_TTFontDefAttr attr = tt_attr(font);
    HPDF_MMgr mmgr = font_attr(font)->fontdef->mmgr;
    size_t segs = size >= 16 ? be16(format4 + 6) / 2 : 0;
    if (segs == 0 || size < 16 + 8 * segs || be16(format4) != 4)
        return HPDF_TTF_INVALID_CMAP;
    size_t glyphs = (size - 16 - 8 * segs) / 2;
    const uint8_t *end = format4 + 14, *start = end + 2 * segs + 2, *delta = start + 2 * segs;
    const uint8_t *range = delta + 2 * segs, *array = range + 2 * segs;
    HPDF_UINT16 *ends = read_array(mmgr, end, segs), *starts = read_array(mmgr, start, segs);
    HPDF_UINT16 *deltas = read_array(mmgr, delta, segs), *ranges = read_array(mmgr, range, segs);
    HPDF_UINT16 *ids = read_array(mmgr, array, glyphs);
    HPDF_UINT16 *old[] = {attr->cmap.end_count, attr->cmap.start_count,
                          (HPDF_UINT16 *)attr->cmap.id_delta, attr->cmap.id_range_offset,
                          attr->cmap.glyph_id_array};
    HPDF_UINT16 *fresh[] = {ends, starts, deltas, ranges, ids};
    bool ok = ends != NULL && starts != NULL && deltas != NULL && ranges != NULL && ids != NULL;
    for (size_t i = 0; i < sizeof old / sizeof old[0]; i++) /* the lost arrays, or the old */
        if (ok ? old[i] != NULL : fresh[i] != NULL)
            HPDF_FreeMem(mmgr, ok ? old[i] : fresh[i]);
    if (!ok)
        return HPDF_FAILD_TO_ALLOC_MEM;
    attr->cmap.format = 4;
    attr->cmap.length = (HPDF_UINT16)size;
    attr->cmap.seg_count_x2 = (HPDF_UINT16)(2 * segs);
    attr->cmap.search_range = (HPDF_UINT16)be16(format4 + 8);
    attr->cmap.entry_selector = (HPDF_UINT16)be16(format4 + 10);
    attr->cmap.range_shift = (HPDF_UINT16)be16(format4 + 12);
    attr->cmap.end_count = ends;
    attr->cmap.start_count = starts;
    attr->cmap.id_delta = (HPDF_INT16 *)deltas;
    attr->cmap.id_range_offset = ranges;
    attr->cmap.glyph_id_array = ids;
    attr->cmap.glyph_id_array_count = (HPDF_UINT)glyphs;
    attr->embedding = HPDF_FALSE; /* no CheckCompositGryph on the outline-less font */
    return HPDF_OK;
}

void gk_haru_unmark_notdef(HPDF_Font font)
{
    tt_attr(font)->glyph_tbl.flgs[0] = 0;
}

bool gk_haru_notdef_drawn(HPDF_Font font)
{
    return tt_attr(font)->glyph_tbl.flgs[0] != 0;
}

/* ---- ToUnicode ------------------------------------------------------------------------- */

static const char TOUNICODE_HEAD[] =
    "/CIDInit /ProcSet findresource begin\n"
    "12 dict begin\n"
    "begincmap\n"
    "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
    "/CMapName /Adobe-Identity-UCS def\n"
    "/CMapType 2 def\n"
    "1 begincodespacerange\n"
    "<0000> <FFFF>\n"
    "endcodespacerange\n";

static const char TOUNICODE_TAIL[] =
    "endcmap\n"
    "CMapName currentdict /CMap defineresource pop\n"
    "end\n"
    "end\n";

/* The distinct high bytes of codes (ascending), written to highs; returns their number. */
static size_t high_bytes(const uint16_t *codes, size_t count, uint8_t highs[256])
{
    size_t n = 0;
    for (size_t i = 0; i < count; i++)
        if (n == 0 || highs[n - 1] != codes[i] >> 8)
            highs[n++] = (uint8_t)(codes[i] >> 8);
    return n;
}

/* Maps every code to itself (code = UTF-16 unit) with one bfrange of 256 codes per high byte
 * in use: a range may vary in its last byte only, and a whole row costs one line where bfchar
 * costs one per code (3 KB less per booklet after deflate). Codes in those rows that are never
 * drawn map to themselves too, which no reader can tell from their absence. */
static HPDF_STATUS write_bfranges(HPDF_Stream stream, const uint16_t *codes, size_t count)
{
    uint8_t highs[256];
    size_t rows = high_bytes(codes, count, highs);
    HPDF_STATUS ret = HPDF_OK;
    for (size_t start = 0; start < rows && ret == HPDF_OK; start += BFRANGE_BLOCK) {
        size_t block = rows - start < BFRANGE_BLOCK ? rows - start : BFRANGE_BLOCK;
        char line[32];
        snprintf(line, sizeof line, "%zu beginbfrange\n", block);
        ret = HPDF_Stream_WriteStr(stream, line);
        for (size_t i = start; i < start + block && ret == HPDF_OK; i++) {
            snprintf(line, sizeof line, "<%02X00> <%02XFF> <%02X00>\n", highs[i], highs[i],
                     highs[i]);
            ret = HPDF_Stream_WriteStr(stream, line);
        }
        if (ret == HPDF_OK)
            ret = HPDF_Stream_WriteStr(stream, "endbfrange\n");
    }
    return ret;
}

HPDF_STATUS gk_haru_write_tounicode(HPDF_Font font, const uint16_t *codes, size_t count)
{
    HPDF_Dict cmap = font_attr(font)->cmap_stream;
    /* keys of the encoder's CID CMap that a ToUnicode stream must not carry; already absent
     * when this runs a second time, which RemoveElement reports without raising an error */
    static const char *const stale[] = {"Type", "CMapName", "CIDSystemInfo", "WMode"};
    for (size_t i = 0; i < sizeof stale / sizeof stale[0]; i++)
        HPDF_Dict_RemoveElement(cmap, stale[i]);
    HPDF_MemStream_FreeData(cmap->stream);
    HPDF_STATUS ret = HPDF_Stream_WriteStr(cmap->stream, TOUNICODE_HEAD);
    if (ret == HPDF_OK)
        ret = write_bfranges(cmap->stream, codes, count);
    if (ret == HPDF_OK)
        ret = HPDF_Stream_WriteStr(cmap->stream, TOUNICODE_TAIL);
    return ret;
}

/* ---- CIDSystemInfo, W, CIDToGIDMap ----------------------------------------------------- */

HPDF_STATUS gk_haru_set_identity_ordering(HPDF_Font font)
{
    HPDF_Dict cid_font = font_attr(font)->descendant_font;
    HPDF_Dict info = HPDF_Dict_GetItem(cid_font, "CIDSystemInfo", HPDF_OCLASS_DICT);
    if (info == NULL)
        return HPDF_DICT_ITEM_NOT_FOUND;
    HPDF_String ordering = HPDF_String_New(cid_font->mmgr, "Identity", NULL);
    if (ordering == NULL)
        return HPDF_FAILD_TO_ALLOC_MEM;
    return HPDF_Dict_Add(info, "Ordering", ordering); /* frees the old (Identity-H) */
}

HPDF_STATUS gk_haru_trim_widths(HPDF_Font font, const uint16_t *codes, size_t count)
{
    HPDF_Dict cid_font = font_attr(font)->descendant_font;
    int dw = font_attr(font)->fontdef->missing_width; /* libharu's /DW */
    HPDF_Array w = HPDF_Array_New(cid_font->mmgr);
    if (w == NULL)
        return HPDF_FAILD_TO_ALLOC_MEM;
    /* the dict owns w from here on, also if a later step fails; the old /W is freed */
    HPDF_STATUS ret = HPDF_Dict_Add(cid_font, "W", w);
    HPDF_Array run = NULL; /* the current "c [w1 w2 …]" group of consecutive codes */
    long previous = -2;
    for (size_t i = 0; i < count && ret == HPDF_OK; i++) {
        int width = code_width(font, codes[i]);
        if (width == dw) {
            run = NULL;
            continue;
        }
        if (run == NULL || codes[i] != previous + 1) {
            run = HPDF_Array_New(cid_font->mmgr);
            if (run == NULL)
                return HPDF_FAILD_TO_ALLOC_MEM;
            ret = HPDF_Array_AddNumber(w, codes[i]);
            if (ret == HPDF_OK)
                ret = HPDF_Array_Add(w, run);
        }
        if (ret == HPDF_OK)
            ret = HPDF_Array_AddNumber(run, width);
        previous = codes[i];
    }
    return ret;
}

/* ---- making the font object ------------------------------------------------------------- */

HPDF_Font gk_haru_get_utf8_font(HPDF_Doc pdf, const char *name)
{
    HPDF_Encoder encoder = HPDF_GetEncoder(pdf, "UTF-8");
    if (encoder == NULL)
        return NULL;
    HPDF_CMapEncoderAttr attr = (HPDF_CMapEncoderAttr)encoder->attr;
    /* The UTF-8 encoder maps no code (it converts in its own functions) but keeps its parsing
     * state in the first bytes of cid_map, which each text it parses sets afresh. libharu
     * fails a font with an empty map, so one code (0xFFFF, a noncharacter) maps to CID 1. */
    memset(attr->cid_map[0], 0, 16);
    attr->cid_map[255][255] = 1;
    HPDF_Encoder_ToUnicode_Func to_unicode = encoder->to_unicode_fn;
    encoder->to_unicode_fn = HPDF_CMapEncoder_ToUnicode;
    HPDF_Font font = HPDF_GetFont(pdf, name, "UTF-8");
    encoder->to_unicode_fn = to_unicode;
    attr->cid_map[255][255] = 0;
    return font;
}

/* ---- compressing streams ---------------------------------------------------------------- */

/* zlib's default level, the one libharu uses: libdeflate's output at it is as small. Pages'
 * content streams, deflated on the booklet's own thread after the last page is drawn, at the
 * fastest level: 2.6 M instructions fewer for 1 KB more in the sample unit's booklet (the
 * fonts' programs at the fastest level too would take it past the 150 KB it must stay under). */
enum { DEFLATE_LEVEL = 6, PAGES_LEVEL = 1 };

/* A stream dict's write hook: the filter entry exactly as libharu writes it for a compressed
 * stream, after the dict's other keys. */
static HPDF_STATUS write_flate_filter(HPDF_Dict dict, HPDF_Stream stream)
{
    (void)dict;
    return HPDF_Stream_WriteStr(stream, "/Filter [ /FlateDecode ]\012");
}

/* data deflated (zlib format) by compressor into a malloc'd *out; false when out of memory. */
static bool compress(struct libdeflate_compressor *compressor, const void *data, size_t size,
                     uint8_t **out, size_t *length)
{
    size_t bound = libdeflate_zlib_compress_bound(compressor, size);
    *out = malloc(bound > 0 ? bound : 1);
    *length = *out != NULL ? libdeflate_zlib_compress(compressor, data, size, *out, bound) : 0;
    if (*length > 0) /* bound always fits */
        return true;
    free(*out);
    *out = NULL;
    return false;
}

/* Replaces dict's data with deflated bytes, written as they are under the FlateDecode filter
 * libharu would give them. */
static HPDF_STATUS put_deflated(HPDF_Dict dict, const uint8_t *deflated, size_t length)
{
    HPDF_MemStream_FreeData(dict->stream);
    HPDF_STATUS ret = HPDF_Stream_Write(dict->stream, deflated, (HPDF_UINT)length);
    dict->filter = HPDF_STREAM_FILTER_NONE;
    dict->write_fn = write_flate_filter;
    return ret;
}

/* Replaces dict's data with data, deflated (zlib format) by compressor unless it is NULL. Then
 * libharu writes it as it is, under the FlateDecode filter libharu would give it: its own
 * writer would deflate with zlib, in about twice the instructions for the same size. */
static HPDF_STATUS put_stream(HPDF_Dict dict, const void *data, size_t size,
                              struct libdeflate_compressor *compressor)
{
    if (compressor == NULL) {
        HPDF_MemStream_FreeData(dict->stream);
        return HPDF_Stream_Write(dict->stream, data, (HPDF_UINT)size);
    }
    uint8_t *out;
    size_t length;
    if (!compress(compressor, data, size, &out, &length))
        return HPDF_FAILD_TO_ALLOC_MEM;
    HPDF_STATUS ret = put_deflated(dict, out, length);
    free(out);
    return ret;
}

/* The blocks of a memory stream, in order, as parts (malloc'd, *count of them; NULL when out
 * of memory): every block is full but the last. */
static struct iovec *stream_parts(HPDF_Stream stream, size_t *count)
{
    HPDF_MemStreamAttr attr = stream->attr;
    struct iovec *parts = malloc((attr->buf->count + 1) * sizeof *parts);
    size_t at = 0;
    *count = 0;
    for (HPDF_UINT i = 0; parts != NULL && i < attr->buf->count && at < stream->size; i++) {
        size_t n = stream->size - at < attr->buf_siz ? stream->size - at : attr->buf_siz;
        parts[(*count)++] = (struct iovec){HPDF_List_ItemAt(attr->buf, i), n};
        at += n;
    }
    return parts;
}

/* Copies a memory stream whole into a malloc'd buffer (*size bytes), block by block: its own
 * reader copies byte by byte (HPDF_MemCpy). */
static HPDF_BYTE *read_stream(HPDF_Stream stream, HPDF_UINT *size)
{
    size_t count;
    struct iovec *parts = stream_parts(stream, &count);
    *size = stream->size;
    HPDF_BYTE *bytes = parts != NULL ? malloc(*size > 0 ? *size : 1) : NULL;
    size_t at = 0;
    for (size_t i = 0; bytes != NULL && i < count; i++) {
        memcpy(bytes + at, parts[i].iov_base, parts[i].iov_len);
        at += parts[i].iov_len;
    }
    free(parts);
    return bytes;
}

struct iovec *gk_haru_saved_parts(HPDF_Doc pdf, size_t *count)
{
    *count = 0;
    return pdf->stream != NULL ? stream_parts(pdf->stream, count) : NULL;
}

/* Deflates what libharu or an earlier step wrote into dict (see put_stream). */
static HPDF_STATUS deflate_stream(HPDF_Dict dict, struct libdeflate_compressor *compressor)
{
    HPDF_UINT size;
    HPDF_BYTE *data = read_stream(dict->stream, &size);
    HPDF_STATUS ret = data != NULL ? put_stream(dict, data, size, compressor)
                                   : HPDF_FAILD_TO_ALLOC_MEM;
    free(data);
    return ret;
}

HPDF_STATUS gk_haru_compress_page_contents(HPDF_Doc pdf)
{
    struct libdeflate_compressor *compressor = libdeflate_alloc_compressor(PAGES_LEVEL);
    HPDF_STATUS ret = compressor != NULL ? HPDF_OK : HPDF_FAILD_TO_ALLOC_MEM;
    for (HPDF_UINT i = 0; ret == HPDF_OK && i < pdf->page_list->count; i++) {
        HPDF_Page page = HPDF_List_ItemAt(pdf->page_list, i);
        HPDF_Dict contents = ((HPDF_PageAttr)page->attr)->contents;
        if (contents->filter & HPDF_STREAM_FILTER_FLATE_DECODE)
            ret = deflate_stream(contents, compressor);
    }
    libdeflate_free_compressor(compressor);
    return ret;
}

/* ---- CIDToGIDMap ------------------------------------------------------------------------ */

/* Writes CIDToGIDMap up to the highest code: each code to its glyph in the program. */
static HPDF_STATUS write_cid_map(HPDF_Font font, const uint16_t *codes, const uint16_t *gids,
                                 size_t count, struct libdeflate_compressor *compressor)
{
    size_t entries = count > 0 ? (size_t)codes[count - 1] + 1 : 1;
    HPDF_BYTE *map = calloc(entries, 2); /* CIDs past the end of the map mean glyph 0 */
    if (map == NULL)
        return HPDF_FAILD_TO_ALLOC_MEM;
    for (size_t i = 0; i < count; i++) {
        map[2 * (size_t)codes[i]] = (HPDF_BYTE)(gids[i] >> 8);
        map[2 * (size_t)codes[i] + 1] = (HPDF_BYTE)gids[i];
    }
    HPDF_STATUS ret = put_stream(font_attr(font)->map_stream, map, entries * 2, compressor);
    free(map);
    return ret;
}

/* ---- FontFile2 -------------------------------------------------------------------------- */

/* The font descriptor with program as its FontFile2, made as libharu's before-write hook
 * (CIDFontType2_BeforeWrite_Func) makes it, in the same order, so that the objects and keys
 * come out as libharu would write them. libharu's hook would write the embedded file itself
 * with HPDF_TTFontDef_SaveFontData, from the loaded font (which has no outlines), copying it
 * four bytes at a time; and it failed outright when the file it built filled a whole number of
 * its 4,096-byte stream blocks and ended in an empty table (the Hei titles of synthetic unit
 * 741004). With the descriptor in place, the hook only adds the names and the reference at
 * save time. */
/* The descriptor and its font file: program, deflated by compressor unless it is NULL. */
static HPDF_STATUS write_descriptor(HPDF_Font font, const uint8_t *program, size_t size,
                                    struct libdeflate_compressor *compressor)
{
    HPDF_FontAttr attr = font_attr(font);
    HPDF_FontDef def = attr->fontdef;
    HPDF_Dict descriptor = HPDF_Dict_New(font->mmgr);
    HPDF_Dict file = descriptor ? HPDF_DictStream_New(font->mmgr, attr->xref) : NULL;
    if (file == NULL)
        return HPDF_FAILD_TO_ALLOC_MEM;
    HPDF_STATUS ret = HPDF_Dict_Add(descriptor, "FontFile2", file);
    ret += HPDF_Dict_AddNumber(file, "Length1", (HPDF_INT32)size);
    ret += HPDF_Dict_AddNumber(file, "Length2", 0);
    ret += HPDF_Dict_AddNumber(file, "Length3", 0);
    file->filter = font->filter;
    if (ret == HPDF_OK)
        ret = put_stream(file, program, size, compressor);
    ret += HPDF_Xref_Add(attr->xref, descriptor);
    ret += HPDF_Dict_AddName(descriptor, "Type", "FontDescriptor");
    ret += HPDF_Dict_AddNumber(descriptor, "Ascent", def->ascent);
    ret += HPDF_Dict_AddNumber(descriptor, "Descent", def->descent);
    ret += HPDF_Dict_AddNumber(descriptor, "Flags", def->flags);
    ret += HPDF_Dict_Add(descriptor, "FontBBox", HPDF_Box_Array_New(font->mmgr, def->font_bbox));
    ret += HPDF_Dict_AddName(descriptor, "FontName", tt_attr(font)->base_font);
    ret += HPDF_Dict_AddNumber(descriptor, "ItalicAngle", def->italic_angle);
    ret += HPDF_Dict_AddNumber(descriptor, "StemV", def->stemv);
    ret += HPDF_Dict_AddNumber(descriptor, "XHeight", def->x_height);
    if (ret != HPDF_OK)
        return HPDF_Error_GetCode(font->error) ? HPDF_Error_GetCode(font->error)
                                               : HPDF_FAILD_TO_ALLOC_MEM;
    def->descriptor = descriptor;
    return HPDF_OK;
}

/* Writes the font's streams; with compressors (the document compresses fonts) deflated here:
 * the program and ToUnicode at the usual level, the CIDToGIDMap (glyph ids between long runs
 * of zeros) at the fastest. */
static HPDF_STATUS write_font_streams(HPDF_Font font, const uint8_t *program, size_t size,
                                      const uint16_t *codes, const uint16_t *gids, size_t count,
                                      struct libdeflate_compressor *usual,
                                      struct libdeflate_compressor *fastest)
{
    HPDF_STATUS ret = write_descriptor(font, program, size, usual);
    if (ret == HPDF_OK)
        ret = write_cid_map(font, codes, gids, count, fastest);
    if (ret == HPDF_OK && usual != NULL)
        ret = deflate_stream(font_attr(font)->cmap_stream, usual);
    /* libharu's before-write hook gives the ToUnicode and CIDToGIDMap streams the font dict's
     * filter at save time: without one, it leaves them as they are now */
    if (ret == HPDF_OK && usual != NULL)
        font->filter = HPDF_STREAM_FILTER_NONE;
    return ret;
}

/* Whether the document compresses the font's streams. */
static bool font_compressed(HPDF_Font font)
{
    return font->filter & HPDF_STREAM_FILTER_FLATE_DECODE;
}

HPDF_STATUS gk_haru_write_font_file(HPDF_Font font, const uint8_t *program, size_t size,
                                    const uint16_t *codes, const uint16_t *gids, size_t count)
{
    if (font_attr(font)->fontdef->descriptor != NULL)
        return HPDF_INVALID_OPERATION; /* written already */
    bool deflating = font_compressed(font);
    struct libdeflate_compressor *usual = deflating ? libdeflate_alloc_compressor(DEFLATE_LEVEL)
                                                    : NULL;
    struct libdeflate_compressor *fastest = deflating ? libdeflate_alloc_compressor(1) : NULL;
    HPDF_STATUS ret = deflating && (usual == NULL || fastest == NULL)
                          ? HPDF_FAILD_TO_ALLOC_MEM
                          : write_font_streams(font, program, size, codes, gids, count, usual,
                                               fastest);
    libdeflate_free_compressor(usual);
    libdeflate_free_compressor(fastest);
    return ret;
}

/* ---- catalog entries without an API ------------------------------------------------------ */

HPDF_STATUS gk_haru_set_language(HPDF_Doc pdf, const char *tag)
{
    HPDF_String lang = HPDF_String_New(pdf->mmgr, tag, NULL);
    return lang != NULL ? HPDF_Dict_Add(pdf->catalog, "Lang", lang) : HPDF_FAILD_TO_ALLOC_MEM;
}

HPDF_STATUS gk_haru_add_unnumbered_label(HPDF_Doc pdf, unsigned first_page)
{
    HPDF_Dict label = HPDF_Dict_New(pdf->mmgr); /* an empty label dictionary: no /S, no /P */
    return label != NULL ? HPDF_Catalog_AddPageLabel(pdf->catalog, first_page, label)
                         : HPDF_FAILD_TO_ALLOC_MEM;
}

/* ---- byte loops ------------------------------------------------------------------------------ */

/* libharu copies and clears memory one byte at a time (every stream write, and 384 KB of
 * encoder maps cleared per font): a tenth of a booklet's instructions. Its calls to these two
 * go through its PLT, so the program's definitions below replace them (as a malloc of a
 * program replaces libc's). Same results: the end of the bytes written; overlapping copies,
 * which libharu does not make, keep its forward order. */
#define GK_REPLACES __attribute__((visibility("default")))
GK_REPLACES HPDF_BYTE *HPDF_MemCpy(HPDF_BYTE *out, const HPDF_BYTE *in, HPDF_UINT n)
{
    if (out > in && out < in + n) {
        for (HPDF_UINT i = 0; i < n; i++)
            out[i] = in[i];
        return out + n;
    }
    return (HPDF_BYTE *)memmove(out, in, n) + n;
}

GK_REPLACES void *HPDF_MemSet(void *s, HPDF_BYTE c, HPDF_UINT n)
{
    return (HPDF_BYTE *)memset(s, c, n) + n;
}
