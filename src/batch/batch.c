/* Batch export in worker processes; see batch.h. */
#define _GNU_SOURCE /* ppoll */
#include "batch/batch.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "batch/in_process.h"
#include "batch/job_key.h"
#include "batch/manifest.h"
#include "batch/out_folder.h"
#include "batch/spill.h"
#include "export/export.h"
#include "render/render.h"
#include "util/i18n.h"
#include "util/publish.h"
#include "util/sha256.h"

enum {
    MAX_BACKENDS = 4,
    GRACE_SECONDS = 5, /* after SIGINT/SIGTERM, what running jobs get to finish their files */
};

/* What a job's report said; JOB_WAITING until one comes (a job never started has none). */
typedef enum job_state { JOB_WAITING, JOB_OK, JOB_FAILED, JOB_INTERRUPTED } job_state;

typedef struct job {
    gk_job_kind kind;
    size_t unit;      /* GK_JOB_UNIT */
    const char *code; /* unit or department code */
    const char *name;
    const char *year;
    const size_t *members; /* the units whose data it reads: the unit, or the department's */
    size_t member_count;
    const char *outputs[MAX_BACKENDS]; /* file names, in the batch's arena */
    char inputs_sha256[65]; /* its resume key, from its worker's report (or the parent's) */
    gk_record_at previous;  /* --resume: the previous run's record of it, when it was ok */
    job_state state;
    long rss_kb;          /* its worker's peak memory, for --stats */
    gk_record_at record;  /* its manifest record, in the batch's spill, once it reported */
    bool skipped;         /* --resume: up to date */
} job;

typedef struct batch {
    const gk_package *pkg;
    const gk_batch_options *opt;
    job *jobs;
    size_t count;
    gk_arena arena;        /* the jobs' file names */
    size_t done, failed;
    bool tty;
    double started;
    double stop_at;        /* after an interrupt: when running jobs are killed */
    sigset_t poll_mask;    /* the signal mask while waiting for workers: INT and TERM open */
    sigset_t worker_mask;  /* the mask a worker starts with (the caller's) */
    long worker_rss_max_kb;
    long worker_huge_max_kb; /* --stats: a worker's memory in huge pages (cli/heap.c) */
    long job_faults_max;     /* --stats: a job's page faults (each a first touch of a page) */
    double worker_cpu_ms;
    char profile_sha256[65];
    gk_job_keys *keys;     /* what every job's resume key shares (job_key.h) */
    int previous_fd;       /* --resume: the previous run's manifest, open for its records */
    gk_out_lock lock, shard_lock;
    gk_spill spill;        /* the jobs' manifest records as they come */
    int spill_error;       /* errno of the first record that could not be spilled */
    bool spare_cores; /* jobs leave cores idle: each renders its formats on threads */
    size_t workers_started; /* --stats: 0 when a batch of one job ran here (in_process.h) */
    pid_t *exiting;   /* idle workers told to exit, waited for after the manifest */
    size_t exiting_count;
} batch;

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    interrupted = sig;
    gk_in_process_interrupted(sig); /* a job running in this process gets the grace */
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- numbers -------------------------------------------------------------------------------- */

bool gk_parse_whole(const char *text, long min, long max, const char **end, long *value)
{
    if (!isdigit((unsigned char)text[0]))
        return false;
    errno = 0;
    char *stop = NULL;
    long n = strtol(text, &stop, 10);
    if (errno == ERANGE || n < min || n > max || (end == NULL && *stop != '\0'))
        return false;
    if (end != NULL)
        *end = stop;
    *value = n;
    return true;
}

bool gk_shard_parse(const char *text, int *index, int *count)
{
    const char *slash = NULL, *end = NULL;
    long k = 0, n = 0;
    if (!gk_parse_whole(text, 1, INT_MAX, &slash, &k) || *slash != '/' ||
        !gk_parse_whole(slash + 1, 1, INT_MAX, &end, &n) || *end != '\0' || k > n)
        return false;
    *index = (int)k;
    *count = (int)n;
    return true;
}

/* ---- jobs ----------------------------------------------------------------------------------- */

static int compare_codes(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void gk_units_sort(const char **codes, size_t count)
{
    if (count > 1)
        qsort(codes, count, sizeof *codes, compare_codes);
}

bool gk_units_name(const char *const *codes, size_t count, const char *code)
{
    return count == 0 || bsearch(&code, codes, count, sizeof *codes, compare_codes) != NULL;
}

/* Shards split jobs by a hash of their code: stable across runs and machines. */
static bool in_shard(const gk_batch_options *opt, const char *code)
{
    if (opt->shard_count <= 0)
        return true;
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)code; *p; p++)
        h = (h ^ *p) * 16777619u;
    return (int)(h % (uint32_t)opt->shard_count) == opt->shard_index - 1;
}

bool gk_batch_reads_unit(const gk_unit *unit, void *options)
{
    const gk_batch_options *opt = options;
    bool listed = gk_units_name(opt->units, opt->unit_count, unit->code);
    /* a department's job reads every member: all of a department of this shard (whichever of
     * them --unit names: make_jobs decides by its first unit, not known here) */
    return (listed && in_shard(opt, unit->code)) ||
           (opt->departments && in_shard(opt, unit->department_code));
}

/* The name of an output file (render.h), sized to fit, in arena; NULL when out of memory. */
static char *output_file(gk_arena *arena, const char *code, const char *name, const char *year,
                         const char *extension)
{
    size_t size = strlen(code) + strlen(name) + strlen(year) + strlen(extension) + 3;
    char *file = gk_arena_alloc(arena, size);
    if (file != NULL)
        gk_output_stem(code, name, year, extension, file, size);
    return file;
}

/* Fills job j: a unit's (unit u, members NULL) or a department's (u its first unit, members
 * every unit of it). False when out of memory. */
static bool add_job(batch *b, gk_job_kind kind, size_t u, const size_t *members,
                    size_t member_count)
{
    const gk_unit *first = &b->pkg->units[u];
    job *j = &b->jobs[b->count++];
    memset(j, 0, sizeof *j);
    j->kind = kind;
    j->unit = u;
    j->code = kind == GK_JOB_UNIT ? first->code : first->department_code;
    j->name = kind == GK_JOB_UNIT ? first->name : first->department_name;
    j->year = first->year;
    j->members = kind == GK_JOB_UNIT ? &j->unit : members;
    j->member_count = kind == GK_JOB_UNIT ? 1 : member_count;
    bool ok = true;
    for (size_t k = 0; k < b->opt->backend_count && ok; k++)
        ok = (j->outputs[k] = output_file(&b->arena, j->code, j->name, j->year,
                                          b->opt->backends[k]->extension)) != NULL;
    return ok;
}

/* "unit CODE" or "department CODE", translated, for messages. */
static void job_name(gk_job_kind kind, const char *code, char *buf, size_t size)
{
    if (kind == GK_JOB_UNIT)
        /* TRANSLATORS: %s is a unit's code. */
        snprintf(buf, size, _("unit %s"), code);
    else
        /* TRANSLATORS: %s is a department's code. */
        snprintf(buf, size, _("department %s"), code);
}

/* The number of units of the department whose group starts at by_department[start]. */
static size_t department_size(const gk_package *pkg, size_t start)
{
    const size_t *members;
    return gk_package_department_units(
        pkg, pkg->units[pkg->by_department[start]].department_code, &members);
}

/* A job the package could have, by the name of its first output. */
typedef struct output_name {
    char *file;
    gk_job_kind kind;
    const char *code;
} output_name;

static bool name_job(gk_arena *arena, output_name *n, gk_job_kind kind, const gk_unit *unit,
                     const char *extension)
{
    n->kind = kind;
    n->code = kind == GK_JOB_UNIT ? unit->code : unit->department_code;
    const char *name = kind == GK_JOB_UNIT ? unit->name : unit->department_name;
    return (n->file = output_file(arena, n->code, name, unit->year, extension)) != NULL;
}

