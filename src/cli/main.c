/* gongkai: the command-line front end. The only place that prints.
 *
 *   gongkai export PACKAGE -o OUTDIR [--format xlsx] [--unit CODE]... [--profile DIR]
 *   gongkai template [PROFILE] -o DIR
 *
 * Exit status: 0 success, 1 bad input (or any unit failed), 2 usage error. */
#define _XOPEN_SOURCE 700 /* realpath */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch/batch.h"
#include "cli/heap.h"
#include "check/check.h"
#include "check/key_map.h"
#include "model/document.h"
#include "render/render.h"
#include "util/datadir.h"
#include "util/grow.h"
#include "util/i18n.h"
#include "util/publish.h"
#include "util/task.h"

enum {
    EXIT_INPUT = 1,
    EXIT_USAGE = 2,
    MAX_UNIT_FILTERS = 256,
    STRETCH_UNITS = 64, /* `check` reads so many units' rows at a time */
    MAX_WORKERS = 256,
    DEFAULT_JOB_TIMEOUT = 600, /* seconds: generous, a province's department booklet included */
    MAX_JOB_TIMEOUT = 604800,  /* a week */
};

/* The help, one translatable block per command; `gongkai --help` prints them all and
 * `gongkai help COMMAND` one, each followed by the options. */
typedef struct command_help {
    const char *name;
    const char *text;
} command_help;

static const command_help commands[] = {
    {"export",
     N_("  gongkai export PACKAGE -o OUTDIR [--format all|pdf|xlsx] [--unit CODE]... [-j N]\n"
        "                 [--department] [--shard K/N] [--resume] [--force] [--quiet] [--stats]\n"
        "                 [--profile DIR] [--font FILE] [--title-font FILE]\n"
        "                 [--job-timeout SECONDS]\n"
        "      Export every unit of the budget package PACKAGE to OUTDIR: its booklet (PDF) and a\n"
        "      workbook (XLSX) with every public table, in N worker processes (default: the\n"
        "      number of cores), and write OUTDIR/manifest.json.\n")},
    {"manifest",
     N_("  gongkai manifest merge -o OUT MANIFEST...\n"
        "      Join the manifests of --shard runs into one.\n")},
    {"check",
     N_("  gongkai check PACKAGE [--format text|json] [--unit CODE]... [--profile DIR]\n"
        "      Run the profile's rule catalogue on every unit and print all findings as\n"
        "      FILE:LINE:COL: error|warning: [RULE-ID] message (expected X, found Y).\n"
        "      Exit 0 when no error was found (warnings allowed), 1 otherwise.\n")},
    {"template",
     N_("  gongkai template [PROFILE] -o DIR\n"
        "      Write an empty budget package for a layout profile (a name such as sichuan-2025,\n"
        "      or a folder; none: the profile folder you are in): units.csv and tables/*.csv\n"
        "      with their header rows.\n")},
    {"doctor",
     N_("  gongkai doctor [-o DIR]\n"
        "      Check the installation: libraries, fonts and their checksums, profiles, and that\n"
        "      the temporary folder and DIR (default: the current folder) are writable.\n")},
};

static const char options_text[] =
    N_("Options:\n"
       "  -o, --output DIR   output folder (created if missing)\n"
       "  --format FORMAT    all (the default: pdf and xlsx), pdf or xlsx\n"
       "  --unit CODE        export only this unit (repeatable)\n"
       "  --profile DIR      use this layout profile folder instead of the one units.csv names\n"
       "  --font FILE        TrueType/TTC font for body and table text in the PDF\n"
       "  --title-font FILE  TrueType/TTC font for titles in the PDF\n"
       "  --force            export units whose checks found errors anyway (and say so)\n"
       "  -j N               worker processes (default: the number of cores)\n"
       "  --department       also each department's consolidated booklet (部门预算)\n"
       "  --shard K/N        only the K-th of N shards of the units (by a hash of the code)\n"
       "  --resume           skip units whose outputs are up to date with their inputs\n"
       "  --job-timeout S    stop a unit that takes more than S seconds (default 600; 0: no\n"
       "                     limit) and record it failed\n"
       "  --quiet            print nothing but errors of the command line\n"
       "  --stats            print time and memory figures at the end\n"
       "\n"
       "Exit status: 0 success, 1 bad input or a unit failed (or another export is writing\n"
       "to OUTDIR), 2 usage error, 130/143 when interrupted (only whole files are left).\n"
       "Layout profiles are looked up in $GONGKAI_LAYOUTS, else beside the program.\n"
       "Messages are in Chinese under a Chinese locale (LANG=zh_CN.UTF-8), else in English.\n");

enum { COMMAND_COUNT = sizeof commands / sizeof *commands };

/* "Usage:", the commands (all, or the one named), then the options. */
static void print_usage(FILE *out, const command_help *only)
{
    fputs(_("Usage:\n"), out);
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        if (only == NULL || only == &commands[i])
            fputs(_(commands[i].text), out);
    if (only == NULL)
        fputs("  gongkai --help | --version\n", out);
    fprintf(out, "\n%s", _(options_text));
}

static void print_diag(const gk_diag *diag)
{
    char text[GK_DIAG_LINE_MAX];
    gk_diag_format(diag, text, sizeof text);
    fprintf(stderr, "%s\n", text);
}

static int usage_error(const char *message, const char *detail)
{
    fputs("gongkai: ", stderr);
    if (detail)
        /* TRANSLATORS: a usage error: what is wrong, then the argument it is about */
        fprintf(stderr, _("%s: %s\n\n"), message, detail);
    else
        fprintf(stderr, "%s\n\n", message);
    print_usage(stderr, NULL);
    return EXIT_USAGE;
}

