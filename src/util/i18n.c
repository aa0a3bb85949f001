/* Binding the text domain; see i18n.h. */
#include "util/i18n.h"

#include <pthread.h>

#include "util/datadir.h"

static void bind_once(void)
{
    bindtextdomain(GK_TEXT_DOMAIN, gk_data_dir(GK_DATA_LOCALE));
}

/* Terminal cells of UTF-8 text: U+1100 and above (Hangul, CJK, full-width forms) take two.
 * Independent of the locale: all text in gongkai is UTF-8. */
static int display_width(const char *text)
{
    int width = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        if ((*p & 0xC0) != 0x80) /* not a continuation byte */
            width += *p >= 0xE1 ? 2 : 1;
    return width;
}

void gk_print_padded(FILE *out, const char *text, int width)
{
    int used = display_width(text);
    fprintf(out, "%s%*s", text, used < width ? width - used : 0, "");
}

void gk_i18n_bind(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, bind_once);
}
