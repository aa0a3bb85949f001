/* Input files (util/input_file.h and the YAML reader's limits): a path that exists but is not a
 * readable regular file is an error naming it — a FIFO fails at once instead of blocking,
 * /dev/zero is never read, a dangling link is not "no data" — sizes are checked before reading,
 * and YAML aliases cannot expand a small file into gigabytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <signal.h>

#include "input/input.h"
#include "layout/yaml_reader.h"
#include "util/input_file.h"
#include "util/sha256.h"
#include "../support/testutil.h"

static char dir[1024];

static int setup(void **state)
{
    (void)state;
    tu_tempdir(dir, sizeof dir, "input-file");
    alarm(20); /* a FIFO that blocks fails the test instead of hanging it */
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    alarm(0);
    char command[1200];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    return system(command) == 0 ? 0 : -1;
}

/* dir/name, in a buffer per call site's choice */
static const char *at(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", dir, name);
    return buf;
}

static void make_fifo(const char *name)
{
    char path[1200];
    assert_int_equal(mkfifo(at(path, sizeof path, name), 0666), 0);
}

static void make_link(const char *target, const char *name)
{
    char path[1200];
    assert_int_equal(symlink(target, at(path, sizeof path, name)), 0);
}

/* gk_file_read fails on name with exactly this message, naming the path. */
static void assert_read_fails(const char *name, const char *message)
{
    char path[1200];
    at(path, sizeof path, name);
    unsigned char *data = (unsigned char *)path;
    size_t len = 7;
    gk_diag diag;
    gk_diag_clear(&diag);
    assert_int_equal(gk_file_read(path, &data, &len, &diag), GK_ERR_IO);
    assert_null(data);
    assert_int_equal(len, 0);
    assert_string_equal(diag.file, path);
    assert_string_equal(diag.message, message);
}

/* gk_input_probe on name: the state, and for a broken input the path blamed and the message. */
static void assert_probe(const char *name, gk_input_kind kind, gk_input_state expected,
                         const char *blamed, const char *message)
{
    char path[1200], blamed_path[1200];
    at(path, sizeof path, name);
    gk_diag diag;
    gk_diag_clear(&diag);
    gk_input_state state = GK_INPUT_PRESENT;
    gk_status status = gk_input_probe(path, kind, &state, &diag);
    assert_int_equal(state, expected);
    if (expected != GK_INPUT_BROKEN) {
        assert_int_equal(status, GK_OK);
        assert_int_equal(diag.status, GK_OK); /* untouched */
        return;
    }
    assert_int_equal(status, GK_ERR_IO);
    assert_string_equal(diag.file, at(blamed_path, sizeof blamed_path, blamed));
    assert_string_equal(diag.message, message);
}

/* ---- reading ------------------------------------------------------------------------------ */

static void test_regular_file_is_read(void **state)
{
    (void)state;
    tu_write(dir, "a.csv", "unit_code\n302309\n");
    char path[1200];
    unsigned char *data = NULL;
    size_t len = 0;
    assert_int_equal(gk_file_read(at(path, sizeof path, "a.csv"), &data, &len, NULL), GK_OK);
    assert_int_equal(len, 17);
    assert_memory_equal(data, "unit_code\n302309\n", 17);
    free(data);
    tu_write(dir, "empty.csv", "");
    assert_int_equal(gk_file_read(at(path, sizeof path, "empty.csv"), &data, &len, NULL), GK_OK);
    assert_int_equal(len, 0);
    free(data);
}

static void test_fifo_fails_at_once(void **state)
{
    (void)state;
    make_fifo("8.csv");
    assert_read_fails("8.csv", "expected a regular file, found a FIFO (named pipe)");
}

static void test_dev_zero_is_not_read(void **state)
{
    (void)state;
    make_link("/dev/zero", "rules.yaml");
    assert_read_fails("rules.yaml", "expected a regular file, found a character device");
}

static void test_folder_dangling_link_and_loop(void **state)
{
    (void)state;
    char path[1200];
    assert_int_equal(mkdir(at(path, sizeof path, "8.csv"), 0777), 0);
    assert_read_fails("8.csv", "expected a regular file, found a folder");
    make_link("nowhere.csv", "prior.csv");
    assert_read_fails("prior.csv", "expected a regular file, found a dangling symbolic link");
    make_link("loop.md", "loop.md");
    assert_read_fails("loop.md", "cannot open file: too many levels of symbolic links");
    assert_read_fails("missing.csv", "cannot open file: no such file or directory");
}

