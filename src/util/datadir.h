/* Where gongkai's data folders are, for the program and for the library alike. */
#ifndef GK_UTIL_DATADIR_H
#define GK_UTIL_DATADIR_H

typedef enum gk_data_kind {
    GK_DATA_LAYOUTS, /* the layout profiles ($GONGKAI_LAYOUTS) */
    GK_DATA_FONTS,   /* the prepared fonts and their pins ($GONGKAI_FONTS) */
    GK_DATA_LOCALE   /* compiled translations: LANG/LC_MESSAGES/gongkai.mo */
} gk_data_kind;

/* The folder, looked up in this order:
 *   1. its environment variable, when set;
 *   2. the build tree's, when the running program is this build's gongkai;
 *   3. ../share/… beside the running program (an installed gongkai, wherever its prefix is);
 *   4. the configured install location (a program linking an installed libgongkai);
 *   5. the build tree's (tests and programs run from elsewhere).
 * The string stays valid until the next call for the same kind in the same thread. */
const char *gk_data_dir(gk_data_kind kind);

#endif
