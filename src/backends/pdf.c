/* The PDF backend (libharu): the whole booklet — cover, 目录, the narrative parts and every
 * table — typeset in Chinese with embedded, subset fonts.
 *
 * The slots only record what the walker sends. end_document then checks that the fonts have
 * every character, lays the booklet out once (finding the page of every part and table) and
 * then its 目录 again with those page numbers, draws the display list, adds what viewers use
 * (page labels equal to the printed folios, a link on every 目录 entry, the language), repairs
 * libharu's font output (pdf_font.c), saves to memory and writes the file with checked writes.
 * Tagged PDF (a structure tree) is not made: libharu writes no marked content and has no
 * structure-tree objects, so tagging would mean writing the content streams ourselves. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/pdf_harufix.h"
#include "backends/pdf_internal.h"
#include "util/chinese_number.h"
#include "util/grow.h"
#include "util/i18n.h"
#include "util/publish.h"

/* The booklet's language, for the catalog's /Lang. */
#define BOOKLET_LANGUAGE "zh-CN"

typedef struct pdf_ctx {
    char path[GK_PATH_MAX];
    const char *font_path[PDF_FACE_COUNT];
    void (*warn)(void *sink, const char *rule, const char *file, const char *message);
    void *warn_sink;
    gk_doc_meta meta;
    gk_part_info *parts;
    size_t part_count;
    gk_table_info *infos;
    pdf_table *tables;
    size_t table_count, table_capacity;
    HPDF_Doc pdf;
    HPDF_STATUS error, detail;
    gk_pdf_font *fonts[PDF_FACE_COUNT];
    bool shared_font; /* both faces are one font (see start_pdf) */
    gk_arena arena;
} pdf_ctx;

static void haru_error(HPDF_STATUS error, HPDF_STATUS detail, void *user)
{
    pdf_ctx *p = user;
    if (p->error == 0) { /* keep the first: later ones cascade from it */
        p->error = error;
        p->detail = detail;
    }
}

/* ---- recording ------------------------------------------------------------------------ */

static gk_status pdf_open(void *ctx, const char *path, const gk_render_options *options,
                          gk_diag *diag)
{
    pdf_ctx *p = ctx;
    snprintf(p->path, sizeof p->path, "%s", path);
    p->font_path[PDF_SONG] = options->body_font;
    p->font_path[PDF_HEI] = options->title_font;
    p->warn = options->warn;
    p->warn_sink = options->warn_sink;
    (void)diag;
    return GK_OK;
}

static gk_status pdf_begin_document(void *ctx, const gk_doc_meta *meta, gk_diag *diag)
{
    pdf_ctx *p = ctx;
    p->meta = *meta;
    size_t parts = meta->document->part_count, tables = meta->document->table_count;
    p->parts = gk_arena_alloc(&p->arena, (parts + 1) * sizeof *p->parts);
    p->infos = gk_arena_alloc(&p->arena, (tables + 1) * sizeof *p->infos);
    p->tables = gk_arena_alloc(&p->arena, (tables + 1) * sizeof *p->tables);
    p->table_capacity = tables;
    if (p->parts == NULL || p->infos == NULL || p->tables == NULL)
        return gk_diag_set(diag, GK_ERR_NOMEM, p->path, 0, 0, "out of memory");
    return GK_OK;
}

static gk_status pdf_begin_part(void *ctx, const gk_part_info *part, gk_diag *diag)
{
    pdf_ctx *p = ctx;
    if (p->part_count == p->meta.document->part_count)
        return gk_diag_set(diag, GK_ERR_STATE, p->path, 0, 0, "more parts than announced");
    p->parts[p->part_count++] = *part;
    return GK_OK;
}

static gk_status pdf_begin_table(void *ctx, const gk_table_info *table, gk_diag *diag)
{
    pdf_ctx *p = ctx;
    if (p->table_count == p->table_capacity)
        return gk_diag_set(diag, GK_ERR_STATE, p->path, 0, 0, "more tables than announced");
    gk_table_info *info = &p->infos[p->table_count];
    *info = *table;
    pdf_table *t = &p->tables[p->table_count++];
    t->info = info;
    t->rows = gk_arena_alloc(&p->arena, (table->row_count + 1) * sizeof *t->rows);
    t->row_count = 0;
    if (t->rows == NULL)
        return gk_diag_set(diag, GK_ERR_NOMEM, p->path, 0, 0, "out of memory");
    return GK_OK;
}

