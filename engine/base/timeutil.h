/* Waiting and measuring for retries and polls. */
#ifndef MM_TIMEUTIL_H
#define MM_TIMEUTIL_H

#include <stddef.h>

/* Sleeps ms milliseconds, resuming after signal interruptions. */
void mm_sleep_ms(long ms);
/* Seconds on the monotonic clock, for elapsed-time checks. */
double mm_monotonic_seconds(void);
/* "45s", "3m07s", "2h05m"; "--" for a negative value (not known). */
const char *mm_format_duration(char *buf, size_t n, double seconds);

#endif
