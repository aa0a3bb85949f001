/* The PDF display list: pages of positioned text and rules, built by the layout pass and then
 * drawn with libharu in one go; see pdf_internal.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/pdf_internal.h"
#include "util/grow.h"

_Thread_local pdf_layout_counts pdf_counts;

pdf_page *pdf_pages_add(pdf_pages *pages, bool landscape)
{
    pdf_counts.pages++;
    if (!gk_grow((void **)&pages->pages, &pages->capacity, pages->count, sizeof *pages->pages,
                 16)) {
        pages->failed = true;
        return pages->count ? &pages->pages[pages->count - 1] : NULL;
    }
    pdf_page *page = &pages->pages[pages->count++];
    memset(page, 0, sizeof *page);
    page->landscape = landscape;
    return page;
}

static pdf_op *add_op(pdf_pages *pages)
{
    if (pages->count == 0) {
        pages->failed = true;
        return NULL;
    }
    pdf_page *page = &pages->pages[pages->count - 1];
    if (!gk_grow((void **)&page->ops, &page->capacity, page->count, sizeof *page->ops, 16)) {
        pages->failed = true;
        return NULL;
    }
    pdf_op *op = &page->ops[page->count++];
    memset(op, 0, sizeof *op);
    return op;
}

void pdf_page_text(pdf_pages *pages, pdf_face face, double size, bool bold, double x, double y,
                   const char *text, size_t len)
{
    if (len == 0)
        return;
    pdf_op *op = add_op(pages);
    if (op != NULL)
        *op = (pdf_op){PDF_OP_TEXT, x, y, 0, 0, pdf_face_for(face, bold), size, text, len};
}

void pdf_page_line(pdf_pages *pages, double x1, double y1, double x2, double y2)
{
    pdf_op *op = add_op(pages);
    if (op != NULL)
        *op = (pdf_op){PDF_OP_LINE, x1, y1, x2, y2, PDF_SONG, 0, NULL, 0};
}

void pdf_pages_mark(pdf_pages *pages, const char *title, int level)
{
    if (!gk_grow((void **)&pages->marks, &pages->mark_capacity, pages->mark_count,
                 sizeof *pages->marks, 16)) {
        pages->failed = true;
        return;
    }
    pages->marks[pages->mark_count++] = (pdf_mark){title, level, pages->count - 1};
}

void pdf_pages_free(pdf_pages *pages)
{
    for (size_t i = 0; i < pages->count; i++)
        free(pages->pages[i].ops);
    free(pages->pages);
    free(pages->marks);
    memset(pages, 0, sizeof *pages);
}

double pdf_page_width(const pdf_page *page)
{
    return page->landscape ? 841.89 : 595.276;
}

double pdf_page_height(const pdf_page *page)
{
    return page->landscape ? 595.276 : 841.89;
}

/* ---- drawing ------------------------------------------------------------------------ */

/* Coordinates go to the page on a grid of 1/8 pt (0.044 mm, finer than a printer's dot).
 * libharu writes a number with up to five decimals of a float, so only binary fractions come
 * out short: 12.125, where 12.12 would come out as 12.11999. */
enum { GRID = 8 };

static long snap(double v)
{
    return lround(v * GRID);
}

static HPDF_REAL unsnap(long v)
{
    return (HPDF_REAL)v / GRID;
}

/* A rule in grid units. Horizontal: key = {y, x from, x to}; vertical: key = {x, y from,
 * y to}; oblique (none today): key = {x1, y1, x2, y2}. Sorting by direction and key puts the
 * pieces of one line next to each other. */
typedef enum rule_dir { RULE_HORIZONTAL, RULE_VERTICAL, RULE_OBLIQUE } rule_dir;

typedef struct rule {
    rule_dir dir;
    long key[4];
} rule;

static rule make_rule(long x1, long y1, long x2, long y2)
{
    if (y1 == y2)
        return (rule){RULE_HORIZONTAL, {y1, x1 < x2 ? x1 : x2, x1 < x2 ? x2 : x1, 0}};
    if (x1 == x2)
        return (rule){RULE_VERTICAL, {x1, y1 < y2 ? y1 : y2, y1 < y2 ? y2 : y1, 0}};
    return (rule){RULE_OBLIQUE, {x1, y1, x2, y2}};
}

static int compare_rules(const void *a, const void *b)
{
    const rule *p = a, *q = b;
    if (p->dir != q->dir)
        return p->dir < q->dir ? -1 : 1;
    for (size_t i = 0; i < 4; i++)
        if (p->key[i] != q->key[i])
            return p->key[i] < q->key[i] ? -1 : 1;
    return 0;
}

