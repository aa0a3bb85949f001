/* Narrative parts (概况, 情况说明, 名词解释) parsed from Markdown into a flat list of blocks that
 * any backend can lay out: headings, paragraphs, list items, tables; text as spans that are
 * plain or bold, each knowing where in the Markdown it was read. Parsing uses cmark-gfm (with
 * its table extension) and happens once here.
 *
 * Every kind of Markdown node is either printed or refused with its file:line:col, never
 * dropped (gk_narrative_treatment): block quotes print their content, code blocks print as
 * paragraphs (an indented "code block" is a paragraph typed with a leading indent), links print
 * their text and address, emphasis prints plain; HTML, images and horizontal rules are refused.
 * Link reference definitions ("[1]: …") print as the text they are. Lists and block quotes nest
 * at most GK_NARRATIVE_MAX_DEPTH deep. */
#ifndef GONGKAI_NARRATIVE_H
#define GONGKAI_NARRATIVE_H

#include <stdbool.h>
#include <stddef.h>

#include "gongkai/diag.h"
#include "util/arena.h"

enum { GK_NARRATIVE_MAX_DEPTH = 16 };

typedef struct gk_span {
    const char *text;
    bool strong;
    /* Where the text was read: a byte offset in the parsed text (gk_narrative.text). When
     * `verbatim`, byte i of text is the parsed text's byte source + i; otherwise the text was
     * decoded there (an entity, an escape) or added (a line break, a link's address). */
    size_t source;
    bool verbatim;
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
    const gk_span *spans; /* tables: every cell's spans, cell after cell */
    size_t span_count;
    int line; /* 1-based line in the Markdown file where the block starts */
    size_t rows, cols;
    const char *const *cells;  /* tables: row-major */
    const size_t *cell_spans;  /* tables: cell i is spans[cell_spans[i]] .. spans[cell_spans[i + 1]] */
} gk_block;

/* A stretch of the parsed text that is not the Markdown as written: a placeholder's figure,
 * or a character added so that Markdown prints what was typed. */
typedef struct gk_fill {
    size_t at, len;            /* in the parsed text */
    size_t source, source_len; /* what it replaces in the Markdown as written (len 0: nothing) */
} gk_fill;

typedef struct gk_narrative {
    const char *path;
    const char *source; /* the Markdown as written (before placeholders), for positions */
    const char *text;   /* what was parsed: source with the fills */
    const gk_fill *fills; /* in order */
    size_t fill_count;
    const gk_block *blocks;
    size_t count;
} gk_narrative;

/* Parses markdown (UTF-8) into blocks allocated in arena. "**bold**" that CommonMark leaves
 * literal next to full-width punctuation (重点是**“三公”经费**压减) is still taken as bold.
 * A construct the booklet cannot print is GK_ERR_PARSE at path:line:col. */
gk_status gk_narrative_parse(const char *path, const char *markdown, gk_arena *arena,
                             gk_narrative *out, gk_diag *diag);

/* The same for text that is source with placeholders filled (fills, in order): positions in
 * blocks and diagnostics refer to source. */
gk_status gk_narrative_parse_filled(const char *path, const char *source, const char *text,
                                    const gk_fill *fills, size_t fill_count, gk_arena *arena,
                                    gk_narrative *out, gk_diag *diag);

/* Maps byte offsets of the parsed text to the Markdown as written. Cheapest when offsets come
 * in increasing order (any order works). */
typedef struct gk_locator {
    const gk_narrative *narrative;
    size_t fill;            /* fills before `at` */
    size_t at;              /* a parsed-text offset outside any fill ... */
    size_t source;          /* ... and its source offset, line and column */
    int line, column;
} gk_locator;

/* The first of `count` fills (in order) that ends after parsed-text byte `at`: the fill that
 * holds `at` when one does; `count` when none ends after it. Binary search. */
size_t gk_fill_after(const gk_fill *fills, size_t count, size_t at);

void gk_locator_init(gk_locator *loc, const gk_narrative *narrative);

/* Line and column (in characters, from 1) in the source of the parsed text's byte `offset`;
 * returns whether a placeholder printed that byte (its position is then the placeholder's). */
bool gk_locate(gk_locator *loc, size_t offset, int *line, int *column);

/* The plain text of a block's spans, joined (allocated in arena). */
const char *gk_block_text(const gk_block *block, gk_arena *arena);

/* What the narrative does with a node of cmark-gfm's parse (any type, those registered by
 * extensions too): GK_MD_UNDECIDED is a type nobody decided on — refused like GK_MD_REFUSED,
 * and a test requires a decision for every type cmark-gfm has. */
typedef enum gk_md_treatment {
    GK_MD_UNDECIDED,
    GK_MD_PRINTED,
    GK_MD_REFUSED
} gk_md_treatment;

struct cmark_node;
gk_md_treatment gk_narrative_treatment(struct cmark_node *node);

#endif
