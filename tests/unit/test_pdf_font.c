/* Tests for the PDF font layer (backends/pdf_font.c, pdf_harufix.c): builds real PDFs with
 * libharu and both prepared faces, then checks them with the tools a reader would use:
 * qpdf --check, pdffonts (embedded, subset), pdftotext (exact text, no poppler warnings) and
 * a rendered page (every character drawn alone in a grid cell must leave ink in its cell),
 * and the embedded subsets read back with fontTools (no glyph may lose a component). Without
 * the composite-glyph repair wqy-microhei draws characters such as 他 and 般 blank and loses
 * strokes of 位体算教政府. Needs poppler-utils, qpdf and python3-fonttools; the fonts come
 * from GK_BINARY_DIR/fonts. */
#define _GNU_SOURCE /* dladdr */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <dlfcn.h>
#include <fcntl.h>
#include <unistd.h>

#include "backends/pdf_font.h"
#include "backends/pdf_harufix.h"
#include <hpdf_utils.h>
#include "backends/pdf_subset.h"
#include "../support/testutil.h"

#define FONT_DIR GK_BINARY_DIR "/fonts"
#define SONG_PATH FONT_DIR "/song.ttf"
#define HEI_PATH FONT_DIR "/hei.ttf"

/* Characters for the ink grid: 他位体般预算教育政府 (blank without the repair), a few hundred
 * common budget characters, digits, Latin, and full-width and CJK punctuation. */
static const char GRID_TEXT[] =
    "他位体般预算教育政府名不"
    "一七万上与专业个中为主之乐九习乡书二于五交产介价任企众优会伤低佛使例侧保"
    "信债做健充全公其养内分划列创初利别制前办加务动励包医午单占卡卫印原参及反发取变口"
    "各同向否员响商因国地均型城培境增处大天央失奖媒字宏定客家容宽寄察小尚就层展山川"
    "州巡差市带常平序库度康建开式强录彻待得微心性总息情惠成截户房才执承技护报担括持"
    "指按挥据排探接控推描提援支改放数整文新方施旅无明晓月有本术机杂权析标检概模次"
    "正段气油注津活流测济海游源灾然照独狱率生电留疑疾益盖目相省眉知研确社福离租称程税"
    "稳立站第等答简级纳线经络统继绩续而联能至良融行补表被观规解计证评话询说"
    "负财责质购贯贴赁赋越车轿输过运还进述途通邮释重金间防附际障零需面革项领频题额食"
    "馆驻高"
    "0123456789.%ABCxyz"
    "，。、；：（）《》“”！？％①②③";

/* Lines drawn on the text page; pdftotext must give them back exactly. */
static const char *const SONG_LINES[] = {
    "一般公共预算支出294.28万元",
    "教育支出，政府性基金预算；社会保障和就业：（一）",
    "《预算法》规定“名称不变”、其他。",
    "Total 2025: 1,234.56",
};
static const char HEI_TITLE[] = "二、一般公共预算支出表（按功能分类）";

enum { PAGE_W = 595, PAGE_H = 842, MARGIN = 36, CELL = 24, GLYPH_SIZE = 16, DPI = 100 };

/* ---- building a PDF -------------------------------------------------------------------- */

static void on_haru_error(HPDF_STATUS error, HPDF_STATUS detail, void *user)
{
    HPDF_STATUS *first = user;
    if (*first == HPDF_OK)
        *first = error;
    (void)detail;
}

/* A document is drawn by a script run twice, as the backend does: first recording every string
 * (no pages), then, after the fonts are embedded, drawing. */
typedef struct doc {
    HPDF_Doc pdf;
    HPDF_STATUS error;
    gk_pdf_font *song, *hei;
    bool drawing;
} doc;

static void doc_open(doc *d)
{
    d->error = HPDF_OK;
    d->drawing = false;
    d->pdf = HPDF_New(on_haru_error, &d->error);
    assert_non_null(d->pdf);
    assert_int_equal(HPDF_SetCompressionMode(d->pdf, HPDF_COMP_ALL), HPDF_OK);
    gk_diag diag;
    gk_diag_clear(&diag);
    if (gk_pdf_font_open(SONG_PATH, -1, &d->song, &diag) != GK_OK ||
        gk_pdf_font_open(HEI_PATH, -1, &d->hei, &diag) != GK_OK)
        fail_msg("%s: %s", diag.file, diag.message);
}

/* Ends the recording: both fonts get their subsets. */
static void doc_embed(doc *d)
{
    gk_diag diag;
    gk_diag_clear(&diag);
    if (gk_pdf_font_embed(d->pdf, d->song, &diag) != GK_OK ||
        gk_pdf_font_embed(d->pdf, d->hei, &diag) != GK_OK)
        fail_msg("embed: %s: %s", diag.file, diag.message);
    d->drawing = true;
}

