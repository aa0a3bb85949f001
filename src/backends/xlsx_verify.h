/* Verifying a written workbook before it is published. libxlsxwriter reports success for a
 * workbook truncated when its temporary folder fills up (reliability.md F2), and writes
 * invalid UTF-8 into XML as is (F7): so every part is read back and parsed, and each sheet's
 * row count compared with what the backend wrote. */
#ifndef GONGKAI_XLSX_VERIFY_H
#define GONGKAI_XLSX_VERIFY_H

#include <stddef.h>

#include "gongkai/diag.h"

/* Checks that the zip at path opens, that every .xml and .rels part is well-formed XML, and
 * that xl/worksheets/sheetN.xml has sheet_rows[N-1] <row> elements. */
gk_status gk_xlsx_verify(const char *path, const size_t *sheet_rows, size_t sheets,
                         gk_diag *diag);

#endif
