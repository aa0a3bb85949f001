/* The resume key of a batch job; see job_key.h. */
#include "batch/job_key.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/datadir.h"
#include "util/grow.h"
#include "util/publish.h"
#include "util/sha256.h"

enum { DIGEST_SIZE = 32 };

struct gk_job_keys {
    const gk_package *pkg;
    unsigned char shared[DIGEST_SIZE];
    char profile[65];
    unsigned char (*units)[DIGEST_SIZE]; /* each unit's own folders, hashed when first needed */
    bool *hashed;
};

/* ---- feeding fields ------------------------------------------------------------------------ */

/* A field with its length before it: no two different lists of fields feed the same bytes. */
static void feed(gk_sha256 *ctx, const void *data, size_t len)
{
    unsigned char prefix[8];
    for (size_t i = 0; i < sizeof prefix; i++)
        prefix[i] = (unsigned char)((uint64_t)len >> (8 * i));
    gk_sha256_add(ctx, prefix, sizeof prefix);
    gk_sha256_add(ctx, data, len);
}

static void feed_text(gk_sha256 *ctx, const char *text)
{
    feed(ctx, text, strlen(text));
}

static void feed_count(gk_sha256 *ctx, size_t count)
{
    unsigned char bytes[8];
    for (size_t i = 0; i < sizeof bytes; i++)
        bytes[i] = (unsigned char)((uint64_t)count >> (8 * i));
    feed(ctx, bytes, sizeof bytes);
}

/* A file by its content's SHA-256; a file that is missing, or is not a readable regular file
 * (a FIFO is not waited for), by what it is instead. */
static void feed_file(gk_sha256 *ctx, int dir_fd, const char *name)
{
    int fd = openat(dir_fd, name, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        feed_text(ctx, errno == ENOENT ? "missing" : "unreadable");
        return;
    }
    struct stat st;
    char digest[65];
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        feed_text(ctx, "not a regular file");
    else if (!gk_sha256_fd(fd, digest, NULL))
        feed_text(ctx, "unreadable");
    else
        feed(ctx, digest, 64);
    close(fd);
}

/* dir/name, or the name alone when dir cannot be opened (then it is fed as missing). */
static void feed_file_in(gk_sha256 *ctx, const char *dir, const char *name)
{
    int dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    feed_text(ctx, name);
    if (dir_fd < 0) {
        feed_text(ctx, "missing");
        return;
    }
    feed_file(ctx, dir_fd, name);
    close(dir_fd);
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in an open folder other than . and .., sorted by bytes (never by locale). */
static bool list_folder(DIR *d, char ***names, size_t *count)
{
    size_t capacity = 0;
    *names = NULL;
    *count = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (!gk_grow((void **)names, &capacity, *count, sizeof **names, 32))
            return false;
        if (((*names)[*count] = strdup(e->d_name)) == NULL)
            return false;
        (*count)++;
    }
    qsort(*names, *count, sizeof **names, compare_names);
    return true;
}

/* Every entry of a folder that is not itself a folder, by name and content. Subfolders are
 * inputs of their own (tables/CODE/ belongs to unit CODE). A file the package's index read
 * whole (indexed, may be NULL) is fed by the digest it took then: the same bytes as reading
 * it again (feed_file feeds its digest), without the second reading. False when out of
 * memory. */
static bool feed_folder(gk_sha256 *ctx, const char *dir, const gk_package *indexed)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (d == NULL) {
        if (fd >= 0)
            close(fd);
        feed_text(ctx, errno == ENOENT ? "no folder" : "unreadable folder");
        return true;
    }
    char **names = NULL;
    size_t count = 0;
    bool ok = list_folder(d, &names, &count);
    for (size_t i = 0; ok && i < count; i++) {
        struct stat st;
        if (fstatat(dirfd(d), names[i], &st, 0) == 0 && S_ISDIR(st.st_mode))
            continue;
        feed_text(ctx, names[i]);
        const char *digest = indexed ? gk_package_table_sha256(indexed, names[i]) : NULL;
        if (digest != NULL)
            feed(ctx, digest, 64);
        else
            feed_file(ctx, dirfd(d), names[i]);
    }
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
    closedir(d);
    return ok;
}

/* The folder dir/sub, as above. */
static bool feed_subfolder(gk_sha256 *ctx, const char *dir, const char *sub,
                           const gk_package *indexed)
{
    char *path = gk_path_join(dir, sub);
    bool ok = path != NULL && feed_folder(ctx, path, indexed);
    free(path);
    return ok;
}

static void finish(gk_sha256 *ctx, unsigned char digest[DIGEST_SIZE])
{
    gk_sha256_end(ctx, digest);
}

static gk_sha256 *start(const char *label)
{
    gk_sha256 *ctx = gk_sha256_begin();
    if (ctx != NULL)
        feed_text(ctx, label);
    return ctx;
}

/* ---- the parts of a key -------------------------------------------------------------------- */

/* A font option: the user's file by content; the prepared default by its pins (fonts.sha256,
 * which the backend verified the fonts against before the batch began). */
