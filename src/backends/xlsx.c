/* The XLSX backend (libxlsxwriter): one sheet per public table in the official format.
 *
 * Amounts are numeric cells with a number format, codes and names are text; header merges,
 * widths and alignment come from the resolved layout. The workbook's creation date is the
 * document's (derived from the budget year), so the same input gives the same bytes. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backends/xlsx_lib.h"
#include "backends/xlsx_verify.h"
#include "render/backend.h"
#include "render/table_plan.h"
#include "util/i18n.h"
#include "util/publish.h"

enum {
    FIRST_HEADER_ROW = 2, /* row 0: title, row 1: 单位 / 金额单位 */
    FORMAT_CACHE = 64,
    SHEET_NAME_MAX = 31,
    MAX_SHEETS = 256
};

static const char *const font_name = "宋体";
static const double body_font_size = 10;
static const double line_height = 14.25; /* points per wrapped line at 10 pt */

/* The properties that distinguish one cell format from another. */
typedef struct format_key {
    int role; /* ROLE_* */
    int align;
    int bold;
    int decimals; /* -1 for text */
    int indent;
    int thousands; /* numbers: ',' grouping (#,##0.00) */
} format_key;

enum { ROLE_TITLE, ROLE_UNIT_LINE, ROLE_HEADER, ROLE_BODY };

typedef struct xlsx_ctx {
    char path[GK_PATH_MAX];
    char tmpdir[GK_PATH_MAX];        /* private folder for libxlsxwriter's temporary files */
    size_t sheet_rows[MAX_SHEETS]; /* rows written per sheet, checked after closing */
    char *sheet_names[MAX_SHEETS]; /* the sheets' names, so that each is unique */
    size_t sheets;
    lxw_workbook *workbook;
    lxw_worksheet *sheet;
    lxw_doc_properties properties;
    double *widths;                /* the current sheet's column widths, points */
    format_key keys[FORMAT_CACHE];
    lxw_format *formats[FORMAT_CACHE];
    size_t format_count;
} xlsx_ctx;

/* what: the step that failed, already translated. */
static gk_status lxw_failure(lxw_error error, const char *what, gk_diag *diag)
{
    /* TRANSLATORS: the first %s is the step that failed ("title rows", "cell", …), the second
     * libxlsxwriter's own (English) description of the error. */
    return gk_diag_set(diag, GK_ERR_BACKEND, "", 0, 0, "XLSX: %s: %s", what, lxw_strerror(error));
}

/* ---- formats ------------------------------------------------------------------------ */

static lxw_format *make_format(xlsx_ctx *x, format_key key)
{
    lxw_format *f = workbook_add_format(x->workbook);
    if (f == NULL)
        return NULL;
    static const uint8_t aligns[] = {LXW_ALIGN_LEFT, LXW_ALIGN_CENTER, LXW_ALIGN_RIGHT};
    format_set_font_name(f, font_name);
    format_set_font_size(f, key.role == ROLE_TITLE ? 16 : body_font_size);
    format_set_align(f, aligns[key.align]);
    format_set_align(f, LXW_ALIGN_VERTICAL_CENTER);
    if (key.bold)
        format_set_bold(f);
    if (key.role == ROLE_HEADER || key.role == ROLE_BODY) {
        format_set_border(f, LXW_BORDER_THIN);
        format_set_text_wrap(f);
    }
    if (key.indent > 0)
        format_set_indent(f, (uint8_t)key.indent);
    if (key.decimals >= 0) {
        char pattern[16] = "0";
        if (key.thousands)
            strcpy(pattern, "#,##0");
        if (key.decimals > 0) {
            strcat(pattern, ".");
            for (int i = 0; i < key.decimals && i < 6; i++)
                strcat(pattern, "0");
        }
        format_set_num_format(f, pattern);
    }
    return f;
}

