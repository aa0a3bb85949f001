/* A TrueType subsetter for libharu's embedded font programs; see pdf_subset.h. It works on
 * the bytes libharu wrote, not on libharu's structs, so it does not depend on its version. */
#include "backends/pdf_subset.h"

#include <stdlib.h>
#include <string.h>

/* TrueType composite glyph flags (OpenType 'glyf' table). */
enum {
    GLYF_ARG_1_AND_2_ARE_WORDS = 0x0001,
    GLYF_WE_HAVE_A_SCALE = 0x0008,
    GLYF_MORE_COMPONENTS = 0x0020,
    GLYF_WE_HAVE_AN_X_AND_Y_SCALE = 0x0040,
    GLYF_WE_HAVE_A_TWO_BY_TWO = 0x0080
};

enum {
    GLYPH_HEADER_SIZE = 10,
    HEAD_MIN = 54, HEAD_CHECKSUM_ADJUSTMENT = 8, HEAD_INDEX_TO_LOC_FORMAT = 50,
    HHEA_MIN = 36, HHEA_NUMBER_OF_HMETRICS = 34,
    MAXP_MIN = 6, MAXP_NUM_GLYPHS = 4,
    POST_HEADER = 32,
    SFNT_HEADER = 12, SFNT_ENTRY = 16,
    MAX_TABLES = 16
};

typedef struct table {
    char tag[4];
    const uint8_t *data;
    size_t length;
} table;

static unsigned be16(const uint8_t *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v & 0xFFFF);
}

/* The sum of big-endian 32-bit words over len bytes, the last word zero-padded (sfnt). */
static uint32_t checksum(const uint8_t *p, size_t len)
{
    uint32_t sum = 0;
    for (size_t i = 0; i < len; i += 4) {
        uint8_t word[4] = {0, 0, 0, 0};
        memcpy(word, p + i, len - i < 4 ? len - i : 4);
        sum += be32(word);
    }
    return sum;
}

static bool find(const uint8_t *font, size_t size, const char *tag, table *t)
{
    unsigned count = size >= SFNT_HEADER ? be16(font + 4) : 0;
    for (unsigned i = 0; i < count && SFNT_HEADER + SFNT_ENTRY * (size_t)(i + 1) <= size; i++) {
        const uint8_t *entry = font + SFNT_HEADER + SFNT_ENTRY * (size_t)i;
        if (memcmp(entry, tag, 4) != 0)
            continue;
        size_t offset = be32(entry + 8), length = be32(entry + 12);
        if (offset > size || length > size - offset)
            return false;
        *t = (table){{tag[0], tag[1], tag[2], tag[3]}, font + offset, length};
        return true;
    }
    return false;
}

/* ---- the source font ------------------------------------------------------------------ */

typedef struct source {
    table head, hhea, maxp, hmtx, loca, glyf;
    unsigned num_glyphs, long_metrics;
    bool long_loca;
} source;

static bool read_source(const uint8_t *font, size_t size, unsigned num_glyphs, source *s)
{
    if (!find(font, size, "head", &s->head) || !find(font, size, "hhea", &s->hhea) ||
        !find(font, size, "maxp", &s->maxp) || !find(font, size, "hmtx", &s->hmtx) ||
        !find(font, size, "loca", &s->loca) || !find(font, size, "glyf", &s->glyf) ||
        s->head.length < HEAD_MIN || s->hhea.length < HHEA_MIN || s->maxp.length < MAXP_MIN ||
        num_glyphs == 0 || num_glyphs > 0xFFFF)
        return false;
    s->num_glyphs = num_glyphs;
    s->long_metrics = be16(s->hhea.data + HHEA_NUMBER_OF_HMETRICS);
    s->long_loca = be16(s->head.data + HEAD_INDEX_TO_LOC_FORMAT) != 0;
    return s->long_metrics >= 1 && s->long_metrics <= num_glyphs &&
           s->hmtx.length >= 4 * (size_t)s->long_metrics +
                                 2 * (size_t)(num_glyphs - s->long_metrics) &&
           s->loca.length >= ((size_t)num_glyphs + 1) * (s->long_loca ? 4 : 2);
}

