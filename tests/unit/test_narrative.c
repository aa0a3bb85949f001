/* Narrative Markdown → blocks: headings, ordered lists, bold (also where CommonMark's flanking
 * rules fail beside full-width punctuation), GFM tables, source lines; every kind of Markdown
 * node printed or refused with its position; the figures a reader reads, with the positions
 * of the Markdown as written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm-extension_api.h>
#include <cmark-gfm.h>

#include "model/figures.h"
#include "model/narrative.h"
#include "model/package.h"
#include "../support/testutil.h"

static void test_sample_overview(void **state)
{
    (void)state;
    char *md = tu_read(GK_SOURCE_DIR "/samples/leshan-hrss-info-2025/narrative/302309/overview.md", NULL);
    assert_non_null(md);
    gk_arena arena = {0};
    gk_narrative n;
    gk_diag diag = {0};
    assert_int_equal(gk_narrative_parse("overview.md", md, &arena, &n, &diag), GK_OK);
    assert_true(n.count > 10);
    assert_int_equal(n.blocks[0].kind, GK_BLOCK_HEADING);
    assert_int_equal(n.blocks[0].level, 2);
    assert_string_equal(gk_block_text(&n.blocks[0], &arena), "一、基本职能及主要工作");
    assert_int_equal(n.blocks[0].line, 1);
    /* the first list: ten numbered duties */
    const gk_block *item = &n.blocks[2];
    assert_int_equal(item->kind, GK_BLOCK_ITEM);
    assert_string_equal(item->marker, "1.");
    assert_int_equal(item->level, 1);
    const gk_block *table = &n.blocks[n.count - 1];
    assert_int_equal(table->kind, GK_BLOCK_TABLE);
    assert_int_equal(table->cols, 2);
    assert_int_equal(table->rows, 2);
    assert_string_equal(table->cells[0], "序号");
    assert_string_equal(table->cells[3], "乐山市人力资源和社会保障信息中心");
    gk_arena_free(&arena);
    free(md);
}

static void test_bold_spans(void **state)
{
    (void)state;
    gk_arena arena = {0};
    gk_narrative n;
    gk_diag diag = {0};
    const char *md = "1. **信息安全**。持续加强\n2. 重点是**“三公”经费**压减\n\n收入**294.28**万元\n";
    assert_int_equal(gk_narrative_parse("x.md", md, &arena, &n, &diag), GK_OK);
    assert_int_equal(n.count, 3);
    assert_int_equal(n.blocks[0].span_count, 2);
    assert_string_equal(n.blocks[0].spans[0].text, "信息安全");
    assert_true(n.blocks[0].spans[0].strong);
    assert_false(n.blocks[0].spans[1].strong);
    /* CommonMark leaves these ** literal; they still mean bold */
    assert_int_equal(n.blocks[1].span_count, 3);
    assert_string_equal(n.blocks[1].spans[1].text, "“三公”经费");
    assert_true(n.blocks[1].spans[1].strong);
    assert_string_equal(gk_block_text(&n.blocks[1], &arena), "重点是“三公”经费压减");
    assert_int_equal(n.blocks[2].kind, GK_BLOCK_PARAGRAPH);
    assert_int_equal(n.blocks[2].line, 4);
    /* the figure set apart from the text (test_figures_set_apart) */
    assert_string_equal(gk_block_text(&n.blocks[2], &arena), "收入 294.28 万元");
    gk_arena_free(&arena);
}

static void test_soft_breaks(void **state)
{
    (void)state;
    gk_arena arena = {0};
    gk_narrative n;
    gk_diag diag = {0};
    assert_int_equal(gk_narrative_parse("x.md", "支出包括：社会保障\n和就业支出\n\nbudget\ntotal\n",
                                        &arena, &n, &diag), GK_OK);
    assert_string_equal(gk_block_text(&n.blocks[0], &arena), "支出包括：社会保障和就业支出");
    assert_string_equal(gk_block_text(&n.blocks[1], &arena), "budget total");
    gk_arena_free(&arena);
}

/* The whole printed text of a narrative, blocks joined by '|' (table cells too). */
static char *printed(const gk_narrative *n, gk_arena *arena)
{
    size_t len = 1;
    for (size_t b = 0; b < n->count; b++)
        for (size_t s = 0; s < n->blocks[b].span_count; s++)
            len += strlen(n->blocks[b].spans[s].text) + 1;
    char *text = gk_arena_alloc(arena, len);
    for (size_t b = 0; b < n->count; b++) {
        if (b > 0)
            strcat(text, "|");
        strcat(text, gk_block_text(&n->blocks[b], arena));
    }
    return text;
}

