/* Submitting import batches and waiting for their tasks, a few at a time
 * (base/pool.h): every Import is recorded in the journal before it is
 * sent and its task id as soon as Milvus answers; a staged file that is
 * not what the dump wrote is refused before its Import. */
#include "load/load_internal.h"

#include "base/pool.h"
#include "base/strbuf.h"
#include "base/timeutil.h"
#include "load/staged_check.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool mm_load_cancelled(const mm_load_state *sh)
{
    return sh->opt->cancel && atomic_load(sh->opt->cancel);
}

void mm_load_report(mm_load_state *sh, int running_delta, size_t done, int64_t rows)
{
    pthread_mutex_lock(&sh->lock);
    sh->progress.batches_running = (size_t)((long)sh->progress.batches_running + running_delta);
    sh->progress.batches_done += done;
    sh->progress.rows_done += rows;
    mm_load_progress p = sh->progress;
    pthread_mutex_unlock(&sh->lock);
    if (sh->opt->progress)
        sh->opt->progress(sh->opt->progress_ctx, &p);
}

const char *mm_load_partition_name(const mm_load_batch *j)
{
    return j->partition == 0 ? "_default" : j->c->partitions[j->partition].target_name;
}

int mm_load_record(mm_load_state *sh, mm_load_batch *j, mm_batch_state state, int64_t task, int64_t imported, mm_error *err)
{
    char task_text[24] = "";
    if (task)
        snprintf(task_text, sizeof task_text, "%" PRId64, task);
    j->b.state = state;
    j->task = task;
    j->b.imported_rows = imported;
    mm_journal_batch copy = j->b;
    copy.task_ids = task_text;
    return mm_journal_put(sh->opt->journal, &copy, err);
}

static char *batch_label(const mm_load_batch *j)
{
    return mm_asprintf("batch %s/%d of %s (partition %s)", j->b.segment, j->b.batch, j->c->target_name,
                       mm_load_partition_name(j));
}

/* Waits for a recorded task to end and records the outcome. */
static int wait_task(mm_load_state *sh, mm_load_batch *j, mm_error *err)
{
    const mm_load_options *opt = sh->opt;
    double started = mm_monotonic_seconds();
    long delay = 200, cap = opt->poll_interval_ms > 0 ? opt->poll_interval_ms : 1000;
    char *label = batch_label(j);
    int rc = 0;
    for (;;) {
        if (mm_load_cancelled(sh)) {
            rc = mm_error_set(err, MM_ERR_CANCELLED, "stopped waiting for import task %" PRId64 " (%s); it is "
                              "recorded and a re-run of load waits for it instead of importing again", j->task, label);
            break;
        }
        mm_sleep_ms(delay);
        delay = delay * 2 < cap ? delay * 2 : cap;
        mm_milvus_import_state st;
        if (mm_milvus_get_import_state(opt->milvus, j->task, &st, err) != 0) {
            mm_error_wrap(err, "waiting for import task %" PRId64 " (%s); the task is recorded, re-run load to "
                          "resume waiting", j->task, label);
            rc = -1;
            break;
        }
        if (st.missing) {
            /* Recorded as sent-but-unknown: the partition row count decides
             * (resolve_uncertain), here or in a re-run if we stop first. */
            int64_t task = j->task;
            rc = mm_load_record(sh, j, MM_BATCH_SUBMITTED, 0, 0, err);
            if (rc == 0) {
                j->forgotten = true;
                mm_emit_line(opt->log, opt->log_ctx, "import task %" PRId64 " (%s) is unknown to %s (%s): it expired or the server lost "
                            "it; the partition row count decides whether its %" PRId64 " rows arrived", task, label,
                            mm_milvus_endpoint(opt->milvus), st.failed_reason, j->b.rows);
            }
        } else if (st.state == MM_IMPORT_COMPLETED) {
            rc = mm_load_record(sh, j, MM_BATCH_IMPORTED, j->task, st.rows, err);
            if (rc == 0 && st.rows != j->b.rows)
                mm_emit_line(opt->log, opt->log_ctx, "warning: import task %" PRId64 " (%s) reports %" PRId64 " rows, %" PRId64
                            " were staged; verify will show the difference", j->task, label, st.rows, j->b.rows);
            if (rc == 0) {
                pthread_mutex_lock(&sh->lock);
                sh->res->batches_imported++;
                sh->res->rows_imported += st.rows;
                pthread_mutex_unlock(&sh->lock);
            }
        } else if (st.state == MM_IMPORT_FAILED || st.state == MM_IMPORT_FAILED_AND_CLEANED) {
            /* Milvus removes what a failed task wrote, so the batch may be sent again. */
            int64_t task = j->task;
            rc = mm_load_record(sh, j, MM_BATCH_DUMPED, 0, 0, err);
            if (rc == 0)
                rc = mm_error_set(err, MM_ERR_NETWORK, "import task %" PRId64 " (%s, files %s, %s) failed on %s: "
                                  "%s. Fix the cause and re-run load; imported batches are not imported again",
                                  task, label, j->b.id_key, j->b.data_key, mm_milvus_endpoint(opt->milvus),
                                  st.failed_reason[0] ? st.failed_reason : "no reason given");
        } else if (opt->import_timeout_s > 0 && mm_monotonic_seconds() - started > opt->import_timeout_s) {
            rc = mm_error_set(err, MM_ERR_NETWORK, "import task %" PRId64 " (%s) is still %s after %d minute(s) "
                              "(loader.importTimeoutMinutes); it is recorded, re-run load to keep waiting",
                              j->task, label, mm_milvus_import_state_name(st.state), opt->import_timeout_s / 60);
        } else {
            mm_milvus_import_state_free(&st);
            continue;
        }
        mm_milvus_import_state_free(&st);
        break;
    }
    free(label);
    return rc;
}

