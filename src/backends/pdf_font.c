/* The PDF backend's font layer: faces parsed once per process, advances, glyph coverage,
 * recording drawn code points, per-document subsets given to libharu with its UTF-8 encoder,
 * and the pre-save repairs (pdf_harufix.c). */
#include "backends/pdf_font.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "backends/pdf_harufix.h"
#include "backends/pdf_subset.h"
#include "util/datadir.h"
#include "util/i18n.h"
#include "util/input_file.h"
#include "util/sha256.h"


enum { CODE_SPACE = 0x10000 };               /* libharu draws BMP code units only */
enum { SPACE = 0x20 };                       /* what libharu draws for non-BMP input */

/* A face parsed once and shared: immutable but for refs (under cache_lock). */
typedef struct shared_face {
    struct shared_face *next; /* in the cache, while cached */
    char *path;
    unsigned index;
    struct stat identity; /* device, inode, size, times of the file read */
    int fd;               /* open: glyph outlines are read when a booklet needs them */
    gk_ttf *ttf;
    unsigned refs; /* documents using it, plus one while cached */
} shared_face;

struct gk_pdf_font {
    shared_face *face;
    HPDF_Font font;                         /* after embed */
    bool embedded, finished;
    bool unmapped_recorded;                 /* a recorded code point has no glyph */
    uint32_t unrecorded;                    /* a code point drawn but not recorded, or 0 */
    uint16_t *codes;                        /* the recorded code points, from embed on */
    size_t count;
    gk_ttf_subset subset;                   /* program and glyph ids, until finish */
    char path[GK_DIAG_FILE_MAX];            /* for diagnostics */
    uint8_t recorded[CODE_SPACE / 8];       /* bit per BMP code point drawn */
};

/* ---- default paths --------------------------------------------------------------------- */

const char *gk_pdf_font_default_path(int face)
{
    static const char *const files[] = {"song.ttf", "hei.ttf"};
    static _Thread_local char path[4096];
    if (face < 0 || face > 1)
        return NULL;
    int n = snprintf(path, sizeof path, "%s/%s", gk_data_dir(GK_DATA_FONTS), files[face]);
    return n > 0 && (size_t)n < sizeof path ? path : NULL;
}

/* ---- trust --------------------------------------------------------------------------------- */

static gk_status read_magic(const char *path, char magic[4], gk_diag *diag);

/* The pinned SHA-256 of a prepared face, from fonts.sha256 in the font folder. */
static bool pinned_hash(const char *font_path, char out[65])
{
    char pins[4096];
    const char *slash = strrchr(font_path, '/');
    snprintf(pins, sizeof pins, "%.*s/fonts.sha256", slash ? (int)(slash - font_path) : 1,
             slash ? font_path : ".");
    int fd;
    size_t size;
    if (gk_input_open(pins, GK_INPUT_MAX_BYTES, &fd, &size, NULL) != GK_OK)
        return false;
    FILE *f = fdopen(fd, "r");
    if (f == NULL) {
        close(fd);
        return false;
    }
    char hash[128], name[256];
    bool found = false;
    while (!found && fscanf(f, "%127s %255s", hash, name) == 2)
        found = strlen(hash) == 64 && strcmp(name, slash ? slash + 1 : font_path) == 0;
    fclose(f);
    if (found)
        memcpy(out, hash, 65);
    return found;
}

gk_status gk_pdf_font_verify(int face, const char *path, gk_diag *diag)
{
    if (path != NULL) { /* the user's own font: readable TrueType, checked by read_magic */
        char magic[4];
        return read_magic(path, magic, diag);
    }
    path = gk_pdf_font_default_path(face);
    if (path == NULL)
        return gk_diag_set(diag, GK_ERR_IO, "", 0, 0, "no prepared font for face %d", face);
    char magic[4], expected[65], found[65];
    gk_status status = read_magic(path, magic, diag); /* a regular file before it is hashed */
    if (status != GK_OK)
        return status;
    if (!pinned_hash(path, expected))
        return gk_diag_set(diag, GK_ERR_IO, path, 0, 0,
                           "font not pinned: fonts.sha256 beside it is missing or has no line "
                           "for it");
    if (!gk_sha256_file_stamped(path, found))
        return gk_diag_set(diag, GK_ERR_IO, path, 0, 0, "cannot read the font: %s",
                           strerror(errno));
    if (strcmp(expected, found) != 0)
        return gk_diag_set(diag, GK_ERR_IO, path, 0, 0,
                           "font differs from its pinned SHA-256 (expected %s, found %s): "
                           "rebuild it or reinstall gongkai", expected, found);
    return GK_OK;
}