static lxw_format *format_for(xlsx_ctx *x, format_key key)
{
    for (size_t i = 0; i < x->format_count; i++)
        if (memcmp(&x->keys[i], &key, sizeof key) == 0)
            return x->formats[i];
    if (x->format_count == FORMAT_CACHE)
        return NULL;
    lxw_format *f = make_format(x, key);
    if (f != NULL) {
        x->keys[x->format_count] = key;
        x->formats[x->format_count++] = f;
    }
    return f;
}

/* ---- text ---------------------------------------------------------------------------- */

/* How the sheet's font (宋体) sets text, for the shared table layout: full-width characters
 * one em, others a little over half (SimSun's are exactly half; the CJK faces that stand in
 * for it where it is missing are a little wider). */
static double cell_advance(const void *font, uint32_t cp)
{
    (void)font;
    return gk_char_kind_of(cp) == GK_CHAR_WORD || gk_char_kind_of(cp) == GK_CHAR_SPACE ? 550
                                                                                          : 1000;
}

static const gk_table_metrics cell_metrics = {
    {cell_advance, NULL, 10}, {cell_advance, NULL, 10}, 3, 10, 0, false, false};

/* The width of the printed table: A4 less the margins set below (0.5 in each side). */
static double printable_width(bool landscape)
{
    return (landscape ? 841.89 : 595.28) - 72.0;
}

/* Excel's column width unit for a width in points: characters of the default font's digit
 * (7 px, with 5 px of padding, at 96 px per inch). */
static double excel_width(double points)
{
    double chars = (points * 96.0 / 72.0 - 5.0) / 7.0;
    return chars > 1 ? chars : 1;
}

/* Lines a text needs in a column `points` wide, as the shared layout breaks it. */
static int wrapped_lines(const char *text, double points)
{
    double inner = points - 2 * cell_metrics.pad;
    size_t lines = gk_break_balanced(text, strlen(text), &cell_metrics.body, inner > 1 ? inner : 1,
                                     NULL, 0);
    return lines > 0 ? (int)lines : 1;
}

static double span_points(const xlsx_ctx *x, int col, int cols)
{
    double sum = 0;
    for (int c = col; c < col + cols; c++)
        sum += x->widths[c];
    return sum;
}

/* Excel shows "_xHHHH_" as the character U+HHHH; escape the underscore so text stays as typed
 * (ECMA-376 §22.4.2.4). Returns text itself, or a malloc'd escaped copy (*owned set). */
static const char *escape_text(const char *text, char **owned)
{
    *owned = NULL;
    if (strstr(text, "_x") == NULL)
        return text;
    size_t len = strlen(text);
    char *buf = malloc(2 * len + 1); /* each 7-byte "_xHHHH_" grows by 6 at most */
    if (buf == NULL)
        return text;
    size_t used = 0;
    for (const char *p = text; *p; p++) {
        bool escape = p[0] == '_' && p[1] == 'x';
        for (int i = 2; escape && i < 6; i++)
            escape = p[i] && strchr("0123456789abcdefABCDEF", p[i]) != NULL;
        if (escape && p[6] == '_') {
            /* "_x0041_" becomes "_x005F_x0041_": the underscore itself, escaped */
            memcpy(buf + used, "_x005F_", 7);
            used += 7;
            continue;
        }
        buf[used++] = *p;
    }
    buf[used] = '\0';
    *owned = buf;
    return buf;
}

static lxw_error write_text(xlsx_ctx *x, int row, int col, const char *text, lxw_format *f)
{
    char *owned = NULL;
    lxw_error error = worksheet_write_string(x->sheet, (lxw_row_t)row, (lxw_col_t)col,
                                             escape_text(text, &owned), f);
    free(owned);
    return error;
}

/* ---- sheet names ---------------------------------------------------------------------- */

/* Whether Excel would take name for one of the sheets already added (it ignores case), or
 * reserves it. */
static bool sheet_name_used(const xlsx_ctx *x, const char *name)
{
    if (strcasecmp(name, "History") == 0)
        return true;
    for (size_t i = 0; i < x->sheets; i++)
        if (strcasecmp(x->sheet_names[i], name) == 0)
            return true;
    return false;
}