static void doc_close(doc *d)
{
    HPDF_Free(d->pdf);
    gk_pdf_font_free(d->song);
    gk_pdf_font_free(d->hei);
}

/* Every string goes through record, as the layer requires; it is drawn in the second run. */
static void draw(doc *d, HPDF_Page page, gk_pdf_font *font, double size, double x, double y,
                 const char *text)
{
    gk_pdf_font_record(font, text, strlen(text));
    if (!d->drawing)
        return;
    HPDF_Page_SetFontAndSize(page, gk_pdf_font_handle(font), (HPDF_REAL)size);
    HPDF_Page_TextOut(page, (HPDF_REAL)x, (HPDF_REAL)y, text);
}

/* A new page with text begun (NULL while recording). */
static HPDF_Page new_page(doc *d)
{
    if (!d->drawing)
        return NULL;
    HPDF_Page page = HPDF_AddPage(d->pdf);
    HPDF_Page_SetWidth(page, PAGE_W);
    HPDF_Page_SetHeight(page, PAGE_H);
    HPDF_Page_BeginText(page);
    return page;
}

static void end_page(HPDF_Page page)
{
    if (page != NULL)
        HPDF_Page_EndText(page);
}

static void draw_text_page(doc *d)
{
    HPDF_Page page = new_page(d);
    draw(d, page, d->hei, 18, MARGIN, PAGE_H - 60, HEI_TITLE);
    for (size_t i = 0; i < sizeof SONG_LINES / sizeof SONG_LINES[0]; i++)
        draw(d, page, d->song, 12, MARGIN, PAGE_H - 100 - 30 * (double)i, SONG_LINES[i]);
    end_page(page);
}

/* Length of the UTF-8 sequence starting with byte b. */
static size_t utf8_len(unsigned char b)
{
    return b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
}

/* Baseline-left corner of grid cell i, in PDF points. */
static void cell_origin(size_t i, double *x, double *y)
{
    size_t columns = (PAGE_W - 2 * MARGIN) / CELL;
    *x = MARGIN + (double)(i % columns) * CELL;
    *y = PAGE_H - MARGIN - (double)(i / columns + 1) * CELL;
}

/* One character per grid cell, so that each one's ink can be checked in its own box. */
static void draw_grid_page(doc *d, gk_pdf_font *font)
{
    HPDF_Page page = new_page(d);
    size_t cell = 0;
    for (const char *p = GRID_TEXT; *p; cell++) {
        char one[8] = {0};
        size_t n = utf8_len((unsigned char)*p);
        memcpy(one, p, n);
        double x, y;
        cell_origin(cell, &x, &y);
        draw(d, page, font, GLYPH_SIZE, x, y, one);
        p += n;
    }
    end_page(page);
}

/* Runs script to record, embeds the fonts, runs it again to draw. */
static void record_then_draw(doc *d, void (*script)(doc *d))
{
    script(d);
    doc_embed(d);
    script(d);
}

static void finish_both(doc *d)
{
    gk_diag diag;
    gk_diag_clear(&diag);
    if (gk_pdf_font_finish(d->song, &diag) != GK_OK || gk_pdf_font_finish(d->hei, &diag) != GK_OK)
        fail_msg("finish: %s", diag.message);
    assert_int_equal(d->error, HPDF_OK);
}

/* Saves through a memory stream (never HPDF_SaveToFile: reliability.md F1) to path. */
static void save_to(doc *d, const char *path)
{
    assert_int_equal(HPDF_SaveToStream(d->pdf), HPDF_OK);
    HPDF_UINT32 size = HPDF_GetStreamSize(d->pdf);
    unsigned char *bytes = malloc(size);
    assert_non_null(bytes);
    HPDF_UINT32 got = size;
    assert_int_equal(HPDF_ReadFromStream(d->pdf, bytes, &got), HPDF_OK);
    assert_int_equal(got, size);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, size, f), size);
    assert_int_equal(fclose(f), 0);
    free(bytes);
}

/* The test booklet: a text page, then the grid in Song, then the grid in Hei. */
static void booklet_script(doc *d)
{
    draw_text_page(d);
    draw_grid_page(d, d->song);
    draw_grid_page(d, d->hei);
}

static void build_booklet(const char *path)
{
    doc d;
    doc_open(&d);
    record_then_draw(&d, booklet_script);
    finish_both(&d);
    save_to(&d, path);
    doc_close(&d);
}

