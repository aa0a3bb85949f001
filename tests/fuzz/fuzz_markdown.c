/* Fuzz target: narrative Markdown (概况, 情况说明, 名词解释).
 *
 * The input, as a C string (it stops at a NUL byte), goes through gk_narrative_parse and
 * gk_figures_scan, then, as the booklet builder does, through gk_figures_narrative against the
 * sample package (loaded once, from GK_SOURCE_DIR/samples/leshan-hrss-info-2025 with the
 * profiles of GK_SOURCE_DIR/layouts) and gk_figures_scan again. Seeds: corpus/markdown;
 * dictionary: markdown.dict. */
#include "fuzz_util.h"

#include <stdint.h>

#include "model/figures.h"
#include "model/narrative.h"

#ifndef GK_SOURCE_DIR
#error "GK_SOURCE_DIR must name the source tree (set by CMakeLists.txt)"
#endif

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

/* What the figure scanner promises: positions in the source, texts that hold the number. */
static void check_literals(const gk_literal *lits, size_t count, void *context)
{
    (void)context;
    FUZZ_ASSERT(count > 0);
    for (size_t i = 0; i < count; i++) {
        const gk_literal *lit = &lits[i];
        FUZZ_ASSERT(lit->line >= 1 && lit->column >= 1);
        /* the number and its unit or %; a share written without % has none (占 76.23;) */
        FUZZ_ASSERT(lit->number_len > 0 && (lit->number_len < strlen(lit->text) ||
                                            (lit->percent_sign_missing &&
                                             lit->number_len == strlen(lit->text))));
        FUZZ_ASSERT(lit->plain != NULL && lit->plain[0] != '\0');
        FUZZ_ASSERT(lit->label != NULL);
        FUZZ_ASSERT(i == 0 || lit->sentence >= lits[i - 1].sentence);
    }
}

/* Checks what the parser promises about a parsed narrative. */
static void check_narrative(const gk_narrative *narrative, gk_arena *arena)
{
    for (size_t i = 0; i < narrative->count; i++) {
        const gk_block *block = &narrative->blocks[i];
        FUZZ_ASSERT(block->line >= 0); /* 0: cmark-gfm gave none */
        FUZZ_ASSERT(block->kind != GK_BLOCK_TABLE || block->cells != NULL ||
                    block->rows * block->cols == 0);
        for (size_t c = 0; block->kind == GK_BLOCK_TABLE && c < block->rows * block->cols; c++) {
            FUZZ_ASSERT(block->cells[c] != NULL);
            FUZZ_ASSERT(block->cell_spans[c] <= block->cell_spans[c + 1]);
        }
        for (size_t s = 0; s < block->span_count; s++) {
            FUZZ_ASSERT(block->spans[s].text != NULL);
            FUZZ_ASSERT(block->spans[s].source <= strlen(narrative->text));
        }
        FUZZ_ASSERT(gk_block_text(block, arena) != NULL);
    }
    FUZZ_ASSERT(gk_figures_scan(narrative, check_literals, NULL));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *markdown = fuzz_strndup(data, size);
    gk_arena arena = {0};
    gk_diag diag;
    gk_diag_clear(&diag);
    gk_narrative narrative;
    if (gk_narrative_parse("fuzz.md", markdown, &arena, &narrative, &diag) == GK_OK)
        check_narrative(&narrative, &arena);
    else
        FUZZ_ASSERT(diag.message[0] != '\0' && diag.line >= 0);

    size_t unit = 0;
    gk_scope scope = {&unit, 1};
    gk_diag_clear(&diag);
    if (gk_figures_narrative(package, &scope, &package->units[0], "fuzz.md", markdown, &arena,
                             &narrative, &diag) == GK_OK)
        check_narrative(&narrative, &arena);
    else
        FUZZ_ASSERT(diag.message[0] != '\0');
    gk_arena_free(&arena);
    free(markdown);
    return 0;
}
