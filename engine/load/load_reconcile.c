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

/* Waits until Milvus runs no task of the collection, then matches the
 * uncertain batches to listed tasks (2.2/2.3 list their files) or, failing
 * that, to the partition's row count. */
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
    for (;;) {
        if (mm_milvus_list_import_tasks(opt->milvus, c->target_name, &tasks, &n_tasks, err) != 0)
            return -1;
        bool running = false;
        for (size_t t = 0; t < n_tasks; t++)
            running |= !mm_milvus_import_state_final(tasks[t].state);
        if (!running)
            break;
        mm_milvus_task_infos_free(tasks, n_tasks);
        tasks = NULL;
        if (mm_load_cancelled(sh))
            return mm_error_set(err, MM_ERR_CANCELLED, "load cancelled");
        if (opt->import_timeout_s > 0 && mm_monotonic_seconds() - started > opt->import_timeout_s)
            return mm_error_set(err, MM_ERR_NETWORK, "import tasks of %s are still running after %d minute(s); "
                                "re-run load later", c->target_name, opt->import_timeout_s / 60);
        mm_sleep_ms(opt->poll_interval_ms > 0 ? opt->poll_interval_ms : 1000);
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
    for (size_t p = 0; rc == 0 && p < c->n_partitions; p++) {
        int64_t expected = 0, pending = 0, actual = 0;
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
        rc = mm_milvus_partition_rows(opt->milvus, c->target_name, pname, &actual, err);
        if (rc != 0)
            break;
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
    return rc;
}
