/* An LD_PRELOAD shim for fault tests: makes rename() fail with EIO when the target path
 * contains $GK_FAIL_RENAME, and fsync() fail with EIO when $GK_FAIL_FSYNC is set; with
 * $GK_LOG_RENAME, appends "FROM\tTO\n" of every rename to that file; with $GK_CORRUPT_ZIP=N,
 * inverts the byte at offset N (from the end when N is negative) of every zip that minizip
 * (libxlsxwriter's zip writer) closes, as a disk would damage a workbook after it was written.
 * Everything else goes to the real functions. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rename(const char *from, const char *to)
{
    const char *log = getenv("GK_LOG_RENAME");
    FILE *f = log != NULL ? fopen(log, "a") : NULL;
    if (f != NULL) {
        fprintf(f, "%s\t%s\n", from, to);
        fclose(f);
    }
    const char *match = getenv("GK_FAIL_RENAME");
    if (match != NULL && match[0] != '\0' && strstr(to, match) != NULL) {
        errno = EIO;
        return -1;
    }
    int (*real)(const char *, const char *) = (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "rename");
    return real(from, to);
}

int fsync(int fd)
{
    if (getenv("GK_FAIL_FSYNC") != NULL) {
        errno = EIO;
        return -1;
    }
    int (*real)(int) = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    return real(fd);
}

/* ---- minizip: zipOpen remembers the path that zipClose damages ---------------------------- */

typedef void *zipFile;
static char zip_path[4096];

zipFile zipOpen(const char *path, int append)
{
    snprintf(zip_path, sizeof zip_path, "%s", path);
    zipFile (*real)(const char *, int) = (zipFile (*)(const char *, int))dlsym(RTLD_NEXT, "zipOpen");
    return real(path, append);
}

static void invert_byte(const char *path, long offset)
{
    FILE *f = fopen(path, "r+b");
    if (f == NULL)
        return;
    int c = fseek(f, offset, offset < 0 ? SEEK_END : SEEK_SET) == 0 ? fgetc(f) : EOF;
    if (c != EOF && fseek(f, -1, SEEK_CUR) == 0)
        fputc(c ^ 0xFF, f);
    fclose(f);
}

int zipClose(zipFile file, const char *comment)
{
    int (*real)(zipFile, const char *) = (int (*)(zipFile, const char *))dlsym(RTLD_NEXT, "zipClose");
    int rc = real(file, comment);
    const char *offset = getenv("GK_CORRUPT_ZIP");
    if (rc == 0 && offset != NULL)
        invert_byte(zip_path, strtol(offset, NULL, 10));
    return rc;
}