/* Parses md and asserts that it prints `expected` (blocks joined by '|'). */
static void expect_printed(const char *md, const char *expected)
{
    gk_arena arena = {0};
    gk_narrative n;
    gk_diag diag = {0};
    if (gk_narrative_parse("x.md", md, &arena, &n, &diag) != GK_OK)
        fail_msg("'%s' was refused: %d:%d: %s", md, diag.line, diag.column, diag.message);
    const char *text = printed(&n, &arena);
    if (strcmp(text, expected) != 0)
        fail_msg("'%s' prints '%s', expected '%s'", md, text, expected);
    gk_arena_free(&arena);
}

/* Parses md and asserts that it is refused at line:column with a message holding `words`. */
static void expect_refused(const char *md, int line, int column, const char *words)
{
    gk_arena arena = {0};
    gk_narrative n;
    gk_diag diag = {0};
    if (gk_narrative_parse("x.md", md, &arena, &n, &diag) != GK_ERR_PARSE)
        fail_msg("'%s' was not refused", md);
    if (diag.line != line || diag.column != column || strstr(diag.message, words) == NULL)
        fail_msg("'%s': %d:%d: %s, expected %d:%d: …%s…", md, diag.line, diag.column,
                 diag.message, line, column, words);
    gk_arena_free(&arena);
}

/* Records the treatment of every node of a parse, by type. */
static void record_types(const char *md, const char *extension, int *treatments)
{
    cmark_parser *parser = cmark_parser_new(CMARK_OPT_DEFAULT);
    cmark_parser_attach_syntax_extension(parser, cmark_find_syntax_extension(extension));
    cmark_parser_feed(parser, md, strlen(md));
    cmark_node *document = cmark_parser_finish(parser);
    cmark_iter *iter = cmark_iter_new(document);
    while (cmark_iter_next(iter) != CMARK_EVENT_DONE) {
        cmark_node *node = cmark_iter_get_node(iter);
        treatments[cmark_node_get_type(node)] = 1 + (int)gk_narrative_treatment(node);
    }
    cmark_iter_free(iter);
    cmark_node_free(document);
    cmark_parser_free(parser);
}

/* Every node type cmark-gfm has — its own and those its extensions registered — has a decision
 * (printed or refused), so no construct can fall through and vanish. */
static void test_every_node_type_decided(void **state)
{
    (void)state;
    cmark_gfm_core_extensions_ensure_registered();
    static int treatments[0x10000]; /* 1 + gk_md_treatment, by type; 0: not seen */
    /* the core types can be made directly; an extension's only in a parse with it */
    for (int t = CMARK_NODE_DOCUMENT; t <= CMARK_NODE_FOOTNOTE_REFERENCE; t++) {
        cmark_node *node = cmark_node_new((cmark_node_type)t);
        if (node != NULL)
            treatments[t] = 1 + (int)gk_narrative_treatment(node);
        cmark_node_free(node);
    }
    record_types("| a |\n|---|\n| b |\n", "table", treatments);
    record_types("~~a~~\n", "strikethrough", treatments);
    /* the next free types (taking them is harmless here) bound those that exist */
    int next_block = (int)cmark_syntax_extension_add_node(0);
    int next_inline = (int)cmark_syntax_extension_add_node(1);
    assert_true(next_block > CMARK_NODE_FOOTNOTE_DEFINITION + 1); /* the table's */
    assert_true(next_inline > CMARK_NODE_FOOTNOTE_REFERENCE + 1); /* strikethrough */
    for (int t = CMARK_NODE_DOCUMENT; t < next_inline; t++) {
        if (t >= next_block && t < CMARK_NODE_TEXT)
            t = CMARK_NODE_TEXT;
        if (treatments[t] == 0)
            fail_msg("node type %#x: no Markdown here produces it; decide on it", t);
        if (treatments[t] == 1 + GK_MD_UNDECIDED)
            fail_msg("node type %#x is neither printed nor refused", t);
    }
}

