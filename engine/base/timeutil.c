#include "timeutil.h"

#include <errno.h>
#include <time.h>

static const atomic_bool *_Atomic interrupt_flag;

void mm_sleep_set_interrupt(const atomic_bool *flag)
{
    atomic_store(&interrupt_flag, flag);
}

bool mm_sleep_interrupted(void)
{
    const atomic_bool *flag = atomic_load(&interrupt_flag);
    return flag && atomic_load(flag);
}

static void sleep_slice(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

void mm_sleep_ms(long ms)
{
    /* In slices: the flag is looked at between them. */
    while (ms > 0 && !mm_sleep_interrupted()) {
        long slice = ms < 50 ? ms : 50;
        sleep_slice(slice);
        ms -= slice;
    }
}

double mm_monotonic_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
