/* Narrative Markdown → blocks: headings, ordered lists, bold (also where CommonMark's flanking
 * rules fail beside full-width punctuation), GFM tables, source lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "model/narrative.h"
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
    assert_string_equal(gk_block_text(&n.blocks[2], &arena), "收入294.28万元");
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sample_overview),
        cmocka_unit_test(test_bold_spans),
        cmocka_unit_test(test_soft_breaks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
