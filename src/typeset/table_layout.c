/* Column widths of a table decided by its content, and balanced wrapping inside a cell.
 *
 * The method is CSS 2.1's automatic table layout (§17.5.2.2, as browsers implement it): each
 * column has a minimum width (the widest piece of its content that must not break) and a
 * natural width (its widest cell on one line); a table narrower than the sum of natural widths
 * gives each column at least its minimum and shares the rest. Two refinements come from
 * typesetting practice (LaTeX's tabularx):
 *   - the rest is shared by the profile's relative widths, as tabularx shares it among its X
 *     columns, by "water-filling": every column grows in proportion to its weight until it
 *     reaches its natural width, and the room it does not need goes to the others;
 *   - the decision goes in stages, so that header cells wrap before any body cell does, and
 *     body text wraps before a short term (效益指标, 因公出国（境）费用's 费用) is cut.
 * Everything is pure arithmetic over widths the caller measures, so it is exact and tested. */
#include <math.h>

#include "typeset/typeset.h"

/* ---- what a text needs -------------------------------------------------------------------- */

/* The piece of text being measured: an unbreakable run (a word, or a run of CJK characters
 * with the punctuation glued to it). */
typedef struct piece {
    double width;   /* everything in it, glued punctuation included */
    double widest;  /* its widest CJK character */
    size_t chars;   /* CJK characters (not punctuation) */
    bool word;      /* an ASCII/Latin word (never broken) */
    bool any;       /* holds something besides leading opening punctuation */
} piece;

/* The width of the piece that cannot break: all of it, unless it is a CJK run longer than a
 * short term, which may break, but into lines of at least two characters (a run of three
 * stays whole) and, up to six characters, onto two lines at most; a longer run breaks into
 * lines of three. */
static double unbreakable(const piece *p, size_t short_term)
{
    if (p->word || p->chars <= short_term)
        return p->width;
    size_t least = p->chars == 3 ? 3 : p->chars <= 6 ? (p->chars + 1) / 2 : 3;
    return (double)least * p->widest;
}

static void close_piece(piece *p, size_t short_term, double *min)
{
    double w = unbreakable(p, short_term);
    if (w > *min)
        *min = w;
    *p = (piece){0};
}

void gk_text_extent(const char *utf8, size_t len, const gk_measure *m, size_t short_term,
                    double *min, double *natural)
{
    piece p = {0};
    double line = 0;
    size_t pos = 0;
    while (pos < len) {
        size_t next;
        uint32_t cp = gk_utf8_decode(utf8, len, pos, &next);
        double w = m->advance ? m->advance(m->font, cp) * m->size / 1000.0 : 0;
        pos = next;
        if (cp == '\n' || cp == '\r') {
            close_piece(&p, short_term, min);
            line = 0;
            continue;
        }
        line += w;
        if (line > *natural)
            *natural = line;
        switch (gk_char_kind_of(cp)) {
        case GK_CHAR_SPACE:
            close_piece(&p, short_term, min);
            break;
        case GK_CHAR_WORD:
            if (p.any && !p.word)
                close_piece(&p, short_term, min);
            p.width += w;
            p.word = p.any = true;
            break;
        case GK_CHAR_CJK:
            if (p.word)
                close_piece(&p, short_term, min);
            p.width += w;
            p.chars++;
            p.any = true;
            if (w > p.widest)
                p.widest = w;
            break;
        case GK_CHAR_OPENING: /* glued to what follows */
            if (p.any)
                close_piece(&p, short_term, min);
            p.width += w;
            break;
        case GK_CHAR_CLOSING: /* glued to what precedes */
            p.width += w;
            p.any = true;
            close_piece(&p, short_term, min);
            break;
        }
    }
    close_piece(&p, short_term, min);
}

/* ---- sharing the width among the columns ---------------------------------------------- */

static double weight_of(const gk_column_need *n)
{
    return n->weight > 0 ? n->weight : 1;
}

/* Widths between lo[i] and hi[i] (hi may be INFINITY) summing to `width`, each as close to
 * its share λ·weight as the bounds allow: water-filling. Each round fixes the columns on
 * the side that is violated more (the standard exact method for a separable quadratic cost
 * under bounds), so at most `count` rounds. Requires Σlo ≤ width ≤ Σhi. */
