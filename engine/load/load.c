#include "load/load_internal.h"

#include "batch_plan.h"
#include "load/staged_check.h"
#include "load/staging_manifest.h"
#include "base/strbuf.h"
#include "base/timeutil.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct batch_job {
    mm_journal_batch b;
    const mm_collection_info *c;
    size_t partition;           /* index into c->partitions */
    int64_t task;               /* 0 = none recorded */
    bool forgotten;             /* Milvus said it no longer knows the task (this run) */
    bool sent_here;             /* Import sent by this run */
} batch_job;

/* Rounds of "settle what is unknown, send what did not arrive" in one run.
 * Every resend follows proof that the previous attempt left no rows, so
 * the bound only stops a server that keeps losing tasks. */
enum { MAX_ROUNDS = 4 };

typedef struct shared {
    const mm_load_options *opt;
    batch_job *jobs;
    size_t n_jobs;
    bool *skipped;              /* per inventory collection */
    mm_batch_plan *plan;
    size_t stale;               /* batches of the journal left out as stale */
    bool preflight;             /* the checks before anything is created: no log */
    size_t next;
    bool submit;                /* phase: submit new Imports, or only wait for recorded ones */
    pthread_mutex_t lock;
    mm_load_progress progress;
    mm_load_result *res;
    bool failed;
    mm_error err;
} shared;

static bool cancelled(const shared *sh)
{
    return sh->opt->cancel && atomic_load(sh->opt->cancel);
}

static void report(shared *sh, int running_delta, size_t done, int64_t rows)
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



static const char *partition_name(const batch_job *j)
{
    return j->partition == 0 ? "_default" : j->c->partitions[j->partition].target_name;
}

static int record(shared *sh, batch_job *j, mm_batch_state state, int64_t task, int64_t imported, mm_error *err)
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

static char *batch_label(const batch_job *j)
{
    return mm_asprintf("batch %s/%d of %s (partition %s)", j->b.segment, j->b.batch, j->c->target_name,
                       partition_name(j));
}