static char booklet[1024]; /* built once by the group setup */
static char workdir[1024];

static int setup_booklet(void **state)
{
    (void)state;
    tu_tempdir(workdir, sizeof workdir, "pdf_font");
    snprintf(booklet, sizeof booklet, "%s/booklet.pdf", workdir);
    build_booklet(booklet);
    return 0;
}

/* ---- running the tools ----------------------------------------------------------------- */

/* Runs a command with stdout and stderr captured separately; returns the exit status. */
static int run_tool(char **out, char **err, const char *format, ...)
{
    char command[4096], out_path[1200], err_path[1200];
    snprintf(out_path, sizeof out_path, "%s/tool.out", workdir);
    snprintf(err_path, sizeof err_path, "%s/tool.err", workdir);
    va_list args;
    va_start(args, format);
    int used = vsnprintf(command, sizeof command, format, args);
    va_end(args);
    snprintf(command + used, sizeof command - (size_t)used, " >'%s' 2>'%s'", out_path, err_path);
    int status = system(command);
    *out = tu_read(out_path, NULL);
    *err = tu_read(err_path, NULL);
    assert_non_null(*out);
    assert_non_null(*err);
    return status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void assert_no_stderr(const char *tool, const char *err)
{
    if (err[0] != '\0')
        fail_msg("%s printed on stderr: %s", tool, err);
}

static void test_qpdf_check_passes(void **state)
{
    (void)state;
    char *out, *err;
    int status = run_tool(&out, &err, "qpdf --check '%s'", booklet);
    if (status != 0)
        fail_msg("qpdf --check exit %d: %s%s", status, out, err);
    free(out);
    free(err);
}

static void test_pdffonts_embedded_subset(void **state)
{
    (void)state;
    char *out, *err;
    assert_int_equal(run_tool(&out, &err, "pdffonts '%s'", booklet), 0);
    assert_no_stderr("pdffonts", err);
    /* two header lines, then one line per font ending "emb sub uni object-id gen" */
    int fonts = 0;
    char *save = NULL;
    for (char *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, "name", 4) == 0 || strncmp(line, "----", 4) == 0)
            continue;
        fonts++;
        if (strstr(line, "CID TrueType") == NULL || strstr(line, " yes yes yes ") == NULL)
            fail_msg("font not embedded as a subset with ToUnicode: %s", line);
    }
    assert_int_equal(fonts, 2);
    free(out);
    free(err);
}

static void test_pdftotext_exact_and_silent(void **state)
{
    (void)state;
    char *out, *err;
    assert_int_equal(run_tool(&out, &err, "pdftotext -f 1 -l 1 -enc UTF-8 '%s' -", booklet), 0);
    assert_no_stderr("pdftotext", err); /* e.g. "Invalid 'begincidrange' operator" */
    char expected[1024];
    int n = snprintf(expected, sizeof expected, "%s\n", HEI_TITLE);
    for (size_t i = 0; i < sizeof SONG_LINES / sizeof SONG_LINES[0]; i++)
        n += snprintf(expected + n, sizeof expected - (size_t)n, "%s\n", SONG_LINES[i]);
    snprintf(expected + n, sizeof expected - (size_t)n, "\n\f"); /* one block, then the page */
    assert_string_equal(out, expected);
    free(out);
    free(err);
}

/* ---- ink ------------------------------------------------------------------------------- */

typedef struct gray_image {
    int width, height;
    unsigned char *pixels; /* malloc'd buffer that also holds the header */
    const unsigned char *data;
} gray_image;

/* Parses a binary PGM (P5, maxval 255) as pdftoppm -gray writes it. */
static void read_pgm(const char *path, gray_image *image)
{
    size_t len;
    char *bytes = tu_read(path, &len);
    assert_non_null(bytes);
    int maxval = 0, header = 0;
    if (sscanf(bytes, "P5 %d %d %d%n", &image->width, &image->height, &maxval, &header) != 3)
        fail_msg("%s is not a binary PGM", path);
    assert_int_equal(maxval, 255);
    header++; /* the single whitespace byte after maxval */
    assert_true(len >= (size_t)header + (size_t)image->width * (size_t)image->height);
    image->pixels = (unsigned char *)bytes;
    image->data = image->pixels + header;
}