static int compare_names_folded(const void *a, const void *b)
{
    const output_name *x = a, *y = b;
    int order = strcasecmp(x->file, y->file);
    if (order == 0 && x->kind != y->kind)
        order = x->kind == GK_JOB_UNIT ? -1 : 1;
    return order ? order : strcmp(x->code, y->code);
}

/* Two names of the sorted list that are one on a case-insensitive file system. */
static gk_status check_neighbours(const batch *b, const output_name *names, size_t count,
                                  gk_diag *diag)
{
    for (size_t i = 1; i < count; i++)
        if (strcasecmp(names[i - 1].file, names[i].file) == 0) {
            char one[256], other[256];
            job_name(names[i - 1].kind, names[i - 1].code, one, sizeof one);
            job_name(names[i].kind, names[i].code, other, sizeof other);
            return gk_diag_set(diag, GK_ERR_DATA, b->pkg->dir, 0, 0,
                               /* TRANSLATORS: two jobs ("unit 301001", "department 301") and a
                                  file name. */
                               "%s and %s would write the same file %s", one, other,
                               names[i - 1].file);
        }
    return GK_OK;
}

/* One output name per job, also on case-insensitive file systems (SMB, NTFS shares): checked
 * over the whole package (every unit and, with --department, every department) before any
 * --unit or --shard filter, so that shards written into one folder from many machines cannot
 * collide either. Sorted by the case-folded name: O(n log n). */
static gk_status check_names(const batch *b, gk_diag *diag)
{
    const gk_package *pkg = b->pkg;
    const char *extension = b->opt->backend_count ? b->opt->backends[0]->extension : "";
    output_name *names = calloc(2 * pkg->unit_count + 1, sizeof *names);
    gk_arena arena = {0};
    size_t count = 0;
    bool ok = names != NULL;
    for (size_t u = 0; ok && u < pkg->unit_count; u++)
        ok = name_job(&arena, &names[count++], GK_JOB_UNIT, &pkg->units[u], extension);
    for (size_t s = 0; ok && b->opt->departments && s < pkg->unit_count;
         s += department_size(pkg, s))
        ok = name_job(&arena, &names[count++], GK_JOB_DEPARTMENT,
                      &pkg->units[pkg->by_department[s]], extension);
    gk_status status = GK_OK;
    if (!ok) {
        status = gk_diag_set(diag, GK_ERR_NOMEM, pkg->dir, 0, 0, "out of memory");
    } else if (count > 0) {
        qsort(names, count, sizeof *names, compare_names_folded);
        status = check_neighbours(b, names, count, diag);
    }
    gk_arena_free(&arena);
    free(names);
    return status;
}

static gk_status make_jobs(batch *b, gk_diag *diag)
{
    const gk_package *pkg = b->pkg;
    const gk_batch_options *opt = b->opt;
    b->jobs = calloc(2 * pkg->unit_count + 1, sizeof *b->jobs);
    gk_status status = b->jobs ? check_names(b, diag)
                               : gk_diag_set(diag, GK_ERR_NOMEM, pkg->dir, 0, 0, "out of memory");
    bool ok = true;
    for (size_t u = 0; status == GK_OK && ok && u < pkg->unit_count; u++) {
        const gk_unit *unit = &pkg->units[u];
        if (gk_units_name(opt->units, opt->unit_count, unit->code) && in_shard(opt, unit->code))
            ok = add_job(b, GK_JOB_UNIT, u, NULL, 0);
    }
    /* a department is exported when its first unit is selected */
    for (size_t s = 0; status == GK_OK && ok && opt->departments && s < pkg->unit_count;) {
        size_t size = department_size(pkg, s);
        const size_t *members = &pkg->by_department[s];
        const gk_unit *first = &pkg->units[members[0]];
        if (gk_units_name(opt->units, opt->unit_count, first->code) &&
            in_shard(opt, first->department_code))
            ok = add_job(b, GK_JOB_DEPARTMENT, members[0], members, size);
        s += size;
    }
    if (status == GK_OK && !ok)
        status = gk_diag_set(diag, GK_ERR_NOMEM, pkg->dir, 0, 0, "out of memory");
    return status;
}

/* What every job's resume key shares (job_key.h), and the profile's hash for the manifest.
 * Each job's own part (its units' folders) is hashed by its worker, in parallel and only when
 * the job comes: a province's start does not wait for it. */
static gk_status start_keys(batch *b, gk_diag *diag)
{
    gk_status status = gk_job_keys_new(b->pkg, b->opt, &b->keys, diag);
    if (status == GK_OK)
        snprintf(b->profile_sha256, sizeof b->profile_sha256, "%s",
                 gk_job_keys_profile(b->keys));
    return status;
}

/* The job's resume key (64 hex digits); false when out of memory. */
static bool job_key(const batch *b, const job *j, char key[65])
{
    const char *outputs[MAX_BACKENDS];
    for (size_t k = 0; k < b->opt->backend_count; k++)
        outputs[k] = j->outputs[k];
    return gk_job_key(b->keys, j->kind, j->code, j->members, j->member_count, outputs,
                      b->opt->backend_count, key);
}

/* ---- the worker ------------------------------------------------------------------------------ */

static bool listed_in_env(const char *variable, const char *code)
{
    const char *list = getenv(variable);
    if (list == NULL)
        return false;
    size_t len = strlen(code);
    for (const char *p = strstr(list, code); p != NULL; p = strstr(p + 1, code))
        if ((p == list || p[-1] == ',') && (p[len] == '\0' || p[len] == ','))
            return true;
    return false;
}

/* Adds a line (already formatted and translated) to the messages the parent prints. */
static void add_text(json_t *result, const char *text)
{
    json_array_append_new(json_object_get(result, "messages"), json_string(text));
}