/* Waits for a recorded task to end and records the outcome. */
static int wait_task(shared *sh, batch_job *j, mm_error *err)
{
    const mm_load_options *opt = sh->opt;
    double started = mm_monotonic_seconds();
    long delay = 200, cap = opt->poll_interval_ms > 0 ? opt->poll_interval_ms : 1000;
    char *label = batch_label(j);
    int rc = 0;
    for (;;) {
        if (cancelled(sh)) {
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
            rc = record(sh, j, MM_BATCH_SUBMITTED, 0, 0, err);
            if (rc == 0) {
                j->forgotten = true;
                mm_load_log(opt, "import task %" PRId64 " (%s) is unknown to %s (%s): it expired or the server lost "
                            "it; the partition row count decides whether its %" PRId64 " rows arrived", task, label,
                            mm_milvus_endpoint(opt->milvus), st.failed_reason, j->b.rows);
            }
        } else if (st.state == MM_IMPORT_COMPLETED) {
            rc = record(sh, j, MM_BATCH_IMPORTED, j->task, st.rows, err);
            if (rc == 0 && st.rows != j->b.rows)
                mm_load_log(opt, "warning: import task %" PRId64 " (%s) reports %" PRId64 " rows, %" PRId64
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
            rc = record(sh, j, MM_BATCH_DUMPED, 0, 0, err);
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

static mm_staged_place staged_place(const mm_load_options *opt)
{
    return (mm_staged_place){.local_root = opt->local_root, .storage = opt->storage};
}

static const char staged_fix[] = "nothing of it was imported; run `milvus-migrate dump` with the same config to "
                                 "write it again, then load";

static int submit(shared *sh, batch_job *j, mm_error *err)
{
    const mm_load_options *opt = sh->opt;
    /* What Milvus is about to read must be what the dump wrote. A batch
     * that is not loses its record, so the next dump writes it again. */
    mm_staged_place place = staged_place(opt);
    if (mm_staged_check_batch(&place, &j->b, MM_STAGED_INTACT, staged_fix, err) != 0) {
        if (err->code != MM_ERR_NOMEM)
            mm_journal_forget_batch(opt->journal, j->b.collection, j->b.segment, j->b.batch, NULL);
        return -1;
    }
    /* Recorded as sent before sending: a crash during the call leaves a
     * batch that a re-run resolves instead of blindly sending again. */
    if (record(sh, j, MM_BATCH_SUBMITTED, 0, 0, err) != 0)
        return -1;
    char *id_file = opt->local_root ? mm_asprintf("%s/%s", opt->local_root, j->b.id_key) : mm_strdup(j->b.id_key);
    char *data_file =
        opt->local_root ? mm_asprintf("%s/%s", opt->local_root, j->b.data_key) : mm_strdup(j->b.data_key);
    const char *files[] = {id_file, data_file};
    int64_t task = 0;
    bool maybe = true;
    j->sent_here = true;
    j->forgotten = false;
    int rc = mm_milvus_import(opt->milvus, j->c->target_name, partition_name(j), files, 2, &task, &maybe, err);
    free(id_file);
    free(data_file);
    if (rc != 0) {
        if (!maybe)
            record(sh, j, MM_BATCH_DUMPED, 0, 0, NULL);
        else
            mm_error_wrap(err, "the Import call may or may not have reached Milvus; a re-run of load finds out "
                          "before sending it again");
        return -1;
    }
    return record(sh, j, MM_BATCH_SUBMITTED, task, 0, err);
}

static void *worker(void *arg)
{
    shared *sh = arg;
    for (;;) {
        pthread_mutex_lock(&sh->lock);
        batch_job *j = NULL;
        while (sh->next < sh->n_jobs && !sh->failed && !j) {
            batch_job *cand = &sh->jobs[sh->next++];
            bool wanted = sh->submit ? cand->b.state == MM_BATCH_DUMPED
                                     : cand->b.state == MM_BATCH_SUBMITTED && cand->task != 0;
            if (wanted)
                j = cand;
        }
        pthread_mutex_unlock(&sh->lock);
        if (!j || cancelled(sh))
            break;
        report(sh, 1, 0, 0);
        mm_error err;
        mm_error_clear(&err);
        int rc = sh->submit ? submit(sh, j, &err) : 0;
        if (rc == 0)
            rc = wait_task(sh, j, &err);
        bool done = rc == 0 && j->b.state == MM_BATCH_IMPORTED;
        report(sh, -1, done ? 1 : 0, done ? j->b.rows : 0);
        if (rc != 0) {
            pthread_mutex_lock(&sh->lock);
            if (!sh->failed) {
                sh->failed = true;
                sh->err = err;
            }
            pthread_mutex_unlock(&sh->lock);
        }
    }
    return NULL;
}

static int run_workers(shared *sh, bool submit_phase, mm_error *err)
{
    sh->submit = submit_phase;
    sh->next = 0;
    int workers = sh->opt->workers > 0 ? sh->opt->workers : 1;
    if (workers > 32)
        workers = 32;
    pthread_t threads[32];
    int started = 0;
    for (int i = 0; i < workers; i++)
        if (pthread_create(&threads[i], NULL, worker, sh) == 0)
            started++;
    if (started == 0)
        worker(sh);
    for (int i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    if (sh->failed) {
        *err = sh->err;
        return -1;
    }
    if (cancelled(sh))
        return mm_error_set(err, MM_ERR_CANCELLED, "load cancelled; recorded tasks are waited for by a re-run");
    return 0;
}

/* ---- collecting the batches ------------------------------------------------- */

static const mm_collection_info *find_collection(const mm_inventory *inv, const char *name, size_t *index)
{
    for (size_t i = 0; i < inv->n_collections; i++)
        if (strcmp(inv->collections[i].name, name) == 0) {
            *index = i;
            return &inv->collections[i];
        }
    return NULL;
}

static int collect_batch(void *ctx, const mm_journal_batch *b)
{
    shared *sh = ctx;
    size_t ci;
    const mm_collection_info *c = find_collection(sh->opt->inv, b->collection, &ci);
    if (!c || sh->skipped[ci] || b->state < MM_BATCH_DUMPED)
        return 0;
    const char *why = NULL;
    if (mm_batch_plan_classify(sh->plan, b, &why) == MM_BATCH_STALE) {
        /* Only never-submitted ones matter: those would be imported. */
        if (b->state == MM_BATCH_DUMPED && !sh->preflight) {
            char *label = mm_staged_batch_label(b);
            mm_load_log(sh->opt, "not importing %s: %s (run `milvus-migrate dump` to retire it)", label ? label : "a "
                        "batch", why);
            free(label);
            sh->stale++;
        }
        return 0;
    }
    size_t p = 0;
    while (p < c->n_partitions && strcmp(c->partitions[p].tag, b->partition) != 0)
        p++;
    if (p == c->n_partitions)
        return 0;
    batch_job *grown = realloc(sh->jobs, (sh->n_jobs + 1) * sizeof *grown);
    if (!grown)
        return -1;
    sh->jobs = grown;
    batch_job *j = &sh->jobs[sh->n_jobs++];
    memset(j, 0, sizeof *j);
    j->c = c;
    j->partition = p;
    j->b = *b;
    j->b.collection = mm_strdup(b->collection);
    j->b.partition = mm_strdup(b->partition);
    j->b.segment = mm_strdup(b->segment);
    j->b.id_key = mm_strdup(b->id_key);
    j->b.data_key = mm_strdup(b->data_key);
    j->b.task_ids = mm_strdup(b->task_ids);
    j->b.id_etag = mm_strdup(b->id_etag ? b->id_etag : "");
    j->b.data_etag = mm_strdup(b->data_etag ? b->data_etag : "");
    j->task = b->task_ids && b->task_ids[0] ? strtoll(b->task_ids, NULL, 10) : 0;
    return 0;
}

/* Every live segment must be completely dumped before anything is loaded. */
static int check_dumped(shared *sh, mm_error *err)
{
    const mm_inventory *inv = sh->opt->inv;
    for (size_t i = 0; i < inv->n_collections; i++) {
        if (sh->skipped[i])
            continue;
        const mm_collection_info *c = &inv->collections[i];
        for (size_t p = 0; p < c->n_partitions; p++)
            for (size_t s = 0; s < c->partitions[p].n_segments; s++) {
                const mm_segment_info *seg = &c->partitions[p].segments[s];
                mm_journal_segment done;
                bool found = false;
                if (mm_journal_segment_get(sh->opt->journal, c->name, seg->segment_id, &done, &found, err) != 0)
                    return -1;
                int have = 0;
                for (size_t k = 0; k < sh->n_jobs; k++)
                    if (sh->jobs[k].c == c && strcmp(sh->jobs[k].b.segment, seg->segment_id) == 0)
                        have++;
                if (!found || have != done.batches)
                    return mm_error_set(err, MM_ERR_CONFIG, "segment %s of collection '%s' is not completely "
                                        "dumped yet; run `milvus-migrate dump` with the same config first",
                                        seg->segment_id, c->name);
            }
    }
    return 0;
}

static void free_jobs(shared *sh)
{
    for (size_t i = 0; i < sh->n_jobs; i++)
        mm_journal_batch_free(&sh->jobs[i].b);
    free(sh->jobs);
}

/* ---- batches whose Import may have been sent without its answer ------------- */

static bool task_lists_file(const mm_milvus_task_info *t, const char *key)
{
    size_t n = strlen(key);
    for (const char *p = strstr(t->files, key); p; p = strstr(p + 1, key))
        if (p[n] == '\0' || p[n] == ',')
            return true;
    return false;
}

enum { MAX_SUBSET_BATCHES = 16 };

/* Which of the n interrupted batches (rows[i] each) arrived, given that
 * `arrived` rows of them are in the partition: an import task is all or
 * nothing, so the answer is a subset whose rows add up to exactly that.
 * Returns the subset as a bit mask when exactly one subset fits, -1 when
 * none or several do (two batches of the same size, one of them in). */
static int64_t arrived_subset(const int64_t *rows, size_t n, int64_t arrived)
{
    if (n > MAX_SUBSET_BATCHES)
        return -1;
    int64_t found = -1;
    size_t matches = 0;
    for (uint32_t mask = 0; mask < (1u << n); mask++) {
        int64_t sum = 0;
        for (size_t i = 0; i < n; i++)
            if (mask & (1u << i))
                sum += rows[i];
        if (sum == arrived) {
            found = mask;
            matches++;
        }
    }
    return matches == 1 ? found : -1;
}

/* Waits until Milvus runs no task of the collection, then matches the
 * uncertain batches to listed tasks (2.2/2.3 list their files) or, failing
 * that, to the partition's row count. */
static int resolve_uncertain(shared *sh, const mm_collection_info *c, mm_error *err)
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
        mm_load_log(opt, "%zu batch(es) of %s were being submitted when the last run stopped; finding out whether "
                    "Milvus received them", uncertain - forgotten, c->target_name);
    if (forgotten)
        mm_load_log(opt, "%zu batch(es) of %s have import tasks Milvus no longer knows; counting the rows of their "
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
        if (cancelled(sh))
            return mm_error_set(err, MM_ERR_CANCELLED, "load cancelled");
        if (opt->import_timeout_s > 0 && mm_monotonic_seconds() - started > opt->import_timeout_s)
            return mm_error_set(err, MM_ERR_NETWORK, "import tasks of %s are still running after %d minute(s); "
                                "re-run load later", c->target_name, opt->import_timeout_s / 60);
        mm_sleep_ms(opt->poll_interval_ms > 0 ? opt->poll_interval_ms : 1000);
    }
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sh->n_jobs; i++) {
        batch_job *j = &sh->jobs[i];
        /* A task the server just called unknown may still be listed by a
         * server whose list and state disagree; the row count decides. */
        if (j->c != c || j->b.state != MM_BATCH_SUBMITTED || j->task != 0 || j->forgotten)
            continue;
        for (size_t t = 0; t < n_tasks; t++) {
            if (!tasks[t].id || !task_lists_file(&tasks[t], j->b.data_key))
                continue;
            bool ok = tasks[t].state == MM_IMPORT_COMPLETED;
            rc = record(sh, j, ok ? MM_BATCH_SUBMITTED : MM_BATCH_DUMPED, ok ? tasks[t].id : 0, 0, err);
            mm_load_log(opt, "batch %s/%d: Milvus has it as task %" PRId64 " (%s)", j->b.segment, j->b.batch,
                        tasks[t].id, mm_milvus_import_state_name(tasks[t].state));
            break;
        }
    }
    mm_milvus_task_infos_free(tasks, n_tasks);
    for (size_t p = 0; rc == 0 && p < c->n_partitions; p++) {
        int64_t expected = 0, pending = 0, actual = 0;
        int64_t rows[MAX_SUBSET_BATCHES];   /* of the first pending batches */
        bool known = false;
        size_t n_pending = 0;
        rc = mm_journal_partition_baseline_get(opt->journal, c->name, c->partitions[p].tag, &expected, &known, err);
        for (size_t i = 0; rc == 0 && i < sh->n_jobs; i++) {
            const batch_job *j = &sh->jobs[i];
            if (j->c != c || j->partition != p)
                continue;
            if (j->b.state == MM_BATCH_IMPORTED)
                expected += j->b.imported_rows;
            else if (j->b.state == MM_BATCH_SUBMITTED && j->task != 0)
                expected += j->b.rows; /* matched above to a listed task that completed */
            else if (j->b.state == MM_BATCH_SUBMITTED && j->task == 0) {
                if (n_pending < MAX_SUBSET_BATCHES)
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
        int64_t arrived = none || all ? 0 : arrived_subset(rows, n_pending, actual - expected);
        if (arrived < 0) {
            rc = mm_error_set(err, MM_ERR_MISMATCH, "cannot tell whether %zu interrupted batch(es) of %s.%s were "
                              "imported: the partition holds %" PRId64 " rows, expected %" PRId64 " (none imported) "
                              "to %" PRId64 " (all imported), and no single set of them adds up to that. Nothing was "
                              "sent again; inspect the partition, then drop the collection and re-run load, or start "
                              "over with --restart", n_pending, c->target_name, pname, actual, expected,
                              expected + pending);
            break;
        }
        if (none || all)
            mm_load_log(opt, "%s.%s holds %" PRId64 " rows: the %zu interrupted batch(es) %s", c->target_name, pname,
                        actual, n_pending, all ? "arrived" : "did not arrive and are sent again");
        else
            mm_load_log(opt, "%s.%s holds %" PRId64 " rows: %zu of the %zu interrupted batch(es) arrived (the only "
                        "ones whose rows add up to that); the others are sent again", c->target_name, pname, actual,
                        (size_t)__builtin_popcountll((unsigned long long)arrived), n_pending);
        for (size_t i = 0, bit = 0; rc == 0 && i < sh->n_jobs; i++) {
            batch_job *j = &sh->jobs[i];
            if (j->c != c || j->partition != p || j->b.state != MM_BATCH_SUBMITTED || j->task != 0)
                continue;
            bool in = all || (!none && ((arrived >> bit) & 1));
            bit++;
            mm_batch_state to = in ? MM_BATCH_IMPORTED : MM_BATCH_DUMPED;
            rc = record(sh, j, to, 0, to == MM_BATCH_IMPORTED ? j->b.rows : 0, err);
            j->forgotten = false;
            if (rc == 0 && to == MM_BATCH_IMPORTED) {
                pthread_mutex_lock(&sh->lock);
                if (j->sent_here) {
                    sh->res->batches_imported++;
                    sh->res->rows_imported += j->b.rows;
                } else {
                    sh->res->batches_reused++;
                }
                pthread_mutex_unlock(&sh->lock);
                report(sh, 0, 1, j->b.rows);
            }
        }
    }
    return rc;
}

/* ---- the run ----------------------------------------------------------------- */

static size_t count_jobs(const shared *sh, mm_batch_state state, bool with_task)
{
    size_t n = 0;
    for (size_t i = 0; i < sh->n_jobs; i++)
        n += sh->jobs[i].b.state == state && (sh->jobs[i].task != 0) == with_task;
    return n;
}

static int resolve_all(shared *sh, mm_error *err)
{
    const mm_inventory *inv = sh->opt->inv;
    for (size_t i = 0; i < inv->n_collections; i++)
        if (!sh->skipped[i] && resolve_uncertain(sh, &inv->collections[i], err) != 0)
            return -1;
    return 0;
}

/* Recorded tasks have been waited for. Settles the batches whose outcome is
 * unknown (an Import interrupted mid-call, a task Milvus forgot), waits for
 * tasks a listing matched, sends what never arrived, and repeats while
 * sending left tasks Milvus forgot again. */
static int settle_and_submit(shared *sh, mm_error *err)
{
    for (int round = 1;; round++) {
        if (resolve_all(sh, err) != 0)
            return -1;
        if (count_jobs(sh, MM_BATCH_SUBMITTED, true) && run_workers(sh, false, err) != 0)
            return -1;
        size_t unknown = count_jobs(sh, MM_BATCH_SUBMITTED, false);
        size_t to_send = count_jobs(sh, MM_BATCH_DUMPED, false);
        if (!unknown && !to_send)
            return 0;
        if (round > MAX_ROUNDS)
            return mm_error_set(err, MM_ERR_NETWORK, "Milvus at %s kept losing import tasks: %zu batch(es) are still "
                                "not imported after %d rounds of sending and counting. Nothing was imported twice; "
                                "check the Milvus logs, then re-run load: it counts rows before sending anything "
                                "again", mm_milvus_endpoint(sh->opt->milvus), unknown + to_send, MAX_ROUNDS);
        if (!unknown && run_workers(sh, true, err) != 0)
            return -1;
    }
}

/* Before anything is created in Milvus: the staging area is this job's,
 * every live segment is dumped, and every batch still to import has its
 * staged files there with the recorded sizes (and ETags). */
static int preflight(shared *sh, mm_error *err)
{
    const mm_load_options *opt = sh->opt;
    mm_staging_area area = {.local_root = opt->local_root, .storage = opt->storage, .remote_root = opt->remote_root,
                            .scratch_dir = opt->scratch_dir};
    if (mm_staging_check(&area, opt->journal, err) != 0)
        return -1;
    sh->preflight = true;
    int rc = mm_journal_each(opt->journal, collect_batch, sh, err) != 0 ? -1 : 0;
    sh->preflight = false;
    if (rc == 0)
        rc = check_dumped(sh, err);
    mm_staged_place place = staged_place(opt);
    for (size_t i = 0; rc == 0 && i < sh->n_jobs; i++)
        if (sh->jobs[i].b.state == MM_BATCH_DUMPED)
            rc = mm_staged_check_batch(&place, &sh->jobs[i].b, MM_STAGED_PRESENT, staged_fix, err);
    free_jobs(sh);
    sh->jobs = NULL;
    sh->n_jobs = 0;
    sh->stale = 0;
    return rc;
}

int mm_load_run(const mm_load_options *opt, mm_load_result *res, mm_error *err)
{
    memset(res, 0, sizeof *res);
    const mm_inventory *inv = opt->inv;
    shared sh = {.opt = opt, .res = res};
    pthread_mutex_init(&sh.lock, NULL);
    sh.skipped = calloc(inv->n_collections ? inv->n_collections : 1, sizeof *sh.skipped);
    if (!sh.skipped)
        return mm_error_set(err, MM_ERR_NOMEM, "load: out of memory");
    int rc = mm_batch_plan_build(inv, opt->journal, &sh.plan, err);
    if (rc == 0)
        rc = preflight(&sh, err);
    for (size_t i = 0; rc == 0 && i < inv->n_collections; i++)
        rc = mm_load_prepare_collection(opt, &inv->collections[i], &sh.skipped[i], res, err);
    if (rc == 0 && mm_journal_each(opt->journal, collect_batch, &sh, err) != 0)
        rc = -1;
    if (rc == 0)
        rc = check_dumped(&sh, err);
    res->batches_stale = sh.stale;
    if (rc == 0) {
        for (size_t i = 0; i < sh.n_jobs; i++) {
            sh.progress.batches_total++;
            sh.progress.rows_total += sh.jobs[i].b.rows;
            if (sh.jobs[i].b.state == MM_BATCH_IMPORTED) {
                res->batches_reused++;
                sh.progress.batches_done++;
                sh.progress.rows_done += sh.jobs[i].b.rows;
            }
        }
        if (opt->progress)
            opt->progress(opt->progress_ctx, &sh.progress);
        rc = run_workers(&sh, false, err);
    }
    if (rc == 0)
        rc = settle_and_submit(&sh, err);
    for (size_t i = 0; rc == 0 && i < inv->n_collections; i++) {
        if (sh.skipped[i])
            continue;
        mm_journal_target t;
        bool found = false;
        rc = mm_journal_target_get(opt->journal, inv->collections[i].name, &t, &found, err);
        bool ours = found && t.state == MM_TARGET_CREATING;
        mm_journal_target_free(&t);
        if (rc == 0 && ours)
            rc = mm_load_create_index(opt, &inv->collections[i], res, err);
    }
    free_jobs(&sh);
    free(sh.skipped);
    mm_batch_plan_free(sh.plan);
    pthread_mutex_destroy(&sh.lock);
    return rc;
}