/* Dark pixels inside the em box of grid cell i (points converted at DPI). */
static int ink_in_cell(const gray_image *image, size_t i)
{
    double x, y;
    cell_origin(i, &x, &y);
    double scale = DPI / 72.0;
    int left = (int)(x * scale) + 1, right = (int)((x + GLYPH_SIZE) * scale) - 1;
    int top = (int)((PAGE_H - y - GLYPH_SIZE * 0.9) * scale);
    int bottom = (int)((PAGE_H - y + GLYPH_SIZE * 0.2) * scale);
    int dark = 0;
    for (int row = top; row <= bottom; row++)
        for (int col = left; col <= right; col++)
            if (image->data[(size_t)row * (size_t)image->width + (size_t)col] < 160)
                dark++;
    return dark;
}

/* Renders one grid page and fails listing every character that left no ink. */
static void check_grid_ink(int page, const char *face)
{
    char *out, *err, prefix[1200], pgm[1300];
    snprintf(prefix, sizeof prefix, "%s/ink-%d", workdir, page);
    int status = run_tool(&out, &err, "pdftoppm -gray -r %d -f %d -l %d -singlefile '%s' '%s'",
                          DPI, page, page, booklet, prefix);
    assert_int_equal(status, 0);
    assert_no_stderr("pdftoppm", err);
    snprintf(pgm, sizeof pgm, "%s.pgm", prefix);
    gray_image image;
    read_pgm(pgm, &image);
    char blank[sizeof GRID_TEXT] = ""; /* the blank characters, in grid order */
    size_t blanks = 0, used = 0, cell = 0;
    for (const char *p = GRID_TEXT; *p; cell++) {
        size_t n = utf8_len((unsigned char)*p);
        if (ink_in_cell(&image, cell) < 2) {
            memcpy(blank + used, p, n);
            used += n;
            blank[used] = '\0';
            blanks++;
        }
        p += n;
    }
    if (blanks > 0)
        fail_msg("%zu characters drew blank in %s: %s", blanks, face, blank);
    free(image.pixels);
    free(out);
    free(err);
}

static void test_every_song_character_has_ink(void **state)
{
    (void)state;
    check_grid_ink(2, "song");
}

static void test_every_hei_character_has_ink(void **state)
{
    (void)state;
    check_grid_ink(3, "hei"); /* wqy-microhei: composite glyphs */
}

/* Stronger than ink: ink only catches blank characters, while a composite glyph that kept
 * some components still leaves ink with strokes missing (with the repair off, 140 of the 323
 * Hei characters here lose outlines and only 24 of them draw blank). fontTools reads the
 * embedded subsets back. */
static void test_embedded_outlines_complete(void **state)
{
    (void)state;
    char *out, *err;
    int status = run_tool(&out, &err, "/usr/bin/python3 '%s' '%s'",
                          GK_SOURCE_DIR "/tests/support/check_pdf_glyphs.py", booklet);
    if (status != 0)
        fail_msg("check_pdf_glyphs.py exit %d:\n%s%s", status, out, err);
    assert_no_stderr("check_pdf_glyphs.py", err);
    free(out);
    free(err);
}

/* The same drawing gives the same bytes (no dates, no IDs: reliability.md F9). */
static void test_output_is_deterministic(void **state)
{
    (void)state;
    char again[1100];
    snprintf(again, sizeof again, "%s/again.pdf", workdir);
    build_booklet(again);
    size_t len1, len2;
    char *a = tu_read(booklet, &len1), *b = tu_read(again, &len2);
    assert_int_equal(len1, len2);
    assert_memory_equal(a, b, len1);
    free(a);
    free(b);
}

/* ---- the API on its own ---------------------------------------------------------------- */

static void test_has_glyph(void **state)
{
    (void)state;
    doc d;
    doc_open(&d);
    gk_pdf_font *faces[] = {d.song, d.hei};
    for (int i = 0; i < 2; i++) {
        assert_true(gk_pdf_font_has_glyph(faces[i], 0x9884));  /* 预 */
        assert_true(gk_pdf_font_has_glyph(faces[i], '2'));
        assert_true(gk_pdf_font_has_glyph(faces[i], 0xFF0C)); /* ， */
        assert_true(gk_pdf_font_has_glyph(faces[i], 0x2460)); /* ① */
        assert_false(gk_pdf_font_has_glyph(faces[i], 0xD55C)); /* 한: not prepared */
        assert_false(gk_pdf_font_has_glyph(faces[i], 0x20BB7)); /* 𠮷: beyond the BMP */
        assert_false(gk_pdf_font_has_glyph(faces[i], 0x0E01)); /* Thai */
    }
    doc_close(&d);
}

