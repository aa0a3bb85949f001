/* What memory costs on this machine, the figures behind src/cli/heap.c: the first touch of
 * 8 MiB of fresh memory in 4 KiB pages and in 2 MiB huge pages (MADV_HUGEPAGE), and how long
 * a fork takes to return in the parent and to run the child's first instruction.
 *
 *   cc -O2 -o /tmp/page_costs tests/bench/page_costs.c && /tmp/page_costs
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { HUGE = 2 << 20, BYTES = 8 << 20, ROUNDS = 5 };

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* ms to write one byte of each 4 KiB page of BYTES fresh bytes, huge pages advised or not */
static double touch(int advise)
{
    char *map = mmap(NULL, BYTES + HUGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                     -1, 0);
    if (map == MAP_FAILED)
        return -1;
    char *at = (char *)(((uintptr_t)map + HUGE - 1) & ~(uintptr_t)(HUGE - 1));
    if (advise)
        madvise(at, BYTES, MADV_HUGEPAGE);
    double start = now_ms();
    for (size_t i = 0; i < BYTES; i += 4096)
        at[i] = 1;
    double ms = now_ms() - start;
    munmap(map, BYTES + HUGE);
    return ms;
}

int main(void)
{
    for (int r = 0; r < ROUNDS; r++) {
        double small = touch(0), huge = touch(1);
        printf("8 MiB first touched: 4 KiB pages %.2f ms (%.1f us a page), huge pages %.2f ms\n",
               small, small * 1000 / (BYTES / 4096), huge);
    }
    int pipe_fds[2];
    if (pipe(pipe_fds) != 0)
        return 1;
    for (int r = 0; r < ROUNDS; r++) {
        double start = now_ms();
        pid_t pid = fork();
        if (pid == 0) {
            double ran = now_ms();
            (void)!write(pipe_fds[1], &ran, sizeof ran);
            _exit(0);
        }
        double returned = now_ms(), ran = start;
        (void)!read(pipe_fds[0], &ran, sizeof ran);
        waitpid(pid, NULL, 0);
        printf("fork: back in the parent after %.2f ms, the child ran after %.2f ms\n",
               returned - start, ran - start);
    }
    return 0;
}
