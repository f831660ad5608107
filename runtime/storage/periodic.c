/*
 * storage/periodic.c: a background thread calling a function periodically
 * (see periodic.h).
 */
#include "storage/periodic.h"

#include <errno.h>
#include <time.h>

#include "common/error.h"

static void *periodic_main(void *arg)
{
    SdbPeriodic *p = arg;
    pthread_mutex_lock(&p->lock);
    while (!p->stop) {
        struct timespec deadline;
        clock_gettime(CLOCK_REALTIME, &deadline);
        uint64_t ns = (uint64_t)deadline.tv_nsec + (uint64_t)p->period_ms * 1000000u;
        deadline.tv_sec += (time_t)(ns / 1000000000u);
        deadline.tv_nsec = (long)(ns % 1000000000u);
        while (!p->stop && pthread_cond_timedwait(&p->wake, &p->lock, &deadline) != ETIMEDOUT) {
        }
        if (p->stop)
            break;
        pthread_mutex_unlock(&p->lock);
        p->tick(p->arg);
        pthread_mutex_lock(&p->lock);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

void sdb_periodic_init(SdbPeriodic *p)
{
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->wake, NULL);
    p->running = false;
    p->stop = false;
}

int sdb_periodic_start(SdbPeriodic *p, const char *what, uint32_t period_ms, SdbPeriodicTick tick, void *arg)
{
    int rc = SDB_OK;
    pthread_mutex_lock(&p->lock);
    if (!p->running) {
        p->period_ms = period_ms > 0 ? period_ms : 1;
        p->tick = tick;
        p->arg = arg;
        p->stop = false;
        int err = pthread_create(&p->thread, NULL, periodic_main, p);
        if (err != 0)
            rc = sdb_error_errno(err, "could not start the %s thread", what);
        else
            p->running = true;
    }
    pthread_mutex_unlock(&p->lock);
    return rc;
}

void sdb_periodic_stop(SdbPeriodic *p)
{
    pthread_mutex_lock(&p->lock);
    bool running = p->running;
    p->stop = true;
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->lock);
    if (running) {
        pthread_join(p->thread, NULL);
        pthread_mutex_lock(&p->lock);
        p->running = false;
        pthread_mutex_unlock(&p->lock);
    }
}

void sdb_periodic_destroy(SdbPeriodic *p)
{
    sdb_periodic_stop(p);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->wake);
}
