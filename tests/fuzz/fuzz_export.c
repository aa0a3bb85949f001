/* Fuzz target: one table of a package, from its CSV bytes to checks, PDF and XLSX files.
 *
 *     3-1.csv bytes [ "\n#overview.md\n" overview.md bytes ]
 *
 * The input becomes tables/3-1.csv of a tiny package in this process's temp folder: units.csv
 * with one unit (302309) of profile fz, a copy of the real 3-1.yaml as fz's only table, a
 * rules.yaml using every rule kind on it, a prior.csv, and narrative/302309/overview.md: the
 * part of the input after a line "#overview.md", or without one a fixed text whose
 * placeholders and hand-written figures are computed from and checked against the fuzzed
 * table. The package is loaded, the unit checked, the unit's booklet (and its department's)
 * built, and the unit's booklet and workbook exported through the publishing gate (forced past
 * the checks' errors) into out/: both files, or neither (the same two files overwritten every
 * run). The PDF
 * backend reads the fonts prepared by the gongkai_fonts target: GONGKAI_FONTS is set to
 * GK_FUZZ_FONT_DIR unless it is already set. Seeds: corpus/export; dictionary: csv.dict. */
#include "fuzz_util.h"

#include <stdint.h>
#include <unistd.h>

#include "check/check.h"
#include "export/export.h"
#include "model/document.h"
#include "render/render.h"

#ifndef GK_SOURCE_DIR
#error "GK_SOURCE_DIR must name the source tree (set by CMakeLists.txt)"
#endif
#ifndef GK_FUZZ_FONT_DIR
#error "GK_FUZZ_FONT_DIR must name the prepared fonts (set by CMakeLists.txt)"
#endif

static const char units_csv[] =
    "unit_code,unit_name,department_code,department_name,year,profile,booklet\n"
    "302309,乐山市人力资源和社会保障信息中心,302,乐山市人力资源和社会保障局,2025,fz,unit\n";

static const char booklet[] = "profile: fz\n"
                              "amount_unit: 万元\n"
                              "amount_decimals: 2\n"
                              "zero: blank\n"
                              "empty_text: 注：此表无数据\n"
                              "continued: 续表\n"
                              "parts:\n"
                              "  - {title: \"第一部分 {unit.name}概况\", narrative: overview}\n"
                              "  - {title: \"第二部分 {unit.name}{year}年{booklet}表\", tables: true}\n"
                              "booklets:\n"
                              "  unit: {title: 单位预算, tables: [3-1]}\n"
                              "  department: {title: 部门预算, tables: [3-1]}\n";

static const char rules_yaml[] =
    "rounding_tolerance: 1\n"
    "rules:\n"
    "  - {id: SUM-LEVELS, kind: hierarchy, tables: [3-1], rounding: SUM-ROUNDING,\n"
    "     description: d}\n"
    "  - {id: ROW-3-1, kind: row, table: 3-1, check: 3-1.total = 3-1.personnel + 3-1.public,\n"
    "     rounding: ROW-ROUNDING, description: d}\n"
    "  - {id: RECEPTION, kind: compare, check: \"3-1.public <= 3-1.total[econ_code=30217]\",\n"
    "     description: d}\n"
    "  - {id: BY-CODE, kind: compare, by: [class, item], check: 3-1.total >= 3-1.public,\n"
    "     description: d}\n"
    "  - {id: NAMES, kind: lookup, from: \"3-1.name[level=3]\", in: \"3-1.name[level=2]\",\n"
    "     amount: 3-1.total <= 3-1.total, description: d}\n"
    "  - {id: UNIT-ID, kind: identity, description: d}\n"
    "  - {id: DERIVED, kind: derived, rounding: DERIVED-ROUNDING, description: d}\n"
    "  - {id: CODE-FORMAT, kind: codes, tables: [3-1], digits: {class: 3, item: 2},\n"
    "     description: d}\n"
    "  - {id: EMPTY-TABLES, kind: present, tables: [3-1], description: d}\n"
    "  - {id: NARRATIVE-FIGURE, kind: narrative, description: d}\n";

static const char prior_csv[] = "unit_code,key,amount\n"
                                "302309,total,166.48\n"
                                "302309,basic,-12.50\n";

static const char separator[] = "\n#overview.md\n";

/* Figures over the fuzzed table: sums, shares and changes of its amounts, and hand-written
 * amounts and percentages that the NARRATIVE-FIGURE rule looks for among them. */
