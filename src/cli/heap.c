/* The heap in huge pages; see heap.h. */
#define _GNU_SOURCE /* sbrk, madvise */
#include "cli/heap.h"

#include <stdint.h>
#include <stdlib.h>

#if defined(__linux__) && defined(__GLIBC__)
#include <malloc.h>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>
#endif

#if defined(__linux__) && defined(__GLIBC__) && defined(MADV_HUGEPAGE)

enum {
    HUGE_PAGE = 2 << 20,
    /* the heap is grown by this much at once, address space only until touched: the parent
     * works in its first pages, and each worker goes on above them. A worker's heap for one
     * job of the sample peaks at about 9 MiB (every thread's allocations); a larger unit's
     * goes on growing above the reserve in small pages. */
    HEAP_RESERVE = 32 << 20,
    NORMAL_PAD = 128 << 10, /* glibc's default: later growth asks for no more than it needs */
    /* buffers up to this size (a table file's read block, a font's tables, a stream) come
     * from the heap, not from a fresh mapping each time: setting the pad turns off glibc's
     * own raising of this threshold, which would otherwise do the same */
    LARGEST_FROM_HEAP = 4 << 20,
    KEEP_ON_FREE = 64 << 20, /* the heap is not shrunk below this (it would lose the advice) */
};

static uintptr_t align_up(uintptr_t at)
{
    return (at + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
}

/* address space the heap skips to start on a huge page's boundary: kept, never touched.
 * volatile: a block nothing reads would otherwise be dropped by the optimizer with its malloc
 * (it was, in release builds: a worker's allocations then started at the parent's top, in
 * small pages) */
static void *volatile skipped_by_parent, *volatile skipped_by_worker;

/* In a forked worker (pthread_atfork): the pages the parent touched are shared with it and
 * are copied a 4 KiB page at a time when written (a huge page is split first). The worker's
 * own allocations go on from the next 2 MiB boundary above the parent's top, so that they
 * fill huge pages of their own instead of the parent's last one. */
static void worker_starts_on_a_boundary(void)
{
    uintptr_t end = (uintptr_t)sbrk(0), top = end - mallinfo2().keepcost;
    uintptr_t from = align_up(top + 64);
    if (end == (uintptr_t)-1 || top >= end || end < from + HUGE_PAGE)
        return; /* the parent used up the reserve: this worker goes on in small pages */
    skipped_by_worker = malloc(from - top - 64); /* from the top: the next block is at from */
}

void gk_heap_in_huge_pages(void)
{
    /* one arena: a job's threads (checks, workbook, fonts) allocate from the same heap
     * instead of growing 64 MiB arenas of their own a page at a time */
    mallopt(M_ARENA_MAX, 1);
    mallopt(M_TOP_PAD, HEAP_RESERVE);
    mallopt(M_MMAP_THRESHOLD, LARGEST_FROM_HEAP);
    mallopt(M_TRIM_THRESHOLD, KEEP_ON_FREE);
    uintptr_t before = (uintptr_t)sbrk(0);
    char *first = malloc(HUGE_PAGE); /* more than the first heap holds: grows it */
    uintptr_t after = (uintptr_t)sbrk(0), at = (uintptr_t)first;
    mallopt(M_TOP_PAD, NORMAL_PAD);
    /* only a heap grown in one piece where it was is used so: not one refused by an
     * address-space limit, nor a sanitizer's or valgrind's malloc */
    if (first == NULL || before == (uintptr_t)-1 || after < before + HEAP_RESERVE || at > after) {
        free(first);
        return;
    }
    /* the parent's allocations start on a boundary too (the block grows in place up to it;
     * malloc wrote the heap's top just after it): measured, the workers' page faults are
     * then steady (1,114 ± 0.2 % against 1,169 ± 2 % a run) and the export 2 ms faster */
    uintptr_t from = align_up(at + HUGE_PAGE + 64);
    skipped_by_parent = realloc(first, from - at - 64);
    /* the whole reserve, the parent's pages and its workers': measured once workers started
     * above the parent's top, the parent in huge pages too was 1.2 ms faster (765 → 640
     * faults a run); before, workers wrote into the parent's last huge page and split it.
     * Advice: where it is refused, nothing changes */
    madvise((void *)from, (after & ~(uintptr_t)(HUGE_PAGE - 1)) - from, MADV_HUGEPAGE);
    pthread_atfork(NULL, NULL, worker_starts_on_a_boundary);
}

#else

void gk_heap_in_huge_pages(void) {}

#endif
