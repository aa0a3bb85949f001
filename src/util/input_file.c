/* Opening, reading and probing input files; see input_file.h. */
#include "util/input_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/i18n.h"

/* strerror() text with a lowercase first letter, as our messages are lowercase. */
static void error_text(int err, char *buf, size_t size)
{
    if (strerror_r(err, buf, size) != 0)
        /* TRANSLATORS: an operating-system error without a description; %d is its number. */
        snprintf(buf, size, _("error %d"), err);
    if (buf[0] >= 'A' && buf[0] <= 'Z')
        buf[0] = (char)(buf[0] - 'A' + 'a');
}

/* What a path holds, as in "expected a regular file, found %s" (translated). */
static const char *mode_name(mode_t mode)
{
    if (S_ISREG(mode))
        /* TRANSLATORS: what was found at a path, as in "expected a folder, found %s". */
        return _("a regular file");
    if (S_ISDIR(mode))
        /* TRANSLATORS: as in "expected a regular file, found %s". */
        return _("a folder");
    if (S_ISFIFO(mode))
        /* TRANSLATORS: as in "expected a regular file, found %s". */
        return _("a FIFO (named pipe)");
    if (S_ISCHR(mode))
        /* TRANSLATORS: as in "expected a regular file, found %s" (/dev/zero is one). */
        return _("a character device");
    if (S_ISBLK(mode))
        /* TRANSLATORS: as in "expected a regular file, found %s" (a disk is one). */
        return _("a block device");
    if (S_ISSOCK(mode))
        /* TRANSLATORS: as in "expected a regular file, found %s". */
        return _("a socket");
    /* TRANSLATORS: as in "expected a regular file, found %s". */
    return _("an unknown kind of file");
}

static const char *dangling_link(void)
{
    /* TRANSLATORS: a symbolic link whose target does not exist, as in "expected a regular
     * file, found %s". */
    return _("a dangling symbolic link");
}

static gk_status wrong_kind(gk_diag *diag, const char *path, gk_input_kind kind,
                            const char *found)
{
    if (kind == GK_INPUT_FOLDER)
        return gk_diag_set(diag, GK_ERR_IO, path, 0, 0, "expected a folder, found %s", found);
    return gk_diag_set(diag, GK_ERR_IO, path, 0, 0, "expected a regular file, found %s", found);
}

static gk_status cannot_open(gk_diag *diag, const char *path, gk_input_kind kind, int err)
{
    char why[128];
    error_text(err, why, sizeof why);
    if (kind == GK_INPUT_FOLDER)
        /* TRANSLATORS: %s is the operating system's reason, e.g. "permission denied". */
        return gk_diag_set(diag, GK_ERR_IO, path, 0, 0, "cannot open folder: %s", why);
    /* TRANSLATORS: %s is the operating system's reason, e.g. "no such file or directory". */
    return gk_diag_set(diag, GK_ERR_IO, path, 0, 0, "cannot open file: %s", why);
}

static gk_status too_large(gk_diag *diag, const char *path, size_t max_bytes,
                           unsigned long long found)
{
    return gk_diag_set(diag, GK_ERR_IO, path, 0, 0,
                       "expected a file of at most %zu bytes, found %llu bytes", max_bytes, found);
}

static bool is_symlink(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
}

gk_status gk_input_open(const char *path, size_t max_bytes, int *fd, size_t *size,
                        gk_diag *diag)
{
    *fd = -1;
    *size = 0;
    int opened = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (opened < 0) {
        int err = errno;
        if (err == ENOENT && is_symlink(path))
            return wrong_kind(diag, path, GK_INPUT_FILE, dangling_link());
        return cannot_open(diag, path, GK_INPUT_FILE, err);
    }
    struct stat st;
    gk_status status = GK_OK;
    if (fstat(opened, &st) != 0)
        status = cannot_open(diag, path, GK_INPUT_FILE, errno);
    else if (!S_ISREG(st.st_mode))
        status = wrong_kind(diag, path, GK_INPUT_FILE, mode_name(st.st_mode));
    else if ((unsigned long long)st.st_size > max_bytes)
        status = too_large(diag, path, max_bytes, (unsigned long long)st.st_size);
    if (status != GK_OK) {
        close(opened);
        return status;
    }
    *fd = opened;
    *size = (size_t)st.st_size;
    return GK_OK;
}