/* The same with FORMAT, translated, and its arguments. */
static void add_message(json_t *result, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
static void add_message(json_t *result, const char *format, ...)
{
    char text[4096];
    va_list args;
    va_start(args, format);
    vsnprintf(text, sizeof text, _(format), args);
    va_end(args);
    add_text(result, text);
}

/* Marks the job failed; the first reason given is the one reported. */
static void fail_job(json_t *result, const char *text)
{
    json_object_set_new(result, "status", json_string("failed"));
    if (json_object_get(result, "error") == NULL)
        json_object_set_new(result, "error", json_string(text));
}

/* The checks' findings into the report, and the line that says what became of errors. */
static void report_findings(const batch *b, const job *j, const gk_findings *findings,
                            json_t *result)
{
    json_t *list = json_object_get(result, "findings");
    for (size_t i = 0; i < findings->count; i++) {
        char text[GK_DIAG_LINE_MAX];
        gk_finding_format(&findings->items[i], text, sizeof text);
        json_array_append_new(list, json_string(text));
        add_text(result, text);
    }
    json_object_set_new(result, "errors", json_integer((json_int_t)findings->errors));
    json_object_set_new(result, "warnings", json_integer((json_int_t)findings->warnings));
    size_t errors = findings->errors;
    if (errors == 0)
        return;
    char name[256], text[1024];
    job_name(j->kind, j->code, name, sizeof name);
    if (b->opt->force)
        snprintf(text, sizeof text,
                 /* TRANSLATORS: a job ("unit 301001", "department 301") and its number of
                    errors; --force is an option and stays as it is. */
                 P_("gongkai: %s has %zu error; writing it anyway (--force)",
                    "gongkai: %s has %zu errors; writing it anyway (--force)", errors),
                 name, errors);
    else
        snprintf(text, sizeof text,
                 /* TRANSLATORS: a job ("unit 301001", "department 301") and its number of
                    errors; --force is an option and stays as it is. */
                 P_("gongkai: %s was not exported: its checks found %zu error "
                    "(--force writes it anyway)",
                    "gongkai: %s was not exported: its checks found %zu errors "
                    "(--force writes it anyway)", errors),
                 name, errors);
    add_text(result, text);
}

/* The published files into the report, with the size and hash --resume compares. */
static gk_status record_outputs(const batch *b, const job *j, char *const *paths,
                                json_t *result, gk_diag *diag)
{
    json_t *outputs = json_object_get(result, "outputs");
    for (size_t k = 0; k < b->opt->backend_count; k++) {
        char digest[65];
        long long size = 0;
        if (!gk_sha256_file(paths[k], digest, &size))
            return gk_diag_set(diag, GK_ERR_IO, paths[k], 0, 0, "cannot read back the output");
        json_array_append_new(outputs, json_pack("{s:s, s:I, s:s}", "file", j->outputs[k],
                                                 "bytes", (json_int_t)size, "sha256", digest));
        /* TRANSLATORS: %s is the path of a file written (a PDF or XLSX). */
        add_message(result, "gongkai: wrote %s", paths[k]);
    }
    return GK_OK;
}

/* Exports the job through the publishing gate (checks, render, publish together) and
 * records its outputs, or why it failed. The job reads its own units' rows from the package's
 * index (gk_package_load_units): a unit's, or its department's. */
static void export_job(const batch *b, const job *j, json_t *result)
{
    char *paths[MAX_BACKENDS] = {0};
    gk_diag diag;
    gk_diag_clear(&diag);
    gk_findings findings = {0};
    gk_package *pkg = NULL;
    gk_status status = gk_package_load_units(b->pkg, j->members, j->member_count, &pkg, &diag);
    for (size_t k = 0; k < b->opt->backend_count && status == GK_OK; k++)
        if ((paths[k] = gk_path_join(b->opt->output, j->outputs[k])) == NULL)
            status = gk_diag_set(&diag, GK_ERR_NOMEM, b->opt->output, 0, 0, "out of memory");
    int unit = status == GK_OK ? gk_package_unit_index(pkg, b->pkg->units[j->unit].code) : 0;
    gk_export_job request = {
        .pkg = pkg, .rules = b->opt->rules,
        .department = j->kind == GK_JOB_DEPARTMENT ? j->code : NULL, .unit = (size_t)unit,
        .backends = b->opt->backends, .paths = (const char *const *)paths,
        .count = b->opt->backend_count, .render = b->opt->render, .force = b->opt->force,
        .spare_cores = b->spare_cores,
    };
    if (status == GK_OK)
        status = gk_export(&request, &findings, &diag);
    bool refused = findings.errors > 0 && !b->opt->force;
    report_findings(b, j, &findings, result);
    gk_findings_free(&findings);
    if (status == GK_OK && (status = record_outputs(b, j, paths, result, &diag)) != GK_OK)
        for (size_t k = 0; k < b->opt->backend_count; k++)
            unlink(paths[k]); /* the manifest lists no file of a failed job: none stays */
    if (status != GK_OK) {
        char text[GK_DIAG_LINE_MAX];
        gk_diag_format(&diag, text, sizeof text);
        if (!refused)
            add_text(result, text); /* a refusal's first error is among the findings already */
        fail_job(result, text);
        json_array_clear(json_object_get(result, "outputs"));
    }
    for (size_t k = 0; k < MAX_BACKENDS; k++)
        free(paths[k]);
    gk_package_free(pkg);
}

static bool outputs_fresh(const batch *b, const job *j, const json_t *record);

/* --resume: the job is up to date when the previous run has it ok with the same key, and its
 * current outputs are in OUT with the recorded sizes and hashes. Its report is then that
 * record, marked up_to_date. */
static json_t *up_to_date(const batch *b, const job *j, const char *key)
{
    json_t *result = j->previous.length ? gk_record_read(b->previous_fd, j->previous) : NULL;
    if (result == NULL ||
        strcmp(json_string_value(json_object_get(result, "inputs_sha256")), key) != 0 ||
        !outputs_fresh(b, j, result)) {
        json_decref(result);
        return NULL;
    }
    json_object_set_new(result, "messages", json_array());
    json_object_set_new(result, "up_to_date", json_true());
    return result;
}

/* The process's anonymous memory in transparent huge pages (KiB; 0 when there is none or
 * /proc cannot tell), for --stats: whether a program's heap advice took effect. */
static long anon_huge_kb(void)
{
    FILE *f = fopen("/proc/self/smaps_rollup", "r");
    long kb = 0;
    char line[128];
    while (f != NULL && fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
            break;
    if (f != NULL)
        fclose(f);
    return kb;
}

/* Does one job in a worker and returns its report, with the job's resume key. The key is made
 * before the export reads the inputs: a file changed meanwhile then makes the next --resume
 * export the job again, never keep files made from older inputs under a newer key. When the
 * key cannot be made here, the parent makes it. */
static json_t *do_job(const batch *b, const job *j)
{
    char key[65];
    bool keyed = job_key(b, j, key);
    if (keyed && j->previous.length > 0) { /* --resume found an ok record of the job */
        json_t *fresh = up_to_date(b, j, key);
        if (fresh != NULL)
            return fresh;
    }
    if (listed_in_env("GONGKAI_TEST_CRASH", j->code))
        raise(SIGSEGV); /* test hook: a library crash in this unit */
    if (listed_in_env("GONGKAI_TEST_HANG", j->code))
        for (;;)
            pause(); /* test hook: a runaway job; only its time limit or the grace ends it */
    struct rlimit saved;
    bool limited = listed_in_env("GONGKAI_TEST_WRITE_FAIL", j->code);
    if (limited) {
        /* test hook: a full disk for this unit (writes beyond 4 KiB fail with EFBIG) */
        getrlimit(RLIMIT_FSIZE, &saved);
        struct rlimit limit = {4096, saved.rlim_max}; /* the soft limit only: it comes back */
        signal(SIGXFSZ, SIG_IGN);
        setrlimit(RLIMIT_FSIZE, &limit);
    }
    struct rusage before, after;
    getrusage(RUSAGE_SELF, &before);
    json_t *result = json_pack("{s:s, s:[], s:[], s:[], s:i, s:i}", "status", "ok", "messages",
                               "findings", "outputs", "errors", 0, "warnings", 0);
    export_job(b, j, result);
    getrusage(RUSAGE_SELF, &after);
    if (limited)
        setrlimit(RLIMIT_FSIZE, &saved);
    double cpu = (double)(after.ru_utime.tv_sec - before.ru_utime.tv_sec) * 1e3 +
                 (double)(after.ru_utime.tv_usec - before.ru_utime.tv_usec) / 1e3 +
                 (double)(after.ru_stime.tv_sec - before.ru_stime.tv_sec) * 1e3 +
                 (double)(after.ru_stime.tv_usec - before.ru_stime.tv_usec) / 1e3;
    json_object_set_new(result, "rss_kb", json_integer(after.ru_maxrss));
    json_object_set_new(result, "cpu_ms", json_real(cpu));
    if (b->opt->stats) {
        json_object_set_new(result, "huge_kb", json_integer(anon_huge_kb()));
        json_object_set_new(result, "page_faults",
                            json_integer(after.ru_minflt - before.ru_minflt));
    }
    if (keyed)
        json_object_set_new(result, "inputs_sha256", json_string(key));
    return result;
}

/* The worker process: reads job indexes, answers each with one line of JSON, until the
 * parent closes its end. Never returns. */
static void worker_main(const batch *b, int commands, int reports)
{
    signal(SIGINT, SIG_IGN); /* the parent decides; a job in progress finishes its file */
    signal(SIGTERM, SIG_IGN);
    sigprocmask(SIG_SETMASK, &b->worker_mask, NULL);
    uint32_t index;
    for (;;) {
        ssize_t n = read(commands, &index, sizeof index);
        if (n < 0 && errno == EINTR)
            continue;
        if (n != (ssize_t)sizeof index || index >= b->count)
            _exit(0);
        json_t *result = do_job(b, &b->jobs[index]);
        char *text = json_dumps(result, JSON_COMPACT);
        json_decref(result);
        bool ok = text && gk_write_all(reports, text, strlen(text)) &&
                  gk_write_all(reports, "\n", 1);
        free(text);
        if (!ok)
            _exit(1);
    }
}

/* ---- the output folder ------------------------------------------------------------------------ */

/* OUT/name, malloc'd (NULL when out of memory). */
static char *out_path(const batch *b, const char *name)
{
    size_t lo = strlen(b->opt->output), ln = strlen(name);
    char *path = malloc(lo + ln + 2);
    if (path != NULL) {
        memcpy(path, b->opt->output, lo);
        path[lo] = '/';
        memcpy(path + lo + 1, name, ln + 1);
    }
    return path;
}

static void manifest_name(const batch *b, char *name, size_t size)
{
    if (b->opt->shard_count > 0)
        snprintf(name, size, "manifest-%d-of-%d.json", b->opt->shard_index, b->opt->shard_count);
    else
        snprintf(name, size, "manifest.json");
}

/* An unsharded export holds OUT alone; a shard shares it with the other shards and holds its
 * own shard alone (out_folder.h). */
static gk_status lock_output(batch *b, gk_diag *diag)
{
    bool sharded = b->opt->shard_count > 0;
    gk_status status = gk_out_lock_take(b->opt->output, ".gongkai.lock", !sharded, &b->lock, diag);
    if (status == GK_OK && sharded) {
        char name[64];
        snprintf(name, sizeof name, ".gongkai-shard-%d-of-%d.lock", b->opt->shard_index,
                 b->opt->shard_count);
        status = gk_out_lock_take(b->opt->output, name, true, &b->shard_lock, diag);
    }
    return status;
}

static void unlock_output(batch *b)
{
    gk_out_lock_release(&b->shard_lock);
    gk_out_lock_release(&b->lock);
}

/* The prefixes of a job's temporaries (one per output) into out; returns how many. */
static size_t job_prefixes(const batch *b, const job *j, gk_temp_prefix *out)
{
    for (size_t k = 0; k < b->opt->backend_count; k++)
        gk_publish_prefix(j->outputs[k], out[k].text);
    return b->opt->backend_count;
}

/* Removes what a job may have left: the temporaries of each of its outputs. */
static void sweep_job(const batch *b, const job *j)
{
    gk_temp_prefix prefixes[MAX_BACKENDS];
    size_t count = job_prefixes(b, j, prefixes);
    gk_temp_prefixes_sort(prefixes, count);
    gk_out_sweep(b->opt->output, prefixes, count);
}

/* Stale temporaries of an earlier, killed run, in one pass over OUT: an unsharded export
 * (which holds OUT alone) removes every one; a shard only those of its own jobs and manifest,
 * since other shards may be writing beside it. */
static void sweep_all(const batch *b)
{
    if (b->opt->shard_count <= 0) {
        gk_out_sweep(b->opt->output, NULL, 0);
        return;
    }
    gk_temp_prefix *prefixes = calloc(b->count * b->opt->backend_count + 1, sizeof *prefixes);
    if (prefixes == NULL)
        return;
    size_t count = 0;
    for (size_t i = 0; i < b->count; i++)
        count += job_prefixes(b, &b->jobs[i], prefixes + count);
    char manifest[64];
    manifest_name(b, manifest, sizeof manifest);
    gk_publish_prefix(manifest, prefixes[count++].text);
    gk_temp_prefixes_sort(prefixes, count);
    gk_out_sweep(b->opt->output, prefixes, count);
    free(prefixes);
}

/* ---- the parent ---------------------------------------------------------------------------- */

typedef struct worker {
    pid_t pid;
    int commands, reports; /* pipes to and from the worker */
    job *job;              /* the job it is doing, or NULL */
    double started;        /* when it was given the job */
    char *buffer;          /* the report so far */
    size_t len, capacity;
} worker;

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* Forks a worker. It inherits the loaded package; it closes the other workers' pipes so that
 * each sees its own end of file. */
static bool spawn_worker(const batch *b, worker *workers, size_t count, worker *w)
{
    int commands[2], reports[2];
    if (pipe(commands) != 0)
        return false;
    if (pipe(reports) != 0) {
        close(commands[0]);
        close(commands[1]);
        return false;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(commands[0]);
        close(commands[1]);
        close(reports[0]);
        close(reports[1]);
        return false;
    }
    if (pid == 0) {
        for (size_t i = 0; i < count; i++) {
            close_fd(&workers[i].commands);
            close_fd(&workers[i].reports);
        }
        close(commands[1]);
        close(reports[0]);
        worker_main(b, commands[0], reports[1]);
    }
    close(commands[0]);
    close(reports[1]);
    *w = (worker){pid, commands[1], reports[0], NULL, 0, w->buffer, 0, w->capacity};
    return true;
}

/* The parent's record of a job that gave no report: status "failed" or "interrupted". */
static json_t *failure_record(const char *status, const char *reason)
{
    return json_pack("{s:s, s:s, s:[], s:[], s:[], s:i, s:i}", "status", status, "error",
                     reason, "messages", "findings", "outputs", "errors", 0, "warnings", 0);
}

/* A job's status ("ok", "failed", "interrupted": the manifest's values) as people read it. */
static const char *status_word(const char *status)
{
    if (strcmp(status, "ok") == 0)
        /* TRANSLATORS: a job's status in progress lines: it was exported. */
        return _("ok");
    if (strcmp(status, "failed") == 0)
        /* TRANSLATORS: a job's status in progress lines and the summary table. */
        return _("failed");
    if (strcmp(status, "interrupted") == 0)
        /* TRANSLATORS: a job's status in the summary table: stopped by Ctrl-C or a signal. */
        return _("interrupted");
    return status;
}

static void print_above_progress(const batch *b, const char *line)
{
    if (b->opt->quiet)
        return;
    if (b->tty)
        fprintf(stderr, "\r\033[K");
    fprintf(stderr, "%s\n", line);
}

static void show_progress(const batch *b)
{
    if (b->opt->quiet || !b->tty)
        return;
    double elapsed = now_seconds() - b->started;
    double rate = elapsed > 0 ? (double)b->done / elapsed : 0;
    double eta = rate > 0 ? (double)(b->count - b->done) / rate : 0;
    fprintf(stderr, "\r\033[K");
    /* TRANSLATORS: the progress line: jobs done of all, jobs failed, jobs per second, the
       estimated seconds left. */
    fprintf(stderr, _("[%zu/%zu] %zu failed, %.1f units/s, ETA %.0f s"), b->done, b->count,
            b->failed, rate, eta);
    fflush(stderr);
}

/* A job's report as it comes: its messages, its progress line, the counts. */
static void print_report(batch *b, const job *j, const json_t *result)
{
    const json_t *messages = json_object_get(result, "messages");
    for (size_t i = 0; i < json_array_size(messages); i++)
        print_above_progress(b, json_string_value(json_array_get(messages, i)));
    if (j->rss_kb > b->worker_rss_max_kb)
        b->worker_rss_max_kb = j->rss_kb;
    long huge_kb = (long)json_integer_value(json_object_get(result, "huge_kb"));
    if (huge_kb > b->worker_huge_max_kb)
        b->worker_huge_max_kb = huge_kb;
    long faults = (long)json_integer_value(json_object_get(result, "page_faults"));
    if (faults > b->job_faults_max)
        b->job_faults_max = faults;
    b->worker_cpu_ms += json_real_value(json_object_get(result, "cpu_ms"));
    b->done++;
    if (j->state != JOB_OK)
        b->failed++;
    if (!b->tty && !b->opt->quiet) {
        /* TRANSLATORS: a progress line without a terminal: jobs done of all, a unit's or
           department's code and its status (ok, failed). */
        fprintf(stderr, _("gongkai: [%zu/%zu] %s %s"), b->done, b->count, j->code,
                status_word(json_string_value(json_object_get(result, "status"))));
        fputc('\n', stderr);
    }
    show_progress(b);
}

static job_state state_of(const char *status)
{
    if (strcmp(status, "ok") == 0)
        return JOB_OK;
    return strcmp(status, "failed") == 0 ? JOB_FAILED : JOB_INTERRUPTED;
}

static json_t *job_record(const job *j, const json_t *result);

/* The job's manifest record into the spill, its report's memory freed at once: the parent's
 * memory stays flat in the number of jobs. A job whose worker gave no key gets it here. */
static void spill_record(batch *b, job *j, const json_t *result)
{
    if (b->spill_error != 0)
        return;
    if (j->inputs_sha256[0] == '\0' && !job_key(b, j, j->inputs_sha256)) {
        b->spill_error = ENOMEM;
        return;
    }
    json_t *record = job_record(j, result);
    b->spill_error = record ? gk_spill_put(&b->spill, record, &j->record) : ENOMEM;
    json_decref(record);
}

/* Records a finished job: its report, or the parent's record of a crash (taken). A job up to
 * date (--resume) is recorded quietly, as it was not exported. */
static void record_job(batch *b, job *j, json_t *result)
{
    const char *key = json_string_value(json_object_get(result, "inputs_sha256"));
    if (key != NULL)
        snprintf(j->inputs_sha256, sizeof j->inputs_sha256, "%s", key);
    j->state = state_of(json_string_value(json_object_get(result, "status")));
    j->rss_kb = (long)json_integer_value(json_object_get(result, "rss_kb"));
    if (json_is_true(json_object_get(result, "up_to_date"))) {
        j->skipped = true;
        show_progress(b);
    } else {
        print_report(b, j, result);
    }
    spill_record(b, j, result);
    json_decref(result);
}

/* Records a job that ended without a report, with status and reason (NULL: how it died, from
 * its wait status): its worker crashed or was killed, or it ran in this process and the
 * recovery records it (in_process.h). Nothing it was writing stays behind. */
static void job_ended(batch *b, job *j, int wait_status, const char *status, const char *reason)
{
    char why[256];
    if (reason != NULL)
        snprintf(why, sizeof why, "%s", reason);
    else if (WIFSIGNALED(wait_status))
        /* TRANSLATORS: a worker process died; a signal number and its name (from the system). */
        snprintf(why, sizeof why, _("worker crashed: signal %d (%s)"), WTERMSIG(wait_status),
                 strsignal(WTERMSIG(wait_status)));
    else
        snprintf(why, sizeof why, _("worker exited with status %d without a report"),
                 WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1);
    sweep_job(b, j);
    char name[256], line[768];
    job_name(j->kind, j->code, name, sizeof name);
    /* TRANSLATORS: a job ("unit 301001", "department 301") and why it failed. */
    snprintf(line, sizeof line, _("gongkai: %s: %s"), name, why);
    print_above_progress(b, line);
    record_job(b, j, failure_record(status, why));
}

/* A job stopped at its deadline: its time limit, or the end of the grace after an interrupt. */
static void job_overdue(batch *b, job *j, bool timed_out)
{
    char reason[128];
    if (timed_out) {
        /* TRANSLATORS: a job's error: it ran longer than --job-timeout seconds. */
        snprintf(reason, sizeof reason, _("timed out after %d s"), b->opt->job_timeout);
        job_ended(b, j, 0, "failed", reason);
    } else {
        snprintf(reason, sizeof reason,
                 /* TRANSLATORS: a job's error: it was still running this many seconds
                    after Ctrl-C or SIGTERM, and was stopped. */
                 _("stopped: still running %d s after the interrupt"), GRACE_SECONDS);
        job_ended(b, j, 0, "interrupted", reason);
    }
}

/* A worker that ended without a report (it crashed, or was killed for its time limit or after
 * an interrupt) is waited for; returns its job (NULL: it had none). */
static job *worker_gone(worker *w, int *wait_status)
{
    *wait_status = 0;
    while (waitpid(w->pid, wait_status, 0) < 0 && errno == EINTR)
        ;
    close_fd(&w->commands);
    close_fd(&w->reports);
    w->pid = 0;
    w->len = 0;
    job *j = w->job;
    w->job = NULL;
    return j;
}

/* A worker died without a report: its job is recorded failed, with how the worker died. */
static void worker_died(batch *b, worker *w)
{
    int wait_status;
    job *j = worker_gone(w, &wait_status);
    if (j != NULL)
        job_ended(b, j, wait_status, "failed", NULL);
}

/* Reads what the worker sent; a complete line is its job's report. False when it died. */
static bool read_report(batch *b, worker *w)
{
    if (w->len + 65536 > w->capacity) {
        size_t bigger = w->capacity ? w->capacity * 2 : 131072;
        char *p = realloc(w->buffer, bigger);
        if (p == NULL)
            return false;
        w->buffer = p;
        w->capacity = bigger;
    }
    ssize_t n = read(w->reports, w->buffer + w->len, w->capacity - w->len);
    if (n < 0 && errno == EINTR)
        return true;
    if (n <= 0)
        return false;
    w->len += (size_t)n;
    char *end = memchr(w->buffer, '\n', w->len);
    if (end == NULL || w->job == NULL)
        return true;
    json_error_t error;
    json_t *result = json_loadb(w->buffer, (size_t)(end - w->buffer), 0, &error);
    job *j = w->job;
    w->job = NULL;
    w->len = 0;
    record_job(b, j,
               result ? result : failure_record("failed", _("unreadable worker report")));
    return true;
}

static bool assign(worker *w, job *j, const batch *b)
{
    uint32_t index = (uint32_t)(j - b->jobs);
    if (!gk_write_all(w->commands, &index, sizeof index))
        return false;
    w->job = j;
    w->started = now_seconds();
    return true;
}

/* When the worker's job must end: its time limit, or the end of the grace after an interrupt,
 * whichever comes first (0: never). */
static double deadline(const batch *b, const worker *w)
{
    double limit = b->opt->job_timeout > 0 ? w->started + b->opt->job_timeout : 0;
    if (b->stop_at > 0 && (limit == 0 || b->stop_at < limit))
        limit = b->stop_at;
    return limit;
}

/* How long to wait for reports: until the first deadline (NULL: for ever). */
static struct timespec *wait_time(const batch *b, const worker *workers, size_t count,
                                  struct timespec *ts)
{
    double first = 0;
    for (size_t i = 0; i < count; i++) {
        double d = workers[i].job ? deadline(b, &workers[i]) : 0;
        if (d > 0 && (first == 0 || d < first))
            first = d;
    }
    if (first == 0)
        return NULL;
    double left = fmax(first - now_seconds(), 0);
    ts->tv_sec = (time_t)left;
    ts->tv_nsec = (long)((left - (double)ts->tv_sec) * 1e9);
    return ts;
}

/* Kills the workers whose job is past its deadline; the pool restarts them for the next. */
static void kill_overdue(batch *b, worker *workers, size_t count)
{
    double now = now_seconds();
    for (size_t i = 0; i < count; i++) {
        worker *w = &workers[i];
        double d = w->job ? deadline(b, w) : 0;
        if (d == 0 || now < d)
            continue;
        kill(w->pid, SIGKILL);
        bool timed_out = b->opt->job_timeout > 0 && now >= w->started + b->opt->job_timeout;
        int wait_status;
        job *j = worker_gone(w, &wait_status);
        if (j != NULL)
            job_overdue(b, j, timed_out);
    }
}

/* Gives every idle worker (starting or restarting it) the next job, unless interrupted. */
static void assign_jobs(batch *b, worker *workers, size_t count, size_t *next)
{
    for (size_t i = 0; i < count && !interrupted; i++) {
        worker *w = &workers[i];
        if (w->job != NULL || *next >= b->count)
            continue;
        job *j = &b->jobs[(*next)++];
        if (w->pid == 0) {
            if (!spawn_worker(b, workers, count, w)) {
                record_job(b, j, failure_record("failed", _("cannot start a worker process")));
                continue;
            }
            b->workers_started++;
        }
        if (!assign(w, j, b)) {
            w->job = j;
            worker_died(b, w);
        }
    }
}

static void reap(pid_t pid)
{
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
}

/* Waits for the idle workers told to exit once the pool was done (see run_pool). */
static void reap_exiting(batch *b)
{
    for (size_t i = 0; i < b->exiting_count; i++)
        reap(b->exiting[i]);
    free(b->exiting);
    b->exiting = NULL;
    b->exiting_count = 0;
}

/* A batch of one job runs it in this process (in_process.h says why, and how a worker's
 * guarantees are kept); false when it cannot, and the pool runs it. */
static bool ran_here(batch *b)
{
    if (b->count != 1 || interrupted ||
        !gk_in_process_begin(b->opt->argv, b->opt->job_timeout, GRACE_SECONDS))
        return false;
    sigset_t blocked;
    sigprocmask(SIG_SETMASK, &b->poll_mask, &blocked); /* SIGINT/SIGTERM start its grace */
    json_t *result = do_job(b, &b->jobs[0]);
    sigprocmask(SIG_SETMASK, &blocked, NULL);
    gk_in_process_end();
    record_job(b, &b->jobs[0], result);
    return true;
}

/* Whether this run is the recovery of a job that ended this process (in_process.h): the job is
 * recorded as the pool records a worker that died or was killed. (A package that no longer
 * makes one job has its jobs recorded as not run.) */
static bool recovered(batch *b)
{
    int sig;
    gk_job_end end = gk_in_process_recovery(&sig);
    if (end == GK_JOB_END_NONE)
        return false;
    if (b->count != 1)
        return true;
    if (end == GK_JOB_END_CRASH) {
        job_ended(b, &b->jobs[0], W_EXITCODE(0, sig), "failed", NULL);
    } else {
        if (end == GK_JOB_END_INTERRUPT)
            interrupted = sig;
        job_overdue(b, &b->jobs[0], end == GK_JOB_END_TIMEOUT);
    }
    return true;
}

/* Runs the jobs on `workers` long-lived worker processes, restarting any that dies or is
 * killed. SIGINT and SIGTERM are blocked by the caller and let through only while waiting. */
static void run_pool(batch *b)
{
    size_t count = (size_t)(b->opt->workers > 0 ? b->opt->workers : 1);
    worker *workers = calloc(count, sizeof *workers);
    struct pollfd *fds = calloc(count, sizeof *fds);
    size_t *which = calloc(count, sizeof *which);
    if (workers == NULL || fds == NULL || which == NULL)
        goto done;
    for (size_t i = 0; i < count; i++)
        workers[i].commands = workers[i].reports = -1;
    size_t next = 0;
    for (;;) {
        if (interrupted && b->stop_at == 0)
            b->stop_at = now_seconds() + GRACE_SECONDS;
        assign_jobs(b, workers, count, &next);
        size_t busy = 0;
        for (size_t i = 0; i < count; i++)
            if (workers[i].job != NULL) {
                fds[busy] = (struct pollfd){workers[i].reports, POLLIN, 0};
                which[busy++] = i;
            }
        if (busy == 0)
            break;
        struct timespec ts;
        if (ppoll(fds, busy, wait_time(b, workers, count, &ts), &b->poll_mask) < 0 &&
            errno != EINTR)
            break;
        for (size_t k = 0; k < busy; k++)
            if ((fds[k].revents & (POLLIN | POLLHUP | POLLERR)) &&
                !read_report(b, &workers[which[k]]))
                worker_died(b, &workers[which[k]]);
        kill_overdue(b, workers, count);
    }
done:
    /* closing the command pipes tells the workers to exit; one still busy (only when waiting
       failed) is killed and waited for before the sweep, never without end; an idle one's
       exit is waited for after the manifest (reap_exiting): it writes nothing more */
    b->exiting = workers ? calloc(count, sizeof *b->exiting) : NULL;
    for (size_t i = 0; workers && i < count; i++) {
        bool busy = workers[i].job != NULL;
        if (busy && workers[i].pid > 0)
            kill(workers[i].pid, SIGKILL);
        close_fd(&workers[i].commands);
        close_fd(&workers[i].reports);
        if (workers[i].pid > 0 && !busy && b->exiting != NULL)
            b->exiting[b->exiting_count++] = workers[i].pid;
        else if (workers[i].pid > 0)
            reap(workers[i].pid);
        free(workers[i].buffer);
    }
    free(workers);
    free(fds);
    free(which);
}

/* ---- manifest -------------------------------------------------------------------------------- */

/* A job's kind as the manifest writes it. */
static const char *kind_word(gk_job_kind kind)
{
    return kind == GK_JOB_UNIT ? "unit" : "department";
}

/* The job's manifest record: what its report (NULL: none came) says of it. */
static json_t *job_record(const job *j, const json_t *result)
{
    const char *status = result ? json_string_value(json_object_get(result, "status"))
                                : (interrupted ? "interrupted" : "failed");
    json_t *record = json_pack("{s:s, s:s, s:s, s:s, s:s}", "code", j->code, "kind",
                               kind_word(j->kind), "name", j->name,
                               "status", status, "inputs_sha256", j->inputs_sha256);
    if (result != NULL && record != NULL) {
        static const char *const keys[] = {"error", "errors", "warnings", "findings", "outputs"};
        for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
            json_t *value = json_object_get(result, keys[k]);
            if (value != NULL)
                json_object_set(record, keys[k], value);
        }
    }
    return record;
}

/* The state the job's record has: a job that never reported is interrupted after an
 * interrupt, else failed (job_record). */
static job_state final_state(const job *j)
{
    if (j->state != JOB_WAITING)
        return j->state;
    return interrupted ? JOB_INTERRUPTED : JOB_FAILED;
}

static int compare_jobs(const void *a, const void *b);

/* Everything of the manifest before "units": the run, and its summary. */
static json_t *manifest_header(const batch *b)
{
    size_t counts[JOB_INTERRUPTED + 1] = {0};
    for (size_t i = 0; i < b->count; i++)
        counts[final_state(&b->jobs[i])]++;
    json_t *header = json_pack("{s:s, s:s, s:s}", "gongkai", GK_VERSION, "profile",
                               b->pkg->profile->name, "profile_sha256", b->profile_sha256);
    if (header != NULL && b->opt->shard_count > 0) {
        char shard[32];
        snprintf(shard, sizeof shard, "%d/%d", b->opt->shard_index, b->opt->shard_count);
        json_object_set_new(header, "shard", json_string(shard));
    }
    if (header != NULL)
        json_object_set_new(header, "summary",
                            gk_manifest_summary_of(counts[JOB_OK], counts[JOB_FAILED],
                                                   counts[JOB_INTERRUPTED]));
    return header;
}

/* The job's record, read back from the spill, or made now when it never reported. */
static json_t *read_record(const batch *b, const job *j)
{
    return j->record.length ? gk_record_read(b->spill.fd, j->record) : job_record(j, NULL);
}

/* The records streamed in manifest order (compare_jobs is compare_records' order), each read
 * back from the spill: one record in memory at a time. */
static gk_status write_records(const batch *b, job **order, const char *path, gk_diag *diag)
{
    json_t *header = manifest_header(b);
    gk_manifest_writer w;
    gk_status status = header ? gk_manifest_begin(&w, path, header, diag)
                              : gk_diag_set(diag, GK_ERR_NOMEM, path, 0, 0, "out of memory");
    json_decref(header);
    if (status != GK_OK)
        return status;
    for (size_t i = 0; i < b->count && status == GK_OK; i++) {
        json_t *record = read_record(b, order[i]);
        status = record ? gk_manifest_add(&w, record, diag)
                        : gk_diag_set(diag, GK_ERR_IO, path, 0, 0, "cannot write: %s",
                                      strerror(errno ? errno : EIO));
        json_decref(record);
    }
    if (status != GK_OK) {
        gk_manifest_abandon(&w);
        return status;
    }
    return gk_manifest_finish(&w, diag);
}

static gk_status write_manifest(batch *b, gk_diag *diag)
{
    char name[64];
    manifest_name(b, name, sizeof name);
    char *path = out_path(b, name);
    job **order = calloc(b->count + 1, sizeof *order);
    bool ok = path != NULL && order != NULL;
    /* the keys of jobs that gave no report (never started: an interrupt) */
    for (size_t i = 0; ok && i < b->count; i++) {
        job *j = &b->jobs[i];
        order[i] = j;
        if (j->inputs_sha256[0] == '\0')
            ok = job_key(b, j, j->inputs_sha256);
    }
    gk_status status;
    if (!ok) {
        status = gk_diag_set(diag, GK_ERR_NOMEM, b->opt->output, 0, 0, "out of memory");
    } else if (b->spill_error != 0) {
        status = gk_diag_set(diag, GK_ERR_IO, path, 0, 0, "cannot write: %s",
                             strerror(b->spill_error));
    } else {
        if (b->count > 0)
            qsort(order, b->count, sizeof *order, compare_jobs);
        status = write_records(b, order, path, diag);
    }
    free(order);
    free(path);
    return status;
}

/* --resume cannot trust the previous run's manifest: a warning naming it (diag says why). */
static void warn_previous(const batch *b, const gk_diag *diag)
{
    char message[GK_DIAG_MESSAGE_MAX + 64], line[GK_DIAG_LINE_MAX + 64];
    /* TRANSLATORS: --resume cannot use the previous run's manifest; %s says why. */
    snprintf(message, sizeof message, _("%s; every job is exported again"), diag->message);
    gk_diag_format_message(line, sizeof line, diag->file, diag->line, diag->column, true,
                           message);
    print_above_progress(b, line);
}

/* Units first, then departments, each by code: the manifest's order (gk_manifest_order). */
static int compare_jobs(const void *a, const void *b)
{
    const job *x = *(const job *const *)a, *y = *(const job *const *)b;
    return gk_manifest_order(kind_word(x->kind), x->code, kind_word(y->kind), y->code);
}

/* The job a manifest record is about, or NULL (index: the jobs sorted by compare_jobs). */
static job *find_job(job **index, size_t count, const json_t *record)
{
    const char *kind = json_string_value(json_object_get(record, "kind"));
    job key = {.kind = strcmp(kind, "unit") == 0 ? GK_JOB_UNIT : GK_JOB_DEPARTMENT,
               .code = json_string_value(json_object_get(record, "code"))};
    const job *pointer = &key;
    job **found = count ? bsearch(&pointer, index, count, sizeof *index, compare_jobs) : NULL;
    return found ? *found : NULL;
}

/* Every output the job writes now is in the record, and in OUT with the recorded size and
 * hash (a format not written before is not fresh). */
static bool outputs_fresh(const batch *b, const job *j, const json_t *record)
{
    const json_t *outputs = json_object_get(record, "outputs");
    if (json_array_size(outputs) != b->opt->backend_count)
        return false;
    for (size_t k = 0; k < b->opt->backend_count; k++) {
        const json_t *recorded = NULL;
        for (size_t o = 0; o < json_array_size(outputs) && recorded == NULL; o++)
            if (strcmp(json_string_value(json_object_get(json_array_get(outputs, o), "file")),
                       j->outputs[k]) == 0)
                recorded = json_array_get(outputs, o);
        char *path = recorded ? out_path(b, j->outputs[k]) : NULL;
        char digest[65];
        long long size = -1;
        bool same = path && gk_sha256_file(path, digest, &size) &&
                    size == json_integer_value(json_object_get(recorded, "bytes")) &&
                    strcmp(digest, json_string_value(json_object_get(recorded, "sha256"))) == 0;
        free(path);
        if (!same)
            return false;
    }
    return true;
}

/* The jobs sorted by compare_jobs, for the previous manifest's records to find theirs. */
typedef struct job_index {
    job **jobs;
    size_t count;
} job_index;

/* A record of the previous manifest: its job's, when it was ok (the first such). */
static void note_previous(const json_t *record, gk_record_at at, void *data)
{
    const job_index *index = data;
    job *j = find_job(index->jobs, index->count, record);
    if (j != NULL && j->previous.length == 0 &&
        strcmp(json_string_value(json_object_get(record, "status")), "ok") == 0)
        j->previous = at;
}

/* --resume: where each job's record is in the previous manifest, read one record at a time
 * and kept open (previous_fd), never whole: its worker reads the record and tells whether the
 * job is up to date (up_to_date). No manifest: quietly none; a manifest that cannot be
 * trusted: a warning, and every job is exported again. */
static void find_previous(batch *b)
{
    char name[64];
    manifest_name(b, name, sizeof name);
    char *path = out_path(b, name);
    job_index index = {calloc(b->count + 1, sizeof *index.jobs), b->count};
    struct stat st;
    if (path != NULL && index.jobs != NULL && (lstat(path, &st) == 0 || errno != ENOENT)) {
        for (size_t i = 0; i < b->count; i++)
            index.jobs[i] = &b->jobs[i];
        if (b->count > 0)
            qsort(index.jobs, b->count, sizeof *index.jobs, compare_jobs);
        gk_diag diag;
        gk_diag_clear(&diag);
        if (gk_manifest_index(path, note_previous, &index, &b->previous_fd, &diag) != GK_OK) {
            for (size_t i = 0; i < b->count; i++)
                b->jobs[i].previous = (gk_record_at){0, 0};
            warn_previous(b, &diag);
        }
    }
    free(index.jobs);
    free(path);
}

/* ---- summary ---------------------------------------------------------------------------------- */

typedef struct tally {
    size_t exported, fresh, failed, interrupted;
} tally;

/* The jobs by what became of them: written in this run, up to date, failed, and interrupted
 * (never started, or stopped after the grace). */
static tally count_jobs(const batch *b)
{
    tally t = {0};
    for (size_t i = 0; i < b->count; i++) {
        const job *j = &b->jobs[i];
        if (j->skipped)
            t.fresh++;
        else if (j->state == JOB_OK)
            t.exported++;
        else if (j->state == JOB_FAILED)
            t.failed++;
        else
            t.interrupted++;
    }
    return t;
}

/* A cell of the summary table and the space after it. */
static void print_cell(const char *text, int width)
{
    gk_print_padded(stderr, text, width);
    fputc(' ', stderr);
}

/* The jobs that ran and did not succeed: code, status, first error. */
static void print_failures(const batch *b)
{
    /* TRANSLATORS: the header of the table of failed jobs: a unit's code, its status and
       the first error it had. */
    print_cell(_("unit"), 12);
    /* TRANSLATORS: header of the table of failed jobs, second column. */
    print_cell(_("status"), 8);
    /* TRANSLATORS: header of the table of failed jobs, last column. */
    fprintf(stderr, "%s\n", _("first error"));
    for (size_t i = 0; i < b->count; i++) {
        const job *j = &b->jobs[i];
        if (j->state == JOB_WAITING || j->state == JOB_OK)
            continue;
        json_t *record = read_record(b, j); /* its first error: failures are few, or all */
        const char *status = json_string_value(json_object_get(record, "status"));
        const char *error = json_string_value(json_object_get(record, "error"));
        print_cell(j->code, 12);
        print_cell(status ? status_word(status) : "", 8);
        fprintf(stderr, "%s\n", error ? error : "");
        json_decref(record);
    }
}

static void print_stats(const batch *b, size_t skipped)
{
    struct rusage self;
    getrusage(RUSAGE_SELF, &self);
    double wall = now_seconds() - b->started;
    /* TRANSLATORS: --stats: wall-clock seconds, CPU milliseconds of the workers, jobs per
       second, peak memory (resident set size) of the parent and of one worker. */
    fprintf(stderr, _("gongkai: stats: wall %.3f s, worker cpu %.1f ms, %.1f jobs/s, parent "
                      "peak RSS %ld KB, worker peak RSS %ld KB"),
            wall, b->worker_cpu_ms, wall > 0 ? (double)(b->count - skipped) / wall : 0,
            self.ru_maxrss, b->worker_rss_max_kb);
    fputc('\n', stderr);
    /* TRANSLATORS: --stats: the most memory one worker had in 2 MiB pages (KiB). */
    fprintf(stderr, _("gongkai: stats: worker memory in huge pages %ld KB"),
            b->worker_huge_max_kb);
    fputc('\n', stderr);
    /* TRANSLATORS: --stats: the most page faults (first touches of a memory page) of a job. */
    fprintf(stderr, _("gongkai: stats: a job's page faults at most %ld"), b->job_faults_max);
    fputc('\n', stderr);
    /* TRANSLATORS: --stats: worker processes started (0: one job, run in the exporting
       process). */
    fprintf(stderr, _("gongkai: stats: workers started %zu"), b->workers_started);
    fputc('\n', stderr);
    /* a worker's memory must not grow with the batch: job 1, 100 and the last */
    size_t marks[] = {0, 99, b->count ? b->count - 1 : 0};
    /* TRANSLATORS: --stats: followed by " #1 20480 KB #100 20992 KB …". */
    fputs(_("gongkai: stats: worker peak RSS by job:"), stderr);
    for (size_t m = 0; m < 3; m++)
        if (marks[m] < b->count && b->jobs[marks[m]].state != JOB_WAITING &&
            (m == 0 || marks[m] > marks[m - 1])) /* each job once, in a batch of fewer */
            fprintf(stderr, " #%zu %ld KB", marks[m] + 1, b->jobs[marks[m]].rss_kb);
    fprintf(stderr, "\n");
}

static void print_summary(const batch *b)
{
    tally t = count_jobs(b);
    if (!b->opt->quiet) {
        if (b->tty)
            fprintf(stderr, "\r\033[K");
        if (b->failed > 0)
            print_failures(b);
        char jobs[128], done[128], fresh[128], failed[128], stopped[128];
        /* TRANSLATORS: the summary line reads "gongkai: 5 jobs, 4 exported, 0 up to date,
           1 failed"; these are its four parts. */
        snprintf(jobs, sizeof jobs, P_("%zu job", "%zu jobs", b->count), b->count);
        /* TRANSLATORS: jobs whose files were written in this run. */
        snprintf(done, sizeof done, P_("%zu exported", "%zu exported", t.exported), t.exported);
        /* TRANSLATORS: jobs skipped by --resume: their files are up to date with their inputs. */
        snprintf(fresh, sizeof fresh, P_("%zu up to date", "%zu up to date", t.fresh), t.fresh);
        /* TRANSLATORS: jobs that failed. */
        snprintf(failed, sizeof failed, P_("%zu failed", "%zu failed", t.failed), t.failed);
        if (t.interrupted == 0) {
            /* TRANSLATORS: the summary line: the number of jobs, of jobs exported, up to date
               and failed (each translated on its own). */
            fprintf(stderr, _("gongkai: %s, %s, %s, %s"), jobs, done, fresh, failed);
        } else {
            /* TRANSLATORS: jobs that an interrupt (Ctrl-C, SIGTERM) kept from finishing: never
               started, or stopped. */
            snprintf(stopped, sizeof stopped, P_("%zu interrupted", "%zu interrupted",
                                                 t.interrupted), t.interrupted);
            /* TRANSLATORS: the summary line after an interrupt: the number of jobs, of jobs
               exported, up to date, failed and interrupted (each translated on its own). */
            fprintf(stderr, _("gongkai: %s, %s, %s, %s, %s"), jobs, done, fresh, failed, stopped);
        }
        fputc('\n', stderr);
    }
    if (b->opt->stats)
        print_stats(b, t.fresh);
}

/* ---- the batch -------------------------------------------------------------------------------- */

/* The spill of the jobs' records, beside the manifest (spill.h). */
static gk_status open_spill(batch *b, gk_diag *diag)
{
    char name[64];
    manifest_name(b, name, sizeof name);
    char *path = out_path(b, name);
    gk_status status = path ? gk_spill_open(&b->spill, path, diag)
                            : gk_diag_set(diag, GK_ERR_NOMEM, b->opt->output, 0, 0,
                                          "out of memory");
    free(path);
    return status;
}

/* Everything before the first job: the jobs and their names, the backends' resources, OUT's
 * lock, the spill, what the jobs' keys share, the sweep of an earlier run's temporaries, --resume. */
static gk_status prepare_batch(batch *b, gk_diag *diag)
{
    gk_status status = make_jobs(b, diag);
    /* resources (fonts) are checked once, before any unit */
    for (size_t k = 0; status == GK_OK && k < b->opt->backend_count; k++)
        if (b->opt->backends[k]->prepare)
            status = b->opt->backends[k]->prepare(b->opt->render, diag);
    if (status == GK_OK)
        status = lock_output(b, diag);
    if (status == GK_OK)
        status = open_spill(b, diag);
    if (status == GK_OK)
        status = start_keys(b, diag);
    if (status != GK_OK)
        return status;
    sweep_all(b);
    if (b->opt->resume && !interrupted)
        find_previous(b);
    return GK_OK;
}

/* Whether the jobs running at once leave a core idle (one unit exported on a machine of two
 * cores): then a job renders its booklet and workbook in parallel. */
static bool leaves_cores_idle(const batch *b)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    size_t workers = (size_t)(b->opt->workers > 0 ? b->opt->workers : 1);
    size_t at_once = workers < b->count ? workers : b->count;
    return cores > 0 && at_once < (size_t)cores;
}