static gk_status pdf_row(void *ctx, const gk_table_info *table, const gk_row_view *row,
                         gk_diag *diag)
{
    pdf_ctx *p = ctx;
    pdf_table *t = &p->tables[p->table_count - 1];
    if (t->row_count == table->row_count)
        return gk_diag_set(diag, GK_ERR_STATE, p->path, 0, 0, "more rows than announced");
    t->rows[t->row_count++] = *row;
    return GK_OK;
}

/* ---- characters the fonts lack ----------------------------------------------------------- */

static uint32_t next_codepoint(const unsigned char **s)
{
    const unsigned char *p = *s;
    uint32_t cp;
    int extra;
    if (p[0] < 0x80) { cp = p[0]; extra = 0; }
    else if (p[0] < 0xE0) { cp = p[0] & 0x1F; extra = 1; }
    else if (p[0] < 0xF0) { cp = p[0] & 0x0F; extra = 2; }
    else { cp = p[0] & 0x07; extra = 3; }
    p++;
    for (int i = 0; i < extra && (*p & 0xC0) == 0x80; i++)
        cp = (cp << 6) | (*p++ & 0x3F);
    *s = p;
    return cp;
}

/* Where `bytes` (one character) first occurs in source at or after from_line: its line and
 * column in characters. Keeps line and leaves column 0 when it is not found. */
static void locate(const char *source, int from_line, const unsigned char *bytes, size_t len,
                   int *line, int *column)
{
    int l = 1, c = 1;
    for (const char *s = source; source && *s; s++) {
        if (l >= from_line && strncmp(s, (const char *)bytes, len) == 0) {
            *line = l;
            *column = c;
            return;
        }
        if (*s == '\n') {
            l++;
            c = 1;
        } else if (((unsigned char)*s & 0xC0) != 0x80) {
            c++;
        }
    }
}

/* Fails on the first character of text that the face cannot draw, naming where it occurs
 * (found in `source` from `line` on, when the text came from a Markdown file). `where` is a
 * table number or an already translated phrase ("the narrative"). */
static gk_status check_glyphs_in(pdf_ctx *p, pdf_face face, const char *text, const char *file,
                                 int line, int column, const char *source, const char *where,
                                 gk_diag *diag)
{
    if (text == NULL)
        return GK_OK;
    for (const unsigned char *s = (const unsigned char *)text; *s;) {
        const unsigned char *start = s;
        uint32_t cp = next_codepoint(&s);
        if (cp == '\n' || gk_pdf_font_has_glyph(p->fonts[face], cp))
            continue;
        if (source != NULL)
            locate(source, line, start, (size_t)(s - start), &line, &column);
        if (face == PDF_SONG)
            return gk_diag_set(diag, GK_ERR_DATA, file ? file : "", line, column,
                               /* TRANSLATORS: '%.*s' is the character, U+%04X its code point,
                                * %s where it occurs: a table number such as 公开表8, or "the
                                * narrative", "the cover", "a part title". */
                               "character '%.*s' (U+%04X) in %s cannot be printed: the body font "
                               "has no glyph for it", (int)(s - start), (const char *)start,
                               (unsigned)cp, where);
        return gk_diag_set(diag, GK_ERR_DATA, file ? file : "", line, column,
                           /* TRANSLATORS: '%.*s' is the character, U+%04X its code point, %s
                            * where it occurs (a table number, "the cover", …); the title font
                            * prints titles, headings and bold text. */
                           "character '%.*s' (U+%04X) in %s cannot be printed: the title font "
                           "has no glyph for it", (int)(s - start), (const char *)start,
                           (unsigned)cp, where);
    }
    return GK_OK;
}

static gk_status check_glyphs(pdf_ctx *p, pdf_face face, const char *text, const char *file,
                              int line, int column, const char *where, gk_diag *diag)
{
    return check_glyphs_in(p, face, text, file, line, column, NULL, where, diag);
}

static gk_status check_both(pdf_ctx *p, const char *text, const char *file, int line, int column,
                            const char *where, gk_diag *diag)
{
    gk_status status = check_glyphs(p, PDF_SONG, text, file, line, column, where, diag);
    return status == GK_OK ? check_glyphs(p, PDF_HEI, text, file, line, column, where, diag)
                           : status;
}

