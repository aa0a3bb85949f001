/* The output folder's lock and sweep; see out_folder.h. */
#include "batch/out_folder.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/publish.h"

/* ---- the lock ------------------------------------------------------------------------------ */

/* Whether the open, locked fd is still the file at path: the previous holder may have
 * removed it between our open and our flock, and a lock on a removed file guards nothing. */
static bool still_there(int fd, const char *path)
{
    struct stat held, named;
    return fstat(fd, &held) == 0 && stat(path, &named) == 0 && held.st_dev == named.st_dev &&
           held.st_ino == named.st_ino;
}

gk_status gk_out_lock_take(const char *out, const char *name, bool exclusive, gk_out_lock *lock,
                           gk_diag *diag)
{
    lock->fd = -1;
    lock->path = gk_path_join(out, name);
    if (lock->path == NULL)
        return gk_diag_set(diag, GK_ERR_NOMEM, out, 0, 0, "out of memory");
    for (;;) {
        /* O_CLOEXEC: nothing gongkai runs keeps the folder locked after gongkai has gone */
        int fd = open(lock->path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
        if (fd < 0) {
            gk_status status = gk_diag_set(diag, GK_ERR_IO, lock->path, 0, 0,
                                           "cannot create a file in %s: %s", out,
                                           strerror(errno));
            free(lock->path);
            lock->path = NULL;
            return status;
        }
        if (flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0) {
            int error = errno;
            close(fd);
            if (error == EWOULDBLOCK) {
                gk_status status =
                    gk_diag_set(diag, GK_ERR_IO, out, 0, 0,
                                /* TRANSLATORS: %s is a lock file in the output folder. */
                                "another gongkai export is writing to this folder (%s is "
                                "locked); wait until it has finished",
                                name);
                free(lock->path);
                lock->path = NULL;
                return status;
            }
            errno = error;
            break;
        }
        if (still_there(fd, lock->path)) {
            lock->fd = fd;
            return GK_OK;
        }
        close(fd); /* removed by its last holder meanwhile: lock the new one */
    }
    gk_status status = gk_diag_set(diag, GK_ERR_IO, lock->path, 0, 0,
                                   "cannot lock the output folder: %s", strerror(errno));
    free(lock->path);
    lock->path = NULL;
    return status;
}

void gk_out_lock_release(gk_out_lock *lock)
{
    if (lock->fd >= 0) {
        /* only a holder that has it alone removes the file; others still need it */
        if (flock(lock->fd, LOCK_EX | LOCK_NB) == 0)
            unlink(lock->path);
        close(lock->fd);
    }
    lock->fd = -1;
    free(lock->path);
    lock->path = NULL;
}

/* ---- the sweep ----------------------------------------------------------------------------- */

static int compare_prefixes(const void *a, const void *b)
{
    return strcmp(((const gk_temp_prefix *)a)->text, ((const gk_temp_prefix *)b)->text);
}

void gk_temp_prefixes_sort(gk_temp_prefix *prefixes, size_t count)
{
    if (count > 0)
        qsort(prefixes, count, sizeof *prefixes, compare_prefixes);
}

/* Whether a temporary's name starts with one of the prefixes (all of one length). */
static bool has_prefix(const char *name, const gk_temp_prefix *prefixes, size_t count)
{
    if (count == 0)
        return false;
    size_t len = strlen(prefixes[0].text);
    gk_temp_prefix key = {{0}};
    if (strlen(name) < len)
        return false;
    memcpy(key.text, name, len);
    return bsearch(&key, prefixes, count, sizeof *prefixes, compare_prefixes) != NULL;
}

/* Removes a temporary file, or a temporary folder (the workbook's) with its files. */
static void remove_temporary(int dir_fd, const char *name)
{
    struct stat st;
    if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return;
    if (!S_ISDIR(st.st_mode)) {
        unlinkat(dir_fd, name, 0);
        return;
    }
    int fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (d == NULL && fd >= 0)
        close(fd);
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            unlinkat(dirfd(d), e->d_name, 0);
    if (d != NULL)
        closedir(d);
    unlinkat(dir_fd, name, AT_REMOVEDIR);
}

void gk_out_sweep(const char *out, const gk_temp_prefix *prefixes, size_t count)
{
    int fd = open(out, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (d == NULL) {
        if (fd >= 0)
            close(fd);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (gk_publish_is_temporary(e->d_name) &&
            (prefixes == NULL || has_prefix(e->d_name, prefixes, count)))
            remove_temporary(dirfd(d), e->d_name);
    closedir(d);
}
