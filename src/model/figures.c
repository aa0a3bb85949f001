/* Narrative figures: placeholders and literal figures; see figures.h. */
#include "model/figures.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input/input.h"
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

static void append_amount(growing *g, int64_t value, int decimals)
{
    char buf[64];
    size_t n = gk_decimal_format(value, decimals, buf, sizeof buf);
    append(g, buf, n);
}

/* "56.57%", "100%": two decimals, a whole number without them. */
static void append_percent(growing *g, int64_t hundredths)
{
    char buf[64];
    size_t n = gk_decimal_format(hundredths, 2, buf, sizeof buf);
    if (n > 3 && strcmp(buf + n - 3, ".00") == 0)
        n -= 3;
    buf[n++] = '%';
    append(g, buf, n);
}

typedef struct context {
    const gk_package *pkg;
    const gk_scope *scope;
    const gk_unit *unit;
    gk_arena *arena;
    int decimals;
} context;

static bool query_value(const context *c, const char *text, int64_t *out, char *error, size_t size)
{
    gk_query query;
    if (!gk_query_parse(c->pkg->profile, text, c->arena, &query, error, size))
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
    char left[512];
    snprintf(left, sizeof left, "%.*s", (int)(at - args), args);
    return query_value(c, left, a, error, size) &&
           query_value(c, at + strlen(sep), b, error, size);
}

static bool render_placeholder(const context *c, const char *body, growing *g, char *error,
                               size_t size)
{
    char name[32];
    const char *args = body;
    size_t n = 0;
    while (*args == ' ')
        args++;
    while (*args && *args != ' ' && n < sizeof name - 1)
        name[n++] = *args++;
    name[n] = '\0';
    while (*args == ' ')
        args++;
    int64_t a = 0, b = 0;
    if (strcmp(name, "year") == 0 || strcmp(name, "unit") == 0) {
        const char *text = name[0] == 'y' ? c->unit->year : c->unit->name;
        append(g, text, strlen(text));
    } else if (strcmp(name, "prior_year") == 0) {
        char buf[16];
        snprintf(buf, sizeof buf, "%d", atoi(c->unit->year) - 1);
        append(g, buf, strlen(buf));
    } else if (strcmp(name, "amount") == 0) {
        if (!query_value(c, args, &a, error, size))
            return false;
        append_amount(g, a, c->decimals);
    } else if (strcmp(name, "share") == 0) {
        if (!two_values(c, args, "of", &a, &b, error, size))
            return false;
        if (b == 0) { /* a share of nothing is not 0%: the text would say something false */
            snprintf(error, size, "%s", _("a share of a zero total"));
            return false;
        }
        append_percent(g, gk_share(a, b, 2));
    } else if (strcmp(name, "change") == 0 || strcmp(name, "rate") == 0) {
        if (!two_values(c, args, "from", &a, &b, error, size))
            return false;
        int64_t d = a - b;
        bool amount = name[0] == 'c';
        if (d == 0) {
            append(g, "持平", strlen("持平"));
        } else if (b == 0) { /* a zero base is new, not a growth of 100% */
            append(g, "新增", strlen("新增"));
            if (amount) {
                append_amount(g, a, c->decimals);
                append(g, "万元", strlen("万元"));
            }
        } else if (amount) {
            append(g, d > 0 ? "增加" : "减少", strlen("增加"));
            append_amount(g, d > 0 ? d : -d, c->decimals);
            append(g, "万元", strlen("万元"));
        } else {
            append(g, d > 0 ? "增长" : "下降", strlen("增长"));
            append_percent(g, gk_share(d > 0 ? d : -d, b < 0 ? -b : b, 2));
        }
    } else {
        /* TRANSLATORS: amount, share, change, rate, year, prior_year and unit are the
         * placeholder names users type: keep them. */
        snprintf(error, size, _("unknown placeholder '%s' (expected amount, share, change, rate, "
                                "year, prior_year or unit)"), name);
        return false;
    }
    return true;
}

/* Line and column (in characters) of offset in text. */
static void position(const char *text, size_t offset, int *line, int *column)
{
    *line = 1;
    *column = 1;
    for (size_t i = 0; i < offset; i++) {
        unsigned char ch = (unsigned char)text[i];
        if (ch == '\n') {
            (*line)++;
            *column = 1;
        } else if ((ch & 0xC0) != 0x80) {
            (*column)++;
        }
    }
}

