/* Streaming a table file's records without keeping its text: where each record lies (bytes and
 * line) and the text of up to three of its fields, in one pass over the file read in blocks.
 *
 * The scan accepts exactly what gk_csv_parse accepts (input/input.h) for a file that decodes
 * (gk_text_check_file): it reads the raw bytes, since in UTF-8 and in GB18030 the bytes that
 * shape a CSV file (quote, comma, CR, LF) are never part of a multi-byte character. It does not
 * say what is wrong with a file it refuses: the caller then reads the file whole with
 * gk_csv_parse, which does. Package loading uses it to index which unit's rows lie where
 * (model/package.c), so that a unit's rows can later be read alone. */
#ifndef GONGKAI_TABLE_SCAN_H
#define GONGKAI_TABLE_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "input/input.h"

enum { GK_SCAN_KEPT = 3, GK_SCAN_KEEP_MAX = 64 };

typedef struct gk_scan_record {
    uint64_t start, end; /* the record's bytes, its line end included */
    int line;            /* where it starts */
    size_t index;        /* 0 for the header row */
    /* the fields asked for (gk_table_scan.keep), unquoted but not decoded (in a GB18030 file,
     * GB18030 bytes); NULL when not asked for or longer than GK_SCAN_KEEP_MAX bytes */
    const char *kept[GK_SCAN_KEPT];
} gk_scan_record;

typedef struct gk_table_scan gk_table_scan;

/* Called for each record in file order, the header first; false stops the scan. It may set
 * scan->keep (field indexes, -1 for none) for the records after the header. */
typedef bool (*gk_scan_record_fn)(gk_table_scan *scan, const gk_scan_record *record,
                                  void *context);

struct gk_table_scan {
    gk_encoding encoding;
    int keep[GK_SCAN_KEPT];
    gk_scan_record_fn on_record;
    void *context;
    /* when not NULL, every byte read is added to it: a scan that is done has read the whole
     * file, whose digest then costs no second reading */
    struct gk_sha256 *digest;
};

typedef enum gk_scan_result {
    GK_SCAN_DONE,    /* every record was given to on_record */
    GK_SCAN_STOPPED, /* on_record returned false */
    GK_SCAN_REFUSED, /* not CSV as gk_csv_parse reads it, or no header row */
    GK_SCAN_FAILED   /* the file could not be read, or memory ran out */
} gk_scan_result;

/* Scans the open file fd from its start. */
gk_scan_result gk_table_scan_file(gk_table_scan *scan, int fd);

#endif