static const char overview_md[] =
    "# {{unit}}{{year}}年概况\n\n"
    "基本支出 {{amount 3-1.total}} 万元，比 {{prior_year}} 年 {{amount prior.total}} 万元"
    "{{change 3-1.total from prior.total}}，{{rate 3-1.total from prior.basic}}。\n\n"
    "- 人员经费 {{amount 3-1.personnel}} 万元，占 {{share 3-1.personnel of 3-1.total}}；\n"
    "- 公用经费 {{amount 3-1.public[level=1]}} 万元，占 {{share 3-1.public of 3-1.personnel}}，"
    "{{rate 3-1.public from 3-1.personnel}}；\n"
    "- 接待费 {{amount 3-1.total[econ_code=30217]}} 万元。\n\n"
    "| 项目 | 金额（万元） |\n| --- | ---: |\n| 合计 | {{amount 3-1.total}} |\n\n"
    "工资福利支出 134.26 万元，占 80.65%，增长 12.345678%，**下降 3.5％**，共 0 万元。\n";

static char package_dir[FUZZ_PATH_MAX], layouts_dir[FUZZ_PATH_MAX];
static char pdf_path[FUZZ_PATH_MAX], xlsx_path[FUZZ_PATH_MAX];
static const gk_backend *pdf, *xlsx;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    setenv("GONGKAI_FONTS", GK_FUZZ_FONT_DIR, 0);
    fuzz_tmp_dir("export");
    fuzz_mkdir("pkg");
    fuzz_mkdir("pkg/tables");
    fuzz_mkdir("layouts");
    fuzz_mkdir("layouts/fz");
    fuzz_mkdir("out");
    fuzz_mkdir("pkg/narrative");
    fuzz_mkdir("pkg/narrative/302309");
    fuzz_write_text("pkg/units.csv", units_csv);
    fuzz_write_text("pkg/prior.csv", prior_csv);
    fuzz_write_text("layouts/fz/booklet.yaml", booklet);
    fuzz_copy(GK_SOURCE_DIR "/layouts/sichuan-2025/3-1.yaml", "layouts/fz/3-1.yaml");
    fuzz_write_text("layouts/fz/rules.yaml", rules_yaml);
    fuzz_path(package_dir, "pkg");
    fuzz_path(layouts_dir, "layouts");
    fuzz_path(pdf_path, "out/u.pdf");
    fuzz_path(xlsx_path, "out/u.xlsx");
    pdf = gk_backend_find("pdf");
    xlsx = gk_backend_find("xlsx");
    if (pdf == NULL || xlsx == NULL)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *split = fuzz_find(data, size, separator);
    size_t csv_len = split ? (size_t)(split - data) : size;
    fuzz_write("pkg/tables/3-1.csv", data, csv_len);
    if (split) {
        size_t skip = strlen(separator);
        fuzz_write("pkg/narrative/302309/overview.md", split + skip, size - csv_len - skip);
    } else {
        fuzz_write_text("pkg/narrative/302309/overview.md", overview_md);
    }

    gk_diag diag;
    gk_diag_clear(&diag);
    gk_package *pkg = NULL;
    if (gk_package_load(package_dir, NULL, layouts_dir, &pkg, &diag) != GK_OK) {
        FUZZ_ASSERT(pkg == NULL && diag.message[0] != '\0');
        return 0;
    }
    FUZZ_ASSERT(pkg->unit_count == 1);

    gk_rules *rules = NULL;
    FUZZ_ASSERT(gk_rules_load(pkg->profile, &rules, &diag) == GK_OK && rules->count == 10);
    gk_findings findings = {0};
    if (gk_check_unit(pkg, rules, 0, &findings, &diag) == GK_OK) {
        FUZZ_ASSERT(findings.count == findings.errors + findings.warnings);
        for (size_t i = 0; i < findings.count; i++) {
            char line[512];
            gk_finding_format(&findings.items[i], line, sizeof line);
            FUZZ_ASSERT(memchr(line, '\0', sizeof line) != NULL);
        }
    }
    gk_findings_free(&findings);

    /* through the publishing gate, forced past the checks' errors: both files, or neither */
    const gk_backend *const backends[] = {pdf, xlsx};
    const char *const paths[] = {pdf_path, xlsx_path};
    gk_export_job job = {.pkg = pkg, .rules = rules, .unit = 0, .backends = backends,
                         .paths = paths, .count = 2, .force = true};
    gk_findings gate_findings = {0};
    bool published = gk_export(&job, &gate_findings, &diag) == GK_OK;
    FUZZ_ASSERT(access(pdf_path, F_OK) == (published ? 0 : -1));
    FUZZ_ASSERT(access(xlsx_path, F_OK) == (published ? 0 : -1));
    gk_findings_free(&gate_findings);
    gk_rules_free(rules);

    gk_document *department = NULL;
    if (gk_document_build_department(pkg, pkg->units[0].department_code, &department, &diag) ==
        GK_OK)
        FUZZ_ASSERT(department->table_count == 1);
    gk_document_free(department);

    gk_package_free(pkg);
    return 0;
}
