/* Reading a TrueType face once and cutting per-booklet subsets from it; see pdf_subset.h.
 * Every offset read from the font is checked against the bytes before it is followed. */
#define _GNU_SOURCE /* preadv */
#include "backends/pdf_subset.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "util/i18n.h"

/* TrueType composite glyph flags (OpenType 'glyf' table). */
enum {
    GLYF_ARG_1_AND_2_ARE_WORDS = 0x0001,
    GLYF_WE_HAVE_A_SCALE = 0x0008,
    GLYF_MORE_COMPONENTS = 0x0020,
    GLYF_WE_HAVE_AN_X_AND_Y_SCALE = 0x0040,
    GLYF_WE_HAVE_A_TWO_BY_TWO = 0x0080
};

enum {
    GLYPH_HEADER_SIZE = 10, GLYPH_Y_MAX = 8,
    HEAD_MIN = 54, HEAD_CHECKSUM_ADJUSTMENT = 8, HEAD_UNITS_PER_EM = 18,
    HEAD_INDEX_TO_LOC_FORMAT = 50,
    HHEA_MIN = 36, HHEA_NUMBER_OF_HMETRICS = 34,
    MAXP_MIN = 6, MAXP_NUM_GLYPHS = 4,
    OS2_MIN = 42, OS2_FS_TYPE = 8,
    POST_HEADER = 32,
    SFNT_HEADER = 12, SFNT_ENTRY = 16, TTC_HEADER = 12,
    CMAP4_HEADER = 14, FORMAT4_MAX = 0xFFFF,
    NAME_HEADER = 6, NAME_RECORD = 12,
    MAX_TABLES = 16,
    CODE_SPACE = 0x10000
};

/* OS/2 fsType bits that forbid embedding (restricted licence, no subsetting, bitmap only):
 * libharu refuses such a font. */
enum { FS_TYPE_NO_EMBEDDING = 0x0002 | 0x0100 | 0x0200 };

/* libharu's limit on a font name (HPDF_LIMIT_MAX_NAME_LEN) and its room for the subset tag. */
enum { HARU_NAME_MAX = 127, HARU_TAG_ROOM = 8 };

/* Codes closer than this share one cmap segment (the codes between map to glyph 0): libharu
 * looks up every character it draws by a linear search of the segments, so a few segments
 * with a longer glyph array (two bytes a code, in memory only) are the cheaper map. */
enum { CMAP_MERGE_GAP = 2048 };

/* A table read into memory (owned by the face), or absent (data NULL, length 0). */
typedef struct table {
    uint8_t *data;
    size_t length;
} table;

/* A name record libharu reads (pdf_subset.h: gk_ttf_base_name). */
typedef struct name_record {
    unsigned platform, encoding, language, id;
    const uint8_t *data;
    size_t length;
} name_record;

/* The four records libharu looks for, in the order written to the loadable font. */
enum { NAME_MAC_PS, NAME_MAC_SUBFAMILY, NAME_WIN_PS, NAME_WIN_SUBFAMILY, NAME_PICKS };

/* The small tables are read into memory; glyph outlines (most of the file: 8 MB of the Song
 * face) are read from the file when a subset needs them, so that a process keeps neither the
 * file nor pages of a mapping of it. */
struct gk_ttf {
    int fd;
    size_t glyf_offset, glyf_length;
    table head, hhea, maxp, hmtx, loca, os2, post, cvt, fpgm, prep, name;
    unsigned num_glyphs, long_metrics, units_per_em;
    bool long_loca;
    name_record names[NAME_PICKS];
    char base_name[HARU_NAME_MAX + 1];
    int x_height;
    uint16_t glyph[CODE_SPACE]; /* code point -> glyph id, 0 for none */
};

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
    size_t whole = len & ~(size_t)3;
    for (size_t i = 0; i < whole; i += 4)
        sum += be32(p + i);
    if (whole < len) {
        uint8_t word[4] = {0, 0, 0, 0};
        memcpy(word, p + whole, len - whole);
        sum += be32(word);
    }
    return sum;
}

/* ---- reading the face ------------------------------------------------------------------- */

/* Reads len bytes at offset; false on an error or a file that ended early. */
static bool read_at(int fd, size_t offset, void *buf, size_t len)
{
    uint8_t *p = buf;
    while (len > 0) {
        ssize_t got = pread(fd, p, len, (off_t)offset);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return false;
        p += got;
        offset += (size_t)got;
        len -= (size_t)got;
    }
    return true;
}

/* The font file while a face is opened: its size and the face's table records. */
typedef struct font_file {
    int fd;
    size_t size;
    uint8_t *records; /* 16 bytes a table */
    unsigned tables;
    bool out_of_memory;
} font_file;

/* Reads the table records of face index (of a collection, or 0 of a plain font). */
static bool read_directory(font_file *f, unsigned index)
{
    uint8_t head[TTC_HEADER];
    size_t dir = 0;
    if (f->size < SFNT_HEADER || !read_at(f->fd, 0, head, sizeof head))
        return false;
    if (memcmp(head, "ttcf", 4) == 0) {
        uint8_t at[4];
        if (index >= be32(head + 8) || !read_at(f->fd, TTC_HEADER + 4 * (size_t)index, at, 4))
            return false;
        dir = be32(at);
        if (dir > f->size - SFNT_HEADER || !read_at(f->fd, dir, head, SFNT_HEADER))
            return false;
    } else if (index != 0) {
        return false;
    }
    f->tables = be16(head + 4);
    size_t length = SFNT_ENTRY * (size_t)f->tables;
    if (f->tables == 0 || length > f->size - dir - SFNT_HEADER)
        return false;
    f->records = malloc(length);
    f->out_of_memory = f->records == NULL;
    return f->records != NULL && read_at(f->fd, dir + SFNT_HEADER, f->records, length);
}

