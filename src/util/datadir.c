/* Data folder lookup; see datadir.h. The paths are set by CMakeLists.txt. */
#define _XOPEN_SOURCE 700 /* realpath */
#include "util/datadir.h"

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if !defined(GK_BUILD_DIR) || !defined(GK_INSTALL_DATADIR) || !defined(GK_SOURCE_LAYOUTS) || \
    !defined(GK_FONT_DIR)
#error "GK_BUILD_DIR, GK_INSTALL_DATADIR, GK_SOURCE_LAYOUTS and GK_FONT_DIR come from CMakeLists.txt"
#endif

typedef struct data_place {
    const char *env;        /* overriding environment variable, or NULL */
    const char *installed;  /* below a share/ folder */
    const char *build_tree; /* absolute */
} data_place;

static const data_place places[] = {
    [GK_DATA_LAYOUTS] = {"GONGKAI_LAYOUTS", "gongkai/layouts", GK_SOURCE_LAYOUTS},
    [GK_DATA_FONTS] = {"GONGKAI_FONTS", "gongkai/fonts", GK_FONT_DIR},
    [GK_DATA_LOCALE] = {NULL, "locale", GK_BUILD_DIR "/locale"},
};

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Where the running program is: found once (fonts are looked up for every unit). */
static struct {
    char dir[PATH_MAX]; /* its folder, resolved; "" when unknown */
    bool in_build_tree; /* it is this build's gongkai */
} program;

static void find_program(void)
{
    ssize_t n = readlink("/proc/self/exe", program.dir, sizeof program.dir - 1);
    if (n <= 0)
        return; /* unknown: program.dir stays "" */
    program.dir[n] = '\0';
    char *slash = strrchr(program.dir, '/');
    if (slash == NULL) {
        program.dir[0] = '\0';
        return;
    }
    *slash = '\0';
    char build[PATH_MAX];
    program.in_build_tree = realpath(GK_BUILD_DIR, build) != NULL && strcmp(build, program.dir) == 0;
}

const char *gk_data_dir(gk_data_kind kind)
{
    static _Thread_local char found[3][PATH_MAX];
    const data_place *place = &places[kind];
    char *out = found[kind];
    const char *env = place->env ? getenv(place->env) : NULL;
    if (env != NULL && env[0] != '\0')
        return env;
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, find_program);
    if (program.in_build_tree)
        return place->build_tree;
    int n = -1;
    if (program.dir[0] != '\0')
        n = snprintf(out, PATH_MAX, "%s/../share/%s", program.dir, place->installed);
    if (n > 0 && n < PATH_MAX && is_dir(out))
        return out;
    n = snprintf(out, PATH_MAX, "%s/%s", GK_INSTALL_DATADIR, place->installed);
    if (n > 0 && n < PATH_MAX && is_dir(out))
        return out;
    return place->build_tree;
}
