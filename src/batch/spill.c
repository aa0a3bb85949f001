/* Job records on disk while a batch runs; see spill.h. */
#define _GNU_SOURCE /* pread, pwrite on every libc */
#include "batch/spill.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/publish.h"

gk_status gk_spill_open(gk_spill *spill, const char *beside, gk_diag *diag)
{
    *spill = (gk_spill){-1, 0};
    char tmp[GK_PATH_MAX];
    gk_status status = gk_publish_begin(beside, tmp, sizeof tmp, diag);
    if (status != GK_OK)
        return status;
    spill->fd = open(tmp, O_RDWR | O_CLOEXEC);
    int saved = errno;
    unlink(tmp);
    if (spill->fd < 0)
        return gk_diag_set(diag, GK_ERR_IO, beside, 0, 0, "cannot open for writing: %s",
                           strerror(saved));
    return GK_OK;
}

int gk_spill_put(gk_spill *spill, const json_t *record, gk_record_at *at)
{
    char *text = json_dumps(record, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (text == NULL)
        return ENOMEM;
    size_t len = strlen(text);
    text[len] = '\n'; /* one record a line: the file reads as JSON lines when debugging */
    int error = 0;
    for (size_t done = 0; done < len + 1 && error == 0;) {
        ssize_t n = pwrite(spill->fd, text + done, len + 1 - done, spill->end + (off_t)done);
        if (n > 0)
            done += (size_t)n;
        else if (n == 0 || errno != EINTR)
            error = n == 0 ? ENOSPC : errno;
    }
    free(text);
    if (error != 0)
        return error;
    *at = (gk_record_at){spill->end, len};
    spill->end += (off_t)len + 1;
    return 0;
}

json_t *gk_record_read(int fd, gk_record_at at)
{
    char *text = at.length ? malloc(at.length) : NULL;
    size_t done = 0;
    while (text != NULL && done < at.length) {
        ssize_t n = pread(fd, text + done, at.length - done, at.offset + (off_t)done);
        if (n <= 0 && !(n < 0 && errno == EINTR))
            break;
        if (n > 0)
            done += (size_t)n;
    }
    json_t *value = done == at.length && text
                        ? json_loadb(text, at.length, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
                                     NULL)
                        : NULL;
    free(text);
    return value;
}

void gk_spill_close(gk_spill *spill)
{
    if (spill->fd >= 0)
        close(spill->fd);
    spill->fd = -1;
}
