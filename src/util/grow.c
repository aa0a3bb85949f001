/* Growing arrays; see grow.h. */
#include "util/grow.h"

#include <stdint.h>
#include <stdlib.h>

bool gk_grow(void **items, size_t *capacity, size_t count, size_t item_size, size_t first)
{
    if (count < *capacity)
        return true;
    size_t bigger = *capacity ? *capacity * 2 : first;
    if (bigger < *capacity || bigger > SIZE_MAX / item_size)
        return false;
    void *p = realloc(*items, bigger * item_size);
    if (p == NULL)
        return false;
    *items = p;
    *capacity = bigger;
    return true;
}

bool gk_reserve(void **items, size_t *capacity, size_t need, size_t item_size)
{
    if (need <= *capacity)
        return true;
    if (need > SIZE_MAX / 2 / item_size)
        return false;
    void *p = realloc(*items, need * 2 * item_size);
    if (p == NULL)
        return false;
    *items = p;
    *capacity = need * 2;
    return true;
}