/* Where table tag is in the file; false when absent or out of bounds. */
static bool locate(const font_file *f, const char *tag, size_t *offset, size_t *length)
{
    for (unsigned i = 0; i < f->tables; i++) {
        const uint8_t *r = f->records + SFNT_ENTRY * (size_t)i;
        if (memcmp(r, tag, 4) != 0)
            continue;
        *offset = be32(r + 8);
        *length = be32(r + 12);
        return *offset <= f->size && *length <= f->size - *offset;
    }
    return false;
}

/* Reads table tag into t; false (t empty) when absent, unreadable or out of memory. */
static bool load(font_file *f, const char *tag, table *t)
{
    size_t offset, length;
    *t = (table){NULL, 0};
    if (!locate(f, tag, &offset, &length))
        return false;
    t->data = malloc(length > 0 ? length : 1);
    f->out_of_memory |= t->data == NULL;
    if (t->data == NULL || !read_at(f->fd, offset, t->data, length)) {
        free(t->data);
        t->data = NULL;
        return false;
    }
    t->length = length;
    return true;
}

static size_t glyph_offset(const gk_ttf *face, unsigned gid)
{
    return face->long_loca ? be32(face->loca.data + 4 * (size_t)gid)
                           : 2 * (size_t)be16(face->loca.data + 2 * (size_t)gid);
}

/* Where glyph gid's bytes are in glyf; false when loca points outside it. */
static bool glyph_extent(const gk_ttf *face, unsigned gid, size_t *start, size_t *len)
{
    size_t end = glyph_offset(face, gid + 1);
    *start = glyph_offset(face, gid);
    if (end < *start || end > face->glyf_length)
        return false;
    *len = end - *start;
    return true;
}

/* The metric tables libharu and the subsetter rely on, with consistent sizes. */
static const char *read_metrics(gk_ttf *face, font_file *f)
{
    if (!load(f, "head", &face->head) || !load(f, "hhea", &face->hhea) ||
        !load(f, "maxp", &face->maxp) || !load(f, "hmtx", &face->hmtx) ||
        !load(f, "loca", &face->loca) ||
        !locate(f, "glyf", &face->glyf_offset, &face->glyf_length) ||
        face->head.length < HEAD_MIN || face->hhea.length < HHEA_MIN ||
        face->maxp.length < MAXP_MIN)
        return N_("a table it needs (head, hhea, maxp, hmtx, loca or glyf) is missing or short");
    face->num_glyphs = be16(face->maxp.data + MAXP_NUM_GLYPHS);
    face->long_metrics = be16(face->hhea.data + HHEA_NUMBER_OF_HMETRICS);
    face->units_per_em = be16(face->head.data + HEAD_UNITS_PER_EM);
    face->long_loca = be16(face->head.data + HEAD_INDEX_TO_LOC_FORMAT) != 0;
    size_t n = face->num_glyphs, m = face->long_metrics;
    if (n == 0 || m == 0 || m > n || face->units_per_em == 0 ||
        face->hmtx.length < 4 * m + 2 * (n - m) ||
        face->loca.length < (n + 1) * (face->long_loca ? 4 : 2))
        return N_("its glyph count, metrics and glyph locations do not agree");
    return NULL;
}

/* libharu refuses fonts without OS/2 or whose fsType forbids embedding. */
static const char *read_os2(gk_ttf *face, font_file *f)
{
    if (!load(f, "OS/2", &face->os2) || face->os2.length < OS2_MIN)
        return N_("the OS/2 table is missing or short");
    if (be16(face->os2.data + OS2_FS_TYPE) & FS_TYPE_NO_EMBEDDING)
        return N_("its licence bits (OS/2 fsType) do not allow embedding it in a document");
    return NULL;
}

/* The glyph of code in segment i (of segs) of a format 4 subtable (sub, sub_len bytes), 0 when
 * none; glyph ids past the face's count are none too. */
static uint16_t segment_glyph(const gk_ttf *face, const uint8_t *sub, size_t sub_len,
                              unsigned segs, unsigned i, unsigned code)
{
    size_t seg_x2 = 2 * (size_t)segs;
    unsigned start = be16(sub + CMAP4_HEADER + seg_x2 + 2 + 2 * (size_t)i);
    unsigned delta = be16(sub + CMAP4_HEADER + 2 * seg_x2 + 2 + 2 * (size_t)i);
    size_t range_at = CMAP4_HEADER + 3 * seg_x2 + 2 + 2 * (size_t)i;
    unsigned range_offset = be16(sub + range_at);
    unsigned gid;
    if (range_offset == 0) {
        gid = (code + delta) & 0xFFFF;
    } else {
        size_t at = range_at + range_offset + 2 * (size_t)(code - start);
        if (at + 2 > sub_len)
            return 0;
        unsigned g = be16(sub + at);
        gid = g == 0 ? 0 : (g + delta) & 0xFFFF;
    }
    return gid < face->num_glyphs ? (uint16_t)gid : 0;
}

/* Fills face->glyph from a format 4 subtable. Like libharu, a code belongs to the first
 * segment whose end is not below it, and has no glyph when that segment starts above it. */
