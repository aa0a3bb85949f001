/* Narrative figures: placeholders and literal figures; see figures.h. */
#include "model/figures.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input/input.h"
#include "util/grow.h"
#include "util/i18n.h"

int64_t gk_share(int64_t a, int64_t b, int decimals)
{
    if (b == 0)
        return 0;
    /* a can be 10^15 and the scale 10^8: the product needs 128 bits */
    __int128 scale = 100;
    for (int i = 0; i < decimals && i < 16; i++)
        scale *= 10;
    __int128 num = (__int128)a * scale;
    __int128 q = num / b, r = num % b;
    /* round half away from zero, in integers */
    if (r != 0 && (r < 0 ? -r : r) * 2 >= (b < 0 ? -(__int128)b : b))
        q += ((num < 0) != (b < 0)) ? -1 : 1;
    if (q > INT64_MAX || q < INT64_MIN)
        return q > 0 ? INT64_MAX : INT64_MIN;
    return (int64_t)q;
}

/* ---- placeholders --------------------------------------------------------------------- */

typedef struct growing {
    char *text;
    size_t len, capacity;
    bool failed;
} growing;

static void append(growing *g, const char *text, size_t len)
{
    if (g->len + len + 1 > g->capacity) {
        size_t bigger = (g->len + len + 1) * 2;
        char *p = realloc(g->text, bigger);
        if (p == NULL) {
            g->failed = true;
            return;
        }
        g->text = p;
        g->capacity = bigger;
    }
    memcpy(g->text + g->len, text, len);
    g->len += len;
    g->text[g->len] = '\0';
}

/* buf (n bytes, `decimals` of them after the point) trimmed of trailing zero decimals down to
 * min and padded with zeros up to min; false when more than max decimals are left (printing
 * the figure with the format would round it). */
static bool apply_format(char *buf, size_t size, size_t *n, int decimals, int min, int max)
{
    for (; decimals > min && buf[*n - 1] == '0'; decimals--)
        *n -= decimals == 1 ? 2 : 1; /* the last decimal goes with its point */
    if (decimals > max)
        return false;
    for (; decimals < min && *n + 2 < size; decimals++) {
        if (decimals == 0)
            buf[(*n)++] = '.';
        buf[(*n)++] = '0';
    }
    buf[*n] = '\0';
    return true;
}

/* An amount (scaled by 10^decimals) as the format prints it; false when it would be rounded. */
static bool append_amount(growing *g, int64_t value, int decimals, const gk_figure_format *format)
{
    char buf[64];
    size_t n = gk_decimal_format(value, decimals, buf, sizeof buf);
    if (!apply_format(buf, sizeof buf, &n, decimals, format->min_decimals,
                      format->max_decimals))
        return false;
    append(g, buf, n);
    return true;
}

/* The share a / b as a percentage: computed to the format's decimals, or by default to two,
 * a whole number without them ("56.57%", "100%"). */
static void append_percent(growing *g, int64_t a, int64_t b, const gk_figure_format *format)
{
    int max = format ? format->max_decimals : 2, min = format ? format->min_decimals : 2;
    char buf[64];
    size_t n = gk_decimal_format(gk_share(a, b, max), max, buf, sizeof buf);
    if (format == NULL && n > 3 && strcmp(buf + n - 3, ".00") == 0)
        n -= 3;
    else
        apply_format(buf, sizeof buf, &n, max, min, max); /* never rounds: max is the share's */
    buf[n++] = '%';
    append(g, buf, n);
}

typedef struct context {
    const gk_package *pkg;
    const gk_scope *scope;
    const gk_unit *unit;
    gk_arena *arena;
    int decimals;
    gk_figure_format amounts; /* the profile's for amounts */
} context;

/* A figure of a table the package does not supply would print as 0: refuse it. */
static bool query_supplied(const context *c, const gk_query *query, char *error, size_t size)
{
    for (size_t t = 0; t < query->count; t++) {
        const gk_table_layout *table = query->terms[t].table;
        for (size_t u = 0; table != NULL && u < c->scope->count; u++)
            if (gk_package_not_supplied(c->pkg, c->scope->units[u], table) != NULL) {
                snprintf(error, size,
                         _("%s is not supplied (not_supplied.csv): its figures cannot be "
                           "printed"),
                         table->number);
                return false;
            }
    }
    return true;
}

static bool query_value(const context *c, const char *text, int64_t *out, char *error, size_t size)
{
    gk_query query;
    if (!gk_query_parse(c->pkg->profile, text, c->arena, &query, error, size) ||
        !query_supplied(c, &query, error, size))
        return false;
    gk_overflow overflow;
    if (gk_query_sum(c->pkg, &query, c->scope, NULL, 0, out, &overflow))
        return true;
    gk_overflow_message(&overflow, error, size);
    return false;
}

