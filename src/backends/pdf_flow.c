/* Flowing text for the PDF booklet: pages, centred titles, paragraphs with bold spans and
 * Chinese line breaking, narrative blocks, contents lines with dot leaders. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/pdf_internal.h"

enum {
    MAX_LINES = 512,
    MIN_LAST_LINE = 2 /* characters on a paragraph's last line, closing punctuation aside */
};

pdf_page *pdf_layout_page(pdf_layout *lay)
{
    return lay->pages.count ? &lay->pages.pages[lay->pages.count - 1] : NULL;
}

pdf_page *pdf_layout_new_page(pdf_layout *lay, bool landscape, bool numbered)
{
    pdf_page *page = pdf_pages_add(&lay->pages, landscape);
    if (page == NULL)
        return NULL;
    lay->y = lay->style.margin_top;
    if (numbered) {
        page->number = lay->next_number++;
        char *text = gk_arena_printf(lay->arena, "%d", page->number);
        if (text == NULL) {
            lay->pages.failed = true;
            return page;
        }
        double size = 10.5;
        double width = pdf_text_width(lay, PDF_SONG, size, text, strlen(text));
        pdf_page_text(&lay->pages, PDF_SONG, size, false, (pdf_page_width(page) - width) / 2,
                      pdf_page_height(page) - 28, text, strlen(text));
    }
    return page;
}

double pdf_text_width(const pdf_layout *lay, pdf_face face, double size, const char *text,
                      size_t len)
{
    return gk_text_width(text, len, &lay->measure[face]) * size;
}

static double page_bottom(pdf_layout *lay)
{
    pdf_page *page = pdf_layout_page(lay);
    return pdf_page_height(page) - lay->style.margin_bottom;
}

static double content_width(pdf_layout *lay)
{
    return pdf_page_width(pdf_layout_page(lay)) - 2 * lay->style.margin_x;
}

/* Starts a new page (same orientation) when `height` does not fit below the cursor. */
static void need(pdf_layout *lay, double height)
{
    if (lay->y + height > page_bottom(lay))
        pdf_layout_new_page(lay, pdf_layout_page(lay)->landscape, true);
}

/* How many lines of `leading` fit between y and the foot of the page. */
static size_t lines_fitting(pdf_layout *lay, double y, double leading)
{
    double room = page_bottom(lay) - y + 1e-6;
    return room < leading ? 0 : (size_t)(room / leading);
}

/* How many of a paragraph's `remaining` lines go on this page (widow and orphan control,
 * typeset/paginate.c); at least one, after starting a new page when none should go here. */
static size_t lines_here(pdf_layout *lay, size_t remaining, double leading)
{
    size_t per_page = lines_fitting(lay, lay->style.margin_top, leading);
    size_t here = gk_lines_here(remaining, lines_fitting(lay, lay->y, leading), per_page);
    if (here == 0) {
        pdf_layout_new_page(lay, pdf_layout_page(lay)->landscape, true);
        here = gk_lines_here(remaining, lines_fitting(lay, lay->y, leading), per_page);
    }
    return here > 0 ? here : 1;
}

void pdf_flow_centered(pdf_layout *lay, pdf_face face, double size, bool bold, const char *text,
                       double space_after)
{
    double width = content_width(lay);
    size_t len = strlen(text);
    gk_measure m = lay->measure[pdf_face_for(face, bold)];
    m.size = size;
    gk_line lines[16];
    size_t count = 2;
    if (!gk_break_title(text, len, &m, width, lines)) { /* a word boundary, balanced */
        count = gk_break_lines(text, len, &m, width, lines, 16);
        if (count > 16)
            count = 16;
    }
    double leading = size * 1.45;
    need(lay, leading * (double)count);
    for (size_t i = 0; i < count; i++) {
        double x = lay->style.margin_x + (width - lines[i].width) / 2;
        pdf_page_text(&lay->pages, face, size, bold, x, lay->y + size, text + lines[i].start,
                      lines[i].end - lines[i].start);
        lay->y += leading;
    }
    lay->y += space_after;
}

/* ---- paragraphs of spans -------------------------------------------------------------- */

typedef struct run {
    size_t start, end; /* byte range in the joined text */
    bool strong;
} run;

/* Draws [start, end) of the joined text at (x, baseline), switching bold per run. Lines come
 * in order: *first is the first run not yet drawn whole, so a paragraph's runs are visited
 * once, however many there are. */
