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
 * optional ',' grouping, '.' decimals (any number of them) and a leading minus, then 万元,
 * % or ％, any spaces (NBSP, U+3000, …) between. */
typedef struct gk_literal {
    bool percent;      /* a percentage, else an amount in 万元 */
    bool grouping_ok;  /* false: ',' that does not group thousands by three (9,99.99) */
    bool exact;        /* false: more digits than any table figure has (value unusable) */
    int64_t value;     /* scaled by 10^decimals */
    int decimals;      /* as written */
    int line, column;  /* in the Markdown as written */
    const char *text;  /* the number and its unit as printed (９９９.９９万元) */
    size_t number_len; /* bytes of text that are the number */
    const char *plain; /* the number in ASCII without grouping (999.99) */
} gk_literal;

/* Called for each figure; the literal's strings last until it returns. */
typedef void (*gk_literal_fn)(const gk_literal *literal, void *context);

/* Calls fn for every figure of the narrative's blocks (paragraphs, headings, list items, table
 * cells) in order, except those a placeholder printed whole. False when out of memory. */
bool gk_figures_scan(const gk_narrative *narrative, gk_literal_fn fn, void *context);

/* round(a * 10^(2 + decimals) / b): a share in units of 10^-decimals percent (0 when b is 0). */
int64_t gk_share(int64_t a, int64_t b, int decimals);

#endif
