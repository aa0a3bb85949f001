/* Keys met before: a hash map from a key (a text, and a tag that tells apart keys of different
 * files or kinds) to a number, for the checks (check.c, names.c). Header-only: each rule's
 * runner keeps its maps to itself. */
#ifndef GONGKAI_KEY_MAP_H
#define GONGKAI_KEY_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/values.h" /* gk_steps */

/* A hash map from a key (a text, and a tag that tells apart keys of different files or kinds)
 * to a number, by open addressing: a rule finds a key among many rows again in constant time
 * instead of going through the rows before it. Keys are not copied. */
typedef struct key_slot {
    const void *tag;
    const char *text; /* NULL: a free slot */
    size_t value;
} key_slot;

typedef struct key_map {
    key_slot *slots;
    size_t capacity, count; /* capacity: 0 or a power of two, at least twice count */
} key_map;

static inline size_t key_hash(const void *tag, const char *text)
{
    uint64_t h = UINT64_C(14695981039346656037) ^ (uint64_t)(uintptr_t)tag; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        h = (h ^ *p) * UINT64_C(1099511628211);
    return (size_t)(h ^ (h >> 29));
}

/* The slot that holds (tag, text), or the free slot where it belongs. */
static inline key_slot *key_slot_of(const key_map *m, const void *tag, const char *text)
{
    size_t mask = m->capacity - 1;
    for (size_t i = key_hash(tag, text) & mask;; i = (i + 1) & mask) {
        key_slot *slot = &m->slots[i];
        gk_steps++;
        if (slot->text == NULL || (slot->tag == tag && strcmp(slot->text, text) == 0))
            return slot;
    }
}

static inline bool key_map_grow(key_map *m)
{
    size_t capacity = m->capacity ? m->capacity * 2 : 64;
    key_slot *old = m->slots;
    size_t old_capacity = m->capacity;
    m->slots = calloc(capacity, sizeof *m->slots);
    if (m->slots == NULL) {
        m->slots = old;
        return false;
    }
    m->capacity = capacity;
    for (size_t i = 0; i < old_capacity; i++)
        if (old[i].text != NULL)
            *key_slot_of(m, old[i].tag, old[i].text) = old[i];
    free(old);
    return true;
}

/* The value of (tag, text), or NULL when the map does not hold it. */
static inline const size_t *key_map_get(const key_map *m, const void *tag, const char *text)
{
    if (m->count == 0)
        return NULL;
    const key_slot *slot = key_slot_of(m, tag, text);
    return slot->text != NULL ? &slot->value : NULL;
}

/* The value of (tag, text), added as `value` when the map does not hold it yet (*added says
 * which); NULL when out of memory. */
static inline size_t *key_map_put(key_map *m, const void *tag, const char *text, size_t value,
                           bool *added)
{
    if ((m->count + 1) * 2 > m->capacity && !key_map_grow(m))
        return NULL;
    key_slot *slot = key_slot_of(m, tag, text);
    *added = slot->text == NULL;
    if (*added) {
        *slot = (key_slot){tag, text, value};
        m->count++;
    }
    return &slot->value;
}

static inline void key_map_free(key_map *m)
{
    free(m->slots);
    memset(m, 0, sizeof *m);
}

#endif
