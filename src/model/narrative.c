/* Markdown → narrative blocks with cmark-gfm; see narrative.h. */
#include "model/narrative.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_BLOCKS = 4096, MAX_SPANS = 512, MAX_CELLS = 4096 };

typedef struct parse_state {
    gk_arena *arena;
    gk_block *blocks;
    size_t count;
    gk_span spans[MAX_SPANS];
    size_t span_count;
    bool overflow;
    int overflow_line; /* where the first limit was passed */
    int current_line;
} parse_state;

/* ---- spans ------------------------------------------------------------------------- */

static bool ends_with_ascii(const parse_state *st)
{
    if (st->span_count == 0)
        return false;
    const char *t = st->spans[st->span_count - 1].text;
    size_t n = strlen(t);
    return n > 0 && (unsigned char)t[n - 1] < 0x80;
}

static void push_span(parse_state *st, const char *text, size_t len, bool strong)
{
    if (len == 0)
        return;
    if (st->span_count == MAX_SPANS) {
        if (!st->overflow)
            st->overflow_line = st->current_line;
        st->overflow = true;
        return;
    }
    st->spans[st->span_count++] = (gk_span){gk_arena_strndup(st->arena, text, len), strong};
}

/* Text that may still hold literal "**" pairs (CommonMark's flanking rules fail beside
 * full-width punctuation): each "**" toggles bold. */
static void push_text(parse_state *st, const char *text, bool strong)
{
    const char *p = text;
    bool toggled = false;
    for (const char *mark = strstr(p, "**"); mark != NULL; mark = strstr(p, "**")) {
        push_span(st, p, (size_t)(mark - p), strong != toggled);
        toggled = !toggled;
        p = mark + 2;
    }
    push_span(st, p, strlen(p), strong != toggled);
}

static void collect_inlines(parse_state *st, cmark_node *node, bool strong)
{
    for (cmark_node *child = cmark_node_first_child(node); child; child = cmark_node_next(child)) {
        switch (cmark_node_get_type(child)) {
        case CMARK_NODE_TEXT:
        case CMARK_NODE_CODE:
            push_text(st, cmark_node_get_literal(child), strong);
            break;
        case CMARK_NODE_STRONG:
            collect_inlines(st, child, true);
            break;
        case CMARK_NODE_SOFTBREAK:
            /* a line break in the source: nothing between Chinese, a space between Latin */
            if (ends_with_ascii(st))
                push_span(st, " ", 1, strong);
            break;
        case CMARK_NODE_LINEBREAK:
            push_span(st, "\n", 1, strong);
            break;
        case CMARK_NODE_HTML_INLINE:
            break;
        default: /* emphasis, links, …: their text, unstyled */
            collect_inlines(st, child, strong);
            break;
        }
    }
}

/* ---- blocks ------------------------------------------------------------------------ */

static gk_block *new_block(parse_state *st, gk_block_kind kind, int level, cmark_node *node)
{
    st->current_line = cmark_node_get_start_line(node);
    if (st->count == MAX_BLOCKS) {
        if (!st->overflow)
            st->overflow_line = st->current_line;
        st->overflow = true;
        return NULL;
    }
    gk_block *b = &st->blocks[st->count++];
    memset(b, 0, sizeof *b);
    b->kind = kind;
    b->level = level;
    b->line = cmark_node_get_start_line(node);
    return b;
}

static void finish_spans(parse_state *st, gk_block *b)
{
    b->spans = gk_arena_alloc(st->arena, (st->span_count + 1) * sizeof *b->spans);
    if (b->spans != NULL) {
        memcpy((gk_span *)b->spans, st->spans, st->span_count * sizeof *st->spans);
        b->span_count = st->span_count;
    }
    st->span_count = 0;
}

static void text_block(parse_state *st, gk_block_kind kind, int level, const char *marker,
                       cmark_node *node)
{
    gk_block *b = new_block(st, kind, level, node);
    if (b == NULL)
        return;
    b->marker = marker;
    st->span_count = 0;
    collect_inlines(st, node, false);
    finish_spans(st, b);
}

/* The plain text of an inline container (a table cell). */
static const char *plain_text(parse_state *st, cmark_node *node)
{
    st->span_count = 0;
    collect_inlines(st, node, false);
    size_t len = 0;
    for (size_t i = 0; i < st->span_count; i++)
        len += strlen(st->spans[i].text);
    char *text = gk_arena_alloc(st->arena, len + 1);
    if (text != NULL)
        for (size_t i = 0; i < st->span_count; i++)
            strcat(text, st->spans[i].text);
    st->span_count = 0;
    return text ? text : "";
}