/* What each construct a writer can type does: printed (this test) or refused (the next). */
static void test_every_construct_prints(void **state)
{
    (void)state;
    expect_printed("# 标题\n\n设置\n标题\n===\n", "标题|设置标题");
    expect_printed("段落\n\n    缩进四格的段落\n    第二行\n", "段落|缩进四格的段落第二行");
    expect_printed("    缩进一\n\n    缩进二\n", "缩进一|缩进二");
    expect_printed("```\n围栏里的\n两行\n\n空行后\n```\n", "围栏里的\n两行\n\n空行后");
    expect_printed("~~~text\n波浪线围栏\n~~~\n", "波浪线围栏");
    expect_printed("> 引用\n> > 两层\n", "引用|两层");
    expect_printed("- 一\n- 二\n\n1. 甲\n   1. 乙\n", "一|二|甲|乙");
    expect_printed("- 项目\n\n  ## 项目里的标题\n\n      项目里的缩进\n",
                   "项目|项目里的标题|项目里的缩进");
    expect_printed("*强调*、_强调_、**加粗**、`代码`\n", "强调、强调、加粗、代码");
    expect_printed("与_强调_\n", "与_强调_"); /* CommonMark: not emphasis, so printed */
    expect_printed("硬换行  \n下一行\\\n再下一行\n", "硬换行\n下一行\n再下一行");
    expect_printed("见[政策文件](http://x.cn/a)与<http://y.cn>、<a@b.cn>\n",
                   "见政策文件（http://x.cn/a）与http://y.cn、a@b.cn");
    expect_printed("实体&amp;&#19975;&#x5143;&copy;与转义\\*\\[\n", "实体&万元©与转义*[");
    /* link reference definitions would vanish: they print as typed, in code too */
    expect_printed("[1]: 财政部文件\n\n- [2]: /x\n", "[1]: 财政部文件|[2]: /x");
    expect_printed("    [3]: 缩进\n\n```\n[4]: 围栏\n```\n", "[3]: 缩进|[4]: 围栏");
    expect_printed("见[注][1]\n\n[1]: 说明\n", "见[注][1]|[1]: 说明");
    expect_printed("| 项目 | 金额 |\n|---|---|\n| a | **5** |\n", "项目金额a5");
    expect_printed("-\n", ""); /* an empty list item prints its marker */
}

static void test_refused_constructs(void **state)
{
    (void)state;
    expect_refused("文字\n\n<p>段落</p>\n", 3, 1, "found HTML '<p>段落</p>'");
    expect_refused("文字<!-- 注释 -->文字\n", 1, 3, "found HTML '<!-- 注释 -->'");
    expect_refused("> 引用\n>   文字<b>粗</b>\n", 2, 7, "found HTML '<b>'");
    expect_refused("文字\n\n---\n", 3, 1, "horizontal rule '---'");
    expect_refused("看图![图](a.png)\n", 1, 3, "an image '![图](a.png)'");
    expect_refused("| a |\n|---|\n| ![x](y) |\n", 3, 3, "an image");
    /* cmark-gfm drops a row's cells beyond the header's */
    expect_refused("| a | b |\n|---|---|\n| 1 | 2 | 3 |\n", 3, 11, "header row has, found '3 |'");
}

/* Lists and quotes nest at most GK_NARRATIVE_MAX_DEPTH deep; deeper is refused where it
 * starts, before the walk goes down (it recursed once per level and overflowed the stack). */
static void test_nesting_is_bounded(void **state)
{
    (void)state;
    char md[64 * 1024];
    md[0] = '\0';
    for (int i = 0; i < GK_NARRATIVE_MAX_DEPTH; i++)
        strcat(md, "> ");
    strcat(md, "文字\n");
    expect_printed(md, "文字");
    md[0] = '\0';
    for (int i = 0; i < 20000; i++)
        strcat(md, "> ");
    strcat(md, "文字\n");
    expect_refused(md, 1, 2 * GK_NARRATIVE_MAX_DEPTH + 1, "nested at most 16 deep");
    md[0] = '\0';
    for (int i = 0; i < 10000; i++)
        strcat(md, "- ");
    strcat(md, "文字\n");
    expect_refused(md, 1, 2 * GK_NARRATIVE_MAX_DEPTH + 1, "nested at most 16 deep");
    /* inline nesting is walked without recursion: 30,000 nested emphases print */
    md[0] = '\0';
    for (int i = 0; i < 30000; i++)
        strcat(md, "*");
    strcat(md, "深");
    for (int i = 0; i < 30000; i++)
        strcat(md, "*");
    expect_printed(md, "深");
}

