/* Temporary file, fsync, rename, fsync(dir); see publish.h. */
#include "util/publish.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void split_path(const char *path, char *dir, size_t dir_size, const char **base)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL) {
        snprintf(dir, dir_size, ".");
        *base = path;
    } else {
        snprintf(dir, dir_size, "%.*s", (int)(slash - path == 0 ? 1 : slash - path), path);
        *base = slash + 1;
    }
}

gk_status gk_publish_begin(const char *final_path, char *tmp, size_t size, gk_diag *diag)
{
    char dir[GK_DIAG_FILE_MAX];
    const char *base = NULL;
    split_path(final_path, dir, sizeof dir, &base);
    int len = snprintf(tmp, size, "%s/.%s.tmp.XXXXXX", dir, base);
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

gk_status gk_publish_commit(const char *tmp, const char *final_path, gk_diag *diag)
{
    if (sync_path(tmp, O_RDONLY) != 0) {
        int saved = errno;
        unlink(tmp);
        return gk_diag_set(diag, GK_ERR_IO, final_path, 0, 0, "cannot sync the output: %s",
                           strerror(saved));
    }
    if (rename(tmp, final_path) != 0) {
        int saved = errno;
        unlink(tmp);
        return gk_diag_set(diag, GK_ERR_IO, final_path, 0, 0, "cannot rename the output: %s",
                           strerror(saved));
    }
    char dir[GK_DIAG_FILE_MAX];
    const char *base = NULL;
    split_path(final_path, dir, sizeof dir, &base);
    if (sync_path(dir, O_RDONLY | O_DIRECTORY) != 0)
        return gk_diag_set(diag, GK_ERR_IO, final_path, 0, 0, "cannot sync folder %s: %s", dir,
                           strerror(errno));
    return GK_OK;
}

void gk_publish_abort(const char *tmp)
{
    if (tmp != NULL && tmp[0] != '\0')
        unlink(tmp);
}

gk_status gk_write_file(const char *path, const void *bytes, size_t len, gk_diag *diag)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (fd < 0)
        return gk_diag_set(diag, GK_ERR_IO, path, 0, 0, "cannot open for writing: %s",
                           strerror(errno));
    const char *p = bytes;
    size_t left = len;
    while (left > 0) {
        ssize_t n = write(fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int saved = n < 0 ? errno : ENOSPC;
            close(fd);
            return gk_diag_set(diag, GK_ERR_IO, path, 0, 0, "cannot write: %s", strerror(saved));
        }
        p += n;
        left -= (size_t)n;
    }
    if (close(fd) != 0)
        return gk_diag_set(diag, GK_ERR_IO, path, 0, 0, "cannot write: %s", strerror(errno));
    return GK_OK;
}

gk_status gk_publish_bytes(const char *path, const void *bytes, size_t len, gk_diag *diag)
{
    char tmp[GK_DIAG_FILE_MAX + 32];
    gk_status status = gk_publish_begin(path, tmp, sizeof tmp, diag);
    if (status == GK_OK && (status = gk_write_file(tmp, bytes, len, diag)) != GK_OK) {
        if (diag != NULL)
            snprintf(diag->file, sizeof diag->file, "%s", path);
        gk_publish_abort(tmp);
    }
    return status == GK_OK ? gk_publish_commit(tmp, path, diag) : status;
}
