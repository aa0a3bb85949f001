/* Pagination of table rows: which row starts each page.
 *
 * Greedy over groups of rows joined by keep_with_next: a group goes on the current page if
 * it fits, else on a new page if it fits there, else (it fits on no page) its rows flow one
 * by one. Every step places at least one row, so the loop always ends. */
#include "typeset/typeset.h"

/* Heights are sums of doubles: allow for rounding when a row "just fits". */
#define GK_HEIGHT_SLACK 1e-6

/* Written as "within" so that a NaN height never fits: such a row gets a page of its own
 * rather than corrupting the page it joins. */
static bool fits(double height, double available)
{
    return height <= available + GK_HEIGHT_SLACK;
}

/* The page being filled. */
typedef struct pager {
    size_t count;           /* pages started so far */
    double available;       /* height for rows on the current page */
    double used;            /* height of the rows placed on it */
    bool empty;             /* no row placed on it yet (used can be 0 with zero-height rows) */
    double next_height;     /* height for rows on every later page */
    size_t *first_row;
    size_t capacity;
} pager;

static void start_page(pager *p, size_t row, double available)
{
    if (p->count < p->capacity)
        p->first_row[p->count] = row;
    p->count++;
    p->available = available;
    p->used = 0.0;
    p->empty = true;
}

static void place(pager *p, double height)
{
    p->used += height;
    p->empty = false;
}

/* One past the last row of the group starting at row: rows chained by keep_with_next. */
static size_t group_end(const bool *keep_with_next, size_t row_count, size_t row)
{
    size_t end = row + 1;
    while (keep_with_next != NULL && end < row_count && keep_with_next[end - 1])
        end++;
    return end;
}

/* A table that continues shows at least two rows on its last page: a single row there is a
 * widow, as a line is. The previous page gives up its last row when it keeps two and that
 * row is not kept with the one above it. Only the last page can end short: the others are
 * full. The count of pages does not change. */
static void no_lone_last_row(pager *p, const double *row_heights, const bool *keep_with_next,
                             size_t row_count)
{
    if (p->count < 2 || p->count > p->capacity)
        return;
    size_t *first = p->first_row;
    size_t last = first[p->count - 1], before = first[p->count - 2];
    if (row_count - last != 1 || last - before < 3)
        return;
    if (keep_with_next != NULL && keep_with_next[last - 2])
        return;
    if (fits(row_heights[last - 1] + row_heights[last], p->next_height))
        first[p->count - 1] = last - 1;
}

size_t gk_paginate(const double *row_heights, const bool *keep_with_next, size_t row_count,
                   double first_page_height, double next_page_height, size_t *page_first_row,
                   size_t capacity)
{
    pager p = {0, 0.0, 0.0, true, next_page_height, page_first_row, capacity};
    start_page(&p, 0, first_page_height);
    size_t row = 0;
    while (row < row_count) {
        size_t end = group_end(keep_with_next, row_count, row);
        double height = 0.0;
        for (size_t i = row; i < end; i++)
            height += row_heights[i];
        if (fits(p.used + height, p.available)) {
            place(&p, height);
            row = end;
            continue;
        }
        if (!p.empty && fits(height, p.next_height)) {
            start_page(&p, row, p.next_height); /* the group goes on it next round */
            continue;
        }
        /* The group fits on no page (or this page is still empty and must not stay so):
         * keeping it together is impossible, so break it only where the page is full. */
        for (; row < end; row++) {
            if (!p.empty && !fits(p.used + row_heights[row], p.available))
                start_page(&p, row, p.next_height);
            place(&p, row_heights[row]);
        }
    }
    no_lone_last_row(&p, row_heights, keep_with_next, row_count);
    return p.count;
}

size_t gk_lines_here(size_t remaining, size_t room, size_t per_page)
{
    if (remaining <= room)
        return remaining;
    if (per_page < 2 || room == 0)
        return room; /* nothing to balance: fill the page as it comes */
    if (room < 2)
        return 0; /* an orphan: the paragraph starts on the next page */
    size_t here = room;
    if (remaining - here == 1)
        here--; /* a widow: the next page takes one more line */
    return here >= 2 ? here : 0;
}