/* Each span knows where it was read: positions of the Markdown as written, through entities,
 * escapes, container prefixes and placeholders. */
static void test_span_positions(void **state)
{
    (void)state;
    gk_arena arena = {0};
    gk_narrative n;
    gk_diag diag = {0};
    const char *md = "> 引用\n>   续行&#19975;元 x\\*y\n  惰性行\n";
    assert_int_equal(gk_narrative_parse("x.md", md, &arena, &n, &diag), GK_OK);
    assert_int_equal(n.count, 1);
    gk_locator loc;
    gk_locator_init(&loc, &n);
    int line, column;
    struct {
        const char *text;
        int line, column;
        bool verbatim;
    } want[] = {{"引用", 1, 3, true},  {"续行", 2, 5, true}, {"万", 2, 7, false},
                {"元 x", 2, 15, true}, {"*", 2, 18, false}, {"y", 2, 20, true},
                {"惰性行", 3, 3, true}};
    size_t k = 0;
    for (size_t i = 0; i < n.blocks[0].span_count; i++) {
        const gk_span *s = &n.blocks[0].spans[i];
        if (strcmp(s->text, "\n") == 0 || strcmp(s->text, " ") == 0)
            continue; /* line breaks are added text */
        assert_true(k < sizeof want / sizeof *want);
        assert_string_equal(s->text, want[k].text);
        assert_int_equal(s->verbatim, want[k].verbatim);
        assert_false(gk_locate(&loc, s->source, &line, &column));
        if (line != want[k].line || column != want[k].column)
            fail_msg("'%s' at %d:%d, expected %d:%d", s->text, line, column, want[k].line,
                     want[k].column);
        k++;
    }
    assert_int_equal(k, sizeof want / sizeof *want);

    /* a placeholder's figure: the parsed text differs from the source, positions do not */
    const char *source = "收入{{amount x}}万元，另有12万元";
    const char *text = "收入294.28万元，另有12万元";
    gk_fill fill = {6, 6, 6, 12};
    assert_int_equal(gk_narrative_parse_filled("x.md", source, text, &fill, 1, &arena, &n, &diag),
                     GK_OK);
    gk_locator_init(&loc, &n);
    assert_true(gk_locate(&loc, 8, &line, &column)); /* inside the figure: the placeholder */
    assert_int_equal(column, 3);
    assert_false(gk_locate(&loc, strstr(text, "12") - text, &line, &column));
    assert_int_equal(column, 20);
    gk_arena_free(&arena);
}

/* The figures a reader reads: emphasis, entities, full-width digits, any space before the
 * unit, any number of decimals; placeholders' figures are left out, the hand-typed ones next
 * to them are not. */
typedef struct seen {
    char text[12][64];
    int line[12], column[12];
    bool grouping_ok[12];
    size_t count, computed;
} seen;

static void note_one(seen *s, const gk_literal *lit)
{
    if (s->count < 12) {
        snprintf(s->text[s->count], sizeof s->text[0], "%s=%lld/%d%s", lit->text,
                 (long long)lit->value, lit->decimals, lit->exact ? "" : "?");
        s->line[s->count] = lit->line;
        s->column[s->count] = lit->column;
        s->grouping_ok[s->count] = lit->grouping_ok;
    }
    s->count++;
}

/* The figures typed by hand, in order (placeholders' are counted apart). */
static void note(const gk_literal *lits, size_t count, void *context)
{
    seen *s = context;
    for (size_t i = 0; i < count; i++) {
        if (lits[i].placeholder == NULL)
            note_one(s, &lits[i]);
        else
            s->computed++;
    }
}

static void scan(const char *source, const char *text, const gk_fill *fills, size_t fill_count,
                 seen *s)
{
    gk_arena arena = {0};
    gk_narrative n;
    gk_diag diag = {0};
    assert_int_equal(gk_narrative_parse_filled("x.md", source, text, fills, fill_count, &arena,
                                               &n, &diag), GK_OK);
    memset(s, 0, sizeof *s);
    assert_true(gk_figures_scan(&n, note, s));
    gk_arena_free(&arena);
}

