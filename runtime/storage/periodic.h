/*
 * storage/periodic.h: a background thread that calls a function at a fixed
 * period until it is stopped (the buffer pool's background writer, the
 * checkpointer).
 *
 * Thread safety: start, stop and destroy are called by the owner, one
 * at a time (from any thread).  The tick runs in the background thread
 * with no lock of this module held.
 */
#ifndef SDB_PERIODIC_H
#define SDB_PERIODIC_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

typedef void (*SdbPeriodicTick)(void *arg);

/* Embedded in its owner; fields are private to periodic.c. */
typedef struct SdbPeriodic {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t thread;
    bool running;
    bool stop;
    uint32_t period_ms;
    SdbPeriodicTick tick;
    void *arg;
} SdbPeriodic;

/* Prepare `p` (no thread yet). */
void sdb_periodic_init(SdbPeriodic *p);

/* Start the thread: it waits `period_ms` (at least 1), calls tick(arg),
 * and again, until stopped.  A no-op when it runs already.  `what` names
 * the thread in the error when it cannot be created. */
int sdb_periodic_start(SdbPeriodic *p, const char *what, uint32_t period_ms, SdbPeriodicTick tick, void *arg);

/* Stop the thread and wait for it (a tick in progress finishes first).  A
 * no-op when it is not running. */
void sdb_periodic_stop(SdbPeriodic *p);

/* Stop, then release the lock and condition. */
void sdb_periodic_destroy(SdbPeriodic *p);

#endif /* SDB_PERIODIC_H */
