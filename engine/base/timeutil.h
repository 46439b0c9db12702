/* Waiting and measuring for retries and polls. */
#ifndef MM_TIMEUTIL_H
#define MM_TIMEUTIL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

/* Sleeps ms milliseconds, resuming after signal interruptions, and ending
 * early once the interrupt flag (below) is set, so that a retry backoff or
 * a poll never holds up a command the user interrupted. */
void mm_sleep_ms(long ms);
/* The flag SIGINT/SIGTERM set (the program's handler owns it); NULL: none.
 * Waits already under way see it within 50 ms. */
void mm_sleep_set_interrupt(const atomic_bool *flag);
/* The flag is set: retry loops stop retrying. */
bool mm_sleep_interrupted(void);
/* Seconds on the monotonic clock, for elapsed-time checks. */
double mm_monotonic_seconds(void);
/* "45s", "3m07s", "2h05m"; "--" for a negative value (not known). */
const char *mm_format_duration(char *buf, size_t n, double seconds);

#endif