/* buf = a/b; false when it does not fit. */
static bool join_path(char *buf, size_t size, const char *a, const char *b)
{
    int n = snprintf(buf, size, "%s/%s", a, b);
    return n >= 0 && (size_t)n < size;
}

static int make_dirs(const char *path)
{
    char buf[PATH_MAX];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST)
        return -1;
    struct stat st;
    if (stat(buf, &st) != 0)
        return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

/* ---- export --------------------------------------------------------------------------- */

typedef struct cli_args {
    const char *package;
    const char *output;
    const char *format;
    const char *profile;
    gk_render_options render;
    bool force, quiet, resume, departments, stats;
    int workers;
    int shard_index, shard_count;
    int job_timeout; /* seconds, 0 for none */
    const char *units[MAX_UNIT_FILTERS];
    size_t unit_count;
    const char *inputs[MAX_UNIT_FILTERS]; /* manifest merge */
    size_t input_count;
    char *const *argv; /* the command line: export runs it again to record a crashed job */
} cli_args;

static bool unit_selected(const cli_args *args, const char *code)
{
    return gk_units_name(args->units, args->unit_count, code);
}

/* Indexes the package (units' rows are read later, a unit or a department at a time: the
 * index places those of the units WANTED asks for, NULL all), loads its rule catalogue, and
 * checks the --unit filters. */
static int load_package(const cli_args *args, gk_unit_wanted *wanted, void *context,
                        gk_package **pkg, gk_rules **rules)
{
    const char *layouts = gk_data_dir(GK_DATA_LAYOUTS);
    gk_diag diag;
    gk_diag_clear(&diag);
    *pkg = NULL;
    *rules = NULL;
    if (gk_package_index_some(args->package, args->profile, layouts, wanted, context, pkg,
                              &diag) != GK_OK ||
        gk_rules_load((*pkg)->profile, rules, &diag) != GK_OK) {
        print_diag(&diag);
        gk_package_free(*pkg);
        *pkg = NULL;
        return EXIT_INPUT;
    }
    for (size_t i = 0; i < (*pkg)->warning_count; i++) {
        char text[GK_DIAG_LINE_MAX];
        gk_diag_format_message(text, sizeof text, (*pkg)->warnings[i].file, 0, 0, true,
                               (*pkg)->warnings[i].message);
        fprintf(stderr, "%s\n", text);
    }
    for (size_t i = 0; i < args->unit_count; i++)
        if (gk_package_unit_index(*pkg, args->units[i]) < 0) {
            char units_csv[PATH_MAX];
            snprintf(units_csv, sizeof units_csv, "%s/units.csv", args->package);
            gk_diag_set(&diag, GK_ERR_USAGE, units_csv, 0, 0,
                        "--unit %s: no such unit in the package", args->units[i]);
            print_diag(&diag);
            gk_rules_free(*rules);
            gk_package_free(*pkg);
            *pkg = NULL;
            return EXIT_INPUT;
        }
    return 0;
}

/* ---- export --------------------------------------------------------------------------- */

typedef struct backend_load {
    const gk_backend *backend;
    gk_task task;
} backend_load;

static void *load_backend(void *arg)
{
    const backend_load *l = arg;
    l->backend->load();
    return NULL;
}

static int run_export(const cli_args *args)
{
    /* "all": the booklet first, then the workbook */
    const gk_backend *backends[2];
    size_t backend_count = 0;
    if (strcmp(args->format, "all") == 0) {
        backends[backend_count++] = gk_backend_find("pdf");
        backends[backend_count++] = gk_backend_find("xlsx");
    } else {
        backends[backend_count++] = gk_backend_find(args->format);
    }
    for (size_t b = 0; b < backend_count; b++)
        if (backends[b] == NULL)
            return usage_error(_("unknown format (expected all, pdf or xlsx)"), args->format);

    /* each backend opens its libraries on a thread of its own while the package is read */
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    backend_load loads[2] = {{0}};
    for (size_t b = 0; b < backend_count; b++)
        if (backends[b]->load != NULL) {
            loads[b].backend = backends[b];
            gk_task_start(&loads[b].task, load_backend, &loads[b], cores > 1);
        }
    gk_batch_options options = {
        .package_dir = args->package, .output = args->output, .backends = backends,
        .backend_count = backend_count, .render = &args->render,
        .units = args->units, .unit_count = args->unit_count,
        .departments = args->departments, .force = args->force, .resume = args->resume,
        .quiet = args->quiet, .stats = args->stats,
        .workers = args->workers > 0 ? args->workers : cores > 0 ? (int)cores : 1,
        .shard_index = args->shard_index, .shard_count = args->shard_count,
        .job_timeout = args->job_timeout, .argv = args->argv,
    };
    gk_package *pkg = NULL;
    gk_rules *rules = NULL;
    /* the index places only the rows of the units this batch reads (a shard's, --unit's) */
    int status = load_package(args, gk_batch_reads_unit, &options, &pkg, &rules);
    for (size_t b = 0; b < backend_count; b++)
        if (status == 0)
            gk_task_wait(&loads[b].task);
        else
            gk_task_drop(&loads[b].task);
    if (status != 0)
        return status;
    if (make_dirs(args->output) != 0) {
        gk_diag diag;
        gk_diag_set(&diag, GK_ERR_IO, args->output, 0, 0, "cannot create the output folder: %s",
                    strerror(errno));
        print_diag(&diag);
        gk_rules_free(rules);
        gk_package_free(pkg);
        return EXIT_INPUT;
    }
    options.rules = rules;
    gk_diag diag;
    gk_diag_clear(&diag);
    status = gk_batch_run(pkg, &options, &diag);
    if (diag.message[0])
        print_diag(&diag);
    gk_rules_free(rules);
    gk_package_free(pkg);
    return status;
}

