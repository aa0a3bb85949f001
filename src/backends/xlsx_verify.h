/* Verifying a written workbook before it is published. libxlsxwriter reports success for a
 * workbook whose parts were cut short in its temporary files (reliability.md F2: a full disk
 * or a file size limit; the part is then zipped as it is, so its CRC-32 matches the cut part
 * and `unzip -t` passes), and it cannot tell when the zip itself was damaged on its way to the
 * disk. So the workbook is read back, and nothing is published unless all of this holds:
 *
 * - the zip: its end record is the last thing in the file; the central directory lies just
 *   before it and lists every entry; each entry's local header repeats the central
 *   directory's name, method, sizes and CRC-32, and the entries follow one another with no
 *   gap or overlap (a truncated, extended or overwritten file breaks this);
 * - every part: it inflates to exactly its recorded size with its recorded CRC-32 (a changed
 *   byte anywhere in its compressed data is caught here);
 * - every .xml and .rels part: its markup is balanced — each start tag closed by the end tag
 *   of the same name, in order, attribute values quoted, one root element and nothing but
 *   white space after it. A part cut short before it was zipped (F2) always ends with an
 *   element still open; a stretch lost from its middle (a failed write followed by writes
 *   that succeeded) breaks the nesting unless it falls inside one text value;
 * - every xl/worksheets/sheetN.xml: as many <row> elements in its <sheetData> as the backend
 *   wrote, so no stretch of whole rows is lost either.
 *
 * This is much cheaper than parsing every part with an XML parser, which it replaces: the
 * markup is scanned once as it is inflated, in a fixed window, never held whole. What it
 * leaves out is what a damage of the file cannot produce here: invalid UTF-8 or characters
 * XML forbids in the text (F7), which the input readers refuse before anything is written. */
#ifndef GONGKAI_XLSX_VERIFY_H
#define GONGKAI_XLSX_VERIFY_H

#include <stddef.h>

#include "gongkai/diag.h"

/* Checks the workbook at path as above; sheet_rows[N-1] is the number of rows written to
 * sheet N. Errors are GK_ERR_BACKEND ("the written workbook is damaged: …") naming path, or
 * the reader's GK_ERR_IO / GK_ERR_NOMEM. */
gk_status gk_xlsx_verify(const char *path, const size_t *sheet_rows, size_t sheets,
                         gk_diag *diag);

#endif
