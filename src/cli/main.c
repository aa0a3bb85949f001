/* gongkai: the command-line front end. The only place that prints.
 *
 *   gongkai export PACKAGE -o OUTDIR [--format xlsx] [--unit CODE]... [--profile DIR]
 *   gongkai template PROFILE -o DIR
 *
 * Exit status: 0 success, 1 bad input (or any unit failed), 2 usage error. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check/check.h"
#include "model/document.h"
#include "render/render.h"
#include "util/publish.h"

enum { EXIT_INPUT = 1, EXIT_USAGE = 2, MAX_UNIT_FILTERS = 256 };

static const char usage_text[] =
    "Usage:\n"
    "  gongkai export PACKAGE -o OUTDIR [--format all|pdf|xlsx] [--unit CODE]...\n"
    "                 [--profile DIR] [--font FILE] [--title-font FILE]\n"
    "      Export each unit of the budget package PACKAGE to OUTDIR: its booklet (PDF) and a\n"
    "      workbook (XLSX) with every public table of the booklet.\n"
    "  gongkai check PACKAGE [--format text|json] [--unit CODE]... [--profile DIR]\n"
    "      Run the profile's rule catalogue on every unit and print all findings as\n"
    "      FILE:LINE:COL: error|warning: [RULE-ID] message (expected X, found Y).\n"
    "      Exit 0 when no error was found (warnings allowed), 1 otherwise.\n"
    "  gongkai template PROFILE -o DIR\n"
    "      Write an empty budget package for a layout profile (a name such as sichuan-2025,\n"
    "      or a folder): units.csv and tables/*.csv with their header rows.\n"
    "  gongkai --help | --version\n"
    "\n"
    "Options:\n"
    "  -o, --output DIR   output folder (created if missing)\n"
    "  --format FORMAT    all (the default: pdf and xlsx), pdf or xlsx\n"
    "  --unit CODE        export only this unit (repeatable)\n"
    "  --profile DIR      use this layout profile folder instead of the one units.csv names\n"
    "  --font FILE        TrueType/TTC font for body and table text in the PDF\n"
    "  --title-font FILE  TrueType/TTC font for titles in the PDF\n"
    "  --force            export units whose checks found errors anyway (and say so)\n"
    "\n"
    "Exit status: 0 success, 1 bad input or a unit failed, 2 usage error.\n"
    "Layout profiles are looked up in $GONGKAI_LAYOUTS, else beside the program.\n";

static void print_diag(const gk_diag *diag)
{
    if (diag->file[0] && diag->line > 0 && diag->column > 0)
        fprintf(stderr, "%s:%d:%d: error: %s\n", diag->file, diag->line, diag->column,
                diag->message);
    else if (diag->file[0] && diag->line > 0)
        fprintf(stderr, "%s:%d: error: %s\n", diag->file, diag->line, diag->message);
    else if (diag->file[0])
        fprintf(stderr, "%s: error: %s\n", diag->file, diag->message);
    else
        fprintf(stderr, "gongkai: error: %s\n", diag->message);
}

static int usage_error(const char *message, const char *detail)
{
    fprintf(stderr, "gongkai: %s%s%s\n\n%s", message, detail ? ": " : "", detail ? detail : "",
            usage_text);
    return EXIT_USAGE;
}

/* buf = a/b; false when it does not fit. */
static bool join_path(char *buf, size_t size, const char *a, const char *b)
{
    int n = snprintf(buf, size, "%s/%s", a, b);
    return n >= 0 && (size_t)n < size;
}

/* Where the layout profiles are: $GONGKAI_LAYOUTS, else ../layouts or
 * ../share/gongkai/layouts relative to the executable. */
static void find_layouts_root(char *buf, size_t size)
{
    const char *env = getenv("GONGKAI_LAYOUTS");
    if (env && env[0]) {
        snprintf(buf, size, "%s", env);
        return;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash)
            *slash = '\0';
        static const char *const candidates[] = {"../layouts", "../share/gongkai/layouts"};
        for (size_t i = 0; i < 2; i++) {
            struct stat st;
            if (join_path(buf, size, exe, candidates[i]) && stat(buf, &st) == 0 && S_ISDIR(st.st_mode))
                return;
        }
    }
    snprintf(buf, size, "layouts");
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

typedef struct export_args {
    const char *package;
    const char *output;
    const char *format;
    const char *profile;
    gk_render_options render;
    bool force;
    const char *units[MAX_UNIT_FILTERS];
    size_t unit_count;
} export_args;