/* Reads fd to its end; size (from fstat) sizes the buffer, which grows if the file did. */
static gk_status read_to_end(const char *path, int fd, size_t size, size_t max_bytes,
                             unsigned char **data, size_t *len, gk_diag *diag)
{
    size_t cap = size + 1, used = 0; /* the spare byte sees the end without a second buffer */
    unsigned char *buf = malloc(cap);
    if (buf == NULL)
        return gk_diag_set(diag, GK_ERR_NOMEM, path, 0, 0, "out of memory");
    for (;;) {
        if (used == cap) { /* the file grew since fstat */
            size_t bigger = cap > max_bytes / 2 ? max_bytes + 1 : cap * 2;
            unsigned char *grown = realloc(buf, bigger);
            if (grown == NULL) {
                free(buf);
                return gk_diag_set(diag, GK_ERR_NOMEM, path, 0, 0, "out of memory");
            }
            buf = grown;
            cap = bigger;
        }
        ssize_t got = read(fd, buf + used, cap - used);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            char why[128];
            error_text(errno, why, sizeof why);
            free(buf);
            /* TRANSLATORS: %s is the operating system's reason. */
            return gk_diag_set(diag, GK_ERR_IO, path, 0, 0, "cannot read file: %s", why);
        }
        if (got == 0)
            break;
        used += (size_t)got;
        if (used > max_bytes) {
            free(buf);
            return too_large(diag, path, max_bytes, (unsigned long long)used);
        }
    }
    *data = buf;
    *len = used;
    return GK_OK;
}

gk_status gk_input_read(const char *path, size_t max_bytes, unsigned char **data, size_t *len,
                        gk_diag *diag)
{
    *data = NULL;
    *len = 0;
    int fd;
    size_t size;
    gk_status status = gk_input_open(path, max_bytes, &fd, &size, diag);
    if (status != GK_OK)
        return status;
    status = read_to_end(path, fd, size, max_bytes, data, len, diag);
    close(fd);
    return status;
}

gk_status gk_input_read_fd(const char *path, int fd, size_t max_bytes, unsigned char **data,
                           size_t *len, gk_diag *diag)
{
    *data = NULL;
    *len = 0;
    struct stat st;
    if (fstat(fd, &st) != 0 || lseek(fd, 0, SEEK_SET) != 0) {
        char why[128];
        error_text(errno, why, sizeof why);
        return gk_diag_set(diag, GK_ERR_IO, path, 0, 0, "cannot read file: %s", why);
    }
    size_t size = st.st_size > 0 && (size_t)st.st_size <= max_bytes ? (size_t)st.st_size : 0;
    return read_to_end(path, fd, size, max_bytes, data, len, diag);
}

/* ---- probing ---------------------------------------------------------------------------- */

/* Cuts the last component off path (in place); false when there is no folder above it. */
static bool cut_to_parent(char *path)
{
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/')
        n--;
    while (n > 0 && path[n - 1] != '/')
        n--;
    if (n == 0)
        return false; /* a relative name: its folder is the current one, which exists */
    while (n > 1 && path[n - 1] == '/')
        n--;
    path[n] = '\0';
    return true;
}

/* Nothing is at path (stat said ENOENT or ENOTDIR): it is absent, unless it is a dangling
 * symbolic link, or a folder on the way is one (or is not a folder), which makes it broken.
 * Walks up to the first ancestor that exists. */
static gk_status probe_missing(const char *path, gk_input_kind kind, gk_input_state *state,
                               gk_diag *diag)
{
    char *at = strdup(path);
    if (at == NULL)
        return gk_diag_set(diag, GK_ERR_NOMEM, path, 0, 0, "out of memory");
    gk_status status = GK_OK;
    gk_input_kind wanted = kind;
    for (;;) {
        if (is_symlink(at)) {
            status = wrong_kind(diag, at, wanted, dangling_link());
            break;
        }
        if (!cut_to_parent(at))
            break;
        wanted = GK_INPUT_FOLDER;
        struct stat st;
        if (stat(at, &st) == 0) {
            if (!S_ISDIR(st.st_mode))
                status = wrong_kind(diag, at, GK_INPUT_FOLDER, mode_name(st.st_mode));
            break;
        }
        if (errno != ENOENT && errno != ENOTDIR) {
            status = cannot_open(diag, at, GK_INPUT_FOLDER, errno);
            break;
        }
    }
    free(at);
    *state = status == GK_OK ? GK_INPUT_ABSENT : GK_INPUT_BROKEN;
    return status;
}

gk_status gk_input_probe(const char *path, gk_input_kind kind, gk_input_state *state,
                         gk_diag *diag)
{
    *state = GK_INPUT_BROKEN;
    struct stat st;
    if (stat(path, &st) != 0) {
        int err = errno;
        if (err == ENOENT || err == ENOTDIR)
            return probe_missing(path, kind, state, diag);
        return cannot_open(diag, path, kind, err); /* a loop, no permission, a long name, … */
    }
    bool fits = kind == GK_INPUT_FOLDER ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode);
    if (!fits)
        return wrong_kind(diag, path, kind, mode_name(st.st_mode));
    *state = GK_INPUT_PRESENT;
    return GK_OK;
}