/* Two queries joined by a word: "A of B", "A from B". */
static bool two_values(const context *c, const char *args, const char *word, int64_t *a,
                       int64_t *b, char *error, size_t size)
{
    char sep[16];
    snprintf(sep, sizeof sep, " %s ", word);
    const char *at = strstr(args, sep);
    if (at == NULL) {
        /* TRANSLATORS: a placeholder's syntax; %s is the word "of" or "from", which stays in
         * English like QUERY. */
        snprintf(error, size, _("expected 'QUERY %s QUERY'"), word);
        return false;
    }
    const char *left = gk_arena_strndup(c->arena, args, (size_t)(at - args));
    if (left == NULL) {
        snprintf(error, size, "%s", _("out of memory"));
        return false;
    }
    return query_value(c, left, a, error, size) &&
           query_value(c, at + strlen(sep), b, error, size);
}

static bool named(const char *name, size_t len, const char *expected)
{
    return len == strlen(expected) && strncmp(name, expected, len) == 0;
}

/* The format after '|' in a placeholder's body (cut off there), else the profile's for
 * amounts (format_given false); false with an error when it is not a pattern. */
static bool placeholder_format(const context *c, char *body, gk_figure_format *format,
                               bool *format_given, char *error, size_t size)
{
    char *bar = strchr(body, '|');
    *format_given = bar != NULL;
    *format = c->amounts;
    if (bar == NULL)
        return true;
    *bar = '\0';
    char *text = bar + 1, *end = text + strlen(text);
    while (*text == ' ')
        text++;
    while (end > text && end[-1] == ' ')
        *--end = '\0';
    if (gk_figure_format_parse(text, format))
        return true;
    /* TRANSLATORS: a placeholder's format, after '|' as in {{amount QUERY | 0.##}}: '0'
     * digits are always printed, '#' digits only when not zero. */
    snprintf(error, size, _("expected a format such as 0.00 or 0.## after '|', found '%s'"), text);
    return false;
}

/* An amount as the placeholder's format prints it, or an error when that would round it. */
static bool amount(const context *c, growing *g, int64_t value, const gk_figure_format *format,
                   bool format_given, char *error, size_t size)
{
    if (append_amount(g, value, c->decimals, format))
        return true;
    char figure[64];
    gk_decimal_format(value, c->decimals, figure, sizeof figure);
    if (format_given)
        /* TRANSLATORS: %s: a format (0.#), then an amount (294.28); %d its decimals. */
        snprintf(error, size, _("the format '%s' would round %s (expected a format with %d "
                                "decimal places)"), format->pattern, figure, c->decimals);
    else
        /* TRANSLATORS: narrative_amount_format and booklet.yaml are names to keep; %s: a
         * format (0.#), then an amount (294.28); %d its decimals. */
        snprintf(error, size, _("the profile's narrative_amount_format '%s' would round %s "
                                "(expected a format with %d decimal places after '|')"),
                 format->pattern, figure, c->decimals);
    return false;
}

static bool render_placeholder(const context *c, char *body, growing *g, char *error,
                               size_t size)
{
    gk_figure_format format;
    bool format_given;
    if (!placeholder_format(c, body, &format, &format_given, error, size))
        return false;
    char *name = body;
    while (*name == ' ')
        name++;
    size_t n = strcspn(name, " ");
    char *args = name + n, *end = args + strlen(args);
    while (*args == ' ')
        args++;
    while (end > args && end[-1] == ' ')
        *--end = '\0';
    int64_t a = 0, b = 0;
    if (format_given && (named(name, n, "year") || named(name, n, "unit") ||
                         named(name, n, "prior_year"))) {
        /* TRANSLATORS: amount, share, change and rate are placeholder names: keep them. */
        snprintf(error, size, "%s", _("a format after '|' applies to amount, share, change and "
                                      "rate only"));
        return false;
    }
    if (named(name, n, "year") || named(name, n, "unit")) {
        const char *text = name[0] == 'y' ? c->unit->year : c->unit->name;
        append(g, text, strlen(text));
    } else if (named(name, n, "prior_year")) {
        char buf[16];
        snprintf(buf, sizeof buf, "%d", atoi(c->unit->year) - 1);
        append(g, buf, strlen(buf));
    } else if (named(name, n, "amount")) {
        if (!query_value(c, args, &a, error, size))
            return false;
        return amount(c, g, a, &format, format_given, error, size);
    } else if (named(name, n, "share")) {
        if (!two_values(c, args, "of", &a, &b, error, size))
            return false;
        if (b == 0) { /* a share of nothing is not 0%: the text would say something false */
            snprintf(error, size, "%s", _("a share of a zero total"));
            return false;
        }
        append_percent(g, a, b, format_given ? &format : NULL);
    } else if (named(name, n, "change") || named(name, n, "rate")) {
        if (!two_values(c, args, "from", &a, &b, error, size))
            return false;
        int64_t d = a - b;
        bool is_amount = name[0] == 'c';
        const char *unit = c->pkg->profile->amount_unit; /* what the tables' amounts are in */
        if (d == 0) {
            append(g, "持平", strlen("持平"));
        } else if (b == 0) { /* a zero base is new, not a growth of 100% */
            append(g, "新增", strlen("新增"));
            if (is_amount && !amount(c, g, a, &format, format_given, error, size))
                return false;
            if (is_amount)
                append(g, unit, strlen(unit));
        } else if (is_amount) {
            append(g, d > 0 ? "增加" : "减少", strlen("增加"));
            if (!amount(c, g, d > 0 ? d : -d, &format, format_given, error, size))
                return false;
            append(g, unit, strlen(unit));
        } else {
            append(g, d > 0 ? "增长" : "下降", strlen("增长"));
            append_percent(g, d > 0 ? d : -d, b < 0 ? -b : b, format_given ? &format : NULL);
        }
    } else {
        /* TRANSLATORS: amount, share, change, rate, year, prior_year and unit are the
         * placeholder names users type: keep them. */
        snprintf(error, size, _("unknown placeholder '%.*s' (expected amount, share, change, "
                                "rate, year, prior_year or unit)"), (int)n, name);
        return false;
    }
    return true;
}