static void test_figures_as_read(void **state)
{
    (void)state;
    seen s;
    const char *md = "收入**999.99**万元、９９９.９９万元、999.999万元\n"
                     "占 99.999%、1\u00a0％、2\u3000万元、3&#19975;元、-4万\n元\n"
                     "| 7,123.4万元 | 9,99.99万元 |\n|---|---|\n";
    scan(md, md, NULL, 0, &s);
    assert_int_equal(s.count, 10);
    assert_string_equal(s.text[0], "999.99万元=99999/2");
    assert_int_equal(s.column[0], 5);
    assert_string_equal(s.text[1], "９９９.９９万元=99999/2");
    assert_int_equal(s.column[1], 16);
    assert_string_equal(s.text[2], "999.999万元=999999/3");
    assert_string_equal(s.text[3], "99.999%=99999/3");
    assert_int_equal(s.line[3], 2);
    assert_int_equal(s.column[3], 3);
    assert_string_equal(s.text[4], "1％=1/0");
    assert_string_equal(s.text[5], "2万元=2/0");
    assert_string_equal(s.text[6], "3万元=3/0");
    assert_string_equal(s.text[7], "-4万元=-4/0");
    assert_int_equal(s.column[7], 31);
    assert_string_equal(s.text[8], "7,123.4万元=71234/1"); /* a table cell */
    assert_int_equal(s.line[8], 4);
    assert_int_equal(s.column[8], 3);
    assert_false(s.grouping_ok[9]);
}

static void test_figures_beside_placeholders(void **state)
{
    (void)state;
    seen s;
    /* 收入{{amount x}}万元，另有12万元，共{{share a of b}}、1{{amount y}}万元 */
    const char *source = "收入{{amount x}}万元，另有12万元，共{{share a of b}}、1{{amount y}}万元";
    const char *text = "收入294.28万元，另有12万元，共56.57%、129.81万元";
    gk_fill fills[] = {{6, 6, 6, 12}, {41, 6, 47, 16}, {51, 5, 67, 12}};
    scan(source, text, fills, 3, &s);
    assert_int_equal(s.count, 2);
    assert_string_equal(s.text[0], "12万元=12/0");
    assert_int_equal(s.column[0], 20);
    assert_string_equal(s.text[1], "129.81万元=12981/2"); /* one digit typed by hand */
}

/* No limit on figures per part (there was one of 1,024), and the scan stays linear. */
static void test_many_figures(void **state)
{
    (void)state;
    enum { N = 20000 };
    char *md = malloc(N * 16 + 16);
    md[0] = '\0';
    char *p = md;
    for (int i = 0; i < N; i++)
        p += sprintf(p, "%d万元、", i % 10);
    seen s;
    scan(md, md, NULL, 0, &s);
    assert_int_equal(s.count, N);
    free(md);
}

static void test_grouping(void **state)
{
    (void)state;
    seen s;
    const char *md = "1,234.5万元、12,34万元、1234,567%、1,2,3万元\n";
    scan(md, md, NULL, 0, &s);
    assert_int_equal(s.count, 4);
    assert_true(s.grouping_ok[0]);
    assert_string_equal(s.text[0], "1,234.5万元=12345/1");
    assert_false(s.grouping_ok[1]);
    assert_false(s.grouping_ok[2]);
    assert_false(s.grouping_ok[3]);
}


/* A figure and a Han character next to it are set apart by one space, as the reference booklet
 * prints them; where a space was typed, none is added; punctuation, letters and full-width
 * digits are left alone; the figures are read as before, at their own positions. */
