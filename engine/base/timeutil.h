/* Waiting and measuring for retries and polls. */
#ifndef MM_TIMEUTIL_H
#define MM_TIMEUTIL_H

/* Sleeps ms milliseconds, resuming after signal interruptions. */
void mm_sleep_ms(long ms);
/* Seconds on the monotonic clock, for elapsed-time checks. */
double mm_monotonic_seconds(void);

#endif
