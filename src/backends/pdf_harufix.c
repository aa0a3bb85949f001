/* Repairs of libharu 2.3.0's embedded TrueType fonts through its internal structs; see
 * pdf_harufix.h. Everything here depends on 2.3.0's private layouts and is kept in this one
 * file so that an upgrade has one place to review. */
#include "backends/pdf_harufix.h"

#include "backends/pdf_subset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A composite glyph's header is 10 bytes; its records are small. Composites longer than this
 * are not plausible in the prepared fonts, and reading is capped here. */
enum { GLYPH_HEADER_SIZE = 10, COMPOSITE_MAX_BYTES = 4096 };

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

uint16_t gk_haru_glyph_id(HPDF_Font font, uint16_t code)
{
    uint16_t gid = HPDF_TTFontDef_GetGlyphid(font_attr(font)->fontdef, code);
    return gid < tt_attr(font)->num_glyphs ? gid : 0;
}

unsigned gk_haru_glyph_count(HPDF_Font font)
{
    return tt_attr(font)->num_glyphs;
}

int gk_haru_code_width(HPDF_Font font, uint16_t code)
{
    /* GetGidWidth, unlike GetCharWidth, does not mark the glyph as used */
    HPDF_FontDef def = font_attr(font)->fontdef;
    return HPDF_TTFontDef_GetGidWidth(def, HPDF_TTFontDef_GetGlyphid(def, code));
}

/* ---- composite glyphs ------------------------------------------------------------------ */

/* Reads glyph gid's bytes (at most COMPOSITE_MAX_BYTES) from the font file; *len is 0 for an
 * empty glyph. libharu keeps the file open and re-reads it at save time with its own seeks. */
static HPDF_STATUS read_glyph(HPDF_TTFontDefAttr attr, unsigned gid, HPDF_BYTE *buf,
                              HPDF_UINT *len)
{
    HPDF_UINT32 start = attr->glyph_tbl.offsets[gid];
    HPDF_UINT32 end = attr->glyph_tbl.offsets[gid + 1];
    if (attr->header.index_to_loc_format == 0) { /* short loca stores offset / 2 */
        start *= 2;
        end *= 2;
    }
    *len = 0;
    if (end <= start)
        return HPDF_OK;
    HPDF_UINT want = end - start > COMPOSITE_MAX_BYTES ? COMPOSITE_MAX_BYTES : end - start;
    HPDF_STATUS ret =
        HPDF_Stream_Seek(attr->stream, (HPDF_INT)(attr->glyph_tbl.base_offset + start),
                         HPDF_SEEK_SET);
    if (ret != HPDF_OK)
        return ret;
    *len = want;
    ret = HPDF_Stream_Read(attr->stream, buf, len);
    return ret == HPDF_STREAM_EOF ? HPDF_OK : ret;
}

