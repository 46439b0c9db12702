/* The journal monitor of a running job: the steps report totals, the
 * journal knows each batch, so a small thread reads it a few times a second
 * (the journal serialises its readers and writers) and, while loading,
 * asks Milvus how far its running import tasks are. The wizard shows what
 * it finds per batch and per collection. */
#ifndef MM_JOB_MONITOR_H
#define MM_JOB_MONITOR_H

#include "journal.h"
#include "milvus2/client.h"
#include "plan.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct mm_monitor_batch {
    mm_batch_state state;   /* from the journal; PENDING until dumped */
    int64_t task;           /* Import task id, 0 = none */
    int import_state;       /* Milvus ImportState of a running task, -1 = not known */
    int import_progress;
    int64_t imported_rows;
} mm_monitor_batch;

typedef struct mm_monitor_collection {
    int64_t dumped, imported;   /* rows, from the journal */
} mm_monitor_collection;

typedef struct mm_monitor mm_monitor;

typedef struct mm_monitor_options {
    const mm_plan *plan;        /* the batches to follow; kept unchanged while the monitor lives */
    mm_journal *journal;
    mm_milvus *milvus;          /* for the state of running import tasks; may be NULL */
    /* Whether import tasks run now (asked before asking Milvus). May be NULL. */
    bool (*loading)(void *ctx);
    /* Something changed (on the monitor's thread, or the caller's for
     * mm_monitor_poll). May be NULL. */
    void (*changed)(void *ctx);
    void *ctx;
} mm_monitor_options;

/* Starts polling on a thread of its own; NULL when out of memory. Without
 * a thread, mm_monitor_poll still works. */
mm_monitor *mm_monitor_start(const mm_monitor_options *opt);
/* Reads the journal now (between steps, so what a step recorded is shown
 * before the next one starts). */
void mm_monitor_poll(mm_monitor *m);
/* Stops the thread, then reads the journal one last time. The journal and
 * client are not used after this. */
void mm_monitor_stop(mm_monitor *m);
/* When the state changed since *version: copies the plan's batches and
 * collections into the arrays given and updates *version. */
bool mm_monitor_copy(mm_monitor *m, uint64_t *version, mm_monitor_batch *batches,
                     mm_monitor_collection *collections);
/* Stops if needed and frees; NULL is ignored. */
void mm_monitor_free(mm_monitor *m);

/* "Completed", "ImportPending" ...: a Milvus import state in words. */
const char *mm_monitor_import_state_name(int state);

#endif