/* Runs the jobs, then writes the manifest and the summary; returns the exit status. */
static int run_batch(batch *b, gk_diag *diag)
{
    /* the signals arrive only while the pool waits (ppoll), so that none is missed between
       the check and the wait */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sigprocmask(SIG_BLOCK, &stop, &b->worker_mask);
    b->poll_mask = b->worker_mask;
    sigdelset(&b->poll_mask, SIGINT);
    sigdelset(&b->poll_mask, SIGTERM);
    b->spare_cores = leaves_cores_idle(b);
    signal(SIGPIPE, SIG_IGN); /* a dead worker's pipe is seen as an error, not a signal */
    if (!recovered(b) && !ran_here(b))
        run_pool(b);
    sigprocmask(SIG_SETMASK, &b->worker_mask, NULL);
    sweep_all(b);

    gk_status status = write_manifest(b, diag);
    print_summary(b);
    reap_exiting(b);
    if (interrupted)
        return 128 + interrupted;
    if (status != GK_OK)
        return 1;
    return b->failed ? 1 : 0;
}

int gk_batch_run(const gk_package *pkg, const gk_batch_options *options, gk_diag *diag)
{
    batch b = {.pkg = pkg, .opt = options, .tty = isatty(2), .started = now_seconds(),
               .lock = {-1, NULL}, .shard_lock = {-1, NULL}, .spill = {-1, 0}, .previous_fd = -1};
    if (options->backend_count > MAX_BACKENDS)
        /* TRANSLATORS: more output formats (--format) than a batch can write. */
        return gk_diag_set(diag, GK_ERR_USAGE, "", 0, 0, "too many formats"), 1;
    /* from here on an interrupt is noted, not fatal: OUT's lock is released in every case */
    interrupted = 0;
    struct sigaction action = {0}, old_int, old_term;
    action.sa_handler = on_signal;
    action.sa_flags = SA_RESTART; /* reads while hashing go on; ppoll returns at once anyway */
    sigaction(SIGINT, &action, &old_int);
    sigaction(SIGTERM, &action, &old_term);
    int rc = 1;
    if (prepare_batch(&b, diag) == GK_OK)
        /* interrupted before any job began: OUT and its manifest stay as they were */
        rc = interrupted ? 128 + interrupted : run_batch(&b, diag);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    unlock_output(&b);
    gk_spill_close(&b.spill);
    free(b.jobs);
    gk_arena_free(&b.arena);
    gk_job_keys_free(b.keys);
    if (b.previous_fd >= 0)
        close(b.previous_fd);
    return rc;
}