static void draw_line(pdf_layout *lay, const char *text, const run *runs, size_t run_count,
                      size_t *first, size_t start, size_t end, pdf_face face, double size,
                      double x, double baseline)
{
    while (*first < run_count && runs[*first].end <= start)
        (*first)++;
    for (size_t r = *first; r < run_count && start < end && runs[r].start < end; r++) {
        if (runs[r].end <= start)
            continue;
        size_t a = runs[r].start > start ? runs[r].start : start;
        size_t b = runs[r].end < end ? runs[r].end : end;
        /* skip a newline that ends the line */
        size_t len = b - a;
        while (len > 0 && text[a + len - 1] == '\n')
            len--;
        pdf_page_text(&lay->pages, face, size, runs[r].strong, x, baseline, text + a, len);
        x += pdf_text_width(lay, pdf_face_for(face, runs[r].strong), size, text + a, len);
    }
}

/* The wider of the two faces' advances. gk_measure knows code points, not positions, so a
 * paragraph whose bold spans are set in another face is broken with this: no line comes out
 * wider than measured, whichever face each character is drawn in. */
static double widest_advance(const void *measures, uint32_t cp)
{
    const gk_measure *m = measures;
    double song = m[PDF_SONG].advance(m[PDF_SONG].font, cp);
    double hei = m[PDF_HEI].advance(m[PDF_HEI].font, cp);
    return song > hei ? song : hei;
}

/* How to break a paragraph in face with these spans, at size 1. */
static gk_measure paragraph_measure(const pdf_layout *lay, const gk_span *spans, size_t count,
                                    pdf_face face)
{
    for (size_t i = 0; i < count; i++)
        if (pdf_face_for(face, spans[i].strong) != face)
            return (gk_measure){widest_advance, lay->measure, 1};
    return lay->measure[face];
}

void pdf_flow_spans(pdf_layout *lay, const gk_span *spans, size_t count, pdf_face face,
                    double size, double leading, double indent_first, double indent_left,
                    const char *marker)
{
    /* join marker and spans into one text so that breaking sees the whole paragraph */
    size_t total = marker ? strlen(marker) + 1 : 0;
    for (size_t i = 0; i < count; i++)
        total += strlen(spans[i].text);
    char *text = gk_arena_alloc(lay->arena, total + 1);
    run *runs = calloc(count + 2, sizeof *runs);
    if (text == NULL || runs == NULL) {
        free(runs);
        lay->pages.failed = true;
        return;
    }
    size_t used = 0, run_count = 0;
    if (marker) {
        used = (size_t)sprintf(text, "%s ", marker);
        runs[run_count++] = (run){0, used, false};
    }
    for (size_t i = 0; i < count; i++) {
        size_t len = strlen(spans[i].text);
        memcpy(text + used, spans[i].text, len);
        runs[run_count++] = (run){used, used + len, spans[i].strong};
        used += len;
    }
    text[used] = '\0';

    gk_measure m = paragraph_measure(lay, spans, count, face);
    m.size = size;
    double width = content_width(lay);
    /* the first line (its own indent), then all the others in one pass: breaking the rest
     * again after every line would cost quadratic time on a long paragraph */
    gk_line first;
    size_t n = gk_break_lines(text, used, &m, width - indent_first, &first, 1);
    size_t offset = first.end;
    while (offset < used && (text[offset] == ' ' || text[offset] == '\n'))
        offset++;
    size_t rest = 0;
    if (n > 1 && offset < used)
        rest = gk_break_lines(text + offset, used - offset, &m, width - indent_left, NULL, 0);
    gk_line *lines = calloc(rest + 1, sizeof *lines);
    if (lines == NULL) {
        free(runs);
        lay->pages.failed = true;
        return;
    }
    lines[0] = first;
    if (rest > 0)
        gk_break_lines(text + offset, used - offset, &m, width - indent_left, lines + 1, rest);
    for (size_t i = 1; i <= rest; i++) {
        lines[i].start += offset;
        lines[i].end += offset;
    }
    /* no lone 人。 on the last line when the line before can give it a character */
    gk_mend_last_lines(text, &m, width - indent_left, MIN_LAST_LINE, lines, rest + 1);
    size_t drawn = 0; /* runs drawn whole */
    for (size_t i = 0; i <= rest;) {
        size_t here = lines_here(lay, rest + 1 - i, leading);
        for (size_t k = 0; k < here; k++, i++) {
            draw_line(lay, text, runs, run_count, &drawn, lines[i].start, lines[i].end, face,
                      size, lay->style.margin_x + (i == 0 ? indent_first : indent_left),
                      lay->y + size);
            lay->y += leading;
        }
        if (i <= rest)
            pdf_layout_new_page(lay, pdf_layout_page(lay)->landscape, true);
    }
    free(lines);
    free(runs);
}

