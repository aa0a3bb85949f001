/* Typesetting decisions that do not need a PDF library: where a text wraps inside a cell
 * (Chinese line breaking, 禁则) and where a table breaks across pages.
 *
 * Both are pure functions over numbers handed in by the caller: glyph widths come from a
 * callback (the PDF backend passes its font metrics, tests pass a fake), row heights come
 * precomputed. Nothing here allocates, prints or fails, so results are exact and testable.
 *
 * Both fill a caller's array with the "count may exceed capacity" convention: they return
 * the full count and write only the first `capacity` entries, so a caller can size a buffer
 * by calling once with capacity 0 (and a NULL array) and again with the right size. */
#ifndef GONGKAI_TYPESET_H
#define GONGKAI_TYPESET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- Line breaking (linebreak.c) ---------------------------------------------------------- */

/* Advance width of one code point in 1/1000 em (PDF glyph-space units). */
typedef double (*gk_advance_fn)(const void *font, uint32_t codepoint);

/* How to measure text: a code point is advance(font, cp) * size / 1000 points wide.
 * A NULL advance measures everything as 0 wide (nothing ever wraps). */
typedef struct gk_measure {
    gk_advance_fn advance;
    const void *font; /* passed through to advance untouched */
    double size;      /* font size in points */
} gk_measure;

/* One output line: the byte range [start, end) of the text. Spaces at the end of a line
 * (where it wrapped or where the paragraph ended) are excluded from end and from width;
 * spaces inside the line and at its start are kept. */
typedef struct gk_line {
    size_t start, end;
    double width; /* points; equals gk_text_width of [start, end) */
} gk_line;

/* Width in points of len bytes of UTF-8: the sum of every code point's width, in order. */
double gk_text_width(const char *utf8, size_t len, const gk_measure *m);

/* Breaks len bytes of valid UTF-8 into lines no wider than max_width points, greedily (each
 * line takes as much as fits). Returns the number of lines; writes the first `capacity`.
 *
 * '\n', "\r\n" and a lone '\r' end a paragraph (hard break); an empty paragraph is one empty
 * line, so "" gives one line and "a\n" gives two. Within a paragraph a line may end:
 *   - between two CJK characters (Han, kana, CJK and full-width punctuation and forms);
 *   - between a CJK character and a "word": a maximal run of ASCII letters, digits and
 *     other ASCII symbols (. , % - _ / : + ( ) …) and non-CJK letters, which is never split,
 *     so amounts (1,234.50 -3.10), percentages (56.57%), codes (3010201) and Latin words
 *     stay whole;
 *   - after a run of spaces (ASCII space, tab, U+3000 and the U+2000 spaces), which stays
 *     on the ending line and is dropped from it;
 * but never so that closing punctuation (，。、；：？！）》」』”’〉】〕…％ , . ; : ! ? ) ] } % …)
 * starts a line, nor so that opening punctuation (（《「『“‘〈【〔 ( [ { ￥ …) ends one, nor
 * inside —— or ……, nor after spaces only. When the next character overflows, the line ends
 * at the last such position, which moves a forbidden break earlier (the previous character
 * goes down with the punctuation). If the line has no such position:
 *   - inside a word that alone is wider than max_width, the word is broken between
 *     characters (still keeping its closing punctuation off the next line's start);
 *   - otherwise the line overhangs (is wider than max_width) up to the next allowed break,
 *     by at most 4 characters: then it ends before the next character whatever the rules
 *     say, so that no text runs off the page (a paragraph of 200,000 '(').
 * Every line holds at least one character, so a cell narrower than one character gets one
 * character per line. Widths that exceed max_width by under 1e-6 pt count as fitting.
 * Time is linear in len. */
size_t gk_break_lines(const char *utf8, size_t len, const gk_measure *m, double max_width,
                      gk_line *lines, size_t capacity);

/* Keeps a paragraph's last line from holding a lone character or a lone fragment such as
 * 人。: after gk_break_lines, wherever a paragraph (lines up to a hard break or the end) ends
 * with a line of fewer than min_chars characters that are not spaces or closing punctuation,
 * the line before it ends at an earlier break that gk_break_lines allows (so every 禁则 rule
 * holds and no word is split) — the latest one that gives the last line min_chars and leaves
 * the line before min_chars — provided the last line then still fits max_width; otherwise the
 * lines stay as they are. lines are
 * those gk_break_lines wrote for utf8 (their offsets may have been moved by the caller, as
 * long as they index utf8), count of them; lines before the last may have been broken at
 * other widths (a first line's indent): they only get shorter. Rewrites the two lines of each
 * mended paragraph and returns how many were mended. Time is linear in the text's length. */
size_t gk_mend_last_lines(const char *utf8, const gk_measure *m, double max_width,
                          size_t min_chars, gk_line *lines, size_t count);

/* Breaks a title that does not fit on one line into two at a word boundary of the title — after
 * a space, or before a run of ASCII digits (乐山市…信息中心 | 2025年单位预算) — balanced: of the
 * boundaries where both lines fit, the one whose longer line is shortest. False when the
 * title fits on one line or no boundary gives two lines that fit (break it with
 * gk_break_lines then). lines[0] and lines[1] are as gk_break_lines writes them. */
bool gk_break_title(const char *utf8, size_t len, const gk_measure *m, double max_width,
                    gk_line lines[2]);