mm_staged_place mm_load_staged_place(const mm_load_options *opt)
{
    return (mm_staged_place){.local_root = opt->local_root, .storage = opt->storage};
}

const char mm_load_staged_fix[] = "nothing of it was imported; run `milvus-migrate dump` with the same config to "
                                 "write it again, then load";

/* Milvus refused an Import as busy: the rate limiter, or the cluster's
 * limit of unfinished import jobs (dataCoord.import.maxImportJobNum, 1024).
 * Both refuse before a job exists, so the call is repeated after waits
 * that double from 1 s to a minute, for half an hour at most. */
enum { BUSY_FIRST_WAIT_MS = 1000, BUSY_MAX_WAIT_MS = 60000, BUSY_GIVE_UP_S = 1800 };

int mm_load_import(mm_load_state *sh, const char *collection, const char *partition, const char *const *files,
                   size_t n_files, int64_t *task, mm_import_outcome *outcome, mm_error *err)
{
    const mm_load_options *opt = sh->opt;
    double started = mm_monotonic_seconds();
    long wait = BUSY_FIRST_WAIT_MS;
    for (int attempt = 1;; attempt++) {
        int rc = mm_milvus_import(opt->milvus, collection, partition, files, n_files, task, outcome, err);
        if (rc == 0 || *outcome != MM_IMPORT_BUSY)
            return rc;
        if (mm_monotonic_seconds() - started > BUSY_GIVE_UP_S)
            return mm_error_wrap(err, "Milvus stayed busy for %d minutes; nothing of %s was imported, re-run load "
                                 "later", BUSY_GIVE_UP_S / 60, files[0]);
        mm_emit_line(opt->log, opt->log_ctx, "Milvus is busy (%s); sending the Import of %s again in %ld s "
                     "(attempt %d)", err->message, files[0], wait / 1000, attempt + 1);
        for (long slept = 0; slept < wait; slept += 200) {
            if (mm_load_cancelled(sh))
                return mm_error_set(err, MM_ERR_CANCELLED, "load cancelled while Milvus was busy; nothing of %s "
                                    "was imported", files[0]);
            mm_sleep_ms(200);
        }
        wait = wait * 2 < BUSY_MAX_WAIT_MS ? wait * 2 : BUSY_MAX_WAIT_MS;
    }
}

