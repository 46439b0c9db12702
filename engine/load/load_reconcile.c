/* Exactly once (load_reconcile.h): batches whose Import may have been sent
 * without its answer reaching the journal, or whose task Milvus forgot,
 * are matched to listed tasks or to partition row counts before anything
 * is sent again. */
#include "load/load_reconcile.h"

#include "base/remedy.h"
#include "base/strbuf.h"
#include "base/timeutil.h"
#include "load/load_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

bool mm_load_task_lists_file(const char *files, const char *key)
{
    size_t n = strlen(key);
    for (const char *p = files ? strstr(files, key) : NULL; p; p = strstr(p + 1, key))
        if (p[n] == '\0' || p[n] == ',')
            return true;
    return false;
}

/* Every subset, as a bit mask: n is at most MM_LOAD_SUBSET_MAX (65536 sums). */
static long fitting(const int64_t *rows, size_t n, int64_t arrived, int64_t *found)
{
    if (n > MM_LOAD_SUBSET_MAX)
        return -1;
    long matches = 0;
    for (uint32_t mask = 0; mask < (1u << n); mask++) {
        int64_t sum = 0;
        for (size_t i = 0; i < n; i++)
            if (mask & (1u << i))
                sum += rows[i];
        if (sum == arrived) {
            *found = mask;
            matches++;
        }
    }
    return matches;
}

int64_t mm_load_arrived_subset(const int64_t *rows, size_t n, int64_t arrived)
{
    int64_t found = -1;
    return fitting(rows, n, arrived, &found) == 1 ? found : -1;
}

long mm_load_fitting_subsets(const int64_t *rows, size_t n, int64_t arrived)
{
    int64_t found;
    return fitting(rows, n, arrived, &found);
}

/* A failed job's rows stay in the statistics until DataCoord's import
 * checker fails its tasks and the inspector drops their segments, each on
 * a 2 s tick (internal/datacoord/import_checker.go 468-488,
 * import_inspector.go 132-152 on 2.6; statistics count every segment not
 * dropped, meta.go isSegmentHealthy 2090-2095): a count is taken only when
 * two reads this far apart agree, with no import running in between.
 * Import v2 (2.4 on) works this way; 2.2 and 2.3 count a task's rows only
 * once it persisted. */
enum { COUNT_SETTLED_MS = 5000, COUNT_SETTLED_SINCE_GENERATION = 24 };
/* Rounds of reading counts that moved before giving up. */
enum { COUNT_ROUNDS = 60 };

/* Sleeps ms in short steps; false when the load was cancelled meanwhile. */
static bool pause_ms(mm_load_state *sh, long ms)
{
    for (long slept = 0; slept < ms; slept += 200) {
        if (mm_load_cancelled(sh))
            return false;
        mm_sleep_ms(ms - slept < 200 ? ms - slept : 200);
    }
    return !mm_load_cancelled(sh);
}

/* Lists the collection's import tasks until none runs; *tasks keeps the
 * last listing. */
static int wait_idle(mm_load_state *sh, const mm_collection_info *c, double started, mm_milvus_task_info **tasks,
                     size_t *n_tasks, mm_error *err)
{
    const mm_load_options *opt = sh->opt;
    for (;;) {
        mm_milvus_task_infos_free(*tasks, *n_tasks);
        *tasks = NULL;
        *n_tasks = 0;
        if (mm_milvus_list_import_tasks(opt->milvus, c->target_name, tasks, n_tasks, err) != 0)
            return -1;
        bool running = false;
        for (size_t t = 0; t < *n_tasks; t++)
            running |= !mm_milvus_import_state_final((*tasks)[t].state);
        if (!running)
            return 0;
        if (mm_load_cancelled(sh))
            return mm_error_set(err, MM_ERR_CANCELLED, "load cancelled");
        if (opt->import_timeout_s > 0 && mm_monotonic_seconds() - started > opt->import_timeout_s)
            return mm_error_set(err, MM_ERR_NETWORK, "import tasks of %s are still running after %d minute(s); "
                                "re-run load later", c->target_name, opt->import_timeout_s / 60);
        mm_sleep_ms(opt->poll_interval_ms > 0 ? opt->poll_interval_ms : 1000);
    }
}

/* The row count of every partition of c with uncertain batches (-1 for
 * the others), once it holds still: read, wait COUNT_SETTLED_MS with no
 * import of the collection running, read again, until both agree. */