static gk_status check_table(pdf_ctx *p, const pdf_table *t, gk_diag *diag)
{
    const gk_table_info *info = t->info;
    const char *where = gk_arena_printf(&p->arena, "%s", info->name);
    gk_status status = check_both(p, info->title, NULL, 0, 0, where, diag);
    if (status == GK_OK)
        status = check_both(p, info->unit_line, NULL, 0, 0, where, diag);
    if (status == GK_OK)
        status = check_both(p, info->amount_line, NULL, 0, 0, where, diag);
    for (size_t i = 0; status == GK_OK && i < info->note_count; i++)
        status = check_glyphs(p, PDF_SONG, info->notes[i], NULL, 0, 0, where, diag);
    for (size_t i = 0; status == GK_OK && i < info->header_count; i++)
        status = check_glyphs(p, pdf_face_for(PDF_SONG, true), info->header[i].text, NULL, 0, 0,
                              where, diag);
    for (size_t r = 0; status == GK_OK && r < t->row_count; r++) {
        pdf_face face = pdf_face_for(PDF_SONG, pdf_row_is_bold(t->rows[r].kind));
        for (size_t c = 0; status == GK_OK && c < info->column_count; c++) {
            const gk_cell *cell = &t->rows[r].cells[c];
            if (cell->value.kind == GK_VALUE_TEXT && !cell->covered)
                status = check_glyphs(p, face, cell->value.text, cell->file, cell->line,
                                      cell->column, where, diag);
        }
    }
    return status;
}

static gk_status check_narrative(pdf_ctx *p, const gk_narrative *n, gk_diag *diag)
{
    gk_status status = GK_OK;
    /* TRANSLATORS: completes "character '…' (U+…) in %s cannot be printed". */
    const char *where = _("the narrative");
    for (size_t b = 0; status == GK_OK && b < n->count; b++) {
        const gk_block *block = &n->blocks[b];
        pdf_face face = block->kind == GK_BLOCK_HEADING && block->level <= 3 ? PDF_HEI : PDF_SONG;
        for (size_t s = 0; status == GK_OK && s < block->span_count; s++)
            status = check_glyphs_in(p, pdf_face_for(face, block->spans[s].strong),
                                     block->spans[s].text, n->path, block->line, 0, n->source,
                                     where, diag);
        for (size_t c = 0; status == GK_OK && c < block->rows * block->cols; c++) /* row 0 bold */
            status = check_glyphs_in(p, pdf_face_for(PDF_SONG, c < block->cols), block->cells[c],
                                     n->path, block->line, 0, n->source, where, diag);
    }
    return status;
}

static gk_status check_document(pdf_ctx *p, gk_diag *diag)
{
    /* the unit's name comes from units.csv: point there */
    const gk_document *doc = p->meta.document;
    const char *units = gk_arena_printf(&p->arena, "%s/units.csv", doc->package->dir);
    bool unit = doc->unit != NULL && doc->unit->line > 0;
    /* TRANSLATORS: completes "character '…' (U+…) in %s cannot be printed". */
    const char *cover = _("the cover");
    /* TRANSLATORS: completes "character '…' (U+…) in %s cannot be printed". */
    const char *part_title = _("a part title");
    gk_status status = check_both(p, doc->name, unit ? units : NULL, unit ? doc->unit->line : 0,
                                  unit ? doc->unit->name_column : 0, cover, diag);
    for (size_t i = 0; status == GK_OK && i < doc->cover_count; i++)
        status = check_glyphs(p, PDF_HEI, doc->cover[i].text, NULL, 0, 0, cover, diag);
    for (size_t i = 0; status == GK_OK && i < p->part_count; i++) {
        status = check_both(p, p->parts[i].title, NULL, 0, 0, part_title, diag);
        if (status == GK_OK && !p->parts[i].tables)
            status = check_narrative(p, p->parts[i].narrative, diag);
    }
    for (size_t t = 0; status == GK_OK && t < p->table_count; t++)
        status = check_table(p, &p->tables[t], diag);
    return status;
}

/* ---- the booklet's layout ------------------------------------------------------------------ */

/* The number of the n-th table in the list of tables, with what follows it: 一、 or, with
 * the profile's contents_numbering: arabic, "1. ". */
static const char *table_ordinal(gk_arena *arena, size_t n, bool arabic)
{
    if (arabic)
        return gk_arena_printf(arena, "%zu. ", n);
    char buf[GK_CHINESE_NUMBER_MAX];
    return gk_arena_printf(arena, "%s、", gk_chinese_number((unsigned)n, buf));
}