static const char *read_format4(gk_ttf *face, const uint8_t *sub, size_t available)
{
    size_t len = available >= 4 && be16(sub + 2) < available ? be16(sub + 2) : available;
    unsigned segs = len >= CMAP4_HEADER ? be16(sub + 6) / 2 : 0;
    if (be16(sub) != 4 || segs == 0 || len < CMAP4_HEADER + 2 + 8 * (size_t)segs)
        return N_("its Unicode cmap is damaged");
    long decided = -1; /* codes up to here belong to an earlier segment */
    for (unsigned i = 0; i < segs; i++) {
        long end = be16(sub + CMAP4_HEADER + 2 * (size_t)i);
        long start = be16(sub + CMAP4_HEADER + 2 * (size_t)segs + 2 + 2 * (size_t)i);
        for (long code = start > decided ? start : decided + 1; code <= end; code++)
            face->glyph[code] = segment_glyph(face, sub, len, segs, i, (unsigned)code);
        if (end > decided)
            decided = end;
    }
    return NULL;
}

/* The first Windows Unicode BMP (3, 1) format 4 subtable: the one libharu uses. */
static const char *read_unicode_cmap(gk_ttf *face, table cmap)
{
    unsigned count = be16(cmap.data + 2);
    for (unsigned i = 0; i < count && 4 + 8 * ((size_t)i + 1) <= cmap.length; i++) {
        const uint8_t *record = cmap.data + 4 + 8 * (size_t)i;
        size_t offset = be32(record + 4);
        if (be16(record) != 3 || be16(record + 2) != 1 || offset + 2 > cmap.length ||
            be16(cmap.data + offset) != 4)
            continue;
        return read_format4(face, cmap.data + offset, cmap.length - offset);
    }
    return N_("it has no Windows Unicode (platform 3, encoding 1) format 4 cmap");
}

/* The cmap, read only to fill face->glyph. */
static const char *read_cmap(gk_ttf *face, font_file *f)
{
    table cmap;
    const char *why = load(f, "cmap", &cmap) && cmap.length >= 4 && be16(cmap.data) == 0
                          ? read_unicode_cmap(face, cmap)
                          : N_("the cmap table is missing or damaged");
    free(cmap.data);
    return why;
}

/* Picks the name records libharu reads (the last of each kind wins, as in its loop). */
static bool pick_names(gk_ttf *face, table name)
{
    unsigned count = be16(name.data + 2), strings = be16(name.data + 4);
    for (unsigned i = 0; i < count && NAME_HEADER + NAME_RECORD * ((size_t)i + 1) <= name.length;
         i++) {
        const uint8_t *r = name.data + NAME_HEADER + NAME_RECORD * (size_t)i;
        name_record rec = {be16(r), be16(r + 2), be16(r + 4), be16(r + 6), NULL, be16(r + 8)};
        size_t at = (size_t)strings + be16(r + 10);
        if (at > name.length || rec.length > name.length - at)
            return false;
        rec.data = name.data + at;
        bool mac = rec.platform == 1 && rec.encoding == 0;
        bool win = rec.platform == 3 && rec.encoding == 1 && rec.language == 0x0409;
        if ((mac || win) && (rec.id == 6 || rec.id == 2))
            face->names[(win ? NAME_WIN_PS : NAME_MAC_PS) + (rec.id == 2)] = rec;
    }
    return true;
}

/* A name as libharu reads it into a buffer of HARU_NAME_MAX + 1 zeroed bytes: Macintosh bytes
 * as they are, else every second byte of the UTF-16 (the low byte). Returns its length in
 * bytes as libharu counts it. */
static size_t haru_name(const name_record *mac, const name_record *win, char *out)
{
    memset(out, 0, HARU_NAME_MAX + 1);
    if (mac->data != NULL) {
        memcpy(out, mac->data, mac->length);
        return mac->length;
    }
    for (size_t i = 1, j = 0; i <= win->length; i += 2, j++)
        out[j] = i < win->length ? (char)win->data[i] : 0;
    return win->length / 2 + win->length % 2;
}

/* libharu's BaseFont: the PostScript name, then ",Subfamily" unless the subfamily starts with
 * "Regular". libharu copies the subfamily up to its first space only (its loop stops
 * advancing there), and so does this. */
static const char *read_names(gk_ttf *face, font_file *f)
{
    if (!load(f, "name", &face->name) || face->name.length < NAME_HEADER ||
        !pick_names(face, face->name))
        return N_("the name table is missing or damaged");
    const name_record *n = face->names;
    if ((n[NAME_MAC_PS].data == NULL && n[NAME_WIN_PS].data == NULL) ||
        (n[NAME_MAC_SUBFAMILY].data == NULL && n[NAME_WIN_SUBFAMILY].data == NULL))
        return N_("its name table has no PostScript name or no subfamily name");
    size_t ps_len = n[NAME_MAC_PS].data ? n[NAME_MAC_PS].length : n[NAME_WIN_PS].length / 2 +
                                                                    n[NAME_WIN_PS].length % 2;
    size_t sub_len = n[NAME_MAC_SUBFAMILY].data ? n[NAME_MAC_SUBFAMILY].length
                                                : n[NAME_WIN_SUBFAMILY].length / 2 +
                                                      n[NAME_WIN_SUBFAMILY].length % 2;
    if (ps_len + sub_len + HARU_TAG_ROOM > HARU_NAME_MAX)
        return N_("its PostScript and subfamily names are too long");
    char subfamily[HARU_NAME_MAX + 1];
    haru_name(&n[NAME_MAC_PS], &n[NAME_WIN_PS], face->base_name);
    haru_name(&n[NAME_MAC_SUBFAMILY], &n[NAME_WIN_SUBFAMILY], subfamily);
    if (memcmp(subfamily, "Regular", 7) != 0) {
        char *dst = face->base_name + ps_len;
        const char *src = subfamily;
        *dst++ = ',';
        for (size_t j = 0; j < sub_len && dst < face->base_name + HARU_NAME_MAX; j++)
            if (*src != ' ')
                *dst++ = *src++;
        *dst = '\0';
    }
    return NULL;
}