static void test_figures_set_apart(void **state)
{
    (void)state;
    gk_arena arena = {0};
    gk_narrative n;
    gk_diag diag = {0};
    const char *md = "收入294.28万元，2025年，占56.57%；**53**万元（含商务车）0辆、含3个\n"
                     "已有 12 万元、5G网络、５万元、COVID-19疫情、56%的\n\n"
                     "| 序号 | 人数 |\n|---|---|\n| 1 | 共3人 |\n";
    assert_int_equal(gk_narrative_parse("x.md", md, &arena, &n, &diag), GK_OK);
    assert_int_equal(n.count, 2);
    assert_string_equal(gk_block_text(&n.blocks[0], &arena),
                        "收入 294.28 万元，2025 年，占 56.57%；53 万元（含商务车）0 辆、含 3 个"
                        "已有 12 万元、5G网络、５万元、COVID-19 疫情、56% 的");
    assert_string_equal(n.blocks[1].cells[0], "序号");
    assert_string_equal(n.blocks[1].cells[2], "1");
    assert_string_equal(n.blocks[1].cells[3], "共 3 人");
    /* the bold figure keeps its span, the space is added text of its own */
    const gk_block *b = &n.blocks[0];
    size_t bold = 0;
    for (size_t i = 0; i < b->span_count; i++)
        if (b->spans[i].strong) {
            assert_string_equal(b->spans[i].text, "53");
            bold++;
        } else if (strcmp(b->spans[i].text, " ") == 0) {
            assert_false(b->spans[i].verbatim);
        }
    assert_int_equal(bold, 1);
    gk_arena_free(&arena);

    seen s;
    scan(md, md, NULL, 0, &s);
    assert_int_equal(s.count, 6);
    assert_string_equal(s.text[0], "294.28万元=29428/2");
    assert_int_equal(s.column[0], 3);
    assert_string_equal(s.text[1], "56.57%=5657/2");
    assert_int_equal(s.column[1], 19);
    assert_string_equal(s.text[2], "53万元=53/0");
    assert_int_equal(s.column[2], 28);
    assert_string_equal(s.text[5], "56%=56/0");
    assert_int_equal(s.line[5], 2);
}

/* Figures with what the check ties them with: "text=value/decimals p<power> [label] s<sentence>"
 * (p% for a percentage), a placeholder's own text after '@'. */
typedef struct tied {
    char item[16][160];
    size_t count, runs;
} tied;

static void note_tied(const gk_literal *lits, size_t count, void *context)
{
    tied *t = context;
    t->runs++;
    for (size_t i = 0; i < count; i++, t->count++) {
        const gk_literal *lit = &lits[i];
        if (t->count >= 16)
            continue;
        char power[8];
        snprintf(power, sizeof power, "%d", lit->power);
        snprintf(t->item[t->count], sizeof t->item[0], "%s=%lld/%d p%s [%s] s%zu%s%s", lit->text,
                 (long long)lit->value, lit->decimals, lit->percent ? "%" : power, lit->label,
                 lit->sentence, lit->placeholder ? " @" : "",
                 lit->placeholder ? lit->placeholder : "");
    }
}

static void scan_tied(const char *source, const char *text, const gk_fill *fills,
                      size_t fill_count, tied *t)
{
    gk_arena arena = {0};
    gk_narrative n;
    gk_diag diag = {0};
    assert_int_equal(gk_narrative_parse_filled("x.md", source, text, fills, fill_count, &arena,
                                               &n, &diag), GK_OK);
    memset(t, 0, sizeof *t);
    assert_true(gk_figures_scan(&n, note_tied, t));
    gk_arena_free(&arena);
}

/* Issue 14: an amount's unit is read next to it (元, 万元, 亿元, as a power of ten of 元). */
static void test_figure_units(void **state)
{
    (void)state;
    tied t;
    const char *md = "收入 2942800 元、0.0294亿元、294.28 万 元、5%，单元 3 个。\n";
    scan_tied(md, md, NULL, 0, &t);
    assert_int_equal(t.count, 4);
    assert_string_equal(t.item[0], "2942800元=2942800/0 p0 [收入] s0");
    assert_string_equal(t.item[1], "0.0294亿元=294/4 p8 [] s0");
    assert_string_equal(t.item[2], "294.28万 元=29428/2 p4 [] s0"); /* as printed */
    assert_string_equal(t.item[3], "5%=5/0 p% [] s0");
}

/* Issue 14: what a reader reads through inside a figure is read through: invisible characters
 * (typed or as entities), line breaks, a full-width comma or spaces grouping thousands; a space
 * before anything but a group of three digits ends the number. */