/* Merges touching or overlapping pieces of one horizontal or vertical line (every cell draws
 * its own four borders, so each rule of a table arrives in many pieces, most of them twice).
 * The rules must be sorted; returns the new count. All rules share one width. */
static size_t merge_rules(rule *rules, size_t count)
{
    size_t out = 0;
    for (size_t i = 0; i < count; i++) {
        rule *last = out > 0 ? &rules[out - 1] : NULL;
        const rule *r = &rules[i];
        if (last != NULL && r->dir != RULE_OBLIQUE && last->dir == r->dir &&
            last->key[0] == r->key[0] && r->key[1] <= last->key[2]) {
            if (r->key[2] > last->key[2])
                last->key[2] = r->key[2];
            continue;
        }
        rules[out++] = *r;
    }
    return out;
}

static void stroke_rule(HPDF_Page hp, const rule *r)
{
    const long *k = r->key;
    switch (r->dir) {
    case RULE_HORIZONTAL:
        HPDF_Page_MoveTo(hp, unsnap(k[1]), unsnap(k[0]));
        HPDF_Page_LineTo(hp, unsnap(k[2]), unsnap(k[0]));
        break;
    case RULE_VERTICAL:
        HPDF_Page_MoveTo(hp, unsnap(k[0]), unsnap(k[1]));
        HPDF_Page_LineTo(hp, unsnap(k[0]), unsnap(k[2]));
        break;
    case RULE_OBLIQUE:
        HPDF_Page_MoveTo(hp, unsnap(k[0]), unsnap(k[1]));
        HPDF_Page_LineTo(hp, unsnap(k[2]), unsnap(k[3]));
        break;
    }
}

/* Draws the page's rules as one path: each line once, at its full length. False when out of
 * memory. */
static bool draw_lines(HPDF_Page hp, const pdf_page *page)
{
    double height = pdf_page_height(page);
    rule *rules = malloc((page->count + 1) * sizeof *rules);
    if (rules == NULL)
        return false;
    size_t count = 0;
    for (size_t i = 0; i < page->count; i++) {
        const pdf_op *op = &page->ops[i];
        if (op->kind == PDF_OP_LINE)
            rules[count++] = make_rule(snap(op->x), snap(height - op->y), snap(op->x2),
                                       snap(height - op->y2));
    }
    qsort(rules, count, sizeof *rules, compare_rules);
    count = merge_rules(rules, count);
    if (count > 0) {
        HPDF_Page_SetLineWidth(hp, 0.5);
        for (size_t i = 0; i < count; i++)
            stroke_rule(hp, &rules[i]);
        HPDF_Page_Stroke(hp);
    }
    free(rules);
    return true;
}

/* A coordinate in grid units as libharu prints a real (HPDF_FToA: up to five decimals, no
 * trailing zeros); every grid value is exact in its five. */
static size_t grid_number(long v, char *out)
{
    static const char *const eighths[GRID] = {"", ".125", ".25", ".375", ".5", ".625", ".75",
                                              ".875"};
    unsigned long a = v < 0 ? (unsigned long)-v : (unsigned long)v, whole = a / GRID;
    char digits[24];
    size_t count = 0;
    do { /* by hand: sprintf took 1,100 instructions a number, a tenth of drawing a booklet */
        digits[count++] = (char)('0' + whole % 10);
        whole /= 10;
    } while (whole > 0);
    size_t n = 0;
    if (v < 0)
        out[n++] = '-';
    while (count > 0)
        out[n++] = digits[--count];
    const char *fraction = eighths[a % GRID];
    size_t len = strlen(fraction);
    memcpy(out + n, fraction, len);
    return n + len;
}

/* Writes a string at x, y (grid units) as HPDF_Page_TextOut writes it — "dx dy Td", relative
 * to the line before, then "<codes> Tj" — straight into the page's content stream: TextOut
 * also measures every string (for a text position nothing reads) and clears two 512-byte
 * buffers per operator, 12 M instructions of a booklet. *line is the current line's origin. */