/* libharu's XHeight: the glyph header of 'x' read at its loca offset (even when the glyph is
 * empty), yMax scaled to 1/1000 em and stored in 16 bits. */
static int haru_x_height(const gk_ttf *face)
{
    unsigned gid = face->glyph['x'];
    size_t at = gid ? glyph_offset(face, gid) + GLYPH_Y_MAX : 0;
    uint8_t bytes[2];
    if (gid == 0 || at + 2 > face->glyf_length ||
        !read_at(face->fd, face->glyf_offset + at, bytes, 2))
        return 0;
    int32_t y_max = (int16_t)be16(bytes);
    return (uint16_t)(y_max * 1000 / (int32_t)face->units_per_em);
}

gk_ttf *gk_ttf_open(int fd, size_t size, unsigned index, const char **why)
{
    font_file f = {fd, size, NULL, 0, false};
    gk_ttf *face = calloc(1, sizeof *face);
    if (face == NULL) {
        *why = NULL;
        return NULL;
    }
    face->fd = fd;
    if (!read_directory(&f, index))
        *why = N_("the face index does not fit the file, or it is not a TrueType font");
    else if ((*why = read_metrics(face, &f)) == NULL && (*why = read_os2(face, &f)) == NULL &&
             (*why = read_cmap(face, &f)) == NULL && (*why = read_names(face, &f)) == NULL) {
        load(&f, "post", &face->post);
        load(&f, "cvt ", &face->cvt);
        load(&f, "fpgm", &face->fpgm);
        load(&f, "prep", &face->prep);
        face->x_height = haru_x_height(face);
    }
    free(f.records);
    if (f.out_of_memory)
        *why = NULL;
    if (*why != NULL || f.out_of_memory) {
        gk_ttf_free(face);
        return NULL;
    }
    return face;
}

void gk_ttf_free(gk_ttf *face)
{
    if (face == NULL)
        return;
    table *owned[] = {&face->head, &face->hhea, &face->maxp, &face->hmtx, &face->loca,
                      &face->os2,  &face->post, &face->cvt,  &face->fpgm, &face->prep,
                      &face->name};
    for (size_t i = 0; i < sizeof owned / sizeof owned[0]; i++)
        free(owned[i]->data);
    free(face);
}

uint16_t gk_ttf_glyph(const gk_ttf *face, uint16_t code)
{
    return face->glyph[code];
}

int gk_ttf_width(const gk_ttf *face, uint16_t code)
{
    unsigned gid = face->glyph[code];
    unsigned metric = gid < face->long_metrics ? gid : face->long_metrics - 1;
    unsigned advance = be16(face->hmtx.data + 4 * (size_t)metric);
    return (int16_t)(uint16_t)(advance * 1000 / face->units_per_em);
}

const char *gk_ttf_base_name(const gk_ttf *face)
{
    return face->base_name;
}

int gk_ttf_x_height(const gk_ttf *face)
{
    return face->x_height;
}

/* ---- the glyphs to keep ----------------------------------------------------------------- */

/* Calls visit(at, id, ctx) for each component of a composite glyph (g, len bytes of 'glyf'):
 * at is the offset in g of the component's glyph id. True for empty and simple glyphs; false
 * when a record runs past the glyph or visit returns false. */