static size_t glyph_offset(const source *s, unsigned gid)
{
    return s->long_loca ? be32(s->loca.data + 4 * (size_t)gid)
                        : 2 * (size_t)be16(s->loca.data + 2 * (size_t)gid);
}

/* Glyph gid's bytes in glyf; false when loca points outside it. */
static bool glyph_bytes(const source *s, unsigned gid, const uint8_t **data, size_t *len)
{
    size_t start = glyph_offset(s, gid), end = glyph_offset(s, gid + 1);
    if (end < start || end > s->glyf.length)
        return false;
    *data = s->glyf.data + start;
    *len = end - start;
    return true;
}

/* ---- the new tables ------------------------------------------------------------------- */

/* Gives every kept glyph its new id; returns their number and the size of the new glyf (each
 * glyph padded to an even length, as short loca needs), or 0 when loca is inconsistent. */
static unsigned number_glyphs(const source *s, const uint8_t *keep, uint16_t *new_gid,
                              size_t *glyf_size)
{
    unsigned count = 0;
    *glyf_size = 0;
    for (unsigned gid = 0; gid < s->num_glyphs; gid++) {
        new_gid[gid] = 0;
        if (gid != 0 && !keep[gid])
            continue;
        const uint8_t *data;
        size_t len;
        if (!glyph_bytes(s, gid, &data, &len))
            return 0;
        new_gid[gid] = (uint16_t)count++;
        *glyf_size += (len + 1) & ~(size_t)1;
    }
    return count;
}

bool gk_glyf_each_component(const uint8_t *g, size_t len,
                            bool (*visit)(size_t at, unsigned id, void *ctx), void *ctx)
{
    if (len < GLYPH_HEADER_SIZE || (int16_t)be16(g) >= 0)
        return true; /* empty or simple glyph (numberOfContours >= 0) */
    size_t pos = GLYPH_HEADER_SIZE;
    unsigned flags;
    do {
        if (pos + 4 > len)
            return false;
        flags = be16(g + pos);
        if (!visit(pos + 2, be16(g + pos + 2), ctx))
            return false;
        pos += 4 + ((flags & GLYF_ARG_1_AND_2_ARE_WORDS) ? 4 : 2);
        if (flags & GLYF_WE_HAVE_A_SCALE)
            pos += 2;
        else if (flags & GLYF_WE_HAVE_AN_X_AND_Y_SCALE)
            pos += 4;
        else if (flags & GLYF_WE_HAVE_A_TWO_BY_TWO)
            pos += 8;
    } while (flags & GLYF_MORE_COMPONENTS);
    return true;
}

typedef struct renumbering {
    uint8_t *glyph;
    const uint16_t *new_gid;
    unsigned num_glyphs;
} renumbering;

static bool renumber_one(size_t at, unsigned component, void *ctx)
{
    renumbering *r = ctx;
    if (component >= r->num_glyphs || (component != 0 && r->new_gid[component] == 0))
        return false; /* a component not kept */
    put16(r->glyph + at, r->new_gid[component]);
    return true;
}

/* Rewrites the component ids of a composite glyph (g, len bytes) to the new ids; false when a
 * component is not kept or the record runs past the glyph. */
static bool renumber_components(uint8_t *g, size_t len, const uint16_t *new_gid,
                                unsigned num_glyphs)
{
    renumbering r = {g, new_gid, num_glyphs};
    return gk_glyf_each_component(g, len, renumber_one, &r);
}