static void test_advance(void **state)
{
    (void)state;
    doc d;
    doc_open(&d);
    gk_pdf_font *faces[] = {d.song, d.hei};
    for (int i = 0; i < 2; i++) {
        assert_true(gk_pdf_font_advance(faces[i], 0x4E00) == 1000.0); /* 一 */
        assert_true(gk_pdf_font_advance(faces[i], 0xFF0C) == 1000.0); /* ， */
        double digit = gk_pdf_font_advance(faces[i], '2');
        assert_true(digit > 300 && digit < 700);
        /* tabular digits: amounts line up in their columns (fonts/prepare.py) */
        for (uint32_t c = '0'; c <= '9'; c++)
            assert_true(gk_pdf_font_advance(faces[i], c) == digit);
        /* libharu draws non-BMP code points as a space */
        assert_true(gk_pdf_font_advance(faces[i], 0x20BB7) == gk_pdf_font_advance(faces[i], ' '));
    }
    /* equals libharu's own measure of the string in the font it was given */
    const char *text = "一般公共预算294.28";
    double sum = 0;
    for (const char *p = text; *p;) {
        unsigned char b = (unsigned char)*p;
        size_t n = utf8_len(b);
        uint32_t cp = n == 1 ? b : n == 3 ? (uint32_t)(b & 0x0F) << 12 |
                      (uint32_t)(p[1] & 0x3F) << 6 | (uint32_t)(p[2] & 0x3F) : 0;
        sum += gk_pdf_font_advance(d.song, cp);
        p += n;
    }
    gk_pdf_font_record(d.song, text, strlen(text));
    doc_embed(&d);
    HPDF_TextWidth tw = HPDF_Font_TextWidth(gk_pdf_font_handle(d.song),
                                            (const HPDF_BYTE *)text, (HPDF_UINT)strlen(text));
    assert_true(sum == (double)tw.width);
    doc_close(&d);
}

/* The titles synthetic unit 741004 draws with Hei (tests/bench/make_package.py --units 1000
 * --seed 1), in drawing order. When libharu still wrote the embedded font file itself, their
 * glyphs made the file it assembles (in 4096-byte blocks, before its table directory) exactly
 * 67 blocks long, with the empty prep table last: libharu's seek to that table's start, the
 * very end, failed with HPDF_INVALID_OBJECT (0x1033) and finish reported "libharu error 0x1033
 * while writing the embedded font file". */
static const char *const UNIT_741004_HEI[] = {
    "成都市锦江区水资源服务中心", "2025年单位预算", "目录",
    "第一部分 成都市锦江区水资源服务中心概况", "一、基本职能及主要工作",
    "（一）成都市锦江区水资源服务中心职能简介", "（二）成都市锦江区水资源服务中心 2025 年重点工作",
    "二、单位预算单位构成", "第二部分 成都市锦江区水资源服务中心2025年单位预算表", "公开表1",
    "部门收支总表", "公开表1 续表", "部门收支总表", "公开表1-1", "部门收入总表",
    "公开表1-2", "部门支出总表", "公开表2", "财政拨款收支预算总表", "公开表2 续表",
    "财政拨款收支预算总表", "公开表2-1", "财政拨款支出预算表（部门经济分类科目）",
    "公开表2-1 续表", "财政拨款支出预算表（部门经济分类科目）", "公开表3",
    "一般公共预算支出预算表", "公开表3-1", "一般公共预算基本支出预算表", "公开表3-2",
    "一般公共预算项目支出预算表", "公开表3-3", "一般公共预算“三公”经费支出预算表", "公开表4",
    "政府性基金预算支出预算表", "公开表4-1", "政府性基金预算“三公”经费支出预算表", "公开表5",
    "国有资本经营预算支出预算表", "公开表6", "部门预算项目绩效目标表（2025年度）",
    "公开表6 续表", "部门预算项目绩效目标表（2025年度）", "公开表6 续表",
    "部门预算项目绩效目标表（2025年度）", "公开表6 续表", "部门预算项目绩效目标表（2025年度）",
    "公开表7", "部门整体支出绩效目标表（2025年度）", "公开表7 续表",
    "部门整体支出绩效目标表（2025年度）", "公开表8", "政府采购预算表",
    "第三部分 成都市锦江区水资源服务中心2025年单位预算情", "况说明", "一、收支预算情况说明",
    "（一）收入预算情况", "（二）支出预算情况", "二、财政拨款收支预算情况说明",
    "三、一般公共预算当年拨款情况说明", "（一）一般公共预算当年拨款规模变化情况",
    "（二）一般公共预算当年拨款结构情况", "（三）一般公共预算当年拨款具体使用情况",
    "四、一般公共预算基本支出情况说明", "五、“三公”经费财政拨款预算安排情况说明",
    "（一）因公出国（境）费与 2024 年预算持平", "（二）公务接待费与 2024 年预算增加0.03万元",
    "（三）公务用车购置及运行维护费与 2024 年预算持平", "六、政府性基金预算支出情况说明",
    "七、国有资本经营预算情况说明", "八、其他重要事项的情况说明", "（一）机关运行经费情况",
    "（二）政府采购情况", "（三）国有资产占有使用情况", "（四）预算绩效情况", "第四部分 名词解释"
};

