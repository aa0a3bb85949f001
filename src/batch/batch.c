/* Batch export in worker processes; see batch.h. */
#define _DEFAULT_SOURCE /* scandir, alphasort */
#include "batch/batch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <malloc.h>
#include <openssl/evp.h>
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

#include "export/export.h"
#include "render/render.h"
#include "util/i18n.h"
#include "util/publish.h"
#include "util/sha256.h"

enum { NAME_MAX_BYTES = 1024, MAX_BACKENDS = 4 };

typedef struct job {
    gk_job_kind kind;
    size_t unit;      /* GK_JOB_UNIT */
    const char *code; /* unit or department code */
    const char *name;
    const char *year;
    char outputs[MAX_BACKENDS][NAME_MAX_BYTES];
    char inputs_sha256[65];
    json_t *result;   /* the worker's report, or the parent's record of its failure */
    bool skipped;     /* --resume: up to date */
} job;

typedef struct batch {
    const gk_package *pkg;
    const gk_batch_options *opt;
    job *jobs;
    size_t count;
    size_t done, failed;
    bool tty;
    double started;
    long worker_rss_max_kb;
    double worker_cpu_ms;
    char profile_sha256[65];
} batch;

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    interrupted = sig;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- hashing ------------------------------------------------------------------------------ */

/* Feeds the regular files of a folder (sorted by name, not recursive) into the digest: their
 * names and contents, so that any change of an input changes the hash. */
static void hash_folder(EVP_MD_CTX *ctx, const char *dir)
{
    struct dirent **entries = NULL;
    int n = scandir(dir, &entries, NULL, alphasort);
    for (int i = 0; i < n; i++) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, entries[i]->d_name);
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            char digest[65];
            if (gk_sha256_file(path, digest, NULL)) {
                EVP_DigestUpdate(ctx, entries[i]->d_name, strlen(entries[i]->d_name));
                EVP_DigestUpdate(ctx, digest, 64);
            }
        }
        free(entries[i]);
    }
    free(entries);
}

static void digest_folders(const char *const *dirs, size_t count, const char *salt,
                           char out[65])
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    EVP_DigestUpdate(ctx, salt, strlen(salt));
    for (size_t i = 0; i < count; i++) {
        EVP_DigestUpdate(ctx, dirs[i], strlen(dirs[i]));
        hash_folder(ctx, dirs[i]);
    }
    unsigned char md[32];
    EVP_DigestFinal_ex(ctx, md, NULL);
    EVP_MD_CTX_free(ctx);
    gk_hex(md, 32, out);
}

/* The inputs every job shares: the profile, the package's shared files, the output options.
 * Hashed once per batch (the shared tables of a province are large). */
static void hash_shared(batch *b, char out[65])
{
    const gk_package *pkg = b->pkg;
    char tables[1024];
    snprintf(tables, sizeof tables, "%s/tables", pkg->dir);
    const char *dirs[] = {pkg->profile->dir, pkg->dir, tables};
    char salt[1024];
    snprintf(salt, sizeof salt, "gongkai %s|%s|%s|%d", GK_VERSION,
             b->opt->render->body_font ? b->opt->render->body_font : "",
             b->opt->render->title_font ? b->opt->render->title_font : "", b->opt->force);
    digest_folders(dirs, 3, salt, out);
}

/* A job's inputs: the shared ones and the unit's own folders (for a department, those of all
 * its units). */
static void hash_inputs(batch *b, job *j, const char *shared)
{
    const gk_package *pkg = b->pkg;
    enum { MAX_OWN = 256 };
    const char *dirs[MAX_OWN];
    char (*own)[1024] = calloc(MAX_OWN, sizeof *own);
    size_t count = 0;
    for (size_t u = 0; own && u < pkg->unit_count && count + 2 <= MAX_OWN; u++) {
        const gk_unit *unit = &pkg->units[u];
        bool member = j->kind == GK_JOB_UNIT ? u == j->unit
                                             : strcmp(unit->department_code, j->code) == 0;
        if (!member)
            continue;
        snprintf(own[count], sizeof own[count], "%s/tables/%s", pkg->dir, unit->code);
        dirs[count] = own[count];
        count++;
        snprintf(own[count], sizeof own[count], "%s/narrative/%s", pkg->dir, unit->code);
        dirs[count] = own[count];
        count++;
    }
    digest_folders(dirs, count, shared, j->inputs_sha256);
    free(own);
}

