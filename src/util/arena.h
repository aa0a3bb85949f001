/* A bump allocator: many small allocations (parsed strings, specs, rows) freed in one call.
 * Used per profile, per package and per document so that parsers need one cleanup path. */
#ifndef GONGKAI_ARENA_H
#define GONGKAI_ARENA_H

#include <stddef.h>

typedef struct gk_arena_block gk_arena_block;

typedef struct gk_arena {
    gk_arena_block *head;
} gk_arena;

/* Returns zeroed memory aligned for any type, or NULL when out of memory. */
void *gk_arena_alloc(gk_arena *arena, size_t size);

/* The same without zeroing, for room sized for the worst case that the caller fills item by
 * item before reading it: pages never written are never touched (each first touch of a page
 * is a page fault, the largest share of a unit's system time). */
void *gk_arena_alloc_unset(gk_arena *arena, size_t size);

/* Copies a NUL-terminated string (NULL stays NULL). */
char *gk_arena_strdup(gk_arena *arena, const char *text);

/* Copies len bytes and appends a NUL. */
char *gk_arena_strndup(gk_arena *arena, const char *text, size_t len);

/* printf into arena memory. */
char *gk_arena_printf(gk_arena *arena, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/* Frees every block; the arena can be reused afterwards. */
void gk_arena_free(gk_arena *arena);

#endif