static int submit(mm_load_state *sh, mm_load_batch *j, mm_error *err)
{
    const mm_load_options *opt = sh->opt;
    /* What Milvus is about to read must be what the dump wrote. A batch
     * that is not loses its record, so the next dump writes it again. */
    mm_staged_place place = mm_load_staged_place(opt);
    if (mm_staged_check_batch(&place, &j->b, MM_STAGED_INTACT, mm_load_staged_fix, err) != 0) {
        if (err->code != MM_ERR_NOMEM)
            mm_journal_forget_batch(opt->journal, j->b.collection, j->b.segment, j->b.batch, NULL);
        return -1;
    }
    /* Recorded as sent before sending: a crash during the call leaves a
     * batch that a re-run resolves instead of blindly sending again. */
    if (mm_load_record(sh, j, MM_BATCH_SUBMITTED, 0, 0, err) != 0)
        return -1;
    char *id_file = opt->local_root ? mm_asprintf("%s/%s", opt->local_root, j->b.id_key) : mm_strdup(j->b.id_key);
    char *data_file =
        opt->local_root ? mm_asprintf("%s/%s", opt->local_root, j->b.data_key) : mm_strdup(j->b.data_key);
    const char *files[] = {id_file, data_file};
    int64_t task = 0;
    j->sent_here = true;
    j->forgotten = false;
    mm_import_outcome outcome;
    int rc = mm_load_import(sh, j->c->target_name, mm_load_partition_name(j), files, 2, &task, &outcome, err);
    free(id_file);
    free(data_file);
    if (rc != 0) {
        if (outcome != MM_IMPORT_UNCERTAIN)
            mm_load_record(sh, j, MM_BATCH_DUMPED, 0, 0, NULL);
        else
            mm_error_wrap(err, "the Import call may or may not have reached Milvus; a re-run of load finds out "
                          "before sending it again%s", mm_milvus_late_jobs(opt->milvus) ? " (waiting "
                          "loader.settleSeconds first, as Milvus 2.6 and later can still create its job)" : "");
        return -1;
    }
    return mm_load_record(sh, j, MM_BATCH_SUBMITTED, task, 0, err);
}

/* One batch of the phase: wait for its recorded task, or submit it and
 * wait; a batch the phase does not want is passed over. */
static int handle_batch(void *ctx, void *local, size_t item, mm_error *err)
{
    (void)local;
    mm_load_state *sh = ctx;
    mm_load_batch *j = &sh->jobs[item];
    bool wanted = sh->submit ? j->b.state == MM_BATCH_DUMPED : j->b.state == MM_BATCH_SUBMITTED && j->task != 0;
    if (!wanted)
        return 0;
    mm_load_report(sh, 1, 0, 0);
    int rc = sh->submit ? submit(sh, j, err) : 0;
    if (rc == 0)
        rc = wait_task(sh, j, err);
    bool done = rc == 0 && j->b.state == MM_BATCH_IMPORTED;
    mm_load_report(sh, -1, done ? 1 : 0, done ? j->b.rows : 0);
    return rc;
}

static bool load_cancelled(void *ctx)
{
    return mm_load_cancelled(ctx);
}

int mm_load_run_workers(mm_load_state *sh, bool submit_phase, mm_error *err)
{
    sh->submit = submit_phase;
    int workers = sh->opt->workers > 0 ? sh->opt->workers : 1;
    mm_pool_options pool = {
        .items = sh->n_jobs, .threads = workers > MM_LOAD_MAX_WORKERS ? MM_LOAD_MAX_WORKERS : workers,
        .run = handle_batch, .stopped = load_cancelled, .ctx = sh,
    };
    if (mm_pool_run(&pool, err) != 0)
        return -1;
    if (mm_load_cancelled(sh))
        return mm_error_set(err, MM_ERR_CANCELLED, "load cancelled; recorded tasks are waited for by a re-run");
    return 0;
}
