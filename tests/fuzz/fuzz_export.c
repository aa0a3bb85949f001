/* Fuzz target: one table of a package, from its CSV bytes to PDF and XLSX files.
 *
 * The input becomes tables/3-1.csv of a tiny package in this process's temp folder: units.csv
 * with one unit (302309) of profile fz, a copy of the real 3-1.yaml as fz's only table. The
 * package is loaded, the unit's booklet (and its department's) built, and the unit's booklet
 * rendered by both backends into out/ (the same two files overwritten every run). The PDF
 * backend reads the fonts prepared by the gongkai_fonts target: GONGKAI_FONTS is set to
 * GK_FUZZ_FONT_DIR unless it is already set. Seeds: corpus/export; dictionary: csv.dict. */
#include "fuzz_util.h"

#include <stdint.h>

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
                              "booklets:\n"
                              "  unit: {title: 单位预算, tables: [3-1]}\n"
                              "  department: {title: 部门预算, tables: [3-1]}\n";

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
    fuzz_write_text("pkg/units.csv", units_csv);
    fuzz_write_text("layouts/fz/booklet.yaml", booklet);
    fuzz_copy(GK_SOURCE_DIR "/layouts/sichuan-2025/3-1.yaml", "layouts/fz/3-1.yaml");
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
    fuzz_write("pkg/tables/3-1.csv", data, size);

    gk_diag diag;
    gk_diag_clear(&diag);
    gk_package *pkg = NULL;
    if (gk_package_load(package_dir, NULL, layouts_dir, &pkg, &diag) != GK_OK) {
        FUZZ_ASSERT(pkg == NULL && diag.message[0] != '\0');
        return 0;
    }
    FUZZ_ASSERT(pkg->unit_count == 1);

    gk_document *doc = NULL;
    if (pkg->units[0].failure == NULL &&
        gk_document_build_unit(pkg, 0, &doc, &diag) == GK_OK) {
        gk_render(doc, pdf, pdf_path, NULL, &diag);
        gk_render(doc, xlsx, xlsx_path, NULL, &diag);
    }
    gk_document_free(doc);

    gk_document *department = NULL;
    if (gk_document_build_department(pkg, pkg->units[0].department_code, &department, &diag) ==
        GK_OK)
        FUZZ_ASSERT(department->table_count == 1);
    gk_document_free(department);

    gk_package_free(pkg);
    return 0;
}