static void test_unreadable_file(void **state)
{
    (void)state;
    if (geteuid() == 0)
        skip(); /* root reads any file */
    tu_write(dir, "secret.csv", "x");
    char path[1200];
    assert_int_equal(chmod(at(path, sizeof path, "secret.csv"), 0), 0);
    assert_read_fails("secret.csv", "cannot open file: permission denied");
    assert_int_equal(mkdir(at(path, sizeof path, "closed"), 0), 0); /* no search permission */
    assert_probe("closed/8.csv", GK_INPUT_FILE, GK_INPUT_BROKEN, "closed/8.csv",
                 "cannot open file: permission denied");
    chmod(path, 0700);
}

static void test_size_is_checked_before_reading(void **state)
{
    (void)state;
    tu_write(dir, "ten.txt", "0123456789");
    char path[1200];
    at(path, sizeof path, "ten.txt");
    unsigned char *data = NULL;
    size_t len = 0;
    assert_int_equal(gk_input_read(path, 10, &data, &len, NULL), GK_OK);
    assert_int_equal(len, 10);
    free(data);
    gk_diag diag;
    gk_diag_clear(&diag);
    assert_int_equal(gk_input_read(path, 9, &data, &len, &diag), GK_ERR_IO);
    assert_null(data);
    assert_string_equal(diag.file, path);
    assert_string_equal(diag.message, "expected a file of at most 9 bytes, found 10 bytes");
}

static void test_open_checks_the_descriptor(void **state)
{
    (void)state;
    tu_write(dir, "font.ttf", "true");
    char path[1200];
    int fd = -2;
    size_t size = 0;
    assert_int_equal(gk_input_open(at(path, sizeof path, "font.ttf"), 100, &fd, &size, NULL),
                     GK_OK);
    assert_true(fd >= 0);
    assert_int_equal(size, 4);
    close(fd);
    make_fifo("font.fifo");
    gk_diag diag;
    gk_diag_clear(&diag);
    assert_int_equal(gk_input_open(at(path, sizeof path, "font.fifo"), 100, &fd, &size, &diag),
                     GK_ERR_IO);
    assert_int_equal(fd, -1);
    assert_string_equal(diag.message, "expected a regular file, found a FIFO (named pipe)");
}