/* 一、部门收支总表（公开表1）; a table without a number: its title alone. */
static const char *table_entry(pdf_layout *lay, const pdf_ctx *p, size_t index,
                               const gk_table_info *info)
{
    const char *ordinal =
        table_ordinal(lay->arena, index + 1, p->meta.document->profile->contents_arabic);
    if (info->number[0] == '\0')
        return gk_arena_printf(lay->arena, "%s%s", ordinal, info->title);
    return gk_arena_printf(lay->arena, "%s%s（%s）", ordinal, info->title, info->number);
}

/* Where each part and table starts (page indexes), and where the body starts. */
typedef struct page_map {
    size_t *part;
    size_t *table;
    size_t body;      /* the first page after 目录 */
    int body_number;  /* its printed number */
} page_map;

/* A 目录 entry's area on its page (display-list coordinates) and the page it names. */
typedef struct contents_link {
    size_t page, target; /* page indexes */
    double left, top, right, bottom;
} contents_link;

typedef struct contents_links {
    contents_link *items;
    size_t count, capacity;
} contents_links;

/* The number printed on page index `page` of the laid-out booklet (0 while there is none). */
static int printed_number(const pdf_layout *booklet, size_t page)
{
    return booklet && page < booklet->pages.count ? booklet->pages.pages[page].number : 0;
}

/* The cover's lines (the profile's `cover:`), centred one under the other. */
static void layout_cover(pdf_layout *lay, const gk_doc_meta *meta)
{
    const gk_document *doc = meta->document;
    pdf_layout_new_page(lay, false, false);
    lay->y = 250;
    for (size_t i = 0; i < doc->cover_count; i++)
        pdf_flow_centered(lay, PDF_HEI, doc->cover[i].size, false, doc->cover[i].text,
                          i + 1 < doc->cover_count ? 30 : 0);
}

/* One 目录 line naming page index `target` of `booklet` (0 without one); its area, from the
 * cursor (or the top of the page it moved to) to the cursor after it, across the text column,
 * is recorded in links when links is not NULL. */
static void contents_entry(pdf_layout *lay, contents_links *links, const pdf_layout *booklet,
                           const char *text, double indent, size_t target, bool bold)
{
    size_t pages_before = lay->pages.count;
    double top = lay->y;
    pdf_flow_contents_line(lay, text, indent, printed_number(booklet, target), bold);
    if (links == NULL)
        return;
    if (lay->pages.count != pages_before)
        top = lay->style.margin_top; /* the line went to a new page */
    if (!gk_grow((void **)&links->items, &links->capacity, links->count, sizeof *links->items,
                 32)) {
        lay->pages.failed = true;
        return;
    }
    double right = pdf_page_width(pdf_layout_page(lay)) - lay->style.margin_x;
    links->items[links->count++] = (contents_link){lay->pages.count - 1, target,
                                                   lay->style.margin_x + indent, top, right,
                                                   lay->y};
}

/* The cover and 目录, naming the pages of `booklet` as map finds them (both NULL: every
 * number 0, for a first layout); links: where to record the entries' areas, or NULL. */
static void layout_front(pdf_layout *lay, const pdf_ctx *p, const pdf_layout *booklet,
                         const page_map *map, contents_links *links)
{
    layout_cover(lay, &p->meta);
    pdf_layout_new_page(lay, false, true);
    pdf_pages_mark(&lay->pages, p->meta.document->profile->contents_title, 0);
    pdf_flow_centered(lay, PDF_HEI, lay->style.part_size, false,
                      p->meta.document->profile->contents_title, 18);
    for (size_t i = 0; i < p->part_count; i++) {
        contents_entry(lay, links, booklet, p->parts[i].title, 0, map ? map->part[i] : 0, true);
        for (size_t t = 0; p->parts[i].tables && t < p->table_count; t++)
            contents_entry(lay, links, booklet, table_entry(lay, p, t, p->tables[t].info),
                           2 * lay->style.body_size, map ? map->table[t] : 0, false);
    }
}

/* The whole booklet, its 目录 with every number 0; map gets where each part and table
 * starts. */