static bool each_component(const uint8_t *g, size_t len,
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

/* A kept glyph: its id in the face, and its bytes, read from the file, in the set's store. */
typedef struct kept_glyph {
    uint16_t gid;
    bool read; /* its bytes are in the store */
    size_t at, len;
} kept_glyph;

/* The kept glyphs: a growing list, a bit per glyph of the face for membership, and the
 * glyphs' bytes one after another. */
typedef struct glyph_set {
    kept_glyph *glyphs;
    size_t count, capacity;
    uint8_t *member;
    unsigned num_glyphs;
    uint8_t *store;
    size_t stored, store_capacity;
    bool out_of_memory;
} glyph_set;

static bool grow(void **items, size_t *capacity, size_t need, size_t size, glyph_set *set)
{
    if (need <= *capacity)
        return true;
    size_t wanted = *capacity ? *capacity : 256;
    while (wanted < need)
        wanted *= 2;
    void *more = realloc(*items, wanted * size);
    if (more == NULL) {
        set->out_of_memory = true;
        return false;
    }
    *items = more;
    *capacity = wanted;
    return true;
}

/* False for a glyph id the face does not have, or when memory runs out (out_of_memory). */
static bool set_add(glyph_set *set, unsigned gid)
{
    if (gid >= set->num_glyphs)
        return false;
    if (set->member[gid / 8] & (1u << (gid % 8)))
        return true;
    if (!grow((void **)&set->glyphs, &set->capacity, set->count + 1, sizeof *set->glyphs, set))
        return false;
    set->member[gid / 8] |= (uint8_t)(1u << (gid % 8));
    set->glyphs[set->count++] = (kept_glyph){(uint16_t)gid, false, 0, 0};
    return true;
}

static bool add_component(size_t at, unsigned id, void *ctx)
{
    (void)at;
    return set_add(ctx, id);
}

/* Glyphs less than this many bytes apart in the file are read with one system call (preadv):
 * each glyph's bytes into the store, the bytes between them into one scratch buffer. A call
 * costs a microsecond or two, and so does every new page of memory (a fresh page faults in:
 * up to 14 us in a virtual machine): reading the gaps into the store, a booklet's two fonts
 * took 800 KB for 156 KB of glyphs; one call a glyph, 900 calls. */
enum { READ_GAP_MAX = 4096, READ_PARTS_MAX = 1024 /* IOV_MAX */ };

/* Where a kept glyph's bytes are in the face's glyf table. */
typedef struct glyph_place {
    size_t index, start, len;
} glyph_place;

static int compare_places(const void *a, const void *b)
{
    size_t x = ((const glyph_place *)a)->start, y = ((const glyph_place *)b)->start;
    return (x > y) - (x < y);
}

/* The run of places (in file order) that starts at places[from] and is read with one call:
 * glyphs that follow each other (none overlapping the one before: glyphs sharing bytes go to
 * runs of their own, so that each has its own copy) less than READ_GAP_MAX bytes apart, as
 * many as the call's parts allow. Returns the place after it. */
static size_t place_run(const glyph_place *places, size_t count, size_t from)
{
    size_t end = places[from].start + places[from].len, parts = 1, next;
    for (next = from + 1; next < count; next++) {
        size_t gap = places[next].start - end;
        if (places[next].start < end || gap >= READ_GAP_MAX || parts + 2 > READ_PARTS_MAX)
            break;
        parts += gap > 0 ? 2 : 1;
        end = places[next].start + places[next].len;
    }
    return next;
}

/* Reads places[from .. next-1], a run, into the store at set->stored, its gaps into scratch. */
static bool read_run(const gk_ttf *face, glyph_set *set, const glyph_place *places,
                     size_t from, size_t next, uint8_t scratch[READ_GAP_MAX])
{
    struct iovec parts[READ_PARTS_MAX];
    size_t count = 0, total = 0, at = set->stored;
    for (size_t k = from; k < next; k++) {
        size_t gap = k > from ? places[k].start - (places[k - 1].start + places[k - 1].len) : 0;
        if (gap > 0)
            parts[count++] = (struct iovec){scratch, gap};
        parts[count++] = (struct iovec){set->store + at, places[k].len};
        set->glyphs[places[k].index] =
            (kept_glyph){set->glyphs[places[k].index].gid, true, at, places[k].len};
        at += places[k].len;
        total += gap + places[k].len;
    }
    ssize_t got;
    do
        got = preadv(face->fd, parts, (int)count, (off_t)(face->glyf_offset + places[from].start));
    while (got < 0 && errno == EINTR);
    set->stored = at;
    return got >= 0 && (size_t)got == total; /* a regular file reads short only at its end */
}

/* Reads places[0 .. count-1] (in file order) into the store, which grows by exactly their
 * bytes. */
static const char *read_places(const gk_ttf *face, glyph_set *set, const glyph_place *places,
                               size_t count)
{
    size_t total = 0;
    for (size_t k = 0; k < count; k++)
        total += places[k].len;
    if (set->stored + total > set->store_capacity) {
        uint8_t *more = realloc(set->store, set->stored + total);
        if (more == NULL) {
            set->out_of_memory = true;
            return NULL;
        }
        set->store = more;
        set->store_capacity = set->stored + total;
    }
    uint8_t scratch[READ_GAP_MAX];
    for (size_t from = 0, next; from < count; from = next) {
        next = place_run(places, count, from);
        if (!read_run(face, set, places, from, next, scratch))
            return N_("its glyph data cannot be read (was the file changed?)");
    }
    return NULL;
}

/* Reads the kept glyphs from .. to-1 not read yet into the store, in file order. */
static const char *read_glyphs(const gk_ttf *face, glyph_set *set, size_t from, size_t to)
{
    glyph_place *places = malloc(sizeof *places * (to - from + 1));
    if (places == NULL) {
        set->out_of_memory = true;
        return NULL;
    }
    size_t count = 0;
    const char *why = NULL;
    for (size_t i = from; i < to && why == NULL; i++) {
        if (set->glyphs[i].read)
            continue;
        glyph_place *p = &places[count++];
        p->index = i;
        if (!glyph_extent(face, set->glyphs[i].gid, &p->start, &p->len))
            why = N_("its glyph locations (loca) point outside the glyph data");
    }
    if (why == NULL) {
        qsort(places, count, sizeof *places, compare_places);
        why = read_places(face, set, places, count);
    }
    free(places);
    return why;
}

static int compare_glyphs(const void *a, const void *b)
{
    return (int)((const kept_glyph *)a)->gid - (int)((const kept_glyph *)b)->gid;
}

/* .notdef, the glyphs of codes and every component of the composite glyphs among them
 * (nested ones too), read from the file, in ascending order. Component ids are read
 * unsigned: libharu 2.3.0 read them as INT16 and so dropped every component id >= 32768
 * (characters drew blank). False with *why when the glyph data is inconsistent, or *why NULL
 * when memory runs out. */
static bool keep_glyphs(const gk_ttf *face, const uint16_t *codes, size_t count,
                        glyph_set *set, const char **why)
{
    *why = NULL;
    set->num_glyphs = face->num_glyphs;
    set->member = calloc((face->num_glyphs + 7) / 8, 1);
    if (set->member == NULL || !set_add(set, 0))
        return false;
    for (size_t i = 0; i < count; i++)
        if (!set_add(set, face->glyph[codes[i]])) /* glyph ids are below num_glyphs */
            return false;
    /* the list grows while it is walked; it is read in waves: the characters' glyphs, then
       the components they name, then theirs */
    for (size_t i = 0, wave_end = 0; i < set->count; i++) {
        if (i == wave_end) {
            wave_end = set->count;
            if ((*why = read_glyphs(face, set, i, wave_end)) != NULL || set->out_of_memory)
                return false;
        }
        const kept_glyph *g = &set->glyphs[i];
        if (!each_component(set->store + g->at, g->len, add_component, set)) {
            if (!set->out_of_memory)
                *why = N_("a composite glyph is damaged or refers to a glyph the font does "
                          "not have");
            return false;
        }
    }
    qsort(set->glyphs, set->count, sizeof *set->glyphs, compare_glyphs);
    return true;
}

/* The new id of a kept glyph: its rank in the sorted set. */
static uint16_t new_id(const glyph_set *set, unsigned gid)
{
    size_t low = 0, high = set->count;
    while (low < high) {
        size_t mid = (low + high) / 2;
        if (set->glyphs[mid].gid < gid)
            low = mid + 1;
        else
            high = mid;
    }
    return (uint16_t)low;
}

typedef struct renumbering {
    uint8_t *glyph;
    const glyph_set *set;
} renumbering;

static bool renumber_one(size_t at, unsigned component, void *ctx)
{
    renumbering *r = ctx;
    put16(r->glyph + at, new_id(r->set, component));
    return true;
}

/* ---- the new tables -------------------------------------------------------------------- */

typedef struct sfnt_table {
    char tag[4];
    const uint8_t *data;
    size_t length;
} sfnt_table;

/* The tables both fonts share, and the buffers behind the rebuilt ones. */
typedef struct built {
    uint8_t head[HEAD_MIN], hhea[HHEA_MIN], post[POST_HEADER];
    uint8_t *maxp, *glyf, *loca, *hmtx, *name;
    uint8_t metrics_head[HEAD_MIN], *empty_loca, empty_cmap[12 + CMAP4_HEADER + 2 + 8];
    sfnt_table tables[MAX_TABLES];
    size_t count;
} built;

static void add(built *b, const char *tag, const uint8_t *data, size_t length)
{
    if (b->count < MAX_TABLES)
        b->tables[b->count++] = (sfnt_table){{tag[0], tag[1], tag[2], tag[3]}, data, length};
}

static void free_built(built *b)
{
    free(b->maxp);
    free(b->glyf);
    free(b->loca);
    free(b->hmtx);
    free(b->name);
    free(b->empty_loca);
}

/* Fills glyf, loca and hmtx for the kept glyphs (each glyph padded to an even length, as a
 * short loca needs); false when memory runs out. */
static bool build_glyphs(const gk_ttf *face, const glyph_set *set, built *b, size_t *glyf_size,
                         bool *long_loca)
{
    size_t size = 0;
    for (size_t i = 0; i < set->count; i++)
        size += (set->glyphs[i].len + 1) & ~(size_t)1;
    *glyf_size = size;
    *long_loca = size / 2 > 0xFFFF;
    size_t n = set->count;
    b->glyf = calloc(size + 1, 1); /* pad bytes stay zero */
    b->loca = malloc((n + 1) * (*long_loca ? 4 : 2));
    b->hmtx = malloc(4 * n);
    if (b->glyf == NULL || b->loca == NULL || b->hmtx == NULL)
        return false;
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned gid = set->glyphs[i].gid;
        size_t len = set->glyphs[i].len;
        if (*long_loca)
            put32(b->loca + 4 * i, (uint32_t)at);
        else
            put16(b->loca + 2 * i, (unsigned)(at / 2));
        memcpy(b->glyf + at, set->store + set->glyphs[i].at, len);
        renumbering r = {b->glyf + at, set};
        each_component(b->glyf + at, len, renumber_one, &r);
        at += (len + 1) & ~(size_t)1;
        unsigned m = face->long_metrics;
        unsigned metric = gid < m ? gid : m - 1;
        unsigned lsb = gid < m ? be16(face->hmtx.data + 4 * (size_t)gid + 2)
                               : be16(face->hmtx.data + 4 * (size_t)m + 2 * (size_t)(gid - m));
        put16(b->hmtx + 4 * i, be16(face->hmtx.data + 4 * (size_t)metric));
        put16(b->hmtx + 4 * i + 2, lsb);
    }
    if (*long_loca)
        put32(b->loca + 4 * n, (uint32_t)at);
    else
        put16(b->loca + 2 * n, (unsigned)(at / 2));
    return true;
}