/* ---- check ---------------------------------------------------------------------------- */

static void json_string(FILE *out, const char *text)
{
    if (text == NULL) {
        fputs("null", out);
        return;
    }
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(out, "\\u%04x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

/* The units whose checks could not run (rows that could not be read, a department with a
 * member that failed), each with why: in JSON, a unit without findings would read as clean. */
typedef struct unchecked {
    size_t unit;  /* a department's: its first unit */
    size_t order; /* when it was found: a unit's own failure before its department's */
    gk_diag why;
} unchecked;

typedef struct unchecked_list {
    unchecked *items;
    size_t count, capacity;
} unchecked_list;

/* Records and prints why a unit could not be checked. */
static void not_checked(unchecked_list *list, size_t unit, const gk_diag *why)
{
    print_diag(why);
    if (gk_grow((void **)&list->items, &list->capacity, list->count, sizeof *list->items, 16)) {
        list->items[list->count] = (unchecked){unit, list->count, *why};
        list->count++;
    }
}

static int by_unit(const void *a, const void *b)
{
    const unchecked *x = a, *y = b;
    if (x->unit != y->unit)
        return x->unit < y->unit ? -1 : 1;
    return (x->order > y->order) - (x->order < y->order);
}

static void print_unchecked_json(const unchecked_list *list, size_t unit, size_t *at)
{
    bool first = true;
    for (; *at < list->count && list->items[*at].unit == unit; (*at)++) {
        const gk_diag *why = &list->items[*at].why;
        printf("%s{\"file\": ", first ? ", \"not_checked\": [" : ", ");
        json_string(stdout, why->file);
        printf(", \"line\": %d, \"column\": %d, \"message\": ", why->line, why->column);
        json_string(stdout, why->message);
        printf("}");
        first = false;
    }
    if (!first)
        printf("]");
}

/* Findings are in the order of their units (each unit's together). */
static void print_findings_json(const gk_package *pkg, const gk_findings *findings,
                                const bool *checked, unchecked_list *unchecked)
{
    if (unchecked->count > 1)
        qsort(unchecked->items, unchecked->count, sizeof *unchecked->items, by_unit);
    printf("{\"errors\": %zu, \"warnings\": %zu, ", findings->errors, findings->warnings);
    if (unchecked->count > 0)
        printf("\"not_checked\": %zu, ", unchecked->count);
    printf("\"units\": [");
    bool first_unit = true;
    size_t i = 0, at = 0;
    for (size_t u = 0; u < pkg->unit_count; u++) {
        if (!checked[u])
            continue;
        printf("%s\n  {\"unit\": ", first_unit ? "" : ",");
        json_string(stdout, pkg->units[u].code);
        printf(", \"name\": ");
        json_string(stdout, pkg->units[u].name);
        printf(", \"findings\": [");
        bool first = true;
        for (; i < findings->count && findings->items[i].unit == u; i++) {
            const gk_finding *f = &findings->items[i];
            printf("%s\n    {\"severity\": \"%s\", \"rule\": ", first ? "" : ",",
                   gk_severity_name(f->severity));
            json_string(stdout, f->rule);
            printf(", \"file\": ");
            json_string(stdout, f->file);
            printf(", \"line\": %d, \"column\": %d, \"message\": ", f->line, f->column);
            json_string(stdout, f->message);
            printf(", \"expected\": ");
            json_string(stdout, f->expected);
            printf(", \"found\": ");
            json_string(stdout, f->found);
            printf("}");
            first = false;
        }
        printf("%s]", first ? "" : "\n  ");
        print_unchecked_json(unchecked, u, &at);
        printf("}");
        first_unit = false;
    }
    printf("\n]}\n");
}

/* "gongkai: 5 errors, 3 warnings[; 1 unit could not be checked]" */
static void print_check_summary(const gk_findings *findings, int failed)
{
    char errors[64], warnings[64], unchecked[128] = "";
    snprintf(errors, sizeof errors, P_("%zu error", "%zu errors", findings->errors),
             findings->errors);
    snprintf(warnings, sizeof warnings, P_("%zu warning", "%zu warnings", findings->warnings),
             findings->warnings);
    if (failed)
        snprintf(unchecked, sizeof unchecked,
                 P_("; %d unit could not be checked", "; %d units could not be checked",
                    (unsigned long)failed),
                 failed);
    /* TRANSLATORS: the check summary: "5 errors", "3 warnings", then maybe "; 1 unit could not
     * be checked" */
    fprintf(stderr, _("gongkai: %s, %s%s\n"), errors, warnings, unchecked);
}

/* The units to check together from `from` on (into units): the selected ones of one
 * department, up to a selected unit of another or STRETCH_UNITS of them; returns how far that
 * goes. They are read together (gk_package_load_units): the cost of reading is shared, and
 * memory holds that many units' rows, whatever the size of the package or the department. */
static size_t next_stretch(const cli_args *args, const gk_package *index, size_t from,
                           size_t *units, size_t *count)
{
    const char *department = NULL;
    size_t u = from;
    *count = 0;
    for (; u < index->unit_count && *count < STRETCH_UNITS; u++) {
        const gk_unit *unit = &index->units[u];
        if (!unit_selected(args, unit->code))
            continue;
        if (department != NULL && strcmp(unit->department_code, department) != 0)
            break;
        department = unit->department_code;
        units[(*count)++] = u;
    }
    return u;
}

/* A unit's findings (from `before` on) made on a package of some units: they name the unit as
 * the index does, and their files outlive that package. */
static bool keep_findings(gk_findings *findings, size_t before, size_t unit)
{
    const char *last = NULL, *copy = NULL;
    for (size_t i = before; i < findings->count; i++) {
        gk_finding *f = &findings->items[i];
        f->unit = unit;
        if (f->file != NULL && f->file != last) {
            last = f->file;
            if ((copy = gk_arena_strdup(&findings->arena, f->file)) == NULL)
                return false;
        }
        if (f->file != NULL)
            f->file = copy;
    }
    return true;
}

/* Checks one unit (index: its index in the package index) with the rows of pkg. */
static gk_status check_one(const gk_package *index, const gk_package *pkg, const gk_rules *rules,
                           size_t unit, gk_findings *findings, gk_diag *diag)
{
    size_t before = findings->count;
    int local = gk_package_unit_index(pkg, index->units[unit].code);
    gk_status status = gk_check_unit(pkg, rules, (size_t)local, findings, diag);
    if (!keep_findings(findings, before, unit) && status == GK_OK)
        status = gk_diag_set(diag, GK_ERR_NOMEM, index->dir, 0, 0, "out of memory");
    return status;
}

/* The units' findings, each under its department, so that a department's finding that
 * repeats one of its units' is found in constant time, not by going through every finding of
 * the province once per department. */
typedef struct unit_findings {
    key_map seen;   /* "DEPARTMENT\nFORMATTED FINDING" -> 1 */
    gk_arena texts; /* the keys */
} unit_findings;

/* f as a key under department, in buf; false when it does not fit (never a repeat then). */
static bool finding_key(const char *department, const gk_finding *f, char *buf, size_t size)
{
    char text[4096];
    gk_finding_format(f, text, sizeof text);
    int n = snprintf(buf, size, "%s\n%s", department, text);
    return n > 0 && (size_t)n < size;
}

static bool index_unit_findings(const gk_package *index, const gk_findings *findings,
                                unit_findings *u)
{
    char key[4200];
    for (size_t i = 0; i < findings->count; i++) {
        const gk_finding *f = &findings->items[i];
        bool added;
        const char *text;
        if (finding_key(index->units[f->unit].department_code, f, key, sizeof key) &&
            ((text = gk_arena_strdup(&u->texts, key)) == NULL ||
             key_map_put(&u->seen, NULL, text, 1, &added) == NULL))
            return false;
    }
    return true;
}

/* Leaves out the findings from `from` on that a finding of one of the department's units
 * already states: a department of one unit prints what the unit prints. */
static void drop_repeated(const unit_findings *u, gk_findings *findings, size_t from,
                          const char *department)
{
    size_t kept = from;
    char key[4200];
    for (size_t i = from; i < findings->count; i++) {
        const gk_finding *f = &findings->items[i];
        if (!finding_key(department, f, key, sizeof key) ||
            key_map_get(&u->seen, NULL, key) == NULL) {
            findings->items[kept++] = *f;
            continue;
        }
        findings->errors -= f->severity == GK_ERROR;
        findings->warnings -= f->severity == GK_WARNING;
        findings->notes -= f->severity == GK_NOTE;
    }
    findings->count = kept;
}

/* The checks of the department's booklet that its units' do not run (a consolidated booklet's,
 * gk_check_department_rows), with the department's rows read; members[0] is its first unit, as
 * `export --department` exports the department when that unit is selected. Its findings are
 * its first unit's. Returns false when it could not be checked (diag). */
static bool check_department(const cli_args *args, const gk_package *index,
                             const gk_rules *rules, const size_t *members, size_t count,
                             const unit_findings *u, gk_findings *findings, gk_diag *diag)
{
    gk_package *pkg = NULL;
    const gk_unit *first = &index->units[members[0]];
    size_t before = findings->count;
    gk_status status = gk_package_load_units(index, members, count, &pkg, diag);
    for (size_t i = 0; status == GK_OK && i < pkg->unit_count; i++)
        if (pkg->units[i].failure != NULL) {
            /* a member checked in this run said why; one --unit left out says it here */
            bool said = unit_selected(args, pkg->units[i].code);
            if (!said)
                *diag = *pkg->units[i].failure;
            gk_package_free(pkg);
            return said;
        }
    if (status == GK_OK)
        status = gk_check_department_rows(pkg, rules, first->department_code, findings, diag);
    if (status == GK_OK && !keep_findings(findings, before, members[0]))
        status = gk_diag_set(diag, GK_ERR_NOMEM, index->dir, 0, 0, "out of memory");
    gk_package_free(pkg);
    if (status == GK_OK)
        drop_repeated(u, findings, before, first->department_code);
    return status == GK_OK;
}

static void print_findings_from(const gk_findings *findings, size_t from)
{
    for (size_t f = from; f < findings->count; f++) {
        char text[4096];
        gk_finding_format(&findings->items[f], text, sizeof text);
        fprintf(stderr, "%s\n", text);
    }
}

/* Each selected department's booklet checked after its units' (u: their findings); returns
 * the number that could not be checked. */
static int check_each_department(const cli_args *args, const gk_package *index,
                                 const gk_rules *rules, const unit_findings *u,
                                 gk_findings *findings, unchecked_list *unchecked, bool json)
{
    int failed = 0;
    for (size_t s = 0; s < index->unit_count;) {
        const size_t *members;
        size_t count = gk_package_department_units(
            index, index->units[index->by_department[s]].department_code, &members);
        const gk_unit *first = &index->units[members[0]];
        s += count;
        if (!unit_selected(args, first->code))
            continue;
        if (!json)
            /* TRANSLATORS: the heading of a department's findings in `check`'s output: its
               code and name. */
            fprintf(stderr, _("== department %s %s ==\n"), first->department_code,
                    first->department_name);
        size_t before = findings->count;
        gk_diag diag;
        gk_diag_clear(&diag);
        if (!check_department(args, index, rules, members, count, u, findings, &diag)) {
            not_checked(unchecked, members[0], &diag);
            failed++;
        }
        if (!json)
            print_findings_from(findings, before);
    }
    return failed;
}

/* The department booklets' own checks, a department at a time, after its units' (run_check);
 * returns the number that could not be checked. */
static int check_departments(const cli_args *args, const gk_package *index,
                             const gk_rules *rules, gk_findings *findings,
                             unchecked_list *unchecked, bool json)
{
    if (!index->profile->booklets[GK_BOOKLET_DEPARTMENT].consolidated)
        return 0;
    unit_findings u = {0};
    int failed;
    if (index_unit_findings(index, findings, &u)) {
        failed = check_each_department(args, index, rules, &u, findings, unchecked, json);
    } else {
        gk_diag diag;
        gk_diag_set(&diag, GK_ERR_NOMEM, index->dir, 0, 0, "out of memory");
        print_diag(&diag);
        failed = 1;
    }
    key_map_free(&u.seen);
    gk_arena_free(&u.texts);
    return failed;
}

/* A finding's place in the output: its unit, then where it was found. */
typedef struct finding_place {
    size_t unit, position;
} finding_place;

static int by_unit_then_position(const void *a, const void *b)
{
    const finding_place *x = a, *y = b;
    if (x->unit != y->unit)
        return x->unit < y->unit ? -1 : 1;
    return x->position < y->position ? -1 : x->position > y->position;
}

/* Puts the findings in the order of their units, each unit's in the order found (a
 * department's, found after all units', go to its first unit's). */
static bool sort_by_unit(gk_findings *findings)
{
    size_t n = findings->count;
    finding_place *order = malloc((n + 1) * sizeof *order);
    gk_finding *items = malloc((n + 1) * sizeof *items);
    bool ok = order != NULL && items != NULL;
    for (size_t i = 0; ok && i < n; i++)
        order[i] = (finding_place){findings->items[i].unit, i};
    if (ok) {
        qsort(order, n, sizeof *order, by_unit_then_position);
        for (size_t i = 0; i < n; i++)
            items[i] = findings->items[order[i].position];
        memcpy(findings->items, items, n * sizeof *items);
    }
    free(order);
    free(items);
    return ok;
}

/* Checks the package a stretch of units at a time (next_stretch), then each department's
 * booklet: memory holds one department's rows, never the province's. */
static int run_check(const cli_args *args, bool json)
{
    gk_package *index = NULL;
    gk_rules *rules = NULL;
    int status = load_package(args, NULL, NULL, &index, &rules);
    if (status != 0)
        return status;
    bool *checked = calloc(index->unit_count + 1, sizeof *checked);
    size_t *stretch = calloc(index->unit_count + 1, sizeof *stretch);
    gk_findings findings = {0};
    unchecked_list unchecked = {0};
    int failed = checked == NULL || stretch == NULL;
    for (size_t from = 0, count = 0; checked && stretch && from < index->unit_count;) {
        size_t to = next_stretch(args, index, from, stretch, &count);
        gk_package *pkg = NULL;
        gk_diag read;
        gk_diag_clear(&read);
        gk_status loaded = count ? gk_package_load_units(index, stretch, count, &pkg, &read)
                                 : GK_OK;
        for (size_t i = 0; i < count; i++) {
            size_t u = stretch[i];
            if (!json)
                fprintf(stderr, "== %s %s ==\n", index->units[u].code, index->units[u].name);
            checked[u] = true;
            size_t before = findings.count;
            gk_diag diag = read;
            if (loaded != GK_OK ||
                check_one(index, pkg, rules, u, &findings, &diag) != GK_OK ||
                gk_check_membership(index, rules, u, &findings, &diag) != GK_OK) {
                not_checked(&unchecked, u, &diag);
                failed++;
            }
            if (!json)
                print_findings_from(&findings, before);
        }
        gk_package_free(pkg);
        from = to;
    }
    if (checked && stretch)
        failed += check_departments(args, index, rules, &findings, &unchecked, json);
    if (json && checked && !sort_by_unit(&findings))
        failed++;
    if (json && checked)
        print_findings_json(index, &findings, checked, &unchecked);
    else
        print_check_summary(&findings, failed);
    status = failed || findings.errors > 0 ? EXIT_INPUT : 0;
    free(checked);
    free(stretch);
    free(unchecked.items);
    gk_findings_free(&findings);
    gk_rules_free(rules);
    gk_package_free(index);
    return status;
}

/* ---- doctor ------------------------------------------------------------------------------- */

static int doctor_line(bool ok, const char *what, const char *detail)
{
    /* TRANSLATORS: doctor's verdicts, in a column 6 cells wide */
    gk_print_padded(stdout, ok ? _("ok") : _("FAIL"), 7);
    gk_print_padded(stdout, what, 29);
    printf("%s\n", detail);
    return ok ? 0 : 1;
}

/* A folder is writable when a file can be made in it (root ignores permission bits). */
static bool folder_writable(const char *dir, char *detail, size_t size)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/.gongkai-doctor-XXXXXX", dir);
    int fd = mkstemp(path);
    if (fd < 0) {
        snprintf(detail, size, "%s: %s", dir, strerror(errno));
        return false;
    }
    close(fd);
    unlink(path);
    snprintf(detail, size, "%s", dir);
    return true;
}

/* Checks the installation in one screen: libraries, fonts, profiles, folders. */
static int run_doctor(const cli_args *args)
{
    int problems = 0;
    char detail[8192];
    printf("gongkai %s\n", GK_VERSION);
    static const gk_render_options defaults = {0};
    for (size_t i = 0; gk_backend_at(i) != NULL; i++) {
        const gk_backend *backend = gk_backend_at(i);
        gk_diag diag;
        gk_diag_clear(&diag);
        bool ok = backend->prepare == NULL || backend->prepare(&defaults, &diag) == GK_OK;
        snprintf(detail, sizeof detail, "%s%s%s", backend->library ? backend->library() : "",
                 ok ? "" : ": ", ok ? "" : diag.file);
        problems += doctor_line(ok, backend->name, detail);
        if (!ok)
            printf("       %s\n", diag.message);
    }
    const char *layouts = gk_data_dir(GK_DATA_LAYOUTS);
    DIR *dir = opendir(layouts);
    int profiles = 0;
    struct dirent *e;
    while (dir && (e = readdir(dir)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[PATH_MAX];
        if (!join_path(path, sizeof path, layouts, e->d_name))
            continue;
        gk_diag diag;
        gk_diag_clear(&diag);
        gk_profile *profile = NULL;
        gk_rules *rules = NULL;
        bool ok = gk_profile_load(path, &profile, &diag) == GK_OK &&
                  gk_rules_load(profile, &rules, &diag) == GK_OK;
        snprintf(detail, sizeof detail, "%s%s%s", path, ok ? "" : ": ", ok ? "" : diag.message);
        problems += doctor_line(ok, _("profile"), detail);
        profiles++;
        gk_rules_free(rules);
        gk_profile_free(profile);
    }
    if (dir)
        closedir(dir);
    if (profiles == 0)
        problems += doctor_line(false, _("profiles"), layouts);
    const char *tmp = getenv("TMPDIR");
    problems += doctor_line(folder_writable(tmp && tmp[0] ? tmp : "/tmp", detail, sizeof detail),
                            _("temporary folder"), detail);
    const char *out = args->output ? args->output : ".";
    problems += doctor_line(folder_writable(out, detail, sizeof detail), _("output folder"), detail);
    printf("%s\n", problems ? _("gongkai doctor: problems found") : _("gongkai doctor: all is well"));
    return problems ? EXIT_INPUT : 0;
}

/* ---- manifest merge --------------------------------------------------------------------- */

static int run_manifest_merge(const cli_args *args)
{
    gk_diag diag;
    gk_diag_clear(&diag);
    if (gk_manifest_merge(args->inputs, args->input_count, args->output, &diag) != GK_OK) {
        print_diag(&diag);
        return EXIT_INPUT;
    }
    return 0;
}

/* ---- template ------------------------------------------------------------------------- */

static int write_text_file(const char *path, const char *text)
{
    gk_diag diag;
    gk_diag_clear(&diag);
    if (gk_publish_bytes(path, text, strlen(text), &diag) != GK_OK) {
        print_diag(&diag);
        return 1;
    }
    return 0;
}

/* The path of the template's file number i into buf: units.csv, then tables/ID.csv of each
 * table of the profile in its order; false when it does not fit. */
static bool template_file(const gk_profile *profile, const char *output, size_t i, char *buf,
                          size_t size)
{
    if (i == 0)
        return join_path(buf, size, output, "units.csv");
    int n = snprintf(buf, size, "%s/tables/%s.csv", output, profile->tables[i - 1].id);
    return n >= 0 && (size_t)n < size;
}

/* The header row of a table's CSV: the columns staff type in (malloc'd; NULL when out of
 * memory). A table may have up to 96 columns of any key length: no fixed buffer. */
static char *template_header(const gk_table_layout *layout)
{
    const char *first = layout->is_stub ? "unit_code" : "unit_code,level";
    size_t size = strlen(first) + 3;
    for (size_t f = 0; f < layout->field_count; f++)
        size += strlen(layout->fields[f].key) + 1;
    char *header = malloc(size);
    if (header == NULL)
        return NULL;
    size_t used = (size_t)snprintf(header, size, "%s", first);
    for (size_t f = 0; f < layout->field_count; f++)
        if (!layout->fields[f].optional) /* computed columns are not typed in */
            used += (size_t)snprintf(header + used, size - used, ",%s", layout->fields[f].key);
    snprintf(header + used, size - used, "\r\n");
    return header;
}

/* Writes the template's files; every one of them is checked to be absent first, so that a
 * filled-in package (or part of one) is never overwritten, not even in part. */
static int write_template(const gk_profile *profile, const char *output)
{
    char path[PATH_MAX];
    size_t count = profile->table_count + 1;
    for (size_t i = 0; i < count; i++) {
        struct stat st;
        if (!template_file(profile, output, i, path, sizeof path))
            return usage_error(_("output path too long"), output);
        if (lstat(path, &st) == 0 || errno != ENOENT) {
            gk_diag diag;
            gk_diag_set(&diag, GK_ERR_USAGE, path, 0, 0,
                        "already exists: template writes only into a new or empty folder");
            print_diag(&diag);
            return EXIT_INPUT;
        }
    }
    char tables[PATH_MAX];
    if (!join_path(tables, sizeof tables, output, "tables"))
        return usage_error(_("output path too long"), output);
    if (make_dirs(tables) != 0) {
        gk_diag diag;
        gk_diag_set(&diag, GK_ERR_IO, tables, 0, 0, "cannot create the folder: %s",
                    strerror(errno));
        print_diag(&diag);
        return EXIT_INPUT;
    }
    for (size_t i = 0; i < count; i++) {
        static const char units[] = "unit_code,unit_name,department_code,department_name,year,"
                                    "profile,booklet\r\n";
        char *header = i > 0 ? template_header(&profile->tables[i - 1]) : NULL;
        if (i > 0 && header == NULL) {
            gk_diag diag;
            gk_diag_set(&diag, GK_ERR_NOMEM, output, 0, 0, "out of memory");
            print_diag(&diag);
            return EXIT_INPUT;
        }
        template_file(profile, output, i, path, sizeof path);
        int status = write_text_file(path, i > 0 ? header : units);
        free(header);
        if (status != 0)
            return EXIT_INPUT;
    }
    return 0;
}

/* Whether a path's last name is . or .. (trailing slashes aside): a profile folder given so
 * is named by its real path, since the profile's name must match its folder's. */
static bool names_a_dot(const char *path)
{
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/')
        len--;
    size_t start = len;
    while (start > 0 && path[start - 1] != '/')
        start--;
    return (len - start == 1 && path[start] == '.') ||
           (len - start == 2 && path[start] == '.' && path[start + 1] == '.');
}

/* The profile folder `template` is given (NULL: the current folder, when it is a profile's,
 * i.e. holds booklet.yaml) into dir; a usage error's exit status, or 0. */
static int template_profile_dir(const char *profile_arg, char *dir, size_t size)
{
    struct stat st;
    if (profile_arg == NULL) {
        if (stat("booklet.yaml", &st) != 0)
            /* TRANSLATORS: PROFILE is the argument's name in the usage; booklet.yaml a file
               name. */
            return usage_error(_("missing PROFILE (or run template in a profile's folder, "
                                 "which holds booklet.yaml)"), NULL);
        profile_arg = ".";
    }
    if (names_a_dot(profile_arg)) {
        if (realpath(profile_arg, dir) == NULL || strlen(dir) >= size)
            return usage_error(_("no such profile folder"), profile_arg);
    } else if (strchr(profile_arg, '/') || (stat(profile_arg, &st) == 0 && S_ISDIR(st.st_mode))) {
        snprintf(dir, size, "%s", profile_arg);
    } else if (!join_path(dir, size, gk_data_dir(GK_DATA_LAYOUTS), profile_arg)) {
        return usage_error(_("profile name too long"), profile_arg);
    }
    return 0;
}

static int run_template(const char *profile_arg, const char *output)
{
    char dir[PATH_MAX];
    int status = template_profile_dir(profile_arg, dir, sizeof dir);
    if (status != 0)
        return status;
    gk_diag diag;
    gk_diag_clear(&diag);
    gk_profile *profile = NULL;
    if (gk_profile_load(dir, &profile, &diag) != GK_OK) {
        print_diag(&diag);
        return EXIT_INPUT;
    }
    status = write_template(profile, output);
    gk_profile_free(profile);
    if (status == 0)
        fprintf(stderr, _("gongkai: wrote an empty package for %s to %s\n"),
                profile_arg ? profile_arg : dir, output);
    return status;
}

/* ---- arguments ------------------------------------------------------------------------ */

static const char *option_value(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc)
        return NULL;
    return argv[++*i];
}

/* `gongkai help COMMAND`: that command's part of the usage, then the options. */
static int print_command_help(const char *command)
{
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        if (strcmp(commands[i].name, command) == 0) {
            print_usage(stdout, &commands[i]);
            return 0;
        }
    return usage_error(_("no such command"), command);
}

/* A number option from min to max (gk_parse_whole: no sign, no junk, no wrapping). */
static bool parse_number(const char *text, long min, long max, int *value)
{
    long n = 0;
    if (!gk_parse_whole(text, min, max, NULL, &n))
        return false;
    *value = (int)n;
    return true;
}

/* Descriptors 0-2 closed at start would be handed to the first files and pipes opened (a
 * worker's command pipe would then receive the progress text): hold them on /dev/null. */
static bool open_standard_fds(void)
{
    for (int fd = 0; fd <= 2; fd++)
        if (fcntl(fd, F_GETFD) < 0 && errno == EBADF && open("/dev/null", O_RDWR) != fd)
            return false;
    return true;
}

/* A report that did not reach stdout (a full disk, a closed pipe) is a failure, not exit 0. */
static int close_stdout(int status)
{
    errno = 0;
    bool failed = fflush(stdout) != 0 || ferror(stdout);
    int error = errno;
    if (fclose(stdout) != 0 && !failed) {
        failed = true;
        error = errno;
    }
    if (!failed)
        return status;
    gk_diag diag;
    gk_diag_set(&diag, GK_ERR_IO, "", 0, 0, "cannot write to standard output: %s",
                /* TRANSLATORS: when the system gave no reason for a failed write. */
                error ? strerror(error) : _("write error"));
    print_diag(&diag);
    return status ? status : EXIT_INPUT;
}

static int run(int argc, char **argv);

int main(int argc, char **argv)
{
    gk_heap_in_huge_pages();
    if (!open_standard_fds())
        return EXIT_INPUT;
    int status = close_stdout(run(argc, argv));
#if !defined(__SANITIZE_ADDRESS__) /* AddressSanitizer checks for leaks at exit */
    /* everything is written and closed: the libraries' destructors would only fault in code
     * never run before to free memory the system takes back anyway (1.5 ms a run, measured) */
    fflush(stderr);
    _exit(status);
#endif
    return status;
}

static int run(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--version") == 0) { /* nothing to translate: no locale */
        printf("gongkai %s\n", GK_VERSION);
        return 0;
    }
    /* messages in the user's language; numbers, sorting and bytes out stay the same. All of
       gongkai's text is UTF-8, and so are its messages and libc's (strerror) whatever the
       locale's character set: LC_CTYPE is not loaded (0.4-0.9 ms a run), and gettext would
       otherwise turn Chinese into question marks under LC_CTYPE=C */
    setlocale(LC_MESSAGES, "");
    gk_i18n_bind();
    bind_textdomain_codeset(GK_TEXT_DOMAIN, "UTF-8");
    bind_textdomain_codeset("libc", "UTF-8");
    if (argc < 2)
        return usage_error(_("missing command"), NULL);
    const char *command = argv[1];
    if (strcmp(command, "help") == 0 && argc > 2)
        return print_command_help(argv[2]);
    if (strcmp(command, "--help") == 0 || strcmp(command, "-h") == 0 ||
        strcmp(command, "help") == 0) {
        print_usage(stdout, NULL);
        return 0;
    }
    bool export = strcmp(command, "export") == 0, check = strcmp(command, "check") == 0;
    bool template = strcmp(command, "template") == 0;
    bool doctor = strcmp(command, "doctor") == 0;
    bool merge = strcmp(command, "manifest") == 0 && argc > 2 && strcmp(argv[2], "merge") == 0;
    if (!export && !check && !template && !merge && !doctor)
        return usage_error(_("unknown command"), command);

    cli_args args = {.format = check ? "text" : "all", .argv = argv};
    args.job_timeout = DEFAULT_JOB_TIMEOUT;
    const char *positional = NULL, *workers = NULL, *shard = NULL, *job_timeout = NULL;
    for (int i = merge ? 3 : 2; i < argc; i++) {
        const char *arg = argv[i];
        const char **target = NULL;
        bool *flag = NULL;
        if (strcmp(arg, "-o") == 0 || strcmp(arg, "--output") == 0)
            target = &args.output;
        else if (strcmp(arg, "--format") == 0 && (export || check))
            target = &args.format;
        else if (strcmp(arg, "--profile") == 0 && (export || check))
            target = &args.profile;
        else if (strcmp(arg, "--font") == 0 && export)
            target = &args.render.body_font;
        else if (strcmp(arg, "--title-font") == 0 && export)
            target = &args.render.title_font;
        else if (strcmp(arg, "-j") == 0 && export)
            target = &workers;
        else if (strncmp(arg, "-j", 2) == 0 && export) { /* -j2, as make takes it */
            workers = arg + 2;
            continue;
        }
        else if (strcmp(arg, "--shard") == 0 && export)
            target = &shard;
        else if (strcmp(arg, "--job-timeout") == 0 && export)
            target = &job_timeout;
        else if (strcmp(arg, "--force") == 0 && export)
            flag = &args.force;
        else if (strcmp(arg, "--quiet") == 0 && export)
            flag = &args.quiet;
        else if (strcmp(arg, "--resume") == 0 && export)
            flag = &args.resume;
        else if (strcmp(arg, "--department") == 0 && export)
            flag = &args.departments;
        else if (strcmp(arg, "--stats") == 0 && export)
            flag = &args.stats;
        else if (strcmp(arg, "--unit") == 0 && (export || check)) {
            if (args.unit_count == MAX_UNIT_FILTERS)
                return usage_error(_("too many --unit options"), NULL);
            target = &args.units[args.unit_count++];
        } else if (strcmp(arg, "--help") == 0) {
            print_usage(stdout, NULL);
            return 0;
        } else if (arg[0] == '-' && arg[1] != '\0') {
            return usage_error(_("unknown option"), arg);
        } else if (merge) {
            if (args.input_count == MAX_UNIT_FILTERS)
                return usage_error(_("too many manifests"), NULL);
            args.inputs[args.input_count++] = arg;
            continue;
        } else if (positional == NULL) {
            positional = arg;
            continue;
        } else {
            return usage_error(_("unexpected argument"), arg);
        }
        if (flag != NULL) {
            *flag = true;
            continue;
        }
        if ((*target = option_value(argc, argv, &i)) == NULL)
            return usage_error(_("option needs a value"), arg);
    }
    if (workers && !parse_number(workers, 1, MAX_WORKERS, &args.workers))
        return usage_error(_("-j takes a number of workers from 1 to 256"), workers);
    if (job_timeout && !parse_number(job_timeout, 0, MAX_JOB_TIMEOUT, &args.job_timeout))
        /* TRANSLATORS: --job-timeout is an option and stays as it is. */
        return usage_error(_("--job-timeout takes seconds from 0 (no limit) to 604800"),
                           job_timeout);
    if (shard && !gk_shard_parse(shard, &args.shard_index, &args.shard_count))
        return usage_error(_("--shard takes K/N with 1 <= K <= N"), shard);
    gk_units_sort(args.units, args.unit_count);
    if (doctor)
        return positional ? usage_error(_("unexpected argument"), positional) : run_doctor(&args);
    if (merge) {
        if (args.input_count == 0 || args.output == NULL)
            return usage_error(_("usage: gongkai manifest merge -o OUT MANIFEST..."), NULL);
        return run_manifest_merge(&args);
    }
    if (positional == NULL && !template)
        return usage_error(_("missing PACKAGE"), NULL);
    if (args.output != NULL && args.output[0] == '\0')
        return usage_error(_("-o needs a folder name"), NULL);
    if (check) {
        if (args.output != NULL)
            return usage_error(_("check writes no files: -o is not an option of check"), NULL);
        if (strcmp(args.format, "text") != 0 && strcmp(args.format, "json") != 0)
            return usage_error(_("unknown format (expected text or json)"), args.format);
        args.package = positional;
        return run_check(&args, strcmp(args.format, "json") == 0);
    }
    if (args.output == NULL)
        return usage_error(_("missing -o OUTDIR"), NULL);
    if (template)
        return run_template(positional, args.output);
    args.package = positional;
    return run_export(&args);
}