/* ---- errors ----------------------------------------------------------------------------- */

/* what: the step that failed, already translated. */
static gk_status haru_error(HPDF_Doc pdf, gk_diag *diag, const char *path, const char *what)
{
    /* TRANSLATORS: 0x%04lX and %lu are libharu's error and detail codes; %s is the step that
     * failed ("loading the font", "creating the font", …). */
    return gk_diag_set(diag, GK_ERR_BACKEND, path, 0, 0, "libharu error 0x%04lX (detail %lu) while %s",
                       (unsigned long)HPDF_GetError(pdf), (unsigned long)HPDF_GetErrorDetail(pdf),
                       what);
}

/* Reads the first four bytes, so that a missing file gives an errno message before anything
 * else reads it. Opened with gk_input_open: only a readable regular file passes, and a FIFO
 * never blocks. */
static gk_status read_magic(const char *path, char magic[4], gk_diag *diag)
{
    int fd;
    size_t size;
    gk_status status = gk_input_open(path, GK_INPUT_MAX_BYTES, &fd, &size, diag);
    if (status != GK_OK)
        return status;
    ssize_t got = size < 4 ? 0 : pread(fd, magic, 4, 0);
    int err = errno;
    close(fd);
    if (got < 0)
        /* TRANSLATORS: %s is the operating system's reason. */
        return gk_diag_set(diag, GK_ERR_IO, path, 0, 0, "cannot read file: %s", strerror(err));
    if (got != 4)
        return gk_diag_set(diag, GK_ERR_IO, path, 0, 0, "not a TrueType font (too short)");
    return GK_OK;
}

/* ---- faces parsed once per process ------------------------------------------------------ */

/* Parsed faces, kept for the process's later documents: a worker exports many units in a row,
 * and parsing a face (its character map for all 65,536 BMP code points) once instead of per
 * document is most of what this layer saves. Sessions may run in parallel threads. */
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static shared_face *cache;
static size_t faces_parsed;

static bool same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
           a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

static void face_destroy(shared_face *face)
{
    gk_ttf_free(face->ttf);
    if (face->fd >= 0)
        close(face->fd);
    free(face->path);
    free(face);
}

/* Drops one reference; the caller holds cache_lock. */
static void face_unref_locked(shared_face *face)
{
    if (--face->refs == 0)
        face_destroy(face);
}

static void face_release(shared_face *face)
{
    if (face == NULL)
        return;
    pthread_mutex_lock(&cache_lock);
    face_unref_locked(face);
    pthread_mutex_unlock(&cache_lock);
}

/* The cached face of path and index whose file is still the one parsed (a new reference), or
 * NULL. */
static shared_face *face_lookup(const char *path, unsigned index, const struct stat *identity)
{
    pthread_mutex_lock(&cache_lock);
    shared_face *found = cache;
    while (found != NULL && (found->index != index || strcmp(found->path, path) != 0 ||
                             !same_file(&found->identity, identity)))
        found = found->next;
    if (found != NULL)
        found->refs++;
    pthread_mutex_unlock(&cache_lock);
    return found;
}

/* Caches face (the caller's reference stays the caller's) in place of older parses of its
 * path and index, which go when their last document lets them go. Another thread may have
 * parsed the same file meanwhile: then both stay usable and the newer one is cached. */
static void face_insert(shared_face *face)
{
    pthread_mutex_lock(&cache_lock);
    for (shared_face **link = &cache; *link != NULL;) {
        shared_face *old = *link;
        if (old->index == face->index && strcmp(old->path, face->path) == 0) {
            *link = old->next;
            face_unref_locked(old);
        } else {
            link = &old->next;
        }
    }
    face->refs++;
    face->next = cache;
    cache = face;
    faces_parsed++;
    pthread_mutex_unlock(&cache_lock);
}

size_t gk_pdf_font_faces_parsed(void)
{
    pthread_mutex_lock(&cache_lock);
    size_t parsed = faces_parsed;
    pthread_mutex_unlock(&cache_lock);
    return parsed;
}

