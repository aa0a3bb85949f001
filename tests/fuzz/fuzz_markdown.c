/* Fuzz target: narrative Markdown (概况, 情况说明, 名词解释).
 *
 * The input, as a C string (it stops at a NUL byte), goes through gk_narrative_parse and
 * gk_figures_literals, then through gk_figures_expand against the sample package (loaded once,
 * from GK_SOURCE_DIR/samples/leshan-hrss-info-2025 with the profiles of GK_SOURCE_DIR/layouts)
 * and, as the booklet builder does, the expanded text through gk_narrative_parse and
 * gk_figures_literals again. Seeds: corpus/markdown; dictionary: markdown.dict. */
#include "fuzz_util.h"

#include <stdint.h>

#include "model/figures.h"
#include "model/narrative.h"

#ifndef GK_SOURCE_DIR
#error "GK_SOURCE_DIR must name the source tree (set by CMakeLists.txt)"
#endif

enum { LITERALS = 64 };

static gk_package *package; /* the sample, for the process's lifetime */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    gk_diag diag;
    gk_diag_clear(&diag);
    if (gk_package_load(GK_SOURCE_DIR "/samples/leshan-hrss-info-2025", NULL,
                        GK_SOURCE_DIR "/layouts", &package, &diag) != GK_OK ||
        package->unit_count == 0)
        abort();
    return 0;
}

/* Parses text and checks what the parsers promise about their results. */
static void parse(const char *text, gk_arena *arena)
{
    gk_diag diag;
    gk_diag_clear(&diag);
    gk_narrative narrative;
    if (gk_narrative_parse("fuzz.md", text, arena, &narrative, &diag) == GK_OK) {
        for (size_t i = 0; i < narrative.count; i++) {
            const gk_block *block = &narrative.blocks[i];
            /* 0 is "not known": cmark-gfm gives it to a paragraph whose last line became a
             * table header (corpus/markdown/regress-paragraph-before-table.md) */
            FUZZ_ASSERT(block->line >= 0);
            FUZZ_ASSERT(block->kind != GK_BLOCK_TABLE || block->cells != NULL ||
                        block->rows * block->cols == 0);
            for (size_t c = 0; block->kind == GK_BLOCK_TABLE && c < block->rows * block->cols;
                 c++)
                FUZZ_ASSERT(block->cells[c] != NULL);
            for (size_t s = 0; s < block->span_count; s++)
                FUZZ_ASSERT(block->spans[s].text != NULL);
            FUZZ_ASSERT(gk_block_text(block, arena) != NULL);
        }
    } else {
        FUZZ_ASSERT(diag.message[0] != '\0');
    }

    gk_literal literals[LITERALS];
    size_t count = gk_figures_literals(text, literals, LITERALS);
    for (size_t i = 0; i < count && i < LITERALS; i++) {
        FUZZ_ASSERT(literals[i].line >= 1 && literals[i].column >= 1);
        FUZZ_ASSERT(memchr(literals[i].text, '\0', sizeof literals[i].text) != NULL);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *markdown = fuzz_strndup(data, size);
    gk_arena arena = {0};
    parse(markdown, &arena);

    size_t unit = 0;
    gk_scope scope = {&unit, 1};
    const char *expanded = NULL;
    gk_diag diag;
    gk_diag_clear(&diag);
    if (gk_figures_expand(package, &scope, &package->units[0], "fuzz.md", markdown, &arena,
                          &expanded, &diag) == GK_OK) {
        FUZZ_ASSERT(expanded != NULL);
        parse(expanded, &arena);
    } else {
        FUZZ_ASSERT(diag.message[0] != '\0');
    }
    gk_arena_free(&arena);
    free(markdown);
    return 0;
}
