/* The job's shared state, for run_job.c and its journal monitor
 * (run_job_monitor.c). Fields below `lock` are guarded by it. */
#ifndef MM_SCREENS_RUN_JOB_INTERNAL_H
#define MM_SCREENS_RUN_JOB_INTERNAL_H

#include "run_job.h"

#include "milvus2/client.h"

#include <pthread.h>
#include <stdatomic.h>

typedef struct mm_runjob_names {
    char *collection, *target;
    char **tags, **partition_targets;
    size_t n_partitions;
} mm_runjob_names;

typedef struct mm_runjob_line {
    char *text;
    mm_role role;
} mm_runjob_line;

struct mm_runjob {
    /* Set before the thread starts, then read-only. */
    unsigned steps;
    mm_config cfg;
    char *config_path;
    char *filter;               /* --col list, NULL = all */
    mm_runjob_names *names;
    size_t n_names;
    pthread_t thread;
    atomic_bool cancel, finished;
    atomic_int_fast64_t last_wake_ms;

    /* The monitor thread (run_job_monitor.c). */
    pthread_t monitor;
    bool monitor_running;
    pthread_mutex_t monitor_lock;
    pthread_cond_t monitor_cond;
    bool monitor_stop;
    pthread_mutex_t poll_lock;  /* one journal read at a time (monitor or job thread) */
    mm_journal *journal;        /* the job's, while the monitor runs */
    mm_milvus *milvus;

    pthread_mutex_t lock;
    uint64_t version;
    uint64_t batches_version;
    mm_runjob_phase phase;
    mm_runjob_outcome outcome;
    mm_dump_progress dump;
    mm_load_progress load;
    bool have_load;
    double dump_t0, dump_t1, load_t0, load_t1;
    bool plan_ready;
    mm_plan plan;               /* immutable once plan_ready */
    mm_inventory inv;           /* what the plan points into, once the job thread ended */
    mm_runjob_batch *batches;
    mm_runjob_collection *collections;
    char *journal_path, *state_dir, *error;
    mm_verify_report *report;
    bool all_match;
    size_t mismatches;
    mm_runjob_line *lines;
    size_t n_lines, cap_lines;
};

void mm_runjob_touch(mm_runjob *j);
void mm_runjob_wake(mm_runjob *j, bool always);
void mm_runjob_log(mm_runjob *j, mm_role role, const char *text);

void mm_runjob_monitor_init(mm_runjob *j);
void mm_runjob_monitor_fini(mm_runjob *j);
/* Starts polling the journal (and the import tasks on milvus, may be NULL). */
void mm_runjob_monitor_start(mm_runjob *j, mm_journal *journal, mm_milvus *milvus);
/* Reads the journal now, from the job thread between steps, so what a
 * step recorded is shown before the next step starts. */
void mm_runjob_monitor_poll(mm_runjob *j);
/* Stops the monitor, then reads the journal one last time. */
void mm_runjob_monitor_stop(mm_runjob *j);

#endif