static unsigned be16(const HPDF_BYTE *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

typedef struct component_stack {
    unsigned num_glyphs;
    HPDF_BYTE *want;
    unsigned *stack;
    size_t *depth;
} component_stack;

static bool push_one(size_t at, unsigned component, void *ctx)
{
    (void)at;
    component_stack *c = ctx;
    if (component < c->num_glyphs && !c->want[component]) {
        c->want[component] = 1;
        c->stack[(*c->depth)++] = component;
    }
    return true;
}

/* Appends the components of a composite glyph (buf, len bytes) that are not yet in want to
 * the stack. Glyph ids are read unsigned: libharu 2.3.0 reads them as INT16 and so skips every
 * component id >= 32768, which is why those characters drew blank. */
static void push_components(const HPDF_BYTE *buf, HPDF_UINT len, unsigned num_glyphs,
                            HPDF_BYTE *want, unsigned *stack, size_t *depth)
{
    component_stack c = {num_glyphs, want, stack, depth};
    gk_glyf_each_component(buf, len, push_one, &c);
}

/* Adds to want every glyph reachable through composite references (nesting included). */
static HPDF_STATUS close_over_components(HPDF_TTFontDefAttr attr, HPDF_BYTE *want)
{
    unsigned n = attr->num_glyphs;
    unsigned *stack = malloc(sizeof *stack * (n > 0 ? n : 1));
    HPDF_BYTE *buf = malloc(COMPOSITE_MAX_BYTES);
    HPDF_STATUS ret = HPDF_OK;
    if (stack == NULL || buf == NULL) {
        ret = HPDF_FAILD_TO_ALLOC_MEM;
        goto done;
    }
    size_t depth = 0;
    for (unsigned gid = 0; gid < n; gid++)
        if (want[gid])
            stack[depth++] = gid;
    while (depth > 0) { /* each glyph is pushed at most once, so the stack never overflows */
        unsigned gid = stack[--depth];
        HPDF_UINT len;
        if ((ret = read_glyph(attr, gid, buf, &len)) != HPDF_OK)
            goto done;
        push_components(buf, len, n, want, stack, &depth);
    }
done:
    free(stack);
    free(buf);
    return ret;
}

HPDF_STATUS gk_haru_embed_glyphs(HPDF_Font font, const uint16_t *codes, size_t count,
                                 long *unrecorded_gid)
{
    HPDF_TTFontDefAttr attr = tt_attr(font);
    unsigned n = attr->num_glyphs;
    *unrecorded_gid = -1;
    HPDF_BYTE *want = calloc(n > 0 ? n : 1, 1);
    if (want == NULL)
        return HPDF_FAILD_TO_ALLOC_MEM;
    want[0] = 1; /* .notdef is always embedded */
    for (size_t i = 0; i < count; i++)
        want[gk_haru_glyph_id(font, codes[i])] = 1;
    HPDF_STATUS ret = close_over_components(attr, want);
    /* libharu marks a glyph whenever it measures text (every TextOut/ShowText does); a mark
     * outside what the recorded code points need means a string bypassed recording */
    for (unsigned gid = 0; ret == HPDF_OK && gid < n; gid++)
        if (attr->glyph_tbl.flgs[gid] && !want[gid]) {
            *unrecorded_gid = (long)gid;
            ret = HPDF_INVALID_OPERATION;
        }
    if (ret == HPDF_OK)
        memcpy(attr->glyph_tbl.flgs, want, n);
    free(want);
    return ret;
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
        int width = gk_haru_code_width(font, codes[i]);
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

/* Writes CIDToGIDMap up to the highest code: each code to new_gid of libharu's glyph for it. */
static HPDF_STATUS write_cid_map(HPDF_Font font, const uint16_t *codes, size_t count,
                                 const uint16_t *new_gid)
{
    HPDF_Stream stream = font_attr(font)->map_stream->stream;
    size_t entries = count > 0 ? (size_t)codes[count - 1] + 1 : 1;
    HPDF_BYTE *map = calloc(entries, 2); /* CIDs past the end of the map mean glyph 0 */
    if (map == NULL)
        return HPDF_FAILD_TO_ALLOC_MEM;
    for (size_t i = 0; i < count; i++) {
        uint16_t gid = new_gid[gk_haru_glyph_id(font, codes[i])];
        map[2 * (size_t)codes[i]] = (HPDF_BYTE)(gid >> 8);
        map[2 * (size_t)codes[i] + 1] = (HPDF_BYTE)gid;
    }
    HPDF_MemStream_FreeData(stream);
    HPDF_STATUS ret = HPDF_Stream_Write(stream, map, (HPDF_UINT)(entries * 2));
    free(map);
    return ret;
}

/* ---- FontFile2 -------------------------------------------------------------------------- */

/* Reads a memory stream whole into a malloc'd buffer. */
static HPDF_BYTE *read_stream(HPDF_Stream stream, HPDF_UINT *size)
{
    *size = stream->size;
    HPDF_BYTE *bytes = malloc(*size > 0 ? *size : 1);
    if (bytes == NULL)
        return NULL;
    HPDF_STATUS ret = HPDF_Stream_Seek(stream, 0, HPDF_SEEK_SET);
    if (ret == HPDF_OK)
        ret = HPDF_Stream_Read(stream, bytes, size);
    if (ret != HPDF_OK && ret != HPDF_STREAM_EOF) {
        free(bytes);
        return NULL;
    }
    return bytes;
}

/* ---- FontFile2: libharu's block-boundary seek ------------------------------------------- */

/* libharu 2.3.0's HPDF_TTFontDef_SaveFontData builds the font file in a memory stream of
 * HARU_STREAM_BLOCK (4096) byte blocks, writing these 13 tables in this order (a table the
 * font lacks is written empty), and then seeks back to the start of each table to checksum it.
 * The memory stream allocates a block only when a byte is written into it, and its seek looks
 * up the block of the target position: seeking to the very end of a stream whose size is a
 * whole number of blocks asks for a block that does not exist, and fails with
 * HPDF_INVALID_OBJECT (0x1033). A table starts at the very end when it is empty and only empty
 * tables follow it; the prepared fonts have no cvt, fpgm or prep, so prep always does. The size
 * varies with the embedded glyphs, so about one glyph set in 4,096 cannot be written (the Hei
 * titles of synthetic unit 741004 are one): libharu fails half-way through its before-write
 * hook, so the set is changed beforehand instead. */
static const char *const SAVED_TABLES[] = {"OS/2", "cmap", "cvt ", "fpgm", "glyf", "head", "hhea",
                                           "hmtx", "loca", "maxp", "name", "post", "prep"};
enum { SAVED_HEAD_SIZE = 54, NAME_HEADER_SIZE = 6, NAME_RECORD_SIZE = 12 };
/* HPDF_STREAM_BUF_SIZ of hpdf_conf.h, which hpdf.h does not include (and which is not worth
 * including: it defines glibc feature macros) */
enum { HARU_STREAM_BLOCK = 4096 };

static const HPDF_TTFTable *source_table(HPDF_TTFontDefAttr attr, const char *tag)
{
    for (unsigned i = 0; i < attr->offset_tbl.num_tables; i++)
        if (memcmp(attr->offset_tbl.table[i].tag, tag, 4) == 0)
            return &attr->offset_tbl.table[i];
    return NULL;
}

/* Bytes glyph gid occupies in the glyf table (what libharu copies when it is embedded). */
static size_t glyph_size(HPDF_TTFontDefAttr attr, unsigned gid)
{
    size_t start = attr->glyph_tbl.offsets[gid], end = attr->glyph_tbl.offsets[gid + 1];
    size_t unit = attr->header.index_to_loc_format == 0 ? 2 : 1; /* short loca: offset / 2 */
    return end > start ? (end - start) * unit : 0;
}

/* The length SaveFontData writes for the table tag, mirroring how it writes each one: head is
 * rebuilt (54 bytes), glyf holds the marked glyphs, loca every glyph, name gets the subset
 * tag ("ABCDEF+", UTF-16 for Unicode and Windows records) before family and full names, and
 * every other table is copied as it is, or written empty when the font lacks it. */
static size_t saved_table_size(HPDF_TTFontDefAttr attr, const char *tag)
{
    if (memcmp(tag, "head", 4) == 0)
        return SAVED_HEAD_SIZE;
    if (memcmp(tag, "glyf", 4) == 0) {
        size_t size = 0;
        for (unsigned gid = 0; gid < attr->num_glyphs; gid++)
            if (attr->glyph_tbl.flgs[gid] == 1)
                size += glyph_size(attr, gid);
        return size;
    }
    if (memcmp(tag, "loca", 4) == 0)
        return ((size_t)attr->num_glyphs + 1) * (attr->header.index_to_loc_format == 0 ? 2 : 4);
    if (memcmp(tag, "name", 4) == 0) {
        size_t size = NAME_HEADER_SIZE + NAME_RECORD_SIZE * (size_t)attr->name_tbl.count;
        for (unsigned i = 0; i < attr->name_tbl.count; i++) {
            const HPDF_TTF_NameRecord *rec = &attr->name_tbl.name_records[i];
            size += rec->length;
            if (rec->name_id == 1 || rec->name_id == 4)
                size += rec->platform_id == 0 || rec->platform_id == 3 ? sizeof attr->tag_name2
                                                                       : sizeof attr->tag_name;
        }
        return size;
    }
    const HPDF_TTFTable *t = source_table(attr, tag);
    return t != NULL ? t->length : 0;
}

/* True when SaveFontData would seek to the end of a whole number of blocks (see above). */
static bool font_file_hits_block_end(HPDF_TTFontDefAttr attr)
{
    enum { TABLES = sizeof SAVED_TABLES / sizeof SAVED_TABLES[0] };
    size_t size[TABLES], total = 0;
    for (size_t i = 0; i < TABLES; i++)
        total += size[i] = saved_table_size(attr, SAVED_TABLES[i]);
    if (total == 0 || total % HARU_STREAM_BLOCK != 0)
        return false;
    return size[TABLES - 1] == 0; /* an empty last table starts at the end */
}

/* When the marked glyph set would make SaveFontData fail, also marks the first unmarked simple
 * glyph whose size is not a whole number of blocks, which moves the file off the boundary.
 * No code maps to that glyph (CIDToGIDMap is already written), so it only costs its bytes. */
static HPDF_STATUS avoid_block_end(HPDF_TTFontDefAttr attr)
{
    if (!font_file_hits_block_end(attr))
        return HPDF_OK;
    HPDF_BYTE *buf = malloc(COMPOSITE_MAX_BYTES);
    if (buf == NULL)
        return HPDF_FAILD_TO_ALLOC_MEM;
    HPDF_STATUS ret = HPDF_INVALID_OBJECT; /* what libharu would fail with */
    for (unsigned gid = 1; gid < attr->num_glyphs; gid++) {
        size_t size = glyph_size(attr, gid);
        if (attr->glyph_tbl.flgs[gid] || size == 0 || size % HARU_STREAM_BLOCK == 0)
            continue;
        HPDF_UINT len;
        HPDF_STATUS read = read_glyph(attr, gid, buf, &len);
        if (read != HPDF_OK) {
            ret = read;
            break;
        }
        if (len < GLYPH_HEADER_SIZE || (int16_t)be16(buf) < 0)
            continue; /* a composite would need its components too */
        attr->glyph_tbl.flgs[gid] = 1;
        if (!font_file_hits_block_end(attr)) {
            ret = HPDF_OK;
            break;
        }
        attr->glyph_tbl.flgs[gid] = 0;
    }
    free(buf);
    return ret;
}

/* Replaces the FontFile2 stream by the subset of the font libharu wrote (pdf_subset.c) and
 * sets new_gid; when the font does not have the shape the subsetter expects, keeps libharu's
 * file and the old ids. */
static HPDF_STATUS subset_font_file(HPDF_Font font, HPDF_Dict file, uint16_t *new_gid)
{
    HPDF_TTFontDefAttr attr = tt_attr(font);
    HPDF_UINT size;
    HPDF_BYTE *bytes = read_stream(file->stream, &size);
    if (bytes == NULL)
        return HPDF_FAILD_TO_ALLOC_MEM;
    uint8_t *subset = NULL;
    size_t subset_size = 0;
    HPDF_STATUS ret = HPDF_OK;
    if (gk_subset_truetype(bytes, size, attr->glyph_tbl.flgs, attr->num_glyphs, new_gid,
                           &subset, &subset_size)) {
        HPDF_MemStream_FreeData(file->stream);
        ret = HPDF_Stream_Write(file->stream, subset, (HPDF_UINT)subset_size);
        if (ret == HPDF_OK)
            ret = HPDF_Dict_AddNumber(file, "Length1", (HPDF_INT32)subset_size);
    } else {
        for (unsigned gid = 0; gid < attr->num_glyphs; gid++)
            new_gid[gid] = (uint16_t)gid;
    }
    free(subset);
    free(bytes);
    return ret;
}

HPDF_STATUS gk_haru_write_font_file(HPDF_Font font, const uint16_t *codes, size_t count)
{
    /* libharu's before-write hook creates the FontDescriptor and FontFile2 once and only adds
     * names on later calls, so running it now and again at save time is safe */
    HPDF_TTFontDefAttr attr = tt_attr(font);
    HPDF_STATUS ret = HPDF_OK;
    if (font_attr(font)->fontdef->descriptor == NULL) /* the font file is not written yet */
        ret = avoid_block_end(attr);
    if (ret == HPDF_OK)
        ret = font->before_write_fn(font);
    if (ret != HPDF_OK)
        return ret;
    HPDF_Dict descriptor = font_attr(font)->fontdef->descriptor;
    HPDF_Dict file = descriptor != NULL
                         ? HPDF_Dict_GetItem(descriptor, "FontFile2", HPDF_OCLASS_DICT)
                         : NULL;
    if (file == NULL || file->stream == NULL)
        return HPDF_DICT_ITEM_NOT_FOUND;
    uint16_t *new_gid = malloc(sizeof *new_gid * (attr->num_glyphs > 0 ? attr->num_glyphs : 1));
    if (new_gid == NULL)
        return HPDF_FAILD_TO_ALLOC_MEM;
    ret = subset_font_file(font, file, new_gid);
    if (ret == HPDF_OK)
        ret = write_cid_map(font, codes, count, new_gid);
    free(new_gid);
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
