/* The bad-input corpus: every folder tests/bad/NN-name/ is one case (format in
 * tests/bad/README.md). For each case, in a fresh folder: copy the sample package (and the
 * sichuan-2025 profile when the case says `profile: copy`), lay the case's files over the
 * copies (NAME.delete deletes NAME), run the case's `generate:` command in the package, run
 * gongkai, and check the exit status, the message (an extended regex over stdout+stderr) and
 * that a failed run leaves nothing behind (the output folder holds nothing but manifest*.json,
 * the working folder nothing but what the runner made). Each case is one cmocka test, so every
 * failing case is reported with its name, the command, the expected and actual exit status
 * and the output. A case that fails is run once more under LANG=zh_CN.UTF-8: same exit status,
 * same positions ("FILE:LINE:COL: 错误：").
 *
 * GK_BAD_CASE=SUBSTRING runs only the cases whose name contains it; GK_BAD_KEEP=1 keeps every
 * case's folder (a failing case's folder is always kept and named in the report). */
#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <dirent.h>
#include <regex.h>
#include <stdbool.h>

#include "../support/testutil.h"

#define BAD_DIR GK_SOURCE_DIR "/tests/bad"
#define SAMPLE GK_SOURCE_DIR "/samples/leshan-hrss-info-2025"
#define PROFILE GK_SOURCE_DIR "/layouts/sichuan-2025"

enum { MAX_CASES = 600, OUTPUT_SHOWN = 4000 };

typedef struct bad_case {
    char name[256];
    char dir[1024];
    char command[32];     /* export | check | template */
    int exit;             /* expected exit status */
    char message[2048];   /* extended regex over stdout+stderr */
    bool profile_copy;    /* profile: copy */
    bool no_output;       /* output: none (no -o OUTDIR: usage errors) */
    char args[1024];      /* args: extra arguments, inserted as shell words */
    char generate[2048];  /* generate: a shell command run in the package copy */
    char after[2048];     /* after: a shell command run in the case's folder afterwards; must
                             exit 0 (e.g. read the workbook back) */
    int outputs;          /* outputs: N booklets and workbooks expected (-1: the default) */
    int timeout;          /* timeout: seconds gongkai may take (default 60) */
    char error[512];      /* a malformed case file */
} bad_case;

static void trim(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
        s[--n] = '\0';
}

static void read_case(bad_case *c)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/case", c->dir);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        snprintf(c->error, sizeof c->error, "no file 'case' in %s", c->dir);
        return;
    }
    char line[4096];
    c->outputs = -1;
    c->timeout = 60;
    bool have_command = false, have_exit = false, have_message = false;
    while (fgets(line, sizeof line, f) != NULL) {
        trim(line);
        if (line[0] == '\0' || line[0] == '#')
            continue;
        char *colon = strchr(line, ':');
        if (colon == NULL) {
            snprintf(c->error, sizeof c->error, "case: expected 'key: value', found '%.200s'", line);
            break;
        }
        *colon = '\0';
        const char *value = colon + 1;
        while (*value == ' ')
            value++;
        if (strcmp(line, "command") == 0) {
            snprintf(c->command, sizeof c->command, "%s", value);
            have_command = strcmp(value, "export") == 0 || strcmp(value, "check") == 0 ||
                           strcmp(value, "template") == 0;
            if (!have_command)
                snprintf(c->error, sizeof c->error, "case: unknown command '%s'", value);
        } else if (strcmp(line, "exit") == 0) {
            char *end = NULL;
            c->exit = (int)strtol(value, &end, 10);
            have_exit = end != value && *end == '\0';
        } else if (strcmp(line, "message") == 0) {
            snprintf(c->message, sizeof c->message, "%s", value);
            have_message = value[0] != '\0';
        } else if (strcmp(line, "profile") == 0) {
            c->profile_copy = strcmp(value, "copy") == 0;
            if (!c->profile_copy)
                snprintf(c->error, sizeof c->error, "case: expected 'profile: copy'");
        } else if (strcmp(line, "output") == 0) {
            c->no_output = strcmp(value, "none") == 0;
            if (!c->no_output)
                snprintf(c->error, sizeof c->error, "case: expected 'output: none'");
        } else if (strcmp(line, "args") == 0) {
            snprintf(c->args, sizeof c->args, "%s", value);
        } else if (strcmp(line, "generate") == 0) {
            snprintf(c->generate, sizeof c->generate, "%s", value);
        } else if (strcmp(line, "after") == 0) {
            snprintf(c->after, sizeof c->after, "%s", value);
        } else if (strcmp(line, "timeout") == 0) {
            char *end = NULL;
            c->timeout = (int)strtol(value, &end, 10);
            if (end == value || *end != '\0' || c->timeout < 1)
                snprintf(c->error, sizeof c->error, "case: expected 'timeout: SECONDS'");
        } else if (strcmp(line, "outputs") == 0) {
            char *end = NULL;
            c->outputs = (int)strtol(value, &end, 10);
            if (end == value || *end != '\0' || c->outputs < 0)
                snprintf(c->error, sizeof c->error, "case: expected 'outputs: N'");
        } else {
            snprintf(c->error, sizeof c->error, "case: unknown key '%s'", line);
        }
        if (c->error[0] != '\0')
            break;
    }
    fclose(f);
    if (c->error[0] == '\0' && !(have_command && have_exit && have_message))
        snprintf(c->error, sizeof c->error, "case: command, exit and message are required");
}