/* Bytes of the longest start of text that Excel counts as at most `units` characters (UTF-16
 * code units: a character beyond the BMP counts two), ending on a character boundary. */
static size_t cut_to_units(const char *text, size_t units)
{
    size_t bytes = 0, used = 0;
    while (text[bytes] != '\0') {
        unsigned char lead = (unsigned char)text[bytes];
        size_t len = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
        size_t cost = len == 4 ? 2 : 1;
        if (used + cost > units)
            break;
        used += cost;
        bytes += len;
    }
    return bytes;
}

/* A table without a number names its sheet after its title: Excel's forbidden characters
 * ([ ] : * ? / \, an apostrophe first or last) become '_', the name is cut to Excel's 31
 * characters, and one already taken gets " (2)", " (3)", … within them. malloc'd; NULL when
 * out of memory. */
static char *title_sheet_name(const xlsx_ctx *x, const char *title)
{
    size_t len = strlen(title);
    char *clean = malloc(len + 1), *name = malloc(len + 16);
    for (size_t i = 0; clean != NULL && i <= len; i++)
        clean[i] = title[i] != '\0' && strchr("[]:*?/\\", title[i]) ? '_' : title[i];
    for (int n = 1; clean != NULL && name != NULL; n++) {
        char suffix[16] = "";
        if (n > 1)
            snprintf(suffix, sizeof suffix, " (%d)", n);
        size_t keep = cut_to_units(clean, SHEET_NAME_MAX - strlen(suffix));
        snprintf(name, len + 16, "%.*s%s", (int)keep, clean, suffix);
        if (name[0] == '\'')
            name[0] = '_';
        if (keep > 0 && name[keep - 1] == '\'')
            name[keep - 1] = '_';
        if (name[0] == '\0')
            snprintf(name, len + 16, "Sheet%zu", x->sheets + 1);
        if (!sheet_name_used(x, name))
            break;
    }
    free(clean);
    if (clean == NULL) {
        free(name);
        return NULL;
    }
    return name;
}

/* ---- slots --------------------------------------------------------------------------- */

/* libxlsxwriter keeps a workbook's parts in temporary files: in a private folder beside the
 * output (0700, made here and so known to be writable), not a shared /tmp nor, as its
 * fallback does, the current folder. */
static gk_status make_tmpdir(xlsx_ctx *x, const char *path, gk_diag *diag)
{
    /* PATH is the publisher's unique temporary (".gk-HHHHHHHH.tmp.XXXXXX"): the folder is
     * PATH.d, so a batch sweeps a crashed job's folder with its file, and its name is short
     * whatever the output is called */
    int n = snprintf(x->tmpdir, sizeof x->tmpdir, "%s.d", path);
    if (n < 0 || (size_t)n >= sizeof x->tmpdir || mkdir(x->tmpdir, 0700) != 0) {
        x->tmpdir[0] = '\0';
        return gk_diag_set(diag, GK_ERR_IO, path, 0, 0,
                           "XLSX: cannot create a temporary folder beside the output");
    }
    return GK_OK;
}

static gk_status xlsx_open(void *ctx, const char *path, const gk_render_options *options,
                           gk_diag *diag)
{
    (void)options;
    xlsx_ctx *x = ctx;
    snprintf(x->path, sizeof x->path, "%s", path);
    gk_status status = gk_xlsxwriter_open(diag);
    if (status == GK_OK)
        status = make_tmpdir(x, path, diag);
    if (status != GK_OK)
        return status;
    lxw_workbook_options lxw_options = {.tmpdir = x->tmpdir};
    x->workbook = workbook_new_opt(path, &lxw_options);
    if (x->workbook == NULL)
        return gk_diag_set(diag, GK_ERR_BACKEND, path, 0, 0, "XLSX: cannot create the workbook");
    return GK_OK;
}