static bool unit_selected(const export_args *args, const char *code)
{
    if (args->unit_count == 0)
        return true;
    for (size_t i = 0; i < args->unit_count; i++)
        if (strcmp(args->units[i], code) == 0)
            return true;
    return false;
}

/* ---- findings ---------------------------------------------------------------------------- */

static void print_finding(const gk_finding *f)
{
    const char *severity = f->severity == GK_ERROR ? "error" : "warning";
    if (f->line > 0 && f->column > 0)
        fprintf(stderr, "%s:%d:%d: %s: [%s] %s", f->file, f->line, f->column, severity, f->rule,
                f->message);
    else if (f->line > 0)
        fprintf(stderr, "%s:%d: %s: [%s] %s", f->file, f->line, severity, f->rule, f->message);
    else
        fprintf(stderr, "%s: %s: [%s] %s", f->file, severity, f->rule, f->message);
    if (f->expected || f->found)
        fprintf(stderr, " (expected %s, found %s)", f->expected ? f->expected : "-",
                f->found ? f->found : "-");
    fputc('\n', stderr);
}

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

static void print_findings_json(const gk_package *pkg, const gk_findings *findings,
                                const bool *checked)
{
    printf("{\"errors\": %zu, \"warnings\": %zu, \"units\": [", findings->errors,
           findings->warnings);
    bool first_unit = true;
    for (size_t u = 0; u < pkg->unit_count; u++) {
        if (!checked[u])
            continue;
        printf("%s\n  {\"unit\": ", first_unit ? "" : ",");
        json_string(stdout, pkg->units[u].code);
        printf(", \"name\": ");
        json_string(stdout, pkg->units[u].name);
        printf(", \"findings\": [");
        bool first = true;
        for (size_t i = 0; i < findings->count; i++) {
            const gk_finding *f = &findings->items[i];
            if (f->unit != u)
                continue;
            printf("%s\n    {\"severity\": \"%s\", \"rule\": ", first ? "" : ",",
                   f->severity == GK_ERROR ? "error" : "warning");
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
        printf("%s]}", first ? "" : "\n  ");
        first_unit = false;
    }
    printf("\n]}\n");
}

/* Runs the checks of one unit, prints its findings (text), and returns its error count, or
 * -1 when the unit could not be checked at all (its error printed). */
static long check_unit(const gk_package *pkg, const gk_rules *rules, size_t unit,
                       gk_findings *findings, bool print)
{
    gk_diag diag;
    gk_diag_clear(&diag);
    size_t before = findings->count, errors = findings->errors;
    if (gk_check_unit(pkg, rules, unit, findings, &diag) != GK_OK) {
        print_diag(&diag);
        return -1;
    }
    for (size_t i = before; print && i < findings->count; i++)
        print_finding(&findings->items[i]);
    return (long)(findings->errors - errors);
}

/* Exports one unit in every chosen format; returns 0 on success, 1 after printing its error. */
static int export_unit(const gk_package *pkg, size_t unit, const export_args *args,
                       const gk_backend *const *backends, size_t backend_count)
{
    gk_diag diag;
    gk_diag_clear(&diag);
    gk_document *doc = NULL;
    gk_status status = gk_document_build_unit(pkg, unit, &doc, &diag);
    for (size_t b = 0; status == GK_OK && b < backend_count; b++) {
        char name[1024], path[PATH_MAX];
        gk_output_name(doc, backends[b]->extension, name, sizeof name);
        if (!join_path(path, sizeof path, args->output, name))
            snprintf(path, sizeof path, "output-path-too-long");
        status = gk_render(doc, backends[b], path, &args->render, &diag);
        if (status == GK_OK)
            fprintf(stderr, "gongkai: wrote %s\n", path);
    }
    gk_document_free(doc);
    if (status != GK_OK) {
        print_diag(&diag);
        fprintf(stderr, "gongkai: unit %s was not exported\n", pkg->units[unit].code);
        return 1;
    }
    return 0;
}

static int run_export(const export_args *args)
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
            return usage_error("unknown format (expected all, pdf or xlsx)", args->format);

    char layouts[PATH_MAX];
    find_layouts_root(layouts, sizeof layouts);
    gk_diag diag;
    gk_diag_clear(&diag);
    gk_package *pkg = NULL;
    gk_status status = gk_package_load(args->package, args->profile, layouts, &pkg, &diag);
    if (status != GK_OK) {
        print_diag(&diag);
        return EXIT_INPUT;
    }
    for (size_t i = 0; i < args->unit_count; i++)
        if (gk_package_unit_index(pkg, args->units[i]) < 0) {
            fprintf(stderr, "%s/units.csv: error: --unit %s: no such unit in the package\n",
                    args->package, args->units[i]);
            gk_package_free(pkg);
            return EXIT_INPUT;
        }
    if (make_dirs(args->output) != 0) {
        fprintf(stderr, "%s: error: cannot create the output folder: %s\n", args->output,
                strerror(errno));
        gk_package_free(pkg);
        return EXIT_INPUT;
    }
    gk_rules *rules = NULL;
    if (gk_rules_load(pkg->profile, &rules, &diag) != GK_OK) {
        print_diag(&diag);
        gk_package_free(pkg);
        return EXIT_INPUT;
    }
    int failed = 0;
    gk_findings findings = {0};
    for (size_t u = 0; u < pkg->unit_count; u++) {
        if (!unit_selected(args, pkg->units[u].code))
            continue;
        /* the same checks as `gongkai check`: a unit with errors is not published */
        long errors = check_unit(pkg, rules, u, &findings, true);
        if (errors < 0 || (errors > 0 && !args->force)) {
            if (errors > 0)
                fprintf(stderr, "gongkai: unit %s was not exported: its checks found %ld "
                                "error%s (--force writes it anyway)\n",
                        pkg->units[u].code, errors, errors == 1 ? "" : "s");
            failed++;
            continue;
        }
        if (errors > 0)
            fprintf(stderr, "gongkai: unit %s has %ld error%s; writing it anyway (--force)\n",
                    pkg->units[u].code, errors, errors == 1 ? "" : "s");
        failed += export_unit(pkg, u, args, backends, backend_count);
    }
    gk_findings_free(&findings);
    gk_rules_free(rules);
    gk_package_free(pkg);
    return failed ? EXIT_INPUT : 0;
}