/* Lays the files of src (a case folder, or its profile/ folder) over dst: NAME.delete removes
 * NAME, any other file is copied; `case` and (for the package) profile/ are not files of
 * the package. */
static int overlay(const char *src, const char *dst, bool package, char **log)
{
    return tu_run(log,
                  "cd '%s' && find . -type f %s | LC_ALL=C sort | while IFS= read -r f; do "
                  "  f=${f#./}; "
                  "  case \"$f\" in "
                  "    *.delete) rm -rf \"%s/${f%%.delete}\" || exit 1 ;; "
                  "    *) mkdir -p \"%s/$(dirname \"$f\")\" && cp \"$f\" \"%s/$f\" || exit 1 ;; "
                  "  esac; "
                  "done",
                  src, package ? "! -path ./case ! -path './profile/*'" : "", dst, dst, dst);
}

/* Entries of the case's working folder other than what the runner made: a stray temporary
 * file written to the current folder (libxlsxwriter's fallback) shows up here. */
static int stray_entries(const char *root, char *names, size_t size)
{
    DIR *d = opendir(root);
    int count = 0;
    names[0] = '\0';
    if (d == NULL)
        return -1;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        const char *n = e->d_name;
        if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0 || strcmp(n, "pkg") == 0 ||
            strcmp(n, "out") == 0 || strcmp(n, "profile") == 0)
            continue;
        count++;
        size_t used = strlen(names);
        snprintf(names + used, size - used, " %s", n);
    }
    closedir(d);
    return count;
}

/* The entries of a folder, as "\nNAME\nNAME\n" (empty if it does not exist). */
static void snapshot(const char *dir, char *list, size_t size)
{
    snprintf(list, size, "\n");
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t used = strlen(list);
        snprintf(list + used, size - used, "%s\n", e->d_name);
    }
    closedir(d);
}

static bool listed(const char *list, const char *name)
{
    char needle[600];
    snprintf(needle, sizeof needle, "\n%s\n", name);
    return strstr(list, needle) != NULL;
}

/* New entries of an export folder (not there before the run, not manifest*.json): how many
 * booklets, workbooks and other entries (temporary files, partial files). */
static void list_outputs(const char *out, const char *before, int *pdf, int *xlsx, int *other,
                         char *names, size_t size)
{
    *pdf = *xlsx = *other = 0;
    names[0] = '\0';
    DIR *d = opendir(out);
    if (d == NULL)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        const char *n = e->d_name;
        size_t len = strlen(n);
        if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0 || strncmp(n, "manifest", 8) == 0 ||
            listed(before, n))
            continue;
        size_t used = strlen(names);
        snprintf(names + used, size - used, " %s", n);
        if (n[0] != '.' && len > 4 && strcmp(n + len - 4, ".pdf") == 0)
            (*pdf)++;
        else if (n[0] != '.' && len > 5 && strcmp(n + len - 5, ".xlsx") == 0)
            (*xlsx)++;
        else
            (*other)++;
    }
    closedir(d);
}

