/* The program's heap in huge pages.
 *
 * On a paravirtualized machine like the CI's, the first touch of each 4 KiB page costs about
 * 12 µs (a trap to the hypervisor) while a 2 MiB huge page costs about 130 µs for all 512 of
 * them: one export touched ~1,900 fresh pages, a third of its time. Where transparent huge
 * pages are "madvise" (Debian's default) or "always", the program asks for its heap to be
 * backed by huge pages and keeps every thread's allocations in it. Elsewhere (or under an
 * address-space limit) this does nothing but tune glibc's malloc.
 *
 * A process-wide choice, so it is the program's (cli/main.c), never the library's: a program
 * that links libgongkai keeps its own allocator settings. Call it first thing in main. */
#ifndef GK_CLI_HEAP_H
#define GK_CLI_HEAP_H

void gk_heap_in_huge_pages(void);

#endif
