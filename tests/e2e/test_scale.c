/* Memory and scale of a province (issue 13), asserted without a clock: the rows a unit's work
 * reads or copies do not grow with its department (a counter, gk_package_rows_handled), the
 * parent of an export indexes 2,000 units under an address-space cap (prlimit --as) that 200
 * units fit well inside, and its peak memory over 2,000 jobs' reports is that of 200 jobs and
 * its index. Packages come from tests/bench/make_package.py and make_copies.py. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "batch/batch.h"
#include "check/check.h"
#include "model/document.h"
#include "model/values.h"
#include "util/datadir.h"
#include "../support/testutil.h"

static const char *const python = "/usr/bin/python3";

static void make_package(char *dir, size_t size, int units, int departments)
{
    tu_tempdir(dir, size, "scale");
    char *log = NULL;
    int rc = tu_run(&log, "%s '%s/tests/bench/make_package.py' '%s' --units %d --departments %d "
                          "--seed 7",
                    python, GK_SOURCE_DIR, dir, units, departments);
    if (rc != 0)
        fail_msg("make_package.py failed (%d):\n%s", rc, log);
    free(log);
}

/* ---- rows per unit --------------------------------------------------------------------------- */

typedef struct package {
    gk_package *index;
    gk_rules *rules;
    size_t rows; /* the package's rows, each read once */
} package;

static void open_package(package *p, const char *dir)
{
    gk_diag diag;
    gk_diag_clear(&diag);
    if (gk_package_index(dir, NULL, gk_data_dir(GK_DATA_LAYOUTS), &p->index, &diag) != GK_OK ||
        gk_rules_load(p->index->profile, &p->rules, &diag) != GK_OK)
        fail_msg("%s:%d:%d: %s", diag.file, diag.line, diag.column, diag.message);
    size_t *all = malloc(p->index->unit_count * sizeof *all);
    for (size_t u = 0; u < p->index->unit_count; u++)
        all[u] = u;
    size_t before = gk_package_rows_handled();
    gk_package *whole = NULL;
    assert_int_equal(gk_package_load_units(p->index, all, p->index->unit_count, &whole, &diag),
                     GK_OK);
    p->rows = gk_package_rows_handled() - before;
    assert_true(p->rows > 40 * p->index->unit_count); /* dozens of rows a unit */
    gk_package_free(whole);
    free(all);
}

static void close_package(package *p)
{
    gk_rules_free(p->rules);
    gk_package_free(p->index);
}

/* Each unit's job as a batch worker does it: its rows, its checks, its booklet. */
static double unit_jobs(const package *p)
{
    size_t before = gk_package_rows_handled();
    for (size_t u = 0; u < p->index->unit_count; u++) {
        gk_package *pkg = NULL;
        gk_findings findings = {0};
        gk_document *doc = NULL;
        gk_diag diag;
        assert_int_equal(gk_package_load_units(p->index, &u, 1, &pkg, &diag), GK_OK);
        int local = gk_package_unit_index(pkg, p->index->units[u].code);
        assert_int_equal(gk_check_unit(pkg, p->rules, (size_t)local, &findings, &diag), GK_OK);
        assert_int_equal(findings.errors, 0);
        assert_int_equal(gk_document_build_unit(pkg, (size_t)local, &doc, &diag), GK_OK);
        gk_document_free(doc);
        gk_findings_free(&findings);
        gk_package_free(pkg);
    }
    return (double)(gk_package_rows_handled() - before) / (double)p->rows;
}

/* The department's job: all of its units read once, each checked, the booklet of their sums. */
static double department_job(const package *p)
{
    size_t before = gk_package_rows_handled();
    const size_t *members;
    const char *code = p->index->units[0].department_code;
    size_t count = gk_package_department_units(p->index, code, &members);
    assert_int_equal(count, p->index->unit_count);
    gk_package *pkg = NULL;
    gk_findings findings = {0};
    gk_document *doc = NULL;
    gk_diag diag;
    assert_int_equal(gk_package_load_units(p->index, members, count, &pkg, &diag), GK_OK);
    assert_int_equal(gk_check_department(pkg, p->rules, code, &findings, &diag), GK_OK);
    assert_int_equal(findings.errors, 0);
    assert_int_equal(gk_document_build_department(pkg, code, &doc, &diag), GK_OK);
    gk_document_free(doc);
    gk_findings_free(&findings);
    gk_package_free(pkg);
    return (double)(gk_package_rows_handled() - before) / (double)p->rows;
}

