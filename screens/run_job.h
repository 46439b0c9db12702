/* The wizard's background job: dump, load and verify (any of them, in that
 * order) with the configuration being edited, on a task (base/task.h),
 * through the same job layer as the headless `run` (job/job.h).
 *
 * Threads: the task runs the steps; the engine's own workers report
 * through the job's sink, which this module implements; the journal
 * monitor (job/monitor.h) reads the journal (and, while loading, the state
 * of running import tasks) a few times a second. All of them publish into
 * the job under its mutex and wake the UI with mm_tui_wake (at most ~20
 * times a second). Only the UI thread calls mm_runjob_update, which copies
 * what changed into a view the screen draws without locking. Cancelling
 * sets the flag the engine checks between batches; free cancels and joins. */
#ifndef MM_SCREENS_RUN_JOB_H
#define MM_SCREENS_RUN_JOB_H

#include "base/error.h"
#include "job/monitor.h"
#include "job/sink.h"
#include "plan.h"
#include "shell.h"
#include "tui/widget_log.h"
#include "verify.h"

#include <stdbool.h>
#include <stdint.h>

enum {
    MM_RUNJOB_DUMP = 1u,
    MM_RUNJOB_LOAD = 2u,
    MM_RUNJOB_VERIFY = 4u,
    /* The user agreed to load collections that are not loaded for the
     * content sample (as verify.loadForSample: true). */
    MM_RUNJOB_LOAD_FOR_SAMPLE = 8u
};

typedef enum {
    MM_RUNJOB_OPENING,      /* reading the source, opening the journal */
    MM_RUNJOB_CONNECTING,   /* to Milvus 2.x */
    MM_RUNJOB_DUMPING,
    MM_RUNJOB_LOADING,
    MM_RUNJOB_VERIFYING,
    MM_RUNJOB_CLEANING,     /* loader.deleteStagedFiles */
    MM_RUNJOB_DONE
} mm_runjob_phase;

/* DECLINED: the user did not confirm what the run would lose; it stopped
 * before changing anything. */
typedef enum {
    MM_RUNJOB_OK,
    MM_RUNJOB_MISMATCH,
    MM_RUNJOB_FAILED,
    MM_RUNJOB_CANCELLED,
    MM_RUNJOB_DECLINED
} mm_runjob_outcome;


/* What the UI draws. Owned by the UI; plan points into the job. */
typedef struct mm_runjob_view {
    uint64_t version;
    uint64_t batches_version;       /* changes only when a batch or collection row does */
    unsigned steps;
    mm_runjob_phase phase;
    mm_runjob_outcome outcome;      /* when phase is DONE */
    mm_dump_progress dump;
    mm_load_progress load;
    bool dump_started, load_started;
    double dump_seconds, load_seconds; /* elapsed in the step (so far) */
    const mm_plan *plan;            /* NULL until the source is read */
    mm_monitor_batch *batches;      /* plan->n_batches */
    /* Per collection: recomputed from batches with the totals in dump and
     * load (run_progress.h), so that they add up in every frame. */
    mm_monitor_collection *collections;
    uint64_t monitor_version;       /* of the monitor's state copied last */
    char *error;                    /* why it failed or stopped */
    char *journal_path;
    bool all_match;                 /* verified and every count matched */
    size_t mismatches;
    /* The content sample while the verification reads it back; where is
     * the 2.x collection.partition being read. */
    bool sampling;
    mm_verify_progress sample;
    char sample_where[256];
} mm_runjob_view;

typedef struct mm_runjob mm_runjob;

/* Starts the steps with a copy of app's configuration, its collection
 * selection and its 2.x names. */
mm_runjob *mm_runjob_start(const mm_app *app, unsigned steps, mm_error *err);
/* Cancels; a question waiting for its answer ends with it. */
void mm_runjob_cancel(mm_runjob *job);
/* What the run would lose, while the job waits for the user's answer
 * ("- ..." lines, malloc'd), or NULL; *id tells one question from the next. */
char *mm_runjob_question(mm_runjob *job, uint64_t *id);
/* The journal was discarded as app->restart asked (the next run resumes). */
bool mm_runjob_restarted(mm_runjob *job);
/* The answer to question id: yes goes on, no stops before anything changed. */
void mm_runjob_answer(mm_runjob *job, uint64_t id, bool yes);
bool mm_runjob_cancelled(mm_runjob *job);
/* The job thread has ended (its results are final). */
bool mm_runjob_finished(mm_runjob *job);
/* Copies what changed into view and moves new log lines into log; returns
 * whether anything changed. */
bool mm_runjob_update(mm_runjob *job, mm_runjob_view *view, mm_log *log);
void mm_runjob_view_fini(mm_runjob_view *view);
/* After the job finished: its verification report (the caller owns it and
 * frees it with mm_verify_report_free + free), or NULL. */
mm_verify_report *mm_runjob_take_report(mm_runjob *job);
/* The state directory of the job (for report.json), or NULL before it opened. */
const char *mm_runjob_state_dir(mm_runjob *job);
/* Cancels, joins and frees. */
void mm_runjob_free(mm_runjob *job);

#endif