/* Line and column (in characters) of an offset in a text, counted on from the previous
 * offset asked for (offsets only grow): a text's placeholders are placed in one pass. */
typedef struct position {
    const char *text;
    size_t offset;
    int line, column;
} position;

static void position_at(position *p, size_t offset)
{
    for (; p->offset < offset; p->offset++, gk_steps++) {
        unsigned char ch = (unsigned char)p->text[p->offset];
        if (ch == '\n') {
            p->line++;
            p->column = 1;
        } else if ((ch & 0xC0) != 0x80) {
            p->column++;
        }
    }
}

/* Where each placeholder's figure went, growing. */
typedef struct fill_list {
    gk_fill *items;
    size_t count, capacity;
    bool failed;
} fill_list;

static void add_fill(fill_list *l, gk_fill fill)
{
    if (!gk_grow((void **)&l->items, &l->capacity, l->count, sizeof *l->items, 16)) {
        l->failed = true;
        return;
    }
    l->items[l->count++] = fill;
}

gk_status gk_figures_expand(const gk_package *pkg, const gk_scope *scope, const gk_unit *unit,
                            const char *path, const char *markdown, gk_arena *arena,
                            const char **out, const gk_fill **fills, size_t *fill_count,
                            gk_diag *diag)
{
    const gk_profile *profile = pkg->profile;
    context c = {pkg, scope, unit, arena, profile->amount_decimals, profile->narrative_amounts};
    if (c.amounts.pattern == NULL)
        c.amounts = (gk_figure_format){NULL, c.decimals, c.decimals};
    growing g = {0};
    fill_list list = {0};
    const char *p = markdown;
    position at_open = {markdown, 0, 1, 1};
    gk_status status = GK_OK;
    append(&g, "", 0);
    for (const char *open = strstr(p, "{{"); open != NULL; open = strstr(p, "{{")) {
        append(&g, p, (size_t)(open - p));
        const char *close = strstr(open, "}}");
        position_at(&at_open, (size_t)(open - markdown));
        int line = at_open.line, column = at_open.column;
        if (close == NULL) {
            status = gk_diag_set(diag, GK_ERR_DATA, path, line, column, "unclosed '{{'");
            break;
        }
        const char *body = gk_arena_strndup(arena, open + 2, (size_t)(close - open - 2));
        char *parts = body ? gk_arena_strdup(arena, body) : NULL; /* cut up while read */
        char error[512] = "";
        if (parts == NULL) {
            g.failed = true;
            break;
        }
        size_t at = g.len;
        if (!render_placeholder(&c, parts, &g, error, sizeof error)) {
            /* TRANSLATORS: {{%s}} is the placeholder as written; the second %s says what is
             * wrong with it. */
            status = gk_diag_set(diag, GK_ERR_DATA, path, line, column, "placeholder {{%s}}: %s",
                                 body, error);
            break;
        }
        add_fill(&list, (gk_fill){at, g.len - at, (size_t)(open - markdown),
                                  (size_t)(close + 2 - open)});
        p = close + 2;
    }
    append(&g, p, strlen(p));
    gk_fill *kept = status == GK_OK ? gk_arena_alloc(arena, (list.count + 1) * sizeof *kept)
                                    : NULL;
    if (status == GK_OK && (g.failed || list.failed || kept == NULL ||
                            (*out = gk_arena_strndup(arena, g.text, g.len)) == NULL))
        status = gk_diag_set(diag, GK_ERR_NOMEM, path, 0, 0, "out of memory");
    if (status == GK_OK) {
        if (list.count > 0)
            memcpy(kept, list.items, list.count * sizeof *kept);
        *fills = kept;
        *fill_count = list.count;
    }
    free(list.items);
    free(g.text);
    return status;
}