/* The library's way: the whole package in memory, every unit checked, then the department. */
static double whole_package_checks(const package *p, const char *dir)
{
    gk_package *pkg = NULL;
    gk_diag diag;
    assert_int_equal(gk_package_load(dir, NULL, gk_data_dir(GK_DATA_LAYOUTS), &pkg, &diag),
                     GK_OK);
    gk_rules *rules = NULL; /* the rules of this package's own profile */
    assert_int_equal(gk_rules_load(pkg->profile, &rules, &diag), GK_OK);
    size_t before = gk_package_rows_handled();
    gk_findings findings = {0};
    for (size_t u = 0; u < pkg->unit_count; u++)
        assert_int_equal(gk_check_unit(pkg, rules, u, &findings, &diag), GK_OK);
    assert_int_equal(gk_check_department(pkg, rules, pkg->units[0].department_code, &findings,
                                         &diag),
                     GK_OK);
    assert_int_equal(findings.errors, 0);
    gk_findings_free(&findings);
    gk_rules_free(rules);
    gk_package_free(pkg);
    return (double)(gk_package_rows_handled() - before) / (double)p->rows;
}

/* Rows read or copied for all of a department's units, per row of the package: before, every
 * unit's check copied its whole department's rows (20 and 200 times them); now a unit's work
 * costs its own rows, and a department's its own, whatever the department's size. */
static void test_rows_per_unit_flat_as_a_department_grows(void **state)
{
    (void)state;
    double ratios[2][3];
    static const int sizes[] = {20, 200};
    for (int i = 0; i < 2; i++) {
        char dir[1024];
        make_package(dir, sizeof dir, sizes[i], 1);
        package p = {0};
        open_package(&p, dir);
        ratios[i][0] = unit_jobs(&p);
        ratios[i][1] = department_job(&p);
        ratios[i][2] = whole_package_checks(&p, dir);
        close_package(&p);
    }
    for (int k = 0; k < 3; k++) {
        print_message("%d units: %.2f rows handled per row; %d units: %.2f\n", sizes[0],
                      ratios[0][k], sizes[1], ratios[1][k]);
        assert_true(ratios[0][k] <= 3.0 && ratios[1][k] <= 3.0);
        assert_true(ratios[1][k] <= ratios[0][k] * 1.2);
    }
}

/* ---- a consolidated department ----------------------------------------------------------------- */

/* The work of a consolidated department's checks (gk_steps: rows visited and compared) per row
 * of the package, its units read with a profile whose department booklet is consolidated
 * (issue 14): the checks run once, on the department's rows, so their work grows with the
 * rows, not with the units times their department. */
static double consolidated_checks(const char *dir, const char *profile)
{
    gk_package *pkg = NULL;
    gk_rules *rules = NULL;
    gk_diag diag;
    gk_diag_clear(&diag);
    if (gk_package_load(dir, profile, NULL, &pkg, &diag) != GK_OK ||
        gk_rules_load(pkg->profile, &rules, &diag) != GK_OK)
        fail_msg("%s:%d:%d: %s", diag.file, diag.line, diag.column, diag.message);
    assert_true(pkg->profile->booklets[GK_BOOKLET_DEPARTMENT].consolidated);
    size_t rows = 0;
    for (size_t t = 0; t < pkg->profile->table_count; t++)
        rows += pkg->tables[t].row_count;
    gk_findings findings = {0};
    gk_document *doc = NULL;
    gk_steps = 0;
    assert_int_equal(gk_check_department(pkg, rules, pkg->units[0].department_code, &findings,
                                         &diag),
                     GK_OK);
    double steps = (double)gk_steps / (double)rows;
    assert_int_equal(gk_document_build_department(pkg, pkg->units[0].department_code, &doc,
                                                  &diag),
                     GK_OK);
    gk_document_free(doc);
    gk_findings_free(&findings);
    gk_rules_free(rules);
    gk_package_free(pkg);
    return steps;
}

