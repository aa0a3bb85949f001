/* Work on a thread of its own, or on the caller's when it is needed; see task.h. */
#include "util/task.h"

void gk_task_start(gk_task *task, void *(*fn)(void *), void *arg, bool parallel)
{
    *task = (gk_task){.fn = fn, .arg = arg};
    task->threaded = parallel && pthread_create(&task->thread, NULL, fn, arg) == 0;
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
