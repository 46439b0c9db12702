/* Shared by the load's files, layered so that none calls back into one
 * above it:
 *   load.c            the run: the batches of the journal, the checks before
 *                     anything is created, the rounds of settling and sending
 *   load_reconcile.c  exactly once: interrupted or forgotten Imports
 *   load_submit.c     submitting batches and waiting for their tasks
 *   load_target.c     collections, partitions and indexes in Milvus 2.x */
#ifndef MM_LOAD_INTERNAL_H
#define MM_LOAD_INTERNAL_H

#include "load/load.h"
#include "load/staged_check.h"
#include "plan.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>

enum { MM_LOAD_MAX_WORKERS = 32 };

/* One batch of the journal to import (or imported already). */
typedef struct mm_load_batch {
    mm_journal_batch b;
    const mm_collection_info *c;
    size_t partition;           /* index into c->partitions */
    int64_t task;               /* 0 = none recorded */
    bool forgotten;             /* Milvus said it no longer knows the task (this run) */
    bool sent_here;             /* Import sent by this run */
} mm_load_batch;

/* What the steps of a load share. */
typedef struct mm_load_state {
    const mm_load_options *opt;
    mm_load_batch *jobs;
    size_t n_jobs;
    bool *skipped;              /* per inventory collection */
    mm_batch_plan *plan;
    size_t stale;               /* batches of the journal left out as stale */
    bool preflight;             /* the checks before anything is created: no log */
    bool submit;                /* phase: submit new Imports, or only wait for recorded ones */
    pthread_mutex_t lock;       /* guards progress and res */
    mm_load_progress progress;
    mm_load_result *res;
} mm_load_state;

/* ---- load_target.c ---- */
/* Makes sure the 2.x collection of c and its partitions exist as the policy
 * says, recording the decision (and row-count baselines) in the journal.
 * *skipped is set when the policy leaves the collection alone. */
int mm_load_prepare_collection(const mm_load_options *opt, const mm_collection_info *c, bool *skipped,
                               mm_load_result *res, mm_error *err);

/* Builds the index of a collection created by this job, if asked. */
int mm_load_create_index(const mm_load_options *opt, const mm_collection_info *c, mm_load_result *res,
                         mm_error *err);

/* ---- load_submit.c ---- */
/* Where the staged files are, and what to do about one that is not as the
 * dump wrote it. */
mm_staged_place mm_load_staged_place(const mm_load_options *opt);
extern const char mm_load_staged_fix[];
bool mm_load_cancelled(const mm_load_state *sh);
void mm_load_report(mm_load_state *sh, int running_delta, size_t done, int64_t rows);
const char *mm_load_partition_name(const mm_load_batch *j);
/* Records the batch's state (and task) in the journal. */
int mm_load_record(mm_load_state *sh, mm_load_batch *j, mm_batch_state state, int64_t task, int64_t imported,
                   mm_error *err);
/* One Import, sent again while Milvus answers that it is busy (logged);
 * returns as mm_milvus_import. */
int mm_load_import(mm_load_state *sh, const char *collection, const char *partition, const char *const *files,
                   size_t n_files, int64_t *task, mm_import_outcome *outcome, mm_error *err);
/* One phase over the batches: submit_phase sends every batch still to
 * import and waits for it, otherwise only recorded tasks are waited for. */
int mm_load_run_workers(mm_load_state *sh, bool submit_phase, mm_error *err);

/* ---- load_reconcile.c ---- */
/* Waits until Milvus runs no task of the collection, then matches its
 * uncertain batches to listed tasks or to the partitions' row counts. */
int mm_load_resolve_uncertain(mm_load_state *sh, const mm_collection_info *c, mm_error *err);

#endif
