/* Markdown → narrative blocks with cmark-gfm; see narrative.h.
 *
 * cmark-gfm gives every node a line, but its columns are exact only on a block's first line
 * (container prefixes and leading spaces of later lines are counted differently) and it
 * merges text, entities and escapes into one literal. So each literal is found again in the
 * parsed text — on its line, with the column as a hint — and split into spans that are either
 * copies of the text (verbatim) or one decoded entity or escape; the figure check and the
 * diagnostics can then point at the byte a reader sees. */
#include "model/narrative.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/grow.h"

enum {
    MAX_BLOCKS = 4096,
    MAX_CELLS = 4096,
    ANCHOR_WINDOW = 160, /* bytes searched for a literal from its line's start */
    ANCHOR_PREFIX = 8,   /* bytes of a literal compared while searching */
    EXCERPT_MAX = 60     /* bytes of a refused construct quoted in the message */
};

/* The first construct refused, reported once the walk is over. */
typedef enum refusal {
    REFUSED_NONE,
    REFUSED_HTML,
    REFUSED_IMAGE,
    REFUSED_RULE,
    REFUSED_OTHER,
    REFUSED_CELLS,
    REFUSED_DEPTH,
    REFUSED_LENGTH
} refusal;

typedef struct parse_state {
    gk_arena *arena;
    const char *text; /* the parsed text */
    size_t text_len;
    const gk_fill *fills;
    size_t fill_count;
    size_t *line_starts; /* line l (from 1) starts at line_starts[l - 1]; one more at the end */
    size_t line_count;
    gk_block *blocks;
    size_t count;
    gk_span *spans; /* the block being built */
    size_t span_count, span_capacity;
    bool nomem;
    /* the line whose literals are being found: cmark's columns plus `shift` are offsets */
    int anchor_line;     /* as cmark numbers it */
    size_t anchor_start; /* where that line really starts in text */
    long shift;
    bool anchored;       /* shift known; false: search once more */
    bool lost;           /* the search failed on this line: use cmark's columns */
    size_t cursor;       /* where the previous literal of the line ended */
    int block_line;      /* the current block's line */
    bool relative;       /* its inline lines count from 0 at block_line (cmark-gfm does that
                          * for a paragraph before a table, which it gives no line) */
    /* the first refusal */
    refusal refused;
    size_t refused_at;
    const char *excerpt;
} parse_state;

static bool failed(const parse_state *st)
{
    return st->nomem || st->refused != REFUSED_NONE;
}

/* ---- lines of the parsed text ------------------------------------------------------------- */

/* Length of the line break at i (CommonMark's: \n, \r\n or \r), 0 if none. */
static size_t break_length(const char *text, size_t len, size_t i)
{
    if (i >= len)
        return 0;
    if (text[i] == '\n')
        return 1;
    if (text[i] == '\r')
        return i + 1 < len && text[i + 1] == '\n' ? 2 : 1;
    return 0;
}

static bool index_lines(parse_state *st)
{
    size_t count = 1;
    for (size_t i = 0; i < st->text_len;) {
        size_t b = break_length(st->text, st->text_len, i);
        count += b > 0;
        i += b > 0 ? b : 1;
    }
    st->line_starts = malloc((count + 1) * sizeof *st->line_starts);
    if (st->line_starts == NULL)
        return false;
    size_t line = 0;
    st->line_starts[line++] = 0;
    for (size_t i = 0; i < st->text_len;) {
        size_t b = break_length(st->text, st->text_len, i);
        i += b > 0 ? b : 1;
        if (b > 0)
            st->line_starts[line++] = i;
    }
    st->line_starts[line] = st->text_len + 1;
    st->line_count = count;
    return true;
}

static size_t line_start(const parse_state *st, int line)
{
    return st->line_starts[line - 1];
}

/* The end of line `line` (before its line break). */
static size_t line_end(const parse_state *st, int line)
{
    size_t end = st->line_starts[line] - 1;
    if (end > st->text_len)
        end = st->text_len;
    while (end > line_start(st, line) && (st->text[end - 1] == '\n' || st->text[end - 1] == '\r'))
        end--;
    return end;
}

static int valid_line(const parse_state *st, int line)
{
    return line >= 1 && (size_t)line <= st->line_count ? line : 0;
}

/* Offset of a block node's start: cmark's block columns are exact. */
static size_t block_offset(const parse_state *st, cmark_node *node)
{
    int line = valid_line(st, cmark_node_get_start_line(node));
    if (line == 0)
        line = valid_line(st, st->block_line) ? st->block_line : 1;
    size_t at = line_start(st, line) + (size_t)(cmark_node_get_start_column(node) > 0
                                                    ? cmark_node_get_start_column(node) - 1
                                                    : 0);
    size_t end = line_end(st, line);
    return at < end ? at : end;
}

/* ---- refusals ------------------------------------------------------------------------------ */

/* What is quoted of a refused construct: its first line, at most EXCERPT_MAX bytes. */
static const char *excerpt(parse_state *st, const char *text)
{
    size_t n = strcspn(text, "\r\n");
    if (n > EXCERPT_MAX) {
        n = EXCERPT_MAX;
        while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
            n--; /* not inside a character */
    }
    return gk_arena_strndup(st->arena, text, n);
}

static void refuse(parse_state *st, refusal why, size_t at, const char *quoted)
{
    if (failed(st))
        return;
    st->refused = why;
    st->refused_at = at;
    st->excerpt = quoted ? excerpt(st, quoted) : "";
}

/* ---- finding literals in the text ------------------------------------------------------- */

static bool is_ascii_punct(unsigned char c)
{
    return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') ||
           (c >= '{' && c <= '~');
}