/* The output as shown in a report: the sample's own rounding warnings left out, at most
 * OUTPUT_SHOWN bytes, cut at a character boundary. */
static void shown(const char *output, char *buf, size_t size)
{
    size_t used = 0, dropped = 0;
    buf[0] = '\0';
    for (const char *p = output ? output : ""; *p;) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) + 1 : strlen(p);
        if (memmem(p, len, "-ROUNDING] ", 11) != NULL) {
            dropped++;
        } else {
            size_t take = len;
            if (used + take > OUTPUT_SHOWN) {
                take = used < OUTPUT_SHOWN ? OUTPUT_SHOWN - used : 0;
                while (take > 0 && ((unsigned char)p[take] & 0xC0) == 0x80)
                    take--;
            }
            if (used + take + 1 < size) {
                memcpy(buf + used, p, take);
                used += take;
                buf[used] = '\0';
            }
            if (take < len) {
                snprintf(buf + used, size - used, "\n… (output cut)\n");
                return;
            }
        }
        p += len;
    }
    if (dropped > 0)
        snprintf(buf + used, size - used, "(and %zu rounding warnings)\n", dropped);
}

/* One line per failing case, printed again after the run. */
static char summary[65536];

static void summarize(const char *name, const char *line)
{
    size_t used = strlen(summary);
    snprintf(summary + used, sizeof summary - used, "  %-44s %s\n", name, line);
}

static int print_summary(void **state)
{
    (void)state;
    if (summary[0] != '\0')
        fprintf(stderr, "\nFailing bad-input cases (details above):\n%s", summary);
    return 0;
}

/* A case whose folder could not be prepared: a broken case, not a gongkai bug. */
static void setup_failed(const char *name, const char *what, char *log)
{
    fprintf(stderr, "\n== case %s: %s:\n%s\n", name, what, log ? log : "");
    free(log);
    summarize(name, what);
    fail_msg("case %s: %s", name, what);
}

static const char *next_line(const char *line)
{
    const char *end = strchr(line, '\n');
    return end ? end + 1 : NULL;
}

/* A failed run again under LANG=zh_CN.UTF-8: the same exit status, and every positioned
 * "FILE:LINE:COL: error: " of the English run is there as "FILE:LINE:COL: 错误：". Returns the
 * length of what it wrote into problems. */
static size_t same_in_chinese(const char *root, const char *command, int rc, const char *english,
                              char *problems, size_t size)
{
    char *chinese = NULL;
    int zh_rc = tu_run(&chinese, "cd '%s' && env -u LC_ALL -u LANGUAGE LANG=zh_CN.UTF-8 %s",
                       root, command);
    size_t used = 0;
    if (zh_rc != rc)
        used += (size_t)snprintf(problems, size, "  in Chinese: exit status %d, in English %d\n",
                                 zh_rc, rc);
    for (const char *line = english; line != NULL && *line != '\0'; line = next_line(line)) {
        const char *error = strstr(line, ": error: ");
        const char *end = strchr(line, '\n');
        if (error == NULL || (end && error > end) || memchr(line, ' ', (size_t)(error - line)))
            continue; /* not a diagnostic that starts with its position */
        char expected[1200];
        snprintf(expected, sizeof expected, "%.*s: 错误：", (int)(error - line), line);
        if (chinese == NULL || strstr(chinese, expected) == NULL) {
            if (used < size)
                used += (size_t)snprintf(problems + used, size - used,
                                         "  in Chinese: no '%s' in:\n%.600s\n", expected,
                                         chinese ? chinese : "");
            break;
        }
    }
    free(chinese);
    return used < size ? used : size;
}

