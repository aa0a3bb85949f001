/* Small helpers shared by the tests: temporary folders, writing and reading files, running
 * the gongkai binary. Header-only so each test stays one program. */
#ifndef GONGKAI_TESTUTIL_H
#define GONGKAI_TESTUTIL_H

#include <dirent.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Creates a fresh folder under the build tree and returns its path (static buffer per call
 * site is avoided: the caller passes buf). */
static inline void tu_tempdir(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/test-tmp/%s-XXXXXX", GK_BINARY_DIR, name);
    char parent[1024];
    snprintf(parent, sizeof parent, "%s/test-tmp", GK_BINARY_DIR);
    mkdir(parent, 0777);
    if (mkdtemp(buf) == NULL) {
        perror("mkdtemp");
        abort();
    }
}

/* Writes text to dir/name, creating one level of sub-folder if name has one. */
static inline void tu_write(const char *dir, const char *name, const char *text)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *slash = strrchr(path, '/');
    if (slash != NULL && slash > path + strlen(dir)) {
        *slash = '\0';
        char sub[2048];
        snprintf(sub, sizeof sub, "%s", path);
        /* create each level below dir */
        for (char *p = sub + strlen(dir) + 1; *p; p++)
            if (*p == '/') {
                *p = '\0';
                mkdir(sub, 0777);
                *p = '/';
            }
        mkdir(sub, 0777);
        *slash = '/';
    }
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        perror(path);
        abort();
    }
    fputs(text, f);
    fclose(f);
}

/* Reads a whole file into a malloc'd NUL-terminated buffer (NULL if missing). */
static inline char *tu_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)size + 1);
    size_t got = fread(buf, 1, (size_t)size, f);
    buf[got] = '\0';
    fclose(f);
    if (len)
        *len = got;
    return buf;
}

/* Copies every file of src (one level, plus the sub-folders tables/ and narrative/CODE/)
 * using cp -r: simple and enough for fixtures. */
static inline void tu_copy_tree(const char *src, const char *dst)
{
    char command[4096];
    snprintf(command, sizeof command, "cp -r '%s/.' '%s/'", src, dst);
    if (system(command) != 0)
        abort();
}

/* Entries of a folder other than . and .. (-1 if it cannot be opened); with
 * skip_manifests, the batch manifests (manifest*.json) are not counted. */
static inline int tu_count(const char *dir, bool skip_manifests)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return -1;
    int count = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
            !(skip_manifests && strncmp(e->d_name, "manifest", 8) == 0))
            count++;
    closedir(d);
    return count;
}

static inline int tu_count_entries(const char *dir)
{
    return tu_count(dir, false);
}

/* The booklets, workbooks and any stray temporary file of an output folder. */
static inline int tu_count_outputs(const char *dir)
{
    return tu_count(dir, true);
}

/* Runs a shell command, capturing stderr+stdout into *output (malloc'd); returns the exit
 * status (or -1 if it did not exit normally). */
static inline int tu_run(char **output, const char *format, ...)
{
    char command[8192], log[2048];
    static int counter;
    snprintf(log, sizeof log, "%s/test-tmp/run-%d-%d.log", GK_BINARY_DIR, (int)getpid(), counter++);
    char parent[1024];
    snprintf(parent, sizeof parent, "%s/test-tmp", GK_BINARY_DIR);
    mkdir(parent, 0777);
    /* the whole command line, && chains included, writes to the log */
    va_list args;
    va_start(args, format);
    int used = snprintf(command, sizeof command, "{ ");
    used += vsnprintf(command + used, sizeof command - (size_t)used, format, args);
    va_end(args);
    snprintf(command + used, sizeof command - (size_t)used, "; } >'%s' 2>&1", log);
    int status = system(command);
    if (output != NULL)
        *output = tu_read(log, NULL);
    unlink(log);
    if (status == -1 || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
}

/* For cmocka tests: fails unless haystack contains needle, showing both. Include after
 * <cmocka.h>. */
#ifdef fail_msg
static inline void assert_contains(const char *haystack, const char *needle)
{
    if (haystack == NULL || strstr(haystack, needle) == NULL)
        fail_msg("expected output to contain:\n  %s\nfound:\n%s", needle,
                 haystack ? haystack : "(nothing)");
}
#endif

#endif