/* Fills glyf, loca and hmtx for the kept glyphs (sizes from number_glyphs). */
static bool write_glyphs(const source *s, const uint8_t *keep, const uint16_t *new_gid,
                         bool long_loca, uint8_t *glyf, uint8_t *loca, uint8_t *hmtx)
{
    size_t at = 0;
    unsigned out = 0;
    for (unsigned gid = 0; gid < s->num_glyphs; gid++) {
        if (gid != 0 && !keep[gid])
            continue;
        const uint8_t *data;
        size_t len;
        if (!glyph_bytes(s, gid, &data, &len))
            return false;
        if (long_loca)
            put32(loca + 4 * (size_t)out, (uint32_t)at);
        else
            put16(loca + 2 * (size_t)out, (unsigned)(at / 2));
        memcpy(glyf + at, data, len);
        if (!renumber_components(glyf + at, len, new_gid, s->num_glyphs))
            return false;
        at += (len + 1) & ~(size_t)1; /* the pad byte is already zero */
        unsigned metric = gid < s->long_metrics ? gid : s->long_metrics - 1;
        unsigned lsb = gid < s->long_metrics
                           ? be16(s->hmtx.data + 4 * (size_t)gid + 2)
                           : be16(s->hmtx.data + 4 * (size_t)s->long_metrics +
                                  2 * (size_t)(gid - s->long_metrics));
        put16(hmtx + 4 * (size_t)out, be16(s->hmtx.data + 4 * (size_t)metric));
        put16(hmtx + 4 * (size_t)out + 2, lsb);
        out++;
    }
    if (long_loca)
        put32(loca + 4 * (size_t)out, (uint32_t)at);
    else
        put16(loca + 2 * (size_t)out, (unsigned)(at / 2));
    return true;
}

/* ---- writing the font ----------------------------------------------------------------- */

static int compare_tags(const void *a, const void *b)
{
    return memcmp(((const table *)a)->tag, ((const table *)b)->tag, 4);
}

/* Writes the tables (sorted here) as an sfnt, each 4-byte aligned, with checksums and head's
 * checkSumAdjustment (head is always among them). */
static uint8_t *write_sfnt(table *tables, size_t count, size_t *out_size)
{
    qsort(tables, count, sizeof *tables, compare_tags);
    size_t size = SFNT_HEADER + SFNT_ENTRY * count;
    for (size_t i = 0; i < count; i++)
        size += (tables[i].length + 3) & ~(size_t)3;
    uint8_t *font = calloc(size, 1);
    if (font == NULL)
        return NULL;
    unsigned power = 1, log2 = 0;
    while (power * 2 <= count) {
        power *= 2;
        log2++;
    }
    put32(font, 0x00010000);
    put16(font + 4, (unsigned)count);
    put16(font + 6, power * SFNT_ENTRY);
    put16(font + 8, log2);
    put16(font + 10, (unsigned)count * SFNT_ENTRY - power * SFNT_ENTRY);
    size_t at = SFNT_HEADER + SFNT_ENTRY * count, head_at = 0;
    for (size_t i = 0; i < count; i++) {
        uint8_t *entry = font + SFNT_HEADER + SFNT_ENTRY * i;
        memcpy(entry, tables[i].tag, 4);
        memcpy(font + at, tables[i].data, tables[i].length);
        if (memcmp(tables[i].tag, "head", 4) == 0) {
            head_at = at;
            put32(font + at + HEAD_CHECKSUM_ADJUSTMENT, 0);
        }
        put32(entry + 4, checksum(font + at, tables[i].length));
        put32(entry + 8, (uint32_t)at);
        put32(entry + 12, (uint32_t)tables[i].length);
        at += (tables[i].length + 3) & ~(size_t)3;
    }
    put32(font + head_at + HEAD_CHECKSUM_ADJUSTMENT, 0xB1B0AFBAu - checksum(font, size));
    *out_size = size;
    return font;
}

/* Tables copied as they are: all but the rebuilt ones, cmap (CIDToGIDMap replaces it), name
 * (a font program embedded in a PDF is named by its font dictionary: ISO 32000-1 §9.9 requires
 * only head, hhea, loca, maxp, cvt, prep, glyf, hmtx and fpgm) and empty ones (libharu writes
 * cvt, fpgm and prep empty when the font has none). */
static bool copied(const table *t)
{
    static const char *const rebuilt[] = {"head", "hhea", "maxp", "hmtx", "loca", "glyf",
                                          "cmap", "post", "name"};
    for (size_t i = 0; i < sizeof rebuilt / sizeof rebuilt[0]; i++)
        if (memcmp(t->tag, rebuilt[i], 4) == 0)
            return false;
    return t->length > 0;
}

