/*
 * bench/bench_spin.c: --busy-cpus: keep every CPU from going idle while the
 * benchmark runs.
 *
 * On a virtual machine a thread that waits for a short I/O (an fdatasync of
 * one 4 kB page) lets its vCPU halt, and waking the vCPU when the I/O
 * completes can take the host milliseconds: a single committer then measures
 * the hypervisor's wake-up latency rather than the disk (bench/README.md,
 * "Reading the commit numbers").  With --busy-cpus one child process per
 * CPU spins at SCHED_IDLE priority: it runs only when nothing else wants
 * that CPU, so it takes no time from the benchmark or anyone else, but the
 * vCPUs never halt.  The children are separate processes so the benchmark's
 * own CPU time (the "cores" column) does not include them, and they die
 * with the benchmark (PR_SET_PDEATHSIG).
 */
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define MAX_SPINNERS 256

static pid_t spinners[MAX_SPINNERS];
static int spinner_count;

/* The child: lowest priority, die with the parent, spin. */
static void spin_forever(void)
{
    struct sched_param param = {.sched_priority = 0};
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    sched_setscheduler(0, SCHED_IDLE, &param);
    for (volatile unsigned long n = 0;; n++)
        ;
}

int bench_spin_start(void)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    fflush(stdout);
    fflush(stderr);
    for (long i = 0; i < cpus && spinner_count < MAX_SPINNERS; i++) {
        pid_t pid = fork();
        if (pid < 0)
            return spinner_count;
        if (pid == 0)
            spin_forever();
        spinners[spinner_count++] = pid;
    }
    return spinner_count;
}

void bench_spin_stop(void)
{
    for (int i = 0; i < spinner_count; i++)
        kill(spinners[i], SIGKILL);
    for (int i = 0; i < spinner_count; i++)
        waitpid(spinners[i], NULL, 0);
    spinner_count = 0;
}