static void water_fill(const gk_column_need *needs, const double *lo, const double *hi,
                       size_t count, double width, double *fixed, double *out)
{
    for (size_t i = 0; i < count; i++)
        fixed[i] = 0;
    for (size_t round = 0; round <= count; round++) {
        double free_weight = 0, rest = width;
        for (size_t i = 0; i < count; i++) {
            if (fixed[i])
                rest -= out[i];
            else
                free_weight += weight_of(&needs[i]);
        }
        if (free_weight <= 0)
            return;
        double lambda = rest / free_weight, under = 0, over = 0;
        for (size_t i = 0; i < count; i++) {
            double share = lambda * weight_of(&needs[i]);
            if (fixed[i])
                continue;
            if (share < lo[i])
                under += lo[i] - share;
            else if (share > hi[i])
                over += share - hi[i];
        }
        for (size_t i = 0; i < count; i++) {
            double share = lambda * weight_of(&needs[i]);
            if (fixed[i])
                continue;
            if (under == 0 && over == 0)
                out[i] = share;
            else if (under >= over && share < lo[i])
                out[i] = lo[i], fixed[i] = 1;
            else if (under < over && share > hi[i])
                out[i] = hi[i], fixed[i] = 1;
        }
        if (under == 0 && over == 0)
            return;
    }
}

/* The stages, from the most comfortable: the lower bound of a stage is the upper bound of the
 * one after it. */
static double larger(double a, double b)
{
    return a > b ? a : b;
}

/* A natural width is never below the minimum: a cell merged down several rows may need less
 * room spread over them than its longest piece. */
static double stage_bound(const gk_column_need *n, gk_column_fit stage)
{
    double body = larger(n->body_natural, larger(n->body_min, n->number_min));
    if (stage == GK_FIT_BODY_WRAPS || stage == GK_FIT_NUMBERS_SMALLER)
        body = larger(n->body_min,
                      n->number_min * (stage == GK_FIT_NUMBERS_SMALLER ? 0.6 : 1));
    double header = stage == GK_FIT_NATURAL ? larger(n->header_natural, n->header_min)
                                            : n->header_min;
    return larger(body, header);
}

gk_column_fit gk_column_widths(const gk_column_need *needs, size_t count, double width,
                               double *widths, double *scratch)
{
    double *lo = scratch, *hi = scratch + count, *fixed = scratch + 2 * count;
    if (count == 0)
        return GK_FIT_NATURAL;
    static const gk_column_fit stages[] = {GK_FIT_NATURAL, GK_FIT_HEADERS_WRAP,
                                           GK_FIT_BODY_WRAPS, GK_FIT_NUMBERS_SMALLER};
    for (size_t s = 0; s < sizeof stages / sizeof stages[0]; s++) {
        double sum = 0;
        for (size_t i = 0; i < count; i++) {
            lo[i] = stage_bound(&needs[i], stages[s]);
            hi[i] = s == 0 ? INFINITY : stage_bound(&needs[i], stages[s - 1]);
            sum += lo[i];
        }
        if (sum <= width + 1e-6) {
            water_fill(needs, lo, hi, count, width, fixed, widths);
            return stages[s];
        }
    }
    /* Too narrow even for the minimum widths: shrink them all alike; terms will break. */
    double sum = 0;
    for (size_t i = 0; i < count; i++)
        sum += lo[i];
    for (size_t i = 0; i < count; i++)
        widths[i] = sum > 0 ? lo[i] * width / sum : width / (double)count;
    return GK_FIT_TOO_NARROW;
}

/* ---- balanced wrapping ------------------------------------------------------------------ */

/* The widest word (number, code, Latin word) of the text: a line narrower would cut it. */
static double widest_word(const char *utf8, size_t len, const gk_measure *m)
{
    double widest = 0, word = 0;
    for (size_t pos = 0, next; pos < len; pos = next) {
        uint32_t cp = gk_utf8_decode(utf8, len, pos, &next);
        word = gk_char_kind_of(cp) == GK_CHAR_WORD ? word + gk_text_width(utf8 + pos, next - pos, m)
                                                   : 0;
        if (word > widest)
            widest = word;
    }
    return widest;
}

size_t gk_break_balanced(const char *utf8, size_t len, const gk_measure *m, double max_width,
                         gk_line *lines, size_t capacity)
{
    size_t count = gk_break_lines(utf8, len, m, max_width, lines, capacity);
    if (count < 2 || count > capacity || lines[count - 1].width >= max_width * 0.6)
        return count; /* one line, or a last line long enough to need no evening out */
    /* the narrowest width that still gives `count` lines, to half a point: every line is
     * then about as long as the others, and the last one is no runt; never so narrow that a
     * word would be cut */
    double lo = widest_word(utf8, len, m), hi = max_width;
    while (hi - lo > 0.5) {
        double mid = (lo + hi) / 2;
        if (gk_break_lines(utf8, len, m, mid, NULL, 0) == count)
            hi = mid;
        else
            lo = mid;
    }
    if (hi < max_width)
        gk_break_lines(utf8, len, m, hi, lines, capacity);
    /* lines as even as a width makes them can still end in one character (abc|def|g) */
    gk_mend_last_lines(utf8, m, hi, 2, lines, count);
    return count;
}