/* Checks the magic and the index against it: a clear message for a CFF font and for an index
 * that does not fit, before the face is parsed. */
static gk_status check_kind(const char *path, int fd, size_t size, int ttc_index, gk_diag *diag)
{
    char magic[4];
    if (size < 4 || pread(fd, magic, 4, 0) != 4)
        return gk_diag_set(diag, GK_ERR_IO, path, 0, 0, "not a TrueType font (too short)");
    if (memcmp(magic, "OTTO", 4) == 0)
        return gk_diag_set(diag, GK_ERR_BACKEND, path, 0, 0,
                           "CFF-based OpenType fonts cannot be embedded by libharu; "
                           "convert it to TrueType (fonts/prepare.py does)");
    bool collection = memcmp(magic, "ttcf", 4) == 0;
    if (collection && ttc_index < 0)
        return gk_diag_set(diag, GK_ERR_USAGE, path, 0, 0,
                           "font index %d is invalid for a font collection (.ttc)", ttc_index);
    if (!collection && ttc_index > 0)
        return gk_diag_set(diag, GK_ERR_USAGE, path, 0, 0,
                           "font index %d is invalid for a single font (.ttf)", ttc_index);
    return GK_OK;
}

/* Parses the open font file fd (size bytes, fstat gave identity) into a new face with one
 * reference, which keeps fd open; on failure fd is closed. */
static gk_status face_parse(const char *path, int fd, size_t size, int ttc_index,
                            const struct stat *identity, shared_face **out, gk_diag *diag)
{
    shared_face *face = calloc(1, sizeof *face);
    if (face == NULL || (face->path = strdup(path)) == NULL) {
        free(face);
        close(fd);
        return gk_diag_set(diag, GK_ERR_NOMEM, path, 0, 0, "out of memory");
    }
    face->fd = fd;
    face->index = ttc_index > 0 ? (unsigned)ttc_index : 0;
    face->identity = *identity;
    face->refs = 1;
    gk_status st = check_kind(path, fd, size, ttc_index, diag);
    const char *why = NULL;
    if (st == GK_OK && (face->ttf = gk_ttf_open(fd, size, face->index, &why)) == NULL)
        st = why == NULL ? gk_diag_set(diag, GK_ERR_NOMEM, path, 0, 0, "out of memory")
                         /* TRANSLATORS: %s says what is wrong with the font file. */
                         : gk_diag_set(diag, GK_ERR_BACKEND, path, 0, 0,
                                       "not a TrueType font libharu can embed: %s", _(why));
    if (st != GK_OK) {
        face_destroy(face);
        return st;
    }
    *out = face;
    return GK_OK;
}

/* The face of path and index, parsed now or by an earlier document of the process. */
static gk_status face_acquire(const char *path, int ttc_index, shared_face **out, gk_diag *diag)
{
    *out = NULL;
    int fd;
    size_t size;
    gk_status st = gk_input_open(path, GK_INPUT_MAX_BYTES, &fd, &size, diag);
    if (st != GK_OK)
        return st;
    struct stat identity;
    if (fstat(fd, &identity) != 0) {
        int err = errno;
        close(fd);
        return gk_diag_set(diag, GK_ERR_IO, path, 0, 0, "cannot read file: %s", strerror(err));
    }
    unsigned index = ttc_index > 0 ? (unsigned)ttc_index : 0;
    shared_face *face = face_lookup(path, index, &identity);
    if (face != NULL) {
        close(fd);
    } else {
        st = face_parse(path, fd, size, ttc_index, &identity, &face, diag);
        if (st == GK_OK)
            face_insert(face);
    }
    *out = face;
    return st;
}

/* ---- opening ------------------------------------------------------------------------------ */

gk_status gk_pdf_font_open(const char *path, int ttc_index, gk_pdf_font **out, gk_diag *diag)
{
    *out = NULL;
    if (!gk_haru_version_ok())
        return gk_diag_set(diag, GK_ERR_BACKEND, path, 0, 0,
                           "libharu %s is linked, but the font repairs need exactly %s",
                           HPDF_GetVersion(), HPDF_VERSION_TEXT);
    gk_pdf_font *f = calloc(1, sizeof *f);
    if (f == NULL)
        return gk_diag_set(diag, GK_ERR_NOMEM, path, 0, 0, "out of memory");
    gk_status st = face_acquire(path, ttc_index, &f->face, diag);
    if (st != GK_OK) {
        free(f);
        return st;
    }
    snprintf(f->path, sizeof f->path, "%s", path);
    *out = f;
    return GK_OK;
}