static int settled_counts(mm_load_state *sh, const mm_collection_info *c, double started, int64_t *counts,
                          mm_error *err)
{
    const mm_load_options *opt = sh->opt;
    bool window = mm_milvus_generation(opt->milvus) >= COUNT_SETTLED_SINCE_GENERATION;
    mm_milvus_task_info *tasks = NULL;
    size_t n_tasks = 0;
    int rc = 0;
    for (int round = 0; rc == 0; round++) {
        bool moved = false;
        for (size_t p = 0; rc == 0 && p < c->n_partitions; p++) {
            bool pending = false;
            for (size_t i = 0; i < sh->n_jobs; i++)
                pending |= sh->jobs[i].c == c && sh->jobs[i].partition == p &&
                           sh->jobs[i].b.state == MM_BATCH_SUBMITTED && sh->jobs[i].task == 0;
            int64_t now = -1;
            if (pending)
                rc = mm_milvus_partition_rows(opt->milvus, c->target_name, p == 0 ? "_default" :
                                              c->partitions[p].target_name, &now, err);
            moved |= round > 0 && now != counts[p];
            counts[p] = now;
        }
        if (rc != 0 || !window || (round > 0 && !moved))
            break;
        if (round >= COUNT_ROUNDS) {
            rc = mm_error_set(err, MM_ERR_NETWORK, "the row counts of %s on %s kept changing for %d rounds of %d s "
                              "with no import of it running; nothing was sent again. Find out what else writes to "
                              "the collection, then re-run load", c->target_name, mm_milvus_endpoint(opt->milvus),
                              COUNT_ROUNDS, COUNT_SETTLED_MS / 1000);
            break;
        }
        if (round > 0 && moved)
            mm_emit_line(opt->log, opt->log_ctx, "the row counts of %s are still changing (a failed import's rows "
                         "leaving?); reading them again in %d s", c->target_name, COUNT_SETTLED_MS / 1000);
        if (!pause_ms(sh, COUNT_SETTLED_MS))
            rc = mm_error_set(err, MM_ERR_CANCELLED, "load cancelled");
        if (rc == 0)
            rc = wait_idle(sh, c, started, &tasks, &n_tasks, err);
    }
    mm_milvus_task_infos_free(tasks, n_tasks);
    return rc;
}

/* Waits until Milvus runs no task of the collection, then matches the
 * uncertain batches to listed tasks (2.2/2.3 list their files) or, failing
 * that, to the partition's row count, once that count holds still. Where
 * jobs may be created late (2.6+), an Import whose answer never came may
 * still get its job after the call ended: loader.settleSeconds are waited
 * first, and the listing is read again after them. */