/* ---- narrative ------------------------------------------------------------------------ */

static double heading_size(const gk_block *block)
{
    return block->level <= 2 ? 15 : block->level == 3 ? 13.5 : 12;
}

/* The height a one-line heading takes, with the room above and below it. */
static double heading_height(const gk_block *block)
{
    return heading_size(block) * (0.6 + 1.7 + 0.2);
}

/* A heading keeps with the first two lines of what follows; headings that follow one another
 * (三、… then （一）…) keep together with those lines, so that none ends a page. */
static void heading(pdf_layout *lay, const gk_narrative *narrative, size_t index)
{
    const gk_block *block = &narrative->blocks[index];
    double size = heading_size(block);
    pdf_face face = block->level <= 3 ? PDF_HEI : PDF_SONG;
    double following = 0;
    for (size_t k = index + 1;
         k < narrative->count && narrative->blocks[k].kind == GK_BLOCK_HEADING; k++)
        following += heading_height(&narrative->blocks[k]);
    lay->y += size * 0.6;
    need(lay, size * 1.7 + size * 0.2 + following + 2 * lay->style.body_leading);
    pdf_flow_spans(lay, block->spans, block->span_count, face, size, size * 1.7, 0, 0, NULL);
    lay->y += size * 0.2;
}

void pdf_flow_narrative(pdf_layout *lay, const gk_narrative *narrative)
{
    const pdf_style *s = &lay->style;
    double em = s->body_size;
    for (size_t i = 0; i < narrative->count; i++) {
        const gk_block *block = &narrative->blocks[i];
        switch (block->kind) {
        case GK_BLOCK_HEADING:
            heading(lay, narrative, i);
            break;
        case GK_BLOCK_PARAGRAPH:
            pdf_flow_spans(lay, block->spans, block->span_count, PDF_SONG, em, s->body_leading,
                           2 * em + (block->level > 0 ? 2 * em * (block->level - 1) : 0), 0, NULL);
            break;
        case GK_BLOCK_ITEM:
            pdf_flow_spans(lay, block->spans, block->span_count, PDF_SONG, em, s->body_leading,
                           2 * em * block->level, 0, block->marker);
            break;
        case GK_BLOCK_TABLE:
            lay->y += em * 0.5;
            pdf_table_grid(lay, block->cells, block->rows, block->cols);
            lay->y += em * 0.5;
            break;
        }
    }
}

/* ---- contents ------------------------------------------------------------------------- */

void pdf_flow_contents_line(pdf_layout *lay, const char *text, double indent, int page, bool bold)
{
    const pdf_style *s = &lay->style;
    double size = s->body_size;
    double leading = size * 2;
    need(lay, leading);
    double baseline = lay->y + size;
    char *number = gk_arena_printf(lay->arena, "%d", page);
    if (number == NULL) {
        lay->pages.failed = true;
        return;
    }
    double right = lay->style.margin_x + content_width(lay);
    pdf_face face = pdf_face_for(PDF_SONG, bold);
    double number_width = pdf_text_width(lay, face, size, number, strlen(number));
    double x = lay->style.margin_x + indent;
    double available = right - number_width - size - x;
    /* a title too long for the line is cut at a character boundary */
    gk_measure m = lay->measure[face];
    m.size = size;
    gk_line line;
    gk_break_lines(text, strlen(text), &m, available, &line, 1);
    pdf_page_text(&lay->pages, PDF_SONG, size, bold, x, baseline, text, line.end);
    /* dot leader between the title and the page number */
    double from = x + line.width + size * 0.5;
    double dot = pdf_text_width(lay, PDF_SONG, size, ".", 1);
    size_t dots = dot > 0 && right - number_width - size * 0.5 > from
                      ? (size_t)((right - number_width - size * 0.5 - from) / dot)
                      : 0;
    if (dots > 0) {
        char *leader = gk_arena_alloc(lay->arena, dots + 1);
        if (leader != NULL) {
            memset(leader, '.', dots);
            pdf_page_text(&lay->pages, PDF_SONG, size, false, right - number_width - size * 0.5 -
                          (double)dots * dot, baseline, leader, dots);
        }
    }
    pdf_page_text(&lay->pages, PDF_SONG, size, bold, right - number_width, baseline, number,
                  strlen(number));
    lay->y += leading;
}