static void run_case(void **state)
{
    const bad_case *c = *state;
    if (c->error[0] != '\0') {
        summarize(c->name, c->error);
        fail_msg("%s: malformed case: %s", c->name, c->error);
    }

    char root[1024], pkg[1100], out[1100], profile[1100], path[1200], command[8192];
    tu_tempdir(root, sizeof root, c->name);
    snprintf(pkg, sizeof pkg, "%s/pkg", root);
    snprintf(out, sizeof out, "%s/out", root);
    snprintf(profile, sizeof profile, "%s/profile/sichuan-2025", root);
    char *log = NULL;
    if (tu_run(&log, "mkdir -p '%s' && cp -r '%s/.' '%s/' && chmod -R u+w '%s'", pkg, SAMPLE, pkg,
               pkg) != 0)
        setup_failed(c->name, "cannot copy the sample", log);
    free(log);
    log = NULL;
    if (overlay(c->dir, pkg, true, &log) != 0)
        setup_failed(c->name, "cannot lay the case's files over the package", log);
    free(log);
    log = NULL;
    if (c->profile_copy) {
        if (tu_run(&log, "mkdir -p '%s' && cp -r '%s/.' '%s/' && chmod -R u+w '%s'", profile,
                   PROFILE, profile, profile) != 0)
            setup_failed(c->name, "cannot copy the profile", log);
        free(log);
        log = NULL;
        snprintf(path, sizeof path, "%s/profile", c->dir);
        struct stat st;
        if (stat(path, &st) == 0 && overlay(path, profile, false, &log) != 0)
            setup_failed(c->name, "cannot lay the case's profile files over the profile", log);
        free(log);
        log = NULL;
    }
    if (c->generate[0] != '\0') {
        int rc = tu_run(&log,
                        "cd '%s' && CASE='%s' && PROFILE='%s' && BUILD='%s' && export CASE PROFILE BUILD && %s",
                        pkg, c->dir, profile, GK_BINARY_DIR, c->generate);
        if (rc != 0)
            setup_failed(c->name, "generate failed", log);
        free(log);
        log = NULL;
    }

    /* the command, from the case's folder with relative paths, so that messages read
     * pkg/tables/3-1.csv:3:34: … */
    const char *profile_arg = c->profile_copy ? " --profile profile/sichuan-2025" : "";
    const char *output_arg = c->no_output ? "" : " -o out";
    if (strcmp(c->command, "template") == 0)
        snprintf(command, sizeof command, "'%s' template %s%s %s", GK_EXE,
                 c->profile_copy ? "profile/sichuan-2025" : "sichuan-2025", output_arg, c->args);
    else if (strcmp(c->command, "check") == 0)
        snprintf(command, sizeof command, "'%s' check pkg%s %s", GK_EXE, profile_arg, c->args);
    else
        snprintf(command, sizeof command, "'%s' export pkg%s%s %s", GK_EXE, output_arg, profile_arg,
                 c->args);
    static char before[65536]; /* what the case put in the output folder itself */
    snapshot(out, before, sizeof before);
    /* -k: a worker finishing its file after SIGTERM gets 2 s more, then SIGKILL */
    int rc = tu_run(&log, "cd '%s' && timeout -k 2 %d %s", root, c->timeout, command);

    char problems[4096] = "";
    size_t used = 0;
#define PROBLEM(...) \
    (used += (size_t)snprintf(problems + used, used < sizeof problems ? sizeof problems - used : 0, __VA_ARGS__))
    if (rc != c->exit)
        PROBLEM("  exit status: expected %d, found %d%s\n", c->exit, rc,
                rc == 124 || rc == 137 ? " (timed out)" : rc > 128 ? " (killed by a signal: a crash)" : "");
    regex_t re;
    int rerr = regcomp(&re, c->message, REG_EXTENDED | REG_NOSUB);
    if (rerr != 0) {
        char why[256];
        regerror(rerr, &re, why, sizeof why);
        PROBLEM("  message: the case's regex does not compile: %s\n", why);
    } else {
        if (regexec(&re, log ? log : "", 0, NULL, 0) != 0)
            PROBLEM("  message: no match for /%s/\n", c->message);
        regfree(&re);
    }
    char names[2048];
    int pdf = 0, xlsx = 0, other = 0;
    list_outputs(out, before, &pdf, &xlsx, &other, names, sizeof names);
    if (c->outputs >= 0) {
        if (pdf + xlsx != c->outputs || other > 0)
            PROBLEM("  outputs: expected %d booklets and workbooks and nothing else, found:%s\n",
                    c->outputs, names[0] ? names : " nothing");
    } else if (c->exit != 0 || rc != 0) {
        /* a failed run leaves nothing but manifest*.json (and what was there before) */
        bool was_empty = strcmp(before, "\n") == 0;
        if (pdf + xlsx + other > 0 || (was_empty && tu_count_outputs(out) > 0))
            PROBLEM("  left behind in the output folder:%s\n", names);
    } else if (strcmp(c->command, "export") == 0) {
        bool want_pdf = strstr(c->args, "--format xlsx") == NULL;
        bool want_xlsx = strstr(c->args, "--format pdf") == NULL;
        if ((want_pdf && pdf == 0) || (want_xlsx && xlsx == 0) || other > 0)
            PROBLEM("  outputs: expected%s%s and nothing else, found:%s\n", want_pdf ? " a booklet" : "",
                    want_xlsx ? " a workbook" : "", names[0] ? names : " nothing");
    } else if (strcmp(c->command, "template") == 0) {
        snprintf(path, sizeof path, "%s/units.csv", out);
        struct stat st;
        if (stat(path, &st) != 0)
            PROBLEM("  outputs: expected out/units.csv\n");
    }
    if (rc != 0 && rc == c->exit && pdf + xlsx + other == 0 && c->after[0] == '\0')
        used += same_in_chinese(root, command, rc, log, problems + used,
                                used < sizeof problems ? sizeof problems - used : 0);
    if (c->after[0] != '\0') {
        char *after_log = NULL;
        int after_rc = tu_run(&after_log, "cd '%s' && %s", root, c->after);
        if (after_rc != 0)
            PROBLEM("  after: '%s' failed (%d): %.1000s\n", c->after, after_rc,
                    after_log ? after_log : "");
        free(after_log);
    }
    if (stray_entries(root, names, sizeof names) > 0)
        PROBLEM("  left behind in the working folder:%s\n", names);
#undef PROBLEM

    static char text[OUTPUT_SHOWN + 200];
    shown(log, text, sizeof text);
    free(log);
    if (problems[0] != '\0') {
        /* printed here: cmocka cuts its own messages at 1 KB */
        fprintf(stderr, "\n== case %s FAILED\n%s  command: (cd %s && %s)\n  output:\n%s== end of %s\n",
                c->name, problems, root, command, text, c->name);
        fflush(stderr);
        char first[300];
        snprintf(first, sizeof first, "%s", problems + 2);
        first[strcspn(first, "\n")] = '\0';
        summarize(c->name, first);
        fail_msg("case %s failed (see above)", c->name);
    }
    const char *keep = getenv("GK_BAD_KEEP");
    if (keep == NULL || keep[0] == '\0' || strcmp(keep, "0") == 0)
        tu_run(NULL, "rm -rf '%s'", root);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const bad_case *)a)->name, ((const bad_case *)b)->name);
}

