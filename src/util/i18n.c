/* Binding the text domain; see i18n.h. */
#include "util/i18n.h"

#include <pthread.h>

#include "util/datadir.h"

static void bind_once(void)
{
    bindtextdomain(GK_TEXT_DOMAIN, gk_data_dir(GK_DATA_LOCALE));
}

void gk_i18n_bind(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, bind_once);
}
