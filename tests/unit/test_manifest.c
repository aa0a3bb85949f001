/* Manifests written and read one record at a time (batch/manifest.h, issue 13): the streamed
 * writer gives the bytes of the whole manifest dumped at once, and going through a manifest
 * record by record (gk_manifest_index, for --resume) accepts exactly what gk_manifest_load
 * accepts, gives the same records at their places, and refuses with the same diagnostic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <fcntl.h>

#include "batch/manifest.h"
#include "batch/spill.h"
#include "../support/testutil.h"

static char dir[1024];

static int setup(void **state)
{
    (void)state;
    tu_tempdir(dir, sizeof dir, "manifest");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char command[1200];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    return system(command) == 0 ? 0 : -1;
}

/* A manifest of two records: one ok with findings and outputs, one failed; strings with
 * escapes, a line break and CJK, lists empty and not. */
static json_t *sample_manifest(void)
{
    json_error_t error;
    json_t *m = json_loads(
        "{\"gongkai\": \"0.1.0\", \"profile\": \"sichuan-2025\", \"profile_sha256\": \"ab\","
        " \"summary\": {\"jobs\": 2, \"ok\": 1, \"failed\": 1, \"interrupted\": 0},"
        " \"units\": ["
        "  {\"code\": \"900001\", \"kind\": \"unit\", \"name\": \"示例单位（虚构）\","
        "   \"status\": \"ok\", \"inputs_sha256\": \"cd\", \"errors\": 0, \"warnings\": 1,"
        "   \"findings\": [\"a.csv:2:8: warning: [X] \\\"quoted\\\"\\nnext line \\\\ ]}\"],"
        "   \"outputs\": [{\"file\": \"900001.pdf\", \"bytes\": 12, \"sha256\": \"ef\"}]},"
        "  {\"code\": \"900\", \"kind\": \"department\", \"name\": \"部门\", \"status\": \"failed\","
        "   \"inputs_sha256\": \"01\", \"error\": \"worker crashed\", \"errors\": 0,"
        "   \"warnings\": 0, \"findings\": [], \"outputs\": []}]}",
        JSON_REJECT_DUPLICATES, &error);
    if (m == NULL)
        fail_msg("sample: %s", error.text);
    return m;
}

