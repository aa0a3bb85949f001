/* Batch export: every unit (and department) of a package, in worker processes.
 *
 * The parent loads the package once, then forks one worker per job (a unit's or department's
 * booklet and workbook), at most `workers` at a time (a batch of one job runs it in the parent
 * instead: in_process.h). A worker checks its unit, renders it,
 * hashes its outputs and reports back as one JSON document on a pipe; a worker that crashes
 * (libharu and libxlsxwriter can, on bad fonts or out of memory) costs that job only: the
 * parent records it as failed with the signal and goes on. Outputs are published atomically
 * by the worker; the parent sweeps temporary files left by a killed worker, and writes a
 * deterministic manifest.json (the same for -j1 and -j8). */
#ifndef GONGKAI_BATCH_H
#define GONGKAI_BATCH_H

#include "check/check.h"
#include "render/backend.h"

typedef enum gk_job_kind { GK_JOB_UNIT, GK_JOB_DEPARTMENT } gk_job_kind;

typedef struct gk_batch_options {
    const char *package_dir; /* for the inputs' hashes */
    const char *output;
    const gk_backend *const *backends;
    size_t backend_count;
    const gk_render_options *render;
    const gk_rules *rules;
    const char *const *units; /* --unit filters (codes sorted by gk_units_sort), or none */
    size_t unit_count;
    bool departments;         /* also each department's booklet */
    bool force;               /* export units whose checks found errors */
    bool resume;              /* skip jobs whose outputs are up to date */
    bool quiet;
    bool stats;               /* print timing and memory figures at the end */
    int workers;
    int shard_index, shard_count; /* 1-based K of N; 0 for no sharding */
    int job_timeout;          /* seconds a job may take before its worker is killed; 0: none */
    /* the program's command line (main's argv): a batch of one job runs it in this process,
     * and a crash or its time limit runs this again in place to record it (in_process.h);
     * NULL: every job in a worker process */
    char *const *argv;
} gk_batch_options;

/* Runs the batch. Returns 0 when every job succeeded, 1 when any failed (or the batch could
 * not start: diag, e.g. another export holds OUT's lock), 130/143 when interrupted by
 * SIGINT/SIGTERM (running jobs get a short grace, then are killed). Prints progress and a
 * summary to stderr unless quiet. */
int gk_batch_run(const gk_package *pkg, const gk_batch_options *options, gk_diag *diag);

/* Whether a batch with these options (OPTIONS: a gk_batch_options) reads the unit's rows: a
 * job of its own, or a member of a department it exports. For gk_package_index_some, so that
 * a shard's index holds no other shard's rows. */
bool gk_batch_reads_unit(const gk_unit *unit, void *options);

/* Sorts a --unit list (by strcmp), as gk_units_name looks its codes up. */
void gk_units_sort(const char **codes, size_t count);

/* Whether a --unit list sorted by gk_units_sort names code; no list (count 0) names every
 * unit. The one test of --unit: export's jobs, a shard's index and check's units. */
bool gk_units_name(const char *const *codes, size_t count, const char *code);

/* Merges the manifests of a complete set of shards (1/N to N/N, each once) into one (units
 * sorted by code, the shard field dropped), written atomically to out, even when it lists no
 * job. A malformed manifest is an error naming its file and record. */
gk_status gk_manifest_merge(const char *const *inputs, size_t count, const char *out,
                            gk_diag *diag);

/* A whole number of plain decimal digits (no sign, no space) from min to max; it ends at *end
 * when end is not NULL, else with the text. The one parser of numeric options: a value out of
 * range is refused, never wrapped. */
bool gk_parse_whole(const char *text, long min, long max, const char **end, long *value);

/* "K/N" with 1 <= K <= N (--shard, a manifest's "shard"). */
bool gk_shard_parse(const char *text, int *index, int *count);

#endif