static bool is_alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Length of the entity (&amp; &#19975; &#x4E07;) at p, 0 if there is none. */
static size_t entity_length(const char *text, size_t len, size_t p)
{
    size_t q = p + 1, max = p + 34 < len ? p + 34 : len;
    if (q < max && text[q] == '#')
        q++;
    if (q < max && (text[q] == 'x' || text[q] == 'X') && text[p + 1] == '#')
        q++;
    size_t name = q;
    while (q < max && is_alnum((unsigned char)text[q]))
        q++;
    return q > name && q < max && text[q] == ';' ? q + 1 - p : 0;
}

/* Bytes of the UTF-8 character that starts with lead. */
static size_t char_length(unsigned char lead)
{
    return lead < 0xC0 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
}

/* Whether byte p of the text was added (a fill that replaces nothing). */
static bool added_at(const parse_state *st, size_t p)
{
    size_t i = gk_fill_after(st->fills, st->fill_count, p);
    return i < st->fill_count && st->fills[i].at <= p && st->fills[i].source_len == 0;
}

/* How text bytes give literal bytes. */
typedef enum step_kind {
    STEP_VERBATIM, /* the same byte */
    STEP_DECODED,  /* an escape or an entity */
    STEP_HIDDEN    /* an added byte that a code literal kept: not printed */
} step_kind;

/* One step of reading literal byte k (of lit[0, len)) from text byte p: how many text bytes
 * (*used) give how many literal bytes (*made). False when the two differ. */
static bool step(const parse_state *st, size_t p, const char *lit, size_t k, size_t len,
                 size_t *used, size_t *made, step_kind *kind)
{
    const char *t = st->text;
    if (p >= st->text_len)
        return false;
    unsigned char c = (unsigned char)t[p];
    *used = *made = 1;
    *kind = STEP_VERBATIM;
    if (c == '\\' && p + 1 < st->text_len && is_ascii_punct((unsigned char)t[p + 1]) &&
        lit[k] == t[p + 1]) {
        *used = 2;
        *kind = STEP_DECODED;
        return true;
    }
    size_t n = c == '&' ? entity_length(t, st->text_len, p) : 0;
    if (n > 0 && (n > len - k || strncmp(lit + k, t + p, n) != 0)) { /* decoded, not kept */
        size_t m = char_length((unsigned char)lit[k]);
        *used = n;
        *made = m < len - k ? m : len - k;
        *kind = STEP_DECODED;
        return true;
    }
    if (c != (unsigned char)lit[k])
        return false;
    if (c == '\\' && added_at(st, p))
        *kind = STEP_HIDDEN;
    return true;
}

/* Whether the first bytes of lit can be read at p. */
static bool reads_at(const parse_state *st, size_t p, const char *lit, size_t len)
{
    size_t limit = len < ANCHOR_PREFIX ? len : ANCHOR_PREFIX;
    for (size_t k = 0; k < limit;) {
        size_t used, made;
        step_kind kind;
        if (!step(st, p, lit, k, len, &used, &made, &kind))
            return false;
        p += used;
        k += made;
    }
    return true;
}

/* Searches ANCHOR_WINDOW bytes of [from, end) for where lit can be read. */
static bool search(const parse_state *st, size_t from, size_t end, const char *lit, size_t len,
                   size_t *at)
{
    for (size_t p = from; p < end && p < from + ANCHOR_WINDOW; p++)
        if (reads_at(st, p, lit, len)) {
            *at = p;
            return true;
        }
    return false;
}

/* Finds lit on `line` (from its start, or from the previous literal once the line's shift is
 * known), else at the start of the next line, where cmark-gfm puts a table's header row that
 * follows a paragraph. */
static bool search_line(parse_state *st, int line, const char *lit, size_t len, size_t *at)
{
    size_t from = st->anchored ? st->cursor : st->anchor_start;
    if (search(st, from, line_end(st, line), lit, len, at))
        return true;
    if (st->anchored || !valid_line(st, line + 1) ||
        !search(st, line_start(st, line + 1), line_end(st, line + 1), lit, len, at))
        return false;
    st->anchor_start = line_start(st, line + 1);
    return true;
}

/* Where a literal of an inline node starts in the text. The node's line is right; its column
 * is right up to a shift that is the same along a line (the container prefix and leading
 * spaces that cmark-gfm counts differently), found by searching once per line. */
static size_t locate_literal(parse_state *st, cmark_node *node, const char *lit, size_t len)
{
    int line = cmark_node_get_start_line(node);
    int column = cmark_node_get_start_column(node);
    if (st->relative) { /* lines from the block's, columns useless: search */
        line += st->block_line;
        column = 0;
    }
    line = valid_line(st, line) ? line : valid_line(st, st->block_line) ? st->block_line : 1;
    if (line != st->anchor_line) {
        st->anchor_line = line;
        st->anchor_start = st->cursor = line_start(st, line);
        st->shift = 0;
        st->anchored = st->lost = false;
    }
    long hint = (column > 0 ? column - 1 : 0);
    long guess = (long)st->anchor_start + hint + st->shift;
    size_t at = guess < (long)st->cursor ? st->cursor : (size_t)guess;
    at = at < st->text_len ? at : st->text_len;
    if (len == 0 || (column > 0 && reads_at(st, at, lit, len)))
        return st->cursor = at;
    if (!st->lost && search_line(st, line, lit, len, &at)) {
        st->shift = (long)at - (long)st->anchor_start - hint;
        st->anchored = true;
        return st->cursor = at;
    }
    st->lost = true; /* cmark's columns it is, for this line */
    return st->cursor = at;
}

/* ---- spans ------------------------------------------------------------------------------- */

static void push_span(parse_state *st, const char *text, size_t len, bool strong, size_t source,
                      bool verbatim)
{
    if (len == 0 || failed(st))
        return;
    if (!gk_grow((void **)&st->spans, &st->span_capacity, st->span_count, sizeof *st->spans,
                 64)) {
        st->nomem = true;
        return;
    }
    const char *copy = gk_arena_strndup(st->arena, text, len);
    if (copy == NULL) {
        st->nomem = true;
        return;
    }
    st->spans[st->span_count++] = (gk_span){copy, strong, source, verbatim};
}

/* Where the text after the last span is, for text that has no place of its own. */
static size_t after_last_span(const parse_state *st)
{
    if (st->span_count == 0)
        return st->cursor;
    const gk_span *s = &st->spans[st->span_count - 1];
    return s->verbatim ? s->source + strlen(s->text) : s->source;
}

static void push_added(parse_state *st, const char *text, bool strong)
{
    push_span(st, text, strlen(text), strong, after_last_span(st), false);
}

/* Reads a literal from the text: where it is and whether it still matches byte for byte. */
typedef struct reader {
    size_t p;
    bool mapped;
} reader;

/* Pushes lit[from, to): verbatim runs and each decoded entity or escape as spans of their
 * own; once the text and the literal differ, the rest as one span at that place. */
static void push_piece(parse_state *st, reader *r, const char *lit, size_t from, size_t to,
                       bool strong)
{
    size_t k = from, run = from, run_at = r->p;
    while (k < to && r->mapped) {
        size_t used, made;
        step_kind kind;
        if (!step(st, r->p, lit, k, to, &used, &made, &kind)) {
            r->mapped = false;
            break;
        }
        if (kind != STEP_VERBATIM) {
            push_span(st, lit + run, k - run, strong, run_at, true);
            if (kind == STEP_DECODED)
                push_span(st, lit + k, made, strong, r->p, false);
            run = k + made;
            run_at = r->p + used;
        }
        r->p += used;
        k += made;
    }
    push_span(st, lit + run, k - run, strong, run_at, true);
    push_span(st, lit + k, to - k, strong, r->p, false);
}

/* Moves the reader over lit[from, to) without printing it. */
static void skip_piece(parse_state *st, reader *r, const char *lit, size_t from, size_t to)
{
    for (size_t k = from; k < to && r->mapped;) {
        size_t used, made;
        step_kind kind;
        r->mapped = step(st, r->p, lit, k, to, &used, &made, &kind);
        r->p += r->mapped ? used : 0;
        k += made;
    }
}

/* A literal read from text offset `at`. Each "**" in it toggles bold: CommonMark's flanking
 * rules leave them literal beside full-width punctuation (重点是**“三公”经费**压减). */
static void push_literal(parse_state *st, const char *lit, size_t len, size_t at, bool strong)
{
    reader r = {at, true};
    bool bold = strong;
    size_t k = 0;
    for (size_t m = 0; m + 1 < len; m++) {
        if (lit[m] != '*' || lit[m + 1] != '*')
            continue;
        push_piece(st, &r, lit, k, m, bold);
        skip_piece(st, &r, lit, m, m + 2);
        bold = !bold;
        k = m + 2;
        m++;
    }
    push_piece(st, &r, lit, k, len, bold);
    st->cursor = r.p;
}

static bool ends_with_ascii(const parse_state *st)
{
    if (st->span_count == 0)
        return false;
    const char *t = st->spans[st->span_count - 1].text;
    size_t n = strlen(t);
    return n > 0 && (unsigned char)t[n - 1] < 0x80;
}

/* A line break in the source: nothing between Chinese, a space between Latin. */
static void soft_break(parse_state *st, bool strong)
{
    if (ends_with_ascii(st))
        push_added(st, " ", strong);
}

/* ---- figures set apart ------------------------------------------------------------------ */

/* Han characters and kana, which a figure is set apart from (not CJK punctuation). */
static bool is_han(uint32_t cp)
{
    return (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
           (cp >= 0x20000 && cp <= 0x3FFFF);
}

static bool is_digit(uint32_t cp)
{
    return cp >= '0' && cp <= '9';
}

/* The code point at text[k] (valid UTF-8). */
static uint32_t code_point(const char *text, size_t k)
{
    const unsigned char *u = (const unsigned char *)text + k;
    size_t n = char_length(u[0]);
    uint32_t cp = n == 1 ? u[0] : u[0] & (0x7Fu >> n);
    for (size_t i = 1; i < n && u[i] != '\0'; i++)
        cp = (cp << 6) | (u[i] & 0x3Fu);
    return cp;
}

/* The byte after the character at text[k]: never past the terminating NUL. */
static size_t next_char(const char *text, size_t k)
{
    for (k++; ((unsigned char)text[k] & 0xC0) == 0x80; k++)
        ;
    return k;
}

/* Where a figure (ASCII digits, and a % right after them) touches a Han character, read one
 * character after another. */
typedef struct figure_walk {
    uint32_t prev;     /* the character before */
    bool figure_end;   /* it ends a figure */
} figure_walk;

static bool needs_gap(figure_walk *w, uint32_t cp)
{
    bool gap = (is_han(w->prev) && is_digit(cp)) || (w->figure_end && is_han(cp));
    w->figure_end = is_digit(cp) || (cp == '%' && is_digit(w->prev));
    w->prev = cp;
    return gap;
}

static void keep_span(parse_state *st, gk_span span)
{
    if (!gk_grow((void **)&st->spans, &st->span_capacity, st->span_count, sizeof *st->spans,
                 64)) {
        st->nomem = true;
        return;
    }
    st->spans[st->span_count++] = span;
}

/* One space between a figure and a Han character next to it, where the text has none, as the
 * reference booklet sets its figures (收入 294.28 万元，2025 年，占 56.57%；) — also where a
 * placeholder's figure or a bold one meets the text. The space is an added span. Linear. */
static void space_figures(parse_state *st, size_t first)
{
    size_t gaps = 0;
    figure_walk w = {0, false};
    for (size_t i = first; i < st->span_count; i++)
        for (size_t k = 0; st->spans[i].text[k]; k = next_char(st->spans[i].text, k))
            gaps += needs_gap(&w, code_point(st->spans[i].text, k));
    if (gaps == 0 || failed(st))
        return;
    size_t count = st->span_count - first;
    gk_span *old = malloc(count * sizeof *old);
    if (old == NULL) {
        st->nomem = true;
        return;
    }
    memcpy(old, st->spans + first, count * sizeof *old);
    st->span_count = first;
    w = (figure_walk){0, false};
    bool strong_before = false;
    for (size_t i = 0; i < count && !failed(st); i++) {
        const gk_span *sp = &old[i];
        size_t from = 0;
        for (size_t k = 0; sp->text[k]; k = next_char(sp->text, k)) {
            if (!needs_gap(&w, code_point(sp->text, k)))
                continue;
            size_t at = sp->source + (sp->verbatim ? k : 0);
            if (k > from)
                push_span(st, sp->text + from, k - from, sp->strong,
                          sp->source + (sp->verbatim ? from : 0), sp->verbatim);
            keep_span(st, (gk_span){" ", sp->strong && (k > 0 || strong_before), at, false});
            from = k;
        }
        if (from == 0)
            keep_span(st, *sp);
        else
            push_span(st, sp->text + from, strlen(sp->text + from), sp->strong,
                      sp->source + (sp->verbatim ? from : 0), sp->verbatim);
        strong_before = sp->strong;
    }
    free(old);
}

/* ---- what each kind of node does -------------------------------------------------------- */

/* The types that extensions register, by name: the table extension's are printed. */
static gk_md_treatment extension_treatment(const char *type)
{
    static const char *const printed[] = {"table", "table_header", "table_row", "table_cell"};
    static const char *const refused[] = {"strikethrough"}; /* struck-out text would print */
    for (size_t i = 0; i < sizeof printed / sizeof *printed; i++)
        if (strcmp(type, printed[i]) == 0)
            return GK_MD_PRINTED;
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++)
        if (strcmp(type, refused[i]) == 0)
            return GK_MD_REFUSED;
    return GK_MD_UNDECIDED;
}

/* Every type of cmark-gfm's enum has a case: a new one breaks the build until decided. */
#pragma GCC diagnostic push
#pragma GCC diagnostic error "-Wswitch-enum"
gk_md_treatment gk_narrative_treatment(cmark_node *node)
{
    switch (cmark_node_get_type(node)) {
    case CMARK_NODE_DOCUMENT:
    case CMARK_NODE_PARAGRAPH:
    case CMARK_NODE_HEADING:
    case CMARK_NODE_LIST:
    case CMARK_NODE_ITEM:
    case CMARK_NODE_BLOCK_QUOTE:  /* its content */
    case CMARK_NODE_CODE_BLOCK:   /* as a paragraph */
    case CMARK_NODE_TEXT:
    case CMARK_NODE_CODE:         /* as text */
    case CMARK_NODE_SOFTBREAK:
    case CMARK_NODE_LINEBREAK:
    case CMARK_NODE_EMPH:         /* plain: the fonts have no italics */
    case CMARK_NODE_STRONG:
    case CMARK_NODE_LINK:         /* text（address） */
        return GK_MD_PRINTED;
    case CMARK_NODE_HTML_BLOCK:
    case CMARK_NODE_HTML_INLINE:
    case CMARK_NODE_IMAGE:
    case CMARK_NODE_THEMATIC_BREAK:
    case CMARK_NODE_FOOTNOTE_DEFINITION: /* footnotes are not enabled: never parsed */
    case CMARK_NODE_FOOTNOTE_REFERENCE:
    case CMARK_NODE_CUSTOM_BLOCK:        /* only built by programs */
    case CMARK_NODE_CUSTOM_INLINE:
    case CMARK_NODE_NONE:
        return GK_MD_REFUSED;
    default: /* registered by an extension */
        return extension_treatment(cmark_node_get_type_string(node));
    }
}
#pragma GCC diagnostic pop

/* Refuses a node the booklet cannot print; true when it may be printed. */
static bool printable(parse_state *st, cmark_node *node, size_t at)
{
    if (gk_narrative_treatment(node) == GK_MD_PRINTED)
        return true;
    cmark_node_type t = cmark_node_get_type(node);
    const char *literal = cmark_node_get_literal(node);
    if (t == CMARK_NODE_HTML_BLOCK || t == CMARK_NODE_HTML_INLINE)
        refuse(st, REFUSED_HTML, at, literal);
    else if (t == CMARK_NODE_IMAGE)
        refuse(st, REFUSED_IMAGE, at, st->text + at);
    else if (t == CMARK_NODE_THEMATIC_BREAK)
        refuse(st, REFUSED_RULE, at, st->text + at);
    else
        refuse(st, REFUSED_OTHER, at, st->text + at);
    return false;
}

/* ---- inlines ----------------------------------------------------------------------------- */

/* A link prints its text and, when that is not the address itself, the address after it. */
static void link_address(parse_state *st, cmark_node *link, size_t first_span, bool strong)
{
    const char *url = cmark_node_get_url(link);
    if (url == NULL || url[0] == '\0')
        return;
    const char *shown = strncmp(url, "mailto:", 7) == 0 ? url + 7 : url;
    const char *rest = shown; /* the address compared with the link's text, span by span */
    for (size_t i = first_span; i < st->span_count && rest != NULL; i++) {
        size_t n = strlen(st->spans[i].text);
        rest = strncmp(rest, st->spans[i].text, n) == 0 ? rest + n : NULL;
    }
    if (rest != NULL && rest[0] == '\0' && first_span < st->span_count)
        return;
    push_added(st, "（", strong);
    push_added(st, shown, strong);
    push_added(st, "）", strong);
}

/* Where an inline node without a literal (emphasis, a link, an image) starts, for messages. */
static size_t inline_offset(const parse_state *st, cmark_node *node)
{
    int line = valid_line(st, cmark_node_get_start_line(node));
    int column = cmark_node_get_start_column(node);
    if (line == 0 || column < 1 || st->relative)
        return after_last_span(st);
    long at = line == st->anchor_line
                  ? (long)st->anchor_start + column - 1 + st->shift
                  : (long)line_start(st, line) + column - 1;
    return at < 0 ? 0 : (size_t)at < st->text_len ? (size_t)at : st->text_len;
}

/* The spans of an inline container (a paragraph, a heading, a table cell), walked without
 * recursion: emphasis can nest as deep as the text is long. */
static void collect_inlines(parse_state *st, cmark_node *container)
{
    cmark_iter *iter = cmark_iter_new(container);
    size_t strong = 0, link_start = 0;
    cmark_event_type event;
    while (!failed(st) && (event = cmark_iter_next(iter)) != CMARK_EVENT_DONE) {
        cmark_node *node = cmark_iter_get_node(iter);
        if (node == container)
            continue;
        bool enter = event == CMARK_EVENT_ENTER;
        const char *literal = cmark_node_get_literal(node);
        size_t len = literal ? strlen(literal) : 0;
        if (enter) {
            size_t at = literal ? locate_literal(st, node, literal, len) : inline_offset(st, node);
            if (!printable(st, node, at))
                break;
            switch (cmark_node_get_type(node)) {
            case CMARK_NODE_TEXT:
            case CMARK_NODE_CODE:
                push_literal(st, literal, len, at, strong > 0);
                break;
            case CMARK_NODE_SOFTBREAK:
                soft_break(st, strong > 0);
                break;
            case CMARK_NODE_LINEBREAK:
                push_added(st, "\n", strong > 0);
                break;
            case CMARK_NODE_STRONG:
                strong++;
                break;
            case CMARK_NODE_LINK:
                link_start = st->span_count;
                break;
            default: /* emphasis: its text, unstyled */
                break;
            }
        } else if (cmark_node_get_type(node) == CMARK_NODE_STRONG) {
            strong--;
        } else if (cmark_node_get_type(node) == CMARK_NODE_LINK) {
            link_address(st, node, link_start, strong > 0);
        }
    }
    cmark_iter_free(iter);
}

/* ---- blocks ------------------------------------------------------------------------------ */

static gk_block *new_block(parse_state *st, gk_block_kind kind, int level, cmark_node *node)
{
    if (failed(st))
        return NULL;
    int line = cmark_node_get_start_line(node);
    st->relative = line <= 0;
    if (st->relative && cmark_node_next(node) != NULL) /* a paragraph before a table: its line */
        line = cmark_node_get_start_line(cmark_node_next(node));
    if (line > 0)
        st->block_line = line;
    if (st->count == MAX_BLOCKS) {
        refuse(st, REFUSED_LENGTH, block_offset(st, node), NULL);
        return NULL;
    }
    gk_block *b = &st->blocks[st->count++];
    memset(b, 0, sizeof *b);
    b->kind = kind;
    b->level = level;
    b->line = line > 0 ? line : st->block_line;
    st->span_count = 0;
    return b;
}

static void finish_spans(parse_state *st, gk_block *b)
{
    gk_span *spans = gk_arena_alloc(st->arena, (st->span_count + 1) * sizeof *spans);
    if (spans == NULL) {
        st->nomem = true;
        return;
    }
    if (st->span_count > 0)
        memcpy(spans, st->spans, st->span_count * sizeof *spans);
    b->spans = spans;
    b->span_count = st->span_count;
    st->span_count = 0;
}

static void text_block(parse_state *st, gk_block_kind kind, int level, const char *marker,
                       cmark_node *node)
{
    gk_block *b = new_block(st, kind, level, node);
    if (b == NULL)
        return;
    b->marker = marker;
    collect_inlines(st, node);
    space_figures(st, 0);
    finish_spans(st, b);
}

/* A code block prints as paragraphs: an indented one is almost always paragraphs typed with
 * a leading indent (lines join as a paragraph's do, a blank line starts the next one), a
 * fenced one keeps its lines. Its lines are the ends of the source lines, so each is found
 * from its line's end. */
static void code_block(parse_state *st, cmark_node *node, int level)
{
    const char *literal = cmark_node_get_literal(node);
    int fence_length = 0, fence_offset = 0;
    char fence_char = 0;
    bool fenced = cmark_node_get_fenced(node, &fence_length, &fence_offset, &fence_char) != 0;
    int first = cmark_node_get_start_line(node) + (fenced ? 1 : 0);
    gk_block *b = NULL;
    bool blank = false; /* a blank line since the last text */
    for (int line = first; literal && *literal && !failed(st); line++) {
        size_t len = strcspn(literal, "\n");
        if (len == 0 && !fenced) {
            blank = b != NULL;
        } else if (b == NULL || blank) {
            if (b != NULL) {
                space_figures(st, 0);
                finish_spans(st, b);
            }
            if ((b = new_block(st, GK_BLOCK_PARAGRAPH, level, node)) == NULL)
                return;
            b->line = valid_line(st, line) ? line : b->line;
            blank = false;
        } else if (fenced) {
            push_added(st, "\n", false);
        } else {
            soft_break(st, false);
        }
        size_t at = st->cursor;
        if (valid_line(st, line)) {
            size_t end = line_end(st, line), start = line_start(st, line);
            at = end - start >= len ? end - len : start;
        }
        push_literal(st, literal, len, at, false);
        literal += len + (literal[len] == '\n');
    }
    if (b != NULL) {
        space_figures(st, 0);
        finish_spans(st, b);
    }
}

/* The joined text of spans[first..]: a table cell's. */
static const char *spans_text(parse_state *st, size_t first)
{
    size_t len = 0;
    for (size_t i = first; i < st->span_count; i++)
        len += strlen(st->spans[i].text);
    char *text = gk_arena_alloc(st->arena, len + 1);
    if (text == NULL) {
        st->nomem = true;
        return "";
    }
    for (size_t i = first, used = 0; i < st->span_count; i++) {
        size_t n = strlen(st->spans[i].text);
        memcpy(text + used, st->spans[i].text, n);
        used += n;
    }
    return text;
}

/* cmark-gfm drops the cells of a row beyond the header's count: refuses a row that has text
 * after its last kept cell (only spaces and '|' may follow). */
static void refuse_dropped_cells(parse_state *st, cmark_node *row, cmark_node *last_cell)
{
    int line = valid_line(st, cmark_node_get_start_line(row));
    if (line == 0 || last_cell == NULL || cmark_node_get_end_line(row) != line ||
        cmark_node_get_end_column(last_cell) < 1)
        return;
    size_t from = line_start(st, line) + (size_t)cmark_node_get_end_column(last_cell);
    size_t to = line_start(st, line) + (size_t)cmark_node_get_end_column(row);
    for (size_t p = from; p < to && p < st->text_len; p++)
        if (st->text[p] != ' ' && st->text[p] != '\t' && st->text[p] != '|') {
            refuse(st, REFUSED_CELLS, p, st->text + p);
            return;
        }
}

/* A table: its cells' text, and their spans in the block for positions. */
static void table_block(parse_state *st, cmark_node *table)
{
    gk_block *b = new_block(st, GK_BLOCK_TABLE, 0, table);
    if (b == NULL)
        return;
    size_t cols = cmark_gfm_extensions_get_table_columns(table);
    /* every cell up to rows * cols is written below before it is read */
    const char **cells = gk_arena_alloc_unset(st->arena, (MAX_CELLS + 1) * sizeof *cells);
    size_t *cell_spans = gk_arena_alloc_unset(st->arena, (MAX_CELLS + 1) * sizeof *cell_spans);
    if (cells == NULL || cell_spans == NULL) {
        st->nomem = true;
        return;
    }
    size_t rows = 0;
    for (cmark_node *row = cmark_node_first_child(table); row && !failed(st);
         row = cmark_node_next(row)) {
        if ((rows + 1) * cols > MAX_CELLS) {
            refuse(st, REFUSED_LENGTH, block_offset(st, row), NULL);
            break;
        }
        size_t c = 0;
        cmark_node *last = NULL;
        for (cmark_node *cell = cmark_node_first_child(row); cell && c < cols && !failed(st);
             cell = cmark_node_next(cell)) {
            cell_spans[rows * cols + c] = st->span_count;
            collect_inlines(st, cell);
            space_figures(st, cell_spans[rows * cols + c]);
            cells[rows * cols + c] = spans_text(st, cell_spans[rows * cols + c]);
            c++;
            last = cmark_node_get_end_column(cell) > 0 ? cell : last;
        }
        refuse_dropped_cells(st, row, last);
        for (; c < cols; c++) {
            cell_spans[rows * cols + c] = st->span_count;
            cells[rows * cols + c] = "";
        }
        rows++;
    }
    cell_spans[rows * cols] = st->span_count;
    b->rows = rows;
    b->cols = cols;
    b->cells = cells;
    b->cell_spans = cell_spans;
    finish_spans(st, b);
}

static void walk_node(parse_state *st, cmark_node *node, int level, int depth);

static void walk_children(parse_state *st, cmark_node *parent, int level, int depth)
{
    for (cmark_node *node = cmark_node_first_child(parent); node && !failed(st);
         node = cmark_node_next(node))
        walk_node(st, node, level, depth);
}

static void list_block(parse_state *st, cmark_node *list, int level, int depth)
{
    bool ordered = cmark_node_get_list_type(list) == CMARK_ORDERED_LIST;
    int number = cmark_node_get_list_start(list);
    for (cmark_node *item = cmark_node_first_child(list); item && !failed(st);
         item = cmark_node_next(item)) {
        const char *marker = ordered ? gk_arena_printf(st->arena, "%d.", number++) : "•";
        cmark_node *first = cmark_node_first_child(item);
        if (first != NULL && cmark_node_get_type(first) == CMARK_NODE_PARAGRAPH) {
            text_block(st, GK_BLOCK_ITEM, level, marker, first);
            first = cmark_node_next(first);
        } else {
            gk_block *b = new_block(st, GK_BLOCK_ITEM, level, item);
            if (b != NULL)
                b->marker = marker;
        }
        for (cmark_node *rest = first; rest && !failed(st); rest = cmark_node_next(rest))
            walk_node(st, rest, level, depth);
    }
}

/* Lists and quotes nest at most GK_NARRATIVE_MAX_DEPTH deep: deeper is refused before the
 * walk goes down (it recurses once per level). */
static bool nest(parse_state *st, cmark_node *node, int depth)
{
    if (depth < GK_NARRATIVE_MAX_DEPTH)
        return true;
    refuse(st, REFUSED_DEPTH, block_offset(st, node), NULL);
    return false;
}

static void walk_node(parse_state *st, cmark_node *node, int level, int depth)
{
    if (!printable(st, node, block_offset(st, node)))
        return;
    cmark_node_type type = cmark_node_get_type(node);
    switch (type) {
    case CMARK_NODE_PARAGRAPH:
        text_block(st, GK_BLOCK_PARAGRAPH, level, NULL, node);
        return;
    case CMARK_NODE_HEADING:
        text_block(st, GK_BLOCK_HEADING, cmark_node_get_heading_level(node), NULL, node);
        return;
    case CMARK_NODE_LIST:
        if (nest(st, node, depth))
            list_block(st, node, level + 1, depth + 1);
        return;
    case CMARK_NODE_BLOCK_QUOTE:
        if (nest(st, node, depth))
            walk_children(st, node, level, depth + 1);
        return;
    case CMARK_NODE_CODE_BLOCK:
        code_block(st, node, level);
        return;
    case CMARK_NODE_DOCUMENT:
    case CMARK_NODE_ITEM:
        walk_children(st, node, level, depth);
        return;
    default:
        if (strcmp(cmark_node_get_type_string(node), "table") == 0)
            table_block(st, node);
        else /* printable, yet not a block: a table part out of its table */
            refuse(st, REFUSED_OTHER, block_offset(st, node), st->text + block_offset(st, node));
        return;
    }
}

/* ---- link reference definitions ------------------------------------------------------- */

/* After an optional container prefix (spaces, '>', list markers), the '[' of "[label]:" that
 * starts the line, or SIZE_MAX. CommonMark would take such a line as a link reference
 * definition and print nothing of it. */
static size_t definition_bracket(const char *text, size_t start, size_t end)
{
    size_t p = start;
    for (;;) {
        while (p < end && (text[p] == ' ' || text[p] == '\t' || text[p] == '>'))
            p++;
        size_t q = p;
        if (q < end && (text[q] == '-' || text[q] == '+' || text[q] == '*')) {
            q++;
        } else {
            while (q < end && q - p < 9 && text[q] >= '0' && text[q] <= '9')
                q++;
            if (q == p || q >= end || (text[q] != '.' && text[q] != ')'))
                break;
            q++;
        }
        if (q >= end || (text[q] != ' ' && text[q] != '\t'))
            break;
        p = q;
    }
    if (p >= end || text[p] != '[')
        return SIZE_MAX;
    bool blank = true;
    for (size_t q = p + 1; q < end; q++) {
        if (text[q] == '\\') {
            q++;
            blank = false;
        } else if (text[q] == '[') {
            return SIZE_MAX;
        } else if (text[q] == ']') {
            return !blank && q + 1 < end && text[q + 1] == ':' ? p : SIZE_MAX;
        } else if (text[q] != ' ' && text[q] != '\t') {
            blank = false;
        }
    }
    return SIZE_MAX;
}

typedef struct escaped {
    char *text;
    gk_fill *fills;
    size_t fill_count;
} escaped;

/* The text with "\" before the '[' of each definition line (not inside a placeholder's
 * figure), and the fills merged with those additions. */
static bool escape_definitions(const char *text, const gk_fill *fills, size_t fill_count,
                               escaped *out)
{
    size_t len = strlen(text), lines = 1;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n' || text[i] == '\r';
    out->text = malloc(len + lines + 1);
    out->fills = malloc((fill_count + lines + 1) * sizeof *out->fills);
    out->fill_count = 0;
    if (out->text == NULL || out->fills == NULL)
        return false;
    size_t used = 0, copied = 0, f = 0, added = 0;
    for (size_t start = 0;; start++) {
        size_t end = start + strcspn(text + start, "\r\n");
        size_t bracket = definition_bracket(text, start, end);
        for (; bracket != SIZE_MAX && f < fill_count && fills[f].at + fills[f].len <= bracket; f++) {
            out->fills[out->fill_count] = fills[f];
            out->fills[out->fill_count++].at += added;
        }
        if (bracket != SIZE_MAX && !(f < fill_count && fills[f].at <= bracket)) {
            /* the source offset of the bracket, after the fills before it */
            size_t source = f == 0 ? bracket
                                   : fills[f - 1].source + fills[f - 1].source_len +
                                         (bracket - fills[f - 1].at - fills[f - 1].len);
            memcpy(out->text + used, text + copied, bracket - copied);
            used += bracket - copied;
            copied = bracket;
            out->fills[out->fill_count++] = (gk_fill){used, 1, source, 0};
            out->text[used++] = '\\';
            added++;
        }
        start = end;
        if (start >= len)
            break;
    }
    memcpy(out->text + used, text + copied, len - copied);
    out->text[used + len - copied] = '\0';
    for (; f < fill_count; f++) {
        out->fills[out->fill_count] = fills[f];
        out->fills[out->fill_count++].at += added;
    }
    return true;
}

/* ---- the parse ------------------------------------------------------------------------------ */

static gk_status report(parse_state *st, const char *path, gk_narrative *n, gk_diag *diag)
{
    if (st->nomem)
        return gk_diag_set(diag, GK_ERR_NOMEM, path, 0, 0, "out of memory");
    if (st->refused == REFUSED_NONE)
        return GK_OK;
    gk_locator loc;
    gk_locator_init(&loc, n);
    int line, column;
    gk_locate(&loc, st->refused_at, &line, &column);
    switch (st->refused) {
    case REFUSED_HTML:
        return gk_diag_set(diag, GK_ERR_PARSE, path, line, column,
                           /* TRANSLATORS: %s is the HTML as written (<p>…</p>, <!-- -->). */
                           "expected Markdown text, found HTML '%s' (HTML is not allowed in the "
                           "narrative)", st->excerpt);
    case REFUSED_IMAGE:
        return gk_diag_set(diag, GK_ERR_PARSE, path, line, column,
                           /* TRANSLATORS: %s is the Markdown of the image, ![…](…). */
                           "expected text, found an image '%s' (the booklet prints no images)",
                           st->excerpt);
    case REFUSED_RULE:
        return gk_diag_set(diag, GK_ERR_PARSE, path, line, column,
                           /* TRANSLATORS: %s is the line as written (---, ***). */
                           "expected text, found a horizontal rule '%s' (the booklet prints no "
                           "rules)", st->excerpt);
    case REFUSED_CELLS:
        return gk_diag_set(diag, GK_ERR_PARSE, path, line, column,
                           /* TRANSLATORS: %s is the rest of the table row as written. */
                           "expected no more cells than the table's header row has, found '%s'",
                           st->excerpt);
    case REFUSED_DEPTH:
        return gk_diag_set(diag, GK_ERR_PARSE, path, line, column,
                           "expected lists and block quotes nested at most %d deep, found deeper "
                           "nesting", GK_NARRATIVE_MAX_DEPTH);
    case REFUSED_LENGTH:
        return gk_diag_set(diag, GK_ERR_PARSE, path, line, column,
                           "narrative too long (more than %d blocks or %d table cells)",
                           MAX_BLOCKS, MAX_CELLS);
    case REFUSED_OTHER:
    case REFUSED_NONE:
        break;
    }
    return gk_diag_set(diag, GK_ERR_PARSE, path, line, column,
                       /* TRANSLATORS: %s is the Markdown as written. */
                       "expected text, found Markdown the booklet cannot print: '%s'",
                       st->excerpt);
}

/* cmark-gfm registers its extensions in a global list, unguarded: two threads parsing their
 * first Markdown at once (a job's checks beside its document, export.h) could each see the
 * list half made and parse a table as text. Registered once, it is only read. */
static void register_extensions(void)
{
    cmark_gfm_core_extensions_ensure_registered();
}

static cmark_node *parse_markdown(const char *text)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, register_extensions);
    cmark_parser *parser = cmark_parser_new(CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8);
    cmark_syntax_extension *table = cmark_find_syntax_extension("table");
    if (parser == NULL || table == NULL) {
        if (parser)
            cmark_parser_free(parser);
        return NULL;
    }
    cmark_parser_attach_syntax_extension(parser, table);
    cmark_parser_feed(parser, text, strlen(text));
    cmark_node *document = cmark_parser_finish(parser);
    cmark_parser_free(parser);
    return document;
}

