#include "timeutil.h"

#include <errno.h>
#include <stdio.h>
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

const char *mm_format_duration(char *buf, size_t n, double seconds)
{
    if (seconds < 0)
        snprintf(buf, n, "--");
    else if (seconds >= 3600)
        snprintf(buf, n, "%dh%02dm", (int)(seconds / 3600), (int)(seconds / 60) % 60);
    else if (seconds >= 60)
        snprintf(buf, n, "%dm%02ds", (int)(seconds / 60), (int)seconds % 60);
    else
        snprintf(buf, n, "%ds", (int)(seconds + 0.5));
    return buf;
}