static void layout_booklet(pdf_layout *lay, const pdf_ctx *p, page_map *map)
{
    layout_front(lay, p, NULL, NULL, NULL);
    map->body = lay->pages.count;
    map->body_number = lay->next_number;
    for (size_t i = 0; i < p->part_count; i++) {
        const gk_part_info *part = &p->parts[i];
        pdf_layout_new_page(lay, false, true);
        map->part[i] = lay->pages.count - 1;
        pdf_pages_mark(&lay->pages, part->title, 0);
        pdf_flow_centered(lay, PDF_HEI, lay->style.part_size, false, part->title, 16);
        if (!part->tables) {
            pdf_flow_narrative(lay, part->narrative);
            continue;
        }
        for (size_t t = 0; t < p->table_count; t++) {
            const char *entry = table_entry(lay, p, t, p->tables[t].info);
            gk_span span = {.text = entry ? entry : ""};
            pdf_flow_spans(lay, &span, 1, PDF_SONG, lay->style.body_size,
                           lay->style.body_leading, 2 * lay->style.body_size, 0, NULL);
        }
        for (size_t t = 0; t < p->table_count; t++) {
            map->table[t] = lay->pages.count; /* the page pdf_table_layout starts */
            pdf_table_layout(lay, &p->tables[t]);
        }
    }
}

static void style_init(pdf_style *s)
{
    *s = (pdf_style){
        .margin_x = 62, .margin_top = 64, .margin_bottom = 60,
        .body_size = 12, .body_leading = 12 * 1.9,
        .table_size = 9, .table_leading = 9 * 1.45, .table_min_size = 8,
        .cell_pad = 3, .cell_pad_y = 3,
        .title_size = 16, .part_size = 18, .heading_size = 15,
    };
}

void pdf_layout_warn_narrow(pdf_layout *lay, const gk_table_info *table)
{
    pdf_narrow *n = gk_arena_alloc(lay->arena, sizeof *n);
    if (n == NULL) {
        lay->pages.failed = true;
        return;
    }
    *n = (pdf_narrow){table, lay->narrow};
    lay->narrow = n;
}

/* Tells the caller about the tables whose terms had to break (in the order printed). */
static void report_narrow(const pdf_ctx *p, const pdf_narrow *n)
{
    if (n == NULL || p->warn == NULL)
        return;
    report_narrow(p, n->next);
    char message[512];
    snprintf(message, sizeof message,
             _("%s: the columns do not fit the page even at their narrowest, so "
               "short terms and numbers are broken or set smaller: give the table fewer or "
               "narrower columns, or a landscape page"),
             n->table->name);
    p->warn(p->warn_sink, "TABLE-WIDTH", n->table->layout_path, message);
}

static void layout_init(pdf_layout *lay, pdf_ctx *p)
{
    memset(lay, 0, sizeof *lay);
    style_init(&lay->style);
    lay->arena = &p->arena;
    lay->next_number = 1;
    for (int f = 0; f < PDF_FACE_COUNT; f++)
        lay->measure[f] = (gk_measure){gk_pdf_font_advance, p->fonts[f], 1};
}

/* Replaces the first pages of `booklet` by those of `front` (the same count), which it takes. */
static void replace_front(pdf_layout *booklet, pdf_layout *front)
{
    for (size_t i = 0; i < front->pages.count; i++) {
        free(booklet->pages.pages[i].ops);
        booklet->pages.pages[i] = front->pages.pages[i];
    }
    front->pages.count = 0; /* its pages' ops now belong to booklet */
}

/* One layout of the whole booklet finds where every part and table starts; then only the
 * cover and 目录 are laid out again, printing those page numbers, and take the place of the
 * first ones. The 目录's length does not depend on its numbers (an entry is one line, its text
 * cut to fit), so nothing after it moves: checked, not assumed. links gets the entries. */
static gk_status layout_booklet_once(pdf_ctx *p, pdf_layout *out, contents_links *links,
                                     gk_diag *diag)
{
    page_map map = {calloc(p->part_count + 1, sizeof(size_t)),
                    calloc(p->table_count + 1, sizeof(size_t)), 0, 0};
    pdf_layout front;
    layout_init(&front, p);
    layout_init(out, p);
    gk_status status = GK_OK;
    if (map.part == NULL || map.table == NULL) {
        status = gk_diag_set(diag, GK_ERR_NOMEM, p->path, 0, 0, "out of memory");
    } else {
        layout_booklet(out, p, &map);
        layout_front(&front, p, out, &map, links);
        const gk_cell *cell = out->overflow_cell;
        if (cell != NULL)
            status = gk_diag_set(diag, GK_ERR_DATA, cell->file ? cell->file : p->path, cell->line,
                                 cell->column, "%s: a cell needs %zu lines, more than a page "
                                 "holds: shorten the text", out->overflow_table,
                                 out->overflow_lines);
        else if (front.pages.failed || out->pages.failed)
            status = gk_diag_set(diag, GK_ERR_NOMEM, p->path, 0, 0, "out of memory in layout");
        else if (front.pages.count != map.body || front.next_number != map.body_number)
            status = gk_diag_set(diag, GK_ERR_STATE, p->path, 0, 0,
                                 "layout passes disagree (%zu and %zu pages)", map.body,
                                 front.pages.count);
        else
            report_narrow(p, out->narrow);
    }
    if (status == GK_OK)
        replace_front(out, &front);
    pdf_pages_free(&front.pages);
    free(map.part);
    free(map.table);
    return status;
}

