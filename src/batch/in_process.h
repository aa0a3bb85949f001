/* A batch of one job runs it in the exporting process instead of a forked worker.
 *
 * Why: on the paravirtualized machines gongkai is measured on, a forked worker pays again for
 * every page it touches (the hypervisor builds each new process's page tables anew), and one
 * job in a worker took 9.3 ± 1.2 ms longer than in the process that read the package (60
 * alternating runs of the sample: 42.7 → 33.9 ms median), a quarter of a one-unit export.
 *
 * What a worker guarantees is kept. Its time limit, the grace after an interrupt and a crash
 * (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT) each end the job by running the program again in
 * place: execve keeps the process id that the caller waits for, and gives a clean process
 * however the job left this one. That run (the recovery) sees GONGKAI_FAILED_JOB in its
 * environment, reads the package again, and records the job exactly as the pool records a
 * worker that died or was killed: its temporaries swept, the same reason in the manifest and on
 * stderr, the same exit status. */
#ifndef GONGKAI_IN_PROCESS_H
#define GONGKAI_IN_PROCESS_H

#include <stdbool.h>

/* How a job run in this process ended, when this run is its recovery. */
typedef enum gk_job_end {
    GK_JOB_END_NONE,      /* not a recovery */
    GK_JOB_END_CRASH,     /* a crash signal */
    GK_JOB_END_TIMEOUT,   /* its time limit */
    GK_JOB_END_INTERRUPT, /* still running GRACE seconds after SIGINT/SIGTERM */
} gk_job_end;

/* Makes ready to run one job here: opens the program's file and installs the handlers that run
 * `argv` again as the recovery; arms the time limit (`timeout` seconds, 0: none) and says how
 * long a job may go on after an interrupt (`grace`). False when the program cannot run itself
 * again (no /proc): the job must then run in a worker. */
bool gk_in_process_begin(char *const *argv, int timeout, int grace);

/* From the SIGINT/SIGTERM handler (async-signal-safe): the job still running gets the grace. */
void gk_in_process_interrupted(int sig);

/* The job ended by itself: the time limit and the handlers are gone. */
void gk_in_process_end(void);

/* Whether this run is the recovery of a job run in this process (the same process id), and how
 * the job ended; *sig: the crash's or the interrupt's signal. */
gk_job_end gk_in_process_recovery(int *sig);

#endif