static void unit_741004_script(doc *d)
{
    enum { LINES_PER_PAGE = 30 };
    size_t count = sizeof UNIT_741004_HEI / sizeof UNIT_741004_HEI[0];
    HPDF_Page page = NULL;
    for (size_t i = 0; i < count; i++) {
        if (i % LINES_PER_PAGE == 0) {
            end_page(page);
            page = new_page(d);
        }
        double y = PAGE_H - 60 - 25 * (double)(i % LINES_PER_PAGE);
        draw(d, page, d->hei, 16, MARGIN, y, UNIT_741004_HEI[i]);
    }
    end_page(page);
}

static void test_font_file_ending_on_a_block_boundary(void **state)
{
    (void)state;
    doc d;
    doc_open(&d);
    record_then_draw(&d, unit_741004_script);
    finish_both(&d);
    char path[1100];
    snprintf(path, sizeof path, "%s/boundary.pdf", workdir);
    save_to(&d, path);
    doc_close(&d);
    /* the font file is whole, and every drawn character keeps its outline */
    char *out, *err;
    int status = run_tool(&out, &err, "qpdf --check '%s'", path);
    if (status != 0)
        fail_msg("qpdf --check exit %d: %s%s", status, out, err);
    free(out);
    free(err);
    status = run_tool(&out, &err, "/usr/bin/python3 '%s' '%s'",
                      GK_SOURCE_DIR "/tests/support/check_pdf_glyphs.py", path);
    if (status != 0)
        fail_msg("check_pdf_glyphs.py exit %d:\n%s%s", status, out, err);
    assert_no_stderr("check_pdf_glyphs.py", err);
    free(out);
    free(err);
}

/* A character drawn that was not recorded before embedding is not in the subset and would
 * print as .notdef: finish refuses, naming it when the string went through record. */
static void test_unrecorded_text_is_an_error(void **state)
{
    (void)state;
    doc d;
    doc_open(&d);
    gk_pdf_font_record(d.song, "预算", strlen("预算"));
    doc_embed(&d);
    HPDF_Page page = new_page(&d);
    draw(&d, page, d.song, 12, 50, 700, "预算");
    draw(&d, page, d.song, 12, 50, 650, "教"); /* recorded only after embedding */
    end_page(page);
    gk_diag diag;
    gk_diag_clear(&diag);
    assert_int_equal(gk_pdf_font_finish(d.song, &diag), GK_ERR_STATE);
    assert_non_null(strstr(diag.message, "U+6559"));
    assert_int_equal(gk_pdf_font_finish(d.hei, &diag), GK_OK);
    /* finish writes the embedded font file: it happens once */
    assert_int_equal(gk_pdf_font_finish(d.hei, &diag), GK_ERR_STATE);
    doc_close(&d);
}

static void test_text_drawn_without_record_is_an_error(void **state)
{
    (void)state;
    doc d;
    doc_open(&d);
    gk_pdf_font_record(d.song, "预算", strlen("预算"));
    doc_embed(&d);
    HPDF_Page page = new_page(&d);
    draw(&d, page, d.song, 12, 50, 700, "预算");
    HPDF_Page_TextOut(page, 50, 650, "教"); /* bypasses gk_pdf_font_record */
    end_page(page);
    gk_diag diag;
    gk_diag_clear(&diag);
    assert_int_equal(gk_pdf_font_finish(d.song, &diag), GK_ERR_STATE);
    assert_non_null(strstr(diag.message, "without gk_pdf_font_record"));
    doc_close(&d);
}

static void test_call_order_errors(void **state)
{
    (void)state;
    doc d;
    doc_open(&d);
    gk_diag diag;
    gk_diag_clear(&diag);
    assert_null(gk_pdf_font_handle(d.song));
    assert_int_equal(gk_pdf_font_finish(d.song, &diag), GK_ERR_STATE); /* before embed */
    doc_embed(&d);
    assert_non_null(gk_pdf_font_handle(d.song));
    assert_int_equal(gk_pdf_font_embed(d.pdf, d.song, &diag), GK_ERR_STATE); /* twice */
    /* the same face twice in one document: libharu would take both for one font */
    gk_pdf_font *again;
    assert_int_equal(gk_pdf_font_open(SONG_PATH, -1, &again, &diag), GK_OK);
    assert_true(gk_pdf_font_same_face(again, d.song));
    assert_false(gk_pdf_font_same_face(again, d.hei));
    assert_int_equal(gk_pdf_font_embed(d.pdf, again, &diag), GK_ERR_STATE);
    assert_non_null(strstr(diag.message, "already loaded"));
    gk_pdf_font_free(again);
    assert_int_equal(d.error, HPDF_OK); /* nothing reached libharu's sticky error */
    doc_close(&d);
}