void gk_pdf_font_warm(const char *path)
{
    shared_face *face = NULL;
    if (path != NULL && face_acquire(path, 0, &face, NULL) == GK_OK)
        face_release(face);
}

bool gk_pdf_font_same_face(const gk_pdf_font *a, const gk_pdf_font *b)
{
    return a->face == b->face ||
           strcmp(gk_ttf_base_name(a->face->ttf), gk_ttf_base_name(b->face->ttf)) == 0;
}

HPDF_Font gk_pdf_font_handle(const gk_pdf_font *font)
{
    return font->font;
}

void gk_pdf_font_free(gk_pdf_font *font)
{
    if (font == NULL)
        return;
    face_release(font->face);
    gk_ttf_subset_free(&font->subset);
    free(font->codes);
    free(font);
}

/* ---- measuring and coverage ------------------------------------------------------------ */

double gk_pdf_font_advance(const void *font, uint32_t codepoint)
{
    const gk_pdf_font *f = font;
    uint16_t code = codepoint < CODE_SPACE ? (uint16_t)codepoint : SPACE;
    return gk_ttf_width(f->face->ttf, code);
}

bool gk_pdf_font_has_glyph(const gk_pdf_font *font, uint32_t codepoint)
{
    return codepoint < CODE_SPACE && gk_ttf_glyph(font->face->ttf, (uint16_t)codepoint) != 0;
}

/* ---- recording ------------------------------------------------------------------------- */

/* Decodes one UTF-8 sequence at s (n bytes left) into *cp and returns its length, or 0 when
 * the bytes are not valid UTF-8 (overlong forms, surrogates and values past U+10FFFF too). */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    static const uint32_t min_value[] = {0, 0, 0x80, 0x800, 0x10000};
    size_t len = s[0] < 0x80 ? 1 : (s[0] & 0xE0) == 0xC0 ? 2 : (s[0] & 0xF0) == 0xE0 ? 3
               : (s[0] & 0xF8) == 0xF0 ? 4 : 0;
    if (len == 0 || len > n)
        return 0;
    uint32_t value = len == 1 ? s[0] : s[0] & (0x7F >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        value = value << 6 | (s[i] & 0x3F);
    }
    if (value < min_value[len] || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF))
        return 0;
    *cp = value;
    return len;
}

static bool is_recorded(const gk_pdf_font *font, uint32_t cp)
{
    return (font->recorded[cp / 8] >> (cp % 8)) & 1;
}

/* The next code libharu draws from utf8[*at …] (*at moves past it); false at the end. An
 * invalid byte is skipped, as libharu skips it; a code point beyond the BMP is drawn as a
 * space. */
static bool next_code(const char *utf8, size_t len, size_t *at, uint32_t *code)
{
    const unsigned char *s = (const unsigned char *)utf8;
    while (*at < len) {
        size_t step = utf8_decode(s + *at, len - *at, code);
        *at += step > 0 ? step : 1;
        if (step == 0)
            continue;
        if (*code >= CODE_SPACE)
            *code = SPACE;
        return true;
    }
    return false;
}

static void record_code(gk_pdf_font *font, uint32_t cp)
{
    if (!font->embedded)
        font->recorded[cp / 8] |= (uint8_t)(1u << (cp % 8));
    else if (!is_recorded(font, cp) && font->unrecorded == 0)
        font->unrecorded = cp;
}

void gk_pdf_font_record(gk_pdf_font *font, const char *utf8, size_t len)
{
    uint32_t cp;
    for (size_t at = 0; next_code(utf8, len, &at, &cp);)
        record_code(font, cp);
}

size_t gk_pdf_font_codes(gk_pdf_font *font, const char *utf8, size_t len, char *hex)
{
    static const char digits[] = "0123456789ABCDEF";
    size_t n = 0;
    uint32_t cp;
    for (size_t at = 0; next_code(utf8, len, &at, &cp);) {
        record_code(font, cp);
        for (int shift = 12; shift >= 0; shift -= 4)
            hex[n++] = digits[(cp >> shift) & 0xF];
    }
    hex[n] = '\0';
    return n;
}