static gk_status xlsx_begin_document(void *ctx, const gk_doc_meta *meta, gk_diag *diag)
{
    xlsx_ctx *x = ctx;
    x->properties.title = (char *)meta->title;
    x->properties.subject = (char *)meta->subject;
    x->properties.author = (char *)meta->author;
    x->properties.company = (char *)meta->author;
    x->properties.created = (time_t)meta->created;
    lxw_error error = workbook_set_properties(x->workbook, &x->properties);
    /* TRANSLATORS: a step of writing the workbook, in "XLSX: %s: %s". */
    return error ? lxw_failure(error, _("document properties"), diag) : GK_OK;
}

/* 单位：… on the left, 金额单位：… on the right, over as many of the last columns as it needs
 * (a right-aligned text wider than its cell would be cut by the merged cell beside it). */
static lxw_error write_unit_line(xlsx_ctx *x, const gk_table_info *t, lxw_col_t last,
                                 lxw_format *left, lxw_format *right)
{
    if (last == 0)
        return write_text(x, 1, 0, t->unit_line, left);
    double need = gk_text_width(t->amount_line, strlen(t->amount_line), &cell_metrics.body) +
                  2 * cell_metrics.pad;
    lxw_col_t first = last;
    while (first > 1 && span_points(x, first, last - first + 1) < need)
        first--;
    lxw_error error = first > 1 ? worksheet_merge_range(x->sheet, 1, 0, 1, first - 1,
                                                          t->unit_line, left)
                                : write_text(x, 1, 0, t->unit_line, left);
    if (!error && first < last)
        error = worksheet_merge_range(x->sheet, 1, first, 1, last, t->amount_line, right);
    else if (!error)
        error = write_text(x, 1, last, t->amount_line, right);
    return error;
}

static gk_status xlsx_begin_table(void *ctx, const gk_table_info *t, gk_diag *diag)
{
    xlsx_ctx *x = ctx;
    if (x->sheets == MAX_SHEETS)
        /* TRANSLATORS: a step of writing the workbook, in "XLSX: %s: %s". */
        return lxw_failure(LXW_ERROR_MEMORY_MALLOC_FAILED, _("add sheet"), diag);
    char *name = t->number[0] ? strdup(t->number) : title_sheet_name(x, t->title);
    if (name == NULL)
        return lxw_failure(LXW_ERROR_MEMORY_MALLOC_FAILED, _("add sheet"), diag);
    x->sheet_names[x->sheets] = name;
    lxw_error error = workbook_validate_sheet_name(x->workbook, name);
    if (error)
        return gk_diag_set(diag, GK_ERR_LAYOUT, "", 0, 0,
                           "XLSX: table number '%s' cannot name a sheet: %s", name,
                           lxw_strerror(error));
    x->sheet = workbook_add_worksheet(x->workbook, name);
    if (x->sheet == NULL)
        /* TRANSLATORS: a step of writing the workbook, in "XLSX: %s: %s". */
        return lxw_failure(LXW_ERROR_MEMORY_MALLOC_FAILED, _("add sheet"), diag);
    /* every row gets a height (title, unit line, header, body, notes): all are written */
    x->sheet_rows[x->sheets++] =
        FIRST_HEADER_ROW + (size_t)t->header_rows + t->row_count + t->note_count;

    /* the shared table layout decides the widths, so the table fits its paper */
    free(x->widths);
    x->widths = calloc(t->column_count + 1, sizeof *x->widths);
    gk_column_fit fit;
    if (x->widths == NULL ||
        !gk_plan_columns(t, &cell_metrics, printable_width(t->landscape), x->widths, &fit))
        return lxw_failure(LXW_ERROR_MEMORY_MALLOC_FAILED, _("add sheet"), diag);
    lxw_col_t last = (lxw_col_t)(t->column_count - 1);
    for (size_t c = 0; c < t->column_count; c++)
        worksheet_set_column(x->sheet, (lxw_col_t)c, (lxw_col_t)c, excel_width(x->widths[c]),
                             NULL);

    /* title, then 单位：… on the left and 金额单位：… on the right */
    lxw_format *title = format_for(x, (format_key){ROLE_TITLE, 1, 1, -1, 0, 0});
    lxw_format *left = format_for(x, (format_key){ROLE_UNIT_LINE, 0, 0, -1, 0, 0});
    lxw_format *right = format_for(x, (format_key){ROLE_UNIT_LINE, 2, 0, -1, 0, 0});
    if (title == NULL || left == NULL || right == NULL)
        /* TRANSLATORS: a step of writing the workbook, in "XLSX: %s: %s". */
        return lxw_failure(LXW_ERROR_MEMORY_MALLOC_FAILED, _("formats"), diag);
    worksheet_set_row(x->sheet, 0, 30, NULL);
    if (last > 0)
        error = worksheet_merge_range(x->sheet, 0, 0, 0, last, t->title, title);
    else
        error = write_text(x, 0, 0, t->title, title);
    if (!error)
        error = write_unit_line(x, t, last, left, right);
    if (error)
        /* TRANSLATORS: a step of writing the workbook, in "XLSX: %s: %s". */
        return lxw_failure(error, _("title rows"), diag);

    /* print setup: A4, the layout's orientation, one page wide, header rows on every page */
    worksheet_set_paper(x->sheet, 9);
    if (t->landscape)
        worksheet_set_landscape(x->sheet);
    else
        worksheet_set_portrait(x->sheet);
    worksheet_fit_to_pages(x->sheet, 1, 0);
    worksheet_center_horizontally(x->sheet);
    worksheet_set_margins(x->sheet, 0.5, 0.5, 0.6, 0.6);
    worksheet_set_footer(x->sheet, "&C第 &P 页 共 &N 页");
    worksheet_repeat_rows(x->sheet, FIRST_HEADER_ROW, (lxw_row_t)(FIRST_HEADER_ROW + t->header_rows - 1));
    worksheet_freeze_panes(x->sheet, (lxw_row_t)(FIRST_HEADER_ROW + t->header_rows), 0);
    return GK_OK;
}

