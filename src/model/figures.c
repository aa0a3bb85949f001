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
        if (d == 0) {
            append(g, "持平", strlen("持平"));
        } else if (b == 0) { /* a zero base is new, not a growth of 100% */
            append(g, "新增", strlen("新增"));
            if (is_amount && !amount(c, g, a, &format, format_given, error, size))
                return false;
            if (is_amount)
                append(g, "万元", strlen("万元"));
        } else if (is_amount) {
            append(g, d > 0 ? "增加" : "减少", strlen("增加"));
            if (!amount(c, g, d > 0 ? d : -d, &format, format_given, error, size))
                return false;
            append(g, "万元", strlen("万元"));
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

/* Decodes the UTF-8 character at i (the text is valid UTF-8); returns its length. */
static size_t decode(const char *t, size_t n, size_t i, uint32_t *cp)
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

static bool is_minus(uint32_t cp)
{
    return cp == '-' || cp == 0xFF0D || cp == 0x2212; /* － − */
}

/* What a reader does not see between a number and its unit: spaces of any kind, invisible
 * format characters and a line break. */
static bool is_gap(uint32_t cp)
{
    return cp == ' ' || cp == '\t' || cp == '\n' || cp == 0xA0 || cp == 0xAD || cp == 0x1680 ||
           (cp >= 0x2000 && cp <= 0x200D) || cp == 0x202F || cp == 0x205F || cp == 0x2060 ||
           cp == 0x3000 || cp == 0xFEFF;
}

static bool is_letter_or_digit(uint32_t cp)
{
    return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || digit_value(cp) >= 0;
}

/* The text of one run of spans (a paragraph, a heading, a table cell), joined. */
typedef struct joined {
    char *text;
    size_t len, capacity;
    size_t *starts; /* span i begins at starts[i] */
    size_t start_capacity;
    char *plain;    /* the current number in ASCII */
    size_t plain_capacity;
} joined;

static bool reserve(char **buf, size_t *capacity, size_t need)
{
    if (need <= *capacity)
        return true;
    size_t bigger = need * 2;
    char *p = realloc(*buf, bigger);
    if (p == NULL)
        return false;
    *buf = p;
    *capacity = bigger;
    return true;
}

static bool join_spans(joined *j, const gk_span *spans, size_t count)
{
    size_t total = 0;
    for (size_t i = 0; i < count; i++)
        total += strlen(spans[i].text);
    if (!reserve(&j->text, &j->capacity, total + 1))
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

/* A number read at the start of a figure. */
typedef struct number {
    size_t end;           /* byte after it */
    uint32_t last;        /* its last character */
    int64_t value;
    int decimals;
    bool exact, grouping_ok;
} number;

/* Reads digits with ',' groups and '.' decimals from i (a digit); writes the ASCII form. */
static bool read_number(joined *j, size_t i, bool negative, number *out)
{
    *out = (number){.exact = true, .grouping_ok = true};
    size_t plain = 0, digits = 0, group = 0;
    bool fraction = false, grouped = false;
    if (!reserve(&j->plain, &j->plain_capacity, 2))
        return false;
    if (negative)
        j->plain[plain++] = '-';
    for (;;) {
        uint32_t cp;
        size_t len = decode(j->text, j->len, i, &cp);
        int d = digit_value(cp);
        if (d >= 0) {
            if (!reserve(&j->plain, &j->plain_capacity, plain + 3))
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
            continue;
        }
        uint32_t next = 0;
        if (i + len < j->len)
            decode(j->text, j->len, i + len, &next);
        if (digit_value(next) < 0)
            break;
        if (is_point(cp) && !fraction) {
            if (grouped && group != 3)
                out->grouping_ok = false;
            fraction = true;
            j->plain[plain++] = '.';
        } else if (cp == ',' && !fraction) {
            if ((grouped && group != 3) || (!grouped && group > 3))
                out->grouping_ok = false;
            grouped = true;
            group = 0;
        } else {
            break;
        }
        i += len;
    }
    if (grouped && !fraction && group != 3)
        out->grouping_ok = false;
    j->plain[plain] = '\0';
    if (negative)
        out->value = -out->value;
    return true;
}

/* The unit after a number (spaces skipped): the byte after it, or 0 when there is none. */
static size_t unit_after(const joined *j, size_t i, bool *percent)
{
    uint32_t cp;
    while (i < j->len && (decode(j->text, j->len, i, &cp), is_gap(cp)))
        i += decode(j->text, j->len, i, &cp);
    if (i >= j->len)
        return 0;
    size_t len = decode(j->text, j->len, i, &cp);
    if (cp == '%' || cp == 0xFF05) { /* % ％ */
        *percent = true;
        return i + len;
    }
    if (cp != 0x4E07) /* 万 */
        return 0;
    i += len;
    while (i < j->len && (decode(j->text, j->len, i, &cp), is_gap(cp)))
        i += decode(j->text, j->len, i, &cp);
    if (i >= j->len || (len = decode(j->text, j->len, i, &cp), cp != 0x5143)) /* 元 */
        return 0;
    *percent = false;
    return i + len;
}

typedef struct scanner {
    const gk_narrative *narrative;
    gk_locator locator;
    const gk_span *spans;
    size_t span_count;
    joined j;
    gk_literal_fn fn;
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

/* Whether one placeholder printed bytes [from, to) of the joined text whole. */
static bool printed_by_placeholder(const scanner *s, size_t from, size_t to)
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
                return false;
            fill = &n->fills[i];
        }
        if (first < fill->at || last >= fill->at + fill->len)
            return false;
    }
    return fill != NULL;
}