static void feed_font(gk_sha256 *ctx, const char *path)
{
    if (path != NULL) {
        feed_text(ctx, "font file");
        feed_file(ctx, AT_FDCWD, path);
    } else {
        feed_text(ctx, "default font");
        feed_file_in(ctx, gk_data_dir(GK_DATA_FONTS), "fonts.sha256");
    }
}

static bool hash_profile(const gk_package *pkg, char hex[65])
{
    gk_sha256 *ctx = start("gongkai profile");
    if (ctx == NULL)
        return false;
    bool ok = feed_folder(ctx, pkg->profile->dir, NULL);
    unsigned char digest[DIGEST_SIZE];
    finish(ctx, digest);
    gk_hex(digest, DIGEST_SIZE, hex);
    return ok;
}

/* What every job shares: the program, the options, the profile, the package's shared files. */
static bool hash_shared(gk_job_keys *keys, const gk_batch_options *options)
{
    gk_sha256 *ctx = start("gongkai job key 1");
    if (ctx == NULL)
        return false;
    feed_text(ctx, GK_VERSION);
    feed_count(ctx, options->backend_count);
    for (size_t k = 0; k < options->backend_count; k++)
        feed_text(ctx, options->backends[k]->name);
    feed_count(ctx, options->force);
    feed_font(ctx, options->render ? options->render->body_font : NULL);
    feed_font(ctx, options->render ? options->render->title_font : NULL);
    feed_text(ctx, keys->profile);
    const char *dir = keys->pkg->dir;
    feed_file_in(ctx, dir, "units.csv");
    feed_file_in(ctx, dir, "prior.csv");
    feed_text(ctx, "tables");
    bool ok = feed_subfolder(ctx, dir, "tables", keys->pkg); /* the shared tables' files */
    finish(ctx, keys->shared);
    return ok;
}

/* A unit's own folders, hashed once however many jobs read them. */
static bool unit_digest(gk_job_keys *keys, size_t unit, const unsigned char **digest)
{
    if (!keys->hashed[unit]) {
        const char *code = keys->pkg->units[unit].code;
        gk_sha256 *ctx = start("gongkai unit");
        if (ctx == NULL)
            return false;
        feed_text(ctx, code);
        char *tables = gk_path_join("tables", code);
        char *narrative = gk_path_join("narrative", code);
        bool ok = tables != NULL && narrative != NULL;
        if (ok) {
            feed_text(ctx, "tables");
            ok = feed_subfolder(ctx, keys->pkg->dir, tables, NULL);
        }
        if (ok) {
            feed_text(ctx, "narrative");
            ok = feed_subfolder(ctx, keys->pkg->dir, narrative, NULL);
        }
        free(tables);
        free(narrative);
        finish(ctx, keys->units[unit]);
        if (!ok)
            return false;
        keys->hashed[unit] = true;
    }
    *digest = keys->units[unit];
    return true;
}

/* ---- the interface ------------------------------------------------------------------------- */

gk_status gk_job_keys_new(const gk_package *pkg, const gk_batch_options *options,
                          gk_job_keys **out, gk_diag *diag)
{
    gk_job_keys *keys = calloc(1, sizeof *keys);
    *out = NULL;
    if (keys != NULL) {
        keys->pkg = pkg;
        keys->units = calloc(pkg->unit_count + 1, sizeof *keys->units);
        keys->hashed = calloc(pkg->unit_count + 1, sizeof *keys->hashed);
    }
    if (keys == NULL || keys->units == NULL || keys->hashed == NULL ||
        !hash_profile(pkg, keys->profile) || !hash_shared(keys, options)) {
        gk_job_keys_free(keys);
        return gk_diag_set(diag, GK_ERR_NOMEM, pkg->dir, 0, 0, "out of memory");
    }
    *out = keys;
    return GK_OK;
}

const char *gk_job_keys_profile(const gk_job_keys *keys)
{
    return keys->profile;
}

bool gk_job_key(gk_job_keys *keys, gk_job_kind kind, const char *code, const size_t *members,
                size_t member_count, const char *const *outputs, size_t output_count,
                char out[65])
{
    gk_sha256 *ctx = start("gongkai job");
    if (ctx == NULL)
        return false;
    feed(ctx, keys->shared, DIGEST_SIZE);
    feed_text(ctx, kind == GK_JOB_UNIT ? "unit" : "department");
    feed_text(ctx, code);
    feed_count(ctx, output_count);
    for (size_t i = 0; i < output_count; i++)
        feed_text(ctx, outputs[i]);
    feed_count(ctx, member_count);
    bool ok = true;
    for (size_t i = 0; ok && i < member_count; i++) {
        const unsigned char *digest = NULL;
        ok = unit_digest(keys, members[i], &digest);
        if (ok)
            feed(ctx, digest, DIGEST_SIZE);
    }
    unsigned char digest[DIGEST_SIZE];
    finish(ctx, digest);
    gk_hex(digest, DIGEST_SIZE, out);
    return ok;
}

void gk_job_keys_free(gk_job_keys *keys)
{
    if (keys == NULL)
        return;
    free(keys->units);
    free(keys->hashed);
    free(keys);
}
