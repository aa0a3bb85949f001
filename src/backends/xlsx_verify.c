/* Read-back of a workbook with libzip and libxml2; see xlsx_verify.h. */
#include "backends/xlsx_verify.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

static bool ends_with(const char *text, const char *suffix)
{
    size_t a = strlen(text), b = strlen(suffix);
    return a >= b && strcmp(text + a - b, suffix) == 0;
}

static size_t count_rows(xmlDocPtr doc)
{
    size_t rows = 0;
    for (xmlNodePtr n = xmlDocGetRootElement(doc)->children; n != NULL; n = n->next)
        if (n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, "sheetData") == 0)
            for (xmlNodePtr r = n->children; r != NULL; r = r->next)
                rows += r->type == XML_ELEMENT_NODE && strcmp((const char *)r->name, "row") == 0;
    return rows;
}

/* Reads one part into memory (NULL on a read error). */
static char *read_part(zip_t *zip, zip_uint64_t index, size_t *len)
{
    zip_stat_t st;
    if (zip_stat_index(zip, index, 0, &st) != 0 || st.size > 256u * 1024 * 1024)
        return NULL;
    zip_file_t *file = zip_fopen_index(zip, index, 0);
    char *data = malloc(st.size + 1);
    zip_int64_t got = file && data ? zip_fread(file, data, st.size) : -1;
    if (file)
        zip_fclose(file);
    if (got < 0 || (zip_uint64_t)got != st.size) {
        free(data);
        return NULL;
    }
    *len = (size_t)st.size;
    return data;
}

static gk_status check_part(const char *path, zip_t *zip, zip_uint64_t index, const char *name,
                            const size_t *sheet_rows, size_t sheets, size_t *seen, gk_diag *diag)
{
    size_t len = 0;
    char *data = read_part(zip, index, &len);
    if (data == NULL)
        return gk_diag_set(diag, GK_ERR_BACKEND, path, 0, 0,
                           "XLSX: the written workbook is damaged: %s cannot be read", name);
    xmlDocPtr doc = xmlReadMemory(data, (int)len, name, "UTF-8",
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    free(data);
    if (doc == NULL || xmlDocGetRootElement(doc) == NULL) {
        xmlFreeDoc(doc);
        return gk_diag_set(diag, GK_ERR_BACKEND, path, 0, 0,
                           "XLSX: the written workbook is damaged: %s is not well-formed XML",
                           name);
    }
    unsigned sheet = 0;
    gk_status status = GK_OK;
    if (sscanf(name, "xl/worksheets/sheet%u.xml", &sheet) == 1 && sheet >= 1 && sheet <= sheets) {
        size_t rows = count_rows(doc);
        (*seen)++;
        if (rows != sheet_rows[sheet - 1])
            status = gk_diag_set(diag, GK_ERR_BACKEND, path, 0, 0,
                                 "XLSX: the written workbook is damaged: %s has %zu rows, "
                                 "expected %zu", name, rows, sheet_rows[sheet - 1]);
    }
    xmlFreeDoc(doc);
    return status;
}

gk_status gk_xlsx_verify(const char *path, const size_t *sheet_rows, size_t sheets,
                         gk_diag *diag)
{
    int error = 0;
    zip_t *zip = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &error);
    if (zip == NULL)
        return gk_diag_set(diag, GK_ERR_BACKEND, path, 0, 0,
                           "XLSX: the written workbook is damaged: not a readable zip (libzip "
                           "error %d)", error);
    gk_status status = GK_OK;
    size_t seen = 0;
    zip_int64_t entries = zip_get_num_entries(zip, 0);
    for (zip_int64_t i = 0; status == GK_OK && i < entries; i++) {
        const char *name = zip_get_name(zip, (zip_uint64_t)i, 0);
        if (name != NULL && (ends_with(name, ".xml") || ends_with(name, ".rels")))
            status = check_part(path, zip, (zip_uint64_t)i, name, sheet_rows, sheets, &seen, diag);
    }
    zip_discard(zip);
    if (status == GK_OK && seen != sheets)
        status = gk_diag_set(diag, GK_ERR_BACKEND, path, 0, 0,
                             "XLSX: the written workbook is damaged: %zu sheets, expected %zu",
                             seen, sheets);
    return status;
}
