/* The walker: drives any backend over a document, in a fixed order, with the first error
 * kept (later slots are skipped) and close always called. */
#include "render/render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static const gk_backend *const backends[] = {&gk_backend_pdf, &gk_backend_xlsx};

const gk_backend *gk_backend_at(size_t index)
{
    return index < sizeof backends / sizeof *backends ? backends[index] : NULL;
}

const gk_backend *gk_backend_find(const char *name)
{
    for (size_t i = 0; i < sizeof backends / sizeof *backends; i++)
        if (strcmp(backends[i]->name, name) == 0)
            return backends[i];
    return NULL;
}

int64_t gk_year_epoch(const char *year)
{
    long y = 0;
    for (const char *p = year; *p; p++) {
        if (*p < '0' || *p > '9' || y > 100000)
            return 0;
        y = y * 10 + (*p - '0');
    }
    /* days from 1970-01-01 to y-01-01 (proleptic Gregorian), H. Hinnant's days_from_civil */
    long era_y = y - 1; /* March-based year of January 1st */
    long era = (era_y >= 0 ? era_y : era_y - 399) / 400;
    long yoe = era_y - era * 400;
    long doy = 306; /* January 1st counted from March 1st */
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    long days = era * 146097 + doe - 719468;
    return (int64_t)days * 86400;
}

size_t gk_output_name(const gk_document *doc, const char *extension, char *buf, size_t size)
{
    return gk_output_stem(doc->code, doc->name, doc->year, extension, buf, size);
}

size_t gk_output_stem(const char *code, const char *name, const char *year, const char *extension,
                      char *buf, size_t size)
{
    int len = snprintf(buf, size, "%s_%s_%s%s", code, name, year, extension);
    size_t stem = strlen(buf) - strlen(extension);
    for (size_t i = 0; i < stem; i++) {
        unsigned char c = (unsigned char)buf[i];
        if (c < 0x20 || c == 0x7f || strchr("/\\:*?\"<>| ", c) != NULL)
            buf[i] = '_';
    }
    return len < 0 ? 0 : (size_t)len;
}

static void fill_table_info(const gk_document *doc, const gk_table *table, gk_table_info *info)
{
    const gk_table_layout *layout = table->layout;
    *info = (gk_table_info){
        .number = layout->has_number ? layout->number : "",
        .title = table->title,
        .unit_line = table->unit_line,
        .amount_line = table->amount_line,
        .continued = doc->profile->continued,
        .landscape = layout->landscape,
        .columns = layout->columns,
        .column_count = layout->column_count,
        .header = layout->header,
        .header_count = layout->header_count,
        .header_rows = layout->header_rows,
        .row_count = table->row_count,
        .empty = table->empty,
        .rows = table->rows,
        .layout_path = layout->path,
        .one_page = layout->one_page,
        .text_size = doc->profile->table_size,
        .min_text_size = doc->profile->table_min_size,
        .padding = doc->profile->table_padding,
        .name = layout->number,
        .notes = table->notes,
        .note_count = table->note_count,
    };
}

static gk_status walk_table(const gk_document *doc, const gk_table *table,
                            const gk_backend *backend, void *ctx, gk_diag *diag)
{
    gk_table_info info;
    fill_table_info(doc, table, &info);
    gk_status status = backend->begin_table(ctx, &info, diag);
    if (status == GK_OK && backend->header)
        status = backend->header(ctx, &info, diag);
    for (size_t r = 0; status == GK_OK && r < table->row_count; r++) {
        const gk_row *row = &table->rows[r];
        gk_row_view view = {row->kind, row->level, row->cells, r};
        status = backend->row(ctx, &info, &view, diag);
    }
    if (status == GK_OK && backend->end_table)
        status = backend->end_table(ctx, &info, diag);
    return status;
}

/* The booklet's parts in order (概况, the tables, 情况说明, 名词解释 in the sichuan profile).
 * Backends without begin_part (XLSX) receive the tables only. */
static gk_status walk_document(const gk_document *doc, const gk_backend *backend, void *ctx,
                               gk_diag *diag)
{
    gk_doc_meta meta = {doc->title, doc->name, doc->booklet_title, gk_year_epoch(doc->year), doc};
    gk_status status = backend->begin_document(ctx, &meta, diag);
    for (size_t p = 0; status == GK_OK && p < doc->part_count; p++) {
        const gk_doc_part *part = &doc->parts[p];
        gk_part_info info = {part->title, p, part->tables, &part->narrative, doc->table_count};
        if (backend->begin_part)
            status = backend->begin_part(ctx, &info, diag);
        for (size_t t = 0; status == GK_OK && part->tables && t < doc->table_count; t++)
            status = walk_table(doc, &doc->tables[t], backend, ctx, diag);
    }
    if (status == GK_OK)
        status = backend->end_document(ctx, diag);
    return status;
}

gk_status gk_render(const gk_document *doc, const gk_backend *backend, const char *path,
                    const gk_render_options *options, gk_diag *diag)
{
    if (backend->abi != GK_BACKEND_ABI)
        return gk_diag_set(diag, GK_ERR_STATE, path, 0, 0, "backend %s has ABI %d, expected %d",
                           backend->name, backend->abi, GK_BACKEND_ABI);
    void *ctx = calloc(1, backend->ctx_size ? backend->ctx_size : 1);
    if (ctx == NULL)
        return gk_diag_set(diag, GK_ERR_NOMEM, path, 0, 0, "out of memory");
    static const gk_render_options defaults = {0};
    gk_status status = backend->open(ctx, path, options ? options : &defaults, diag);
    if (status == GK_OK)
        status = walk_document(doc, backend, ctx, diag);
    backend->close(ctx);
    free(ctx);
    return status;
}