/* ---- check ---------------------------------------------------------------------------- */

static int run_check(const export_args *args, bool json)
{
    char layouts[PATH_MAX];
    find_layouts_root(layouts, sizeof layouts);
    gk_diag diag;
    gk_diag_clear(&diag);
    gk_package *pkg = NULL;
    gk_rules *rules = NULL;
    if (gk_package_load(args->package, args->profile, layouts, &pkg, &diag) != GK_OK ||
        gk_rules_load(pkg->profile, &rules, &diag) != GK_OK) {
        print_diag(&diag);
        gk_package_free(pkg);
        return EXIT_INPUT;
    }
    bool *checked = calloc(pkg->unit_count, sizeof *checked);
    gk_findings findings = {0};
    int failed = checked == NULL;
    for (size_t u = 0; checked && u < pkg->unit_count; u++) {
        if (!unit_selected(args, pkg->units[u].code))
            continue;
        if (!json)
            fprintf(stderr, "== %s %s ==\n", pkg->units[u].code, pkg->units[u].name);
        checked[u] = true;
        failed += check_unit(pkg, rules, u, &findings, !json) < 0;
    }
    if (json && checked)
        print_findings_json(pkg, &findings, checked);
    else
        fprintf(stderr, "gongkai: %zu error%s, %zu warning%s\n", findings.errors,
                findings.errors == 1 ? "" : "s", findings.warnings,
                findings.warnings == 1 ? "" : "s");
    int status = failed || findings.errors > 0 ? EXIT_INPUT : 0;
    free(checked);
    gk_findings_free(&findings);
    gk_rules_free(rules);
    gk_package_free(pkg);
    return status;
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

static int run_template(const char *profile_arg, const char *output)
{
    char dir[PATH_MAX];
    struct stat st;
    if (strchr(profile_arg, '/') || (stat(profile_arg, &st) == 0 && S_ISDIR(st.st_mode))) {
        snprintf(dir, sizeof dir, "%s", profile_arg);
    } else {
        char layouts[PATH_MAX];
        find_layouts_root(layouts, sizeof layouts);
        if (!join_path(dir, sizeof dir, layouts, profile_arg))
            return usage_error("profile name too long", profile_arg);
    }
    gk_diag diag;
    gk_diag_clear(&diag);
    gk_profile *profile = NULL;
    if (gk_profile_load(dir, &profile, &diag) != GK_OK) {
        print_diag(&diag);
        return EXIT_INPUT;
    }
    char tables[PATH_MAX];
    if (!join_path(tables, sizeof tables, output, "tables"))
        return usage_error("output path too long", output);
    if (make_dirs(tables) != 0) {
        fprintf(stderr, "%s: error: cannot create the folder: %s\n", tables, strerror(errno));
        gk_profile_free(profile);
        return EXIT_INPUT;
    }
    char path[PATH_MAX];
    if (!join_path(path, sizeof path, output, "units.csv"))
        return usage_error("output path too long", output);
    int failed = write_text_file(path, "unit_code,unit_name,department_code,department_name,"
                                       "year,profile,booklet\r\n");
    for (size_t t = 0; t < profile->table_count && !failed; t++) {
        const gk_table_layout *layout = &profile->tables[t];
        char header[4096];
        size_t used = (size_t)snprintf(header, sizeof header, "unit_code%s",
                                       layout->is_stub ? "" : ",level");
        for (size_t f = 0; f < layout->field_count && used < sizeof header; f++) {
            if (layout->fields[f].optional) /* computed columns are not typed in */
                continue;
            used += (size_t)snprintf(header + used, sizeof header - used, ",%s",
                                     layout->fields[f].key);
        }
        if (used < sizeof header - 2)
            strcat(header, "\r\n");
        char file[256];
        snprintf(file, sizeof file, "%s.csv", layout->id);
        failed = !join_path(path, sizeof path, tables, file) || write_text_file(path, header);
    }
    gk_profile_free(profile);
    if (!failed)
        fprintf(stderr, "gongkai: wrote an empty package for %s to %s\n", profile_arg, output);
    return failed ? EXIT_INPUT : 0;
}

/* ---- arguments ------------------------------------------------------------------------ */

static const char *option_value(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc)
        return NULL;
    return argv[++*i];
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage_error("missing command", NULL);
    const char *command = argv[1];
    if (strcmp(command, "--help") == 0 || strcmp(command, "-h") == 0 ||
        strcmp(command, "help") == 0) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (strcmp(command, "--version") == 0) {
        printf("gongkai %s\n", GK_VERSION);
        return 0;
    }
    if (strcmp(command, "export") != 0 && strcmp(command, "template") != 0 &&
        strcmp(command, "check") != 0)
        return usage_error("unknown command", command);
    bool check = strcmp(command, "check") == 0;

    export_args args = {.format = check ? "text" : "all"};
    const char *positional = NULL;
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i];
        const char **target = NULL;
        if (strcmp(arg, "-o") == 0 || strcmp(arg, "--output") == 0)
            target = &args.output;
        else if (strcmp(arg, "--format") == 0 && strcmp(command, "template") != 0)
            target = &args.format;
        else if (strcmp(arg, "--profile") == 0 && strcmp(command, "template") != 0)
            target = &args.profile;
        else if (strcmp(arg, "--force") == 0 && strcmp(command, "export") == 0) {
            args.force = true;
            continue;
        }
        else if (strcmp(arg, "--font") == 0 && strcmp(command, "export") == 0)
            target = &args.render.body_font;
        else if (strcmp(arg, "--title-font") == 0 && strcmp(command, "export") == 0)
            target = &args.render.title_font;
        else if (strcmp(arg, "--unit") == 0 && strcmp(command, "template") != 0) {
            if (args.unit_count == MAX_UNIT_FILTERS)
                return usage_error("too many --unit options", NULL);
            target = &args.units[args.unit_count++];
        } else if (strcmp(arg, "--help") == 0) {
            fputs(usage_text, stdout);
            return 0;
        } else if (arg[0] == '-' && arg[1] != '\0') {
            return usage_error("unknown option", arg);
        } else if (positional == NULL) {
            positional = arg;
            continue;
        } else {
            return usage_error("unexpected argument", arg);
        }
        if ((*target = option_value(argc, argv, &i)) == NULL)
            return usage_error("option needs a value", arg);
    }
    if (positional == NULL)
        return usage_error(strcmp(command, "template") != 0 ? "missing PACKAGE" : "missing PROFILE",
                           NULL);
    if (check) {
        if (strcmp(args.format, "text") != 0 && strcmp(args.format, "json") != 0)
            return usage_error("unknown format (expected text or json)", args.format);
        args.package = positional;
        return run_check(&args, strcmp(args.format, "json") == 0);
    }
    if (args.output == NULL)
        return usage_error("missing -o OUTDIR", NULL);
    if (strcmp(command, "template") == 0)
        return run_template(positional, args.output);
    args.package = positional;
    return run_export(&args);
}
