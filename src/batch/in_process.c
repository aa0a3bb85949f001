/* A batch of one job, run in the exporting process; see in_process.h. */
#define _GNU_SOURCE /* fexecve, environ */
#include "batch/in_process.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The environment variable that makes a run the recovery: PID:END:SIGNAL */
#define NOTE "GONGKAI_FAILED_JOB="

static const int crash_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
enum { CRASH_SIGNALS = sizeof crash_signals / sizeof *crash_signals };

/* What the handlers read: made before the job, so that they allocate nothing */
static struct {
    volatile sig_atomic_t active;    /* a job is running here */
    volatile sig_atomic_t interrupt; /* SIGINT/SIGTERM came while it ran (its number) */
    int self;                        /* the program's file: run again even if its path changed */
    char *const *argv;
    char **envp;                     /* the environment, with `note` as GONGKAI_FAILED_JOB */
    char note[96];
    int timeout, grace;
    struct timespec started;
    sigset_t mask; /* the recovery's: the caller's, SIGINT and SIGTERM blocked (batch.c) */
    struct sigaction saved_crash[CRASH_SIGNALS], saved_alarm;
    stack_t saved_stack;
} job = {.self = -1};

/* A stack for the handlers: a crash may be a stack overflow */
static char handler_stack[64 * 1024];

static void append(char **at, const char *text)
{
    while (*text != '\0')
        *(*at)++ = *text++;
}

static void append_number(char **at, long n)
{
    char digits[24];
    int count = 0;
    do
        digits[count++] = (char)('0' + n % 10);
    while ((n /= 10) > 0);
    while (count > 0)
        *(*at)++ = digits[--count];
}

/* Runs the program again in place as the recovery (async-signal-safe); returns only when
 * that failed. */
static void run_recovery(const char *end, int sig)
{
    char *at = job.note + sizeof NOTE - 1;
    append_number(&at, (long)getpid());
    *at++ = ':';
    append(&at, end);
    *at++ = ':';
    append_number(&at, sig);
    *at = '\0';
    sigprocmask(SIG_SETMASK, &job.mask, NULL);
    fexecve(job.self, job.argv, job.envp);
}

static void on_crash(int sig)
{
    run_recovery("crash", sig);
    /* it could not run: end as the signal would have ended it */
    signal(sig, SIG_DFL);
    raise(sig);
}

/* The time limit, or the grace after an interrupt, is over: which one is decided as the pool
 * decides it for a worker (batch.c kill_overdue): the time limit when it has passed. */
static void on_alarm(int sig)
{
    (void)sig;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long long ran = (long long)(now.tv_sec - job.started.tv_sec) * 1000000000LL +
                    (now.tv_nsec - job.started.tv_nsec);
    if (job.interrupt == 0 || (job.timeout > 0 && ran >= job.timeout * 1000000000LL))
        run_recovery("timeout", 0);
    else
        run_recovery("interrupt", job.interrupt);
    _exit(1);
}

/* The environment with the note in place of any inherited GONGKAI_FAILED_JOB */
static char **recovery_environment(void)
{
    size_t count = 0;
    while (environ[count] != NULL)
        count++;
    char **envp = malloc((count + 2) * sizeof *envp);
    if (envp == NULL)
        return NULL;
    size_t kept = 0;
    for (size_t i = 0; i < count; i++)
        if (strncmp(environ[i], NOTE, strlen(NOTE)) != 0)
            envp[kept++] = environ[i];
    memcpy(job.note, NOTE, sizeof NOTE);
    envp[kept++] = job.note;
    envp[kept] = NULL;
    return envp;
}

static void install_handlers(void)
{
    /* a stack already there (a sanitizer's, sized for its reports) is kept */
    stack_t stack = {.ss_sp = handler_stack, .ss_size = sizeof handler_stack};
    if (sigaltstack(NULL, &job.saved_stack) == 0 && (job.saved_stack.ss_flags & SS_DISABLE))
        sigaltstack(&stack, NULL);
    struct sigaction action = {.sa_handler = on_crash, .sa_flags = SA_ONSTACK};
    sigfillset(&action.sa_mask); /* nothing else runs in a handler that replaces the process */
    /* a handler already there (a sanitizer's: it reports, then aborts) is kept: its abort
     * comes here, as it would end a worker */
    for (int i = 0; i < CRASH_SIGNALS; i++)
        if (sigaction(crash_signals[i], NULL, &job.saved_crash[i]) == 0 &&
            !(job.saved_crash[i].sa_flags & SA_SIGINFO) &&
            job.saved_crash[i].sa_handler == SIG_DFL)
            sigaction(crash_signals[i], &action, NULL);
    action.sa_handler = on_alarm;
    sigaction(SIGALRM, &action, &job.saved_alarm);
}

bool gk_in_process_begin(char *const *argv, int timeout, int grace)
{
    if (argv == NULL)
        return false;
    job.self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (job.self < 0)
        return false;
    job.envp = recovery_environment();
    if (job.envp == NULL) {
        close(job.self);
        job.self = -1;
        return false;
    }
    job.argv = argv;
    job.timeout = timeout;
    job.grace = grace;
    job.interrupt = 0;
    sigprocmask(SIG_SETMASK, NULL, &job.mask);
    install_handlers();
    clock_gettime(CLOCK_MONOTONIC, &job.started);
    job.active = 1;
    if (timeout > 0)
        alarm((unsigned)timeout);
    return true;
}

void gk_in_process_interrupted(int sig)
{
    if (!job.active || job.interrupt != 0)
        return;
    job.interrupt = sig;
    unsigned left = alarm(0); /* the time limit, when it comes first, stays */
    alarm(left != 0 && left < (unsigned)job.grace ? left : (unsigned)job.grace);
}

void gk_in_process_end(void)
{
    alarm(0);
    job.active = 0;
    for (int i = 0; i < CRASH_SIGNALS; i++)
        sigaction(crash_signals[i], &job.saved_crash[i], NULL);
    sigaction(SIGALRM, &job.saved_alarm, NULL);
    sigaltstack(&job.saved_stack, NULL);
    close(job.self);
    job.self = -1;
    free(job.envp);
    job.envp = NULL;
}

gk_job_end gk_in_process_recovery(int *sig)
{
    const char *note = getenv("GONGKAI_FAILED_JOB");
    *sig = 0;
    if (note == NULL)
        return GK_JOB_END_NONE;
    char *end;
    long pid = strtol(note, &end, 10);
    if (pid != (long)getpid() || *end != ':') /* another process's note: not this one's */
        return GK_JOB_END_NONE;
    static const struct {
        const char *word;
        gk_job_end end;
    } ends[] = {{"crash:", GK_JOB_END_CRASH},
                {"timeout:", GK_JOB_END_TIMEOUT},
                {"interrupt:", GK_JOB_END_INTERRUPT}};
    for (size_t i = 0; i < sizeof ends / sizeof *ends; i++)
        if (strncmp(end + 1, ends[i].word, strlen(ends[i].word)) == 0) {
            *sig = atoi(end + 1 + strlen(ends[i].word));
            return ends[i].end;
        }
    return GK_JOB_END_NONE;
}
