/* Temporary file, fsync, rename, fsync(dir); see publish.h. */
#include "util/publish.h"

#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The folder of path ("." when it has none) into dir; false when it does not fit. */
static bool split_path(const char *path, char *dir, size_t dir_size, const char **base)
{
    const char *slash = strrchr(path, '/');
    int n;
    if (slash == NULL) {
        n = snprintf(dir, dir_size, ".");
        *base = path;
    } else {
        n = snprintf(dir, dir_size, "%.*s", (int)(slash - path == 0 ? 1 : slash - path), path);
        *base = slash + 1;
    }
    return n >= 0 && (size_t)n < dir_size;
}

char *gk_path_join(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    char *path = malloc(a + b + 2);
    if (path != NULL) {
        memcpy(path, dir, a);
        path[a] = '/';
        memcpy(path + a + 1, name, b + 1);
    }
    return path;
}

void gk_publish_prefix(const char *name, char prefix[GK_TEMP_PREFIX_SIZE])
{
    uint32_t h = 2166136261u; /* FNV-1a: short, stable across runs and machines */
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        h = (h ^ *p) * 16777619u;
    snprintf(prefix, GK_TEMP_PREFIX_SIZE, ".gk-%08" PRIx32 ".", h);
}

bool gk_publish_is_temporary(const char *name)
{
    return strncmp(name, ".gk-", 4) == 0 && strstr(name, ".tmp.") != NULL;
}

gk_status gk_publish_begin(const char *final_path, char *tmp, size_t size, gk_diag *diag)
{
    char dir[GK_PATH_MAX], prefix[GK_TEMP_PREFIX_SIZE];
    const char *base = NULL;
    if (!split_path(final_path, dir, sizeof dir, &base))
        return gk_diag_set(diag, GK_ERR_IO, final_path, 0, 0, "output path too long");
    gk_publish_prefix(base, prefix);
    int len = snprintf(tmp, size, "%s/%stmp.XXXXXX", dir, prefix);
    if (len < 0 || (size_t)len >= size)
        return gk_diag_set(diag, GK_ERR_IO, final_path, 0, 0, "output path too long");
    int fd = mkstemp(tmp);
    if (fd < 0)
        return gk_diag_set(diag, GK_ERR_IO, final_path, 0, 0,
                           /* TRANSLATORS: %s is a folder, then the operating system's reason. */
                           "cannot create a file in %s: %s", dir, strerror(errno));
    /* mkstemp makes the file private (0600); a published file gets the usual 0666 & ~umask */
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    close(fd);
    return GK_OK;
}

static int sync_path(const char *path, int flags)
{
    int fd = open(path, flags);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    int saved = errno;
    if (close(fd) != 0 && rc == 0)
        return -1;
    errno = saved;
    return rc;
}

gk_status gk_publish_sync(const char *tmp, const char *final_path, gk_diag *diag)
{
    return sync_path(tmp, O_RDONLY) == 0 ? GK_OK
                                         : gk_diag_set(diag, GK_ERR_IO, final_path, 0, 0,
                                                       "cannot sync the output: %s",
                                                       strerror(errno));
}

gk_status gk_publish_commit_all(const char *const *tmps, const char *const *finals, size_t count,
                                gk_diag *diag)
{
    gk_status status = GK_OK;
    for (size_t i = 0; i < count && status == GK_OK; i++)
        status = gk_publish_sync(tmps[i], finals[i], diag);
    size_t renamed = 0;
    while (status == GK_OK && renamed < count) {
        if (rename(tmps[renamed], finals[renamed]) != 0)
            status = gk_diag_set(diag, GK_ERR_IO, finals[renamed], 0, 0,
                                 "cannot rename the output: %s", strerror(errno));
        else
            renamed++;
    }
    if (status != GK_OK) {
        /* no half-new set: what this call renamed goes again, the rest was never placed */
        for (size_t i = 0; i < renamed; i++)
            unlink(finals[i]);
        for (size_t i = renamed; i < count; i++)
            unlink(tmps[i]);
        return status;
    }
    /* the renames are durable once their folder is synced (once for files side by side) */
    char synced[GK_PATH_MAX] = "";
    for (size_t i = 0; i < count; i++) {
        char dir[GK_PATH_MAX];
        const char *base = NULL;
        if (!split_path(finals[i], dir, sizeof dir, &base))
            return gk_diag_set(diag, GK_ERR_IO, finals[i], 0, 0, "output path too long");
        if (strcmp(dir, synced) == 0)
            continue;
        if (sync_path(dir, O_RDONLY | O_DIRECTORY) != 0)
            return gk_diag_set(diag, GK_ERR_IO, finals[i], 0, 0, "cannot sync folder %s: %s",
                               dir, strerror(errno));
        memcpy(synced, dir, sizeof synced);
    }
    return GK_OK;
}

gk_status gk_publish_commit(const char *tmp, const char *final_path, gk_diag *diag)
{
    const char *const tmps[] = {tmp};
    const char *const finals[] = {final_path};
    return gk_publish_commit_all(tmps, finals, 1, diag);
}

void gk_publish_abort(const char *tmp)
{
    if (tmp != NULL && tmp[0] != '\0')
        unlink(tmp);
}

bool gk_write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = ENOSPC;
            return false;
        }
        p += n;
        len -= (size_t)n;
    }
    return true;
}

gk_status gk_write_file_parts(const char *path, const struct iovec *parts, size_t count,
                              gk_diag *diag)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (fd < 0)
        return gk_diag_set(diag, GK_ERR_IO, path, 0, 0, "cannot open for writing: %s",
                           strerror(errno));
    for (size_t i = 0; i < count; i++)
        if (!gk_write_all(fd, parts[i].iov_base, parts[i].iov_len)) {
            int saved = errno;
            close(fd);
            return gk_diag_set(diag, GK_ERR_IO, path, 0, 0, "cannot write: %s",
                               strerror(saved));
        }
    if (close(fd) != 0)
        return gk_diag_set(diag, GK_ERR_IO, path, 0, 0, "cannot write: %s", strerror(errno));
    return GK_OK;
}

gk_status gk_write_file(const char *path, const void *bytes, size_t len, gk_diag *diag)
{
    const struct iovec part = {(void *)bytes, len};
    return gk_write_file_parts(path, &part, 1, diag);
}

gk_status gk_publish_bytes(const char *path, const void *bytes, size_t len, gk_diag *diag)
{
    char tmp[GK_PATH_MAX];
    gk_status status = gk_publish_begin(path, tmp, sizeof tmp, diag);
    if (status == GK_OK && (status = gk_write_file(tmp, bytes, len, diag)) != GK_OK) {
        if (diag != NULL)
            snprintf(diag->file, sizeof diag->file, "%s", path);
        gk_publish_abort(tmp);
    }
    return status == GK_OK ? gk_publish_commit(tmp, path, diag) : status;
}