gk_status gk_figures_narrative(const gk_package *pkg, const gk_scope *scope,
                               const gk_unit *unit, const char *path, const char *markdown,
                               gk_arena *arena, gk_narrative *out, gk_diag *diag)
{
    const char *text = NULL;
    const gk_fill *fills = NULL;
    size_t fill_count = 0;
    gk_status status = gk_figures_expand(pkg, scope, unit, path, markdown, arena, &text, &fills,
                                         &fill_count, diag);
    if (status != GK_OK) {
        memset(out, 0, sizeof *out);
        out->path = path;
        out->source = markdown;
        return status;
    }
    return gk_narrative_parse_filled(path, markdown, text, fills, fill_count, arena, out, diag);
}

/* ---- figures as printed ------------------------------------------------------------------ */

size_t gk_utf8_next(const char *t, size_t n, size_t i, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)t;
    size_t len = u[i] < 0x80 ? 1 : u[i] < 0xE0 ? 2 : u[i] < 0xF0 ? 3 : 4;
    if (i + len > n)
        len = n - i;
    uint32_t c = len == 1 ? u[i] : len == 2 ? u[i] & 0x1Fu : len == 3 ? u[i] & 0x0Fu : u[i] & 0x07u;
    for (size_t k = 1; k < len; k++)
        c = (c << 6) | (u[i + k] & 0x3Fu);
    *cp = c;
    return len;
}

/* The start of the character before byte i (> 0). */
static size_t char_before(const char *t, size_t i)
{
    do
        i--;
    while (i > 0 && ((unsigned char)t[i] & 0xC0) == 0x80);
    return i;
}

/* 0–9 for an ASCII or full-width digit, else -1. */
static int digit_value(uint32_t cp)
{
    if (cp >= '0' && cp <= '9')
        return (int)(cp - '0');
    if (cp >= 0xFF10 && cp <= 0xFF19) /* ０–９ */
        return (int)(cp - 0xFF10);
    return -1;
}

static bool is_point(uint32_t cp)
{
    return cp == '.' || cp == 0xFF0E; /* ． */
}

static bool is_comma(uint32_t cp)
{
    return cp == ',' || cp == 0xFF0C; /* ， */
}

static bool is_minus(uint32_t cp)
{
    return cp == '-' || cp == 0xFF0D || cp == 0x2212; /* － − */
}

/* Characters that print nothing: zero-width ones, the word joiner, a soft hyphen, a BOM. */
static bool is_invisible(uint32_t cp)
{
    return cp == 0xAD || (cp >= 0x200B && cp <= 0x200D) || cp == 0x2060 || cp == 0xFEFF;
}

