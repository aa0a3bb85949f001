/* The resume key of a batch job: one SHA-256 over everything that determines the bytes of its
 * outputs, so that `--resume` skips a job only when nothing it reads has changed.
 *
 * What goes in: gongkai's version; the formats in order; every render option (the fonts by
 * their contents, the default fonts by their verified pins); --force; every file of the
 * profile folder; the package's shared files (units.csv, prior.csv, the CSV files in
 * tables/); the job's identity (kind, code, output names); and, for each unit the job reads (a unit: itself; a
 * department: every member), its own folders tables/CODE/ and narrative/CODE/. A file is fed
 * by name and content; one that cannot be read is fed as such, so that its absence, presence
 * or unreadability each give another key. No path or list is cut at a fixed size.
 *
 * The shared part is hashed once per batch (gk_job_keys_new), each unit's own folders once
 * however many jobs read them; gk_job_key then combines them for one job. */
#ifndef GONGKAI_JOB_KEY_H
#define GONGKAI_JOB_KEY_H

#include "batch/batch.h"

typedef struct gk_job_keys gk_job_keys;

/* Hashes what every job of the batch shares. GK_ERR_NOMEM only. */
gk_status gk_job_keys_new(const gk_package *pkg, const gk_batch_options *options,
                          gk_job_keys **out, gk_diag *diag);

/* The SHA-256 of the profile folder's files (the rule set included), as 64 hex digits. */
const char *gk_job_keys_profile(const gk_job_keys *keys);

/* The resume key of one job (64 hex digits and a NUL into out). members: the indexes of the
 * units whose data the job reads, in any order that is the same from run to run; outputs:
 * the file names it writes. False when out of memory. */
bool gk_job_key(gk_job_keys *keys, gk_job_kind kind, const char *code, const size_t *members,
                size_t member_count, const char *const *outputs, size_t output_count,
                char out[65]);

void gk_job_keys_free(gk_job_keys *keys);

#endif