int main(void)
{
    /* ctest points GONGKAI_LAYOUTS at this tree's profiles; do the same when run by hand */
    setenv("GONGKAI_LAYOUTS", GK_SOURCE_DIR "/layouts", 0);
    static bad_case cases[MAX_CASES];
    size_t count = 0;
    const char *only = getenv("GK_BAD_CASE");
    DIR *d = opendir(BAD_DIR);
    if (d == NULL) {
        perror(BAD_DIR);
        return 1;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL && count < MAX_CASES) {
        if (e->d_name[0] == '.')
            continue;
        bad_case *c = &cases[count];
        snprintf(c->dir, sizeof c->dir, "%s/%s", BAD_DIR, e->d_name);
        struct stat st;
        if (stat(c->dir, &st) != 0 || !S_ISDIR(st.st_mode))
            continue;
        if (only != NULL && only[0] != '\0' && strstr(e->d_name, only) == NULL)
            continue;
        snprintf(c->name, sizeof c->name, "%s", e->d_name);
        read_case(c);
        count++;
    }
    closedir(d);
    qsort(cases, count, sizeof *cases, by_name);

    static struct CMUnitTest tests[MAX_CASES];
    for (size_t i = 0; i < count; i++)
        tests[i] = (struct CMUnitTest){.name = cases[i].name, .test_func = run_case,
                                       .initial_state = &cases[i]};
    if (count == 0) {
        fprintf(stderr, "no case under %s%s%s\n", BAD_DIR, only ? " matching " : "", only ? only : "");
        return 1;
    }
    return _cmocka_run_group_tests("bad_input", tests, count, NULL, print_summary);
}
