/* Messages for people go through GNU gettext, text domain "gongkai" (po/zh_CN.po is the
 * Chinese translation). Library code uses dgettext, so a program that links libgongkai keeps its
 * own text domain; the CLI calls setlocale for LC_CTYPE and LC_MESSAGES only, so numbers,
 * sorting and file names behave the same in every locale.
 *
 * Marking: _("text") translates now; N_("text") marks a string translated later with _();
 * P_("one", "many", n) picks a plural form. gk_diag_set and the other message functions named in
 * CMakeLists.txt (GK_XGETTEXT_KEYWORDS) translate their format themselves. */
#ifndef GK_UTIL_I18N_H
#define GK_UTIL_I18N_H

#include <libintl.h>
#include <stdio.h>

#define GK_TEXT_DOMAIN "gongkai"
#define _(text) dgettext(GK_TEXT_DOMAIN, text)
#define N_(text) text
#define P_(one, many, n) dngettext(GK_TEXT_DOMAIN, one, many, n)

/* Binds the text domain to the folder of compiled translations (gk_data_dir(GK_DATA_LOCALE)),
 * once; later calls do nothing. */
void gk_i18n_bind(void);

/* Prints UTF-8 text left-aligned in `width` terminal cells (a Chinese character takes two;
 * printf's widths count bytes); longer text is printed whole. */
void gk_print_padded(FILE *out, const char *text, int width);

#endif
