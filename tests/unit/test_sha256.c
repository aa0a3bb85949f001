/* Unit tests for the stamped digest (util/sha256.c): the stamp is used while the file is the
 * same, and not once its content changed — even rewritten at the same size with its
 * modification time put back, as touch -r would. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/sha256.h"

/* SHA-256 of "abc" and of "abd". */
static const char ABC[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
static const char ABD[] = "a52d159f262b2c6ddb724a61840befc36eb30c88877a4030b65cbe86298449c9";

static char dir[256];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "%s/test-tmp/sha256-XXXXXX", GK_BINARY_DIR);
    mkdir(GK_BINARY_DIR "/test-tmp", 0700);
    if (mkdtemp(dir) == NULL)
        return -1;
    char cache[300];
    snprintf(cache, sizeof cache, "%s/cache", dir);
    return setenv("GONGKAI_CACHE_DIR", cache, 1);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

/* The one stamp in the cache folder, its path into buf. */
static void stamp_file(char *buf, size_t size)
{
    char cmd[400];
    snprintf(cmd, sizeof cmd, "ls %s/cache/stamp-* 2>/dev/null", dir);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    assert_non_null(fgets(buf, (int)size, p));
    pclose(p);
    buf[strcspn(buf, "\n")] = '\0';
}

static void test_stamp_is_used_while_the_file_is_the_same(void **state)
{
    (void)state;
    char path[300], digest[65], stamp[400];
    snprintf(path, sizeof path, "%s/font.ttf", dir);
    write_file(path, "abc");
    assert_true(gk_sha256_file_stamped(path, digest));
    assert_string_equal(digest, ABC);
    /* a stamp saying something else for the same file is believed: proof it is read */
    stamp_file(stamp, sizeof stamp);
    FILE *f = fopen(stamp, "r");
    assert_non_null(f);
    char line[512];
    assert_non_null(fgets(line, sizeof line, f));
    fclose(f);
    char *hash = strstr(line, ABC);
    assert_non_null(hash);
    memcpy(hash, ABD, 64);
    write_file(stamp, line);
    assert_true(gk_sha256_file_stamped(path, digest));
    assert_string_equal(digest, ABD);
}

static void test_changed_content_is_read_again(void **state)
{
    (void)state;
    char path[300], digest[65];
    snprintf(path, sizeof path, "%s/other.ttf", dir);
    write_file(path, "abc");
    assert_true(gk_sha256_file_stamped(path, digest));
    assert_string_equal(digest, ABC);
    struct stat before;
    assert_int_equal(stat(path, &before), 0);
    /* the same size, its modification time put back: only the change time tells */
    struct timespec pause = {0, 20 * 1000 * 1000};
    nanosleep(&pause, NULL);
    write_file(path, "abd");
    struct timespec times[2] = {before.st_atim, before.st_mtim};
    assert_int_equal(utimensat(AT_FDCWD, path, times, 0), 0);
    assert_true(gk_sha256_file_stamped(path, digest));
    assert_string_equal(digest, ABD);
}

static void test_no_cache_folder_hashes_every_time(void **state)
{
    (void)state;
    char path[300], digest[65];
    snprintf(path, sizeof path, "%s/third.ttf", dir);
    write_file(path, "abc");
    assert_int_equal(setenv("GONGKAI_CACHE_DIR", "/nonexistent/deeper/cache", 1), 0);
    assert_true(gk_sha256_file_stamped(path, digest));
    assert_string_equal(digest, ABC);
    assert_false(gk_sha256_file_stamped("/nonexistent/font.ttf", digest));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stamp_is_used_while_the_file_is_the_same),
        cmocka_unit_test(test_changed_content_is_read_again),
        cmocka_unit_test(test_no_cache_folder_hashes_every_time),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