static bool emit(scanner *s, size_t start, const number *num, size_t unit_start, size_t unit_end,
                 bool percent)
{
    size_t number_len = num->end - start, unit_len = unit_end - unit_start;
    char *text = malloc(number_len + unit_len + 1);
    if (text == NULL)
        return false;
    memcpy(text, s->j.text + start, number_len);
    memcpy(text + number_len, s->j.text + unit_start, unit_len);
    text[number_len + unit_len] = '\0';
    gk_literal lit = {percent, num->grouping_ok, num->exact, num->value, num->decimals, 0, 0,
                      text, number_len, s->j.plain};
    gk_locate(&s->locator, parsed_offset(s, span_at(s, start), start), &lit.line, &lit.column);
    s->fn(&lit, s->context);
    free(text);
    return true;
}

/* Finds the figures of one run of spans. */
static bool scan_run(scanner *s, const gk_span *spans, size_t count)
{
    s->spans = spans;
    s->span_count = count;
    if (!join_spans(&s->j, spans, count))
        return false;
    const joined *j = &s->j;
    uint32_t prev = 0, before_prev = 0;
    size_t prev_at = 0;
    for (size_t i = 0; i < j->len;) {
        uint32_t cp;
        size_t len = decode(j->text, j->len, i, &cp);
        if (digit_value(cp) < 0) {
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
        if (!read_number(&s->j, i, negative, &num))
            return false;
        bool percent = false;
        size_t unit_end = unit_after(j, num.end, &percent);
        if (unit_end != 0 && !printed_by_placeholder(s, start, num.end)) {
            /* the unit starts after the gap */
            size_t unit_start = num.end;
            uint32_t g;
            while (unit_start < unit_end && (decode(j->text, j->len, unit_start, &g), is_gap(g)))
                unit_start += decode(j->text, j->len, unit_start, &g);
            if (!emit(s, start, &num, unit_start, unit_end, percent))
                return false;
        }
        prev = num.last;
        before_prev = 0;
        i = num.end;
    }
    return true;
}

bool gk_figures_scan(const gk_narrative *narrative, gk_literal_fn fn, void *context)
{
    scanner s = {.narrative = narrative, .fn = fn, .context = context};
    gk_locator_init(&s.locator, narrative);
    bool ok = true;
    for (size_t b = 0; ok && b < narrative->count; b++) {
        const gk_block *block = &narrative->blocks[b];
        if (block->kind != GK_BLOCK_TABLE) {
            ok = scan_run(&s, block->spans, block->span_count);
            continue;
        }
        for (size_t c = 0; ok && c < block->rows * block->cols; c++)
            ok = scan_run(&s, block->spans + block->cell_spans[c],
                          block->cell_spans[c + 1] - block->cell_spans[c]);
    }
    free(s.j.text);
    free(s.j.starts);
    free(s.j.plain);
    return ok;
}