static void test_figures_read_through(void **state)
{
    (void)state;
    tied t;
    const char *md = "甲 1\u200d294.28万元、乙 1&#8205;294.28万元、丙 1\u00ad294.28万元、"
                     "丁 1，294.28万元、戊 1 294.28万元、己 1&nbsp;294.28万元、庚 1\n"
                     "294.28万元、辛 294.\n28万元、壬 2025 12万元、癸 1 29.5万元。\n";
    scan_tied(md, md, NULL, 0, &t);
    assert_int_equal(t.count, 10);
    assert_string_equal(t.item[0], "1294.28万元=129428/2 p4 [甲] s0");
    assert_string_equal(t.item[1], "1294.28万元=129428/2 p4 [乙] s0");
    assert_string_equal(t.item[2], "1294.28万元=129428/2 p4 [丙] s0");
    assert_string_equal(t.item[3], "1，294.28万元=129428/2 p4 [丁] s0");
    assert_string_equal(t.item[4], "1 294.28万元=129428/2 p4 [戊] s0");
    assert_string_equal(t.item[5], "1\u00a0294.28万元=129428/2 p4 [己] s0");
    assert_string_equal(t.item[6], "1294.28万元=129428/2 p4 [庚] s0");
    assert_string_equal(t.item[7], "294.28万元=29428/2 p4 [辛] s0");
    assert_string_equal(t.item[8], "12万元=12/0 p4 [] s0"); /* 2025 has four digits: no group */
    assert_string_equal(t.item[9], "29.5万元=295/1 p4 [] s0");
}

/* Issue 14: each figure knows the words right before it (after a year, a colon, the figure
 * before; a table cell's row name) and its sentence (。；！？, a table's row); placeholders'
 * figures are handed over too, with the placeholder as written. */
static void test_figures_tied(void **state)
{
    (void)state;
    tied t;
    /* 2025 年支出预算{{amount x}}万元，其中：基本支出 166.48 万元，占 56.57%；项目支出 127.8 万元。 */
    const char *source = "2025 年支出预算{{amount x}}万元，其中：基本支出 166.48 万元，占 56.57%；"
                         "项目支出 127.8 万元，比上年 100 万元增加 27.8 万元。\n\n"
                         "| 项目 | 金额 | 占比 |\n|---|---|---|\n| 基本支出 | 166.48万元 | 56.57% |\n"
                         "| 合计 | 294.28万元 | 100% |\n";
    char text[1024];
    const char *open = strstr(source, "{{");
    snprintf(text, sizeof text, "%.*s294.28%s", (int)(open - source), source,
             strstr(source, "}}") + 2);
    gk_fill fill = {(size_t)(open - source), 6, (size_t)(open - source), 12};
    scan_tied(source, text, &fill, 1, &t);
    assert_int_equal(t.runs, 2);
    assert_int_equal(t.count, 10);
    assert_string_equal(t.item[0], "294.28万元=29428/2 p4 [支出预算] s0 @{{amount x}}");
    assert_string_equal(t.item[1], "166.48万元=16648/2 p4 [基本支出] s0");
    assert_string_equal(t.item[2], "56.57%=5657/2 p% [占] s0");
    assert_string_equal(t.item[3], "127.8万元=1278/1 p4 [项目支出] s1");
    assert_string_equal(t.item[4], "100万元=100/0 p4 [比上年] s1");
    assert_string_equal(t.item[5], "27.8万元=278/1 p4 [增加] s1");
    assert_string_equal(t.item[6], "166.48万元=16648/2 p4 [基本支出] s1"); /* the table's row 1 */
    assert_string_equal(t.item[7], "56.57%=5657/2 p% [基本支出] s1");
    assert_string_equal(t.item[9], "100%=100/0 p% [合计] s2");
}

/* A placeholder's figure printed with the sample's package. */
static const char *expand(const gk_package *pkg, const char *markdown, gk_diag *diag,
                          gk_arena *arena)
{
    size_t unit = 0;
    gk_scope scope = {&unit, 1};
    const char *out = NULL;
    const gk_fill *fills = NULL;
    size_t count = 0;
    if (gk_figures_expand(pkg, &scope, &pkg->units[0], "x.md", markdown, arena, &out, &fills,
                          &count, diag) != GK_OK)
        return NULL;
    return out;
}

/* {{… | FORMAT}}: '0' places always printed, '#' places when not zero; the profile's
 * narrative_amount_format is the default for amounts; a format never rounds an amount. */