/* Character classes of the line breaker, for the other typesetting modules. */
typedef enum gk_char_kind {
    GK_CHAR_SPACE,   /* a break opportunity, dropped at a line's end */
    GK_CHAR_WORD,    /* ASCII and other non-CJK characters: glued into words */
    GK_CHAR_CJK,     /* a CJK character that may break on either side */
    GK_CHAR_OPENING, /* CJK punctuation that must not end a line (（《“ ￥) */
    GK_CHAR_CLOSING  /* CJK punctuation that must not start a line (，。）》”％) */
} gk_char_kind;

gk_char_kind gk_char_kind_of(uint32_t codepoint);

/* Decodes the UTF-8 code point at pos (< len), setting *next past it; a bad byte gives U+FFFD
 * and advances one byte. */
uint32_t gk_utf8_decode(const char *utf8, size_t len, size_t pos, size_t *next);

/* ---- Table columns and cells (table_layout.c) ------------------------------------------- */

/* What one column needs, in points, padding included (the caller measures, see
 * gk_text_extent). */
typedef struct gk_column_need {
    double body_min;       /* the widest piece of a body text that must not break */
    double number_min;     /* the widest number: never broken, but may be set smaller */
    double body_natural;   /* the widest body cell on one line */
    double header_min;     /* the same for its header cell, which may wrap more freely */
    double header_natural;
    double weight;         /* the profile's relative width: a preference (≤ 0 counts as 1) */
} gk_column_need;

/* How comfortably a table's columns fit, from best to worst. */
typedef enum gk_column_fit {
    GK_FIT_NATURAL,      /* every cell on one line; the room left shared by weight */
    GK_FIT_HEADERS_WRAP, /* body cells on one line; some header cells wrap */
    GK_FIT_BODY_WRAPS,   /* long body texts wrap too; no short term and no number breaks */
    GK_FIT_NUMBERS_SMALLER, /* and the widest numbers are set smaller (down to 60 %) */
    GK_FIT_TOO_NARROW    /* even that does not fit: terms break (warn) */
} gk_column_fit;

/* Widens *min and *natural (points) to what len bytes of UTF-8 need: min the widest piece
 * that must not break (a word or number; a run of at most short_term CJK characters with
 * the punctuation glued to it; of a longer run, enough for lines of two or three characters
 * — see unbreakable() — so that none is left alone), natural the widest line ('\n' breaks
 * lines). */
void gk_text_extent(const char *utf8, size_t len, const gk_measure *m, size_t short_term,
                    double *min, double *natural);

/* Shares `width` points among `count` columns (see table_layout.c for the method): widths
 * gets count values summing to width. scratch holds 3 × count doubles. Returns how well they
 * fit. */
gk_column_fit gk_column_widths(const gk_column_need *needs, size_t count, double width,
                               double *widths, double *scratch);

/* Like gk_break_lines, but a text that needs several lines, the last of them short (under
 * 60 % of max_width), is broken as narrow as it can be without needing more (to half a point)
 * and without cutting a word: lines of even length, no runt last line (因公出国（境）费/用
 * becomes 因公出国/（境）费用); a last line still of one character is then mended
 * (gk_mend_last_lines). */
size_t gk_break_balanced(const char *utf8, size_t len, const gk_measure *m, double max_width,
                         gk_line *lines, size_t capacity);

/* ---- Pagination (paginate.c) -------------------------------------------------------------- */

/* Splits table rows into pages holding whole rows, greedily. row_heights[i] is row i's
 * height; first_page_height and next_page_height are the heights available for rows on the
 * first and on every later page (the caller has already taken off titles and the repeated
 * header). keep_with_next[i] (the array may be NULL: no constraints) keeps row i on the same
 * page as row i + 1 — rows joined by a vertical merge; the last row's flag is ignored.
 *
 * A group of rows so joined moves whole to a new page when it does not fit on the current
 * one. A group (or single row) taller than a fresh page cannot be kept together: its rows
 * then flow one by one from the current page, and a row taller than a page gets a page to
 * itself. A page never stays empty: its first row always goes on it, even when the row does
 * not fit (so a too-tall group on the shorter first page starts there rather than leaving
 * the first page blank). A table that continues never ends with a single row on its last
 * page when the page before can give up one (it keeps at least two rows, and the row is not
 * kept with the one above). Heights that exceed the page by under 1e-6 pt count as fitting.
 *
 * Returns the number of pages (zero rows: one page, starting at row 0) and writes each
 * page's first row index into page_first_row, the first `capacity` of them. */
size_t gk_paginate(const double *row_heights, const bool *keep_with_next, size_t row_count,
                   double first_page_height, double next_page_height, size_t *page_first_row,
                   size_t capacity);

/* Widow and orphan control, as typesetters do it (TeX's \clubpenalty and \widowpenalty set to
 * infinity, when the paragraph allows): of a paragraph's `remaining` lines, how many go on the
 * current page, where `room` lines fit below the cursor and `per_page` on a fresh page. Never
 * one line alone at the foot of a page (orphan, or club line) nor alone at the top of the next
 * (widow): the paragraph then starts on the next page (0) or gives the next page one more line.
 * Returns `remaining` when all fit; a page too short for two lines is filled as it comes. */
size_t gk_lines_here(size_t remaining, size_t room, size_t per_page);

#endif
