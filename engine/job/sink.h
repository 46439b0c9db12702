/* Where a job reports: ONE interface for every message, warning, summary
 * and progress event of the steps (the way ncdu's dir_output serves its
 * front ends). The command line implements it as lines on stderr and
 * summaries on stdout; the wizard as its log and progress bars. Nothing
 * below the front ends prints.
 *
 * Callbacks may be called from worker threads, concurrently; each call is
 * one complete event. Any callback may be NULL. */
#ifndef MM_JOB_SINK_H
#define MM_JOB_SINK_H

#include "dump/dump.h"
#include "load/load.h"
#include "verify_content.h"

#include <stdatomic.h>
#include <stddef.h>

typedef enum {
    MM_SINK_NOTE,     /* what happened, for the record */
    MM_SINK_WARNING,  /* something the user must know; the job goes on */
    MM_SINK_SUMMARY   /* the result of a step */
} mm_sink_level;

typedef struct mm_sink_ops {
    /* One line without a newline. step names the part of the job it comes
     * from ("dump", "load", or the command for the job as a whole), or is
     * NULL for a warning about the job's setup. */
    void (*message)(void *ctx, mm_sink_level level, const char *step, const char *text);
    /* A step ("dump", "load", "verify") starts: its progress follows. */
    void (*step_started)(void *ctx, const char *step);
    void (*dump_progress)(void *ctx, const mm_dump_progress *p);
    void (*load_progress)(void *ctx, const mm_load_progress *p);
    /* Segments of the source read so far (inspect, the wizard's test). */
    void (*scan_progress)(void *ctx, size_t done, size_t total);
    /* The verification's content sample: partitions and rows read back. */
    void (*verify_progress)(void *ctx, const mm_verify_progress *p);
} mm_sink_ops;

typedef struct mm_sink {
    const mm_sink_ops *ops;
    void *ctx;
    atomic_bool *cancel;    /* set by the front end to stop the job; may be NULL */
} mm_sink;

void mm_sink_message(const mm_sink *sink, mm_sink_level level, const char *step, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* An engine event line ("warning: ..." marks a warning) as a message. */
void mm_sink_event(const mm_sink *sink, const char *step, const char *line);
bool mm_sink_cancelled(const mm_sink *sink);
void mm_sink_step_started(const mm_sink *sink, const char *step);

#endif
