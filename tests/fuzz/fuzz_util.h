/* Helpers shared by the libFuzzer targets in this folder (see run.sh).
 *
 * Each target that needs files keeps them in one folder per process, made once by
 * fuzz_tmp_dir() and reused by every run (files are overwritten, never accumulated). The
 * folder is made under $GK_FUZZ_TMP (run.sh points it at a scratch folder in /dev/shm, where
 * the library's fsyncs cost nothing), else $TMPDIR, else /tmp, and removed at a normal exit.
 * Nothing here prints: libFuzzer's own output is the only output. */
#ifndef GONGKAI_FUZZ_UTIL_H
#define GONGKAI_FUZZ_UTIL_H

#define _XOPEN_SOURCE 700 /* nftw */

#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum { FUZZ_PATH_MAX = 1024 };

static char fuzz_tmp[FUZZ_PATH_MAX];

static inline int fuzz_remove_entry(const char *path, const struct stat *st, int type,
                                    struct FTW *ftw)
{
    (void)st;
    (void)type;
    (void)ftw;
    remove(path);
    return 0;
}

static inline void fuzz_tmp_remove(void)
{
    if (fuzz_tmp[0] != '\0')
        nftw(fuzz_tmp, fuzz_remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* The per-process folder; aborts when it cannot be made (the target would test nothing). */
static inline const char *fuzz_tmp_dir(const char *target)
{
    if (fuzz_tmp[0] != '\0')
        return fuzz_tmp;
    const char *base = getenv("GK_FUZZ_TMP");
    if (base == NULL || base[0] == '\0')
        base = getenv("TMPDIR");
    if (base == NULL || base[0] == '\0')
        base = "/tmp";
    snprintf(fuzz_tmp, sizeof fuzz_tmp, "%s/gongkai-%s-XXXXXX", base, target);
    if (mkdtemp(fuzz_tmp) == NULL)
        abort();
    atexit(fuzz_tmp_remove);
    return fuzz_tmp;
}

/* fuzz_path(buf, "a/b.csv") -> TMP/a/b.csv */
static inline const char *fuzz_path(char *buf, const char *relative)
{
    int n = snprintf(buf, FUZZ_PATH_MAX, "%s/%s", fuzz_tmp, relative);
    if (n < 0 || n >= FUZZ_PATH_MAX)
        abort();
    return buf;
}

static inline void fuzz_mkdir(const char *relative)
{
    char path[FUZZ_PATH_MAX];
    if (mkdir(fuzz_path(path, relative), 0700) != 0)
        abort();
}

/* Writes bytes to TMP/relative (truncating it); aborts on failure. */
static inline void fuzz_write(const char *relative, const void *bytes, size_t len)
{
    char path[FUZZ_PATH_MAX];
    FILE *f = fopen(fuzz_path(path, relative), "wb");
    if (f == NULL)
        abort();
    if (len > 0 && fwrite(bytes, 1, len, f) != len)
        abort();
    if (fclose(f) != 0)
        abort();
}

static inline void fuzz_write_text(const char *relative, const char *text)
{
    fuzz_write(relative, text, strlen(text));
}

/* Copies a file of the source tree into TMP/relative. */
static inline void fuzz_copy(const char *source, const char *relative)
{
    FILE *in = fopen(source, "rb");
    if (in == NULL)
        abort();
    char *bytes = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 4096;
            char *more = realloc(bytes, cap);
            if (more == NULL)
                abort();
            bytes = more;
        }
        size_t got = fread(bytes + len, 1, cap - len, in);
        if (got == 0)
            break;
        len += got;
    }
    fclose(in);
    fuzz_write(relative, bytes, len);
    free(bytes);
}

/* A NUL-terminated copy of the input (the parsers take C strings); abort on no memory. */
static inline char *fuzz_strndup(const unsigned char *data, size_t size)
{
    char *text = malloc(size + 1);
    if (text == NULL)
        abort();
    memcpy(text, data, size);
    text[size] = '\0';
    return text;
}

/* The first occurrence of needle in data, or NULL (memmem is not in -std=c11). */
static inline const uint8_t *fuzz_find(const uint8_t *data, size_t size, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; n <= size && i <= size - n; i++)
        if (memcmp(data + i, needle, n) == 0)
            return data + i;
    return NULL;
}

/* Invariant checks: a failed one is a crash that libFuzzer saves. */
#define FUZZ_ASSERT(cond) ((cond) ? (void)0 : __builtin_trap())

#endif
