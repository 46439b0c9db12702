/* The command line's sink (job/sink.h): events and warnings as lines on
 * stderr ("dump: ...", "warning: ..."), summaries on stdout, progress on
 * stderr at most once a second (for logs and pipes, not a terminal UI),
 * and SIGINT/SIGTERM as the job's cancel flag. */
#ifndef MM_CLI_OUTPUT_H
#define MM_CLI_OUTPUT_H

#include "job/sink.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

typedef struct mm_cli_output {
    pthread_mutex_t lock;
    struct timespec dump_started, last_dump, last_load, last_verify;
    bool scan_progress;         /* stderr is a terminal: "scanning segments: n/m" */
    mm_sink sink;
} mm_cli_output;

/* Set by SIGINT/SIGTERM once mm_cli_catch_signals ran. */
extern atomic_bool mm_cli_interrupted;
void mm_cli_catch_signals(void);

/* Sets out up; out->sink is then the sink to hand to the job. */
void mm_cli_output_init(mm_cli_output *out);
void mm_cli_output_fini(mm_cli_output *out);

#endif