/* ---- output ------------------------------------------------------------------------------ */

/* what: the step that failed, already translated. */
static gk_status haru_failure(pdf_ctx *p, const char *what, gk_diag *diag)
{
    /* TRANSLATORS: %s is the step that failed ("setup", "saving", …); 0x%04X and %u are
     * libharu's error and detail codes. */
    return gk_diag_set(diag, GK_ERR_BACKEND, p->path, 0, 0, "PDF: %s: libharu error 0x%04X (detail %u)",
                       what, (unsigned)p->error, (unsigned)p->detail);
}

static gk_status set_info(pdf_ctx *p, gk_diag *diag)
{
    const gk_document *doc = p->meta.document;
    int year = atoi(doc->year);
    HPDF_Date date = {year > 0 && year < 10000 ? year : 2000, 1, 1, 0, 0, 0, 'Z', 0, 0};
    HPDF_SetInfoAttr(p->pdf, HPDF_INFO_TITLE, p->meta.title);
    HPDF_SetInfoAttr(p->pdf, HPDF_INFO_AUTHOR, p->meta.author);
    HPDF_SetInfoAttr(p->pdf, HPDF_INFO_SUBJECT, p->meta.subject);
    HPDF_SetInfoAttr(p->pdf, HPDF_INFO_CREATOR, "gongkai " GK_VERSION);
    HPDF_SetInfoDateAttr(p->pdf, HPDF_INFO_CREATION_DATE, date);
    HPDF_SetInfoDateAttr(p->pdf, HPDF_INFO_MOD_DATE, date);
    HPDF_SetPageMode(p->pdf, HPDF_PAGE_MODE_USE_OUTLINE);
    if (gk_haru_set_language(p->pdf, BOOKLET_LANGUAGE) != HPDF_OK && p->error == 0)
        p->error = HPDF_GetError(p->pdf);
    /* TRANSLATORS: a step of writing the PDF, in "PDF: %s: libharu error …". */
    return p->error ? haru_failure(p, _("document information"), diag) : GK_OK;
}

/* The libharu document, made once the booklet is checked and laid out (they only measure with
 * the fonts). Its UTF-8 encoder fills 400 KB of maps; measured, making it on a thread beside
 * them was no faster on two cores, where the workbook is rendered beside the booklet. */
static gk_status make_document(pdf_ctx *p, gk_diag *diag)
{
    p->pdf = HPDF_New(haru_error, p);
    if (p->pdf == NULL)
        return gk_diag_set(diag, GK_ERR_NOMEM, p->path, 0, 0, "PDF: cannot create a document");
    HPDF_SetCompressionMode(p->pdf, HPDF_COMP_ALL);
    HPDF_UseUTFEncodings(p->pdf);
    HPDF_SetCurrentEncoder(p->pdf, "UTF-8");
    if (p->error)
        /* TRANSLATORS: a step of writing the PDF, in "PDF: %s: libharu error …". */
        return haru_failure(p, _("setup"), diag);
    return GK_OK;
}

static gk_status open_fonts(pdf_ctx *p, gk_diag *diag)
{
    for (int f = 0; f < PDF_FACE_COUNT; f++) {
        const char *path = p->font_path[f] ? p->font_path[f] : gk_pdf_font_default_path(f);
        gk_status status = gk_pdf_font_open(path, 0, &p->fonts[f], diag);
        if (status != GK_OK)
            return status;
    }
    /* libharu knows a font by its name: a --font of the title face's family is that face */
    if (gk_pdf_font_same_face(p->fonts[PDF_SONG], p->fonts[PDF_HEI])) {
        gk_pdf_font_free(p->fonts[PDF_HEI]);
        p->fonts[PDF_HEI] = p->fonts[PDF_SONG];
        p->shared_font = true;
    }
    return GK_OK;
}