/* Spaces of any kind and a line break. */
static bool is_space(uint32_t cp)
{
    return cp == ' ' || cp == '\t' || cp == '\n' || cp == 0xA0 || cp == 0x1680 ||
           (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

/* What a reader does not see between a number and its unit. */
static bool is_gap(uint32_t cp)
{
    return is_space(cp) || is_invisible(cp);
}

static bool is_letter_or_digit(uint32_t cp)
{
    return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || digit_value(cp) >= 0;
}

/* Where a sentence ends. */
static bool ends_sentence(uint32_t cp)
{
    return cp == 0x3002 || cp == 0xFF1B || cp == 0xFF01 || cp == 0xFF1F || cp == ';' ||
           cp == '!' || cp == '?'; /* 。；！？ */
}

/* What ends the words before a figure: punctuation (ASCII, CJK, full-width, quotes, dashes),
 * digits and spaces. */
static bool ends_label(uint32_t cp)
{
    return cp < 0x80 ? !((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z'))
                     : is_gap(cp) || digit_value(cp) >= 0 || (cp >= 0x2010 && cp <= 0x206F) ||
                           (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFF01 && cp <= 0xFF20) ||
                           (cp >= 0xFF3B && cp <= 0xFF40) || (cp >= 0xFF5B && cp <= 0xFF65);
}

enum {
    LABEL_CHARS = 24,     /* characters of the words before a figure kept as its label */
    ROW_LABEL_BYTES = 96  /* bytes of a table row's first cell kept as a label */
};

/* The text of one run of spans (a paragraph, a heading, a table cell), joined. */
typedef struct joined {
    char *text;
    size_t len, capacity;
    size_t *starts; /* span i begins at starts[i] */
    size_t start_capacity;
    char *plain;    /* the current number in ASCII */
    size_t plain_capacity;
} joined;

static bool join_spans(joined *j, const gk_span *spans, size_t count)
{
    size_t total = 0;
    for (size_t i = 0; i < count; i++)
        total += strlen(spans[i].text);
    if (!gk_reserve((void **)&j->text, &j->capacity, total + 1, 1))
        return false;
    if (count + 1 > j->start_capacity) {
        size_t *p = realloc(j->starts, (count + 1) * 2 * sizeof *p);
        if (p == NULL)
            return false;
        j->starts = p;
        j->start_capacity = (count + 1) * 2;
    }
    j->len = 0;
    for (size_t i = 0; i < count; i++) {
        size_t n = strlen(spans[i].text);
        j->starts[i] = j->len;
        memcpy(j->text + j->len, spans[i].text, n);
        j->len += n;
    }
    j->starts[count] = j->len;
    j->text[j->len] = '\0';
    return true;
}

/* A figure of the run being scanned: its strings as offsets into the run's string buffer
 * (which grows) until the run is handed over. */
typedef struct pending {
    gk_literal literal;
    size_t text, plain, label, words, placeholder; /* offsets; placeholder SIZE_MAX: typed */
} pending;

typedef struct scanner {
    const gk_narrative *narrative;
    gk_locator locator;
    const gk_span *spans;
    size_t span_count;
    joined j;
    size_t sentence;       /* of the run */
    size_t sentence_from;  /* where the sentence began in the joined text */
    size_t figure_end;     /* where the figure before ended (0: none in these spans) */
    const char *row_label; /* a table row's first cell, for figures of its other cells */
    bool after_year;       /* the number before is a year (2025) */
    pending *found;        /* the run's figures */
    size_t found_count, found_capacity;
    char *strings;         /* their strings, each NUL-terminated */
    size_t strings_len, strings_capacity;
    gk_literal *literals;  /* handed to fn */
    size_t literal_capacity;
    gk_run_fn fn;
    void *context;
} scanner;

/* The span holding byte i of the joined text. */
static size_t span_at(const scanner *s, size_t i)
{
    size_t lo = 0, hi = s->span_count;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (s->j.starts[mid] <= i)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* The parsed-text offset of byte i of the joined text. */
static size_t parsed_offset(const scanner *s, size_t span, size_t i)
{
    const gk_span *sp = &s->spans[span];
    return sp->source + (sp->verbatim ? i - s->j.starts[span] : 0);
}

/* Whether byte i of the joined text is a line break of the Markdown (a space or a line feed
 * the parser added for it), not a space typed or written as an entity. */
static bool line_break_at(const scanner *s, size_t i)
{
    const gk_span *sp = &s->spans[span_at(s, i)];
    return !sp->verbatim && (strcmp(sp->text, " ") == 0 || strcmp(sp->text, "\n") == 0) &&
           s->narrative->text[sp->source] != '&';
}

/* From byte i, past what a reader reads through inside a number: invisible characters and
 * line breaks. */
static size_t skip_unseen(const scanner *s, size_t i)
{
    const joined *j = &s->j;
    while (i < j->len) {
        uint32_t cp;
        size_t len = gk_utf8_next(j->text, j->len, i, &cp);
        if (!is_invisible(cp) && !((cp == ' ' || cp == '\n') && line_break_at(s, i)))
            break;
        i += len;
    }
    return i;
}

/* The character at byte i (0 at the end), its length in *len. */
static uint32_t char_at(const joined *j, size_t i, size_t *len)
{
    uint32_t cp = 0;
    *len = i < j->len ? gk_utf8_next(j->text, j->len, i, &cp) : 0;
    return cp;
}

/* Whether three digits, and no fourth, start at byte i (unseen characters read through):
 * a group of thousands after a space. */
static bool group_of_three(const scanner *s, size_t i)
{
    for (int d = 0; d < 4; d++) {
        size_t len;
        i = skip_unseen(s, i);
        bool digit = digit_value(char_at(&s->j, i, &len)) >= 0;
        if (digit != (d < 3))
            return false;
        i += len;
    }
    return true;
}

/* A number read at the start of a figure. */
typedef struct number {
    size_t end;           /* byte after it */
    uint32_t last;        /* its last character */
    int64_t value;
    int decimals;
    bool exact, grouping_ok;
} number;

/* What follows the digits read so far at byte i, when the number goes on: the byte of the
 * next digit, 0 when it ends. A point or a comma followed by a digit goes on; so do spaces
 * before a group of three digits (1 294.28) when the digits so far can be a group; so does
 * anything a reader reads through. */
static size_t number_goes_on(scanner *s, size_t i, bool fraction, bool grouped, size_t group,
                             uint32_t *separator)
{
    size_t len, k = skip_unseen(s, i);
    uint32_t cp = char_at(&s->j, k, &len);
    *separator = 0;
    if (digit_value(cp) >= 0)
        return k;
    if (is_point(cp) || is_comma(cp)) {
        size_t after = skip_unseen(s, k + len), next_len;
        if (digit_value(char_at(&s->j, after, &next_len)) < 0 || fraction)
            return 0;
        *separator = cp;
        return after;
    }
    if (!is_space(cp) || fraction || (grouped ? group != 3 : group > 3))
        return 0;
    size_t after = k;
    while (after < s->j.len && is_gap(char_at(&s->j, after, &len)))
        after += len;
    if (!group_of_three(s, after))
        return 0;
    *separator = ' ';
    return skip_unseen(s, after);
}

/* Reads digits with ',' groups and '.' decimals from i (a digit); writes the ASCII form. */
static bool read_number(scanner *s, size_t i, bool negative, number *out)
{
    joined *j = &s->j;
    *out = (number){.exact = true, .grouping_ok = true};
    size_t plain = 0, digits = 0, group = 0;
    bool fraction = false, grouped = false;
    if (!gk_reserve((void **)&j->plain, &j->plain_capacity, 2, 1))
        return false;
    if (negative)
        j->plain[plain++] = '-';
    for (;;) {
        uint32_t cp;
        size_t len = gk_utf8_next(j->text, j->len, i, &cp);
        int d = digit_value(cp);
        if (!gk_reserve((void **)&j->plain, &j->plain_capacity, plain + 3, 1))
            return false;
        j->plain[plain++] = (char)('0' + d);
        if (++digits > 18)
            out->exact = false;
        else
            out->value = out->value * 10 + d;
        out->decimals += fraction;
        group += !fraction;
        i += len;
        out->end = i;
        out->last = cp;
        uint32_t separator;
        size_t next = number_goes_on(s, i, fraction, grouped, group, &separator);
        if (next == 0)
            break;
        if (is_point(separator)) {
            if (grouped && group != 3)
                out->grouping_ok = false;
            fraction = true;
            j->plain[plain++] = '.';
        } else if (separator != 0) {
            if ((grouped && group != 3) || (!grouped && group > 3))
                out->grouping_ok = false;
            grouped = true;
            group = 0;
        }
        i = next;
    }
    if (grouped && !fraction && group != 3)
        out->grouping_ok = false;
    j->plain[plain] = '\0';
    if (negative)
        out->value = -out->value;
    return true;
}

/* From byte i, past spaces and invisible characters. */
static size_t skip_gaps(const joined *j, size_t i)
{
    size_t len;
    while (i < j->len && is_gap(char_at(j, i, &len)))
        i += len;
    return i;
}

/* The unit after a number (spaces skipped): the byte after it, or 0 when there is none. */
static size_t unit_after(const joined *j, size_t i, bool *percent, int *power)
{
    size_t len;
    i = skip_gaps(j, i);
    uint32_t cp = char_at(j, i, &len);
    if (cp == '%' || cp == 0xFF05) { /* % ％ */
        *percent = true;
        *power = 0;
        return i + len;
    }
    int p = cp == 0x4E07 ? 4 : cp == 0x4EBF ? 8 : 0; /* 万 亿 */
    if (p != 0) {
        i = skip_gaps(j, i + len);
        cp = char_at(j, i, &len);
    }
    if (cp != 0x5143) /* 元 */
        return 0;
    *percent = false;
    *power = p;
    return i + len;
}

/* Whether the number at bytes [start, end) of the joined text, which has no unit, is a share
 * whose % is missing: right after 占 and before punctuation or the end (占 76.23;), not before
 * words (占 3 个). */
static bool share_without_percent(const joined *j, size_t start, size_t end)
{
    size_t len, i = start;
    while (i > 0 && is_gap(char_at(j, char_before(j->text, i), &len)))
        i = char_before(j->text, i);
    if (i == 0 || char_at(j, char_before(j->text, i), &len) != 0x5360) /* 占 */
        return false;
    i = skip_gaps(j, end);
    if (i >= j->len)
        return true;
    uint32_t cp = char_at(j, i, &len);
    return ends_sentence(cp) || cp == ',' || cp == 0xFF0C || cp == 0x3001; /* ，、 */
}

/* The placeholder that printed bytes [from, to) of the joined text whole, or NULL. */
static const gk_fill *printed_by_placeholder(const scanner *s, size_t from, size_t to)
{
    const gk_narrative *n = s->narrative;
    const gk_fill *fill = NULL;
    for (size_t span = span_at(s, from); span < s->span_count && s->j.starts[span] < to; span++) {
        size_t a = from > s->j.starts[span] ? from : s->j.starts[span];
        size_t b = to < s->j.starts[span + 1] ? to : s->j.starts[span + 1];
        if (a >= b)
            continue;
        size_t first = parsed_offset(s, span, a), last = parsed_offset(s, span, b - 1);
        if (fill == NULL) {
            size_t i = gk_fill_after(n->fills, n->fill_count, first);
            if (i == n->fill_count || n->fills[i].source_len == 0)
                return NULL;
            fill = &n->fills[i];
        }
        if (first < fill->at || last >= fill->at + fill->len)
            return NULL;
    }
    return fill;
}

/* Adds len bytes of text and a NUL to the run's strings; SIZE_MAX when out of memory. */
static size_t keep_string(scanner *s, const char *text, size_t len)
{
    if (!gk_reserve((void **)&s->strings, &s->strings_capacity, s->strings_len + len + 1, 1))
        return SIZE_MAX;
    size_t at = s->strings_len;
    memcpy(s->strings + at, text, len);
    s->strings[at + len] = '\0';
    s->strings_len += len + 1;
    return at;
}

/* The words right before byte `start` of the joined text, after byte `floor` (the end of the
 * number or figure before): back over spaces and one colon, then up to LABEL_CHARS characters
 * that end no label. */
static void label_before(const scanner *s, size_t floor, size_t start, size_t *from, size_t *to)
{
    const joined *j = &s->j;
    size_t i = start, len;
    while (i > floor && is_gap(char_at(j, char_before(j->text, i), &len)))
        i = char_before(j->text, i);
    uint32_t cp = i > floor ? char_at(j, char_before(j->text, i), &len) : 0;
    if (cp == 0xFF1A || cp == ':') /* ： */
        i = char_before(j->text, i);
    while (i > floor && is_gap(char_at(j, char_before(j->text, i), &len)))
        i = char_before(j->text, i);
    *to = i;
    for (int n = 0; i > floor && n < LABEL_CHARS; n++) {
        size_t before = char_before(j->text, i);
        if (ends_label(char_at(j, before, &len)))
            break;
        i = before;
    }
    /* after a year (2025 年收入预算 294.28 万元) the label is what follows 年 */
    if (s->after_year && skip_gaps(j, floor) == i && *to - i > strlen("年") &&
        strncmp(j->text + i, "年", strlen("年")) == 0)
        i += strlen("年");
    *from = i;
}

/* Copies bytes [from, to) of the joined text to out without what a reader reads through
 * inside a number (invisible characters, line breaks); returns the bytes copied. */
static size_t seen_only(const scanner *s, char *out, size_t from, size_t to)
{
    size_t n = 0;
    for (size_t i = from; i < to;) {
        size_t next = skip_unseen(s, i);
        if (next == i) {
            size_t len;
            char_at(&s->j, i, &len);
            memcpy(out + n, s->j.text + i, len);
            n += len;
            next = i + len;
        }
        i = next;
    }
    return n;
}

/* The text of the figure's sentence since the figure before it, up to its start: its last
 * GK_WORDS_CHARS characters. */
static void words_before(const scanner *s, size_t start, size_t *from)
{
    size_t floor = s->sentence_from > s->figure_end ? s->sentence_from : s->figure_end;
    size_t i = start;
    for (int n = 0; i > floor && n < GK_WORDS_CHARS; n++)
        i = char_before(s->j.text, i);
    *from = i;
}

static bool emit(scanner *s, size_t floor, size_t start, const number *num, size_t unit_start,
                 size_t unit_end, bool percent, int power, const gk_fill *fill)
{
    if (!gk_grow((void **)&s->found, &s->found_capacity, s->found_count, sizeof *s->found, 16))
        return false;
    pending *p = &s->found[s->found_count];
    size_t number_len = num->end - start, unit_len = unit_end - unit_start;
    size_t label_from, label_to;
    label_before(s, floor, start, &label_from, &label_to);
    const char *label = s->j.text + label_from;
    size_t label_len = label_to - label_from;
    if (label_len == 0 && s->row_label != NULL) {
        label = s->row_label;
        label_len = strlen(label);
    }
    p->text = keep_string(s, s->j.text + start, number_len + unit_len);
    if (p->text != SIZE_MAX) { /* as a reader sees it: nothing read through, no gap */
        number_len = seen_only(s, s->strings + p->text, start, num->end);
        memcpy(s->strings + p->text + number_len, s->j.text + unit_start, unit_len);
        s->strings[p->text + number_len + unit_len] = '\0';
    }
    p->plain = keep_string(s, s->j.plain, strlen(s->j.plain));
    p->label = keep_string(s, label, label_len);
    size_t words_from;
    words_before(s, start, &words_from);
    const char *words = s->j.text + words_from;
    size_t words_len = start - words_from;
    if (words_len == 0 && s->row_label != NULL) {
        words = s->row_label;
        words_len = strlen(words);
    }
    p->words = keep_string(s, words, words_len);
    p->placeholder = fill == NULL ? SIZE_MAX
                                  : keep_string(s, s->narrative->source + fill->source,
                                                fill->source_len);
    if (p->text == SIZE_MAX || p->plain == SIZE_MAX || p->label == SIZE_MAX ||
        p->words == SIZE_MAX || (fill != NULL && p->placeholder == SIZE_MAX))
        return false;
    p->literal = (gk_literal){.percent = percent, .power = power,
                              .grouping_ok = num->grouping_ok, .exact = num->exact,
                              .value = num->value, .decimals = num->decimals,
                              .number_len = number_len, .sentence = s->sentence};
    gk_locate(&s->locator, parsed_offset(s, span_at(s, start), start), &p->literal.line,
              &p->literal.column);
    s->found_count++;
    return true;
}

/* Finds the figures of one stretch of spans (a paragraph, a heading, a table cell). */
static bool scan_spans(scanner *s, const gk_span *spans, size_t count)
{
    s->spans = spans;
    s->span_count = count;
    if (!join_spans(&s->j, spans, count))
        return false;
    const joined *j = &s->j;
    uint32_t prev = 0, before_prev = 0;
    size_t prev_at = 0, floor = 0; /* floor: where the number or figure before ends */
    s->after_year = false;
    s->sentence_from = 0;
    s->figure_end = 0;
    for (size_t i = 0; i < j->len;) {
        uint32_t cp;
        size_t len = gk_utf8_next(j->text, j->len, i, &cp);
        if (digit_value(cp) < 0) {
            if (ends_sentence(cp)) {
                s->sentence++;
                s->sentence_from = i + len;
            }
            before_prev = prev;
            prev = cp;
            prev_at = i;
            i += len;
            continue;
        }
        /* a minus right before the digits is the number's sign, not a hyphen (2024-2025) */
        bool negative = is_minus(prev) && !is_letter_or_digit(before_prev);
        size_t start = negative ? prev_at : i;
        number num;
        if (!read_number(s, i, negative, &num))
            return false;
        bool percent = false;
        int power = 0;
        size_t unit_end = unit_after(j, num.end, &percent, &power);
        bool share_without_sign = unit_end == 0 && share_without_percent(j, start, num.end);
        if (share_without_sign) { /* 占 76.23; read as 76.23% */
            percent = true;
            unit_end = num.end;
        }
        if (unit_end != 0) {
            size_t unit_start = share_without_sign ? num.end : skip_gaps(j, num.end);
            if (!emit(s, floor, start, &num, unit_start, unit_end, percent, power,
                      printed_by_placeholder(s, start, num.end)))
                return false;
            s->found[s->found_count - 1].literal.percent_sign_missing = share_without_sign;
            s->figure_end = unit_end;
        }
        prev = num.last;
        before_prev = 0;
        i = num.end;
        floor = unit_end != 0 ? unit_end : num.end;
        s->after_year = unit_end == 0 && num.exact && num.decimals == 0 && num.grouping_ok &&
                        num.value >= 1900 && num.value <= 2999 && num.end - start == 4;
    }
    return true;
}

/* Hands the run's figures to fn, their strings in place. */
static bool hand_over(scanner *s)
{
    if (s->found_count == 0)
        return true;
    if (s->found_count > s->literal_capacity) {
        gk_literal *bigger = realloc(s->literals, s->found_count * 2 * sizeof *bigger);
        if (bigger == NULL)
            return false;
        s->literals = bigger;
        s->literal_capacity = s->found_count * 2;
    }
    for (size_t i = 0; i < s->found_count; i++) {
        const pending *p = &s->found[i];
        gk_literal *lit = &s->literals[i];
        *lit = p->literal;
        lit->text = s->strings + p->text;
        lit->plain = s->strings + p->plain;
        lit->label = s->strings + p->label;
        lit->words = s->strings + p->words;
        lit->placeholder = p->placeholder == SIZE_MAX ? NULL : s->strings + p->placeholder;
    }
    s->fn(s->literals, s->found_count, s->context);
    s->found_count = 0;
    s->strings_len = 0;
    return true;
}

/* The first cell of a table row, cut to ROW_LABEL_BYTES (whole characters), for the figures
 * of the row's other cells. */
static const char *row_label(char *buf, const char *cell)
{
    size_t n = strlen(cell);
    if (n >= ROW_LABEL_BYTES) {
        n = ROW_LABEL_BYTES - 1;
        while (n > 0 && ((unsigned char)cell[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(buf, cell, n);
    buf[n] = '\0';
    return buf;
}

/* One block: a text block's spans, or a table cell after cell, each row a sentence (or more,
 * when a cell ends sentences: the cells after it, and the row after, start past the last of
 * them, so that sentences never go back). */
static bool scan_block(scanner *s, const gk_block *block)
{
    s->sentence = 0;
    s->row_label = NULL;
    if (block->kind != GK_BLOCK_TABLE)
        return scan_spans(s, block->spans, block->span_count) && hand_over(s);
    char label[ROW_LABEL_BYTES];
    size_t row_sentence = 0;
    for (size_t r = 0; r < block->rows; r++) {
        size_t row_end = row_sentence;
        for (size_t c = 0; c < block->cols; c++) {
            size_t cell = r * block->cols + c;
            s->sentence = row_end;
            s->row_label = c > 0 ? row_label(label, block->cells[r * block->cols]) : NULL;
            if (!scan_spans(s, block->spans + block->cell_spans[cell],
                            block->cell_spans[cell + 1] - block->cell_spans[cell]))
                return false;
            row_end = s->sentence > row_end ? s->sentence : row_end;
        }
        row_sentence = row_end + 1;
    }
    s->row_label = NULL;
    return hand_over(s);
}

bool gk_figures_scan(const gk_narrative *narrative, gk_run_fn fn, void *context)
{
    scanner s = {.narrative = narrative, .fn = fn, .context = context};
    gk_locator_init(&s.locator, narrative);
    bool ok = true;
    for (size_t b = 0; ok && b < narrative->count; b++)
        ok = scan_block(&s, &narrative->blocks[b]);
    free(s.j.text);
    free(s.j.starts);
    free(s.j.plain);
    free(s.found);
    free(s.strings);
    free(s.literals);
    return ok;
}