/* The program's tables: head, hhea, maxp and post copied with the fields that depend on the
 * glyphs changed (post as format 3: a format 2 post names glyphs by their old ids), glyf,
 * loca and hmtx rebuilt, and OS/2, cvt, fpgm and prep copied when the face has them. */
static bool build_program_tables(const gk_ttf *face, const glyph_set *set, built *b)
{
    size_t glyf_size;
    bool long_loca;
    b->maxp = malloc(face->maxp.length);
    if (b->maxp == NULL || !build_glyphs(face, set, b, &glyf_size, &long_loca))
        return false;
    unsigned n = (unsigned)set->count;
    memcpy(b->head, face->head.data, HEAD_MIN);
    put16(b->head + HEAD_INDEX_TO_LOC_FORMAT, long_loca);
    memcpy(b->hhea, face->hhea.data, HHEA_MIN);
    put16(b->hhea + HHEA_NUMBER_OF_HMETRICS, n);
    memcpy(b->maxp, face->maxp.data, face->maxp.length);
    put16(b->maxp + MAXP_NUM_GLYPHS, n);
    add(b, "head", b->head, HEAD_MIN);
    add(b, "hhea", b->hhea, HHEA_MIN);
    add(b, "maxp", b->maxp, face->maxp.length);
    add(b, "hmtx", b->hmtx, 4 * (size_t)n);
    add(b, "loca", b->loca, ((size_t)n + 1) * (long_loca ? 4 : 2));
    add(b, "glyf", b->glyf, glyf_size);
    if (face->post.length >= POST_HEADER) {
        memcpy(b->post, face->post.data, POST_HEADER);
        put32(b->post, 0x00030000);
        add(b, "post", b->post, POST_HEADER);
    }
    add(b, "OS/2", face->os2.data, face->os2.length);
    const table *hinting[] = {&face->cvt, &face->fpgm, &face->prep};
    const char *tags[] = {"cvt ", "fpgm", "prep"};
    for (size_t i = 0; i < 3; i++)
        if (hinting[i]->length > 0)
            add(b, tags[i], hinting[i]->data, hinting[i]->length);
    return true;
}

