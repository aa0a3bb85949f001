/* An LD_PRELOAD shim for fault tests: makes rename() fail with EIO when the target path
 * contains $GK_FAIL_RENAME, and fsync() fail with EIO when $GK_FAIL_FSYNC is set; with
 * $GK_LOG_RENAME, appends "FROM\tTO\n" of every rename to that file. Everything else goes to
 * the real functions. */
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