static void test_consolidated_department_checks_grow_with_rows(void **state)
{
    (void)state;
    char profile[1024];
    tu_tempdir(profile, sizeof profile, "consolidated");
    strcat(profile, "/sichuan-2025");
    char *log = NULL;
    if (tu_run(&log, "cp -r '%s/layouts/sichuan-2025' '%s' && %s "
                     "'%s/tests/support/consolidated_department.py' '%s'",
               GK_SOURCE_DIR, profile, python, GK_SOURCE_DIR, profile) != 0)
        fail_msg("profile: %s", log);
    free(log);
    static const int sizes[] = {20, 200};
    double steps[2];
    for (int i = 0; i < 2; i++) {
        char dir[1024];
        make_package(dir, sizeof dir, sizes[i], 1);
        steps[i] = consolidated_checks(dir, profile);
    }
    print_message("consolidated department: %d units: %.2f steps per row; %d units: %.2f\n",
                  sizes[0], steps[0], sizes[1], steps[1]);
    assert_true(steps[1] <= steps[0] * 1.2);
}

/* ---- the parent's memory ---------------------------------------------------------------------- */

/* Whether exporting one unit of the package works with at most cap_mb MiB of address space
 * (the parent indexes the whole package; one worker renders the unit under the same cap). */
static bool exports_within(const char *pkg, int cap_mb)
{
    char out[1024];
    tu_tempdir(out, sizeof out, "cap");
    char *log = NULL;
    int rc = tu_run(&log, "u=$(sed -n 2p '%s/units.csv' | cut -d, -f1) && prlimit --as=%lld "
                          "'%s' export '%s' -o '%s' -j 1 --quiet --unit \"$u\"",
                    pkg, (long long)cap_mb << 20, GK_EXE, pkg, out);
    free(log);
    return rc == 0;
}

static void test_parent_memory_under_a_cap(void **state)
{
    (void)state;
#if defined(__SANITIZE_ADDRESS__)
    skip(); /* AddressSanitizer reserves terabytes of address space */
#endif
    char small[1024], large[1024];
    make_package(small, sizeof small, 200, 40);
    make_package(large, sizeof large, 2000, 400);
    int cap = 40;
    while (cap <= 400 && !exports_within(small, cap))
        cap += 10;
    assert_true(cap <= 400);
    cap += 20; /* well inside: before, 2,000 units needed 120 MiB more than 200 */
    print_message("200 units export under %d MiB; so must 2,000\n", cap);
    assert_true(exports_within(large, cap));
}

/* A package of `units` invented copies of the sample unit (make_copies.py), every one refused
 * by its checks (its 1-1 合计 is no longer its 1-2's): a quick job with a long report. */
static void make_refused_copies(char *dir, size_t size, int units)
{
    tu_tempdir(dir, size, "refused");
    char *log = NULL;
    int rc = tu_run(&log, "%s '%s/tests/bench/make_copies.py' '%s' --units %d && "
                          "awk -F, -v OFS=, 'NR > 1 { $2 = $2 + 1 } 1' '%s/tables/1-1.csv' "
                          ">'%s/1-1' && mv '%s/1-1' '%s/tables/1-1.csv'",
                    python, GK_SOURCE_DIR, dir, units, dir, dir, dir, dir);
    if (rc != 0)
        fail_msg("make_copies.py failed (%d):\n%s", rc, log);
    free(log);
}

/* The parent's peak resident memory (--stats, KiB) exporting the package, every job failed. */
static long parent_peak_kb(const char *pkg, int units)
{
    char out[1024];
    tu_tempdir(out, sizeof out, "peak");
    char *log = NULL;
    int rc = tu_run(&log, "LC_ALL=C LANGUAGE= '%s' export '%s' -o '%s' -j 2 --quiet --stats", GK_EXE,
                    pkg, out);
    assert_int_equal(rc, 1); /* every job refused */
    const char *stats = log ? strstr(log, "parent peak RSS ") : NULL;
    long kb = 0;
    if (stats == NULL || sscanf(stats, "parent peak RSS %ld KB", &kb) != 1)
        fail_msg("no --stats line:\n%s", log ? log : "");
    free(log);
    char path[1100], summary[128];
    snprintf(path, sizeof path, "%s/manifest.json", out);
    char *manifest = tu_read(path, NULL);
    snprintf(summary, sizeof summary, "\"jobs\": %d,\n    \"ok\": 0,\n    \"failed\": %d,", units,
             units);
    assert_contains(manifest, summary);
    free(manifest);
    return kb;
}