/* ---- jobs ----------------------------------------------------------------------------------- */

static bool selected(const gk_batch_options *opt, const char *code)
{
    if (opt->unit_count == 0)
        return true;
    for (size_t i = 0; i < opt->unit_count; i++)
        if (strcmp(opt->units[i], code) == 0)
            return true;
    return false;
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

static bool add_job(batch *b, gk_job_kind kind, size_t unit, const char *code, const char *name,
                    const char *year)
{
    job *j = &b->jobs[b->count++];
    memset(j, 0, sizeof *j);
    j->kind = kind;
    j->unit = unit;
    j->code = code;
    j->name = name;
    j->year = year;
    for (size_t k = 0; k < b->opt->backend_count; k++)
        gk_output_stem(code, name, year, b->opt->backends[k]->extension, j->outputs[k],
                       sizeof j->outputs[k]);
    return true;
}

/* "unit CODE" or "department CODE", translated, for messages. */
static void job_name(const job *j, char *buf, size_t size)
{
    if (j->kind == GK_JOB_UNIT)
        /* TRANSLATORS: %s is a unit's code. */
        snprintf(buf, size, _("unit %s"), j->code);
    else
        /* TRANSLATORS: %s is a department's code. */
        snprintf(buf, size, _("department %s"), j->code);
}

static gk_status make_jobs(batch *b, gk_diag *diag)
{
    const gk_package *pkg = b->pkg;
    b->jobs = calloc(2 * pkg->unit_count + 1, sizeof *b->jobs);
    if (b->jobs == NULL)
        return gk_diag_set(diag, GK_ERR_NOMEM, pkg->dir, 0, 0, "out of memory");
    for (size_t u = 0; u < pkg->unit_count; u++) {
        const gk_unit *unit = &pkg->units[u];
        if (selected(b->opt, unit->code) && in_shard(b->opt, unit->code))
            add_job(b, GK_JOB_UNIT, u, unit->code, unit->name, unit->year);
    }
    for (size_t u = 0; b->opt->departments && u < pkg->unit_count; u++) {
        const gk_unit *unit = &pkg->units[u];
        bool first = true;
        for (size_t e = 0; e < u && first; e++)
            first = strcmp(pkg->units[e].department_code, unit->department_code) != 0;
        if (first && selected(b->opt, unit->code) && in_shard(b->opt, unit->department_code))
            add_job(b, GK_JOB_DEPARTMENT, u, unit->department_code, unit->department_name,
                    unit->year);
    }
    /* one output name per job, also on case-insensitive file systems (SMB, NTFS shares) */
    for (size_t i = 0; i < b->count; i++)
        for (size_t k = i + 1; k < b->count; k++)
            if (strcasecmp(b->jobs[i].outputs[0], b->jobs[k].outputs[0]) == 0) {
                char one[256], other[256];
                job_name(&b->jobs[i], one, sizeof one);
                job_name(&b->jobs[k], other, sizeof other);
                return gk_diag_set(diag, GK_ERR_DATA, pkg->dir, 0, 0,
                                   /* TRANSLATORS: two jobs ("unit 301001", "department
                                      301") and a file name. */
                                   "%s and %s would write the same file %s", one, other,
                                   b->jobs[i].outputs[0]);
            }
    return GK_OK;
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
    job_name(j, name, sizeof name);
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

/* Exports the job through the publishing gate (checks, render, publish together) and
 * records its outputs, or why it failed. */
static void export_job(const batch *b, const job *j, json_t *result)
{
    char *paths[MAX_BACKENDS] = {0};
    gk_diag diag;
    gk_diag_clear(&diag);
    gk_findings findings = {0};
    gk_status status = GK_OK;
    for (size_t k = 0; k < b->opt->backend_count && status == GK_OK; k++)
        if ((paths[k] = gk_path_join(b->opt->output, j->outputs[k])) == NULL)
            status = gk_diag_set(&diag, GK_ERR_NOMEM, b->opt->output, 0, 0, "out of memory");
    gk_export_job request = {
        .pkg = b->pkg, .rules = b->opt->rules,
        .department = j->kind == GK_JOB_DEPARTMENT ? j->code : NULL, .unit = j->unit,
        .backends = b->opt->backends, .paths = (const char *const *)paths,
        .count = b->opt->backend_count, .render = b->opt->render, .force = b->opt->force,
    };
    if (status == GK_OK)
        status = gk_export(&request, &findings, &diag);
    report_findings(b, j, &findings, result);
    gk_findings_free(&findings);
    json_t *outputs = json_object_get(result, "outputs");
    for (size_t k = 0; status == GK_OK && k < b->opt->backend_count; k++) {
        char digest[65];
        long long size = 0;
        if (!gk_sha256_file(paths[k], digest, &size)) {
            status = gk_diag_set(&diag, GK_ERR_IO, paths[k], 0, 0, "cannot read back the output");
            break;
        }
        json_array_append_new(outputs, json_pack("{s:s, s:I, s:s}", "file", j->outputs[k],
                                                 "bytes", (json_int_t)size, "sha256", digest));
        /* TRANSLATORS: %s is the path of a file written (a PDF or XLSX). */
        add_message(result, "gongkai: wrote %s", paths[k]);
    }
    if (status != GK_OK) {
        char text[GK_DIAG_LINE_MAX];
        gk_diag_format(&diag, text, sizeof text);
        if (status != GK_ERR_DATA || json_integer_value(json_object_get(result, "errors")) == 0)
            add_text(result, text); /* a refusal's first error is among the findings already */
        fail_job(result, text);
        json_array_clear(outputs);
        for (size_t k = 0; k < b->opt->backend_count && paths[k]; k++)
            unlink(paths[k]); /* the manifest lists no file of a failed job: none stays */
    }
    for (size_t k = 0; k < MAX_BACKENDS; k++)
        free(paths[k]);
}

/* Does one job in a worker and returns its report. */
static json_t *do_job(const batch *b, const job *j)
{
    if (listed_in_env("GONGKAI_TEST_CRASH", j->code))
        raise(SIGSEGV); /* test hook: a library crash in this unit */
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
    return result;
}

static bool write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        len -= (size_t)n;
    }
    return true;
}

