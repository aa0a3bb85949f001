/* Bump allocator in chained blocks; see arena.h. */
#include "util/arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ARENA_BLOCK_MIN = 16 * 1024 };

struct gk_arena_block {
    gk_arena_block *next;
    size_t size;
    size_t used;
    max_align_t data[]; /* aligned storage */
};

/* size bytes aligned to align (a power of two). */
static void *arena_take(gk_arena *arena, size_t size, size_t align)
{
    gk_arena_block *block = arena->head;
    size_t used = block ? (block->used + align - 1) / align * align : 0; /* padded */
    if (block != NULL && used <= block->size && block->size - used >= size) {
        block->used = used;
    } else {
        size_t capacity = size > ARENA_BLOCK_MIN ? size : ARENA_BLOCK_MIN;
        block = malloc(sizeof *block + capacity);
        if (block == NULL)
            return NULL;
        block->size = capacity;
        block->used = 0;
        block->next = arena->head;
        arena->head = block;
    }
    void *memory = (char *)block->data + block->used;
    block->used += size;
    return memory;
}

void *gk_arena_alloc(gk_arena *arena, size_t size)
{
    void *memory = arena_take(arena, size, sizeof(max_align_t));
    if (memory != NULL)
        memset(memory, 0, size);
    return memory;
}

void *gk_arena_alloc_unset(gk_arena *arena, size_t size)
{
    return arena_take(arena, size, sizeof(max_align_t));
}

char *gk_arena_strndup(gk_arena *arena, const char *text, size_t len)
{
    char *copy = arena_take(arena, len + 1, 1); /* text needs no alignment */
    if (copy != NULL) {
        memcpy(copy, text, len);
        copy[len] = '\0';
    }
    return copy;
}

char *gk_arena_strdup(gk_arena *arena, const char *text)
{
    return text ? gk_arena_strndup(arena, text, strlen(text)) : NULL;
}

char *gk_arena_printf(gk_arena *arena, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    int len = vsnprintf(NULL, 0, format, args);
    va_end(args);
    if (len < 0)
        return NULL;
    char *text = gk_arena_alloc(arena, (size_t)len + 1);
    if (text == NULL)
        return NULL;
    va_start(args, format);
    vsnprintf(text, (size_t)len + 1, format, args);
    va_end(args);
    return text;
}

void gk_arena_free(gk_arena *arena)
{
    gk_arena_block *block = arena->head;
    while (block != NULL) {
        gk_arena_block *next = block->next;
        free(block);
        block = next;
    }
    arena->head = NULL;
}