gk_status gk_narrative_parse_filled(const char *path, const char *source, const char *text,
                                    const gk_fill *fills, size_t fill_count, gk_arena *arena,
                                    gk_narrative *out, gk_diag *diag)
{
    memset(out, 0, sizeof *out);
    out->path = path;
    out->source = source;
    escaped esc = {0};
    parse_state st = {0};
    gk_block *blocks = gk_arena_alloc_unset(arena, MAX_BLOCKS * sizeof *blocks); /* new_block sets each */
    cmark_node *document = NULL;
    gk_status status = GK_OK;
    if (blocks == NULL || !escape_definitions(text, fills, fill_count, &esc)) {
        status = gk_diag_set(diag, GK_ERR_NOMEM, path, 0, 0, "out of memory");
        goto done;
    }
    out->text = gk_arena_strdup(arena, esc.text);
    gk_fill *kept = gk_arena_alloc(arena, (esc.fill_count + 1) * sizeof *kept);
    if (out->text == NULL || kept == NULL) {
        status = gk_diag_set(diag, GK_ERR_NOMEM, path, 0, 0, "out of memory");
        goto done;
    }
    if (esc.fill_count > 0)
        memcpy(kept, esc.fills, esc.fill_count * sizeof *kept);
    out->fills = kept;
    out->fill_count = esc.fill_count;
    st = (parse_state){.arena = arena, .text = out->text, .text_len = strlen(out->text),
                       .fills = kept, .fill_count = esc.fill_count, .blocks = blocks};
    document = parse_markdown(out->text);
    if (document == NULL || !index_lines(&st)) {
        status = gk_diag_set(diag, GK_ERR_NOMEM, path, 0, 0, "cannot start the Markdown parser");
        goto done;
    }
    walk_node(&st, document, 0, 0);
    out->blocks = blocks;
    out->count = st.count;
    status = report(&st, path, out, diag);
done:
    if (document)
        cmark_node_free(document);
    free(st.line_starts);
    free(st.spans);
    free(esc.text);
    free(esc.fills);
    return status;
}

