/* `gongkai template` for every profile (issue 14): each profile under layouts/ — the folder is
 * read here, so a profile added later is covered too — and profiles of every shape (fixed-row
 * tables only, hidden inputs, headers longer than any buffer), called by name, by folder, as
 * `.` and with no PROFILE inside the profile's folder. Each CSV written must carry the header
 * the layout asks for, and the package it makes, with one unit filled in, must load. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "layout/layout.h"
#include "model/package.h"
#include "../support/testutil.h"

#define LAYOUTS GK_SOURCE_DIR "/layouts"

/* The header a table's CSV takes (docs/package.md): unit_code, level for a list table, then
 * every column typed in (not computed) and every hidden input, in the layout's order. */
static char *expected_header(const gk_table_layout *t)
{
    size_t size = 64;
    for (size_t f = 0; f < t->field_count; f++)
        size += strlen(t->fields[f].key) + 1;
    char *header = malloc(size);
    assert_non_null(header);
    strcpy(header, t->is_stub ? "unit_code" : "unit_code,level");
    for (size_t f = 0; f < t->field_count; f++)
        if (!t->fields[f].optional) {
            strcat(header, ",");
            strcat(header, t->fields[f].key);
        }
    strcat(header, "\r\n");
    return header;
}

static void assert_file(const char *dir, const char *name, const char *expected)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *text = tu_read(path, NULL);
    if (text == NULL || strcmp(text, expected) != 0)
        fail_msg("%s: expected the header\n%s\nfound\n%s", path, expected,
                 text ? text : "(no file)");
    free(text);
}

/* The package in out is the profile's template: units.csv and one CSV per table with its
 * header, nothing else; filled with one unit, it loads (every header is one the loader takes). */
static void assert_template(const char *profile_dir, const char *out)
{
    gk_profile *profile = NULL;
    gk_diag diag = {0};
    if (gk_profile_load(profile_dir, &profile, &diag) != GK_OK)
        fail_msg("%s:%d:%d: %s", diag.file, diag.line, diag.column, diag.message);
    assert_file(out, "units.csv",
                "unit_code,unit_name,department_code,department_name,year,profile,booklet\r\n");
    char tables[2048];
    snprintf(tables, sizeof tables, "%s/tables", out);
    if (tu_count_entries(tables) != (int)profile->table_count)
        fail_msg("%s: %d files, expected one per table of the profile (%zu)", tables,
                 tu_count_entries(tables), profile->table_count);
    for (size_t t = 0; t < profile->table_count; t++) {
        char name[512];
        snprintf(name, sizeof name, "tables/%s.csv", profile->tables[t].id);
        char *header = expected_header(&profile->tables[t]);
        assert_file(out, name, header);
        free(header);
    }
    char row[512];
    snprintf(row, sizeof row, "900001,示例模板单位,900,示例模板部门,2025,%s,unit\r\n", profile->name);
    char path[2048];
    snprintf(path, sizeof path, "%s/units.csv", out);
    FILE *f = fopen(path, "a");
    assert_non_null(f);
    fputs(row, f);
    fclose(f);
    gk_package *pkg = NULL;
    if (gk_package_load(out, profile_dir, NULL, &pkg, &diag) != GK_OK)
        fail_msg("the template of %s does not load: %s:%d:%d: %s", profile_dir, diag.file,
                 diag.line, diag.column, diag.message);
    gk_package_free(pkg);
    gk_profile_free(profile);
}

static void run_ok(const char *what, const char *format, ...)
{
    char command[4096];
    va_list args;
    va_start(args, format);
    vsnprintf(command, sizeof command, format, args);
    va_end(args);
    char *log = NULL;
    int status = tu_run(&log, "%s", command);
    if (status != 0)
        fail_msg("%s: exit %d:\n%s\n%s", what, status, command, log);
    free(log);
}

/* The profile in folder dir (named `name`), templated by folder, as `.` and with no PROFILE
 * from inside its folder, and (by_name) by its name as the layouts folder lists it. */
static void template_every_way(const char *dir, const char *name, bool by_name)
{
    char out[1024], path[1200];
    tu_tempdir(out, sizeof out, name);
    snprintf(path, sizeof path, "%s/folder", out);
    run_ok(name, "'%s' template '%s' -o '%s'", GK_EXE, dir, path);
    assert_template(dir, path);
    snprintf(path, sizeof path, "%s/dot", out);
    run_ok(name, "cd '%s' && '%s' template . -o '%s'", dir, GK_EXE, path);
    assert_template(dir, path);
    snprintf(path, sizeof path, "%s/dot-slash", out);
    run_ok(name, "cd '%s' && '%s' template ./ -o '%s'", dir, GK_EXE, path);
    assert_template(dir, path);
    snprintf(path, sizeof path, "%s/here", out);
    run_ok(name, "cd '%s' && '%s' template -o '%s'", dir, GK_EXE, path);
    assert_template(dir, path);
    if (by_name) {
        snprintf(path, sizeof path, "%s/name", out);
        run_ok(name, "'%s' template '%s' -o '%s'", GK_EXE, name, path);
        assert_template(dir, path);
    }
}