/* cmap segments over the codes that have a glyph: [start, end] pairs, codes closer than
 * gap apart sharing one. Returns their number and the glyph-array entries they need. */
static size_t plan_segments(const uint16_t *codes, const uint16_t *gid, size_t count,
                            unsigned gap, uint16_t (*segments)[2], size_t *entries)
{
    size_t segs = 0;
    *entries = 0;
    for (size_t i = 0; i < count; i++) {
        if (gid[i] == 0 || codes[i] == 0xFFFF) /* 0xFFFF is the closing segment's */
            continue;
        if (segs > 0 && (unsigned)(codes[i] - segments[segs - 1][1]) <= gap) {
            *entries += codes[i] - segments[segs - 1][1];
            segments[segs - 1][1] = codes[i];
        } else {
            segments[segs][0] = segments[segs][1] = codes[i];
            segs++;
            *entries += 1;
        }
    }
    return segs;
}

/* Writes a format 4 subtable for the planned segments at s (its size from format4_size): each
 * segment maps codes[i] to gid[i] through the glyph array, codes between them to glyph 0; the
 * last segment is the 0xFFFF one format 4 requires. */
static void write_format4(uint8_t *s, size_t size, const uint16_t (*segments)[2], size_t segs,
                          const uint16_t *codes, const uint16_t *gid, size_t count)
{
    size_t n = segs + 1, power = 1, log2 = 0;
    while (power * 2 <= n) {
        power *= 2;
        log2++;
    }
    put16(s, 4);
    put16(s + 2, (unsigned)size);
    put16(s + 6, (unsigned)(2 * n));
    put16(s + 8, (unsigned)(2 * power));
    put16(s + 10, (unsigned)log2);
    put16(s + 12, (unsigned)(2 * n - 2 * power));
    uint8_t *end = s + CMAP4_HEADER, *start = end + 2 * n + 2, *delta = start + 2 * n;
    uint8_t *range = delta + 2 * n, *array = range + 2 * n;
    size_t first = 0; /* the segment's first glyph-array entry */
    for (size_t i = 0; i < segs; i++) {
        put16(end + 2 * i, segments[i][1]);
        put16(start + 2 * i, segments[i][0]);
        put16(range + 2 * i, (unsigned)(2 * (n - i) + 2 * first));
        first += (size_t)segments[i][1] - segments[i][0] + 1;
    }
    put16(end + 2 * segs, 0xFFFF);
    put16(start + 2 * segs, 0xFFFF);
    put16(delta + 2 * segs, 1); /* 0xFFFF + 1: glyph 0 */
    for (size_t i = 0, seg = 0, base = 0; segs > 0 && i < count; i++) {
        if (gid[i] == 0 || codes[i] == 0xFFFF)
            continue;
        while (codes[i] > segments[seg][1]) {
            base += (size_t)segments[seg][1] - segments[seg][0] + 1;
            seg++;
        }
        put16(array + 2 * (base + codes[i] - segments[seg][0]), gid[i]);
    }
}

static size_t format4_size(size_t segs, size_t entries)
{
    return CMAP4_HEADER + 2 + 8 * (segs + 1) + 2 * entries;
}

/* A format 4 subtable mapping codes to their new glyphs (calloc'd: pad and gaps zero), for
 * libharu's lookups while drawing (the program has no cmap). */
static bool build_format4(const uint16_t *codes, const uint16_t *gid, size_t count,
                          uint8_t **out, size_t *length, const char **why)
{
    uint16_t(*segments)[2] = malloc((count + 1) * sizeof *segments);
    if (segments == NULL)
        return false;
    size_t entries, segs = plan_segments(codes, gid, count, CMAP_MERGE_GAP, segments, &entries);
    if (format4_size(segs, entries) > FORMAT4_MAX)
        segs = plan_segments(codes, gid, count, 0, segments, &entries);
    *length = format4_size(segs, entries);
    if (*length > FORMAT4_MAX) {
        free(segments);
        *why = N_("a booklet draws more distinct characters with it than one font can map");
        return false;
    }
    *out = calloc(*length, 1);
    if (*out != NULL)
        write_format4(*out, *length, (const uint16_t(*)[2])segments, segs, codes, gid, count);
    free(segments);
    return *out != NULL;
}