/* The manifest's bytes as written before issue 13: the whole object dumped at once. */
static char *dumped_whole(const json_t *manifest)
{
    char *text = json_dumps(manifest, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    size_t len = strlen(text);
    text = realloc(text, len + 2);
    memcpy(text + len, "\n", 2);
    return text;
}

static void assert_written_as_whole(const json_t *manifest)
{
    json_t *header = json_deep_copy(manifest);
    json_object_del(header, "units");
    char path[1100];
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    gk_diag diag;
    gk_diag_clear(&diag);
    assert_int_equal(gk_manifest_write(header, json_object_get(manifest, "units"), path, &diag),
                     GK_OK);
    char *written = tu_read(path, NULL), *whole = dumped_whole(manifest);
    assert_string_equal(written, whole);
    free(written);
    free(whole);
    json_decref(header);
}

static void test_streamed_writer_gives_the_whole_dump(void **state)
{
    (void)state;
    json_t *m = sample_manifest();
    assert_written_as_whole(m);
    json_array_remove(json_object_get(m, "units"), 0); /* one record */
    assert_written_as_whole(m);
    json_array_clear(json_object_get(m, "units")); /* none: "units": [] */
    assert_written_as_whole(m);
    json_decref(m);
    m = sample_manifest(); /* a shard's: "shard" before "summary", as a batch writes it */
    json_t *shard = json_pack("{s:O, s:O, s:O, s:s, s:O, s:O}", "gongkai",
                              json_object_get(m, "gongkai"), "profile",
                              json_object_get(m, "profile"), "profile_sha256",
                              json_object_get(m, "profile_sha256"), "shard", "1/3", "summary",
                              json_object_get(m, "summary"), "units", json_object_get(m, "units"));
    assert_written_as_whole(shard);
    json_decref(shard);
    json_decref(m);
}

/* ---- record by record ------------------------------------------------------------------------ */

typedef struct seen {
    json_t *records; /* what each() was given, in order */
    gk_record_at at[1100];
} seen;

static void collect(const json_t *record, gk_record_at at, void *data)
{
    seen *s = data;
    assert_true(json_array_size(s->records) < sizeof s->at / sizeof *s->at);
    s->at[json_array_size(s->records)] = at;
    json_array_append(s->records, (json_t *)record);
}

/* The text as a manifest: gk_manifest_index agrees with gk_manifest_load. */
static void assert_index_agrees(const char *name, const char *text)
{
    tu_write(dir, name, text);
    char path[1100];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    gk_diag loaded, indexed;
    gk_diag_clear(&loaded);
    gk_diag_clear(&indexed);
    json_t *whole = NULL;
    gk_status load = gk_manifest_load(path, &whole, &loaded);
    static seen s;
    s.records = json_array();
    int fd = -2;
    gk_status index = gk_manifest_index(path, collect, &s, &fd, &indexed);
    print_message("%s: %s\n", name, load == GK_OK ? "ok" : loaded.message);
    assert_int_equal(index, load);
    if (load != GK_OK) {
        assert_int_equal(fd, -1);
        assert_string_equal(indexed.message, loaded.message);
        assert_int_equal(indexed.line, loaded.line);
        assert_int_equal(indexed.column, loaded.column);
    } else {
        const json_t *units = json_object_get(whole, "units");
        assert_true(json_equal(s.records, units));
        for (size_t i = 0; i < json_array_size(units); i++) {
            json_t *again = gk_record_read(fd, s.at[i]);
            assert_true(json_equal(again, json_array_get(units, i)));
            json_decref(again);
        }
        close(fd);
    }
    json_decref(s.records);
    json_decref(whole);
}

/* text with the first `from` replaced by `to`, malloc'd */
static char *replaced(const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    assert_non_null(at);
    size_t head = (size_t)(at - text), lf = strlen(from), lt = strlen(to);
    char *out = malloc(strlen(text) - lf + lt + 1);
    memcpy(out, text, head);
    memcpy(out + head, to, lt);
    strcpy(out + head + lt, at + lf);
    return out;
}

static void test_index_accepts_and_refuses_as_load_does(void **state)
{
    (void)state;
    json_t *m = sample_manifest();
    char *text = dumped_whole(m);
    char *compact = json_dumps(m, JSON_COMPACT | JSON_PRESERVE_ORDER);
    assert_index_agrees("as-written.json", text);
    assert_index_agrees("compact.json", compact);
    static const struct {
        const char *name, *from, *to;
    } changes[] = {
        {"trailing-comma-units", "\n  ]\n}", ",\n  ]\n}"},
        {"trailing-comma-object", "\n  ]\n}", "\n  ],\n}"},
        {"lone-comma", "\"units\": [", "\"units\": [,"},
        {"two-commas", "},\n    {", "},,\n    {"},
        {"duplicate-key", "\"profile\":", "\"gongkai\": \"0.1.0\", \"profile\":"},
        {"duplicate-units", "\"units\": [", "\"units\": [], \"units\": ["},
        {"duplicate-in-record", "\"kind\": \"unit\",", "\"kind\": \"unit\", \"kind\": \"unit\","},
        {"escaped-key", "\"units\"", "\"\\u0075nits\""},
        {"escaped-record-key", "\"code\"", "\"c\\u006fde\""},
        {"number-record", "\"units\": [", "\"units\": [5, "},
        {"units-object", "\"units\": [", "\"units\": {\"a\": ["},
        {"bad-token", "\"summary\": {", "\"extra\": tru, \"summary\": {"},
        {"bad-number", "\"errors\": 0", "\"errors\": 0x"},
        {"no-value", "\"profile\": \"sichuan-2025\"", "\"profile\": "},
        {"no-colon", "\"gongkai\":", "\"gongkai\""},
        {"number-key", "\"gongkai\"", "5"},
        {"control-character", "\"name\": \"", "\"name\": \"\t"},
        {"nul", "\"name\": \"", "\"name\": \"\\u0000"},
        {"brackets-in-strings", "\"summary\": {", "\"x\": [[{\"]\": \"}\"}]], \"summary\": {"},
        {"no-sha256", "\"sha256\": \"ef\"", "\"sha\": \"ef\""},
        {"record-of-no-kind", "\"kind\": \"unit\",", ""},
    };
    for (size_t i = 0; i < sizeof changes / sizeof *changes; i++) {
        char *changed = replaced(text, changes[i].from, changes[i].to);
        assert_index_agrees(changes[i].name, changed);
        free(changed);
    }
    char *cut = strdup(text);
    cut[strlen(cut) / 2] = '\0';
    assert_index_agrees("cut-short.json", cut);
    char *trailing = malloc(strlen(text) + 3);
    sprintf(trailing, "%s{}", text);
    assert_index_agrees("trailing-object.json", trailing);
    assert_index_agrees("empty.json", "");
    assert_index_agrees("empty-object.json", " { } ");
    assert_index_agrees("list.json", "[]");
    /* records across the reader's 64 KiB pieces */
    json_t *units = json_object_get(m, "units");
    for (int i = 0; i < 1000; i++) {
        json_t *copy = json_deep_copy(json_array_get(units, 0));
        char code[16];
        snprintf(code, sizeof code, "%d", 901000 + i);
        json_object_set_new(copy, "code", json_string(code));
        json_array_append_new(units, copy);
    }
    char *many = dumped_whole(m);
    assert_true(strlen(many) > 4 * 65536);
    assert_index_agrees("many.json", many);
    free(many);
    free(trailing);
    free(cut);
    free(compact);
    free(text);
    json_decref(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_streamed_writer_gives_the_whole_dump),
        cmocka_unit_test(test_index_accepts_and_refuses_as_load_does),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
