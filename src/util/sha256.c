/* SHA-256 through Nettle; see sha256.h. Not libcrypto: loading it costs every start of
 * gongkai about 3 ms (its relocations and constructors), Nettle's a tenth of that, and Nettle
 * uses the processor's SHA instructions where it has them. */
#include "util/sha256.h"

#include <errno.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/input_file.h"

void gk_hex(const unsigned char *digest, size_t len, char *out)
{
    for (size_t i = 0; i < len; i++)
        sprintf(out + 2 * i, "%02x", digest[i]);
}

struct gk_sha256 {
    struct sha256_ctx ctx;
};

gk_sha256 *gk_sha256_begin(void)
{
    gk_sha256 *hash = malloc(sizeof *hash);
    if (hash != NULL)
        sha256_init(&hash->ctx);
    return hash;
}

void gk_sha256_add(gk_sha256 *hash, const void *data, size_t len)
{
    sha256_update(&hash->ctx, len, data);
}

void gk_sha256_end(gk_sha256 *hash, unsigned char digest[32])
{
    sha256_digest(&hash->ctx, SHA256_DIGEST_SIZE, digest);
    free(hash);
}

bool gk_sha256_fd(int fd, char out[65], long long *size)
{
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    unsigned char buf[65536];
    long long total = 0;
    bool ok = true;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            ok = n == 0;
            break;
        }
        sha256_update(&ctx, (size_t)n, buf);
        total += n;
    }
    unsigned char md[SHA256_DIGEST_SIZE];
    sha256_digest(&ctx, sizeof md, md);
    gk_hex(md, 32, out);
    if (size)
        *size = total;
    return ok;
}

bool gk_sha256_file(const char *path, char out[65], long long *size)
{
    int fd;
    size_t expected;
    if (gk_input_open(path, GK_INPUT_MAX_BYTES, &fd, &expected, NULL) != GK_OK)
        return false; /* missing, unreadable, or not a regular file (a FIFO would block) */
    bool ok = gk_sha256_fd(fd, out, size);
    close(fd);
    return ok;
}

/* ---- stamps: a large file's digest remembered against its identity -------------------- */

/* The folder for stamps: $GONGKAI_CACHE_DIR, else $XDG_CACHE_HOME/gongkai, else
 * $HOME/.cache/gongkai; false when none is set. */
static bool stamp_dir(char *buf, size_t size)
{
    const char *dir = getenv("GONGKAI_CACHE_DIR"), *xdg = getenv("XDG_CACHE_HOME"),
               *home = getenv("HOME");
    int n = dir && *dir   ? snprintf(buf, size, "%s", dir)
            : xdg && *xdg ? snprintf(buf, size, "%s/gongkai", xdg)
            : home && *home ? snprintf(buf, size, "%s/.cache/gongkai", home)
                            : -1;
    return n > 0 && (size_t)n < size;
}

/* What identifies a file's content without reading it. The change time cannot be set by
 * anyone (touch -r sets only the modification time), so a file rewritten with the same size
 * and a restored mtime still gets a new stamp. */
static int format_identity(const struct stat *st, char *buf, size_t size)
{
    return snprintf(buf, size, "gongkai-stamp 1 %llu %llu %lld %lld.%09ld %lld.%09ld",
                    (unsigned long long)st->st_dev, (unsigned long long)st->st_ino,
                    (long long)st->st_size, (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec,
                    (long long)st->st_ctim.tv_sec, st->st_ctim.tv_nsec);
}

/* The stamp's file: one per path, named by the path's digest. */
static bool stamp_path(const char *path, char *buf, size_t size)
{
    char dir[GK_STAMP_PATH_MAX];
    if (!stamp_dir(dir, sizeof dir))
        return false;
    unsigned char md[SHA256_DIGEST_SIZE];
    char hex[65];
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    sha256_update(&ctx, strlen(path), (const uint8_t *)path);
    sha256_digest(&ctx, sizeof md, md);
    gk_hex(md, sizeof md, hex);
    int n = snprintf(buf, size, "%s/stamp-%s", dir, hex);
    return n > 0 && (size_t)n < size;
}

static bool read_stamp(const char *stamp, const char *identity, char out[65])
{
    FILE *f = fopen(stamp, "re");
    if (f == NULL)
        return false;
    char line[512];
    bool ok = fgets(line, sizeof line, f) != NULL;
    fclose(f);
    size_t id_len = strlen(identity);
    ok = ok && strncmp(line, identity, id_len) == 0 && line[id_len] == ' ' &&
         strspn(line + id_len + 1, "0123456789abcdef") == 64;
    if (ok) {
        memcpy(out, line + id_len + 1, 64);
        out[64] = '\0';
    }
    return ok;
}

/* Best effort: a stamp that cannot be written only means hashing again next time. */
static void write_stamp(const char *stamp, const char *identity, const char *digest)
{
    char dir[GK_STAMP_PATH_MAX], tmp[GK_STAMP_PATH_MAX + 96];
    int n = snprintf(tmp, sizeof tmp, "%s.XXXXXX", stamp);
    if (n < 0 || (size_t)n >= sizeof tmp || !stamp_dir(dir, sizeof dir))
        return;
    char parent[GK_STAMP_PATH_MAX];
    snprintf(parent, sizeof parent, "%s", dir);
    char *slash = strrchr(parent, '/');
    if (slash != NULL && slash != parent) {
        *slash = '\0';
        mkdir(parent, 0700); /* ~/.cache itself, when missing */
    }
    mkdir(dir, 0700);
    int fd = mkstemp(tmp);
    if (fd < 0)
        return;
    FILE *f = fdopen(fd, "w");
    if (f == NULL) {
        close(fd);
        unlink(tmp);
        return;
    }
    bool ok = fprintf(f, "%s %s\n", identity, digest) > 0;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, stamp) != 0)
        unlink(tmp);
}

bool gk_sha256_file_stamped(const char *path, char out[65])
{
    int fd;
    size_t size;
    if (gk_input_open(path, GK_INPUT_MAX_BYTES, &fd, &size, NULL) != GK_OK)
        return false;
    struct stat st;
    char identity[256], stamp[GK_STAMP_PATH_MAX + 80];
    bool ok = fstat(fd, &st) == 0 && format_identity(&st, identity, sizeof identity) > 0;
    bool stamped = ok && stamp_path(path, stamp, sizeof stamp);
    if (ok && stamped && read_stamp(stamp, identity, out)) {
        close(fd);
        return true;
    }
    ok = ok && gk_sha256_fd(fd, out, NULL);
    close(fd);
    if (ok && stamped)
        write_stamp(stamp, identity, out);
    return ok;
}
