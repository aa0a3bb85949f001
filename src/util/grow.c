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
