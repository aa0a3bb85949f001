/* Batch manifests (manifest.json, manifest-K-of-N.json): read with every field's type checked
 * before any is used, written atomically, merged from a complete set of shards.
 *
 * A manifest is {"gongkai", "profile", "profile_sha256", ["shard": "K/N"], "summary",
 * "units": [record...]}; a record is {"code", "kind": "unit"|"department", "name",
 * "status": "ok"|"failed"|"interrupted", "inputs_sha256", ["error"], ["errors", "warnings",
 * "findings", "outputs": [{"file", "bytes", "sha256"}...]]}. */
#ifndef GONGKAI_MANIFEST_H
#define GONGKAI_MANIFEST_H

#include <jansson.h>
#include <stdio.h>

#include "batch/spill.h"
#include "gongkai/diag.h"
#include "util/publish.h"

/* Reads a manifest (through gk_file_read: a FIFO or an oversized file is refused) and checks
 * it whole. On failure diag names the file and, for a bad record, its number and code. */
gk_status gk_manifest_load(const char *path, json_t **out, gk_diag *diag);

/* Goes through the manifest at path as gk_manifest_load checks it, but one record at a time,
 * never holding the whole: each record (checked) is given to each() with its place in the file,
 * which stays open as *fd for gk_record_read (the caller closes it). On failure *fd is -1, the
 * records already given are to be forgotten, and diag is gk_manifest_load's. */
typedef void gk_manifest_each(const json_t *record, gk_record_at at, void *data);
gk_status gk_manifest_index(const char *path, gk_manifest_each *each, void *data, int *fd,
                            gk_diag *diag);

/* Units first, then departments, each by code: the same for every order of completion. Takes
 * the references of records. */
json_t *gk_manifest_sorted(json_t **records, size_t count);

/* The same order, of a record's kind ("unit" or "department") and code. */
int gk_manifest_order(const char *kind, const char *code, const char *other_kind,
                      const char *other_code);

/* {"jobs", "ok", "failed", "interrupted"}: records counted by status (any status but ok and
 * failed counts as interrupted). */
json_t *gk_manifest_summary(const json_t *units);
json_t *gk_manifest_summary_of(size_t ok, size_t failed, size_t interrupted);

/* A manifest written record by record into a publish temporary beside its path, so that no
 * writer holds all its records at once. The bytes are those of the whole manifest dumped as
 * indented JSON (2 spaces, keys in their order) with a final line break: the header's members,
 * then "units" with the records in the order they are added. */
typedef struct gk_manifest_writer {
    const char *path;
    char tmp[GK_PATH_MAX];
    FILE *file;
    size_t records;
    int error; /* the first failed write's errno */
} gk_manifest_writer;

/* Starts the manifest at path with the header's members (everything but "units"). */
gk_status gk_manifest_begin(gk_manifest_writer *w, const char *path, const json_t *header,
                            gk_diag *diag);

/* The next record of "units". */
gk_status gk_manifest_add(gk_manifest_writer *w, const json_t *record, gk_diag *diag);

/* Closes "units" and publishes the manifest atomically (synced, renamed, folder synced). On
 * failure, or after gk_manifest_abandon, nothing is published and the temporary is gone. */
gk_status gk_manifest_finish(gk_manifest_writer *w, gk_diag *diag);
void gk_manifest_abandon(gk_manifest_writer *w);

/* Writes a whole manifest (header and units) with a writer. */
gk_status gk_manifest_write(const json_t *header, const json_t *units, const char *path,
                            gk_diag *diag);

#endif
