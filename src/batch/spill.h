/* Job records kept on disk while a batch runs, so that the export parent holds none of them
 * (its memory stays flat in the number of units): each record is appended as one line of
 * compact JSON and read back by its place when the manifest is written.
 *
 * The spill file is a publish temporary of the manifest, in OUT's folder, unlinked as soon as
 * it is open: OUT is the folder this export holds (its lock) and writes anyway, so the spill
 * adds no other place that could be missing or full; unlinked, it leaves nothing in OUT
 * however the run ends, and a crash in the instant between its creation and its unlinking
 * leaves a temporary that the next run's sweep removes. */
#ifndef GONGKAI_SPILL_H
#define GONGKAI_SPILL_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "gongkai/diag.h"

/* Where a JSON value lies in a file: a spilled record, or a record of a manifest. */
typedef struct gk_record_at {
    off_t offset;
    size_t length; /* 0: no record */
} gk_record_at;

typedef struct gk_spill {
    int fd; /* -1: not open */
    off_t end;
} gk_spill;

/* Opens an empty spill beside the file at `beside` (the manifest's path). */
gk_status gk_spill_open(gk_spill *spill, const char *beside, gk_diag *diag);

/* Appends the record; on failure returns errno's value (and nothing is appended). */
int gk_spill_put(gk_spill *spill, const json_t *record, gk_record_at *at);

/* The JSON value (of any type) at its place in the file open as fd, or NULL when it cannot be
 * read or is not one JSON value; a key twice in an object is refused. */
json_t *gk_record_read(int fd, gk_record_at at);

void gk_spill_close(gk_spill *spill);

#endif
