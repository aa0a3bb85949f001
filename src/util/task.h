/* A piece of work run on a thread of its own when cores are to spare, else on the caller's
 * thread when its result is needed: the same work and the same result either way (export.c
 * renders a job's formats and parses its fonts so, package.c indexes a large package's tables,
 * the CLI opens the backends' libraries). */
#ifndef GONGKAI_TASK_H
#define GONGKAI_TASK_H

#include <pthread.h>
#include <stdbool.h>

typedef struct gk_task {
    void *(*fn)(void *);
    void *arg;
    pthread_t thread;
    bool threaded; /* running on its thread */
} gk_task;

/* Starts fn(arg) on a new thread when `parallel` (and a thread can be made); otherwise it runs
 * in gk_task_wait. */
void gk_task_start(gk_task *task, void *(*fn)(void *), void *arg, bool parallel);

/* Returns when the task is done: joins its thread, or runs it here. Once done (or never
 * started: a zeroed task), waiting again does nothing. */
void gk_task_wait(gk_task *task);

/* Drops the task when its result is not wanted: joins its thread, never runs it here. */
void gk_task_drop(gk_task *task);

#endif
