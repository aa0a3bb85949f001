/* Figures in narrative text: {{placeholders}} filled from the model, and the literal amounts
 * (…万元) and percentages (…%) written by hand, found with their positions for checking.
 * See docs/checks.md for the placeholders. */
#ifndef GONGKAI_FIGURES_H
#define GONGKAI_FIGURES_H

#include "model/values.h"

/* Replaces every {{…}} of markdown with its figure for the scope (unit gives {{unit}},
 * {{year}}). An unknown placeholder or a bad query is GK_ERR_DATA at path:line:col. */
gk_status gk_figures_expand(const gk_package *pkg, const gk_scope *scope, const gk_unit *unit,
                            const char *path, const char *markdown, gk_arena *arena,
                            const char **out, gk_diag *diag);

typedef struct gk_literal {
    bool percent;   /* a percentage (value in units of 10^-decimals percent), else an amount */
    int64_t value;  /* scaled by 10^decimals */
    int decimals;   /* as written */
    int line, column;
    char text[32];  /* as written, for messages */
} gk_literal;

/* The hand-written figures of markdown outside placeholders, in order. Returns how many there
 * are (only `capacity` are written). */
size_t gk_figures_literals(const char *markdown, gk_literal *out, size_t capacity);

/* round(a * 10^(2 + decimals) / b): a share in units of 10^-decimals percent (0 when b is 0). */
int64_t gk_share(int64_t a, int64_t b, int decimals);

#endif
