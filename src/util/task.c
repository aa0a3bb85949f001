/* Work on a thread of its own, or on the caller's when it is needed; see task.h. */
#include "util/task.h"

/* A task's stack: its work (a format's rendering, checks, a font's compression, hashing)
 * nests shallowly; the default (the stack limit, 8 MiB) would take 8 MiB of address space for
 * each of a job's threads, which a process under an address-space limit runs short of. */
enum { TASK_STACK = 2 << 20 };

void gk_task_start(gk_task *task, void *(*fn)(void *), void *arg, bool parallel)
{
    *task = (gk_task){.fn = fn, .arg = arg};
    if (!parallel)
        return;
    pthread_attr_t attr;
    bool sized = pthread_attr_init(&attr) == 0;
    if (sized)
        pthread_attr_setstacksize(&attr, TASK_STACK);
    task->threaded = pthread_create(&task->thread, sized ? &attr : NULL, fn, arg) == 0;
    if (sized)
        pthread_attr_destroy(&attr);
}

void gk_task_wait(gk_task *task)
{
    if (task->threaded)
        pthread_join(task->thread, NULL);
    else if (task->fn != NULL)
        task->fn(task->arg);
    *task = (gk_task){0};
}

void gk_task_drop(gk_task *task)
{
    if (task->threaded)
        pthread_join(task->thread, NULL);
    *task = (gk_task){0};
}