gk_status gk_figures_expand(const gk_package *pkg, const gk_scope *scope, const gk_unit *unit,
                            const char *path, const char *markdown, gk_arena *arena,
                            const char **out, gk_diag *diag)
{
    context c = {pkg, scope, unit, arena, pkg->profile->amount_decimals};
    growing g = {0};
    const char *p = markdown;
    gk_status status = GK_OK;
    append(&g, "", 0);
    for (const char *open = strstr(p, "{{"); open != NULL; open = strstr(p, "{{")) {
        append(&g, p, (size_t)(open - p));
        const char *close = strstr(open, "}}");
        char body[1024], error[512] = "";
        int line, column;
        position(markdown, (size_t)(open - markdown), &line, &column);
        if (close == NULL || (size_t)(close - open) > sizeof body) {
            status = gk_diag_set(diag, GK_ERR_DATA, path, line, column, "unclosed '{{'");
            break;
        }
        snprintf(body, sizeof body, "%.*s", (int)(close - open - 2), open + 2);
        if (!render_placeholder(&c, body, &g, error, sizeof error)) {
            /* TRANSLATORS: {{%s}} is the placeholder as written; the second %s says what is
             * wrong with it. */
            status = gk_diag_set(diag, GK_ERR_DATA, path, line, column, "placeholder {{%s}}: %s",
                                 body, error);
            break;
        }
        p = close + 2;
    }
    append(&g, p, strlen(p));
    if (status == GK_OK && g.failed)
        status = gk_diag_set(diag, GK_ERR_NOMEM, path, 0, 0, "out of memory");
    if (status == GK_OK && (*out = gk_arena_strndup(arena, g.text, g.len)) == NULL)
        status = gk_diag_set(diag, GK_ERR_NOMEM, path, 0, 0, "out of memory");
    free(g.text);
    return status;
}

/* ---- literal figures ------------------------------------------------------------------ */

static bool number_char(char ch)
{
    return (ch >= '0' && ch <= '9') || ch == '.' || ch == ',' || ch == '-';
}

/* The number written just before byte offset `end` (spaces skipped); false if none. */
static bool number_before(const char *text, size_t end, size_t *start_out, char *buf,
                          size_t size)
{
    size_t i = end;
    while (i > 0 && text[i - 1] == ' ')
        i--;
    size_t stop = i;
    while (i > 0 && number_char(text[i - 1]))
        i--;
    while (i < stop && !(text[i] >= '0' && text[i] <= '9') && text[i] != '-')
        i++; /* a leading ',' or '.' belongs to the sentence */
    if (i == stop || stop - i >= size)
        return false;
    snprintf(buf, size, "%.*s", (int)(stop - i), text + i);
    *start_out = i;
    return true;
}

static int decimals_of(const char *number)
{
    const char *dot = strchr(number, '.');
    return dot ? (int)strlen(dot + 1) : 0;
}

size_t gk_figures_literals(const char *markdown, gk_literal *out, size_t capacity)
{
    static const struct {
        const char *unit;
        bool percent;
    } units[] = {{"万元", false}, {"%", true}, {"％", true}};
    size_t count = 0;
    bool in_placeholder = false;
    for (size_t i = 0; markdown[i]; i++) {
        if (strncmp(markdown + i, "{{", 2) == 0)
            in_placeholder = true;
        if (in_placeholder) {
            if (strncmp(markdown + i, "}}", 2) == 0) {
                in_placeholder = false;
                i++;
            }
            continue;
        }
        for (size_t u = 0; u < 3; u++) {
            if (strncmp(markdown + i, units[u].unit, strlen(units[u].unit)) != 0)
                continue;
            char number[32];
            size_t start;
            if (!number_before(markdown, i, &start, number, sizeof number))
                continue;
            gk_literal lit = {.percent = units[u].percent, .decimals = decimals_of(number)};
            const char *why = NULL;
            if (lit.decimals > 6 || !gk_decimal_parse(number, lit.decimals, &lit.value, &why))
                continue;
            position(markdown, start, &lit.line, &lit.column);
            snprintf(lit.text, sizeof lit.text, "%s%s", number, units[u].unit);
            if (count < capacity)
                out[count] = lit;
            count++;
        }
    }
    return count;
}