static void table_block(parse_state *st, cmark_node *table)
{
    gk_block *b = new_block(st, GK_BLOCK_TABLE, 0, table);
    if (b == NULL)
        return;
    size_t cols = cmark_gfm_extensions_get_table_columns(table);
    const char **cells = gk_arena_alloc(st->arena, MAX_CELLS * sizeof *cells);
    if (cells == NULL || cols == 0)
        return;
    size_t rows = 0;
    for (cmark_node *row = cmark_node_first_child(table); row; row = cmark_node_next(row)) {
        if ((rows + 1) * cols > MAX_CELLS) {
            if (!st->overflow)
                st->overflow_line = cmark_node_get_start_line(row);
            st->overflow = true;
            break;
        }
        size_t c = 0;
        for (cmark_node *cell = cmark_node_first_child(row); cell && c < cols;
             cell = cmark_node_next(cell))
            cells[rows * cols + c++] = plain_text(st, cell);
        for (; c < cols; c++)
            cells[rows * cols + c] = "";
        rows++;
    }
    b->rows = rows;
    b->cols = cols;
    b->cells = cells;
}

static void walk_blocks(parse_state *st, cmark_node *parent, int depth);

static void list_block(parse_state *st, cmark_node *list, int depth)
{
    bool ordered = cmark_node_get_list_type(list) == CMARK_ORDERED_LIST;
    int number = cmark_node_get_list_start(list);
    for (cmark_node *item = cmark_node_first_child(list); item; item = cmark_node_next(item)) {
        const char *marker = ordered ? gk_arena_printf(st->arena, "%d.", number++) : "•";
        cmark_node *first = cmark_node_first_child(item);
        if (first != NULL && cmark_node_get_type(first) == CMARK_NODE_PARAGRAPH) {
            text_block(st, GK_BLOCK_ITEM, depth, marker, first);
            first = cmark_node_next(first);
        } else {
            gk_block *b = new_block(st, GK_BLOCK_ITEM, depth, item);
            if (b != NULL)
                b->marker = marker;
        }
        for (cmark_node *rest = first; rest; rest = cmark_node_next(rest)) {
            if (cmark_node_get_type(rest) == CMARK_NODE_LIST)
                list_block(st, rest, depth + 1);
            else if (cmark_node_get_type(rest) == CMARK_NODE_PARAGRAPH)
                text_block(st, GK_BLOCK_PARAGRAPH, depth, NULL, rest);
            else
                walk_blocks(st, rest, depth);
        }
    }
}

static void walk_blocks(parse_state *st, cmark_node *parent, int depth)
{
    for (cmark_node *node = cmark_node_first_child(parent); node; node = cmark_node_next(node)) {
        const char *type = cmark_node_get_type_string(node);
        switch (cmark_node_get_type(node)) {
        case CMARK_NODE_HEADING:
            text_block(st, GK_BLOCK_HEADING, cmark_node_get_heading_level(node), NULL, node);
            break;
        case CMARK_NODE_PARAGRAPH:
            text_block(st, GK_BLOCK_PARAGRAPH, depth, NULL, node);
            break;
        case CMARK_NODE_LIST:
            list_block(st, node, depth + 1);
            break;
        case CMARK_NODE_BLOCK_QUOTE:
            walk_blocks(st, node, depth);
            break;
        default:
            if (strcmp(type, "table") == 0)
                table_block(st, node);
            /* thematic breaks, HTML and code blocks are not part of a booklet's narrative */
            break;
        }
    }
}

gk_status gk_narrative_parse(const char *path, const char *markdown, gk_arena *arena,
                             gk_narrative *out, gk_diag *diag)
{
    memset(out, 0, sizeof *out);
    out->path = path;
    cmark_gfm_core_extensions_ensure_registered();
    cmark_parser *parser = cmark_parser_new(CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8);
    cmark_syntax_extension *table = cmark_find_syntax_extension("table");
    if (parser == NULL || table == NULL) {
        if (parser)
            cmark_parser_free(parser);
        return gk_diag_set(diag, GK_ERR_NOMEM, path, 0, 0, "cannot start the Markdown parser");
    }
    cmark_parser_attach_syntax_extension(parser, table);
    cmark_parser_feed(parser, markdown, strlen(markdown));
    cmark_node *document = cmark_parser_finish(parser);

    parse_state *st = calloc(1, sizeof *st);
    gk_block *blocks = gk_arena_alloc(arena, MAX_BLOCKS * sizeof *blocks);
    gk_status status = GK_OK;
    if (st == NULL || blocks == NULL || document == NULL) {
        status = gk_diag_set(diag, GK_ERR_NOMEM, path, 0, 0, "out of memory");
    } else {
        st->arena = arena;
        st->blocks = blocks;
        walk_blocks(st, document, 0);
        if (st->overflow)
            status = gk_diag_set(diag, GK_ERR_PARSE, path, st->overflow_line, 1,
                                 "narrative too long (more than %d blocks, %d spans in a block or "
                                 "%d table cells)", MAX_BLOCKS, MAX_SPANS, MAX_CELLS);
        out->blocks = blocks;
        out->count = st->count;
    }
    free(st);
    if (document)
        cmark_node_free(document);
    cmark_parser_free(parser);
    return status;
}

const char *gk_block_text(const gk_block *block, gk_arena *arena)
{
    size_t len = 0;
    for (size_t i = 0; i < block->span_count; i++)
        len += strlen(block->spans[i].text);
    char *text = gk_arena_alloc(arena, len + 1);
    if (text != NULL)
        for (size_t i = 0; i < block->span_count; i++)
            strcat(text, block->spans[i].text);
    return text;
}