/* ---- errors of the repairs ---------------------------------------------------------------- */

/* step: what failed, already translated. */
static gk_status repair_failed(const gk_pdf_font *font, HPDF_STATUS ret, const char *step,
                               gk_diag *diag)
{
    if (ret == HPDF_FAILD_TO_ALLOC_MEM)
        /* TRANSLATORS: %s is a step of the font repairs ("writing the ToUnicode map", …). */
        return gk_diag_set(diag, GK_ERR_NOMEM, font->path, 0, 0, "out of memory while %s",
                           step);
    return gk_diag_set(diag, GK_ERR_BACKEND, font->path, 0, 0,
                       /* TRANSLATORS: 0x%04lX is libharu's error code; %s a step of the font
                        * repairs. */
                       "libharu error 0x%04lX while %s", (unsigned long)ret, step);
}

/* ---- embedding ------------------------------------------------------------------------- */

/* The recorded code points, ascending, in a malloc'd array (NULL with *count 0 if none). */
static uint16_t *recorded_codes(const gk_pdf_font *font, size_t *count)
{
    size_t n = 0;
    for (uint32_t cp = 1; cp < CODE_SPACE; cp++) /* code 0 is never text */
        n += is_recorded(font, cp);
    *count = n;
    uint16_t *codes = malloc(sizeof *codes * (n > 0 ? n : 1));
    if (codes == NULL)
        return NULL;
    size_t k = 0;
    for (uint32_t cp = 1; cp < CODE_SPACE; cp++)
        if (is_recorded(font, cp))
            codes[k++] = (uint16_t)cp;
    return codes;
}

/* Registers libharu's UTF-8 encoder once per document (a second registration is an error that
 * would stick to the document) and makes it current, which info strings and outlines need. */
static gk_status use_utf8(HPDF_Doc pdf, const char *path, gk_diag *diag)
{
    if (HPDF_Doc_FindEncoder(pdf, "UTF-8") == NULL && HPDF_UseUTFEncodings(pdf) != HPDF_OK)
        /* TRANSLATORS: completes "libharu error 0x%04lX (detail %lu) while %s". */
        return haru_error(pdf, diag, path, _("enabling UTF-8 encodings"));
    if (HPDF_SetCurrentEncoder(pdf, "UTF-8") != HPDF_OK)
        /* TRANSLATORS: completes "libharu error 0x%04lX (detail %lu) while %s". */
        return haru_error(pdf, diag, path, _("selecting the UTF-8 encoder"));
    return GK_OK;
}

/* Cuts the recorded characters out of the face into font->subset. */
static gk_status make_subset(gk_pdf_font *font, gk_diag *diag)
{
    font->codes = recorded_codes(font, &font->count);
    if (font->codes == NULL)
        return gk_diag_set(diag, GK_ERR_NOMEM, font->path, 0, 0, "out of memory");
    const char *why;
    if (!gk_ttf_subset_make(font->face->ttf, font->codes, font->count, &font->subset, &why))
        return why == NULL ? gk_diag_set(diag, GK_ERR_NOMEM, font->path, 0, 0, "out of memory")
                           /* TRANSLATORS: %s says what is wrong with the font file. */
                           : gk_diag_set(diag, GK_ERR_BACKEND, font->path, 0, 0,
                                         "cannot cut the characters drawn out of the font: %s",
                                         _(why));
    for (size_t i = 0; i < font->count; i++)
        font->unmapped_recorded |= font->subset.gid[i] == 0;
    return GK_OK;
}