/* A name table with the face's records libharu reads, so that it names the font as before. */
static bool build_name(const gk_ttf *face, built *b, size_t *length)
{
    size_t count = 0, strings = 0;
    for (size_t i = 0; i < NAME_PICKS; i++)
        if (face->names[i].data != NULL) {
            count++;
            strings += face->names[i].length;
        }
    *length = NAME_HEADER + NAME_RECORD * count + strings;
    b->name = calloc(*length, 1);
    if (b->name == NULL)
        return false;
    put16(b->name + 2, (unsigned)count);
    put16(b->name + 4, (unsigned)(NAME_HEADER + NAME_RECORD * count));
    uint8_t *r = b->name + NAME_HEADER, *text = r + NAME_RECORD * count;
    size_t at = 0;
    for (size_t i = 0; i < NAME_PICKS; i++) {
        const name_record *rec = &face->names[i];
        if (rec->data == NULL)
            continue;
        put16(r, rec->platform);
        put16(r + 2, rec->encoding);
        put16(r + 4, rec->language);
        put16(r + 6, rec->id);
        put16(r + 8, (unsigned)rec->length);
        put16(r + 10, (unsigned)at);
        memcpy(text + at, rec->data, rec->length);
        at += rec->length;
        r += NAME_RECORD;
    }
    return true;
}

/* ---- writing a font ------------------------------------------------------------------- */

static int compare_tags(const void *a, const void *b)
{
    return memcmp(((const sfnt_table *)a)->tag, ((const sfnt_table *)b)->tag, 4);
}

/* Writes the tables (sorted here) as an sfnt, each 4-byte aligned, with checksums and head's
 * checkSumAdjustment (head is always among them). */
static uint8_t *write_sfnt(sfnt_table *tables, size_t count, size_t *out_size)
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

/* The font libharu loads: the program's metrics (head, hhea, maxp, hmtx, OS/2), the names it
 * reads, no glyph outlines (every glyph empty: libharu only measures, and the program is
 * written by gk_haru_write_font_file) and a cmap mapping nothing (libharu looks up all 65,536
 * BMP code points when it creates the font, and with the real map the segments' linear search
 * costs millions of instructions; gk_haru_set_cmap gives it the real map afterwards). */
static bool build_loadable(const gk_ttf *face, built *b, size_t glyphs, gk_ttf_subset *out)
{
    size_t name_length;
    b->empty_loca = calloc(glyphs + 1, 2);
    if (b->empty_loca == NULL || !build_name(face, b, &name_length))
        return false;
    memcpy(b->metrics_head, b->head, HEAD_MIN);
    put16(b->metrics_head + HEAD_INDEX_TO_LOC_FORMAT, 0);
    uint8_t *c = b->empty_cmap;
    put16(c + 2, 1); /* version 0, one subtable: Windows (3), Unicode BMP (1), at 12 */
    put16(c + 4, 3);
    put16(c + 6, 1);
    put32(c + 8, 12);
    write_format4(c + 12, sizeof b->empty_cmap - 12, NULL, 0, NULL, NULL, 0);
    sfnt_table tables[] = {
        {"head", b->metrics_head, HEAD_MIN},
        {"hhea", b->hhea, HHEA_MIN},
        {"maxp", b->maxp, face->maxp.length},
        {"hmtx", b->hmtx, 4 * glyphs},
        {"loca", b->empty_loca, 2 * (glyphs + 1)},
        {"glyf", b->metrics_head, 0},
        {"OS/2", face->os2.data, face->os2.length},
        {"name", b->name, name_length},
        {"cmap", b->empty_cmap, sizeof b->empty_cmap},
    };
    out->loadable = write_sfnt(tables, sizeof tables / sizeof tables[0], &out->loadable_size);
    return out->loadable != NULL;
}

bool gk_ttf_subset_make(const gk_ttf *face, const uint16_t *codes, size_t count,
                        gk_ttf_subset *out, const char **why)
{
    memset(out, 0, sizeof *out);
    *why = NULL;
    glyph_set set = {0};
    built b = {.count = 0};
    bool ok = keep_glyphs(face, codes, count, &set, why);
    out->gid = ok ? malloc(sizeof *out->gid * (count > 0 ? count : 1)) : NULL;
    ok = ok && out->gid != NULL;
    for (size_t i = 0; ok && i < count; i++)
        out->gid[i] = new_id(&set, face->glyph[codes[i]]);
    ok = ok && build_program_tables(face, &set, &b);
    if (ok && (out->program = write_sfnt(b.tables, b.count, &out->program_size)) == NULL)
        ok = false;
    ok = ok && build_format4(codes, out->gid, count, &out->cmap, &out->cmap_size, why) &&
         build_loadable(face, &b, set.count, out);
    free_built(&b);
    free(set.glyphs);
    free(set.member);
    free(set.store);
    if (!ok)
        gk_ttf_subset_free(out);
    return ok;
}

void gk_ttf_subset_free(gk_ttf_subset *subset)
{
    free(subset->program);
    free(subset->loadable);
    free(subset->cmap);
    free(subset->gid);
    memset(subset, 0, sizeof *subset);
}