static void show_text(HPDF_Page hp, gk_pdf_font *font, const pdf_op *op, long x, long y,
                      long line[2], char **hex, size_t *hex_size)
{
    HPDF_Stream stream = ((HPDF_PageAttr)hp->attr)->stream;
    char move[64];
    size_t n = grid_number(x - line[0], move);
    move[n++] = ' ';
    n += grid_number(y - line[1], move + n);
    memcpy(move + n, " Td\012", 4);
    HPDF_Stream_Write(stream, (const HPDF_BYTE *)move, (HPDF_UINT)(n + 4));
    line[0] = x;
    line[1] = y;
    if (op->len == 0) /* TextOut moves, but shows no empty string */
        return;
    if (!gk_reserve((void **)hex, hex_size, 4 * op->len + 1, 1)) {
        free(*hex);
        *hex = NULL; /* out of memory: the caller stops */
        return;
    }
    size_t digits = gk_pdf_font_codes(font, op->text, op->len, *hex);
    HPDF_Stream_Write(stream, (const HPDF_BYTE *)"<", 1);
    HPDF_Stream_Write(stream, (const HPDF_BYTE *)*hex, (HPDF_UINT)digits);
    HPDF_Stream_Write(stream, (const HPDF_BYTE *)"> Tj\012", 5);
}

static bool draw_texts(HPDF_Page hp, const pdf_page *page, gk_pdf_font *const *fonts)
{
    double height = pdf_page_height(page);
    int face = -1;
    double size = 0;
    long line[2] = {0, 0}; /* BT starts the text line at the origin */
    char *hex = NULL;
    size_t hex_size = 0;
    bool ok = true;
    HPDF_Page_BeginText(hp);
    for (size_t i = 0; i < page->count && ok; i++) {
        const pdf_op *op = &page->ops[i];
        if (op->kind != PDF_OP_TEXT)
            continue;
        if ((int)op->face != face || op->size != size) {
            face = (int)op->face;
            size = op->size;
            HPDF_Page_SetFontAndSize(hp, gk_pdf_font_handle(fonts[face]), (HPDF_REAL)size);
        }
        show_text(hp, fonts[face], op, snap(op->x), snap(height - op->y), line, &hex, &hex_size);
        ok = op->len == 0 || hex != NULL;
    }
    HPDF_Page_EndText(hp);
    free(hex);
    return ok;
}

static void draw_outline(const pdf_pages *pages, HPDF_Doc pdf, HPDF_Page *hpages)
{
    HPDF_Encoder utf8 = HPDF_GetEncoder(pdf, "UTF-8");
    HPDF_Outline parent = NULL;
    for (size_t i = 0; i < pages->mark_count; i++) {
        const pdf_mark *mark = &pages->marks[i];
        HPDF_Outline outline = HPDF_CreateOutline(pdf, mark->level == 0 ? NULL : parent,
                                                  mark->title, utf8);
        if (outline == NULL)
            return;
        HPDF_Destination dst = HPDF_Page_CreateDestination(hpages[mark->page]);
        HPDF_Destination_SetFit(dst);
        HPDF_Outline_SetDestination(outline, dst);
        HPDF_Outline_SetOpened(outline, HPDF_TRUE);
        if (mark->level == 0)
            parent = outline;
    }
}

gk_status pdf_pages_draw(const pdf_pages *pages, HPDF_Doc pdf, gk_pdf_font *const *fonts,
                         gk_diag *diag)
{
    HPDF_Page *hpages = calloc(pages->count + 1, sizeof *hpages);
    if (hpages == NULL)
        return gk_diag_set(diag, GK_ERR_NOMEM, "", 0, 0, "out of memory");
    for (size_t i = 0; i < pages->count && HPDF_GetError(pdf) == HPDF_OK; i++) {
        const pdf_page *page = &pages->pages[i];
        HPDF_Page hp = HPDF_AddPage(pdf);
        if (hp == NULL)
            break;
        hpages[i] = hp;
        HPDF_Page_SetSize(hp, HPDF_PAGE_SIZE_A4,
                          page->landscape ? HPDF_PAGE_LANDSCAPE : HPDF_PAGE_PORTRAIT);
        if (!draw_lines(hp, page)) {
            free(hpages);
            return gk_diag_set(diag, GK_ERR_NOMEM, "", 0, 0, "out of memory");
        }
        if (!draw_texts(hp, page, fonts)) {
            free(hpages);
            return gk_diag_set(diag, GK_ERR_NOMEM, "", 0, 0, "out of memory");
        }
    }
    if (HPDF_GetError(pdf) == HPDF_OK)
        draw_outline(pages, pdf, hpages);
    free(hpages);
    if (HPDF_GetError(pdf) != HPDF_OK)
        return gk_diag_set(diag, GK_ERR_BACKEND, "", 0, 0, "PDF: libharu error 0x%04X (detail %u)",
                           (unsigned)HPDF_GetError(pdf), (unsigned)HPDF_GetErrorDetail(pdf));
    return GK_OK;
}