/* Before, the parent kept every job's report until the end and built the whole manifest in
 * memory: 2,000 refused copies (1.6 KiB of manifest each) took it 23 MiB above 200 (13 KiB a
 * job, debug build). Now each record goes to a spill file as it comes and the manifest is streamed: what
 * grows is the package's index and the table of jobs, about 1 KiB a unit. */
static void test_parent_memory_flat_in_reports(void **state)
{
    (void)state;
#if defined(__SANITIZE_ADDRESS__)
    skip(); /* AddressSanitizer's quarantine keeps what the parent frees */
#endif
    char small[1024], large[1024];
    make_refused_copies(small, sizeof small, 200);
    make_refused_copies(large, sizeof large, 2000);
    long at_200 = parent_peak_kb(small, 200), at_2000 = parent_peak_kb(large, 2000);
    double per_job = (double)(at_2000 - at_200) / 1800.0;
    print_message("parent peak RSS: 200 jobs %ld KiB, 2,000 jobs %ld KiB (%.2f KiB a job)\n",
                  at_200, at_2000, per_job);
    assert_true(per_job <= 3.0);
    assert_true(at_2000 <= 2 * at_200); /* issue 13: at most twice for ten times the units */
}

/* The first error of a large package's index, as reading its files in turn finds it: its
 * tables (read by two threads once they pass 8 MiB) in the profile's order, then prior.csv
 * (read beside them). 2,000 units' tables are 13 MB. */
static void test_large_index_reports_its_first_error(void **state)
{
    (void)state;
    char dir[1024];
    make_package(dir, sizeof dir, 2000, 20);
    char *log = NULL;
    assert_int_equal(tu_run(NULL, "cd '%s' && cp tables/1-1.csv 1-1 && cp tables/8.csv 8 && "
                                  "sed -i '$s/^[0-9]*,/nosuch11,/' tables/1-1.csv && "
                                  "sed -i '2s/^[0-9]*,/nosuch8,/' tables/8.csv && "
                                  "sed -i '2s/^[0-9]*,/nosuchp,/' prior.csv", dir), 0);
    static const char *const expected[][2] = {{"tables/1-1.csv:", "'nosuch11'"},
                                              {"tables/8.csv:2:", "'nosuch8'"},
                                              {"prior.csv:2:", "'nosuchp'"}};
    static const char *const repair[] = {"mv 1-1 tables/1-1.csv", "mv 8 tables/8.csv"};
    for (size_t i = 0; i < 3; i++) {
        int rc = tu_run(&log, "LC_ALL=C '%s' check '%s'", GK_EXE, dir);
        assert_int_not_equal(rc, 0);
        assert_contains(log, expected[i][0]);
        assert_contains(log, expected[i][1]);
        assert_contains(log, "is not in units.csv");
        free(log);
        if (i < 2)
            assert_int_equal(tu_run(NULL, "cd '%s' && %s", dir, repair[i]), 0);
    }
}

/* A worker's heap is backed by huge pages where the kernel offers them (cli/heap.c): a first
 * touch of each 4 KiB page cost a third of a unit's time on the CI's paravirtualized machine.
 * --stats says how much of a worker's memory was in them; a change that loses the advice
 * (a trim before forking gives the reserve back, an arena per thread) makes it 0. */
static void test_worker_heap_in_huge_pages(void **state)
{
    (void)state;
#if defined(__SANITIZE_ADDRESS__)
    skip(); /* AddressSanitizer's own allocator: the heap is not glibc's */
#endif
    if (tu_run(NULL, "grep -qE '\\[(always|madvise)\\]' "
                     "/sys/kernel/mm/transparent_hugepage/enabled") != 0)
        skip(); /* transparent huge pages off on this machine */
    char out[1024];
    tu_tempdir(out, sizeof out, "huge");
    char *log = NULL;
    /* the unit and its department: two jobs, so in workers (one alone runs in the parent) */
    assert_int_equal(tu_run(&log, "LC_ALL=C '%s' export '%s/samples/leshan-hrss-info-2025' -o '%s' "
                                  "--stats --quiet --department",
                            GK_EXE, GK_SOURCE_DIR, out),
                     0);
    assert_contains(log, "workers started ");
    assert_null(strstr(log, "workers started 0"));
    long kb = -1;
    const char *line = strstr(log, "worker memory in huge pages ");
    if (line == NULL || sscanf(line, "worker memory in huge pages %ld KB", &kb) != 1)
        fail_msg("no --stats line:\n%s", log);
    print_message("a worker's memory in huge pages: %ld KiB\n", kb);
    assert_true(kb >= 2048); /* at least one 2 MiB page */
    /* and its allocations start in them: measured, the sample's job touches about 150 pages
     * first; about 315 when the worker's heap starts at the parent's top (small pages) */
    long faults = -1;
    line = strstr(log, "page faults at most ");
    if (line == NULL || sscanf(line, "page faults at most %ld", &faults) != 1)
        fail_msg("no --stats line for page faults:\n%s", log);
    print_message("the job's page faults: %ld\n", faults);
    assert_true(faults > 0 && faults < 250);
    free(log);
}

