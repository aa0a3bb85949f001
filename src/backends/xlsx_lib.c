/* Opening libxlsxwriter at run time; see xlsx_lib.h. */
#define GK_XLSXWRITER_LOADER
#include "backends/xlsx_lib.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

gk_xlsxwriter gk_xlsxwriter_functions;

/* What opening found: "" when every function was found, else why not (dlerror's words). */
static char failure[512];

static void open_once(void)
{
    /* RTLD_GLOBAL: the library's own dependencies (minizip) stay interposable, as when linked */
    void *lib = dlopen(GK_XLSXWRITER_SONAME, RTLD_NOW | RTLD_GLOBAL);
    if (lib == NULL) {
        const char *why = dlerror();
        snprintf(failure, sizeof failure, "%s", why != NULL && why[0] ? why : "not found");
        return;
    }
#define GK_XLSXWRITER_FIND(name)                                                               \
    if (failure[0] == '\0') {                                                                  \
        void *found = dlsym(lib, #name);                                                       \
        if (found == NULL)                                                                     \
            snprintf(failure, sizeof failure, "%s: no %s", GK_XLSXWRITER_SONAME, #name);      \
        else /* POSIX: a function pointer may be converted from dlsym's void * */              \
            *(void **)&gk_xlsxwriter_functions.name = found;                                   \
    }
    GK_XLSXWRITER_FUNCTIONS(GK_XLSXWRITER_FIND)
#undef GK_XLSXWRITER_FIND
}

gk_status gk_xlsxwriter_open(gk_diag *diag)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, open_once);
    if (failure[0] == '\0')
        return GK_OK;
    /* TRANSLATORS: %s is the library's file name, then the dynamic loader's English reason. */
    return gk_diag_set(diag, GK_ERR_BACKEND, GK_XLSXWRITER_SONAME, 0, 0,
                       "XLSX: cannot load %s: %s", GK_XLSXWRITER_SONAME, failure);
}
