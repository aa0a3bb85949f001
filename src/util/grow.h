/* Growing arrays: the one way an array of items gets room for one more. */
#ifndef GONGKAI_GROW_H
#define GONGKAI_GROW_H

#include <stdbool.h>
#include <stddef.h>

/* Makes room for item number `count` (0-based) of an array of item_size bytes: when count has
 * reached *capacity, the array is reallocated to twice its capacity (`first` items the first
 * time). False when out of memory or the size would overflow; the array is then unchanged. */
bool gk_grow(void **items, size_t *capacity, size_t count, size_t item_size, size_t first);

/* Makes room for `need` items of item_size bytes: when need passes *capacity, the array is
 * reallocated to twice need (one reallocation however far need jumps). False when out of
 * memory or the size would overflow; the array is then unchanged. */
bool gk_reserve(void **items, size_t *capacity, size_t need, size_t item_size);

#endif