static void test_sha256_refuses_a_fifo(void **state)
{
    (void)state;
    make_fifo("hei.ttf");
    char path[1200], digest[65];
    assert_false(gk_sha256_file(at(path, sizeof path, "hei.ttf"), digest, NULL));
    tu_write(dir, "abc", "abc");
    long long size = 0;
    assert_true(gk_sha256_file(at(path, sizeof path, "abc"), digest, &size));
    assert_int_equal(size, 3);
    assert_string_equal(digest,
                        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

/* ---- probing ------------------------------------------------------------------------------ */

static void test_probe_absent_and_present(void **state)
{
    (void)state;
    tu_write(dir, "tables/8.csv", "x");
    assert_probe("tables/8.csv", GK_INPUT_FILE, GK_INPUT_PRESENT, NULL, NULL);
    assert_probe("tables", GK_INPUT_FOLDER, GK_INPUT_PRESENT, NULL, NULL);
    assert_probe("tables/9.csv", GK_INPUT_FILE, GK_INPUT_ABSENT, NULL, NULL);
    assert_probe("tables/302309/8.csv", GK_INPUT_FILE, GK_INPUT_ABSENT, NULL, NULL);
    assert_probe("tables/302309", GK_INPUT_FOLDER, GK_INPUT_ABSENT, NULL, NULL);
    make_link("8.csv", "tables/link.csv"); /* a link to a file is the file */
    assert_probe("tables/link.csv", GK_INPUT_FILE, GK_INPUT_PRESENT, NULL, NULL);
}

static void test_probe_broken(void **state)
{
    (void)state;
    tu_write(dir, "tables/8.csv", "x");
    make_link("nowhere.csv", "tables/7.csv");
    assert_probe("tables/7.csv", GK_INPUT_FILE, GK_INPUT_BROKEN, "tables/7.csv",
                 "expected a regular file, found a dangling symbolic link");
    make_link("6.csv", "tables/6.csv");
    assert_probe("tables/6.csv", GK_INPUT_FILE, GK_INPUT_BROKEN, "tables/6.csv",
                 "cannot open file: too many levels of symbolic links");
    make_fifo("tables/5.csv");
    assert_probe("tables/5.csv", GK_INPUT_FILE, GK_INPUT_BROKEN, "tables/5.csv",
                 "expected a regular file, found a FIFO (named pipe)");
    assert_probe("tables", GK_INPUT_FILE, GK_INPUT_BROKEN, "tables",
                 "expected a regular file, found a folder");
    assert_probe("tables/8.csv", GK_INPUT_FOLDER, GK_INPUT_BROKEN, "tables/8.csv",
                 "expected a folder, found a regular file");
}

static void test_probe_broken_folder_on_the_way(void **state)
{
    (void)state;
    char path[1200];
    assert_int_equal(mkdir(at(path, sizeof path, "tables"), 0777), 0);
    make_link("nowhere", "tables/U2"); /* the unit's folder is a dangling link */
    assert_probe("tables/U2/8.csv", GK_INPUT_FILE, GK_INPUT_BROKEN, "tables/U2",
                 "expected a folder, found a dangling symbolic link");
    assert_probe("tables/U2", GK_INPUT_FOLDER, GK_INPUT_BROKEN, "tables/U2",
                 "expected a folder, found a dangling symbolic link");
    tu_write(dir, "tables/U3", "a file where a folder should be");
    assert_probe("tables/U3/8.csv", GK_INPUT_FILE, GK_INPUT_BROKEN, "tables/U3",
                 "expected a folder, found a regular file");
    make_link("gone", "narrative"); /* two levels up */
    assert_probe("narrative/302309/overview.md", GK_INPUT_FILE, GK_INPUT_BROKEN, "narrative",
                 "expected a folder, found a dangling symbolic link");
}

/* ---- YAML --------------------------------------------------------------------------------- */

/* Opens text as a YAML file; returns the status, diag filled. */
static gk_status open_yaml(const char *text, gk_diag *diag)
{
    tu_write(dir, "layout.yaml", text);
    char path[1200];
    gk_arena arena = {0};
    gk_yaml_doc yd;
    gk_diag_clear(diag);
    gk_status status = gk_yaml_open(&yd, at(path, sizeof path, "layout.yaml"), &arena, diag);
    gk_yaml_close(&yd);
    gk_arena_free(&arena);
    return status;
}

/* text, then `count` copies of piece, then tail: a generated document (caller frees). */
static char *repeat(const char *text, const char *piece, size_t count, const char *tail)
{
    size_t a = strlen(text), p = strlen(piece), t = strlen(tail);
    char *s = malloc(a + p * count + t + 1);
    assert_non_null(s);
    memcpy(s, text, a);
    for (size_t i = 0; i < count; i++)
        memcpy(s + a + i * p, piece, p);
    memcpy(s + a + p * count, tail, t + 1);
    return s;
}

static void test_yaml_aliases_within_bounds_load(void **state)
{
    (void)state;
    gk_diag diag;
    assert_int_equal(open_yaml("a: &w {width: 10, type: amount}\nb: [*w, *w, *w]\nc: &s x\nd: *s\n",
                               &diag),
                     GK_OK);
}

static void test_yaml_alias_bomb_is_refused(void **state)
{
    (void)state;
    /* a 1 MB value aliased 20 times: 21 MB expanded, from a 1 MB file */
    char *value = repeat("v: &a \"", "x", 1000000, "\"\nlist: [");
    char *text = repeat(value, "*a, ", 20, "*a]\n");
    gk_diag diag;
    assert_int_equal(open_yaml(text, &diag), GK_ERR_LAYOUT);
    assert_int_equal(diag.line, 2);
    assert_int_equal(diag.column, 8 + 4 * 15); /* the 16th alias passes 16 MiB */
    assert_string_equal(diag.message, "expected a document of at most 16777216 bytes with its "
                                      "aliases expanded, found more");
    free(text);
    free(value);
}

static void test_yaml_nested_aliases_are_multiplied(void **state)
{
    (void)state;
    /* billion laughs: each level ten aliases of the one below; 10^9 leaves from 1 KB */
    char text[4096] = "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n";
    for (int level = 1; level <= 8; level++) {
        size_t used = strlen(text);
        snprintf(text + used, sizeof text - used, "l%d: &l%d [", level, level);
        for (int i = 0; i < 10; i++) {
            used = strlen(text);
            snprintf(text + used, sizeof text - used, "%s*l%d", i ? ", " : "", level - 1);
        }
        used = strlen(text);
        snprintf(text + used, sizeof text - used, "]\n");
    }
    gk_diag diag;
    assert_int_equal(open_yaml(text, &diag), GK_ERR_LAYOUT);
    assert_int_equal(diag.line, 7); /* l6 is worth 2.1*10^7 bytes: l0 21, l1 211, … */
    assert_non_null(strstr(diag.message, "with its aliases expanded"));
}

static void test_yaml_alias_cycle_is_refused(void **state)
{
    (void)state;
    gk_diag diag;
    assert_int_equal(open_yaml("columns: &c\n  - header: x\n    columns: *c\n", &diag),
                     GK_ERR_LAYOUT);
    assert_int_equal(diag.line, 3);
    assert_int_equal(diag.column, 14);
    assert_string_equal(diag.message,
                        "expected an alias to a node outside it, found *c inside the node &c");
}

static void test_yaml_alias_and_anchor_counts_are_bounded(void **state)
{
    (void)state;
    char *text = repeat("a: &a x\nb: [", "*a, ", 10000, "*a]\n");
    gk_diag diag;
    assert_int_equal(open_yaml(text, &diag), GK_ERR_LAYOUT);
    assert_int_equal(diag.line, 2);
    assert_int_equal(diag.column, 5 + 4 * 10000);
    assert_string_equal(diag.message, "expected at most 10000 aliases, found more");
    free(text);
    text = malloc(1001 * 16);
    assert_non_null(text);
    size_t len = 0;
    for (int i = 0; i <= 1000; i++) /* 1001 anchors, each of its own name */
        len += (size_t)sprintf(text + len, "- &a%d x\n", i);
    assert_int_equal(open_yaml(text, &diag), GK_ERR_LAYOUT);
    assert_int_equal(diag.line, 1001);
    assert_int_equal(diag.column, 3);
    assert_string_equal(diag.message, "expected at most 1000 anchors, found more");
    free(text);
    /* an anchor's name given twice is refused as libyaml's loader refuses it */
    assert_int_equal(open_yaml("- &a x\n- &a y\n", &diag), GK_ERR_LAYOUT);
    assert_int_equal(diag.line, 2);
    assert_non_null(strstr(diag.message, "found duplicate anchor"));
}

static void test_yaml_block_nesting_is_bounded(void **state)
{
    (void)state;
    char *text = repeat("", "- ", 70, "x\n");
    gk_diag diag;
    assert_int_equal(open_yaml(text, &diag), GK_ERR_LAYOUT);
    assert_int_equal(diag.line, 1);
    assert_int_equal(diag.column, 1 + 2 * 64);
    assert_string_equal(diag.message, "nested deeper than 64 levels");
    free(text);
}

static void test_yaml_size_is_checked_before_reading(void **state)
{
    (void)state;
    char *text = repeat("a: \"", "x", 4 * 1024 * 1024, "\"\n");
    gk_diag diag;
    assert_int_equal(open_yaml(text, &diag), GK_ERR_IO);
    assert_string_equal(diag.message,
                        "expected a file of at most 4194304 bytes, found 4194310 bytes");
    free(text);
    make_fifo("booklet.yaml");
    char path[1200];
    gk_arena arena = {0};
    gk_yaml_doc yd;
    assert_int_equal(gk_yaml_open(&yd, at(path, sizeof path, "booklet.yaml"), &arena, &diag),
                     GK_ERR_IO);
    assert_string_equal(diag.message, "expected a regular file, found a FIFO (named pipe)");
    gk_yaml_close(&yd);
    gk_arena_free(&arena);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_regular_file_is_read),
        T(test_fifo_fails_at_once),
        T(test_dev_zero_is_not_read),
        T(test_folder_dangling_link_and_loop),
        T(test_unreadable_file),
        T(test_size_is_checked_before_reading),
        T(test_open_checks_the_descriptor),
        T(test_sha256_refuses_a_fifo),
        T(test_probe_absent_and_present),
        T(test_probe_broken),
        T(test_probe_broken_folder_on_the_way),
        T(test_yaml_aliases_within_bounds_load),
        T(test_yaml_alias_bomb_is_refused),
        T(test_yaml_nested_aliases_are_multiplied),
        T(test_yaml_alias_cycle_is_refused),
        T(test_yaml_alias_and_anchor_counts_are_bounded),
        T(test_yaml_block_nesting_is_bounded),
        T(test_yaml_size_is_checked_before_reading),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