/* The new font's tables. head, hhea, maxp and post are copies with the fields that depend on
 * the glyphs changed; glyf, loca and hmtx are built from scratch. */
typedef struct subset {
    uint8_t head[HEAD_MIN], hhea[HHEA_MIN], post[POST_HEADER];
    uint8_t *maxp, *glyf, *loca, *hmtx;
    table tables[MAX_TABLES];
    size_t count;
} subset;

static void add(subset *sub, const char *tag, const uint8_t *data, size_t length)
{
    if (sub->count < MAX_TABLES)
        sub->tables[sub->count++] = (table){{tag[0], tag[1], tag[2], tag[3]}, data, length};
}

/* Adds the tables of the font libharu wrote that are kept as they are, and post as format 3
 * (a format 2 post names glyphs by their old ids). */
static void add_copied(subset *sub, const uint8_t *font, size_t size)
{
    table t;
    if (find(font, size, "post", &t) && t.length >= POST_HEADER) {
        memcpy(sub->post, t.data, POST_HEADER);
        put32(sub->post, 0x00030000);
        add(sub, "post", sub->post, POST_HEADER);
    }
    unsigned total = be16(font + 4);
    for (unsigned i = 0; i < total && SFNT_HEADER + SFNT_ENTRY * (size_t)(i + 1) <= size; i++) {
        const uint8_t *entry = font + SFNT_HEADER + SFNT_ENTRY * (size_t)i;
        char tag[4] = {(char)entry[0], (char)entry[1], (char)entry[2], (char)entry[3]};
        if (find(font, size, tag, &t) && copied(&t))
            add(sub, tag, t.data, t.length);
    }
}

bool gk_subset_truetype(const uint8_t *font, size_t size, const uint8_t *keep,
                        unsigned num_glyphs, uint16_t *new_gid, uint8_t **out,
                        size_t *out_size)
{
    *out = NULL;
    source s;
    size_t glyf_size;
    unsigned count;
    if (!read_source(font, size, num_glyphs, &s) ||
        (count = number_glyphs(&s, keep, new_gid, &glyf_size)) == 0)
        return false;
    bool long_loca = glyf_size / 2 > 0xFFFF;
    size_t loca_size = ((size_t)count + 1) * (long_loca ? 4 : 2);
    subset sub = {.count = 0};
    sub.maxp = malloc(s.maxp.length);
    sub.glyf = calloc(glyf_size + 1, 1);
    sub.loca = calloc(loca_size, 1);
    sub.hmtx = calloc(4 * (size_t)count, 1);
    bool ok = sub.maxp != NULL && sub.glyf != NULL && sub.loca != NULL && sub.hmtx != NULL &&
              write_glyphs(&s, keep, new_gid, long_loca, sub.glyf, sub.loca, sub.hmtx);
    if (ok) {
        memcpy(sub.head, s.head.data, HEAD_MIN);
        put16(sub.head + HEAD_INDEX_TO_LOC_FORMAT, long_loca);
        memcpy(sub.hhea, s.hhea.data, HHEA_MIN);
        put16(sub.hhea + HHEA_NUMBER_OF_HMETRICS, count);
        memcpy(sub.maxp, s.maxp.data, s.maxp.length);
        put16(sub.maxp + MAXP_NUM_GLYPHS, count);
        add(&sub, "head", sub.head, HEAD_MIN);
        add(&sub, "hhea", sub.hhea, HHEA_MIN);
        add(&sub, "maxp", sub.maxp, s.maxp.length);
        add(&sub, "hmtx", sub.hmtx, 4 * (size_t)count);
        add(&sub, "loca", sub.loca, loca_size);
        add(&sub, "glyf", sub.glyf, glyf_size);
        add_copied(&sub, font, size);
        *out = write_sfnt(sub.tables, sub.count, out_size);
        ok = *out != NULL;
    }
    free(sub.maxp);
    free(sub.glyf);
    free(sub.loca);
    free(sub.hmtx);
    return ok;
}