/* A header cell spanning rows shows its wrapped text in their heights together: the lines it
 * needs beyond theirs go one at a time to its rows, top first (lines[r]: header row r's). */
static void spread_lines(const xlsx_ctx *x, const gk_header_cell *h, int *lines, int rows)
{
    int last = h->row + h->rows < rows ? h->row + h->rows : rows;
    if (h->row >= last)
        return;
    int have = 0;
    for (int r = h->row; r < last; r++)
        have += lines[r];
    for (int missing = wrapped_lines(h->text, span_points(x, h->col, h->cols)) - have, r = h->row;
         missing > 0; missing--, r = r + 1 < last ? r + 1 : h->row)
        lines[r]++;
}

static gk_status xlsx_header(void *ctx, const gk_table_info *t, gk_diag *diag)
{
    xlsx_ctx *x = ctx;
    lxw_format *f = format_for(x, (format_key){ROLE_HEADER, 1, 1, -1, 0, 0});
    if (f == NULL)
        return lxw_failure(LXW_ERROR_MEMORY_MALLOC_FAILED, _("formats"), diag);
    int lines[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    for (size_t i = 0; i < t->header_count; i++) {
        const gk_header_cell *h = &t->header[i];
        int row = FIRST_HEADER_ROW + h->row;
        lxw_error error;
        if (h->rows > 1 || h->cols > 1)
            error = worksheet_merge_range(x->sheet, (lxw_row_t)row, (lxw_col_t)h->col,
                                          (lxw_row_t)(row + h->rows - 1),
                                          (lxw_col_t)(h->col + h->cols - 1), h->text, f);
        else
            error = write_text(x, row, h->col, h->text, f);
        if (error)
            /* TRANSLATORS: a step of writing the workbook, in "XLSX: %s: %s". */
            return lxw_failure(error, _("header"), diag);
        if (h->rows == 1 && h->row < 8) {
            int need = wrapped_lines(h->text, span_points(x, h->col, h->cols));
            if (need > lines[h->row])
                lines[h->row] = need;
        }
    }
    for (size_t i = 0; i < t->header_count; i++)
        if (t->header[i].rows > 1)
            spread_lines(x, &t->header[i], lines, 8);
    for (int r = 0; r < t->header_rows && r < 8; r++)
        worksheet_set_row(x->sheet, (lxw_row_t)(FIRST_HEADER_ROW + r), lines[r] * line_height + 4,
                          NULL);
    return GK_OK;
}

static gk_status write_cell(xlsx_ctx *x, int row, int col, const gk_column *column,
                            const gk_cell *cell, const gk_row_view *view, gk_diag *diag)
{
    bool bold = view->kind != GK_ROW_DATA && view->kind != GK_ROW_NOTE;
    bool numeric = column->type == GK_TYPE_AMOUNT || column->type == GK_TYPE_COUNT ||
                   column->type == GK_TYPE_PERCENT;
    int align = view->kind == GK_ROW_NOTE ? 1 : (int)column->align;
    int indent = column->type == GK_TYPE_TEXT && align == 0 && view->level > 1 ? view->level - 1 : 0;
    format_key key = {ROLE_BODY, align, bold, numeric ? column->decimals : -1, indent,
                      numeric && column->thousands};
    if (cell->value.kind == GK_VALUE_NUMBER)
        key.decimals = cell->value.decimals;
    lxw_format *f = format_for(x, key);
    if (f == NULL)
        return lxw_failure(LXW_ERROR_MEMORY_MALLOC_FAILED, _("formats"), diag);

    lxw_error error = LXW_NO_ERROR;
    if (cell->rows > 1 || cell->cols > 1)
        error = worksheet_merge_range(x->sheet, (lxw_row_t)row, (lxw_col_t)col,
                                      (lxw_row_t)(row + cell->rows - 1),
                                      (lxw_col_t)(col + cell->cols - 1), "", f);
    if (error)
        /* TRANSLATORS: a step of writing the workbook, in "XLSX: %s: %s". */
        return lxw_failure(error, _("merge"), diag);
    switch (cell->value.kind) {
    case GK_VALUE_NUMBER:
        error = worksheet_write_number(x->sheet, (lxw_row_t)row, (lxw_col_t)col,
                                       (double)cell->value.number /
                                           pow(10, cell->value.decimals),
                                       f);
        break;
    case GK_VALUE_TEXT:
        error = write_text(x, row, col, cell->value.text, f);
        break;
    case GK_VALUE_BLANK:
        if (cell->rows == 1 && cell->cols == 1)
            error = worksheet_write_blank(x->sheet, (lxw_row_t)row, (lxw_col_t)col, f);
        break;
    }
    /* TRANSLATORS: a step of writing the workbook, in "XLSX: %s: %s". */
    return error ? lxw_failure(error, _("cell"), diag) : GK_OK;
}

static gk_status xlsx_row(void *ctx, const gk_table_info *t, const gk_row_view *view,
                          gk_diag *diag)
{
    xlsx_ctx *x = ctx;
    int row = FIRST_HEADER_ROW + t->header_rows + (int)view->index;
    int lines = 1;
    for (size_t c = 0; c < t->column_count; c++) {
        const gk_cell *cell = &view->cells[c];
        if (cell->covered)
            continue;
        gk_status status = write_cell(x, row, (int)c, &t->columns[c], cell, view, diag);
        if (status != GK_OK)
            return status;
        if (cell->value.kind == GK_VALUE_TEXT) {
            double indent = gk_cell_indent(&t->columns[c], view->level, cell_metrics.indent);
            int need = (wrapped_lines(cell->value.text,
                                      span_points(x, (int)c, cell->cols) - indent) +
                        cell->rows - 1) /
                       cell->rows;
            if (need > lines)
                lines = need;
        }
    }
    worksheet_set_row(x->sheet, (lxw_row_t)row, lines * line_height + 4, NULL);
    return GK_OK;
}

/* The notes under the table, each a row merged across it. */
static gk_status xlsx_end_table(void *ctx, const gk_table_info *t, gk_diag *diag)
{
    xlsx_ctx *x = ctx;
    lxw_format *f = format_for(x, (format_key){ROLE_UNIT_LINE, 0, 0, -1, 0, 0});
    if (f == NULL)
        return lxw_failure(LXW_ERROR_MEMORY_MALLOC_FAILED, _("formats"), diag);
    int row = FIRST_HEADER_ROW + t->header_rows + (int)t->row_count;
    lxw_col_t last = (lxw_col_t)(t->column_count - 1);
    for (size_t i = 0; i < t->note_count; i++, row++) {
        lxw_error error = last > 0 ? worksheet_merge_range(x->sheet, (lxw_row_t)row, 0,
                                                           (lxw_row_t)row, last, t->notes[i], f)
                                   : write_text(x, row, 0, t->notes[i], f);
        if (error)
            /* TRANSLATORS: a step of writing the workbook, in "XLSX: %s: %s". */
            return lxw_failure(error, _("notes"), diag);
        int lines = wrapped_lines(t->notes[i], span_points(x, 0, (int)t->column_count));
        worksheet_set_row(x->sheet, (lxw_row_t)row, lines * line_height + 4, NULL);
    }
    return GK_OK;
}

static gk_status xlsx_end_document(void *ctx, gk_diag *diag)
{
    xlsx_ctx *x = ctx;
    lxw_error error = workbook_close(x->workbook);
    x->workbook = NULL; /* workbook_close frees it, even on failure */
    if (error)
        /* TRANSLATORS: a step of writing the workbook, in "XLSX: %s: %s". */
        return lxw_failure(error, _("writing the workbook"), diag);
    /* libxlsxwriter can report success for a damaged file: read it back before publishing */
    return gk_xlsx_verify(x->path, x->sheet_rows, x->sheets, diag);
}

static void remove_tmpdir(xlsx_ctx *x)
{
    if (x->tmpdir[0] == '\0')
        return;
    DIR *d = opendir(x->tmpdir);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            char file[8192];
            snprintf(file, sizeof file, "%s/%s", x->tmpdir, e->d_name);
            unlink(file);
        }
    if (d)
        closedir(d);
    rmdir(x->tmpdir);
    x->tmpdir[0] = '\0';
}