/* Records every string the pages draw with the face it is drawn in. */
static void record_texts(const pdf_pages *pages, gk_pdf_font *const *fonts)
{
    for (size_t i = 0; i < pages->count; i++)
        for (size_t k = 0; k < pages->pages[i].count; k++) {
            const pdf_op *op = &pages->pages[i].ops[k];
            if (op->kind == PDF_OP_TEXT)
                gk_pdf_font_record(fonts[op->face], op->text, op->len);
        }
}

/* Gives libharu each font cut down to the characters the laid-out pages draw, then the
 * document information (after the fonts, so that the objects keep the order they had when
 * the fonts were loaded first). */
static gk_status embed_fonts(pdf_ctx *p, const pdf_pages *pages, gk_diag *diag)
{
    record_texts(pages, p->fonts);
    for (int f = 0; f < (p->shared_font ? 1 : PDF_FACE_COUNT); f++) {
        gk_status status = gk_pdf_font_embed(p->pdf, p->fonts[f], diag);
        if (status != GK_OK)
            return status;
    }
    return set_info(p, diag);
}

/* Viewer page labels equal to the printed folios: a decimal range wherever the numbering starts
 * or jumps, an unlabelled range wherever unnumbered pages (the cover) start. */
static HPDF_STATUS add_page_labels(HPDF_Doc pdf, const pdf_pages *pages)
{
    HPDF_STATUS ret = HPDF_OK;
    for (size_t i = 0; ret == HPDF_OK && i < pages->count; i++) {
        int number = pages->pages[i].number, before = i ? pages->pages[i - 1].number : -1;
        if (number == 0 && before != 0)
            ret = gk_haru_add_unnumbered_label(pdf, (unsigned)i);
        else if (number > 0 && (before <= 0 || number != before + 1))
            ret = HPDF_AddPageLabel(pdf, (HPDF_UINT)i, HPDF_PAGE_NUM_STYLE_DECIMAL,
                                    (HPDF_UINT)number, NULL);
    }
    return ret;
}

/* Each 目录 entry a borderless link to the page it names, shown whole like the bookmarks. */
static HPDF_STATUS add_contents_links(HPDF_Doc pdf, const pdf_pages *pages,
                                      const contents_links *links)
{
    for (size_t i = 0; i < links->count; i++) {
        const contents_link *link = &links->items[i];
        HPDF_Page from = HPDF_GetPageByIndex(pdf, (HPDF_UINT)link->page);
        HPDF_Page to = HPDF_GetPageByIndex(pdf, (HPDF_UINT)link->target);
        if (from == NULL || to == NULL)
            return HPDF_GetError(pdf);
        HPDF_Destination dst = HPDF_Page_CreateDestination(to);
        HPDF_Destination_SetFit(dst);
        /* whole points: shorter to write, and neighbouring entries still share their edge */
        double height = pdf_page_height(&pages->pages[link->page]);
        HPDF_Rect rect = {(HPDF_REAL)round(link->left), (HPDF_REAL)round(height - link->bottom),
                          (HPDF_REAL)round(link->right), (HPDF_REAL)round(height - link->top)};
        HPDF_Annotation annot = HPDF_Page_CreateLinkAnnot(from, rect, dst);
        if (annot == NULL || HPDF_LinkAnnot_SetBorderStyle(annot, 0, 0, 0) != HPDF_OK)
            return HPDF_GetError(pdf);
    }
    return HPDF_GetError(pdf);
}

static gk_status add_viewer_features(pdf_ctx *p, const pdf_pages *pages,
                                     const contents_links *links, gk_diag *diag)
{
    HPDF_STATUS ret = add_page_labels(p->pdf, pages);
    if (ret == HPDF_OK)
        ret = add_contents_links(p->pdf, pages, links);
    if (ret == HPDF_OK && p->error == 0)
        return GK_OK;
    return gk_diag_set(diag, GK_ERR_BACKEND, p->path, 0, 0, "PDF: libharu error 0x%04X (detail %u)",
                       (unsigned)(p->error ? p->error : ret), (unsigned)p->detail);
}

/* Saves to memory and writes the bytes with checked writes: libharu's own file writer ignores
 * fclose()'s result and reports success for a truncated file. */
