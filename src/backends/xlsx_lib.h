/* libxlsxwriter, opened when the first workbook is written instead of at every start.
 *
 * Linked as usual, it and the libcrypto it needs (for MD5s of images, which gongkai never
 * adds) were about half of what the dynamic loader did before main: 3.5 ms of every run,
 * of a check, and of a batch's parent, which never write a workbook. Opened here, a worker
 * pays it once, on the thread that renders the workbook beside the booklet.
 *
 * The backend (xlsx.c) calls libxlsxwriter by its own names: after its header, this one
 * turns each name it uses into a call through the table of functions (as OpenGL loaders do).
 * gk_xlsxwriter_open must have succeeded first. */
#ifndef GONGKAI_XLSX_LIB_H
#define GONGKAI_XLSX_LIB_H

#include <xlsxwriter.h>

#include "gongkai/diag.h"

#define GK_XLSXWRITER_FUNCTIONS(X)                                                              \
    X(lxw_strerror) X(lxw_version) X(workbook_new_opt) X(workbook_add_format)                  \
    X(workbook_add_worksheet) X(workbook_close) X(workbook_set_properties)                      \
    X(workbook_validate_sheet_name) X(format_set_align) X(format_set_bold) X(format_set_border) \
    X(format_set_font_name) X(format_set_font_size) X(format_set_indent)                        \
    X(format_set_num_format) X(format_set_text_wrap) X(worksheet_center_horizontally)          \
    X(worksheet_fit_to_pages) X(worksheet_freeze_panes) X(worksheet_merge_range)               \
    X(worksheet_repeat_rows) X(worksheet_set_column) X(worksheet_set_footer)                    \
    X(worksheet_set_landscape) X(worksheet_set_margins) X(worksheet_set_paper)                  \
    X(worksheet_set_portrait) X(worksheet_set_row) X(worksheet_write_blank)                     \
    X(worksheet_write_number) X(worksheet_write_string)

typedef struct gk_xlsxwriter {
#define GK_XLSXWRITER_POINTER(name) __typeof__(name) *name;
    GK_XLSXWRITER_FUNCTIONS(GK_XLSXWRITER_POINTER)
#undef GK_XLSXWRITER_POINTER
} gk_xlsxwriter;

/* Opens the library once per process (any thread); later calls give the same answer. An
 * error names the library file and what the dynamic loader said. */
gk_status gk_xlsxwriter_open(gk_diag *diag);

/* The functions, after gk_xlsxwriter_open succeeded. */
extern gk_xlsxwriter gk_xlsxwriter_functions;

#ifndef GK_XLSXWRITER_LOADER /* the loader itself (xlsx_lib.c) uses the real names */
#define lxw_strerror (gk_xlsxwriter_functions.lxw_strerror)
#define lxw_version (gk_xlsxwriter_functions.lxw_version)
#define workbook_new_opt (gk_xlsxwriter_functions.workbook_new_opt)
#define workbook_add_format (gk_xlsxwriter_functions.workbook_add_format)
#define workbook_add_worksheet (gk_xlsxwriter_functions.workbook_add_worksheet)
#define workbook_close (gk_xlsxwriter_functions.workbook_close)
#define workbook_set_properties (gk_xlsxwriter_functions.workbook_set_properties)
#define workbook_validate_sheet_name (gk_xlsxwriter_functions.workbook_validate_sheet_name)
#define format_set_align (gk_xlsxwriter_functions.format_set_align)
#define format_set_bold (gk_xlsxwriter_functions.format_set_bold)
#define format_set_border (gk_xlsxwriter_functions.format_set_border)
#define format_set_font_name (gk_xlsxwriter_functions.format_set_font_name)
#define format_set_font_size (gk_xlsxwriter_functions.format_set_font_size)
#define format_set_indent (gk_xlsxwriter_functions.format_set_indent)
#define format_set_num_format (gk_xlsxwriter_functions.format_set_num_format)
#define format_set_text_wrap (gk_xlsxwriter_functions.format_set_text_wrap)
#define worksheet_center_horizontally (gk_xlsxwriter_functions.worksheet_center_horizontally)
#define worksheet_fit_to_pages (gk_xlsxwriter_functions.worksheet_fit_to_pages)
#define worksheet_freeze_panes (gk_xlsxwriter_functions.worksheet_freeze_panes)
#define worksheet_merge_range (gk_xlsxwriter_functions.worksheet_merge_range)
#define worksheet_repeat_rows (gk_xlsxwriter_functions.worksheet_repeat_rows)
#define worksheet_set_column (gk_xlsxwriter_functions.worksheet_set_column)
#define worksheet_set_footer (gk_xlsxwriter_functions.worksheet_set_footer)
#define worksheet_set_landscape (gk_xlsxwriter_functions.worksheet_set_landscape)
#define worksheet_set_margins (gk_xlsxwriter_functions.worksheet_set_margins)
#define worksheet_set_paper (gk_xlsxwriter_functions.worksheet_set_paper)
#define worksheet_set_portrait (gk_xlsxwriter_functions.worksheet_set_portrait)
#define worksheet_set_row (gk_xlsxwriter_functions.worksheet_set_row)
#define worksheet_write_blank (gk_xlsxwriter_functions.worksheet_write_blank)
#define worksheet_write_number (gk_xlsxwriter_functions.worksheet_write_number)
#define worksheet_write_string (gk_xlsxwriter_functions.worksheet_write_string)
#endif

#endif