/* Gives libharu the subset's loadable font and makes its font object. */
static gk_status load_subset(HPDF_Doc pdf, gk_pdf_font *font, gk_diag *diag)
{
    const char *name;
    HPDF_STATUS ret = gk_haru_load_font(pdf, font->subset.loadable, font->subset.loadable_size,
                                        gk_ttf_x_height(font->face->ttf), &name);
    free(font->subset.loadable); /* libharu copied it */
    font->subset.loadable = NULL;
    /* the repairs rewrite per-font objects from one recorded set: a second font of the same
     * name would share the first one's objects */
    if (ret == HPDF_FONT_EXISTS)
        return gk_diag_set(diag, GK_ERR_STATE, font->path, 0, 0,
                           "font %s is already loaded in this document",
                           gk_ttf_base_name(font->face->ttf));
    if (ret != HPDF_OK)
        /* TRANSLATORS: completes "libharu error 0x%04lX (detail %lu) while %s". */
        return haru_error(pdf, diag, font->path, _("loading the font"));
    HPDF_Font handle = gk_haru_get_utf8_font(pdf, name);
    if (handle == NULL)
        /* TRANSLATORS: completes "libharu error 0x%04lX (detail %lu) while %s". */
        return haru_error(pdf, diag, font->path, _("creating the font"));
    if (!gk_haru_is_embedded_truetype(handle))
        return gk_diag_set(diag, GK_ERR_BACKEND, font->path, 0, 0,
                           "libharu did not make an embedded TrueType Type0 font");
    ret = gk_haru_set_cmap(handle, font->subset.cmap, font->subset.cmap_size);
    if (ret != HPDF_OK)
        /* TRANSLATORS: completes "libharu error 0x%04lX while %s" and "out of memory while
         * %s". */
        return repair_failed(font, ret, _("giving libharu the character map"), diag);
    gk_haru_unmark_notdef(handle);
    font->font = handle;
    return GK_OK;
}

gk_status gk_pdf_font_embed(HPDF_Doc pdf, gk_pdf_font *font, gk_diag *diag)
{
    if (font->embedded)
        return gk_diag_set(diag, GK_ERR_STATE, font->path, 0, 0,
                           "gk_pdf_font_embed called twice for this font");
    if (!HPDF_HasDoc(pdf))
        return gk_diag_set(diag, GK_ERR_STATE, font->path, 0, 0, "no libharu document");
    gk_status st = use_utf8(pdf, font->path, diag);
    if (st == GK_OK)
        st = make_subset(font, diag);
    if (st == GK_OK)
        st = load_subset(pdf, font, diag);
    font->embedded = st == GK_OK;
    return st;
}

/* ---- finishing ------------------------------------------------------------------------- */

/* Text drawn with the font that the subset lacks: it would print blank. */
static gk_status check_drawn(const gk_pdf_font *font, gk_diag *diag)
{
    if (font->unrecorded != 0)
        return gk_diag_set(diag, GK_ERR_STATE, font->path, 0, 0,
                           "U+%04X was drawn with this font but not recorded before "
                           "gk_pdf_font_embed: it would print as a blank box",
                           (unsigned)font->unrecorded);
    if (gk_haru_notdef_drawn(font->font) && !font->unmapped_recorded)
        return gk_diag_set(diag, GK_ERR_STATE, font->path, 0, 0,
                           "text was drawn with this font without gk_pdf_font_record: it would "
                           "print as a blank box");
    return GK_OK;
}

gk_status gk_pdf_font_finish(gk_pdf_font *font, gk_diag *diag)
{
    if (font->finished || !font->embedded)
        return gk_diag_set(diag, GK_ERR_STATE, font->path, 0, 0,
                           "gk_pdf_font_finish called twice for this font, or before "
                           "gk_pdf_font_embed");
    gk_status st = check_drawn(font, diag);
    HPDF_STATUS ret;
    if (st != GK_OK)
        return st;
    /* TRANSLATORS: this and the next steps complete "libharu error 0x%04lX while %s" and "out
     * of memory while %s"; ToUnicode, CIDSystemInfo and /W are PDF names: keep them. */
    if ((ret = gk_haru_write_tounicode(font->font, font->codes, font->count)) != HPDF_OK)
        st = repair_failed(font, ret, _("writing the ToUnicode map"), diag);
    else if ((ret = gk_haru_set_identity_ordering(font->font)) != HPDF_OK)
        st = repair_failed(font, ret, _("setting CIDSystemInfo"), diag);
    else if ((ret = gk_haru_trim_widths(font->font, font->codes, font->count)) != HPDF_OK)
        st = repair_failed(font, ret, _("writing /W"), diag);
    else if ((ret = gk_haru_write_font_file(font->font, font->subset.program,
                                            font->subset.program_size, font->codes,
                                            font->subset.gid, font->count)) != HPDF_OK)
        st = repair_failed(font, ret, _("writing the embedded font file"), diag);
    else
        font->finished = true;
    if (font->finished)
        gk_ttf_subset_free(&font->subset);
    return st;
}
