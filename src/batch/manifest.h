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

#include "gongkai/diag.h"

/* Reads a manifest (through gk_file_read: a FIFO or an oversized file is refused) and checks
 * it whole. On failure diag names the file and, for a bad record, its number and code. */
gk_status gk_manifest_load(const char *path, json_t **out, gk_diag *diag);

/* Units first, then departments, each by code: the same for every order of completion. Takes
 * the references of records. */
json_t *gk_manifest_sorted(json_t **records, size_t count);

/* {"jobs", "ok", "failed", "interrupted"}: the records counted by status. */
json_t *gk_manifest_summary(const json_t *units);

/* Writes the manifest atomically, as indented JSON with a final line break. */
gk_status gk_manifest_write(const json_t *manifest, const char *path, gk_diag *diag);

#endif