static void xlsx_close(void *ctx)
{
    xlsx_ctx *x = ctx;
    for (size_t i = 0; i < MAX_SHEETS; i++) {
        free(x->sheet_names[i]);
        x->sheet_names[i] = NULL;
    }
    if (x->workbook != NULL)
        workbook_close(x->workbook); /* frees it; the walker deletes the partial file */
    x->workbook = NULL;
    free(x->widths);
    x->widths = NULL;
    remove_tmpdir(x);
}

static void xlsx_load(void)
{
    gk_xlsxwriter_open(NULL);
}

static const char *xlsx_library(void)
{
    static char text[64];
    if (gk_xlsxwriter_open(NULL) != GK_OK)
        return GK_XLSXWRITER_SONAME " (cannot be loaded)";
    snprintf(text, sizeof text, "libxlsxwriter %s", lxw_version());
    return text;
}

const gk_backend gk_backend_xlsx = {
    .name = "xlsx",
    .extension = ".xlsx",
    .abi = GK_BACKEND_ABI,
    .ctx_size = sizeof(xlsx_ctx),
    .open = xlsx_open,
    .begin_document = xlsx_begin_document,
    .begin_part = NULL,
    .begin_table = xlsx_begin_table,
    .header = xlsx_header,
    .row = xlsx_row,
    .end_table = xlsx_end_table,
    .end_document = xlsx_end_document,
    .close = xlsx_close,
    .library = xlsx_library,
    .load = xlsx_load,
};