gk_status gk_narrative_parse(const char *path, const char *markdown, gk_arena *arena,
                             gk_narrative *out, gk_diag *diag)
{
    return gk_narrative_parse_filled(path, markdown, markdown, NULL, 0, arena, out, diag);
}

/* ---- positions ------------------------------------------------------------------------------ */

size_t gk_fill_after(const gk_fill *fills, size_t count, size_t at)
{
    size_t lo = 0, hi = count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (fills[mid].at + fills[mid].len <= at)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void gk_locator_init(gk_locator *loc, const gk_narrative *narrative)
{
    *loc = (gk_locator){narrative, 0, 0, 0, 1, 1};
}

/* Moves the source cursor forward to `to`, counting lines and characters. */
static void advance_source(gk_locator *loc, size_t to)
{
    const char *s = loc->narrative->source;
    while (loc->source < to && s[loc->source]) {
        unsigned char c = (unsigned char)s[loc->source];
        if (c == '\n' || (c == '\r' && s[loc->source + 1] != '\n')) {
            loc->line++;
            loc->column = 1;
        } else if ((c & 0xC0) != 0x80 && c != '\r') {
            loc->column++;
        }
        loc->source++;
    }
}

bool gk_locate(gk_locator *loc, size_t offset, int *line, int *column)
{
    const gk_narrative *n = loc->narrative;
    if (offset < loc->at)
        gk_locator_init(loc, n); /* backwards: count again from the start */
    bool filled = false;
    for (; loc->fill < n->fill_count; loc->fill++) {
        const gk_fill *f = &n->fills[loc->fill];
        if (f->at > offset)
            break;
        advance_source(loc, loc->source + (f->at - loc->at));
        loc->at = f->at;
        if (offset < f->at + f->len) {
            filled = f->source_len > 0;
            offset = f->at; /* a fill's bytes are at its start */
            break;
        }
        advance_source(loc, f->source + f->source_len);
        loc->at = f->at + f->len;
    }
    advance_source(loc, loc->source + (offset - loc->at));
    loc->at = offset;
    *line = loc->line;
    *column = loc->column;
    return filled;
}

const char *gk_block_text(const gk_block *block, gk_arena *arena)
{
    size_t len = 0;
    for (size_t i = 0; i < block->span_count; i++)
        len += strlen(block->spans[i].text);
    char *text = gk_arena_alloc(arena, len + 1);
    if (text != NULL)
        for (size_t i = 0, used = 0; i < block->span_count; i++) {
            size_t n = strlen(block->spans[i].text);
            memcpy(text + used, block->spans[i].text, n);
            used += n;
        }
    return text;
}