/* A shard's index places only the rows its jobs read (gk_batch_reads_unit): about a tenth of
 * the runs and of prior.csv's priors for --shard 1/10; every unit's record is kept, and reading
 * a unit it did not place is refused, never read as a unit without rows. */
static void test_shard_indexes_only_its_units(void **state)
{
    (void)state;
    char dir[1024];
    make_package(dir, sizeof dir, 400, 40);
    const char *layouts = gk_data_dir(GK_DATA_LAYOUTS);
    gk_diag diag;
    gk_package *whole = NULL, *shard = NULL;
    assert_int_equal(gk_package_index(dir, NULL, layouts, &whole, &diag), GK_OK);
    gk_batch_options options = {.shard_index = 1, .shard_count = 10};
    assert_int_equal(
        gk_package_index_some(dir, NULL, layouts, gk_batch_reads_unit, &options, &shard, &diag),
        GK_OK);
    assert_int_equal(shard->unit_count, whole->unit_count);
    size_t all = gk_package_runs_noted(whole), own = gk_package_runs_noted(shard);
    print_message("runs placed: %zu of %zu\n", own, all);
    assert_true(all >= 400 && own > 0 && own * 5 < all); /* a tenth, give or take */
    size_t mine = 0, other = 0;
    for (size_t u = 0; u < shard->unit_count; u++) {
        if (gk_batch_reads_unit(&shard->units[u], &options))
            mine = u;
        else
            other = u;
    }
    /* prior.csv, read as a stream: the placed units' priors alone, each as the whole has it */
    print_message("priors kept: %zu of %zu\n", shard->prior_count, whole->prior_count);
    assert_true(whole->prior_count >= 400 && shard->prior_count > 0 &&
                shard->prior_count * 5 < whole->prior_count);
    size_t mine_priors = 0;
    for (size_t i = 0; i < shard->prior_count; i++) {
        const gk_prior *p = &shard->priors[i];
        assert_true(gk_batch_reads_unit(&shard->units[p->unit], &options));
        bool found = false;
        for (size_t j = 0; !found && j < whole->prior_count; j++) {
            const gk_prior *q = &whole->priors[j];
            found = q->unit == p->unit && q->line == p->line && strcmp(q->key, p->key) == 0 &&
                    q->amount == p->amount;
        }
        assert_true(found);
        mine_priors += p->unit == mine;
    }
    assert_true(mine_priors > 0);
    gk_package *rows = NULL;
    assert_int_equal(gk_package_load_units(shard, &mine, 1, &rows, &diag), GK_OK);
    gk_package_free(rows);
    assert_int_not_equal(gk_package_load_units(shard, &other, 1, &rows, &diag), GK_OK);
    assert_non_null(strstr(diag.message, "its rows were not indexed"));
    /* a department's units are placed when its department is this shard's */
    options.departments = true;
    gk_package *with_departments = NULL;
    assert_int_equal(gk_package_index_some(dir, NULL, layouts, gk_batch_reads_unit, &options,
                                           &with_departments, &diag),
                     GK_OK);
    assert_true(gk_package_runs_noted(with_departments) > own);
    gk_package_free(with_departments);
    gk_package_free(shard);
    gk_package_free(whole);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows_per_unit_flat_as_a_department_grows),
        cmocka_unit_test(test_consolidated_department_checks_grow_with_rows),
        cmocka_unit_test(test_parent_memory_under_a_cap),
        cmocka_unit_test(test_parent_memory_flat_in_reports),
        cmocka_unit_test(test_large_index_reports_its_first_error),
        cmocka_unit_test(test_worker_heap_in_huge_pages),
        cmocka_unit_test(test_shard_indexes_only_its_units),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
