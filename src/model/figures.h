/* Figures in narrative text: {{placeholders}} filled from the model, and the figures a reader
 * reads in the printed text (…万元, …%), found with their positions for checking.
 * See docs/checks.md for the placeholders. */
#ifndef GONGKAI_FIGURES_H
#define GONGKAI_FIGURES_H

#include "model/narrative.h"
#include "model/values.h"

/* Replaces every {{…}} of markdown with its figure for the scope (unit gives {{unit}},
 * {{year}}): *out is the text, *fills where each figure went (in order; both in arena). An
 * unknown placeholder or a bad query is GK_ERR_DATA at path:line:col. */
gk_status gk_figures_expand(const gk_package *pkg, const gk_scope *scope, const gk_unit *unit,
                            const char *path, const char *markdown, gk_arena *arena,
                            const char **out, const gk_fill **fills, size_t *fill_count,
                            gk_diag *diag);

/* A narrative part as the booklet prints it: placeholders filled, then parsed, positions
 * referring to markdown as written. */
gk_status gk_figures_narrative(const gk_package *pkg, const gk_scope *scope,
                               const gk_unit *unit, const char *path, const char *markdown,
                               gk_arena *arena, gk_narrative *out, gk_diag *diag);

/* A figure as a reader reads it in the printed narrative: digits (full-width too) with
 * optional ',' or '，' grouping (or spaces before groups of three), '.' decimals (any number of
 * them) and a leading minus, then 元, 万元, 亿元, % or ％, any spaces (NBSP, U+3000, …) between.
 * Invisible characters (zero-width, word joiner, soft hyphen) and line breaks inside the
 * number are read through, as a reader does. */
enum { GK_WORDS_CHARS = 48 };

typedef struct gk_literal {
    bool percent;      /* a percentage, else an amount */
    int power;         /* an amount's unit as a power of ten of 元: 元 0, 万元 4, 亿元 8 */
    bool grouping_ok;  /* false: ',' that does not group thousands by three (9,99.99) */
    bool exact;        /* false: more digits than any table figure has (value unusable) */
    int64_t value;     /* scaled by 10^decimals */
    int decimals;      /* as written */
    int line, column;  /* in the Markdown as written */
    const char *text;  /* the number and its unit as printed (９９９.９９万元); the number alone
                          for a share written without % */
    size_t number_len; /* bytes of text that are the number */
    const char *plain; /* the number in ASCII without grouping (999.99) */
    const char *label; /* the words right before it (基本支出 in 基本支出 166.48 万元), or "" */
    /* the text of its sentence since the figure before it (or the sentence's start), its last
     * GK_WORDS_CHARS characters: where the item it is a figure of is named (公务接待费支出决算为
     * in 公务接待费支出决算为 0.3 万元); a table row's first cell when that is empty */
    const char *words;
    /* a share written without % (占 76.23;): a number right after 占 with no unit, before
     * punctuation; read as a percentage */
    bool percent_sign_missing;
    /* printed whole by a placeholder: the placeholder as written ({{amount 1-2.basic}}), its
     * figure computed; NULL when typed by hand */
    const char *placeholder;
    size_t sentence;   /* its sentence in the run, from 0 (a sentence ends at 。；！？) */
} gk_literal;

/* Called with the figures of one run of the narrative, in order: a paragraph, a heading or a
 * list item, or a whole table (each row a sentence). The strings last until it returns. */
typedef void (*gk_run_fn)(const gk_literal *literals, size_t count, void *context);

/* Calls fn for every run of the narrative's blocks that holds figures, in order. False when
 * out of memory. */
bool gk_figures_scan(const gk_narrative *narrative, gk_run_fn fn, void *context);

/* Decodes the UTF-8 character at byte i of t (n bytes, valid UTF-8) into *cp; returns its
 * length. */
size_t gk_utf8_next(const char *t, size_t n, size_t i, uint32_t *cp);

/* round(a * 10^(2 + decimals) / b): a share in units of 10^-decimals percent (0 when b is 0). */
int64_t gk_share(int64_t a, int64_t b, int decimals);

#endif