static void test_placeholder_formats(void **state)
{
    (void)state;
    gk_package *pkg = NULL;
    gk_diag diag = {0};
    assert_int_equal(gk_package_load(GK_SOURCE_DIR "/samples/leshan-hrss-info-2025", NULL,
                                     GK_SOURCE_DIR "/layouts", &pkg, &diag), GK_OK);
    gk_arena arena = {0};
    struct {
        const char *markdown, *printed;
    } ok[] = {
        /* sichuan-2025 says 0.##, as the published booklet prints its figures */
        {"{{amount 1-2.project}}", "127.8"},
        {"{{amount 8.amount}}", "53"},
        {"{{amount 3-3.vehicle_total}}", "0"},
        {"{{amount 1-1.total}}", "294.28"},
        {"{{amount 1-2.project | 0.00}}", "127.80"},
        {"{{amount 8.amount|0.0#}}", "53.0"},
        {"{{amount 3-3.vehicle_total | 0.00}}", "0.00"},
        {"{{amount 1-1.total | 0.000}}", "294.280"},
        {"{{amount 1-1.total | 0.##}}", "294.28"},
        {"{{change 1-1.total from prior.total | 0.000}}", "增加2.470万元"},
        {"{{share 1-2.basic of 1-2.total}}", "56.57%"},
        {"{{share 1-2.basic of 1-2.total | 0.0}}", "56.6%"},
        {"{{share 1-2.basic of 1-2.total | 0}}", "57%"},
        {"{{share 1-1.general of 1-1.total | 0.##}}", "100%"},
        {"{{share 1-1.general of 1-1.total | 0.00}}", "100.00%"},
        {"{{rate 1-1.total from prior.total | 0.0}}", "增长0.8%"},
    };
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        const char *out = expand(pkg, ok[i].markdown, &diag, &arena);
        if (out == NULL || strcmp(out, ok[i].printed) != 0)
            fail_msg("%s: expected %s, found %s (%s)", ok[i].markdown, ok[i].printed,
                     out ? out : "an error", out ? "" : diag.message);
    }
    struct {
        const char *markdown, *message;
    } bad[] = {
        {"{{amount 1-1.total | 0}}", "the format '0' would round 294.28"},
        {"{{amount 1-1.total | 0.#}}", "the format '0.#' would round 294.28"},
        {"{{amount 1-1.total | 0.x}}", "expected a format such as 0.00 or 0.## after '|', found '0.x'"},
        {"{{amount 1-1.total | #.00}}", "found '#.00'"},
        {"{{amount 1-1.total | 0.#0}}", "found '0.#0'"},
        {"{{amount 1-1.total | 0.0000000}}", "found '0.0000000'"},
        {"{{amount 1-1.total | }}", "found ''"},
        {"{{year | 0}}", "applies to amount, share, change and rate only"},
        {"{{change 1-1.total from prior.total | 0}}", "the format '0' would round 2.47"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        const char *out = expand(pkg, bad[i].markdown, &diag, &arena);
        if (out != NULL || strstr(diag.message, bad[i].message) == NULL)
            fail_msg("%s: expected '%s', found %s", bad[i].markdown, bad[i].message,
                     out ? out : diag.message);
        assert_int_equal(diag.column, 1);
    }
    /* without narrative_amount_format, the amount decimals; a profile's format that would
     * round is named as the profile's */
    pkg->profile->narrative_amounts = (gk_figure_format){NULL, 0, 0};
    assert_string_equal(expand(pkg, "{{amount 8.amount}}", &diag, &arena), "53.00");
    assert_true(gk_figure_format_parse("0", &pkg->profile->narrative_amounts));
    assert_null(expand(pkg, "收入 {{amount 1-1.total}} 万元", &diag, &arena));
    assert_non_null(strstr(diag.message, "narrative_amount_format '0' would round 294.28"));
    assert_int_equal(diag.column, 4);
    assert_string_equal(expand(pkg, "{{amount 8.amount}}", &diag, &arena), "53");
    gk_arena_free(&arena);
    gk_package_free(pkg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sample_overview),
        cmocka_unit_test(test_bold_spans),
        cmocka_unit_test(test_soft_breaks),
        cmocka_unit_test(test_every_node_type_decided),
        cmocka_unit_test(test_every_construct_prints),
        cmocka_unit_test(test_refused_constructs),
        cmocka_unit_test(test_nesting_is_bounded),
        cmocka_unit_test(test_span_positions),
        cmocka_unit_test(test_figures_as_read),
        cmocka_unit_test(test_figures_beside_placeholders),
        cmocka_unit_test(test_many_figures),
        cmocka_unit_test(test_grouping),
        cmocka_unit_test(test_figures_set_apart),
        cmocka_unit_test(test_figure_units),
        cmocka_unit_test(test_figures_read_through),
        cmocka_unit_test(test_figures_tied),
        cmocka_unit_test(test_placeholder_formats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