static void test_open_errors(void **state)
{
    (void)state;
    gk_pdf_font *font = (gk_pdf_font *)&font;
    gk_diag diag;
    gk_diag_clear(&diag);
    /* a missing file */
    assert_int_equal(gk_pdf_font_open(FONT_DIR "/none.ttf", -1, &font, &diag), GK_ERR_IO);
    assert_null(font);
    assert_string_equal(diag.file, FONT_DIR "/none.ttf");
    /* a collection index on a single font */
    assert_int_equal(gk_pdf_font_open(HEI_PATH, 1, &font, &diag), GK_ERR_USAGE);
    /* a CFF-based OpenType font */
    char otf[1100];
    snprintf(otf, sizeof otf, "%s/cff.otf", workdir);
    tu_write(workdir, "cff.otf", "OTTO: only the magic is read");
    assert_int_equal(gk_pdf_font_open(otf, -1, &font, &diag), GK_ERR_BACKEND);
    assert_non_null(strstr(diag.message, "CFF"));
    /* a file that is no font at all, and a font cut short */
    tu_write(workdir, "text.ttf", "plain text where a font should be");
    snprintf(otf, sizeof otf, "%s/text.ttf", workdir);
    assert_int_equal(gk_pdf_font_open(otf, -1, &font, &diag), GK_ERR_BACKEND);
    assert_non_null(strstr(diag.message, "not a TrueType font libharu can embed"));
    assert_null(font);
}

/* The face reader and subsetter take fonts from users (--font): damaged bytes anywhere before
 * the outlines (the directory, metrics, cmap, glyph locations) and in the name table must give
 * an error or a usable subset, never a read out of bounds (run under ASan in CI). Each round
 * damages a few bytes of a copy of the Hei face in place, and puts them back after. */
