/* Narrative parts (概况, 情况说明, 名词解释) parsed from Markdown into a flat list of blocks that
 * any backend can lay out: headings, paragraphs, list items, tables; text as spans that are
 * plain or bold. Parsing uses cmark-gfm (with its table extension) and happens once here. */
#ifndef GONGKAI_NARRATIVE_H
#define GONGKAI_NARRATIVE_H

#include <stdbool.h>
#include <stddef.h>

#include "gongkai/diag.h"
#include "util/arena.h"

typedef struct gk_span {
    const char *text;
    bool strong;
} gk_span;

typedef enum gk_block_kind {
    GK_BLOCK_HEADING,   /* level 1–6 */
    GK_BLOCK_PARAGRAPH, /* level 0, or the list depth for a paragraph inside a list item */
    GK_BLOCK_ITEM,      /* a list item's first paragraph; level = nesting depth from 1 */
    GK_BLOCK_TABLE      /* rows × cols of plain text, row 0 is the header */
} gk_block_kind;

typedef struct gk_block {
    gk_block_kind kind;
    int level;
    const char *marker; /* list items: "1." … or "•" */
    const gk_span *spans;
    size_t span_count;
    int line; /* 1-based line in the Markdown file where the block starts */
    size_t rows, cols;
    const char *const *cells; /* tables: row-major */
} gk_block;

typedef struct gk_narrative {
    const char *path;
    const char *source; /* the Markdown as written (before placeholders), for positions */
    const gk_block *blocks;
    size_t count;
} gk_narrative;

/* Parses markdown (UTF-8) into blocks allocated in arena. "**bold**" that CommonMark leaves
 * literal next to full-width punctuation (重点是**“三公”经费**压减) is still taken as bold. */
gk_status gk_narrative_parse(const char *path, const char *markdown, gk_arena *arena,
                             gk_narrative *out, gk_diag *diag);

/* The plain text of a block's spans, joined (allocated in arena). */
const char *gk_block_text(const gk_block *block, gk_arena *arena);

#endif