int mm_load_resolve_uncertain(mm_load_state *sh, const mm_collection_info *c, mm_error *err)
{
    const mm_load_options *opt = sh->opt;
    size_t uncertain = 0, forgotten = 0;
    for (size_t i = 0; i < sh->n_jobs; i++)
        if (sh->jobs[i].c == c && sh->jobs[i].b.state == MM_BATCH_SUBMITTED && sh->jobs[i].task == 0) {
            uncertain++;
            forgotten += sh->jobs[i].forgotten;
        }
    if (!uncertain)
        return 0;
    if (uncertain > forgotten)
        mm_emit_line(opt->log, opt->log_ctx, "%zu batch(es) of %s were being submitted when the last run stopped; finding out whether "
                    "Milvus received them", uncertain - forgotten, c->target_name);
    if (forgotten)
        mm_emit_line(opt->log, opt->log_ctx, "%zu batch(es) of %s have import tasks Milvus no longer knows; counting the rows of their "
                    "partitions once no import of the collection runs", forgotten, c->target_name);
    mm_milvus_task_info *tasks = NULL;
    size_t n_tasks = 0;
    double started = mm_monotonic_seconds();
    if (wait_idle(sh, c, started, &tasks, &n_tasks, err) != 0) {
        mm_milvus_task_infos_free(tasks, n_tasks);
        return -1;
    }
    if (uncertain > forgotten && mm_milvus_late_jobs(opt->milvus) && opt->settle_s > 0) {
        mm_emit_line(opt->log, opt->log_ctx, "Milvus %s may still create the job of an Import whose answer was "
                     "lost: waiting %d s (loader.settleSeconds), then listing and counting again",
                     mm_milvus_version(opt->milvus), opt->settle_s);
        if (!pause_ms(sh, opt->settle_s * 1000L) || wait_idle(sh, c, started, &tasks, &n_tasks, err) != 0) {
            mm_milvus_task_infos_free(tasks, n_tasks);
            return mm_load_cancelled(sh) ? mm_error_set(err, MM_ERR_CANCELLED, "load cancelled") : -1;
        }
    }
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sh->n_jobs; i++) {
        mm_load_batch *j = &sh->jobs[i];
        /* A task the server just called unknown may still be listed by a
         * server whose list and state disagree; the row count decides. */
        if (j->c != c || j->b.state != MM_BATCH_SUBMITTED || j->task != 0 || j->forgotten)
            continue;
        for (size_t t = 0; t < n_tasks; t++) {
            if (!tasks[t].id || !mm_load_task_lists_file(tasks[t].files, j->b.data_key))
                continue;
            bool ok = tasks[t].state == MM_IMPORT_COMPLETED;
            rc = mm_load_record(sh, j, ok ? MM_BATCH_SUBMITTED : MM_BATCH_DUMPED, ok ? tasks[t].id : 0, 0, err);
            mm_emit_line(opt->log, opt->log_ctx, "batch %s/%d: Milvus has it as task %" PRId64 " (%s)", j->b.segment, j->b.batch,
                        tasks[t].id, mm_milvus_import_state_name(tasks[t].state));
            break;
        }
    }
    mm_milvus_task_infos_free(tasks, n_tasks);
    int64_t *counts = calloc(c->n_partitions ? c->n_partitions : 1, sizeof *counts);
    if (!counts)
        return mm_error_set(err, MM_ERR_NOMEM, "load: out of memory");
    if (rc == 0)
        rc = settled_counts(sh, c, started, counts, err);
    for (size_t p = 0; rc == 0 && p < c->n_partitions; p++) {
        int64_t expected = 0, pending = 0, actual = counts[p];
        int64_t rows[MM_LOAD_SUBSET_MAX];   /* of the first pending batches */
        bool known = false;
        size_t n_pending = 0;
        rc = mm_journal_partition_baseline_get(opt->journal, c->name, c->partitions[p].tag, &expected, &known, err);
        for (size_t i = 0; rc == 0 && i < sh->n_jobs; i++) {
            const mm_load_batch *j = &sh->jobs[i];
            if (j->c != c || j->partition != p)
                continue;
            if (j->b.state == MM_BATCH_IMPORTED)
                expected += j->b.imported_rows;
            else if (j->b.state == MM_BATCH_SUBMITTED && j->task != 0)
                expected += j->b.rows; /* matched above to a listed task that completed */
            else if (j->b.state == MM_BATCH_SUBMITTED && j->task == 0) {
                if (n_pending < MM_LOAD_SUBSET_MAX)
                    rows[n_pending] = j->b.rows;
                pending += j->b.rows;
                n_pending++;
            }
        }
        if (rc != 0 || !n_pending)
            continue;
        const char *pname = p == 0 ? "_default" : c->partitions[p].target_name;
        bool none = actual == expected, all = actual == expected + pending;
        int64_t arrived = none || all ? 0 : mm_load_arrived_subset(rows, n_pending, actual - expected);
        if (arrived < 0) {
            long sets = mm_load_fitting_subsets(rows, n_pending, actual - expected);
            char why[160];
            if (sets > 1)
                snprintf(why, sizeof why, "%ld different sets of them add up to that, so which arrived is unknown",
                         sets);
            else if (sets < 0)
                snprintf(why, sizeof why, "they are too many (over %d) to work out which of them add up to that",
                         MM_LOAD_SUBSET_MAX);
            else
                snprintf(why, sizeof why, "no set of them adds up to that");
            rc = mm_error_set(err, MM_ERR_MISMATCH, "cannot tell whether %zu interrupted batch(es) of %s.%s were "
                              "imported: the partition holds %" PRId64 " rows, expected %" PRId64 " (none imported) "
                              "to %" PRId64 " (all imported), and %s. Nothing was sent again; inspect the partition, "
                              "then drop the collection and re-run load, or start over %s", n_pending,
                              c->target_name, pname, actual, expected, expected + pending, why,
                              mm_remedy_how(MM_REMEDY_START_OVER));
            break;
        }
        if (none || all)
            mm_emit_line(opt->log, opt->log_ctx, "%s.%s holds %" PRId64 " rows: the %zu interrupted batch(es) %s", c->target_name, pname,
                        actual, n_pending, all ? "arrived" : "did not arrive and are sent again");
        else
            mm_emit_line(opt->log, opt->log_ctx, "%s.%s holds %" PRId64 " rows: %zu of the %zu interrupted batch(es) arrived (the only "
                        "ones whose rows add up to that); the others are sent again", c->target_name, pname, actual,
                        (size_t)__builtin_popcountll((unsigned long long)arrived), n_pending);
        for (size_t i = 0, bit = 0; rc == 0 && i < sh->n_jobs; i++) {
            mm_load_batch *j = &sh->jobs[i];
            if (j->c != c || j->partition != p || j->b.state != MM_BATCH_SUBMITTED || j->task != 0)
                continue;
            bool in = all || (!none && ((arrived >> bit) & 1));
            bit++;
            mm_batch_state to = in ? MM_BATCH_IMPORTED : MM_BATCH_DUMPED;
            rc = mm_load_record(sh, j, to, 0, to == MM_BATCH_IMPORTED ? j->b.rows : 0, err);
            j->forgotten = false;
            if (rc == 0 && to == MM_BATCH_IMPORTED) {
                pthread_mutex_lock(&sh->lock);
                if (j->sent_here) {
                    sh->res->batches_imported++;
                    sh->res->rows_imported += j->b.rows;
                } else {
                    sh->res->batches_reused++;
                    sh->progress.batches_reused++; /* an earlier run's import, found settled */
                    sh->progress.rows_reused += j->b.rows;
                }
                pthread_mutex_unlock(&sh->lock);
                mm_load_report(sh, 0, 1, j->b.rows);
            }
        }
    }
    free(counts);
    return rc;
}
