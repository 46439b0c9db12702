/* The load (load.h): the batches of the journal, judged against the
 * planner; the checks before anything is created in Milvus; the recorded
 * tasks waited for; then rounds of settling what is uncertain and sending
 * what did not arrive. */
#include "load/load_internal.h"

#include "base/strbuf.h"
#include "load/staged_check.h"
#include "load/staging_manifest.h"

#include <stdlib.h>
#include <string.h>

/* Rounds of "settle what is unknown, send what did not arrive" in one run.
 * Every resend follows proof that the previous attempt left no rows, so
 * the bound only stops a server that keeps losing tasks. */
enum { MAX_ROUNDS = 4 };

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
    mm_load_state *sh = ctx;
    size_t ci;
    const mm_collection_info *c = find_collection(sh->opt->inv, b->collection, &ci);
    if (!c || sh->skipped[ci] || b->state < MM_BATCH_DUMPED)
        return 0;
    const char *why = NULL;
    if (mm_batch_plan_classify(sh->plan, b, &why) == MM_BATCH_STALE) {
        /* Only never-submitted ones matter: those would be imported. */
        if (b->state == MM_BATCH_DUMPED && !sh->preflight) {
            char *label = mm_staged_batch_label(b);
            mm_emit_line(sh->opt->log, sh->opt->log_ctx, "not importing %s: %s (run `milvus-migrate dump` to retire it)", label ? label : "a "
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
    mm_load_batch *grown = realloc(sh->jobs, (sh->n_jobs + 1) * sizeof *grown);
    if (!grown)
        return -1;
    sh->jobs = grown;
    mm_load_batch *j = &sh->jobs[sh->n_jobs++];
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
    j->b.members = mm_strdup(b->members ? b->members : "");
    j->task = b->task_ids && b->task_ids[0] ? strtoll(b->task_ids, NULL, 10) : 0;
    return 0;
}

/* Every live segment must be completely dumped before anything is loaded. */
static int check_dumped(mm_load_state *sh, mm_error *err)
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

static void free_jobs(mm_load_state *sh)
{
    for (size_t i = 0; i < sh->n_jobs; i++)
        mm_journal_batch_free(&sh->jobs[i].b);
    free(sh->jobs);
}

static size_t count_jobs(const mm_load_state *sh, mm_batch_state state, bool with_task)
{
    size_t n = 0;
    for (size_t i = 0; i < sh->n_jobs; i++)
        n += sh->jobs[i].b.state == state && (sh->jobs[i].task != 0) == with_task;
    return n;
}

static int resolve_all(mm_load_state *sh, mm_error *err)
{
    const mm_inventory *inv = sh->opt->inv;
    for (size_t i = 0; i < inv->n_collections; i++)
        if (!sh->skipped[i] && mm_load_resolve_uncertain(sh, &inv->collections[i], err) != 0)
            return -1;
    return 0;
}

/* Recorded tasks have been waited for. Settles the batches whose outcome is
 * unknown (an Import interrupted mid-call, a task Milvus forgot), waits for
 * tasks a listing matched, sends what never arrived, and repeats while
 * sending left tasks Milvus forgot again. */
static int settle_and_submit(mm_load_state *sh, mm_error *err)
{
    for (int round = 1;; round++) {
        if (resolve_all(sh, err) != 0)
            return -1;
        if (count_jobs(sh, MM_BATCH_SUBMITTED, true) && mm_load_run_workers(sh, false, err) != 0)
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
        if (!unknown && mm_load_run_workers(sh, true, err) != 0)
            return -1;
    }
}

/* Before anything is created in Milvus: the staging area is this job's,
 * every live segment is dumped, and every batch still to import has its
 * staged files there with the recorded sizes (and ETags). */
static int preflight(mm_load_state *sh, mm_error *err)
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
    mm_staged_place place = mm_load_staged_place(opt);
    for (size_t i = 0; rc == 0 && i < sh->n_jobs; i++)
        if (sh->jobs[i].b.state == MM_BATCH_DUMPED)
            rc = mm_staged_check_batch(&place, &sh->jobs[i].b, MM_STAGED_PRESENT, mm_load_staged_fix, err);
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
    mm_load_state sh = {.opt = opt, .res = res};
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
                sh.progress.batches_reused++;
                sh.progress.rows_reused += sh.jobs[i].b.rows;
            }
        }
        if (opt->progress)
            opt->progress(opt->progress_ctx, &sh.progress);
        rc = mm_load_run_workers(&sh, false, err);
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