/* The worker process: reads job indexes, answers each with one line of JSON, until the
 * parent closes its end. Never returns. */
static void worker_main(const batch *b, int commands, int reports)
{
    signal(SIGINT, SIG_IGN); /* the parent decides; a job in progress finishes its file */
    signal(SIGTERM, SIG_IGN);
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
        bool ok = text && write_all(reports, text, strlen(text)) && write_all(reports, "\n", 1);
        free(text);
        if (!ok)
            _exit(1);
    }
}

/* ---- the parent ---------------------------------------------------------------------------- */

typedef struct worker {
    pid_t pid;
    int commands, reports; /* pipes to and from the worker */
    job *job;              /* the job it is doing, or NULL */
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
    *w = (worker){pid, commands[1], reports[0], NULL, w->buffer, 0, w->capacity};
    return true;
}

static json_t *failure_record(const char *reason)
{
    return json_pack("{s:s, s:s, s:[], s:[], s:[], s:i, s:i}", "status", "failed", "error",
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

/* Records a finished job: its report, or the parent's record of a crash. */
static void record_job(batch *b, job *j, json_t *result)
{
    j->result = result;
    json_t *messages = json_object_get(result, "messages");
    for (size_t i = 0; i < json_array_size(messages); i++)
        print_above_progress(b, json_string_value(json_array_get(messages, i)));
    json_int_t rss = json_integer_value(json_object_get(result, "rss_kb"));
    if (rss > b->worker_rss_max_kb)
        b->worker_rss_max_kb = (long)rss;
    b->worker_cpu_ms += json_real_value(json_object_get(result, "cpu_ms"));
    b->done++;
    if (strcmp(json_string_value(json_object_get(result, "status")), "ok") != 0)
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

/* Removes a temporary file, or a temporary folder with its files. */
static void remove_temporary(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *e;
        while (d && (e = readdir(d)) != NULL)
            if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
                char file[8192];
                snprintf(file, sizeof file, "%s/%s", path, e->d_name);
                unlink(file);
            }
        if (d)
            closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

/* Removes what a job may have left: the temporary files and folders of each of its outputs
 * (util/publish.h names them after a hash of the output's name). */
static void sweep_job(const batch *b, const job *j)
{
    for (size_t k = 0; k < b->opt->backend_count; k++) {
        char prefix[GK_TEMP_PREFIX_SIZE];
        gk_publish_prefix(j->outputs[k], prefix);
        DIR *d = opendir(b->opt->output);
        struct dirent *e;
        while (d && (e = readdir(d)) != NULL)
            if (strncmp(e->d_name, prefix, strlen(prefix)) == 0) {
                char path[4096];
                snprintf(path, sizeof path, "%s/%s", b->opt->output, e->d_name);
                remove_temporary(path);
            }
        if (d)
            closedir(d);
    }
}

/* A worker died (crashed or killed): its job fails, nothing it was writing stays behind. */
static void worker_died(batch *b, worker *w)
{
    int status = 0;
    while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR)
        ;
    close_fd(&w->commands);
    close_fd(&w->reports);
    w->pid = 0;
    w->len = 0;
    job *j = w->job;
    w->job = NULL;
    if (j == NULL)
        return;
    char reason[256];
    if (WIFSIGNALED(status))
        /* TRANSLATORS: a worker process died; a signal number and its name (from the system). */
        snprintf(reason, sizeof reason, _("worker crashed: signal %d (%s)"), WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
    else
        snprintf(reason, sizeof reason, _("worker exited with status %d without a report"),
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    sweep_job(b, j);
    char name[256], line[768];
    job_name(j, name, sizeof name);
    /* TRANSLATORS: a job ("unit 301001", "department 301") and why it failed. */
    snprintf(line, sizeof line, _("gongkai: %s: %s"), name, reason);
    print_above_progress(b, line);
    record_job(b, j, failure_record(reason));
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
    record_job(b, j, result ? result : failure_record(_("unreadable worker report")));
    return true;
}

static bool assign(worker *w, job *j, const batch *b)
{
    uint32_t index = (uint32_t)(j - b->jobs);
    if (!write_all(w->commands, &index, sizeof index))
        return false;
    w->job = j;
    return true;
}

/* Runs the jobs on `workers` long-lived worker processes, restarting any that dies. */
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
    signal(SIGPIPE, SIG_IGN); /* a dead worker's pipe is seen as an error, not a signal */
    size_t next = 0;
    for (;;) {
        /* give every idle worker (starting or restarting it) the next job */
        for (size_t i = 0; i < count && !interrupted; i++) {
            worker *w = &workers[i];
            while (w->job == NULL && next < b->count && b->jobs[next].skipped)
                next++;
            if (w->job != NULL || next >= b->count)
                continue;
            if (w->pid == 0 && !spawn_worker(b, workers, count, w)) {
                record_job(b, &b->jobs[next++], failure_record(_("cannot start a worker process")));
                continue;
            }
            if (!assign(w, &b->jobs[next], b)) {
                w->job = &b->jobs[next];
                worker_died(b, w);
            }
            next++;
        }
        size_t busy = 0;
        for (size_t i = 0; i < count; i++)
            if (workers[i].job != NULL) {
                fds[busy] = (struct pollfd){workers[i].reports, POLLIN, 0};
                which[busy++] = i;
            }
        if (busy == 0)
            break;
        if (poll(fds, busy, -1) < 0 && errno != EINTR)
            break;
        for (size_t k = 0; k < busy; k++)
            if ((fds[k].revents & (POLLIN | POLLHUP | POLLERR)) &&
                !read_report(b, &workers[which[k]]))
                worker_died(b, &workers[which[k]]);
    }
done:
    /* closing the command pipes tells the workers to exit */
    for (size_t i = 0; workers && i < count; i++) {
        close_fd(&workers[i].commands);
        close_fd(&workers[i].reports);
        if (workers[i].pid > 0)
            while (waitpid(workers[i].pid, NULL, 0) < 0 && errno == EINTR)
                ;
        free(workers[i].buffer);
    }
    free(workers);
    free(fds);
    free(which);
}

/* ---- manifest -------------------------------------------------------------------------------- */

static json_t *job_record(const batch *b, const job *j)
{
    json_t *r = j->result;
    const char *status = r ? json_string_value(json_object_get(r, "status"))
                           : (interrupted ? "interrupted" : "failed");
    json_t *record = json_pack("{s:s, s:s, s:s, s:s, s:s}", "code", j->code, "kind",
                               j->kind == GK_JOB_UNIT ? "unit" : "department", "name", j->name,
                               "status", status, "inputs_sha256", j->inputs_sha256);
    (void)b;
    if (r != NULL) {
        json_t *error = json_object_get(r, "error");
        if (error)
            json_object_set(record, "error", error);
        json_object_set(record, "errors", json_object_get(r, "errors"));
        json_object_set(record, "warnings", json_object_get(r, "warnings"));
        json_object_set(record, "findings", json_object_get(r, "findings"));
        json_object_set(record, "outputs", json_object_get(r, "outputs"));
    }
    return record;
}

static int compare_records(const void *a, const void *b)
{
    const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    int kind = strcmp(json_string_value(json_object_get(x, "kind")),
                      json_string_value(json_object_get(y, "kind")));
    return kind ? -kind : strcmp(json_string_value(json_object_get(x, "code")),
                                 json_string_value(json_object_get(y, "code")));
}

/* Units first, then departments, each by code: the same for every order of completion. */
static json_t *sorted_records(json_t **records, size_t count)
{
    qsort(records, count, sizeof *records, compare_records);
    json_t *list = json_array();
    for (size_t i = 0; i < count; i++)
        json_array_append_new(list, records[i]);
    return list;
}

static gk_status write_manifest_json(json_t *manifest, const char *path, gk_diag *diag)
{
    char *text = json_dumps(manifest, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (text == NULL)
        return gk_diag_set(diag, GK_ERR_NOMEM, path, 0, 0, "out of memory");
    size_t len = strlen(text);
    char *line = realloc(text, len + 2);
    if (line == NULL) {
        free(text);
        return gk_diag_set(diag, GK_ERR_NOMEM, path, 0, 0, "out of memory");
    }
    line[len++] = '\n';
    gk_status status = gk_publish_bytes(path, line, len, diag);
    free(line);
    return status;
}

static void manifest_path(const batch *b, char *path, size_t size)
{
    if (b->opt->shard_count > 0)
        snprintf(path, size, "%s/manifest-%d-of-%d.json", b->opt->output, b->opt->shard_index,
                 b->opt->shard_count);
    else
        snprintf(path, size, "%s/manifest.json", b->opt->output);
}

static gk_status write_manifest(batch *b, gk_diag *diag)
{
    json_t **records = calloc(b->count + 1, sizeof *records);
    if (records == NULL)
        return gk_diag_set(diag, GK_ERR_NOMEM, b->opt->output, 0, 0, "out of memory");
    for (size_t i = 0; i < b->count; i++)
        records[i] = job_record(b, &b->jobs[i]);
    json_t *manifest = json_pack("{s:s, s:s, s:s}", "gongkai", GK_VERSION, "profile",
                                 b->pkg->profile->name, "profile_sha256", b->profile_sha256);
    if (b->opt->shard_count > 0) {
        char shard[32];
        snprintf(shard, sizeof shard, "%d/%d", b->opt->shard_index, b->opt->shard_count);
        json_object_set_new(manifest, "shard", json_string(shard));
    }
    json_object_set_new(manifest, "units", sorted_records(records, b->count));
    free(records);
    char path[4096];
    manifest_path(b, path, sizeof path);
    gk_status status = write_manifest_json(manifest, path, diag);
    json_decref(manifest);
    return status;
}

/* --resume: a job is up to date when the previous manifest has it ok, with the same inputs,
 * and its outputs are there with the recorded sizes and hashes. */
static void mark_up_to_date(batch *b)
{
    char path[4096];
    manifest_path(b, path, sizeof path);
    json_error_t error;
    json_t *old = json_load_file(path, 0, &error);
    json_t *units = json_object_get(old, "units");
    for (size_t i = 0; i < json_array_size(units); i++) {
        json_t *record = json_array_get(units, i);
        const char *code = json_string_value(json_object_get(record, "code"));
        const char *kind = json_string_value(json_object_get(record, "kind"));
        const char *status = json_string_value(json_object_get(record, "status"));
        const char *inputs = json_string_value(json_object_get(record, "inputs_sha256"));
        if (!code || !kind || !status || !inputs || strcmp(status, "ok") != 0)
            continue;
        for (size_t k = 0; k < b->count; k++) {
            job *j = &b->jobs[k];
            if (strcmp(j->code, code) != 0 ||
                strcmp(kind, j->kind == GK_JOB_UNIT ? "unit" : "department") != 0 ||
                strcmp(inputs, j->inputs_sha256) != 0)
                continue;
            json_t *outputs = json_object_get(record, "outputs");
            bool fresh = json_array_size(outputs) == b->opt->backend_count;
            for (size_t o = 0; o < json_array_size(outputs); o++) {
                json_t *out = json_array_get(outputs, o);
                char file[4096], digest[65];
                long long size = 0;
                snprintf(file, sizeof file, "%s/%s", b->opt->output,
                         json_string_value(json_object_get(out, "file")));
                fresh = fresh && gk_sha256_file(file, digest, &size) &&
                        size == json_integer_value(json_object_get(out, "bytes")) &&
                        strcmp(digest, json_string_value(json_object_get(out, "sha256"))) == 0;
            }
            if (fresh) {
                j->skipped = true;
                j->result = json_deep_copy(record);
                json_object_set_new(j->result, "messages", json_array());
            }
        }
    }
    json_decref(old);
}

/* Stale temporary files of an earlier, interrupted run. */
static void sweep_all(const batch *b)
{
    for (size_t i = 0; i < b->count; i++)
        sweep_job(b, &b->jobs[i]);
}

/* ---- summary ---------------------------------------------------------------------------------- */

/* A cell of the summary table and the space after it. */
static void print_cell(const char *text, int width)
{
    gk_print_padded(stderr, text, width);
    fputc(' ', stderr);
}

static void print_summary(const batch *b)
{
    size_t skipped = 0;
    for (size_t i = 0; i < b->count; i++)
        skipped += b->jobs[i].skipped;
    if (b->opt->quiet)
        goto stats;
    if (b->tty)
        fprintf(stderr, "\r\033[K");
    if (b->failed > 0) {
        /* TRANSLATORS: the header of the table of failed jobs: a unit's code, its status and
           the first error it had. */
        print_cell(_("unit"), 12);
        /* TRANSLATORS: header of the table of failed jobs, second column. */
        print_cell(_("status"), 8);
        /* TRANSLATORS: header of the table of failed jobs, last column. */
        fprintf(stderr, "%s\n", _("first error"));
        for (size_t i = 0; i < b->count; i++) {
            const job *j = &b->jobs[i];
            const char *status = j->result ? json_string_value(json_object_get(j->result, "status"))
                                           : "interrupted";
            if (strcmp(status, "ok") == 0)
                continue;
            const char *error = j->result ? json_string_value(json_object_get(j->result, "error"))
                                          /* TRANSLATORS: the first error of a
                                             job that was interrupted before it began. */
                                          : _("not started");
            print_cell(j->code, 12);
            print_cell(status_word(status), 8);
            fprintf(stderr, "%s\n", error ? error : "");
        }
    }
    size_t exported = b->count - b->failed - skipped;
    char jobs[128], done[128], fresh[128], failed[128];
    /* TRANSLATORS: the summary line reads "gongkai: 5 jobs, 4 exported, 0 up to date,
       1 failed"; these are its four parts. */
    snprintf(jobs, sizeof jobs, P_("%zu job", "%zu jobs", b->count), b->count);
    /* TRANSLATORS: jobs whose files were written in this run. */
    snprintf(done, sizeof done, P_("%zu exported", "%zu exported", exported), exported);
    /* TRANSLATORS: jobs skipped by --resume: their files are up to date with their inputs. */
    snprintf(fresh, sizeof fresh, P_("%zu up to date", "%zu up to date", skipped), skipped);
    /* TRANSLATORS: jobs that failed. */
    snprintf(failed, sizeof failed, P_("%zu failed", "%zu failed", b->failed), b->failed);
    /* TRANSLATORS: the summary line: the number of jobs, of jobs exported, up to date and
       failed (each translated on its own). */
    fprintf(stderr, _("gongkai: %s, %s, %s, %s"), jobs, done, fresh, failed);
    fputc('\n', stderr);
stats:
    if (b->opt->stats) {
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
        /* a worker's memory must not grow with the batch: job 1, 100 and the last */
        size_t marks[] = {0, 99, b->count ? b->count - 1 : 0};
        /* TRANSLATORS: --stats: followed by " #1 20480 KB #100 20992 KB …". */
        fputs(_("gongkai: stats: worker peak RSS by job:"), stderr);
        for (size_t m = 0; m < 3; m++)
            if (marks[m] < b->count && b->jobs[marks[m]].result)
                fprintf(stderr, " #%zu %lld KB", marks[m] + 1,
                        (long long)json_integer_value(
                            json_object_get(b->jobs[marks[m]].result, "rss_kb")));
        fprintf(stderr, "\n");
    }
}

int gk_batch_run(const gk_package *pkg, const gk_batch_options *options, gk_diag *diag)
{
    batch b = {.pkg = pkg, .opt = options, .tty = isatty(2), .started = now_seconds()};
    if (options->backend_count > MAX_BACKENDS)
        /* TRANSLATORS: more output formats (--format) than a batch can write. */
        return gk_diag_set(diag, GK_ERR_USAGE, "", 0, 0, "too many formats"), 1;
    if (make_jobs(&b, diag) != GK_OK) {
        free(b.jobs);
        return 1;
    }
    /* resources (fonts) are checked once, before any unit */
    for (size_t k = 0; k < options->backend_count; k++)
        if (options->backends[k]->prepare &&
            options->backends[k]->prepare(options->render, diag) != GK_OK) {
            free(b.jobs);
            return 1;
        }
    const char *profile_dirs[] = {pkg->profile->dir};
    digest_folders(profile_dirs, 1, "", b.profile_sha256);
    char shared[65];
    hash_shared(&b, shared);
    for (size_t i = 0; i < b.count; i++)
        hash_inputs(&b, &b.jobs[i], shared);
    sweep_all(&b);
    if (options->resume)
        mark_up_to_date(&b);
    /* workers inherit the parent's resident pages: give back what loading freed */
    malloc_trim(0);

    interrupted = 0;
    struct sigaction action = {0}, old_int, old_term;
    action.sa_handler = on_signal;
    sigaction(SIGINT, &action, &old_int);
    sigaction(SIGTERM, &action, &old_term);
    run_pool(&b);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    sweep_all(&b);

    gk_status status = write_manifest(&b, diag);
    print_summary(&b);
    for (size_t i = 0; i < b.count; i++)
        json_decref(b.jobs[i].result);
    free(b.jobs);
    if (interrupted)
        return 128 + interrupted;
    if (status != GK_OK)
        return 1;
    return b.failed ? 1 : 0;
}

/* ---- merging shard manifests ------------------------------------------------------------------ */

gk_status gk_manifest_merge(const char *const *inputs, size_t count, const char *out,
                            gk_diag *diag)
{
    json_t *merged = NULL, *records = json_array();
    gk_status status = GK_OK;
    for (size_t i = 0; i < count && status == GK_OK; i++) {
        json_error_t error;
        json_t *m = json_load_file(inputs[i], JSON_REJECT_DUPLICATES, &error);
        if (m == NULL || !json_is_array(json_object_get(m, "units"))) {
            status = gk_diag_set(diag, GK_ERR_PARSE, inputs[i], error.line > 0 ? error.line : 0,
                                 error.column > 0 ? error.column : 0, "not a gongkai manifest: %s",
                                 /* TRANSLATORS: after "not a gongkai manifest: "; 'units' is
                                    a key of the JSON file. */
                                 m == NULL ? error.text : _("no 'units' list"));
            json_decref(m);
            break;
        }
        const char *profile = json_string_value(json_object_get(m, "profile"));
        if (merged == NULL) {
            merged = json_pack("{s:O, s:O, s:O}", "gongkai", json_object_get(m, "gongkai"),
                               "profile", json_object_get(m, "profile"), "profile_sha256",
                               json_object_get(m, "profile_sha256"));
        } else if (!json_equal(json_object_get(merged, "profile_sha256"),
                               json_object_get(m, "profile_sha256")) ||
                   !json_equal(json_object_get(merged, "gongkai"), json_object_get(m, "gongkai"))) {
            status = gk_diag_set(diag, GK_ERR_DATA, inputs[i], 0, 0,
                                 /* TRANSLATORS: merging manifests: a profile's name and the
                                    first manifest's file name. */
                                 "made with another profile (%s) or gongkai version than %s",
                                 profile ? profile : "?", inputs[0]);
        }
        json_t *units = json_object_get(m, "units");
        for (size_t k = 0; k < json_array_size(units); k++) {
            json_t *record = json_array_get(units, k);
            for (size_t e = 0; e < json_array_size(records); e++) {
                json_t *seen = json_array_get(records, e);
                if (json_equal(json_object_get(seen, "code"), json_object_get(record, "code")) &&
                    json_equal(json_object_get(seen, "kind"), json_object_get(record, "kind")) &&
                    status == GK_OK)
                    status = gk_diag_set(diag, GK_ERR_DATA, inputs[i], 0, 0,
                                         /* TRANSLATORS: %s is a unit's or department's
                                            code. */
                                         "%s is in two manifests",
                                         json_string_value(json_object_get(record, "code")));
            }
            json_array_append(records, record);
        }
        json_decref(m);
    }
    if (status == GK_OK && merged != NULL) {
        size_t n = json_array_size(records);
        json_t **list = calloc(n + 1, sizeof *list);
        for (size_t i = 0; list && i < n; i++)
            list[i] = json_incref(json_array_get(records, i));
        json_object_set_new(merged, "units", sorted_records(list, n));
        free(list);
        status = write_manifest_json(merged, out, diag);
    }
    json_decref(records);
    json_decref(merged);
    return status;
}