static void test_damaged_fonts_are_refused_or_cut(void **state)
{
    (void)state;
    enum { ROUNDS = 400, GLYF_START = 248084, NAME_START = 2730000, NAME_LENGTH = 1576 };
    size_t size;
    unsigned char *pristine = (unsigned char *)tu_read(HEI_PATH, &size);
    assert_non_null(pristine);
    assert_true(size > NAME_START + NAME_LENGTH);
    char copy[1100];
    snprintf(copy, sizeof copy, "%s/damaged.ttf", workdir);
    int fd = open(copy, O_RDWR | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(pwrite(fd, pristine, size, 0), (ssize_t)size);
    uint16_t codes[64];
    size_t count = 0;
    for (const char *p = GRID_TEXT; *p && count < 64; p += utf8_len((unsigned char)*p))
        if (utf8_len((unsigned char)*p) == 3)
            codes[count++] = (uint16_t)((p[0] & 0x0F) << 12 | (p[1] & 0x3F) << 6 | (p[2] & 0x3F));
    for (size_t i = 1; i < count; i++) /* insertion sort: ascending and distinct */
        for (size_t k = i; k > 0 && codes[k - 1] >= codes[k]; k--) {
            uint16_t t = codes[k];
            codes[k] = codes[k - 1];
            codes[k - 1] = t;
        }
    size_t distinct = 0;
    for (size_t i = 0; i < count; i++)
        if (distinct == 0 || codes[distinct - 1] != codes[i])
            codes[distinct++] = codes[i];
    uint32_t seed = 13;
    size_t opened = 0;
    for (int round = 0; round < ROUNDS; round++) {
        size_t at[4];
        unsigned char value[4];
        for (int k = 0; k < 4; k++) {
            seed = seed * 1103515245u + 12345u;
            at[k] = round % 5 == 4 ? NAME_START + (seed >> 8) % NAME_LENGTH
                                   : (seed >> 8) % (round % 3 ? 1024 : GLYF_START);
            value[k] = (unsigned char)(seed >> 24);
            assert_int_equal(pwrite(fd, &value[k], 1, (off_t)at[k]), 1);
        }
        const char *why = NULL;
        gk_ttf *face = gk_ttf_open(fd, size, 0, &why);
        if (face != NULL) {
            opened++;
            gk_ttf_subset subset;
            if (gk_ttf_subset_make(face, codes, distinct, &subset, &why)) {
                assert_true(subset.program_size > 0 && subset.loadable_size > 0);
                gk_ttf_subset_free(&subset);
            }
            gk_ttf_free(face);
        } else {
            assert_non_null(why); /* damage, not memory */
        }
        for (int k = 3; k >= 0; k--)
            assert_int_equal(pwrite(fd, pristine + at[k], 1, (off_t)at[k]), 1);
    }
    assert_true(opened > 0 && opened < ROUNDS); /* both outcomes were exercised */
    close(fd);
    free(pristine);
}

static void test_default_path(void **state)
{
    (void)state;
    unsetenv("GONGKAI_FONTS");
    assert_string_equal(gk_pdf_font_default_path(GK_PDF_FACE_SONG), SONG_PATH);
    assert_string_equal(gk_pdf_font_default_path(GK_PDF_FACE_HEI), HEI_PATH);
    setenv("GONGKAI_FONTS", "/opt/gongkai/fonts", 1);
    assert_string_equal(gk_pdf_font_default_path(GK_PDF_FACE_HEI), "/opt/gongkai/fonts/hei.ttf");
    unsetenv("GONGKAI_FONTS");
    assert_null(gk_pdf_font_default_path(2));
    assert_null(gk_pdf_font_default_path(-1));
}

/* The prepared fonts are exactly the pinned ones (fonts/fonts.sha256): a changed
 * python3-fonttools or font package shows up here, not as shifted layouts. */
static void test_prepared_fonts_match_pins(void **state)
{
    (void)state;
    char *out, *err;
    int status = run_tool(&out, &err, "cd '%s' && sha256sum --check --strict '%s'", FONT_DIR,
                          GK_SOURCE_DIR "/fonts/fonts.sha256");
    if (status != 0)
        fail_msg("prepared fonts differ from fonts/fonts.sha256:\n%s%s", out, err);
    free(out);
    free(err);
}

/* libharu's own calls to HPDF_MemCpy and HPDF_MemSet (through its PLT) reach the program's
 * definitions (pdf_harufix.c), which give its results: the end of the bytes written, and an
 * overlapping copy in its forward order. */
static void test_libharu_copies_through_the_program(void **state)
{
    (void)state;
    const char *names[] = {"HPDF_MemCpy", "HPDF_MemSet"};
    for (size_t i = 0; i < 2; i++) {
        void *found = dlsym(RTLD_DEFAULT, names[i]);
        Dl_info info;
        assert_non_null(found);
        assert_true(dladdr(found, &info) != 0);
        if (strstr(info.dli_fname, "libhpdf") != NULL)
            fail_msg("%s resolves to libharu's own (%s): its byte loops are used", names[i],
                     info.dli_fname);
    }
    HPDF_BYTE bytes[8] = "abcdefg";
    assert_ptr_equal(HPDF_MemCpy(bytes, (const HPDF_BYTE *)"XY", 2), bytes + 2);
    assert_string_equal((char *)bytes, "XYcdefg");
    assert_ptr_equal(HPDF_MemCpy(bytes + 1, bytes, 4), bytes + 5); /* forward: X repeats */
    assert_string_equal((char *)bytes, "XXXXXfg");
    assert_ptr_equal(HPDF_MemSet(bytes, 'z', 3), bytes + 3);
    assert_string_equal((char *)bytes, "zzzXXfg");
}

int main(void)
{
    const struct CMUnitTest booklet_tests[] = {
        cmocka_unit_test(test_qpdf_check_passes),
        cmocka_unit_test(test_pdffonts_embedded_subset),
        cmocka_unit_test(test_pdftotext_exact_and_silent),
        cmocka_unit_test(test_every_song_character_has_ink),
        cmocka_unit_test(test_every_hei_character_has_ink),
        cmocka_unit_test(test_embedded_outlines_complete),
        cmocka_unit_test(test_output_is_deterministic),
        cmocka_unit_test(test_has_glyph),
        cmocka_unit_test(test_advance),
        cmocka_unit_test(test_font_file_ending_on_a_block_boundary),
        cmocka_unit_test(test_unrecorded_text_is_an_error),
        cmocka_unit_test(test_text_drawn_without_record_is_an_error),
        cmocka_unit_test(test_call_order_errors),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_damaged_fonts_are_refused_or_cut),
        cmocka_unit_test(test_default_path),
        cmocka_unit_test(test_prepared_fonts_match_pins),
        cmocka_unit_test(test_libharu_copies_through_the_program),
    };
    return cmocka_run_group_tests(booklet_tests, setup_booklet, NULL);
}