static void test_every_profile_of_layouts(void **state)
{
    (void)state;
    DIR *layouts = opendir(LAYOUTS);
    assert_non_null(layouts);
    int profiles = 0;
    struct dirent *e;
    while ((e = readdir(layouts)) != NULL) {
        char dir[1024], booklet[1200];
        snprintf(dir, sizeof dir, "%s/%s", LAYOUTS, e->d_name);
        snprintf(booklet, sizeof booklet, "%s/booklet.yaml", dir);
        struct stat st;
        if (e->d_name[0] == '.' || stat(booklet, &st) != 0)
            continue;
        template_every_way(dir, e->d_name, true);
        profiles++;
    }
    closedir(layouts);
    assert_true(profiles >= 1);
}

/* A profile folder `name` under root with booklet.yaml listing `tables` and the given table
 * files (id.yaml: text). */
static void write_profile(char *dir, size_t size, const char *root, const char *name,
                          const char *tables, const char *const *files, size_t count)
{
    snprintf(dir, size, "%s/%s", root, name);
    mkdir(dir, 0777);
    char booklet[1024];
    snprintf(booklet, sizeof booklet,
             "profile: %s\nname: 示例模板格式\namount_unit: 万元\namount_decimals: 2\n"
             "empty_text: 注：此表无数据\nbooklets:\n  unit:\n    title: 单位预算\n"
             "    tables: [%s]\ncontents_title: 目录\nparts:\n"
             "  - {title: \"{unit.name}\", tables: true}\n",
             name, tables);
    tu_write(dir, "booklet.yaml", booklet);
    for (size_t i = 0; i < count; i += 2)
        tu_write(dir, files[i], files[i + 1]);
}

/* Fixed-row tables only: no list table, no level column anywhere. */
static void test_fixed_rows_only(void **state)
{
    (void)state;
    char root[1024], dir[1200];
    tu_tempdir(root, sizeof root, "profiles");
    static const char *const files[] = {
        "a.yaml",
        "id: a\nnumber: 表一\ntitle: 示例收入表\ncolumns:\n"
        "  - {key: label, header: 项目, type: text}\n"
        "  - {key: amount, header: 金额, type: amount}\n"
        "items: [in.x, in.y]\nderived:\n  in.total: in.x + in.y\n"
        "rows:\n  - [甲, =in.x]\n  - [乙, =in.y]\n  - {kind: total, cells: [合计, =in.total]}\n",
        "b.yaml",
        "id: b\nnumber: 表二\ntitle: 示例转列表\ncolumns:\n"
        "  - {key: label, header: 项目, type: text}\n"
        "  - {key: amount, header: 金额, type: amount}\n"
        "items:\n  - {id: x, from: a.in.x}\nrows:\n  - [甲, =x]\n",
    };
    write_profile(dir, sizeof dir, root, "example-fixed-2025", "a, b", files, 4);
    template_every_way(dir, "example-fixed-2025", false);
}

/* A list table of computed columns and many hidden inputs with long keys: a header longer
 * than 4096 bytes is written whole. */
static void test_hidden_inputs_and_a_long_header(void **state)
{
    (void)state;
    char root[1024], dir[1200];
    tu_tempdir(root, sizeof root, "profiles");
    char table[16384];
    size_t used = (size_t)snprintf(table, sizeof table,
                                   "id: wide\nnumber: 表一\ntitle: 示例宽表\ncolumns:\n"
                                   "  - {key: name, header: 名称, value: \"{unit.name}\"}\n"
                                   "  - {key: amount, header: 金额, type: amount}\ninputs:\n");
    for (int i = 0; i < 90; i++)
        used += (size_t)snprintf(table + used, sizeof table - used,
                                 "  - {key: hidden_input_with_a_rather_long_key_number_%02d, "
                                 "type: text}\n", i);
    const char *files[] = {"wide.yaml", table};
    write_profile(dir, sizeof dir, root, "example-wide-2025", "wide", files, 2);
    template_every_way(dir, "example-wide-2025", false);
}

/* Outside a profile's folder, PROFILE is needed: a usage error says so. */
static void test_no_profile_outside_a_profile_folder(void **state)
{
    (void)state;
    char root[1024];
    tu_tempdir(root, sizeof root, "not-a-profile");
    char *log = NULL;
    assert_int_equal(tu_run(&log, "cd '%s' && '%s' template -o out", root, GK_EXE), 2);
    assert_contains(log, "missing PROFILE");
    free(log);
    assert_int_equal(tu_count_entries(root), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_profile_of_layouts),
        cmocka_unit_test(test_fixed_rows_only),
        cmocka_unit_test(test_hidden_inputs_and_a_long_header),
        cmocka_unit_test(test_no_profile_outside_a_profile_folder),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