static gk_status save_pdf(pdf_ctx *p, gk_diag *diag)
{
    for (int f = 0; f < (p->shared_font ? 1 : PDF_FACE_COUNT); f++) {
        gk_status status = gk_pdf_font_finish(p->fonts[f], diag);
        if (status != GK_OK)
            return status;
    }
    HPDF_STATUS compressed = gk_haru_compress_page_contents(p->pdf);
    if (compressed != HPDF_OK && p->error == 0)
        p->error = compressed;
    if (p->error || HPDF_SaveToStream(p->pdf) != HPDF_OK || p->error)
        /* TRANSLATORS: a step of writing the PDF, in "PDF: %s: libharu error …". */
        return haru_failure(p, _("saving"), diag);
    size_t count;
    struct iovec *parts = gk_haru_saved_parts(p->pdf, &count);
    if (parts == NULL)
        return gk_diag_set(diag, GK_ERR_NOMEM, p->path, 0, 0, "out of memory");
    gk_status status = gk_write_file_parts(p->path, parts, count, diag);
    free(parts);
    return status;
}

static gk_status pdf_end_document(void *ctx, gk_diag *diag)
{
    pdf_ctx *p = ctx;
    gk_status status = open_fonts(p, diag);
    if (status == GK_OK)
        status = check_document(p, diag);
    pdf_layout lay;
    memset(&lay, 0, sizeof lay);
    contents_links links = {0};
    if (status == GK_OK)
        status = layout_booklet_once(p, &lay, &links, diag);
    if (status == GK_OK)
        status = make_document(p, diag);
    if (status == GK_OK)
        status = embed_fonts(p, &lay.pages, diag);
    if (status == GK_OK)
        status = pdf_pages_draw(&lay.pages, p->pdf, p->fonts, diag);
    if (status == GK_OK)
        status = add_viewer_features(p, &lay.pages, &links, diag);
    pdf_pages_free(&lay.pages);
    free(links.items);
    if (status == GK_OK)
        status = save_pdf(p, diag);
    return status;
}

static void pdf_close(void *ctx)
{
    pdf_ctx *p = ctx;
    for (int f = 0; f < (p->shared_font ? 1 : PDF_FACE_COUNT); f++)
        gk_pdf_font_free(p->fonts[f]);
    if (p->pdf != NULL)
        HPDF_Free(p->pdf);
    gk_arena_free(&p->arena);
}

static gk_status pdf_prepare(const gk_render_options *options, gk_diag *diag)
{
    if (!gk_haru_version_ok())
        return gk_diag_set(diag, GK_ERR_BACKEND, "", 0, 0,
                           "libharu %s is installed, but gongkai's repairs are for %s",
                           HPDF_GetVersion(), HPDF_VERSION_TEXT);
    gk_status status = gk_pdf_font_verify(PDF_SONG, options->body_font, diag);
    return status == GK_OK ? gk_pdf_font_verify(PDF_HEI, options->title_font, diag) : status;
}

static void pdf_warm(const gk_render_options *options)
{
    const char *paths[PDF_FACE_COUNT] = {options->body_font, options->title_font};
    for (int f = 0; f < PDF_FACE_COUNT; f++)
        gk_pdf_font_warm(paths[f] ? paths[f] : gk_pdf_font_default_path(f));
}

static const char *pdf_library(void)
{
    static char text[256];
    if (gk_haru_version_ok())
        /* TRANSLATORS: `gongkai doctor`: the installed libharu version, then the version gongkai
         * was built against; gongkai's repairs of libharu's font output fit this version. */
        snprintf(text, sizeof text, _("libharu %s (built against %s; font repairs match)"),
                 HPDF_GetVersion(), HPDF_VERSION_TEXT);
    else
        /* TRANSLATORS: `gongkai doctor`: the installed libharu version, then the version gongkai
         * was built against; the installed one is not the version gongkai's repairs of libharu's
         * font output were written for (PDFs would be wrong): make it stand out. */
        snprintf(text, sizeof text, _("libharu %s (built against %s; font repairs DO NOT MATCH)"),
                 HPDF_GetVersion(), HPDF_VERSION_TEXT);
    return text;
}

const gk_backend gk_backend_pdf = {
    .name = "pdf",
    .extension = ".pdf",
    .abi = GK_BACKEND_ABI,
    .ctx_size = sizeof(pdf_ctx),
    .open = pdf_open,
    .begin_document = pdf_begin_document,
    .begin_part = pdf_begin_part,
    .begin_table = pdf_begin_table,
    .header = NULL,
    .row = pdf_row,
    .end_table = NULL,
    .end_document = pdf_end_document,
    .close = pdf_close,
    .prepare = pdf_prepare,
    .library = pdf_library,
    .warm = pdf_warm,
};
